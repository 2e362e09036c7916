/*
 * What aws_iam_role_policies_exclusive and
 * aws_iam_role_policy_attachments_exclusive share (provider 5.x): a
 * resource that owns one set on a role (its inline policy names, its
 * attached policy ARNs), written once and described by a tern__excl.
 *
 * The provider's behaviour, which both follow:
 * - the state is role_name and the set, no id; import takes the role
 *   name;
 * - create and update list the role's set and remove what the
 *   configuration does not name (DeleteRolePolicy / DetachRolePolicy),
 *   adding what it names and the role lacks where an add exists
 *   (AttachRolePolicy);
 * - read lists the set, so anything added outside tern shows as drift
 *   (the plan then removes it); a role that is gone is TERN_ENOTFOUND;
 * - delete makes no call: the role keeps what it has.
 */
#ifndef TERN_MODULES_IAM_EXCLUSIVE_H
#define TERN_MODULES_IAM_EXCLUSIVE_H

#include <jansson.h>

#include "tern/module.h"

/** One exclusive resource's names and calls. */
struct tern__excl {
    const char *set_attr;    /**< "policy_names" */
    const char *noun;        /**< "inline policy", for messages */
    const char *list_action; /**< "ListRolePolicies" */
    const char *list;        /**< the response's list, "PolicyNames" */
    const char *field;       /**< the member's field, or NULL: its text */
    const char *bulk_list;   /**< the RoleDetail's list path, with /member */
    const char *bulk_field;  /**< the bulk member's field */
    const char *param;       /**< "PolicyName" / "PolicyArn" */
    /** The action that adds a configured member the role lacks, or NULL
     *  when the resource cannot make one (an inline policy needs its
     *  document: aws_iam_role_policy makes it). */
    const char *add_action;
    const char *remove_action; /**< "DeleteRolePolicy" */
};

int tern__excl_read(const struct tern__excl *x, json_t **out, tern_op *op,
                    const json_t *prior);
int tern__excl_create(const struct tern__excl *x, json_t **out, tern_op *op,
                      const json_t *desired);
int tern__excl_import(const struct tern__excl *x, json_t **out, tern_op *op,
                      const char *id);

#endif
