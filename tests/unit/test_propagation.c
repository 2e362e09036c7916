/*
 * The refresh's propagation wait (src/engine/plan.c, settle): IAM is
 * eventually consistent and creates never read back, so a plan right after
 * an apply can read what the apply wrote as missing or as its old value.
 * An object tern wrote within the window (TERN_PROPAGATION_WINDOW_MS) that
 * reads so is read again until it reads as written or the window ends;
 * anything older is reported at once. The times come from the state's
 * history (tern_state_recent_writes). Through the built binary against a
 * tern-sim on 127.0.0.1 with a fixed propagation delay.
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"

#include "tern/state.h"
#include "util/alloc.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

static struct tt_sim sim;
static struct tt_sim_env env;
static char window[64];
static struct tt_run r;

static void start(const char *propagation_ms)
{
    const char *args[] = {"--propagation-ms", propagation_ms, NULL};

    ASSERT_OK(tt_sim_start(&sim, args));
    tt_sim_env_init(&env, &sim);
    tt_sim_env_add(&env, "TERN_LOG=info");
    tt_sim_env_add(&env, window);
}

/* Run tern with the propagation window @p window_ms. */
static void run_in(int status, long window_ms, const char *const *args)
{
    char *why;

    snprintf(window, sizeof(window), "TERN_PROPAGATION_WINDOW_MS=%ld",
             window_ms);
    why = tt_run_expect(&r, tern_test_tmpdir(), env.env, args, status);
    if (why)
        FAIL("%s", why);
}

#define RUN(status, window_ms, ...)                                            \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((status), (window_ms), args_);                                  \
    } while (0)

/* A role with a managed policy attached and an inline policy. */
static void config(void)
{
    static const char text[] =
        "resource \"aws_iam_role\" \"r\" {\n"
        "  name = \"prop\"\n" TT_HCL_TRUST_EC2 "}\n"
        "resource \"aws_iam_role_policy_attachment\" \"a\" {\n"
        "  role       = aws_iam_role.r.name\n"
        "  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n"
        "}\n"
        "resource \"aws_iam_role_policy\" \"p\" {\n"
        "  name = \"logs\"\n"
        "  role = aws_iam_role.r.id\n"
        "  policy = jsonencode({\n"
        "    Version   = \"2012-10-17\"\n"
        "    Statement = [{\n"
        "      Effect   = \"Allow\"\n"
        "      Action   = \"logs:PutLogEvents\"\n"
        "      Resource = \"*\"\n"
        "    }]\n"
        "  })\n"
        "}\n";

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

TEST(propagation, plan_after_apply_waits_for_new_objects)
{
    /* Each new object is unseen for 5 s (ample for a loaded machine to
     * run the next plan within): the apply itself waits for the role
     * (attach and put name it) but not for the attachment and the inline
     * policy it writes last. */
    start("5000");
    config();
    RUN(0, 120000, "apply", "-auto-approve");
    /* Without the wait, the plan reads them as deleted outside tern. */
    RUN(2, 0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out,
                        "# aws_iam_role_policy_attachment.a has been deleted");
    /* With it, the same plan waits for them, and is empty. */
    RUN(0, 120000, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_STR_NOT_CONTAINS(r.out, "has been deleted");
    ASSERT_STR_CONTAINS(r.err, "aws_iam_role_policy_attachment.a, written");
    ASSERT_STR_CONTAINS(r.err, "(not yet propagated?)");
    tt_sim_stop(&sim);
}

/* Apply the configuration on a sim without delay, then delete the inline
 * policy outside tern. */
static void apply_then_delete_inline_policy(void)
{
    const char *del[] = {"RoleName", "prop", "PolicyName", "logs", NULL};
    struct tt_response resp;

    start("0");
    config();
    RUN(0, 120000, "apply", "-auto-approve");
    ASSERT_OK(tt_iam(&resp, &sim, "DeleteRolePolicy", del));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
}

/*
 * A destroy right after an apply: its refresh must not take what IAM has
 * not yet propagated for gone, or it drops the object from the state
 * without deleting it (the inline policy, here, which then also keeps the
 * role from being deleted).
 */
TEST(propagation, destroy_right_after_apply_leaves_nothing)
{
    struct tt_response resp;
    json_t *dump, *iam;

    start("5000");
    config();
    RUN(0, 120000, "apply", "-auto-approve");
    RUN(0, 120000, "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Resources: 3 destroyed.");
    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "dump", NULL));
    ASSERT_EQ(resp.status, 200);
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(dump);
    iam = json_object_get(dump, "iam");
    ASSERT_EQ(json_array_size(json_object_get(iam, "roles")), 0);
    json_decref(dump);
    tt_sim_stop(&sim);
}

