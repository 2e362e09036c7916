/*
 * Issue 8 end to end: examples/sagemaker-deploy, the AWS setup that lets a
 * Databricks workspace deploy MLflow models to SageMaker, through the
 * built `tern` binary against a tern-sim on 127.0.0.1, under IAM's
 * eventual consistency and throttling: fault injection whose retries
 * depend on chance, which a golden case cannot pin. The simulator starts
 * with the workspace's existing cross-account role loaded; the example is
 * copied unchanged and names that role in terraform.tfvars.
 *
 * What the procedure makes is checked in the simulator's own store
 * (/_sim/dump), policy document by policy document against the published
 * guide's text (tern_policy_equivalent), not against tern's state.
 *
 * The rest of the procedure as a user and a CI pipeline run it (plan and
 * apply, drift restored, adoption with import blocks and `tern import`,
 * destroy, -json saved plans and a stale one, the guide's policy pasted
 * verbatim, the JSON syntax) is in tests/cases/cli 645-652.
 */
#include "runner.h"

#include "run_tern.h"
#include "aws_call.h"
#include "support.h"
#include "policy/policy.h"

#include <jansson.h>
#include <sys/stat.h>

#define ACCOUNT     "123456789012"
#define ROLE        "mlflow-sagemaker-deploy"
#define ROLE_ARN    "arn:aws:iam::" ACCOUNT ":role/" ROLE
#define PROFILE_ARN "arn:aws:iam::" ACCOUNT ":instance-profile/" ROLE
#define WS_ROLE     "databricks-workspace"
#define FULL_ACCESS "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
#define DEPLOY_POL  "mlflow-sagemaker-deploy"
#define PASS_POL    "mlflow-sagemaker-pass-role"

/* The guide's documents, its account id and role name filled in. */

/* Steps 1 and 3: the trust policy after "Edit trust relationship". */
static const char trust_doc[] =
    "{\n"
    "  \"Version\": \"2012-10-17\",\n"
    "  \"Statement\": [\n"
    "    {\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Principal\": {\"Service\": \"ec2.amazonaws.com\"},\n"
    "      \"Action\": \"sts:AssumeRole\"\n"
    "    },\n"
    "    {\n"
    "      \"Sid\": \"\",\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Principal\": {\"Service\": \"sagemaker.amazonaws.com\"},\n"
    "      \"Action\": \"sts:AssumeRole\"\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* Step 2, with ecr:DescribeRepositories (the guide prints
 * ecr:DescribeGitRepositories: tests/cases/cli/650). */
static const char deploy_doc[] =
    "{\n"
    "  \"Version\": \"2012-10-17\",\n"
    "  \"Statement\": [\n"
    "    {\n"
    "      \"Action\": [\"s3:PutObjectAcl\", \"s3:PutObjectTagging\"],\n"
    "      \"Resource\": [\n"
    "        \"arn:aws:s3:::mlflow-sagemaker-*-" ACCOUNT "\",\n"
    "        \"arn:aws:s3:::mlflow-sagemaker-*-" ACCOUNT "/*\"\n"
    "      ],\n"
    "      \"Effect\": \"Allow\"\n"
    "    },\n"
    "    {\n"
    "      \"Action\": [\"iam:GetRole\"],\n"
    "      \"Resource\": [\"" ROLE_ARN "\"],\n"
    "      \"Effect\": \"Allow\"\n"
    "    },\n"
    "    {\n"
    "      \"Action\": [\"ecr:DescribeRepositories\"],\n"
    "      \"Resource\": [\"arn:aws:ecr:*:" ACCOUNT ":repository/*\"],\n"
    "      \"Effect\": \"Allow\"\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* Step 4, on the workspace's role. */
static const char pass_doc[] = "{\n"
                               "  \"Version\": \"2012-10-17\",\n"
                               "  \"Statement\": [{\n"
                               "    \"Effect\": \"Allow\",\n"
                               "    \"Action\": \"iam:PassRole\",\n"
                               "    \"Resource\": \"" ROLE_ARN "\"\n"
                               "  }]\n"
                               "}\n";

