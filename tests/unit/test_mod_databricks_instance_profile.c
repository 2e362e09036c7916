/*
 * databricks_instance_profile against tern-sim: create (one call), drift,
 * update in place, replace, delete (already gone is success), import,
 * errors (duplicate, refused token, validation), and the validation of a
 * profile created in IAM a moment earlier under 5 s of propagation.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_databricks_instance_profile;
#define M (&tern_module_databricks_instance_profile)

#define PROFILE_ARN "arn:aws:iam::" MOD_ACCOUNT ":instance-profile/"
#define ROLE_ARN    "arn:aws:iam::" MOD_ACCOUNT ":role/"

/* A role and a profile holding it, in IAM. */
static void iam_profile(struct mod_fx *fx, const char *name)
{
    ASSERT_OK(mod_iam(fx, "CreateRole", "RoleName", name,
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
    ASSERT_OK(mod_iam(fx, "CreateInstanceProfile", "InstanceProfileName", name,
                      NULL));
}

static void iam_add_role(struct mod_fx *fx, const char *name)
{
    ASSERT_OK(mod_iam(fx, "AddRoleToInstanceProfile", "InstanceProfileName",
                      name, "RoleName", name, NULL));
}

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

static json_t *registered(struct mod_fx *fx)
{
    json_t *dump = mod_dump(fx);
    json_t *l = json_incref(json_object_get(json_object_get(dump, "databricks"),
                                            "instance_profiles"));

    json_decref(dump);
    return l;
}

TEST(mod_databricks_instance_profile, create_read_update_delete)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *cfg, *l;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    fx.op.address = "databricks_instance_profile.shared";
    iam_profile(&fx, "ws");
    iam_add_role(&fx, "ws");
    mod_clear_calls(&fx);
    st = create(&fx, "{\"instance_profile_arn\": \"" PROFILE_ARN "ws\"}");
    ASSERT_STR_EQ(mod_calls(&fx), "instance-profiles/add");
    ASSERT_STR_EQ(mod_str(st, "id"), PROFILE_ARN "ws");
    ASSERT(json_is_false(json_object_get(st, "is_meta_instance_profile")));
    l = registered(&fx);
    ASSERT_EQ(json_array_size(l), 1);
    ASSERT_STR_EQ(mod_str(json_array_get(l, 0), "instance_profile_arn"),
                  PROFILE_ARN "ws");
    json_decref(l);
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "instance-profiles/list");
    ASSERT(json_equal(now, st));
    json_decref(now);
    /* In place: a role ARN and the meta flag. */
    cfg = mod_json("{\"instance_profile_arn\": \"" PROFILE_ARN "ws\", "
                   "\"iam_role_arn\": \"" ROLE_ARN "ws\", "
                   "\"is_meta_instance_profile\": true}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "instance-profiles/edit");
    l = registered(&fx);
    ASSERT_STR_EQ(mod_str(json_array_get(l, 0), "iam_role_arn"), ROLE_ARN "ws");
    ASSERT(json_is_true(
        json_object_get(json_array_get(l, 0), "is_meta_instance_profile")));
    json_decref(l);
    json_decref(st);
    st = NULL;
    /* Drift: edited back outside tern; read shows it. */
    ASSERT_OK(M->read(&st, &fx.op, now));
    ASSERT(json_equal(st, now));
    json_decref(st);
    st = NULL;
    ASSERT_OK(M->delete_(&fx.op, now));
    l = registered(&fx);
    ASSERT_EQ(json_array_size(l), 0);
    json_decref(l);
    /* Gone: read says so, delete again succeeds. */
    ASSERT_EQ(M->read(&st, &fx.op, now), TERN_ENOTFOUND);
    ASSERT_OK(M->delete_(&fx.op, now));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(now);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_instance_profile, replace_and_import)
{
    struct mod_fx fx;
    json_t *st, *st2, *imp = NULL, *l;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    ASSERT(tern_schema_attr(M->schema, "instance_profile_arn")->flags &
           TERN_ATTR_FORCE_NEW);
    st = create(&fx, "{\"instance_profile_arn\": \"" PROFILE_ARN "a\", "
                     "\"skip_validation\": true}");
    ASSERT_OK(M->delete_(&fx.op, st));
    st2 = create(&fx, "{\"instance_profile_arn\": \"" PROFILE_ARN "b\", "
                      "\"skip_validation\": true}");
    l = registered(&fx);
    ASSERT_EQ(json_array_size(l), 1);
    ASSERT_STR_EQ(mod_str(json_array_get(l, 0), "instance_profile_arn"),
                  PROFILE_ARN "b");
    json_decref(l);
    mod_load(&fx, "{\"databricks\": {\"instance_profiles\": "
                  "[{\"instance_profile_arn\": \"" PROFILE_ARN "old\", "
                  "\"iam_role_arn\": \"" ROLE_ARN "old\"}]}}");
    ASSERT_OK(M->import(&imp, &fx.op, PROFILE_ARN "old"));
    ASSERT_STR_EQ(mod_str(imp, "iam_role_arn"), ROLE_ARN "old");
    ASSERT_STR_EQ(mod_str(imp, "id"), PROFILE_ARN "old");
    json_decref(imp);
    imp = NULL;
    ASSERT_EQ(M->import(&imp, &fx.op, PROFILE_ARN "none"), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "no instance profile with this "
                                            "ARN");
    json_decref(st);
    json_decref(st2);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_instance_profile, errors)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;
    tern_dbx_config dc = TERN_DBX_CONFIG_INIT;
    tern_dbx_client *bad = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    fx.op.address = "databricks_instance_profile.x";
    tern__propagation_timeout_set(300);
    /* Not in IAM at all: validation fails, retried briefly, then the
     * service's message and what to do. */
    cfg = mod_json("{\"instance_profile_arn\": \"" PROFILE_ARN "none\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[DRY_RUN_FAILED]");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "Invalid IAM Instance Profile ARN");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "iam:PassRole");
    ASSERT_STR_CONTAINS(mod_calls(&fx),
                        "instance-profiles/add,instance-profiles/add");
    mod_diag_clear(&fx);
    json_decref(cfg);
    /* A duplicate. */
    cfg = mod_json("{\"instance_profile_arn\": \"" PROFILE_ARN "d\", "
                   "\"skip_validation\": true}");
    ASSERT_OK(M->create(&st, &fx.op, cfg));
    json_decref(st);
    st = NULL;
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EEXISTS);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "tern import databricks_instance_profile.x "
                        "arn:aws:iam::" MOD_ACCOUNT ":instance-profile/d");
    mod_diag_clear(&fx);
    /* A refused token: numeric error code 403. */
    dc.host = fx.sim.base_url;
    dc.token = "dapi-wrong";
    dc.config_file = "/nonexistent";
    ASSERT_OK(tern_dbx_client_new(&bad, &dc, fx.http, &d));
    fx.op.client = bad;
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EAUTH);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[403]");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "token was refused");
    fx.op.client = fx.dbx;
    tern_dbx_client_free(bad);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

