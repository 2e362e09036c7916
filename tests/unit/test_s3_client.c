/*
 * src/aws/s3.c against tern-sim's S3: conditional writes and their
 * refusals, reads (conditional too: 304), listings through pages, deletes, both
 * addressing styles, AWS_ENDPOINT_URL_S3, and the transport policy.
 */
#include "runner.h"
#include "support.h"

#include "aws/credentials.h"
#include "aws/s3.h"
#include "http/http.h"
#include "tern/diag.h"
#include "util/alloc.h"
#include "util/buf.h"

#include "../sim/sim.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOAD                                                                   \
    "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\",\"region\":\"eu-west-1\"},"   \
    "{\"name\":\"other.bucket\",\"region\":\"eu-west-1\"}]}}"

struct fixture {
    struct tt_sim sim;
    long slept[8]; /* the backoff delays asked for, in order */
    int nslept;
    tern_http *http;
    tern_aws_credentials *creds;
    tern_s3_client *s3;
    tern_clock clock; /* the system's time, record_sleep */
};

/* Backoff without waiting: record the delay. */
static int record_sleep(void *ud, long ms, const atomic_int *cancel)
{
    struct fixture *f = ud;

    (void)cancel;
    if (f->nslept < 8)
        f->slept[f->nslept++] = ms;
    return 0;
}

static void setup(struct fixture *f, const char *endpoint_host, int path_style)
{
    tern_aws_client_opts o = TERN_AWS_CLIENT_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response r;
    char ep[128];

    ASSERT_OK(tt_sim_start(&f->sim, NULL));
    ASSERT_OK(tt_sim_control(&r, &f->sim, "POST", "load", LOAD));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    ASSERT_OK(tern_http_new(&f->http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&f->creds, SIM_DEFAULT_AKID,
                                              SIM_DEFAULT_SECRET, NULL));
    snprintf(ep, sizeof(ep), "http://%s:%d", endpoint_host, f->sim.port);
    o.region = "eu-west-1";
    o.endpoint = ep;
    o.use_path_style = path_style;
    o.max_retries = 2;
    o.http = f->http;
    o.credentials = f->creds;
    f->clock.now_ms = tern_clock_system_now;
    f->clock.sleep = record_sleep;
    f->clock.ud = f;
    o.clock = &f->clock;
    f->nslept = 0;
    ASSERT_OK(tern_s3_client_new(&f->s3, &o, &diags));
    tern_diags_release(&diags);
}

static void teardown(struct fixture *f)
{
    tern_s3_client_free(f->s3);
    tern_aws_credentials_free(f->creds);
    tern_http_free(f->http);
    tt_sim_stop(&f->sim);
}

struct names {
    char text[1024];
};

static int collect(void *ud, const char *name, int is_prefix)
{
    struct names *n = ud;
    size_t used = strlen(n->text);

    snprintf(n->text + used, sizeof(n->text) - used, "%s%s%s", used ? " " : "",
             name, is_prefix ? "(prefix)" : "");
    return TERN_OK;
}

/* The calls tern-sim logged, as "Action status" lines. */
static char *calls(const struct tt_sim *sim)
{
    struct tt_response r;
    json_t *doc, *c;
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    ASSERT_OK(tt_sim_control(&r, sim, "GET", "calls", NULL));
    doc = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    ASSERT_NOT_NULL(doc);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        tern_buf_printf(&b, "%s %d %s\n",
                        json_string_value(json_object_get(c, "action")),
                        (int)json_integer_value(json_object_get(c, "status")),
                        json_string_value(json_object_get(c, "error_code")));
    }
    json_decref(doc);
    tern_buf_put(&b, "", 0);
    return tern_buf_detach(&b);
}

