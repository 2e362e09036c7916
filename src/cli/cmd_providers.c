/*
 * `tern providers` and `tern providers schema -json`, as Terraform's
 * (internal/command/providers.go and jsonprovider/): the tree of providers
 * the configuration and the state require, and every resource and data
 * source schema of the built-in providers in the providers schema
 * representation, format 1.0: attributes with their cty type,
 * required/optional/computed/sensitive and description_kind, nested
 * blocks as block_types with nesting_mode and max_items.
 *
 * tern's schemas carry no descriptions, so "description" is left out (it
 * is omitempty upstream) and every description_kind is "plain". Each
 * provider's block is its tern_provider.schema (tern/provider.h).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/tfjson.h"
#include "lang/lang.h"
#include "tern/module.h"
#include "tern/provider.h"
#include "util/alloc.h"
#include "util/json.h"

/* jsonprovider.Block: attributes, block_types, description_kind; NULL
 * when out of memory. */
static json_t *block_json(const tern_attr *schema)
{
    json_t *b = json_object(), *attrs = json_object(), *blocks = json_object();
    const tern_attr *a;
    int oom = !attrs || !blocks;

    for (a = schema; !oom && a && a->name; a++) {
        json_t *j;

        if (a->type == TERN_TYPE_BLOCK_LIST || a->type == TERN_TYPE_BLOCK_SET) {
            j = json_pack("{s:s,s:o}", "nesting_mode",
                          a->type == TERN_TYPE_BLOCK_LIST ? "list" : "set",
                          "block", block_json(a->nested));
            if (a->flags & TERN_ATTR_REQUIRED)
                tern_json_set(&oom, j, "min_items", json_integer(1));
            if (a->max_items)
                tern_json_set(&oom, j, "max_items",
                              json_integer((json_int_t)a->max_items));
            tern_json_set(&oom, blocks, a->name, tern_json_done(oom, j));
            continue;
        }
        j = json_pack("{s:o,s:s}", "type", tern__tfjson_schema_type(a, 0, &oom),
                      "description_kind", "plain");
        if (a->flags & TERN_ATTR_REQUIRED)
            tern_json_set(&oom, j, "required", json_true());
        if (a->flags & TERN_ATTR_OPTIONAL)
            tern_json_set(&oom, j, "optional", json_true());
        if (a->flags & TERN_ATTR_COMPUTED)
            tern_json_set(&oom, j, "computed", json_true());
        if (a->flags & TERN_ATTR_SENSITIVE)
            tern_json_set(&oom, j, "sensitive", json_true());
        tern_json_set(&oom, attrs, a->name, tern_json_done(oom, j));
    }
    if (json_object_size(attrs))
        tern_json_set(&oom, b, "attributes", json_incref(attrs));
    if (json_object_size(blocks))
        tern_json_set(&oom, b, "block_types", json_incref(blocks));
    tern_json_set(&oom, b, "description_kind", json_string("plain"));
    json_decref(attrs);
    json_decref(blocks);
    return tern_json_done(oom, b);
}

/* The schemas of @prov and its modules; NULL when out of memory. */
static json_t *provider_json(const tern_provider *prov)
{
    json_t *res = json_object(), *data = json_object(), *p;
    int oom = !res || !data;
    size_t j;

    for (j = 0; !oom && tern_modules[j]; j++) {
        const tern_module *m = tern_modules[j];

        if (strcmp(m->provider, prov->name) != 0)
            continue;
        tern_json_set(&oom, m->kind == TERN_MODULE_DATA ? data : res,
                      m->type_name,
                      json_pack("{s:i,s:o}", "version", 0, "block",
                                block_json(m->schema)));
    }
    p = json_pack("{s:{s:i,s:o}}", "provider", "version", 0, "block",
                  block_json(prov->schema));
    if (json_object_size(res))
        tern_json_set(&oom, p, "resource_schemas", json_incref(res));
    if (json_object_size(data))
        tern_json_set(&oom, p, "data_source_schemas", json_incref(data));
    json_decref(res);
    json_decref(data);
    return tern_json_done(oom, p);
}

