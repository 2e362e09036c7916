/*
 * The AWS clients' shared core (see core.h). The retry numbers are
 * aws-sdk-go-v2's aws/retry (standard mode) and botocore's
 * retries/standard.py, which agree.
 */
#include "aws/core.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/env.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BACKOFF_BASE_MS     1000L
#define BACKOFF_MAX_MS      20000L
#define QUOTA_MAX           500
#define QUOTA_RETRY_COST    5
#define QUOTA_TIMEOUT_COST  10
#define QUOTA_SUCCESS_BONUS 1
/* A clock this far from the service's is corrected (botocore: 4 min). */
#define SKEW_THRESHOLD_S 240

static const char *const skew_codes[] = {"RequestTimeTooSkewed",
                                         "RequestExpired",
                                         "InvalidSignatureException",
                                         "SignatureDoesNotMatch",
                                         "AuthFailure",
                                         "RequestInTheFuture",
                                         NULL};

static time_t default_now(void *ud)
{
    (void)ud;
    return time(NULL);
}

void tern_aws_core_release(struct tern_aws_core *c)
{
    tern_free(c->endpoint);
    tern_free(c->scheme);
    tern_free(c->hostname);
    tern_free(c->host);
    tern_free(c->path);
    tern_free(c->signing_region);
    tern_sigv4_cache_free(c->keys);
    if (c->service)
        pthread_mutex_destroy(&c->lock);
    memset(c, 0, sizeof(*c));
}

/* The endpoint's scheme, host, Host header and raw path. */
static int split_endpoint(struct tern_aws_core *c)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL, *port = NULL, *p = NULL;
    int error = TERN_EINVALID;

    if (!u)
        return TERN_ENOMEM;
    if (curl_url_set(u, CURLUPART_URL, c->endpoint, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
        goto done;
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_PATH, &p, 0);
    c->scheme = tern_strdup(scheme);
    c->hostname = tern_strdup(h);
    c->host = port ? tern_asprintf("%s:%s", h, port) : tern_strdup(h);
    c->path = tern_strdup(p && *p ? p : "/");
    error =
        c->scheme && c->hostname && c->host && c->path ? TERN_OK : TERN_ENOMEM;
done:
    curl_free(scheme);
    curl_free(h);
    curl_free(port);
    curl_free(p);
    curl_url_cleanup(u);
    return error;
}

/* The services tern calls (core.h). */
static const struct tern_aws_service services[] = {
    {"iam", "IAM", "AWS_ENDPOINT_URL_IAM", "x-amzn-RequestId", "2010-05-08", 1},
    {"sts", "STS", "AWS_ENDPOINT_URL_STS", "x-amzn-RequestId", "2011-06-15", 1},
    {"ec2", "EC2", "AWS_ENDPOINT_URL_EC2", "x-amzn-RequestId", "2016-11-15", 1},
    {"s3", "S3", "AWS_ENDPOINT_URL_S3", "x-amz-request-id", NULL, 0},
    {"dynamodb", "DynamoDB", "AWS_ENDPOINT_URL_DYNAMODB", "x-amzn-RequestId",
     NULL, 0},
};

const struct tern_aws_service *tern_aws_service_find(const char *name)
{
    size_t i;

    for (i = 0; name && i < sizeof(services) / sizeof(services[0]); i++)
        if (strcmp(services[i].name, name) == 0)
            return &services[i];
    return NULL;
}

static int env_true(const char *name)
{
    const char *v = getenv(name);

    return v && strcasecmp(v, "true") == 0;
}

/*
 * The endpoint and signing region of @p svc (core.h, tern_aws_core_init).
 * IAM is global: its endpoint and signing region are the partition's
 * (us-east-1, cn-north-1, us-gov-west-1); the others are regional.
 */
static int resolve(const struct tern_aws_service *svc, const char *region,
                   const char *config, char **url, char **signing_region)
{
    const char *ep = NULL, *sr = region;
    int cn, gov;

    *url = *signing_region = NULL;
    if (!region || !*region)
        region = sr = "us-east-1";
    cn = strncmp(region, "cn-", 3) == 0;
    gov = strncmp(region, "us-gov-", 7) == 0;
    if (config && *config)
        ep = config;
    else if (!env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") &&
             !(ep = tern_env(svc->endpoint_env)))
        ep = tern_env("AWS_ENDPOINT_URL");
    if (strcmp(svc->name, "iam") == 0) {
        sr = cn ? "cn-north-1" : gov ? "us-gov-west-1" : "us-east-1";
        *url = ep    ? tern_strdup(ep)
               : cn  ? tern_strdup("https://iam.cn-north-1.amazonaws.com.cn")
               : gov ? tern_strdup("https://iam.us-gov.amazonaws.com")
                     : tern_strdup("https://iam.amazonaws.com");
    } else {
        *url = ep ? tern_strdup(ep)
                  : tern_asprintf("https://%s.%s.amazonaws.com%s", svc->name,
                                  region, cn ? ".cn" : "");
    }
    *signing_region = tern_strdup(sr);
    if (!*url || !*signing_region) {
        tern_free(*url);
        tern_free(*signing_region);
        *url = *signing_region = NULL;
        return TERN_ENOMEM;
    }
    return TERN_OK;
}

