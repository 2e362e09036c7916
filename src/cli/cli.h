/*
 * The tern CLI's private interface: the command table entry, the parsed
 * flags, the context the dispatcher hands every command, and the helpers
 * the commands share (flags.c, addr.c, ui.c, render.c, project.c).
 *
 * The split follows docs/STYLE.md rule 2: main.c holds the one table
 * and the dispatcher, which parses the flags a command accepts, acts on the
 * shared ones (-chdir, -help, -no-color, -json, -state, -lock,
 * -lock-timeout) and maps error codes to exit statuses; a command only
 * does its own work on an already opened state or loaded configuration.
 * Only src/cli/ writes to stdout/stderr or calls exit().
 */
#ifndef TERN_CLI_H
#define TERN_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "tern/diag.h"
#include "tern/module.h"
#include "tern/state.h"
#include "util/buf.h"

struct tern_lang_config;
struct tern_lang_var_inputs;
struct tern_plan;
struct tern_value;

/*
 * Exit statuses, in one place. Terraform exits 1 for usage errors too (it
 * has no separate status), and so do we.
 */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,
    CLI_EXIT_CHANGES = 2, /* plan -detailed-exitcode: changes present */
    CLI_EXIT_USAGE = 1
};

/*
 * What a command returns to the dispatcher: TERN_OK or an error code from
 * tern/diag.h (the command has already reported it), or CLI_RC_CHANGES
 * when a -detailed-exitcode plan found changes.
 */
#define CLI_RC_CHANGES 1

/*
 * A command that exits with its own status (fmt: 2 for an error, 3 from
 * -check when files need formatting, as terraform fmt), already reported.
 */
#define CLI_RC_STATUS(n) (1000 + (n))

/* ---- Flags ------------------------------------------------------------- */

/* Every per-command flag; a command's table entry lists those it takes. */
enum cli_flag {
    CLI_F_NO_COLOR = 1u << 0,
    CLI_F_JSON = 1u << 1,
    CLI_F_INPUT = 1u << 2,
    CLI_F_LOCK = 1u << 3,
    CLI_F_LOCK_TIMEOUT = 1u << 4,
    CLI_F_STATE = 1u << 5,
    CLI_F_VAR = 1u << 6,
    CLI_F_VAR_FILE = 1u << 7,
    CLI_F_PARALLELISM = 1u << 8,
    CLI_F_AUTO_APPROVE = 1u << 9,
    CLI_F_DETAILED_EXITCODE = 1u << 10,
    CLI_F_OUT = 1u << 11,
    CLI_F_DESTROY = 1u << 12,
    CLI_F_REFRESH = 1u << 13,
    CLI_F_REFRESH_ONLY = 1u << 14,
    CLI_F_TARGET = 1u << 15,
    CLI_F_REPLACE = 1u << 16,
    CLI_F_FORCE = 1u << 17,
    CLI_F_SERIAL = 1u << 18,
    CLI_F_RAW = 1u << 19,
    CLI_F_DRY_RUN = 1u << 20,
    CLI_F_ID = 1u << 21,
    CLI_F_TYPE = 1u << 22,
    CLI_F_CHECK = 1u << 23,
    CLI_F_DIFF = 1u << 24,
    CLI_F_LIST = 1u << 25,
    CLI_F_RECURSIVE = 1u << 26,
    CLI_F_WRITE = 1u << 27,
    CLI_F_BACKEND_CONFIG = 1u << 28,
    CLI_F_RECONFIGURE = 1u << 29,
    CLI_F_BACKEND = 1u << 30
};
/* The enum is full (an int); further flags are wider. */
#define CLI_F_OR_CREATE     (1ull << 31)
#define CLI_F_MIGRATE_STATE (1ull << 32)
#define CLI_F_FORCE_COPY    (1ull << 33)

/* Flag groups the table uses. */
#define CLI_FG_LOCKING (CLI_F_LOCK | CLI_F_LOCK_TIMEOUT)
#define CLI_FG_VARS    (CLI_F_VAR | CLI_F_VAR_FILE)

