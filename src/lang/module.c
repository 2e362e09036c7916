/*
 * What the graph and the planner need from a module's configuration
 * before anything runs: the references an expression makes (the graph's
 * edges), the instances a resource block expands to (count and for_each,
 * with Terraform's rules and messages), and `validate`, which checks every
 * reference against the declarations.
 */
#include "lang/lang_int.h"
#include "util/alloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---- References --------------------------------------------------------
 */

struct bound {
    const char *name;
    const struct bound *next;
};

struct walk {
    void (*fn)(void *ctx, const struct tern_lang_ref *ref);
    void *ctx;
    /* Optional: every function call met (validate's name check). */
    void (*call)(void *ctx, const struct tern_expr *call);
    int depth;
    const struct tern_expr *deep; /* the first node beyond WALK_MAX_DEPTH */
};

/* As deep as eval goes (beyond it, evaluation reports the expression), and
 * far from the end of the stack: left-associative chains such as
 * 1 + 1 + ... and a[0][0]... are built by loops in the parser, so their
 * depth has no other bound. */
#define WALK_MAX_DEPTH 1000

static int is_bound(const struct bound *b, const char *name)
{
    for (; b; b = b->next)
        if (strcmp(b->name, name) == 0)
            return 1;
    return 0;
}

static void walk(struct walk *w, const struct tern_expr *e,
                 const struct bound *bound);

static const struct tern_expr *below(const struct tern_expr *e)
{
    return e->kind == TERN_EXPR_GETATTR ? e->u.attr.obj : e->u.index.obj;
}

/* A traversal var.x / data.t.n.attr / aws_x.y[0]: report its reference;
 * 0 if @e is not one. */
static int traversal(struct walk *w, const struct tern_expr *e,
                     const struct bound *bound)
{
    const struct tern_expr *p = e, *first = NULL, *second = NULL;
    const struct tern_expr *third = NULL, *fourth = NULL, *after;
    struct tern_lang_ref ref;
    const char *rname;

    /* first is the step right above the root, second the one above it,
     * and so on. */
    while (p->kind == TERN_EXPR_GETATTR || p->kind == TERN_EXPR_INDEX) {
        fourth = third;
        third = second;
        second = first;
        first = p;
        p = below(p);
    }
    if (p->kind != TERN_EXPR_VAR || is_bound(bound, p->u.var.name) || !first ||
        first->kind != TERN_EXPR_GETATTR)
        return 0;
    rname = p->u.var.name;
    memset(&ref, 0, sizeof(ref));
    ref.range.file = e->range.file;
    ref.range.start = p->range.start;
    ref.range.end = first->range.end;
    ref.kind = rname;
    ref.name = first->u.attr.name;
    if (strcmp(rname, "data") == 0) {
        if (!second || second->kind != TERN_EXPR_GETATTR)
            return 0;
        ref.type = first->u.attr.name;
        ref.name = second->u.attr.name;
        ref.range.end = second->range.end;
    } else if (strcmp(rname, "var") != 0 && strcmp(rname, "local") != 0 &&
               strcmp(rname, "module") != 0 && strcmp(rname, "each") != 0 &&
               strcmp(rname, "count") != 0 && strcmp(rname, "path") != 0 &&
               strcmp(rname, "terraform") != 0 && strcmp(rname, "self") != 0) {
        ref.kind = "resource";
        ref.type = rname;
    }
    if (strcmp(rname, "module") == 0 && second &&
        second->kind == TERN_EXPR_GETATTR) {
        /* module.NAME.OUTPUT of a call without an instance key. */
        ref.attr = second->u.attr.name;
        ref.attr_range.file = e->range.file;
        ref.attr_range.start = first->range.end;
        ref.attr_range.end = second->range.end;
    }
    if (ref.type) {
        /* The step after the resource's name, past an instance key. */
        after = ref.kind[0] == 'd' ? third : second;
        if (after && after->kind == TERN_EXPR_INDEX)
            after = ref.kind[0] == 'd' ? fourth : third;
        if (after && after->kind == TERN_EXPR_GETATTR) {
            ref.attr = after->u.attr.name;
            ref.attr_range.file = e->range.file;
            ref.attr_range.start = after->u.attr.obj->range.end;
            ref.attr_range.end = after->range.end;
        }
    }
    w->fn(w->ctx, &ref);
    return 1;
}

/* ---- Children ----------------------------------------------------------
 */

typedef void (*child_fn)(void *ctx, const struct tern_expr *e,
                         const struct tern_expr *child, unsigned int role);

static void child(child_fn fn, void *ctx, const struct tern_expr *e,
                  const struct tern_expr *c, unsigned int role)
{
    if (c)
        fn(ctx, e, c, role);
}

