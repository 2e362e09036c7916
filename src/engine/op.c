/*
 * What the engine gives every operation beside tern_op itself
 * (tern/module.h): a sleep that an interrupt cuts short.
 */
#include "tern/module.h"

#include <stdatomic.h>
#include <time.h>

#define SLEEP_SLICE_MS 50L

static int canceled(const tern_op *op)
{
    return op->cancel && atomic_load(op->cancel);
}

int tern_op_wait(const tern_op *op, long ms)
{
    tern_op o = *op;

    /* The first interrupt (stop) already ends a wait for a service. */
    if (op->stop)
        o.cancel = op->stop;
    return tern_op_sleep(&o, ms);
}

int tern_op_sleep(const tern_op *op, long ms)
{
    while (ms > 0) {
        long slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
        struct timespec ts;

        if (canceled(op))
            return TERN_ECANCELED;
        ts.tv_sec = slice / 1000;
        ts.tv_nsec = (slice % 1000) * 1000000L;
        nanosleep(&ts, NULL);
        ms -= slice;
    }
    return canceled(op) ? TERN_ECANCELED : TERN_OK;
}
