/*
 * Workspaces: `tern workspace new|select|list|show|delete`, the selected
 * workspace and where each workspace keeps its state.
 *
 * As Terraform (internal/command/workspace_*.go, meta.go): the selected
 * workspace is the name in DATA_DIR/environment (`.terraform/environment`,
 * written by select and new), unless TF_WORKSPACE overrides it; "default"
 * when neither says. A name must be what Go's url.PathEscape leaves
 * unchanged.
 *
 * Where the state lives:
 *  - local: the default workspace's state is the usual database
 *    (tern.tfstate.db, or backend "local" { path }); another workspace's is
 *    tern.tfstate.d/NAME/tern.tfstate.db, as Terraform keeps
 *    terraform.tfstate.d/NAME/terraform.tfstate. A workspace exists when
 *    its directory does (internal/backend/local/backend.go).
 *  - s3: the object KEY for "default", WORKSPACE_KEY_PREFIX/NAME/KEY for
 *    the others (prefix "env:"); the workspaces are "default" and the
 *    names found by ListObjectsV2 under the prefix whose key ends in /KEY
 *    (internal/backend/remote-state/s3/backend_state.go). A new workspace
 *    is an object holding an empty state.
 *
 * The messages are Terraform's (workspace_command.go), with "tern" for
 * "terraform"; like Terraform these commands print most of their errors
 * as plain text on stderr, not as diagnostics.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/s3.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/vec.h"

const char *cli_data_dir(void)
{
    const char *d = getenv("TF_DATA_DIR");

    return d && *d ? d : ".terraform";
}

char *cli_data_path(const char *name)
{
    return tern_asprintf("%s/%s", cli_data_dir(), name);
}

int cli_workspace_valid(const char *name)
{
    const char *p;

    if (!name || !*name)
        return 0;
    /* url.PathEscape keeps the unreserved characters and, in a path
     * segment, $ & + : = @ (Go net/url shouldEscape). */
    for (p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("-_.~$&+:=@", c)))
            return 0;
    }
    return 1;
}

int cli_workspace_current(struct cli_ctx *ctx)
{
    const char *env = getenv("TF_WORKSPACE");
    char *path, buf[512];
    size_t n = 0;
    FILE *f;

    if (ctx->workspace)
        return TERN_OK;
    if (env && *env) {
        if (!cli_workspace_valid(env)) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Error selecting workspace: Invalid workspace "
                           "name set using TF_WORKSPACE",
                           "TF_WORKSPACE is \"%s\": a workspace name must "
                           "contain only URL safe characters, and no path "
                           "separators.",
                           env);
            return TERN_EINVALID;
        }
        ctx->workspace_overridden = 1;
        ctx->workspace = tern_strdup(env);
        return ctx->workspace ? TERN_OK : TERN_ENOMEM;
    }
    path = tern_asprintf("%s/environment", cli_data_dir());
    if (!path)
        return TERN_ENOMEM;
    f = fopen(path, "r");
    tern_free(path);
    if (f) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    /* strings.TrimSpace */
    while (n > 0 && strchr(" \t\r\n\v\f", buf[n - 1]))
        buf[--n] = '\0';
    path = buf;
    while (*path && strchr(" \t\r\n\v\f", *path))
        path++;
    ctx->workspace = tern_strdup(*path ? path : "default");
    return ctx->workspace ? TERN_OK : TERN_ENOMEM;
}

char *cli_workspace_state_path(const char *name)
{
    return tern_asprintf(CLI_WORKSPACE_DIR "/%s/" TERN_STATE_DEFAULT_PATH,
                         name);
}

/* ---- Output ------------------------------------------------------------ */

/* Go's %q for the names these messages quote. */
static void quote(tern_buf *b, const char *s)
{
    tern_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            tern_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            tern_buf_puts(b, "\\n");
        else if (c == '\t')
            tern_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            tern_buf_printf(b, "\\x%02x", c);
        else
            tern_buf_putc(b, (char)c);
    }
    tern_buf_putc(b, '"');
}

/*
 * Print @fmt to @f with each %Q replaced by the next name quoted as Go's
 * %q does, then a newline (cli.Ui's Output and Error add one).
 */
static void say(FILE *f, const char *fmt, const char *name)
{
    tern_buf b = TERN_BUF_INIT;
    const char *p;

    for (p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 'Q') {
            quote(&b, name);
            p++;
        } else {
            tern_buf_putc(&b, *p);
        }
    }
    tern_buf_putc(&b, '\n');
    cli_ui_write(f, &b);
    tern_buf_release(&b);
}

