/*
 * The S3 REST client (see s3.h). The endpoint and addressing rules follow
 * aws-sdk-go-v2 service/s3's endpoint resolution (virtual-hosted unless
 * UsePathStyle, an IP host, or a bucket that is not a DNS label); the
 * retry rules are the Query client's (aws/client.c), whose error tables
 * this file reuses through tern_aws_error_retryable().
 */
#include "aws/s3.h"
#include "aws/core.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/env.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct tern_s3_client {
    struct tern_aws_core core; /* endpoint, credentials, signing, retries */
    char *base;     /* the endpoint's path without a trailing '/', or "" */
    int path_style; /* forced: use_path_style or an IP host */
    int https;
    char *ssec_key, *ssec_md5; /* SSE-C: the key and its MD5, base64 */
};

void tern_s3_client_free(tern_s3_client *c)
{
    if (!c)
        return;
    tern_aws_core_release(&c->core);
    tern_free(c->base);
    tern_free(c->ssec_key);
    tern_free(c->ssec_md5);
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

int tern_s3_client_new(tern_s3_client **out, const tern_aws_client_opts *opts,
                       struct tern_diags *diags)
{
    struct tern_s3_client *c = NULL;
    size_t blen;
    int error = TERN_OK;

    *out = NULL;
    if (!opts || !opts->http || !opts->credentials)
        return TERN_EINVALID;
    c = tern_calloc(1, sizeof(*c));
    if (!c)
        return TERN_ENOMEM;
    error =
        tern_aws_core_init(&c->core, tern_aws_service_find("s3"), opts, diags);
    if (error)
        goto done;
    c->base = tern_strdup(c->core.path);
    TERN_CHECK_ALLOC(c->base);
    blen = strlen(c->base);
    while (blen && c->base[blen - 1] == '/')
        c->base[--blen] = '\0';
    c->https = strcmp(c->core.scheme, "https") == 0;
    c->path_style = opts->use_path_style || host_is_ip(c->core.hostname);
done:
    if (error == TERN_OK)
        *out = c;
    else
        tern_s3_client_free(c);
    return error;
}

int tern_s3_client_set_customer_key(tern_s3_client *c, const char *key_b64)
{
    unsigned char raw[64], digest[EVP_MAX_MD_SIZE];
    char sum[32];
    unsigned int dlen = 0;
    int n;

    /* 32 bytes are 44 characters of base64, the last one '='. */
    n = key_b64 && strlen(key_b64) == 44
            ? EVP_DecodeBlock(raw, (const unsigned char *)key_b64, 44)
            : -1;
    if (n != 33 || key_b64[43] != '=' || key_b64[42] == '=')
        return TERN_EINVALID;
    if (EVP_Digest(raw, 32, digest, &dlen, EVP_md5(), NULL) != 1)
        return TERN_ENOMEM;
    OPENSSL_cleanse(raw, sizeof(raw));
    EVP_EncodeBlock((unsigned char *)sum, digest, (int)dlen);
    tern_free(c->ssec_key);
    tern_free(c->ssec_md5);
    c->ssec_key = tern_strdup(key_b64);
    c->ssec_md5 = tern_strdup(sum);
    if (!c->ssec_key || !c->ssec_md5)
        return TERN_ENOMEM;
    tern_log_add_secret(c->ssec_key);
    return TERN_OK;
}

/* The SSE-C headers into @p h (room for 3), when the client has a key.
 * @return how many */
static size_t ssec_headers(const tern_s3_client *c, struct tern_http_header *h)
{
    if (!c->ssec_key)
        return 0;
    h[0].name = "x-amz-server-side-encryption-customer-algorithm";
    h[0].value = "AES256";
    h[1].name = "x-amz-server-side-encryption-customer-key";
    h[1].value = c->ssec_key;
    h[2].name = "x-amz-server-side-encryption-customer-key-MD5";
    h[2].value = c->ssec_md5;
    return 3;
}

const char *tern_s3_client_endpoint(const tern_s3_client *c)
{
    return c->core.endpoint;
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
    t->host = vh ? tern_asprintf("%s.%s", bucket, c->core.host)
                 : tern_strdup(c->core.host);
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
    t->url = tern_asprintf("%s://%s%s%s%s", c->core.scheme, t->host,
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

/* The diagnostic of a call that gave up. */
static void report(const tern_s3_client *c, const struct s3_req *r,
                   const struct tern_aws_call *k)
{
    const tern_aws_error *aerr = &k->aerr;
    int attempt = k->attempt;

    if (k->over_deadline) {
        tern_aws_core_report_deadline(&c->core, k);
    } else if (k->resp.status) {
        struct tern_diag *d = tern_diags_add(
            k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
            "S3 %s s3://%s/%s: %s: %s (HTTP %ld, request id %s, %d attempt%s)",
            r->action, r->bucket, r->key ? r->key : "",
            aerr->code ? aerr->code : "error",
            aerr->message ? aerr->message : "the service answered no message",
            k->resp.status, aerr->request_id ? aerr->request_id : "unknown",
            attempt, attempt == 1 ? "" : "s");

        if (d && aerr->code)
            d->service_code = tern_strdup(aerr->code);
        if (d && aerr->request_id)
            d->request_id = tern_strdup(aerr->request_id);
    } else {
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "S3 %s s3://%s/%s failed after %d attempt%s: %s",
                       r->action, r->bucket, r->key ? r->key : "", attempt,
                       attempt == 1 ? "" : "s", k->resp.error);
    }
}

/*
 * Send with retries (the core's). On success resp holds the answer. On
 * failure a diagnostic names the action, the service's code and message,
 * the HTTP status and request id; except for NoSuchKey on a GET, which the
 * caller reports (or not) itself.
 */
static int s3_call(tern_s3_client *c, const struct s3_req *r,
                   tern_http_response *resp, int quiet_not_found,
                   struct tern_diags *diags)
{
    struct tern_aws_call k;
    struct target t;
    int error;

    tern_aws_call_init(&k, r->action, diags);
    error = target_make(&t, c, r->bucket, r->key, r->query);
    if (error)
        goto done;
    k.req.method = r->method;
    k.req.url = t.url;
    k.req.host = t.host;
    k.req.path = tern_buf_cstr(&t.path);
    k.req.query = r->query;
    k.req.headers = r->headers;
    k.req.nheaders = r->nheaders;
    k.req.body = r->body;
    k.req.body_len = r->body_len;
    k.req.s3 = 1;
    k.accept_304 = r->not_modified_ok;
    k.error_class = error_class;
    error = tern_aws_core_call(&c->core, &k);
    if (k.failed && !(error == TERN_ENOTFOUND && quiet_not_found &&
                      k.aerr.code && strcmp(k.aerr.code, "NoSuchKey") == 0))
        report(c, r, &k);
    *resp = k.resp;
    k.resp = (tern_http_response)TERN_HTTP_RESPONSE_INIT;
done:
    tern_aws_call_release(&k);
    target_release(&t);
    return error;
}

/* GetObject, If-None-Match: @p if_none_match when not NULL (*changed 0
 * on 304 Not Modified). */
static int get_object(tern_s3_client *c, const char *bucket, const char *key,
                      const char *if_none_match, tern_buf *body, char **etag,
                      int *changed, struct tern_diags *diags)
{
    struct tern_http_header h[4];
    struct s3_req r;
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    size_t n = 0;
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
        h[n].name = "If-None-Match";
        h[n++].value = if_none_match;
        r.not_modified_ok = 1;
    }
    n += ssec_headers(c, h + n);
    r.headers = n ? h : NULL;
    r.nheaders = n;
    error = s3_call(c, &r, &resp, 1, diags);
    if (error == TERN_OK && resp.status == 304) {
        *changed = 0;
    } else if (error == TERN_OK) {
        tern_buf_put(body, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
        if (tern_buf_oom(body))
            error = TERN_ENOMEM;
        else if (etag)
            error = tern_http_response_header_copy(&resp, "ETag", etag);
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
    struct tern_http_header h[9];
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
    n += ssec_headers(c, h + n);
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
    /* An ETag the answer has and that could not be copied is out of
     * memory, not a write without one: the caller's next conditional
     * request needs it. */
    if (error == TERN_OK && etag)
        error = tern_http_response_header_copy(&resp, "ETag", etag);
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
