/*
 * Issue 21: Terraform's machine-readable formats, through the built binary
 * against tern-sim. The expected documents in tests/cases/json-formats/
 * are written by hand from hashicorp/terraform's json-format.mdx field
 * lists and upstream's omitempty rules, for the scenario beside them; they
 * are never re-recorded from tern's output. In them "<string>" stands for
 * any string (IAM's unique ids and creation dates, the tern version),
 * "<timestamp>" for an RFC 3339 UTC time, "<ui-timestamp>" for the UI's
 * (with microseconds), "<number>" for any integer (elapsed seconds), and a
 * string starting with "~" is a shell pattern (fnmatch) for the rest;
 * everything else must be equal, and every object must have exactly the
 * expected keys. In a stream (.jsonl) the version, change_summary and
 * outputs messages must come in order; the per-resource messages, which
 * concurrent steps interleave, are matched by type, address and action.
 */
#include "runner.h"

#include "run_tern.h"
#include "aws_call.h"
#include "support.h"
#include "cli_test.h"
#include "util/alloc.h"

#include <ctype.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *case_text(const char *name)
{
    char path[512];
    char *text;

    snprintf(path, sizeof(path), "%s/tests/cases/json-formats/%s",
             tern_test_source_dir(), name);
    text = tt_read_file(path, NULL);
    if (!text)
        FAIL("cannot read %s", path);
    return text;
}

static void use_config(const char *name)
{
    char *text = case_text(name);

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
    free(text);
}

/* The SageMaker scenario's child module, called as module.extra. */
static void use_module(void)
{
    char dir[1024], *text = case_text("sagemaker/extra/main.tf");

    snprintf(dir, sizeof(dir), "%s/extra", tern_test_tmpdir());
    if (mkdir(dir, 0755) != 0)
        FAIL("cannot make %s", dir);
    ASSERT_OK(tt_write_file(dir, "main.tf", text));
    free(text);
}

