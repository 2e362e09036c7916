/*
 * yamlencode and yamldecode, with libyaml, mapping values as Terraform's
 * go-cty-yaml does (go-cty-yaml's scanner, parser and emitter are Go ports
 * of libyaml's, so text and layout agree):
 *
 * - encode: block style, strings double-quoted (literal style when they
 *   hold a newline), numbers in plain decimal, null as "null", keys in
 *   byte order; an empty collection is written "[]" or "{}".
 * - decode: one document; plain scalars resolved with go-cty-yaml's table
 *   (YAML 1.1 booleans such as yes/no/on/off, null and ~, numbers with
 *   underscores, 0x/0o/0b integers when tagged, timestamps as RFC 3339
 *   strings), quoted scalars always strings, the tags !!str, !!int,
 *   !!float, !!bool, !!null, !!timestamp, !!binary, !!map, !!seq and no
 *   others, anchors and aliases (not recursive), "<<" merge keys.
 *
 * Known differences: numbers are finite (".inf" is refused, where cty has
 * infinities); where go-cty-yaml prefixes errors about a value with
 * its position ("on line 0, column 13: ..."), tern writes the message as
 * Terraform's documentation shows it, without; syntax errors keep
 * go-cty-yaml's position.
 */
#include "lang/functions_int.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- yamlencode --------------------------------------------------------- */

static int write_buf(void *data, unsigned char *buffer, size_t size)
{
    tern_buf_put((tern_buf *)data, (const char *)buffer, size);
    return 1;
}

/* A number as big.Float.Text('f', -1) writes it: no exponent. */
static char *plain_number(const tern_value *v)
{
    char *s = tern_value_number_string(v), *e, *out;
    const char *mant;
    char digits[64];
    int exp, point, nd = 0, neg = 0, i;
    tern_buf b = TERN_BUF_INIT;

    if (!s || !(e = strpbrk(s, "eE")))
        return s;
    exp = (int)strtol(e + 1, NULL, 10);
    *e = '\0';
    mant = s;
    if (*mant == '-') {
        neg = 1;
        mant++;
    }
    point = -1;
    for (i = 0; mant[i] && nd < 63; i++) {
        if (mant[i] == '.')
            point = nd;
        else
            digits[nd++] = mant[i];
    }
    if (point < 0)
        point = nd;
    point += exp;
    if (neg)
        tern_buf_putc(&b, '-');
    if (point <= 0) {
        tern_buf_puts(&b, "0.");
        for (i = 0; i < -point; i++)
            tern_buf_putc(&b, '0');
        tern_buf_put(&b, digits, (size_t)nd);
    } else if (point >= nd) {
        tern_buf_put(&b, digits, (size_t)nd);
        for (i = nd; i < point; i++)
            tern_buf_putc(&b, '0');
    } else {
        tern_buf_put(&b, digits, (size_t)point);
        tern_buf_putc(&b, '.');
        tern_buf_put(&b, digits + point, (size_t)(nd - point));
    }
    tern_free(s);
    out = tern_buf_detach(&b);
    return out;
}

