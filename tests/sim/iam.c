/*
 * tern-sim's IAM service: roles, their inline and attached managed
 * policies and tags, instance profiles, and a catalogue of AWS managed
 * policies, over the Query API (Version 2010-05-08).
 *
 * Files: iam.c (store, dispatch, XML of roles and profiles, the hooks for
 * STS and Databricks), iam_role.c and iam_profile.c (actions),
 * iam_catalog.c (AWS managed policies, GetPolicy, GetPolicyVersion,
 * ListPolicies, GetAccountAuthorizationDetails), iam_policy.c (customer
 * managed policies: their versions, tags, attachments and deletion),
 * iam_validate.c (names, tags, paging, policy documents), iam_dump.c
 * (dump/load).
 *
 * Accounts. Every object belongs to the account of the key that created
 * it (req->account), and every lookup is within the caller's account. AWS
 * managed policies belong to the pseudo-account "aws".
 *
 * Names. Role and instance profile names are unique per account compared
 * case-insensitively, and lookups by name ignore case, as in IAM; the
 * name keeps the case it was created with. Inline policy names are
 * compared exactly.
 *
 * Eventual consistency. Each new object, and each new version of a
 * changed value, carries visible_at = sim_visible_at(sim) (now + the
 * propagation delay from the fault settings, 0 by default). Before that
 * instant every read (Get*, List*, GetAccountAuthorizationDetails) and
 * every call that depends on the object (naming the role, profile or
 * customer managed policy in
 * AddRoleToInstanceProfile, AttachRolePolicy, PutRolePolicy, TagRole, a
 * trust policy naming the role as principal, sim_iam_role_for_assume,
 * sim_iam_profile_usable) behaves as if it did not exist: NoSuchEntity,
 * or MalformedPolicyDocument "Invalid principal in policy". Existence
 * checks that guard the store see the object at once: creating it again
 * is EntityAlreadyExists, deleting a role that holds a not yet visible
 * attachment is DeleteConflict, a second role in a profile is
 * LimitExceeded. Changed values keep their previous version until
 * visible: the trust policy (UpdateAssumeRolePolicy), an inline policy
 * replaced by PutRolePolicy, Description and MaxSessionDuration
 * (UpdateRole). Attachments and profile membership propagate like new
 * objects. Tags and the permissions boundary change at once. Deletions
 * (DeleteRole, DetachRolePolicy, DeleteRolePolicy, RemoveRole...,
 * DeleteInstanceProfile) take effect at once, which never lets a caller
 * see an object that IAM would have forgotten.
 *
 * Permissions. Every caller may do everything, except the actions a load
 * names in "denied_actions" (e.g. ["ListRoles"]): those answer 403
 * AccessDenied, as IAM does for a principal without that permission, until
 * the next load that names the list or a reset.
 *
 * Principals. As in IAM, a trust policy naming a role that is then
 * deleted shows the role's unique id (AROA...) in place of its ARN.
 *
 * Markers. List results are sorted by name (ignoring case) or ARN; a
 * Marker is the hex encoding of the key of the next item, opaque to
 * callers, and stays valid across changes to the list.
 *
 * Dump/load shape (the inner "iam" object of /_sim/dump and /_sim/load):
 *
 *   {
 *     "roles": [{
 *       "name": "r", "path": "/", "id": "AROA...", "account": "1234...",
 *       "arn": "arn:aws:iam::ACCT:role/r", "create_date": "2026-...Z",
 *       "assume_role_policy": "{...JSON text...}",
 *       "description": "..." | null, "max_session_duration": 3600,
 *       "permissions_boundary": "arn:..." | null,
 *       "tags": {"k": "v"},
 *       "inline_policies": {"name": "{...JSON text...}"},
 *       "attached_policies": ["arn:aws:iam::aws:policy/..."]
 *     }],
 *     "instance_profiles": [{
 *       "name": "p", "path": "/", "id": "AIPA...", "account": "...",
 *       "arn": "arn:aws:iam::ACCT:instance-profile/p",
 *       "create_date": "...", "roles": ["r"], "tags": {"k": "v"}
 *     }],
 *     "policies": [{
 *       "name": "p", "path": "/", "id": "ANPA...", "account": "...",
 *       "arn": "arn:aws:iam::ACCT:policy/p", "create_date": "...",
 *       "description": "..." | null, "document": "{...}",
 *       "default_version_id": "v1", "is_attachable": true,
 *       "tags": {"k": "v"},
 *       "versions": [{"id": "v1", "document": "{...}",
 *                     "create_date": "..."}]
 *     }],
 *     "denied_actions": ["ListRoles"]     (only when not empty)
 *   }
 *
 * The dump shows the latest version of everything (whether or not it is
 * visible yet) and only customer managed policies. sim_iam_load takes the
 * same shape; only "name" (and "assume_role_policy" for roles, "document"
 * for policies) are required; a policy is loaded with one version, its
 * default ("default_version_id", v1 unless given), and "versions" is
 * ignored. The account comes from "account", else
 * from "arn", else SIM_DEFAULT_ACCOUNT; ids, ARNs and dates are generated
 * when absent. Policy documents may be given as JSON text or as JSON
 * objects. Loaded objects are visible at once.
 */
