/*
 * data "aws_partition": the partition of the provider's region (aws,
 * aws-cn, aws-us-gov) and its DNS suffix. No service calls: the region
 * comes from the provider block (region), else the client's signing
 * region, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1.
 */
#include "iam_common.h"

#include <stdlib.h>
#include <string.h>

static const tern_attr schema[] = {
    {"dns_suffix", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"partition", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"reverse_dns_prefix", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int partition_read(json_t **out, tern_op *op, const json_t *config)
{
    const char *region = tern__aws_region(op);
    const char *partition = "aws", *suffix = "amazonaws.com",
               *rdns = "com.amazonaws";

    (void)config;
    if (strncmp(region, "cn-", 3) == 0) {
        partition = "aws-cn";
        suffix = "amazonaws.com.cn";
        rdns = "cn.com.amazonaws";
    } else if (strncmp(region, "us-gov-", 7) == 0) {
        partition = "aws-us-gov";
    }
    *out =
        json_pack("{s:s, s:s, s:s, s:s}", "dns_suffix", suffix, "id", partition,
                  "partition", partition, "reverse_dns_prefix", rdns);
    return *out ? TERN_OK : TERN_ENOMEM;
}

const tern_module tern_module_data_aws_partition = {TERN_MODULE_VERSION,
                                                    "aws_partition",
                                                    TERN_MODULE_DATA,
                                                    "aws",
                                                    schema,
                                                    partition_read,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL};
