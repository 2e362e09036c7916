/*
 * data "aws_region": the provider's region, or the one the configuration
 * names. No service calls: the region is the configuration's name, else
 * the provider block's region, else AWS_REGION / AWS_DEFAULT_REGION, else
 * us-east-1 (the IAM client's signing region is always us-east-1 and says
 * nothing about the provider's region). endpoint is the region's EC2
 * endpoint, as the Terraform provider reports it.
 */
#include "iam_common.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static const tern_attr schema[] = {
    {"description", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"endpoint", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int region_read(json_t **out, tern_op *op, const json_t *config)
{
    const char *r = tern__str(config, "name");
    char *endpoint = NULL;
    int error = TERN_OK;

    if (!r)
        r = tern__aws_region(op);
    endpoint = tern_asprintf("ec2.%s.%s", r,
                             strncmp(r, "cn-", 3) == 0 ? "amazonaws.com.cn"
                                                       : "amazonaws.com");
    TERN_CHECK_ALLOC(endpoint);
    *out = json_pack("{s:s, s:s, s:s, s:s}", "description", r, "endpoint",
                     endpoint, "id", r, "name", r);
    TERN_CHECK_ALLOC(*out);
done:
    tern_free(endpoint);
    return error;
}

const tern_module tern_module_data_aws_region = {TERN_MODULE_VERSION,
                                                 "aws_region",
                                                 TERN_MODULE_DATA,
                                                 "aws",
                                                 schema,
                                                 region_read,
                                                 NULL,
                                                 NULL,
                                                 NULL,
                                                 NULL,
                                                 NULL};
