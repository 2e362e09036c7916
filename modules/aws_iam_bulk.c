/*
 * The bulk read of IAM for refresh (tern_bulk_op, tern/module.h): one
 * GetAccountAuthorizationDetails, filtered to roles, in pages of up to
 * 1,000, describes every role of the account with its trust policy, tags,
 * permissions boundary, inline policies, attached managed policies and
 * instance profiles. A refresh of 500 role stacks (2,000 objects) is then
 * one call instead of 2,000.
 *
 * Calls: GetAccountAuthorizationDetails (Filter=Role, MaxItems=1000,
 * Marker).
 *
 * Quirks:
 * - The answer is the whole account, not only what the state holds: the
 *   engine uses it only from min_objects objects up (a small state in a
 *   large account is cheaper to read object by object).
 * - The documents come URL-encoded, as from GetRole and GetRolePolicy;
 *   the modules decode them as they do those answers.
 * - RoleDetail lacks Description and MaxSessionDuration (see iam_bulk.h).
 * - IAM names compare ignoring case; the snapshot is sorted that way.
 */
#include "iam_bulk.h"
#include "iam_common.h"

#include "util/alloc.h"

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
    struct entry *roles, *profiles;
    size_t nroles, nprofiles, aroles, aprofiles;
};

static const char *const types[] = {"aws_iam_instance_profile", "aws_iam_role",
                                    "aws_iam_role_policy",
                                    "aws_iam_role_policy_attachment", NULL};

static int by_name(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    return strcasecmp(x->name, y->name);
}

static int push(struct entry **v, size_t *n, size_t *alloc, const char *name,
                const tern_xml_node *node)
{
    if (!name)
        return TERN_OK;
    if (*n == *alloc) {
        size_t a = *alloc ? *alloc * 2 : 64;
        struct entry *nv = tern_realloc(*v, a * sizeof(*nv));

        if (!nv)
            return TERN_ENOMEM;
        *v = nv;
        *alloc = a;
    }
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
    tern_free(s);
}

/* Index the roles (and the profiles they hold) of one page. */
static int index_page(struct snapshot *s, const tern_xml_node *result)
{
    const tern_xml_node *r = tern_xml_find(result, "RoleDetailList/member");
    int error = TERN_OK;

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

static int bulk_fetch(void **out, tern_op *op)
{
    struct snapshot *s = tern_calloc(1, sizeof(*s));
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char *marker = NULL;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(s);
    for (;;) {
        const tern_xml_node *result;
        const char *truncated, *next;
        tern_xml_node **pages;

        tern_buf_clear(&b);
        tern_aws_query_add(&b, "Filter.member.1", "Role");
        tern_aws_query_add(&b, "MaxItems", "1000");
        if (marker)
            tern_aws_query_add(&b, "Marker", marker);
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call(op, "GetAccountAuthorizationDetails", &b, &root,
                               0, "Cannot read the account's IAM roles", NULL);
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
        result = tern_xml_child(s->pages[s->npages - 1],
                                "GetAccountAuthorizationDetailsResult");
        if (!result) {
            error = tern__fail(op, TERN_ERROR, "Unexpected AWS response",
                               "GetAccountAuthorizationDetails answered "
                               "without a result.");
            goto done;
        }
        if ((error = index_page(s, result)))
            goto done;
        truncated = tern_xml_text(result, "IsTruncated");
        next = tern_xml_text(result, "Marker");
        if (!truncated || strcmp(truncated, "true") != 0 || !next || !*next)
            break;
        if (marker && strcmp(marker, next) == 0) {
            error = tern__fail(op, TERN_ERROR, "Unexpected AWS response",
                               "GetAccountAuthorizationDetails returned the "
                               "same Marker twice.");
            goto done;
        }
        tern_free(marker);
        marker = tern_strdup(next);
        TERN_CHECK_ALLOC(marker);
    }
    if (s->nroles)
        qsort(s->roles, s->nroles, sizeof(*s->roles), by_name);
    if (s->nprofiles)
        qsort(s->profiles, s->nprofiles, sizeof(*s->profiles), by_name);
    *out = s;
    s = NULL;
done:
    snapshot_free(s);
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(marker);
    return error;
}

static const tern_xml_node *find(const struct entry *v, size_t n,
                                 const char *name)
{
    struct entry key;
    const struct entry *hit;

    if (!v || !n || !name)
        return NULL;
    key.name = name;
    key.node = NULL;
    hit = bsearch(&key, v, n, sizeof(*v), by_name);
    return hit ? hit->node : NULL;
}

const tern_xml_node *tern__iam_bulk_role(const void *bulk, const char *name)
{
    const struct snapshot *s = bulk;

    return s ? find(s->roles, s->nroles, name) : NULL;
}

const tern_xml_node *tern__iam_bulk_profile(const void *bulk, const char *name)
{
    const struct snapshot *s = bulk;

    return s ? find(s->profiles, s->nprofiles, name) : NULL;
}

const tern_bulk_op tern_bulk_aws_iam = {TERN_BULK_OP_VERSION,
                                        "GetAccountAuthorizationDetails",
                                        "aws",
                                        types,
                                        10,
                                        bulk_fetch,
                                        snapshot_free};
