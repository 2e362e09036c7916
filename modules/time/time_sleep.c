/*
 * time_sleep: waits create_duration when it is created and
 * destroy_duration (as the state holds it) when it is destroyed, with
 * tern_op_sleep, so an interrupt (Ctrl-C) stops the wait and the CLI
 * shows "Still creating..." as for any long create. A change of triggers
 * replaces it (and so waits again); a change of either duration alone is
 * an update that does not wait, as the provider's. id is the time the
 * create finished (RFC 3339, UTC). No service: read changes nothing.
 * Import: "CREATE,DESTROY[,KEY=VALUE...]" with at least one duration.
 */
#include "time_common.h"

#include "util/alloc.h"

#include <string.h>

static const tern_attr schema[] = {
    {"create_duration", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"destroy_duration", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"triggers", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Wait @p what (a duration) unless it is unset. */
static int wait_for(tern_op *op, const char *what, const char *summary)
{
    long ms;

    if (!what || !*what)
        return TERN_OK;
    ms = tern__duration_ms(what);
    if (ms < 0)
        return tern__time_fail(op, TERN_EINVALID, summary,
                               "The duration \"%s\" cannot be parsed.", what);
    return tern_op_sleep(op, ms);
}

static json_t *with_id(const json_t *desired, const char *id)
{
    json_t *st = json_deep_copy(desired);

    if (st && json_object_set_new(st, "id", json_string(id))) {
        json_decref(st);
        return NULL;
    }
    return st;
}

static int sleep_create(json_t **out, tern_op *op, const json_t *desired)
{
    char now[32];
    int error;

    if (!str(desired, "create_duration") && !str(desired, "destroy_duration"))
        return tern__time_fail(op, TERN_EINVALID,
                               "Invalid Attribute Combination",
                               "At least one attribute out of "
                               "[create_duration,destroy_duration] must be "
                               "specified");
    if ((error = wait_for(op, str(desired, "create_duration"),
                          "Create time sleep error")))
        return error;
    tern__rfc3339_now(now);
    *out = with_id(desired, now);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int sleep_update(json_t **out, tern_op *op, const json_t *prior,
                        const json_t *desired)
{
    (void)op;
    *out = with_id(desired, str(prior, "id") ? str(prior, "id") : "");
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int sleep_read(json_t **out, tern_op *op, const json_t *prior)
{
    (void)op;
    *out = json_deep_copy(prior);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int sleep_delete(tern_op *op, const json_t *prior)
{
    return wait_for(op, str(prior, "destroy_duration"),
                    "Delete time sleep error");
}

static int sleep_import(json_t **out, tern_op *op, const char *id)
{
    char *copy = tern_strdup(id), *p, *next;
    json_t *triggers = json_object();
    char now[32];
    int n = 0, error = TERN_OK;
    const char *create = NULL, *destroy = NULL;

    *out = NULL;
    TERN_CHECK_ALLOC(copy);
    TERN_CHECK_ALLOC(triggers);
    for (p = copy; p; p = next, n++) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        if (n == 0) {
            create = p;
        } else if (n == 1) {
            destroy = p;
        } else {
            char *eq = strchr(p, '=');

            if (!eq || strchr(eq + 1, '=')) {
                error =
                    tern__time_fail(op, TERN_EINVALID, "Trigger import error",
                                    "Trigger import entries must be "
                                    "KEY=VALUE, got %s",
                                    p);
                goto done;
            }
            *eq = '\0';
            if (json_object_set_new(triggers, p, json_string(eq + 1))) {
                error = TERN_ENOMEM;
                goto done;
            }
        }
    }
    if (n < 2 || (!*create && !*destroy)) {
        error = tern__time_fail(
            op, TERN_EINVALID, "Unexpected Format of ID",
            "Unexpected format of ID (\"%s\"), expected "
            "CREATEDURATION,DESTROYDURATION,KEY=VALUE,KEY=VALUE... where at "
            "least one CREATEDURATION or DESTROYDURATION value is non-empty",
            id);
        goto done;
    }
    if ((*create && tern__duration_ms(create) < 0) ||
        (*destroy && tern__duration_ms(destroy) < 0)) {
        error = tern__time_fail(
            op, TERN_EINVALID, "Import time sleep error",
            "The %s cannot be parsed: \"%s\"",
            *create && tern__duration_ms(create) < 0 ? "create_duration"
                                                     : "destroy_duration",
            *create && tern__duration_ms(create) < 0 ? create : destroy);
        goto done;
    }
    tern__rfc3339_now(now);
    *out = json_pack("{s:s}", "id", now);
    TERN_CHECK_ALLOC(*out);
    if ((*create &&
         json_object_set_new(*out, "create_duration", json_string(create))) ||
        (*destroy &&
         json_object_set_new(*out, "destroy_duration", json_string(destroy))) ||
        (json_object_size(triggers) &&
         json_object_set(*out, "triggers", triggers))) {
        error = TERN_ENOMEM;
        goto done;
    }
done:
    if (error) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(triggers);
    tern_free(copy);
    return error;
}

const tern_module tern_module_time_sleep = {TERN_MODULE_VERSION,
                                            "time_sleep",
                                            TERN_MODULE_RESOURCE,
                                            "time",
                                            schema,
                                            sleep_read,
                                            sleep_create,
                                            sleep_update,
                                            sleep_delete,
                                            sleep_import,
                                            NULL};
