/*
 * tern-sim's SigV4 check (tests/sim/auth.c) over HTTP: each AWS error code
 * with its status and message, and the shape of a signed call that passes,
 * for POST form bodies, GET query strings and presigned URLs.
 */
#include "runner.h"
#include "aws_call.h"
#include "support.h"

#include "aws/query.h"
#include "aws/sigv4.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <jansson.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#define SIG_MISMATCH_MSG                                                       \
    "The request signature we calculated does not match the signature you "    \
    "provided. Check your AWS Secret Access Key and signing method. Consult "  \
    "the service documentation for details."

#define SESSION_AKID   "ASIATERNSIMSESSION01"
#define SESSION_SECRET "session/secret/KEY0000000000000000000001"
#define SESSION_TOKEN  "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH+token="

/* The <Message> of an error, with the XML entities decoded. */
static const char *message_of(const struct tt_response *r)
{
    static char out[4096];
    static const struct {
        const char *entity;
        char c;
    } entities[] = {{"&amp;", '&'},
                    {"&lt;", '<'},
                    {"&gt;", '>'},
                    {"&quot;", '"'},
                    {"&apos;", '\''}};
    const char *in = tt_xml_text(r->body, "Message");
    size_t n = 0, i;

    if (!in)
        return NULL;
    while (*in && n + 1 < sizeof(out)) {
        for (i = 0; i < sizeof(entities) / sizeof(*entities); i++) {
            size_t len = strlen(entities[i].entity);

            if (strncmp(in, entities[i].entity, len) == 0) {
                out[n++] = entities[i].c;
                in += len;
                break;
            }
        }
        if (i == sizeof(entities) / sizeof(*entities))
            out[n++] = *in++;
    }
    out[n] = '\0';
    return out;
}

/* Assert an AWS Query error: status, <Code> and, when given, <Message>. */
static void assert_aws_error(const struct tt_response *r, long status,
                             const char *code, const char *message)
{
    const char *got;

    if (r->status != status)
        FAIL("status %ld, expected %ld; body:\n%s", r->status, status, r->body);
    got = tt_xml_text(r->body, "Code");
    if (!got || strcmp(got, code) != 0)
        FAIL("code %s, expected %s; body:\n%s", got ? got : "(none)", code,
             r->body);
    ASSERT_STR_CONTAINS(r->body, "<Type>Sender</Type>");
    ASSERT_STR_CONTAINS(r->body, "<RequestId>");
    if (message) {
        got = message_of(r);
        if (!got || strcmp(got, message) != 0)
            FAIL("message \"%s\", expected \"%s\"", got ? got : "(none)",
                 message);
    }
}

/* The request got past the signature check, whatever the action did. */
static void assert_passed_auth(const struct tt_response *r)
{
    static const char *const auth_codes[] = {"MissingAuthenticationToken",
                                             "IncompleteSignature",
                                             "InvalidClientTokenId",
                                             "ExpiredToken",
                                             "RequestExpired",
                                             "SignatureDoesNotMatch"};
    const char *code = tt_xml_text(r->body, "Code");
    size_t i;

    if (r->status == 200)
        return;
    for (i = 0; code && i < sizeof(auth_codes) / sizeof(*auth_codes); i++) {
        if (strcmp(code, auth_codes[i]) == 0)
            FAIL("refused by the signature check: %ld %s", r->status, r->body);
    }
}

static void start(struct tt_sim *sim)
{
    if (tt_sim_start(sim, NULL) != 0)
        FAIL("cannot start tern-sim");
}

static void load_json(const struct tt_sim *sim, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, sim, "POST", "load", json));
    if (r.status != 200)
        FAIL("load failed: %ld %s", r.status, r.body);
    tt_response_release(&r);
}

