/*
 * The one table of providers and the one table of modules
 * (docs/STYLE.md rule 6). Modules are sorted by type name; data sources
 * and resources may share a name (aws_iam_role).
 */
#include "tern/module.h"
#include "tern/provider.h"

#include "aws/iam_common.h"
#include "databricks/data_databricks_aws_common.h"
#include "databricks/databricks_scim.h"
#include "random/random_common.h"
#include "time/time_common.h"

#include <string.h>
#include <strings.h>

extern const tern_provider tern_provider_aws;
extern const tern_provider tern_provider_databricks;
extern const tern_provider tern_provider_random;
extern const tern_provider tern_provider_terraform;
extern const tern_provider tern_provider_time;

/* Every provider (tern/provider.h), sorted by name. */
const tern_provider *const tern_providers[] = {
    &tern_provider_aws,       &tern_provider_databricks, &tern_provider_random,
    &tern_provider_terraform, &tern_provider_time,       NULL,
};

extern const tern_module tern_module_data_aws_availability_zones;
extern const tern_module tern_module_data_aws_caller_identity;
extern const tern_module tern_module_aws_iam_instance_profile;
extern const tern_module tern_module_data_aws_iam_instance_profile;
extern const tern_module tern_module_aws_iam_policy;
extern const tern_module tern_module_data_aws_iam_policy;
extern const tern_module tern_module_data_aws_iam_policy_document;
extern const tern_module tern_module_aws_iam_role;
extern const tern_module tern_module_data_aws_iam_role;
extern const tern_module tern_module_aws_iam_role_policies_exclusive;
extern const tern_module tern_module_aws_iam_role_policy;
extern const tern_module tern_module_aws_iam_role_policy_attachment;
extern const tern_module tern_module_aws_iam_role_policy_attachments_exclusive;
extern const tern_module tern_module_data_aws_iam_roles;
extern const tern_module tern_module_data_aws_partition;
extern const tern_module tern_module_data_aws_region;
extern const tern_module tern_module_data_databricks_aws_assume_role_policy;
extern const tern_module tern_module_data_databricks_aws_bucket_policy;
extern const tern_module tern_module_data_databricks_aws_crossaccount_policy;
extern const tern_module tern_module_databricks_cluster;
extern const tern_module tern_module_databricks_cluster_policy;
extern const tern_module tern_module_data_databricks_current_user;
extern const tern_module tern_module_databricks_group;
extern const tern_module tern_module_data_databricks_group;
extern const tern_module tern_module_databricks_group_instance_profile;
extern const tern_module tern_module_databricks_group_role;
extern const tern_module tern_module_databricks_instance_profile;
extern const tern_module tern_module_data_databricks_node_type;
extern const tern_module tern_module_data_databricks_spark_version;
extern const tern_module tern_module_databricks_user_instance_profile;
extern const tern_module tern_module_random_id;
extern const tern_module tern_module_random_integer;
extern const tern_module tern_module_random_password;
extern const tern_module tern_module_random_shuffle;
extern const tern_module tern_module_random_string;
extern const tern_module tern_module_random_uuid;
extern const tern_module tern_module_data_terraform_remote_state;
extern const tern_module tern_module_time_sleep;
extern const tern_module tern_module_time_static;

