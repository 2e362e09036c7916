/*
 * A pipeline's habits, through the built binary: TF_INPUT=0 keeps tern
 * from asking on a terminal (a pseudo-terminal here), TF_LOG and
 * TF_LOG_PATH send the log, still redacted, to a file instead of stderr.
 * TF_CLI_ARGS, TF_IN_AUTOMATION and TF_DATA_DIR are golden cases
 * (tests/cases/cli/20x-tf-*).
 */
#include "runner.h"
#include "support.h"
#include "run_tern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG                                                                 \
    "resource \"random_id\" \"server\" {\n"                                    \
    "  byte_length = 4\n"                                                      \
    "}\n"

/* What a terminal showed, without its carriage returns. */
static void strip_cr(char *s)
{
    char *w = s;

    for (; *s; s++)
        if (*s != '\r')
            *w++ = *s;
    *w = '\0';
}

#define NO_TERMINAL                                                            \
    "Error: No terminal to ask for approval\n\n"                               \
    "apply asks for confirmation before it changes anything, and there is "    \
    "no terminal to ask on (standard input is not a terminal, -input=false "   \
    "or -json was given). Review the plan above and run again with "           \
    "-auto-approve, or save it with \"tern plan -out=FILE\" and run \"tern "   \
    "apply FILE\".\n\n"

TEST(automation, tf_input_on_terminal)
{
    const char *apply[] = {"apply", "-no-color", NULL};
    const char *env0[] = {"TF_INPUT=0", NULL};
    const char *envf[] = {"TF_INPUT=false", NULL};
    const char *env1[] = {"TF_INPUT=1", NULL};
    struct tt_run r = {NULL, NULL, 0};
    const char *dir = tern_test_tmpdir();
    const char *at;

    ASSERT_OK(tt_write_file(dir, "main.tf", CONFIG));
    /* On a terminal tern would ask; TF_INPUT=0 says not to. */
    ASSERT_OK(tt_run_tern_pty(&r, dir, "yes\n", env0, apply));
    ASSERT_EQ(r.status, 1);
    strip_cr(r.out);
    at = strstr(r.out, "Error: ");
    ASSERT_NOT_NULL(at);
    ASSERT_STR_EQ(at, NO_TERMINAL);
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_pty(&r, dir, "yes\n", envf, apply));
    ASSERT_EQ(r.status, 1);
    tt_run_release(&r);
    /* TF_INPUT=1 leaves the terminal's prompt alone. */
    ASSERT_OK(tt_run_tern_pty(&r, dir, "yes\n", env1, apply));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "Do you want to perform these actions?");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 1 added");
    tt_run_release(&r);
}

