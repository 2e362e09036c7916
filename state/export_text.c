/*
 * The current state's Terraform v4 document as text, for the S3 backend's
 * pushes (tern_state_export_text): byte for byte what
 * json_dumps(JSON_INDENT(2) | JSON_PRESERVE_ORDER) makes of
 * tern_state_export(-1)'s tree, without building that tree.
 *
 * The text is written piece by piece: each piece (an instance, a
 * resource's header, the outputs, the check results, the extension) is
 * dumped by Jansson on its own and indented for its depth in the document
 * by adding spaces after every newline (a newline inside a JSON string is
 * always escaped, so each one in the dump starts a line). An instance's
 * text is kept in a cache keyed by its stored row, every column as read
 * from SQLite: the next export serializes only the rows that changed,
 * where tern_state_export() parses and dumps every one each time.
 */
#include "state_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tfjson.h"
#include "util/alloc.h"
#include "util/json.h"

/* Where an instance sits: doc > resources[] > resource > instances[]. */
#define INSTANCE_INDENT 8
#define RESOURCE_INDENT 4
#define MEMBER_INDENT   2

struct text_entry {
    uint64_t hash;
    char *row; /* every column of the row, length-prefixed */
    size_t row_len;
    char *text; /* the instance, indented for INSTANCE_INDENT */
    size_t text_len;
    unsigned gen; /* the export that last used it */
};

struct tern_state_text_cache {
    struct text_entry **slots; /* open addressing; size a power of two */
    size_t size, count;
    unsigned gen;
};

tern_state_text_cache *tern_state_text_cache_new(void)
{
    return tern_calloc(1, sizeof(tern_state_text_cache));
}

static void entry_free(struct text_entry *e)
{
    if (e) {
        tern_free(e->row);
        tern_free(e->text);
        tern_free(e);
    }
}

void tern_state_text_cache_free(tern_state_text_cache *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->size; i++)
        entry_free(c->slots[i]);
    tern_free(c->slots);
    tern_free(c);
}

