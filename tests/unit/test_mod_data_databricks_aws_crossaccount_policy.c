/*
 * data "databricks_aws_crossaccount_policy": every case of the provider's
 * aws/data_aws_crossaccount_policy_test.go. The documents it spells out
 * (managed, customer, restricted) are compared byte for byte, the others
 * against the document its code writes and the length its test asserts;
 * its negative cases (the three types differ) through the policy
 * normalizer; and its errors in its order, with whole messages. No client:
 * the data source makes no call.
 */
#include "test_mod_databricks_aws.h"

extern const tern_module tern_module_data_databricks_aws_crossaccount_policy;
#define M (&tern_module_data_databricks_aws_crossaccount_policy)

#define RESTRICTED                                                             \
    "\"policy_type\": \"restricted\", \"aws_account_id\": \"123456789012\", "

TEST(mod_dbx_crossaccount, provider_cases)
{
    struct dbxp fx;
    json_t *st;

    dbxp_init(&fx);
    /* TestDataAwsCrossAccountDatabricksManagedPolicy: no arguments */
    st = dbxp_expect_doc(&fx, M, "{}", "crossaccount-managed.json", 3171);
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "id")), "_");
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "policy_type")),
                  "managed");
    ASSERT_STR_EQ(json_string_value(json_object_get(st, "aws_partition")),
                  "aws");
    json_decref(st);
    /* TestDataAwsCrossAccountManagedPolicyRoles (the document spelt out) */
    json_decref(dbxp_expect_doc(&fx, M, "{\"policy_type\": \"managed\"}",
                                "crossaccount-managed.json", 3171));
    /* TestDataAwsCrossAccountCustomerManagedPolicy(Roles) */
    json_decref(dbxp_expect_doc(&fx, M, "{\"policy_type\": \"customer\"}",
                                "crossaccount-customer.json", 2328));
    /* TestDataAwsCrossAccountPolicy_WithPassRoles */
    json_decref(dbxp_expect_doc(&fx, M,
                                "{\"pass_roles\": [\"a\", \"b\", \"c\"]}",
                                "crossaccount-pass-roles.json", 3307));
    /* An empty pass_roles adds no statement, as in the provider. */
    json_decref(dbxp_expect_doc(&fx, M, "{\"pass_roles\": []}",
                                "crossaccount-managed.json", 3171));
    /* TestDataAwsCrossAccountRestrictedPolicyRoles (spelt out) */
    json_decref(dbxp_expect_doc(&fx, M,
                                "{" RESTRICTED
                                "\"vpc_id\": \"vpc-abcdefg12345\", "
                                "\"region\": \"us-west-2\", "
                                "\"security_group_id\": \"sg-12345678\"}",
                                "crossaccount-restricted-roles.json", 5733));
    /* TestDataAwsCrossAccountRestrictedPolicy */
    json_decref(dbxp_expect_doc(&fx, M,
                                "{" RESTRICTED "\"vpc_id\": \"vpc-12345678\", "
                                "\"region\": \"us-west-2\", "
                                "\"security_group_id\": \"sg-12345678\"}",
                                "crossaccount-restricted.json", 5725));
    /* TestDataAwsCrossAccountRestrictedPolicyPartitionGov */
    json_decref(dbxp_expect_doc(&fx, M,
                                "{" RESTRICTED "\"aws_partition\": "
                                "\"aws-us-gov\", \"vpc_id\": \"vpc-12345678\", "
                                "\"region\": \"us-gov-west-1\", "
                                "\"security_group_id\": \"sg-12345678\"}",
                                "crossaccount-restricted-gov.json", 5963));
    /* TestDataAwsCrossAccountRestrictedPolicyPartitionGovDoD */
    json_decref(dbxp_expect_doc(
        &fx, M,
        "{" RESTRICTED "\"aws_partition\": \"aws-us-gov-dod\", \"vpc_id\": "
        "\"vpc-12345678\", \"region\": \"us-gov-west-1\", "
        "\"security_group_id\": \"sg-12345678\"}",
        "crossaccount-restricted-gov-dod.json", 5963));
    tern_diags_release(&fx.diags);
}

