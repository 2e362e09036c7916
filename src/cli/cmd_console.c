/*
 * `tern console`: evaluate expressions against the configuration and the
 * state, as terraform console does (hashicorp/terraform
 * internal/command/console.go, internal/repl/session.go and format.go).
 *
 * The scope is the root module's: input variables (-var, -var-file,
 * tfvars, TF_VAR_, defaults; a variable without a value is unknown, as
 * console.go's AllowUnsetVariables makes it), local values (evaluated
 * when first referred to), managed resources and data sources from the
 * state (a list by index with count, an object by key with for_each, an
 * unknown value for a resource the state does not hold yet), path.*, and
 * every function. Sensitive attributes print as (sensitive value).
 *
 * On a terminal it prompts with "> " and prints each result; an error
 * prints its diagnostic and the console goes on; `exit` or end of input
 * ends it. With standard input not a terminal it reads line by line as
 * console.go's modePiped does: the first error is printed and ends the
 * run with status 1, `exit` ends it with 0, and otherwise the result of
 * the last line is printed at the end. Empty lines are skipped; `help`
 * prints a short help. The command never writes the state.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/lang.h"
#include "tern/value.h"
#include "util/alloc.h"

/* ---- The values, as repl.FormatValue prints them ------------------------ */

/* strconv.Quote: Go's escapes for what is not printable. */
static void quote(tern_buf *b, const char *s, size_t len)
{
    size_t i;

    tern_buf_putc(b, '"');
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '"':
            tern_buf_puts(b, "\\\"");
            break;
        case '\\':
            tern_buf_puts(b, "\\\\");
            break;
        case '\a':
            tern_buf_puts(b, "\\a");
            break;
        case '\b':
            tern_buf_puts(b, "\\b");
            break;
        case '\f':
            tern_buf_puts(b, "\\f");
            break;
        case '\n':
            tern_buf_puts(b, "\\n");
            break;
        case '\r':
            tern_buf_puts(b, "\\r");
            break;
        case '\t':
            tern_buf_puts(b, "\\t");
            break;
        case '\v':
            tern_buf_puts(b, "\\v");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                tern_buf_printf(b, "\\x%02x", c);
            else
                tern_buf_putc(b, (char)c);
        }
    }
    tern_buf_putc(b, '"');
}

/* formatMultilineString: a string of several lines as a heredoc. */
static int heredoc(tern_buf *b, const char *s, size_t len, int indent)
{
    char delim[64] = "EOT";
    size_t dlen = 3, i, start;
    int clash = 1;

    if (!memchr(s, '\n', len))
        return 0;
    while (clash && dlen + 1 < sizeof(delim)) {
        clash = 0;
        for (start = 0, i = 0; i <= len && !clash; i++) {
            if (i == len || s[i] == '\n') {
                size_t a = start, e = i;

                while (a < e && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
                    a++;
                while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t' ||
                                 s[e - 1] == '\r'))
                    e--;
                clash = e - a == dlen && memcmp(s + a, delim, dlen) == 0;
                start = i + 1;
            }
        }
        if (clash)
            delim[dlen++] = '_', delim[dlen] = '\0';
    }
    tern_buf_printf(b, "%s%s", indent > 0 ? "<<-" : "<<", delim);
    for (start = 0, i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            tern_buf_printf(b, "\n%*s", indent, "");
            tern_buf_put(b, s + start, i - start);
            start = i + 1;
        }
    }
    tern_buf_printf(b, "\n%*s%s", indent, "", delim);
    return 1;
}

