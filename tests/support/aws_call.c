/*
 * Signed AWS Query calls from tests to tern-sim (see aws_call.h), signed
 * with tern's own signer, so a test exercises the same SigV4 code the
 * engine uses and tern-sim verifies it independently of the client.
 */
#include "aws_call.h"

#include "../sim/sim.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <stdio.h>
#include <string.h>

const struct tt_aws_creds tt_default_creds = {SIM_DEFAULT_AKID,
                                              SIM_DEFAULT_SECRET, NULL};

#define FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* Flip the last hex digit of the Signature in an Authorization value. */
static void corrupt(char *authorization)
{
    size_t len = strlen(authorization);
    char *last = len ? authorization + len - 1 : NULL;

    if (last)
        *last = *last == '0' ? '1' : '0';
}

int tt_aws_call(struct tt_response *out, const struct tt_sim *sim,
                const char *service, const struct tt_aws_creds *creds,
                const struct tt_aws_opts *opts, const char *action,
                const char *const *params)
{
    static const struct tt_aws_opts defaults = {NULL, 0, NULL, 0, 0};
    tern_buf form = TERN_BUF_INIT, url = TERN_BUF_INIT;
    struct tern_sigv4_header h[2];
    tern_sigv4_request req = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts sopts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    char host[64];
    char *lines[8] = {NULL};
    const char *hdrs[9];
    size_t nlines = 0, i;
    int get, rc = -1;

    memset(&res, 0, sizeof(res));
    memset(out, 0, sizeof(*out));
    if (!creds)
        creds = &tt_default_creds;
    if (!opts)
        opts = &defaults;
    get = opts->method && strcmp(opts->method, "GET") == 0;

    tern_aws_query_add(&form, "Action", action);
    tern_aws_query_add(&form, "Version",
                       strcmp(service, "sts") == 0 ? "2011-06-15"
                                                   : "2010-05-08");
    for (; params && params[0] && params[1]; params += 2)
        tern_aws_query_add(&form, params[0], params[1]);
    tern_buf_put(&form, "", 0);

    snprintf(host, sizeof(host), "127.0.0.1:%d", sim->port);
    h[0].name = "Host";
    h[0].value = host;
    h[1].name = "Content-Type";
    h[1].value = FORM_TYPE;
    req.method = get ? "GET" : "POST";
    req.path = "/";
    req.query = get ? form.ptr : NULL;
    req.headers = h;
    req.nheaders = get ? 1 : 2;
    req.body = get ? NULL : form.ptr;
    req.body_len = get ? 0 : form.len;
    sopts.access_key_id = creds->access_key_id;
    sopts.secret_access_key = creds->secret_access_key;
    sopts.session_token = creds->session_token;
    sopts.region = opts->region ? opts->region : "us-east-1";
    sopts.service = service;
    sopts.time = opts->sign_time ? opts->sign_time : time(NULL);
    if (tern_buf_oom(&form) || tern_sigv4_sign(&res, &req, &sopts) != 0)
        goto done;

    lines[nlines++] = tern_asprintf("Host: %s", host);
    if (!get)
        lines[nlines++] = tern_asprintf("Content-Type: %s", FORM_TYPE);
    for (i = 0; i < res.nheaders; i++) {
        if (strcmp(res.headers[i].name, "Authorization") == 0) {
            if (opts->omit_authorization)
                continue;
            if (opts->corrupt_signature)
                corrupt(res.headers[i].value);
        }
        lines[nlines++] =
            tern_asprintf("%s: %s", res.headers[i].name, res.headers[i].value);
    }
    for (i = 0; i < nlines; i++) {
        if (!lines[i])
            goto done;
        hdrs[i] = lines[i];
    }
    hdrs[nlines] = NULL;

    tern_buf_printf(&url, "%s/", sim->base_url);
    if (get)
        tern_buf_printf(&url, "?%s", form.ptr);
    if (tern_buf_oom(&url))
        goto done;
    rc = tt_http(out, req.method, url.ptr, hdrs, get ? NULL : form.ptr,
                 get ? 0 : form.len);
done:
    for (i = 0; i < nlines; i++)
        tern_free(lines[i]);
    tern_sigv4_result_release(&res);
    tern_buf_release(&form);
    tern_buf_release(&url);
    return rc;
}

