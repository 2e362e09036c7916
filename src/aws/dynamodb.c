/*
 * The DynamoDB client (see dynamodb.h). The protocol facts are botocore's
 * (data/dynamodb/2012-08-10/service-2.json: "protocol": "json",
 * "jsonVersion": "1.0", "targetPrefix": "DynamoDB_20120810",
 * "signingName": "dynamodb"; botocore/serialize.py JSONSerializer).
 */
#include "aws/dynamodb.h"
#include "aws/sigv4.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/env.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_MAX_RETRIES 25
#define TARGET_PREFIX       "DynamoDB_20120810."
#define CONTENT_TYPE        "application/x-amz-json-1.0"

struct tern_ddb_client {
    char *endpoint, *url, *host, *path, *region;
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

void tern_ddb_client_free(tern_ddb_client *c)
{
    if (!c)
        return;
    tern_free(c->endpoint);
    tern_free(c->url);
    tern_free(c->host);
    tern_free(c->path);
    tern_free(c->region);
    tern_sigv4_cache_free(c->keys);
    pthread_mutex_destroy(&c->lock);
    tern_free(c);
}

const char *tern_ddb_client_endpoint(const tern_ddb_client *c)
{
    return c->endpoint;
}

/* Host[:port] and path of the endpoint. */
static int split_endpoint(tern_ddb_client *c, struct tern_diags *diags)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *path = NULL, *scheme = NULL;
    int error = TERN_OK;

    if (!u)
        return TERN_ENOMEM;
    if (curl_url_set(u, CURLUPART_URL, c->endpoint, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid DynamoDB endpoint",
                       "\"%s\" is not a URL.", c->endpoint);
        error = TERN_EINVALID;
        goto done;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    c->host = port ? tern_asprintf("%s:%s", host, port) : tern_strdup(host);
    c->path = tern_strdup(path && *path ? path : "/");
    c->url = tern_asprintf("%s://%s%s", scheme, c->host ? c->host : "",
                           c->path ? c->path : "/");
    if (!c->host || !c->path || !c->url)
        error = TERN_ENOMEM;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    return error;
}

int tern_ddb_client_new(tern_ddb_client **out, const tern_ddb_client_opts *opts,
                        struct tern_diags *diags)
{
    tern_ddb_client *c;
    const char *ep;
    char why[512];
    int error;

    *out = NULL;
    if (!opts || !opts->http || !opts->credentials)
        return TERN_EINVALID;
    c = tern_calloc(1, sizeof(*c));
    if (!c)
        return TERN_ENOMEM;
    pthread_mutex_init(&c->lock, NULL);
    c->region = tern_strdup(opts->region ? opts->region : "us-east-1");
    ep = tern_env("AWS_ENDPOINT_URL_DYNAMODB");
    if (!ep)
        ep = tern_env("AWS_ENDPOINT_URL");
    if (!ep)
        ep = opts->endpoint && *opts->endpoint ? opts->endpoint : NULL;
    if (ep)
        c->endpoint = tern_strdup(ep);
    else if (c->region)
        c->endpoint =
            tern_asprintf("https://dynamodb.%s.amazonaws.com%s", c->region,
                          strncmp(c->region, "cn-", 3) == 0 ? ".cn" : "");
    c->keys = tern_sigv4_cache_new();
    if (!c->region || !c->endpoint || !c->keys) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (tern_http_check_url(c->endpoint, why, sizeof(why)) != TERN_OK) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid DynamoDB endpoint",
                       "%s", why);
        error = TERN_EINVALID;
        goto done;
    }
    if ((error = split_endpoint(c, diags)) != TERN_OK)
        goto done;
    c->max_retries =
        opts->max_retries < 0 ? DEFAULT_MAX_RETRIES : opts->max_retries;
    c->http = opts->http;
    c->credentials = opts->credentials;
    c->sleep = opts->sleep ? opts->sleep : tern_clock_system_sleep;
    c->sleep_ud = opts->sleep_ud;
    c->cancel = opts->cancel;
    c->rng = (unsigned int)time(NULL);
done:
    if (error == TERN_OK)
        *out = c;
    else
        tern_ddb_client_free(c);
    return error;
}

