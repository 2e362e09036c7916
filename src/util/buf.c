#include "util/buf.h"
#include "util/alloc.h"
#include "tern/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int tern_buf_grow(tern_buf *b, size_t extra)
{
    size_t need, alloc;
    char *p;

    if (b->oom)
        return TERN_ENOMEM;
    if (extra > (size_t)-1 / 2 - b->len - 1) {
        b->oom = 1;
        return TERN_ENOMEM;
    }
    need = b->len + extra + 1;
    if (need <= b->alloc)
        return TERN_OK;
    alloc = b->alloc ? b->alloc : 64;
    while (alloc < need)
        alloc *= 2;
    p = tern_realloc(b->ptr, alloc);
    if (!p) {
        b->oom = 1;
        return TERN_ENOMEM;
    }
    b->ptr = p;
    b->alloc = alloc;
    return TERN_OK;
}

int tern_buf_put(tern_buf *b, const void *data, size_t len)
{
    if (tern_buf_grow(b, len) != TERN_OK)
        return TERN_ENOMEM;
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return TERN_OK;
}

int tern_buf_puts(tern_buf *b, const char *s)
{
    return tern_buf_put(b, s, strlen(s));
}

int tern_buf_putc(tern_buf *b, char c)
{
    return tern_buf_put(b, &c, 1);
}

int tern_buf_printf(tern_buf *b, const char *fmt, ...)
{
    va_list ap;
    size_t room;
    int len;

    if (b->oom)
        return TERN_ENOMEM;
    /* Format into the room already there first: most appends fit, and
     * then the text is formatted once, not measured and then formatted
     * (issue 19). */
    room = b->ptr ? b->alloc - b->len : 0;
    va_start(ap, fmt);
    len = vsnprintf(room ? b->ptr + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (len >= 0 && (size_t)len < room) {
        b->len += (size_t)len;
        return TERN_OK;
    }
    if (len < 0 || tern_buf_grow(b, (size_t)len) != TERN_OK) {
        /* A cut text may have been written past the end: end it again. */
        if (b->ptr)
            b->ptr[b->len] = '\0';
        b->oom = 1;
        return TERN_ENOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)len;
    return TERN_OK;
}

int tern_buf_put_hex(tern_buf *b, const unsigned char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    if (tern_buf_grow(b, len * 2) != TERN_OK)
        return TERN_ENOMEM;
    for (i = 0; i < len; i++) {
        b->ptr[b->len++] = digits[data[i] >> 4];
        b->ptr[b->len++] = digits[data[i] & 15];
    }
    b->ptr[b->len] = '\0';
    return TERN_OK;
}

void tern_buf_clear(tern_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

void tern_buf_release(tern_buf *b)
{
    tern_free(b->ptr);
    b->ptr = NULL;
    b->len = b->alloc = 0;
    b->oom = 0;
}

char *tern_buf_detach(tern_buf *b)
{
    char *p;

    if (b->oom) {
        tern_buf_release(b);
        return NULL;
    }
    p = b->ptr ? b->ptr : tern_strdup("");
    b->ptr = NULL;
    b->len = b->alloc = 0;
    return p;
}

const char *tern_buf_cstr(const tern_buf *b)
{
    return b->ptr ? b->ptr : "";
}

int tern_buf_oom(const tern_buf *b)
{
    return b->oom;
}

/* Length of the well-formed UTF-8 sequence at s (at most len bytes), 0 if
 * the bytes there are not one (overlong, surrogate, above U+10FFFF, cut). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    size_t n, i;

    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (len < n)
        return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

/* How long the unit at p is (n), and its escape in esc when it must be
 * made visible (returns 1) or 0 when it is printed as is. */
static int printable_unit(const unsigned char *p, size_t len, size_t *n,
                          char esc[8])
{
    size_t seq;

    *n = 1;
    if (p[0] < 0x80) {
        if ((p[0] >= 0x20 && p[0] != 0x7f) || p[0] == '\n' || p[0] == '\t')
            return 0;
        snprintf(esc, 8, "\\x%02x", p[0]);
        return 1;
    }
    seq = utf8_seq(p, len);
    if (!seq) {
        snprintf(esc, 8, "\\x%02x", p[0]);
        return 1;
    }
    *n = seq;
    /* U+0080..U+009F (C2 80..C2 9F) are the C1 controls. */
    if (seq == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
        snprintf(esc, 8, "\\u%04x", p[1]);
        return 1;
    }
    return 0;
}

int tern_buf_put_printable(tern_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, n;
    char esc[8];

    while (i + run < len) {
        if (!printable_unit(p + i + run, len - i - run, &n, esc)) {
            run += n;
            continue;
        }
        tern_buf_put(b, p + i, run);
        tern_buf_puts(b, esc);
        i += run + n;
        run = 0;
    }
    tern_buf_put(b, p + i, run);
    return b->oom ? TERN_ENOMEM : TERN_OK;
}

size_t tern_printable_copy(char *dst, size_t size, const char *src)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t len = strlen(src), i = 0, o = 0, n, w;
    char esc[8];

    if (!size)
        return 0;
    while (i < len) {
        const char *from = (const char *)p + i;

        w = n = 0;
        if (printable_unit(p + i, len - i, &n, esc)) {
            from = esc;
            w = strlen(esc);
        } else {
            w = n;
        }
        if (o + w >= size)
            break;
        memmove(dst + o, from, w);
        o += w;
        i += n;
    }
    dst[o] = '\0';
    return i;
}

char *tern_printable_strndup(const char *s, size_t len)
{
    tern_buf b = TERN_BUF_INIT;

    if (!s)
        return NULL;
    if (tern_buf_grow(&b, len) != TERN_OK ||
        tern_buf_put_printable(&b, s, len) != TERN_OK) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}

int tern_read_whole_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t alloc = 8192, got = 0;
    char *buf;

    if (!f)
        return TERN_ERROR;
    buf = tern_malloc(alloc);
    while (buf) {
        got += fread(buf + got, 1, alloc - got, f);
        if (got < alloc)
            break;
        alloc *= 2;
        {
            char *nb = tern_realloc(buf, alloc);

            if (!nb)
                tern_free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        return TERN_ENOMEM;
    *text = buf;
    *len = got;
    return TERN_OK;
}
