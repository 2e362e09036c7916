/*
 * Apply: turn a plan's changes into steps (a create/update/read half and a
 * destroy half per change), order them, and run them on the executor. Each
 * result is written to the state on the loop thread as it arrives: an
 * intent before a create or delete (tern_state_intent_begin), the object
 * and the intent's removal in one transaction after (tern_state_commit_step).
 *
 * Ordering, for an instance i that depends on j (through its block):
 *   - i's create/update waits for j's create/update;
 *   - j's destroy waits for i's destroy, and also for i's create/update
 *     unless j is replaced destroy-first (i cannot switch to a j that does
 *     not exist yet; that is what create_before_destroy is for, and the
 *     plan spreads it to j when i has it);
 *   - a destroy-then-create replacement creates after it destroys, a
 *     create_before_destroy one destroys the old object after creating.
 * Deletes therefore run in reverse dependency order.
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern/log.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/vec.h"

enum step_op {
    OP_NONE = 0,
    OP_READ,
    OP_CREATE,
    OP_UPDATE,
    OP_DELETE,
    OP_CONFIRM /* inst: a struct tern__confirm (see add_confirms) */
};

struct applyrun {
    tern_engine *e;
    struct tern_plan *plan;
    struct evalctx cx;
    struct tern_diags *diags;
    tern_state_intent *intents;
    size_t nintents;
    tern_summary sum;
    struct tern__confirm *confirms;
    size_t nconfirms, aconfirms;
    size_t confirms_skipped;
    int oom; /* the check results of a failed step could not be kept */
};

static int a_kind(enum tern_action a)
{
    return a == TERN_ACTION_CREATE || a == TERN_ACTION_UPDATE ||
           a == TERN_ACTION_READ || a == TERN_ACTION_DELETE_THEN_CREATE ||
           a == TERN_ACTION_CREATE_THEN_DELETE;
}

static int d_kind(enum tern_action a)
{
    return a == TERN_ACTION_DELETE || a == TERN_ACTION_DELETE_THEN_CREATE ||
           a == TERN_ACTION_CREATE_THEN_DELETE;
}

static const tern_module *inst_module(tern_engine *e, const struct pinst *pi)
{
    return tern__engine_module(e,
                               pi->pub.mode == TERN_STATE_DATA
                                   ? TERN_MODULE_DATA
                                   : TERN_MODULE_RESOURCE,
                               pi->type);
}

/* ---- steps and their order ---------------------------------------------- */

/* One block address's plan instances. */
struct dlist {
    char *key;
    TERN_VEC(size_t) items;
};

struct dlists {
    struct tern__map map; /* block address -> index into lists */
    TERN_VEC(struct dlist) lists;
};

static int dl_add(struct dlists *dl, const char *key, size_t v)
{
    struct dlist *l;
    size_t k;

    if (!tern__map_get(&dl->map, key, &k)) {
        if (tern_vec_reserve(&dl->lists, dl->lists.n + 1) != TERN_OK)
            return TERN_ENOMEM;
        k = dl->lists.n;
        l = &dl->lists.v[k];
        memset(l, 0, sizeof(*l));
        if (!(l->key = tern_strdup(key)))
            return TERN_ENOMEM;
        dl->lists.n++;
        if (tern__map_put(&dl->map, l->key, k))
            return TERN_ENOMEM;
    }
    return tern_vec_push(&dl->lists.v[k].items, v);
}

static void dl_release(struct dlists *dl)
{
    size_t i;

    for (i = 0; i < dl->lists.n; i++) {
        tern_free(dl->lists.v[i].key);
        tern_vec_release(&dl->lists.v[i].items);
    }
    tern_vec_release(&dl->lists);
    tern__map_release(&dl->map);
}

static char *block_addr_of(const char *addr)
{
    return tern_strndup(addr, tern__block_addr_len(addr));
}

/*
 * The instance of block @dep with @pi's own key, when @pi's block refers
 * to @dep only by that key (struct eblock's keyed): its plan index, or
 * SIZE_MAX when the whole block is waited for.
 */
static size_t keyed_target(tern_engine *e, const struct tern_plan *p,
                           const struct tern__map *insts,
                           const struct pinst *pi, const char *dep)
{
    const struct eblock *b;
    const char *key;
    size_t db, k, t;
    char *addr;
    int found;

    if (pi->block == SIZE_MAX || pi->key_kind == TERN_STATE_KEY_NONE ||
        !tern__map_get(&e->block_map, dep, &db))
        return SIZE_MAX;
    b = &e->blocks[pi->block];
    for (k = 0; k < b->nkeyed && b->keyed[k] != db; k++)
        ;
    key = pi->addr + tern__block_addr_len(pi->addr);
    if (k == b->nkeyed || !*key)
        return SIZE_MAX;
    addr = tern_asprintf("%s%s", dep, key);
    found = addr && tern__map_get(insts, addr, &t);
    tern_free(addr);
    return found && p->insts[t].pub.mode == TERN_STATE_MANAGED ? t : SIZE_MAX;
}

int tern__apply_steps(tern_engine *e, const struct tern_plan *p,
                      struct exec *ex)
{
    size_t *as = NULL, *ds = NULL, i, j, k, n = 0;
    struct dlists dl, cfg;
    struct tern__map insts;
    int error = TERN_OK;

    memset(&dl, 0, sizeof(dl));
    memset(&cfg, 0, sizeof(cfg));
    memset(&insts, 0, sizeof(insts));
    as = tern_calloc(p->ninsts + 1, sizeof(size_t));
    ds = tern_calloc(p->ninsts + 1, sizeof(size_t));
    TERN_CHECK_ALLOC(as);
    TERN_CHECK_ALLOC(ds);
    for (i = 0; i < p->ninsts; i++) {
        const struct pinst *pi = &p->insts[i];
        enum tern_action a = pi->pub.action;

        as[i] = ds[i] = SIZE_MAX;
        if (a_kind(a) || (a == TERN_ACTION_NOOP && !pi->orphan &&
                          (pi->import_id || pi->adopt)))
            as[i] = n++;
        if (d_kind(a))
            ds[i] = n++;
    }
    ex->steps = tern_calloc(n + 1, sizeof(*ex->steps));
    TERN_CHECK_ALLOC(ex->steps);
    ex->nsteps = n;
    for (i = 0; i < p->ninsts; i++) {
        const struct pinst *pi = &p->insts[i];
        char *ba;

        if (as[i] != SIZE_MAX) {
            ex->steps[as[i]].inst = i;
            ex->steps[as[i]].module = inst_module(e, pi);
        }
        if (ds[i] != SIZE_MAX) {
            ex->steps[ds[i]].inst = i;
            ex->steps[ds[i]].destroy = 1;
            ex->steps[ds[i]].module = inst_module(e, pi);
        }
        ba = block_addr_of(pi->addr);
        TERN_CHECK_ALLOC(ba);
        if (ds[i] != SIZE_MAX && (error = dl_add(&dl, ba, i))) {
            tern_free(ba);
            goto done;
        }
        if (!pi->orphan && as[i] != SIZE_MAX && (error = dl_add(&cfg, ba, i))) {
            tern_free(ba);
            goto done;
        }
        tern_free(ba);
        if (pi->pub.action == TERN_ACTION_DELETE_THEN_CREATE &&
            (error = tern__exec_edge(ex, as[i], ds[i])))
            goto done;
        if (pi->pub.action == TERN_ACTION_CREATE_THEN_DELETE &&
            (error = tern__exec_edge(ex, ds[i], as[i])))
            goto done;
    }
    /* Instances by address, for keyed dependencies. */
    for (i = 0; i < p->ninsts; i++)
        if (p->insts[i].block != SIZE_MAX &&
            (error = tern__map_put(&insts, p->insts[i].addr, i)))
            goto done;
    /* A deposed object is destroyed after its instance's new object is
     * made: Terraform's NodeDestroyDeposedResourceInstanceObject is always
     * create-before-destroy, so CBDEdgeTransformer makes its destroy
     * depend on the creation. */
    for (i = 0; i < p->ninsts; i++) {
        size_t c;

        if (p->insts[i].deposed && ds[i] != SIZE_MAX &&
            tern__map_get(&insts, p->insts[i].addr, &c) && c != i &&
            as[c] != SIZE_MAX && (error = tern__exec_edge(ex, ds[i], as[c])))
            goto done;
    }
    for (i = 0; i < p->ninsts; i++) {
        const struct pinst *pi = &p->insts[i];

        if (as[i] == SIZE_MAX && ds[i] == SIZE_MAX)
            continue;
        for (k = 0; k < json_array_size(pi->deps); k++) {
            const char *dep = json_string_value(json_array_get(pi->deps, k));
            size_t li, t;

            if (!dep)
                continue;
            /* Only the instance with this key, when that is all the
             * configuration refers to: aws_iam_role_policy.p["a"] waits
             * for aws_iam_role.r["a"], not for every role. */
            t = keyed_target(e, p, &insts, pi, dep);
            /* Creates and updates after what they depend on. */
            if (as[i] != SIZE_MAX && !pi->orphan &&
                tern__map_get(&cfg.map, dep, &li))
                for (j = 0; j < cfg.lists.v[li].items.n; j++) {
                    size_t c = cfg.lists.v[li].items.v[j];

                    if ((t == SIZE_MAX || c == t) &&
                        (error = tern__exec_edge(ex, as[i], as[c])))
                        goto done;
                }
            /* Destroys after what depends on them. */
            if (tern__map_get(&dl.map, dep, &li)) {
                for (j = 0; j < dl.lists.v[li].items.n; j++) {
                    size_t d = dl.lists.v[li].items.v[j];

                    if (d == i || (t != SIZE_MAX && d != t))
                        continue;
                    if (ds[i] != SIZE_MAX &&
                        (error = tern__exec_edge(ex, ds[d], ds[i])))
                        goto done;
                    if (as[i] != SIZE_MAX &&
                        p->insts[d].pub.action !=
                            TERN_ACTION_DELETE_THEN_CREATE &&
                        (error = tern__exec_edge(ex, ds[d], as[i])))
                        goto done;
                }
            }
        }
    }
done:
    dl_release(&dl);
    dl_release(&cfg);
    tern__map_release(&insts);
    tern_free(as);
    tern_free(ds);
    return error;
}