/* FNV-1a over 8-byte words: what changed is found by comparing. */
static uint64_t hash_more(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t word;

    for (; n >= 8; n -= 8, p += 8) {
        memcpy(&word, p, 8);
        h = (h ^ word) * 1099511628211ULL;
        h ^= h >> 29;
    }
    for (; n > 0; n--, p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* A row as SQLite hands it out: each column's text and length (-1: NULL;
 * an integer column as its decimal text). */
struct cols {
    const char *p[TERN__STATE_RESOURCE_NCOLS];
    long long n[TERN__STATE_RESOURCE_NCOLS];
};

static void read_cols(struct cols *c, sqlite3_stmt *s)
{
    int i;

    for (i = 0; i < TERN__STATE_RESOURCE_NCOLS; i++) {
        c->p[i] = (const char *)sqlite3_column_text(s, i);
        c->n[i] = c->p[i] ? (long long)sqlite3_column_bytes(s, i) : -1;
    }
}

static uint64_t hash_cols(const struct cols *c, int from, int to)
{
    uint64_t h = 14695981039346656037ULL;
    int i;

    for (i = from; i < to; i++) {
        h = hash_more(h, &c->n[i], sizeof(c->n[i]));
        if (c->p[i])
            h = hash_more(h, c->p[i], (size_t)c->n[i]);
    }
    return h;
}

/* The columns serialized: each as its length and its bytes. */
static void put_cols(tern_buf *b, const struct cols *c, int from, int to)
{
    int i;

    for (i = from; i < to; i++) {
        tern_buf_put(b, &c->n[i], sizeof(c->n[i]));
        if (c->p[i])
            tern_buf_put(b, c->p[i], (size_t)c->n[i]);
    }
}

/* Are the columns what put_cols() wrote into row? */
static int same_cols(const char *row, size_t len, const struct cols *c,
                     int from, int to)
{
    const char *end = row + len;
    long long n;
    int i;

    for (i = from; i < to; i++) {
        if ((size_t)(end - row) < sizeof(n))
            return 0;
        memcpy(&n, row, sizeof(n));
        row += sizeof(n);
        if (n != c->n[i] || (n > 0 && ((size_t)(end - row) < (size_t)n ||
                                       memcmp(row, c->p[i], (size_t)n) != 0)))
            return 0;
        if (n > 0)
            row += n;
    }
    return row == end;
}

/* The cached entry of a row, or the empty slot for it. */
static struct text_entry **find_slot(struct text_entry **slots, size_t size,
                                     uint64_t hash, const struct cols *c)
{
    size_t i = (size_t)hash & (size - 1);

    while (slots[i] && (slots[i]->hash != hash ||
                        !same_cols(slots[i]->row, slots[i]->row_len, c, 0,
                                   TERN__STATE_RESOURCE_NCOLS)))
        i = (i + 1) & (size - 1);
    return &slots[i];
}

/* An empty slot for an entry (entries are distinct rows). */
static struct text_entry **free_slot(struct text_entry **slots, size_t size,
                                     uint64_t hash)
{
    size_t i = (size_t)hash & (size - 1);

    while (slots[i])
        i = (i + 1) & (size - 1);
    return &slots[i];
}

/* Room for one more entry in @p slots (size *size, *count used). */
static int reserve(struct text_entry ***slots, size_t *size, size_t count)
{
    struct text_entry **grown;
    size_t n = *size ? *size : 64, i;

    if ((count + 1) * 2 <= *size)
        return TERN_OK;
    while ((count + 1) * 2 > n)
        n *= 2;
    grown = tern_calloc(n, sizeof(*grown));
    if (!grown)
        return TERN_ENOMEM;
    for (i = 0; i < *size; i++)
        if ((*slots)[i])
            *free_slot(grown, n, (*slots)[i]->hash) = (*slots)[i];
    tern_free(*slots);
    *slots = grown;
    *size = n;
    return TERN_OK;
}

/* Append @p n bytes of @p text, @p spaces more spaces after each newline. */
static void put_indented(tern_buf *b, const char *text, size_t n, int spaces)
{
    static const char sp[] = "                ";
    const char *p = text, *end = text + n, *nl;

    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        tern_buf_put(b, p, (size_t)(nl + 1 - p));
        tern_buf_put(b, sp, (size_t)spaces);
        p = nl + 1;
    }
    tern_buf_put(b, p, (size_t)(end - p));
}

/* Append Jansson's indented dump of @p v at @p spaces of indentation. */
static int put_dump(tern_buf *b, const json_t *v, int spaces)
{
    char *t = tern_json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                     JSON_ENCODE_ANY);

    if (!t)
        return TERN_ENOMEM;
    put_indented(b, t, strlen(t), spaces);
    free(t); /* allocated by jansson */
    return TERN_OK;
}

struct walk {
    tern_state *st;
    tern_state_text_cache *cache;
    struct text_entry **slots; /* this export's table */
    size_t size, count;
    tern_buf *out;
    struct cols cols; /* the current row */
    tern_buf prev;    /* the previous row's module, mode, type, name */
    tern_buf scratch;
    size_t rows;
    struct tern_diags *diags;
};

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : dflt;
}

static int put_header(tern_buf *b, const json_t *r)
{
    json_t *res = json_object();
    const json_t *key = json_object_get(r, "index_key");
    const char *module = str_or(r, "module", "");
    char *prov = NULL, *t, *end;
    int oom = 0;

    if (*module)
        tern_json_set(&oom, res, "module", json_string(module));
    tern_json_set(&oom, res, "mode", json_string(str_or(r, "mode", "managed")));
    tern_json_set(&oom, res, "type", json_string(str_or(r, "type", "")));
    tern_json_set(&oom, res, "name", json_string(str_or(r, "name", "")));
    if (json_is_integer(key))
        tern_json_set(&oom, res, "each", json_string("list"));
    else if (json_is_string(key))
        tern_json_set(&oom, res, "each", json_string("map"));
    if (json_object_get(r, "provider") == NULL) {
        prov = tern__state_default_provider(str_or(r, "type", ""));
        oom |= !prov;
    }
    tern_json_set(&oom, res, "provider",
                  json_string(prov ? prov : str_or(r, "provider", "")));
    tern_free(prov);
    res = tern_json_done(oom, res);
    t = res ? tern_json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(res);
    if (!t)
        return TERN_ENOMEM;
    end = strrchr(t, '\n'); /* before the closing brace */
    put_indented(b, t, end ? (size_t)(end - t) : strlen(t), RESOURCE_INDENT);
    tern_buf_puts(b, ",\n      \"instances\": [\n        ");
    free(t); /* allocated by jansson */
    return TERN_OK;
}

