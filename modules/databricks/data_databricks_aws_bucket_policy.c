/*
 * data "databricks_aws_bucket_policy": the S3 bucket policy that lets
 * Databricks read and write a bucket, as the Databricks provider computes
 * it (aws/data_aws_bucket_policy.go). No service calls, so it needs no
 * Databricks credentials.
 *
 * One statement: Allow the object and listing actions on the bucket and
 * its objects to the root of Databricks' AWS account in the partition,
 * or to full_access_role when set; databricks_e2_account_id adds the
 * condition that the caller's aws:PrincipalTag/DatabricksAccountId is
 * that account (the confused-deputy guard). databricks_account_id is
 * accepted and, as in the provider (where it is deprecated), changes
 * nothing. id is the bucket. bucket and aws_partition are checked as the
 * provider's schema does (registry.c), and again here.
 */
#include "data_databricks_aws_common.h"

#include <stdio.h>
#include <string.h>

static const tern_attr schema[] = {
    {"aws_partition", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"bucket", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"databricks_account_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"databricks_e2_account_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL,
     NULL, 0},
    {"full_access_role", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"json", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char *const actions[] = {"s3:GetObject",
                                      "s3:GetObjectVersion",
                                      "s3:PutObject",
                                      "s3:DeleteObject",
                                      "s3:ListBucket",
                                      "s3:GetBucketLocation",
                                      NULL};

static int lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int tern__dbx_bucket_name_check(const char *value, char *why, size_t why_size)
{
    size_t n = strlen(value), i;
    int ok = n >= 3 && n <= 63 && lower_or_digit(value[0]) &&
             lower_or_digit(value[n - 1]);

    for (i = 1; ok && i + 1 < n; i++)
        ok = lower_or_digit(value[i]) || value[i] == '-' || value[i] == '.';
    if (ok)
        return 0;
    snprintf(why, why_size,
             "must be 3 to 63 lower-case letters, digits, dots and hyphens, "
             "beginning and ending with a letter or digit (the Databricks "
             "provider: \"must contain only alphanumeric, dot, and hyphen "
             "characters\"), not \"%s\".",
             value);
    return 1;
}

static int bucket_read(json_t **out, tern_op *op, const json_t *config)
{
    const struct tern__dbx_partition *p;
    const char *bucket = json_string_value(json_object_get(config, "bucket"));
    const char *role =
        json_string_value(json_object_get(config, "full_access_role"));
    const char *e2 =
        json_string_value(json_object_get(config, "databricks_e2_account_id"));
    tern__dbx_doc d = {NULL, 0};
    json_t *principal;
    char why[512];
    int error;

    *out = NULL;
    if ((error = tern__dbx_config_partition(op, config, 1, &p)))
        return error;
    if (!bucket)
        bucket = "";
    if (tern__dbx_bucket_name_check(bucket, why, sizeof(why))) {
        if (!tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                            "Invalid value for argument",
                            "The argument \"bucket\" %s", why))
            return TERN_ENOMEM;
        return TERN_EINVALID;
    }
    if (role && *role)
        principal = tern__dbx_str(&d, role);
    else
        principal =
            tern__dbx_fmt(&d, "arn:%s:iam::%s:root", p->ns, p->account_id);
    tern__dbx_add(
        &d, NULL, tern__dbx_strs(&d, actions),
        tern__dbx_list(&d, 2,
                       tern__dbx_fmt(&d, "arn:%s:s3:::%s/*", p->ns, bucket),
                       tern__dbx_fmt(&d, "arn:%s:s3:::%s", p->ns, bucket)),
        NULL, tern__dbx_obj(&d, "AWS", principal),
        e2 && *e2 ? tern__dbx_cond(&d, "StringEquals",
                                   "aws:PrincipalTag/DatabricksAccountId", e2)
                  : NULL);
    return tern__dbx_policy_state(out, config, &d, bucket, "{s:s}",
                                  "aws_partition", "aws");
}

const tern_module tern_module_data_databricks_aws_bucket_policy = {
    TERN_MODULE_VERSION,
    "databricks_aws_bucket_policy",
    TERN_MODULE_DATA,
    "databricks",
    schema,
    bucket_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
