/*
 * The stored-JSON reader (json_read.h). Jansson's rules it keeps, from its
 * load.c and utf.c (2.14): control characters (below 0x20) are refused in
 * strings; UTF-8 is checked byte by byte (no overlong forms, no
 * surrogates, nothing above U+10FFFF); an integer is an optional minus
 * and digits without a leading zero, read with strtoll (out of range is
 * an error); duplicate keys keep the last value, at the first one's place
 * (json_object_setn_new_nocheck, as Jansson's parser sets them); and the
 * text must end after the value, whitespace aside.
 */
#include "util/json_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tern/diag.h"
#include "util/alloc.h"
#include "util/json.h"

/* Deeper than stored texts go; deeper ones are Jansson's to read. */
#define MAX_DEPTH 256

struct rd {
    const char *p;
    char *scratch; /* unescaped strings */
    size_t cap;
    int depth;
};

static void skip_ws(struct rd *r)
{
    while (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r')
        r->p++;
}

/* The length of the UTF-8 sequence at @s (lead byte >= 0x80), or 0 when
 * it is not one Jansson accepts (utf8_check_first, utf8_check_full). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned int v;
    size_t n, i;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2;
        v = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        v = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        v = s[0] & 0x07;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000))
        return 0;
    return n;
}

static int scratch_put(struct rd *r, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        char *p;

        while (*len + n + 1 > cap)
            cap *= 2;
        p = tern_realloc(r->scratch, cap);
        if (!p)
            return TERN_ENOMEM;
        r->scratch = p;
        r->cap = cap;
    }
    memcpy(r->scratch + *len, s, n);
    *len += n;
    return TERN_OK;
}

/* The string at r->p (its opening quote): *s and *len, in the text itself
 * when it has no escapes, else in r->scratch (valid until the next
 * string). */
static int read_string(struct rd *r, const char **s, size_t *len)
{
    const char *start = r->p + 1, *q = start;
    size_t n = 0;
    int escaped = 0, error;

    for (;;) {
        unsigned char c = (unsigned char)*q;

        if (c == '"')
            break;
        if (c < 0x20)
            return TERN_EINVALID; /* a control character, or the end */
        if (c >= 0x80) {
            size_t k = utf8_len((const unsigned char *)q);

            if (!k)
                return TERN_EINVALID;
            q += k;
            continue;
        }
        if (c != '\\') {
            q++;
            continue;
        }
        /* An escape: what precedes it goes to the scratch buffer. */
        if ((error = scratch_put(r, &n, start, (size_t)(q - start))))
            return error;
        escaped = 1;
        switch (q[1]) {
        case '"':
        case '\\':
        case '/':
            c = (unsigned char)q[1];
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        default:
            return TERN_EINVALID; /* \u, or not an escape */
        }
        if ((error = scratch_put(r, &n, (const char *)&c, 1)))
            return error;
        q += 2;
        start = q;
    }
    if (escaped) {
        if ((error = scratch_put(r, &n, start, (size_t)(q - start))))
            return error;
        *s = r->scratch;
        *len = n;
    } else {
        *s = start;
        *len = (size_t)(q - start);
    }
    r->p = q + 1;
    return TERN_OK;
}

static int read_number(struct rd *r, json_t **out)
{
    const char *q = r->p;
    char digits[24];
    long long v;
    char *end;
    size_t n;

    if (*q == '-')
        q++;
    if (*q == '0')
        q++;
    else if (*q >= '1' && *q <= '9')
        while (*q >= '0' && *q <= '9')
            q++;
    else
        return TERN_EINVALID;
    if (*q == '.' || *q == 'e' || *q == 'E' || (*q >= '0' && *q <= '9'))
        return TERN_EINVALID; /* a real, or a leading zero */
    n = (size_t)(q - r->p);
    if (n >= sizeof(digits))
        return TERN_EINVALID;
    memcpy(digits, r->p, n);
    digits[n] = '\0';
    errno = 0;
    v = strtoll(digits, &end, 10);
    if (errno == ERANGE || *end)
        return TERN_EINVALID;
    if (!(*out = json_integer(v)))
        return TERN_ENOMEM;
    r->p = q;
    return TERN_OK;
}

static int read_value(struct rd *r, json_t **out);

static int read_object(struct rd *r, json_t **out)
{
    json_t *o = json_object(), *v = NULL;
    const char *key;
    char *kcopy = NULL;
    size_t klen;
    int error = TERN_OK;

    if (!o)
        return TERN_ENOMEM;
    r->p++;
    skip_ws(r);
    if (*r->p == '}') {
        r->p++;
        *out = o;
        return TERN_OK;
    }
    for (;;) {
        if (*r->p != '"') {
            error = TERN_EINVALID;
            break;
        }
        /* (No NUL in a key or string: \u0000 is Jansson's to refuse.) */
        if ((error = read_string(r, &key, &klen)))
            break;
        /* The value's strings reuse the scratch buffer. */
        if (key == r->scratch && !(key = kcopy = tern_strndup(key, klen))) {
            error = TERN_ENOMEM;
            break;
        }
        skip_ws(r);
        if (*r->p != ':') {
            error = TERN_EINVALID;
            break;
        }
        r->p++;
        if ((error = read_value(r, &v)))
            break;
        if (json_object_setn_new_nocheck(o, key, klen, v)) {
            error = TERN_ENOMEM;
            break;
        }
        tern_free(kcopy);
        kcopy = NULL;
        skip_ws(r);
        if (*r->p == ',') {
            r->p++;
            skip_ws(r);
            continue;
        }
        if (*r->p == '}') {
            r->p++;
            *out = o;
            return TERN_OK;
        }
        error = TERN_EINVALID;
        break;
    }
    tern_free(kcopy);
    json_decref(o);
    return error;
}

static int read_array(struct rd *r, json_t **out)
{
    json_t *a = json_array(), *v = NULL;
    int error = TERN_OK;

    if (!a)
        return TERN_ENOMEM;
    r->p++;
    skip_ws(r);
    if (*r->p == ']') {
        r->p++;
        *out = a;
        return TERN_OK;
    }
    for (;;) {
        if ((error = read_value(r, &v)))
            break;
        if (json_array_append_new(a, v)) {
            error = TERN_ENOMEM;
            break;
        }
        skip_ws(r);
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == ']') {
            r->p++;
            *out = a;
            return TERN_OK;
        }
        error = TERN_EINVALID;
        break;
    }
    json_decref(a);
    return error;
}

