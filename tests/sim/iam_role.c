/*
 * IAM role actions: the role itself, its tags, its inline policies and its
 * attached managed policies. Quirks kept from IAM: names unique ignoring
 * case; DeleteConflict while a role has policies or sits in an instance
 * profile; at most 10 managed policies per role; inline policies of one
 * role share 10,240 characters (whitespace not counted); a trust policy
 * has 2,048. See iam.c for when changes become visible.
 */
#include "iam.h"

#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *param(struct iam_ctx *c, const char *name)
{
    return sim_req_param(c->req, name);
}

static void put_role(struct iam_ctx *c, const struct iam_role *r,
                     enum iam_role_view view)
{
    tern_buf_puts(&c->resp->body, "<Role>");
    iam_xml_role(&c->resp->body, r, c->now, view);
    tern_buf_puts(&c->resp->body, "</Role>");
}

void iam_create_role(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_tags tags = {NULL, 0};
    const char *name = param(c, "RoleName");
    const char *path = param(c, "Path");
    const char *doc = param(c, "AssumeRolePolicyDocument");
    const char *desc = param(c, "Description");
    const char *boundary = param(c, "PermissionsBoundary");
    long max_session = IAM_SESSION_MIN;
    struct iam_role *r;
    struct iam_policy *bp;
    size_t i;

    iam_check_role_name(&v, name);
    iam_check_path(&v, path, "path");
    iam_check_doc(&v, doc, "assumeRolePolicyDocument");
    iam_check_str(&v, desc, "description", 0, 0, IAM_DESCRIPTION_MAX,
                  IAM_PAT_DESCRIPTION);
    iam_check_int(&v, param(c, "MaxSessionDuration"), "maxSessionDuration",
                  IAM_SESSION_MIN, IAM_SESSION_MAX, &max_session);
    if (boundary)
        iam_check_arn(&v, boundary, "permissionsBoundary");
    iam_parse_tags(c, &v, &tags);
    if (iam_verr_send(c, &v) || iam_tags_check(c, &tags))
        goto done;
    if (boundary) {
        if (!iam_policy_arn_valid(boundary)) {
            iam_error(c, 400, "InvalidInput", "ARN %s is not valid.", boundary);
            goto done;
        }
        bp = iam_policy_find(c->iam, boundary);
        if (!bp || (strcmp(bp->account, "aws") != 0 &&
                    strcmp(bp->account, c->account) != 0)) {
            iam_error(c, 404, "NoSuchEntity",
                      "Scope ARN: %s does not exist or is not attachable.",
                      boundary);
            goto done;
        }
    }
    if (iam_role_find(c->iam, c->account, name, -1)) {
        iam_error(c, 409, "EntityAlreadyExists",
                  "Role with name %s already exists.", name);
        goto done;
    }
    if (iam_check_policy(c, doc, IAM_DOC_TRUST))
        goto done;

    r = iam_alloc(sizeof(*r));
    r->account = iam_dup(c->account);
    r->name = iam_dup(name);
    r->path = iam_dup(path ? path : "/");
    r->id = iam_new_id(c->iam, "AROA");
    r->arn = iam_printf("arn:aws:iam::%s:role%s%s", c->account, r->path, name);
    r->create_ms = c->now;
    r->visible_at = sim_visible_at(c->iam->sim);
    r->trust.cur = iam_dup(doc);
    r->description.cur = iam_dup(desc);
    r->max_session = r->prev_max_session = (int)max_session;
    r->boundary = iam_dup(boundary);
    for (i = 0; i < tags.n; i++)
        iam_tags_set(&r->tags, tags.items[i].key, tags.items[i].value);
    iam_push((void ***)&c->iam->roles, &c->iam->nroles, &c->iam->roles_alloc,
             r);

    iam_begin(c, 1);
    put_role(c, r, IAM_ROLE_CREATE);
    iam_end(c, 1);
done:
    iam_tags_release(&tags);
}

void iam_get_role(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    struct iam_role *r;

    iam_check_role_name(&v, name);
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)))
        return;
    iam_begin(c, 1);
    put_role(c, r, IAM_ROLE_GET);
    iam_end(c, 1);
}