static int is_timestamp(const char *s, const char *shape)
{
    size_t i;

    if (strlen(s) != strlen(shape))
        return 0;
    for (i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    return 1;
}

/* Compare @got with @want; on the first difference, fail naming its path. */
static void match(const json_t *want, const json_t *got, const char *path)
{
    char sub[1024];
    const char *k;
    json_t *w;
    size_t i;

    if (json_is_string(want) &&
        strcmp(json_string_value(want), "<string>") == 0) {
        if (!json_is_string(got))
            FAIL("%s: expected a string, got %s", path,
                 got ? json_dumps(got, JSON_ENCODE_ANY) : "nothing");
        return;
    }
    if (json_is_string(want) &&
        (strcmp(json_string_value(want), "<timestamp>") == 0 ||
         strcmp(json_string_value(want), "<ui-timestamp>") == 0)) {
        const char *shape = json_string_value(want)[1] == 't'
                                ? "dddd-dd-ddTdd:dd:ddZ"
                                : "dddd-dd-ddTdd:dd:dd.ddddddZ";

        if (!json_is_string(got) ||
            !is_timestamp(json_string_value(got), shape))
            FAIL("%s: expected a time like %s, got %s", path, shape,
                 got ? json_dumps(got, JSON_ENCODE_ANY) : "nothing");
        return;
    }
    if (json_is_string(want) &&
        strcmp(json_string_value(want), "<number>") == 0) {
        if (!json_is_integer(got))
            FAIL("%s: expected an integer, got %s", path,
                 got ? json_dumps(got, JSON_ENCODE_ANY) : "nothing");
        return;
    }
    if (json_is_string(want) && json_string_value(want)[0] == '~') {
        if (!json_is_string(got) ||
            fnmatch(json_string_value(want) + 1, json_string_value(got), 0))
            FAIL("%s: expected %s, got %s", path, json_string_value(want) + 1,
                 got ? json_dumps(got, JSON_ENCODE_ANY) : "nothing");
        return;
    }
    if (json_is_object(want)) {
        if (!json_is_object(got))
            FAIL("%s: expected an object, got %s", path,
                 got ? json_dumps(got, JSON_ENCODE_ANY) : "nothing");
        json_object_foreach((json_t *)got, k, w)
        {
            if (!json_object_get(want, k))
                FAIL("%s: unexpected key \"%s\": %s", path, k,
                     json_dumps(w, JSON_ENCODE_ANY));
        }
        json_object_foreach((json_t *)want, k, w)
        {
            snprintf(sub, sizeof(sub), "%s.%s", path, k);
            if (!json_object_get(got, k))
                FAIL("%s: missing", sub);
            match(w, json_object_get(got, k), sub);
        }
        return;
    }
    if (json_is_array(want)) {
        if (!json_is_array(got) ||
            json_array_size(got) != json_array_size(want))
            FAIL("%s: expected %zu elements, got %s", path,
                 json_array_size(want),
                 got ? json_dumps(got, JSON_ENCODE_ANY) : "nothing");
        json_array_foreach((json_t *)want, i, w)
        {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            match(w, json_array_get(got, i), sub);
        }
        return;
    }
    if (!got || !json_equal(want, got) || json_typeof(want) != json_typeof(got))
        FAIL("%s: expected %s, got %s", path, json_dumps(want, JSON_ENCODE_ANY),
             got ? json_dumps(got, JSON_ENCODE_ANY) : "nothing");
}

static void match_case(const char *expected, const char *output)
{
    char *text = case_text(expected);
    json_error_t err;
    json_t *want = json_loads(text, 0, &err), *got;

    if (!want)
        FAIL("%s: %s at line %d", expected, err.text, err.line);
    got = json_loads(output, 0, &err);
    if (!got)
        FAIL("tern's output is not JSON (%s):\n%s", err.text, output);
    match(want, got, "$");
    json_decref(want);
    json_decref(got);
    free(text);
}

/* Messages that come in a fixed order; the others are per resource. */
static int ordered(const json_t *line)
{
    const char *t = json_string_value(json_object_get(line, "type"));

    return t &&
           (strcmp(t, "version") == 0 || strcmp(t, "change_summary") == 0 ||
            strcmp(t, "outputs") == 0 || strcmp(t, "diagnostic") == 0);
}

/* type, address and action of a per-resource message */
static char *line_key(const json_t *line)
{
    const json_t *body = json_object_get(line, "hook")
                             ? json_object_get(line, "hook")
                             : json_object_get(line, "change");

    return tern_asprintf("%s %s %s",
                         json_string_value(json_object_get(line, "type")),
                         json_string_value(json_object_get(
                             json_object_get(body, "resource"), "addr")),
                         json_string_value(json_object_get(body, "action")));
}

static int key_cmp(const void *a, const void *b)
{
    char *ka = line_key(*(const json_t *const *)a);
    char *kb = line_key(*(const json_t *const *)b);
    int c = strcmp(ka ? ka : "", kb ? kb : "");

    tern_free(ka);
    tern_free(kb);
    return c;
}

static json_t *parse_lines(const char *text, const char *what)
{
    json_t *all = json_array(), *line;
    json_error_t err;
    const char *p = text, *nl;

    while (*p) {
        char *one;

        nl = strchr(p, '\n');
        one = tern_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
        line = json_loads(one, 0, &err);
        if (!line)
            FAIL("%s: a line is not JSON (%s): %s", what, err.text, one);
        tern_free(one);
        json_array_append_new(all, line);
        if (!nl)
            break;
        p = nl + 1;
    }
    return all;
}

/* Split a stream into its ordered messages and its per-resource ones
 * (sorted by key). */
static void split(const json_t *all, json_t *seq, const json_t ***rest,
                  size_t *nrest)
{
    const json_t *line;
    size_t i;

    *rest = tern_calloc(json_array_size(all) + 1, sizeof(**rest));
    *nrest = 0;
    json_array_foreach((json_t *)all, i, line)
    {
        if (ordered(line))
            json_array_append(seq, (json_t *)line);
        else
            (*rest)[(*nrest)++] = line;
    }
    qsort(*rest, *nrest, sizeof(**rest), key_cmp);
}

static void match_stream(const char *expected, const char *output)
{
    char *text = case_text(expected), path[64];
    json_t *want = parse_lines(text, expected),
           *got = parse_lines(output, "tern");
    json_t *wseq = json_array(), *gseq = json_array();
    const json_t **wrest = NULL, **grest = NULL;
    size_t nw = 0, ng = 0, i;

    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(got, 0), "type")),
        "version");
    split(want, wseq, &wrest, &nw);
    split(got, gseq, &grest, &ng);
    match(wseq, gseq, "$ordered");
    if (nw != ng)
        FAIL("%zu per-resource messages, expected %zu:\n%s", ng, nw, output);
    for (i = 0; i < nw; i++) {
        snprintf(path, sizeof(path), "$resource_messages[%zu]", i);
        match(wrest[i], grest[i], path);
    }
    tern_free(wrest);
    tern_free(grest);
    json_decref(wseq);
    json_decref(gseq);
    json_decref(want);
    json_decref(got);
    free(text);
}

