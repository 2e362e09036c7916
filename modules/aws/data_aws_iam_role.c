/*
 * data "aws_iam_role": an existing role, by name.
 *
 * Calls: GetRole. A role that does not exist is an error (a data source
 * has nothing to create), with the service's NoSuchEntity.
 */
#include "iam_common.h"

#include "util/alloc.h"

static const tern_attr last_used[] = {
    {"last_used_date", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"region", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr schema[] = {
    {"arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"assume_role_policy", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"create_date", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"description", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"max_session_duration", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL,
     0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"path", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"permissions_boundary", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL,
     0},
    {"role_last_used", TERN_TYPE_BLOCK_LIST, TERN_ATTR_COMPUTED, NULL,
     last_used, 1},
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"unique_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* What the IAM API model marks required in a Role. */
static const char *const required[] = {"Path", "RoleName",   "RoleId",
                                       "Arn",  "CreateDate", NULL};

static int data_role_read(json_t **out, tern_op *op, const json_t *config)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const tern_xml_node *role;
    const char *name = tern__str(config, "name");
    char *what = NULL;
    json_t *st = NULL;
    int error = TERN_OK;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot read IAM role",
                          "name is required.");
    what = tern_asprintf("Cannot read IAM role '%s'", name);
    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "RoleName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "GetRole", &b, &root, 0, what, NULL);
    if (error)
        goto done;
    role = tern__iam_need(op, root, "GetRole", "GetRoleResult/Role", required,
                          what, &error);
    if (role == NULL)
        goto done;
    st = tern__role_json(role);
    TERN_CHECK_ALLOC(st);
    /* As the provider: one block, its fields null when never used. */
    if (json_object_set_new(
            st, "role_last_used",
            json_pack(
                "[{s:o, s:o}]", "last_used_date",
                tern__jstr(tern_xml_text(role, "RoleLastUsed/LastUsedDate")),
                "region",
                tern__jstr(tern_xml_text(role, "RoleLastUsed/Region"))))) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = st;
    st = NULL;
done:
    json_decref(st);
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

const tern_module tern_module_data_aws_iam_role = {TERN_MODULE_VERSION,
                                                   "aws_iam_role",
                                                   TERN_MODULE_DATA,
                                                   "aws",
                                                   schema,
                                                   data_role_read,
                                                   NULL,
                                                   NULL,
                                                   NULL,
                                                   NULL,
                                                   NULL};
