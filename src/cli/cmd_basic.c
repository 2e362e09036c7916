/*
 * `tern version`, `init`, `validate`, `output` and `show`: the commands
 * that read the configuration or the state and report, without planning.
 */
#include "cli/cli.h"
#include "backend/s3.h"
#include "tern/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/lang.h"
#include "engine/tfjson.h"
#include "util/alloc.h"
#include "util/json.h"

int cli_cmd_version(struct cli_ctx *ctx)
{
    json_t *j;
    int error;

    if (!ctx->opts.json) {
        fprintf(ctx->ui.out, "tern v%s\non %s\n", TERN_VERSION, cli_platform());
        return TERN_OK;
    }
    /* Terraform's `version -json` (command/version.go), tern_version beside
     * terraform_version. provider_selections lists the lock file's
     * providers; tern's are built in and have no lock file, so it is
     * empty, as Terraform's is before init. */
    j = json_pack("{s:s,s:s,s:s,s:{},s:b}", "terraform_version",
                  TERN_LANGUAGE_VERSION, "tern_version", TERN_VERSION,
                  "platform", cli_platform(), "provider_selections",
                  "terraform_outdated", 0);
    error =
        cli_json_print(ctx->ui.out, j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return error;
}

/* Create the directories of @path (the local backend's path may name a
 * directory that does not exist yet), private to the user. */
static int make_parents(struct cli_ctx *ctx, const char *path)
{
    char *dir = tern_strdup(path);
    char *p;
    int error = TERN_OK;

    if (!dir)
        return TERN_ENOMEM;
    for (p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Cannot create the state directory",
                           "Creating %s: %s.", dir, strerror(errno));
            error = TERN_ERROR;
            break;
        }
        *p = '/';
    }
    tern_free(dir);
    return error;
}

struct modlist {
    struct cli_ctx *ctx;
    json_t *mods;
    int error;
};

static void list_module(void *p, const struct tern_lang_config *mod)
{
    struct modlist *ml = p;
    const struct tern_lang_config *parent = mod->parent;
    const char *source = "";
    size_t i;

    for (i = 0; parent && i < parent->ncalls; i++)
        if (parent->calls[i].cfg == mod)
            source = parent->calls[i].source;
    if (json_array_append_new(
            ml->mods, json_pack("{s:s,s:s,s:s}", "Key", mod->key, "Source",
                                source, "Dir", *mod->rel ? mod->rel : ".")))
        ml->error = TERN_ENOMEM;
    if (parent)
        fprintf(ml->ctx->ui.out, "- %s in %s\n", mod->key, mod->rel);
}

/*
 * The module tree, as Terraform's init records it in
 * .terraform/modules/modules.json (internal/modsdir: Key, Source, Dir):
 * local modules are used where they are, so there is nothing to fetch.
 */
static int init_modules(struct cli_ctx *ctx)
{
    struct modlist ml = {ctx, json_array(), TERN_OK};
    json_t *doc;
    int error = TERN_OK;

    if (!ml.mods)
        return TERN_ENOMEM;
    fprintf(ctx->ui.out, "%sInitializing modules...%s\n", cli_c_bold(&ctx->ui),
            cli_c_reset(&ctx->ui));
    tern_lang_config_walk(ctx->config, list_module, &ml);
    fprintf(ctx->ui.out, "\n");
    doc = json_pack("{s:o}", "Modules", ml.mods);
    if (!doc || ml.error)
        error = TERN_ENOMEM;
    else if ((mkdir(".terraform", 0700) != 0 && errno != EEXIST) ||
             (mkdir(".terraform/modules", 0700) != 0 && errno != EEXIST) ||
             (error =
                  tern_json_dump_file(doc, ".terraform/modules/modules.json",
                                      JSON_COMPACT)) == TERN_ERROR) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Failed to write the module manifest",
                       "Writing .terraform/modules/modules.json: %s.",
                       strerror(errno));
        error = TERN_ERROR;
    }
    json_decref(doc);
    return error;
}