int tern_aws_resolve_endpoint(char **url, char **signing_region,
                              const char *service, const char *region,
                              const char *config_endpoint)
{
    const struct tern_aws_service *svc = tern_aws_service_find(service);

    *url = *signing_region = NULL;
    if (!svc || !svc->version)
        return TERN_EINVALID;
    return resolve(svc, region, config_endpoint, url, signing_region);
}

int tern_aws_core_init(struct tern_aws_core *c,
                       const struct tern_aws_service *svc,
                       const tern_aws_client_opts *o, struct tern_diags *diags)
{
    char why[512];
    int error;

    pthread_mutex_init(&c->lock, NULL);
    c->service = svc->name;
    c->label = svc->label;
    c->request_id_header = svc->request_id_header;
    c->keys = tern_sigv4_cache_new();
    error =
        resolve(svc, o->region, o->endpoint, &c->endpoint, &c->signing_region);
    if (error || !c->keys)
        return TERN_ENOMEM;
    why[0] = '\0';
    if (tern_http_check_url(c->endpoint, why, sizeof(why)) != TERN_OK ||
        (error = split_endpoint(c)) == TERN_EINVALID) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid AWS endpoint",
                       why[0] ? "The %s endpoint cannot be used: %s."
                              : "The %s endpoint '%s' is not a valid URL.",
                       c->label, why[0] ? why : c->endpoint);
        return TERN_EINVALID;
    }
    if (error)
        return error;
    c->max_retries =
        o->max_retries < 0 ? TERN_AWS_DEFAULT_MAX_RETRIES : o->max_retries;
    c->deadline_ms =
        o->deadline_ms > 0 ? o->deadline_ms : TERN_AWS_DEFAULT_DEADLINE_MS;
    c->retry_budget = svc->query;
    c->correct_clock_skew = svc->query && o->correct_clock_skew;
    c->http = o->http;
    c->credentials = o->credentials;
    c->clock = o->clock ? *o->clock : tern_clock_system;
    c->now = o->now ? o->now : default_now;
    c->now_ud = o->now_ud;
    c->cancel = o->cancel;
    c->stop = o->stop;
    c->tokens = QUOTA_MAX;
    c->rng = o->seed ? o->seed : (unsigned int)time(NULL) ^ 0x9e3779b9u;
    return TERN_OK;
}

int tern_aws_core_tokens(struct tern_aws_core *c)
{
    int t;

    pthread_mutex_lock(&c->lock);
    t = c->tokens;
    pthread_mutex_unlock(&c->lock);
    return t;
}

/* Take @p cost tokens from the retry budget; 0 when there are too few. */
static int quota_take(struct tern_aws_core *c, int cost)
{
    int ok;

    if (!c->retry_budget)
        return 1;
    pthread_mutex_lock(&c->lock);
    ok = c->tokens >= cost;
    if (ok)
        c->tokens -= cost;
    pthread_mutex_unlock(&c->lock);
    return ok;
}

static void quota_give(struct tern_aws_core *c, int n)
{
    if (!c->retry_budget)
        return;
    pthread_mutex_lock(&c->lock);
    c->tokens += n;
    if (c->tokens > QUOTA_MAX)
        c->tokens = QUOTA_MAX;
    pthread_mutex_unlock(&c->lock);
}

long tern_aws_backoff_ms(int attempt, unsigned int r)
{
    long cap = BACKOFF_BASE_MS;
    int i;

    for (i = 1; i < attempt && cap < BACKOFF_MAX_MS; i++)
        cap *= 2;
    if (cap > BACKOFF_MAX_MS)
        cap = BACKOFF_MAX_MS;
    return (long)((double)r / ((double)RAND_MAX + 1.0) * (double)(cap + 1));
}

static long backoff_ms(struct tern_aws_core *c, int attempt)
{
    unsigned int r;

    pthread_mutex_lock(&c->lock);
    r = rand_r(&c->rng);
    pthread_mutex_unlock(&c->lock);
    return tern_aws_backoff_ms(attempt, r);
}

