/*
 * Expression evaluation. Each node evaluates to a new value reference or
 * fails with diagnostics; evaluation goes on past an error where the rest
 * can still be checked (all elements of a tuple, all parts of a template),
 * so one run reports every error.
 *
 * Unknown values propagate: an operator, a call (unless the function
 * handles unknowns itself), an index or a conditional whose input is
 * unknown yields unknown. Sensitive marks propagate the same way: a result
 * computed from a sensitive operand is sensitive.
 */
#include "lang/functions_int.h"
#include "lang/lang_int.h"
#include "util/alloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1000

struct binding {
    const char *name;
    const tern_value *value;
    struct binding *next;
};

struct ev {
    const struct tern_lang_scope *scope;
    struct tern_diags *diags;
    struct binding *bindings;
    const tern_value *splat_item;
    int depth;
    int deep; /* "too deeply nested" reported: once is enough */
    int oom;
    unsigned long steps; /* expressions evaluated, for the stop check */
    int canceled;        /* scope->stop was seen raised: unwinding */
};

/* How often (in expressions evaluated, a power of two) the evaluator looks
 * at scope->stop: often enough that a for expression over a big range
 * stops within microseconds, rarely enough to cost nothing (issue 20,
 * finding 6). */
#define STOP_CHECK_EVERY 1024UL

static int eval(struct ev *ev, const struct tern_expr *e, tern_value **out);