void iam_update_role(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *desc = param(c, "Description");
    long max_session = -1;
    struct iam_role *r;
    int64_t visible_at;

    iam_check_role_name(&v, name);
    iam_check_str(&v, desc, "description", 0, 0, IAM_DESCRIPTION_MAX,
                  IAM_PAT_DESCRIPTION);
    iam_check_int(&v, param(c, "MaxSessionDuration"), "maxSessionDuration",
                  IAM_SESSION_MIN, IAM_SESSION_MAX, &max_session);
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)))
        return;
    visible_at = sim_visible_at(c->iam->sim);
    if (desc)
        iam_ver_set(&r->description, desc, c->now, visible_at);
    if (max_session > 0) {
        if (c->now >= r->max_session_visible_at)
            r->prev_max_session = r->max_session;
        r->max_session = (int)max_session;
        r->max_session_visible_at = visible_at;
    }
    iam_begin(c, 1);
    iam_end(c, 1);
}

void iam_update_assume_role_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *doc = param(c, "PolicyDocument");
    struct iam_role *r;

    iam_check_role_name(&v, name);
    iam_check_doc(&v, doc, "policyDocument");
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)) ||
        iam_check_policy(c, doc, IAM_DOC_TRUST))
        return;
    iam_ver_set(&r->trust, doc, c->now, sim_visible_at(c->iam->sim));
    iam_begin(c, 0);
    iam_end(c, 0);
}

static int in_a_profile(struct sim_iam *iam, const struct iam_role *r)
{
    size_t i;

    for (i = 0; i < iam->nprofiles; i++) {
        const struct iam_profile *p = iam->profiles[i];

        if (p->role && strcmp(p->account, r->account) == 0 &&
            strcasecmp(p->role, r->name) == 0)
            return 1;
    }
    return 0;
}

/* A copy of text with every "from" (quoted) replaced by "to"; or NULL. */
static char *replace_quoted(const char *text, const char *from, const char *to)
{
    tern_buf b = TERN_BUF_INIT;
    char *qfrom = iam_printf("\"%s\"", from);
    const char *p = text, *hit;

    if (!text || !strstr(text, qfrom)) {
        tern_free(qfrom);
        return NULL;
    }
    while ((hit = strstr(p, qfrom)) != NULL) {
        tern_buf_put(&b, p, (size_t)(hit - p));
        tern_buf_printf(&b, "\"%s\"", to);
        p = hit + strlen(qfrom);
    }
    tern_buf_puts(&b, p);
    tern_free(qfrom);
    if (tern_buf_oom(&b))
        abort();
    return tern_buf_detach(&b);
}

/*
 * IAM stores a principal by its unique id: once the role it names is
 * gone, trust policies show the id (AROA...) where the ARN was, and a new
 * role of the same name is not the same principal.
 */
static void orphan_principal(struct sim_iam *iam, const struct iam_role *gone)
{
    size_t i;

    for (i = 0; i < iam->nroles; i++) {
        struct iam_role *r = iam->roles[i];
        char *cur = replace_quoted(r->trust.cur, gone->arn, gone->id);
        char *prev = replace_quoted(r->trust.prev, gone->arn, gone->id);

        if (cur) {
            tern_free(r->trust.cur);
            r->trust.cur = cur;
        }
        if (prev) {
            tern_free(r->trust.prev);
            r->trust.prev = prev;
        }
    }
}

void iam_delete_role(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    struct iam_role *r;

    iam_check_role_name(&v, name);
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)))
        return;
    /* Conflicts count what exists, visible or not yet. */
    if (in_a_profile(c->iam, r)) {
        iam_error(c, 409, "DeleteConflict",
                  "Cannot delete entity, must remove roles from instance "
                  "profile first.");
        return;
    }
    if (r->natt) {
        iam_error(c, 409, "DeleteConflict",
                  "Cannot delete entity, must detach all policies first.");
        return;
    }
    if (r->ninl) {
        iam_error(c, 409, "DeleteConflict",
                  "Cannot delete entity, must delete policies first.");
        return;
    }
    iam_remove((void **)c->iam->roles, &c->iam->nroles, r);
    orphan_principal(c->iam, r);
    iam_role_free(r);
    iam_begin(c, 0);
    iam_end(c, 0);
}

