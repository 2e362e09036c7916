/*
 * Building JSON with every set and append checked, the way tern_buf keeps
 * an allocation failure in `oom` (util/buf.h): a builder keeps one
 * `int oom = 0`, hands it to each tern_json_set()/tern_json_append(), and
 * checks it once at the end with tern_json_done(). A constructor that
 * could not allocate gives NULL, which the set or append then refuses;
 * Jansson's json_object_set_new() and json_array_append_new() release the
 * value they were given when they fail, so nothing leaks.
 */
#ifndef TERN_UTIL_JSON_H
#define TERN_UTIL_JSON_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "tern/diag.h"
#include "util/alloc.h"

/* o[key] = v, stealing v; a failure (v NULL included) sets *oom. */
static inline void tern_json_set(int *oom, json_t *o, const char *key,
                                 json_t *v)
{
    if (json_object_set_new(o, key, v) != 0)
        *oom = 1;
}

/* Append v to a, stealing v; a failure (v NULL included) sets *oom. */
static inline void tern_json_append(int *oom, json_t *a, json_t *v)
{
    if (json_array_append_new(a, v) != 0)
        *oom = 1;
}

/* o when nothing failed; else NULL, o released. */
static inline json_t *tern_json_done(int oom, json_t *o)
{
    if (oom || !o) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/*
 * json_loads(), telling a parse that ran out of memory (*oom set, NULL)
 * from text that does not parse: Jansson reports a string it could not
 * allocate as an invalid token, so the allocator's failure count
 * (tern_alloc_failures) decides. A document parsed while an allocation
 * failed is dropped too: Jansson's lexer ignores a failure to grow the
 * token it is saving (lex_save), and a string would come back one byte
 * short.
 */
static inline json_t *tern_json_loads(const char *text, size_t flags, int *oom)
{
    unsigned long failed = tern_alloc_failures();
    json_t *j = json_loads(text, flags, NULL);

    if (tern_alloc_failures() != failed) {
        json_decref(j);
        j = NULL;
        *oom = 1;
    }
    return j;
}

/* json_loadb() the same way, with Jansson's error in @err (may be NULL):
 * meaningful only when *oom stayed clear. */
static inline json_t *tern_json_loadb(const char *buf, size_t len, size_t flags,
                                      json_error_t *err, int *oom)
{
    unsigned long failed = tern_alloc_failures();
    json_t *j = json_loadb(buf, len, flags, err);

    if (tern_alloc_failures() != failed) {
        json_decref(j);
        j = NULL;
        *oom = 1;
    }
    return j;
}

/* json_load_file() the same way. */
static inline json_t *tern_json_load_file(const char *path, size_t flags,
                                          json_error_t *err, int *oom)
{
    unsigned long failed = tern_alloc_failures();
    json_t *j = json_load_file(path, flags, err);

    if (tern_alloc_failures() != failed) {
        json_decref(j);
        j = NULL;
        *oom = 1;
    }
    return j;
}

/* json_dumps() (a C-allocator string, free()), NULL when any allocation
 * failed on the way: Jansson's encoder can drop a piece it could not
 * append and carry on, handing back a document short of a key. */
static inline char *tern_json_dumps(const json_t *j, size_t flags)
{
    unsigned long failed = tern_alloc_failures();
    char *text = json_dumps(j, flags);

    if (text && tern_alloc_failures() != failed) {
        free(text); /* Jansson's, from the C allocator */
        text = NULL;
    }
    return text;
}

/* json_dump_file() whole or not at all: the document is encoded first
 * (tern_json_dumps; TERN_ENOMEM, @path untouched, when it could not be),
 * then written to @path, created or truncated. TERN_ERROR with errno set
 * when the file could not be written. */
static inline int tern_json_dump_file(const json_t *j, const char *path,
                                      size_t flags)
{
    char *text = tern_json_dumps(j, flags);
    FILE *f;
    int error = TERN_OK;

    if (!text)
        return TERN_ENOMEM;
    f = fopen(path, "w");
    if (!f)
        error = TERN_ERROR;
    else if (fputs(text, f) == EOF) {
        error = TERN_ERROR;
        fclose(f);
    } else if (fclose(f) != 0)
        error = TERN_ERROR;
    free(text); /* Jansson's, from the C allocator */
    return error;
}

/* json_copy() (shallow), NULL when any allocation failed on the way:
 * Jansson's object copy ignores a member it could not set (json_deep_copy
 * checks each one). */
static inline json_t *tern_json_copy(const json_t *j)
{
    unsigned long failed = tern_alloc_failures();
    json_t *c = json_copy((json_t *)j);

    if (tern_alloc_failures() != failed) {
        json_decref(c);
        c = NULL;
    }
    return c;
}

/* Whether @m, a sensitivity mask (true, or arrays and objects of masks,
 * as show -json's sensitive_values), is true anywhere. */
static inline int tern_json_any_true(const json_t *m)
{
    const char *k;
    json_t *x;
    size_t i;

    if (json_is_true(m))
        return 1;
    json_array_foreach((json_t *)m, i, x) if (tern_json_any_true(x)) return 1;
    json_object_foreach((json_t *)m, k, x) if (tern_json_any_true(x)) return 1;
    return 0;
}

#endif
