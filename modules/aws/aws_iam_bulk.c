/*
 * The bulk read of IAM for refresh (tern_bulk_op, tern/module.h): one
 * GetAccountAuthorizationDetails, filtered to roles and customer managed
 * policies, in pages of up to 1,000, describes every role of the account
 * with its trust policy, tags, permissions boundary, inline policies,
 * attached managed policies and instance profiles, and every customer
 * managed policy with its versions and attachment count; ListRoles, also
 * in pages of up to 1,000, adds each role's description and maximum
 * session duration, which RoleDetail lacks. A refresh of 500 role stacks
 * (2,000 objects) is then two calls instead of 2,000.
 *
 * Calls: GetAccountAuthorizationDetails (Filter=Role and
 * LocalManagedPolicy, MaxItems=1000, Marker), then ListRoles
 * (MaxItems=1000, Marker).
 *
 * Quirks:
 * - The answer is the whole account, not only what the state holds: the
 *   engine uses it only from min_objects objects up (a small state in a
 *   large account is cheaper to read object by object).
 * - The documents come URL-encoded, as from GetRole and GetRolePolicy;
 *   the modules decode them as they do those answers.
 * - RoleDetail lacks Description and MaxSessionDuration, and ListRoles
 *   lacks the tags, the permissions boundary and the policies: a role is
 *   in the snapshot only with both, matched by name and RoleId (a role
 *   deleted and made again between the two calls is not).
 * - A failed ListRoles (say, no permission for iam:ListRoles) keeps the
 *   snapshot: the roles it did not list are read by GetRole, one call
 *   each, and everything else still comes from the snapshot. Dropping
 *   the snapshot instead would read every object by itself, four calls
 *   per role stack instead of one.
 * - IAM names compare ignoring case; the snapshot is sorted that way.
 *   Policies are found by ARN, exactly.
 * - A ManagedPolicyDetail has no tags: an aws_iam_policy's read asks
 *   ListPolicyTags (aws_iam_policy.c).
 */
#include "iam_bulk.h"
#include "iam_common.h"

#include "tern/log.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
    const char *name; /* owned by the page's tree */
    const tern_xml_node *node;
};

struct snapshot {
    tern_xml_node **pages;
    size_t npages;
    struct entry *roles, *profiles, *listed, *policies;
    size_t nroles, nprofiles, nlisted, npolicies, aroles, aprofiles, alisted,
        apolicies;
};

static const char *const types[] = {"aws_iam_instance_profile",
                                    "aws_iam_policy",
                                    "aws_iam_role",
                                    "aws_iam_role_policies_exclusive",
                                    "aws_iam_role_policy",
                                    "aws_iam_role_policy_attachment",
                                    "aws_iam_role_policy_attachments_exclusive",
                                    NULL};

static int by_name(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    return strcasecmp(x->name, y->name);
}

static int by_arn(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    return strcmp(x->name, y->name);
}

static int push(struct entry **v, size_t *n, size_t *alloc, const char *name,
                const tern_xml_node *node)
{
    if (!name)
        return TERN_OK;
    if (TERN_VEC_RESERVE(*v, *alloc, *n + 1) != TERN_OK)
        return TERN_ENOMEM;
    (*v)[*n].name = name;
    (*v)[(*n)++].node = node;
    return TERN_OK;
}

static void snapshot_free(void *p)
{
    struct snapshot *s = p;
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->npages; i++)
        tern_xml_free(s->pages[i]);
    tern_free(s->pages);
    tern_free(s->roles);
    tern_free(s->profiles);
    tern_free(s->listed);
    tern_free(s->policies);
    tern_free(s);
}

/* Index the roles (and the profiles they hold) and the customer managed
 * policies of one GetAccountAuthorizationDetails page. */
static int index_details(struct snapshot *s, const tern_xml_node *result)
{
    const tern_xml_node *r = tern_xml_find(result, "RoleDetailList/member");
    const tern_xml_node *m = tern_xml_find(result, "Policies/member");
    int error = TERN_OK;

    for (; m && !error; m = tern_xml_next(m))
        error = push(&s->policies, &s->npolicies, &s->apolicies,
                     tern_xml_text(m, "Arn"), m);

    for (; r && !error; r = tern_xml_next(r)) {
        const tern_xml_node *p = tern_xml_find(r, "InstanceProfileList/member");

        error = push(&s->roles, &s->nroles, &s->aroles,
                     tern_xml_text(r, "RoleName"), r);
        for (; p && !error; p = tern_xml_next(p))
            error = push(&s->profiles, &s->nprofiles, &s->aprofiles,
                         tern_xml_text(p, "InstanceProfileName"), p);
    }
    return error;
}

