/*
 * Members of an owned set that another resource manages
 * (tern_arg_claims[], include/tern/module.h).
 *
 * aws_iam_role's inline_policy owns the role's whole set of inline
 * policies; an aws_iam_role_policy of the same role manages one of them.
 * With both in one configuration the provider's plans flip: each apply of
 * the role deletes the policy, each apply of the policy puts it back
 * (the provider documents the conflict; `validate` warns about it,
 * lint.c). tern plans the owner with the members the others name left in
 * place:
 *
 * - after every instance is planned, tern__claims_plan() finds, for each
 *   owner that sets the owned argument, the members its prior object has,
 *   its planned set lacks, and a planned object of the other type names
 *   (by the owner's key and the member), and plans the owner again with
 *   those members kept;
 * - at apply, tern__claims_keep() puts the members the plan kept back
 *   into the configuration evaluated then, so the apply does what the
 *   plan showed.
 *
 * A member nobody else names is still removed, as the owner says.
 */
#include "engine/engine_int.h"
#include "util/alloc.h"

#include <string.h>

/* The name of @p e, an element of an owned set (@p key: its attribute
 * naming it, or NULL for a string). NULL if it has none. */
static const char *member_name(const tern_value *e, const char *key)
{
    if (key)
        e = tern_value_kind(e) == TERN_VAL_OBJECT
                ? tern_value_object_get(e, key)
                : NULL;
    return e && tern_value_kind(e) == TERN_VAL_STRING ? tern_value_get_string(e)
                                                      : NULL;
}

static int is_collection(const tern_value *v)
{
    return v && (tern_value_kind(v) == TERN_VAL_LIST ||
                 tern_value_kind(v) == TERN_VAL_SET);
}

/* The element of @p set named @p name, or NULL. */
static const tern_value *element(const tern_value *set, const char *key,
                                 const char *name)
{
    size_t i, n = is_collection(set) ? tern_value_length(set) : 0;

    for (i = 0; i < n; i++) {
        const tern_value *e = tern_value_list_get(set, i);
        const char *m = member_name(e, key);

        if (m && strcmp(m, name) == 0)
            return e;
    }
    return NULL;
}

/* Whether @p v, a member argument of another object, names @p name: a
 * string, a collection of strings, or of blocks named by @p key. */
static int names_member(const tern_value *v, const char *key, const char *name)
{
    if (v && tern_value_kind(v) == TERN_VAL_STRING)
        return strcmp(tern_value_get_string(v), name) == 0;
    return element(v, key, name) != NULL;
}

/* Whether @p blk's configuration sets @p name (as an argument, a block or
 * a dynamic block): an aws_iam_role without inline_policy does not manage
 * its inline policies, though its planned value lists them. */
static int sets(const struct tern_block *blk, const char *name)
{
    size_t i;

    if (tern_lang_body_attr(blk->body, name))
        return 1;
    for (i = 0; i < blk->body->nblocks; i++) {
        const struct tern_block *nb = blk->body->blocks[i];

        if (strcmp(nb->type, name) == 0 ||
            (strcmp(nb->type, "dynamic") == 0 && nb->nlabels == 1 &&
             strcmp(nb->labels[0], name) == 0))
            return 1;
    }
    return 0;
}

static const char *known_string(const tern_value *obj, const char *name)
{
    const tern_value *v = obj ? tern_value_object_get(obj, name) : NULL;

    return v && tern_value_kind(v) == TERN_VAL_STRING ? tern_value_get_string(v)
                                                      : NULL;
}

/*
 * @p cfg with its @p c->name set extended by @p add (a list of elements
 * not in it). Blocks that name nothing (aws_iam_role's one empty
 * inline_policy block, "none") go: the set is no longer empty.
 */