/* ---- the steps' work ------------------------------------------------------
 */

static void apply_event(struct applyrun *ar, enum tern_event_kind kind,
                        const struct pinst *pi, const struct step *s,
                        const char *id, const struct tern_diags *d)
{
    tern_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.version = TERN_EVENT_VERSION;
    ev.kind = kind;
    ev.address = pi->addr;
    ev.action = s && s->destroy ? TERN_ACTION_DELETE : pi->pub.action;
    ev.change = &pi->pub;
    ev.id = id;
    ev.elapsed = s && s->t1 ? (double)(s->t1 - s->t0) / 1e9 : 0;
    ev.diags = d;
    tern__engine_event(ar->e, &ev);
}

/*
 * What the plan showed as known must not change at apply (Terraform's
 * "inconsistent final plan"): only what was unknown may now be anything.
 */
static int check_consistent(struct step *s, const struct pinst *pi,
                            const struct eblock *b, const tern_value *now)
{
    const tern_attr *sa;
    int same, error;

    for (sa = b->module->schema; pi->after && sa && sa->name; sa++) {
        const tern_value *was = tern_value_object_get(pi->after, sa->name);
        const tern_value *is = tern_value_object_get(now, sa->name);

        if (!(sa->flags & (TERN_ATTR_REQUIRED | TERN_ATTR_OPTIONAL)) || !was ||
            !tern_value_is_wholly_known(was) || tern_value_is_null(was))
            continue;
        if ((error = tern__planned_same(&same, sa, was, is)))
            return error;
        if (same)
            continue;
        tern_diags_add(&s->diags, TERN_SEV_ERROR, &b->block->def_range,
                       "Inconsistent final plan",
                       "When applying %s, the value of \"%s\" differs from "
                       "the plan's. Create a new plan.",
                       pi->addr, sa->name);
        return TERN_ERROR;
    }
    return TERN_OK;
}

/* Evaluate an instance's configuration now that its dependencies are done;
 * it must be wholly known. */
static int desired_now(struct applyrun *ar, struct step *s,
                       const struct pinst *pi, int update)
{
    const struct eblock *b = &ar->e->blocks[pi->block];
    tern_value *cfg = NULL, *after = NULL, *coll = NULL;
    char **paths = NULL;
    size_t np = 0;
    int error, chg, rep;
    struct pinst now = *pi;

    /* each.value may have depended on what is applied now. */
    if (b->for_each && pi->each_value &&
        !tern_value_is_wholly_known(pi->each_value)) {
        struct tern_lang_scope sc;
        tern_value *tmp[2];

        tern__scope_init_mod(&sc, &ar->cx, b->mod, NULL, tmp);
        error = tern_lang_eval(b->for_each, &sc, &coll, &s->diags);
        if (error)
            goto done;
        if (tern_value_kind(coll) == TERN_VAL_OBJECT &&
            tern_value_object_get(coll, pi->key_str))
            now.each_value = tern_value_object_get(coll, pi->key_str);
    }
    error = tern__eval_config(&ar->cx, &now, b, &cfg, &s->diags);
    if (!error && update)
        error = tern__claims_keep(b->module, pi->after, pi->before, &cfg);
    /* Preconditions again, with what is known now (one unknown at plan
     * waited for this). */
    if (!error)
        error = tern__resource_conditions(&ar->cx, &now, 0, NULL, &s->diags);
    if (error)
        goto done;
    if (update) {
        error = tern__plan_object(b->module->schema, b, cfg, pi->before, 0,
                                  &after, &chg, &rep, &paths, &np);
        if (error)
            goto done;
    } else {
        after = tern_value_incref(cfg);
    }
    if ((error = check_consistent(s, pi, b, after)))
        goto done;
    if (!tern_value_is_wholly_known(after)) {
        tern_diags_add(&s->diags, TERN_SEV_ERROR, &b->block->def_range,
                       "Configuration not known at apply",
                       "The configuration of %s still has unknown values "
                       "after its dependencies were applied.",
                       pi->addr);
        error = TERN_ERROR;
        goto done;
    }
    s->desired = tern_value_to_json(after);
    json_decref(s->sens);
    s->sens = json_array();
    if (!s->desired || !s->sens ||
        tern__value_sensitive_paths(b->module->schema, after, s->sens))
        error = TERN_ENOMEM;
done:
    while (np)
        tern_free(paths[--np]);
    tern_free(paths);
    tern_value_decref(cfg);
    tern_value_decref(after);
    tern_value_decref(coll);
    return error;
}

static int64_t leftover_intent(struct applyrun *ar, const char *addr)
{
    size_t i;

    for (i = 0; i < ar->nintents; i++)
        if (strcmp(ar->intents[i].address, addr) == 0 &&
            strcmp(ar->intents[i].action, "create") == 0)
            return ar->intents[i].id;
    return 0;
}

/*
 * The address's object is now known (created, adopted, updated or
 * deleted by this step): every earlier run's intent for it that this
 * settles goes, in the step's transaction. Two runs killed in turn leave
 * two create intents for one address, and adopting by the first must not
 * leave the second to outlive its object (issue 20, finding 12). A delete
 * settles only delete intents: a create intent beside an object in the
 * state may be the only memory of an interrupted replacement's new object,
 * which the next run looks up. Deposed objects keep theirs.
 */
static void settle_leftovers(struct applyrun *ar, const char *addr,
                             int64_t keep, int creates)
{
    size_t i;

    for (i = 0; i < ar->nintents; i++) {
        tern_state_intent *in = &ar->intents[i];

        if (!in->id || in->id == keep || strcmp(in->address, addr) != 0 ||
            !(strcmp(in->action, "delete") == 0 ||
              (creates && strcmp(in->action, "create") == 0)))
            continue;
        tern_state_intent_abandon(ar->e->state, in->id, NULL);
        in->id = 0;
    }
}

static json_t *identity(const json_t *obj)
{
    const json_t *id = json_object_get(obj, "id");
    const json_t *name = json_object_get(obj, "name");
    json_t *r = json_object();
    int oom = 0;

    /* The intent's identity: never one short of the id. */
    if (r && json_is_string(id))
        tern_json_set(&oom, r, "id", json_incref((json_t *)id));
    if (r && json_is_string(name))
        tern_json_set(&oom, r, "name", json_incref((json_t *)name));
    return tern_json_done(oom, r);
}