/* ---- The stored texts, indented without parsing them ------------------
 *
 * A row's JSON columns were written by Jansson, compactly
 * (tern__state_json_dump). For the subset of such texts whose indented
 * dump is known without parsing them (ASCII strings with the escapes
 * Jansson writes, integers, true, false, null, objects and arrays, nesting
 * under MAX_DEPTH), the indented text is the compact one with newlines and
 * spaces added, exactly as json_dumps(JSON_INDENT(2)) places them. Any
 * other text (a real number, a byte over 0x7F, an escape Jansson does not
 * write, anything malformed) gives -1, and the instance is made by
 * parsing and dumping it instead (make_entry), so what is written, and
 * what is refused, stay Jansson's.
 */
#define MAX_DEPTH 64

static void put_spaces(tern_buf *b, int n)
{
    static const char sp[] = "                                ";

    while (n > 0) {
        int k = n < (int)sizeof(sp) - 1 ? n : (int)sizeof(sp) - 1;

        tern_buf_put(b, sp, (size_t)k);
        n -= k;
    }
}

static int upper_hex(int c)
{
    return (c >= '0' && c <= '9')   ? c - '0'
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                    : -1;
}

/* A string as Jansson writes it: copied. */
static int copy_string(tern_buf *b, const char **pp)
{
    const char *s = *pp, *p = s + 1;

    if (*s != '"')
        return -1;
    for (;;) {
        unsigned char c = (unsigned char)*p;

        if (c == '"')
            break;
        if (c < 0x20 || c >= 0x80)
            return -1;
        if (c != '\\') {
            p++;
            continue;
        }
        c = (unsigned char)p[1];
        if (c == '"' || c == '\\' || c == 'b' || c == 'f' || c == 'n' ||
            c == 'r' || c == 't') {
            p += 2;
        } else if (c == 'u' && p[2] == '0' && p[3] == '0' &&
                   (p[4] == '0' || p[4] == '1') && upper_hex(p[5]) >= 0) {
            int v = (p[4] - '0') * 16 + upper_hex(p[5]);

            /* Jansson writes these as \b \f \n \r \t; NUL it refuses. */
            if (v == 0 || v == 8 || v == 9 || v == 10 || v == 12 || v == 13)
                return -1;
            p += 6;
        } else {
            return -1;
        }
    }
    p++;
    tern_buf_put(b, s, (size_t)(p - s));
    *pp = p;
    return 0;
}

/* An integer as Jansson writes it ("%lld"), not a real: copied. */
static int copy_number(tern_buf *b, const char **pp)
{
    const char *s = *pp, *p = s, *digits;

    if (*p == '-')
        p++;
    digits = p;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == digits || p - digits > 18 || (*digits == '0' && p - digits > 1) ||
        (*digits == '0' && digits != s) || *p == '.' || *p == 'e' || *p == 'E')
        return -1;
    tern_buf_put(b, s, (size_t)(p - s));
    *pp = p;
    return 0;
}

static int indent_value(tern_buf *b, const char **pp, int indent, int depth,
                        const char *id);

/*
 * An object or array at @p indent. With @p id (the top level of the
 * attributes), an object without an "id" member gets one last, as
 * tern__state_export_instance() adds it: @p id is already JSON.
 */
