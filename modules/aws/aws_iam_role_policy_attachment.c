/*
 * aws_iam_role_policy_attachment: a managed policy attached to a role.
 *
 * Calls: AttachRolePolicy (create); ListAttachedRolePolicies, paged (read,
 * import); DetachRolePolicy (delete). There is no update: both arguments
 * force a new attachment.
 *
 * Quirks:
 * - A role or customer managed policy created a moment ago may be unknown
 *   to AttachRolePolicy (NoSuchEntity): retried while IAM propagates it
 *   (bounded, see iam_common.h).
 * - An attachment has no object of its own: the id is
 *   "role-name/policy-arn", which is also the import ID (Terraform's
 *   import ID; its own ids are random "role-2024..." strings). read keeps
 *   the state's id, so one migrated from Terraform stays as it was.
 * - A new attachment is missing from ListAttachedRolePolicies until it has
 *   propagated; create never reads back, and read reports it gone only
 *   when the list (every page) lacks it.
 * - Detaching what is already detached (NoSuchEntity) is success.
 * - In a bulk refresh (iam_bulk.h) read looks in the role's
 *   AttachedManagedPolicies without a call; a role not in the snapshot is
 *   read with ListAttachedRolePolicies.
 */
#include "iam_bulk.h"
#include "iam_common.h"

#include "util/alloc.h"

#include <string.h>

static const tern_attr schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"policy_arn", TERN_TYPE_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"role", TERN_TYPE_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static json_t *state(const char *role, const char *arn)
{
    char *id = tern_asprintf("%s/%s", role, arn);
    json_t *st = id ? json_pack("{s:s, s:s, s:s}", "id", id, "policy_arn", arn,
                                "role", role)
                    : NULL;

    tern_free(id);
    return st;
}

static int params(tern_buf *b, const char *role, const char *arn)
{
    tern_aws_query_add(b, "RoleName", role);
    tern_aws_query_add(b, "PolicyArn", arn);
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

static int attachment_create(json_t **out, tern_op *op, const json_t *desired)
{
    tern_buf b = TERN_BUF_INIT;
    const char *role = tern__str(desired, "role");
    const char *arn = tern__str(desired, "policy_arn");
    char *what = NULL;
    int error = TERN_OK;

    if (!role || !arn)
        return tern__fail(op, TERN_EINVALID, "Cannot attach policy",
                          "role and policy_arn are required.");
    what =
        tern_asprintf("Cannot attach policy '%s' to IAM role '%s'", arn, role);
    TERN_CHECK_ALLOC(what);
    error = params(&b, role, arn);
    if (error)
        goto done;
    error = tern__iam_call(op, "AttachRolePolicy", &b, NULL,
                           TERN__RETRY_NOSUCHENTITY, what, NULL);
    if (error)
        goto done;
    *out = state(role, arn);
    TERN_CHECK_ALLOC(*out);
done:
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

struct find {
    const char *arn;
    int found;
};

static int find_page(void *ud, const tern_xml_node *result)
{
    struct find *f = ud;
    const tern_xml_node *m = tern_xml_find(result, "AttachedPolicies/member");

    for (; m; m = tern_xml_next(m)) {
        const char *arn = tern_xml_text(m, "PolicyArn");

        if (arn && strcmp(arn, f->arn) == 0)
            f->found = 1;
    }
    return TERN_OK;
}

static int read_pair(json_t **out, tern_op *op, const char *role,
                     const char *arn, int quiet)
{
    tern_buf b = TERN_BUF_INIT;
    struct find f = {arn, 0};
    char *what =
        tern_asprintf("Cannot read the policies of IAM role '%s'", role);
    int error = TERN_OK;

    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "RoleName", role);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call_paged(op, "ListAttachedRolePolicies", &b, find_page,
                                 &f, quiet ? TERN__QUIET_NOTFOUND : 0, what);
    if (error)
        goto done;
    if (!f.found) {
        error = quiet ? TERN_ENOTFOUND
                      : tern__fail(op, TERN_ENOTFOUND,
                                   "Cannot import policy attachment",
                                   "The policy '%s' is not attached to the "
                                   "IAM role '%s'.",
                                   arn, role);
        goto done;
    }
    *out = state(role, arn);
    TERN_CHECK_ALLOC(*out);
done:
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

/* A read keeps the state's id: one a Terraform state brings along is the
 * provider's "role-20240101..." and stays, as the provider keeps it. */
static int keep_id(json_t **out, const json_t *prior, int error)
{
    const char *id = tern__str(prior, "id");

    if (error || !id)
        return error;
    if (json_object_set_new(*out, "id", json_string(id))) {
        json_decref(*out);
        *out = NULL;
        return TERN_ENOMEM;
    }
    return TERN_OK;
}

static int attachment_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *role = tern__str(prior, "role");
    const char *arn = tern__str(prior, "policy_arn");
    const tern_xml_node *detail, *m;

    if (!role || !arn)
        return tern__fail(op, TERN_EINVALID, "Cannot read policy attachment",
                          "The state has no role or policy_arn.");
    detail = tern__iam_bulk_role(op->bulk, role);
    if (!detail)
        return keep_id(out, prior, read_pair(out, op, role, arn, 1));
    /* The role's AttachedManagedPolicies is complete: not there, gone. */
    m = tern_xml_find(detail, "AttachedManagedPolicies/member");
    for (; m; m = tern_xml_next(m)) {
        const char *have = tern_xml_text(m, "PolicyArn");

        if (have && strcmp(have, arn) == 0) {
            *out = state(role, arn);
            return keep_id(out, prior, *out ? TERN_OK : TERN_ENOMEM);
        }
    }
    return TERN_ENOTFOUND;
}

static int attachment_delete(tern_op *op, const json_t *prior)
{
    tern_buf b = TERN_BUF_INIT;
    const char *role = tern__str(prior, "role");
    const char *arn = tern__str(prior, "policy_arn");
    char *what = NULL;
    int error = TERN_OK;

    if (!role || !arn)
        return tern__fail(op, TERN_EINVALID, "Cannot detach policy",
                          "The state has no role or policy_arn.");
    what = tern_asprintf("Cannot detach policy '%s' from IAM role '%s'", arn,
                         role);
    TERN_CHECK_ALLOC(what);
    error = params(&b, role, arn);
    if (!error)
        error = tern__iam_call(op, "DetachRolePolicy", &b, NULL,
                               TERN__QUIET_NOTFOUND, what, NULL);
    if (error == TERN_ENOTFOUND)
        error = TERN_OK;
done:
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int attachment_import(json_t **out, tern_op *op, const char *id)
{
    /* Role names cannot hold '/', so the first one ends the name. */
    const char *slash = strchr(id, '/');
    char *role = NULL;
    int error = TERN_OK;

    if (!slash || slash == id || !slash[1])
        return tern__fail(op, TERN_EINVALID, "Invalid import ID",
                          "'%s' is not of the form role-name/policy-arn, e.g. "
                          "app/arn:aws:iam::aws:policy/ReadOnlyAccess.",
                          id);
    role = tern_strndup(id, (size_t)(slash - id));
    TERN_CHECK_ALLOC(role);
    error = read_pair(out, op, role, slash + 1, 0);
done:
    tern_free(role);
    return error;
}

static int attachment_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    return attachment_read(out, op, desired);
}

const tern_module tern_module_aws_iam_role_policy_attachment = {
    TERN_MODULE_VERSION,
    "aws_iam_role_policy_attachment",
    TERN_MODULE_RESOURCE,
    "aws",
    schema,
    attachment_read,
    attachment_create,
    NULL,
    attachment_delete,
    attachment_import,
    attachment_lookup};