const tern_module *const tern_modules[] = {
    &tern_module_data_aws_availability_zones,
    &tern_module_data_aws_caller_identity,
    &tern_module_aws_iam_instance_profile,
    &tern_module_data_aws_iam_instance_profile,
    &tern_module_aws_iam_policy,
    &tern_module_data_aws_iam_policy,
    &tern_module_data_aws_iam_policy_document,
    &tern_module_aws_iam_role,
    &tern_module_data_aws_iam_role,
    &tern_module_aws_iam_role_policies_exclusive,
    &tern_module_aws_iam_role_policy,
    &tern_module_aws_iam_role_policy_attachment,
    &tern_module_aws_iam_role_policy_attachments_exclusive,
    &tern_module_data_aws_iam_roles,
    &tern_module_data_aws_partition,
    &tern_module_data_aws_region,
    &tern_module_data_databricks_aws_assume_role_policy,
    &tern_module_data_databricks_aws_bucket_policy,
    &tern_module_data_databricks_aws_crossaccount_policy,
    &tern_module_databricks_cluster,
    &tern_module_databricks_cluster_policy,
    &tern_module_data_databricks_current_user,
    &tern_module_databricks_group,
    &tern_module_data_databricks_group,
    &tern_module_databricks_group_instance_profile,
    &tern_module_databricks_group_role,
    &tern_module_databricks_instance_profile,
    &tern_module_data_databricks_node_type,
    &tern_module_data_databricks_spark_version,
    &tern_module_databricks_user_instance_profile,
    &tern_module_random_id,
    &tern_module_random_integer,
    &tern_module_random_password,
    &tern_module_random_shuffle,
    &tern_module_random_string,
    &tern_module_random_uuid,
    &tern_module_data_terraform_remote_state,
    &tern_module_time_sleep,
    &tern_module_time_static,
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
    {"data.aws_availability_zones", "state", tern__az_state_check},
    {"data.aws_iam_roles", "name_regex", tern__regex_check},
    {"databricks_cluster", "num_workers", tern__dbx_num_workers_check},
    {"databricks_cluster", "runtime_engine", tern__dbx_runtime_engine_check},
    {"databricks_group_instance_profile", "instance_profile_id",
     tern__dbx_profile_arn},
    {"databricks_instance_profile", "iam_role_arn", tern__dbx_role_arn},
    {"databricks_instance_profile", "instance_profile_arn",
     tern__dbx_profile_arn},
    {"databricks_user_instance_profile", "instance_profile_id",
     tern__dbx_profile_arn},
    {"databricks_group", "display_name", tern__dbx_group_name_check},
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
    {"random_password", "length", tern__rand_length_check},
    {"random_string", "length", tern__rand_length_check},
    {"time_sleep", "create_duration", tern__time_duration_check},
    {"time_sleep", "destroy_duration", tern__time_duration_check},
    {"time_static", "rfc3339", tern__time_rfc3339_check},
    {NULL, NULL, NULL},
};

/* The providers' schema defaults (tern/module.h), as JSON text. */
const tern_arg_default tern_arg_defaults[] = {
    {"aws_iam_instance_profile", "path", "\"/\""},
    {"aws_iam_policy", "path", "\"/\""},
    {"aws_iam_role", "force_detach_policies", "false"},
    {"aws_iam_role", "max_session_duration", "3600"},
    {"aws_iam_role", "path", "\"/\""},
    /* clusters/resource_cluster.go */
    {"databricks_cluster", "autotermination_minutes", "60"},
    {"databricks_cluster", "is_pinned", "false"},
    {"databricks_cluster", "no_wait", "false"},
    {"databricks_cluster", "num_workers", "0"},
    {"databricks_group", "allow_cluster_create", "false"},
    {"databricks_group", "allow_instance_pool_create", "false"},
    {"databricks_group", "databricks_sql_access", "false"},
    {"databricks_group", "workspace_access", "false"},
    {"random_password", "lower", "true"},
    {"random_password", "min_lower", "0"},
    {"random_password", "min_numeric", "0"},
    {"random_password", "min_special", "0"},
    {"random_password", "min_upper", "0"},
    {"random_password", "number", "true"},
    {"random_password", "numeric", "true"},
    {"random_password", "special", "true"},
    {"random_password", "upper", "true"},
    {"random_string", "lower", "true"},
    {"random_string", "min_lower", "0"},
    {"random_string", "min_numeric", "0"},
    {"random_string", "min_special", "0"},
    {"random_string", "min_upper", "0"},
    {"random_string", "number", "true"},
    {"random_string", "numeric", "true"},
    {"random_string", "special", "true"},
    {"random_string", "upper", "true"},
    {NULL, NULL, NULL},
};

/* The providers' Deprecated texts (tern/module.h). */
const tern_arg_deprecation tern_arg_deprecations[] = {
    {"aws_iam_role", "inline_policy",
     "inline_policy is deprecated. Use the aws_iam_role_policy resource "
     "instead. If Terraform should exclusively manage all inline policy "
     "associations (the current behavior of this argument), use the "
     "aws_iam_role_policies_exclusive resource as well."},
    {"aws_iam_role", "managed_policy_arns",
     "managed_policy_arns is deprecated. Use the "
     "aws_iam_role_policy_attachment resource instead. If Terraform should "
     "exclusively manage all managed policy attachments (the current "
     "behavior of this argument), use the "
     "aws_iam_role_policy_attachments_exclusive resource as well."},
    {NULL, NULL, NULL},
};

/* Arguments that own a set other resources also manage (tern/module.h):
 * the conflict the provider's documentation warns of. */