static int everr(struct ev *ev, const struct tern_range *r, const char *summary,
                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int everr(struct ev *ev, const struct tern_range *r, const char *summary,
                 const char *fmt, ...)
{
    char detail[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (!tern_diags_add(ev->diags, TERN_SEV_ERROR, r, summary, "%s", detail)) {
        ev->oom = 1;
        return TERN_ENOMEM;
    }
    return TERN_ERROR;
}

/* The error of two evaluations made side by side: out of memory in
 * either, else the first's, else the second's (each reported by its own
 * diagnostic). */
static int either_error(int a, int b)
{
    if (a == TERN_ENOMEM || b == TERN_ENOMEM)
        return TERN_ENOMEM;
    return a ? a : b;
}

/* Mark @v sensitive if @sens; steals @v. */
static tern_value *mark(tern_value *v, int sens)
{
    return sens ? tern_value_mark_sensitive(v) : v;
}

static int unknown_out(tern_value **out, int sens)
{
    *out = mark(tern_value_unknown(), sens);
    return *out ? TERN_OK : TERN_ENOMEM;
}

const char *tern__type_name(const tern_value *v)
{
    switch (tern_value_kind(v)) {
    case TERN_VAL_LIST:
        return "tuple";
    case TERN_VAL_OBJECT:
        return "object";
    default:
        return tern_value_kind_name(tern_value_kind(v));
    }
}

tern_value *tern__convert_string(const tern_value *v)
{
    tern_value *r;

    switch (tern_value_kind(v)) {
    case TERN_VAL_STRING:
        return tern_value_incref(v);
    case TERN_VAL_NUMBER: {
        char *s = tern_value_number_string(v);

        r = s ? tern_value_string_own(s, strlen(s)) : NULL;
        return mark(r, tern_value_is_sensitive(v));
    }
    case TERN_VAL_BOOL:
        return mark(
            tern_value_string(tern_value_get_bool(v) ? "true" : "false"),
            tern_value_is_sensitive(v));
    default:
        return NULL;
    }
}

char *tern_lang_value_to_string(const tern_value *v)
{
    tern_value *s = tern__convert_string(v);
    char *r;

    if (!s)
        return NULL;
    r = tern_strdup(tern_value_get_string(s));
    tern_value_decref(s);
    return r;
}

tern_value *tern__convert_number(const tern_value *v)
{
    const char *s, *p;
    char *end;
    double d;

    switch (tern_value_kind(v)) {
    case TERN_VAL_NUMBER:
        return tern_value_incref(v);
    case TERN_VAL_STRING:
        s = tern_value_get_string(v);
        if (!*s)
            return NULL;
        for (p = s; *p; p++)
            if (!strchr("0123456789+-.eE", *p))
                return NULL;
        d = strtod(s, &end);
        if (*end || !isfinite(d))
            return NULL;
        {
            int64_t i;
            tern_value *n = tern_value_number(d);

            /* Keep integers beyond 2^53 exact. */
            if (n &&
                strspn(s + (*s == '-'), "0123456789") ==
                    strlen(s + (*s == '-')) &&
                strlen(s) < 19) {
                i = strtoll(s, NULL, 10);
                tern_value_decref(n);
                n = tern_value_int(i);
            }
            return mark(n, tern_value_is_sensitive(v));
        }
    default:
        return NULL;
    }
}

tern_value *tern__convert_bool(const tern_value *v)
{
    const char *s;

    switch (tern_value_kind(v)) {
    case TERN_VAL_BOOL:
        return tern_value_incref(v);
    case TERN_VAL_STRING:
        s = tern_value_get_string(v);
        if (strcmp(s, "true") == 0)
            return mark(tern_value_bool(1), tern_value_is_sensitive(v));
        if (strcmp(s, "false") == 0)
            return mark(tern_value_bool(0), tern_value_is_sensitive(v));
        return NULL;
    default:
        return NULL;
    }
}

/* ---- References -------------------------------------------------------- */

static const struct binding *find_binding(const struct ev *ev, const char *name)
{
    const struct binding *b;

    for (b = ev->bindings; b; b = b->next)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

/* How many ".name" steps complete a reference rooted at @root. */
static int ref_steps(const char *root)
{
    if (strcmp(root, "data") == 0)
        return 2;
    return 1;
}

static int is_object_root(const char *root)
{
    static const char *const roots[] = {"var",   "local",  "each",
                                        "count", "path",   "terraform",
                                        "data",  "module", "self"};
    size_t i;

    for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
        if (strcmp(root, roots[i]) == 0)
            return 1;
    return 0;
}

static void suggest_keys(char *buf, size_t size, const char *given,
                         const tern_value *obj)
{
    const char *cands[256];
    size_t n = tern_value_length(obj), i;
    const char *best;

    buf[0] = '\0';
    if (n > 256)
        n = 256;
    for (i = 0; i < n; i++)
        cands[i] = tern_value_object_key(obj, i);
    best = tern_lang_suggest(given, cands, n);
    if (best)
        snprintf(buf, size, " Did you mean \"%s\"?", best);
}

static int call_resolve(struct ev *ev, const char *kind, const char *type,
                        const char *name, const struct tern_range *r,
                        tern_value **out)
{
    struct tern_lang_ref ref;
    int error;

    if (!ev->scope->resolve)
        return TERN_ENOTFOUND;
    ref.kind = kind;
    ref.type = type;
    ref.name = name;
    ref.range = *r;
    error = ev->scope->resolve(ev->scope->ctx, &ref, out, ev->diags);
    if (error == TERN_OK && !*out)
        return TERN_ENOMEM;
    return error;
}

/* Look up a name in an object the scope provides, or through resolve. */
static int lookup_named(struct ev *ev, const tern_value *obj, const char *kind,
                        const char *name, const struct tern_range *r,
                        tern_value **out)
{
    tern_value *v;
    char hint[128] = "", where[256];
    int error;

    if (obj) {
        v = tern_value_object_get(obj, name);
        if (v) {
            *out = tern_value_incref(v);
            return TERN_OK;
        }
        suggest_keys(hint, sizeof(hint), name, obj);
        error = TERN_ENOTFOUND;
    } else {
        error = call_resolve(ev, kind, NULL, name, r, out);
    }
    if (error != TERN_ENOTFOUND)
        return error;
    if (strcmp(kind, "var") == 0) {
        size_t before = ev->diags->count;

        tern_lang_undeclared_var(ev->diags, r, name, hint);
        if (ev->diags->count == before) {
            ev->oom = 1;
            return TERN_ENOMEM;
        }
        return TERN_ERROR;
    }
    if (strcmp(kind, "local") == 0)
        return everr(ev, r, "Reference to undeclared local value",
                     "A local value with the name \"%s\" has not been "
                     "declared.%s",
                     name, hint);
    tern_lang_module_display(ev->scope->module_key, where, sizeof(where));
    return everr(ev, r, "Reference to undeclared module",
                 "No module call named \"%s\" is declared in %s.%s", name,
                 where, hint);
}

/*
 * If @e (a GETATTR) completes a reference (var.x, data.t.n, aws_x.y),
 * resolve it: returns 1 with *error set; 0 if @e is not a reference.
 */
static int try_reference(struct ev *ev, const struct tern_expr *e,
                         tern_value **out, int *error)
{
    const struct tern_expr *steps[2], *root = e;
    const struct tern_lang_scope *sc = ev->scope;
    const char *rname, *attr;
    int n = 0, want;

    while (root->kind == TERN_EXPR_GETATTR) {
        if (n == 2)
            return 0;
        steps[n++] = root;
        root = root->u.attr.obj;
    }
    if (root->kind != TERN_EXPR_VAR)
        return 0;
    rname = root->u.var.name;
    if (find_binding(ev, rname) || sc->root_vars ||
        (sc->iterators && tern_value_object_get(sc->iterators, rname)))
        return 0;
    want = ref_steps(rname);
    if (n != want)
        return 0;
    /* steps[] runs from the outermost: steps[n-1] is the first. */
    attr = steps[n - 1]->u.attr.name;
    *out = NULL;
    if (strcmp(rname, "var") == 0) {
        *error = lookup_named(ev, sc->vars, "var", attr, &e->range, out);
    } else if (strcmp(rname, "local") == 0) {
        *error = lookup_named(ev, sc->locals, "local", attr, &e->range, out);
    } else if (strcmp(rname, "module") == 0) {
        *error = lookup_named(ev, NULL, "module", attr, &e->range, out);
    } else if (strcmp(rname, "each") == 0) {
        if (!sc->each_key) {
            *error = everr(ev, &e->range,
                           "Reference to \"each\" in context without "
                           "for_each",
                           "The \"each\" object can be used only in "
                           "\"module\" or \"resource\" blocks, and only when "
                           "the \"for_each\" argument is set.");
        } else if (strcmp(attr, "key") == 0 || strcmp(attr, "value") == 0) {
            *out = tern_value_incref(attr[0] == 'k' ? sc->each_key
                                                    : sc->each_value);
            *error = TERN_OK;
        } else {
            *error = everr(ev, &e->range, "Invalid \"each\" attribute",
                           "The \"each\" object does not have an attribute "
                           "named \"%s\". The supported attributes are "
                           "each.key and each.value, the current key and "
                           "value pair of the \"for_each\" attribute set.",
                           attr);
        }
    } else if (strcmp(rname, "count") == 0) {
        if (!sc->count_index) {
            *error = everr(ev, &e->range,
                           "Reference to \"count\" in non-counted context",
                           "The \"count\" object can only be used in "
                           "\"module\", \"resource\", and \"data\" blocks, "
                           "and only when the \"count\" argument is set.");
        } else if (strcmp(attr, "index") == 0) {
            *out = tern_value_incref(sc->count_index);
            *error = TERN_OK;
        } else {
            *error = everr(ev, &e->range, "Invalid \"count\" attribute",
                           "The \"count\" object does not have an attribute "
                           "named \"%s\". The only supported attribute is "
                           "count.index, which is the index of each "
                           "instance of a resource block that has the "
                           "\"count\" argument set.",
                           attr);
        }
    } else if (strcmp(rname, "path") == 0) {
        const char *p = NULL;

        if (strcmp(attr, "module") == 0)
            p = sc->path_module;
        else if (strcmp(attr, "root") == 0)
            p = sc->path_root;
        else if (strcmp(attr, "cwd") == 0)
            p = sc->path_cwd;
        else {
            *error = everr(ev, &e->range, "Invalid \"path\" attribute",
                           "The \"path\" object does not have an attribute "
                           "named \"%s\". The supported attributes are "
                           "path.cwd, path.module, and path.root.",
                           attr);
            return 1;
        }
        *out = tern_value_string(p ? p : ".");
        *error = *out ? TERN_OK : TERN_ENOMEM;
    } else if (strcmp(rname, "terraform") == 0) {
        if (strcmp(attr, "workspace") == 0) {
            *out = tern_value_string(sc->workspace ? sc->workspace : "default");
            *error = *out ? TERN_OK : TERN_ENOMEM;
        } else {
            *error = everr(ev, &e->range, "Invalid \"terraform\" attribute",
                           "The \"terraform\" object does not have an "
                           "attribute named \"%s\". The only supported "
                           "attribute is terraform.workspace, the name of "
                           "the currently-selected workspace.",
                           attr);
        }
    } else if (strcmp(rname, "self") == 0 && sc->self) {
        /* A resource postcondition's own object (not yet known at plan:
         * the condition waits for apply). */
        tern_value *v = tern_value_is_unknown(sc->self)
                            ? NULL
                            : tern_value_object_get(sc->self, attr);

        if (tern_value_is_unknown(sc->self)) {
            *out = tern_value_unknown();
            *error = *out ? TERN_OK : TERN_ENOMEM;
        } else if (v) {
            *out = tern_value_incref(v);
            *error = TERN_OK;
        } else {
            *error = everr(ev, &e->range, "Unsupported attribute",
                           "This object has no argument, nested block, or "
                           "exported attribute named \"%s\".",
                           attr);
        }
    } else if (strcmp(rname, "self") == 0) {
        *error = everr(ev, &e->range, "Invalid \"self\" reference",
                       "The \"self\" object is not available in this "
                       "context. This object can be used only in resource "
                       "provisioner, connection, and postcondition blocks.");
    } else {
        const char *kind = "resource", *type = rname, *name = attr;

        if (strcmp(rname, "data") == 0) {
            kind = "data";
            type = steps[1]->u.attr.name;
            name = steps[0]->u.attr.name;
        }
        *error = call_resolve(ev, kind, type, name, &e->range, out);
        if (*error == TERN_ENOTFOUND) {
            char where[256];

            tern_lang_module_display(sc->module_key, where, sizeof(where));
            *error =
                everr(ev, &e->range, "Reference to undeclared resource",
                      "A %s resource \"%s\" \"%s\" has not been "
                      "declared in %s.",
                      kind[0] == 'd' ? "data" : "managed", type, name, where);
        }
    }
    return 1;
}

static int eval_var(struct ev *ev, const struct tern_expr *e, tern_value **out)
{
    const char *name = e->u.var.name;
    const struct binding *b = find_binding(ev, name);
    char hint[128] = "";

    if (b) {
        *out = tern_value_incref(b->value);
        return TERN_OK;
    }
    if (ev->scope->iterators) {
        tern_value *v = tern_value_object_get(ev->scope->iterators, name);

        if (v) {
            *out = tern_value_incref(v);
            return TERN_OK;
        }
    }
    if (ev->scope->root_vars) {
        tern_value *v = tern_value_object_get(ev->scope->root_vars, name);

        if (v) {
            *out = tern_value_incref(v);
            return TERN_OK;
        }
        suggest_keys(hint, sizeof(hint), name, ev->scope->root_vars);
        return everr(ev, &e->range, "Invalid reference",
                     "The template variables do not include \"%s\"; only "
                     "the variables passed to templatefile are in "
                     "scope.%s",
                     name, hint);
    }
    if (is_object_root(name))
        return everr(ev, &e->range, "Invalid reference",
                     "The \"%s\" object cannot be accessed directly. "
                     "Instead, access one of its attributes.",
                     name);
    return everr(ev, &e->range, "Invalid reference",
                 "A reference to a resource type must be followed by at "
                 "least one attribute access, specifying the resource "
                 "name.");
}

/* obj.name on a value. Steals nothing. */
static int get_attr(struct ev *ev, const tern_value *obj, const char *name,
                    const struct tern_range *r, tern_value **out)
{
    int sens = tern_value_is_sensitive(obj);
    tern_value *v;
    char hint[128] = "";

    switch (tern_value_kind(obj)) {
    case TERN_VAL_UNKNOWN:
        return unknown_out(out, sens);
    case TERN_VAL_NULL:
        return everr(ev, r, "Attempt to get attribute from null value",
                     "This value is null, so it does not have any "
                     "attributes.");
    case TERN_VAL_OBJECT:
        v = tern_value_object_get(obj, name);
        if (!v) {
            suggest_keys(hint, sizeof(hint), name, obj);
            return everr(ev, r, "Unsupported attribute",
                         "This object does not have an attribute named "
                         "\"%s\".%s",
                         name, hint);
        }
        *out = mark(tern_value_incref(v), sens);
        return *out ? TERN_OK : TERN_ENOMEM;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        return everr(ev, r, "Unsupported attribute",
                     "Can't access attributes on a list of objects. Did you "
                     "mean to access attribute \"%s\" for a specific "
                     "element of the list, or across all elements of the "
                     "list?",
                     name);
    default:
        return everr(ev, r, "Unsupported attribute",
                     "Can't access attributes on a primitive-typed value "
                     "(%s).",
                     tern__type_name(obj));
    }
}

static int index_value(struct ev *ev, const tern_value *obj,
                       const tern_value *key, const struct tern_range *r,
                       tern_value **out)
{
    int sens = tern_value_is_sensitive(obj) || tern_value_is_sensitive(key);
    tern_value *k = NULL, *v;
    int64_t i;
    int error = TERN_OK;

    if (tern_value_is_unknown(obj) || tern_value_is_unknown(key))
        return unknown_out(out, sens);
    if (tern_value_is_null(key))
        return everr(ev, r, "Invalid index",
                     "Can't use a null value as an indexing key.");
    switch (tern_value_kind(obj)) {
    case TERN_VAL_NULL:
        return everr(ev, r, "Attempt to index null value",
                     "This value is null, so it does not have any indices.");
    case TERN_VAL_LIST:
        k = tern__convert_number(key);
        if (!k || !tern_value_get_int(k, &i)) {
            error = everr(ev, r, "Invalid index",
                          "The given key does not identify an element in "
                          "this collection value: a whole number is "
                          "required.");
            break;
        }
        if (i < 0) {
            error = everr(ev, r, "Invalid index",
                          "The given key does not identify an element in "
                          "this collection value: a negative number is not "
                          "a valid index for a sequence.");
            break;
        }
        v = tern_value_list_get(obj, (size_t)i);
        if (!v) {
            error = everr(ev, r, "Invalid index",
                          "The given key does not identify an element in "
                          "this collection value: the collection has %zu "
                          "elements.",
                          tern_value_length(obj));
            break;
        }
        *out = mark(tern_value_incref(v), sens);
        break;
    case TERN_VAL_SET:
        error = everr(ev, r, "Invalid index",
                      "Elements of a set are identified only by their value "
                      "and don't have any separate index or key to select "
                      "with, so it's only possible to perform operations "
                      "across all elements of the set.");
        break;
    case TERN_VAL_OBJECT:
        k = tern__convert_string(key);
        if (!k) {
            error = everr(ev, r, "Invalid index",
                          "The given key does not identify an element in "
                          "this collection value: string required.");
            break;
        }
        v = tern_value_object_get(obj, tern_value_get_string(k));
        if (!v) {
            error = everr(ev, r, "Invalid index",
                          "The given key does not identify an element in "
                          "this collection value.");
            break;
        }
        *out = mark(tern_value_incref(v), sens);
        break;
    default:
        error = everr(ev, r, "Invalid index",
                      "This value does not have any indices.");
        break;
    }
    tern_value_decref(k);
    if (error == TERN_OK && !*out)
        error = TERN_ENOMEM;
    return error;
}

/* ---- Templates ---------------------------------------------------------
 */

/* A template's literal text; "${7}" and "${true}" are literal parts too
 * but are values to convert, not text. */
static int is_text(const struct tern_expr *part)
{
    return part->kind == TERN_EXPR_LITERAL &&
           tern_value_kind(part->u.literal) == TERN_VAL_STRING;
}

/* A template's result is capped as the string functions' are (issue 20,
 * finding 7: "%{for i in range(1024)}${s}%{endfor}" over a long s asked
 * for gigabytes). */
static int too_long(struct ev *ev, const struct tern_expr *e)
{
    return everr(ev, &e->range, "Template result too long",
                 "The template's result would be longer than %zu bytes.",
                 TERN_LANG_MAX_STRING);
}

static int eval_template(struct ev *ev, const struct tern_expr *e,
                         tern_value **out)
{
    tern_buf b = TERN_BUF_INIT;
    int error = TERN_OK, unknown = 0, sens = 0;
    size_t i;

    /* "${x}" alone is x itself, not converted to a string. */
    if (e->u.list.n == 1 && !is_text(e->u.list.items[0]) &&
        e->u.list.items[0]->kind != TERN_EXPR_TPL_IF &&
        e->u.list.items[0]->kind != TERN_EXPR_TPL_FOR)
        return eval(ev, e->u.list.items[0], out);
    for (i = 0; i < e->u.list.n; i++) {
        const struct tern_expr *part = e->u.list.items[i];
        tern_value *v = NULL, *s;
        int err;

        if (is_text(part)) {
            if (b.len + tern_value_string_len(part->u.literal) >
                TERN_LANG_MAX_STRING) {
                error = too_long(ev, e);
                break;
            }
            tern_buf_put(&b, tern_value_get_string(part->u.literal),
                         tern_value_string_len(part->u.literal));
            continue;
        }
        err = eval(ev, part, &v);
        if (err) {
            error = error == TERN_ENOMEM ? error : err;
            continue;
        }
        sens |= tern_value_has_sensitive(v);
        if (tern_value_is_unknown(v)) {
            unknown = 1;
        } else if (tern_value_is_null(v)) {
            error =
                everr(ev, &part->range, "Invalid template interpolation value",
                      "The expression result is null. Cannot include a "
                      "null value in a string template.");
        } else if (!(s = tern__convert_string(v))) {
            error =
                everr(ev, &part->range, "Invalid template interpolation value",
                      "Cannot include the given value in a string "
                      "template: string required, but have %s.",
                      tern__type_name(v));
        } else if (b.len + tern_value_string_len(s) > TERN_LANG_MAX_STRING) {
            tern_value_decref(s);
            tern_value_decref(v);
            error = too_long(ev, e);
            break;
        } else {
            tern_buf_put(&b, tern_value_get_string(s),
                         tern_value_string_len(s));
            tern_value_decref(s);
        }
        tern_value_decref(v);
    }
    if (error == TERN_OK) {
        if (unknown) {
            error = unknown_out(out, sens);
        } else if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
        } else {
            size_t len = b.len;

            *out = mark(tern_value_string_own(tern_buf_detach(&b), len), sens);
            error = *out ? TERN_OK : TERN_ENOMEM;
        }
    }
    tern_buf_release(&b);
    return error;
}

static int eval_bool(struct ev *ev, const struct tern_expr *e, int *b,
                     int *unknown, int *sens, const char *what)
{
    tern_value *v = NULL, *c;
    int error = eval(ev, e, &v);

    if (error)
        return error;
    *sens |= tern_value_has_sensitive(v);
    *unknown = tern_value_is_unknown(v);
    if (!*unknown) {
        if (tern_value_is_null(v)) {
            error = everr(ev, &e->range, "Invalid condition",
                          "The %s is null; a bool is required.", what);
        } else if (!(c = tern__convert_bool(v))) {
            error = everr(ev, &e->range, "Incorrect condition type",
                          "The %s must be a bool, but have %s.", what,
                          tern__type_name(v));
        } else {
            *b = tern_value_get_bool(c);
            tern_value_decref(c);
        }
    }
    tern_value_decref(v);
    return error;
}

/* Iterate a collection for "for" forms: calls @fn per element. */
struct iter {
    const tern_value *coll;
    size_t i;
};

static int iter_next(struct iter *it, tern_value **key, tern_value **val)
{
    size_t n = tern_value_length(it->coll);

    if (it->i >= n)
        return 0;
    switch (tern_value_kind(it->coll)) {
    case TERN_VAL_OBJECT:
        *key = tern_value_string(tern_value_object_key(it->coll, it->i));
        *val = tern_value_incref(tern_value_object_value(it->coll, it->i));
        break;
    case TERN_VAL_SET:
        *val = tern_value_incref(tern_value_list_get(it->coll, it->i));
        *key = tern_value_incref(*val);
        break;
    default:
        *key = tern_value_int((int64_t)it->i);
        *val = tern_value_incref(tern_value_list_get(it->coll, it->i));
        break;
    }
    it->i++;
    return 1;
}

static int check_iterable(struct ev *ev, const struct tern_expr *e,
                          const tern_value *coll, const char *what)
{
    switch (tern_value_kind(coll)) {
    case TERN_VAL_NULL:
        return everr(ev, &e->range, "Iteration over null value",
                     "A null value cannot be used as the collection in a "
                     "'for' %s.",
                     what);
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
    case TERN_VAL_OBJECT:
        return TERN_OK;
    default:
        return everr(ev, &e->range, "Iteration over non-iterable value",
                     "A value of type %s cannot be used as the collection "
                     "in a 'for' %s.",
                     tern__type_name(coll), what);
    }
}

static int eval_tpl_if(struct ev *ev, const struct tern_expr *e,
                       tern_value **out)
{
    int b = 0, unknown = 0, sens = 0, error;

    error = eval_bool(ev, e->u.cond.cond, &b, &unknown, &sens, "condition");
    if (error)
        return error;
    if (unknown)
        return unknown_out(out, sens);
    if (b)
        error = eval(ev, e->u.cond.then_, out);
    else if (e->u.cond.else_)
        error = eval(ev, e->u.cond.else_, out);
    else
        *out = tern_value_string("");
    if (error == TERN_OK && *out) {
        /* A directive's branch is always text. */
        tern_value *s = tern_value_is_unknown(*out)
                            ? tern_value_incref(*out)
                            : tern__convert_string(*out);

        tern_value_decref(*out);
        *out = mark(s, sens);
        if (!*out)
            return everr(ev, &e->range, "Invalid template directive",
                         "The branch does not produce a string.");
    }
    return error == TERN_OK && !*out ? TERN_ENOMEM : error;
}

static int eval_tpl_for(struct ev *ev, const struct tern_expr *e,
                        tern_value **out)
{
    tern_value *coll = NULL, *k = NULL, *v = NULL, *part = NULL, *s;
    struct binding bk, bv;
    struct iter it;
    tern_buf b = TERN_BUF_INIT;
    int error, unknown = 0, sens;

    error = eval(ev, e->u.for_.coll, &coll);
    if (error)
        return error;
    sens = tern_value_has_sensitive(coll);
    if (tern_value_is_unknown(coll)) {
        error = unknown_out(out, sens);
        goto done;
    }
    error = check_iterable(ev, e->u.for_.coll, coll, "directive");
    if (error)
        goto done;
    it.coll = coll;
    it.i = 0;
    while (iter_next(&it, &k, &v)) {
        if (!k || !v) {
            tern_value_decref(k);
            tern_value_decref(v);
            error = TERN_ENOMEM;
            goto done;
        }
        bv.name = e->u.for_.val_var;
        bv.value = v;
        bv.next = ev->bindings;
        if (e->u.for_.key_var) {
            bk.name = e->u.for_.key_var;
            bk.value = k;
            bk.next = bv.next;
            bv.next = &bk;
        }
        ev->bindings = &bv;
        error = eval(ev, e->u.for_.val, &part);
        ev->bindings = e->u.for_.key_var ? bk.next : bv.next;
        tern_value_decref(k);
        tern_value_decref(v);
        k = v = NULL;
        if (error)
            goto done;
        sens |= tern_value_has_sensitive(part);
        if (tern_value_is_unknown(part)) {
            unknown = 1;
        } else if ((s = tern__convert_string(part)) != NULL) {
            if (b.len + tern_value_string_len(s) > TERN_LANG_MAX_STRING) {
                tern_value_decref(s);
                tern_value_decref(part);
                part = NULL;
                error = too_long(ev, e);
                goto done;
            }
            tern_buf_put(&b, tern_value_get_string(s),
                         tern_value_string_len(s));
            tern_value_decref(s);
        }
        tern_value_decref(part);
        part = NULL;
    }
    if (unknown) {
        error = unknown_out(out, sens);
    } else {
        size_t len = b.len;

        *out = mark(tern_value_string_own(tern_buf_detach(&b), len), sens);
        error = *out ? TERN_OK : TERN_ENOMEM;
    }

done:
    tern_buf_release(&b);
    tern_value_decref(coll);
    return error;
}

/* ---- Operators ---------------------------------------------------------
 */

static int eval_unary(struct ev *ev, const struct tern_expr *e,
                      tern_value **out)
{
    tern_value *v = NULL, *c = NULL;
    int error = eval(ev, e->u.op.a, &v), sens;

    if (error)
        return error;
    sens = tern_value_has_sensitive(v);
    if (tern_value_is_unknown(v)) {
        error = unknown_out(out, sens);
        goto done;
    }
    if (e->u.op.op == TERN_OP_NOT) {
        c = tern_value_is_null(v) ? NULL : tern__convert_bool(v);
        if (!c) {
            error = everr(ev, &e->u.op.a->range, "Invalid operand",
                          "Unsuitable value for unary operand: a bool is "
                          "required.");
            goto done;
        }
        *out = mark(tern_value_bool(!tern_value_get_bool(c)), sens);
    } else {
        int64_t i;

        c = tern_value_is_null(v) ? NULL : tern__convert_number(v);
        if (!c) {
            error = everr(ev, &e->u.op.a->range, "Invalid operand",
                          "Unsuitable value for unary operand: a number is "
                          "required.");
            goto done;
        }
        if (tern_value_get_int(c, &i) && i != INT64_MIN)
            *out = mark(tern_value_int(-i), sens);
        else
            *out = mark(tern_value_number(-tern_value_get_number(c)), sens);
    }
    error = *out ? TERN_OK : TERN_ENOMEM;

done:
    tern_value_decref(c);
    tern_value_decref(v);
    return error;
}

static int arith(struct ev *ev, const struct tern_expr *e, const tern_value *a,
                 const tern_value *b, tern_value **out)
{
    int64_t x, y, r;
    double dx = tern_value_get_number(a), dy = tern_value_get_number(b), dr;
    int ints = tern_value_get_int(a, &x) && tern_value_get_int(b, &y);
    enum tern_expr_op op = e->u.op.op;

    switch (op) {
    case TERN_OP_ADD:
        if (ints && !__builtin_add_overflow(x, y, &r))
            goto int_result;
        dr = dx + dy;
        break;
    case TERN_OP_SUB:
        if (ints && !__builtin_sub_overflow(x, y, &r))
            goto int_result;
        dr = dx - dy;
        break;
    case TERN_OP_MUL:
        if (ints && !__builtin_mul_overflow(x, y, &r))
            goto int_result;
        dr = dx * dy;
        break;
    case TERN_OP_DIV:
        if (dy == 0)
            return everr(ev, &e->range, "Operation failed",
                         "Error during operation: can't divide by zero.");
        if (ints && y != -1 && x % y == 0) {
            r = x / y;
            goto int_result;
        }
        dr = dx / dy;
        break;
    case TERN_OP_MOD:
        if (dy == 0)
            return everr(ev, &e->range, "Operation failed",
                         "Error during operation: can't use modulo by "
                         "zero.");
        if (ints && y != -1) {
            r = x % y;
            goto int_result;
        }
        dr = fmod(dx, dy);
        break;
    default:
        return TERN_ERROR;
    }
    if (!isfinite(dr))
        return everr(ev, &e->range, "Operation failed",
                     "Error during operation: the result is out of range.");
    *out = tern_value_number(dr);
    return *out ? TERN_OK : TERN_ENOMEM;

int_result:
    *out = tern_value_int(r);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int eval_binary(struct ev *ev, const struct tern_expr *e,
                       tern_value **out)
{
    tern_value *a = NULL, *b = NULL, *ca = NULL, *cb = NULL;
    enum tern_expr_op op = e->u.op.op;
    int error, error_b, sens = 0;

    error = eval(ev, e->u.op.a, &a);
    /* && and || stop at a known left side that decides the result. */
    if (!error && (op == TERN_OP_AND || op == TERN_OP_OR) &&
        !tern_value_is_unknown(a)) {
        ca = tern__convert_bool(a);
        if (ca && tern_value_get_bool(ca) == (op == TERN_OP_OR)) {
            *out = mark(tern_value_bool(op == TERN_OP_OR),
                        tern_value_has_sensitive(a));
            error = *out ? TERN_OK : TERN_ENOMEM;
            goto done;
        }
        tern_value_decref(ca);
        ca = NULL;
    }
    error_b = eval(ev, e->u.op.b, &b);
    if (error || error_b) {
        error = either_error(error, error_b);
        goto done;
    }
    sens = tern_value_has_sensitive(a) || tern_value_has_sensitive(b);
    if (tern_value_is_unknown(a) || tern_value_is_unknown(b)) {
        error = unknown_out(out, sens);
        goto done;
    }
    switch (op) {
    case TERN_OP_EQ:
    case TERN_OP_NE:
        if (!tern_value_is_wholly_known(a) || !tern_value_is_wholly_known(b)) {
            error = unknown_out(out, sens);
            goto done;
        }
        *out =
            mark(tern_value_bool(tern_value_equal(a, b) == (op == TERN_OP_EQ)),
                 sens);
        break;
    case TERN_OP_AND:
    case TERN_OP_OR:
        ca = tern_value_is_null(a) ? NULL : tern__convert_bool(a);
        cb = tern_value_is_null(b) ? NULL : tern__convert_bool(b);
        if (!ca || !cb) {
            error = everr(ev, !ca ? &e->u.op.a->range : &e->u.op.b->range,
                          "Invalid operand",
                          "Unsuitable value for %s operand: a bool is "
                          "required.",
                          !ca ? "left" : "right");
            goto done;
        }
        *out =
            mark(tern_value_bool(
                     op == TERN_OP_AND
                         ? tern_value_get_bool(ca) && tern_value_get_bool(cb)
                         : tern_value_get_bool(ca) || tern_value_get_bool(cb)),
                 sens);
        break;
    default:
        ca = tern_value_is_null(a) ? NULL : tern__convert_number(a);
        cb = tern_value_is_null(b) ? NULL : tern__convert_number(b);
        if (!ca || !cb) {
            error = everr(ev, !ca ? &e->u.op.a->range : &e->u.op.b->range,
                          "Invalid operand",
                          "Unsuitable value for %s operand: a number is "
                          "required.",
                          !ca ? "left" : "right");
            goto done;
        }
        if (op == TERN_OP_GT || op == TERN_OP_GE || op == TERN_OP_LT ||
            op == TERN_OP_LE) {
            int c = tern_value_compare(ca, cb), r;

            r = op == TERN_OP_GT   ? c > 0
                : op == TERN_OP_GE ? c >= 0
                : op == TERN_OP_LT ? c < 0
                                   : c <= 0;
            *out = mark(tern_value_bool(r), sens);
        } else {
            error = arith(ev, e, ca, cb, out);
            if (error)
                goto done;
            *out = mark(*out, sens);
        }
        break;
    }
    error = *out ? TERN_OK : TERN_ENOMEM;

done:
    tern_value_decref(a);
    tern_value_decref(b);
    tern_value_decref(ca);
    tern_value_decref(cb);
    return error;
}

static int is_primitive(const tern_value *v)
{
    enum tern_value_kind k = tern_value_kind(v);

    return k == TERN_VAL_STRING || k == TERN_VAL_NUMBER || k == TERN_VAL_BOOL;
}

/*
 * Both results of a conditional have one type in Terraform: a string and a
 * number or bool unify to string; a number and a bool do not. The other
 * branch is evaluated for its type only; its errors are not reported, as
 * Terraform reports only the chosen branch's. (Collections are returned
 * as they are.)
 */
static int unify_cond(struct ev *ev, const struct tern_expr *e, int chose,
                      tern_value **out)
{
    struct tern_diags scratch = TERN_DIAGS_INIT, *saved = ev->diags;
    tern_value *other = NULL, *s;
    int error;

    if (!is_primitive(*out))
        return TERN_OK;
    ev->diags = &scratch;
    error = eval(ev, chose ? e->u.cond.else_ : e->u.cond.then_, &other);
    ev->diags = saved;
    tern_diags_release(&scratch);
    if (error == TERN_ENOMEM)
        return error;
    error = TERN_OK;
    if (!other || !is_primitive(other) ||
        tern_value_kind(other) == tern_value_kind(*out)) {
        tern_value_decref(other);
        return TERN_OK;
    }
    if (tern_value_kind(*out) != TERN_VAL_STRING &&
        tern_value_kind(other) != TERN_VAL_STRING) {
        error = everr(ev, &e->range, "Inconsistent conditional result types",
                      "The true and false result expressions must have "
                      "consistent types. The 'true' value is %s, but the "
                      "'false' value is %s.",
                      tern__type_name(chose ? *out : other),
                      tern__type_name(chose ? other : *out));
    } else if (tern_value_kind(*out) != TERN_VAL_STRING) {
        s = tern__convert_string(*out);
        tern_value_decref(*out);
        *out = s;
        if (!s)
            error = TERN_ENOMEM;
    }
    tern_value_decref(other);
    return error;
}

static int eval_cond(struct ev *ev, const struct tern_expr *e, tern_value **out)
{
    int b = 0, unknown = 0, sens = 0, error;
    tern_value *x = NULL, *y = NULL;

    error = eval_bool(ev, e->u.cond.cond, &b, &unknown, &sens, "condition");
    if (error)
        return error;
    if (!unknown) {
        error = eval(ev, b ? e->u.cond.then_ : e->u.cond.else_, out);
        if (error == TERN_OK)
            error = unify_cond(ev, e, b, out);
        if (error == TERN_OK)
            *out = mark(*out, sens);
        return error == TERN_OK && !*out ? TERN_ENOMEM : error;
    }
    /* Both sides still get checked; out of memory in either is said as
     * such (TERN_ENOMEM), never turned into an error no diagnostic
     * explains (issue 20: a template's buffer failing there). */
    error = eval(ev, e->u.cond.then_, &x);
    error = either_error(error, eval(ev, e->u.cond.else_, &y));
    tern_value_decref(x);
    tern_value_decref(y);
    return error ? error : unknown_out(out, sens);
}

/* ---- Collections -------------------------------------------------------
 */

static int eval_tuple(struct ev *ev, const struct tern_expr *e,
                      tern_value **out)
{
    tern_value *list = tern_value_list_new();
    int error = TERN_OK;
    size_t i;

    if (!list)
        return TERN_ENOMEM;
    for (i = 0; i < e->u.list.n; i++) {
        tern_value *v = NULL;
        int err = eval(ev, e->u.list.items[i], &v);

        if (err) {
            error = error == TERN_ENOMEM ? error : err;
            continue;
        }
        if (tern_value_list_append(list, v))
            error = TERN_ENOMEM;
    }
    if (error)
        tern_value_decref(list);
    else
        *out = list;
    return error;
}

static int object_key(struct ev *ev, const struct tern_expr *ke,
                      tern_value **key, int *unknown, int *sens)
{
    tern_value *k = NULL, *s;
    int error = eval(ev, ke, &k);

    if (error)
        return error;
    *sens |= tern_value_has_sensitive(k);
    if (tern_value_is_unknown(k)) {
        *unknown = 1;
        tern_value_decref(k);
        return TERN_OK;
    }
    if (tern_value_is_null(k)) {
        tern_value_decref(k);
        return everr(ev, &ke->range, "Invalid object key",
                     "Key expression in object constructor must not "
                     "produce a null value.");
    }
    s = tern__convert_string(k);
    if (!s) {
        error = everr(ev, &ke->range, "Incorrect key type",
                      "Can't use this value as a key: string required, but "
                      "have %s.",
                      tern__type_name(k));
        tern_value_decref(k);
        return error;
    }
    tern_value_decref(k);
    *key = s;
    return TERN_OK;
}

static int eval_object(struct ev *ev, const struct tern_expr *e,
                       tern_value **out)
{
    tern_value *obj = tern_value_object_new();
    int error = TERN_OK, unknown = 0, sens = 0;
    size_t i;

    if (!obj)
        return TERN_ENOMEM;
    for (i = 0; i < e->u.object.n; i++) {
        tern_value *k = NULL, *v = NULL;
        int err = object_key(ev, e->u.object.keys[i], &k, &unknown, &sens);
        int err2 = eval(ev, e->u.object.vals[i], &v);

        if (err || err2) {
            error = err ? err : err2;
            tern_value_decref(k);
            tern_value_decref(v);
            continue;
        }
        if (k && tern_value_object_set(obj, tern_value_get_string(k), v))
            error = TERN_ENOMEM;
        else if (!k)
            tern_value_decref(v);
        tern_value_decref(k);
    }
    if (!error && unknown) {
        tern_value_decref(obj);
        return unknown_out(out, sens);
    }
    if (error)
        tern_value_decref(obj);
    else
        *out = obj;
    return error;
}

static int eval_for(struct ev *ev, const struct tern_expr *e, tern_value **out)
{
    tern_value *coll = NULL, *k = NULL, *v = NULL, *result = NULL;
    struct binding bk, bv;
    struct iter it;
    int error, unknown = 0, sens;

    error = eval(ev, e->u.for_.coll, &coll);
    if (error)
        return error;
    sens = tern_value_is_sensitive(coll);
    if (tern_value_is_unknown(coll)) {
        error = unknown_out(out, sens);
        goto done;
    }
    error = check_iterable(ev, e->u.for_.coll, coll, "expression");
    if (error)
        goto done;
    result =
        e->u.for_.is_object ? tern_value_object_new() : tern_value_list_new();
    if (!result) {
        error = TERN_ENOMEM;
        goto done;
    }
    it.coll = coll;
    it.i = 0;
    while (!error && iter_next(&it, &k, &v)) {
        tern_value *key = NULL, *val = NULL;
        int keep = 1, cunknown = 0;

        if (!k || !v) {
            tern_value_decref(k);
            tern_value_decref(v);
            error = TERN_ENOMEM;
            break;
        }
        bv.name = e->u.for_.val_var;
        bv.value = v;
        bv.next = ev->bindings;
        if (e->u.for_.key_var) {
            bk.name = e->u.for_.key_var;
            bk.value = k;
            bk.next = bv.next;
            bv.next = &bk;
        }
        ev->bindings = &bv;
        if (e->u.for_.cond) {
            error = eval_bool(ev, e->u.for_.cond, &keep, &cunknown, &sens,
                              "'for' condition");
            if (cunknown)
                unknown = 1;
        }
        if (!error && keep && !cunknown) {
            if (e->u.for_.is_object)
                error = object_key(ev, e->u.for_.key, &key, &unknown, &sens);
            if (!error)
                error = eval(ev, e->u.for_.val, &val);
        }
        ev->bindings = e->u.for_.key_var ? bk.next : bv.next;
        tern_value_decref(k);
        tern_value_decref(v);
        k = v = NULL;
        if (error || !keep || cunknown || (e->u.for_.is_object && !key)) {
            tern_value_decref(key);
            tern_value_decref(val);
            continue;
        }
        if (!e->u.for_.is_object) {
            error = tern_value_list_append(result, val);
        } else if (e->u.for_.group) {
            tern_value *group =
                tern_value_object_get(result, tern_value_get_string(key));

            if (!group) {
                group = tern_value_list_new();
                if (!group || tern_value_object_set(
                                  result, tern_value_get_string(key), group)) {
                    tern_value_decref(val);
                    error = TERN_ENOMEM;
                }
            }
            if (!error)
                error = tern_value_list_append(group, val);
        } else if (tern_value_object_get(result, tern_value_get_string(key))) {
            error = everr(ev, &e->u.for_.key->range, "Duplicate object key",
                          "Two different items produced the key \"%s\" in "
                          "this 'for' expression. If duplicates are "
                          "expected, use the ellipsis (...) after the value "
                          "expression to enable grouping by key.",
                          tern_value_get_string(key));
            tern_value_decref(val);
        } else {
            error =
                tern_value_object_set(result, tern_value_get_string(key), val);
        }
        tern_value_decref(key);
    }
    if (!error) {
        if (unknown) {
            error = unknown_out(out, sens);
        } else {
            *out = mark(result, sens);
            result = NULL;
            error = *out ? TERN_OK : TERN_ENOMEM;
        }
    }

done:
    tern_value_decref(result);
    tern_value_decref(coll);
    return error;
}

static int eval_splat(struct ev *ev, const struct tern_expr *e,
                      tern_value **out)
{
    tern_value *src = NULL, *result = NULL, *wrapped = NULL;
    const tern_value *saved = ev->splat_item;
    int error = eval(ev, e->u.splat.source, &src), sens;
    size_t i, n;

    if (error)
        return error;
    sens = tern_value_is_sensitive(src);
    if (tern_value_is_unknown(src)) {
        error = unknown_out(out, sens);
        goto done;
    }
    result = tern_value_list_new();
    if (!result) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (tern_value_is_null(src)) {
        *out = result;
        result = NULL;
        goto done;
    }
    if (tern_value_kind(src) != TERN_VAL_LIST &&
        tern_value_kind(src) != TERN_VAL_SET) {
        /* A single value splats as a one-element tuple. */
        wrapped = tern_value_list_new();
        if (!wrapped ||
            tern_value_list_append(wrapped, tern_value_incref(src))) {
            error = TERN_ENOMEM;
            goto done;
        }
        tern_value_decref(src);
        src = wrapped;
        wrapped = NULL;
    }
    n = tern_value_length(src);
    for (i = 0; i < n; i++) {
        tern_value *v = NULL;
        int err;

        ev->splat_item = tern_value_list_get(src, i);
        err = eval(ev, e->u.splat.each, &v);
        ev->splat_item = saved;
        if (err) {
            error = error == TERN_ENOMEM ? error : err;
            continue;
        }
        if (tern_value_list_append(result, v))
            error = TERN_ENOMEM;
    }
    if (!error) {
        *out = mark(result, sens);
        result = NULL;
        error = *out ? TERN_OK : TERN_ENOMEM;
    }

done:
    tern_value_decref(wrapped);
    tern_value_decref(result);
    tern_value_decref(src);
    return error;
}

/* ---- Calls ------------------------------------------------------------- */

/* try() and can(): their arguments are evaluated here, one at a time,
 * with errors caught instead of reported. */
static int eval_try(struct ev *ev, const struct tern_expr *e, int is_can,
                    tern_value **out)
{
    size_t i;

    if (e->u.call.n == 0 || (is_can && e->u.call.n != 1))
        return everr(ev, &e->range, "Invalid function argument",
                     is_can ? "Function \"can\" expects exactly 1 argument."
                            : "At least one argument is required.");
    for (i = 0; i < e->u.call.n; i++) {
        struct tern_diags caught = TERN_DIAGS_INIT;
        struct tern_diags *saved = ev->diags;
        tern_value *v = NULL;
        int error;

        ev->diags = &caught;
        error = eval(ev, e->u.call.args[i], &v);
        ev->diags = saved;
        tern_diags_release(&caught);
        if (error == TERN_ENOMEM)
            return error;
        if (error == TERN_OK) {
            if (!tern_value_is_wholly_known(v)) {
                tern_value_decref(v);
                return unknown_out(out, 0);
            }
            if (is_can) {
                tern_value_decref(v);
                *out = tern_value_bool(1);
                return *out ? TERN_OK : TERN_ENOMEM;
            }
            *out = v;
            return TERN_OK;
        }
    }
    if (is_can) {
        *out = tern_value_bool(0);
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    return everr(ev, &e->range, "Error in function call",
                 "Call to function \"try\" failed: no expression succeeded.");
}

/* A call's arguments as evaluated: the values (a final `...` argument
 * expanded), their ranges, and whether any was sensitive or unknown. */
struct callargs {
    tern_value **args;
    struct tern_range *ranges;
    size_t nargs, aargs;
    int sens, unknown;
};

static int unknown_function(struct ev *ev, const struct tern_expr *e)
{
    const char *const *names = tern_lang_function_names();
    size_t n = 0;
    const char *best;

    while (names[n])
        n++;
    best = tern_lang_suggest(e->u.call.name, names, n);
    if (best)
        return everr(ev, &e->u.call.name_range, "Call to unknown function",
                     "There is no function named \"%s\". Did you mean "
                     "\"%s\"?",
                     e->u.call.name, best);
    return everr(ev, &e->u.call.name_range, "Call to unknown function",
                 "There is no function named \"%s\".", e->u.call.name);
}

/* The call's arguments evaluated into ca, a final `...` argument's
 * elements one argument each. Every argument is evaluated (to report
 * every error) unless memory runs out. */
static int call_args(struct ev *ev, const struct tern_expr *e,
                     struct callargs *ca)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < e->u.call.n; i++) {
        tern_value *v = NULL;
        int err = eval(ev, e->u.call.args[i], &v);

        if (err) {
            error = error == TERN_ENOMEM ? error : err;
            continue;
        }
        if (e->u.call.expand_final && i + 1 == e->u.call.n) {
            size_t j, n;

            if (tern_value_is_unknown(v)) {
                ca->unknown = 1;
                ca->sens |= tern_value_is_sensitive(v);
                tern_value_decref(v);
                continue;
            }
            if (tern_value_kind(v) != TERN_VAL_LIST &&
                tern_value_kind(v) != TERN_VAL_SET) {
                error = everr(ev, &e->u.call.args[i]->range,
                              "Invalid expanding argument value",
                              "The expanding argument (indicated by ...) "
                              "must be of a tuple, list, or set type.");
                tern_value_decref(v);
                continue;
            }
            n = tern_value_length(v);
            if (n > 0) {
                tern_value **na =
                    tern_realloc(ca->args, (ca->aargs + n) * sizeof(*na));
                struct tern_range *nr =
                    na ? tern_realloc(ca->ranges, (ca->aargs + n) * sizeof(*nr))
                       : NULL;

                if (na)
                    ca->args = na;
                if (nr)
                    ca->ranges = nr;
                if (!na || !nr) {
                    tern_value_decref(v);
                    error = TERN_ENOMEM;
                    goto done;
                }
                ca->aargs += n;
            }
            ca->sens |= tern_value_is_sensitive(v);
            for (j = 0; j < n; j++) {
                ca->ranges[ca->nargs] = e->u.call.args[i]->range;
                ca->args[ca->nargs++] =
                    tern_value_incref(tern_value_list_get(v, j));
            }
            tern_value_decref(v);
            continue;
        }
        ca->ranges[ca->nargs] = e->u.call.args[i]->range;
        ca->args[ca->nargs++] = v;
    }
done:
    return error;
}

/* The arguments against the function's signature: their count, nulls
 * where it takes none; sensitive marks removed (noted in ca->sens) unless
 * the function handles them itself, unknowns noted in ca->unknown. */
static int call_check_args(struct ev *ev, const struct tern_expr *e,
                           const struct tern__function *fn, struct callargs *ca)
{
    size_t i;
    int error = TERN_OK;

    if ((int)ca->nargs < fn->min_args && !ca->unknown)
        return everr(ev, &e->range, "Not enough function arguments",
                     "Function \"%s\" expects %d argument(s). Missing "
                     "value for argument %zu.",
                     fn->name, fn->min_args, ca->nargs + 1);
    if (fn->max_args >= 0 && (int)ca->nargs > fn->max_args)
        return everr(ev, &e->range, "Too many function arguments",
                     "Function \"%s\" expects only %d argument(s).", fn->name,
                     fn->max_args);
    for (i = 0; i < ca->nargs; i++) {
        if (!(fn->flags & TERN__F_MARKS_OWN) &&
            tern_value_has_sensitive(ca->args[i])) {
            ca->sens = 1;
            ca->args[i] = tern_value_unmark_deep(ca->args[i]);
            if (!ca->args[i]) {
                error = TERN_ENOMEM;
                goto done;
            }
        }
        if (!(fn->flags & TERN__F_UNKNOWN_OK) &&
            !tern_value_is_wholly_known(ca->args[i]))
            ca->unknown = 1;
        if (!(fn->flags & TERN__F_NULL_OK) && tern_value_is_null(ca->args[i]) &&
            !((fn->flags & TERN__F_VARIADIC_NUL) && (int)i >= fn->min_args)) {
            error = everr(ev, &ca->ranges[i], "Invalid function argument",
                          "Invalid value for argument %zu of \"%s\": "
                          "argument must not be null.",
                          i + 1, fn->name);
            goto done;
        }
    }
done:
    return error;
}

static int eval_call(struct ev *ev, const struct tern_expr *e, tern_value **out)
{
    const struct tern__function *fn;
    struct tern__fcall call;
    struct callargs ca;
    size_t i;
    int error = TERN_OK;

    if (strcmp(e->u.call.name, "try") == 0)
        return eval_try(ev, e, 0, out);
    if (strcmp(e->u.call.name, "can") == 0)
        return eval_try(ev, e, 1, out);
    fn = tern__function_find(e->u.call.name);
    if (!fn)
        return unknown_function(ev, e);
    memset(&ca, 0, sizeof(ca));
    ca.aargs = e->u.call.n + 1;
    ca.args = tern_calloc(ca.aargs, sizeof(*ca.args));
    ca.ranges = tern_calloc(ca.aargs, sizeof(*ca.ranges));
    if (!ca.args || !ca.ranges) {
        error = TERN_ENOMEM;
        goto done;
    }
    if ((error = call_args(ev, e, &ca)) ||
        (error = call_check_args(ev, e, fn, &ca)))
        goto done;
    /* Terraform's impure functions are unknown until apply (they still
     * check their arguments' count and nulls above). */
    if (ca.unknown ||
        ((fn->flags & TERN__F_IMPURE) && !(ev->scope && ev->scope->apply))) {
        error = unknown_out(out, ca.sens);
        goto done;
    }
    memset(&call, 0, sizeof(call));
    call.name = fn->name;
    call.scope = ev->scope;
    call.diags = ev->diags;
    call.range = e->range;
    call.args = ca.ranges;
    call.nargs_ranges = ca.nargs;
    call.arg_exprs = e->u.call.expand_final ? NULL : e->u.call.args;
    call.sensitive = ca.sens;
    *out = NULL;
    error = fn->fn(&call, ca.args, ca.nargs, out);
    if (error == TERN_OK && !*out)
        error = TERN_ENOMEM;
    if (error == TERN_OK)
        *out = mark(*out, ca.sens);
    if (error == TERN_OK && !*out)
        error = TERN_ENOMEM;

done:
    if (ca.args)
        for (i = 0; i < ca.nargs; i++)
            tern_value_decref(ca.args[i]);
    tern_free(ca.args);
    tern_free(ca.ranges);
    return error;
}

void tern__farg_error(struct tern__fcall *c, size_t i, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    const struct tern_range *r = i < c->nargs_ranges ? &c->args[i] : &c->range;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    tern_diags_add(c->diags, TERN_SEV_ERROR, r,
                   i < c->nargs_ranges ? "Invalid function argument"
                                       : "Error in function call",
                   "Call to function \"%s\" failed: %s", c->name, detail);
}

void tern__fparam_error(struct tern__fcall *c, size_t i, const char *param,
                        const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    const struct tern_range *r = i < c->nargs_ranges ? &c->args[i] : &c->range;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    tern_diags_add(c->diags, TERN_SEV_ERROR, r, "Invalid function argument",
                   "Invalid value for \"%s\" parameter: %s", param, detail);
}

static int eval(struct ev *ev, const struct tern_expr *e, tern_value **out)
{
    int error = TERN_OK;
    tern_value *obj = NULL, *key = NULL;

    *out = NULL;
    if (ev->oom)
        return TERN_ENOMEM;
    if (ev->canceled)
        return TERN_ECANCELED;
    if (ev->scope->stop && ++ev->steps % STOP_CHECK_EVERY == 0 &&
        atomic_load(ev->scope->stop)) {
        ev->canceled = 1;
        everr(ev, &e->range, "Evaluation interrupted",
              "tern was interrupted while it evaluated this expression, and "
              "stopped.");
        return TERN_ECANCELED;
    }
    if (++ev->depth > MAX_DEPTH) {
        ev->depth--;
        if (ev->deep++)
            return TERN_ERROR;
        return everr(ev, &e->range, "Expression too deeply nested",
                     "This expression nests more than %d levels deep.",
                     MAX_DEPTH);
    }
    switch (e->kind) {
    case TERN_EXPR_LITERAL:
        *out = tern_value_incref(e->u.literal);
        break;
    case TERN_EXPR_TEMPLATE:
        error = eval_template(ev, e, out);
        break;
    case TERN_EXPR_TPL_IF:
        error = eval_tpl_if(ev, e, out);
        break;
    case TERN_EXPR_TPL_FOR:
        error = eval_tpl_for(ev, e, out);
        break;
    case TERN_EXPR_VAR:
        error = eval_var(ev, e, out);
        break;
    case TERN_EXPR_GETATTR:
        if (try_reference(ev, e, out, &error))
            break;
        error = eval(ev, e->u.attr.obj, &obj);
        if (!error)
            error = get_attr(ev, obj, e->u.attr.name, &e->range, out);
        break;
    case TERN_EXPR_INDEX:
        error = eval(ev, e->u.index.obj, &obj);
        error = either_error(error, eval(ev, e->u.index.key, &key));
        if (!error)
            error = index_value(ev, obj, key, &e->range, out);
        break;
    case TERN_EXPR_SPLAT:
        error = eval_splat(ev, e, out);
        break;
    case TERN_EXPR_SPLAT_ITEM:
        if (ev->splat_item)
            *out = tern_value_incref(ev->splat_item);
        else
            error = everr(ev, &e->range, "Invalid splat",
                          "A splat item is used outside of a splat.");
        break;
    case TERN_EXPR_CALL:
        error = eval_call(ev, e, out);
        break;
    case TERN_EXPR_UNARY:
        error = eval_unary(ev, e, out);
        break;
    case TERN_EXPR_BINARY:
        error = eval_binary(ev, e, out);
        break;
    case TERN_EXPR_COND:
        error = eval_cond(ev, e, out);
        break;
    case TERN_EXPR_FOR:
        error = eval_for(ev, e, out);
        break;
    case TERN_EXPR_TUPLE:
        error = eval_tuple(ev, e, out);
        break;
    case TERN_EXPR_OBJECT:
        error = eval_object(ev, e, out);
        break;
    case TERN_EXPR_PAREN:
        error = eval(ev, e->u.paren, out);
        break;
    }
    tern_value_decref(obj);
    tern_value_decref(key);
    ev->depth--;
    if (error == TERN_OK && !*out)
        error = TERN_ENOMEM;
    if (error) {
        tern_value_decref(*out);
        *out = NULL;
    }
    if (error == TERN_ECANCELED)
        ev->canceled = 1;
    if (ev->canceled)
        error = TERN_ECANCELED;
    if (ev->oom)
        error = TERN_ENOMEM;
    return error;
}

int tern_lang_eval(const struct tern_expr *expr,
                   const struct tern_lang_scope *scope, tern_value **out,
                   struct tern_diags *diags)
{
    struct ev ev;
    static const struct tern_lang_scope empty;

    memset(&ev, 0, sizeof(ev));
    ev.scope = scope ? scope : &empty;
    ev.diags = diags;
    return eval(&ev, expr, out);
}
