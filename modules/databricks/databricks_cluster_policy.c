/*
 * databricks_cluster_policy: a cluster policy, the rules a cluster created
 * under it must follow (the provider's policies/resource_cluster_policy.go,
 * whose schema is the SDK's CreatePolicy plus a computed policy_id).
 *
 * Calls (Cluster Policies API 2.0): POST /api/2.0/policies/clusters/create
 * (create: the answer's policy_id is the id), GET .../get?policy_id= (read,
 * import), POST .../edit (every attribute in place: the provider marks
 * nothing ForceNew), POST .../delete, GET .../list (lookup: the policy of
 * the configured name, after an interrupted create).
 *
 * Quirks:
 * - The service stores the definition re-serialised, so it comes back
 *   with other spacing and key order: definition and
 *   policy_family_definition_overrides compare as JSON (equivalent JSON
 *   keeps the configuration's text, read keeps the state's).
 * - With policy_family_id the service answers the family's definition
 *   merged with the overrides as "definition". That is derived, not
 *   configured: read reports no definition then, so such a policy shows no
 *   drift (the provider copies it into state and then diffs it against
 *   the unset argument).
 * - definition conflicts with policy_family_id and the overrides, and the
 *   overrides need policy_family_id (the provider's ConflictsWith and
 *   RequiredWith): create and update refuse such a configuration before
 *   any call.
 * - A policy made without a definition reads back as "{}": with none in
 *   the state, read reports none.
 * - An unknown policy_id is RESOURCE_DOES_NOT_EXIST: read says gone, delete
 *   counts it as deleted.
 */
#include "../aws/iam_common.h"
#include "databricks_scim.h"

#include "util/alloc.h"
#include "util/json.h"

#include <string.h>

#define API "/api/2.0/policies/clusters/"

/* Two JSON texts that parse to equal values (object key order and
 * whitespace do not matter); *oom set when a text could not be parsed for
 * lack of memory (the answer is then the texts' equality). */
static int text_equiv(const json_t *a, const json_t *b, int *oom)
{
    json_t *pa, *pb;
    int eq;

    if (!json_is_string(a) || !json_is_string(b))
        return a == b || json_equal(a, b);
    pa = tern_json_loads(json_string_value(a), JSON_DECODE_ANY, oom);
    pb = tern_json_loads(json_string_value(b), JSON_DECODE_ANY, oom);
    eq = pa && pb ? json_equal(pa, pb)
                  : strcmp(json_string_value(a), json_string_value(b)) == 0;
    json_decref(pa);
    json_decref(pb);
    return eq;
}

/* The schema's comparison: out of memory is said as such (issue 20: it
 * compared the texts as they were, a difference the plan showed). */
static int json_text_equiv(int *same, const json_t *a, const json_t *b)
{
    int oom = 0;

    *same = text_equiv(a, b, &oom);
    if (oom)
        *same = 0;
    return oom ? TERN_ENOMEM : TERN_OK;
}

