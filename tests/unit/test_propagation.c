/*
 * Propagation: IAM is eventually consistent and creates never read back,
 * so right after an apply IAM may still show what was there before tern's
 * writes.
 *
 * - The apply confirms its writes (src/engine/apply.c): once they are
 *   done, one bulk read shows whether IAM has them; what it does not show
 *   yet is read again, saying so on stderr, and what it shows is recorded
 *   in the state (tern_state_confirm_writes).
 * - The refresh (src/engine/plan.c, settle) reads an object tern wrote
 *   within the window (TERN_PROPAGATION_WINDOW_MS) and the apply did not
 *   confirm again while it reads as before the write (missing, after a
 *   create), saying so; anything else it reports at once
 *   (tern__settle_classify).
 *
 * Through the built binary against a tern-sim on 127.0.0.1 with a fixed
 * propagation delay; the classification and the state's record also
 * directly.
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"

#include "engine/engine_int.h"
#include "policy/policy.h"
#include "tern/state.h"
#include "util/alloc.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct tt_sim sim;
static struct tt_sim_env env;
static char window[64];
static struct tt_run r;

#define WINDOW_DEFAULT 120000L

static void start(const char *propagation_ms)
{
    const char *args[] = {"--propagation-ms", propagation_ms, NULL};

    ASSERT_OK(tt_sim_start(&sim, args));
    tt_sim_env_init(&env, &sim);
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

/* One IAM call to tern-sim outside tern, which must succeed. */
static void outside(const char *action, const char *const *params)
{
    struct tt_response resp;

    ASSERT_OK(tt_iam(&resp, &sim, action, params));
    if (resp.status != 200)
        FAIL("%s outside tern: HTTP %ld\n%s", action, resp.status, resp.body);
    tt_response_release(&resp);
}

static void set_propagation(const char *ms)
{
    struct tt_response resp;
    char body[64];

    snprintf(body, sizeof(body), "{\"propagation_ms\": %s}", ms);
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "faults", body));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
}

static void change_trust_policy(void)
{
    const char *args[] = {
        "RoleName", "prop", "PolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
        "\"Action\":\"sts:AssumeRole\"}]}",
        NULL};

    outside("UpdateAssumeRolePolicy", args);
}

static void detach_policy(void)
{
    const char *args[] = {"RoleName", "prop", "PolicyArn",
                          "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL};

    outside("DetachRolePolicy", args);
}

/*
 * Whether @line is, whole, a wait notice as the CLI prints it
 * (TERN_EVENT_WAIT): "ADDR: Waiting for IAM to show the change tern made
 * Ns ago (at most Ms more)...", or for several objects "ADDR and K more:
 * Waiting for IAM to show the changes ...". Fills the parts.
 */
static int wait_notice(const char *line, char *addr, size_t addr_size,
                       int *more, long *ago, long *left)
{
    char a[256], whole[768], *and;
    const char *colon = strstr(line, ": Waiting for ");
    const char *made = colon ? strstr(colon, " made ") : NULL;
    size_t n = colon ? (size_t)(colon - line) : 0;

    if (!made || n >= sizeof(a))
        return 0;
    memcpy(a, line, n);
    a[n] = '\0';
    *more = 0;
    if ((and = strstr(a, " and ")) != NULL) {
        if (sscanf(and, " and %d more", more) != 1)
            return 0;
        *and = '\0';
    }
    if (sscanf(made, " made %lds ago (at most %lds more)", ago, left) != 2)
        return 0;
    if (*more)
        snprintf(whole, sizeof(whole),
                 "%s and %d more: Waiting for IAM to show the changes tern "
                 "made %lds ago (at most %lds more)...",
                 a, *more, *ago, *left);
    else
        snprintf(whole, sizeof(whole),
                 "%s: Waiting for IAM to show the change tern made %lds ago "
                 "(at most %lds more)...",
                 a, *ago, *left);
    snprintf(addr, addr_size, "%s", a);
    return strcmp(whole, line) == 0;
}

/*
 * The first lines of @text (up to @rest, or all of it) are wait notices,
 * each for one of @addrs, written moments ago and waiting at most the
 * window: how many.
 */
static int wait_notices(const char *text, const char *rest,
                        const char *const *addrs, long window_ms)
{
    const char *p = text, *end = rest ? strstr(text, rest) : NULL;
    int count = 0;

    if (rest && !end)
        FAIL("no \"%s\" in:\n%s", rest, text);
    if (!end)
        end = text + strlen(text);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        char line[1024], addr[256];
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), i;
        long ago, left;
        int more;

        if (n >= sizeof(line))
            FAIL("a line of %zu bytes in:\n%s", n, text);
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (nl ? 1 : 0);
        if (!wait_notice(line, addr, sizeof(addr), &more, &ago, &left))
            FAIL("not a wait notice: \"%s\" in:\n%s", line, text);
        for (i = 0; addrs[i] && strcmp(addrs[i], addr) != 0; i++)
            ;
        if (!addrs[i])
            FAIL("a wait for %s in:\n%s", addr, text);
        /* Moments after the write (under ThreadSanitizer, a plan ran 35 s
         * after the apply's write), and never beyond the window. */
        if (ago < 0 || ago > (TT_THREAD_SANITIZER ? 90 : 30) || left < 0 ||
            left * 1000 > window_ms + 1000 ||
            (ago + left) * 1000 > window_ms + 2000)
            FAIL("a wait %lds after the write for at most %lds more with "
                 "a window of %ld ms: \"%s\"",
                 ago, left, window_ms, line);
        count++;
    }
    return count;
}

