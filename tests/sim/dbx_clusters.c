/*
 * tern-sim's Databricks clusters: the Clusters API 2.1 under
 * /api/2.1/clusters/ and the Libraries API 2.0 under /api/2.0/libraries/,
 * reached through databricks.c (which checks the bearer token first).
 * Every handler runs with sim->lock held.
 *
 *   POST create {cluster_name?, spark_version, node_type_id, num_workers? |
 *                autoscale?, ..., idempotency_token?} -> {"cluster_id"}
 *   GET  get?cluster_id=ID                -> ClusterDetails
 *   GET  list                             -> {"clusters": [...]} (newest
 *                                            first; permanently deleted
 *                                            ones are gone)
 *   POST edit {cluster_id, ...the spec}   -> {}
 *   POST resize {cluster_id, num_workers | autoscale} -> {}
 *   POST start / restart / delete / permanent-delete / pin / unpin
 *        {cluster_id}                      -> {}
 *   POST /api/2.0/libraries/install   {cluster_id, libraries: [...]} -> {}
 *   POST /api/2.0/libraries/uninstall {cluster_id, libraries: [...]} -> {}
 *   GET  /api/2.0/libraries/cluster-status?cluster_id=ID
 *        -> {cluster_id, library_statuses: [{library, status, messages?,
 *            is_library_for_all_clusters}]}
 *
 * The state machine (the API's ClusterState): create and start go to
 * PENDING, restart and an edit of a running cluster to RESTARTING; each
 * reaches RUNNING startup_ms later (sim clock), or, when a failure is
 * armed, TERMINATED with the armed termination_reason and state_message
 * (ERROR with "error_state": true in the hook). resize of a running
 * cluster goes to RESIZING and back to RUNNING startup_ms later, without
 * a restart. delete goes to TERMINATING
 * and TERMINATED terminate_ms later, with reason USER_REQUEST. States are
 * computed from the sim clock when a cluster is looked at, so a test
 * drives them with the delays below or POST /_sim/clock, never by
 * sleeping.
 *
 * Rules and errors, as {"error_code", "message"}:
 * - A cluster id that does not exist (never, or permanently deleted): 400
 *   INVALID_PARAMETER_VALUE "Cluster ID does not exist" (the text the
 *   provider's wrapMissingClusterError matches, clusters/clusters_api.go).
 * - create without spark_version: 400 INVALID_PARAMETER_VALUE "Missing
 *   required field: spark_version"; without node_type_id (and no
 *   instance_pool_id): "Missing required field: node_type_id".
 * - aws_attributes.instance_profile_arn not registered in the workspace
 *   (databricks.c's Instance Profiles API): 400 INVALID_PARAMETER_VALUE
 *   "Instance profile ARN is not registered with Databricks." (the
 *   wording is ours; the rule is the API's: a profile must be added first).
 * - create with the idempotency_token of a cluster that is not
 *   TERMINATED: that cluster's id, nothing created (Clusters API docs).
 * - edit of a cluster that is neither RUNNING nor TERMINATED, start of one
 *   that is not TERMINATED, restart of one not RUNNING: 400 INVALID_STATE
 *   "Cluster ID is in unexpected state Pending." (the API's wording).
 * - libraries on an unknown cluster: as get.
 * Faults, 429 with Retry-After and latency come from main.c, as for every
 * Databricks path.
 *
 * Libraries: install queues each library PENDING; once the cluster runs
 * it becomes INSTALLING and INSTALLED library_ms after both, or FAILED
 * (messages: the hook's) when its package or jar names the armed
 * library_fail. uninstall marks UNINSTALL_ON_RESTART; a restart drops
 * those.
 *
 * Control (control.c routes /_sim/clusters here):
 *   GET  /_sim/clusters  {"clusters": [every cluster, permanently deleted
 *                        ones included with "deleted": true, with
 *                        created_ms], "settings": {...}}
 *   POST /_sim/clusters  {startup_ms?, terminate_ms?, library_ms?,
 *                        fail?: {count, code, type?, parameters?,
 *                        message?, error_state?}, library_fail?: {name,
 *                        message}}: settings for what starts next
 */
#include "sim.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

enum cstate {
    CS_PENDING = 0,
    CS_RUNNING,
    CS_RESTARTING,
    CS_RESIZING,
    CS_TERMINATING,
    CS_TERMINATED,
    CS_ERROR
};

static const char *const state_names[] = {
    "PENDING",     "RUNNING",    "RESTARTING", "RESIZING",
    "TERMINATING", "TERMINATED", "ERROR"};