#include "iam.h"

#include "util/alloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Memory */

void *iam_alloc(size_t n)
{
    void *p = tern_calloc(1, n);

    if (!p)
        abort();
    return p;
}

void *iam_grow(void *p, size_t n)
{
    void *q = tern_realloc(p, n);

    if (!q)
        abort();
    return q;
}

char *iam_dup(const char *s)
{
    char *d;

    if (!s)
        return NULL;
    d = tern_strdup(s);
    if (!d)
        abort();
    return d;
}

char *iam_dupn(const char *s, size_t n)
{
    char *d = tern_strndup(s, n);

    if (!d)
        abort();
    return d;
}

char *iam_printf(const char *fmt, ...)
{
    va_list ap;
    int len;
    char *s;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        abort();
    s = iam_alloc((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return s;
}

void iam_push(void ***items, size_t *n, size_t *alloc, void *item)
{
    if (*n == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 16;
        *items = iam_grow(*items, *alloc * sizeof(**items));
    }
    (*items)[(*n)++] = item;
}

void iam_remove(void **items, size_t *n, void *item)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (items[i] == item) {
            memmove(items + i, items + i + 1, (*n - i - 1) * sizeof(*items));
            (*n)--;
            return;
        }
    }
}

char *iam_lower(const char *s)
{
    char *l = iam_dup(s);
    char *p;

    for (p = l; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return l;
}

struct sort_pair {
    const char *key;
    void *item;
};

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const struct sort_pair *)a)->key,
                  ((const struct sort_pair *)b)->key);
}

void iam_sort(const char **keys, void **items, size_t n)
{
    struct sort_pair *pairs;
    size_t i;

    if (n < 2)
        return;
    pairs = iam_alloc(n * sizeof(*pairs));
    for (i = 0; i < n; i++) {
        pairs[i].key = keys[i];
        pairs[i].item = items ? items[i] : NULL;
    }
    qsort(pairs, n, sizeof(*pairs), pair_cmp);
    for (i = 0; i < n; i++) {
        keys[i] = pairs[i].key;
        if (items)
            items[i] = pairs[i].item;
    }
    tern_free(pairs);
}

/* Versioned strings */

const char *iam_ver_get(const struct iam_ver *v, int64_t now)
{
    if (now < 0 || now >= v->visible_at)
        return v->cur;
    return v->prev;
}

void iam_ver_set(struct iam_ver *v, const char *value, int64_t now,
                 int64_t visible_at)
{
    /*
     * If the current value is already visible it becomes what readers see
     * until the new one propagates; if not, readers still see the older
     * prev, and the unseen value is simply replaced.
     */
    if (now >= v->visible_at) {
        tern_free(v->prev);
        v->prev = v->cur;
    } else {
        tern_free(v->cur);
    }
    v->cur = iam_dup(value);
    v->visible_at = visible_at;
}

void iam_ver_release(struct iam_ver *v)
{
    tern_free(v->cur);
    tern_free(v->prev);
    v->cur = v->prev = NULL;
}

/* Store */

