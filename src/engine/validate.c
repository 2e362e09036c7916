/*
 * tern validate's engine checks (tern_engine_validate): the graph is built
 * as for a plan, but without a state, with unknown values for variables
 * that have none, and locals are checked for cycles among themselves,
 * which the block graph does not see (a local is not a node of it), in
 * the root and every child module; the attributes that references name
 * after a resource or data source are checked against its schema.
 * Constant arguments are checked against their schema's length limits, in
 * every module, once per block.
 * Then, when nothing else is wrong, the policy lint (lint.c).
 */
#include "engine_int.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <stdio.h>
#include <string.h>

struct lcycle {
    const struct tern_lang_config *cfg;
    unsigned char *color; /* 0 new, 1 on the path, 2 done */
    size_t *path;
    size_t depth;
    struct tern_diags *diags;
    int error;
};

static size_t local_index(const struct tern_lang_config *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->nlocal_attrs; i++)
        if (strcmp(cfg->local_attrs[i]->name, name) == 0)
            return i;
    return (size_t)-1;
}

static void visit_local(struct lcycle *c, size_t i);

static void on_ref(void *ctx, const struct tern_lang_ref *ref)
{
    struct lcycle *c = ctx;
    size_t j;

    if (c->error || !ref->kind || strcmp(ref->kind, "local") != 0 || !ref->name)
        return;
    j = local_index(c->cfg, ref->name);
    if (j == (size_t)-1)
        return; /* undeclared: tern_lang_config_validate says so */
    if (c->color[j] == 1) {
        tern_buf b = TERN_BUF_INIT;
        size_t k = c->depth;

        while (k > 0 && c->path[k - 1] != j)
            k--;
        for (k = k ? k - 1 : 0; k < c->depth; k++)
            tern_buf_printf(&b, "local.%s, ",
                            c->cfg->local_attrs[c->path[k]]->name);
        tern_buf_printf(&b, "local.%s", ref->name);
        if (tern_buf_oom(&b) ||
            !tern_diags_add(c->diags, TERN_SEV_ERROR,
                            &c->cfg->local_attrs[j]->name_range,
                            "Cycle in the dependency graph", "Cycle: %s",
                            tern_buf_cstr(&b)))
            c->error = TERN_ENOMEM;
        else if (!c->error)
            c->error = TERN_ERROR;
        tern_buf_release(&b);
        return;
    }
    if (c->color[j] == 0)
        visit_local(c, j);
}

static void visit_local(struct lcycle *c, size_t i)
{
    c->color[i] = 1;
    c->path[c->depth++] = i;
    tern_lang_expr_refs(c->cfg->local_attrs[i]->expr, on_ref, c);
    c->depth--;
    c->color[i] = 2;
}

/* In the module @cfg and, each once, every module it calls. */
static int local_cycles(const struct tern_lang_config *cfg,
                        struct tern_diags *diags)
{
    struct lcycle c;
    size_t i;
    int error = TERN_OK, rc;

    memset(&c, 0, sizeof(c));
    c.cfg = cfg;
    c.diags = diags;
    c.color = tern_calloc(cfg->nlocal_attrs + 1, 1);
    c.path = tern_calloc(cfg->nlocal_attrs + 1, sizeof(*c.path));
    TERN_CHECK_ALLOC(c.color);
    TERN_CHECK_ALLOC(c.path);
    for (i = 0; i < cfg->nlocal_attrs && !c.error; i++)
        if (c.color[i] == 0)
            visit_local(&c, i);
    error = c.error;
    for (i = 0; error != TERN_ENOMEM && i < cfg->ncalls; i++)
        if (cfg->calls[i].cfg &&
            (rc = local_cycles(cfg->calls[i].cfg, diags)) != TERN_OK &&
            (rc == TERN_ENOMEM || !error))
            error = rc;
done:
    tern_free(c.color);
    tern_free(c.path);
    return error;
}

/*
 * Arguments whose value is known without a plan (no references) against
 * the limits of their schema and the modules' checks, such as a role
 * name's length and character set, so that validate reports what IAM
 * would refuse at apply; plan checks every known value again.
 */