int cli_cmd_init(struct cli_ctx *ctx)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    json_t *sources = NULL, *s;
    tern_state *st = NULL;
    size_t i;
    int error;

    if (ctx->config == NULL) {
        fprintf(ctx->ui.out,
                "%stern initialized in an empty directory!%s\n\n"
                "The directory has no tern configuration files. You may "
                "begin working\nwith tern immediately by creating tern "
                "configuration files.\n",
                cli_c_bold(&ctx->ui), cli_c_reset(&ctx->ui));
        return TERN_OK;
    }
    if ((error = cli_config_check_providers(ctx->config, &sources,
                                            &ctx->diags)) != 0)
        goto done;
    if (ctx->config->ncalls && (error = init_modules(ctx)) != 0)
        goto done;
    fprintf(ctx->ui.out, "%sInitializing the backend...%s\n",
            cli_c_bold(&ctx->ui), cli_c_reset(&ctx->ui));
    if (ctx->backend_cfg && !ctx->opts.backend) {
        fprintf(ctx->ui.out, "Skipping the backend (-backend=false).\n");
        goto providers;
    }
    if ((error = cli_init_check_migrate_flags(ctx)) != 0)
        goto done;
    if (!ctx->backend_cfg && ctx->opts.migrate_state) {
        /* S3 to local: from the backend init saved last. */
        char *path = cli_backend_saved_path();
        int oom = !path;
        json_t *saved = path ? tern_json_load_file(path, 0, NULL, &oom) : NULL;

        /* Out of memory is not "nothing saved": nothing to migrate. */
        if (oom) {
            tern_free(path);
            error = TERN_ENOMEM;
            goto done;
        }
        if (json_is_object(json_object_get(saved, "config"))) {
            ctx->migrate = 1;
            ctx->migrate_from = json_incref(json_object_get(saved, "config"));
        }
        json_decref(saved);
        error =
            ctx->migrate ? cli_migrate_state(ctx, ctx->migrate_from) : TERN_OK;
        /* The local state is the backend now. */
        if (error == TERN_OK && ctx->migrate && path)
            unlink(path);
        tern_free(path);
        if (error)
            goto done;
    } else if (ctx->migrate &&
               (error = cli_migrate_state(ctx, ctx->migrate_from)) != 0) {
        /* The next init must see the same change again (run() puts the
         * record back). */
        goto done;
    }
    if ((error = cli_init_select_workspace(ctx)) != 0)
        goto done;
    if (ctx->backend) {
        json_t *doc = NULL;

        /* Check the bucket and the credentials now, as Terraform's init
         * does, rather than at the first plan. */
        if ((error = tern_backend_s3_read(ctx->backend, &doc, &ctx->diags)))
            goto done;
        fprintf(ctx->ui.out,
                "Successfully configured the backend \"s3\"! tern will "
                "keep the state in\ns3://%s (%s).\n",
                tern_backend_s3_path(ctx->backend),
                doc ? "a state is there" : "no state there yet");
        if (doc)
            fprintf(
                ctx->ui.out, "State: serial %lld, lineage %s\n",
                (long long)json_integer_value(json_object_get(doc, "serial")),
                json_string_value(json_object_get(doc, "lineage"))
                    ? json_string_value(json_object_get(doc, "lineage"))
                    : "");
        json_decref(doc);
        goto providers;
    }
    if ((error = make_parents(ctx, ctx->state_path)) != 0)
        goto done;
    so.path = ctx->state_path;
    so.create = 1;
    so.lock = ctx->opts.lock;
    so.lock_timeout_ms = ctx->opts.lock_timeout_ms;
    so.operation = "init";
    if ((error = tern_state_open(&st, &so, &ctx->diags)) != 0)
        goto done;
    fprintf(ctx->ui.out, "State: %s (serial %lld)\n", tern_state_path(st),
            (long long)tern_state_serial(st));
providers:
    fprintf(ctx->ui.out, "\n%sInitializing provider plugins...%s\n",
            cli_c_bold(&ctx->ui), cli_c_reset(&ctx->ui));
    json_array_foreach(sources, i, s)
    {
        fprintf(ctx->ui.out, "- %s: built in to tern (nothing to download)\n",
                json_string_value(s));
    }
    fprintf(ctx->ui.out, "\n%s%stern has been successfully initialized!%s\n",
            cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui), cli_c_reset(&ctx->ui));
    /* init.go: the next steps only outside automation (TF_IN_AUTOMATION). */
    if (!ctx->ui.automation)
        fprintf(ctx->ui.out,
                "\nYou may now begin working with tern. Try running \"tern "
                "plan\" to see\nany changes that are required for your "
                "infrastructure.\n");
done:
    tern_state_free(st);
    json_decref(sources);
    return error;
}

