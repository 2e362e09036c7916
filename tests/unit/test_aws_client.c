/* src/aws: XML, the Query client, retries, errors, paging, endpoints. */
#include "runner.h"
#include "support.h"

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/query.h"
#include "aws/xml.h"
#include "http/http.h"
#include "tern/diag.h"
#include "util/alloc.h"
#include "util/buf.h"

#include "../sim/sim.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

/*
 * Pure tests.
 */

TEST(aws_client, xml_tree_and_paths)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n"
        "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/"
        "2010-05-08/\">\n"
        "  <ListRolesResult>\n"
        "    <IsTruncated>true</IsTruncated>\n"
        "    <Marker>m&amp;1</Marker>\n"
        "    <Roles>\n"
        "      <member><RoleName>a</RoleName></member>\n"
        "      <member><RoleName>b &lt;x&gt;</RoleName></member>\n"
        "      <other/>\n"
        "      <member><RoleName>c</RoleName></member>\n"
        "    </Roles>\n"
        "  </ListRolesResult>\n"
        "  <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>\n"
        "</ListRolesResponse>\n";
    tern_xml_node *root = NULL;
    const tern_xml_node *m;
    const char *names[3];
    int n = 0;

    ASSERT_OK(tern_xml_parse(&root, doc, sizeof(doc) - 1, NULL, 0));
    ASSERT_STR_EQ(root->name, "ListRolesResponse");
    ASSERT_STR_EQ(tern_xml_text(root, "ListRolesResult/Marker"), "m&1");
    ASSERT_STR_EQ(tern_xml_text(root, "ResponseMetadata/RequestId"), "rid-1");
    ASSERT_NULL(tern_xml_text(root, "ListRolesResult/Nope"));
    ASSERT_NULL(tern_xml_find(root, "ListRolesResult//Marker"));
    ASSERT_TRUE(tern_xml_find(root, "") == root);
    for (m = tern_xml_find(root, "ListRolesResult/Roles/member"); m;
         m = tern_xml_next(m))
        names[n++] = tern_xml_text(m, "RoleName");
    ASSERT_EQ(n, 3);
    ASSERT_STR_EQ(names[1], "b <x>");
    ASSERT_STR_EQ(names[2], "c");
    tern_xml_free(root);
}

TEST(aws_client, xml_prefixes_and_errors)
{
    static const char prefixed[] =
        "<a:Root xmlns:a=\"urn:x\"><a:Child>v</a:Child></a:Root>";
    static const char broken[] = "<Root><Child></Root>";
    tern_buf deep = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char err[256] = "";
    int i;

    ASSERT_OK(tern_xml_parse(&root, prefixed, sizeof(prefixed) - 1, NULL, 0));
    ASSERT_STR_EQ(root->name, "Root");
    ASSERT_STR_EQ(tern_xml_text(root, "Child"), "v");
    tern_xml_free(root);
    ASSERT_EQ(
        tern_xml_parse(&root, broken, sizeof(broken) - 1, err, sizeof(err)),
        TERN_EINVALID);
    ASSERT_NULL(root);
    ASSERT_STR_EQ(err, "XML error at line 1: mismatched tag");
    ASSERT_EQ(tern_xml_parse(&root, "", 0, err, sizeof(err)), TERN_EINVALID);
    for (i = 0; i < 100; i++)
        tern_buf_puts(&deep, "<a>");
    for (i = 0; i < 100; i++)
        tern_buf_puts(&deep, "</a>");
    ASSERT_EQ(tern_xml_parse(&root, deep.ptr, deep.len, err, sizeof(err)),
              TERN_EINVALID);
    ASSERT_STR_EQ(err, "XML nested deeper than 64 elements");
    tern_buf_release(&deep);
}

/* Issue 20, finding 8: 200,000 sibling elements are linked in one step
 * each (the builder keeps the last child), not a walk of the siblings
 * before them (quadratic: 52.6 s of CPU). */
TEST(aws_client, xml_siblings_linear)
{
    tern_buf doc = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const tern_xml_node *m;
    size_t links = 0, n = 0;
    int i;

    tern_buf_puts(&doc, "<R>");
    for (i = 0; i < 200000; i++)
        tern_buf_printf(&doc, "<a>%d</a>", i);
    tern_buf_puts(&doc, "</R>");
    ASSERT_FALSE(tern_buf_oom(&doc));
    ASSERT_OK(
        tern__xml_parse_counted(&root, doc.ptr, doc.len, NULL, 0, &links));
    ASSERT_EQ(links, 200001);
    for (m = tern_xml_child(root, "a"); m; m = m->next, n++)
        ASSERT_EQ(strtol(m->text, NULL, 10), (long)n);
    ASSERT_EQ(n, 200000);
    tern_xml_free(root);
    tern_buf_release(&doc);
}

