/*
 * Issue 8 end to end: examples/sagemaker-deploy, the AWS setup that lets a
 * Databricks workspace deploy MLflow models to SageMaker, through the
 * built `tern` binary against a tern-sim on 127.0.0.1, as a user and a CI
 * pipeline run it. Each case starts its own simulator with the workspace's
 * existing cross-account role loaded, copies the example (unchanged) into
 * its temporary directory and names that role in terraform.tfvars.
 *
 * The example's deployment cluster (step 6) is part of it, except where a
 * setup made by hand is adopted (create_cluster = false there).
 *
 * What the procedure makes is checked in the simulator's own store
 * (/_sim/dump), policy document by policy document against the published
 * guide's text (tern_policy_equivalent), not against tern's state.
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

/* Step 2, with ecr:DescribeRepositories (see guide_policy_lint). */
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

static const char *dir_of(const char *sub)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s%s%s", tern_test_tmpdir(), sub ? "/" : "",
             sub ? sub : "");
    return path;
}

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

static void iam(const char *action, const char *const *params)
{
    struct tt_response resp;

    ASSERT_OK(tt_iam(&resp, &sim, action, params));
    if (resp.status != 200)
        FAIL("IAM %s: %ld %s", action, resp.status, resp.body);
    tt_response_release(&resp);
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

/* Step 6: the outputs a user copies into a cluster definition. */
static void assert_outputs(void)
{
    json_t *out, *attrs;

    RUN(0, "output", "-json");
    out = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(out);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_object_get(out, "role_arn"), "value")),
                  ROLE_ARN);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_object_get(out, "instance_profile_arn"), "value")),
                  PROFILE_ARN);
    attrs = json_loads(
        json_string_value(json_object_get(
            json_object_get(out, "cluster_aws_attributes"), "value")),
        0, NULL);
    ASSERT_NOT_NULL(attrs);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(attrs, "instance_profile_arn")),
        PROFILE_ARN);
    json_decref(attrs);
    json_decref(out);
    RUN(0, "output", "-raw", "cluster_aws_attributes");
    ASSERT_STR_EQ(r.out, "{\"instance_profile_arn\":\"" PROFILE_ARN "\"}");
}

/* Step 6: the deployment cluster runs with the instance profile, and
 * mlflow is installed on it. */
static void assert_cluster_running(void)
{
    json_t *cl = sim_get("clusters"), *c;

    ASSERT_EQ(json_array_size(json_object_get(cl, "clusters")), 1);
    c = json_array_get(json_object_get(cl, "clusters"), 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(c, "cluster_name")), ROLE);
    ASSERT_STR_EQ(json_string_value(json_object_get(c, "state")), "RUNNING");
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_object_get(c, "aws_attributes"),
                                          "instance_profile_arn")),
        PROFILE_ARN);
    RUN(0, "output", "-raw", "cluster_id");
    ASSERT_STR_EQ(r.out, json_string_value(json_object_get(c, "cluster_id")));
    json_decref(cl);
}

static void assert_no_changes(void)
{
    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure matches the "
                               "configuration.");
}

/* Each line of @text is a JSON object with a type; returns how many. */
static size_t json_lines(const char *text, const char *type, size_t *ntype)
{
    const char *p = text, *nl;
    size_t n = 0;

    if (ntype)
        *ntype = 0;
    for (; *p; p = nl + 1) {
        json_error_t err;
        json_t *line;
        const char *t;

        nl = strchr(p, '\n');
        if (!nl)
            FAIL("line %zu does not end in a newline: %s", n, p);
        line = json_loadb(p, (size_t)(nl - p), 0, &err);
        if (!line || !json_is_object(line))
            FAIL("line %zu is not a JSON object (%s): %.*s", n, err.text,
                 (int)(nl - p), p);
        t = json_string_value(json_object_get(line, "type"));
        if (!t || !json_object_get(line, "@message"))
            FAIL("line %zu has no type or @message: %.*s", n, (int)(nl - p), p);
        if (ntype && type && strcmp(t, type) == 0)
            (*ntype)++;
        json_decref(line);
        n++;
    }
    return n;
}

