/*
 * data databricks_group and data databricks_current_user against tern-sim's
 * SCIM API: the built-in "users" group, a group's parents walked with
 * recursive (and not without), "cannot find group", and the caller as
 * SCIM Me describes it.
 */
#include "runner.h"
#include "test_mod.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

extern const tern_module tern_module_data_databricks_group;
extern const tern_module tern_module_data_databricks_current_user;
#define G  (&tern_module_data_databricks_group)
#define CU (&tern_module_data_databricks_current_user)

#define ARN      "arn:aws:iam::" MOD_ACCOUNT ":instance-profile/shared"
#define ME_ID    "7000000000001031"
#define USERS_ID "7000000000003093"

/* The state a read makes of this configuration, as sorted compact JSON,
 * or "error: <diags>" (caller frees). */
static char *read_text(struct mod_fx *fx, const tern_module *m,
                       const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *out = NULL;
    char *text;

    if (m->read(&out, &fx->op, cfg) == TERN_OK) {
        text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    } else {
        const char *d = mod_diag_text(fx);

        text = malloc(strlen(d) + 8);
        if (text)
            snprintf(text, strlen(d) + 8, "error: %s", d);
    }
    mod_diag_clear(fx);
    json_decref(out);
    json_decref(cfg);
    return text;
}

TEST(mod_data_databricks_group, by_display_name)
{
    struct mod_fx fx;
    char *text;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    mod_clear_calls(&fx);
    text = read_text(&fx, G, "{\"display_name\": \"users\"}");
    ASSERT_STR_EQ(text,
                  "{\"acl_principal_id\":\"groups/users\","
                  "\"allow_cluster_create\":false,"
                  "\"allow_instance_pool_create\":false,\"child_groups\":[],"
                  "\"databricks_sql_access\":true,\"display_name\":\"users\","
                  "\"external_id\":null,\"groups\":[],\"id\":\"" USERS_ID "\","
                  "\"instance_profiles\":[],\"members\":[\"" ME_ID "\"],"
                  "\"recursive\":true,\"service_principals\":[],"
                  "\"users\":[\"" ME_ID "\"],\"workspace_access\":true}");
    free(text);
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Groups");
    text = read_text(&fx, G, "{\"display_name\": \"nope\"}");
    ASSERT_STR_EQ(text, "error: Cannot read Databricks group 'nope' []: "
                        "cannot find group: nope");
    free(text);
    mod_fx_stop(&fx);
}

TEST(mod_data_databricks_group, recursive_parents)
{
    struct mod_fx fx;
    char *text;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    mod_load(&fx,
             "{\"databricks\": {\"instance_profiles\": "
             "[{\"instance_profile_arn\": \"" ARN "\"}], \"groups\": ["
             "{\"id\": \"11\", \"displayName\": \"analysts\", "
             "\"externalId\": \"ext-11\", \"members\": [{\"value\": \"" ME_ID
             "\"}]},"
             "{\"id\": \"10\", \"displayName\": \"data-eng\", "
             "\"members\": [{\"value\": \"11\"}], \"roles\": "
             "[{\"value\": \"" ARN "\"}], \"entitlements\": "
             "[{\"value\": \"allow-cluster-create\"}]}]}}");
    mod_clear_calls(&fx);
    text = read_text(&fx, G, "{\"display_name\": \"analysts\"}");
    ASSERT_STR_EQ(text,
                  "{\"acl_principal_id\":\"groups/analysts\","
                  "\"allow_cluster_create\":true,"
                  "\"allow_instance_pool_create\":false,"
                  "\"child_groups\":[\"11\"],"
                  "\"databricks_sql_access\":false,"
                  "\"display_name\":\"analysts\",\"external_id\":\"ext-11\","
                  "\"groups\":[\"10\"],\"id\":\"11\","
                  "\"instance_profiles\":[\"" ARN "\"],"
                  "\"members\":[\"11\",\"" ME_ID "\"],\"recursive\":true,"
                  "\"service_principals\":[],\"users\":[\"" ME_ID "\"],"
                  "\"workspace_access\":false}");
    free(text);
    ASSERT_STR_EQ(mod_calls(&fx),
                  "preview/scim/v2/Groups,preview/scim/v2/Groups/10");
    mod_clear_calls(&fx);
    text = read_text(&fx, G,
                     "{\"display_name\": \"analysts\", \"recursive\": false}");
    ASSERT_STR_EQ(text,
                  "{\"acl_principal_id\":\"groups/analysts\","
                  "\"allow_cluster_create\":false,"
                  "\"allow_instance_pool_create\":false,\"child_groups\":[],"
                  "\"databricks_sql_access\":false,"
                  "\"display_name\":\"analysts\",\"external_id\":\"ext-11\","
                  "\"groups\":[\"10\"],\"id\":\"11\",\"instance_profiles\":[],"
                  "\"members\":[\"" ME_ID "\"],\"recursive\":false,"
                  "\"service_principals\":[],\"users\":[\"" ME_ID "\"],"
                  "\"workspace_access\":false}");
    free(text);
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Groups");
    mod_fx_stop(&fx);
}

