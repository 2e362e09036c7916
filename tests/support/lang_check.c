/*
 * Table-driven expression checks shared by the language tests
 * (test_lang_eval.c, test_lang_func.c): evaluate a text in a fixed scope
 * and compare a one-line rendering of the value with the expected one.
 */
#include "lang_check.h"
#include "../unit/runner.h"

#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

/* One line per value: [a, b], {k = v}, set(...), (unknown), sensitive(..) */
static void compact(tern_buf *b, const tern_value *v)
{
    size_t i, n;
    const char *s;
    tern_value *copy;

    if (tern_value_is_sensitive(v)) {
        tern_buf_puts(b, "sensitive(");
        copy = tern_value_unmark_deep(tern_value_incref(v));
        compact(b, copy);
        tern_value_decref(copy);
        tern_buf_putc(b, ')');
        return;
    }
    switch (tern_value_kind(v)) {
    case TERN_VAL_NULL:
        tern_buf_puts(b, "null");
        break;
    case TERN_VAL_UNKNOWN:
        tern_buf_puts(b, "(unknown)");
        break;
    case TERN_VAL_BOOL:
        tern_buf_puts(b, tern_value_get_bool(v) ? "true" : "false");
        break;
    case TERN_VAL_NUMBER: {
        char *num = tern_value_number_string(v);

        tern_buf_puts(b, num);
        tern_free(num);
        break;
    }
    case TERN_VAL_STRING:
        tern_buf_putc(b, '"');
        for (s = tern_value_get_string(v); *s; s++) {
            if (*s == '"' || *s == '\\')
                tern_buf_putc(b, '\\');
            if (*s == '\n')
                tern_buf_puts(b, "\\n");
            else
                tern_buf_putc(b, *s);
        }
        tern_buf_putc(b, '"');
        break;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        tern_buf_puts(b, tern_value_kind(v) == TERN_VAL_SET ? "set(" : "[");
        n = tern_value_length(v);
        for (i = 0; i < n; i++) {
            if (i)
                tern_buf_puts(b, ", ");
            compact(b, tern_value_list_get(v, i));
        }
        tern_buf_puts(b, tern_value_kind(v) == TERN_VAL_SET ? ")" : "]");
        break;
    case TERN_VAL_OBJECT:
        tern_buf_putc(b, '{');
        n = tern_value_length(v);
        for (i = 0; i < n; i++) {
            tern_buf_printf(b, "%s%s = ", i ? ", " : "",
                            tern_value_object_key(v, i));
            compact(b, tern_value_object_value(v, i));
        }
        tern_buf_putc(b, '}');
        break;
    }
}

static const char vars_json[] =
    "{\"name\": \"app\", \"n\": 3, \"five\": \"5\", \"flag\": true,"
    " \"tags\": {\"env\": \"prod\", \"team\": \"core\"},"
    " \"list\": [\"a\", \"b\", \"c\"], \"nums\": [3, 1, 2],"
    " \"roles\": {\"admin\": {\"arn\": \"arn:aws:iam::1:role/admin\","
    "   \"policies\": [\"p1\", \"p2\"]},"
    "   \"dev\": {\"arn\": \"arn:aws:iam::1:role/dev\", \"policies\": "
    "[\"p3\"]}},"
    " \"users\": [{\"name\": \"u1\", \"groups\": [\"g1\"]},"
    "   {\"name\": \"u2\", \"groups\": [\"g2\", \"g3\"]}],"
    " \"nothing\": null, \"empty\": \"\"}";

static int resolve(void *ctx, const struct tern_lang_ref *ref, tern_value **out,
                   struct tern_diags *diags)
{
    tern_value *o;

    (void)ctx;
    (void)diags;
    if (strcmp(ref->kind, "resource") == 0 &&
        strcmp(ref->type, "aws_iam_role") == 0 && strcmp(ref->name, "x") == 0) {
        o = tern_value_object_new();
        tern_value_object_set(o, "name", tern_value_string("x"));
        tern_value_object_set(o, "arn", tern_value_unknown());
        *out = o;
        return TERN_OK;
    }
    if (strcmp(ref->kind, "data") == 0 &&
        strcmp(ref->type, "aws_caller_identity") == 0) {
        o = tern_value_object_new();
        tern_value_object_set(o, "account_id",
                              tern_value_string("123456789012"));
        *out = o;
        return TERN_OK;
    }
    if (strcmp(ref->kind, "module") == 0 && strcmp(ref->name, "m") == 0) {
        o = tern_value_object_new();
        tern_value_object_set(o, "out", tern_value_int(1));
        *out = o;
        return TERN_OK;
    }
    return TERN_ENOTFOUND;
}

/* Evaluate @text; "!Summary" for the first diagnostic. */
static char *eval_text(const char *text, const struct tern_lang_scope *extra)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tern_lang_scope scope;
    struct tern_expr *e = NULL;
    tern_value *vars, *locals, *v = NULL;
    json_t *j;
    tern_buf b = TERN_BUF_INIT;

    j = json_loads(vars_json, 0, NULL);
    ASSERT_NOT_NULL(j);
    vars = tern_value_from_json(j);
    json_decref(j);
    tern_value_object_set(vars, "unk", tern_value_unknown());
    tern_value_object_set(
        vars, "secret", tern_value_mark_sensitive(tern_value_string("s3cr3t")));
    locals = tern_value_object_new();
    tern_value_object_set(locals, "prefix", tern_value_string("tern"));
    if (extra)
        scope = *extra;
    else
        memset(&scope, 0, sizeof(scope));
    scope.vars = vars;
    scope.locals = locals;
    scope.resolve = resolve;
    scope.path_module = ".";
    if (tern_lang_parse_expr(&srcs, "expr.tf", text, strlen(text), &e,
                             &diags) == TERN_OK)
        tern_lang_eval(e, &scope, &v, &diags);
    if (diags.count)
        tern_buf_printf(&b, "!%s", diags.items[0].summary);
    else
        compact(&b, v);
    tern_value_decref(v);
    tern_value_decref(vars);
    tern_value_decref(locals);
    tern_diags_release(&diags);
    tern_lang_sources_free(&srcs);
    return tern_buf_detach(&b);
}

void tt_lang_run_cases(const struct ecase *cases, size_t n,
                       const struct tern_lang_scope *extra)
{
    size_t i;
    int failed = 0;

    for (i = 0; i < n; i++) {
        char *got = eval_text(cases[i].expr, extra);

        if (strcmp(got, cases[i].want) != 0) {
            fprintf(stderr, "# %s\n#   got:  %s\n#   want: %s\n", cases[i].expr,
                    got, cases[i].want);
            failed++;
        }
        tern_free(got);
    }
    if (failed)
        FAIL("%d of %zu expressions evaluated wrongly", failed, n);
}