/* A growable list of borrowed strings (argv entries). */
struct cli_strs {
    const char **items;
    size_t n, alloc;
};

/* The parsed command line of one command. Strings are borrowed from argv. */
struct cli_opts {
    int no_color, json, input, lock;
    unsigned int lock_timeout_ms;
    const char *state_path;
    struct cli_strs vars;      /* "k=v", checked to contain '=' */
    struct cli_strs var_files; /* paths */
    /* -var and -var-file values in command-line order (later ones win);
     * an entry is a -var when the same pointer is in vars. */
    struct cli_strs var_order;
    int parallelism; /* default 10 */
    int auto_approve, detailed_exitcode;
    const char *out;
    int destroy, refresh, refresh_only;
    struct cli_strs targets, replaces;
    int force;
    long long serial; /* -serial=N; -1 when not given */
    int raw, dry_run;
    const char *id;
    const char *graph_type; /* graph -type=plan|apply|destroy */
    int check, diff, list, recursive, write; /* fmt; list and write on */
    struct cli_strs backend_configs;         /* init -backend-config=FILE|K=V */
    int reconfigure, backend;                /* init -reconfigure, -backend */
    int migrate_state, force_copy;           /* init -migrate-state ... */
    int or_create;                           /* workspace select -or-create */
    int help;
    struct cli_strs args; /* positional arguments */
};

/* Defaults: input, lock and refresh on, parallelism 10, serial -1. */
void cli_opts_init(struct cli_opts *o);
void cli_opts_release(struct cli_opts *o);

/*
 * Parse a command's arguments (argv[0] is the first argument after the
 * command name), Terraform style: `-flag=value` or `-flag value` (values),
 * `-flag` or `-flag=true|false` (booleans); `--flag` works too; `--` ends
 * the flags. Flags and positional arguments may be interleaved. Only the
 * flags in @allowed are accepted (-help always is); an unknown one is an
 * error that names it and suggests the closest accepted flag.
 * @return TERN_OK, TERN_EINVALID (diagnostics added) or TERN_ENOMEM
 */
int cli_flags_parse(struct cli_opts *o, unsigned long long allowed, int argc,
                    char **argv, struct tern_diags *diags);

/*
 * A Go-style duration ("0s", "500ms", "10s", "2m", "1m30s", "1.5h") in
 * milliseconds. A bare number without a unit is refused, as Terraform does,
 * except "0".
 * @return TERN_OK or TERN_EINVALID
 */
int cli_parse_duration(const char *s, unsigned int *ms);

/* ---- Addresses --------------------------------------------------------- */

/*
 * A resource (instance) address: `module.a["k"].aws_iam_role.x[0]`,
 * `data.aws_caller_identity.c`, or a module alone (`module.a`). Strings
 * are owned; cli_addr_release() frees them.
 */
struct cli_addr {
    char *module; /* canonical module path, "" for root */
    int mode;     /* enum tern_state_mode */
    char *type;   /* NULL for a module address */
    char *name;
    int key_kind; /* enum tern_state_key */
    long long key_int;
    char *key_str;
};

/* @return TERN_OK or TERN_EINVALID (with a diagnostic naming the address) */
int cli_addr_parse(struct cli_addr *a, const char *text,
                   struct tern_diags *diags);
void cli_addr_release(struct cli_addr *a);

/*
 * Check the address of a -target or -replace flag (@flag "target" or
 * "replace") as Terraform does while it parses the flags: a target names
 * a module, a resource or an instance; a replacement a managed resource
 * (instance). A malformed one gets Terraform's diagnostic, `Invalid target
 * "ADDR"` or `Invalid force-replace address "ADDR"`, with the reason.
 * @return TERN_OK, TERN_EINVALID (diagnostic added) or TERN_ENOMEM
 */
int cli_addr_check_flag(const char *flag, const char *text,
                        struct tern_diags *diags);

/*
 * Whether an instance address (canonical, as tern_state_resource_address
 * gives it) is selected by a filter address: equal, or the filter names
 * its resource (all instances) or an enclosing module.
 */
int cli_addr_matches(const char *filter, const char *instance);

