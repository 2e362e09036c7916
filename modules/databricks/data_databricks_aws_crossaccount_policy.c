/*
 * data "databricks_aws_crossaccount_policy": the policy of the
 * cross-account role through which Databricks runs clusters in the
 * customer's AWS account, as the Databricks provider computes it
 * (aws/data_aws_crossaccount_policy.go). No service calls, so it needs no
 * Databricks credentials.
 *
 * policy_type (default "managed"):
 * - "managed" (Databricks-managed VPC): the EC2 actions Databricks needs on
 *   any resource, including creating and deleting the VPC's parts;
 * - "customer" (customer-managed VPC): the same without the VPC actions;
 * - "restricted" (customer-managed VPC, least privilege): only the
 *   non-resource-specific EC2 actions on any resource, and the rest on the
 *   ARNs of aws_account_id, region, vpc_id and security_group_id, mostly
 *   tagged Vendor=Databricks.
 * Every type allows the EC2 Spot service-linked role; pass_roles adds
 * iam:PassRole on those roles. The ARNs use aws_partition (default "aws").
 *
 * The provider checks its arguments when it reads, in this order, with
 * these messages (the summaries below): aws_partition, policy_type, then
 * for "restricted" aws_account_id, vpc_id, region, security_group_id.
 * tern checks aws_partition and policy_type at validate too (registry.c),
 * at the argument; the "restricted" rules, which depend on policy_type,
 * here. id is "_", as the provider sets it.
 */
#include "data_databricks_aws_common.h"

#include <stdio.h>
#include <string.h>

