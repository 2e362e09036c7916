/*
 * tern-sim's Clusters API 2.1 and Libraries API 2.0 over HTTP: the state
 * machine driven by the start-up time and the sim clock (never by
 * sleeping), failures with a termination reason, edit restarts, start,
 * restart, terminate and permanent delete, idempotency tokens, the
 * registered-instance-profile rule, libraries, error shapes, 429 with
 * Retry-After, and /_sim/clusters' own checks.
 */
#include "runner.h"
#include "support.h"

#include <jansson.h>
#include <string.h>

/* Kept in step with SIM_DEFAULT_DBX_TOKEN in tests/sim/sim.h. */
#define TOKEN   "dapi-ternsim-default-token-0001"
#define PROFILE "arn:aws:iam::123456789012:instance-profile/deploy"
#define SPEC                                                                   \
    "\"cluster_name\": \"c\", \"spark_version\": \"15.4.x-scala2.12\", "       \
    "\"node_type_id\": \"i3.xlarge\", \"num_workers\": 1"

/* A call under /api/ with the token. */
static void call(struct tt_response *r, const struct tt_sim *sim,
                 const char *method, const char *path, const char *body)
{
    char url[512];
    const char *hdrs[] = {"Content-Type: application/json",
                          "Authorization: Bearer " TOKEN, NULL};

    snprintf(url, sizeof(url), "%s/api/%s", sim->base_url, path);
    ASSERT_OK(tt_http(r, method, url, hdrs, body, body ? strlen(body) : 0));
}

static json_t *ok_json(struct tt_response *r)
{
    json_t *j;

    if (r->status != 200)
        FAIL("status %ld: %s", r->status, r->body);
    j = json_loads(r->body, 0, NULL);
    ASSERT_NOT_NULL(j);
    tt_response_release(r);
    return j;
}

static void expect_error(struct tt_response *r, long status, const char *code,
                         const char *message)
{
    json_t *j = json_loads(r->body, 0, NULL);

    if (r->status != status)
        FAIL("status %ld, expected %ld: %s", r->status, status, r->body);
    ASSERT_NOT_NULL(j);
    ASSERT_STR_EQ(json_string_value(json_object_get(j, "error_code")), code);
    ASSERT_STR_EQ(json_string_value(json_object_get(j, "message")), message);
    json_decref(j);
    tt_response_release(r);
}

static void ctl(const struct tt_sim *sim, const char *path, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, sim, "POST", path, json));
    if (r.status != 200)
        FAIL("/_sim/%s: %ld %s", path, r.status, r.body);
    tt_response_release(&r);
}

/* The cluster's state now. */
static const char *state_of(const struct tt_sim *sim, const char *id)
{
    static char buf[32];
    struct tt_response r;
    char path[128];
    json_t *j;

    snprintf(path, sizeof(path), "2.1/clusters/get?cluster_id=%s", id);
    call(&r, sim, "GET", path, NULL);
    j = ok_json(&r);
    snprintf(buf, sizeof(buf), "%s",
             json_string_value(json_object_get(j, "state")));
    json_decref(j);
    return buf;
}

static void create(const struct tt_sim *sim, const char *body, char *id,
                   size_t n)
{
    struct tt_response r;
    json_t *j;

    call(&r, sim, "POST", "2.1/clusters/create", body);
    j = ok_json(&r);
    snprintf(id, n, "%s", json_string_value(json_object_get(j, "cluster_id")));
    json_decref(j);
}

static void post_id(const struct tt_sim *sim, const char *endpoint,
                    const char *id, struct tt_response *r)
{
    char path[128], body[128];

    snprintf(path, sizeof(path), "2.1/clusters/%s", endpoint);
    snprintf(body, sizeof(body), "{\"cluster_id\": \"%s\"}", id);
    call(r, sim, "POST", path, body);
}

