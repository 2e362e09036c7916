/*
 * Customer managed policies: CreatePolicy, CreatePolicyVersion,
 * DeletePolicyVersion, SetDefaultPolicyVersion, ListPolicyVersions,
 * DeletePolicy, Tag/UntagPolicy, ListPolicyTags and ListEntitiesForPolicy.
 * GetPolicy, GetPolicyVersion, ListPolicies and
 * GetAccountAuthorizationDetails serve them with AWS's catalogue
 * (iam_catalog.c).
 *
 * Rules kept from IAM:
 * - Policy names are unique in an account ignoring case, whatever the
 *   path (EntityAlreadyExists).
 * - A policy has at most 5 versions (LimitExceeded on the sixth); version
 *   ids count up from v1 and are never reused.
 * - A document is at most 6,144 characters not counting whitespace
 *   (LimitExceeded "Cannot exceed quota for PolicySize: 6144"), checked
 *   after its grammar (MalformedPolicyDocument).
 * - DeletePolicy is DeleteConflict while the policy is attached to a role
 *   or is a role's permissions boundary (visible or not yet), and while it
 *   has versions besides the default one; DeletePolicyVersion is
 *   DeleteConflict for the default version.
 * - The attachment count is not stored: GetPolicy and the lists count the
 *   roles that attach the policy (AttachRolePolicy, DetachRolePolicy), so
 *   it is always what the roles say.
 * - A new policy propagates like a new role (iam.c): until visible_at it
 *   is NoSuchEntity to GetPolicy, AttachRolePolicy and every call here,
 *   and missing from the lists. New versions, the default version and tags
 *   change at once.
 * - AWS managed policies can be read (ListPolicyVersions,
 *   ListEntitiesForPolicy) but not changed: AccessDenied, as IAM answers
 *   every account.
 */
#include "iam.h"

#include "util/alloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *param(struct iam_ctx *c, const char *name)
{
    return sim_req_param(c->req, name);
}

/* The policy @arn names as the caller may see it; NULL after the error. */
static struct iam_policy *need_policy(struct iam_ctx *c, const char *arn,
                                      int change)
{
    struct iam_policy *p;

    if (!iam_policy_arn_valid(arn)) {
        iam_error(c, 400, "InvalidInput", "ARN %s is not valid.", arn);
        return NULL;
    }
    p = iam_policy_find(c->iam, arn);
    if (p && strcmp(p->account, "aws") == 0) {
        if (!change)
            return p;
        iam_error(c, 403, "AccessDenied",
                  "User: %s is not authorized to perform: iam:%s on "
                  "resource: policy %s",
                  c->req->caller_arn ? c->req->caller_arn : "anonymous",
                  c->action, arn);
        return NULL;
    }
    if (!p || strcmp(p->account, c->account) != 0 || c->now < p->visible_at) {
        iam_error(c, 404, "NoSuchEntity", "Policy %s was not found.", arn);
        return NULL;
    }
    return p;
}

struct iam_policy *iam_need_policy(struct iam_ctx *c, const char *arn)
{
    return need_policy(c, arn, 1);
}

/* A document's grammar, then its size, as IAM checks them. */
static int check_document(struct iam_ctx *c, const char *doc)
{
    if (iam_check_policy(c, doc, IAM_DOC_IDENTITY))
        return -1;
    if (iam_policy_size(doc) > IAM_MANAGED_POLICY_SIZE) {
        iam_error(c, 409, "LimitExceeded",
                  "Cannot exceed quota for PolicySize: %d",
                  IAM_MANAGED_POLICY_SIZE);
        return -1;
    }
    return 0;
}

