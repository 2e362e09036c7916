/*
 * A virtual clock for tests (tern/clock.h): its sleep advances its time by
 * the wait at once instead of waiting, and records what was asked, so a
 * test drives retries, propagation waits and time_sleep without sleeping
 * (STYLE rule 16). A raised stop flag ends a sleep as the system's does.
 *
 * Its timed condition wait (tern_clock_wait_until) waits until the waited
 * condition is signalled or tt_vclock_advance() moves the time: a thread
 * waiting for a deadline (the S3 backend's pusher) is driven by the test,
 * which sees it waiting with tt_vclock_wait_for_waiter(). A sleep moves
 * the time without waking a condition wait (the sleeper may hold the
 * waiter's mutex); tt_vclock_advance() does.
 */
#ifndef TERN_TEST_VCLOCK_H
#define TERN_TEST_VCLOCK_H

#include <pthread.h>
#include <stdatomic.h>

#include "tern/clock.h"

#define TT_VCLOCK_WAITERS 8

struct tt_vclock {
    tern_clock clock;   /* give &vc->clock where a tern_clock is taken */
    atomic_llong now;   /* virtual milliseconds */
    atomic_llong slept; /* the sum of the completed sleeps */
    atomic_int sleeps;  /* how many sleeps were asked for */
    /* The condition waits under way, under lock; changed is signalled
     * when one starts or ends. */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct {
        pthread_cond_t *cond;
        pthread_mutex_t *mutex;
        unsigned long ticket;
    } waiters[TT_VCLOCK_WAITERS];
    size_t nwaiters;
    unsigned long tickets; /* how many waits started */
};

/* Start at @p start_ms with nothing slept. */
void tt_vclock_init(struct tt_vclock *vc, long long start_ms);

/*
 * Move the time @p ms forward and wake every condition wait under way;
 * return once each of them has returned (to its caller, which holds its
 * mutex again and decides whether to wait on).
 */
void tt_vclock_advance(struct tt_vclock *vc, long ms);

/*
 * Wait (on the system's clock, at most @p limit_ms) until a condition wait
 * is under way on @p vc. Returns 0, or -1 when none started in time.
 */
int tt_vclock_wait_for_waiter(struct tt_vclock *vc, long limit_ms);

#endif
