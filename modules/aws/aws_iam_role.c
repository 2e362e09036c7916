/*
 * aws_iam_role: an IAM role, in the Terraform AWS provider's names.
 *
 * Calls: CreateRole; GetRole (read, import, lookup); UpdateAssumeRolePolicy
 * (the trust policy, in place); UpdateRole (description,
 * max_session_duration); PutRolePermissionsBoundary /
 * DeleteRolePermissionsBoundary; TagRole / UntagRole; on delete
 * ListInstanceProfilesForRole and RemoveRoleFromInstanceProfile, with
 * force_detach_policies ListAttachedRolePolicies, DetachRolePolicy,
 * ListRolePolicies and DeleteRolePolicy, then DeleteRole.
 *
 * Quirks:
 * - A trust policy naming a role created a moment ago is refused with
 *   MalformedPolicyDocument "Invalid principal" until IAM has propagated
 *   that role: CreateRole and UpdateAssumeRolePolicy retry it (bounded,
 *   see iam_common.h).
 * - DeleteRole fails with DeleteConflict while the role sits in an
 *   instance profile or holds policies. Delete first takes the role out of
 *   its instance profiles (as the provider does), with
 *   force_detach_policies also detaches managed and deletes inline
 *   policies, and retries DeleteConflict while those removals propagate.
 * - Create answers with the whole role, so the state is built from that
 *   answer and the configuration: one call per role created, no GetRole.
 * - The trust policy comes back URL-encoded and reformatted; read keeps
 *   the configuration's text when the two are equivalent.
 * - tags_all is the provider's default_tags merged with tags; what IAM
 *   holds is tags_all, and read splits it back.
 * - In a bulk refresh (iam_bulk.h) read takes the role from the snapshot
 *   without a call: its RoleDetail for the most, its ListRoles member for
 *   description and max_session_duration. A role without both is read
 *   by GetRole.
 * - IAM refuses a name over 64 characters only at CreateRole: the schema
 *   says so (max_items), and validate and plan report it with the range,
 *   as the provider's validation does (name_prefix: 38).
 * - The provider also allows only [\w+=,.@-] in name and name_prefix:
 *   tern_arg_checks[] (registry.c) has validate and plan report it at the
 *   range; create checks it again before CreateRole (IAM's own
 *   ValidationError names only "roleName").
 */
#include "iam_bulk.h"
#include "iam_common.h"
#include "policy/policy.h"

