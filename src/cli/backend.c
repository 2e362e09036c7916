/*
 * The CLI's side of the S3 backend (src/backend/s3.h): the backend block's
 * arguments into a tern_backend_s3_config, the lock around a command that
 * writes, the pull before it and the push after it.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/s3.h"
#include "lang/lang.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/json.h"

/*
 * How often completed steps (and the intents not flushed at once) are
 * pushed during an apply: TERN_S3_PUSH_INTERVAL_MS, default 1000 ms.
 */
static long push_interval_ms(void)
{
    const char *v = getenv("TERN_S3_PUSH_INTERVAL_MS");
    char *end = NULL;
    long n;

    if (!v || !*v)
        return 1000;
    n = strtol(v, &end, 10);
    return end && !*end && n >= 0 ? n : 1000;
}

int cli_backend_new(struct cli_ctx *ctx, const char *workspace,
                    struct tern_backend_s3 **out)
{
    tern_backend_s3_config c = TERN_BACKEND_S3_CONFIG_INIT;
    int error;

    *out = NULL;
    if (cli_backend_s3_check(ctx->config, ctx->backend_cfg, &ctx->diags))
        return TERN_EINVALID;
    tern_backend_s3_config_json(&c, ctx->backend_cfg);
    c.workspace = workspace;
    error = tern_backend_s3_new(out, &c, NULL, &ctx->diags);
    tern_backend_s3_config_release(&c);
    return error;
}

/*
 * Whether the command checks the read made beside the lock only once it
 * has planned (cli_backend_verify after the plan, before it is shown,
 * saved or applied), so that the check overlaps the plan's reads: plan,
 * apply and destroy. Every other command (a saved plan's apply among them:
 * the engine checks its lineage and serial against the state first) waits
 * for the check before it starts.
 */
static int verifies_after_plan(const struct cli_ctx *ctx)
{
    const char *name = ctx->cmd->name;

    return strcmp(name, "plan") == 0 || strcmp(name, "destroy") == 0 ||
           (strcmp(name, "apply") == 0 && ctx->opts.args.n == 0);
}

int cli_backend_verify(struct cli_ctx *ctx)
{
    if (!ctx->backend)
        return TERN_OK;
    return tern_backend_s3_verify(ctx->backend, NULL, &ctx->diags);
}

int cli_backend_open(struct cli_ctx *ctx)
{
    unsigned int needs = ctx->cmd->needs;
    int writes = (needs & CLI_NEEDS_LOCK) && ctx->opts.lock;
    int error;

    error = cli_backend_new(ctx, ctx->workspace, &ctx->backend);
    if (error)
        return error;
    if (!(needs &
          (CLI_NEEDS_STATE | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_STATE_MAYBE)))
        return TERN_OK;
    if (mkdir(cli_data_dir(), 0700) != 0 && errno != EEXIST) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Cannot create the data directory",
                       "tern keeps the working copy of the remote state in "
                       "%s/: %s.",
                       cli_data_dir(), strerror(errno));
        return TERN_ERROR;
    }
    /* The state is read beside the lock, and that read checked once the
     * lock is taken (tern_backend_s3_lock_read). */
    if (writes) {
        error =
            tern_backend_s3_lock_read(ctx->backend, ctx->cmd->name,
                                      ctx->opts.lock_timeout_ms, &ctx->diags);
        if (error)
            return error;
    }
    error =
        tern_backend_s3_pull(ctx->backend, ctx->state_path, ctx->cmd->name,
                             strcmp(ctx->cmd->name, "state push") != 0 &&
                                 strcmp(ctx->cmd->name, "state migrate") != 0,
                             &ctx->state, &ctx->diags);
    if (error == TERN_OK && writes && !verifies_after_plan(ctx))
        error = tern_backend_s3_verify(ctx->backend, &ctx->state, &ctx->diags);
    if (error == TERN_OK && writes)
        tern_backend_s3_watch(ctx->backend, ctx->state, push_interval_ms());
    return error;
}

