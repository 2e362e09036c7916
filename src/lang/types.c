/*
 * Type constraints (a variable's `type = map(object({...}))`) and the
 * conversion of a value to a constraint, after cty's convert package:
 * primitives convert among themselves where the text allows ("5" to 5,
 * "true" to true, numbers and bools to strings), collections convert
 * element by element, objects drop attributes the type does not declare
 * and fill optional(...) ones with their default or null. Nulls and
 * unknowns convert to any type.
 */
#include "lang/lang_int.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

void tern_lang_type_free(struct tern_lang_type *t)
{
    size_t i;

    if (!t)
        return;
    tern_lang_type_free(t->elem);
    for (i = 0; i < t->n; i++) {
        tern_free(t->names ? t->names[i] : NULL);
        tern_lang_type_free(t->types ? t->types[i] : NULL);
        tern_value_decref(t->defaults ? t->defaults[i] : NULL);
    }
    tern_free(t->names);
    tern_free(t->types);
    tern_free(t->optional);
    tern_free(t->defaults);
    tern_free(t);
}

static int type_error(struct tern_diags *d, const struct tern_expr *e,
                      const char *detail)
{
    tern_diags_add(d, TERN_SEV_ERROR, &e->range, "Invalid type specification",
                   "%s", detail);
    return TERN_ERROR;
}

static int parse_type(const struct tern_expr *e, struct tern_lang_type **out,
                      struct tern_diags *d, int in_object);

static const char *keyword(const struct tern_expr *e)
{
    if (e->kind == TERN_EXPR_VAR)
        return e->u.var.name;
    if (e->kind == TERN_EXPR_CALL)
        return e->u.call.name;
    return NULL;
}

static int parse_object_type(const struct tern_expr *arg,
                             struct tern_lang_type *t, struct tern_diags *d)
{
    size_t i;

    if (arg->kind != TERN_EXPR_OBJECT)
        return type_error(d, arg,
                          "The object type constructor requires one "
                          "argument specifying the attribute types as a "
                          "map.");
    t->n = arg->u.object.n;
    t->names = tern_calloc(t->n + 1, sizeof(*t->names));
    t->types = tern_calloc(t->n + 1, sizeof(*t->types));
    t->optional = tern_calloc(t->n + 1, sizeof(*t->optional));
    t->defaults = tern_calloc(t->n + 1, sizeof(*t->defaults));
    if (!t->names || !t->types || !t->optional || !t->defaults)
        return TERN_ENOMEM;
    for (i = 0; i < t->n; i++) {
        const struct tern_expr *k = arg->u.object.keys[i];
        const struct tern_expr *v = arg->u.object.vals[i];
        int error;

        if (k->kind != TERN_EXPR_LITERAL ||
            tern_value_kind(k->u.literal) != TERN_VAL_STRING)
            return type_error(d, k,
                              "Object constructor map keys must be "
                              "attribute names.");
        t->names[i] = tern_strdup(tern_value_get_string(k->u.literal));
        if (!t->names[i])
            return TERN_ENOMEM;
        if (v->kind == TERN_EXPR_CALL &&
            strcmp(v->u.call.name, "optional") == 0) {
            if (v->u.call.n < 1 || v->u.call.n > 2)
                return type_error(d, v,
                                  "Optional attribute modifier expects one "
                                  "or two arguments: the attribute type "
                                  "and an optional default value.");
            t->optional[i] = 1;
            error = parse_type(v->u.call.args[0], &t->types[i], d, 1);
            if (error)
                return error;
            if (v->u.call.n == 2) {
                tern_value *def = NULL, *conv = NULL;
                char why[256];

                error = tern_lang_eval(v->u.call.args[1], NULL, &def, d);
                if (error)
                    return error;
                error = tern_lang_type_convert(t->types[i], def, &conv, why,
                                               sizeof(why));
                tern_value_decref(def);
                if (error == TERN_ERROR) {
                    tern_diags_add(d, TERN_SEV_ERROR, &v->u.call.args[1]->range,
                                   "Invalid default value for optional "
                                   "attribute",
                                   "This default value is not compatible "
                                   "with the attribute's type constraint: "
                                   "%s.",
                                   why);
                    return TERN_ERROR;
                }
                if (error)
                    return error;
                t->defaults[i] = conv;
            }
            continue;
        }
        error = parse_type(v, &t->types[i], d, 1);
        if (error)
            return error;
    }
    return TERN_OK;
}