/* The API's unexpected-state messages name the state capitalised. */
static const char *const state_words[] = {
    "Pending",     "Running",    "Restarting", "Resizing",
    "Terminating", "Terminated", "Error"};

struct clib {
    json_t *library; /* the library object as installed */
    int uninstall;
    int failed;
    int64_t ready_ms; /* INSTALLED from then once the cluster runs */
};

struct cluster {
    char id[40];
    json_t *spec; /* the create/edit body, minus cluster_id and token */
    char *token;  /* idempotency_token, or NULL */
    enum cstate state;
    int64_t until_ms; /* PENDING/RESTARTING/TERMINATING end then */
    json_t *fail;     /* armed failure for this start, or NULL */
    json_t *reason;   /* termination_reason, or NULL */
    char *message;    /* state_message */
    int64_t created_ms;
    int64_t start_ms; /* last start */
    int64_t terminated_ms;
    int deleted; /* permanently */
    int pinned;
    struct clib *libs;
    size_t nlibs, alibs;
};

struct sim_dbxc {
    struct sim *sim;
    struct cluster *items;
    size_t n, alloc;
    uint64_t next;
    int startup_ms, terminate_ms, library_ms;
    json_t *fail; /* {count, code, ...} or NULL */
    char *lib_fail, *lib_fail_msg;
};

struct sim_dbxc *sim_dbxc_new(struct sim *sim)
{
    struct sim_dbxc *c = tern_calloc(1, sizeof(*c));

    if (c)
        c->sim = sim;
    return c;
}

static void cluster_release(struct cluster *c)
{
    size_t i;

    json_decref(c->spec);
    json_decref(c->fail);
    json_decref(c->reason);
    tern_free(c->token);
    tern_free(c->message);
    for (i = 0; i < c->nlibs; i++)
        json_decref(c->libs[i].library);
    tern_free(c->libs);
}

void sim_dbxc_reset(struct sim_dbxc *dc)
{
    size_t i;

    if (!dc)
        return;
    for (i = 0; i < dc->n; i++)
        cluster_release(&dc->items[i]);
    dc->n = 0;
    dc->next = 0;
    dc->startup_ms = dc->terminate_ms = dc->library_ms = 0;
    json_decref(dc->fail);
    dc->fail = NULL;
    tern_free(dc->lib_fail);
    tern_free(dc->lib_fail_msg);
    dc->lib_fail = dc->lib_fail_msg = NULL;
}

void sim_dbxc_free(struct sim_dbxc *dc)
{
    if (!dc)
        return;
    sim_dbxc_reset(dc);
    tern_free(dc->items);
    tern_free(dc);
}

static int64_t now(struct sim_dbxc *dc)
{
    return sim_now_ms(dc->sim);
}

/* Set the state message (copied). */
static void set_message(struct cluster *c, const char *msg)
{
    tern_free(c->message);
    c->message = msg ? tern_strdup(msg) : NULL;
}

/* Begin a start (PENDING) or restart (RESTARTING), arming a failure when
 * one is set. */
static void begin_start(struct sim_dbxc *dc, struct cluster *c, enum cstate st)
{
    json_int_t count = json_integer_value(json_object_get(dc->fail, "count"));

    c->state = st;
    c->start_ms = now(dc);
    c->until_ms = c->start_ms + dc->startup_ms;
    json_decref(c->fail);
    c->fail = NULL;
    json_decref(c->reason);
    c->reason = NULL;
    set_message(c, st == CS_PENDING ? "Finding instances for new nodes, "
                                      "acquiring more instances if necessary"
                                    : "Restarting Spark");
    if (dc->fail && count > 0) {
        c->fail = json_incref(dc->fail);
        json_object_set_new(dc->fail, "count", json_integer(count - 1));
    }
}

static void begin_terminate(struct sim_dbxc *dc, struct cluster *c)
{
    c->state = CS_TERMINATING;
    c->until_ms = now(dc) + dc->terminate_ms;
    json_decref(c->reason);
    c->reason =
        json_pack("{s:s, s:s, s:{s:s}}", "code", "USER_REQUEST", "type",
                  "SUCCESS", "parameters", "username", "sim@example.com");
    set_message(c, "Terminating the spark cluster");
}

