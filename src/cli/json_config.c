/*
 * The configuration representation of Terraform's JSON plan ("configuration"
 * in `show -json PLANFILE`), as hashicorp/terraform's
 * internal/command/jsonconfig/config.go and expression.go write it:
 * provider_config (every provider block, then each provider that
 * required_providers or a resource names), and root_module with outputs,
 * resources, module_calls and variables.
 *
 * An expression is {"constant_value": v} when it evaluates with no
 * context at all (upstream evaluates it with a nil EvalContext: no
 * references and no functions), and {"references": [...]} with every
 * reference, from the longest traversal down to the referenceable address
 * (`aws_iam_role.r.arn`, `aws_iam_role.r`; an instance adds its resource),
 * in source order. Nested blocks are arrays of expression objects.
 *
 * One deliberate difference: a provider argument that holds a credential
 * (access_key, secret_key, token) never shows its constant value; only
 * that it is set ({}), so a plan's JSON cannot leak it.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/tfjson.h"
#include "lang/lang.h"
#include "tern/provider.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"

/* Names bound by for expressions around the current node; and, when
 * @attrs is set, where each reference to a resource or data source is
 * recorded as {"resource": instance address, "attribute": [steps],
 * "block": the block's address}. @oom records an allocation failure of
 * the walk (util/json.h). */
struct bound {
    const char *names[32];
    size_t n;
    json_t *attrs;
    int oom;
};

static int is_bound(const struct bound *b, const char *name)
{
    size_t i;

    for (i = 0; i < b->n; i++)
        if (b->names[i] && strcmp(b->names[i], name) == 0)
            return 1;
    return 0;
}

/* A literal index key (a number, or a string written as one literal). */
static const tern_value *literal_key(const struct tern_expr *k)
{
    if (k->kind == TERN_EXPR_LITERAL)
        return k->u.literal;
    if (k->kind == TERN_EXPR_TEMPLATE && k->u.list.n == 1 &&
        k->u.list.items[0]->kind == TERN_EXPR_LITERAL)
        return k->u.list.items[0]->u.literal;
    if (k->kind == TERN_EXPR_TEMPLATE && k->u.list.n == 0)
        return NULL;
    return NULL;
}

/* One traversal step as upstream's traversalStr writes it. */
static void step_str(tern_buf *b, const struct tern_expr *n)
{
    const tern_value *k;
    char *num;

    if (n->kind == TERN_EXPR_GETATTR) {
        tern_buf_printf(b, ".%s", n->u.attr.name);
        return;
    }
    k = literal_key(n->u.index.key);
    if (k && tern_value_kind(k) == TERN_VAL_STRING) {
        tern_buf_printf(b, "[\"%s\"]", tern_value_get_string(k));
    } else if (k && tern_value_kind(k) == TERN_VAL_NUMBER) {
        num = tern_value_number_string(k);
        tern_buf_printf(b, "[%s]", num ? num : "0");
        tern_free(num);
    }
}

/* How many steps after the root name the referenced address takes: var.x
 * one, data.T.N two, T.N one; plus a literal index on a resource. */
static size_t subject_steps(const char *root, const struct tern_expr **steps,
                            size_t n, int *instance)
{
    size_t s;

    *instance = 0;
    if (strcmp(root, "data") == 0)
        s = 2;
    else
        s = 1;
    if (s > n)
        return n;
    if (strcmp(root, "var") && strcmp(root, "local") && strcmp(root, "each") &&
        strcmp(root, "count") && strcmp(root, "path") &&
        strcmp(root, "terraform") && strcmp(root, "self") && s < n &&
        steps[s]->kind == TERN_EXPR_INDEX) {
        *instance = 1;
        s++;
    }
    return s;
}

/* One traversal step as a path element: a string or a number. */
static json_t *step_json(const struct tern_expr *n)
{
    const tern_value *k;

    if (n->kind == TERN_EXPR_GETATTR)
        return json_string(n->u.attr.name);
    k = literal_key(n->u.index.key);
    return k ? tern_value_to_json(k) : json_null();
}

static int is_resource_root(const char *root)
{
    static const char *const not [] = {"var",   "local",  "each",
                                       "count", "path",   "terraform",
                                       "self",  "module", NULL};
    size_t i;

    for (i = 0; not [i]; i++)
        if (strcmp(root, not [i]) == 0)
            return 0;
    return 1;
}

