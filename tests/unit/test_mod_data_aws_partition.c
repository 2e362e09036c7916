/*
 * data "aws_partition" and data "aws_region": no service calls; the
 * partition and region from the provider block, else the environment.
 */
#include "runner.h"
#include "test_mod.h"

#include <stdlib.h>

extern const tern_module tern_module_data_aws_partition;
extern const tern_module tern_module_data_aws_region;

static json_t *read_with(const tern_module *m, const char *provider,
                         const char *cfg_text)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_op op;
    json_t *p = provider ? mod_json(provider) : NULL;
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    memset(&op, 0, sizeof(op));
    op.version = TERN_OP_VERSION;
    op.diags = &diags;
    op.provider = p;
    ASSERT_OK(m->read(&st, &op, cfg));
    json_decref(p);
    json_decref(cfg);
    tern_diags_release(&diags);
    return st;
}

TEST(mod_data_aws_partition, partitions)
{
    json_t *st;

    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    st = read_with(&tern_module_data_aws_partition, NULL, "{}");
    ASSERT_STR_EQ(mod_str(st, "partition"), "aws");
    ASSERT_STR_EQ(mod_str(st, "id"), "aws");
    ASSERT_STR_EQ(mod_str(st, "dns_suffix"), "amazonaws.com");
    json_decref(st);
    st = read_with(&tern_module_data_aws_partition,
                   "{\"region\": \"cn-north-1\"}", "{}");
    ASSERT_STR_EQ(mod_str(st, "partition"), "aws-cn");
    ASSERT_STR_EQ(mod_str(st, "dns_suffix"), "amazonaws.com.cn");
    json_decref(st);
    setenv("AWS_REGION", "us-gov-west-1", 1);
    st = read_with(&tern_module_data_aws_partition, NULL, "{}");
    ASSERT_STR_EQ(mod_str(st, "partition"), "aws-us-gov");
    json_decref(st);
}

TEST(mod_data_aws_partition, region)
{
    json_t *st;

    unsetenv("AWS_REGION");
    setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    st = read_with(&tern_module_data_aws_region, NULL, "{}");
    ASSERT_STR_EQ(mod_str(st, "name"), "eu-west-1");
    ASSERT_STR_EQ(mod_str(st, "id"), "eu-west-1");
    ASSERT_STR_EQ(mod_str(st, "endpoint"), "ec2.eu-west-1.amazonaws.com");
    json_decref(st);
    st = read_with(&tern_module_data_aws_region, "{\"region\": \"us-west-2\"}",
                   "{}");
    ASSERT_STR_EQ(mod_str(st, "name"), "us-west-2");
    json_decref(st);
    st = read_with(&tern_module_data_aws_region, "{\"region\": \"us-west-2\"}",
                   "{\"name\": \"ap-south-1\"}");
    ASSERT_STR_EQ(mod_str(st, "name"), "ap-south-1");
    json_decref(st);
}

const struct tern_test test_mod_data_aws_partition_list[] = {
    TEST_MODULE(mod_data_aws_partition, partitions),
    TEST_MODULE(mod_data_aws_partition, region), TEST_END};