static int check_values(const tern_engine *e, struct tern_diags *diags)
{
    struct tern_lang_scope scope;
    size_t i, j;
    int error = TERN_OK, rc;

    memset(&scope, 0, sizeof(scope));
    scope.base_dir = "/nonexistent";
    for (i = 0; i < e->nblocks; i++) {
        const struct eblock *b = &e->blocks[i];
        size_t k;

        /* A child module's block is checked once, whatever the number of
         * its module's instances: its constants are the same in each. */
        for (k = 0; k < i && e->blocks[k].block != b->block; k++)
            ;
        if (k < i)
            continue;

        for (j = 0; b->module && j < b->block->body->nattrs; j++) {
            const struct tern_attribute *a = &b->block->body->attrs[j];
            const tern_attr *sa = tern_schema_attr(b->module->schema, a->name);
            struct tern_diags local = TERN_DIAGS_INIT;
            tern_value *v = NULL;

            if (!sa || !tern__has_value_check(b->module, sa, a->name))
                continue;
            /* With no scope, any reference fails: such values are the
             * plan's. */
            rc = tern_lang_eval(a->expr, &scope, &v, &local) == TERN_OK
                     ? tern__check_value(b->module, sa, a->name, v,
                                         &a->expr->range, diags)
                     : TERN_OK;
            tern_value_decref(v);
            tern_diags_release(&local);
            if (rc == TERN_ENOMEM)
                return rc;
            if (rc)
                error = rc;
        }
    }
    return error;
}

/* ---- attributes named in references ------------------------------------ */

struct attrcheck {
    struct tern_diags *diags;
    int error;
};

/* A resource's or data source's attribute named in a reference against
 * its type's schema, as Terraform's static validation of references
 * (configschema's StaticValidateTraversal): "Unsupported attribute" at
 * the step, with a suggestion when a name is close. */
static void on_attr_ref(void *ctx, const struct tern_lang_ref *ref)
{
    struct attrcheck *c = ctx;
    const tern_module *m;
    const char *cands[128], *best;
    char hint[160] = "";
    size_t n = 0, i;

    if (!ref->attr || !ref->type || c->error == TERN_ENOMEM)
        return;
    m = tern_module_find(ref->kind[0] == 'd' ? TERN_MODULE_DATA
                                             : TERN_MODULE_RESOURCE,
                         ref->type);
    if (!m || !m->schema || tern_schema_attr(m->schema, ref->attr))
        return; /* an unknown type is reported on its own */
    for (i = 0; m->schema[i].name && n < 128; i++)
        cands[n++] = m->schema[i].name;
    if ((best = tern_lang_suggest(ref->attr, cands, n)))
        snprintf(hint, sizeof(hint), " Did you mean \"%s\"?", best);
    if (!tern_diags_add(c->diags, TERN_SEV_ERROR, &ref->attr_range,
                        "Unsupported attribute",
                        "This object has no argument, nested block, or "
                        "exported attribute named \"%s\".%s",
                        ref->attr, hint))
        c->error = TERN_ENOMEM;
    else
        c->error = TERN_ERROR;
}

static void check_body_attrs(const struct tern_body *body, struct attrcheck *c)
{
    size_t i;

    for (i = 0; body && i < body->nattrs; i++)
        tern_lang_expr_refs(body->attrs[i].expr, on_attr_ref, c);
    for (i = 0; body && i < body->nblocks; i++)
        check_body_attrs(body->blocks[i]->body, c);
}

/* Every expression of the module @cfg and, each once, of the modules it
 * calls. */
static void check_attr_refs(const struct tern_lang_config *cfg,
                            struct attrcheck *c)
{
    const struct tern_blockvec *vecs[] = {&cfg->resources, &cfg->data,
                                          &cfg->outputs,   &cfg->modules,
                                          &cfg->checks,    &cfg->providers};
    size_t i, j;

    for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
        for (j = 0; j < vecs[i]->n; j++)
            check_body_attrs(vecs[i]->items[j]->body, c);
    for (i = 0; i < cfg->nlocal_attrs; i++)
        tern_lang_expr_refs(cfg->local_attrs[i]->expr, on_attr_ref, c);
    for (i = 0; i < cfg->ncalls; i++)
        if (cfg->calls[i].cfg)
            check_attr_refs(cfg->calls[i].cfg, c);
}

/*
 * A constant null argument for a variable with nullable = false: the
 * default when it has one (*v becomes it), else Terraform's "Required
 * variable not set", which its validate walk reports too (each module
 * call a single instance there, internal/terraform/node_module_expand.go
 * nodeValidateModule; the message from eval_variable.go
 * prepareFinalInputVariableValue). TERN_OK with *v replaced, TERN_ERROR
 * reported, TERN_ENOTFOUND when the default has no value here, or
 * TERN_ENOMEM.
 */
