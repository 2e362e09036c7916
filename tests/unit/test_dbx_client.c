/* src/databricks: configuration, calls, errors, 429/503 retries. */
#include "runner.h"
#include "support.h"

#include "databricks/client.h"
#include "http/http.h"
#include "tern/diag.h"
#include "tern/log.h"
#include "util/alloc.h"

#include "../sim/sim.h"

#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

static void clean_env(void)
{
    unsetenv("DATABRICKS_HOST");
    unsetenv("DATABRICKS_TOKEN");
    unsetenv("DATABRICKS_CONFIG_PROFILE");
    unsetenv("DATABRICKS_CONFIG_FILE");
    setenv("HOME", tern_test_tmpdir(), 1);
}

static void write_cfg(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void write_cfg(const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    FILE *f;

    snprintf(path, sizeof(path), "%s/.databrickscfg", tern_test_tmpdir());
    f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
}

static const char *first_detail(const struct tern_diags *d)
{
    return d->count ? d->items[0].detail : "(no diagnostic)";
}

TEST(dbx_client, configuration_sources)
{
    tern_dbx_config cfg = TERN_DBX_CONFIG_INIT;
    tern_dbx_client *c = NULL;
    tern_http *http = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char want[1024];

    clean_env();
    ASSERT_OK(tern_http_new(&http, NULL));
    ASSERT_EQ(tern_dbx_client_new(&c, NULL, http, &diags), TERN_EAUTH);
    snprintf(want, sizeof(want),
             "No Databricks host and token were found. tern looked, in order, "
             "at: the provider block's host and token; the environment "
             "variables DATABRICKS_HOST and DATABRICKS_TOKEN; profile "
             "'DEFAULT' of %s/.databrickscfg (no such file).",
             tern_test_tmpdir());
    ASSERT_STR_EQ(first_detail(&diags), want);
    tern_diags_release(&diags);

    write_cfg("[DEFAULT]\nhost = dflt.cloud.databricks.com/\n"
              "token = dapi-file-default-0001\n"
              "[staging]\nhost = https://staging.cloud.databricks.com\n"
              "token = dapi-file-staging-0001\n");
    ASSERT_OK(tern_dbx_client_new(&c, NULL, http, &diags));
    ASSERT_STR_EQ(tern_dbx_client_host(c), "https://dflt.cloud.databricks.com");
    tern_dbx_client_free(c);
    setenv("DATABRICKS_CONFIG_PROFILE", "staging", 1);
    ASSERT_OK(tern_dbx_client_new(&c, NULL, http, &diags));
    ASSERT_STR_EQ(tern_dbx_client_host(c),
                  "https://staging.cloud.databricks.com");
    tern_dbx_client_free(c);
    /* The environment over the file, attribute by attribute... */
    setenv("DATABRICKS_HOST", "https://env.cloud.databricks.com", 1);
    ASSERT_OK(tern_dbx_client_new(&c, NULL, http, &diags));
    ASSERT_STR_EQ(tern_dbx_client_host(c), "https://env.cloud.databricks.com");
    tern_dbx_client_free(c);
    /* ...and the provider block over the environment. */
    cfg.host = "https://cfg.cloud.databricks.com";
    ASSERT_OK(tern_dbx_client_new(&c, &cfg, http, &diags));
    ASSERT_STR_EQ(tern_dbx_client_host(c), "https://cfg.cloud.databricks.com");
    tern_dbx_client_free(c);
    /* A missing explicit profile is an error. */
    cfg.profile = "prod";
    ASSERT_EQ(tern_dbx_client_new(&c, &cfg, http, &diags), TERN_EINVALID);
    ASSERT_STR_CONTAINS(first_detail(&diags), "The profile 'prod' is not in");
    tern_diags_release(&diags);
    /* Plain http only for loopback. */
    cfg.profile = NULL;
    cfg.host = "http://workspace.example.com";
    ASSERT_EQ(tern_dbx_client_new(&c, &cfg, http, &diags), TERN_EINVALID);
    ASSERT_STR_EQ(
        first_detail(&diags),
        "The Databricks host cannot be used: "
        "refusing plain http to http://workspace.example.com: only https is "
        "allowed, except for loopback endpoints (127.0.0.0/8, ::1, localhost) "
        "and the instance metadata service.");
    tern_diags_release(&diags);
    tern_http_free(http);
}

struct fx {
    struct tt_sim sim;
    tern_http *http;
    tern_dbx_client *c;
    tern_clock clock;  /* the client's: fake_sleep and fx_now */
    long long vnow;    /* its time: what the sleeps added */
    long deadline_ms;  /* the client's (0: its default) */
    unsigned int seed; /* the client's jitter seed (0: from the clock) */
    long delays[64];
    int nsleeps;
    int hook_at;
    void (*hook)(struct fx *fx);
};

/* The client's sleep: records the wait and moves the clock by it, at
 * once (no time passes). */
static int fake_sleep(void *ud, long ms, const atomic_int *cancel)
{
    struct fx *fx = ud;

    (void)cancel;
    if (fx->nsleeps < 64)
        fx->delays[fx->nsleeps] = ms;
    fx->nsleeps++;
    if (fx->hook && fx->nsleeps == fx->hook_at)
        fx->hook(fx);
    fx->vnow += ms;
    return 0;
}

static long long fx_now(void *ud)
{
    return ((struct fx *)ud)->vnow;
}

static void fx_client(struct fx *fx, const char *token, int max_retries)
{
    tern_dbx_config cfg = TERN_DBX_CONFIG_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;

    tern_dbx_client_free(fx->c);
    fx->c = NULL;
    cfg.host = fx->sim.base_url;
    cfg.token = token;
    cfg.max_retries = max_retries;
    fx->clock.now_ms = fx_now;
    fx->clock.sleep = fake_sleep;
    fx->clock.ud = fx;
    cfg.clock = &fx->clock;
    cfg.deadline_ms = fx->deadline_ms;
    cfg.seed = fx->seed;
    ASSERT_OK(tern_dbx_client_new(&fx->c, &cfg, fx->http, &diags));
}

static void fx_start(struct fx *fx, const char *const *args)
{
    memset(fx, 0, sizeof(*fx));
    clean_env();
    ASSERT_OK(tt_sim_start(&fx->sim, args));
    ASSERT_OK(tern_http_new(&fx->http, NULL));
    fx_client(fx, SIM_DEFAULT_DBX_TOKEN, 5);
}

static void fx_stop(struct fx *fx)
{
    tern_dbx_client_free(fx->c);
    tern_http_free(fx->http);
    tt_sim_stop(&fx->sim);
}

#define PROFILE_ARN                                                            \
    "arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":instance-profile/dbx-nodes"

TEST(dbx_client, instance_profile_calls)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    json_t *out = NULL, *body;

    fx_start(&fx, NULL);
    ASSERT_OK(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, &out, &diags));
    ASSERT_TRUE(json_is_object(out));
    ASSERT_NULL(json_object_get(out, "instance_profiles"));
    json_decref(out);
    body = json_pack("{s:s, s:b}", "instance_profile_arn", PROFILE_ARN,
                     "skip_validation", 1);
    ASSERT_OK(tern_dbx_call(fx.c, "POST", "/api/2.0/instance-profiles/add",
                            body, NULL, &diags));
    ASSERT_EQ(tern_dbx_call(fx.c, "POST", "/api/2.0/instance-profiles/add",
                            body, NULL, &diags),
              TERN_EEXISTS);
    ASSERT_STR_EQ(diags.items[0].service_code, "RESOURCE_ALREADY_EXISTS");
    json_decref(body);
    ASSERT_OK(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, &out, &diags));
    ASSERT_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(json_object_get(out, "instance_profiles"), 0),
            "instance_profile_arn")),
        PROFILE_ARN);
    json_decref(out);
    body = json_pack("{s:s}", "instance_profile_arn", PROFILE_ARN);
    ASSERT_OK(tern_dbx_call(fx.c, "POST", "/api/2.0/instance-profiles/remove",
                            body, NULL, &diags));
    ASSERT_EQ(tern_dbx_call(fx.c, "POST", "/api/2.0/instance-profiles/remove",
                            body, NULL, &diags),
              TERN_ENOTFOUND);
    ASSERT_STR_EQ(diags.items[1].service_code, "RESOURCE_DOES_NOT_EXIST");
    json_decref(body);
    /* Validation by dry run: the profile is not in IAM. */
    body = json_pack("{s:s}", "instance_profile_arn", PROFILE_ARN);
    ASSERT_EQ(tern_dbx_call(fx.c, "POST", "/api/2.0/instance-profiles/add",
                            body, NULL, &diags),
              TERN_EINVALID);
    ASSERT_STR_EQ(diags.items[2].service_code, "DRY_RUN_FAILED");
    ASSERT_STR_EQ(
        diags.items[2].detail,
        "POST /api/2.0/instance-profiles/add: DRY_RUN_FAILED: Verification of "
        "the instance profile failed. AWS error: Value "
        "(arn:aws:iam::123456789012:instance-profile/dbx-nodes) for parameter "
        "iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN "
        "(HTTP 400, 1 attempt)");
    json_decref(body);
    ASSERT_EQ(fx.nsleeps, 0);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(dbx_client, bad_token_is_auth_error)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, NULL);
    fx_client(&fx, "dapi-wrong-token-000000", 5);
    ASSERT_EQ(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, NULL, &diags),
              TERN_EAUTH);
    ASSERT_STR_EQ(diags.items[0].service_code, "403");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "GET /api/2.0/instance-profiles/list: 403: Invalid access "
                  "token. (HTTP 403, 1 attempt)");
    tern_diags_release(&diags);
    fx_stop(&fx);
}

