/*
 * The system clock behind tern/clock.h: the one cancel-aware sleep every
 * wait of tern goes through, and CLOCK_MONOTONIC in milliseconds.
 */
#include "tern/clock.h"

#include <errno.h>
#include <time.h>

#include "tern/diag.h"

const tern_clock tern_clock_system = {tern_clock_system_now,
                                      tern_clock_system_sleep, NULL};

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