/* Move the cluster along the state machine to where the clock is. */
static void advance(struct sim_dbxc *dc, struct cluster *c)
{
    int64_t t = now(dc);
    size_t i;

    if ((c->state == CS_PENDING || c->state == CS_RESTARTING) &&
        t >= c->until_ms) {
        if (c->fail) {
            const char *msg =
                json_string_value(json_object_get(c->fail, "message"));
            json_t *params = json_object_get(c->fail, "parameters");

            c->state = json_is_true(json_object_get(c->fail, "error_state"))
                           ? CS_ERROR
                           : CS_TERMINATED;
            c->terminated_ms = t;
            json_decref(c->reason);
            c->reason = json_pack(
                "{s:s, s:s, s:o}", "code",
                json_string_value(json_object_get(c->fail, "code"))
                    ? json_string_value(json_object_get(c->fail, "code"))
                    : "UNKNOWN",
                "type",
                json_string_value(json_object_get(c->fail, "type"))
                    ? json_string_value(json_object_get(c->fail, "type"))
                    : "CLOUD_FAILURE",
                "parameters", params ? json_deep_copy(params) : json_object());
            set_message(c, msg ? msg : "Cluster failed to start");
            json_decref(c->fail);
            c->fail = NULL;
        } else {
            c->state = CS_RUNNING;
            set_message(c, "");
            for (i = 0; i < c->nlibs; i++)
                if (c->libs[i].ready_ms < c->until_ms + dc->library_ms)
                    c->libs[i].ready_ms = c->until_ms + dc->library_ms;
        }
    }
    if (c->state == CS_RESIZING && t >= c->until_ms) {
        c->state = CS_RUNNING;
        set_message(c, "");
    }
    if (c->state == CS_TERMINATING && t >= c->until_ms) {
        c->state = CS_TERMINATED;
        c->terminated_ms = t;
        set_message(c, "Termination requested by sim@example.com");
    }
}

static struct cluster *find(struct sim_dbxc *dc, const char *id)
{
    size_t i;

    if (!id)
        return NULL;
    for (i = 0; i < dc->n; i++)
        if (!dc->items[i].deleted && strcmp(dc->items[i].id, id) == 0) {
            advance(dc, &dc->items[i]);
            return &dc->items[i];
        }
    return NULL;
}

static void not_found(const char *id, struct sim_resp *resp)
{
    sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                  "Cluster %s does not exist", id ? id : "");
}

static void bad_state(struct cluster *c, struct sim_resp *resp)
{
    sim_dbx_error(resp, 400, "INVALID_STATE",
                  "Cluster %s is in unexpected state %s.", c->id,
                  state_words[c->state]);
}

/* The spec fields create and edit accept, with the JSON type each must
 * have: 's' string, 'i' integer, 'b' boolean, 'o' object of strings,
 * 'O' object (checked further), 'a' array. */
static const struct {
    const char *name;
    char type;
} spec_fields[] = {
    {"cluster_name", 's'},
    {"spark_version", 's'},
    {"node_type_id", 's'},
    {"driver_node_type_id", 's'},
    {"instance_pool_id", 's'},
    {"num_workers", 'i'},
    {"autoscale", 'O'},
    {"autotermination_minutes", 'i'},
    {"spark_conf", 'o'},
    {"spark_env_vars", 'o'},
    {"custom_tags", 'o'},
    {"data_security_mode", 's'},
    {"single_user_name", 's'},
    {"policy_id", 's'},
    {"apply_policy_default_values", 'b'},
    {"runtime_engine", 's'},
    {"enable_elastic_disk", 'b'},
    {"enable_local_disk_encryption", 'b'},
    {"aws_attributes", 'O'},
    {"ssh_public_keys", 'a'},
};

static int type_ok(const json_t *v, char t)
{
    const char *k;
    json_t *e;

    switch (t) {
    case 's':
        return json_is_string(v);
    case 'i':
        return json_is_integer(v);
    case 'b':
        return json_is_boolean(v);
    case 'o':
        if (!json_is_object(v))
            return 0;
        json_object_foreach((json_t *)v, k, e) if (!json_is_string(e)) return 0;
        return 1;
    case 'O':
        return json_is_object(v);
    default:
        return json_is_array(v);
    }
}

static int malformed(struct sim_resp *resp, const char *field)
{
    sim_dbx_error(resp, 400, "MALFORMED_REQUEST",
                  "Invalid JSON given in the body of the request - "
                  "unexpected type for field '%s'",
                  field);
    return -1;
}

/*
 * Check a create or edit body and build the spec kept (new reference in
 * *out). 0, or -1 with resp filled.
 */
static int check_spec(struct sim_dbxc *dc, json_t *body, json_t **out,
                      struct sim_resp *resp)
{
    json_t *spec = json_object(), *v, *aws;
    const char *profile;
    size_t i;

