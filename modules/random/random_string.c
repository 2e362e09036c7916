/*
 * random_string: a random string of `length` characters from the enabled
 * classes (upper, lower, numeric, special or override_special), with at
 * least min_upper, min_lower, min_numeric and min_special characters of
 * each (random_common.c). No service: create draws it from the OS CSPRNG,
 * read changes nothing, delete forgets it. Every argument, keepers
 * included, replaces it. Import: the ID is the string itself; length is
 * its length and the other arguments take their defaults.
 */
#include "random_common.h"

static const tern_attr schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"result", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"keepers", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"length", TERN_TYPE_NUMBER, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"lower", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"min_lower", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"min_numeric", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"min_special", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"min_upper", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    /* Deprecated for numeric; either false leaves digits out. */
    {"number", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"numeric", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"override_special", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL, NULL, 0},
    {"special", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"upper", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int string_create(json_t **out, tern_op *op, const json_t *desired)
{
    return tern__rand_string_create(out, op, desired, 0);
}

static int string_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

static int string_import(json_t **out, tern_op *op, const char *id)
{
    return tern__rand_string_import(out, op, id, 0);
}

const tern_module tern_module_random_string = {TERN_MODULE_VERSION,
                                               "random_string",
                                               TERN_MODULE_RESOURCE,
                                               "random",
                                               schema,
                                               tern__rand_read,
                                               string_create,
                                               NULL,
                                               string_delete,
                                               string_import,
                                               NULL};