/* Index the roles of one ListRoles page. */
static int index_list(struct snapshot *s, const tern_xml_node *result)
{
    const tern_xml_node *r = tern_xml_find(result, "Roles/member");
    int error = TERN_OK;

    for (; r && !error; r = tern_xml_next(r))
        error = push(&s->listed, &s->nlisted, &s->alisted,
                     tern_xml_text(r, "RoleName"), r);
    return error;
}

/*
 * Every page of @p action (with Filter=Role when @p filter), each kept in
 * the snapshot and indexed by @p index. On failure, the pages read so far
 * stay indexed.
 */
static int
fetch_pages(struct snapshot *s, tern_op *op, const char *action, int filter,
            int (*index)(struct snapshot *s, const tern_xml_node *result))
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char *marker = NULL, *what = NULL, *result_name = NULL;
    int error = TERN_OK;

    what = tern_asprintf(
        "Cannot read the account's IAM roles and policies (%s)", action);
    TERN_CHECK_ALLOC(what);
    result_name = tern_asprintf("%sResult", action);
    TERN_CHECK_ALLOC(result_name);
    for (;;) {
        const tern_xml_node *result;
        const char *truncated, *next;
        tern_xml_node **pages;

        tern_buf_clear(&b);
        if (filter) {
            tern_aws_query_add(&b, "Filter.member.1", "Role");
            tern_aws_query_add(&b, "Filter.member.2", "LocalManagedPolicy");
        }
        tern_aws_query_add(&b, "MaxItems", "1000");
        if (marker)
            tern_aws_query_add(&b, "Marker", marker);
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call(op, action, &b, &root, 0, what, NULL);
        if (error)
            goto done;
        pages = tern_realloc(s->pages, (s->npages + 1) * sizeof(*pages));
        if (!pages) {
            error = TERN_ENOMEM;
            goto done;
        }
        s->pages = pages;
        s->pages[s->npages++] = root;
        root = NULL;
        result = tern_xml_child(s->pages[s->npages - 1], result_name);
        if (!result) {
            error = tern__fail(op, TERN_ERROR, "Unexpected AWS response",
                               "%s answered without a result.", action);
            goto done;
        }
        if ((error = index(s, result)))
            goto done;
        truncated = tern_xml_text(result, "IsTruncated");
        next = tern_xml_text(result, "Marker");
        if (!truncated || strcmp(truncated, "true") != 0 || !next || !*next)
            break;
        if (marker && strcmp(marker, next) == 0) {
            error = tern__fail(op, TERN_ERROR, "Unexpected AWS response",
                               "%s returned the same Marker twice.", action);
            goto done;
        }
        tern_free(marker);
        marker = tern_strdup(next);
        TERN_CHECK_ALLOC(marker);
    }
done:
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(marker);
    tern_free(what);
    tern_free(result_name);
    return error;
}

/*
 * What the last bulk refresh saw of each role's instance profiles
 * (tern__iam_seen in iam_common.h), for a destroy's role deletes: the
 * provider asks ListInstanceProfilesForRole before every DeleteRole
 * (resource_aws_iam_role.go, deleteRoleInstanceProfiles), but the refresh
 * that planned the destroy has just listed every role's profiles, and
 * the destroy takes the role out of each profile it manages before the
 * role goes. A role whose profiles the refresh saw and tern has since
 * left is deleted without the list: 500 calls fewer in B4. A profile
 * the role was put into after the refresh makes DeleteRole answer
 * DeleteConflict, and the delete then lists and removes as before
 * (aws_iam_role.c).
 */
struct seen_role {
    char *name;
    size_t nprofiles;
    char **profiles;
    unsigned char *removed; /* per profile: tern took the role out since */
};

struct tern__iam_seen {
    pthread_mutex_t lock;
    struct seen_role *roles; /* sorted by name, ignoring case */
    size_t nroles;
};