static int is_meta(const char *name, int is_block)
{
    static const char *const attrs[] = {"count", "for_each", "depends_on",
                                        "provider"};
    static const char *const blocks[] = {"lifecycle", "provisioner",
                                         "connection", "dynamic"};
    const char *const *list = is_block ? blocks : attrs;
    size_t i;

    for (i = 0; i < 4; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static int settable(const tern_attr *a)
{
    return a->type != TERN_TYPE_BLOCK_LIST && a->type != TERN_TYPE_BLOCK_SET &&
           (a->flags & (TERN_ATTR_REQUIRED | TERN_ATTR_OPTIONAL));
}

/* The closest name in @schema of the same sort (argument or block). */
static const char *suggest_attr(const char *given, const tern_attr *schema,
                                int want_block)
{
    const char *cands[128];
    size_t n = 0;

    for (; schema && schema->name && n < 128; schema++) {
        int block = schema->type == TERN_TYPE_BLOCK_LIST ||
                    schema->type == TERN_TYPE_BLOCK_SET;

        if (want_block ? block : settable(schema))
            cands[n++] = schema->name;
    }
    return tern_lang_suggest(given, cands, n);
}

/*
 * The type of an argument whose value is known without a plan (no
 * references): a list where the schema wants a string, and the like. The
 * engine checks every value again when it plans.
 */
static int const_fits(enum tern_attr_type t, const tern_value *v,
                      const char **want)
{
    enum tern_value_kind k = tern_value_kind(v);
    size_t i;

    if (k == TERN_VAL_UNKNOWN || k == TERN_VAL_NULL)
        return 1;
    switch (t) {
    case TERN_TYPE_STRING:
        *want = "string";
        return k == TERN_VAL_STRING || k == TERN_VAL_NUMBER ||
               k == TERN_VAL_BOOL;
    case TERN_TYPE_NUMBER:
        *want = "number";
        return k == TERN_VAL_NUMBER || k == TERN_VAL_STRING;
    case TERN_TYPE_BOOL:
        *want = "bool";
        return k == TERN_VAL_BOOL || k == TERN_VAL_STRING;
    case TERN_TYPE_LIST_STRING:
    case TERN_TYPE_SET_STRING:
        *want = t == TERN_TYPE_LIST_STRING ? "list of string" : "set of string";
        if (k != TERN_VAL_LIST && k != TERN_VAL_SET)
            return 0;
        for (i = 0; i < tern_value_length(v); i++)
            if (!const_fits(TERN_TYPE_STRING, tern_value_list_get(v, i),
                            want)) {
                *want = t == TERN_TYPE_LIST_STRING ? "list of string"
                                                   : "set of string";
                return 0;
            }
        return 1;
    case TERN_TYPE_MAP_STRING:
        *want = "map of string";
        if (k != TERN_VAL_OBJECT)
            return 0;
        for (i = 0; i < tern_value_length(v); i++)
            if (!const_fits(TERN_TYPE_STRING, tern_value_object_value(v, i),
                            want)) {
                *want = "map of string";
                return 0;
            }
        return 1;
    default:
        return 1;
    }
}

static void check_const_type(const struct tern_attribute *a,
                             const tern_attr *sa, struct tern_diags *diags)
{
    struct tern_lang_scope scope;
    struct tern_diags local = TERN_DIAGS_INIT;
    tern_value *v = NULL;
    const char *want = "";

    memset(&scope, 0, sizeof(scope));
    scope.base_dir = "/nonexistent";
    /* With no scope, any reference fails: such values are the plan's. */
    if (tern_lang_eval(a->expr, &scope, &v, &local) == TERN_OK &&
        !const_fits(sa->type, v, &want))
        tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                       "Incorrect attribute value type",
                       "Inappropriate value for attribute \"%s\": %s "
                       "required, found %s.",
                       a->name, want, tern_value_kind_name(tern_value_kind(v)));
    tern_value_decref(v);
    tern_diags_release(&local);
}

static void check_body(const struct tern_body *body,
                       const struct tern_range *where, const tern_attr *schema,
                       int top, struct tern_diags *diags)
{
    const tern_attr *sa;
    const char *best;
    size_t i;

    for (i = 0; i < body->nattrs; i++) {
        const struct tern_attribute *a = &body->attrs[i];

        if (top && is_meta(a->name, 0))
            continue;
        sa = tern_schema_attr(schema, a->name);
        if (sa && settable(sa)) {
            check_const_type(a, sa, diags);
            continue;
        }
        if (sa && !settable(sa) &&
            !(sa->type == TERN_TYPE_BLOCK_LIST ||
              sa->type == TERN_TYPE_BLOCK_SET)) {
            tern_diags_add(diags, TERN_SEV_ERROR, &a->name_range,
                           "Value for unconfigurable attribute",
                           "Can't configure a value for \"%s\": its value "
                           "will be decided automatically based on the result "
                           "of applying this configuration.",
                           a->name);
            continue;
        }
        best = suggest_attr(a->name, schema, 0);
        tern_diags_add(diags, TERN_SEV_ERROR, &a->name_range,
                       "Unsupported argument",
                       "An argument named \"%s\" is not expected here.%s%s%s",
                       a->name, best ? " Did you mean \"" : "",
                       best ? best : "", best ? "\"?" : "");
    }
    for (i = 0; i < body->nblocks; i++) {
        const struct tern_block *b = body->blocks[i];

        if (top && is_meta(b->type, 1))
            continue;
        sa = tern_schema_attr(schema, b->type);
        if (sa && (sa->type == TERN_TYPE_BLOCK_LIST ||
                   sa->type == TERN_TYPE_BLOCK_SET)) {
            check_body(b->body, &b->def_range, sa->nested, 0, diags);
            continue;
        }
        best = suggest_attr(b->type, schema, 1);
        tern_diags_add(diags, TERN_SEV_ERROR, &b->type_range,
                       "Unsupported block type",
                       "Blocks of type \"%s\" are not expected here.%s%s%s",
                       b->type, best ? " Did you mean \"" : "",
                       best ? best : "", best ? "\"?" : "");
    }
    for (sa = schema; sa && sa->name; sa++)
        if ((sa->flags & TERN_ATTR_REQUIRED) && settable(sa) &&
            !tern_lang_body_attr(body, sa->name))
            tern_diags_add(diags, TERN_SEV_ERROR, where,
                           "Missing required argument",
                           "The argument \"%s\" is required, but no "
                           "definition was found.",
                           sa->name);
}

static void check_blocks(const struct tern_blockvec *v,
                         enum tern_module_kind kind, struct tern_diags *diags)
{
    const tern_module *m;
    size_t i;

    for (i = 0; i < v->n; i++) {
        const struct tern_block *b = v->items[i];

        if (b->nlabels < 2)
            continue;
        m = tern_module_find(kind, b->labels[0]);
        if (m) {
            check_body(b->body, &b->def_range, m->schema, 1, diags);
            continue;
        }
        tern_engine_unknown_type(diags, &b->label_ranges[0], kind,
                                 b->labels[0]);
    }
}

/*
 * The modules' part of validation: each resource and data source type is
 * one tern has (tern_modules[]), and its body sets only arguments the
 * module's schema lets the configuration set, with the required ones
 * present and nested blocks checked against their schemas. The engine
 * checks the same when it plans (tern_engine_new and its body evaluation),
 * but it needs an open, locked state, and validate touches none: when the
 * engine publishes a validate entry point that needs no state, call it
 * here instead.
 */
static int validate_engine(const struct tern_lang_config *cfg,
                           struct tern_diags *diags)
{
    size_t before = diags->errors;

    check_blocks(&cfg->resources, TERN_MODULE_RESOURCE, diags);
    check_blocks(&cfg->data, TERN_MODULE_DATA, diags);
    /* With the schemas satisfied, the engine's graph: dependency cycles
     * among resources, data sources and locals. */
    if (diags->errors == before &&
        tern_engine_validate(cfg, diags) == TERN_ENOMEM)
        return TERN_ENOMEM;
    return diags->errors > before ? TERN_ERROR : TERN_OK;
}

int cli_config_validate(const struct tern_lang_config *cfg,
                        struct tern_diags *diags)
{
    size_t before = diags->errors;

    if (tern_lang_config_validate(cfg, diags) == TERN_ENOMEM)
        return TERN_ENOMEM;
    /* The engine's checks end with the policy lint. */
    if (diags->errors == before && validate_engine(cfg, diags) == TERN_ENOMEM)
        return TERN_ENOMEM;
    return diags->errors > before ? TERN_ERROR : TERN_OK;
}

static json_t *validate_json(const struct tern_diags *diags,
                             const struct tern_lang_sources *srcs)
{
    json_t *doc = json_object(), *arr = json_array();
    size_t i;
    int oom = 0;

    tern_json_set(&oom, doc, "format_version", json_string("1.0"));
    tern_json_set(&oom, doc, "valid", json_boolean(diags->errors == 0));
    tern_json_set(&oom, doc, "error_count",
                  json_integer((json_int_t)diags->errors));
    tern_json_set(&oom, doc, "warning_count",
                  json_integer((json_int_t)(diags->count - diags->errors)));
    for (i = 0; arr && i < diags->count; i++)
        tern_json_append(&oom, arr, cli_diag_json(&diags->items[i], srcs));
    tern_json_set(&oom, doc, "diagnostics", arr);
    return tern_json_done(oom, doc);
}

int cli_cmd_validate(struct cli_ctx *ctx)
{
    struct tern_lang_config *cfg = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    json_t *doc = NULL;
    char *path = NULL;
    int error;

    error = cli_config_load(&cfg, &diags);
    if (error == TERN_ENOMEM)
        goto done;
    if (cfg) {
        /* Every check runs, so one run reports every problem. */
        cli_config_backend_path(cfg, &path, &diags);
        cli_config_check_providers(cfg, NULL, &diags);
        if (diags.errors == 0 &&
            cli_config_validate(cfg, &diags) == TERN_ENOMEM) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    error = diags.errors ? TERN_ERROR : TERN_OK;
    if (ctx->opts.json) {
        doc = validate_json(&diags, cfg ? &cfg->sources : NULL);
        /* A document short of a diagnostic is not printed. */
        if (!doc || cli_json_print(ctx->ui.out, doc,
                                   JSON_INDENT(2) | JSON_PRESERVE_ORDER))
            error = TERN_ENOMEM;
        goto done;
    }
    cli_ui_diags(&ctx->ui, &diags, cfg ? &cfg->sources : NULL);
    if (diags.errors == 0)
        fprintf(ctx->ui.out, "%s%sSuccess!%s The configuration is valid%s\n",
                cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui),
                cli_c_reset(&ctx->ui),
                diags.count ? ", but there were some validation warnings as "
                              "shown above."
                            : ".");
done:
    json_decref(doc);
    tern_free(path);
    tern_diags_release(&diags);
    tern_lang_config_free(cfg);
    return error;
}

static void no_outputs(struct cli_ctx *ctx)
{
    tern_diags_add(&ctx->diags, TERN_SEV_WARNING, NULL, "No outputs found",
                   "The state file either has no outputs defined, or all "
                   "the defined outputs are empty. Please define an output "
                   "in your configuration with the `output` keyword and run "
                   "`tern apply` for it to become available. If you are "
                   "using interpolation, please verify the interpolated "
                   "value is not empty.");
}

int cli_cmd_output(struct cli_ctx *ctx)
{
    const char *name = ctx->opts.args.n ? ctx->opts.args.items[0] : NULL;
    json_t *outputs = NULL, *o, *v, *doc = NULL;
    tern_buf out = TERN_BUF_INIT;
    const char *k;
    int error = TERN_OK, oom = 0;

    if (ctx->state &&
        (error = tern_state_outputs(ctx->state, &outputs, &ctx->diags)) != 0)
        goto done;
    if (name == NULL) {
        if (ctx->opts.raw) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Output name required",
                           "Use -raw with the name of one output.");
            error = TERN_EINVALID;
            goto done;
        }
        if (ctx->opts.json) {
            doc = json_object();
            TERN_CHECK_ALLOC(doc);
            json_object_foreach(outputs, k, o)
            {
                v = json_object_get(o, "value");
                tern_json_set(
                    &oom, doc, k,
                    json_pack("{s:b,s:o,s:O}", "sensitive",
                              json_is_true(json_object_get(o, "sensitive")),
                              "type", tern__tfjson_output_type(o), "value", v));
            }
            if (oom || cli_json_print(ctx->ui.out, doc,
                                      JSON_INDENT(2) | JSON_SORT_KEYS))
                error = TERN_ENOMEM;
            goto done;
        }
        if (json_object_size(outputs) == 0) {
            no_outputs(ctx);
            goto done;
        }
        json_object_foreach(outputs, k, o)
        {
            cli_render_output(&out, k, json_object_get(o, "value"),
                              json_is_true(json_object_get(o, "sensitive")));
        }
        goto print;
    }
    o = json_object_get(outputs, name);
    if (o == NULL) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL, "Output not found",
                       "The output variable requested could not be found in "
                       "the state file. If you recently added this to your "
                       "configuration, be sure to run `tern apply`, since "
                       "the state won't be updated with new output variables "
                       "until that command is run.");
        error = TERN_ENOTFOUND;
        goto done;
    }
    /* Named, an output is shown even when sensitive, as Terraform does. */
    v = json_object_get(o, "value");
    if (ctx->opts.json) {
        error = cli_json_print(ctx->ui.out, v, JSON_INDENT(2) | JSON_SORT_KEYS);
    } else if (ctx->opts.raw) {
        if (json_is_string(v))
            tern_buf_puts(&out, json_string_value(v));
        else if (json_is_number(v) || json_is_boolean(v))
            cli_render_json_value(&out, v, 0, 1);
        else {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Unsupported value for raw output",
                           "The -raw option only supports strings, numbers, "
                           "and boolean values, but output value \"%s\" is "
                           "not. Use the -json option for machine-readable "
                           "output of complex values.",
                           name);
            error = TERN_EINVALID;
            goto done;
        }
    } else {
        cli_render_json_value(&out, v, 0, 1);
        tern_buf_putc(&out, '\n');
    }
