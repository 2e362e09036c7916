/*
 * A growable byte buffer, always NUL-terminated (after git's strbuf).
 * Zero-initialise or use TERN_BUF_INIT. On allocation failure the buffer
 * keeps its contents and records the failure in `oom`; callers check once
 * at the end with tern_buf_oom() instead of after every append.
 */
#ifndef TERN_UTIL_BUF_H
#define TERN_UTIL_BUF_H

#include <stddef.h>

typedef struct tern_buf {
    char *ptr;
    size_t len;
    size_t alloc;
    int oom;
} tern_buf;

#define TERN_BUF_INIT                                                          \
    {                                                                          \
        NULL, 0, 0, 0                                                          \
    }

int tern_buf_grow(tern_buf *b, size_t extra);
int tern_buf_put(tern_buf *b, const void *data, size_t len);
int tern_buf_puts(tern_buf *b, const char *s);
int tern_buf_putc(tern_buf *b, char c);
int tern_buf_printf(tern_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Hex of the bytes, lower case. */
int tern_buf_put_hex(tern_buf *b, const unsigned char *data, size_t len);
void tern_buf_clear(tern_buf *b);
/* Free the contents; the buffer may be reused. */
void tern_buf_release(tern_buf *b);
/* Hand over the string (never NULL unless oom); the buffer is reset. */
char *tern_buf_detach(tern_buf *b);
/* The contents, "" for an empty buffer. */
const char *tern_buf_cstr(const tern_buf *b);
int tern_buf_oom(const tern_buf *b);

#endif