int tt_iam(struct tt_response *out, const struct tt_sim *sim,
           const char *action, const char *const *params)
{
    return tt_aws_call(out, sim, "iam", NULL, NULL, action, params);
}

int tt_s3(struct tt_response *out, const struct tt_sim *sim,
          const struct tt_s3_opts *opts, const char *method,
          const char *path_query, const char *const *headers, const char *body,
          size_t body_len)
{
    static const struct tt_s3_opts defaults = {NULL, NULL, 0, NULL, 0, 0, NULL};
    struct tern_sigv4_header h[16];
    tern_sigv4_request req = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts sopts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    char host[128], url[2048];
    char *path = NULL, *lines[24] = {NULL}, *names[16] = {NULL};
    const char *hdrs[25], *q;
    size_t nlines = 0, nh = 0, i;
    int rc = -1;

    memset(&res, 0, sizeof(res));
    memset(out, 0, sizeof(*out));
    if (!opts)
        opts = &defaults;
    if (opts->host)
        snprintf(host, sizeof(host), "%s", opts->host);
    else
        snprintf(host, sizeof(host), "127.0.0.1:%d", sim->port);
    h[nh].name = "Host";
    h[nh++].value = host;
    for (i = 0; headers && headers[i] && nh < 16; i++) {
        const char *colon = strchr(headers[i], ':');

        names[nh] = tern_strndup(headers[i], (size_t)(colon - headers[i]));
        h[nh].name = names[nh];
        h[nh++].value = colon + 2;
    }
    q = strchr(path_query, '?');
    path = q ? tern_strndup(path_query, (size_t)(q - path_query))
             : tern_strdup(path_query);
    req.method = method;
    req.path = path;
    req.query = q ? q + 1 : NULL;
    req.headers = h;
    req.nheaders = nh;
    req.body = body;
    req.body_len = body_len;
    sopts.access_key_id = tt_default_creds.access_key_id;
    sopts.secret_access_key = tt_default_creds.secret_access_key;
    sopts.region = opts->region ? opts->region : "us-east-1";
    sopts.service = opts->service ? opts->service : "s3";
    sopts.time = time(NULL);
    sopts.normalize_path = 0;
    sopts.path_encoded = 1;
    sopts.sign_body = !opts->no_content_sha;
    if (!path || tern_sigv4_sign(&res, &req, &sopts) != 0)
        goto done;
    lines[nlines++] = tern_asprintf("Host: %s", host);
    for (i = 0; headers && headers[i]; i++)
        lines[nlines++] = tern_strdup(headers[i]);
    for (i = 0; i < res.nheaders; i++) {
        if (strcmp(res.headers[i].name, "Authorization") == 0) {
            if (opts->omit_authorization)
                continue;
            if (opts->corrupt_signature)
                corrupt(res.headers[i].value);
        }
        lines[nlines++] =
            tern_asprintf("%s: %s", res.headers[i].name, res.headers[i].value);
    }
    for (i = 0; i < nlines; i++) {
        if (!lines[i])
            goto done;
        hdrs[i] = lines[i];
    }
    hdrs[nlines] = NULL;
    snprintf(url, sizeof(url), "%s%s", sim->base_url, path_query);
    if (opts->send_body)
        rc = tt_http(out, method, url, hdrs, opts->send_body,
                     strlen(opts->send_body));
    else
        rc = tt_http(out, method, url, hdrs, body, body_len);
done:
    for (i = 0; i < nlines; i++)
        tern_free(lines[i]);
    for (i = 0; i < 16; i++)
        tern_free(names[i]);
    tern_free(path);
    tern_sigv4_result_release(&res);
    return rc;
}
