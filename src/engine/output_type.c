/*
 * The type of a root output, as Terraform's JSON formats write it (cty's
 * type JSON: "string", ["list","string"], ["map","string"],
 * ["object",{...}], ["tuple",[...]]) in the state's outputs, `output
 * -json` and `show -json`.
 *
 * tern's values do not carry cty's types: a list and a tuple, a map and
 * an object, are the same value. Where the output's expression names
 * something whose type is declared, the declaration gives it, as cty's
 * would: a resource's attribute (its schema: tags_all is
 * ["map","string"], a list(string) attribute ["list","string"] even when
 * empty or null), an input variable with a type constraint, a conversion
 * (tolist, toset, tomap), a splat (a list over a list or set, else a
 * tuple: hclsyntax's SplatExpr) and a conditional whose other result is
 * null or of the same declared type. Otherwise the type is inferred from
 * the value (tern__tfjson_type): a literal list, a `for` list and a
 * splat's are tuples, a literal object and a `for` object objects, as in
 * Terraform (hclsyntax's TupleConsExpr, ForExpr). Where that can differ
 * from cty's: a child module's output passed up (its own expression's
 * type, which tern does not carry across the call: a list(string)
 * variable's value comes up as a tuple), a conditional whose two results
 * have different types (cty unifies ["a"] and [] to a list of string;
 * tern types the result taken), an `any` variable's or attribute's null
 * parts ("dynamic" where cty would keep the type they were given). The
 * schema's types are built here for `providers schema -json` too
 * (tern__tfjson_schema_type), which writes a dynamic attribute's type
 * rather than leaving it open.
 */
#include "engine/engine_int.h"
#include "engine/tfjson.h"

#include <string.h>

#include "util/json.h"

/*
 * Each of these gives NULL both where the type is open (a dynamic
 * attribute, `any`: the caller infers it from the value) and when out of
 * memory, which sets *oom: an allocation that fails must not change the
 * type written.
 */
static json_t *made(json_t *t, int *oom)
{
    if (!t)
        *oom = 1;
    return t;
}

/* The object type of a block's attributes. */
static json_t *object_type(const tern_attr *schema, int dynamic_open, int *oom)
{
    json_t *attrs = made(json_object(), oom);

    for (; attrs && schema && schema->name; schema++) {
        json_t *t = tern__tfjson_schema_type(schema, dynamic_open, oom);

        if (!t) {
            json_decref(attrs);
            return NULL;
        }
        tern_json_set(oom, attrs, schema->name, t);
    }
    attrs = tern_json_done(*oom, attrs);
    return attrs ? made(json_pack("[s,o]", "object", attrs), oom) : NULL;
}

json_t *tern__tfjson_schema_type(const tern_attr *a, int dynamic_open, int *oom)
{
    json_t *o;

    switch (a->type) {
    case TERN_TYPE_STRING:
        return made(json_string("string"), oom);
    case TERN_TYPE_NUMBER:
        return made(json_string("number"), oom);
    case TERN_TYPE_BOOL:
        return made(json_string("bool"), oom);
    case TERN_TYPE_LIST_STRING:
        return made(json_pack("[s,s]", "list", "string"), oom);
    case TERN_TYPE_SET_STRING:
        return made(json_pack("[s,s]", "set", "string"), oom);
    case TERN_TYPE_MAP_STRING:
        return made(json_pack("[s,s]", "map", "string"), oom);
    case TERN_TYPE_BLOCK_LIST:
    case TERN_TYPE_BLOCK_SET:
        o = object_type(a->nested, dynamic_open, oom);
        return o ? made(json_pack("[s,o]",
                                  a->type == TERN_TYPE_BLOCK_LIST ? "list"
                                                                  : "set",
                                  o),
                        oom)
                 : NULL;
    case TERN_TYPE_DYNAMIC:
        return dynamic_open ? NULL : made(json_string("dynamic"), oom);
    }
    return NULL;
}

/* A type constraint's type; NULL where it holds `any` (the value's own
 * type then, which the caller infers). */