void tern_lang_expr_children(const struct tern_expr *e, child_fn fn, void *ctx)
{
    unsigned int body = 0;
    size_t i;

    if (!e)
        return;
    switch (e->kind) {
    case TERN_EXPR_LITERAL:
    case TERN_EXPR_VAR:
    case TERN_EXPR_SPLAT_ITEM:
        break;
    case TERN_EXPR_TEMPLATE:
    case TERN_EXPR_TUPLE:
        for (i = 0; i < e->u.list.n; i++)
            child(fn, ctx, e, e->u.list.items[i],
                  e->kind == TERN_EXPR_TEMPLATE ? TERN_LANG_CHILD_PART : 0);
        break;
    case TERN_EXPR_TPL_IF:
    case TERN_EXPR_COND:
        body = e->kind == TERN_EXPR_TPL_IF ? TERN_LANG_CHILD_BODY : 0;
        child(fn, ctx, e, e->u.cond.cond, 0);
        child(fn, ctx, e, e->u.cond.then_, body);
        child(fn, ctx, e, e->u.cond.else_, body);
        break;
    case TERN_EXPR_FOR:
    case TERN_EXPR_TPL_FOR:
        body = e->kind == TERN_EXPR_TPL_FOR ? TERN_LANG_CHILD_BODY : 0;
        child(fn, ctx, e, e->u.for_.coll, 0);
        child(fn, ctx, e, e->u.for_.key, TERN_LANG_CHILD_SCOPED);
        child(fn, ctx, e, e->u.for_.val, TERN_LANG_CHILD_SCOPED | body);
        child(fn, ctx, e, e->u.for_.cond, TERN_LANG_CHILD_SCOPED);
        break;
    case TERN_EXPR_GETATTR:
        child(fn, ctx, e, e->u.attr.obj, 0);
        break;
    case TERN_EXPR_INDEX:
        child(fn, ctx, e, e->u.index.obj, 0);
        child(fn, ctx, e, e->u.index.key, 0);
        break;
    case TERN_EXPR_SPLAT:
        child(fn, ctx, e, e->u.splat.source, 0);
        child(fn, ctx, e, e->u.splat.each, 0);
        break;
    case TERN_EXPR_CALL:
        for (i = 0; i < e->u.call.n; i++)
            child(fn, ctx, e, e->u.call.args[i], 0);
        break;
    case TERN_EXPR_UNARY:
    case TERN_EXPR_BINARY:
        child(fn, ctx, e, e->u.op.a, 0);
        child(fn, ctx, e, e->u.op.b, 0);
        break;
    case TERN_EXPR_OBJECT:
        for (i = 0; i < e->u.object.n; i++) {
            child(fn, ctx, e, e->u.object.keys[i], 0);
            child(fn, ctx, e, e->u.object.vals[i], 0);
        }
        break;
    case TERN_EXPR_PAREN:
        child(fn, ctx, e, e->u.paren, 0);
        break;
    }
}

/* ---- References (continued) ---------------------------------------------
 */

static void walk_node(struct walk *w, const struct tern_expr *e,
                      const struct bound *bound);

static void walk(struct walk *w, const struct tern_expr *e,
                 const struct bound *bound)
{
    if (!e)
        return;
    if (w->depth >= WALK_MAX_DEPTH) {
        if (!w->deep)
            w->deep = e;
        return;
    }
    w->depth++;
    walk_node(w, e, bound);
    w->depth--;
}

/* What walk_node hands tern_lang_expr_children. */
struct walk_at {
    struct walk *w;
    const struct bound *bound;
};

/* One child: in a for's scope, its variables are bound. */
static void walk_child(void *ctx, const struct tern_expr *e,
                       const struct tern_expr *c, unsigned int role)
{
    const struct walk_at *at = ctx;
    const struct bound *bound = at->bound;
    struct bound k = {NULL, NULL}, v = {NULL, NULL};

    if (role & TERN_LANG_CHILD_SCOPED) {
        v.name = e->u.for_.val_var;
        v.next = bound;
        bound = &v;
        if (e->u.for_.key_var) {
            k.name = e->u.for_.key_var;
            k.next = bound;
            bound = &k;
        }
    }
    walk(at->w, c, bound);
}

static void walk_node(struct walk *w, const struct tern_expr *e,
                      const struct bound *bound)
{
    struct walk_at at = {w, bound};

    switch (e->kind) {
    case TERN_EXPR_VAR:
    case TERN_EXPR_GETATTR:
    case TERN_EXPR_INDEX:
        if (traversal(w, e, bound)) {
            /* Index keys inside the traversal may refer to more. */
            const struct tern_expr *p = e;

            while (p->kind == TERN_EXPR_GETATTR || p->kind == TERN_EXPR_INDEX) {
                if (p->kind == TERN_EXPR_INDEX)
                    walk(w, p->u.index.key, bound);
                p = below(p);
            }
            return;
        }
        if (e->kind == TERN_EXPR_VAR && !is_bound(bound, e->u.var.name)) {
            struct tern_lang_ref ref;

            /* A bare root name: report it so validate can flag it. */
            memset(&ref, 0, sizeof(ref));
            ref.kind = "bare";
            ref.name = e->u.var.name;
            ref.range = e->range;
            w->fn(w->ctx, &ref);
        }
        break;
    case TERN_EXPR_CALL:
        if (w->call)
            w->call(w->ctx, e);
        break;
    default:
        break;
    }
    tern_lang_expr_children(e, walk_child, &at);
}

void tern_lang_expr_refs(const struct tern_expr *e,
                         void (*fn)(void *ctx, const struct tern_lang_ref *),
                         void *ctx)
{
    struct walk w;

    w.fn = fn;
    w.ctx = ctx;
    w.call = NULL;
    w.depth = 0;
    w.deep = NULL;
    walk(&w, e, NULL);
}

/* ---- Instances ---------------------------------------------------------
 */