/* Five minutes on tern-sim's clock: what tern creates under this
 * propagation stays unseen until the test moves that clock (no run lasts
 * more than a minute). */
#define PROPAGATION_LONG "300000"

static void propagate_now(int pid, void *arg)
{
    struct tt_response resp;

    (void)pid;
    (void)arg;
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "clock",
                             "{\"advance_ms\": " PROPAGATION_LONG "}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
}

/* What the refresh saw, as the plan's changes show it: an object deleted
 * outside tern is created again, one changed is updated in place. (The
 * drift note shows only what the plan's changes refer to, which here is
 * nothing.) */
#define DELETED_OUTSIDE(addr)                                                  \
    "\n  # " addr " will be created\n  # (it was deleted outside tern)\n"
#define UPDATED(addr) "\n  # " addr " will be updated in-place\n"

TEST(propagation, plan_after_apply_waits_for_new_objects)
{
    static const char role[] = "resource \"aws_iam_role\" \"r\" {\n"
                               "  name = \"prop\"\n" TT_HCL_TRUST_EC2 "}\n";
    static const char *const waited[] = {"aws_iam_role_policy_attachment.a",
                                         "aws_iam_role_policy.p", NULL};
    const char *args[] = {"plan", "-detailed-exitcode", NULL};
    const struct tt_stage stages[] = {{"Waiting for IAM", propagate_now, NULL},
                                      {NULL, NULL, NULL}};

    /* The role is seen at once; the attachment and the inline policy
     * stay unseen until the test moves tern-sim's clock, however slow the
     * machine (ThreadSanitizer). Without the window the apply does not
     * confirm its writes either. */
    start("0");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", role));
    RUN(0, 0, "apply", "-auto-approve");
    set_propagation(PROPAGATION_LONG);
    config();
    RUN(0, 0, "apply", "-auto-approve");
    ASSERT_STR_EQ(r.err, "");
    /* Without the wait, the plan reads them as deleted outside tern (the
     * drift note itself is left out: nothing the plan changes refers to
     * them, as in Terraform). */
    RUN(2, 0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out,
                        DELETED_OUTSIDE("aws_iam_role_policy_attachment.a"));
    /* With it, the same plan waits for them, says so, and is empty once
     * IAM shows them. */
    snprintf(window, sizeof(window), "TERN_PROPAGATION_WINDOW_MS=%ld",
             WINDOW_DEFAULT);
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_stages(&r, tern_test_tmpdir(), NULL, env.env, args,
                                 stages));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "\nNo changes. Your infrastructure matches the "
                               "configuration.\n");
    ASSERT_STR_NOT_CONTAINS(r.out, "deleted outside tern");
    ASSERT_CMP(wait_notices(r.err, NULL, waited, WINDOW_DEFAULT), >=, 1);
    tt_sim_stop(&sim);
}

/*
 * The apply waits for IAM to show what it wrote, says so, and records it:
 * the plan right after has nothing to wait for, and a call right after
 * the apply finds the attachment.
 */
