/*
 * What the AWS and Databricks modules share, written once: service calls
 * that retry the errors IAM gives while a change propagates, service
 * errors turned into diagnostics that say what to do, tags with the
 * provider's default_tags, generated names (name_prefix), and reading
 * values out of configurations and XML responses.
 *
 * Propagation retries. IAM is eventually consistent: an object created a
 * moment ago may be unknown to the next call (NoSuchEntity), a trust
 * policy naming a new role is refused ("Invalid principal"), and
 * Databricks' validation of a new instance profile fails ("Invalid IAM
 * Instance Profile ARN"). A caller names, per call, which of these errors
 * it knows to mean "not yet": only those are retried, with exponential
 * backoff from 200 ms (doubling, at most 2 s a wait) and a ceiling of 2
 * minutes, polling op->cancel while it waits. There is no fixed sleep, so
 * a service that is already consistent costs nothing. The ceiling can be
 * lowered with TERN_PROPAGATION_TIMEOUT_MS (tests of the error paths).
 */
#ifndef TERN_MODULES_IAM_COMMON_H
#define TERN_MODULES_IAM_COMMON_H

#include <jansson.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/query.h"
#include "aws/xml.h"
#include "databricks/client.h"
#include "tern/module.h"
#include "util/buf.h"

/**
 * The AWS provider's client (modules/aws/provider.c), which its modules
 * get as op->client: the credentials and a client per service. Modules
 * reach it through tern__aws_iam() and tern__aws_sts().
 */
struct tern__aws_clients {
    tern_aws_credentials *creds;
    tern_aws_client *iam;
    tern_aws_client *sts; /**< GetCallerIdentity is served here */
    tern_aws_client *ec2; /**< DescribeAvailabilityZones */
    /** What the last bulk refresh saw of roles and their instance
     *  profiles (aws_iam_bulk.c); NULL: nothing is remembered. */
    struct tern__iam_seen *seen;
};

/**
 * What a bulk refresh saw of each role's instance profiles, kept in the
 * provider's client for the apply that follows it in the same run (a
 * destroy): a role's delete then skips ListInstanceProfilesForRole when
 * the refresh saw the role and tern has since taken it out of every
 * profile the refresh saw it in (modules/aws/aws_iam_bulk.c; issue 19).
 * Thread-safe. tern__iam_seen_new: TERN_OK or TERN_ENOMEM.
 */
struct tern__iam_seen;
int tern__iam_seen_new(struct tern__iam_seen **out);
void tern__iam_seen_free(struct tern__iam_seen *seen);
/** Tern took @p role out of @p profile (or found it not there). */
void tern__iam_seen_removed(const tern_op *op, const char *profile,
                            const char *role);
/** 1 when the last bulk refresh saw @p role and tern has taken it out of
 *  every instance profile that refresh saw it in; 0 otherwise. */
int tern__iam_seen_role_free_of_profiles(const tern_op *op, const char *role);

/**
 * Call an EC2 action through the provider's EC2 client, with the module
 * retries of tern__sts_call().
 */
int tern__ec2_call(tern_op *op, const char *action, const tern_buf *params,
                   tern_xml_node **out, unsigned int flags, const char *what);

/** The IAM client of op->client (an AWS provider's); NULL without one. */
tern_aws_client *tern__aws_iam(const tern_op *op);

/** The STS client of op->client (an AWS provider's); NULL without one. */
tern_aws_client *tern__aws_sts(const tern_op *op);

/** The Databricks provider's client (op->client); NULL without one. */
tern_dbx_client *tern__dbx(const tern_op *op);

/* Flags of tern__iam_call() and tern__dbx_call(). */
/** Retry NoSuchEntity (an object created a moment ago). */
#define TERN__RETRY_NOSUCHENTITY 0x01u
/** Retry MalformedPolicyDocument "Invalid principal" (a new role). */
#define TERN__RETRY_PRINCIPAL 0x02u
/** Retry DeleteConflict (a detach or removal still propagating). */
#define TERN__RETRY_CONFLICT 0x04u
/** Retry Databricks DRY_RUN_FAILED "Invalid IAM Instance Profile ARN". */
#define TERN__RETRY_DBX_VALIDATION 0x08u
/** Return TERN_ENOTFOUND without adding a diagnostic (read, delete). */
#define TERN__QUIET_NOTFOUND 0x10u
/**
 * Databricks: retry a failure that may be passing (TERN_ERROR: a 500 or
 * 502/504, a dropped connection, a timeout; not an unreadable 2xx answer,
 * which the client reports as TERN_EINVALID), which the
 * REST client itself retries only for 429/503. A POST that failed that way
 * may have been applied: when a retry then meets RESOURCE_ALREADY_EXISTS
 * (add) or RESOURCE_DOES_NOT_EXIST (remove), that answer is returned
 * (TERN_EEXISTS, TERN_ENOTFOUND) without a diagnostic, for the caller to
 * check and adopt.
 */