static json_t *lang_type(const struct tern_lang_type *t, int *oom)
{
    static const char *const kinds[] = {
        [TERN_LTYPE_LIST] = "list",
        [TERN_LTYPE_SET] = "set",
        [TERN_LTYPE_MAP] = "map",
    };
    json_t *inner = NULL, *x;
    size_t i;

    switch (t->kind) {
    case TERN_LTYPE_ANY:
        return NULL;
    case TERN_LTYPE_STRING:
        return made(json_string("string"), oom);
    case TERN_LTYPE_NUMBER:
        return made(json_string("number"), oom);
    case TERN_LTYPE_BOOL:
        return made(json_string("bool"), oom);
    case TERN_LTYPE_LIST:
    case TERN_LTYPE_SET:
    case TERN_LTYPE_MAP:
        x = t->elem ? lang_type(t->elem, oom) : NULL;
        return x ? made(json_pack("[s,o]", kinds[t->kind], x), oom) : NULL;
    case TERN_LTYPE_OBJECT:
    case TERN_LTYPE_TUPLE:
        inner = made(
            t->kind == TERN_LTYPE_OBJECT ? json_object() : json_array(), oom);
        for (i = 0; inner && i < t->n; i++) {
            if ((x = lang_type(t->types[i], oom)) == NULL) {
                json_decref(inner);
                return NULL;
            }
            if (t->kind == TERN_LTYPE_OBJECT)
                tern_json_set(oom, inner, t->names[i], x);
            else
                tern_json_append(oom, inner, x);
        }
        inner = tern_json_done(*oom, inner);
        return inner ? made(json_pack("[s,o]",
                                      t->kind == TERN_LTYPE_OBJECT ? "object"
                                                                   : "tuple",
                                      inner),
                            oom)
                     : NULL;
    }
    return NULL;
}

static const struct tern_expr *unparen(const struct tern_expr *x)
{
    while (x && x->kind == TERN_EXPR_PAREN)
        x = x->u.paren;
    return x;
}

/* var.NAME: its declared type constraint's type. */
static json_t *variable_type(const tern_engine *e, const char *name, int *oom)
{
    const struct tern_blockvec *vars = &e->config->variables;
    const struct tern_attribute *ta;
    struct tern_lang_type *type = NULL;
    struct tern_diags ignore = TERN_DIAGS_INIT;
    json_t *out = NULL;
    size_t i;
    int rc;

    for (i = 0; i < vars->n; i++) {
        const struct tern_block *b = vars->items[i];

        if (b->nlabels < 1 || strcmp(b->labels[0], name) != 0)
            continue;
        ta = tern_lang_body_attr(b->body, "type");
        rc = ta ? tern_lang_type_parse(ta->expr, &type, &ignore) : TERN_ERROR;
        if (rc == TERN_OK) {
            out = lang_type(type, oom);
            tern_lang_type_free(type);
        } else if (rc == TERN_ENOMEM) {
            *oom = 1;
        }
        break;
    }
    tern_diags_release(&ignore);
    return out;
}

/* TYPE.NAME, TYPE.NAME[KEY], data.TYPE.NAME, data.TYPE.NAME[KEY]: the
 * module of the instance's type, or NULL. */
static const tern_module *instance_module(const tern_engine *e,
                                          const struct tern_expr *x)
{
    const struct tern_expr *type;

    x = unparen(x);
    if (x && x->kind == TERN_EXPR_INDEX)
        x = unparen(x->u.index.obj);
    if (!x || x->kind != TERN_EXPR_GETATTR)
        return NULL;
    type = unparen(x->u.attr.obj);
    if (type && type->kind == TERN_EXPR_VAR &&
        strcmp(type->u.var.name, "var") != 0 &&
        strcmp(type->u.var.name, "local") != 0 &&
        strcmp(type->u.var.name, "module") != 0 &&
        strcmp(type->u.var.name, "data") != 0)
        return tern__engine_module(e, TERN_MODULE_RESOURCE, type->u.var.name);
    if (type && type->kind == TERN_EXPR_GETATTR) {
        const struct tern_expr *data = unparen(type->u.attr.obj);

        if (data && data->kind == TERN_EXPR_VAR &&
            strcmp(data->u.var.name, "data") == 0)
            return tern__engine_module(e, TERN_MODULE_DATA, type->u.attr.name);
    }
    return NULL;
}

