/*
 * The policy linter (src/policy, tern_policy_lint) over the configuration
 * (tern_engine_lint, which tern_engine_validate runs):
 * every policy-valued argument of every resource and data source (those
 * whose schema compares values with tern_policy_equiv_fn), as `tern
 * validate`, `plan` and `apply` see it, before anything is known.
 *
 * A policy usually names what is known only later, the account id of
 * data.aws_caller_identity or a role's ARN, so the text is built from the
 * expression with each value not known yet written as "*": a heredoc with
 * interpolations keeps its literal text, jsonencode({...}) keeps every
 * known leaf. "*" is an action, a resource and a principal the linter
 * accepts, so only what was written can be warned about. A document with
 * such holes reports warnings only: an error (an Effect that is not
 * known, say) is left to IAM, which sees the whole text.
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"
#include "policy/policy.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/buf.h"

/* Every reference is "known after apply" here. */
static int resolve_unknown(void *ctx, const struct tern_lang_ref *ref,
                           tern_value **out, struct tern_diags *diags)
{
    (void)ctx;
    (void)ref;
    (void)diags;
    *out = tern_value_unknown();
    return *out ? TERN_OK : TERN_ENOMEM;
}

static tern_value *eval_quiet(const struct tern_expr *e,
                              const struct tern_lang_scope *scope)
{
    struct tern_diags scratch = TERN_DIAGS_INIT;
    tern_value *v = NULL;

    if (tern_lang_eval(e, scope, &v, &scratch) != TERN_OK) {
        tern_value_decref(v);
        v = NULL;
    }
    tern_diags_release(&scratch);
    return v;
}