/* Tags */

/* TagRole / TagInstanceProfile / TagPolicy: add or replace tags, at most
 * 50 in all. */
void iam_tag_object(struct iam_ctx *c, struct iam_verr *v,
                    iam_tags_of_fn *have_tags_of)
{
    struct iam_tags tags = {NULL, 0};
    struct iam_tags *have;
    size_t i, j, added = 0;

    iam_parse_tags(c, v, &tags);
    if (tags.n == 0)
        iam_verr_add(v, NULL, "tags", "Member must not be null");
    if (iam_verr_send(c, v) || iam_tags_check(c, &tags) ||
        !(have = have_tags_of(c)))
        goto done;
    for (i = 0; i < tags.n; i++) {
        int found = 0;

        for (j = 0; j < have->n; j++)
            if (strcasecmp(have->items[j].key, tags.items[i].key) == 0)
                found = 1;
        added += !found;
    }
    if (have->n + added > IAM_TAGS_MAX) {
        iam_error(c, 409, "LimitExceeded",
                  "The number of tags has reached the maximum limit.");
        goto done;
    }
    for (i = 0; i < tags.n; i++)
        iam_tags_set(have, tags.items[i].key, tags.items[i].value);
    iam_begin(c, 0);
    iam_end(c, 0);
done:
    iam_tags_release(&tags);
}

/* UntagRole / UntagInstanceProfile / UntagPolicy: keys that are not there
 * are ignored. */
void iam_untag_object(struct iam_ctx *c, struct iam_verr *v,
                      iam_tags_of_fn *have_tags_of)
{
    char **keys = iam_parse_tag_keys(c, v);
    struct iam_tags *have;
    size_t i, j;

    if (iam_verr_send(c, v) || !(have = have_tags_of(c)))
        goto done;
    for (i = 0; keys[i]; i++) {
        for (j = 0; j < have->n; j++) {
            if (strcasecmp(have->items[j].key, keys[i]) == 0) {
                tern_free(have->items[j].key);
                tern_free(have->items[j].value);
                memmove(have->items + j, have->items + j + 1,
                        (have->n - j - 1) * sizeof(*have->items));
                have->n--;
                break;
            }
        }
    }
    iam_begin(c, 0);
    iam_end(c, 0);
done:
    iam_strv_free(keys);
}

static struct iam_tags *role_tags(struct iam_ctx *c)
{
    struct iam_role *r = iam_need_role(c, param(c, "RoleName"));

    return r ? &r->tags : NULL;
}

static struct iam_tags *profile_tags(struct iam_ctx *c)
{
    struct iam_profile *p =
        iam_need_profile(c, param(c, "InstanceProfileName"));

    return p ? &p->tags : NULL;
}

void iam_tag_role(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_role_name(&v, param(c, "RoleName"));
    iam_tag_object(c, &v, role_tags);
}

void iam_untag_role(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_role_name(&v, param(c, "RoleName"));
    iam_untag_object(c, &v, role_tags);
}

void iam_tag_instance_profile(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_profile_name(&v, param(c, "InstanceProfileName"));
    iam_tag_object(c, &v, profile_tags);
}

void iam_untag_instance_profile(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_profile_name(&v, param(c, "InstanceProfileName"));
    iam_untag_object(c, &v, profile_tags);
}

/* PutRolePermissionsBoundary: the policy must exist and be the caller's or
 * AWS's; the boundary changes at once (as the role's tags do). */