void iam_create_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_tags tags = {NULL, 0};
    const char *name = param(c, "PolicyName");
    const char *path = param(c, "Path");
    const char *doc = param(c, "PolicyDocument");
    const char *desc = param(c, "Description");
    struct iam_policy *p;
    size_t i;

    iam_check_policy_name(&v, name);
    iam_check_str(&v, path, "path", 0, 1, IAM_PATH_MAX, IAM_PAT_POLICY_PATH);
    iam_check_doc(&v, doc, "policyDocument");
    iam_check_str(&v, desc, "description", 0, 0, IAM_DESCRIPTION_MAX,
                  IAM_PAT_NONE);
    iam_parse_tags(c, &v, &tags);
    if (iam_verr_send(c, &v) || iam_tags_check(c, &tags))
        goto done;
    for (i = 0; i < c->iam->npolicies; i++) {
        p = c->iam->policies[i];
        if (strcmp(p->account, c->account) == 0 &&
            strcasecmp(p->name, name) == 0) {
            iam_error(c, 409, "EntityAlreadyExists",
                      "A policy called %s already exists. Duplicate names "
                      "are not allowed.",
                      name);
            goto done;
        }
    }
    if (check_document(c, doc))
        goto done;

    p = iam_alloc(sizeof(*p));
    p->account = iam_dup(c->account);
    p->name = iam_dup(name);
    p->path = iam_dup(path ? path : "/");
    p->id = iam_new_id(c->iam, "ANPA");
    p->arn =
        iam_printf("arn:aws:iam::%s:policy%s%s", c->account, p->path, name);
    p->description = desc && *desc ? iam_dup(desc) : NULL;
    p->next_version = 1;
    iam_policy_add_version(p, doc, c->now);
    p->default_version = iam_dup(p->versions[0].id);
    for (i = 0; i < tags.n; i++)
        iam_tags_set(&p->tags, tags.items[i].key, tags.items[i].value);
    p->create_ms = p->update_ms = c->now;
    p->visible_at = sim_visible_at(c->iam->sim);
    p->attachable = 1;
    iam_push((void ***)&c->iam->policies, &c->iam->npolicies,
             &c->iam->policies_alloc, p);

    iam_begin(c, 1);
    iam_xml_policy(c, &c->resp->body, p);
    iam_end(c, 1);
done:
    iam_tags_release(&tags);
}

void iam_delete_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *arn = param(c, "PolicyArn");
    struct iam_policy *p;

    iam_check_arn(&v, arn, "policyArn");
    if (iam_verr_send(c, &v) || !(p = iam_need_policy(c, arn)))
        return;
    /* Conflicts count what exists, visible or not yet. */
    if (iam_policy_attachments(c->iam, c->account, arn, INT64_MAX, 0) ||
        iam_policy_attachments(c->iam, c->account, arn, INT64_MAX, 1)) {
        iam_error(c, 409, "DeleteConflict",
                  "Cannot delete a policy attached to entities.");
        return;
    }
    if (p->nversions > 1) {
        iam_error(c, 409, "DeleteConflict",
                  "This policy has more than one version. Before you delete "
                  "a policy, you must delete the policy's versions. The "
                  "default version is deleted with the policy.");
        return;
    }
    iam_remove((void **)c->iam->policies, &c->iam->npolicies, p);
    iam_policy_free(p);
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_create_policy_version(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *arn = param(c, "PolicyArn");
    const char *doc = param(c, "PolicyDocument");
    const char *set_default = param(c, "SetAsDefault");
    struct iam_policy *p;
    struct iam_policy_version *pv;

    iam_check_arn(&v, arn, "policyArn");
    iam_check_doc(&v, doc, "policyDocument");
    if (set_default && strcmp(set_default, "true") != 0 &&
        strcmp(set_default, "false") != 0)
        iam_verr_add(&v, set_default, "setAsDefault",
                     "Member must be a boolean");
    if (iam_verr_send(c, &v) || !(p = iam_need_policy(c, arn)) ||
        check_document(c, doc))
        return;
    if (p->nversions >= IAM_POLICY_VERSIONS_MAX) {
        iam_error(c, 409, "LimitExceeded",
                  "A managed policy can have up to %d versions. Before you "
                  "create a new version, you must delete an existing "
                  "version.",
                  IAM_POLICY_VERSIONS_MAX);
        return;
    }
    pv = iam_policy_add_version(p, doc, c->now);
    p->update_ms = c->now;
    if (set_default && strcmp(set_default, "true") == 0) {
        tern_free(p->default_version);
        p->default_version = iam_dup(pv->id);
    }
    iam_begin(c, 1);
    tern_buf_puts(&c->resp->body, "<PolicyVersion>");
    iam_xml_policy_version(&c->resp->body, p, pv, 0);
    tern_buf_puts(&c->resp->body, "</PolicyVersion>");
    iam_end(c, 1);
}

