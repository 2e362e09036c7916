/*
 * Bad server responses (issue 10's corpus, the server side): tern-sim
 * mangles a response after doing the work (truncated, oversized, an HTML
 * error page, a document of the wrong shape, a stalled answer), and the
 * AWS client must end each with a clear error that names what went wrong:
 * no crash, no hang, no success made up from garbage.
 */
#include "runner.h"
#include "support.h"
#include "aws_call.h"
#include "run_tern.h"

#include "../sim/sim.h"
#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/xml.h"
#include "http/http.h"
#include "util/buf.h"

#include <jansson.h>
#include <time.h>

#define CREATE_PARAMS                                                          \
    "RoleName=r1&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%"   \
    "22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal"   \
    "%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%"   \
    "22sts%3AAssumeRole%22%7D%5D%7D"

struct fx {
    struct tt_sim sim;
    tern_http *http;
    tern_aws_credentials *creds;
    tern_aws_client *iam;
};

static int no_sleep(void *ud, long ms, const atomic_int *cancel)
{
    (void)ud;
    (void)ms;
    (void)cancel;
    return 0;
}

/* The system's time, without the back-off's waits. */
static const tern_clock no_wait = {tern_clock_system_now, no_sleep, NULL, NULL};

static void fx_start(struct fx *fx, const char *mode, long timeout_ms)
{
    const char *args[] = {
        "--garble-rate", "1", "--garble-mode", mode, "--stall-ms",
        "3000",          NULL};
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    tern_http_opts hopts = TERN_HTTP_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;

    memset(fx, 0, sizeof(*fx));
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    ASSERT_OK(tt_sim_start(&fx->sim, args));
    hopts.timeout_ms = timeout_ms;
    ASSERT_OK(tern_http_new(&fx->http, &hopts));
    ASSERT_OK(tern_aws_credentials_new_static(&fx->creds, SIM_DEFAULT_AKID,
                                              SIM_DEFAULT_SECRET, NULL));
    opts.service = "iam";
    opts.endpoint = fx->sim.base_url;
    opts.max_retries = 2;
    opts.http = fx->http;
    opts.credentials = fx->creds;
    opts.clock = &no_wait;
    ASSERT_OK(tern_aws_client_new(&fx->iam, &opts, &diags));
}

static void fx_stop(struct fx *fx)
{
    tern_aws_client_free(fx->iam);
    tern_aws_credentials_free(fx->creds);
    tern_http_free(fx->http);
    tt_sim_stop(&fx->sim);
}

/* Call CreateRole; returns the result code, the diagnostic text in msg. */
static int create(struct fx *fx, char *msg, size_t len)
{
    tern_buf params = TERN_BUF_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_xml_node *out = NULL;
    int rc;

    tern_buf_puts(&params, CREATE_PARAMS);
    rc = tern_aws_call(fx->iam, "CreateRole", &params, &out, &diags);
    snprintf(msg, len, "%s: %s", diags.count ? diags.items[0].summary : "",
             diags.count && diags.items[0].detail ? diags.items[0].detail : "");
    tern_xml_free(out);
    tern_diags_release(&diags);
    tern_buf_release(&params);
    return rc;
}

/* The role exists in the simulator: the work was done before the reply
 * was mangled, so a retry meets EntityAlreadyExists (tern's modules adopt
 * it; this layer must just not pretend it succeeded). */
static void assert_role_created(const struct fx *fx)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "GET", "dump", NULL));
    ASSERT_STR_CONTAINS(r.body, "\"name\":\"r1\"");
    tt_response_release(&r);
}

TEST(bad_responses, truncated_xml)
{
    struct fx fx;
    char msg[1024];

    fx_start(&fx, "truncate", 10000);
    ASSERT_NE(create(&fx, msg, sizeof(msg)), TERN_OK);
    ASSERT_STR_EQ(
        msg, "Unreadable AWS response: IAM CreateRole answered HTTP 200 with a "
             "body that is not XML: XML error at line 3: no element found.");
    assert_role_created(&fx);
    fx_stop(&fx);
}

TEST(bad_responses, oversized_body)
{
    struct fx fx;
    char msg[1024];

    fx_start(&fx, "oversize", 20000);
    ASSERT_NE(create(&fx, msg, sizeof(msg)), TERN_OK);
    ASSERT_STR_CONTAINS(msg, "large");
    fx_stop(&fx);
}

TEST(bad_responses, html_error_page)
{
    struct fx fx;
    char msg[1024];

    fx_start(&fx, "html", 10000);
    ASSERT_NE(create(&fx, msg, sizeof(msg)), TERN_OK);
    ASSERT_STR_EQ(msg, "Unexpected AWS response: IAM CreateRole answered HTTP "
                       "200 with a <html> document, not <CreateRoleResponse>; "
                       "a proxy or gateway may be in the way.");
    fx_stop(&fx);
}

