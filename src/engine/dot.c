/*
 * `tern graph`: the graph in Graphviz DOT. -type=plan draws the
 * configuration's resource instances and what each depends on; apply and
 * destroy draw the steps of a plan, with an edge from each step to every
 * step it waits for.
 */
#include "engine/engine_int.h"

#include <string.h>

#include "util/alloc.h"

static void quoted(tern_buf *b, const char *s)
{
    tern_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            tern_buf_putc(b, '\\');
        tern_buf_putc(b, *s);
    }
    tern_buf_putc(b, '"');
}

static void step_name(tern_buf *b, const struct tern_plan *p,
                      const struct step *s)
{
    const struct pinst *pi = &p->insts[s->inst];
    char *n = tern_asprintf("%s (%s)", pi->addr,
                            s->destroy ? "destroy"
                                       : tern_action_name(pi->pub.action));

    quoted(b, n ? n : pi->addr);
    tern_free(n);
}

int tern_engine_graph_dot(tern_engine *e, enum tern_graph_type type,
                          const tern_plan *plan, char **out,
                          struct tern_diags *diags)
{
    tern_plan_options po = TERN_PLAN_OPTIONS_INIT;
    struct tern_plan *own = NULL;
    const struct tern_plan *p = plan;
    tern_buf b = TERN_BUF_INIT;
    struct exec ex;
    size_t i, j, k, l;
    int error = TERN_OK;

    *out = NULL;
    memset(&ex, 0, sizeof(ex));
    if (!p) {
        po.refresh = 0;
        po.destroy = type == TERN_GRAPH_DESTROY;
        error = tern__engine_plan(e, &po, 1, &own, diags);
        if (!own)
            goto done;
        error = TERN_OK;
        p = own;
    } else if ((error = tern__bind_plan(e, (struct tern_plan *)p))) {
        goto done;
    }
    tern_buf_puts(&b, "digraph {\n  compound = \"true\"\n  newrank = "
                      "\"true\"\n  rankdir = \"RL\"\n");
    if (type == TERN_GRAPH_PLAN) {
        for (i = 0; i < p->ninsts; i++) {
            const struct pinst *pi = &p->insts[i];
            const struct eblock *blk;

            if (pi->orphan || pi->block == SIZE_MAX)
                continue;
            tern_buf_puts(&b, "  ");
            quoted(&b, pi->addr);
            tern_buf_puts(&b, " [label = ");
            quoted(&b, pi->addr);
            tern_buf_puts(&b, ", shape = \"box\"]\n");
            blk = &e->blocks[pi->block];
            for (j = 0; j < blk->ndeps; j++)
                for (k = 0; k < p->ninsts; k++) {
                    if (p->insts[k].orphan || p->insts[k].block != blk->deps[j])
                        continue;
                    tern_buf_puts(&b, "  ");
                    quoted(&b, pi->addr);
                    tern_buf_puts(&b, " -> ");
                    quoted(&b, p->insts[k].addr);
                    tern_buf_puts(&b, "\n");
                }
        }
    } else {
        if ((error = tern__apply_steps(e, p, &ex)))
            goto done;
        for (i = 0; i < ex.nsteps; i++) {
            tern_buf_puts(&b, "  ");
            step_name(&b, p, &ex.steps[i]);
            tern_buf_puts(&b, " [shape = \"box\"]\n");
        }
        for (i = 0; i < ex.nsteps; i++)
            for (l = 0; l < ex.steps[i].ndependents; l++) {
                tern_buf_puts(&b, "  ");
                step_name(&b, p, &ex.steps[ex.steps[i].dependents[l]]);
                tern_buf_puts(&b, " -> ");
                step_name(&b, p, &ex.steps[i]);
                tern_buf_puts(&b, "\n");
            }
    }
    tern_buf_puts(&b, "}\n");
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = tern_buf_detach(&b);
done:
    tern__exec_release(&ex);
    tern_buf_release(&b);
    tern_plan_free(own);
    return error;
}
