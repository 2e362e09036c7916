/*
 * Databricks REST over the shared HTTP client: configuration resolution,
 * bearer auth, JSON bodies, error mapping and the 429/503 retry (see
 * client.h).
 */
#include "databricks/client.h"
#include "util/ini.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/env.h"
#include "util/buf.h"
#include "util/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_MAX_RETRIES 10
#define BACKOFF_BASE_MS     1000L
#define BACKOFF_MAX_MS      20000L
#define RETRY_AFTER_MAX_S   60L

struct tern_dbx_client {
    char *host;
    char *authorization; /* "Bearer <token>" */
    tern_http *http;
    int max_retries;
    tern_clock clock; /* the retry waits and the call's deadline */
    long deadline_ms; /* the most one call may take, retries included */
    const atomic_int *cancel;
    const atomic_int *stop;
    unsigned int rng; /* read-only after creation; mixed with the attempt */
    char *no_auth;    /* defer_auth: why there are no credentials, or NULL */
};

void tern_dbx_client_free(tern_dbx_client *c)
{
    if (!c)
        return;
    tern_free(c->host);
    tern_free(c->no_auth);
    if (c->authorization) {
        memset(c->authorization, 0, strlen(c->authorization));
        tern_free(c->authorization);
    }
    tern_free(c);
}

const char *tern_dbx_client_host(const tern_dbx_client *c)
{
    return c->host;
}

/* "x.cloud.databricks.com/" -> "https://x.cloud.databricks.com" */
static char *normalize_host(const char *host)
{
    size_t len = strlen(host);

    while (len > 0 && host[len - 1] == '/')
        len--;
    if (strstr(host, "://"))
        return tern_strndup(host, len);
    return tern_asprintf("https://%.*s", (int)len, host);
}

int tern_dbx_client_new(tern_dbx_client **out, const tern_dbx_config *cfg,
                        tern_http *http, struct tern_diags *diags)
{
    static const tern_dbx_config empty = TERN_DBX_CONFIG_INIT;
    struct tern_dbx_client *c = NULL;
    tern_ini *ini = NULL;
    const char *host = NULL, *token = NULL, *profile, *file;
    char *path = NULL;
    char why[512];
    int error = TERN_OK, explicit_profile, loaded;

    *out = NULL;
    if (!cfg)
        cfg = &empty;
    profile = cfg->profile && *cfg->profile
                  ? cfg->profile
                  : tern_env("DATABRICKS_CONFIG_PROFILE");
    explicit_profile = profile != NULL;
    if (!profile)
        profile = "DEFAULT";
    file = cfg->config_file && *cfg->config_file
               ? cfg->config_file
               : tern_env("DATABRICKS_CONFIG_FILE");
    path = tern_ini_expand_home(file ? file : "~/.databrickscfg");
    TERN_CHECK_ALLOC(path);
    ini = tern_ini_new();
    TERN_CHECK_ALLOC(ini);
    loaded = tern_ini_load(ini, path, 0);
    if (loaded == TERN_ENOMEM) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (explicit_profile && !tern_ini_has_section(ini, profile)) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Databricks profile not found",
                       "The profile '%s' is not in %s%s.", profile, path,
                       loaded == TERN_ENOTFOUND ? " (no such file)" : "");
        error = TERN_EINVALID;
        goto done;
    }

    host = cfg->host && *cfg->host ? cfg->host : tern_env("DATABRICKS_HOST");
    if (!host)
        host = tern_ini_get(ini, profile, "host");
    token =
        cfg->token && *cfg->token ? cfg->token : tern_env("DATABRICKS_TOKEN");
    if (!token)
        token = tern_ini_get(ini, profile, "token");
    if (!host || !*host || !token || !*token) {
        char *why_none = tern_asprintf(
            "No Databricks %s found. tern looked, in order, at: the "
            "provider block's host and token; the environment variables "
            "DATABRICKS_HOST and DATABRICKS_TOKEN; profile '%s' of %s%s.",
            !host || !*host
                ? (!token || !*token ? "host and token were" : "host was")
                : "token was",
            profile, path, loaded == TERN_ENOTFOUND ? " (no such file)" : "");

        TERN_CHECK_ALLOC(why_none);
        if (cfg->defer_auth) {
            c = tern_calloc(1, sizeof(*c));
            if (!c) {
                tern_free(why_none);
                error = TERN_ENOMEM;
                goto done;
            }
            c->no_auth = why_none;
            *out = c;
            c = NULL;
            goto done;
        }
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "No Databricks credentials",
                       "%s", why_none);
        tern_free(why_none);
        error = TERN_EAUTH;
        goto done;
    }
    tern_log_add_secret(token);
    c = tern_calloc(1, sizeof(*c));
    TERN_CHECK_ALLOC(c);
    c->host = normalize_host(host);
    TERN_CHECK_ALLOC(c->host);
    if (tern_http_check_url(c->host, why, sizeof(why)) != TERN_OK) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid Databricks host",
                       "The Databricks host cannot be used: %s.", why);
        error = TERN_EINVALID;
        goto done;
    }
    c->authorization = tern_asprintf("Bearer %s", token);
    TERN_CHECK_ALLOC(c->authorization);
    c->http = http;
    c->max_retries =
        cfg->max_retries < 0 ? DEFAULT_MAX_RETRIES : cfg->max_retries;
    c->clock = cfg->clock ? *cfg->clock : tern_clock_system;
    c->deadline_ms =
        cfg->deadline_ms > 0 ? cfg->deadline_ms : TERN_DBX_DEFAULT_DEADLINE_MS;
    c->cancel = cfg->cancel;
    c->stop = cfg->stop;
    c->rng = cfg->seed ? cfg->seed : (unsigned int)time(NULL) ^ 0x5bd1e995u;
    TERN_LOG_AT(TERN_LOG_DEBUG, "databricks: workspace %s", c->host);
    *out = c;
    c = NULL;