#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tern_attr schema[] = {
    {"arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"assume_role_policy", TERN_TYPE_STRING, TERN_ATTR_REQUIRED,
     tern_policy_equiv_fn, NULL, 0},
    {"create_date", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"description", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 1000},
    {"force_detach_policies", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    /* Default 3600 (tern_arg_defaults[]). */
    {"max_session_duration", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    /* The provider's limits: IAM's 64 characters, and the prefix leaves
     * room for the 26 characters of the unique suffix (iam_common.h). */
    {"name", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     64},
    {"name_prefix", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     38},
    /* Default "/" (tern_arg_defaults[]). */
    {"path", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 512},
    {"permissions_boundary", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"tags_all", TERN_TYPE_MAP_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"unique_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/*
 * The state of a role from IAM's description of it and, when there is
 * one, the state or configuration it should be compared with (@p base):
 * the trust policy keeps base's text when equivalent, tags are split from
 * tags_all, and settings IAM does not report come from base.
 */
static int role_state(json_t **out, tern_op *op, const tern_xml_node *role,
                      const json_t *base)
{
    json_t *st = tern__role_json(role);
    json_t *all = NULL, *own = NULL, *trust = NULL;
    json_t *base_tags = json_object_get(base, "tags");
    int error = TERN_OK;

    TERN_CHECK_ALLOC(st);
    all = json_incref(json_object_get(st, "tags"));
    own = tern__tags_own(op, all);
    TERN_CHECK_ALLOC(own);
    trust = tern__policy_keep(json_object_get(base, "assume_role_policy"),
                              tern_xml_text(role, "AssumeRolePolicyDocument"));
    TERN_CHECK_ALLOC(trust);
    if (json_object_set(st, "assume_role_policy", trust) ||
        json_object_set(st, "tags_all", all) ||
        /* No tags and none configured: keep null, as configured. */
        json_object_set_new(st, "tags",
                            json_object_size(own) == 0 &&
                                    (!base_tags || json_is_null(base_tags))
                                ? json_null()
                                : json_incref(own)) ||
        json_object_set_new(
            st, "force_detach_policies",
            json_boolean(tern__bool(base, "force_detach_policies", 0))) ||
        json_object_set_new(st, "name_prefix",
                            tern__jstr(tern__str(base, "name_prefix"))))
        error = TERN_ENOMEM;
    if (!error) {
        *out = st;
        st = NULL;
    }
done:
    json_decref(st);
    json_decref(all);
    json_decref(own);
    json_decref(trust);
    return error;
}

/* GetRole; TERN_ENOTFOUND quietly when @p quiet. */
static int get_role(json_t **out, tern_op *op, const char *name,
                    const json_t *base, int quiet)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char *what = tern_asprintf("Cannot read IAM role '%s'", name);
    int error = TERN_OK;

    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "RoleName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "GetRole", &b, &root,
                           quiet ? TERN__QUIET_NOTFOUND : 0, what, NULL);
    if (error)
        goto done;
    error =
        role_state(out, op, tern_xml_find(root, "GetRoleResult/Role"), base);
done:
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

/*
 * A role from a bulk refresh's snapshot (iam_bulk.h): RoleDetail is a Role
 * without Description and MaxSessionDuration, which come from the role's
 * ListRoles member, as GetRole would give them.
 */
static int role_from_bulk(json_t **out, tern_op *op,
                          const tern_xml_node *detail,
                          const tern_xml_node *listed, const json_t *prior)
{
    const char *msd = tern_xml_text(listed, "MaxSessionDuration");
    json_t *st = NULL;
    int error = role_state(&st, op, detail, prior);

    if (error)
        return error;
    if (json_object_set_new(st, "description",
                            tern__jstr(tern_xml_text(listed, "Description"))) ||
        json_object_set_new(
            st, "max_session_duration",
            json_integer(msd ? strtoll(msd, NULL, 10) : 3600))) {
        json_decref(st);
        return TERN_ENOMEM;
    }
    *out = st;
    return TERN_OK;
}

static int role_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *name = tern__str(prior, "name");
    const tern_xml_node *detail, *listed;

    if (!name)
        name = tern__str(prior, "id");
    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot read IAM role",
                          "The state of %s has no name.",
                          op->address ? op->address : "the role");
    detail = tern__iam_bulk_role(op->bulk, name);
    listed = tern__iam_bulk_role_listed(op->bulk, name);
    if (detail && listed)
        return role_from_bulk(out, op, detail, listed, prior);
    return get_role(out, op, name, prior, 1);
}

static int role_create(json_t **out, tern_op *op, const json_t *desired)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    json_t *all = NULL, *st = NULL;
    char *name = tern__resource_name(desired);
    char *what = NULL, *msd = NULL;
    const char *trust = tern__str(desired, "assume_role_policy");
    int error = TERN_OK;

    TERN_CHECK_ALLOC(name);
    if ((error = tern__iam_check_name_arg(op, desired, "name",
                                          "Invalid IAM role name")) ||
        (error = tern__iam_check_name_arg(op, desired, "name_prefix",
                                          "Invalid IAM role name")))
        goto done;
    what = tern_asprintf("Cannot create IAM role '%s'", name);
    TERN_CHECK_ALLOC(what);
    if (!trust) {
        error = tern__fail(op, TERN_EINVALID, what,
                           "assume_role_policy is required.");
        goto done;
    }
    all = tern__tags_all(op, json_object_get(desired, "tags"));
    TERN_CHECK_ALLOC(all);
    tern_aws_query_add(&b, "RoleName", name);
    tern_aws_query_add(&b, "AssumeRolePolicyDocument", trust);
    if (tern__str(desired, "path"))
        tern_aws_query_add(&b, "Path", tern__str(desired, "path"));
    if (tern__str(desired, "description"))
        tern_aws_query_add(&b, "Description",
                           tern__str(desired, "description"));
    if (tern__int(desired, "max_session_duration", 0) > 0) {
        msd = tern_asprintf("%lld",
                            tern__int(desired, "max_session_duration", 0));
        TERN_CHECK_ALLOC(msd);
        tern_aws_query_add(&b, "MaxSessionDuration", msd);
    }
    if (tern__str(desired, "permissions_boundary"))
        tern_aws_query_add(&b, "PermissionsBoundary",
                           tern__str(desired, "permissions_boundary"));
    tern__query_add_tags(&b, "Tags", all);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "CreateRole", &b, &root, TERN__RETRY_PRINCIPAL,
                           what, name);
    if (error)
        goto done;
    error = role_state(&st, op, tern_xml_find(root, "CreateRoleResult/Role"),
                       desired);
    if (error)
        goto done;
    /* What was sent is what IAM holds; keep the configuration's text. */
    if (json_object_set(st, "assume_role_policy",
                        json_object_get(desired, "assume_role_policy")) ||
        json_object_set_new(st, "tags",
                            json_incref(json_object_get(desired, "tags")
                                            ? json_object_get(desired, "tags")
                                            : json_null())) ||
        json_object_set(st, "tags_all", all)) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = st;
    st = NULL;