static int parse_type(const struct tern_expr *e, struct tern_lang_type **out,
                      struct tern_diags *d, int in_object)
{
    static const struct {
        const char *name;
        enum tern_lang_type_kind kind;
    } prims[] = {{"any", TERN_LTYPE_ANY},
                 {"string", TERN_LTYPE_STRING},
                 {"number", TERN_LTYPE_NUMBER},
                 {"bool", TERN_LTYPE_BOOL}},
      colls[] = {{"list", TERN_LTYPE_LIST},
                 {"set", TERN_LTYPE_SET},
                 {"map", TERN_LTYPE_MAP}};
    const char *kw;
    struct tern_lang_type *t;
    size_t i;
    int error = TERN_OK;

    (void)in_object;
    *out = NULL;
    while (e->kind == TERN_EXPR_PAREN)
        e = e->u.paren;
    kw = keyword(e);
    if (!kw)
        return type_error(d, e,
                          "A type specification is either a primitive type "
                          "keyword (bool, number, string) or a complex type "
                          "constructor call, like list(string).");
    t = tern_calloc(1, sizeof(*t));
    if (!t)
        return TERN_ENOMEM;
    *out = t;
    if (e->kind == TERN_EXPR_VAR) {
        for (i = 0; i < sizeof(prims) / sizeof(prims[0]); i++)
            if (strcmp(kw, prims[i].name) == 0) {
                t->kind = prims[i].kind;
                return TERN_OK;
            }
        for (i = 0; i < sizeof(colls) / sizeof(colls[0]); i++)
            if (strcmp(kw, colls[i].name) == 0) {
                /* Terraform's shorthand: "list" is list(any). */
                t->kind = colls[i].kind;
                t->elem = tern_calloc(1, sizeof(*t->elem));
                return t->elem ? TERN_OK : TERN_ENOMEM;
            }
        {
            char detail[256];

            snprintf(detail, sizeof(detail),
                     "The keyword \"%s\" is not a valid type "
                     "specification.",
                     kw);
            return type_error(d, e, detail);
        }
    }
    for (i = 0; i < sizeof(colls) / sizeof(colls[0]); i++) {
        if (strcmp(kw, colls[i].name) != 0)
            continue;
        t->kind = colls[i].kind;
        if (e->u.call.n != 1)
            return type_error(d, e,
                              "A collection type constructor requires "
                              "exactly one argument, the element type.");
        return parse_type(e->u.call.args[0], &t->elem, d, in_object);
    }
    if (strcmp(kw, "object") == 0) {
        t->kind = TERN_LTYPE_OBJECT;
        if (e->u.call.n != 1)
            return type_error(d, e,
                              "The object type constructor requires one "
                              "argument specifying the attribute types as "
                              "a map.");
        return parse_object_type(e->u.call.args[0], t, d);
    }
    if (strcmp(kw, "tuple") == 0) {
        const struct tern_expr *arg =
            e->u.call.n == 1 ? e->u.call.args[0] : NULL;

        t->kind = TERN_LTYPE_TUPLE;
        if (!arg || arg->kind != TERN_EXPR_TUPLE)
            return type_error(d, e,
                              "The tuple type constructor requires one "
                              "argument specifying the element types as a "
                              "list.");
        t->n = arg->u.list.n;
        t->types = tern_calloc(t->n + 1, sizeof(*t->types));
        if (!t->types)
            return TERN_ENOMEM;
        for (i = 0; i < t->n && !error; i++)
            error =
                parse_type(arg->u.list.items[i], &t->types[i], d, in_object);
        return error;
    }
    if (strcmp(kw, "optional") == 0)
        return type_error(d, e,
                          "Keyword \"optional\" is valid only as a modifier "
                          "for object type attributes.");
    {
        char detail[256];

        snprintf(detail, sizeof(detail),
                 "Keyword \"%s\" is not a valid type constructor.", kw);
        return type_error(d, e, detail);
    }
}

