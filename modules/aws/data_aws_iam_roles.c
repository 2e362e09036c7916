/*
 * data "aws_iam_roles": the names and ARNs of the roles under a path
 * prefix whose names match a regular expression.
 *
 * Calls: ListRoles, paged, with PathPrefix when path_prefix is set; the
 * name_regex filter is applied to each role's name, as the provider does
 * (a match anywhere in the name: anchor it with ^ and $).
 *
 * Quirks:
 * - The id is the provider's region, as the provider sets it.
 * - name_regex is a POSIX extended expression (regcomp), which covers the
 *   RE2 syntax such filters use (classes, alternation, anchors, counts);
 *   validate and plan refuse one that does not compile, at its range
 *   (tern_arg_checks[], the provider's StringIsValidRegExp).
 * - No roles match: arns and names are empty sets, not an error.
 */
#include "iam_common.h"

#include "util/alloc.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

static const tern_attr schema[] = {
    {"arns", TERN_TYPE_SET_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"name_regex", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"names", TERN_TYPE_SET_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"path_prefix", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

struct collect {
    const regex_t *rx; /* NULL: every role */
    json_t *arns, *names;
};

static int page(void *ud, const tern_xml_node *result)
{
    struct collect *c = ud;
    const tern_xml_node *m = tern_xml_find(result, "Roles/member");

    for (; m; m = tern_xml_next(m)) {
        const char *name = tern_xml_text(m, "RoleName");
        const char *arn = tern_xml_text(m, "Arn");

        if (!name || !arn)
            continue;
        if (c->rx && regexec(c->rx, name, 0, NULL, 0) != 0)
            continue;
        if (json_array_append_new(c->arns, json_string(arn)) ||
            json_array_append_new(c->names, json_string(name)))
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

static int roles_read(json_t **out, tern_op *op, const json_t *config)
{
    const char *re = tern__str(config, "name_regex");
    const char *prefix = tern__str(config, "path_prefix");
    struct collect c = {NULL, json_array(), json_array()};
    tern_buf b = TERN_BUF_INIT;
    regex_t rx;
    int have_rx = 0, error = TERN_OK;

    TERN_CHECK_ALLOC(c.arns);
    TERN_CHECK_ALLOC(c.names);
    if (re) {
        char why[256];

        if (tern__regex_check(re, why, sizeof(why)) ||
            regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
            error = tern__fail(op, TERN_EINVALID, "Cannot read IAM roles",
                               "The argument \"name_regex\" %s", why);
            goto done;
        }
        have_rx = 1;
        c.rx = &rx;
    }
    if (prefix)
        tern_aws_query_add(&b, "PathPrefix", prefix);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call_paged(op, "ListRoles", &b, page, &c, 0,
                                 "Cannot read IAM roles");
    if (error)
        goto done;
    *out = json_pack("{s:s, s:O, s:O, s:o, s:o}", "id", tern__aws_region(op),
                     "arns", c.arns, "names", c.names, "name_regex",
                     tern__jstr(re), "path_prefix", tern__jstr(prefix));
    TERN_CHECK_ALLOC(*out);
done:
    if (have_rx)
        regfree(&rx);
    json_decref(c.arns);
    json_decref(c.names);
    tern_buf_release(&b);
    return error;
}

const tern_module tern_module_data_aws_iam_roles = {TERN_MODULE_VERSION,
                                                    "aws_iam_roles",
                                                    TERN_MODULE_DATA,
                                                    "aws",
                                                    schema,
                                                    roles_read,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL};
