/*
 * tern-sim's Databricks SCIM 2.0 API (workspace level), under
 * /api/2.0/preview/scim/v2/:
 *
 *   GET    Groups[?filter=displayName eq "x"]  -> ListResponse
 *   POST   Groups {displayName, members?, roles?, entitlements?,
 *                  externalId?}                -> 201 the group
 *   GET    Groups/{id}                         -> the group
 *   PATCH  Groups/{id} PatchOp                 -> 204
 *   PUT    Groups/{id} group                   -> 200 the group
 *   DELETE Groups/{id}                         -> 204
 *   Users, Users/{id}: the same, with userName (filter userName eq "x")
 *   GET    Me                                  -> the caller's user
 *
 * A group: {"schemas": [...Group], "id", "displayName", "members":
 * [{"value", "display", "$ref": "Users/<id>" | "Groups/<id>"}], "groups":
 * [{"value", "display", "$ref": "Groups/<id>", "type": "direct"}] (the
 * groups it is a member of), "roles": [{"value": "<instance profile
 * ARN>"}], "entitlements": [{"value": "allow-cluster-create"}], "externalId"?}.
 * A user likewise with userName, displayName, active, emails, groups,
 * roles and entitlements. Empty lists are omitted, as the API does.
 * A list: {"schemas": [...ListResponse], "totalResults", "startIndex": 1,
 * "itemsPerPage", "Resources": [...]} (no Resources when none match).
 *
 * PatchOp: {"schemas": [...PatchOp], "Operations": [{"op": "add" |
 * "remove" | "replace", "path": "roles" | "entitlements" | "members" |
 * "roles[value eq \"x\"]" | ..., "value": [{"value": "x"}]}]}; without a
 * path, "value" is an object of attributes (displayName, externalId).
 *
 * Rules: a role (an instance profile ARN) must be registered with the
 * workspace (databricks.c) before a group or user gets it (400
 * invalidValue); displayName and userName are unique (409 uniqueness); the
 * built-in groups "admins" and "users" and the caller's user exist from the
 * start and after a reset, the caller in both.
 *
 * Errors have SCIM's shape (RFC 7644 section 3.12), as Databricks sends
 * them: {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
 * "detail": "...", "status": "404", "scimType"?}. The Databricks SDKs turn
 * them into error code "SCIM_<status>" with the detail as the message.
 * The details' wording is not documented; a missing group reads "Group
 * with id <id> not found." as workspaces answer it in the provider's issue
 * reports, the rest follows that style.
 *
 * Dump and load (under "databricks"): {"groups": [group, ...], "users":
 * [user, ...], "me": "<userName>"}; loaded entries may omit ids (one is
 * made) and name members by id.
 */
#include "sim.h"
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SCIM_PREFIX  "/api/2.0/preview/scim/v2/"
#define SCHEMA_GROUP "urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCHEMA_USER  "urn:ietf:params:scim:schemas:core:2.0:User"
#define SCHEMA_LIST  "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCHEMA_ERROR "urn:ietf:params:scim:api:messages:2.0:Error"

struct sim_dbx_scim {
    struct sim *sim;
    json_t *groups; /* stored: id, displayName, members, roles,
                       entitlements, externalId? */
    json_t *users;  /* stored: id, userName, displayName, active, roles,
                       entitlements */
    char *me;       /* the caller's user id */
    unsigned long next_id;
};

static void new_id(struct sim_dbx_scim *s, char *out, size_t len)
{
    s->next_id++;
    snprintf(out, len, "%lu", 7000000000000000UL + s->next_id * 1031UL);
}

static json_t *find_by(json_t *list, const char *key, const char *value,
                       size_t *index)
{
    json_t *o;
    size_t i;

    json_array_foreach(list, i, o)
    {
        const char *v = json_string_value(json_object_get(o, key));

        if (v && value && strcmp(v, value) == 0) {
            if (index)
                *index = i;
            return o;
        }
    }
    return NULL;
}

static json_t *stored_group(struct sim_dbx_scim *s, const char *id,
                            const char *name)
{
    char buf[32];

    if (!id) {
        new_id(s, buf, sizeof(buf));
        id = buf;
    }
    return json_pack("{s:s, s:s, s:[], s:[], s:[]}", "id", id, "displayName",
                     name, "members", "roles", "entitlements");
}