TEST(aws_client, xml_error_documents)
{
    static const char query[] =
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
        "<Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
        "<Message>The role with name x cannot be found.</Message></Error>"
        "<RequestId>4b5e-rid</RequestId></ErrorResponse>";
    static const char ec2[] = "<Response><Errors><Error><Code>AuthFailure"
                              "</Code><Message>m</Message></Error></Errors>"
                              "<RequestID>r2</RequestID></Response>";
    tern_aws_error e;

    ASSERT_OK(tern_aws_error_parse(&e, query, sizeof(query) - 1));
    ASSERT_STR_EQ(e.type, "Sender");
    ASSERT_STR_EQ(e.code, "NoSuchEntity");
    ASSERT_STR_EQ(e.message, "The role with name x cannot be found.");
    ASSERT_STR_EQ(e.request_id, "4b5e-rid");
    tern_aws_error_release(&e);
    ASSERT_OK(tern_aws_error_parse(&e, ec2, sizeof(ec2) - 1));
    ASSERT_STR_EQ(e.code, "AuthFailure");
    ASSERT_STR_EQ(e.request_id, "r2");
    tern_aws_error_release(&e);
    ASSERT_EQ(tern_aws_error_parse(&e, "<html>502</html>", 16), TERN_EINVALID);
    ASSERT_EQ(tern_aws_error_parse(&e, "not xml", 7), TERN_EINVALID);
}

TEST(aws_client, error_classes)
{
    ASSERT_EQ(tern_aws_error_class("NoSuchEntity", 404), TERN_ENOTFOUND);
    ASSERT_EQ(tern_aws_error_class("EntityAlreadyExists", 409), TERN_EEXISTS);
    ASSERT_EQ(tern_aws_error_class("DeleteConflict", 409), TERN_ECONFLICT);
    ASSERT_EQ(tern_aws_error_class("Throttling", 400), TERN_ETHROTTLED);
    ASSERT_EQ(tern_aws_error_class("AccessDenied", 403), TERN_EAUTH);
    ASSERT_EQ(tern_aws_error_class("ExpiredToken", 403), TERN_EAUTH);
    ASSERT_EQ(tern_aws_error_class("SignatureDoesNotMatch", 403), TERN_EAUTH);
    ASSERT_EQ(tern_aws_error_class("ValidationError", 400), TERN_EINVALID);
    ASSERT_EQ(tern_aws_error_class("MalformedPolicyDocument", 400),
              TERN_EINVALID);
    ASSERT_EQ(tern_aws_error_class("LimitExceeded", 409), TERN_ERROR);
    ASSERT_EQ(tern_aws_error_class("ServiceFailure", 500), TERN_ERROR);

    ASSERT_EQ(tern_aws_error_retryable("Throttling", 400), 1);
    ASSERT_EQ(tern_aws_error_retryable("ThrottlingException", 400), 1);
    ASSERT_EQ(tern_aws_error_retryable("RequestLimitExceeded", 503), 1);
    ASSERT_EQ(tern_aws_error_retryable("TooManyRequestsException", 429), 1);
    ASSERT_EQ(tern_aws_error_retryable("ServiceFailure", 500), 2);
    ASSERT_EQ(tern_aws_error_retryable("ServiceUnavailable", 503), 2);
    ASSERT_EQ(tern_aws_error_retryable("InternalError", 500), 2);
    ASSERT_EQ(tern_aws_error_retryable(NULL, 502), 2);
    ASSERT_EQ(tern_aws_error_retryable(NULL, 504), 2);
    ASSERT_EQ(tern_aws_error_retryable("LimitExceeded", 409), 0);
    ASSERT_EQ(tern_aws_error_retryable("AccessDenied", 403), 0);
    ASSERT_EQ(tern_aws_error_retryable("ValidationError", 400), 0);
    ASSERT_EQ(tern_aws_error_retryable("MalformedPolicyDocument", 400), 0);
    ASSERT_EQ(tern_aws_error_retryable("EntityAlreadyExists", 409), 0);
}

TEST(aws_client, query_lists_tags_and_policies)
{
    static const char *const arns[] = {"arn:aws:iam::aws:policy/A", "b c"};
    static const char *const keys[] = {"team", "cost center"};
    static const char *const values[] = {"data+ml", "42/x"};
    tern_buf b = TERN_BUF_INIT;
    char *p;

    tern_aws_query_add(&b, "RoleName", "r");
    ASSERT_OK(tern_aws_query_add_list(&b, "PolicyArns", arns, 2));
    ASSERT_OK(tern_aws_query_add_tags(&b, "Tags", keys, values, 2));
    ASSERT_STR_EQ(b.ptr, "RoleName=r"
                         "&PolicyArns.member.1=arn%3Aaws%3Aiam%3A%3Aaws%"
                         "3Apolicy%2FA"
                         "&PolicyArns.member.2=b%20c"
                         "&Tags.member.1.Key=team&Tags.member.1.Value=data%2Bml"
                         "&Tags.member.2.Key=cost%20center"
                         "&Tags.member.2.Value=42%2Fx");
    tern_buf_release(&b);
    p = tern_aws_decode_policy(
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22"
        "Sid%22%3A%22a+b%2Bc%22%7D%5D%7D");
    ASSERT_STR_EQ(p, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
                     "\"a b+c\"}]}");
    tern_free(p);
}

static void check_endpoint(const char *service, const char *region,
                           const char *config, const char *want_url,
                           const char *want_region)
{
    char *url = NULL, *sr = NULL;

    ASSERT_OK(tern_aws_resolve_endpoint(&url, &sr, service, region, config));
    ASSERT_STR_EQ(url, want_url);
    ASSERT_STR_EQ(sr, want_region);
    tern_free(url);
    tern_free(sr);
}

