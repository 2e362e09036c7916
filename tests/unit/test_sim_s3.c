/*
 * tern-sim's S3 over HTTP: the operations a state backend needs, their
 * exact statuses and error codes, S3's SigV4 rules (x-amz-content-sha256,
 * the path encoded once), path-style and virtual-hosted-style addressing,
 * and ConditionalRequestConflict for racing conditional writes. The
 * oracle case has botocore build and sign every request, so the
 * simulator's S3 canonicaliser is checked against the SDK's, not tern's.
 */
#include "runner.h"
#include "support.h"
#include "aws_call.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define BUCKET_JSON                                                            \
    "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\",\"region\":\"eu-west-1\"}]}}"

/* What botocore_s3.py prints for one addressing style. */
#define ORACLE_BLOCK                                                           \
    "CreateBucket: 200\n"                                                      \
    "CreateBucket again: 409 BucketAlreadyOwnedByYou\n"                        \
    "Put If-None-Match: 200 etag=\"831e8c059d3cab92258db45450409e4b\"\n"       \
    "Put If-None-Match again: 412 PreconditionFailed\n"                        \
    "Put If-Match stale: 412 PreconditionFailed\n"                             \
    "Put If-Match: 200 etag=\"9db06447b25363f4ae4e813bceac1f7f\"\n"            \
    "Put If-Match missing key: 404 NoSuchKey\n"                                \
    "Put If-None-Match etag: 501 NotImplemented\n"                             \
    "Get: 200 {\"serial\":2}\n"                                                \
    "Head: 200 length=12 etag=\"9db06447b25363f4ae4e813bceac1f7f\"\n"          \
    "Get If-None-Match current: 304 304\n"                                     \
    "Get If-None-Match old: 200 {\"serial\":2}\n"                              \
    "Get If-Match current: 200 {\"serial\":2}\n"                               \
    "Get If-Match old: 412 PreconditionFailed\n"                               \
    "Head If-None-Match current: 304 304\n"                                    \
    "Head If-Match old: 412 412\n"                                             \
    "Get If-None-Match missing key: 404 NoSuchKey\n"                           \
    "Put env:/w0: 200 etag=\"99914b932bd37a50b983c5e7c90ae93b\"\n"             \
    "Put env:/w1: 200 etag=\"99914b932bd37a50b983c5e7c90ae93b\"\n"             \
    "Put env:/w2: 200 etag=\"99914b932bd37a50b983c5e7c90ae93b\"\n"             \
    "Put lock: 200 etag=\"6c658444b6c9e2f83d2b80a6d9226592\"\n"                \
    "List prefix: 200 keys=['env:/dev/a b+c~/été//terraform.tfstate', "      \
    "'env:/dev/a b+c~/été//terraform.tfstate.tflock', "                      \
    "'env:/w0/terraform.tfstate', 'env:/w1/terraform.tfstate', "               \
    "'env:/w2/terraform.tfstate'] prefixes=[] truncated=False\n"               \
    "List delimiter: 200 keys=[] prefixes=['env:/dev/', 'env:/w0/', "          \
    "'env:/w1/', 'env:/w2/'] truncated=False\n"                                \
    "List page 1: 200 keys=['env:/dev/a b+c~/été//terraform.tfstate', "      \
    "'env:/dev/a b+c~/été//terraform.tfstate.tflock'] prefixes=[] "          \
    "truncated=True\n"                                                         \
    "List page 2: 200 keys=['env:/w0/terraform.tfstate', "                     \
    "'env:/w1/terraform.tfstate'] prefixes=[] truncated=True\n"                \
    "Delete lock: 204\n"                                                       \
    "Delete lock again: 204\n"                                                 \
    "Get deleted: 404 NoSuchKey\n"                                             \
    "Head deleted: 404 404\n"                                                  \
    "Get no bucket: 404 NoSuchBucket\n"                                        \
    "Put unsigned: 200 etag=\"321c3cf486ed509164edec1e1981fec8\"\n"            \
    "Get unsigned: 200 payload\n"

static void start(struct tt_sim *sim, const char *const *args)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_start(sim, args));
    ASSERT_OK(tt_sim_control(&r, sim, "POST", "load", BUCKET_JSON));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
}

