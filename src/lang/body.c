/*
 * A block body as a value: what the planner diffs against the state.
 * Attributes become object attributes; nested blocks become lists of
 * objects under their type name (the module's schema later decides list,
 * set or single); dynamic blocks generate their blocks here.
 */
#include "lang/lang_int.h"
#include "util/alloc.h"

#include <string.h>

static int is_meta_attr(const char *name)
{
    return strcmp(name, "count") == 0 || strcmp(name, "for_each") == 0 ||
           strcmp(name, "depends_on") == 0 || strcmp(name, "provider") == 0;
}

static int is_meta_block(const char *type)
{
    return strcmp(type, "lifecycle") == 0 || strcmp(type, "provisioner") == 0 ||
           strcmp(type, "connection") == 0;
}

/* Append @item to the list at @key of @obj, creating it. Steals @item. */
static int append_block(tern_value *obj, const char *key, tern_value *item)
{
    tern_value *list = tern_value_object_get(obj, key);

    if (!item)
        return TERN_ENOMEM;
    if (list && tern_value_is_unknown(list)) {
        /* A dynamic block of unknown count made the whole list unknown. */
        tern_value_decref(item);
        return TERN_OK;
    }
    if (!list || tern_value_kind(list) != TERN_VAL_LIST) {
        list = tern_value_list_new();
        if (!list) {
            tern_value_decref(item);
            return TERN_ENOMEM;
        }
        if (tern_value_object_set(obj, key, list)) {
            tern_value_decref(item);
            return TERN_ENOMEM;
        }
    }
    return tern_value_list_append(list, item);
}

static int body_eval(const struct tern_body *b,
                     const struct tern_lang_scope *scope, int resource,
                     tern_value *obj, struct tern_diags *d);

/* The name a dynamic block's iterator goes by. */
static const char *iterator_name(const struct tern_block *dyn,
                                 struct tern_diags *d)
{
    const struct tern_attribute *it =
        tern_lang_body_attr(dyn->body, "iterator");

    if (!it)
        return dyn->labels[0];
    if (it->expr->kind == TERN_EXPR_VAR)
        return it->expr->u.var.name;
    /* The JSON syntax writes it as a string. */
    if (it->expr->kind == TERN_EXPR_LITERAL &&
        tern_value_kind(it->expr->u.literal) == TERN_VAL_STRING)
        return tern_value_get_string(it->expr->u.literal);
    tern_diags_add(d, TERN_SEV_ERROR, &it->expr->range,
                   "Invalid dynamic iterator name",
                   "Dynamic iterator must be a single variable name.");
    return NULL;
}

static int dynamic_block(const struct tern_block *dyn,
                         const struct tern_lang_scope *scope, tern_value *obj,
                         struct tern_diags *d)
{
    const struct tern_attribute *fe;
    const struct tern_block *content = NULL;
    struct tern_lang_scope inner;
    tern_value *coll = NULL, *iters = NULL, *it = NULL;
    const char *type, *name;
    size_t i, j, n;
    int error = TERN_OK, err;