TEST(aws_client, endpoint_precedence)
{
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    unsetenv("AWS_ENDPOINT_URL_STS");
    unsetenv("AWS_ENDPOINT_URL_EC2");
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    check_endpoint("iam", NULL, NULL, "https://iam.amazonaws.com", "us-east-1");
    check_endpoint("ec2", NULL, NULL, "https://ec2.us-east-1.amazonaws.com",
                   "us-east-1");
    check_endpoint("ec2", "eu-central-1", NULL,
                   "https://ec2.eu-central-1.amazonaws.com", "eu-central-1");
    check_endpoint("ec2", "cn-north-1", NULL,
                   "https://ec2.cn-north-1.amazonaws.com.cn", "cn-north-1");
    check_endpoint("iam", "eu-west-1", NULL, "https://iam.amazonaws.com",
                   "us-east-1");
    check_endpoint("iam", "cn-northwest-1", NULL,
                   "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1");
    check_endpoint("iam", "us-gov-east-1", NULL,
                   "https://iam.us-gov.amazonaws.com", "us-gov-west-1");
    check_endpoint("sts", "eu-west-1", NULL,
                   "https://sts.eu-west-1.amazonaws.com", "eu-west-1");
    check_endpoint("sts", "cn-north-1", NULL,
                   "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1");
    /* The provider block's endpoint over the default... */
    check_endpoint("iam", "eu-west-1", "http://127.0.0.1:9/cfg",
                   "http://127.0.0.1:9/cfg", "us-east-1");
    /* ...AWS_ENDPOINT_URL over the default... */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:8/all", 1);
    check_endpoint("iam", NULL, NULL, "http://127.0.0.1:8/all", "us-east-1");
    check_endpoint("sts", "eu-west-2", NULL, "http://127.0.0.1:8/all",
                   "eu-west-2");
    /* ...the service's own variable over AWS_ENDPOINT_URL... */
    setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:7/iam", 1);
    setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:6/sts", 1);
    check_endpoint("iam", NULL, NULL, "http://127.0.0.1:7/iam", "us-east-1");
    check_endpoint("sts", "ap-south-1", NULL, "http://127.0.0.1:6/sts",
                   "ap-south-1");
    check_endpoint("ec2", "eu-west-3", NULL, "http://127.0.0.1:8/all",
                   "eu-west-3");
    /* ...and the provider block's endpoint over every variable: the SDKs
     * apply a client's own endpoint after the shared configuration's. */
    setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:5/ec2", 1);
    check_endpoint("ec2", "eu-west-3", NULL, "http://127.0.0.1:5/ec2",
                   "eu-west-3");
    check_endpoint("ec2", "eu-west-3", "http://127.0.0.1:9/cfg",
                   "http://127.0.0.1:9/cfg", "eu-west-3");
    check_endpoint("iam", NULL, "http://127.0.0.1:9/cfg",
                   "http://127.0.0.1:9/cfg", "us-east-1");
    unsetenv("AWS_ENDPOINT_URL_EC2");
    /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS drops the variables, not the
     * configuration's endpoint. */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    check_endpoint("sts", "ap-south-1", NULL,
                   "https://sts.ap-south-1.amazonaws.com", "ap-south-1");
    check_endpoint("sts", "ap-south-1", "http://127.0.0.1:9/cfg",
                   "http://127.0.0.1:9/cfg", "ap-south-1");
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    unsetenv("AWS_ENDPOINT_URL_STS");
}

TEST(aws_client, refuses_plain_http_endpoint)
{
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    tern_aws_credentials *creds = NULL;
    tern_aws_client *c = NULL;
    tern_http *http = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    unsigned long requests = 1;

    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    ASSERT_OK(tern_http_new(&http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&creds, "AKIDEXAMPLE",
                                              "secret-key-example", NULL));
    opts.service = "iam";
    opts.endpoint = "http://iam.example.com/";
    opts.http = http;
    opts.credentials = creds;
    ASSERT_EQ(tern_aws_client_new(&c, &opts, &diags), TERN_EINVALID);
    ASSERT_NULL(c);
    ASSERT_EQ(diags.errors, 1);
    ASSERT_STR_EQ(diags.items[0].detail,
                  "The IAM endpoint cannot be used: "
                  "refusing plain http to http://iam.example.com/: only https "
                  "is allowed, except for loopback endpoints (127.0.0.0/8, "
                  "::1, localhost) and the instance metadata service.");
    tern_http_stats(http, &requests, NULL);
    ASSERT_EQ(requests, 0);
    tern_diags_release(&diags);
    tern_aws_credentials_free(creds);
    tern_http_free(http);
}

/*
 * Against tern-sim.
 */

struct fx {
    struct tt_sim sim;
    tern_http *http;
    tern_aws_credentials *creds;
    tern_aws_client *iam;
    tern_aws_client *sts;
    long delays[256];
    int nsleeps;
    /* On the nth sleep (1-based), run this. */
    int hook_at;
    void (*hook)(struct fx *fx);
    atomic_int cancel;
    time_t clock_shift;
    long deadline_ms; /* the clients' call deadline; 0: theirs */
    /* The clients' clock: the system's time, fake_sleep recording each
     * wait without waiting; with virtual_time, vnow alone, which only the
     * sleeps (and slow_creds_now) move, so a test drives the deadline. */
    tern_clock clock;
    int virtual_time;
    long long vnow;
    long creds_ms; /* what each credentials fetch takes (slow_creds_now) */
};

