/*
 * tern-sim's entry point and HTTP layer (libmicrohttpd, a thread per
 * connection so that injected latency in one request never delays
 * another). See sim.h for the shape of the whole simulator.
 *
 * Usage: tern-sim [options]
 *   --port N                  listen on 127.0.0.1:N (0: the OS picks)
 *   --port-file PATH          write the port there once listening
 *   --port-fd N               write it to descriptor N and close it (a
 *                             pipe the starting test reads, blocking)
 *   --seed N                  seed of the fault generator (default 1)
 *   --latency-ms N            added to every service request
 *   --jitter-ms N             plus uniform [0, N]
 *   --throttle-rate R         fraction answered Throttling (0..1)
 *   --error-rate R            fraction answered 500/503
 *   --drop-rate R             fraction whose connection is dropped
 *   --propagation-ms N        eventual-consistency delay of IAM changes
 *   --propagation-jitter-ms N plus uniform [0, N] per object
 *   --garble-rate R           fraction of responses mangled after the work
 *   --garble-mode MODE        truncate, oversize, html, shape, stall, empty,
 *                             escape or endless
 *   --stall-ms N              how long a stalled response waits
 *   --key AKID:SECRET[:ACCOUNT]  accept this key set (repeatable)
 *   --no-default-key          do not accept the default key set
 *   --imds                    also serve IMDSv2 under /latest/
 *   --databricks-token TOKEN  accept this bearer token (repeatable)
 *   --load FILE.json          load objects as POST /_sim/load does
 *   --quiet                   print nothing but errors
 *   --self-check URL          check a running tern-sim at URL and exit
 */
#include "sim.h"
#include "util/alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int sim_self_check(const char *url);

/*
 * imds.c lands separately from this file; until it does, these weak
 * references stay NULL and --imds reports that it is unavailable.
 */
#pragma weak sim_imds_new
#pragma weak sim_imds_free
#pragma weak sim_imds_handle

/* Bodies larger than this are refused (IAM's own limits are far lower). */
#define MAX_BODY (8u * 1024 * 1024)

static volatile sig_atomic_t stop_requested;