static int null_argument(const struct tern_lang_config *child,
                         const struct tern_block *vb,
                         const struct tern_attribute *a, tern_value **v,
                         struct tern_diags *diags)
{
    const struct tern_attribute *da = tern_lang_body_attr(vb->body, "default");
    struct tern_diags ignore = TERN_DIAGS_INIT;
    struct tern_lang_scope scope;
    tern_value *def = NULL;
    char where[256];
    int rc;

    if (da) {
        memset(&scope, 0, sizeof(scope));
        scope.base_dir = "/nonexistent";
        rc = tern_lang_eval(da->expr, &scope, &def, &ignore);
        tern_diags_release(&ignore);
        if (rc != TERN_OK) /* reported by the checks of the default */
            return rc == TERN_ENOMEM ? rc : TERN_ENOTFOUND;
        tern_value_decref(*v);
        *v = def;
        return TERN_OK;
    }
    tern_lang_module_display(child->key, where, sizeof(where));
    return tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                          "Required variable not set",
                          "The given value is not suitable for %s.var.%s "
                          "defined at %s:%u,%u-%u: required variable may not "
                          "be set to null.",
                          where, vb->labels[0], vb->def_range.file,
                          vb->def_range.start.line, vb->def_range.start.column,
                          vb->def_range.end.column)
               ? TERN_ERROR
               : TERN_ENOMEM;
}

/*
 * A child module's variable validation rules against each call argument
 * known without a plan (no references), as terraform validate evaluates
 * them (its module variables are the call's arguments, unknown where they
 * refer to anything). The module's other variables are unknown, so a rule
 * that needs them waits for the plan, which checks every instance again.
 * Only the rules' failures are reported here: anything else about the
 * argument is the plan's.
 */
static int module_var_rules(const struct tern_lang_config *cfg,
                            struct tern_diags *diags)
{
    size_t i, j, k, l;
    int error = TERN_OK, rc;

    for (i = 0; i < cfg->ncalls; i++) {
        const struct tern_lang_config *child = cfg->calls[i].cfg;

        if (!child || !cfg->calls[i].call)
            continue;
        for (j = 0; j < child->variables.n; j++) {
            const struct tern_block *vb = child->variables.items[j];
            const struct tern_attribute *a =
                tern_lang_body_attr(cfg->calls[i].call->body, vb->labels[0]);
            const struct tern_attribute *ta =
                tern_lang_body_attr(vb->body, "type");
            struct tern_diags local = TERN_DIAGS_INIT;
            struct tern_lang_scope scope;
            struct tern_lang_type *type = NULL;
            tern_value *v = NULL, *conv = NULL, *vars = NULL;
            char why[256];
            int rules = 0;

            for (k = 0; k < vb->body->nblocks; k++)
                if (strcmp(vb->body->blocks[k]->type, "validation") == 0)
                    rules = 1;
            if (!a || (!rules && tern__var_nullable(vb)))
                continue;
            memset(&scope, 0, sizeof(scope));
            scope.base_dir = "/nonexistent";
            rc = tern_lang_eval(a->expr, &scope, &v, &local);
            if (rc == TERN_OK && tern_value_is_null(v) &&
                !tern__var_nullable(vb)) {
                rc = null_argument(child, vb, a, &v, diags);
                if (rc == TERN_ERROR)
                    error = rc;
                else if (rc == TERN_OK && !rules)
                    rc = TERN_ENOTFOUND; /* nothing more to check */
            }
            if (rc == TERN_OK && ta && !tern_value_is_null(v) &&
                (rc = tern_lang_type_parse(ta->expr, &type, &local)) ==
                    TERN_OK &&
                (rc = tern_lang_type_convert(type, v, &conv, why,
                                             sizeof(why))) == TERN_OK &&
                conv) {
                tern_value_decref(v);
                v = conv;
            }
            tern_lang_type_free(type);
            if (rc == TERN_OK && tern_value_is_wholly_known(v)) {
                vars = tern_value_object_new();
                for (l = 0; vars && l < child->variables.n; l++) {
                    const char *name = child->variables.items[l]->labels[0];

                    if (tern_value_object_set(vars, name,
                                              l == j ? tern_value_incref(v)
                                                     : tern_value_unknown()))
                        rc = TERN_ENOMEM;
                }
                if (!vars)
                    rc = TERN_ENOMEM;
                scope.vars = vars;
                if (rc == TERN_OK)
                    rc = tern_lang_variable_validate(vb, &scope,
                                                     &a->expr->range, &local);
                for (l = 0; rc != TERN_ENOMEM && l < local.count; l++) {
                    const struct tern_diag *d = &local.items[l];

                    if (strcmp(d->summary, "Invalid value for variable") != 0)
                        continue;
                    if (!tern_diags_add(
                            diags, d->severity, d->has_range ? &d->range : NULL,
                            d->summary, "%s", d->detail ? d->detail : ""))
                        rc = TERN_ENOMEM;
                    else
                        error = TERN_ERROR;
                }
            }
            tern_value_decref(vars);
            tern_value_decref(v);
            tern_diags_release(&local);
            if (rc == TERN_ENOMEM)
                return rc;
        }
        if ((rc = module_var_rules(child, diags)) == TERN_ENOMEM)
            return rc;
        if (rc)
            error = rc;
    }
    return error;
}