print:
    if (tern_buf_oom(&out))
        error = TERN_ENOMEM;
    else
        cli_ui_write(ctx->ui.out, &out);
done:
    tern_buf_release(&out);
    json_decref(doc);
    json_decref(outputs);
    return error;
}

/* One instance in Terraform's state representation (jsonstate.Resource):
 * provider_name is the provider's source address, sensitive_values is
 * SensitiveAsBool of the values with the state's sensitive paths and the
 * schema's sensitive attributes; empty fields are left out (omitempty). */
static json_t *instance_json(const tern_state_resource *r)
{
    const tern_module *m = tern_module_find(
        r->mode == TERN_STATE_DATA ? TERN_MODULE_DATA : TERN_MODULE_RESOURCE,
        r->type);
    char *address = tern_state_resource_address(r);
    char *provider = tern__tfjson_provider_name(r->provider, r->type);
    json_t *empty = json_object(), *j = NULL;
    const json_t *values = r->attributes ? r->attributes : empty;
    int oom = !empty || !address || !provider;

    if (!oom)
        j = json_pack("{s:s,s:s,s:s,s:s}", "address", address, "mode",
                      r->mode == TERN_STATE_DATA ? "data" : "managed", "type",
                      r->type, "name", r->name);
    if (r->key_kind != TERN_STATE_KEY_NONE)
        tern_json_set(&oom, j, "index",
                      tern__tfjson_index(r->key_kind, r->key_int, r->key_str));
    tern_json_set(&oom, j, "provider_name", json_string(provider));
    tern_json_set(&oom, j, "schema_version",
                  json_integer((json_int_t)r->schema_version));
    if (json_object_size(values))
        tern_json_set(&oom, j, "values", json_incref((json_t *)values));
    tern_json_set(&oom, j, "sensitive_values",
                  tern__tfjson_state_sensitive(values, r->sensitive,
                                               m ? m->schema : NULL));
    if (json_array_size(r->dependencies))
        tern_json_set(&oom, j, "depends_on", json_incref(r->dependencies));
    if (r->status == TERN_STATE_TAINTED)
        tern_json_set(&oom, j, "tainted", json_true());
    json_decref(empty);
    tern_free(address);
    tern_free(provider);
    return tern_json_done(oom, j);
}