static void iam(const char *action, const char *const *params)
{
    struct tt_response resp;

    ASSERT_OK(tt_iam(&resp, &sim, action, params));
    if (resp.status != 200)
        FAIL("IAM %s: %ld %s", action, resp.status, resp.body);
    tt_response_release(&resp);
}

/*
 * sagemaker/before.tf applied (with sagemaker/extra as ./extra, its
 * module.extra); then jf-drifted's description changed by hand and
 * jf-imported created outside tern; sagemaker/after.tf planned.
 */
static void scenario(void)
{
    const char *update[] = {"RoleName", "jf-drifted", "Description",
                            "changed by hand", NULL};
    const char *create[] = {
        "RoleName", "jf-imported", "AssumeRolePolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":"
        "\"ec2.amazonaws.com\"}}]}",
        NULL};

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    /* The plan holds var.owner, sensitive: it is saved encrypted. */
    tt_sim_env_add(&env, "TERN_PLAN_PASSPHRASE=cli-json-scenario-passphrase");
    use_module();
    use_config("sagemaker/before.tf");
    RUN(0, "init");
    RUN(0, "apply", "-auto-approve");
    iam("UpdateRole", update);
    iam("CreateRole", create);
    use_config("sagemaker/after.tf");
    RUN(0, "plan", "-out=p.tfplan");
}