static void seen_roles_free(struct seen_role *v, size_t n)
{
    size_t i, j;

    for (i = 0; v && i < n; i++) {
        for (j = 0; j < v[i].nprofiles; j++)
            tern_free(v[i].profiles[j]);
        tern_free(v[i].profiles);
        tern_free(v[i].removed);
        tern_free(v[i].name);
    }
    tern_free(v);
}

int tern__iam_seen_new(struct tern__iam_seen **out)
{
    struct tern__iam_seen *seen = tern_calloc(1, sizeof(*seen));

    *out = NULL;
    if (!seen)
        return TERN_ENOMEM;
    if (pthread_mutex_init(&seen->lock, NULL) != 0) {
        tern_free(seen);
        return TERN_ENOMEM;
    }
    *out = seen;
    return TERN_OK;
}

void tern__iam_seen_free(struct tern__iam_seen *seen)
{
    if (!seen)
        return;
    seen_roles_free(seen->roles, seen->nroles);
    pthread_mutex_destroy(&seen->lock);
    tern_free(seen);
}

static struct tern__iam_seen *seen_of(const tern_op *op)
{
    const struct tern__aws_clients *c = op ? op->client : NULL;

    return c ? c->seen : NULL;
}

/* Replace what the last refresh saw with what snapshot @p s holds. */
static int seen_record(const tern_op *op, const struct snapshot *s)
{
    struct tern__iam_seen *seen = seen_of(op);
    struct seen_role *v;
    size_t i, n = 0;

    if (!seen)
        return TERN_OK;
    v = tern_calloc(s->nroles ? s->nroles : 1, sizeof(*v));
    if (!v)
        return TERN_ENOMEM;
    for (i = 0; i < s->nroles; i++) {
        const tern_xml_node *p,
            *first =
                tern_xml_find(s->roles[i].node, "InstanceProfileList/member");
        struct seen_role *r = &v[n++];
        size_t np = 0;

        for (p = first; p; p = tern_xml_next(p))
            np++;
        r->name = tern_strdup(s->roles[i].name);
        r->profiles = tern_calloc(np ? np : 1, sizeof(*r->profiles));
        r->removed = tern_calloc(np ? np : 1, 1);
        if (!r->name || !r->profiles || !r->removed)
            goto oom;
        for (p = first; p; p = tern_xml_next(p)) {
            const char *name = tern_xml_text(p, "InstanceProfileName");

            /* A profile without its name: never counted as left. */
            r->profiles[r->nprofiles] = tern_strdup(name ? name : "");
            if (!r->profiles[r->nprofiles++])
                goto oom;
        }
    }
    pthread_mutex_lock(&seen->lock);
    seen_roles_free(seen->roles, seen->nroles);
    seen->roles = v;
    seen->nroles = n;
    pthread_mutex_unlock(&seen->lock);
    return TERN_OK;
oom:
    seen_roles_free(v, n);
    return TERN_ENOMEM;
}

static int by_seen_name(const void *a, const void *b)
{
    const struct seen_role *x = a, *y = b;

    return strcasecmp(x->name, y->name);
}

/* The role @p name in @p seen (its lock held), or NULL. */
static struct seen_role *seen_find(struct tern__iam_seen *seen,
                                   const char *name)
{
    struct seen_role key;

    if (!seen->nroles || !name)
        return NULL;
    memset(&key, 0, sizeof(key));
    key.name = (char *)name;
    return bsearch(&key, seen->roles, seen->nroles, sizeof(key), by_seen_name);
}

void tern__iam_seen_removed(const tern_op *op, const char *profile,
                            const char *role)
{
    struct tern__iam_seen *seen = seen_of(op);
    struct seen_role *r;
    size_t i;

    if (!seen || !profile)
        return;
    pthread_mutex_lock(&seen->lock);
    r = seen_find(seen, role);
    for (i = 0; r && i < r->nprofiles; i++)
        if (strcasecmp(r->profiles[i], profile) == 0)
            r->removed[i] = 1;
    pthread_mutex_unlock(&seen->lock);
}