/* A reference's declared type: var.NAME's constraint, or a resource's
 * attribute's schema type (TYPE.NAME.ATTR, TYPE.NAME[KEY].ATTR). */
static json_t *reference_type(const tern_engine *e, const struct tern_expr *x,
                              int *oom)
{
    const struct tern_expr *obj = unparen(x->u.attr.obj);
    const tern_module *m;
    const tern_attr *a;

    if (obj && obj->kind == TERN_EXPR_VAR &&
        strcmp(obj->u.var.name, "var") == 0)
        return variable_type(e, x->u.attr.name, oom);
    if ((m = instance_module(e, obj)) != NULL)
        for (a = m->schema; a && a->name; a++)
            if (strcmp(a->name, x->u.attr.name) == 0)
                return tern__tfjson_schema_type(a, 1, oom);
    return NULL;
}

static json_t *expr_type(const tern_engine *e, const struct tern_expr *expr,
                         const json_t *value, int *oom);

/* Fold the type inferred for the element @x into *@t: 0 while every
 * element so far has the same type; a null element converts to any. */
static int same_elem(json_t **t, const json_t *x, int *oom)
{
    json_t *u;

    if (json_is_null(x))
        return 0;
    if ((u = made(tern__tfjson_type(x), oom)) == NULL)
        return -1;
    if (*t == NULL) {
        *t = u;
        return 0;
    }
    if (json_equal(*t, u)) {
        json_decref(u);
        return 0;
    }
    json_decref(u);
    return -1;
}

/*
 * tolist(X), toset(X), tomap(X): a list, set or map (cty's convert). The
 * element type is X's when X's type is declared (a set attribute), else
 * the one every element of @value has ("dynamic" for none, as cty's empty
 * collection of DynamicPseudoType). Elements of different types cty would
 * unify (a number and a string to string): tern infers from the value
 * then, as for any other expression.
 */
static json_t *conversion_type(const tern_engine *e, const struct tern_expr *x,
                               const json_t *value, int *oom)
{
    static const char *const conv[][2] = {
        {"tolist", "list"}, {"toset", "set"}, {"tomap", "map"}};
    const char *kind = NULL, *k;
    json_t *arg, *t = NULL, *v;
    size_t i;
    int differ = 0;

    for (i = 0; i < sizeof(conv) / sizeof(*conv); i++)
        if (strcmp(x->u.call.name, conv[i][0]) == 0)
            kind = conv[i][1];
    if (!kind || x->u.call.n != 1 || x->u.call.expand_final)
        return NULL;
    arg = expr_type(e, x->u.call.args[0], NULL, oom);
    if (json_is_array(arg) && json_array_size(arg) == 2 &&
        strcmp(kind, "map") != 0 &&
        (strcmp(json_string_value(json_array_get(arg, 0)), "list") == 0 ||
         strcmp(json_string_value(json_array_get(arg, 0)), "set") == 0))
        t = json_incref(json_array_get(arg, 1));
    json_decref(arg);
    if (t == NULL && strcmp(kind, "map") == 0 && json_is_object(value))
        json_object_foreach((json_t *)value, k, v)
        {
            differ |= same_elem(&t, v, oom);
        }
    else if (t == NULL && strcmp(kind, "map") != 0 && json_is_array(value))
        json_array_foreach((json_t *)value, i, v)
        {
            differ |= same_elem(&t, v, oom);
        }
    else if (t == NULL)
        return NULL;
    if (differ || *oom) {
        json_decref(t);
        return NULL;
    }
    if (t == NULL && (t = made(json_string("dynamic"), oom)) == NULL)
        return NULL;
    return made(json_pack("[s,o]", kind, t), oom);
}

/*
 * SOURCE[*].EACH (hclsyntax's SplatExpr): over a list or set, a list of
 * EACH's type; over anything else (a counted resource's instances, a
 * tuple; one instance, upgraded to a one-element tuple) a tuple of
 * EACH's type per element of @value. EACH's type is known where it is the
 * element itself (a list attribute) or an attribute of a resource's
 * schema.
 */
