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

/* Upstream's ImportState (terraform-provider-time
 * internal/provider/resource_time_sleep.go): the ID split at ',', its
 * format checked, then each duration by Go's time.ParseDuration, then the
 * triggers, in that order and with its words (the destroy duration's
 * error names create_duration, the "+" and the detail's raw-string line
 * break and tabs included). */
static int sleep_import_check(tern_op *op, const char *id, char **part, int n)
{
    char msg[512];
    int k;

    if (n < 2 || (!*part[0] && !*part[1]))
        return tern__time_fail(
            op, TERN_EINVALID, "Unexpected Format of ID",
            "Unexpected format of ID (\"%s\"), expected "
            "CREATEDURATION,DESTROYDURATION,KEY=VALUE,KEY=VALUE... \",\n"
            "\t\t\t\twhere at least one CREATIONDURATION or DESTROYDURATION "
            "value is non-empty",
            id);
    for (k = 0; k < 2; k++)
        if (*part[k] && tern__go_duration_check(part[k], msg, sizeof(msg)))
            return tern__time_fail(op, TERN_EINVALID, "Import time sleep error",
                                   "The create_duration cannot be parsed\n\n+"
                                   "Original Error: %s",
                                   msg);
    for (k = 2; k < n; k++) {
        char *eq = strchr(part[k], '=');

        if (!eq || strchr(eq + 1, '='))
            return tern__time_fail(op, TERN_EINVALID, "Trigger import error",
                                   "Trigger import entries must be "
                                   "KEY=VALUE, got %s",
                                   part[k]);
    }
    return TERN_OK;
}

static int sleep_import(json_t **out, tern_op *op, const char *id)
{
    char *copy = tern_strdup(id), *p, *next, **part = NULL;
    json_t *triggers = NULL;
    char now[32];
    int n = 0, k, error;

    *out = NULL;
    TERN_CHECK_ALLOC(copy);
    for (p = copy; p; p = strchr(p, ','), p = p ? p + 1 : NULL)
        n++;
    part = tern_calloc((size_t)n, sizeof(*part));
    if (!part) {
        tern_free(copy);
        return TERN_ENOMEM;
    }
    for (p = copy, k = 0; p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        part[k++] = p;
    }
    error = sleep_import_check(op, id, part, n);
    if (error)
        goto done;
    error = TERN_ENOMEM;
    tern__rfc3339_now(now);
    *out = json_pack("{s:s}", "id", now);
    triggers = json_object();
    if (!*out || !triggers)
        goto done;
    for (k = 2; k < n; k++) {
        char *eq = strchr(part[k], '=');

        *eq = '\0';
        if (json_object_set_new(triggers, part[k], json_string(eq + 1)))
            goto done;
    }
    if ((*part[0] &&
         json_object_set_new(*out, "create_duration", json_string(part[0]))) ||
        (*part[1] &&
         json_object_set_new(*out, "destroy_duration", json_string(part[1]))) ||
        (json_object_size(triggers) &&
         json_object_set(*out, "triggers", triggers)))
        goto done;
    error = TERN_OK;
done:
    if (error) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(triggers);
    tern_free(part);
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