TEST(sim_dbx_clusters, state_machine_on_the_clock)
{
    struct tt_sim sim;
    struct tt_response r;
    char id[64], body[512];
    json_t *j;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ctl(&sim, "clusters", "{\"startup_ms\": 600000, \"terminate_ms\": 60000}");
    create(&sim, "{" SPEC "}", id, sizeof(id));
    ASSERT_STR_EQ(state_of(&sim, id), "PENDING");
    /* An edit while it starts is refused. */
    snprintf(body, sizeof(body), "{\"cluster_id\": \"%s\", " SPEC "}", id);
    call(&r, &sim, "POST", "2.1/clusters/edit", body);
    snprintf(body, sizeof(body), "Cluster %s is in unexpected state Pending.",
             id);
    expect_error(&r, 400, "INVALID_STATE", body);
    ctl(&sim, "clock", "{\"advance_ms\": 600000}");
    ASSERT_STR_EQ(state_of(&sim, id), "RUNNING");
    /* Defaults the workspace fills in. */
    snprintf(body, sizeof(body), "2.1/clusters/get?cluster_id=%s", id);
    call(&r, &sim, "GET", body, NULL);
    j = ok_json(&r);
    ASSERT_STR_EQ(json_string_value(json_object_get(j, "driver_node_type_id")),
                  "i3.xlarge");
    ASSERT_EQ(json_integer_value(json_object_get(j, "autotermination_minutes")),
              120);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_object_get(j, "aws_attributes"), "zone_id")),
                  "us-west-2a");
    json_decref(j);
    /* An edit of a running cluster restarts it. */
    snprintf(body, sizeof(body),
             "{\"cluster_id\": \"%s\", " SPEC
             ", \"autotermination_minutes\": 15}",
             id);
    call(&r, &sim, "POST", "2.1/clusters/edit", body);
    json_decref(ok_json(&r));
    ASSERT_STR_EQ(state_of(&sim, id), "RESTARTING");
    ctl(&sim, "clock", "{\"advance_ms\": 600000}");
    ASSERT_STR_EQ(state_of(&sim, id), "RUNNING");
    /* start of a running cluster is refused; restart is not. */
    post_id(&sim, "start", id, &r);
    snprintf(body, sizeof(body), "Cluster %s is in unexpected state Running.",
             id);
    expect_error(&r, 400, "INVALID_STATE", body);
    post_id(&sim, "restart", id, &r);
    json_decref(ok_json(&r));
    ASSERT_STR_EQ(state_of(&sim, id), "RESTARTING");
    ctl(&sim, "clock", "{\"advance_ms\": 600000}");
    /* Terminate: TERMINATING, then TERMINATED by USER_REQUEST. */
    post_id(&sim, "delete", id, &r);
    json_decref(ok_json(&r));
    ASSERT_STR_EQ(state_of(&sim, id), "TERMINATING");
    ctl(&sim, "clock", "{\"advance_ms\": 60000}");
    snprintf(body, sizeof(body), "2.1/clusters/get?cluster_id=%s", id);
    call(&r, &sim, "GET", body, NULL);
    j = ok_json(&r);
    ASSERT_STR_EQ(json_string_value(json_object_get(j, "state")), "TERMINATED");
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_object_get(j, "termination_reason"), "code")),
                  "USER_REQUEST");
    json_decref(j);
    /* Started again, then gone for good. */
    post_id(&sim, "start", id, &r);
    json_decref(ok_json(&r));
    ASSERT_STR_EQ(state_of(&sim, id), "PENDING");
    post_id(&sim, "permanent-delete", id, &r);
    json_decref(ok_json(&r));
    snprintf(body, sizeof(body), "2.1/clusters/get?cluster_id=%s", id);
    call(&r, &sim, "GET", body, NULL);
    snprintf(body, sizeof(body), "Cluster %s does not exist", id);
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE", body);
    call(&r, &sim, "GET", "2.1/clusters/list", NULL);
    j = ok_json(&r);
    ASSERT_EQ(json_array_size(json_object_get(j, "clusters")), 0);
    json_decref(j);
    tt_sim_stop(&sim);
}

TEST(sim_dbx_clusters, failure_with_reason)
{
    struct tt_sim sim;
    struct tt_response r;
    char id[64], id2[64], path[128];
    json_t *j;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ctl(&sim, "clusters",
        "{\"startup_ms\": 1000, \"fail\": {\"count\": 1, \"code\": "
        "\"CLOUD_PROVIDER_LAUNCH_FAILURE\", \"type\": \"CLOUD_FAILURE\", "
        "\"parameters\": {\"aws_error_code\": \"InsufficientInstanceCapacity\"}"
        ", \"message\": \"No capacity\"}}");
    create(&sim, "{" SPEC "}", id, sizeof(id));
    create(&sim, "{" SPEC "}", id2, sizeof(id2));
    ctl(&sim, "clock", "{\"advance_ms\": 1000}");
    snprintf(path, sizeof(path), "2.1/clusters/get?cluster_id=%s", id);
    call(&r, &sim, "GET", path, NULL);
    j = ok_json(&r);
    ASSERT_STR_EQ(json_string_value(json_object_get(j, "state")), "TERMINATED");
    ASSERT_STR_EQ(json_string_value(json_object_get(j, "state_message")),
                  "No capacity");
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_object_get(json_object_get(j, "termination_reason"),
                                      "parameters"),
                      "aws_error_code")),
                  "InsufficientInstanceCapacity");
    json_decref(j);
    /* Only the armed count fails. */
    ASSERT_STR_EQ(state_of(&sim, id2), "RUNNING");
    /* error_state: ERROR instead of TERMINATED. */
    ctl(&sim, "clusters",
        "{\"startup_ms\": 0, \"fail\": {\"count\": 1, \"code\": \"X\", "
        "\"error_state\": true}}");
    create(&sim, "{" SPEC "}", id, sizeof(id));
    ASSERT_STR_EQ(state_of(&sim, id), "ERROR");
    tt_sim_stop(&sim);
}