static void record(struct bound *b, const char *root,
                   const struct tern_expr **steps, size_t n, size_t s,
                   int instance)
{
    tern_buf inst = TERN_BUF_INIT, block = TERN_BUF_INIT;
    json_t *path = json_array();
    size_t i;

    tern_buf_puts(&inst, root);
    tern_buf_puts(&block, root);
    for (i = 0; i < s; i++) {
        step_str(&inst, steps[i]);
        if (!(instance && i + 1 == s))
            step_str(&block, steps[i]);
    }
    for (i = s; path && i < n; i++)
        tern_json_append(&b->oom, path, step_json(steps[i]));
    if (tern_buf_oom(&inst) || tern_buf_oom(&block))
        b->oom = 1;
    path = tern_json_done(b->oom, path);
    tern_json_append(&b->oom, b->attrs,
                     path ? json_pack("{s:s,s:o,s:s}", "resource",
                                      tern_buf_cstr(&inst), "attribute", path,
                                      "block", tern_buf_cstr(&block))
                          : NULL);
    tern_buf_release(&inst);
    tern_buf_release(&block);
}

static void emit(json_t *refs, const char *root, const struct tern_expr **steps,
                 size_t n, struct bound *b)
{
    json_t *attrs = b->attrs;
    tern_buf subj = TERN_BUF_INIT, full = TERN_BUF_INIT;
    size_t s, i, len;
    int instance = 0;

    if (n == 0) /* a lone name: nothing referenceable */
        return;
    s = subject_steps(root, steps, n, &instance);
    if (attrs && strcmp(root, "local") == 0)
        tern_json_append(&b->oom, attrs,
                         json_pack("{s:s}", "local",
                                   steps[0]->kind == TERN_EXPR_GETATTR
                                       ? steps[0]->u.attr.name
                                       : ""));
    else if (attrs && is_resource_root(root) &&
             s == (strcmp(root, "data") == 0 ? 2u : 1u) + (size_t)instance)
        record(b, root, steps, n, s, instance);
    tern_buf_puts(&subj, root);
    for (i = 0; i < s; i++)
        step_str(&subj, steps[i]);
    for (len = n; len > s; len--) {
        tern_buf_clear(&full);
        tern_buf_puts(&full, tern_buf_cstr(&subj));
        for (i = s; i < len; i++)
            step_str(&full, steps[i]);
        if (tern_buf_oom(&full))
            b->oom = 1;
        tern_json_append(&b->oom, refs, json_string(tern_buf_cstr(&full)));
    }
    if (tern_buf_oom(&subj))
        b->oom = 1;
    tern_json_append(&b->oom, refs, json_string(tern_buf_cstr(&subj)));
    if (instance) {
        tern_buf_clear(&full);
        tern_buf_puts(&full, root);
        for (i = 0; i + 1 < s; i++)
            step_str(&full, steps[i]);
        if (tern_buf_oom(&full))
            b->oom = 1;
        tern_json_append(&b->oom, refs, json_string(tern_buf_cstr(&full)));
    }
    tern_buf_release(&subj);
    tern_buf_release(&full);
}

static void walk(const struct tern_expr *e, json_t *refs, struct bound *b);

/* A traversal: attributes and literal indexes down to a root name. Returns
 * 0 when @e is not one (the caller walks it as an expression). */
static int traversal(const struct tern_expr *e, json_t *refs, struct bound *b)
{
    const struct tern_expr *steps[64], *n = e;
    size_t count = 0, i;

    while (count < 64) {
        if (n->kind == TERN_EXPR_VAR)
            break;
        if (n->kind == TERN_EXPR_GETATTR) {
            steps[count++] = n;
            n = n->u.attr.obj;
        } else if (n->kind == TERN_EXPR_INDEX && literal_key(n->u.index.key)) {
            steps[count++] = n;
            n = n->u.index.obj;
        } else {
            return 0;
        }
    }
    if (n->kind != TERN_EXPR_VAR)
        return 0;
    if (is_bound(b, n->u.var.name))
        return 1;
    /* steps were collected outermost first: reverse them */
    for (i = 0; i < count / 2; i++) {
        const struct tern_expr *t = steps[i];

        steps[i] = steps[count - 1 - i];
        steps[count - 1 - i] = t;
    }
    emit(refs, n->u.var.name, steps, count, b);
    return 1;
}

/* What walk hands tern_lang_expr_children. */
struct walk_at {
    json_t *refs;
    struct bound *b;
};

/* One child: a for's names are bound in its key, value and condition. */
static void walk_child(void *ctx, const struct tern_expr *e,
                       const struct tern_expr *c, unsigned int role)
{
    struct walk_at *at = ctx;
    struct bound *b = at->b;
    size_t saved = b->n;

    if ((role & TERN_LANG_CHILD_SCOPED) &&
        b->n + 2 <= sizeof(b->names) / sizeof(b->names[0])) {
        b->names[b->n++] = e->u.for_.key_var;
        b->names[b->n++] = e->u.for_.val_var;
    }
    walk(c, at->refs, b);
    b->n = saved;
}

