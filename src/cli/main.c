/*
 * tern's command line: one table of commands; the dispatcher, not each
 * command, handles the shared flags (docs/STYLE.md rule 2). It
 *
 *  - applies the global options (-chdir, -help, -version),
 *  - parses the flags the command's entry allows and answers -help,
 *  - decides colour (a terminal, no -no-color, no NO_COLOR) and input
 *    (a terminal and no -input=false),
 *  - resolves the state path (-state, else `backend "local" { path }`,
 *    else tern.tfstate.db), runs the command's check (what can be refused
 *    without the state) and only then opens the state, locked for the
 *    whole run with -lock/-lock-timeout when the command writes,
 *  - removes again a state it created that the command left empty and
 *    did not need (drop_new_state),
 *  - prints the diagnostics the command left, and
 *  - maps the result to an exit status, here and nowhere else.
 *
 * Only src/cli/ calls exit(); the commands return error codes.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/lang.h"
#include "tern/log.h"
#include "tern/engine.h"
#include "tern/value.h"
#include "util/alloc.h"
#include "util/env.h"
#include "util/buf.h"
#include "util/signals.h"

static int cmd_help(struct cli_ctx *ctx);

#define LOCKING_HELP                                                           \
    "  -lock=false          Don't hold a state lock during the operation.\n"   \
    "  -lock-timeout=0s     Duration to retry a state lock (e.g. 500ms, "      \
    "10s, 2m).\n"
#define STATE_HELP                                                             \
    "  -state=PATH          The state database (default: the local backend's " \
    "path,\n"                                                                  \
    "                       else " TERN_STATE_DEFAULT_PATH ").\n"

#define PLAN_FLAGS                                                             \
    (CLI_F_JSON | CLI_F_INPUT | CLI_FG_LOCKING | CLI_F_STATE | CLI_FG_VARS |   \
     CLI_F_PARALLELISM | CLI_F_REFRESH | CLI_F_TARGET | CLI_F_REPLACE)
#define PLAN_HELP                                                              \
    "  -var 'NAME=VALUE'    Set an input variable (repeatable).\n"             \
    "  -var-file=FILE       Load input variables from a .tfvars file.\n"       \
    "  -target=ADDRESS      Limit to this resource and its dependencies "      \
    "(repeatable).\n"                                                          \
    "  -replace=ADDRESS     Replace this instance (repeatable).\n"             \
    "  -refresh=false       Don't read the objects' current state first.\n"    \
    "  -parallelism=N       Steps run at once (default 10).\n"                 \
    "  -input=false         Don't ask for input.\n"                            \
    "  -json                Machine-readable output, one JSON object a "       \
    "line.\n" STATE_HELP LOCKING_HELP

static const struct cli_cmd commands[] = {
    {"plan", cli_cmd_plan, cli_check_plan,
     CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_LOCK |
         CLI_JSON_STREAM | CLI_STATE_READ_ONLY,
     PLAN_FLAGS | CLI_F_OUT | CLI_F_DESTROY | CLI_F_REFRESH_ONLY |
         CLI_F_DETAILED_EXITCODE,
     0, 0, "[options]", "Show changes required by the current configuration",
     "  -out=FILE            Save the plan to FILE for \"tern apply FILE\".\n"
     "  -destroy             Plan to destroy everything in the state.\n"
     "  -refresh-only        Only bring the state up to date.\n"
     "  -detailed-exitcode   Exit 0: no changes, 1: error, 2: "
     "changes.\n" PLAN_HELP},
    {"apply", cli_cmd_apply, cli_check_plan,
     CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_LOCK |
         CLI_JSON_STREAM,
     PLAN_FLAGS | CLI_F_AUTO_APPROVE | CLI_F_DESTROY | CLI_F_REFRESH_ONLY, 0, 1,
     "[options] [PLAN_FILE]", "Create or update infrastructure",
     "  -auto-approve        Don't ask for approval (needed without a "
     "terminal).\n"
     "  PLAN_FILE            Apply a saved plan, without asking.\n"
     "  -destroy             Destroy everything in the state.\n" PLAN_HELP},
    {"destroy", cli_cmd_apply, cli_check_plan,
     CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_LOCK |
         CLI_JSON_STREAM,
     PLAN_FLAGS | CLI_F_AUTO_APPROVE, 0, 0, "[options]",
     "Destroy previously-created infrastructure",
     "  -auto-approve        Don't ask for approval (needed without a "
     "terminal).\n" PLAN_HELP},
    {"import", cli_cmd_import, cli_check_plan,
     CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_LOCK,
     CLI_F_INPUT | CLI_FG_LOCKING | CLI_F_STATE | CLI_FG_VARS, 2, 2,
     "[options] ADDRESS ID",
     "Associate existing infrastructure with a tern "
     "resource",
     "  -var 'NAME=VALUE'    Set an input variable (repeatable).\n"
     "  -var-file=FILE       Load input variables from a .tfvars "
     "file.\n" STATE_HELP LOCKING_HELP},
    {"graph", cli_cmd_graph, cli_check_plan,
     CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_LOCK |
         CLI_STATE_READ_ONLY,
     CLI_F_TYPE | CLI_F_STATE | CLI_FG_VARS | CLI_FG_LOCKING, 0, 0, "[options]",
     "Generate a Graphviz graph of the steps in an operation",
     "  -type=plan|apply|destroy  Which graph (default plan).\n" STATE_HELP},
    {"init", cli_cmd_init, NULL, CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_PATH,
     CLI_F_INPUT | CLI_FG_LOCKING | CLI_F_BACKEND_CONFIG | CLI_F_RECONFIGURE |
         CLI_F_BACKEND | CLI_F_MIGRATE_STATE | CLI_F_FORCE_COPY,
     0, 0, "[options]", "Prepare your working directory for other commands",
     "  -input=false         Disable interactive prompts.\n"
     "  -backend-config=K=V  A backend argument (or a file of them); "
     "repeatable.\n"
     "  -reconfigure         Use the backend block as it is now, ignoring "
     "the saved\n"
     "                       configuration.\n"
     "  -backend=false       Skip the backend.\n"
     "  -migrate-state       Copy the state from the backend configured "
     "before\n"
     "                       (local or S3) to the one configured now.\n"
     "  -force-copy          -migrate-state without asking.\n" LOCKING_HELP},
    {"validate", cli_cmd_validate, NULL, 0, CLI_F_JSON, 0, 0, "[options]",
     "Check whether the configuration is valid",
     "  -json                Produce output in a machine-readable JSON "
     "format.\n"},
    {"fmt", cli_cmd_fmt, NULL, 0,
     CLI_F_CHECK | CLI_F_DIFF | CLI_F_LIST | CLI_F_RECURSIVE | CLI_F_WRITE, 0,
     -1, "[options] [target...]",
     "Reformat your configuration in the standard style",
     "  -list=false          Don't list files whose formatting differs\n"
     "                       (always disabled if using standard input).\n"
     "  -write=false         Don't write to source files\n"
     "                       (always disabled if using standard input or "
     "-check).\n"
     "  -diff                Display diffs of formatting changes.\n"
     "  -check               Check if the input is formatted. Exit status "
     "is 0 if all\n"
     "                       input is properly formatted, 3 if not, 2 on "
     "errors.\n"
     "  -recursive           Also process files in subdirectories.\n"
     "  target               Files or directories (default .), or - for "
     "standard\n"
     "                       input, printed formatted on standard output.\n"},
    {"console", cli_cmd_console, cli_check_console,
     CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_MAYBE | CLI_STATE_NO_WRITE,
     CLI_F_STATE | CLI_FG_VARS, 0, 0, "[options]",
     "Try tern expressions at an interactive command prompt",
     "  -var 'NAME=VALUE'    Set an input variable (repeatable).\n"
     "  -var-file=FILE       Load input variables from a .tfvars "
     "file.\n" STATE_HELP "\n"
     "  Evaluates each line of input against the configuration and the\n"
     "  state and prints the result; \"exit\" ends it. On a terminal it\n"
     "  prompts; with piped input it prints the last result, and the first\n"
     "  error ends it with status 1. The state is never written.\n"},
    {"show", cli_cmd_show, NULL, CLI_NEEDS_STATE_MAYBE | CLI_STATE_NO_WRITE,
     CLI_F_JSON | CLI_F_STATE, 0, 1, "[options] [path]",
     "Show the current state or a saved state",
     "  -json                Show the state in machine-readable form.\n"
     "  path                 A saved plan, or a state database to show "
     "instead of the "
     "current one.\n" STATE_HELP},
    {"output", cli_cmd_output, NULL, CLI_NEEDS_STATE_MAYBE | CLI_STATE_NO_WRITE,
     CLI_F_JSON | CLI_F_RAW | CLI_F_STATE, 0, 1, "[options] [NAME]",
     "Show output values from your root module",
     "  -json                Machine-readable output; includes sensitive "
     "values.\n"
     "  -raw                 Print a string output's value without "
     "quotes.\n" STATE_HELP},
    {"force-unlock", cli_cmd_force_unlock, NULL, CLI_NEEDS_STATE_PATH,
     CLI_F_FORCE | CLI_F_STATE, 1, 1, "[options] LOCK_ID",
     "Release a stuck lock on the current state",
     "  -force               Don't ask for confirmation.\n" STATE_HELP},
    {"version", cli_cmd_version, NULL, 0, CLI_F_JSON, 0, 0, "[options]",
     "Show the current tern version",
     "  -json                Output the version information as JSON.\n"},
    {"providers", cli_cmd_providers, NULL,
     CLI_NEEDS_CONFIG | CLI_NEEDS_STATE_MAYBE | CLI_STATE_NO_WRITE, CLI_F_STATE,
     0, 0, "[options]", "Show the providers required for this configuration",
     STATE_HELP},
    {"providers schema", cli_cmd_providers_schema, NULL, 0, CLI_F_JSON, 0, 0,
     "-json", "Show schemas for the providers used in the configuration",
     "  -json                Print the schemas as JSON (required).\n"},
    {"state list", cli_cmd_state_list, NULL,
     CLI_NEEDS_STATE | CLI_DATA_OUT | CLI_STATE_NO_WRITE,
     CLI_F_STATE | CLI_F_ID, 0, -1, "[options] [address...]",
     "List resources in the state",
     "  -id=ID               Only instances whose remote ID is "
     "ID.\n" STATE_HELP},
    {"state show", cli_cmd_state_show, NULL,
     CLI_NEEDS_STATE | CLI_DATA_OUT | CLI_STATE_NO_WRITE, CLI_F_STATE, 1, 1,
     "[options] ADDRESS", "Show a resource in the state", STATE_HELP},
    {"state rm", cli_cmd_state_rm, NULL, CLI_NEEDS_STATE | CLI_NEEDS_LOCK,
     CLI_F_STATE | CLI_FG_LOCKING | CLI_F_DRY_RUN, 1, -1,
     "[options] ADDRESS...", "Remove instances from the state",
     "  -dry-run             Only print what would be removed.\n" STATE_HELP
         LOCKING_HELP},
    {"state mv", cli_cmd_state_mv, NULL, CLI_NEEDS_STATE | CLI_NEEDS_LOCK,
     CLI_F_STATE | CLI_FG_LOCKING | CLI_F_DRY_RUN, 2, 2,
     "[options] SOURCE DESTINATION", "Move an item in the state",
     "  -dry-run             Only print what would be moved.\n" STATE_HELP
         LOCKING_HELP},
    {"state pull", cli_cmd_state_pull, NULL,
     CLI_NEEDS_STATE | CLI_DATA_OUT | CLI_STATE_NO_WRITE,
     CLI_F_STATE | CLI_F_SERIAL, 0, 0, "[options]",
     "Print the state as a Terraform v4 state file",
     "  -serial=N            The state as it was at serial N.\n" STATE_HELP},
    {"state push", cli_cmd_state_push, NULL,
     CLI_NEEDS_STATE_CREATE | CLI_NEEDS_LOCK,
     CLI_F_STATE | CLI_FG_LOCKING | CLI_F_FORCE, 1, 1, "[options] PATH",
     "Replace the state with a Terraform v4 state file",
     "  -force               Push even over another lineage or a lower "
     "serial.\n"
     "  PATH                 A state file, or - for standard "
     "input.\n" STATE_HELP LOCKING_HELP},
    {"state history", cli_cmd_state_history, NULL,
     CLI_NEEDS_STATE | CLI_STATE_NO_WRITE, CLI_F_STATE | CLI_F_JSON, 0, 0,
     "[options]", "List the recorded changes to the state",
     "  -json                Machine-readable output.\n" STATE_HELP},
    {"state migrate", cli_cmd_state_migrate, NULL,
     CLI_NEEDS_STATE_CREATE | CLI_NEEDS_LOCK, CLI_F_STATE | CLI_FG_LOCKING, 1,
     1, "[options] TERRAFORM_STATE_FILE",
     "Take over resources from a Terraform state file",
     STATE_HELP LOCKING_HELP},
    {"workspace new", cli_cmd_workspace_new, NULL, CLI_NEEDS_CONFIG,
     CLI_FG_LOCKING | CLI_F_STATE, 1, 1, "[options] NAME",
     "Create a new workspace",
     "  -lock=false          Don't hold a state lock during the operation.\n"
     "  -lock-timeout=0s     Duration to retry a state lock.\n"
     "  -state=PATH          Copy an existing state file (Terraform v4 JSON) "
     "into the\n"
     "                       new workspace.\n"},
    {"workspace select", cli_cmd_workspace_select, NULL, CLI_NEEDS_CONFIG,
     CLI_F_OR_CREATE, 1, 1, "[options] NAME", "Select a workspace",
     "  -or-create           Create the workspace if it doesn't exist.\n"},
    {"workspace list", cli_cmd_workspace_list, NULL, CLI_NEEDS_CONFIG, 0, 0, 0,
     "", "List Workspaces", ""},
    {"workspace show", cli_cmd_workspace_show, NULL, 0, 0, 0, 0, "",
     "Show the name of the current workspace", ""},
    {"workspace delete", cli_cmd_workspace_delete, NULL, CLI_NEEDS_CONFIG,
     CLI_F_FORCE | CLI_FG_LOCKING, 1, 1, "[options] NAME", "Delete a workspace",
     "  -force               Remove even a non-empty workspace.\n"
     "  -lock=false          Don't hold a state lock during the operation.\n"
     "  -lock-timeout=0s     Duration to retry a state lock.\n"},
    {"help", cmd_help, NULL, 0, 0, 0, -1, "[command]", "Show this help", ""},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL}};

static const char *const global_flags[] = {"chdir", "help", "version"};

static void usage(FILE *out)
{
    const struct cli_cmd *c;

    fprintf(out, "Usage: tern [global options] <subcommand> [args]\n\n"
                 "The available commands for execution are listed below.\n\n"
                 "Commands:\n");
    for (c = commands; c->name; c++)
        if (strchr(c->name, ' ') == NULL)
            fprintf(out, "  %-14s%s\n", c->name, c->summary);
    fprintf(out, "  %-14s%s\n", "state", "Advanced state management");
    fprintf(out, "  %-14s%s\n", "workspace", "Workspace management");
    fprintf(out, "\nGlobal options (use these before the subcommand, if "
                 "any):\n"
                 "  -chdir=DIR    Switch to a different working directory "
                 "before executing the\n"
                 "                given subcommand.\n"
                 "  -help         Show this help output, or the help for a "
                 "specified subcommand.\n"
                 "  -version      An alias for the \"version\" subcommand.\n");
}

static void group_usage(FILE *out, const char *group)
{
    const struct cli_cmd *c;
    size_t n = strlen(group);

    fprintf(out,
            "Usage: tern [global options] %s <subcommand> [options] "
            "[args]\n\nSubcommands:\n",
            group);
    for (c = commands; c->name; c++)
        if (strncmp(c->name, group, n) == 0 && c->name[n] == ' ')
            fprintf(out, "    %-10s%s\n", c->name + n + 1, c->summary);
}

static void cmd_usage(FILE *out, const struct cli_cmd *c)
{
    fprintf(out, "Usage: tern [global options] %s %s\n\n  %s.\n", c->name,
            c->usage, c->summary);
    if (c->help && *c->help)
        fprintf(out, "\nOptions:\n\n%s", c->help);
}

static const struct cli_cmd *find_cmd(const char *name)
{
    const struct cli_cmd *c;

    for (c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static int is_group(const char *name)
{
    const struct cli_cmd *c;
    size_t n = strlen(name);

    for (c = commands; c->name; c++)
        if (strncmp(c->name, name, n) == 0 && c->name[n] == ' ')
            return 1;
    return 0;
}

static int cmd_help(struct cli_ctx *ctx)
{
    const struct cli_cmd *c = NULL;

    if (ctx->opts.args.n == 0) {
        usage(stdout);
        return TERN_OK;
    }
    if (ctx->opts.args.n >= 2) {
        char *two = tern_asprintf("%s %s", ctx->opts.args.items[0],
                                  ctx->opts.args.items[1]);

        c = two ? find_cmd(two) : NULL;
        tern_free(two);
    }
    if (!c)
        c = find_cmd(ctx->opts.args.items[0]);
    if (c) {
        cmd_usage(stdout, c);
        return TERN_OK;
    }
    if (is_group(ctx->opts.args.items[0])) {
        group_usage(stdout, ctx->opts.args.items[0]);
        return TERN_OK;
    }
    tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL, "Unknown command",
                   "tern has no command named \"%s\".",
                   ctx->opts.args.items[0]);
    return TERN_EINVALID;
}

/* The usage error the dispatcher prints for bad flags or arguments. */
static int usage_error(const struct cli_cmd *c, struct cli_ctx *ctx)
{
    cli_ui_diags(&ctx->ui, &ctx->diags, NULL);
    fprintf(stderr,
            "For more help on using this command, run:\n"
            "  tern %s -help\n",
            c->name);
    return CLI_EXIT_USAGE;
}