static int emit_value(yaml_emitter_t *em, const tern_value *v)
{
    yaml_event_t ev;
    size_t i, n;
    char *num = NULL;
    const char *text;
    int ok, style;

    switch (tern_value_kind(v)) {
    case TERN_VAL_NULL:
    case TERN_VAL_UNKNOWN:
    case TERN_VAL_BOOL:
    case TERN_VAL_NUMBER:
        if (tern_value_kind(v) == TERN_VAL_BOOL)
            text = tern_value_get_bool(v) ? "true" : "false";
        else if (tern_value_kind(v) == TERN_VAL_NUMBER)
            text = num = plain_number(v);
        else
            text = "null";
        if (!text)
            return 0;
        ok = yaml_scalar_event_initialize(
                 &ev, NULL, NULL, (const yaml_char_t *)text, (int)strlen(text),
                 1, 1, YAML_PLAIN_SCALAR_STYLE) &&
             yaml_emitter_emit(em, &ev);
        tern_free(num);
        return ok;
    case TERN_VAL_STRING:
        style = memchr(tern_value_get_string(v), '\n', tern_value_string_len(v))
                    ? YAML_LITERAL_SCALAR_STYLE
                    : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        return yaml_scalar_event_initialize(
                   &ev, NULL, NULL,
                   (const yaml_char_t *)tern_value_get_string(v),
                   (int)tern_value_string_len(v), 1, 1,
                   (yaml_scalar_style_t)style) &&
               yaml_emitter_emit(em, &ev);
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                  YAML_BLOCK_SEQUENCE_STYLE) ||
            !yaml_emitter_emit(em, &ev))
            return 0;
        n = tern_value_length(v);
        for (i = 0; i < n; i++)
            if (!emit_value(em, tern_value_list_get(v, i)))
                return 0;
        return yaml_sequence_end_event_initialize(&ev) &&
               yaml_emitter_emit(em, &ev);
    case TERN_VAL_OBJECT:
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                 YAML_BLOCK_MAPPING_STYLE) ||
            !yaml_emitter_emit(em, &ev))
            return 0;
        n = tern_value_length(v);
        for (i = 0; i < n; i++) {
            const char *k = tern_value_object_key(v, i);

            if (!yaml_scalar_event_initialize(
                    &ev, NULL, NULL, (const yaml_char_t *)k, (int)strlen(k), 1,
                    1, YAML_DOUBLE_QUOTED_SCALAR_STYLE) ||
                !yaml_emitter_emit(em, &ev) ||
                !emit_value(em, tern_value_object_value(v, i)))
                return 0;
        }
        return yaml_mapping_end_event_initialize(&ev) &&
               yaml_emitter_emit(em, &ev);
    }
    return 0;
}

FN(yamlencode)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    tern_buf b = TERN_BUF_INIT;
    int ok;

    (void)n;
    if (!yaml_emitter_initialize(&em))
        return TERN_ENOMEM;
    yaml_emitter_set_output(&em, write_buf, &b);
    yaml_emitter_set_unicode(&em, 1);
    ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
         yaml_emitter_emit(&em, &ev) &&
         yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
         yaml_emitter_emit(&em, &ev) && emit_value(&em, args[0]) &&
         yaml_document_end_event_initialize(&ev, 1) &&
         yaml_emitter_emit(&em, &ev) && yaml_stream_end_event_initialize(&ev) &&
         yaml_emitter_emit(&em, &ev) && yaml_emitter_flush(&em);
    if (!ok) {
        tern__farg_error(c, c->nargs_ranges, "%s.",
                         em.problem ? em.problem : "cannot emit YAML");
        yaml_emitter_delete(&em);
        tern_buf_release(&b);
        return TERN_ERROR;
    }
    yaml_emitter_delete(&em);
    /* libyaml 0.2.5 closes a document that ends in an open plain scalar
     * with "...", which the Go port does not. */
    if (b.len >= 4 && memcmp(b.ptr + b.len - 4, "...\n", 4) == 0)
        b.len -= 4;
    return tern__fret_buf(out, &b);
}

/* ---- yamldecode --------------------------------------------------------- */

#define TAG_PREFIX "tag:yaml.org,2002:"

struct anchor {
    char *name;
    tern_value *val; /* NULL while pending */
    int pending;
};

struct yd {
    struct tern__fcall *c;
    yaml_parser_t p;
    struct anchor *anchors;
    size_t nanchors, aanchors;
    int failed; /* a diagnostic was added */
};

static void yd_fail(struct yd *y, const char *fmt, const char *arg)
{
    char msg[512];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(msg, sizeof(msg), fmt, arg);
#pragma GCC diagnostic pop
    if (!y->failed)
        tern__farg_error(y->c, y->c->nargs_ranges, "%s.", msg);
    y->failed = 1;
}