static void load_session_key(const struct tt_sim *sim, long long expires_ms)
{
    char json[1024];

    snprintf(json, sizeof(json),
             "{\"keys\": [{\"access_key_id\": \"" SESSION_AKID "\", "
             "\"secret_access_key\": \"" SESSION_SECRET "\", "
             "\"session_token\": \"" SESSION_TOKEN "\", "
             "\"expires_ms\": %lld, \"account\": \"210987654321\", "
             "\"arn\": \"arn:aws:sts::210987654321:assumed-role/deployer/s1\", "
             "\"user_id\": \"AROATERNSIMROLE00001:s1\"}]}",
             expires_ms);
    load_json(sim, json);
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void caller_identity(struct tt_response *r, const struct tt_sim *sim,
                            const struct tt_aws_creds *creds,
                            const struct tt_aws_opts *opts)
{
    ASSERT_OK(
        tt_aws_call(r, sim, "sts", creds, opts, "GetCallerIdentity", NULL));
}

TEST(sim_auth, signed_calls_pass)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_aws_opts get = {"GET", 0, NULL, 0, 0};
    struct tt_aws_opts sts_region = {NULL, 0, "eu-west-1", 0, 0};
    const char *params[] = {"PathPrefix", "/team+ops=1,x@y/", NULL};

    start(&sim);
    /* The success shape: the caller is the default key's principal. */
    caller_identity(&r, &sim, NULL, NULL);
    if (r.status != 200)
        FAIL("GetCallerIdentity: %ld\n%s", r.status, r.body);
    ASSERT_STR_CONTAINS(r.body, "<GetCallerIdentityResponse");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Account"), "123456789012");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Arn"),
                  "arn:aws:iam::123456789012:user/tern-sim");
    ASSERT_STR_EQ(tt_xml_text(r.body, "UserId"), "AIDATERNSIMUSER000001");
    tt_response_release(&r);

    /* GET with the parameters in the query string. */
    caller_identity(&r, &sim, NULL, &get);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);

    /* STS takes any region. */
    caller_identity(&r, &sim, NULL, &sts_region);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);

    /* IAM, with characters that need encoding, POST and GET. */
    ASSERT_OK(tt_iam(&r, &sim, "ListRoles", params));
    if (r.status != 200)
        FAIL("ListRoles: %ld\n%s", r.status, r.body);
    ASSERT_STR_CONTAINS(r.body, "<ListRolesResponse");
    tt_response_release(&r);
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, &get, "ListRoles", params));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_auth, presigned_url_passes)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tern_sigv4_header h[1];
    tern_sigv4_request req = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts opts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    tern_buf query = TERN_BUF_INIT, url = TERN_BUF_INIT;
    char host[64];
    const char *hdrs[2];
    char host_line[80];

    start(&sim);
    memset(&res, 0, sizeof(res));
    snprintf(host, sizeof(host), "127.0.0.1:%d", sim.port);
    snprintf(host_line, sizeof(host_line), "Host: %s", host);
    hdrs[0] = host_line;
    hdrs[1] = NULL;
    tern_aws_query_add(&query, "Action", "GetCallerIdentity");
    tern_aws_query_add(&query, "Version", "2011-06-15");
    h[0].name = "Host";
    h[0].value = host;
    req.method = "GET";
    req.query = query.ptr;
    req.headers = h;
    req.nheaders = 1;
    opts.access_key_id = tt_default_creds.access_key_id;
    opts.secret_access_key = tt_default_creds.secret_access_key;
    opts.service = "sts";
    opts.time = time(NULL);
    opts.query_form = 1;
    opts.expires = 60;
    ASSERT_OK(tern_sigv4_sign(&res, &req, &opts));
    tern_buf_printf(&url, "%s/?%s&%s", sim.base_url, query.ptr, res.query);
    ASSERT_OK(tt_http(&r, "GET", url.ptr, hdrs, NULL, 0));
    if (r.status != 200)
        FAIL("presigned GetCallerIdentity: %ld\n%s", r.status, r.body);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Account"), "123456789012");
    tt_response_release(&r);

    /* Past X-Amz-Expires. */
    tern_sigv4_result_release(&res);
    tern_buf_clear(&url);
    opts.time = time(NULL) - 120;
    ASSERT_OK(tern_sigv4_sign(&res, &req, &opts));
    tern_buf_printf(&url, "%s/?%s&%s", sim.base_url, query.ptr, res.query);
    ASSERT_OK(tt_http(&r, "GET", url.ptr, hdrs, NULL, 0));
    assert_aws_error(&r, 400, "RequestExpired", "Request has expired.");
    tt_response_release(&r);

    tern_sigv4_result_release(&res);
    tern_buf_release(&query);
    tern_buf_release(&url);
    tt_sim_stop(&sim);
}

