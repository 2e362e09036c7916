/*
 * SIGINT/SIGTERM through one waiting thread (util/signals.h says why).
 */
#include "util/signals.h"

#include "tern/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t route_mu = PTHREAD_MUTEX_INITIALIZER;
static void (*route_fn)(void *, int);
static void *route_arg;
static atomic_int received;
static int wake[2] = {-1, -1};

static void the_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

static void *waiter(void *unused)
{
    sigset_t set;

    (void)unused;
    the_set(&set);
    for (;;) {
        int sig = 0;

        if (sigwait(&set, &sig) != 0)
            continue;
        atomic_fetch_add(&received, 1);
        if (wake[1] >= 0 && write(wake[1], "s", 1) < 0) {
            /* Full: the reader has a wake-up pending already. */
        }
        pthread_mutex_lock(&route_mu);
        if (route_fn) {
            route_fn(route_arg, sig);
            pthread_mutex_unlock(&route_mu);
            /* After the target has it: a test that saw this line knows
             * the interrupt is in (threads::first_interrupt_stops_retries). */
            TERN_LOG_AT(TERN_LOG_DEBUG, "signals: %s handed to the run",
                        sig == SIGINT ? "SIGINT" : "SIGTERM");
            continue;
        }
        pthread_mutex_unlock(&route_mu);
        /* Nothing to stop gracefully: the default action (terminate),
         * with the status a shell expects. */
        {
            sigset_t one;

            sigemptyset(&one);
            sigaddset(&one, sig);
            signal(sig, SIG_DFL);
            pthread_sigmask(SIG_UNBLOCK, &one, NULL);
            raise(sig);
        }
    }
    return NULL;
}

int tern_signals_start(void)
{
    struct sigaction sa;
    pthread_attr_t attr;
    pthread_t tid;
    sigset_t set;
    int rc;

    the_set(&set);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    if (wake[0] < 0 && pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
        wake[0] = wake[1] = -1;
    /* A non-interactive shell starts background jobs with SIGINT
     * ignored; an ignored signal never reaches sigwait. tern stops
     * gracefully on SIGINT wherever it runs, as it always has. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (pthread_attr_init(&attr) != 0)
        return -1;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    rc = pthread_create(&tid, &attr, waiter, NULL);
    pthread_attr_destroy(&attr);
    /* Named before any other thread exists, so a look at /proc (top -H,
     * threads::workers_block_signals) tells it from the others. */
    if (rc == 0)
        pthread_setname_np(tid, TERN_SIGNALS_THREAD_NAME);
    return rc == 0 ? 0 : -1;
}

void tern_signals_route(void (*fn)(void *, int), void *arg)
{
    pthread_mutex_lock(&route_mu);
    route_fn = fn;
    route_arg = fn ? arg : NULL;
    pthread_mutex_unlock(&route_mu);
}

int tern_signals_received(void)
{
    return atomic_load(&received);
}

int tern_signals_wake_fd(void)
{
    return wake[0];
}

void tern_signals_drain(void)
{
    char buf[64];

    while (wake[0] >= 0 && read(wake[0], buf, sizeof(buf)) > 0)
        ;
}

void tern_signals_block(sigset_t *old)
{
    sigset_t set;

    the_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void tern_signals_unblock(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}
