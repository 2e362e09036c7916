/*
 * data "terraform_remote_state": the root outputs of another state
 * (hashicorp/terraform internal/builtin/providers/terraform/
 * data_source_state.go), from the backends tern has:
 *
 * - "s3": `config` takes the backend block's arguments (bucket, key,
 *   region, endpoints { s3 }, use_path_style, workspace_key_prefix,
 *   profile, ...); one GetObject of the state object through the S3
 *   backend (src/backend/s3.h), `<workspace_key_prefix>/<workspace>/<key>`
 *   for a workspace other than "default". No lock is taken: a read.
 * - "local": `config` takes `path` (default terraform.tfstate) and
 *   `workspace_dir` (default terraform.tfstate.d, where a workspace other
 *   than "default" keeps its `terraform.tfstate`). The file is a Terraform
 *   v4 JSON state, or tern's own state store (a SQLite file, such as
 *   tern.tfstate.db), which is opened without its lock and read as the
 *   v4 document `tern state pull` writes.
 *
 * `outputs` holds every root output with its value; `defaults` fills the
 * outputs the state lacks. A sensitive output stays sensitive: its value
 * is kept wrapped as {"tern:sensitive": VALUE}, which the engine turns
 * into a sensitive mark on that output (TERN_TYPE_DYNAMIC, tern/module.h).
 * No state at all is Terraform's "Unable to find remote state".
 */
#include "tern/module.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend/s3.h"
#include "tern/state.h"
#include "util/alloc.h"
#include "util/json.h"

static const tern_attr schema[] = {
    {"backend", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"config", TERN_TYPE_DYNAMIC, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"defaults", TERN_TYPE_DYNAMIC, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"outputs", TERN_TYPE_DYNAMIC, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"workspace", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0},
};

static int invalid_config(tern_op *op, const char *backend, const char *arg)
{
    tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                   "Invalid backend configuration",
                   "The given configuration is not valid for backend \"%s\": "
                   "unsupported attribute \"%s\".",
                   backend, arg);
    return TERN_EINVALID;
}

/* tern_backend_s3_check's findings on `config`: Terraform's warnings and
 * errors for the backend's arguments (no place: the value is an
 * expression's result). */
static void config_finding(void *ud, int severity, const char *arg,
                           const char *summary, const char *detail)
{
    (void)arg;
    tern_diags_add(ud, severity, NULL, summary, "%s", detail);
}

static int read_s3(tern_op *op, const json_t *cfg, const char *workspace,
                   json_t **doc)
{
    tern_backend_s3_config c = TERN_BACKEND_S3_CONFIG_INIT;
    tern_backend_s3 *b = NULL;
    const char *bad = tern_backend_s3_unknown_arg(cfg);
    int error;

    if (bad)
        return invalid_config(op, "s3", bad);
    if (tern_backend_s3_check(cfg, 1, config_finding, op->diags) > 0)
        return TERN_EINVALID;
    tern_backend_s3_config_json(&c, cfg);
    c.workspace = workspace;
    error = tern_backend_s3_new(&b, &c, op->cancel, op->diags);
    tern_backend_s3_config_release(&c);
    if (error == TERN_OK)
        error = tern_backend_s3_read(b, doc, op->diags);
    tern_backend_s3_free(b);
    return error;
}

/* Whether @path is a SQLite file (tern's state store). */
static int is_sqlite(const char *path)
{
    static const char magic[] = "SQLite format 3";
    char head[sizeof(magic)];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return 0;
    n = fread(head, 1, sizeof(head), f);
    fclose(f);
    return n == sizeof(head) && memcmp(head, magic, sizeof(head)) == 0;
}

