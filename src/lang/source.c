/*
 * The files of a run and what reads them back: the arena their trees live
 * in, diagnostics rendering with the source line, and "did you mean".
 */
#include "lang/lang_int.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <stdio.h>
#include <string.h>

struct tern_arena_chunk {
    struct tern_arena_chunk *next;
    size_t used, size;
    /* Doubles align the payload for any of our node types. */
    double data[];
};

#define CHUNK_SIZE (64 * 1024 - sizeof(struct tern_arena_chunk))

struct tern_arena *tern__arena_new(void)
{
    return tern_calloc(1, sizeof(struct tern_arena));
}

void tern__arena_free(struct tern_arena *a)
{
    struct tern_arena_chunk *c, *nc;
    size_t i;

    if (!a)
        return;
    for (c = a->head; c; c = nc) {
        nc = c->next;
        tern_free(c);
    }
    for (i = 0; i < a->nvalues; i++)
        tern_value_decref(a->values[i]);
    tern_free(a->values);
    tern_free(a);
}

void *tern__arena_alloc(struct tern_arena *a, size_t size)
{
    struct tern_arena_chunk *c = a->head;
    void *p;

    size = (size + 15) & ~(size_t)15;
    if (!c || c->size - c->used < size) {
        size_t want = size > CHUNK_SIZE ? size : CHUNK_SIZE;

        c = tern_malloc(sizeof(*c) + want);
        if (!c)
            return NULL;
        c->size = want;
        c->used = 0;
        if (a->head && size > CHUNK_SIZE) {
            /* A big block: keep filling the current chunk after it. */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *tern__arena_strndup(struct tern_arena *a, const char *s, size_t n)
{
    char *p = tern__arena_alloc(a, n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

tern_value *tern__arena_value(struct tern_arena *a, tern_value *v)
{
    if (!v)
        return NULL;
    if (TERN_VEC_RESERVE(a->values, a->avalues, a->nvalues + 1) != TERN_OK) {
        tern_value_decref(v);
        return NULL;
    }
    a->values[a->nvalues++] = v;
    return v;
}

struct tern_lang_file *tern__sources_add(struct tern_lang_sources *srcs,
                                         const char *name, const char *text,
                                         size_t len, int is_json)
{
    struct tern_lang_file *f = tern_calloc(1, sizeof(*f));
    struct tern_lang_file **files;

    if (!f)
        return NULL;
    f->name = tern_strdup(name);
    f->src = tern_malloc(len + 1);
    f->arena = tern__arena_new();
    files = tern_realloc(srcs->files, (srcs->n + 1) * sizeof(*files));
    if (!f->name || !f->src || !f->arena || !files) {
        if (files)
            srcs->files = files;
        tern_free(f->name);
        tern_free(f->src);
        tern__arena_free(f->arena);
        tern_free(f);
        return NULL;
    }
    memcpy(f->src, text, len);
    f->src[len] = '\0';
    f->len = len;
    f->is_json = is_json;
    srcs->files = files;
    srcs->files[srcs->n++] = f;
    return f;
}

void tern_lang_sources_free(struct tern_lang_sources *srcs)
{
    size_t i;

    for (i = 0; i < srcs->n; i++) {
        tern_free(srcs->files[i]->name);
        tern_free(srcs->files[i]->src);
        tern__arena_free(srcs->files[i]->arena);
        tern_free(srcs->files[i]);
    }
    tern_free(srcs->files);
    srcs->files = NULL;
    srcs->n = 0;
}

size_t tern__utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n, i;
    unsigned long cp;

    if (len == 0)
        return 0;
    if (u[0] < 0x80)
        return 1;
    if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        n = 2;
        cp = u[0] & 0x1F;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        n = 3;
        cp = u[0] & 0x0F;
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        n = 4;
        cp = u[0] & 0x07;
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong) or F5..FF */
    }
    if (n > len)
        return 0;
    for (i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    /* Overlong forms, UTF-16 surrogates and beyond U+10FFFF. */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return n;
}

size_t tern__utf8_next(const char *s, size_t len)
{
    size_t n;

    if (len == 0)
        return 0;
    n = tern__utf8_valid(s, len);
    /* A byte that is not part of a character counts as one by itself. */
    return n ? n : 1;
}

int tern__check_utf8(const struct tern_lang_file *f, struct tern_diags *diags)
{
    struct tern_range r;
    size_t i = 0, n;
    unsigned line = 1, col = 1;

    while (i < f->len && (n = tern__utf8_valid(f->src + i, f->len - i)) != 0) {
        if (f->src[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += n;
    }
    if (i >= f->len)
        return TERN_OK;
    memset(&r, 0, sizeof(r));
    r.file = f->name;
    r.start.line = r.end.line = line;
    r.start.column = col;
    r.start.byte = i;
    /* Underline the whole run of bad bytes, one column each. */
    for (n = i; n < f->len && !tern__utf8_valid(f->src + n, f->len - n); n++)
        ;
    r.end.column = col + (unsigned)(n - i);
    r.end.byte = n;
    if (!tern_diags_add(diags, TERN_SEV_ERROR, &r, "Invalid character encoding",
                        "Byte 0x%02x here is not valid UTF-8. All input "
                        "files must be UTF-8 encoded. Ensure that UTF-8 "
                        "encoding is selected in your editor.",
                        (unsigned char)f->src[i]))
        return TERN_ENOMEM;
    return TERN_ERROR;
}

static const struct tern_lang_file *
find_file(const struct tern_lang_sources *srcs, const char *name)
{
    size_t i;

    if (!srcs || !name)
        return NULL;
    /* Ranges borrow the file's own name pointer: compare that first. */
    for (i = 0; i < srcs->n; i++)
        if (srcs->files[i]->name == name)
            return srcs->files[i];
    for (i = 0; i < srcs->n; i++)
        if (strcmp(srcs->files[i]->name, name) == 0)
            return srcs->files[i];
    return NULL;
}

int tern_lang_diag_context(tern_buf *out, const struct tern_lang_sources *srcs,
                           const char *file, size_t byte)
{
    const struct tern_lang_file *f = find_file(srcs, file);
    size_t i, j;

    if (!f || !f->body)
        return 0;
    for (i = 0; i < f->body->nblocks; i++) {
        const struct tern_block *b = f->body->blocks[i];

        if (byte >= b->range.start.byte && byte < b->range.end.byte) {
            tern_buf_puts(out, b->type);
            for (j = 0; j < b->nlabels; j++)
                tern_buf_printf(out, " \"%s\"", b->labels[j]);
            return 1;
        }
    }
    return 0;
}

const char *tern_lang_source_text(const struct tern_lang_sources *srcs,
                                  const char *file, size_t *len)
{
    const struct tern_lang_file *f = find_file(srcs, file);

    if (!f)
        return NULL;
    *len = f->len;
    return f->src;
}

/* The top-level block containing a byte offset: "resource "a" "b"". */
static void put_context(tern_buf *out, const struct tern_lang_file *f,
                        size_t byte)
{
    struct tern_lang_sources one;
    struct tern_lang_file *files[1];
    tern_buf ctx = TERN_BUF_INIT;

    files[0] = (struct tern_lang_file *)f;
    one.files = files;
    one.n = 1;
    if (tern_lang_diag_context(&ctx, &one, f->name, byte))
        tern_buf_printf(out, ", in %s", tern_buf_cstr(&ctx));
    if (tern_buf_oom(&ctx))
        out->oom = 1;
    tern_buf_release(&ctx);
}

static void render_one(tern_buf *out, const struct tern_diag *d,
                       const struct tern_lang_sources *srcs)
{
    const struct tern_lang_file *f =
        d->has_range ? find_file(srcs, d->range.file) : NULL;

    tern_buf_printf(out, "%s: %s\n",
                    d->severity == TERN_SEV_ERROR ? "Error" : "Warning",
                    d->summary);
    if (d->has_range && d->range.file) {
        tern_buf_printf(out, "\n  on %s line %u", d->range.file,
                        d->range.start.line);
        if (f)
            put_context(out, f, d->range.start.byte);
        tern_buf_puts(out, ":\n");
    }
    if (f && d->range.start.byte <= f->len) {
        /* The line of the range's start, and the range underlined. */
        size_t bol = d->range.start.byte, eol = d->range.start.byte;
        size_t i, n, col = 0, ucol_start = 0, ucol_end = 0;
        size_t end = d->range.end.byte;
        char num[32];
        int width;

        while (bol > 0 && f->src[bol - 1] != '\n')
            bol--;
        while (eol < f->len && f->src[eol] != '\n' && f->src[eol] != '\r')
            eol++;
        if (end < d->range.start.byte || end > eol)
            end = eol;
        width = snprintf(num, sizeof(num), "%4u: ", d->range.start.line);
        tern_buf_puts(out, num);
        /* Bytes that are not UTF-8 print as U+FFFD, one column each, so
         * that a terminal shows them and the carets stay in line. */
        for (i = bol; i < eol; i += n) {
            n = tern__utf8_valid(f->src + i, eol - i);
            if (n) {
                tern_buf_put(out, f->src + i, n);
            } else {
                tern_buf_puts(out, "\xEF\xBF\xBD");
                n = 1;
            }
        }
        tern_buf_putc(out, '\n');
        /* Columns in characters, so the carets line up under UTF-8. */
        for (i = bol; i <= eol; i += tern__utf8_next(f->src + i, f->len - i)) {
            if (i == d->range.start.byte)
                ucol_start = col;
            if (i == end)
                ucol_end = col;
            if (i >= eol)
                break;
            col++;
        }
        if (ucol_end <= ucol_start)
            ucol_end = ucol_start + 1;
        tern_buf_printf(out, "%*s", (int)(width + (int)ucol_start), "");
        for (i = ucol_start; i < ucol_end; i++)
            tern_buf_putc(out, '^');
        tern_buf_putc(out, '\n');
    }
    if (d->detail && *d->detail)
        tern_buf_printf(out, "\n%s\n", d->detail);
}

static int pos_before(const struct tern_diag *a, const struct tern_diag *b)
{
    if (!a->has_range || !b->has_range)
        return a->has_range && !b->has_range;
    if (a->range.file != b->range.file)
        return 0;
    if (a->range.start.line != b->range.start.line)
        return a->range.start.line < b->range.start.line;
    return a->range.start.column < b->range.start.column;
}

void tern__diags_sort(struct tern_diags *diags, size_t from)
{
    size_t i, j;

    /* Insertion sort: stable, and the lists are short. */
    for (i = from + 1; i < diags->count; i++) {
        struct tern_diag d = diags->items[i];

        for (j = i; j > from && pos_before(&d, &diags->items[j - 1]); j--)
            diags->items[j] = diags->items[j - 1];
        diags->items[j] = d;
    }
}

int tern_lang_diags_render(tern_buf *out, const struct tern_diags *diags,
                           const struct tern_lang_sources *srcs)
{
    size_t i;

    for (i = 0; i < diags->count; i++) {
        if (i > 0)
            tern_buf_putc(out, '\n');
        render_one(out, &diags->items[i], srcs);
    }
    return tern_buf_oom(out) ? TERN_ENOMEM : TERN_OK;
}

size_t tern_lang_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[64], *r = row;
    size_t result;

    if (lb + 1 > sizeof(row) / sizeof(row[0])) {
        r = tern_malloc((lb + 1) * sizeof(*r));
        if (!r)
            return (size_t)-1;
    }
    for (j = 0; j <= lb; j++)
        r[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = r[0];

        r[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = r[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best)
                best = up + 1;
            if (r[j - 1] + 1 < best)
                best = r[j - 1] + 1;
            diag = up;
            r[j] = best;
        }
    }
    result = r[lb];
    if (r != row)
        tern_free(r);
    return result;
}

const char *tern_lang_suggest(const char *given, const char *const *cands,
                              size_t n)
{
    const char *best = NULL;
    size_t best_d = 3, i;

    for (i = 0; i < n; i++) {
        size_t d = tern_lang_edit_distance(given, cands[i]);

        if (d < best_d) {
            best = cands[i];
            best_d = d;
        }
    }
    return best;
}
