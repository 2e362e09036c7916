/* src/http: transport policy, errors, timeouts, connection reuse. */
#include "runner.h"
#include "support.h"

#include "http/http.h"
#include "tern/diag.h"
#include "util/alloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static tern_http *new_client(long timeout_ms, size_t max_response)
{
    tern_http_opts opts = TERN_HTTP_OPTS_INIT;
    tern_http *http = NULL;

    if (timeout_ms)
        opts.timeout_ms = timeout_ms;
    if (max_response)
        opts.max_response = max_response;
    ASSERT_OK(tern_http_new(&http, &opts));
    return http;
}

static int get(tern_http *http, const char *url, tern_http_response *out,
               struct tern_diags *diags)
{
    tern_http_request req = TERN_HTTP_REQUEST_INIT;

    req.url = url;
    return tern_http_send(http, &req, out, diags);
}

TEST(http, url_policy)
{
    static const char *const allowed[] = {
        "https://iam.amazonaws.com/",
        "https://sts.eu-west-1.amazonaws.com",
        "http://127.0.0.1:8080/",
        "http://127.3.4.5/x",
        "http://localhost:1/",
        "http://[::1]:9/",
        "http://169.254.169.254/latest/api/token",
        "http://[fd00:ec2::254]/latest/api/token",
    };
    static const char *const refused[] = {
        "http://iam.amazonaws.com/",
        "http://10.0.0.1/",
        "http://127.0.0.1.nip.io/",
        "http://169.254.169.253/",
        "http://[::2]/",
        "ftp://127.0.0.1/",
        "file:///etc/passwd",
        "not a url",
    };
    char why[512];
    size_t i;

    for (i = 0; i < sizeof(allowed) / sizeof(*allowed); i++) {
        if (tern_http_check_url(allowed[i], why, sizeof(why)) != TERN_OK)
            FAIL("%s refused: %s", allowed[i], why);
    }
    for (i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
        if (tern_http_check_url(refused[i], why, sizeof(why)) != TERN_EINVALID)
            FAIL("%s accepted", refused[i]);
    }
}