/* The provider's negative tests: no two policy types mean the same. */
TEST(mod_dbx_crossaccount, types_differ)
{
    static const char *const cfgs[] = {
        "{\"policy_type\": \"managed\"}", "{\"policy_type\": \"customer\"}",
        "{" RESTRICTED "\"vpc_id\": \"vpc-abcdefg12345\", \"region\": "
        "\"us-west-2\", \"security_group_id\": \"sg-12345678\"}"};
    struct dbxp fx;
    json_t *st[3];
    size_t i, j;

    dbxp_init(&fx);
    for (i = 0; i < 3; i++) {
        json_t *cfg = json_loads(cfgs[i], 0, NULL);

        ASSERT_NOT_NULL(cfg);
        ASSERT_OK(M->read(&st[i], &fx.op, cfg));
        json_decref(cfg);
    }
    for (i = 0; i < 3; i++)
        for (j = i + 1; j < 3; j++)
            ASSERT_EQ(tern_policy_equivalent(
                          json_string_value(json_object_get(st[i], "json")),
                          json_string_value(json_object_get(st[j], "json"))),
                      0);
    for (i = 0; i < 3; i++)
        json_decref(st[i]);
    tern_diags_release(&fx.diags);
}

/* The provider's error cases, each with its message as the summary. */
TEST(mod_dbx_crossaccount, provider_errors)
{
    struct dbxp fx;

    dbxp_init(&fx);
    /* TestDataAwsCrossAccountInvalidPolicy */
    dbxp_expect_error(&fx, M, "{\"policy_type\": \"something\"}",
                      "policy_type must be either 'managed', 'customer' or "
                      "'restricted'",
                      "The argument \"policy_type\" must be \"managed\", "
                      "\"customer\" or \"restricted\" (the Databricks "
                      "provider: \"policy_type must be either 'managed', "
                      "'customer' or 'restricted'\"), not \"something\".");
    /* TestDataAwsCrossAccountInvalidAccountId */
    dbxp_expect_error(&fx, M,
                      "{\"policy_type\": \"restricted\", \"aws_account_id\": "
                      "\"12345678901212\"}",
                      "aws_account_id must be a 12 digit number",
                      "The argument \"aws_account_id\" must be a 12-digit AWS "
                      "account ID when policy_type is \"restricted\"; it is "
                      "\"12345678901212\".");
    /* TestDataAwsCrossAccountInvalidPartition */
    dbxp_expect_error(&fx, M, "{\"aws_partition\": \"something\"}",
                      "aws_partition must be either 'aws' or 'aws-us-gov' or "
                      "'aws-us-gov-dod'",
                      "The argument \"aws_partition\" must be \"aws\", "
                      "\"aws-us-gov\" or \"aws-us-gov-dod\" (the partitions "
                      "the Databricks provider knows), not \"something\".");
    /* TestDataAwsCrossAccountInvalidVpcId */
    dbxp_expect_error(&fx, M, "{" RESTRICTED "\"vpc_id\": \"2345678\"}",
                      "vpc_id must begin with 'vpc-'",
                      "The argument \"vpc_id\" must begin with \"vpc-\" when "
                      "policy_type is \"restricted\"; it is \"2345678\".");
    /* TestDataAwsCrossAccountMissingRegion */
    dbxp_expect_error(&fx, M,
                      "{" RESTRICTED "\"vpc_id\": \"vpc-12345678\", "
                      "\"security_group_id\": \"sg-12345678\"}",
                      "region must be set",
                      "The argument \"region\" must be set when policy_type "
                      "is \"restricted\"; it is not set.");
    /* TestDataAwsCrossAccountInvalidSgGroup */
    dbxp_expect_error(&fx, M,
                      "{" RESTRICTED "\"vpc_id\": \"vpc-12345678\", "
                      "\"region\": \"us-west-2\", \"security_group_id\": "
                      "\"12345678\"}",
                      "security_group_id must begin with 'sg-'",
                      "The argument \"security_group_id\" must begin with "
                      "\"sg-\" when policy_type is \"restricted\"; it is "
                      "\"12345678\".");
    tern_diags_release(&fx.diags);
}