/* A libyaml error as go-cty-yaml words it. */
static void yd_parser_error(struct yd *y)
{
    const char *problem = y->p.problem ? y->p.problem : "invalid YAML syntax";
    char msg[512];

    if (y->p.problem_mark.line != 0) {
        size_t line = y->p.problem_mark.line, col = y->p.problem_mark.column;

        if (y->p.error == YAML_SCANNER_ERROR) {
            line++;
            col = 0;
        }
        snprintf(msg, sizeof(msg), "on line %zu, column %zu: %s", line, col,
                 problem);
    } else if (y->p.context_mark.line != 0) {
        snprintf(msg, sizeof(msg), "on line %zu, column %zu: %s",
                 y->p.context_mark.line, y->p.context_mark.column, problem);
    } else {
        snprintf(msg, sizeof(msg), "%s", problem);
    }
    yd_fail(y, "%s", msg);
}

static struct anchor *anchor_find(struct yd *y, const char *name)
{
    size_t i;

    for (i = y->nanchors; i > 0; i--)
        if (strcmp(y->anchors[i - 1].name, name) == 0)
            return &y->anchors[i - 1];
    return NULL;
}

static int anchor_begin(struct yd *y, const char *name)
{
    struct anchor *a = anchor_find(y, name);

    if (a) {
        a->pending++;
        return 1;
    }
    if (TERN_VEC_RESERVE(y->anchors, y->aanchors, y->nanchors + 1) != TERN_OK)
        return 0;
    a = &y->anchors[y->nanchors];
    a->name = tern_strdup(name);
    a->val = NULL;
    a->pending = 1;
    if (!a->name)
        return 0;
    y->nanchors++;
    return 1;
}

static void anchor_complete(struct yd *y, const char *name, tern_value *v)
{
    struct anchor *a = anchor_find(y, name);

    if (!a)
        return;
    a->pending--;
    tern_value_decref(a->val);
    a->val = tern_value_incref(v);
}

/* A value we cannot represent when a merge key resolves. */
#define MERGE ((tern_value *)&merge_marker)
static const int merge_marker = 0;

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* cty.ParseNumberVal: a decimal number, no hex, no inf or nan. */
static tern_value *parse_decimal(const char *s)
{
    const char *p = s;
    char *end;
    double d;
    int digits = 0;

    if (*p == '+' || *p == '-')
        p++;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (!digits)
        return NULL;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return NULL;
    errno = 0;
    d = strtod(s, &end);
    if (*end || !isfinite(d))
        return NULL;
    return tern_value_number(d);
}

/* strconv.ParseInt(s, 0, 64) and ParseUint: 0x, 0o, 0b, leading 0. */
static tern_value *parse_int0(const char *s)
{
    const char *p = s;
    int neg = 0, base = 10;
    unsigned long long u = 0;

    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
        base = 8;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p++;
    }
    if (!*p)
        return NULL;
    for (; *p; p++) {
        int v = *p >= '0' && *p <= '9'   ? *p - '0'
                : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                         : 99;

        if (v >= base || __builtin_mul_overflow(u, (unsigned)base, &u) ||
            __builtin_add_overflow(u, (unsigned)v, &u))
            return NULL;
    }
    if (neg) {
        if (u > (unsigned long long)INT64_MAX + 1)
            return NULL;
        return tern_value_number(-(double)u);
    }
    if (u <= (unsigned long long)INT64_MAX)
        return tern_value_int((int64_t)u);
    return tern_value_number((double)u);
}

static int read_num(const char **p, int min, int max, int *out)
{
    int n = 0, v = 0;

    while (**p >= '0' && **p <= '9' && n < max) {
        v = v * 10 + (*(*p)++ - '0');
        n++;
    }
    *out = v;
    return n >= min;
}

