/*
 * aws_iam_instance_profile: an IAM instance profile and its one role.
 *
 * Calls: CreateInstanceProfile and AddRoleToInstanceProfile (create);
 * GetInstanceProfile (read, import, lookup); RemoveRoleFromInstanceProfile
 * and AddRoleToInstanceProfile (a new role, in place); TagInstanceProfile /
 * UntagInstanceProfile; RemoveRoleFromInstanceProfile and
 * DeleteInstanceProfile, with GetInstanceProfile only when IAM says the
 * profile still holds a role (delete).
 *
 * Quirks:
 * - A profile holds at most one role, and adding the same role again is
 *   LimitExceeded: a new role is "remove the old, add the new".
 * - Right after CreateInstanceProfile (or CreateRole), AddRoleToInstance-
 *   Profile may answer NoSuchEntity until IAM has propagated the new
 *   object: retried (bounded, see iam_common.h).
 * - DeleteInstanceProfile is DeleteConflict while a role is in it:
 *   delete removes the role the state names (as the provider does, no
 *   read: the plan has just refreshed it), and only when the profile
 *   still holds one (put in since, or a removal still propagating) reads
 *   the profile, removes whatever role IAM reports and retries.
 * - The profile's state is built from CreateInstanceProfile's answer: two
 *   calls per profile with a role, no read back.
 * - In a bulk refresh (iam_bulk.h) read finds a profile that holds a role
 *   in that role's InstanceProfileList without a call; one without a role
 *   is not in the snapshot and is read with GetInstanceProfile.
 * - IAM refuses a name over 128 characters only at CreateInstanceProfile:
 *   the schema says so (max_items), and validate and plan report it with
 *   the range, as the provider's validation does (name_prefix: 102).
 * - The provider also allows only [\w+=,.@-] in name and name_prefix:
 *   tern_arg_checks[] (registry.c) has validate and plan report it at the
 *   range; create checks it again before CreateInstanceProfile.
 */
#include "iam_bulk.h"
#include "iam_common.h"

#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