static int indent_container(tern_buf *b, const char **pp, int indent, int depth,
                            const char *id)
{
    const char *p = *pp;
    char open = *p, close = open == '{' ? '}' : ']';
    int has_id = 0;

    if (depth >= MAX_DEPTH)
        return -1;
    p++;
    tern_buf_putc(b, open);
    if (*p == close && !(id && open == '{')) {
        tern_buf_putc(b, close);
        *pp = p + 1;
        return 0;
    }
    while (*p != close) {
        tern_buf_putc(b, '\n');
        put_spaces(b, indent + 2);
        if (open == '{') {
            if (p[0] == '"' && p[1] == 'i' && p[2] == 'd' && p[3] == '"')
                has_id = 1;
            if (copy_string(b, &p) != 0 || *p != ':')
                return -1;
            p++;
            tern_buf_put(b, ": ", 2);
        }
        if (indent_value(b, &p, indent + 2, depth + 1, NULL) != 0)
            return -1;
        if (*p == ',' && p[1] != close) {
            p++;
            tern_buf_putc(b, ',');
        } else if (*p != close) {
            return -1;
        }
    }
    if (id && open == '{' && !has_id) {
        if (p[-1] != '{')
            tern_buf_putc(b, ',');
        tern_buf_putc(b, '\n');
        put_spaces(b, indent + 2);
        tern_buf_puts(b, "\"id\": ");
        tern_buf_puts(b, id);
    }
    tern_buf_putc(b, '\n');
    put_spaces(b, indent);
    tern_buf_putc(b, close);
    *pp = p + 1;
    return 0;
}

static int indent_value(tern_buf *b, const char **pp, int indent, int depth,
                        const char *id)
{
    const char *p = *pp;

    switch (*p) {
    case '{':
    case '[':
        return indent_container(b, pp, indent, depth, id);
    case '"':
        return copy_string(b, pp);
    case 't':
    case 'f':
    case 'n': {
        static const char *const words[] = {"true", "false", "null"};
        size_t i;

        for (i = 0; i < 3; i++)
            if (strncmp(p, words[i], strlen(words[i])) == 0) {
                tern_buf_puts(b, words[i]);
                *pp = p + strlen(words[i]);
                return 0;
            }
        return -1;
    }
    default:
        return copy_number(b, pp);
    }
}

/* A whole stored text (a column) at @p indent; nothing may follow. */
static int indent_text(tern_buf *b, const char *text, int indent,
                       const char *id)
{
    const char *p = text;

    if (!p || indent_value(b, &p, indent, 0, id) != 0 || *p != '\0')
        return -1;
    return 0;
}

/* An integer as Jansson's "%lld" writes it, without printf's cost. */
static void put_int(tern_buf *b, long long v)
{
    char d[24], *p = d + sizeof(d);
    unsigned long long u =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    tern_buf_put(b, p, (size_t)(d + sizeof(d) - p));
}

/* A raw string as Jansson escapes it, into @p b; -1 beyond ASCII. */
static int put_escaped(tern_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;

    tern_buf_putc(b, '"');
    for (; *p; p++) {
        const char *e = NULL;

        if (*p >= 0x80)
            return -1;
        switch (*p) {
        case '"':
            e = "\\\"";
            break;
        case '\\':
            e = "\\\\";
            break;
        case '\b':
            e = "\\b";
            break;
        case '\f':
            e = "\\f";
            break;
        case '\n':
            e = "\\n";
            break;
        case '\r':
            e = "\\r";
            break;
        case '\t':
            e = "\\t";
            break;
        default:
            break;
        }
        if (e) {
            tern_buf_puts(b, e);
        } else if (*p < 0x20) {
            tern_buf_puts(b, "\\u00");
            tern_buf_putc(b, hex[*p >> 4]);
            tern_buf_putc(b, hex[*p & 15]);
        } else {
            tern_buf_putc(b, (char)*p);
        }
    }
    tern_buf_putc(b, '"');
    return 0;
}

/*
 * The instance of the row as tern__state_export_instance() builds it and
 * json_dumps() writes it at INSTANCE_INDENT, from the stored texts; -1
 * when a column is outside the subset above (or missing: the parse
 * reports that).
 */
