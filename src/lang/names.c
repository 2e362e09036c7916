/*
 * A set of names, each with the caller's index: open addressing over
 * borrowed strings (the configuration's arena keeps them). Duplicate
 * argument and local checks use it, so that a body or a module of tens of
 * thousands of names loads in linear time (issue 20, finding 7: a
 * 40,000-attribute locals block took 5.75 s, comparing every name with
 * every earlier one).
 */
#include "lang/lang.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603ull & SIZE_MAX;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * (size_t)1099511628211ull;
    return h;
}

int tern__nameset_add(struct tern__nameset *n, const char *name, size_t idx,
                      size_t *found)
{
    size_t i, mask;

    *found = SIZE_MAX;
    if ((n->used + 1) * 2 > n->size) {
        size_t size = n->size ? n->size * 2 : 16, j;
        struct tern__nameset_slot *slots;

        if (size > SIZE_MAX / sizeof(*slots))
            return TERN_ENOMEM;
        slots = tern_calloc(size, sizeof(*slots));
        if (!slots)
            return TERN_ENOMEM;
        for (j = 0; j < n->size; j++) {
            if (!n->slots[j].name)
                continue;
            for (i = name_hash(n->slots[j].name) & (size - 1); slots[i].name;
                 i = (i + 1) & (size - 1))
                ;
            slots[i] = n->slots[j];
        }
        tern_free(n->slots);
        n->slots = slots;
        n->size = size;
    }
    mask = n->size - 1;
    for (i = name_hash(name) & mask; n->slots[i].name; i = (i + 1) & mask)
        if (strcmp(n->slots[i].name, name) == 0) {
            *found = n->slots[i].idx;
            return TERN_OK;
        }
    n->slots[i].name = name;
    n->slots[i].idx = idx;
    n->used++;
    return TERN_OK;
}

int tern__nameset_find(const struct tern__nameset *n, const char *name,
                       size_t *found)
{
    size_t i, mask;

    if (!n->size)
        return 0;
    mask = n->size - 1;
    for (i = name_hash(name) & mask; n->slots[i].name; i = (i + 1) & mask)
        if (strcmp(n->slots[i].name, name) == 0) {
            if (found)
                *found = n->slots[i].idx;
            return 1;
        }
    return 0;
}

void tern__nameset_release(struct tern__nameset *n)
{
    tern_free(n->slots);
    memset(n, 0, sizeof(*n));
}
