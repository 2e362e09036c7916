/**
 * @file tern/engine.h
 * @brief The engine: configuration in, a reviewable plan out, and an apply
 * that runs independent steps concurrently and records each one as it
 * completes.
 *
 * The CLI loads a configuration (src/lang), opens and locks the state
 * (tern/state.h), and creates an engine over both with tern_engine_new().
 * Then:
 *
 * - tern_engine_plan() refreshes every object in the state (concurrently),
 *   evaluates the configuration and diffs it against the refreshed state
 *   into a tern_plan: a list of tern_change (one per resource instance
 *   with something to do), a list of drift (what changed outside tern),
 *   and the planned outputs. Nothing is written to the state.
 * - tern_plan_write() / tern_plan_read() save and load a plan file that
 *   carries the configuration's files, the variables, the changes, the
 *   state's lineage and serial and the tern version, under a SHA-256
 *   checksum; encrypted with a passphrase when one is given, and refused
 *   without one when the plan holds a sensitive value.
 * - tern_engine_apply() carries out a plan: a libuv loop on the calling
 *   thread owns the graph, the state and the event callback; a step whose
 *   dependencies are done runs its module operation on a worker thread, up
 *   to the parallelism; each result is committed to the state at once.
 *   A failed step stops only the steps that depend on it.
 *
 * Everything reaches the caller through one event callback (progress,
 * drift, planned changes, errors, the summary), always called on the
 * thread that called tern_engine_plan() / tern_engine_apply(); the engine
 * never writes to stdout or stderr.
 *
 * An engine is used by one thread at a time, except tern_engine_interrupt()
 * and tern_engine_progress(), which may be called from any thread.
 */
#ifndef TERN_ENGINE_H
#define TERN_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tern/config.h"
#include "tern/diag.h"
#include "tern/module.h"
#include "tern/state.h"
#include "tern/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Prepare the process for tern: route Jansson's and SQLite's allocations
 * through tern's allocator (so an out-of-memory failure in either takes
 * tern's paths, and the tests' failure injection reaches them). Call once
 * at program start, before any thread and before any Jansson or SQLite
 * call; later calls do nothing.
 *
 * @return TERN_OK; TERN_ERROR when SQLite was initialised before (it then
 *         keeps its own allocator; tern works either way)
 */
int tern_init(void);

/** The shared HTTP client (src/http/http.h). */
struct tern_http;

/** An engine over one configuration and one state. Opaque. */
typedef struct tern_engine tern_engine;

/** A plan: the changes to make. Opaque; see the tern_plan_* accessors. */
typedef struct tern_plan tern_plan;

/* ------------------------------------------------------------------------ */
/* Changes                                                                  */

/** What a change does to its instance. */
enum tern_action {
    TERN_ACTION_NOOP = 0,           /**< nothing (not listed in a plan) */
    TERN_ACTION_CREATE,             /**< create a new object */
    TERN_ACTION_READ,               /**< read a data source during apply */
    TERN_ACTION_UPDATE,             /**< change the object in place */
    TERN_ACTION_DELETE_THEN_CREATE, /**< replace: destroy, then create */
    TERN_ACTION_CREATE_THEN_DELETE, /**< replace, create_before_destroy */
    TERN_ACTION_DELETE,             /**< destroy the object */
    /**
     * Remove the object from the state without destroying it: a removed
     * block with lifecycle { destroy = false } (Terraform 1.7's Forget).
     */
    TERN_ACTION_FORGET
};

/** Why a change has its action, when the diff alone does not say. */
enum tern_action_reason {
    TERN_REASON_NONE = 0,
    TERN_REASON_REPLACE_FORCED,    /**< a FORCE_NEW attribute changes */
    TERN_REASON_REPLACE_REQUESTED, /**< -replace=ADDR */
    TERN_REASON_REPLACE_TRIGGERED, /**< lifecycle replace_triggered_by */
    TERN_REASON_TAINTED,           /**< the state marks it tainted */
    TERN_REASON_NO_CONFIG,         /**< delete: not in the configuration */
    TERN_REASON_COUNT_INDEX,       /**< delete: count no longer reaches it */
    TERN_REASON_EACH_KEY,          /**< delete: for_each has no such key */
    TERN_REASON_DESTROY_MODE,      /**< delete: plan -destroy */
    TERN_REASON_GONE,              /**< create: deleted outside tern */
    TERN_REASON_READ_DEFERRED      /**< read: inputs known only at apply */
};