/* By address, then an instance's current object before its deposed ones
 * by key, as version4.go orders them in the state file. */
static int address_cmp(const void *pa, const void *pb)
{
    const json_t *a = *(const json_t *const *)pa;
    const json_t *b = *(const json_t *const *)pb;
    const char *ka = json_string_value(json_object_get(a, "deposed_key"));
    const char *kb = json_string_value(json_object_get(b, "deposed_key"));
    int c = strcmp(json_string_value(json_object_get(a, "address")),
                   json_string_value(json_object_get(b, "address")));

    return c ? c : strcmp(ka ? ka : "", kb ? kb : "");
}

/* jsonstate sorts a module's resources by address. */
/* Sort @module's resources by address; a failure sets *oom. */
static void sort_resources(int *oom, json_t *module)
{
    json_t *res = json_object_get(module, "resources"), *sorted;
    const json_t **items;
    size_t i, n = json_array_size(res);

    items = tern_calloc(n + 1, sizeof(*items));
    if (!items) {
        *oom = 1;
        return;
    }
    for (i = 0; i < n; i++)
        items[i] = json_array_get(res, i);
    qsort(items, n, sizeof(*items), address_cmp);
    sorted = json_array();
    for (i = 0; sorted && i < n; i++)
        tern_json_append(oom, sorted, json_incref((json_t *)items[i]));
    tern_json_set(oom, module, "resources", sorted);
    tern_free(items);
}

/* Skip one bracketed instance key at @p ('[' ... ']', quotes honoured);
 * the position after it, or NULL when malformed. */
static const char *skip_key(const char *p)
{
    int quoted = 0;

    for (p++; *p; p++) {
        if (quoted && *p == '\\' && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == ']')
            return p + 1;
    }
    return NULL;
}

/*
 * jsonchecks' address object (internal/command/jsonchecks/objects.go) of a
 * v4 check_results address @a of @kind: "to_display" and, with @dynamic,
 * the module instance and instance key; static ones also name the object
 * (kind, mode, type, name). NULL when @a does not parse.
 */
static json_t *check_addr_json(const char *kind, const char *a, int dynamic)
{
    const char *p = a, *rest, *dot, *br;
    static const char *const order[] = {
        "instance_key", "kind", "mode", "module", "name", "to_display", "type"};
    json_t *o = json_pack("{s:s}", "to_display", a), *o2;
    char *module = NULL, *type = NULL, *name = NULL;
    size_t i;
    int oom = 0; /* a key not parsed is NULL either way */

    if (!o)
        return NULL;
    while (strncmp(p, "module.", 7) == 0) {
        p += 7;
        p += strcspn(p, ".[");
        if (*p == '[' && !(p = skip_key(p)))
            goto fail;
        if (*p != '.')
            goto fail;
        p++;
    }
    if (p > a) {
        module = tern_strndup(a, (size_t)(p - a - 1));
        if (!module)
            goto fail;
    }
    if (!dynamic) {
        if (strcmp(kind, "resource") == 0) {
            int data = strncmp(p, "data.", 5) == 0;

            rest = data ? p + 5 : p;
            if (!(dot = strchr(rest, '.')))
                goto fail;
            type = tern_strndup(rest, (size_t)(dot - rest));
            if (!type || json_object_set_new(o, "kind", json_string(kind)) ||
                json_object_set_new(o, "mode",
                                    json_string(data ? "data" : "managed")) ||
                json_object_set_new(o, "type", json_string(type)) ||
                json_object_set_new(o, "name", json_string(dot + 1)))
                goto fail;
        } else {
            if (!(dot = strchr(p, '.')))
                goto fail;
            if (json_object_set_new(o, "kind",
                                    json_string(strcmp(kind, "output") == 0
                                                    ? "output_value"
                                                    : kind)) ||
                json_object_set_new(o, "name", json_string(dot + 1)))
                goto fail;
        }
    }
    if (module && json_object_set_new(o, "module", json_string(module)))
        goto fail;
    if (dynamic && strcmp(kind, "resource") == 0 && (br = strchr(p, '['))) {
        json_t *key;

        name = tern_strndup(br + 1, strlen(br + 1) - 1);
        key = name ? tern_json_loads(name, JSON_DECODE_ANY, &oom) : NULL;
        if (!key || json_object_set_new(o, "instance_key", key))
            goto fail;
    }
    tern_free(module);
    tern_free(type);
    tern_free(name);
    /* A Go map: encoding/json writes its keys sorted. */
    o2 = json_object();
    for (i = 0; o2 && i < sizeof(order) / sizeof(order[0]); i++)
        if (json_object_get(o, order[i]) &&
            json_object_set(o2, order[i], json_object_get(o, order[i]))) {
            json_decref(o2);
            o2 = NULL;
        }
    json_decref(o);
    return o2;
fail:
    tern_free(module);
    tern_free(type);
    tern_free(name);
    json_decref(o);
    return NULL;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_display(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(
        json_object_get(*(const json_t *const *)a, "address"), "to_display"));
    const char *y = json_string_value(json_object_get(
        json_object_get(*(const json_t *const *)b, "address"), "to_display"));

    return strcmp(x ? x : "", y ? y : "");
}