    *out = NULL;
    if (!spec) {
        sim_dbx_error(resp, 500, "INTERNAL_ERROR", "out of memory");
        return -1;
    }
    for (i = 0; i < sizeof(spec_fields) / sizeof(spec_fields[0]); i++) {
        v = json_object_get(body, spec_fields[i].name);
        if (!v || json_is_null(v))
            continue;
        if (!type_ok(v, spec_fields[i].type)) {
            json_decref(spec);
            return malformed(resp, spec_fields[i].name);
        }
        json_object_set(spec, spec_fields[i].name, v);
    }
    if (!json_string_value(json_object_get(spec, "spark_version"))) {
        json_decref(spec);
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Missing required field: spark_version");
        return -1;
    }
    if (!json_object_get(spec, "node_type_id") &&
        !json_object_get(spec, "instance_pool_id")) {
        json_decref(spec);
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Missing required field: node_type_id");
        return -1;
    }
    aws = json_object_get(spec, "aws_attributes");
    profile = json_string_value(json_object_get(aws, "instance_profile_arn"));
    if (profile && *profile &&
        !sim_dbx_profile_registered(dc->sim->dbx, profile)) {
        json_decref(spec);
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Instance profile %s is not registered with "
                      "Databricks.",
                      profile);
        return -1;
    }
    *out = spec;
    return 0;
}

static struct cluster *add_cluster(struct sim_dbxc *dc)
{
    struct cluster *c;

    if (dc->n == dc->alloc) {
        size_t a = dc->alloc ? dc->alloc * 2 : 16;
        struct cluster *items = tern_realloc(dc->items, a * sizeof(*items));

        if (!items)
            return NULL;
        dc->items = items;
        dc->alloc = a;
    }
    c = &dc->items[dc->n++];
    memset(c, 0, sizeof(*c));
    dc->next++;
    /* The API's shape: MMDD-HHMMSS-suffix; ours counts. */
    snprintf(c->id, sizeof(c->id), "1206-%06llu-sim%04llx",
             (unsigned long long)(dc->next % 1000000),
             (unsigned long long)(dc->next & 0xffff));
    c->created_ms = now(dc);
    return c;
}

static void handle_create(struct sim_dbxc *dc, json_t *body,
                          struct sim_resp *resp)
{
    json_t *spec = NULL, *tok = json_object_get(body, "idempotency_token");
    struct cluster *c;
    size_t i;