/* Issue 20, finding 10: a 200 that is not JSON (a proxy's page) or is
 * over the size cap is an error at once, one call, not retried for two
 * minutes as if IAM were still propagating. */
TEST(mod_databricks_instance_profile, unreadable_not_retried)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;
    char want[512];

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    fx.op.address = "databricks_instance_profile.x";
    cfg = mod_json("{\"instance_profile_arn\": \"" PROFILE_ARN "x\"}");
    mod_faults(&fx, "{\"garble_rate\": 1, \"garble_mode\": \"html\"}");
    mod_clear_calls(&fx);
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_calls(&fx), "instance-profiles/list");
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot read Databricks instance profile '" PROFILE_ARN
                  "x' []: GET /api/2.0/instance-profiles/list answered HTTP "
                  "200 with a body that is not JSON: '[' or '{' expected "
                  "near '<'.");
    mod_diag_clear(&fx);
    mod_faults(&fx, "{\"garble_mode\": \"oversize\"}");
    mod_clear_calls(&fx);
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_calls(&fx), "instance-profiles/list");
    snprintf(want, sizeof(want),
             "Cannot read Databricks instance profile '" PROFILE_ARN
             "x' []: GET /api/2.0/instance-profiles/list: response from "
             "endpoint %s/api/2.0/instance-profiles/list is larger than the "
             "16777216 byte limit (1 attempt)",
             fx.sim.base_url);
    ASSERT_STR_EQ(mod_diag_text(&fx), want);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_instance_profile, validation_waits_for_iam_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, args);
    ASSERT_OK(mod_iam(&fx, "CreateRole", "RoleName", "fresh",
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
    {
        /* Add the role once the profile is visible, as aws_iam_instance_
         * profile would. */
        extern const tern_module tern_module_aws_iam_instance_profile;
        json_t *cfg = mod_json("{\"name\": \"fresh2\", \"role\": \"fresh\"}");
        json_t *p = NULL;

        ASSERT_OK(tern_module_aws_iam_instance_profile.create(&p, &fx.op, cfg));
        json_decref(cfg);
        json_decref(p);
    }
    fx.op.client = fx.dbx;
    mod_clear_calls(&fx);
    st = create(&fx, "{\"instance_profile_arn\": \"" PROFILE_ARN "fresh2\"}");
    ASSERT_STR_CONTAINS(mod_calls(&fx),
                        "instance-profiles/add,instance-profiles/add");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_databricks_instance_profile_list[] = {
    TEST_MODULE(mod_databricks_instance_profile, create_read_update_delete),
    TEST_MODULE(mod_databricks_instance_profile, replace_and_import),
    TEST_MODULE(mod_databricks_instance_profile, errors),
    TEST_MODULE(mod_databricks_instance_profile, unreadable_not_retried),
    TEST_MODULE(mod_databricks_instance_profile, validation_waits_for_iam_5s),
    TEST_END};
