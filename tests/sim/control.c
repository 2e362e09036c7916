/*
 * The control endpoint, everything under /_sim/, for tests, the demo and
 * the benchmarks. Never faulted, never authenticated, never logged; it
 * exists only on loopback like the rest of the server.
 *
 *   GET  /_sim/health    {"status": "ok"}
 *   POST /_sim/reset     forget every object, call, key and clock shift
 *                        added since start; faults back to the flags'
 *   GET  /_sim/dump      {"iam": {...}, "databricks": {...}} (see iam.c and
 *                        databricks.c for the inner shapes)
 *   POST /_sim/load      the dump's shape (either part optional), plus
 *                        "keys": [{access_key_id, secret_access_key,
 *                        session_token?, expires_ms?, account?, arn?}]
 *   GET  /_sim/calls     {"calls": [{seq, service, action, status,
 *                        error_code, start_ms, end_ms, and for AWS calls
 *                        body_sha256: the body's bytes as received}]}
 *   GET  /_sim/calls?at_least=N  the same, once N calls are logged (or
 *                        after 30 s of waiting): a test waits for a call
 *                        the server logs late (after its latency) without
 *                        sleeping
 *   DELETE /_sim/calls   clear the log
 *   GET  /_sim/faults    the fault settings
 *   POST /_sim/faults    change some of them: seed, latency_ms, jitter_ms,
 *                        throttle_rate, error_rate, drop_rate,
 *                        propagation_ms, propagation_jitter_ms,
 *                        garble_rate, garble_mode, stall_ms; a new seed
 *                        restarts the generator
 *   GET  /_sim/clock     {"now_ms", "offset_ms"}
 *   POST /_sim/clock     {"advance_ms": N} or {"offset_ms": N}
 *   POST /_sim/s3/race   {"bucket", "read", "hold", "put", "delete"}:
 *                        another client's S3 writes between two requests
 *                        (sim_s3_race in sim.h)
 *   GET/POST /_sim/clusters  the Databricks clusters and their start-up
 *                        time and failures (dbx_clusters.c)
 *   POST /_sim/hold      {"until": N}: from now on every service request
 *                        waits, before its latency and its work, until N
 *                        wait together; then all go on and the hold ends.
 *                        A test proves N requests were in flight at once
 *                        by the server's own count, whatever the timing
 *                        (a hold not reached in HOLD_LIMIT_S lets its
 *                        requests go and says so: timed_out)
 *   GET  /_sim/hold      {"until" (0: none), "held" (waiting now),
 *                        "max_held" (the most that waited at once since
 *                        the hold was set), "timed_out"}
 *   GET  /_sim/hold?held=K  the same, once K requests wait (or after 30 s):
 *                        a test sees a request of tern's in flight
 *   DELETE /_sim/hold    let every waiting request go; end the hold
 */
#include "sim.h"
#include "util/alloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void bad_request(struct sim_resp *resp, const char *msg)
{
    sim_resp_json(resp, 400,
                  json_pack("{s:s, s:s}", "error_code", "INVALID_REQUEST",
                            "message", msg));
}

static json_t *parse_body(const struct sim_req *req, struct sim_resp *resp)
{
    json_error_t err;
    json_t *doc;

    doc = json_loadb(req->body ? req->body : "", req->body_len, 0, &err);
    if (!doc || !json_is_object(doc)) {
        char msg[256];

        snprintf(msg, sizeof(msg), "body must be a JSON object: %s",
                 doc ? "not an object" : err.text);
        json_decref(doc);
        bad_request(resp, msg);
        return NULL;
    }
    return doc;
}

static json_t *faults_json(const struct sim_faults *f)
{
    return json_pack("{s:I, s:i, s:i, s:f, s:f, s:f, s:i, s:i, s:f, s:s, s:i}",
                     "seed", (json_int_t)f->seed, "latency_ms", f->latency_ms,
                     "jitter_ms", f->jitter_ms, "throttle_rate",
                     f->throttle_rate, "error_rate", f->error_rate, "drop_rate",
                     f->drop_rate, "propagation_ms", f->propagation_ms,
                     "propagation_jitter_ms", f->propagation_jitter_ms,
                     "garble_rate", f->garble_rate, "garble_mode",
                     f->garble_mode[0] ? f->garble_mode : "truncate",
                     "stall_ms", f->stall_ms);
}

static int get_rate(json_t *doc, const char *name, double *out,
                    struct sim_resp *resp)
{
    json_t *v = json_object_get(doc, name);

