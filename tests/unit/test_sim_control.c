/*
 * tern-sim's HTTP layer and control endpoint: port reporting, health,
 * faults (throttling, errors, drops, latency), the call log, the clock,
 * reset, load errors, concurrency.
 */
#include "runner.h"
#include "support.h"
#include "aws_call.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <time.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const dbx_auth[] = {
    "Authorization: Bearer dapi-ternsim-default-token-0001", NULL};

static json_t *control_json(const struct tt_sim *sim, const char *method,
                            const char *path, const char *body)
{
    struct tt_response r;
    json_t *doc;

    ASSERT_OK(tt_sim_control(&r, sim, method, path, body));
    ASSERT_EQ(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    ASSERT_NOT_NULL(doc);
    tt_response_release(&r);
    return doc;
}

static void dbx_list(struct tt_response *r, const struct tt_sim *sim)
{
    char url[128];

    snprintf(url, sizeof(url), "%s/api/2.0/instance-profiles/list",
             sim->base_url);
    tt_http(r, "GET", url, dbx_auth, NULL, 0);
}

/* The self-check the demo runs first passes against a fresh tern-sim,
 * every check of it (it exits non-zero on the first failure). */
TEST(sim_control, self_check_passes)
{
    struct tt_sim sim;
    pid_t pid;
    int status = -1;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execl(TERN_TEST_SIM_PATH, TERN_TEST_SIM_PATH, "--self-check",
              sim.base_url, (char *)NULL);
        _exit(127);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    tt_sim_stop(&sim);
}

TEST(sim_control, health_and_unknown_paths)
{
    struct tt_sim sim;
    struct tt_response r;
    char url[128];
    json_t *doc;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_CMP(sim.port, >, 0);
    doc = control_json(&sim, "GET", "health", NULL);
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "status")), "ok");
    json_decref(doc);

    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "nonesuch", NULL));
    ASSERT_EQ(r.status, 404);
    tt_response_release(&r);

    snprintf(url, sizeof(url), "%s/elsewhere", sim.base_url);
    ASSERT_OK(tt_http(&r, "GET", url, NULL, NULL, 0));
    ASSERT_EQ(r.status, 404);
    ASSERT_STR_CONTAINS(r.body, "ENDPOINT_NOT_FOUND");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_control, faults_are_validated_and_reported)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *args[] = {"--latency-ms", "3", "--seed", "42", NULL};
    json_t *doc;

    ASSERT_OK(tt_sim_start(&sim, args));
    doc = control_json(&sim, "GET", "faults", NULL);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "latency_ms")), 3);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "seed")), 42);
    json_decref(doc);

    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "faults", "{\"throttle_rate\": 1.5}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body, "throttle_rate must be a number in [0, 1]");
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "faults", "not json"));
    ASSERT_EQ(r.status, 400);
    tt_response_release(&r);

    doc = control_json(&sim, "POST", "faults",
                       "{\"error_rate\": 0.25, \"propagation_ms\": 900}");
    ASSERT_EQ(json_integer_value(json_object_get(doc, "propagation_ms")), 900);
    ASSERT(json_real_value(json_object_get(doc, "error_rate")) == 0.25);
    /* Unchanged settings keep their values. */
    ASSERT_EQ(json_integer_value(json_object_get(doc, "latency_ms")), 3);
    json_decref(doc);

    /* Reset restores the flags' settings. */
    json_decref(control_json(&sim, "POST", "reset", ""));
    doc = control_json(&sim, "GET", "faults", NULL);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "propagation_ms")), 0);
    ASSERT(json_real_value(json_object_get(doc, "error_rate")) == 0);
    json_decref(doc);
    tt_sim_stop(&sim);
}