/* go-cty-yaml's timestamp formats, as RFC 3339. */
static tern_value *parse_yaml_time(const char *s)
{
    const char *p = s;
    struct tern__time t;
    tern_buf b = TERN_BUF_INIT;
    int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, zone = 0;
    char sep;

    if (!all_digits(s, 4) || s[4] != '-')
        return NULL;
    if (!read_num(&p, 4, 4, &y) || *p++ != '-' || !read_num(&p, 1, 2, &mo) ||
        *p++ != '-' || !read_num(&p, 1, 2, &d))
        return NULL;
    memset(&t, 0, sizeof(t));
    sep = *p;
    if (sep) {
        if (sep != 'T' && sep != 't' && sep != ' ')
            return NULL;
        p++;
        if (!read_num(&p, 1, 2, &h) || *p++ != ':' ||
            !read_num(&p, 1, 2, &mi) || *p++ != ':' ||
            !read_num(&p, 1, 2, &sec))
            return NULL;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return NULL;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (sep != ' ') {
            if (*p == 'Z') {
                p++;
            } else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1;

                if (!read_num(&p, 2, 2, &oh) || *p++ != ':' ||
                    !read_num(&p, 2, 2, &om))
                    return NULL;
                zone = sign * (oh * 3600 + om * 60);
            } else {
                return NULL;
            }
        }
        if (*p || h > 23 || mi > 59 || sec > 59)
            return NULL;
    }
    {
        char ts[64];
        char why[128];

        snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h,
                 mi, sec);
        if (tern__time_parse(ts, &t, why, sizeof(why)))
            return NULL;
    }
    t.sec -= zone;
    t.offset = zone;
    tern__time_format(&b, &t, 0);
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_value_string_own(tern_buf_detach(&b), b.len);
}

static const struct {
    const char *s;
    int kind; /* 1 true, 0 false, 2 null, 3 +inf, 4 -inf */
} resolve_map[] = {{"y", 1},     {"Y", 1},     {"yes", 1},   {"Yes", 1},
                   {"YES", 1},   {"true", 1},  {"True", 1},  {"TRUE", 1},
                   {"on", 1},    {"On", 1},    {"ON", 1},    {"n", 0},
                   {"N", 0},     {"no", 0},    {"No", 0},    {"NO", 0},
                   {"false", 0}, {"False", 0}, {"FALSE", 0}, {"off", 0},
                   {"Off", 0},   {"OFF", 0},   {"", 2},      {"~", 2},
                   {"null", 2},  {"Null", 2},  {"NULL", 2},  {".inf", 3},
                   {".Inf", 3},  {".INF", 3},  {"+.inf", 3}, {"+.Inf", 3},
                   {"+.INF", 3}, {"-.inf", 4}, {"-.Inf", 4}, {"-.INF", 4}};

static int map_lookup(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(resolve_map) / sizeof(resolve_map[0]); i++)
        if (strcmp(resolve_map[i].s, s) == 0)
            return resolve_map[i].kind;
    return -1;
}

static char *strip_underscores(const char *s)
{
    char *o = tern_strdup(s), *w = o;
    const char *r;

    if (!o)
        return NULL;
    for (r = s; *r; r++)
        if (*r != '_')
            *w++ = *r;
    *w = '\0';
    return o;
}

/* go-cty-yaml's resolveScalar. Returns a new value, MERGE, or NULL after
 * a diagnostic (or on OOM: y->failed stays 0). */