/* The provider's order (partition, type, then the "restricted" arguments
 * in turn) and its regular expressions' edges. */
TEST(mod_dbx_crossaccount, check_order_and_edges)
{
    struct dbxp fx;

    dbxp_init(&fx);
    dbxp_expect_error(&fx, M,
                      "{\"aws_partition\": \"aws-cn\", \"policy_type\": "
                      "\"nope\"}",
                      "aws_partition must be either 'aws' or 'aws-us-gov' or "
                      "'aws-us-gov-dod'",
                      "The argument \"aws_partition\" must be \"aws\", "
                      "\"aws-us-gov\" or \"aws-us-gov-dod\" (the partitions "
                      "the Databricks provider knows), not \"aws-cn\".");
    dbxp_expect_error(&fx, M, "{\"policy_type\": \"restricted\"}",
                      "aws_account_id must be a 12 digit number",
                      "The argument \"aws_account_id\" must be a 12-digit AWS "
                      "account ID when policy_type is \"restricted\"; it is "
                      "not set.");
    dbxp_expect_error(&fx, M,
                      "{\"policy_type\": \"restricted\", \"aws_account_id\": "
                      "\"12345678901a\"}",
                      "aws_account_id must be a 12 digit number",
                      "The argument \"aws_account_id\" must be a 12-digit AWS "
                      "account ID when policy_type is \"restricted\"; it is "
                      "\"12345678901a\".");
    dbxp_expect_error(&fx, M, "{" RESTRICTED "\"security_group_id\": \"sg-1\"}",
                      "vpc_id must begin with 'vpc-'",
                      "The argument \"vpc_id\" must begin with \"vpc-\" when "
                      "policy_type is \"restricted\"; it is not set.");
    /* ^vpc-.*$: the dot does not match a newline. */
    dbxp_expect_error(&fx, M, "{" RESTRICTED "\"vpc_id\": \"vpc-1\\n2\"}",
                      "vpc_id must begin with 'vpc-'",
                      "The argument \"vpc_id\" must begin with \"vpc-\" when "
                      "policy_type is \"restricted\"; it is \"vpc-1\n2\".");
    dbxp_expect_error(&fx, M,
                      "{" RESTRICTED "\"vpc_id\": \"vpc-\", \"region\": \"r\"}",
                      "security_group_id must begin with 'sg-'",
                      "The argument \"security_group_id\" must begin with "
                      "\"sg-\" when policy_type is \"restricted\"; it is not "
                      "set.");
    /* The validate-time checks of the same arguments (registry.c). */
    dbxp_expect_check("data.databricks_aws_crossaccount_policy", "policy_type",
                      "Managed",
                      "must be \"managed\", \"customer\" or \"restricted\" "
                      "(the Databricks provider: \"policy_type must be either "
                      "'managed', 'customer' or 'restricted'\"), not "
                      "\"Managed\".");
    dbxp_expect_check("data.databricks_aws_crossaccount_policy", "policy_type",
                      "restricted", NULL);
    dbxp_expect_check("data.databricks_aws_crossaccount_policy",
                      "aws_partition", "aws-us-gov-dod", NULL);
    tern_diags_release(&fx.diags);
}

const struct tern_test test_mod_data_databricks_aws_crossaccount_policy_list[] =
    {TEST_MODULE(mod_dbx_crossaccount, provider_cases),
     TEST_MODULE(mod_dbx_crossaccount, types_differ),
     TEST_MODULE(mod_dbx_crossaccount, provider_errors),
     TEST_MODULE(mod_dbx_crossaccount, check_order_and_edges), TEST_END};