void tern_lang_instances_release(struct tern_lang_instances *in)
{
    size_t i;

    for (i = 0; i < in->n; i++) {
        tern_value_decref(in->keys[i]);
        tern_value_decref(in->values[i]);
    }
    tern_free(in->keys);
    tern_free(in->values);
    memset(in, 0, sizeof(*in));
}

/* Append one instance; the arrays double (they grew by one, issue 20). */
static int push_instance(struct tern_lang_instances *in, tern_value *key,
                         tern_value *value)
{
    tern_value **k = in->keys, **v = in->values;

    if (key && in->n == in->alloc) {
        size_t alloc = in->alloc ? in->alloc * 2 : 8;

        k = alloc <= SIZE_MAX / sizeof(*k)
                ? tern_realloc(in->keys, alloc * sizeof(*k))
                : NULL;
        if (k)
            in->keys = k;
        v = k ? tern_realloc(in->values, alloc * sizeof(*v)) : NULL;
        if (v) {
            in->values = v;
            in->alloc = alloc;
        }
    }
    if (!k || !v || !key) {
        tern_value_decref(key);
        tern_value_decref(value);
        return TERN_ENOMEM;
    }
    in->keys[in->n] = key;
    in->values[in->n] = value;
    in->n++;
    return TERN_OK;
}

static int inst_error(struct tern_diags *d, const struct tern_range *r,
                      const char *summary, const char *detail)
{
    tern_diags_add(d, TERN_SEV_ERROR, r, summary, "%s", detail);
    return TERN_ERROR;
}

static int expand_count(const struct tern_attribute *a, const tern_value *v,
                        struct tern_lang_instances *out, struct tern_diags *d)
{
    const struct tern_range *r = &a->expr->range;
    tern_value *n = NULL;
    int64_t count, i;
    int error = TERN_OK;

    if (tern_value_is_unknown(v)) {
        out->unknown = 1;
        return inst_error(
            d, r, "Invalid count argument",
            "The \"count\" value depends on resource attributes that cannot "
            "be determined until apply, so Terraform cannot predict how "
            "many instances will be created. To work around this, use the "
            "-target argument to first apply only the resources that the "
            "count depends on.");
    }
    if (tern_value_is_null(v))
        return inst_error(d, r, "Invalid count argument",
                          "The given \"count\" argument value is null. An "
                          "integer is required.");
    if (tern_value_is_sensitive(v))
        return inst_error(d, r, "Invalid count argument",
                          "Sensitive values, or values derived from "
                          "sensitive values, cannot be used as count "
                          "arguments.");
    n = tern__convert_number(v);
    if (!n || !tern_value_get_int(n, &count)) {
        tern_value_decref(n);
        return inst_error(d, r, "Invalid count argument",
                          "The given \"count\" argument value is "
                          "unsuitable: a whole number is required.");
    }
    tern_value_decref(n);
    if (count < 0)
        return inst_error(d, r, "Invalid count argument",
                          "The given \"count\" argument value is "
                          "unsuitable: must be greater than or equal to "
                          "zero.");
    /* count = 100000000 grew until killed (issue 20, finding 7). */
    if (count > TERN_LANG_MAX_INSTANCES) {
        char detail[200];

        snprintf(detail, sizeof(detail),
                 "The given \"count\" argument value is unsuitable: tern "
                 "supports at most %d instances of one resource or data "
                 "source, not %" PRId64 ".",
                 TERN_LANG_MAX_INSTANCES, count);
        return inst_error(d, r, "Invalid count argument", detail);
    }
    out->mode = TERN_LANG_EXPAND_COUNT;
    for (i = 0; i < count && !error; i++)
        error = push_instance(out, tern_value_int(i), NULL);
    return error;
}

static int expand_for_each(const struct tern_attribute *a, const tern_value *v,
                           struct tern_lang_instances *out,
                           struct tern_diags *d)
{
    const struct tern_range *r = &a->expr->range;
    size_t i, n = tern_value_length(v);
    int error = TERN_OK;
    char detail[512];