/* ---- Output ------------------------------------------------------------ */

/* How a command writes: colour on a terminal unless -no-color; -json. */
struct cli_ui {
    int color;
    int json;        /* machine-readable output */
    int interactive; /* stdin is a terminal and -input is not false */
    int automation;  /* TF_IN_AUTOMATION: no next-step hints */
    int data_out;    /* CLI_DATA_OUT: warnings on err too */
    FILE *out, *err;
    /* -json stream: a line could not be made for lack of memory; the
     * stream stopped there and the command ends in out of memory. Written
     * under the run's mutex when the progress ticker runs (cmd_plan.c). */
    int json_lost;
};

/* SGR sequences, or "" without colour. */
const char *cli_c_bold(const struct cli_ui *ui);
const char *cli_c_green(const struct cli_ui *ui);
const char *cli_c_red(const struct cli_ui *ui);
const char *cli_c_yellow(const struct cli_ui *ui);
const char *cli_c_reset(const struct cli_ui *ui);

/*
 * Print diagnostics as Terraform does (errors on stderr, warnings on
 * stdout, or stderr when stdout carries data), with source excerpts when @srcs
 * has the files; in -json streaming mode, as one "diagnostic" message per line
 * on stdout.
 */
void cli_ui_diags(struct cli_ui *ui, const struct tern_diags *diags,
                  const void *srcs);

/* A diagnostic as Terraform's JSON ("severity", "summary", "detail",
 * "range", and "snippet" when @sources (a struct tern_lang_sources, may be
 * NULL) has its file); a new reference, NULL on OOM. */
json_t *cli_diag_json(const struct tern_diag *d, const void *sources);

/* The stream's first line: {"type":"version","tern":"0.1.0","ui":"1.2"}. */
void cli_ui_json_version(struct cli_ui *ui);

/* One line of the machine-readable stream: adds "@level", "@message",
 * "@module", "@timestamp" and "type" to @fields (stolen) and prints it.
 * A NULL @fields or @message (what a builder gives when out of memory),
 * or a line that cannot be made, prints nothing, sets ui->json_lost, and
 * every later line is left out too: TERN_ENOMEM. */
int cli_ui_json_line(struct cli_ui *ui, const char *level, const char *message,
                     const char *type, json_t *fields);

/* Ask a question on the terminal; the answer is a new string or NULL. */
char *cli_ui_ask(const struct cli_ui *ui, const char *question);
/* The answer part of cli_ui_ask: one line of standard input, read
 * unbuffered (so that the next reader sees what follows it); NULL at EOF
 * with nothing typed or on an interrupt. */
char *cli_ui_read_line(void);

/* Print a JSON document and a newline to @f (flags: JSON_INDENT(2)...),
 * whole or not at all: TERN_ENOMEM, with nothing printed, when it could
 * not be encoded (a NULL @j included). */
int cli_json_print(FILE *f, const json_t *j, size_t flags);

/* Print @buf's contents to @f. */
void cli_ui_write(FILE *f, const tern_buf *buf);

/* ---- Rendering (pure: into a buffer) ----------------------------------- */

/* hcl_text.c: HCL text for the human renderings. @n spaces (none when
 * n <= 0); a quoted string with HCL's escapes ("${" doubled); whether @s
 * is a bare identifier; a key's width as written (quoted when @quoted or
 * not an identifier); the key, padded with spaces to @width. */
void cli_hcl_indent(tern_buf *out, int n);
void cli_hcl_string(tern_buf *out, const char *s, size_t len);
int cli_hcl_is_identifier(const char *s);
size_t cli_hcl_key_width(const char *k, int quoted);
void cli_hcl_key(tern_buf *out, const char *k, int quoted, size_t width);
/*
 * A value as Terraform shows it in `state show` and plans: strings quoted,
 * lists and maps over several lines, strings holding a JSON object or
 * array as `jsonencode(...)`. @indent is the current indentation.
 * @map_keys_quoted: keys of objects are quoted (maps) or bare (objects).
 */
void cli_render_json_value(tern_buf *out, const json_t *v, int indent,
                           int map_keys_quoted);

