/*
 * aws_iam_policy: a customer managed IAM policy, in the Terraform AWS
 * provider's names (internal/service/iam/policy.go).
 *
 * Calls: CreatePolicy (create); GetPolicy and GetPolicyVersion of the
 * default version (read, import, lookup, which first finds the ARN with
 * ListPolicies Scope=Local); ListPolicyVersions, DeletePolicyVersion of
 * the oldest version that is not the default when there are 5, then
 * CreatePolicyVersion with SetAsDefault (update of the document);
 * TagPolicy / UntagPolicy (tags); ListPolicyVersions, DeletePolicyVersion
 * of every version that is not the default, then DeletePolicy (delete),
 * and ListEntitiesForPolicy when DeletePolicy is refused with
 * DeleteConflict, to say what holds the policy.
 *
 * Quirks:
 * - IAM keeps at most 5 versions of a policy: an update first deletes the
 *   oldest one that is not the default (by CreateDate, then by version
 *   number: IAM's dates are in whole seconds), as the provider does, so a
 *   policy changed any number of times keeps working.
 * - DeletePolicy is refused while versions other than the default exist
 *   (they go first) and while the policy is attached: the error names the
 *   roles, users and groups holding it. A detach tern made a moment ago
 *   may still be propagating, so DeleteConflict is retried (bounded, see
 *   iam_common.h) before that error.
 * - CreatePolicy's answer has no Description and GetPolicyVersion returns
 *   the document URL-encoded and reformatted: create keeps the
 *   configuration's description and text, read keeps the state's text
 *   while equivalent (policy_equiv, the provider's
 *   SuppressEquivalentPolicyDiffs).
 * - id is the ARN, which is also the import ID. name_prefix is read back
 *   from a name that ends in the 26 hexadecimal digits of a generated
 *   unique suffix, as the provider's NamePrefixFromName.
 * - description, name, name_prefix and path force a new policy; only the
 *   document and the tags change in place. path is Computed here, "/" when
 *   unset: the provider's Default "/" wants the engine's argument defaults
 *   (tern_arg_defaults) where they exist.
 * - EntityAlreadyExists (a policy of that name exists but not in the
 *   state) says how to import it, with its ARN, found by ListPolicies.
 * - In a bulk refresh (iam_bulk.h) the policy, its attachment count and
 *   its default version's document come from the snapshot's
 *   ManagedPolicyDetail; the snapshot has no tags, so read makes one
 *   ListPolicyTags call instead of GetPolicy and GetPolicyVersion. A
 *   policy not in the snapshot is read by itself.
 */
#include "iam_bulk.h"
#include "iam_common.h"
#include "policy/policy.h"

#include "util/alloc.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The provider's limits: IAM's 128 characters, and the prefix leaves room
 * for the 26 characters of the unique suffix. */
#define NAME_MAX_CHARS   128
#define PREFIX_MAX_CHARS (NAME_MAX_CHARS - 26)
#define VERSIONS_MAX     5