    if (tern_value_has_sensitive(v))
        return inst_error(d, r, "Invalid for_each argument",
                          "Sensitive values, or values derived from "
                          "sensitive values, cannot be used as for_each "
                          "arguments. If used, the sensitive value could be "
                          "exposed as a resource instance key.");
    if (tern_value_is_unknown(v)) {
        out->unknown = 1;
        return inst_error(
            d, r, "Invalid for_each argument",
            "The \"for_each\" map includes keys or set values that cannot "
            "be determined until apply, and so Terraform cannot determine "
            "the full set of keys that will identify the instances of this "
            "resource. When working with unknown values in for_each, it's "
            "better to define the map keys statically in your configuration "
            "and place apply-time results only in the map values.");
    }
    if (tern_value_is_null(v))
        return inst_error(d, r, "Invalid for_each argument",
                          "The given \"for_each\" argument value is "
                          "unsuitable: the given \"for_each\" argument value "
                          "is null. A map, or set of strings is allowed.");
    /* As count's limit: a for_each over a generated collection of
     * millions would grow until killed. */
    if (n > TERN_LANG_MAX_INSTANCES && (tern_value_kind(v) == TERN_VAL_OBJECT ||
                                        tern_value_kind(v) == TERN_VAL_SET)) {
        snprintf(detail, sizeof(detail),
                 "The given \"for_each\" argument value is unsuitable: tern "
                 "supports at most %d instances of one resource or data "
                 "source, not %zu.",
                 TERN_LANG_MAX_INSTANCES, n);
        return inst_error(d, r, "Invalid for_each argument", detail);
    }
    out->mode = TERN_LANG_EXPAND_FOR_EACH;
    if (tern_value_kind(v) == TERN_VAL_OBJECT) {
        for (i = 0; i < n && !error; i++)
            error = push_instance(
                out, tern_value_string(tern_value_object_key(v, i)),
                tern_value_incref(tern_value_object_value(v, i)));
        return error;
    }
    if (tern_value_kind(v) == TERN_VAL_SET) {
        for (i = 0; i < n; i++) {
            const tern_value *e = tern_value_list_get(v, i);

            if (tern_value_is_unknown(e)) {
                out->unknown = 1;
                return inst_error(d, r, "Invalid for_each argument",
                                  "The \"for_each\" set includes values "
                                  "derived from resource attributes that "
                                  "cannot be determined until apply.");
            }
            if (tern_value_kind(e) != TERN_VAL_STRING) {
                snprintf(detail, sizeof(detail),
                         "The given \"for_each\" argument value is "
                         "unsuitable: \"for_each\" supports maps and sets of "
                         "strings, but you have provided a set containing "
                         "type %s.",
                         tern__type_name(e));
                return inst_error(d, r, "Invalid for_each set argument",
                                  detail);
            }
        }
        for (i = 0; i < n && !error; i++)
            error =
                push_instance(out, tern_value_incref(tern_value_list_get(v, i)),
                              tern_value_incref(tern_value_list_get(v, i)));
        return error;
    }
    snprintf(detail, sizeof(detail),
             "The given \"for_each\" argument value is unsuitable: the "
             "\"for_each\" argument must be a map, or set of strings, and "
             "you have provided a value of type %s.",
             tern__type_name(v));
    return inst_error(d, r, "Invalid for_each argument", detail);
}

int tern_lang_expand(const struct tern_block *b,
                     const struct tern_lang_scope *scope,
                     struct tern_lang_instances *out, struct tern_diags *d)
{
    const struct tern_attribute *c = tern_lang_body_attr(b->body, "count");
    const struct tern_attribute *fe = tern_lang_body_attr(b->body, "for_each");
    tern_value *v = NULL;
    int error;

    memset(out, 0, sizeof(*out));
    if (c && fe) {
        tern_diags_add(d, TERN_SEV_ERROR, &fe->name_range,
                       "Invalid combination of \"count\" and \"for_each\"",
                       "The \"count\" and \"for_each\" meta-arguments are "
                       "mutually-exclusive, only one should be used to be "
                       "explicit about the number of resources to be "
                       "created.");
        return TERN_ERROR;
    }
    if (!c && !fe) {
        out->mode = TERN_LANG_EXPAND_SINGLE;
        return push_instance(out, tern_value_null(), NULL);
    }
    error = tern_lang_eval(c ? c->expr : fe->expr, scope, &v, d);
    if (error)
        return error;
    error = c ? expand_count(c, v, out, d) : expand_for_each(fe, v, out, d);
    tern_value_decref(v);
    if (error && error != TERN_ENOMEM && !out->unknown)
        tern_lang_instances_release(out);
    return error;
}

/* ---- validate ----------------------------------------------------------
 */

struct vctx {
    const struct tern_lang_config *cfg;
    struct tern_diags *d;
    const struct tern_block *block; /* the top-level block being checked */
    int has_count, has_for_each;
    int in_post; /* inside a postcondition block, where self is */
    int error;
};

static const struct tern_block *find_block(const struct tern_blockvec *v,
                                           const char *l0, const char *l1)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        if (strcmp(v->items[i]->labels[0], l0) == 0 &&
            (!l1 || strcmp(v->items[i]->labels[1], l1) == 0))
            return v->items[i];
    return NULL;
}

static void suggest_names(char *buf, size_t size, const char *given,
                          const struct tern_blockvec *v, int label)
{
    const char *cands[128];
    size_t n = 0, i;
    const char *best;

    buf[0] = '\0';
    for (i = 0; i < v->n && n < 128; i++)
        cands[n++] = v->items[i]->labels[label];
    best = tern_lang_suggest(given, cands, n);
    if (best)
        snprintf(buf, size, " Did you mean \"%s\"?", best);
}

/* Whether a check block declares data source @type @name (its scoped
 * data source). */
static int scoped_data_in(const struct tern_block *check, const char *type,
                          const char *name)
{
    const struct tern_body *b = check->body;
    size_t j;

    for (j = 0; b && j < b->nblocks; j++)
        if (strcmp(b->blocks[j]->type, "data") == 0 &&
            b->blocks[j]->nlabels == 2 &&
            strcmp(b->blocks[j]->labels[0], type) == 0 &&
            strcmp(b->blocks[j]->labels[1], name) == 0)
            return 1;
    return 0;
}

static int scoped_data(const struct tern_lang_config *cfg, const char *type,
                       const char *name)
{
    size_t i, j;

    for (i = 0; i < cfg->checks.n; i++) {
        const struct tern_body *b = cfg->checks.items[i]->body;

        for (j = 0; b && j < b->nblocks; j++)
            if (strcmp(b->blocks[j]->type, "data") == 0 &&
                b->blocks[j]->nlabels == 2 &&
                strcmp(b->blocks[j]->labels[0], type) == 0 &&
                strcmp(b->blocks[j]->labels[1], name) == 0)
                return 1;
    }
    return 0;
}

