/*
 * data "databricks_aws_assume_role_policy": the trust policy of the
 * cross-account role Databricks assumes, as the Databricks provider
 * computes it (aws/data_aws_assume_role_policy.go). No service calls, so
 * it needs no Databricks credentials.
 *
 * One statement: Allow sts:AssumeRole to the root of Databricks' AWS
 * account in the partition (databricks_account_id overrides the account,
 * deprecated), on the condition that sts:ExternalId equals external_id
 * (the customer's Databricks account ID). for_log_delivery names
 * Databricks' usage-delivery role instead of the account root. id is the
 * external ID. aws_partition is checked as the provider's schema does
 * (registry.c), and again here.
 */
#include "data_databricks_aws_common.h"

static const tern_attr schema[] = {
    {"aws_partition", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"databricks_account_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"external_id", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"for_log_delivery", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"json", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int assume_role_read(json_t **out, tern_op *op, const json_t *config)
{
    const struct tern__dbx_partition *p;
    const char *external_id =
        json_string_value(json_object_get(config, "external_id"));
    const char *account =
        json_string_value(json_object_get(config, "databricks_account_id"));
    tern__dbx_doc d = {NULL, 0};
    json_t *principal;
    int error;

    *out = NULL;
    if ((error = tern__dbx_config_partition(op, config, 1, &p)))
        return error;
    if (!external_id)
        external_id = "";
    if (!account || !*account)
        account = p->account_id;
    if (json_is_true(json_object_get(config, "for_log_delivery")))
        principal = tern__dbx_str(&d, p->log_delivery_arn);
    else
        principal = tern__dbx_fmt(&d, "arn:%s:iam::%s:root", p->ns, account);
    tern__dbx_add(
        &d, NULL, tern__dbx_str(&d, "sts:AssumeRole"), NULL, NULL,
        tern__dbx_obj(&d, "AWS", principal),
        tern__dbx_cond(&d, "StringEquals", "sts:ExternalId", external_id));
    return tern__dbx_policy_state(out, config, &d, external_id, "{s:s, s:b}",
                                  "aws_partition", "aws", "for_log_delivery",
                                  0);
}

const tern_module tern_module_data_databricks_aws_assume_role_policy = {
    TERN_MODULE_VERSION,
    "databricks_aws_assume_role_policy",
    TERN_MODULE_DATA,
    "databricks",
    schema,
    assume_role_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