static void walk(const struct tern_expr *e, json_t *refs, struct bound *b)
{
    struct walk_at at = {refs, b};

    if (!e)
        return;
    if ((e->kind == TERN_EXPR_VAR || e->kind == TERN_EXPR_GETATTR ||
         e->kind == TERN_EXPR_INDEX) &&
        traversal(e, refs, b))
        return;
    tern_lang_expr_children(e, walk_child, &at);
}

static int needs_context(const struct tern_expr *e);

static void need_child(void *ctx, const struct tern_expr *e,
                       const struct tern_expr *c, unsigned int role)
{
    int *need = ctx;

    (void)e;
    (void)role;
    if (!*need)
        *need = needs_context(c);
}

/* Whether evaluating @e needs anything but the expression itself: a
 * reference, a function or a for expression's names. */
static int needs_context(const struct tern_expr *e)
{
    int need = 0;

    if (!e)
        return 0;
    switch (e->kind) {
    case TERN_EXPR_VAR:
    case TERN_EXPR_CALL:
    case TERN_EXPR_SPLAT:
    case TERN_EXPR_SPLAT_ITEM:
    case TERN_EXPR_FOR:
    case TERN_EXPR_TPL_FOR:
        return 1;
    default:
        break;
    }
    tern_lang_expr_children(e, need_child, &need);
    return need;
}

json_t *cli_expression_json(const struct tern_expr *e, int secret)
{
    struct tern_lang_scope scope;
    struct tern_diags scratch = TERN_DIAGS_INIT;
    struct bound b;
    tern_value *v = NULL;
    json_t *o = json_object(), *refs = json_array();
    unsigned long failed = tern_alloc_failures();
    int oom = !o || !refs;

    if (oom || !e) {
        json_decref(refs);
        return tern_json_done(oom, o);
    }
    if (!secret && !needs_context(e)) {
        memset(&scope, 0, sizeof(scope));
        /* An evaluation that ran out of memory is no answer: a constant
         * left out would say the expression has none. */
        if (tern_lang_eval(e, &scope, &v, &scratch) == TERN_OK && v &&
            tern_value_is_wholly_known(v))
            tern_json_set(&oom, o, "constant_value", tern_value_to_json(v));
        else if (tern_alloc_failures() != failed)
            oom = 1;
        tern_value_decref(v);
        tern_diags_release(&scratch);
    }
    memset(&b, 0, sizeof(b));
    walk(e, refs, &b);
    if (b.oom)
        oom = 1;
    if (json_array_size(refs))
        tern_json_set(&oom, o, "references", json_incref(refs));
    json_decref(refs);
    return tern_json_done(oom, o);
}

static int is_meta(const char *name)
{
    static const char *const meta[] = {"count",      "for_each",  "provider",
                                       "depends_on", "lifecycle", "provisioner",
                                       "connection", "dynamic",   NULL};
    size_t i;

    for (i = 0; meta[i]; i++)
        if (strcmp(name, meta[i]) == 0)
            return 1;
    return 0;
}

static int is_secret_arg(const char *name)
{
    return strcmp(name, "access_key") == 0 || strcmp(name, "secret_key") == 0 ||
           strcmp(name, "token") == 0;
}

/* Every attribute and nested block of a body (meta-arguments left out). */
static json_t *expressions(const struct tern_body *body, int resource,
                           int provider)
{
    json_t *o = json_object(), *arr;
    size_t i;
    int oom = 0;

    for (i = 0; o && !oom && body && i < body->nattrs; i++) {
        const struct tern_attribute *a = &body->attrs[i];

        if (resource && is_meta(a->name))
            continue;
        tern_json_set(
            &oom, o, a->name,
            cli_expression_json(a->expr, provider && is_secret_arg(a->name)));
    }
    for (i = 0; o && !oom && body && i < body->nblocks; i++) {
        const struct tern_block *blk = body->blocks[i];

        if (resource && is_meta(blk->type))
            continue;
        if (!json_object_get(o, blk->type))
            tern_json_set(&oom, o, blk->type, json_array());
        arr = json_object_get(o, blk->type);
        tern_json_append(&oom, arr, expressions(blk->body, 0, provider));
    }
    return tern_json_done(oom, o);
}

/* A traversal as written, for depends_on and provider references. */
static char *traversal_text(const struct tern_expr *e)
{
    json_t *refs = json_array();
    struct bound b;
    char *s = NULL;

    memset(&b, 0, sizeof(b));
    if (refs && traversal(e, refs, &b) && json_array_size(refs))
        s = tern_strdup(json_string_value(json_array_get(refs, 0)));
    json_decref(refs);
    return s;
}

static char *full_name(const char *local, const json_t *required)
{
    const char *src = json_string_value(json_object_get(required, local));

    if (src)
        return tern_asprintf("%s%s", tern_provider_source_host(src), src);
    return tern__tfjson_provider_name(NULL, local);
}

