/*
 * Evaluation for the engine: the scope references resolve in (variables,
 * locals evaluated on demand, the current values of resource instances),
 * a resource block's configuration into an object of its schema, and the
 * generic attribute-by-attribute diff that turns configuration and prior
 * object into the planned object (docs/STYLE.md rule 7: modules hold
 * no diff code).
 */
#include "engine/engine_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"
#include "util/vec.h"

void tern__scope_init_mod(struct tern_lang_scope *sc, struct evalctx *cx,
                          size_t mod, const struct pinst *pi, tern_value **tmp)
{
    tern_engine *e = cx->e;
    const struct tern_lang_config *cfg = e->mods ? e->mods[mod].cfg : e->config;

    memset(sc, 0, sizeof(*sc));
    sc->vars = mod == 0 ? e->vars : NULL;
    sc->path_module = cfg->dir;
    sc->module_key = cfg->key;
    sc->path_root = e->config->dir;
    sc->path_cwd = ".";
    sc->workspace = e->config->workspace; /* the root's, in every module */
    sc->base_dir = cfg->dir;
    sc->resolve = tern__resolve;
    if (e->mscopes) {
        e->mscopes[mod].cx = cx;
        sc->ctx = &e->mscopes[mod];
    }
    sc->sources = (struct tern_lang_sources *)&e->config->sources;
    sc->apply = cx->applying;
    sc->stop = &e->interrupts;
    if (cx->plan && cx->plan->plan_timestamp[0])
        sc->plan_timestamp = cx->plan->plan_timestamp;
    tmp[0] = tmp[1] = NULL;
    if (pi && pi->key_kind == TERN_STATE_KEY_STRING) {
        tmp[0] = tern_value_string(pi->key_str);
        sc->each_key = tmp[0];
        sc->each_value = pi->each_value ? pi->each_value : tmp[0];
    } else if (pi && pi->key_kind == TERN_STATE_KEY_INT) {
        tmp[1] = tern_value_int(pi->key_int);
        sc->count_index = tmp[1];
    }
}

void tern__scope_init(struct tern_lang_scope *sc, struct evalctx *cx,
                      const struct pinst *pi, tern_value **tmp)
{
    size_t mod = pi && pi->block != SIZE_MAX ? cx->e->blocks[pi->block].mod : 0;

    tern__scope_init_mod(sc, cx, mod, pi, tmp);
}

void tern__block_changed(struct evalctx *cx, size_t b)
{
    cx->gen++; /* every cached local value is stale */
    if (cx->block_cache && b != SIZE_MAX) {
        tern_value_decref(cx->block_cache[b]);
        cx->block_cache[b] = NULL;
    }
}

_Static_assert((TERN_VEC_MIN & (TERN_VEC_MIN - 1)) == 0,
               "tern__block_push implies its capacities from TERN_VEC_MIN");

int tern__block_push(struct evalctx *cx, size_t b, size_t inst)
{
    size_t n = cx->nblock_insts[b], cap = n;

    /* The capacity is implied by n: TERN_VEC_RESERVE grows from none to
     * TERN_VEC_MIN, a power of two, then doubles, so the array is full
     * exactly at 0 and at each power of two from TERN_VEC_MIN up. */
    if ((n == 0 || (n >= TERN_VEC_MIN && (n & (n - 1)) == 0)) &&
        TERN_VEC_RESERVE(cx->block_insts[b], cap, n + 1) != TERN_OK)
        return TERN_ENOMEM;
    cx->block_insts[b][cx->nblock_insts[b]++] = inst;
    return TERN_OK;
}

void tern__block_cache_release(struct evalctx *cx, size_t nblocks)
{
    size_t i;

    for (i = 0; cx->block_cache && i < nblocks; i++)
        tern_value_decref(cx->block_cache[i]);
    tern_free(cx->block_cache);
    cx->block_cache = NULL;
    for (i = 0; i < cx->nlocal_cache; i++)
        tern_value_decref(cx->local_cache[i]);
    tern_free(cx->local_cache);
    tern_free(cx->local_gen);
    cx->local_cache = NULL;
    cx->local_gen = NULL;
    cx->nlocal_cache = 0;
}

/* Room for the value of every local of every module instance (slot
 * emod.local_off + its index), made at the first use. */
static int locals_cache(struct evalctx *cx, size_t n)
{
    if (cx->local_cache || n == 0)
        return TERN_OK;
    cx->local_cache = tern_calloc(n, sizeof(*cx->local_cache));
    cx->local_gen = tern_calloc(n, sizeof(*cx->local_gen));
    if (!cx->local_cache || !cx->local_gen) {
        tern_free(cx->local_cache);
        tern_free(cx->local_gen);
        cx->local_cache = NULL;
        cx->local_gen = NULL;
        return TERN_ENOMEM;
    }
    cx->nlocal_cache = n;
    return TERN_OK;
}

