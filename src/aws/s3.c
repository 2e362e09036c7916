/*
 * The S3 REST client (see s3.h). The endpoint and addressing rules follow
 * aws-sdk-go-v2 service/s3's endpoint resolution (virtual-hosted unless
 * UsePathStyle, an IP host, or a bucket that is not a DNS label); the
 * retry rules are the Query client's (aws/client.c), whose error tables
 * this file reuses through tern_aws_error_retryable().
 */
#include "aws/s3.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/env.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_MAX_RETRIES 25

struct tern_s3_client {
    char *endpoint; /* as configured or resolved */
    char *scheme;   /* "https" or "http" */
    char *host;     /* host[:port] of the endpoint */
    char *base;     /* the endpoint's path without a trailing '/', or "" */
    char *region;
    int path_style; /* forced: use_path_style or an IP host */
    int https;
    int max_retries;
    tern_http *http;
    tern_aws_credentials *credentials;
    tern_aws_sleep_fn sleep;
    void *sleep_ud;
    const atomic_int *cancel;
    tern_sigv4_cache *keys;
    pthread_mutex_t lock;
    unsigned int rng;
};

void tern_s3_client_free(tern_s3_client *c)
{
    if (!c)
        return;
    tern_free(c->endpoint);
    tern_free(c->scheme);
    tern_free(c->host);
    tern_free(c->base);
    tern_free(c->region);
    tern_sigv4_cache_free(c->keys);
    pthread_mutex_destroy(&c->lock);
    tern_free(c);
}

/* Whether a host (without port; IPv6 in brackets) is an IP address. */
static int host_is_ip(const char *host)
{
    unsigned char a[16];
    char v6[64];
    size_t len = strlen(host);

    if (inet_pton(AF_INET, host, a) == 1)
        return 1;
    if (len > 2 && len < sizeof(v6) && host[0] == '[') {
        memcpy(v6, host + 1, len - 2);
        v6[len - 2] = '\0';
        return inet_pton(AF_INET6, v6, a) == 1;
    }
    return 0;
}

int tern_s3_client_new(tern_s3_client **out, const tern_s3_client_opts *opts,
                       struct tern_diags *diags)
{
    struct tern_s3_client *c = NULL;
    const char *ep;
    CURLU *u = NULL;
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    char why[512];
    size_t blen;
    int error = TERN_OK;

    *out = NULL;
    if (!opts || !opts->http || !opts->credentials)
        return TERN_EINVALID;
    c = tern_calloc(1, sizeof(*c));
    TERN_CHECK_ALLOC(c);
    pthread_mutex_init(&c->lock, NULL);
    c->region = tern_strdup(opts->region ? opts->region : "us-east-1");
    TERN_CHECK_ALLOC(c->region);
    ep = tern_env("AWS_ENDPOINT_URL_S3");
    if (!ep)
        ep = tern_env("AWS_ENDPOINT_URL");
    if (!ep)
        ep = opts->endpoint && *opts->endpoint ? opts->endpoint : NULL;
    if (ep)
        c->endpoint = tern_strdup(ep);
    else
        c->endpoint =
            tern_asprintf("https://s3.%s.amazonaws.com%s", c->region,
                          strncmp(c->region, "cn-", 3) == 0 ? ".cn" : "");
    TERN_CHECK_ALLOC(c->endpoint);
    if (tern_http_check_url(c->endpoint, why, sizeof(why)) != TERN_OK) {
        error = TERN_EINVALID;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid S3 endpoint", "%s",
                       why);
        goto done;
    }
    u = curl_url();
    TERN_CHECK_ALLOC(u);
    if (curl_url_set(u, CURLUPART_URL, c->endpoint, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        error = TERN_EINVALID;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid S3 endpoint",
                       "\"%s\" is not a URL.", c->endpoint);
        goto done;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    c->scheme = tern_strdup(scheme);
    c->host = port ? tern_asprintf("%s:%s", host, port) : tern_strdup(host);
    c->base = tern_strdup(path ? path : "");
    TERN_CHECK_ALLOC(c->scheme);
    TERN_CHECK_ALLOC(c->host);
    TERN_CHECK_ALLOC(c->base);
    blen = strlen(c->base);
    while (blen && c->base[blen - 1] == '/')
        c->base[--blen] = '\0';
    c->https = strcmp(c->scheme, "https") == 0;
    c->path_style = opts->use_path_style || host_is_ip(host);
    c->max_retries =
        opts->max_retries < 0 ? DEFAULT_MAX_RETRIES : opts->max_retries;
    c->http = opts->http;
    c->credentials = opts->credentials;
    c->sleep = opts->sleep ? opts->sleep : tern_clock_system_sleep;
    c->sleep_ud = opts->sleep_ud;
    c->cancel = opts->cancel;
    c->rng = (unsigned int)time(NULL);
    c->keys = tern_sigv4_cache_new();
    TERN_CHECK_ALLOC(c->keys);
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    if (error == TERN_OK)
        *out = c;
    else
        tern_s3_client_free(c);
    return error;
}