    if (tok && !json_is_null(tok) && !json_is_string(tok)) {
        malformed(resp, "idempotency_token");
        return;
    }
    if (check_spec(dc, body, &spec, resp) < 0)
        return;
    if (json_string_value(tok)) {
        for (i = 0; i < dc->n; i++) {
            c = &dc->items[i];
            advance(dc, c);
            if (!c->deleted && c->token &&
                strcmp(c->token, json_string_value(tok)) == 0 &&
                c->state != CS_TERMINATED && c->state != CS_ERROR) {
                json_decref(spec);
                sim_resp_json(resp, 200,
                              json_pack("{s:s}", "cluster_id", c->id));
                return;
            }
        }
    }
    c = add_cluster(dc);
    if (!c) {
        json_decref(spec);
        sim_dbx_error(resp, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    c->spec = spec;
    c->token =
        json_string_value(tok) ? tern_strdup(json_string_value(tok)) : NULL;
    begin_start(dc, c, CS_PENDING);
    sim_resp_json(resp, 200, json_pack("{s:s}", "cluster_id", c->id));
}

/* ClusterDetails as get and list answer it: the spec with the server's
 * defaults filled in, and the runtime fields. */
static json_t *details(struct sim_dbxc *dc, struct cluster *c)
{
    json_t *o = json_deep_copy(c->spec), *aws, *tags;
    const char *node;

    (void)dc;
    if (!o)
        return NULL;
    json_object_set_new(o, "cluster_id", json_string(c->id));
    node = json_string_value(json_object_get(o, "node_type_id"));
    if (node && !json_object_get(o, "driver_node_type_id"))
        json_object_set_new(o, "driver_node_type_id", json_string(node));
    if (!json_object_get(o, "autoscale") && !json_object_get(o, "num_workers"))
        json_object_set_new(o, "num_workers", json_integer(0));
    if (!json_object_get(o, "autotermination_minutes"))
        json_object_set_new(o, "autotermination_minutes", json_integer(120));
    if (!json_object_get(o, "enable_elastic_disk"))
        json_object_set_new(o, "enable_elastic_disk", json_false());
    if (!json_object_get(o, "data_security_mode"))
        json_object_set_new(o, "data_security_mode", json_string("NONE"));
    /* AWS defaults a workspace fills in (the provider suppresses them). */
    aws = json_object_get(o, "aws_attributes");
    if (!aws) {
        aws = json_object();
        json_object_set_new(o, "aws_attributes", aws);
    }
    if (aws) {
        const char *zone = json_string_value(json_object_get(aws, "zone_id"));

        if (!json_object_get(aws, "availability"))
            json_object_set_new(aws, "availability",
                                json_string("SPOT_WITH_FALLBACK"));
        if (!zone || strcmp(zone, "auto") == 0)
            json_object_set_new(aws, "zone_id", json_string("us-west-2a"));
        if (!json_object_get(aws, "first_on_demand"))
            json_object_set_new(aws, "first_on_demand", json_integer(1));
        if (!json_object_get(aws, "spot_bid_price_percent"))
            json_object_set_new(aws, "spot_bid_price_percent",
                                json_integer(100));
    }
    tags = json_pack("{s:s, s:s, s:s, s:s}", "Vendor", "Databricks", "Creator",
                     "sim@example.com", "ClusterName",
                     json_string_value(json_object_get(o, "cluster_name"))
                         ? json_string_value(json_object_get(o, "cluster_name"))
                         : "",
                     "ClusterId", c->id);
    json_object_set_new(o, "default_tags", tags);
    json_object_set_new(o, "creator_user_name", json_string("sim@example.com"));
    json_object_set_new(o, "state", json_string(state_names[c->state]));
    json_object_set_new(o, "state_message",
                        json_string(c->message ? c->message : ""));
    json_object_set_new(o, "start_time", json_integer(c->start_ms));
    if (c->state == CS_TERMINATED || c->state == CS_ERROR)
        json_object_set_new(o, "terminated_time",
                            json_integer(c->terminated_ms));
    if (c->reason)
        json_object_set(o, "termination_reason", c->reason);
    json_object_set_new(o, "cluster_source", json_string("API"));
    return o;
}

static const char *param_id(struct sim_req *req)
{
    return sim_req_param(req, "cluster_id");
}

/* The cluster a POST body names, or NULL with resp filled. */
static struct cluster *body_cluster(struct sim_dbxc *dc, json_t *body,
                                    struct sim_resp *resp)
{
    json_t *id = json_object_get(body, "cluster_id");
    struct cluster *c;

    if (!json_is_string(id)) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Missing required field: cluster_id");
        return NULL;
    }
    c = find(dc, json_string_value(id));
    if (!c)
        not_found(json_string_value(id), resp);
    return c;
}

static void ok(struct sim_resp *resp)
{
    sim_resp_json(resp, 200, json_object());
}

static void handle_edit(struct sim_dbxc *dc, json_t *body,
                        struct sim_resp *resp)
{
    struct cluster *c = body_cluster(dc, body, resp);
    json_t *spec = NULL;

    if (!c)
        return;
    if (c->state != CS_RUNNING && c->state != CS_TERMINATED) {
        bad_state(c, resp);
        return;
    }
    if (check_spec(dc, body, &spec, resp) < 0)
        return;
    json_decref(c->spec);
    c->spec = spec;
    /* An edit of a running cluster restarts it (Clusters API: edit). */
    if (c->state == CS_RUNNING)
        begin_start(dc, c, CS_RESTARTING);
    ok(resp);
}

/* resize: only the size of a running cluster, no restart. */
static void handle_resize(struct sim_dbxc *dc, json_t *body,
                          struct sim_resp *resp)
{
    struct cluster *c = body_cluster(dc, body, resp);
    json_t *n = json_object_get(body, "num_workers");
    json_t *as = json_object_get(body, "autoscale");

    if (!c)
        return;
    if ((n && !json_is_integer(n)) || (as && !json_is_object(as))) {
        malformed(resp, n && !json_is_integer(n) ? "num_workers" : "autoscale");
        return;
    }
    if (!n == !as) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Exactly one of num_workers or autoscale is required");
        return;
    }
    if (c->state != CS_RUNNING) {
        bad_state(c, resp);
        return;
    }
    json_object_del(c->spec, n ? "autoscale" : "num_workers");
    json_object_set(c->spec, n ? "num_workers" : "autoscale", n ? n : as);
    c->state = CS_RESIZING;
    c->until_ms = now(dc) + dc->startup_ms;
    set_message(c, "Resizing the cluster");
    ok(resp);
}

static void drop_uninstalled(struct cluster *c)
{
    size_t i, j = 0;

    for (i = 0; i < c->nlibs; i++) {
        if (c->libs[i].uninstall) {
            json_decref(c->libs[i].library);
            continue;
        }
        c->libs[j++] = c->libs[i];
    }
    c->nlibs = j;
}

