/*
 * The AWS Query client: endpoint resolution, signing, the standard retry
 * mode with its retry budget, clock-skew correction, error mapping and
 * paging. See client.h for the rules; the SDK behaviour it follows is
 * aws-sdk-go-v2's aws/retry (standard mode) and botocore's
 * retries/standard.py, which agree on the numbers used here.
 */
#include "aws/client.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "aws/wire.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/env.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_RETRIES 25
/* The most one call may take, retries included: a server that trickles
 * or keeps failing cannot hold a step for half an hour (issue 20, finding
 * 6: 1,762 s for one GetRole). */
#define DEFAULT_DEADLINE_MS 300000L
#define BACKOFF_BASE_MS     1000L
#define BACKOFF_MAX_MS      20000L
#define QUOTA_MAX           500
#define QUOTA_RETRY_COST    5
#define QUOTA_TIMEOUT_COST  10
#define QUOTA_SUCCESS_BONUS 1
/* A clock this far from the service's is corrected (botocore: 4 min). */
#define SKEW_THRESHOLD_S 240

#define FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

struct tern_aws_client {
    char *service; /* "iam", "sts" */
    char *service_label;
    char *version; /* API version */
    char *endpoint;
    char *host; /* Host header value */
    char *path; /* raw path of the endpoint, "/" by default */
    char *signing_region;
    int max_retries;
    tern_http *http;
    tern_aws_credentials *credentials;
    tern_aws_sleep_fn sleep;
    void *sleep_ud;
    time_t (*now)(void *ud);
    void *now_ud;
    const atomic_int *cancel;
    const atomic_int *stop;
    long deadline_ms;
    int correct_clock_skew;
    long max_pages, max_items;
    tern_sigv4_cache *keys;

    pthread_mutex_t lock; /* guards everything below */
    int tokens;
    long skew_s; /* added to our clock when signing */
    unsigned int rng;
};

/*
 * Error codes, as the SDKs list them.
 */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    NULL};

static const char *const transient_codes[] = {"RequestTimeout",
                                              "RequestTimeoutException",
                                              "InternalError",
                                              "InternalFailure",
                                              "ServiceFailure",
                                              "ServiceUnavailable",
                                              "ServiceUnavailableException",
                                              NULL};

static const char *const skew_codes[] = {"RequestTimeTooSkewed",
                                         "RequestExpired",
                                         "InvalidSignatureException",
                                         "SignatureDoesNotMatch",
                                         "AuthFailure",
                                         "RequestInTheFuture",
                                         NULL};

static const char *const auth_codes[] = {"InvalidClientTokenId",
                                         "SignatureDoesNotMatch",
                                         "IncompleteSignature",
                                         "ExpiredToken",
                                         "ExpiredTokenException",
                                         "RequestExpired",
                                         "RequestTimeTooSkewed",
                                         "AccessDenied",
                                         "AccessDeniedException",
                                         "UnrecognizedClientException",
                                         "MissingAuthenticationToken",
                                         "InvalidAccessKeyId",
                                         "AuthFailure",
                                         "NotAuthorized",
                                         "UnauthorizedOperation",
                                         NULL};

static const char *const invalid_codes[] = {"ValidationError",
                                            "ValidationException",
                                            "InvalidInput",
                                            "MalformedPolicyDocument",
                                            "InvalidParameterValue",
                                            "InvalidParameterCombination",
                                            "MissingParameter",
                                            "MissingAction",
                                            "InvalidAction",
                                            "MalformedQueryString",
                                            "PackedPolicyTooLarge",
                                            "UnmodifiableEntity",
                                            NULL};

static int in_list(const char *const *list, const char *code)
{
    if (!code)
        return 0;
    for (; *list; list++) {
        if (strcmp(*list, code) == 0)
            return 1;
    }
    return 0;
}

