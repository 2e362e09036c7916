/*
 * data databricks_group: a workspace group by display name, with its
 * members and instance profiles, as the provider's scim/data_group.go
 * reads it.
 *
 * Calls (SCIM 2.0): GET /api/2.0/preview/scim/v2/Groups?filter=displayName
 * eq 'NAME' (GroupsAPI.ReadByDisplayName; the first match), then, with
 * recursive (the default), GET .../Groups/{id} of each group it belongs to,
 * breadth first, collecting theirs too (the provider walks the group's
 * "groups", its parents).
 *
 * Results: members (every member's id), users / service_principals /
 * child_groups (by the member's $ref prefix "Users/",
 * "ServicePrincipals/", "Groups/"), groups (the groups it belongs to),
 * instance_profiles (its roles), each sorted and without duplicates (sets);
 * the entitlement flags true for the entitlements it has; external_id;
 * acl_principal_id "groups/<display name>". No group is "cannot find
 * group: <name>".
 */
#include "../aws/iam_common.h"
#include "databricks_scim.h"

#include "util/alloc.h"
#include "util/json.h"

#include <string.h>

static const tern_attr schema[] = {
    {"acl_principal_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"allow_cluster_create", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"allow_instance_pool_create", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"child_groups", TERN_TYPE_SET_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"databricks_sql_access", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"display_name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"external_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"groups", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"instance_profiles", TERN_TYPE_SET_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"members", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"recursive", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"service_principals", TERN_TYPE_SET_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"users", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"workspace_access", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* The SCIM entitlement values and their attributes (scim/scim.go). */
static const char *const entitlements[][2] = {
    {"allow-cluster-create", "allow_cluster_create"},
    {"allow-instance-pool-create", "allow_instance_pool_create"},
    {"databricks-sql-access", "databricks_sql_access"},
    {"workspace-access", "workspace_access"},
};

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted, de-duplicated copy of a JSON array of strings. */
static json_t *sorted_set(const json_t *a)
{
    size_t n = json_array_size(a), i;
    const char **v = tern_calloc(n ? n : 1, sizeof(*v));
    json_t *out = json_array();
    int oom = 0;

    if (!v || !out) {
        tern_free(v);
        json_decref(out);
        return NULL;
    }
    for (i = 0; i < n; i++)
        v[i] = json_string_value(json_array_get(a, i));
    qsort(v, n, sizeof(*v), str_cmp);
    for (i = 0; i < n; i++) {
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            tern_json_append(&oom, out, json_string(v[i]));
    }
    tern_free(v);
    return tern_json_done(oom, out);
}

static void add(int *oom, json_t *list, const char *s)
{
    if (s)
        tern_json_append(oom, list, json_string(s));
}

static int group_read(json_t **out, tern_op *op, const json_t *cfg)
{
    const char *name = tern__str(cfg, "display_name");
    int recursive = tern__bool(cfg, "recursive", 1);
    char *filter = NULL, *path = NULL, *what = NULL;
    json_t *found = NULL, *queue = NULL, *lists = NULL, *st = NULL;
    const json_t *group;
    static const char *const names[] = {"members",
                                        "users",
                                        "service_principals",
                                        "child_groups",
                                        "groups",
                                        "instance_profiles",
                                        NULL};
    int ents[4] = {0, 0, 0, 0};
    size_t q, i, k;
    int error = TERN_OK, oom = 0;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot read group",
                          "display_name must not be empty.");
    what = tern_asprintf("Cannot read Databricks group '%s'", name);
    filter = tern_asprintf("displayName eq '%s'", name);
    TERN_CHECK_ALLOC(what);
    TERN_CHECK_ALLOC(filter);
    path = tern__dbx_query(TERN__SCIM "Groups?filter=", filter);
    TERN_CHECK_ALLOC(path);
    error = tern__dbx_call(op, "GET", path, NULL, &found, TERN__RETRY_TRANSIENT,
                           what, NULL);
    if (error)
        goto done;
    group = json_array_get(json_object_get(found, "Resources"), 0);
    if (!group)
        group = json_array_get(json_object_get(found, "resources"), 0);
    if (!group || !tern__str(group, "id")) {
        error =
            tern__fail(op, TERN_ENOTFOUND, what, "cannot find group: %s", name);
        goto done;
    }
    lists = json_object();
    queue = json_pack("[O]", group);
    TERN_CHECK_ALLOC(lists);
    TERN_CHECK_ALLOC(queue);
    for (i = 0; names[i]; i++)
        tern_json_set(&oom, lists, names[i], json_array());
    for (q = 0; q < json_array_size(queue); q++) {
        const json_t *cur = json_array_get(queue, q), *x;

        json_array_foreach(json_object_get(cur, "members"), i, x)
        {
            const char *ref = tern__str(x, "$ref");
            const char *v = tern__str(x, "value");

            add(&oom, json_object_get(lists, "members"), v);
            if (ref && strncmp(ref, "Users/", 6) == 0)
                add(&oom, json_object_get(lists, "users"), v);
            if (ref && strncmp(ref, "Groups/", 7) == 0)
                add(&oom, json_object_get(lists, "child_groups"), v);
            if (ref && strncmp(ref, "ServicePrincipals/", 18) == 0)
                add(&oom, json_object_get(lists, "service_principals"), v);
        }
        json_array_foreach(json_object_get(cur, "roles"), i, x)
            add(&oom, json_object_get(lists, "instance_profiles"),
                tern__str(x, "value"));
        json_array_foreach(json_object_get(cur, "entitlements"), i, x)
        {
            for (k = 0; k < 4; k++) {
                if (tern__str(x, "value") &&
                    strcmp(tern__str(x, "value"), entitlements[k][0]) == 0)
                    ents[k] = 1;
            }
        }
        json_array_foreach(json_object_get(cur, "groups"), i, x)
        {
            const char *gid = tern__str(x, "value");
            json_t *child = NULL;
            char *gpath;

            add(&oom, json_object_get(lists, "groups"), gid);
            if (!recursive || !gid)
                continue;
            gpath = tern__dbx_query(TERN__SCIM "Groups/", gid);
            TERN_CHECK_ALLOC(gpath);
            error = tern__dbx_call(op, "GET", gpath, NULL, &child,
                                   TERN__RETRY_TRANSIENT, what, NULL);
            tern_free(gpath);
            if (error)
                goto done;
            tern_json_append(&oom, queue, child);
        }
        if (json_array_size(queue) > 10000) {
            error = tern__fail(op, TERN_ERROR, what,
                               "The group's parents go more than 10000 "
                               "groups deep.");
            goto done;
        }
    }
    if (oom) {
        /* A member, role or parent left out of a list. */
        error = TERN_ENOMEM;
        goto done;
    }
    st = json_object();
    TERN_CHECK_ALLOC(st);
    tern_json_set(&oom, st, "id", json_string(tern__str(group, "id")));
    tern_json_set(&oom, st, "display_name", json_string(name));
    tern_json_set(&oom, st, "recursive", json_boolean(recursive));
    for (i = 0; names[i]; i++)
        tern_json_set(&oom, st, names[i],
                      sorted_set(json_object_get(lists, names[i])));
    for (k = 0; k < 4; k++)
        tern_json_set(
            &oom, st, entitlements[k][1],
            json_boolean(ents[k] || tern__bool(cfg, entitlements[k][1], 0)));
    tern_json_set(&oom, st, "external_id",
                  tern__jstr(tern__str(group, "externalId")));
    {
        char *acl =
            tern_asprintf("groups/%s", tern__str(group, "displayName")
                                           ? tern__str(group, "displayName")
                                           : name);

        TERN_CHECK_ALLOC(acl);
        tern_json_set(&oom, st, "acl_principal_id", json_string(acl));
        tern_free(acl);
    }
    if (oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = st;
    st = NULL;
done:
    json_decref(st);
    json_decref(found);
    json_decref(queue);
    json_decref(lists);
    tern_free(filter);
    tern_free(path);
    tern_free(what);
    return error;
}

const tern_module tern_module_data_databricks_group = {TERN_MODULE_VERSION,
                                                       "databricks_group",
                                                       TERN_MODULE_DATA,
                                                       "databricks",
                                                       schema,
                                                       group_read,
                                                       NULL,
                                                       NULL,
                                                       NULL,
                                                       NULL,
                                                       NULL};
