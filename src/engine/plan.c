/*
 * Planning: refresh every object in the state concurrently (drift is what
 * the refresh found changed outside tern), apply moved blocks to the state's
 * addresses, expand each block (count, for_each) in dependency order,
 * evaluate each instance's configuration with what is known so far (unknown
 * where it depends on attributes not yet created), and diff it against the
 * refreshed object into an action. Then orphans (in the state, not in the
 * configuration) are deleted, -target narrows the plan, prevent_destroy is
 * enforced and the outputs are evaluated. The state is only read.
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
#include "util/json.h"
#include "util/vec.h"

/* A data source read running on its own thread while the plan goes on. */
struct dataread {
    size_t idx; /* plan instance */
    size_t block;
    uv_thread_t tid;
    int threaded; /* tid is a thread to join */
    const tern_module *module;
    tern_op op;
    struct tern_diags d;
    json_t *jc, *res;
    int rc;
};

struct planrun {
    tern_engine *e;
    const tern_plan_options *opts;
    int quiet;
    struct tern_plan *plan;
    struct tern_diags *diags;
    tern_state_resource *st;
    size_t nst;
    char **st_addr;
    char **st_prev; /* the address a moved block moved it from */
    unsigned char *claimed, *gone;
    struct tern__map st_map;
    tern_state_intent *intents;
    size_t nintents;
    struct evalctx cx;
    size_t avalues;
    /* Data source reads in flight (see data_start). */
    struct dataread **dreads;
    size_t ndreads, adreads;
    unsigned char *block_pending; /* per block: a read in flight */
    size_t *order;                /* blocks in planning order */
    /* The import blocks' targets, for_each expanded (see imports_expand). */
    struct impt *imps;
    size_t nimps, aimps;
    int imps_done; /* 0 not yet, 1 expanded, -1 failed */
    /* An allocation failed where only a flag can say so (a refresh's
     * finish): the plan then fails with TERN_ENOMEM. */
    int oom;
};

static int data_wait_all(struct planrun *pr);

/* ---- plan objects ------------------------------------------------------- */

int tern__plan_add(struct tern_plan *p, struct pinst **out)
{
    if (TERN_VEC_RESERVE(p->insts, p->ainsts, p->ninsts + 1) != TERN_OK)
        return TERN_ENOMEM;
    *out = &p->insts[p->ninsts++];
    memset(*out, 0, sizeof(**out));
    (*out)->block = SIZE_MAX;
    (*out)->prov = SIZE_MAX;
    return TERN_OK;
}

void tern__pinst_release(struct pinst *pi)
{
    size_t i;

    tern_free(pi->addr);
    tern_free(pi->prev_addr);
    tern_free(pi->module);
    tern_free(pi->type);
    tern_free(pi->name);
    tern_free(pi->import_id);
    for (i = 0; pi->rpaths && pi->rpaths[i]; i++)
        tern_free(pi->rpaths[i]);
    tern_free(pi->rpaths);
    tern_value_decref(pi->before);
    tern_value_decref(pi->after);
    tern_free(pi->key_str);
    tern_value_decref(pi->each_value);
    json_decref(pi->deps);
    tern_free(pi->provider);
    json_decref(pi->adopt);
}

int tern__pinst_publish(struct pinst *pi)
{
    size_t n = 0;

    while (pi->rpaths && pi->rpaths[n])
        n++;
    pi->pub.version = TERN_CHANGE_VERSION;
    pi->pub.address = pi->addr;
    pi->pub.prev_address = pi->prev_addr;
    pi->pub.type = pi->type;
    pi->pub.name = pi->name;
    pi->pub.before = pi->before;
    pi->pub.after = pi->after;
    pi->pub.replace_paths = (const char *const *)pi->rpaths;
    pi->pub.n_replace_paths = n;
    pi->pub.import_id = pi->import_id;
    pi->pub.adopted = pi->adopt != NULL;
    if (pi->deposed)
        snprintf(pi->deposed_key, sizeof(pi->deposed_key), "%08llx",
                 (unsigned long long)pi->deposed);
    pi->pub.deposed = pi->deposed ? pi->deposed_key : NULL;
    return TERN_OK;
}

int tern__plan_index(struct tern_plan *p)
{
    size_t i, n = 0;

    tern_free(p->changes);
    p->changes = tern_calloc(p->ninsts + 1, sizeof(*p->changes));
    if (!p->changes)
        return TERN_ENOMEM;
    memset(&p->summary, 0, sizeof(p->summary));
    p->summary.version = TERN_SUMMARY_VERSION;
    for (i = 0; i < p->ninsts; i++) {
        struct pinst *pi = &p->insts[i];

        tern__pinst_publish(pi);
        /* A data source no longer configured (or under -destroy) is only
         * forgotten at apply: not a change to show or count. */
        if (pi->pub.mode == TERN_STATE_DATA &&
            pi->pub.action == TERN_ACTION_DELETE)
            continue;
        switch (pi->pub.action) {
        case TERN_ACTION_CREATE:
            p->summary.add++;
            break;
        case TERN_ACTION_UPDATE:
            p->summary.change++;
            break;
        case TERN_ACTION_DELETE:
            p->summary.destroy++;
            break;
        case TERN_ACTION_READ:
            p->summary.read++;
            break;
        case TERN_ACTION_FORGET:
            p->summary.forget++;
            break;
        case TERN_ACTION_DELETE_THEN_CREATE:
        case TERN_ACTION_CREATE_THEN_DELETE:
            p->summary.add++;
            p->summary.destroy++;
            break;
        case TERN_ACTION_NOOP:
            break;
        }
        if (pi->import_id)
            p->summary.import++;
        if (pi->adopt)
            p->summary.adopt++;
        if (pi->prev_addr)
            p->summary.move++;
        if (pi->pub.action != TERN_ACTION_NOOP || pi->import_id || pi->adopt ||
            pi->prev_addr)
            p->changes[n++] = pi;
    }
    p->nchanges = n;
    for (i = 0; i < p->ndrift; i++)
        tern__pinst_publish(&p->drift[i]);
    p->summary.drift = p->ndrift;
    return TERN_OK;
}

void tern_plan_free(tern_plan *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->ninsts; i++)
        tern__pinst_release(&p->insts[i]);
    for (i = 0; i < p->ndrift; i++)
        tern__pinst_release(&p->drift[i]);
    tern_free(p->insts);
    tern_free(p->drift);
    tern_free(p->changes);
    tern_value_decref(p->outputs);
    tern_value_decref(p->vars);
    tern_free(p->lineage);
    tern_free(p->tern_version);
    json_decref(p->files);
    json_decref(p->checks);
    json_decref(p->targets);
    json_decref(p->cred_vars);
    tern_free(p);
}

size_t tern_plan_change_count(const tern_plan *p)
{
    return p ? p->nchanges : 0;
}

const tern_change *tern_plan_change(const tern_plan *p, size_t i)
{
    return p && i < p->nchanges ? &p->changes[i]->pub : NULL;
}

size_t tern_plan_drift_count(const tern_plan *p)
{
    return p ? p->ndrift : 0;
}

const tern_change *tern_plan_drift(const tern_plan *p, size_t i)
{
    return p && i < p->ndrift ? &p->drift[i].pub : NULL;
}

const tern_value *tern_plan_outputs(const tern_plan *p)
{
    return p ? p->outputs : NULL;
}

const tern_summary *tern_plan_summary(const tern_plan *p)
{
    return p ? &p->summary : NULL;
}

int tern_plan_errored(const tern_plan *p)
{
    return p ? p->errored : 1;
}

int tern_plan_is_destroy(const tern_plan *p)
{
    return p && p->destroy;
}

int tern_plan_is_refresh_only(const tern_plan *p)
{
    return p && p->refresh_only;
}

const tern_value *tern_plan_variables(const tern_plan *p)
{
    return p ? p->vars : NULL;
}

int tern_plan_is_empty(const tern_plan *p)
{
    if (!p)
        return 1;
    if (p->refresh_only)
        return p->ndrift == 0;
    return p->nchanges == 0 && !p->outputs_changed;
}

const char *tern_action_name(enum tern_action a)
{
    switch (a) {
    case TERN_ACTION_NOOP:
        return "no-op";
    case TERN_ACTION_CREATE:
        return "create";
    case TERN_ACTION_READ:
        return "read";
    case TERN_ACTION_UPDATE:
        return "update";
    case TERN_ACTION_DELETE_THEN_CREATE:
        return "delete-create";
    case TERN_ACTION_CREATE_THEN_DELETE:
        return "create-delete";
    case TERN_ACTION_DELETE:
        return "delete";
    case TERN_ACTION_FORGET:
        return "forget";
    }
    return "unknown";
}

const char *tern_action_reason_name(enum tern_action_reason r)
{
    static const char *const names[] = {"",
                                        "replace_because_cannot_update",
                                        "replace_by_request",
                                        "replace_by_triggers",
                                        "replace_because_tainted",
                                        "delete_because_no_resource_config",
                                        "delete_because_count_index",
                                        "delete_because_each_key",
                                        "delete_because_destroy_mode",
                                        "create_because_gone",
                                        "read_because_dependency_pending"};

    return (size_t)r < sizeof(names) / sizeof(names[0]) ? names[r] : "";
}

/* ---- helpers --------------------------------------------------------------
 */

static void emit(struct planrun *pr, enum tern_event_kind kind,
                 const char *address, const tern_change *ch, double elapsed,
                 const struct tern_diags *d)
{
    tern_event ev;

    if (pr->quiet)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.version = TERN_EVENT_VERSION;
    ev.kind = kind;
    ev.address = address;
    ev.change = ch;
    ev.action = ch ? ch->action : TERN_ACTION_NOOP;
    ev.elapsed = elapsed;
    ev.diags = d;
    tern__engine_event(pr->e, &ev);
}

/* Grow the per-instance value array alongside plan->insts, the new
 * slots NULL. */
static int values_fit(struct planrun *pr)
{
    size_t i = pr->avalues;

    if (TERN_VEC_RESERVE(pr->cx.values, pr->avalues, pr->plan->ninsts) !=
        TERN_OK)
        return TERN_ENOMEM;
    for (; i < pr->avalues; i++)
        pr->cx.values[i] = NULL;
    return TERN_OK;
}

static int block_push(struct evalctx *cx, size_t b, size_t inst)
{
    int error = tern__block_push(cx, b, inst);

    if (!error)
        tern__block_changed(cx, b);
    return error;
}

static json_t *deps_json(tern_engine *e, const struct eblock *b)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a && i < b->nalldeps; i++)
        if (json_array_append_new(a,
                                  json_string(e->blocks[b->alldeps[i]].addr)))
            return json_decref(a), NULL;
    return a;
}

