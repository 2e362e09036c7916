/*
 * aws_iam_role_policy: an inline policy of a role.
 *
 * Calls: PutRolePolicy (create, update); GetRolePolicy (read, import);
 * DeleteRolePolicy (delete).
 *
 * Quirks:
 * - The role may be one tern does not manage (a Databricks workspace's
 *   cross-account role getting its iam:PassRole policy): nothing here
 *   assumes tern created it.
 * - A role created a moment ago may be unknown to PutRolePolicy
 *   (NoSuchEntity): retried while IAM propagates it (bounded).
 * - GetRolePolicy returns the document URL-encoded and reformatted; read
 *   keeps the state's text when the two are equivalent.
 * - id and import ID are "role-name:policy-name", as Terraform's.
 * - Deleting what is already gone (NoSuchEntity) is success.
 * - In a bulk refresh (iam_bulk.h) read finds the policy in its role's
 *   RolePolicyList without a call; a role not in the snapshot is read
 *   with GetRolePolicy.
 */
#include "iam_bulk.h"
#include "iam_common.h"
#include "policy/policy.h"

#include "util/alloc.h"

#include <string.h>

static const tern_attr schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    /* The provider's limits: 128 characters, the prefix 26 fewer. */
    {"name", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     128},
    {"name_prefix", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     102},
    {"policy", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, tern_policy_equiv_fn, NULL,
     0},
    {"role", TERN_TYPE_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 128},
    {NULL, 0, 0, NULL, NULL, 0}};

static json_t *state(const char *role, const char *name, json_t *policy,
                     const char *prefix)
{
    char *id = tern_asprintf("%s:%s", role, name);
    json_t *st = id ? json_pack("{s:s, s:s, s:O, s:s, s:o}", "id", id, "name",
                                name, "policy", policy, "role", role,
                                "name_prefix", tern__jstr(prefix))
                    : NULL;

    tern_free(id);
    return st;
}

static int put(json_t **out, tern_op *op, const json_t *desired,
               const char *name, const char *verb)
{
    tern_buf b = TERN_BUF_INIT;
    const char *role = tern__str(desired, "role");
    const char *policy = tern__str(desired, "policy");
    char *what = NULL;
    int error = TERN_OK;

    what = tern_asprintf("Cannot %s inline policy '%s' of IAM role '%s'", verb,
                         name, role ? role : "?");
    TERN_CHECK_ALLOC(what);
    if (!role || !policy) {
        error = tern__fail(op, TERN_EINVALID, what,
                           "role and policy are required.");
        goto done;
    }
    tern_aws_query_add(&b, "RoleName", role);
    tern_aws_query_add(&b, "PolicyName", name);
    tern_aws_query_add(&b, "PolicyDocument", policy);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "PutRolePolicy", &b, NULL,
                           TERN__RETRY_NOSUCHENTITY, what, NULL);
    if (error)
        goto done;
    *out = state(role, name, json_object_get(desired, "policy"),
                 tern__str(desired, "name_prefix"));
    TERN_CHECK_ALLOC(*out);
done:
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int policy_create(json_t **out, tern_op *op, const json_t *desired)
{
    char *name = tern__resource_name(desired);
    int error;

    if (!name)
        return TERN_ENOMEM;
    error = put(out, op, desired, name, "create");
    tern_free(name);
    return error;
}

static int policy_update(json_t **out, tern_op *op, const json_t *prior,
                         const json_t *desired)
{
    const char *name = tern__str(prior, "name");

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot update inline policy",
                          "The state has no name.");
    return put(out, op, desired, name, "update");
}

