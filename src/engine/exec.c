/*
 * The executor: a libuv loop on the calling thread owns the steps, the
 * state and the events; a step whose dependencies are done is prepared on
 * the loop (its values evaluated, its intent recorded), runs its module
 * operation on a libuv worker (uv_queue_work) as plain sequential code,
 * and comes back to the loop, which records the result at once and
 * releases the steps that wait for it. A failed step skips only the steps
 * that (transitively) wait for it.
 *
 * Group commit: the results that come back in one turn of the loop are
 * recorded in one state transaction (tern_state_batch_begin/end), with the
 * intents of the steps prepared in that turn; the batch ends, durably,
 * before any of those steps is queued. The loop prepares up to twice the
 * parallelism ahead, so that when a worker frees up, a step whose intent
 * is already on disk is queued at once, before this turn's fsync: the
 * fsync is off the workers' critical path. One fsync per turn instead of
 * two per step, and none between a worker's steps, is what lets 50 workers
 * run at full speed (see tests/bench/bench_engine.c).
 *
 * Interrupts are an atomic counter (tern_engine_interrupt() is called from
 * the CLI's signal thread): it also wakes the loop through the notice
 * handle, so the loop reports it at once; the loop stops starting steps
 * after the first, and the second raises the modules' cancel flag
 * directly.
 *
 * A worker that waits (for IAM to propagate what tern wrote) says so with
 * tern__exec_wait(): a queue under a mutex and a uv_async that wakes the
 * loop, which hands each notice to ops->notice on its own thread, where
 * events belong. The async handle is unreferenced: it never keeps the
 * loop running, and notices still queued when the last step is done are
 * dropped (the wait they announce is over).
 */
#include "engine/engine_int.h"
#include "util/signals.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "tern/log.h"
#include "util/alloc.h"
#include "util/vec.h"

long long tern__now_ns(void)
{
    return (long long)uv_hrtime();
}

int tern__exec_edge(struct exec *ex, size_t a, size_t b)
{
    struct step *sb = &ex->steps[b];

    /* Only a repeat of the last edge is dropped: a full scan made adding
     * the edges of for_each blocks quadratic (500 roles, each awaited by
     * 1,500 dependents). An edge added twice is harmless: it is counted
     * in a's waits and in b's dependents alike. */
    if (a == b || (sb->ndependents && sb->dependents[sb->ndependents - 1] == a))
        return TERN_OK;
    if (TERN_VEC_RESERVE(sb->dependents, sb->adependents,
                         sb->ndependents + 1) != TERN_OK)
        return TERN_ENOMEM;
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
        json_decref(s->sens);
        json_decref(s->result);
        tern_free(s->import_id);
    }
    tern_free(ex->steps);
    ex->steps = NULL;
    tern_free(ex->why);
    ex->why = NULL;
    ex->nsteps = 0;
}

/* One tern__exec_wait() call, queued for the loop thread. */
struct notice {
    char *address;
    int count;
    const char *service; /* static */
    double elapsed, left;
};

struct notices {
    uv_async_t async;
    uv_mutex_t mu;
    struct notice *items;
    size_t n, alloc;
};

void tern__exec_wait(struct exec *ex, const char *address, int count,
                     const char *service, double elapsed, double left)
{
    struct notices *q = ex->notices;
    char *a;

    if (!q || !(a = tern_strdup(address ? address : "")))
        return;
    uv_mutex_lock(&q->mu);
    if (TERN_VEC_RESERVE(q->items, q->alloc, q->n + 1) != TERN_OK) {
        uv_mutex_unlock(&q->mu);
        tern_free(a);
        return;
    }
    q->items[q->n++] = (struct notice){a, count, service, elapsed, left};
    uv_mutex_unlock(&q->mu);
    uv_async_send(&q->async);
}

/* Take the queued notices; with @emit, hand each to ops->notice. */
/* Whether libuv's worker pool has been started, with signals blocked. */
static atomic_int pool_started;

static void drain_notices(struct exec *ex, int emit)
{
    struct notices *q = ex->notices;
    struct notice *items;
    size_t n, i;

    uv_mutex_lock(&q->mu);
    items = q->items;
    n = q->n;
    q->items = NULL;
    q->n = q->alloc = 0;
    uv_mutex_unlock(&q->mu);
    for (i = 0; i < n; i++) {
        if (emit && ex->ops->notice) {
            tern_event ev;

            memset(&ev, 0, sizeof(ev));
            ev.version = TERN_EVENT_VERSION;
            ev.kind = TERN_EVENT_WAIT;
            ev.address = items[i].address;
            ev.count = items[i].count;
            ev.service = items[i].service;
            ev.elapsed = items[i].elapsed;
            ev.wait_left = items[i].left;
            ex->ops->notice(ex, &ev);
        }
        tern_free(items[i].address);
    }
    tern_free(items);
}