TEST(sim_auth, missing_authentication_token)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_aws_opts no_auth = {NULL, 0, NULL, 0, 1};
    char url[128];

    start(&sim);
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, &no_auth, "ListRoles", NULL));
    assert_aws_error(&r, 403, "MissingAuthenticationToken",
                     "Request is missing Authentication Token");
    tt_response_release(&r);

    /* A bare GET, no headers at all. */
    snprintf(url, sizeof(url), "%s/?Action=ListRoles&Version=2010-05-08",
             sim.base_url);
    ASSERT_OK(tt_http(&r, "GET", url, NULL, NULL, 0));
    assert_aws_error(&r, 403, "MissingAuthenticationToken",
                     "Request is missing Authentication Token");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

/* A POST with hand-written Authorization and X-Amz-Date headers. */
static void raw_post(struct tt_response *r, const struct tt_sim *sim,
                     const char *authorization, const char *amz_date)
{
    static const char body[] = "Action=ListRoles&Version=2010-05-08";
    char url[128], auth_line[1024], date_line[128];
    const char *hdrs[4];
    size_t n = 0;

    snprintf(url, sizeof(url), "%s/", sim->base_url);
    hdrs[n++] = "Content-Type: application/x-www-form-urlencoded";
    if (authorization) {
        snprintf(auth_line, sizeof(auth_line), "Authorization: %s",
                 authorization);
        hdrs[n++] = auth_line;
    }
    if (amz_date) {
        snprintf(date_line, sizeof(date_line), "X-Amz-Date: %s", amz_date);
        hdrs[n++] = date_line;
    }
    hdrs[n] = NULL;
    ASSERT_OK(tt_http(r, "POST", url, hdrs, body, sizeof(body) - 1));
}