static int sort_by_display(json_t *list)
{
    size_t n = json_array_size(list), i;
    json_t **items = tern_calloc(n + 1, sizeof(*items));
    int error = TERN_OK;

    if (!items)
        return TERN_ENOMEM;
    for (i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(list, i));
    qsort(items, n, sizeof(*items), by_display);
    /* Put back in place: no allocation; only an index out of range, not
     * here, could fail. */
    for (i = 0; i < n; i++)
        if (json_array_set_new(list, i, items[i]) != 0)
            error = TERN_ERROR;
    tern_free(items);
    return error;
}

/*
 * The state representation's "checks": the stored check_results as
 * jsonchecks.MarshalCheckStates writes them (internal/command/jsonchecks/
 * checks.go): sorted by address, problems from the failure messages
 * (sorted), "instances" left out when none. NULL when out of memory or
 * when an address does not parse (left out then).
 */
static json_t *state_checks_json(const json_t *v4)
{
    json_t *list = json_array(), *e, *ob, *insts = NULL, *x = NULL;
    size_t i, j, k;

    json_array_foreach(v4, i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "object_kind"));
        json_t *addr = check_addr_json(
            kind, json_string_value(json_object_get(e, "config_addr")), 0);

        insts = json_array();
        x = json_pack("{s:s,s:o,s:O}", "//",
                      "EXPERIMENTAL: see docs for details", "address", addr,
                      "status", json_object_get(e, "status"));
        if (!list || !addr || !insts || !x)
            goto fail;
        json_array_foreach(json_object_get(e, "objects"), j, ob)
        {
            const json_t *msgs = json_object_get(ob, "failure_messages");
            size_t nm = json_array_size(msgs);
            const char **sorted = tern_calloc(nm + 1, sizeof(*sorted));
            json_t *probs = sorted ? json_array() : NULL, *in;

            /* Problems sorted by message, as MarshalCheckStates. */
            for (k = 0; sorted && k < nm; k++) {
                const char *m = json_string_value(json_array_get(msgs, k));

                sorted[k] = m ? m : "";
            }
            if (sorted)
                qsort(sorted, nm, sizeof(*sorted), by_string);
            for (k = 0; probs && k < nm; k++)
                if (json_array_append_new(
                        probs, json_pack("{s:s}", "message", sorted[k]))) {
                    json_decref(probs);
                    probs = NULL;
                }
            tern_free(sorted);
            in = json_pack(
                "{s:o,s:O}", "address",
                check_addr_json(
                    kind, json_string_value(json_object_get(ob, "object_addr")),
                    1),
                "status", json_object_get(ob, "status"));
            if (!in || !probs) {
                json_decref(probs);
                json_decref(in);
                goto fail;
            }
            if (json_array_size(probs) &&
                json_object_set(in, "problems", probs)) {
                json_decref(probs);
                json_decref(in);
                goto fail;
            }
            json_decref(probs);
            if (json_array_append_new(insts, in))
                goto fail;
        }
        if (sort_by_display(insts))
            goto fail;
        if (json_array_size(insts) && json_object_set(x, "instances", insts))
            goto fail;
        json_decref(insts);
        insts = NULL;
        if (json_array_append_new(list, x)) {
            x = NULL;
            goto fail;
        }
        x = NULL;
    }
    if (sort_by_display(list))
        goto fail;
    return list;
fail:
    json_decref(insts);
    json_decref(x);
    json_decref(list);
    return NULL;
}

/* The module object of @m among @children (flat, one {"address",
 * "resources"} per module instance), made when missing; NULL when out of
 * memory. */
static json_t *child_module(json_t *children, const char *m)
{
    json_t *mod;
    size_t j;

    json_array_foreach(children, j, mod)
    {
        if (strcmp(json_string_value(json_object_get(mod, "address")), m) == 0)
            return mod;
    }
    mod = json_pack("{s:s,s:[]}", "address", m, "resources");
    return json_array_append_new(children, mod) ? NULL : mod;
}

/*
 * A deposed object (state/tfjson.c's add_deposed), as jsonstate's
 * marshalResources writes one: a resource of its own with its instance's
 * address, mode, type, name, index and provider, schema_version 0 (it
 * copies only those), its values, sensitive values, depends_on and
 * tainted, then its deposed_key. NULL when out of memory or when the
 * intent's address does not parse (damaged: left out).
 */