static json_t *stored_user(struct sim_dbx_scim *s, const char *id,
                           const char *user_name)
{
    char buf[32];

    if (!id) {
        new_id(s, buf, sizeof(buf));
        id = buf;
    }
    return json_pack("{s:s, s:s, s:s, s:b, s:[], s:[]}", "id", id, "userName",
                     user_name, "displayName", user_name, "active", 1, "roles",
                     "entitlements");
}

static void defaults(struct sim_dbx_scim *s)
{
    json_t *admins, *users, *me;

    s->groups = json_array();
    s->users = json_array();
    me = stored_user(s, NULL, SIM_DBX_DEFAULT_USER);
    admins = stored_group(s, NULL, "admins");
    users = stored_group(s, NULL, "users");
    json_array_append_new(json_object_get(admins, "entitlements"),
                          json_pack("{s:s}", "value", "allow-cluster-create"));
    json_array_append_new(json_object_get(users, "entitlements"),
                          json_pack("{s:s}", "value", "workspace-access"));
    json_array_append_new(json_object_get(users, "entitlements"),
                          json_pack("{s:s}", "value", "databricks-sql-access"));
    json_array_append_new(
        json_object_get(admins, "members"),
        json_pack("{s:s}", "value",
                  json_string_value(json_object_get(me, "id"))));
    json_array_append_new(
        json_object_get(users, "members"),
        json_pack("{s:s}", "value",
                  json_string_value(json_object_get(me, "id"))));
    s->me = tern_strdup(json_string_value(json_object_get(me, "id")));
    json_array_append_new(s->users, me);
    json_array_append_new(s->groups, admins);
    json_array_append_new(s->groups, users);
}

struct sim_dbx_scim *sim_dbx_scim_new(struct sim *sim)
{
    struct sim_dbx_scim *s = tern_calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->sim = sim;
    defaults(s);
    return s;
}

void sim_dbx_scim_reset(struct sim_dbx_scim *s)
{
    if (!s)
        return;
    json_decref(s->groups);
    json_decref(s->users);
    tern_free(s->me);
    s->next_id = 0;
    defaults(s);
}

void sim_dbx_scim_free(struct sim_dbx_scim *s)
{
    if (!s)
        return;
    json_decref(s->groups);
    json_decref(s->users);
    tern_free(s->me);
    tern_free(s);
}