static void format_value(tern_buf *b, const tern_value *v, int indent)
{
    size_t i, n;
    char *num;

    if (tern_value_is_unknown(v)) {
        tern_buf_puts(b, "(known after apply)");
        return;
    }
    if (tern_value_is_sensitive(v)) {
        tern_buf_puts(b, "(sensitive value)");
        return;
    }
    switch (tern_value_kind(v)) {
    case TERN_VAL_NULL:
        tern_buf_puts(b, "null");
        break;
    case TERN_VAL_BOOL:
        tern_buf_puts(b, tern_value_get_bool(v) ? "true" : "false");
        break;
    case TERN_VAL_NUMBER:
        num = tern_value_number_string(v);
        if (num)
            tern_buf_puts(b, num);
        else
            b->oom = 1;
        tern_free(num);
        break;
    case TERN_VAL_STRING:
        if (!heredoc(b, tern_value_get_string(v), tern_value_string_len(v),
                     indent))
            quote(b, tern_value_get_string(v), tern_value_string_len(v));
        break;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        n = tern_value_length(v);
        tern_buf_puts(b, tern_value_kind(v) == TERN_VAL_SET ? "toset([" : "[");
        for (i = 0; i < n; i++) {
            tern_buf_printf(b, "\n%*s", indent + 2, "");
            format_value(b, tern_value_list_get(v, i), indent + 2);
            tern_buf_putc(b, ',');
        }
        if (n)
            tern_buf_printf(b, "\n%*s", indent, "");
        tern_buf_puts(b, tern_value_kind(v) == TERN_VAL_SET ? "])" : "]");
        break;
    case TERN_VAL_OBJECT:
        n = tern_value_length(v);
        tern_buf_putc(b, '{');
        for (i = 0; i < n; i++) {
            const char *k = tern_value_object_key(v, i);

            tern_buf_printf(b, "\n%*s", indent + 2, "");
            quote(b, k, strlen(k));
            tern_buf_puts(b, " = ");
            format_value(b, tern_value_object_value(v, i), indent + 2);
        }
        if (n)
            tern_buf_printf(b, "\n%*s", indent, "");
        tern_buf_putc(b, '}');
        break;
    default:
        break;
    }
}

/* ---- The scope ----------------------------------------------------------- */

struct console {
    struct cli_ctx *ctx;
    struct tern_lang_config *cfg;
    tern_state_resource *list; /* the state's instances */
    size_t nlist;
    tern_value **locals;        /* per cfg->local_attrs, when evaluated */
    unsigned char *local_state; /* 0 todo, 1 evaluating, 2 done, 3 failed */
};

static int resolve(void *c, const struct tern_lang_ref *ref, tern_value **out,
                   struct tern_diags *diags);

static void scope_init(struct console *c, struct tern_lang_scope *s)
{
    memset(s, 0, sizeof(*s));
    s->vars = c->ctx->vars;
    s->resolve = resolve;
    s->ctx = c;
    s->path_module = ".";
    s->path_root = ".";
    s->path_cwd = ".";
    s->workspace = c->cfg->workspace;
    s->sources = &c->cfg->sources;
}

static int eval_local(struct console *c, size_t i, tern_value **out,
                      struct tern_diags *diags)
{
    const struct tern_attribute *a = c->cfg->local_attrs[i];
    struct tern_lang_scope s;
    int error;

    if (c->local_state[i] == 1) {
        tern_diags_add(diags, TERN_SEV_ERROR, &a->name_range,
                       "Cycle in local values", "local.%s refers to itself.",
                       a->name);
        return TERN_ERROR;
    }
    if (c->local_state[i] == 3)
        return TERN_ERROR;
    if (c->local_state[i] != 2) {
        c->local_state[i] = 1;
        scope_init(c, &s);
        error = tern_lang_eval(a->expr, &s, &c->locals[i], diags);
        c->local_state[i] = error ? 3 : 2;
        if (error)
            return error;
    }
    *out = tern_value_incref(c->locals[i]);
    return TERN_OK;
}

static const struct tern_block *find_block(const struct tern_blockvec *v,
                                           const char *type, const char *name)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        if (v->items[i]->nlabels == 2 &&
            strcmp(v->items[i]->labels[0], type) == 0 &&
            strcmp(v->items[i]->labels[1], name) == 0)
            return v->items[i];
    return NULL;
}

static int has_attr(const struct tern_block *b, const char *name)
{
    size_t i;

    for (i = 0; b->body && i < b->body->nattrs; i++)
        if (strcmp(b->body->attrs[i].name, name) == 0)
            return 1;
    return 0;
}

/* One instance's object: sensitive attributes (the schema's, and the
 * top-level paths the state records) marked. */
