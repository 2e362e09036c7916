/*
 * aws_iam_role_policy_attachment against tern-sim: create (one call),
 * drift (detached outside tern), replace, delete, import, errors, and an
 * attachment to a role created a moment earlier under 5 s of propagation.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_aws_iam_role_policy_attachment;
#define M (&tern_module_aws_iam_role_policy_attachment)

#define RO "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define S3 "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"

static void role(struct mod_fx *fx, const char *name)
{
    ASSERT_OK(mod_iam(fx, "CreateRole", "RoleName", name,
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
}

static json_t *attach(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

static json_t *attached(struct mod_fx *fx, const char *role_name)
{
    json_t *dump = mod_dump(fx);
    json_t *a = json_deep_copy(
        json_object_get(mod_dump_role(dump, role_name), "attached_policies"));

    json_decref(dump);
    return a;
}

TEST(mod_iam_role_policy_attachment, create_read_delete)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *a;

    mod_fx_start(&fx, NULL);
    role(&fx, "app");
    mod_clear_calls(&fx);
    st = attach(&fx, "{\"role\": \"app\", \"policy_arn\": \"" RO "\"}");
    ASSERT_STR_EQ(mod_calls(&fx), "AttachRolePolicy");
    ASSERT_STR_EQ(mod_str(st, "id"), "app/" RO);
    a = attached(&fx, "app");
    ASSERT_EQ(json_array_size(a), 1);
    ASSERT_STR_EQ(json_string_value(json_array_get(a, 0)), RO);
    json_decref(a);
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "ListAttachedRolePolicies");
    ASSERT(json_equal(now, st));
    json_decref(now);
    ASSERT_OK(M->delete_(&fx.op, st));
    a = attached(&fx, "app");
    ASSERT_EQ(json_array_size(a), 0);
    json_decref(a);
    /* Already detached: success. */
    ASSERT_OK(M->delete_(&fx.op, st));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy_attachment, drift_and_gone)
{
    struct mod_fx fx;
    json_t *st, *now = NULL;

    mod_fx_start(&fx, NULL);
    role(&fx, "app");
    st = attach(&fx, "{\"role\": \"app\", \"policy_arn\": \"" RO "\"}");
    /* Other attachments do not matter; detaching this one does. */
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
                      S3, NULL));
    ASSERT_OK(M->read(&now, &fx.op, st));
    json_decref(now);
    now = NULL;
    ASSERT_OK(mod_iam(&fx, "DetachRolePolicy", "RoleName", "app", "PolicyArn",
                      RO, NULL));
    ASSERT_EQ(M->read(&now, &fx.op, st), TERN_ENOTFOUND);
    /* The role itself deleted outside tern. */
    ASSERT_OK(mod_iam(&fx, "DetachRolePolicy", "RoleName", "app", "PolicyArn",
                      S3, NULL));
    ASSERT_OK(mod_iam(&fx, "DeleteRole", "RoleName", "app", NULL));
    ASSERT_EQ(M->read(&now, &fx.op, st), TERN_ENOTFOUND);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy_attachment, replace_and_no_update)
{
    struct mod_fx fx;
    json_t *st, *st2, *a;

    mod_fx_start(&fx, NULL);
    ASSERT_NULL(M->update);
    ASSERT(tern_schema_attr(M->schema, "role")->flags & TERN_ATTR_FORCE_NEW);
    ASSERT(tern_schema_attr(M->schema, "policy_arn")->flags &
           TERN_ATTR_FORCE_NEW);
    role(&fx, "app");
    st = attach(&fx, "{\"role\": \"app\", \"policy_arn\": \"" RO "\"}");
    ASSERT_OK(M->delete_(&fx.op, st));
    st2 = attach(&fx, "{\"role\": \"app\", \"policy_arn\": \"" S3 "\"}");
    a = attached(&fx, "app");
    ASSERT_EQ(json_array_size(a), 1);
    ASSERT_STR_EQ(json_string_value(json_array_get(a, 0)), S3);
    json_decref(a);
    json_decref(st);
    json_decref(st2);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy_attachment, import)
{
    struct mod_fx fx;
    json_t *st = NULL;

    mod_fx_start(&fx, NULL);
    mod_load(&fx, "{\"iam\": {\"roles\": [{\"name\": \"legacy\", "
                  "\"assume_role_policy\": " MOD_TRUST_EC2
                  ", \"attached_policies\": [\"" RO "\"]}]}}");
    ASSERT_OK(M->import(&st, &fx.op, "legacy/" RO));
    ASSERT_STR_EQ(mod_str(st, "role"), "legacy");
    ASSERT_STR_EQ(mod_str(st, "policy_arn"), RO);
    ASSERT_STR_EQ(mod_str(st, "id"), "legacy/" RO);
    json_decref(st);
    st = NULL;
    ASSERT_EQ(M->import(&st, &fx.op, "legacy/" S3), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "is not attached");
    mod_diag_clear(&fx);
    ASSERT_EQ(M->import(&st, &fx.op, "legacy"), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "role-name/policy-arn");
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy_attachment, errors)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    tern__propagation_timeout_set(300);
    role(&fx, "app");
    cfg = mod_json("{\"role\": \"app\", \"policy_arn\": "
                   "\"arn:aws:iam::aws:policy/NoSuchPolicy\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[NoSuchEntity]");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "check the name");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"role\": \"app\", \"policy_arn\": \"not-an-arn\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[ValidationError]");
    ASSERT_NULL(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role_policy_attachment, new_role_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, args);
    role(&fx, "fresh");
    mod_clear_calls(&fx);
    st = attach(&fx, "{\"role\": \"fresh\", \"policy_arn\": \"" RO "\"}");
    ASSERT_STR_CONTAINS(mod_calls(&fx), "AttachRolePolicy,AttachRolePolicy");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_iam_role_policy_attachment_list[] = {
    TEST_MODULE(mod_iam_role_policy_attachment, create_read_delete),
    TEST_MODULE(mod_iam_role_policy_attachment, drift_and_gone),
    TEST_MODULE(mod_iam_role_policy_attachment, replace_and_no_update),
    TEST_MODULE(mod_iam_role_policy_attachment, import),
    TEST_MODULE(mod_iam_role_policy_attachment, errors),
    TEST_MODULE(mod_iam_role_policy_attachment, new_role_propagation_5s),
    TEST_END};