static int confirm_prepare(struct exec *ex, struct step *s);

static int apply_prepare(struct exec *ex, struct step *s)
{
    struct applyrun *ar = ex->ctx;
    struct pinst *pi;
    struct eprov *p;
    json_t *ident = NULL;
    enum tern_action a;
    int error = TERN_OK;

    if (s->op == OP_CONFIRM)
        return confirm_prepare(ex, s);
    pi = &ar->plan->insts[s->inst];
    a = pi->pub.action;
    if (!s->module) {
        tern_diags_add(&s->diags, TERN_SEV_ERROR, NULL, "Unknown type",
                       "tern has no type %s.", pi->type);
        return s->rc = TERN_EINVALID;
    }
    p = pi->prov != SIZE_MAX ? &ar->e->provs[pi->prov] : NULL;
    if (p && (error = tern__provider_init(ar->e, p, s->module, &s->diags)))
        return s->rc = error;
    tern__op_fill(ar->e, &s->top, p, pi->addr, &s->diags, ar->e->progress);
    if (s->destroy) {
        s->op = s->module->delete_ ? OP_DELETE : OP_NONE;
        s->prior =
            pi->adopt ? json_incref(pi->adopt) : tern_value_to_json(pi->before);
        TERN_CHECK_ALLOC(s->prior);
        /* A deposed object (the old half of a create_before_destroy
         * replacement, remembered when the new one was committed, or left
         * by an earlier run) already has its intent. */
        if (pi->deposed) {
            s->intent = pi->deposed;
            goto done;
        }
        ident = identity(s->prior);
        TERN_CHECK_ALLOC(ident);
        if ((error = tern_state_intent_begin(ar->e->state, &s->intent, pi->addr,
                                             "delete", ident, &s->diags)))
            goto done;
    } else if (a == TERN_ACTION_NOOP) {
        s->op = OP_NONE;
        s->result =
            pi->adopt ? json_incref(pi->adopt) : tern_value_to_json(pi->before);
        TERN_CHECK_ALLOC(s->result);
        s->intent = pi->adopt ? pi->intent : 0;
        s->adopted = pi->adopt != NULL;
    } else if (a == TERN_ACTION_READ) {
        s->op = OP_READ;
        if ((error = desired_now(ar, s, pi, 0)))
            goto done;
    } else if (a == TERN_ACTION_UPDATE) {
        s->op = OP_UPDATE;
        s->prior =
            pi->adopt ? json_incref(pi->adopt) : tern_value_to_json(pi->before);
        TERN_CHECK_ALLOC(s->prior);
        s->intent = pi->adopt ? pi->intent : 0;
        s->adopted = pi->adopt != NULL;
        if ((error = desired_now(ar, s, pi, 1)))
            goto done;
    } else {
        s->op = OP_CREATE;
        if ((error = desired_now(ar, s, pi, 0)))
            goto done;
        s->old_intent = leftover_intent(ar, pi->addr);
        if (!s->old_intent && pi->intent && !pi->adopt)
            s->old_intent = pi->intent;
        if ((error = tern_state_intent_begin(ar->e->state, &s->intent, pi->addr,
                                             "create", s->desired, &s->diags)))
            goto done;
        /* An object a later run could not find from the configuration:
         * its intent must be where the state lives before the call. */
        if (tern_module_assigns_id(s->module->type_name, s->desired) &&
            (error = tern_state_flush(ar->e->state, &s->diags)))
            goto done;
    }
done:
    json_decref(ident);
    if (error)
        s->rc = error;
    return error;
}

/* Data sources leave the state on destroy without being destroyed: no
 * "Destroying..." for them, and they are not counted (as Terraform). */
static int quiet_step(const struct pinst *pi, const struct step *s)
{
    return s->destroy && pi->pub.mode == TERN_STATE_DATA;
}

static void apply_begin(struct exec *ex, struct step *s)
{
    struct applyrun *ar = ex->ctx;

    if (s->op == OP_CONFIRM || quiet_step(&ar->plan->insts[s->inst], s))
        return;
    apply_event(ar, TERN_EVENT_START, &ar->plan->insts[s->inst], s, NULL, NULL);
}

/* Interrupted before it ran: its intent announces nothing any more (an
 * adopted object's intent stays for the next run to resolve). */
static void apply_unprepare(struct exec *ex, struct step *s)
{
    struct applyrun *ar = ex->ctx;

    if (s->op == OP_CONFIRM)
        return;
    if (s->intent && s->intent != ar->plan->insts[s->inst].intent &&
        s->intent != ar->plan->insts[s->inst].deposed)
        tern_state_intent_abandon(ar->e->state, s->intent, NULL);
    s->intent = 0;
}

static void apply_work(struct step *s)
{
    const tern_module *m = s->module;

    switch (s->op) {
    case OP_CONFIRM: {
        struct applyrun *ar = s->ex->ctx;

        tern__confirm_work(s, &ar->confirms[s->inst]);
        return;
    }
    case OP_NONE:
        s->rc = TERN_OK;
        break;
    case OP_READ:
        s->rc = m->read(&s->result, &s->top, s->desired);
        break;
    case OP_CREATE:
        /* An interrupted run may have made it already: adopt it. */
        if (s->old_intent && m->lookup) {
            s->rc = m->lookup(&s->result, &s->top, s->desired);
            if (s->rc == TERN_OK) {
                s->adopted = 1;
                break;
            }
            if (s->rc != TERN_ENOTFOUND)
                break;
            tern_diags_release(&s->diags);
        }
        if (!m->create) {
            tern_diags_add(&s->diags, TERN_SEV_ERROR, NULL, "Cannot create",
                           "%s cannot be created.", m->type_name);
            s->rc = TERN_EINVALID;
            break;
        }
        s->rc = m->create(&s->result, &s->top, s->desired);
        break;
    case OP_UPDATE:
        if (!m->update) {
            tern_diags_add(&s->diags, TERN_SEV_ERROR, NULL, "Cannot update",
                           "%s cannot be updated in place.", m->type_name);
            s->rc = TERN_EINVALID;
            break;
        }
        s->rc = m->update(&s->result, &s->top, s->prior, s->desired);
        break;
    case OP_DELETE:
        s->rc = m->delete_(&s->top, s->prior);
        if (s->rc == TERN_ENOTFOUND)
            s->rc = TERN_OK;
        break;
    }
    /* A destroy step has no object to return; one whose type cannot be
     * deleted (a data source) only leaves the state. */
    if (s->rc == TERN_OK && !s->destroy && !s->result) {
        tern_diags_add(&s->diags, TERN_SEV_ERROR, NULL,
                       "Module returned no object", NULL);
        s->rc = TERN_ERROR;
    }
}

/* Sensitive paths in Terraform's form, from the schema. */
static json_t *sensitive_paths(const tern_attr *schema)
{
    json_t *a = json_array();
    int oom = 0;

    /* A path left out would leave a secret unmarked in the state. */
    for (; a && schema && schema->name; schema++)
        if (schema->flags & TERN_ATTR_SENSITIVE)
            tern_json_append(&oom, a,
                             json_pack("[{s:s, s:s}]", "type", "get_attr",
                                       "value", schema->name));
    return tern_json_done(oom, a);
}

/* JSON of a value whose marked parts are wrapped as {"tern:sensitive": V},
 * as a module returns the parts of a TERN_TYPE_DYNAMIC attribute it marks
 * (tern/module.h). */
static json_t *wrap_marked(const tern_value *v)
{
    enum tern_value_kind k = tern_value_kind(v);
    json_t *r;
    size_t i;

    if (tern_value_is_sensitive(v)) {
        json_t *plain = tern_value_to_json(v);

        return plain ? json_pack("{s:o}", "tern:sensitive", plain) : NULL;
    }
    if (!tern_value_has_sensitive(v) ||
        (k != TERN_VAL_OBJECT && k != TERN_VAL_LIST))
        return tern_value_to_json(v);
    r = k == TERN_VAL_OBJECT ? json_object() : json_array();
    for (i = 0; r && i < tern_value_length(v); i++) {
        json_t *x =
            wrap_marked(k == TERN_VAL_OBJECT ? tern_value_object_value(v, i)
                                             : tern_value_list_get(v, i));

        if (!x || (k == TERN_VAL_OBJECT
                       ? json_object_set_new(r, tern_value_object_key(v, i), x)
                       : json_array_append_new(r, x))) {
            json_decref(r);
            r = NULL;
        }
    }
    return r;
}