/**
 * One planned change (or, in tern_plan_drift(), one change found outside
 * tern). Owned by its plan; read-only for the caller.
 *
 * @c before is the refreshed prior object (NULL for a create), @c after the
 * planned object (NULL for a delete): tern_value objects keyed by attribute
 * name, where unknown nodes mean "known after apply" and sensitive marks
 * mean "(sensitive value)".
 */
typedef struct tern_change {
    unsigned int version;      /**< TERN_CHANGE_VERSION */
    const char *address;       /**< e.g. `test_object.a["x"]` */
    const char *prev_address;  /**< the address a moved block moved it
                                    from, or NULL */
    enum tern_state_mode mode; /**< managed resource or data source */
    const char *type;          /**< e.g. "aws_iam_role" */
    const char *name;          /**< the name in the configuration */
    enum tern_action action;
    enum tern_action_reason reason;
    const tern_value *before; /**< NULL when there is no prior object */
    const tern_value *after;  /**< NULL for a delete */
    /** The attributes whose change forces replacement. */
    const char *const *replace_paths;
    size_t n_replace_paths;
    /** Set when an import block (or tern import) brings the object in. */
    const char *import_id;
    /**
     * Set when an earlier run's create was interrupted and the object it
     * made was found by lookup: the plan adopts it instead of creating a
     * duplicate.
     */
    int adopted;
    /**
     * Set on the destroy of a deposed object: the object a
     * create_before_destroy replacement replaced, whose delete failed or
     * was cut short. It is no longer in the state as the address's object
     * but is remembered (as Terraform's deposed key) until deleted.
     */
    const char *deposed;
} tern_change;

#define TERN_CHANGE_VERSION 1

/**
 * The action's name as Terraform's JSON plan spells it: "no-op", "create",
 * "read", "update", "delete", "forget", and for replacements
 * "delete-create" / "create-delete".
 * @return a static string
 */
const char *tern_action_name(enum tern_action action);

/** A short static name of a reason ("replace_because_cannot_update", ...),
 *  as Terraform's JSON plan spells it; "" for TERN_REASON_NONE. */
const char *tern_action_reason_name(enum tern_action_reason reason);

/* ------------------------------------------------------------------------ */
/* Events                                                                   */

/** What an event reports. */
enum tern_event_kind {
    TERN_EVENT_REFRESH_START = 0, /**< refreshing @c address began */
    TERN_EVENT_REFRESH_DONE,      /**< ... and ended (elapsed set) */
    TERN_EVENT_DRIFT,             /**< @c change: changed outside tern */
    TERN_EVENT_PLANNED,           /**< @c change: a planned change */
    TERN_EVENT_ADOPT,     /**< @c address: an interrupted create's object was
                               found and is adopted (@c id) */
    TERN_EVENT_START,     /**< apply step began (@c action) */
    TERN_EVENT_DONE,      /**< apply step ended (@c elapsed, @c id) */
    TERN_EVENT_ERROR,     /**< a step failed (@c diags) */
    TERN_EVENT_SKIPPED,   /**< a step did not run: a dependency failed, or the
                               run was interrupted */
    TERN_EVENT_WARNING,   /**< @c diags holds warnings */
    TERN_EVENT_INTERRUPT, /**< an interrupt was received (@c count) */
    TERN_EVENT_SUMMARY,   /**< the end of a plan or an apply (@c summary) */
    /**
     * tern waits for a service to show what it wrote (eventual
     * consistency): @c address (and @c count - 1 other objects) was
     * written @c elapsed seconds ago and still reads as before the write;
     * @c service names the service ("IAM"); tern waits at most
     * @c wait_left more seconds. Repeated every few seconds while it
     * waits; an interrupt ends the wait.
     */
    TERN_EVENT_WAIT
};

/** Counts at the end of a plan or an apply. */
typedef struct tern_summary {
    unsigned int version; /**< TERN_SUMMARY_VERSION */
    size_t add, change, destroy, read, import, adopt, move;
    size_t drift;    /**< objects changed outside tern (plan) */
    size_t forget;   /**< objects to leave (plan) or left (apply) unmanaged */
    size_t errors;   /**< failed steps (apply) */
    size_t skipped;  /**< steps not run (apply) */
    int interrupted; /**< the run was interrupted */
    double elapsed;  /**< seconds */
} tern_summary;

#define TERN_SUMMARY_VERSION 1