int tern_aws_error_retryable(const char *code, long status)
{
    if (in_list(throttle_codes, code))
        return TERN_AWS_RETRY_THROTTLED;
    if (status == 429)
        return TERN_AWS_RETRY_THROTTLED;
    if (in_list(transient_codes, code))
        return TERN_AWS_RETRY_TRANSIENT;
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return TERN_AWS_RETRY_TRANSIENT;
    return TERN_AWS_RETRY_NONE;
}

int tern_aws_error_class(const char *code, long status)
{
    if (code && (strcmp(code, "NoSuchEntity") == 0 ||
                 strcmp(code, "NoSuchEntityException") == 0))
        return TERN_ENOTFOUND;
    if (code && strcmp(code, "EntityAlreadyExists") == 0)
        return TERN_EEXISTS;
    if (code && (strcmp(code, "DeleteConflict") == 0 ||
                 strcmp(code, "ConcurrentModification") == 0))
        return TERN_ECONFLICT;
    if (in_list(throttle_codes, code) || status == 429)
        return TERN_ETHROTTLED;
    if (in_list(auth_codes, code) || status == 401 || status == 403)
        return TERN_EAUTH;
    if (in_list(invalid_codes, code))
        return TERN_EINVALID;
    return TERN_ERROR;
}

/*
 * Endpoints.
 */

static int env_true(const char *name)
{
    const char *v = getenv(name);

    return v && strcasecmp(v, "true") == 0;
}