static const tern_attr schema[] = {
    {"arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"attachment_count", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"description", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"name", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     NAME_MAX_CHARS},
    {"name_prefix", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_FORCE_NEW, NULL, NULL,
     PREFIX_MAX_CHARS},
    {"path", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 512},
    {"policy", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, tern_policy_equiv_fn, NULL,
     0},
    {"policy_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"tags_all", TERN_TYPE_MAP_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* The provider's NamePrefixFromName: what precedes a generated unique
 * suffix (26 hexadecimal digits), or NULL. New string. */
static char *prefix_of(const char *name)
{
    size_t len = name ? strlen(name) : 0, i;

    if (len <= 26)
        return NULL;
    for (i = len - 26; i < len; i++)
        if (!strchr("0123456789abcdefABCDEF", name[i]))
            return NULL;
    return tern_strndup(name, len - 26);
}

static const char *arn_of(const json_t *st)
{
    const char *arn = tern__str(st, "arn");

    return arn ? arn : tern__str(st, "id");
}

/*
 * The state of a policy from IAM's <Policy> (or ManagedPolicyDetail),
 * the encoded document of its default version (NULL: @p base's text, as
 * sent), its tags (NULL: @p base's, as sent), and the state or
 * configuration it is compared with (@p base): the document keeps base's
 * text when equivalent; tags are split from tags_all; the description
 * comes from base when IAM does not say (CreatePolicy).
 */
static int policy_state(json_t **out, tern_op *op, const tern_xml_node *p,
                        const char *encoded, const json_t *all,
                        const json_t *base, int description_known)
{
    const char *count = tern_xml_text(p, "AttachmentCount");
    const char *name = tern_xml_text(p, "PolicyName");
    const json_t *base_tags = json_object_get(base, "tags");
    json_t *st = NULL, *doc = NULL, *own = NULL, *all_ref = NULL;
    char *prefix = NULL;
    int error = TERN_OK;

    if (!p || !tern_xml_text(p, "Arn"))
        return tern__fail(op, TERN_ERROR, "Unexpected AWS response",
                          "IAM described the policy without its ARN.");
    prefix = prefix_of(name);
    if (encoded)
        doc = tern__policy_keep(json_object_get(base, "policy"), encoded);
    else
        doc = json_incref(json_object_get(base, "policy"));
    all_ref = all ? json_incref((json_t *)all)
                  : tern__tags_all(op, json_object_get(base, "tags"));
    TERN_CHECK_ALLOC(doc);
    TERN_CHECK_ALLOC(all_ref);
    own = tern__tags_own(op, all_ref);
    TERN_CHECK_ALLOC(own);
    st = json_pack(
        "{s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:O, s:o, s:o, s:O}", "arn",
        tern__jstr(tern_xml_text(p, "Arn")), "attachment_count",
        (json_int_t)(count ? strtoll(count, NULL, 10) : 0), "description",
        description_known ? tern__jstr(tern_xml_text(p, "Description"))
                          : tern__jstr(tern__str(base, "description")),
        "id", tern__jstr(tern_xml_text(p, "Arn")), "name", tern__jstr(name),
        "name_prefix", tern__jstr(prefix), "path",
        tern__jstr(tern_xml_text(p, "Path")), "policy", doc, "policy_id",
        tern__jstr(tern_xml_text(p, "PolicyId")), "tags",
        /* No tags and none configured: keep null, as configured. */
        json_object_size(own) == 0 && (!base_tags || json_is_null(base_tags))
            ? json_null()
            : json_incref(own),
        "tags_all", all_ref);
    TERN_CHECK_ALLOC(st);
    *out = st;
done:
    json_decref(doc);
    json_decref(own);
    json_decref(all_ref);
    tern_free(prefix);
    return error;
}

/* GetPolicy, then GetPolicyVersion of its default version. */
static int get_policy(json_t **out, tern_op *op, const char *arn,
                      const json_t *base, int quiet)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *policy = NULL, *version = NULL;
    const tern_xml_node *p;
    json_t *tags = NULL;
    const char *vid;
    char *what = tern_asprintf("Cannot read IAM policy '%s'", arn);
    unsigned int flags = quiet ? TERN__QUIET_NOTFOUND : 0;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "PolicyArn", arn);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "GetPolicy", &b, &policy, flags, what, NULL);
    if (error)
        goto done;
    p = tern__iam_need(op, policy, "GetPolicy", "GetPolicyResult/Policy", NULL,
                       what, &error);
    if (p == NULL)
        goto done;
    vid = tern_xml_text(p, "DefaultVersionId");
    tern_buf_clear(&b);
    tern_aws_query_add(&b, "PolicyArn", arn);
    tern_aws_query_add(&b, "VersionId", vid ? vid : "v1");
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error =
        tern__iam_call(op, "GetPolicyVersion", &b, &version, flags, what, NULL);
    if (error)
        goto done;
    tags = tern__xml_tags(tern_xml_child(p, "Tags"));
    TERN_CHECK_ALLOC(tags);
    error = policy_state(
        out, op, p,
        tern_xml_text(version, "GetPolicyVersionResult/PolicyVersion/Document")
            ? tern_xml_text(version,
                            "GetPolicyVersionResult/PolicyVersion/Document")
            : "",
        tags, base, 1);
done:
    json_decref(tags);
    tern_xml_free(policy);
    tern_xml_free(version);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

/* A tern_aws_page_fn adding ListPolicyTags' <Tags> to a JSON object. */
static int tags_page(void *ud, const tern_xml_node *result)
{
    json_t *tags = ud, *page = tern__xml_tags(tern_xml_child(result, "Tags"));
    int error = page && !json_object_update(tags, page) ? TERN_OK : TERN_ENOMEM;

    json_decref(page);
    return error;
}

/* The policy from a bulk refresh's snapshot: everything but the tags,
 * which ListPolicyTags gives. */
static int from_bulk(json_t **out, tern_op *op, const tern_xml_node *detail,
                     const json_t *prior)
{
    const char *arn = tern_xml_text(detail, "Arn");
    const char *vid = tern_xml_text(detail, "DefaultVersionId");
    const tern_xml_node *v = tern_xml_find(detail, "PolicyVersionList/member");
    tern_buf b = TERN_BUF_INIT;
    json_t *tags = NULL;
    char *what = NULL;
    int error = TERN_OK;

    for (; v; v = tern_xml_next(v)) {
        const char *id = tern_xml_text(v, "VersionId");

        if (id && vid && strcmp(id, vid) == 0)
            break;
    }
    if (!v || !arn)
        return get_policy(out, op, arn_of(prior), prior, 1);
    what = tern_asprintf("Cannot read the tags of IAM policy '%s'", arn);
    TERN_CHECK_ALLOC(what);
    tags = json_object();
    TERN_CHECK_ALLOC(tags);
    tern_aws_query_add(&b, "PolicyArn", arn);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call_paged(op, "ListPolicyTags", &b, tags_page, tags,
                                 TERN__QUIET_NOTFOUND, what);
    if (error)
        goto done;
    error = policy_state(
        out, op, detail,
        tern_xml_text(v, "Document") ? tern_xml_text(v, "Document") : "", tags,
        prior, 1);
done:
    json_decref(tags);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int policy_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *arn = arn_of(prior);
    const tern_xml_node *detail;

    if (!arn)
        return tern__fail(op, TERN_EINVALID, "Cannot read IAM policy",
                          "The state of %s has no arn.",
                          op->address ? op->address : "the policy");
    detail = tern__iam_bulk_policy(op->bulk, arn);
    if (detail)
        return from_bulk(out, op, detail, prior);
    return get_policy(out, op, arn, prior, 1);
}

/* Its ARN, for the import hint of EntityAlreadyExists: ListPolicies of
 * the account's own policies under @p path, by name. New string or NULL. */
struct by_name {
    const char *name;
    const char *path;
    char *arn;
};

static int name_page(void *ud, const tern_xml_node *result)
{
    struct by_name *f = ud;
    const tern_xml_node *m = tern_xml_find(result, "Policies/member");

    for (; m && !f->arn; m = tern_xml_next(m)) {
        const char *n = tern_xml_text(m, "PolicyName");
        const char *p = tern_xml_text(m, "Path");

        /* IAM's names ignore case; a name is unique in the account. */
        if (n && strcasecmp(n, f->name) == 0 && p && strcmp(p, f->path) == 0) {
            f->arn = tern_strdup(tern_xml_text(m, "Arn"));
            if (!f->arn)
                return TERN_ENOMEM;
        }
    }
    return TERN_OK;
}

static int find_arn(tern_op *op, const char *name, const char *path, char **arn)
{
    tern_buf b = TERN_BUF_INIT;
    struct by_name f = {name, path ? path : "/", NULL};
    char *what = tern_asprintf("Cannot find IAM policy '%s'", name);
    int error = TERN_OK;

    *arn = NULL;
    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "Scope", "Local");
    tern_aws_query_add(&b, "PathPrefix", f.path);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error =
        tern__iam_call_paged(op, "ListPolicies", &b, name_page, &f, 0, what);
    if (!error && !f.arn)
        error = TERN_ENOTFOUND;
    if (!error)
        *arn = f.arn;
    else
        tern_free(f.arn);
done:
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int create_call(tern_op *op, const tern_buf *b, tern_xml_node **root,
                       const char *what, const char *import_id)
{
    return tern__iam_call(op, "CreatePolicy", b, root, 0, what, import_id);
}

static int policy_create(json_t **out, tern_op *op, const json_t *desired)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    struct tern_diags quiet = TERN_DIAGS_INIT;
    json_t *all = NULL, *st = NULL;
    tern_op q;
    char *name = tern__resource_name(desired);
    char *what = NULL, *arn = NULL;
    const char *doc = tern__str(desired, "policy");
    const char *path = tern__str(desired, "path");
    const char *desc = tern__str(desired, "description");
    int error = TERN_OK;

    TERN_CHECK_ALLOC(name);
    if ((error = tern__iam_check_name_arg(op, desired, "name",
                                          "Invalid IAM policy name")) ||
        (error = tern__iam_check_name_arg(op, desired, "name_prefix",
                                          "Invalid IAM policy name")))
        goto done;
    what = tern_asprintf("Cannot create IAM policy '%s'", name);
    TERN_CHECK_ALLOC(what);
    if (!doc) {
        error = tern__fail(op, TERN_EINVALID, what, "policy is required.");
        goto done;
    }
    all = tern__tags_all(op, json_object_get(desired, "tags"));
    TERN_CHECK_ALLOC(all);
    tern_aws_query_add(&b, "PolicyName", name);
    if (path)
        tern_aws_query_add(&b, "Path", path);
    tern_aws_query_add(&b, "PolicyDocument", doc);
    if (desc)
        tern_aws_query_add(&b, "Description", desc);
    tern__query_add_tags(&b, "Tags", all);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    /* EntityAlreadyExists: ask again once the ARN to import is known (a
     * policy deleted in between is then simply made). */
    q = *op;
    q.diags = &quiet;
    error = create_call(&q, &b, &root, what, NULL);
    if (error == TERN_EEXISTS) {
        tern_diags_release(&quiet);
        error = find_arn(&q, name, path, &arn);
        tern_diags_release(&quiet);
        error = create_call(op, &b, &root, what,
                            arn ? arn : "arn:aws:iam::ACCOUNT:policy/NAME");
    } else {
        tern_diags_move(op->diags, &quiet);
    }
    if (error)
        goto done;
    error =
        policy_state(&st, op, tern_xml_find(root, "CreatePolicyResult/Policy"),
                     NULL, all, desired, 0);
    if (error)
        goto done;
    *out = st;
    st = NULL;
done:
    tern_diags_release(&quiet);
    tern_xml_free(root);
    tern_buf_release(&b);
    json_decref(all);
    json_decref(st);
    tern_free(name);
    tern_free(what);
    tern_free(arn);
    return error;
}

