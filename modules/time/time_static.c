/*
 * time_static: a timestamp kept in the state: rfc3339 as configured, else
 * the time of the create (UTC), broken down into year, month, day, hour,
 * minute and second (in the timestamp's own offset, as Go's time.Time
 * methods give them) and unix. id is rfc3339. No service: read changes
 * nothing, delete forgets it; a change of rfc3339 or triggers replaces
 * it. Import: the RFC 3339 timestamp.
 */
#include "time_common.h"

static const tern_attr schema[] = {
    {"day", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"hour", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"minute", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"month", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"rfc3339", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     0},
    {"second", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"triggers", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"unix", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"year", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int state(json_t **out, tern_op *op, const char *rfc3339,
                 json_t *triggers, const char *summary)
{
    struct tern__rfc3339 t;
    char why[256];

    if (tern__rfc3339_parse(rfc3339, &t, why, sizeof(why)))
        return tern__time_fail(op, TERN_EINVALID, summary,
                               "The timestamp could not be parsed as "
                               "RFC3339.\n\nOriginal Error: %s",
                               why);
    *out =
        json_pack("{s:I, s:I, s:s, s:I, s:I, s:s, s:I, s:I, s:I}", "day",
                  (json_int_t)t.day, "hour", (json_int_t)t.hour, "id", rfc3339,
                  "minute", (json_int_t)t.minute, "month", (json_int_t)t.month,
                  "rfc3339", rfc3339, "second", (json_int_t)t.second, "unix",
                  (json_int_t)t.unix_, "year", (json_int_t)t.year);
    if (*out && triggers && json_object_set(*out, "triggers", triggers)) {
        json_decref(*out);
        *out = NULL;
    }
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int static_create(json_t **out, tern_op *op, const json_t *desired)
{
    const char *rfc3339 =
        json_string_value(json_object_get(desired, "rfc3339"));
    char now[32];

    if (!rfc3339) {
        tern__rfc3339_now(now);
        rfc3339 = now;
    }
    return state(out, op, rfc3339, json_object_get(desired, "triggers"),
                 "Create time static error");
}

static int static_read(json_t **out, tern_op *op, const json_t *prior)
{
    (void)op;
    *out = json_deep_copy(prior);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int static_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

static int static_import(json_t **out, tern_op *op, const char *id)
{
    return state(out, op, id, NULL, "Import time static error");
}

const tern_module tern_module_time_static = {TERN_MODULE_VERSION,
                                             "time_static",
                                             TERN_MODULE_RESOURCE,
                                             "time",
                                             schema,
                                             static_read,
                                             static_create,
                                             NULL,
                                             static_delete,
                                             static_import,
                                             NULL};