struct run;
static void check_interrupt(struct run *r);

/* A notice, or an interrupt (tern_engine_interrupt sends this too). */
static void on_notice(uv_async_t *h)
{
    drain_notices(h->data, 1);
    check_interrupt(h->loop->data);
}

struct run {
    struct exec *ex;
    uv_loop_t loop;
    uv_check_t check;
    uv_work_t *reqs;
    size_t *ready;
    size_t head, tail;
    size_t *finished; /* came back from a worker, not yet recorded */
    size_t nfinished;
    size_t *starting; /* prepared in this turn, to queue after the batch */
    size_t nstarting;
    size_t *pool; /* prepared in an earlier turn (intents on disk), FIFO */
    size_t pool_head, pool_tail;
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

static void check_interrupt(struct run *r)
{
    tern_engine *e = r->ex->e;
    int n = atomic_load(&e->interrupts);
    tern_event ev;

    while (r->seen_interrupts < n && r->seen_interrupts < 2) {
        r->seen_interrupts++;
        if (e->interrupt_events < r->seen_interrupts)
            e->interrupt_events = r->seen_interrupts;
        r->ex->stopping = 1;
        memset(&ev, 0, sizeof(ev));
        ev.version = TERN_EVENT_VERSION;
        ev.kind = TERN_EVENT_INTERRUPT;
        ev.count = r->seen_interrupts;
        tern__engine_event(e, &ev);
    }
}

/* Prepare the ready steps the parallelism allows (on the loop thread). */
static void prepare_ready(struct run *r)
{
    struct exec *ex = r->ex;

    check_interrupt(r);
    while (!ex->stopping &&
           ex->running + (r->pool_tail - r->pool_head) + r->nstarting <
               2 * (size_t)ex->parallelism &&
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
        s->state = ST_PREPARED;
        r->starting[r->nstarting++] = i;
    }
}

static void on_after(uv_work_t *req, int status);

/* Hand prepared steps (their intents on disk) to free workers. */
static void queue_pool(struct run *r)
{
    struct exec *ex = r->ex;

    check_interrupt(r);
    while (!ex->stopping && ex->running < ex->parallelism &&
           r->pool_head < r->pool_tail) {
        size_t i = r->pool[r->pool_head++];
        struct step *s = &ex->steps[i];
        sigset_t mask;
        int qrc;

        s->state = ST_RUNNING;
        if (ex->ops->begin)
            ex->ops->begin(ex, s);
        r->reqs[i].data = s;
        /* The first call starts libuv's pool (one per process, its
         * threads made at once): they inherit this mask, so no worker
         * ever runs a signal handler. Later calls start no thread, and
         * two system calls a step are saved. */
        if (!atomic_load(&pool_started)) {
            tern_signals_block(&mask);
            qrc = uv_queue_work(&r->loop, &r->reqs[i], on_work, on_after);
            tern_signals_unblock(&mask);
            if (qrc == 0)
                atomic_store(&pool_started, 1);
        } else {
            qrc = uv_queue_work(&r->loop, &r->reqs[i], on_work, on_after);
        }
        if (qrc) {
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

/*
 * One turn: record every result that came back (group commit: one state
 * transaction for all of them and the intents of the steps prepared now),
 * give the freed workers the steps prepared earlier, then prepare more.
 * The results are reported (their "complete" lines) before the steps that
 * take their workers start, as Terraform's walker holds a step's slot of
 * the parallelism until its PostApply hook has run: with -parallelism=1
 * each "Creating..." follows the last step's end. The queued steps' intents
 * are on disk already (a step is queued only from the pool, which it enters
 * when the batch that wrote its intent has ended), and results are on disk
 * before their dependents are prepared and queued. Workers are not held
 * for this turn's fsync: the pool is queued before the batch ends.
 */
/* Remember why the store failed (its first diagnostic), once. */
static const char *store_failed(struct exec *ex, int rc, struct tern_diags *d)
{
    ex->error = rc;
    if (!ex->why && d->count && d->items[0].detail)
        ex->why = tern_strdup(d->items[0].detail);
    tern_diags_release(d);
    return ex->why ? ex->why : tern_strerror(rc);
}

static void turn(struct run *r)
{
    struct exec *ex = r->ex;
    struct tern_diags bd = TERN_DIAGS_INIT;
    const char *why;
    size_t k;
    int rc;

    if (ex->batch && (rc = tern_state_batch_begin(ex->e->state, &bd)))
        store_failed(ex, rc, &bd);
    tern_diags_release(&bd);
    for (k = 0; k < r->nfinished; k++) {
        struct step *s = &ex->steps[r->finished[k]];

        complete(r, s, ex->ops->finish(ex, s));
    }
    r->nfinished = 0;
    queue_pool(r);
    prepare_ready(r);
    if (ex->batch && (rc = tern_state_batch_end(ex->e->state, &bd))) {
        /* Nothing of this turn was saved: stop here, saying why (a full
         * disk, a file too large: issue 20, finding 13). */
        why = store_failed(ex, rc, &bd);
        ex->stopping = 1;
        for (k = 0; k < r->nstarting; k++) {
            struct step *s = &ex->steps[r->starting[k]];

            s->rc = rc;
            tern_diags_add(&s->diags, TERN_SEV_ERROR, NULL,
                           "Saving to the state failed", "%s", why);
            ex->ops->finish(ex, s);
            complete(r, s, 1);
        }
        r->nstarting = 0;
    }
    for (k = 0; k < r->nstarting; k++)
        r->pool[r->pool_tail++] = r->starting[k];
    r->nstarting = 0;
    queue_pool(r);
}

static void on_check(uv_check_t *h)
{
    struct run *r = h->data;

    uv_check_stop(&r->check);
    turn(r);
}

static void on_after(uv_work_t *req, int status)
{
    struct step *s = req->data;
    struct run *r = req->loop->data;

    r->ex->running--;
    if (status == UV_ECANCELED)
        s->rc = TERN_ECANCELED;
    r->finished[r->nfinished++] = s->index;
    uv_check_start(&r->check, on_check);
}

int tern__exec_run(struct exec *ex)
{
    struct run r;
    struct notices q;
    size_t i;
    int error = TERN_OK;

    memset(&r, 0, sizeof(r));
    memset(&q, 0, sizeof(q));
    r.ex = ex;
    if (!ex->parallelism)
        ex->parallelism = 10;
    r.reqs = tern_calloc(ex->nsteps + 1, sizeof(*r.reqs));
    r.ready = tern_calloc(ex->nsteps + 1, sizeof(*r.ready));
    r.finished = tern_calloc(ex->nsteps + 1, sizeof(*r.finished));
    r.starting = tern_calloc(ex->nsteps + 1, sizeof(*r.starting));
    r.pool = tern_calloc(ex->nsteps + 1, sizeof(*r.pool));
    TERN_CHECK_ALLOC(r.pool);
    TERN_CHECK_ALLOC(r.reqs);
    TERN_CHECK_ALLOC(r.ready);
    TERN_CHECK_ALLOC(r.finished);
    TERN_CHECK_ALLOC(r.starting);
    if (uv_loop_init(&r.loop)) {
        error = TERN_ERROR;
        goto done;
    }
    r.loop.data = &r;
    uv_check_init(&r.loop, &r.check);
    r.check.data = &r;
    if (uv_mutex_init(&q.mu)) {
        uv_close((uv_handle_t *)&r.check, NULL);
        uv_run(&r.loop, UV_RUN_DEFAULT);
        uv_loop_close(&r.loop);
        error = TERN_ERROR;
        goto done;
    }
    uv_async_init(&r.loop, &q.async, on_notice);
    q.async.data = ex;
    uv_unref((uv_handle_t *)&q.async);
    ex->notices = &q;
    tern__engine_set_wake(ex->e, &q.async);
    for (i = 0; i < ex->nsteps; i++) {
        ex->steps[i].ex = ex;
        ex->steps[i].index = i;
        ex->steps[i].remaining = ex->steps[i].waits;
        if (ex->steps[i].waits == 0)
            r.ready[r.tail++] = i;
    }
    turn(&r);
    uv_run(&r.loop, UV_RUN_DEFAULT);
    tern__engine_set_wake(ex->e, NULL);
    uv_close((uv_handle_t *)&r.check, NULL);
    uv_close((uv_handle_t *)&q.async, NULL);
    uv_run(&r.loop, UV_RUN_DEFAULT);
    uv_loop_close(&r.loop);
    drain_notices(ex, 0);
    ex->notices = NULL;
    uv_mutex_destroy(&q.mu);
    for (i = 0; i < ex->nsteps; i++) {
        struct step *s = &ex->steps[i];

        if (s->state == ST_PREPARED && ex->ops->unprepare)
            ex->ops->unprepare(ex, s);
        if (s->state == ST_PENDING || s->state == ST_PREPARED) {
            s->state = ST_SKIPPED;
            ex->skipped++;
            if (ex->ops->skip)
                ex->ops->skip(ex, s,
                              ex->stopping ? "the run was interrupted"
                                           : "a dependency did not run");
        }
    }
    if (ex->error)
        error = ex->error;
done:
    tern_free(r.reqs);
    tern_free(r.ready);
    tern_free(r.finished);
    tern_free(r.starting);
    tern_free(r.pool);
    return error;
}