static int fast_instance(tern_buf *t, tern_buf *scratch, sqlite3_stmt *s,
                         const char *const *col)
{
    const int in = INSTANCE_INDENT + 2;
    int kind = sqlite3_column_int(s, 4);
    const char *status = col[12], *id = col[8], *deps = col[11];

    if (!col[0] || !col[2] || !col[3] || !col[7] || !status || !deps)
        return -1;
    tern_buf_clear(scratch);
    if (id && put_escaped(scratch, id) != 0)
        return -1;
    tern_buf_puts(t, "{\n");
    if (kind == TERN_STATE_KEY_INT || kind == TERN_STATE_KEY_STRING) {
        put_spaces(t, in);
        tern_buf_puts(t, "\"index_key\": ");
        if (kind == TERN_STATE_KEY_INT)
            put_int(t, (long long)sqlite3_column_int64(s, 5));
        else if (put_escaped(t, col[6] ? col[6] : "") != 0)
            return -1;
        tern_buf_puts(t, ",\n");
    }
    if (strcmp(status, "tainted") == 0) {
        put_spaces(t, in);
        tern_buf_puts(t, "\"status\": \"tainted\",\n");
    }
    put_spaces(t, in);
    tern_buf_puts(t, "\"schema_version\": ");
    put_int(t, (long long)sqlite3_column_int64(s, 14));
    tern_buf_puts(t, ",\n");
    put_spaces(t, in);
    tern_buf_puts(t, "\"attributes\": ");
    if (!col[9] || col[9][0] != '{' ||
        indent_text(t, col[9], in, id ? scratch->ptr : NULL) != 0)
        return -1;
    tern_buf_puts(t, ",\n");
    put_spaces(t, in);
    tern_buf_puts(t, "\"sensitive_attributes\": ");
    if (indent_text(t, col[10], in, NULL) != 0 || deps[0] != '[')
        return -1;
    if (strcmp(deps, "[]") != 0) {
        tern_buf_puts(t, ",\n");
        put_spaces(t, in);
        tern_buf_puts(t, "\"dependencies\": ");
        if (indent_text(t, deps, in, NULL) != 0)
            return -1;
    }
    if (sqlite3_column_int(s, 13)) {
        tern_buf_puts(t, ",\n");
        put_spaces(t, in);
        tern_buf_puts(t, "\"create_before_destroy\": true");
    }
    tern_buf_putc(t, '\n');
    put_spaces(t, INSTANCE_INDENT);
    tern_buf_putc(t, '}');
    return 0;
}

/* A cache miss: the instance as tern_state_export() builds it. */
static int make_entry(struct walk *w, sqlite3_stmt *s, struct text_entry *e)
{
    tern_state_resource r;
    json_t *j = NULL, *inst = NULL;
    tern_buf t = TERN_BUF_INIT;
    int error;

    if (fast_instance(&t, &w->scratch, s, w->cols.p) == 0 &&
        !tern_buf_oom(&t)) {
        e->text_len = t.len;
        e->text = tern_buf_detach(&t);
        return TERN_OK;
    }
    tern_buf_release(&t);
    if ((error = tern__state_resource_from_row(w->st, &r, s, w->diags)) != 0)
        return error;
    j = tern__state_resource_to_json(&r);
    tern__state_resource_release(&r);
    inst = j ? tern__state_export_instance(j) : NULL;
    if (!inst)
        error = TERN_ENOMEM;
    else
        error = put_dump(&t, inst, INSTANCE_INDENT);
    if (!error && tern_buf_oom(&t))
        error = TERN_ENOMEM;
    if (!error) {
        e->text_len = t.len;
        e->text = tern_buf_detach(&t);
    }
    tern_buf_release(&t);
    json_decref(inst);
    json_decref(j);
    return error;
}

/* Does the row start another resource than the one before? */
static int new_resource(struct walk *w)
{
    if (w->rows > 0 && same_cols(w->prev.ptr, w->prev.len, &w->cols, 0, 4))
        return 0;
    tern_buf_clear(&w->prev);
    put_cols(&w->prev, &w->cols, 0, 4);
    return 1;
}