TEST(http, refuses_remote_plain_http_without_connecting)
{
    tern_http *http = new_client(0, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    unsigned long requests = 99, connects = 99;

    ASSERT_EQ(get(http, "http://iam.amazonaws.com/", &resp, &diags),
              TERN_EINVALID);
    ASSERT_EQ(resp.failure, TERN_HTTP_EREFUSED);
    ASSERT_STR_EQ(
        resp.error,
        "refusing plain http to http://iam.amazonaws.com/: only https is "
        "allowed, except for loopback endpoints (127.0.0.0/8, ::1, localhost) "
        "and the instance metadata service");
    ASSERT_EQ(diags.errors, 1);
    ASSERT_STR_EQ(
        diags.items[0].detail,
        "refusing plain http to http://iam.amazonaws.com/: only https is "
        "allowed, except for loopback endpoints (127.0.0.0/8, ::1, localhost) "
        "and the instance metadata service");
    tern_http_stats(http, &requests, &connects);
    ASSERT_EQ(requests, 0);
    ASSERT_EQ(connects, 0);
    tern_http_response_release(&resp);
    tern_diags_release(&diags);
    tern_http_free(http);
}

TEST(http, get_with_headers)
{
    struct tt_sim sim;
    tern_http *http = new_client(0, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char url[128];
    char *ctype;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    snprintf(url, sizeof(url), "%s/_sim/health", sim.base_url);
    ASSERT_OK(get(http, url, &resp, NULL));
    ASSERT_EQ(resp.status, 200);
    ASSERT_STR_CONTAINS(resp.body.ptr, "\"ok\"");
    ctype = tern_http_response_header(&resp, "content-type");
    ASSERT_STR_EQ(ctype, "application/json");
    ASSERT_NULL(tern_http_response_header(&resp, "X-Nope"));
    ASSERT_EQ(resp.connects, 1);
    tern_free(ctype);
    tern_http_response_release(&resp);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

TEST(http, reuses_connections)
{
    struct tt_sim sim;
    tern_http *http = new_client(0, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    unsigned long requests = 0, connects = 0;
    char url[128];
    int i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    snprintf(url, sizeof(url), "%s/_sim/health", sim.base_url);
    for (i = 0; i < 1000; i++) {
        ASSERT_OK(get(http, url, &resp, NULL));
        ASSERT_EQ(resp.status, 200);
        tern_http_response_release(&resp);
    }
    tern_http_stats(http, &requests, &connects);
    printf("# 1000 sequential requests: %lu TCP connection(s)\n", connects);
    ASSERT_EQ(requests, 1000);
    ASSERT_CMP(connects, <=, 2);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

struct worker {
    tern_http *http;
    const char *url;
    int n, failures;
};

static void *work(void *ud)
{
    struct worker *w = ud;
    int i;

    for (i = 0; i < w->n; i++) {
        tern_http_response resp = TERN_HTTP_RESPONSE_INIT;

        if (get(w->http, w->url, &resp, NULL) != TERN_OK || resp.status != 200)
            w->failures++;
        tern_http_response_release(&resp);
    }
    return NULL;
}

TEST(http, reuses_connections_across_threads)
{
    struct tt_sim sim;
    tern_http *http = new_client(0, 0);
    unsigned long requests = 0, connects = 0;
    pthread_t t[8];
    struct worker w[8];
    char url[128];
    int i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    snprintf(url, sizeof(url), "%s/_sim/health", sim.base_url);
    for (i = 0; i < 8; i++) {
        w[i].http = http;
        w[i].url = url;
        w[i].n = 125;
        w[i].failures = 0;
        ASSERT_OK(pthread_create(&t[i], NULL, work, &w[i]));
    }
    for (i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        ASSERT_EQ(w[i].failures, 0);
    }
    tern_http_stats(http, &requests, &connects);
    printf("# 1000 requests from 8 threads: %lu TCP connection(s)\n", connects);
    ASSERT_EQ(requests, 1000);
    ASSERT_CMP(connects, <=, 8);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

TEST(http, connect_refused_names_endpoint)
{
    struct tt_sim sim;
    tern_http *http = new_client(0, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char url[128];

    /* A port that was just listening and is now closed. */
    ASSERT_OK(tt_sim_start(&sim, NULL));
    snprintf(url, sizeof(url), "%s/_sim/health", sim.base_url);
    tt_sim_stop(&sim);
    ASSERT_EQ(get(http, url, &resp, &diags), TERN_ERROR);
    ASSERT_EQ(resp.failure, TERN_HTTP_ECONNECT);
    ASSERT_STR_CONTAINS(resp.error, "cannot connect to endpoint");
    ASSERT_STR_CONTAINS(resp.error, url);
    ASSERT_EQ(diags.errors, 1);
    ASSERT_STR_EQ(diags.items[0].detail, resp.error);
    tern_http_response_release(&resp);
    tern_diags_release(&diags);
    tern_http_free(http);
}

TEST(http, tls_failure_is_reported)
{
    struct tt_sim sim;
    tern_http *http = new_client(0, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char url[128];

    /* https to a plain http server: the handshake fails. */
    ASSERT_OK(tt_sim_start(&sim, NULL));
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/_sim/health", sim.port);
    ASSERT_EQ(get(http, url, &resp, NULL), TERN_ERROR);
    ASSERT_EQ(resp.failure, TERN_HTTP_ETLS);
    ASSERT_STR_CONTAINS(resp.error, "TLS failure with endpoint");
    tern_http_response_release(&resp);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

TEST(http, timeout)
{
    static const char *const args[] = {"--latency-ms", "3000", NULL};
    struct tt_sim sim;
    tern_http *http = new_client(300, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char url[128];

    ASSERT_OK(tt_sim_start(&sim, args));
    snprintf(url, sizeof(url), "%s/", sim.base_url);
    ASSERT_EQ(get(http, url, &resp, NULL), TERN_ERROR);
    ASSERT_EQ(resp.failure, TERN_HTTP_ETIMEOUT);
    ASSERT_STR_CONTAINS(resp.error, "timed out");
    ASSERT_STR_CONTAINS(resp.error, "300 ms");
    tern_http_response_release(&resp);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

TEST(http, dropped_connection_is_reset)
{
    static const char *const args[] = {"--drop-rate", "1", NULL};
    struct tt_sim sim;
    tern_http *http = new_client(0, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char url[128];

    ASSERT_OK(tt_sim_start(&sim, args));
    snprintf(url, sizeof(url), "%s/api/2.0/instance-profiles/list",
             sim.base_url);
    ASSERT_EQ(get(http, url, &resp, NULL), TERN_ERROR);
    ASSERT_EQ(resp.failure, TERN_HTTP_ERESET);
    ASSERT_STR_CONTAINS(resp.error, "closed or reset");
    tern_http_response_release(&resp);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

TEST(http, response_size_cap)
{
    struct tt_sim sim;
    tern_http *http = new_client(0, 8);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char url[128];

    ASSERT_OK(tt_sim_start(&sim, NULL));
    snprintf(url, sizeof(url), "%s/_sim/faults", sim.base_url);
    ASSERT_EQ(get(http, url, &resp, NULL), TERN_ERROR);
    ASSERT_EQ(resp.failure, TERN_HTTP_ETOOLARGE);
    ASSERT_STR_CONTAINS(resp.error, "8 byte limit");
    tern_http_response_release(&resp);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

struct canceler {
    atomic_int *flag;
    int listener;
};

/* A server that never answers: once the request has arrived (accept and
 * the first bytes, both blocking), the flag is raised while the transfer
 * is in flight; then it waits for the client to hang up. */
static void *raise_in_flight(void *ud)
{
    struct canceler *c = ud;
    char buf[512];
    int fd = accept(c->listener, NULL, NULL);

    if (fd >= 0 && read(fd, buf, sizeof(buf)) > 0) {
        atomic_store(c->flag, 1);
        while (read(fd, buf, sizeof(buf)) > 0)
            ;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* A listening socket on 127.0.0.1, its port in *port. */
static int listen_loopback(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ASSERT(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
    ASSERT_OK(listen(fd, 1));
    ASSERT_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    *port = ntohs(a.sin_port);
    return fd;
}

TEST(http, cancel)
{
    static const char *const args[] = {"--latency-ms", "5000", NULL};
    struct tt_sim sim;
    tern_http *http = new_client(0, 0);
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    tern_http_request req = TERN_HTTP_REQUEST_INIT;
    atomic_int flag = 1;
    struct canceler c;
    pthread_t t;
    char url[128];
    time_t start;
    int port;

    ASSERT_OK(tt_sim_start(&sim, args));
    snprintf(url, sizeof(url), "%s/", sim.base_url);
    req.url = url;
    req.cancel = &flag;
    ASSERT_EQ(tern_http_send(http, &req, &resp, NULL), TERN_ECANCELED);
    tern_http_response_release(&resp);
    tt_sim_stop(&sim);
    /* Raised while the request is in flight, to a server that never
     * answers. */
    atomic_store(&flag, 0);
    c.flag = &flag;
    c.listener = listen_loopback(&port);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    start = time(NULL);
    ASSERT_OK(pthread_create(&t, NULL, raise_in_flight, &c));
    ASSERT_EQ(tern_http_send(http, &req, &resp, NULL), TERN_ECANCELED);
    ASSERT_EQ(resp.failure, TERN_HTTP_ECANCELED);
    ASSERT_CMP(time(NULL) - start, <, 4);
    tern_http_response_release(&resp);
    tern_http_free(http);
    pthread_join(t, NULL);
    close(c.listener);
}

const struct tern_test test_http_list[] = {
    TEST_UNIT(http, url_policy),
    TEST_UNIT(http, refuses_remote_plain_http_without_connecting),
    TEST_INTEGRATION(http, get_with_headers),
    TEST_INTEGRATION(http, reuses_connections),
    TEST_INTEGRATION(http, reuses_connections_across_threads),
    TEST_INTEGRATION(http, connect_refused_names_endpoint),
    TEST_INTEGRATION(http, tls_failure_is_reported),
    TEST_INTEGRATION(http, timeout),
    TEST_INTEGRATION(http, dropped_connection_is_reset),
    TEST_INTEGRATION(http, response_size_cap),
    TEST_INTEGRATION(http, cancel),
    TEST_END};
