/*
 * libcurl behind one shared client: a CURLSH for the DNS and TLS session
 * caches, a pool of easy handles for connection reuse (see http.h for why
 * the connections are not in the CURLSH), the transport policy (TLS always
 * verified; plain http only for loopback and IMDS), timeouts, a cap on the
 * response size, and errors that say what failed and where.
 */
#include "http/http.h"
#include "tern/log.h"
#include "util/alloc.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <strings.h>

/* Longest body shown in a trace log line; bodies beyond are cut. */
#define TRACE_BODY_MAX (64u * 1024)

struct tern_http {
    tern_http_opts opts;
    char *ca_file;
    char *http_proxy, *https_proxy, *no_proxy; /* NULL: unset */
    CURLSH *share;
    /* One lock per kind of shared data, as CURLSHOPT_LOCKFUNC asks. */
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t pool_lock;
    int locks_ready;
    CURL **idle;
    size_t nidle;
    unsigned long requests;
    unsigned long connects;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *handle, curl_lock_data data,
                       curl_lock_access access, void *ud)
{
    struct tern_http *http = ud;

    (void)handle;
    (void)access;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&http->locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *ud)
{
    struct tern_http *http = ud;

    (void)handle;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&http->locks[data]);
}

int tern_http_new(tern_http **out, const tern_http_opts *opts)
{
    static const tern_http_opts defaults = TERN_HTTP_OPTS_INIT;
    struct tern_http *http = NULL;
    int error = TERN_OK, i;

    *out = NULL;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return TERN_ERROR;
    http = tern_calloc(1, sizeof(*http));
    TERN_CHECK_ALLOC(http);
    http->opts = opts ? *opts : defaults;
    if (http->opts.connect_timeout_ms <= 0)
        http->opts.connect_timeout_ms = defaults.connect_timeout_ms;
    if (http->opts.timeout_ms <= 0)
        http->opts.timeout_ms = defaults.timeout_ms;
    if (http->opts.max_response == 0)
        http->opts.max_response = defaults.max_response;
    if (http->opts.ca_file) {
        http->ca_file = tern_strdup(http->opts.ca_file);
        TERN_CHECK_ALLOC(http->ca_file);
    }
    if (http->opts.http_proxy) {
        http->http_proxy = tern_strdup(http->opts.http_proxy);
        TERN_CHECK_ALLOC(http->http_proxy);
    }
    if (http->opts.https_proxy) {
        http->https_proxy = tern_strdup(http->opts.https_proxy);
        TERN_CHECK_ALLOC(http->https_proxy);
    }
    if (http->opts.no_proxy) {
        http->no_proxy = tern_strdup(http->opts.no_proxy);
        TERN_CHECK_ALLOC(http->no_proxy);
    }
    http->opts.ca_file = NULL;
    http->opts.http_proxy = http->opts.https_proxy = NULL;
    http->opts.no_proxy = NULL;
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&http->locks[i], NULL);
    pthread_mutex_init(&http->pool_lock, NULL);
    http->locks_ready = 1;
    http->idle =
        tern_calloc(http->opts.max_idle_handles + 1, sizeof(*http->idle));
    TERN_CHECK_ALLOC(http->idle);
    http->share = curl_share_init();
    if (!http->share) {
        error = TERN_ERROR;
        goto done;
    }
    curl_share_setopt(http->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(http->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(http->share, CURLSHOPT_USERDATA, http);
    curl_share_setopt(http->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(http->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    *out = http;
    http = NULL;
done:
    tern_http_free(http);
    return error;
}

long tern_http_timeout_ms(const tern_http *http)
{
    return http->opts.timeout_ms;
}

void tern_http_free(tern_http *http)
{
    size_t i;
    int k;

    if (!http)
        return;
    for (i = 0; i < http->nidle; i++)
        curl_easy_cleanup(http->idle[i]);
    tern_free(http->idle);
    if (http->share)
        curl_share_cleanup(http->share);
    if (http->locks_ready) {
        for (k = 0; k < CURL_LOCK_DATA_LAST; k++)
            pthread_mutex_destroy(&http->locks[k]);
        pthread_mutex_destroy(&http->pool_lock);
    }
    tern_free(http->ca_file);
    tern_free(http->http_proxy);
    tern_free(http->https_proxy);
    tern_free(http->no_proxy);
    tern_free(http);
}

void tern_http_stats(tern_http *http, unsigned long *requests,
                     unsigned long *connects)
{
    pthread_mutex_lock(&http->pool_lock);
    if (requests)
        *requests = http->requests;
    if (connects)
        *connects = http->connects;
    pthread_mutex_unlock(&http->pool_lock);
}

/* The configured proxy of @p url's scheme (tern_http_opts); nothing set:
 * libcurl's reading of the environment. */
static void set_proxy(const struct tern_http *http, CURL *h, const char *url)
{
    const char *proxy = strncasecmp(url, "https:", 6) == 0 ? http->https_proxy
                                                           : http->http_proxy;

    if (proxy)
        curl_easy_setopt(h, CURLOPT_PROXY, proxy);
    if (http->no_proxy)
        curl_easy_setopt(h, CURLOPT_NOPROXY, http->no_proxy);
}

static CURL *take_handle(struct tern_http *http)
{
    CURL *h = NULL;

    pthread_mutex_lock(&http->pool_lock);
    if (http->nidle > 0)
        h = http->idle[--http->nidle];
    pthread_mutex_unlock(&http->pool_lock);
    if (h)
        curl_easy_reset(h); /* keeps its live connections */
    else
        h = curl_easy_init();
    return h;
}

static void give_handle(struct tern_http *http, CURL *h, long connects)
{
    pthread_mutex_lock(&http->pool_lock);
    http->requests++;
    http->connects += (unsigned long)(connects > 0 ? connects : 0);
    if (http->nidle < http->opts.max_idle_handles) {
        http->idle[http->nidle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&http->pool_lock);
    if (h)
        curl_easy_cleanup(h);
}

/*
 * The host of an http URL is allowed when it is a loopback address or the
 * instance metadata service. Hosts arrive as curl gives them: names
 * lower-cased or not, IPv6 in brackets.
 */
static int host_allows_plain_http(const char *host)
{
    unsigned char a4[4], a6[16];
    static const unsigned char ip6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                               0, 0, 0, 0, 0, 0, 0, 1};
    /* fd00:ec2::254 */
    static const unsigned char ip6_imds[16] = {
        0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    char v6[64];
    size_t len = strlen(host);

    if (strcasecmp(host, "localhost") == 0)
        return 1;
    /* RFC 6761: every *.localhost name is loopback, and libcurl resolves
     * it there without asking DNS (S3's virtual-hosted buckets on
     * tern-sim: BUCKET.localhost). */
    if (len > 10 && strcasecmp(host + len - 10, ".localhost") == 0)
        return 1;
    if (inet_pton(AF_INET, host, a4) == 1)
        return a4[0] == 127 ||
               (a4[0] == 169 && a4[1] == 254 && a4[2] == 169 && a4[3] == 254);
    if (len > 2 && len < sizeof(v6) + 2 && host[0] == '[' &&
        host[len - 1] == ']') {
        memcpy(v6, host + 1, len - 2);
        v6[len - 2] = '\0';
        if (inet_pton(AF_INET6, v6, a6) == 1)
            return memcmp(a6, ip6_loop, 16) == 0 ||
                   memcmp(a6, ip6_imds, 16) == 0;
    }
    return 0;
}

/* Parse the scheme and host; 0 or -1. *scheme and *host are curl_free()d. */
static int url_parts(const char *url, char **scheme, char **host)
{
    CURLU *u = curl_url();
    int rc = -1;

    *scheme = *host = NULL;
    if (!u)
        return -1;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK)
        rc = 0;
    curl_url_cleanup(u);
    return rc;
}

static int check_url(const char *url, int *plain, char *why, size_t whylen)
{
    char *scheme = NULL, *host = NULL;
    int error = TERN_EINVALID;

    *plain = 0;
    if (!url || url_parts(url, &scheme, &host) != 0) {
        snprintf(why, whylen, "'%s' is not a valid URL", url ? url : "");
        goto done;
    }
    if (strcasecmp(scheme, "https") == 0) {
        error = TERN_OK;
    } else if (strcasecmp(scheme, "http") == 0) {
        if (host_allows_plain_http(host)) {
            *plain = 1;
            error = TERN_OK;
        } else {
            snprintf(why, whylen,
                     "refusing plain http to %s: only https is allowed, "
                     "except for loopback endpoints (127.0.0.0/8, ::1, "
                     "localhost) and the instance metadata service",
                     url);
        }
    } else {
        snprintf(why, whylen,
                 "refusing '%s': the scheme must be https (or http for "
                 "loopback)",
                 url);
    }
done:
    curl_free(scheme);
    curl_free(host);
    return error;
}

int tern_http_check_url(const char *url, char *why, size_t whylen)
{
    char scratch[8];
    int plain;

    if (!why) {
        why = scratch;
        whylen = sizeof(scratch);
    }
    return check_url(url, &plain, why, whylen);
}

struct xfer {
    tern_http_response *out;
    size_t max;
    int too_large;
    const atomic_int *cancel;
};

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * n;

    if (x->out->body.len + len > x->max) {
        x->too_large = 1;
        return 0;
    }
    if (tern_buf_put(&x->out->body, data, len) != TERN_OK)
        return 0;
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * n;

    /* A new status line starts a new header block (100 Continue). */
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
        tern_buf_clear(&x->out->headers);
    if (x->out->headers.len + len > 256u * 1024)
        return 0;
    if (tern_buf_put(&x->out->headers, data, len) != TERN_OK)
        return 0;
    return len;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    struct xfer *x = ud;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return x->cancel && atomic_load(x->cancel) ? 1 : 0;
}

/*
 * Every socket curl opens is close-on-exec from its first instant, so a
 * credential_process started by another thread never inherits a
 * connection (issue 20).
 */
static curl_socket_t open_socket(void *ud, curlsocktype purpose,
                                 struct curl_sockaddr *addr)
{
    (void)ud;
    (void)purpose;
    return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* The URL without its query string, for messages. */
static void url_for_message(char *out, size_t outlen, const char *url)
{
    size_t n = strcspn(url, "?#");

    snprintf(out, outlen, "%.*s", (int)(n < 300 ? n : 300), url);
}

static enum tern_http_failure classify(CURLcode rc, const struct xfer *x)
{
    switch (rc) {
    case CURLE_OK:
        return TERN_HTTP_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return TERN_HTTP_EDNS;
    case CURLE_COULDNT_CONNECT:
        return TERN_HTTP_ECONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return TERN_HTTP_ETIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return TERN_HTTP_ETLS;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return TERN_HTTP_ERESET;
    case CURLE_ABORTED_BY_CALLBACK:
        return TERN_HTTP_ECANCELED;
    case CURLE_WRITE_ERROR:
        return x->too_large ? TERN_HTTP_ETOOLARGE : TERN_HTTP_EOTHER;
    default:
        return TERN_HTTP_EOTHER;
    }
}

static void describe(tern_http_response *out, CURLcode rc, const char *url,
                     const char *host, const char *errbuf, long timeout_ms,
                     size_t max)
{
    char u[320], raw[sizeof(out->error)];
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);

    url_for_message(u, sizeof(u), url);
    switch (out->failure) {
    case TERN_HTTP_EDNS:
        snprintf(out->error, sizeof(out->error),
                 "cannot resolve host '%s' of endpoint %s: %s", host, u,
                 detail);
        break;
    case TERN_HTTP_ECONNECT:
        snprintf(out->error, sizeof(out->error),
                 "cannot connect to endpoint %s: %s", u, detail);
        break;
    case TERN_HTTP_ETLS:
        snprintf(out->error, sizeof(out->error),
                 "TLS failure with endpoint %s (certificates are always "
                 "verified): %s",
                 u, detail);
        break;
    case TERN_HTTP_ETIMEOUT:
        snprintf(out->error, sizeof(out->error),
                 "request to endpoint %s timed out (limit %ld ms): %s", u,
                 timeout_ms, detail);
        break;
    case TERN_HTTP_ERESET:
        snprintf(out->error, sizeof(out->error),
                 "connection to endpoint %s was closed or reset before a "
                 "complete response: %s",
                 u, detail);
        break;
    case TERN_HTTP_ETOOLARGE:
        snprintf(out->error, sizeof(out->error),
                 "response from endpoint %s is larger than the %zu byte "
                 "limit",
                 u, max);
        break;
    case TERN_HTTP_ECANCELED:
        snprintf(out->error, sizeof(out->error), "request to %s canceled", u);
        break;
    default:
        snprintf(out->error, sizeof(out->error),
                 "request to endpoint %s failed: %s", u, detail);
        break;
    }
    /* curl's message can quote what the server sent (a status line, a
     * header): control characters made visible (issue 20, finding 14). */
    memcpy(raw, out->error, sizeof(raw));
    tern_printable_copy(out->error, sizeof(out->error), raw);
}

static void trace_request(const tern_http_request *req)
{
    tern_buf b = TERN_BUF_INIT;
    size_t i, n;

    tern_buf_printf(&b, "http: > %s %s\n", req->method, req->url);
    for (i = 0; i < req->nheaders; i++)
        tern_buf_printf(&b, "http: > %s: %s\n", req->headers[i].name,
                        req->headers[i].value ? req->headers[i].value : "");
    if (req->body_len) {
        n = req->body_len < TRACE_BODY_MAX ? req->body_len : TRACE_BODY_MAX;
        tern_buf_puts(&b, "http: > ");
        tern_buf_put(&b, req->body, n);
    }
    if (!tern_buf_oom(&b))
        tern_log_write(TERN_LOG_TRACE, "%s", b.ptr);
    tern_buf_release(&b);
}

static void trace_response(const tern_http_request *req,
                           const tern_http_response *out)
{
    tern_buf b = TERN_BUF_INIT;
    size_t n = out->body.len < TRACE_BODY_MAX ? out->body.len : TRACE_BODY_MAX;

    tern_buf_printf(&b, "http: < %ld from %s %s (%.3f s)\n", out->status,
                    req->method, req->url, out->elapsed_s);
    tern_buf_puts(&b, tern_buf_cstr(&out->headers));
    if (req->secret_response) {
        tern_buf_printf(&b, "http: < [secret body, %zu bytes]", out->body.len);
    } else {
        tern_buf_puts(&b, "http: < ");
        tern_buf_put(&b, tern_buf_cstr(&out->body), n);
    }
    if (!tern_buf_oom(&b))
        tern_log_write(TERN_LOG_TRACE, "%s", b.ptr);
    tern_buf_release(&b);
}

const char *tern_http_failure_name(enum tern_http_failure f)
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

int tern_http_send(tern_http *http, const tern_http_request *req,
                   tern_http_response *out, struct tern_diags *diags)
{
    CURL *h = NULL;
    struct curl_slist *hl = NULL, *tmp;
    struct xfer x;
    char errbuf[CURL_ERROR_SIZE] = "";
    char *scheme = NULL, *host = NULL;
    long connect_ms, total_ms, connects = 0;
    int error = TERN_OK, plain = 0;
    size_t i;
    CURLcode rc;

    memset(out, 0, sizeof(*out));
    if (check_url(req->url, &plain, out->error, sizeof(out->error)) != 0) {
        out->failure = TERN_HTTP_EREFUSED;
        error = TERN_EINVALID;
        goto done;
    }
    if (req->cancel && atomic_load(req->cancel)) {
        out->failure = TERN_HTTP_ECANCELED;
        snprintf(out->error, sizeof(out->error), "request canceled");
        error = TERN_ECANCELED;
        goto done;
    }
    connect_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                             : http->opts.connect_timeout_ms;
    total_ms = req->timeout_ms > 0 ? req->timeout_ms : http->opts.timeout_ms;
    for (i = 0; i < req->nheaders; i++) {
        char *line = tern_asprintf("%s: %s", req->headers[i].name,
                                   req->headers[i].value);

        TERN_CHECK_ALLOC(line);
        tmp = curl_slist_append(hl, line);
        tern_free(line);
        TERN_CHECK_ALLOC(tmp);
        hl = tmp;
    }
    /* No "Expect: 100-continue" round trip; our bodies are small. */
    tmp = curl_slist_append(hl, "Expect:");
    TERN_CHECK_ALLOC(tmp);
    hl = tmp;
    h = take_handle(http);
    TERN_CHECK_ALLOC(h);

    memset(&x, 0, sizeof(x));
    x.out = out;
    x.max = http->opts.max_response;
    x.cancel = req->cancel;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_SHARE, http->share);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, http->opts.insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, http->opts.insecure ? 0L : 2L);
    if (http->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, http->ca_file);
    /* Loopback and IMDS never go through a proxy, as the SDKs do (Go's
     * httpproxy skips loopback hosts). */
    if (plain)
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    else
        set_proxy(http, h, req->url);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "tern/" TERN_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    if (strcmp(req->method, "GET") == 0 && req->body_len == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(req->method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
        if (req->body_len > 0 || strcmp(req->method, "POST") == 0) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)req->body_len);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS,
                             req->body_len ? req->body : "");
        }
    }
    if (tern_log_level() >= TERN_LOG_TRACE)
        trace_request(req);

    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &out->elapsed_s);
    out->connects = connects;
    out->failure = classify(rc, &x);
    if (tern_buf_oom(&out->body) || tern_buf_oom(&out->headers)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (out->failure != TERN_HTTP_OK) {
        out->status = 0;
        url_parts(req->url, &scheme, &host);
        describe(out, rc, req->url, host ? host : "?", errbuf,
                 out->failure == TERN_HTTP_ETIMEOUT && connects == 0 &&
                         out->body.len == 0 && out->headers.len == 0
                     ? connect_ms
                     : total_ms,
                 x.max);
        error =
            out->failure == TERN_HTTP_ECANCELED ? TERN_ECANCELED : TERN_ERROR;
        TERN_LOG_AT(TERN_LOG_TRACE, "http: %s", out->error);
        goto done;
    }
    if (tern_log_level() >= TERN_LOG_TRACE)
        trace_response(req, out);

done:
    if (h) {
        /* Unhook our stack buffers before the handle goes back. */
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        give_handle(http, h, connects);
    }
    curl_slist_free_all(hl);
    curl_free(scheme);
    curl_free(host);
    if (error != TERN_OK && error != TERN_ENOMEM && diags)
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "HTTP request failed", "%s",
                       out->error);
    return error;
}

