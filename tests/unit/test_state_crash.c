/*
 * Crash safety of the state store: a child commits steps in a loop and is
 * SIGKILLed at a random moment; every step it reported done must be in the
 * file, the file must pass SQLite's check, and the step it was in the
 * middle of must be visible as an intent (or done).
 *
 * 30 trials by default; TERN_STATE_CRASH_TRIALS=500 for a long run (raise
 * the runner's timeout with -t), TERN_STATE_CRASH_SEED to replay a run.
 */
#include "runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tern/state.h"
#include "util/alloc.h"

/*
 * Under ASan, check for leaks at the end of each case: the runner ends a
 * case with _exit(), which skips LeakSanitizer's own check at exit.
 */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() __lsan_do_leak_check()
#else
#define LEAK_CHECK() ((void)0)
#endif

static char *address_of(long i)
{
    return tern_asprintf("aws_iam_role.r[%ld]", i);
}

static int open_state(const char *path, tern_state **st, struct tern_diags *d)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;

    opts.path = path;
    opts.create = 1;
    opts.lock_timeout_ms = 0;
    opts.operation = "apply";
    return tern_state_open(st, &opts, d);
}

/* The child: step i = intent, then the resource replaces it; report i. */
static void committer(const char *path, int out)
{
    tern_state *st = NULL;
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *attrs, *ident;
    int64_t id = 0;
    long i;

    if (open_state(path, &st, NULL) != 0)
        _exit(3);
    r.type = "aws_iam_role";
    r.name = "r";
    r.key_kind = TERN_STATE_KEY_INT;
    for (i = 1; i < 1000000; i++) {
        char *addr = address_of(i), name[32];

        snprintf(name, sizeof(name), "role-%ld", i);
        ident = json_pack("{s:s}", "name", name);
        attrs = json_pack("{s:s,s:s,s:s}", "name", name, "arn",
                          "arn:aws:iam::123456789012:role/x", "path", "/");
        if (tern_state_intent_begin(st, &id, addr, "create", ident, NULL))
            _exit(4);
        r.key_int = i;
        r.id = name;
        r.attributes = attrs;
        if (tern_state_commit_step(st, id, &r, NULL))
            _exit(5);
        if (write(out, &i, sizeof(i)) != (ssize_t)sizeof(i))
            _exit(6);
        json_decref(ident);
        json_decref(attrs);
        tern_free(addr);
    }
    _exit(0);
}

static void check(const char *path, long done, unsigned trial)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = NULL;
    tern_state_resource *r = NULL;
    tern_state_intent *intents = NULL;
    size_t n = 0;
    char *next = address_of(done + 1), *after = address_of(done + 2);
    char name[32];
    long i;
    int rc, next_done;

    /* Open checks the file (quick_check) and gets the lock at once. */
    rc = open_state(path, &st, &d);
    if (rc != 0)
        FAIL("trial %u: open: %s: %s", trial, tern_strerror(rc),
             d.count ? d.items[0].detail : "");
    tern_diags_release(&d);
    for (i = 1; i <= done; i++) {
        char *addr = address_of(i);

        if (tern_state_get(st, &r, addr, NULL) != 0)
            FAIL("trial %u: step %ld was reported done but is missing", trial,
                 i);
        tern_state_resource_free(r);
        tern_free(addr);
    }
    next_done = tern_state_get(st, &r, next, NULL) == 0;
    tern_state_resource_free(r);
    ASSERT_EQ(tern_state_get(st, &r, after, NULL), TERN_ENOTFOUND);
    ASSERT_OK(tern_state_intents(st, &intents, &n, NULL));
    ASSERT_CMP(n, <=, 1);
    if (n == 1) {
        /* Killed between the intent and the commit of step done + 1. */
        ASSERT_STR_EQ(intents[0].address, next);
        snprintf(name, sizeof(name), "role-%ld", done + 1);
        ASSERT_STR_EQ(
            json_string_value(json_object_get(intents[0].identity, "name")),
            name);
        ASSERT_FALSE(next_done);
    }
    /* One serial per committed step. */
    ASSERT_EQ(tern_state_serial(st), done + next_done);
    tern_state_intents_free(intents, n);
    tern_state_free(st);
    tern_free(next);
    tern_free(after);
}

TEST(state_crash, random_kills)
{
    const char *env = getenv("TERN_STATE_CRASH_TRIALS");
    const char *senv = getenv("TERN_STATE_CRASH_SEED");
    unsigned trials = env ? (unsigned)strtoul(env, NULL, 10) : 30;
    unsigned seed = senv ? (unsigned)strtoul(senv, NULL, 10)
                         : (unsigned)time(NULL) ^ (unsigned)getpid();
    unsigned t, with_intent = 0, total_steps = 0;

    fprintf(stderr, "# %u trials, seed %u\n", trials, seed);
    srand(seed);
    for (t = 0; t < trials; t++) {
        char *path = tern_asprintf("%s/crash%u.db", tern_test_tmpdir(), t);
        int fds[2], status = 0;
        long got = 0, last = 0;
        pid_t pid;
        tern_state *st = NULL;
        tern_state_intent *in = NULL;
        size_t n = 0;

        /* Half the trials kill during the child's own open as well. */
        if (t % 2 == 0) {
            ASSERT_OK(open_state(path, &st, NULL));
            tern_state_free(st);
        }
        ASSERT_OK(pipe(fds));
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            committer(path, fds[1]);
        }
        close(fds[1]);
        /* The random kill instant under test, not a synchronisation. */
        usleep((useconds_t)(1000 + rand() % 60000));
        ASSERT_OK(kill(pid, SIGKILL));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status))
            FAIL("trial %u: child exited with %d", t, WEXITSTATUS(status));
        while (read(fds[0], &got, sizeof(got)) == (ssize_t)sizeof(got)) {
            ASSERT_EQ(got, last + 1);
            last = got;
        }
        close(fds[0]);
        check(path, last, t);
        total_steps += (unsigned)last;
        ASSERT_OK(open_state(path, &st, NULL));
        ASSERT_OK(tern_state_intents(st, &in, &n, NULL));
        with_intent += n > 0;
        tern_state_intents_free(in, n);
        tern_state_free(st);
        tern_free(path);
    }
    fprintf(stderr, "# %u steps reported done; %u trials left an intent\n",
            total_steps, with_intent);
    LEAK_CHECK();
}

const struct tern_test test_state_crash_list[] = {
    TEST_UNIT(state_crash, random_kills), TEST_END};
