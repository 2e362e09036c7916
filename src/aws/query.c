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

int tern_aws_percent_decode(tern_buf *b, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            tern_buf_putc(b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            tern_buf_putc(b, s[i]);
        }
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}
