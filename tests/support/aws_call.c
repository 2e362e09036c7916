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