int tern__iam_seen_role_free_of_profiles(const tern_op *op, const char *role)
{
    struct tern__iam_seen *seen = seen_of(op);
    struct seen_role *r;
    size_t i;
    int free_of = 0;

    if (!seen)
        return 0;
    pthread_mutex_lock(&seen->lock);
    r = seen_find(seen, role);
    if (r) {
        free_of = 1;
        for (i = 0; i < r->nprofiles; i++)
            if (!r->removed[i])
                free_of = 0;
    }
    pthread_mutex_unlock(&seen->lock);
    return free_of;
}

static int bulk_fetch(void **out, tern_op *op)
{
    struct snapshot *s = tern_calloc(1, sizeof(*s));
    struct tern_diags list_diags = TERN_DIAGS_INIT;
    tern_op list_op;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(s);
    error =
        fetch_pages(s, op, "GetAccountAuthorizationDetails", 1, index_details);
    if (error)
        goto done;
    /* A failed ListRoles is not the snapshot's failure (see the top of
     * this file): its diagnostics go to a list of their own, logged and
     * dropped, except when the run stops anyway. */
    list_op = *op;
    list_op.diags = &list_diags;
    error = fetch_pages(s, &list_op, "ListRoles", 0, index_list);
    if (error == TERN_ENOMEM || error == TERN_ECANCELED) {
        tern_diags_move(op->diags, &list_diags);
        goto done;
    }
    if (error) {
        TERN_LOG_AT(TERN_LOG_DEBUG,
                    "refresh: ListRoles failed (%s%s%s) after %zu roles; "
                    "the others are read by GetRole",
                    tern_strerror(error), list_diags.count ? ": " : "",
                    list_diags.count ? list_diags.items[0].summary : "",
                    s->nlisted);
        error = TERN_OK;
    }
    if (s->nroles)
        qsort(s->roles, s->nroles, sizeof(*s->roles), by_name);
    if (s->nprofiles)
        qsort(s->profiles, s->nprofiles, sizeof(*s->profiles), by_name);
    if (s->nlisted)
        qsort(s->listed, s->nlisted, sizeof(*s->listed), by_name);
    if (s->npolicies)
        qsort(s->policies, s->npolicies, sizeof(*s->policies), by_arn);
    if ((error = seen_record(op, s)))
        goto done;
    *out = s;
    s = NULL;
done:
    tern_diags_release(&list_diags);
    snapshot_free(s);
    return error;
}

static const tern_xml_node *find_by(const struct entry *v, size_t n,
                                    const char *name,
                                    int (*cmp)(const void *, const void *))
{
    struct entry key;
    const struct entry *hit;

    if (!v || !n || !name)
        return NULL;
    key.name = name;
    key.node = NULL;
    hit = bsearch(&key, v, n, sizeof(*v), cmp);
    return hit ? hit->node : NULL;
}

static const tern_xml_node *find(const struct entry *v, size_t n,
                                 const char *name)
{
    return find_by(v, n, name, by_name);
}

const tern_xml_node *tern__iam_bulk_role(const void *bulk, const char *name)
{
    const struct snapshot *s = bulk;

    return s ? find(s->roles, s->nroles, name) : NULL;
}

const tern_xml_node *tern__iam_bulk_role_listed(const void *bulk,
                                                const char *name)
{
    const struct snapshot *s = bulk;
    const tern_xml_node *detail, *listed;
    const char *id, *listed_id;

    if (!s)
        return NULL;
    detail = find(s->roles, s->nroles, name);
    listed = find(s->listed, s->nlisted, name);
    if (!detail || !listed)
        return NULL;
    id = tern_xml_text(detail, "RoleId");
    listed_id = tern_xml_text(listed, "RoleId");
    /* Deleted and made again between the two calls: not the same role. */
    if (!id || !listed_id || strcmp(id, listed_id) != 0)
        return NULL;
    return listed;
}

const tern_xml_node *tern__iam_bulk_profile(const void *bulk, const char *name)
{
    const struct snapshot *s = bulk;

    return s ? find(s->profiles, s->nprofiles, name) : NULL;
}

const tern_xml_node *tern__iam_bulk_policy(const void *bulk, const char *arn)
{
    const struct snapshot *s = bulk;

    return s ? find_by(s->policies, s->npolicies, arn, by_arn) : NULL;
}

const tern_bulk_op tern_bulk_aws_iam = {TERN_BULK_OP_VERSION,
                                        "GetAccountAuthorizationDetails",
                                        types,
                                        10,
                                        bulk_fetch,
                                        snapshot_free};