/* -state, else the configuration's local backend path, else the default. */
static int resolve_state_path(struct cli_ctx *ctx)
{
    char *path = NULL;
    int error;

    if (ctx->opts.state_path) {
        ctx->state_path = tern_strdup(ctx->opts.state_path);
        return ctx->state_path ? TERN_OK : TERN_ENOMEM;
    }
    error = cli_config_backend_s3(ctx->config, &ctx->backend_cfg, &ctx->diags);
    if (error)
        return error;
    if (ctx->backend_cfg) {
        if ((error = cli_backend_resolve(ctx)) != 0)
            return error;
        ctx->state_path = cli_data_path(CLI_BACKEND_WORKING_COPY);
        return ctx->state_path ? TERN_OK : TERN_ENOMEM;
    }
    if ((error = cli_backend_check_unset(ctx)) != 0)
        return error;
    error = cli_config_backend_path(ctx->config, &path, &ctx->diags);
    if (error)
        return error;
    if (ctx->workspace && strcmp(ctx->workspace, "default") != 0) {
        /* Another workspace's state, created on first use as Terraform's
         * local backend does. */
        tern_free(path);
        path = cli_workspace_state_path(ctx->workspace);
        if (path && (ctx->cmd->needs & CLI_NEEDS_STATE_CREATE)) {
            char *dir = tern_asprintf(CLI_WORKSPACE_DIR "/%s", ctx->workspace);

            if (!dir ||
                (mkdir(CLI_WORKSPACE_DIR, 0755) != 0 && errno != EEXIST) ||
                (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
                tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                               "Failed to create the workspace", "%s: %s.",
                               dir ? dir : CLI_WORKSPACE_DIR, strerror(errno));
                tern_free(dir);
                tern_free(path);
                return TERN_ERROR;
            }
            tern_free(dir);
        }
        ctx->state_path = path;
        return ctx->state_path ? TERN_OK : TERN_ENOMEM;
    }
    ctx->state_path = path ? path : tern_strdup(TERN_STATE_DEFAULT_PATH);
    return ctx->state_path ? TERN_OK : TERN_ENOMEM;
}