/* @v (a TERN_TYPE_DYNAMIC attribute's value, stolen) with its wrapped
 * parts unwrapped; the path of each goes to @sens, after @path (Terraform's
 * sensitive_attributes form). A failure sets *@oom: a path left out would
 * leave a secret unmarked. */
static json_t *unwrap_dynamic(json_t *v, const json_t *path, json_t *sens,
                              int *oom)
{
    json_t *inner =
        json_object_size(v) == 1 ? json_object_get(v, "tern:sensitive") : NULL;
    json_t *x, *step, *sub;
    const char *k;
    size_t i;

    if (inner) {
        tern_json_append(oom, sens, json_deep_copy(path));
        json_incref(inner);
        json_decref(v);
        return inner;
    }
    if (json_is_object(v)) {
        json_object_foreach(v, k, x)
        {
            step = json_pack("{s:s,s:s}", "type", "get_attr", "value", k);
            sub = json_deep_copy(path);
            if (!sub) {
                json_decref(step);
                *oom = 1;
                break;
            }
            tern_json_append(oom, sub, step);
            tern_json_set(oom, v, k,
                          unwrap_dynamic(json_incref(x), sub, sens, oom));
            json_decref(sub);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
        {
            step = json_pack("{s:s,s:{s:I,s:s}}", "type", "index", "value",
                             "value", (json_int_t)i, "type", "number");
            sub = json_deep_copy(path);
            if (!sub) {
                json_decref(step);
                *oom = 1;
                break;
            }
            tern_json_append(oom, sub, step);
            if (json_array_set_new(
                    v, i, unwrap_dynamic(json_incref(x), sub, sens, oom)))
                *oom = 1;
            json_decref(sub);
        }
    }
    return v;
}

/* Add the paths of @more that @sens lacks. */
static int add_paths(json_t *sens, const json_t *more)
{
    size_t i, j;

    for (i = 0; i < json_array_size(more); i++) {
        const json_t *p = json_array_get(more, i);

        for (j = 0; j < json_array_size(sens); j++)
            if (json_equal(json_array_get(sens, j), (json_t *)p))
                break;
        if (j == json_array_size(sens) &&
            json_array_append_new(sens, json_deep_copy(p)))
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

/* @attrs into the state, with the sensitive paths of the schema, of the
 * module's wrapped parts and @marked (the paths of configuration values
 * derived from sensitive ones, as Terraform records them). */
static int commit_object(struct applyrun *ar, const struct pinst *pi,
                         const tern_module *m, int64_t intent,
                         const json_t *attrs, const json_t *marked,
                         struct tern_diags *d)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *sens = sensitive_paths(m->schema), *plain = NULL;
    const tern_attr *a;
    int error, oom = 0;

    if (!sens || add_paths(sens, marked)) {
        json_decref(sens);
        return TERN_ENOMEM;
    }
    /* Marked parts of any-value attributes: stored plain, their paths in
     * sensitive_attributes. */
    for (a = m->schema; a->name; a++) {
        json_t *v = json_object_get(attrs, a->name), *path;

        if (a->type != TERN_TYPE_DYNAMIC || !v)
            continue;
        if (!plain && !(plain = json_deep_copy(attrs))) {
            json_decref(sens);
            return TERN_ENOMEM;
        }
        path = json_pack("[{s:s,s:s}]", "type", "get_attr", "value", a->name);
        if (!path)
            oom = 1;
        else
            tern_json_set(&oom, plain, a->name,
                          unwrap_dynamic(json_deep_copy(v), path, sens, &oom));
        json_decref(path);
    }
    if (oom) {
        json_decref(sens);
        json_decref(plain);
        return TERN_ENOMEM;
    }
    if (plain)
        attrs = plain;
    r.mode = pi->pub.mode;
    r.module = pi->module;
    r.type = pi->type;
    r.name = pi->name;
    r.key_kind = pi->key_kind;
    r.key_int = pi->key_int;
    r.key_str = pi->key_str;
    r.provider = pi->provider;
    r.id = (char *)json_string_value(json_object_get(attrs, "id"));
    r.attributes = (json_t *)attrs;
    r.sensitive = sens;
    r.dependencies = pi->deps;
    r.create_before_destroy = pi->cbd;
    error = tern_state_commit_step(ar->e->state, intent, &r, d);
    json_decref(sens);
    json_decref(plain);
    return error;
}

static void report_failure(struct applyrun *ar, const struct pinst *pi,
                           struct step *s)
{
    static const char *const verbs[] = {"applying", "reading", "creating",
                                        "updating", "deleting"};
    const struct tern_diag *first = s->diags.count ? &s->diags.items[0] : NULL;

    if (tern__checks_unreached(&ar->cx, pi))
        ar->oom = 1;
    apply_event(ar, TERN_EVENT_ERROR, pi, s, NULL, &s->diags);
    /* At the configuration it came from, if it came from one (a failed
     * precondition, an expression that fails now). */
    tern_diags_add(ar->diags, TERN_SEV_ERROR,
                   first && first->has_range ? &first->range : NULL,
                   first ? first->summary : tern_strerror(s->rc), "%s %s: %s",
                   verbs[s->op], pi->addr,
                   first && first->detail ? first->detail
                                          : tern_strerror(s->rc));
    if (s->diags.count > 1) {
        struct tern_diags rest = TERN_DIAGS_INIT;
        size_t i;

        for (i = 1; i < s->diags.count; i++)
            tern_diags_add(
                &rest, s->diags.items[i].severity,
                s->diags.items[i].has_range ? &s->diags.items[i].range : NULL,
                s->diags.items[i].summary, "%s",
                s->diags.items[i].detail ? s->diags.items[i].detail : "");
        tern_diags_move(ar->diags, &rest);
    }
}

static int confirm_finish(struct exec *ex, struct step *s);

/* The saved object's value, for what refers to it (an output, a
 * dependent). Without memory for it the step fails, reported: an output
 * of it would otherwise silently be left out of the state (issue 20).
 * 0, or 1 when the step failed. */
static int publish_value(struct applyrun *ar, const struct pinst *pi,
                         struct step *s)
{
    tern_value *now = tern__value_mark_paths(
        tern__value_from_state(s->module->schema, s->result), s->sens);

    if (!now) {
        s->rc = TERN_ENOMEM;
        tern_diags_add(&s->diags, TERN_SEV_ERROR, NULL, "Out of memory",
                       "tern ran out of memory after saving %s in the "
                       "state; what refers to it was not applied.",
                       pi->addr);
        report_failure(ar, pi, s);
        return 1;
    }
    tern_value_decref(ar->cx.values[s->inst]);
    ar->cx.values[s->inst] = now;
    tern__block_changed(&ar->cx, pi->block);
    return 0;
}

/*
 * Commit step @p s's new object. The old object of a create_before_destroy
 * replacement is then no longer the address's object: it is remembered (in
 * this same transaction) as deposed until its delete is done, or a failed
 * or interrupted delete orphans it; it keeps what its state row held
 * besides the attributes (status, schema version, sensitive paths,
 * dependencies, create_before_destroy), as Terraform's deposed object is
 * the current one moved aside (internal/states/statefile/version4.go
 * writes the same fields for both).
 */
static int commit_replacing(struct applyrun *ar, struct pinst *pi,
                            struct step *s)
{
    tern_state_resource *prior = NULL;
    json_t *old = NULL;
    int error;

    if (pi->pub.action != TERN_ACTION_CREATE_THEN_DELETE || pi->deposed ||
        !pi->before)
        return commit_object(ar, pi, s->module, s->intent, s->result, s->sens,
                             &s->diags);
    error = tern_state_get(ar->e->state, &prior, pi->addr, &s->diags);
    if (error && error != TERN_ENOTFOUND)
        return error;
    error = commit_object(ar, pi, s->module, s->intent, s->result, s->sens,
                          &s->diags);
    if (!error) {
        old = tern_value_to_json(pi->before);
        error = old ? tern_state_depose(ar->e->state, &pi->deposed, pi->addr,
                                        old, prior, &s->diags)
                    : TERN_ENOMEM;
    }
    if (!error)
        error = tern__pinst_publish(pi);
    json_decref(old);
    tern_state_resource_free(prior);
    return error;
}

static int apply_finish(struct exec *ex, struct step *s)
{
    struct applyrun *ar = ex->ctx;
    struct pinst *pi;
    enum tern_action a;
    const char *id = NULL;
    int error, post_failed = 0;

    if (s->op == OP_CONFIRM)
        return confirm_finish(ex, s);
    pi = &ar->plan->insts[s->inst];
    a = pi->pub.action;
    tern__progress_clear(ar->e->progress, pi->addr);
    if (s->rc) {
        int kept = 0;

        /* A create interrupted while it waited for what it made (a
         * cluster starting) returned the object's state: record it now,
         * with its intent resolved, so the next run reads it. */
        if (s->op == OP_CREATE && s->rc == TERN_ECANCELED && s->result &&
            !s->destroy && !pi->adopt &&
            (a == TERN_ACTION_CREATE || a == TERN_ACTION_DELETE_THEN_CREATE) &&
            commit_object(ar, pi, s->module, s->intent, s->result, s->sens,
                          &s->diags) == TERN_OK)
            kept = 1;
        /* A canceled create may have happened remotely, and so may one
         * that failed without a definite answer (a garbled or lost
         * response, a timeout, a 5xx after the retries): keep its intent
         * for the next run to look for, or the object is orphaned and
         * every later create of it fails as already existing. */
        if (!kept && s->intent && !pi->adopt && !(s->destroy && pi->deposed) &&
            !(s->op == OP_CREATE &&
              (s->rc == TERN_ECANCELED || s->rc == TERN_ERROR)))
            tern_state_intent_abandon(ar->e->state, s->intent, NULL);
        /* A deposed object that could not be deleted stays remembered:
         * the next plan deletes it. */
        if (s->destroy && pi->deposed)
            tern_diags_add(&s->diags, TERN_SEV_WARNING, NULL,
                           "Deposed object kept",
                           "The object %s replaced is kept in the state as "
                           "deposed object %08llx; the next apply deletes it.",
                           pi->addr, (unsigned long long)pi->deposed);
        report_failure(ar, pi, s);
        return 1;
    }
    if (s->destroy) {
        /* The address's object is the new one (or another): only the
         * intent that remembered this one goes. */
        if (a == TERN_ACTION_CREATE_THEN_DELETE || pi->deposed)
            error =
                tern_state_intent_abandon(ar->e->state, s->intent, &s->diags);
        else
            error = tern_state_commit_step(ar->e->state, s->intent, NULL,
                                           &s->diags);
        if (error) {
            s->rc = error;
            report_failure(ar, pi, s);
            return 1;
        }
        if (a != TERN_ACTION_CREATE_THEN_DELETE && !pi->deposed)
            settle_leftovers(ar, pi->addr, s->intent, 0);
        if (!quiet_step(pi, s)) {
            ar->sum.destroy++;
            apply_event(ar, TERN_EVENT_DONE, pi, s, NULL, NULL);
        }
        return 0;
    }
    error = commit_replacing(ar, pi, s);
    if (error) {
        s->rc = error;
        report_failure(ar, pi, s);
        return 1;
    }
    settle_leftovers(ar, pi->addr, s->intent, s->op == OP_CREATE || s->adopted);
    if (publish_value(ar, pi, s))
        return 1;
    /* Postconditions against the new object, which stays saved (as in
     * Terraform); a failed one fails the step, so what depends on it is
     * not applied. */
    if (tern__resource_conditions(&ar->cx, pi, 1, ar->cx.values[s->inst],
                                  ar->diags))
        post_failed = 1;
    id = json_string_value(json_object_get(s->result, "id"));
    if (s->adopted) {
        tern_event ev;

        ar->sum.adopt++;
        memset(&ev, 0, sizeof(ev));
        ev.version = TERN_EVENT_VERSION;
        ev.kind = TERN_EVENT_ADOPT;
        ev.address = pi->addr;
        ev.id = id;
        tern__engine_event(ar->e, &ev);
    }
    switch (a) {
    case TERN_ACTION_CREATE:
    case TERN_ACTION_DELETE_THEN_CREATE:
    case TERN_ACTION_CREATE_THEN_DELETE:
        if (!s->adopted)
            ar->sum.add++;
        break;
    case TERN_ACTION_UPDATE:
        ar->sum.change++;
        break;
    case TERN_ACTION_READ:
        ar->sum.read++;
        break;
    default:
        break;
    }
    if (pi->import_id)
        ar->sum.import++;
    apply_event(ar, TERN_EVENT_DONE, pi, s, id, NULL);
    return post_failed;
}

static void apply_skip(struct exec *ex, struct step *s, const char *why)
{
    struct applyrun *ar = ex->ctx;
    struct tern_diags d = TERN_DIAGS_INIT;

    /* Not a change: a confirmation that does not run leaves the writes
     * unconfirmed, which the next plan copes with. */
    if (s->op == OP_CONFIRM) {
        ar->confirms_skipped++;
        return;
    }
    if (tern__checks_unreached(&ar->cx, &ar->plan->insts[s->inst]))
        ar->oom = 1;
    tern_diags_add(&d, TERN_SEV_WARNING, NULL, "Not applied", "%s", why);
    apply_event(ar, TERN_EVENT_SKIPPED, &ar->plan->insts[s->inst], s, NULL, &d);
    tern_diags_release(&d);
}

static void apply_notice(struct exec *ex, const tern_event *ev)
{
    tern__engine_event(ex->e, ev);
}

static const struct exec_ops apply_ops = {
    apply_prepare, apply_begin,     apply_work,  apply_finish,
    apply_skip,    apply_unprepare, apply_notice};

/* ---- confirmation ---------------------------------------------------------
 *
 * IAM is eventually consistent, and creates never read back: right after
 * an apply, IAM may not show yet what it wrote. So once every step that
 * writes an object a bulk op (tern_bulk_op: IAM's
 * GetAccountAuthorizationDetails with ListRoles, Databricks' list) covers
 * is done, one more step per bulk op and provider fetches the op's
 * snapshot and reads each of those objects from it; what does not read as
 * written yet is read again from new snapshots, with the propagation
 * backoff, within the propagation window, saying so (TERN_EVENT_WAIT).
 * What reads as written is recorded in the state
 * (tern_state_confirm_writes): the next plan reads it once, without
 * waiting, so a change made outside tern right after the apply is
 * reported at once. And a pipeline step that uses the role right after
 * the apply finds it.
 *
 * The step runs as soon as its op's writes are done, alongside the rest
 * of the apply: in the SageMaker example the IAM confirmation runs while
 * the Databricks registration is made, and the Databricks list follows
 * it, one round trip. It is off with the window
 * (TERN_PROPAGATION_WINDOW_MS=0) and with bulk reads
 * (TERN_BULK_REFRESH_MIN=off); it never fails the apply: a failed fetch
 * only leaves the writes unconfirmed, and a dependency that failed skips
 * it.
 */

/* The bulk op of provider configuration @p (its provider's bulk_ops) that
 * covers @type, or NULL. */
static const tern_bulk_op *bulk_op_for(const struct eprov *p, const char *type)
{
    const tern_bulk_op *const *b;
    const char *const *t;

    for (b = p && p->def ? p->def->bulk_ops : NULL; b && *b; b++)
        for (t = (*b)->types; t && *t; t++)
            if (strcmp(*t, type) == 0)
                return *b;
    return NULL;
}

/* The steps that write an object to the service, and what it was before. */
static int writes_object(const struct pinst *pi, const struct step *s)
{
    enum tern_action a = pi->pub.action;

    return !s->destroy && pi->pub.mode == TERN_STATE_MANAGED &&
           (a == TERN_ACTION_CREATE || a == TERN_ACTION_UPDATE ||
            a == TERN_ACTION_DELETE_THEN_CREATE ||
            a == TERN_ACTION_CREATE_THEN_DELETE);
}

static int add_confirms(struct applyrun *ar, struct exec *ex)
{
    const char *bulk = getenv("TERN_BULK_REFRESH_MIN");
    long window = tern__propagation_window_ms();
    size_t i, j, n = ex->nsteps;
    struct step *ns;
    int error = TERN_OK;

    if (!window || (bulk && strcmp(bulk, "off") == 0))
        return TERN_OK;
    for (i = 0; i < n; i++) {
        const struct pinst *pi = &ar->plan->insts[ex->steps[i].inst];
        const tern_bulk_op *bop;
        struct tern__confirm *c;

        if (!writes_object(pi, &ex->steps[i]) || pi->prov == SIZE_MAX ||
            !(bop = bulk_op_for(&ex->e->provs[pi->prov], pi->type)))
            continue;
        for (j = 0; j < ar->nconfirms; j++)
            if (ar->confirms[j].bop == bop && ar->confirms[j].prov == pi->prov)
                break;
        if (j == ar->nconfirms) {
            if (TERN_VEC_RESERVE(ar->confirms, ar->aconfirms, j + 1) != TERN_OK)
                return TERN_ENOMEM;
            c = &ar->confirms[ar->nconfirms++];
            memset(c, 0, sizeof(*c));
            c->bop = bop;
            c->prov = pi->prov;
            c->module = ex->steps[i].module;
            c->window_ms = window;
        }
        c = &ar->confirms[j];
        if (TERN_VEC_RESERVE(c->deps, c->adeps, c->ndeps + 1) != TERN_OK)
            return TERN_ENOMEM;
        c->deps[c->ndeps++] = i;
    }
    if (!ar->nconfirms)
        return TERN_OK;
    ns = tern_realloc(ex->steps, (n + ar->nconfirms + 1) * sizeof(*ns));
    TERN_CHECK_ALLOC(ns);
    ex->steps = ns;
    memset(&ns[n], 0, (ar->nconfirms + 1) * sizeof(*ns));
    for (j = 0; j < ar->nconfirms; j++) {
        ns[n + j].op = OP_CONFIRM;
        ns[n + j].inst = j;
        ns[n + j].module = ar->confirms[j].module;
    }
    ex->nsteps = n + ar->nconfirms;
    for (j = 0; j < ar->nconfirms; j++)
        for (i = 0; i < ar->confirms[j].ndeps; i++)
            if ((error = tern__exec_edge(ex, n + j, ar->confirms[j].deps[i])))
                goto done;
done:
    return error;
}

/* On the loop: what the steps it waited for wrote. Never fails the step:
 * without a provider or objects it reads nothing. */
static int confirm_prepare(struct exec *ex, struct step *s)
{
    struct applyrun *ar = ex->ctx;
    struct tern__confirm *c = &ar->confirms[s->inst];
    struct eprov *p = &ar->e->provs[c->prov];
    size_t i;

    c->objs = tern_calloc(c->ndeps + 1, sizeof(*c->objs));
    if (!c->objs || tern__provider_init(ar->e, p, c->module, &s->diags))
        return 0;
    tern__op_fill(ar->e, &s->top, p, NULL, &s->diags, ar->e->progress);
    for (i = 0; i < c->ndeps; i++) {
        const struct step *d = &ex->steps[c->deps[i]];
        const struct pinst *pi = &ar->plan->insts[d->inst];
        struct tern__confirm_obj *o = &c->objs[c->nobjs];
        enum tern_action a = pi->pub.action;

        if (d->state != ST_DONE || !d->result)
            continue;
        o->before = json_array();
        if (!o->before)
            return 0;
        /* A replacement's read may also show the old object. */
        if (a != TERN_ACTION_CREATE && pi->before &&
            json_array_append_new(o->before, tern_value_to_json(pi->before)))
            return 0;
        if (a != TERN_ACTION_UPDATE &&
            json_array_append_new(o->before, json_null()))
            return 0;
        o->address = pi->addr;
        o->module = d->module;
        o->written = json_incref(d->result);
        o->state = TERN__SETTLE_LAG;
        c->nobjs++;
    }
    c->serial = tern_state_serial(ar->e->state);
    c->written_ms = tern__wall_ms();
    return 0;
}

/* On the loop: record what read as written. */
static int confirm_finish(struct exec *ex, struct step *s)
{
    struct applyrun *ar = ex->ctx;
    struct tern__confirm *c = &ar->confirms[s->inst];
    const char **addrs = tern_calloc(c->nobjs + 1, sizeof(*addrs));
    size_t i, n = 0;

    if (!addrs)
        return 0;
    for (i = 0; i < c->nobjs; i++)
        if (c->objs[i].state == TERN__SETTLE_SAME)
            addrs[n++] = c->objs[i].address;
    TERN_LOG_AT(TERN_LOG_DEBUG,
                "confirm: %s shows %zu of the %zu objects written as written "
                "(%.3f s)",
                c->bop->name, n, c->nobjs, (double)(s->t1 - s->t0) / 1e9);
    if (tern_state_confirm_writes(ex->e->state, addrs, n, c->serial, NULL))
        TERN_LOG_AT(TERN_LOG_DEBUG, "confirm: could not record it");
    tern_free(addrs);
    return 0;
}

static void release_confirms(struct applyrun *ar)
{
    size_t i, k;

    for (i = 0; i < ar->nconfirms; i++) {
        struct tern__confirm *c = &ar->confirms[i];

        for (k = 0; c->objs && k < c->ndeps; k++) {
            json_decref(c->objs[k].written);
            json_decref(c->objs[k].before);
        }
        tern_free(c->objs);
        tern_free(c->deps);
    }
    tern_free(ar->confirms);
}

/* ---- apply ----------------------------------------------------------------
 */

int tern__bind_plan(tern_engine *e, struct tern_plan *p)
{
    size_t i, bi;

    for (i = 0; i < p->ninsts; i++) {
        struct pinst *pi = &p->insts[i];
        char *ba = block_addr_of(pi->addr);
        const tern_module *m = inst_module(e, pi);

        if (!ba)
            return TERN_ENOMEM;
        /* A deposed object is no instance of its block: references to the
         * block never see it. */
        pi->block = !pi->deposed && tern__map_get(&e->block_map, ba, &bi)
                        ? bi
                        : SIZE_MAX;
        tern_free(ba);
        if (!pi->orphan && pi->block != SIZE_MAX)
            pi->prov = e->blocks[pi->block].prov;
        else if (m)
            pi->prov = tern__provider_for_state(e, pi->provider, m);
        else
            pi->prov = SIZE_MAX;
    }
    return TERN_OK;
}

static int setup_values(struct applyrun *ar)
{
    struct tern_plan *p = ar->plan;
    tern_engine *e = ar->e;
    size_t i, b;
    int error = TERN_OK;

    ar->cx.e = e;
    ar->cx.plan = p;
    ar->cx.applying = 1;
    ar->cx.values = tern_calloc(p->ninsts + 1, sizeof(tern_value *));
    ar->cx.block_insts = tern_calloc(e->nblocks + 1, sizeof(size_t *));
    ar->cx.nblock_insts = tern_calloc(e->nblocks + 1, sizeof(size_t));
    ar->cx.block_keyed = tern_calloc(e->nblocks + 1, sizeof(int));
    ar->cx.block_cache = tern_calloc(e->nblocks + 1, sizeof(tern_value *));
    TERN_CHECK_ALLOC(ar->cx.block_cache);
    TERN_CHECK_ALLOC(ar->cx.values);
    TERN_CHECK_ALLOC(ar->cx.block_insts);
    TERN_CHECK_ALLOC(ar->cx.nblock_insts);
    TERN_CHECK_ALLOC(ar->cx.block_keyed);
    for (b = 0; b < e->nblocks; b++)
        ar->cx.block_keyed[b] = e->blocks[b].count      ? 1
                                : e->blocks[b].for_each ? 2
                                                        : 0;
    for (i = 0; i < p->ninsts; i++) {
        struct pinst *pi = &p->insts[i];

        if (pi->orphan || pi->block == SIZE_MAX)
            continue;
        b = pi->block;
        if ((error = tern__block_push(&ar->cx, b, i)))
            goto done;
        if (pi->pub.action == TERN_ACTION_NOOP && pi->after)
            ar->cx.values[i] = tern_value_incref(pi->after);
    }
done:
    return error;
}

static void release_values(struct applyrun *ar)
{
    size_t i;

    for (i = 0; ar->cx.values && i < ar->plan->ninsts; i++)
        tern_value_decref(ar->cx.values[i]);
    tern_free(ar->cx.values);
    for (i = 0; ar->cx.block_insts && i < ar->e->nblocks; i++)
        tern_free(ar->cx.block_insts[i]);
    tern_free(ar->cx.block_insts);
    tern_free(ar->cx.nblock_insts);
    tern_free(ar->cx.block_keyed);
    tern__block_cache_release(&ar->cx, ar->e->nblocks);
}

/* Moved blocks: the object keeps its identity under its new address. */
static int apply_moves(struct applyrun *ar)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < ar->plan->ninsts; i++) {
        const struct pinst *pi = &ar->plan->insts[i];
        tern_state_resource *r = NULL;
        char *module, *type, *name, *key_str;
        struct addr a;

        if (!pi->prev_addr)
            continue;
        if ((error =
                 tern_state_get(ar->e->state, &r, pi->prev_addr, ar->diags))) {
            if (error == TERN_ENOTFOUND)
                error = TERN_OK;
            continue;
        }
        if (tern__addr_parse(pi->addr, &a)) {
            tern_state_resource_free(r);
            continue;
        }
        module = r->module;
        type = r->type;
        name = r->name;
        key_str = r->key_str;
        r->module = a.module;
        r->type = a.type;
        r->name = a.name;
        r->key_str = a.key_str;
        r->key_kind = a.key_kind;
        r->key_int = a.key_int;
        error = tern_state_put(ar->e->state, r, ar->diags);
        if (!error)
            error = tern_state_remove(ar->e->state, pi->prev_addr, ar->diags);
        r->module = module;
        r->type = type;
        r->name = name;
        r->key_str = key_str;
        tern_state_resource_free(r);
        tern__addr_release(&a);
        if (error)
            return error;
        ar->sum.move++;
    }
    return error;
}

