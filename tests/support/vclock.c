/* The virtual clock of vclock.h. */
#include "vclock.h"

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

void tt_vclock_init(struct tt_vclock *vc, long long start_ms)
{
    vc->clock.now_ms = vnow;
    vc->clock.sleep = vsleep;
    vc->clock.ud = vc;
    atomic_init(&vc->now, start_ms);
    atomic_init(&vc->slept, 0);
    atomic_init(&vc->sleeps, 0);
}