/* The version the request names, of a policy the caller may change; NULL
 * after the error. */
static struct iam_policy_version *need_version(struct iam_ctx *c,
                                               struct iam_policy **pp)
{
    struct iam_verr v = IAM_VERR_INIT;
    const char *arn = param(c, "PolicyArn");
    const char *id = param(c, "VersionId");
    struct iam_policy_version *pv;

    iam_check_arn(&v, arn, "policyArn");
    iam_check_version_id(&v, id);
    if (iam_verr_send(c, &v) || !(*pp = iam_need_policy(c, arn)))
        return NULL;
    pv = iam_policy_version(*pp, id);
    if (!pv)
        iam_error(c, 404, "NoSuchEntity",
                  "Policy %s version %s does not exist or is not attachable.",
                  arn, id);
    return pv;
}

void iam_delete_policy_version(struct iam_ctx *c)
{
    struct iam_policy *p = NULL;
    struct iam_policy_version *pv = need_version(c, &p);
    size_t i;

    if (!pv)
        return;
    if (strcmp(pv->id, p->default_version) == 0) {
        iam_error(c, 409, "DeleteConflict",
                  "Cannot delete the default version of a policy.");
        return;
    }
    i = (size_t)(pv - p->versions);
    tern_free(pv->id);
    tern_free(pv->document);
    memmove(p->versions + i, p->versions + i + 1,
            (p->nversions - i - 1) * sizeof(*p->versions));
    p->nversions--;
    iam_begin(c, 0);
    iam_end(c, 0);
}

void iam_set_default_policy_version(struct iam_ctx *c)
{
    struct iam_policy *p = NULL;
    struct iam_policy_version *pv = need_version(c, &p);

    if (!pv)
        return;
    tern_free(p->default_version);
    p->default_version = iam_dup(pv->id);
    iam_begin(c, 0);
    iam_end(c, 0);
}

