/*
 * tern-sim --self-check URL: a smoke test of a running simulator from the
 * outside, the way a client sees it. Signs with tern's SigV4 code; prints
 * one line per check; exits 0 only if every check passed.
 */
#include "sim.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "util/alloc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int sim_self_check(const char *url);

struct reply {
    long status;
    tern_buf body;
};

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;

    tern_buf_put(&r->body, data, size * n);
    return size * n;
}

static int http(struct reply *r, const char *method, const char *url,
                struct curl_slist *headers, const char *body)
{
    CURL *c = curl_easy_init();
    CURLcode rc;

    memset(r, 0, sizeof(*r));
    if (!c)
        return -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

/* A signed AWS Query call with the default key; corrupt flips the
 * signature's last digit. */
static int aws(struct reply *r, const char *base, const char *service,
               const char *form, int corrupt)
{
    struct tern_sigv4_header h[2];
    tern_sigv4_request req = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts opts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    struct curl_slist *hl = NULL;
    const char *host = strstr(base, "://");
    char line[1024];
    size_t i;
    int rc;

    memset(&res, 0, sizeof(res));
    host = host ? host + 3 : base;
    h[0].name = "Host";
    h[0].value = host;
    h[1].name = "Content-Type";
    h[1].value = "application/x-www-form-urlencoded; charset=utf-8";
    req.method = "POST";
    req.headers = h;
    req.nheaders = 2;
    req.body = form;
    req.body_len = strlen(form);
    opts.access_key_id = SIM_DEFAULT_AKID;
    opts.secret_access_key = SIM_DEFAULT_SECRET;
    opts.service = service;
    opts.time = time(NULL);
    if (tern_sigv4_sign(&res, &req, &opts) != 0)
        return -1;
    snprintf(line, sizeof(line), "Content-Type: %s", h[1].value);
    hl = curl_slist_append(hl, line);
    for (i = 0; i < res.nheaders; i++) {
        snprintf(line, sizeof(line), "%s: %s", res.headers[i].name,
                 res.headers[i].value);
        /* Another hex digit: flipping a bit would turn 'a' or 'f' into a
         * non-hex character, which is a malformed signature (refused as
         * IncompleteSignature), not a wrong one. */
        if (corrupt && strcmp(res.headers[i].name, "Authorization") == 0)
            line[strlen(line) - 1] = line[strlen(line) - 1] == '0' ? '1' : '0';
        hl = curl_slist_append(hl, line);
    }
    rc = http(r, "POST", base, hl, form);
    curl_slist_free_all(hl);
    tern_sigv4_result_release(&res);
    return rc;
}

static int check(int ok, const char *what, const struct reply *r)
{
    printf("  %s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok && r)
        printf("       HTTP %ld: %.300s\n", r->status, tern_buf_cstr(&r->body));
    return ok ? 0 : 1;
}

int sim_self_check(const char *url)
{
    struct reply r;
    struct curl_slist *hl = NULL;
    char u[512], form[512], role[64];
    int failed = 0;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(role, sizeof(role), "tern-self-check-%ld", (long)time(NULL));
    printf("tern-sim self-check of %s\n", url);

    snprintf(u, sizeof(u), "%s/_sim/health", url);
    failed += check(http(&r, "GET", u, NULL, NULL) == 0 && r.status == 200,
                    "control endpoint answers", &r);
    tern_buf_release(&r.body);

    failed +=
        check(aws(&r, url, "sts", "Action=GetCallerIdentity&Version=2011-06-15",
                  0) == 0 &&
                  r.status == 200 &&
                  strstr(tern_buf_cstr(&r.body),
                         "<Account>" SIM_DEFAULT_ACCOUNT "</Account>"),
              "STS GetCallerIdentity, signed", &r);
    tern_buf_release(&r.body);

    failed +=
        check(aws(&r, url, "sts", "Action=GetCallerIdentity&Version=2011-06-15",
                  1) == 0 &&
                  r.status == 403 &&
                  strstr(tern_buf_cstr(&r.body),
                         "<Code>SignatureDoesNotMatch</Code>"),
              "a bad signature is refused", &r);
    tern_buf_release(&r.body);

    snprintf(
        form, sizeof(form),
        "Action=CreateRole&Version=2010-05-08&RoleName=%s&"
        "AssumeRolePolicyDocument=%%7B%%22Version%%22%%3A%%222012-10-17%%"
        "22%%2C%%22Statement%%22%%3A%%5B%%7B%%22Effect%%22%%3A%%22Allow%%"
        "22%%2C%%22Principal%%22%%3A%%7B%%22Service%%22%%3A%%22ec2."
        "amazonaws.com%%22%%7D%%2C%%22Action%%22%%3A%%22sts%%3AAssumeRole%%"
        "22%%7D%%5D%%7D",
        role);
    failed += check(aws(&r, url, "iam", form, 0) == 0 && r.status == 200 &&
                        strstr(tern_buf_cstr(&r.body), "<RoleId>AROA"),
                    "IAM CreateRole", &r);
    tern_buf_release(&r.body);
    failed += check(
        aws(&r, url, "iam", form, 0) == 0 && r.status == 409 &&
            strstr(tern_buf_cstr(&r.body), "<Code>EntityAlreadyExists</Code>"),
        "IAM CreateRole again: EntityAlreadyExists", &r);
    tern_buf_release(&r.body);
    snprintf(form, sizeof(form),
             "Action=DeleteRole&Version=2010-05-08&RoleName=%s", role);
    failed += check(aws(&r, url, "iam", form, 0) == 0 && r.status == 200,
                    "IAM DeleteRole", &r);
    tern_buf_release(&r.body);

    snprintf(u, sizeof(u), "%s/api/2.0/instance-profiles/list", url);
    hl = curl_slist_append(hl, "Authorization: Bearer " SIM_DEFAULT_DBX_TOKEN);
    failed += check(http(&r, "GET", u, hl, NULL) == 0 && r.status == 200,
                    "Databricks instance-profiles/list", &r);
    tern_buf_release(&r.body);
    curl_slist_free_all(hl);
    curl_global_cleanup();
    printf("%s\n", failed ? "self-check FAILED" : "self-check passed");
    return failed ? 1 : 0;
}