static struct tt_s3_opts eu(void)
{
    struct tt_s3_opts o;

    memset(&o, 0, sizeof(o));
    o.region = "eu-west-1";
    return o;
}

/* Empty every <LastModified> element (a time) in place. */
static void blank_times(char *xml)
{
    char *p = xml;

    while ((p = strstr(p, "<LastModified>")) != NULL) {
        char *end = strstr(p, "</LastModified>");

        if (!end)
            return;
        p += strlen("<LastModified>");
        memmove(p, end, strlen(end) + 1);
    }
}

/* Assert an S3 error: status, Code and the whole Message (as the XML text
 * stands: tt_xml_text does not decode entities). */
static void expect_error(struct tt_response *r, long status, const char *code,
                         const char *message)
{
    ASSERT_EQ(r->status, status);
    ASSERT_STR_EQ(tt_xml_text(r->body, "Code"), code);
    ASSERT_STR_EQ(tt_xml_text(r->body, "Message"), message);
    tt_response_release(r);
}

TEST(sim_s3, botocore_oracle)
{
    struct tt_sim sim;
    char cmd[12288], out_path[4096];
    char *out;
    int status;

    status = system("/usr/bin/python3 -c 'import botocore.auth' "
                    ">/dev/null 2>&1");
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tern_test_skip("/usr/bin/python3 cannot import botocore; "
                       "scripts/setup.sh installs python3-botocore");
    ASSERT_OK(tt_sim_start(&sim, NULL));
    snprintf(out_path, sizeof(out_path), "%s/s3.out", tern_test_tmpdir());
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 '%s/tests/oracle/botocore_s3.py' %d > '%s'",
             tern_test_source_dir(), sim.port, out_path);
    status = system(cmd);
    ASSERT(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    out = tt_read_file(out_path, NULL);
    ASSERT_NOT_NULL(out);
    ASSERT_STR_EQ(out, "-- path\n" ORACLE_BLOCK "-- virtual\n" ORACLE_BLOCK);
    free(out);
    tt_sim_stop(&sim);
}

TEST(sim_s3, conditional_put_and_etag)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_s3_opts o = eu();
    const char *inm[] = {"If-None-Match: *", NULL};
    const char *stale[] = {"If-Match: \"00000000000000000000000000000000\"",
                           NULL};
    char etag_line[128], *etag;
    const char *im[] = {etag_line, NULL};

    start(&sim, NULL);
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", inm, "{}", 2));
    ASSERT_EQ(r.status, 200);
    /* The quoted MD5 of "{}". */
    etag = strstr(r.headers, "ETag: ");
    ASSERT_NOT_NULL(etag);
    ASSERT(strncmp(etag, "ETag: \"99914b932bd37a50b983c5e7c90ae93b\"\r\n",
                   42) == 0);
    snprintf(etag_line, sizeof(etag_line),
             "If-Match: \"99914b932bd37a50b983c5e7c90ae93b\"");
    tt_response_release(&r);

    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", inm, "{}", 2));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Condition"), "If-None-Match");
    expect_error(&r, 412, "PreconditionFailed",
                 "At least one of the pre-conditions you specified did not "
                 "hold");
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", stale, "[]", 2));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Condition"), "If-Match");
    expect_error(&r, 412, "PreconditionFailed",
                 "At least one of the pre-conditions you specified did not "
                 "hold");
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", im, "[]", 2));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    /* The same If-Match again: the ETag moved on. */
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", im, "[1]", 3));
    ASSERT_EQ(r.status, 412);
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", NULL, NULL, 0));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(r.body, "[]");
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/gone", im, "[]", 2));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Key"), "gone");
    expect_error(&r, 404, "NoSuchKey", "The specified key does not exist.");
    tt_sim_stop(&sim);
}

/* GetObject's conditions (S3 API reference, GetObject: IfMatch,
 * IfNoneMatch): 304 with the ETag and no body when If-None-Match names the
 * current ETag (one of a list, or "*"), 412 when If-Match names another,
 * 404 for a missing key whatever the conditions. */
