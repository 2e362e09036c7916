/*
 * Propagation: what the refresh's wait (plan.c, settle) and the apply's
 * confirmation (apply.c) share. IAM is eventually consistent and tern
 * never reads back what it wrote, so a read right after a write may show
 * what was there before it. Such a read is lag, worth waiting for; a read
 * that shows anything else is a change someone else made, reported at
 * once (tern__settle_classify).
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tern/clock.h"
#include "tern/log.h"

long tern__propagation_window_ms(void)
{
    const char *env = getenv("TERN_PROPAGATION_WINDOW_MS");
    char *end = NULL;
    long v;

    if (!env || !*env)
        return 120000;
    v = strtol(env, &end, 10);
    return end && *end == '\0' && v >= 0 ? v : 120000;
}

long long tern__wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What a create's first call may leave for a later call to set. */
static int is_empty(const json_t *v)
{
    return !v || json_is_null(v) ||
           (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_array(v) && !json_array_size(v)) ||
           (json_is_object(v) && !json_object_size(v));
}

/* Attribute @name's values @a and @b mean the same (NULL: null). */
static int same_value(const tern_attr *schema, const char *name,
                      const json_t *a, const json_t *b)
{
    const tern_attr *sa = schema ? tern_schema_attr(schema, name) : NULL;
    int same = 0;

    if (!a)
        a = json_null();
    if (!b)
        b = json_null();
    if (json_equal(a, b))
        return 1;
    /* Out of memory tells nothing: not the same (the read is then taken
     * as it is, TERN__SETTLE_OTHER, and the refresh compares it again). */
    return sa && sa->equivalent && json_is_string(a) && json_is_string(b) &&
           sa->equivalent(&same, a, b) == TERN_OK && same;
}

/* @read's attribute @name (differing from what tern wrote) is what it
 * was before one of tern's recent writes. */
static int was_before(const tern_attr *schema, const char *name,
                      const json_t *read, const json_t *before)
{
    const json_t *b;
    size_t i;

    json_array_foreach(before, i, b)
    {
        if (json_is_null(b)
                ? is_empty(read)
                : same_value(schema, name, json_object_get(b, name), read))
            return 1;
    }
    return 0;
}

int tern__settle_classify(const tern_attr *schema, const json_t *written,
                          int rc, const json_t *read, const json_t *before)
{
    const char *k;
    const json_t *v;
    size_t i;
    int lag = 0, same = 0;

    if (rc == TERN_ENOTFOUND) {
        json_array_foreach(before, i, v)
        {
            if (json_is_null(v))
                return TERN__SETTLE_LAG;
        }
        return TERN__SETTLE_OTHER;
    }
    if (rc != TERN_OK || !read)
        return TERN__SETTLE_OTHER;
    /* Equal as a refresh compares them (null as the zero value, sets in
     * any order, equivalent policies): nothing to wait for. */
    if (tern__state_same(&same, schema, written, read) != TERN_OK)
        return TERN__SETTLE_OTHER;
    if (same)
        return TERN__SETTLE_SAME;
    /* Every attribute either side has, each on its own: IAM propagates
     * the calls of one write separately (a trust policy and tags). */
    json_object_foreach((json_t *)written, k, v)
    {
        const json_t *r = json_object_get(read, k);

        if (same_value(schema, k, v, r))
            continue;
        if (!was_before(schema, k, r, before))
            return TERN__SETTLE_OTHER;
        lag = 1;
    }
    json_object_foreach((json_t *)read, k, v)
    {
        if (json_object_get(written, k) || same_value(schema, k, NULL, v))
            continue;
        if (!was_before(schema, k, v, before))
            return TERN__SETTLE_OTHER;
        lag = 1;
    }
    return lag ? TERN__SETTLE_LAG : TERN__SETTLE_SAME;
}

const char *tern__service_name(const tern_module *m)
{
    const tern_provider *p = m ? tern_provider_find(m->provider) : NULL;

    if (p && p->service)
        return p->service;
    return m && m->provider ? m->provider : "the service";
}

int tern__wait_sleep(tern_engine *e, const tern_op *op, long ms)
{
    /* The first interrupt raises e->interrupts; the second also
     * op->cancel (then interrupts is 2 too). */
    return tern_clock_sleep(op->clock ? op->clock : e->clock, ms,
                            &e->interrupts);
}

void tern__confirm_work(struct step *s, struct tern__confirm *c)
{
    tern_engine *e = s->ex->e;
    long long deadline = c->written_ms + c->window_ms, noticed = 0;
    long wait = TERN_PROPAGATION_BACKOFF_FIRST_MS;
    int round = 0;

    for (;; round++) {
        struct tern_diags d = TERN_DIAGS_INIT;
        const struct tern__confirm_obj *first = NULL;
        tern_op op = s->top;
        void *snapshot = NULL;
        long long now;
        size_t i, pending = 0;
        int rc;

        op.diags = &d;
        rc = c->bop->fetch(&snapshot, &op);
        if (rc) {
            TERN_LOG_AT(TERN_LOG_DEBUG, "confirm: %s failed (%s%s%s); %s",
                        c->bop->name, tern_strerror(rc), d.count ? ": " : "",
                        d.count ? d.items[0].summary : "",
                        round ? "the rest stay unconfirmed"
                              : "the writes stay unconfirmed");
            tern_diags_release(&d);
            return;
        }
        for (i = 0; i < c->nobjs; i++) {
            struct tern__confirm_obj *o = &c->objs[i];
            json_t *read = NULL;

            if (o->state != TERN__SETTLE_LAG)
                continue;
            op.address = o->address;
            op.bulk = snapshot;
            rc = o->module->read(&read, &op, o->written);
            o->state = tern__settle_classify(o->module->schema, o->written, rc,
                                             read, o->before);
            json_decref(read);
            if (o->state == TERN__SETTLE_LAG && !pending++)
                first = o;
        }
        c->bop->free(snapshot);
        tern_diags_release(&d);
        now = tern__wall_ms();
        if (!pending || now >= deadline || atomic_load(&e->interrupts))
            return;
        if (wait > deadline - now)
            wait = (long)(deadline - now);
        if (!noticed || now - noticed >= TERN__WAIT_NOTICE_MS) {
            tern__exec_wait(s->ex, first->address, (int)pending,
                            tern__service_name(first->module),
                            (double)(now - c->written_ms) / 1000,
                            (double)(deadline - now) / 1000);
            noticed = now;
        }
        TERN_LOG_AT(TERN_LOG_INFO,
                    "confirm: %zu objects (%s first) do not read as written "
                    "yet; reading again in %ld ms (not yet propagated?)",
                    pending, first->address, wait);
        if (tern__wait_sleep(e, &s->top, wait))
            return;
        wait = wait * 2 > TERN_PROPAGATION_BACKOFF_MAX_MS
                   ? TERN_PROPAGATION_BACKOFF_MAX_MS
                   : wait * 2;
    }
}