TEST(propagation, apply_confirms_what_it_wrote)
{
    static const char *const waited[] = {"aws_iam_role.r",
                                         "aws_iam_role_policy_attachment.a",
                                         "aws_iam_role_policy.p", NULL};
    const char *list[] = {"RoleName", "prop", NULL};
    struct tt_response resp;

    start("3000");
    config();
    RUN(0, WINDOW_DEFAULT, "apply", "-auto-approve");
    ASSERT_CMP(wait_notices(r.err, NULL, waited, WINDOW_DEFAULT), >=, 1);
    ASSERT_STR_CONTAINS(r.out, "\nApply complete! Resources: 3 added, 0 "
                               "changed, 0 destroyed.\n");
    /* A pipeline's next step finds what the apply made. */
    ASSERT_OK(tt_iam(&resp, &sim, "ListAttachedRolePolicies", list));
    ASSERT_EQ(resp.status, 200);
    ASSERT_STR_CONTAINS(resp.body, "<PolicyArn>arn:aws:iam::aws:policy/"
                                   "ReadOnlyAccess</PolicyArn>");
    tt_response_release(&resp);
    RUN(0, WINDOW_DEFAULT, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "\nNo changes. Your infrastructure matches the "
                               "configuration.\n");
    ASSERT_STR_EQ(r.err, "");
    tt_sim_stop(&sim);
}

/*
 * The case: right after an apply, the trust policy is changed and
 * the managed policy detached outside tern. The next plan, with the
 * default window, reports both at once: the trust policy holds a third
 * value, and the attachment's create was confirmed by the apply.
 */
TEST(propagation, changes_right_after_apply_reported_at_once)
{
    start("3000");
    config();
    RUN(0, WINDOW_DEFAULT, "apply", "-auto-approve");
    /* What is done outside tern shows at once, as to its author. */
    set_propagation("0");
    change_trust_policy();
    detach_policy();
    RUN(2, WINDOW_DEFAULT, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, UPDATED("aws_iam_role.r"));
    ASSERT_STR_CONTAINS(r.out,
                        DELETED_OUTSIDE("aws_iam_role_policy_attachment.a"));
    ASSERT_STR_CONTAINS(r.out, "\nPlan: 1 to add, 1 to change, 0 to "
                               "destroy.\n");
    ASSERT_STR_EQ(r.err, "");
    tt_sim_stop(&sim);
}

/* Without a confirmation (the apply ran without the window), a trust
 * policy that is neither what tern wrote nor what was there before (the
 * role did not exist) is still reported at once. */
TEST(propagation, third_value_is_reported_at_once)
{
    start("0");
    config();
    RUN(0, 0, "apply", "-auto-approve");
    change_trust_policy();
    RUN(2, WINDOW_DEFAULT, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, UPDATED("aws_iam_role.r"));
    ASSERT_STR_CONTAINS(r.out, "\nPlan: 0 to add, 1 to change, 0 to "
                               "destroy.\n");
    ASSERT_STR_EQ(r.err, "");
    tt_sim_stop(&sim);
}

static void role_with_description(const char *description)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "resource \"aws_iam_role\" \"r\" {\n"
             "  name        = \"prop\"\n"
             "  description = \"%s\"\n" TT_HCL_TRUST_EC2 "}\n",
             description);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

static void describe_outside(const char *description)
{
    const char *args[] = {"RoleName", "prop", "Description", description, NULL};

    outside("UpdateRole", args);
}

/*
 * Per attribute, against what was there before tern's write: after tern
 * changed a description from "one" to "two", a third value outside tern is
 * reported at once; "one" again may be IAM still showing the old value,
 * and is waited for until the window ends.
 */
TEST(propagation, value_from_before_the_write_is_waited_for)
{
    static const char *const waited[] = {"aws_iam_role.r", NULL};
    /* The window must outlast the plan's start after the apply's write:
     * under ThreadSanitizer, starting tern alone takes seconds. */
    const long window_ms = TT_THREAD_SANITIZER ? 20000 : 4000;

    start("0");
    role_with_description("one");
    RUN(0, 0, "apply", "-auto-approve");
    role_with_description("two");
    RUN(0, 0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "\nApply complete! Resources: 0 added, 1 "
                               "changed, 0 destroyed.\n");
    describe_outside("one");
    RUN(2, window_ms, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "\n      ~ description           = \"one\" -> "
                               "\"two\"\n");
    ASSERT_CMP(wait_notices(r.err, NULL, waited, window_ms), >=, 1);
    describe_outside("three");
    RUN(2, WINDOW_DEFAULT, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, UPDATED("aws_iam_role.r"));
    ASSERT_STR_CONTAINS(r.out, "\n      ~ description           = \"three\" "
                               "-> \"two\"\n");
    ASSERT_STR_EQ(r.err, "");
    tt_sim_stop(&sim);
}

