/*
 * Issue 21: Terraform's machine-readable formats, through the built binary
 * against tern-sim. The expected documents in tests/cases/json-formats/
 * are written by hand from hashicorp/terraform's json-format.mdx field
 * lists and upstream's omitempty rules, for the scenario beside them; they
 * are never re-recorded from tern's output. In them "<string>" stands for
 * any string (IAM's unique ids and creation dates, the tern version) and
 * "<timestamp>" for an RFC 3339 UTC time; everything else must be equal,
 * and every object must have exactly the expected keys.
 */
#include "runner.h"

#include "run_tern.h"
#include "aws_call.h"
#include "support.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>

static struct tt_sim sim;
static struct tt_sim_env env;
static struct tt_run r;

static void run(int status, const char *const *args)
{
    tt_run_release(&r);
    if (tt_run_tern_env(&r, tern_test_tmpdir(), NULL, env.env, args) != 0)
        FAIL("could not run tern");
    if (r.status != status)
        FAIL("tern %s %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s",
             args[0], args[1] ? args[1] : "", r.status, status, r.out, r.err);
}

#define RUN(status, ...)                                                       \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run((status), args_);                                                  \
    } while (0)

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

static int is_timestamp(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t i;

    if (strlen(s) != sizeof(shape) - 1)
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
        strcmp(json_string_value(want), "<timestamp>") == 0) {
        if (!json_is_string(got) || !is_timestamp(json_string_value(got)))
            FAIL("%s: expected an RFC 3339 UTC time, got %s", path,
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

static void iam(const char *action, const char *const *params)
{
    struct tt_response resp;

    ASSERT_OK(tt_iam(&resp, &sim, action, params));
    if (resp.status != 200)
        FAIL("IAM %s: %ld %s", action, resp.status, resp.body);
    tt_response_release(&resp);
}

/*
 * sagemaker/before.tf applied; then jf-drifted's description changed by
 * hand and jf-imported created outside tern; sagemaker/after.tf planned.
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

const struct tern_test test_cli_json_list[] = {
    TEST_INTEGRATION(cli_json, plan_representation),
    TEST_INTEGRATION(cli_json, state_output_version),
    TEST_END,
};