#define ENV_EXISTS "Workspace %Q already exists"
#define ENV_DOES_NOT_EXIST                                                     \
    "Workspace %Q doesn't exist.\n\n"                                          \
    "You can create this workspace with the \"new\" subcommand \n"             \
    "or include the \"-or-create\" flag with the \"select\" subcommand."
#define ENV_CREATED_TAIL                                                       \
    "\n\nYou're now on a new, empty workspace. Workspaces isolate their "      \
    "state,\nso if you run \"tern plan\" tern will not see any existing "      \
    "state\nfor this configuration."
#define ENV_DEL_CURRENT                                                        \
    "Workspace %Q is your active workspace.\n\n"                               \
    "You cannot delete the currently active workspace. Please switch\n"        \
    "to another workspace and try again."
#define ENV_INVALID_NAME                                                       \
    "\nThe workspace name %Q is not allowed. The name must contain only URL "  \
    "safe\ncharacters, and no path separators.\n"
#define ENV_OVERRIDDEN_SELECT                                                  \
    "\nThe selected workspace is currently overridden using the "              \
    "TF_WORKSPACE\nenvironment variable.\n\nTo select a new workspace, "       \
    "either update this environment variable or unset\nit and then run "       \
    "this command again.\n"
#define ENV_OVERRIDDEN_NEW                                                     \
    "\nThe workspace is currently overridden using the TF_WORKSPACE "          \
    "environment\nvariable. You cannot create a new workspace when using "     \
    "this setting.\n\nTo create a new workspace, either unset this "           \
    "environment variable or update it\nto match the workspace name you "      \
    "are trying to create, and then run this command\nagain.\n"

static void say_created(struct cli_ctx *ctx, const char *name)
{
    tern_buf b = TERN_BUF_INIT;

    tern_buf_printf(&b, "%s%s%sCreated and switched to workspace ",
                    cli_c_reset(&ctx->ui), cli_c_green(&ctx->ui),
                    cli_c_bold(&ctx->ui));
    quote(&b, name);
    tern_buf_printf(&b, "!%s%s" ENV_CREATED_TAIL "%s\n", cli_c_reset(&ctx->ui),
                    cli_c_green(&ctx->ui), cli_c_reset(&ctx->ui));
    cli_ui_write(stdout, &b);
    tern_buf_release(&b);
}

static void say_colored(struct cli_ctx *ctx, const char *color, const char *fmt,
                        const char *name)
{
    tern_buf b = TERN_BUF_INIT;
    char *full;

    tern_buf_printf(&b, "%s%s%s", cli_c_reset(&ctx->ui), color, fmt);
    if (*color)
        tern_buf_puts(&b, cli_c_reset(&ctx->ui));
    full = tern_buf_detach(&b);
    if (full)
        say(stdout, full, name);
    tern_free(full);
}

/* ---- The workspaces of a backend ---------------------------------------- */

struct names {
    char **items;
    size_t n, alloc;
};

static int names_add(struct names *l, const char *s, size_t len)
{
    if (TERN_VEC_RESERVE(l->items, l->alloc, l->n + 1) != TERN_OK)
        return TERN_ENOMEM;
    l->items[l->n] = tern_strndup(s, len);
    return l->items[l->n++] ? TERN_OK : TERN_ENOMEM;
}

static void names_free(struct names *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        tern_free(l->items[i]);
    tern_free(l->items);
    memset(l, 0, sizeof(*l));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int names_has(const struct names *l, const char *s)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}

struct s3_list {
    struct names *out;
    const char *prefix; /* "env:/" */
    const char *key;
};

/* backend_state.go keyEnv(): PREFIX/NAME/KEY gives NAME. */
static int on_key(void *ud, const char *name, int is_prefix)
{
    struct s3_list *sl = ud;
    size_t plen = strlen(sl->prefix);
    const char *rest, *slash;

    if (is_prefix || strncmp(name, sl->prefix, plen) != 0)
        return TERN_OK;
    rest = name + plen;
    slash = strchr(rest, '/');
    if (!slash || strcmp(slash + 1, sl->key) != 0)
        return TERN_OK;
    return names_add(sl->out, rest, (size_t)(slash - rest));
}

