/*
 * aws_iam_policy through the built binary against a tern-sim on
 * 127.0.0.1: the Databricks provider's documentation example for
 * databricks_instance_profile (docs/resources/instance_profile.md: a role
 * for the clusters, an aws_iam_policy granting iam:PassRole on it,
 * attached to the workspace's cross-account role, an instance profile
 * registered with the workspace) validates, plans, applies, re-plans
 * empty, refreshes in bulk and destroys, the attachment after its policy
 * and before it. The example's databricks_cluster is left out here
 * (test_mod_databricks_cluster.c and test_cli_dbx_cluster.c have it).
 */
#include "runner.h"

#include "run_tern.h"
#include "aws_call.h"
#include "support.h"
#include "cli_test.h"
#include "policy/policy.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ACCOUNT  "123456789012"
#define WS_ROLE  "databricks-ws"
#define ROLE     "shared-ec2-role-for-s3"
#define POLICY   "shared-pass-role-for-s3-access"
#define POL_ARN  "arn:aws:iam::" ACCOUNT ":policy/" POLICY
#define ROLE_ARN "arn:aws:iam::" ACCOUNT ":role/" ROLE

/* The documentation's example as published, but for its cluster. */
static const char example[] =
    "variable \"crossaccount_role_name\" {\n"
    "  type        = string\n"
    "  description = \"Role that you've specified on "
    "https://accounts.cloud.databricks.com/#aws\"\n"
    "}\n"
    "data \"aws_iam_policy_document\" \"assume_role_for_ec2\" {\n"
    "  statement {\n"
    "    effect  = \"Allow\"\n"
    "    actions = [\"sts:AssumeRole\"]\n"
    "    principals {\n"
    "      identifiers = [\"ec2.amazonaws.com\"]\n"
    "      type        = \"Service\"\n"
    "    }\n"
    "  }\n"
    "}\n"
    "resource \"aws_iam_role\" \"role_for_s3_access\" {\n"
    "  name               = \"shared-ec2-role-for-s3\"\n"
    "  description        = \"Role for shared access\"\n"
    "  assume_role_policy = "
    "data.aws_iam_policy_document.assume_role_for_ec2.json\n"
    "}\n"
    "data \"aws_iam_policy_document\" \"pass_role_for_s3_access\" {\n"
    "  statement {\n"
    "    effect    = \"Allow\"\n"
    "    actions   = [\"iam:PassRole\"]\n"
    "    resources = [aws_iam_role.role_for_s3_access.arn]\n"
    "  }\n"
    "}\n"
    "resource \"aws_iam_policy\" \"pass_role_for_s3_access\" {\n"
    "  name   = \"shared-pass-role-for-s3-access\"\n"
    "  path   = \"/\"\n"
    "  policy = data.aws_iam_policy_document.pass_role_for_s3_access.json\n"
    "}\n"
    "resource \"aws_iam_role_policy_attachment\" \"cross_account\" {\n"
    "  policy_arn = aws_iam_policy.pass_role_for_s3_access.arn\n"
    "  role       = var.crossaccount_role_name\n"
    "}\n"
    "resource \"aws_iam_instance_profile\" \"shared\" {\n"
    "  name = \"shared-instance-profile\"\n"
    "  role = aws_iam_role.role_for_s3_access.name\n"
    "}\n"
    "resource \"databricks_instance_profile\" \"shared\" {\n"
    "  instance_profile_arn = aws_iam_instance_profile.shared.arn\n"
    "  skip_validation      = false\n"
    "}\n";

static json_t *sim_get(const char *path)
{
    struct tt_response resp;
    json_t *doc;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", path, NULL));
    ASSERT_EQ(resp.status, 200);
    doc = json_loads(resp.body, 0, NULL);
    ASSERT_NOT_NULL(doc);
    tt_response_release(&resp);
    return doc;
}

static void clear_calls(void)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_control(&resp, &sim, "DELETE", "calls", NULL));
    tt_response_release(&resp);
}

/* The IAM actions logged since clear_calls(), joined with ",". */
static const char *iam_calls(void)
{
    static char out[8192];
    json_t *doc = sim_get("calls"), *c;
    size_t i, len = 0;

    out[0] = '\0';
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "service")), "iam"))
            continue;
        len += (size_t)snprintf(
            out + len, sizeof(out) - len, "%s%s", len ? "," : "",
            json_string_value(json_object_get(c, "action")));
    }
    json_decref(doc);
    return out;
}

/* Where @a first appears in @list, -1 if not. */
static long at(const char *list, const char *a)
{
    const char *p = strstr(list, a);

    return p ? (long)(p - list) : -1;
}