static void handle_simple(struct sim_dbxc *dc, const char *tail, json_t *body,
                          struct sim_resp *resp)
{
    struct cluster *c = body_cluster(dc, body, resp);

    if (!c)
        return;
    if (strcmp(tail, "start") == 0) {
        if (c->state != CS_TERMINATED && c->state != CS_ERROR) {
            bad_state(c, resp);
            return;
        }
        drop_uninstalled(c);
        begin_start(dc, c, CS_PENDING);
    } else if (strcmp(tail, "restart") == 0) {
        if (c->state != CS_RUNNING) {
            bad_state(c, resp);
            return;
        }
        drop_uninstalled(c);
        begin_start(dc, c, CS_RESTARTING);
    } else if (strcmp(tail, "delete") == 0) {
        if (c->state != CS_TERMINATED && c->state != CS_TERMINATING &&
            c->state != CS_ERROR)
            begin_terminate(dc, c);
        advance(dc, c);
    } else if (strcmp(tail, "permanent-delete") == 0) {
        c->deleted = 1;
    } else if (strcmp(tail, "pin") == 0) {
        c->pinned = 1;
    } else {
        c->pinned = 0;
    }
    ok(resp);
}

static json_t *list_json(struct sim_dbxc *dc)
{
    json_t *a = json_array();
    size_t i;

    for (i = dc->n; a && i > 0; i--) {
        struct cluster *c = &dc->items[i - 1];

        if (c->deleted)
            continue;
        advance(dc, c);
        json_array_append_new(a, details(dc, c));
    }
    return a;
}

/* ---- libraries ----------------------------------------------------------*/

/* The name a library is known by for library_fail: its package,
 * coordinates or path. */
static const char *lib_name(const json_t *lib)
{
    const char *s;

    if ((s = json_string_value(
             json_object_get(json_object_get(lib, "pypi"), "package"))))
        return s;
    if ((s = json_string_value(
             json_object_get(json_object_get(lib, "maven"), "coordinates"))))
        return s;
    if ((s = json_string_value(json_object_get(lib, "jar"))))
        return s;
    if ((s = json_string_value(json_object_get(lib, "whl"))))
        return s;
    return json_string_value(json_object_get(lib, "requirements"));
}

static int lib_valid(const json_t *lib)
{
    static const char *const kinds[] = {"pypi",         "maven", "jar", "whl",
                                        "requirements", "egg",   "cran"};
    size_t i, n = 0;

    if (!json_is_object(lib))
        return 0;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (json_object_get(lib, kinds[i]))
            n++;
    return n == 1 && lib_name(lib) != NULL;
}

static struct clib *find_lib(struct cluster *c, const json_t *lib)
{
    size_t i;

    for (i = 0; i < c->nlibs; i++)
        if (json_equal(c->libs[i].library, (json_t *)lib))
            return &c->libs[i];
    return NULL;
}

static void handle_libs(struct sim_dbxc *dc, const char *tail, json_t *body,
                        struct sim_resp *resp)
{
    struct cluster *c = body_cluster(dc, body, resp);
    json_t *libs = json_object_get(body, "libraries"), *lib;
    size_t i;
    int install = strcmp(tail, "install") == 0;

    if (!c)
        return;
    if (!json_is_array(libs)) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Missing required field: libraries");
        return;
    }
    json_array_foreach(libs, i, lib)
    {
        if (!lib_valid(lib)) {
            sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                          "libraries[%zu]: give exactly one of pypi, maven, "
                          "jar, whl, requirements, egg, cran",
                          i);
            return;
        }
    }
    json_array_foreach(libs, i, lib)
    {
        struct clib *l = find_lib(c, lib);

        if (!install) {
            if (l)
                l->uninstall = 1;
            continue;
        }
        if (l) {
            l->uninstall = 0;
            continue;
        }
        if (c->nlibs == c->alibs) {
            size_t a = c->alibs ? c->alibs * 2 : 4;
            struct clib *n = tern_realloc(c->libs, a * sizeof(*n));

            if (!n) {
                sim_dbx_error(resp, 500, "INTERNAL_ERROR", "out of memory");
                return;
            }
            c->libs = n;
            c->alibs = a;
        }
        l = &c->libs[c->nlibs++];
        memset(l, 0, sizeof(*l));
        l->library = json_incref(lib);
        l->ready_ms = now(dc) + dc->library_ms;
        l->failed = dc->lib_fail && strcmp(dc->lib_fail, lib_name(lib)) == 0;
    }
    ok(resp);
}

static void handle_lib_status(struct sim_dbxc *dc, struct sim_req *req,
                              struct sim_resp *resp)
{
    struct cluster *c = find(dc, param_id(req));
    json_t *a, *o;
    size_t i;

