/*
 * random_uuid: 16 bytes from the OS CSPRNG in the 8-4-4-4-12 hexadecimal
 * form, without version bits, as hashicorp/go-uuid's GenerateUUID makes
 * it (the provider's); id is the same. No service. Import: the UUID
 * (any case; stored in lower case).
 */
#include "random_common.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const tern_attr schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"keepers", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"result", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static json_t *state(const char *uuid, json_t *keepers)
{
    json_t *st = json_pack("{s:s, s:s}", "id", uuid, "result", uuid);

    if (st && keepers && json_object_set(st, "keepers", keepers)) {
        json_decref(st);
        return NULL;
    }
    return st;
}

static int uuid_create(json_t **out, tern_op *op, const json_t *desired)
{
    unsigned char b[16];
    char s[37];
    struct tern__rng r;
    int error, i, k = 0;

    tern__rng_init(&r, op, NULL);
    if ((error = tern__rng_bytes(&r, b, sizeof(b))))
        return error;
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s[k++] = '-';
        snprintf(s + k, 3, "%02x", b[i]);
        k += 2;
    }
    *out = state(s, json_object_get(desired, "keepers"));
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int uuid_import(json_t **out, tern_op *op, const char *id)
{
    char s[37];
    size_t i;

    if (strlen(id) != 36)
        goto bad;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (id[i] != '-')
                goto bad;
        } else if (!isxdigit((unsigned char)id[i])) {
            goto bad;
        }
        s[i] = (char)tolower((unsigned char)id[i]);
    }
    s[36] = '\0';
    *out = state(s, NULL);
    return *out ? TERN_OK : TERN_ENOMEM;
bad:
    return tern__rand_fail(op, TERN_EINVALID, "Import Random UUID Error",
                           "While attempting to import a random UUID there "
                           "was a parsing error.\n\nOriginal Error: uuid "
                           "string is wrong length or format: \"%s\"",
                           id);
}

static int uuid_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

const tern_module tern_module_random_uuid = {TERN_MODULE_VERSION,
                                             "random_uuid",
                                             TERN_MODULE_RESOURCE,
                                             "random",
                                             schema,
                                             tern__rand_read,
                                             uuid_create,
                                             NULL,
                                             uuid_delete,
                                             uuid_import,
                                             NULL};