TEST(sim_control, throttling_and_server_errors_on_databricks)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *args[] = {"--throttle-rate", "1", NULL};
    json_t *doc, *calls;
    int i, n500 = 0, n503 = 0;

    ASSERT_OK(tt_sim_start(&sim, args));
    dbx_list(&r, &sim);
    ASSERT_EQ(r.status, 429);
    ASSERT_STR_CONTAINS(r.body, "\"error_code\":\"REQUEST_LIMIT_EXCEEDED\"");
    ASSERT_STR_CONTAINS(r.headers, "Retry-After: 1");
    tt_response_release(&r);

    json_decref(control_json(&sim, "POST", "faults",
                             "{\"throttle_rate\": 0, \"error_rate\": 1}"));
    for (i = 0; i < 40; i++) {
        dbx_list(&r, &sim);
        ASSERT(r.status == 500 || r.status == 503);
        n500 += r.status == 500;
        n503 += r.status == 503;
        tt_response_release(&r);
    }
    /* Both kinds of server error are drawn. */
    ASSERT_CMP(n500, >, 0);
    ASSERT_CMP(n503, >, 0);

    doc = control_json(&sim, "GET", "calls", NULL);
    calls = json_object_get(doc, "calls");
    ASSERT_EQ(json_array_size(calls), 41);
    ASSERT_STR_EQ(json_string_value(
                      json_object_get(json_array_get(calls, 0), "error_code")),
                  "REQUEST_LIMIT_EXCEEDED");
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(calls, 0), "service")),
        "databricks");
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(calls, 0), "action")),
        "instance-profiles/list");
    json_decref(doc);
    tt_sim_stop(&sim);
}

TEST(sim_control, same_seed_same_faults)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *args[] = {"--error-rate", "0.5", "--seed", "9", NULL};
    char first[64], second[64];
    int i, pass;

    ASSERT_OK(tt_sim_start(&sim, args));
    for (pass = 0; pass < 2; pass++) {
        char *out = pass ? second : first;

        json_decref(control_json(&sim, "POST", "reset", ""));
        for (i = 0; i < 60; i++) {
            dbx_list(&r, &sim);
            out[i] = r.status == 500 || r.status == 503 ? 'E' : '.';
            tt_response_release(&r);
        }
    }
    ASSERT(memcmp(first, second, 60) == 0);
    ASSERT(memchr(first, 'E', 60) != NULL);
    ASSERT(memchr(first, '.', 60) != NULL);
    tt_sim_stop(&sim);
}

TEST(sim_control, dropped_connections)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *args[] = {"--drop-rate", "1", NULL};
    json_t *doc;

    ASSERT_OK(tt_sim_start(&sim, args));
    ASSERT_EQ(
        tt_http(&r, "GET", "http://127.0.0.1:1/never-used", NULL, NULL, 0) < 0,
        1);
    tt_response_release(&r);
    dbx_list(&r, &sim);
    ASSERT_EQ(r.curl_error, CURLE_GOT_NOTHING);
    tt_response_release(&r);
    doc = control_json(&sim, "GET", "calls", NULL);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "calls"), 0), "error_code")),
        "Dropped");
    json_decref(doc);
    tt_sim_stop(&sim);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(sim_control, latency_is_added)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *args[] = {"--latency-ms", "120", NULL};
    double t0;

    ASSERT_OK(tt_sim_start(&sim, args));
    t0 = now_s();
    dbx_list(&r, &sim);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    /* A lower bound only: sleeping never takes less than asked. */
    ASSERT_CMP((now_s() - t0) * 1000, >=, 120);
    /* The control endpoint is never delayed or faulted. */
    json_decref(control_json(&sim, "GET", "health", NULL));
    tt_sim_stop(&sim);
}

TEST(sim_control, clock_moves)
{
    struct tt_sim sim;
    struct tt_response r;
    json_t *a, *b;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    a = control_json(&sim, "GET", "clock", NULL);
    b = control_json(&sim, "POST", "clock", "{\"advance_ms\": 3600000}");
    ASSERT_EQ(json_integer_value(json_object_get(b, "offset_ms")), 3600000);
    ASSERT_CMP(json_integer_value(json_object_get(b, "now_ms")) -
                   json_integer_value(json_object_get(a, "now_ms")),
               >=, 3600000);
    json_decref(a);
    json_decref(b);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "clock", "{\"advance\": 1}"));
    ASSERT_EQ(r.status, 400);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_control, load_refuses_bad_documents)
{
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load", "[1,2]"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body, "body must be a JSON object");
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"keys\": [{\"access_key_id\": \"AKIDX\"}]}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body,
                        "keys[0]: access_key_id and secret_access_key are "
                        "required");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

struct conc {
    const struct tt_sim *sim;
    int status;
};

static void *one_request(void *arg)
{
    struct conc *c = arg;
    struct tt_response r;

    dbx_list(&r, c->sim);
    c->status = (int)r.status;
    tt_response_release(&r);
    return NULL;
}