static void roundtrip(struct fixture *f, const char *bucket)
{
    static const char key[] =
        "env:/dev/a b+c~/\xc3\xa9t\xc3\xa9/terraform.tfstate";
    tern_s3_put_opts po = TERN_S3_PUT_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_buf body = TERN_BUF_INIT;
    char *etag = NULL, *etag2 = NULL, *got = NULL, *want = NULL;
    struct names n;

    po.if_none_match = 1;
    po.sse = "AES256";
    ASSERT_OK(tern_s3_put(f->s3, bucket, key, "{\"serial\":1}", 12, &po, &etag,
                          &diags));
    /* S3's ETag of a single-part upload: the quoted MD5 of the body. */
    ASSERT_STR_EQ(etag, "\"831e8c059d3cab92258db45450409e4b\"");
    ASSERT_EQ(diags.count, 0);

    /* The lock model: a second If-None-Match loses, and says so. */
    ASSERT_EQ(tern_s3_put(f->s3, bucket, key, "{}", 2, &po, NULL, &diags),
              TERN_ECONFLICT);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].service_code, "PreconditionFailed");
    want = tern_asprintf(
        "S3 PutObject s3://%s/%s: PreconditionFailed: At least one of the "
        "pre-conditions you specified did not hold (HTTP 412, request id %s, "
        "1 attempt)",
        bucket, key, diags.items[0].request_id);
    ASSERT_STR_EQ(diags.items[0].detail, want);
    tern_free(want);
    tern_diags_release(&diags);

    /* If-Match: the ETag read wins once; the same ETag again loses. */
    po.if_none_match = 0;
    po.if_match = etag;
    ASSERT_OK(tern_s3_put(f->s3, bucket, key, "{\"serial\":2}", 12, &po, &etag2,
                          &diags));
    ASSERT_EQ(tern_s3_put(f->s3, bucket, key, "{\"serial\":3}", 12, &po, NULL,
                          &diags),
              TERN_ECONFLICT);
    ASSERT_STR_EQ(diags.items[0].service_code, "PreconditionFailed");
    tern_diags_release(&diags);

    ASSERT_OK(tern_s3_get(f->s3, bucket, key, &body, &got, &diags));
    ASSERT_STR_EQ(tern_buf_cstr(&body), "{\"serial\":2}");
    ASSERT_STR_EQ(got, etag2);
    tern_free(got);
    got = NULL;
    tern_buf_clear(&body);

    /* A conditional read: 304 for the ETag held, the object for another. */
    {
        int changed = -1;

        ASSERT_OK(tern_s3_get_if_changed(f->s3, bucket, key, etag2, &body, &got,
                                         &changed, &diags));
        ASSERT_EQ(changed, 0);
        ASSERT_EQ(body.len, 0);
        ASSERT_NULL(got);
        ASSERT_OK(tern_s3_get_if_changed(f->s3, bucket, key, etag, &body, &got,
                                         &changed, &diags));
        ASSERT_EQ(changed, 1);
        ASSERT_STR_EQ(tern_buf_cstr(&body), "{\"serial\":2}");
        ASSERT_STR_EQ(got, etag2);
        ASSERT_EQ(diags.count, 0);
        tern_free(got);
        got = NULL;
        tern_buf_clear(&body);
    }

    po.if_match = NULL;
    po.if_none_match = 1;
    ASSERT_OK(tern_s3_put(f->s3, bucket, "env:/prod/terraform.tfstate", "{}", 2,
                          &po, NULL, &diags));
    ASSERT_OK(tern_s3_put(f->s3, bucket, "terraform.tfstate", "{}", 2, &po,
                          NULL, &diags));
    memset(&n, 0, sizeof(n));
    ASSERT_OK(tern_s3_list(f->s3, bucket, "env:/", "/", collect, &n, &diags));
    ASSERT_STR_EQ(n.text, "env:/dev/(prefix) env:/prod/(prefix)");
    memset(&n, 0, sizeof(n));
    ASSERT_OK(tern_s3_list(f->s3, bucket, NULL, NULL, collect, &n, &diags));
    ASSERT_STR_EQ(n.text, "env:/dev/a b+c~/\xc3\xa9t\xc3\xa9/terraform.tfstate "
                          "env:/prod/terraform.tfstate terraform.tfstate");

    ASSERT_OK(tern_s3_delete(f->s3, bucket, key, NULL, &diags));
    ASSERT_EQ(tern_s3_get(f->s3, bucket, key, &body, NULL, &diags),
              TERN_ENOTFOUND);
    ASSERT_EQ(diags.count, 0);
    /* If-Match on a key that is gone lost its race too. */
    po.if_none_match = 0;
    po.if_match = etag2;
    ASSERT_EQ(tern_s3_put(f->s3, bucket, key, "{}", 2, &po, NULL, &diags),
              TERN_ECONFLICT);
    ASSERT_STR_EQ(diags.items[0].service_code, "NoSuchKey");
    tern_diags_release(&diags);

    got = calls(&f->sim);
    ASSERT_STR_EQ(got, "PutObject 200 \n"
                       "PutObject 412 PreconditionFailed\n"
                       "PutObject 200 \n"
                       "PutObject 412 PreconditionFailed\n"
                       "GetObject 200 \n"
                       "GetObject 304 \n"
                       "GetObject 200 \n"
                       "PutObject 200 \n"
                       "PutObject 200 \n"
                       "ListObjectsV2 200 \n"
                       "ListObjectsV2 200 \n"
                       "DeleteObject 204 \n"
                       "GetObject 404 NoSuchKey\n"
                       "PutObject 404 NoSuchKey\n");
    tern_free(got);
    tern_free(etag);
    tern_free(etag2);
    tern_buf_release(&body);
}