int tern_lang_type_parse(const struct tern_expr *e, struct tern_lang_type **out,
                         struct tern_diags *diags)
{
    int error = parse_type(e, out, diags, 0);

    if (error) {
        tern_lang_type_free(*out);
        *out = NULL;
    }
    return error;
}

static void put_type(tern_buf *b, const struct tern_lang_type *t)
{
    size_t i;

    switch (t->kind) {
    case TERN_LTYPE_ANY:
        tern_buf_puts(b, "any");
        break;
    case TERN_LTYPE_STRING:
        tern_buf_puts(b, "string");
        break;
    case TERN_LTYPE_NUMBER:
        tern_buf_puts(b, "number");
        break;
    case TERN_LTYPE_BOOL:
        tern_buf_puts(b, "bool");
        break;
    case TERN_LTYPE_LIST:
    case TERN_LTYPE_SET:
    case TERN_LTYPE_MAP:
        tern_buf_puts(b, t->kind == TERN_LTYPE_LIST  ? "list("
                         : t->kind == TERN_LTYPE_SET ? "set("
                                                     : "map(");
        put_type(b, t->elem);
        tern_buf_putc(b, ')');
        break;
    case TERN_LTYPE_OBJECT:
        tern_buf_puts(b, "object({");
        for (i = 0; i < t->n; i++) {
            tern_buf_printf(b, "%s%s=", i ? ", " : "", t->names[i]);
            if (t->optional[i])
                tern_buf_puts(b, "optional(");
            put_type(b, t->types[i]);
            if (t->optional[i])
                tern_buf_putc(b, ')');
        }
        tern_buf_puts(b, "})");
        break;
    case TERN_LTYPE_TUPLE:
        tern_buf_puts(b, "tuple([");
        for (i = 0; i < t->n; i++) {
            if (i)
                tern_buf_puts(b, ", ");
            put_type(b, t->types[i]);
        }
        tern_buf_puts(b, "])");
        break;
    }
}

char *tern_lang_type_string(const struct tern_lang_type *t)
{
    tern_buf b = TERN_BUF_INIT;

    put_type(&b, t);
    return tern_buf_detach(&b);
}

/* ---- Conversion --------------------------------------------------------
 */

struct conv {
    char *why;
    size_t size;
    char path[256];
};

static int fail(struct conv *c, const char *what)
{
    if (c->path[0])
        snprintf(c->why, c->size, "%s: %s", c->path, what);
    else
        snprintf(c->why, c->size, "%s", what);
    return TERN_ERROR;
}

static int convert(struct conv *c, const struct tern_lang_type *t,
                   const tern_value *v, tern_value **out);

enum step { STEP_INDEX, STEP_KEY, STEP_ATTR };

/* Convert an element, with its place appended to the error path. */
static int convert_elem(struct conv *c, const struct tern_lang_type *t,
                        const tern_value *v, tern_value **out, enum step step,
                        const char *key, size_t idx)
{
    size_t len = strlen(c->path);
    char *p = c->path + len;
    size_t room = sizeof(c->path) - len;
    int error;

    if (step == STEP_INDEX)
        snprintf(p, room, "[%zu]", idx);
    else if (step == STEP_KEY)
        snprintf(p, room, "[\"%s\"]", key);
    else
        snprintf(p, room, ".%s", key);
    error = convert(c, t, v, out);
    c->path[len] = '\0';
    return error;
}

