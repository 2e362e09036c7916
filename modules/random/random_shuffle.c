/*
 * random_shuffle: `input` in a random order, as the provider makes it:
 * whole permutations of the input, one after another, until result_count
 * elements (default: the input's length) are taken, so a result_count
 * above the input's length repeats elements. The permutations come from
 * the OS CSPRNG, or, when `seed` is set, from the deterministic generator
 * of that seed (random_common.h). id is "-". No service. The provider
 * has no import for it; neither has tern (the error says so).
 */
#include "random_common.h"

#include "util/alloc.h"

static const tern_attr schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"input", TERN_TYPE_LIST_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"keepers", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"result", TERN_TYPE_LIST_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"result_count", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"seed", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int shuffle_create(json_t **out, tern_op *op, const json_t *desired)
{
    const json_t *input = json_object_get(desired, "input");
    size_t n = json_array_size(input), i;
    int64_t count = tern__rand_int(desired, "result_count");
    json_t *result = json_array();
    struct tern__rng r;
    size_t *perm = NULL;
    int error = TERN_OK;

    *out = NULL;
    if (count < 0) {
        json_decref(result);
        return tern__rand_fail(op, TERN_EINVALID, "Invalid Attribute Value",
                               "Attribute result_count value must be at least "
                               "0, got: %lld",
                               (long long)count);
    }
    if (count == 0)
        count = (int64_t)n;
    perm = tern_calloc(n ? n : 1, sizeof(*perm));
    TERN_CHECK_ALLOC(result);
    TERN_CHECK_ALLOC(perm);
    tern__rng_init(&r, op, json_string_value(json_object_get(desired, "seed")));
    while (n && (int64_t)json_array_size(result) < count) {
        /* One permutation (Fisher-Yates), taken in order. */
        for (i = 0; i < n; i++)
            perm[i] = i;
        for (i = n - 1; i > 0; i--) {
            uint64_t j;
            size_t t;

            if ((error = tern__rng_below(&r, (uint64_t)i + 1, &j)))
                goto done;
            t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (i = 0; i < n && (int64_t)json_array_size(result) < count; i++)
            if (json_array_append(result, json_array_get(input, perm[i]))) {
                error = TERN_ENOMEM;
                goto done;
            }
    }
    *out = json_deep_copy(desired);
    TERN_CHECK_ALLOC(*out);
    if (json_object_set_new(*out, "id", json_string("-")) ||
        json_object_set(*out, "result", result)) {
        error = TERN_ENOMEM;
        goto done;
    }
done:
    if (error) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(result);
    tern_free(perm);
    return error;
}

static int shuffle_import(json_t **out, tern_op *op, const char *id)
{
    (void)id;
    *out = NULL;
    /* terraform-plugin-framework's words for a resource without
     * ImportState (internal/fwserver/server_importresourcestate.go). */
    return tern__rand_fail(op, TERN_EINVALID, "Resource Import Not Implemented",
                           "This resource does not support import. Please "
                           "contact the provider developer for additional "
                           "information.");
}

static int shuffle_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

const tern_module tern_module_random_shuffle = {TERN_MODULE_VERSION,
                                                "random_shuffle",
                                                TERN_MODULE_RESOURCE,
                                                "random",
                                                schema,
                                                tern__rand_read,
                                                shuffle_create,
                                                NULL,
                                                shuffle_delete,
                                                shuffle_import,
                                                NULL};
