/*
 * The S3 backend's arguments that need more than a case directory: an
 * endpoint that holds the sim's port (use_fips_endpoint and
 * use_dualstack_endpoint with every endpoint configured), the SSE-C key as
 * S3 stores it and kept out of the trace log, and the transport arguments
 * (https_proxy, http_proxy, custom_ca_bundle, insecure) against a proxy on
 * 127.0.0.1 that records the request it was asked for: no request leaves
 * the machine.
 */
#include "runner.h"
#include "support.h"
#include "run_tern.h"
#include "s3_fixture.h"

#include "util/alloc.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOAD "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]}}"

#define SSE_KEY "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

#define OUTPUT "output \"x\" {\n  value = \"y\"\n}\n"

/* With the endpoint the backend calls configured, use_fips_endpoint and
 * use_dualstack_endpoint change nothing, in Terraform as in tern: the
 * configured endpoint is used as it is. */
TEST(backend_s3_args, fips_dualstack_with_configured_endpoint)
{
    char main_tf[2048];
    const char *dir;
    char *body;

    tt_s3_start(LOAD, NULL);
    snprintf(main_tf, sizeof(main_tf),
             "terraform {\n"
             "  backend \"s3\" {\n"
             "    bucket                 = \"tfstate\"\n"
             "    key                    = \"fips/terraform.tfstate\"\n"
             "    region                 = \"us-east-1\"\n"
             "    use_fips_endpoint      = true\n"
             "    use_dualstack_endpoint = true\n"
             "    endpoints              = { s3 = \"%s\" }\n"
             "  }\n"
             "}\n" OUTPUT,
             tt_s3fx.sim.base_url);
    dir = tt_s3_dir("fips", main_tf);
    TT_S3_RUN(dir, 0, "init", "-no-color");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    body = tt_s3_object("fips/terraform.tfstate");
    ASSERT_NOT_NULL(body);
    ASSERT_STR_CONTAINS(body, "\"x\"");
    free(body);

    /* The flag in the block, the endpoint in a -backend-config file: the
     * arguments are checked together once merged. */
    dir = tt_s3_dir("fips-split",
                    "terraform {\n"
                    "  backend \"s3\" {\n"
                    "    bucket            = \"tfstate\"\n"
                    "    key               = \"split/terraform.tfstate\"\n"
                    "    region            = \"us-east-1\"\n"
                    "    use_fips_endpoint = true\n"
                    "  }\n"
                    "}\n" OUTPUT);
    snprintf(main_tf, sizeof(main_tf), "endpoints = { s3 = \"%s\" }\n",
             tt_s3fx.sim.base_url);
    ASSERT_OK(tt_write_file(dir, "backend.hcl", main_tf));
    TT_S3_RUN(dir, 1, "init", "-no-color");
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: Unsupported endpoint variant\n\n"
                  "  on main.tf line 6, in terraform:\n"
                  "   6:     use_fips_endpoint = true\n"
                  "                              ^^^^\n\n"
                  "tern does not resolve AWS's FIPS endpoints. With "
                  "use_fips_endpoint = true, set endpoints.s3 to the FIPS "
                  "endpoint to use (Terraform then uses a configured endpoint "
                  "as it is), or remove use_fips_endpoint.\n\n");
    TT_S3_RUN(dir, 0, "init", "-no-color", "-reconfigure",
              "-backend-config=backend.hcl");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* The state object as tern-sim holds it: its SSE-C key's MD5 (the key's
 * MD5 in base64, computed here with openssl's definition: echo -n KEY |
 * base64 -d | openssl md5 -binary | base64), no x-amz-server-side-
 * encryption; and the key itself nowhere in a trace log. */
