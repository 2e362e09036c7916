/*
 * The CLI's side of the S3 backend (src/backend/s3.h): the backend block's
 * arguments into a tern_backend_s3_config, the lock around a command that
 * writes, the pull before it and the push after it.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/s3.h"
#include "tern/log.h"
#include "util/alloc.h"

static const char *str(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

static int truthy(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);

    return json_is_true(v) ||
           (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

/* A list of strings as a NULL-terminated array (borrowed strings). */
static const char **strlist(const json_t *v)
{
    const char **out;
    size_t i, n = json_is_array(v) ? json_array_size(v) : 0;

    if (!n)
        return NULL;
    out = tern_calloc(n + 1, sizeof(*out));
    if (!out)
        return NULL;
    for (i = 0; i < n; i++)
        out[i] = json_string_value(json_array_get(v, i));
    return out;
}

/* Parse a Go duration of whole seconds, minutes or hours ("1h", "900s"). */
static long duration_s(const char *s)
{
    char *end = NULL;
    long n;

    if (!s)
        return 0;
    n = strtol(s, &end, 10);
    if (end && strcmp(end, "h") == 0)
        return n * 3600;
    if (end && strcmp(end, "m") == 0)
        return n * 60;
    return n;
}

/*
 * How often completed steps are pushed during an apply (intents always at
 * once): TERN_S3_PUSH_INTERVAL_MS, default 1000 ms.
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

int cli_backend_open(struct cli_ctx *ctx)
{
    tern_backend_s3_config c = TERN_BACKEND_S3_CONFIG_INIT;
    const json_t *cfg = ctx->backend_cfg;
    const json_t *ep = json_object_get(cfg, "endpoints");
    const json_t *ar = json_object_get(cfg, "assume_role");
    const char **cfiles = NULL, **kfiles = NULL;
    unsigned int needs = ctx->cmd->needs;
    int writes = (needs & CLI_NEEDS_LOCK) && ctx->opts.lock;
    int error;

    c.bucket = str(cfg, "bucket");
    c.key = str(cfg, "key");
    c.region = str(cfg, "region");
    c.workspace_key_prefix = str(cfg, "workspace_key_prefix");
    c.workspace = getenv("TF_WORKSPACE");
    c.use_lockfile = truthy(cfg, "use_lockfile");
    c.encrypt = truthy(cfg, "encrypt");
    c.kms_key_id = str(cfg, "kms_key_id");
    c.acl = str(cfg, "acl");
    c.endpoint_s3 = str(ep, "s3");
    c.endpoint_sts = str(ep, "sts");
    c.endpoint_iam = str(ep, "iam");
    c.use_path_style = truthy(cfg, "use_path_style");
    c.profile = str(cfg, "profile");
    c.access_key = str(cfg, "access_key");
    c.secret_key = str(cfg, "secret_key");
    c.token = str(cfg, "token");
    cfiles = strlist(json_object_get(cfg, "shared_config_files"));
    kfiles = strlist(json_object_get(cfg, "shared_credentials_files"));
    c.shared_config_files = cfiles;
    c.shared_credentials_files = kfiles;
    c.assume_role_arn = str(ar, "role_arn");
    c.assume_role_session_name = str(ar, "session_name");
    c.assume_role_external_id = str(ar, "external_id");
    c.assume_role_duration_seconds = duration_s(str(ar, "duration"));
    if (json_is_integer(json_object_get(cfg, "max_retries")))
        c.max_retries =
            (int)json_integer_value(json_object_get(cfg, "max_retries"));
    else if (json_is_number(json_object_get(cfg, "max_retries")))
        c.max_retries =
            (int)json_number_value(json_object_get(cfg, "max_retries"));
    error = tern_backend_s3_new(&ctx->backend, &c, NULL, &ctx->diags);
    tern_free(cfiles);
    tern_free(kfiles);
    if (error)
        return error;
    if (!(needs &
          (CLI_NEEDS_STATE | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_STATE_MAYBE)))
        return TERN_OK;
    if (mkdir(".terraform", 0700) != 0 && errno != EEXIST) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Cannot create .terraform",
                       "tern keeps the working copy of the remote state in "
                       ".terraform/: %s.",
                       strerror(errno));
        return TERN_ERROR;
    }
    if (writes) {
        error = tern_backend_s3_lock(ctx->backend, ctx->cmd->name,
                                     ctx->opts.lock_timeout_ms, &ctx->diags);
        if (error)
            return error;
    }
    error =
        tern_backend_s3_pull(ctx->backend, ctx->state_path, ctx->cmd->name,
                             strcmp(ctx->cmd->name, "state push") != 0 &&
                                 strcmp(ctx->cmd->name, "state migrate") != 0,
                             &ctx->state, &ctx->diags);
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