/* module.NAME.OUTPUT naming an output the called module does not have:
 * in Terraform's validate walk a call without count or for_each is an
 * unknown object of its outputs, and HCL's traversal refuses the step
 * (hcl's TraverseAttr / GetAttr: no suggestion, the ".OUTPUT" range). */
static void check_output_ref(struct vctx *v, const struct tern_lang_ref *ref)
{
    const struct tern_lang_config *child = NULL;
    const struct tern_block *call = NULL;
    size_t i;

    if (!ref->attr)
        return;
    for (i = 0; i < v->cfg->ncalls; i++)
        if (strcmp(v->cfg->calls[i].name, ref->name) == 0) {
            child = v->cfg->calls[i].cfg;
            call = v->cfg->calls[i].call;
        }
    if (!child || !call || tern_lang_body_attr(call->body, "count") ||
        tern_lang_body_attr(call->body, "for_each") ||
        find_block(&child->outputs, ref->attr, NULL))
        return;
    tern_diags_add(
        v->d, TERN_SEV_ERROR, &ref->attr_range, "Unsupported attribute",
        "This object does not have an attribute named \"%s\".", ref->attr);
    v->error = TERN_ERROR;
}

static void check_ref(void *ctx, const struct tern_lang_ref *ref)
{
    struct vctx *v = ctx;
    const struct tern_lang_config *cfg = v->cfg;
    char hint[160] = "", where[256];
    size_t i;

    if (strcmp(ref->kind, "var") == 0) {
        if (find_block(&cfg->variables, ref->name, NULL))
            return;
        suggest_names(hint, sizeof(hint), ref->name, &cfg->variables, 0);
        tern_lang_undeclared_var(v->d, &ref->range, ref->name, hint);
    } else if (strcmp(ref->kind, "local") == 0) {
        const char *cands[256];
        const char *best;

        if (tern__nameset_find(&cfg->local_names, ref->name, NULL))
            return;
        for (i = 0; i < cfg->nlocal_attrs && i < 256; i++)
            cands[i] = cfg->local_attrs[i]->name;
        best = tern_lang_suggest(ref->name, cands, i);
        if (best)
            snprintf(hint, sizeof(hint), " Did you mean \"%s\"?", best);
        tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range,
                       "Reference to undeclared local value",
                       "A local value with the name \"%s\" has not been "
                       "declared.%s",
                       ref->name, hint);
    } else if (strcmp(ref->kind, "module") == 0) {
        if (find_block(&cfg->modules, ref->name, NULL)) {
            check_output_ref(v, ref);
            return;
        }
        suggest_names(hint, sizeof(hint), ref->name, &cfg->modules, 0);
        tern_lang_module_display(cfg->key, where, sizeof(where));
        tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range,
                       "Reference to undeclared module",
                       "No module call named \"%s\" is declared in %s.%s",
                       ref->name, where, hint);
    } else if (strcmp(ref->kind, "resource") == 0 ||
               strcmp(ref->kind, "data") == 0) {
        const struct tern_blockvec *vec =
            ref->kind[0] == 'r' ? &cfg->resources : &cfg->data;

        if (find_block(vec, ref->type, ref->name))
            return;
        if (ref->kind[0] == 'd' && scoped_data(cfg, ref->type, ref->name)) {
            /* A check's data source is only for its own check
             * (internal/lang/references.go, staticValidateResourceReference
             * in Terraform). */
            if (strcmp(v->block->type, "check") == 0 &&
                scoped_data_in(v->block, ref->type, ref->name))
                return;
            tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range,
                           "Reference to scoped resource",
                           "The referenced data resource \"%s\" \"%s\" is "
                           "not available from this context.",
                           ref->type, ref->name);
            v->error = TERN_ERROR;
            return;
        }
        /* The data. prefix forgotten (staticValidateResourceReference in
         * internal/terraform/evaluate_valid.go). */
        if (ref->kind[0] == 'r' && find_block(&cfg->data, ref->type, ref->name))
            snprintf(hint, sizeof(hint),
                     "\n\nDid you mean the data resource data.%s.%s?",
                     ref->type, ref->name);
        tern_lang_module_display(cfg->key, where, sizeof(where));
        tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range,
                       "Reference to undeclared resource",
                       "A %s resource \"%s\" \"%s\" has not been declared "
                       "in %s.%s",
                       ref->kind[0] == 'r' ? "managed" : "data", ref->type,
                       ref->name, where, hint);
    } else if (strcmp(ref->kind, "each") == 0) {
        if (v->has_for_each)
            return;
        tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range,
                       "Reference to \"each\" in context without for_each",
                       "The \"each\" object can be used only in \"module\" "
                       "or \"resource\" blocks, and only when the "
                       "\"for_each\" argument is set.");
    } else if (strcmp(ref->kind, "count") == 0) {
        if (v->has_count)
            return;
        tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range,
                       "Reference to \"count\" in non-counted context",
                       "The \"count\" object can only be used in "
                       "\"module\", \"resource\", and \"data\" blocks, and "
                       "only when the \"count\" argument is set.");
    } else if (strcmp(ref->kind, "self") == 0) {
        if (v->in_post)
            return;
        /* As the evaluator says it (src/lang/eval.c), before any plan. */
        tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range,
                       "Invalid \"self\" reference",
                       "The \"self\" object is not available in this "
                       "context. This object can be used only in resource "
                       "provisioner, connection, and postcondition blocks.");
    } else if (strcmp(ref->kind, "bare") == 0) {
        tern_diags_add(v->d, TERN_SEV_ERROR, &ref->range, "Invalid reference",
                       "A reference to a resource type must be followed by "
                       "at least one attribute access, specifying the "
                       "resource name.");
    } else {
        return;
    }
    v->error = TERN_ERROR;
}