TEST(backend_s3_args, sse_customer_key_stored_and_secret)
{
    const char *dir;
    json_t *dump, *objs, *o;
    size_t i, n = 0;

    tt_s3_start(LOAD, NULL);
    dir =
        tt_s3_dir("ssec", "terraform {\n"
                          "  backend \"s3\" {\n"
                          "    bucket           = \"tfstate\"\n"
                          "    key              = \"ssec/terraform.tfstate\"\n"
                          "    region           = \"us-east-1\"\n"
                          "    encrypt          = true\n"
                          "    use_lockfile     = true\n"
                          "    sse_customer_key = \"" SSE_KEY "\"\n"
                          "  }\n"
                          "}\n" OUTPUT);
    TT_S3_RUN(dir, 0, "init", "-no-color");
    tt_sim_env_add(&tt_s3fx.env, "TERN_LOG=trace");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    ASSERT_NULL(strstr(tt_s3fx.run.out, SSE_KEY));
    ASSERT_NULL(strstr(tt_s3fx.run.err, SSE_KEY));
    ASSERT_STR_CONTAINS(tt_s3fx.run.err,
                        "x-amz-server-side-encryption-customer-algorithm");
    dump = tt_s3_dump();
    objs = json_object_get(
        json_array_get(json_object_get(json_object_get(dump, "s3"), "buckets"),
                       0),
        "objects");
    json_array_foreach(objs, i, o)
    {
        ASSERT_STR_EQ(json_string_value(json_object_get(o, "key")),
                      "ssec/terraform.tfstate");
        ASSERT_STR_EQ(
            json_string_value(json_object_get(o, "sse_customer_key_md5")),
            "hRasmdxgYDKV3nvbahU1MA==");
        ASSERT_NULL(json_object_get(o, "sse"));
        n++;
    }
    ASSERT_EQ(n, 1);
    json_decref(dump);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* A proxy on 127.0.0.1 that takes one request, keeps its first line and
 * answers @p answer. */
struct proxy {
    int fd, port;
    const char *answer;
    char line[256];
    pthread_t thread;
};

static void *proxy_main(void *arg)
{
    struct proxy *p = arg;
    char buf[2048];
    size_t len = 0;
    int c = accept(p->fd, NULL, NULL);
    char *eol;

    if (c < 0)
        return NULL;
    while (len < sizeof(buf) - 1) {
        ssize_t got = read(c, buf + len, sizeof(buf) - 1 - len);

        if (got <= 0)
            break;
        len += (size_t)got;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    buf[len] = '\0';
    eol = strstr(buf, "\r\n");
    if (eol)
        *eol = '\0';
    len = strlen(buf) < sizeof(p->line) ? strlen(buf) : sizeof(p->line) - 1;
    memcpy(p->line, buf, len);
    p->line[len] = '\0';
    if (write(c, p->answer, strlen(p->answer)) < 0)
        p->line[0] = '\0';
    close(c);
    return NULL;
}

static void proxy_start(struct proxy *p, const char *answer)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);

    memset(p, 0, sizeof(*p));
    p->answer = answer;
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(p->fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_OK(bind(p->fd, (struct sockaddr *)&a, sizeof(a)));
    ASSERT_OK(listen(p->fd, 4));
    ASSERT_OK(getsockname(p->fd, (struct sockaddr *)&a, &alen));
    p->port = ntohs(a.sin_port);
    ASSERT_OK(pthread_create(&p->thread, NULL, proxy_main, p));
}

static void proxy_stop(struct proxy *p)
{
    pthread_join(p->thread, NULL);
    close(p->fd);
}

/* `tern init` of a backend at https://s3.example.com, its @p proxy_arg
 * ("https_proxy", "http_proxy") the proxy, with the arguments @p extra. */
static void init_through(struct proxy *p, const char *name,
                         const char *proxy_arg, const char *extra)
{
    char main_tf[2048];
    const char *dir;

    snprintf(main_tf, sizeof(main_tf),
             "terraform {\n"
             "  backend \"s3\" {\n"
             "    bucket         = \"tfstate\"\n"
             "    key            = \"proxy/terraform.tfstate\"\n"
             "    region         = \"us-east-1\"\n"
             "    max_retries    = 0\n"
             "    use_path_style = true\n"
             "    endpoints      = { s3 = \"https://s3.example.com\" }\n"
             "    %s = \"http://127.0.0.1:%d\"\n"
             "%s"
             "  }\n"
             "}\n",
             proxy_arg, p->port, extra);
    dir = tt_s3_dir(name, main_tf);
    TT_S3_RUN(dir, 1, "init", "-no-color");
}

#define REFUSE "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
#define TUNNEL "HTTP/1.1 200 Connection established\r\n\r\n"

/* https_proxy carries the https endpoint's requests (a CONNECT to its
 * host); http_proxy alone carries them too, with its warning, as
 * aws-sdk-go-base's legacy proxy mode (Terraform's S3 backend) does. */
TEST(backend_s3_args, proxies)
{
    struct proxy p;
    char warning[512];

    tt_s3_start(LOAD, NULL);
    proxy_start(&p, REFUSE);
    init_through(&p, "https-proxy", "https_proxy",
                 "    http_proxy = \"http://127.0.0.1:1\"\n");
    proxy_stop(&p);
    ASSERT_STR_EQ(p.line, "CONNECT s3.example.com:443 HTTP/1.1");
    ASSERT_STR_CONTAINS(tt_s3fx.run.err, "S3 ListObjectsV2 s3://tfstate/");

    proxy_start(&p, REFUSE);
    init_through(&p, "http-proxy", "http_proxy", "");
    proxy_stop(&p);
    ASSERT_STR_EQ(p.line, "CONNECT s3.example.com:443 HTTP/1.1");
    snprintf(warning, sizeof(warning),
             "Warning: Missing HTTPS Proxy\n\n"
             "An HTTP proxy was set but no HTTPS proxy was. Using HTTP proxy "
             "\"http://127.0.0.1:%d\" for HTTPS requests. This behavior may "
             "change in future versions.\n\n"
             "To specify no proxy for HTTPS, set the HTTPS to an empty "
             "string.\n",
             p.port);
    ASSERT_STR_CONTAINS(tt_s3fx.run.out, warning);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* custom_ca_bundle is the file TLS verifies with: one that does not exist
 * fails the handshake naming it; with insecure = true nothing is verified,
 * so the same missing file is not needed (the tunnel's peer, which speaks
 * no TLS, fails the handshake instead). */
TEST(backend_s3_args, custom_ca_bundle_and_insecure)
{
    struct proxy p;

    tt_s3_start(LOAD, NULL);
    proxy_start(&p, TUNNEL);
    init_through(&p, "ca", "https_proxy",
                 "    custom_ca_bundle = \"/nonexistent/tern-ca.pem\"\n");
    proxy_stop(&p);
    ASSERT_STR_EQ(p.line, "CONNECT s3.example.com:443 HTTP/1.1");
    ASSERT_STR_CONTAINS(tt_s3fx.run.err, "/nonexistent/tern-ca.pem");

    proxy_start(&p, TUNNEL);
    init_through(&p, "insecure", "https_proxy",
                 "    custom_ca_bundle = \"/nonexistent/tern-ca.pem\"\n"
                 "    insecure         = true\n");
    proxy_stop(&p);
    ASSERT_STR_EQ(p.line, "CONNECT s3.example.com:443 HTTP/1.1");
    ASSERT_NULL(strstr(tt_s3fx.run.err, "/nonexistent/tern-ca.pem"));
    ASSERT_STR_CONTAINS(tt_s3fx.run.err, "S3 ListObjectsV2 s3://tfstate/");
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

const struct tern_test test_backend_s3_args_list[] = {
    TEST_INTEGRATION(backend_s3_args, fips_dualstack_with_configured_endpoint),
    TEST_INTEGRATION(backend_s3_args, sse_customer_key_stored_and_secret),
    TEST_INTEGRATION(backend_s3_args, proxies),
    TEST_INTEGRATION(backend_s3_args, custom_ca_bundle_and_insecure), TEST_END};