TEST(sim_dbx_clusters, create_rules)
{
    struct tt_sim sim;
    struct tt_response r;
    char a[64], b[64];
    json_t *j;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    call(&r, &sim, "POST", "2.1/clusters/create",
         "{\"node_type_id\": \"i3.xlarge\"}");
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE",
                 "Missing required field: spark_version");
    call(&r, &sim, "POST", "2.1/clusters/create",
         "{\"spark_version\": \"15.4.x-scala2.12\"}");
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE",
                 "Missing required field: node_type_id");
    call(&r, &sim, "POST", "2.1/clusters/create",
         "{" SPEC ", \"num_workers\": \"two\"}");
    expect_error(&r, 400, "MALFORMED_REQUEST",
                 "Invalid JSON given in the body of the request - unexpected "
                 "type for field 'num_workers'");
    /* The instance profile must be registered first. */
    call(&r, &sim, "POST", "2.1/clusters/create",
         "{" SPEC ", \"aws_attributes\": {\"instance_profile_arn\": "
         "\"" PROFILE "\"}}");
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE",
                 "Instance profile " PROFILE
                 " is not registered with Databricks.");
    ctl(&sim, "load",
        "{\"databricks\": {\"instance_profiles\": [{"
        "\"instance_profile_arn\": \"" PROFILE "\"}]}}");
    create(&sim,
           "{" SPEC ", \"aws_attributes\": {\"instance_profile_arn\": "
           "\"" PROFILE "\"}}",
           a, sizeof(a));
    /* The same idempotency token: the same cluster, until it ends. */
    create(&sim, "{" SPEC ", \"idempotency_token\": \"t1\"}", a, sizeof(a));
    create(&sim, "{" SPEC ", \"idempotency_token\": \"t1\"}", b, sizeof(b));
    ASSERT_STR_EQ(a, b);
    post_id(&sim, "delete", a, &r);
    json_decref(ok_json(&r));
    create(&sim, "{" SPEC ", \"idempotency_token\": \"t1\"}", b, sizeof(b));
    ASSERT(strcmp(a, b) != 0);
    call(&r, &sim, "GET", "2.1/clusters/list", NULL);
    j = ok_json(&r);
    ASSERT_EQ(json_array_size(json_object_get(j, "clusters")), 3);
    json_decref(j);
    /* Unknown endpoint, wrong method. */
    call(&r, &sim, "GET", "2.1/clusters/frobnicate", NULL);
    expect_error(&r, 404, "ENDPOINT_NOT_FOUND",
                 "No API found for 'GET /clusters/frobnicate'");
    call(&r, &sim, "GET", "2.1/clusters/create", NULL);
    expect_error(&r, 405, "METHOD_NOT_ALLOWED",
                 "HTTP method GET is not supported by this URL");
    tt_sim_stop(&sim);
}