int tern_aws_resolve_endpoint(char **url, char **signing_region,
                              const char *service, const char *region,
                              const char *config_endpoint)
{
    const char *override = NULL, *sr;
    int cn, gov;

    *url = *signing_region = NULL;
    if (!region || !*region)
        region = "us-east-1";
    cn = strncmp(region, "cn-", 3) == 0;
    gov = strncmp(region, "us-gov-", 7) == 0;
    if (!env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
        if (strcmp(service, "iam") == 0)
            override = tern_env("AWS_ENDPOINT_URL_IAM");
        else if (strcmp(service, "sts") == 0)
            override = tern_env("AWS_ENDPOINT_URL_STS");
        else if (strcmp(service, "ec2") == 0)
            override = tern_env("AWS_ENDPOINT_URL_EC2");
        if (!override)
            override = tern_env("AWS_ENDPOINT_URL");
        if (!override && config_endpoint && *config_endpoint)
            override = config_endpoint;
    }
    if (strcmp(service, "iam") == 0) {
        sr = cn ? "cn-north-1" : gov ? "us-gov-west-1" : "us-east-1";
        *url = override ? tern_strdup(override)
               : cn     ? tern_strdup("https://iam.cn-north-1.amazonaws.com.cn")
               : gov    ? tern_strdup("https://iam.us-gov.amazonaws.com")
                        : tern_strdup("https://iam.amazonaws.com");
    } else if (strcmp(service, "sts") == 0) {
        sr = region;
        *url = override ? tern_strdup(override)
                        : tern_asprintf("https://sts.%s.amazonaws.com%s",
                                        region, cn ? ".cn" : "");
    } else if (strcmp(service, "ec2") == 0) {
        sr = region;
        *url = override ? tern_strdup(override)
                        : tern_asprintf("https://ec2.%s.amazonaws.com%s",
                                        region, cn ? ".cn" : "");
    } else {
        return TERN_EINVALID;
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

/* Host header and raw path of an endpoint URL. */
static int split_endpoint(const char *url, char **host, char **path)
{
    CURLU *u = curl_url();
    char *h = NULL, *port = NULL, *p = NULL;
    int error = TERN_EINVALID;

    *host = *path = NULL;
    if (!u)
        return TERN_ENOMEM;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
        goto done;
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_PATH, &p, 0);
    *host = port ? tern_asprintf("%s:%s", h, port) : tern_strdup(h);
    *path = tern_strdup(p && *p ? p : "/");
    error = *host && *path ? TERN_OK : TERN_ENOMEM;
done:
    curl_free(h);
    curl_free(port);
    curl_free(p);
    curl_url_cleanup(u);
    return error;
}

static time_t default_now(void *ud)
{
    (void)ud;
    return time(NULL);
}

void tern_aws_client_free(tern_aws_client *c)
{
    if (!c)
        return;
    tern_free(c->service);
    tern_free(c->service_label);
    tern_free(c->version);
    tern_free(c->endpoint);
    tern_free(c->host);
    tern_free(c->path);
    tern_free(c->signing_region);
    tern_sigv4_cache_free(c->keys);
    pthread_mutex_destroy(&c->lock);
    tern_free(c);
}

int tern_aws_client_new(tern_aws_client **out, const tern_aws_client_opts *opts,
                        struct tern_diags *diags)
{
    struct tern_aws_client *c = NULL;
    char why[512];
    int error = TERN_OK;

    *out = NULL;
    if (!opts || !opts->service || !opts->http || !opts->credentials)
        return TERN_EINVALID;
    c = tern_calloc(1, sizeof(*c));
    TERN_CHECK_ALLOC(c);
    pthread_mutex_init(&c->lock, NULL);
    c->service = tern_strdup(opts->service);
    TERN_CHECK_ALLOC(c->service);
    if (strcmp(opts->service, "iam") == 0) {
        c->version = tern_strdup("2010-05-08");
        c->service_label = tern_strdup("IAM");
    } else if (strcmp(opts->service, "sts") == 0) {
        c->version = tern_strdup("2011-06-15");
        c->service_label = tern_strdup("STS");
    } else if (strcmp(opts->service, "ec2") == 0) {
        c->version = tern_strdup("2016-11-15");
        c->service_label = tern_strdup("EC2");
    } else {
        error = TERN_EINVALID;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Unsupported AWS service",
                       "tern has no Query client for the service '%s'.",
                       opts->service);
        goto done;
    }
    TERN_CHECK_ALLOC(c->version);
    TERN_CHECK_ALLOC(c->service_label);
    error =
        tern_aws_resolve_endpoint(&c->endpoint, &c->signing_region,
                                  opts->service, opts->region, opts->endpoint);
    if (error)
        goto done;
    if (tern_http_check_url(c->endpoint, why, sizeof(why)) != TERN_OK ||
        split_endpoint(c->endpoint, &c->host, &c->path) != TERN_OK) {
        error = TERN_EINVALID;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid AWS endpoint",
                       why[0] ? "The %s endpoint cannot be used: %s."
                              : "The %s endpoint '%s' is not a valid URL.",
                       c->service_label, why[0] ? why : c->endpoint);
        goto done;
    }
    c->max_retries =
        opts->max_retries < 0 ? DEFAULT_MAX_RETRIES : opts->max_retries;
    c->http = opts->http;
    c->credentials = opts->credentials;
    c->sleep = opts->sleep ? opts->sleep : tern_clock_system_sleep;
    c->sleep_ud = opts->sleep_ud;
    c->now = opts->now ? opts->now : default_now;
    c->now_ud = opts->now_ud;
    c->cancel = opts->cancel;
    c->stop = opts->stop;
    c->deadline_ms =
        opts->deadline_ms > 0 ? opts->deadline_ms : DEFAULT_DEADLINE_MS;
    c->correct_clock_skew = opts->correct_clock_skew;
    c->max_pages = opts->max_pages > 0 ? opts->max_pages : TERN_AWS_MAX_PAGES;
    c->max_items = opts->max_items > 0 ? opts->max_items : TERN_AWS_MAX_ITEMS;
    c->tokens = QUOTA_MAX;
    c->rng = opts->seed ? opts->seed : (unsigned int)time(NULL) ^ 0x9e3779b9u;
    c->keys = tern_sigv4_cache_new();
    TERN_CHECK_ALLOC(c->keys);
    *out = c;
    c = NULL;
done:
    tern_aws_client_free(c);
    return error;
}

const char *tern_aws_client_endpoint(const tern_aws_client *c)
{
    return c->endpoint;
}

const char *tern_aws_client_signing_region(const tern_aws_client *c)
{
    return c->signing_region;
}

