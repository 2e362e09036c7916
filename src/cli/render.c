/*
 * Values and resource instances rendered as Terraform shows them in
 * `terraform state show` and `terraform output`: attributes sorted by name
 * with their `=` aligned, null attributes left out, lists and maps over
 * several lines with trailing commas in lists, and strings that hold a
 * JSON object or array (IAM policy documents) shown as `jsonencode(...)`
 * of the decoded value, so a reader sees the policy, not an escaped blob.
 * A sensitive value is hidden where it is, not the attribute around it:
 * an element of a map, list or object prints as (sensitive value) among
 * the others in clear, and a sensitive nested block as upstream's
 * sensitive block (hashicorp/terraform internal/command/jsonformat,
 * state.go with differ/ and computed/renderers/ sensitive.go,
 * sensitive_block.go, block.go). Everything here writes into a tern_buf;
 * nothing prints.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tfjson.h"
#include "util/alloc.h"
#include "util/json.h"

struct rctx {
    tern_buf *out;
    int unit; /* spaces per nesting level: 4 in state show, 2 in output */
};

/* @mask: Terraform's sensitive_values of @v (jsonstate.SensitiveAsBool):
 * true where sensitive, an object or array of the members' masks, or NULL
 * (false) where nothing below is. */
static void render(struct rctx *r, const json_t *v, const json_t *mask,
                   int indent, int quoted, int in_json);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted (a new array of borrowed strings). */
static const char **sorted_keys(const json_t *o, size_t *n)
{
    const char **keys;
    const char *k;
    json_t *v;
    size_t i = 0;

    *n = json_object_size(o);
    keys = tern_calloc(*n ? *n : 1, sizeof(*keys));
    if (!keys)
        return NULL;
    json_object_foreach((json_t *)o, k, v)
    {
        (void)v;
        keys[i++] = k;
    }
    if (*n > 1)
        qsort(keys, *n, sizeof(*keys), cmp_str);
    return keys;
}

/* A string that holds a JSON object or array: decoded, else NULL (*@oom
 * set when memory, not the text, was why). */
static json_t *json_in_string(const char *s, int *oom)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s != '{' && *s != '[')
        return NULL;
    return tern_json_loads(s, 0, oom);
}

static void put_number(tern_buf *out, const json_t *v)
{
    double d;

    if (json_is_integer(v)) {
        tern_buf_printf(out, "%lld", (long long)json_integer_value(v));
        return;
    }
    d = json_real_value(v);
    if (d == (double)(long long)d && d < 9.007199254740992e15 &&
        d > -9.007199254740992e15)
        tern_buf_printf(out, "%lld", (long long)d);
    else
        tern_buf_printf(out, "%.17g", d);
}

static void render_object(struct rctx *r, const json_t *v, const json_t *mask,
                          int indent, int quoted, int in_json)
{
    const char **keys;
    size_t n, i, width = 0;

    if (json_object_size(v) == 0) {
        tern_buf_puts(r->out, "{}");
        return;
    }
    keys = sorted_keys(v, &n);
    if (!keys) {
        r->out->oom = 1;
        return;
    }
    for (i = 0; i < n; i++)
        if (cli_hcl_key_width(keys[i], quoted) > width)
            width = cli_hcl_key_width(keys[i], quoted);
    tern_buf_puts(r->out, "{\n");
    for (i = 0; i < n; i++) {
        cli_hcl_indent(r->out, indent + r->unit);
        cli_hcl_key(r->out, keys[i], quoted, width);
        tern_buf_puts(r->out, " = ");
        render(r, json_object_get(v, keys[i]), json_object_get(mask, keys[i]),
               indent + r->unit, quoted, in_json);
        tern_buf_putc(r->out, '\n');
    }
    cli_hcl_indent(r->out, indent);
    tern_buf_putc(r->out, '}');
    tern_free(keys);
}