TEST(sim_auth, incomplete_signature)
{
    static const struct {
        const char *authorization;
        const char *message_part;
    } cases[] = {
        {"AWS4-HMAC-SHA256 Credential=AKIDTERNSIMDEFAULT01/20150830/"
         "us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date",
         "requires 'Signature' parameter"},
        {"AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         "requires 'Credential' parameter"},
        {"AWS4-HMAC-SHA256 Credential=AKIDTERNSIMDEFAULT01/20150830/"
         "us-east-1/iam/aws4_request, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         "requires 'SignedHeaders' parameter"},
        {"AWS4-HMAC-SHA256 Credential=AKIDTERNSIMDEFAULT01/20150830/iam/"
         "aws4_request, SignedHeaders=host;x-amz-date, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         "Credential should be scoped"},
        {"AWS4-HMAC-SHA256 Credential=AKIDTERNSIMDEFAULT01/20150830/"
         "us-east-1/iam/aws4_reqest, SignedHeaders=host;x-amz-date, "
         "Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         "terminator"},
        {"Bearer dapi-ternsim-default-token-0001", "AWS4-HMAC-SHA256"},
    };
    struct tt_sim sim;
    struct tt_response r;
    char date[TERN_SIGV4_DATE_LEN + 1];
    size_t i;

    start(&sim);
    tern_sigv4_format_date(date, time(NULL));
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        raw_post(&r, &sim, cases[i].authorization, date);
        assert_aws_error(&r, 400, "IncompleteSignature", NULL);
        ASSERT_STR_CONTAINS(message_of(&r), cases[i].message_part);
        tt_response_release(&r);
    }

    /* Well-formed, but no X-Amz-Date. */
    raw_post(&r, &sim,
             "AWS4-HMAC-SHA256 Credential=AKIDTERNSIMDEFAULT01/20150830/"
             "us-east-1/iam/aws4_request, SignedHeaders=host, Signature="
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
             NULL);
    assert_aws_error(&r, 400, "IncompleteSignature", NULL);
    ASSERT_STR_CONTAINS(message_of(&r), "'X-Amz-Date'");
    tt_response_release(&r);

    /* A date not in ISO 8601 basic format. */
    raw_post(&r, &sim,
             "AWS4-HMAC-SHA256 Credential=AKIDTERNSIMDEFAULT01/20150830/"
             "us-east-1/iam/aws4_request, SignedHeaders=host, Signature="
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
             "2015-08-30T12:36:00Z");
    assert_aws_error(&r, 400, "IncompleteSignature", NULL);
    ASSERT_STR_CONTAINS(message_of(&r), "ISO-8601");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_auth, invalid_client_token_id)
{
    struct tt_sim sim;
    struct tt_response r;
    const struct tt_aws_creds unknown = {"AKIDNOSUCHKEY0000001",
                                         "any/secret/at/all", NULL};
    const struct tt_aws_creds default_with_token = {
        "AKIDTERNSIMDEFAULT01", "ternsim/default/SECRETKEY0000000000000001",
        "a-token-for-a-long-term-key"};

    start(&sim);
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", &unknown, NULL, "ListRoles", NULL));
    assert_aws_error(&r, 403, "InvalidClientTokenId",
                     "The security token included in the request is "
                     "invalid.");
    tt_response_release(&r);

    /* A long-term key with a session token. */
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", &default_with_token, NULL,
                          "ListRoles", NULL));
    assert_aws_error(&r, 403, "InvalidClientTokenId", NULL);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_auth, session_token_checked)
{
    struct tt_sim sim;
    struct tt_response r;
    const struct tt_aws_creds good = {SESSION_AKID, SESSION_SECRET,
                                      SESSION_TOKEN};
    const struct tt_aws_creds none = {SESSION_AKID, SESSION_SECRET, NULL};
    const struct tt_aws_creds wrong = {SESSION_AKID, SESSION_SECRET,
                                       "IQoJb3JpZ2luX2VjEJr-some-other-token"};

    start(&sim);
    load_session_key(&sim, now_ms() + 3600 * 1000LL);

    caller_identity(&r, &sim, &none, NULL);
    assert_aws_error(&r, 403, "InvalidClientTokenId",
                     "The security token included in the request is "
                     "invalid.");
    tt_response_release(&r);

    caller_identity(&r, &sim, &wrong, NULL);
    assert_aws_error(&r, 403, "InvalidClientTokenId",
                     "The security token included in the request is "
                     "invalid.");
    tt_response_release(&r);

    /* The right token: the caller is the session's principal. */
    caller_identity(&r, &sim, &good, NULL);
    if (r.status != 200)
        FAIL("GetCallerIdentity with a session key: %ld\n%s", r.status, r.body);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Account"), "210987654321");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Arn"),
                  "arn:aws:sts::210987654321:assumed-role/deployer/s1");
    ASSERT_STR_EQ(tt_xml_text(r.body, "UserId"), "AROATERNSIMROLE00001:s1");
    /* The token never comes back. */
    ASSERT_STR_NOT_CONTAINS(r.body, "IQoJb3JpZ2luX2VjEJr");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_auth, expired_token)
{
    struct tt_sim sim;
    struct tt_response r;
    const struct tt_aws_creds good = {SESSION_AKID, SESSION_SECRET,
                                      SESSION_TOKEN};

    start(&sim);
    /* Valid for an hour of the simulator's clock... */
    load_session_key(&sim, now_ms() + 3600 * 1000LL);
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", &good, NULL, "ListRoles", NULL));
    assert_passed_auth(&r);
    tt_response_release(&r);

    /* ...then the clock moves past the expiry (the request is signed with
     * the moved clock, so only the expiry fails). */
    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "clock", "{\"advance_ms\": 3601000}"));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    {
        struct tt_aws_opts later = {NULL, time(NULL) + 3601, NULL, 0, 0};

        ASSERT_OK(
            tt_aws_call(&r, &sim, "iam", &good, &later, "ListRoles", NULL));
    }
    assert_aws_error(&r, 403, "ExpiredToken",
                     "The security token included in the request is expired");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_auth, request_expired)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_aws_opts past = {NULL, time(NULL) - 20 * 60, NULL, 0, 0};
    struct tt_aws_opts future = {NULL, time(NULL) + 20 * 60, NULL, 0, 0};
    struct tt_aws_opts near = {NULL, time(NULL) - 10 * 60, NULL, 0, 0};
    char date[TERN_SIGV4_DATE_LEN + 1];
    const char *msg;

    start(&sim);
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, &past, "ListRoles", NULL));
    assert_aws_error(&r, 400, "RequestExpired", NULL);
    msg = message_of(&r);
    tern_sigv4_format_date(date, past.sign_time);
    ASSERT_STR_CONTAINS(msg, "Signature expired: ");
    ASSERT_STR_CONTAINS(msg, date);
    ASSERT_STR_CONTAINS(msg, " - 15 min.)");
    tt_response_release(&r);

    ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, &future, "ListRoles", NULL));
    assert_aws_error(&r, 400, "RequestExpired", NULL);
    ASSERT_STR_CONTAINS(message_of(&r), "Signature not yet current: ");
    tt_response_release(&r);

    /* Ten minutes of skew is within AWS's fifteen. */
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, &near, "ListRoles", NULL));
    assert_passed_auth(&r);
    tt_response_release(&r);

    /* The simulator's clock counts, not the wall clock. */
    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "clock", "{\"offset_ms\": 1200000}"));
    tt_response_release(&r);
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, NULL, "ListRoles", NULL));
    assert_aws_error(&r, 400, "RequestExpired", NULL);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_auth, signature_does_not_match)
{
    struct tt_sim sim;
    struct tt_response r;
    struct tt_aws_opts corrupt = {NULL, 0, NULL, 1, 0};
    struct tt_aws_opts corrupt_get = {"GET", 0, NULL, 1, 0};
    struct tt_aws_opts iam_region = {NULL, 0, "eu-west-1", 0, 0};
    const struct tt_aws_creds wrong_secret = {"AKIDTERNSIMDEFAULT01",
                                              "not-the-secret-at-all", NULL};
    const char *params[] = {"PathPrefix", "/", NULL};

    start(&sim);
    ASSERT_OK(
        tt_aws_call(&r, &sim, "iam", NULL, &corrupt, "ListRoles", params));
    assert_aws_error(&r, 403, "SignatureDoesNotMatch", SIG_MISMATCH_MSG);
    tt_response_release(&r);

    ASSERT_OK(
        tt_aws_call(&r, &sim, "iam", NULL, &corrupt_get, "ListRoles", params));
    assert_aws_error(&r, 403, "SignatureDoesNotMatch", SIG_MISMATCH_MSG);
    tt_response_release(&r);

    ASSERT_OK(
        tt_aws_call(&r, &sim, "iam", &wrong_secret, NULL, "ListRoles", NULL));
    assert_aws_error(&r, 403, "SignatureDoesNotMatch", SIG_MISMATCH_MSG);
    tt_response_release(&r);

    /* The secret never appears in a response. */
    ASSERT_STR_NOT_CONTAINS(r.body, "SECRETKEY");

    /* IAM is signed in us-east-1 only. */
    ASSERT_OK(
        tt_aws_call(&r, &sim, "iam", NULL, &iam_region, "ListRoles", NULL));
    assert_aws_error(&r, 403, "SignatureDoesNotMatch", NULL);
    ASSERT_STR_CONTAINS(message_of(&r),
                        "Credential should be scoped to a valid region.");
    tt_response_release(&r);

    /* An IAM action signed for STS. */
    ASSERT_OK(tt_aws_call(&r, &sim, "sts", NULL, NULL, "ListRoles", NULL));
    assert_aws_error(&r, 403, "SignatureDoesNotMatch", NULL);
    ASSERT_STR_CONTAINS(message_of(&r),
                        "Credential should be scoped to correct service: "
                        "'iam'.");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

/*
 * Requests built and signed by botocore (tests/oracle/botocore_request.py),
 * sent to tern-sim as botocore built them: its canonicaliser must agree
 * with botocore's, which tern's signer does not take part in.
 */
struct boto_req {
    char *url;
    char *body;
    char *headers[8]; /* "Name: value", NULL-terminated */
};

static void boto_release(struct boto_req *b)
{
    size_t i;

    tern_free(b->url);
    tern_free(b->body);
    for (i = 0; b->headers[i]; i++)
        tern_free(b->headers[i]);
    memset(b, 0, sizeof(*b));
}

/* Have botocore build and sign @p n requests (JSON objects, stolen). */
static void botocore_requests(struct boto_req *out, json_t **reqs, size_t n)
{
    char in_path[4096], out_path[4096], cmd[12288];
    json_t *all = json_array();
    FILE *f;
    char line[65536];
    size_t i, j;
    int status;

    status = system("/usr/bin/python3 -c 'import botocore.auth' "
                    ">/dev/null 2>&1");
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tern_test_skip("/usr/bin/python3 cannot import botocore; "
                       "scripts/setup.sh installs python3-botocore");
    for (i = 0; i < n; i++)
        json_array_append_new(all, reqs[i]);
    snprintf(in_path, sizeof(in_path), "%s/boto.json", tern_test_tmpdir());
    snprintf(out_path, sizeof(out_path), "%s/boto.out", tern_test_tmpdir());
    ASSERT_OK(json_dump_file(all, in_path, JSON_COMPACT));
    json_decref(all);
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 '%s/tests/oracle/botocore_request.py' '%s' "
             "> '%s'",
             tern_test_source_dir(), in_path, out_path);
    status = system(cmd);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        FAIL("botocore_request.py failed (status %d)", status);
    f = fopen(out_path, "r");
    ASSERT_NOT_NULL(f);
    for (i = 0; i < n; i++) {
        json_t *o, *hs, *h;
        json_error_t err;
        size_t nh = 0;

        if (!fgets(line, sizeof(line), f))
            FAIL("botocore_request.py printed %zu of %zu lines", i, n);
        o = json_loads(line, 0, &err);
        ASSERT_NOT_NULL(o);
        memset(&out[i], 0, sizeof(out[i]));
        out[i].url = tern_strdup(json_string_value(json_object_get(o, "url")));
        out[i].body =
            tern_strdup(json_string_value(json_object_get(o, "body")));
        hs = json_object_get(o, "headers");
        json_array_foreach(hs, j, h)
        {
            const char *name = json_string_value(json_array_get(h, 0));

            /* curl writes the length of what it sends itself. */
            if (strcasecmp(name, "Content-Length") == 0)
                continue;
            ASSERT_CMP(nh, <, 7);
            out[i].headers[nh++] = tern_asprintf(
                "%s: %s", name, json_string_value(json_array_get(h, 1)));
        }
        json_decref(o);
    }
    fclose(f);
}