static int open_state(struct cli_ctx *ctx)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    unsigned int needs = ctx->cmd->needs;
    int error, absent;

    so.path = ctx->state_path;
    so.create = (needs & CLI_NEEDS_STATE_CREATE) != 0;
    absent = so.create && access(ctx->state_path, F_OK) != 0 && errno == ENOENT;
    so.lock = (needs & CLI_NEEDS_LOCK) && ctx->opts.lock;
    so.lock_timeout_ms = ctx->opts.lock_timeout_ms;
    so.operation = ctx->cmd->name;
    so.readonly = (needs & CLI_STATE_NO_WRITE) != 0;
    if (so.readonly)
        so.lock = 0;
    error = tern_state_open(&ctx->state, &so, &diags);
    if (error == TERN_ENOTFOUND) {
        tern_diags_release(&diags);
        if (needs & CLI_NEEDS_STATE_MAYBE)
            return TERN_OK;
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "No state file was found!",
                       "State management commands require a state file. "
                       "There is none at %s: run this command in a directory "
                       "where tern has been run, or use the -state flag to "
                       "point it at a state database.",
                       ctx->state_path);
        return error;
    }
    tern_diags_move(&ctx->diags, &diags);
    ctx->state_created = error == TERN_OK && absent;
    return error;
}