static const tern_attr schema[] = {
    {"arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"create_date", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    /* The provider's limits: IAM's 128 characters, and the prefix leaves
     * room for the 26 characters of the unique suffix (iam_common.h). */
    {"name", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     128},
    {"name_prefix", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     102},
    /* Default "/" (tern_arg_defaults[]). */
    {"path", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"role", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"tags_all", TERN_TYPE_MAP_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"unique_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* The state from IAM's <InstanceProfile>, with what IAM does not say
 * taken from @p base (state or configuration). */
static json_t *profile_state(tern_op *op, const tern_xml_node *p,
                             const json_t *base)
{
    json_t *all = tern__xml_tags(tern_xml_child(p, "Tags"));
    json_t *own = all ? tern__tags_own(op, all) : NULL;
    json_t *base_tags = json_object_get(base, "tags");
    json_t *st = NULL;

    if (!own)
        goto done;
    st = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:O, s:O, s:o}", "arn",
        tern__jstr(tern_xml_text(p, "Arn")), "create_date",
        tern__jstr(tern_xml_text(p, "CreateDate")), "id",
        tern__jstr(tern_xml_text(p, "InstanceProfileName")), "name",
        tern__jstr(tern_xml_text(p, "InstanceProfileName")), "name_prefix",
        tern__jstr(tern__str(base, "name_prefix")), "path",
        tern__jstr(tern_xml_text(p, "Path")), "role",
        tern__jstr(tern_xml_text(p, "Roles/member/RoleName")), "tags",
        json_object_size(own) == 0 && (!base_tags || json_is_null(base_tags))
            ? json_null()
            : own,
        "tags_all", all, "unique_id",
        tern__jstr(tern_xml_text(p, "InstanceProfileId")));
done:
    json_decref(all);
    json_decref(own);
    return st;
}

static int role_call(tern_op *op, const char *action, const char *profile,
                     const char *role, unsigned int flags, const char *what)
{
    tern_buf b = TERN_BUF_INIT;
    int error;

    tern_aws_query_add(&b, "InstanceProfileName", profile);
    tern_aws_query_add(&b, "RoleName", role);
    error = tern_buf_oom(&b)
                ? TERN_ENOMEM
                : tern__iam_call(op, action, &b, NULL, flags, what, NULL);
    tern_buf_release(&b);
    /* Not in the profile any more (or never was): what a destroy's role
     * delete wants to know. */
    if (strcmp(action, "RemoveRoleFromInstanceProfile") == 0 &&
        (error == TERN_OK || error == TERN_ENOTFOUND))
        tern__iam_seen_removed(op, profile, role);
    return error;
}

static int profile_create(json_t **out, tern_op *op, const json_t *desired)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    json_t *all = NULL, *st = NULL;
    char *name = tern__resource_name(desired);
    char *what = NULL;
    const char *role = tern__str(desired, "role");
    int error = TERN_OK;

    TERN_CHECK_ALLOC(name);
    if ((error = tern__iam_check_name_arg(
             op, desired, "name", "Invalid IAM instance profile name")) ||
        (error = tern__iam_check_name_arg(op, desired, "name_prefix",
                                          "Invalid IAM instance profile name")))
        goto done;
    what = tern_asprintf("Cannot create IAM instance profile '%s'", name);
    TERN_CHECK_ALLOC(what);
    all = tern__tags_all(op, json_object_get(desired, "tags"));
    TERN_CHECK_ALLOC(all);
    tern_aws_query_add(&b, "InstanceProfileName", name);
    if (tern__str(desired, "path"))
        tern_aws_query_add(&b, "Path", tern__str(desired, "path"));
    tern__query_add_tags(&b, "Tags", all);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error =
        tern__iam_call(op, "CreateInstanceProfile", &b, &root, 0, what, name);
    if (error)
        goto done;
    st = profile_state(
        op, tern_xml_find(root, "CreateInstanceProfileResult/InstanceProfile"),
        desired);
    TERN_CHECK_ALLOC(st);
    if (role) {
        tern_free(what);
        what = tern_asprintf("Cannot add IAM role '%s' to instance profile "
                             "'%s'",
                             role, name);
        TERN_CHECK_ALLOC(what);
        error = role_call(op, "AddRoleToInstanceProfile", name, role,
                          TERN__RETRY_NOSUCHENTITY, what);
        /* The profile exists: hand it back, so the engine keeps it in
         * state (tainted) instead of orphaning it. */
        if (error) {
            if (json_object_set_new(st, "role", json_null()) != 0) {
                error = TERN_ENOMEM;
                goto done;
            }
            *out = st;
            st = NULL;
            goto done;
        }
    }
    if (json_object_set_new(st, "role", tern__jstr(role)) ||
        json_object_set(st, "tags_all", all) ||
        json_object_set_new(st, "tags",
                            json_incref(json_object_get(desired, "tags")
                                            ? json_object_get(desired, "tags")
                                            : json_null()))) {
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
    return error;
}

static int get(json_t **out, tern_op *op, const char *name, const json_t *base,
               int quiet, tern_xml_node **raw)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char *what = tern_asprintf("Cannot read IAM instance profile '%s'", name);
    int error = TERN_OK;

    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "InstanceProfileName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "GetInstanceProfile", &b, &root,
                           quiet ? TERN__QUIET_NOTFOUND : 0, what, NULL);
    if (error)
        goto done;
    if (tern__iam_need(op, root, "GetInstanceProfile",
                       "GetInstanceProfileResult/InstanceProfile",
                       tern__iam_profile_required, what, &error) == NULL)
        goto done;
    if (out) {
        *out = profile_state(
            op, tern_xml_find(root, "GetInstanceProfileResult/InstanceProfile"),
            base);
        TERN_CHECK_ALLOC(*out);
    }
    if (raw) {
        *raw = root;
        root = NULL;
    }
done:
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static const char *state_name(const json_t *st)
{
    const char *name = tern__str(st, "name");

    return name ? name : tern__str(st, "id");
}

static int profile_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *name = state_name(prior);
    const tern_xml_node *p;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot read instance profile",
                          "The state has no name.");
    p = tern__iam_bulk_profile(op->bulk, name);
    if (p) {
        *out = profile_state(op, p, prior);
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    return get(out, op, name, prior, 1, NULL);
}