static json_t *boto_json(const struct tt_sim *sim, const char *method,
                         const char *const *params, const char *raw_query)
{
    json_t *r, *ps = json_array();
    char url[128];

    snprintf(url, sizeof(url), "%s/", sim->base_url);
    for (; params && params[0]; params += 2)
        json_array_append_new(ps, json_pack("[ss]", params[0], params[1]));
    r = json_pack("{sssssssssssssO}", "method", method, "url", url, "service",
                  "iam", "region", "us-east-1", "access_key",
                  tt_default_creds.access_key_id, "secret_key",
                  tt_default_creds.secret_access_key, "params", ps);
    json_decref(ps);
    if (raw_query)
        json_object_set_new(r, "raw_query", json_string(raw_query));
    return r;
}

static void send_boto(struct tt_response *r, const struct boto_req *b,
                      const char *method, const char *body)
{
    ASSERT_OK(tt_http(r, method, b->url, (const char *const *)b->headers, body,
                      body ? strlen(body) : 0));
}

TEST(sim_auth, botocore_plus_encoded_body_passes)
{
    static const char *const create[] = {
        "Action",
        "CreateRole",
        "Version",
        "2010-05-08",
        "RoleName",
        "boto-role",
        "AssumeRolePolicyDocument",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "
        "\"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, "
        "\"Action\": \"sts:AssumeRole\"}]}",
        "Description",
        "Made by botocore: a+b = c & 100% caf\xc3\xa9",
        NULL};
    static const char *const list[] = {"Action",     "ListRoles",  "Version",
                                       "2010-05-08", "PathPrefix", "/a b+c/",
                                       NULL};
    static const char *const get[] = {"RoleName", "boto-role", NULL};
    struct tt_sim sim;
    struct tt_response r;
    struct boto_req b[2];
    json_t *reqs[2];

    start(&sim);
    reqs[0] = boto_json(&sim, "POST", create, NULL);
    reqs[1] = boto_json(&sim, "GET", list, NULL);
    botocore_requests(b, reqs, 2);
    /* botocore writes a space as '+', a '+' as %2B. */
    ASSERT_STR_CONTAINS(b[0].body,
                        "&Description=Made+by+botocore%3A+a%2Bb+%3D+c+%26+"
                        "100%25+caf%C3%A9");
    send_boto(&r, &b[0], "POST", b[0].body);
    if (r.status != 200)
        FAIL("botocore's CreateRole: %ld\n%s", r.status, r.body);
    tt_response_release(&r);
    /* The '+' was read as a space, %2B as '+'. */
    ASSERT_OK(tt_iam(&r, &sim, "GetRole", get));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Description"),
                  "Made by botocore: a+b = c &amp; 100% caf\xc3\xa9");
    tt_response_release(&r);

    /* GET: the URL carries '+' for a space, the signature %20. */
    ASSERT_STR_CONTAINS(b[1].url, "PathPrefix=%2Fa+b%2Bc%2F");
    send_boto(&r, &b[1], "GET", NULL);
    /* Past the signature check, IAM's pattern refuses the space: the value
     * it quotes is the one botocore was given. */
    assert_aws_error(&r, 400, "ValidationError",
                     "1 validation error detected: Value '/a b+c/' at "
                     "'pathPrefix' failed to satisfy constraint: Member must "
                     "satisfy regular expression pattern: "
                     "\\u002F[\\u0021-\\u007F]*");
    tt_response_release(&r);
    boto_release(&b[0]);
    boto_release(&b[1]);
    tt_sim_stop(&sim);
}