static json_t *splat_type(const tern_engine *e, const struct tern_expr *x,
                          const json_t *value, int *oom)
{
    const struct tern_expr *each = unparen(x->u.splat.each), *item;
    const tern_module *m;
    const tern_attr *a;
    json_t *src, *t = NULL, *tuple;
    size_t i;

    if (each && each->kind == TERN_EXPR_SPLAT_ITEM) {
        src = expr_type(e, x->u.splat.source, NULL, oom);
        if (json_is_array(src) &&
            (strcmp(json_string_value(json_array_get(src, 0)), "list") == 0 ||
             strcmp(json_string_value(json_array_get(src, 0)), "set") == 0))
            t = made(json_pack("[s,O]", "list", json_array_get(src, 1)), oom);
        json_decref(src);
        return t;
    }
    item = each && each->kind == TERN_EXPR_GETATTR ? unparen(each->u.attr.obj)
                                                   : NULL;
    if (!item || item->kind != TERN_EXPR_SPLAT_ITEM || !json_is_array(value) ||
        (m = instance_module(e, x->u.splat.source)) == NULL)
        return NULL;
    for (a = m->schema; a && a->name && !t; a++)
        if (strcmp(a->name, each->u.attr.name) == 0 &&
            (t = tern__tfjson_schema_type(a, 1, oom)) == NULL)
            return NULL;
    if (t == NULL)
        return NULL;
    tuple = made(json_array(), oom);
    for (i = 0; tuple && i < json_array_size(value); i++)
        tern_json_append(oom, tuple, json_incref(t));
    json_decref(t);
    tuple = tern_json_done(*oom, tuple);
    return tuple ? made(json_pack("[s,o]", "tuple", tuple), oom) : NULL;
}

static int is_null_literal(const struct tern_expr *x)
{
    x = unparen(x);
    return x && x->kind == TERN_EXPR_LITERAL &&
           tern_value_is_null(x->u.literal);
}

/*
 * C ? A : B: HCL's ConditionalExpr unifies the two results' types (cty's
 * convert.UnifyUnsafe). Where one is the literal null, the other's type
 * (null converts to any); where both are declared and the same, that
 * type. Anything else (two tuples of different lengths unify to a list)
 * needs the type of the result not taken: tern infers from the value.
 */
static json_t *cond_type(const tern_engine *e, const struct tern_expr *x,
                         const json_t *value, int *oom)
{
    json_t *a, *b;

    if (is_null_literal(x->u.cond.then_))
        return expr_type(e, x->u.cond.else_, value, oom);
    if (is_null_literal(x->u.cond.else_))
        return expr_type(e, x->u.cond.then_, value, oom);
    a = expr_type(e, x->u.cond.then_, NULL, oom);
    b = a ? expr_type(e, x->u.cond.else_, NULL, oom) : NULL;
    if (b && json_equal(a, b)) {
        json_decref(b);
        return a;
    }
    json_decref(a);
    json_decref(b);
    return NULL;
}

/* @expr's type where the configuration declares it (@value, its value,
 * may be NULL: only declared types then); NULL where it does not. */
static json_t *expr_type(const tern_engine *e, const struct tern_expr *expr,
                         const json_t *value, int *oom)
{
    const struct tern_expr *x = unparen(expr);

    switch (x ? x->kind : TERN_EXPR_PAREN) {
    case TERN_EXPR_GETATTR:
        return reference_type(e, x, oom);
    case TERN_EXPR_CALL:
        return conversion_type(e, x, value, oom);
    case TERN_EXPR_SPLAT:
        return splat_type(e, x, value, oom);
    case TERN_EXPR_COND:
        return cond_type(e, x, value, oom);
    default:
        return NULL;
    }
}

json_t *tern__output_type(const tern_engine *e, const struct tern_expr *expr,
                          const json_t *value)
{
    int oom = 0;
    json_t *t = expr_type(e, expr, value, &oom);

    if (oom) {
        json_decref(t);
        return NULL;
    }
    return t ? t : tern__tfjson_type(value);
}