int tern_aws_client_retry_tokens(tern_aws_client *c)
{
    int t;

    pthread_mutex_lock(&c->lock);
    t = c->tokens;
    pthread_mutex_unlock(&c->lock);
    return t;
}

/* Take @p cost tokens from the retry budget; 0 when there are too few. */
static int quota_take(struct tern_aws_client *c, int cost)
{
    int ok;

    pthread_mutex_lock(&c->lock);
    ok = c->tokens >= cost;
    if (ok)
        c->tokens -= cost;
    pthread_mutex_unlock(&c->lock);
    return ok;
}

static void quota_give(struct tern_aws_client *c, int n)
{
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

static long backoff_ms(struct tern_aws_client *c, int attempt)
{
    unsigned int r;

    pthread_mutex_lock(&c->lock);
    r = rand_r(&c->rng);
    pthread_mutex_unlock(&c->lock);
    return tern_aws_backoff_ms(attempt, r);
}

static time_t signing_time(struct tern_aws_client *c)
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
static int correct_skew(struct tern_aws_client *c,
                        const tern_http_response *resp)
{
    char *date = tern_http_response_header(resp, "Date");
    time_t server, local;
    long diff;
    int corrected = 0;

    if (!date)
        return 0;
    server = curl_getdate(date, NULL);
    tern_free(date);
    if (server < 0)
        return 0;
    local = signing_time(c);
    diff = (long)(server - local);
    if (diff > SKEW_THRESHOLD_S || diff < -SKEW_THRESHOLD_S) {
        pthread_mutex_lock(&c->lock);
        c->skew_s += diff;
        pthread_mutex_unlock(&c->lock);
        corrected = 1;
        TERN_LOG_AT(TERN_LOG_DEBUG,
                    "aws: %s: local clock is %ld s off the service's; "
                    "correcting",
                    c->service, -diff);
    }
    return corrected;
}

/* One signed attempt, given at most @timeout_ms (0: the HTTP client's). */
static int send_once(struct tern_aws_client *c, const tern_buf *body,
                     const tern_aws_creds *creds, tern_http_response *resp,
                     long timeout_ms)
{
    tern_sigv4_request sreq = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts sopts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    struct tern_sigv4_header sh[2];
    struct tern_http_header hh[2 + TERN_SIGV4_MAX_HEADERS];
    tern_http_request req = TERN_HTTP_REQUEST_INIT;
    size_t i, n = 0;
    int error;

    memset(&res, 0, sizeof(res));
    sh[0].name = "Host";
    sh[0].value = c->host;
    sh[1].name = "Content-Type";
    sh[1].value = FORM_TYPE;
    sreq.method = "POST";
    sreq.path = c->path;
    sreq.headers = sh;
    sreq.nheaders = 2;
    sreq.body = body->ptr;
    sreq.body_len = body->len;
    sopts.access_key_id = creds->access_key_id;
    sopts.secret_access_key = creds->secret_access_key;
    sopts.session_token = creds->session_token;
    sopts.region = c->signing_region;
    sopts.service = c->service;
    sopts.time = signing_time(c);
    sopts.cache = c->keys;
    error = tern_sigv4_sign(&res, &sreq, &sopts);
    if (error)
        return error;
    hh[n].name = "Host";
    hh[n++].value = c->host;
    hh[n].name = "Content-Type";
    hh[n++].value = FORM_TYPE;
    for (i = 0; i < res.nheaders; i++) {
        hh[n].name = res.headers[i].name;
        hh[n++].value = res.headers[i].value;
    }
    req.method = "POST";
    req.url = c->endpoint;
    req.headers = hh;
    req.nheaders = n;
    req.body = body->ptr;
    req.body_len = body->len;
    req.cancel = c->cancel;
    /* The call's time left, when it is less than an attempt's own. */
    if (timeout_ms > 0 && timeout_ms < tern_http_timeout_ms(c->http))
        req.timeout_ms = timeout_ms;
    error = tern_http_send(c->http, &req, resp, NULL);
    tern_sigv4_result_release(&res);
    return error;
}

static const char *failure_name(enum tern_http_failure f)
{
    switch (f) {
    case TERN_HTTP_ETIMEOUT:
        return "timeout";
    case TERN_HTTP_ERESET:
        return "connection reset";
    case TERN_HTTP_ECONNECT:
        return "connection refused";
    default:
        return "transport error";
    }
}

static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - start->tv_sec) * 1000 +
           (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Whether root is <ActionResponse>, the only document a success may be. */
static int is_response_of(const tern_xml_node *root, const char *action)
{
    size_t alen = strlen(action);

    return root && root->name && strncmp(root->name, action, alen) == 0 &&
           strcmp(root->name + alen, "Response") == 0;
}

/*
 * One call's state across its attempts: tern_aws_call() builds the body
 * once, then each attempt sends it (call_send), classifies the answer
 * (call_read_success, call_classify_error) and backs off (call_back_off).
 */
struct aws_call {
    tern_aws_client *c;
    const char *action;
    struct tern_diags *diags;
    tern_buf body;
    tern_http_response resp;
    tern_aws_creds creds;
    tern_aws_error aerr;
    tern_xml_node *root;
    struct timespec call_start; /* the call's, for the deadline */
    struct timespec start;      /* this attempt's, for the log */
    char cause[640];
    int attempt, last_cost, skew_done, refreshed, over_deadline;
};

/* What happens after an attempt. */
enum call_step {
    CALL_RETRY, /* attempt again */
    CALL_FAIL,  /* give up: report the last failure */
    CALL_DONE   /* finished (success, or a failure already reported) */
};

/* Write the body once, as botocore writes it: every attempt signs and
 * sends exactly these bytes. */
static int call_build(struct aws_call *k, const tern_buf *params)
{
    const tern_aws_operation *op;
    char why[256];
    int error;

    op = tern_aws_operation_find(k->c->service, k->action);
    if (!op) {
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "Internal error",
                       "tern does not know the %s action %s "
                       "(src/aws/wire.c); this is a bug in tern.",
                       k->c->service_label, k->action);
        return TERN_EINVALID;
    }
    error = tern_aws_form_body(&k->body, op, k->c->version, params, why,
                               sizeof(why));
    if (error == TERN_EINVALID)
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "Internal error",
                       "%s; this is a bug in tern.", why);
    return error;
}

