/*
 * `tern fmt`: rewrite configuration files in the canonical layout, as
 * terraform fmt does (hashicorp/terraform internal/command/fmt.go); the
 * layout itself is tern_lang_fmt's (src/lang/fmt.c).
 *
 * As fmt.go: with no argument the current directory is formatted, `-`
 * reads standard input and prints the result; a directory is scanned
 * for .tf, .tfvars, .tftest.hcl and .tfmock.hcl files (names starting
 * with "." or ending in "~" skipped, subdirectories only with
 * -recursive), in name order. A file that changes is listed (-list,
 * default on), rewritten (-write, default on) and shown as a unified diff
 * (-diff, with the labels old/PATH and new/PATH of fmt.go's `diff -u`).
 * -check lists and writes nothing but exits 3 when a file needs
 * formatting (the list is still printed unless -list=false). A file with
 * syntax errors is reported and left alone; errors exit 2.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/lang.h"
#include "util/alloc.h"
#include "util/vec.h"

static const char *const fmt_exts[] = {".tf", ".tfvars", ".tftest.hcl",
                                       ".tfmock.hcl"};

struct fmt_run {
    struct cli_ctx *ctx;
    int list, write, diff, check;
    tern_buf out; /* what would go to standard output */
    struct tern_lang_sources srcs;
    struct tern_diags diags;
    int oom;
};

static int has_ext(const char *name)
{
    size_t n = strlen(name), i;

    for (i = 0; i < sizeof(fmt_exts) / sizeof(fmt_exts[0]); i++) {
        size_t e = strlen(fmt_exts[i]);

        if (n >= e && strcmp(name + n - e, fmt_exts[i]) == 0)
            return 1;
    }
    return 0;
}

/* configs.IsIgnoredFile: editor and hidden files. */
static int is_ignored(const char *name)
{
    size_t n = strlen(name);

    return name[0] == '.' || (n > 0 && name[n - 1] == '~') ||
           (n > 1 && name[0] == '#' && name[n - 1] == '#');
}

static int read_stream(FILE *f, tern_buf *b)
{
    char chunk[65536];
    size_t n;

    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        tern_buf_put(b, chunk, n);
    if (ferror(f))
        return TERN_ERROR;
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

/* ---- A unified diff, as `diff -u` prints it ------------------------------ */

struct dline {
    const char *p;
    size_t len; /* without the newline */
    int nl;     /* ends with a newline */
};

static size_t split_lines(const char *s, size_t len, struct dline **out)
{
    size_t n = 0, i, start = 0;
    struct dline *v;

    for (i = 0; i < len; i++)
        if (s[i] == '\n')
            n++;
    v = tern_calloc(n + 2, sizeof(*v));
    *out = v;
    if (!v)
        return 0;
    n = 0;
    for (i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            if (i == len && i == start)
                break;
            v[n].p = s + start;
            v[n].len = i - start;
            v[n].nl = i < len;
            n++;
            start = i + 1;
        }
    }
    return n;
}

static int dline_eq(const struct dline *a, const struct dline *b)
{
    return a->len == b->len && a->nl == b->nl &&
           memcmp(a->p, b->p, a->len) == 0;
}

/* One diff line; GNU diff's marker for a last line without newline. */
static void put_dline(tern_buf *b, char mark, const struct dline *l)
{
    tern_buf_putc(b, mark);
    tern_buf_put(b, l->p, l->len);
    tern_buf_putc(b, '\n');
    if (!l->nl)
        tern_buf_puts(b, "\\ No newline at end of file\n");
}

static void put_range(tern_buf *b, size_t start, size_t count)
{
    /* diff -u: "start,count", "start" alone for one line, and an empty
     * range names the line before it. */
    if (count == 1)
        tern_buf_printf(b, "%zu", start + 1);
    else
        tern_buf_printf(b, "%zu,%zu", count ? start + 1 : start, count);
}

