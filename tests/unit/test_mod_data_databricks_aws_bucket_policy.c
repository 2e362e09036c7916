/*
 * data "databricks_aws_bucket_policy": every case of the provider's
 * aws/data_aws_bucket_policy_test.go (default, full_access_role,
 * databricks_e2_account_id, aws-us-gov, aws-us-gov-dod), each against the
 * document the provider writes; databricks_account_id changing nothing,
 * as in the provider; and the provider's bucket name and partition rules.
 * No client: the data source makes no call.
 */
#include "test_mod_databricks_aws.h"

extern const tern_module tern_module_data_databricks_aws_bucket_policy;
#define M (&tern_module_data_databricks_aws_bucket_policy)

TEST(mod_dbx_bucket, provider_cases)
{
    struct dbxp fx;
    json_t *st;

    dbxp_init(&fx);
    /* TestDataAwsBucketPolicy */
    st = dbxp_expect_doc(&fx, M, "{\"bucket\": \"abc\"}", "bucket.json", 440);
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "id")), "abc");
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "aws_partition")),
                  "aws");
    json_decref(st);
    /* TestDataAwsBucketPolicy_FullAccessRole */
    json_decref(dbxp_expect_doc(
        &fx, M, "{\"bucket\": \"abc\", \"full_access_role\": \"bcd\"}",
        "bucket-full-access-role.json", 413));
    /* TestDataAwsBucketPolicyConfusedDeputyProblem */
    json_decref(
        dbxp_expect_doc(&fx, M,
                        "{\"bucket\": \"abc\", \"databricks_e2_account_id\": "
                        "\"my_e2_account_id\"}",
                        "bucket-e2-account.json", 575));
    /* TestDataAwsBucketPolicyPartitionGov */
    json_decref(dbxp_expect_doc(
        &fx, M, "{\"bucket\": \"abc\", \"aws_partition\": \"aws-us-gov\"}",
        "bucket-gov.json", 461));
    /* TestDataAwsBucketPolicyPartitionGovDoD */
    json_decref(dbxp_expect_doc(
        &fx, M, "{\"bucket\": \"abc\", \"aws_partition\": \"aws-us-gov-dod\"}",
        "bucket-gov-dod.json", 461));
    tern_diags_release(&fx.diags);
}

TEST(mod_dbx_bucket, unused_and_empty_arguments)
{
    struct dbxp fx;

    dbxp_init(&fx);
    /* The provider reads its own account whatever databricks_account_id
     * says (the argument is deprecated and unused). */
    json_decref(dbxp_expect_doc(
        &fx, M,
        "{\"bucket\": \"abc\", \"databricks_account_id\": \"111122223333\"}",
        "bucket.json", 440));
    /* Empty full_access_role and databricks_e2_account_id are unset. */
    json_decref(dbxp_expect_doc(&fx, M,
                                "{\"bucket\": \"abc\", \"full_access_role\": "
                                "\"\", \"databricks_e2_account_id\": \"\"}",
                                "bucket.json", 440));
    tern_diags_release(&fx.diags);
}

#define T "data.databricks_aws_bucket_policy"
#define RULE                                                                   \
    "must be 3 to 63 lower-case letters, digits, dots and hyphens, "           \
    "beginning and ending with a letter or digit (the Databricks provider: "   \
    "\"must contain only alphanumeric, dot, and hyphen characters\"), "

TEST(mod_dbx_bucket, bucket_name_rule)
{
    struct dbxp fx;
    char name[80], want[512];

    dbxp_init(&fx);
    /* ^[0-9a-z][-0-9a-z\.]{1,61}[0-9a-z]$ */
    dbxp_expect_check(T, "bucket", "abc", NULL);
    dbxp_expect_check(T, "bucket", "0a-b.c9", NULL);
    memset(name, 'a', 63);
    name[63] = '\0';
    dbxp_expect_check(T, "bucket", name, NULL);
    name[63] = 'a';
    name[64] = '\0';
    snprintf(want, sizeof(want), RULE "not \"%s\".", name);
    dbxp_expect_check(T, "bucket", name, want);
    dbxp_expect_check(T, "bucket", "ab", RULE "not \"ab\".");
    dbxp_expect_check(T, "bucket", "-abc", RULE "not \"-abc\".");
    dbxp_expect_check(T, "bucket", "abc.", RULE "not \"abc.\".");
    dbxp_expect_check(T, "bucket", "My_Bucket", RULE "not \"My_Bucket\".");
    /* The read refuses what the check leaves to it: an empty name. */
    dbxp_expect_error(&fx, M, "{\"bucket\": \"\"}",
                      "Invalid value for argument",
                      "The argument \"bucket\" " RULE "not \"\".");
    tern_diags_release(&fx.diags);
}

TEST(mod_dbx_bucket, unknown_partition)
{
    struct dbxp fx;

    dbxp_init(&fx);
    dbxp_expect_check(T, "aws_partition", "aws-cn",
                      "must be \"aws\", \"aws-us-gov\" or \"aws-us-gov-dod\" "
                      "(the partitions the Databricks provider knows), not "
                      "\"aws-cn\".");
    dbxp_expect_check(T, "aws_partition", "aws-us-gov", NULL);
    dbxp_expect_error(
        &fx, M, "{\"bucket\": \"abc\", \"aws_partition\": \"aws-cn\"}",
        "Invalid value for argument",
        "The argument \"aws_partition\" must be \"aws\", \"aws-us-gov\" or "
        "\"aws-us-gov-dod\" (the partitions the Databricks provider knows), "
        "not \"aws-cn\".");
    tern_diags_release(&fx.diags);
}

const struct tern_test test_mod_data_databricks_aws_bucket_policy_list[] = {
    TEST_MODULE(mod_dbx_bucket, provider_cases),
    TEST_MODULE(mod_dbx_bucket, unused_and_empty_arguments),
    TEST_MODULE(mod_dbx_bucket, bucket_name_rule),
    TEST_MODULE(mod_dbx_bucket, unknown_partition), TEST_END};
