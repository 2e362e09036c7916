/*
 * `tern init -migrate-state`: copy the states from the backend init
 * configured last time to the one the configuration names now: local to
 * S3, S3 to local, S3 to another bucket or key. As Terraform's init
 * (hashicorp/terraform internal/command/meta_backend_migrate.go):
 * -force-copy implies -migrate-state and answers "yes" to every question;
 * -migrate-state and -reconfigure exclude each other.
 *
 * Both backends have workspaces (local: tern.tfstate.d/NAME, S3:
 * WORKSPACE_KEY_PREFIX/NAME/KEY). When the source has only "default",
 * that one state is copied (backendMigrateState_s_s): on a terminal the
 * copy is confirmed, and a destination that already holds a state is only
 * overwritten when confirmed (or with -force-copy). When it has others,
 * every workspace moves (backendMigrateState_S_S): one question, "Do you
 * want to migrate all workspaces to ...?", then each workspace in
 * alphabetical order under the same name, replacing what the destination
 * holds under that name; a workspace whose state is empty is skipped.
 *
 * What is copied is the v4 document (lineage, serial, resources, outputs)
 * and tern's "tern" extension: the intents, and the history (a local
 * store's is bounded as the S3 object's: tern_backend_s3_history_add); see
 * README "The S3 backend".
 *
 * After init configured an S3 backend, the selected workspace must exist
 * there (meta_backend.go selectWorkspace): when it does not, the only
 * workspace is selected, or on a terminal the user picks one; without a
 * terminal it is an error.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/s3.h"
#include "util/alloc.h"
#include "util/buf.h"

/* One workspace's state in a backend: S3 (cfg the backend's arguments) or
 * a local file. */
struct place {
    json_t *cfg;     /* S3 arguments, or NULL for local */
    const char *ws;  /* the workspace */
    char path[1024]; /* local */
    char desc[1200]; /* for messages */
};

/* The local state of workspace @ws: "default" at @dflt, another in
 * tern.tfstate.d/NAME/. */
static void place_init(struct place *p, json_t *cfg, const char *ws,
                       const char *dflt)
{
    memset(p, 0, sizeof(*p));
    p->cfg = cfg;
    p->ws = ws;
    if (strcmp(ws, "default") == 0)
        snprintf(p->path, sizeof(p->path), "%s", dflt);
    else
        snprintf(p->path, sizeof(p->path), CLI_WORKSPACE_DIR "/%s/%s", ws,
                 TERN_STATE_DEFAULT_PATH);
    if (cfg) {
        const char *prefix =
            json_string_value(json_object_get(cfg, "workspace_key_prefix"));
        const char *bucket = json_string_value(json_object_get(cfg, "bucket"));
        const char *key = json_string_value(json_object_get(cfg, "key"));

        if (strcmp(ws, "default") == 0)
            snprintf(p->desc, sizeof(p->desc), "s3://%s/%s", bucket, key);
        else
            snprintf(p->desc, sizeof(p->desc), "s3://%s/%s/%s/%s", bucket,
                     prefix ? prefix : "env:", ws, key);
    } else {
        snprintf(p->desc, sizeof(p->desc), "the local state %s", p->path);
    }
}