/*
 * Forgotten objects (removed { lifecycle { destroy = false } }) leave the
 * state and nothing else happens to them: no module call, no event, as
 * Terraform's NodeForgetResourceInstance only drops the state entry.
 */
static int apply_forgets(struct applyrun *ar)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < ar->plan->ninsts; i++) {
        const struct pinst *pi = &ar->plan->insts[i];

        if (pi->pub.action != TERN_ACTION_FORGET)
            continue;
        error = tern_state_remove(ar->e->state, pi->addr, ar->diags);
        if (error == TERN_ENOTFOUND)
            error = TERN_OK;
        else if (error)
            return error;
        else
            ar->sum.forget++;
    }
    return error;
}

/* Data sources read while planning, and refresh-only results. */
static int save_reads(struct applyrun *ar)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < ar->plan->ninsts; i++) {
        const struct pinst *pi = &ar->plan->insts[i];
        const tern_module *m;
        const tern_attr *a;
        json_t *j, *paths;

        if (!pi->data_write || pi->pub.action != TERN_ACTION_NOOP)
            continue;
        m = inst_module(ar->e, pi);
        if (!m)
            continue;
        /* Plain, but for the marked parts of any-value attributes, which
         * commit_object unwraps; the other marks become paths. */
        j = tern_value_to_json(pi->after);
        paths = json_array();
        error = j && paths
                    ? tern__value_sensitive_paths(m->schema, pi->after, paths)
                    : TERN_ENOMEM;
        for (a = m->schema; !error && a->name; a++)
            if (a->type == TERN_TYPE_DYNAMIC &&
                tern_value_object_get(pi->after, a->name) &&
                json_object_set_new(
                    j, a->name,
                    wrap_marked(tern_value_object_get(pi->after, a->name))))
                error = TERN_ENOMEM;
        if (!error)
            error = commit_object(ar, pi, m, 0, j, paths, ar->diags);
        json_decref(j);
        json_decref(paths);
        if (error)
            return error;
    }
    return error;
}