static const tern_attr schema[] = {
    {"definition", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, json_text_equiv, NULL,
     0},
    {"description", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"max_clusters_per_user", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"policy_family_definition_overrides", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL,
     json_text_equiv, NULL, 0},
    {"policy_family_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"policy_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char *const string_fields[] = {
    "definition",
    "description",
    "name",
    "policy_family_definition_overrides",
    "policy_family_id",
    NULL};

/* The ConflictsWith / RequiredWith rules; TERN_OK or a diagnostic. */
static int check_conflicts(tern_op *op, const json_t *desired)
{
    const char *def = tern__str(desired, "definition");
    const char *fam = tern__str(desired, "policy_family_id");
    const char *ovr = tern__str(desired, "policy_family_definition_overrides");

    if (def && (fam || ovr))
        return tern__fail(op, TERN_EINVALID,
                          "Conflicting configuration "
                          "arguments",
                          "\"definition\": conflicts with %s",
                          fam ? "policy_family_id"
                              : "policy_family_definition_overrides");
    if (ovr && !fam)
        return tern__fail(op, TERN_EINVALID, "Missing required argument",
                          "\"policy_family_definition_overrides\": all of "
                          "`policy_family_definition_overrides,policy_family_"
                          "id` must be specified");
    return TERN_OK;
}

/* The create or edit body: the configured fields. */
static json_t *body(const json_t *desired)
{
    json_t *b = json_object();
    const json_t *max = json_object_get(desired, "max_clusters_per_user");
    size_t i;

    for (i = 0; b && string_fields[i]; i++) {
        const char *v = tern__str(desired, string_fields[i]);

        if (v && json_object_set_new(b, string_fields[i], json_string(v))) {
            json_decref(b);
            return NULL;
        }
    }
    if (b && json_is_number(max) &&
        json_object_set_new(b, "max_clusters_per_user",
                            json_integer((json_int_t)json_number_value(max)))) {
        json_decref(b);
        return NULL;
    }
    return b;
}

/* The state: the configuration's (or the read's) fields and the id. */
static json_t *state(const json_t *from, const char *id)
{
    json_t *st = json_pack("{s:s, s:s}", "id", id, "policy_id", id);
    const json_t *max = json_object_get(from, "max_clusters_per_user");
    size_t i;

    for (i = 0; st && string_fields[i]; i++) {
        if (tern__set_str(st, string_fields[i],
                          tern__str(from, string_fields[i]))) {
            json_decref(st);
            return NULL;
        }
    }
    if (st && json_object_set_new(
                  st, "max_clusters_per_user",
                  json_is_number(max)
                      ? json_integer((json_int_t)json_number_value(max))
                      : json_null())) {
        json_decref(st);
        return NULL;
    }
    /* A family's policy: the definition is the service's, not ours. */
    if (st && tern__str(from, "policy_family_id") &&
        json_object_set_new(st, "definition", json_null())) {
        json_decref(st);
        return NULL;
    }
    return st;
}

static int cp_create(json_t **out, tern_op *op, const json_t *desired)
{
    json_t *b = NULL, *resp = NULL;
    char *what = NULL;
    const char *id;
    int error = check_conflicts(op, desired);

    if (error)
        return error;
    what = tern_asprintf("Cannot create cluster policy '%s'",
                         tern__str(desired, "name") ? tern__str(desired, "name")
                                                    : "");
    TERN_CHECK_ALLOC(what);
    b = body(desired);
    TERN_CHECK_ALLOC(b);
    error = tern__dbx_call(op, "POST", API "create", b, &resp, 0, what, NULL);
    if (error)
        goto done;
    id = tern__str(resp, "policy_id");
    if (!id) {
        error = tern__fail(op, TERN_ERROR, what,
                           "policies/clusters/create answered without a "
                           "policy_id.");
        goto done;
    }
    *out = state(desired, id);
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(b);
    json_decref(resp);
    tern_free(what);
    return error;
}

static int get(json_t **out, tern_op *op, const char *id, const json_t *prior,
               int loud)
{
    char *path = tern__dbx_query(API "get?policy_id=", id);
    char *what = tern_asprintf("Cannot read cluster policy '%s'", id);
    json_t *resp = NULL;
    size_t i;
    int error = TERN_OK, oom = 0;

    *out = NULL;
    TERN_CHECK_ALLOC(path);
    TERN_CHECK_ALLOC(what);
    error = tern__dbx_call(
        op, "GET", path, NULL, &resp,
        TERN__RETRY_TRANSIENT | (loud ? 0 : TERN__QUIET_NOTFOUND), what, NULL);
    if (error)
        goto done;
    *out = state(resp, id);
    TERN_CHECK_ALLOC(*out);
    /* No definition configured: the empty one the service stores is none
     * (the state says what was configured). A comparison that ran out of
     * memory fails the read: the state would keep the service's text. */
    if (prior && !tern__str(prior, "definition") &&
        json_is_string(json_object_get(*out, "definition"))) {
        json_t *empty = json_string("{}");

        if (!empty) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (text_equiv(json_object_get(*out, "definition"), empty, &oom) &&
            json_object_set_new(*out, "definition", json_null()))
            oom = 1;
        json_decref(empty);
    }
    /* Equivalent JSON keeps the state's text. */
    for (i = 0; prior && i < 2; i++) {
        const char *k =
            i == 0 ? "definition" : "policy_family_definition_overrides";
        const json_t *was = json_object_get(prior, k);

        if (json_is_string(was) &&
            text_equiv(was, json_object_get(*out, k), &oom) &&
            json_object_set(*out, k, (json_t *)was))
            oom = 1;
    }
    if (oom)
        error = TERN_ENOMEM;
done:
    if (error) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(resp);
    tern_free(path);
    tern_free(what);
    return error;
}

static int cp_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *id = tern__str(prior, "id");

    if (!id)
        id = tern__str(prior, "policy_id");
    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot read cluster policy",
                          "The state has no policy id.");
    return get(out, op, id, prior, 0);
}