TEST(sim_auth, wrongly_canonicalized_refused)
{
    static const char *const list[] = {
        "Action",     "ListRoles",   "Version", "2010-05-08",
        "PathPrefix", "/two words/", NULL};
    struct tt_sim sim;
    struct tt_response r;
    struct boto_req b[2];
    json_t *reqs[2];

    start(&sim);
    reqs[0] = boto_json(&sim, "POST", list, NULL);
    /* Signed over the query as it stands, not over its canonical form
     * (decoded, then encoded per RFC 3986: %2Ftwo%20words%2F). */
    reqs[1] = boto_json(&sim, "GET", NULL,
                        "Action=ListRoles&Version=2010-05-08&"
                        "PathPrefix=/two+words/");
    botocore_requests(b, reqs, 2);

    /* The body botocore signed passes... */
    ASSERT_STR_EQ(b[0].body, "Action=ListRoles&Version=2010-05-08&"
                             "PathPrefix=%2Ftwo+words%2F");
    send_boto(&r, &b[0], "POST", b[0].body);
    assert_passed_auth(&r);
    tt_response_release(&r);
    /* ...the same parameters in other bytes do not: the signature covers
     * the body as sent, not what it decodes to. */
    send_boto(&r, &b[0], "POST",
              "Action=ListRoles&Version=2010-05-08&"
              "PathPrefix=%2Ftwo%20words%2F");
    assert_aws_error(&r, 403, "SignatureDoesNotMatch", SIG_MISMATCH_MSG);
    tt_response_release(&r);

    send_boto(&r, &b[1], "GET", NULL);
    assert_aws_error(&r, 403, "SignatureDoesNotMatch", SIG_MISMATCH_MSG);
    tt_response_release(&r);
    boto_release(&b[0]);
    boto_release(&b[1]);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_auth_list[] = {
    TEST_INTEGRATION(sim_auth, signed_calls_pass),
    TEST_INTEGRATION(sim_auth, presigned_url_passes),
    TEST_INTEGRATION(sim_auth, missing_authentication_token),
    TEST_INTEGRATION(sim_auth, incomplete_signature),
    TEST_INTEGRATION(sim_auth, invalid_client_token_id),
    TEST_INTEGRATION(sim_auth, session_token_checked),
    TEST_INTEGRATION(sim_auth, expired_token),
    TEST_INTEGRATION(sim_auth, request_expired),
    TEST_INTEGRATION(sim_auth, signature_does_not_match),
    TEST_INTEGRATION(sim_auth, botocore_plus_encoded_body_passes),
    TEST_INTEGRATION(sim_auth, wrongly_canonicalized_refused),
    TEST_END};