static tern_value *instance_value(const tern_state_resource *r,
                                  const tern_attr *schema)
{
    tern_value *v = NULL, *obj = NULL;
    size_t i;

    obj = r->attributes ? tern_value_from_json(r->attributes)
                        : tern_value_object_new();
    if (!obj || tern_value_kind(obj) != TERN_VAL_OBJECT)
        return obj;
    v = tern_value_object_new();
    for (i = 0; v && i < tern_value_length(obj); i++) {
        const char *k = tern_value_object_key(obj, i);
        const tern_attr *sa = schema ? tern_schema_attr(schema, k) : NULL;
        tern_value *x = tern_value_incref(tern_value_object_value(obj, i));
        int sensitive = sa && (sa->flags & TERN_ATTR_SENSITIVE);
        size_t p;

        for (p = 0; r->sensitive && p < json_array_size(r->sensitive); p++) {
            json_t *path = json_array_get(r->sensitive, p);
            json_t *step = json_array_get(path, 0);

            if (json_array_size(path) == 1 &&
                json_is_string(json_object_get(step, "value")) &&
                strcmp(json_string_value(json_object_get(step, "value")), k) ==
                    0)
                sensitive = 1;
        }
        if (x && sensitive && !tern_value_is_null(x))
            x = tern_value_mark_sensitive(x);
        if (!x || tern_value_object_set(v, k, x) != TERN_OK) {
            tern_value_decref(v);
            v = NULL;
        }
    }
    tern_value_decref(obj);
    return v;
}

static int is_instance_of(const tern_state_resource *r,
                          const struct tern_lang_ref *ref, int data)
{
    return !(r->module && *r->module) &&
           r->mode == (data ? TERN_STATE_DATA : TERN_STATE_MANAGED) &&
           strcmp(r->type, ref->type) == 0 && strcmp(r->name, ref->name) == 0;
}