/* The action the plan gives the object at @p addr (not a deposed one);
 * -1 when it has none. */
static int planned_action(const struct tern_plan *plan, const char *addr)
{
    size_t i;

    for (i = 0; i < plan->ninsts; i++)
        if (!plan->insts[i].deposed && plan->insts[i].addr &&
            strcmp(plan->insts[i].addr, addr) == 0)
            return (int)plan->insts[i].pub.action;
    return -1;
}

/*
 * What the refresh found changed outside tern, saved as it found it. A
 * refresh-only apply saves all of it; any other apply (@p noop_only) the
 * objects the plan leaves as they are, since Terraform applies on top of
 * the refreshed state and saves it whatever the plan changes
 * (internal/backend/local/backend_apply.go applies a plan with no changes
 * too): a change outside tern that the configuration ignores, or that
 * matches it, is in the state after the apply. What the plan changes is
 * saved by its own step.
 */
static int save_refresh(struct applyrun *ar, int noop_only)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < ar->plan->ndrift; i++) {
        const struct pinst *d = &ar->plan->drift[i];
        tern_state_resource *r = NULL;

        if (noop_only && (d->gone || planned_action(ar->plan, d->addr) !=
                                         (int)TERN_ACTION_NOOP))
            continue;
        if (d->gone) {
            error = tern_state_remove(ar->e->state, d->addr, ar->diags);
            if (error == TERN_ENOTFOUND)
                error = TERN_OK;
        } else if (!(error = tern_state_get(ar->e->state, &r, d->addr,
                                            ar->diags))) {
            const char *addr = d->addr;

            json_decref(r->attributes);
            r->attributes = tern_value_to_json(d->after);
            error = r->attributes ? tern_state_put(ar->e->state, r, ar->diags)
                                  : TERN_ENOMEM;
            tern_state_resource_free(r);
            /* Saved as the service showed it: nothing to wait for. */
            if (!error && tern_state_confirm_writes(
                              ar->e->state, &addr, 1,
                              tern_state_serial(ar->e->state), NULL))
                TERN_LOG_AT(TERN_LOG_DEBUG,
                            "refresh-only: could not record that %s is "
                            "confirmed",
                            addr);
        }
        if (error)
            return error;
    }
    return error;
}