void iam_tags_release(struct iam_tags *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        tern_free(t->items[i].key);
        tern_free(t->items[i].value);
    }
    tern_free(t->items);
    t->items = NULL;
    t->n = 0;
}

void iam_tags_set(struct iam_tags *t, const char *key, const char *value)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (strcasecmp(t->items[i].key, key) == 0) {
            /* IAM keeps the case of the latest writer. */
            tern_free(t->items[i].key);
            tern_free(t->items[i].value);
            t->items[i].key = iam_dup(key);
            t->items[i].value = iam_dup(value);
            return;
        }
    }
    t->items = iam_grow(t->items, (t->n + 1) * sizeof(*t->items));
    t->items[t->n].key = iam_dup(key);
    t->items[t->n].value = iam_dup(value);
    t->n++;
}

void iam_role_free(struct iam_role *r)
{
    size_t i;

    if (!r)
        return;
    tern_free(r->account);
    tern_free(r->name);
    tern_free(r->path);
    tern_free(r->id);
    tern_free(r->arn);
    iam_ver_release(&r->trust);
    iam_ver_release(&r->description);
    tern_free(r->boundary);
    iam_tags_release(&r->tags);
    for (i = 0; i < r->ninl; i++) {
        tern_free(r->inl[i].name);
        iam_ver_release(&r->inl[i].doc);
    }
    tern_free(r->inl);
    for (i = 0; i < r->natt; i++)
        tern_free(r->att[i].arn);
    tern_free(r->att);
    tern_free(r);
}

void iam_profile_free(struct iam_profile *p)
{
    if (!p)
        return;
    tern_free(p->account);
    tern_free(p->name);
    tern_free(p->path);
    tern_free(p->id);
    tern_free(p->arn);
    iam_tags_release(&p->tags);
    tern_free(p->role);
    tern_free(p);
}

void iam_policy_free(struct iam_policy *p)
{
    size_t i;

    if (!p)
        return;
    tern_free(p->account);
    tern_free(p->name);
    tern_free(p->path);
    tern_free(p->id);
    tern_free(p->arn);
    tern_free(p->description);
    for (i = 0; i < p->nversions; i++) {
        tern_free(p->versions[i].id);
        tern_free(p->versions[i].document);
    }
    tern_free(p->versions);
    tern_free(p->default_version);
    iam_tags_release(&p->tags);
    tern_free(p);
}

struct iam_role *iam_role_find(struct sim_iam *iam, const char *account,
                               const char *name, int64_t now)
{
    size_t i;

    for (i = 0; i < iam->nroles; i++) {
        struct iam_role *r = iam->roles[i];

        if (strcmp(r->account, account) == 0 && strcasecmp(r->name, name) == 0)
            return (now < 0 || now >= r->visible_at) ? r : NULL;
    }
    return NULL;
}

struct iam_profile *iam_profile_find(struct sim_iam *iam, const char *account,
                                     const char *name, int64_t now)
{
    size_t i;

    for (i = 0; i < iam->nprofiles; i++) {
        struct iam_profile *p = iam->profiles[i];

        if (strcmp(p->account, account) == 0 && strcasecmp(p->name, name) == 0)
            return (now < 0 || now >= p->visible_at) ? p : NULL;
    }
    return NULL;
}

struct iam_policy *iam_policy_find(struct sim_iam *iam, const char *arn)
{
    size_t i;

    for (i = 0; i < iam->npolicies; i++)
        if (strcmp(iam->policies[i]->arn, arn) == 0)
            return iam->policies[i];
    return NULL;
}

struct iam_policy_version *iam_policy_version(const struct iam_policy *p,
                                              const char *id)
{
    size_t i;

    for (i = 0; id && i < p->nversions; i++)
        if (strcmp(p->versions[i].id, id) == 0)
            return &p->versions[i];
    return NULL;
}

const char *iam_policy_document(const struct iam_policy *p)
{
    const struct iam_policy_version *v =
        iam_policy_version(p, p->default_version);

    return v ? v->document : "";
}