/* The versions of a policy, from ListPolicyVersions. */
struct version {
    char *id;
    char *date; /* ISO 8601, compares as text */
    int is_default;
};

struct versions {
    struct version *v;
    size_t n, alloc;
};

static int version_page(void *ud, const tern_xml_node *result)
{
    struct versions *vs = ud;
    const tern_xml_node *m = tern_xml_find(result, "Versions/member");

    for (; m; m = tern_xml_next(m)) {
        const char *id = tern_xml_text(m, "VersionId");
        const char *def = tern_xml_text(m, "IsDefaultVersion");
        const char *date = tern_xml_text(m, "CreateDate");
        struct version *v;

        if (!id)
            continue;
        if (TERN_VEC_RESERVE(vs->v, vs->alloc, vs->n + 1) != TERN_OK)
            return TERN_ENOMEM;
        v = &vs->v[vs->n];
        v->id = tern_strdup(id);
        v->date = tern_strdup(date ? date : "");
        v->is_default = def && strcmp(def, "true") == 0;
        if (!v->id || !v->date) {
            tern_free(v->id);
            tern_free(v->date);
            return TERN_ENOMEM;
        }
        vs->n++;
    }
    return TERN_OK;
}

static void versions_release(struct versions *vs)
{
    size_t i;

    for (i = 0; i < vs->n; i++) {
        tern_free(vs->v[i].id);
        tern_free(vs->v[i].date);
    }
    tern_free(vs->v);
    memset(vs, 0, sizeof(*vs));
}