/* Attributes whose expressions are not evaluated as values. The terraform
 * block's are static: required_providers' configuration_aliases name
 * provider configurations (aws.dst), not resources. */
static int keyword_attr(const struct tern_block *b, const char *name)
{
    return strcmp(b->type, "terraform") == 0 ||
           strcmp(b->type, "required_providers") == 0 ||
           strcmp(name, "depends_on") == 0 ||
           strcmp(name, "ignore_changes") == 0 ||
           strcmp(name, "replace_triggered_by") == 0 ||
           strcmp(name, "provider") == 0 || strcmp(name, "providers") == 0 ||
           (strcmp(b->type, "variable") == 0 && strcmp(name, "type") == 0) ||
           strcmp(b->type, "moved") == 0 || strcmp(b->type, "import") == 0 ||
           strcmp(b->type, "removed") == 0;
}

static void check_body(struct vctx *v, const struct tern_block *b,
                       const struct tern_body *body, const struct bound *bound)
{
    struct walk w;
    struct bound it;
    size_t i, j;

    w.fn = check_ref;
    w.ctx = v;
    w.call = NULL;
    w.depth = 0;
    w.deep = NULL;
    for (i = 0; i < body->nattrs; i++)
        if (!keyword_attr(b, body->attrs[i].name))
            walk(&w, body->attrs[i].expr, bound);
    for (i = 0; i < body->nblocks; i++) {
        const struct tern_block *nb = body->blocks[i];
        const struct bound *inner = bound;

        /* A dynamic block's iterator is in scope in its content. */
        if (strcmp(nb->type, "dynamic") == 0 && nb->nlabels == 1) {
            const struct tern_attribute *a =
                tern_lang_body_attr(nb->body, "iterator");

            it.name = nb->labels[0];
            if (a && a->expr->kind == TERN_EXPR_VAR)
                it.name = a->expr->u.var.name;
            else if (a && a->expr->kind == TERN_EXPR_LITERAL)
                it.name = tern_value_get_string(a->expr->u.literal);
            it.next = bound;
            inner = &it;
            /* for_each is outside the iterator's scope; content inside. */
            for (j = 0; j < nb->body->nattrs; j++)
                if (strcmp(nb->body->attrs[j].name, "iterator") != 0)
                    walk(&w, nb->body->attrs[j].expr, bound);
            for (j = 0; j < nb->body->nblocks; j++)
                check_body(v, nb->body->blocks[j], nb->body->blocks[j]->body,
                           inner);
            continue;
        }
        if (strcmp(nb->type, "postcondition") == 0) {
            v->in_post++;
            check_body(v, nb, nb->body, inner);
            v->in_post--;
            continue;
        }
        check_body(v, nb, nb->body, inner);
    }
}

static void no_ref(void *ctx, const struct tern_lang_ref *ref)
{
    (void)ctx;
    (void)ref;
}

/* A call names a function tern has (validate checks it without
 * evaluating anything, as Terraform's validate does). */
static void check_call(void *ctx, const struct tern_expr *e)
{
    struct vctx *v = ctx;

    if (strcmp(e->u.call.name, "try") != 0 &&
        strcmp(e->u.call.name, "can") != 0 &&
        !tern__function_find(e->u.call.name)) {
        const char *const *names = tern_lang_function_names();
        const char *best;
        size_t n = 0;

        while (names[n])
            n++;
        best = tern_lang_suggest(e->u.call.name, names, n);
        if (!tern_diags_add(v->d, TERN_SEV_ERROR, &e->u.call.name_range,
                            "Call to unknown function",
                            "There is no function named \"%s\".%s%s%s",
                            e->u.call.name, best ? " Did you mean \"" : "",
                            best ? best : "", best ? "\"?" : ""))
            v->error = TERN_ENOMEM;
        else if (!v->error)
            v->error = TERN_ERROR;
    }
}

/* Every call in an expression (walk's call hook). */
static void check_calls(struct vctx *v, const struct tern_expr *e)
{
    struct walk w;

    w.fn = no_ref;
    w.ctx = v;
    w.call = check_call;
    w.depth = 0;
    w.deep = NULL;
    walk(&w, e, NULL);
    /* Every expression passes here (check_body skips meta-arguments). */
    if (w.deep) {
        if (!tern_diags_add(v->d, TERN_SEV_ERROR, &w.deep->range,
                            "Expression too deeply nested",
                            "This expression nests more than %d levels "
                            "deep.",
                            WALK_MAX_DEPTH))
            v->error = TERN_ENOMEM;
        else if (!v->error)
            v->error = TERN_ERROR;
    }
}

