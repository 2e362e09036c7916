/*
 * Collection functions added with Terraform's later releases: chunklist,
 * matchkeys, setproduct, transpose (the older ones are in functions.c).
 */
#include "lang/functions_int.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

FN(chunklist)
{
    tern_value *list = NULL, *chunk = NULL;
    int64_t size;
    size_t i, len;
    int error;

    (void)n;
    if ((error = tern__arg_list(c, args, 0)))
        return error;
    if ((error = tern__arg_int(c, args, 1, &size)))
        return error;
    if (size < 0) {
        tern__farg_error(c, c->nargs_ranges,
                         "the size argument must be positive.");
        return TERN_ERROR;
    }
    list = tern_value_list_new();
    if (!list)
        return TERN_ENOMEM;
    len = tern_value_length(args[0]);
    if (size == 0 && len > 0) {
        /* A size of 0 gives the whole list as one chunk. */
        if (tern_value_list_append(list, tern_value_incref(args[0]))) {
            tern_value_decref(list);
            return TERN_ENOMEM;
        }
        return tern__fret(out, list);
    }
    for (i = 0; i < len; i++) {
        if (!chunk && !(chunk = tern_value_list_new()))
            goto oom;
        if (tern_value_list_append(
                chunk, tern_value_incref(tern_value_list_get(args[0], i))))
            goto oom;
        if ((int64_t)tern_value_length(chunk) == size || i + 1 == len) {
            if (tern_value_list_append(list, chunk)) {
                chunk = NULL;
                goto oom;
            }
            chunk = NULL;
        }
    }
    return tern__fret(out, list);

oom:
    tern_value_decref(chunk);
    tern_value_decref(list);
    return TERN_ENOMEM;
}

FN(matchkeys)
{
    tern_value *both = NULL, *uni = NULL, *list = NULL;
    size_t nk, ns, i, j;
    int error;

    (void)n;
    for (i = 0; i < 3; i++)
        if ((error = tern__arg_list(c, args, i)))
            return error;
    nk = tern_value_length(args[1]);
    ns = tern_value_length(args[2]);
    if (tern_value_length(args[0]) != nk) {
        tern__farg_error(c, c->nargs_ranges,
                         "length of keys and values should be equal.");
        return TERN_ERROR;
    }
    /* Keys and search set are compared as one type (numbers and strings
     * mixed compare as strings). */
    both = tern_value_list_new();
    for (i = 0; both && i < nk + ns; i++)
        if (tern_value_list_append(
                both, tern_value_incref(
                          i < nk ? tern_value_list_get(args[1], i)
                                 : tern_value_list_get(args[2], i - nk)))) {
            tern_value_decref(both);
            return TERN_ENOMEM;
        }
    if (!both)
        return TERN_ENOMEM;
    {
        unsigned kinds = 0, prim = 1u << TERN_VAL_BOOL | 1u << TERN_VAL_NUMBER |
                                   1u << TERN_VAL_STRING;

        for (i = 0; i < nk + ns; i++) {
            const tern_value *e = tern_value_list_get(both, i);

            if (!tern_value_is_null(e) && !tern_value_is_unknown(e))
                kinds |= 1u << tern_value_kind(e);
        }
        if ((kinds & prim) && (kinds & ~prim)) {
            tern_value_decref(both);
            tern__farg_error(c, c->nargs_ranges,
                             "keys and searchset must be of the same type.");
            return TERN_ERROR;
        }
    }
    error = tern__unify(c, both, 0, &uni);
    tern_value_decref(both);
    if (error)
        return error;
    list = tern_value_list_new();
    for (i = 0; list && i < nk; i++)
        for (j = nk; j < nk + ns; j++)
            if (tern_value_equal(tern_value_list_get(uni, i),
                                 tern_value_list_get(uni, j))) {
                if (tern_value_list_append(
                        list,
                        tern_value_incref(tern_value_list_get(args[0], i))))
                    error = TERN_ENOMEM;
                break;
            }
    tern_value_decref(uni);
    if (error || !list) {
        tern_value_decref(list);
        return TERN_ENOMEM;
    }
    return tern__fret(out, list);
}