/* Whether a state holds nothing at all: no serial, instance, output,
 * intent or history. */
static int state_is_empty(tern_state *st)
{
    tern_state_resource *list = NULL;
    tern_state_intent *intents = NULL;
    tern_state_change *changes = NULL;
    json_t *outputs = NULL;
    size_t n = 0, nintents = 0, nchanges = 0;
    int empty;

    empty = tern_state_serial(st) == 0 &&
            tern_state_list(st, &list, &n, NULL) == TERN_OK && n == 0 &&
            tern_state_outputs(st, &outputs, NULL) == TERN_OK &&
            json_object_size(outputs) == 0 &&
            tern_state_intents(st, &intents, &nintents, NULL) == TERN_OK &&
            nintents == 0 &&
            tern_state_history(st, -1, &changes, &nchanges, NULL) == TERN_OK &&
            nchanges == 0;
    tern_state_resources_free(list, n);
    tern_state_intents_free(intents, nintents);
    tern_state_changes_free(changes, nchanges);
    json_decref(outputs);
    return empty;
}

/*
 * Remove a state this run created when it is still empty and the command
 * failed or only read it (plan without -out, graph): a refused command
 * leaves no state behind, and a plan in a new directory creates none, as
 * with Terraform (a successful apply or import, a saved plan that names
 * the state's lineage, keep theirs). The commands check what they can
 * before the state opens (cmd->check); this covers what fails later.
 *
 * Only under our own lock, which a writer takes before it opens the
 * file, so no other writer can have it open; without the lock another
 * process could be writing to it. The files are unlinked while the
 * database is still open and locked: at close SQLite finds the file gone,
 * skips the checkpoint and recreates nothing. The lock file stays, as it
 * always does (state/lock.c says why).
 */