static void setup(void)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_sim_control(
        &resp, &sim, "POST", "load",
        "{\"iam\": {\"roles\": [{\"name\": \"" WS_ROLE "\", "
        "\"assume_role_policy\": {\"Version\": \"2012-10-17\", \"Statement\": "
        "[{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": "
        "\"arn:aws:iam::414351767826:root\"}, \"Action\": "
        "\"sts:AssumeRole\"}]}}]}}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", example));
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "terraform.tfvars",
                            "crossaccount_role_name = \"" WS_ROLE "\"\n"));
}

TEST(cli_iam_policy, databricks_instance_profile_example)
{
    json_t *dump, *p, *ws;
    const char *calls;
    size_t i;

    setup();
    RUN(0, "init", "-input=false");
    RUN(0, "validate");
    ASSERT_STR_EQ(r.out, "Success! The configuration is valid.\n");
    RUN(2, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out,
                        "  # aws_iam_policy.pass_role_for_s3_access will be "
                        "created\n"
                        "  + resource \"aws_iam_policy\" "
                        "\"pass_role_for_s3_access\" {\n");
    ASSERT_STR_CONTAINS(r.out, "Plan: 5 to add, 0 to change, 0 to destroy.");

    clear_calls();
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_policy.pass_role_for_s3_access: "
                               "Creation complete after ");
    ASSERT_STR_CONTAINS(r.out, "[id=" POL_ARN "]");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 5 added, 0 "
                               "changed, 0 destroyed.");
    /* The attachment names the policy's ARN: it waits for the policy. */
    calls = iam_calls();
    ASSERT_CMP(at(calls, "CreatePolicy"), >=, 0);
    ASSERT_CMP(at(calls, "CreatePolicy"), <, at(calls, "AttachRolePolicy"));

    /* What tern-sim holds: the PassRole policy, attached to the
     * workspace's role. */
    dump = sim_get("dump");
    p = json_array_get(
        json_object_get(json_object_get(dump, "iam"), "policies"), 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(p, "arn")), POL_ARN);
    ASSERT_EQ(tern_policy_equivalent(
                  json_string_value(json_object_get(p, "document")),
                  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "
                  "\"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": "
                  "\"" ROLE_ARN "\"}]}"),
              1);
    ws = NULL;
    json_array_foreach(json_object_get(json_object_get(dump, "iam"), "roles"),
                       i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "name")), WS_ROLE) == 0)
            ws = p;
    }
    ASSERT_NOT_NULL(ws);
    ASSERT_STR_EQ(json_string_value(json_array_get(
                      json_object_get(ws, "attached_policies"), 0)),
                  POL_ARN);
    json_decref(dump);

    /* Nothing to do; the refresh saw the attachment counted. */
    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_policy.pass_role_for_s3_access "
                               "has changed\n"
                               "  ~ resource \"aws_iam_policy\" "
                               "\"pass_role_for_s3_access\" {\n"
                               "      ~ attachment_count = 0 -> 1\n");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure matches the "
                               "configuration.");

    /* A bulk refresh reads the policy from GetAccountAuthorizationDetails
     * (its tags by ListPolicyTags), and the state takes the count. */
    tt_sim_env_add(&env, "TERN_BULK_REFRESH_MIN=1");
    clear_calls();
    RUN(0, "apply", "-refresh-only", "-auto-approve");
    calls = iam_calls();
    ASSERT_STR_NOT_CONTAINS(calls, "GetPolicy");
    ASSERT_STR_CONTAINS(calls, "GetAccountAuthorizationDetails");
    ASSERT_STR_CONTAINS(calls, "ListPolicyTags");
    RUN(0, "state", "show", "aws_iam_policy.pass_role_for_s3_access");
    ASSERT_STR_CONTAINS(r.out, "    attachment_count = 1\n");
    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_NOT_CONTAINS(r.out, "changed outside");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure matches the "
                               "configuration.");

    clear_calls();
    RUN(0, "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 5 destroyed.");
    calls = iam_calls();
    ASSERT_CMP(at(calls, "DetachRolePolicy"), >=, 0);
    ASSERT_CMP(at(calls, "DetachRolePolicy"), <, at(calls, "DeletePolicy"));
    dump = sim_get("dump");
    ASSERT_EQ(json_array_size(
                  json_object_get(json_object_get(dump, "iam"), "policies")),
              0);
    json_decref(dump);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_iam_policy_list[] = {
    TEST_INTEGRATION(cli_iam_policy, databricks_instance_profile_example),
    TEST_END};