/**
 * One event. Everything is borrowed for the duration of the callback;
 * fields that do not apply to the kind are NULL or zero.
 */
typedef struct tern_event {
    unsigned int version; /**< TERN_EVENT_VERSION */
    enum tern_event_kind kind;
    const char *address;
    enum tern_action action;
    const tern_change *change;
    /** For DONE: the remote object's ID when there is one. */
    const char *id;
    /** For DONE and REFRESH_DONE: seconds the step took. For WAIT:
     *  seconds since tern wrote. */
    double elapsed;
    /** For ERROR, SKIPPED (the reason) and WARNING. */
    const struct tern_diags *diags;
    /** For INTERRUPT: 1 for the first, 2 for the second. For WAIT: how
     *  many objects are waited for. */
    int count;
    const tern_summary *summary;
    /** For WAIT: the service waited for, e.g. "IAM". */
    const char *service;
    /** For WAIT: seconds tern waits at most from now. */
    double wait_left;
} tern_event;

#define TERN_EVENT_VERSION 1

/**
 * Receives events on the thread that runs the plan or apply.
 * @param ev the event (borrowed)
 * @param payload the options' payload
 */
typedef void (*tern_event_fn)(const tern_event *ev, void *payload);

/* ------------------------------------------------------------------------ */
/* Engine                                                                   */

#define TERN_ENGINE_OPTIONS_VERSION 3

/** How to create an engine. Start from TERN_ENGINE_OPTIONS_INIT. */
typedef struct tern_engine_options {
    unsigned int version; /**< TERN_ENGINE_OPTIONS_VERSION */
    /** The configuration (borrowed; must outlive the engine). */
    const tern_config *config;
    /** The state (borrowed, open and locked; must outlive the engine). */
    tern_state *state;
    /**
     * Input variable values: an object of name to value (borrowed;
     * referenced). Variables not in it take their default; one without a
     * default is an error. NULL: none given.
     */
    const tern_value *variables;
    /** Steps running at once, in refresh and apply; 0 means 10. */
    unsigned int parallelism;
    /** Where events go; NULL drops them. */
    tern_event_fn on_event;
    void *payload;
    /**
     * Modules to look up before the registry (tern_modules[]), NULL-
     * terminated (borrowed): tests register their modules here.
     */
    const tern_module *const *extra_modules;
    /** Passed to modules as op->user (test modules). */
    void *module_user;
    /** The HTTP client the providers' clients share (borrowed); NULL:
     *  the engine creates one when a provider first needs it. */
    struct tern_http *http;
    /**
     * Providers to look up before the registry (tern_providers[]),
     * NULL-terminated (borrowed): the providers of extra_modules.
     */
    const struct tern_provider *const *extra_providers;
    /**
     * The clock every wait of the run sleeps on (borrowed; tern/clock.h):
     * the operations' (op->clock), the providers' clients' retries, the
     * refresh's and the apply's propagation waits. NULL: the system's.
     */
    const struct tern_clock *clock;
} tern_engine_options;

#define TERN_ENGINE_OPTIONS_INIT                                               \
    {                                                                          \
        TERN_ENGINE_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, NULL, NULL,    \
            NULL, NULL, NULL, NULL                                             \
    }

/**
 * `tern validate`'s part of the engine, with no state and no network: each
 * resource and data source against its module's schema, references between
 * blocks, and dependency cycles (between resources, data sources and
 * locals), each cycle reported once with every node in it; then, when
 * nothing else is wrong, tern_engine_lint(). Variables without a value
 * count as unknown.
 * @param config the configuration (borrowed)
 * @param diags receives the errors and warnings
 * @return TERN_OK, TERN_ERROR (see diags) or TERN_ENOMEM
 */
int tern_engine_validate(const tern_config *config, struct tern_diags *diags);

/**
 * The error for a resource or data source block of a type tern has no
 * module for, at @p range. A type of one of tern's providers with no
 * close match among tern's types (databricks_cluster) is "not supported
 * yet": an upstream type tern lacks, not a mistake in the file. Otherwise
 * it is invalid, with a close type name tern has when there is one ("Did
 * you mean ...?").
 * @return TERN_ERROR, or TERN_ENOMEM
 */
int tern_engine_unknown_type(struct tern_diags *diags,
                             const struct tern_range *range,
                             enum tern_module_kind kind, const char *type);