static int send_once(tern_ddb_client *c, const char *target, const char *body,
                     const tern_aws_creds *creds, tern_http_response *resp)
{
    tern_sigv4_request sreq = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts sopts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    struct tern_sigv4_header sh[3];
    struct tern_http_header hh[3 + TERN_SIGV4_MAX_HEADERS];
    tern_http_request req = TERN_HTTP_REQUEST_INIT;
    size_t i, n = 0;
    int error;

    memset(&res, 0, sizeof(res));
    sh[0].name = "Host";
    sh[0].value = c->host;
    sh[1].name = "Content-Type";
    sh[1].value = CONTENT_TYPE;
    sh[2].name = "X-Amz-Target";
    sh[2].value = target;
    sreq.method = "POST";
    sreq.path = c->path;
    sreq.query = NULL;
    sreq.headers = sh;
    sreq.nheaders = 3;
    sreq.body = body;
    sreq.body_len = strlen(body);
    sopts.access_key_id = creds->access_key_id;
    sopts.secret_access_key = creds->secret_access_key;
    sopts.session_token = creds->session_token;
    sopts.region = c->region;
    sopts.service = "dynamodb";
    sopts.time = time(NULL);
    sopts.cache = c->keys;
    error = tern_sigv4_sign(&res, &sreq, &sopts);
    if (error)
        return error;
    for (i = 0; i < 3; i++) {
        hh[n].name = sh[i].name;
        hh[n++].value = sh[i].value;
    }
    for (i = 0; i < res.nheaders; i++) {
        hh[n].name = res.headers[i].name;
        hh[n++].value = res.headers[i].value;
    }
    req.method = "POST";
    req.url = c->url;
    req.headers = hh;
    req.nheaders = n;
    req.body = body;
    req.body_len = strlen(body);
    req.cancel = c->cancel;
    error = tern_http_send(c->http, &req, resp, NULL);
    tern_sigv4_result_release(&res);
    return error;
}

/* The code after '#' of "__type" (borrowed from @p doc), or NULL. */
static const char *error_code(const json_t *doc)
{
    const char *t = json_string_value(json_object_get(doc, "__type"));
    const char *hash = t ? strrchr(t, '#') : NULL;

    return hash ? hash + 1 : t;
}

static const char *error_message(const json_t *doc)
{
    const char *m = json_string_value(json_object_get(doc, "message"));

    return m ? m : json_string_value(json_object_get(doc, "Message"));
}

static int error_class(const char *code)
{
    if (!code)
        return TERN_ERROR;
    if (strcmp(code, "ConditionalCheckFailedException") == 0)
        return TERN_ECONFLICT;
    if (strcmp(code, "ResourceNotFoundException") == 0)
        return TERN_ENOTFOUND;
    if (strcmp(code, "UnrecognizedClientException") == 0 ||
        strcmp(code, "InvalidSignatureException") == 0 ||
        strcmp(code, "AccessDeniedException") == 0 ||
        strcmp(code, "MissingAuthenticationTokenException") == 0)
        return TERN_EAUTH;
    return TERN_ERROR;
}

static void report(const char *action, const char *table, const json_t *doc,
                   const tern_http_response *resp, int attempt,
                   struct tern_diags *diags)
{
    const char *code = error_code(doc), *msg = error_message(doc);
    char *rid = tern_http_response_header(resp, "x-amzn-RequestId");
    struct tern_diag *d;

    if (!resp->status) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "DynamoDB %s on table %s failed after %d attempt%s: %s",
                       action, table, attempt, attempt == 1 ? "" : "s",
                       resp->error);
        tern_free(rid);
        return;
    }
    d = tern_diags_add(
        diags, TERN_SEV_ERROR, NULL, "AWS request failed",
        "DynamoDB %s on table %s: %s: %s (HTTP %ld, request id %s, %d "
        "attempt%s)",
        action, table, code ? code : "error",
        msg ? msg : "the service answered no message", resp->status,
        rid ? rid : "unknown", attempt, attempt == 1 ? "" : "s");
    if (d && code)
        d->service_code = tern_strdup(code);
    if (d && rid)
        d->request_id = tern_strdup(rid);
    tern_free(rid);
}

