/* state/lock.c: the OS lock beside the state, between processes. */
#include "runner.h"
#include "vclock.h"

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

static char *tpath(const char *name)
{
    char *p = tern_asprintf("%s/%s", tern_test_tmpdir(), name);

    ASSERT_NOT_NULL(p);
    return p;
}

/* try_open's clock, fresh at each call: a wait for the lock shows as a
 * sleep on it, whatever the machine's speed. */
static struct tt_vclock open_clock;

static int try_open(const char *path, const char *op, unsigned timeout_ms,
                    int lock, tern_state **st, struct tern_diags *d)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;

    tt_vclock_init(&open_clock, 0);
    opts.clock = &open_clock.clock;
    opts.path = path;
    opts.create = 1;
    opts.lock = lock;
    opts.lock_timeout_ms = timeout_ms;
    opts.operation = op;
    return tern_state_open(st, &opts, d);
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Fork a holder: it opens the state for "apply", reports 'r' on ready[1],
 * then holds the lock until it reads from (or sees EOF on) go[0].
 */
static pid_t holder(const char *path, int ready[2], int go[2])
{
    pid_t pid;

    ASSERT_OK(pipe(ready));
    ASSERT_OK(pipe(go));
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        tern_state *st = NULL;
        char c = 'r';

        close(ready[0]);
        close(go[1]);
        if (try_open(path, "apply", 0, 1, &st, NULL) != 0)
            _exit(3);
        if (write(ready[1], &c, 1) != 1)
            _exit(4);
        if (read(go[0], &c, 1) < 0)
            _exit(5);
        tern_state_free(st);
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    {
        char c = 0;

        ASSERT_EQ(read(ready[0], &c, 1), 1);
        ASSERT_EQ(c, 'r');
    }
    return pid;
}

static void reap(pid_t pid, int want_exit)
{
    int status = 0;

    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (want_exit >= 0) {
        ASSERT(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), want_exit);
    }
}

TEST(state_lock, second_fails_at_once)
{
    char *path = tpath("s.db"), pidstr[32];
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = NULL;
    int ready[2], go[2];
    long long t0;
    json_t *info = NULL;
    pid_t pid = holder(path, ready, go);

    t0 = now_ms();
    ASSERT_EQ(try_open(path, "plan", 0, 1, &st, &d), TERN_ECONFLICT);
    ASSERT_CMP(now_ms() - t0, <, 500);
    ASSERT_NULL(st);
    snprintf(pidstr, sizeof(pidstr), "Pid:       %ld", (long)pid);
    ASSERT_STR_CONTAINS(d.items[0].detail, pidstr);
    ASSERT_STR_CONTAINS(d.items[0].detail, "Operation: apply");
    ASSERT_STR_CONTAINS(d.items[0].detail, "Since:     20");
    ASSERT_STR_CONTAINS(d.items[0].detail, "@");
    tern_diags_release(&d);

    ASSERT_OK(tern_state_lock_info(path, &info, NULL));
    ASSERT_EQ(json_integer_value(json_object_get(info, "Pid")), pid);
    ASSERT_EQ(strlen(json_string_value(json_object_get(info, "ID"))), 36);
    /* force-unlock cannot break a live holder's lock. */
    ASSERT_EQ(tern_state_force_unlock(
                  path, json_string_value(json_object_get(info, "ID")), &d),
              TERN_ECONFLICT);
    tern_diags_release(&d);
    json_decref(info);

    /* The same process is refused too: the lock is per open file. */
    close(go[1]);
    reap(pid, 0);
    ASSERT_OK(try_open(path, "plan", 0, 1, &st, NULL));
    {
        tern_state *again = NULL;

        ASSERT_EQ(try_open(path, "plan", 0, 1, &again, NULL), TERN_ECONFLICT);
        /* lock=false: the caller takes its chances (read-only use). */
        ASSERT_OK(try_open(path, "show", 0, 0, &again, NULL));
        tern_state_free(again);
    }
    tern_state_free(st);
    /* Released on free: the info is cleared. */
    ASSERT_OK(tern_state_lock_info(path, &info, NULL));
    ASSERT_NULL(info);
    close(ready[0]);
    tern_free(path);
    LEAK_CHECK();
}

