/*
 * `tern init -migrate-state`: copy the state of the current workspace from
 * the backend init configured last time to the one the configuration names
 * now: local to S3, S3 to local, S3 to another bucket or key. As
 * Terraform's init (internal/command/meta_backend_migrate.go):
 * -force-copy implies -migrate-state and answers "yes" to every question;
 * -migrate-state and -reconfigure exclude each other; on a terminal the
 * copy is confirmed, and a destination that already holds a state is only
 * overwritten when confirmed (or with -force-copy).
 *
 * What is copied is the v4 document (lineage, serial, resources, outputs)
 * and tern's "tern" extension (intents). The local store's history of
 * earlier serials is not carried into S3, which keeps only the current
 * state; see README "The S3 backend".
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/s3.h"
#include "util/alloc.h"

/* Where a state is: S3 (cfg the backend's arguments) or a local file. */
struct place {
    json_t *cfg;      /* S3 arguments, or NULL for local */
    const char *path; /* local */
    char desc[1024];  /* for messages */
};

static void describe(struct place *p)
{
    if (p->cfg)
        snprintf(p->desc, sizeof(p->desc), "s3://%s/%s",
                 json_string_value(json_object_get(p->cfg, "bucket")),
                 json_string_value(json_object_get(p->cfg, "key")));
    else
        snprintf(p->desc, sizeof(p->desc), "the local state %s", p->path);
}

/* A backend for @cfg in the current workspace. */
static int backend_for(struct cli_ctx *ctx, json_t *cfg, tern_backend_s3 **b)
{
    json_t *saved = ctx->backend_cfg;
    int error;

    ctx->backend_cfg = cfg;
    error = cli_backend_new(ctx, ctx->workspace, b);
    ctx->backend_cfg = saved;
    return error;
}

/* The state at @p as a v4 document (*doc NULL when there is none). */
static int read_place(struct cli_ctx *ctx, struct place *p, json_t **doc)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    struct tern_diags scratch = TERN_DIAGS_INIT;
    tern_backend_s3 *b = NULL;
    tern_state *st = NULL;
    int error;

    *doc = NULL;
    if (p->cfg) {
        if ((error = backend_for(ctx, p->cfg, &b)) == TERN_OK)
            error = tern_backend_s3_read(b, doc, &ctx->diags);
        tern_backend_s3_free(b);
        return error;
    }
    so.path = p->path;
    so.operation = "init";
    error = tern_state_open(&st, &so, &scratch);
    if (error == TERN_ENOTFOUND) {
        tern_diags_release(&scratch);
        return TERN_OK;
    }
    tern_diags_move(&ctx->diags, &scratch);
    if (error == TERN_OK && tern_state_serial(st) > 0)
        error = tern_state_export(st, -1, doc, &ctx->diags);
    tern_state_free(st);
    return error;
}

static int doc_has_state(const json_t *doc)
{
    return doc && (json_array_size(json_object_get(doc, "resources")) > 0 ||
                   json_object_size(json_object_get(doc, "outputs")) > 0);
}

/* A yes/no question on the terminal; 1 for "yes". */
static int confirm(struct cli_ctx *ctx, const char *question)
{
    char *answer = cli_ui_ask(&ctx->ui, question);
    int yes = answer && strcmp(answer, "yes") == 0;

    tern_free(answer);
    fputc('\n', ctx->ui.out);
    return yes;
}

static int write_place(struct cli_ctx *ctx, struct place *p, json_t *doc)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_backend_s3 *b = NULL;
    tern_state *st = NULL;
    int error;

    if (p->cfg) {
        json_t *old = NULL;

        if ((error = backend_for(ctx, p->cfg, &b)) != 0)
            goto done;
        if (ctx->opts.lock &&
            (error = tern_backend_s3_lock(b, "init", ctx->opts.lock_timeout_ms,
                                          &ctx->diags)) != 0)
            goto done;
        /* The ETag of what is there, so the write replaces exactly it. */
        if ((error = tern_backend_s3_read(b, &old, &ctx->diags)) == TERN_OK)
            error = tern_backend_s3_write(b, doc, &ctx->diags);
        json_decref(old);
        tern_backend_s3_unlock(b, &ctx->diags);
        goto done;
    }
    so.path = p->path;
    so.create = 1;
    so.lock = ctx->opts.lock;
    so.lock_timeout_ms = ctx->opts.lock_timeout_ms;
    so.operation = "init";
    if ((error = tern_state_open(&st, &so, &ctx->diags)) != 0)
        goto done;
    json_object_del(doc, "tern");
    error = tern_state_import(st, doc, TERN_STATE_IMPORT_FORCE, &ctx->diags);
done:
    tern_state_free(st);
    tern_backend_s3_free(b);
    return error;
}

int cli_migrate_state(struct cli_ctx *ctx, json_t *from_cfg)
{
    struct place from, to;
    json_t *src = NULL, *dst = NULL;
    int error;

    char *local = NULL;

    memset(&from, 0, sizeof(from));
    memset(&to, 0, sizeof(to));
    from.cfg = from_cfg;
    from.path = TERN_STATE_DEFAULT_PATH;
    if (ctx->workspace && strcmp(ctx->workspace, "default") != 0) {
        if (!(local = cli_workspace_state_path(ctx->workspace)))
            return TERN_ENOMEM;
        from.path = local;
    }
    to.cfg = ctx->backend_cfg;
    to.path = ctx->state_path;
    describe(&from);
    describe(&to);
    if (!from.cfg && !to.cfg) {
        tern_free(local);
        return TERN_OK; /* local to local: nothing to move */
    }
    if ((error = read_place(ctx, &from, &src)) != 0)
        goto done;
    if (!src) {
        fprintf(ctx->ui.out, "No state in %s: nothing to migrate.\n",
                from.desc);
        goto done;
    }
    if ((error = read_place(ctx, &to, &dst)) != 0)
        goto done;
    if (!ctx->opts.force_copy) {
        char q[4096];

        if (!ctx->ui.interactive) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "State migration needs confirmation",
                           "tern would copy the state from %s to %s%s. "
                           "There is no terminal to confirm it on: run "
                           "\"tern init -force-copy\" to copy without "
                           "asking.",
                           from.desc, to.desc,
                           doc_has_state(dst)
                               ? ", replacing the state already there"
                               : "");
            error = TERN_EINVALID;
            goto done;
        }
        snprintf(q, sizeof(q),
                 "Do you want to copy existing state to the new backend?\n"
                 "  Pre-existing state was found in %s. %s\n"
                 "  Enter \"yes\" to copy and \"no\" to start with %s.\n\n"
                 "  Enter a value: ",
                 from.desc,
                 doc_has_state(dst)
                     ? "There is also a state in the new place, which the "
                       "copy replaces."
                     : "No existing state was found in the new place.",
                 doc_has_state(dst) ? "the state there" : "an empty state");
        if (!confirm(ctx, q)) {
            fprintf(ctx->ui.out, "The state was not copied.\n");
            goto done;
        }
    }
    if ((error = write_place(ctx, &to, src)) != 0)
        goto done;
    fprintf(ctx->ui.out,
            "Copied the state from %s to %s (serial %lld, %zu resources).\n",
            from.desc, to.desc,
            (long long)json_integer_value(json_object_get(src, "serial")),
            json_array_size(json_object_get(src, "resources")));
done:
    tern_free(local);
    json_decref(src);
    json_decref(dst);
    return error;
}