done:
    tern_xml_free(root);
    tern_buf_release(&b);
    json_decref(all);
    json_decref(st);
    tern_free(name);
    tern_free(what);
    tern_free(msd);
    return error;
}

static int str_differs(const json_t *a, const json_t *b, const char *key)
{
    const char *x = tern__str(a, key), *y = tern__str(b, key);

    return (x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0);
}

static int role_update(json_t **out, tern_op *op, const json_t *prior,
                       const json_t *desired)
{
    static const char *const settable[] = {
        "assume_role_policy",   "description", "force_detach_policies",
        "max_session_duration", "tags",        "permissions_boundary"};
    tern_buf b = TERN_BUF_INIT;
    json_t *old_all = NULL, *new_all = NULL, *st = NULL;
    const char *name = tern__str(prior, "name");
    char *what = NULL, *msd = NULL;
    long long want_msd = tern__int(desired, "max_session_duration", 0);
    size_t i;
    int error = TERN_OK;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot update IAM role",
                          "The state has no name.");
    what = tern_asprintf("Cannot update IAM role '%s'", name);
    TERN_CHECK_ALLOC(what);

    if (!tern__policy_equiv(json_object_get(prior, "assume_role_policy"),
                            json_object_get(desired, "assume_role_policy"))) {
        tern_aws_query_add(&b, "RoleName", name);
        tern_aws_query_add(&b, "PolicyDocument",
                           tern__str(desired, "assume_role_policy"));
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call(op, "UpdateAssumeRolePolicy", &b, NULL,
                               TERN__RETRY_PRINCIPAL, what, NULL);
        if (error)
            goto done;
    }

    if (str_differs(prior, desired, "description") ||
        (want_msd > 0 &&
         want_msd != tern__int(prior, "max_session_duration", 3600))) {
        const char *desc = tern__str(desired, "description");

        tern_buf_clear(&b);
        tern_aws_query_add(&b, "RoleName", name);
        tern_aws_query_add(&b, "Description", desc ? desc : "");
        if (want_msd > 0) {
            msd = tern_asprintf("%lld", want_msd);
            TERN_CHECK_ALLOC(msd);
            tern_aws_query_add(&b, "MaxSessionDuration", msd);
        }
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call(op, "UpdateRole", &b, NULL, 0, what, NULL);
        if (error)
            goto done;
    }

    if (str_differs(prior, desired, "permissions_boundary")) {
        const char *pb = tern__str(desired, "permissions_boundary");

        tern_buf_clear(&b);
        tern_aws_query_add(&b, "RoleName", name);
        if (pb)
            tern_aws_query_add(&b, "PermissionsBoundary", pb);
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call(op,
                               pb ? "PutRolePermissionsBoundary"
                                  : "DeleteRolePermissionsBoundary",
                               &b, NULL, 0, what, NULL);
        if (error)
            goto done;
    }

    old_all = json_object_get(prior, "tags_all")
                  ? json_incref(json_object_get(prior, "tags_all"))
                  : tern__tags_all(op, json_object_get(prior, "tags"));
    new_all = tern__tags_all(op, json_object_get(desired, "tags"));
    TERN_CHECK_ALLOC(old_all);
    TERN_CHECK_ALLOC(new_all);
    if (!json_is_object(old_all)) {
        json_decref(old_all);
        old_all = json_object();
        TERN_CHECK_ALLOC(old_all);
    }
    error = tern__update_tags(op, "TagRole", "UntagRole", "RoleName", name,
                              old_all, new_all, what);
    if (error)
        goto done;

    st = json_deep_copy(prior);
    TERN_CHECK_ALLOC(st);
    for (i = 0; i < sizeof(settable) / sizeof(settable[0]); i++) {
        json_t *v = json_object_get(desired, settable[i]);

        if (strcmp(settable[i], "max_session_duration") == 0 && want_msd <= 0)
            continue;
        if (json_object_set_new(st, settable[i],
                                v ? json_incref(v) : json_null())) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (json_object_set(st, "tags_all", new_all)) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = st;
    st = NULL;
done:
    tern_buf_release(&b);
    json_decref(old_all);
    json_decref(new_all);
    json_decref(st);
    tern_free(what);
    tern_free(msd);
    return error;
}