/* 1. Plan, apply, then nothing to do; the simulator holds the procedure. */
TEST(e2e, plan_apply_noop)
{
    setup(NULL);
    RUN(0, "init");
    ASSERT_STR_CONTAINS(r.out, "tern has been successfully initialized!");
    RUN(0, "validate");
    ASSERT_STR_CONTAINS(r.out, "Success! The configuration is valid.");
    RUN(0, "plan", "-out=plan.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Plan: 8 to add, 0 to change, 0 to destroy.");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role_policy.workspace_pass_role "
                               "will be created");
    ASSERT_STR_CONTAINS(r.out, "# databricks_instance_profile."
                               "sagemaker_deploy will be created");
    ASSERT_STR_NOT_CONTAINS(r.out, "Warning:");
    ASSERT_STR_NOT_CONTAINS(r.err, "Warning:");
    RUN(0, "apply", "plan.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 8 added, 0 "
                               "changed, 0 destroyed.");
    assert_no_changes();
    assert_procedure_done();
    assert_outputs();
    assert_cluster_running();
    teardown();
}

/* 2. Changed by hand: the trust policy loses SageMaker, the managed
 * policy is detached. The plan shows those two changes, apply restores. */
TEST(e2e, drift_restored)
{
    const char *trust[] = {"RoleName", ROLE, "PolicyDocument",
                           "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                           "\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                           "\"ec2.amazonaws.com\"},\"Action\":"
                           "\"sts:AssumeRole\"}]}",
                           NULL};
    const char *detach[] = {"RoleName", ROLE, "PolicyArn", FULL_ACCESS, NULL};

    setup(NULL);
    RUN(0, "apply", "-auto-approve");
    iam("UpdateAssumeRolePolicy", trust);
    iam("DetachRolePolicy", detach);

    RUN(2, "plan", "-detailed-exitcode");
    /* The plan puts back what was changed; nothing it changes refers to
     * the trust policy or the attachment, so no drift note (jsonformat
     * renderHumanDiffDrift: only relevant attributes). */
    ASSERT_STR_NOT_CONTAINS(r.out, "changed outside of tern");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_role.sagemaker_deploy will be "
                               "updated in-place\n");
    ASSERT_STR_CONTAINS(r.out, "sagemaker.amazonaws.com");
    ASSERT_STR_CONTAINS(r.out, "  # aws_iam_role_policy_attachment."
                               "sagemaker_full_access will be created\n");
    ASSERT_STR_CONTAINS(r.out, "Plan: 1 to add, 1 to change, 0 to destroy.");
    ASSERT_STR_NOT_CONTAINS(r.out, "aws_iam_role_policy.sagemaker_deploy will");
    ASSERT_STR_NOT_CONTAINS(r.out, "aws_iam_instance_profile.sagemaker_deploy "
                                   "will");

    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 1 added, 1 "
                               "changed, 0 destroyed.");
    assert_no_changes();
    assert_procedure_done();
    teardown();
}

/* The procedure done by hand: what assert_procedure_done expects. */
static void load_hand_made(void)
{
    json_t *doc = json_pack(
        "{s:{s:[{s:s, s:s, s:{s:s}}, {s:s, s:s, s:s, s:{s:s}, s:[s]}],"
        "    s:[{s:s, s:[s]}]},"
        " s:{s:[{s:s, s:s}]}}",
        "iam", "roles", "name", WS_ROLE, "assume_role_policy", ws_trust_doc,
        "inline_policies", PASS_POL, pass_doc, "name", ROLE, "description",
        "Deploys MLflow models from Databricks to SageMaker",
        "assume_role_policy", trust_doc, "inline_policies", DEPLOY_POL,
        deploy_doc, "attached_policies", FULL_ACCESS, "instance_profiles",
        "name", ROLE, "roles", ROLE, "databricks", "instance_profiles",
        "instance_profile_arn", PROFILE_ARN, "iam_role_arn", ROLE_ARN);

    ASSERT_NOT_NULL(doc);
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    tt_sim_env_add(&env, "AWS_REGION=");
    control("POST", "load", doc);
    workdir[0] = '\0';
    copy_example(tern_test_tmpdir(), "main.tf");
    copy_example(tern_test_tmpdir(), "variables.tf");
    copy_example(tern_test_tmpdir(), "outputs.tf");
    /* The procedure done by hand had no cluster: leave it out. */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "terraform.tfvars",
                            "workspace_role_name = \"" WS_ROLE "\"\n"
                            "create_cluster = false\n"
                            "instance_profile_group = \"\"\n"));
}