/* The hold's state, as GET /_sim/hold (?held=K: once K wait) says. */
static void hold_state(const struct tt_sim *sim, const char *path, int until,
                       int held, int max_held)
{
    json_t *doc = control_json(sim, "GET", path, NULL);

    ASSERT_EQ(json_integer_value(json_object_get(doc, "until")), until);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "held")), held);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "max_held")), max_held);
    ASSERT_TRUE(json_is_false(json_object_get(doc, "timed_out")));
    json_decref(doc);
}

/*
 * 200 connections served at once, proved by tern-sim's own count: a hold
 * of 200 (POST /_sim/hold) keeps every request waiting until 200 wait
 * together, so none is answered unless all 200 were in flight at one
 * moment. Before, each call was given 1.5 s of latency and the test
 * compared start and end times, which fell short when starting the 200
 * took longer (41 s under ThreadSanitizer; issue 20).
 */
TEST(sim_control, serves_200_concurrent_connections)
{
    enum { N = 200 };
    struct tt_sim sim;
    static struct conc c[N];
    pthread_t th[N];
    json_t *doc;
    size_t i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    doc = control_json(&sim, "POST", "hold", "{\"until\": 200}");
    ASSERT_EQ(json_integer_value(json_object_get(doc, "until")), N);
    json_decref(doc);
    for (i = 0; i < N; i++) {
        c[i].sim = &sim;
        ASSERT_OK(pthread_create(&th[i], NULL, one_request, &c[i]));
    }
    for (i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ASSERT_EQ(c[i].status, 200);
    }
    /* The gate opened on its count (not its time limit) and the hold
     * ended; every call was logged. */
    hold_state(&sim, "hold", 0, 0, N);
    doc = control_json(&sim, "GET", "calls", NULL);
    ASSERT_EQ(json_array_size(json_object_get(doc, "calls")), N);
    json_decref(doc);
    tt_sim_stop(&sim);
}

/* The hold control itself: requests wait at the gate (counted as they
 * arrive), DELETE lets them go before the count, a bad count is refused,
 * and reset ends a hold. */