/* ListPolicyVersions: newest first, as IAM lists them. */
void iam_list_policy_versions(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *arn = param(c, "PolicyArn");
    struct iam_policy *p;
    const char **keys = NULL;
    void **items = NULL;
    size_t i, n = 0, start, end;
    tern_buf *b = &c->resp->body;

    iam_check_arn(&v, arn, "policyArn");
    iam_page_params(c, &v, &page);
    if (iam_verr_send(c, &v) || iam_page_bad(c, &page) ||
        !(p = need_policy(c, arn, 0)))
        goto done;
    keys = iam_alloc((p->nversions + 1) * sizeof(*keys));
    items = iam_alloc((p->nversions + 1) * sizeof(*items));
    for (i = 0; i < p->nversions; i++) {
        /* Versions are kept in the order created: the key counts down. */
        keys[n] = iam_printf("%010zu", (size_t)INT_MAX - i);
        items[n++] = &p->versions[i];
    }
    iam_sort(keys, items, n);
    iam_page_range(&page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<Versions>");
    for (i = start; i < end; i++) {
        tern_buf_puts(b, "<member>");
        iam_xml_policy_version(b, p, items[i], 0);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</Versions>");
    iam_page_finish(b, &page, keys, n, end);
    iam_end(c, 1);
done:
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}

static struct iam_tags *policy_tags(struct iam_ctx *c)
{
    struct iam_policy *p = iam_need_policy(c, param(c, "PolicyArn"));

    return p ? &p->tags : NULL;
}

void iam_tag_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_arn(&v, param(c, "PolicyArn"), "policyArn");
    iam_tag_object(c, &v, policy_tags);
}

void iam_untag_policy(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_arn(&v, param(c, "PolicyArn"), "policyArn");
    iam_untag_object(c, &v, policy_tags);
}

void iam_list_policy_tags(struct iam_ctx *c)
{
    struct iam_verr v = IAM_VERR_INIT;

    iam_check_arn(&v, param(c, "PolicyArn"), "policyArn");
    iam_list_tags(c, &v, policy_tags);
}

/*
 * ListEntitiesForPolicy: the roles that attach the policy
 * (PolicyUsageFilter PermissionsPolicy) or use it as their permissions
 * boundary (PermissionsBoundary), both when not filtered; by name. The
 * simulator has no users or groups, so those lists are always empty.
 */
void iam_list_entities_for_policy(struct iam_ctx *c)
{
    static const char *const entity_types[] = {
        "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"};
    struct iam_verr v = IAM_VERR_INIT;
    struct iam_page page;
    const char *arn = param(c, "PolicyArn");
    const char *filter = param(c, "EntityFilter");
    const char *prefix = param(c, "PathPrefix");
    const char *usage = param(c, "PolicyUsageFilter");
    const char **keys = NULL;
    void **items = NULL;
    size_t i, j, n = 0, start, end;
    int known = !filter;
    tern_buf *b = &c->resp->body;

    iam_check_arn(&v, arn, "policyArn");
    for (i = 0; filter && i < sizeof(entity_types) / sizeof(*entity_types); i++)
        known |= strcmp(filter, entity_types[i]) == 0;
    if (!known)
        iam_verr_add(&v, filter, "entityFilter",
                     "Member must satisfy enum value set: [LocalManagedPolicy, "
                     "Group, Role, AWSManagedPolicy, User]");
    iam_check_path(&v, prefix, "pathPrefix");
    if (usage && strcmp(usage, "PermissionsPolicy") != 0 &&
        strcmp(usage, "PermissionsBoundary") != 0)
        iam_verr_add(&v, usage, "policyUsageFilter",
                     "Member must satisfy enum value set: "
                     "[PermissionsPolicy, PermissionsBoundary]");
    iam_page_params(c, &v, &page);
    if (iam_verr_send(c, &v) || iam_page_bad(c, &page) ||
        !need_policy(c, arn, 0))
        goto done;
    keys = iam_alloc((c->iam->nroles + 1) * sizeof(*keys));
    items = iam_alloc((c->iam->nroles + 1) * sizeof(*items));
    for (i = 0; (!filter || strcmp(filter, "Role") == 0) && i < c->iam->nroles;
         i++) {
        struct iam_role *r = c->iam->roles[i];
        int uses = 0;

        if (strcmp(r->account, c->account) != 0 || c->now < r->visible_at ||
            (prefix && strncmp(r->path, prefix, strlen(prefix)) != 0))
            continue;
        if (!usage || strcmp(usage, "PermissionsPolicy") == 0)
            for (j = 0; j < r->natt; j++)
                uses |= strcmp(r->att[j].arn, arn) == 0 &&
                        c->now >= r->att[j].visible_at;
        if ((!usage || strcmp(usage, "PermissionsBoundary") == 0) &&
            r->boundary && strcmp(r->boundary, arn) == 0)
            uses = 1;
        if (!uses)
            continue;
        keys[n] = iam_lower(r->name);
        items[n++] = r;
    }
    iam_sort(keys, items, n);
    iam_page_range(&page, keys, n, &start, &end);
    iam_begin(c, 1);
    tern_buf_puts(b, "<PolicyGroups/><PolicyUsers/><PolicyRoles>");
    for (i = start; i < end; i++) {
        const struct iam_role *r = items[i];

        tern_buf_puts(b, "<member>");
        sim_xml_elem(b, "RoleName", r->name);
        sim_xml_elem(b, "RoleId", r->id);
        tern_buf_puts(b, "</member>");
    }
    tern_buf_puts(b, "</PolicyRoles>");
    iam_page_finish(b, &page, keys, n, end);
    iam_end(c, 1);
done:
    for (i = 0; i < n; i++)
        tern_free((char *)keys[i]);
    tern_free(keys);
    tern_free(items);
    iam_page_release(&page);
}