/* The workspace's cross-account role, trusting Databricks' account. */
static const char ws_trust_doc[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":{\"AWS\":\"arn:aws:iam::414351767826:root\"},"
    "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{"
    "\"sts:ExternalId\":\"0a1b2c3d-databricks-account\"}}}]}";

static struct tt_sim sim;
/* The region comes from the example's configuration, not the
 * environment. */
static struct tt_sim_env env;
static struct tt_run r;
static char workdir[512]; /* where RUN runs tern; "" is the test's tmpdir */

static void run_in(const char *dir, int status, const char *const *args)
{
    tt_run_release(&r);
    if (tt_run_tern_env(&r, dir, NULL, env.env, args) != 0)
        FAIL("could not run tern");
    if (r.status != status)
        FAIL("tern %s %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s",
             args[0], args[1] ? args[1] : "", r.status, status, r.out, r.err);
}

#define RUN(status, ...)                                                       \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in(workdir[0] ? workdir : tern_test_tmpdir(), (status), args_);    \
    } while (0)

static void control(const char *method, const char *path, json_t *body)
{
    struct tt_response resp;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

    json_decref(body);
    ASSERT_OK(tt_sim_control(&resp, &sim, method, path, text));
    if (resp.status != 200)
        FAIL("%s /_sim/%s: %ld %s", method, path, resp.status, resp.body);
    tt_response_release(&resp);
    free(text);
}

static json_t *sim_get(const char *path)
{
    struct tt_response resp;
    json_t *doc;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", path, NULL));
    ASSERT_EQ(resp.status, 200);
    doc = json_loads(resp.body, 0, NULL);
    ASSERT_NOT_NULL(doc);
    tt_response_release(&resp);
    return doc;
}

/* Copy examples/sagemaker-deploy/NAME into @dir. */
static void copy_example(const char *dir, const char *name)
{
    char src[512];
    char *text;

    snprintf(src, sizeof(src), "%s/examples/sagemaker-deploy/%s",
             tern_test_source_dir(), name);
    text = tt_read_file(src, NULL);
    if (!text)
        FAIL("cannot read %s", src);
    ASSERT_OK(tt_write_file(dir, name, text));
    free(text);
}

static void write_tfvars(const char *dir)
{
    ASSERT_OK(tt_write_file(dir, "terraform.tfvars",
                            "workspace_role_name = \"" WS_ROLE "\"\n"));
}

/*
 * Start tern-sim (extra flags may be NULL), load the workspace's role and
 * put the example, as published, into the test's directory.
 */
static void setup(const char *const *sim_args)
{
    workdir[0] = '\0';
    ASSERT_OK(tt_sim_start(&sim, sim_args));
    tt_sim_env_init(&env, &sim);
    tt_sim_env_add(&env, "AWS_REGION=");
    control("POST", "load",
            json_pack("{s:{s:[{s:s, s:s}]}}", "iam", "roles", "name", WS_ROLE,
                      "assume_role_policy", ws_trust_doc));
    copy_example(tern_test_tmpdir(), "main.tf");
    copy_example(tern_test_tmpdir(), "variables.tf");
    copy_example(tern_test_tmpdir(), "outputs.tf");
    write_tfvars(tern_test_tmpdir());
}