static int list_versions(tern_op *op, const char *arn, struct versions *vs,
                         unsigned int flags, const char *what)
{
    tern_buf b = TERN_BUF_INIT;
    int error;

    tern_aws_query_add(&b, "PolicyArn", arn);
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return TERN_ENOMEM;
    }
    error = tern__iam_call_paged(op, "ListPolicyVersions", &b, version_page, vs,
                                 flags, what);
    tern_buf_release(&b);
    return error;
}

static int delete_version(tern_op *op, const char *arn, const char *id,
                          const char *what)
{
    tern_buf b = TERN_BUF_INIT;
    int error;

    tern_aws_query_add(&b, "PolicyArn", arn);
    tern_aws_query_add(&b, "VersionId", id);
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return TERN_ENOMEM;
    }
    /* Gone already: what was wanted. */
    error = tern__iam_call(op, "DeletePolicyVersion", &b, NULL,
                           TERN__QUIET_NOTFOUND, what, NULL);
    tern_buf_release(&b);
    return error == TERN_ENOTFOUND ? TERN_OK : error;
}

/* Whether version @p a is older than @p b: by date, then by number. */
static int older(const struct version *a, const struct version *b)
{
    int c = strcmp(a->date, b->date);

    if (c)
        return c < 0;
    return strtol(a->id + 1, NULL, 10) < strtol(b->id + 1, NULL, 10);
}

