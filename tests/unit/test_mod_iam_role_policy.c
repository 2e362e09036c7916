/*
 * aws_iam_role_policy against tern-sim: create (one call), drift, update
 * in place, replace, delete, import, errors, the iam:PassRole policy of a
 * Databricks workspace role tern does not manage (pre-loaded), and a
 * policy for a role created a moment earlier under 5 s of propagation.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_aws_iam_role_policy;
#define M (&tern_module_aws_iam_role_policy)

#define DOC_S3                                                                 \
    "{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{"              \
    "\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:GetObject\\\", "    \
    "\\\"Resource\\\": \\\"*\\\"}]}"
#define DOC_S3_PUT                                                             \
    "{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{"              \
    "\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": [\\\"s3:GetObject\\\", "   \
    "\\\"s3:PutObject\\\"], \\\"Resource\\\": \\\"*\\\"}]}"

static void role(struct mod_fx *fx, const char *name)
{
    ASSERT_OK(mod_iam(fx, "CreateRole", "RoleName", name,
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
}

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

static const char *inline_doc(json_t *dump, const char *role_name,
                              const char *name)
{
    return json_string_value(json_object_get(
        json_object_get(mod_dump_role(dump, role_name), "inline_policies"),
        name));
}

TEST(mod_iam_role_policy, create_drift_update)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *dump, *cfg;

    mod_fx_start(&fx, NULL);
    role(&fx, "app");
    mod_clear_calls(&fx);
    st = create(&fx, "{\"name\": \"s3\", \"role\": \"app\", \"policy\": "
                     "\"" DOC_S3 "\"}");
    ASSERT_STR_EQ(mod_calls(&fx), "PutRolePolicy");
    ASSERT_STR_EQ(mod_str(st, "id"), "app:s3");
    dump = mod_dump(&fx);
    ASSERT_STR_CONTAINS(inline_doc(dump, "app", "s3"), "s3:GetObject");
    json_decref(dump);
    /* Read keeps the configuration's layout while equivalent. */
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "GetRolePolicy");
    ASSERT(json_equal(now, st));
    json_decref(now);
    /* Changed outside tern: read shows it. */
    ASSERT_OK(mod_iam(&fx, "PutRolePolicy", "RoleName", "app", "PolicyName",
                      "s3", "PolicyDocument",
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                      "\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
                      NULL));
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_CONTAINS(mod_str(now, "policy"), "\"s3:*\"");
    /* Update in place puts the configuration back. */
    cfg = mod_json("{\"name\": \"s3\", \"role\": \"app\", \"policy\": "
                   "\"" DOC_S3_PUT "\"}");
    json_decref(st);
    st = NULL;
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&st, &fx.op, now, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "PutRolePolicy");
    dump = mod_dump(&fx);
    ASSERT_STR_CONTAINS(inline_doc(dump, "app", "s3"), "s3:PutObject");
    ASSERT_STR_CONTAINS(mod_str(st, "policy"), "s3:PutObject");
    json_decref(dump);
    json_decref(cfg);
    json_decref(now);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy, replace_delete_gone)
{
    struct mod_fx fx;
    json_t *st, *st2, *now = NULL, *dump;

    mod_fx_start(&fx, NULL);
    ASSERT(tern_schema_attr(M->schema, "name")->flags & TERN_ATTR_FORCE_NEW);
    ASSERT(tern_schema_attr(M->schema, "role")->flags & TERN_ATTR_FORCE_NEW);
    role(&fx, "app");
    st = create(&fx, "{\"name\": \"one\", \"role\": \"app\", \"policy\": "
                     "\"" DOC_S3 "\"}");
    ASSERT_OK(M->delete_(&fx.op, st));
    st2 = create(&fx, "{\"name_prefix\": \"p-\", \"role\": \"app\", "
                      "\"policy\": \"" DOC_S3 "\"}");
    ASSERT(strncmp(mod_str(st2, "name"), "p-", 2) == 0);
    dump = mod_dump(&fx);
    ASSERT_NULL(inline_doc(dump, "app", "one"));
    ASSERT_NOT_NULL(inline_doc(dump, "app", mod_str(st2, "name")));
    json_decref(dump);
    /* Deleted outside tern: read says gone, delete says done. */
    ASSERT_OK(mod_iam(&fx, "DeleteRolePolicy", "RoleName", "app", "PolicyName",
                      mod_str(st2, "name"), NULL));
    ASSERT_EQ(M->read(&now, &fx.op, st2), TERN_ENOTFOUND);
    ASSERT_OK(M->delete_(&fx.op, st2));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    json_decref(st2);
    mod_fx_stop(&fx);
}