static int save_outputs(struct applyrun *ar)
{
    tern_value *outs = NULL;
    json_t *old = NULL;
    const char *k;
    json_t *v;
    size_t i;
    int error = TERN_OK;

    if (!ar->plan->destroy &&
        (error = tern__eval_outputs(&ar->cx, &outs, 0, ar->diags))) {
        /* A failed output precondition (reported) leaves that output
         * out; the others are saved and the apply fails. */
        if (error != TERN_ERROR || !outs)
            goto done;
        ar->sum.errors++;
        error = TERN_OK;
    }
    if ((error = tern_state_outputs(ar->e->state, &old, ar->diags)))
        goto done;
    for (i = 0; outs && i < tern_value_length(outs); i++) {
        const tern_value *o = tern_value_object_value(outs, i);
        const tern_value *val = tern_value_object_get(o, "value");
        json_t *j, *type;

        if (!tern_value_is_wholly_known(val))
            continue;
        j = tern_value_to_json(val);
        TERN_CHECK_ALLOC(j);
        type = tern_value_object_get(o, "type")
                   ? tern_value_to_json(tern_value_object_get(o, "type"))
                   : NULL;
        if (tern_value_object_get(o, "type") && !type) {
            json_decref(j);
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern_state_output_set_typed(
            ar->e->state, tern_value_object_key(outs, i), j, type,
            tern_value_get_bool(tern_value_object_get(o, "sensitive")),
            ar->diags);
        json_decref(j);
        json_decref(type);
        if (error)
            goto done;
    }
    json_object_foreach(old, k, v)
    {
        if (outs && tern_value_object_get(outs, k))
            continue;
        if ((error =
                 tern_state_output_set(ar->e->state, k, NULL, 0, ar->diags)))
            goto done;
    }
done:
    tern_value_decref(outs);
    json_decref(old);
    return error;
}

/* The state's check_results: the plan's results updated by what this
 * apply checked again (conditions.c), as Terraform records them after
 * every apply walk (RecordCheckResults in internal/terraform/
 * context_apply.go). After a destroy every checkable object of the
 * configuration is unknown, with no objects: a destroy plan reports
 * none. */
static int save_check_results(struct applyrun *ar)
{
    json_t *v4 = NULL;
    int error;

    if (ar->oom || !(v4 = tern__check_results_v4(ar->plan->checks)))
        return TERN_ENOMEM;
    error = tern_state_check_results_set(ar->e->state, v4, ar->diags);
    json_decref(v4);
    return error;
}

int tern_engine_apply(tern_engine *e, const tern_plan *plan,
                      const tern_apply_options *opts, tern_summary *summary,
                      struct tern_diags *diags)
{
    struct applyrun ar;
    struct exec ex;
    long long t0 = tern__now_ns();
    int error = TERN_OK;
    tern_event ev;

    memset(&ar, 0, sizeof(ar));
    memset(&ex, 0, sizeof(ex));
    ar.e = e;
    /* The plan's per-instance bindings are re-made for this engine; its
     * changes are not modified. */
    ar.plan = (struct tern_plan *)plan;
    ar.diags = diags;
    ar.sum.version = TERN_SUMMARY_VERSION;
    if (!plan || plan->errored) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Plan has errors",
                       "A plan that failed cannot be applied.");
        return TERN_EINVALID;
    }
    if (strcmp(plan->lineage, tern_state_lineage(e->state)) != 0) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Saved plan does not match the given state",
                       "The plan was created for a state with lineage %s, "
                       "but this state's lineage is %s.",
                       plan->lineage, tern_state_lineage(e->state));
        return TERN_ECONFLICT;
    }
    if (plan->serial != tern_state_serial(e->state)) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Saved plan is stale",
                       "The given plan file can no longer be applied "
                       "because the state was changed by another operation "
                       "after the plan was created (serial %lld, now %lld). "
                       "Create a new plan.",
                       (long long)plan->serial,
                       (long long)tern_state_serial(e->state));
        return TERN_ECONFLICT;
    }
    if (strcmp(plan->config_hash, e->config_hash) != 0) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Saved plan does not match the configuration",
                       "The configuration changed after the plan was made.");
        return TERN_EINVALID;
    }
    atomic_store(&e->interrupts, 0);
    atomic_store(&e->cancel, 0);
    if (plan->refresh_only) {
        error = save_refresh(&ar, 0);
        goto summary;
    }
    if ((error = save_refresh(&ar, 1)))
        goto done;
    if ((error = tern__bind_plan(e, ar.plan)) || (error = setup_values(&ar)))
        goto done;
    if ((error =
             tern_state_intents(e->state, &ar.intents, &ar.nintents, diags)))
        goto done;
    if ((error = apply_moves(&ar)) || (error = apply_forgets(&ar)) ||
        (error = save_reads(&ar)))
        goto done;
    ex.e = e;
    ex.ctx = &ar;
    ex.ops = &apply_ops;
    ex.batch = 1;
    ex.parallelism =
        opts && opts->parallelism ? opts->parallelism : e->parallelism;
    if ((error = tern__apply_steps(e, plan, &ex)) ||
        (error = add_confirms(&ar, &ex)))
        goto done;
    if ((error = tern__exec_run(&ex))) {
        if (ex.why)
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Saving to the state failed",
                           "The apply stopped: the results of its last "
                           "steps could not be saved: %s",
                           ex.why);
        else
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Saving to the state failed",
                           "The apply stopped: the results of its last "
                           "steps could not be written to %s (%s).",
                           tern_state_path(e->state), tern_strerror(error));
        goto done;
    }
    ar.sum.errors = ex.failed;
    ar.sum.skipped = ex.skipped - ar.confirms_skipped;
    if ((error = save_outputs(&ar)))
        goto done;
    /* Check blocks once more against what was applied: warnings only. */
    if (!plan->destroy && (error = tern__run_checks(&ar.cx, diags)))
        goto done;
    if ((error = save_check_results(&ar)))
        goto done;
