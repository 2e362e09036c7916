/*
 * tern-sim's entry point and HTTP layer (libmicrohttpd, a thread per
 * connection so that injected latency in one request never delays
 * another). See sim.h for the shape of the whole simulator.
 *
 * Usage: tern-sim [--port N] [--port-file PATH] [--seed N]
 *                 [--latency-ms N] [--jitter-ms N] [--throttle-rate R]
 *                 [--error-rate R] [--drop-rate R] [--propagation-ms N]
 *                 [--propagation-jitter-ms N] [--key AKID:SECRET[:ACCOUNT]]
 *                 [--databricks-token TOKEN] [--load FILE.json] [--quiet]
 */
#include "sim.h"
#include "util/alloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    static const char msg[] = "{\"error_code\":\"NOT_FOUND\"}";

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
    if (*con_cls == NULL) {
        *con_cls = conn;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg,
                                        MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(conn, 404, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    const char *port_file = NULL;
    int port = 0, i;
    struct sockaddr_in addr;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc)
            port_file = argv[++i];
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
                             MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL,
                         0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
                         &addr, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "tern-sim: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = info ? info->port : port;
    if (port_file) {
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
            rename(tmp, port_file) != 0) {
            fprintf(stderr, "tern-sim: cannot write %s\n", port_file);
            return 1;
        }
    }
    printf("tern-sim listening on http://127.0.0.1:%d\n", port);
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop_requested)
        pause();
    MHD_stop_daemon(d);
    return 0;
}