/* A 2xx answer: it must be this action's <ActionResponse> document. */
static int call_read_success(struct aws_call *k)
{
    tern_aws_client *c = k->c;
    char xmlerr[256];
    int error;

    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s -> %ld (attempt %d, %ld ms)",
                c->service, k->action, k->resp.status, k->attempt,
                elapsed_ms(&k->start));
    error = tern_xml_parse(&k->root, k->resp.body.ptr, k->resp.body.len, xmlerr,
                           sizeof(xmlerr));
    if (error == TERN_EINVALID) {
        error = TERN_ERROR;
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL,
                       "Unreadable AWS response",
                       "%s %s answered HTTP %ld with a body that is "
                       "not XML: %s.",
                       c->service_label, k->action, k->resp.status, xmlerr);
    }
    if (error == TERN_OK && !is_response_of(k->root, k->action)) {
        /* Well-formed but not this action's answer: a proxy's HTML page,
         * or another call's document. Never read a success out of it. */
        error = TERN_ERROR;
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL,
                       "Unexpected AWS response",
                       "%s %s answered HTTP %ld with a <%s> "
                       "document, not <%sResponse>; a proxy or "
                       "gateway may be in the way.",
                       c->service_label, k->action, k->resp.status,
                       k->root->name, k->action);
    }
    if (error == TERN_OK)
        quota_give(c, k->last_cost ? k->last_cost : QUOTA_SUCCESS_BONUS);
    return error;
}

/* A transport failure (no HTTP status): timeouts cost the budget more. */
static enum tern_aws_retry call_classify_transport(struct aws_call *k,
                                                   int *cost)
{
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s -> %s (attempt %d, %ld ms): %s",
                k->c->service, k->action, failure_name(k->resp.failure),
                k->attempt, elapsed_ms(&k->start), k->resp.error);
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

