/*
 * The Databricks AWS policy data sources through the built binary: a
 * configuration that uses all three validates with no Databricks
 * credentials anywhere, plans and applies showing their documents while
 * tern-sim logs no call at all, and `tern output -raw` gives the provider's
 * text byte for byte. Bad arguments are errors at their file:line:col
 * (validate), and the cross-account policy's "restricted" rules at its
 * block (plan), with whole messages.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char config[] =
    "data \"databricks_aws_assume_role_policy\" \"this\" {\n"
    "  external_id = \"abc\"\n"
    "}\n"
    "\n"
    "data \"databricks_aws_bucket_policy\" \"this\" {\n"
    "  bucket = \"abc\"\n"
    "}\n"
    "\n"
    "data \"databricks_aws_crossaccount_policy\" \"this\" {\n"
    "  policy_type = \"customer\"\n"
    "}\n"
    "\n"
    "output \"trust\" {\n"
    "  value = data.databricks_aws_assume_role_policy.this.json\n"
    "}\n"
    "\n"
    "output \"bucket\" {\n"
    "  value = data.databricks_aws_bucket_policy.this.json\n"
    "}\n"
    "\n"
    "output \"cross_account_length\" {\n"
    "  value = length(data.databricks_aws_crossaccount_policy.this.json)\n"
    "}\n";

/* Nothing anywhere that could give Databricks credentials. */
static const char *const no_credentials[] = {
    "DATABRICKS_HOST=", "DATABRICKS_TOKEN=", "DATABRICKS_CONFIG_PROFILE=",
    "DATABRICKS_CONFIG_FILE=/nonexistent", NULL};

static char *expected(const char *file)
{
    char path[1024];
    char *text;

    snprintf(path, sizeof(path), "%s/databricks-aws-policies/%s",
             tern_test_data_dir(), file);
    text = tt_read_file(path, NULL);
    if (!text)
        FAIL("cannot read %s", path);
    return text;
}

static void run(struct tt_run *r, const char *const *env,
                const char *const *args, int status)
{
    char *why = tt_run_expect(r, tern_test_tmpdir(), env, args, status);

    if (why)
        FAIL("%s", why);
}

/* How many calls tern-sim logged. */
static size_t sim_calls(struct tt_sim *sim)
{
    struct tt_response resp;
    json_t *log;
    size_t n;

    ASSERT_OK(tt_sim_control(&resp, sim, "GET", "calls", NULL));
    ASSERT_EQ(resp.status, 200);
    log = json_loads(resp.body, 0, NULL);
    ASSERT_NOT_NULL(log);
    ASSERT(json_is_array(json_object_get(log, "calls")));
    n = json_array_size(json_object_get(log, "calls"));
    json_decref(log);
    tt_response_release(&resp);
    return n;
}

