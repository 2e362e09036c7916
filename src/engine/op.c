/*
 * What the engine gives every operation beside tern_op itself
 * (tern/module.h): a sleep on the engine's clock (tern/clock.h) that an
 * interrupt cuts short, and a place to say
 * what it waits for (tern_op_progress, read by tern_engine_progress).
 */
#include "tern/module.h"

#include "tern/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/engine_int.h"
#include "util/alloc.h"

void tern__op_fill(tern_engine *e, tern_op *op, struct eprov *p,
                   const char *addr, struct tern_diags *d,
                   struct tern_progress *progress)
{
    memset(op, 0, sizeof(*op));
    op->version = TERN_OP_VERSION;
    op->address = addr;
    op->diags = d;
    op->client = p ? p->client : NULL;
    op->provider = p ? p->settings : NULL;
    op->cancel = &e->cancel;
    op->stop = &e->interrupts;
    op->clock = e->clock;
    op->user = e->module_user;
    op->progress = progress;
}

int tern_op_wait(const tern_op *op, long ms)
{
    /* The first interrupt (stop) already ends a wait for a service. */
    return tern_clock_sleep(op->clock, ms, op->stop ? op->stop : op->cancel);
}

int tern_op_sleep(const tern_op *op, long ms)
{
    return tern_clock_sleep(op->clock, ms, op->cancel);
}

/* ---- progress texts ------------------------------------------------------
 * One mutex guards the map: writers are the steps' worker threads, readers
 * the CLI's ticker; every access copies, so no text outlives its lock.
 */

struct tern_progress *tern__progress_new(void)
{
    struct tern_progress *p = tern_calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->texts = json_object();
    if (!p->texts || pthread_mutex_init(&p->mu, NULL) != 0) {
        json_decref(p->texts);
        tern_free(p);
        return NULL;
    }
    return p;
}

void tern__progress_free(struct tern_progress *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->mu);
    json_decref(p->texts);
    tern_free(p);
}

void tern__progress_clear(struct tern_progress *p, const char *address)
{
    if (!p || !address)
        return;
    pthread_mutex_lock(&p->mu);
    json_object_del(p->texts, address);
    pthread_mutex_unlock(&p->mu);
}

void tern_op_progress(const tern_op *op, const char *text)
{
    char buf[TERN_PROGRESS_MAX + 1];
    size_t n = 0;
    json_t *s;

    if (!op || !op->progress || !op->address)
        return;
    if (!text) {
        tern__progress_clear(op->progress, op->address);
        return;
    }
    /* Printable and short: a server's state may be anything. A cut never
     * splits a UTF-8 sequence (it backs off its continuation bytes). */
    for (; text[n] && n < TERN_PROGRESS_MAX; n++) {
        unsigned char c = (unsigned char)text[n];

        buf[n] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (text[n])
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    buf[n] = '\0';
    s = json_stringn_nocheck(buf, n);
    if (!s)
        return;
    pthread_mutex_lock(&op->progress->mu);
    /* Progress only: a text that could not be kept is dropped, not left
     * stale. */
    if (json_object_set_new(op->progress->texts, op->address, s) != 0)
        json_object_del(op->progress->texts, op->address);
    pthread_mutex_unlock(&op->progress->mu);
}

int tern_engine_progress(tern_engine *engine, const char *address, char *buf,
                         size_t size)
{
    const char *t;
    int found = 0;

    if (size)
        buf[0] = '\0';
    if (!engine || !engine->progress || !address || !size)
        return 0;
    pthread_mutex_lock(&engine->progress->mu);
    t = json_string_value(json_object_get(engine->progress->texts, address));
    if (t) {
        snprintf(buf, size, "%s", t);
        found = 1;
    }
    pthread_mutex_unlock(&engine->progress->mu);
    return found;
}
