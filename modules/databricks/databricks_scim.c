/*
 * The pair resources over SCIM (databricks_scim.h), as the provider's
 * aws/resource_group_instance_profile.go, aws/resource_user_instance_
 * profile.go and scim/resource_group_role.go make them:
 *
 * - id "<principal id>|<value>", both attributes required and ForceNew,
 *   import by that id (common.NewPairID: no "|" is "invalid ID: <id>",
 *   an empty part "<left|right> cannot be empty");
 * - create: PATCH {Groups|Users}/{id} with {"schemas": [PatchOp],
 *   "Operations": [{"op": "add", "path": "roles", "value": [{"value":
 *   V}]}]} (scim.PatchRequestWithValue);
 * - read: GET {Groups|Users}/{id}?attributes=roles; a principal without
 *   the value is gone (the provider's NotFound "Group has no role"), and so
 *   is a missing principal (SCIM 404);
 * - delete: PATCH with {"op": "remove", "path": "roles[value eq \"V\"]"};
 *   a principal already gone counts as deleted.
 *
 * The SCIM API answers errors in SCIM's shape; the client turns them into
 * SCIM_<status> (src/databricks/client.c). A 500 or a dropped connection
 * is retried (TERN__RETRY_TRANSIENT): a PATCH add is idempotent, so a
 * retry of one that was applied is harmless.
 */
#include "databricks_scim.h"
#include "../aws/iam_common.h"

#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

int tern__dbx_group_name_check(const char *value, char *why, size_t why_size)
{
    if (strcmp(value, "users") != 0 && strcmp(value, "admins") != 0)
        return 0;
    snprintf(why, why_size,
             "must not be \"users\" or \"admins\": the workspace's own "
             "groups cannot be managed (use data \"databricks_group\" to "
             "refer to them).");
    return 1;
}

char *tern__dbx_query(const char *prefix, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(prefix), len = n + strlen(s) * 3 + 1, i = n;
    char *out = tern_malloc(len);
    const unsigned char *p;

    if (!out)
        return NULL;
    memcpy(out, prefix, n);
    for (p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || strchr("-_.~", *p)) {
            out[i++] = (char)*p;
        } else {
            out[i++] = '%';
            out[i++] = hex[*p >> 4];
            out[i++] = hex[*p & 15];
        }
    }
    out[i] = '\0';
    return out;
}

int tern__scim_has_value(const json_t *obj, const char *attr, const char *value)
{
    const json_t *v;
    size_t i;

    json_array_foreach(json_object_get(obj, attr), i, v)
    {
        const char *s = json_string_value(json_object_get(v, "value"));

        if (s && value && strcmp(s, value) == 0)
            return 1;
    }
    return 0;
}

static json_t *pair_state(const struct tern__dbx_pair *p, const char *left,
                          const char *right)
{
    char *id = tern_asprintf("%s|%s", left, right);
    json_t *st = id ? json_pack("{s:s, s:s, s:s}", "id", id, p->left, left,
                                p->right, right)
                    : NULL;

    tern_free(id);
    return st;
}

static char *principal_path(const struct tern__dbx_pair *p, const char *id,
                            const char *query)
{
    char *enc = tern__dbx_query("", id);
    char *path = enc ? tern_asprintf(TERN__SCIM "%s/%s%s", p->collection, enc,
                                     query ? query : "")
                     : NULL;

    tern_free(enc);
    return path;
}

/* Look the pair up: TERN_OK with the state, TERN_ENOTFOUND (quietly unless
 * loud), or an error. */
static int find(const struct tern__dbx_pair *p, json_t **out, tern_op *op,
                const char *left, const char *right, int loud)
{
    char *path = principal_path(p, left, "?attributes=roles");
    char *what = tern_asprintf("Cannot read %s", p->type);
    json_t *obj = NULL;
    int error;

    TERN_CHECK_ALLOC(path);
    TERN_CHECK_ALLOC(what);
    error = tern__dbx_call(
        op, "GET", path, NULL, &obj,
        TERN__RETRY_TRANSIENT | (loud ? 0 : TERN__QUIET_NOTFOUND), what, NULL);
    if (error == TERN_OK && !tern__scim_has_value(obj, "roles", right)) {
        error =
            loud ? tern__fail(op, TERN_ENOTFOUND, what, "%s %s has no %s %s.",
                              strcmp(p->collection, "Groups") == 0 ? "Group"
                                                                   : "User",
                              left, p->noun, right)
                 : TERN_ENOTFOUND;
    }
    if (error == TERN_OK) {
        *out = pair_state(p, left, right);
        TERN_CHECK_ALLOC(*out);
    }
done:
    json_decref(obj);
    tern_free(path);
    tern_free(what);
    return error;
}

