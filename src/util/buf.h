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
/*
 * Append s[0..len) with everything that could drive a terminal made
 * visible (issue 20, finding 14): C0 controls other than newline and tab,
 * and DEL, as "\x1b"; the C1 controls (U+0080..U+009F) as "\u009b";
 * bytes that are not UTF-8 as "\xff". Used on what servers send before it
 * can reach a message or a log.
 */
int tern_buf_put_printable(tern_buf *b, const char *s, size_t len);
/* The same as a new string (NULL for a NULL s or out of memory). */
char *tern_printable_strndup(const char *s, size_t len);
/* The same into dst[size], cut at a whole character; no allocation. dst
 * must not overlap src. Returns how many bytes of src were copied. */
size_t tern_printable_copy(char *dst, size_t size, const char *src);
void tern_buf_clear(tern_buf *b);
/* Free the contents; the buffer may be reused. */
void tern_buf_release(tern_buf *b);
/* Hand over the string (never NULL unless oom); the buffer is reset. */
char *tern_buf_detach(tern_buf *b);
/* The contents, "" for an empty buffer. */
const char *tern_buf_cstr(const tern_buf *b);
int tern_buf_oom(const tern_buf *b);

/*
 * The whole of the file at @path into *text (not NUL-terminated; caller
 * frees) and *len. TERN_ERROR with errno set when it cannot be opened;
 * TERN_ENOMEM. A read error ends the text early, as at end of file.
 */
int tern_read_whole_file(const char *path, char **text, size_t *len);

#endif