int tern_ddb_call(tern_ddb_client *c, const char *action, const char *table,
                  const char *body, json_t **out, struct tern_diags *diags)
{
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    tern_aws_creds creds;
    json_t *doc = NULL;
    char target[64];
    int error = TERN_ERROR, attempt = 0, oom = 0;

    if (out)
        *out = NULL;
    memset(&creds, 0, sizeof(creds));
    snprintf(target, sizeof(target), TARGET_PREFIX "%s", action);
    for (;;) {
        int retry, transport;
        unsigned int r;
        long delay;

        attempt++;
        tern_aws_creds_release(&creds);
        tern_http_response_release(&resp);
        json_decref(doc);
        doc = NULL;
        error = tern_aws_credentials_get(c->credentials, &creds, diags);
        if (error)
            goto done;
        transport = send_once(c, target, body, &creds, &resp);
        if (transport == TERN_ENOMEM) {
            error = transport; /* the caller's "out of memory" */
            goto done;
        }
        if (transport == TERN_ECANCELED || transport == TERN_EINVALID) {
            error = transport;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           transport == TERN_ECANCELED ? "Operation canceled"
                                                       : "AWS request failed",
                           "DynamoDB %s on table %s: %s", action, table,
                           transport == TERN_ECANCELED ? "canceled"
                                                       : resp.error);
            goto done;
        }
        if (transport == TERN_OK)
            doc = tern_json_loadb(resp.body.ptr ? resp.body.ptr : "",
                                  resp.body.len, 0, NULL, &oom);
        if (oom) {
            /* Not a malformed answer, nor one to retry. */
            error = TERN_ENOMEM;
            goto done;
        }
        if (transport == TERN_OK && resp.status >= 200 && resp.status < 300) {
            TERN_LOG_AT(TERN_LOG_DEBUG, "aws: dynamodb %s -> %ld (attempt %d)",
                        action, resp.status, attempt);
            if (!json_is_object(doc)) {
                tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                               "AWS request failed",
                               "DynamoDB %s on table %s: the answer is not a "
                               "JSON object.",
                               action, table);
                error = TERN_ERROR;
                goto done;
            }
            error = TERN_OK;
            if (out) {
                *out = doc;
                doc = NULL;
            }
            goto done;
        }
        if (transport != TERN_OK) {
            error = TERN_ERROR;
            retry = resp.failure == TERN_HTTP_ETIMEOUT ||
                    resp.failure == TERN_HTTP_ERESET ||
                    resp.failure == TERN_HTTP_ECONNECT;
        } else {
            error = error_class(error_code(doc));
            retry =
                error == TERN_ECONFLICT
                    ? 0
                    : tern_aws_error_retryable(error_code(doc), resp.status);
            TERN_LOG_AT(
                TERN_LOG_DEBUG, "aws: dynamodb %s -> %ld %s (attempt %d)",
                action, resp.status,
                error_code(doc) ? error_code(doc) : "(no code)", attempt);
        }
        if (!retry || attempt > c->max_retries)
            break;
        pthread_mutex_lock(&c->lock);
        r = rand_r(&c->rng);
        pthread_mutex_unlock(&c->lock);
        delay = tern_aws_backoff_ms(attempt, r);
        if (c->sleep(c->sleep_ud, delay, c->cancel) != 0) {
            error = TERN_ECANCELED;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                           "DynamoDB %s was canceled while waiting to retry.",
                           action);
            goto done;
        }
    }
    report(action, table, doc, &resp, attempt, diags);
done:
    json_decref(doc);
    tern_aws_creds_release(&creds);
    tern_http_response_release(&resp);
    return error;
}

/* One code point of UTF-8 at @p s (advanced), or -1. */
static long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    long cp;
    int n, i;

    if (p[0] < 0x80) {
        *s = p + 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0)
        n = 1, cp = p[0] & 0x1F;
    else if ((p[0] & 0xF0) == 0xE0)
        n = 2, cp = p[0] & 0x0F;
    else if ((p[0] & 0xF8) == 0xF0)
        n = 3, cp = p[0] & 0x07;
    else
        return -1;
    for (i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *s = p + n + 1;
    return cp > 0x10FFFF ? -1 : cp;
}

