/*
 * data "databricks_aws_assume_role_policy": every case of the provider's
 * aws/data_aws_assume_role_policy_test.go (default, aws-us-gov, log
 * delivery in each), the aws-us-gov-dod partition and the
 * databricks_account_id override, each against the document the provider
 * writes; Go's escaping of what the configuration puts in it; and the
 * refusal of a partition the provider does not know. No client: the data
 * source makes no call.
 */
#include "test_mod_databricks_aws.h"

extern const tern_module tern_module_data_databricks_aws_assume_role_policy;
#define M (&tern_module_data_databricks_aws_assume_role_policy)

TEST(mod_dbx_assume_role, provider_cases)
{
    struct dbxp fx;
    json_t *st;

    dbxp_init(&fx);
    /* TestDataAwsAssumeRolePolicy: external_id = "abc" */
    st = dbxp_expect_doc(&fx, M, "{\"external_id\": \"abc\"}",
                         "assume-role.json", 299);
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "id")), "abc");
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "aws_partition")),
                  "aws");
    ASSERT(json_is_false(json_object_get(st, "for_log_delivery")));
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "external_id")), "abc");
    json_decref(st);
    /* TestDataAwsAssumeRolePolicyGov */
    json_decref(dbxp_expect_doc(
        &fx, M, "{\"external_id\": \"abc\", \"aws_partition\": \"aws-us-gov\"}",
        "assume-role-gov.json", 306));
    /* TestDataAwsAssumeRolePolicyLogDelivery */
    json_decref(dbxp_expect_doc(
        &fx, M, "{\"external_id\": \"abc\", \"for_log_delivery\": true}",
        "assume-role-log-delivery.json", 347));
    /* TestDataAwsAssumeRolePolicyLogDeliveryGov */
    json_decref(dbxp_expect_doc(&fx, M,
                                "{\"external_id\": \"abc\", \"aws_partition\": "
                                "\"aws-us-gov\", \"for_log_delivery\": true}",
                                "assume-role-log-delivery-gov.json", 362));
    /* for_log_delivery = false is the account root, as unset. */
    json_decref(dbxp_expect_doc(
        &fx, M, "{\"external_id\": \"abc\", \"for_log_delivery\": false}",
        "assume-role.json", 299));
    tern_diags_release(&fx.diags);
}

TEST(mod_dbx_assume_role, partition_and_account)
{
    struct dbxp fx;

    dbxp_init(&fx);
    /* DoD's ARNs are in the aws-us-gov partition, its own account. */
    json_decref(dbxp_expect_doc(
        &fx, M,
        "{\"external_id\": \"abc\", \"aws_partition\": \"aws-us-gov-dod\"}",
        "assume-role-gov-dod.json", 306));
    /* databricks_account_id replaces Databricks' account; empty is unset. */
    json_decref(dbxp_expect_doc(&fx, M,
                                "{\"external_id\": \"abc\", "
                                "\"databricks_account_id\": \"111122223333\"}",
                                "assume-role-account.json", 299));
    json_decref(dbxp_expect_doc(
        &fx, M, "{\"external_id\": \"abc\", \"databricks_account_id\": \"\"}",
        "assume-role.json", 299));
    tern_diags_release(&fx.diags);
}