TEST(cli_json, plan_representation)
{
    scenario();
    RUN(0, "show", "-json", "p.tfplan");
    match_case("sagemaker/plan.json", r.out);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* The state the plan was made against, from the working directory and as
 * a state file named on the command line; its outputs; the version. */
TEST(cli_json, state_output_version)
{
    scenario();
    RUN(0, "show", "-json");
    match_case("sagemaker/state.json", r.out);
    RUN(0, "show", "-json", "tern.tfstate.db");
    match_case("sagemaker/state.json", r.out);
    RUN(0, "output", "-json");
    match_case("sagemaker/output.json", r.out);
    RUN(0, "version", "-json");
    match_case("sagemaker/version.json", r.out);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* plan -json and apply -json of the same scenario: every message type
 * the run has, with every field. */
TEST(cli_json, ui_stream)
{
    scenario();
    RUN(0, "plan", "-json");
    match_stream("sagemaker/plan-ui.jsonl", r.out);
    RUN(0, "apply", "-json", "p.tfplan");
    match_stream("sagemaker/apply-ui.jsonl", r.out);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* Run examples/policy-gate on @plan_json (in the test's directory):
 * its whole standard output into @out (free()), its exit status back. */
static int policy_gate(const char *plan_json, char **out)
{
    char cmd[2048], path[1024];
    int status;

    snprintf(path, sizeof(path), "%s/gate.out", tern_test_tmpdir());
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 '%s/examples/policy-gate/policy_gate.py' "
             "'%s/%s' > '%s' 2>&1",
             tern_test_source_dir(), tern_test_tmpdir(), plan_json, path);
    status = system(cmd);
    *out = tt_read_file(path, NULL);
    if (!*out)
        FAIL("no output from the policy gate");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The policy gate between plan and apply: the SageMaker example passes;
 * a plan that deletes a role, attaches AdministratorAccess and trusts a
 * wildcard principal is refused, each named.
 */
TEST(cli_json, policy_gate)
{
    const char *files[] = {"main.tf", "variables.tf", "outputs.tf"};
    char path[512], *text, *out = NULL;
    size_t i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/examples/sagemaker-deploy/%s",
                 tern_test_source_dir(), files[i]);
        text = tt_read_file(path, NULL);
        if (!text)
            FAIL("cannot read %s", path);
        ASSERT_OK(tt_write_file(tern_test_tmpdir(), files[i], text));
        free(text);
    }
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "terraform.tfvars",
                      "workspace_role_name = \"databricks-workspace\"\n"));
    {
        struct tt_response resp;

        ASSERT_OK(tt_sim_control(
            &resp, &sim, "POST", "load",
            "{\"iam\":{\"roles\":[{\"name\":\"databricks-workspace\","
            "\"assume_role_policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\","
            "\\\"Statement\\\":[]}\"}]}}"));
        ASSERT_EQ(resp.status, 200);
        tt_response_release(&resp);
    }
    RUN(0, "init");
    RUN(0, "plan", "-out=ok.tfplan");
    RUN(0, "show", "-json", "ok.tfplan");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "ok.json", r.out));
    ASSERT_EQ(policy_gate("ok.json", &out), 0);
    ASSERT_STR_EQ(out,
                  "policy gate: 8 resource changes checked, no violation\n");
    free(out);

    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", tern_test_tmpdir(), files[i]);
        unlink(path);
    }
    use_config("policy-gate/before.tf");
    RUN(0, "apply", "-auto-approve");
    use_config("policy-gate/after.tf");
    RUN(0, "plan", "-out=bad.tfplan");
    RUN(0, "show", "-json", "bad.tfplan");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "bad.json", r.out));
    ASSERT_EQ(policy_gate("bad.json", &out), 1);
    ASSERT_STR_EQ(out, "DENY aws_iam_role.legacy: deletes an IAM role\n"
                       "DENY aws_iam_role.open: trust policy allows a "
                       "wildcard principal\n"
                       "DENY aws_iam_role_policy_attachment.admin: attaches "
                       "AdministratorAccess\n"
                       "policy gate: 3 violations in 3 resource changes\n");
    free(out);
    ASSERT_EQ(policy_gate("missing.json", &out), 2);
    free(out);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/*
 * A reader of the plan format that tern did not write: terraform-unidiff
 * (npm, tests/consumers, installed by scripts/setup.sh) checks the plan
 * against its JSON schema, then prints one unified diff per changed
 * resource and its own count of the actions. On the scenario's plan its
 * count must be tern's own summary line, and its diffs the changed
 * resources of sagemaker/plan.json.
 */
