/*
 * Allocation through one place, so a test can fail the Nth allocation and
 * walk every out-of-memory path (docs/STYLE.md rule 12).
 */
#ifndef TERN_UTIL_ALLOC_H
#define TERN_UTIL_ALLOC_H

#include <stddef.h>

void *tern_malloc(size_t size);
void *tern_calloc(size_t n, size_t size);
void *tern_realloc(void *p, size_t size);
void tern_free(void *p);
char *tern_strdup(const char *s);
char *tern_strndup(const char *s, size_t n);
/* printf into a new string; NULL on allocation failure. */
char *tern_asprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/*
 * How many allocations have failed on this thread so far. A library that
 * does not say why it failed (Jansson's parser reports a string it could
 * not allocate as an invalid token) is asked before and after: a change
 * means memory, not the input, was the cause.
 */
unsigned long tern_alloc_failures(void);

/*
 * Make the Nth allocation from now (1 = the next) and every later one fail;
 * 0 turns failure injection off. Returns how many allocations were made
 * since the last call, for tests that walk every path. Defined only in
 * the test programs' copy of alloc.c (TERN_FAULT_INJECTION).
 */
unsigned long tern__alloc_fail_after(unsigned long n);

/*
 * Make only the Nth allocation from now fail (the later ones succeed), so
 * that a walk also sees what a caller that carries on does with the one
 * failure: a member silently left out of a document shows as a document
 * that differs, where with every later allocation failing too the end
 * result would fail anyway. tern__alloc_fail_after() ends it. Test
 * programs only, as above.
 */
unsigned long tern__alloc_fail_once(unsigned long n);

#define TERN_CHECK_ALLOC(p)                                                    \
    do {                                                                       \
        if ((p) == NULL) {                                                     \
            error = TERN_ENOMEM;                                               \
            goto done;                                                         \
        }                                                                      \
    } while (0)

#endif