/* required_providers: each local name's normalised source, and in
 * *@constraints its version constraint. NULL (and *@constraints NULL)
 * when out of memory. */
static json_t *required_of(const struct tern_lang_config *cfg,
                           json_t **constraints)
{
    json_t *req = json_object();
    size_t i, j, k;
    int oom = 0;

    *constraints = json_object();
    for (i = 0; !oom && i < cfg->terraform.n; i++) {
        const struct tern_body *body = cfg->terraform.items[i]->body;

        for (j = 0; body && j < body->nblocks; j++) {
            const struct tern_block *b = body->blocks[j];

            if (strcmp(b->type, "required_providers") != 0)
                continue;
            for (k = 0; b->body && k < b->body->nattrs; k++) {
                const struct tern_attribute *a = &b->body->attrs[k];
                /* Member by member: configuration_aliases is not a
                 * constant value. */
                const struct tern_expr *se =
                    cli_object_member(a->expr, "source");
                const struct tern_expr *ve =
                    cli_object_member(a->expr, "version");
                json_t *c = cli_expression_json(se ? se : a->expr, 0);
                json_t *cv = ve ? cli_expression_json(ve, 0) : NULL;
                json_t *v = json_object_get(c, "constant_value");
                const char *src =
                    json_string_value(se ? v : json_object_get(v, "source"));
                const char *ver = json_string_value(
                    ve                  ? json_object_get(cv, "constant_value")
                    : se                ? NULL
                    : json_is_string(v) ? v
                                        : json_object_get(v, "version"));
                char *norm = NULL;

                if (!c || (ve && !cv))
                    oom = 1;
                if (src) {
                    /* "hashicorp/aws" or "registry.terraform.io/..." */
                    norm = strncmp(src, "registry.terraform.io/", 22) == 0
                               ? tern_strdup(src + 22)
                               : tern_strdup(src);
                    if (norm) {
                        char *p;

                        for (p = norm; *p; p++)
                            if (*p >= 'A' && *p <= 'Z')
                                *p = (char)(*p - 'A' + 'a');
                        tern_json_set(&oom, req, a->name, json_string(norm));
                    } else
                        oom = 1;
                }
                if (ver)
                    tern_json_set(&oom, *constraints, a->name,
                                  json_string(ver));
                tern_free(norm);
                json_decref(c);
                json_decref(cv);
            }
        }
    }
    if (oom || !req || !*constraints) {
        json_decref(*constraints);
        *constraints = NULL;
    }
    return tern_json_done(oom, req);
}

/* pc[NAME or NAME.ALIAS], unless there already; a failure sets *oom. */
static void add_provider(int *oom, json_t *pc, const char *local,
                         const char *alias, const json_t *req,
                         const json_t *cons, const struct tern_body *body)
{
    char *key =
        alias ? tern_asprintf("%s.%s", local, alias) : tern_strdup(local);
    char *full = full_name(local, req);
    json_t *o = NULL, *ex;

    if (!key || !full) {
        *oom = 1;
        goto done;
    }
    if (json_object_get(pc, key))
        goto done;
    o = json_pack("{s:s,s:s}", "name", local, "full_name", full);
    if (o && alias)
        tern_json_set(oom, o, "alias", json_string(alias));
    if (o && json_object_get(cons, local))
        tern_json_set(oom, o, "version_constraint",
                      json_incref(json_object_get(cons, local)));
    if (o && body) {
        if (!(ex = expressions(body, 1, 1)))
            *oom = 1;
        json_object_del(ex, "alias");
        json_object_del(ex, "version");
        if (json_object_size(ex))
            tern_json_set(oom, o, "expressions", json_incref(ex));
        json_decref(ex);
    }
    tern_json_set(oom, pc, key, o);
done:
    tern_free(key);
    tern_free(full);
}

static char *implied_local(const char *type)
{
    return tern_strndup(type, strcspn(type, "_"));
}

/* The module calls from the root down to the module being written: the
 * innermost first. */
struct callchain {
    const struct tern_lang_modcall *mc;
    const struct callchain *up;
};

/*
 * The provider configuration key (NAME or NAME.ALIAS, owned) that the
 * local provider @key of the module reached through @chain uses: each
 * call's providers map, or without one the parent's default configuration
 * of the same name, up to the root's configuration, as upstream's
 * findSourceProviderKey and normalizeModuleProviderKeys do. A child module
 * configures no provider of its own in tern (the engine refuses that), so
 * every key resolves to one of the root's. Where the chain does not
 * resolve (a missing mapping, which plan refuses), the key is left as the
 * module writes it.
 */