/* The Databricks workspace role, made by someone else, gets its
 * iam:PassRole policy from tern. */
TEST(mod_iam_role_policy, unmanaged_workspace_role)
{
    struct mod_fx fx;
    json_t *st, *imp = NULL, *dump;
    int same = 0;

    mod_fx_start(&fx, NULL);
    mod_load(&fx, "{\"iam\": {\"roles\": [{\"name\": \"databricks-ws\", "
                  "\"assume_role_policy\": {\"Version\": \"2012-10-17\", "
                  "\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
                  "{\"AWS\": \"arn:aws:iam::414351767826:root\"}, \"Action\": "
                  "\"sts:AssumeRole\"}]}}]}}");
    st = create(
        &fx,
        "{\"name\": \"pass-role\", \"role\": \"databricks-ws\", \"policy\": "
        "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
        "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"iam:PassRole\\\","
        "\\\"Resource\\\":\\\"arn:aws:iam::" MOD_ACCOUNT
        ":role/data\\\"}]}\"}");
    dump = mod_dump(&fx);
    ASSERT_STR_CONTAINS(inline_doc(dump, "databricks-ws", "pass-role"),
                        "iam:PassRole");
    json_decref(dump);
    ASSERT_OK(M->import(&imp, &fx.op, "databricks-ws:pass-role"));
    ASSERT_STR_EQ(mod_str(imp, "id"), "databricks-ws:pass-role");
    ASSERT_OK(tern_schema_attr(M->schema, "policy")
                  ->equivalent(&same, json_object_get(imp, "policy"),
                               json_object_get(st, "policy")));
    ASSERT_EQ(same, 1);
    json_decref(imp);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy, import_and_errors)
{
    struct mod_fx fx;
    json_t *st = NULL, *cfg;

    mod_fx_start(&fx, NULL);
    tern__propagation_timeout_set(300);
    ASSERT_EQ(M->import(&st, &fx.op, "nocolon"), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "role-name:policy-name");
    mod_diag_clear(&fx);
    ASSERT_EQ(M->import(&st, &fx.op, "app:none"), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[NoSuchEntity]");
    mod_diag_clear(&fx);
    cfg = mod_json("{\"name\": \"x\", \"role\": \"ghost\", \"policy\": "
                   "\"" DOC_S3 "\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "ghost");
    mod_diag_clear(&fx);
    json_decref(cfg);
    role(&fx, "app");
    cfg = mod_json("{\"name\": \"x\", \"role\": \"app\", \"policy\": "
                   "\"{\\\"Statement\\\": 1}\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[MalformedPolicyDocument]");
    ASSERT_NULL(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy, new_role_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, args);
    role(&fx, "fresh");
    mod_clear_calls(&fx);
    st = create(&fx, "{\"name\": \"p\", \"role\": \"fresh\", \"policy\": "
                     "\"" DOC_S3 "\"}");
    ASSERT_STR_CONTAINS(mod_calls(&fx), "PutRolePolicy,PutRolePolicy");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_iam_role_policy_list[] = {
    TEST_MODULE(mod_iam_role_policy, create_drift_update),
    TEST_MODULE(mod_iam_role_policy, replace_delete_gone),
    TEST_MODULE(mod_iam_role_policy, unmanaged_workspace_role),
    TEST_MODULE(mod_iam_role_policy, import_and_errors),
    TEST_MODULE(mod_iam_role_policy, new_role_propagation_5s),
    TEST_END};