static int listed(const char *const *list, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* ---- refresh -------------------------------------------------------------
 *
 * Every managed object in the state is read, each by its module's read on
 * a worker, up to the parallelism. Bulk reads (tern_bulk_op, tern/module.h)
 * come first: for each provider configuration under which the state holds
 * at least a bulk op's min_objects objects of its types, one more step
 * fetches a snapshot, and the reads of those objects wait for it and get
 * it as op->bulk. Reads of other objects do not wait. A failed fetch only
 * means no snapshot: those objects are then read one by one.
 */

/* A step's role in the refresh (struct step's op). */
enum { REFRESH_OBJECT = 0, REFRESH_BULK = 1, REFRESH_CHUNK = 2 };

/* One read of a chunk. */
struct chunkread {
    size_t inst; /* state object */
    const tern_module *module;
    tern_op op;
    struct tern_diags diags;
    json_t *prior, *result;
    int rc;
    long long t0, t1;
};

/*
 * The reads a bulk snapshot covers, several to a step: they seldom make a
 * call (only for what the snapshot lacks), so one step per object would
 * spend more on handing steps to workers than on reading.
 */
struct chunk {
    size_t bulk;
    struct chunkread *reads;
    size_t n;
};

/* One bulk fetch: a bulk op under one provider configuration. */
struct bulk {
    const tern_bulk_op *bop;
    size_t prov;
    const tern_module *module; /* one of its types, to set up the provider */
    size_t count;              /* objects in the state it covers */
    void *snapshot;            /* set by the worker */
};

struct refresh {
    struct planrun *pr;
    struct bulk *bulks;
    size_t nbulks, abulks;
    size_t *bulk_of; /* per state object: its bulk, or SIZE_MAX */
    struct chunk *chunks;
    size_t nchunks, achunks;
    /* What tern wrote within the propagation window, from the state's
     * history (tern_state_recent_writes), and per state object its entry
     * there (borrowed from it), or NULL (see settle). */
    json_t *recent;
    const json_t **written;
    long window_ms;
};

static int finish_object(struct planrun *pr, size_t inst, const tern_module *m,
                         int rc, json_t **result, struct tern_diags *d,
                         double elapsed);

static int refresh_prepare(struct exec *ex, struct step *s)
{
    struct refresh *rf = ex->ctx;
    struct planrun *pr = rf->pr;
    tern_state_resource *r;
    struct eprov *p;
    size_t pi, bi;

    if (s->op == REFRESH_BULK) {
        struct bulk *bk = &rf->bulks[s->inst];

        /* Never fails here: a failed bulk step would skip the reads that
         * wait for it. Without a provider, work does nothing and each
         * read reports the provider's error itself. */
        p = &pr->e->provs[bk->prov];
        s->rc = tern__provider_init(pr->e, p, bk->module, &s->diags);
        tern__op_fill(pr->e, &s->top, p, NULL, &s->diags, NULL);
        return TERN_OK;
    }
    if (s->op == REFRESH_CHUNK) {
        struct chunk *c = &rf->chunks[s->inst];
        size_t i;

        /* As for an object; a read whose provider fails keeps its rc and
         * is not run. */
        for (i = 0; i < c->n; i++) {
            struct chunkread *cr = &c->reads[i];

            r = &pr->st[cr->inst];
            pi = tern__provider_for_state(pr->e, r->provider, cr->module);
            if (pi == SIZE_MAX)
                return s->rc = TERN_ENOMEM;
            p = &pr->e->provs[pi];
            cr->rc = tern__provider_init(pr->e, p, cr->module, &cr->diags);
            tern__op_fill(pr->e, &cr->op, p, pr->st_addr[cr->inst], &cr->diags,
                          NULL);
            cr->op.bulk = rf->bulks[c->bulk].snapshot;
            cr->prior = json_incref(r->attributes);
            if (!cr->prior)
                cr->prior = json_object();
            if (!cr->prior)
                return s->rc = TERN_ENOMEM;
        }
        return TERN_OK;
    }
    r = &pr->st[s->inst];
    pi = tern__provider_for_state(pr->e, r->provider, s->module);
    if (pi == SIZE_MAX)
        return s->rc = TERN_ENOMEM;
    p = &pr->e->provs[pi];
    if ((s->rc = tern__provider_init(pr->e, p, s->module, &s->diags)))
        return s->rc;
    tern__op_fill(pr->e, &s->top, p, pr->st_addr[s->inst], &s->diags, NULL);
    bi = rf->bulk_of ? rf->bulk_of[s->inst] : SIZE_MAX;
    if (bi != SIZE_MAX)
        s->top.bulk = rf->bulks[bi].snapshot;
    s->prior = json_incref(r->attributes ? r->attributes : NULL);
    if (!s->prior)
        s->prior = json_object();
    return TERN_OK;
}

static void refresh_begin(struct exec *ex, struct step *s)
{
    struct refresh *rf = ex->ctx;

    size_t i;

    if (s->op == REFRESH_OBJECT)
        emit(rf->pr, TERN_EVENT_REFRESH_START, rf->pr->st_addr[s->inst], NULL,
             0, NULL);
    if (s->op == REFRESH_CHUNK)
        for (i = 0; i < rf->chunks[s->inst].n; i++)
            emit(rf->pr, TERN_EVENT_REFRESH_START,
                 rf->pr->st_addr[rf->chunks[s->inst].reads[i].inst], NULL, 0,
                 NULL);
}

/*
 * An object tern wrote a moment ago that reads as missing or different
 * from the state may just not have propagated yet: IAM is eventually
 * consistent and creates never read back (that would cost a round trip per
 * object on the apply's critical path). Unless the apply has since seen IAM
 * show the write (it confirms its writes, apply.c), a read that shows
 * what the object was before tern's write (missing, after a create) is
 * made again, from the service (op->bulk is cleared: the snapshot is as
 * old as the first read), with the modules' propagation backoff
 * (TERN_PROPAGATION_BACKOFF_*), until the object reads otherwise or the
 * write is older than the window (TERN_PROPAGATION_WINDOW_MS, 2 minutes
 * by default). Then the last read stands: drift, or gone. A read that
 * shows anything else (tern__settle_classify) is a change made outside
 * tern and is reported at once, and so is anything about an object not
 * written within the window. While it waits, the refresh says so
 * (TERN_EVENT_WAIT, at once and every TERN__WAIT_NOTICE_MS), and an
 * interrupt ends the wait.
 */
static int settle(struct exec *ex, const tern_module *m, tern_op *op,
                  const char *addr, const json_t *prior, json_t **result,
                  int rc, const json_t *written, long window_ms)
{
    int64_t at = json_integer_value(json_object_get(written, "at"));
    const json_t *before = json_object_get(written, "before");
    long long deadline = (long long)(at + 1) * 1000 + window_ms;
    long long noticed = 0;
    long wait = TERN_PROPAGATION_BACKOFF_FIRST_MS;

    if (!written || json_is_true(json_object_get(written, "confirmed")))
        return rc;
    while (tern__settle_classify(m->schema, prior, rc, *result, before) ==
           TERN__SETTLE_LAG) {
        long long now = tern__wall_ms();

        if (now >= deadline || atomic_load(&ex->e->interrupts))
            break;
        if (wait > deadline - now)
            wait = (long)(deadline - now);
        if (!noticed || now - noticed >= TERN__WAIT_NOTICE_MS) {
            tern__exec_wait(ex, addr, 1, tern__service_name(m),
                            (double)(now / 1000 - at),
                            (double)(deadline - now) / 1000);
            noticed = now;
        }
        TERN_LOG_AT(TERN_LOG_INFO,
                    "refresh: %s, written %lld s ago, reads %s; reading "
                    "again in %ld ms (not yet propagated?)",
                    addr, (now / 1000) - (long long)at,
                    rc ? "as missing" : "as before the write", wait);
        if (tern__wait_sleep(ex->e, op, wait))
            break;
        json_decref(*result);
        *result = NULL;
        op->bulk = NULL;
        rc = m->read(result, op, prior);
        wait = wait * 2 > TERN_PROPAGATION_BACKOFF_MAX_MS
                   ? TERN_PROPAGATION_BACKOFF_MAX_MS
                   : wait * 2;
    }
    return rc;
}

static void refresh_work(struct step *s)
{
    struct refresh *rf = s->ex->ctx;

    if (s->op == REFRESH_BULK) {
        struct bulk *bk = &rf->bulks[s->inst];

        if (!s->rc)
            s->rc = bk->bop->fetch(&bk->snapshot, &s->top);
        return;
    }
    if (s->op == REFRESH_CHUNK) {
        struct chunk *c = &rf->chunks[s->inst];
        size_t i;

        for (i = 0; i < c->n; i++) {
            struct chunkread *cr = &c->reads[i];

            cr->t0 = tern__now_ns();
            if (!cr->rc) {
                cr->rc = cr->module->read(&cr->result, &cr->op, cr->prior);
                cr->rc = settle(
                    s->ex, cr->module, &cr->op, rf->pr->st_addr[cr->inst],
                    cr->prior, &cr->result, cr->rc,
                    rf->written ? rf->written[cr->inst] : NULL, rf->window_ms);
            }
            cr->t1 = tern__now_ns();
        }
        return;
    }
    s->rc = s->module->read(&s->result, &s->top, s->prior);
    s->rc = settle(s->ex, s->module, &s->top, rf->pr->st_addr[s->inst],
                   s->prior, &s->result, s->rc,
                   rf->written ? rf->written[s->inst] : NULL, rf->window_ms);
}

static int refresh_finish(struct exec *ex, struct step *s)
{
    struct refresh *rf = ex->ctx;
    struct planrun *pr = rf->pr;

    if (s->op == REFRESH_BULK) {
        struct bulk *bk = &rf->bulks[s->inst];

        /* Not an error: without a snapshot every object is read by
         * itself (e.g. no permission for the bulk action). */
        if (s->rc) {
            TERN_LOG_AT(
                TERN_LOG_DEBUG,
                "refresh: %s failed (%s%s%s); reading %zu objects "
                "one by one",
                bk->bop->name, tern_strerror(s->rc), s->diags.count ? ": " : "",
                s->diags.count ? s->diags.items[0].summary : "", bk->count);
            bk->bop->free(bk->snapshot);
            bk->snapshot = NULL;
        }
        tern_diags_release(&s->diags);
        return 0;
    }
    if (s->op == REFRESH_CHUNK) {
        struct chunk *c = &rf->chunks[s->inst];
        size_t i;
        int failed = 0;

        for (i = 0; i < c->n; i++) {
            struct chunkread *cr = &c->reads[i];

            if (s->rc && !cr->rc) /* not prepared, not run */
                cr->rc = s->rc;
            if (finish_object(pr, cr->inst, cr->module, cr->rc, &cr->result,
                              &cr->diags, (double)(cr->t1 - cr->t0) / 1e9))
                failed = 1;
        }
        return failed;
    }
    return finish_object(pr, s->inst, s->module, s->rc, &s->result, &s->diags,
                         (double)(s->t1 - s->t0) / 1e9);
}

/* An allocation failed while recording a read: said once, and the plan
 * fails with TERN_ENOMEM (the diagnostic itself may not fit). */
static int refresh_oom(struct planrun *pr)
{
    if (!pr->oom)
        tern_diags_add(pr->diags, TERN_SEV_ERROR, NULL, "Out of memory",
                       "tern ran out of memory while refreshing the state.");
    pr->oom = 1;
    pr->plan->errored = 1;
    return 1;
}

/* Record one object's read: gone, failed, drifted or the same. Takes
 * *result. */
static int finish_object(struct planrun *pr, size_t inst, const tern_module *m,
                         int rc, json_t **result, struct tern_diags *d,
                         double elapsed)
{
    tern_state_resource *r = &pr->st[inst];
    int same = 0;

    /* TERN_EVENT_REFRESH_DONE (the JSON UI's refresh_complete) only for a
     * read that is recorded, the object's or its absence: Terraform's
     * refresh calls the PostRefresh hook after a read without errors
     * (internal/terraform/node_resource_abstract_instance.go refresh), so
     * neither a failed read nor one tern ran out of memory recording
     * claims to be complete (issue 20). */
    if (rc == TERN_ENOTFOUND) {
        pr->gone[inst] = 1;
        emit(pr, TERN_EVENT_REFRESH_DONE, pr->st_addr[inst], NULL, elapsed,
             NULL);
        return 0;
    }
    if (rc || !*result) {
        tern_diags_add(pr->diags, TERN_SEV_ERROR, NULL, "Refresh failed",
                       "Reading %s: %s", pr->st_addr[inst],
                       d->count ? d->items[0].summary : tern_strerror(rc));
        tern_diags_move(pr->diags, d);
        pr->plan->errored = 1;
        return 1;
    }
    if (r->attributes &&
        tern__state_same(&same, m->schema, r->attributes, *result) != TERN_OK)
        return refresh_oom(pr);
    if (!r->attributes || !same) {
        struct pinst *dr;
        json_t *before;

        if (TERN_VEC_RESERVE(pr->plan->drift, pr->plan->adrift,
                             pr->plan->ndrift + 1) != TERN_OK)
            return refresh_oom(pr);
        dr = &pr->plan->drift[pr->plan->ndrift++];
        memset(dr, 0, sizeof(*dr));
        dr->block = SIZE_MAX;
        dr->addr = tern_strdup(pr->st_addr[inst]);
        dr->type = tern_strdup(r->type);
        dr->name = tern_strdup(r->name);
        dr->pub.mode = r->mode;
        dr->pub.action = TERN_ACTION_UPDATE;
        if (!dr->addr || !dr->type || !dr->name)
            return refresh_oom(pr);
        /* Only what really changed shows (tern__state_same). */
        before =
            r->attributes
                ? tern__state_drift_before(m->schema, r->attributes, *result)
                : NULL;
        if (r->attributes && !before)
            return refresh_oom(pr);
        dr->before = tern__value_mark_paths(
            tern__value_from_state(m->schema, before), r->sensitive);
        json_decref(before);
        dr->after = tern__value_mark_paths(
            tern__value_from_state(m->schema, *result), r->sensitive);
        if (!dr->before || !dr->after)
            return refresh_oom(pr);
    }
    json_decref(r->attributes);
    r->attributes = *result;
    *result = NULL;
    emit(pr, TERN_EVENT_REFRESH_DONE, pr->st_addr[inst], NULL, elapsed, NULL);
    return 0;
}

/* A read waits for propagation: say so (TERN_EVENT_WAIT). */
static void refresh_notice(struct exec *ex, const tern_event *ev)
{
    struct refresh *rf = ex->ctx;

    if (!rf->pr->quiet)
        tern__engine_event(rf->pr->e, ev);
}

static const struct exec_ops refresh_ops = {
    refresh_prepare, refresh_begin, refresh_work, refresh_finish, NULL, NULL,
    refresh_notice};

/* The state's own threshold of a bulk op: TERN_BULK_REFRESH_MIN ("off":
 * never) over the op's. */
static size_t bulk_threshold(const tern_bulk_op *bop)
{
    const char *env = getenv("TERN_BULK_REFRESH_MIN");
    char *end = NULL;
    unsigned long v;

    if (!env || !*env)
        return bop->min_objects;
    if (strcmp(env, "off") == 0)
        return SIZE_MAX;
    v = strtoul(env, &end, 10);
    return end && *end == '\0' ? (size_t)v : bop->min_objects;
}

static int listed_type(const char *const *types, const char *type)
{
    for (; types && *types; types++)
        if (strcmp(*types, type) == 0)
            return 1;
    return 0;
}

/*
 * Which state objects a bulk fetch covers: count the objects of each bulk
 * op's types per provider configuration, keep the pairs at or above the
 * threshold, and note each covered object's bulk in rf->bulk_of.
 */
static int plan_bulks(struct planrun *pr, struct refresh *rf,
                      const tern_module *const *mods)
{
    size_t i, j, k;
    int error = TERN_OK;

    if (!pr->nst)
        return TERN_OK;
    rf->bulk_of = tern_calloc(pr->nst + 1, sizeof(size_t));
    TERN_CHECK_ALLOC(rf->bulk_of);
    for (i = 0; i < pr->nst; i++) {
        const tern_bulk_op *bop = NULL;
        const tern_provider *def;
        size_t prov;

        rf->bulk_of[i] = SIZE_MAX;
        if (!mods[i])
            continue;
        def = tern__engine_provider(pr->e, mods[i]->provider);
        for (k = 0; def && def->bulk_ops && def->bulk_ops[k] && !bop; k++)
            if (listed_type(def->bulk_ops[k]->types, pr->st[i].type))
                bop = def->bulk_ops[k];
        if (!bop)
            continue;
        prov = tern__provider_for_state(pr->e, pr->st[i].provider, mods[i]);
        if (prov == SIZE_MAX)
            return TERN_ENOMEM;
        for (j = 0; j < rf->nbulks; j++)
            if (rf->bulks[j].bop == bop && rf->bulks[j].prov == prov)
                break;
        if (j == rf->nbulks) {
            if (TERN_VEC_RESERVE(rf->bulks, rf->abulks, j + 1) != TERN_OK) {
                error = TERN_ENOMEM;
                goto done;
            }
            memset(&rf->bulks[j], 0, sizeof(rf->bulks[j]));
            rf->bulks[j].bop = bop;
            rf->bulks[j].prov = prov;
            rf->bulks[j].module = mods[i];
            rf->nbulks++;
        }
        rf->bulks[j].count++;
        rf->bulk_of[i] = j;
    }
    /* Drop the fetches below their threshold (kept in place, count 0). */
    for (j = 0; j < rf->nbulks; j++)
        if (rf->bulks[j].count < bulk_threshold(rf->bulks[j].bop))
            rf->bulks[j].count = 0;
    for (i = 0; i < pr->nst; i++)
        if (rf->bulk_of[i] != SIZE_MAX && !rf->bulks[rf->bulk_of[i]].count)
            rf->bulk_of[i] = SIZE_MAX;
done:
    return error;
}

/*
 * The reads each bulk fetch covers, in chunks of ceil(covered /
 * parallelism): as many chunk steps as workers, so that the few reads the
 * snapshot cannot serve (calls) still spread over every worker.
 */
static int plan_chunks(struct planrun *pr, struct refresh *rf,
                       const tern_module *const *mods)
{
    size_t b, i, per, par = pr->e->parallelism ? pr->e->parallelism : 10;
    int error = TERN_OK;

    if (!rf->bulk_of)
        return TERN_OK;
    for (b = 0; b < rf->nbulks; b++) {
        struct chunk *c = NULL;

        if (!rf->bulks[b].count)
            continue;
        per = (rf->bulks[b].count + par - 1) / par;
        for (i = 0; i < pr->nst; i++) {
            if (rf->bulk_of[i] != b || !mods[i])
                continue;
            if (!c || c->n == per) {
                if (TERN_VEC_RESERVE(rf->chunks, rf->achunks,
                                     rf->nchunks + 1) != TERN_OK) {
                    error = TERN_ENOMEM;
                    goto done;
                }
                c = &rf->chunks[rf->nchunks++];
                memset(c, 0, sizeof(*c));
                c->bulk = b;
                c->reads = tern_calloc(per, sizeof(*c->reads));
                TERN_CHECK_ALLOC(c->reads);
            }
            c->reads[c->n].inst = i;
            c->reads[c->n].module = mods[i];
            c->n++;
        }
    }
done:
    return error;
}

/* rf->written: what tern wrote within the window, per state object. */
static int recent_writes(struct planrun *pr, struct refresh *rf)
{
    long long now = tern__wall_ms();
    size_t i;
    int error;

    rf->window_ms = tern__propagation_window_ms();
    if (!pr->nst || !rf->window_ms || !pr->e->state)
        return TERN_OK;
    error = tern_state_recent_writes(
        pr->e->state, (int64_t)((now - rf->window_ms) / 1000) - 1, &rf->recent,
        pr->diags);
    if (error)
        return error;
    if (json_object_size(rf->recent)) {
        rf->written = tern_calloc(pr->nst + 1, sizeof(*rf->written));
        if (!rf->written)
            return TERN_ENOMEM;
        for (i = 0; i < pr->nst; i++) {
            const json_t *w = json_object_get(rf->recent, pr->st_addr[i]);

            if (!w && pr->st_prev && pr->st_prev[i])
                w = json_object_get(rf->recent, pr->st_prev[i]);
            rf->written[i] = w;
        }
    }
    return TERN_OK;
}

static int refresh(struct planrun *pr)
{
    struct exec ex;
    struct refresh rf;
    const tern_module **mods = NULL;
    size_t i, n = 0, *bstep = NULL;
    int error = TERN_OK;

    memset(&ex, 0, sizeof(ex));
    memset(&rf, 0, sizeof(rf));
    rf.pr = pr;
    ex.e = pr->e;
    ex.ctx = &rf;
    ex.ops = &refresh_ops;
    ex.parallelism = pr->e->parallelism;
    mods = tern_calloc(pr->nst + 1, sizeof(*mods));
    TERN_CHECK_ALLOC(mods);
    for (i = 0; i < pr->nst; i++) {
        const tern_module *m;

        if (pr->st[i].mode != TERN_STATE_MANAGED)
            continue;
        m = tern__engine_module(pr->e, TERN_MODULE_RESOURCE, pr->st[i].type);
        /* An object a removed block forgets is not read: the plan only
         * drops it from the state (node_resource_plan_orphan.go refreshes
         * only what it will destroy). Nor before a destroy plan, which
         * deletes it: Terraform's refresh there is a normal plan's
         * (Context.destroyPlan, PreDestroyRefresh), and its destroy walk
         * reads nothing more. */
        if (m && m->read && !tern__forgotten(pr->e, pr->st_addr[i]))
            mods[i] = m;
    }
    if ((error = recent_writes(pr, &rf)) ||
        (error = plan_bulks(pr, &rf, mods)) ||
        (error = plan_chunks(pr, &rf, mods)))
        goto done;
    ex.steps =
        tern_calloc(pr->nst + rf.nbulks + rf.nchunks + 1, sizeof(*ex.steps));
    bstep = tern_calloc(rf.nbulks + 1, sizeof(*bstep));
    TERN_CHECK_ALLOC(ex.steps);
    TERN_CHECK_ALLOC(bstep);
    /* Bulk fetches first: the ready queue starts them before the reads
     * that do not wait for them. */
    for (i = 0; i < rf.nbulks; i++) {
        bstep[i] = SIZE_MAX;
        if (!rf.bulks[i].count)
            continue;
        ex.steps[n].inst = i;
        ex.steps[n].op = REFRESH_BULK;
        bstep[i] = n++;
    }
    for (i = 0; i < rf.nchunks; i++) {
        ex.steps[n].inst = i;
        ex.steps[n].op = REFRESH_CHUNK;
        if ((error = tern__exec_edge(&ex, n, bstep[rf.chunks[i].bulk])))
            goto done;
        n++;
    }
    for (i = 0; i < pr->nst; i++) {
        if (!mods[i] || (rf.bulk_of && rf.bulk_of[i] != SIZE_MAX))
            continue;
        ex.steps[n].inst = i;
        ex.steps[n].module = mods[i];
        ex.steps[n].op = REFRESH_OBJECT;
        n++;
    }
    ex.nsteps = n;
    error = tern__exec_run(&ex);
    /* Objects deleted outside tern are drift too. */
    for (i = 0; !error && i < pr->nst; i++) {
        struct pinst *d;
        const tern_module *m;

        if (!pr->gone[i])
            continue;
        if (TERN_VEC_RESERVE(pr->plan->drift, pr->plan->adrift,
                             pr->plan->ndrift + 1) != TERN_OK) {
            error = TERN_ENOMEM;
            goto done;
        }
        m = tern__engine_module(pr->e, TERN_MODULE_RESOURCE, pr->st[i].type);
        d = &pr->plan->drift[pr->plan->ndrift++];
        memset(d, 0, sizeof(*d));
        d->block = SIZE_MAX;
        d->addr = tern_strdup(pr->st_addr[i]);
        d->module = pr->st[i].module && *pr->st[i].module
                        ? tern_strdup(pr->st[i].module)
                        : NULL;
        d->type = tern_strdup(pr->st[i].type);
        d->name = tern_strdup(pr->st[i].name);
        d->pub.action = TERN_ACTION_DELETE;
        d->before = tern__value_mark_paths(
            tern__value_from_state(m ? m->schema : NULL, pr->st[i].attributes),
            pr->st[i].sensitive);
        d->gone = 1;
        TERN_CHECK_ALLOC(d->addr);
        TERN_CHECK_ALLOC(d->type);
        TERN_CHECK_ALLOC(d->name);
        TERN_CHECK_ALLOC(d->before);
        if (pr->st[i].module && *pr->st[i].module)
            TERN_CHECK_ALLOC(d->module);
    }
done:
    tern__exec_release(&ex);
    for (i = 0; i < rf.nchunks; i++) {
        size_t k;

        for (k = 0; k < rf.chunks[i].n; k++) {
            tern_diags_release(&rf.chunks[i].reads[k].diags);
            json_decref(rf.chunks[i].reads[k].prior);
            json_decref(rf.chunks[i].reads[k].result);
        }
        tern_free(rf.chunks[i].reads);
    }
    tern_free(rf.chunks);
    for (i = 0; i < rf.nbulks; i++)
        rf.bulks[i].bop->free(rf.bulks[i].snapshot);
    tern_free(rf.bulks);
    tern_free(rf.bulk_of);
    tern_free(rf.written);
    json_decref(rf.recent);
    tern_free(bstep);
    tern_free(mods);
    if (atomic_load(&pr->e->interrupts) && !error)
        error = TERN_ECANCELED;
    return error;
}

/* ---- moved blocks ---------------------------------------------------------
 */

/* @rel as seen from module instance @path (moved blocks inside a module
 * name addresses relative to it); steals @rel. */
static char *in_module(const char *path, char *rel)
{
    char *full;

    if (!rel || !*path)
        return rel;
    full = tern__mod_addr(path, rel);
    tern_free(rel);
    return full;
}

static int apply_moved(struct planrun *pr)
{
    const struct tern_blockvec *mv;
    size_t i, k, mi;
    int error = TERN_OK;

    /* Each module instance's moved blocks, relative to it. */
    for (mi = 0; mi < pr->e->nmods; mi++) {
        mv = &pr->e->mods[mi].cfg->moved;
        for (i = 0; i < mv->n; i++) {
            const struct tern_attribute *fa =
                tern_lang_body_attr(mv->items[i]->body, "from");
            const struct tern_attribute *ta =
                tern_lang_body_attr(mv->items[i]->body, "to");
            char *from = in_module(pr->e->mods[mi].path,
                                   fa ? tern__expr_addr(fa->expr) : NULL);
            char *to = in_module(pr->e->mods[mi].path,
                                 ta ? tern__expr_addr(ta->expr) : NULL);
            struct addr fpa;
            int parsed = from && !tern__addr_parse_any(from, &fpa, 1);
            /* A module (instance) moves with everything in it; a resource
             * without a key moves with all its instances. */
            int is_mod = parsed && fpa.is_module;
            int whole = from && (is_mod || from[strlen(from) - 1] != ']');

            if (parsed)
                tern__addr_release(&fpa);

            if (!from || !to) {
                tern_diags_add(pr->diags, TERN_SEV_ERROR,
                               &mv->items[i]->def_range, "Invalid moved block",
                               "A moved block needs from and to, each the "
                               "address of a resource or resource instance.");
                pr->plan->errored = 1;
                tern_free(from);
                tern_free(to);
                continue;
            }
            for (k = 0; k < pr->nst; k++) {
                const char *a = pr->st_addr[k];
                size_t fl = strlen(from);
                char *na = NULL;
                struct addr pa;
                size_t other;

                if (whole && strncmp(a, from, fl) == 0 &&
                    (a[fl] == '\0' || (!is_mod && a[fl] == '[') ||
                     (is_mod &&
                      (a[fl] == '.' || (a[fl] == '[' && from[fl - 1] != ']')))))
                    na = tern_asprintf("%s%s", to, a + fl);
                else if (!whole && strcmp(a, from) == 0)
                    na = tern_strdup(to);
                else
                    continue;
                TERN_CHECK_ALLOC(na);
                if (tern__map_get(&pr->st_map, na, &other)) {
                    tern_diags_add(
                        pr->diags, TERN_SEV_ERROR, &mv->items[i]->def_range,
                        "Ambiguous move statements",
                        "Cannot move %s to %s: the state already has "
                        "an object there.",
                        a, na);
                    pr->plan->errored = 1;
                    tern_free(na);
                    continue;
                }
                if (tern__addr_parse(na, &pa)) {
                    tern_free(na);
                    continue;
                }
                tern_free(pr->st[k].module);
                tern_free(pr->st[k].type);
                tern_free(pr->st[k].name);
                tern_free(pr->st[k].key_str);
                pr->st[k].module = pa.module;
                pr->st[k].type = pa.type;
                pr->st[k].name = pa.name;
                pr->st[k].key_kind = pa.key_kind;
                pr->st[k].key_int = pa.key_int;
                pr->st[k].key_str = pa.key_str;
                pa.module = pa.type = pa.name = pa.key_str = NULL;
                tern__addr_release(&pa);
                if (!pr->st_prev[k])
                    pr->st_prev[k] = pr->st_addr[k];
                else
                    tern_free(pr->st_addr[k]);
                pr->st_addr[k] = na;
            }
            tern_free(from);
            tern_free(to);
        }
    }
    /* Rebuild the address map over the new addresses. */
    tern__map_release(&pr->st_map);
    for (k = 0; k < pr->nst; k++)
        if ((error = tern__map_put(&pr->st_map, pr->st_addr[k], k)))
            goto done;
done:
    return error;
}

/* ---- expansion and diff ---------------------------------------------------
 */

/*
 * One import target: the address an import block's `to` gives, for one
 * for_each key when the block has for_each (Terraform 1.7,
 * internal/terraform/node_resource_plan.go and eval_import.go).
 */
struct impt {
    char *to;
    size_t blk;                        /* index into config->imports */
    tern_value *each_key, *each_value; /* NULL without for_each */
};

static void imports_release(struct planrun *pr)
{
    size_t i;

    for (i = 0; i < pr->nimps; i++) {
        tern_free(pr->imps[i].to);
        tern_value_decref(pr->imps[i].each_key);
        tern_value_decref(pr->imps[i].each_value);
    }
    tern_free(pr->imps);
    pr->imps = NULL;
    pr->nimps = 0;
}

/* Add @to (taken) for block @blk; a second import block (or for_each key)
 * for one address is Terraform's "Duplicate import configuration". */
static int import_push(struct planrun *pr, char *to, size_t blk,
                       const tern_value *key, const tern_value *value)
{
    const struct tern_blockvec *iv = &pr->e->config->imports;
    struct impt *n;
    size_t i;

    for (i = 0; i < pr->nimps; i++) {
        const struct tern_range *r = &iv->items[pr->imps[i].blk]->def_range;
        const struct tern_attribute *ta =
            tern_lang_body_attr(iv->items[blk]->body, "to");
        char *sum, *q;
        json_t *qj;

        if (strcmp(pr->imps[i].to, to) != 0)
            continue;
        /* internal/configs/module.go (two blocks) and
         * internal/terraform/node_resource_plan.go (for_each keys): at the
         * second `to`, the first block's position in the detail. */
        /* Go's %q: the address quoted, its own quotes escaped. */
        qj = json_string(to);
        q = qj ? tern_json_dumps(qj, JSON_ENCODE_ANY) : NULL;
        json_decref(qj);
        sum = q ? tern_asprintf("Duplicate import configuration for %s", q)
                : NULL;
        if (!sum ||
            !tern_diags_add(pr->diags, TERN_SEV_ERROR, &ta->expr->range, sum,
                            "An import block for the resource %s was "
                            "already declared at %s:%u,%u-%u. A resource "
                            "can have only one import block.",
                            q, r->file ? r->file : "", r->start.line,
                            r->start.column, r->end.column)) {
            free(q); /* jansson's allocation */
            tern_free(sum);
            tern_free(to);
            return TERN_ENOMEM;
        }
        free(q); /* jansson's allocation */
        tern_free(sum);
        tern_free(to);
        return TERN_ERROR;
    }
    if (TERN_VEC_RESERVE(pr->imps, pr->aimps, pr->nimps + 1) != TERN_OK) {
        tern_free(to);
        return TERN_ENOMEM;
    }
    n = &pr->imps[pr->nimps++];
    n->to = to;
    n->blk = blk;
    n->each_key = key ? tern_value_incref(key) : NULL;
    n->each_value = value ? tern_value_incref(value) : NULL;
    return TERN_OK;
}

/*
 * Expand the import blocks once: each `to` (with for_each, one per key,
 * its index evaluated with each.key and each.value). A for_each must be
 * a known map or set of strings, as a resource's; a data source it names
 * is read first. Returns TERN_ERROR (with diagnostics) when any block
 * failed; the plan fails then.
 */
static int imports_expand(struct planrun *pr)
{
    const struct tern_blockvec *iv = &pr->e->config->imports;
    size_t i, k;
    int error = TERN_OK, rc;

    if (pr->imps_done)
        return pr->imps_done < 0 ? TERN_ERROR : TERN_OK;
    for (i = 0; i < iv->n; i++) {
        const struct tern_block *b = iv->items[i];
        const struct tern_attribute *ta = tern_lang_body_attr(b->body, "to");
        const struct tern_attribute *fe =
            tern_lang_body_attr(b->body, "for_each");
        struct tern_lang_instances ins;
        struct tern_lang_scope sc;
        tern_value *tmp[2];
        char *to;

        if (!ta)
            continue;
        if (!fe) {
            if (!(to = tern__expr_addr(ta->expr)))
                continue; /* reported with the engine */
            rc = import_push(pr, to, i, NULL, NULL);
            if (rc == TERN_ENOMEM)
                return rc;
            if (rc)
                error = TERN_ERROR;
            continue;
        }
        if ((rc = data_wait_all(pr)))
            return rc;
        memset(&ins, 0, sizeof(ins));
        tern__scope_init(&sc, &pr->cx, NULL, tmp);
        rc = tern_lang_expand(b, &sc, &ins, pr->diags);
        if (rc == TERN_ENOMEM) {
            tern_lang_instances_release(&ins);
            return rc;
        }
        if (rc) {
            tern_lang_instances_release(&ins);
            error = TERN_ERROR;
            continue;
        }
        for (k = 0; k < ins.n; k++) {
            sc.each_key = ins.keys[k];
            sc.each_value = ins.values[k] ? ins.values[k] : ins.keys[k];
            rc = tern__expr_addr_each(ta->expr, &sc, pr->diags, &to);
            if (!rc)
                rc = import_push(pr, to, i, ins.keys[k], sc.each_value);
            if (rc == TERN_ENOMEM) {
                tern_lang_instances_release(&ins);
                return rc;
            }
            if (rc)
                error = TERN_ERROR;
        }
        tern_lang_instances_release(&ins);
    }
    pr->imps_done = error ? -1 : 1;
    return error;
}

static int import_for(struct planrun *pr, const char *addr, char **id)
{
    const struct tern_blockvec *iv = &pr->e->config->imports;
    size_t i;
    int error;

    *id = NULL;
    if (iv->n == 0)
        return TERN_OK;
    if ((error = imports_expand(pr)))
        return error;
    for (i = 0; i < pr->nimps; i++) {
        const struct impt *im = &pr->imps[i];
        const struct tern_attribute *ia =
            tern_lang_body_attr(iv->items[im->blk]->body, "id");
        tern_value *v = NULL;
        struct tern_lang_scope sc;
        tern_value *tmp[2];

        if (strcmp(im->to, addr) != 0 || !ia)
            continue;
        /* The id may name a data source still being read. */
        if ((error = data_wait_all(pr)))
            return error;
        tern__scope_init(&sc, &pr->cx, NULL, tmp);
        sc.each_key = im->each_key;
        sc.each_value = im->each_value;
        error = tern_lang_eval(ia->expr, &sc, &v, pr->diags);
        if (!error && tern_value_kind(v) == TERN_VAL_STRING) {
            *id = tern_strdup(tern_value_get_string(v));
            if (!*id)
                error = TERN_ENOMEM;
        } else if (!error) {
            tern_diags_add(pr->diags, TERN_SEV_ERROR, &ia->range,
                           "Invalid import id",
                           "The import ID must be a known string.");
        }
        tern_value_decref(v);
        if (error == TERN_ENOMEM)
            return error;
        return *id ? TERN_OK : TERN_ERROR;
    }
    return TERN_OK;
}

/*
 * Every import target is an instance of the configuration, once the
 * blocks are expanded: an address without the key of a block with count
 * or for_each, or with a key the block does not have, would otherwise be
 * ignored. (That the block exists was checked with the engine.) The plan
 * fails, as one that met any other error.
 */
static int check_imports(struct planrun *pr)
{
    const struct tern_blockvec *iv = &pr->e->config->imports;
    struct tern_plan *p = pr->plan;
    size_t i, k;
    int error = TERN_OK;

    if (iv->n == 0)
        return TERN_OK;
    if ((error = imports_expand(pr)) == TERN_ENOMEM)
        return error;
    if (error) {
        p->errored = 1;
        return TERN_OK;
    }
    for (i = 0; i < pr->nimps; i++) {
        const char *to = pr->imps[i].to;
        const struct tern_attribute *ta =
            tern_lang_body_attr(iv->items[pr->imps[i].blk]->body, "to");

        for (k = 0; k < p->ninsts; k++)
            if (!p->insts[k].orphan && p->insts[k].block != SIZE_MAX &&
                strcmp(p->insts[k].addr, to) == 0)
                break;
        if (k == p->ninsts) {
            if (!tern_diags_add(
                    pr->diags, TERN_SEV_ERROR, &ta->expr->range,
                    "Configuration for import target does not exist",
                    "The configuration for the given import %s does not "
                    "exist. All target instances must have an associated "
                    "configuration to be imported.",
                    to))
                return TERN_ENOMEM;
            p->errored = 1;
        }
    }
    return TERN_OK;
}

/* Does a replace_triggered_by reference of @b fire? */
/* The block @a names from block @b's module. */
static int block_in_mod(tern_engine *e, const struct eblock *b,
                        const struct addr *a, size_t *bi)
{
    char *full = tern__mod_addr(e->mods[b->mod].path, a->block_addr);
    int found = full && tern__map_get(&e->block_map, full, bi);

    tern_free(full);
    return found;
}

static int triggered(struct planrun *pr, const struct eblock *b)
{
    size_t i, j, bi;

    for (i = 0; i < b->nrtb; i++) {
        char *ref = tern__expr_addr(b->rtb[i]);
        char *attr = NULL, *p;
        struct addr a;
        int fired = 0;

        if (!ref)
            continue;
        /* type.name[key].attr: the attribute follows the second dot. */
        p = strchr(ref, '.');
        p = p ? strchr(p + 1, '.') : NULL;
        if (p && strncmp(ref, "data.", 5) != 0) {
            *p = '\0';
            attr = p + 1;
        }
        if (tern__addr_parse(ref, &a) || !block_in_mod(pr->e, b, &a, &bi)) {
            tern__addr_release(&a);
            tern_free(ref);
            continue;
        }
        for (j = 0; j < pr->cx.nblock_insts[bi] && !fired; j++) {
            const struct pinst *o = &pr->plan->insts[pr->cx.block_insts[bi][j]];
            const tern_value *x, *y;

            if (a.key_kind != TERN_STATE_KEY_NONE &&
                (o->key_kind != a.key_kind ||
                 (a.key_kind == TERN_STATE_KEY_INT &&
                  o->key_int != a.key_int) ||
                 (a.key_kind == TERN_STATE_KEY_STRING &&
                  strcmp(o->key_str, a.key_str) != 0)))
                continue;
            if (o->pub.action == TERN_ACTION_NOOP ||
                o->pub.action == TERN_ACTION_READ)
                continue;
            if (!attr) {
                fired = 1;
                continue;
            }
            x = o->before ? tern_value_object_get(o->before, attr) : NULL;
            y = o->after ? tern_value_object_get(o->after, attr) : NULL;
            if (!x || !y || !tern_value_is_wholly_known(y) ||
                !tern_value_equal(x, y))
                fired = 1;
        }
        tern__addr_release(&a);
        tern_free(ref);
        if (fired)
            return 1;
    }
    return 0;
}

static const tern_state_intent *intent_for(struct planrun *pr, const char *addr)
{
    size_t i;

    for (i = 0; i < pr->nintents; i++)
        if (strcmp(pr->intents[i].address, addr) == 0 &&
            strcmp(pr->intents[i].action, "create") == 0)
            return &pr->intents[i];
    return NULL;
}

/* A data source depends on something with a pending change. */
static int deps_pending(struct planrun *pr, const struct eblock *b)
{
    size_t i, j;

    for (i = 0; i < b->nalldeps; i++) {
        size_t d = b->alldeps[i];

        for (j = 0; j < pr->cx.nblock_insts[d]; j++)
            if (pr->plan->insts[pr->cx.block_insts[d][j]].pub.action !=
                TERN_ACTION_NOOP)
                return 1;
    }
    return 0;
}

/*
 * Data sources are read concurrently. A data source whose configuration
 * is known is read on a thread of its own while the plan goes on with the
 * blocks that do not depend on it; a block that does waits (data_wait)
 * for the reads in flight. The SageMaker example's caller identity and
 * workspace role are then one round trip instead of two, and all of a
 * for_each data source's instances are read at once (up to the
 * parallelism).
 */
static void data_thread(void *arg)
{
    struct dataread *dr = arg;

    dr->rc = dr->module->read(&dr->res, &dr->op, dr->jc);
}

/* A read that failed: an error, or a warning for a check block's scoped
 * data source (Terraform: a check never blocks). */
static void data_failed(struct planrun *pr, const struct eblock *b,
                        const struct pinst *pi, int rc, struct tern_diags *d)
{
    size_t i;

    tern_diags_add(
        pr->diags, b->check_scoped ? TERN_SEV_WARNING : TERN_SEV_ERROR,
        &b->block->def_range, "Failed to read data source", "Reading %s: %s",
        pi->addr, d->count ? d->items[0].summary : tern_strerror(rc));
    if (b->check_scoped) {
        for (i = 0; i < d->count; i++)
            d->items[i].severity = TERN_SEV_WARNING;
        d->errors = 0;
    }
    tern_diags_move(pr->diags, d);
    if (!b->check_scoped)
        pr->plan->errored = 1;
}

static int data_finish(struct planrun *pr, struct dataread *dr)
{
    struct pinst *pi = &pr->plan->insts[dr->idx];
    const struct eblock *b = &pr->e->blocks[dr->block];
    int error = TERN_OK;

    if (dr->threaded)
        uv_thread_join(&dr->tid);
    pr->block_pending[dr->block] = 0;
    if (dr->rc) {
        data_failed(pr, b, pi, dr->rc, &dr->d);
        goto done;
    }
    pi->after = tern__value_from_state(b->module->schema, dr->res);
    TERN_CHECK_ALLOC(pi->after);
    pi->data_write = 1;
    pr->cx.values[dr->idx] = tern_value_incref(pi->after);
    tern__block_changed(&pr->cx, dr->block);
    if ((error = tern__resource_conditions(&pr->cx, pi, 1, pi->after,
                                           pr->diags)) == TERN_ERROR) {
        pr->plan->errored = 1;
        error = TERN_OK;
    }
done:
    tern_diags_release(&dr->d);
    json_decref(dr->jc);
    json_decref(dr->res);
    tern_free(dr);
    return error;
}

/* Wait for every read in flight and complete its instance. */
static int data_wait_all(struct planrun *pr)
{
    size_t i;
    int error = TERN_OK, rc;

    for (i = 0; i < pr->ndreads; i++)
        if ((rc = data_finish(pr, pr->dreads[i])) && !error)
            error = rc;
    pr->ndreads = 0;
    return error;
}

/* Before block @bi is planned: wait if it depends on a read in flight. */
static int data_wait(struct planrun *pr, size_t bi)
{
    const struct eblock *b = &pr->e->blocks[bi];
    size_t i;

    if (!pr->ndreads)
        return TERN_OK;
    for (i = 0; i < b->nalldeps; i++)
        if (pr->block_pending[b->alldeps[i]])
            return data_wait_all(pr);
    return TERN_OK;
}

static int data_start(struct planrun *pr, size_t idx, size_t block,
                      struct eprov *p, json_t *jc)
{
    struct dataread *dr = NULL;
    sigset_t mask;
    int error = TERN_OK;

    if (pr->ndreads >= pr->e->parallelism && (error = data_wait_all(pr)))
        goto done;
    if (TERN_VEC_RESERVE(pr->dreads, pr->adreads, pr->ndreads + 1) != TERN_OK) {
        error = TERN_ENOMEM;
        goto done;
    }
    dr = tern_calloc(1, sizeof(*dr));
    TERN_CHECK_ALLOC(dr);
    dr->idx = idx;
    dr->block = block;
    dr->jc = jc;
    dr->module = pr->e->blocks[block].module;
    jc = NULL;
    tern__op_fill(pr->e, &dr->op, p, pr->plan->insts[idx].addr, &dr->d, NULL);
    tern_signals_block(&mask); /* the reader inherits it */
    dr->threaded = uv_thread_create(&dr->tid, data_thread, dr) == 0;
    tern_signals_unblock(&mask);
    if (!dr->threaded)
        data_thread(dr); /* no thread: read here */
    pr->dreads[pr->ndreads++] = dr;
    pr->block_pending[block] = 1;
    dr = NULL;
done:
    json_decref(jc);
    tern_free(dr);
    return error;
}

/*
 * The order to plan blocks in: the engine's dependency order, except that
 * a data source is taken as soon as what it depends on is planned, so
 * that every read that can start starts before a block waits for one.
 * Quadratic in the blocks (not instances), a few dozen at most.
 */
static int plan_order(tern_engine *e, size_t **out)
{
    size_t *order = tern_calloc(e->nblocks + 1, sizeof(size_t));
    unsigned char *placed = tern_calloc(e->nblocks + 1, 1);
    size_t n = 0, k, i, pick;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(order);
    TERN_CHECK_ALLOC(placed);
    while (n < e->nblocks) {
        pick = SIZE_MAX;
        for (k = 0; k < e->nblocks; k++) {
            const struct eblock *b = &e->blocks[e->order[k]];

            if (placed[e->order[k]])
                continue;
            for (i = 0; i < b->nalldeps && placed[b->alldeps[i]]; i++)
                ;
            if (i < b->nalldeps)
                continue;
            if (pick == SIZE_MAX)
                pick = e->order[k];
            if (b->mode == TERN_STATE_DATA) {
                pick = e->order[k];
                break;
            }
        }
        if (pick == SIZE_MAX) /* not for an acyclic graph */
            pick = e->order[n];
        placed[pick] = 1;
        order[n++] = pick;
    }
    *out = order;
    order = NULL;
done:
    tern_free(order);
    tern_free(placed);
    return error;
}

static int plan_data(struct planrun *pr, size_t idx, const struct eblock *b,
                     tern_value *cfg)
{
    struct pinst *pi = &pr->plan->insts[idx];
    json_t *jc = NULL, *res = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_op op;
    int error = TERN_OK, chg, rep;
    char **paths = NULL;
    size_t np = 0;
    struct eprov *p = &pr->e->provs[b->prov];

    if (!tern_value_is_wholly_known(cfg) || deps_pending(pr, b)) {
        error = tern__plan_object(b->module->schema, NULL, cfg, NULL, 0,
                                  &pi->after, &chg, &rep, &paths, &np);
        pi->pub.action = TERN_ACTION_READ;
        pi->pub.reason = TERN_REASON_READ_DEFERRED;
        goto done;
    }
    if (b->check_scoped &&
        (error = tern__provider_init(pr->e, p, b->module, &d))) {
        /* A check block's data source warns, whatever failed. */
        data_failed(pr, b, pi, error, &d);
        error = error == TERN_ENOMEM ? error : TERN_OK;
        goto done;
    }
    if ((error = tern__provider_init(pr->e, p, b->module, pr->diags)))
        goto fail;
    jc = tern_value_to_json(cfg);
    TERN_CHECK_ALLOC(jc);
    if (pr->block_pending) {
        /* Read on its own thread; data_finish() completes the instance
         * before anything that depends on it is planned. */
        error = data_start(pr, idx, pi->block, p, jc);
        jc = NULL;
        goto done;
    }
    tern__op_fill(pr->e, &op, p, pi->addr, &d, NULL);
    if ((error = b->module->read(&res, &op, jc))) {
        data_failed(pr, b, pi, error, &d);
        error = TERN_OK;
        goto done;
    }
    pi->after = tern__value_from_state(b->module->schema, res);
    TERN_CHECK_ALLOC(pi->after);
    pi->data_write = 1;
    goto done;
fail:
    pr->plan->errored = 1;
    error = TERN_OK;
done:
    while (np)
        tern_free(paths[--np]);
    tern_free(paths);
    tern_diags_release(&d);
    json_decref(jc);
    json_decref(res);
    return error;
}

/* Postconditions against the planned object (`self`): what is not known
 * yet waits for apply. */
static int plan_postconditions(struct planrun *pr, struct pinst *pi)
{
    int rc = tern__resource_conditions(&pr->cx, pi, 1, pi->after, pr->diags);

    if (rc == TERN_ERROR)
        pr->plan->errored = 1;
    return rc == TERN_ENOMEM ? rc : TERN_OK;
}

/* The instance's object in the state, claimed: its attributes and
 * sensitive paths, whether it is tainted, or gone (refreshed away). */
static int plan_claim(struct planrun *pr, struct pinst *pi,
                      const json_t **prior, const json_t **prior_sens,
                      int *tainted, int *gone)
{
    size_t si = 0;
    int error = TERN_OK;

    if (!tern__map_get(&pr->st_map, pi->addr, &si))
        goto done;
    pr->claimed[si] = 1;
    if (pr->st_prev[si]) {
        pi->prev_addr = tern_strdup(pr->st_prev[si]);
        TERN_CHECK_ALLOC(pi->prev_addr);
    }
    if (pr->gone[si]) {
        *gone = 1;
    } else {
        pi->in_state = 1;
        *prior = pr->st[si].attributes;
        *prior_sens = pr->st[si].sensitive;
        *tainted = pr->st[si].status == TERN_STATE_TAINTED;
    }
done:
    return error;
}

/* An instance not in the state that an import block targets: the object
 * the provider imports (into *found) becomes its prior. TERN_ERROR: the
 * import failed and the plan is marked errored. */
static int plan_import(struct planrun *pr, struct pinst *pi,
                       const struct eblock *b, json_t **found)
{
    const tern_module *m = b->module;
    struct tern_diags d = TERN_DIAGS_INIT;
    struct eprov *p = NULL;
    tern_op op;
    int rc = TERN_OK;

    if ((rc = import_for(pr, pi->addr, &pi->import_id)) == TERN_ENOMEM)
        goto done;
    if (rc) {
        pr->plan->errored = 1;
        rc = TERN_ERROR;
        goto done;
    }
    if (!pi->import_id)
        goto done;
    p = &pr->e->provs[b->prov];
    rc = tern__provider_init(pr->e, p, m, pr->diags);
    tern__op_fill(pr->e, &op, p, pi->addr, &d, NULL);
    if (!rc && !m->import) {
        tern_diags_add(pr->diags, TERN_SEV_ERROR, NULL,
                       "Resource type cannot be imported",
                       "%s does not support import.", m->type_name);
        rc = TERN_EINVALID;
    } else if (!rc && (rc = m->import(found, &op, pi->import_id)) != 0) {
        /* Terraform stops at ImportResourceState's own diagnostics,
         * appended as the provider gave them ("Resource Import Not
         * Implemented"); "non-existent" alone is its words for an object
         * the provider found no trace of (internal/terraform/
         * node_resource_plan_instance.go, importState), as for the import
         * command (apply.c). */
        if (rc == TERN_ENOTFOUND) {
            tern__import_missing(pr->diags, pi->addr);
        } else {
            if (d.errors == 0)
                tern_diags_add(pr->diags, TERN_SEV_ERROR, NULL, "Import failed",
                               "Importing %s with ID \"%s\": %s.", pi->addr,
                               pi->import_id, tern_strerror(rc));
            if (tern_diags_move(pr->diags, &d) == TERN_ENOMEM) {
                rc = TERN_ENOMEM;
                goto done;
            }
        }
    }
    if (rc) {
        pr->plan->errored = 1;
        rc = TERN_ERROR;
    }
done:
    tern_diags_release(&d);
    return rc;
}

/* An instance with neither state nor import: with an intent left by an
 * interrupted create (or -lookup-creates), the module's lookup may find
 * the object, which is then adopted (into *found) as the prior. */
static int plan_lookup(struct planrun *pr, struct pinst *pi,
                       const struct eblock *b, const tern_value *cfg,
                       json_t **found)
{
    const tern_module *m = b->module;
    const tern_state_intent *in = intent_for(pr, pi->addr);
    struct tern_diags d = TERN_DIAGS_INIT;
    struct eprov *p = NULL;
    json_t *jd = NULL;
    tern_op op;
    int rc = TERN_OK;
    int error = TERN_OK;

    if (!((in || pr->opts->lookup_creates) && m->lookup &&
          tern_value_is_wholly_known(cfg))) {
        if (in)
            pi->intent = in->id;
        goto done;
    }
    pi->intent = in ? in->id : 0;
    jd = tern_value_to_json(cfg);
    TERN_CHECK_ALLOC(jd);
    p = &pr->e->provs[b->prov];
    rc = tern__provider_init(pr->e, p, m, pr->diags);
    tern__op_fill(pr->e, &op, p, pi->addr, &d, NULL);
    if (!rc)
        rc = m->lookup(found, &op, jd);
    if (rc == TERN_OK) {
        pi->adopt = json_incref(*found);
        emit(pr, TERN_EVENT_ADOPT, pi->addr, NULL, 0, NULL);
    } else if (rc != TERN_ENOTFOUND) {
        tern_diags_move(pr->diags, &d);
        pr->plan->errored = 1;
    }
done:
    tern_diags_release(&d);
    json_decref(jd);
    return error;
}

/* Whether an instance with a prior is replaced whatever its diff says
 * (-replace, tainted, replace_triggered_by), with the reason. */
static int plan_replacing(struct planrun *pr, struct pinst *pi,
                          const struct eblock *b, int tainted)
{
    if (pr->opts->n_replace &&
        listed(pr->opts->replace, pr->opts->n_replace, pi->addr)) {
        pi->pub.reason = TERN_REASON_REPLACE_REQUESTED;
        return 1;
    }
    if (tainted) {
        pi->pub.reason = TERN_REASON_TAINTED;
        return 1;
    }
    if (b->nrtb && triggered(pr, b)) {
        pi->pub.reason = TERN_REASON_REPLACE_TRIGGERED;
        return 1;
    }
    return 0;
}

/* The action the diff calls for, and its reason. */
static void plan_action(struct pinst *pi, const struct eblock *b, int gone,
                        int changed, int replace, int replacing)
{
    if (!pi->before) {
        pi->pub.action = TERN_ACTION_CREATE;
        if (gone)
            pi->pub.reason = TERN_REASON_GONE;
    } else if (replace) {
        pi->pub.action = b->cbd ? TERN_ACTION_CREATE_THEN_DELETE
                                : TERN_ACTION_DELETE_THEN_CREATE;
        if (!replacing)
            pi->pub.reason = TERN_REASON_REPLACE_FORCED;
    } else if (changed) {
        pi->pub.action = TERN_ACTION_UPDATE;
    }
}

static int plan_instance(struct planrun *pr, size_t idx)
{
    struct pinst *pi = &pr->plan->insts[idx];
    const struct eblock *b = &pr->e->blocks[pi->block];
    const tern_module *m = b->module;
    tern_value *cfg = NULL;
    const json_t *prior = NULL, *prior_sens = NULL;
    json_t *found = NULL;
    int error = TERN_OK, rc, changed = 0, replace = 0, replacing = 0;
    int tainted = 0, gone = 0;
    size_t np = 0;

    if ((error = plan_claim(pr, pi, &prior, &prior_sens, &tainted, &gone)))
        goto done;
    rc = tern__eval_config(&pr->cx, pi, b, &cfg, pr->diags);
    if (rc == TERN_ENOMEM) {
        error = rc;
        goto done;
    }
    if (rc) {
        pr->plan->errored = 1;
        goto done;
    }
    /* Preconditions before the instance is planned or read; a failed one
     * leaves it unplanned (postconditions: plan_conditions()). */
    if ((rc = tern__resource_conditions(&pr->cx, pi, 0, NULL, pr->diags))) {
        if (rc == TERN_ENOMEM)
            error = rc;
        pr->plan->errored = 1;
        goto done;
    }
    if (b->mode == TERN_STATE_DATA) {
        error = plan_data(pr, idx, b, cfg);
        if (!error && pi->data_write)
            error = plan_postconditions(pr, pi);
        goto done;
    }
    if (!prior && !gone) {
        if ((rc = plan_import(pr, pi, b, &found))) {
            if (rc == TERN_ENOMEM)
                error = rc;
            goto done;
        }
        if (pi->import_id)
            prior = found;
    }
    if (!prior && !pi->import_id) {
        if ((error = plan_lookup(pr, pi, b, cfg, &found)))
            goto done;
        if (pi->adopt)
            prior = found;
    }
    if (prior) {
        /* With the state's sensitive paths when the prior is the state's
         * (not an object found for an import or an interrupted create). */
        pi->before =
            tern__value_mark_paths(tern__value_from_state(m->schema, prior),
                                   prior != found ? prior_sens : NULL);
        TERN_CHECK_ALLOC(pi->before);
        replacing = plan_replacing(pr, pi, b, tainted);
    }
    if ((error = tern__plan_object(m->schema, b, cfg, pi->before, replacing,
                                   &pi->after, &changed, &replace, &pi->rpaths,
                                   &np)))
        goto done;
    plan_action(pi, b, gone, changed, replace, replacing);
    error = plan_postconditions(pr, pi);
done:
    if (pi->after) {
        pr->cx.values[idx] = tern_value_incref(pi->after);
        tern__block_changed(&pr->cx, pi->block);
    }
    tern_value_decref(cfg);
    json_decref(found);
    return error;
}

static int expand_block(struct planrun *pr, size_t bi)
{
    tern_engine *e = pr->e;
    const struct eblock *b = &e->blocks[bi];
    tern_value *coll = NULL, *tmp[2];
    struct tern_lang_scope sc;
    size_t n = 1, i;
    int keyed = 0, error = TERN_OK, rc;

    tern__scope_init_mod(&sc, &pr->cx, b->mod, NULL, tmp);
    if (b->count || b->for_each) {
        const struct tern_expr *x = b->count ? b->count : b->for_each;
        int64_t cnt = 0;

        rc = tern_lang_eval(x, &sc, &coll, pr->diags);
        if (rc == TERN_ENOMEM)
            return rc;
        if (rc) {
            pr->plan->errored = 1;
            pr->cx.block_keyed[bi] = -1;
            tern__block_changed(&pr->cx, bi);
            return TERN_OK;
        }
        /* A map's values may be unknown (each.value is then unknown too);
         * its keys, and a set's elements, must be known. */
        if (tern_value_is_unknown(coll) ||
            (tern_value_kind(coll) != TERN_VAL_OBJECT &&
             !tern_value_is_wholly_known(coll))) {
            tern_diags_add(pr->diags, TERN_SEV_ERROR, &x->range,
                           b->count ? "Invalid count argument"
                                    : "Invalid for_each argument",
                           "The value of %s for %s depends on resource "
                           "attributes that cannot be determined until "
                           "apply. Use -target to first apply only the "
                           "resources it depends on.",
                           b->count ? "count" : "for_each", b->addr);
            goto bad;
        }
        if (b->count) {
            if (!tern_value_get_int(coll, &cnt) || cnt < 0) {
                tern_diags_add(pr->diags, TERN_SEV_ERROR, &x->range,
                               "Invalid count argument",
                               "The count of %s must be a whole number, "
                               "zero or more.",
                               b->addr);
                goto bad;
            }
            keyed = 1;
            n = (size_t)cnt;
        } else {
            enum tern_value_kind k = tern_value_kind(coll);

            keyed = 2;
            n = tern_value_length(coll);
            if (k == TERN_VAL_SET) {
                for (i = 0; i < n; i++)
                    if (tern_value_kind(tern_value_list_get(coll, i)) !=
                        TERN_VAL_STRING)
                        break;
            }
            if ((k != TERN_VAL_SET && k != TERN_VAL_OBJECT) ||
                (k == TERN_VAL_SET && i < n)) {
                tern_diags_add(pr->diags, TERN_SEV_ERROR, &x->range,
                               "Invalid for_each argument",
                               "The for_each of %s must be a map, or a set "
                               "of strings; you gave a %s. Convert a list "
                               "with toset().",
                               b->addr,
                               tern_value_kind_name(tern_value_kind(coll)));
                goto bad;
            }
        }
    }
    for (i = 0; i < n; i++) {
        struct pinst *pi;
        size_t idx = pr->plan->ninsts;

        if ((error = tern__plan_add(pr->plan, &pi)))
            goto done;
        if ((error = values_fit(pr)))
            goto done;
        pi->block = bi;
        pi->prov = b->prov;
        pi->pub.mode = b->mode;
        pi->type = tern_strdup(b->type);
        pi->name = tern_strdup(b->name);
        if (*e->mods[b->mod].path) {
            pi->module = tern_strdup(e->mods[b->mod].path);
            TERN_CHECK_ALLOC(pi->module);
        }
        pi->cbd = b->cbd;
        pi->deps = deps_json(e, b);
        pi->provider = tern__provider_addr(&e->provs[b->prov]);
        TERN_CHECK_ALLOC(pi->type);
        TERN_CHECK_ALLOC(pi->name);
        TERN_CHECK_ALLOC(pi->deps);
        TERN_CHECK_ALLOC(pi->provider);
        if (keyed == 1) {
            pi->key_kind = TERN_STATE_KEY_INT;
            pi->key_int = (long long)i;
            pi->addr = tern_asprintf("%s[%zu]", b->addr, i);
        } else if (keyed == 2) {
            const char *key;
            json_t *q;
            char *qs;

            if (tern_value_kind(coll) == TERN_VAL_OBJECT) {
                key = tern_value_object_key(coll, i);
                pi->each_value =
                    tern_value_incref(tern_value_object_value(coll, i));
            } else {
                key = tern_value_get_string(tern_value_list_get(coll, i));
                pi->each_value =
                    tern_value_incref(tern_value_list_get(coll, i));
            }
            pi->key_kind = TERN_STATE_KEY_STRING;
            pi->key_str = tern_strdup(key);
            q = json_string(key);
            qs = q ? tern_json_dumps(q, JSON_ENCODE_ANY) : NULL;
            json_decref(q);
            pi->addr = qs ? tern_asprintf("%s[%s]", b->addr, qs) : NULL;
            free(qs); /* jansson's */
            TERN_CHECK_ALLOC(pi->key_str);
        } else {
            pi->addr = tern_strdup(b->addr);
        }
        TERN_CHECK_ALLOC(pi->addr);
        if ((error = block_push(&pr->cx, bi, idx)))
            goto done;
        if ((error = plan_instance(pr, idx)))
            goto done;
    }
    pr->cx.block_keyed[bi] = keyed;
    tern__block_changed(&pr->cx, bi);
    goto done;
bad:
    pr->plan->errored = 1;
    pr->cx.block_keyed[bi] = -1;
    tern__block_changed(&pr->cx, bi);
done:
    tern_value_decref(coll);
    tern_value_decref(tmp[0]);
    tern_value_decref(tmp[1]);
    return error;
}

/* In the state but not in the configuration (or everything, -destroy). */
static int plan_orphans(struct planrun *pr)
{
    size_t i, bi;
    int error = TERN_OK;

    for (i = 0; i < pr->nst; i++) {
        tern_state_resource *r = &pr->st[i];
        struct pinst *pi;
        const tern_module *m;
        struct addr a;

        if (pr->claimed[i] || pr->gone[i])
            continue;
        m = tern__engine_module(pr->e,
                                r->mode == TERN_STATE_DATA
                                    ? TERN_MODULE_DATA
                                    : TERN_MODULE_RESOURCE,
                                r->type);
        if (!m) {
            tern_diags_add(pr->diags, TERN_SEV_ERROR, NULL,
                           "Unknown resource type in the state",
                           "%s is in the state, but tern has no %s type; it "
                           "cannot be destroyed.",
                           pr->st_addr[i], r->type);
            pr->plan->errored = 1;
            continue;
        }
        if ((error = tern__plan_add(pr->plan, &pi)) || (error = values_fit(pr)))
            goto done;
        pi->addr = tern_strdup(pr->st_addr[i]);
        pi->prev_addr = pr->st_prev[i] ? tern_strdup(pr->st_prev[i]) : NULL;
        if (r->module && *r->module) {
            pi->module = tern_strdup(r->module);
            TERN_CHECK_ALLOC(pi->module);
        }
        pi->type = tern_strdup(r->type);
        pi->name = tern_strdup(r->name);
        pi->pub.mode = r->mode;
        pi->key_kind = r->key_kind;
        pi->key_int = r->key_int;
        pi->key_str = r->key_str ? tern_strdup(r->key_str) : NULL;
        pi->deps =
            r->dependencies ? json_deep_copy(r->dependencies) : json_array();
        pi->provider = r->provider ? tern_strdup(r->provider) : NULL;
        pi->in_state = 1;
        pi->orphan = 1;
        pi->cbd = r->create_before_destroy;
        pi->before = tern__value_mark_paths(
            tern__value_from_state(m->schema, r->attributes), r->sensitive);
        TERN_CHECK_ALLOC(pi->addr);
        TERN_CHECK_ALLOC(pi->type);
        TERN_CHECK_ALLOC(pi->name);
        TERN_CHECK_ALLOC(pi->before);
        TERN_CHECK_ALLOC(pi->deps);
        if ((pr->st_prev[i] && !pi->prev_addr) ||
            (r->key_str && !pi->key_str) || (r->provider && !pi->provider)) {
            error = TERN_ENOMEM;
            goto done;
        }
        pi->prov = tern__provider_for_state(pr->e, r->provider, m);
        if (pi->prov == SIZE_MAX) {
            error = TERN_ENOMEM;
            goto done;
        }
        pi->pub.action = TERN_ACTION_DELETE;
        /* removed { lifecycle { destroy = false } }: Forget, with the
         * reason a delete would have (deleteActionReason). */
        if (!pr->opts->destroy && r->mode == TERN_STATE_MANAGED &&
            tern__forgotten(pr->e, pi->addr))
            pi->pub.action = TERN_ACTION_FORGET;
        if (pr->opts->destroy)
            pi->pub.reason = TERN_REASON_DESTROY_MODE;
        else
            pi->pub.reason = TERN_REASON_NO_CONFIG;
        if (!tern__addr_parse(pi->addr, &a)) {
            if (tern__map_get(&pr->e->block_map, a.block_addr, &bi)) {
                pi->block = bi;
                if (!pr->opts->destroy)
                    pi->pub.reason = r->key_kind == TERN_STATE_KEY_INT
                                         ? TERN_REASON_COUNT_INDEX
                                     : r->key_kind == TERN_STATE_KEY_STRING
                                         ? TERN_REASON_EACH_KEY
                                         : TERN_REASON_NO_CONFIG;
            }
            tern__addr_release(&a);
        }
    }
done:
    return error;
}

/*
 * Deposed objects: the old objects of create_before_destroy replacements
 * whose delete failed or was cut short. The state holds one object per
 * address (the new one), so each is remembered by a "deposed" intent with
 * the whole old object as its identity; every plan (destroy or not)
 * deletes it, as Terraform does its deposed objects.
 */
static int plan_deposed(struct planrun *pr)
{
    size_t i, si;
    int error = TERN_OK;

    for (i = 0; i < pr->nintents; i++) {
        const tern_state_intent *in = &pr->intents[i];
        const tern_module *m;
        struct pinst *pi;
        struct addr a;
        int oom;

        if (strcmp(in->action, "deposed") != 0 ||
            tern__addr_parse(in->address, &a))
            continue;
        m = tern__engine_module(pr->e, TERN_MODULE_RESOURCE, a.type);
        if (!m) {
            tern_diags_add(pr->diags, TERN_SEV_ERROR, NULL,
                           "Unknown resource type in the state",
                           "A deposed object of %s is in the state, but tern "
                           "has no %s type; it cannot be destroyed.",
                           in->address, a.type);
            pr->plan->errored = 1;
            tern__addr_release(&a);
            continue;
        }
        if ((error = tern__plan_add(pr->plan, &pi)) ||
            (error = values_fit(pr))) {
            tern__addr_release(&a);
            goto done;
        }
        pi->addr = tern_strdup(in->address);
        pi->type = tern_strdup(a.type);
        pi->name = tern_strdup(a.name);
        pi->pub.mode = TERN_STATE_MANAGED;
        pi->key_kind = a.key_kind;
        pi->key_int = a.key_int;
        pi->key_str = a.key_str ? tern_strdup(a.key_str) : NULL;
        oom = a.key_str && !pi->key_str;
        tern__addr_release(&a);
        pi->deps = json_array();
        if (tern__map_get(&pr->st_map, in->address, &si) &&
            pr->st[si].provider) {
            pi->provider = tern_strdup(pr->st[si].provider);
            oom |= !pi->provider;
        }
        pi->before = tern__value_from_state(m->schema, in->identity);
        TERN_CHECK_ALLOC(pi->addr);
        TERN_CHECK_ALLOC(pi->type);
        TERN_CHECK_ALLOC(pi->name);
        TERN_CHECK_ALLOC(pi->deps);
        TERN_CHECK_ALLOC(pi->before);
        if (oom) {
            error = TERN_ENOMEM;
            goto done;
        }
        pi->prov = tern__provider_for_state(pr->e, pi->provider, m);
        if (pi->prov == SIZE_MAX) {
            error = TERN_ENOMEM;
            goto done;
        }
        pi->pub.action = TERN_ACTION_DELETE;
        pi->deposed = in->id;
        pi->intent = in->id;
    }
done:
    return error;
}

/* A create_before_destroy replacement forces it on what it depends on, or
 * the two replacements would wait for each other. */
static void spread_cbd(struct planrun *pr)
{
    size_t i, j, k;

    for (i = 0; i < pr->plan->ninsts; i++) {
        const struct pinst *pi = &pr->plan->insts[i];
        const struct eblock *b;

        if (pi->pub.action != TERN_ACTION_CREATE_THEN_DELETE ||
            pi->block == SIZE_MAX)
            continue;
        b = &pr->e->blocks[pi->block];
        for (j = 0; j < b->nalldeps; j++)
            for (k = 0; k < pr->cx.nblock_insts[b->alldeps[j]]; k++) {
                struct pinst *d =
                    &pr->plan->insts[pr->cx.block_insts[b->alldeps[j]][k]];

                if (d->pub.action == TERN_ACTION_DELETE_THEN_CREATE) {
                    d->pub.action = TERN_ACTION_CREATE_THEN_DELETE;
                    d->cbd = 1;
                }
            }
    }
}

/* The block part of an instance address: test_object.a of test_object.a[0]. */
static char *block_of(const char *addr)
{
    return tern_strndup(addr, tern__block_addr_len(addr));
}

/*
 * -target: keep the targets and what they depend on (with -destroy: what
 * depends on them). Linear in the instances and their dependencies: the
 * instances of each block are chained from a map of block addresses.
 */
static int apply_targets(struct planrun *pr)
{
    struct tern_plan *p = pr->plan;
    unsigned char *in = tern_calloc(p->ninsts + 1, 1);
    char **ba = tern_calloc(p->ninsts + 1, sizeof(char *));
    size_t *next = tern_calloc(p->ninsts + 1, sizeof(size_t));
    struct tern__map head, hit;
    size_t t, i, j, k, first;
    int error = TERN_OK;

    memset(&head, 0, sizeof(head));
    memset(&hit, 0, sizeof(hit));
    TERN_CHECK_ALLOC(in);
    TERN_CHECK_ALLOC(ba);
    TERN_CHECK_ALLOC(next);
    for (i = p->ninsts; i-- > 0;) {
        ba[i] = block_of(p->insts[i].addr);
        TERN_CHECK_ALLOC(ba[i]);
        next[i] = tern__map_get(&head, ba[i], &first) ? first : SIZE_MAX;
        if ((error = tern__map_put(&head, ba[i], i)))
            goto done;
    }
    for (t = 0; t < pr->opts->n_targets; t++) {
        const char *target = pr->opts->targets[t];
        struct addr a;

        if (tern__addr_parse_any(target, &a, 1)) {
            tern_diags_add(pr->diags, TERN_SEV_ERROR, NULL,
                           "Invalid target address",
                           "\"%s\" is not a resource address.", target);
            p->errored = 1;
            continue;
        }
        if (a.is_module) {
            /* A module (instance) targets everything in it. */
            size_t tl = strlen(target);

            for (i = 0; i < p->ninsts; i++) {
                const char *ia = p->insts[i].addr;

                if (strncmp(ia, target, tl) != 0 ||
                    (ia[tl] != '.' && (ia[tl] != '[' || target[tl - 1] == ']')))
                    continue;
                in[i] = 1;
                if ((error = tern__map_put(&hit, ba[i], i))) {
                    tern__addr_release(&a);
                    goto done;
                }
            }
        } else if (tern__map_get(&head, a.block_addr, &first))
            for (i = first; i != SIZE_MAX; i = next[i])
                if (a.key_kind == TERN_STATE_KEY_NONE ||
                    strcmp(p->insts[i].addr, target) == 0) {
                    in[i] = 1;
                    if ((error = tern__map_put(&hit, ba[i], i))) {
                        tern__addr_release(&a);
                        goto done;
                    }
                }
        tern__addr_release(&a);
    }
    for (i = 0; i < p->ninsts; i++) {
        const json_t *deps = p->insts[i].deps;

        for (k = 0; k < json_array_size(deps); k++) {
            const char *dep = json_string_value(json_array_get(deps, k));

            if (!dep)
                continue;
            if (!pr->opts->destroy && in[i] == 1 &&
                tern__map_get(&head, dep, &first))
                for (j = first; j != SIZE_MAX; j = next[j])
                    if (!in[j])
                        in[j] = 2;
            if (pr->opts->destroy && !in[i] && tern__map_get(&hit, dep, &j))
                in[i] = 2;
        }
    }
    for (i = 0; i < p->ninsts; i++) {
        if (in[i])
            continue;
        p->insts[i].pub.action = TERN_ACTION_NOOP;
        p->insts[i].data_write = 0;
        tern_free(p->insts[i].prev_addr);
        p->insts[i].prev_addr = NULL;
        tern_free(p->insts[i].import_id);
        p->insts[i].import_id = NULL;
    }
done:
    for (i = 0; ba && i < p->ninsts; i++)
        tern_free(ba[i]);
    tern_free(ba);
    tern_free(next);
    tern_free(in);
    tern__map_release(&head);
    tern__map_release(&hit);
    return error;
}

/*
 * The input variables of every child module instance: nullable = false
 * and the validation rules, checked once per instance and reported at the
 * call's argument, as Terraform evaluates a module variable per module
 * instance (internal/terraform/eval_variable.go,
 * prepareFinalInputVariableValue and evalVariableValidations).
 */
static int check_module_vars(struct planrun *pr)
{
    tern_engine *e = pr->e;
    size_t m, i, j;
    int error = TERN_OK, rc;

    for (m = 1; m < e->nmods; m++) {
        const struct emod *em = &e->mods[m];

        for (i = 0; em->mc && i < em->cfg->variables.n; i++) {
            const struct tern_block *vb = em->cfg->variables.items[i];
            const struct tern_attribute *a =
                tern_lang_body_attr(em->mc->call->body, vb->labels[0]);
            const struct tern_range *at = a ? &a->expr->range : &vb->def_range;
            struct tern_diags scratch = TERN_DIAGS_INIT;
            struct tern_lang_scope sc;
            struct tern_lang_ref ref;
            tern_value *tmp[2], *v = NULL;
            int rules = 0;

            for (j = 0; j < vb->body->nblocks; j++)
                if (strcmp(vb->body->blocks[j]->type, "validation") == 0)
                    rules = 1;
            if (!rules && tern__var_nullable(vb))
                continue;
            tern__scope_init_mod(&sc, &pr->cx, m, NULL, tmp);
            memset(&ref, 0, sizeof(ref));
            ref.kind = "var";
            ref.name = vb->labels[0];
            ref.range = *at;
            /* A value that does not convert is reported where it is
             * used. */
            rc = tern__resolve(sc.ctx, &ref, &v, &scratch);
            tern_diags_release(&scratch);
            if (rc == TERN_OK && a && tern_value_is_null(v) &&
                !tern__var_nullable(vb)) {
                rc = tern_diags_add(pr->diags, TERN_SEV_ERROR, at,
                                    "Required variable not set",
                                    "The given value is not suitable for "
                                    "%s.var.%s defined at %s:%u,%u-%u: "
                                    "required variable may not be set to "
                                    "null.",
                                    em->path, vb->labels[0], vb->def_range.file,
                                    vb->def_range.start.line,
                                    vb->def_range.start.column,
                                    vb->def_range.end.column)
                         ? TERN_ERROR
                         : TERN_ENOMEM;
            } else if (rc == TERN_OK) {
                rc = tern_lang_variable_validate(vb, &sc, at, pr->diags);
            }
            tern_value_decref(v);
            tern_value_decref(tmp[0]);
            tern_value_decref(tmp[1]);
            if (rc == TERN_ENOMEM) {
                error = rc;
                goto done;
            }
            if (rc)
                pr->plan->errored = 1;
        }
    }
done:
    return error;
}

/*
 * The warning Terraform gives for a plan that forgets objects
 * (internal/terraform/context_plan.go, after the plan walk), naming each.
 */
static int warn_forgets(struct planrun *pr)
{
    tern_buf list = TERN_BUF_INIT;
    size_t i, n = 0;
    int error = TERN_OK;

    for (i = 0; i < pr->plan->ninsts; i++) {
        const struct pinst *pi = &pr->plan->insts[i];

        if (pi->pub.action != TERN_ACTION_FORGET)
            continue;
        tern_buf_printf(&list, " - %s\n", pi->addr);
        n++;
    }
    if (tern_buf_oom(&list)) {
        error = TERN_ENOMEM;
    } else if (n &&
               !tern_diags_add(pr->diags, TERN_SEV_WARNING, NULL,
                               "Some objects will no longer be managed by tern",
                               "If you apply this plan, tern will discard its "
                               "tracking information for the following "
                               "objects, but it will not delete them:\n%s\n"
                               "After applying this plan, tern will no longer "
                               "manage these objects. You will need to import "
                               "them into tern to manage them again.",
                               tern_buf_cstr(&list))) {
        error = TERN_ENOMEM;
    }
    tern_buf_release(&list);
    return error;
}

static void check_prevent_destroy(struct planrun *pr)
{
    size_t i;

    for (i = 0; i < pr->plan->ninsts; i++) {
        const struct pinst *pi = &pr->plan->insts[i];
        enum tern_action a = pi->pub.action;

        if (pi->block == SIZE_MAX || !pr->e->blocks[pi->block].prevent_destroy)
            continue;
        if (a != TERN_ACTION_DELETE && a != TERN_ACTION_DELETE_THEN_CREATE &&
            a != TERN_ACTION_CREATE_THEN_DELETE)
            continue;
        tern_diags_add(pr->diags, TERN_SEV_ERROR,
                       &pr->e->blocks[pi->block].block->def_range,
                       "Instance cannot be destroyed",
                       "Resource %s has lifecycle.prevent_destroy set, but "
                       "the plan calls for this resource to be destroyed. "
                       "To avoid this error and continue with the plan, "
                       "either disable lifecycle.prevent_destroy or reduce "
                       "the scope of the plan using the -target flag.",
                       pi->addr);
        pr->plan->errored = 1;
    }
}

/* An output's "type" (tern__output_type) into its object @o, when its
 * value is wholly known. */
static int output_type(struct evalctx *cx, const struct tern_expr *expr,
                       tern_value *o)
{
    const tern_value *v = tern_value_object_get(o, "value");
    json_t *j, *t;
    tern_value *tv;

    if (!tern_value_is_wholly_known(v))
        return TERN_OK;
    j = tern_value_to_json(v);
    t = j ? tern__output_type(cx->e, expr, j) : NULL;
    tv = t ? tern_value_from_json(t) : NULL;
    json_decref(j);
    json_decref(t);
    if (!tv)
        return TERN_ENOMEM;
    return tern_value_object_set(o, "type", tv) ? TERN_ENOMEM : TERN_OK;
}

int tern__eval_outputs(struct evalctx *cx, tern_value **out, int strict,
                       struct tern_diags *diags)
{
    const struct tern_blockvec *ov = &cx->e->config->outputs;
    tern_value *all = tern_value_object_new(), *v = NULL, *o = NULL;
    size_t i;
    int error = TERN_OK, rc, pre_failed = 0;
    struct tern_diags scratch = TERN_DIAGS_INIT;

    TERN_CHECK_ALLOC(all);
    for (i = 0; i < ov->n; i++) {
        const struct tern_block *b = ov->items[i];
        const struct tern_attribute *va = tern_lang_body_attr(b->body, "value");
        const struct tern_attribute *sa =
            tern_lang_body_attr(b->body, "sensitive");
        struct tern_lang_scope sc;
        tern_value *tmp[2];
        int sens = 0;

        if (!va)
            continue;
        /* Its preconditions first: a failed one leaves it out. */
        rc = tern__output_conditions(cx, b, diags);
        if (rc == TERN_ENOMEM) {
            error = rc;
            goto done;
        }
        if (rc) {
            pre_failed = 1;
            continue;
        }
        tern__scope_init(&sc, cx, NULL, tmp);
        rc = tern_lang_eval(va->expr, &sc, &v, strict ? diags : &scratch);
        tern_diags_release(&scratch);
        if (rc == TERN_ENOMEM) {
            error = rc;
            goto done;
        }
        if (rc) {
            if (strict)
                error = TERN_ERROR;
            continue;
        }
        if (sa && sa->expr->kind == TERN_EXPR_LITERAL)
            sens = tern_value_get_bool(sa->expr->u.literal);
        if (!sens && strict && tern_value_has_sensitive(v)) {
            tern_diags_add(diags, TERN_SEV_ERROR, &va->range,
                           "Output refers to sensitive values",
                           "To reduce the risk of accidentally exporting "
                           "sensitive data, output \"%s\" must set "
                           "sensitive = true.",
                           b->labels[0]);
            error = TERN_ERROR;
        }
        o = tern_value_object_new();
        TERN_CHECK_ALLOC(o);
        if (tern_value_object_set(o, "value", v)) {
            v = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        v = NULL;
        v = tern_value_bool(sens);
        TERN_CHECK_ALLOC(v);
        if (tern_value_object_set(o, "sensitive", v)) {
            v = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        v = NULL;
        if ((rc = output_type(cx, va->expr, o)) != 0) {
            error = rc;
            goto done;
        }
        if (tern_value_object_set(all, b->labels[0], o)) {
            o = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        o = NULL;
    }
    *out = all;
    all = NULL;
    if (!error && pre_failed)
        error = TERN_ERROR;
done:
    tern_value_decref(all);
    tern_value_decref(v);
    tern_value_decref(o);
    return error;
}

/* Whether applying would change the state's outputs. */
static int outputs_changed(struct planrun *pr)
{
    const tern_value *outs = pr->plan->outputs;
    json_t *old = NULL, *j;
    const char *k;
    size_t i;
    int error;

    if ((error = tern_state_outputs(pr->e->state, &old, pr->diags)))
        return error;
    json_object_foreach(old, k, j)
    {
        if (!outs || !tern_value_object_get(outs, k))
            pr->plan->outputs_changed = 1;
    }
    for (i = 0; outs && i < tern_value_length(outs); i++) {
        const tern_value *v =
            tern_value_object_get(tern_value_object_value(outs, i), "value");
        const json_t *was = json_object_get(
            json_object_get(old, tern_value_object_key(outs, i)), "value");
        json_t *now;

        if (!was || !tern_value_is_wholly_known(v)) {
            pr->plan->outputs_changed = 1;
            continue;
        }
        now = tern_value_to_json(v);
        if (!now || !json_equal(now, was))
            pr->plan->outputs_changed = 1;
        json_decref(now);
    }
    json_decref(old);
    return TERN_OK;
}

/* ---- the plan --------------------------------------------------------------
 */

static void planrun_release(struct planrun *pr)
{
    size_t i;

    /* Reads still in flight after an error: wait, and drop them. */
    for (i = 0; i < pr->ndreads; i++) {
        if (pr->dreads[i]->threaded)
            uv_thread_join(&pr->dreads[i]->tid);
        tern_diags_release(&pr->dreads[i]->d);
        json_decref(pr->dreads[i]->jc);
        json_decref(pr->dreads[i]->res);
        tern_free(pr->dreads[i]);
    }
    tern_free(pr->dreads);
    tern_free(pr->block_pending);
    tern_free(pr->order);
    imports_release(pr);

    for (i = 0; i < pr->nst; i++) {
        tern_free(pr->st_addr ? pr->st_addr[i] : NULL);
        tern_free(pr->st_prev ? pr->st_prev[i] : NULL);
    }
    tern_state_resources_free(pr->st, pr->nst);
    tern_free(pr->st_addr);
    tern_free(pr->st_prev);
    tern_free(pr->claimed);
    tern_free(pr->gone);
    tern__map_release(&pr->st_map);
    tern_state_intents_free(pr->intents, pr->nintents);
    for (i = 0; i < pr->avalues; i++)
        tern_value_decref(pr->cx.values[i]);
    tern_free(pr->cx.values);
    for (i = 0; pr->cx.block_insts && i < pr->e->nblocks; i++)
        tern_free(pr->cx.block_insts[i]);
    tern_free(pr->cx.block_insts);
    tern_free(pr->cx.nblock_insts);
    tern_free(pr->cx.block_keyed);
    tern__block_cache_release(&pr->cx, pr->e->nblocks);
}

/* The interrupts no executor run reported (one that stopped evaluation on
 * the loop thread, where no run was looking), as the executor does. */
static void report_interrupts(tern_engine *e)
{
    int n = atomic_load(&e->interrupts);
    tern_event ev;

    while (e->interrupt_events < n && e->interrupt_events < 2) {
        e->interrupt_events++;
        memset(&ev, 0, sizeof(ev));
        ev.version = TERN_EVENT_VERSION;
        ev.kind = TERN_EVENT_INTERRUPT;
        ev.count = e->interrupt_events;
        tern__engine_event(e, &ev);
    }
}

/* The plan's header: what it is made from (lineage, serial, variables,
 * the configuration's hash and files) and when. */
static int plan_header(struct planrun *pr)
{
    tern_engine *e = pr->e;
    struct tern_plan *p = pr->plan;
    time_t now = 0;
    struct tm tm;
    int error = TERN_OK;

    p->destroy = pr->opts->destroy;
    p->refresh_only = pr->opts->refresh_only;
    p->lineage = tern_strdup(tern_state_lineage(e->state));
    p->serial = tern_state_serial(e->state);
    p->tern_version = tern_strdup(TERN_VERSION);
    tern__plan_timestamp(p->timestamp, sizeof(p->timestamp));
    p->vars = tern_value_incref(e->vars);
    now = time(NULL);
    if (gmtime_r(&now, &tm))
        strftime(p->plan_timestamp, sizeof(p->plan_timestamp),
                 "%Y-%m-%dT%H:%M:%SZ", &tm);
    TERN_CHECK_ALLOC(p->lineage);
    TERN_CHECK_ALLOC(p->tern_version);
    p->cred_vars = json_array();
    TERN_CHECK_ALLOC(p->cred_vars);
    if ((error = tern__config_hash(e->config, p->config_hash, &p->files)) ||
        (error = tern__plan_redact(e->config, p->files, p->cred_vars)) ||
        (error = tern__checks_init(p, e)))
        goto done;
done:
    return error;
}

/* The run's tables: per block (instances, keyed, cached value) and per
 * state resource (address, previous address, claimed, gone), with the
 * state's resources and intents read in. */
static int plan_tables(struct planrun *pr)
{
    tern_engine *e = pr->e;
    size_t i;
    int error = TERN_OK;

    pr->cx.block_insts = tern_calloc(e->nblocks + 1, sizeof(size_t *));
    pr->cx.nblock_insts = tern_calloc(e->nblocks + 1, sizeof(size_t));
    pr->cx.block_keyed = tern_calloc(e->nblocks + 1, sizeof(int));
    pr->cx.block_cache = tern_calloc(e->nblocks + 1, sizeof(tern_value *));
    TERN_CHECK_ALLOC(pr->cx.block_cache);
    TERN_CHECK_ALLOC(pr->cx.block_insts);
    TERN_CHECK_ALLOC(pr->cx.nblock_insts);
    TERN_CHECK_ALLOC(pr->cx.block_keyed);
    for (i = 0; i < e->nblocks; i++)
        pr->cx.block_keyed[i] = -1;
    if ((error = tern_state_list(e->state, &pr->st, &pr->nst, pr->diags)))
        goto done;
    if ((error = tern_state_intents(e->state, &pr->intents, &pr->nintents,
                                    pr->diags)))
        goto done;
    pr->st_addr = tern_calloc(pr->nst + 1, sizeof(char *));
    pr->st_prev = tern_calloc(pr->nst + 1, sizeof(char *));
    pr->claimed = tern_calloc(pr->nst + 1, 1);
    pr->gone = tern_calloc(pr->nst + 1, 1);
    TERN_CHECK_ALLOC(pr->st_addr);
    TERN_CHECK_ALLOC(pr->st_prev);
    TERN_CHECK_ALLOC(pr->claimed);
    TERN_CHECK_ALLOC(pr->gone);
    for (i = 0; i < pr->nst; i++) {
        pr->st_addr[i] = tern_state_resource_address(&pr->st[i]);
        TERN_CHECK_ALLOC(pr->st_addr[i]);
    }
done:
    return error;
}

/* Moved blocks (or, for a destroy plan, the state's index by address),
 * then the refresh, whose drift is published and reported. */
static int plan_prior(struct planrun *pr)
{
    struct tern_plan *p = pr->plan;
    size_t i;
    int error = TERN_OK;

    if (!p->destroy && (error = apply_moved(pr)))
        goto done;
    if (p->destroy)
        for (i = 0; i < pr->nst; i++)
            if ((error = tern__map_put(&pr->st_map, pr->st_addr[i], i)))
                goto done;
    if ((pr->opts->refresh || pr->opts->refresh_only) && (error = refresh(pr)))
        goto done;
    if (pr->oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (i = 0; i < p->ndrift; i++)
        tern__pinst_publish(&p->drift[i]);
    for (i = 0; i < p->ndrift; i++)
        emit(pr, TERN_EVENT_DRIFT, p->drift[i].addr, &p->drift[i].pub, 0, NULL);
done:
    return error;
}

/* Every block in planning order, each after the data reads it waits for,
 * then the imports and claims. */
static int plan_blocks(struct planrun *pr)
{
    tern_engine *e = pr->e;
    size_t i;
    int error = TERN_OK;

    pr->block_pending = tern_calloc(e->nblocks + 1, 1);
    TERN_CHECK_ALLOC(pr->block_pending);
    if ((error = plan_order(e, &pr->order)))
        goto done;
    for (i = 0; i < e->nblocks; i++)
        if ((error = data_wait(pr, pr->order[i])) ||
            (error = expand_block(pr, pr->order[i])))
            goto done;
    if ((error = data_wait_all(pr)) || (error = check_imports(pr)) ||
        (error = tern__claims_plan(&pr->cx, pr->diags)))
        goto done;
done:
    return error;
}

/* After the changes: module variables, late variable validations, the
 * outputs and the check blocks. A failure the user must fix marks the
 * plan errored; only TERN_ENOMEM (or a module variable failure) stops. */
static int plan_values(struct planrun *pr)
{
    struct tern_plan *p = pr->plan;
    struct tern_lang_scope sc;
    tern_value *tmp[2];
    int rc = TERN_OK;
    int error = TERN_OK;

    if ((error = check_module_vars(pr)))
        goto done;
    /* Variable validations that refer to other objects (1.9). */
    tern__scope_init(&sc, &pr->cx, NULL, tmp);
    rc = tern_lang_variables_validate_late(pr->e->config, &sc, pr->diags);
    if (rc == TERN_ENOMEM) {
        error = rc;
        goto done;
    }
    if (rc)
        p->errored = 1;
    rc = tern__eval_outputs(&pr->cx, &p->outputs, 1, pr->diags);
    /* Check blocks last: they only warn. */
    if (rc != TERN_ENOMEM && tern__run_checks(&pr->cx, pr->diags))
        rc = TERN_ENOMEM;
    if (tern__checks_known(p))
        rc = TERN_ENOMEM;

    if (rc == TERN_ENOMEM) {
        error = rc;
        goto done;
    }
    if (rc)
        p->errored = 1;
done:
    return error;
}

/* The evaluation after the refresh: blocks, orphans, deposed objects,
 * targets, prevent_destroy, values, forgets and changed outputs. */
static int plan_evaluate(struct planrun *pr)
{
    struct tern_plan *p = pr->plan;
    int error = TERN_OK;

    /* The refresh is over: an interrupt from here on stops the
     * evaluation (tests interrupt once they see this line). */
    TERN_LOG_AT(TERN_LOG_DEBUG, "plan: evaluating the configuration");
    if (!p->destroy && (error = plan_blocks(pr)))
        goto done;
    if ((error = plan_orphans(pr)) || (error = plan_deposed(pr)))
        goto done;
    spread_cbd(pr);
    if (pr->opts->n_targets && (error = apply_targets(pr)))
        goto done;
    check_prevent_destroy(pr);
    if (!p->destroy && (error = plan_values(pr)))
        goto done;
    if ((error = warn_forgets(pr)) || (error = outputs_changed(pr)))
        goto done;
done:
    return error;
}

/* The plan's index, its changes announced and its summary. */
static int plan_finish(struct planrun *pr, long long t0)
{
    struct tern_plan *p = pr->plan;
    tern_event ev;
    size_t i;
    int error = TERN_OK;

    if (!p->outputs) {
        p->outputs = tern_value_object_new();
        TERN_CHECK_ALLOC(p->outputs);
    }
    if ((error = tern__plan_index(p)))
        goto done;
    for (i = 0; i < p->nchanges; i++)
        emit(pr, TERN_EVENT_PLANNED, p->changes[i]->addr, &p->changes[i]->pub,
             0, NULL);
    p->summary.elapsed = (double)(tern__now_ns() - t0) / 1e9;
    if (!pr->quiet) {
        memset(&ev, 0, sizeof(ev));
        ev.version = TERN_EVENT_VERSION;
        ev.kind = TERN_EVENT_SUMMARY;
        ev.summary = &p->summary;
        tern__engine_event(pr->e, &ev);
    }
done:
    return error;
}

int tern__engine_plan(tern_engine *e, const tern_plan_options *opts, int quiet,
                      tern_plan **out, struct tern_diags *diags)
{
    static const tern_plan_options defaults = TERN_PLAN_OPTIONS_INIT;
    struct planrun pr;
    struct tern_plan *p = NULL;
    long long t0 = tern__now_ns();
    int error = TERN_OK;

    *out = NULL;
    memset(&pr, 0, sizeof(pr));
    pr.e = e;
    pr.opts = opts ? opts : &defaults;
    pr.quiet = quiet;
    pr.diags = diags;
    atomic_store(&e->interrupts, 0);
    atomic_store(&e->cancel, 0);
    e->interrupt_events = 0;
    p = tern_calloc(1, sizeof(*p));
    TERN_CHECK_ALLOC(p);
    pr.plan = p;
    pr.cx.e = e;
    pr.cx.plan = p;
    if ((error = plan_header(&pr)) || (error = plan_tables(&pr)) ||
        (error = plan_prior(&pr)))
        goto done;
    if (!p->refresh_only && (error = plan_evaluate(&pr)))
        goto done;
    if ((error = plan_finish(&pr, t0)))
        goto done;
    *out = p;
    p = NULL;
    if ((*out)->errored)
        error = TERN_ERROR;
done:
    report_interrupts(e);
    planrun_release(&pr);
    tern_plan_free(p);
    return error;
}

int tern_engine_plan(tern_engine *engine, const tern_plan_options *opts,
                     tern_plan **out, struct tern_diags *diags)
{
    return tern__engine_plan(engine, opts, 0, out, diags);
}
