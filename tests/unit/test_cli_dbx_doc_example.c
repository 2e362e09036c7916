/*
 * The Databricks provider's documentation example for
 * databricks_instance_profile (docs/resources/instance_profile.md) through
 * the built binary against tern-sim, minus its databricks_cluster (another
 * module's): the IAM resources and the registration with the "Usage with
 * Cluster Policies" part, then with the "Granting access to all users"
 * part, each applied, planned again without changes and destroyed. The
 * three parts are alternatives: together they register one ARN twice,
 * which a workspace refuses.
 *
 * The policy part's "databricks_instance_profile.shared.arn" names an
 * attribute the resource does not have (the provider's issue #4375: the
 * documentation should say .id), so the text as published fails to
 * validate and to plan, as it does with Terraform; it applies with .id.
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

/* Its registration. */
static const char registration[] =
    "resource \"databricks_instance_profile\" \"shared\" {\n"
    "  instance_profile_arn = aws_iam_instance_profile.shared.arn\n"
    "  skip_validation      = false\n"
    "}\n"
    "\n";

/* "Usage with Cluster Policies", as published. */
static const char policy[] =
    "resource \"databricks_cluster_policy\" \"this\" {\n"
    "  name = \"Policy with predefined instance profile\"\n"
    "  definition = jsonencode({\n"
    "    # most likely policy might have way more things init.\n"
    "    \"aws_attributes.instance_profile_arn\" : {\n"
    "      \"type\" : \"fixed\",\n"
    "      \"value\" : databricks_instance_profile.shared.arn\n"
    "    }\n"
    "  })\n"
    "}\n"
    "\n";

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

static void start(void)
{
    start_with(NULL);
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

TEST(cli_dbx_doc_example, cluster_policy_part)
{
    json_t *d;
    char *fixed = strdup(policy), *p;

    ASSERT_NOT_NULL(fixed);
    start();
    /* As published: .arn is not an attribute of the registration, which
     * validate finds from the schema, as Terraform's static validation
     * does (the step underlined, as hcl's TraverseAttr range). */
    write_config(base, registration, policy);
    RUN(1, "validate", "-no-color");
    ASSERT_STR_EQ(r.err,
                  "Error: Unsupported attribute\n\n"
                  "  on main.tf line 51, in resource "
                  "\"databricks_cluster_policy\" \"this\":\n"
                  "  51:       \"value\" : "
                  "databricks_instance_profile.shared.arn\n"
                  "                                                        "
                  "^^^^\n\n"
                  "This object has no argument, nested block, or exported "
                  "attribute named \"arn\".\n\n");
    tt_run_release(&r);
    RUN(1, "plan", "-no-color", VAR);
    ASSERT_STR_EQ(r.err,
                  "Error: Unsupported attribute\n\n"
                  "  on main.tf line 51, in resource "
                  "\"databricks_cluster_policy\" \"this\":\n"
                  "  51:       \"value\" : "
                  "databricks_instance_profile.shared.arn\n"
                  "                      "
                  "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\n"
                  "This object does not have an attribute named \"arn\".\n\n");
    tt_run_release(&r);
    /* With .id, as the provider's issue #4375 corrects it. */
    p = strstr(fixed, "shared.arn");
    ASSERT_NOT_NULL(p);
    memcpy(p, "shared.id ", 10);
    write_config(base, registration, fixed);
    RUN(0, "apply", "-auto-approve", "-no-color", VAR);
    tt_run_release(&r);
    d = dbx_dump();
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_array_get(json_object_get(d, "cluster_policies"), 0),
                      "definition")),
                  "{\"aws_attributes.instance_profile_arn\":{\"type\":"
                  "\"fixed\",\"value\":\"" ARN "\"}}");
    json_decref(d);
    /* The service's re-serialised definition is no change. */
    RUN(0, "plan", "-detailed-exitcode", "-no-color", VAR);
    tt_run_release(&r);
    RUN(0, "destroy", "-auto-approve", "-no-color", VAR);
    tt_run_release(&r);
    d = dbx_dump();
    ASSERT_EQ(json_array_size(json_object_get(d, "cluster_policies")), 0);
    ASSERT_EQ(json_array_size(json_object_get(d, "instance_profiles")), 0);
    json_decref(d);
    free(fixed);
    tt_sim_stop(&sim);
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

TEST(cli_dbx_doc_example, group_part)
{
    group_part(NULL);
}

/* IAM showing the new profile only after 5 s: the registration waits for
 * it, the group's role follows. */
TEST(cli_dbx_doc_example, group_part_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};

    group_part(args);
}

/* The data sources the current text of the example feeds its cluster
 * with. */
TEST(cli_dbx_doc_example, cluster_data_sources)
{
    start();
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "main.tf",
                      "data \"databricks_spark_version\" \"latest\" {}\n"
                      "data \"databricks_node_type\" \"smallest\" {\n"
                      "  local_disk = true\n"
                      "}\n"
                      "output \"spark_version\" {\n"
                      "  value = data.databricks_spark_version.latest.id\n"
                      "}\n"
                      "output \"node_type_id\" {\n"
                      "  value = data.databricks_node_type.smallest.id\n"
                      "}\n"));
    RUN(0, "apply", "-auto-approve", "-no-color");
    tt_run_release(&r);
    RUN(0, "output", "-raw", "spark_version");
    ASSERT_STR_EQ(r.out, "16.1.x-scala2.12");
    tt_run_release(&r);
    RUN(0, "output", "-raw", "node_type_id");
    ASSERT_STR_EQ(r.out, "m5d.large");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* The workspace's own groups are refused as resources, at validate. */
TEST(cli_dbx_doc_example, own_group_refused)
{
    start();
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "resource \"databricks_group\" \"u\" {\n"
                            "  display_name = \"users\"\n"
                            "}\n"));
    RUN(1, "validate", "-no-color");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid value for argument\n\n"
                  "  on main.tf line 2, in resource \"databricks_group\" "
                  "\"u\":\n"
                  "   2:   display_name = \"users\"\n"
                  "                       ^^^^^^^\n\n"
                  "The argument \"display_name\" must not be \"users\" or "
                  "\"admins\": the workspace's own groups cannot be managed "
                  "(use data \"databricks_group\" to refer to them).\n\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_dbx_doc_example_list[] = {
    TEST_INTEGRATION(cli_dbx_doc_example, own_group_refused),
    TEST_INTEGRATION(cli_dbx_doc_example, cluster_data_sources),
    TEST_INTEGRATION(cli_dbx_doc_example, cluster_policy_part),
    TEST_INTEGRATION(cli_dbx_doc_example, group_part),
    TEST_INTEGRATION(cli_dbx_doc_example, group_part_propagation_5s),
    TEST_END};