/**
 * The IAM policy lint by itself (tern_engine_validate() runs it; a plan
 * shows it too): every policy-valued argument of every resource and data
 * source, at its source range, with the values not known before a plan
 * written as "*" (a document with such holes gets warnings only): IAM
 * actions that do not exist, with the closest real one, and malformed
 * documents.
 * @return TERN_OK or TERN_ENOMEM; errors are counted in @p diags
 */
int tern_engine_lint(const tern_config *config, struct tern_diags *diags);

/**
 * Create an engine: check the configuration's resources against their
 * modules' schemas and build the dependency graph of its blocks. A cycle
 * is an error that names every block in it.
 * @param out receives the engine (caller owns; tern_engine_free())
 * @param opts options (borrowed; read during the call, the pointers they
 *        hold kept)
 * @param diags receives the errors
 * @return TERN_OK, TERN_ERROR (see @p diags), TERN_EINVALID, TERN_ENOMEM
 */
int tern_engine_new(tern_engine **out, const tern_engine_options *opts,
                    struct tern_diags *diags);

/** Free an engine and the clients it created. NULL-safe. */
void tern_engine_free(tern_engine *engine);

/**
 * Interrupt a running plan or apply, from any thread (not from a signal
 * handler: it takes a lock to wake the apply loop; the CLI calls it from
 * its signal thread, src/util/signals.c). The first call stops starting
 * new steps: running ones finish and are saved. The second also raises the
 * modules' cancel flag (op->cancel), so running steps end early.
 */
void tern_engine_interrupt(tern_engine *engine);

/**
 * What the running apply step at @p address last said it waits for
 * (tern_op_progress), copied into @p buf (@p size bytes, NUL-terminated),
 * from any thread while the engine exists: the CLI's progress ticker.
 * @return 1 with the text, 0 when the step reported none (buf is "")
 */
int tern_engine_progress(tern_engine *engine, const char *address, char *buf,
                         size_t size);

/* ------------------------------------------------------------------------ */
/* Plan                                                                     */

#define TERN_PLAN_OPTIONS_VERSION 1

/** What to plan. Start from TERN_PLAN_OPTIONS_INIT. */
typedef struct tern_plan_options {
    unsigned int version; /**< TERN_PLAN_OPTIONS_VERSION */
    int destroy;          /**< plan to destroy everything in the state */
    int refresh;          /**< read every object first (default on) */
    int refresh_only;     /**< only bring the state up to date */
    /** -target=ADDR: only these (and what they depend on); borrowed. */
    const char *const *targets;
    size_t n_targets;
    /** -replace=ADDR: replace these instances; borrowed. */
    const char *const *replace;
    size_t n_replace;
    /**
     * A run that may have created objects was interrupted before their
     * intents were recorded where the state lives (the S3 backend's
     * force-unlocked apply): every create of a type with a lookup looks
     * for its object first and adopts it, as after an intent.
     */
    int lookup_creates;
} tern_plan_options;

#define TERN_PLAN_OPTIONS_INIT                                                 \
    {                                                                          \
        TERN_PLAN_OPTIONS_VERSION, 0, 1, 0, NULL, 0, NULL, 0, 0                \
    }

/**
 * Plan. Events: REFRESH_START/DONE per object, DRIFT, ADOPT, PLANNED per
 * change, then SUMMARY. The state is not written.
 * @param out receives the plan (caller owns; tern_plan_free()), also when
 *        some instances failed to plan (the plan is then not appliable:
 *        tern_plan_errored())
 * @param opts options (borrowed); NULL for the defaults
 * @return TERN_OK, TERN_ERROR (see @p diags), TERN_ECANCELED, TERN_ENOMEM
 */
int tern_engine_plan(tern_engine *engine, const tern_plan_options *opts,
                     tern_plan **out, struct tern_diags *diags);

/** Free a plan. NULL-safe. */
void tern_plan_free(tern_plan *plan);

/** @return the number of changes: every action but no-op, and the no-ops
 *  that move, import or adopt an object (they change the state) */
size_t tern_plan_change_count(const tern_plan *plan);

/** @return change @p i (owned by the plan), NULL out of range */
const tern_change *tern_plan_change(const tern_plan *plan, size_t i);

/** @return the number of objects changed outside tern */
size_t tern_plan_drift_count(const tern_plan *plan);

/** @return drift @p i (owned by the plan): before = the state, after = the
 *  refreshed object (NULL when it was deleted) */
const tern_change *tern_plan_drift(const tern_plan *plan, size_t i);