static const char interrupted[] =
    "\n"
    "Interrupt received.\n"
    "Please wait for tern to exit or data loss may occur.\n"
    "Gracefully shutting down: no new steps start; running ones finish and "
    "are saved. Interrupt again to cancel them.\n";

/* Ctrl-C ends the plan's wait: the plan stops as any interrupted plan. */
TEST(propagation, interrupt_ends_the_wait)
{
    static const char *const waited[] = {"aws_iam_role_policy_attachment.a",
                                         NULL};
    const char *args[] = {"plan", "-detailed-exitcode", NULL};
    const long sigint[2] = {1, 0};

    start("0");
    config();
    RUN(0, 0, "apply", "-auto-approve");
    /* Missing, after tern created it unconfirmed: worth waiting for. */
    detach_policy();
    snprintf(window, sizeof(window), "TERN_PROPAGATION_WINDOW_MS=%ld",
             WINDOW_DEFAULT);
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_interrupt(&r, tern_test_tmpdir(), env.env, args,
                                    "Waiting for IAM", sigint));
    ASSERT_EQ(r.status, 1);
    ASSERT_EQ(wait_notices(r.err, interrupted, waited, WINDOW_DEFAULT), 1);
    ASSERT_STR_EQ(strstr(r.err, interrupted), interrupted);
    ASSERT_STR_NOT_CONTAINS(r.out, "Plan:");
    ASSERT_STR_NOT_CONTAINS(r.out, "No changes.");
    tt_sim_stop(&sim);
}

/* Ctrl-C ends the apply's confirmation; what the apply did is saved. */
TEST(propagation, interrupt_ends_the_confirmation)
{
    static const char role[] = "resource \"aws_iam_role\" \"r\" {\n"
                               "  name = \"prop\"\n" TT_HCL_TRUST_EC2 "}\n";
    static const char *const waited[] = {"aws_iam_role.r", NULL};
    const char *args[] = {"apply", "-auto-approve", NULL};
    const long sigint[2] = {1, 0};

    /* The role is unseen for a minute: the confirmation waits. */
    start("60000");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", role));
    snprintf(window, sizeof(window), "TERN_PROPAGATION_WINDOW_MS=%ld",
             WINDOW_DEFAULT);
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_interrupt(&r, tern_test_tmpdir(), env.env, args,
                                    "Waiting for IAM", sigint));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_CONTAINS(r.out, "\naws_iam_role.r: Creation complete after ");
    ASSERT_EQ(wait_notices(r.err, interrupted, waited, WINDOW_DEFAULT), 1);
    RUN(0, 0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.r\n");
    tt_sim_stop(&sim);
}

/* An import writes what the service showed: a deletion outside tern
 * right after it is reported at once. */
TEST(propagation, import_is_confirmed)
{
    static const char role[] = "resource \"aws_iam_role\" \"r\" {\n"
                               "  name = \"prop\"\n" TT_HCL_TRUST_EC2 "}\n";
    const char *create[] = {
        "RoleName", "prop", "AssumeRolePolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
        "\"Action\":\"sts:AssumeRole\"}]}",
        NULL};
    const char *del[] = {"RoleName", "prop", NULL};

    start("0");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", role));
    outside("CreateRole", create);
    RUN(0, WINDOW_DEFAULT, "import", "aws_iam_role.r", "prop");
    outside("DeleteRole", del);
    RUN(2, WINDOW_DEFAULT, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, DELETED_OUTSIDE("aws_iam_role.r"));
    ASSERT_STR_EQ(r.err, "");
    tt_sim_stop(&sim);
}

/*
 * A destroy right after an apply: its refresh must not take what IAM has
 * not yet propagated for gone, or it drops the object from the state
 * without deleting it (the inline policy, here, which then also keeps the
 * role from being deleted). The apply runs without the window, so that
 * it does not confirm.
 */