/* edit script ops: 0 keep, 1 delete (a), 2 insert (b) */
static int unified_diff(tern_buf *out, const char *path, const char *a,
                        size_t alen, const char *b, size_t blen)
{
    struct dline *la = NULL, *lb = NULL;
    size_t na = split_lines(a, alen, &la), nb = split_lines(b, blen, &lb);
    size_t pre = 0, suf = 0, ma, mb, i, j, nops = 0;
    unsigned *lcs = NULL;
    unsigned char *ops = NULL;
    size_t *oa = NULL, *ob = NULL;
    int error = TERN_OK;
    const size_t ctx = 3;

    TERN_CHECK_ALLOC(la);
    TERN_CHECK_ALLOC(lb);
    while (pre < na && pre < nb && dline_eq(&la[pre], &lb[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre &&
           dline_eq(&la[na - 1 - suf], &lb[nb - 1 - suf]))
        suf++;
    ma = na - pre - suf;
    mb = nb - pre - suf;
    lcs = tern_calloc((ma + 1) * (mb + 1), sizeof(*lcs));
    TERN_CHECK_ALLOC(lcs);
    for (i = ma; i-- > 0;)
        for (j = mb; j-- > 0;)
            lcs[i * (mb + 1) + j] =
                dline_eq(&la[pre + i], &lb[pre + j])
                    ? lcs[(i + 1) * (mb + 1) + j + 1] + 1
                : lcs[(i + 1) * (mb + 1) + j] > lcs[i * (mb + 1) + j + 1]
                    ? lcs[(i + 1) * (mb + 1) + j]
                    : lcs[i * (mb + 1) + j + 1];
    ops = tern_calloc(na + nb + 1, 1);
    oa = tern_calloc(na + nb + 1, sizeof(*oa));
    ob = tern_calloc(na + nb + 1, sizeof(*ob));
    TERN_CHECK_ALLOC(ops);
    TERN_CHECK_ALLOC(oa);
    TERN_CHECK_ALLOC(ob);
    for (i = 0; i < pre; i++, nops++)
        ops[nops] = 0, oa[nops] = i, ob[nops] = i;
    i = j = 0;
    while (i < ma || j < mb) {
        if (i < ma && j < mb && dline_eq(&la[pre + i], &lb[pre + j])) {
            ops[nops] = 0, oa[nops] = pre + i, ob[nops] = pre + j;
            i++, j++;
        } else if (j >= mb || (i < ma && lcs[(i + 1) * (mb + 1) + j] >=
                                             lcs[i * (mb + 1) + j + 1])) {
            ops[nops] = 1, oa[nops] = pre + i, ob[nops] = pre + j;
            i++;
        } else {
            ops[nops] = 2, oa[nops] = pre + i, ob[nops] = pre + j;
            j++;
        }
        nops++;
    }
    for (i = 0; i < suf; i++, nops++)
        ops[nops] = 0, oa[nops] = na - suf + i, ob[nops] = nb - suf + i;
    tern_buf_printf(out, "--- old/%s\n+++ new/%s\n", path, path);
    for (i = 0; i < nops;) {
        size_t hs, he, k, astart, bstart, acount = 0, bcount = 0;

        if (ops[i] == 0) {
            i++;
            continue;
        }
        /* A hunk: changes closer than 2 x context join. */
        hs = i > ctx ? i - ctx : 0;
        he = i;
        for (k = i; k < nops; k++) {
            if (ops[k] != 0) {
                he = k + 1;
            } else if (k - he >= 2 * ctx) {
                break;
            }
        }
        he = he + ctx < nops ? he + ctx : nops;
        astart = oa[hs];
        bstart = ob[hs];
        for (k = hs; k < he; k++) {
            acount += ops[k] != 2;
            bcount += ops[k] != 1;
        }
        tern_buf_puts(out, "@@ -");
        put_range(out, astart, acount);
        tern_buf_puts(out, " +");
        put_range(out, bstart, bcount);
        tern_buf_puts(out, " @@\n");
        for (k = hs; k < he; k++) {
            if (ops[k] == 0)
                put_dline(out, ' ', &la[oa[k]]);
            else if (ops[k] == 1)
                put_dline(out, '-', &la[oa[k]]);
            else
                put_dline(out, '+', &lb[ob[k]]);
        }
        i = he;
    }
    if (tern_buf_oom(out))
        error = TERN_ENOMEM;
done:
    tern_free(la);
    tern_free(lb);
    tern_free(lcs);
    tern_free(ops);
    tern_free(oa);
    tern_free(ob);
    return error;
}

/* ---- Files -----------------------------------------------------------------
 */

/* An error of fmt.go's own (fmt.Errorf): a summary and no detail,
 * @what followed by @path when there is one. */
static void fmt_error(struct fmt_run *r, const char *what, const char *path)
{
    char *msg =
        tern_asprintf("%s%s%s", what, path ? " " : "", path ? path : "");

    if (!msg || !tern_diags_add(&r->diags, TERN_SEV_ERROR, NULL, msg, "%s", ""))
        r->oom = 1;
    tern_free(msg);
}

/* fmt.go processFile. */
static void process_file(struct fmt_run *r, const char *path, FILE *in,
                         int is_stdin)
{
    tern_buf src = TERN_BUF_INIT, result = TERN_BUF_INIT;
    int error;

    (void)is_stdin;
    error = read_stream(in, &src);
    if (error == TERN_ENOMEM) {
        r->oom = 1;
        goto done;
    }
    if (error) {
        fmt_error(r, "Failed to read", path);
        goto done;
    }
    error = tern_lang_fmt(&r->srcs, path, src.ptr ? src.ptr : "", src.len,
                          &result, &r->diags);
    if (error == TERN_ENOMEM)
        r->oom = 1;
    if (error)
        goto done;
    if (src.len != result.len ||
        (src.len && memcmp(src.ptr, result.ptr, src.len) != 0)) {
        if (r->list)
            tern_buf_printf(&r->out, "%s\n", path);
        if (r->write) {
            FILE *f = fopen(path, "wb");

            if (!f || fwrite(result.ptr, 1, result.len, f) != result.len) {
                if (f)
                    fclose(f);
                fmt_error(r, "Failed to write", path);
                goto done;
            }
            if (fclose(f) != 0) {
                fmt_error(r, "Failed to write", path);
                goto done;
            }
        }
        if (r->diff &&
            unified_diff(&r->out, path, src.ptr ? src.ptr : "", src.len,
                         result.ptr ? result.ptr : "", result.len) != TERN_OK)
            r->oom = 1;
    }
    if (!r->list && !r->write && !r->diff && result.len)
        tern_buf_put(&r->out, result.ptr, result.len);
done:
    tern_buf_release(&src);
    tern_buf_release(&result);
}

static void process_path_file(struct fmt_run *r, const char *path)
{
    FILE *f = fopen(path, "rb");

    if (!f) {
        fmt_error(r, "Failed to read file", path);
        return;
    }
    process_file(r, path, f, 0);
    fclose(f);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* filepath.Join(dir, name) for the paths fmt prints. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);

    if (strcmp(dir, ".") == 0)
        return tern_strdup(name);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return tern_asprintf("%.*s/%s", (int)n, dir, name);
}

/* fmt.go processDir. */
static void process_dir(struct fmt_run *r, const char *path, int recursive)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, alloc = 0, i;

    if (!d) {
        fmt_error(r,
                  errno == ENOENT ? "There is no configuration directory at"
                                  : "Cannot read directory",
                  path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (is_ignored(e->d_name))
            continue;
        if (TERN_VEC_RESERVE(names, alloc, n + 1) != TERN_OK) {
            r->oom = 1;
            break;
        }
        names[n] = tern_strdup(e->d_name);
        if (!names[n]) {
            r->oom = 1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), name_cmp);
    for (i = 0; i < n && !r->oom; i++) {
        char *sub = join(path, names[i]);
        struct stat st;

        if (!sub) {
            r->oom = 1;
            break;
        }
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (recursive)
                process_dir(r, sub, recursive);
        } else if (has_ext(names[i])) {
            process_path_file(r, sub);
        }
        tern_free(sub);
    }
    for (i = 0; i < n; i++)
        tern_free(names[i]);
    tern_free(names);
}