/* A backend for @p's S3 object. */
static int backend_for(struct cli_ctx *ctx, struct place *p,
                       tern_backend_s3 **b)
{
    json_t *saved = ctx->backend_cfg;
    int error;

    ctx->backend_cfg = p->cfg;
    error = cli_backend_new(ctx, p->ws, b);
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
        if ((error = backend_for(ctx, p, &b)) == TERN_OK)
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
    if (error == TERN_OK && tern_state_serial(st) > 0 &&
        (error = tern_state_export(st, -1, doc, &ctx->diags)) == TERN_OK) {
        /* The history comes along, in the extension (bounded as in the
         * S3 object). */
        json_t *ext = json_pack("{s:i, s:[]}", "format", 1, "intents");

        if (!ext || json_object_set_new(*doc, "tern", ext) != 0)
            error = TERN_ENOMEM;
        else
            error = tern_backend_s3_history_add(st, ext, &ctx->diags);
    }
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
    json_t *ext = NULL;
    tern_backend_s3 *b = NULL;
    tern_state *st = NULL;
    int error;

    if (p->cfg) {
        json_t *old = NULL;

        if ((error = backend_for(ctx, p, &b)) != 0)
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
    if (strcmp(p->ws, "default") != 0) {
        char dir[1100];

        snprintf(dir, sizeof(dir), CLI_WORKSPACE_DIR "/%s", p->ws);
        if ((mkdir(CLI_WORKSPACE_DIR, 0755) != 0 && errno != EEXIST) ||
            (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Failed to create the workspace", "%s: %s.", dir,
                           strerror(errno));
            return TERN_ERROR;
        }
    }
    so.path = p->path;
    so.create = 1;
    so.lock = ctx->opts.lock;
    so.lock_timeout_ms = ctx->opts.lock_timeout_ms;
    so.operation = "init";
    if ((error = tern_state_open(&st, &so, &ctx->diags)) != 0)
        goto done;
    ext = json_incref(json_object_get(doc, "tern"));
    json_object_del(doc, "tern");
    error = tern_state_import(st, doc, TERN_STATE_IMPORT_FORCE, &ctx->diags);
    /* The history the extension carries replaces what the import
     * recorded. */
    if (error == TERN_OK)
        error = tern_backend_s3_history_load(st, ext, &ctx->diags);
done:
    json_decref(ext);
    tern_state_free(st);
    tern_backend_s3_free(b);
    return error;
}

/* One state from @from to @to, asking first unless @ask is 0 (single
 * state: Terraform's backendMigrateState_s_s). */
static int migrate_one(struct cli_ctx *ctx, struct place *from,
                       struct place *to, int ask, int *copied)
{
    json_t *src = NULL, *dst = NULL;
    int error;

    *copied = 0;
    if ((error = read_place(ctx, from, &src)) != 0)
        goto done;
    if (!src || (!ask && !doc_has_state(src))) {
        if (ask)
            fprintf(ctx->ui.out, "No state in %s: nothing to migrate.\n",
                    from->desc);
        goto done;
    }
    if (ask && (error = read_place(ctx, to, &dst)) != 0)
        goto done;
    if (ask && !ctx->opts.force_copy) {
        char q[4096];

        if (!ctx->ui.interactive) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "State migration needs confirmation",
                           "tern would copy the state from %s to %s%s. "
                           "There is no terminal to confirm it on: run "
                           "\"tern init -force-copy\" to copy without "
                           "asking.",
                           from->desc, to->desc,
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
                 from->desc,
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
    if ((error = write_place(ctx, to, src)) != 0)
        goto done;
    *copied = 1;
    if (ask)
        fprintf(ctx->ui.out,
                "Copied the state from %s to %s (serial %lld, %zu "
                "resources).\n",
                from->desc, to->desc,
                (long long)json_integer_value(json_object_get(src, "serial")),
                json_array_size(json_object_get(src, "resources")));
    else
        fprintf(ctx->ui.out,
                "Copied the workspace \"%s\" from %s to %s (serial %lld, %zu "
                "resources).\n",
                from->ws, from->desc, to->desc,
                (long long)json_integer_value(json_object_get(src, "serial")),
                json_array_size(json_object_get(src, "resources")));
done:
    json_decref(src);
    json_decref(dst);
    return error;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_migrate_state(struct cli_ctx *ctx, json_t *from_cfg)
{
    const char *from_type = from_cfg ? "s3" : "local";
    const char *to_type = ctx->backend_cfg ? "s3" : "local";
    const char *to_default = TERN_STATE_DEFAULT_PATH;
    struct place from, to;
    char *backend_path = NULL;
    char **names = NULL;
    size_t n = 0, i, len = 0;
    char list[2048];
    int error, copied;

    if (!from_cfg && !ctx->backend_cfg)
        return TERN_OK; /* local to local: nothing to move */
    /* The local default state: the selected workspace's path when that is
     * "default", else the configuration's local path. */
    if (!ctx->backend_cfg) {
        if (!ctx->workspace || strcmp(ctx->workspace, "default") == 0)
            to_default = ctx->state_path;
        else if ((error = cli_config_backend_path(ctx->config, &backend_path,
                                                  &ctx->diags)) != 0)
            return error;
        else if (backend_path)
            to_default = backend_path;
    }
    if ((error = cli_workspace_names(ctx, from_cfg, &names, &n)) != 0)
        goto done;
    if (n <= 1) {
        /* Only "default": one state, as before. */
        place_init(&from, from_cfg, "default", TERN_STATE_DEFAULT_PATH);
        place_init(&to, ctx->backend_cfg, "default", to_default);
        error = migrate_one(ctx, &from, &to, 1, &copied);
        goto done;
    }
    /* Every workspace, alphabetically (backendMigrateState_S_S). */
    qsort(names, n, sizeof(*names), cmp_str);
    list[0] = '\0';
    for (i = 0; i < n && len < sizeof(list); i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                i ? ", " : "", names[i]);
    place_init(&from, from_cfg, "default", TERN_STATE_DEFAULT_PATH);
    place_init(&to, ctx->backend_cfg, "default", to_default);
    if (!ctx->opts.force_copy) {
        char q[4096];

        if (!ctx->ui.interactive) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "State migration needs confirmation",
                           "tern would copy every workspace (%s) from the "
                           "\"%s\" backend (%s) to the \"%s\" backend (%s), "
                           "with the same names, replacing any state of "
                           "those names there. There is no terminal to "
                           "confirm it on: run \"tern init -force-copy\" to "
                           "copy without asking.",
                           list, from_type, from.desc, to_type, to.desc);
            error = TERN_EINVALID;
            goto done;
        }
        snprintf(q, sizeof(q),
                 "Do you want to migrate all workspaces to \"%s\"?\n"
                 "  Both the existing \"%s\" backend and the newly "
                 "configured \"%s\" backend\n"
                 "  support workspaces. When migrating between backends, "
                 "tern will copy\n"
                 "  all workspaces (with the same names): %s. THIS WILL "
                 "OVERWRITE any\n"
                 "  conflicting states in the destination.\n\n"
                 "  If you answer \"yes\", tern will migrate all states. If "
                 "you answer\n"
                 "  \"no\", tern will abort.\n\n"
                 "  Enter a value: ",
                 to_type, from_type, to_type, list);
        if (!confirm(ctx, q)) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Migration aborted by user.",
                           "No workspace was copied.");
            error = TERN_EINVALID;
            goto done;
        }
    }
    for (i = 0; i < n; i++) {
        place_init(&from, from_cfg, names[i], TERN_STATE_DEFAULT_PATH);
        place_init(&to, ctx->backend_cfg, names[i], to_default);
        if ((error = migrate_one(ctx, &from, &to, 0, &copied)) != 0) {
            tern_diags_add(
                &ctx->diags, TERN_SEV_ERROR, NULL,
                "Error migrating a workspace",
                "The workspace \"%s\" could not be copied from the previous "
                "\"%s\" backend to the newly configured \"%s\" backend (see "
                "the error above). tern copies workspaces in alphabetical "
                "order: the ones before \"%s\" have been copied, the later "
                "ones have not been changed in the destination, and no "
                "workspace in the source was changed. Resolve the error and "
                "run the initialization command again: it copies every "
                "workspace again.",
                names[i], from_type, to_type, names[i]);
            goto done;
        }
        if (!copied)
            fprintf(ctx->ui.out,
                    "The workspace \"%s\" has an empty state: not copied.\n",
                    names[i]);
    }