TEST(mod_data_databricks_current_user, me)
{
    struct mod_fx fx;
    char *text, *want;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    mod_clear_calls(&fx);
    text = read_text(&fx, CU, "{}");
    want = tern_asprintf(
        "{\"acl_principal_id\":\"users/sim-user@example.com\","
        "\"alphanumeric\":\"sim_user\",\"external_id\":null,"
        "\"home\":\"/Users/sim-user@example.com\",\"id\":\"" ME_ID "\","
        "\"repos\":\"/Repos/sim-user@example.com\","
        "\"user_name\":\"sim-user@example.com\",\"workspace_url\":\"%s\"}",
        tern_dbx_client_host(fx.dbx));
    ASSERT_STR_EQ(text, want);
    free(text);
    tern_free(want);
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Me");
    /* Each character that is not a word character is one "_". */
    mod_load(&fx, "{\"databricks\": {\"users\": [{\"id\": \"6\", "
                  "\"userName\": \"J\u00fcrgen.O'Neil_2@corp.example\"}], "
                  "\"me\": \"J\u00fcrgen.O'Neil_2@corp.example\"}}");
    {
        json_t *cfg = mod_json("{}"), *out = NULL;

        ASSERT_OK(CU->read(&out, &fx.op, cfg));
        ASSERT_STR_EQ(mod_str(out, "alphanumeric"), "j_rgen_o_neil_2");
        json_decref(out);
        json_decref(cfg);
    }
    /* A service principal's token: its user name is its UUID. */
    mod_load(&fx, "{\"databricks\": {\"users\": [{\"id\": \"5\", "
                  "\"userName\": \"8a9f3c2e-1b4d-4e6f-9a0b-1c2d3e4f5a6b\"}], "
                  "\"me\": \"8a9f3c2e-1b4d-4e6f-9a0b-1c2d3e4f5a6b\"}}");
    text = read_text(&fx, CU, "{}");
    want = tern_asprintf(
        "{\"acl_principal_id\":\"servicePrincipals/"
        "8a9f3c2e-1b4d-4e6f-9a0b-1c2d3e4f5a6b\","
        "\"alphanumeric\":\"8a9f3c2e_1b4d_4e6f_9a0b_1c2d3e4f5a6b\","
        "\"external_id\":null,"
        "\"home\":\"/Users/8a9f3c2e-1b4d-4e6f-9a0b-1c2d3e4f5a6b\","
        "\"id\":\"5\","
        "\"repos\":\"/Repos/8a9f3c2e-1b4d-4e6f-9a0b-1c2d3e4f5a6b\","
        "\"user_name\":\"8a9f3c2e-1b4d-4e6f-9a0b-1c2d3e4f5a6b\","
        "\"workspace_url\":\"%s\"}",
        tern_dbx_client_host(fx.dbx));
    ASSERT_STR_EQ(text, want);
    free(text);
    tern_free(want);
    mod_fx_stop(&fx);
}

/* Each allocation of a recursive read failing alone: the whole state or
 * out of memory, never a list short of a member (issue 20). */
TEST(mod_data_databricks_group, alloc_walk)
{
    struct mod_fx fx;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    mod_load(&fx,
             "{\"databricks\": {\"instance_profiles\": "
             "[{\"instance_profile_arn\": \"" ARN "\"}], \"groups\": ["
             "{\"id\": \"11\", \"displayName\": \"analysts\", "
             "\"externalId\": \"ext-11\", \"members\": [{\"value\": \"" ME_ID
             "\"}]},"
             "{\"id\": \"10\", \"displayName\": \"data-eng\", "
             "\"members\": [{\"value\": \"11\"}], \"roles\": "
             "[{\"value\": \"" ARN "\"}], \"entitlements\": "
             "[{\"value\": \"allow-cluster-create\"}]}]}}");
    ASSERT_CMP(mod_read_walk(&fx, G, "{\"display_name\": \"analysts\"}"), >,
               100);
    mod_fx_stop(&fx);
}

/* Each allocation failing alone: the caller's whole state or out of
 * memory; an answer Jansson could not parse for lack of memory is not "a
 * body that is not JSON" (src/databricks/client.c, issue 20). */
TEST(mod_data_databricks_current_user, alloc_walk)
{
    struct mod_fx fx;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    ASSERT_CMP(mod_read_walk(&fx, CU, "{}"), >, 50);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_data_databricks_group_list[] = {
    TEST_MODULE(mod_data_databricks_group, by_display_name),
    TEST_MODULE(mod_data_databricks_group, recursive_parents),
    TEST_MODULE(mod_data_databricks_current_user, me),
    TEST_MODULE(mod_data_databricks_group, alloc_walk),
    TEST_MODULE(mod_data_databricks_current_user, alloc_walk),
    TEST_END};
