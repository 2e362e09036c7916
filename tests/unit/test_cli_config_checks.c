/*
 * Configuration checks that validate and plan must agree on, through the
 * built binary, with whole messages: an import block whose target has no
 * configuration (Terraform's "Configuration for import target does not
 * exist"). No case reaches a server: the endpoint is a closed port.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

static const char *env[] = {"AWS_ENDPOINT_URL=http://127.0.0.1:9",
                            "AWS_ACCESS_KEY_ID=AKIDTERNSIMDEFAULT01",
                            "AWS_SECRET_ACCESS_KEY=ternsim/default/"
                            "SECRETKEY0000000000000001",
                            "AWS_REGION=us-east-1",
                            "AWS_PROFILE=",
                            "AWS_CONFIG_FILE=/nonexistent",
                            "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
                            "AWS_EC2_METADATA_DISABLED=true",
                            NULL};

static struct tt_run r;

static void run_in(int status, const char *const *args)
{
    char *why = tt_run_expect(&r, tern_test_tmpdir(), env, args, status);

    if (why)
        FAIL("%s", why);
}

#define RUN(status, ...)                                                       \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((status), args_);                                               \
    } while (0)

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
TEST(cli_config_checks, import_target_instance_not_in_configuration)
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

const struct tern_test test_cli_config_checks_list[] = {
    TEST_INTEGRATION(cli_config_checks, import_target_without_resource_block),
    TEST_INTEGRATION(cli_config_checks,
                     import_target_instance_not_in_configuration),
    TEST_END};
