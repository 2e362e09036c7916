/*
 * databricks_group: a workspace group and its entitlements, as the
 * provider's scim/resource_group.go manages it.
 *
 * Calls (SCIM 2.0, /api/2.0/preview/scim/v2/): POST Groups (create), GET
 * Groups/{id}?attributes=displayName,externalId,entitlements (read,
 * import), GET Groups/{id} then PUT Groups/{id} with its members, groups
 * and roles as read and the new name and entitlements (update, the
 * provider's UpdateNameAndEntitlements), DELETE Groups/{id} (delete), GET
 * Groups?filter=displayName eq '...' (lookup, and force).
 *
 * Rules copied:
 * - display_name may not be "users" or "admins" (the provider's
 *   StringNotInSlice, issue #1089: they are the workspace's own);
 * - external_id is ForceNew, and an unset one takes the service's value
 *   (suppress_diff);
 * - entitlements are sent as [{"value": "allow-cluster-create"}, ...], and
 *   as [{"value": ""}] when none is set (readEntitlementsFromData);
 * - force: a create that meets "Group with name <n> already exists." adopts
 *   that group and sets its name and entitlements
 *   (createForceOverridesManuallyAddedGroup); the API never reports force,
 *   so read keeps the state's;
 * - url is "<host>/#setting/accounts/groups/<id>", acl_principal_id
 *   "groups/<display name>".
 * Unlike the provider, whose read only ever sets entitlements to true, read
 * reports an entitlement taken away outside tern as false (drift).
 * A deleted group is SCIM 404: read says gone, delete succeeds.
 */
#include "../aws/iam_common.h"
#include "databricks/client.h"
#include "databricks_scim.h"

#include "util/alloc.h"
#include "util/json.h"

#include <string.h>