/**
 * The root module's outputs after the plan: an object of name to
 * {"value": v, "sensitive": bool}, values possibly unknown.
 * @return borrowed, owned by the plan
 */
const tern_value *tern_plan_outputs(const tern_plan *plan);

/** @return the summary counts of the plan (owned by the plan) */
const tern_summary *tern_plan_summary(const tern_plan *plan);

/** @return whether the plan changes nothing (no changes, no drift to save,
 *          no output changes) */
int tern_plan_is_empty(const tern_plan *plan);

/** @return nonzero when planning some instance failed; such a plan is
 *          refused by tern_engine_apply() */
int tern_plan_errored(const tern_plan *plan);

/** @return nonzero for a -destroy plan */
int tern_plan_is_destroy(const tern_plan *plan);

/** @return nonzero for a -refresh-only plan */
int tern_plan_is_refresh_only(const tern_plan *plan);

/**
 * The plan as Terraform's JSON plan representation (`show -json PLANFILE`,
 * format 1.2): every top-level key but "configuration" and "checks",
 * which the caller adds from the configuration.
 * @param prior_outputs the state's outputs as tern_state_outputs() gives
 *        them (name -> {"value", "sensitive"}), for output_changes and
 *        prior_state; may be NULL
 * @param out receives a new reference
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_plan_to_json(const tern_plan *plan, const json_t *prior_outputs,
                      json_t **out);

/**
 * Save a plan file: a header line with the format version and a SHA-256
 * of the rest, then a JSON document with the tern version, the state's
 * lineage and serial, the plan options, the variables, the configuration's
 * files and the changes. The file is created with mode 0600.
 *
 * Sensitive values: the plan holds what apply needs, sensitive values
 * included (the values of sensitive variables and of variables given to
 * a provider credential, what derives from them, the attributes a schema
 * marks sensitive in the prior state and the planned values, sensitive
 * outputs). None is ever written in clear: with @p passphrase, the whole
 * file is encrypted with it (AES-256-GCM, the key from PBKDF2-HMAC-SHA512
 * with a random salt and 600,000 iterations, as OpenTofu's pbkdf2 key
 * provider); without, a plan holding a sensitive value is refused with an
 * error naming them (TERN_EINVALID, no file made), and one holding none
 * is written in clear. Provider settings are not part of a plan (the
 * providers are configured anew at apply), and a credential written as a
 * constant in a provider block (an argument the provider's schema marks
 * sensitive) is blanked in the plan's copy of its file, which
 * tern_plan_apply_config() reads again from the working directory.
 * @param path where to write (replaced atomically)
 * @param passphrase NULL, or at least 16 characters
 *        (tern_plan_passphrase_check())
 */
int tern_plan_write(const tern_plan *plan, const char *path,
                    const char *passphrase, struct tern_diags *diags);

/**
 * Load a plan file, checking its checksum (an edited or truncated file is
 * refused) and the tern version that wrote it (another version's plan is
 * refused). An encrypted plan file is decrypted with @p passphrase; without
 * one, or with another, or when the file was changed, it is refused
 * (TERN_EINVALID, "Saved plan is encrypted" / "Failed to decrypt the saved
 * plan").
 * @param out receives the plan (caller owns)
 * @param passphrase NULL, or the passphrase the plan was written with
 * @return TERN_OK, TERN_EINVALID (refused: see @p diags), TERN_ENOTFOUND,
 *         TERN_ERROR, TERN_ENOMEM
 */
int tern_plan_read(tern_plan **out, const char *path, const char *passphrase,
                   struct tern_diags *diags);

/**
 * Check a passphrase for saved plans: NULL (none) or at least 16
 * characters, as OpenTofu's pbkdf2 key provider requires.
 * @return TERN_OK, or TERN_EINVALID with an error that does not show it
 */
int tern_plan_passphrase_check(const char *passphrase,
                               struct tern_diags *diags);

/**
 * The configuration a plan was made from, rebuilt from the files the plan
 * carries, for `tern apply FILE` (which does not read the directory).
 * @param out receives a new configuration (tern_config_free())
 */
int tern_plan_config(const tern_plan *plan, tern_config **out,
                     struct tern_diags *diags);