/* The value of the first header @name in @resp, without the white space
 * around it, in *@v and *@len; 0 when there is none. */
static int find_header(const tern_http_response *resp, const char *name,
                       const char **v, size_t *len)
{
    const char *p = tern_buf_cstr(&resp->headers);
    size_t nlen = strlen(name);

    while (*p) {
        const char *eol = p + strcspn(p, "\r\n");

        if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 &&
            p[nlen] == ':') {
            const char *s = p + nlen + 1;

            while (s < eol && (*s == ' ' || *s == '\t'))
                s++;
            while (eol > s && (eol[-1] == ' ' || eol[-1] == '\t'))
                eol--;
            *v = s;
            *len = (size_t)(eol - s);
            return 1;
        }
        p = eol;
        while (*p == '\r' || *p == '\n')
            p++;
    }
    return 0;
}

char *tern_http_response_header(const tern_http_response *resp,
                                const char *name)
{
    const char *v = NULL;
    size_t len = 0;

    /* A header value can reach a message (a request id): made printable
     * here, once (issue 20, finding 14). */
    return find_header(resp, name, &v, &len) ? tern_printable_strndup(v, len)
                                             : NULL;
}

int tern_http_response_header_copy(const tern_http_response *resp,
                                   const char *name, char **out)
{
    const char *v = NULL;
    size_t len = 0;

    *out = NULL;
    if (!find_header(resp, name, &v, &len))
        return TERN_OK;
    *out = tern_printable_strndup(v, len);
    return *out ? TERN_OK : TERN_ENOMEM;
}

void tern_http_response_release(tern_http_response *resp)
{
    tern_buf_release(&resp->body);
    tern_buf_release(&resp->headers);
    memset(resp, 0, sizeof(*resp));
}
