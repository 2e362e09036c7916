/*
 * The one table of modules (docs/STYLE.md rule 6), sorted by type
 * name; data sources and resources may share a name (aws_iam_role).
 */
#include "tern/module.h"

#include "data_databricks_aws_common.h"
#include "iam_common.h"

#include <string.h>

extern const tern_module tern_module_data_aws_caller_identity;
extern const tern_module tern_module_aws_iam_instance_profile;
extern const tern_module tern_module_aws_iam_policy;
extern const tern_module tern_module_data_aws_iam_policy;
extern const tern_module tern_module_data_aws_iam_policy_document;
extern const tern_module tern_module_aws_iam_role;
extern const tern_module tern_module_data_aws_iam_role;
extern const tern_module tern_module_aws_iam_role_policy;
extern const tern_module tern_module_aws_iam_role_policy_attachment;
extern const tern_module tern_module_data_aws_partition;
extern const tern_module tern_module_data_aws_region;
extern const tern_module tern_module_data_databricks_aws_assume_role_policy;
extern const tern_module tern_module_data_databricks_aws_bucket_policy;
extern const tern_module tern_module_data_databricks_aws_crossaccount_policy;
extern const tern_module tern_module_databricks_instance_profile;

const tern_module *const tern_modules[] = {
    &tern_module_data_aws_caller_identity,
    &tern_module_aws_iam_instance_profile,
    &tern_module_aws_iam_policy,
    &tern_module_data_aws_iam_policy,
    &tern_module_data_aws_iam_policy_document,
    &tern_module_aws_iam_role,
    &tern_module_data_aws_iam_role,
    &tern_module_aws_iam_role_policy,
    &tern_module_aws_iam_role_policy_attachment,
    &tern_module_data_aws_partition,
    &tern_module_data_aws_region,
    &tern_module_data_databricks_aws_assume_role_policy,
    &tern_module_data_databricks_aws_bucket_policy,
    &tern_module_data_databricks_aws_crossaccount_policy,
    &tern_module_databricks_instance_profile,
    NULL,
};

extern const tern_bulk_op tern_bulk_aws_iam;
extern const tern_bulk_op tern_bulk_databricks;

/* Bulk reads for refresh (tern/module.h), one per provider at most. */
const tern_bulk_op *const tern_bulk_ops[] = {
    &tern_bulk_aws_iam,
    &tern_bulk_databricks,
    NULL,
};

/* Argument checks beyond type and length (tern/module.h): the providers'
 * validation functions. */
const tern_arg_check tern_arg_checks[] = {
    {"aws_iam_instance_profile", "name", tern__iam_name_chars},
    {"aws_iam_instance_profile", "name_prefix", tern__iam_name_chars},
    {"aws_iam_policy", "name", tern__iam_name_chars},
    {"aws_iam_policy", "name_prefix", tern__iam_name_chars},
    {"aws_iam_role", "description", tern__iam_description_chars},
    {"aws_iam_role", "max_session_duration", tern__iam_session_duration},
    {"aws_iam_role", "name", tern__iam_name_chars},
    {"aws_iam_role", "name_prefix", tern__iam_name_chars},
    {"aws_iam_role", "permissions_boundary", tern__aws_arn_check},
    {"aws_iam_role_policy", "name", tern__iam_name_chars},
    {"aws_iam_role_policy", "name_prefix", tern__iam_name_chars},
    {"aws_iam_role_policy", "role", tern__iam_role_name_not_arn},
    {"aws_iam_role_policy_attachment", "policy_arn", tern__aws_arn_check},
    {"databricks_instance_profile", "iam_role_arn", tern__dbx_role_arn},
    {"databricks_instance_profile", "instance_profile_arn",
     tern__dbx_profile_arn},
    {"data.databricks_aws_assume_role_policy", "aws_partition",
     tern__dbx_partition_check},
    {"data.databricks_aws_bucket_policy", "aws_partition",
     tern__dbx_partition_check},
    {"data.databricks_aws_bucket_policy", "bucket",
     tern__dbx_bucket_name_check},
    {"data.databricks_aws_crossaccount_policy", "aws_partition",
     tern__dbx_partition_check},
    {"data.databricks_aws_crossaccount_policy", "policy_type",
     tern__dbx_policy_type_check},
    {NULL, NULL, NULL},
};

/* The providers' schema defaults (tern/module.h), as JSON text. */
const tern_arg_default tern_arg_defaults[] = {
    {"aws_iam_instance_profile", "path", "\"/\""},
    {"aws_iam_policy", "path", "\"/\""},
    {"aws_iam_role", "force_detach_policies", "false"},
    {"aws_iam_role", "max_session_duration", "3600"},
    {"aws_iam_role", "path", "\"/\""},
    {NULL, NULL, NULL},
};

const tern_module *tern_module_find(enum tern_module_kind kind,
                                    const char *type_name)
{
    size_t i;

    for (i = 0; tern_modules[i]; i++) {
        if (tern_modules[i]->kind == kind &&
            strcmp(tern_modules[i]->type_name, type_name) == 0)
            return tern_modules[i];
    }
    return NULL;
}

const tern_attr *tern_schema_attr(const tern_attr *schema, const char *name)
{
    for (; schema && schema->name; schema++) {
        if (strcmp(schema->name, name) == 0)
            return schema;
    }
    return NULL;
}
