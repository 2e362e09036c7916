/*
 * tern/clock.h: the one clock and sleep (src/util/clock.c). The system's
 * sleep ends at once when its stop flag is raised, before or while it
 * waits; an injected clock reaches every operation of an engine through
 * tern_engine_options.clock, so a test drives an hour of waits without
 * waiting (issue 20); a timed condition wait on a test clock ends when
 * the test advances it (tern_clock_wait_until, the S3 pusher's wait).
 */
#include "runner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "tern/clock.h"
#include "tern/diag.h"
#include "test_module.h"
#include "vclock.h"

TEST(clock, system_sleep_and_now)
{
    atomic_int stop;
    long long t0, t1;

    atomic_init(&stop, 0);
    t0 = tern_clock_now(NULL);
    /* The sleep itself is the behaviour under test: 20 ms of real time. */
    ASSERT_OK(tern_clock_sleep(NULL, 20, &stop));
    t1 = tern_clock_now(&tern_clock_system);
    ASSERT_CMP(t1 - t0, >=, 20);
    atomic_store(&stop, 1);
    ASSERT_EQ(tern_clock_sleep(NULL, 3600000, &stop), TERN_ECANCELED);
    ASSERT_EQ(tern_clock_system_sleep(NULL, 0, &stop), TERN_ECANCELED);
    ASSERT_CMP(tern_clock_now(NULL) - t1, <, 10000);
}

static void *raise_stop(void *arg)
{
    atomic_store((atomic_int *)arg, 1);
    return NULL;
}

/* Raised by another thread, before or during the hour: either way the
 * sleep ends within a slice or so. */
TEST(clock, system_sleep_stopped_by_a_thread)
{
    atomic_int stop;
    pthread_t t;
    long long t0;

    atomic_init(&stop, 0);
    t0 = tern_clock_now(NULL);
    ASSERT_OK(pthread_create(&t, NULL, raise_stop, &stop));
    ASSERT_EQ(tern_clock_sleep(NULL, 3600000, &stop), TERN_ECANCELED);
    pthread_join(t, NULL);
    ASSERT_CMP(tern_clock_now(NULL) - t0, <, 10000);
}

/* tern_engine_options.clock reaches the operations: each create of the
 * test module waits its hour of latency on the virtual clock. */
TEST(clock, engine_ops_sleep_on_its_clock)
{
    struct test_env env;
    struct tt_vclock vc;
    long long t0 = tern_clock_now(NULL);

    tt_vclock_init(&vc, 1000);
    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    env.clock = &vc.clock;
    test_store_set_latency(env.store, 3600000);
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  count = 2\n"
                                      "  name  = \"a${count.index}\"\n"
                                      "}\n"));
    ASSERT_EQ(atomic_load(&vc.slept), 2 * 3600000LL);
    ASSERT_EQ(atomic_load(&vc.now), 1000 + 2 * 3600000LL);
    ASSERT_EQ(test_env_state_count(&env), 2);
    ASSERT_CMP(tern_clock_now(NULL) - t0, <, 60000);
    test_env_release(&env);
}

struct waiter {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    const tern_clock *clock;
    long long deadline, woke_at;
    int done;
};

static void *wait_for_deadline(void *arg)
{
    struct waiter *w = arg;

    pthread_mutex_lock(&w->mutex);
    while (tern_clock_now(w->clock) < w->deadline)
        tern_clock_wait_until(w->clock, &w->cond, &w->mutex, w->deadline);
    w->woke_at = tern_clock_now(w->clock);
    w->done = 1;
    pthread_mutex_unlock(&w->mutex);
    return NULL;
}

/* A timed condition wait on a test clock ends when the clock is advanced
 * to its deadline, not before, and not by the system's time. */
TEST(clock, wait_until_on_a_test_clock)
{
    struct tt_vclock vc;
    struct waiter w;
    pthread_t t;

    tt_vclock_init(&vc, 0);
    memset(&w, 0, sizeof(w));
    pthread_mutex_init(&w.mutex, NULL);
    ASSERT_OK(tern_clock_cond_init(&w.cond));
    w.clock = &vc.clock;
    w.deadline = 3600000;
    /* A deadline already reached returns at once. */
    pthread_mutex_lock(&w.mutex);
    tern_clock_wait_until(&vc.clock, &w.cond, &w.mutex, 0);
    pthread_mutex_unlock(&w.mutex);

    ASSERT_OK(pthread_create(&t, NULL, wait_for_deadline, &w));
    ASSERT_OK(tt_vclock_wait_for_waiter(&vc, 30000));
    tt_vclock_advance(&vc, 3599999);
    ASSERT_OK(tt_vclock_wait_for_waiter(&vc, 30000));
    pthread_mutex_lock(&w.mutex);
    ASSERT_EQ(w.done, 0);
    pthread_mutex_unlock(&w.mutex);
    tt_vclock_advance(&vc, 1);
    pthread_join(t, NULL);
    ASSERT_EQ(w.done, 1);
    ASSERT_EQ(w.woke_at, 3600000);
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.mutex);
}

static long long fixed_now(void *ud)
{
    (void)ud;
    return 5000;
}

/* The system's wait, and a clock without a wait of its own (what is left
 * to its deadline, on the system's time): the waits themselves are the
 * behaviour under test, 20 ms each. */
TEST(clock, wait_until_on_system_time)
{
    const tern_clock fixed = {fixed_now, tern_clock_system_sleep, NULL, NULL};
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond;
    long long t0 = tern_clock_now(NULL), t1;

    ASSERT_OK(tern_clock_cond_init(&cond));
    pthread_mutex_lock(&mutex);
    /* Nothing signals the condition: each call waits its whole 20 ms. */
    tern_clock_wait_until(NULL, &cond, &mutex, t0 + 20);
    t1 = tern_clock_now(NULL);
    ASSERT_CMP(t1 - t0, >=, 20);
    ASSERT_CMP(t1 - t0, <, 10000);
    t0 = t1;
    tern_clock_wait_until(&fixed, &cond, &mutex, 5020);
    t1 = tern_clock_now(NULL);
    ASSERT_CMP(t1 - t0, >=, 20);
    ASSERT_CMP(t1 - t0, <, 10000);
    /* Its deadline reached: at once. */
    tern_clock_wait_until(&fixed, &cond, &mutex, 5000);
    pthread_mutex_unlock(&mutex);
    pthread_cond_destroy(&cond);
}

const struct tern_test test_clock_list[] = {
    TEST_UNIT(clock, system_sleep_and_now),
    TEST_UNIT(clock, system_sleep_stopped_by_a_thread),
    TEST_UNIT(clock, engine_ops_sleep_on_its_clock),
    TEST_UNIT(clock, wait_until_on_a_test_clock),
    TEST_UNIT(clock, wait_until_on_system_time),
    TEST_END};
