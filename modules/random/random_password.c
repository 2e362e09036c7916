/*
 * random_password: random_string whose result is sensitive (never shown
 * in plans, outputs or `state show`), with id "none" and bcrypt_hash, the
 * result's bcrypt hash at cost 10 (src/util/bcrypt.c), sensitive too.
 * Import: the ID is the password itself (its hash is computed).
 */
#include "random_common.h"

static const tern_attr schema[] = {
    {"bcrypt_hash", TERN_TYPE_STRING, TERN_ATTR_COMPUTED | TERN_ATTR_SENSITIVE,
     NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"result", TERN_TYPE_STRING, TERN_ATTR_COMPUTED | TERN_ATTR_SENSITIVE, NULL,
     NULL, 0},
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

static int password_create(json_t **out, tern_op *op, const json_t *desired)
{
    return tern__rand_string_create(out, op, desired, 1);
}

static int password_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

static int password_import(json_t **out, tern_op *op, const char *id)
{
    return tern__rand_string_import(out, op, id, 1);
}

const tern_module tern_module_random_password = {TERN_MODULE_VERSION,
                                                 "random_password",
                                                 TERN_MODULE_RESOURCE,
                                                 "random",
                                                 schema,
                                                 tern__rand_read,
                                                 password_create,
                                                 NULL,
                                                 password_delete,
                                                 password_import,
                                                 NULL};