/* What fmt.go writes through the UI: a chunk gets a final newline. */
static void ui_write(FILE *f, const tern_buf *b)
{
    if (b->len == 0)
        return;
    fwrite(b->ptr, 1, b->len, f);
    if (b->ptr[b->len - 1] != '\n')
        fputc('\n', f);
}

int cli_cmd_fmt(struct cli_ctx *ctx)
{
    struct fmt_run r;
    const struct cli_opts *o = &ctx->opts;
    int list_flag, status = 0;
    size_t i;

    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.list = o->list;
    r.write = o->write;
    r.diff = o->diff;
    r.check = o->check;
    if (o->args.n > 0 && strcmp(o->args.items[0], "-") == 0) {
        r.list = 0;
        r.write = 0;
    }
    list_flag = r.list;
    if (r.check) {
        r.list = 1;
        r.write = 0;
    }
    if (o->args.n > 0 && strcmp(o->args.items[0], "-") == 0) {
        process_file(&r, "<stdin>", stdin, 1);
    } else {
        for (i = 0; i < (o->args.n ? o->args.n : 1) && !r.oom; i++) {
            const char *path = o->args.n ? o->args.items[i] : ".";
            struct stat st;

            if (stat(path, &st) != 0) {
                fmt_error(&r, "No file or directory at", path);
                break;
            }
            if (S_ISDIR(st.st_mode))
                process_dir(&r, path, o->recursive);
            else if (has_ext(path))
                process_path_file(&r, path);
            else
                fmt_error(&r,
                          "Only .tf, .tfvars, and .tftest.hcl files can be "
                          "processed with tern fmt",
                          NULL);
        }
    }
    if (!r.check)
        ui_write(stdout, &r.out);
    cli_ui_diags(&ctx->ui, &r.diags, &r.srcs);
    if (r.oom) {
        status = TERN_ENOMEM;
    } else if (r.diags.errors > 0) {
        status = CLI_RC_STATUS(2);
    } else if (r.check) {
        if (list_flag)
            ui_write(stdout, &r.out);
        status = r.out.len == 0 ? TERN_OK : CLI_RC_STATUS(3);
    }
    tern_buf_release(&r.out);
    tern_diags_release(&r.diags);
    tern_lang_sources_free(&r.srcs);
    return status;
}
