/*
 * tern-sim --self-check URL: a smoke test of a running simulator from the
 * outside, the way a client sees it. Signs with tern-sim's own SigV4 code
 * (sigv4.c; tern's signer is checked against the simulator by the test
 * suite, and the simulator against botocore); prints one line per check;
 * exits 0 only if every check passed.
 */
#include "sigv4.h"
#include "sim.h"
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
    static const char ctype[] =
        "application/x-www-form-urlencoded; charset=utf-8";
    const char *host = strstr(base, "://");
    const char *names[3], *values[3];
    struct sim_sigv4_input in;
    struct curl_slist *hl = NULL;
    char amz_date[SIM_SIGV4_DATE_LEN + 1], day[9];
    char sig[SIM_SIGV4_SIG_LEN + 1];
    char line[1024];
    int rc;

    host = host ? host + 3 : base;
    sim_sigv4_format_date(amz_date, time(NULL));
    snprintf(day, sizeof(day), "%.8s", amz_date);
    names[0] = "Content-Type";
    values[0] = ctype;
    names[1] = "Host";
    values[1] = host;
    names[2] = "X-Amz-Date";
    values[2] = amz_date;
    memset(&in, 0, sizeof(in));
    in.method = "POST";
    in.raw_path = "/";
    in.raw_query = "";
    in.header_names = names;
    in.header_values = values;
    in.nheaders = 3;
    in.signed_headers = "content-type;host;x-amz-date";
    in.body = form;
    in.body_len = strlen(form);
    in.amz_date = amz_date;
    in.date = day;
    in.region = "us-east-1";
    in.service = service;
    in.secret = SIM_DEFAULT_SECRET;
    if (sim_sigv4_compute(sig, NULL, &in) != 0)
        return -1;
    /* Another hex digit: flipping a bit would turn 'a' or 'f' into a
     * non-hex character, which is a malformed signature (refused as
     * IncompleteSignature), not a wrong one. */
    if (corrupt)
        sig[SIM_SIGV4_SIG_LEN - 1] =
            sig[SIM_SIGV4_SIG_LEN - 1] == '0' ? '1' : '0';
    snprintf(line, sizeof(line), "Content-Type: %s", ctype);
    hl = curl_slist_append(hl, line);
    snprintf(line, sizeof(line), "X-Amz-Date: %s", amz_date);
    hl = curl_slist_append(hl, line);
    snprintf(line, sizeof(line),
             "Authorization: " SIM_SIGV4_ALGORITHM " Credential=%s/%s/"
             "us-east-1/%s/aws4_request, SignedHeaders=%s, Signature=%s",
             SIM_DEFAULT_AKID, day, service, in.signed_headers, sig);
    hl = curl_slist_append(hl, line);
    rc = http(r, "POST", base, hl, form);
    curl_slist_free_all(hl);
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
        "22%%7D%%5D%%7D&Description=made+by+the+self-check%%2C+a%%2Bb",
        role);
    failed += check(aws(&r, url, "iam", form, 0) == 0 && r.status == 200 &&
                        strstr(tern_buf_cstr(&r.body), "<RoleId>AROA") &&
                        strstr(tern_buf_cstr(&r.body),
                               "<Description>made by the self-check, "
                               "a+b</Description>"),
                    "IAM CreateRole, a form body with '+' for spaces", &r);
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
