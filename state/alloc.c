/*
 * SQLite's allocations through tern's allocator (src/util/alloc.h), so
 * the out-of-memory walks of the tests reach SQLite's failure paths too
 * (docs/STYLE.md rule 12).
 *
 * sqlite3_mem_methods must answer xSize for any live allocation; tern's
 * allocator does not know sizes, so each block carries its size in an
 * 8-byte header before the memory SQLite sees, as SQLite's own mem1.c
 * does without malloc_usable_size. SQLite needs 8-byte alignment only
 * (sqlite3.h, SQLITE_CONFIG_MALLOC), which malloc + 8 keeps.
 */
#include "state_internal.h"

#include <pthread.h>

#include "util/alloc.h"

typedef sqlite3_int64 mem_header;

static void *mem_malloc(int n)
{
    mem_header *p;

    if (n <= 0)
        return NULL;
    p = tern_malloc(sizeof(*p) + (size_t)n);
    if (!p)
        return NULL;
    p[0] = n;
    return p + 1;
}

static void mem_free(void *ptr)
{
    if (ptr)
        tern_free((mem_header *)ptr - 1);
}

static void *mem_realloc(void *ptr, int n)
{
    mem_header *p;

    if (n <= 0)
        return NULL;
    p = tern_realloc((mem_header *)ptr - 1, sizeof(*p) + (size_t)n);
    if (!p)
        return NULL;
    p[0] = n;
    return p + 1;
}

static int mem_size(void *ptr)
{
    return ptr ? (int)((mem_header *)ptr - 1)[0] : 0;
}

static int mem_roundup(int n)
{
    return (n + 7) & ~7;
}

static int mem_init(void *app)
{
    (void)app;
    return SQLITE_OK;
}

static void mem_shutdown(void *app)
{
    (void)app;
}

static const sqlite3_mem_methods tern_mem = {
    mem_malloc,  mem_free, mem_realloc,  mem_size,
    mem_roundup, mem_init, mem_shutdown, NULL,
};

static pthread_once_t route_once = PTHREAD_ONCE_INIT;
static int route_rc = TERN_ERROR;

static void route(void)
{
    route_rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &tern_mem) == SQLITE_OK
                   ? TERN_OK
                   : TERN_ERROR;
}

int tern_state_use_tern_allocator(void)
{
    pthread_once(&route_once, route);
    return route_rc;
}