TEST(cli_json, unidiff)
{
    char cmd[2048], path[1024], *out, *line, *sum;
    const char *p;
    int status;
    size_t n = 0;

    snprintf(path, sizeof(path),
             "%s/tests/consumers/node_modules/@ahmadnassri/terraform-unidiff/"
             "bin.js",
             tern_test_source_dir());
    if (access(path, R_OK) != 0)
        FAIL("%s is missing: run scripts/setup.sh", path);
    scenario();
    RUN(0, "show", "-no-color", "p.tfplan");
    sum = strstr(r.out, "\nPlan: ");
    ASSERT_NOT_NULL(sum);
    sum = tern_strndup(sum + 1, strcspn(sum + 1, "\n"));
    RUN(0, "show", "-json", "p.tfplan");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "plan.json", r.out));
    snprintf(cmd, sizeof(cmd),
             "node '%s' '%s/plan.json' > '%s/unidiff.out' 2>&1", path,
             tern_test_tmpdir(), tern_test_tmpdir());
    status = system(cmd);
    snprintf(path, sizeof(path), "%s/unidiff.out", tern_test_tmpdir());
    out = tt_read_file(path, NULL);
    ASSERT_NOT_NULL(out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        FAIL("terraform-unidiff failed:\n%s", out);
    /* Its last line: tern's, without the import count and the full stop. */
    ASSERT_STR_EQ(sum, "Plan: 1 to import, 2 to add, 3 to change, 2 to "
                       "destroy.");
    line = strstr(out, "\nPlan: ");
    ASSERT_NOT_NULL(line);
    ASSERT_STR_EQ(line + 1, "Plan: 2 to add, 3 to change, 2 to destroy\n");
    /* One diff per change that is not a no-op (the import and the move
     * are), in resource_changes' order. */
    {
        static const char *const want[] = {"aws_iam_instance_profile.new",
                                           "aws_iam_role.drifted",
                                           "aws_iam_role.gone",
                                           "aws_iam_role.keep",
                                           "aws_iam_role.rep",
                                           "module.extra.aws_iam_role.r"};

        for (p = out; (p = strstr(p, "Index: ")) != NULL; p++, n++) {
            ASSERT_TRUE(n < 6);
            ASSERT_EQ(strncmp(p + 7, want[n], strlen(want[n])), 0);
            ASSERT_EQ(p[7 + strlen(want[n])], '\n');
        }
        ASSERT_EQ(n, 6);
    }
    tern_free(sum);
    free(out);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* `providers` on the SageMaker example (no state yet), and `providers
 * schema -json`: its shape, and one resource's schema as the AWS
 * provider's (docs/ATTRIBUTES.md), written by hand. */
TEST(cli_json, providers)
{
    const char *files[] = {"main.tf", "variables.tf", "outputs.tf"};
    char path[512], *text, *want;
    json_t *doc, *aws;
    size_t i;

    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/examples/sagemaker-deploy/%s",
                 tern_test_source_dir(), files[i]);
        text = tt_read_file(path, NULL);
        if (!text)
            FAIL("cannot read %s", path);
        ASSERT_OK(tt_write_file(tern_test_tmpdir(), files[i], text));
        free(text);
    }
    memset(&env, 0, sizeof(env));
    RUN(0, "providers");
    want = case_text("providers/tree.txt");
    ASSERT_STR_EQ(r.out, want);
    free(want);
    RUN(1, "providers", "schema");
    ASSERT_STR_EQ(r.err, "Error: The -json flag is required\n\nThe `tern "
                         "providers schema` command requires the `-json` "
                         "flag.\n\n");
    RUN(0, "providers", "schema", "-json");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "format_version")),
                  "1.0");
    aws = json_object_get(json_object_get(doc, "provider_schemas"),
                          "registry.terraform.io/hashicorp/aws");
    ASSERT_NOT_NULL(aws);
    ASSERT_NOT_NULL(json_object_get(
        json_object_get(json_object_get(doc, "provider_schemas"),
                        "registry.terraform.io/databricks/databricks"),
        "resource_schemas"));
    ASSERT_NOT_NULL(json_object_get(json_object_get(aws, "data_source_schemas"),
                                    "aws_iam_policy_document"));
    ASSERT_NOT_NULL(json_object_get(json_object_get(aws, "provider"), "block"));
    text = json_dumps(json_object_get(json_object_get(aws, "resource_schemas"),
                                      "aws_iam_instance_profile"),
                      JSON_COMPACT);
    match_case("providers/aws_iam_instance_profile.json", text);
    free(text);
    json_decref(doc);
    tt_run_release(&r);
}

const struct tern_test test_cli_json_list[] = {
    TEST_UNIT(cli_json, providers),
    TEST_INTEGRATION(cli_json, unidiff),
    TEST_INTEGRATION(cli_json, policy_gate),
    TEST_INTEGRATION(cli_json, ui_stream),
    TEST_INTEGRATION(cli_json, plan_representation),
    TEST_INTEGRATION(cli_json, state_output_version),
    TEST_END,
};