static void scim_error(struct sim_resp *resp, int status, const char *type,
                       const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void scim_error(struct sim_resp *resp, int status, const char *type,
                       const char *fmt, ...)
{
    char msg[1024], st[8];
    va_list ap;
    json_t *e;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(st, sizeof(st), "%d", status);
    e = json_pack("{s:[s], s:s, s:s}", "schemas", SCHEMA_ERROR, "detail", msg,
                  "status", st);
    if (type)
        json_object_set_new(e, "scimType", json_string(type));
    sim_resp_json(resp, status, e);
    snprintf(resp->error_code, sizeof(resp->error_code), "SCIM_%d", status);
}

/* The display name of a member id: a user's userName or a group's name. */
static json_t *member_ref(struct sim_dbx_scim *s, const char *id)
{
    json_t *o;

    if ((o = find_by(s->users, "id", id, NULL))) {
        char ref[64];

        snprintf(ref, sizeof(ref), "Users/%s", id);
        return json_pack("{s:s, s:s, s:s}", "value", id, "display",
                         json_string_value(json_object_get(o, "userName")),
                         "$ref", ref);
    }
    if ((o = find_by(s->groups, "id", id, NULL))) {
        char ref[64];

        snprintf(ref, sizeof(ref), "Groups/%s", id);
        return json_pack("{s:s, s:s, s:s}", "value", id, "display",
                         json_string_value(json_object_get(o, "displayName")),
                         "$ref", ref);
    }
    return json_pack("{s:s}", "value", id);
}

/* The groups that hold id as a direct member. */
static json_t *parents(struct sim_dbx_scim *s, const char *id)
{
    json_t *out = json_array(), *g;
    size_t i;

    json_array_foreach(s->groups, i, g)
    {
        if (find_by(json_object_get(g, "members"), "value", id, NULL)) {
            char ref[64];
            const char *gid = json_string_value(json_object_get(g, "id"));

            snprintf(ref, sizeof(ref), "Groups/%s", gid);
            json_array_append_new(
                out,
                json_pack("{s:s, s:s, s:s, s:s}", "value", gid, "display",
                          json_string_value(json_object_get(g, "displayName")),
                          "$ref", ref, "type", "direct"));
        }
    }
    return out;
}

static void set_list(json_t *o, const char *key, json_t *list)
{
    if (json_array_size(list))
        json_object_set_new(o, key, list);
    else
        json_decref(list);
}

static json_t *values_copy(const json_t *list)
{
    return json_deep_copy(list);
}

static json_t *render_group(struct sim_dbx_scim *s, const json_t *g)
{
    const char *id = json_string_value(json_object_get(g, "id"));
    json_t *o = json_pack("{s:[s], s:s, s:s, s:{s:s}}", "schemas", SCHEMA_GROUP,
                          "id", id, "displayName",
                          json_string_value(json_object_get(g, "displayName")),
                          "meta", "resourceType", "WorkspaceGroup");
    json_t *members = json_array(), *m;
    size_t i;

    json_array_foreach(json_object_get(g, "members"), i, m)
        json_array_append_new(
            members,
            member_ref(s, json_string_value(json_object_get(m, "value"))));
    set_list(o, "members", members);
    set_list(o, "groups", parents(s, id));
    set_list(o, "roles", values_copy(json_object_get(g, "roles")));
    set_list(o, "entitlements",
             values_copy(json_object_get(g, "entitlements")));
    if (json_object_get(g, "externalId"))
        json_object_set(o, "externalId", json_object_get(g, "externalId"));
    return o;
}

static json_t *render_user(struct sim_dbx_scim *s, const json_t *u)
{
    const char *id = json_string_value(json_object_get(u, "id"));
    const char *name = json_string_value(json_object_get(u, "userName"));
    json_t *o =
        json_pack("{s:[s], s:s, s:s, s:s, s:O, s:[{s:s, s:s, s:b}]}", "schemas",
                  SCHEMA_USER, "id", id, "userName", name, "displayName",
                  json_string_value(json_object_get(u, "displayName")),
                  "active", json_object_get(u, "active"), "emails", "type",
                  "work", "value", name, "primary", 1);

    set_list(o, "groups", parents(s, id));
    set_list(o, "roles", values_copy(json_object_get(u, "roles")));
    set_list(o, "entitlements",
             values_copy(json_object_get(u, "entitlements")));
    if (json_object_get(u, "externalId"))
        json_object_set(o, "externalId", json_object_get(u, "externalId"));
    return o;
}

static const char *const entitlement_names[] = {
    "allow-cluster-create", "allow-instance-pool-create",
    "databricks-sql-access", "workspace-access", NULL};

/*
 * Check a list of complex values for attribute attr ("roles",
 * "entitlements", "members"); 0, or -1 with resp filled.
 */
static int check_values(struct sim_dbx_scim *s, struct sim_dbx *dbx,
                        const char *attr, const json_t *values,
                        struct sim_resp *resp)
{
    const json_t *v;
    size_t i, k;

    if (!json_is_array(values)) {
        scim_error(resp, 400, "invalidValue",
                   "Value for '%s' must be an array of complex values", attr);
        return -1;
    }
    json_array_foreach(values, i, v)
    {
        const char *value = json_string_value(json_object_get(v, "value"));

        if (!value) {
            scim_error(resp, 400, "invalidValue",
                       "Complex value in '%s' has no 'value'", attr);
            return -1;
        }
        if (strcmp(attr, "roles") == 0 &&
            !sim_dbx_profile_registered(dbx, value)) {
            scim_error(resp, 400, "invalidValue",
                       "Instance profile %s is not registered with this "
                       "workspace. Add it to the workspace before "
                       "assigning it.",
                       value);
            return -1;
        }
        if (strcmp(attr, "entitlements") == 0 && *value) {
            for (k = 0; entitlement_names[k]; k++) {
                if (strcmp(entitlement_names[k], value) == 0)
                    break;
            }
            if (!entitlement_names[k]) {
                scim_error(resp, 400, "invalidValue", "Unknown entitlement: %s",
                           value);
                return -1;
            }
        }
        if (strcmp(attr, "members") == 0 &&
            !find_by(s->users, "id", value, NULL) &&
            !find_by(s->groups, "id", value, NULL)) {
            scim_error(resp, 404, NULL, "Principal with id %s not found.",
                       value);
            return -1;
        }
    }
    return 0;
}

/* Add values to list, skipping those already there. */
static void add_values(json_t *list, const json_t *values)
{
    const json_t *v;
    size_t i;

    json_array_foreach(values, i, v)
    {
        const char *value = json_string_value(json_object_get(v, "value"));

        /* {"value": ""} is what the provider sends for "none". */
        if (value && *value && !find_by(list, "value", value, NULL))
            json_array_append_new(list, json_pack("{s:s}", "value", value));
    }
}

/* Parse `attr[value eq "x"]` (or 'x'); returns 1 with attr and value. */
static int parse_value_path(const char *path, char *attr, size_t alen,
                            char *value, size_t vlen)
{
    const char *br = strchr(path, '['), *q, *end;
    char quote;

    if (!br || (size_t)(br - path) >= alen)
        return 0;
    memcpy(attr, path, (size_t)(br - path));
    attr[br - path] = '\0';
    q = br + 1;
    while (*q == ' ')
        q++;
    if (strncmp(q, "value eq ", 9) != 0)
        return 0;
    q += 9;
    quote = *q;
    if (quote != '"' && quote != '\'')
        return 0;
    end = strchr(q + 1, quote);
    if (!end || end[1] != ']' || end[2] != '\0' ||
        (size_t)(end - q - 1) >= vlen)
        return 0;
    memcpy(value, q + 1, (size_t)(end - q - 1));
    value[end - q - 1] = '\0';
    return 1;
}

static int list_attr(const char *attr, int group)
{
    return strcmp(attr, "roles") == 0 || strcmp(attr, "entitlements") == 0 ||
           (group && strcmp(attr, "members") == 0);
}

/* Apply a PatchOp to a stored group or user; 0, or -1 with resp filled. */
static int apply_patch(struct sim_dbx_scim *s, struct sim_dbx *dbx, json_t *obj,
                       int group, const json_t *body, struct sim_resp *resp)
{
    const json_t *ops = json_object_get(body, "Operations"), *op;
    json_t *work = json_deep_copy(obj);
    size_t i;

    if (!json_is_array(ops) || json_array_size(ops) == 0) {
        json_decref(work);
        scim_error(resp, 400, "invalidSyntax",
                   "Request must contain a non-empty 'Operations' array");
        return -1;
    }
    json_array_foreach(ops, i, op)
    {
        const char *o = json_string_value(json_object_get(op, "op"));
        const char *path = json_string_value(json_object_get(op, "path"));
        const json_t *value = json_object_get(op, "value");
        char attr[32], val[512];

        if (!o || (strcasecmp(o, "add") != 0 && strcasecmp(o, "remove") != 0 &&
                   strcasecmp(o, "replace") != 0)) {
            scim_error(resp, 400, "invalidSyntax", "Unsupported op: %s",
                       o ? o : "(none)");
            goto fail;
        }
        if (!path) {
            const char *key;
            json_t *v;

            if (strcasecmp(o, "remove") == 0 || !json_is_object(value)) {
                scim_error(resp, 400, "noTarget",
                           "Operation without a path needs an object value");
                goto fail;
            }
            json_object_foreach((json_t *)value, key, v)
            {
                /* What a PUT carries but cannot set. */
                if (strcmp(key, "schemas") == 0 || strcmp(key, "id") == 0 ||
                    strcmp(key, "meta") == 0 || strcmp(key, "groups") == 0 ||
                    strcmp(key, "emails") == 0 || strcmp(key, "name") == 0)
                    continue;
                if (strcmp(key, group ? "displayName" : "userName") == 0 ||
                    strcmp(key, "displayName") == 0 ||
                    strcmp(key, "externalId") == 0 ||
                    (!group && strcmp(key, "active") == 0)) {
                    json_object_set(work, key, v);
                } else if (list_attr(key, group)) {
                    if (check_values(s, dbx, key, v, resp) < 0)
                        goto fail;
                    if (strcasecmp(o, "replace") == 0)
                        json_array_clear(json_object_get(work, key));
                    add_values(json_object_get(work, key), v);
                } else {
                    scim_error(resp, 400, "invalidPath",
                               "Unsupported attribute: %s", key);
                    goto fail;
                }
            }
            continue;
        }
        if (parse_value_path(path, attr, sizeof(attr), val, sizeof(val))) {
            size_t at;

            if (!list_attr(attr, group) || strcasecmp(o, "remove") != 0) {
                scim_error(resp, 400, "invalidPath", "Unsupported path: %s",
                           path);
                goto fail;
            }
            if (find_by(json_object_get(work, attr), "value", val, &at))
                json_array_remove(json_object_get(work, attr), at);
            continue;
        }
        if (!list_attr(path, group)) {
            scim_error(resp, 400, "invalidPath", "Unsupported path: %s", path);
            goto fail;
        }
        if (strcasecmp(o, "remove") == 0) {
            if (value) {
                const json_t *v;
                size_t k, at;

                json_array_foreach(value, k, v)
                {
                    if (find_by(json_object_get(work, path), "value",
                                json_string_value(json_object_get(v, "value")),
                                &at))
                        json_array_remove(json_object_get(work, path), at);
                }
            } else {
                json_array_clear(json_object_get(work, path));
            }
            continue;
        }
        if (check_values(s, dbx, path, value, resp) < 0)
            goto fail;
        if (strcasecmp(o, "replace") == 0)
            json_array_clear(json_object_get(work, path));
        add_values(json_object_get(work, path), value);
    }
    json_object_clear(obj);
    json_object_update(obj, work);
    json_decref(work);
    return 0;
fail:
    json_decref(work);
    return -1;
}

/* Parse `attr eq "x"` (or 'x') for the filter of a list. */
static int parse_filter(const char *filter, const char *attr, char *value,
                        size_t vlen)
{
    size_t alen = strlen(attr), n;
    const char *p = filter, *end;
    char quote;

    if (strncasecmp(p, attr, alen) != 0)
        return 0;
    p += alen;
    if (strncasecmp(p, " eq ", 4) != 0)
        return 0;
    p += 4;
    quote = *p;
    if (quote != '"' && quote != '\'')
        return 0;
    end = strchr(p + 1, quote);
    if (!end || end[1] != '\0')
        return 0;
    n = (size_t)(end - p - 1);
    if (n >= vlen)
        return 0;
    memcpy(value, p + 1, n);
    value[n] = '\0';
    return 1;
}

static void handle_list(struct sim_dbx_scim *s, struct sim_req *req, int group,
                        struct sim_resp *resp)
{
    const char *filter = sim_req_param(req, "filter");
    const char *key = group ? "displayName" : "userName";
    json_t *list = group ? s->groups : s->users, *found = json_array(), *o;
    char value[512];
    size_t i;

    if (filter && *filter && !parse_filter(filter, key, value, sizeof(value))) {
        json_decref(found);
        scim_error(resp, 400, "invalidFilter",
                   "Unsupported filter: %s. Only '%s eq \"...\"' is supported",
                   filter, key);
        return;
    }
    json_array_foreach(list, i, o)
    {
        const char *v = json_string_value(json_object_get(o, key));

        if (filter && *filter && (!v || strcmp(v, value) != 0))
            continue;
        json_array_append_new(found,
                              group ? render_group(s, o) : render_user(s, o));
    }
    o = json_pack("{s:[s], s:i, s:i, s:i}", "schemas", SCHEMA_LIST,
                  "totalResults", (int)json_array_size(found), "startIndex", 1,
                  "itemsPerPage", (int)json_array_size(found));
    set_list(o, "Resources", found);
    sim_resp_json(resp, 200, o);
}

static void handle_create(struct sim_dbx_scim *s, struct sim_dbx *dbx,
                          int group, const json_t *body, struct sim_resp *resp)
{
    const char *key = group ? "displayName" : "userName";
    const char *name = json_string_value(json_object_get(body, key));
    static const char *const lists[] = {"roles", "entitlements", "members"};
    json_t *o;
    size_t i;

    if (!name || !*name) {
        scim_error(resp, 400, "invalidValue", "Missing required field: %s",
                   key);
        return;
    }
    if (find_by(group ? s->groups : s->users, key, name, NULL)) {
        scim_error(resp, 409, "uniqueness", "%s with name %s already exists.",
                   group ? "Group" : "User", name);
        return;
    }
    for (i = 0; i < (group ? 3u : 2u); i++) {
        const json_t *v = json_object_get(body, lists[i]);

        if (v && check_values(s, dbx, lists[i], v, resp) < 0)
            return;
    }
    o = group ? stored_group(s, NULL, name) : stored_user(s, NULL, name);
    if (!group && json_is_string(json_object_get(body, "displayName")))
        json_object_set(o, "displayName", json_object_get(body, "displayName"));
    if (!group && json_is_boolean(json_object_get(body, "active")))
        json_object_set(o, "active", json_object_get(body, "active"));
    if (json_is_string(json_object_get(body, "externalId")))
        json_object_set(o, "externalId", json_object_get(body, "externalId"));
    for (i = 0; i < (group ? 3u : 2u); i++) {
        const json_t *v = json_object_get(body, lists[i]);

        if (v)
            add_values(json_object_get(o, lists[i]), v);
    }
    json_array_append_new(group ? s->groups : s->users, o);
    sim_resp_json(resp, 201, group ? render_group(s, o) : render_user(s, o));
}

/* Remove id from every group's members. */
static void drop_member(struct sim_dbx_scim *s, const char *id)
{
    json_t *g;
    size_t i, at;

    json_array_foreach(s->groups, i, g)
    {
        if (find_by(json_object_get(g, "members"), "value", id, &at))
            json_array_remove(json_object_get(g, "members"), at);
    }
}

static void handle_one(struct sim_dbx_scim *s, struct sim_dbx *dbx,
                       struct sim_req *req, int group, const char *id,
                       const json_t *body, struct sim_resp *resp)
{
    json_t *list = group ? s->groups : s->users;
    size_t at;
    json_t *o = find_by(list, "id", id, &at);

    if (!o) {
        scim_error(resp, 404, NULL, "%s with id %s not found.",
                   group ? "Group" : "User", id);
        return;
    }
    if (strcmp(req->method, "GET") == 0) {
        sim_resp_json(resp, 200,
                      group ? render_group(s, o) : render_user(s, o));
    } else if (strcmp(req->method, "PATCH") == 0) {
        if (apply_patch(s, dbx, o, group, body, resp) == 0) {
            resp->status = 204;
            resp->content_type = "application/json";
            tern_buf_clear(&resp->body);
        }
    } else if (strcmp(req->method, "PUT") == 0) {
        json_t *ops = json_pack("{s:[{s:s, s:O}]}", "Operations", "op",
                                "replace", "value", body);
        json_t *was = json_deep_copy(o);

        /* A PUT replaces the object: lists it does not carry are emptied;
         * the id stays. Refused, it changes nothing. */
        json_array_clear(json_object_get(o, "roles"));
        json_array_clear(json_object_get(o, "entitlements"));
        if (group)
            json_array_clear(json_object_get(o, "members"));
        if (apply_patch(s, dbx, o, group, ops, resp) != 0) {
            json_object_clear(o);
            json_object_update(o, was);
        } else {
            sim_resp_json(resp, 200,
                          group ? render_group(s, o) : render_user(s, o));
        }
        json_decref(was);
        json_decref(ops);
    } else if (strcmp(req->method, "DELETE") == 0) {
        if (s->me && strcmp(id, s->me) == 0 && !group) {
            scim_error(resp, 400, "mutability", "Cannot delete the caller.");
            return;
        }
        drop_member(s, id);
        json_array_remove(list, at);
        resp->status = 204;
        resp->content_type = "application/json";
        tern_buf_clear(&resp->body);
    } else {
        scim_error(resp, 405, NULL, "Method %s is not supported", req->method);
    }
}

int sim_dbx_scim_path(const char *path)
{
    return strncmp(path, SCIM_PREFIX, strlen(SCIM_PREFIX)) == 0;
}

void sim_dbx_scim_handle(struct sim_dbx_scim *s, struct sim_dbx *dbx,
                         struct sim_req *req, const json_t *body,
                         struct sim_resp *resp)
{
    const char *tail = req->path + strlen(SCIM_PREFIX);
    int group = strncmp(tail, "Groups", 6) == 0;
    const char *rest = tail + (group ? 6 : 5);

    if (strcmp(tail, "Me") == 0 && strcmp(req->method, "GET") == 0) {
        json_t *me = find_by(s->users, "id", s->me, NULL);

        if (me)
            sim_resp_json(resp, 200, render_user(s, me));
        else
            scim_error(resp, 404, NULL, "User with id %s not found.",
                       s->me ? s->me : "");
        return;
    }
    if (!group && strncmp(tail, "Users", 5) != 0) {
        scim_error(resp, 404, NULL, "No SCIM resource at %s", tail);
        return;
    }
    if (*rest == '\0') {
        if (strcmp(req->method, "GET") == 0)
            handle_list(s, req, group, resp);
        else if (strcmp(req->method, "POST") == 0)
            handle_create(s, dbx, group, body, resp);
        else
            scim_error(resp, 405, NULL, "Method %s is not supported",
                       req->method);
        return;
    }
    if (*rest != '/' || rest[1] == '\0' || strchr(rest + 1, '/')) {
        scim_error(resp, 404, NULL, "No SCIM resource at %s", tail);
        return;
    }
    handle_one(s, dbx, req, group, rest + 1, body, resp);
}

void sim_dbx_scim_dump(struct sim_dbx_scim *s, json_t *into)
{
    json_t *groups = json_array(), *users = json_array(), *o, *me;
    size_t i;

    json_array_foreach(s->groups, i, o)
        json_array_append_new(groups, render_group(s, o));
    json_array_foreach(s->users, i, o)
        json_array_append_new(users, render_user(s, o));
    json_object_set_new(into, "groups", groups);
    json_object_set_new(into, "users", users);
    me = find_by(s->users, "id", s->me, NULL);
    if (me)
        json_object_set(into, "me", json_object_get(me, "userName"));
}

/* Copy a loaded list of complex values into stored. */
static int load_values(json_t *stored, const json_t *in, const char *attr,
                       char *err, size_t errlen, const char *what, size_t idx)
{
    const json_t *v = json_object_get(in, attr), *e;
    size_t i;

    if (!v)
        return 0;
    if (!json_is_array(v)) {
        snprintf(err, errlen, "databricks: %s[%zu]: %s: expected an array",
                 what, idx, attr);
        return -1;
    }
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(json_object_get(e, "value"))) {
            snprintf(err, errlen,
                     "databricks: %s[%zu]: %s[%zu]: expected {\"value\"}", what,
                     idx, attr, i);
            return -1;
        }
    }
    add_values(json_object_get(stored, attr), v);
    return 0;
}

