/*
 * Terminal and machine-readable output. Colour is decided once by the
 * dispatcher (a terminal, and no -no-color); everything here only asks the
 * struct cli_ui. The JSON stream follows Terraform's machine-readable UI:
 * one object per line with "@level", "@message", "@module", "@timestamp"
 * and "type".
 */
#include "cli/cli.h"

#include "engine/tfjson.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/lang.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/signals.h"

const char *cli_c_bold(const struct cli_ui *ui)
{
    return ui->color ? "\033[1m" : "";
}

const char *cli_c_green(const struct cli_ui *ui)
{
    return ui->color ? "\033[32m" : "";
}

const char *cli_c_red(const struct cli_ui *ui)
{
    return ui->color ? "\033[31m" : "";
}

const char *cli_c_yellow(const struct cli_ui *ui)
{
    return ui->color ? "\033[33m" : "";
}

const char *cli_c_reset(const struct cli_ui *ui)
{
    return ui->color ? "\033[0m" : "";
}

void cli_ui_write(FILE *f, const tern_buf *buf)
{
    if (buf->len)
        fwrite(buf->ptr, 1, buf->len, f);
    fflush(f);
}

int cli_json_print(FILE *f, const json_t *j, size_t flags)
{
    /* Encoded first, so that an allocation failure halfway (Jansson's
     * encoder allocates) cannot leave half a document on @f. */
    char *text = j ? tern_json_dumps(j, flags | JSON_ENCODE_ANY) : NULL;

    if (!text)
        return TERN_ENOMEM;
    fputs(text, f);
    fputc('\n', f);
    fflush(f);
    free(text); /* Jansson's, from the C allocator */
    return TERN_OK;
}

static json_t *pos_json(const struct tern_pos *p)
{
    return json_pack("{s:i,s:i,s:I}", "line", (int)p->line, "column",
                     (int)p->column, "byte", (json_int_t)p->byte);
}

/*
 * The snippet of views/json/diagnostic.go: the whole lines the range
 * touches, where the range starts and ends in them (in bytes), and the
 * top-level block holding the byte before it (hcled.ContextString).
 * tern keeps no expression values for diagnostics, so "values" is empty.
 */
static json_t *snippet_json(int *oom, const struct tern_diag *d, size_t hs,
                            size_t he, const struct tern_lang_sources *srcs)
{
    const char *src;
    size_t len = 0, ls, le, code_start = 0;
    long long start, end;
    tern_buf code = TERN_BUF_INIT, ctx = TERN_BUF_INIT;
    json_t *j = NULL;

    src = tern_lang_source_text(srcs, d->range.file, &len);
    if (!src)
        return NULL;
    for (ls = 0; ls <= len;) {
        for (le = ls; le < len && src[le] != '\n'; le++)
            ;
        {
            size_t ce = le > ls && src[le - 1] == '\r' ? le - 1 : le;
            /* hcl.Range.Overlaps, an empty line overlapping nothing
             * itself but being inside a range of several lines. */
            int overlaps =
                (ce > ls && ((hs >= ls && hs < ce) || (he >= ls && he < ce))) ||
                (he > hs && ((ls >= hs && ls < he) || (ce >= hs && ce < he)));

            if (overlaps) {
                if (code_start == 0 && code.len == 0)
                    code_start = ls;
                tern_buf_put(&code, src + ls, ce - ls);
                tern_buf_putc(&code, '\n');
            }
        }
        if (le >= len)
            break;
        ls = le + 1;
    }
    if (code.len && code.ptr[code.len - 1] == '\n')
        code.len--;
    start = (long long)hs - (long long)code_start;
    end = start + (long long)(he - hs);
    if (start < 0)
        start = 0;
    else if (start > (long long)code.len)
        start = (long long)code.len;
    if (end < 0)
        end = 0;
    else if (end > (long long)code.len)
        end = (long long)code.len;
    j = json_object();
    if (j) {
        int has_ctx = d->range.start.byte > 0 &&
                      tern_lang_diag_context(&ctx, srcs, d->range.file,
                                             d->range.start.byte - 1);

        /* A buffer that could not grow is a snippet short of text. */
        if (code.oom || ctx.oom)
            *oom = 1;
        tern_json_set(oom, j, "context",
                      has_ctx ? json_string(tern_buf_cstr(&ctx)) : json_null());
        tern_json_set(oom, j, "code",
                      json_stringn(code.ptr ? code.ptr : "", code.len));
        tern_json_set(oom, j, "start_line",
                      json_integer((json_int_t)d->range.start.line));
        tern_json_set(oom, j, "highlight_start_offset",
                      json_integer((json_int_t)start));
        tern_json_set(oom, j, "highlight_end_offset",
                      json_integer((json_int_t)end));
        tern_json_set(oom, j, "values", json_array());
    } else
        *oom = 1;
    tern_buf_release(&code);
    tern_buf_release(&ctx);
    return tern_json_done(*oom, j);
}