static time_t signing_time(struct tern_aws_core *c)
{
    long skew;

    pthread_mutex_lock(&c->lock);
    skew = c->skew_s;
    pthread_mutex_unlock(&c->lock);
    return c->now(c->now_ud) + skew;
}

/*
 * If the service's Date header is far from our clock, remember the
 * difference. Returns 1 when a correction was made.
 */
static int correct_skew(struct tern_aws_core *c, const tern_http_response *resp)
{
    char *date = tern_http_response_header(resp, "Date");
    time_t server;
    long diff;

    if (!date)
        return 0;
    server = curl_getdate(date, NULL);
    tern_free(date);
    if (server < 0)
        return 0;
    diff = (long)(server - signing_time(c));
    if (diff <= SKEW_THRESHOLD_S && diff >= -SKEW_THRESHOLD_S)
        return 0;
    pthread_mutex_lock(&c->lock);
    c->skew_s += diff;
    pthread_mutex_unlock(&c->lock);
    TERN_LOG_AT(TERN_LOG_DEBUG,
                "aws: %s: local clock is %ld s off the service's; "
                "correcting",
                c->service, -diff);
    return 1;
}

/* One signed attempt, given at most @timeout_ms (0: the HTTP client's). */
static int send_once(struct tern_aws_core *c, const struct tern_aws_request *r,
                     const tern_aws_creds *creds, tern_http_response *resp,
                     long timeout_ms)
{
    tern_sigv4_request sreq = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts sopts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    struct tern_sigv4_header sh[8];
    struct tern_http_header hh[8 + TERN_SIGV4_MAX_HEADERS];
    tern_http_request req = TERN_HTTP_REQUEST_INIT;
    size_t i, n = 0, ns = 0;
    int error;

    memset(&res, 0, sizeof(res));
    if (r->nheaders > 7)
        return TERN_EINVALID;
    sh[ns].name = "Host";
    sh[ns++].value = r->host ? r->host : c->host;
    for (i = 0; i < r->nheaders; i++) {
        sh[ns].name = r->headers[i].name;
        sh[ns++].value = r->headers[i].value;
    }
    sreq.method = r->method;
    sreq.path = r->path ? r->path : c->path;
    sreq.query = r->query;
    sreq.headers = sh;
    sreq.nheaders = ns;
    sreq.body = r->body;
    sreq.body_len = r->body_len;
    sopts.access_key_id = creds->access_key_id;
    sopts.secret_access_key = creds->secret_access_key;
    sopts.session_token = creds->session_token;
    sopts.region = c->signing_region;
    sopts.service = c->service;
    sopts.time = signing_time(c);
    sopts.cache = c->keys;
    if (r->s3) {
        sopts.normalize_path = 0;
        sopts.path_encoded = 1;
        sopts.sign_body = 1;
    }
    error = tern_sigv4_sign(&res, &sreq, &sopts);
    if (error)
        return error;
    for (i = 0; i < ns; i++) {
        hh[n].name = sh[i].name;
        hh[n++].value = sh[i].value;
    }
    for (i = 0; i < res.nheaders; i++) {
        hh[n].name = res.headers[i].name;
        hh[n++].value = res.headers[i].value;
    }
    req.method = r->method;
    req.url = r->url;
    req.headers = hh;
    req.nheaders = n;
    req.body = r->body;
    req.body_len = r->body_len;
    req.cancel = c->cancel;
    /* The call's time left, when it is less than an attempt's own. */
    if (timeout_ms > 0 && timeout_ms < tern_http_timeout_ms(c->http))
        req.timeout_ms = timeout_ms;
    error = tern_http_send(c->http, &req, resp, NULL);
    tern_sigv4_result_release(&res);
    return error;
}

static long elapsed_ms(const struct tern_aws_core *c, long long start)
{
    return (long)(tern_clock_now(&c->clock) - start);
}

void tern_aws_call_init(struct tern_aws_call *k, const char *action,
                        struct tern_diags *diags)
{
    memset(k, 0, sizeof(*k));
    k->action = action;
    k->diags = diags;
    k->resp = (tern_http_response)TERN_HTTP_RESPONSE_INIT;
}

void tern_aws_call_release(struct tern_aws_call *k)
{
    tern_aws_creds_release(&k->creds);
    tern_aws_error_release(&k->aerr);
    tern_http_response_release(&k->resp);
}

/* What happens after an attempt. */
enum call_step {
    CALL_RETRY, /* attempt again */
    CALL_FAIL,  /* give up: the client reports the last failure */
    CALL_DONE   /* finished (success, or a failure already reported) */
};

