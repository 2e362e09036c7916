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
 * empty or null), or an input variable with a type constraint. Otherwise
 * (an expression that builds its value, a module's output, an `any`
 * part) the type is inferred from the value (tern__tfjson_type): a
 * literal list is a tuple, a literal object an object, as in Terraform.
 * The schema's types are built here for `providers schema -json` too
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

json_t *tern__output_type(const tern_engine *e, const struct tern_expr *expr,
                          const json_t *value)
{
    const struct tern_expr *x = unparen(expr), *obj;
    const tern_module *m;
    const tern_attr *a;
    json_t *t = NULL;
    int oom = 0;

    if (x && x->kind == TERN_EXPR_GETATTR) {
        obj = unparen(x->u.attr.obj);
        if (obj && obj->kind == TERN_EXPR_VAR &&
            strcmp(obj->u.var.name, "var") == 0)
            t = variable_type(e, x->u.attr.name, &oom);
        else if ((m = instance_module(e, obj)) != NULL)
            for (a = m->schema; a && a->name; a++)
                if (strcmp(a->name, x->u.attr.name) == 0) {
                    t = tern__tfjson_schema_type(a, 1, &oom);
                    break;
                }
    }
    if (oom) {
        json_decref(t);
        return NULL;
    }
    return t ? t : tern__tfjson_type(value);
}
