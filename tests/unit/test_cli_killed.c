/*
 * Applies killed (SIGKILL) at a chosen call against tern-sim, and the runs
 * after them: the kill comes once the simulator's call log shows the
 * call (GET /_sim/calls?at_least=N waits for it), while that call's answer
 * is stalled (garble_mode "stall"), so the service did the work and tern
 * never heard of it. No timers.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#include "cli_test.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void control(const char *method, const char *path, const char *json)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_control(&resp, &sim, method, path, json));
    if (resp.status != 200)
        FAIL("%s /_sim/%s: HTTP %ld\n%s", method, path, resp.status, resp.body);
    tt_response_release(&resp);
}

/* How many calls of @action the simulator logged; *total gets all. */
static int count_action(const char *action, long *total)
{
    struct tt_response resp;
    json_t *doc, *calls, *c;
    char path[64];
    size_t i;
    int n = 0;

    snprintf(path, sizeof(path), "calls?at_least=%ld", *total + 1);
    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", path, NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    calls = json_object_get(doc, "calls");
    json_array_foreach(calls, i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "action")), action) ==
            0)
            n++;
    }
    *total = (long)json_array_size(calls);
    json_decref(doc);
    return n;
}

/* Stage: wait until the call log shows @arg (an action), then SIGKILL. */
static void kill_at(int pid, void *arg)
{
    long total = 0;
    int i;

    /* Each round waits for one more call (at most 30 s each). */
    for (i = 0; i < 20 && !count_action(arg, &total); i++)
        ;
    kill(pid, SIGKILL);
}

static void stall_all(void)
{
    control("POST", "faults",
            "{\"garble_rate\": 1, \"garble_mode\": \"stall\", "
            "\"stall_ms\": 20000}");
}

static void no_faults(void)
{
    control("POST", "faults", "{\"garble_rate\": 0, \"drop_rate\": 0}");
}

static void role_config(const char *name, int cbd)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "provider \"aws\" {\n"
             "  max_retries = 0\n"
             "}\n\n"
             "resource \"aws_iam_role\" \"a\" {\n"
             "  name = \"%s\"\n" TT_HCL_TRUST_EC2 "%s}\n",
             name,
             cbd ? "  lifecycle {\n"
                   "    create_before_destroy = true\n"
                   "  }\n"
                 : "");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

/* The roles in the simulator, as "name\n" lines in its order. */
static char *roles(void)
{
    struct tt_response resp;
    json_t *doc, *list, *x;
    char *out;
    size_t i, len = 0;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "dump", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    list = json_object_get(json_object_get(doc, "iam"), "roles");
    out = calloc(1, 4096);
    ASSERT_NOT_NULL(out);
    json_array_foreach(list, i, x)
    {
        len += (size_t)snprintf(out + len, 4096 - len, "%s\n",
                                json_string_value(json_object_get(x, "name")));
    }
    json_decref(doc);
    return out;
}

static void apply_killed_at(const char *const *args, const char *action)
{
    const struct tt_stage stages[] = {{"Creating...", kill_at, (void *)action},
                                      {NULL, NULL, NULL}};

    stall_all();
    control("DELETE", "calls", NULL);
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_stages(&r, tern_test_tmpdir(), NULL, env.env, args,
                                 stages));
    ASSERT_EQ(r.status, 128 + SIGKILL);
    no_faults();
}

/*
 * A create_before_destroy replacement killed once its new role is made:
 * the state still holds the old role, and only the create intent knows of
 * the new one. The next apply adopts it (no EntityAlreadyExists on the
 * fixed name) and deletes the old one; the one after has nothing to do.
 */
TEST(cli_killed, replacement_adopted)
{
    const char *apply_plan[] = {"apply", "p.tfplan", NULL};
    char *t;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    role_config("orphan-a", 1);
    RUN(0, "apply", "-auto-approve");
    role_config("orphan-b", 1);
    RUN(0, "plan", "-out=p.tfplan");
    apply_killed_at(apply_plan, "CreateRole");
    t = roles();
    ASSERT_STR_EQ(t, "orphan-a\norphan-b\n");
    free(t);
    /* Only the create intent remembers orphan-b. */
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.a\n");
    ASSERT_STR_CONTAINS(r.err, "1 operation(s) were started but never "
                               "recorded as done, the first one on "
                               "aws_iam_role.a (create)");
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_NOT_CONTAINS(r.err, "EntityAlreadyExists");
    t = roles();
    ASSERT_STR_EQ(t, "orphan-b\n");
    free(t);
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_STR_NOT_CONTAINS(r.out, "Unfinished operations");
    ASSERT_STR_NOT_CONTAINS(r.err, "Unfinished operations");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.a\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/*
 * Finding 12 of issue 20, end to end: a first apply whose every call is
 * dropped keeps its create intent (the outcome is unknown) without making
 * the role; a saved plan's apply is killed once its CreateRole is made.
 * Two intents for one address and one role: the next apply adopts the
 * role and settles both, and the one after has nothing to do.
 */
TEST(cli_killed, two_intents_one_role)
{
    const char *apply_plan[] = {"apply", "p.tfplan", NULL};
    char *t;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    role_config("twice", 0);
    control("POST", "faults", "{\"drop_rate\": 1}");
    RUN(1, "apply", "-auto-approve");
    no_faults();
    t = roles();
    ASSERT_STR_EQ(t, "");
    free(t);
    RUN(0, "plan", "-out=p.tfplan");
    apply_killed_at(apply_plan, "CreateRole");
    t = roles();
    ASSERT_STR_EQ(t, "twice\n");
    free(t);
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_CONTAINS(r.err, "2 operation(s) were started but never "
                               "recorded as done, the first one on "
                               "aws_iam_role.a (create)");
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_NOT_CONTAINS(r.err, "EntityAlreadyExists");
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_STR_NOT_CONTAINS(r.out, "Unfinished operations");
    ASSERT_STR_NOT_CONTAINS(r.err, "Unfinished operations");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.a\n");
    t = roles();
    ASSERT_STR_EQ(t, "twice\n");
    free(t);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_killed_list[] = {
    TEST_INTEGRATION(cli_killed, replacement_adopted),
    TEST_INTEGRATION(cli_killed, two_intents_one_role), TEST_END};
