/*
 * One growable array (issue 20): a typed pointer, a length and a capacity,
 * grown by doubling from a small minimum through tern_realloc. Growth
 * checks that the byte size fits in size_t: a capacity whose byte size
 * would overflow is refused with TERN_ENOMEM, never wrapped into a short
 * allocation. On failure the array keeps its elements and capacity.
 *
 *     TERN_VEC(struct item) items = TERN_VEC_INIT;
 *     if (tern_vec_push(&items, it) != TERN_OK) ...
 *     ... items.v[i], items.n ...
 *     tern_vec_release(&items);
 *
 * Arrays that live in an existing struct as `T *p; size_t n, cap;` grow
 * with TERN_VEC_RESERVE(p, cap, need) without changing their shape.
 */
#ifndef TERN_UTIL_VEC_H
#define TERN_UTIL_VEC_H

#include "tern/diag.h"
#include "util/alloc.h"

#include <stddef.h>

/* The smallest capacity a growing array gets. */
#define TERN_VEC_MIN 8

#define TERN_VEC(T)                                                            \
    struct {                                                                   \
        T *v;                                                                  \
        size_t n;                                                              \
        size_t cap;                                                            \
    }
#define TERN_VEC_INIT                                                          \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/*
 * Make *cap at least need elements of elem bytes each, *items being a
 * pointer to the array's pointer (any object pointer type). Doubles from
 * TERN_VEC_MIN; returns TERN_OK, or TERN_ENOMEM when the allocation fails
 * or need * elem overflows size_t, leaving *items and *cap unchanged.
 */
int tern__vec_reserve(void *items, size_t *cap, size_t need, size_t elem);

/* Arguments may be evaluated more than once: no side effects. */
#define TERN_VEC_RESERVE(p, cap, need)                                         \
    ((need) <= (cap) ? TERN_OK                                                 \
                     : tern__vec_reserve(&(p), &(cap), (need), sizeof(*(p))))
#define tern_vec_reserve(vec, need)                                            \
    TERN_VEC_RESERVE((vec)->v, (vec)->cap, (need))
/* Append x; TERN_OK or TERN_ENOMEM (the array unchanged). */
#define tern_vec_push(vec, x)                                                  \
    (tern_vec_reserve((vec), (vec)->n + 1) != TERN_OK                          \
         ? TERN_ENOMEM                                                         \
         : ((vec)->v[(vec)->n++] = (x), TERN_OK))
/* Free the elements' storage (not what they point to); reusable after. */
#define tern_vec_release(vec)                                                  \
    (tern_free((vec)->v), (vec)->v = NULL, (vec)->n = 0, (vec)->cap = 0)

#endif