static void set_faults(struct fx *fx, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "POST", "faults", json));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
}

static void clear_faults(struct fx *fx)
{
    set_faults(fx, "{\"throttle_rate\": 0, \"error_rate\": 0}");
}

/* Issue 20, finding 14: the code, message and request id of a hostile
 * answer reach the diagnostic with their control characters made
 * visible. */
TEST(dbx_client, escapes_made_visible)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, NULL);
    set_faults(&fx, "{\"garble_rate\": 1, \"garble_mode\": \"escape\"}");
    ASSERT_EQ(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, NULL, &diags),
              TERN_EINVALID);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].service_code, "BAD\\x1b[31m");
    ASSERT_STR_EQ(diags.items[0].request_id, "rid\\x1b[5m");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "GET /api/2.0/instance-profiles/list: BAD\\x1b[31m: "
                  "\\x1b]0;owned\\x07\\x1b[2Jgone\\x0d\\u009b1m (HTTP 400, 1 "
                  "attempt)");
    tern_diags_release(&diags);
    fx_stop(&fx);
}

static int count_calls(struct fx *fx, const char *code)
{
    struct tt_response r;
    json_t *doc, *c;
    size_t i;
    int n = 0;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "GET", "calls", NULL));
    doc = json_loads(r.body, 0, NULL);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        const char *e = json_string_value(json_object_get(c, "error_code"));

        if (!code || (e && strcmp(e, code) == 0))
            n++;
    }
    json_decref(doc);
    tt_response_release(&r);
    return n;
}