int cli_backend_close(struct cli_ctx *ctx, int rc)
{
    unsigned int needs = ctx->cmd->needs;
    size_t bytes = 0;
    int error = TERN_OK;

    if (!ctx->backend)
        return rc;
    if (ctx->state)
        tern_backend_s3_watch(ctx->backend, NULL, 0);
    /* A read beside the lock that was not checked yet (the command failed
     * before it planned) or that the check refused: nothing is written. */
    {
        struct tern_diags quiet = TERN_DIAGS_INIT;

        error = tern_backend_s3_verify(ctx->backend, NULL,
                                       rc == TERN_OK ? &ctx->diags : &quiet);
        tern_diags_release(&quiet);
        if (error) {
            tern_backend_s3_unlock(ctx->backend, &ctx->diags);
            tern_backend_s3_free(ctx->backend);
            ctx->backend = NULL;
            return rc != TERN_OK ? rc : error;
        }
    }
    /* An apply that made every create of the configuration after an
     * interrupted one: what that run left is adopted, the marker goes. */
    if (rc == TERN_OK && strcmp(ctx->cmd->name, "apply") == 0 &&
        !ctx->opts.destroy && !ctx->opts.refresh_only &&
        ctx->opts.targets.n == 0)
        tern_backend_s3_settle(ctx->backend);
    if (ctx->state && (needs & CLI_NEEDS_LOCK) &&
        !((needs & CLI_STATE_READ_ONLY) && !ctx->opts.out)) {
        error =
            tern_backend_s3_push(ctx->backend, ctx->state, &bytes, &ctx->diags);
        {
            size_t pushes = 0, total = 0;

            tern_backend_s3_stats(ctx->backend, &pushes, &total);
            TERN_LOG_AT(TERN_LOG_INFO,
                        "backend s3: %zu pushes, %zu bytes in all to %s",
                        pushes, total, tern_backend_s3_path(ctx->backend));
        }
    }
    tern_backend_s3_unlock(ctx->backend, &ctx->diags);
    tern_backend_s3_free(ctx->backend);
    ctx->backend = NULL;
    return rc != TERN_OK ? rc : error;
}

/* What init saved: {"type": "s3", "block": ..., "config": ...}. */
#define SAVED_CONFIG "tern-backend.json"

static int unknown_key(struct cli_ctx *ctx, const char *key)
{
    /* command/meta_backend.go, backendConfigOverrideBody */
    tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                   "Invalid backend configuration argument",
                   "The backend configuration argument \"%s\" given on the "
                   "command line is not expected for the selected backend "
                   "type.",
                   key);
    return TERN_EINVALID;
}

/* HCL text of the S3 backend's arguments (a -backend-config file, or
 * "K = V" for a value that is not a string), parsed into the
 * configuration's sources (so diagnostics show the line) and merged into
 * @p cfg: an argument given here replaces the block's. */
static int override_hcl(struct cli_ctx *ctx, const char *name, const char *text,
                        size_t len, const char *where, json_t *cfg)
{
    struct tern_lang_file *f = NULL;
    json_t *obj;
    int error;

    if (!ctx->config)
        return TERN_ERROR; /* cfg came from the configuration */
    error = tern_lang_parse_hcl(&ctx->config->sources, name, text, len, &f,
                                &ctx->diags);
    if (error == TERN_ENOMEM || !f || !f->body)
        return TERN_ENOMEM;
    if (error)
        return TERN_EINVALID;
    obj = json_object();
    if (!obj)
        return TERN_ENOMEM;
    error = cli_backend_s3_body(f->body, where, obj, &ctx->diags);
    if (error == TERN_OK && json_object_update(cfg, obj) != 0)
        error = TERN_ENOMEM;
    json_decref(obj);
    return error == TERN_ERROR ? TERN_EINVALID : error;
}

/* Whether -backend-config=K=V takes V as it is (a string argument), as
 * Terraform's configValueFromCLI does for primitive types; the others
 * (lists, the nested objects) are HCL expressions. */
static int takes_raw(const char *key)
{
    static const char *const hcl[] = {
        "allowed_account_ids",           "assume_role",
        "assume_role_with_web_identity", "endpoints",
        "forbidden_account_ids",         "shared_config_files",
        "shared_credentials_files",      NULL};
    size_t i;

    for (i = 0; hcl[i]; i++)
        if (strcmp(key, hcl[i]) == 0)
            return 0;
    return 1;
}