static int resource_value(struct console *c, const struct tern_lang_ref *ref,
                          tern_value **out)
{
    int data = ref->kind[0] == 'd';
    const struct tern_block *b = find_block(
        data ? &c->cfg->data : &c->cfg->resources, ref->type, ref->name);
    const tern_module *m = tern_module_find(
        data ? TERN_MODULE_DATA : TERN_MODULE_RESOURCE, ref->type);
    const tern_attr *schema = m ? m->schema : NULL;
    tern_value *all = NULL, **by_index = NULL;
    long long max = -1, k;
    size_t i;
    int error = TERN_OK, count, for_each;

    *out = NULL;
    if (!b)
        return TERN_ENOTFOUND;
    count = has_attr(b, "count");
    for_each = has_attr(b, "for_each");
    if (!count && !for_each) {
        for (i = 0; i < c->nlist; i++)
            if (is_instance_of(&c->list[i], ref, data))
                break;
        /* In the configuration but not yet in the state: unknown, as
         * Terraform's evaluator has it. */
        *out = i < c->nlist ? instance_value(&c->list[i], schema)
                            : tern_value_unknown();
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    if (for_each) {
        all = tern_value_object_new();
        TERN_CHECK_ALLOC(all);
        for (i = 0; i < c->nlist; i++) {
            const tern_state_resource *r = &c->list[i];

            if (!is_instance_of(r, ref, data) ||
                r->key_kind != TERN_STATE_KEY_STRING)
                continue;
            if (tern_value_object_set(all, r->key_str,
                                      instance_value(r, schema)) != TERN_OK) {
                error = TERN_ENOMEM;
                goto done;
            }
        }
        *out = all;
        all = NULL;
        goto done;
    }
    /* count: a list by index (the state's order is by address, where [10]
     * comes before [2]). */
    for (i = 0; i < c->nlist; i++)
        if (is_instance_of(&c->list[i], ref, data) &&
            c->list[i].key_kind == TERN_STATE_KEY_INT &&
            c->list[i].key_int > max)
            max = c->list[i].key_int;
    by_index = tern_calloc((size_t)(max + 2), sizeof(*by_index));
    TERN_CHECK_ALLOC(by_index);
    for (i = 0; i < c->nlist; i++) {
        const tern_state_resource *r = &c->list[i];

        if (is_instance_of(r, ref, data) && r->key_kind == TERN_STATE_KEY_INT &&
            r->key_int >= 0 && !by_index[r->key_int]) {
            by_index[r->key_int] = instance_value(r, schema);
            TERN_CHECK_ALLOC(by_index[r->key_int]);
        }
    }
    all = tern_value_list_new();
    TERN_CHECK_ALLOC(all);
    for (k = 0; k <= max; k++) {
        tern_value *e = by_index[k] ? by_index[k] : tern_value_null();

        by_index[k] = NULL;
        if (tern_value_list_append(all, e) != TERN_OK) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    *out = all;
    all = NULL;
done:
    for (k = 0; by_index && k <= max; k++)
        tern_value_decref(by_index[k]);
    tern_free(by_index);
    tern_value_decref(all);
    return error;
}

static int resolve(void *ctx, const struct tern_lang_ref *ref, tern_value **out,
                   struct tern_diags *diags)
{
    struct console *c = ctx;
    size_t i;

    if (strcmp(ref->kind, "local") == 0) {
        for (i = 0; i < c->cfg->nlocal_attrs; i++)
            if (strcmp(c->cfg->local_attrs[i]->name, ref->name) == 0)
                return eval_local(c, i, out, diags);
        return TERN_ENOTFOUND;
    }
    if (strcmp(ref->kind, "resource") == 0 || strcmp(ref->kind, "data") == 0)
        return resource_value(c, ref, out);
    return TERN_ENOTFOUND;
}

/* ---- The loop ---------------------------------------------------------- */

static const char help_text[] =
    "The tern console allows you to experiment with expressions.\n"
    "You may access resources in the state (if you have one) just as you "
    "would\n"
    "from a configuration. For example: \"aws_iam_role.r.arn\" would "
    "evaluate\n"
    "to the ARN of \"aws_iam_role.r\" if it exists in your state.\n"
    "\n"
    "Type in the expression to test and hit <enter> to see the result.\n"
    "\n"
    "To exit the console, type \"exit\" and hit <enter>, or use Control-C or\n"
    "Control-D.";

/* session.Handle: *exit set by `exit`; the result in @res. */
static int handle(struct console *c, const char *line, tern_buf *res,
                  struct tern_diags *diags, int *exit_)
{
    struct tern_lang_scope s;
    struct tern_expr *expr = NULL;
    tern_value *v = NULL;
    int error;

    tern_buf_clear(res);
    *exit_ = 0;
    if (*line == '\0')
        return TERN_OK;
    if (strcmp(line, "exit") == 0) {
        *exit_ = 1;
        return TERN_OK;
    }
    if (strcmp(line, "help") == 0) {
        tern_buf_puts(res, help_text);
        return TERN_OK;
    }
    error = tern_lang_parse_expr(&c->cfg->sources, "<console-input>", line,
                                 strlen(line), &expr, diags);
    if (error)
        return error;
    scope_init(c, &s);
    error = tern_lang_eval(expr, &s, &v, diags);
    if (error == TERN_OK)
        format_value(res, v, 0);
    tern_value_decref(v);
    if (error == TERN_OK && tern_buf_oom(res))
        error = TERN_ENOMEM;
    return error;
}

/* A line of input without its newline and surrounding spaces; NULL at
 * the end of input. */
static char *read_line(FILE *in)
{
    tern_buf b = TERN_BUF_INIT;
    int ch;
    char *s;
    size_t a = 0, e;

    while ((ch = fgetc(in)) != EOF && ch != '\n')
        tern_buf_putc(&b, (char)ch);
    if (ch == EOF && b.len == 0) {
        tern_buf_release(&b);
        return NULL;
    }
    s = tern_buf_detach(&b);
    if (!s)
        return tern_strdup("");
    e = strlen(s);
    while (a < e && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
        a++;
    while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
        e--;
    memmove(s, s + a, e - a);
    s[e - a] = '\0';
    return s;
}

static void copy_diag(struct tern_diags *to, const struct tern_diag *d)
{
    const struct tern_range *r = d->has_range ? &d->range : NULL;

    if (d->detail)
        tern_diags_add(to, d->severity, r, d->summary, "%s", d->detail);
    else
        tern_diags_add(to, d->severity, r, d->summary, NULL);
}

/* Diagnostics of a line: errors only, as console.go shows them. */
static void show_errors(struct console *c, struct tern_diags *diags)
{
    struct tern_diags errors = TERN_DIAGS_INIT;
    size_t i;

    for (i = 0; i < diags->count; i++) {
        const struct tern_diag *d = &diags->items[i];

        if (d->severity != TERN_SEV_ERROR)
            continue;
        copy_diag(&errors, d);
    }
    cli_ui_diags(&c->ctx->ui, &errors, &c->cfg->sources);
    tern_diags_release(&errors);
}

int cli_check_console(struct cli_ctx *ctx)
{
    struct tern_diags all = TERN_DIAGS_INIT, mine = ctx->diags;
    const struct tern_lang_config *cfg;
    tern_value *vars = NULL;
    size_t i;
    int error;

    if (!ctx->config) {
        ctx->config = tern_lang_config_new(".");
        if (!ctx->config)
            return TERN_ENOMEM;
    }
    cfg = ctx->config;
    /* A variable without a value is unknown here (console.go sets
     * AllowUnsetVariables), not an error. */
    memset(&ctx->diags, 0, sizeof(ctx->diags));
    error = cli_eval_variables(ctx, &vars);
    all = ctx->diags;
    ctx->diags = mine;
    for (i = 0; i < all.count; i++) {
        const struct tern_diag *d = &all.items[i];

        if (strcmp(d->summary, "No value for required variable") == 0)
            continue;
        copy_diag(&ctx->diags, d);
    }
    tern_diags_release(&all);
    if (error == TERN_ENOMEM || ctx->diags.errors) {
        tern_value_decref(vars);
        return error ? error : TERN_EINVALID;
    }
    if (!vars)
        vars = tern_value_object_new();
    for (i = 0; vars && i < cfg->variables.n; i++) {
        const struct tern_block *b = cfg->variables.items[i];

        if (b->nlabels == 1 && !tern_value_object_get(vars, b->labels[0]) &&
            tern_value_object_set(vars, b->labels[0], tern_value_unknown()) !=
                TERN_OK) {
            tern_value_decref(vars);
            vars = NULL;
        }
    }
    ctx->vars = vars;
    return vars ? TERN_OK : TERN_ENOMEM;
}

int cli_cmd_console(struct cli_ctx *ctx)
{
    struct console c;
    tern_buf res = TERN_BUF_INIT, last = TERN_BUF_INIT;
    int interactive = isatty(STDIN_FILENO), error = TERN_OK, quit = 0;
    char *line = NULL;
    size_t i;

    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.cfg = ctx->config;
    if (ctx->state &&
        (error = tern_state_list(ctx->state, &c.list, &c.nlist, &ctx->diags)))
        return error;
    c.locals = tern_calloc(c.cfg->nlocal_attrs + 1, sizeof(*c.locals));
    c.local_state = tern_calloc(c.cfg->nlocal_attrs + 1, 1);
    TERN_CHECK_ALLOC(c.locals);
    TERN_CHECK_ALLOC(c.local_state);
    for (;;) {
        struct tern_diags diags = TERN_DIAGS_INIT;
        int rc;

        if (interactive) {
            fputs("> ", stdout);
            fflush(stdout);
        }
        line = read_line(stdin);
        if (!line)
            break;
        rc = handle(&c, line, &res, &diags, &quit);
        tern_free(line);
        line = NULL;
        if (rc == TERN_ENOMEM) {
            tern_diags_release(&diags);
            error = rc;
            goto done;
        }
        if (diags.errors) {
            show_errors(&c, &diags);
            tern_diags_release(&diags);
            if (!interactive) {
                /* modePiped: the first error ends the run. */
                error = TERN_ERROR;
                goto done;
            }
            continue;
        }
        tern_diags_release(&diags);
        if (quit)
            goto done;
        if (interactive) {
            fwrite(res.ptr ? res.ptr : "", 1, res.len, stdout);
            fputc('\n', stdout);
            fflush(stdout);
        } else {
            tern_buf_clear(&last);
            tern_buf_put(&last, res.ptr ? res.ptr : "", res.len);
        }
    }
    if (!interactive) {
        fwrite(last.ptr ? last.ptr : "", 1, last.len, stdout);
        fputc('\n', stdout);
    }
done:
    if (c.locals)
        for (i = 0; i < c.cfg->nlocal_attrs; i++)
            tern_value_decref(c.locals[i]);
    tern_free(c.locals);
    tern_free(c.local_state);
    tern_state_resources_free(c.list, c.nlist);
    tern_buf_release(&res);
    tern_buf_release(&last);
    return error;
}
