/*
 * databricks_cluster against tern-sim: create waits for RUNNING and for
 * its libraries, a failed start is Databricks' termination reason and
 * leaves no cluster, an edit restarts a running cluster, a terminated
 * cluster reads as no drift, import, lookup of an interrupted create,
 * the idempotency token, library failures and the instance profile rule,
 * delete (terminate + permanent delete, gone is success).
 */
#include "runner.h"
#include "test_mod.h"

#include <string.h>

extern const tern_module tern_module_databricks_cluster;
#define M (&tern_module_databricks_cluster)

#define PROFILE "arn:aws:iam::" MOD_ACCOUNT ":instance-profile/deploy"
#define CFG_BASE                                                               \
    "\"cluster_name\": \"deploy\", \"spark_version\": "                        \
    "\"15.4.x-scala2.12\", \"node_type_id\": \"i3.xlarge\", "                  \
    "\"num_workers\": 1, \"autotermination_minutes\": 60"

/* POST /_sim/clusters (settings), or fail. */
static void sim_clusters(struct mod_fx *fx, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "POST", "clusters", json));
    if (r.status != 200)
        FAIL("/_sim/clusters: %ld %s", r.status, r.body);
    tt_response_release(&r);
}

/* GET /_sim/clusters: every cluster, deleted ones too. */
static json_t *all_clusters(struct mod_fx *fx)
{
    struct tt_response r;
    json_t *j, *a;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "GET", "clusters", NULL));
    ASSERT_EQ(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    ASSERT_NOT_NULL(j);
    a = json_incref(json_object_get(j, "clusters"));
    json_decref(j);
    return a;
}

static void start(struct mod_fx *fx)
{
    mod_fx_start(fx, NULL);
    fx->op.client = fx->dbx;
    fx->op.address = "databricks_cluster.deploy";
    mod_load(fx, "{\"databricks\": {\"instance_profiles\": [{"
                 "\"instance_profile_arn\": \"" PROFILE "\"}]}}");
}

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

/* The same as the engine compares: attribute by attribute, through each
 * attribute's equivalence. */
static int same_state(const json_t *a, const json_t *b)
{
    const tern_attr *sa;
    int same = 0;

    for (sa = M->schema; sa->name; sa++) {
        const json_t *x = json_object_get(a, sa->name);
        const json_t *y = json_object_get(b, sa->name);

        if (json_equal((json_t *)x, (json_t *)y))
            continue;
        if (sa->equivalent && x && y) {
            ASSERT_OK(sa->equivalent(&same, x, y));
            if (same)
                continue;
        }
        return 0;
    }
    return 1;
}

/* Count the calls to @action in the log. */
static int ncalls(struct mod_fx *fx, const char *action)
{
    const char *s = mod_calls(fx);
    size_t n = strlen(action);
    int k = 0;

    while ((s = strstr(s, action)) != NULL) {
        if (s[n] == ',' || s[n] == '\0')
            k++;
        s += n;
    }
    return k;
}