    if (dyn->nlabels != 1) {
        tern_diags_add(d, TERN_SEV_ERROR, &dyn->def_range,
                       "Invalid dynamic block",
                       "A dynamic block has one label: the type of the "
                       "blocks it generates.");
        return TERN_ERROR;
    }
    type = dyn->labels[0];
    fe = tern_lang_body_attr(dyn->body, "for_each");
    for (i = 0; i < dyn->body->nblocks; i++)
        if (strcmp(dyn->body->blocks[i]->type, "content") == 0)
            content = dyn->body->blocks[i];
    if (!fe || !content) {
        tern_diags_add(d, TERN_SEV_ERROR, &dyn->def_range,
                       !fe ? "Missing required argument"
                           : "Missing required block",
                       !fe ? "The argument \"for_each\" is required, but no "
                             "definition was found."
                           : "A \"content\" block is required.");
        return TERN_ERROR;
    }
    name = iterator_name(dyn, d);
    if (!name)
        return TERN_ERROR;
    error = tern_lang_eval(fe->expr, scope, &coll, d);
    if (error)
        return error;
    switch (tern_value_kind(coll)) {
    case TERN_VAL_UNKNOWN:
        /* How many blocks is known after apply. */
        error = tern_value_object_set(obj, type, tern_value_unknown());
        goto done;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
    case TERN_VAL_OBJECT:
        break;
    default:
        tern_diags_add(d, TERN_SEV_ERROR, &fe->expr->range,
                       "Invalid dynamic for_each value",
                       "Cannot use a %s value in for_each. An iterable "
                       "collection is required.",
                       tern_value_kind_name(tern_value_kind(coll)));
        error = TERN_ERROR;
        goto done;
    }
    n = tern_value_length(coll);
    for (i = 0; i < n; i++) {
        tern_value *item = NULL, *key, *val;

        if (tern_value_kind(coll) == TERN_VAL_OBJECT) {
            key = tern_value_string(tern_value_object_key(coll, i));
            val = tern_value_object_value(coll, i);
        } else if (tern_value_kind(coll) == TERN_VAL_SET) {
            val = tern_value_list_get(coll, i);
            key = tern_value_incref(val);
        } else {
            key = tern_value_int((int64_t)i);
            val = tern_value_list_get(coll, i);
        }
        /* The iterator and the outer iterators, for nested dynamics. */
        it = tern_value_object_new();
        if (!it) {
            tern_value_decref(key);
            error = TERN_ENOMEM;
            goto done;
        }
        iters = tern_value_object_new();
        if (tern_value_object_set(it, "key", key) ||
            tern_value_object_set(it, "value", tern_value_incref(val)) ||
            !iters) {
            error = TERN_ENOMEM;
            goto done;
        }
        for (j = 0; scope->iterators && j < tern_value_length(scope->iterators);
             j++)
            if (tern_value_object_set(
                    iters, tern_value_object_key(scope->iterators, j),
                    tern_value_incref(
                        tern_value_object_value(scope->iterators, j)))) {
                error = TERN_ENOMEM;
                goto done;
            }
        if (tern_value_object_set(iters, name, it)) {
            it = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        it = NULL;
        inner = *scope;
        inner.iterators = iters;
        item = tern_value_object_new();
        if (!item) {
            error = TERN_ENOMEM;
            goto done;
        }
        err = body_eval(content->body, &inner, 0, item, d);
        tern_value_decref(iters);
        iters = NULL;
        if (err == TERN_ENOMEM) {
            tern_value_decref(item);
            error = err;
            goto done;
        }
        if (err)
            error = TERN_ERROR;
        if (append_block(obj, type, item)) {
            error = TERN_ENOMEM;
            goto done;
        }
    }

done:
    tern_value_decref(it);
    tern_value_decref(iters);
    tern_value_decref(coll);
    return error;
}

static int body_eval(const struct tern_body *b,
                     const struct tern_lang_scope *scope, int resource,
                     tern_value *obj, struct tern_diags *d)
{
    size_t i;
    int error = TERN_OK, err;

    for (i = 0; i < b->nattrs; i++) {
        tern_value *v = NULL;

        if (resource && is_meta_attr(b->attrs[i].name))
            continue;
        err = tern_lang_eval(b->attrs[i].expr, scope, &v, d);
        if (err == TERN_ENOMEM)
            return err;
        if (err) {
            error = TERN_ERROR;
            continue;
        }
        if (tern_value_object_set(obj, b->attrs[i].name, v))
            return TERN_ENOMEM;
    }
    for (i = 0; i < b->nblocks; i++) {
        const struct tern_block *blk = b->blocks[i];
        tern_value *item;

        if (resource && is_meta_block(blk->type))
            continue;
        if (strcmp(blk->type, "dynamic") == 0) {
            err = dynamic_block(blk, scope, obj, d);
        } else {
            item = tern_value_object_new();
            if (!item)
                return TERN_ENOMEM;
            err = body_eval(blk->body, scope, 0, item, d);
            if (err == TERN_ENOMEM) {
                tern_value_decref(item);
                return err;
            }
            if (append_block(obj, blk->type, item))
                return TERN_ENOMEM;
        }
        if (err == TERN_ENOMEM)
            return err;
        if (err)
            error = TERN_ERROR;
    }
    return error;
}

int tern_lang_body_eval(const struct tern_body *body,
                        const struct tern_lang_scope *scope, int resource,
                        tern_value **out, struct tern_diags *diags)
{
    static const struct tern_lang_scope empty;
    tern_value *obj = tern_value_object_new();
    int error;

    *out = NULL;
    if (!obj)
        return TERN_ENOMEM;
    error = body_eval(body, scope ? scope : &empty, resource, obj, diags);
    if (error == TERN_ENOMEM) {
        tern_value_decref(obj);
        return error;
    }
    *out = obj;
    return error;
}