static void teardown(void)
{
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

static void assert_policy(const char *what, const char *got, const char *want)
{
    if (!got)
        FAIL("%s: no document", what);
    if (tern_policy_equivalent(got, want) != 1)
        FAIL("%s is not the procedure's:\n  got:  %s\n  want: %s", what, got,
             want);
}

static json_t *find_named(const json_t *list, const char *key, const char *name)
{
    size_t i;
    json_t *item;

    json_array_foreach(list, i, item)
    {
        const char *n = json_string_value(json_object_get(item, key));

        if (n && strcmp(n, name) == 0)
            return item;
    }
    return NULL;
}

static void assert_str_list(const json_t *list, const char *only)
{
    if (!json_is_array(list) || json_array_size(list) != 1)
        FAIL("expected [\"%s\"], got %s", only,
             list ? json_dumps(list, 0) : "nothing");
    ASSERT_STR_EQ(json_string_value(json_array_get(list, 0)), only);
}

/* The workspace's role as it was before, plus the PassRole policy or not. */
static void assert_workspace_role(const json_t *roles, int with_pass)
{
    const json_t *ws = find_named(roles, "name", WS_ROLE);
    const json_t *inl;

    ASSERT_NOT_NULL(ws);
    assert_policy("the workspace role's trust policy",
                  json_string_value(json_object_get(ws, "assume_role_policy")),
                  ws_trust_doc);
    ASSERT_EQ(json_array_size(json_object_get(ws, "attached_policies")), 0);
    inl = json_object_get(ws, "inline_policies");
    ASSERT_EQ(json_object_size(inl), with_pass ? 1 : 0);
    if (with_pass)
        assert_policy("the PassRole policy",
                      json_string_value(json_object_get(inl, PASS_POL)),
                      pass_doc);
}

/* The simulator holds exactly what the procedure makes by hand. */
static void assert_procedure_done(void)
{
    json_t *dump = sim_get("dump");
    const json_t *iam_ = json_object_get(dump, "iam");
    const json_t *roles = json_object_get(iam_, "roles");
    const json_t *role, *inl, *profiles, *dbx;

    ASSERT_EQ(json_array_size(roles), 2);
    assert_workspace_role(roles, 1);

    /* Steps 1-3. */
    role = find_named(roles, "name", ROLE);
    ASSERT_NOT_NULL(role);
    ASSERT_STR_EQ(json_string_value(json_object_get(role, "arn")), ROLE_ARN);
    assert_policy(
        "the role's trust policy",
        json_string_value(json_object_get(role, "assume_role_policy")),
        trust_doc);
    assert_str_list(json_object_get(role, "attached_policies"), FULL_ACCESS);
    inl = json_object_get(role, "inline_policies");
    ASSERT_EQ(json_object_size(inl), 1);
    assert_policy("the role's inline policy",
                  json_string_value(json_object_get(inl, DEPLOY_POL)),
                  deploy_doc);

    /* Step 5: the instance profile, in IAM and in the workspace. */
    profiles = json_object_get(iam_, "instance_profiles");
    ASSERT_EQ(json_array_size(profiles), 1);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(profiles, 0), "arn")),
        PROFILE_ARN);
    assert_str_list(json_object_get(json_array_get(profiles, 0), "roles"),
                    ROLE);
    dbx = json_object_get(json_object_get(dump, "databricks"),
                          "instance_profiles");
    ASSERT_EQ(json_array_size(dbx), 1);
    ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(dbx, 0),
                                                    "instance_profile_arn")),
                  PROFILE_ARN);
    ASSERT_STR_EQ(json_string_value(
                      json_object_get(json_array_get(dbx, 0), "iam_role_arn")),
                  ROLE_ARN);
    ASSERT_EQ(json_array_size(json_object_get(iam_, "policies")), 0);
    json_decref(dump);
}

static void assert_no_changes(void)
{
    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure matches the "
                               "configuration.");
}

/* 5. IAM's eventual consistency (10 s) and 10% throttling: one apply. */
TEST(e2e, propagation_and_throttling)
{
    json_t *calls, *c;
    size_t i, late = 0;

    setup(NULL);
    control(
        "POST", "faults",
        json_pack("{s:i, s:f}", "propagation_ms", 10000, "throttle_rate", 0.1));
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 8 added, 0 "
                               "changed, 0 destroyed.");
    /* The new objects were refused while they propagated: the retries
     * that made this work were needed. */
    calls = sim_get("calls");
    json_array_foreach(json_object_get(calls, "calls"), i, c)
    {
        const char *code = json_string_value(json_object_get(c, "error_code"));

        if (code && (strcmp(code, "NoSuchEntity") == 0 ||
                     strcmp(code, "DRY_RUN_FAILED") == 0 ||
                     strcmp(code, "MalformedPolicyDocument") == 0))
            late++;
    }
    json_decref(calls);
    ASSERT_CMP(late, >, 0);
    /* Once everything is visible, nothing is left to do. */
    control("POST", "faults",
            json_pack("{s:i, s:f}", "propagation_ms", 0, "throttle_rate", 0.0));
    control("POST", "clock", json_pack("{s:i}", "advance_ms", 25000));
    assert_no_changes();
    assert_procedure_done();
    teardown();
}

const struct tern_test test_e2e_sagemaker_list[] = {
    TEST_INTEGRATION(e2e, propagation_and_throttling),
    TEST_END,
};