/* The backend's workspaces: "default" first, then the others sorted. */
static int list_workspaces(struct cli_ctx *ctx, struct names *out)
{
    int error;

    if ((error = names_add(out, "default", 7)) != 0)
        return error;
    if (ctx->backend_cfg) {
        const char *prefix = json_string_value(
            json_object_get(ctx->backend_cfg, "workspace_key_prefix"));
        struct s3_list sl;
        tern_backend_s3 *b = NULL;
        char *pfx;

        if ((error = cli_backend_new(ctx, NULL, &b)) != 0)
            return error;
        pfx = tern_asprintf("%s/", prefix ? prefix : "env:");
        if (!pfx) {
            tern_backend_s3_free(b);
            return TERN_ENOMEM;
        }
        sl.out = out;
        sl.prefix = pfx;
        sl.key = json_string_value(json_object_get(ctx->backend_cfg, "key"));
        if (!sl.key)
            sl.key = "";
        error = tern_backend_s3_list(b, pfx, on_key, &sl, &ctx->diags);
        tern_free(pfx);
        tern_backend_s3_free(b);
        if (error)
            return error;
    } else {
        DIR *d = opendir(CLI_WORKSPACE_DIR);
        struct dirent *e;

        if (!d && errno != ENOENT) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Failed to read the workspaces", "%s: %s.",
                           CLI_WORKSPACE_DIR, strerror(errno));
            return TERN_ERROR;
        }
        while (d && (e = readdir(d)) != NULL) {
            struct stat st;
            char *p;

            if (e->d_name[0] == '.')
                continue;
            p = tern_asprintf(CLI_WORKSPACE_DIR "/%s", e->d_name);
            if (!p) {
                closedir(d);
                return TERN_ENOMEM;
            }
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
                (error = names_add(out, e->d_name, strlen(e->d_name))) != 0) {
                tern_free(p);
                closedir(d);
                return error;
            }
            tern_free(p);
        }
        if (d)
            closedir(d);
    }
    if (out->n > 1)
        qsort(out->items + 1, out->n - 1, sizeof(*out->items), cmp_str);
    return TERN_OK;
}

int cli_workspace_names(struct cli_ctx *ctx, json_t *cfg, char ***names,
                        size_t *count)
{
    struct names l;
    json_t *saved = ctx->backend_cfg;
    int error;

    memset(&l, 0, sizeof(l));
    ctx->backend_cfg = cfg;
    error = list_workspaces(ctx, &l);
    ctx->backend_cfg = saved;
    if (error) {
        names_free(&l);
        return error;
    }
    *names = l.items;
    *count = l.n;
    return TERN_OK;
}

void cli_workspace_names_free(char **names, size_t count)
{
    struct names l;

    l.items = names;
    l.n = count;
    l.alloc = count;
    names_free(&l);
}

/* Write DATA_DIR/environment (meta.go SetWorkspace). */
int cli_workspace_set(const char *name)
{
    const char *dir = cli_data_dir();
    char *path = tern_asprintf("%s/environment", dir);
    size_t len = strlen(name);
    int fd, ok;

    if (!path)
        return TERN_ENOMEM;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fd = -1;
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                  0644);
    }
    ok = fd >= 0 && write(fd, name, len) == (ssize_t)len;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "Error selecting workspace: %s: %s\n", path,
                strerror(errno));
    tern_free(path);
    return ok ? TERN_OK : TERN_ERROR;
}

/*
 * The state of workspace @name: for S3 a fresh working copy pulled from
 * its object (*b receives the backend, locked when @lock), locally the
 * database opened (and locked when @lock). *st is NULL when there is no
 * state yet.
 */
