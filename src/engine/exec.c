/*
 * The executor: a libuv loop on the calling thread owns the steps, the
 * state and the events; a step whose dependencies are done is prepared on
 * the loop (its values evaluated, its intent recorded), runs its module
 * operation on a libuv worker (uv_queue_work) as plain sequential code,
 * and comes back to the loop, which records the result at once and
 * releases the steps that wait for it. A failed step skips only the steps
 * that (transitively) wait for it.
 *
 * Interrupts are an atomic counter (tern_engine_interrupt() is called from
 * a signal handler): the loop checks it whenever a step comes back, stops
 * starting steps after the first, and the second raises the modules'
 * cancel flag directly.
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "tern/log.h"
#include "util/alloc.h"

long long tern__now_ns(void)
{
    return (long long)uv_hrtime();
}

int tern__exec_edge(struct exec *ex, size_t a, size_t b)
{
    struct step *sb = &ex->steps[b];
    size_t i;

    if (a == b)
        return TERN_OK;
    for (i = 0; i < sb->ndependents; i++)
        if (sb->dependents[i] == a)
            return TERN_OK;
    if (sb->ndependents == sb->adependents) {
        size_t n = sb->adependents ? sb->adependents * 2 : 4;
        size_t *d = tern_realloc(sb->dependents, n * sizeof(*d));

        if (!d)
            return TERN_ENOMEM;
        sb->dependents = d;
        sb->adependents = n;
    }
    sb->dependents[sb->ndependents++] = a;
    ex->steps[a].waits++;
    return TERN_OK;
}

void tern__exec_release(struct exec *ex)
{
    size_t i;

    for (i = 0; i < ex->nsteps; i++) {
        struct step *s = &ex->steps[i];

        tern_free(s->dependents);
        tern_diags_release(&s->diags);
        json_decref(s->prior);
        json_decref(s->desired);
        json_decref(s->result);
        tern_free(s->import_id);
    }
    tern_free(ex->steps);
    ex->steps = NULL;
    ex->nsteps = 0;
}

/*
 * libuv sizes its thread pool once per process, from UV_THREADPOOL_SIZE,
 * at the first uv_queue_work. Unless the user set it, make it large enough
 * for the parallelism asked (at least 64, so that a later run asking for
 * more than the first still gets it); 1024 is libuv's limit.
 */
static void size_pool(unsigned int parallelism)
{
    static atomic_int done;
    char buf[16];
    unsigned int n = parallelism < 64 ? 64 : parallelism;

    if (atomic_exchange(&done, 1))
        return;
    if (getenv("UV_THREADPOOL_SIZE"))
        return;
    if (n > 1024)
        n = 1024;
    snprintf(buf, sizeof(buf), "%u", n);
    setenv("UV_THREADPOOL_SIZE", buf, 0);
}

struct run {
    struct exec *ex;
    uv_loop_t loop;
    uv_work_t *reqs;
    size_t *ready;
    size_t head, tail;
    int seen_interrupts;
};

static void skip_dependents(struct exec *ex, struct step *s, const char *why)
{
    size_t i;

    for (i = 0; i < s->ndependents; i++) {
        struct step *d = &ex->steps[s->dependents[i]];

        if (d->state != ST_PENDING)
            continue;
        d->state = ST_SKIPPED;
        ex->skipped++;
        if (ex->ops->skip)
            ex->ops->skip(ex, d, why);
        skip_dependents(ex, d, why);
    }
}

static void release(struct run *r, struct step *s)
{
    size_t i;

    for (i = 0; i < s->ndependents; i++) {
        struct step *d = &r->ex->steps[s->dependents[i]];

        if (d->state == ST_PENDING && --d->remaining == 0)
            r->ready[r->tail++] = s->dependents[i];
    }
}

static void pump(struct run *r);

static void on_work(uv_work_t *req)
{
    struct step *s = req->data;

    s->t0 = tern__now_ns();
    s->ex->ops->work(s);
    s->t1 = tern__now_ns();
}