done:
    tern_dbx_client_free(c);
    tern_ini_free(ini);
    tern_free(path);
    return error;
}

static int error_class(const char *code, long status)
{
    if (code && (strcmp(code, "RESOURCE_DOES_NOT_EXIST") == 0 ||
                 strcmp(code, "SCIM_404") == 0))
        return TERN_ENOTFOUND;
    if (code && (strcmp(code, "RESOURCE_ALREADY_EXISTS") == 0 ||
                 strcmp(code, "SCIM_409") == 0))
        return TERN_EEXISTS;
    if (status == 401 || status == 403 ||
        (code && (strcmp(code, "PERMISSION_DENIED") == 0 ||
                  strcmp(code, "UNAUTHENTICATED") == 0)))
        return TERN_EAUTH;
    if (status == 429 || (code && strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0))
        return TERN_ETHROTTLED;
    if (code && (strcmp(code, "INVALID_PARAMETER_VALUE") == 0 ||
                 strcmp(code, "MALFORMED_REQUEST") == 0 ||
                 strcmp(code, "INVALID_STATE") == 0 ||
                 strcmp(code, "DRY_RUN_FAILED") == 0))
        return TERN_EINVALID;
    if (status == 400)
        return TERN_EINVALID;
    return TERN_ERROR;
}

/* Seconds from a Retry-After header (delta-seconds form), or -1. */
static long retry_after_ms(const tern_http_response *resp)
{
    char *v = tern_http_response_header(resp, "Retry-After");
    char *end = NULL;
    long s = -1;

    if (v) {
        s = strtol(v, &end, 10);
        if (end == v || *end != '\0' || s < 0)
            s = -1;
        tern_free(v);
    }
    if (s > RETRY_AFTER_MAX_S)
        s = RETRY_AFTER_MAX_S;
    return s < 0 ? -1 : s * 1000;
}

static long backoff_ms(struct tern_dbx_client *c, int attempt)
{
    long cap = BACKOFF_BASE_MS;
    unsigned int seed = c->rng + (unsigned int)attempt * 2654435761u;
    int i;

    for (i = 1; i < attempt && cap < BACKOFF_MAX_MS; i++)
        cap *= 2;
    if (cap > BACKOFF_MAX_MS)
        cap = BACKOFF_MAX_MS;
    return (long)((double)rand_r(&seed) / ((double)RAND_MAX + 1.0) *
                  (double)(cap + 1));
}

/* Milliseconds since @start, on the client's clock. */
static long elapsed_ms(const struct tern_dbx_client *c, long long start)
{
    return (long)(tern_clock_now(&c->clock) - start);
}

/* The call gave up: the next wait would have reached its deadline. */
static void report_deadline(const struct tern_dbx_client *c,
                            const tern_http_response *resp, const char *method,
                            const char *path, const char *code, int attempt,
                            struct tern_diags *diags)
{
    struct tern_diag *d = tern_diags_add(
        diags, TERN_SEV_ERROR, NULL, "Databricks request failed",
        "%s %s gave up after %ld ms, the most one call may take (%d "
        "attempt%s; the last: %s).",
        method, path, c->deadline_ms, attempt, attempt == 1 ? "" : "s",
        code[0]        ? code
        : resp->status ? "an error status"
                       : tern_http_failure_name(resp->failure));

    if (d && code[0])
        d->service_code = tern_strdup(code);
}

/*
 * The code and message of an error answer @doc (NULL: not JSON), as the
 * Databricks SDKs read them. The server's words reach messages and logs:
 * control characters made visible (issue 20, finding 14).
 */
