/*
 * Data sources in a plan: independent reads run at once (one round trip,
 * not one each), and `apply` without a plan file reads each data source
 * once. Through the built binary against a tern-sim with injected latency;
 * overlap and counts from its call log (start_ms, end_ms), never from
 * wall-clock thresholds.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

#include <jansson.h>
#include <string.h>

static struct tt_sim sim;
static struct tt_sim_env env;

/* The first call of @action in the log: its start and end. */
static int find_call(json_t *log, const char *action, long long *start,
                     long long *end)
{
    json_t *c;
    size_t i;
    int n = 0;

    json_array_foreach(json_object_get(log, "calls"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "action"));

        if (!a || strcmp(a, action) != 0)
            continue;
        if (!n++) {
            *start = json_integer_value(json_object_get(c, "start_ms"));
            *end = json_integer_value(json_object_get(c, "end_ms"));
        }
    }
    return n;
}

TEST(data_reads, independent_reads_overlap_and_run_once)
{
    const char *sim_args[] = {"--latency-ms", "100", NULL};
    const char *args[] = {"apply", "-auto-approve", NULL};
    struct tt_response resp;
    struct tt_run r;
    json_t *log;
    long long s1 = 0, e1 = 0, s2 = 0, e2 = 0;

    memset(&r, 0, sizeof(r));
    ASSERT_OK(tt_sim_start(&sim, sim_args));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_sim_control(
        &resp, &sim, "POST", "load",
        "{\"iam\":{\"roles\":[{\"name\":\"existing\",\"assume_role_policy\":"
        "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
        "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
        "\\\"ec2.amazonaws.com\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}"
        "\"}]}}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    /* The role is declared first, so the engine's dependency order meets
     * a block that needs the caller identity before it meets the other
     * data source: the planner must still start both reads first. */
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "main.tf",
                      "resource \"aws_iam_role_policy\" \"p\" {\n"
                      "  name = \"p\"\n"
                      "  role = data.aws_iam_role.existing.name\n"
                      "  policy = jsonencode({\n"
                      "    Version = \"2012-10-17\"\n"
                      "    Statement = [{\n"
                      "      Effect   = \"Allow\"\n"
                      "      Action   = \"s3:GetObject\"\n"
                      "      Resource = \"arn:aws:s3:::b-${local.account}/*\"\n"
                      "    }]\n"
                      "  })\n"
                      "}\n"
                      "locals {\n"
                      "  account = data.aws_caller_identity.me.account_id\n"
                      "}\n"
                      "data \"aws_caller_identity\" \"me\" {}\n"
                      "data \"aws_iam_role\" \"existing\" {\n"
                      "  name = \"existing\"\n"
                      "}\n"));
    ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, env.env, args));
    if (r.status != 0)
        FAIL("tern apply: exit %d\n%s\n%s", r.status, r.out, r.err);
    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "calls", NULL));
    log = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(log);
    /* Each read once, though apply planned first and then applied. */
    ASSERT_EQ(find_call(log, "GetCallerIdentity", &s1, &e1), 1);
    ASSERT_EQ(find_call(log, "GetRole", &s2, &e2), 1);
    /* At the same time: each started before the other had ended. */
    ASSERT_CMP(s1, <, e2);
    ASSERT_CMP(s2, <, e1);
    json_decref(log);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_data_reads_list[] = {
    TEST_INTEGRATION(data_reads, independent_reads_overlap_and_run_once),
    TEST_END};
