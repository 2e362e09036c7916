#include "util/vec.h"

#include <stdint.h>
#include <string.h>

int tern__vec_reserve(void *items, size_t *cap, size_t need, size_t elem)
{
    size_t alloc = *cap;
    void *p;

    if (need <= alloc)
        return TERN_OK;
    if (alloc < TERN_VEC_MIN)
        alloc = TERN_VEC_MIN;
    while (alloc < need)
        alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
    /* The byte size must fit: a wrapped product would allocate too little
     * and every later index would write past it. */
    if (elem && alloc > SIZE_MAX / elem) {
        if (need > SIZE_MAX / elem)
            return TERN_ENOMEM;
        alloc = SIZE_MAX / elem;
    }
    /* items points at the caller's T *; every object pointer has void *'s
     * representation on the platforms tern runs on (POSIX requires it). */
    memcpy(&p, items, sizeof(p));
    p = tern_realloc(p, alloc * elem);
    if (!p)
        return TERN_ENOMEM;
    memcpy(items, &p, sizeof(p));
    *cap = alloc;
    return TERN_OK;
}