static int fake_sleep(void *ud, long ms, const atomic_int *cancel)
{
    struct fx *fx = ud;

    if (fx->nsleeps < 256)
        fx->delays[fx->nsleeps] = ms;
    fx->nsleeps++;
    if (fx->hook && fx->nsleeps == fx->hook_at)
        fx->hook(fx);
    if (cancel && atomic_load(cancel))
        return 1;
    fx->vnow += ms;
    return 0;
}

static long long fx_now(void *ud)
{
    struct fx *fx = ud;

    return fx->virtual_time ? fx->vnow : tern_clock_system_now(NULL);
}

/* The credentials' expiry clock: each fetch takes fx->creds_ms of the
 * fixture's virtual time. */
static time_t slow_creds_now(void *ud)
{
    struct fx *fx = ud;

    fx->vnow += fx->creds_ms;
    return time(NULL);
}

static time_t shifted_now(void *ud)
{
    struct fx *fx = ud;

    return time(NULL) + fx->clock_shift;
}

static void fx_clients(struct fx *fx, int max_retries, int correct_skew)
{
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;

    tern_aws_client_free(fx->iam);
    tern_aws_client_free(fx->sts);
    opts.service = "iam";
    opts.endpoint = fx->sim.base_url;
    opts.max_retries = max_retries;
    opts.http = fx->http;
    opts.credentials = fx->creds;
    fx->clock.now_ms = fx_now;
    fx->clock.sleep = fake_sleep;
    fx->clock.ud = fx;
    opts.clock = &fx->clock;
    opts.now = shifted_now;
    opts.now_ud = fx;
    opts.cancel = &fx->cancel;
    opts.correct_clock_skew = correct_skew;
    opts.seed = 7;
    opts.deadline_ms = fx->deadline_ms;
    ASSERT_OK(tern_aws_client_new(&fx->iam, &opts, &diags));
    opts.service = "sts";
    ASSERT_OK(tern_aws_client_new(&fx->sts, &opts, &diags));
    ASSERT_EQ(diags.count, 0);
}

static void fx_start(struct fx *fx, const char *const *args)
{
    memset(fx, 0, sizeof(*fx));
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    unsetenv("AWS_ENDPOINT_URL_STS");
    ASSERT_OK(tt_sim_start(&fx->sim, args));
    ASSERT_OK(tern_http_new(&fx->http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&fx->creds, SIM_DEFAULT_AKID,
                                              SIM_DEFAULT_SECRET, NULL));
    fx_clients(fx, 3, 1);
}

static void fx_stop(struct fx *fx)
{
    tern_aws_client_free(fx->iam);
    tern_aws_client_free(fx->sts);
    tern_aws_credentials_free(fx->creds);
    tern_http_free(fx->http);
    tt_sim_stop(&fx->sim);
}

static void fx_faults(struct fx *fx, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "POST", "faults", json));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
}

/* How many logged calls match action (and error_code, when not NULL). */
static int count_calls(struct fx *fx, const char *action, const char *code)
{
    struct tt_response r;
    json_t *doc, *c;
    size_t i;
    int n = 0;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "GET", "calls", NULL));
    doc = json_loads(r.body, 0, NULL);
    ASSERT_NOT_NULL(doc);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "action"));
        const char *e = json_string_value(json_object_get(c, "error_code"));

        if (a && strcmp(a, action) == 0 &&
            (!code || (e && strcmp(e, code) == 0)))
            n++;
    }
    json_decref(doc);
    tt_response_release(&r);
    return n;
}

static int iam(struct fx *fx, const char *action, struct tern_diags *diags,
               tern_xml_node **out, ...)
{
    tern_buf b = TERN_BUF_INIT;
    va_list ap;
    const char *k;
    int rc;

    va_start(ap, out);
    while ((k = va_arg(ap, const char *)) != NULL)
        tern_aws_query_add(&b, k, va_arg(ap, const char *));
    va_end(ap);
    rc = tern_aws_call(fx->iam, action, &b, out, diags);
    tern_buf_release(&b);
    return rc;
}

static const char trust[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
    "\"Action\":\"sts:AssumeRole\"}]}";

static void create_role(struct fx *fx, const char *name)
{
    struct tern_diags diags = TERN_DIAGS_INIT;

    if (iam(fx, "CreateRole", &diags, NULL, "RoleName", name,
            "AssumeRolePolicyDocument", trust, NULL) != TERN_OK)
        FAIL("CreateRole %s: %s", name,
             diags.count ? diags.items[0].detail : "?");
    tern_diags_release(&diags);
}

TEST(aws_client, call_and_parse)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_xml_node *root = NULL;
    char *doc;

    fx_start(&fx, NULL);
    ASSERT_OK(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, &root, &diags));
    ASSERT_STR_CONTAINS(tern_xml_text(root, "GetCallerIdentityResult/Arn"),
                        "arn:aws:iam::");
    ASSERT_STR_EQ(tern_xml_text(root, "GetCallerIdentityResult/Account"),
                  SIM_DEFAULT_ACCOUNT);
    tern_xml_free(root);
    create_role(&fx, "app-role");
    ASSERT_OK(iam(&fx, "GetRole", &diags, &root, "RoleName", "app-role", NULL));
    doc = tern_aws_decode_policy(
        tern_xml_text(root, "GetRoleResult/Role/AssumeRolePolicyDocument"));
    ASSERT_STR_CONTAINS(doc, "\"sts:AssumeRole\"");
    ASSERT_STR_CONTAINS(doc, "ec2.amazonaws.com");
    tern_free(doc);
    tern_xml_free(root);
    ASSERT_EQ(diags.count, 0);
    fx_stop(&fx);
}

