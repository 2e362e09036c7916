/*
 * The lint that keeps JSON builders checked (docs/STYLE.md rule 12 and
 * rule 29): force-included into every source file of tern's own targets
 * (CMakeLists.txt, `-include util/json_checked.h`), it marks Jansson's
 * functions that set, append, insert or update `warn_unused_result`, so a
 * call whose failure nobody looks at (a member silently left out of a
 * document when memory runs out) fails the -Werror build. Check the
 * result, or go through util/json.h (tern_json_set, tern_json_append),
 * which does. GCC warns even through a (void) cast: there is no way to
 * ignore these by accident.
 *
 * The static inline wrappers (json_object_set, json_array_append, ...)
 * are declared, with the attribute, before jansson.h defines them: clang
 * ignores an attribute that follows a definition. Not for tern-sim nor
 * the tests, which build fixtures with unchecked calls on purpose.
 */
#ifndef TERN_UTIL_JSON_CHECKED_H
#define TERN_UTIL_JSON_CHECKED_H

#include <stddef.h>

#if defined(__GNUC__)
#define TERN__JSON_CHECKED __attribute__((warn_unused_result))
#else
#define TERN__JSON_CHECKED
#endif

/* jansson.h defines it again, as the same type (C11 allows that). */
typedef struct json_t json_t;

/* jansson.h's inline wrappers, declared first (see above). */
static inline int json_object_set(json_t *object, const char *key,
                                  json_t *value) TERN__JSON_CHECKED;
static inline int json_object_setn(json_t *object, const char *key,
                                   size_t key_len,
                                   json_t *value) TERN__JSON_CHECKED;
static inline int json_object_set_nocheck(json_t *object, const char *key,
                                          json_t *value) TERN__JSON_CHECKED;
static inline int json_object_setn_nocheck(json_t *object, const char *key,
                                           size_t key_len,
                                           json_t *value) TERN__JSON_CHECKED;
static inline int json_object_iter_set(json_t *object, void *iter,
                                       json_t *value) TERN__JSON_CHECKED;
static inline int json_object_update_new(json_t *object,
                                         json_t *other) TERN__JSON_CHECKED;
static inline int json_object_update_existing_new(json_t *object, json_t *other)
    TERN__JSON_CHECKED;
static inline int json_object_update_missing_new(json_t *object, json_t *other)
    TERN__JSON_CHECKED;
static inline int json_array_set(json_t *array, size_t ind,
                                 json_t *value) TERN__JSON_CHECKED;
static inline int json_array_append(json_t *array,
                                    json_t *value) TERN__JSON_CHECKED;
static inline int json_array_insert(json_t *array, size_t ind,
                                    json_t *value) TERN__JSON_CHECKED;

#include <jansson.h>

/* The library's own, declared again with the attribute. */
int json_object_set_new(json_t *object, const char *key,
                        json_t *value) TERN__JSON_CHECKED;
int json_object_setn_new(json_t *object, const char *key, size_t key_len,
                         json_t *value) TERN__JSON_CHECKED;
int json_object_set_new_nocheck(json_t *object, const char *key,
                                json_t *value) TERN__JSON_CHECKED;
int json_object_setn_new_nocheck(json_t *object, const char *key,
                                 size_t key_len,
                                 json_t *value) TERN__JSON_CHECKED;
int json_object_iter_set_new(json_t *object, void *iter,
                             json_t *value) TERN__JSON_CHECKED;
int json_object_update(json_t *object, json_t *other) TERN__JSON_CHECKED;
int json_object_update_existing(json_t *object,
                                json_t *other) TERN__JSON_CHECKED;
int json_object_update_missing(json_t *object,
                               json_t *other) TERN__JSON_CHECKED;
int json_object_update_recursive(json_t *object,
                                 json_t *other) TERN__JSON_CHECKED;
int json_array_set_new(json_t *array, size_t index,
                       json_t *value) TERN__JSON_CHECKED;
int json_array_append_new(json_t *array, json_t *value) TERN__JSON_CHECKED;
int json_array_insert_new(json_t *array, size_t index,
                          json_t *value) TERN__JSON_CHECKED;
int json_array_extend(json_t *array, json_t *other) TERN__JSON_CHECKED;

#endif
