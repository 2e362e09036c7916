/*
 * data "aws_iam_policy": a managed policy (AWS's or the account's), by ARN
 * or by name (with path_prefix to narrow it).
 *
 * Calls: GetPolicy then GetPolicyVersion of the default version, for the
 * document (by ARN); by name first ListPolicies, paged (IAM has no lookup
 * by name), then the same two: ListPolicies leaves out the description
 * and the tags, as the provider's data source says.
 *
 * Customer managed policies are found by name as AWS's are (Scope=All),
 * an aws_iam_policy of the same configuration included.
 *
 * Quirks: the document comes back URL-encoded; it is decoded. Two
 * policies of one name (an AWS and a customer policy, or two paths) make
 * the lookup ambiguous: an error naming both, as the provider does.
 */
#include "iam_common.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static const tern_attr schema[] = {
    {"arn", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"attachment_count", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"description", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"path", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"path_prefix", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"policy", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"policy_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* The attributes GetPolicy and ListPolicies both describe. */
static json_t *policy_json(const tern_xml_node *p)
{
    const char *count = tern_xml_text(p, "AttachmentCount");
    json_t *tags = tern__xml_tags(tern_xml_child(p, "Tags"));

    if (!tags)
        return NULL;
    return json_pack("{s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "arn",
                     tern__jstr(tern_xml_text(p, "Arn")), "attachment_count",
                     (json_int_t)(count ? strtoll(count, NULL, 10) : 0),
                     "description", tern__jstr(tern_xml_text(p, "Description")),
                     "id", tern__jstr(tern_xml_text(p, "Arn")), "name",
                     tern__jstr(tern_xml_text(p, "PolicyName")), "path",
                     tern__jstr(tern_xml_text(p, "Path")), "policy_id",
                     tern__jstr(tern_xml_text(p, "PolicyId")), "tags", tags);
}

struct by_name {
    const char *name;
    json_t *found; /* array of matches */
};

static int name_page(void *ud, const tern_xml_node *result)
{
    struct by_name *f = ud;
    const tern_xml_node *m = tern_xml_find(result, "Policies/member");

    for (; m; m = tern_xml_next(m)) {
        const char *n = tern_xml_text(m, "PolicyName");
        json_t *p;

        if (!n || strcmp(n, f->name) != 0)
            continue;
        p = policy_json(m);
        if (!p || json_array_append_new(f->found, p))
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

static int data_policy_read(json_t **out, tern_op *op, const json_t *config)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const char *arn = tern__str(config, "arn");
    const char *name = tern__str(config, "name");
    const char *version;
    struct by_name f = {NULL, NULL};
    json_t *st = NULL;
    char *what = NULL, *doc = NULL, *found_arn = NULL;
    int error = TERN_OK;

    if (!arn && !name)
        return tern__fail(op, TERN_EINVALID, "Cannot read IAM policy",
                          "Set arn or name.");
    what = tern_asprintf("Cannot read IAM policy '%s'", arn ? arn : name);
    TERN_CHECK_ALLOC(what);
    if (!arn) {
        f.name = name;
        f.found = json_array();
        TERN_CHECK_ALLOC(f.found);
        tern_aws_query_add(&b, "Scope", "All");
        if (tern__str(config, "path_prefix"))
            tern_aws_query_add(&b, "PathPrefix",
                               tern__str(config, "path_prefix"));
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call_paged(op, "ListPolicies", &b, name_page, &f, 0,
                                     what);
        if (error)
            goto done;
        if (json_array_size(f.found) == 0) {
            error = tern__fail(
                op, TERN_ENOTFOUND, what, "No policy is named '%s'%s.", name,
                tern__str(config, "path_prefix") ? " under that path_prefix"
                                                 : "");
            goto done;
        }
        if (json_array_size(f.found) > 1) {
            error = tern__fail(
                op, TERN_EINVALID, what,
                "More than one policy is named '%s' (%s, %s): set arn or "
                "path_prefix to say which.",
                name, tern__str(json_array_get(f.found, 0), "arn"),
                tern__str(json_array_get(f.found, 1), "arn"));
            goto done;
        }
        found_arn = tern_strdup(tern__str(json_array_get(f.found, 0), "arn"));
        TERN_CHECK_ALLOC(found_arn);
        arn = found_arn;
        tern_buf_clear(&b);
    }
    /* GetPolicy also after a lookup by name: ListPolicies leaves out the
     * description and the tags (as the provider says, and does). */
    tern_aws_query_add(&b, "PolicyArn", arn);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "GetPolicy", &b, &root, 0, what, NULL);
    if (error)
        goto done;
    if (tern__iam_need(op, root, "GetPolicy", "GetPolicyResult/Policy", NULL,
                       what, &error) == NULL)
        goto done;
    st = policy_json(tern_xml_find(root, "GetPolicyResult/Policy"));
    TERN_CHECK_ALLOC(st);
    version = tern_xml_text(root, "GetPolicyResult/Policy/DefaultVersionId");
    tern_buf_clear(&b);
    tern_aws_query_add(&b, "PolicyArn", tern__str(st, "arn"));
    tern_aws_query_add(&b, "VersionId", version ? version : "v1");
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    tern_xml_free(root);
    error = tern__iam_call(op, "GetPolicyVersion", &b, &root, 0, what, NULL);
    if (error)
        goto done;
    doc = tern_aws_decode_policy(
        tern_xml_text(root, "GetPolicyVersionResult/PolicyVersion/Document")
            ? tern_xml_text(root,
                            "GetPolicyVersionResult/PolicyVersion/Document")
            : "");
    TERN_CHECK_ALLOC(doc);
    if (tern__set_str(st, "policy", doc) ||
        tern__set_str(st, "path_prefix", tern__str(config, "path_prefix"))) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = st;
    st = NULL;
done:
    json_decref(st);
    json_decref(f.found);
    tern_free(found_arn);
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(what);
    tern_free(doc);
    return error;
}

const tern_module tern_module_data_aws_iam_policy = {TERN_MODULE_VERSION,
                                                     "aws_iam_policy",
                                                     TERN_MODULE_DATA,
                                                     "aws",
                                                     schema,
                                                     data_policy_read,
                                                     NULL,
                                                     NULL,
                                                     NULL,
                                                     NULL,
                                                     NULL};