done:
    cli_workspace_names_free(names, n);
    tern_free(backend_path);
    return error;
}

int cli_init_select_workspace(struct cli_ctx *ctx)
{
    char **names = NULL;
    size_t n = 0, i;
    const char *pick = NULL;
    char *answer = NULL;
    int error;

    if (!ctx->backend_cfg || !ctx->workspace || ctx->workspace_overridden)
        return TERN_OK;
    if ((error = cli_workspace_names(ctx, ctx->backend_cfg, &names, &n)) != 0)
        return error;
    for (i = 0; i < n; i++)
        if (strcmp(names[i], ctx->workspace) == 0)
            goto done;
    if (n == 1) {
        pick = names[0];
    } else if (!ctx->ui.interactive) {
        char summary[600];

        /* meta_backend.go: "Currently selected workspace %q does not
         * exist" */
        snprintf(summary, sizeof(summary),
                 "Currently selected workspace \"%s\" does not exist",
                 ctx->workspace);
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL, summary,
                       "The backend has no state for it. Select one of its "
                       "workspaces with \"tern workspace select NAME\", or "
                       "create it with \"tern workspace new %s\", and run "
                       "init again.",
                       ctx->workspace);
        error = TERN_EINVALID;
        goto done;
    } else {
        tern_buf q = TERN_BUF_INIT;
        char *end;
        long idx;

        tern_buf_printf(&q,
                        "\nThe currently selected workspace (%s) does not "
                        "exist.\n"
                        "  This is expected behavior when the selected "
                        "workspace did not have an\n"
                        "  existing non-empty state. Please enter a number "
                        "to select a workspace:\n\n",
                        ctx->workspace);
        for (i = 0; i < n; i++)
            tern_buf_printf(&q, "  %zu. %s\n", i + 1, names[i]);
        tern_buf_printf(&q, "\n  Enter a value: ");
        answer = q.ptr ? cli_ui_ask(&ctx->ui, q.ptr) : NULL;
        tern_buf_release(&q);
        fputc('\n', ctx->ui.out);
        idx = answer ? strtol(answer, &end, 10) : 0;
        if (!answer || !*answer || *end || idx < 1 || (size_t)idx > n) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Failed to select workspace",
                           "input not a valid number");
            error = TERN_EINVALID;
            goto done;
        }
        pick = names[idx - 1];
    }
    if ((error = cli_workspace_set(pick)) != 0)
        goto done;
    if (n == 1)
        fprintf(ctx->ui.out,
                "The selected workspace \"%s\" does not exist in the "
                "backend: selected \"%s\", its only workspace.\n",
                ctx->workspace, pick);
    tern_free(ctx->workspace);
    if (!(ctx->workspace = tern_strdup(pick))) {
        error = TERN_ENOMEM;
        goto done;
    }
    /* init reads the state of the workspace now selected. */
    if (ctx->backend) {
        tern_backend_s3_free(ctx->backend);
        ctx->backend = NULL;
        error = cli_backend_new(ctx, ctx->workspace, &ctx->backend);
    }
done:
    tern_free(answer);
    cli_workspace_names_free(names, n);
    return error;
}
