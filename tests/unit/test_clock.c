/*
 * tern/clock.h: the one clock and sleep (src/util/clock.c). The system's
 * sleep ends at once when its stop flag is raised, before or while it
 * waits; an injected clock reaches every operation of an engine through
 * tern_engine_options.clock, so a test drives an hour of waits without
 * waiting (issue 20).
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

const struct tern_test test_clock_list[] = {
    TEST_UNIT(clock, system_sleep_and_now),
    TEST_UNIT(clock, system_sleep_stopped_by_a_thread),
    TEST_UNIT(clock, engine_ops_sleep_on_its_clock), TEST_END};