static int open_workspace_state(struct cli_ctx *ctx, const char *name, int lock,
                                int create, tern_backend_s3 **b,
                                tern_state **st)
{
    int error;

    *st = NULL;
    *b = NULL;
    if (ctx->backend_cfg) {
        if ((error = cli_backend_new(ctx, name, b)) != 0)
            return error;
        if (mkdir(cli_data_dir(), 0700) != 0 && errno != EEXIST) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Cannot create the data directory", "%s: %s.",
                           cli_data_dir(), strerror(errno));
            return TERN_ERROR;
        }
        if (lock && (error = tern_backend_s3_lock(*b, ctx->cmd->name,
                                                  ctx->opts.lock_timeout_ms,
                                                  &ctx->diags)) != 0)
            return error;
        {
            char *copy = cli_data_path(CLI_BACKEND_WORKING_COPY);

            error = copy ? tern_backend_s3_pull(*b, copy, ctx->cmd->name,
                                                create, st, &ctx->diags)
                         : TERN_ENOMEM;
            tern_free(copy);
            return error;
        }
    } else {
        tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
        struct tern_diags diags = TERN_DIAGS_INIT;
        char *path = strcmp(name, "default") == 0
                         ? tern_strdup(ctx->state_path)
                         : cli_workspace_state_path(name);

        if (!path)
            return TERN_ENOMEM;
        so.path = path;
        so.create = create;
        so.lock = lock;
        so.lock_timeout_ms = ctx->opts.lock_timeout_ms;
        so.operation = ctx->cmd->name;
        error = tern_state_open(st, &so, &diags);
        tern_free(path);
        if (error == TERN_ENOTFOUND) {
            tern_diags_release(&diags);
            error = TERN_OK;
        }
        tern_diags_move(&ctx->diags, &diags);
        return error;
    }
}

static int close_workspace_state(struct cli_ctx *ctx, tern_backend_s3 *b,
                                 tern_state *st, int push, int rc)
{
    int error = TERN_OK;

    if (b && st && push)
        error = tern_backend_s3_push(b, st, NULL, &ctx->diags);
    tern_state_free(st);
    if (b) {
        tern_backend_s3_unlock(b, &ctx->diags);
        tern_backend_s3_free(b);
    }
    return rc ? rc : error;
}

/* The backend block (when any), resolved as init saved it. */
static int load_backend(struct cli_ctx *ctx)
{
    int error =
        cli_config_backend_s3(ctx->config, &ctx->backend_cfg, &ctx->diags);

    if (error == TERN_OK && ctx->backend_cfg)
        error = cli_backend_resolve(ctx);
    if (error == TERN_OK && !ctx->backend_cfg)
        error = cli_backend_check_unset(ctx);
    if (error == TERN_OK && !ctx->backend_cfg) {
        char *path = NULL;

        error = cli_config_backend_path(ctx->config, &path, &ctx->diags);
        ctx->state_path = path ? path : tern_strdup(TERN_STATE_DEFAULT_PATH);
        if (error == TERN_OK && !ctx->state_path)
            error = TERN_ENOMEM;
    }
    return error;
}

/* Create workspace @name's state: a directory, or an empty object. */
static int create_workspace(struct cli_ctx *ctx, const char *name)
{
    tern_backend_s3 *b = NULL;
    tern_state *st = NULL;
    int error;

    if (!ctx->backend_cfg) {
        char *dir = tern_asprintf(CLI_WORKSPACE_DIR "/%s", name);

        if (!dir)
            return TERN_ENOMEM;
        error = TERN_OK;
        if ((mkdir(CLI_WORKSPACE_DIR, 0755) != 0 && errno != EEXIST) ||
            (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Failed to create the workspace", "%s: %s.", dir,
                           strerror(errno));
            error = TERN_ERROR;
        }
        tern_free(dir);
        return error;
    }
    /* backend_state.go StateMgr: an empty state object, written under the
     * lock, unless another run wrote one meanwhile. */
    error = open_workspace_state(ctx, name, ctx->opts.lock, 1, &b, &st);
    return close_workspace_state(ctx, b, st, 1, error);
}

static int refuse_invalid(const char *name)
{
    if (cli_workspace_valid(name))
        return 0;
    say(stderr, ENV_INVALID_NAME, name);
    return 1;
}

int cli_cmd_workspace_show(struct cli_ctx *ctx)
{
    int error = cli_workspace_current(ctx);

    if (error)
        return error;
    printf("%s\n", ctx->workspace);
    return TERN_OK;
}

int cli_cmd_workspace_list(struct cli_ctx *ctx)
{
    struct names l = {0};
    tern_buf b = TERN_BUF_INIT;
    size_t i;
    int error;

    if ((error = cli_workspace_current(ctx)) != 0 ||
        (error = load_backend(ctx)) != 0 ||
        (error = list_workspaces(ctx, &l)) != 0)
        goto done;
    if (ctx->workspace_overridden)
        tern_diags_add(&ctx->diags, TERN_SEV_WARNING, NULL,
                       "The active workspace is being overridden using the "
                       "TF_WORKSPACE environment variable.",
                       NULL);
    for (i = 0; i < l.n; i++)
        tern_buf_printf(&b, "%s%s\n",
                        strcmp(l.items[i], ctx->workspace) == 0 ? "* " : "  ",
                        l.items[i]);
    tern_buf_putc(&b, '\n');
    /* Warnings before the list, as Terraform prints them. */
    cli_ui_diags(&ctx->ui, &ctx->diags, NULL);
    tern_diags_release(&ctx->diags);
    cli_ui_write(stdout, &b);
done:
    tern_buf_release(&b);
    names_free(&l);
    return error;
}