static void check_body_calls(struct vctx *v, const struct tern_body *body)
{
    size_t i;

    for (i = 0; i < body->nattrs; i++)
        check_calls(v, body->attrs[i].expr);
    for (i = 0; i < body->nblocks; i++)
        check_body_calls(v, body->blocks[i]->body);
}

/* A variable's default converts to its type (when the default is a
 * constant: variables and functions are not in scope there anyway). */
static void check_default(struct vctx *v, const struct tern_block *b,
                          const struct tern_lang_type *type)
{
    const struct tern_attribute *a = tern_lang_body_attr(b->body, "default");
    struct tern_lang_scope scope;
    struct tern_diags local = TERN_DIAGS_INIT;
    tern_value *val = NULL, *conv = NULL;
    char why[256] = "";

    if (!a || !type)
        return;
    memset(&scope, 0, sizeof(scope));
    if (tern_lang_eval(a->expr, &scope, &val, &local) == TERN_OK &&
        !tern_value_is_null(val) &&
        tern_lang_type_convert(type, val, &conv, why, sizeof(why)) ==
            TERN_ERROR) {
        /* configs/named_values.go decodeVariableBlock's words. */
        if (!tern_diags_add(v->d, TERN_SEV_ERROR, &a->expr->range,
                            "Invalid default value for variable",
                            "This default value is not compatible with the "
                            "variable's type constraint: %s.",
                            why))
            v->error = TERN_ENOMEM;
        else if (!v->error)
            v->error = TERN_ERROR;
    }
    tern_value_decref(val);
    tern_value_decref(conv);
    tern_diags_release(&local);
}

/* An argument of a block whose set of arguments the language fixes. */
static void check_allowed(struct vctx *v, const struct tern_body *body,
                          const char *const *allowed, size_t n,
                          const char *where)
{
    size_t i, k;

    for (i = 0; i < body->nattrs; i++) {
        const struct tern_attribute *a = &body->attrs[i];
        const char *best;

        for (k = 0; k < n; k++)
            if (strcmp(allowed[k], a->name) == 0)
                break;
        if (k < n)
            continue;
        best = tern_lang_suggest(a->name, allowed, n);
        if (!tern_diags_add(v->d, TERN_SEV_ERROR, &a->name_range,
                            "Unsupported argument",
                            "An argument named \"%s\" is not expected in %s."
                            "%s%s%s",
                            a->name, where, best ? " Did you mean \"" : "",
                            best ? best : "", best ? "\"?" : ""))
            v->error = TERN_ENOMEM;
        else if (!v->error)
            v->error = TERN_ERROR;
    }
}

/* depends_on lists references (aws_iam_role.x), never strings. */
static void check_depends_on(struct vctx *v, const struct tern_body *body)
{
    const struct tern_attribute *a = tern_lang_body_attr(body, "depends_on");
    size_t i;

    if (!a)
        return;
    if (a->expr->kind != TERN_EXPR_TUPLE) {
        if (!tern_diags_add(v->d, TERN_SEV_ERROR, &a->expr->range,
                            "Invalid depends_on",
                            "depends_on is a list of references, such as "
                            "[aws_iam_role.x]."))
            v->error = TERN_ENOMEM;
        else if (!v->error)
            v->error = TERN_ERROR;
        return;
    }
    for (i = 0; i < a->expr->u.list.n; i++) {
        const struct tern_expr *e = a->expr->u.list.items[i];

        if (e->kind == TERN_EXPR_VAR || e->kind == TERN_EXPR_GETATTR ||
            e->kind == TERN_EXPR_INDEX)
            continue;
        if (!tern_diags_add(v->d, TERN_SEV_ERROR, &e->range,
                            "Invalid reference",
                            "A reference to a resource, data source or "
                            "module is required here, such as "
                            "aws_iam_role.x; not a string or an "
                            "expression."))
            v->error = TERN_ENOMEM;
        else if (!v->error)
            v->error = TERN_ERROR;
    }
}

/* The condition blocks (precondition, postcondition, assert) of @body:
 * both arguments, and no others. */
static void check_rules(struct vctx *v, const struct tern_body *body,
                        const char *type, const char *where)
{
    static const char *const rule[] = {"condition", "error_message"};
    size_t i, k;

    for (i = 0; body && i < body->nblocks; i++) {
        const struct tern_block *nb = body->blocks[i];

        if (strcmp(nb->type, type) != 0)
            continue;
        check_allowed(v, nb->body, rule, 2, where);
        for (k = 0; k < 2; k++) {
            if (tern_lang_body_attr(nb->body, rule[k]))
                continue;
            if (!tern_diags_add(v->d, TERN_SEV_ERROR, &nb->def_range,
                                "Missing required argument",
                                "The argument \"%s\" is required, but no "
                                "definition was found.",
                                rule[k]))
                v->error = TERN_ENOMEM;
            else if (!v->error)
                v->error = TERN_ERROR;
        }
    }
}