/*
 * One resource instance as `tern state show` prints it:
 *
 *     # aws_iam_role.x:
 *     resource "aws_iam_role" "x" {
 *         arn  = "arn:aws:iam::123456789012:role/x"
 *         name = "x"
 *     }
 *
 * @schema the type's schema or NULL (then objects are shown as maps);
 * sensitive attributes (schema or the instance's sensitive paths) are
 * shown as (sensitive value).
 */
void cli_render_instance(tern_buf *out, const tern_state_resource *r,
                         const tern_attr *schema);

/* An output value line `name = value`, (sensitive) as `<sensitive>`. */
void cli_render_output(tern_buf *out, const char *name, const json_t *value,
                       int sensitive);

struct tern_body;
struct tern_expr;
struct tern_lang_config;

/*
 * Terraform's expression representation (src/cli/json_config.c):
 * {"constant_value": v} for an expression that needs no context,
 * {"references": [...]} for one that refers to something. With @secret
 * the constant value is left out. New reference, NULL when out of memory.
 */
json_t *cli_expression_json(const struct tern_expr *e, int secret);

/* The configuration representation of the JSON plan ("configuration"):
 * provider_config and root_module. New reference, NULL when out of
 * memory. */
json_t *cli_config_json(const struct tern_lang_config *cfg);

/*
 * The JSON plan's relevant_attributes: the resource attributes that the
 * configuration of each change (resource or output, no-ops left out)
 * refers to, and transitively what those resources and locals refer to,
 * as upstream's ContributingResourceReferences; @plan is the plan
 * representation so far. New reference, NULL when out of memory.
 */
json_t *cli_relevant_attributes(const struct tern_lang_config *cfg,
                                const json_t *plan);

/* ---- The configuration's project settings (project.c) ------------------ */

/*
 * Load the configuration in the current directory when it has one.
 * @out receives NULL when the directory has no *.tf / *.tf.json file.
 */
int cli_config_load(struct tern_lang_config **out, struct tern_diags *diags);

/*
 * The state path the configuration asks for: `terraform { backend "local"
 * { path = "..." } }`; @path receives a new string or NULL (default). Any
 * other backend type is an error with its source range.
 */
/*
 * The `backend "s3"` block as a JSON object of its evaluated arguments
 * (nested blocks as objects), or *out NULL when there is none. Unknown
 * arguments are errors at their range.
 */
int cli_config_backend_s3(const struct tern_lang_config *cfg, json_t **out,
                          struct tern_diags *diags);

/* Whether @name is an argument of backend "s3" (a -backend-config key). */
int cli_backend_s3_arg_known(const char *name);

/**
 * The S3 backend's arguments as merged (@p obj: the block with
 * -backend-config, or as saved by init) checked whole
 * (tern_backend_s3_check): the errors only, the block's warnings having
 * been shown when it was read; at the backend block's argument when it
 * holds it.
 * @return TERN_OK or TERN_EINVALID
 */
int cli_backend_s3_check(const struct tern_lang_config *cfg, const json_t *obj,
                         struct tern_diags *diags);

/* The arguments of a backend "s3" body (the block, or a -backend-config
 * file) into @p obj: each evaluated as a constant; `endpoints` and
 * `assume_role` as an attribute holding an object (Terraform's form) or
 * a block; unknown names and wrong shapes are errors
 * at their range, @p where saying where ("in a backend \"s3\" block"). */
int cli_backend_s3_body(const struct tern_body *body, const char *where,
                        json_t *obj, struct tern_diags *diags);

/* The value expression of member @key of object constructor @e (through
 * parentheses), NULL when @e is not an object or has no such member. */
const struct tern_expr *cli_object_member(const struct tern_expr *e,
                                          const char *key);
int cli_config_backend_path(const struct tern_lang_config *cfg, char **path,
                            struct tern_diags *diags);

/*
 * Check required_providers, provider blocks and resource type prefixes
 * against the providers tern has built in (tern_providers[]: aws is
 * hashicorp/aws, databricks is databricks/databricks or the former
 * databrickslabs/databricks), and each required version constraint
 * against the provider release tern follows. @sources receives one
 * "ns/name" per provider in use (its own address; a new array), may be
 * NULL.
 */
