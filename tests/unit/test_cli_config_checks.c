/*
 * Configuration checks that validate and plan must agree on, through the
 * built binary, with whole messages: an import block whose target has no
 * configuration (Terraform's "Configuration for import target does not
 * exist"), and provider blocks that use local values (accepted) or data
 * sources (refused, naming the reference). No case reaches a server: the
 * endpoint is a closed port, and data "aws_region" makes no call.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#define TT_CLI_ENV tt_cli_offline_env
#include "cli_test.h"

/* An import block naming a resource that has no block: validate and plan
 * both refuse it at the block's `to`, instead of planning "No changes.". */
TEST(cli_config_checks, import_target_without_resource_block)
{
    static const char cfg[] = "resource \"aws_iam_role\" \"app\" {\n"
                              "  name = \"app\"\n" TT_HCL_TRUST_EC2 "}\n"
                              "\n"
                              "import {\n"
                              "  to = aws_iam_role.legacy\n"
                              "  id = \"legacy-role\"\n"
                              "}\n";
    static const char want[] =
        "Error: Configuration for import target does not exist\n"
        "\n"
        "  on main.tf line 14, in import:\n"
        "  14:   to = aws_iam_role.legacy\n"
        "             ^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "The configuration for the given import target aws_iam_role.legacy "
        "does not exist. All target instances must have an associated "
        "configuration to be imported.\n\n";

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", cfg));
    RUN(1, "validate", "-no-color");
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_EQ(r.err, want);
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_EQ(r.err, want);
}

/* With a block, the instance must exist too: a key for_each does not
 * have, or no key for a block with for_each, is refused by the plan. */
TEST(cli_config_checks, import_target_instance_missing)
{
    static const char cfg[] = "resource \"aws_iam_role\" \"r\" {\n"
                              "  for_each = toset([\"a\"])\n"
                              "  name     = each.key\n" TT_HCL_TRUST_EC2 "}\n"
                              "\n"
                              "import {\n"
                              "  to = aws_iam_role.r[\"b\"]\n"
                              "  id = \"b\"\n"
                              "}\n"
                              "\n"
                              "import {\n"
                              "  to = aws_iam_role.r\n"
                              "  id = \"c\"\n"
                              "}\n";

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", cfg));
    RUN(0, "validate", "-no-color");
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(r.out, "\nPlanning failed. tern encountered an error "
                         "while generating this plan.\n");
    ASSERT_STR_EQ(r.err,
                  "Error: Configuration for import target does not exist\n"
                  "\n"
                  "  on main.tf line 15, in import:\n"
                  "  15:   to = aws_iam_role.r[\"b\"]\n"
                  "             ^^^^^^^^^^^^^^^^^^^\n"
                  "\n"
                  "The configuration for the given import "
                  "aws_iam_role.r[\"b\"] does not exist. All target "
                  "instances must have an associated configuration to be "
                  "imported.\n"
                  "\n"
                  "Error: Configuration for import target does not exist\n"
                  "\n"
                  "  on main.tf line 20, in import:\n"
                  "  20:   to = aws_iam_role.r\n"
                  "             ^^^^^^^^^^^^^^\n"
                  "\n"
                  "The configuration for the given import aws_iam_role.r "
                  "does not exist. All target instances must have an "
                  "associated configuration to be imported.\n\n");
}

/* A provider block sees local values (which see variables): validate and
 * plan accept it, and the provider is configured with the local's value,
 * which data "aws_region" reports. */
TEST(cli_config_checks, provider_block_uses_locals)
{
    static const char cfg[] = "variable \"n\" {\n"
                              "  type    = number\n"
                              "  default = 3\n"
                              "}\n"
                              "\n"
                              "locals {\n"
                              "  region = \"eu-west-${var.n}\"\n"
                              "  r      = local.region\n"
                              "}\n"
                              "\n"
                              "provider \"aws\" {\n"
                              "  region      = local.r\n"
                              "  max_retries = 1\n"
                              "}\n"
                              "\n"
                              "data \"aws_region\" \"here\" {}\n"
                              "\n"
                              "output \"region\" {\n"
                              "  value = data.aws_region.here.name\n"
                              "}\n";

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", cfg));
    RUN(0, "validate", "-no-color");
    ASSERT_STR_EQ(r.out, "Success! The configuration is valid.\n");
    ASSERT_STR_EQ(r.err, "");
    RUN(0, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, "");
    ASSERT_STR_CONTAINS(r.out, "Changes to Outputs:\n"
                               "  + region = \"eu-west-3\"\n");
    RUN(0, "plan", "-no-color", "-var", "n=2");
    ASSERT_STR_CONTAINS(r.out, "  + region = \"eu-west-2\"\n");
}

/* A provider block that uses a data source, directly or through a local,
 * is refused by validate and plan alike, at the reference in the provider
 * block (before, validate passed and plan said the local was undeclared). */
TEST(cli_config_checks, provider_block_refuses_data_sources)
{
    static const char cfg[] =
        "data \"aws_caller_identity\" \"me\" {}\n"
        "\n"
        "locals {\n"
        "  account = data.aws_caller_identity.me.account_id\n"
        "  role    = \"arn:aws:iam::${local.account}:role/deploy\"\n"
        "}\n"
        "\n"
        "provider \"aws\" {\n"
        "  profile = data.aws_caller_identity.me.id\n"
        "  assume_role {\n"
        "    role_arn = local.role\n"
        "  }\n"
        "}\n";
    static const char want[] =
        "Error: Unsupported reference in provider configuration\n"
        "\n"
        "  on main.tf line 9, in provider \"aws\":\n"
        "   9:   profile = data.aws_caller_identity.me.id\n"
        "                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "tern configures a provider before it reads any data source or "
        "plans any resource, so a provider block can use input variables "
        "and local values only, not data.aws_caller_identity.me.\n"
        "\n"
        "Error: Unsupported reference in provider configuration\n"
        "\n"
        "  on main.tf line 11, in provider \"aws\":\n"
        "  11:     role_arn = local.role\n"
        "                     ^^^^^^^^^^\n"
        "\n"
        "tern configures a provider before it reads any data source or "
        "plans any resource, so a provider block can use input variables "
        "and local values only, not data.aws_caller_identity.me (through "
        "local.role).\n\n";

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", cfg));
    RUN(1, "validate", "-no-color");
    ASSERT_STR_EQ(r.err, want);
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, want);
}

const struct tern_test test_cli_config_checks_list[] = {
    TEST_INTEGRATION(cli_config_checks, import_target_without_resource_block),
    TEST_INTEGRATION(cli_config_checks, import_target_instance_missing),
    TEST_INTEGRATION(cli_config_checks, provider_block_uses_locals),
    TEST_INTEGRATION(cli_config_checks, provider_block_refuses_data_sources),
    TEST_END};