/* A transport failure (no HTTP status): timeouts cost the budget more. */
static enum tern_aws_retry
classify_transport(struct tern_aws_core *c, struct tern_aws_call *k, int *cost)
{
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s -> %s (attempt %d, %ld ms): %s",
                c->service, k->action, tern_http_failure_name(k->resp.failure),
                k->attempt, elapsed_ms(c, k->attempt_start), k->resp.error);
    snprintf(k->cause, sizeof(k->cause), "%s", k->resp.error);
    if (k->resp.failure == TERN_HTTP_ETIMEOUT) {
        *cost = QUOTA_TIMEOUT_COST;
        return TERN_AWS_RETRY_TRANSIENT;
    }
    if (k->resp.failure == TERN_HTTP_ERESET ||
        k->resp.failure == TERN_HTTP_ECONNECT)
        return TERN_AWS_RETRY_TRANSIENT;
    return TERN_AWS_RETRY_NONE;
}

static int is_expired_token(const char *code)
{
    return code && (strcmp(code, "ExpiredToken") == 0 ||
                    strcmp(code, "ExpiredTokenException") == 0);
}

static int is_skew_code(const char *code)
{
    const char *const *s;

    for (s = skew_codes; code && *s; s++)
        if (strcmp(*s, code) == 0)
            return 1;
    return 0;
}

/*
 * An error status: read the error document, map its code to tern's
 * (*error) and say whether and why to try again. Returns TERN_ENOMEM when
 * the document could not be read for want of memory, else TERN_OK.
 */
static int classify_error(struct tern_aws_core *c, struct tern_aws_call *k,
                          int *error, enum tern_aws_retry *kind)
{
    tern_aws_error *aerr = &k->aerr;
    int e = k->read_error ? k->read_error(k)
                          : tern_aws_error_parse(aerr, k->resp.body.ptr,
                                                 k->resp.body.len);

    if (e == TERN_ENOMEM)
        return TERN_ENOMEM;
    if (!aerr->request_id)
        aerr->request_id =
            tern_http_response_header(&k->resp, c->request_id_header);
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s -> %ld %s (attempt %d, %ld ms)",
                c->service, k->action, k->resp.status,
                aerr->code ? aerr->code : "(no error code)", k->attempt,
                elapsed_ms(c, k->attempt_start));
    snprintf(k->cause, sizeof(k->cause), "%ld %s: %s", k->resp.status,
             aerr->code ? aerr->code : "(no error code)",
             aerr->message ? aerr->message : "");
    *error = k->error_class(aerr->code, k->resp.status);
    *kind = *error == TERN_ECONFLICT
                ? TERN_AWS_RETRY_NONE
                : tern_aws_error_retryable(aerr->code, k->resp.status);
    if (*kind == TERN_AWS_RETRY_NONE && c->correct_clock_skew &&
        !k->skew_done && is_skew_code(aerr->code) &&
        correct_skew(c, &k->resp)) {
        k->skew_done = 1;
        *kind = TERN_AWS_RETRY_CLOCK;
    }
    if (*kind == TERN_AWS_RETRY_NONE && !k->refreshed &&
        is_expired_token(aerr->code) &&
        tern_aws_credentials_invalidate(c->credentials)) {
        k->refreshed = 1;
        *kind = TERN_AWS_RETRY_REFRESHED;
    }
    return TERN_OK;
}

/*
 * Decide whether a retryable failure is tried again, and wait the
 * back-off when it is. Corrections (clock, credentials) are retried at
 * once, outside the budget; the others within the attempt limit, the
 * retry budget and the call's deadline.
 */
static enum call_step back_off(struct tern_aws_core *c, struct tern_aws_call *k,
                               enum tern_aws_retry kind, int cost, int *error)
{
    long delay;

    if (kind == TERN_AWS_RETRY_CLOCK || kind == TERN_AWS_RETRY_REFRESHED) {
        TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s: retrying at once (%s)",
                    c->service, k->action,
                    kind == TERN_AWS_RETRY_CLOCK ? "clock corrected"
                                                 : "credentials refreshed");
        return CALL_RETRY;
    }
    if (k->attempt > c->max_retries) {
        TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s: giving up after %d attempts",
                    c->service, k->action, k->attempt);
        return CALL_FAIL;
    }
    if (!quota_take(c, cost)) {
        TERN_LOG_AT(TERN_LOG_DEBUG,
                    "aws: %s %s: retry budget exhausted; not retrying",
                    c->service, k->action);
        return CALL_FAIL;
    }
    k->last_cost = cost;
    delay = backoff_ms(c, k->attempt);
    if (delay >= c->deadline_ms - elapsed_ms(c, k->call_start)) {
        k->over_deadline = 1; /* no time left for another attempt */
        return CALL_FAIL;
    }
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s: retry %d/%d in %ld ms (%s: %s)",
                c->service, k->action, k->attempt, c->max_retries, delay,
                kind == TERN_AWS_RETRY_THROTTLED ? "throttled" : "transient",
                k->cause);
    /* The first interrupt ends the wait (and so the retries). */
    if (tern_clock_sleep(&c->clock, delay, c->stop ? c->stop : c->cancel)) {
        *error = TERN_ECANCELED;
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                       "%s %s was canceled while waiting to retry.", c->label,
                       k->action);
        return CALL_DONE;
    }
    return CALL_RETRY;
}