TEST(dbx_client, throttling_honours_retry_after)
{
    static const char *const args[] = {"--throttle-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, args);
    fx.hook_at = 2;
    fx.hook = clear_faults;
    ASSERT_OK(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, NULL, &diags));
    ASSERT_EQ(fx.nsleeps, 2);
    ASSERT_EQ(fx.delays[0], 1000);
    ASSERT_EQ(fx.delays[1], 1000);
    ASSERT_EQ(count_calls(&fx, "REQUEST_LIMIT_EXCEEDED"), 2);
    ASSERT_EQ(count_calls(&fx, ""), 1);
    /* Until the retries run out. */
    fx_client(&fx, SIM_DEFAULT_DBX_TOKEN, 2);
    fx.hook = NULL;
    set_faults(&fx, "{\"throttle_rate\": 1}");
    ASSERT_EQ(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, NULL, &diags),
              TERN_ETHROTTLED);
    ASSERT_STR_EQ(diags.items[0].service_code, "REQUEST_LIMIT_EXCEEDED");
    ASSERT_STR_EQ(
        diags.items[0].detail,
        "GET /api/2.0/instance-profiles/list: REQUEST_LIMIT_EXCEEDED: Too many "
        "requests. Please wait a moment and try again. (HTTP 429, 3 attempts)");
    tern_diags_release(&diags);
    fx_stop(&fx);
}

/*
 * The call's deadline runs on the client's clock (issue 20, "Time you can
 * control"), as the AWS clients' does (aws_client::deadline_stops_retries):
 * against a workspace that always throttles (Retry-After: 1), the retries
 * stop before the first wait that would reach it, not at max_retries
 * (10), and no time passes. Before, the client had no deadline and only
 * its sleep was injectable: it made 11 attempts.
 */