#define TERN__RETRY_TRANSIENT 0x20u

/** The propagation ceiling in milliseconds (2 minutes unless
 *  TERN_PROPAGATION_TIMEOUT_MS says otherwise, as last read). */
long tern__propagation_timeout_ms(void);
/** Read TERN_PROPAGATION_TIMEOUT_MS into the ceiling: called by the
 *  providers' configure, before workers run modules, never on a worker. */
void tern__propagation_timeout_read(void);
/** Set the ceiling (tests). */
void tern__propagation_timeout_set(long ms);

/**
 * The region of @p op's AWS provider: what configure resolved (the
 * provider's "region", else the credential chain's AWS_REGION,
 * AWS_DEFAULT_REGION or profile region, read on the configuring thread),
 * else the IAM client's signing region, else us-east-1. Never the
 * environment: operations run on workers, and the environment is read
 * once, before they start (issue 20).
 */
const char *tern__aws_region(const tern_op *op);

/**
 * Call an IAM action on tern__aws_iam(op), retrying the propagation errors
 * @p flags names. On failure a diagnostic is added to op->diags: summary
 * @p what (e.g. "Cannot create IAM role 'x'"), the service's code, message
 * and request id, and what to do; for EntityAlreadyExists, the `tern
 * import` command with @p import_id.
 * @param out receives the response root (caller frees); may be NULL
 * @return as tern_aws_call()
 */
int tern__iam_call(tern_op *op, const char *action, const tern_buf *params,
                   tern_xml_node **out, unsigned int flags, const char *what,
                   const char *import_id);

/** tern__iam_call() of an STS action, on tern__aws_sts(op). */
int tern__sts_call(tern_op *op, const char *action, const tern_buf *params,
                   tern_xml_node **out, unsigned int flags, const char *what);

/**
 * tern_aws_call_paged() with the same error handling as tern__iam_call().
 */
int tern__iam_call_paged(tern_op *op, const char *action,
                         const tern_buf *params, tern_aws_page_fn fn, void *ud,
                         unsigned int flags, const char *what);

/** tern__iam_call() for Databricks (tern__dbx(op)): @p out a new
 *  reference. */
int tern__dbx_call(tern_op *op, const char *method, const char *path,
                   const json_t *body, json_t **out, unsigned int flags,
                   const char *what, const char *import_id);

/** A diagnostic on op->diags for a failure the module itself detects. */
/** The element at @p path under @p root, which a successful @p action
 * response must hold, with each child named in the NULL-terminated
 * @p children; NULL, with an error naming the action and the missing
 * element added under @p what and *error set, when any is absent. */
/** What the IAM API model marks required in an InstanceProfile, and in a
 * GetRolePolicy result. */
extern const char *const tern__iam_profile_required[];
extern const char *const tern__iam_role_policy_required[];

const tern_xml_node *tern__iam_need(tern_op *op, const tern_xml_node *root,
                                    const char *action, const char *path,
                                    const char *const *children,
                                    const char *what, int *error);

