/*
 * sim_iam_dump and sim_iam_load: the IAM store as JSON, in the shape
 * described at the top of iam.c. A load is all or nothing: on an error
 * every object it added is removed again.
 */
#include "iam.h"

#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *tags_json(const struct iam_tags *t)
{
    json_t *o = json_object();
    size_t i;

    for (i = 0; i < t->n; i++)
        json_object_set_new(o, t->items[i].key, json_string(t->items[i].value));
    return o;
}

static json_t *time_json(int64_t ms)
{
    char t[32];

    iam_fmt_time(t, sizeof(t), ms);
    return json_string(t);
}

static json_t *role_json(const struct iam_role *r)
{
    json_t *o = json_object(), *inl = json_object(), *att = json_array();
    size_t i;

    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "path", json_string(r->path));
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "account", json_string(r->account));
    json_object_set_new(o, "arn", json_string(r->arn));
    json_object_set_new(o, "create_date", time_json(r->create_ms));
    json_object_set_new(o, "assume_role_policy", json_string(r->trust.cur));
    json_object_set_new(o, "description", str_or_null(r->description.cur));
    json_object_set_new(o, "max_session_duration",
                        json_integer(r->max_session));
    json_object_set_new(o, "permissions_boundary", str_or_null(r->boundary));
    json_object_set_new(o, "tags", tags_json(&r->tags));
    for (i = 0; i < r->ninl; i++)
        json_object_set_new(inl, r->inl[i].name,
                            json_string(r->inl[i].doc.cur));
    json_object_set_new(o, "inline_policies", inl);
    for (i = 0; i < r->natt; i++)
        json_array_append_new(att, json_string(r->att[i].arn));
    json_object_set_new(o, "attached_policies", att);
    return o;
}

static json_t *profile_json(const struct iam_profile *p)
{
    json_t *o = json_object(), *roles = json_array();

    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "path", json_string(p->path));
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "account", json_string(p->account));
    json_object_set_new(o, "arn", json_string(p->arn));
    json_object_set_new(o, "create_date", time_json(p->create_ms));
    if (p->role)
        json_array_append_new(roles, json_string(p->role));
    json_object_set_new(o, "roles", roles);
    json_object_set_new(o, "tags", tags_json(&p->tags));
    return o;
}

static json_t *policy_json(const struct iam_policy *p)
{
    json_t *o = json_object(), *versions = json_array();
    size_t i;

    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "path", json_string(p->path));
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "account", json_string(p->account));
    json_object_set_new(o, "arn", json_string(p->arn));
    json_object_set_new(o, "create_date", time_json(p->create_ms));
    json_object_set_new(o, "description", str_or_null(p->description));
    json_object_set_new(o, "document", json_string(iam_policy_document(p)));
    json_object_set_new(o, "default_version_id",
                        json_string(p->default_version));
    json_object_set_new(o, "is_attachable", json_boolean(p->attachable));
    json_object_set_new(o, "tags", tags_json(&p->tags));
    for (i = 0; i < p->nversions; i++) {
        json_t *v = json_object();

        json_object_set_new(v, "id", json_string(p->versions[i].id));
        json_object_set_new(v, "document",
                            json_string(p->versions[i].document));
        json_object_set_new(v, "create_date",
                            time_json(p->versions[i].create_ms));
        json_array_append_new(versions, v);
    }
    json_object_set_new(o, "versions", versions);
    return o;
}

json_t *sim_iam_dump(struct sim_iam *iam)
{
    json_t *o = json_object(), *roles = json_array(), *profiles = json_array(),
           *policies = json_array();
    size_t i;

    for (i = 0; i < iam->nroles; i++)
        json_array_append_new(roles, role_json(iam->roles[i]));
    for (i = 0; i < iam->nprofiles; i++)
        json_array_append_new(profiles, profile_json(iam->profiles[i]));
    for (i = 0; i < iam->npolicies; i++)
        if (strcmp(iam->policies[i]->account, "aws") != 0)
            json_array_append_new(policies, policy_json(iam->policies[i]));
    json_object_set_new(o, "roles", roles);
    json_object_set_new(o, "instance_profiles", profiles);
    json_object_set_new(o, "policies", policies);
    if (iam->ndenied) {
        json_t *denied = json_array();

        for (i = 0; i < iam->ndenied; i++)
            json_array_append_new(denied, json_string(iam->denied[i]));
        json_object_set_new(o, "denied_actions", denied);
    }
    return o;
}

/* Load */

struct loader {
    struct sim_iam *iam;
    char *err;
    size_t errlen;
    int64_t now;
};