static tern_value *resolve_scalar(struct yd *y, const char *tag,
                                  const char *src, yaml_scalar_style_t style)
{
    static const char *const tags[] = {"",
                                       TAG_PREFIX "str",
                                       TAG_PREFIX "bool",
                                       TAG_PREFIX "int",
                                       TAG_PREFIX "float",
                                       TAG_PREFIX "null",
                                       TAG_PREFIX "timestamp",
                                       TAG_PREFIX "binary"};
    int hint = 'N', kind;
    size_t i;
    int is_str = strcmp(tag, TAG_PREFIX "str") == 0,
        is_bin = strcmp(tag, TAG_PREFIX "binary") == 0;

    for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        if (strcmp(tag, tags[i]) == 0)
            break;
    if (i == sizeof(tags) / sizeof(tags[0])) {
        yd_fail(y, "unsupported tag \"%s\"", tag);
        return NULL;
    }
    if (*src) {
        unsigned char ch = (unsigned char)src[0];

        hint = ch == '+' || ch == '-'      ? 'S'
               : ch >= '0' && ch <= '9'    ? 'D'
               : strchr("yYnNtTfFoO~", ch) ? 'M'
               : ch == '.'                 ? '.'
                                           : 0;
    }
    if (hint && !is_str && !is_bin) {
        if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
            style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
            return tern_value_string(src);
        kind = map_lookup(src);
        if (kind == 0 || kind == 1)
            return tern_value_bool(kind);
        if (kind == 2)
            return tern_value_null();
        if (kind == 3 || kind == 4) {
            yd_fail(y, "%s", "infinite numbers are not supported");
            return NULL;
        }
        if (!*tag && (strcmp(src, ".nan") == 0 || strcmp(src, ".NaN") == 0 ||
                      strcmp(src, ".NAN") == 0)) {
            yd_fail(y, "%s", "floating point NaN is not supported");
            return NULL;
        }
        if (hint == '.') {
            tern_value *v = parse_decimal(src);

            if (v)
                return v;
        } else if (hint == 'D' || hint == 'S') {
            char *plain;
            tern_value *v;

            if (!*tag || strcmp(tag, TAG_PREFIX "timestamp") == 0) {
                v = parse_yaml_time(src);
                if (v)
                    return v;
            }
            plain = strip_underscores(src);
            if (!plain)
                return NULL;
            v = parse_decimal(plain);
            if (!v &&
                (strncmp(plain, "0b", 2) == 0 || strncmp(plain, "-0b", 3) == 0))
                tag = TAG_PREFIX "int";
            tern_free(plain);
            if (v)
                return v;
        }
    }
    if (!*tag && strcmp(src, "<<") == 0)
        return MERGE;
    if (is_str)
        return tern_value_string(src);
    if (is_bin) {
        unsigned char *dec = NULL;
        size_t dlen;

        if (tern__b64_decode(src, strlen(src), &dec, &dlen)) {
            char msg[512];

            snprintf(msg, sizeof(msg),
                     "cannot parse \"%s\" as %s: not valid base64", src, tag);
            yd_fail(y, "%s", msg);
            return NULL;
        }
        tern_free(dec);
        return tern_value_string(src);
    }
    if (strcmp(tag, TAG_PREFIX "bool") == 0) {
        kind = map_lookup(src);
        if (kind == 0 || kind == 1)
            return tern_value_bool(kind);
    } else if (strcmp(tag, TAG_PREFIX "float") == 0 ||
               strcmp(tag, TAG_PREFIX "int") == 0) {
        char *plain = strip_underscores(src);
        tern_value *v;

        if (!plain)
            return NULL;
        v = parse_decimal(plain);
        if (!v)
            v = parse_int0(plain);
        tern_free(plain);
        if (v)
            return v;
    } else if (strcmp(tag, TAG_PREFIX "timestamp") == 0) {
        tern_value *v = parse_yaml_time(src);

        if (v)
            return v;
    } else if (strcmp(tag, TAG_PREFIX "null") == 0) {
        return tern_value_null();
    } else if (!*tag) {
        return tern_value_string(src);
    }
    {
        char msg[512];

        snprintf(msg, sizeof(msg), "cannot parse \"%s\" as %s", src, tag);
        yd_fail(y, "%s", msg);
    }
    return NULL;
}

static tern_value *parse_node(struct yd *y, yaml_event_t *ev, int depth);

static int next_event(struct yd *y, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&y->p, ev)) {
        yd_parser_error(y);
        return 0;
    }
    return 1;
}