static int cp_update(json_t **out, tern_op *op, const json_t *prior,
                     const json_t *desired)
{
    const char *id = tern__str(prior, "id");
    json_t *b = NULL;
    char *what = NULL;
    int error;

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot update cluster policy",
                          "The state has no policy id.");
    error = check_conflicts(op, desired);
    if (error)
        return error;
    what = tern_asprintf("Cannot update cluster policy '%s'", id);
    TERN_CHECK_ALLOC(what);
    b = body(desired);
    TERN_CHECK_ALLOC(b);
    if (json_object_set_new(b, "policy_id", json_string(id))) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__dbx_call(op, "POST", API "edit", b, NULL,
                           TERN__RETRY_TRANSIENT, what, NULL);
    if (error)
        goto done;
    *out = state(desired, id);
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(b);
    tern_free(what);
    return error;
}

static int cp_delete(tern_op *op, const json_t *prior)
{
    const char *id = tern__str(prior, "id");
    json_t *b = NULL;
    char *what = NULL;
    int error = TERN_OK;

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot delete cluster policy",
                          "The state has no policy id.");
    what = tern_asprintf("Cannot delete cluster policy '%s'", id);
    TERN_CHECK_ALLOC(what);
    b = json_pack("{s:s}", "policy_id", id);
    TERN_CHECK_ALLOC(b);
    error = tern__dbx_call(op, "POST", API "delete", b, NULL,
                           TERN__QUIET_NOTFOUND | TERN__RETRY_TRANSIENT, what,
                           NULL);
    if (error == TERN_ENOTFOUND)
        error = TERN_OK;
done:
    json_decref(b);
    tern_free(what);
    return error;
}

static int cp_import(json_t **out, tern_op *op, const char *id)
{
    return get(out, op, id, NULL, 1);
}

/* After an interrupted create: the policy of the configured name (names
 * are unique in a workspace), from the list. */
static int cp_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "name");
    json_t *list = NULL;
    const json_t *p;
    size_t i;
    int error;

    if (!name)
        return TERN_ENOTFOUND;
    error = tern__dbx_call(op, "GET", API "list", NULL, &list,
                           TERN__RETRY_TRANSIENT,
                           "Cannot list cluster policies", NULL);
    if (error)
        return error;
    error = TERN_ENOTFOUND;
    json_array_foreach(json_object_get(list, "policies"), i, p)
    {
        const char *n = tern__str(p, "name");

        if (n && strcmp(n, name) == 0 && tern__str(p, "policy_id")) {
            error = get(out, op, tern__str(p, "policy_id"), desired, 0);
            break;
        }
    }
    json_decref(list);
    return error;
}

const tern_module tern_module_databricks_cluster_policy = {
    TERN_MODULE_VERSION,
    "databricks_cluster_policy",
    TERN_MODULE_RESOURCE,
    "databricks",
    schema,
    cp_read,
    cp_create,
    cp_update,
    cp_delete,
    cp_import,
    cp_lookup};