/* No call since the log was cleared changed anything. */
static void assert_nothing_changed_remotely(void)
{
    json_t *calls = sim_get("calls"), *c;
    size_t i;

    json_array_foreach(json_object_get(calls, "calls"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "action"));

        if (strncmp(a, "Get", 3) != 0 && strncmp(a, "List", 4) != 0 &&
            strcmp(a, "instance-profiles/list") != 0)
            FAIL("adopting called %s", a);
    }
    json_decref(calls);
}

/* 3a. Adopting a hand-made setup with import blocks. */
TEST(e2e, adopt_with_import_blocks)
{
    load_hand_made();
    ASSERT_OK(tt_write_file(
        tern_test_tmpdir(), "imports.tf",
        "import {\n"
        "  to = aws_iam_role.sagemaker_deploy\n"
        "  id = \"mlflow-sagemaker-deploy\"\n"
        "}\n"
        "\n"
        "import {\n"
        "  to = aws_iam_role_policy_attachment.sagemaker_full_access\n"
        "  id = \"mlflow-sagemaker-deploy/"
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess\"\n"
        "}\n"
        "\n"
        "import {\n"
        "  to = aws_iam_role_policy.sagemaker_deploy\n"
        "  id = \"mlflow-sagemaker-deploy:mlflow-sagemaker-deploy\"\n"
        "}\n"
        "\n"
        "import {\n"
        "  to = aws_iam_role_policy.workspace_pass_role\n"
        "  id = \"${var.workspace_role_name}:mlflow-sagemaker-pass-role\"\n"
        "}\n"
        "\n"
        "import {\n"
        "  to = aws_iam_instance_profile.sagemaker_deploy\n"
        "  id = \"mlflow-sagemaker-deploy\"\n"
        "}\n"
        "\n"
        "import {\n"
        "  to = databricks_instance_profile.sagemaker_deploy\n"
        "  id = \"arn:aws:iam::${data.aws_caller_identity.current.account_id}"
        ":instance-profile/mlflow-sagemaker-deploy\"\n"
        "}\n"));
    control("DELETE", "calls", NULL);
    RUN(0, "plan", "-out=adopt.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Plan: 6 to import, 0 to add, 0 to change, 0 "
                               "to destroy.");
    RUN(0, "apply", "adopt.tfplan");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.sagemaker_deploy: Importing... "
                               "[id=" ROLE "]\n"
                               "aws_iam_role.sagemaker_deploy: Import "
                               "complete [id=" ROLE "]\n");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 6 imported, 0 "
                               "added, 0 changed, 0 destroyed.");
    assert_nothing_changed_remotely();
    assert_no_changes();
    RUN(0, "state", "list");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role_policy.workspace_pass_role\n");
    ASSERT_STR_CONTAINS(r.out, "databricks_instance_profile."
                               "sagemaker_deploy\n");
    assert_procedure_done();
    assert_outputs();
    teardown();
}

/* 3b. The same with `tern import`, one command per resource. */
TEST(e2e, adopt_with_import_command)
{
    load_hand_made();
    control("DELETE", "calls", NULL);
    RUN(0, "import", "aws_iam_role.sagemaker_deploy", ROLE);
    ASSERT_STR_CONTAINS(r.out, "Import successful!");
    RUN(0, "import", "aws_iam_role_policy_attachment.sagemaker_full_access",
        ROLE "/" FULL_ACCESS);
    RUN(0, "import", "aws_iam_role_policy.sagemaker_deploy",
        ROLE ":" DEPLOY_POL);
    RUN(0, "import", "aws_iam_role_policy.workspace_pass_role",
        WS_ROLE ":" PASS_POL);
    RUN(0, "import", "aws_iam_instance_profile.sagemaker_deploy", ROLE);
    RUN(0, "import", "databricks_instance_profile.sagemaker_deploy",
        PROFILE_ARN);
    /* Nothing to change; only the outputs are new to the state (as after
     * terraform import), and an apply saves them without touching IAM. */
    RUN(0, "plan");
    ASSERT_STR_NOT_CONTAINS(r.out, " will be ");
    ASSERT_STR_CONTAINS(r.out, "No changes.");
    ASSERT_STR_CONTAINS(r.out, "+ role_arn ");
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 0 added, 0 "
                               "changed, 0 destroyed.");
    assert_no_changes();
    assert_nothing_changed_remotely();
    assert_outputs();
    assert_procedure_done();
    teardown();
}