static int profile_update(json_t **out, tern_op *op, const json_t *prior,
                          const json_t *desired)
{
    const char *name = state_name(prior);
    const char *old_role = tern__str(prior, "role");
    const char *new_role = tern__str(desired, "role");
    json_t *old_all = NULL, *new_all = NULL, *st = NULL;
    char *what = NULL;
    int error = TERN_OK;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot update instance profile",
                          "The state has no name.");
    what = tern_asprintf("Cannot update IAM instance profile '%s'", name);
    TERN_CHECK_ALLOC(what);
    if ((old_role == NULL) != (new_role == NULL) ||
        (old_role && strcmp(old_role, new_role) != 0)) {
        if (old_role) {
            error = role_call(op, "RemoveRoleFromInstanceProfile", name,
                              old_role, TERN__QUIET_NOTFOUND, what);
            if (error && error != TERN_ENOTFOUND)
                goto done;
        }
        if (new_role) {
            error = role_call(op, "AddRoleToInstanceProfile", name, new_role,
                              TERN__RETRY_NOSUCHENTITY, what);
            if (error)
                goto done;
        }
    }
    old_all = json_is_object(json_object_get(prior, "tags_all"))
                  ? json_incref(json_object_get(prior, "tags_all"))
                  : tern__tags_all(op, json_object_get(prior, "tags"));
    new_all = tern__tags_all(op, json_object_get(desired, "tags"));
    TERN_CHECK_ALLOC(old_all);
    TERN_CHECK_ALLOC(new_all);
    error =
        tern__update_tags(op, "TagInstanceProfile", "UntagInstanceProfile",
                          "InstanceProfileName", name, old_all, new_all, what);
    if (error)
        goto done;
    st = json_deep_copy(prior);
    TERN_CHECK_ALLOC(st);
    if (json_object_set_new(st, "role", tern__jstr(new_role)) ||
        json_object_set_new(st, "tags",
                            json_incref(json_object_get(desired, "tags")
                                            ? json_object_get(desired, "tags")
                                            : json_null())) ||
        json_object_set(st, "tags_all", new_all)) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = st;
    st = NULL;
done:
    json_decref(old_all);
    json_decref(new_all);
    json_decref(st);
    tern_free(what);
    return error;
}

static int profile_delete(tern_op *op, const json_t *prior)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const tern_xml_node *m;
    const char *name = state_name(prior), *role = tern__str(prior, "role");
    char *what = NULL;
    int error = TERN_OK;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot delete instance profile",
                          "The state has no name.");
    what = tern_asprintf("Cannot delete IAM instance profile '%s'", name);
    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "InstanceProfileName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (role) {
        struct tern_diags local = TERN_DIAGS_INIT, *saved = op->diags;

        /* As the provider does: the role the state names (refreshed by
         * the plan a moment ago) comes out, then the profile goes, with
         * no read. */
        error = role_call(op, "RemoveRoleFromInstanceProfile", name, role,
                          TERN__QUIET_NOTFOUND, what);
        if (error && error != TERN_ENOTFOUND)
            goto done;
        op->diags = &local;
        error = tern__iam_call(op, "DeleteInstanceProfile", &b, NULL,
                               TERN__QUIET_NOTFOUND, what, NULL);
        op->diags = saved;
        if (error != TERN_ECONFLICT) {
            tern_diags_move(saved, &local);
            goto done;
        }
        /* Still holds a role: one put in since the refresh, or the
         * removal not yet propagated. Read it and go the long way. */
        tern_diags_release(&local);
    }
    error = get(NULL, op, name, NULL, 1, &root);
    if (error)
        goto done;
    m = tern_xml_find(root,
                      "GetInstanceProfileResult/InstanceProfile/Roles/member");
    for (; m; m = tern_xml_next(m)) {
        const char *held = tern_xml_text(m, "RoleName");

        if (!held)
            continue;
        error = role_call(op, "RemoveRoleFromInstanceProfile", name, held,
                          TERN__QUIET_NOTFOUND, what);
        if (error && error != TERN_ENOTFOUND)
            goto done;
    }
    error =
        tern__iam_call(op, "DeleteInstanceProfile", &b, NULL,
                       TERN__RETRY_CONFLICT | TERN__QUIET_NOTFOUND, what, NULL);
done:
    if (error == TERN_ENOTFOUND)
        error = TERN_OK;
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int profile_import(json_t **out, tern_op *op, const char *id)
{
    return get(out, op, id, NULL, 0, NULL);
}

static int profile_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "name");

    if (!name)
        return TERN_ENOTFOUND;
    return get(out, op, name, desired, 1, NULL);
}

const tern_module tern_module_aws_iam_instance_profile = {
    TERN_MODULE_VERSION,
    "aws_iam_instance_profile",
    TERN_MODULE_RESOURCE,
    "aws",
    schema,
    profile_read,
    profile_create,
    profile_update,
    profile_delete,
    profile_import,
    profile_lookup};
