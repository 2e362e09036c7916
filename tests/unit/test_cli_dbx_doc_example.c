/*
 * The Databricks provider's documentation example for
 * databricks_instance_profile (docs/resources/instance_profile.md) through
 * the built binary against tern-sim, with IAM showing a new instance
 * profile only 5 s after its creation: the registration waits for it, the
 * "Granting access to all users" part's group role follows. The example's
 * parts without that delay, its data sources and the refused own group are
 * golden cases (tests/cases/cli/511-520): a propagation delay's wait shows
 * in the apply's elapsed times, which a golden output cannot hold.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#include "cli_test.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ARN "arn:aws:iam::123456789012:instance-profile/shared-instance-profile"

/* The IAM part, as published. */
static const char base[] =
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
    "}\n";

/* "Granting access to all users", as published. */
static const char grant[] =
    "resource \"databricks_instance_profile\" \"this\" {\n"
    "  instance_profile_arn = aws_iam_instance_profile.shared.arn\n"
    "  skip_validation      = false\n"
    "}\n"
    "\n"
    "data \"databricks_group\" \"users\" {\n"
    "  display_name = \"users\"\n"
    "}\n"
    "\n"
    "resource \"databricks_group_instance_profile\" \"all\" {\n"
    "  group_id            = data.databricks_group.users.id\n"
    "  instance_profile_id = databricks_instance_profile.this.id\n"
    "}\n";

#define VAR "-var=crossaccount_role_name=crossaccount"

static void start_with(const char *const *sim_args)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_start(&sim, sim_args));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_sim_control(
        &resp, &sim, "POST", "load",
        "{\"iam\": {\"roles\": [{\"name\": \"crossaccount\", "
        "\"assume_role_policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\","
        "\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
        "\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::414351767826:"
        "root\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}]}}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
}

static json_t *dbx_dump(void)
{
    struct tt_response resp;
    json_t *doc, *d;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "dump", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    d = json_incref(json_object_get(doc, "databricks"));
    json_decref(doc);
    return d;
}

static void write_config(const char *a, const char *b, const char *c)
{
    char *text = malloc(strlen(a) + strlen(b) + strlen(c) + 1);

    ASSERT_NOT_NULL(text);
    strcpy(text, a);
    strcat(text, b);
    strcat(text, c);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
    free(text);
}

static void group_part(const char *const *sim_args)
{
    json_t *d, *g;
    size_t i;
    int seen = 0;

    start_with(sim_args);
    write_config(base, grant, "");
    RUN(0, "apply", "-auto-approve", "-no-color", VAR);
    tt_run_release(&r);
    d = dbx_dump();
    json_array_foreach(json_object_get(d, "groups"), i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "displayName")),
                   "users") == 0) {
            char *roles = json_dumps(json_object_get(g, "roles"), JSON_COMPACT);

            ASSERT_STR_EQ(roles, "[{\"value\":\"" ARN "\"}]");
            free(roles);
            seen = 1;
        }
    }
    ASSERT(seen);
    json_decref(d);
    RUN(0, "plan", "-detailed-exitcode", "-no-color", VAR);
    tt_run_release(&r);
    RUN(0, "destroy", "-auto-approve", "-no-color", VAR);
    tt_run_release(&r);
    d = dbx_dump();
    json_array_foreach(json_object_get(d, "groups"), i, g)
        ASSERT(json_object_get(g, "roles") == NULL);
    json_decref(d);
    tt_sim_stop(&sim);
}

/* IAM showing the new profile only after 5 s: the registration waits for
 * it, the group's role follows. */
TEST(cli_dbx_doc_example, group_part_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};

    group_part(args);
}

const struct tern_test test_cli_dbx_doc_example_list[] = {
    TEST_INTEGRATION(cli_dbx_doc_example, group_part_propagation_5s), TEST_END};