summary:
    ar.sum.interrupted = atomic_load(&e->interrupts) > 0;
    ar.sum.elapsed = (double)(tern__now_ns() - t0) / 1e9;
    memset(&ev, 0, sizeof(ev));
    ev.version = TERN_EVENT_VERSION;
    ev.kind = TERN_EVENT_SUMMARY;
    ev.summary = &ar.sum;
    tern__engine_event(e, &ev);
    if (summary)
        *summary = ar.sum;
    if (!error && ar.sum.interrupted)
        error = TERN_ECANCELED;
    else if (!error && ar.sum.errors)
        error = TERN_ERROR;
done:
    tern__exec_release(&ex);
    release_confirms(&ar);
    tern_state_intents_free(ar.intents, ar.nintents);
    release_values(&ar);
    return error;
}

int tern_engine_save_refresh(tern_engine *e, const tern_plan *plan,
                             struct tern_diags *diags)
{
    struct applyrun ar;

    if (!plan || plan->errored)
        return TERN_OK;
    memset(&ar, 0, sizeof(ar));
    ar.e = e;
    ar.plan = (struct tern_plan *)plan;
    ar.diags = diags;
    return save_refresh(&ar, !plan->refresh_only);
}

/* ---- import ---------------------------------------------------------------
 */

int tern_engine_import(tern_engine *e, const char *address, const char *id,
                       struct tern_diags *diags)
{
    tern_plan_options po = TERN_PLAN_OPTIONS_INIT;
    struct tern_plan *p = NULL;
    struct applyrun ar;
    struct tern_diags d = TERN_DIAGS_INIT;
    const struct pinst *pi = NULL;
    const tern_module *m;
    json_t *obj = NULL;
    tern_op op;
    size_t i;
    int error;

    memset(&ar, 0, sizeof(ar));
    po.refresh = 0;
    error = tern__engine_plan(e, &po, 1, &p, &d);
    if (error == TERN_ENOMEM || !p)
        goto done;
    for (i = 0; i < p->ninsts; i++)
        if (!p->insts[i].orphan && strcmp(p->insts[i].addr, address) == 0)
            pi = &p->insts[i];
    if (!pi) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Configuration for import target does not exist",
                       "The configuration does not have a resource instance "
                       "%s. Add a resource block for it (with count or "
                       "for_each when the address has a key) first.",
                       address);
        error = TERN_EINVALID;
        goto done;
    }
    if (pi->in_state) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Resource already managed",
                       "%s is already in the state. To import to this "
                       "address you must first remove the existing object "
                       "from the state.",
                       address);
        error = TERN_EINVALID;
        goto done;
    }
    m = inst_module(e, pi);
    if (!m || !m->import || pi->pub.mode != TERN_STATE_MANAGED) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Resource type cannot be imported",
                       "%s does not support import.", pi->type);
        error = TERN_EINVALID;
        goto done;
    }
    if ((error = tern__provider_init(e, &e->provs[pi->prov], m, diags)))
        goto done;
    tern__op_fill(e, &op, &e->provs[pi->prov], address, &d, e->progress);
    tern_diags_release(&d);
    if ((error = m->import(&obj, &op, id))) {
        /* The provider's own error (an ID it cannot parse, a call that
         * failed) is the import's, as Terraform stops at
         * ImportResourceState's diagnostics; an object not found is
         * Terraform's "non-existent" alone. */
        if (error == TERN_ENOTFOUND) {
            tern__import_missing(diags, address);
            goto done;
        }
        if (d.errors == 0)
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Import failed",
                           "Importing %s with ID \"%s\": %s.", address, id,
                           tern_strerror(error));
        tern_diags_move(diags, &d);
        goto done;
    }
    ar.e = e;
    error = commit_object(&ar, pi, m, 0, obj, NULL, diags);
    /* What was written is what the service showed: nothing for the next
     * plan to wait for. */
    if (!error && tern_state_confirm_writes(e->state, &address, 1,
                                            tern_state_serial(e->state), NULL))
        TERN_LOG_AT(TERN_LOG_DEBUG,
                    "import: could not record that %s is "
                    "confirmed",
                    address);
done:
    tern_diags_release(&d);
    json_decref(obj);
    tern_plan_free(p);
    return error;
}