static int read_local(tern_op *op, const json_t *cfg, const char *workspace,
                      json_t **doc)
{
    const char *path = json_string_value(json_object_get(cfg, "path"));
    const char *dir = json_string_value(json_object_get(cfg, "workspace_dir"));
    const char *k;
    json_t *v;
    char *owned = NULL;
    json_error_t jerr;
    int error = TERN_OK, oom = 0;

    json_object_foreach((json_t *)cfg, k, v)
    {
        if (strcmp(k, "path") != 0 && strcmp(k, "workspace_dir") != 0)
            return invalid_config(op, "local", k);
    }
    /* internal/backend/local/backend.go: a workspace other than the
     * default keeps its state in <workspace_dir>/<name>/terraform.tfstate;
     * `path` is the default workspace's. */
    if (workspace && strcmp(workspace, "default") != 0) {
        owned = tern_asprintf("%s/%s/terraform.tfstate",
                              dir ? dir : "terraform.tfstate.d", workspace);
        if (!owned)
            return TERN_ENOMEM;
        path = owned;
    } else if (!path) {
        path = "terraform.tfstate";
    }
    if (is_sqlite(path)) {
        tern_state_open_options o = TERN_STATE_OPEN_OPTIONS_INIT;
        tern_state *st = NULL;

        o.path = path;
        o.lock = 0;
        o.operation = "terraform_remote_state";
        error = tern_state_open(&st, &o, op->diags);
        if (error == TERN_OK)
            error = tern_state_export(st, -1, doc, op->diags);
        tern_state_free(st);
    } else if (access(path, F_OK) != 0 && errno == ENOENT) {
        *doc = NULL; /* no state: the caller's "Unable to find" */
    } else if (!(*doc = tern_json_load_file(path, 0, &jerr, &oom))) {
        if (oom) {
            tern_free(owned);
            return TERN_ENOMEM; /* not a state that does not parse */
        }
        /* data_source_state.go's summary, as Terraform words it */
        tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                       "Error loading state error",
                       "error loading the remote state: %s:%d:%d: %s", path,
                       jerr.line, jerr.column, jerr.text);
        error = TERN_ERROR;
    }
    tern_free(owned);
    return error;
}

static int read_state(json_t **out, tern_op *op, const json_t *cfg)
{
    const char *backend = json_string_value(json_object_get(cfg, "backend"));
    const char *workspace =
        json_string_value(json_object_get(cfg, "workspace"));
    const json_t *config = json_object_get(cfg, "config");
    const json_t *defaults = json_object_get(cfg, "defaults");
    json_t *doc = NULL, *outputs, *empty = NULL;
    const json_t *ov;
    const char *k;
    json_t *v;
    int error, oom = 0;

    /* dataSourceRemoteStateValidate */
    if (config && !json_is_null(config) && !json_is_object(config)) {
        tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                       "Invalid backend configuration",
                       "The configuration must be an object value.");
        return TERN_EINVALID;
    }
    if (defaults && !json_is_null(defaults) && !json_is_object(defaults)) {
        tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                       "Invalid default values",
                       "Defaults must be given in an object value.");
        return TERN_EINVALID;
    }
    if (!json_is_object(config))
        config = empty = json_object();
    if (!config)
        return TERN_ENOMEM;
    /* Don't break people using the old _local syntax
     * (data_source_state.go getBackend). */
    if (backend && strcmp(backend, "_local") == 0)
        backend = "local";
    if (backend && strcmp(backend, "s3") == 0) {
        error = read_s3(op, config, workspace, &doc);
    } else if (backend && strcmp(backend, "local") == 0) {
        error = read_local(op, config, workspace, &doc);
    } else {
        tern_diags_add(
            op->diags, TERN_SEV_ERROR, NULL, "Invalid backend configuration",
            "There is no backend type named \"%s\".", backend ? backend : "");
        error = TERN_EINVALID;
    }
    json_decref(empty);
    if (error) {
        json_decref(doc);
        return error;
    }
    if (!doc) {
        tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                       "Unable to find remote state",
                       "No stored state was found for the given workspace "
                       "in the given backend.");
        return TERN_ERROR;
    }
    outputs = json_object();
    *out = json_deep_copy(cfg);
    if (!outputs || !*out) {
        json_decref(outputs);
        json_decref(*out);
        *out = NULL; /* not handed back released */
        json_decref(doc);
        return TERN_ENOMEM;
    }
    if (json_is_object(defaults))
        json_object_foreach((json_t *)defaults, k, v)
            tern_json_set(&oom, outputs, k, json_incref(v));
    json_object_foreach(json_object_get(doc, "outputs"), k, v)
    {
        ov = json_object_get(v, "value");
        if (!ov)
            continue;
        /* A failure here would leave a default in place of the output, or
         * a sensitive value without its mark. */
        if (json_is_true(json_object_get(v, "sensitive")))
            tern_json_set(&oom, outputs, k,
                          json_pack("{s:O}", "tern:sensitive", ov));
        else
            tern_json_set(&oom, outputs, k, json_incref((json_t *)ov));
    }
    tern_json_set(&oom, *out, "outputs", outputs);
    json_decref(doc);
    if (oom) {
        json_decref(*out);
        *out = NULL;
        return TERN_ENOMEM;
    }
    return TERN_OK;
}

const tern_module tern_module_data_terraform_remote_state = {
    TERN_MODULE_VERSION,
    "terraform_remote_state",
    TERN_MODULE_DATA,
    "terraform",
    schema,
    read_state,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
};