static void drop_new_state(struct cli_ctx *ctx, int rc)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    unsigned int needs = ctx->cmd->needs;
    int ok = rc == TERN_OK || rc == CLI_RC_CHANGES;
    size_t i;

    if (!ctx->state || !ctx->state_created || !(needs & CLI_NEEDS_LOCK) ||
        !ctx->opts.lock)
        return;
    if (ok && !((needs & CLI_STATE_READ_ONLY) && !ctx->opts.out))
        return;
    if (!state_is_empty(ctx->state))
        return;
    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char *path = tern_asprintf("%s%s", ctx->state_path, suffixes[i]);

        if (path)
            unlink(path);
        tern_free(path);
    }
}

/* The common preparation; returns an error code (already reported). */
static int prepare(struct cli_ctx *ctx)
{
    unsigned int needs = ctx->cmd->needs;
    unsigned int state_needs = CLI_NEEDS_STATE | CLI_NEEDS_STATE_CREATE |
                               CLI_NEEDS_STATE_MAYBE | CLI_NEEDS_STATE_PATH;
    int error = TERN_OK;

    if ((needs & CLI_NEEDS_CONFIG) ||
        ((needs & state_needs) && ctx->opts.state_path == NULL)) {
        error = cli_config_load(&ctx->config, &ctx->diags);
        if (error)
            return error;
        if ((error = cli_workspace_current(ctx)) != 0)
            return error;
        if (ctx->config &&
            !(ctx->config->workspace = tern_strdup(ctx->workspace)))
            return TERN_ENOMEM;
    }
    if (needs & state_needs) {
        if ((error = resolve_state_path(ctx)) != 0)
            return error;
    }
    if (ctx->cmd->check && (error = ctx->cmd->check(ctx)) != 0)
        return error;
    if (ctx->backend_cfg && ctx->opts.backend)
        error = cli_backend_open(ctx);
    else if (ctx->backend_cfg)
        error = TERN_OK; /* init -backend=false */
    else if (needs &
             (CLI_NEEDS_STATE | CLI_NEEDS_STATE_CREATE | CLI_NEEDS_STATE_MAYBE))
        error = open_state(ctx);
    return error;
}