int tern__fail(tern_op *op, int error, const char *summary,
               const char *detail_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/*
 * Values.
 */

/** The string at @p key of @p obj, or NULL when absent, null or "". */
const char *tern__str(const json_t *obj, const char *key);

/**
 * The AWS provider's character set of IAM names (roles, instance
 * profiles, and their name_prefix): [\w+=,.@-]. A tern_check_fn: 0 when
 * @p value fits, else why it does not (the character and its position).
 */
int tern__iam_name_chars(const char *value, char *why, size_t why_size);

/**
 * tern__iam_name_chars() on argument @p arg of @p desired, as create's
 * last guard (validate and plan check it first): TERN_EINVALID with a
 * diagnostic @p summary naming the argument, before any call.
 */
int tern__iam_check_name_arg(tern_op *op, const json_t *desired,
                             const char *arg, const char *summary);

/*
 * More of the providers' validation functions, as tern_check_fn (0: fine,
 * else why not, completing "The argument \"x\" ..."):
 * - tern__aws_arn_check: the AWS provider's ValidARN (arn:, six sections,
 *   partition, region, account ID, a resource);
 * - tern__iam_description_chars: a role's description holds no U+201C or
 *   U+2018 quotes;
 * - tern__iam_session_duration: max_session_duration from 3600 to 43200;
 * - tern__iam_role_name_not_arn: an inline policy's role is a name, not
 *   an ARN;
 * - tern__dbx_profile_arn, tern__dbx_role_arn: the Databricks provider's
 *   ValidArn of an instance profile and of a role.
 */
int tern__aws_arn_check(const char *value, char *why, size_t why_size);
/** data.aws_availability_zones' state: an AvailabilityZoneState. */
int tern__az_state_check(const char *value, char *why, size_t why_size);
int tern__iam_description_chars(const char *value, char *why, size_t why_size);
int tern__iam_session_duration(const char *value, char *why, size_t why_size);
int tern__iam_role_name_not_arn(const char *value, char *why, size_t why_size);
int tern__dbx_profile_arn(const char *value, char *why, size_t why_size);
int tern__dbx_role_arn(const char *value, char *why, size_t why_size);
/** A regular expression (POSIX extended) that compiles: the provider's
 *  StringIsValidRegExp (data "aws_iam_roles" name_regex). */
int tern__regex_check(const char *value, char *why, size_t why_size);

/** The boolean at @p key, or @p dflt when absent or null. */
int tern__bool(const json_t *obj, const char *key, int dflt);

/** The integer at @p key, or @p dflt when absent or null. */
long long tern__int(const json_t *obj, const char *key, long long dflt);

/** A JSON string of @p s, or JSON null when @p s is NULL or "". New ref. */
json_t *tern__jstr(const char *s);

/** Set @p key of @p obj to a string or null (see tern__jstr()). */
int tern__set_str(json_t *obj, const char *key, const char *s);

/**
 * The name to create: desired "name", else "name_prefix" plus a unique
 * suffix, else "terraform-" plus one (Terraform's resource.PrefixedUniqueId:
 * UTC timestamp to 1/10,000 s and a counter, 26 characters).
 * @return a new string (tern_free()), or NULL on allocation failure
 */
char *tern__resource_name(const json_t *desired);

/**
 * Whether two policy documents (JSON text, plain or URL-encoded by IAM)
 * mean the same, in *@p same; the schema's equivalence function of policy
 * attributes (tern_policy_equiv_fn). TERN_OK or TERN_ENOMEM.
 */
int tern__policy_equiv(int *same, const json_t *a, const json_t *b);

/**
 * The policy text to keep in state after a read: @p prior's text when it
 * is equivalent to what the service returned (so the user's layout
 * stays), else the service's, decoded. New reference.
 */
json_t *tern__policy_keep(const json_t *prior_value, const char *encoded);

/*
 * Tags.
 */

/**
 * The provider's default_tags (`default_tags { tags = {...} }`) merged
 * with @p tags (which win). Always an object. New reference, NULL on
 * allocation failure.
 */
json_t *tern__tags_all(const tern_op *op, const json_t *tags);

/** @p all minus the default tags it carries unchanged. New reference. */
json_t *tern__tags_own(const tern_op *op, const json_t *all);

/** The <Tags> members under @p node as an object. New reference. */
json_t *tern__xml_tags(const tern_xml_node *tags);

/** Append Name.member.N.Key/Value for every entry of @p map. */
int tern__query_add_tags(tern_buf *b, const char *name, const json_t *map);

/**
 * Bring an object's tags from @p old_all to @p new_all: @p untag_action
 * for the keys that went, @p tag_action for the ones added or changed.
 * @p name_param names the object (e.g. "RoleName").
 */
int tern__update_tags(tern_op *op, const char *tag_action,
                      const char *untag_action, const char *name_param,
                      const char *name, const json_t *old_all,
                      const json_t *new_all, const char *what);

/*
 * Lists and shared shapes.
 */

/** Strings collected from the pages of a List call. */
struct tern__names {
    const char *list;  /**< the list element, e.g. "InstanceProfiles" */
    const char *field; /**< the member's field, or NULL for its text */
    char **v;
    size_t n, alloc;
    int oom;
};

/** A tern_aws_page_fn that appends each member's field to a names. */
int tern__collect_page(void *ud, const tern_xml_node *result);

/** Free the strings of a names. */
void tern__names_release(struct tern__names *names);

/**
 * A role as IAM describes it (<Role> of GetRole or CreateRole) in
 * Terraform's attribute names: arn, assume_role_policy (decoded),
 * create_date, description, id, max_session_duration, name, path,
 * permissions_boundary, tags (every tag), unique_id. New reference.
 */
json_t *tern__role_json(const tern_xml_node *role);

/**
 * The same; with @p keep, assume_role_policy is tern__policy_keep()'s of
 * @p prior_trust (a resource's read: the document decoded once, or not at
 * all when it is the prior text).
 */
json_t *tern__role_json_keep(const tern_xml_node *role, int keep,
                             const json_t *prior_trust);

#endif