TEST(mod_databricks_cluster, create_waits_and_reads)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *l;

    start(&fx);
    sim_clusters(&fx, "{\"startup_ms\": 300, \"library_ms\": 200}");
    mod_clear_calls(&fx);
    st = create(&fx, "{" CFG_BASE ", \"aws_attributes\": [{"
                     "\"instance_profile_arn\": \"" PROFILE "\"}], "
                     "\"library\": [{\"pypi\": [{\"package\": \"mlflow\"}]}]}");
    ASSERT_STR_EQ(mod_str(st, "state"), "RUNNING");
    ASSERT_STR_EQ(mod_str(st, "id"), mod_str(st, "cluster_id"));
    /* The workspace's defaults come back: driver node, zone, tags. */
    ASSERT_STR_EQ(mod_str(st, "driver_node_type_id"), "i3.xlarge");
    ASSERT_STR_EQ(
        mod_str(json_array_get(json_object_get(st, "aws_attributes"), 0),
                "zone_id"),
        "us-west-2a");
    ASSERT_STR_EQ(mod_str(json_object_get(st, "default_tags"), "ClusterName"),
                  "deploy");
    ASSERT_EQ(ncalls(&fx, "clusters/create"), 1);
    ASSERT(ncalls(&fx, "clusters/get") >= 2);
    ASSERT_EQ(ncalls(&fx, "libraries/install"), 1);
    ASSERT(ncalls(&fx, "libraries/cluster-status") >= 1);
    l = all_clusters(&fx);
    ASSERT_EQ(json_array_size(l), 1);
    ASSERT_STR_EQ(mod_str(json_array_get(l, 0), "state"), "RUNNING");
    json_decref(l);
    /* Read returns what create did. */
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "clusters/get,libraries/cluster-status");
    ASSERT(json_equal(now, st));
    json_decref(now);
    now = NULL;
    /* Delete: terminate, then permanently; gone is gone. */
    mod_clear_calls(&fx);
    ASSERT_OK(M->delete_(&fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "clusters/get,clusters/delete,clusters/permanent-delete");
    ASSERT_EQ(M->read(&now, &fx.op, st), TERN_ENOTFOUND);
    ASSERT_OK(M->delete_(&fx.op, st));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_cluster, failed_start_is_reason)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL, *l;

    start(&fx);
    sim_clusters(&fx, "{\"startup_ms\": 200, \"fail\": {\"count\": 1, "
                      "\"code\": \"CLOUD_PROVIDER_LAUNCH_FAILURE\", "
                      "\"type\": \"CLOUD_FAILURE\", \"message\": \"AWS API "
                      "error code: InsufficientInstanceCapacity\"}}");
    cfg = mod_json("{" CFG_BASE "}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_NULL(st);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot create Databricks cluster 'deploy' []: "
                  "failed to reach RUNNING, got TERMINATED: AWS API error "
                  "code: InsufficientInstanceCapacity (termination reason "
                  "CLOUD_PROVIDER_LAUNCH_FAILURE, type CLOUD_FAILURE)");
    ASSERT_STR_EQ(fx.diags.items[0].summary,
                  "Cannot create Databricks cluster 'deploy'");
    /* The failed cluster is not left behind. */
    l = all_clusters(&fx);
    ASSERT_EQ(json_array_size(l), 1);
    ASSERT(json_is_true(json_object_get(json_array_get(l, 0), "deleted")));
    json_decref(l);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_cluster, edit_restarts)
{
    struct mod_fx fx;
    json_t *st, *cfg, *now = NULL, *l;

    start(&fx);
    sim_clusters(&fx, "{\"startup_ms\": 200}");
    st = create(&fx, "{" CFG_BASE "}");
    cfg = mod_json("{\"cluster_name\": \"deploy\", \"spark_version\": "
                   "\"15.4.x-scala2.12\", \"node_type_id\": \"i3.xlarge\", "
                   "\"num_workers\": 2, \"autotermination_minutes\": 30}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_EQ(ncalls(&fx, "clusters/edit"), 1);
    ASSERT_STR_EQ(mod_str(now, "state"), "RUNNING");
    ASSERT_EQ(json_integer_value(json_object_get(now, "num_workers")), 2);
    l = all_clusters(&fx);
    ASSERT_EQ(json_integer_value(json_object_get(json_array_get(l, 0),
                                                 "autotermination_minutes")),
              30);
    json_decref(l);
    /* A change of is_pinned alone pins, without an edit. */
    json_object_set_new(cfg, "is_pinned", json_true());
    json_decref(st);
    st = now;
    now = NULL;
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "clusters/get,clusters/pin");
    ASSERT(json_is_true(json_object_get(now, "is_pinned")));
    /* idempotency_token is ForceNew: a change replaces. */
    ASSERT(tern_schema_attr(M->schema, "idempotency_token")->flags &
           TERN_ATTR_FORCE_NEW);
    json_decref(now);
    json_decref(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

/* Only the size of a running cluster: resize, no restart. */
TEST(mod_databricks_cluster, resize_keeps_running)
{
    struct mod_fx fx;
    json_t *st, *cfg, *now = NULL, *l;

    start(&fx);
    st = create(&fx, "{" CFG_BASE "}");
    sim_clusters(&fx, "{\"startup_ms\": 600000}");
    cfg = mod_json("{" CFG_BASE ", \"num_workers\": 4}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "clusters/get,clusters/resize,clusters/get");
    ASSERT_STR_EQ(mod_str(now, "state"), "RESIZING");
    ASSERT_EQ(json_integer_value(json_object_get(now, "num_workers")), 4);
    l = all_clusters(&fx);
    ASSERT_EQ(json_integer_value(
                  json_object_get(json_array_get(l, 0), "num_workers")),
              4);
    json_decref(l);
    json_decref(cfg);
    json_decref(st);
    st = now;
    now = NULL;
    /* To autoscale, once it runs again: a resize too. */
    sim_clusters(&fx, "{\"startup_ms\": 0}");
    {
        struct tt_response r;

        ASSERT_OK(tt_sim_control(&r, &fx.sim, "POST", "clock",
                                 "{\"advance_ms\": 600000}"));
        tt_response_release(&r);
    }
    cfg = mod_json("{\"cluster_name\": \"deploy\", \"spark_version\": "
                   "\"15.4.x-scala2.12\", \"node_type_id\": \"i3.xlarge\", "
                   "\"num_workers\": 0, \"autotermination_minutes\": 60, "
                   "\"autoscale\": [{\"min_workers\": 1, "
                   "\"max_workers\": 3}]}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "clusters/get,clusters/resize,clusters/get");
    l = all_clusters(&fx);
    ASSERT_EQ(
        json_integer_value(json_object_get(
            json_object_get(json_array_get(l, 0), "autoscale"), "max_workers")),
        3);
    ASSERT_NULL(json_object_get(json_array_get(l, 0), "num_workers"));
    json_decref(l);
    ASSERT_EQ(json_integer_value(json_object_get(now, "num_workers")), 0);
    json_decref(now);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_cluster, terminated_is_not_drift)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *b;

    start(&fx);
    st = create(&fx, "{" CFG_BASE "}");
    b = json_pack("{s:s}", "cluster_id", mod_str(st, "id"));
    ASSERT_OK(tern_dbx_call(fx.dbx, "POST", "/api/2.1/clusters/delete", b, NULL,
                            &fx.diags));
    json_decref(b);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_str(now, "state"), "TERMINATED");
    ASSERT(same_state(st, now));
    json_decref(now);
    now = NULL;
    /* But a change made outside tern is. */
    b = json_pack("{s:s, s:s, s:s, s:s, s:i}", "cluster_id", mod_str(st, "id"),
                  "cluster_name", "deploy", "spark_version", "15.4.x-scala2.12",
                  "node_type_id", "i3.xlarge", "num_workers", 5);
    ASSERT_OK(tern_dbx_call(fx.dbx, "POST", "/api/2.1/clusters/edit", b, NULL,
                            &fx.diags));
    json_decref(b);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT(!same_state(st, now));
    ASSERT_EQ(json_integer_value(json_object_get(now, "num_workers")), 5);
    json_decref(now);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_cluster, import_and_lookup)
{
    struct mod_fx fx;
    json_t *st, *imp = NULL, *found = NULL, *cfg;

    start(&fx);
    st = create(&fx, "{" CFG_BASE "}");
    ASSERT_OK(M->import(&imp, &fx.op, mod_str(st, "id")));
    ASSERT_STR_EQ(mod_str(imp, "cluster_name"), "deploy");
    ASSERT(same_state(imp, st));
    ASSERT_EQ(M->import(&found, &fx.op, "0000-000000-nothere"), TERN_ENOTFOUND);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot import Databricks cluster []: Cluster "
                  "0000-000000-nothere does not exist.");
    mod_diag_clear(&fx);
    /* An interrupted create's cluster is found by name. */
    cfg = mod_json("{" CFG_BASE "}");
    ASSERT_OK(M->lookup(&found, &fx.op, cfg));
    ASSERT_STR_EQ(mod_str(found, "id"), mod_str(st, "id"));
    json_decref(found);
    found = NULL;
    json_object_set_new(cfg, "cluster_name", json_string("other"));
    ASSERT_EQ(M->lookup(&found, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(cfg);
    json_decref(imp);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_cluster, idempotency_token)
{
    struct mod_fx fx;
    json_t *a, *b, *l;

    start(&fx);
    a = create(&fx, "{" CFG_BASE ", \"idempotency_token\": \"tok-1\"}");
    b = create(&fx, "{" CFG_BASE ", \"idempotency_token\": \"tok-1\"}");
    ASSERT_STR_EQ(mod_str(a, "id"), mod_str(b, "id"));
    ASSERT_STR_EQ(mod_str(b, "idempotency_token"), "tok-1");
    l = all_clusters(&fx);
    ASSERT_EQ(json_array_size(l), 1);
    json_decref(l);
    json_decref(a);
    json_decref(b);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_cluster, errors)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    start(&fx);
    /* The instance profile must be registered first. */
    cfg = mod_json("{" CFG_BASE ", \"aws_attributes\": [{"
                   "\"instance_profile_arn\": \"arn:aws:iam::" MOD_ACCOUNT
                   ":instance-profile/unknown\"}]}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(fx.diags.items[0].service_code, "INVALID_PARAMETER_VALUE");
    ASSERT_STR_EQ(fx.diags.items[0].summary,
                  "Cannot create Databricks cluster 'deploy'");
    ASSERT_STR_EQ(
        mod_diag_text(&fx),
        "Cannot create Databricks cluster 'deploy' "
        "[INVALID_PARAMETER_VALUE]: POST /api/2.1/clusters/create: "
        "INVALID_PARAMETER_VALUE: Instance profile arn:aws:iam::" MOD_ACCOUNT
        ":instance-profile/unknown is not registered with "
        "Databricks. (HTTP 400, 1 attempt)");
    mod_diag_clear(&fx);
    json_decref(cfg);
    /* A library that fails to install: its messages. */
    sim_clusters(&fx, "{\"library_fail\": {\"name\": \"nosuchpkg\", "
                      "\"message\": \"ERROR: No matching distribution found "
                      "for nosuchpkg\"}}");
    cfg = mod_json("{" CFG_BASE ", \"library\": [{\"pypi\": [{\"package\": "
                   "\"nosuchpkg\"}]}]}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_NULL(st);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot create Databricks cluster 'deploy' []: Library "
                  "{\"pypi\":{\"package\":\"nosuchpkg\"}} on "
                  "cluster 1206-000001-sim0001 is FAILED: ERROR: No matching "
                  "distribution found for nosuchpkg");
    json_decref(cfg);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_databricks_cluster_list[] = {
    TEST_MODULE(mod_databricks_cluster, create_waits_and_reads),
    TEST_MODULE(mod_databricks_cluster, failed_start_is_reason),
    TEST_MODULE(mod_databricks_cluster, edit_restarts),
    TEST_MODULE(mod_databricks_cluster, resize_keeps_running),
    TEST_MODULE(mod_databricks_cluster, terminated_is_not_drift),
    TEST_MODULE(mod_databricks_cluster, import_and_lookup),
    TEST_MODULE(mod_databricks_cluster, idempotency_token),
    TEST_MODULE(mod_databricks_cluster, errors),
    TEST_END};