static char *root_provider_key(const struct callchain *chain, char *key)
{
    for (; key && chain; chain = chain->up) {
        const struct tern_attribute *pa =
            tern_lang_body_attr(chain->mc->call->body, "providers");
        char *next = NULL;
        size_t i;

        if (!pa) {
            if (strchr(key, '.'))
                break; /* an alias is never inherited */
            continue;
        }
        if (pa->expr->kind != TERN_EXPR_OBJECT)
            break;
        for (i = 0; i < pa->expr->u.object.n && !next; i++) {
            const struct tern_expr *v = pa->expr->u.object.vals[i];

            if (!tern_lang_key_is(pa->expr->u.object.keys[i], key))
                continue;
            /* A bare name (aws.dst = aws) is no traversal_text. */
            next = v->kind == TERN_EXPR_VAR ? tern_strdup(v->u.var.name)
                                            : traversal_text(v);
        }
        if (!next)
            break;
        tern_free(key);
        key = next;
    }
    return key;
}

/* depends_on as written (its traversals' text); NULL when there is
 * none, or out of memory (*oom set). */
static json_t *depends_on_json(const struct tern_attribute *a, int *oom)
{
    json_t *deps;
    size_t i;

    if (!a || a->expr->kind != TERN_EXPR_TUPLE || !a->expr->u.list.n)
        return NULL;
    deps = json_array();
    for (i = 0; deps && !*oom && i < a->expr->u.list.n; i++) {
        char *t = traversal_text(a->expr->u.list.items[i]);

        if (t)
            tern_json_append(oom, deps, json_string(t));
        tern_free(t);
    }
    if (!deps)
        *oom = 1;
    return tern_json_done(*oom, deps);
}

static json_t *resource_json(const struct tern_block *b, int data,
                             const struct callchain *chain)
{
    const char *type = b->nlabels > 0 ? b->labels[0] : "";
    const char *name = b->nlabels > 1 ? b->labels[1] : "";
    const struct tern_attribute *a;
    json_t *o, *deps;
    char *addr = tern_asprintf("%s%s.%s", data ? "data." : "", type, name);
    char *pkey = NULL;
    int oom = 0;

    o = addr ? json_pack("{s:s,s:s,s:s,s:s}", "address", addr, "mode",
                         data ? "data" : "managed", "type", type, "name", name)
             : NULL;
    tern_free(addr);
    if (!o)
        return NULL;
    a = tern_lang_body_attr(b->body, "provider");
    pkey = root_provider_key(chain,
                             a ? traversal_text(a->expr) : implied_local(type));
    tern_json_set(&oom, o, "provider_config_key",
                  json_string(pkey ? pkey : ""));
    tern_free(pkey);
    tern_json_set(&oom, o, "expressions", expressions(b->body, 1, 0));
    tern_json_set(&oom, o, "schema_version", json_integer(0));
    if ((a = tern_lang_body_attr(b->body, "count")))
        tern_json_set(&oom, o, "count_expression",
                      cli_expression_json(a->expr, 0));
    if ((a = tern_lang_body_attr(b->body, "for_each")))
        tern_json_set(&oom, o, "for_each_expression",
                      cli_expression_json(a->expr, 0));
    a = tern_lang_body_attr(b->body, "depends_on");
    if ((deps = depends_on_json(a, &oom)))
        tern_json_set(&oom, o, "depends_on", deps);
    return tern_json_done(oom, o);
}

/* The constant value of the attribute @name of @body: NULL when it has
 * none, or out of memory (*oom set). */
static json_t *const_attr(const struct tern_body *body, const char *name,
                          int *oom)
{
    const struct tern_attribute *a = tern_lang_body_attr(body, name);
    json_t *c, *v;

    if (!a)
        return NULL;
    if (!(c = cli_expression_json(a->expr, 0)))
        *oom = 1;
    v = json_incref(json_object_get(c, "constant_value"));
    json_decref(c);
    return v;
}

/* A module call's configuration (jsonconfig.marshalModuleCall): its
 * source as written, the arguments that name a variable of the child as
 * expressions, count/for_each, depends_on, and the child's module. A local
 * source has no version constraint (left out, as upstream's omitempty). */
static json_t *module_json(const struct tern_lang_config *cfg, json_t *pc,
                           const json_t *req, const json_t *cons,
                           const struct callchain *chain);