static int exit_status(int rc)
{
    if (rc == TERN_OK)
        return CLI_EXIT_OK;
    if (rc == CLI_RC_CHANGES)
        return CLI_EXIT_CHANGES;
    if (rc >= CLI_RC_STATUS(0) && rc <= CLI_RC_STATUS(255))
        return rc - CLI_RC_STATUS(0);
    return CLI_EXIT_ERROR;
}

/* Go's strconv.ParseBool said false. */
static int env_false(const char *v)
{
    static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
    size_t i;

    for (i = 0; v && i < sizeof(no) / sizeof(no[0]); i++)
        if (strcmp(v, no[i]) == 0)
            return 1;
    return 0;
}

static int run(const struct cli_cmd *c, int argc, char **argv)
{
    struct cli_ctx ctx;
    const char *no_color = getenv("NO_COLOR");
    int rc, status;

    memset(&ctx, 0, sizeof(ctx));
    ctx.cmd = c;
    cli_opts_init(&ctx.opts);
    ctx.ui.out = stdout;
    ctx.ui.err = stderr;
    ctx.ui.color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
    rc = cli_flags_parse(&ctx.opts, c->flags | CLI_F_NO_COLOR, argc, argv,
                         &ctx.diags);
    if (ctx.opts.no_color)
        ctx.ui.color = 0;
    if (rc == TERN_ENOMEM)
        goto done;
    if (rc) {
        status = usage_error(c, &ctx);
        goto out;
    }
    if (ctx.opts.help) {
        cmd_usage(stdout, c);
        status = CLI_EXIT_OK;
        goto out;
    }
    if (ctx.opts.args.n < (size_t)c->min_args ||
        (c->max_args >= 0 && ctx.opts.args.n > (size_t)c->max_args)) {
        tern_diags_add(&ctx.diags, TERN_SEV_ERROR, NULL,
                       ctx.opts.args.n < (size_t)c->min_args
                           ? "Missing required argument"
                           : "Too many command line arguments",
                       "Usage: tern %s %s", c->name, c->usage);
        status = usage_error(c, &ctx);
        goto out;
    }
    /* meta.go Input(): TF_INPUT=0 (or false) disables input, whatever
     * -input says. */
    if (env_false(getenv("TF_INPUT")))
        ctx.opts.input = 0;
    ctx.ui.automation = getenv("TF_IN_AUTOMATION") != NULL &&
                        *getenv("TF_IN_AUTOMATION") != '\0';
    /* Saved plans' passphrase: from the environment only (never a flag,
     * which `ps` shows), read before any thread; never logged. */
    ctx.plan_passphrase = tern_env("TERN_PLAN_PASSPHRASE");
    if (ctx.plan_passphrase)
        tern_log_add_secret(ctx.plan_passphrase);
    ctx.ui.interactive = ctx.opts.input && isatty(STDIN_FILENO);
    /* Data on standard output (state list/show/pull, any -json document,
     * output -raw): warnings join the errors, so that a script reading the
     * data gets only the data. Otherwise warnings are on standard output,
     * as Terraform prints them. */
    ctx.ui.data_out = (c->needs & CLI_DATA_OUT) != 0 ||
                      (!(c->needs & CLI_JSON_STREAM) && ctx.opts.json) ||
                      ctx.opts.raw;
    /* -json of plan/apply/destroy is a stream of JSON lines from the start,
     * diagnostics included; other commands print one JSON document. */
    ctx.ui.json = (c->needs & CLI_JSON_STREAM) && ctx.opts.json;
    if (ctx.ui.json)
        cli_ui_json_version(&ctx.ui);
    rc = prepare(&ctx);
    if (rc == TERN_OK)
        rc = c->fn(&ctx);
    rc = cli_backend_close(&ctx, rc);
    /* meta_backend.go saves the backend block once init succeeded: a
     * failed init (a missing bucket, a refused key) leaves the record as
     * it found it, so that the next init is not a "change". */
    if (rc != TERN_OK && ctx.saved_written)
        cli_backend_restore_saved(&ctx);
done:
    /* A saved plan's diagnostics name the files of its configuration. */
    cli_ui_diags(&ctx.ui, &ctx.diags,
                 ctx.plan_config ? &ctx.plan_config->sources
                 : ctx.config    ? &ctx.config->sources
                                 : NULL);
    /* A -json stream that lost a line for lack of memory stopped there
     * (cli_ui_json_line), the diagnostics after it too. */
    if (ctx.ui.json_lost)
        rc = TERN_ENOMEM;
    if (rc == TERN_ENOMEM && (ctx.diags.errors == 0 || ctx.ui.json_lost))
        fprintf(stderr, "Error: out of memory\n");
    status = exit_status(rc);
out:
    drop_new_state(&ctx, rc);
    tern_state_free(ctx.state);
    tern_plan_free(ctx.saved_plan);
    tern_value_decref(ctx.vars);
    tern_lang_config_free(ctx.config);
    tern_lang_config_free(ctx.plan_config);
    json_decref(ctx.backend_cfg);
    json_decref(ctx.migrate_from);
    json_decref(ctx.migrate_prev);
    if (ctx.var_inputs) {
        tern_lang_var_inputs_release(ctx.var_inputs);
        tern_free(ctx.var_inputs);
    }
    tern_free(ctx.state_path);
    tern_free(ctx.workspace);
    tern_diags_release(&ctx.diags);
    cli_opts_release(&ctx.opts);
    return status;
}

