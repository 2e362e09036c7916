/*
 * What the Databricks provider's AWS policy data sources share
 * (data "databricks_aws_assume_role_policy", "databricks_aws_bucket_policy",
 * "databricks_aws_crossaccount_policy"): Databricks' AWS accounts per
 * partition, the partition argument's check, and the document's text.
 *
 * These data sources make no call: they compute a document from their
 * arguments, as the provider does (its aws/data_aws_*_policy.go and
 * aws/constants.go), and their `json` is the provider's text byte for byte
 * (Go's json.MarshalIndent with two spaces, policy/gojson.h).
 */
#ifndef TERN_MODULES_DATABRICKS_AWS_COMMON_H
#define TERN_MODULES_DATABRICKS_AWS_COMMON_H

#include <jansson.h>

#include "tern/module.h"

/* One of the provider's AWS partitions. */
struct tern__dbx_partition {
    const char *name;       /* the aws_partition value */
    const char *account_id; /* Databricks' AWS account there */
    const char *ns;         /* the partition of its ARNs */
    const char *log_delivery_arn;
};

/* The partition called @p name, or NULL when the provider has none. */
const struct tern__dbx_partition *tern__dbx_partition(const char *name);

/*
 * A tern_check_fn for aws_partition (the provider's
 * validation.StringInSlice(AwsPartitions)): 0 when @p value is a partition
 * the provider knows, else why not.
 */
int tern__dbx_partition_check(const char *value, char *why, size_t why_size);

/*
 * The aws_partition of @p config (default "aws"), or a TERN_EINVALID
 * diagnostic on op->diags when it is not one the provider knows (set to ""
 * included, as the provider refuses it), whose summary is the provider's
 * message: its schema's (validation.StringInSlice) when @p in_schema, else
 * the cross-account policy's own.
 */
int tern__dbx_config_partition(tern_op *op, const json_t *config, int in_schema,
                               const struct tern__dbx_partition **out);

/* A tern_check_fn for the cross-account policy's policy_type
 * (data_databricks_aws_crossaccount_policy.c). */
int tern__dbx_policy_type_check(const char *value, char *why, size_t why_size);

/*
 * The provider's AwsBucketNameRegex, ^[0-9a-z][-0-9a-z\.]{1,61}[0-9a-z]$,
 * as a tern_check_fn for the bucket policy's bucket
 * (data_databricks_aws_bucket_policy.c).
 */
int tern__dbx_bucket_name_check(const char *value, char *why, size_t why_size);

/* databricks_cluster's runtime_engine (PHOTON or STANDARD) and num_workers
 * (at least 0) checks (databricks_cluster.c). */
int tern__dbx_runtime_engine_check(const char *value, char *why,
                                   size_t why_size);
int tern__dbx_num_workers_check(const char *value, char *why, size_t why_size);

/*
 * A document being built: its statements, and whether memory ran out while
 * building any of its values (then the state is not made). The value
 * makers below return NULL only when memory ran out, and say so in @p d.
 */
typedef struct tern__dbx_doc {
    json_t *statements;
    int oom;
} tern__dbx_doc;

/* A JSON string of @p s. */
json_t *tern__dbx_str(tern__dbx_doc *d, const char *s);

/* A JSON string from a printf format. */
json_t *tern__dbx_fmt(tern__dbx_doc *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A JSON array of the strings of @p list (NULL-terminated). */
json_t *tern__dbx_strs(tern__dbx_doc *d, const char *const *list);

/* A deep copy of @p v (borrowed). */
json_t *tern__dbx_copy(tern__dbx_doc *d, const json_t *v);

/* An array of @p n values, taking their references. */
json_t *tern__dbx_list(tern__dbx_doc *d, size_t n, ...);

/* {"KEY": v}, taking @p v's reference (a Principal: {"AWS": ...}). */
json_t *tern__dbx_obj(tern__dbx_doc *d, const char *key, json_t *v);

/* {"OPERATOR": {"KEY": "VALUE"}} */
json_t *tern__dbx_cond(tern__dbx_doc *d, const char *op, const char *key,
                       const char *value);

/*
 * Append a statement in the field order of the provider's
 * awsIamPolicyStatement (Sid, Effect, Action, NotAction, Resource,
 * NotResource, Principal, Condition) with Effect "Allow"; a NULL @p sid or
 * value is left out, as Go's omitempty does. Takes the values' references.
 */
void tern__dbx_add(tern__dbx_doc *d, const char *sid, json_t *action,
                   json_t *resource, json_t *not_resource, json_t *principal,
                   json_t *condition);

/*
 * The data source's state: @p config with the defaults it does not set
 * (an object packed from @p defaults_fmt and what follows, as json_pack()),
 * `id` @p id, and `json` the document {"Version": "2012-10-17",
 * "Statement": [...]} as the provider writes it. Releases @p d's
 * statements.
 * @return TERN_OK or TERN_ENOMEM
 */
int tern__dbx_policy_state(json_t **out, const json_t *config, tern__dbx_doc *d,
                           const char *id, const char *defaults_fmt, ...);

#endif
