#include "support.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int tt_reap_within(pid_t pid, int ms, int *status)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0), rc;
    struct pollfd p;

    if (fd >= 0) {
        p.fd = fd;
        p.events = POLLIN;
        while ((rc = poll(&p, 1, ms)) < 0 && errno == EINTR)
            ;
        close(fd);
        if (rc <= 0)
            return 0;
    }
    /* Without pidfds (Linux < 5.3) the wait blocks: the runner's timeout
     * still ends a hung test. */
    while ((rc = (int)waitpid(pid, status, 0)) < 0 && errno == EINTR)
        ;
    return rc == pid;
}

/* One line from @fd within @ms (poll, then read); 0, or -1 at EOF,
 * timeout or error. */
static int read_port(int fd, int ms, int *port)
{
    char buf[32];
    size_t n = 0;
    struct pollfd p = {fd, POLLIN, 0};
    ssize_t got;

    while (n < sizeof(buf) - 1) {
        if (poll(&p, 1, ms) <= 0)
            return -1;
        got = read(fd, buf + n, sizeof(buf) - 1 - n);
        if (got <= 0)
            break;
        n += (size_t)got;
        if (memchr(buf, '\n', n))
            break;
    }
    buf[n] = '\0';
    return sscanf(buf, "%d", port) == 1 && *port > 0 ? 0 : -1;
}

int tt_sim_start(struct tt_sim *sim, const char *const *extra_args)
{
    const char *argv[64];
    char fdarg[16];
    size_t n = 0;
    int pipefd[2], port = 0;
    pid_t parent = getpid();

    memset(sim, 0, sizeof(*sim));
    /* The port comes through a pipe the test blocks on (no polling of a
     * file): only the child's end survives exec. */
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return -1;
    snprintf(fdarg, sizeof(fdarg), "%d", pipefd[1]);
    argv[n++] = TERN_TEST_SIM_PATH;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-fd";
    argv[n++] = fdarg;
    argv[n++] = "--quiet";
    while (extra_args && *extra_args && n < 62)
        argv[n++] = *extra_args++;
    argv[n] = NULL;
    sim->pid = fork();
    if (sim->pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (sim->pid == 0) {
        /* Die with the test, whatever way it ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (fcntl(pipefd[1], F_SETFD, 0) != 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    /* A child that dies first closes the pipe: EOF, not a hang. */
    if (read_port(pipefd[0], 5000, &port) == 0) {
        close(pipefd[0]);
        sim->port = port;
        snprintf(sim->base_url, sizeof(sim->base_url), "http://127.0.0.1:%d",
                 port);
        return 0;
    }
    close(pipefd[0]);
    tt_sim_stop(sim);
    return -1;
}

void tt_sim_stop(struct tt_sim *sim)
{
    int status;

    if (sim->pid <= 0)
        return;
    kill(sim->pid, SIGTERM);
    if (tt_reap_within(sim->pid, 2000, &status)) {
        sim->pid = 0;
        return;
    }
    kill(sim->pid, SIGKILL);
    waitpid(sim->pid, &status, 0);
    sim->pid = 0;
}

struct growbuf {
    char *p;
    size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
    struct growbuf *b = ud;
    size_t len = size * n;
    char *p = realloc(b->p, b->len + len + 1);

    if (!p)
        return 0;
    memcpy(p + b->len, data, len);
    b->len += len;
    p[b->len] = '\0';
    b->p = p;
    return len;
}

int tt_http(struct tt_response *out, const char *method, const char *url,
            const char *const *headers, const char *body, size_t body_len)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *hl = NULL;
    struct growbuf b = {NULL, 0}, h = {NULL, 0};
    CURLcode rc;

    memset(out, 0, sizeof(*out));
    if (!curl)
        return -1;
    while (headers && *headers)
        hl = curl_slist_append(hl, *headers++);
    /* curl adds these unless told not to; the tests control them. */
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    /* A HEAD response announces a body it does not send. */
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(curl);
    out->body = b.p ? b.p : strdup("");
    out->len = b.len;
    out->headers = h.p ? h.p : strdup("");
    out->curl_error = (int)rc;
    return rc == CURLE_OK ? 0 : -1;
}

void tt_response_release(struct tt_response *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof(*r));
}

int tt_sim_control(struct tt_response *out, const struct tt_sim *sim,
                   const char *method, const char *path, const char *json)
{
    char url[256];
    const char *hdrs[] = {"Content-Type: application/json", NULL};

    snprintf(url, sizeof(url), "%s/_sim/%s", sim->base_url, path);
    return tt_http(out, method, url, hdrs, json, json ? strlen(json) : 0);
}

json_t *tt_sim_s3_json(const struct tt_sim *sim, const char *key)
{
    struct tt_response resp;
    json_t *dump, *objs, *o, *doc = NULL;
    size_t i;

    if (tt_sim_control(&resp, sim, "GET", "dump", NULL) != 0) {
        tt_response_release(&resp);
        return NULL;
    }
    dump = json_loads(resp.body ? resp.body : "", 0, NULL);
    tt_response_release(&resp);
    objs = json_object_get(
        json_array_get(json_object_get(json_object_get(dump, "s3"), "buckets"),
                       0),
        "objects");
    json_array_foreach(objs, i, o)
    {
        const char *k = json_string_value(json_object_get(o, "key"));

        if (k && strcmp(k, key) == 0 &&
            !json_is_true(json_object_get(o, "deleted"))) {
            json_decref(doc);
            doc = json_loads(json_string_value(json_object_get(o, "body")), 0,
                             NULL);
        }
    }
    json_decref(dump);
    return doc;
}

const char *tt_xml_text(const char *xml, const char *tag)
{
    static char buf[4096];
    char open[128], close[128];
    const char *s, *e;
    size_t len;

    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    s = xml ? strstr(xml, open) : NULL;
    if (!s)
        return NULL;
    s += strlen(open);
    e = strstr(s, close);
    if (!e)
        return NULL;
    len = (size_t)(e - s);
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

char *tt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct growbuf b = {NULL, 0};
    char chunk[8192];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (collect(chunk, 1, n, &b) != n) {
            free(b.p);
            fclose(f);
            return NULL;
        }
    }
    fclose(f);
    if (!b.p)
        b.p = strdup("");
    if (len)
        *len = b.len;
    return b.p;
}