/* Python's json encoder (py_encode_basestring_ascii): ", \, \n, \r, \t,
 * \b, \f by name; other controls and every non-ASCII code point \uxxxx
 * (lower-case), beyond the BMP as a surrogate pair. */
int tern_ddb_json_string(tern_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char esc[16];

    tern_buf_putc(b, '"');
    while (*p) {
        long cp = utf8_next(&p);

        if (cp < 0)
            return TERN_EINVALID;
        switch (cp) {
        case '"':
            tern_buf_puts(b, "\\\"");
            continue;
        case '\\':
            tern_buf_puts(b, "\\\\");
            continue;
        case '\n':
            tern_buf_puts(b, "\\n");
            continue;
        case '\r':
            tern_buf_puts(b, "\\r");
            continue;
        case '\t':
            tern_buf_puts(b, "\\t");
            continue;
        case '\b':
            tern_buf_puts(b, "\\b");
            continue;
        case '\f':
            tern_buf_puts(b, "\\f");
            continue;
        default:
            break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            tern_buf_putc(b, (char)cp);
        } else if (cp < 0x10000) {
            snprintf(esc, sizeof(esc), "\\u%04lx", cp);
            tern_buf_puts(b, esc);
        } else {
            cp -= 0x10000;
            snprintf(esc, sizeof(esc), "\\u%04lx\\u%04lx",
                     0xD800 | ((cp >> 10) & 0x3FF), 0xDC00 | (cp & 0x3FF));
            tern_buf_puts(b, esc);
        }
    }
    tern_buf_putc(b, '"');
    return TERN_OK;
}

/* "NAME":{"S":VALUE} */
static int put_s(tern_buf *b, const char *name, const char *value)
{
    int e = tern_ddb_json_string(b, name);

    tern_buf_puts(b, ": {\"S\": ");
    if (e == TERN_OK)
        e = tern_ddb_json_string(b, value);
    tern_buf_putc(b, '}');
    return e;
}

static char *finish(tern_buf *b, const char *table, int error)
{
    tern_buf_puts(b, "\"TableName\": ");
    if (error == TERN_OK)
        error = tern_ddb_json_string(b, table);
    tern_buf_putc(b, '}');
    if (error != TERN_OK || tern_buf_oom(b)) {
        tern_buf_release(b);
        return NULL;
    }
    return tern_buf_detach(b);
}

char *tern_ddb_put_body(const char *table, const char *condition,
                        const char *name1, const char *value1,
                        const char *name2, const char *value2)
{
    tern_buf b = TERN_BUF_INIT;
    int e = TERN_OK;

    tern_buf_putc(&b, '{');
    if (condition) {
        tern_buf_puts(&b, "\"ConditionExpression\": ");
        e = tern_ddb_json_string(&b, condition);
        tern_buf_puts(&b, ", ");
    }
    tern_buf_puts(&b, "\"Item\": {");
    if (e == TERN_OK)
        e = put_s(&b, name1, value1);
    tern_buf_puts(&b, ", ");
    if (e == TERN_OK)
        e = put_s(&b, name2, value2);
    tern_buf_puts(&b, "}, ");
    return finish(&b, table, e);
}

char *tern_ddb_get_body(const char *table, const char *lock_id,
                        const char *projection)
{
    tern_buf b = TERN_BUF_INIT;
    int e;

    tern_buf_puts(&b, "{\"ConsistentRead\": true, \"Key\": {");
    e = put_s(&b, "LockID", lock_id);
    tern_buf_puts(&b, "}, \"ProjectionExpression\": ");
    if (e == TERN_OK)
        e = tern_ddb_json_string(&b, projection);
    tern_buf_puts(&b, ", ");
    return finish(&b, table, e);
}

char *tern_ddb_delete_body(const char *table, const char *lock_id)
{
    tern_buf b = TERN_BUF_INIT;
    int e;

    tern_buf_puts(&b, "{\"Key\": {");
    e = put_s(&b, "LockID", lock_id);
    tern_buf_puts(&b, "}, ");
    return finish(&b, table, e);
}