static tern_value *parse_mapping(struct yd *y, yaml_event_t *start, int depth)
{
    const char *tag = start->data.mapping_start.tag
                          ? (const char *)start->data.mapping_start.tag
                          : "";
    char *anchor =
        start->data.mapping_start.anchor
            ? tern_strdup((const char *)start->data.mapping_start.anchor)
            : NULL;
    tern_value *obj = NULL;

    if (*tag && strcmp(tag, TAG_PREFIX "map") != 0) {
        yd_fail(y, "can't interpret mapping as %s", tag);
        goto fail;
    }
    if (anchor && !anchor_begin(y, anchor))
        goto fail;
    obj = tern_value_object_new();
    if (!obj)
        goto fail;
    for (;;) {
        yaml_event_t kev, vev;
        tern_value *key, *val, *ks;

        if (!next_event(y, &kev))
            goto fail;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            yaml_event_delete(&kev);
            yd_fail(y, "%s", "only strings are allowed as mapping keys");
            goto fail;
        }
        key = resolve_scalar(
            y, kev.data.scalar.tag ? (const char *)kev.data.scalar.tag : "",
            (const char *)kev.data.scalar.value, kev.data.scalar.style);
        yaml_event_delete(&kev);
        if (!key)
            goto fail;
        if (!next_event(y, &vev))
            goto key_fail;
        val = parse_node(y, &vev, depth + 1);
        yaml_event_delete(&vev);
        if (!val)
            goto key_fail;
        if (key == MERGE) {
            size_t i;

            if (tern_value_kind(val) != TERN_VAL_OBJECT) {
                yd_fail(y, "cannot merge %s into mapping",
                        tern__type_name(val));
                tern_value_decref(val);
                goto fail;
            }
            for (i = 0; i < tern_value_length(val); i++)
                if (tern_value_object_set(
                        obj, tern_value_object_key(val, i),
                        tern_value_incref(tern_value_object_value(val, i)))) {
                    tern_value_decref(val);
                    goto fail;
                }
            tern_value_decref(val);
            continue;
        }
        if (tern_value_is_null(key)) {
            tern_value_decref(key);
            tern_value_decref(val);
            yd_fail(y, "%s", "mapping key cannot be null");
            goto fail;
        }
        ks = tern__convert_string(key);
        tern_value_decref(key);
        if (!ks) {
            tern_value_decref(val);
            yd_fail(y, "%s", "only strings are allowed as mapping keys");
            goto fail;
        }
        if (tern_value_object_set(obj, tern_value_get_string(ks), val)) {
            tern_value_decref(ks);
            goto fail;
        }
        tern_value_decref(ks);
        continue;

    key_fail:
        if (key != MERGE)
            tern_value_decref(key);
        goto fail;
    }
    if (anchor)
        anchor_complete(y, anchor, obj);
    tern_free(anchor);
    return obj;

fail:
    tern_free(anchor);
    tern_value_decref(obj);
    return NULL;
}

static tern_value *parse_sequence(struct yd *y, yaml_event_t *start, int depth)
{
    const char *tag = start->data.sequence_start.tag
                          ? (const char *)start->data.sequence_start.tag
                          : "";
    char *anchor =
        start->data.sequence_start.anchor
            ? tern_strdup((const char *)start->data.sequence_start.anchor)
            : NULL;
    tern_value *list = NULL;

    if (*tag && strcmp(tag, TAG_PREFIX "seq") != 0) {
        yd_fail(y, "can't interpret sequence as %s", tag);
        goto fail;
    }
    if (anchor && !anchor_begin(y, anchor))
        goto fail;
    list = tern_value_list_new();
    if (!list)
        goto fail;
    for (;;) {
        yaml_event_t ev;
        tern_value *v;

        if (!next_event(y, &ev))
            goto fail;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        v = parse_node(y, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!v || tern_value_list_append(list, v))
            goto fail;
    }
    if (anchor)
        anchor_complete(y, anchor, list);
    tern_free(anchor);
    return list;

fail:
    tern_free(anchor);
    tern_value_decref(list);
    return NULL;
}

