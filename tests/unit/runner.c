/*
 * The unit test runner (after libuv's test/runner.c): every case runs in a
 * forked child with a timeout, results are printed as TAP. Options:
 *
 *     -s COMPONENT[::CASE]   run only the matching cases
 *     -l                     list cases with their labels
 *     -t SECONDS             per-case timeout (default 120)
 *
 * TERN_TEST_KEEP_TMP=DIR makes every case's temporary directory under DIR
 * and keeps it (state and plan files, logs), for inspection afterwards:
 * scripts/campaign-secrets.sh greps them for secrets.
 */
#include "runner.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tern/engine.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define TERN_LEAK_CHECK 1
#endif

static char tmpdir[4096];

void tern_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "# %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    _exit(1);
}

void tern_test_skip(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "# skipped: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    _exit(TERN_TEST_SKIP_STATUS);
}

const char *tern_test_source_dir(void)
{
    return TERN_TEST_SOURCE_DIR;
}

const char *tern_test_data_dir(void)
{
    return TERN_TEST_SOURCE_DIR "/tests/data";
}

const char *tern_test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TERN_TEST_KEEP_TMP");

        if (!base || !*base)
            base = getenv("TMPDIR");

        snprintf(tmpdir, sizeof(tmpdir), "%s/tern-test-XXXXXX",
                 base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir))
            FAIL("mkdtemp: %s", strerror(errno));
    }
    return tmpdir;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int matches(const struct tern_test *t, const char *filter)
{
    size_t clen;

    if (!filter)
        return 1;
    clen = strlen(t->component);
    if (strncmp(filter, t->component, clen) != 0)
        return 0;
    if (filter[clen] == '\0')
        return 1;
    return strncmp(filter + clen, "::", 2) == 0 &&
           strcmp(filter + clen + 2, t->name) == 0;
}

/* The case running (its process group), for on_stop. */
static volatile sig_atomic_t running_group;

/* The runner interrupted (Ctrl-C, ctest's timeout): the case's group is
 * not in the terminal's foreground group, so end it here, then die of
 * the signal as before. */
static void on_stop(int sig)
{
    if (running_group > 0)
        kill(-(pid_t)running_group, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int run_one(const struct tern_test *t, unsigned timeout)
{
    pid_t pid;
    int status = 0;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return -1;
    }
    if (pid == 0) {
        /* Its own process group, so that the timeout kill below reaches
         * every process the case started (tern, tern-sim, children). */
        setpgid(0, 0);
        alarm(timeout);
        t->fn();
#ifdef TERN_LEAK_CHECK
        /* _exit() skips LeakSanitizer's exit-time check: run it here, so
         * every case is leak-checked in the sanitizer build. */
        if (__lsan_do_recoverable_leak_check()) {
            fprintf(stderr, "# memory leaked (see the report above)\n");
            _exit(1);
        }
#endif
        if (tmpdir[0] &&
            !(getenv("TERN_TEST_KEEP_TMP") && *getenv("TERN_TEST_KEEP_TMP")))
            nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        fflush(stdout);
        _exit(0);
    }
    setpgid(pid, pid); /* also here: whichever runs first */
    running_group = pid;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    running_group = 0;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) == 0                       ? 0
               : WEXITSTATUS(status) == TERN_TEST_SKIP_STATUS ? 1
                                                              : -1;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);

        fprintf(stderr, "# killed by signal %d%s\n", sig,
                sig == SIGALRM ? " (timeout)" : "");
        kill(-pid, SIGKILL);
    }
    return -1;
}

int main(int argc, char **argv)
{
    const char *filter = NULL;
    unsigned timeout = 120;
    int list = 0, opt, failed = 0, passed = 0, skipped = 0, n = 0, total = 0;
    size_t i, j;
    int rc;

    while ((opt = getopt(argc, argv, "s:lt:")) != -1) {
        switch (opt) {
        case 's':
            filter = optarg;
            break;
        case 'l':
            list = 1;
            break;
        case 't':
            timeout = (unsigned)strtoul(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr, "usage: %s [-l] [-s COMPONENT[::CASE]] [-t SECS]\n",
                    argv[0]);
            return 2;
        }
    }
    /* Jansson and SQLite through tern's allocator, as in tern's main
     * (src/cli/main.c), so the allocation walks reach their failures. */
    if (tern_init() != TERN_OK) {
        fprintf(stderr, "tern_init failed: SQLite was initialised before\n");
        return 2;
    }
    /* A test that writes to a closed peer must fail, not die. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    /*
     * Many tests change an object outside tern right after applying it and
     * expect the next plan to see that at once; a refresh would otherwise
     * wait out the propagation window first (src/engine/plan.c, settle).
     * The tests of that wait, and the fault campaign, turn it back on.
     */
    setenv("TERN_PROPAGATION_WINDOW_MS", "0", 0);
    /* libuv's pool is sized once, from the environment, before any thread
     * exists: as tern's main does (src/cli/main.c). */
    setenv("UV_THREADPOOL_SIZE", "64", 0);

    for (i = 0; tern_test_lists[i]; i++)
        for (j = 0; tern_test_lists[i][j].fn; j++)
            total += matches(&tern_test_lists[i][j], filter);
    if (total == 0) {
        fprintf(stderr, "no test matches '%s'\n", filter ? filter : "");
        return 2;
    }
    if (!list)
        printf("1..%d\n", total);
    for (i = 0; tern_test_lists[i]; i++) {
        for (j = 0; tern_test_lists[i][j].fn; j++) {
            const struct tern_test *t = &tern_test_lists[i][j];

            if (!matches(t, filter))
                continue;
            if (list) {
                printf("%s::%s\t%s\n", t->component, t->name, t->label);
                continue;
            }
            n++;
            rc = run_one(t, timeout);
            if (rc == 0) {
                printf("ok %d - %s::%s\n", n, t->component, t->name);
                passed++;
            } else if (rc > 0) {
                printf("ok %d - %s::%s # SKIP\n", n, t->component, t->name);
                skipped++;
            } else {
                printf("not ok %d - %s::%s\n", n, t->component, t->name);
                failed++;
            }
            fflush(stdout);
        }
    }
    if (!list)
        printf("# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    /* Only a run that skipped everything it ran says so (ctest's
     * SKIP_RETURN_CODE). */
    return failed ? 1 : skipped && passed == 0 ? TERN_TEST_SKIP_STATUS : 0;
}