void iam_put_role_permissions_boundary(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *boundary = param(c, "PermissionsBoundary");
    struct iam_policy *bp;
    struct iam_role *r;

    iam_check_role_name(&v, name);
    if (!boundary)
        iam_verr_add(&v, NULL, "permissionsBoundary",
                     "Member must not be null");
    else
        iam_check_arn(&v, boundary, "permissionsBoundary");
    if (iam_verr_send(c, &v))
        return;
    if (!iam_policy_arn_valid(boundary)) {
        iam_error(c, 400, "InvalidInput", "ARN %s is not valid.", boundary);
        return;
    }
    bp = iam_policy_find(c->iam, boundary);
    if (!bp || (strcmp(bp->account, "aws") != 0 &&
                strcmp(bp->account, c->account) != 0)) {
        iam_error(c, 404, "NoSuchEntity",
                  "Scope ARN: %s does not exist or is not attachable.",
                  boundary);
        return;
    }
    if (!(r = iam_need_role(c, name)))
        return;
    tern_free(r->boundary);
    r->boundary = iam_dup(boundary);
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_delete_role_permissions_boundary(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    struct iam_role *r;

    iam_check_role_name(&v, name);
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)))
        return;
    tern_free(r->boundary);
    r->boundary = NULL;
    iam_begin(c, 0);
    iam_end(c, 0);
}