int cli_cmd_providers_schema(struct cli_ctx *ctx)
{
    json_t *doc, *schemas;
    size_t i;
    int oom = 0, error;

    if (!ctx->opts.json) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "The -json flag is required",
                       "The `tern providers schema` command requires the "
                       "`-json` flag.");
        return TERN_EINVALID;
    }
    schemas = json_object();
    for (i = 0; !oom && tern_providers[i]; i++) {
        const tern_provider *prov = tern_providers[i];
        const char *src =
            prov->sources && prov->sources[0] ? prov->sources[0] : prov->name;
        char *full = tern_asprintf("%s%s", tern_provider_source_host(src), src);

        if (!full)
            oom = 1;
        else
            tern_json_set(&oom, schemas, full, provider_json(prov));
        tern_free(full);
    }
    doc = json_pack("{s:s,s:o}", "format_version", "1.0", "provider_schemas",
                    tern_json_done(oom, schemas));
    /* A document short of a schema is not printed: out of memory. */
    error = doc ? cli_json_print(ctx->ui.out, doc, JSON_COMPACT) : TERN_ENOMEM;
    json_decref(doc);
    return error;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cli_cmd_providers(struct cli_ctx *ctx)
{
    json_t *cfg = NULL, *req = json_object(), *p;
    tern_state_resource *list = NULL;
    const char **names = NULL;
    const char *k;
    size_t n = 0, i, count = 0;
    tern_buf out = TERN_BUF_INIT;
    int error = TERN_OK;

    /* Every provider the configuration names, by source address, with
     * its version constraint. */
    TERN_CHECK_ALLOC(req);
    if (ctx->config) {
        cfg = cli_config_json(ctx->config);
        TERN_CHECK_ALLOC(cfg);
    }
    json_object_foreach(json_object_get(cfg, "provider_config"), k, p)
    {
        const char *full = json_string_value(json_object_get(p, "full_name"));
        const char *ver =
            json_string_value(json_object_get(p, "version_constraint"));

        if (full && (!json_object_get(req, full) || ver) &&
            json_object_set_new(req, full, json_string(ver ? ver : ""))) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    names = tern_calloc(json_object_size(req) + 1, sizeof(*names));
    TERN_CHECK_ALLOC(names);
    json_object_foreach(req, k, p)
    {
        names[count++] = k;
    }
    qsort(names, count, sizeof(*names), str_cmp);
    tern_buf_puts(&out, "\nProviders required by configuration:\n.\n");
    for (i = 0; i < count; i++) {
        const char *ver = json_string_value(json_object_get(req, names[i]));

        tern_buf_printf(&out, "%s provider[%s]%s%s\n",
                        i + 1 < count ? "\u251c\u2500\u2500"
                                      : "\u2514\u2500\u2500",
                        names[i], ver && *ver ? " " : "", ver ? ver : "");
    }
    tern_free(names);
    names = NULL;
    if (ctx->state &&
        (error = tern_state_list(ctx->state, &list, &n, &ctx->diags)) == 0 &&
        n > 0) {
        json_t *seen = json_object();
        int oom = !seen;

        tern_buf_puts(&out, "\nProviders required by state:\n\n");
        for (i = 0; !oom && i < n; i++) {
            char *full =
                tern__tfjson_provider_name(list[i].provider, list[i].type);

            tern_json_set(&oom, seen, full ? full : "", json_true());
            oom |= !full;
            tern_free(full);
        }
        names = oom ? NULL
                    : tern_calloc(json_object_size(seen) + 1, sizeof(*names));
        count = 0;
        json_object_foreach(seen, k, p)
        {
            if (names)
                names[count++] = k;
        }
        if (names)
            qsort(names, count, sizeof(*names), str_cmp);
        for (i = 0; names && i < count; i++)
            tern_buf_printf(&out, "    provider[%s]\n\n", names[i]);
        /* A list short of a provider is not printed. */
        if (!names || out.oom)
            error = TERN_ENOMEM;
        else
            cli_ui_write(ctx->ui.out, &out);
        tern_free(names);
        names = NULL;
        json_decref(seen);
        goto done;
    }
    tern_buf_putc(&out, '\n');
    if (out.oom)
        error = TERN_ENOMEM;
    else
        cli_ui_write(ctx->ui.out, &out);
done:
    tern_buf_release(&out);
    tern_state_resources_free(list, n);
    json_decref(cfg);
    json_decref(req);
    return error;
}