    if (!v)
        return 0;
    if (!json_is_number(v) || json_number_value(v) < 0 ||
        json_number_value(v) > 1) {
        char msg[128];

        snprintf(msg, sizeof(msg), "%s must be a number in [0, 1]", name);
        bad_request(resp, msg);
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

static int get_ms(json_t *doc, const char *name, int *out,
                  struct sim_resp *resp)
{
    json_t *v = json_object_get(doc, name);

    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 3600000) {
        char msg[128];

        snprintf(msg, sizeof(msg), "%s must be an integer in [0, 3600000]",
                 name);
        bad_request(resp, msg);
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

static void set_faults(struct sim *sim, const struct sim_req *req,
                       struct sim_resp *resp)
{
    json_t *doc = parse_body(req, resp), *seed;
    struct sim_faults f = sim->faults;

    if (!doc)
        return;
    if (get_ms(doc, "latency_ms", &f.latency_ms, resp) ||
        get_ms(doc, "jitter_ms", &f.jitter_ms, resp) ||
        get_ms(doc, "propagation_ms", &f.propagation_ms, resp) ||
        get_ms(doc, "propagation_jitter_ms", &f.propagation_jitter_ms, resp) ||
        get_rate(doc, "throttle_rate", &f.throttle_rate, resp) ||
        get_rate(doc, "error_rate", &f.error_rate, resp) ||
        get_rate(doc, "drop_rate", &f.drop_rate, resp) ||
        get_rate(doc, "garble_rate", &f.garble_rate, resp) ||
        get_ms(doc, "stall_ms", &f.stall_ms, resp))
        goto done;
    if (json_object_get(doc, "garble_mode")) {
        const char *mode =
            json_string_value(json_object_get(doc, "garble_mode"));

        if (!sim_garble_mode_valid(mode)) {
            bad_request(resp, "garble_mode is one of truncate, oversize, "
                              "html, shape, stall, empty, escape, endless");
            goto done;
        }
        snprintf(f.garble_mode, sizeof(f.garble_mode), "%s", mode);
    }
    seed = json_object_get(doc, "seed");
    if (seed) {
        if (!json_is_integer(seed)) {
            bad_request(resp, "seed must be an integer");
            goto done;
        }
        f.seed = (uint64_t)json_integer_value(seed);
        sim->rng_state = f.seed;
    }
    sim->faults = f;
    sim_resp_json(resp, 200, faults_json(&sim->faults));
done:
    json_decref(doc);
}

static void set_clock(struct sim *sim, const struct sim_req *req,
                      struct sim_resp *resp)
{
    json_t *doc = parse_body(req, resp), *adv, *off;

    if (!doc)
        return;
    adv = json_object_get(doc, "advance_ms");
    off = json_object_get(doc, "offset_ms");
    if ((adv && !json_is_integer(adv)) || (off && !json_is_integer(off)) ||
        (!adv && !off)) {
        bad_request(resp, "give advance_ms or offset_ms as an integer");
        json_decref(doc);
        return;
    }
    if (off)
        sim->clock_offset_ms = json_integer_value(off);
    if (adv)
        sim->clock_offset_ms += json_integer_value(adv);
    json_decref(doc);
    sim_resp_json(resp, 200,
                  json_pack("{s:I, s:I}", "now_ms", (json_int_t)sim_now_ms(sim),
                            "offset_ms", (json_int_t)sim->clock_offset_ms));
}

static int load_keys(struct sim *sim, json_t *keys, char *err, size_t errlen)
{
    size_t i;
    json_t *k;

    if (!json_is_array(keys)) {
        snprintf(err, errlen, "keys must be an array");
        return -1;
    }
    json_array_foreach(keys, i, k)
    {
        struct sim_key key;

        memset(&key, 0, sizeof(key));
        key.access_key_id =
            (char *)json_string_value(json_object_get(k, "access_key_id"));
        key.secret_access_key =
            (char *)json_string_value(json_object_get(k, "secret_access_key"));
        key.session_token =
            (char *)json_string_value(json_object_get(k, "session_token"));
        key.account = (char *)json_string_value(json_object_get(k, "account"));
        key.arn = (char *)json_string_value(json_object_get(k, "arn"));
        key.user_id = (char *)json_string_value(json_object_get(k, "user_id"));
        key.expires_ms = json_integer_value(json_object_get(k, "expires_ms"));
        if (!key.access_key_id || !key.secret_access_key) {
            snprintf(err, errlen,
                     "keys[%zu]: access_key_id and secret_access_key are "
                     "required",
                     i);
            return -1;
        }
        if (sim_key_add(sim, &key) != 0) {
            snprintf(err, errlen, "keys[%zu]: out of memory", i);
            return -1;
        }
    }
    return 0;
}

static void load(struct sim *sim, const struct sim_req *req,
                 struct sim_resp *resp)
{
    json_t *doc = parse_body(req, resp), *part;
    char err[512] = "";

    if (!doc)
        return;
    if ((part = json_object_get(doc, "keys")) &&
        load_keys(sim, part, err, sizeof(err)) != 0)
        goto fail;
    if ((part = json_object_get(doc, "iam")) &&
        sim_iam_load(sim->iam, part, err, sizeof(err)) != 0)
        goto fail;
    if ((part = json_object_get(doc, "databricks")) &&
        sim_dbx_load(sim->dbx, part, err, sizeof(err)) != 0)
        goto fail;
    if ((part = json_object_get(doc, "s3")) &&
        sim_s3_load(sim->s3, part, err, sizeof(err)) != 0)
        goto fail;
    if ((part = json_object_get(doc, "dynamodb")) &&
        sim_ddb_load(sim->ddb, part, err, sizeof(err)) != 0)
        goto fail;
    json_decref(doc);
    sim_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
    return;
fail:
    json_decref(doc);
    bad_request(resp, err);
}

static void race(struct sim *sim, const struct sim_req *req,
                 struct sim_resp *resp)
{
    json_t *doc = parse_body(req, resp);
    char err[256] = "";

    if (!doc)
        return;
    if (sim_s3_race(sim->s3, doc, err, sizeof(err)) != 0)
        bad_request(resp, err);
    else
        sim_resp_json(resp, 200, json_pack("{s:s}", "status", "armed"));
    json_decref(doc);
}

/* The longest a request waits at the gate (the test client gives a call
 * 60 s). */
#define HOLD_LIMIT_S 50

static void open_gate(struct sim *sim, int timed_out)
{
    sim->hold_until = 0;
    sim->hold_gen++;
    sim->hold_timed_out = timed_out;
    pthread_cond_broadcast(&sim->hold_cond);
}

void sim_hold_pass(struct sim *sim)
{
    uint64_t gen = sim->hold_gen;
    struct timespec deadline;

    if (sim->hold_until <= 0)
        return;
    sim->held++;
    if (sim->held > sim->hold_max)
        sim->hold_max = sim->held;
    if (sim->held >= sim->hold_until)
        open_gate(sim, 0);
    else
        pthread_cond_broadcast(&sim->hold_cond); /* GET ?held=K */
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += HOLD_LIMIT_S;
    while (sim->hold_gen == gen)
        if (pthread_cond_timedwait(&sim->hold_cond, &sim->lock, &deadline) &&
            sim->hold_gen == gen)
            open_gate(sim, 1);
    sim->held--;
}

void sim_hold_release(struct sim *sim)
{
    if (sim->hold_until > 0)
        open_gate(sim, 0);
}

static json_t *hold_json(const struct sim *sim)
{
    return json_pack("{s:i, s:i, s:i, s:b}", "until", sim->hold_until, "held",
                     sim->held, "max_held", sim->hold_max, "timed_out",
                     sim->hold_timed_out);
}

static void set_hold(struct sim *sim, const struct sim_req *req,
                     struct sim_resp *resp)
{
    json_t *doc = parse_body(req, resp), *until;
    json_int_t n;

    if (!doc)
        return;
    until = json_object_get(doc, "until");
    n = json_is_integer(until) ? json_integer_value(until) : 0;
    json_decref(doc);
    if (n < 1 || n > 1000) {
        bad_request(resp, "until must be an integer in [1, 1000]");
        return;
    }
    sim->hold_until = (int)n;
    sim->hold_max = sim->held;
    sim->hold_timed_out = 0;
    if (sim->held >= sim->hold_until)
        open_gate(sim, 0);
    sim_resp_json(resp, 200, hold_json(sim));
}

/* Wait (lock held, released while waiting) until @held requests wait at
 * the gate, at most 30 s. */
static void wait_held(struct sim *sim, const char *held)
{
    long n = held ? strtol(held, NULL, 10) : 0;
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 30;
    while (n > 0 && sim->held < n)
        if (pthread_cond_timedwait(&sim->hold_cond, &sim->lock, &deadline))
            break;
}

static json_t *calls_json(const struct sim *sim)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < sim->ncalls; i++) {
        const struct sim_call *c = &sim->calls[i];
        json_t *o = json_pack(
            "{s:I, s:s, s:s, s:i, s:s, s:I, s:I}", "seq", (json_int_t)c->seq,
            "service", c->service, "action", c->action, "status", c->status,
            "error_code", c->error_code, "start_ms", (json_int_t)c->start_ms,
            "end_ms", (json_int_t)c->end_ms);

        if (o && c->body_sha256[0])
            json_object_set_new(o, "body_sha256", json_string(c->body_sha256));
        json_array_append_new(arr, o);
    }
    return json_pack("{s:o}", "calls", arr);
}

/* Wait (lock held, released while waiting) until @at_least calls are
 * logged, at most 30 s. */
static void wait_calls(struct sim *sim, const char *at_least)
{
    long n = at_least ? strtol(at_least, NULL, 10) : 0;
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 30;
    while (n > 0 && sim->ncalls < (size_t)n)
        if (pthread_cond_timedwait(&sim->calls_cond, &sim->lock, &deadline))
            break;
}

void sim_control_handle(struct sim *sim, struct sim_req *req,
                        struct sim_resp *resp)
{
    const char *what = req->path + strlen("/_sim/");
    int get = strcmp(req->method, "GET") == 0;
    int post = strcmp(req->method, "POST") == 0;