const char *tern_s3_client_endpoint(const tern_s3_client *c)
{
    return c->endpoint;
}

/*
 * Whether a bucket can be a host label (the SDK's
 * isVirtualHostableS3Bucket): 3-63 of a-z 0-9 '-', not starting or ending
 * with '-', and without dots under https (its certificate covers one
 * label).
 */
static int virtual_hostable(const tern_s3_client *c, const char *bucket)
{
    size_t len = strlen(bucket), i;

    if (c->path_style || len < 3 || len > 63)
        return 0;
    for (i = 0; i < len; i++) {
        char ch = bucket[i];

        if (ch == '.' && !c->https)
            continue;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-'))
            return 0;
    }
    return bucket[0] != '-' && bucket[len - 1] != '-';
}

/* Host header, raw path (encoded once) and URL of a request. */
struct target {
    char *host;
    tern_buf path;
    char *url;
};

static void target_release(struct target *t)
{
    tern_free(t->host);
    tern_buf_release(&t->path);
    tern_free(t->url);
}

static int target_make(struct target *t, const tern_s3_client *c,
                       const char *bucket, const char *key, const char *query)
{
    int vh = virtual_hostable(c, bucket);

    memset(t, 0, sizeof(*t));
    t->host =
        vh ? tern_asprintf("%s.%s", bucket, c->host) : tern_strdup(c->host);
    if (!t->host)
        return TERN_ENOMEM;
    tern_buf_puts(&t->path, c->base);
    if (!vh) {
        tern_buf_putc(&t->path, '/');
        tern_aws_uri_encode(&t->path, bucket, strlen(bucket), 0);
    }
    tern_buf_putc(&t->path, '/');
    if (key)
        tern_aws_uri_encode(&t->path, key, strlen(key), 1);
    if (tern_buf_oom(&t->path))
        return TERN_ENOMEM;
    t->url = tern_asprintf("%s://%s%s%s%s", c->scheme, t->host,
                           tern_buf_cstr(&t->path), query && *query ? "?" : "",
                           query ? query : "");
    return t->url ? TERN_OK : TERN_ENOMEM;
}

char *tern_s3_object_url(const tern_s3_client *c, const char *bucket,
                         const char *key)
{
    struct target t;
    char *url = NULL;

    if (target_make(&t, c, bucket, key, NULL) == TERN_OK) {
        url = t.url;
        t.url = NULL;
    }
    target_release(&t);
    return url;
}

/* One request. */
struct s3_req {
    const char *action; /* for logs and messages */
    const char *method;
    const char *bucket;
    const char *key; /* NULL: the bucket */
    const char *query;
    const struct tern_http_header *headers; /* extra, signed */
    size_t nheaders;
    const void *body;
    size_t body_len;
    int not_modified_ok; /* a conditional GET: 304 is an answer */
};

static int send_once(tern_s3_client *c, const struct s3_req *r,
                     const struct target *t, const tern_aws_creds *creds,
                     tern_http_response *resp)
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
    if (r->nheaders > 6)
        return TERN_EINVALID;
    sh[ns].name = "Host";
    sh[ns++].value = t->host;
    for (i = 0; i < r->nheaders; i++) {
        sh[ns].name = r->headers[i].name;
        sh[ns++].value = r->headers[i].value;
    }
    sreq.method = r->method;
    sreq.path = tern_buf_cstr(&t->path);
    sreq.query = r->query;
    sreq.headers = sh;
    sreq.nheaders = ns;
    sreq.body = r->body;
    sreq.body_len = r->body_len;
    sopts.access_key_id = creds->access_key_id;
    sopts.secret_access_key = creds->secret_access_key;
    sopts.session_token = creds->session_token;
    sopts.region = c->region;
    sopts.service = "s3";
    sopts.time = time(NULL);
    sopts.cache = c->keys;
    sopts.normalize_path = 0;
    sopts.path_encoded = 1;
    sopts.sign_body = 1;
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
    req.url = t->url;
    req.headers = hh;
    req.nheaders = n;
    req.body = r->body;
    req.body_len = r->body_len;
    req.cancel = c->cancel;
    error = tern_http_send(c->http, &req, resp, NULL);
    tern_sigv4_result_release(&res);
    return error;
}