/* List with @p action and call @p each_action on every name collected. */
static int for_each(tern_op *op, const char *name, const char *list_action,
                    const char *list, const char *field,
                    const char *each_action, const char *each_param,
                    const char *what)
{
    struct tern__names names;
    tern_buf b = TERN_BUF_INIT;
    size_t i;
    int error = TERN_OK;

    memset(&names, 0, sizeof(names));
    names.list = list;
    names.field = field;
    tern_aws_query_add(&b, "RoleName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call_paged(op, list_action, &b, tern__collect_page,
                                 &names, TERN__QUIET_NOTFOUND, what);
    for (i = 0; !error && i < names.n; i++) {
        tern_buf_clear(&b);
        if (strcmp(each_param, "InstanceProfileName") == 0) {
            tern_aws_query_add(&b, "InstanceProfileName", names.v[i]);
            tern_aws_query_add(&b, "RoleName", name);
        } else {
            tern_aws_query_add(&b, "RoleName", name);
            tern_aws_query_add(&b, each_param, names.v[i]);
        }
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            break;
        }
        /* Gone already: what delete wanted. */
        error = tern__iam_call(op, each_action, &b, NULL, TERN__QUIET_NOTFOUND,
                               what, NULL);
        if (error == TERN_ENOTFOUND)
            error = TERN_OK;
    }
done:
    tern__names_release(&names);
    tern_buf_release(&b);
    return error;
}

static int role_delete(tern_op *op, const json_t *prior)
{
    tern_buf b = TERN_BUF_INIT;
    const char *name = tern__str(prior, "name");
    char *what = NULL;
    int error = TERN_OK;

    if (!name)
        name = tern__str(prior, "id");
    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot delete IAM role",
                          "The state has no name.");
    what = tern_asprintf("Cannot delete IAM role '%s'", name);
    TERN_CHECK_ALLOC(what);
    error =
        for_each(op, name, "ListInstanceProfilesForRole", "InstanceProfiles",
                 "InstanceProfileName", "RemoveRoleFromInstanceProfile",
                 "InstanceProfileName", what);
    if (!error && tern__bool(prior, "force_detach_policies", 0)) {
        error =
            for_each(op, name, "ListAttachedRolePolicies", "AttachedPolicies",
                     "PolicyArn", "DetachRolePolicy", "PolicyArn", what);
        if (!error)
            error = for_each(op, name, "ListRolePolicies", "PolicyNames", NULL,
                             "DeleteRolePolicy", "PolicyName", what);
    }
    if (error)
        goto done;
    tern_aws_query_add(&b, "RoleName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error =
        tern__iam_call(op, "DeleteRole", &b, NULL,
                       TERN__RETRY_CONFLICT | TERN__QUIET_NOTFOUND, what, NULL);
done:
    /* A role already gone is deleted. */
    if (error == TERN_ENOTFOUND)
        error = TERN_OK;
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int role_import(json_t **out, tern_op *op, const char *id)
{
    return get_role(out, op, id, NULL, 0);
}

static int role_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "name");

    /* A name_prefix role's name was made up at create: nothing to find. */
    if (!name)
        return TERN_ENOTFOUND;
    return get_role(out, op, name, desired, 1);
}

const tern_module tern_module_aws_iam_role = {TERN_MODULE_VERSION,
                                              "aws_iam_role",
                                              TERN_MODULE_RESOURCE,
                                              "aws",
                                              schema,
                                              role_read,
                                              role_create,
                                              role_update,
                                              role_delete,
                                              role_import,
                                              role_lookup};