int cli_config_check_providers(const struct tern_lang_config *cfg,
                               json_t **sources, struct tern_diags *diags);

/* ---- Commands ----------------------------------------------------------- */

/* What the dispatcher prepares before it calls a command. */
enum cli_needs {
    CLI_NEEDS_CONFIG = 1u << 0,       /* load the configuration */
    CLI_NEEDS_STATE = 1u << 1,        /* open the state (must exist) */
    CLI_NEEDS_LOCK = 1u << 2,         /* ...locked for the whole run */
    CLI_NEEDS_STATE_CREATE = 1u << 3, /* ...creating it when missing */
    CLI_NEEDS_STATE_MAYBE = 1u << 4,  /* ...when it exists (else NULL) */
    CLI_NEEDS_STATE_PATH = 1u << 5,   /* resolve the path only */
    CLI_JSON_STREAM = 1u << 6,        /* -json: the machine-readable UI */
    /*
     * The command only reads the state (plan without -out, graph): a state
     * it had to create is removed again at the end. A state a command
     * created is also removed when the command fails and nothing was
     * written to it; see drop_new_state() in main.c.
     */
    CLI_STATE_READ_ONLY = 1u << 7,
    /* Standard output carries the command's data (state list, show and
     * pull): warnings go to standard error with the errors, so that a
     * script reading the data gets only the data. -json documents and
     * output -raw do the same (main.c). */
    CLI_DATA_OUT = 1u << 8,
    /* The command never writes the state (show, output, state list, show,
     * pull, history, console, providers): it is opened read-only, so it
     * works in a directory tern may not write (issue 20, finding 13). */
    CLI_STATE_NO_WRITE = 1u << 9
};

/* Everything a command gets. */
struct cli_ctx {
    const struct cli_cmd *cmd;
    struct cli_opts opts;
    struct cli_ui ui;
    struct tern_lang_config *config; /* with CLI_NEEDS_CONFIG; may be NULL */
    tern_state *state;               /* with CLI_NEEDS_STATE* */
    char *state_path;                /* resolved path (owned) */
    struct tern_diags diags;         /* printed by the dispatcher */
    /* Freed by the dispatcher after it prints the diagnostics, which may
     * name their files: the input variables' sources, a plan file's
     * configuration. */
    struct tern_lang_var_inputs *var_inputs;
    struct tern_lang_config *plan_config;
    /* What the command's check found before the state was opened: the
     * input variables' values, a saved plan to apply. Owned; freed by the
     * dispatcher. */
    struct tern_value *vars;
    struct tern_plan *saved_plan;
    /* TERN_PLAN_PASSPHRASE (borrowed from the environment), or NULL. */
    const char *plan_passphrase;
    /* This run created the state file (there was none when it started). */
    int state_created;
    /* backend "s3": its arguments (owned), and the open backend, whose
     * working copy is ctx->state (src/cli/backend.c). */
    json_t *backend_cfg;
    struct tern_backend_s3 *backend;
    /* The selected workspace (cli_workspace_current), owned; NULL for
     * commands that have no use for it. */
    char *workspace;
    int workspace_overridden; /* set by TF_WORKSPACE */
    /* init -migrate-state: the state moves from the backend init saved
     * last (migrate_from: its arguments; NULL: the local state). */
    int migrate;
    json_t *migrate_from;
    json_t *migrate_prev; /* what init had saved before (restored when the
                           * init fails); NULL: nothing */
    /* init wrote the backend record (.terraform/tern-backend.json): a
     * failed init puts back migrate_prev, as Terraform saves the backend
     * block only once init succeeded. */
    int saved_written;
    /* The unit tests' in-process runs of plan and apply: the engine's
     * extra modules, their providers and user data
     * (tern_engine_options); NULL in tern itself. */
    const tern_module *const *extra_modules;
    const struct tern_provider *const *extra_providers;
    void *module_user;
};

/* ---- Workspaces (workspace.c) ------------------------------------------ */