static void error_words(const json_t *doc, long status, char *code,
                        size_t code_size, char *message, size_t message_size)
{
    json_t *ec = json_object_get(doc, "error_code");
    const char *msg = json_string_value(json_object_get(doc, "message"));
    const char *detail = json_string_value(json_object_get(doc, "detail"));
    const char *scim_type = json_string_value(json_object_get(doc, "scimType"));
    const char *scim_status = json_string_value(json_object_get(doc, "status"));

    if (json_is_string(ec))
        tern_printable_copy(code, code_size, json_string_value(ec));
    else if (json_is_integer(ec))
        snprintf(code, code_size, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(ec));
    else
        code[0] = '\0';
    if (msg) {
        tern_printable_copy(message, message_size, msg);
    } else if (detail && !code[0]) {
        char raw[1024];

        /* A SCIM error (RFC 7644 3.12): the code is SCIM_<status>, the
         * message the scimType and the detail, as the Databricks SDKs
         * make them (databricks-sdk-java's ApiErrors, the Go SDK's
         * apierr). */
        snprintf(raw, sizeof(raw), "SCIM_%s", scim_status ? scim_status : "");
        tern_printable_copy(code, code_size, raw);
        snprintf(raw, sizeof(raw), "%s%s%s", scim_type ? scim_type : "",
                 scim_type ? " " : "",
                 strcmp(detail, "null") == 0 ? "SCIM API Internal Error"
                                             : detail);
        tern_printable_copy(message, message_size, raw);
    } else
        snprintf(message, message_size, "HTTP %ld with %s body", status,
                 doc ? "an unexpected JSON" : "a non-JSON");
}

/* The diagnostic for a call that gave up after @attempt attempts. */
static void report_failure(const tern_http_response *resp, const char *method,
                           const char *path, const char *code,
                           const char *message, int attempt,
                           struct tern_diags *diags)
{
    struct tern_diag *d;
    char status[32] = "";
    char *request_id = tern_http_response_header(resp, "x-request-id");

    /* No status when nothing usable came back (a dropped connection, an
     * answer over the size cap). */
    if (resp->status)
        snprintf(status, sizeof(status), "HTTP %ld, ", resp->status);
    d = tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Databricks request failed",
                       "%s %s: %s%s%s (%s%d attempt%s)", method, path,
                       code[0] ? code : "", code[0] ? ": " : "", message,
                       status, attempt, attempt == 1 ? "" : "s");
    if (d && code[0])
        d->service_code = tern_strdup(code);
    if (d && request_id) {
        d->request_id = request_id;
        request_id = NULL;
    }
    tern_free(request_id);
}

/*
 * The wait of @wait ms before a retry, on the client's clock, unless it
 * would reach the call's deadline (aws/core.c's rule). Returns TERN_OK to
 * retry, TERN_ERROR when the deadline stops the call, TERN_ECANCELED
 * when the first interrupt cut the wait short (both reported).
 */
static int wait_to_retry(struct tern_dbx_client *c,
                         const tern_http_response *resp, const char *method,
                         const char *path, const char *code,
                         const char *message, int attempt, long wait,
                         long long call_start, struct tern_diags *diags)
{
    if (wait >= c->deadline_ms - elapsed_ms(c, call_start)) {
        report_deadline(c, resp, method, path, code, attempt, diags);
        return TERN_ERROR;
    }
    TERN_LOG_AT(TERN_LOG_DEBUG,
                "databricks: %s %s: retry %d/%d in %ld ms (%s%s%s)", method,
                path, attempt, c->max_retries, wait, code[0] ? code : "",
                code[0] ? ": " : "", message);
    if (tern_clock_sleep(&c->clock, wait, c->stop ? c->stop : c->cancel) ==
        TERN_OK)
        return TERN_OK;
    tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                   "%s %s was canceled while waiting to retry.", method, path);
    return TERN_ECANCELED;
}