int tern_engine_validate(const tern_config *config, struct tern_diags *diags)
{
    struct attrcheck ac = {diags, TERN_OK};
    tern_engine_options opts = TERN_ENGINE_OPTIONS_INIT;
    tern_engine *e = NULL;
    tern_value *vars = NULL;
    size_t i, errors = diags->errors;
    int error = TERN_OK, rc;

    if ((error = local_cycles(config, diags)) == TERN_ENOMEM)
        goto done;
    check_attr_refs(config, &ac);
    if (ac.error == TERN_ENOMEM || (ac.error && !error))
        error = ac.error;
    if (error == TERN_ENOMEM)
        goto done;
    /* Every root variable is unknown, defaults too, as in Terraform's
     * validate walk (internal/terraform/evaluate.go GetInputVariable):
     * the configuration is checked for all values, not the defaults, so
     * a default cannot make validate, which plan runs first, refuse what
     * a given value would make fine. */
    vars = tern_value_object_new();
    TERN_CHECK_ALLOC(vars);
    for (i = 0; i < config->variables.n; i++) {
        const struct tern_block *b = config->variables.items[i];

        if (b->nlabels < 1)
            continue;
        if (tern_value_object_set(vars, b->labels[0], tern_value_unknown())) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    opts.config = config;
    opts.variables = vars;
    rc = tern__engine_new(&e, &opts, 0, diags);
    if (rc == TERN_OK && e)
        rc = check_values(e, diags);
    if (rc == TERN_OK && e)
        rc = module_var_rules(config, diags);
    if (rc == TERN_ENOMEM || !error)
        error = rc;
    /* The policy lint, on a configuration that is otherwise sound. */
    if (!error && diags->errors == errors &&
        (rc = tern_engine_lint(config, diags)) != TERN_OK)
        error = rc;
    if (!error && diags->errors > errors)
        error = TERN_ERROR;
done:
    tern_engine_free(e);
    tern_value_decref(vars);
    return error;
}

int tern_engine_unknown_type(struct tern_diags *diags,
                             const struct tern_range *range,
                             enum tern_module_kind kind, const char *type)
{
    const char *cands[256], *best, *what;
    const tern_provider *p = NULL;
    char name[64];
    size_t n = 0, i, len = strcspn(type, "_");
    struct tern_diag *d;

    for (i = 0; tern_modules[i] && n < 256; i++)
        if (tern_modules[i]->kind == kind)
            cands[n++] = tern_modules[i]->type_name;
    best = tern_lang_suggest(type, cands, n);
    if (type[len] == '_' && len < sizeof(name)) {
        memcpy(name, type, len);
        name[len] = '\0';
        p = tern_provider_find(name);
    }
    what = kind == TERN_MODULE_DATA ? "data source" : "resource type";
    if (p && !best)
        /* A type of a provider tern has, not close to one tern has: most
         * likely one of the upstream provider's that tern lacks. */
        d = tern_diags_add(
            diags, TERN_SEV_ERROR, range,
            kind == TERN_MODULE_DATA ? "Unsupported data source"
                                     : "Unsupported resource type",
            "tern's provider %s does not support the %s \"%s\" yet.",
            p->sources[0], what, type);
    else if (p)
        d = tern_diags_add(diags, TERN_SEV_ERROR, range,
                           kind == TERN_MODULE_DATA ? "Invalid data source"
                                                    : "Invalid resource type",
                           "tern's provider %s does not support the %s "
                           "\"%s\". Did you mean \"%s\"?",
                           p->sources[0], what, type, best);
    else
        d = tern_diags_add(diags, TERN_SEV_ERROR, range,
                           kind == TERN_MODULE_DATA ? "Invalid data source"
                                                    : "Invalid resource type",
                           "tern has no %s \"%s\".%s%s%s", what, type,
                           best ? " Did you mean \"" : "", best ? best : "",
                           best ? "\"?" : "");
    return d ? TERN_ERROR : TERN_ENOMEM;
}
