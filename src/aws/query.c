#include "aws/query.h"
#include "tern/diag.h"

#include <string.h>

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

int tern_aws_uri_encode(tern_buf *b, const char *s, size_t len, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, start = 0;

    /* Runs of kept characters are copied in one call. */
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];

        if (is_unreserved(c) || (keep_slash && c == '/'))
            continue;
        tern_buf_put(b, s + start, i - start);
        esc[0] = '%';
        esc[1] = hex[c >> 4];
        esc[2] = hex[c & 15];
        tern_buf_put(b, esc, 3);
        start = i + 1;
    }
    tern_buf_put(b, s + start, len - start);
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

int tern_aws_query_encode(tern_buf *b, const char *s)
{
    return tern_aws_uri_encode(b, s, strlen(s), 0);
}

int tern_aws_query_add(tern_buf *b, const char *name, const char *value)
{
    if (b->len > 0)
        tern_buf_putc(b, '&');
    tern_aws_query_encode(b, name);
    tern_buf_putc(b, '=');
    return tern_aws_query_encode(b, value ? value : "");
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode @len bytes of @s onto @b; @plus: '+' is a space (form
 * decoding). The output is never longer than the input: one grow, then
 * the bytes written in place (this runs on every policy document IAM
 * returns, some thousands of bytes each). */
static int decode(tern_buf *b, const char *s, size_t len, int plus)
{
    size_t i;
    char *o;

    if (tern_buf_grow(b, len) != TERN_OK)
        return TERN_ENOMEM;
    o = b->ptr + b->len;
    for (i = 0; i < len; i++) {
        char c = s[i];
        int hi, lo;

        if (c == '%' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0) {
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        *o++ = c;
    }
    *o = '\0';
    b->len = (size_t)(o - b->ptr);
    return TERN_OK;
}

int tern_aws_percent_decode(tern_buf *b, const char *s, size_t len)
{
    return decode(b, s, len, 0);
}

int tern_aws_form_decode(tern_buf *b, const char *s, size_t len)
{
    return decode(b, s, len, 1);
}

int tern_aws_form_decodes_to(const char *s, const char *plain, size_t len)
{
    size_t i = 0;

    for (; *s; s++, i++) {
        char c = *s;
        int hi, lo;

        if (c == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
            c = (char)(hi * 16 + lo);
            s += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (i == len || plain[i] != c)
            return 0;
    }
    return i == len;
}