static int on_row(void *ud, sqlite3_stmt *s)
{
    struct walk *w = ud;
    tern_state_text_cache *c = w->cache;
    struct text_entry *e = NULL;
    uint64_t hash;
    int error, first, fresh = 0;

    read_cols(&w->cols, s);
    first = new_resource(w);
    if (tern_buf_oom(&w->prev))
        return TERN_ENOMEM;
    hash = hash_cols(&w->cols, 0, TERN__STATE_RESOURCE_NCOLS);
    if (c->size)
        e = *find_slot(c->slots, c->size, hash, &w->cols);
    if (!e) {
        tern_buf row = TERN_BUF_INIT;

        e = tern_calloc(1, sizeof(*e));
        if (!e)
            return TERN_ENOMEM;
        fresh = 1;
        e->hash = hash;
        put_cols(&row, &w->cols, 0, TERN__STATE_RESOURCE_NCOLS);
        e->row_len = row.len;
        e->row = tern_buf_detach(&row);
        error = e->row ? make_entry(w, s, e) : TERN_ENOMEM;
        if (error) {
            entry_free(e);
            return error;
        }
    }
    if ((error = reserve(&w->slots, &w->size, w->count)) != 0) {
        if (fresh)
            entry_free(e);
        return error;
    }
    e->gen = c->gen;
    *free_slot(w->slots, w->size, hash) = e;
    w->count++;
    if (first) {
        json_t *j;
        tern_state_resource r;

        if (w->rows > 0)
            tern_buf_puts(w->out, "\n      ]\n    },\n    ");
        if ((error = tern__state_resource_from_row(w->st, &r, s, w->diags)))
            return error;
        j = tern__state_resource_to_json(&r);
        tern__state_resource_release(&r);
        error = j ? put_header(w->out, j) : TERN_ENOMEM;
        json_decref(j);
        if (error)
            return error;
    } else {
        tern_buf_puts(w->out, ",\n        ");
    }
    tern_buf_put(w->out, e->text, e->text_len);
    w->rows++;
    return TERN_OK;
}

/* Drop what this export did not use and keep its table; on failure, drop
 * everything (the next export starts cold). */
static void settle(struct walk *w, int failed)
{
    tern_state_text_cache *c = w->cache;
    size_t i;

    for (i = 0; i < c->size; i++)
        if (c->slots[i] && c->slots[i]->gen != c->gen)
            entry_free(c->slots[i]);
    tern_free(c->slots);
    c->slots = w->slots;
    c->size = w->size;
    c->count = w->count;
    if (failed) {
        for (i = 0; i < c->size; i++)
            entry_free(c->slots[i]);
        tern_free(c->slots);
        c->slots = NULL;
        c->size = c->count = 0;
    }
}

/* The outputs as build_doc() in tfjson.c makes them. */
static int put_outputs(tern_state *st, tern_buf *b, struct tern_diags *diags)
{
    json_t *outputs = NULL, *out_obj = json_object(), *v, *o;
    const char *k;
    int error = TERN_ENOMEM;

    if (!out_obj)
        goto done;
    if ((error = tern_state_outputs(st, &outputs, diags)) != 0)
        goto done;
    json_object_foreach(outputs, k, v)
    {
        const json_t *value = json_object_get(v, "value");

        o = json_pack("{s:O,s:o}", "value", value, "type",
                      tern__tfjson_output_type(v));
        if (o == NULL) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (json_is_true(json_object_get(v, "sensitive")) &&
            json_object_set_new(o, "sensitive", json_true())) {
            json_decref(o);
            error = TERN_ENOMEM;
            goto done;
        }
        if (json_object_set_new(out_obj, k, o)) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    error = put_dump(b, out_obj, MEMBER_INDENT);
done:
    json_decref(outputs);
    json_decref(out_obj);
    return error;
}

static int put_string(tern_buf *b, const char *s)
{
    json_t *j = json_string(s);
    int error = j ? put_dump(b, j, 0) : TERN_ENOMEM;

    json_decref(j);
    return error;
}

/* The document from "{" through "resources", cached instances reused. */
static int put_head(struct walk *w, int64_t serial)
{
    tern_buf *b = w->out;
    int error;

    tern_buf_puts(b, "{\n  \"version\": 4,\n  \"terraform_version\": ");
    if ((error = put_string(b, TERN_STATE_TERRAFORM_VERSION)) != 0)
        return error;
    tern_buf_printf(
        b, ",\n  \"serial\": %lld,\n  \"lineage\": ", (long long)serial);
    if ((error = put_string(b, w->st->lineage)) != 0)
        return error;
    tern_buf_puts(b, ",\n  \"outputs\": ");
    if ((error = put_outputs(w->st, b, w->diags)) != 0)
        return error;
    tern_buf_puts(b, ",\n  \"resources\": [\n    ");
    w->cache->gen++;
    error = tern__state_resource_rows(w->st, on_row, w, w->diags);
    settle(w, error != 0);
    if (error)
        return error;
    if (w->rows == 0) {
        b->len -= strlen("\n    ");
        tern_buf_puts(b, "]");
    } else {
        tern_buf_puts(b, "\n      ]\n    }\n  ]");
    }
    return TERN_OK;
}

static int read_serial(tern_state *st, int64_t *serial,
                       struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int error = TERN_OK;

    if (sqlite3_prepare_v2(st->db, "SELECT serial FROM tern_meta", -1, &s,
                           NULL) != SQLITE_OK ||
        tern__state_step(st, s) != SQLITE_ROW)
        error = tern__state_sqlfail(st, diags, "reading the serial");
    else
        *serial = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return error;
}

/*
 * Deposed objects (tfjson.c's add_deposed) are instances that no resource
 * row holds: a state that has any (a create_before_destroy replacement
 * whose delete failed, rare and short-lived) is exported whole, as
 * tern_state_export() builds it, instead of row by row.
 */
static int count_deposed(tern_state *st, int64_t *n, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int error = TERN_OK;

    *n = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*) FROM tern_intents "
                           "WHERE action = 'deposed'",
                           -1, &s, NULL) != SQLITE_OK ||
        tern__state_step(st, s) != SQLITE_ROW)
        error = tern__state_sqlfail(st, diags, "reading intents");
    else
        *n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return error;
}