json_t *cli_diag_json(const struct tern_diag *d, const void *sources)
{
    json_t *j = json_pack("{s:s,s:s,s:s}", "severity",
                          d->severity == TERN_SEV_ERROR ? "error" : "warning",
                          "summary", d->summary ? d->summary : "", "detail",
                          d->detail ? d->detail : "");
    int oom = 0;

    if (d->has_range && d->range.file) {
        /* An empty range is widened to one byte, as diagnostic.go does. */
        struct tern_pos end = d->range.end;
        size_t len;

        if (end.byte <= d->range.start.byte) {
            end = d->range.start;
            end.byte++;
            end.column++;
        }
        tern_json_set(&oom, j, "range",
                      json_pack("{s:s,s:o,s:o}", "filename", d->range.file,
                                "start", pos_json(&d->range.start), "end",
                                pos_json(&end)));
        /* No snippet when the file's text is not at hand. */
        if (sources && tern_lang_source_text(sources, d->range.file, &len))
            tern_json_set(
                &oom, j, "snippet",
                snippet_json(&oom, d, d->range.start.byte, end.byte, sources));
    }
    return tern_json_done(oom, j);
}

static void timestamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    char base[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06ldZ", base, ts.tv_nsec / 1000);
}

int cli_ui_json_line(struct cli_ui *ui, const char *level, const char *message,
                     const char *type, json_t *fields)
{
    char ts[64];
    int oom = 0;

    /* A stream that lost a line stops there: what it printed is a whole
     * prefix of the run's, and the command ends in out of memory
     * (ui->json_lost, src/cli/main.c). */
    if (ui->json_lost || !fields) {
        json_decref(fields);
        ui->json_lost = 1;
        return TERN_ENOMEM;
    }
    timestamp(ts, sizeof(ts));
    tern_json_set(&oom, fields, "@level", json_string(level));
    tern_json_set(&oom, fields, "@message", json_string(message));
    /* "always terraform.ui" (machine-readable-ui.mdx): consumers filter
     * on it */
    tern_json_set(&oom, fields, "@module", json_string("terraform.ui"));
    tern_json_set(&oom, fields, "@timestamp", json_string(ts));
    tern_json_set(&oom, fields, "type", json_string(type));
    if (oom || !message ||
        cli_json_print(ui->out, fields, JSON_COMPACT | JSON_SORT_KEYS))
        ui->json_lost = 1;
    json_decref(fields);
    return ui->json_lost ? TERN_ENOMEM : TERN_OK;
}

void cli_ui_json_version(struct cli_ui *ui)
{
    /* "terraform": the language version tern implements; "tern" beside
     * it */
    cli_ui_json_line(ui, "info", "tern " TERN_VERSION, "version",
                     json_pack("{s:s,s:s,s:s}", "terraform",
                               TERN_LANGUAGE_VERSION, "tern", TERN_VERSION,
                               "ui", "1.2"));
}

