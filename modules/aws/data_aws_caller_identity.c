/*
 * data "aws_caller_identity": who the provider's credentials are.
 *
 * Calls: STS GetCallerIdentity, through the provider's STS client (IAM
 * does not serve the action).
 */
#include "iam_common.h"

static const tern_attr schema[] = {
    {"account_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"user_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int caller_read(json_t **out, tern_op *op, const json_t *config)
{
    tern_xml_node *root = NULL;
    const tern_xml_node *r;
    int error;

    (void)config;
    error = tern__sts_call(op, "GetCallerIdentity", NULL, &root, 0,
                           "Cannot read the caller identity");
    if (error)
        return error;
    r = tern_xml_find(root, "GetCallerIdentityResult");
    *out = json_pack("{s:o, s:o, s:o, s:o}", "account_id",
                     tern__jstr(tern_xml_text(r, "Account")), "arn",
                     tern__jstr(tern_xml_text(r, "Arn")), "id",
                     tern__jstr(tern_xml_text(r, "Account")), "user_id",
                     tern__jstr(tern_xml_text(r, "UserId")));
    tern_xml_free(root);
    return *out ? TERN_OK : TERN_ENOMEM;
}

const tern_module tern_module_data_aws_caller_identity = {TERN_MODULE_VERSION,
                                                          "aws_caller_identity",
                                                          TERN_MODULE_DATA,
                                                          "aws",
                                                          schema,
                                                          caller_read,
                                                          NULL,
                                                          NULL,
                                                          NULL,
                                                          NULL,
                                                          NULL};