/*
 * An error status: read the AWS error document, map its code to tern's
 * (*error) and say whether and why to try again. Returns TERN_ENOMEM when
 * the document could not be read for want of memory, else TERN_OK.
 */
static int call_classify_error(struct aws_call *k, int *error,
                               enum tern_aws_retry *kind)
{
    tern_aws_client *c = k->c;
    tern_aws_error *aerr = &k->aerr;

    if (tern_aws_error_parse(aerr, k->resp.body.ptr, k->resp.body.len) ==
        TERN_ENOMEM)
        return TERN_ENOMEM;
    if (!aerr->request_id)
        aerr->request_id =
            tern_http_response_header(&k->resp, "x-amzn-RequestId");
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s -> %ld %s (attempt %d, %ld ms)",
                c->service, k->action, k->resp.status,
                aerr->code ? aerr->code : "(no error code)", k->attempt,
                elapsed_ms(&k->start));
    snprintf(k->cause, sizeof(k->cause), "%ld %s: %s", k->resp.status,
             aerr->code ? aerr->code : "(no error code)",
             aerr->message ? aerr->message : "");
    *error = tern_aws_error_class(aerr->code, k->resp.status);
    *kind = tern_aws_error_retryable(aerr->code, k->resp.status);
    if (*kind == TERN_AWS_RETRY_NONE && aerr->code && c->correct_clock_skew &&
        !k->skew_done && in_list(skew_codes, aerr->code) &&
        correct_skew(c, &k->resp)) {
        k->skew_done = 1;
        *kind = TERN_AWS_RETRY_CLOCK;
    }
    if (*kind == TERN_AWS_RETRY_NONE && aerr->code && !k->refreshed &&
        (strcmp(aerr->code, "ExpiredToken") == 0 ||
         strcmp(aerr->code, "ExpiredTokenException") == 0) &&
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
static enum call_step call_back_off(struct aws_call *k,
                                    enum tern_aws_retry kind, int cost,
                                    int *error)
{
    tern_aws_client *c = k->c;
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
    if (delay >= c->deadline_ms - elapsed_ms(&k->call_start)) {
        k->over_deadline = 1; /* no time left for another attempt */
        return CALL_FAIL;
    }
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s: retry %d/%d in %ld ms (%s: %s)",
                c->service, k->action, k->attempt, c->max_retries, delay,
                kind == TERN_AWS_RETRY_THROTTLED ? "throttled" : "transient",
                k->cause);
    /* The first interrupt ends the wait (and so the retries). */
    if (c->sleep(c->sleep_ud, delay, c->stop ? c->stop : c->cancel) != 0) {
        *error = TERN_ECANCELED;
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                       "%s %s was canceled while waiting to retry.",
                       c->service_label, k->action);
        return CALL_DONE;
    }
    return CALL_RETRY;
}

/* One attempt: credentials, send, classify, back off. */
static enum call_step call_attempt(struct aws_call *k, int *error)
{
    tern_aws_client *c = k->c;
    enum tern_aws_retry kind = TERN_AWS_RETRY_NONE;
    int cost = QUOTA_RETRY_COST, transport;
    long left;