static const tern_attr schema[] = {
    {"acl_principal_id", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"allow_cluster_create", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"allow_instance_pool_create", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL,
     NULL, 0},
    {"databricks_sql_access", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"display_name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"external_id", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     0},
    {"force", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_UNREPORTED, NULL, NULL,
     0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"url", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"workspace_access", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* scim/scim.go's possibleEntitlements, in its order. */
static const char *const ents[][2] = {
    {"allow-cluster-create", "allow_cluster_create"},
    {"allow-instance-pool-create", "allow_instance_pool_create"},
    {"databricks-sql-access", "databricks_sql_access"},
    {"workspace-access", "workspace_access"},
};
#define NENTS (sizeof(ents) / sizeof(ents[0]))

static json_t *entitlements(const json_t *desired)
{
    json_t *e = json_array();
    size_t i;
    int oom = 0;

    for (i = 0; e && i < NENTS; i++) {
        if (tern__bool(desired, ents[i][1], 0))
            tern_json_append(&oom, e, json_pack("{s:s}", "value", ents[i][0]));
    }
    if (e && !oom && json_array_size(e) == 0)
        tern_json_append(&oom, e, json_pack("{s:s}", "value", ""));
    return tern_json_done(oom, e);
}

static json_t *state(tern_op *op, const char *id, const char *name,
                     const char *external_id, const json_t *flags_from,
                     int from_service, int force)
{
    const char *host = tern_dbx_client_host(tern__dbx(op));
    char *url = tern_asprintf("%s/#setting/accounts/groups/%s", host, id);
    char *acl = tern_asprintf("groups/%s", name);
    json_t *st = url && acl ? json_pack("{s:s, s:s, s:o, s:s, s:s, s:b}", "id",
                                        id, "display_name", name, "external_id",
                                        tern__jstr(external_id), "url", url,
                                        "acl_principal_id", acl, "force", force)
                            : NULL;
    size_t i;
    int oom = 0;

    for (i = 0; st && i < NENTS; i++)
        tern_json_set(
            &oom, st, ents[i][1],
            json_boolean(from_service
                             ? tern__scim_has_value(flags_from, "entitlements",
                                                    ents[i][0])
                             : tern__bool(flags_from, ents[i][1], 0)));
    tern_free(url);
    tern_free(acl);
    return tern_json_done(oom, st);
}

static char *group_path(const char *id, const char *query)
{
    char *enc = tern__dbx_query("", id);
    char *p =
        enc ? tern_asprintf(TERN__SCIM "Groups/%s%s", enc, query ? query : "")
            : NULL;

    tern_free(enc);
    return p;
}

/* The PUT of UpdateNameAndEntitlements: name, entitlements and external id
 * from the configuration, members, groups and roles as the service has
 * them. */
static int put(tern_op *op, const char *id, const json_t *desired,
               const char *what)
{
    char *path = group_path(id, NULL);
    json_t *now = NULL, *b = NULL;
    static const char *const kept[] = {"members", "groups", "roles", NULL};
    size_t i;
    int error = TERN_OK, oom = 0;

    TERN_CHECK_ALLOC(path);
    error = tern__dbx_call(op, "GET", path, NULL, &now, TERN__RETRY_TRANSIENT,
                           what, NULL);
    if (error)
        goto done;
    b = json_pack("{s:[s], s:s, s:o}", "schemas",
                  "urn:ietf:params:scim:schemas:core:2.0:Group", "displayName",
                  tern__str(desired, "display_name"), "entitlements",
                  entitlements(desired));
    TERN_CHECK_ALLOC(b);
    for (i = 0; kept[i]; i++) {
        json_t *v = json_object_get(now, kept[i]);

        if (json_array_size(v))
            tern_json_set(&oom, b, kept[i], json_incref(v));
    }
    if (tern__str(desired, "external_id"))
        tern_json_set(&oom, b, "externalId",
                      json_string(tern__str(desired, "external_id")));
    /* Never a PUT short of the members, groups or roles it keeps. */
    b = tern_json_done(oom, b);
    TERN_CHECK_ALLOC(b);
    error = tern__dbx_call(op, "PUT", path, b, NULL, TERN__RETRY_TRANSIENT,
                           what, NULL);
done:
    json_decref(now);
    json_decref(b);
    tern_free(path);
    return error;
}

static int find_by_name(json_t **group, tern_op *op, const char *name,
                        const char *what)
{
    char *filter = tern_asprintf("displayName eq '%s'", name);
    char *path =
        filter ? tern__dbx_query(TERN__SCIM "Groups?filter=", filter) : NULL;
    json_t *list = NULL, *g;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(path);
    error = tern__dbx_call(op, "GET", path, NULL, &list, TERN__RETRY_TRANSIENT,
                           what, NULL);
    if (error)
        goto done;
    g = json_array_get(json_object_get(list, "Resources"), 0);
    if (!g || !tern__str(g, "id")) {
        error = TERN_ENOTFOUND;
        goto done;
    }
    *group = json_incref(g);
done:
    json_decref(list);
    tern_free(filter);
    tern_free(path);
    return error;
}

static int g_create(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "display_name");
    json_t *b = NULL, *made = NULL;
    char *what = NULL;
    int error = TERN_OK;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot create group",
                          "display_name is required.");
    what = tern_asprintf("Cannot create Databricks group '%s'", name);
    TERN_CHECK_ALLOC(what);
    b = json_pack("{s:[s], s:s, s:o}", "schemas",
                  "urn:ietf:params:scim:schemas:core:2.0:Group", "displayName",
                  name, "entitlements", entitlements(desired));
    TERN_CHECK_ALLOC(b);
    if (tern__str(desired, "external_id") &&
        json_object_set_new(b, "externalId",
                            json_string(tern__str(desired, "external_id")))) {
        error = TERN_ENOMEM;
        goto done;
    }
    {
        /* The create's diagnostic is kept unless force adopts the group. */
        struct tern_diags tmp = TERN_DIAGS_INIT;
        tern_op sub = *op;

        sub.diags = &tmp;
        error = tern__dbx_call(&sub, "POST", TERN__SCIM "Groups", b, &made, 0,
                               what, NULL);
        if (error == TERN_EEXISTS && tern__bool(desired, "force", 0)) {
            tern_diags_release(&tmp);
        } else if (op->diags && tern_diags_move(op->diags, &tmp) != 0) {
            tern_diags_release(&tmp);
            error = TERN_ENOMEM;
            goto done;
        }
        tern_diags_release(&tmp);
    }
    if (error == TERN_EEXISTS && tern__bool(desired, "force", 0)) {
        /* force: the group made outside tern becomes this one. */
        error = find_by_name(&made, op, name, what);
        if (error == TERN_OK)
            error = put(op, tern__str(made, "id"), desired, what);
    }
    if (error)
        goto done;
    if (!tern__str(made, "id")) {
        error = tern__fail(op, TERN_ERROR, what,
                           "SCIM answered the create without an id.");
        goto done;
    }
    *out = state(op, tern__str(made, "id"), name,
                 tern__str(desired, "external_id")
                     ? tern__str(desired, "external_id")
                     : tern__str(made, "externalId"),
                 desired, 0, tern__bool(desired, "force", 0));
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(b);
    json_decref(made);
    tern_free(what);
    return error;
}

static int get(json_t **out, tern_op *op, const char *id, int force, int loud)
{
    char *path = group_path(id, "?attributes=displayName,externalId,"
                                "entitlements");
    char *what = tern_asprintf("Cannot read Databricks group '%s'", id);
    json_t *g = NULL;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(path);
    TERN_CHECK_ALLOC(what);
    error = tern__dbx_call(
        op, "GET", path, NULL, &g,
        TERN__RETRY_TRANSIENT | (loud ? 0 : TERN__QUIET_NOTFOUND), what, NULL);
    if (error)
        goto done;
    if (!tern__str(g, "displayName")) {
        error = tern__fail(op, TERN_ERROR, what,
                           "SCIM answered without the group's displayName.");
        goto done;
    }
    *out = state(op, id, tern__str(g, "displayName"),
                 tern__str(g, "externalId"), g, 1, force);
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(g);
    tern_free(path);
    tern_free(what);
    return error;
}

static int g_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *id = tern__str(prior, "id");

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot read group",
                          "The state has no group id.");
    return get(out, op, id, tern__bool(prior, "force", 0), 0);
}