int tern_dbx_call(tern_dbx_client *c, const char *method, const char *path,
                  const json_t *body, json_t **out, struct tern_diags *diags)
{
    tern_http_request req = TERN_HTTP_REQUEST_INIT;
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    struct tern_http_header h[3];
    char *url = NULL, *text = NULL;
    json_t *doc = NULL;
    json_error_t jerr;
    long long call_start, start;
    char code[96] = "", message[1024] = "";
    int error = TERN_OK, attempt = 0, is_get = strcmp(method, "GET") == 0,
        oom = 0;

    if (out)
        *out = NULL;
    if (c->no_auth) {
        if (!tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                            "No Databricks credentials", "%s", c->no_auth))
            return TERN_ENOMEM;
        return TERN_EAUTH;
    }
    url = tern_asprintf("%s%s", c->host, path);
    TERN_CHECK_ALLOC(url);
    if (body) {
        /* Never a body short of a field. */
        text = tern_json_dumps(body, JSON_COMPACT);
        TERN_CHECK_ALLOC(text);
    }
    h[0].name = "Authorization";
    h[0].value = c->authorization;
    h[1].name = "Accept";
    h[1].value = "application/json";
    h[2].name = "Content-Type";
    h[2].value = "application/json";
    req.method = method;
    req.url = url;
    req.headers = h;
    req.nheaders = text ? 3 : 2;
    req.body = text;
    req.body_len = text ? strlen(text) : 0;
    req.cancel = c->cancel;

    call_start = tern_clock_now(&c->clock);
    for (;;) {
        long wait = -1, left = c->deadline_ms - elapsed_ms(c, call_start);
        int retry = 0, rc;

        if (left <= 0) { /* the last wait overran what was left */
            report_deadline(c, &resp, method, path, code, attempt, diags);
            goto done;
        }
        /* The call's time left, when it is less than an attempt's own. */
        req.timeout_ms = left < tern_http_timeout_ms(c->http) ? left : 0;
        attempt++;
        tern_http_response_release(&resp);
        json_decref(doc);
        doc = NULL;
        start = tern_clock_now(&c->clock);
        rc = tern_http_send(c->http, &req, &resp, NULL);
        if (rc == TERN_ECANCELED || rc == TERN_ENOMEM || rc == TERN_EINVALID) {
            error = rc;
            if (rc != TERN_ENOMEM)
                tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                               "Databricks request failed", "%s %s: %s", method,
                               path, resp.error);
            goto done;
        }
        if (rc != TERN_OK) {
            TERN_LOG_AT(TERN_LOG_DEBUG,
                        "databricks: %s %s -> failed (attempt %d, %ld ms): "
                        "%s",
                        method, path, attempt, elapsed_ms(c, start),
                        resp.error);
            retry = is_get && (resp.failure == TERN_HTTP_ERESET ||
                               resp.failure == TERN_HTTP_ETIMEOUT ||
                               resp.failure == TERN_HTTP_ECONNECT);
            /* An answer over the size cap is the server's, not a passing
             * failure: not one to retry (issue 20, finding 10). */
            error = resp.failure == TERN_HTTP_ETOOLARGE ? TERN_EINVALID
                                                        : TERN_ERROR;
            snprintf(message, sizeof(message), "%s", resp.error);
            code[0] = '\0';
        } else {
            TERN_LOG_AT(TERN_LOG_DEBUG,
                        "databricks: %s %s -> %ld (attempt %d, %ld ms)", method,
                        path, resp.status, attempt, elapsed_ms(c, start));
            doc = resp.body.len ? tern_json_loadb(resp.body.ptr, resp.body.len,
                                                  0, &jerr, &oom)
                                : json_object();
            if (oom || !(doc || resp.body.len)) {
                /* Not a body that is not JSON, nor one to retry. */
                error = TERN_ENOMEM;
                goto done;
            }
            if (resp.status >= 200 && resp.status < 300) {
                if (!doc) {
                    char why[sizeof(jerr.text)];

                    /* jansson quotes the bytes it stopped at. */
                    tern_printable_copy(why, sizeof(why), jerr.text);
                    /* Unreadable, not passing: retrying it as IAM lag
                     * only delays the error (issue 20, finding 10). */
                    error = TERN_EINVALID;
                    tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                                   "Unreadable Databricks response",
                                   "%s %s answered HTTP %ld with a body that "
                                   "is not JSON: %s.",
                                   method, path, resp.status, why);
                } else {
                    error = TERN_OK;
                }
                goto done;
            }
            error_words(doc, resp.status, code, sizeof(code), message,
                        sizeof(message));
            error = error_class(code[0] ? code : NULL, resp.status);
            if (resp.status == 429 || resp.status == 503) {
                retry = 1;
                wait = retry_after_ms(&resp);
            }
        }
        if (!retry || attempt > c->max_retries)
            break;
        if (wait < 0)
            wait = backoff_ms(c, attempt);
        if ((rc = wait_to_retry(c, &resp, method, path, code, message, attempt,
                                wait, call_start, diags)) != TERN_OK) {
            if (rc == TERN_ECANCELED)
                error = rc;
            goto done;
        }
    }
    report_failure(&resp, method, path, code, message, attempt, diags);
done:
    if (out && error == TERN_OK) {
        *out = doc;
        doc = NULL;
    }
    json_decref(doc);
    tern_http_response_release(&resp);
    tern_free(url);
    free(text); /* from json_dumps */
    return error;
}