struct conn_ctx {
    char *raw_url;
    tern_buf body;
    int started;
    int too_large;
};

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct conn_ctx *ctx = tern_calloc(1, sizeof(*ctx));

    (void)cls;
    (void)conn;
    if (ctx)
        ctx->raw_url = tern_strdup(uri);
    return ctx;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_ctx *ctx = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (ctx) {
        tern_free(ctx->raw_url);
        tern_buf_release(&ctx->body);
        tern_free(ctx);
        *con_cls = NULL;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode [s, s+len); '+' is a space when plus_is_space. */
static char *decode(const char *s, size_t len, int plus_is_space)
{
    char *out = tern_malloc(len + 1);
    size_t i, o = 0;

    if (!out)
        return NULL;
    for (i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Split "a=1&b=2" into decoded pairs. */
static int parse_pairs(const char *s, struct sim_kv **out, size_t *n)
{
    size_t cap = 0;
    const char *p = s;

    *out = NULL;
    *n = 0;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);

        if (len > 0) {
            if (*n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct sim_kv *kv = tern_realloc(*out, ncap * sizeof(*kv));

                if (!kv)
                    return -1;
                *out = kv;
                cap = ncap;
            }
            (*out)[*n].name = decode(p, eq ? (size_t)(eq - p) : len, 1);
            (*out)[*n].value =
                eq ? decode(eq + 1, len - (size_t)(eq - p) - 1, 1)
                   : tern_strdup("");
            (*n)++;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

static void free_pairs(struct sim_kv *kv, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        tern_free(kv[i].name);
        tern_free(kv[i].value);
    }
    tern_free(kv);
}

struct header_walk {
    struct sim_req *req;
    size_t cap;
};

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    struct header_walk *w = cls;
    struct sim_req *req = w->req;

    (void)kind;
    if (req->nheaders == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16;
        struct sim_kv *kv = tern_realloc(req->headers, ncap * sizeof(*kv));

        if (!kv)
            return MHD_NO;
        req->headers = kv;
        w->cap = ncap;
    }
    req->headers[req->nheaders].name = tern_strdup(key);
    req->headers[req->nheaders].value = tern_strdup(value ? value : "");
    req->nheaders++;
    return MHD_YES;
}

static void make_request_id(struct sim *sim, char *out)
{
    uint64_t a = sim_rand_below(sim, UINT64_MAX), b;

    b = sim_rand_below(sim, UINT64_MAX);
    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffULL));
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

enum fault { FAULT_NONE, FAULT_DROP, FAULT_THROTTLE, FAULT_500, FAULT_503 };

/* Draw this request's fault (lock held). */
static enum fault draw_fault(struct sim *sim)
{
    const struct sim_faults *f = &sim->faults;

    if (f->drop_rate > 0 && sim_rand(sim) < f->drop_rate)
        return FAULT_DROP;
    if (f->throttle_rate > 0 && sim_rand(sim) < f->throttle_rate)
        return FAULT_THROTTLE;
    if (f->error_rate > 0 && sim_rand(sim) < f->error_rate)
        return sim_rand(sim) < 0.5 ? FAULT_500 : FAULT_503;
    return FAULT_NONE;
}

static int64_t draw_latency(struct sim *sim)
{
    int64_t ms;

    pthread_mutex_lock(&sim->lock);
    ms = sim->faults.latency_ms;
    if (sim->faults.jitter_ms > 0)
        ms += (int64_t)sim_rand_below(sim, (uint64_t)sim->faults.jitter_ms + 1);
    pthread_mutex_unlock(&sim->lock);
    return ms;
}

static void apply_aws_fault(enum fault f, struct sim_resp *resp,
                            const struct sim_req *req)
{
    switch (f) {
    case FAULT_THROTTLE:
        sim_aws_error(resp, req, 400, "Sender", "Throttling", "Rate exceeded");
        break;
    case FAULT_500:
        sim_aws_error(resp, req, 500, "Receiver", "ServiceFailure",
                      "The request processing has failed because of an "
                      "unknown error, exception or failure.");
        break;
    case FAULT_503:
        sim_aws_error(resp, req, 503, "Receiver", "ServiceUnavailable",
                      "Service is unable to handle request.");
        break;
    default:
        break;
    }
}

static void apply_dbx_fault(enum fault f, struct sim_resp *resp)
{
    switch (f) {
    case FAULT_THROTTLE:
        sim_dbx_error(resp, 429, "REQUEST_LIMIT_EXCEEDED",
                      "Too many requests. Please wait a moment and try "
                      "again.");
        snprintf(resp->extra_header, sizeof(resp->extra_header),
                 "Retry-After: 1");
        break;
    case FAULT_500:
        sim_dbx_error(resp, 500, "INTERNAL_ERROR", "Internal error");
        break;
    case FAULT_503:
        sim_dbx_error(resp, 503, "TEMPORARILY_UNAVAILABLE",
                      "The service is temporarily unavailable.");
        break;
    default:
        break;
    }
}

/* Record the SHA-256 of the body in the call just logged (lock held), so a
 * test can check the exact bytes a client sent. */
static void log_body_hash(struct sim *sim, const struct sim_req *req)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[SHA256_DIGEST_LENGTH];
    char *out;
    size_t i;

    if (!sim->ncalls)
        return;
    out = sim->calls[sim->ncalls - 1].body_sha256;
    SHA256((const unsigned char *)(req->body ? req->body : ""), req->body_len,
           d);
    for (i = 0; i < sizeof(d); i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * sizeof(d)] = '\0';
}

/* An AWS Query request: faults, signature, then the service. */
static void handle_aws(struct sim *sim, struct sim_req *req,
                       struct sim_resp *resp)
{
    const char *action = sim_req_param(req, "Action");
    const char *service = "iam";
    int64_t start = sim_now_ms(sim);
    enum fault f;