TEST(aws_client, not_found_carries_code_and_request_id)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, NULL);
    ASSERT_EQ(iam(&fx, "GetRole", &diags, NULL, "RoleName", "nope", NULL),
              TERN_ENOTFOUND);
    ASSERT_EQ(diags.errors, 1);
    ASSERT_STR_EQ(diags.items[0].service_code, "NoSuchEntity");
    ASSERT_NOT_NULL(diags.items[0].request_id);
    ASSERT_CMP(strlen(diags.items[0].request_id), >, 8);
    ASSERT_STR_CONTAINS(diags.items[0].detail, "IAM GetRole: NoSuchEntity: ");
    ASSERT_STR_CONTAINS(diags.items[0].detail, "nope");
    ASSERT_EQ(count_calls(&fx, "GetRole", "NoSuchEntity"), 1);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

struct page_acc {
    int pages;
    int roles;
    char names[16][64];
};

static int on_page(void *ud, const tern_xml_node *result)
{
    struct page_acc *acc = ud;
    const tern_xml_node *m;

    acc->pages++;
    for (m = tern_xml_find(result, "Roles/member"); m; m = tern_xml_next(m)) {
        if (acc->roles < 16)
            snprintf(acc->names[acc->roles], 64, "%s",
                     tern_xml_text(m, "RoleName"));
        acc->roles++;
    }
    return TERN_OK;
}

TEST(aws_client, paging_with_small_max_items)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct page_acc acc;
    tern_buf params = TERN_BUF_INIT;
    char name[32];
    int i;

    fx_start(&fx, NULL);
    for (i = 1; i <= 5; i++) {
        snprintf(name, sizeof(name), "paged-%d", i);
        create_role(&fx, name);
    }
    memset(&acc, 0, sizeof(acc));
    tern_aws_query_add(&params, "MaxItems", "2");
    ASSERT_OK(tern_aws_call_paged(fx.iam, "ListRoles", &params, on_page, &acc,
                                  &diags));
    ASSERT_EQ(acc.pages, 3);
    ASSERT_EQ(acc.roles, 5);
    for (i = 0; i < 5; i++) {
        snprintf(name, sizeof(name), "paged-%d", i + 1);
        ASSERT_STR_EQ(acc.names[i], name);
    }
    ASSERT_EQ(count_calls(&fx, "ListRoles", ""), 3);
    tern_buf_release(&params);
    fx_stop(&fx);
}

/* Issue 20, finding 9: a server that always answers IsTruncated=true
 * with a fresh Marker is followed for 1,000 pages, then refused naming the
 * action; and a small item cap ends a listing that passes it. */
TEST(aws_client, paging_is_bounded)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct page_acc acc;
    tern_buf params = TERN_BUF_INIT;
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    tern_aws_client *small = NULL;
    char name[32];
    int i;

    fx_start(&fx, NULL);
    for (i = 1; i <= 5; i++) {
        snprintf(name, sizeof(name), "paged-%d", i);
        create_role(&fx, name);
    }
    opts.service = "iam";
    opts.endpoint = fx.sim.base_url;
    opts.http = fx.http;
    opts.credentials = fx.creds;
    opts.max_items = 3;
    ASSERT_OK(tern_aws_client_new(&small, &opts, &diags));
    memset(&acc, 0, sizeof(acc));
    tern_aws_query_add(&params, "MaxItems", "2");
    ASSERT_EQ(
        tern_aws_call_paged(small, "ListRoles", &params, on_page, &acc, &diags),
        TERN_ERROR);
    ASSERT_EQ(acc.pages, 1);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "Too many AWS results");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "IAM ListRoles returned more than 3 items in 2 pages; tern "
                  "stops there rather than read without end.");
    tern_diags_release(&diags);
    tern_aws_client_free(small);

    fx_faults(&fx, "{\"garble_rate\": 1, \"garble_mode\": \"endless\"}");
    memset(&acc, 0, sizeof(acc));
    ASSERT_EQ(tern_aws_call_paged(fx.iam, "ListRoles", &params, on_page, &acc,
                                  &diags),
              TERN_ERROR);
    ASSERT_EQ(acc.pages, 1000);
    ASSERT_EQ(acc.roles, 2);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].detail,
                  "IAM ListRoles was still truncated after 1000 pages; tern "
                  "stops there rather than read without end.");
    ASSERT_EQ(count_calls(&fx, "ListRoles", "Garbled:endless"), 1000);
    tern_diags_release(&diags);
    tern_buf_release(&params);
    fx_stop(&fx);
}

TEST(aws_client, throttling_retried_until_max)
{
    static const char *const args[] = {"--throttle-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    int i;

    fx_start(&fx, args);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ETHROTTLED);
    /* max_retries 3: four attempts, three waits. */
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "Throttling"), 4);
    ASSERT_EQ(fx.nsleeps, 3);
    for (i = 0; i < 3; i++) {
        ASSERT_CMP(fx.delays[i], >=, 0);
        ASSERT_CMP(fx.delays[i], <=, 1000L << i);
    }
    ASSERT_STR_EQ(diags.items[0].service_code, "Throttling");
    ASSERT_STR_CONTAINS(diags.items[0].detail, "Rate exceeded");
    ASSERT_STR_CONTAINS(diags.items[0].detail, "4 attempts");
    ASSERT_EQ(tern_aws_client_retry_tokens(fx.sts), 500 - 3 * 5);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