/*
 * Split @s into words as a shell does (mattn/go-shellwords as Terraform
 * uses it: no variables, no backticks): blanks separate, '...' keeps
 * everything, "..." and a backslash outside quotes escape. Appends to
 * @words (owned strings). @return TERN_OK, TERN_EINVALID (an unclosed
 * quote, a trailing backslash) or TERN_ENOMEM
 */
static int shell_words(const char *s, char ***words, size_t *n)
{
    tern_buf w = TERN_BUF_INIT;
    int single = 0, dbl = 0, esc = 0, got = 0;
    const char *p;

    for (p = s;; p++) {
        char c = *p;

        if (c && esc) {
            tern_buf_putc(&w, c);
            esc = 0;
            got = 1;
            continue;
        }
        if (c == '\\' && !single) {
            esc = 1;
            continue;
        }
        if (c == '\'' && !dbl) {
            single = !single;
            got = 1;
            continue;
        }
        if (c == '"' && !single) {
            dbl = !dbl;
            got = 1;
            continue;
        }
        if (!c || ((c == ' ' || c == '\t' || c == '\n') && !single && !dbl)) {
            if (got) {
                char **grown = tern_realloc(*words, (*n + 1) * sizeof(**words));

                if (!grown) {
                    tern_buf_release(&w);
                    return TERN_ENOMEM;
                }
                *words = grown;
                (*words)[(*n)++] =
                    w.ptr ? tern_buf_detach(&w) : tern_strdup("");
                if (!(*words)[*n - 1])
                    return TERN_ENOMEM;
                got = 0;
            }
            if (!c)
                break;
            continue;
        }
        tern_buf_putc(&w, c);
        got = 1;
    }
    tern_buf_release(&w);
    return single || dbl || esc ? TERN_EINVALID : TERN_OK;
}

/*
 * TF_CLI_ARGS_<command> and TF_CLI_ARGS, as Terraform's main.go
 * mergeEnvArgs places them: after the subcommand, the command's own first,
 * then the general ones, then the command line's.
 */
static int run_with_env_args(const struct cli_cmd *c, int argc, char **argv)
{
    char **words = NULL, **args = NULL;
    size_t nwords = 0, i, k;
    char name[64];
    const char *envs[2];
    int status = CLI_EXIT_ERROR, error = TERN_OK;

    snprintf(name, sizeof(name), "TF_CLI_ARGS_%s", c->name);
    for (i = 0; name[i]; i++)
        if (name[i] == ' ' || name[i] == '-')
            name[i] = '_';
    envs[0] = name;
    envs[1] = "TF_CLI_ARGS";
    for (k = 0; k < 2 && error == TERN_OK; k++) {
        const char *v = getenv(envs[k]);

        if (v && *v &&
            (error = shell_words(v, &words, &nwords)) == TERN_EINVALID)
            fprintf(stderr,
                    "Error parsing extra CLI args from %s: invalid command "
                    "line string\n",
                    envs[k]);
    }
    if (error == TERN_OK && nwords == 0) {
        tern_free(words);
        return run(c, argc, argv);
    }
    if (error == TERN_OK) {
        args = tern_calloc(nwords + (size_t)argc + 1, sizeof(*args));
        if (args) {
            memcpy(args, words, nwords * sizeof(*args));
            memcpy(args + nwords, argv, (size_t)argc * sizeof(*args));
            status = run(c, (int)nwords + argc, args);
        }
    }
    for (i = 0; i < nwords; i++)
        tern_free(words[i]);
    tern_free(words);
    tern_free(args);
    return status;
}

