/*
 * data "aws_partition" and data "aws_region": no service calls; the
 * partition and region from the provider block, else the environment.
 */
#include "runner.h"
#include "run_tern.h"
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
    st = read_with(&tern_module_data_aws_partition,
                   "{\"region\": \"us-gov-west-1\"}", "{}");
    ASSERT_STR_EQ(mod_str(st, "partition"), "aws-us-gov");
    json_decref(st);
}

/* Operations run on workers and never read the environment: the region
 * is what the provider's configure resolved (AWS_REGION included, read
 * once on the configuring thread). A region only in the environment, not
 * in the provider's settings, is not seen (issue 20). */
TEST(mod_data_aws_partition, environment_not_read)
{
    json_t *st;

    setenv("AWS_REGION", "us-gov-west-1", 1);
    setenv("AWS_DEFAULT_REGION", "cn-north-1", 1);
    st = read_with(&tern_module_data_aws_partition, NULL, "{}");
    ASSERT_STR_EQ(mod_str(st, "partition"), "aws");
    json_decref(st);
    st = read_with(&tern_module_data_aws_region, NULL, "{}");
    ASSERT_STR_EQ(mod_str(st, "name"), "us-east-1");
    json_decref(st);
}

TEST(mod_data_aws_partition, region)
{
    json_t *st;

    st = read_with(&tern_module_data_aws_region, "{\"region\": \"eu-west-1\"}",
                   "{}");
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

/* ... while the CLI still honours AWS_DEFAULT_REGION: configure reads it
 * once, before any worker starts, and passes it in the settings. */
TEST(mod_data_aws_partition, cli_region_from_env)
{
    const char *env[] = {"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
                         "AWS_SECRET_ACCESS_KEY=example",
                         "AWS_DEFAULT_REGION=us-gov-west-1",
                         "AWS_CONFIG_FILE=/dev/null",
                         "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
                         "AWS_EC2_METADATA_DISABLED=true",
                         NULL};
    const char *args[] = {"output", "-raw", "r", NULL};
    const char *apply[] = {"apply", "-auto-approve", "-no-color", NULL};
    struct tt_run r;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "data \"aws_region\" \"r\" {}\n"
                            "data \"aws_partition\" \"p\" {}\n"
                            "output \"r\" {\n"
                            "  value = \"${data.aws_region.r.name} "
                            "${data.aws_partition.p.partition}\"\n"
                            "}\n"));
    ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, env, apply));
    ASSERT_EQ(r.status, 0);
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, env, args));
    ASSERT_STR_EQ(r.out, "us-gov-west-1 aws-us-gov");
    tt_run_release(&r);
}

const struct tern_test test_mod_data_aws_partition_list[] = {
    TEST_MODULE(mod_data_aws_partition, partitions),
    TEST_MODULE(mod_data_aws_partition, region),
    TEST_MODULE(mod_data_aws_partition, environment_not_read),
    TEST_INTEGRATION(mod_data_aws_partition, cli_region_from_env), TEST_END};