static void clear_faults(struct fx *fx)
{
    fx_faults(fx, "{\"throttle_rate\": 0, \"error_rate\": 0, "
                  "\"drop_rate\": 0}");
}

TEST(aws_client, throttling_then_success_refunds_budget)
{
    static const char *const args[] = {"--throttle-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, args);
    fx.hook_at = 2;
    fx.hook = clear_faults;
    ASSERT_OK(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags));
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "Throttling"), 2);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", ""), 1);
    /* Two retries took 10; success returned the last retry's 5. */
    ASSERT_EQ(tern_aws_client_retry_tokens(fx.sts), 495);
    ASSERT_EQ(diags.count, 0);
    fx_stop(&fx);
}

TEST(aws_client, server_errors_retried)
{
    static const char *const args[] = {"--error-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, args);
    fx_clients(&fx, 5, 1);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ERROR);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "ServiceFailure") +
                  count_calls(&fx, "GetCallerIdentity", "ServiceUnavailable"),
              6);
    ASSERT_EQ(fx.nsleeps, 5);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(aws_client, dropped_connections_retried)
{
    static const char *const args[] = {"--drop-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, args);
    fx.hook_at = 2;
    fx.hook = clear_faults;
    ASSERT_OK(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags));
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "Dropped"), 2);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", ""), 1);
    fx_clients(&fx, 1, 1);
    fx_faults(&fx, "{\"drop_rate\": 1}");
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ERROR);
    ASSERT_STR_CONTAINS(diags.items[0].detail, "after 2 attempts");
    ASSERT_STR_CONTAINS(diags.items[0].detail, "closed or reset");
    ASSERT_STR_CONTAINS(diags.items[0].detail, fx.sim.base_url);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(aws_client, timeouts_retried_at_higher_cost)
{
    static const char *const args[] = {"--latency-ms", "1500", NULL};
    tern_http_opts hopts = TERN_HTTP_OPTS_INIT;
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response resp;

    fx_start(&fx, args);
    tern_http_free(fx.http);
    hopts.timeout_ms = 300;
    ASSERT_OK(tern_http_new(&fx.http, &hopts));
    fx_clients(&fx, 1, 1);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ERROR);
    ASSERT_STR_CONTAINS(diags.items[0].detail, "timed out");
    ASSERT_EQ(fx.nsleeps, 1);
    ASSERT_EQ(tern_aws_client_retry_tokens(fx.sts), 490);
    /* Both attempts reached the server (it logs after its latency, so
     * wait until it has logged two calls). */
    ASSERT_OK(tt_sim_control(&resp, &fx.sim, "GET", "calls?at_least=2", NULL));
    tt_response_release(&resp);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", NULL), 2);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

/* A server that never answers in time cannot hold a call past its
 * deadline, retries included (finding 6: one GetRole took 1,762 s). */
TEST(aws_client, call_deadline)
{
    static const char *const args[] = {
        "--garble-rate", "1", "--garble-mode", "stall", "--stall-ms",
        "60000",         NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct timespec t0, t1;

    fx_start(&fx, args);
    fx.deadline_ms = 800;
    fx_clients(&fx, 3, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ERROR);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ASSERT_CMP(t1.tv_sec - t0.tv_sec, <, 10);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].detail,
                  "STS GetCallerIdentity gave up after 800 ms, the most one "
                  "call may take (1 attempt; the last: timeout).");
    tern_diags_release(&diags);
    fx_stop(&fx);
}

/* The deadline runs on the client's clock (issue 20, "Time you can
 * control"): against a server that always throttles, the retries stop
 * before the first back-off that would reach the deadline. The back-offs
 * are the ones the client draws from its seed (7); no time passes. */
TEST(aws_client, deadline_stops_retries)
{
    static const char *const args[] = {"--throttle-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    unsigned int seed = 7;
    long want[32], spent = 0, d;
    int n = 0, i;

    fx_start(&fx, args);
    fx.virtual_time = 1;
    fx.deadline_ms = 10000;
    fx_clients(&fx, 25, 1);
    for (;;) {
        d = tern_aws_backoff_ms(n + 1, (unsigned int)rand_r(&seed));
        if (d >= fx.deadline_ms - spent)
            break;
        want[n++] = d;
        spent += d;
    }
    ASSERT_EQ(n, 4); /* the deadline, not max_retries (25), stops it */
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ETHROTTLED);
    ASSERT_EQ(fx.nsleeps, n);
    for (i = 0; i < n; i++)
        ASSERT_EQ(fx.delays[i], want[i]);
    ASSERT_EQ(fx.vnow, spent);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "Throttling"), n + 1);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].detail,
                  "STS GetCallerIdentity gave up after 10000 ms, the most one "
                  "call may take (5 attempts; the last: Throttling).");
    tern_diags_release(&diags);
    fx_stop(&fx);
}

/* A call whose deadline passes while its credentials are fetched fails
 * (3d9773a: it reported the failure and returned TERN_OK), sends nothing,
 * and says where the time went. */
