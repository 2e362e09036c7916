/*
 * aws_iam_role_policy_attachments_exclusive: the whole set of managed
 * policies attached to a role (provider 5.x): it attaches those the
 * configuration names and the role lacks, and detaches every other.
 *
 * Calls: ListAttachedRolePolicies, paged (read, import, create, update);
 * AttachRolePolicy for each configured ARN the role lacks (retrying
 * NoSuchEntity while a new role or policy propagates); DetachRolePolicy
 * for each attached ARN the configuration does not name. Delete makes no
 * call (the provider's no-op delete): the role keeps its attachments.
 *
 * Quirks (iam_exclusive.c): a bulk refresh reads the role's
 * AttachedManagedPolicies without a call.
 */
#include "iam_exclusive.h"

static const tern_attr schema[] = {
    /* The role name: upstream has no id, tern's state needs one, and it
     * is the import ID. */
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"policy_arns", TERN_TYPE_SET_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"role_name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const struct tern__excl excl = {
    "policy_arns",      "attached policy", "ListAttachedRolePolicies",
    "AttachedPolicies", "PolicyArn",       "AttachedManagedPolicies/member",
    "PolicyArn",        "PolicyArn",       "AttachRolePolicy",
    "DetachRolePolicy"};

static int excl_read(json_t **out, tern_op *op, const json_t *prior)
{
    return tern__excl_read(&excl, out, op, prior);
}

static int excl_create(json_t **out, tern_op *op, const json_t *desired)
{
    return tern__excl_create(&excl, out, op, desired);
}

static int excl_update(json_t **out, tern_op *op, const json_t *prior,
                       const json_t *desired)
{
    (void)prior;
    return tern__excl_create(&excl, out, op, desired);
}

static int excl_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

static int excl_import(json_t **out, tern_op *op, const char *id)
{
    return tern__excl_import(&excl, out, op, id);
}

const tern_module tern_module_aws_iam_role_policy_attachments_exclusive = {
    TERN_MODULE_VERSION,
    "aws_iam_role_policy_attachments_exclusive",
    TERN_MODULE_RESOURCE,
    "aws",
    schema,
    excl_read,
    excl_create,
    excl_update,
    excl_delete,
    excl_import,
    NULL};
