/*
 * Deposed objects through the built binary against tern-sim: a
 * create_before_destroy replacement whose old role cannot be deleted
 * (a policy attached outside tern: DeleteConflict) keeps the old role as a
 * deposed object; plans show it as Terraform does, and the next apply
 * deletes it once it can.
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"
#include "cli_test.h"

#include <string.h>

static void config(const char *name)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "resource \"aws_iam_role\" \"a\" {\n"
             "  name = \"%s\"\n" TT_HCL_TRUST_EC2 "  lifecycle {\n"
             "    create_before_destroy = true\n"
             "  }\n"
             "}\n",
             name);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

static void iam(const char *action, const char *const *params)
{
    struct tt_response resp;

    ASSERT_OK(tt_iam(&resp, &sim, action, params));
    if (resp.status != 200)
        FAIL("%s: HTTP %ld\n%s", action, resp.status, resp.body);
    tt_response_release(&resp);
}

static int role_exists(const char *name)
{
    const char *p[] = {"RoleName", name, NULL};
    struct tt_response resp;
    long status;

    ASSERT_OK(tt_iam(&resp, &sim, "GetRole", p));
    status = resp.status;
    tt_response_release(&resp);
    return status == 200;
}

/*
 * A replacement of a real role (a new name), with its trust policy written
 * differently but equivalently and force_detach_policies unset: the plan
 * shows the prior's text and zero value, and the apply must not take
 * them for a change ("Inconsistent final plan").
 */
TEST(cli_deposed, role_replacement_applies)
{
    static const char *const texts[] = {
        "resource \"aws_iam_role\" \"a\" {\n"
        "  name = \"one\"\n" TT_HCL_TRUST_EC2 "}\n",
        "resource \"aws_iam_role\" \"a\" {\n"
        "  name = \"two\"\n"
        "  assume_role_policy = jsonencode({\n"
        "    Statement = [{\n"
        "      Action    = [\"sts:AssumeRole\"]\n"
        "      Principal = { Service = [\"ec2.amazonaws.com\"] }\n"
        "      Effect    = \"Allow\"\n"
        "    }]\n"
        "    Version = \"2012-10-17\"\n"
        "  })\n"
        "}\n"};

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", texts[0]));
    RUN(0, "apply", "-auto-approve");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", texts[1]));
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.a: Destroying...");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.a: Creating...");
    ASSERT_STR_CONTAINS(r.out, "1 added, 0 changed, 1 destroyed.");
    ASSERT_FALSE(role_exists("one"));
    ASSERT_TRUE(role_exists("two"));
    RUN(0, "plan", "-detailed-exitcode");
    tt_sim_stop(&sim);
}

TEST(cli_deposed, failed_delete_is_kept_shown_and_retried)
{
    const char *attach[] = {"RoleName", "old", "PolicyArn",
                            "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL};
    const char *deposed;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    /* DeleteConflict is retried as propagation: not for long here. */
    tt_sim_env_add(&env, "TERN_PROPAGATION_TIMEOUT_MS=300");
    config("old");
    RUN(0, "apply", "-auto-approve");
    /* Someone attaches a policy tern does not manage to the old role. */
    iam("AttachRolePolicy", attach);
    config("new");
    RUN(1, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.err, "DeleteConflict");
    /* Terraform's lines for each half; warnings go to standard output. */
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.a: Creating...\n");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.a: Creation complete after ");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.a (deposed object ");
    ASSERT_STR_CONTAINS(r.out, "): Destroying...");
    ASSERT_STR_CONTAINS(r.out, "Warning: Deposed object kept");
    ASSERT_TRUE(role_exists("old"));
    ASSERT_TRUE(role_exists("new"));

    /* The plan shows it, under the address, as Terraform does. */
    RUN(2, "plan", "-detailed-exitcode");
    deposed = strstr(r.out, "# aws_iam_role.a (deposed object ");
    ASSERT_NOT_NULL(deposed);
    ASSERT_STR_CONTAINS(deposed, ") will be destroyed");
    ASSERT_STR_CONTAINS(r.out, "\"old\"");
    ASSERT_STR_CONTAINS(r.out, "Plan: 0 to add, 0 to change, 1 to destroy.");
    /* A deposed object is no unfinished operation. */
    ASSERT_STR_NOT_CONTAINS(r.out, "Unfinished operations");
    ASSERT_STR_NOT_CONTAINS(r.err, "Unfinished operations");

    /* Once it can be deleted, the next apply does, and nothing else. */
    iam("DetachRolePolicy", attach);
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.a (deposed object ");
    ASSERT_STR_CONTAINS(r.out, "): Destruction complete");
    ASSERT_FALSE(role_exists("old"));
    ASSERT_TRUE(role_exists("new"));
    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_deposed_list[] = {
    TEST_INTEGRATION(cli_deposed, role_replacement_applies),
    TEST_INTEGRATION(cli_deposed, failed_delete_is_kept_shown_and_retried),
    TEST_END,
};