/* 4. Destroy leaves the workspace's role as it was before tern. */
TEST(e2e, destroy_leaves_workspace_role)
{
    json_t *dump;
    const json_t *iam_;

    setup(NULL);
    RUN(0, "apply", "-auto-approve");
    assert_procedure_done();
    RUN(0, "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Plan: 0 to add, 0 to change, 8 to destroy.");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 8 destroyed.");
    ASSERT_STR_NOT_CONTAINS(r.out, "data.aws_iam_role.workspace will be "
                                   "destroyed");

    dump = sim_get("dump");
    iam_ = json_object_get(dump, "iam");
    ASSERT_EQ(json_array_size(json_object_get(iam_, "roles")), 1);
    assert_workspace_role(json_object_get(iam_, "roles"), 0);
    ASSERT_EQ(json_array_size(json_object_get(iam_, "instance_profiles")), 0);
    ASSERT_EQ(json_array_size(json_object_get(
                  json_object_get(dump, "databricks"), "instance_profiles")),
              0);
    json_decref(dump);
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "");
    teardown();
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

/* 6. A CI pipeline: plan -out, apply FILE, -json throughout; a saved plan
 * whose state has moved on is refused. */
TEST(e2e, ci_saved_plans_json)
{
    size_t n, k;

    setup(NULL);
    RUN(0, "init", "-input=false");
    RUN(0, "validate", "-json");
    {
        json_t *v = json_loads(r.out, 0, NULL);

        ASSERT_NOT_NULL(v);
        ASSERT_TRUE(json_is_true(json_object_get(v, "valid")));
        json_decref(v);
    }
    RUN(0, "plan", "-json", "-input=false", "-out=ci.tfplan");
    n = json_lines(r.out, "planned_change", &k);
    ASSERT_CMP(n, >, 8);
    ASSERT_EQ(k, 8);
    RUN(0, "apply", "-json", "-input=false", "ci.tfplan");
    json_lines(r.out, "apply_complete", &k);
    ASSERT_EQ(k, 8);
    json_lines(r.out, "outputs", &k);
    ASSERT_EQ(k, 1);
    RUN(0, "plan", "-json", "-detailed-exitcode");
    json_lines(r.out, "planned_change", &k);
    ASSERT_EQ(k, 0);

    /* Two pipelines plan from the same state; the second to apply loses. */
    RUN(0, "plan", "-json", "-out=first.tfplan", "-var",
        "tags={team=\"ml-platform\"}");
    json_lines(r.out, "planned_change", &k);
    ASSERT_EQ(k, 3);
    RUN(0, "plan", "-json", "-out=second.tfplan", "-var",
        "tags={team=\"data\"}");
    json_lines(r.out, NULL, NULL);
    RUN(0, "apply", "-json", "first.tfplan");
    json_lines(r.out, "apply_complete", &k);
    ASSERT_EQ(k, 3);
    RUN(1, "apply", "-json", "second.tfplan");
    json_lines(r.out, "diagnostic", &k);
    ASSERT_CMP(k, >=, 1);
    ASSERT_STR_CONTAINS(r.out, "\"@level\":\"error\"");
    ASSERT_STR_CONTAINS(r.out, "Saved plan is stale");
    /* The refused plan changed nothing: the first one's tags stay. */
    RUN(0, "plan", "-json", "-detailed-exitcode", "-var",
        "tags={team=\"ml-platform\"}");
    json_lines(r.out, NULL, NULL);
    RUN(0, "destroy", "-json", "-auto-approve", "-var",
        "tags={team=\"ml-platform\"}");
    json_lines(r.out, "apply_complete", &k);
    ASSERT_EQ(k, 8);
    teardown();
}