static json_t *module_call_json(const struct tern_lang_modcall *mc, json_t *pc,
                                const json_t *req, const json_t *cons,
                                const struct callchain *up)
{
    const struct callchain chain = {mc, up};
    const struct tern_body *body = mc->call->body;
    const struct tern_attribute *a;
    json_t *o = json_object(), *ex = json_object(), *deps;
    size_t i, j;
    int oom = !o || !ex;

    if (oom || !mc->cfg) {
        json_decref(ex);
        /* upstream: a call with no configuration is {} */
        return tern_json_done(oom, o);
    }
    if (mc->source)
        tern_json_set(&oom, o, "source", json_string(mc->source));
    for (i = 0; !oom && i < body->nattrs; i++) {
        const struct tern_attribute *arg = &body->attrs[i];

        for (j = 0; j < mc->cfg->variables.n; j++) {
            const struct tern_block *v = mc->cfg->variables.items[j];

            if (v->nlabels && strcmp(v->labels[0], arg->name) == 0)
                tern_json_set(&oom, ex, arg->name,
                              cli_expression_json(arg->expr, 0));
        }
    }
    if (json_object_size(ex))
        tern_json_set(&oom, o, "expressions", json_incref(ex));
    json_decref(ex);
    if ((a = tern_lang_body_attr(body, "count")))
        tern_json_set(&oom, o, "count_expression",
                      cli_expression_json(a->expr, 0));
    else if ((a = tern_lang_body_attr(body, "for_each")))
        tern_json_set(&oom, o, "for_each_expression",
                      cli_expression_json(a->expr, 0));
    tern_json_set(&oom, o, "module",
                  module_json(mc->cfg, pc, req, cons, &chain));
    a = tern_lang_body_attr(body, "depends_on");
    if ((deps = depends_on_json(a, &oom)))
        tern_json_set(&oom, o, "depends_on", deps);
    return tern_json_done(oom, o);
}

/* A module's outputs, resources, module_calls and variables
 * (jsonconfig.marshalModule). The root's providers go into @pc; a child's
 * resources name the root configuration they use (root_provider_key). */
static json_t *module_json(const struct tern_lang_config *cfg, json_t *pc,
                           const json_t *req, const json_t *cons,
                           const struct callchain *chain)
{
    json_t *root = json_object(), *outs = json_object(), *res = json_array(),
           *vars = json_object(), *calls = json_object(), *o, *v;
    size_t i;
    int oom = !root || !outs || !res || !vars || !calls;

    for (i = 0; !oom && i < cfg->resources.n + cfg->data.n; i++) {
        int data = i >= cfg->resources.n;
        const struct tern_block *b = data
                                         ? cfg->data.items[i - cfg->resources.n]
                                         : cfg->resources.items[i];
        char *local;

        tern_json_append(&oom, res, resource_json(b, data, chain));
        if (cfg->parent || !b->nlabels ||
            tern_lang_body_attr(b->body, "provider"))
            continue;
        if (!(local = implied_local(b->labels[0])))
            oom = 1;
        else
            add_provider(&oom, pc, local, NULL, req, cons, NULL);
        tern_free(local);
    }
    for (i = 0; !oom && i < cfg->outputs.n; i++) {
        const struct tern_block *b = cfg->outputs.items[i];
        const struct tern_attribute *a = tern_lang_body_attr(b->body, "value");

        o = json_object();
        v = const_attr(b->body, "sensitive", &oom);
        if (json_is_true(v))
            tern_json_set(&oom, o, "sensitive", json_true());
        json_decref(v);
        tern_json_set(&oom, o, "expression",
                      a ? cli_expression_json(a->expr, 0) : json_object());
        v = const_attr(b->body, "description", &oom);
        if (json_string_length(v))
            tern_json_set(&oom, o, "description", json_incref(v));
        json_decref(v);
        tern_json_set(&oom, outs, b->nlabels ? b->labels[0] : "", o);
    }
    for (i = 0; !oom && i < cfg->ncalls; i++)
        tern_json_set(&oom, calls, cfg->calls[i].name,
                      module_call_json(&cfg->calls[i], pc, req, cons, chain));
    for (i = 0; !oom && i < cfg->variables.n; i++) {
        const struct tern_block *b = cfg->variables.items[i];

        o = json_object();
        if ((v = const_attr(b->body, "default", &oom)))
            tern_json_set(&oom, o, "default", v);
        v = const_attr(b->body, "description", &oom);
        if (json_string_length(v))
            tern_json_set(&oom, o, "description", json_incref(v));
        json_decref(v);
        v = const_attr(b->body, "sensitive", &oom);
        if (json_is_true(v))
            tern_json_set(&oom, o, "sensitive", json_true());
        json_decref(v);
        tern_json_set(&oom, vars, b->nlabels ? b->labels[0] : "", o);
    }
    if (json_object_size(outs))
        tern_json_set(&oom, root, "outputs", json_incref(outs));
    if (json_array_size(res))
        tern_json_set(&oom, root, "resources", json_incref(res));
    if (json_object_size(calls))
        tern_json_set(&oom, root, "module_calls", json_incref(calls));
    if (json_object_size(vars))
        tern_json_set(&oom, root, "variables", json_incref(vars));
    json_decref(outs);
    json_decref(res);
    json_decref(calls);
    json_decref(vars);
    return tern_json_done(oom, root);
}