    sleep_ms(draw_latency(sim));
    pthread_mutex_lock(&sim->lock);
    make_request_id(sim, req->request_id);
    if (action && sim_sts_has_action(action))
        service = "sts";
    else if (action && sim_ec2_has_action(action))
        service = "ec2";
    if (sim_auth_check(sim, req, resp) != 0)
        goto done;
    f = draw_fault(sim);
    if (f == FAULT_DROP) {
        resp->drop = 1;
        snprintf(resp->error_code, sizeof(resp->error_code), "Dropped");
        goto done;
    }
    if (f != FAULT_NONE) {
        apply_aws_fault(f, resp, req);
        goto done;
    }
    if (!action || !*action) {
        sim_aws_error(resp, req, 400, "Sender", "MissingAction",
                      "Missing Action");
    } else if (strcmp(service, "sts") == 0) {
        sim_sts_handle(sim, req, action, resp);
    } else if (strcmp(service, "ec2") == 0) {
        sim_ec2_handle(sim, req, action, resp);
    } else if (sim_iam_has_action(action)) {
        sim_iam_handle(sim->iam, req, action, resp);
    } else {
        sim_aws_error(resp, req, 400, "Sender", "InvalidAction",
                      "Could not find operation %s for version %s", action,
                      sim_req_param(req, "Version")
                          ? sim_req_param(req, "Version")
                          : "NO_VERSION_SPECIFIED");
    }
    sim_garble(sim, resp, 0);
done:
    sim_log_call(sim, service, action ? action : "",
                 resp->drop ? 0 : resp->status, resp->error_code, start,
                 sim_now_ms(sim));
    log_body_hash(sim, req);
    pthread_mutex_unlock(&sim->lock);
}

static void handle_dbx(struct sim *sim, struct sim_req *req,
                       struct sim_resp *resp)
{
    int64_t start = sim_now_ms(sim);
    const char *tail = req->path + strlen("/api/2.x/");
    enum fault f;

    sleep_ms(draw_latency(sim));
    pthread_mutex_lock(&sim->lock);
    make_request_id(sim, req->request_id);
    f = draw_fault(sim);
    if (f == FAULT_DROP) {
        resp->drop = 1;
        snprintf(resp->error_code, sizeof(resp->error_code), "Dropped");
    } else if (f != FAULT_NONE) {
        apply_dbx_fault(f, resp);
    } else {
        sim_dbx_handle(sim->dbx, req, resp);
        sim_garble(sim, resp, 1);
    }
    sim_log_call(sim, "databricks", tail, resp->drop ? 0 : resp->status,
                 resp->error_code, start, sim_now_ms(sim));
    pthread_mutex_unlock(&sim->lock);
}

/* S3 faults, in S3's words: SlowDown for throttling, InternalError and
 * 503 SlowDown for server errors. */