TEST(propagation, destroy_right_after_apply_leaves_nothing)
{
    struct tt_response resp;
    json_t *dump, *iam;

    start("5000");
    config();
    RUN(0, 0, "apply", "-auto-approve");
    RUN(0, WINDOW_DEFAULT, "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "\nDestroy complete! Resources: 3 destroyed.\n");
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

/* Move every write the state records @s seconds into the past: what
 * waiting that long would do, without waiting. */
static void age_writes(int s)
{
    char path[1024], sql[128];
    sqlite3 *db = NULL;

    snprintf(path, sizeof(path), "%s/tern.tfstate.db", tern_test_tmpdir());
    snprintf(sql, sizeof(sql), "UPDATE tern_history SET at = at - %d", s);
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    ASSERT_CMP(sqlite3_changes(db), >, 0);
    sqlite3_close(db);
}

TEST(propagation, older_writes_are_read_once)
{
    const char *del[] = {"RoleName", "prop", "PolicyName", "logs", NULL};

    start("0");
    config();
    RUN(0, 0, "apply", "-auto-approve");
    outside("DeleteRolePolicy", del);
    /* Written more than the window (1 s, and the history's 1 s grain)
     * ago: drift is reported at once, with no second read. */
    age_writes(3);
    RUN(2, 1000, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, DELETED_OUTSIDE("aws_iam_role_policy.p"));
    ASSERT_STR_EQ(r.err, "");
    tt_sim_stop(&sim);
}

static const char every_config[] =
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

/*
 * Every module's read returns what its create returned when nothing has
 * changed (docs/internals/ADDING.md): otherwise each plan would show
 * drift, and the apply could not confirm its writes. Every resource type,
 * with every optional argument set, read one by one and in bulk.
 */
TEST(propagation, every_module_reads_what_it_wrote)
{
    static const char *const bulk[] = {"TERN_BULK_REFRESH_MIN=off",
                                       "TERN_BULK_REFRESH_MIN=1"};
    size_t i;

    start("0");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", every_config));
    RUN(0, 0, "apply", "-auto-approve");
    for (i = 0; i < 2; i++) {
        tt_sim_env_add(&env, bulk[i]);
        RUN(0, WINDOW_DEFAULT, "plan", "-detailed-exitcode");
        ASSERT_STR_CONTAINS(r.out, "\nNo changes. Your infrastructure "
                                   "matches the configuration.\n");
        if (*r.err)
            FAIL("%s: a read differs from what tern wrote:\n%s", bulk[i],
                 r.err);
    }
    tt_sim_stop(&sim);
}

/* The apply's bulk reads show every object of every type as written, so
 * it confirms every one; the call log shows one bulk pass. */
TEST(propagation, apply_confirms_every_module)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = NULL;
    json_t *map = NULL, *w;
    char *path = tern_asprintf("%s/tern.tfstate.db", tern_test_tmpdir());
    struct tt_response resp;
    const char *k;

    start("0");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", every_config));
    RUN(0, WINDOW_DEFAULT, "apply", "-auto-approve");
    ASSERT_STR_EQ(r.err, "");
    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "calls", NULL));
    ASSERT_EQ(resp.status, 200);
    {
        const char *p = resp.body;
        int gaad = 0, lists = 0;

        while ((p = strstr(p, "\"GetAccountAuthorizationDetails\"")))
            gaad++, p++;
        p = resp.body;
        while ((p = strstr(p, "\"instance-profiles/list\"")))
            lists++, p++;
        ASSERT_EQ(gaad, 1);
        ASSERT_EQ(lists, 1);
    }
    tt_response_release(&resp);

    opts.path = path;
    opts.lock = 0;
    ASSERT_OK(tern_state_open(&st, &opts, NULL));
    ASSERT_OK(tern_state_recent_writes(st, 0, &map, NULL));
    ASSERT_EQ(json_object_size(map), 10);
    json_object_foreach(map, k, w)
    {
        if (!json_is_true(json_object_get(w, "confirmed")))
            FAIL("%s is not confirmed: %s", k, json_dumps(w, 0));
    }
    json_decref(map);
    tern_state_free(st);
    tern_free(path);
    tt_sim_stop(&sim);
}