static void complete(struct run *r, struct step *s, int failed)
{
    struct exec *ex = r->ex;

    if (failed) {
        s->state = ST_FAILED;
        ex->failed++;
        skip_dependents(ex, s, "a dependency failed");
    } else {
        s->state = ST_DONE;
        ex->done++;
        release(r, s);
    }
}

static void on_after(uv_work_t *req, int status)
{
    struct step *s = req->data;
    struct run *r = req->loop->data;
    int failed;

    r->ex->running--;
    if (status == UV_ECANCELED)
        s->rc = TERN_ECANCELED;
    failed = r->ex->ops->finish(r->ex, s);
    complete(r, s, failed);
    pump(r);
}

static void check_interrupt(struct run *r)
{
    tern_engine *e = r->ex->e;
    int n = atomic_load(&e->interrupts);
    tern_event ev;

    while (r->seen_interrupts < n && r->seen_interrupts < 2) {
        r->seen_interrupts++;
        r->ex->stopping = 1;
        memset(&ev, 0, sizeof(ev));
        ev.version = TERN_EVENT_VERSION;
        ev.kind = TERN_EVENT_INTERRUPT;
        ev.count = r->seen_interrupts;
        tern__engine_event(e, &ev);
    }
}

static void pump(struct run *r)
{
    struct exec *ex = r->ex;

    check_interrupt(r);
    while (!ex->stopping && ex->running < ex->parallelism &&
           r->head < r->tail) {
        size_t i = r->ready[r->head++];
        struct step *s = &ex->steps[i];

        if (s->state != ST_PENDING)
            continue;
        if (ex->ops->prepare(ex, s)) {
            /* Not run: finish reports why (s->rc and s->diags). */
            if (!s->rc)
                s->rc = TERN_ERROR;
            ex->ops->finish(ex, s);
            complete(r, s, 1);
            continue;
        }
        s->state = ST_RUNNING;
        r->reqs[i].data = s;
        if (uv_queue_work(&r->loop, &r->reqs[i], on_work, on_after)) {
            s->rc = TERN_ERROR;
            tern_diags_add(&s->diags, TERN_SEV_ERROR, NULL,
                           "Could not start a worker", NULL);
            ex->ops->finish(ex, s);
            complete(r, s, 1);
            continue;
        }
        ex->running++;
    }
}

int tern__exec_run(struct exec *ex)
{
    struct run r;
    size_t i;
    int error = TERN_OK;

    memset(&r, 0, sizeof(r));
    r.ex = ex;
    if (!ex->parallelism)
        ex->parallelism = 10;
    size_pool(ex->parallelism);
    r.reqs = tern_calloc(ex->nsteps + 1, sizeof(*r.reqs));
    r.ready = tern_calloc(ex->nsteps + 1, sizeof(*r.ready));
    TERN_CHECK_ALLOC(r.reqs);
    TERN_CHECK_ALLOC(r.ready);
    if (uv_loop_init(&r.loop)) {
        error = TERN_ERROR;
        goto done;
    }
    r.loop.data = &r;
    for (i = 0; i < ex->nsteps; i++) {
        ex->steps[i].ex = ex;
        ex->steps[i].index = i;
        ex->steps[i].remaining = ex->steps[i].waits;
        if (ex->steps[i].waits == 0)
            r.ready[r.tail++] = i;
    }
    pump(&r);
    uv_run(&r.loop, UV_RUN_DEFAULT);
    uv_loop_close(&r.loop);
    for (i = 0; i < ex->nsteps; i++) {
        struct step *s = &ex->steps[i];

        if (s->state == ST_PENDING) {
            s->state = ST_SKIPPED;
            ex->skipped++;
            if (ex->ops->skip)
                ex->ops->skip(ex, s,
                              ex->stopping ? "the run was interrupted"
                                           : "a dependency did not run");
        }
    }
done:
    tern_free(r.reqs);
    tern_free(r.ready);
    return error;
}
