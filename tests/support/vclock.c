/* The virtual clock of vclock.h. */
#include "vclock.h"

#include <stdlib.h>
#include <time.h>

#include "tern/diag.h"

static long long vnow(void *ud)
{
    struct tt_vclock *vc = ud;

    return atomic_load(&vc->now);
}

static int vsleep(void *ud, long ms, const atomic_int *stop)
{
    struct tt_vclock *vc = ud;

    atomic_fetch_add(&vc->sleeps, 1);
    if (stop && atomic_load(stop))
        return TERN_ECANCELED;
    if (ms > 0) {
        atomic_fetch_add(&vc->now, ms);
        atomic_fetch_add(&vc->slept, ms);
    }
    return TERN_OK;
}

static int registered(const struct tt_vclock *vc, unsigned long ticket)
{
    size_t i;

    for (i = 0; i < vc->nwaiters; i++)
        if (vc->waiters[i].ticket == ticket)
            return 1;
    return 0;
}

/*
 * The time is read and the wait registered under vc->lock, which
 * tt_vclock_advance() takes to move the time: either this wait sees the
 * new time, or the advance sees this wait and wakes it under @mutex, which
 * this thread holds until pthread_cond_wait() releases it.
 */
static void vwait(void *ud, pthread_cond_t *cond, pthread_mutex_t *mutex,
                  long long deadline_ms)
{
    struct tt_vclock *vc = ud;
    unsigned long ticket;
    size_t i;

    pthread_mutex_lock(&vc->lock);
    if (atomic_load(&vc->now) >= deadline_ms) {
        pthread_mutex_unlock(&vc->lock);
        return;
    }
    if (vc->nwaiters == TT_VCLOCK_WAITERS)
        abort(); /* a test with more waiting threads raises the limit */
    ticket = ++vc->tickets;
    vc->waiters[vc->nwaiters].cond = cond;
    vc->waiters[vc->nwaiters].mutex = mutex;
    vc->waiters[vc->nwaiters++].ticket = ticket;
    pthread_cond_broadcast(&vc->changed);
    pthread_mutex_unlock(&vc->lock);

    pthread_cond_wait(cond, mutex);

    pthread_mutex_lock(&vc->lock);
    for (i = 0; i < vc->nwaiters; i++)
        if (vc->waiters[i].ticket == ticket)
            vc->waiters[i] = vc->waiters[--vc->nwaiters];
    pthread_cond_broadcast(&vc->changed);
    pthread_mutex_unlock(&vc->lock);
}

void tt_vclock_init(struct tt_vclock *vc, long long start_ms)
{
    pthread_condattr_t ca;

    vc->clock.now_ms = vnow;
    vc->clock.sleep = vsleep;
    vc->clock.wait_until = vwait;
    vc->clock.ud = vc;
    atomic_init(&vc->now, start_ms);
    atomic_init(&vc->slept, 0);
    atomic_init(&vc->sleeps, 0);
    pthread_mutex_init(&vc->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&vc->changed, &ca);
    pthread_condattr_destroy(&ca);
    vc->nwaiters = 0;
    vc->tickets = 0;
}

void tt_vclock_advance(struct tt_vclock *vc, long ms)
{
    size_t n, i;
    unsigned long tickets[TT_VCLOCK_WAITERS];
    pthread_cond_t *conds[TT_VCLOCK_WAITERS];
    pthread_mutex_t *mutexes[TT_VCLOCK_WAITERS];

    pthread_mutex_lock(&vc->lock);
    atomic_fetch_add(&vc->now, ms);
    n = vc->nwaiters;
    for (i = 0; i < n; i++) {
        tickets[i] = vc->waiters[i].ticket;
        conds[i] = vc->waiters[i].cond;
        mutexes[i] = vc->waiters[i].mutex;
    }
    pthread_mutex_unlock(&vc->lock);
    /* Not under vc->lock: a waiter takes it with its mutex held. */
    for (i = 0; i < n; i++) {
        pthread_mutex_lock(mutexes[i]);
        pthread_cond_broadcast(conds[i]);
        pthread_mutex_unlock(mutexes[i]);
    }
    pthread_mutex_lock(&vc->lock);
    for (i = 0; i < n; i++)
        while (registered(vc, tickets[i]))
            pthread_cond_wait(&vc->changed, &vc->lock);
    pthread_mutex_unlock(&vc->lock);
}

int tt_vclock_wait_for_waiter(struct tt_vclock *vc, long limit_ms)
{
    struct timespec ts;
    int rc = 0;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += limit_ms / 1000;
    ts.tv_nsec += (limit_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&vc->lock);
    while (vc->nwaiters == 0 && rc == 0)
        rc = pthread_cond_timedwait(&vc->changed, &vc->lock, &ts);
    rc = vc->nwaiters ? 0 : -1;
    pthread_mutex_unlock(&vc->lock);
    return rc;
}
