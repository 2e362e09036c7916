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
    int len;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || tern_buf_grow(b, (size_t)len) != TERN_OK) {
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
