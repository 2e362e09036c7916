/*
 * data "aws_availability_zones" through the built binary against a
 * tern-sim on 127.0.0.1: the provider block's region (us-west-2) picks
 * the zones the EC2 client asks for, exclusions and a filter apply, the
 * outputs show them; a state the EC2 model does not know is refused by
 * validate at its range.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#include "cli_test.h"

#include <string.h>

static const char config[] =
    "provider \"aws\" {\n"
    "  region = \"us-west-2\"\n"
    "}\n"
    "data \"aws_availability_zones\" \"az\" {\n"
    "  exclude_names = [\"us-west-2b\"]\n"
    "  filter {\n"
    "    name   = \"zone-id\"\n"
    "    values = [\"usw2-az1\", \"usw2-az2\", \"usw2-az4\"]\n"
    "  }\n"
    "}\n"
    "output \"names\" {\n"
    "  value = data.aws_availability_zones.az.names\n"
    "}\n"
    "output \"zone_ids\" {\n"
    "  value = data.aws_availability_zones.az.zone_ids\n"
    "}\n"
    "output \"id\" {\n"
    "  value = data.aws_availability_zones.az.id\n"
    "}\n";

static const char bad_state[] = "data \"aws_availability_zones\" \"az\" {\n"
                                "  state = \"up\"\n"
                                "}\n";

TEST(cli_availability_zones, region_filters_and_outputs)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
    RUN(0, "apply", "-auto-approve");
    tt_run_release(&r);
    RUN(0, "output", "-json", "names");
    ASSERT_STR_EQ(r.out, "[\n  \"us-west-2a\",\n  \"us-west-2d\"\n]\n");
    tt_run_release(&r);
    RUN(0, "output", "-json", "zone_ids");
    ASSERT_STR_EQ(r.out, "[\n  \"usw2-az1\",\n  \"usw2-az4\"\n]\n");
    tt_run_release(&r);
    RUN(0, "output", "-raw", "id");
    ASSERT_STR_EQ(r.out, "us-west-2");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(cli_availability_zones, unknown_state_is_refused)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", bad_state));
    RUN(1, "validate");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid value for argument\n\n"
                  "  on main.tf line 2, in data \"aws_availability_zones\" "
                  "\"az\":\n"
                  "   2:   state = \"up\"\n"
                  "                ^^^^\n\n"
                  "The argument \"state\" must be one of \"available\", "
                  "\"information\", \"impaired\" or \"unavailable\", not "
                  "\"up\".\n\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_availability_zones_list[] = {
    TEST_INTEGRATION(cli_availability_zones, region_filters_and_outputs),
    TEST_INTEGRATION(cli_availability_zones, unknown_state_is_refused),
    TEST_END};