int tern__block_value(struct evalctx *cx, size_t b, tern_value **out)
{
    size_t i, n = cx->nblock_insts[b];
    const size_t *idx = cx->block_insts[b];
    tern_value *v = NULL, *item;
    int keyed = cx->block_keyed[b];

    *out = NULL;
    if (cx->block_cache && cx->block_cache[b]) {
        *out = tern_value_incref(cx->block_cache[b]);
        return TERN_OK;
    }
    if (keyed < 0) {
        *out = tern_value_unknown();
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    if (keyed == 0) {
        if (n == 0)
            *out = tern_value_null();
        else if (cx->values[idx[0]])
            *out = tern_value_incref(cx->values[idx[0]]);
        else
            *out = tern_value_unknown();
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    v = keyed == 1 ? tern_value_list_new() : tern_value_object_new();
    if (!v)
        return TERN_ENOMEM;
    for (i = 0; i < n; i++) {
        const struct pinst *pi = &cx->plan->insts[idx[i]];

        item = cx->values[idx[i]] ? tern_value_incref(cx->values[idx[i]])
                                  : tern_value_unknown();
        if (keyed == 1 ? tern_value_list_append(v, item)
                       : tern_value_object_set(v, pi->key_str, item)) {
            tern_value_decref(v);
            return TERN_ENOMEM;
        }
    }
    if (cx->block_cache)
        cx->block_cache[b] = tern_value_incref(v);
    *out = v;
    return TERN_OK;
}

/* ---- references, module by module -------------------------------------- */

/* A scope of module instance @mod for an evaluation nested in @ms's. */
static void nested_scope(const struct mscope *ms, size_t mod,
                         struct tern_lang_scope *sc, struct mscope *own,
                         tern_value **tmp)
{
    tern_engine *e = ms->e;

    tmp[0] = tmp[1] = NULL;
    if (ms->cx) {
        tern__scope_init_mod(sc, ms->cx, mod, NULL, tmp);
        return;
    }
    memset(own, 0, sizeof(*own));
    own->e = e;
    own->mod = mod;
    own->depth = ms->depth + 1;
    memset(sc, 0, sizeof(*sc));
    sc->vars = mod == 0 ? e->vars : NULL;
    sc->path_module = e->mods[mod].cfg->dir;
    sc->module_key = e->mods[mod].cfg->key;
    sc->path_root = e->config->dir;
    sc->path_cwd = ".";
    sc->base_dir = e->mods[mod].cfg->dir;
    sc->sources = (struct tern_lang_sources *)&e->config->sources;
    sc->resolve = tern__resolve;
    sc->ctx = own;
}

static int *depth_of(struct mscope *ms)
{
    return ms->cx ? &ms->cx->locals_depth : &ms->depth;
}

static int too_deep(struct mscope *ms, const struct tern_lang_ref *ref,
                    struct tern_diags *diags)
{
    if (*depth_of(ms) <= 100)
        return 0;
    tern_diags_add(diags, TERN_SEV_ERROR, &ref->range, "Cycle in local values",
                   "%s.%s refers to itself.", ref->kind, ref->name);
    return 1;
}

/* Evaluate @x in module instance @mod, with a module call instance's
 * each/count when @inst is set. */
static int eval_in(struct mscope *ms, size_t mod, const struct emod *inst,
                   const struct tern_expr *x, tern_value **out,
                   struct tern_diags *diags)
{
    struct tern_lang_scope sc;
    struct mscope own;
    tern_value *tmp[2];
    int error, *depth = depth_of(ms);

    nested_scope(ms, mod, &sc, &own, tmp);
    if (inst) {
        sc.each_key = inst->each_key;
        sc.each_value = inst->each_value;
        sc.count_index = inst->count_index;
    }
    (*depth)++;
    error = tern_lang_eval(x, &sc, out, diags);
    (*depth)--;
    tern_value_decref(tmp[0]);
    tern_value_decref(tmp[1]);
    return error;
}

/* var.NAME of a child module instance: its call's argument converted to
 * the variable's type, else the default. */
int tern__var_nullable(const struct tern_block *vb)
{
    const struct tern_attribute *na = tern_lang_body_attr(vb->body, "nullable");

    return !(na && na->expr->kind == TERN_EXPR_LITERAL &&
             tern_value_kind(na->expr->u.literal) == TERN_VAL_BOOL &&
             !tern_value_get_bool(na->expr->u.literal));
}

static int resolve_var(struct mscope *ms, const struct tern_lang_ref *ref,
                       tern_value **out, struct tern_diags *diags)
{
    const struct emod *m = &ms->e->mods[ms->mod];
    const struct tern_block *vb = NULL;
    const struct tern_attribute *a, *ta, *sa, *da;
    struct tern_lang_type *type = NULL;
    tern_value *v = NULL, *conv = NULL;
    size_t i;
    int error, sens = 0;
    char why[256];

    for (i = 0; i < m->cfg->variables.n && !vb; i++)
        if (strcmp(m->cfg->variables.items[i]->labels[0], ref->name) == 0)
            vb = m->cfg->variables.items[i];
    if (!vb)
        return TERN_ENOTFOUND;
    if (too_deep(ms, ref, diags))
        return TERN_ERROR;
    if ((a = tern_lang_body_attr(m->mc->call->body, ref->name)))
        error = eval_in(ms, m->parent, m, a->expr, &v, diags);
    else if ((a = tern_lang_body_attr(vb->body, "default")))
        error = eval_in(ms, ms->mod, NULL, a->expr, &v, diags);
    else
        return (*out = tern_value_null()) ? TERN_OK : TERN_ENOMEM;
    if (error)
        return error;
    /* nullable = false: a null argument takes the default
     * (eval_variable.go prepareFinalInputVariableValue); without one it
     * stays null and tern__check_module_vars reports it. */
    if (tern_value_is_null(v) && !tern__var_nullable(vb) &&
        (da = tern_lang_body_attr(vb->body, "default")) && da != a) {
        tern_value_decref(v);
        v = NULL;
        if ((error = eval_in(ms, ms->mod, NULL, da->expr, &v, diags)))
            return error;
    }
    ta = tern_lang_body_attr(vb->body, "type");
    if (ta && !tern_value_is_null(v)) {
        struct tern_diags ignore = TERN_DIAGS_INIT;

        error = tern_lang_type_parse(ta->expr, &type, &ignore);
        tern_diags_release(&ignore);
        if (!error && tern_lang_type_convert(type, v, &conv, why,
                                             sizeof(why)) != TERN_OK) {
            const struct tern_range *r = a ? &a->expr->range : &ref->range;

            /* internal/terraform/eval_variable.go */
            tern_diags_add(diags, TERN_SEV_ERROR, r,
                           "Invalid value for input variable",
                           "The given value is not suitable for %s%svar.%s "
                           "declared at %s:%u,%u-%u: %s.",
                           m->path, ".", ref->name,
                           vb->def_range.file ? vb->def_range.file : "",
                           vb->def_range.start.line, vb->def_range.start.column,
                           vb->def_range.end.column, why);
            tern_lang_type_free(type);
            tern_value_decref(v);
            return TERN_ERROR;
        }
        tern_lang_type_free(type);
        if (conv) {
            tern_value_decref(v);
            v = conv;
        }
    }
    sa = tern_lang_body_attr(vb->body, "sensitive");
    if (sa && sa->expr->kind == TERN_EXPR_LITERAL &&
        tern_value_kind(sa->expr->u.literal) == TERN_VAL_BOOL)
        sens = tern_value_get_bool(sa->expr->u.literal);
    if (sens && !tern_value_is_sensitive(v))
        v = tern_value_mark_sensitive(v);
    *out = v;
    return v ? TERN_OK : TERN_ENOMEM;
}

/* The outputs of module instance @mod as an object. */
static int module_object(struct mscope *ms, size_t mod, tern_value **out,
                         struct tern_diags *diags)
{
    const struct tern_lang_config *c = ms->e->mods[mod].cfg;
    tern_value *obj = tern_value_object_new(), *v;
    size_t i;
    int error = TERN_OK, rc;

    if (!obj)
        return TERN_ENOMEM;
    for (i = 0; i < c->outputs.n; i++) {
        const struct tern_block *ob = c->outputs.items[i];
        const struct tern_attribute *a = tern_lang_body_attr(ob->body, "value");
        const struct tern_attribute *sa =
            tern_lang_body_attr(ob->body, "sensitive");

        v = NULL;
        if (!a)
            continue;
        rc = eval_in(ms, mod, NULL, a->expr, &v, diags);
        if (rc == TERN_ENOMEM) {
            error = rc;
            break;
        }
        if (rc) {
            error = TERN_ERROR;
            v = tern_value_unknown();
        }
        if (v && sa && sa->expr->kind == TERN_EXPR_LITERAL &&
            tern_value_kind(sa->expr->u.literal) == TERN_VAL_BOOL &&
            tern_value_get_bool(sa->expr->u.literal) &&
            !tern_value_is_sensitive(v))
            v = tern_value_mark_sensitive(v);
        if (!v || tern_value_object_set(obj, ob->labels[0], v)) {
            error = TERN_ENOMEM;
            break;
        }
    }
    if (error == TERN_ENOMEM) {
        tern_value_decref(obj);
        return error;
    }
    *out = obj;
    return error;
}

/* module.NAME in module instance ms->mod: one object, or a list (count)
 * or an object by key (for_each) of them. */
static int resolve_module(struct mscope *ms, const struct tern_lang_ref *ref,
                          tern_value **out, struct tern_diags *diags)
{
    tern_engine *e = ms->e;
    const struct tern_lang_config *c = e->mods[ms->mod].cfg;
    const struct tern_lang_modcall *mc = NULL;
    tern_value *all = NULL, *one = NULL;
    size_t i;
    int error = TERN_OK, keyed = 0;

    for (i = 0; i < c->ncalls && !mc; i++)
        if (strcmp(c->calls[i].name, ref->name) == 0)
            mc = &c->calls[i];
    if (!mc)
        return TERN_ENOTFOUND;
    if (!ms->cx || !mc->cfg) {
        /* Not planned yet (the engine's static scope). */
        *out = tern_value_unknown();
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    if (too_deep(ms, ref, diags))
        return TERN_ERROR;
    if (tern_lang_body_attr(mc->call->body, "count"))
        keyed = 1;
    else if (tern_lang_body_attr(mc->call->body, "for_each"))
        keyed = 2;
    if (keyed)
        all = keyed == 1 ? tern_value_list_new() : tern_value_object_new();
    for (i = ms->mod + 1; i < e->nmods; i++) {
        const struct emod *m = &e->mods[i];
        int rc;

        if (m->parent != ms->mod || m->mc != mc)
            continue;
        ms->cx->locals_depth++;
        rc = module_object(ms, i, &one, diags);
        ms->cx->locals_depth--;
        if (rc == TERN_ENOMEM) {
            error = rc;
            break;
        }
        if (rc)
            error = TERN_ERROR;
        if (!keyed) {
            *out = one;
            return error;
        }
        if (!all ||
            (keyed == 1 ? tern_value_list_append(all, one)
                        : tern_value_object_set(
                              all, tern_value_get_string(m->each_key), one))) {
            if (!all)
                tern_value_decref(one);
            error = TERN_ENOMEM;
            break;
        }
        one = NULL;
    }
    if (error == TERN_ENOMEM || !keyed) {
        tern_value_decref(all);
        if (error == TERN_ENOMEM)
            return error;
        /* count = 0 and the like: no instance */
        *out = tern_value_null();
        return *out ? error : TERN_ENOMEM;
    }
    *out = all;
    return all ? error : TERN_ENOMEM;
}

int tern__resolve(void *ctx, const struct tern_lang_ref *ref, tern_value **out,
                  struct tern_diags *diags)
{
    struct mscope *ms = ctx;
    struct evalctx *cx = ms->cx;
    tern_engine *e = ms->e;
    const struct emod *m = &e->mods[ms->mod];
    const struct tern_lang_config *cfg = m->cfg;
    size_t i, bi;
    char *addr;
    int error;

    if (strcmp(ref->kind, "local") == 0) {
        size_t slot;

        for (i = 0; i < cfg->nlocal_attrs; i++)
            if (strcmp(cfg->local_attrs[i]->name, ref->name) == 0)
                break;
        if (i == cfg->nlocal_attrs)
            return TERN_ENOTFOUND;
        /* Evaluated once until a value it may read changes (cx->gen): N
         * levels of local.a + local.a cost N, not 2^N. */
        slot = m->local_off + i;
        if (cx && (error = locals_cache(cx, e->nlocals_all)))
            return error;
        if (cx && slot < cx->nlocal_cache && cx->local_cache[slot] &&
            cx->local_gen[slot] == cx->gen) {
            *out = tern_value_incref(cx->local_cache[slot]);
            return TERN_OK;
        }
        if (too_deep(ms, ref, diags))
            return TERN_ERROR;
        error =
            eval_in(ms, ms->mod, NULL, cfg->local_attrs[i]->expr, out, diags);
        if (error == TERN_OK && cx && slot < cx->nlocal_cache) {
            tern_value_decref(cx->local_cache[slot]);
            cx->local_cache[slot] = tern_value_incref(*out);
            cx->local_gen[slot] = cx->gen;
        }
        return error;
    }
    if (strcmp(ref->kind, "var") == 0)
        return ms->mod ? resolve_var(ms, ref, out, diags) : TERN_ENOTFOUND;
    if (strcmp(ref->kind, "module") == 0)
        return resolve_module(ms, ref, out, diags);
    if (strcmp(ref->kind, "resource") != 0 && strcmp(ref->kind, "data") != 0)
        return TERN_ENOTFOUND;
    addr = ref->kind[0] == 'd'
               ? tern_asprintf("%s%sdata.%s.%s", m->path, *m->path ? "." : "",
                               ref->type, ref->name)
               : tern_asprintf("%s%s%s.%s", m->path, *m->path ? "." : "",
                               ref->type, ref->name);
    if (!addr)
        return TERN_ENOMEM;
    if (!tern__map_get(&e->block_map, addr, &bi))
        error = TERN_ENOTFOUND;
    else if (!cx)
        error = (*out = tern_value_unknown()) ? TERN_OK : TERN_ENOMEM;
    else
        error = tern__block_value(cx, bi, out);
    tern_free(addr);
    return error;
}

/* ---- configuration into an object ---------------------------------------- */

static int is_meta(const char *n)
{
    return strcmp(n, "count") == 0 || strcmp(n, "for_each") == 0 ||
           strcmp(n, "provider") == 0 || strcmp(n, "depends_on") == 0;
}

/* Coerce a configured value to what the schema says (steals @v). */
static tern_value *coerce(const tern_attr *sa, tern_value *v)
{
    enum tern_value_kind k = tern_value_kind(v);
    tern_value *r = NULL;
    size_t i;

    if (!v)
        return NULL;
    if (sa->type == TERN_TYPE_STRING &&
        (k == TERN_VAL_NUMBER || k == TERN_VAL_BOOL)) {
        char *s = tern_lang_value_to_string(v);
        int sens = tern_value_is_sensitive(v);

        tern_value_decref(v);
        if (!s)
            return NULL;
        r = tern_value_string_own(s, strlen(s));
        return r && sens ? tern_value_mark_sensitive(r) : r;
    }
    /* "5" and "true" convert to a number and a bool, as in Terraform. */
    if (sa->type == TERN_TYPE_NUMBER && k == TERN_VAL_STRING) {
        const char *str = tern_value_get_string(v);
        char *end = NULL;
        double d = strtod(str, &end);

        if (*str && end && *end == '\0') {
            int sens = tern_value_is_sensitive(v);

            r = tern_value_number(d);
            tern_value_decref(v);
            return r && sens ? tern_value_mark_sensitive(r) : r;
        }
        return v;
    }
    if (sa->type == TERN_TYPE_BOOL && k == TERN_VAL_STRING &&
        (strcmp(tern_value_get_string(v), "true") == 0 ||
         strcmp(tern_value_get_string(v), "false") == 0)) {
        int sens = tern_value_is_sensitive(v);

        r = tern_value_bool(strcmp(tern_value_get_string(v), "true") == 0);
        tern_value_decref(v);
        return r && sens ? tern_value_mark_sensitive(r) : r;
    }
    if ((sa->type == TERN_TYPE_SET_STRING || sa->type == TERN_TYPE_BLOCK_SET) &&
        k == TERN_VAL_LIST) {
        r = tern_value_list_new();
        for (i = 0; r && i < tern_value_length(v); i++)
            if (tern_value_list_append(
                    r, tern_value_incref(tern_value_list_get(v, i))))
                r = NULL;
        tern_value_decref(v);
        return r ? tern_value_set_finish(r) : NULL;
    }
    return v;
}

/* A value of a primitive kind the schema allows (unknown and null
 * always fit; numbers and bools may stand for strings, as coerce makes
 * them). */
static int prim_fits(enum tern_attr_type t, const tern_value *v)
{
    enum tern_value_kind k = tern_value_kind(v);

    if (k == TERN_VAL_UNKNOWN || k == TERN_VAL_NULL)
        return 1;
    switch (t) {
    case TERN_TYPE_STRING:
        return k == TERN_VAL_STRING || k == TERN_VAL_NUMBER ||
               k == TERN_VAL_BOOL;
    case TERN_TYPE_NUMBER:
        return k == TERN_VAL_NUMBER;
    case TERN_TYPE_BOOL:
        return k == TERN_VAL_BOOL;
    default:
        return 1;
    }
}

/* Whether a configured value has the schema's type; what is required
 * goes to *want ("string", "list of string", ...). */
static int type_fits(const tern_attr *sa, const tern_value *v,
                     const char **want)
{
    enum tern_value_kind k = tern_value_kind(v);
    size_t i;

    if (k == TERN_VAL_UNKNOWN || k == TERN_VAL_NULL)
        return 1;
    switch (sa->type) {
    case TERN_TYPE_STRING:
        *want = "string";
        return prim_fits(sa->type, v);
    case TERN_TYPE_NUMBER:
        *want = "number";
        return prim_fits(sa->type, v);
    case TERN_TYPE_BOOL:
        *want = "bool";
        return prim_fits(sa->type, v);
    case TERN_TYPE_LIST_STRING:
    case TERN_TYPE_SET_STRING:
        *want = sa->type == TERN_TYPE_LIST_STRING ? "list of string"
                                                  : "set of string";
        if (k != TERN_VAL_LIST && k != TERN_VAL_SET)
            return 0;
        for (i = 0; i < tern_value_length(v); i++)
            if (!prim_fits(TERN_TYPE_STRING, tern_value_list_get(v, i)))
                return 0;
        return 1;
    case TERN_TYPE_MAP_STRING:
        *want = "map of string";
        if (k != TERN_VAL_OBJECT)
            return 0;
        for (i = 0; i < tern_value_length(v); i++)
            if (!prim_fits(TERN_TYPE_STRING, tern_value_object_value(v, i)))
                return 0;
        return 1;
    default:
        return 1;
    }
}

/* The default of argument @name of resource @m (NULL: a nested block's),
 * or NULL. Data sources have none. */
static const tern_arg_default *arg_default_scan(const tern_module *m,
                                                const char *name)
{
    const tern_arg_default *d;

    if (!m || m->kind != TERN_MODULE_RESOURCE)
        return NULL;
    for (d = tern_arg_defaults; d->type; d++)
        if (strcmp(d->type, m->type_name) == 0 && strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

/* A data source's checks are listed as "data.TYPE": a resource and a data
 * source may share a type name, not their arguments' rules. */
static const tern_arg_check *arg_check_scan(const tern_module *m,
                                            const char *name)
{
    const tern_arg_check *c;

    for (c = tern_arg_checks; m && c->type; c++) {
        const char *t = c->type;

        if (m->kind == TERN_MODULE_DATA) {
            if (strncmp(t, "data.", 5) != 0)
                continue;
            t += 5;
        }
        if (strcmp(t, m->type_name) == 0 && strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

/*
 * The rules of every top-level argument of every registered module,
 * indexed by (module, schema attribute): a plan of 10,000 resources asks
 * for them for each argument of each instance, and scanning both tables
 * with strcmp each time was 4% of it (issue 15). Built once; a module the
 * registry does not list (a test's) is scanned as before, and so is every
 * module when the index could not be allocated.
 */
struct argrule {
    const tern_module *m;
    const tern_attr *sa;
    const tern_arg_check *check;
    const tern_arg_default *dflt;
    tern_value *dflt_value; /* the default, parsed and coerced; or NULL */
};

static struct argrule *rules;
static size_t rules_mask;
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static size_t rule_slot(const tern_module *m, const tern_attr *sa)
{
    uint64_t x = (uint64_t)(uintptr_t)m * 0x9E3779B97F4A7C15ull ^
                 (uint64_t)(uintptr_t)sa * 0xC2B2AE3D27D4EB4Full;

    return (size_t)(x ^ (x >> 29)) & rules_mask;
}

static void rules_build(void)
{
    size_t i, n = 0, size = 64;
    const tern_attr *sa;

    for (i = 0; tern_modules[i]; i++)
        for (sa = tern_modules[i]->schema; sa && sa->name; sa++)
            n++;
    while (size < 2 * n + 1)
        size *= 2;
    rules = tern_calloc(size, sizeof(*rules));
    if (!rules)
        return;
    rules_mask = size - 1;
    for (i = 0; tern_modules[i]; i++) {
        const tern_module *m = tern_modules[i];

        for (sa = m->schema; sa && sa->name; sa++) {
            size_t k = rule_slot(m, sa);
            json_t *j;
            int oom = 0;

            while (rules[k].sa)
                k = (k + 1) & rules_mask;
            rules[k].m = m;
            rules[k].sa = sa;
            rules[k].check = arg_check_scan(m, sa->name);
            rules[k].dflt = arg_default_scan(m, sa->name);
            if (!rules[k].dflt)
                continue;
            /* Out of memory leaves it to arg_default, which reports it. */
            j = tern_json_loads(rules[k].dflt->value, JSON_DECODE_ANY, &oom);
            rules[k].dflt_value = j ? tern_value_from_json(j) : NULL;
            json_decref(j);
            if (rules[k].dflt_value)
                rules[k].dflt_value = coerce(sa, rules[k].dflt_value);
        }
    }
}

/* The index entry of @sa of @m, or NULL when it has none. */
static const struct argrule *rule_of(const tern_module *m, const tern_attr *sa)
{
    size_t k;

    if (!m || !sa)
        return NULL;
    pthread_once(&rules_once, rules_build);
    if (!rules)
        return NULL;
    for (k = rule_slot(m, sa); rules[k].sa; k = (k + 1) & rules_mask)
        if (rules[k].m == m && rules[k].sa == sa)
            return &rules[k];
    return NULL;
}

static const tern_arg_check *arg_check(const tern_module *m,
                                       const tern_attr *sa, const char *name)
{
    const struct argrule *r = rule_of(m, sa);

    return r ? r->check : arg_check_scan(m, name);
}

int tern__has_value_check(const tern_module *m, const tern_attr *sa,
                          const char *name)
{
    return (sa->type == TERN_TYPE_STRING &&
            (sa->max_items || arg_check(m, sa, name))) ||
           (sa->type == TERN_TYPE_NUMBER && arg_check(m, sa, name));
}

int tern__check_value(const tern_module *m, const tern_attr *sa,
                      const char *name, const tern_value *v,
                      const struct tern_range *r, struct tern_diags *diags)
{
    const tern_arg_check *c = arg_check(m, sa, name);
    const unsigned char *s;
    char why[512], num[64];
    size_t n = 0;

    if (sa->type == TERN_TYPE_NUMBER && c &&
        tern_value_kind(v) == TERN_VAL_NUMBER) {
        snprintf(num, sizeof(num), "%.17g", tern_value_get_number(v));
        if (!c->check(num, why, sizeof(why)))
            return TERN_OK;
        if (!tern_diags_add(diags, TERN_SEV_ERROR, r,
                            "Invalid value for argument",
                            "The argument \"%s\" %s", name, why))
            return TERN_ENOMEM;
        return TERN_ERROR;
    }
    if (sa->type != TERN_TYPE_STRING || tern_value_kind(v) != TERN_VAL_STRING)
        return TERN_OK;
    /* Characters, not bytes: count what does not continue a character. */
    for (s = (const unsigned char *)tern_value_get_string(v); *s; s++)
        n += (*s & 0xC0) != 0x80;
    if (sa->max_items && n > sa->max_items) {
        if (!tern_diags_add(diags, TERN_SEV_ERROR, r, "Value too long",
                            "The argument \"%s\" takes at most %u "
                            "characters; this value has %zu.",
                            name, sa->max_items, n))
            return TERN_ENOMEM;
        return TERN_ERROR;
    }
    /* Empty means unset (a generated name): nothing to check. */
    if (!c || n == 0 || !c->check(tern_value_get_string(v), why, sizeof(why)))
        return TERN_OK;
    if (!tern_diags_add(diags, TERN_SEV_ERROR, r, "Invalid value for argument",
                        "The argument \"%s\" %s", name, why))
        return TERN_ENOMEM;
    return TERN_ERROR;
}

/* What an unset argument of resource @m (NULL: a nested block's) is: its
 * default (tern_arg_defaults[]), else null. New reference. */
static tern_value *default_value(const tern_module *m, const tern_attr *sa)
{
    const struct argrule *r = rule_of(m, sa);
    const tern_arg_default *d;
    json_t *j;
    int oom = 0;
    tern_value *v;

    if (r && r->dflt_value)
        return tern_value_incref(r->dflt_value);
    d = r ? r->dflt : arg_default_scan(m, sa->name);
    if (!d)
        return tern_value_null();
    /* A default parsed while an allocation failed may have lost a
     * character (util/json.h): NULL, out of memory. */
    j = tern_json_loads(d->value, JSON_DECODE_ANY, &oom);
    v = j ? tern_value_from_json(j) : NULL;
    json_decref(j);
    return v ? coerce(sa, v) : NULL;
}

/* @m: the module, for the top-level body (NULL for nested blocks); @top:
 * whether meta-arguments may appear. */
/* Every nested block of @body must be one @schema has (or, at @top,
 * lifecycle). TERN_ERROR, with a diagnostic for each, when not. */
static int check_block_types(const tern_attr *schema,
                             const struct tern_body *body, int top,
                             struct tern_diags *diags)
{
    const tern_attr *sa;
    size_t j;
    int error = TERN_OK;

    for (j = 0; j < body->nblocks; j++) {
        const struct tern_block *nb = body->blocks[j];

        if (top && strcmp(nb->type, "lifecycle") == 0)
            continue;
        sa = tern_schema_attr(schema, nb->type);
        if (!sa || (sa->type != TERN_TYPE_BLOCK_LIST &&
                    sa->type != TERN_TYPE_BLOCK_SET)) {
            tern_diags_add(diags, TERN_SEV_ERROR, &nb->type_range,
                           "Unsupported block type",
                           "Blocks of type \"%s\" are not expected here.",
                           nb->type);
            error = TERN_ERROR;
        }
    }
    return error;
}

static int eval_body(struct evalctx *cx, const struct tern_lang_scope *sc,
                     const tern_attr *schema, const struct tern_body *body,
                     int top, const tern_module *m, tern_value **out,
                     struct tern_diags *diags)
{
    tern_value *obj = tern_value_object_new(), *v = NULL;
    const tern_attr *sa;
    size_t i, j;
    int error = TERN_OK, rc;

    TERN_CHECK_ALLOC(obj);
    for (i = 0; i < body->nattrs; i++) {
        const struct tern_attribute *a = &body->attrs[i];

        if (top && is_meta(a->name))
            continue;
        sa = tern_schema_attr(schema, a->name);
        if (!sa || !(sa->flags & (TERN_ATTR_REQUIRED | TERN_ATTR_OPTIONAL)) ||
            sa->type == TERN_TYPE_BLOCK_LIST ||
            sa->type == TERN_TYPE_BLOCK_SET) {
            tern_diags_add(
                diags, TERN_SEV_ERROR, &a->name_range, "Unsupported argument",
                "An argument named \"%s\" is not expected here.", a->name);
            error = TERN_ERROR;
            continue;
        }
        rc = tern_lang_eval(a->expr, sc, &v, diags);
        if (rc == TERN_ENOMEM) {
            error = rc;
            goto done;
        }
        if (rc) {
            error = TERN_ERROR;
            continue;
        }
        v = coerce(sa, v);
        TERN_CHECK_ALLOC(v);
        {
            const char *want = "";

            if (!type_fits(sa, v, &want)) {
                tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                               "Incorrect attribute value type",
                               "Inappropriate value for attribute \"%s\": "
                               "%s required, found %s.",
                               a->name, want,
                               tern_value_kind_name(tern_value_kind(v)));
                tern_value_decref(v);
                v = NULL;
                error = TERN_ERROR;
                continue;
            }
        }
        rc = tern__check_value(m, sa, a->name, v, &a->expr->range, diags);
        if (rc) {
            tern_value_decref(v);
            v = NULL;
            if (rc == TERN_ENOMEM) {
                error = rc;
                goto done;
            }
            error = TERN_ERROR;
            continue;
        }
        if (tern_value_object_set(obj, a->name, v)) {
            v = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        v = NULL;
    }
    for (sa = schema; sa && sa->name; sa++) {
        tern_value *list;

        if (sa->type != TERN_TYPE_BLOCK_LIST && sa->type != TERN_TYPE_BLOCK_SET)
            continue;
        list = tern_value_list_new();
        TERN_CHECK_ALLOC(list);
        for (j = 0; j < body->nblocks; j++) {
            if (strcmp(body->blocks[j]->type, sa->name) != 0)
                continue;
            rc = eval_body(cx, sc, sa->nested, body->blocks[j]->body, 0, NULL,
                           &v, diags);
            if (rc == TERN_ENOMEM) {
                tern_value_decref(list);
                error = rc;
                goto done;
            }
            if (rc) {
                error = TERN_ERROR;
                continue;
            }
            if (tern_value_list_append(list, v)) {
                v = NULL;
                tern_value_decref(list);
                error = TERN_ENOMEM;
                goto done;
            }
            v = NULL;
        }
        if (sa->type == TERN_TYPE_BLOCK_SET)
            list = tern_value_set_finish(list);
        TERN_CHECK_ALLOC(list);
        if (tern_value_object_set(obj, sa->name, list)) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (check_block_types(schema, body, top, diags))
        error = TERN_ERROR;
    for (sa = schema; sa && sa->name; sa++) {
        const tern_value *set = tern_value_object_get(obj, sa->name);

        /* An optional argument set to null is unset, as Terraform has
         * it: the provider's default applies (path = var.p, p null). */
        if (set && !(tern_value_kind(set) == TERN_VAL_NULL &&
                     !(sa->flags & TERN_ATTR_REQUIRED)))
            continue;
        /* Set but refused above (its type or check): not missing too. */
        if ((sa->flags & TERN_ATTR_REQUIRED) &&
            tern_lang_body_attr(body, sa->name))
            continue;
        if (sa->flags & TERN_ATTR_REQUIRED) {
            tern_diags_add(diags, TERN_SEV_ERROR, &body->range,
                           "Missing required argument",
                           "The argument \"%s\" is required, but no "
                           "definition was found.",
                           sa->name);
            error = TERN_ERROR;
        }
        v = default_value(m, sa);
        TERN_CHECK_ALLOC(v);
        if (tern_value_object_set(obj, sa->name, v)) {
            v = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        v = NULL;
    }
    if (error == TERN_OK) {
        *out = obj;
        obj = NULL;
    }
done:
    tern_value_decref(v);
    tern_value_decref(obj);
    return error;
}

int tern__eval_config(struct evalctx *cx, const struct pinst *pi,
                      const struct eblock *b, tern_value **out,
                      struct tern_diags *diags)
{
    struct tern_lang_scope sc;
    tern_value *tmp[2];
    int error;

    *out = NULL;
    tern__scope_init(&sc, cx, pi, tmp);
    error = eval_body(cx, &sc, b->module->schema, b->block->body, 1, b->module,
                      out, diags);
    tern_value_decref(tmp[0]);
    tern_value_decref(tmp[1]);
    return error;
}

/* ---- marks ----------------------------------------------------------------
 */

/* A TERN_TYPE_DYNAMIC value with its {"tern:sensitive": VALUE} parts
 * turned into marked values (tern/module.h). Steals @v. */
static tern_value *unwrap_sensitive(tern_value *v)
{
    enum tern_value_kind k = tern_value_kind(v);
    tern_value *r, *x;
    size_t i, n;

    if (!v || (k != TERN_VAL_OBJECT && k != TERN_VAL_LIST))
        return v;
    n = tern_value_length(v);
    if (k == TERN_VAL_OBJECT && n == 1 &&
        strcmp(tern_value_object_key(v, 0), "tern:sensitive") == 0) {
        r = tern_value_incref(tern_value_object_value(v, 0));
        tern_value_decref(v);
        return r ? tern_value_mark_sensitive(r) : NULL;
    }
    r = k == TERN_VAL_OBJECT ? tern_value_object_new() : tern_value_list_new();
    for (i = 0; r && i < n; i++) {
        x = unwrap_sensitive(tern_value_incref(
            k == TERN_VAL_OBJECT ? tern_value_object_value(v, i)
                                 : tern_value_list_get(v, i)));
        if (!x || (k == TERN_VAL_OBJECT ? tern_value_object_set(
                                              r, tern_value_object_key(v, i), x)
                                        : tern_value_list_append(r, x))) {
            tern_value_decref(r);
            r = NULL;
        }
    }
    tern_value_decref(v);
    return r;
}

tern_value *tern__mark_schema(const tern_attr *schema, tern_value *v)
{
    tern_value *r;
    size_t i;

    if (!v || tern_value_kind(v) != TERN_VAL_OBJECT)
        return v;
    r = tern_value_object_new();
    for (i = 0; r && i < tern_value_length(v); i++) {
        const char *k = tern_value_object_key(v, i);
        const tern_attr *sa = tern_schema_attr(schema, k);
        tern_value *x = tern_value_incref(tern_value_object_value(v, i));

        if (sa && sa->type == TERN_TYPE_DYNAMIC) {
            x = unwrap_sensitive(x);
        } else if (sa && !tern_value_is_null(x) && !tern_value_is_unknown(x)) {
            x = coerce(sa, x);
            if (x && (sa->flags & TERN_ATTR_SENSITIVE) &&
                !tern_value_is_sensitive(x))
                x = tern_value_mark_sensitive(x);
        } else if (sa && tern_value_is_unknown(x) &&
                   (sa->flags & TERN_ATTR_SENSITIVE)) {
            /* Not known until the apply, but sensitive already (a
             * generated password): an output of it must say so at plan
             * time, before the apply prints it. */
            x = tern_value_mark_sensitive(x);
        }
        if (!x || tern_value_object_set(r, k, x)) {
            tern_value_decref(r);
            r = NULL;
        }
    }
    tern_value_decref(v);
    return r;
}

tern_value *tern__value_from_state(const tern_attr *schema, const json_t *j)
{
    tern_value *v = j ? tern_value_from_json(j) : tern_value_object_new();

    return tern__mark_schema(schema, v);
}

/* The paths below @path of @v's marked parts. @a is the attribute @v is
 * the value of, or an element of (NULL inside an object of any kind): the
 * keys of a map are index steps, those of a block or object get_attr
 * steps, as cty paths them. */
static int marked_paths(const tern_value *v, const tern_attr *a, int in_elem,
                        const json_t *path, json_t *out)
{
    enum tern_value_kind k = tern_value_kind(v);
    size_t i;
    int error = TERN_OK;

    if (!tern_value_has_sensitive(v))
        return TERN_OK;
    /* cty cannot mark a set's element: the mark moves to the set, whose
     * path is recorded (a set of blocks shows as sensitive blocks). A set
     * attribute's value may be held as a list. */
    if (tern_value_is_sensitive(v) || k == TERN_VAL_SET ||
        (!in_elem && a &&
         (a->type == TERN_TYPE_BLOCK_SET || a->type == TERN_TYPE_SET_STRING)))
        return json_array_append_new(out, json_deep_copy(path)) ? TERN_ENOMEM
                                                                : TERN_OK;
    for (i = 0; !error && i < tern_value_length(v) &&
                (k == TERN_VAL_LIST || k == TERN_VAL_OBJECT);
         i++) {
        json_t *sub = json_deep_copy(path), *step;
        const tern_value *x;
        const tern_attr *xa = NULL;
        int elem = 0;

        if (k == TERN_VAL_OBJECT) {
            const char *key = tern_value_object_key(v, i);

            x = tern_value_object_value(v, i);
            if (a && a->type == TERN_TYPE_MAP_STRING) {
                step = json_pack("{s:s,s:{s:s,s:s}}", "type", "index", "value",
                                 "value", key, "type", "string");
            } else {
                step = json_pack("{s:s,s:s}", "type", "get_attr", "value", key);
                /* A block's element: its attributes have the nested
                 * schema. */
                xa = a && in_elem && a->nested
                         ? tern_schema_attr(a->nested, key)
                         : NULL;
            }
        } else {
            x = tern_value_list_get(v, i);
            step = json_pack("{s:s,s:{s:I,s:s}}", "type", "index", "value",
                             "value", (json_int_t)i, "type", "number");
            xa = a;
            elem = 1;
        }
        if (!sub || !step || json_array_append_new(sub, step)) {
            if (!sub)
                json_decref(step);
            error = TERN_ENOMEM;
        } else if (!(xa && (xa->flags & TERN_ATTR_SENSITIVE))) {
            error = marked_paths(x, xa, elem, sub, out);
        }
        json_decref(sub);
    }
    return error;
}

int tern__value_sensitive_paths(const tern_attr *schema, const tern_value *v,
                                json_t *out)
{
    size_t i;
    int error = TERN_OK;

    if (!v || tern_value_kind(v) != TERN_VAL_OBJECT ||
        !tern_value_has_sensitive(v))
        return TERN_OK;
    for (i = 0; !error && i < tern_value_length(v); i++) {
        const char *k = tern_value_object_key(v, i);
        const tern_attr *sa = tern_schema_attr(schema, k);
        json_t *path;

        if (sa && ((sa->flags & TERN_ATTR_SENSITIVE) ||
                   sa->type == TERN_TYPE_DYNAMIC))
            continue;
        if (!tern_value_has_sensitive(tern_value_object_value(v, i)))
            continue;
        path = json_pack("[{s:s,s:s}]", "type", "get_attr", "value", k);
        error =
            path ? marked_paths(tern_value_object_value(v, i), sa, 0, path, out)
                 : TERN_ENOMEM;
        json_decref(path);
    }
    return error;
}

/* @v with the part at @path[@at...] marked; steals @v. */
static tern_value *mark_path(tern_value *v, const json_t *path, size_t at)
{
    const json_t *step = json_array_get(path, at), *sv;
    enum tern_value_kind k;
    tern_value *r = NULL;
    size_t i;
    char key[32];
    const char *want = NULL;

    if (!v)
        return NULL;
    if (!step)
        return tern_value_is_sensitive(v) || tern_value_is_null(v)
                   ? v
                   : tern_value_mark_sensitive(v);
    sv = json_object_get(step, "value");
    if (json_is_object(sv)) /* an index: {"value": KEY, "type": T} */
        sv = json_object_get(sv, "value");
    if (json_is_integer(sv)) {
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(sv));
        want = key;
    } else {
        want = json_string_value(sv);
    }
    k = tern_value_kind(v);
    if (!want || tern_value_is_sensitive(v) ||
        (k != TERN_VAL_OBJECT && k != TERN_VAL_LIST && k != TERN_VAL_SET))
        return v;
    r = k == TERN_VAL_OBJECT ? tern_value_object_new() : tern_value_list_new();
    for (i = 0; r && i < tern_value_length(v); i++) {
        tern_value *x;
        int here;

        if (k == TERN_VAL_OBJECT) {
            x = tern_value_incref(tern_value_object_value(v, i));
            here = strcmp(tern_value_object_key(v, i), want) == 0;
        } else {
            snprintf(key, sizeof(key), "%zu", i);
            x = tern_value_incref(tern_value_list_get(v, i));
            here = strcmp(key, want) == 0;
        }
        if (here)
            x = mark_path(x, path, at + 1);
        if (!x || (k == TERN_VAL_OBJECT ? tern_value_object_set(
                                              r, tern_value_object_key(v, i), x)
                                        : tern_value_list_append(r, x))) {
            tern_value_decref(r);
            r = NULL;
        }
    }
    if (r && k == TERN_VAL_SET)
        r = tern_value_set_finish(r);
    tern_value_decref(v);
    return r;
}

tern_value *tern__value_mark_paths(tern_value *v, const json_t *paths)
{
    size_t i;

    for (i = 0; v && i < json_array_size(paths); i++)
        if (json_is_array(json_array_get(paths, i)))
            v = mark_path(v, json_array_get(paths, i), 0);
    return v;
}

/* ---- the diff -------------------------------------------------------------
 */

/* Null, or the zero value of its type ("", false, 0, [], {}). */
static int json_zero(const json_t *v)
{
    if (!v)
        return 1;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return 1;
    case JSON_STRING:
        return json_string_length(v) == 0;
    case JSON_INTEGER:
    case JSON_REAL:
        return json_number_value(v) == 0;
    case JSON_ARRAY:
        return json_array_size(v) == 0;
    case JSON_OBJECT:
        return json_object_size(v) == 0;
    default:
        return 0;
    }
}

/* Whether set @a holds every element of @b. */
static int json_set_covers(const json_t *a, const json_t *b)
{
    size_t i, j;

    for (i = 0; i < json_array_size(b); i++) {
        for (j = 0; j < json_array_size(a); j++)
            if (json_equal(json_array_get(a, j), json_array_get(b, i)))
                break;
        if (j == json_array_size(a))
            return 0;
    }
    return 1;
}

/* Whether two stored values of attribute @sa mean the same (see
 * tern__state_same), in *@same; TERN_OK or TERN_ENOMEM. */
static int json_same_value(int *same, const tern_attr *sa, const json_t *a,
                           const json_t *b)
{
    size_t i;
    int error = TERN_OK;

    *same = 0;
    /* Any value: compared as a whole, null and {} told apart. */
    if (sa->type == TERN_TYPE_DYNAMIC)
        *same = a && b ? json_equal(a, b) : a == b;
    else if (json_zero(a) && json_zero(b))
        *same = 1;
    else if (!a || !b)
        *same = 0;
    else if (json_is_number(a) && json_is_number(b))
        *same = json_number_value(a) == json_number_value(b);
    else if (json_equal(a, b))
        *same = 1;
    else if (sa->equivalent && json_is_string(a) && json_is_string(b))
        error = sa->equivalent(same, a, b);
    else if (!json_is_array(a) || !json_is_array(b) ||
             json_array_size(a) != json_array_size(b))
        *same = 0;
    else if (sa->type == TERN_TYPE_SET_STRING)
        *same = json_set_covers(a, b) && json_set_covers(b, a);
    else if ((sa->type == TERN_TYPE_BLOCK_LIST ||
              sa->type == TERN_TYPE_BLOCK_SET) &&
             sa->nested) {
        *same = 1;
        for (i = 0; !error && *same && i < json_array_size(a); i++)
            error = tern__state_same(same, sa->nested, json_array_get(a, i),
                                     json_array_get(b, i));
    }
    if (error)
        *same = 0;
    return error;
}

int tern__state_same(int *same, const tern_attr *schema, const json_t *a,
                     const json_t *b)
{
    const tern_attr *sa;
    int error = TERN_OK;

    *same = 1;
    if (!schema) {
        *same = json_equal(a, b);
        return TERN_OK;
    }
    for (sa = schema; !error && *same && sa->name; sa++)
        error = json_same_value(same, sa, json_object_get(a, sa->name),
                                json_object_get(b, sa->name));
    return error;
}

json_t *tern__state_drift_before(const tern_attr *schema, const json_t *prior,
                                 const json_t *now)
{
    json_t *before;
    const tern_attr *sa;
    int same;

    if (!schema)
        return json_deep_copy(prior);
    before = json_deep_copy(now);
    if (!before)
        return NULL;
    for (sa = schema; sa->name; sa++) {
        const json_t *p = json_object_get(prior, sa->name);

        if (json_same_value(&same, sa, p, json_object_get(now, sa->name)) !=
                TERN_OK ||
            (!same &&
             json_object_set_new(before, sa->name,
                                 p ? json_deep_copy(p) : json_null()))) {
            json_decref(before);
            return NULL;
        }
    }
    return before;
}

static int same(const tern_value *a, const tern_value *b)
{
    int an = !a || tern_value_is_null(a), bn = !b || tern_value_is_null(b);

    if (an || bn)
        return an && bn;
    if (!tern_value_is_wholly_known(a) || !tern_value_is_wholly_known(b))
        return 0;
    return tern_value_equal(a, b);
}

static int is_zero(const tern_value *v)
{
    switch (tern_value_kind(v)) {
    case TERN_VAL_NULL:
        return 1;
    case TERN_VAL_BOOL:
        return !tern_value_get_bool(v);
    case TERN_VAL_NUMBER:
        return tern_value_get_number(v) == 0;
    case TERN_VAL_STRING:
        return tern_value_string_len(v) == 0;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
    case TERN_VAL_OBJECT:
        return tern_value_length(v) == 0;
    default:
        return 0;
    }
}

static int ignored(const struct eblock *b, const char *name)
{
    size_t i;

    if (!b)
        return 0;
    if (b->ignore_all)
        return 1;
    for (i = 0; i < b->nignore; i++)
        if (strcmp(b->ignore[i], name) == 0)
            return 1;
    return 0;
}

/* Whether the schema calls @c and @p the same document, in *@eq;
 * TERN_OK or TERN_ENOMEM (never "not equivalent" for want of memory). */
static int equivalent(int *eq, const tern_attr *sa, const tern_value *c,
                      const tern_value *p)
{
    json_t *jc = NULL, *jp = NULL;
    int error = TERN_OK;

    *eq = 0;
    if (!sa->equivalent || !p || !tern_value_is_wholly_known(c) ||
        !tern_value_is_wholly_known(p) || tern_value_is_null(p))
        return TERN_OK;
    /* The same text is equivalent without asking the schema (a policy's
     * equivalence parses and canonicalises both documents). */
    if (tern_value_equal(c, p)) {
        *eq = 1;
        return TERN_OK;
    }
    jc = tern_value_to_json(c);
    jp = tern_value_to_json(p);
    if (!jc || !jp)
        error = TERN_ENOMEM;
    else
        error = sa->equivalent(eq, jc, jp);
    if (error)
        *eq = 0;
    json_decref(jc);
    json_decref(jp);
    return error;
}

int tern__planned_same(int *same, const tern_attr *sa,
                       const tern_value *planned, const tern_value *now)
{
    *same = 1;
    if (now && tern_value_equal(planned, now))
        return TERN_OK;
    /* Unset now, the type's zero value planned (the prior's, kept). */
    if ((!now || tern_value_is_null(now)) && is_zero(planned))
        return TERN_OK;
    /* The prior's text of an equivalent document, kept. */
    *same = 0;
    return now ? equivalent(same, sa, now, planned) : TERN_OK;
}

int tern__plan_object(const tern_attr *schema, const struct eblock *b,
                      const tern_value *cfg, const tern_value *prior,
                      int replacing, tern_value **out, int *changed,
                      int *replace, char ***paths, size_t *npaths)
{
    tern_value *obj = NULL, *v;
    const tern_attr *sa;
    int pass, error = TERN_OK;

    *out = NULL;
    *changed = 0;
    *replace = replacing;
    /* Pass 0 finds whether the object is replaced; pass 1 builds it, with
     * computed attributes unknown when it is. */
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            obj = tern_value_object_new();
            TERN_CHECK_ALLOC(obj);
        }
        for (sa = schema; sa && sa->name; sa++) {
            const tern_value *c =
                cfg ? tern_value_object_get(cfg, sa->name) : NULL;
            const tern_value *p =
                prior ? tern_value_object_get(prior, sa->name) : NULL;
            int settable =
                (sa->flags & (TERN_ATTR_REQUIRED | TERN_ATTR_OPTIONAL)) != 0;
            const tern_value *pick = NULL;
            int unknown = 0;

            /* No blocks of an optional and computed block type is unset,
             * as in the SDK (aws_iam_role's inline_policy: absent, the
             * prior stands; one empty block means none). */
            if (c && is_zero(c) &&
                (sa->type == TERN_TYPE_BLOCK_LIST ||
                 sa->type == TERN_TYPE_BLOCK_SET) &&
                (sa->flags & TERN_ATTR_COMPUTED))
                c = NULL;

            if (prior && settable && ignored(b, sa->name))
                pick = p;
            else if (prior && !*replace && settable &&
                     (sa->flags & TERN_ATTR_UNREPORTED) && (!p || is_zero(p)))
                /* What a read or an import records for a value the
                 * service never reports: not compared (a replacement
                 * sends the configuration's). */
                pick = p;
            else if (settable && c && !tern_value_is_null(c)) {
                int eq;

                if ((error = equivalent(&eq, sa, c, p)))
                    goto done;
                /* The other way round too: a zero value configured
                 * (tags = {}) over an unset prior (an imported role
                 * without tags) is no change. */
                pick =
                    eq || (prior && is_zero(c) && (!p || tern_value_is_null(p)))
                        ? p
                        : c;
            } else if (settable && !(sa->flags & TERN_ATTR_COMPUTED) && p &&
                       is_zero(p))
                /* Unset and the type's zero value are the same, as in
                 * Terraform's SDKv2 providers (force_detach_policies =
                 * false read back for an unset argument). */
                pick = p;
            else if (sa->flags & TERN_ATTR_COMPUTED)
                unknown = !prior || *replace, pick = unknown ? NULL : p;
            if (pass == 0) {
                if (prior && settable && !unknown && !same(pick, p)) {
                    *changed = 1;
                    if (sa->flags & TERN_ATTR_FORCE_NEW) {
                        char **np = tern_realloc(*paths, (*npaths + 2) *
                                                             sizeof(char *));

                        TERN_CHECK_ALLOC(np);
                        *paths = np;
                        np[*npaths] = tern_strdup(sa->name);
                        TERN_CHECK_ALLOC(np[*npaths]);
                        (*npaths)++;
                        np[*npaths] = NULL;
                        *replace = 1;
                    }
                }
                continue;
            }
            if (unknown)
                v = tern_value_unknown();
            else if (pick)
                v = tern_value_incref(pick);
            else
                v = tern_value_null();
            TERN_CHECK_ALLOC(v);
            if (tern_value_object_set(obj, sa->name, v)) {
                error = TERN_ENOMEM;
                goto done;
            }
        }
    }
    obj = tern__mark_schema(schema, obj);
    TERN_CHECK_ALLOC(obj);
    *out = obj;
    obj = NULL;
done:
    tern_value_decref(obj);
    return error;
}
