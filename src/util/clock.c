/*
 * The system clock behind tern/clock.h: the one cancel-aware sleep every
 * wait of tern goes through, and CLOCK_MONOTONIC in milliseconds.
 */
#include "tern/clock.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "tern/diag.h"

const tern_clock tern_clock_system = {tern_clock_system_now,
                                      tern_clock_system_sleep, NULL,
                                      tern_clock_system_wait};

long long tern_clock_system_now(void *ud)
{
    struct timespec ts;

    (void)ud;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int raised(const atomic_int *stop)
{
    return stop && atomic_load(stop);
}

int tern_clock_system_sleep(void *ud, long ms, const atomic_int *stop)
{
    (void)ud;
    while (ms > 0) {
        long slice = ms < TERN_CLOCK_SLICE_MS ? ms : TERN_CLOCK_SLICE_MS;
        struct timespec ts;

        if (raised(stop))
            return TERN_ECANCELED;
        ts.tv_sec = slice / 1000;
        ts.tv_nsec = (slice % 1000) * 1000000L;
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        ms -= slice;
    }
    return raised(stop) ? TERN_ECANCELED : TERN_OK;
}

long long tern_clock_now(const tern_clock *clock)
{
    if (!clock || !clock->now_ms)
        clock = &tern_clock_system;
    return clock->now_ms(clock->ud);
}

int tern_clock_sleep(const tern_clock *clock, long ms, const atomic_int *stop)
{
    if (!clock || !clock->sleep)
        clock = &tern_clock_system;
    if (clock->sleep(clock->ud, ms, stop))
        return TERN_ECANCELED;
    return TERN_OK;
}

void tern_clock_system_wait(void *ud, pthread_cond_t *cond,
                            pthread_mutex_t *mutex, long long deadline_ms)
{
    struct timespec ts;

    (void)ud;
    ts.tv_sec = (time_t)(deadline_ms / 1000);
    ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
    pthread_cond_timedwait(cond, mutex, &ts);
}

int tern_clock_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t ca;
    int rc;

    if ((rc = pthread_condattr_init(&ca)) != 0)
        return rc;
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cond, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

void tern_clock_wait_until(const tern_clock *clock, pthread_cond_t *cond,
                           pthread_mutex_t *mutex, long long deadline_ms)
{
    long long left;

    if (!clock || !clock->now_ms)
        clock = &tern_clock_system;
    if (clock->wait_until) {
        clock->wait_until(clock->ud, cond, mutex, deadline_ms);
        return;
    }
    /* A clock of its own time without a wait of its own: what is left to
     * its deadline, waited for on the system's clock. */
    left = deadline_ms - clock->now_ms(clock->ud);
    if (left > 0)
        tern_clock_system_wait(NULL, cond, mutex,
                               tern_clock_system_now(NULL) + left);
}
