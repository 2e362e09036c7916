/*
 * The bulk refresh (tern_bulk_op in tern/module.h; modules/aws/aws_iam_bulk.c):
 * from enough IAM objects in the state, a plan's refresh reads them all
 * with one GetAccountAuthorizationDetails and one ListRoles instead of one
 * call each, and still sees what changed outside tern. Through the built binary
 * against a tern-sim on 127.0.0.1; call counts from its call log.
 */
#include "runner.h"

#include "run_tern.h"
#include "aws_call.h"
#include "support.h"

#include <jansson.h>
#include <string.h>

static struct tt_sim sim;
static struct tt_sim_env env;
/* The bulk threshold of the next run (run_in's). */
static char bulk_min_env[64];
static struct tt_run r;
/* More arguments of every aws_iam_role, one per line. */
static const char *role_extra = "";

static void start(void)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    tt_sim_env_add(&env, bulk_min_env);
}

static void run_in(int status, const char *const *args, const char *bulk_min)
{
    char *why;

    /* The threshold, or the module's default when empty. */
    snprintf(bulk_min_env, sizeof(bulk_min_env), "TERN_BULK_REFRESH_MIN=%s",
             bulk_min);
    why = tt_run_expect(&r, tern_test_tmpdir(), env.env, args, status);
    if (why)
        FAIL("%s", why);
}

#define RUN(status, min, ...)                                                  \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((status), args_, (min));                                        \
    } while (0)

/* @n role stacks (role, attachment, inline policy, instance profile): 4n
 * objects, names s0, s1, ...; with @dbx, each profile is also registered
 * with Databricks. Each role also has role_extra. */
static void config_with(int n, int dbx)
{
    char text[5120], names[512] = "";
    size_t len = 0;
    int i;

    for (i = 0; i < n; i++)
        len += (size_t)snprintf(names + len, sizeof(names) - len, "%s\"s%d\"",
                                i ? ", " : "", i);
    snprintf(text, sizeof(text),
             "locals {\n"
             "  names = toset([%s])\n"
             "}\n"
             "resource \"aws_iam_role\" \"r\" {\n"
             "  for_each = local.names\n"
             "  name     = each.value\n" TT_HCL_TRUST_EC2 "%s"
             "}\n"
             "resource \"aws_iam_role_policy_attachment\" \"a\" {\n"
             "  for_each   = local.names\n"
             "  role       = aws_iam_role.r[each.key].name\n"
             "  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n"
             "}\n"
             "resource \"aws_iam_role_policy\" \"p\" {\n"
             "  for_each = local.names\n"
             "  name     = \"logs\"\n"
             "  role     = aws_iam_role.r[each.key].id\n"
             "  policy = jsonencode({\n"
             "    Version   = \"2012-10-17\"\n"
             "    Statement = [{\n"
             "      Effect   = \"Allow\"\n"
             "      Action   = \"logs:PutLogEvents\"\n"
             "      Resource = \"*\"\n"
             "    }]\n"
             "  })\n"
             "}\n"
             "resource \"aws_iam_instance_profile\" \"ip\" {\n"
             "  for_each = local.names\n"
             "  name     = each.value\n"
             "  role     = aws_iam_role.r[each.key].name\n"
             "}\n"
             "%s",
             names, role_extra,
             dbx ? "resource \"databricks_instance_profile\" \"d\" {\n"
                   "  for_each             = local.names\n"
                   "  instance_profile_arn = "
                   "aws_iam_instance_profile.ip[each.key].arn\n"
                   "  iam_role_arn         = aws_iam_role.r[each.key].arn\n"
                   "}\n"
                 : "");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

static void config(int n)
{
    config_with(n, 0);
}

static void clear_calls(void)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_control(&resp, &sim, "DELETE", "calls", NULL));
    tt_response_release(&resp);
}

/* How many calls the simulator saw since clear_calls(), of @action (NULL:
 * all of them). */
static int calls(const char *action)
{
    struct tt_response resp;
    json_t *doc, *c;
    size_t i;
    int n = 0;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "calls", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(doc);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "action"));

        if (!action || (a && strcmp(a, action) == 0))
            n++;
    }
    json_decref(doc);
    return n;
}