static int extend(tern_value **cfg, const tern_arg_claim *c,
                  const tern_value *add)
{
    const tern_value *was = tern_value_object_get(*cfg, c->name);
    tern_value *obj = tern_value_object_new(), *set = tern_value_list_new();
    size_t i, n = tern_value_length(*cfg);
    int error = TERN_OK;

    if (!obj || !set) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (i = 0; !error && is_collection(was) && i < tern_value_length(was);
         i++) {
        const tern_value *e = tern_value_list_get(was, i);

        if (!c->member_key || member_name(e, c->member_key))
            error = tern_value_list_append(set, tern_value_incref(e));
    }
    for (i = 0; !error && i < tern_value_length(add); i++)
        error = tern_value_list_append(
            set, tern_value_incref(tern_value_list_get(add, i)));
    for (i = 0; !error && i < n; i++) {
        const char *k = tern_value_object_key(*cfg, i);

        if (strcmp(k, c->name) != 0)
            error = tern_value_object_set(
                obj, k, tern_value_incref(tern_value_object_value(*cfg, i)));
    }
    if (error)
        goto done;
    if (!was || tern_value_kind(was) == TERN_VAL_SET) {
        set = tern_value_set_finish(set);
        if (!set) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    error = tern_value_object_set(obj, c->name, set);
    set = NULL;
    if (!error) {
        tern_value_decref(*cfg);
        *cfg = obj;
        obj = NULL;
    }
done:
    tern_value_decref(obj);
    tern_value_decref(set);
    return error;
}

/* Whether @p c's owned argument is set in @p cfg: null leaves the prior
 * standing, and so do no blocks at all. */
static int configured(const tern_value *cfg, const tern_arg_claim *c)
{
    const tern_value *v = tern_value_object_get(cfg, c->name);

    if (!v || tern_value_is_null(v) || !tern_value_is_wholly_known(v))
        return 0;
    return !(c->member_key && is_collection(v) && tern_value_length(v) == 0);
}

int tern__claims_keep(const tern_module *m, const tern_value *planned,
                      const tern_value *prior, tern_value **cfg)
{
    const tern_arg_claim *c;
    int error = TERN_OK;

    for (c = tern_arg_claims; !error && c->type; c++) {
        const tern_value *want, *had;
        tern_value *add;
        size_t i, n;

        if (strcmp(c->type, m->type_name) != 0 || !prior || !planned ||
            !configured(*cfg, c))
            continue;
        want = tern_value_object_get(planned, c->name);
        had = tern_value_object_get(prior, c->name);
        n = is_collection(want) ? tern_value_length(want) : 0;
        if (!(add = tern_value_list_new()))
            return TERN_ENOMEM;
        for (i = 0; !error && i < n; i++) {
            const tern_value *e = tern_value_list_get(want, i);
            const char *name = member_name(e, c->member_key);

            if (name && element(had, c->member_key, name) &&
                !element(tern_value_object_get(*cfg, c->name), c->member_key,
                         name))
                error = tern_value_list_append(add, tern_value_incref(e));
        }
        if (!error && tern_value_length(add))
            error = extend(cfg, c, add);
        tern_value_decref(add);
    }
    return error;
}

/* The members of @p pi's prior that @p c leaves to other objects of the
 * plan, into @p add (a new list; empty when none). */
static int claimed(tern_engine *e, struct tern_plan *p, const struct pinst *pi,
                   const tern_arg_claim *c, tern_value **add)
{
    const tern_value *had = tern_value_object_get(pi->before, c->name);
    const tern_value *planned = tern_value_object_get(pi->after, c->name);
    const char *key = known_string(pi->after, c->key_arg);
    size_t i, j, n = is_collection(had) ? tern_value_length(had) : 0;
    int error = TERN_OK;

    if (!(*add = tern_value_list_new()))
        return TERN_ENOMEM;
    if (!key || !is_collection(planned))
        return TERN_OK;
    for (i = 0; !error && i < n; i++) {
        const tern_value *m = tern_value_list_get(had, i);
        const char *name = member_name(m, c->member_key);

        if (!name || element(planned, c->member_key, name))
            continue;
        for (j = 0; j < p->ninsts; j++) {
            const struct pinst *o = &p->insts[j];
            const char *ref;

            if (o->block == SIZE_MAX || !o->after ||
                e->blocks[o->block].mode != TERN_STATE_MANAGED ||
                strcmp(e->blocks[o->block].module->type_name, c->other_type) !=
                    0 ||
                o->pub.action == TERN_ACTION_DELETE ||
                !sets(e->blocks[o->block].block, c->other_member))
                continue;
            ref = known_string(o->after, c->other_arg);
            if (ref && strcmp(ref, key) == 0 &&
                names_member(tern_value_object_get(o->after, c->other_member),
                             c->other_member_key, name)) {
                error = tern_value_list_append(*add, tern_value_incref(m));
                break;
            }
        }
    }
    return error;
}

/* Plan @p pi (instance @p idx) again with the members others manage kept. */
static int replan(struct evalctx *cx, size_t idx, struct tern_diags *diags)
{
    struct pinst *pi = &cx->plan->insts[idx];
    const struct eblock *b = &cx->e->blocks[pi->block];
    const tern_arg_claim *c;
    tern_value *cfg = NULL, *after = NULL, *add = NULL;
    char **paths = NULL;
    size_t np = 0, i;
    int error = TERN_OK, changed = 0, replace = 0, any = 0;

    for (c = tern_arg_claims; !error && c->type; c++) {
        if (strcmp(c->type, b->module->type_name) != 0)
            continue;
        if ((error = claimed(cx->e, cx->plan, pi, c, &add)))
            break;
        if (tern_value_length(add) && !cfg) {
            error = tern__eval_config(cx, pi, b, &cfg, diags);
            if (error)
                break;
        }
        if (tern_value_length(add) && configured(cfg, c)) {
            error = extend(&cfg, c, add);
            any = 1;
        }
        tern_value_decref(add);
        add = NULL;
    }
    if (error || !any)
        goto done;
    if ((error = tern__plan_object(b->module->schema, b, cfg, pi->before, 0,
                                   &after, &changed, &replace, &paths, &np)))
        goto done;
    if (replace) /* only an update or nothing is planned again */
        goto done;
    for (i = 0; pi->rpaths && pi->rpaths[i]; i++)
        tern_free(pi->rpaths[i]);
    tern_free(pi->rpaths);
    pi->rpaths = paths;
    paths = NULL;
    np = 0;
    tern_value_decref(pi->after);
    pi->after = after;
    after = NULL;
    pi->pub.action = changed ? TERN_ACTION_UPDATE : TERN_ACTION_NOOP;
    tern_value_decref(cx->values[idx]);
    cx->values[idx] = tern_value_incref(pi->after);
    tern__block_changed(cx, pi->block);
done:
    while (np)
        tern_free(paths[--np]);
    tern_free(paths);
    tern_value_decref(add);
    tern_value_decref(cfg);
    tern_value_decref(after);
    return error;
}

int tern__claims_plan(struct evalctx *cx, struct tern_diags *diags)
{
    struct tern_plan *p = cx->plan;
    const tern_arg_claim *c;
    size_t i;
    int error = TERN_OK;

    for (i = 0; !error && i < p->ninsts; i++) {
        const struct pinst *pi = &p->insts[i];

        if (pi->block == SIZE_MAX || !pi->before || !pi->after ||
            cx->e->blocks[pi->block].mode != TERN_STATE_MANAGED ||
            (pi->pub.action != TERN_ACTION_UPDATE &&
             pi->pub.action != TERN_ACTION_NOOP))
            continue;
        for (c = tern_arg_claims; c->type; c++)
            if (strcmp(c->type, cx->e->blocks[pi->block].module->type_name) ==
                0)
                break;
        if (c->type)
            error = replan(cx, i, diags);
    }
    return error;
}
