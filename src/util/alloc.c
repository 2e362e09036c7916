#include "util/alloc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef TERN_FAULT_INJECTION
/*
 * Test builds only (tests/unit/alloc_inject.c compiles this file with
 * TERN_FAULT_INJECTION into the test programs, which then never link the
 * library's copy): the release build pays nothing per allocation.
 *
 * 0: no injection. Otherwise the count of allocations still allowed + 1.
 */
#include <execinfo.h>
#include <unistd.h>

static atomic_ulong fail_countdown;
static atomic_ulong alloc_count;
static atomic_int traced;
static atomic_int fail_once; /* only the one allocation fails */

/* TERN_ALLOC_TRACE set: the stack of the first allocation made to fail,
 * on stderr (addresses for addr2line), to find the path a walk breaks. */
static void trace_first_failure(void)
{
    void *frames[32];
    int n;

    if (atomic_exchange(&traced, 1) || !getenv("TERN_ALLOC_TRACE"))
        return;
    n = backtrace(frames, 32);
    fprintf(stderr, "# allocation failed here:\n");
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
}

static int should_fail(void)
{
    unsigned long left;

    atomic_fetch_add(&alloc_count, 1);
    left = atomic_load(&fail_countdown);
    if (left == 0)
        return 0;
    if (left == 1) {
        trace_first_failure();
        if (atomic_load(&fail_once))
            atomic_store(&fail_countdown, 0);
        return 1;
    }
    atomic_fetch_sub(&fail_countdown, 1);
    return 0;
}

unsigned long tern__alloc_fail_after(unsigned long n)
{
    atomic_store(&fail_once, 0);
    atomic_store(&fail_countdown, n);
    atomic_store(&traced, 0);
    return atomic_exchange(&alloc_count, 0);
}

unsigned long tern__alloc_fail_once(unsigned long n)
{
    unsigned long made = tern__alloc_fail_after(0);

    atomic_store(&fail_once, 1);
    atomic_store(&fail_countdown, n);
    return made;
}
#else
#define should_fail() 0
#endif

/* Failed allocations of this thread (tern_alloc_failures). */
static _Thread_local unsigned long failures;

void *tern_malloc(size_t size)
{
    void *p = should_fail() ? NULL : malloc(size ? size : 1);

    if (!p)
        failures++;
    return p;
}

void *tern_calloc(size_t n, size_t size)
{
    void *p = should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);

    if (!p)
        failures++;
    return p;
}

void *tern_realloc(void *p, size_t size)
{
    void *q = should_fail() ? NULL : realloc(p, size ? size : 1);

    if (!q)
        failures++;
    return q;
}

unsigned long tern_alloc_failures(void)
{
    return failures;
}

void tern_free(void *p)
{
    free(p);
}

char *tern_strndup(const char *s, size_t n)
{
    char *copy;
    size_t len = 0;

    while (len < n && s[len])
        len++;
    copy = tern_malloc(len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *tern_strdup(const char *s)
{
    return s ? tern_strndup(s, strlen(s)) : NULL;
}

char *tern_asprintf(const char *fmt, ...)
{
    va_list ap;
    int len;
    char *out, small[256];

    /* Most texts are short: format them once, into @small, and copy;
     * only a longer one is measured first and formatted again (issue 19). */
    va_start(ap, fmt);
    len = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    out = tern_malloc((size_t)len + 1);
    if (!out)
        return NULL;
    if ((size_t)len < sizeof(small)) {
        memcpy(out, small, (size_t)len + 1);
        return out;
    }
    va_start(ap, fmt);
    vsnprintf(out, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return out;
}