/* Whether @text has a diagnostic line starting with @head ("Error: "). */
static int has_diag(const char *text, const char *head)
{
    const char *p;

    if (strncmp(text, head, strlen(head)) == 0)
        return 1;
    for (p = strchr(text, '\n'); p; p = strchr(p + 1, '\n'))
        if (strncmp(p + 1, head, strlen(head)) == 0)
            return 1;
    return 0;
}

static void iam(const char *action, const char *const *params)
{
    struct tt_response resp;

    ASSERT_OK(tt_iam(&resp, &sim, action, params));
    if (resp.status != 200)
        FAIL("%s: HTTP %ld\n%s", action, resp.status, resp.body);
    tt_response_release(&resp);
}

TEST(bulk_refresh, one_call_for_the_whole_state)
{
    start();
    config(5);
    RUN(0, "", "apply", "-auto-approve");
    clear_calls();
    RUN(0, "", "plan");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    /* 20 objects, two calls: every role's details, then every role's
     * description and maximum session duration. */
    ASSERT_EQ(calls(NULL), 2);
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 1);
    ASSERT_EQ(calls("ListRoles"), 1);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(bulk_refresh, sees_drift_and_deletions)
{
    const char *trust[] = {
        "RoleName", "s0", "PolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
        "\"Action\":\"sts:AssumeRole\"}]}",
        NULL};
    const char *detach[] = {"RoleName", "s1", "PolicyArn",
                            "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL};
    const char *remove[] = {"InstanceProfileName", "s2", "RoleName", "s2",
                            NULL};
    const char *detach2[] = {"RoleName", "s2", "PolicyArn",
                             "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL};
    const char *inline2[] = {"RoleName", "s2", "PolicyName", "logs", NULL};
    const char *role2[] = {"RoleName", "s2", NULL};

    start();
    config(3);
    RUN(0, "", "apply", "-auto-approve");
    /* Outside tern: a new trust policy on s0, s1's policy detached, and
     * role s2 deleted (taken out of its profile, its policies removed). */
    iam("UpdateAssumeRolePolicy", trust);
    iam("DetachRolePolicy", detach);
    iam("RemoveRoleFromInstanceProfile", remove);
    iam("DetachRolePolicy", detach2);
    iam("DeleteRolePolicy", inline2);
    iam("DeleteRole", role2);
    clear_calls();
    RUN(0, "", "plan");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[\"s0\"] has changed");
    ASSERT_STR_CONTAINS(r.out, "lambda.amazonaws.com");
    ASSERT_STR_CONTAINS(
        r.out, "# aws_iam_role_policy_attachment.a[\"s1\"] has been deleted");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[\"s2\"] has been deleted");
    ASSERT_STR_CONTAINS(r.out,
                        "# aws_iam_role_policy.p[\"s2\"] has been deleted");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[\"s0\"] will be updated");
    ASSERT_STR_CONTAINS(r.out,
                        "# aws_iam_role_policy_attachment.a[\"s1\"] will be "
                        "created");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[\"s2\"] will be created");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_instance_profile.ip[\"s2\"] will be "
                               "updated");
    /* s0 and s1 (8 objects) came from the bulk calls; s1's detached
     * policy is gone by its role's list, without a call. Role s2 is not in
     * the answer: its four objects were read one by one. */
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 1);
    ASSERT_EQ(calls("ListRoles"), 1);
    ASSERT_EQ(calls("GetRole"), 1);
    ASSERT_EQ(calls("GetRolePolicy"), 1);
    ASSERT_EQ(calls("ListAttachedRolePolicies"), 1);
    ASSERT_EQ(calls("GetInstanceProfile"), 1);
    ASSERT_EQ(calls(NULL), 6);
    /* And the plan puts it all back. */
    RUN(0, "", "apply", "-auto-approve");
    clear_calls();
    RUN(0, "", "plan");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_EQ(calls(NULL), 2);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* A destroy's role deletes use the refresh's list of each role's instance
 * profiles: a role that tern took out of every profile the refresh saw it
 * in is deleted without ListInstanceProfilesForRole (5 calls a stack
 * instead of 6, B4). A role also in a profile tern does not manage is
 * listed, and so is every role of a saved destroy plan applied later: its
 * apply did not see the refresh, and a profile added since is found. */
TEST(bulk_refresh, destroy_uses_the_refresh_profiles)
{
    const char *extra[] = {"InstanceProfileName", "extra", NULL};
    const char *put_s0[] = {"InstanceProfileName", "extra", "RoleName", "s0",
                            NULL};
    const char *later[] = {"InstanceProfileName", "later", NULL};
    const char *put_s1[] = {"InstanceProfileName", "later", "RoleName", "s1",
                            NULL};

    start();
    config(5);
    RUN(0, "", "apply", "-auto-approve");
    clear_calls();
    RUN(0, "", "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 20 destroyed.");
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 1);
    ASSERT_EQ(calls("ListRoles"), 1);
    ASSERT_EQ(calls("ListInstanceProfilesForRole"), 0);
    ASSERT_EQ(calls("RemoveRoleFromInstanceProfile"), 5);
    ASSERT_EQ(calls("DeleteInstanceProfile"), 5);
    ASSERT_EQ(calls("DetachRolePolicy"), 5);
    ASSERT_EQ(calls("DeleteRolePolicy"), 5);
    ASSERT_EQ(calls("DeleteRole"), 5);
    ASSERT_EQ(calls(NULL), 27);
    /* s0 also in a profile of its own, which the refresh sees. */
    RUN(0, "", "apply", "-auto-approve");
    iam("CreateInstanceProfile", extra);
    iam("AddRoleToInstanceProfile", put_s0);
    clear_calls();
    RUN(0, "", "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 20 destroyed.");
    ASSERT_EQ(calls("ListInstanceProfilesForRole"), 1);
    ASSERT_EQ(calls("RemoveRoleFromInstanceProfile"), 6);
    ASSERT_EQ(calls("DeleteRole"), 5);
    ASSERT_EQ(calls(NULL), 29);
    /* A saved destroy plan, and s1 put into a profile after it. */
    RUN(0, "", "apply", "-auto-approve");
    RUN(0, "", "plan", "-destroy", "-out=destroy.tfplan");
    iam("CreateInstanceProfile", later);
    iam("AddRoleToInstanceProfile", put_s1);
    clear_calls();
    RUN(0, "", "apply", "destroy.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 20 destroyed.");
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 0);
    ASSERT_EQ(calls("ListInstanceProfilesForRole"), 5);
    ASSERT_EQ(calls("RemoveRoleFromInstanceProfile"), 6);
    ASSERT_EQ(calls("DeleteRole"), 5);
    ASSERT_EQ(calls(NULL), 31);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(bulk_refresh, threshold)
{
    start();
    config(2);
    RUN(0, "", "apply", "-auto-approve");
    /* 8 objects, below the default threshold (10): one read each. */
    clear_calls();
    RUN(0, "", "plan");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 0);
    ASSERT_EQ(calls(NULL), 8);
    /* TERN_BULK_REFRESH_MIN lowers it... */
    clear_calls();
    RUN(0, "8", "plan");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_EQ(calls(NULL), 2);
    /* ... raises it, or turns bulk reads off. */
    clear_calls();
    RUN(0, "9", "plan");
    ASSERT_EQ(calls(NULL), 8);
    config(3);
    RUN(0, "", "apply", "-auto-approve");
    clear_calls();
    RUN(0, "off", "plan");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 0);
    ASSERT_EQ(calls(NULL), 12);
    clear_calls();
    RUN(0, "", "plan", "-refresh-only");
    ASSERT_EQ(calls(NULL), 2);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