/* The example's inline policy as the published guide prints it, pasted
 * into a heredoc with the account id and role name filled in by tern. */
static const char guide_policy[] =
    "  policy = <<-EOF\n"
    "    {\n"
    "      \"Version\": \"2012-10-17\",\n"
    "      \"Statement\": [\n"
    "        {\n"
    "          \"Action\": [\n"
    "            \"s3:PutObjectAcl\",\n"
    "            \"s3:PutObjectTagging\"\n"
    "          ],\n"
    "          \"Resource\": [\n"
    "            \"arn:aws:s3:::mlflow-sagemaker-*-${local.account_id}\",\n"
    "            \"arn:aws:s3:::mlflow-sagemaker-*-${local.account_id}/*\"\n"
    "          ],\n"
    "          \"Effect\": \"Allow\"\n"
    "        },\n"
    "        {\n"
    "          \"Action\": [\n"
    "            \"iam:GetRole\"\n"
    "          ],\n"
    "          \"Resource\": [\n"
    "            \"${aws_iam_role.sagemaker_deploy.arn}\"\n"
    "          ],\n"
    "          \"Effect\": \"Allow\"\n"
    "        },\n"
    "        {\n"
    "          \"Action\": [\n"
    "            \"ecr:DescribeGitRepositories\"\n"
    "          ],\n"
    "          \"Resource\": [\n"
    "            \"arn:aws:ecr:*:${local.account_id}:repository/*\"\n"
    "          ],\n"
    "          \"Effect\": \"Allow\"\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  EOF\n";

/* Replace the example's step 2 policy (from "  policy = jsonencode" to
 * the "  })" that ends it) with the guide's text. */
static void paste_guide_policy(void)
{
    char path[512];
    char *text, *start, *end;
    size_t cap;
    char *out;

    snprintf(path, sizeof(path), "%s/main.tf", tern_test_tmpdir());
    text = tt_read_file(path, NULL);
    ASSERT_NOT_NULL(text);
    start = strstr(text, "resource \"aws_iam_role_policy\" "
                         "\"sagemaker_deploy\"");
    ASSERT_NOT_NULL(start);
    start = strstr(start, "  policy = jsonencode(");
    ASSERT_NOT_NULL(start);
    end = strstr(start, "\n  })\n");
    ASSERT_NOT_NULL(end);
    end += strlen("\n  })\n");
    cap = strlen(text) + sizeof(guide_policy);
    out = malloc(cap);
    ASSERT_NOT_NULL(out);
    snprintf(out, cap, "%.*s%s%s", (int)(start - text), text, guide_policy,
             end);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", out));
    free(out);
    free(text);
}

/* 7. The guide's policy verbatim: a warning with the fix, and it applies. */
TEST(e2e, guide_policy_lint)
{
    json_t *dump;
    const char *doc;

    setup(NULL);
    paste_guide_policy();
    RUN(0, "validate");
    ASSERT_STR_CONTAINS(r.out, "Warning: Unknown IAM action");
    ASSERT_STR_CONTAINS(r.out, "in resource \"aws_iam_role_policy\" "
                               "\"sagemaker_deploy\":");
    ASSERT_STR_CONTAINS(r.out, "\"ecr:DescribeGitRepositories\" (statement 3 "
                               "in aws_iam_role_policy.sagemaker_deploy."
                               "policy) is not an action of ecr.");
    ASSERT_STR_CONTAINS(r.out, "Did you mean \"ecr:DescribeRepositories\"?");
    ASSERT_STR_CONTAINS(r.out, "Success! The configuration is valid, but "
                               "there were some validation warnings as shown "
                               "above.");
    RUN(0, "validate", "-json");
    ASSERT_STR_CONTAINS(r.out, "\"warning_count\": 1");
    ASSERT_STR_CONTAINS(r.out,
                        "Did you mean \\\"ecr:DescribeRepositories\\\"?");

    RUN(0, "plan", "-out=guide.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Warning: Unknown IAM action");
    ASSERT_STR_CONTAINS(r.out, "Did you mean \"ecr:DescribeRepositories\"?");
    ASSERT_STR_CONTAINS(r.out, "Plan: 8 to add, 0 to change, 0 to destroy.");
    RUN(0, "apply", "guide.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 8 added");
    assert_no_changes();

    /* IAM took the document as written; the action grants nothing. */
    dump = sim_get("dump");
    doc = json_string_value(json_object_get(
        json_object_get(
            find_named(json_object_get(json_object_get(dump, "iam"), "roles"),
                       "name", ROLE),
            "inline_policies"),
        DEPLOY_POL));
    ASSERT_NOT_NULL(doc);
    ASSERT_STR_CONTAINS(doc, "ecr:DescribeGitRepositories");
    ASSERT_EQ(tern_policy_equivalent(doc, deploy_doc), 0);
    json_decref(dump);
    teardown();
}