TEST(aws_client, deadline_in_credentials)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, NULL);
    fx.virtual_time = 1;
    fx.deadline_ms = 800;
    fx_clients(&fx, 3, 1);
    fx.creds_ms = 1000;
    tern__aws_credentials_set_clock(fx.creds, slow_creds_now, &fx);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ERROR);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "AWS request failed");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "STS GetCallerIdentity gave up after 800 ms, the most one "
                  "call may take, while its credentials were fetched (no "
                  "attempt sent).");
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", NULL), 0);
    ASSERT_EQ(fx.nsleeps, 0);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(aws_client, client_errors_not_retried)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, NULL);
    create_role(&fx, "dup");
    ASSERT_EQ(iam(&fx, "CreateRole", &diags, NULL, "RoleName", "dup",
                  "AssumeRolePolicyDocument", trust, NULL),
              TERN_EEXISTS);
    ASSERT_STR_EQ(diags.items[0].service_code, "EntityAlreadyExists");
    ASSERT_EQ(count_calls(&fx, "CreateRole", "EntityAlreadyExists"), 1);

    create_role(&fx, "second");
    ASSERT_OK(iam(&fx, "CreateInstanceProfile", &diags, NULL,
                  "InstanceProfileName", "ip", NULL));
    ASSERT_OK(iam(&fx, "AddRoleToInstanceProfile", &diags, NULL,
                  "InstanceProfileName", "ip", "RoleName", "dup", NULL));
    ASSERT_EQ(iam(&fx, "AddRoleToInstanceProfile", &diags, NULL,
                  "InstanceProfileName", "ip", "RoleName", "second", NULL),
              TERN_ERROR);
    ASSERT_STR_EQ(diags.items[1].service_code, "LimitExceeded");
    ASSERT_EQ(count_calls(&fx, "AddRoleToInstanceProfile", "LimitExceeded"), 1);

    ASSERT_EQ(iam(&fx, "CreateRole", &diags, NULL, "RoleName", "bad",
                  "AssumeRolePolicyDocument", "{not json", NULL),
              TERN_EINVALID);
    ASSERT_STR_EQ(diags.items[2].service_code, "MalformedPolicyDocument");
    ASSERT_EQ(count_calls(&fx, "CreateRole", "MalformedPolicyDocument"), 1);

    ASSERT_EQ(iam(&fx, "DeleteRole", &diags, NULL, "RoleName", "dup", NULL),
              TERN_ECONFLICT);
    ASSERT_STR_EQ(diags.items[3].service_code, "DeleteConflict");
    ASSERT_EQ(fx.nsleeps, 0);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(aws_client, retry_budget_stops_a_storm)
{
    static const char *const args[] = {"--throttle-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    int i;

    fx_start(&fx, args);
    fx_clients(&fx, 25, 1);
    /* 500 tokens, 5 per retry: 100 retries in all, then none. */
    for (i = 0; i < 5; i++)
        ASSERT_EQ(
            tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
            TERN_ETHROTTLED);
    ASSERT_EQ(fx.nsleeps, 100);
    ASSERT_EQ(tern_aws_client_retry_tokens(fx.sts), 0);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "Throttling"), 4 * 26 + 1);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

static void raise_cancel(struct fx *fx)
{
    fx->cancel = 1;
}

TEST(aws_client, cancel_while_waiting)
{
    static const char *const args[] = {"--throttle-rate", "1", NULL};
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, args);
    fx.hook_at = 1;
    fx.hook = raise_cancel;
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ECANCELED);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", NULL), 1);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_ECANCELED);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", NULL), 1);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(aws_client, clock_skew_surfaces_or_is_corrected)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, NULL);
    fx.clock_shift = -3600;
    fx_clients(&fx, 3, 0);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_EAUTH);
    ASSERT_STR_EQ(diags.items[0].service_code, "RequestExpired");
    ASSERT_STR_CONTAINS(diags.items[0].detail, "Signature expired");
    ASSERT_EQ(fx.nsleeps, 0);
    /* With correction (the default), the Date header fixes our clock. */
    fx_clients(&fx, 3, 1);
    ASSERT_OK(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags));
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "RequestExpired"), 2);
    ASSERT_OK(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags));
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", ""), 2);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(aws_client, bad_signature_surfaces)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;

    fx_start(&fx, NULL);
    tern_aws_credentials_free(fx.creds);
    ASSERT_OK(tern_aws_credentials_new_static(
        &fx.creds, SIM_DEFAULT_AKID, "not-the-right-secret-key", NULL));
    fx_clients(&fx, 3, 1);
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_EAUTH);
    ASSERT_STR_EQ(diags.items[0].service_code, "SignatureDoesNotMatch");
    ASSERT_STR_CONTAINS(diags.items[0].detail,
                        "Check your AWS Secret Access Key");
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "SignatureDoesNotMatch"),
              1);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