/* A value as JSON with each unknown node "*" (and *holes set). */
static json_t *to_json_holes(const tern_value *v, int *holes)
{
    json_t *j = NULL, *item;
    size_t i, n;

    switch (tern_value_kind(v)) {
    case TERN_VAL_UNKNOWN:
        *holes = 1;
        return json_string("*");
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        j = json_array();
        n = tern_value_length(v);
        for (i = 0; j && i < n; i++) {
            item = to_json_holes(tern_value_list_get(v, i), holes);
            if (!item || json_array_append_new(j, item)) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case TERN_VAL_OBJECT:
        j = json_object();
        n = tern_value_length(v);
        for (i = 0; j && i < n; i++) {
            item = to_json_holes(tern_value_object_value(v, i), holes);
            if (!item ||
                json_object_set_new(j, tern_value_object_key(v, i), item)) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    default:
        return tern_value_to_json(v);
    }
}

static const struct tern_expr *unwrap(const struct tern_expr *e)
{
    for (;;) {
        if (e->kind == TERN_EXPR_PAREN)
            e = e->u.paren;
        else if (e->kind == TERN_EXPR_TEMPLATE && e->u.list.n == 1 &&
                 e->u.list.items[0]->kind != TERN_EXPR_LITERAL)
            e = e->u.list.items[0]; /* "${jsonencode(...)}" */
        else
            return e;
    }
}

/*
 * The text of a policy expression with holes, or NULL when even its shape
 * is not known (a conditional, a reference to a whole document).
 */
static char *policy_text(const struct tern_expr *e,
                         const struct tern_lang_scope *scope, int *holes)
{
    tern_value *v = NULL;
    json_t *j = NULL;
    char *text = NULL;
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    e = unwrap(e);
    if (e->kind == TERN_EXPR_CALL &&
        strcmp(e->u.call.name, "jsonencode") == 0 && e->u.call.n == 1 &&
        !e->u.call.expand_final) {
        v = eval_quiet(e->u.call.args[0], scope);
        j = v ? to_json_holes(v, holes) : NULL;
        if (j) {
            char *s = tern_json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

            text = s ? tern_strdup(s) : NULL;
            free(s);
        }
        goto done;
    }
    if (e->kind == TERN_EXPR_TEMPLATE) {
        for (i = 0; i < e->u.list.n; i++) {
            const struct tern_expr *part = e->u.list.items[i];
            char *s;

            if (part->kind == TERN_EXPR_TPL_IF ||
                part->kind == TERN_EXPR_TPL_FOR)
                goto done;
            tern_value_decref(v);
            v = eval_quiet(part, scope);
            s = v && tern_value_is_wholly_known(v)
                    ? tern_lang_value_to_string(v)
                    : NULL;
            if (s) {
                tern_buf_puts(&b, s);
                tern_free(s);
            } else if (v && tern_value_is_unknown(v)) {
                tern_buf_puts(&b, "*");
                *holes = 1;
            } else {
                goto done;
            }
        }
        text = tern_buf_detach(&b);
        goto done;
    }
    v = eval_quiet(e, scope);
    if (v && tern_value_kind(v) == TERN_VAL_STRING)
        text = tern_strdup(tern_value_get_string(v));
done:
    tern_buf_release(&b);
    json_decref(j);
    tern_value_decref(v);
    return text;
}

static int lint_block(const struct tern_block *blk, const tern_module *m,
                      const struct tern_lang_scope *scope,
                      struct tern_diags *diags)
{
    const tern_attr *sa;
    int error = TERN_OK;

    for (sa = m->schema; sa && sa->name; sa++) {
        const struct tern_attribute *a;
        struct tern_diags found = TERN_DIAGS_INIT;
        char *text, *hint;
        int holes = 0;
        size_t i;

        if (sa->equivalent != tern_policy_equiv_fn ||
            sa->type != TERN_TYPE_STRING)
            continue;
        a = tern_lang_body_attr(blk->body, sa->name);
        if (!a)
            continue;
        text = policy_text(a->expr, scope, &holes);
        if (!text)
            continue;
        hint = tern_asprintf("%s%s.%s.%s",
                             m->kind == TERN_MODULE_DATA ? "data." : "",
                             blk->labels[0], blk->labels[1], sa->name);
        if (!hint || tern_policy_lint(text, hint, &found) == TERN_ENOMEM) {
            error = TERN_ENOMEM;
        } else {
            for (i = 0; i < found.count; i++) {
                const struct tern_diag *d = &found.items[i];

                if (holes && d->severity == TERN_SEV_ERROR)
                    continue;
                if (!tern_diags_add(diags, d->severity,
                                    d->has_range ? &d->range : &a->range,
                                    d->summary, "%s",
                                    d->detail ? d->detail : ""))
                    error = TERN_ENOMEM;
            }
        }
        tern_diags_release(&found);
        tern_free(hint);
        tern_free(text);
        if (error)
            break;
    }
    return error;
}

/* Where @p blk sets argument or block type @p name: its range, or NULL. */
static const struct tern_range *sets(const struct tern_block *blk,
                                     const char *name)
{
    const struct tern_attribute *a = tern_lang_body_attr(blk->body, name);
    size_t i;

    if (a)
        return &a->range;
    for (i = 0; i < blk->body->nblocks; i++)
        if (strcmp(blk->body->blocks[i]->type, name) == 0)
            return &blk->body->blocks[i]->def_range;
    return NULL;
}

/* The deprecated arguments a resource sets (tern_arg_deprecations[]). */
static int deprecations(const struct tern_block *blk, struct tern_diags *diags)
{
    const tern_arg_deprecation *d;

    for (d = tern_arg_deprecations; d->type; d++) {
        const struct tern_range *r;

        if (strcmp(d->type, blk->labels[0]) != 0 || !(r = sets(blk, d->name)))
            continue;
        if (!tern_diags_add(diags, TERN_SEV_WARNING, r,
                            "Argument is deprecated", "%s", d->message))
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

struct owner_ref {
    const char *type;
    const char *name; /* the resource a reference names, or NULL */
};

static void on_owner_ref(void *ctx, const struct tern_lang_ref *ref)
{
    struct owner_ref *o = ctx;

    if (!o->name && ref->kind && strcmp(ref->kind, "resource") == 0 &&
        ref->type && strcmp(ref->type, o->type) == 0)
        o->name = ref->name;
}

/* Whether @p e is the string constant @p key_expr also is. */
static int same_literal(const struct tern_expr *e,
                        const struct tern_expr *key_expr,
                        const struct tern_lang_scope *scope)
{
    tern_value *a = eval_quiet(e, scope);
    tern_value *b = key_expr ? eval_quiet(key_expr, scope) : NULL;
    int same = a && b && tern_value_kind(a) == TERN_VAL_STRING &&
               tern_value_kind(b) == TERN_VAL_STRING &&
               strcmp(tern_value_get_string(a), tern_value_get_string(b)) == 0;

    tern_value_decref(a);
    tern_value_decref(b);
    return same;
}

/*
 * A resource of an other_type of tern_arg_exclusives[] that names a
 * resource setting the owning argument: both would manage the same
 * policies, each apply undoing the other's with Terraform (the provider's
 * documented conflict). tern's plans leave the other's members in place
 * (claims.c), but the configuration still says two things, so it is said
 * before any plan.
 */
static int conflicts(const tern_config *cfg, const struct tern_block *blk,
                     const struct tern_lang_scope *scope,
                     struct tern_diags *diags)
{
    const tern_arg_exclusive *x;
    size_t i;

    for (x = tern_arg_exclusives; x->type; x++) {
        const struct tern_attribute *a;
        struct owner_ref o = {x->type, NULL};

        if (strcmp(x->other_type, blk->labels[0]) != 0 ||
            !(a = tern_lang_body_attr(blk->body, x->other_arg)))
            continue;
        tern_lang_expr_refs(a->expr, on_owner_ref, &o);
        for (i = 0; i < cfg->resources.n; i++) {
            const struct tern_block *ob = cfg->resources.items[i];
            const struct tern_attribute *key;
            const struct tern_range *r;

            if (ob->nlabels < 2 || strcmp(ob->labels[0], x->type) != 0 ||
                !(r = sets(ob, x->name)))
                continue;
            key = tern_lang_body_attr(ob->body, x->key_arg);
            if (o.name ? strcmp(o.name, ob->labels[1]) != 0
                       : !same_literal(a->expr, key ? key->expr : NULL, scope))
                continue;
            if (!tern_diags_add(
                    diags, TERN_SEV_WARNING, &a->range,
                    "Conflicting policy management",
                    "%s.%s sets %s (%s line %u), which owns the whole set "
                    "on the role, and %s.%s also manages the role's policies "
                    "through \"%s\". tern plans %s.%s to leave what %s.%s "
                    "manages in place, but with Terraform each apply would "
                    "undo what the other did. Manage them in one place: list "
                    "them in %s, or remove %s and use %s alone.",
                    x->type, ob->labels[1], x->name, r->file ? r->file : "?",
                    r->start.line, x->other_type, blk->labels[1], x->other_arg,
                    x->type, ob->labels[1], x->other_type, blk->labels[1],
                    x->name, x->name, x->other_type))
                return TERN_ENOMEM;
        }
    }
    return TERN_OK;
}

int tern_engine_lint(const tern_config *cfg, struct tern_diags *diags)
{
    struct tern_lang_scope scope;
    const struct tern_blockvec *vecs[2];
    size_t v, i;
    int error = TERN_OK;

    memset(&scope, 0, sizeof(scope));
    scope.path_module = scope.path_root = scope.path_cwd = cfg->dir;
    scope.module_key = cfg->key;
    scope.workspace = cfg->workspace;
    scope.base_dir = cfg->dir;
    scope.resolve = resolve_unknown;
    vecs[0] = &cfg->resources;
    vecs[1] = &cfg->data;
    for (v = 0; v < 2 && !error; v++) {
        for (i = 0; i < vecs[v]->n && !error; i++) {
            const struct tern_block *blk = vecs[v]->items[i];
            const tern_module *m;

            if (blk->nlabels < 2)
                continue;
            m = tern_module_find(v ? TERN_MODULE_DATA : TERN_MODULE_RESOURCE,
                                 blk->labels[0]);
            if (m)
                error = lint_block(blk, m, &scope, diags);
            if (!error && !v)
                error = deprecations(blk, diags);
            if (!error && !v)
                error = conflicts(cfg, blk, &scope, diags);
        }
    }
    return error;
}