static int convert(struct conv *c, const struct tern_lang_type *t,
                   const tern_value *v, tern_value **out)
{
    tern_value *r = NULL;
    size_t i, n;
    int error = TERN_OK;

    *out = NULL;
    if (t->kind == TERN_LTYPE_ANY || tern_value_is_null(v) ||
        tern_value_is_unknown(v)) {
        *out = tern_value_incref(v);
        return TERN_OK;
    }
    switch (t->kind) {
    case TERN_LTYPE_STRING:
        r = tern__convert_string(v);
        if (!r)
            return fail(c, "string required");
        break;
    case TERN_LTYPE_NUMBER:
        r = tern__convert_number(v);
        if (!r)
            return fail(c, tern_value_kind(v) == TERN_VAL_STRING
                               ? "a number is required"
                               : "number required");
        break;
    case TERN_LTYPE_BOOL:
        r = tern__convert_bool(v);
        if (!r)
            return fail(c, "bool required");
        break;
    case TERN_LTYPE_LIST:
    case TERN_LTYPE_SET:
    case TERN_LTYPE_TUPLE:
        if (tern_value_kind(v) != TERN_VAL_LIST &&
            tern_value_kind(v) != TERN_VAL_SET)
            return fail(c, t->kind == TERN_LTYPE_LIST  ? "list of "
                                                         "values required"
                           : t->kind == TERN_LTYPE_SET ? "set of values "
                                                         "required"
                                                       : "tuple required");
        n = tern_value_length(v);
        if (t->kind == TERN_LTYPE_TUPLE && n != t->n) {
            char what[64];

            snprintf(what, sizeof(what), "tuple required with %zu elements",
                     t->n);
            return fail(c, what);
        }
        r = tern_value_list_new();
        for (i = 0; r && i < n && !error; i++) {
            tern_value *e = NULL;

            error = convert_elem(
                c, t->kind == TERN_LTYPE_TUPLE ? t->types[i] : t->elem,
                tern_value_list_get(v, i), &e, STEP_INDEX, NULL, i);
            if (!error)
                error = tern_value_list_append(r, e);
        }
        if (r && !error && t->kind == TERN_LTYPE_SET)
            r = tern_value_set_finish(r);
        break;
    case TERN_LTYPE_MAP:
        if (tern_value_kind(v) != TERN_VAL_OBJECT)
            return fail(c, "map of values required");
        r = tern_value_object_new();
        n = tern_value_length(v);
        for (i = 0; r && i < n && !error; i++) {
            tern_value *e = NULL;
            const char *k = tern_value_object_key(v, i);

            error = convert_elem(c, t->elem, tern_value_object_value(v, i), &e,
                                 STEP_KEY, k, 0);
            if (!error)
                error = tern_value_object_set(r, k, e);
        }
        break;
    case TERN_LTYPE_OBJECT:
        if (tern_value_kind(v) != TERN_VAL_OBJECT)
            return fail(c, "object required");
        r = tern_value_object_new();
        for (i = 0; r && i < t->n && !error; i++) {
            tern_value *src = tern_value_object_get(v, t->names[i]), *e = NULL;

            if (!src && !t->optional[i]) {
                char what[300];

                snprintf(what, sizeof(what), "attribute \"%s\" is required",
                         t->names[i]);
                error = fail(c, what);
                break;
            }
            if (!src) {
                e = t->defaults[i] ? tern_value_incref(t->defaults[i])
                                   : tern_value_null();
            } else {
                error = convert_elem(c, t->types[i], src, &e, STEP_ATTR,
                                     t->names[i], 0);
                /* A null given for an optional attribute takes the
                 * default, as Terraform does. */
                if (!error && t->optional[i] && t->defaults[i] &&
                    tern_value_is_null(e)) {
                    tern_value_decref(e);
                    e = tern_value_incref(t->defaults[i]);
                }
            }
            if (!error)
                error = tern_value_object_set(r, t->names[i], e);
        }
        break;
    default:
        break;
    }
    if (error) {
        tern_value_decref(r);
        return error;
    }
    if (!r)
        return TERN_ENOMEM;
    if (tern_value_is_sensitive(v))
        r = tern_value_mark_sensitive(r);
    *out = r;
    return r ? TERN_OK : TERN_ENOMEM;
}

int tern_lang_type_convert(const struct tern_lang_type *t, const tern_value *v,
                           tern_value **out, char *why, size_t why_size)
{
    struct conv c;

    c.why = why;
    c.size = why_size;
    c.path[0] = '\0';
    if (why_size)
        why[0] = '\0';
    return convert(&c, t, v, out);
}