static int override_kv(struct cli_ctx *ctx, const char *arg, const char *eq,
                       json_t *cfg)
{
    char *key = tern_strndup(arg, (size_t)(eq - arg)), *text;
    int error = TERN_OK;

    if (!key)
        return TERN_ENOMEM;
    if (takes_raw(key)) {
        if (!cli_backend_s3_arg_known(key))
            error = unknown_key(ctx, key);
        else if (json_object_set_new(cfg, key, json_string(eq + 1)) != 0)
            error = TERN_ENOMEM;
        tern_free(key);
        return error;
    }
    text = tern_asprintf("%s = %s\n", key, eq + 1);
    tern_free(key);
    if (!text)
        return TERN_ENOMEM;
    error = override_hcl(ctx, "<value for -backend-config>", text, strlen(text),
                         "in -backend-config", cfg);
    tern_free(text);
    return error;
}

/* Apply -backend-config=K=V and -backend-config=FILE to @p cfg, in order.
 * A file is HCL (Terraform's *.tfbackend): NAME = VALUE lines, lists and
 * objects included, comments, and the nested arguments. */
static int apply_overrides(struct cli_ctx *ctx, json_t *cfg)
{
    size_t i;

    for (i = 0; i < ctx->opts.backend_configs.n; i++) {
        const char *arg = ctx->opts.backend_configs.items[i];
        const char *eq = strchr(arg, '=');
        char *text = NULL;
        size_t len = 0;
        int error;

        if (eq) {
            if ((error = override_kv(ctx, arg, eq, cfg)) != 0)
                return error;
            continue;
        }
        error = tern_read_whole_file(arg, &text, &len);
        if (error == TERN_ERROR) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Failed to read file",
                           "The file \"%s\" given with -backend-config "
                           "could not be read: %s.",
                           arg, strerror(errno));
            return TERN_EINVALID;
        }
        if (error)
            return error;
        error =
            override_hcl(ctx, arg, text, len, "in a -backend-config file", cfg);
        tern_free(text);
        if (error)
            return error;
    }
    return TERN_OK;
}

static int changed_error(struct cli_ctx *ctx)
{
    tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                   "Backend configuration changed",
                   "A change in the backend configuration has been detected "
                   "since \"tern init\" (the backend block or "
                   "-backend-config), which may require migrating existing "
                   "state. To copy the state to the new configuration, run "
                   "\"tern init -migrate-state\". To use the new "
                   "configuration as it is, with no change to any state, run "
                   "\"tern init -reconfigure\".");
    return TERN_ECONFLICT;
}

char *cli_backend_saved_path(void)
{
    return cli_data_path(SAVED_CONFIG);
}

void cli_backend_restore_saved(struct cli_ctx *ctx)
{
    char *path = cli_backend_saved_path();

    if (!path)
        return;
    /* Best effort, on the way out of a failed init: a document that
     * could not be encoded whole is not written at all. */
    if (ctx->migrate_prev)
        tern_json_dump_file(ctx->migrate_prev, path,
                            JSON_INDENT(2) | JSON_SORT_KEYS);
    else
        unlink(path);
    tern_free(path);
}

int cli_backend_check_unset(struct cli_ctx *ctx)
{
    char *path = cli_backend_saved_path();
    int init = strcmp(ctx->cmd->name, "init") == 0;
    int error = TERN_OK;

    if (!path)
        return TERN_ENOMEM;
    if (access(path, F_OK) != 0)
        goto done;
    if (!init) {
        /* meta_backend.go: "Unsetting the previously set backend" */
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Backend initialization required, please run \"tern "
                       "init\"",
                       "Reason: Unsetting the previously set backend \"s3\". "
                       "Run \"tern init -migrate-state\" to copy its state to "
                       "the local state, or \"tern init -reconfigure\" to use "
                       "the local state as it is.");
        error = TERN_EINVALID;
    } else if ((error = cli_init_check_migrate_flags(ctx)) != 0) {
        goto done;
    } else if (ctx->opts.reconfigure) {
        unlink(path); /* the local state, as it is */
    } else if (!ctx->opts.migrate_state && ctx->opts.backend) {
        error = changed_error(ctx);
    }