/* The example in JSON syntax (tests/cases/sagemaker-json) plans exactly as
 * the native syntax does: same saved plan, shown as JSON. */
TEST(e2e, json_syntax_plans_identically)
{
    static const char *const files[] = {"main.tf.json", "variables.tf.json",
                                        "outputs.tf.json"};
    json_t *plans[2];
    char src[512], *text, *a, *b;
    size_t i;

    setup(NULL);
    ASSERT_OK(mkdir(dir_of("json"), 0755));
    for (i = 0; i < 3; i++) {
        snprintf(src, sizeof(src), "%s/tests/cases/sagemaker-json/%s",
                 tern_test_source_dir(), files[i]);
        text = tt_read_file(src, NULL);
        if (!text)
            FAIL("cannot read %s", src);
        ASSERT_OK(tt_write_file(dir_of("json"), files[i], text));
        free(text);
    }
    write_tfvars(dir_of("json"));

    for (i = 0; i < 2; i++) {
        snprintf(workdir, sizeof(workdir), "%s", dir_of(i ? "json" : NULL));
        RUN(0, "validate");
        RUN(0, "plan", "-out=p.tfplan");
        ASSERT_STR_CONTAINS(r.out,
                            "Plan: 8 to add, 0 to change, 0 to destroy.");
        RUN(0, "show", "-json", "p.tfplan");
        plans[i] = json_loads(r.out, 0, NULL);
        ASSERT_NOT_NULL(plans[i]);
        /* When each plan was made, and the configuration as written
         * (its expressions follow each syntax), are not the plan. */
        json_object_del(plans[i], "timestamp");
        json_object_del(plans[i], "configuration");
    }
    if (!json_equal(plans[0], plans[1])) {
        a = json_dumps(plans[0], JSON_INDENT(1) | JSON_SORT_KEYS);
        b = json_dumps(plans[1], JSON_INDENT(1) | JSON_SORT_KEYS);
        FAIL("the two syntaxes plan differently:\n--- main.tf\n%s\n--- "
             "main.tf.json\n%s",
             a, b);
    }
    ASSERT_EQ(json_array_size(json_object_get(plans[0], "resource_changes")),
              8);

    /* And the JSON syntax applies to the same objects. */
    RUN(0, "apply", "p.tfplan");
    assert_no_changes();
    assert_procedure_done();
    json_decref(plans[0]);
    json_decref(plans[1]);
    teardown();
}

const struct tern_test test_e2e_sagemaker_list[] = {
    TEST_INTEGRATION(e2e, plan_apply_noop),
    TEST_INTEGRATION(e2e, drift_restored),
    TEST_INTEGRATION(e2e, adopt_with_import_blocks),
    TEST_INTEGRATION(e2e, adopt_with_import_command),
    TEST_INTEGRATION(e2e, destroy_leaves_workspace_role),
    TEST_INTEGRATION(e2e, propagation_and_throttling),
    TEST_INTEGRATION(e2e, ci_saved_plans_json),
    TEST_INTEGRATION(e2e, guide_policy_lint),
    TEST_INTEGRATION(e2e, json_syntax_plans_identically),
    TEST_END,
};