    if (!c) {
        not_found(param_id(req), resp);
        return;
    }
    a = json_array();
    for (i = 0; a && i < c->nlibs; i++) {
        struct clib *l = &c->libs[i];
        const char *st;

        if (l->uninstall)
            st = "UNINSTALL_ON_RESTART";
        else if (c->state != CS_RUNNING)
            st = "PENDING";
        else if (now(dc) < l->ready_ms)
            st = "INSTALLING";
        else
            st = l->failed ? "FAILED" : "INSTALLED";
        o = json_pack("{s:O, s:s, s:b}", "library", l->library, "status", st,
                      "is_library_for_all_clusters", 0);
        if (o && strcmp(st, "FAILED") == 0)
            json_object_set_new(o, "messages",
                                json_pack("[s]", dc->lib_fail_msg
                                                     ? dc->lib_fail_msg
                                                     : "Library installation "
                                                       "failed"));
        json_array_append_new(a, o);
    }
    o = json_pack("{s:s}", "cluster_id", c->id);
    if (o && a && json_array_size(a))
        json_object_set_new(o, "library_statuses", a);
    else
        json_decref(a);
    sim_resp_json(resp, 200, o);
}

/* ---- dispatch -----------------------------------------------------------*/

int sim_dbxc_serves(const char *path)
{
    return strncmp(path, "/api/2.1/clusters/", 18) == 0 ||
           strncmp(path, "/api/2.0/libraries/", 19) == 0;
}

static int parse(struct sim_req *req, struct sim_resp *resp, json_t **out)
{
    json_error_t jerr;

    *out = NULL;
    if (!req->body || req->body_len == 0) {
        *out = json_object();
        return 0;
    }
    *out = json_loadb(req->body, req->body_len, 0, &jerr);
    if (!*out || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        sim_dbx_error(resp, 400, "MALFORMED_REQUEST",
                      "Invalid JSON given in the body of the request - "
                      "expected a map");
        return -1;
    }
    return 0;
}

void sim_dbxc_handle(struct sim_dbxc *dc, struct sim_req *req,
                     struct sim_resp *resp)
{
    static const struct {
        const char *path;
        const char *method;
    } eps[] = {
        {"/api/2.1/clusters/create", "POST"},
        {"/api/2.1/clusters/get", "GET"},
        {"/api/2.1/clusters/list", "GET"},
        {"/api/2.1/clusters/edit", "POST"},
        {"/api/2.1/clusters/resize", "POST"},
        {"/api/2.1/clusters/start", "POST"},
        {"/api/2.1/clusters/restart", "POST"},
        {"/api/2.1/clusters/delete", "POST"},
        {"/api/2.1/clusters/permanent-delete", "POST"},
        {"/api/2.1/clusters/pin", "POST"},
        {"/api/2.1/clusters/unpin", "POST"},
        {"/api/2.0/libraries/install", "POST"},
        {"/api/2.0/libraries/uninstall", "POST"},
        {"/api/2.0/libraries/cluster-status", "GET"},
    };
    size_t i, n = sizeof(eps) / sizeof(eps[0]);
    const char *tail;
    json_t *body = NULL;

    for (i = 0; i < n; i++)
        if (strcmp(req->path, eps[i].path) == 0)
            break;
    if (i == n) {
        sim_dbx_error(resp, 404, "ENDPOINT_NOT_FOUND",
                      "No API found for '%s %s'", req->method, req->path + 8);
        return;
    }
    if (strcmp(req->method, eps[i].method) != 0) {
        sim_dbx_error(resp, 405, "METHOD_NOT_ALLOWED",
                      "HTTP method %s is not supported by this URL",
                      req->method);
        return;
    }
    tail = strrchr(req->path, '/') + 1;
    if (strcmp(tail, "get") == 0) {
        struct cluster *c = find(dc, param_id(req));

        if (!c)
            not_found(param_id(req), resp);
        else
            sim_resp_json(resp, 200, details(dc, c));
        return;
    }
    if (strcmp(tail, "list") == 0) {
        sim_resp_json(resp, 200, json_pack("{s:o}", "clusters", list_json(dc)));
        return;
    }
    if (strcmp(tail, "cluster-status") == 0) {
        handle_lib_status(dc, req, resp);
        return;
    }
    if (parse(req, resp, &body) < 0)
        return;
    if (strcmp(tail, "create") == 0)
        handle_create(dc, body, resp);
    else if (strcmp(tail, "edit") == 0)
        handle_edit(dc, body, resp);
    else if (strcmp(tail, "resize") == 0)
        handle_resize(dc, body, resp);
    else if (strcmp(tail, "install") == 0 || strcmp(tail, "uninstall") == 0)
        handle_libs(dc, tail, body, resp);
    else
        handle_simple(dc, tail, body, resp);
    json_decref(body);
}