TEST(bulk_refresh, databricks_one_list_for_all)
{
    struct tt_response resp;

    start();
    config_with(3, 1);
    RUN(0, "", "apply", "-auto-approve");
    clear_calls();
    RUN(0, "", "plan");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    /* 12 IAM objects and 3 registrations: three calls. */
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 1);
    ASSERT_EQ(calls("ListRoles"), 1);
    ASSERT_EQ(calls("instance-profiles/list"), 1);
    ASSERT_EQ(calls(NULL), 3);
    /* A registration removed outside tern is seen in that one list. */
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "reset", NULL));
    tt_response_release(&resp);
    clear_calls();
    RUN(0, "", "plan");
    ASSERT_STR_CONTAINS(
        r.out, "# databricks_instance_profile.d[\"s1\"] has been deleted");
    ASSERT_EQ(calls("instance-profiles/list"), 1);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* A description and maximum session duration changed outside tern: both
 * are in the drift and planned back, still without a GetRole. */
TEST(bulk_refresh, sees_description_and_session_drift)
{
    const char *update[] = {
        "RoleName",           "s1",   "Description", "changed by hand",
        "MaxSessionDuration", "7200", NULL};

    start();
    role_extra = "  description          = \"made by tern\"\n"
                 "  max_session_duration = 3600\n";
    config(3);
    RUN(0, "", "apply", "-auto-approve");
    iam("UpdateRole", update);
    clear_calls();
    RUN(0, "", "plan", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[\"s1\"] has changed");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[\"s1\"] will be updated");
    ASSERT_STR_CONTAINS(r.out, "\"changed by hand\" -> \"made by tern\"");
    ASSERT_STR_CONTAINS(r.out, "7200 -> 3600");
    ASSERT_STR_CONTAINS(r.out, "1 to change");
    ASSERT_NULL(strstr(r.out, "aws_iam_role.r[\"s0\"] will be"));
    /* 12 objects, two calls: no GetRole. */
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 1);
    ASSERT_EQ(calls("ListRoles"), 1);
    ASSERT_EQ(calls("GetRole"), 0);
    ASSERT_EQ(calls(NULL), 2);
    /* Applied, the role is as configured again. */
    RUN(0, "", "apply", "-auto-approve");
    clear_calls();
    RUN(0, "", "plan");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_EQ(calls(NULL), 2);
    role_extra = "";
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* Without permission for ListRoles, the roles are read by GetRole (and
 * still show such drift); their policies, attachments and profiles still
 * come from GetAccountAuthorizationDetails. Not an error or a warning. */
TEST(bulk_refresh, list_roles_denied_reads_roles_by_get_role)
{
    const char *update[] = {"RoleName", "s2", "Description", "changed by hand",
                            NULL};
    struct tt_response resp;

    start();
    config(3);
    RUN(0, "", "apply", "-auto-approve");
    iam("UpdateRole", update);
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "load",
                             "{\"iam\": {\"denied_actions\": "
                             "[\"ListRoles\"]}}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    clear_calls();
    RUN(0, "", "plan", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.r[\"s2\"] has changed");
    ASSERT_STR_CONTAINS(r.out, "\"changed by hand\" -> null");
    /* No diagnostic (logs, at any TERN_LOG level, may name the denial). */
    ASSERT_FALSE(has_diag(r.out, "Warning: ") || has_diag(r.err, "Warning: "));
    ASSERT_FALSE(has_diag(r.out, "Error: ") || has_diag(r.err, "Error: "));
    ASSERT_EQ(calls("GetAccountAuthorizationDetails"), 1);
    ASSERT_EQ(calls("ListRoles"), 1);
    ASSERT_EQ(calls("GetRole"), 3);
    ASSERT_EQ(calls(NULL), 5);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_bulk_refresh_list[] = {
    TEST_INTEGRATION(bulk_refresh, databricks_one_list_for_all),
    TEST_INTEGRATION(bulk_refresh, destroy_uses_the_refresh_profiles),
    TEST_INTEGRATION(bulk_refresh, list_roles_denied_reads_roles_by_get_role),
    TEST_INTEGRATION(bulk_refresh, one_call_for_the_whole_state),
    TEST_INTEGRATION(bulk_refresh, sees_description_and_session_drift),
    TEST_INTEGRATION(bulk_refresh, sees_drift_and_deletions),
    TEST_INTEGRATION(bulk_refresh, threshold),
    TEST_END};
