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
 *   In a destroy whose bulk refresh saw the role's profiles, and once tern
 *   has taken the role out of each of them, the list is skipped (one call
 *   a role); a DeleteConflict then lists and removes as above.
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

/* An inline_policy block: both optional, so that one empty block can say
 * "no inline policies" (the provider's schema). */
static const tern_attr inline_schema[] = {
    {"name", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 128},
    {"policy", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, tern_policy_equiv_fn, NULL,
     0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr schema[] = {
    {"arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"assume_role_policy", TERN_TYPE_STRING, TERN_ATTR_REQUIRED,
     tern_policy_equiv_fn, NULL, 0},
    {"create_date", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"description", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 1000},
    {"force_detach_policies", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    /* Deprecated (tern_arg_deprecations[]); exclusive when set, not
     * managed (null in state, never read) when not. */
    {"inline_policy", TERN_TYPE_BLOCK_SET,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, inline_schema, 0},
    {"managed_policy_arns", TERN_TYPE_SET_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
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
    json_t *st = tern__role_json_keep(
        role, 1, json_object_get(base, "assume_role_policy"));
    json_t *all = NULL, *own = NULL;
    json_t *base_tags = json_object_get(base, "tags");
    int error = TERN_OK;

    TERN_CHECK_ALLOC(st);
    all = json_incref(json_object_get(st, "tags"));
    own = tern__tags_own(op, all);
    TERN_CHECK_ALLOC(own);
    if (json_object_set(st, "tags_all", all) ||
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
    return error;
}

/*
 * inline_policy and managed_policy_arns.
 *
 * Managed only when the configuration sets them: a state holding null
 * for one is never read for it (no call, no drift), one holding a value
 * (even an empty block or []) is read whole, from the bulk snapshot when
 * it has the role, else by ListRolePolicies and GetRolePolicy per policy,
 * or ListAttachedRolePolicies.
 */

/* Whether @p v (a state's or configuration's value) manages the set. */
static int managed(const json_t *v)
{
    return json_is_array(v);
}

/* The block named @p name of an inline_policy value, or NULL. */
static const json_t *block_named(const json_t *blocks, const char *name)
{
    size_t i;
    json_t *b;

    json_array_foreach(blocks, i, b)
    {
        const char *n = tern__str(b, "name");

        if (n && strcmp(n, name) == 0)
            return b;
    }
    return NULL;
}

/* The number of blocks with a name (an empty block names none). */
static size_t named_blocks(const json_t *blocks)
{
    size_t i, n = 0;
    json_t *b;

    json_array_foreach(blocks, i, b) n += tern__str(b, "name") != NULL;
    return n;
}

/* Whether @p have (read) means @p prior, in *@p same: the same names,
 * equivalent documents, an empty block the same as none. TERN_OK or
 * TERN_ENOMEM. */
static int inline_same(int *same, const json_t *prior, const json_t *have)
{
    size_t i;
    json_t *b;
    int error = TERN_OK;

    *same = named_blocks(prior) == json_array_size(have);
    json_array_foreach(have, i, b)
    {
        const json_t *p = block_named(prior, tern__str(b, "name"));

        if (!*same)
            break;
        *same = p != NULL;
        if (p && (error = tern__policy_equiv(same, json_object_get(p, "policy"),
                                             json_object_get(b, "policy"))))
            break;
    }
    return error;
}

static int set_has(const json_t *set, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(set, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}

/* Whether two string sets hold the same strings. */
static int set_same(const json_t *a, const json_t *b)
{
    size_t i;
    json_t *v;

    if (json_array_size(a) != json_array_size(b))
        return 0;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || !set_has(b, json_string_value(v)))
            return 0;
    }
    return 1;
}

/* Append {name, policy} to @p out, the policy's text kept from @p prior's
 * block of that name when equivalent. */
static int add_inline(json_t *out, const json_t *prior, const char *name,
                      const char *encoded)
{
    const json_t *p = block_named(prior, name);
    json_t *doc =
        tern__policy_keep(p ? json_object_get(p, "policy") : NULL, encoded);

    if (!doc)
        return TERN_ENOMEM;
    return json_array_append_new(
               out, json_pack("{s:s, s:o}", "name", name, "policy", doc))
               ? TERN_ENOMEM
               : TERN_OK;
}

/* The role's inline policies as an inline_policy value (new reference in
 * *out), @p prior's own value when it means the same. */
static int read_inline(json_t **out, tern_op *op, const char *role,
                       const tern_xml_node *detail, const json_t *prior)
{
    json_t *have = json_array();
    struct tern__names names;
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char *what = NULL;
    size_t i;
    int error = TERN_OK, same = 0;

    memset(&names, 0, sizeof(names));
    TERN_CHECK_ALLOC(have);
    if (detail) {
        const tern_xml_node *m = tern_xml_find(detail, "RolePolicyList/member");

        for (; m && !error; m = tern_xml_next(m)) {
            const char *n = tern_xml_text(m, "PolicyName");

            if (n)
                error = add_inline(have, prior, n,
                                   tern_xml_text(m, "PolicyDocument"));
        }
    } else {
        what = tern_asprintf("Cannot read the inline policies of IAM role '%s'",
                             role);
        TERN_CHECK_ALLOC(what);
        names.list = "PolicyNames";
        tern_aws_query_add(&b, "RoleName", role);
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call_paged(op, "ListRolePolicies", &b,
                                     tern__collect_page, &names, 0, what);
        for (i = 0; !error && i < names.n; i++) {
            tern_buf_clear(&b);
            tern_aws_query_add(&b, "RoleName", role);
            tern_aws_query_add(&b, "PolicyName", names.v[i]);
            if (tern_buf_oom(&b)) {
                error = TERN_ENOMEM;
                break;
            }
            tern_xml_free(root);
            root = NULL;
            error =
                tern__iam_call(op, "GetRolePolicy", &b, &root, 0, what, NULL);
            if (!error &&
                tern__iam_need(op, root, "GetRolePolicy", "GetRolePolicyResult",
                               tern__iam_role_policy_required, what,
                               &error) == NULL)
                break;
            if (!error)
                error = add_inline(
                    have, prior, names.v[i],
                    tern_xml_text(root, "GetRolePolicyResult/PolicyDocument"));
        }
    }
    if (error || (error = inline_same(&same, prior, have)))
        goto done;
    if (same) {
        json_decref(have);
        have = json_incref((json_t *)prior);
    }
    *out = have;
    have = NULL;
done:
    json_decref(have);
    tern_xml_free(root);
    tern__names_release(&names);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

/* The role's attached policy ARNs (new reference in *out), @p prior's own
 * value when it holds the same. */
static int read_managed(json_t **out, tern_op *op, const char *role,
                        const tern_xml_node *detail, const json_t *prior)
{
    json_t *have = json_array();
    struct tern__names names;
    tern_buf b = TERN_BUF_INIT;
    char *what = NULL;
    size_t i;
    int error = TERN_OK;

    memset(&names, 0, sizeof(names));
    TERN_CHECK_ALLOC(have);
    if (detail) {
        const tern_xml_node *m =
            tern_xml_find(detail, "AttachedManagedPolicies/member");

        for (; m; m = tern_xml_next(m)) {
            const char *arn = tern_xml_text(m, "PolicyArn");

            if (arn && json_array_append_new(have, json_string(arn))) {
                error = TERN_ENOMEM;
                goto done;
            }
        }
    } else {
        what = tern_asprintf("Cannot read the policies attached to IAM role "
                             "'%s'",
                             role);
        TERN_CHECK_ALLOC(what);
        names.list = "AttachedPolicies";
        names.field = "PolicyArn";
        tern_aws_query_add(&b, "RoleName", role);
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call_paged(op, "ListAttachedRolePolicies", &b,
                                     tern__collect_page, &names, 0, what);
        for (i = 0; !error && i < names.n; i++)
            if (json_array_append_new(have, json_string(names.v[i])))
                error = TERN_ENOMEM;
        if (error)
            goto done;
    }
    if (set_same(prior, have)) {
        json_decref(have);
        have = json_incref((json_t *)prior);
    }
    *out = have;
    have = NULL;
done:
    json_decref(have);
    tern__names_release(&names);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

/*
 * Fill @p st's inline_policy and managed_policy_arns: read when @p prior
 * manages them, null when it does not. @p detail: the role's RoleDetail
 * from a bulk snapshot, or NULL.
 */
static int read_sets(json_t *st, tern_op *op, const tern_xml_node *detail,
                     const json_t *prior)
{
    const json_t *pi = json_object_get(prior, "inline_policy");
    const json_t *pm = json_object_get(prior, "managed_policy_arns");
    const char *name = tern__str(st, "name");
    json_t *v = NULL;
    int error;

    if (!managed(pi))
        v = json_null();
    else if ((error = read_inline(&v, op, name, detail, pi)))
        return error;
    if (json_object_set_new(st, "inline_policy", v))
        return TERN_ENOMEM;
    if (!managed(pm))
        v = json_null();
    else if ((error = read_managed(&v, op, name, detail, pm)))
        return error;
    return json_object_set_new(st, "managed_policy_arns", v) ? TERN_ENOMEM
                                                             : TERN_OK;
}

/* One call on the role for @p member (@p param): PutRolePolicy also sends
 * @p doc. A role created a moment ago may be unknown yet: retried. */
static int role_member_call(tern_op *op, const char *action, const char *role,
                            const char *param, const char *member,
                            const char *doc, const char *what)
{
    tern_buf b = TERN_BUF_INIT;
    int error;

    tern_aws_query_add(&b, "RoleName", role);
    tern_aws_query_add(&b, param, member);
    if (doc)
        tern_aws_query_add(&b, "PolicyDocument", doc);
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return TERN_ENOMEM;
    }
    if (strncmp(action, "Delete", 6) == 0 ||
        strncmp(action, "Detach", 6) == 0) {
        error = tern__iam_call(op, action, &b, NULL, TERN__QUIET_NOTFOUND, what,
                               NULL);
        if (error == TERN_ENOTFOUND)
            error = TERN_OK; /* gone already */
    } else {
        error = tern__iam_call(op, action, &b, NULL, TERN__RETRY_NOSUCHENTITY,
                               what, NULL);
    }
    tern_buf_release(&b);
    return error;
}

/*
 * Bring the role's inline policies to @p want (an inline_policy value):
 * delete those it does not name (@p have: the names the role has, or
 * NULL on a role just created), put those not already in @p prior with
 * an equivalent document.
 */
static int sync_inline(tern_op *op, const char *role, const json_t *want,
                       const json_t *prior, const struct tern__names *have,
                       const char *what)
{
    size_t i;
    json_t *b;
    int error = TERN_OK;

    for (i = 0; have && !error && i < have->n; i++)
        if (!block_named(want, have->v[i]))
            error = role_member_call(op, "DeleteRolePolicy", role, "PolicyName",
                                     have->v[i], NULL, what);
    json_array_foreach(want, i, b)
    {
        const char *n = tern__str(b, "name"), *doc = tern__str(b, "policy");
        const json_t *p = block_named(prior, n ? n : "");
        int there = 0, same = 0;
        size_t k;

        if (error)
            break;
        if (!n || !doc)
            continue;
        for (k = 0; have && k < have->n; k++)
            there |= strcmp(have->v[k], n) == 0;
        if (there && p &&
            (error = tern__policy_equiv(&same, json_object_get(p, "policy"),
                                        json_object_get(b, "policy"))))
            break;
        if (there && p && same)
            continue;
        error = role_member_call(op, "PutRolePolicy", role, "PolicyName", n,
                                 doc, what);
    }
    return error;
}

/* Bring the role's attached policies to @p want: detach what is not in it,
 * attach what @p have (NULL: none) lacks. */
static int sync_managed(tern_op *op, const char *role, const json_t *want,
                        const struct tern__names *have, const char *what)
{
    size_t i;
    json_t *v;
    int error = TERN_OK;

    for (i = 0; have && !error && i < have->n; i++)
        if (!set_has(want, have->v[i]))
            error = role_member_call(op, "DetachRolePolicy", role, "PolicyArn",
                                     have->v[i], NULL, what);
    json_array_foreach(want, i, v)
    {
        size_t k;
        int there = 0;

        if (error)
            break;
        if (!json_is_string(v))
            continue;
        for (k = 0; have && k < have->n; k++)
            there |= strcmp(have->v[k], json_string_value(v)) == 0;
        if (!there)
            error = role_member_call(op, "AttachRolePolicy", role, "PolicyArn",
                                     json_string_value(v), NULL, what);
    }
    return error;
}

/* The names (@p field NULL) or ARNs a List action gives for the role. */
static int list_role(tern_op *op, const char *role, const char *action,
                     const char *list, const char *field,
                     struct tern__names *out, const char *what)
{
    tern_buf b = TERN_BUF_INIT;
    int error;

    memset(out, 0, sizeof(*out));
    out->list = list;
    out->field = field;
    tern_aws_query_add(&b, "RoleName", role);
    error = tern_buf_oom(&b)
                ? TERN_ENOMEM
                : tern__iam_call_paged(op, action, &b, tern__collect_page, out,
                                       0, what);
    tern_buf_release(&b);
    return error;
}

/*
 * Apply the configuration's inline_policy and managed_policy_arns, when
 * it sets them (exclusive: what the role has beyond them goes), and put
 * them in @p st as configured; a set the configuration does not manage
 * keeps @p prior's value (null on create). @p fresh: the role was just
 * created and holds nothing.
 */
static int apply_sets(json_t *st, tern_op *op, const char *role,
                      const json_t *prior, const json_t *desired, int fresh,
                      const char *what)
{
    const json_t *wi = json_object_get(desired, "inline_policy");
    const json_t *wm = json_object_get(desired, "managed_policy_arns");
    const json_t *pi = json_object_get(prior, "inline_policy");
    const json_t *pm = json_object_get(prior, "managed_policy_arns");
    struct tern__names have;
    int error = TERN_OK;

    memset(&have, 0, sizeof(have));
    /* No blocks at all: not managed (an empty block is one). */
    if (managed(wi) && json_array_size(wi) > 0) {
        if (fresh || !(managed(pi) && json_equal(pi, wi))) {
            if (!fresh)
                error = list_role(op, role, "ListRolePolicies", "PolicyNames",
                                  NULL, &have, what);
            if (!error)
                error = sync_inline(op, role, wi, fresh ? NULL : pi,
                                    fresh ? NULL : &have, what);
            tern__names_release(&have);
            if (error)
                return error;
        }
    } else {
        wi = managed(pi) ? pi : NULL;
    }
    if (managed(wm)) {
        if (fresh || !(managed(pm) && set_same(pm, wm))) {
            if (!fresh)
                error = list_role(op, role, "ListAttachedRolePolicies",
                                  "AttachedPolicies", "PolicyArn", &have, what);
            if (!error)
                error = sync_managed(op, role, wm, fresh ? NULL : &have, what);
            tern__names_release(&have);
            if (error)
                return error;
        }
    } else {
        wm = managed(pm) ? pm : NULL;
    }
    if (json_object_set_new(st, "inline_policy",
                            wi ? json_incref((json_t *)wi) : json_null()) ||
        json_object_set_new(st, "managed_policy_arns",
                            wm ? json_incref((json_t *)wm) : json_null()))
        return TERN_ENOMEM;
    return TERN_OK;
}

/* GetRole; TERN_ENOTFOUND quietly when @p quiet. */
/* What the IAM API model marks required in a Role. */
static const char *const role_required[] = {"Path", "RoleName",   "RoleId",
                                            "Arn",  "CreateDate", NULL};

static int get_role(json_t **out, tern_op *op, const char *name,
                    const json_t *base, int quiet)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const tern_xml_node *role;
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
    role = tern__iam_need(op, root, "GetRole", "GetRoleResult/Role",
                          role_required, what, &error);
    if (role == NULL)
        goto done;
    error = role_state(out, op, role, base);
    if (!error && (error = read_sets(*out, op, NULL, base))) {
        json_decref(*out);
        *out = NULL;
    }
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
    if ((error = read_sets(st, op, detail, prior))) {
        json_decref(st);
        return error;
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
    error = apply_sets(st, op, name, NULL, desired, 1, what);
    if (error)
        goto done;
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
    int error = TERN_OK, same = 0;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot update IAM role",
                          "The state has no name.");
    what = tern_asprintf("Cannot update IAM role '%s'", name);
    TERN_CHECK_ALLOC(what);

    if ((error = tern__policy_equiv(
             &same, json_object_get(prior, "assume_role_policy"),
             json_object_get(desired, "assume_role_policy"))))
        goto done;
    if (!same) {
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
    error = apply_sets(st, op, name, prior, desired, 0, what);
    if (error)
        goto done;
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
    int force = tern__bool(prior, "force_detach_policies", 0);
    char *what = NULL;
    int error = TERN_OK, listed;

    if (!name)
        name = tern__str(prior, "id");
    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot delete IAM role",
                          "The state has no name.");
    what = tern_asprintf("Cannot delete IAM role '%s'", name);
    TERN_CHECK_ALLOC(what);
    /* The refresh saw the role's profiles and tern has taken it out of
     * each since (a destroy): no list (aws_iam_bulk.c). */
    listed = !tern__iam_seen_role_free_of_profiles(op, name);
    if (listed)
        error = for_each(op, name, "ListInstanceProfilesForRole",
                         "InstanceProfiles", "InstanceProfileName",
                         "RemoveRoleFromInstanceProfile", "InstanceProfileName",
                         what);
    /* As the provider: force_detach_policies, or a role that manages
     * them, takes its policies off first. */
    if (!error && (force || json_array_size(json_object_get(
                                prior, "managed_policy_arns")) > 0))
        error =
            for_each(op, name, "ListAttachedRolePolicies", "AttachedPolicies",
                     "PolicyArn", "DetachRolePolicy", "PolicyArn", what);
    if (!error &&
        (force || named_blocks(json_object_get(prior, "inline_policy")) > 0))
        error = for_each(op, name, "ListRolePolicies", "PolicyNames", NULL,
                         "DeleteRolePolicy", "PolicyName", what);
    if (error)
        goto done;
    tern_aws_query_add(&b, "RoleName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (!listed) {
        struct tern_diags local = TERN_DIAGS_INIT, *saved = op->diags;

        op->diags = &local;
        error = tern__iam_call(op, "DeleteRole", &b, NULL, TERN__QUIET_NOTFOUND,
                               what, NULL);
        op->diags = saved;
        if (error != TERN_ECONFLICT) {
            tern_diags_move(saved, &local);
            goto done;
        }
        /* In a profile since the refresh, or something else still
         * propagating: list and remove as the provider does, then
         * wait out the rest. */
        tern_diags_release(&local);
        error = for_each(op, name, "ListInstanceProfilesForRole",
                         "InstanceProfiles", "InstanceProfileName",
                         "RemoveRoleFromInstanceProfile", "InstanceProfileName",
                         what);
        if (error)
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