/**
 * The configuration `tern apply FILE` applies: tern_plan_config(), but a
 * file the plan carries with its provider credentials left out (see
 * tern_plan_write()) is read again from the working directory, and used
 * only when it is byte for byte the file planned.
 * @param out receives a new configuration (tern_config_free())
 * @return TERN_OK; TERN_EINVALID when such a file is missing or changed
 *         (a diagnostic names where its credentials were); TERN_ENOMEM
 */
int tern_plan_apply_config(const tern_plan *plan, tern_config **out,
                           struct tern_diags *diags);

/**
 * The input variables a plan was made with.
 * @return an object (borrowed, owned by the plan)
 */
const tern_value *tern_plan_variables(const tern_plan *plan);

/* ------------------------------------------------------------------------ */
/* Apply                                                                    */

#define TERN_APPLY_OPTIONS_VERSION 1

/** How to apply. Start from TERN_APPLY_OPTIONS_INIT. */
typedef struct tern_apply_options {
    unsigned int version; /**< TERN_APPLY_OPTIONS_VERSION */
    /** Steps running at once; 0: the engine's parallelism. */
    unsigned int parallelism;
} tern_apply_options;

#define TERN_APPLY_OPTIONS_INIT                                                \
    {                                                                          \
        TERN_APPLY_OPTIONS_VERSION, 0                                          \
    }

/**
 * Apply a plan. Refused (TERN_ECONFLICT, nothing done) when the state's
 * lineage or serial differs from the plan's, and (TERN_EINVALID) when the
 * plan errored or its configuration differs from the engine's.
 *
 * Steps run as their dependencies finish, up to the parallelism; each
 * result is committed to the state at once; deletes run in reverse
 * dependency order. A failed step skips only the steps that depend on it;
 * every error is in @p diags and in an ERROR event. Outputs are evaluated
 * and saved at the end (when every step succeeded or was skipped only by
 * an interrupt, the outputs that can be evaluated are saved).
 * Events: START, DONE, ERROR, SKIPPED, ADOPT, INTERRUPT, SUMMARY.
 * @param plan the plan (borrowed)
 * @param opts options (borrowed); NULL for the defaults
 * @param summary receives the counts; may be NULL
 * @return TERN_OK; TERN_ECANCELED when interrupted (whether or not a
 *         step failed); TERN_ERROR when a step failed; TERN_ECONFLICT /
 *         TERN_EINVALID when refused
 */
int tern_engine_apply(tern_engine *engine, const tern_plan *plan,
                      const tern_apply_options *opts, tern_summary *summary,
                      struct tern_diags *diags);

/**
 * Save what the refresh of @p plan found changed outside tern for the
 * objects the plan leaves as they are (all of it for a refresh-only
 * plan), as tern_engine_apply() does before its steps: for a plan with no
 * changes, which is not applied, as Terraform's apply of such a plan
 * still saves the refreshed state. Nothing for a plan that errored.
 * @param plan a plan of this engine's, for the state's current serial
 *             (borrowed)
 */
int tern_engine_save_refresh(tern_engine *engine, const tern_plan *plan,
                             struct tern_diags *diags);

/* ------------------------------------------------------------------------ */
/* Import and graph                                                         */

/**
 * `tern import ADDR ID`: import an existing object into the state at
 * @p address, which must be a resource instance of the configuration that
 * is not in the state yet.
 * @return TERN_OK, TERN_EINVALID (bad address, not in the configuration,
 *         already managed), TERN_ENOTFOUND (no such object), or an error
 */
int tern_engine_import(tern_engine *engine, const char *address, const char *id,
                       struct tern_diags *diags);

/** Which graph tern_engine_graph_dot() draws. */
enum tern_graph_type {
    TERN_GRAPH_PLAN = 0, /**< the configuration's resources and their
                              dependencies */
    TERN_GRAPH_APPLY,    /**< the steps of a plan (needs the plan) */
    TERN_GRAPH_DESTROY   /**< the steps of a destroy plan */
};

/**
 * The graph in Graphviz DOT, for `tern graph [-type=plan|apply|destroy]`:
 * one node per resource instance (per step for apply/destroy), an edge
 * from each to what it waits for.
 * @param plan for TERN_GRAPH_APPLY / TERN_GRAPH_DESTROY: the plan to draw
 *        (borrowed); NULL: plan one first (without refreshing)
 * @param out receives a new string (tern_free())
 */
int tern_engine_graph_dot(tern_engine *engine, enum tern_graph_type type,
                          const tern_plan *plan, char **out,
                          struct tern_diags *diags);

#ifdef __cplusplus
}
#endif

#endif