int cli_cmd_workspace_select(struct cli_ctx *ctx)
{
    const char *name = ctx->opts.args.items[0];
    struct names l = {0};
    int error, created = 0;

    if ((error = cli_workspace_current(ctx)) != 0)
        return error;
    if (ctx->workspace_overridden) {
        say(stderr, ENV_OVERRIDDEN_SELECT, name);
        return CLI_RC_STATUS(1);
    }
    if ((error = load_backend(ctx)) != 0)
        return error;
    if (refuse_invalid(name))
        return CLI_RC_STATUS(1);
    if ((error = list_workspaces(ctx, &l)) != 0)
        goto done;
    if (strcmp(name, ctx->workspace) == 0)
        goto done; /* already there */
    if (!names_has(&l, name)) {
        if (!ctx->opts.or_create) {
            /* select prints the message untrimmed */
            say(stderr, "\n" ENV_DOES_NOT_EXIST, name);
            error = CLI_RC_STATUS(1);
            goto done;
        }
        if ((error = create_workspace(ctx, name)) != 0)
            goto done;
        created = 1;
    }
    if ((error = cli_workspace_set(name)) != 0) {
        error = CLI_RC_STATUS(1);
        goto done;
    }
    if (created)
        say_created(ctx, name);
    else
        say_colored(ctx, cli_c_green(&ctx->ui), "Switched to workspace %Q.",
                    name);
done:
    names_free(&l);
    return error;
}

/* A v4 state file copied into the new workspace (new -state=PATH). */
static int copy_state_file(struct cli_ctx *ctx, const char *name,
                           const char *file)
{
    tern_backend_s3 *b = NULL;
    tern_state *st = NULL;
    json_error_t jerr;
    int error, oom = 0;
    json_t *doc = tern_json_load_file(file, 0, &jerr, &oom);

    if (oom)
        return TERN_ENOMEM; /* not "Failed to read the state file" */
    if (!doc) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Failed to read the state file",
                       "%s (given with -state): %s. The workspace was created "
                       "empty.",
                       file, jerr.text);
        return TERN_EINVALID;
    }
    error = open_workspace_state(ctx, name, ctx->opts.lock, 1, &b, &st);
    if (error == TERN_OK)
        error =
            tern_state_import(st, doc, TERN_STATE_IMPORT_FORCE, &ctx->diags);
    json_decref(doc);
    return close_workspace_state(ctx, b, st, error == TERN_OK, error);
}

int cli_cmd_workspace_new(struct cli_ctx *ctx)
{
    const char *name = ctx->opts.args.items[0];
    struct names l = {0};
    int error;

    if ((error = cli_workspace_current(ctx)) != 0)
        return error;
    if (refuse_invalid(name))
        return CLI_RC_STATUS(1);
    if (ctx->workspace_overridden && strcmp(ctx->workspace, name) != 0) {
        say(stderr, ENV_OVERRIDDEN_NEW, name);
        return CLI_RC_STATUS(1);
    }
    if ((error = load_backend(ctx)) != 0)
        return error;
    if ((error = list_workspaces(ctx, &l)) != 0)
        goto done;
    if (names_has(&l, name)) {
        say(stderr, ENV_EXISTS, name);
        error = CLI_RC_STATUS(1);
        goto done;
    }
    if ((error = create_workspace(ctx, name)) != 0)
        goto done;
    if ((error = cli_workspace_set(name)) != 0) {
        error = CLI_RC_STATUS(1);
        goto done;
    }
    say_created(ctx, name);
    if (ctx->opts.state_path)
        error = copy_state_file(ctx, name, ctx->opts.state_path);
done:
    names_free(&l);
    return error;
}