struct iam_policy_version *iam_policy_add_version(struct iam_policy *p,
                                                  const char *document,
                                                  int64_t create_ms)
{
    struct iam_policy_version *v;

    p->versions =
        iam_grow(p->versions, (p->nversions + 1) * sizeof(*p->versions));
    v = &p->versions[p->nversions++];
    v->id = iam_printf("v%d", p->next_version++);
    v->document = iam_dup(document);
    v->create_ms = create_ms;
    return v;
}

int iam_policy_arn_valid(const char *arn)
{
    static const char prefix[] = "arn:aws:iam::";
    const char *p, *colon;
    size_t i;

    if (strncmp(arn, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    p = arn + sizeof(prefix) - 1;
    colon = strchr(p, ':');
    if (!colon)
        return 0;
    if (!(colon - p == 3 && strncmp(p, "aws", 3) == 0)) {
        if (colon - p != 12)
            return 0;
        for (i = 0; i < 12; i++)
            if (!isdigit((unsigned char)p[i]))
                return 0;
    }
    return strncmp(colon + 1, "policy/", 7) == 0 && colon[8] != '\0' &&
           arn[strlen(arn) - 1] != '/';
}

struct iam_role *iam_need_role(struct iam_ctx *c, const char *name)
{
    struct iam_role *r = iam_role_find(c->iam, c->account, name, c->now);

    if (!r)
        iam_no_such_role(c, name);
    return r;
}

struct iam_profile *iam_need_profile(struct iam_ctx *c, const char *name)
{
    struct iam_profile *p = iam_profile_find(c->iam, c->account, name, c->now);

    if (!p)
        iam_no_such_profile(c, name);
    return p;
}

int iam_policy_attachments(struct sim_iam *iam, const char *account,
                           const char *arn, int64_t now, int boundary)
{
    size_t i, j;
    int count = 0;

    for (i = 0; i < iam->nroles; i++) {
        struct iam_role *r = iam->roles[i];

        if (strcmp(r->account, account) != 0 || now < r->visible_at)
            continue;
        if (boundary) {
            if (r->boundary && strcmp(r->boundary, arn) == 0)
                count++;
            continue;
        }
        for (j = 0; j < r->natt; j++)
            if (strcmp(r->att[j].arn, arn) == 0 && now >= r->att[j].visible_at)
                count++;
    }
    return count;
}

static int id_taken(struct sim_iam *iam, const char *id)
{
    size_t i;

    for (i = 0; i < iam->nroles; i++)
        if (strcmp(iam->roles[i]->id, id) == 0)
            return 1;
    for (i = 0; i < iam->nprofiles; i++)
        if (strcmp(iam->profiles[i]->id, id) == 0)
            return 1;
    for (i = 0; i < iam->npolicies; i++)
        if (strcmp(iam->policies[i]->id, id) == 0)
            return 1;
    return 0;
}

char *iam_new_id(struct sim_iam *iam, const char *prefix)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    char id[32];
    size_t plen = strlen(prefix), i;

    do {
        memcpy(id, prefix, plen);
        /* IAM's unique ids use the base32 alphabet after the prefix. */
        for (i = 0; i < 17; i++)
            id[plen + i] = alnum[sim_rand_below(iam->sim, 32)];
        id[plen + 17] = '\0';
    } while (id_taken(iam, id));
    return iam_dup(id);
}

void iam_fmt_time(char *out, size_t len, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t iam_parse_time(const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, sec, n = 0;

    memset(&tm, 0, sizeof(tm));
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
                     &n) != 6)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm) * 1000;
}

/* Responses */

void iam_error(struct iam_ctx *c, int status, const char *code, const char *fmt,
               ...)
{
    va_list ap;
    char msg[4096];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tern_buf_clear(&c->resp->body);
    sim_aws_error(c->resp, c->req, status,
                  status >= 500 ? "Receiver" : "Sender", code, "%s", msg);
}

void iam_no_such_role(struct iam_ctx *c, const char *name)
{
    iam_error(c, 404, "NoSuchEntity", "The role with name %s cannot be found.",
              name);
}

void iam_no_such_profile(struct iam_ctx *c, const char *name)
{
    iam_error(c, 404, "NoSuchEntity", "Instance Profile %s cannot be found.",
              name);
}