static int export_whole(tern_state *st, const char *ext_name, const json_t *ext,
                        char **out, size_t *len, struct tern_diags *diags)
{
    json_t *doc = NULL;
    char *t = NULL;
    int error;

    if ((error = tern_state_export(st, -1, &doc, diags)) != 0)
        return error;
    if (ext_name && json_object_set(doc, ext_name, (json_t *)ext) != 0)
        error = TERN_ENOMEM;
    else if ((t = tern_json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
                 NULL ||
             (*out = tern_strdup(t)) == NULL)
        error = TERN_ENOMEM;
    else
        *len = strlen(*out);
    free(t); /* allocated by jansson */
    json_decref(doc);
    return error;
}

int tern_state_export_text(tern_state *st, tern_state_text_cache *cache,
                           const char *ext_name, const json_t *ext, char **out,
                           size_t *len, struct tern_diags *diags)
{
    struct walk w;
    tern_buf b = TERN_BUF_INIT;
    json_t *checks = NULL;
    int64_t serial = 0, deposed = 0;
    int error, in_tx = 0;

    *out = NULL;
    *len = 0;
    memset(&w, 0, sizeof(w));
    w.st = st;
    w.cache = cache;
    w.out = &b;
    w.diags = diags;
    /* One read transaction, as tern_state_export() reads. */
    if (sqlite3_get_autocommit(st->db)) {
        if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
            return tern__state_sqlfail(st, diags, "starting a read");
        in_tx = 1;
    }
    if ((error = count_deposed(st, &deposed, diags)) != 0)
        goto done;
    if (deposed > 0) {
        error = export_whole(st, ext_name, ext, out, len, diags);
        goto done;
    }
    if ((error = read_serial(st, &serial, diags)) != 0 ||
        (error = put_head(&w, serial)) != 0 ||
        (error = tern_state_check_results(st, &checks, diags)) != 0)
        goto done;
    tern_buf_puts(&b, ",\n  \"check_results\": ");
    if (checks)
        error = put_dump(&b, checks, MEMBER_INDENT);
    else
        tern_buf_puts(&b, "null");
    if (!error && ext_name) {
        tern_buf_puts(&b, ",\n  ");
        if ((error = put_string(&b, ext_name)) == 0) {
            tern_buf_puts(&b, ": ");
            error = put_dump(&b, ext, MEMBER_INDENT);
        }
    }
    if (error)
        goto done;
    tern_buf_puts(&b, "\n}");
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    *len = b.len;
    *out = tern_buf_detach(&b);
done:
    if (in_tx)
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    json_decref(checks);
    tern_buf_release(&w.prev);
    tern_buf_release(&w.scratch);
    tern_buf_release(&b);
    return error;
}