/* What Go's encoding/json escapes, and tern's policy normalizer reads back. */
TEST(mod_dbx_assume_role, go_escaping)
{
    struct dbxp fx;
    json_t *cfg, *st = NULL, *plain;
    char *canon = NULL, *canon_plain = NULL, *plain_text;
    const char *text;

    dbxp_init(&fx);
    cfg = json_pack("{s:s}", "external_id",
                    "<a&b> \"q\"\\ \t\x1f\xe2\x80\xa8\xc3\xa9");
    ASSERT_NOT_NULL(cfg);
    ASSERT_OK(M->read(&st, &fx.op, cfg));
    text = json_string_value(json_object_get(st, "json"));
    ASSERT_STR_EQ(text,
                  "{\n"
                  "  \"Version\": \"2012-10-17\",\n"
                  "  \"Statement\": [\n"
                  "    {\n"
                  "      \"Effect\": \"Allow\",\n"
                  "      \"Action\": \"sts:AssumeRole\",\n"
                  "      \"Principal\": {\n"
                  "        \"AWS\": \"arn:aws:iam::414351767826:root\"\n"
                  "      },\n"
                  "      \"Condition\": {\n"
                  "        \"StringEquals\": {\n"
                  "          \"sts:ExternalId\": \"\\u003ca\\u0026b\\u003e "
                  "\\\"q\\\"\\\\ \\t\\u001f\\u2028\xc3\xa9\"\n"
                  "        }\n"
                  "      }\n"
                  "    }\n"
                  "  ]\n"
                  "}");
    /* The normalizer reads back the value that went in. */
    plain = json_pack(
        "{s:s, s:[{s:s, s:s, s:{s:s}, s:{s:{s:O}}}]}", "Version", "2012-10-17",
        "Statement", "Effect", "Allow", "Action", "sts:AssumeRole", "Principal",
        "AWS", "arn:aws:iam::414351767826:root", "Condition", "StringEquals",
        "sts:ExternalId", json_object_get(cfg, "external_id"));
    ASSERT_NOT_NULL(plain);
    plain_text = json_dumps(plain, 0);
    ASSERT_NOT_NULL(plain_text);
    ASSERT_OK(tern_policy_canonical(&canon, text, NULL));
    ASSERT_OK(tern_policy_canonical(&canon_plain, plain_text, NULL));
    ASSERT_STR_EQ(canon, canon_plain);
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "id")),
                  json_string_value(json_object_get(cfg, "external_id")));
    tern_free(canon);
    tern_free(canon_plain);
    free(plain_text);
    json_decref(plain);
    json_decref(st);
    json_decref(cfg);
    tern_diags_release(&fx.diags);
}

TEST(mod_dbx_assume_role, unknown_partition)
{
    struct dbxp fx;

    dbxp_init(&fx);
    /* The provider's schema: validation.StringInSlice(AwsPartitions). */
    dbxp_expect_check("data.databricks_aws_assume_role_policy", "aws_partition",
                      "aws-cn",
                      "must be \"aws\", \"aws-us-gov\" or \"aws-us-gov-dod\" "
                      "(the partitions the Databricks provider knows), not "
                      "\"aws-cn\".");
    dbxp_expect_check("data.databricks_aws_assume_role_policy", "aws_partition",
                      "aws-us-gov-dod", NULL);
    /* The read refuses it too, and "" (which the check leaves to it). */
    dbxp_expect_error(
        &fx, M, "{\"external_id\": \"abc\", \"aws_partition\": \"aws-cn\"}",
        "Invalid value for argument",
        "The argument \"aws_partition\" must be \"aws\", \"aws-us-gov\" or "
        "\"aws-us-gov-dod\" (the partitions the Databricks provider knows), "
        "not \"aws-cn\".");
    dbxp_expect_error(
        &fx, M, "{\"external_id\": \"abc\", \"aws_partition\": \"\"}",
        "Invalid value for argument",
        "The argument \"aws_partition\" must be \"aws\", \"aws-us-gov\" or "
        "\"aws-us-gov-dod\" (the partitions the Databricks provider knows), "
        "not \"\".");
    tern_diags_release(&fx.diags);
}

const struct tern_test test_mod_data_databricks_aws_assume_role_policy_list[] =
    {TEST_MODULE(mod_dbx_assume_role, provider_cases),
     TEST_MODULE(mod_dbx_assume_role, partition_and_account),
     TEST_MODULE(mod_dbx_assume_role, go_escaping),
     TEST_MODULE(mod_dbx_assume_role, unknown_partition), TEST_END};