static void render(struct rctx *r, const json_t *v, const json_t *mask,
                   int indent, int quoted, int in_json)
{
    json_t *inner;
    size_t i;

    if (json_is_true(mask)) {
        tern_buf_puts(r->out, "(sensitive value)");
        return;
    }
    switch (json_typeof(v)) {
    case JSON_NULL:
        tern_buf_puts(r->out, "null");
        break;
    case JSON_TRUE:
        tern_buf_puts(r->out, "true");
        break;
    case JSON_FALSE:
        tern_buf_puts(r->out, "false");
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        put_number(r->out, v);
        break;
    case JSON_STRING:
        /* Out of memory, the rendering is short: the buffer says so. */
        inner =
            in_json ? NULL : json_in_string(json_string_value(v), &r->out->oom);
        if (inner) {
            tern_buf_puts(r->out, "jsonencode(\n");
            cli_hcl_indent(r->out, indent + r->unit);
            /* Inside jsonencode, keys are object attributes: bare. */
            render(r, inner, NULL, indent + r->unit, 0, 1);
            tern_buf_putc(r->out, '\n');
            cli_hcl_indent(r->out, indent);
            tern_buf_putc(r->out, ')');
            json_decref(inner);
        } else {
            cli_hcl_string(r->out, json_string_value(v), json_string_length(v));
        }
        break;
    case JSON_ARRAY:
        if (json_array_size(v) == 0) {
            tern_buf_puts(r->out, "[]");
            break;
        }
        tern_buf_puts(r->out, "[\n");
        for (i = 0; i < json_array_size(v); i++) {
            cli_hcl_indent(r->out, indent + r->unit);
            render(r, json_array_get(v, i), json_array_get(mask, i),
                   indent + r->unit, quoted, in_json);
            tern_buf_puts(r->out, ",\n");
        }
        cli_hcl_indent(r->out, indent);
        tern_buf_putc(r->out, ']');
        break;
    case JSON_OBJECT:
        render_object(r, v, mask, indent, quoted, in_json);
        break;
    }
}

void cli_render_json_value(tern_buf *out, const json_t *v, int indent,
                           int map_keys_quoted)
{
    struct rctx r = {out, 4};

    render(&r, v, NULL, indent, map_keys_quoted, 0);
}

static int is_block(const tern_attr *a)
{
    return a &&
           (a->type == TERN_TYPE_BLOCK_LIST || a->type == TERN_TYPE_BLOCK_SET);
}

/* A nested block whose contents are sensitive, as upstream's sensitive
 * block renderer writes it with the diff symbols hidden (state show):
 * the comment and the closing brace at the block's own indentation. */
static void sensitive_block(struct rctx *r, int indent)
{
    tern_buf_puts(r->out, "{\n");
    cli_hcl_indent(r->out, indent);
    tern_buf_puts(r->out, "  # At least one attribute in this block is (or "
                          "was) sensitive,\n");
    cli_hcl_indent(r->out, indent);
    tern_buf_puts(r->out, "  # so its contents will not be displayed.\n");
    cli_hcl_indent(r->out, indent);
    tern_buf_putc(r->out, '}');
}

static void render_body(struct rctx *r, const json_t *attrs,
                        const tern_attr *schema, const json_t *mask,
                        int indent);

/* The blocks of type @key (@a) in @v, with their mask @m (true: every
 * block of the type is sensitive). Upstream writes one blank line before
 * a type's blocks when attributes came before (renderers/block.go). */
static void render_blocks(struct rctx *r, const char *key, const tern_attr *a,
                          const json_t *v, const json_t *m, int attrs,
                          int indent)
{
    size_t j;

    for (j = 0; j < json_array_size(v); j++) {
        const json_t *em = json_is_true(m) ? m : json_array_get(m, j);

        if (j == 0 && attrs)
            tern_buf_putc(r->out, '\n');
        cli_hcl_indent(r->out, indent);
        tern_buf_printf(r->out, "%s ", key);
        if (json_is_true(em)) {
            sensitive_block(r, indent);
            tern_buf_putc(r->out, '\n');
            continue;
        }
        tern_buf_puts(r->out, "{\n");
        render_body(r, json_array_get(v, j), a->nested, em, indent + r->unit);
        cli_hcl_indent(r->out, indent);
        tern_buf_puts(r->out, "}\n");
    }
}

/* Keys of any-value attributes (terraform_remote_state's config and
 * outputs) go through upstream's JSON renderer, whose objects write their
 * keys bare when they are identifiers (renderers/object.go); those of a
 * map, or of an attribute the schema does not know, are quoted. */