/* A 2xx answer (or an accepted 304): the client reads it. */
static int read_success(struct tern_aws_core *c, struct tern_aws_call *k)
{
    int error;

    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s -> %ld (attempt %d, %ld ms)",
                c->service, k->action, k->resp.status, k->attempt,
                elapsed_ms(c, k->attempt_start));
    error = k->read_success ? k->read_success(k) : TERN_OK;
    if (error == TERN_OK)
        quota_give(c, k->last_cost ? k->last_cost : QUOTA_SUCCESS_BONUS);
    return error;
}

/* One attempt: credentials, send, classify, back off. */
static enum call_step attempt(struct tern_aws_core *c, struct tern_aws_call *k,
                              int *error)
{
    enum tern_aws_retry kind = TERN_AWS_RETRY_NONE;
    int cost = QUOTA_RETRY_COST, transport;
    long left;

    tern_aws_creds_release(&k->creds);
    *error = tern_aws_credentials_get(c->credentials, &k->creds, k->diags);
    if (*error)
        return CALL_DONE;
    /* Fetching them may have taken the time left (a refresh through STS,
     * a credential_process): then the last attempt's failure stands. */
    left = c->deadline_ms - elapsed_ms(c, k->call_start);
    if (left <= 0) {
        k->over_deadline = k->creds_late = 1;
        *error = TERN_ERROR; /* reported by the client */
        return CALL_FAIL;
    }
    k->attempt++;
    tern_aws_error_release(&k->aerr);
    tern_http_response_release(&k->resp);
    k->attempt_start = tern_clock_now(&c->clock);
    transport = send_once(c, &k->req, &k->creds, &k->resp, left);
    if (transport == TERN_ECANCELED || transport == TERN_ENOMEM ||
        transport == TERN_EINVALID) {
        *error = transport;
        if (transport == TERN_ECANCELED)
            tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                           "%s %s was canceled.", c->label, k->action);
        else if (transport == TERN_EINVALID)
            tern_diags_add(k->diags, TERN_SEV_ERROR, NULL,
                           "Invalid AWS endpoint", "%s", k->resp.error);
        return CALL_DONE;
    }
    if (transport != TERN_OK) {
        kind = classify_transport(c, k, &cost);
        *error = TERN_ERROR;
    } else if ((k->resp.status >= 200 && k->resp.status < 300) ||
               (k->resp.status == 304 && k->accept_304)) {
        *error = read_success(c, k);
        return CALL_DONE;
    } else if (classify_error(c, k, error, &kind) == TERN_ENOMEM) {
        *error = TERN_ENOMEM;
        return CALL_DONE;
    }
    if (kind == TERN_AWS_RETRY_NONE)
        return CALL_FAIL;
    return back_off(c, k, kind, cost, error);
}

int tern_aws_core_call(struct tern_aws_core *c, struct tern_aws_call *k)
{
    enum call_step step;
    int error;

    k->call_start = tern_clock_now(&c->clock);
    do
        step = attempt(c, k, &error);
    while (step == CALL_RETRY);
    k->failed = step == CALL_FAIL;
    return error;
}

void tern_aws_core_report_deadline(const struct tern_aws_core *c,
                                   const struct tern_aws_call *k)
{
    const char *when =
        k->creds_late ? ", while its credentials were fetched" : "";

    if (k->attempt == 0) {
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "%s %s gave up after %ld ms, the most one call may "
                       "take%s (no attempt sent).",
                       c->label, k->action, c->deadline_ms, when);
        return;
    }
    tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                   "%s %s gave up after %ld ms, the most one call may "
                   "take%s (%d attempt%s; the last: %s).",
                   c->label, k->action, c->deadline_ms, when, k->attempt,
                   k->attempt == 1 ? "" : "s",
                   k->aerr.code     ? k->aerr.code
                   : k->resp.status ? "an error status"
                                    : tern_http_failure_name(k->resp.failure));
}