TEST(sim_s3, conditional_get)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_s3_opts o = eu();
    const char *cur[] = {"If-None-Match: \"99914b932bd37a50b983c5e7c90ae93b\"",
                         NULL};
    const char *list[] = {"If-None-Match: \"0\", "
                          "W/\"99914b932bd37a50b983c5e7c90ae93b\"",
                          NULL};
    const char *star[] = {"If-None-Match: *", NULL};
    const char *other[] = {"If-None-Match: \"0\"", NULL};
    const char *im_old[] = {"If-Match: \"0\"", NULL};
    const char *im_cur[] = {"If-Match: \"99914b932bd37a50b983c5e7c90ae93b\"",
                            NULL};

    start(&sim, NULL);
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", NULL, "{}", 2));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", cur, NULL, 0));
    ASSERT_EQ(r.status, 304);
    ASSERT_STR_EQ(r.body, "");
    ASSERT_STR_CONTAINS(r.headers,
                        "ETag: \"99914b932bd37a50b983c5e7c90ae93b\"\r\n");
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", list, NULL, 0));
    ASSERT_EQ(r.status, 304);
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", star, NULL, 0));
    ASSERT_EQ(r.status, 304);
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", other, NULL, 0));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(r.body, "{}");
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", im_cur, NULL, 0));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(r.body, "{}");
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", im_old, NULL, 0));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Condition"), "If-Match");
    expect_error(&r, 412, "PreconditionFailed",
                 "At least one of the pre-conditions you specified did not "
                 "hold");
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/gone", cur, NULL, 0));
    expect_error(&r, 404, "NoSuchKey", "The specified key does not exist.");
    tt_sim_stop(&sim);
}

struct holder {
    const struct tt_sim *sim;
    long status;
};

static void *put_lock(void *arg)
{
    struct holder *h = arg;
    struct tt_response r;
    struct tt_s3_opts o = eu();
    const char *inm[] = {"If-None-Match: *", NULL};

    if (tt_s3(&r, h->sim, &o, "PUT", "/tfstate/k.tflock", inm, "{}", 2) == 0)
        h->status = r.status;
    tt_response_release(&r);
    return NULL;
}

/*
 * POST /_sim/s3/race: once the GetObject of "k" is answered (the old
 * body), another client writes "k" and deletes the lock "k.tflock"; a
 * lock write sent beside the read succeeds whichever reaches the
 * simulator first (held until the race ran, it arrives after the delete:
 * neither 412 for the old lock nor 409 for the change while it waited).
 */
TEST(sim_s3, race_between_read_and_lock)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_s3_opts o = eu();
    struct holder h;
    pthread_t t;

    start(&sim, NULL);
    ASSERT_OK(tt_sim_control(
        &r, &sim, "POST", "load",
        "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\",\"objects\":["
        "{\"key\":\"k\",\"body\":\"old\"},"
        "{\"key\":\"k.tflock\",\"body\":\"held\"}]}]}}"));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "s3/race",
                             "{\"bucket\": \"tfstate\", \"read\": \"k\", "
                             "\"hold\": \"k.tflock\", \"put\": [{\"key\": "
                             "\"k\", \"body\": \"new\"}], \"delete\": "
                             "[\"k.tflock\"]}"));
    ASSERT_STR_EQ(r.body, "{\"status\":\"armed\"}");
    tt_response_release(&r);
    memset(&h, 0, sizeof(h));
    h.sim = &sim;
    ASSERT_OK(pthread_create(&t, NULL, put_lock, &h));
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", NULL, NULL, 0));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(r.body, "old");
    tt_response_release(&r);
    pthread_join(t, NULL);
    ASSERT_EQ(h.status, 200);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", NULL, NULL, 0));
    ASSERT_STR_EQ(r.body, "new");
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k.tflock", NULL, NULL, 0));
    ASSERT_STR_EQ(r.body, "{}");
    tt_response_release(&r);
    /* Armed once: a second read changes nothing. */
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", NULL, NULL, 0));
    ASSERT_STR_EQ(r.body, "new");
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "s3/race", "{\"read\": 1}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_EQ(r.body,
                  "{\"error_code\":\"INVALID_REQUEST\",\"message\":\"bucket, "
                  "read and hold are required strings\"}");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