    k->attempt++;
    tern_aws_creds_release(&k->creds);
    tern_aws_error_release(&k->aerr);
    tern_http_response_release(&k->resp);
    *error = tern_aws_credentials_get(c->credentials, &k->creds, k->diags);
    if (*error)
        return CALL_DONE;
    clock_gettime(CLOCK_MONOTONIC, &k->start);
    left = c->deadline_ms - elapsed_ms(&k->call_start);
    if (left <= 0) {
        k->over_deadline = 1;
        *error = TERN_ERROR; /* reported by call_report_failure */
        return CALL_FAIL;
    }
    transport = send_once(c, &k->body, &k->creds, &k->resp, left);
    if (transport == TERN_ECANCELED || transport == TERN_ENOMEM ||
        transport == TERN_EINVALID) {
        *error = transport;
        if (transport == TERN_ECANCELED)
            tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                           "%s %s was canceled.", c->service_label, k->action);
        else if (transport == TERN_EINVALID)
            tern_diags_add(k->diags, TERN_SEV_ERROR, NULL,
                           "Invalid AWS endpoint", "%s", k->resp.error);
        return CALL_DONE;
    }
    if (transport != TERN_OK) {
        kind = call_classify_transport(k, &cost);
        *error = TERN_ERROR;
    } else if (k->resp.status >= 200 && k->resp.status < 300) {
        *error = call_read_success(k);
        return CALL_DONE;
    } else if (call_classify_error(k, error, &kind) == TERN_ENOMEM) {
        *error = TERN_ENOMEM;
        return CALL_DONE;
    }
    if (kind == TERN_AWS_RETRY_NONE)
        return CALL_FAIL;
    return call_back_off(k, kind, cost, error);
}

/* The diagnostic for a call that gave up. */
static void call_report_failure(struct aws_call *k)
{
    tern_aws_client *c = k->c;
    const tern_aws_error *aerr = &k->aerr;
    const tern_http_response *resp = &k->resp;
    int attempt = k->attempt;

    if (k->over_deadline) {
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "%s %s gave up after %ld ms, the most one call may "
                       "take (%d attempt%s; the last: %s).",
                       c->service_label, k->action, c->deadline_ms, attempt,
                       attempt == 1 ? "" : "s",
                       aerr->code     ? aerr->code
                       : resp->status ? "an error status"
                                      : failure_name(resp->failure));
    } else if (aerr->code || resp->status) {
        char snippet[160], head[121];
        size_t shown;
        struct tern_diag *d;

        /* Without an AWS error document (a proxy's page, an empty body),
         * show the start of what came back instead, its control
         * characters made visible (issue 20, finding 14). */
        shown = tern_printable_copy(head, sizeof(head),
                                    resp->body.len ? resp->body.ptr : "");
        snprintf(snippet, sizeof(snippet), "%s%s%s",
                 resp->body.len ? "the service answered: " : "",
                 resp->body.len ? head : "the service answered no body",
                 shown < resp->body.len ? "..." : "");
        d = tern_diags_add(
            k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
            "%s %s: %s: %s (HTTP %ld, request id %s, %d attempt%s)",
            c->service_label, k->action, aerr->code ? aerr->code : "error",
            aerr->message ? aerr->message : snippet, resp->status,
            aerr->request_id ? aerr->request_id : "unknown", attempt,
            attempt == 1 ? "" : "s");
        if (d && aerr->code)
            d->service_code = tern_strdup(aerr->code);
        if (d && aerr->request_id)
            d->request_id = tern_strdup(aerr->request_id);
    } else {
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "%s %s failed after %d attempt%s: %s", c->service_label,
                       k->action, attempt, attempt == 1 ? "" : "s",
                       resp->error);
    }
}

int tern_aws_call(tern_aws_client *c, const char *action,
                  const tern_buf *params, tern_xml_node **out,
                  struct tern_diags *diags)
{
    struct aws_call k;
    enum call_step step;
    int error;

    memset(&k, 0, sizeof(k));
    k.c = c;
    k.action = action;
    k.diags = diags;
    k.body = (tern_buf)TERN_BUF_INIT;
    k.resp = (tern_http_response)TERN_HTTP_RESPONSE_INIT;
    clock_gettime(CLOCK_MONOTONIC, &k.call_start);
    if (out)
        *out = NULL;
    error = call_build(&k, params);
    if (error == TERN_OK) {
        do
            step = call_attempt(&k, &error);
        while (step == CALL_RETRY);
        if (step == CALL_FAIL)
            call_report_failure(&k);
    }
    if (out && error == TERN_OK) {
        *out = k.root;
        k.root = NULL;
    }
    tern_xml_free(k.root);
    tern_aws_creds_release(&k.creds);
    tern_aws_error_release(&k.aerr);
    tern_http_response_release(&k.resp);
    tern_buf_release(&k.body);
    return error;
}

