/*
 * tern-sim's own throughput with no faults: how many signed IAM requests
 * per second it serves, so later benchmarks can show the simulator is not
 * their bottleneck.
 *
 *     bench_sim URL [CONNECTIONS] [SECONDS]
 *
 * One GetRole request is signed once and replayed over CONNECTIONS
 * keep-alive connections for SECONDS (a signature stays valid for 15
 * minutes, as on AWS), so the figure measures the simulator, signature
 * verification included, not the load generator's signing.
 */
#include "../sim/sim.h"
#include "aws/sigv4.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char create_form[] =
    "Action=CreateRole&Version=2010-05-08&RoleName=bench-role&"
    "AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22"
    "Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B"
    "%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3A"
    "AssumeRole%22%7D%5D%7D";
static const char get_form[] =
    "Action=GetRole&Version=2010-05-08&RoleName=bench-role";

static size_t discard(char *d, size_t s, size_t n, void *ud)
{
    (void)d;
    (void)ud;
    return s * n;
}

static struct curl_slist *sign(const char *url, const char *form)
{
    struct tern_sigv4_header h[2];
    tern_sigv4_request req = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts opts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    struct curl_slist *hl = NULL;
    const char *host = strstr(url, "://") + 3;
    char line[1024];
    size_t i;

    memset(&res, 0, sizeof(res));
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
    opts.service = "iam";
    opts.time = time(NULL);
    if (tern_sigv4_sign(&res, &req, &opts) != 0)
        exit(1);
    snprintf(line, sizeof(line), "Content-Type: %s", h[1].value);
    hl = curl_slist_append(hl, line);
    for (i = 0; i < res.nheaders; i++) {
        snprintf(line, sizeof(line), "%s: %s", res.headers[i].name,
                 res.headers[i].value);
        hl = curl_slist_append(hl, line);
    }
    tern_sigv4_result_release(&res);
    return hl;
}

static CURL *handle(const char *url, struct curl_slist *hl, const char *form)
{
    CURL *c = curl_easy_init();

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    return c;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *url;
    int conns, i, running = 0;
    double secs, t0, elapsed;
    long ok = 0, bad = 0;
    struct curl_slist *create_h, *get_h;
    CURLM *multi;
    CURL *c;
    CURLMsg *msg;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_sim URL [CONNECTIONS] [SECONDS]\n");
        return 2;
    }
    url = argv[1];
    conns = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 50;
    secs = argc > 3 ? strtod(argv[3], NULL) : 5;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    create_h = sign(url, create_form);
    c = handle(url, create_h, create_form);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    get_h = sign(url, get_form);

    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conns);
    for (i = 0; i < conns; i++)
        curl_multi_add_handle(multi, handle(url, get_h, get_form));
    t0 = now_s();
    do {
        int q;

        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &q)) != NULL) {
            long status = 0;

            if (msg->msg != CURLMSG_DONE)
                continue;
            c = msg->easy_handle;
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            if (msg->data.result == CURLE_OK && status == 200)
                ok++;
            else
                bad++;
            curl_multi_remove_handle(multi, c);
            if (now_s() - t0 < secs)
                curl_multi_add_handle(multi, c); /* reuses its connection */
            else
                curl_easy_cleanup(c);
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running || now_s() - t0 < secs);
    elapsed = now_s() - t0;
    printf("tern-sim throughput: %ld requests in %.2f s over %d connections "
           "= %.0f requests/s (%ld failed)\n",
           ok, elapsed, conns, (double)ok / elapsed, bad);
    curl_multi_cleanup(multi);
    curl_slist_free_all(create_h);
    curl_slist_free_all(get_h);
    curl_global_cleanup();
    return bad ? 1 : 0;
}