void iam_begin(struct iam_ctx *c, int result)
{
    sim_xml_begin(c->resp, c->action, SIM_IAM_NS, result);
}

void iam_end(struct iam_ctx *c, int result)
{
    sim_xml_end(c->resp, c->req, c->action, result);
}

void iam_xml_doc(tern_buf *b, const char *tag, const char *doc)
{
    tern_buf_printf(b, "<%s>", tag);
    sim_url_encode(b, doc ? doc : "");
    tern_buf_printf(b, "</%s>", tag);
}

void iam_xml_int(tern_buf *b, const char *tag, long long v)
{
    tern_buf_printf(b, "<%s>%lld</%s>", tag, v, tag);
}

void iam_xml_time(tern_buf *b, const char *tag, int64_t ms)
{
    char t[32];

    iam_fmt_time(t, sizeof(t), ms);
    sim_xml_elem(b, tag, t);
}

void iam_xml_tags(tern_buf *b, const struct iam_tags *t)
{
    size_t i;

    tern_buf_puts(b, "<Tags>");
    for (i = 0; i < t->n; i++) {
        tern_buf_puts(b, "<member>");
        sim_xml_elem(b, "Key", t->items[i].key);
        sim_xml_elem(b, "Value", t->items[i].value);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</Tags>");
}

void iam_xml_role(tern_buf *b, const struct iam_role *r, int64_t now,
                  enum iam_role_view view)
{
    const char *desc = iam_ver_get(&r->description, now);
    int max_session =
        now >= r->max_session_visible_at ? r->max_session : r->prev_max_session;

    sim_xml_elem(b, "Path", r->path);
    sim_xml_elem(b, "RoleName", r->name);
    sim_xml_elem(b, "RoleId", r->id);
    sim_xml_elem(b, "Arn", r->arn);
    iam_xml_time(b, "CreateDate", r->create_ms);
    iam_xml_doc(b, "AssumeRolePolicyDocument", iam_ver_get(&r->trust, now));
    if (desc && *desc)
        sim_xml_elem(b, "Description", desc);
    iam_xml_int(b, "MaxSessionDuration", max_session);
    if (view == IAM_ROLE_LIST)
        return;
    if (r->boundary) {
        tern_buf_puts(b, "<PermissionsBoundary>");
        sim_xml_elem(b, "PermissionsBoundaryType", "PermissionsBoundaryPolicy");
        sim_xml_elem(b, "PermissionsBoundaryArn", r->boundary);
        tern_buf_puts(b, "</PermissionsBoundary>");
    }
    if (r->tags.n)
        iam_xml_tags(b, &r->tags);
    if (view == IAM_ROLE_GET)
        tern_buf_puts(b, "<RoleLastUsed/>");
}

void iam_xml_profile(struct sim_iam *iam, tern_buf *b,
                     const struct iam_profile *p, int64_t now)
{
    struct iam_role *r = NULL;

    sim_xml_elem(b, "Path", p->path);
    sim_xml_elem(b, "InstanceProfileName", p->name);
    sim_xml_elem(b, "InstanceProfileId", p->id);
    sim_xml_elem(b, "Arn", p->arn);
    iam_xml_time(b, "CreateDate", p->create_ms);
    if (p->role && now >= p->role_visible_at)
        r = iam_role_find(iam, p->account, p->role, now);
    tern_buf_puts(b, "<Roles>");
    if (r) {
        tern_buf_puts(b, "<member>");
        iam_xml_role(b, r, now, IAM_ROLE_LIST);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</Roles>");
    if (p->tags.n)
        iam_xml_tags(b, &p->tags);
}

/* Dispatch */

struct iam_action {
    const char *name;
    void (*fn)(struct iam_ctx *c);
};

/* Sorted by name. */
static const struct iam_action actions[] = {
    {"AddRoleToInstanceProfile", iam_add_role_to_instance_profile},
    {"AttachRolePolicy", iam_attach_role_policy},
    {"CreateInstanceProfile", iam_create_instance_profile},
    {"CreatePolicy", iam_create_policy},
    {"CreatePolicyVersion", iam_create_policy_version},
    {"CreateRole", iam_create_role},
    {"DeleteInstanceProfile", iam_delete_instance_profile},
    {"DeletePolicy", iam_delete_policy},
    {"DeletePolicyVersion", iam_delete_policy_version},
    {"DeleteRole", iam_delete_role},
    {"DeleteRolePermissionsBoundary", iam_delete_role_permissions_boundary},
    {"DeleteRolePolicy", iam_delete_role_policy},
    {"DetachRolePolicy", iam_detach_role_policy},
    {"GetAccountAuthorizationDetails", iam_get_account_authorization_details},
    {"GetInstanceProfile", iam_get_instance_profile},
    {"GetPolicy", iam_get_policy},
    {"GetPolicyVersion", iam_get_policy_version},
    {"GetRole", iam_get_role},
    {"GetRolePolicy", iam_get_role_policy},
    {"ListAttachedRolePolicies", iam_list_attached_role_policies},
    {"ListEntitiesForPolicy", iam_list_entities_for_policy},
    {"ListInstanceProfiles", iam_list_instance_profiles},
    {"ListInstanceProfilesForRole", iam_list_instance_profiles_for_role},
    {"ListPolicies", iam_list_policies},
    {"ListPolicyTags", iam_list_policy_tags},
    {"ListPolicyVersions", iam_list_policy_versions},
    {"ListRolePolicies", iam_list_role_policies},
    {"ListRoleTags", iam_list_role_tags},
    {"ListRoles", iam_list_roles},
    {"PutRolePermissionsBoundary", iam_put_role_permissions_boundary},
    {"PutRolePolicy", iam_put_role_policy},
    {"RemoveRoleFromInstanceProfile", iam_remove_role_from_instance_profile},
    {"SetDefaultPolicyVersion", iam_set_default_policy_version},
    {"TagInstanceProfile", iam_tag_instance_profile},
    {"TagPolicy", iam_tag_policy},
    {"TagRole", iam_tag_role},
    {"UntagInstanceProfile", iam_untag_instance_profile},
    {"UntagPolicy", iam_untag_policy},
    {"UntagRole", iam_untag_role},
    {"UpdateAssumeRolePolicy", iam_update_assume_role_policy},
    {"UpdateRole", iam_update_role},
};

static const struct iam_action *find_action(const char *name)
{
    size_t i;

    for (i = 0; name && i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    return NULL;
}

int sim_iam_has_action(const char *action)
{
    return find_action(action) != NULL;
}

void sim_iam_handle(struct sim_iam *iam, struct sim_req *req,
                    const char *action, struct sim_resp *resp)
{
    const struct iam_action *a = find_action(action);
    struct iam_ctx c;

    memset(&c, 0, sizeof(c));
    c.iam = iam;
    c.req = req;
    c.resp = resp;
    c.action = action;
    c.account = req->account ? req->account : SIM_DEFAULT_ACCOUNT;
    c.now = sim_now_ms(iam->sim);
    if (!a) {
        iam_error(&c, 400, "InvalidAction",
                  "Could not find operation %s for version 2010-05-08",
                  action ? action : "(none)");
        return;
    }
    if (iam_denied(iam, action)) {
        iam_error(&c, 403, "AccessDenied",
                  "User: %s is not authorized to perform: iam:%s on "
                  "resource: arn:aws:iam::%s:* because no identity-based "
                  "policy allows the iam:%s action",
                  req->caller_arn ? req->caller_arn : "anonymous", action,
                  c.account, action);
        return;
    }
    a->fn(&c);
}

/* Lifecycle */

struct sim_iam *sim_iam_new(struct sim *sim)
{
    struct sim_iam *iam = tern_calloc(1, sizeof(*iam));

    if (!iam)
        return NULL;
    iam->sim = sim;
    iam_catalog_load(iam);
    return iam;
}

static void clear(struct sim_iam *iam)
{
    size_t i;

    for (i = 0; i < iam->nroles; i++)
        iam_role_free(iam->roles[i]);
    for (i = 0; i < iam->nprofiles; i++)
        iam_profile_free(iam->profiles[i]);
    for (i = 0; i < iam->npolicies; i++)
        iam_policy_free(iam->policies[i]);
    iam->nroles = iam->nprofiles = iam->npolicies = 0;
}

int iam_denied(const struct sim_iam *iam, const char *action)
{
    size_t i;

    for (i = 0; action && i < iam->ndenied; i++)
        if (strcmp(iam->denied[i], action) == 0)
            return 1;
    return 0;
}

void iam_denied_clear(struct sim_iam *iam)
{
    size_t i;

    for (i = 0; i < iam->ndenied; i++)
        tern_free(iam->denied[i]);
    tern_free(iam->denied);
    iam->denied = NULL;
    iam->ndenied = 0;
}

void sim_iam_reset(struct sim_iam *iam)
{
    clear(iam);
    iam_denied_clear(iam);
    iam_catalog_load(iam);
}

void sim_iam_free(struct sim_iam *iam)
{
    if (!iam)
        return;
    clear(iam);
    iam_denied_clear(iam);
    tern_free(iam->roles);
    tern_free(iam->profiles);
    tern_free(iam->policies);
    tern_free(iam);
}

/* Hooks for STS and Databricks */

/*
 * Split "arn:aws:iam::ACCT:<kind>/<path...>/<name>": copy ACCT into
 * account and point *path_and_name at "/<path...>/<name>". 0 on success.
 */
static int split_arn(const char *arn, const char *kind, char *account,
                     size_t account_len, const char **path_and_name)
{
    static const char prefix[] = "arn:aws:iam::";
    const char *p, *colon;
    size_t klen = strlen(kind);

    if (!arn || strncmp(arn, prefix, sizeof(prefix) - 1) != 0)
        return -1;
    p = arn + sizeof(prefix) - 1;
    colon = strchr(p, ':');
    if (!colon || (size_t)(colon - p) >= account_len || colon == p)
        return -1;
    memcpy(account, p, (size_t)(colon - p));
    account[colon - p] = '\0';
    p = colon + 1;
    if (strncmp(p, kind, klen) != 0 || p[klen] != '/')
        return -1;
    *path_and_name = p + klen;
    return 0;
}

/* Whether "/path/name" (from an ARN) names this object. */
static int arn_tail_matches(const char *tail, const char *path,
                            const char *name)
{
    size_t plen = strlen(path);

    return strncmp(tail, path, plen) == 0 && strcasecmp(tail + plen, name) == 0;
}

struct iam_role *iam_role_by_arn(struct sim_iam *iam, const char *arn,
                                 int64_t now)
{
    char account[64];
    const char *tail, *name;
    struct iam_role *r;

    if (split_arn(arn, "role", account, sizeof(account), &tail) != 0)
        return NULL;
    name = strrchr(tail, '/') + 1;
    r = iam_role_find(iam, account, name, now);
    if (!r || !arn_tail_matches(tail, r->path, r->name))
        return NULL;
    return r;
}

int sim_iam_role_for_assume(struct sim_iam *iam, const char *role_arn,
                            char *role_id, size_t role_id_len, int *max_session)
{
    int64_t now = sim_now_ms(iam->sim);
    struct iam_role *r = iam_role_by_arn(iam, role_arn, now);

    if (!r)
        return 0;
    if (role_id && role_id_len)
        snprintf(role_id, role_id_len, "%s", r->id);
    if (max_session)
        *max_session = now >= r->max_session_visible_at ? r->max_session
                                                        : r->prev_max_session;
    return 1;
}

int sim_iam_profile_usable(struct sim_iam *iam, const char *profile_arn)
{
    char account[64];
    const char *tail, *name;
    struct iam_profile *p;
    int64_t now = sim_now_ms(iam->sim);

    if (split_arn(profile_arn, "instance-profile", account, sizeof(account),
                  &tail) != 0)
        return 0;
    name = strrchr(tail, '/') + 1;
    p = iam_profile_find(iam, account, name, now);
    if (!p || !arn_tail_matches(tail, p->path, p->name))
        return 0;
    return p->role && now >= p->role_visible_at &&
           iam_role_find(iam, p->account, p->role, now) != NULL;
}