static void check_structure(struct vctx *v, const struct tern_block *b)
{
    static const char *const lifecycle[] = {"create_before_destroy",
                                            "prevent_destroy", "ignore_changes",
                                            "replace_triggered_by"};
    static const char *const output[] = {"value", "description", "sensitive",
                                         "depends_on"};
    size_t i;

    if (strcmp(b->type, "check") == 0) {
        check_rules(v, b->body, "assert", "an assert block");
        return;
    }
    check_depends_on(v, b->body);
    if (strcmp(b->type, "output") == 0) {
        check_rules(v, b->body, "precondition", "a precondition block");
        check_allowed(v, b->body, output, 4, "an output block");
        if (!tern_lang_body_attr(b->body, "value")) {
            if (!tern_diags_add(v->d, TERN_SEV_ERROR, &b->def_range,
                                "Missing required argument",
                                "The argument \"value\" is required, but no "
                                "definition was found."))
                v->error = TERN_ENOMEM;
            else if (!v->error)
                v->error = TERN_ERROR;
        }
        return;
    }
    if (strcmp(b->type, "resource") != 0 && strcmp(b->type, "data") != 0)
        return;
    for (i = 0; i < b->body->nblocks; i++)
        if (strcmp(b->body->blocks[i]->type, "lifecycle") == 0) {
            check_allowed(v, b->body->blocks[i]->body, lifecycle, 4,
                          "a lifecycle block");
            check_rules(v, b->body->blocks[i]->body, "precondition",
                        "a precondition block");
            check_rules(v, b->body->blocks[i]->body, "postcondition",
                        "a postcondition block");
        }
}

static void check_blocks(struct vctx *v, const struct tern_blockvec *vec)
{
    size_t i, j;

    for (i = 0; i < vec->n; i++) {
        const struct tern_block *b = vec->items[i];

        v->block = b;
        v->has_count = tern_lang_body_attr(b->body, "count") != NULL;
        v->has_for_each = tern_lang_body_attr(b->body, "for_each") != NULL;
        if (strcmp(b->type, "variable") == 0) {
            const struct tern_attribute *t =
                tern_lang_body_attr(b->body, "type");
            struct tern_lang_type *type = NULL;

            if (t && tern_lang_type_parse(t->expr, &type, v->d))
                v->error = TERN_ERROR;
            check_default(v, b, type);
            tern_lang_type_free(type);
            /* Validation rules may refer to any object of the module
             * (Terraform 1.9). */
            for (j = 0; j < b->body->nblocks; j++)
                if (strcmp(b->body->blocks[j]->type, "validation") == 0) {
                    check_body(v, b->body->blocks[j], b->body->blocks[j]->body,
                               NULL);
                    check_body_calls(v, b->body->blocks[j]->body);
                }
            continue;
        }
        if (v->has_count && v->has_for_each) {
            if (!tern_diags_add(
                    v->d, TERN_SEV_ERROR,
                    &tern_lang_body_attr(b->body, "for_each")->name_range,
                    "Invalid combination of \"count\" and \"for_each\"",
                    "The \"count\" and \"for_each\" meta-arguments are "
                    "mutually-exclusive, only one should be used to be "
                    "explicit about the number of resources to be "
                    "created."))
                v->error = TERN_ENOMEM;
            else if (!v->error)
                v->error = TERN_ERROR;
        }
        check_structure(v, b);
        check_body(v, b, b->body, NULL);
        check_body_calls(v, b->body);
    }
}

void tern_lang_module_display(const char *key, char *buf, size_t size)
{
    size_t n = 0;
    const char *p = key;

    if (!key || !*key) {
        snprintf(buf, size, "the root module");
        return;
    }
    buf[0] = '\0';
    /* Call names are identifiers: a '.' in the key separates two. */
    while (*p && n < size) {
        size_t len = strcspn(p, ".");
        int w = snprintf(buf + n, size - n, "%smodule.%.*s", n ? "." : "",
                         (int)len, p);

        if (w < 0)
            break;
        n += (size_t)w;
        p += len;
        if (*p == '.')
            p++;
    }
}

void tern_lang_undeclared_var(struct tern_diags *d,
                              const struct tern_range *range, const char *name,
                              const char *hint)
{
    if (hint && *hint)
        tern_diags_add(d, TERN_SEV_ERROR, range,
                       "Reference to undeclared input variable",
                       "An input variable with the name \"%s\" has not been "
                       "declared.%s",
                       name, hint);
    else
        tern_diags_add(d, TERN_SEV_ERROR, range,
                       "Reference to undeclared input variable",
                       "An input variable with the name \"%s\" has not been "
                       "declared. This variable can be declared with a "
                       "variable \"%s\" {} block.",
                       name, name);
}

int tern_lang_config_validate(const struct tern_lang_config *cfg,
                              struct tern_diags *d)
{
    struct vctx v;
    size_t first = d->count, i;

    memset(&v, 0, sizeof(v));
    v.cfg = cfg;
    v.d = d;
    check_blocks(&v, &cfg->variables);
    for (i = 0; i < cfg->nlocal_attrs; i++) {
        tern_lang_expr_refs(cfg->local_attrs[i]->expr, check_ref, &v);
        check_calls(&v, cfg->local_attrs[i]->expr);
    }
    check_blocks(&v, &cfg->providers);
    check_blocks(&v, &cfg->data);
    check_blocks(&v, &cfg->resources);
    check_blocks(&v, &cfg->modules);
    check_blocks(&v, &cfg->outputs);
    check_blocks(&v, &cfg->checks);
    tern__diags_sort(d, first);
    /* Child modules, each once. */
    for (i = 0; i < cfg->ncalls; i++)
        if (cfg->calls[i].cfg &&
            tern_lang_config_validate(cfg->calls[i].cfg, d) && !v.error)
            v.error = TERN_ERROR;
    return v.error;
}