static json_t *deposed_object_json(const tern_state_intent *in, char **module,
                                   int *damaged)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    struct tern_diags scratch = TERN_DIAGS_INIT;
    const json_t *meta = json_is_object(in->object) ? in->object : NULL;
    struct cli_addr a;
    char key[24];
    json_t *j = NULL;
    int oom = 0;

    *module = NULL;
    *damaged = 0;
    if (cli_addr_parse(&a, in->address, &scratch) != TERN_OK) {
        tern_diags_release(&scratch);
        *damaged = 1;
        return NULL;
    }
    r.module = a.module;
    r.mode = (enum tern_state_mode)a.mode;
    r.type = a.type;
    r.name = a.name;
    r.key_kind = (enum tern_state_key)a.key_kind;
    r.key_int = a.key_int;
    r.key_str = a.key_str;
    r.provider = (char *)json_string_value(json_object_get(meta, "provider"));
    r.attributes = in->identity;
    r.sensitive = json_object_get(meta, "sensitive_attributes");
    r.dependencies = json_object_get(meta, "dependencies");
    if (json_is_string(json_object_get(meta, "status")))
        r.status = TERN_STATE_TAINTED;
    snprintf(key, sizeof(key), "%08llx", (unsigned long long)in->id);
    *damaged = r.type == NULL;
    if (r.type && (j = instance_json(&r)) != NULL) {
        tern_json_set(&oom, j, "deposed_key", json_string(key));
        j = tern_json_done(oom, j);
    }
    if (j && a.module && *a.module && !(*module = tern_strdup(a.module))) {
        json_decref(j);
        j = NULL;
    }
    cli_addr_release(&a);
    return j;
}

/* Append the deposed objects among @in (@nin intents) to their modules'
 * resources: @root's, or a module of @children. */
static void add_deposed(int *oom, const tern_state_intent *in, size_t nin,
                        json_t *root, json_t *children)
{
    size_t i;

    for (i = 0; !*oom && i < nin; i++) {
        json_t *j, *target;
        char *m = NULL;
        int damaged = 0;

        if (strcmp(in[i].action, "deposed") != 0)
            continue;
        if ((j = deposed_object_json(&in[i], &m, &damaged)) == NULL) {
            *oom = !damaged;
            continue;
        }
        target = m ? child_module(children, m) : root;
        if (target)
            tern_json_append(oom, json_object_get(target, "resources"), j);
        else {
            json_decref(j);
            *oom = 1;
        }
        tern_free(m);
    }
}

/* The state representation (jsonstate.Marshal); NULL with a diagnostic
 * when the state could not be read, NULL without one when out of memory. */
static json_t *show_json(struct cli_ctx *ctx, tern_state *st)
{
    tern_state_resource *list = NULL;
    json_t *doc = NULL, *outputs = NULL, *outs = NULL, *root = NULL,
           *children = NULL, *checks = NULL, *o, *mod, *vals;
    unsigned long failed = tern_alloc_failures();
    tern_state_intent *in = NULL;
    const char *k;
    size_t n = 0, i, j, nin = 0, deposed = 0;
    int oom = 0;

    /* An empty state is only its format_version, as upstream's. */
    doc = json_pack("{s:s}", "format_version", TERN_STATE_JSON_FORMAT);
    if (!doc || !st)
        return doc;
    if (tern_state_list(st, &list, &n, &ctx->diags) ||
        tern_state_outputs(st, &outputs, &ctx->diags) ||
        tern_state_intents(st, &in, &nin, &ctx->diags)) {
        json_decref(doc);
        doc = NULL;
        goto done;
    }
    for (i = 0; i < nin; i++)
        deposed += strcmp(in[i].action, "deposed") == 0;
    if (n == 0 && deposed == 0 && json_object_size(outputs) == 0)
        goto done;
    tern_json_set(&oom, doc, "terraform_version",
                  json_string(TERN_LANGUAGE_VERSION));
    tern_json_set(&oom, doc, "tern_version", json_string(TERN_VERSION));
    outs = json_object();
    json_object_foreach(outputs, k, o)
    {
        json_t *v = json_object_get(o, "value");

        tern_json_set(&oom, outs, k,
                      json_pack("{s:b,s:O,s:o}", "sensitive",
                                json_is_true(json_object_get(o, "sensitive")),
                                "value", v, "type",
                                tern__tfjson_output_type(o)));
    }
    root = json_pack("{s:[]}", "resources");
    children = json_array();
    if (!outs || !root || !children)
        oom = 1;
    for (i = 0; !oom && i < n; i++) {
        const char *m = list[i].module ? list[i].module : "";
        json_t *target = *m ? child_module(children, m) : root;

        tern_json_append(&oom, json_object_get(target, "resources"),
                         instance_json(&list[i]));
    }
    add_deposed(&oom, in, nin, root, children);
    sort_resources(&oom, root);
    if (!json_array_size(json_object_get(root, "resources")))
        json_object_del(root, "resources");
    json_array_foreach(children, j, mod)
    {
        sort_resources(&oom, mod);
    }
    if (json_array_size(children))
        tern_json_set(&oom, root, "child_modules",
                      tern__tfjson_nest_modules(children));
    vals = json_object();
    if (json_object_size(outs))
        tern_json_set(&oom, vals, "outputs", json_incref(outs));
    tern_json_set(&oom, vals, "root_module", json_incref(root));
    tern_json_set(&oom, doc, "values", vals);
    /* jsonstate.Marshal: the check results, when there are some. */
    if (!oom && tern_state_check_results(st, &checks, &ctx->diags)) {
        json_decref(doc);
        doc = NULL;
        goto done;
    }
    /* Results whose addresses do not parse (pushed so) are left out. */
    if (json_array_size(checks) && (o = state_checks_json(checks)))
        tern_json_set(&oom, doc, "checks", o);
    /* What the builders do not see: an instance's address or provider, a
     * check address that could not be made (taken for one that does not
     * parse). */
    if (tern_alloc_failures() != failed)
        oom = 1;
    doc = tern_json_done(oom, doc);
done:
    json_decref(checks);
    json_decref(outs);
    json_decref(root);
    json_decref(children);
    json_decref(outputs);
    tern_state_resources_free(list, n);
    tern_state_intents_free(in, nin);
    return doc;
}