static int fail(struct loader *l, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int fail(struct loader *l, const char *fmt, ...)
{
    va_list ap;

    if (l->err && l->errlen) {
        va_start(ap, fmt);
        vsnprintf(l->err, l->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* An optional string member: 0 with *out (NULL when absent), -1 if not. */
static int opt_str(struct loader *l, json_t *o, const char *what,
                   const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(l, "iam: %s: \"%s\" must be a string", what, key);
    *out = json_string_value(v);
    return 0;
}

/* A policy document, as JSON text or a JSON object: new string or NULL. */
static char *doc_text(struct loader *l, json_t *v, const char *what)
{
    json_t *parsed;

    if (!json_is_string(v)) {
        fail(l, "iam: %s: policy document must be JSON text or an object",
             what);
        return NULL;
    }
    parsed = json_loads(json_string_value(v), 0, NULL);
    if (!parsed) {
        fail(l, "iam: %s: policy document is not JSON", what);
        return NULL;
    }
    json_decref(parsed);
    return iam_dup(json_string_value(v));
}

static char *doc_dup(struct loader *l, json_t *v, const char *what)
{
    char *s, *copy;

    if (!json_is_object(v))
        return doc_text(l, v, what);
    /* jansson allocates with malloc: copy into our allocator. */
    s = json_dumps(v, JSON_COMPACT);
    if (!s)
        abort();
    copy = iam_dup(s);
    free(s);
    return copy;
}

/* The account: "account", else from "arn", else the default. */
static int account_of(struct loader *l, json_t *o, const char *what, char *out,
                      size_t len)
{
    const char *acct, *arn, *p, *colon;

    if (opt_str(l, o, what, "account", &acct) ||
        opt_str(l, o, what, "arn", &arn))
        return -1;
    if (acct) {
        snprintf(out, len, "%s", acct);
        return 0;
    }
    if (arn && strncmp(arn, "arn:aws:iam::", 13) == 0) {
        p = arn + 13;
        colon = strchr(p, ':');
        if (colon && (size_t)(colon - p) < len && colon > p) {
            memcpy(out, p, (size_t)(colon - p));
            out[colon - p] = '\0';
            return 0;
        }
    }
    snprintf(out, len, "%s", SIM_DEFAULT_ACCOUNT);
    return 0;
}

static int load_tags(struct loader *l, json_t *o, const char *what,
                     struct iam_tags *t)
{
    json_t *tags = json_object_get(o, "tags"), *v;
    const char *k;

    if (!tags || json_is_null(tags))
        return 0;
    if (!json_is_object(tags))
        return fail(l, "iam: %s: \"tags\" must be an object", what);
    json_object_foreach(tags, k, v)
    {
        if (!json_is_string(v))
            return fail(l, "iam: %s: tag \"%s\" must be a string", what, k);
        iam_tags_set(t, k, json_string_value(v));
    }
    return 0;
}

static int common(struct loader *l, json_t *o, const char *kind, char *what,
                  size_t whatlen, const char **name, const char **path,
                  const char **id, int64_t *created, char *account,
                  size_t account_len)
{
    const char *date;

    if (!json_is_object(o))
        return fail(l, "iam: each of %s must be an object", kind);
    if (opt_str(l, o, kind, "name", name) || !*name || !**name)
        return fail(l, "iam: %s: \"name\" is required", kind);
    snprintf(what, whatlen, "%s %s", kind, *name);
    if (opt_str(l, o, what, "path", path) || opt_str(l, o, what, "id", id) ||
        opt_str(l, o, what, "create_date", &date) ||
        account_of(l, o, what, account, account_len))
        return -1;
    if (!*path)
        *path = "/";
    if ((*path)[0] != '/' || (*path)[strlen(*path) - 1] != '/')
        return fail(l, "iam: %s: path must start and end with /", what);
    *created = date ? iam_parse_time(date) : l->now;
    if (*created < 0)
        return fail(l, "iam: %s: bad create_date", what);
    return 0;
}

static int load_policy(struct loader *l, json_t *o)
{
    const char *name, *path, *id, *desc, *version;
    char what[200], account[64];
    int64_t created;
    json_t *attachable;
    struct iam_policy *p;
    char *arn, *doc;

    if (common(l, o, "policy", what, sizeof(what), &name, &path, &id, &created,
               account, sizeof(account)) ||
        opt_str(l, o, what, "description", &desc) ||
        opt_str(l, o, what, "default_version_id", &version))
        return -1;
    if (!json_object_get(o, "document"))
        return fail(l, "iam: %s: \"document\" is required", what);
    if (!version)
        version = "v1";
    if (version[0] != 'v' || strtol(version + 1, NULL, 10) < 1)
        return fail(l, "iam: %s: \"default_version_id\" must be v1, v2, ...",
                    what);
    arn = iam_printf("arn:aws:iam::%s:policy%s%s", account, path, name);
    if (iam_policy_find(l->iam, arn)) {
        tern_free(arn);
        return fail(l, "iam: %s: already exists", what);
    }
    p = iam_alloc(sizeof(*p));
    p->arn = arn;
    doc = doc_dup(l, json_object_get(o, "document"), what);
    if (!doc || load_tags(l, o, what, &p->tags)) {
        tern_free(doc);
        iam_policy_free(p);
        return -1;
    }
    /* One version, the default, numbered as given. */
    p->next_version = (int)strtol(version + 1, NULL, 10);
    iam_policy_add_version(p, doc, created);
    tern_free(doc);
    tern_free(p->versions[0].id);
    p->versions[0].id = iam_dup(version);
    p->account = iam_dup(account);
    p->name = iam_dup(name);
    p->path = iam_dup(path);
    p->id = id ? iam_dup(id) : iam_new_id(l->iam, "ANPA");
    p->description = iam_dup(desc);
    p->default_version = iam_dup(version);
    p->create_ms = p->update_ms = created;
    attachable = json_object_get(o, "is_attachable");
    p->attachable = attachable ? json_is_true(attachable) : 1;
    iam_push((void ***)&l->iam->policies, &l->iam->npolicies,
             &l->iam->policies_alloc, p);
    return 0;
}

static int load_role_policies(struct loader *l, json_t *o, const char *what,
                              struct iam_role *r)
{
    json_t *inl = json_object_get(o, "inline_policies");
    json_t *att = json_object_get(o, "attached_policies");
    json_t *v;
    const char *k;
    size_t i;

    if (inl && !json_is_null(inl)) {
        if (!json_is_object(inl))
            return fail(l, "iam: %s: \"inline_policies\" must be an object",
                        what);
        json_object_foreach(inl, k, v)
        {
            char *doc = doc_dup(l, v, what);

            if (!doc)
                return -1;
            r->inl = iam_grow(r->inl, (r->ninl + 1) * sizeof(*r->inl));
            memset(&r->inl[r->ninl], 0, sizeof(*r->inl));
            r->inl[r->ninl].name = iam_dup(k);
            r->inl[r->ninl].doc.cur = doc;
            r->ninl++;
        }
    }
    if (att && !json_is_null(att)) {
        if (!json_is_array(att))
            return fail(l, "iam: %s: \"attached_policies\" must be an array",
                        what);
        json_array_foreach(att, i, v)
        {
            struct iam_policy *p =
                json_is_string(v)
                    ? iam_policy_find(l->iam, json_string_value(v))
                    : NULL;

            if (!p)
                return fail(l, "iam: %s: attached policy %s does not exist",
                            what,
                            json_is_string(v) ? json_string_value(v) : "?");
            r->att = iam_grow(r->att, (r->natt + 1) * sizeof(*r->att));
            r->att[r->natt].arn = iam_dup(p->arn);
            r->att[r->natt].visible_at = 0;
            r->natt++;
        }
    }
    return 0;
}

static int load_role(struct loader *l, json_t *o)
{
    const char *name, *path, *id, *desc, *boundary;
    char what[200], account[64];
    int64_t created;
    json_t *trust, *ms;
    struct iam_role *r;

    if (common(l, o, "role", what, sizeof(what), &name, &path, &id, &created,
               account, sizeof(account)) ||
        opt_str(l, o, what, "description", &desc) ||
        opt_str(l, o, what, "permissions_boundary", &boundary))
        return -1;
    trust = json_object_get(o, "assume_role_policy");
    if (!trust)
        return fail(l, "iam: %s: \"assume_role_policy\" is required", what);
    if (iam_role_find(l->iam, account, name, -1))
        return fail(l, "iam: %s: already exists", what);
    ms = json_object_get(o, "max_session_duration");
    if (ms && !json_is_null(ms) &&
        (!json_is_integer(ms) || json_integer_value(ms) < IAM_SESSION_MIN ||
         json_integer_value(ms) > IAM_SESSION_MAX))
        return fail(l, "iam: %s: bad max_session_duration", what);
    r = iam_alloc(sizeof(*r));
    r->trust.cur = doc_dup(l, trust, what);
    if (!r->trust.cur) {
        iam_role_free(r);
        return -1;
    }
    r->account = iam_dup(account);
    r->name = iam_dup(name);
    r->path = iam_dup(path);
    r->id = id ? iam_dup(id) : iam_new_id(l->iam, "AROA");
    r->arn = iam_printf("arn:aws:iam::%s:role%s%s", account, path, name);
    r->create_ms = created;
    r->description.cur = iam_dup(desc);
    r->max_session = r->prev_max_session = ms && json_is_integer(ms)
                                               ? (int)json_integer_value(ms)
                                               : IAM_SESSION_MIN;
    r->boundary = iam_dup(boundary);
    if (load_tags(l, o, what, &r->tags) || load_role_policies(l, o, what, r)) {
        iam_role_free(r);
        return -1;
    }
    iam_push((void ***)&l->iam->roles, &l->iam->nroles, &l->iam->roles_alloc,
             r);
    return 0;
}

static int load_profile(struct loader *l, json_t *o)
{
    const char *name, *path, *id;
    char what[200], account[64];
    int64_t created;
    json_t *roles, *v;
    struct iam_profile *p;
    struct iam_role *r = NULL;
    size_t i;

    if (common(l, o, "instance profile", what, sizeof(what), &name, &path, &id,
               &created, account, sizeof(account)))
        return -1;
    if (iam_profile_find(l->iam, account, name, -1))
        return fail(l, "iam: %s: already exists", what);
    roles = json_object_get(o, "roles");
    if (roles && !json_is_null(roles)) {
        if (!json_is_array(roles) ||
            json_array_size(roles) > IAM_ROLES_PER_PROFILE)
            return fail(l,
                        "iam: %s: \"roles\" must be an array of at most "
                        "one role name",
                        what);
        json_array_foreach(roles, i, v)
        {
            r = json_is_string(v)
                    ? iam_role_find(l->iam, account, json_string_value(v), -1)
                    : NULL;
            if (!r)
                return fail(l, "iam: %s: role %s does not exist", what,
                            json_is_string(v) ? json_string_value(v) : "?");
        }
    }
    p = iam_alloc(sizeof(*p));
    p->account = iam_dup(account);
    p->name = iam_dup(name);
    p->path = iam_dup(path);
    p->id = id ? iam_dup(id) : iam_new_id(l->iam, "AIPA");
    p->arn =
        iam_printf("arn:aws:iam::%s:instance-profile%s%s", account, path, name);
    p->create_ms = created;
    p->role = r ? iam_dup(r->name) : NULL;
    if (load_tags(l, o, what, &p->tags)) {
        iam_profile_free(p);
        return -1;
    }
    iam_push((void ***)&l->iam->profiles, &l->iam->nprofiles,
             &l->iam->profiles_alloc, p);
    return 0;
}

static int load_list(struct loader *l, const json_t *in, const char *key,
                     int (*fn)(struct loader *l, json_t *o))
{
    json_t *list = json_object_get(in, key), *o;
    size_t i;

    if (!list || json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return fail(l, "iam: \"%s\" must be an array", key);
    json_array_foreach(list, i, o)
    {
        if (fn(l, o))
            return -1;
    }
    return 0;
}

/* "denied_actions": replaces the list when present; checked whole before
 * anything changes. */
static int load_denied(struct loader *l, const json_t *in)
{
    json_t *list = json_object_get(in, "denied_actions"), *a;
    size_t i;

    if (!list)
        return 0;
    if (!json_is_array(list) && !json_is_null(list))
        return fail(l, "iam: \"denied_actions\" must be an array");
    json_array_foreach(list, i, a)
    {
        if (!json_is_string(a) || !sim_iam_has_action(json_string_value(a)))
            return fail(l, "iam: denied_actions[%zu]: not an IAM action", i);
    }
    iam_denied_clear(l->iam);
    if (!json_array_size(list))
        return 0;
    l->iam->denied = iam_alloc(json_array_size(list) * sizeof(char *));
    json_array_foreach(list, i, a)
    {
        l->iam->denied[l->iam->ndenied++] = iam_dup(json_string_value(a));
    }
    return 0;
}

int sim_iam_load(struct sim_iam *iam, const json_t *in, char *err,
                 size_t errlen)
{
    struct loader l;
    size_t nroles = iam->nroles, nprofiles = iam->nprofiles,
           npolicies = iam->npolicies;

    l.iam = iam;
    l.err = err;
    l.errlen = errlen;
    l.now = sim_now_ms(iam->sim);
    if (!json_is_object(in))
        return fail(&l, "iam: must be an object");
    if (load_list(&l, in, "policies", load_policy) == 0 &&
        load_list(&l, in, "roles", load_role) == 0 &&
        load_list(&l, in, "instance_profiles", load_profile) == 0 &&
        load_denied(&l, in) == 0)
        return 0;
    /* All or nothing: drop what this load added. */
    while (iam->nprofiles > nprofiles)
        iam_profile_free(iam->profiles[--iam->nprofiles]);
    while (iam->nroles > nroles)
        iam_role_free(iam->roles[--iam->nroles]);
    while (iam->npolicies > npolicies)
        iam_policy_free(iam->policies[--iam->npolicies]);
    return -1;
}