TEST(bad_responses, wrong_shape)
{
    struct fx fx;
    char msg[1024];

    fx_start(&fx, "shape", 10000);
    ASSERT_NE(create(&fx, msg, sizeof(msg)), TERN_OK);
    ASSERT_STR_EQ(
        msg, "Unexpected AWS response: IAM CreateRole answered HTTP 200 with a "
             "<ListUsersResponse> document, not <CreateRoleResponse>; a proxy "
             "or gateway may be in the way.");
    fx_stop(&fx);
}

TEST(bad_responses, stalled_server_times_out)
{
    struct fx fx;
    char msg[1024];
    struct timespec t0, t1;

    fx_start(&fx, "stall", 300);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ASSERT_NE(create(&fx, msg, sizeof(msg)), TERN_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ASSERT_STR_CONTAINS(msg, "timed out");
    /* Three attempts of 300 ms each, not three 3 s stalls. */
    ASSERT_CMP(t1.tv_sec - t0.tv_sec, <, 3);
    fx_stop(&fx);
}

TEST(bad_responses, modes_are_validated)
{
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "faults",
                             "{\"garble_mode\": \"sideways\"}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body, "garble_mode is one of");
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "faults",
                             "{\"garble_mode\": \"html\", \"garble_rate\": "
                             "0.5}"));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_CONTAINS(r.body, "\"garble_mode\":\"html\"");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

/* Issue 20: a well-formed GetRole answer with an empty <GetRoleResult/>
 * is refused, naming the action and the missing element, by both the
 * resource's refresh and the data source, never read as a role. */