TEST(propagation, changed_outside_is_reported_after_window)
{
    apply_then_delete_inline_policy();
    /* Deleted outside tern a moment after tern wrote it: the refresh
     * cannot tell that from a slow propagation, so it reads again until
     * the window ends, then reports it. */
    RUN(2, 6000, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role_policy.p has been deleted");
    ASSERT_STR_CONTAINS(r.err, "aws_iam_role_policy.p, written");
    /* The role and the attachment read as written: no second read. */
    ASSERT_STR_NOT_CONTAINS(r.err, "aws_iam_role.r, written");
    ASSERT_STR_NOT_CONTAINS(r.err, "aws_iam_role_policy_attachment.a, written");
    tt_sim_stop(&sim);
}

TEST(propagation, older_writes_are_read_once)
{
    apply_then_delete_inline_policy();
    /* Written more than the window (1 s, and the history's 1 s grain)
     * ago: drift is reported at once, with no second read. */
    sleep_ms(2100);
    RUN(2, 1000, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role_policy.p has been deleted");
    ASSERT_STR_NOT_CONTAINS(r.err, "(not yet propagated?)");
    tt_sim_stop(&sim);
}

/*
 * Every module's read returns what its create returned when nothing has
 * changed (docs/internals/ADDING.md): otherwise each plan within the
 * window after an apply would wait it out. Every resource type, with
 * every optional argument set, read one by one and in bulk.
 */
TEST(propagation, every_module_reads_what_it_wrote)
{
    static const char text[] =
        "provider \"aws\" {\n"
        "  default_tags {\n"
        "    tags = { team = \"ml\" }\n"
        "  }\n"
        "}\n"
        "resource \"aws_iam_role\" \"r\" {\n"
        "  count                 = 2\n"
        "  name_prefix           = \"every-${count.index}-\"\n"
        "  path                  = \"/ml/\"\n"
        "  description           = \"every argument\"\n"
        "  max_session_duration  = 7200\n"
        "  force_detach_policies = true\n"
        "  permissions_boundary  = "
        "\"arn:aws:iam::aws:policy/PowerUserAccess\"\n"
        "  tags                  = { app = \"mlflow\" }\n"
        "  assume_role_policy = jsonencode({\n"
        "    Version = \"2012-10-17\"\n"
        "    Statement = [{\n"
        "      Effect    = \"Allow\"\n"
        "      Principal = { Service = [\"sagemaker.amazonaws.com\", "
        "\"ec2.amazonaws.com\"] }\n"
        "      Action    = \"sts:AssumeRole\"\n"
        "    }]\n"
        "  })\n"
        "}\n"
        "resource \"aws_iam_role_policy_attachment\" \"a\" {\n"
        "  count      = 2\n"
        "  role       = aws_iam_role.r[count.index].name\n"
        "  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n"
        "}\n"
        "resource \"aws_iam_role_policy\" \"p\" {\n"
        "  count = 2\n"
        "  name  = \"logs\"\n"
        "  role  = aws_iam_role.r[count.index].id\n"
        "  policy = jsonencode({\n"
        "    Version   = \"2012-10-17\"\n"
        "    Statement = [{\n"
        "      Effect   = \"Allow\"\n"
        "      Action   = [\"logs:PutLogEvents\", \"iam:GetRole\"]\n"
        "      Resource = \"*\"\n"
        "    }]\n"
        "  })\n"
        "}\n"
        "resource \"aws_iam_instance_profile\" \"ip\" {\n"
        "  count = 2\n"
        "  name  = \"every-${count.index}\"\n"
        "  path  = \"/ml/\"\n"
        "  role  = aws_iam_role.r[count.index].name\n"
        "  tags  = { app = \"mlflow\" }\n"
        "}\n"
        "resource \"databricks_instance_profile\" \"d\" {\n"
        "  count                = 2\n"
        "  instance_profile_arn = "
        "aws_iam_instance_profile.ip[count.index].arn\n"
        "  iam_role_arn         = aws_iam_role.r[count.index].arn\n"
        "}\n";
    static const char *const bulk[] = {"TERN_BULK_REFRESH_MIN=off",
                                       "TERN_BULK_REFRESH_MIN=1"};
    size_t i;

    start("0");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
    RUN(0, 120000, "apply", "-auto-approve");
    for (i = 0; i < 2; i++) {
        tt_sim_env_add(&env, bulk[i]);
        RUN(0, 120000, "plan", "-detailed-exitcode");
        ASSERT_STR_CONTAINS(r.out, "No changes.");
        if (strstr(r.err, "(not yet propagated?)"))
            FAIL("%s: a read differs from what tern wrote:\n%s", bulk[i],
                 r.err);
    }
    tt_sim_stop(&sim);
}

/* tern_state_recent_writes: the last write of each address since a time. */
TEST(propagation, state_recent_writes)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state_resource res = TERN_STATE_RESOURCE_INIT;
    tern_state *st = NULL;
    json_t *attrs = json_pack("{s:s}", "id", "x"), *map = NULL;
    char *path = tern_asprintf("%s/s.db", tern_test_tmpdir());
    int64_t now = (int64_t)time(NULL);

    opts.path = path;
    opts.create = 1;
    opts.operation = "test";
    ASSERT_OK(tern_state_open(&st, &opts, NULL));
    ASSERT_OK(tern_state_recent_writes(st, 0, &map, NULL));
    ASSERT_EQ(json_object_size(map), 0);
    json_decref(map);

    res.type = "aws_iam_role";
    res.attributes = attrs;
    res.name = "a";
    ASSERT_OK(tern_state_put(st, &res, NULL));
    res.name = "b";
    ASSERT_OK(tern_state_put(st, &res, NULL));
    ASSERT_OK(tern_state_output_set(st, "o", attrs, 0, NULL));
    ASSERT_OK(tern_state_remove(st, "aws_iam_role.b", NULL));

    ASSERT_OK(tern_state_recent_writes(st, now - 1, &map, NULL));
    /* Resources only (not the output); a removal is a write too. */
    ASSERT_EQ(json_object_size(map), 2);
    ASSERT_CMP(json_integer_value(json_object_get(map, "aws_iam_role.a")), >=,
               now);
    ASSERT_CMP(json_integer_value(json_object_get(map, "aws_iam_role.b")), >=,
               now);
    json_decref(map);
    /* Nothing since a time after every write. */
    ASSERT_OK(tern_state_recent_writes(st, now + 3600, &map, NULL));
    ASSERT_EQ(json_object_size(map), 0);
    json_decref(map);

    tern_state_free(st);
    json_decref(attrs);
    tern_free(path);
}

const struct tern_test test_propagation_list[] = {
    TEST_INTEGRATION(propagation, plan_after_apply_waits_for_new_objects),
    TEST_INTEGRATION(propagation, destroy_right_after_apply_leaves_nothing),
    TEST_INTEGRATION(propagation, changed_outside_is_reported_after_window),
    TEST_INTEGRATION(propagation, older_writes_are_read_once),
    TEST_INTEGRATION(propagation, every_module_reads_what_it_wrote),
    TEST_UNIT(propagation, state_recent_writes),
    TEST_END,
};