/* tern_state_recent_writes and tern_state_confirm_writes. */
TEST(propagation, state_recent_writes)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state_resource res = TERN_STATE_RESOURCE_INIT;
    tern_state *st = NULL;
    json_t *x = json_pack("{s:s,s:s}", "id", "x", "v", "1");
    json_t *y = json_pack("{s:s,s:s}", "id", "x", "v", "2");
    json_t *map = NULL, *a, *want;
    const char *addrs[] = {"aws_iam_role.a"};
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
    res.attributes = x;
    res.name = "a";
    ASSERT_OK(tern_state_put(st, &res, NULL));
    res.attributes = y;
    ASSERT_OK(tern_state_put(st, &res, NULL));
    res.name = "b";
    ASSERT_OK(tern_state_put(st, &res, NULL));
    ASSERT_OK(tern_state_output_set(st, "o", x, 0, NULL));
    ASSERT_OK(tern_state_remove(st, "aws_iam_role.b", NULL));

    ASSERT_OK(tern_state_recent_writes(st, now - 1, &map, NULL));
    /* Resources only (not the output); a removal is a write too. Each
     * write's "before", newest first: a was created (null), then
     * changed; b created, then removed. */
    ASSERT_EQ(json_object_size(map), 2);
    a = json_object_get(map, "aws_iam_role.a");
    ASSERT_CMP(json_integer_value(json_object_get(a, "at")), >=, now);
    want = json_pack("[O,n]", x);
    ASSERT_TRUE(json_equal(json_object_get(a, "before"), want));
    json_decref(want);
    ASSERT_TRUE(json_is_false(json_object_get(a, "confirmed")));
    want = json_pack("[O,n]", y);
    ASSERT_TRUE(json_equal(
        json_object_get(json_object_get(map, "aws_iam_role.b"), "before"),
        want));
    json_decref(want);
    json_decref(map);
    /* Nothing since a time after every write. */
    ASSERT_OK(tern_state_recent_writes(st, now + 3600, &map, NULL));
    ASSERT_EQ(json_object_size(map), 0);
    json_decref(map);

    /* Confirmed up to the current serial: a's last write is. */
    ASSERT_OK(
        tern_state_confirm_writes(st, addrs, 1, tern_state_serial(st), NULL));
    ASSERT_OK(tern_state_recent_writes(st, now - 1, &map, NULL));
    a = json_object_get(map, "aws_iam_role.a");
    ASSERT_TRUE(json_is_true(json_object_get(a, "confirmed")));
    ASSERT_TRUE(json_is_false(
        json_object_get(json_object_get(map, "aws_iam_role.b"), "confirmed")));
    json_decref(map);
    /* A later write is not. */
    res.name = "a";
    res.attributes = x;
    ASSERT_OK(tern_state_put(st, &res, NULL));
    ASSERT_OK(tern_state_recent_writes(st, now - 1, &map, NULL));
    a = json_object_get(map, "aws_iam_role.a");
    ASSERT_TRUE(json_is_false(json_object_get(a, "confirmed")));
    ASSERT_EQ(json_array_size(json_object_get(a, "before")), 3);
    json_decref(map);

    tern_state_free(st);
    json_decref(x);
    json_decref(y);
    tern_free(path);
}

