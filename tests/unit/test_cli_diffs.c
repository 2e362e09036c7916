/*
 * A name_prefix the provider computes, through the built binary against a
 * tern-sim on 127.0.0.1: naming the objects afterwards with the names the
 * prefix gave them is no change. The generated names are known only once
 * applied, so this stays in C; the other diffs of the upstream providers
 * (docs/ATTRIBUTES.md) are cli cases 406-413 (tests/cases/cli).
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#include "cli_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start(void)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
}

static void stop(void)
{
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* What `plan -no-color` prints when nothing changes, after its refresh
 * lines ("ADDR: Refreshing state... [id=ID]"). */
#define NO_CHANGES                                                             \
    "\n"                                                                       \
    "No changes. Your infrastructure matches the configuration.\n"             \
    "\n"                                                                       \
    "tern has compared your real infrastructure against your "                 \
    "configuration\n"                                                          \
    "and found no differences, so no changes are needed.\n"

/* The names tern-sim holds: its only role, instance profile and inline
 * policy. */
static void sim_names(char *role, char *profile, char *policy, size_t size)
{
    struct tt_response resp;
    json_t *dump, *iam, *r0;
    const char *k;
    json_t *v;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "dump", NULL));
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    iam = json_object_get(dump, "iam");
    r0 = json_array_get(json_object_get(iam, "roles"), 0);
    snprintf(role, size, "%s", json_string_value(json_object_get(r0, "name")));
    snprintf(profile, size, "%s",
             json_string_value(json_object_get(
                 json_array_get(json_object_get(iam, "instance_profiles"), 0),
                 "name")));
    policy[0] = '\0';
    json_object_foreach(json_object_get(r0, "inline_policies"), k, v)
        snprintf(policy, size, "%s", k);
    json_decref(dump);
}

static void prefix_config(const char *role, const char *profile,
                          const char *policy)
{
    char text[2048];

    snprintf(text, sizeof(text),
             "resource \"aws_iam_role\" \"r\" {\n"
             "  %s\n" TT_HCL_TRUST_EC2 "}\n"
             "\n"
             "resource \"aws_iam_instance_profile\" \"p\" {\n"
             "  %s\n"
             "  role = aws_iam_role.r.name\n"
             "}\n"
             "\n"
             "resource \"aws_iam_role_policy\" \"p\" {\n"
             "  %s\n"
             "  role   = aws_iam_role.r.name\n"
             "  policy = jsonencode({\n"
             "    Version   = \"2012-10-17\"\n"
             "    Statement = [{ Effect = \"Allow\", Action = "
             "\"s3:GetObject\", Resource = \"*\" }]\n"
             "  })\n"
             "}\n",
             role, profile, policy);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

TEST(cli_diffs, name_prefix_is_computed)
{
    char role[128], profile[128], policy[128];
    char rl[160], pl[160], ll[160], want[1024];

    start();
    prefix_config("name_prefix = \"app-\"", "name_prefix = \"app-\"",
                  "name_prefix = \"pol-\"");
    RUN(0, "apply", "-auto-approve", "-no-color");
    sim_names(role, profile, policy, sizeof(role));
    /* Naming the objects now (as a state from Terraform, which records
     * name_prefix, would under a configuration that names them) is no
     * change: name_prefix is Optional+Computed upstream. */
    snprintf(rl, sizeof(rl), "name = \"%s\"", role);
    snprintf(pl, sizeof(pl), "name = \"%s\"", profile);
    snprintf(ll, sizeof(ll), "name = \"%s\"", policy);
    prefix_config(rl, pl, ll);
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    snprintf(
        want, sizeof(want),
        "aws_iam_instance_profile.p: Refreshing state... [id=%s]\n"
        "aws_iam_role.r: Refreshing state... [id=%s]\n"
        "aws_iam_role_policy.p: Refreshing state... [id=%s:%s]\n" NO_CHANGES,
        profile, role, role, policy);
    ASSERT_STR_EQ(r.out, want);
    stop();
}

const struct tern_test test_cli_diffs_list[] = {
    TEST_INTEGRATION(cli_diffs, name_prefix_is_computed), TEST_END};