static int keys_quoted(const tern_attr *a)
{
    return !a || a->type == TERN_TYPE_MAP_STRING;
}

/* The mask of attribute @a: a set with a sensitive part is sensitive
 * whole, as cty marks it (a state may carry paths into a set's elements,
 * whose order the state need not keep). */
static const json_t *attr_mask(const tern_attr *a, const json_t *m)
{
    if (a &&
        (a->type == TERN_TYPE_BLOCK_SET || a->type == TERN_TYPE_SET_STRING) &&
        tern_json_any_true(m))
        return json_true();
    return m;
}

/* The body of a resource or nested block: attributes, then blocks. */
static void render_body(struct rctx *r, const json_t *attrs,
                        const tern_attr *schema, const json_t *mask, int indent)
{
    const char **keys = NULL;
    size_t n = 0, i, width = 0, shown = 0;

    keys = sorted_keys(attrs, &n);
    if (!keys) {
        r->out->oom = 1;
        return;
    }
    for (i = 0; i < n; i++) {
        const json_t *v = json_object_get(attrs, keys[i]);
        const tern_attr *a = tern_schema_attr(schema, keys[i]);

        if (json_is_null(v) || is_block(a))
            continue;
        if (strlen(keys[i]) > width)
            width = strlen(keys[i]);
    }
    for (i = 0; i < n; i++) {
        const json_t *v = json_object_get(attrs, keys[i]);
        const tern_attr *a = tern_schema_attr(schema, keys[i]);

        if (json_is_null(v) || is_block(a))
            continue;
        cli_hcl_indent(r->out, indent);
        tern_buf_printf(r->out, "%-*s = ", (int)width, keys[i]);
        if (a && (a->flags & TERN_ATTR_SENSITIVE))
            tern_buf_puts(r->out, "(sensitive value)");
        else
            render(r, v, attr_mask(a, json_object_get(mask, keys[i])), indent,
                   keys_quoted(a), 0);
        tern_buf_putc(r->out, '\n');
        shown++;
    }
    for (i = 0; i < n; i++) {
        const json_t *v = json_object_get(attrs, keys[i]);
        const tern_attr *a = tern_schema_attr(schema, keys[i]);

        if (is_block(a) && json_is_array(v))
            render_blocks(r, keys[i], a, v,
                          attr_mask(a, json_object_get(mask, keys[i])),
                          shown > 0, indent);
    }
    tern_free(keys);
}

void cli_render_instance(tern_buf *out, const tern_state_resource *res,
                         const tern_attr *schema)
{
    struct rctx r = {out, 4};
    char *address = tern_state_resource_address(res);
    json_t *empty = json_object(), *mask = NULL;
    const json_t *attrs = res->attributes ? res->attributes : empty;

    /* The same sensitive paths as show -json's sensitive_values. */
    if (address && empty)
        mask = tern__tfjson_state_sensitive(attrs, res->sensitive, schema);
    if (!mask) {
        out->oom = 1;
        goto done;
    }
    tern_buf_printf(out, "# %s:%s\n", address,
                    res->status == TERN_STATE_TAINTED ? " (tainted)" : "");
    tern_buf_printf(out, "%s \"%s\" \"%s\" {\n",
                    res->mode == TERN_STATE_DATA ? "data" : "resource",
                    res->type, res->name);
    render_body(&r, attrs, schema, mask, 4);
    tern_buf_puts(out, "}\n");
done:
    json_decref(mask);
    json_decref(empty);
    tern_free(address);
}

void cli_render_output(tern_buf *out, const char *name, const json_t *value,
                       int sensitive)
{
    struct rctx r = {out, 2};

    tern_buf_printf(out, "%s = ", name);
    if (sensitive)
        tern_buf_puts(out, "<sensitive>");
    else if (json_is_string(value))
        /* An output is a value, not a diff: a string that holds JSON is
         * printed as the string it is, as `terraform output` does. */
        cli_hcl_string(out, json_string_value(value),
                       json_string_length(value));
    else
        render(&r, value, NULL, 0, 1, 0);
    tern_buf_putc(out, '\n');
}