int sim_dbx_scim_load(struct sim_dbx_scim *s, const json_t *in, char *err,
                      size_t errlen)
{
    static const char *const kinds[] = {"users", "groups"};
    const json_t *me = json_object_get(in, "me");
    size_t k, i;

    for (k = 0; k < 2; k++) {
        const json_t *list = json_object_get(in, kinds[k]), *e;
        int group = k == 1;
        const char *key = group ? "displayName" : "userName";

        if (!list)
            continue;
        if (!json_is_array(list)) {
            snprintf(err, errlen, "databricks: %s: expected an array",
                     kinds[k]);
            return -1;
        }
        json_array_foreach(list, i, e)
        {
            const char *name = json_string_value(json_object_get(e, key));
            const char *id = json_string_value(json_object_get(e, "id"));
            json_t *o;

            if (!name || !*name) {
                snprintf(err, errlen,
                         "databricks: %s[%zu]: %s: expected a "
                         "string",
                         kinds[k], i, key);
                return -1;
            }
            if (find_by(group ? s->groups : s->users, key, name, NULL) ||
                (id && (find_by(s->groups, "id", id, NULL) ||
                        find_by(s->users, "id", id, NULL)))) {
                snprintf(err, errlen,
                         "databricks: %s[%zu]: %s already "
                         "exists",
                         kinds[k], i, name);
                return -1;
            }
            o = group ? stored_group(s, id, name) : stored_user(s, id, name);
            if (json_is_string(json_object_get(e, "externalId")))
                json_object_set(o, "externalId",
                                json_object_get(e, "externalId"));
            if (load_values(o, e, "roles", err, errlen, kinds[k], i) < 0 ||
                load_values(o, e, "entitlements", err, errlen, kinds[k], i) <
                    0 ||
                (group &&
                 load_values(o, e, "members", err, errlen, kinds[k], i) < 0)) {
                json_decref(o);
                return -1;
            }
            json_array_append_new(group ? s->groups : s->users, o);
        }
    }
    if (me) {
        json_t *u = find_by(s->users, "userName", json_string_value(me), NULL);

        if (!u) {
            snprintf(err, errlen, "databricks: me: no such user");
            return -1;
        }
        tern_free(s->me);
        s->me = tern_strdup(json_string_value(json_object_get(u, "id")));
    }
    return 0;
}