/* tern__settle_classify: what a read of something tern wrote means. */
TEST(propagation, classify)
{
    static const tern_attr schema[] = {
        {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
        {"policy", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, tern_policy_equiv_fn,
         NULL, 0},
        {"role", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
        {"description", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
        {"extra", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
        {NULL, 0, 0, NULL, NULL, 0}};
    static const char pol_a[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
    /* The same document as IAM would give it back: reformatted. */
    static const char pol_a_iam[] =
        "{\"Statement\": [{\"Resource\": \"*\", \"Action\": "
        "[\"s3:GetObject\"], \"Effect\": \"Allow\"}], "
        "\"Version\": \"2012-10-17\"}";
    static const char pol_b[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}";
    static const char pol_c[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
        "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}";
    json_t *written = json_pack("{s:s,s:s,s:s,s:s}", "id", "x", "policy", pol_b,
                                "role", "r", "description", "two");
    json_t *old = json_pack("{s:s,s:s,s:s,s:s}", "id", "x", "policy", pol_a,
                            "role", "r", "description", "one");
    json_t *created = json_pack("[n]");
    json_t *updated = json_pack("[O]", old);
    json_t *read;

#define CLASSIFY(rc, rd, before)                                               \
    tern__settle_classify(schema, written, (rc), (rd), (before))

    /* As written. */
    ASSERT_EQ(CLASSIFY(TERN_OK, written, updated), TERN__SETTLE_SAME);
    /* Missing: lag after a create, a deletion after an update. */
    ASSERT_EQ(CLASSIFY(TERN_ENOTFOUND, NULL, created), TERN__SETTLE_LAG);
    ASSERT_EQ(CLASSIFY(TERN_ENOTFOUND, NULL, updated), TERN__SETTLE_OTHER);
    /* An error is no lag. */
    ASSERT_EQ(CLASSIFY(TERN_ERROR, NULL, created), TERN__SETTLE_OTHER);

    /* The old document, as IAM formats it, and the old description: lag;
     * each attribute on its own (the description already new). */
    read = json_pack("{s:s,s:s,s:s,s:s}", "id", "x", "policy", pol_a_iam,
                     "role", "r", "description", "two");
    ASSERT_EQ(CLASSIFY(TERN_OK, read, updated), TERN__SETTLE_LAG);
    /* After a create there was no old document: someone else's. */
    ASSERT_EQ(CLASSIFY(TERN_OK, read, created), TERN__SETTLE_OTHER);
    json_decref(read);

    /* A third document: someone else's, whatever came before. */
    read = json_pack("{s:s,s:s,s:s,s:s}", "id", "x", "policy", pol_c, "role",
                     "r", "description", "one");
    ASSERT_EQ(CLASSIFY(TERN_OK, read, updated), TERN__SETTLE_OTHER);
    ASSERT_EQ(CLASSIFY(TERN_OK, read, created), TERN__SETTLE_OTHER);
    json_decref(read);

    /* Right after a create, an attribute a later call of the create sets
     * (an instance profile's role) may still be empty: lag; another
     * value is not. */
    read = json_pack("{s:s,s:s,s:s,s:s}", "id", "x", "policy", pol_b, "role",
                     "", "description", "two");
    ASSERT_EQ(CLASSIFY(TERN_OK, read, created), TERN__SETTLE_LAG);
    ASSERT_EQ(CLASSIFY(TERN_OK, read, updated), TERN__SETTLE_OTHER);
    json_decref(read);
    read = json_pack("{s:s,s:s,s:s,s:s}", "id", "x", "policy", pol_b, "role",
                     "other", "description", "two");
    ASSERT_EQ(CLASSIFY(TERN_OK, read, created), TERN__SETTLE_OTHER);
    json_decref(read);
    /* An attribute tern did not write, present and not empty: not lag. */
    read = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", "x", "policy", pol_b,
                     "role", "r", "description", "two", "extra", "e");
    ASSERT_EQ(CLASSIFY(TERN_OK, read, updated), TERN__SETTLE_OTHER);
    json_decref(read);
#undef CLASSIFY

    json_decref(written);
    json_decref(old);
    json_decref(created);
    json_decref(updated);
}

const struct tern_test test_propagation_list[] = {
    TEST_INTEGRATION(propagation, plan_after_apply_waits_for_new_objects),
    TEST_INTEGRATION(propagation, apply_confirms_what_it_wrote),
    TEST_INTEGRATION(propagation, changes_right_after_apply_reported_at_once),
    TEST_INTEGRATION(propagation, third_value_is_reported_at_once),
    TEST_INTEGRATION(propagation, value_from_before_the_write_is_waited_for),
    TEST_INTEGRATION(propagation, interrupt_ends_the_wait),
    TEST_INTEGRATION(propagation, interrupt_ends_the_confirmation),
    TEST_INTEGRATION(propagation, import_is_confirmed),
    TEST_INTEGRATION(propagation, destroy_right_after_apply_leaves_nothing),
    TEST_INTEGRATION(propagation, older_writes_are_read_once),
    TEST_INTEGRATION(propagation, every_module_reads_what_it_wrote),
    TEST_INTEGRATION(propagation, apply_confirms_every_module),
    TEST_UNIT(propagation, state_recent_writes),
    TEST_UNIT(propagation, classify),
    TEST_END,
};