json_t *cli_config_json(const struct tern_lang_config *cfg)
{
    json_t *pc = json_object(), *cons = NULL, *req, *o = NULL, *v;
    unsigned long failed = tern_alloc_failures();
    const char *k;
    size_t i;
    int oom = 0;

    req = required_of(cfg, &cons);
    if (!pc || !req)
        oom = 1;
    for (i = 0; !oom && i < cfg->providers.n; i++) {
        const struct tern_block *b = cfg->providers.items[i];
        json_t *alias = const_attr(b->body, "alias", &oom);

        add_provider(&oom, pc, b->nlabels ? b->labels[0] : "",
                     json_string_value(alias), req, cons, b->body);
        json_decref(alias);
    }
    json_object_foreach(req, k, v)
    {
        if (oom)
            break;
        add_provider(&oom, pc, k, NULL, req, cons, NULL);
    }
    if (!oom) {
        v = module_json(cfg, pc, req, cons, NULL);
        o = json_object();
        if (json_object_size(pc))
            tern_json_set(&oom, o, "provider_config", json_incref(pc));
        tern_json_set(&oom, o, "root_module", v);
    }
    json_decref(pc);
    json_decref(req);
    json_decref(cons);
    /* What the checked builders cannot see: a traversal's text or a key
     * that could not be made is otherwise a silently missing member. */
    if (tern_alloc_failures() != failed)
        oom = 1;
    return tern_json_done(oom, o);
}

/* ---- relevant_attributes ------------------------------------------------ */

/* The configuration block of a resource, data source or output address
 * (an instance key ignored). */
static const struct tern_block *block_of(const struct tern_lang_config *cfg,
                                         const char *addr, int output)
{
    const struct tern_blockvec *v = output ? &cfg->outputs : &cfg->resources;
    const char *a = addr;
    size_t i, len;

    if (!output && strncmp(a, "data.", 5) == 0) {
        v = &cfg->data;
        a += 5;
    }
    len = strcspn(a, "[");
    for (i = 0; i < v->n; i++) {
        const struct tern_block *b = v->items[i];
        char *name = output ? tern_strdup(b->labels[0])
                            : tern_asprintf("%s.%s", b->labels[0],
                                            b->nlabels > 1 ? b->labels[1] : "");
        int same = name && strlen(name) == len && strncmp(name, a, len) == 0;

        tern_free(name);
        if (same)
            return b;
    }
    return NULL;
}

static void scan_body(const struct tern_body *body, struct bound *b)
{
    json_t *refs = json_array();
    size_t i;

    if (!refs)
        b->oom = 1;
    for (i = 0; body && refs && i < body->nattrs; i++)
        walk(body->attrs[i].expr, refs, b);
    for (i = 0; body && i < body->nblocks; i++)
        scan_body(body->blocks[i]->body, b);
    json_decref(refs);
}

/* What upstream's reference analyzer reads of a resource or an output
 * block (globalref ReferencesFromResourceInstance: the resource's
 * configuration body with count and for_each; ReferencesFromOutputValue:
 * the value): not the meta-arguments depends_on and provider, nor the
 * lifecycle, provisioner and connection blocks, which configs.Resource
 * keeps apart from its Config. */
static void scan_config(const struct tern_body *body, struct bound *b,
                        int output)
{
    json_t *refs = json_array();
    size_t i;

    if (!refs)
        b->oom = 1;
    for (i = 0; body && refs && i < body->nattrs; i++) {
        const char *name = body->attrs[i].name;

        if (output ? strcmp(name, "value") != 0
                   : strcmp(name, "depends_on") == 0 ||
                         strcmp(name, "provider") == 0)
            continue;
        walk(body->attrs[i].expr, refs, b);
    }
    for (i = 0; body && !output && i < body->nblocks; i++) {
        const char *type = body->blocks[i]->type;

        if (strcmp(type, "lifecycle") != 0 &&
            strcmp(type, "provisioner") != 0 && strcmp(type, "connection") != 0)
            scan_body(body->blocks[i]->body, b);
    }
    json_decref(refs);
}

/* Note @key (owned, NULL when it could not be made) in @seen: 1 when it
 * is new, 0 when it was there or out of memory (b->oom set). */
static int first_seen(struct bound *b, json_t *seen, char *key)
{
    int fresh = 0;

    if (!key)
        b->oom = 1;
    else if (!json_object_get(seen, key)) {
        tern_json_set(&b->oom, seen, key, json_true());
        fresh = !b->oom;
    }
    tern_free(key);
    return fresh;
}