static const tern_attr schema[] = {
    {"aws_account_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"aws_partition", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"json", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"pass_roles", TERN_TYPE_LIST_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"policy_type", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"region", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"security_group_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"vpc_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* Non-resource-based permissions, every policy type. */
static const char *const base_actions[] = {
    "ec2:AssignPrivateIpAddresses",
    "ec2:CancelSpotInstanceRequests",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeIamInstanceProfileAssociations",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribePrefixLists",
    "ec2:DescribeReservedInstancesOfferings",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSpotInstanceRequests",
    "ec2:DescribeSpotPriceHistory",
    "ec2:DescribeSubnets",
    "ec2:DescribeVolumes",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVpcs",
    "ec2:CreateTags",
    "ec2:DeleteTags",
    "ec2:GetSpotPlacementScores",
    "ec2:RequestSpotInstances",
    "ec2:DescribeFleetHistory",
    "ec2:ModifyFleet",
    "ec2:DeleteFleets",
    "ec2:DescribeFleetInstances",
    "ec2:DescribeFleets",
    "ec2:CreateFleet",
    "ec2:DeleteLaunchTemplate",
    "ec2:GetLaunchTemplateData",
    "ec2:CreateLaunchTemplate",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:ModifyLaunchTemplate",
    "ec2:DeleteLaunchTemplateVersions",
    "ec2:CreateLaunchTemplateVersion",
    NULL};

/* On any resource, except with "restricted" (which scopes them below). */
static const char *const unrestricted_actions[] = {
    "ec2:AssociateIamInstanceProfile",
    "ec2:AttachVolume",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateVolume",
    "ec2:DeleteVolume",
    "ec2:DetachVolume",
    "ec2:DisassociateIamInstanceProfile",
    "ec2:ReplaceIamInstanceProfileAssociation",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    NULL};

/* A Databricks-managed VPC's own parts ("managed" only). */
static const char *const managed_vpc_actions[] = {"ec2:AttachInternetGateway",
                                                  "ec2:AllocateAddress",
                                                  "ec2:AssociateDhcpOptions",
                                                  "ec2:AssociateRouteTable",
                                                  "ec2:CreateDhcpOptions",
                                                  "ec2:CreateInternetGateway",
                                                  "ec2:CreateNatGateway",
                                                  "ec2:CreateRoute",
                                                  "ec2:CreateRouteTable",
                                                  "ec2:CreateSecurityGroup",
                                                  "ec2:CreateSubnet",
                                                  "ec2:CreateVpc",
                                                  "ec2:CreateVpcEndpoint",
                                                  "ec2:DeleteDhcpOptions",
                                                  "ec2:DeleteInternetGateway",
                                                  "ec2:DeleteNatGateway",
                                                  "ec2:DeleteRoute",
                                                  "ec2:DeleteRouteTable",
                                                  "ec2:DeleteSecurityGroup",
                                                  "ec2:DeleteSubnet",
                                                  "ec2:DeleteVpc",
                                                  "ec2:DeleteVpcEndpoints",
                                                  "ec2:DetachInternetGateway",
                                                  "ec2:DisassociateRouteTable",
                                                  "ec2:ModifyVpcAttribute",
                                                  "ec2:ReleaseAddress",
                                                  NULL};

static const char *const spot_role_actions[] = {"iam:CreateServiceLinkedRole",
                                                "iam:PutRolePolicy", NULL};

static const char *const instance_profile_actions[] = {
    "ec2:AssociateIamInstanceProfile", "ec2:DisassociateIamInstanceProfile",
    "ec2:ReplaceIamInstanceProfileAssociation", NULL};

static const char *const volume_attach_actions[] = {"ec2:AttachVolume",
                                                    "ec2:DetachVolume", NULL};

static const char *const security_group_actions[] = {
    "ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", NULL};

static int is_policy_type(const char *t)
{
    return strcmp(t, "managed") == 0 || strcmp(t, "customer") == 0 ||
           strcmp(t, "restricted") == 0;
}

int tern__dbx_policy_type_check(const char *value, char *why, size_t why_size)
{
    if (is_policy_type(value))
        return 0;
    snprintf(why, why_size,
             "must be \"managed\", \"customer\" or \"restricted\" (the "
             "Databricks provider: \"policy_type must be either 'managed', "
             "'customer' or 'restricted'\"), not \"%s\".",
             value);
    return 1;
}

/* The string at @p key of @p config, "" when unset (Go's zero value). */
static const char *arg(const json_t *config, const char *key)
{
    const char *s = json_string_value(json_object_get(config, key));

    return s ? s : "";
}

/* Go's regexp.MatchString(`^PREFIX.*$`): the prefix, then no newline. */
static int prefixed(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(s, prefix, n) == 0 && !strchr(s + n, '\n');
}

static int twelve_digits(const char *s)
{
    return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

static int refuse(tern_op *op, const char *summary, const char *name,
                  const char *value, const char *rule)
{
    if (!tern_diags_add(op->diags, TERN_SEV_ERROR, NULL, summary,
                        *value ? "The argument \"%s\" %s when policy_type is "
                                 "\"restricted\"; it is \"%s\"."
                               : "The argument \"%s\" %s when policy_type is "
                                 "\"restricted\"; it is not set.",
                        name, rule, value))
        return TERN_ENOMEM;
    return TERN_EINVALID;
}

/* The provider's checks, in its order. */
static int check(tern_op *op, const json_t *config, const char *type)
{
    char why[256];

    if (!is_policy_type(type)) {
        tern__dbx_policy_type_check(type, why, sizeof(why));
        if (!tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                            "policy_type must be either 'managed', 'customer' "
                            "or 'restricted'",
                            "The argument \"policy_type\" %s", why))
            return TERN_ENOMEM;
        return TERN_EINVALID;
    }
    if (strcmp(type, "restricted") != 0)
        return TERN_OK;
    if (!twelve_digits(arg(config, "aws_account_id")))
        return refuse(op, "aws_account_id must be a 12 digit number",
                      "aws_account_id", arg(config, "aws_account_id"),
                      "must be a 12-digit AWS account ID");
    if (!prefixed(arg(config, "vpc_id"), "vpc-"))
        return refuse(op, "vpc_id must begin with 'vpc-'", "vpc_id",
                      arg(config, "vpc_id"), "must begin with \"vpc-\"");
    if (!*arg(config, "region"))
        return refuse(op, "region must be set", "region", "", "must be set");
    if (!prefixed(arg(config, "security_group_id"), "sg-"))
        return refuse(op, "security_group_id must begin with 'sg-'",
                      "security_group_id", arg(config, "security_group_id"),
                      "must begin with \"sg-\"");
    return TERN_OK;
}

/* The resource-based statements of "restricted": in the account, region,
 * VPC and security group the configuration names. */
static void restricted(tern__dbx_doc *d, const char *ns, const json_t *config)
{
    const char *region = arg(config, "region");
    const char *account = arg(config, "aws_account_id");
    const char *vpc = arg(config, "vpc_id");
    const char *sg = arg(config, "security_group_id");
#define ARN(kind)                                                              \
    tern__dbx_fmt(d, "arn:%s:ec2:%s:%s:" kind, ns, region, account)
#define VPC_COND                                                               \
    tern__dbx_obj(d, "StringEquals",                                           \
                  tern__dbx_obj(d, "ec2:vpc",                                  \
                                tern__dbx_fmt(d, "arn:%s:ec2:%s:%s:vpc/%s",    \
                                              ns, region, account, vpc)))

    tern__dbx_add(d, "InstancePoolsSupport",
                  tern__dbx_strs(d, instance_profile_actions),
                  ARN("instance/*"), NULL, NULL,
                  tern__dbx_cond(d, "StringEquals", "ec2:ResourceTag/Vendor",
                                 "Databricks"));
    tern__dbx_add(
        d, "AllowEc2RunInstancePerTag", tern__dbx_str(d, "ec2:RunInstances"),
        tern__dbx_list(d, 2, ARN("volume/*"), ARN("instance/*")), NULL, NULL,
        tern__dbx_cond(d, "StringEquals", "aws:RequestTag/Vendor",
                       "Databricks"));
    tern__dbx_add(d, "AllowEc2RunInstanceImagePerTag",
                  tern__dbx_str(d, "ec2:RunInstances"), ARN("image/*"), NULL,
                  NULL,
                  tern__dbx_cond(d, "StringEquals", "aws:ResourceTag/Vendor",
                                 "Databricks"));
    tern__dbx_add(d, "AllowEc2RunInstancePerVPCid",
                  tern__dbx_str(d, "ec2:RunInstances"),
                  tern__dbx_list(d, 3, ARN("network-interface/*"),
                                 ARN("subnet/*"), ARN("security-group/*")),
                  NULL, NULL, VPC_COND);
    tern__dbx_add(d, "AllowEc2RunInstanceOtherResources",
                  tern__dbx_str(d, "ec2:RunInstances"), NULL,
                  tern__dbx_list(d, 6, ARN("image/*"),
                                 ARN("network-interface/*"), ARN("subnet/*"),
                                 ARN("security-group/*"), ARN("volume/*"),
                                 ARN("instance/*")),
                  NULL, NULL);
    tern__dbx_add(d, "EC2TerminateInstancesTag",
                  tern__dbx_str(d, "ec2:TerminateInstances"), ARN("instance/*"),
                  NULL, NULL,
                  tern__dbx_cond(d, "StringEquals", "ec2:ResourceTag/Vendor",
                                 "Databricks"));
    tern__dbx_add(
        d, "EC2AttachDetachVolumeTag", tern__dbx_strs(d, volume_attach_actions),
        tern__dbx_list(d, 2, ARN("instance/*"), ARN("volume/*")), NULL, NULL,
        tern__dbx_cond(d, "StringEquals", "ec2:ResourceTag/Vendor",
                       "Databricks"));
    tern__dbx_add(d, "EC2CreateVolumeByTag",
                  tern__dbx_str(d, "ec2:CreateVolume"), ARN("volume/*"), NULL,
                  NULL,
                  tern__dbx_cond(d, "StringEquals", "aws:RequestTag/Vendor",
                                 "Databricks"));
    /* A one-element list, not a string, as the provider writes it. */
    tern__dbx_add(d, "EC2DeleteVolumeByTag",
                  tern__dbx_str(d, "ec2:DeleteVolume"),
                  tern__dbx_list(d, 1, ARN("volume/*")), NULL, NULL,
                  tern__dbx_cond(d, "StringEquals", "ec2:ResourceTag/Vendor",
                                 "Databricks"));
    tern__dbx_add(d, "VpcNonresourceSpecificActions",
                  tern__dbx_strs(d, security_group_actions),
                  tern__dbx_fmt(d, "arn:%s:ec2:%s:%s:security-group/%s", ns,
                                region, account, sg),
                  NULL, NULL, VPC_COND);
#undef ARN
#undef VPC_COND
}

/* @p list's strings appended to @p a (a new reference, stolen). */
static json_t *append(tern__dbx_doc *d, json_t *a, const char *const *list)
{
    json_t *more = tern__dbx_strs(d, list);

    if (a && more && json_array_extend(a, more) != 0)
        d->oom = 1;
    json_decref(more);
    return a;
}

static int crossaccount_read(json_t **out, tern_op *op, const json_t *config)
{
    const struct tern__dbx_partition *p;
    const json_t *pt = json_object_get(config, "policy_type");
    const char *type = json_is_string(pt) ? json_string_value(pt) : "managed";
    const json_t *pass = json_object_get(config, "pass_roles");
    tern__dbx_doc d = {NULL, 0};
    json_t *actions;
    int error;

    *out = NULL;
    if ((error = tern__dbx_config_partition(op, config, 0, &p)) ||
        (error = check(op, config, type)))
        return error;
    actions = tern__dbx_strs(&d, base_actions);
    if (strcmp(type, "restricted") != 0)
        actions = append(&d, actions, unrestricted_actions);
    if (strcmp(type, "managed") == 0)
        actions = append(&d, actions, managed_vpc_actions);
    tern__dbx_add(&d, NULL, actions, tern__dbx_str(&d, "*"), NULL, NULL, NULL);
    tern__dbx_add(&d, NULL, tern__dbx_strs(&d, spot_role_actions),
                  tern__dbx_fmt(&d,
                                "arn:%s:iam::*:role/aws-service-role/"
                                "spot.amazonaws.com/AWSServiceRoleForEC2Spot",
                                p->ns),
                  NULL, NULL,
                  tern__dbx_cond(&d, "StringLike", "iam:AWSServiceName",
                                 "spot.amazonaws.com"));
    if (json_array_size(pass))
        tern__dbx_add(&d, NULL, tern__dbx_str(&d, "iam:PassRole"),
                      tern__dbx_copy(&d, pass), NULL, NULL, NULL);
    if (strcmp(type, "restricted") == 0)
        restricted(&d, p->ns, config);
    return tern__dbx_policy_state(out, config, &d, "_", "{s:s, s:s}",
                                  "aws_partition", "aws", "policy_type",
                                  "managed");
}

const tern_module tern_module_data_databricks_aws_crossaccount_policy = {
    TERN_MODULE_VERSION,
    "databricks_aws_crossaccount_policy",
    TERN_MODULE_DATA,
    "databricks",
    schema,
    crossaccount_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