int tern__dbx_pair_read(const struct tern__dbx_pair *p, json_t **out,
                        tern_op *op, const json_t *prior)
{
    const char *left = tern__str(prior, p->left);
    const char *right = tern__str(prior, p->right);

    if (!left || !right)
        return tern__fail(op, TERN_EINVALID, "Cannot read resource",
                          "The state of %s has no %s or %s.", p->type, p->left,
                          p->right);
    return find(p, out, op, left, right, 0);
}

static int patch(const struct tern__dbx_pair *p, tern_op *op, const char *left,
                 const char *right, int add, const char *what)
{
    char *path = principal_path(p, left, NULL);
    char *value_path = NULL;
    json_t *body = NULL;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(path);
    if (add) {
        body = json_pack("{s:[s], s:[{s:s, s:s, s:[{s:s}]}]}", "schemas",
                         "urn:ietf:params:scim:api:messages:2.0:PatchOp",
                         "Operations", "op", "add", "path", "roles", "value",
                         "value", right);
    } else {
        value_path = tern_asprintf("roles[value eq \"%s\"]", right);
        TERN_CHECK_ALLOC(value_path);
        body = json_pack("{s:[s], s:[{s:s, s:s}]}", "schemas",
                         "urn:ietf:params:scim:api:messages:2.0:PatchOp",
                         "Operations", "op", "remove", "path", value_path);
    }
    TERN_CHECK_ALLOC(body);
    error = tern__dbx_call(
        op, "PATCH", path, body, NULL,
        TERN__RETRY_TRANSIENT | (add ? 0 : TERN__QUIET_NOTFOUND), what, NULL);
done:
    json_decref(body);
    tern_free(path);
    tern_free(value_path);
    return error;
}

int tern__dbx_pair_create(const struct tern__dbx_pair *p, json_t **out,
                          tern_op *op, const json_t *desired)
{
    const char *left = tern__str(desired, p->left);
    const char *right = tern__str(desired, p->right);
    char *what;
    int error;

    if (!left || !right)
        return tern__fail(op, TERN_EINVALID, "Cannot create resource",
                          "%s needs %s and %s.", p->type, p->left, p->right);
    what =
        tern_asprintf("Cannot give %s %s the %s %s",
                      strcmp(p->collection, "Groups") == 0 ? "group" : "user",
                      left, p->noun, right);
    if (!what)
        return TERN_ENOMEM;
    error = patch(p, op, left, right, 1, what);
    tern_free(what);
    if (error)
        return error;
    *out = pair_state(p, left, right);
    return *out ? TERN_OK : TERN_ENOMEM;
}

int tern__dbx_pair_delete(const struct tern__dbx_pair *p, tern_op *op,
                          const json_t *prior)
{
    const char *left = tern__str(prior, p->left);
    const char *right = tern__str(prior, p->right);
    char *what;
    int error;

    if (!left || !right)
        return tern__fail(op, TERN_EINVALID, "Cannot delete resource",
                          "The state of %s has no %s or %s.", p->type, p->left,
                          p->right);
    what = tern_asprintf(
        "Cannot take the %s %s from %s %s", p->noun, right,
        strcmp(p->collection, "Groups") == 0 ? "group" : "user", left);
    if (!what)
        return TERN_ENOMEM;
    error = patch(p, op, left, right, 0, what);
    tern_free(what);
    return error == TERN_ENOTFOUND ? TERN_OK : error;
}

int tern__dbx_pair_import(const struct tern__dbx_pair *p, json_t **out,
                          tern_op *op, const char *id)
{
    const char *bar = strchr(id, '|');
    char *left;
    int error;

    /* common/pair.go's Unpack, its three messages word for word (upstream
     * says them on a read too; the importer is the only place tern can
     * meet such an ID). */
    if (!bar)
        return tern__fail(op, TERN_EINVALID, "Cannot import resource",
                          "invalid ID: %s", id);
    if (bar == id || bar[1] == '\0')
        return tern__fail(op, TERN_EINVALID, "Cannot import resource",
                          "%s cannot be empty", bar == id ? p->left : p->right);
    left = tern_strndup(id, (size_t)(bar - id));
    if (!left)
        return TERN_ENOMEM;
    error = find(p, out, op, left, bar + 1, 1);
    tern_free(left);
    return error;
}
