#include "run_tern.h"

#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct sink {
    char *data;
    size_t len, alloc;
};

static int sink_add(struct sink *s, const char *p, size_t n)
{
    if (s->len + n + 1 > s->alloc) {
        size_t alloc = s->alloc ? s->alloc * 2 : 4096;
        char *d;

        while (alloc < s->len + n + 1)
            alloc *= 2;
        d = realloc(s->data, alloc);
        if (!d)
            return -1;
        s->data = d;
        s->alloc = alloc;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int run(struct tt_run *r, const char *cwd, const char *input,
               const char *const *env, const char *const *args,
               const char *marker, const long *sigint_ms,
               const struct tt_stage *stages)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    struct sink so = {NULL, 0, 0}, se = {NULL, 0, 0};
    const char *argv[64];
    size_t n = 0, in_off = 0, in_len = input ? strlen(input) : 0;
    long start = now_ms(), deadline = start + 60000;
    int sent = 0;
    size_t so_mark = 0, se_mark = 0;
    int status = 0, open_fds = 2, rc = -1;
    pid_t pid;

    memset(r, 0, sizeof(*r));
    argv[n++] = TERN_TEST_BIN_PATH;
    while (args && *args && n < 63)
        argv[n++] = *args++;
    argv[n] = NULL;
    if (pipe(in) || pipe(out) || pipe(err))
        goto done;
    pid = fork();
    if (pid < 0)
        goto done;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        close(err[0]);
        close(err[1]);
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        while (env && *env)
            putenv((char *)*env++);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    in[0] = out[1] = err[1] = -1;
    signal(SIGPIPE, SIG_IGN);
    if (in_len == 0 && !stages) {
        close(in[1]);
        in[1] = -1;
    } else {
        fcntl(in[1], F_SETFL, O_NONBLOCK);
    }
    /* A staged run keeps standard input open after its input (a prompt
     * waits on it) until tern closes its output. */
    while (open_fds > 0 || (in[1] >= 0 && in_off < in_len)) {
        struct pollfd p[3];
        int np = 0, i, left = (int)(deadline - now_ms());
        char buf[4096];

        if (left <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        /* The next stage's marker has appeared in what was printed since
         * the previous stage: its action now. */
        if (stages && stages->marker &&
            ((so.data && strstr(so.data + so_mark, stages->marker)) ||
             (se.data && strstr(se.data + se_mark, stages->marker)))) {
            stages->fn(pid, stages->arg);
            so_mark = so.len;
            se_mark = se.len;
            stages++;
            continue;
        }
        if (marker && ((so.data && strstr(so.data, marker)) ||
                       (se.data && strstr(se.data, marker)))) {
            start = now_ms();
            marker = NULL;
        }
        if (sigint_ms && !marker && sent < 2 && sigint_ms[sent] > 0) {
            long due = start + sigint_ms[sent] - now_ms();

            if (due <= 0) {
                kill(pid, SIGINT);
                sent++;
                continue;
            }
            if (due < left)
                left = (int)due;
        }
        if (out[0] >= 0)
            p[np++] = (struct pollfd){out[0], POLLIN, 0};
        if (err[0] >= 0)
            p[np++] = (struct pollfd){err[0], POLLIN, 0};
        if (in[1] >= 0 && in_off < in_len)
            p[np++] = (struct pollfd){in[1], POLLOUT, 0};
        if (poll(p, (nfds_t)np, left) < 0 && errno != EINTR)
            break;
        for (i = 0; i < np; i++) {
            ssize_t k;

            if (!p[i].revents)
                continue;
            if (p[i].fd == in[1]) {
                k = write(in[1], input + in_off, in_len - in_off);
                if (k > 0)
                    in_off += (size_t)k;
                if (k < 0 || (in_off >= in_len && !stages)) {
                    close(in[1]);
                    in[1] = -1;
                }
                continue;
            }
            k = read(p[i].fd, buf, sizeof(buf));
            if (k <= 0) {
                if (p[i].fd == out[0])
                    out[0] = -1;
                else
                    err[0] = -1;
                close(p[i].fd);
                open_fds--;
                continue;
            }
            sink_add(p[i].fd == out[0] ? &so : &se, buf, (size_t)k);
        }
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    r->status =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    rc = 0;
done:
    if (!so.data)
        sink_add(&so, "", 0);
    if (!se.data)
        sink_add(&se, "", 0);
    r->out = so.data;
    r->err = se.data;
    if (in[0] >= 0)
        close(in[0]);
    if (in[1] >= 0)
        close(in[1]);
    if (out[0] >= 0)
        close(out[0]);
    if (out[1] >= 0)
        close(out[1]);
    if (err[0] >= 0)
        close(err[0]);
    if (err[1] >= 0)
        close(err[1]);
    return rc;
}

/*
 * With TERN_TEST_KEEP_TMP=DIR (see tests/unit/runner.c), append the run's
 * command line, standard output and standard error to DIR/tern-runs.log,
 * in one write, so that nothing tern printed is lost to a later search.
 */
static void keep_log(const struct tt_run *r, const char *const *args)
{
    const char *dir = getenv("TERN_TEST_KEEP_TMP");
    struct sink rec = {NULL, 0, 0};
    char path[4096];
    int fd;

    if (!dir || !*dir)
        return;
    sink_add(&rec, "$ tern", 6);
    while (args && *args) {
        sink_add(&rec, " ", 1);
        sink_add(&rec, *args, strlen(*args));
        args++;
    }
    sink_add(&rec, "\n--- stdout\n", 12);
    if (r->out)
        sink_add(&rec, r->out, strlen(r->out));
    sink_add(&rec, "\n--- stderr\n", 12);
    if (r->err)
        sink_add(&rec, r->err, strlen(r->err));
    sink_add(&rec, "\n", 1);
    snprintf(path, sizeof(path), "%s/tern-runs.log", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0 && rec.data) {
        if (write(fd, rec.data, rec.len) < 0) {
            /* A lost record shows as a gap, not a failed test. */
        }
    }
    if (fd >= 0)
        close(fd);
    free(rec.data);
}

int tt_run_tern_env(struct tt_run *r, const char *cwd, const char *input,
                    const char *const *env, const char *const *args)
{
    int rc = run(r, cwd, input, env, args, NULL, NULL, NULL);

    keep_log(r, args);
    return rc;
}

int tt_run_tern_interrupt(struct tt_run *r, const char *cwd,
                          const char *const *env, const char *const *args,
                          const char *marker, const long sigint_ms[2])
{
    int rc = run(r, cwd, NULL, env, args, marker, sigint_ms, NULL);

    keep_log(r, args);
    return rc;
}

int tt_run_tern_stages(struct tt_run *r, const char *cwd, const char *input,
                       const char *const *env, const char *const *args,
                       const struct tt_stage *stages)
{
    int rc = run(r, cwd, input, env, args, NULL, NULL, stages);

    keep_log(r, args);
    return rc;
}

int tt_run_tern(struct tt_run *r, const char *cwd, const char *input,
                const char *const *args)
{
    return tt_run_tern_env(r, cwd, input, NULL, args);
}

int tt_run_tern_pty(struct tt_run *r, const char *cwd, const char *input,
                    const char *const *env, const char *const *args)
{
    struct sink so = {NULL, 0, 0};
    const char *argv[64];
    size_t n = 0;
    long deadline = now_ms() + 60000;
    int fd = -1, status = 0;
    pid_t pid;

    memset(r, 0, sizeof(*r));
    argv[n++] = TERN_TEST_BIN_PATH;
    while (args && *args && n < 63)
        argv[n++] = *args++;
    argv[n] = NULL;
    pid = forkpty(&fd, NULL, NULL, NULL);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        while (env && *env)
            putenv((char *)*env++);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    {
        /* The terminal echoes typed input when it arrives, and the input
         * is typed at once, so without this its echo would land before
         * or, when tern prints first, after the first prompt: a race. A
         * terminal that does not echo gives the same output every time. */
        struct termios t;

        if (tcgetattr(fd, &t) == 0) {
            t.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(fd, TCSANOW, &t);
        }
    }
    if (input && write(fd, input, strlen(input)) < 0) {
        /* The child sees EOF at its prompt instead. */
    }
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        char buf[4096];
        ssize_t k;
        int left = (int)(deadline - now_ms());

        if (left <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        if (poll(&p, 1, left) < 0 && errno != EINTR)
            break;
        k = read(fd, buf, sizeof(buf));
        if (k <= 0)
            break; /* EIO once the child has exited */
        sink_add(&so, buf, (size_t)k);
    }
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    r->status =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!so.data)
        sink_add(&so, "", 0);
    r->out = so.data;
    r->err = strdup("");
    keep_log(r, argv + 1);
    return 0;
}

void tt_sim_env_add(struct tt_sim_env *e, const char *entry)
{
    if (e->n < TT_SIM_ENV_MAX)
        e->env[e->n++] = entry;
    e->env[e->n] = NULL;
}

void tt_sim_env_init(struct tt_sim_env *e, const struct tt_sim *sim)
{
    static const char *const base[] = {
        "AWS_ACCESS_KEY_ID=AKIDTERNSIMDEFAULT01",
        "AWS_SECRET_ACCESS_KEY=ternsim/default/SECRETKEY0000000000000001",
        "AWS_SESSION_TOKEN=",
        "AWS_REGION=us-east-1",
        "AWS_PROFILE=",
        "AWS_CONFIG_FILE=/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
        "AWS_EC2_METADATA_DISABLED=true",
        "DATABRICKS_TOKEN=dapi-ternsim-default-token-0001",
        "DATABRICKS_CONFIG_FILE=/nonexistent",
        NULL};
    size_t i;

    memset(e, 0, sizeof(*e));
    snprintf(e->endpoint, sizeof(e->endpoint), "AWS_ENDPOINT_URL=%s",
             sim->base_url);
    snprintf(e->dbx_host, sizeof(e->dbx_host), "DATABRICKS_HOST=%s",
             sim->base_url);
    tt_sim_env_add(e, e->endpoint);
    tt_sim_env_add(e, e->dbx_host);
    for (i = 0; base[i]; i++)
        tt_sim_env_add(e, base[i]);
}

#define EXPECT_FMT "tern %s %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s"

char *tt_run_expect(struct tt_run *r, const char *cwd, const char *const *env,
                    const char *const *args, int status)
{
    return tt_run_expect_input(r, cwd, NULL, env, args, status);
}

char *tt_run_expect_input(struct tt_run *r, const char *cwd, const char *input,
                          const char *const *env, const char *const *args,
                          int status)
{
    const char *a0 = args[0] ? args[0] : "", *a1 = "";
    char *why;
    int n;

    tt_run_release(r);
    if (tt_run_tern_env(r, cwd, input, env, args) != 0)
        return strdup("could not run tern");
    if (r->status == status)
        return NULL;
    if (args[0] && args[1])
        a1 = args[1];
    n = snprintf(NULL, 0, EXPECT_FMT, a0, a1, r->status, status, r->out,
                 r->err);
    why = n < 0 ? NULL : malloc((size_t)n + 1);
    if (why)
        snprintf(why, (size_t)n + 1, EXPECT_FMT, a0, a1, r->status, status,
                 r->out, r->err);
    return why ? why : strdup("tern exited with another status");
}

void tt_run_release(struct tt_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

int tt_write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;
    size_t len = strlen(text);
    int ok;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f)
        return -1;
    ok = fwrite(text, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}