const tern_arg_exclusive tern_arg_exclusives[] = {
    {"aws_iam_role", "inline_policy", "name", "aws_iam_role_policy", "role"},
    {"aws_iam_role", "inline_policy", "name", "aws_iam_role_policies_exclusive",
     "role_name"},
    {"aws_iam_role", "managed_policy_arns", "name",
     "aws_iam_role_policy_attachment", "role"},
    {"aws_iam_role", "managed_policy_arns", "name",
     "aws_iam_role_policy_attachments_exclusive", "role_name"},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Both directions of every pair above, and the *_exclusive resources with
 * the single-member resources their documentation pairs them with. */
const tern_arg_claim tern_arg_claims[] = {
    {"aws_iam_role", "inline_policy", "name", "name", "aws_iam_role_policy",
     "role", "name", NULL},
    {"aws_iam_role", "inline_policy", "name", "name",
     "aws_iam_role_policies_exclusive", "role_name", "policy_names", NULL},
    {"aws_iam_role", "managed_policy_arns", NULL, "name",
     "aws_iam_role_policy_attachment", "role", "policy_arn", NULL},
    {"aws_iam_role", "managed_policy_arns", NULL, "name",
     "aws_iam_role_policy_attachments_exclusive", "role_name", "policy_arns",
     NULL},
    {"aws_iam_role_policies_exclusive", "policy_names", NULL, "role_name",
     "aws_iam_role", "name", "inline_policy", "name"},
    {"aws_iam_role_policies_exclusive", "policy_names", NULL, "role_name",
     "aws_iam_role_policy", "role", "name", NULL},
    {"aws_iam_role_policy_attachments_exclusive", "policy_arns", NULL,
     "role_name", "aws_iam_role", "name", "managed_policy_arns", NULL},
    {"aws_iam_role_policy_attachments_exclusive", "policy_arns", NULL,
     "role_name", "aws_iam_role_policy_attachment", "role", "policy_arn", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

/*
 * Identities the configuration does not name (tern/module.h). Each create
 * listed here returns an id a later run could not have named:
 * - databricks_cluster: cluster_id from clusters/create; cluster_name is
 *   not unique, so a second create silently makes a second cluster;
 * - databricks_cluster_policy: policy_id from policies/clusters/create;
 * - databricks_group: the SCIM id from Groups (the names of policies and
 *   groups are unique in a workspace, so these two could be looked up by
 *   name; they are listed to keep the rule simple: an id the service
 *   assigns is pushed first);
 * - the IAM types with a generated name (no `name`: `name_prefix` or
 *   terraform-provider-aws's id.UniqueId(), names/names.go).
 * Not listed: types whose identity the configuration gives (instance
 * profiles by ARN, the group/user links, role policy attachments, the
 * exclusive resources), and random/time, which make no remote object.
 */
const tern_assigned_id tern_assigned_ids[] = {
    {"aws_iam_instance_profile", "name"},
    {"aws_iam_policy", "name"},
    {"aws_iam_role", "name"},
    {"aws_iam_role_policy", "name"},
    {"databricks_cluster", NULL},
    {"databricks_cluster_policy", NULL},
    {"databricks_group", NULL},
    {NULL, NULL},
};

int tern_module_assigns_id(const char *type, const json_t *desired)
{
    const tern_assigned_id *a;

    for (a = tern_assigned_ids; a->type; a++) {
        const json_t *v;

        if (strcmp(a->type, type) != 0)
            continue;
        if (!a->name)
            return 1;
        v = json_object_get(desired, a->name);
        return !json_is_string(v) || !*json_string_value(v);
    }
    return 0;
}

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

const tern_provider *tern_provider_find(const char *name)
{
    size_t i;

    for (i = 0; tern_providers[i]; i++)
        if (strcmp(tern_providers[i]->name, name) == 0)
            return tern_providers[i];
    return NULL;
}

const char *tern_provider_source_host(const char *source)
{
    size_t n = strcspn(source, "/");

    return memchr(source, '.', n) ? "" : "registry.terraform.io/";
}

const tern_provider *tern_provider_for_source(const char *source)
{
    static const char host[] = "registry.terraform.io/";
    size_t i, j;

    if (strncasecmp(source, host, sizeof(host) - 1) == 0)
        source += sizeof(host) - 1;
    for (i = 0; tern_providers[i]; i++)
        for (j = 0; tern_providers[i]->sources[j]; j++)
            if (strcasecmp(tern_providers[i]->sources[j], source) == 0)
                return tern_providers[i];
    return NULL;
}