TEST(sim_dbx_clusters, libraries)
{
    struct tt_sim sim;
    struct tt_response r;
    char id[64], body[512], path[128];
    json_t *j, *st;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ctl(&sim, "clusters",
        "{\"startup_ms\": 1000, \"library_ms\": 500, \"library_fail\": "
        "{\"name\": \"bad\", \"message\": \"no such package\"}}");
    create(&sim, "{" SPEC "}", id, sizeof(id));
    snprintf(body, sizeof(body),
             "{\"cluster_id\": \"%s\", \"libraries\": [{\"pypi\": "
             "{\"package\": \"mlflow\"}}, {\"pypi\": {\"package\": "
             "\"bad\"}}]}",
             id);
    call(&r, &sim, "POST", "2.0/libraries/install", body);
    json_decref(ok_json(&r));
    snprintf(path, sizeof(path), "2.0/libraries/cluster-status?cluster_id=%s",
             id);
    call(&r, &sim, "GET", path, NULL);
    j = ok_json(&r);
    st = json_object_get(j, "library_statuses");
    ASSERT_EQ(json_array_size(st), 2);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(st, 0), "status")),
        "PENDING");
    json_decref(j);
    ctl(&sim, "clock", "{\"advance_ms\": 1000}");
    call(&r, &sim, "GET", path, NULL);
    j = ok_json(&r);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_array_get(json_object_get(j, "library_statuses"), 0),
                      "status")),
                  "INSTALLING");
    json_decref(j);
    ctl(&sim, "clock", "{\"advance_ms\": 500}");
    call(&r, &sim, "GET", path, NULL);
    j = ok_json(&r);
    st = json_object_get(j, "library_statuses");
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(st, 0), "status")),
        "INSTALLED");
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(st, 1), "status")),
        "FAILED");
    ASSERT_STR_EQ(json_string_value(json_array_get(
                      json_object_get(json_array_get(st, 1), "messages"), 0)),
                  "no such package");
    json_decref(j);
    /* Uninstall waits for a restart. */
    snprintf(body, sizeof(body),
             "{\"cluster_id\": \"%s\", \"libraries\": [{\"pypi\": "
             "{\"package\": \"bad\"}}]}",
             id);
    call(&r, &sim, "POST", "2.0/libraries/uninstall", body);
    json_decref(ok_json(&r));
    call(&r, &sim, "GET", path, NULL);
    j = ok_json(&r);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_array_get(json_object_get(j, "library_statuses"), 1),
                      "status")),
                  "UNINSTALL_ON_RESTART");
    json_decref(j);
    post_id(&sim, "restart", id, &r);
    json_decref(ok_json(&r));
    call(&r, &sim, "GET", path, NULL);
    j = ok_json(&r);
    ASSERT_EQ(json_array_size(json_object_get(j, "library_statuses")), 1);
    json_decref(j);
    /* A library needs exactly one kind. */
    snprintf(body, sizeof(body),
             "{\"cluster_id\": \"%s\", \"libraries\": [{\"jar\": \"a\", "
             "\"whl\": \"b\"}]}",
             id);
    call(&r, &sim, "POST", "2.0/libraries/install", body);
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE",
                 "libraries[0]: give exactly one of pypi, maven, jar, whl, "
                 "requirements, egg, cran");
    call(&r, &sim, "GET", "2.0/libraries/cluster-status?cluster_id=nope", NULL);
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE",
                 "Cluster nope does not exist");
    tt_sim_stop(&sim);
}

TEST(sim_dbx_clusters, throttling_and_control)
{
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    /* Faults as for every Databricks path: 429 with Retry-After. */
    ctl(&sim, "faults", "{\"throttle_rate\": 1}");
    call(&r, &sim, "GET", "2.1/clusters/list", NULL);
    ASSERT_EQ(r.status, 429);
    ASSERT_STR_CONTAINS(r.headers, "Retry-After:");
    tt_response_release(&r);
    ctl(&sim, "faults", "{\"throttle_rate\": 0}");
    /* A token is needed, as for the rest of the workspace API. */
    {
        char url[256];

        snprintf(url, sizeof(url), "%s/api/2.1/clusters/list", sim.base_url);
        ASSERT_OK(tt_http(&r, "GET", url, NULL, NULL, 0));
        ASSERT_EQ(r.status, 401);
        tt_response_release(&r);
    }
    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "clusters", "{\"startup_ms\": -1}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body, "startup_ms must be an integer in [0, "
                                "3600000]");
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "clusters",
                             "{\"fail\": {\"count\": 1}}"));
    ASSERT_EQ(r.status, 400);
    tt_response_release(&r);
    /* reset forgets the clusters and the settings. */
    ctl(&sim, "clusters", "{\"startup_ms\": 5}");
    ctl(&sim, "reset", NULL);
    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "clusters", NULL));
    ASSERT_STR_EQ(r.body, "{\"clusters\":[],\"settings\":{\"library_ms\":0,"
                          "\"startup_ms\":0,\"terminate_ms\":0}}");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_dbx_clusters_list[] = {
    TEST_INTEGRATION(sim_dbx_clusters, state_machine_on_the_clock),
    TEST_INTEGRATION(sim_dbx_clusters, failure_with_reason),
    TEST_INTEGRATION(sim_dbx_clusters, create_rules),
    TEST_INTEGRATION(sim_dbx_clusters, libraries),
    TEST_INTEGRATION(sim_dbx_clusters, throttling_and_control),
    TEST_END};
