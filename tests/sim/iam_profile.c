/*
 * IAM instance profile actions. Quirks kept from IAM: one role per
 * profile (LimitExceeded "Cannot exceed quota for
 * InstanceSessionsPerInstanceProfile: 1", even for the same role again);
 * DeleteConflict while the profile holds a role; membership propagates
 * like a new object (see iam.c).
 */
#include "iam.h"

#include "util/alloc.h"

#include <string.h>
#include <strings.h>

static const char *param(struct iam_ctx *c, const char *name)
{
    return sim_req_param(c->req, name);
}

static void put_profile(struct iam_ctx *c, const struct iam_profile *p)
{
    tern_buf_puts(&c->resp->body, "<InstanceProfile>");
    iam_xml_profile(c->iam, &c->resp->body, p, c->now);
    tern_buf_puts(&c->resp->body, "</InstanceProfile>");
}

void iam_create_instance_profile(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_tags tags = {NULL, 0};
    const char *name = param(c, "InstanceProfileName");
    const char *path = param(c, "Path");
    struct iam_profile *p;
    size_t i;

    iam_check_profile_name(&v, name);
    iam_check_path(&v, path, "path");
    iam_parse_tags(c, &v, &tags);
    if (iam_verr_send(c, &v) || iam_tags_check(c, &tags))
        goto done;
    if (iam_profile_find(c->iam, c->account, name, -1)) {
        iam_error(c, 409, "EntityAlreadyExists",
                  "Instance Profile %s already exists.", name);
        goto done;
    }
    p = iam_alloc(sizeof(*p));
    p->account = iam_dup(c->account);
    p->name = iam_dup(name);
    p->path = iam_dup(path ? path : "/");
    p->id = iam_new_id(c->iam, "AIPA");
    p->arn = iam_printf("arn:aws:iam::%s:instance-profile%s%s", c->account,
                        p->path, name);
    p->create_ms = c->now;
    p->visible_at = sim_visible_at(c->iam->sim);
    for (i = 0; i < tags.n; i++)
        iam_tags_set(&p->tags, tags.items[i].key, tags.items[i].value);
    iam_push((void ***)&c->iam->profiles, &c->iam->nprofiles,
             &c->iam->profiles_alloc, p);
    iam_begin(c, 1);
    put_profile(c, p);
    iam_end(c, 1);
done:
    iam_tags_release(&tags);
}

void iam_get_instance_profile(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "InstanceProfileName");
    struct iam_profile *p;

    iam_check_profile_name(&v, name);
    if (iam_verr_send(c, &v) || !(p = iam_need_profile(c, name)))
        return;
    iam_begin(c, 1);
    put_profile(c, p);
    iam_end(c, 1);
}

void iam_delete_instance_profile(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *name = param(c, "InstanceProfileName");
    struct iam_profile *p;

    iam_check_profile_name(&v, name);
    if (iam_verr_send(c, &v) || !(p = iam_need_profile(c, name)))
        return;
    if (p->role) {
        iam_error(c, 409, "DeleteConflict",
                  "Cannot delete entity, must remove roles from instance "
                  "profile first.");
        return;
    }
    iam_remove((void **)c->iam->profiles, &c->iam->nprofiles, p);
    iam_profile_free(p);
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_add_role_to_instance_profile(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *pname = param(c, "InstanceProfileName");
    const char *rname = param(c, "RoleName");
    struct iam_profile *p;
    struct iam_role *r;

    iam_check_profile_name(&v, pname);
    iam_check_role_name(&v, rname);
    if (iam_verr_send(c, &v) || !(p = iam_need_profile(c, pname)) ||
        !(r = iam_need_role(c, rname)))
        return;
    if (p->role) {
        iam_error(c, 409, "LimitExceeded",
                  "Cannot exceed quota for InstanceSessionsPerInstanceProfile: "
                  "%d",
                  IAM_ROLES_PER_PROFILE);
        return;
    }
    p->role = iam_dup(r->name);
    p->role_visible_at = sim_visible_at(c->iam->sim);
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_remove_role_from_instance_profile(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *pname = param(c, "InstanceProfileName");
    const char *rname = param(c, "RoleName");
    struct iam_profile *p;
    struct iam_role *r;

    iam_check_profile_name(&v, pname);
    iam_check_role_name(&v, rname);
    if (iam_verr_send(c, &v) || !(p = iam_need_profile(c, pname)) ||
        !(r = iam_need_role(c, rname)))
        return;
    if (!p->role || strcasecmp(p->role, r->name) != 0 ||
        c->now < p->role_visible_at) {
        iam_error(c, 404, "NoSuchEntity",
                  "The role with name %s cannot be found in instance profile "
                  "%s.",
                  rname, p->name);
        return;
    }
    tern_free(p->role);
    p->role = NULL;
    iam_begin(c, 0);
    iam_end(c, 0);
}

static void list_profiles(struct iam_ctx *c, const char *prefix,
                          const struct iam_role *role, struct iam_page *page)
{
    const char **keys;
    void **items;
    size_t i, n = 0, start, end;
    tern_buf *b = &c->resp->body;

    keys = iam_alloc((c->iam->nprofiles + 1) * sizeof(*keys));
    items = iam_alloc((c->iam->nprofiles + 1) * sizeof(*items));
    for (i = 0; i < c->iam->nprofiles; i++) {
        struct iam_profile *p = c->iam->profiles[i];

        if (strcmp(p->account, c->account) != 0 || c->now < p->visible_at ||
            (prefix && strncmp(p->path, prefix, strlen(prefix)) != 0))
            continue;
        if (role && (!p->role || strcasecmp(p->role, role->name) != 0 ||
                     c->now < p->role_visible_at))
            continue;
        keys[n] = iam_lower(p->name);
        items[n++] = p;
    }
    iam_sort(keys, items, n);
    iam_page_range(page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<InstanceProfiles>");
    for (i = start; i < end; i++) {
        tern_buf_puts(b, "<member>");
        iam_xml_profile(c->iam, b, items[i], c->now);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</InstanceProfiles>");
    iam_page_finish(b, page, keys, n, end);
    iam_end(c, 1);
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
}

void iam_list_instance_profiles_for_role(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *name = param(c, "RoleName");
    struct iam_role *r;

    iam_check_role_name(&v, name);
    iam_page_params(c, &v, &page);
    if (!iam_verr_send(c, &v) && !iam_page_bad(c, &page) &&
        (r = iam_need_role(c, name)) != NULL)
        list_profiles(c, NULL, r, &page);
    iam_page_release(&page);
}

void iam_list_instance_profiles(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *prefix = param(c, "PathPrefix");

    iam_check_path(&v, prefix, "pathPrefix");
    iam_page_params(c, &v, &page);
    if (!iam_verr_send(c, &v) && !iam_page_bad(c, &page))
        list_profiles(c, prefix, NULL, &page);
    iam_page_release(&page);
}