/* ---- control ------------------------------------------------------------*/

static json_t *settings_json(struct sim_dbxc *dc)
{
    json_t *o = json_pack("{s:i, s:i, s:i}", "startup_ms", dc->startup_ms,
                          "terminate_ms", dc->terminate_ms, "library_ms",
                          dc->library_ms);

    if (o && dc->fail)
        json_object_set(o, "fail", dc->fail);
    if (o && dc->lib_fail)
        json_object_set_new(o, "library_fail",
                            json_pack("{s:s, s:s?}", "name", dc->lib_fail,
                                      "message", dc->lib_fail_msg));
    return o;
}

static int ctl_ms(json_t *doc, const char *name, int *out, char *err,
                  size_t errlen)
{
    json_t *v = json_object_get(doc, name);

    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 3600000) {
        snprintf(err, errlen, "%s must be an integer in [0, 3600000]", name);
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

void sim_dbxc_control(struct sim_dbxc *dc, struct sim_req *req,
                      struct sim_resp *resp)
{
    char err[160] = "";
    json_t *doc, *fail, *lf;
    json_error_t jerr;
    int st = dc->startup_ms, tm = dc->terminate_ms, lm = dc->library_ms;

    if (strcmp(req->method, "GET") == 0) {
        json_t *a = json_array();
        size_t i;

        for (i = 0; a && i < dc->n; i++) {
            struct cluster *c = &dc->items[i];
            json_t *o;

            advance(dc, c);
            o = details(dc, c);
            if (o) {
                json_object_set_new(o, "deleted", json_boolean(c->deleted));
                json_object_set_new(o, "created_ms",
                                    json_integer(c->created_ms));
                json_object_set_new(o, "pinned", json_boolean(c->pinned));
            }
            json_array_append_new(a, o);
        }
        sim_resp_json(resp, 200,
                      json_pack("{s:o, s:o}", "clusters", a, "settings",
                                settings_json(dc)));
        return;
    }
    doc = json_loadb(req->body ? req->body : "", req->body_len, 0, &jerr);
    if (!json_is_object(doc)) {
        json_decref(doc);
        sim_resp_json(resp, 400,
                      json_pack("{s:s, s:s}", "error_code", "INVALID_REQUEST",
                                "message", "body must be a JSON object"));
        return;
    }
    fail = json_object_get(doc, "fail");
    lf = json_object_get(doc, "library_fail");
    if (ctl_ms(doc, "startup_ms", &st, err, sizeof(err)) ||
        ctl_ms(doc, "terminate_ms", &tm, err, sizeof(err)) ||
        ctl_ms(doc, "library_ms", &lm, err, sizeof(err)))
        goto bad;
    if (fail && !json_is_null(fail) &&
        (!json_is_object(fail) ||
         !json_is_integer(json_object_get(fail, "count")) ||
         !json_is_string(json_object_get(fail, "code")))) {
        snprintf(err, sizeof(err),
                 "fail must be {count, code, type?, parameters?, message?, "
                 "error_state?}");
        goto bad;
    }
    if (lf && !json_is_null(lf) &&
        (!json_is_object(lf) || !json_is_string(json_object_get(lf, "name")))) {
        snprintf(err, sizeof(err), "library_fail must be {name, message?}");
        goto bad;
    }
    dc->startup_ms = st;
    dc->terminate_ms = tm;
    dc->library_ms = lm;
    if (fail) {
        json_decref(dc->fail);
        dc->fail = json_is_null(fail) ? NULL : json_deep_copy(fail);
    }
    if (lf) {
        tern_free(dc->lib_fail);
        tern_free(dc->lib_fail_msg);
        dc->lib_fail = dc->lib_fail_msg = NULL;
        if (!json_is_null(lf)) {
            const char *m = json_string_value(json_object_get(lf, "message"));

            dc->lib_fail =
                tern_strdup(json_string_value(json_object_get(lf, "name")));
            dc->lib_fail_msg = m ? tern_strdup(m) : NULL;
        }
    }
    json_decref(doc);
    sim_resp_json(resp, 200, settings_json(dc));
    return;
bad:
    json_decref(doc);
    sim_resp_json(resp, 400,
                  json_pack("{s:s, s:s}", "error_code", "INVALID_REQUEST",
                            "message", err));
}