static int show_text(struct cli_ctx *ctx, tern_state *st)
{
    tern_state_resource *list = NULL;
    json_t *outputs = NULL, *o;
    tern_buf out = TERN_BUF_INIT;
    const tern_module *m;
    const char *k;
    size_t n = 0, i;
    int error;

    if (!st) {
        fprintf(ctx->ui.out, "No state.\n");
        return TERN_OK;
    }
    if ((error = tern_state_list(st, &list, &n, &ctx->diags)) ||
        (error = tern_state_outputs(st, &outputs, &ctx->diags)))
        goto done;
    if (n == 0 && json_object_size(outputs) == 0) {
        fprintf(ctx->ui.out, "The state file is empty. No resources are "
                             "represented.\n");
        goto done;
    }
    for (i = 0; i < n; i++) {
        m = tern_module_find(list[i].mode == TERN_STATE_DATA
                                 ? TERN_MODULE_DATA
                                 : TERN_MODULE_RESOURCE,
                             list[i].type);
        cli_render_instance(&out, &list[i], m ? m->schema : NULL);
        tern_buf_putc(&out, '\n');
    }
    if (json_object_size(outputs)) {
        tern_buf_puts(&out, "\nOutputs:\n\n");
        json_object_foreach(outputs, k, o)
        {
            int sens = json_is_true(json_object_get(o, "sensitive"));

            if (sens)
                tern_buf_printf(&out, "%s = (sensitive value)\n", k);
            else
                cli_render_output(&out, k, json_object_get(o, "value"), 0);
        }
    }
    if (tern_buf_oom(&out))
        error = TERN_ENOMEM;
    else
        cli_ui_write(ctx->ui.out, &out);
done:
    tern_buf_release(&out);
    json_decref(outputs);
    tern_state_resources_free(list, n);
    return error;
}

/* What `show FILE` was given. */
enum file_kind { FILE_PLAN, FILE_STATE };

/*
 * Tell a saved plan from a state by the file's first bytes: a plan file
 * starts with its format's header, "tern-plan 1 sha256=..."
 * (src/engine/planfile.c), a state with SQLite's, "SQLite format 3". A
 * file that starts like a plan, however damaged or short, goes to the
 * plan reader, whose diagnostic says what is wrong with it (reading it as
 * a state would only say that it is not one). Anything else is refused
 * here, naming the file.
 */
static int sniff(struct cli_ctx *ctx, const char *path, enum file_kind *kind)
{
    static const char plan_magic[] = "tern-plan";
    static const char sqlite_magic[] = "SQLite format 3"; /* and its NUL */
    static const char *const summary =
        "Failed to read the given file as a state or plan file";
    unsigned char head[64];
    ssize_t n;
    size_t i;
    int fd, err;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd < 0 ? -1 : read(fd, head, sizeof(head));
    err = errno;
    if (fd >= 0)
        close(fd);
    if (n < 0) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL, summary,
                       "Reading %s: %s.", path, strerror(err));
        return err == ENOENT ? TERN_ENOTFOUND : TERN_ERROR;
    }
    if (n > 0 &&
        memcmp(head, plan_magic,
               (size_t)n < strlen(plan_magic) ? (size_t)n
                                              : strlen(plan_magic)) == 0) {
        *kind = FILE_PLAN;
        return TERN_OK;
    }
    if ((size_t)n >= sizeof(sqlite_magic) &&
        memcmp(head, sqlite_magic, sizeof(sqlite_magic)) == 0) {
        *kind = FILE_STATE;
        return TERN_OK;
    }
    for (i = 0; i < (size_t)n && strchr(" \t\r\n", head[i]); i++)
        ;
    tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL, summary,
                   "%s is neither a saved plan (from tern plan -out=FILE) "
                   "nor a tern state database%s",
                   path,
                   n == 0 ? ": the file is empty."
                   : i < (size_t)n && head[i] == '{'
                       ? ". It is JSON, perhaps a Terraform .tfstate: tern "
                         "keeps its state in SQLite, and `tern state "
                         "migrate` takes a Terraform state over."
                       : ".");
    return TERN_EINVALID;
}

int cli_cmd_show(struct cli_ctx *ctx)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = ctx->state, *own = NULL;
    enum file_kind kind = FILE_STATE;
    json_t *doc = NULL;
    int error = TERN_OK;

    if (ctx->opts.args.n == 1) {
        if ((error = sniff(ctx, ctx->opts.args.items[0], &kind)) != 0)
            return error;
        if (kind == FILE_PLAN)
            return cli_show_plan_file(ctx, ctx->opts.args.items[0]);
        so.path = ctx->opts.args.items[0];
        so.lock = 0;
        so.readonly = 1;
        so.operation = "show";
        if ((error = tern_state_open(&own, &so, &ctx->diags)) != 0)
            return error;
        st = own;
    }
    if (ctx->opts.json) {
        doc = show_json(ctx, st);
        if (!doc) {
            error = ctx->diags.errors ? TERN_ERROR : TERN_ENOMEM;
            goto done;
        }
        error = cli_json_print(ctx->ui.out, doc,
                               JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    } else {
        error = show_text(ctx, st);
    }
done:
    json_decref(doc);
    tern_state_free(own);
    return error;
}
