/*
 * A virtual clock for tests (tern/clock.h): its sleep advances its time by
 * the wait at once instead of waiting, and records what was asked, so a
 * test drives retries, propagation waits and time_sleep without sleeping
 * (STYLE rule 16). A raised stop flag ends a sleep as the system's does.
 */
#ifndef TERN_TEST_VCLOCK_H
#define TERN_TEST_VCLOCK_H

#include <stdatomic.h>

#include "tern/clock.h"

struct tt_vclock {
    tern_clock clock;   /* give &vc->clock where a tern_clock is taken */
    atomic_llong now;   /* virtual milliseconds */
    atomic_llong slept; /* the sum of the completed sleeps */
    atomic_int sleeps;  /* how many sleeps were asked for */
};

/* Start at @p start_ms with nothing slept. */
void tt_vclock_init(struct tt_vclock *vc, long long start_ms);

#endif