TEST(sim_control, hold_counts_and_releases)
{
    struct tt_sim sim;
    struct tt_response r;
    struct conc c[2];
    pthread_t th[2];
    json_t *doc;
    size_t i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    hold_state(&sim, "hold", 0, 0, 0);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "hold", "{\"until\": 0}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_EQ(r.body, "{\"error_code\":\"INVALID_REQUEST\","
                          "\"message\":\"until must be an integer in "
                          "[1, 1000]\"}");
    tt_response_release(&r);

    doc = control_json(&sim, "POST", "hold", "{\"until\": 3}");
    ASSERT_EQ(json_integer_value(json_object_get(doc, "until")), 3);
    json_decref(doc);
    for (i = 0; i < 2; i++) {
        c[i].sim = &sim;
        ASSERT_OK(pthread_create(&th[i], NULL, one_request, &c[i]));
    }
    /* Both wait; the count (3) is not reached. */
    hold_state(&sim, "hold?held=2", 3, 2, 2);
    doc = control_json(&sim, "GET", "calls", NULL);
    ASSERT_EQ(json_array_size(json_object_get(doc, "calls")), 0);
    json_decref(doc);
    doc = control_json(&sim, "DELETE", "hold", NULL);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "until")), 0);
    json_decref(doc);
    for (i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        ASSERT_EQ(c[i].status, 200);
    }
    hold_state(&sim, "hold", 0, 0, 2);

    /* Reset ends a hold and forgets its count; a request then passes. */
    json_decref(control_json(&sim, "POST", "hold", "{\"until\": 5}"));
    json_decref(control_json(&sim, "POST", "reset", ""));
    hold_state(&sim, "hold", 0, 0, 0);
    dbx_list(&r, &sim);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_control, aws_faults_have_aws_shapes)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *args[] = {"--throttle-rate", "1", NULL};
    int i, n500 = 0, n503 = 0;

    ASSERT_OK(tt_sim_start(&sim, args));
    ASSERT_OK(tt_iam(&r, &sim, "ListRoles", NULL));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "Throttling");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Message"), "Rate exceeded");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Type"), "Sender");
    ASSERT_NOT_NULL(tt_xml_text(r.body, "RequestId"));
    tt_response_release(&r);

    json_decref(control_json(&sim, "POST", "faults",
                             "{\"throttle_rate\": 0, \"error_rate\": 1}"));
    for (i = 0; i < 30; i++) {
        ASSERT_OK(tt_iam(&r, &sim, "ListRoles", NULL));
        if (r.status == 500) {
            ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "ServiceFailure");
            ASSERT_STR_EQ(tt_xml_text(r.body, "Type"), "Receiver");
            n500++;
        } else {
            ASSERT_EQ(r.status, 503);
            ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "ServiceUnavailable");
            n503++;
        }
        tt_response_release(&r);
    }
    ASSERT_CMP(n500, >, 0);
    ASSERT_CMP(n503, >, 0);

    /* A bad signature is refused before any fault is drawn. */
    {
        struct tt_aws_opts o = {NULL, 0, NULL, 1, 0};

        ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, &o, "ListRoles", NULL));
        ASSERT_EQ(r.status, 403);
        ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "SignatureDoesNotMatch");
        tt_response_release(&r);
    }

    json_decref(control_json(&sim, "POST", "faults",
                             "{\"error_rate\": 0, \"drop_rate\": 1}"));
    ASSERT_EQ(tt_iam(&r, &sim, "ListRoles", NULL), -1);
    ASSERT_EQ(r.curl_error, CURLE_GOT_NOTHING);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_control, unknown_and_missing_actions)
{
    struct tt_sim sim;
    struct tt_response r;
    json_t *doc, *calls;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_OK(tt_iam(&r, &sim, "FlyToTheMoon", NULL));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "InvalidAction");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Message"),
                  "Could not find operation FlyToTheMoon for version "
                  "2010-05-08");
    tt_response_release(&r);
    ASSERT_OK(tt_iam(&r, &sim, "", NULL));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "MissingAction");
    tt_response_release(&r);

    /* The log keeps each call's action and error code, in order. */
    doc = control_json(&sim, "GET", "calls", NULL);
    calls = json_object_get(doc, "calls");
    ASSERT_EQ(json_array_size(calls), 2);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(calls, 0), "action")),
        "FlyToTheMoon");
    ASSERT_STR_EQ(json_string_value(
                      json_object_get(json_array_get(calls, 0), "error_code")),
                  "InvalidAction");
    ASSERT_EQ(
        json_integer_value(json_object_get(json_array_get(calls, 1), "seq")),
        2);
    json_decref(doc);
    json_decref(control_json(&sim, "DELETE", "calls", NULL));
    doc = control_json(&sim, "GET", "calls", NULL);
    ASSERT_EQ(json_array_size(json_object_get(doc, "calls")), 0);
    json_decref(doc);
    tt_sim_stop(&sim);
}

TEST(sim_control, reset_forgets_objects_and_dump_shows_them)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *create[] = {
        "RoleName", "r1", "AssumeRolePolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
        "\"Action\":\"sts:AssumeRole\"}]}",
        NULL};
    json_t *doc;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_OK(tt_iam(&r, &sim, "CreateRole", create));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    doc = control_json(&sim, "GET", "dump", NULL);
    ASSERT_EQ(
        json_array_size(json_object_get(json_object_get(doc, "iam"), "roles")),
        1);
    json_decref(doc);
    json_decref(control_json(&sim, "POST", "reset", ""));
    doc = control_json(&sim, "GET", "dump", NULL);
    ASSERT_EQ(
        json_array_size(json_object_get(json_object_get(doc, "iam"), "roles")),
        0);
    json_decref(doc);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_control_list[] = {
    TEST_INTEGRATION(sim_control, self_check_passes),
    TEST_INTEGRATION(sim_control, health_and_unknown_paths),
    TEST_INTEGRATION(sim_control, faults_are_validated_and_reported),
    TEST_INTEGRATION(sim_control, throttling_and_server_errors_on_databricks),
    TEST_INTEGRATION(sim_control, same_seed_same_faults),
    TEST_INTEGRATION(sim_control, dropped_connections),
    TEST_INTEGRATION(sim_control, latency_is_added),
    TEST_INTEGRATION(sim_control, clock_moves),
    TEST_INTEGRATION(sim_control, load_refuses_bad_documents),
    TEST_INTEGRATION(sim_control, serves_200_concurrent_connections),
    TEST_INTEGRATION(sim_control, hold_counts_and_releases),
    TEST_INTEGRATION(sim_control, aws_faults_have_aws_shapes),
    TEST_INTEGRATION(sim_control, unknown_and_missing_actions),
    TEST_INTEGRATION(sim_control, reset_forgets_objects_and_dump_shows_them),
    TEST_END};