TEST(aws_client, expired_token_surfaces)
{
    struct fx fx;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response r;
    tern_xml_node *root = NULL;
    tern_buf params = TERN_BUF_INIT;
    const tern_xml_node *cr;

    fx_start(&fx, NULL);
    create_role(&fx, "assumable");
    tern_aws_query_add(&params, "RoleArn",
                       "arn:aws:iam::" SIM_DEFAULT_ACCOUNT ":role/assumable");
    tern_aws_query_add(&params, "RoleSessionName", "test-session");
    tern_aws_query_add(&params, "DurationSeconds", "900");
    ASSERT_OK(tern_aws_call(fx.sts, "AssumeRole", &params, &root, &diags));
    cr = tern_xml_find(root, "AssumeRoleResult/Credentials");
    tern_aws_credentials_free(fx.creds);
    ASSERT_OK(tern_aws_credentials_new_static(
        &fx.creds, tern_xml_text(cr, "AccessKeyId"),
        tern_xml_text(cr, "SecretAccessKey"),
        tern_xml_text(cr, "SessionToken")));
    fx_clients(&fx, 3, 1);
    ASSERT_OK(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags));
    ASSERT_OK(tt_sim_control(&r, &fx.sim, "POST", "clock",
                             "{\"advance_ms\": 1000000}"));
    tt_response_release(&r);
    fx.clock_shift = 1000;
    ASSERT_EQ(tern_aws_call(fx.sts, "GetCallerIdentity", NULL, NULL, &diags),
              TERN_EAUTH);
    ASSERT_STR_EQ(diags.items[0].service_code, "ExpiredToken");
    ASSERT_STR_CONTAINS(diags.items[0].detail, "expired");
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", "ExpiredToken"), 1);
    tern_xml_free(root);
    tern_buf_release(&params);
    tern_diags_release(&diags);
    fx_stop(&fx);
}

struct caller {
    tern_aws_client *sts;
    int n, failures;
};

static void *call_many(void *ud)
{
    struct caller *w = ud;
    struct tern_diags diags = TERN_DIAGS_INIT;
    int i;

    for (i = 0; i < w->n; i++) {
        if (tern_aws_call(w->sts, "GetCallerIdentity", NULL, NULL, &diags) !=
            TERN_OK)
            w->failures++;
    }
    tern_diags_release(&diags);
    return NULL;
}

TEST(aws_client, thousand_signed_calls_reuse_connections)
{
    struct fx fx;
    struct caller w[4];
    pthread_t t[4];
    unsigned long requests = 0, connects = 0;
    int i;

    fx_start(&fx, NULL);
    w[0].sts = fx.sts;
    w[0].n = 1000;
    w[0].failures = 0;
    call_many(&w[0]);
    ASSERT_EQ(w[0].failures, 0);
    tern_http_stats(fx.http, &requests, &connects);
    printf("# 1000 signed STS calls, one thread: %lu TCP connection(s)\n",
           connects);
    ASSERT_EQ(requests, 1000);
    ASSERT_CMP(connects, <=, 2);

    /* Four workers sharing one client and one HTTP client. */
    tern_http_free(fx.http);
    ASSERT_OK(tern_http_new(&fx.http, NULL));
    fx_clients(&fx, 3, 1);
    for (i = 0; i < 4; i++) {
        w[i].sts = fx.sts;
        w[i].n = 250;
        w[i].failures = 0;
        ASSERT_OK(pthread_create(&t[i], NULL, call_many, &w[i]));
    }
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ASSERT_EQ(w[i].failures, 0);
    }
    tern_http_stats(fx.http, &requests, &connects);
    printf("# 1000 signed STS calls, 4 threads: %lu TCP connection(s)\n",
           connects);
    ASSERT_EQ(requests, 1000);
    ASSERT_CMP(connects, <=, 4);
    ASSERT_EQ(count_calls(&fx, "GetCallerIdentity", ""), 2000);
    fx_stop(&fx);
}

const struct tern_test test_aws_client_list[] = {
    TEST_UNIT(aws_client, xml_tree_and_paths),
    TEST_UNIT(aws_client, xml_prefixes_and_errors),
    TEST_UNIT(aws_client, xml_siblings_linear),
    TEST_UNIT(aws_client, xml_error_documents),
    TEST_UNIT(aws_client, error_classes),
    TEST_UNIT(aws_client, query_lists_tags_and_policies),
    TEST_UNIT(aws_client, endpoint_precedence),
    TEST_UNIT(aws_client, refuses_plain_http_endpoint),
    TEST_INTEGRATION(aws_client, call_and_parse),
    TEST_INTEGRATION(aws_client, not_found_carries_code_and_request_id),
    TEST_INTEGRATION(aws_client, paging_with_small_max_items),
    TEST_INTEGRATION(aws_client, paging_is_bounded),
    TEST_INTEGRATION(aws_client, throttling_retried_until_max),
    TEST_INTEGRATION(aws_client, throttling_then_success_refunds_budget),
    TEST_INTEGRATION(aws_client, server_errors_retried),
    TEST_INTEGRATION(aws_client, dropped_connections_retried),
    TEST_INTEGRATION(aws_client, timeouts_retried_at_higher_cost),
    TEST_INTEGRATION(aws_client, call_deadline),
    TEST_INTEGRATION(aws_client, deadline_stops_retries),
    TEST_INTEGRATION(aws_client, deadline_in_credentials),
    TEST_INTEGRATION(aws_client, client_errors_not_retried),
    TEST_INTEGRATION(aws_client, retry_budget_stops_a_storm),
    TEST_INTEGRATION(aws_client, cancel_while_waiting),
    TEST_INTEGRATION(aws_client, clock_skew_surfaces_or_is_corrected),
    TEST_INTEGRATION(aws_client, bad_signature_surfaces),
    TEST_INTEGRATION(aws_client, expired_token_surfaces),
    TEST_INTEGRATION(aws_client, thousand_signed_calls_reuse_connections),
    TEST_END};