TEST(dbx_client, deadline_stops_retries)
{
    static const char *const args[] = {"--throttle-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    int i;

    fx_start(&fx, args);
    fx.deadline_ms = 3500;
    fx_client(&fx, SIM_DEFAULT_DBX_TOKEN, 10);
    ASSERT_EQ(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, NULL, &diags),
              TERN_ETHROTTLED);
    /* Waits of 1 s at 0, 1 and 2 s; the fourth would end at 4 s. */
    ASSERT_EQ(fx.nsleeps, 3);
    for (i = 0; i < fx.nsleeps; i++)
        ASSERT_EQ(fx.delays[i], 1000);
    ASSERT_EQ(fx.vnow, 3000);
    ASSERT_EQ(count_calls(&fx, "REQUEST_LIMIT_EXCEEDED"), 4);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "Databricks request failed");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "GET /api/2.0/instance-profiles/list gave up after 3500 ms, "
                  "the most one call may take (4 attempts; the last: "
                  "REQUEST_LIMIT_EXCEEDED).");
    ASSERT_STR_EQ(diags.items[0].service_code, "REQUEST_LIMIT_EXCEEDED");
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(dbx_client, only_503_of_server_errors_retried)
{
    /* Seed 2 draws 503, 503, 500. */
    static const char *const args[] = {"--error-rate", "1", "--seed", "2",
                                       NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response r;
    json_t *doc, *calls;
    size_t i, n;
    int rc;

    fx_start(&fx, args);
    rc = tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list", NULL,
                       NULL, &diags);
    ASSERT_EQ(rc, TERN_ERROR);
    ASSERT_OK(tt_sim_control(&r, &fx.sim, "GET", "calls", NULL));
    doc = json_loads(r.body, 0, NULL);
    calls = json_object_get(doc, "calls");
    n = json_array_size(calls);
    ASSERT_EQ(n, 3);
    /* Every answer but the last was a 503; the last is a 500 (not
     * retried) or the sixth 503 (retries exhausted). */
    for (i = 0; i + 1 < n; i++)
        ASSERT_EQ(json_integer_value(
                      json_object_get(json_array_get(calls, i), "status")),
                  503);
    if (n < 6)
        ASSERT_EQ(json_integer_value(
                      json_object_get(json_array_get(calls, n - 1), "status")),
                  500);
    ASSERT_EQ((size_t)fx.nsleeps, n - 1);
    json_decref(doc);
    tt_response_release(&r);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

/* The backoff waits of a client seeded @seed against a workspace that
 * answers 503, 503, 500 (tern-sim's seed 2), in @delays. */
static void seeded_waits(unsigned int seed, long delays[2])
{
    static const char *const args[] = {"--error-rate", "1", "--seed", "2",
                                       NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, args);
    fx.seed = seed;
    fx_client(&fx, SIM_DEFAULT_DBX_TOKEN, 5);
    ASSERT_EQ(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, NULL, &diags),
              TERN_ERROR);
    ASSERT_EQ(fx.nsleeps, 2);
    /* Full jitter: within [0, 1 s], then [0, 2 s]. */
    ASSERT_CMP(fx.delays[0], >=, 0);
    ASSERT_CMP(fx.delays[0], <=, 1000);
    ASSERT_CMP(fx.delays[1], >=, 0);
    ASSERT_CMP(fx.delays[1], <=, 2000);
    delays[0] = fx.delays[0];
    delays[1] = fx.delays[1];
    tern_diags_release(&diags);
    fx_stop(&fx);
}

/* The retry jitter comes from the configuration's seed, as the AWS
 * clients' (tern_aws_client_opts.seed), so that a test can fix it: the
 * same seed draws the same waits, another seed others. Before, it was
 * seeded from the time alone, and two clients made in the same second
 * drew the same waits whatever they were given. */
TEST(dbx_client, jitter_from_seed)
{
    long a[2], b[2], c[2];

    seeded_waits(11, a);
    seeded_waits(11, b);
    seeded_waits(12, c);
    ASSERT_EQ(a[0], b[0]);
    ASSERT_EQ(a[1], b[1]);
    ASSERT_TRUE(a[0] != c[0] || a[1] != c[1]);
}

TEST(dbx_client, token_never_logged)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char path[4096], *log;
    int fd, saved;

    fx_start(&fx, NULL);
    snprintf(path, sizeof(path), "%s/stderr.log", tern_test_tmpdir());
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
    tern_log_set_level(TERN_LOG_TRACE);
    ASSERT_OK(tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list",
                            NULL, NULL, &diags));
    fx_client(&fx, "dapi-wrong-token-000000", 0);
    tern_dbx_call(fx.c, "GET", "/api/2.0/instance-profiles/list", NULL, NULL,
                  &diags);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    log = tt_read_file(path, NULL);
    ASSERT_STR_CONTAINS(log, "databricks: GET /api/2.0/instance-profiles/list "
                             "-> 200 (attempt 1");
    ASSERT_STR_CONTAINS(log, "Authorization: [REDACTED]");
    ASSERT_STR_NOT_CONTAINS(log, SIM_DEFAULT_DBX_TOKEN);
    ASSERT_STR_NOT_CONTAINS(log, "dapi-wrong-token");
    free(log);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

const struct tern_test test_dbx_client_list[] = {
    TEST_UNIT(dbx_client, configuration_sources),
    TEST_INTEGRATION(dbx_client, instance_profile_calls),
    TEST_INTEGRATION(dbx_client, bad_token_is_auth_error),
    TEST_INTEGRATION(dbx_client, escapes_made_visible),
    TEST_INTEGRATION(dbx_client, throttling_honours_retry_after),
    TEST_INTEGRATION(dbx_client, deadline_stops_retries),
    TEST_INTEGRATION(dbx_client, only_503_of_server_errors_retried),
    TEST_INTEGRATION(dbx_client, jitter_from_seed),
    TEST_INTEGRATION(dbx_client, token_never_logged),
    TEST_END};