FN(setproduct)
{
    tern_value **sets, *result = NULL;
    size_t *idx, i, total = 1;
    int all_lists = 1, error = TERN_OK;

    if (n < 2) {
        tern__farg_error(c, c->nargs_ranges,
                         "at least two arguments are required.");
        return TERN_ERROR;
    }
    sets = tern_calloc(n, sizeof(*sets));
    idx = tern_calloc(n, sizeof(*idx));
    if (!sets || !idx) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (i = 0; i < n; i++) {
        if ((error = tern__arg_list(c, args, i)) ||
            (error = tern__unify(c, args[i], 0, &sets[i])))
            goto done;
        if (tern_value_kind(args[i]) == TERN_VAL_SET)
            all_lists = 0;
        if (tern_value_length(sets[i]) == 0)
            total = 0;
        else if (total > SIZE_MAX / tern_value_length(sets[i]) ||
                 (total *= tern_value_length(sets[i])) > 1000000) {
            tern__farg_error(c, c->nargs_ranges,
                             "the product has more than 1000000 elements.");
            error = TERN_ERROR;
            goto done;
        }
    }
    result = tern_value_list_new();
    while (result && total > 0) {
        tern_value *row = tern_value_list_new();
        size_t k;

        for (i = 0; row && i < n; i++)
            if (tern_value_list_append(
                    row,
                    tern_value_incref(tern_value_list_get(sets[i], idx[i])))) {
                tern_value_decref(row);
                row = NULL;
            }
        if (!row || tern_value_list_append(result, row)) {
            error = TERN_ENOMEM;
            goto done;
        }
        /* The next combination, the last argument varying fastest. */
        for (k = n; k > 0; k--) {
            if (++idx[k - 1] < tern_value_length(sets[k - 1]))
                break;
            idx[k - 1] = 0;
        }
        if (k == 0)
            break;
    }
    if (!result) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = all_lists ? result : tern_value_set_finish(result);
    result = NULL;
    if (!*out)
        error = TERN_ENOMEM;

done:
    for (i = 0; sets && i < n; i++)
        tern_value_decref(sets[i]);
    tern_free(sets);
    tern_free(idx);
    tern_value_decref(result);
    return error;
}

static int cmp_values(const void *a, const void *b)
{
    return tern_value_compare(*(tern_value *const *)a, *(tern_value *const *)b);
}

FN(transpose)
{
    tern_value *obj = NULL, *res = NULL;
    size_t i, j;
    int error = TERN_OK;

    (void)n;
    if ((error = tern__arg_object(c, args, 0)))
        return error;
    obj = tern_value_object_new();
    if (!obj)
        return TERN_ENOMEM;
    /* Build each output key's list, then sort it (Terraform sorts). */
    for (i = 0; i < tern_value_length(args[0]); i++) {
        const tern_value *vals = tern_value_object_value(args[0], i);

        if (!tern__is_seq(vals)) {
            error = TERN_ERROR;
            goto bad;
        }
        for (j = 0; j < tern_value_length(vals); j++) {
            const tern_value *v = tern_value_list_get(vals, j);
            tern_value *s, *cur, *copy;
            size_t k;

            if (tern_value_is_null(v) || !(s = tern__convert_string(v))) {
                error = TERN_ERROR;
                goto bad;
            }
            cur = tern_value_object_get(obj, tern_value_get_string(s));
            copy = tern_value_list_new();
            for (k = 0; copy && cur && k < tern_value_length(cur); k++)
                if (tern_value_list_append(
                        copy, tern_value_incref(tern_value_list_get(cur, k)))) {
                    tern_value_decref(copy);
                    copy = NULL;
                }
            if (copy && tern_value_list_append(
                            copy, tern_value_string(
                                      tern_value_object_key(args[0], i)))) {
                tern_value_decref(copy);
                copy = NULL;
            }
            /* object_set takes copy, also when it fails. */
            if (!copy ||
                tern_value_object_set(obj, tern_value_get_string(s), copy)) {
                tern_value_decref(s);
                error = TERN_ENOMEM;
                goto done;
            }
            tern_value_decref(s);
        }
    }
    res = tern_value_object_new();
    for (i = 0; res && i < tern_value_length(obj); i++) {
        const tern_value *l = tern_value_object_value(obj, i);
        size_t len = tern_value_length(l);
        tern_value **items = tern_calloc(len + 1, sizeof(*items)), *sorted;

        if (!items) {
            error = TERN_ENOMEM;
            goto done;
        }
        for (j = 0; j < len; j++)
            items[j] = tern_value_list_get(l, j);
        qsort(items, len, sizeof(*items), cmp_values);
        sorted = tern_value_list_new();
        for (j = 0; sorted && j < len; j++)
            if (tern_value_list_append(sorted, tern_value_incref(items[j]))) {
                tern_value_decref(sorted);
                sorted = NULL;
            }
        tern_free(items);
        if (!sorted ||
            tern_value_object_set(res, tern_value_object_key(obj, i), sorted)) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (!res) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = res;
    res = NULL;
    goto done;

bad:
    tern__farg_error(c, c->nargs_ranges,
                     "input must be map of lists of strings.");

done:
    tern_value_decref(res);
    tern_value_decref(obj);
    return error;
}