static int unknown_command(const char *name)
{
    const char *cands[64];
    const char *best;
    size_t n = 0;
    const struct cli_cmd *c;

    for (c = commands; c->name && n < 62; c++)
        if (strchr(c->name, ' ') == NULL)
            cands[n++] = c->name;
    cands[n++] = "state";
    cands[n++] = "workspace";
    best = tern_lang_suggest(name, cands, n);
    fprintf(stderr, "tern has no command named \"%s\".", name);
    if (best)
        fprintf(stderr, " Did you mean \"%s\"?", best);
    fprintf(stderr, "\n\nTo see all of tern's top-level commands, run:\n"
                    "  tern -help\n\n");
    return CLI_EXIT_USAGE;
}

/*
 * libuv sizes its thread pool once per process, from UV_THREADPOOL_SIZE,
 * at the first uv_queue_work. Unless the user set it, make it large enough
 * for the -parallelism asked (at least 64); 1024 is libuv's limit. Done
 * here, before any thread exists: setenv while another thread reads the
 * environment is a data race (issue 20).
 */
static void size_pool(int argc, char **argv)
{
    long n = 64;
    char buf[16];
    int i;

    if (getenv("UV_THREADPOOL_SIZE"))
        return;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        a += (a[0] == '-') + (a[0] == '-' && a[1] == '-');
        if (strncmp(a, "parallelism=", 12) == 0) {
            long v = strtol(a + 12, NULL, 10);

            if (v > n)
                n = v > 1024 ? 1024 : v;
        }
    }
    snprintf(buf, sizeof(buf), "%ld", n);
    setenv("UV_THREADPOOL_SIZE", buf, 0);
}

int main(int argc, char **argv)
{
    const struct cli_cmd *c = NULL;
    const char *chdir_to = NULL;
    int i = 1, help = 0, version = 0;

    /* Progress lines reach a pipe (a CI log) as they happen. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Jansson and SQLite allocate through tern's allocator, set before
     * either is first used. */
    (void)tern_init();
    /* TERN_LOG / TF_LOG and TF_LOG_PATH are read (and the log file
     * opened) once, before any thread starts. */
    (void)tern_log_level();
    /* The environment is final, then signals go to one thread. */
    size_pool(argc, argv);
    if (tern_signals_start() != 0) {
        fprintf(stderr, "Error: cannot start the signal thread\n");
        return CLI_EXIT_ERROR;
    }
    /* Global options: before the subcommand. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *g = argv[i] + 1 + (argv[i][1] == '-');

        if (strncmp(g, "chdir=", 6) == 0)
            chdir_to = g + 6;
        else if (strcmp(g, "chdir") == 0 && i + 1 < argc)
            chdir_to = argv[++i];
        else if (strcmp(g, "help") == 0 || strcmp(g, "h") == 0)
            help = 1;
        else if (strcmp(g, "version") == 0 || strcmp(g, "v") == 0)
            version = 1;
        else {
            const char *best = tern_lang_suggest(g, global_flags, 3);

            fprintf(stderr,
                    "Error: Invalid global option\n\n"
                    "The global option %s is not known.%s%s%s Global options "
                    "go before the subcommand: tern [global options] "
                    "<subcommand> [args]\n",
                    argv[i], best ? " Did you mean -" : "", best ? best : "",
                    best ? "?" : "");
            return CLI_EXIT_USAGE;
        }
    }
    if (chdir_to && chdir(chdir_to) != 0) {
        fprintf(stderr, "Error handling -chdir option: chdir %s: %s\n",
                chdir_to, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    if (version && i >= argc)
        return run(find_cmd("version"), 0, argv + i);
    if (i >= argc) {
        usage(help ? stdout : stderr);
        return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (i + 1 < argc) {
        char *two = tern_asprintf("%s %s", argv[i], argv[i + 1]);

        if (!two)
            return CLI_EXIT_ERROR;
        c = find_cmd(two);
        tern_free(two);
        if (c)
            i++;
    }
    if (!c)
        c = find_cmd(argv[i]);
    if (!c && is_group(argv[i])) {
        int asked =
            help || (i + 1 < argc && (strcmp(argv[i + 1], "-help") == 0 ||
                                      strcmp(argv[i + 1], "-h") == 0));

        if (i + 1 < argc && !asked)
            fprintf(stderr, "tern has no command named \"%s %s\".\n\n", argv[i],
                    argv[i + 1]);
        group_usage(asked ? stdout : stderr, argv[i]);
        return asked ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (!c)
        return unknown_command(argv[i]);
    if (help) {
        cmd_usage(stdout, c);
        return CLI_EXIT_OK;
    }
    return run_with_env_args(c, argc - i - 1, argv + i + 1);
}
