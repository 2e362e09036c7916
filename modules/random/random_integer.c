/*
 * random_integer: an integer in [min, max], from the OS CSPRNG, or, when
 * `seed` is set, from the deterministic generator of that seed
 * (random_common.h: the same seed always gives the same result in tern,
 * which is what the provider's seed is for, though not the number Go's
 * math/rand would draw). id is the result in decimal. No service.
 * Import: "RESULT,MIN,MAX" or "RESULT,MIN,MAX,SEED".
 */
#include "random_common.h"

#include "util/alloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tern_attr schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"keepers", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"max", TERN_TYPE_NUMBER, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"min", TERN_TYPE_NUMBER, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"result", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"seed", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static json_t *state(int64_t result, int64_t min, int64_t max, const char *seed,
                     json_t *keepers)
{
    char id[32];
    json_t *st;

    snprintf(id, sizeof(id), "%" PRId64, result);
    st = json_pack("{s:s, s:I, s:I, s:I}", "id", id, "max", (json_int_t)max,
                   "min", (json_int_t)min, "result", (json_int_t)result);
    if (st && seed && *seed &&
        json_object_set_new(st, "seed", json_string(seed))) {
        json_decref(st);
        return NULL;
    }
    if (st && keepers && json_object_set(st, "keepers", keepers)) {
        json_decref(st);
        return NULL;
    }
    return st;
}

static int integer_create(json_t **out, tern_op *op, const json_t *desired)
{
    int64_t min = tern__rand_int(desired, "min");
    int64_t max = tern__rand_int(desired, "max");
    const char *seed = json_string_value(json_object_get(desired, "seed"));
    struct tern__rng r;
    uint64_t span, v;
    int error;

    if (max < min)
        return tern__rand_fail(op, TERN_EINVALID, "Create Random Integer Error",
                               "The minimum (min) value needs to be smaller "
                               "than or equal to maximum (max) value.");
    tern__rng_init(&r, op, seed);
    span = (uint64_t)max - (uint64_t)min + 1;
    if (span == 0) {
        unsigned char b[8];
        int k;

        /* The whole int64 range. */
        if ((error = tern__rng_bytes(&r, b, sizeof(b))))
            return error;
        for (v = 0, k = 0; k < 8; k++)
            v = v << 8 | b[k];
    } else if ((error = tern__rng_below(&r, span, &v))) {
        return error;
    }
    *out = state((int64_t)((uint64_t)min + v), min, max, seed,
                 json_object_get(desired, "keepers"));
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int parse(tern_op *op, const char *s, const char *what, int64_t *v)
{
    char *end = NULL;

    errno = 0;
    *v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return tern__rand_fail(op, TERN_EINVALID, "Import Random Integer Error",
                               "The %svalue supplied could not be parsed as "
                               "an integer.\n\nOriginal Error: "
                               "strconv.ParseInt: parsing \"%s\": %s",
                               what, s,
                               errno ? "value out of range" : "invalid syntax");
    return TERN_OK;
}

static int integer_import(json_t **out, tern_op *op, const char *id)
{
    char *copy = tern_strdup(id), *parts[5], *p;
    int64_t result, min, max;
    size_t n = 0;
    int error = TERN_OK;

    if (!copy)
        return TERN_ENOMEM;
    for (p = copy; n < 5;) {
        parts[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = '\0';
    }
    if (n != 3 && n != 4) {
        error =
            tern__rand_fail(op, TERN_EINVALID, "Import Random Integer Error",
                            "Invalid import usage: expecting "
                            "{result},{min},{max} or "
                            "{result},{min},{max},{seed}");
        goto done;
    }
    if ((error = parse(op, parts[0], "", &result)) ||
        (error = parse(op, parts[1], "min ", &min)) ||
        (error = parse(op, parts[2], "max ", &max)))
        goto done;
    *out = state(result, min, max, n == 4 ? parts[3] : NULL, NULL);
    if (!*out)
        error = TERN_ENOMEM;
done:
    tern_free(copy);
    return error;
}

static int integer_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

const tern_module tern_module_random_integer = {TERN_MODULE_VERSION,
                                                "random_integer",
                                                TERN_MODULE_RESOURCE,
                                                "random",
                                                schema,
                                                tern__rand_read,
                                                integer_create,
                                                NULL,
                                                integer_delete,
                                                integer_import,
                                                NULL};