static int attr_cmp(const void *pa, const void *pb)
{
    const json_t *a = *(const json_t *const *)pa;
    const json_t *b = *(const json_t *const *)pb;
    const char *ra = json_string_value(json_object_get(a, "resource"));
    const char *rb = json_string_value(json_object_get(b, "resource"));
    int da = strncmp(ra, "data.", 5) == 0, db = strncmp(rb, "data.", 5) == 0;
    char *pa_ = NULL, *pb_ = NULL;
    int c;

    if (da != db)
        return da ? -1 : 1;
    if ((c = strcmp(ra, rb)) != 0)
        return c;
    pa_ = json_dumps(json_object_get(a, "attribute"), JSON_COMPACT);
    pb_ = json_dumps(json_object_get(b, "attribute"), JSON_COMPACT);
    c = strcmp(pa_ ? pa_ : "", pb_ ? pb_ : "");
    free(pa_); /* Jansson's, from the C allocator */
    free(pb_);
    return c;
}

json_t *cli_relevant_attributes(const struct tern_lang_config *cfg,
                                const json_t *plan)
{
    struct bound b;
    json_t *seen = json_object(), *out = json_array(), *item, *result = NULL;
    const json_t *rc;
    const char *k;
    const json_t **sorted = NULL;
    unsigned long failed = tern_alloc_failures();
    size_t i, done = 0, n;

    memset(&b, 0, sizeof(b));
    b.attrs = json_array();
    if (!seen || !out || !b.attrs)
        goto done;
    /* The configuration of every change but a no-op, resource or output. */
    json_array_foreach(json_object_get(plan, "resource_changes"), i, rc)
    {
        const json_t *acts =
            json_object_get(json_object_get(rc, "change"), "actions");
        const struct tern_block *blk;

        if (json_array_size(acts) == 1 &&
            strcmp(json_string_value(json_array_get(acts, 0)), "no-op") == 0)
            continue;
        blk =
            block_of(cfg, json_string_value(json_object_get(rc, "address")), 0);
        if (blk &&
            first_seen(&b, seen, tern_asprintf("b:%p", (const void *)blk)))
            scan_config(blk->body, &b, 0);
    }
    json_object_foreach(json_object_get(plan, "output_changes"), k, rc)
    {
        const json_t *acts = json_object_get(rc, "actions");
        const struct tern_block *blk = block_of(cfg, k, 1);

        if (!blk ||
            (json_array_size(acts) == 1 &&
             strcmp(json_string_value(json_array_get(acts, 0)), "no-op") == 0))
            continue;
        scan_config(blk->body, &b, 1);
    }
    /* Each reference found, then what the referenced blocks and locals
     * refer to in turn (upstream's ContributingResourceReferences). */
    while (!b.oom && done < json_array_size(b.attrs)) {
        const json_t *r = json_array_get(b.attrs, done++);
        const char *local = json_string_value(json_object_get(r, "local"));

        if (local) {
            if (!first_seen(&b, seen, tern_asprintf("l:%s", local)))
                continue;
            for (i = 0; i < cfg->nlocal_attrs; i++)
                if (strcmp(cfg->local_attrs[i]->name, local) == 0) {
                    json_t *refs = json_array();

                    if (!refs)
                        b.oom = 1;
                    walk(cfg->local_attrs[i]->expr, refs, &b);
                    json_decref(refs);
                }
            continue;
        }
        {
            char *dump =
                json_dumps(json_object_get(r, "attribute"), JSON_COMPACT);
            const struct tern_block *blk = block_of(
                cfg, json_string_value(json_object_get(r, "block")), 0);
            char *key =
                dump ? tern_asprintf(
                           "r:%s %s",
                           json_string_value(json_object_get(r, "resource")),
                           dump)
                     : NULL;

            free(dump); /* Jansson's, from the C allocator */
            if (first_seen(&b, seen, key))
                tern_json_append(&b.oom, out,
                                 json_pack("{s:O,s:O}", "resource",
                                           json_object_get(r, "resource"),
                                           "attribute",
                                           json_object_get(r, "attribute")));
            if (blk &&
                first_seen(&b, seen, tern_asprintf("b:%p", (const void *)blk)))
                scan_config(blk->body, &b, 0);
        }
    }
    n = json_array_size(out);
    sorted = tern_calloc(n + 1, sizeof(*sorted));
    if (b.oom || !sorted)
        goto done;
    for (i = 0; i < n; i++)
        sorted[i] = json_array_get(out, i);
    qsort(sorted, n, sizeof(*sorted), attr_cmp);
    result = json_array();
    for (i = 0; result && i < n; i++) {
        item = (json_t *)sorted[i];
        tern_json_append(&b.oom, result, json_incref(item));
    }
    /* attr_cmp's dumps and block_of's names, which the builders do not
     * see, as well as theirs */
    if (tern_alloc_failures() != failed)
        b.oom = 1;
    result = tern_json_done(b.oom, result);
done:
    tern_free(sorted);
    json_decref(seen);
    json_decref(out);
    json_decref(b.attrs);
    return result;
}