/* Where the local state of a workspace other than "default" lives:
 * CLI_WORKSPACE_DIR/NAME/tern.tfstate.db. */
#define CLI_WORKSPACE_DIR "tern.tfstate.d"

/* The data directory: TF_DATA_DIR, else ".terraform". */
const char *cli_data_dir(void);
/* DATA_DIR/@name, a new string (NULL on allocation failure). */
char *cli_data_path(const char *name);
/* Whether @name is a workspace name (Go's url.PathEscape keeps it). */
int cli_workspace_valid(const char *name);
/*
 * Set ctx->workspace (and ctx->workspace_overridden) once: TF_WORKSPACE,
 * else DATA_DIR/environment, else "default". An invalid TF_WORKSPACE is
 * an error.
 */
int cli_workspace_current(struct cli_ctx *ctx);
/* The local state path of workspace @name (not "default"); new string. */
char *cli_workspace_state_path(const char *name);

/* The workspaces of the backend @cfg (NULL: the local state): "default"
 * first, then the others sorted; release with cli_workspace_names_free. */
int cli_workspace_names(struct cli_ctx *ctx, json_t *cfg, char ***names,
                        size_t *count);
void cli_workspace_names_free(char **names, size_t count);
/* Write DATA_DIR/environment: select @name (meta.go SetWorkspace). */
int cli_workspace_set(const char *name);

int cli_cmd_workspace_new(struct cli_ctx *ctx);
int cli_cmd_workspace_select(struct cli_ctx *ctx);
int cli_cmd_workspace_list(struct cli_ctx *ctx);
int cli_cmd_workspace_show(struct cli_ctx *ctx);
int cli_cmd_workspace_delete(struct cli_ctx *ctx);

/* ---- The S3 backend (backend.c) --------------------------------------- */

/* The working copy of a remote state, in the data directory. */
#define CLI_BACKEND_WORKING_COPY "tern-s3.tfstate.db"

/*
 * Open the backend of ctx->backend_cfg: credentials, the lock when the
 * command writes (and -lock is on), then pull the state into the working
 * copy as ctx->state (when the command needs a state).
 */
int cli_backend_open(struct cli_ctx *ctx);
/*
 * After plan, apply or destroy planned, before the plan is shown, saved or
 * applied: wait for the check of the state read beside the lock
 * (tern_backend_s3_verify). TERN_OK, or an error (reported) when another
 * run wrote the state between that read and the lock.
 */
int cli_backend_verify(struct cli_ctx *ctx);
/* A backend for ctx->backend_cfg's bucket and key in @workspace (NULL:
 * "default"); nothing is read yet. */
int cli_backend_new(struct cli_ctx *ctx, const char *workspace,
                    struct tern_backend_s3 **out);
/*
 * End of a command: push the working copy when the command could write and
 * changed it (also after a failure: what was done is kept), then release
 * the lock. Returns rc, or the push's error when rc was TERN_OK.
 */
int cli_backend_close(struct cli_ctx *ctx, int rc);
/*
 * Resolve the backend arguments for a command: for init, the block merged
 * with -backend-config and saved in .terraform/ (a changed block is refused
 * unless -reconfigure); for the others, what init saved, refused when the
 * block changed since ("Backend initialization required"). Replaces
 * ctx->backend_cfg (the block) with the merged arguments.
 */
int cli_backend_resolve(struct cli_ctx *ctx);

/* init -migrate-state (migrate.c): copy the states of every workspace of
 * @from_cfg's S3 backend (NULL: the local state) to ctx->backend_cfg's
 * (NULL: the local state), as Terraform's init. */
int cli_migrate_state(struct cli_ctx *ctx, json_t *from_cfg);
/* init with an S3 backend: the selected workspace must exist there; else
 * select its only one, or ask (meta_backend.go selectWorkspace). */
int cli_init_select_workspace(struct cli_ctx *ctx);
/* The saved backend configuration's path (DATA_DIR/tern-backend.json). */
char *cli_backend_saved_path(void);
/* -force-copy implies -migrate-state; either refused with -reconfigure. */
int cli_init_check_migrate_flags(struct cli_ctx *ctx);
/*
 * No backend block, but init saved one: refused (init without
 * -migrate-state or -reconfigure, every other command), as Terraform
 * refuses to unset a backend silently. init -reconfigure forgets it.
 */