/* A new default version of the document; room made first (see top). */
static int new_version(tern_op *op, const char *arn, const char *doc,
                       const char *what)
{
    struct versions vs;
    tern_buf b = TERN_BUF_INIT;
    const struct version *oldest = NULL;
    size_t i;
    int error;

    memset(&vs, 0, sizeof(vs));
    error = list_versions(op, arn, &vs, 0, what);
    if (error)
        goto done;
    if (vs.n >= VERSIONS_MAX) {
        for (i = 0; i < vs.n; i++)
            if (!vs.v[i].is_default && (!oldest || older(&vs.v[i], oldest)))
                oldest = &vs.v[i];
        if (oldest && (error = delete_version(op, arn, oldest->id, what)))
            goto done;
    }
    tern_aws_query_add(&b, "PolicyArn", arn);
    tern_aws_query_add(&b, "PolicyDocument", doc);
    tern_aws_query_add(&b, "SetAsDefault", "true");
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "CreatePolicyVersion", &b, NULL, 0, what, NULL);
done:
    versions_release(&vs);
    tern_buf_release(&b);
    return error;
}

static int policy_update(json_t **out, tern_op *op, const json_t *prior,
                         const json_t *desired)
{
    json_t *old_all = NULL, *new_all = NULL, *st = NULL;
    const char *arn = arn_of(prior);
    char *what = NULL;
    int error = TERN_OK, same = 0;

    if (!arn)
        return tern__fail(op, TERN_EINVALID, "Cannot update IAM policy",
                          "The state has no arn.");
    what = tern_asprintf("Cannot update IAM policy '%s'", arn);
    TERN_CHECK_ALLOC(what);
    if ((error = tern__policy_equiv(&same, json_object_get(prior, "policy"),
                                    json_object_get(desired, "policy"))))
        goto done;
    if (!same) {
        error = new_version(op, arn, tern__str(desired, "policy"), what);
        if (error)
            goto done;
    }
    old_all = json_is_object(json_object_get(prior, "tags_all"))
                  ? json_incref(json_object_get(prior, "tags_all"))
                  : tern__tags_all(op, json_object_get(prior, "tags"));
    new_all = tern__tags_all(op, json_object_get(desired, "tags"));
    TERN_CHECK_ALLOC(old_all);
    TERN_CHECK_ALLOC(new_all);
    error = tern__update_tags(op, "TagPolicy", "UntagPolicy", "PolicyArn", arn,
                              old_all, new_all, what);
    if (error)
        goto done;
    st = json_deep_copy(prior);
    TERN_CHECK_ALLOC(st);
    if (json_object_set(st, "policy", json_object_get(desired, "policy")) ||
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

/* Who holds the policy, from ListEntitiesForPolicy: "IAM role 'a', IAM
 * user 'b'", or NULL when it cannot tell. New string. */
struct holders {
    tern_buf text;
    size_t n;
};

static int holders_page(void *ud, const tern_xml_node *result)
{
    static const struct {
        const char *list, *field, *kind;
    } kinds[] = {{"PolicyRoles", "RoleName", "IAM role"},
                 {"PolicyUsers", "UserName", "IAM user"},
                 {"PolicyGroups", "GroupName", "IAM group"}};
    struct holders *h = ud;
    size_t k;

    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const tern_xml_node *m =
            tern_xml_child(tern_xml_child(result, kinds[k].list), "member");

        for (; m; m = tern_xml_next(m)) {
            const char *name = tern_xml_text(m, kinds[k].field);

            if (!name)
                continue;
            tern_buf_printf(&h->text, "%s%s '%s'", h->n ? ", " : "",
                            kinds[k].kind, name);
            h->n++;
        }
    }
    return tern_buf_oom(&h->text) ? TERN_ENOMEM : TERN_OK;
}

static char *holders_of(tern_op *op, const char *arn)
{
    struct tern_diags quiet = TERN_DIAGS_INIT;
    struct holders h = {TERN_BUF_INIT, 0};
    tern_buf b = TERN_BUF_INIT;
    tern_op q = *op;
    char *out = NULL;

    q.diags = &quiet;
    tern_aws_query_add(&b, "PolicyArn", arn);
    if (!tern_buf_oom(&b) &&
        tern__iam_call_paged(&q, "ListEntitiesForPolicy", &b, holders_page, &h,
                             0, NULL) == TERN_OK &&
        h.n)
        out = tern_strdup(tern_buf_cstr(&h.text));
    tern_diags_release(&quiet);
    tern_buf_release(&b);
    tern_buf_release(&h.text);
    return out;
}

/*
 * DeleteConflict on a policy still attached: the diagnostic says which
 * roles, users and groups hold it, in place of the general advice. @p d is
 * the refused call's diagnostic; its detail up to the request id is the
 * client's account of the error.
 */
static int report_holders(tern_op *op, struct tern_diags *local,
                          const char *arn)
{
    const struct tern_diag *d = &local->items[local->count - 1];
    const char *end =
        d->request_id && d->detail ? strstr(d->detail, d->request_id) : NULL;
    char *who;
    struct tern_diag *nd;

    end = end ? strchr(end, ')') : NULL;
    who = end ? holders_of(op, arn) : NULL;
    if (!who) {
        tern_diags_move(op->diags, local);
        return TERN_ECONFLICT;
    }
    nd = tern_diags_add(
        op->diags, TERN_SEV_ERROR, NULL, d->summary,
        "%.*s. It is still attached to %s: detach it from them first (tern "
        "detaches it only where an aws_iam_role_policy_attachment of this "
        "configuration attached it).",
        (int)(end + 1 - d->detail), d->detail, who);
    if (nd) {
        nd->service_code = tern_strdup(d->service_code);
        nd->request_id = tern_strdup(d->request_id);
    }
    tern_free(who);
    tern_diags_release(local);
    return nd ? TERN_ECONFLICT : TERN_ENOMEM;
}

static int policy_delete(tern_op *op, const json_t *prior)
{
    struct versions vs;
    struct tern_diags local = TERN_DIAGS_INIT;
    tern_buf b = TERN_BUF_INIT;
    tern_op l = *op;
    const char *arn = arn_of(prior);
    char *what = NULL;
    size_t i;
    int error = TERN_OK;

    memset(&vs, 0, sizeof(vs));
    if (!arn)
        return tern__fail(op, TERN_EINVALID, "Cannot delete IAM policy",
                          "The state has no arn.");
    what = tern_asprintf("Cannot delete IAM policy '%s'", arn);
    TERN_CHECK_ALLOC(what);
    error = list_versions(op, arn, &vs, TERN__QUIET_NOTFOUND, what);
    for (i = 0; !error && i < vs.n; i++)
        if (!vs.v[i].is_default)
            error = delete_version(op, arn, vs.v[i].id, what);
    if (error)
        goto done;
    tern_aws_query_add(&b, "PolicyArn", arn);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    l.diags = &local;
    error =
        tern__iam_call(&l, "DeletePolicy", &b, NULL,
                       TERN__RETRY_CONFLICT | TERN__QUIET_NOTFOUND, what, NULL);
    if (error == TERN_ECONFLICT && local.count)
        error = report_holders(op, &local, arn);
    else
        tern_diags_move(op->diags, &local);
done:
    /* A policy already gone is deleted. */
    if (error == TERN_ENOTFOUND)
        error = TERN_OK;
    versions_release(&vs);
    tern_diags_release(&local);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

static int policy_import(json_t **out, tern_op *op, const char *id)
{
    if (strncmp(id, "arn:", 4) != 0 || !strstr(id, ":policy/"))
        return tern__fail(op, TERN_EINVALID, "Invalid import ID",
                          "'%s' is not the ARN of an IAM policy, e.g. "
                          "arn:aws:iam::123456789012:policy/my-policy.",
                          id);
    return get_policy(out, op, id, NULL, 0);
}

static int policy_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "name");
    char *arn = NULL;
    int error;

    /* A name_prefix policy's name was made up at create: nothing to find. */
    if (!name)
        return TERN_ENOTFOUND;
    error = find_arn(op, name, tern__str(desired, "path"), &arn);
    if (!error)
        error = get_policy(out, op, arn, desired, 1);
    tern_free(arn);
    return error;
}

const tern_module tern_module_aws_iam_policy = {TERN_MODULE_VERSION,
                                                "aws_iam_policy",
                                                TERN_MODULE_RESOURCE,
                                                "aws",
                                                schema,
                                                policy_read,
                                                policy_create,
                                                policy_update,
                                                policy_delete,
                                                policy_import,
                                                policy_lookup};
