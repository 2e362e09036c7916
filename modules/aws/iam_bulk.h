/*
 * The IAM snapshot of a bulk refresh (modules/aws/aws_iam_bulk.c), as
 * the IAM modules' reads consult it through op->bulk (tern/module.h).
 *
 * The snapshot is GetAccountAuthorizationDetails filtered to roles and
 * customer managed policies: for
 * each role its <RoleDetailList> member (Path, RoleName, RoleId, Arn,
 * CreateDate, AssumeRolePolicyDocument, Tags, PermissionsBoundary,
 * RolePolicyList, AttachedManagedPolicies, InstanceProfileList). A role's
 * lists are complete: an inline policy or attachment of a role in the
 * snapshot that is not in its lists does not exist. Instance profiles
 * appear only inside the role they hold, so a profile without a role is
 * not in the snapshot (its read calls GetInstanceProfile). RoleDetail
 * has no Description or MaxSessionDuration: the snapshot also holds each
 * role's <Roles> member from ListRoles, which has them. A role whose
 * ListRoles member is missing (ListRoles failed, or the role changed
 * between the two calls) is read by GetRole. Each customer managed policy
 * is its <Policies> member (ManagedPolicyDetail: Arn, PolicyName,
 * PolicyId, Path, Description, DefaultVersionId, AttachmentCount, and
 * PolicyVersionList with every version's Document), without tags.
 */
#ifndef TERN_MODULES_IAM_BULK_H
#define TERN_MODULES_IAM_BULK_H

#include "aws/xml.h"

/**
 * The <RoleDetailList> member of the role @p name (compared ignoring
 * case, as IAM does), or NULL when the snapshot does not hold it.
 * @param bulk op->bulk (an IAM snapshot); NULL-safe
 */
const tern_xml_node *tern__iam_bulk_role(const void *bulk, const char *name);

/**
 * The <Roles> member of the role @p name from ListRoles (Description,
 * MaxSessionDuration), or NULL unless the snapshot holds both it and the
 * role's <RoleDetailList> member, with the same RoleId.
 * @param bulk op->bulk (an IAM snapshot); NULL-safe
 */
const tern_xml_node *tern__iam_bulk_role_listed(const void *bulk,
                                                const char *name);

/**
 * The <InstanceProfile> of the profile @p name (ignoring case) as the
 * role it holds lists it, or NULL.
 */
const tern_xml_node *tern__iam_bulk_profile(const void *bulk, const char *name);

/**
 * The <Policies> member (ManagedPolicyDetail) of the customer managed
 * policy @p arn (compared exactly), or NULL.
 */
const tern_xml_node *tern__iam_bulk_policy(const void *bulk, const char *arn);

#endif