int cli_backend_check_unset(struct cli_ctx *ctx);
/* After a failed migration: put back what init had saved before. */
void cli_backend_restore_saved(struct cli_ctx *ctx);

struct cli_cmd {
    const char *name; /* "plan", "state list" */
    int (*fn)(struct cli_ctx *ctx);
    /*
     * Optional: what can be refused without the state (the configuration's
     * providers and policies, the variables, a saved plan file), run after
     * the configuration is loaded and before the state is opened, so that
     * a refused command neither waits for the lock nor creates a state.
     */
    int (*check)(struct cli_ctx *ctx);
    unsigned int needs;       /* enum cli_needs */
    unsigned long long flags; /* enum cli_flag it accepts */
    int min_args, max_args;   /* positional arguments; max -1: unlimited */
    const char *usage;        /* "[options] ADDRESS..." */
    const char *summary;
    const char *help; /* the options, one per line, for -help */
};

int cli_cmd_version(struct cli_ctx *ctx);
int cli_cmd_providers(struct cli_ctx *ctx);
int cli_cmd_providers_schema(struct cli_ctx *ctx);
int cli_cmd_init(struct cli_ctx *ctx);
int cli_cmd_validate(struct cli_ctx *ctx);
int cli_cmd_output(struct cli_ctx *ctx);
int cli_cmd_show(struct cli_ctx *ctx);
int cli_cmd_force_unlock(struct cli_ctx *ctx);
int cli_cmd_plan(struct cli_ctx *ctx);
int cli_cmd_apply(struct cli_ctx *ctx); /* also "destroy" */
int cli_cmd_import(struct cli_ctx *ctx);
int cli_cmd_graph(struct cli_ctx *ctx);
int cli_cmd_fmt(struct cli_ctx *ctx); /* cmd_fmt.c */
/* cmd_console.c: the console, and its check (the input variables, unset
 * ones unknown). */
int cli_cmd_console(struct cli_ctx *ctx);
int cli_check_console(struct cli_ctx *ctx);

/* The check of plan, apply, destroy, import and graph (cmd_plan.c). */
int cli_check_plan(struct cli_ctx *ctx);

/*
 * The input variables' values (cmd_plan.c): TF_VAR_ environment
 * variables, terraform.tfvars, *.auto.tfvars, then -var and -var-file in
 * order, defaults for the rest; *out an object by name. The inputs are
 * kept in ctx->var_inputs for the diagnostics.
 */
int cli_eval_variables(struct cli_ctx *ctx, struct tern_value **out);

/*
 * `tern show FILE` for a file that starts like a saved plan: renders it
 * (or its JSON), or reports why the plan reader refused it (checksum,
 * truncation, format, version).
 */
int cli_show_plan_file(struct cli_ctx *ctx, const char *path);
int cli_cmd_state_list(struct cli_ctx *ctx);
int cli_cmd_state_show(struct cli_ctx *ctx);
int cli_cmd_state_rm(struct cli_ctx *ctx);
int cli_cmd_state_mv(struct cli_ctx *ctx);
int cli_cmd_state_pull(struct cli_ctx *ctx);
int cli_cmd_state_push(struct cli_ctx *ctx);
int cli_cmd_state_history(struct cli_ctx *ctx);
int cli_cmd_state_migrate(struct cli_ctx *ctx);

/* The platform, "linux_amd64". */
const char *cli_platform(void);

#endif /**                                                                     \
        * What `validate` checks beyond the providers: the language's rules,   \
        * each block against its schema, the engine's graph and constant       \
        * values, the policy lint. Warnings and errors go to @p diags.         \
        * @return TERN_OK, TERN_ERROR when an error was reported, or           \
        * TERN_ENOMEM                                                          \
        */
int cli_config_validate(const struct tern_lang_config *cfg,
                        struct tern_diags *diags);