TEST(bad_responses, empty_get_role_result)
{
    static const char cfg[] = "data \"aws_iam_role\" \"d\" {\n"
                              "  name = \"r1\"\n"
                              "}\n";
    static const char role_cfg[] =
        "resource \"aws_iam_role\" \"r\" {\n"
        "  name = \"r1\"\n"
        "  assume_role_policy = jsonencode({\n"
        "    Version = \"2012-10-17\"\n"
        "    Statement = [{\n"
        "      Effect    = \"Allow\"\n"
        "      Principal = { Service = \"ec2.amazonaws.com\" }\n"
        "      Action    = \"sts:AssumeRole\"\n"
        "    }]\n"
        "  })\n"
        "}\n";
    struct fx fx;
    struct tt_sim_env senv;
    struct tt_run run;
    struct tt_response resp;
    const char *args[] = {"plan", "-no-color", NULL};
    const char *import_args[] = {"import", "aws_iam_role.r", "r1", NULL};
    char msg[1024], *why;

    memset(&run, 0, sizeof(run));
    fx_start(&fx, "empty", 10000);
    ASSERT_OK(tt_sim_control(&resp, &fx.sim, "POST", "faults",
                             "{\"garble_rate\": 0}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    ASSERT_EQ(create(&fx, msg, sizeof(msg)), TERN_OK);
    ASSERT_OK(tt_sim_control(&resp, &fx.sim, "POST", "faults",
                             "{\"garble_rate\": 1, \"garble_mode\": "
                             "\"empty\"}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    tt_sim_env_init(&senv, &fx.sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", cfg));
    why = tt_run_expect(&run, tern_test_tmpdir(), senv.env, args, 1);
    if (why)
        FAIL("%s", why);
    ASSERT_STR_EQ(run.err,
                  "Error: Failed to read data source\n\n"
                  "  on main.tf line 1, in data \"aws_iam_role\" \"d\":\n"
                  "   1: data \"aws_iam_role\" \"d\" {\n"
                  "      ^^^^^^^^^^^^^^^^^^^^^^^\n\n"
                  "Reading data.aws_iam_role.d: Cannot read IAM role 'r1'\n\n"
                  "Error: Cannot read IAM role 'r1'\n\n"
                  "IAM GetRole answered without its required element "
                  "GetRoleResult/Role; tern does not take an incomplete "
                  "response as the object's state.\n\n");
    /* The resource's refresh: imported while answers are whole. */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", role_cfg));
    ASSERT_OK(tt_sim_control(&resp, &fx.sim, "POST", "faults",
                             "{\"garble_rate\": 0}"));
    tt_response_release(&resp);
    why = tt_run_expect(&run, tern_test_tmpdir(), senv.env, import_args, 0);
    if (why)
        FAIL("%s", why);
    ASSERT_OK(tt_sim_control(&resp, &fx.sim, "POST", "faults",
                             "{\"garble_rate\": 1}"));
    tt_response_release(&resp);
    why = tt_run_expect(&run, tern_test_tmpdir(), senv.env, args, 1);
    if (why)
        FAIL("%s", why);
    ASSERT_STR_EQ(run.err, "Error: Refresh failed\n\n"
                           "Reading aws_iam_role.r: Cannot read IAM role "
                           "'r1'\n\n"
                           "Error: Cannot read IAM role 'r1'\n\n"
                           "IAM GetRole answered without its required element "
                           "GetRoleResult/Role; tern does not take an "
                           "incomplete response as the object's state.\n\n");
    tt_run_release(&run);
    fx_stop(&fx);
}

/* The same for an empty <GetInstanceProfileResult/>, through the
 * aws_iam_instance_profile data source. */
TEST(bad_responses, empty_get_instance_profile_result)
{
    static const char cfg[] = "data \"aws_iam_instance_profile\" \"p\" {\n"
                              "  name = \"p1\"\n"
                              "}\n";
    struct fx fx;
    struct tt_sim_env senv;
    struct tt_run run;
    struct tt_response resp;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_buf params = TERN_BUF_INIT;
    tern_xml_node *out = NULL;
    const char *args[] = {"plan", "-no-color", NULL};
    char *why;

    memset(&run, 0, sizeof(run));
    fx_start(&fx, "empty", 10000);
    ASSERT_OK(tt_sim_control(&resp, &fx.sim, "POST", "faults",
                             "{\"garble_rate\": 0}"));
    tt_response_release(&resp);
    tern_buf_puts(&params, "InstanceProfileName=p1");
    ASSERT_OK(
        tern_aws_call(fx.iam, "CreateInstanceProfile", &params, &out, &diags));
    tern_xml_free(out);
    tern_buf_release(&params);
    tern_diags_release(&diags);
    ASSERT_OK(tt_sim_control(&resp, &fx.sim, "POST", "faults",
                             "{\"garble_rate\": 1}"));
    tt_response_release(&resp);
    tt_sim_env_init(&senv, &fx.sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", cfg));
    why = tt_run_expect(&run, tern_test_tmpdir(), senv.env, args, 1);
    if (why)
        FAIL("%s", why);
    ASSERT_STR_EQ(run.err,
                  "Error: Failed to read data source\n\n"
                  "  on main.tf line 1, in data \"aws_iam_instance_profile\" "
                  "\"p\":\n"
                  "   1: data \"aws_iam_instance_profile\" \"p\" {\n"
                  "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\n"
                  "Reading data.aws_iam_instance_profile.p: Cannot read IAM "
                  "instance profile 'p1'\n\n"
                  "Error: Cannot read IAM instance profile 'p1'\n\n"
                  "IAM GetInstanceProfile answered without its required "
                  "element GetInstanceProfileResult/InstanceProfile; tern "
                  "does not take an incomplete response as the object's "
                  "state.\n\n");
    tt_run_release(&run);
    fx_stop(&fx);
}

/* Issue 20, finding 14: an error body that is not XML, with terminal
 * escapes in it, reaches the message with its control characters made
 * visible. */
TEST(bad_responses, escapes_made_visible)
{
    struct fx fx;
    tern_buf params = TERN_BUF_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_xml_node *out = NULL;
    char want[512];

    fx_start(&fx, "escape", 10000);
    tern_buf_puts(&params, CREATE_PARAMS);
    ASSERT_NE(tern_aws_call(fx.iam, "CreateRole", &params, &out, &diags),
              TERN_OK);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "AWS request failed");
    ASSERT_NOT_NULL(diags.items[0].request_id);
    snprintf(want, sizeof(want),
             "IAM CreateRole: error: the service answered: "
             "\\x1b]0;owned\\x07\\x1b[2JAccess denied\\x0d\n (HTTP 400, "
             "request id %s, 1 attempt)",
             diags.items[0].request_id);
    ASSERT_STR_EQ(diags.items[0].detail, want);
    tern_xml_free(out);
    tern_diags_release(&diags);
    tern_buf_release(&params);
    fx_stop(&fx);
}

const struct tern_test test_bad_responses_list[] = {
    TEST_INTEGRATION(bad_responses, truncated_xml),
    TEST_INTEGRATION(bad_responses, oversized_body),
    TEST_INTEGRATION(bad_responses, html_error_page),
    TEST_INTEGRATION(bad_responses, wrong_shape),
    TEST_INTEGRATION(bad_responses, stalled_server_times_out),
    TEST_INTEGRATION(bad_responses, modes_are_validated),
    TEST_INTEGRATION(bad_responses, empty_get_role_result),
    TEST_INTEGRATION(bad_responses, empty_get_instance_profile_result),
    TEST_INTEGRATION(bad_responses, escapes_made_visible),
    TEST_END,
};