TEST(s3_client, path_style_roundtrip)
{
    struct fixture f;

    setup(&f, "127.0.0.1", 0);
    {
        char *url = tern_s3_object_url(f.s3, "tfstate", "a b");
        char *want =
            tern_asprintf("http://127.0.0.1:%d/tfstate/a%%20b", f.sim.port);

        /* An IP host cannot carry a bucket label: path style, as the SDK. */
        ASSERT_STR_EQ(url, want);
        tern_free(url);
        tern_free(want);
    }
    roundtrip(&f, "tfstate");
    teardown(&f);
}

TEST(s3_client, virtual_hosted_roundtrip)
{
    struct fixture f;
    char *url, *want;

    setup(&f, "localhost", 0);
    url = tern_s3_object_url(f.s3, "tfstate", "env:/a b/k");
    want = tern_asprintf("http://tfstate.localhost:%d/env%%3A/a%%20b/k",
                         f.sim.port);
    ASSERT_STR_EQ(url, want);
    tern_free(url);
    tern_free(want);
    roundtrip(&f, "tfstate");
    teardown(&f);
}

TEST(s3_client, forced_path_style_and_missing_bucket)
{
    struct fixture f;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_buf body = TERN_BUF_INIT;
    char *url, *want;

    setup(&f, "localhost", 1);
    url = tern_s3_object_url(f.s3, "tfstate", "k");
    want = tern_asprintf("http://localhost:%d/tfstate/k", f.sim.port);
    ASSERT_STR_EQ(url, want);
    tern_free(url);
    tern_free(want);
    ASSERT_EQ(tern_s3_get(f.s3, "nosuchbucket", "k", &body, NULL, &diags),
              TERN_ENOTFOUND);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "AWS request failed");
    want = tern_asprintf("S3 GetObject s3://nosuchbucket/k: NoSuchBucket: The "
                         "specified bucket does not exist (HTTP 404, request "
                         "id %s, 1 attempt)",
                         diags.items[0].request_id);
    ASSERT_STR_EQ(diags.items[0].detail, want);
    tern_free(want);
    tern_diags_release(&diags);
    tern_buf_release(&body);
    teardown(&f);
}

TEST(s3_client, endpoint_env_and_transport_policy)
{
    tern_aws_client_opts o = TERN_AWS_CLIENT_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_http *http = NULL;
    tern_aws_credentials *creds = NULL;
    tern_s3_client *c = NULL;

    ASSERT_OK(tern_http_new(&http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&creds, SIM_DEFAULT_AKID,
                                              SIM_DEFAULT_SECRET, NULL));
    o.http = http;
    o.credentials = creds;
    o.region = "eu-west-1";
    unsetenv("AWS_ENDPOINT_URL_S3");
    unsetenv("AWS_ENDPOINT_URL");
    ASSERT_OK(tern_s3_client_new(&c, &o, &diags));
    ASSERT_STR_EQ(tern_s3_client_endpoint(c),
                  "https://s3.eu-west-1.amazonaws.com");
    tern_s3_client_free(c);

    /* AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL over the default... */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.2:9", 1);
    ASSERT_OK(tern_s3_client_new(&c, &o, &diags));
    ASSERT_STR_EQ(tern_s3_client_endpoint(c), "http://127.0.0.2:9");
    tern_s3_client_free(c);
    setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.3:9", 1);
    ASSERT_OK(tern_s3_client_new(&c, &o, &diags));
    ASSERT_STR_EQ(tern_s3_client_endpoint(c), "http://127.0.0.3:9");
    tern_s3_client_free(c);
    /* ...and endpoints { s3 = ... } over both, as Terraform's backend.go
     * (endpoints.s3 before AWS_ENDPOINT_URL_S3) and the SDKs (a client's
     * own endpoint over the environment). */
    o.endpoint = "http://127.0.0.1:9";
    ASSERT_OK(tern_s3_client_new(&c, &o, &diags));
    ASSERT_STR_EQ(tern_s3_client_endpoint(c), "http://127.0.0.1:9");
    tern_s3_client_free(c);
    /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS drops the variables only. */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    o.endpoint = NULL;
    ASSERT_OK(tern_s3_client_new(&c, &o, &diags));
    ASSERT_STR_EQ(tern_s3_client_endpoint(c),
                  "https://s3.eu-west-1.amazonaws.com");
    tern_s3_client_free(c);
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_S3");
    o.endpoint = "http://s3.example.com";
    ASSERT_EQ(tern_s3_client_new(&c, &o, &diags), TERN_EINVALID);
    ASSERT_NULL(c);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "Invalid AWS endpoint");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "The S3 endpoint cannot be used: "
                  "refusing plain http to http://s3.example.com: only https "
                  "is allowed, except for loopback endpoints (127.0.0.0/8, "
                  "::1, localhost) and the instance metadata service.");
    tern_diags_release(&diags);
    tern_aws_credentials_free(creds);
    tern_http_free(http);
}