TEST(dbx_policies_cli, validate_plan_apply_without_calls)
{
    const char *validate[] = {"validate", "-no-color", NULL};
    const char *plan[] = {"plan", "-no-color", NULL};
    const char *apply[] = {"apply", "-auto-approve", "-no-color", NULL};
    const char *out_trust[] = {"output", "-raw", "trust", NULL};
    const char *out_bucket[] = {"output", "-raw", "bucket", NULL};
    const char *out_cross[] = {"output", "-raw", "cross_account_length", NULL};
    struct tt_sim sim;
    struct tt_sim_env env;
    struct tt_run r;
    char home[1024];
    const char *env0[] = {no_credentials[0],
                          no_credentials[1],
                          no_credentials[2],
                          no_credentials[3],
                          NULL,
                          NULL};
    char *want;

    memset(&r, 0, sizeof(r));
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
    /* validate and plan: no credentials, not even a home with a
     * .databrickscfg; as with the Databricks SDK, credentials are needed
     * only by a call, and these data sources make none. */
    snprintf(home, sizeof(home), "HOME=%s", tern_test_tmpdir());
    env0[4] = home;
    run(&r, env0, validate, 0);
    ASSERT_STR_EQ(r.out, "Success! The configuration is valid.\n");
    ASSERT_STR_EQ(r.err, "");

    /* apply against tern-sim: it is asked nothing. */
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    run(&r, env0, plan, 0);
    ASSERT_STR_EQ(
        r.out,
        "\n"
        "Changes to Outputs:\n"
        "  + bucket               = jsonencode(\n"
        "        {\n"
        "          + Statement = [\n"
        "              + {\n"
        "                  + Action    = [\n"
        "                      + \"s3:GetObject\",\n"
        "                      + \"s3:GetObjectVersion\",\n"
        "                      + \"s3:PutObject\",\n"
        "                      + \"s3:DeleteObject\",\n"
        "                      + \"s3:ListBucket\",\n"
        "                      + \"s3:GetBucketLocation\",\n"
        "                    ]\n"
        "                  + Effect    = \"Allow\"\n"
        "                  + Principal = {\n"
        "                      + AWS = \"arn:aws:iam::414351767826:root\"\n"
        "                    }\n"
        "                  + Resource  = [\n"
        "                      + \"arn:aws:s3:::abc/*\",\n"
        "                      + \"arn:aws:s3:::abc\",\n"
        "                    ]\n"
        "                },\n"
        "            ]\n"
        "          + Version   = \"2012-10-17\"\n"
        "        }\n"
        "    )\n"
        "  + cross_account_length = 2328\n"
        "  + trust                = jsonencode(\n"
        "        {\n"
        "          + Statement = [\n"
        "              + {\n"
        "                  + Action    = \"sts:AssumeRole\"\n"
        "                  + Condition = {\n"
        "                      + StringEquals = {\n"
        "                          + \"sts:ExternalId\" = \"abc\"\n"
        "                        }\n"
        "                    }\n"
        "                  + Effect    = \"Allow\"\n"
        "                  + Principal = {\n"
        "                      + AWS = \"arn:aws:iam::414351767826:root\"\n"
        "                    }\n"
        "                },\n"
        "            ]\n"
        "          + Version   = \"2012-10-17\"\n"
        "        }\n"
        "    )\n"
        "\n"
        "You can apply this plan to save these new output values to the "
        "tern\n"
        "state, without changing any real infrastructure.\n"
        "\n"
        "──────────────────────────────────────────────────────────────────────"
        "───────\n"
        "\n"
        "Note: You didn't use the -out option to save this plan, so tern "
        "can't\n"
        "guarantee to take exactly these actions if you run \"tern apply\" "
        "now.\n");
    ASSERT_STR_EQ(r.err, "");
    ASSERT_EQ(sim_calls(&sim), 0);
    run(&r, env.env, apply, 0);
    ASSERT_EQ(sim_calls(&sim), 0);
    run(&r, env.env, out_trust, 0);
    want = expected("assume-role.json");
    ASSERT_STR_EQ(r.out, want);
    free(want);
    run(&r, env.env, out_bucket, 0);
    want = expected("bucket.json");
    ASSERT_STR_EQ(r.out, want);
    free(want);
    run(&r, env.env, out_cross, 0);
    ASSERT_STR_EQ(r.out, "2328");
    ASSERT_EQ(sim_calls(&sim), 0);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(dbx_policies_cli, bad_arguments_at_their_range)
{
    const char *validate[] = {"validate", "-no-color", NULL};
    struct tt_run r;

    memset(&r, 0, sizeof(r));
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "main.tf",
                      "data \"databricks_aws_assume_role_policy\" \"this\" {\n"
                      "  external_id   = \"abc\"\n"
                      "  aws_partition = \"aws-cn\"\n"
                      "}\n"
                      "\n"
                      "data \"databricks_aws_bucket_policy\" \"this\" {\n"
                      "  bucket = \"My_Bucket\"\n"
                      "}\n"
                      "\n"
                      "data \"databricks_aws_crossaccount_policy\" \"this\" {\n"
                      "  policy_type = \"something\"\n"
                      "}\n"));
    run(&r, no_credentials, validate, 1);
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_EQ(
        r.err,
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 3, in data \"databricks_aws_assume_role_policy\" "
        "\"this\":\n"
        "   3:   aws_partition = \"aws-cn\"\n"
        "                        ^^^^^^^^\n"
        "\n"
        "The argument \"aws_partition\" must be \"aws\", \"aws-us-gov\" or "
        "\"aws-us-gov-dod\" (the partitions the Databricks provider knows), "
        "not \"aws-cn\".\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 7, in data \"databricks_aws_bucket_policy\" "
        "\"this\":\n"
        "   7:   bucket = \"My_Bucket\"\n"
        "                 ^^^^^^^^^^^\n"
        "\n"
        "The argument \"bucket\" must be 3 to 63 lower-case letters, digits, "
        "dots and hyphens, beginning and ending with a letter or digit (the "
        "Databricks provider: \"must contain only alphanumeric, dot, and "
        "hyphen characters\"), not \"My_Bucket\".\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 11, in data \"databricks_aws_crossaccount_policy\" "
        "\"this\":\n"
        "  11:   policy_type = \"something\"\n"
        "                      ^^^^^^^^^^^\n"
        "\n"
        "The argument \"policy_type\" must be \"managed\", \"customer\" or "
        "\"restricted\" (the Databricks provider: \"policy_type must be "
        "either 'managed', 'customer' or 'restricted'\"), not "
        "\"something\".\n"
        "\n");
    tt_run_release(&r);
}

TEST(dbx_policies_cli, restricted_rules_at_the_block)
{
    const char *plan[] = {"plan", "-no-color", NULL};
    struct tt_sim sim;
    struct tt_sim_env env;
    struct tt_run r;

    memset(&r, 0, sizeof(r));
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "main.tf",
                      "data \"databricks_aws_crossaccount_policy\" \"this\" {\n"
                      "  policy_type    = \"restricted\"\n"
                      "  aws_account_id = \"123456789012\"\n"
                      "  vpc_id         = \"2345678\"\n"
                      "}\n"));
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    run(&r, env.env, plan, 1);
    ASSERT_STR_EQ(r.out, "\nPlanning failed. tern encountered an error while "
                         "generating this plan.\n");
    ASSERT_STR_EQ(
        r.err,
        "Error: Failed to read data source\n"
        "\n"
        "  on main.tf line 1, in data \"databricks_aws_crossaccount_policy\" "
        "\"this\":\n"
        "   1: data \"databricks_aws_crossaccount_policy\" \"this\" {\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "Reading data.databricks_aws_crossaccount_policy.this: vpc_id must "
        "begin with 'vpc-'\n"
        "\n"
        "Error: vpc_id must begin with 'vpc-'\n"
        "\n"
        "The argument \"vpc_id\" must begin with \"vpc-\" when policy_type is "
        "\"restricted\"; it is \"2345678\".\n"
        "\n");
    ASSERT_EQ(sim_calls(&sim), 0);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_mod_data_databricks_aws_cli_list[] = {
    TEST_INTEGRATION(dbx_policies_cli, validate_plan_apply_without_calls),
    TEST_INTEGRATION(dbx_policies_cli, bad_arguments_at_their_range),
    TEST_INTEGRATION(dbx_policies_cli, restricted_rules_at_the_block),
    TEST_END};