    if (strcmp(what, "health") == 0 && get) {
        sim_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
    } else if (strcmp(what, "reset") == 0 && post) {
        sim_iam_reset(sim->iam);
        sim_dbx_reset(sim->dbx);
        sim_dbxc_reset(sim->dbxc);
        sim_s3_reset(sim->s3);
        sim_ddb_reset(sim->ddb);
        sim_keys_truncate(sim, sim->initial_nkeys);
        sim->ncalls = 0;
        sim->faults = sim->initial_faults;
        sim->rng_state = sim->faults.seed;
        sim->clock_offset_ms = 0;
        sim_hold_release(sim);
        sim->hold_max = 0;
        sim->hold_timed_out = 0;
        sim_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
    } else if (strcmp(what, "dump") == 0 && get) {
        sim_resp_json(resp, 200,
                      json_pack("{s:o, s:o, s:o, s:o}", "iam",
                                sim_iam_dump(sim->iam), "databricks",
                                sim_dbx_dump(sim->dbx), "s3",
                                sim_s3_dump(sim->s3), "dynamodb",
                                sim_ddb_dump(sim->ddb)));
    } else if (strcmp(what, "load") == 0 && post) {
        load(sim, req, resp);
    } else if (strcmp(what, "calls") == 0 && get) {
        wait_calls(sim, sim_req_param(req, "at_least"));
        sim_resp_json(resp, 200, calls_json(sim));
    } else if (strcmp(what, "calls") == 0 &&
               strcmp(req->method, "DELETE") == 0) {
        sim->ncalls = 0;
        sim_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
    } else if (strcmp(what, "faults") == 0 && get) {
        sim_resp_json(resp, 200, faults_json(&sim->faults));
    } else if (strcmp(what, "faults") == 0 && post) {
        set_faults(sim, req, resp);
    } else if (strcmp(what, "s3/race") == 0 && post) {
        race(sim, req, resp);
    } else if (strcmp(what, "clusters") == 0 && (get || post)) {
        sim_dbxc_control(sim->dbxc, req, resp);
    } else if (strcmp(what, "clock") == 0 && get) {
        sim_resp_json(resp, 200,
                      json_pack("{s:I, s:I}", "now_ms",
                                (json_int_t)sim_now_ms(sim), "offset_ms",
                                (json_int_t)sim->clock_offset_ms));
    } else if (strcmp(what, "clock") == 0 && post) {
        set_clock(sim, req, resp);
    } else if (strcmp(what, "hold") == 0 && post) {
        set_hold(sim, req, resp);
    } else if (strcmp(what, "hold") == 0 && get) {
        wait_held(sim, sim_req_param(req, "held"));
        sim_resp_json(resp, 200, hold_json(sim));
    } else if (strcmp(what, "hold") == 0 &&
               strcmp(req->method, "DELETE") == 0) {
        sim_hold_release(sim);
        sim_resp_json(resp, 200, hold_json(sim));
    } else {
        sim_resp_json(resp, 404,
                      json_pack("{s:s, s:s}", "error_code", "NOT_FOUND",
                                "message", "unknown control endpoint"));
    }
}