static int literal(struct rd *r, const char *word, json_t *v, json_t **out)
{
    size_t n = strlen(word);

    if (strncmp(r->p, word, n) != 0)
        return TERN_EINVALID;
    r->p += n;
    *out = v;
    return TERN_OK;
}

static int read_value(struct rd *r, json_t **out)
{
    const char *s;
    size_t len;
    int error;

    skip_ws(r);
    switch (*r->p) {
    case '{':
    case '[':
        if (r->depth >= MAX_DEPTH)
            return TERN_EINVALID;
        r->depth++;
        error = *r->p == '{' ? read_object(r, out) : read_array(r, out);
        r->depth--;
        return error;
    case '"':
        if ((error = read_string(r, &s, &len)))
            return error;
        return (*out = json_stringn_nocheck(s, len)) ? TERN_OK : TERN_ENOMEM;
    case 't':
        return literal(r, "true", json_true(), out);
    case 'f':
        return literal(r, "false", json_false(), out);
    case 'n':
        return literal(r, "null", json_null(), out);
    default:
        return read_number(r, out);
    }
}

int tern__json_read_subset(const char *text, json_t **out)
{
    struct rd r = {text, NULL, 0, 0};
    json_t *v = NULL;
    int error;

    error = read_value(&r, &v);
    if (!error) {
        skip_ws(&r);
        if (*r.p != '\0') {
            json_decref(v);
            error = TERN_EINVALID;
        }
    }
    tern_free(r.scratch);
    if (!error)
        *out = v;
    return error;
}

int tern_json_read(const char *text, json_t **out)
{
    int error = tern__json_read_subset(text, out);

    if (error != TERN_EINVALID)
        return error;
    {
        int oom = 0;

        /* Jansson's own parse; a failed allocation in it is not a
         * damaged text (util/json.h). */
        *out = tern_json_loads(text, JSON_DECODE_ANY, &oom);
        if (oom)
            return TERN_ENOMEM;
    }
    return *out ? TERN_OK : TERN_EINVALID;
}