static void apply_s3_fault(enum fault f, struct sim_resp *resp,
                           const struct sim_req *req)
{
    const char *code = f == FAULT_500 ? "InternalError" : "SlowDown";
    const char *msg = f == FAULT_500
                          ? "We encountered an internal error. Please try "
                            "again."
                          : "Please reduce your request rate.";

    resp->status = f == FAULT_500 ? 500 : 503;
    resp->content_type = "application/xml";
    snprintf(resp->error_code, sizeof(resp->error_code), "%s", code);
    tern_buf_clear(&resp->body);
    if (strcmp(req->method, "HEAD") == 0)
        return;
    tern_buf_puts(&resp->body,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    sim_xml_elem(&resp->body, "Code", code);
    sim_xml_elem(&resp->body, "Message", msg);
    sim_xml_elem(&resp->body, "RequestId", req->request_id);
    tern_buf_puts(&resp->body, "</Error>");
}

/* An S3 request: latency, faults, then s3.c (which checks the
 * signature). */
static void handle_s3(struct sim *sim, struct sim_req *req,
                      struct sim_resp *resp)
{
    int64_t start = sim_now_ms(sim);
    const char *action = "";
    uint64_t arrival;
    enum fault f;

    pthread_mutex_lock(&sim->lock);
    arrival = sim_s3_seq(sim->s3);
    pthread_mutex_unlock(&sim->lock);
    sleep_ms(draw_latency(sim));
    pthread_mutex_lock(&sim->lock);
    arrival = sim_s3_hold(sim->s3, req, arrival);
    make_request_id(sim, req->request_id);
    f = draw_fault(sim);
    if (f == FAULT_DROP) {
        action = sim_s3_action(req);
        resp->drop = 1;
        snprintf(resp->error_code, sizeof(resp->error_code), "Dropped");
    } else if (f != FAULT_NONE) {
        action = sim_s3_action(req);
        apply_s3_fault(f, resp, req);
    } else {
        action = sim_s3_handle(sim->s3, req, arrival, resp);
        sim_garble(sim, resp, 0);
    }
    sim_log_call(sim, "s3", action, resp->drop ? 0 : resp->status,
                 resp->error_code, start, sim_now_ms(sim));
    log_body_hash(sim, req);
    pthread_mutex_unlock(&sim->lock);
}

/* The service's message of an XML error sim_auth_check() answered. */
static void xml_message(const struct sim_resp *resp, char *out, size_t size)
{
    const char *b = tern_buf_cstr(&resp->body);
    const char *m = b ? strstr(b, "<Message>") : NULL;
    const char *e = m ? strstr(m, "</Message>") : NULL;

    if (!m || !e)
        snprintf(out, size, "%s", resp->error_code);
    else
        snprintf(out, size, "%.*s", (int)(e - m - 9), m + 9);
}

/* A DynamoDB request (AWS JSON 1.0): latency, signature, faults in
 * DynamoDB's words, then dynamodb.c. A signature refusal is DynamoDB's
 * JSON shape: its __type is com.amazon.coral.service#CODE. */
static void handle_ddb(struct sim *sim, struct sim_req *req,
                       struct sim_resp *resp)
{
    const char *action = sim_ddb_action(req);
    int64_t start = sim_now_ms(sim);
    char msg[512];
    enum fault f;

    sleep_ms(draw_latency(sim));
    pthread_mutex_lock(&sim->lock);
    make_request_id(sim, req->request_id);
    if (sim_auth_check(sim, req, resp) != 0) {
        char type[128];

        /* DynamoDB's names for the Query services' refusals. */
        if (strcmp(resp->error_code, "InvalidClientTokenId") == 0)
            snprintf(resp->error_code, sizeof(resp->error_code),
                     "UnrecognizedClientException");
        else if (strcmp(resp->error_code, "SignatureDoesNotMatch") == 0)
            snprintf(resp->error_code, sizeof(resp->error_code),
                     "InvalidSignatureException");
        xml_message(resp, msg, sizeof(msg));
        snprintf(type, sizeof(type), "com.amazon.coral.service#%s",
                 resp->error_code);
        sim_resp_json(resp, resp->status,
                      json_pack("{s:s, s:s}", "__type", type, "message", msg));
        resp->content_type = "application/x-amz-json-1.0";
        goto done;
    }
    f = draw_fault(sim);
    if (f == FAULT_DROP) {
        resp->drop = 1;
        snprintf(resp->error_code, sizeof(resp->error_code), "Dropped");
    } else if (f == FAULT_THROTTLE) {
        sim_ddb_error(resp, req, 400, "ProvisionedThroughputExceededException",
                      "The level of configured provisioned throughput for the "
                      "table was exceeded. Consider increasing your "
                      "provisioning level with the UpdateTable API.");
    } else if (f != FAULT_NONE) {
        sim_ddb_error(resp, req, 500, "InternalServerError",
                      "Internal server error");
    } else {
        sim_ddb_handle(sim->ddb, req, resp);
    }
done:
    sim_log_call(sim, "dynamodb", action, resp->drop ? 0 : resp->status,
                 resp->error_code, start, sim_now_ms(sim));
    log_body_hash(sim, req);
    pthread_mutex_unlock(&sim->lock);
}

static void dispatch(struct sim *sim, struct sim_req *req,
                     struct sim_resp *resp)
{
    if (strncmp(req->path, "/_sim/", 6) != 0) {
        /* Held here while a POST /_sim/hold is counting (control.c). */
        pthread_mutex_lock(&sim->lock);
        sim_hold_pass(sim);
        pthread_mutex_unlock(&sim->lock);
    }
    if (strncmp(req->path, "/_sim/", 6) == 0) {
        pthread_mutex_lock(&sim->lock);
        make_request_id(sim, req->request_id);
        sim_control_handle(sim, req, resp);
        pthread_mutex_unlock(&sim->lock);
    } else if (strncmp(req->path, "/api/2.0/", 9) == 0 ||
               strncmp(req->path, "/api/2.1/", 9) == 0) {
        handle_dbx(sim, req, resp);
    } else if (sim->imds_enabled && strncmp(req->path, "/latest/", 8) == 0) {
        pthread_mutex_lock(&sim->lock);
        sim_imds_handle(sim->imds, req, resp);
        sim_log_call(sim, "imds", req->path, resp->status, resp->error_code,
                     sim_now_ms(sim), sim_now_ms(sim));
        pthread_mutex_unlock(&sim->lock);
    } else if (sim_s3_is_virtual_host(req)) {
        handle_s3(sim, req, resp);
    } else if (strcmp(req->path, "/") == 0 && sim_ddb_action(req)) {
        handle_ddb(sim, req, resp);
    } else if (strcmp(req->path, "/") == 0) {
        handle_aws(sim, req, resp);
    } else if (sim_req_header(req, "x-amz-content-sha256") ||
               (sim_req_header(req, "Authorization") &&
                strstr(sim_req_header(req, "Authorization"), "/s3/"))) {
        /* Path style: /BUCKET[/KEY], signed as S3 signs. */
        handle_s3(sim, req, resp);
    } else {
        sim_resp_json(resp, 404,
                      json_pack("{s:s, s:s}", "error_code",
                                "ENDPOINT_NOT_FOUND", "message",
                                "No API found for this path"));
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct sim *sim = cls;
    struct conn_ctx *ctx = *con_cls;
    struct sim_req req;
    struct sim_resp resp;
    struct header_walk walk;
    struct MHD_Response *r;
    enum MHD_Result ret = MHD_NO;
    const char *q, *ctype, *line;
    char *path = NULL, *raw_path = NULL;

    (void)url;
    (void)version;
    if (!ctx)
        return MHD_NO;
    if (!ctx->started) {
        ctx->started = 1;
        return MHD_YES;
    }
    if (*upload_size) {
        if (ctx->body.len + *upload_size > MAX_BODY)
            ctx->too_large = 1;
        else
            tern_buf_put(&ctx->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    resp.status = 500;
    resp.content_type = "text/plain";
    q = strchr(ctx->raw_url, '?');
    raw_path = q ? tern_strndup(ctx->raw_url, (size_t)(q - ctx->raw_url))
                 : tern_strdup(ctx->raw_url);
    if (!raw_path)
        goto done;
    path = decode(raw_path, strlen(raw_path), 0);
    if (!path)
        goto done;
    req.method = method;
    req.path = path;
    req.raw_path = raw_path;
    req.raw_query = q ? q + 1 : "";
    walk.req = &req;
    walk.cap = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, &walk);
    if (parse_pairs(req.raw_query, &req.query, &req.nquery) != 0)
        goto done;
    req.body = tern_buf_cstr(&ctx->body);
    req.body_len = ctx->body.len;
    ctype = sim_req_header(&req, "Content-Type");
    if (ctype &&
        strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0 &&
        parse_pairs(req.body, &req.form, &req.nform) != 0)
        goto done;

    if (ctx->too_large) {
        resp.status = 413;
        tern_buf_puts(&resp.body, "request body too large\n");
    } else {
        dispatch(sim, &req, &resp);
    }
    if (resp.drop)
        goto done; /* MHD_NO closes the connection without a response */
    sleep_ms(resp.stall_ms);
    r = MHD_create_response_from_buffer(resp.body.len,
                                        (void *)tern_buf_cstr(&resp.body),
                                        MHD_RESPMEM_MUST_COPY);
    if (!r)
        goto done;
    MHD_add_response_header(r, "Content-Type",
                            resp.content_type          ? resp.content_type
                            : resp.content_type_buf[0] ? resp.content_type_buf
                                                       : "text/plain");
    if (req.request_id[0])
        MHD_add_response_header(r, "x-amzn-RequestId", req.request_id);
    for (line = resp.extra_header; *line;) {
        char name[64], value[512];
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        const char *colon = memchr(line, ':', (size_t)(end - line));

        if (colon && (size_t)(colon - line) < sizeof(name)) {
            const char *v = colon + 1 + (colon[1] == ' ');

            memcpy(name, line, (size_t)(colon - line));
            name[colon - line] = '\0';
            snprintf(value, sizeof(value), "%.*s", (int)(end - v), v);
            MHD_add_response_header(r, name, value);
        }
        line = nl ? nl + 1 : end;
    }
    ret = MHD_queue_response(conn, (unsigned)resp.status, r);
    MHD_destroy_response(r);
done:
    free_pairs(req.headers, req.nheaders);
    free_pairs(req.query, req.nquery);
    free_pairs(req.form, req.nform);
    tern_buf_release(&resp.body);
    tern_free(path);
    tern_free(raw_path);
    return ret;
}

static double parse_rate(const char *flag, const char *v)
{
    char *end;
    double r = strtod(v, &end);

    if (*end || r < 0 || r > 1) {
        fprintf(stderr, "tern-sim: %s must be a number in [0, 1]\n", flag);
        exit(2);
    }
    return r;
}

static long parse_int(const char *flag, const char *v)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (*end || n < 0) {
        fprintf(stderr, "tern-sim: %s must be a non-negative integer\n", flag);
        exit(2);
    }
    return n;
}

static int add_key_flag(struct sim *sim, const char *spec)
{
    char *copy = tern_strdup(spec), *secret, *account;
    struct sim_key key;
    int rc;

    if (!copy)
        return -1;
    memset(&key, 0, sizeof(key));
    secret = strchr(copy, ':');
    if (!secret) {
        tern_free(copy);
        return -1;
    }
    *secret++ = '\0';
    account = strchr(secret, ':');
    if (account)
        *account++ = '\0';
    key.access_key_id = copy;
    key.secret_access_key = secret;
    key.account = account;
    rc = sim_key_add(sim, &key);
    tern_free(copy);
    return rc;
}

static int load_file(struct sim *sim, const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    struct sim_req req;
    struct sim_resp resp;
    char *text;
    int rc;

    if (!doc) {
        fprintf(stderr, "tern-sim: %s:%d:%d: %s\n", path, jerr.line,
                jerr.column, jerr.text);
        return -1;
    }
    text = json_dumps(doc, 0);
    json_decref(doc);
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = "POST";
    req.path = "/_sim/load";
    req.raw_path = "/_sim/load";
    req.raw_query = "";
    req.body = text;
    req.body_len = strlen(text);
    sim_control_handle(sim, &req, &resp);
    rc = resp.status == 200 ? 0 : -1;
    if (rc)
        fprintf(stderr, "tern-sim: %s: %s\n", path, tern_buf_cstr(&resp.body));
    tern_buf_release(&resp.body);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    static struct sim sim;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    const char *port_file = NULL, *load = NULL;
    int port_fd = -1;
    int port = 0, i, quiet = 0, default_key = 1;
    struct sockaddr_in addr;
    struct sim_key key;

    pthread_mutex_init(&sim.lock, NULL);
    pthread_cond_init(&sim.calls_cond, NULL);
    pthread_cond_init(&sim.hold_cond, NULL);
    sim.faults.seed = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
            continue;
        }
        if (strcmp(a, "--no-default-key") == 0) {
            default_key = 0;
            continue;
        }
        if (strcmp(a, "--imds") == 0) {
            sim.imds_enabled = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "tern-sim: unknown or incomplete option '%s'\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--self-check") == 0)
            return sim_self_check(v);
        else if (strcmp(a, "--port") == 0)
            port = (int)parse_int(a, v);
        else if (strcmp(a, "--port-file") == 0)
            port_file = v;
        else if (strcmp(a, "--port-fd") == 0)
            port_fd = (int)parse_int(a, v);
        else if (strcmp(a, "--seed") == 0)
            sim.faults.seed = (uint64_t)parse_int(a, v);
        else if (strcmp(a, "--latency-ms") == 0)
            sim.faults.latency_ms = (int)parse_int(a, v);
        else if (strcmp(a, "--jitter-ms") == 0)
            sim.faults.jitter_ms = (int)parse_int(a, v);
        else if (strcmp(a, "--throttle-rate") == 0)
            sim.faults.throttle_rate = parse_rate(a, v);
        else if (strcmp(a, "--error-rate") == 0)
            sim.faults.error_rate = parse_rate(a, v);
        else if (strcmp(a, "--drop-rate") == 0)
            sim.faults.drop_rate = parse_rate(a, v);
        else if (strcmp(a, "--propagation-ms") == 0)
            sim.faults.propagation_ms = (int)parse_int(a, v);
        else if (strcmp(a, "--propagation-jitter-ms") == 0)
            sim.faults.propagation_jitter_ms = (int)parse_int(a, v);
        else if (strcmp(a, "--garble-rate") == 0)
            sim.faults.garble_rate = parse_rate(a, v);
        else if (strcmp(a, "--stall-ms") == 0)
            sim.faults.stall_ms = (int)parse_int(a, v);
        else if (strcmp(a, "--garble-mode") == 0) {
            if (!sim_garble_mode_valid(v)) {
                fprintf(
                    stderr,
                    "tern-sim: --garble-mode is one of truncate, "
                    "oversize, html, shape, stall, empty, escape, endless\n");
                return 2;
            }
            snprintf(sim.faults.garble_mode, sizeof(sim.faults.garble_mode),
                     "%s", v);
        } else if (strcmp(a, "--key") == 0) {
            if (add_key_flag(&sim, v) != 0) {
                fprintf(stderr,
                        "tern-sim: --key wants AKID:SECRET[:ACCOUNT]\n");
                return 2;
            }
        } else if (strcmp(a, "--databricks-token") == 0) {
            char **t = tern_realloc(sim.dbx_tokens,
                                    (sim.ndbx_tokens + 1) * sizeof(*t));

            if (!t)
                return 1;
            sim.dbx_tokens = t;
            t[sim.ndbx_tokens++] = tern_strdup(v);
        } else if (strcmp(a, "--load") == 0) {
            load = v;
        } else {
            fprintf(stderr, "tern-sim: unknown option '%s'\n", a);
            return 2;
        }
    }
    if (default_key) {
        memset(&key, 0, sizeof(key));
        key.access_key_id = SIM_DEFAULT_AKID;
        key.secret_access_key = SIM_DEFAULT_SECRET;
        if (sim_key_add(&sim, &key) != 0)
            return 1;
    }
    if (sim.ndbx_tokens == 0) {
        sim.dbx_tokens = tern_calloc(1, sizeof(*sim.dbx_tokens));
        if (!sim.dbx_tokens)
            return 1;
        sim.dbx_tokens[sim.ndbx_tokens++] = tern_strdup(SIM_DEFAULT_DBX_TOKEN);
    }
    sim.initial_faults = sim.faults;
    sim.initial_nkeys = sim.nkeys;
    sim.rng_state = sim.faults.seed;
    sim.iam = sim_iam_new(&sim);
    sim.dbx = sim_dbx_new(&sim);
    sim.dbxc = sim_dbxc_new(&sim);
    sim.s3 = sim_s3_new(&sim);
    sim.ddb = sim_ddb_new();
    if (!sim.iam || !sim.dbx || !sim.dbxc)
        return 1;
    if (sim.imds_enabled) {
        if (!sim_imds_new) {
            fprintf(stderr, "tern-sim: --imds is not available in this "
                            "build\n");
            return 2;
        }
        if (!(sim.imds = sim_imds_new(&sim)))
            return 1;
    }
    if (load && load_file(&sim, load) != 0)
        return 1;

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
            MHD_USE_POLL,
        0, NULL, NULL, on_request, &sim, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "tern-sim: cannot listen on 127.0.0.1:%d: %s\n", port,
                strerror(errno));
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = info ? info->port : port;
    if (port_file) {
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
            rename(tmp, port_file) != 0) {
            fprintf(stderr, "tern-sim: cannot write %s\n", port_file);
            return 1;
        }
    }
    if (port_fd >= 0) {
        char line[32];
        int len = snprintf(line, sizeof(line), "%d\n", port);

        if (write(port_fd, line, (size_t)len) != len) {
            fprintf(stderr, "tern-sim: cannot write descriptor %d\n", port_fd);
            return 1;
        }
        close(port_fd);
    }
    if (!quiet) {
        printf("tern-sim listening on http://127.0.0.1:%d\n", port);
        fflush(stdout);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    while (!stop_requested)
        pause();
    MHD_stop_daemon(d);
    sim_iam_free(sim.iam);
    sim_s3_free(sim.s3);
    sim_ddb_free(sim.ddb);
    sim_dbx_free(sim.dbx);
    sim_dbxc_free(sim.dbxc);
    if (sim.imds)
        sim_imds_free(sim.imds);
    sim_free_contents(&sim);
    return 0;
}