/* Remove a local workspace's directory and the files in it. */
static int remove_local(const char *name)
{
    char *dir = tern_asprintf(CLI_WORKSPACE_DIR "/%s", name);
    DIR *d;
    struct dirent *e;
    int error = TERN_OK;

    if (!dir)
        return TERN_ENOMEM;
    d = opendir(dir);
    while (d && (e = readdir(d)) != NULL) {
        char *p;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p = tern_asprintf("%s/%s", dir, e->d_name);
        if (!p || unlink(p) != 0)
            error = p ? TERN_ERROR : TERN_ENOMEM;
        tern_free(p);
    }
    if (d)
        closedir(d);
    if (error == TERN_OK && rmdir(dir) != 0)
        error = TERN_ERROR;
    if (error == TERN_ERROR)
        fprintf(stderr, "remove %s: %s\n", dir, strerror(errno));
    tern_free(dir);
    return error == TERN_ERROR ? CLI_RC_STATUS(1) : error;
}

int cli_cmd_workspace_delete(struct cli_ctx *ctx)
{
    const char *name = ctx->opts.args.items[0];
    struct names l = {0};
    tern_backend_s3 *b = NULL;
    tern_state *st = NULL;
    tern_state_resource *list = NULL;
    size_t n = 0, i, managed = 0;
    tern_buf held = TERN_BUF_INIT;
    int error;

    if ((error = load_backend(ctx)) != 0 ||
        (error = list_workspaces(ctx, &l)) != 0)
        goto done;
    if (!names_has(&l, name)) {
        say(stderr, ENV_DOES_NOT_EXIST, name);
        error = CLI_RC_STATUS(1);
        goto done;
    }
    if ((error = cli_workspace_current(ctx)) != 0)
        goto done;
    if (strcmp(name, ctx->workspace) == 0) {
        say(stderr, ENV_DEL_CURRENT, name);
        error = CLI_RC_STATUS(1);
        goto done;
    }
    /* The state, under its lock, to see whether it is empty. */
    error = open_workspace_state(ctx, name, ctx->opts.lock, 0, &b, &st);
    if (error == TERN_OK && st)
        error = tern_state_list(st, &list, &n, &ctx->diags);
    if (error) {
        close_workspace_state(ctx, b, st, 0, error);
        goto done;
    }
    for (i = 0; i < n; i++) {
        char *addr;

        if (list[i].mode != TERN_STATE_MANAGED)
            continue;
        addr = tern_state_resource_address(&list[i]);
        tern_buf_printf(&held, "\n  - %s", addr ? addr : "?");
        tern_free(addr);
        managed++;
    }
    /* Released before the state goes, as Terraform does. */
    close_workspace_state(ctx, b, st, 0, TERN_OK);
    b = NULL;
    st = NULL;
    if (managed && !ctx->opts.force) {
        tern_diags_add(
            &ctx->diags, TERN_SEV_ERROR, NULL, "Workspace is not empty",
            "Workspace \"%s\" is currently tracking the following resource "
            "instances:%s\n\nDeleting this workspace would cause tern to lose "
            "track of any associated remote objects, which would then require "
            "you to delete them manually outside of tern. You should destroy "
            "these objects with tern before deleting the workspace.\n\nIf you "
            "want to delete this workspace anyway, and have tern forget about "
            "these managed objects, use the -force option to disable this "
            "safety check.",
            name, held.ptr ? held.ptr : "");
        error = TERN_ECONFLICT;
        goto done;
    }
    /* backend.DeleteWorkspace */
    if (strcmp(name, "default") == 0) {
        fprintf(stderr, "can't delete default state\n");
        error = CLI_RC_STATUS(1);
        goto done;
    }
    if (ctx->backend_cfg) {
        if ((error = cli_backend_new(ctx, name, &b)) == TERN_OK)
            error = tern_backend_s3_delete_state(b, &ctx->diags);
        tern_backend_s3_free(b);
        if (error)
            goto done;
    } else if ((error = remove_local(name)) != 0) {
        goto done;
    }
    say_colored(ctx, cli_c_green(&ctx->ui), "Deleted workspace %Q!", name);
    if (managed)
        say_colored(ctx, cli_c_yellow(&ctx->ui),
                    "WARNING: %Q was non-empty.\nThe resources managed by the "
                    "deleted workspace may still exist,\nbut are no longer "
                    "manageable by tern since the state has\nbeen deleted.\n",
                    name);
done:
    tern_state_resources_free(list, n);
    tern_buf_release(&held);
    names_free(&l);
    return error;
}
