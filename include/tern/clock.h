/**
 * @file tern/clock.h
 * @brief The one clock and sleep of tern: what every wait goes through.
 *
 * The engine, the service clients (AWS, S3, Databricks), the S3 backend's
 * lock, the state lock and the modules (through tern_op_sleep and
 * tern_op_wait) read time and wait only through a tern_clock. The
 * system's (tern_clock_system) reads CLOCK_MONOTONIC and sleeps in slices
 * of TERN_CLOCK_SLICE_MS, returning as soon as the stop flag it is given
 * is raised, so an interrupt ends every wait within one slice (issue 20:
 * there were six copies of this sleep). A library caller or a test
 * injects its own clock (tern_engine_options.clock, the clients'
 * sleep/sleep_ud), which may advance virtual time instead of waiting.
 */
#ifndef TERN_CLOCK_H
#define TERN_CLOCK_H

#include <stdatomic.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How long the system sleep waits between looks at its stop flag. */
#define TERN_CLOCK_SLICE_MS 50L

/**
 * Wait @p ms milliseconds, or less when @p stop (may be NULL) is raised.
 * @param ud the clock's user data
 * @return 0 (TERN_OK) after the whole wait, non-zero (TERN_ECANCELED from
 *         the system sleep) when @p stop was raised before or during it
 */
typedef int (*tern_sleep_fn)(void *ud, long ms, const atomic_int *stop);

/** Monotonic milliseconds from an arbitrary origin. */
typedef long long (*tern_now_fn)(void *ud);

/** A clock: its time, its sleep, and their user data. */
typedef struct tern_clock {
    tern_now_fn now_ms;
    tern_sleep_fn sleep;
    void *ud;
} tern_clock;

/** The system's clock: CLOCK_MONOTONIC and tern_clock_system_sleep. */
extern const tern_clock tern_clock_system;

/** The system's monotonic time in milliseconds (@p ud unused). */
long long tern_clock_system_now(void *ud);

/**
 * The system's sleep (@p ud unused): nanosleep in slices of
 * TERN_CLOCK_SLICE_MS, resumed after a signal, ending early when
 * @p stop is raised.
 * @return 0, or TERN_ECANCELED when @p stop was raised
 */
int tern_clock_system_sleep(void *ud, long ms, const atomic_int *stop);

/** @p clock's time (NULL: the system's). */
long long tern_clock_now(const tern_clock *clock);

/**
 * Sleep on @p clock (NULL: the system's) until @p ms have passed or
 * @p stop (may be NULL) is raised.
 * @return 0, or TERN_ECANCELED when @p stop was raised
 */
int tern_clock_sleep(const tern_clock *clock, long ms, const atomic_int *stop);

#ifdef __cplusplus
}
#endif

#endif
