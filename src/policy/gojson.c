/*
 * JSON text as Go's encoding/json writes it (gojson.h): the escaping of
 * encodeState.string with HTML escaping on, and MarshalIndent's layout.
 */
#include "policy/gojson.h"

#include "tern/diag.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <string.h>

/* The length of the valid UTF-8 sequence at @p, or 0 when the byte there
 * does not start one (Go's utf8.DecodeRuneInString: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n, i;

    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        n = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        n = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        n = 4;
    else
        return 0;
    if (p[0] == 0xE0)
        lo = 0xA0;
    else if (p[0] == 0xED)
        hi = 0x9F;
    else if (p[0] == 0xF0)
        lo = 0x90;
    else if (p[0] == 0xF4)
        hi = 0x8F;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

static void put_string(tern_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t n;

    tern_buf_putc(b, '"');
    while (p < end) {
        if (*p >= 0x80) {
            /* The string ends in a NUL, which stops utf8_len() at the
             * end: a sequence never runs past it. */
            n = utf8_len(p);
            if (!n) {
                tern_buf_puts(b, "\\ufffd");
                p++;
            } else if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 &&
                       (p[2] == 0xA8 || p[2] == 0xA9)) {
                tern_buf_puts(b, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
                p += 3;
            } else {
                tern_buf_put(b, p, n);
                p += n;
            }
            continue;
        }
        switch (*p) {
        case '"':
            tern_buf_puts(b, "\\\"");
            break;
        case '\\':
            tern_buf_puts(b, "\\\\");
            break;
        case '\b':
            tern_buf_puts(b, "\\b");
            break;
        case '\f':
            tern_buf_puts(b, "\\f");
            break;
        case '\n':
            tern_buf_puts(b, "\\n");
            break;
        case '\r':
            tern_buf_puts(b, "\\r");
            break;
        case '\t':
            tern_buf_puts(b, "\\t");
            break;
        default:
            if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
                tern_buf_puts(b, "\\u00");
                tern_buf_putc(b, hex[*p >> 4]);
                tern_buf_putc(b, hex[*p & 0xF]);
            } else {
                tern_buf_putc(b, (char)*p);
            }
        }
        p++;
    }
    tern_buf_putc(b, '"');
}

static void newline(tern_buf *b, int indent, int depth)
{
    int i;

    if (!indent)
        return;
    tern_buf_putc(b, '\n');
    for (i = 0; i < depth; i++)
        tern_buf_puts(b, "  ");
}

static int put_value(tern_buf *b, const json_t *v, int indent, int depth)
{
    const char *key;
    json_t *item;
    size_t i, n;
    int error;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (!json_object_size(v)) {
            tern_buf_puts(b, "{}");
            return TERN_OK;
        }
        tern_buf_putc(b, '{');
        n = 0;
        json_object_foreach((json_t *)v, key, item)
        {
            if (n++)
                tern_buf_putc(b, ',');
            newline(b, indent, depth + 1);
            put_string(b, key, strlen(key));
            tern_buf_puts(b, indent ? ": " : ":");
            if ((error = put_value(b, item, indent, depth + 1)))
                return error;
        }
        newline(b, indent, depth);
        tern_buf_putc(b, '}');
        return TERN_OK;
    case JSON_ARRAY:
        if (!json_array_size(v)) {
            tern_buf_puts(b, "[]");
            return TERN_OK;
        }
        tern_buf_putc(b, '[');
        json_array_foreach(v, i, item)
        {
            if (i)
                tern_buf_putc(b, ',');
            newline(b, indent, depth + 1);
            if ((error = put_value(b, item, indent, depth + 1)))
                return error;
        }
        newline(b, indent, depth);
        tern_buf_putc(b, ']');
        return TERN_OK;
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        return TERN_OK;
    case JSON_INTEGER:
        tern_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return TERN_OK;
    case JSON_TRUE:
        tern_buf_puts(b, "true");
        return TERN_OK;
    case JSON_FALSE:
        tern_buf_puts(b, "false");
        return TERN_OK;
    case JSON_NULL:
        tern_buf_puts(b, "null");
        return TERN_OK;
    default:
        return TERN_EINVALID;
    }
}

int tern_policy_go_json(char **out, const json_t *v, int indent)
{
    tern_buf b = TERN_BUF_INIT;
    int error;

    *out = NULL;
    if (!v)
        return TERN_EINVALID;
    if ((error = put_value(&b, v, indent, 0))) {
        tern_buf_release(&b);
        return error;
    }
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return TERN_ENOMEM;
    }
    *out = tern_buf_detach(&b);
    return *out ? TERN_OK : TERN_ENOMEM;
}