TEST(automation, tf_log_path)
{
    struct tt_sim sim;
    struct tt_sim_env env;
    struct tt_run r = {NULL, NULL, 0};
    const char *plan[] = {"apply", "-auto-approve", "-no-color", NULL};
    const char *dir = tern_test_tmpdir();
    char path[4200], entry[4300];
    char *log;
    size_t len = 0;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    snprintf(path, sizeof(path), "%s/tern.log", dir);
    snprintf(entry, sizeof(entry), "TF_LOG_PATH=%s", path);
    /* An unknown TF_LOG level logs everything, as Terraform's. */
    tt_sim_env_add(&env, "TF_LOG=json");
    tt_sim_env_add(&env, entry);
    ASSERT_OK(tt_write_file(dir, "main.tf",
                            "resource \"aws_iam_role\" \"r\" {\n"
                            "  name = \"logged\"\n" TT_HCL_TRUST_EC2 "}\n"));
    ASSERT_OK(tt_run_tern_env(&r, dir, NULL, env.env, plan));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_EQ(r.err, "");
    log = tt_read_file(path, &len);
    ASSERT_NOT_NULL(log);
    ASSERT_STR_CONTAINS(log, " [trace] ");
    ASSERT_STR_CONTAINS(log, " [debug] ");
    ASSERT_STR_NOT_CONTAINS(log, "SECRETKEY0000000000000001");
    free(log);
    tt_run_release(&r);
    /* TERN_LOG wins over TF_LOG; the file is appended to. */
    tt_sim_env_add(&env, "TERN_LOG=error");
    ASSERT_OK(tt_run_tern_env(&r, dir, NULL, env.env, plan));
    ASSERT_EQ(r.status, 0);
    log = tt_read_file(path, NULL);
    ASSERT_NOT_NULL(log);
    ASSERT_EQ(strlen(log), len);
    free(log);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

#define VARS                                                                   \
    "variable \"name\" {\n"                                                    \
    "  type        = string\n"                                                 \
    "  description = \"The name.\\nSecond line.\"\n"                           \
    "}\n"                                                                      \
    "variable \"count_of\" {\n"                                                \
    "  type = number\n"                                                        \
    "}\n"                                                                      \
    "variable \"opt\" {\n"                                                     \
    "  default = \"x\"\n"                                                      \
    "}\n"                                                                      \
    "output \"o\" {\n"                                                         \
    "  value = \"${var.name}-${var.count_of}-${var.opt}\"\n"                   \
    "}\n"

/* A missing variable on a terminal is asked for, in name order, as
 * Terraform's UIInput asks; a number is read as -var reads it. */
TEST(automation, variable_prompt)
{
    const char *plan[] = {"plan", "-no-color", NULL};
    const char *env0[] = {"TF_INPUT=0", NULL};
    struct tt_run r = {NULL, NULL, 0};
    const char *dir = tern_test_tmpdir();
    const char *at;

    ASSERT_OK(tt_write_file(dir, "main.tf", VARS));
    ASSERT_OK(tt_run_tern_pty(&r, dir, "3\nhello world\n", NULL, plan));
    ASSERT_EQ(r.status, 0);
    strip_cr(r.out);
    at = strstr(r.out, "var.count_of");
    ASSERT_NOT_NULL(at);
    ASSERT_EQ(strncmp(at,
                      "var.count_of\n"
                      "  Enter a value: \n"
                      "var.name\n"
                      "  The name.\n"
                      "  Second line.\n"
                      "\n"
                      "  Enter a value: \n"
                      "\n"
                      "Changes to Outputs:\n"
                      "  + o = \"hello world-3-x\"\n",
                      strlen("var.count_of\n"
                             "  Enter a value: \n"
                             "var.name\n"
                             "  The name.\n"
                             "  Second line.\n"
                             "\n"
                             "  Enter a value: \n"
                             "\n"
                             "Changes to Outputs:\n"
                             "  + o = \"hello world-3-x\"\n")),
              0);
    tt_run_release(&r);
    /* An empty answer leaves it unset: the error as without a terminal. */
    ASSERT_OK(tt_run_tern_pty(&r, dir, "\n\n", NULL, plan));
    ASSERT_EQ(r.status, 1);
    strip_cr(r.out);
    ASSERT_STR_CONTAINS(r.out, "Error: No value for required variable\n");
    tt_run_release(&r);
    /* TF_INPUT=0: no question, the error. */
    ASSERT_OK(tt_run_tern_pty(&r, dir, "3\nhello\n", env0, plan));
    ASSERT_EQ(r.status, 1);
    strip_cr(r.out);
    ASSERT_STR_NOT_CONTAINS(r.out, "Enter a value:");
    at = strstr(r.out, "Error: ");
    ASSERT_NOT_NULL(at);
    ASSERT_STR_EQ(at,
                  "Error: No value for required variable\n\n"
                  "  on main.tf line 1, in variable \"name\":\n"
                  "   1: variable \"name\" {\n"
                  "      ^^^^^^^^^^^^^^^\n\n"
                  "The root module input variable \"name\" is not set, and "
                  "has no default value. Use a -var or -var-file command line "
                  "argument to provide a value for this variable.\n\n"
                  "Error: No value for required variable\n\n"
                  "  on main.tf line 5, in variable \"count_of\":\n"
                  "   5: variable \"count_of\" {\n"
                  "      ^^^^^^^^^^^^^^^^^^^\n\n"
                  "The root module input variable \"count_of\" is not set, "
                  "and has no default value. Use a -var or -var-file command "
                  "line argument to provide a value for this variable.\n\n");
    tt_run_release(&r);
}

/* The plan's warnings come before the approval question, as Terraform
 * shows them (internal/backend/local/backend_apply.go: "We'll show any
 * accumulated warnings before we display the prompt"); the apply's own
 * after it. */
TEST(automation, warnings_before_prompt)
{
    const char *apply[] = {"apply", "-no-color", NULL};
    struct tt_run r = {NULL, NULL, 0};
    const char *dir = tern_test_tmpdir();
    const char *at;

    ASSERT_OK(tt_write_file(dir, "main.tf",
                            "resource \"random_integer\" \"n\" {\n"
                            "  min  = 1\n"
                            "  max  = 5\n"
                            "  seed = \"tern\"\n"
                            "}\n"
                            "check \"small\" {\n"
                            "  assert {\n"
                            "    condition     = 1 > 2\n"
                            "    error_message = \"One is not above two.\"\n"
                            "  }\n"
                            "}\n"));
    ASSERT_OK(tt_run_tern_pty(&r, dir, "yes\n", NULL, apply));
    ASSERT_EQ(r.status, 0);
    strip_cr(r.out);
    at = strstr(r.out, "Plan: ");
    ASSERT_NOT_NULL(at);
    ASSERT_STR_EQ(at, "Plan: 1 to add, 0 to change, 0 to destroy.\n"
                      "Warning: Check block assertion failed\n"
                      "\n"
                      "  on main.tf line 8, in check \"small\":\n"
                      "   8:     condition     = 1 > 2\n"
                      "                          ^^^^^\n"
                      "\n"
                      "One is not above two.\n"
                      "\n"
                      "\n"
                      "Do you want to perform these actions?\n"
                      "  tern will perform the actions described above.\n"
                      "  Only 'yes' will be accepted to approve.\n"
                      "\n"
                      "  Enter a value: \n"
                      "\n"
                      "random_integer.n: Creating...\n"
                      "random_integer.n: Creation complete after 0s "
                      "[id=4]\n"
                      "\n"
                      "Apply complete! Resources: 1 added, 0 changed, 0 "
                      "destroyed.\n"
                      "Warning: Check block assertion failed\n"
                      "\n"
                      "  on main.tf line 8, in check \"small\":\n"
                      "   8:     condition     = 1 > 2\n"
                      "                          ^^^^^\n"
                      "\n"
                      "One is not above two.\n"
                      "\n");
    tt_run_release(&r);
}

const struct tern_test test_cli_automation_list[] = {
    TEST_INTEGRATION(automation, warnings_before_prompt),
    TEST_INTEGRATION(automation, variable_prompt),
    TEST_INTEGRATION(automation, tf_input_on_terminal),
    TEST_INTEGRATION(automation, tf_log_path), TEST_END};