int tern_aws_call_paged(tern_aws_client *c, const char *action,
                        const tern_buf *params, tern_aws_page_fn fn, void *ud,
                        struct tern_diags *diags)
{
    tern_buf p = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char *marker = NULL;
    char result_name[128];
    int error = TERN_OK;
    long pages = 0, items = 0;

    snprintf(result_name, sizeof(result_name), "%sResult", action);
    for (;;) {
        const tern_xml_node *result;
        const char *truncated, *next;

        tern_buf_clear(&p);
        if (params && params->len)
            tern_buf_put(&p, params->ptr, params->len);
        if (marker)
            tern_aws_query_add(&p, "Marker", marker);
        if (tern_buf_oom(&p)) {
            error = TERN_ENOMEM;
            goto done;
        }
        tern_xml_free(root);
        root = NULL;
        error = tern_aws_call(c, action, &p, &root, diags);
        if (error)
            goto done;
        pages++;
        result = tern_xml_child(root, result_name);
        if (!result) {
            error = TERN_ERROR;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Unexpected AWS response",
                           "%s %s answered without a %s element.",
                           c->service_label, action, result_name);
            goto done;
        }
        {
            const tern_xml_node *list, *m;

            for (list = result->children; list; list = list->next)
                for (m = list->children; m; m = m->next)
                    items += strcmp(m->name, "member") == 0;
        }
        if (items > c->max_items) {
            error = TERN_ERROR;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Too many AWS results",
                           "%s %s returned more than %ld items in %ld "
                           "pages; tern stops there rather than read "
                           "without end.",
                           c->service_label, action, c->max_items, pages);
            goto done;
        }
        error = fn(ud, result);
        if (error)
            goto done;
        truncated = tern_xml_text(result, "IsTruncated");
        next = tern_xml_text(result, "Marker");
        if (!truncated || strcmp(truncated, "true") != 0 || !next || !*next)
            break;
        if (pages >= c->max_pages) {
            error = TERN_ERROR;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Too many AWS results",
                           "%s %s was still truncated after %ld pages; "
                           "tern stops there rather than read without end.",
                           c->service_label, action, pages);
            goto done;
        }
        if (marker && strcmp(marker, next) == 0) {
            error = TERN_ERROR;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Unexpected AWS response",
                           "%s %s returned the same Marker twice.",
                           c->service_label, action);
            goto done;
        }
        tern_free(marker);
        marker = tern_strdup(next);
        TERN_CHECK_ALLOC(marker);
    }
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s: %ld page%s", c->service, action,
                pages, pages == 1 ? "" : "s");
done:
    tern_xml_free(root);
    tern_free(marker);
    tern_buf_release(&p);
    return error;
}

int tern_aws_query_add_list(tern_buf *b, const char *name,
                            const char *const *values, size_t n)
{
    char key[256];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.member.%zu", name, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

int tern_aws_query_add_ec2_list(tern_buf *b, const char *name,
                                const char *const *values, size_t n)
{
    char key[256];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu", name, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

int tern_aws_query_add_ec2_filter(tern_buf *b, size_t index,
                                  const char *filter_name,
                                  const char *const *values, size_t n)
{
    char key[256];
    size_t i;

    snprintf(key, sizeof(key), "Filter.%zu.Name", index);
    tern_aws_query_add(b, key, filter_name);
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "Filter.%zu.Value.%zu", index, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

int tern_aws_query_add_tags(tern_buf *b, const char *name,
                            const char *const *keys, const char *const *values,
                            size_t n)
{
    char key[256];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.member.%zu.Key", name, i + 1);
        tern_aws_query_add(b, key, keys[i]);
        snprintf(key, sizeof(key), "%s.member.%zu.Value", name, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

char *tern_aws_decode_policy(const char *encoded)
{
    tern_buf b = TERN_BUF_INIT;

    if (!encoded)
        encoded = "";
    if (tern_aws_form_decode(&b, encoded, strlen(encoded)) != TERN_OK) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}