done:
    tern_free(path);
    return error;
}

int cli_init_check_migrate_flags(struct cli_ctx *ctx)
{
    if (ctx->opts.force_copy)
        ctx->opts.migrate_state = 1;
    if (ctx->opts.migrate_state && ctx->opts.reconfigure) {
        /* command/init.go */
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Invalid command-line option",
                       "The -migrate-state and -reconfigure options are "
                       "mutually-exclusive.");
        return TERN_EINVALID;
    }
    return TERN_OK;
}

int cli_backend_resolve(struct cli_ctx *ctx)
{
    json_t *block = ctx->backend_cfg, *saved = NULL, *merged = NULL;
    int init = strcmp(ctx->cmd->name, "init") == 0;
    char *saved_path = cli_data_path(SAVED_CONFIG);
    int error = TERN_OK, oom = 0;

    if (!saved_path)
        return TERN_ENOMEM;
    saved = tern_json_load_file(saved_path, 0, NULL, &oom);
    if (oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (!init) {
        if (!saved || !json_is_object(json_object_get(saved, "config"))) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Backend initialization required, please run "
                           "\"tern init\"",
                           "Reason: Initial configuration of the requested "
                           "backend \"s3\". Run \"tern init\" (with any "
                           "-backend-config) in this directory first.");
            error = TERN_EINVALID;
            goto done;
        }
        if (!json_equal(json_object_get(saved, "block"), block)) {
            error = changed_error(ctx);
            goto done;
        }
        json_decref(ctx->backend_cfg);
        ctx->backend_cfg = json_incref(json_object_get(saved, "config"));
        goto done;
    }
    if ((error = cli_init_check_migrate_flags(ctx)) != 0)
        goto done;
    merged = json_deep_copy(block);
    if (!merged) {
        error = TERN_ENOMEM;
        goto done;
    }
    if ((error = apply_overrides(ctx, merged)) != 0)
        goto done;
    if (saved && !ctx->opts.reconfigure &&
        !json_equal(json_object_get(saved, "config"), merged)) {
        if (!ctx->opts.migrate_state) {
            error = changed_error(ctx);
            goto done;
        }
        /* from the S3 state init saved last */
        ctx->migrate = 1;
        ctx->migrate_from = json_incref(json_object_get(saved, "config"));
    } else if (!saved && ctx->opts.migrate_state) {
        ctx->migrate = 1; /* from the local state */
    }
    if (ctx->opts.backend) {
        json_t *doc = json_pack("{s:s, s:O, s:O}", "type", "s3", "block", block,
                                "config", merged);

        json_decref(ctx->migrate_prev);
        ctx->migrate_prev = json_incref(saved);

        if (mkdir(cli_data_dir(), 0700) != 0 && errno != EEXIST) {
            json_decref(doc);
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Cannot create the data directory", "%s: %s.",
                           cli_data_dir(), strerror(errno));
            error = TERN_ERROR;
            goto done;
        }
        /* It may hold keys given as arguments: readable by the owner only,
         * as the state. */
        if (!doc || (error = tern_json_dump_file(
                         doc, saved_path, JSON_INDENT(2) | JSON_SORT_KEYS)) ==
                        TERN_ENOMEM) {
            json_decref(doc);
            error = TERN_ENOMEM;
            goto done;
        }
        if (error != TERN_OK || chmod(saved_path, 0600) != 0) {
            json_decref(doc);
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Cannot save the backend configuration",
                           "Writing %s failed: %s.", saved_path,
                           strerror(errno));
            error = TERN_ERROR;
            goto done;
        }
        json_decref(doc);
        ctx->saved_written = 1;
    }
    json_decref(ctx->backend_cfg);
    ctx->backend_cfg = merged;
    merged = NULL;
done:
    tern_free(saved_path);
    json_decref(saved);
    json_decref(merged);
    return error;
}