/* One diagnostic rendered, the severity line in colour. */
static void print_one(const struct cli_ui *ui, const struct tern_diag *d,
                      const struct tern_lang_sources *srcs)
{
    struct tern_diags one = TERN_DIAGS_INIT;
    tern_buf buf = TERN_BUF_INIT;
    FILE *f = d->severity == TERN_SEV_ERROR || ui->data_out ? ui->err : ui->out;
    const char *text, *nl;

    /* A shallow view of one diagnostic: nothing is copied or freed. */
    one.items = (struct tern_diag *)d;
    one.count = 1;
    one.errors = d->severity == TERN_SEV_ERROR;
    tern_lang_diags_render(&buf, &one, srcs);
    text = tern_buf_cstr(&buf);
    nl = strchr(text, '\n');
    if (ui->color && nl) {
        fprintf(f, "%s%s%.*s%s%s", cli_c_bold(ui),
                d->severity == TERN_SEV_ERROR ? cli_c_red(ui)
                                              : cli_c_yellow(ui),
                (int)(nl - text), text, cli_c_reset(ui), nl);
    } else {
        fputs(text, f);
    }
    fputc('\n', f);
    fflush(f);
    tern_buf_release(&buf);
}

void cli_ui_diags(struct cli_ui *ui, const struct tern_diags *diags,
                  const void *srcs)
{
    size_t i;

    for (i = 0; diags && i < diags->count; i++) {
        const struct tern_diag *d = &diags->items[i];

        if (ui->json) {
            char *msg = tern_asprintf(
                "%s: %s", d->severity == TERN_SEV_ERROR ? "Error" : "Warning",
                d->summary);

            /* A message that could not be made loses the line (NULL). */
            cli_ui_json_line(
                ui, d->severity == TERN_SEV_ERROR ? "error" : "warn", msg,
                "diagnostic",
                json_pack("{s:o}", "diagnostic", cli_diag_json(d, srcs)));
            tern_free(msg);
            continue;
        }
        print_one(ui, d, srcs);
    }
}

#define ASK_INTERRUPTED (-2)

/*
 * One byte of standard input, EOF, or ASK_INTERRUPTED when SIGINT/SIGTERM
 * arrives meanwhile: signals go to their own thread (util/signals.c), so
 * they no longer interrupt the read itself. Unbuffered, so that nothing
 * typed after the answer is taken from the next reader.
 */
static int ask_getc(void)
{
    int wfd = tern_signals_wake_fd(), seen = tern_signals_received();
    unsigned char ch;

    for (;;) {
        struct pollfd p[2] = {{0, POLLIN, 0}, {wfd, POLLIN, 0}};
        ssize_t n;

        if (wfd >= 0 && poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return EOF;
        }
        if (tern_signals_received() != seen)
            return ASK_INTERRUPTED;
        if (wfd >= 0 && !(p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            tern_signals_drain();
            continue;
        }
        n = read(0, &ch, 1);
        if (n < 0 && errno == EINTR)
            continue;
        return n == 1 ? ch : EOF;
    }
}

char *cli_ui_ask(const struct cli_ui *ui, const char *question)
{
    fprintf(ui->out, "%s%s%s", cli_c_bold(ui), question, cli_c_reset(ui));
    fflush(ui->out);
    return cli_ui_read_line();
}

char *cli_ui_read_line(void)
{
    tern_buf line = TERN_BUF_INIT;
    int c;

    while ((c = ask_getc()) >= 0 && c != '\n')
        tern_buf_putc(&line, (char)c);
    if (c == ASK_INTERRUPTED || (c == EOF && line.len == 0)) {
        tern_buf_release(&line);
        return NULL;
    }
    return tern_buf_detach(&line);
}

const char *cli_platform(void)
{
#if defined(__linux__)
#define TERN_OS "linux"
#elif defined(__APPLE__)
#define TERN_OS "darwin"
#else
#define TERN_OS "unknown"
#endif
#if defined(__x86_64__)
#define TERN_ARCH "amd64"
#elif defined(__aarch64__)
#define TERN_ARCH "arm64"
#else
#define TERN_ARCH "unknown"
#endif
    return TERN_OS "_" TERN_ARCH;
}