static tern_value *parse_node(struct yd *y, yaml_event_t *ev, int depth)
{
    if (depth > 200) {
        yd_fail(y, "%s", "the document nests more than 200 levels deep");
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *anchor = (const char *)ev->data.scalar.anchor;
        tern_value *v;

        if (anchor && !anchor_begin(y, anchor))
            return NULL;
        v = resolve_scalar(
            y, ev->data.scalar.tag ? (const char *)ev->data.scalar.tag : "",
            (const char *)ev->data.scalar.value, ev->data.scalar.style);
        if (v == MERGE)
            v = tern_value_string("<<");
        if (v && anchor)
            anchor_complete(y, anchor, v);
        return v;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        struct anchor *a = anchor_find(y, name);

        if (a && a->pending) {
            yd_fail(y,
                    "cannot refer to anchor \"%s\" from inside its own "
                    "definition",
                    name);
            return NULL;
        }
        if (!a || !a->val) {
            yd_fail(y, "reference to undefined anchor \"%s\"", name);
            return NULL;
        }
        return tern_value_incref(a->val);
    }
    case YAML_MAPPING_START_EVENT:
        return parse_mapping(y, ev, depth);
    case YAML_SEQUENCE_START_EVENT:
        return parse_sequence(y, ev, depth);
    case YAML_DOCUMENT_START_EVENT:
        yd_fail(y, "%s", "only a single document is allowed");
        return NULL;
    case YAML_STREAM_END_EVENT:
        yd_fail(y, "%s", "expecting value but found end of stream");
        return NULL;
    default:
        yd_fail(y, "%s", "unexpected parser event");
        return NULL;
    }
}

FN(yamldecode)
{
    tern_value *s = NULL, *v = NULL;
    yaml_event_t ev;
    struct yd y;
    size_t i;
    int error, stage;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    memset(&y, 0, sizeof(y));
    y.c = c;
    if (!yaml_parser_initialize(&y.p)) {
        tern_value_decref(s);
        return TERN_ENOMEM;
    }
    yaml_parser_set_input_string(
        &y.p,
        (const unsigned char *)(tern_value_string_len(s)
                                    ? tern_value_get_string(s)
                                    : "\n"),
        tern_value_string_len(s) ? tern_value_string_len(s) : 1);
    /* Stream start, document start, the value, document end, stream end. */
    for (stage = 0; stage < 5; stage++) {
        if (!next_event(&y, &ev))
            break;
        if (stage == 2) {
            v = parse_node(&y, &ev, 0);
            yaml_event_delete(&ev);
            if (!v)
                break;
            continue;
        }
        if (stage == 1 && ev.type != YAML_DOCUMENT_START_EVENT)
            yd_fail(&y, "%s", "missing start of document");
        else if (stage == 3 && ev.type == YAML_DOCUMENT_START_EVENT)
            yd_fail(&y, "%s", "only a single document is allowed");
        else if (stage == 3 && ev.type != YAML_DOCUMENT_END_EVENT)
            yd_fail(&y, "%s", "unexpected extra content after value");
        else if (stage == 4 && ev.type != YAML_STREAM_END_EVENT)
            yd_fail(&y, "%s", "unexpected extra content after value");
        yaml_event_delete(&ev);
        if (y.failed)
            break;
    }
    yaml_parser_delete(&y.p);
    for (i = 0; i < y.nanchors; i++) {
        tern_free(y.anchors[i].name);
        tern_value_decref(y.anchors[i].val);
    }
    tern_free(y.anchors);
    tern_value_decref(s);
    if (stage < 5 || y.failed) {
        tern_value_decref(v);
        return y.failed ? TERN_ERROR : TERN_ENOMEM;
    }
    *out = v;
    return TERN_OK;
}