/* ListRoleTags / ListPolicyTags: by key (ignoring case), paged. */
void iam_list_tags(struct iam_ctx *c, struct iam_verr *v,
                   iam_tags_of_fn *have_tags_of)
{
    struct iam_page page;
    struct iam_tags *t;
    const char **keys = NULL;
    void **items = NULL;
    size_t i, start, end;
    tern_buf *b = &c->resp->body;

    iam_page_params(c, v, &page);
    if (iam_verr_send(c, v) || iam_page_bad(c, &page) || !(t = have_tags_of(c)))
        goto done;
    keys = iam_alloc((t->n + 1) * sizeof(*keys));
    items = iam_alloc((t->n + 1) * sizeof(*items));
    for (i = 0; i < t->n; i++) {
        keys[i] = iam_lower(t->items[i].key);
        items[i] = &t->items[i];
    }
    iam_sort(keys, items, t->n);
    iam_page_range(&page, keys, t->n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<Tags>");
    for (i = start; i < end; i++) {
        const struct iam_tag *tag = items[i];

        tern_buf_puts(b, "<member>");
        sim_xml_elem(b, "Key", tag->key);
        sim_xml_elem(b, "Value", tag->value);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</Tags>");
    iam_page_finish(b, &page, keys, t->n, end);
    iam_end(c, 1);
    for (i = 0; i < t->n; i++)
        tern_free((char *)keys[i]);
done:
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}

void iam_list_role_tags(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_role_name(&v, param(c, "RoleName"));
    iam_list_tags(c, &v, role_tags);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

void iam_list_roles(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *prefix = param(c, "PathPrefix");
    const char **keys = NULL;
    void **items = NULL;
    size_t i, n = 0, start, end;
    tern_buf *b = &c->resp->body;

    iam_check_path(&v, prefix, "pathPrefix");
    iam_page_params(c, &v, &page);
    if (iam_verr_send(c, &v) || iam_page_bad(c, &page))
        goto done;
    keys = iam_alloc((c->iam->nroles + 1) * sizeof(*keys));
    items = iam_alloc((c->iam->nroles + 1) * sizeof(*items));
    for (i = 0; i < c->iam->nroles; i++) {
        struct iam_role *r = c->iam->roles[i];

        if (strcmp(r->account, c->account) != 0 || c->now < r->visible_at ||
            (prefix && !starts_with(r->path, prefix)))
            continue;
        keys[n] = iam_lower(r->name);
        items[n++] = r;
    }
    iam_sort(keys, items, n);
    iam_page_range(&page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<Roles>");
    for (i = start; i < end; i++) {
        tern_buf_puts(b, "<member>");
        iam_xml_role(b, items[i], c->now, IAM_ROLE_LIST);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</Roles>");
    iam_page_finish(b, &page, keys, n, end);
    iam_end(c, 1);
done:
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}

/* Managed policies */

static struct iam_attach *find_attach(struct iam_role *r, const char *arn)
{
    size_t i;

    for (i = 0; i < r->natt; i++)
        if (strcmp(r->att[i].arn, arn) == 0)
            return &r->att[i];
    return NULL;
}

void iam_attach_role_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *arn = param(c, "PolicyArn");
    struct iam_role *r;
    struct iam_policy *p;

    iam_check_role_name(&v, name);
    iam_check_arn(&v, arn, "policyArn");
    if (iam_verr_send(c, &v))
        return;
    if (!iam_policy_arn_valid(arn)) {
        iam_error(c, 400, "InvalidInput", "ARN %s is not valid.", arn);
        return;
    }
    if (!(r = iam_need_role(c, name)))
        return;
    p = iam_policy_find(c->iam, arn);
    /* A customer policy created a moment ago is not there yet. */
    if (!p ||
        (strcmp(p->account, "aws") != 0 &&
         (strcmp(p->account, c->account) != 0 || c->now < p->visible_at))) {
        iam_error(c, 404, "NoSuchEntity",
                  "Policy %s does not exist or is not attachable.", arn);
        return;
    }
    if (!p->attachable) {
        iam_error(c, 400, "PolicyNotAttachable",
                  "Cannot attach a Service Role Policy to a Customer Role.");
        return;
    }
    if (!find_attach(r, arn)) {
        if (r->natt >= IAM_MANAGED_PER_ROLE) {
            iam_error(c, 409, "LimitExceeded",
                      "Cannot exceed quota for PoliciesPerRole: %d",
                      IAM_MANAGED_PER_ROLE);
            return;
        }
        r->att = iam_grow(r->att, (r->natt + 1) * sizeof(*r->att));
        r->att[r->natt].arn = iam_dup(arn);
        r->att[r->natt].visible_at = sim_visible_at(c->iam->sim);
        r->natt++;
    }
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_detach_role_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *arn = param(c, "PolicyArn");
    struct iam_role *r;
    struct iam_attach *a;

    iam_check_role_name(&v, name);
    iam_check_arn(&v, arn, "policyArn");
    if (iam_verr_send(c, &v))
        return;
    if (!iam_policy_arn_valid(arn)) {
        iam_error(c, 400, "InvalidInput", "ARN %s is not valid.", arn);
        return;
    }
    if (!(r = iam_need_role(c, name)))
        return;
    a = find_attach(r, arn);
    if (!a || c->now < a->visible_at) {
        iam_error(c, 404, "NoSuchEntity", "Policy %s was not found.", arn);
        return;
    }
    tern_free(a->arn);
    memmove(a, a + 1, (size_t)(r->att + r->natt - a - 1) * sizeof(*a));
    r->natt--;
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_list_attached_role_policies(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *name = param(c, "RoleName");
    const char *prefix = param(c, "PathPrefix");
    struct iam_role *r;
    const char **keys = NULL;
    void **items = NULL;
    size_t i, n = 0, start, end;
    tern_buf *b = &c->resp->body;

    iam_check_role_name(&v, name);
    iam_check_path(&v, prefix, "pathPrefix");
    iam_page_params(c, &v, &page);
    if (iam_verr_send(c, &v) || iam_page_bad(c, &page) ||
        !(r = iam_need_role(c, name)))
        goto done;
    keys = iam_alloc((r->natt + 1) * sizeof(*keys));
    items = iam_alloc((r->natt + 1) * sizeof(*items));
    for (i = 0; i < r->natt; i++) {
        struct iam_policy *p = iam_policy_find(c->iam, r->att[i].arn);
        char *lower;

        if (!p || c->now < r->att[i].visible_at ||
            (prefix && !starts_with(p->path, prefix)))
            continue;
        /* By name, then ARN: an AWS and a customer policy may share one. */
        lower = iam_lower(p->name);
        keys[n] = iam_printf("%s\x01%s", lower, p->arn);
        tern_free(lower);
        items[n++] = p;
    }
    iam_sort(keys, items, n);
    iam_page_range(&page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<AttachedPolicies>");
    for (i = start; i < end; i++) {
        const struct iam_policy *p = items[i];

        tern_buf_puts(b, "<member>");
        sim_xml_elem(b, "PolicyName", p->name);
        sim_xml_elem(b, "PolicyArn", p->arn);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</AttachedPolicies>");
    iam_page_finish(b, &page, keys, n, end);
    iam_end(c, 1);
done:
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}

/* Inline policies */

static struct iam_inline *find_inline(struct iam_role *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->ninl; i++)
        if (strcmp(r->inl[i].name, name) == 0)
            return &r->inl[i];
    return NULL;
}

void iam_put_role_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *pname = param(c, "PolicyName");
    const char *doc = param(c, "PolicyDocument");
    struct iam_role *r;
    struct iam_inline *in;
    size_t i, total;

    iam_check_role_name(&v, name);
    iam_check_policy_name(&v, pname);
    iam_check_doc(&v, doc, "policyDocument");
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)) ||
        iam_check_policy(c, doc, IAM_DOC_IDENTITY))
        return;
    /* The quota is on the latest versions of all the role's policies. */
    total = iam_policy_size(doc);
    for (i = 0; i < r->ninl; i++)
        if (strcmp(r->inl[i].name, pname) != 0)
            total += iam_policy_size(r->inl[i].doc.cur);
    if (total > IAM_INLINE_BYTES_PER_ROLE) {
        iam_error(c, 409, "LimitExceeded",
                  "Maximum policy size of %d bytes exceeded for role %s",
                  IAM_INLINE_BYTES_PER_ROLE, r->name);
        return;
    }
    in = find_inline(r, pname);
    if (!in) {
        r->inl = iam_grow(r->inl, (r->ninl + 1) * sizeof(*r->inl));
        in = &r->inl[r->ninl++];
        memset(in, 0, sizeof(*in));
        in->name = iam_dup(pname);
        in->doc.cur = iam_dup(doc);
        in->doc.visible_at = sim_visible_at(c->iam->sim);
    } else {
        iam_ver_set(&in->doc, doc, c->now, sim_visible_at(c->iam->sim));
    }
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_get_role_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *pname = param(c, "PolicyName");
    struct iam_role *r;
    struct iam_inline *in;
    const char *doc;
    tern_buf *b = &c->resp->body;

    iam_check_role_name(&v, name);
    iam_check_policy_name(&v, pname);
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)))
        return;
    in = find_inline(r, pname);
    doc = in ? iam_ver_get(&in->doc, c->now) : NULL;
    if (!doc) {
        iam_error(c, 404, "NoSuchEntity",
                  "The role policy with name %s cannot be found.", pname);
        return;
    }
    iam_begin(c, 1);
    sim_xml_elem(b, "RoleName", r->name);
    sim_xml_elem(b, "PolicyName", in->name);
    iam_xml_doc(b, "PolicyDocument", doc);
    iam_end(c, 1);
}

