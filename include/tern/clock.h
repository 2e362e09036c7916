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
 * injects its own clock (tern_engine_options.clock, the AWS clients' and
 * the Databricks client's clock option), which may advance virtual time
 * instead of waiting; an AWS or Databricks call's deadline runs on it too.
 * A thread that waits for another's signal or a deadline, whichever comes
 * first (the S3 backend's pusher), waits through tern_clock_wait_until, so
 * an injected clock's time reaches that deadline too.
 */
#ifndef TERN_CLOCK_H
#define TERN_CLOCK_H

#include <pthread.h>
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

/**
 * Wait on @p cond, with @p mutex held as for pthread_cond_wait(), until it
 * is signalled or the clock's time reaches @p deadline_ms. It may return
 * early (a spurious wakeup): the caller checks its condition and the time
 * again, in a loop.
 * @param ud the clock's user data
 */
typedef void (*tern_wait_fn)(void *ud, pthread_cond_t *cond,
                             pthread_mutex_t *mutex, long long deadline_ms);

/**
 * A clock: its time, its sleep, its timed condition wait (NULL: a wait on
 * the system's clock for what remains to the deadline in this clock's
 * time), and their user data.
 */
typedef struct tern_clock {
    tern_now_fn now_ms;
    tern_sleep_fn sleep;
    void *ud;
    tern_wait_fn wait_until;
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

/**
 * The system's timed condition wait (@p ud unused): pthread_cond_timedwait
 * to @p deadline_ms of CLOCK_MONOTONIC, so @p cond must have been made with
 * tern_clock_cond_init().
 */
void tern_clock_system_wait(void *ud, pthread_cond_t *cond,
                            pthread_mutex_t *mutex, long long deadline_ms);

/**
 * Initialise @p cond for tern_clock_wait_until() (on CLOCK_MONOTONIC).
 * @return 0, or an error number from pthread_cond_init()
 */
int tern_clock_cond_init(pthread_cond_t *cond);

/** @p clock's time (NULL: the system's). */
long long tern_clock_now(const tern_clock *clock);

/**
 * Sleep on @p clock (NULL: the system's) until @p ms have passed or
 * @p stop (may be NULL) is raised.
 * @return 0, or TERN_ECANCELED when @p stop was raised
 */
int tern_clock_sleep(const tern_clock *clock, long ms, const atomic_int *stop);

/**
 * Wait on @p cond (made with tern_clock_cond_init(); @p mutex held) until
 * it is signalled or @p clock (NULL: the system's) reaches @p deadline_ms
 * in its own time. It may return early: call it in a loop that checks the
 * condition and tern_clock_now(). A test clock wakes it when its time is
 * advanced past the deadline.
 */
void tern_clock_wait_until(const tern_clock *clock, pthread_cond_t *cond,
                           pthread_mutex_t *mutex, long long deadline_ms);

#ifdef __cplusplus
}
#endif

#endif