struct racer {
    const struct tt_sim *sim;
    const char *body;
    long status;
    char code[64];
};

static void *race(void *arg)
{
    struct racer *rc = arg;
    struct tt_response r;
    struct tt_s3_opts o = eu();
    const char *inm[] = {"If-None-Match: *", NULL};

    if (tt_s3(&r, rc->sim, &o, "PUT", "/tfstate/lock.tflock", inm, rc->body,
              strlen(rc->body)) == 0) {
        const char *code = tt_xml_text(r.body, "Code");

        rc->status = r.status;
        snprintf(rc->code, sizeof(rc->code), "%s", code ? code : "");
    }
    tt_response_release(&r);
    return NULL;
}

/* Two conditional writes in flight at once (the simulator holds each for
 * 500 ms before serving it): the first to finish wins, the other gets
 * 409 ConditionalRequestConflict; the object is the winner's. */
TEST(sim_s3, racing_conditional_writes_conflict)
{
    static const char *const args[] = {"--latency-ms", "500", NULL};
    struct tt_sim sim;
    struct racer a, b;
    pthread_t ta, tb;
    struct tt_response r;
    struct tt_s3_opts o = eu();
    const struct racer *win, *lose;

    start(&sim, args);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.sim = b.sim = &sim;
    a.body = "{\"ID\":\"a\"}";
    b.body = "{\"ID\":\"b\"}";
    ASSERT_OK(pthread_create(&ta, NULL, race, &a));
    ASSERT_OK(pthread_create(&tb, NULL, race, &b));
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    win = a.status == 200 ? &a : &b;
    lose = a.status == 200 ? &b : &a;
    ASSERT_EQ(win->status, 200);
    ASSERT_EQ(lose->status, 409);
    ASSERT_STR_EQ(lose->code, "ConditionalRequestConflict");
    ASSERT_OK(
        tt_s3(&r, &sim, &o, "GET", "/tfstate/lock.tflock", NULL, NULL, 0));
    ASSERT_STR_EQ(r.body, win->body);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_s3, signature_rules)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_s3_opts o = eu();

    start(&sim, NULL);
    o.omit_authorization = 1;
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", NULL, NULL, 0));
    expect_error(&r, 403, "AccessDenied", "Access Denied");

    o = eu();
    o.no_content_sha = 1;
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", NULL, "{}", 2));
    expect_error(&r, 400, "InvalidRequest",
                 "Missing required header for this request: "
                 "x-amz-content-sha256");

    o = eu();
    o.send_body = "{\"tampered\":true}";
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", NULL, "{}", 2));
    expect_error(
        &r, 400, "XAmzContentSHA256Mismatch",
        "The provided &apos;x-amz-content-sha256&apos; header does not match "
        "what was computed.");

    o = eu();
    o.corrupt_signature = 1;
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", NULL, "{}", 2));
    expect_error(&r, 403, "SignatureDoesNotMatch",
                 "The request signature we calculated does not match the "
                 "signature you provided. Check your key and signing "
                 "method.");

    o = eu();
    o.region = "us-east-1";
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", NULL, NULL, 0));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Region"), "eu-west-1");
    expect_error(
        &r, 400, "AuthorizationHeaderMalformed",
        "The authorization header is malformed; the region "
        "&apos;us-east-1&apos; is wrong; expecting &apos;eu-west-1&apos;");

    o = eu();
    o.service = "iam";
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/k", NULL, NULL, 0));
    expect_error(&r, 400, "AuthorizationHeaderMalformed",
                 "The authorization header is malformed; incorrect service "
                 "&quot;iam&quot;. This endpoint belongs to &quot;s3&quot;.");

    /* A key whose path a client encoded twice is not the key it signed:
     * S3 encodes the path once. "a%2520b" names the key "a%20b". */
    o = eu();
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/a%2520b", NULL, "x", 1));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/tfstate/a%20b", NULL, NULL, 0));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Key"), "a b");
    expect_error(&r, 404, "NoSuchKey", "The specified key does not exist.");
    tt_sim_stop(&sim);
}