static long backoff_ms(tern_s3_client *c, int attempt)
{
    unsigned int r;

    pthread_mutex_lock(&c->lock);
    r = rand_r(&c->rng);
    pthread_mutex_unlock(&c->lock);
    return tern_aws_backoff_ms(attempt, r);
}

/* How an S3 error maps to tern's codes. */
static int error_class(const char *code, long status)
{
    if (code && strcmp(code, "NoSuchKey") == 0)
        return TERN_ENOTFOUND;
    if (code && (strcmp(code, "PreconditionFailed") == 0 ||
                 strcmp(code, "ConditionalRequestConflict") == 0))
        return TERN_ECONFLICT;
    if (status == 412 || status == 409)
        return TERN_ECONFLICT;
    if (code && (strcmp(code, "AccessDenied") == 0 ||
                 strcmp(code, "InvalidAccessKeyId") == 0 ||
                 strcmp(code, "SignatureDoesNotMatch") == 0 ||
                 strcmp(code, "InvalidToken") == 0 ||
                 strcmp(code, "ExpiredToken") == 0))
        return TERN_EAUTH;
    if (status == 404)
        return TERN_ENOTFOUND;
    return TERN_ERROR;
}

/*
 * Send with retries. On success resp holds the answer. On failure a
 * diagnostic names the action, the service's code and message, the HTTP
 * status and request id; except for NoSuchKey on a GET, which the caller
 * reports (or not) itself.
 */
static int s3_call(tern_s3_client *c, const struct s3_req *r,
                   tern_http_response *resp, int quiet_not_found,
                   struct tern_diags *diags)
{
    struct target t;
    tern_aws_creds creds;
    tern_aws_error aerr;
    int error, attempt = 0, refreshed = 0;

    memset(&creds, 0, sizeof(creds));
    memset(&aerr, 0, sizeof(aerr));
    error = target_make(&t, c, r->bucket, r->key, r->query);
    if (error)
        goto done;
    for (;;) {
        int retry = 0, transport;
        long delay;

        attempt++;
        tern_aws_creds_release(&creds);
        tern_aws_error_release(&aerr);
        tern_http_response_release(resp);
        error = tern_aws_credentials_get(c->credentials, &creds, diags);
        if (error)
            goto done;
        transport = send_once(c, r, &t, &creds, resp);
        if (transport == TERN_ECANCELED || transport == TERN_ENOMEM ||
            transport == TERN_EINVALID) {
            error = transport;
            if (transport == TERN_ECANCELED)
                tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                               "Operation canceled", "S3 %s was canceled.",
                               r->action);
            else if (transport == TERN_EINVALID)
                tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                               "Invalid S3 endpoint", "%s", resp->error);
            goto done;
        }
        if (transport != TERN_OK) {
            TERN_LOG_AT(TERN_LOG_DEBUG, "aws: s3 %s -> %s (attempt %d)",
                        r->action, resp->error, attempt);
            error = TERN_ERROR;
            retry = resp->failure == TERN_HTTP_ETIMEOUT ||
                    resp->failure == TERN_HTTP_ERESET ||
                    resp->failure == TERN_HTTP_ECONNECT;
        } else if ((resp->status >= 200 && resp->status < 300) ||
                   (resp->status == 304 && r->not_modified_ok)) {
            TERN_LOG_AT(TERN_LOG_DEBUG, "aws: s3 %s -> %ld (attempt %d)",
                        r->action, resp->status, attempt);
            error = TERN_OK;
            goto done;
        } else {
            if (tern_aws_error_parse(&aerr, resp->body.ptr, resp->body.len) ==
                TERN_ENOMEM) {
                error = TERN_ENOMEM;
                goto done;
            }
            if (!aerr.request_id)
                aerr.request_id =
                    tern_http_response_header(resp, "x-amz-request-id");
            TERN_LOG_AT(TERN_LOG_DEBUG, "aws: s3 %s -> %ld %s (attempt %d)",
                        r->action, resp->status,
                        aerr.code ? aerr.code : "(no error code)", attempt);
            error = error_class(aerr.code, resp->status);
            retry = error == TERN_ECONFLICT
                        ? 0
                        : tern_aws_error_retryable(aerr.code, resp->status);
            if (!retry && !refreshed && aerr.code &&
                strcmp(aerr.code, "ExpiredToken") == 0 &&
                tern_aws_credentials_invalidate(c->credentials)) {
                refreshed = 1;
                continue;
            }
        }
        if (!retry || attempt > c->max_retries)
            break;
        delay = backoff_ms(c, attempt);
        TERN_LOG_AT(TERN_LOG_DEBUG, "aws: s3 %s: retry %d/%d in %ld ms",
                    r->action, attempt, c->max_retries, delay);
        if (c->sleep(c->sleep_ud, delay, c->cancel) != 0) {
            error = TERN_ECANCELED;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                           "S3 %s was canceled while waiting to retry.",
                           r->action);
            goto done;
        }
    }
    if (error == TERN_ENOTFOUND && quiet_not_found && aerr.code &&
        strcmp(aerr.code, "NoSuchKey") == 0)
        goto done;
    if (resp->status) {
        struct tern_diag *d = tern_diags_add(
            diags, TERN_SEV_ERROR, NULL, "AWS request failed",
            "S3 %s s3://%s/%s: %s: %s (HTTP %ld, request id %s, %d attempt%s)",
            r->action, r->bucket, r->key ? r->key : "",
            aerr.code ? aerr.code : "error",
            aerr.message ? aerr.message : "the service answered no message",
            resp->status, aerr.request_id ? aerr.request_id : "unknown",
            attempt, attempt == 1 ? "" : "s");

        if (d && aerr.code)
            d->service_code = tern_strdup(aerr.code);
        if (d && aerr.request_id)
            d->request_id = tern_strdup(aerr.request_id);
    } else {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "S3 %s s3://%s/%s failed after %d attempt%s: %s",
                       r->action, r->bucket, r->key ? r->key : "", attempt,
                       attempt == 1 ? "" : "s", resp->error);
    }