/* A clock whose first sleep lets the holder go and returns once it has
 * exited (and so let go of the lock): the waiter has seen the lock held,
 * waits, and then gets it, with no time spent but the holder's exit. */
struct release_clock {
    struct tt_vclock vc;
    tern_clock clock;
    int go;
    pid_t pid;
};

static int release_sleep(void *ud, long ms, const atomic_int *stop)
{
    struct release_clock *rc = ud;

    if (rc->go >= 0) {
        close(rc->go);
        rc->go = -1;
        reap(rc->pid, 0);
    }
    return rc->vc.clock.sleep(rc->vc.clock.ud, ms, stop);
}

static long long release_now(void *ud)
{
    struct release_clock *rc = ud;

    return rc->vc.clock.now_ms(rc->vc.clock.ud);
}

TEST(state_lock, waits_for_holder)
{
    char *path = tpath("w.db");
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    struct release_clock rc;
    tern_state *st = NULL;
    int ready[2], go[2];
    pid_t pid = holder(path, ready, go);

    /* Too short a wait still fails, after waiting (on a virtual clock). */
    tt_vclock_init(&rc.vc, 0);
    opts.path = path;
    opts.operation = "plan";
    opts.lock_timeout_ms = 100;
    opts.clock = &rc.vc.clock;
    ASSERT_EQ(tern_state_open(&st, &opts, &d), TERN_ECONFLICT);
    ASSERT_EQ(atomic_load(&rc.vc.slept), 100);
    ASSERT_STR_CONTAINS(d.items[0].detail, "after waiting 100 ms");
    tern_diags_release(&d);

    /* The holder lets go while the waiter waits. */
    tt_vclock_init(&rc.vc, 0);
    rc.clock.now_ms = release_now;
    rc.clock.sleep = release_sleep;
    rc.clock.ud = &rc;
    rc.go = go[1];
    rc.pid = pid;
    opts.lock_timeout_ms = 10000;
    opts.clock = &rc.clock;
    ASSERT_OK(tern_state_open(&st, &opts, &d));
    ASSERT_EQ(rc.go, -1);
    ASSERT_EQ(atomic_load(&rc.vc.sleeps), 1);
    tern_state_free(st);
    close(ready[0]);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state_lock, killed_holder_frees_lock)
{
    char *path = tpath("k.db");
    tern_state *st = NULL;
    json_t *info = NULL;
    char *id;
    int ready[2], go[2];
    pid_t pid = holder(path, ready, go);

    ASSERT_OK(kill(pid, SIGKILL));
    reap(pid, -1);
    /* The dead holder's info is still there, but the lock is not. */
    ASSERT_OK(tern_state_lock_info(path, &info, NULL));
    ASSERT_EQ(json_integer_value(json_object_get(info, "Pid")), pid);
    id = tern_strdup(json_string_value(json_object_get(info, "ID")));
    json_decref(info);

    /* force-unlock only clears stale info, and only by its ID. */
    ASSERT_EQ(tern_state_force_unlock(path, "not-the-id", NULL),
              TERN_ENOTFOUND);
    ASSERT_OK(tern_state_force_unlock(path, id, NULL));
    ASSERT_OK(tern_state_lock_info(path, &info, NULL));
    ASSERT_NULL(info);

    /* Free at once: willing to wait 10 s, the open does not wait. */
    ASSERT_OK(try_open(path, "apply", 10000, 1, &st, NULL));
    ASSERT_EQ(atomic_load(&open_clock.sleeps), 0);
    tern_state_free(st);

    /* Kill again and open at once, without clearing anything. */
    close(ready[0]);
    close(go[1]);
    pid = holder(path, ready, go);
    ASSERT_OK(kill(pid, SIGKILL));
    reap(pid, -1);
    ASSERT_OK(try_open(path, "apply", 0, 1, &st, NULL));
    tern_state_free(st);
    close(ready[0]);
    close(go[1]);
    tern_free(id);
    tern_free(path);
    LEAK_CHECK();
}

const struct tern_test test_state_lock_list[] = {
    TEST_UNIT(state_lock, second_fails_at_once),
    TEST_UNIT(state_lock, waits_for_holder),
    TEST_UNIT(state_lock, killed_holder_frees_lock), TEST_END};