static int get(json_t **out, tern_op *op, const char *role, const char *name,
               const json_t *prior, int quiet)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    json_t *policy = NULL;
    char *what = tern_asprintf("Cannot read inline policy '%s' of IAM role "
                               "'%s'",
                               name, role);
    int error = TERN_OK;

    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "RoleName", role);
    tern_aws_query_add(&b, "PolicyName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "GetRolePolicy", &b, &root,
                           quiet ? TERN__QUIET_NOTFOUND : 0, what, NULL);
    if (error)
        goto done;
    if (tern__iam_need(op, root, "GetRolePolicy", "GetRolePolicyResult",
                       tern__iam_role_policy_required, what, &error) == NULL)
        goto done;
    policy = tern__policy_keep(
        json_object_get(prior, "policy"),
        tern_xml_text(root, "GetRolePolicyResult/PolicyDocument"));
    TERN_CHECK_ALLOC(policy);
    *out = state(role, name, policy, tern__str(prior, "name_prefix"));
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(policy);
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

/* The policy from a bulk refresh's snapshot: the role's RolePolicyList is
 * complete, so a policy not in it is gone. */
static int from_bulk(json_t **out, const tern_xml_node *detail,
                     const char *role, const char *name, const json_t *prior)
{
    const tern_xml_node *m = tern_xml_find(detail, "RolePolicyList/member");
    json_t *policy = NULL;

    for (; m; m = tern_xml_next(m)) {
        const char *pn = tern_xml_text(m, "PolicyName");

        if (pn && strcmp(pn, name) == 0)
            break;
    }
    if (!m)
        return TERN_ENOTFOUND;
    policy = tern__policy_keep(json_object_get(prior, "policy"),
                               tern_xml_text(m, "PolicyDocument"));
    if (!policy)
        return TERN_ENOMEM;
    /* The role's name as IAM spells it is the state's (names ignore
     * case); keep the state's spelling. */
    *out = state(role, name, policy, tern__str(prior, "name_prefix"));
    json_decref(policy);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int policy_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *role = tern__str(prior, "role");
    const char *name = tern__str(prior, "name");
    const tern_xml_node *detail;

    if (!role || !name)
        return tern__fail(op, TERN_EINVALID, "Cannot read inline policy",
                          "The state has no role or name.");
    detail = tern__iam_bulk_role(op->bulk, role);
    if (detail)
        return from_bulk(out, detail, role, name, prior);
    return get(out, op, role, name, prior, 1);
}

static int policy_delete(tern_op *op, const json_t *prior)
{
    tern_buf b = TERN_BUF_INIT;
    const char *role = tern__str(prior, "role");
    const char *name = tern__str(prior, "name");
    char *what = NULL;
    int error = TERN_OK;

    if (!role || !name)
        return tern__fail(op, TERN_EINVALID, "Cannot delete inline policy",
                          "The state has no role or name.");
    what = tern_asprintf("Cannot delete inline policy '%s' of IAM role '%s'",
                         name, role);
    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "RoleName", role);
    tern_aws_query_add(&b, "PolicyName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "DeleteRolePolicy", &b, NULL,
                           TERN__QUIET_NOTFOUND, what, NULL);
    if (error == TERN_ENOTFOUND)
        error = TERN_OK;
done:
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int policy_import(json_t **out, tern_op *op, const char *id)
{
    /* Role names cannot hold ':', so the first one ends the name. */
    const char *colon = strchr(id, ':');
    char *role = NULL;
    int error = TERN_OK;

    if (!colon || colon == id || !colon[1])
        return tern__fail(op, TERN_EINVALID, "Invalid import ID",
                          "'%s' is not of the form role-name:policy-name.", id);
    role = tern_strndup(id, (size_t)(colon - id));
    TERN_CHECK_ALLOC(role);
    error = get(out, op, role, colon + 1, NULL, 0);
done:
    tern_free(role);
    return error;
}

static int policy_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    const char *role = tern__str(desired, "role");
    const char *name = tern__str(desired, "name");

    if (!role || !name)
        return TERN_ENOTFOUND;
    return get(out, op, role, name, desired, 1);
}

const tern_module tern_module_aws_iam_role_policy = {TERN_MODULE_VERSION,
                                                     "aws_iam_role_policy",
                                                     TERN_MODULE_RESOURCE,
                                                     "aws",
                                                     schema,
                                                     policy_read,
                                                     policy_create,
                                                     policy_update,
                                                     policy_delete,
                                                     policy_import,
                                                     policy_lookup};