static int g_update(json_t **out, tern_op *op, const json_t *prior,
                    const json_t *desired)
{
    const char *id = tern__str(prior, "id");
    char *what;
    int error;

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot update group",
                          "The state has no group id.");
    what = tern_asprintf("Cannot update Databricks group '%s'", id);
    if (!what)
        return TERN_ENOMEM;
    error = put(op, id, desired, what);
    tern_free(what);
    if (error)
        return error;
    *out = state(op, id, tern__str(desired, "display_name"),
                 tern__str(desired, "external_id")
                     ? tern__str(desired, "external_id")
                     : tern__str(prior, "external_id"),
                 desired, 0, tern__bool(desired, "force", 0));
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int g_delete(tern_op *op, const json_t *prior)
{
    const char *id = tern__str(prior, "id");
    char *path, *what;
    int error;

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot delete group",
                          "The state has no group id.");
    path = group_path(id, NULL);
    what = tern_asprintf("Cannot delete Databricks group '%s'", id);
    if (!path || !what) {
        tern_free(path);
        tern_free(what);
        return TERN_ENOMEM;
    }
    error = tern__dbx_call(op, "DELETE", path, NULL, NULL,
                           TERN__QUIET_NOTFOUND | TERN__RETRY_TRANSIENT, what,
                           NULL);
    tern_free(path);
    tern_free(what);
    return error == TERN_ENOTFOUND ? TERN_OK : error;
}

static int g_import(json_t **out, tern_op *op, const char *id)
{
    return get(out, op, id, 0, 1);
}

/* After an interrupted create: the group of the configured name. */
static int g_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "display_name");
    json_t *g = NULL;
    int error;

    if (!name)
        return TERN_ENOTFOUND;
    error = find_by_name(&g, op, name, "Cannot look up Databricks group");
    if (error == TERN_OK)
        error = get(out, op, tern__str(g, "id"),
                    tern__bool(desired, "force", 0), 0);
    json_decref(g);
    return error;
}

const tern_module tern_module_databricks_group = {TERN_MODULE_VERSION,
                                                  "databricks_group",
                                                  TERN_MODULE_RESOURCE,
                                                  "databricks",
                                                  schema,
                                                  g_read,
                                                  g_create,
                                                  g_update,
                                                  g_delete,
                                                  g_import,
                                                  g_lookup};