/* SlowDown and 500s are retried; the call succeeds within max_retries. */
TEST(s3_client, retries_slowdown)
{
    struct fixture f;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response r;
    tern_buf body = TERN_BUF_INIT;
    char *got;

    setup(&f, "127.0.0.1", 0);
    ASSERT_OK(tt_sim_control(&r, &f.sim, "POST", "faults",
                             "{\"throttle_rate\": 1.0}"));
    tt_response_release(&r);
    ASSERT_EQ(tern_s3_put(f.s3, "tfstate", "k", "{}", 2, NULL, NULL, &diags),
              TERN_ERROR);
    ASSERT_STR_EQ(diags.items[0].service_code, "SlowDown");
    tern_diags_release(&diags);
    got = calls(&f.sim);
    ASSERT_STR_EQ(got, "PutObject 503 SlowDown\n"
                       "PutObject 503 SlowDown\n"
                       "PutObject 503 SlowDown\n");
    tern_free(got);
    /* Full jitter: within [0, 1 s], then [0, 2 s]. */
    ASSERT_EQ(f.nslept, 2);
    ASSERT_CMP(f.slept[0], <=, 1000);
    ASSERT_CMP(f.slept[1], <=, 2000);
    tern_buf_release(&body);
    teardown(&f);
}

/* PutObject then GetObject with each allocation failing alone: the call
 * succeeds with the object's ETag, or is out of memory; never a success
 * without the ETag S3 sent, which would leave the caller unable to make
 * its next conditional request (issue 20). */
TEST(s3_client, etag_alloc_once)
{
    static const char want[] = "\"99914b932bd37a50b983c5e7c90ae93b\"";
    struct fixture f;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_buf body = TERN_BUF_INIT;
    char *etag = NULL;
    unsigned long n, total;
    int rc, get;

    setup(&f, "127.0.0.1", 1);
    for (get = 0; get <= 1; get++) {
        tern__alloc_fail_after(0);
        rc = get ? tern_s3_get(f.s3, "tfstate", "k", &body, &etag, &diags)
                 : tern_s3_put(f.s3, "tfstate", "k", "{}", 2, NULL, &etag,
                               &diags);
        total = tern__alloc_fail_after(0);
        ASSERT_OK(rc);
        ASSERT_STR_EQ(etag, want);
        tern_free(etag);
        tern_buf_clear(&body);
        for (n = 1; n <= total; n++) {
            etag = NULL;
            tern__alloc_fail_once(n);
            rc = get ? tern_s3_get(f.s3, "tfstate", "k", &body, &etag, &diags)
                     : tern_s3_put(f.s3, "tfstate", "k", "{}", 2, NULL, &etag,
                                   &diags);
            tern__alloc_fail_after(0);
            if (rc == TERN_OK) {
                if (!etag || strcmp(etag, want) != 0)
                    FAIL("%s, allocation %lu of %lu failed: TERN_OK with "
                         "ETag %s",
                         get ? "GetObject" : "PutObject", n, total,
                         etag ? etag : "(null)");
            } else if (rc != TERN_ENOMEM || etag || diags.count) {
                FAIL("%s, allocation %lu of %lu failed: rc %d, %s",
                     get ? "GetObject" : "PutObject", n, total, rc,
                     diags.count ? diags.items[0].detail : "(none)");
            }
            tern_free(etag);
            etag = NULL;
            tern_diags_release(&diags);
            tern_buf_clear(&body);
        }
        ASSERT_CMP(total, >, 10);
    }
    tern_buf_release(&body);
    teardown(&f);
}

const struct tern_test test_s3_client_list[] = {
    TEST_INTEGRATION(s3_client, path_style_roundtrip),
    TEST_INTEGRATION(s3_client, virtual_hosted_roundtrip),
    TEST_INTEGRATION(s3_client, forced_path_style_and_missing_bucket),
    TEST_INTEGRATION(s3_client, endpoint_env_and_transport_policy),
    TEST_INTEGRATION(s3_client, retries_slowdown),
    TEST_INTEGRATION(s3_client, etag_alloc_once),
    TEST_END};