done:
    tern_aws_creds_release(&creds);
    tern_aws_error_release(&aerr);
    target_release(&t);
    return error;
}

/* GetObject, If-None-Match: @p if_none_match when not NULL (*changed 0
 * on 304 Not Modified). */
static int get_object(tern_s3_client *c, const char *bucket, const char *key,
                      const char *if_none_match, tern_buf *body, char **etag,
                      int *changed, struct tern_diags *diags)
{
    struct tern_http_header h[1];
    struct s3_req r;
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    int error;

    if (etag)
        *etag = NULL;
    *changed = 1;
    memset(&r, 0, sizeof(r));
    r.action = "GetObject";
    r.method = "GET";
    r.bucket = bucket;
    r.key = key;
    if (if_none_match) {
        h[0].name = "If-None-Match";
        h[0].value = if_none_match;
        r.headers = h;
        r.nheaders = 1;
        r.not_modified_ok = 1;
    }
    error = s3_call(c, &r, &resp, 1, diags);
    if (error == TERN_OK && resp.status == 304) {
        *changed = 0;
    } else if (error == TERN_OK) {
        tern_buf_put(body, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
        if (tern_buf_oom(body))
            error = TERN_ENOMEM;
        if (etag)
            *etag = tern_http_response_header(&resp, "ETag");
    }
    tern_http_response_release(&resp);
    return error;
}

int tern_s3_get(tern_s3_client *c, const char *bucket, const char *key,
                tern_buf *body, char **etag, struct tern_diags *diags)
{
    int changed;

    return get_object(c, bucket, key, NULL, body, etag, &changed, diags);
}

int tern_s3_get_if_changed(tern_s3_client *c, const char *bucket,
                           const char *key, const char *etag_held,
                           tern_buf *body, char **etag, int *changed,
                           struct tern_diags *diags)
{
    return get_object(c, bucket, key, etag_held, body, etag, changed, diags);
}

int tern_s3_put(tern_s3_client *c, const char *bucket, const char *key,
                const void *body, size_t len, const tern_s3_put_opts *opts,
                char **etag, struct tern_diags *diags)
{
    struct s3_req r;
    struct tern_http_header h[6];
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    size_t n = 0;
    int error;

    if (etag)
        *etag = NULL;
    memset(&r, 0, sizeof(r));
    /* Header order as the SDK writes them; the signer sorts anyway. */
    if (opts && opts->content_type) {
        h[n].name = "Content-Type";
        h[n++].value = opts->content_type;
    }
    if (opts && opts->if_match) {
        h[n].name = "If-Match";
        h[n++].value = opts->if_match;
    }
    if (opts && opts->if_none_match) {
        h[n].name = "If-None-Match";
        h[n++].value = "*";
    }
    if (opts && opts->acl) {
        h[n].name = "x-amz-acl";
        h[n++].value = opts->acl;
    }
    if (opts && opts->sse) {
        h[n].name = "x-amz-server-side-encryption";
        h[n++].value = opts->sse;
    }
    if (opts && opts->kms_key_id) {
        h[n].name = "x-amz-server-side-encryption-aws-kms-key-id";
        h[n++].value = opts->kms_key_id;
    }
    r.action = "PutObject";
    r.method = "PUT";
    r.bucket = bucket;
    r.key = key;
    r.headers = h;
    r.nheaders = n;
    r.body = body;
    r.body_len = len;
    error = s3_call(c, &r, &resp, 0, diags);
    /* If-Match on an object that is gone: the write lost, like a 412. */
    if (error == TERN_ENOTFOUND && opts && opts->if_match)
        error = TERN_ECONFLICT;
    if (error == TERN_OK && etag)
        *etag = tern_http_response_header(&resp, "ETag");
    tern_http_response_release(&resp);
    return error;
}

int tern_s3_delete(tern_s3_client *c, const char *bucket, const char *key,
                   const char *if_match, struct tern_diags *diags)
{
    struct tern_http_header h[1];
    struct s3_req r;
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    int error;

    memset(&r, 0, sizeof(r));
    r.action = "DeleteObject";
    r.method = "DELETE";
    r.bucket = bucket;
    r.key = key;
    if (if_match) {
        h[0].name = "If-Match";
        h[0].value = if_match;
        r.headers = h;
        r.nheaders = 1;
    }
    error = s3_call(c, &r, &resp, 0, diags);
    tern_http_response_release(&resp);
    return error;
}

static void query_param(tern_buf *q, const char *name, const char *value)
{
    if (q->len)
        tern_buf_putc(q, '&');
    tern_buf_puts(q, name);
    tern_buf_putc(q, '=');
    tern_aws_uri_encode(q, value, strlen(value), 0);
}

int tern_s3_list(tern_s3_client *c, const char *bucket, const char *prefix,
                 const char *delimiter, tern_s3_list_fn fn, void *ud,
                 struct tern_diags *diags)
{
    tern_buf q = TERN_BUF_INIT;
    char *token = NULL;
    tern_xml_node *root = NULL;
    int error = TERN_OK;

    do {
        struct s3_req r;
        tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
        const tern_xml_node *n;
        const char *next;
        char xmlerr[256];

        tern_buf_clear(&q);
        /* The SDK's order: continuation-token, delimiter, list-type,
         * prefix (alphabetical, as the canonical query is). */
        if (token)
            query_param(&q, "continuation-token", token);
        if (delimiter)
            query_param(&q, "delimiter", delimiter);
        query_param(&q, "list-type", "2");
        if (prefix)
            query_param(&q, "prefix", prefix);
        if (tern_buf_oom(&q)) {
            error = TERN_ENOMEM;
            break;
        }
        memset(&r, 0, sizeof(r));
        r.action = "ListObjectsV2";
        r.method = "GET";
        r.bucket = bucket;
        r.query = tern_buf_cstr(&q);
        error = s3_call(c, &r, &resp, 0, diags);
        if (error == TERN_OK) {
            tern_xml_free(root);
            root = NULL;
            error = tern_xml_parse(&root, resp.body.ptr, resp.body.len, xmlerr,
                                   sizeof(xmlerr));
            if (error == TERN_OK && strcmp(root->name, "ListBucketResult") != 0)
                error = TERN_EINVALID;
            if (error == TERN_EINVALID) {
                error = TERN_ERROR;
                tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                               "Unexpected AWS response",
                               "S3 ListObjectsV2 s3://%s answered HTTP %ld "
                               "without a <ListBucketResult> document.",
                               bucket, resp.status);
            }
        }
        tern_http_response_release(&resp);
        if (error)
            break;
        for (n = root->children; n && error == TERN_OK; n = n->next) {
            if (strcmp(n->name, "Contents") == 0 && tern_xml_text(n, "Key"))
                error = fn(ud, tern_xml_text(n, "Key"), 0);
            else if (strcmp(n->name, "CommonPrefixes") == 0 &&
                     tern_xml_text(n, "Prefix"))
                error = fn(ud, tern_xml_text(n, "Prefix"), 1);
        }
        if (error)
            break;
        tern_free(token);
        token = NULL;
        next = tern_xml_text(root, "NextContinuationToken");
        if (next && strcmp(tern_xml_text(root, "IsTruncated")
                               ? tern_xml_text(root, "IsTruncated")
                               : "",
                           "true") == 0) {
            token = tern_strdup(next);
            if (!token)
                error = TERN_ENOMEM;
        }
    } while (token && error == TERN_OK);
    tern_xml_free(root);
    tern_free(token);
    tern_buf_release(&q);
    return error;
}
