/*
 * databricks_group against tern-sim's SCIM: create (one POST, the
 * provider's entitlements body), read, update by GET and PUT keeping the
 * members, drift of an entitlement, delete (gone is success), import,
 * lookup by name, force adopting a group made outside tern, a duplicate
 * without force, and the names "users" and "admins" refused.
 */
#include "runner.h"
#include "test_mod.h"
#include "util/alloc.h"
#include "../../modules/databricks/databricks_scim.h"

#include <stdlib.h>
#include <string.h>

extern const tern_module tern_module_databricks_group;
#define M (&tern_module_databricks_group)

#define ME_ID "7000000000001031"

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

/* The group with this id in the dump (new reference), or NULL. */
static json_t *stored(struct mod_fx *fx, const char *id)
{
    json_t *dump = mod_dump(fx), *g, *found = NULL;
    size_t i;

    json_array_foreach(
        json_object_get(json_object_get(dump, "databricks"), "groups"), i, g)
    {
        if (strcmp(mod_str(g, "id"), id) == 0)
            found = json_incref(g);
    }
    json_decref(dump);
    return found;
}

static char *compact(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

TEST(mod_databricks_group, create_read_update_delete)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *cfg, *g;
    char *text, *want;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    mod_clear_calls(&fx);
    st = create(&fx, "{\"display_name\": \"ml-deployers\", "
                     "\"allow_cluster_create\": true}");
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Groups");
    text = compact(st);
    want = tern_asprintf(
        "{\"acl_principal_id\":\"groups/ml-deployers\","
        "\"allow_cluster_create\":true,\"allow_instance_pool_create\":false,"
        "\"databricks_sql_access\":false,\"display_name\":\"ml-deployers\","
        "\"external_id\":null,\"force\":false,\"id\":\"%s\","
        "\"url\":\"%s/#setting/accounts/groups/%s\","
        "\"workspace_access\":false}",
        mod_str(st, "id"), tern_dbx_client_host(fx.dbx), mod_str(st, "id"));
    ASSERT_STR_EQ(text, want);
    free(text);
    tern_free(want);
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Groups/"
                                  "7000000000004124");
    ASSERT(json_equal(now, st));
    json_decref(now);
    now = NULL;
    /* A member added outside tern survives a rename. */
    {
        struct tern_diags d = TERN_DIAGS_INIT;
        json_t *b = mod_json(
            "{\"Operations\": [{\"op\": \"add\", \"path\": \"members\", "
            "\"value\": [{\"value\": \"" ME_ID "\"}]}]}");

        ASSERT_OK(tern_dbx_call(fx.dbx, "PATCH",
                                "/api/2.0/preview/scim/v2/Groups/"
                                "7000000000004124",
                                b, NULL, &d));
        json_decref(b);
        tern_diags_release(&d);
    }
    cfg = mod_json("{\"display_name\": \"ml-deploy\", "
                   "\"databricks_sql_access\": true}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Groups/7000000000004124,"
                                  "preview/scim/v2/Groups/7000000000004124");
    g = stored(&fx, "7000000000004124");
    text = compact(json_object_get(g, "members"));
    ASSERT_STR_EQ(text, "[{\"$ref\":\"Users/" ME_ID "\",\"display\":"
                        "\"sim-user@example.com\",\"value\":\"" ME_ID "\"}]");
    free(text);
    text = compact(json_object_get(g, "entitlements"));
    ASSERT_STR_EQ(text, "[{\"value\":\"databricks-sql-access\"}]");
    free(text);
    ASSERT_STR_EQ(mod_str(g, "displayName"), "ml-deploy");
    json_decref(g);
    json_decref(st);
    st = NULL;
    ASSERT_OK(M->read(&st, &fx.op, now));
    ASSERT(json_equal(st, now));
    json_decref(st);
    st = NULL;
    /* Drift: the entitlement taken away outside tern reads as false. */
    {
        struct tern_diags d = TERN_DIAGS_INIT;
        json_t *b = mod_json("{\"Operations\": [{\"op\": \"remove\", "
                             "\"path\": \"entitlements\"}]}");

        ASSERT_OK(tern_dbx_call(fx.dbx, "PATCH",
                                "/api/2.0/preview/scim/v2/Groups/"
                                "7000000000004124",
                                b, NULL, &d));
        json_decref(b);
        tern_diags_release(&d);
    }
    ASSERT_OK(M->read(&st, &fx.op, now));
    ASSERT(json_is_false(json_object_get(st, "databricks_sql_access")));
    json_decref(st);
    st = NULL;
    ASSERT_OK(M->delete_(&fx.op, now));
    g = stored(&fx, "7000000000004124");
    ASSERT(g == NULL);
    ASSERT_EQ(M->read(&st, &fx.op, now), TERN_ENOTFOUND);
    ASSERT_OK(M->delete_(&fx.op, now));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(now);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_group, import_lookup_force)
{
    struct mod_fx fx;
    json_t *st = NULL, *cfg;
    char why[256];

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    fx.op.address = "databricks_group.this";
    mod_load(&fx, "{\"databricks\": {\"groups\": [{\"id\": \"42\", "
                  "\"displayName\": \"data-eng\", \"externalId\": \"e-42\", "
                  "\"entitlements\": [{\"value\": \"workspace-access\"}]}]}}");
    ASSERT_OK(M->import(&st, &fx.op, "42"));
    ASSERT_STR_EQ(mod_str(st, "display_name"), "data-eng");
    ASSERT_STR_EQ(mod_str(st, "external_id"), "e-42");
    ASSERT(json_is_true(json_object_get(st, "workspace_access")));
    json_decref(st);
    st = NULL;
    ASSERT_EQ(M->import(&st, &fx.op, "43"), TERN_ENOTFOUND);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot read Databricks group '43' [SCIM_404]: GET "
                  "/api/2.0/preview/scim/v2/Groups/43?attributes=displayName,"
                  "externalId,entitlements: SCIM_404: Group with id 43 not "
                  "found. (HTTP 404, 1 attempt)");
    mod_diag_clear(&fx);
    cfg = mod_json("{\"display_name\": \"data-eng\"}");
    ASSERT_OK(M->lookup(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_str(st, "id"), "42");
    json_decref(st);
    st = NULL;
    /* A duplicate without force: the service's message. */
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EEXISTS);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot create Databricks group 'data-eng' [SCIM_409]: POST "
                  "/api/2.0/preview/scim/v2/Groups: SCIM_409: uniqueness Group "
                  "with name data-eng already exists. (HTTP 409, 1 attempt)");
    mod_diag_clear(&fx);
    json_decref(cfg);
    /* force adopts it and sets its entitlements. */
    cfg = mod_json("{\"display_name\": \"data-eng\", \"force\": true, "
                   "\"allow_cluster_create\": true}");
    ASSERT_OK(M->create(&st, &fx.op, cfg));
    ASSERT_EQ(fx.diags.count, 0);
    ASSERT_STR_EQ(mod_str(st, "id"), "42");
    ASSERT(json_is_true(json_object_get(st, "force")));
    ASSERT(json_is_true(json_object_get(st, "allow_cluster_create")));
    ASSERT(json_is_false(json_object_get(st, "workspace_access")));
    json_decref(st);
    json_decref(cfg);
    /* The workspace's own groups are not for managing. */
    ASSERT_EQ(tern__dbx_group_name_check("users", why, sizeof(why)), 1);
    ASSERT_STR_EQ(why, "must not be \"users\" or \"admins\": the workspace's "
                       "own groups cannot be managed (use data "
                       "\"databricks_group\" to refer to them).");
    ASSERT_EQ(tern__dbx_group_name_check("admins", why, sizeof(why)), 1);
    ASSERT_EQ(tern__dbx_group_name_check("admin", why, sizeof(why)), 0);
    mod_fx_stop(&fx);
}

/* Each allocation of a create and of a read failing alone: the whole
 * state or out of memory, never a group without an entitlement (issue
 * 20). */
TEST(mod_databricks_group, alloc_walk)
{
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    ASSERT_CMP(mod_create_walk(&fx, M,
                               "{\"display_name\": \"ml\", \"external_id\": "
                               "\"x-1\", \"allow_cluster_create\": true}",
                               "{}"),
               >, 50);
    st = create(&fx, "{\"display_name\": \"ml2\", "
                     "\"databricks_sql_access\": true}");
    ASSERT_CMP(mod_read_walk_state(&fx, M, st), >, 50);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_databricks_group_list[] = {
    TEST_MODULE(mod_databricks_group, create_read_update_delete),
    TEST_MODULE(mod_databricks_group, import_lookup_force),
    TEST_MODULE(mod_databricks_group, alloc_walk), TEST_END};