void iam_delete_role_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "RoleName");
    const char *pname = param(c, "PolicyName");
    struct iam_role *r;
    struct iam_inline *in;

    iam_check_role_name(&v, name);
    iam_check_policy_name(&v, pname);
    if (iam_verr_send(c, &v) || !(r = iam_need_role(c, name)))
        return;
    in = find_inline(r, pname);
    if (!in || !iam_ver_get(&in->doc, c->now)) {
        iam_error(c, 404, "NoSuchEntity",
                  "The role policy with name %s cannot be found.", pname);
        return;
    }
    tern_free(in->name);
    iam_ver_release(&in->doc);
    memmove(in, in + 1, (size_t)(r->inl + r->ninl - in - 1) * sizeof(*in));
    r->ninl--;
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_list_role_policies(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *name = param(c, "RoleName");
    struct iam_role *r;
    const char **keys = NULL;
    void **items = NULL;
    size_t i, n = 0, start, end;
    tern_buf *b = &c->resp->body;

    iam_check_role_name(&v, name);
    iam_page_params(c, &v, &page);
    if (iam_verr_send(c, &v) || iam_page_bad(c, &page) ||
        !(r = iam_need_role(c, name)))
        goto done;
    keys = iam_alloc((r->ninl + 1) * sizeof(*keys));
    items = iam_alloc((r->ninl + 1) * sizeof(*items));
    for (i = 0; i < r->ninl; i++) {
        if (!iam_ver_get(&r->inl[i].doc, c->now))
            continue;
        keys[n] = iam_dup(r->inl[i].name);
        items[n++] = &r->inl[i];
    }
    iam_sort(keys, items, n);
    iam_page_range(&page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<PolicyNames>");
    for (i = start; i < end; i++)
        sim_xml_elem(b, "member", ((struct iam_inline *)items[i])->name);
    tern_buf_puts(b, "</PolicyNames>");
    iam_page_finish(b, &page, keys, n, end);
    iam_end(c, 1);
done:
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}
