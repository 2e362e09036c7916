/*
 * data "aws_iam_policy" against tern-sim: by ARN (GetPolicy and
 * GetPolicyVersion for the document), by name (ListPolicies, then the
 * same two), a customer managed policy by name, ambiguous and missing
 * names.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_data_aws_iam_policy;
#define M (&tern_module_data_aws_iam_policy)

#define RO "arn:aws:iam::aws:policy/ReadOnlyAccess"

TEST(mod_data_aws_iam_policy, by_arn_and_name)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    cfg = mod_json("{\"arn\": \"" RO "\"}");
    ASSERT_OK(M->read(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "GetPolicy,GetPolicyVersion");
    ASSERT_STR_EQ(mod_str(st, "name"), "ReadOnlyAccess");
    ASSERT_STR_EQ(mod_str(st, "path"), "/");
    ASSERT_STR_EQ(mod_str(st, "id"), RO);
    ASSERT_STR_CONTAINS(mod_str(st, "policy_id"), "ANPA");
    ASSERT_STR_CONTAINS(mod_str(st, "policy"), "\"ec2:Describe*\"");
    ASSERT_STR_CONTAINS(mod_str(st, "description"), "read-only");
    json_decref(st);
    st = NULL;
    json_decref(cfg);
    mod_load(&fx, "{\"iam\": {\"policies\": [{\"name\": \"app-s3\", "
                  "\"path\": \"/app/\", \"description\": \"mine\", "
                  "\"document\": {\"Version\": \"2012-10-17\", \"Statement\": "
                  "[{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", "
                  "\"Resource\": \"*\"}]}}]}}");
    mod_clear_calls(&fx);
    cfg = mod_json("{\"name\": \"app-s3\"}");
    ASSERT_OK(M->read(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "ListPolicies,GetPolicy,GetPolicyVersion");
    ASSERT_STR_EQ(mod_str(st, "arn"),
                  "arn:aws:iam::" MOD_ACCOUNT ":policy/app/app-s3");
    ASSERT_STR_CONTAINS(mod_str(st, "policy"), "s3:GetObject");
    ASSERT_STR_EQ(mod_str(st, "description"), "mine");
    json_decref(st);
    st = NULL;
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_data_aws_iam_policy, ambiguous_and_missing)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    mod_load(&fx, "{\"iam\": {\"policies\": [{\"name\": \"ReadOnlyAccess\", "
                  "\"path\": \"/mine/\", \"document\": {\"Version\": "
                  "\"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
                  "\"Action\": \"s3:List*\", \"Resource\": \"*\"}]}}]}}");
    cfg = mod_json("{\"name\": \"ReadOnlyAccess\"}");
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "More than one policy");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "path_prefix");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"ReadOnlyAccess\", \"path_prefix\": "
                   "\"/mine/\"}");
    ASSERT_OK(M->read(&st, &fx.op, cfg));
    ASSERT_STR_CONTAINS(mod_str(st, "policy"), "s3:List*");
    json_decref(st);
    st = NULL;
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"Nothing\"}");
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "No policy is named 'Nothing'");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"arn\": \"arn:aws:iam::aws:policy/Nothing\"}");
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[NoSuchEntity]");
    ASSERT_NULL(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

/* A customer managed policy made by CreatePolicy (an aws_iam_policy) is
 * found by name, with what only GetPolicy says: description and tags. */
TEST(mod_data_aws_iam_policy, customer_policy_by_name)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL, *tags;

    mod_fx_start(&fx, NULL);
    ASSERT_OK(mod_iam(
        &fx, "CreatePolicy", "PolicyName", "pass-role", "Path", "/dbx/",
        "Description", "PassRole for clusters", "PolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{"
        "\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\","
        "\"Resource\":\"*\"}]}",
        "Tags.member.1.Key", "team", "Tags.member.1.Value", "data", NULL));
    mod_clear_calls(&fx);
    cfg = mod_json("{\"name\": \"pass-role\"}");
    ASSERT_OK(M->read(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "ListPolicies,GetPolicy,GetPolicyVersion");
    ASSERT_STR_EQ(mod_str(st, "arn"),
                  "arn:aws:iam::" MOD_ACCOUNT ":policy/dbx/pass-role");
    ASSERT_STR_EQ(mod_str(st, "path"), "/dbx/");
    ASSERT_STR_EQ(mod_str(st, "description"), "PassRole for clusters");
    tags = mod_json("{\"team\": \"data\"}");
    ASSERT(json_equal(json_object_get(st, "tags"), tags));
    ASSERT_STR_EQ(mod_str(st, "policy"),
                  "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                  "\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\","
                  "\"Resource\":\"*\"}]}");
    json_decref(tags);
    json_decref(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_data_aws_iam_policy_list[] = {
    TEST_MODULE(mod_data_aws_iam_policy, by_arn_and_name),
    TEST_MODULE(mod_data_aws_iam_policy, ambiguous_and_missing),
    TEST_MODULE(mod_data_aws_iam_policy, customer_policy_by_name), TEST_END};
