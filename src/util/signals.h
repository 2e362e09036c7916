/*
 * SIGINT and SIGTERM, handled in one place.
 *
 * tern_signals_start() (the CLI's main, before any other thread exists)
 * blocks both signals in the calling thread and starts one thread that
 * waits for them with sigwait(). Every thread created afterwards (libuv's
 * pool, the data-source readers, curl's resolver, the progress ticker)
 * inherits the blocked mask, so no signal handler ever runs: a signal is
 * a message to the waiting thread, which hands it to the routed target
 * under a mutex. tern_signals_route(NULL, NULL) returns only once no
 * delivery is in progress, so a target is never called after it has been
 * unrouted (and freed). With no target routed, a signal terminates the
 * process as its default action would.
 *
 * Library code that creates threads itself (possibly in a process that
 * never called tern_signals_start, such as the test runner) wraps the
 * creation in tern_signals_block()/tern_signals_unblock(), so its workers
 * block the signals too.
 */
#ifndef TERN_UTIL_SIGNALS_H
#define TERN_UTIL_SIGNALS_H

#include <signal.h>

/* The waiting thread's name (/proc/PID/task/TID/comm). */
#define TERN_SIGNALS_THREAD_NAME "tern-signals"

/* Block SIGINT/SIGTERM here and start the waiting thread. 0 or -1. */
int tern_signals_start(void);

/* Deliver SIGINT/SIGTERM to @fn(@arg) from now on; @fn NULL: default
 * action again. Waits for a delivery in progress to end. */
void tern_signals_route(void (*fn)(void *arg, int sig), void *arg);

/* SIGINT and SIGTERM received since tern_signals_start (any thread). */
int tern_signals_received(void);

/* A descriptor that becomes readable at each signal received (for a
 * thread blocked in poll, such as a prompt, which no signal interrupts
 * any more); -1 before tern_signals_start. Drain it with
 * tern_signals_drain(). */
int tern_signals_wake_fd(void);
void tern_signals_drain(void);

/* Block SIGINT/SIGTERM in the calling thread, saving the old mask in
 * @old; a thread created before tern_signals_unblock(@old) inherits it. */
void tern_signals_block(sigset_t *old);
void tern_signals_unblock(const sigset_t *old);

#endif
