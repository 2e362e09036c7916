/*
 * The shared body of the *_exclusive IAM resources (iam_exclusive.h).
 *
 * Calls: the resource's list action, paged (read, import, and before a
 * change), its remove action for each member the configuration does not
 * name, its add action (where there is one) for each it names that the
 * role lacks.
 *
 * Quirks:
 * - In a bulk refresh (iam_bulk.h) read takes the set from the role's
 *   RoleDetail, whose lists are complete, without a call; a role not in
 *   the snapshot is listed.
 * - Removing what is already gone (NoSuchEntity) is success.
 * - An inline policy name the configuration gives and the role lacks
 *   cannot be made here (the provider sends PutRolePolicy without a
 *   document, which IAM refuses): the change is refused before any call,
 *   naming the policy, so nothing is removed by half.
 */
#include "iam_exclusive.h"

#include "iam_bulk.h"
#include "iam_common.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The set as state: sorted, as a read of the same set always gives. */
static json_t *state(const struct tern__excl *x, const char *role,
                     struct tern__names *names)
{
    json_t *set = json_array(), *st;
    size_t i;

    if (!set)
        return NULL;
    if (names->n > 1)
        qsort(names->v, names->n, sizeof(names->v[0]), cmp_str);
    for (i = 0; i < names->n; i++) {
        if (json_array_append_new(set, json_string(names->v[i]))) {
            json_decref(set);
            return NULL;
        }
    }
    st = json_object();
    if (!st || json_object_set_new(st, "id", json_string(role)) ||
        json_object_set_new(st, "role_name", json_string(role)) ||
        json_object_set_new(st, x->set_attr, set)) {
        json_decref(st);
        return NULL;
    }
    return st;
}

/* The role's members, from the snapshot when it holds the role, else
 * listed with tern__iam_call() @p flags; TERN_ENOTFOUND when the role is
 * gone. */
static int list_members(const struct tern__excl *x, tern_op *op,
                        const char *role, struct tern__names *names,
                        unsigned int flags)
{
    const tern_xml_node *detail = tern__iam_bulk_role(op->bulk, role);
    tern_buf b = TERN_BUF_INIT;
    char *what = NULL;
    int error = TERN_OK;

    memset(names, 0, sizeof(*names));
    names->list = x->list;
    names->field = x->field;
    if (detail) {
        const tern_xml_node *m = tern_xml_find(detail, x->bulk_list);

        for (; m; m = tern_xml_next(m)) {
            const char *s = tern_xml_text(m, x->bulk_field);
            char **v;

            if (!s)
                continue;
            v = tern_realloc(names->v, (names->n + 1) * sizeof(*v));
            if (!v)
                return TERN_ENOMEM;
            names->v = v;
            if (!(names->v[names->n] = tern_strdup(s)))
                return TERN_ENOMEM;
            names->n++;
        }
        return TERN_OK;
    }
    what =
        tern_asprintf("Cannot read the %s set of IAM role '%s'", x->noun, role);
    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "RoleName", role);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call_paged(op, x->list_action, &b, tern__collect_page,
                                 names, flags, what);
    if (!error && names->oom)
        error = TERN_ENOMEM;
done:
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

int tern__excl_read(const struct tern__excl *x, json_t **out, tern_op *op,
                    const json_t *prior)
{
    const char *role = tern__str(prior, "role_name");
    struct tern__names names;
    int error;

    if (!role)
        return tern__fail(op, TERN_EINVALID, "Cannot read IAM role",
                          "The state of %s has no role_name.",
                          op->address ? op->address : "the resource");
    error = list_members(x, op, role, &names, TERN__QUIET_NOTFOUND);
    if (!error) {
        *out = state(x, role, &names);
        if (!*out)
            error = TERN_ENOMEM;
    }
    tern__names_release(&names);
    return error;
}

static int has(const struct tern__names *names, const char *s)
{
    size_t i;

    for (i = 0; i < names->n; i++) {
        if (strcmp(names->v[i], s) == 0)
            return 1;
    }
    return 0;
}

static int in_set(const json_t *set, const char *s)
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

/* One add or remove call on the role. */
static int change(tern_op *op, const struct tern__excl *x, const char *action,
                  const char *role, const char *member, const char *what)
{
    tern_buf b = TERN_BUF_INIT;
    int error;

    tern_aws_query_add(&b, "RoleName", role);
    tern_aws_query_add(&b, x->param, member);
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return TERN_ENOMEM;
    }
    if (action == x->add_action)
        error = tern__iam_call(op, action, &b, NULL, TERN__RETRY_NOSUCHENTITY,
                               what, NULL);
    else
        error = tern__iam_call(op, action, &b, NULL, TERN__QUIET_NOTFOUND, what,
                               NULL);
    /* Removed already: what was wanted. */
    if (error == TERN_ENOTFOUND && action == x->remove_action)
        error = TERN_OK;
    tern_buf_release(&b);
    return error;
}

/* Create and update: bring the role's set to the configuration's. */
int tern__excl_create(const struct tern__excl *x, json_t **out, tern_op *op,
                      const json_t *desired)
{
    const char *role = tern__str(desired, "role_name");
    const json_t *want = json_object_get(desired, x->set_attr);
    struct tern__names have;
    char *what = NULL;
    size_t i;
    json_t *v;
    int error = TERN_OK;

    memset(&have, 0, sizeof(have));
    if (!role || !json_is_array(want))
        return tern__fail(op, TERN_EINVALID, "Cannot apply the exclusive set",
                          "role_name and %s are required.", x->set_attr);
    what = tern_asprintf("Cannot apply the %s set of IAM role '%s'", x->noun,
                         role);
    TERN_CHECK_ALLOC(what);
    /* A role created a moment ago may not be listed yet. */
    error = list_members(x, op, role, &have, TERN__RETRY_NOSUCHENTITY);
    if (error)
        goto done;
    json_array_foreach(want, i, v)
    {
        if (json_is_string(v) && !has(&have, json_string_value(v)) &&
            !x->add_action) {
            error = tern__fail(
                op, TERN_ENOTFOUND, what,
                "The role has no %s '%s'. This resource only removes the "
                "role's others; create it with aws_iam_role_policy.",
                x->noun, json_string_value(v));
            goto done;
        }
    }
    json_array_foreach(want, i, v)
    {
        if (json_is_string(v) && !has(&have, json_string_value(v)) &&
            (error = change(op, x, x->add_action, role, json_string_value(v),
                            what)))
            goto done;
    }
    for (i = 0; i < have.n; i++) {
        if (!in_set(want, have.v[i]) &&
            (error = change(op, x, x->remove_action, role, have.v[i], what)))
            goto done;
    }
    *out = json_pack("{s:s, s:s, s:O}", "id", role, "role_name", role,
                     x->set_attr, want);
    TERN_CHECK_ALLOC(*out);
done:
    tern__names_release(&have);
    tern_free(what);
    return error;
}

int tern__excl_import(const struct tern__excl *x, json_t **out, tern_op *op,
                      const char *id)
{
    struct tern__names names;
    int error = list_members(x, op, id, &names, 0);

    if (!error) {
        *out = state(x, id, &names);
        if (!*out)
            error = TERN_ENOMEM;
    }
    tern__names_release(&names);
    return error;
}