TEST(sim_s3, objects_lists_and_errors)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_s3_opts o = eu();
    const char *sse[] = {"x-amz-server-side-encryption: aws:kms",
                         "x-amz-server-side-encryption-aws-kms-key-id: "
                         "arn:aws:kms:eu-west-1:123456789012:key/k1",
                         "x-amz-acl: bucket-owner-full-control", NULL};
    const char *bad_sse[] = {"x-amz-server-side-encryption: rot13", NULL};
    json_t *dump, *obj;

    start(&sim, NULL);
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT",
                    "/tfstate/env%3A/dev/terraform.tfstate", sse, "{\"v\":4}",
                    7));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_CONTAINS(r.headers, "x-amz-server-side-encryption: aws:kms\r\n");
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "PUT", "/tfstate/k", bad_sse, "{}", 2));
    ASSERT_STR_EQ(tt_xml_text(r.body, "ArgumentName"),
                  "x-amz-server-side-encryption");
    expect_error(&r, 400, "InvalidArgument",
                 "The encryption method specified is not supported");

    ASSERT_OK(tt_s3(&r, &sim, &o, "HEAD", "/tfstate/nothing", NULL, NULL, 0));
    ASSERT_EQ(r.status, 404);
    ASSERT_EQ(r.len, 0);
    tt_response_release(&r);
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/nosuchbucket/k", NULL, NULL, 0));
    ASSERT_STR_EQ(tt_xml_text(r.body, "BucketName"), "nosuchbucket");
    expect_error(&r, 404, "NoSuchBucket",
                 "The specified bucket does not exist");
    ASSERT_OK(tt_s3(&r, &sim, &o, "POST", "/tfstate/k", NULL, "x", 1));
    expect_error(&r, 405, "MethodNotAllowed",
                 "The specified method is not allowed against this "
                 "resource.");

    /* Virtual-hosted style: the bucket in the Host header. */
    o.host = "tfstate.localhost";
    ASSERT_OK(tt_s3(&r, &sim, &o, "GET", "/?list-type=2&prefix=env%3A%2F", NULL,
                    NULL, 0));
    ASSERT_EQ(r.status, 200);
    blank_times(r.body);
    ASSERT_STR_EQ(r.body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<ListBucketResult "
                          "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                          "<Name>tfstate</Name><Prefix>env:/</Prefix>"
                          "<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
                          "<IsTruncated>false</IsTruncated><Contents>"
                          "<Key>env:/dev/terraform.tfstate</Key><LastModified>"
                          "</LastModified><ETag>&quot;"
                          "455c0c10d425837001a72a84239ac362&quot;</ETag>"
                          "<Size>7</Size><StorageClass>STANDARD</StorageClass>"
                          "</Contents></ListBucketResult>");
    tt_response_release(&r);

    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "dump", NULL));
    dump = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    ASSERT_NOT_NULL(dump);
    obj = json_array_get(
        json_object_get(
            json_array_get(
                json_object_get(json_object_get(dump, "s3"), "buckets"), 0),
            "objects"),
        0);
    ASSERT_STR_EQ(json_string_value(json_object_get(obj, "key")),
                  "env:/dev/terraform.tfstate");
    ASSERT_STR_EQ(json_string_value(json_object_get(obj, "body")), "{\"v\":4}");
    ASSERT_STR_EQ(json_string_value(json_object_get(obj, "sse")), "aws:kms");
    ASSERT_STR_EQ(json_string_value(json_object_get(obj, "kms_key_id")),
                  "arn:aws:kms:eu-west-1:123456789012:key/k1");
    ASSERT_STR_EQ(json_string_value(json_object_get(obj, "acl")),
                  "bucket-owner-full-control");
    json_decref(dump);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_s3_list[] = {
    TEST_INTEGRATION(sim_s3, botocore_oracle),
    TEST_INTEGRATION(sim_s3, conditional_put_and_etag),
    TEST_INTEGRATION(sim_s3, racing_conditional_writes_conflict),
    TEST_INTEGRATION(sim_s3, conditional_get),
    TEST_INTEGRATION(sim_s3, race_between_read_and_lock),
    TEST_INTEGRATION(sim_s3, signature_rules),
    TEST_INTEGRATION(sim_s3, objects_lists_and_errors),
    TEST_END};
