/**
 * @file tern/state.h
 * @brief The state store: tern's record of what exists.
 *
 * One SQLite file (default name `tern.tfstate.db`; the caller passes the
 * path) holds the state's metadata (lineage, serial, the tern version that
 * wrote it), the resource instances, the outputs, the intents of operations
 * in flight, and the history of every change. The file is created with mode
 * 0600, runs in WAL mode with `synchronous=FULL`, and every change is its own
 * transaction: an apply that is killed loses at most the step it was in the
 * middle of, and that step's intent tells the next run what to look for.
 *
 * Locking is an operating-system lock on `<path>.lock` beside the database
 * (an open-file-description fcntl lock), held from tern_state_open() to
 * tern_state_free(); the kernel drops it when the holder dies, so a killed
 * job never leaves the state locked. The lock file also holds the holder's
 * info (ID, operation, user@host, pid, start time) for messages.
 *
 * Every function that can fail returns TERN_OK or a negative enum tern_error
 * and appends the details to a caller-owned struct tern_diags (which may be
 * NULL when the caller does not want them).
 *
 * A handle is used by one thread at a time: in an apply, the libuv loop
 * thread owns it and writes each result as it comes back from a worker.
 *
 * Nothing but state/ includes sqlite3.h; the rest of tern reaches the store
 * only through this header.
 */
#ifndef TERN_STATE_H
#define TERN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tern/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Route SQLite's allocations through tern's allocator (src/util/alloc.h),
 * so that an allocation failure inside SQLite takes the same paths as
 * tern's own. Call once, before any SQLite call in the process and before
 * threads start (tern_init() does); later calls change nothing.
 *
 * @return TERN_OK; TERN_ERROR when SQLite was already initialised (it
 *         then keeps its own allocator)
 */
int tern_state_use_tern_allocator(void);

/** An open state store. Opaque; see tern_state_open(). */
typedef struct tern_state tern_state;

/** The default file name of a state database. */
#define TERN_STATE_DEFAULT_PATH "tern.tfstate.db"

/**
 * The `terraform_version` of every v4 document tern writes (state pull,
 * the S3 backend's object). Terraform refuses a state that claims a newer
 * Terraform than itself in some versions, so this names a widely deployed
 * release rather than tern's own version.
 */
#define TERN_STATE_TERRAFORM_VERSION "1.5.7"

/** The schema version this tern writes (PRAGMA user_version). */
#define TERN_STATE_SCHEMA_VERSION 3

/** The version of struct tern_state_open_options this header describes. */
#define TERN_STATE_OPEN_OPTIONS_VERSION 3

/** How to open a state store. Initialise with TERN_STATE_OPEN_OPTIONS_INIT. */
struct tern_clock;

typedef struct tern_state_open_options {
    unsigned int version; /**< TERN_STATE_OPEN_OPTIONS_VERSION */
    /** Database path (borrowed); NULL means TERN_STATE_DEFAULT_PATH. */
    const char *path;
    /** Create a new, empty state when the file does not exist. */
    int create;
    /**
     * Take the OS lock for the life of the handle (default on). Turn off
     * only for read-only inspection; writers must lock.
     */
    int lock;
    /**
     * How long to wait for another holder's lock, in milliseconds; 0 fails
     * at once.
     */
    unsigned int lock_timeout_ms;
    /**
     * What the caller is doing ("apply", "plan", "state push"; borrowed):
     * shown to anyone who finds the lock held, and recorded with every
     * change in the history. NULL means "unknown".
     */
    const char *operation;
    /** The clock the lock wait polls on (tern/clock.h; borrowed); NULL:
     *  the system's. */
    const struct tern_clock *clock;
    /**
     * Only read: open the database read-only, take no lock and write
     * nothing (no journal-mode switch, no migration), so that a state in a
     * directory or on a file system tern may not write can be inspected
     * (issue 20, finding 13). Excludes @c create and @c lock. A state
     * whose schema is older is opened for writing after all and upgraded.
     */
    int readonly;
} tern_state_open_options;

#define TERN_STATE_OPEN_OPTIONS_INIT                                           \
    {                                                                          \
        TERN_STATE_OPEN_OPTIONS_VERSION, NULL, 0, 1, 0, NULL, NULL, 0          \
    }

/**
 * Open (and with @c create, create) a state store, lock it, check it and
 * bring its schema up to date.
 *
 * A file that is not a tern state (a Terraform JSON .tfstate, another
 * program's SQLite database, anything else), that is damaged (fails
 * `PRAGMA quick_check`) or that a newer tern wrote is refused with a
 * diagnostic that says what to do; it is never modified. Leftover intents
 * of an interrupted run are reported as one warning (see
 * tern_state_intents()).
 *
 * @param out receives the new handle (caller owns; tern_state_free())
 * @param opts options (borrowed; only read during the call)
 * @param diags receives the reasons for a failure; may be NULL
 * @return TERN_OK; TERN_ENOTFOUND when the file does not exist and
 *         @c create is off; TERN_ECONFLICT when another process holds the
 *         lock past the timeout; TERN_EINVALID when the file is refused;
 *         TERN_ERROR or TERN_ENOMEM otherwise
 */
int tern_state_open(tern_state **out, const tern_state_open_options *opts,
                    struct tern_diags *diags);

/**
 * Close the database and release the lock. NULL-safe.
 * @param state the handle (freed)
 */
void tern_state_free(tern_state *state);

/**
 * The state's lineage: a UUID (v4) chosen when the state was created.
 * @return a string owned by @p state, valid until the next import
 */
const char *tern_state_lineage(const tern_state *state);

/**
 * The state's serial: incremented by every committed change to resources
 * or outputs (intents do not count: they are a journal, not state).
 */
int64_t tern_state_serial(const tern_state *state);

/** The tern version that last wrote the state (owned by @p state). */
const char *tern_state_tern_version(const tern_state *state);

/** The path of the database (owned by @p state). */
const char *tern_state_path(const tern_state *state);

/* ------------------------------------------------------------------------ */
/* Resource instances                                                       */

/** Managed resource or data source. */
enum tern_state_mode { TERN_STATE_MANAGED = 0, TERN_STATE_DATA = 1 };

/** An instance's status. */
enum tern_state_status { TERN_STATE_READY = 0, TERN_STATE_TAINTED = 1 };

/** The kind of an instance's index key (count gives int, for_each string). */
enum tern_state_key {
    TERN_STATE_KEY_NONE = 0,
    TERN_STATE_KEY_INT = 1,
    TERN_STATE_KEY_STRING = 2
};

/**
 * One resource instance.
 *
 * In a struct the store returns, every pointer is owned by the struct
 * (tern_state_resource_free()). In a struct a caller passes in, every
 * pointer is borrowed and copied: fill a zeroed struct (or
 * TERN_STATE_RESOURCE_INIT) with string literals and borrowed JSON.
 */
typedef struct tern_state_resource {
    unsigned int version; /**< TERN_STATE_RESOURCE_VERSION */
    /** Module path, e.g. `module.net` or `module.a["x"].module.b`; NULL or
     *  "" for the root module. */
    char *module;
    enum tern_state_mode mode;
    char *type; /**< e.g. "aws_iam_role" */
    char *name; /**< the resource's name in the configuration */
    enum tern_state_key key_kind;
    long long key_int; /**< the index when key_kind is TERN_STATE_KEY_INT */
    char *key_str;     /**< the key when key_kind is TERN_STATE_KEY_STRING */
    /**
     * Provider address, `provider["registry.terraform.io/hashicorp/aws"]`;
     * NULL picks the default for the type's prefix.
     */
    char *provider;
    char *id;           /**< the remote object's ID; may be NULL */
    json_t *attributes; /**< an object; NULL means {} */
    /**
     * Sensitive attribute paths, in Terraform's form: an array of paths,
     * each an array of steps `{"type":"get_attr","value":"password"}` or
     * `{"type":"index","value":{"value":0,"type":"number"}}`. NULL means [].
     */
    json_t *sensitive;
    json_t *dependencies; /**< array of address strings; NULL means [] */
    enum tern_state_status status;
    int create_before_destroy;
    long long schema_version; /**< the module's schema version */
} tern_state_resource;

#define TERN_STATE_RESOURCE_VERSION 1
#define TERN_STATE_RESOURCE_INIT                                               \
    {                                                                          \
        TERN_STATE_RESOURCE_VERSION, NULL, TERN_STATE_MANAGED, NULL, NULL,     \
            TERN_STATE_KEY_NONE, 0, NULL, NULL, NULL, NULL, NULL, NULL,        \
            TERN_STATE_READY, 0, 0                                             \
    }

/**
 * The canonical address of an instance, e.g. `aws_iam_role.r`,
 * `module.m.aws_iam_role.r[0]`, `data.aws_caller_identity.c`,
 * `aws_iam_role.r["a b"]` (string keys are JSON-quoted). Resources are
 * stored, found and removed by this address.
 * @param r the instance (borrowed)
 * @return a new string (caller frees with tern_free()), or NULL when out
 *         of memory or @p r lacks a type or name
 */
char *tern_state_resource_address(const tern_state_resource *r);

/**
 * Free an instance the store returned and everything it owns. NULL-safe.
 * @param r the instance (freed)
 */
void tern_state_resource_free(tern_state_resource *r);

/**
 * Free an array of instances from tern_state_list(). NULL-safe.
 * @param list the array (freed with its elements' contents)
 * @param count its length
 */
void tern_state_resources_free(tern_state_resource *list, size_t count);

/**
 * Look up one instance by canonical address.
 * @param out receives a new instance (caller owns; tern_state_resource_free())
 * @param address the canonical address (borrowed)
 * @return TERN_OK, TERN_ENOTFOUND (no diagnostic added), or an error
 */
int tern_state_get(tern_state *state, tern_state_resource **out,
                   const char *address, struct tern_diags *diags);

/**
 * Every instance, ordered by module, mode, type, name and key.
 * @param out receives a new array (caller owns; tern_state_resources_free())
 *            or NULL when the state is empty
 * @param count receives its length
 */
int tern_state_list(tern_state *state, tern_state_resource **out, size_t *count,
                    struct tern_diags *diags);

/**
 * Insert or replace one instance: one transaction, one serial, one history
 * entry. Same as tern_state_commit_step() without an intent.
 * @param r the instance (borrowed; copied)
 */
int tern_state_put(tern_state *state, const tern_state_resource *r,
                   struct tern_diags *diags);

/**
 * Remove one instance: one transaction, one serial, one history entry.
 * @param address canonical address (borrowed)
 * @return TERN_OK or TERN_ENOTFOUND (nothing changed), or an error
 */
int tern_state_remove(tern_state *state, const char *address,
                      struct tern_diags *diags);

/**
 * Remove several instances as ONE change (`tern state rm A B`): one
 * transaction, one serial, one history entry per instance. All of them are
 * removed, or none: when one is not in the state, or anything fails,
 * nothing changes.
 * @param addresses canonical addresses (borrowed)
 * @param count how many; 0 changes nothing
 * @return TERN_OK; TERN_ENOTFOUND (with a diagnostic naming the address)
 *         when one is not in the state; or an error
 */
int tern_state_remove_many(tern_state *state, const char *const *addresses,
                           size_t count, struct tern_diags *diags);

/**
 * Move instances to new addresses as ONE change (`tern state mv`): the
 * instance at @p from[i] is removed and @p to[i] (normally a copy of it
 * with another module, name or key) is stored, for every i, in one
 * transaction and one serial; the history records each removal and each
 * addition. All sources are removed before any destination is written, so
 * an instance may move to an address another one leaves. All of it
 * happens, or none: a missing source, a destination that is already taken
 * or any failure changes nothing.
 * @param from canonical addresses of the instances to move (borrowed)
 * @param to the instances at their new addresses (borrowed; copied)
 * @param count how many; 0 changes nothing
 * @return TERN_OK; TERN_ENOTFOUND when a source is not in the state;
 *         TERN_EEXISTS when a destination is taken; TERN_EINVALID for a
 *         destination without type or name; or an error
 */
int tern_state_move(tern_state *state, const char *const *from,
                    const tern_state_resource *to, size_t count,
                    struct tern_diags *diags);

/* ------------------------------------------------------------------------ */
/* Outputs                                                                  */

/**
 * Set (or with @p value NULL, remove) one root module output: one
 * transaction, one serial.
 * @param name output name (borrowed)
 * @param value the value (borrowed; serialised), or NULL to remove
 * @param sensitive nonzero when the value must not be shown
 */
int tern_state_output_set(tern_state *state, const char *name,
                          const json_t *value, int sensitive,
                          struct tern_diags *diags);

/**
 * tern_state_output_set() with the output's type as Terraform's v4 format
 * writes it (["list","string"], ["map","string"], ...): tern's values do
 * not carry one. @p type NULL: none is known, and readers infer it from
 * the value. tern_state_outputs() gives it as "type".
 * @param type borrowed; serialised
 */
int tern_state_output_set_typed(tern_state *state, const char *name,
                                const json_t *value, const json_t *type,
                                int sensitive, struct tern_diags *diags);

/**
 * Every output, as `{"name": {"value": …, "sensitive": bool[, "type": …]}, …}`
 * ("type" where tern_state_output_set_typed() saved one).
 * @param out receives a new reference
 */
int tern_state_outputs(tern_state *state, json_t **out,
                       struct tern_diags *diags);

/**
 * Replace the check results of the last apply: Terraform's v4
 * "check_results" array (NULL or empty: none). One transaction and one
 * serial, none when they are unchanged.
 * @param results borrowed
 */
int tern_state_check_results_set(tern_state *state, const json_t *results,
                                 struct tern_diags *diags);

/**
 * The stored check results (a new reference to the v4 array), or NULL in
 * *out when there are none.
 */
int tern_state_check_results(tern_state *state, json_t **out,
                             struct tern_diags *diags);

/* ------------------------------------------------------------------------ */
/* Intents: a write-ahead record of an operation in flight                  */

/** One intent. Every pointer is owned by the struct. */
typedef struct tern_state_intent {
    int64_t id;
    char *address;    /**< the instance being changed */
    char *action;     /**< "create", "update", "delete", "replace", … */
    json_t *identity; /**< what finds the object, e.g. {"name": "x"} */
    int64_t created;  /**< Unix time the intent was written */
    long pid;         /**< process that wrote it (0 if unknown) */
    char *operation;  /**< the command that wrote it; may be NULL */
    /** A "deposed" intent's object besides its attributes (identity), as
     *  a v4 state instance has them: provider, status, schema_version,
     *  sensitive_attributes, dependencies, create_before_destroy. NULL for
     *  other intents and deposed objects recorded before tern kept it. */
    json_t *object;
} tern_state_intent;

/**
 * Record, durably, that an operation on @p address is about to be made:
 * call this before the remote call, then tern_state_commit_step() after
 * it. An intent that is still there at the next open means the run died in
 * between: the object may or may not exist remotely, and @p identity is
 * what the next run uses to look for it.
 * @param id receives the intent's ID
 * @param address canonical instance address (borrowed)
 * @param action what is about to be done (borrowed)
 * @param identity identifying attributes (borrowed; serialised); NULL = {}
 */
int tern_state_intent_begin(tern_state *state, int64_t *id, const char *address,
                            const char *action, const json_t *identity,
                            struct tern_diags *diags);

/**
 * Record, in the same way, that the object at @p address is deposed: the
 * old object of a create_before_destroy replacement whose new object is
 * now the address's, kept (a "deposed" intent) until its delete is done.
 * @param attributes the old object's attributes (borrowed); NULL = {}
 * @param prior the old object's state row, whose status, schema version,
 *              sensitive paths, dependencies and create_before_destroy
 *              the deposed object keeps (borrowed; may be NULL)
 */
int tern_state_depose(tern_state *state, int64_t *id, const char *address,
                      const json_t *attributes,
                      const tern_state_resource *prior,
                      struct tern_diags *diags);

/**
 * Drop an intent without changing the state (the call failed and changed
 * nothing, or a later run reconciled it). Does not change the serial.
 * @return TERN_OK or TERN_ENOTFOUND
 */
int tern_state_intent_abandon(tern_state *state, int64_t id,
                              struct tern_diags *diags);

/**
 * Every intent left in the store, oldest first.
 * @param out receives a new array (tern_state_intents_free()), NULL if none
 * @param count receives its length
 */
int tern_state_intents(tern_state *state, tern_state_intent **out,
                       size_t *count, struct tern_diags *diags);

/** What a change hook is told (tern_state_change_fn). */
enum tern_state_event {
    TERN_STATE_CHANGED_STEP = 0,   /**< a step was committed */
    TERN_STATE_CHANGED_INTENT = 1, /**< an intent was recorded */
    /** tern_state_flush(): the last intent must be durable where the
     *  state lives before the call it announces is made */
    TERN_STATE_FLUSH = 2
};

/**
 * Called after each intent is recorded and each step is committed (@p what
 * a tern_state_event; @p diags NULL, the result ignored), and by
 * tern_state_flush() (@p diags set; the result is its result), on the
 * thread that made the change: a remote backend pushes from here
 * (src/backend/s3.h).
 */
typedef int (*tern_state_change_fn)(void *ud, tern_state *state, int what,
                                    struct tern_diags *diags);

/**
 * Set (or, with NULL, clear) the change hook of @p state.
 * @param ud passed to @p fn (borrowed)
 */
void tern_state_set_change_hook(tern_state *state, tern_state_change_fn fn,
                                void *ud);

/**
 * Make what the store holds durable where the state lives before going on:
 * the engine calls it after the intent of a create whose object a later
 * run could not find from its configuration (tern_assigned_ids[],
 * tern/module.h). A local store is durable already (TERN_OK at once); the
 * S3 backend pushes the state with the intent and waits for the write.
 * @return TERN_OK, or the hook's failure (with a diagnostic)
 */
int tern_state_flush(tern_state *state, struct tern_diags *diags);

/** Free an array from tern_state_intents(). NULL-safe. */
void tern_state_intents_free(tern_state_intent *list, size_t count);

/**
 * Record the result of a step, in ONE transaction: delete the intent
 * @p intent_id (if nonzero), insert or replace @p r (or, when @p r is NULL,
 * remove the intent's instance), record the previous version in the history
 * and bump the serial. Either all of it is on disk when this returns
 * TERN_OK, or none of it.
 * @param intent_id an ID from tern_state_intent_begin(), or 0 for none
 * @param r the new instance (borrowed; copied), or NULL for a deletion
 *          (then @p intent_id must name an intent)
 * @return TERN_OK; TERN_ENOTFOUND when @p intent_id names no intent
 *         (nothing is changed); TERN_EINVALID for bad arguments
 */
int tern_state_commit_step(tern_state *state, int64_t intent_id,
                           const tern_state_resource *r,
                           struct tern_diags *diags);

/**
 * Group commit: make the changes until tern_state_batch_end() one durable
 * transaction (one fsync) instead of one each. Each change keeps its own
 * serial, history entry and all-or-nothing behaviour (a savepoint), but
 * none is on disk before the batch ends, so a caller must not act on a
 * change (start the remote call an intent announces) until then. The apply
 * loop batches what arrives in one turn of the loop. Batches do not nest.
 * @return TERN_OK, TERN_EINVALID (a batch is open) or an error
 */
int tern_state_batch_begin(tern_state *state, struct tern_diags *diags);

/**
 * End a batch: commit everything since tern_state_batch_begin(). On
 * failure nothing of the batch is kept and the serial is re-read.
 * @return TERN_OK (also when no batch was open) or an error
 */
int tern_state_batch_end(tern_state *state, struct tern_diags *diags);

/* ------------------------------------------------------------------------ */
/* History                                                                  */

/** One recorded change. Every pointer is owned by the struct. */
typedef struct tern_state_change {
    int64_t serial;  /**< the serial the change produced */
    int64_t time;    /**< Unix time */
    char *operation; /**< the command that made it */
    char *kind;      /**< "resource" or "output" */
    char *key;       /**< the address or output name */
    /**
     * What it was before (NULL: it did not exist): a resource in the form of
     * one Terraform v4 instance plus "module", "mode", "type", "name",
     * "provider" and "id"; an output as {"value", "sensitive"}.
     */
    json_t *before;
} tern_state_change;

/**
 * The recorded changes, oldest first.
 * @param serial only the changes that produced this serial, or -1 for all
 * @param out receives a new array (tern_state_changes_free()), NULL if none
 * @param count receives its length
 */
int tern_state_history(tern_state *state, int64_t serial,
                       tern_state_change **out, size_t *count,
                       struct tern_diags *diags);

/** Free an array from tern_state_history(). NULL-safe. */
void tern_state_changes_free(tern_state_change *list, size_t count);

/**
 * Replace the recorded history with @p list (oldest first; borrowed): the
 * S3 backend's working copy takes the bounded history its object carries.
 * Not a change of the state (no serial). From then on the store keeps its
 * history from @p from_serial: tern_state_export() of an older serial is
 * refused (TERN_ENOTFOUND), since the changes that would rebuild it are
 * not there.
 */
int tern_state_history_replace(tern_state *state, const tern_state_change *list,
                               size_t count, int64_t from_serial,
                               struct tern_diags *diags);

/**
 * The oldest serial the recorded history rebuilds: 0 for a store that
 * keeps every change (a local state), else what
 * tern_state_history_replace() set.
 */
int tern_state_history_from(tern_state *state, int64_t *from);

/**
 * What tern wrote recently: for each resource whose latest recorded change
 * is at or after @p since (Unix time), an object
 * `{"aws_iam_role.r": {"at": 1764300000, "before": [...], "confirmed":
 * false}, ...}`: "at" is the time of the latest change; "before" what the
 * resource was before each of its changes since @p since, newest first
 * (its attributes, or null where it did not exist: a create); "confirmed"
 * whether tern_state_confirm_writes() has recorded that the service shows
 * the latest change. The history is read from its newest end and the scan
 * stops at the first older change, so the cost is the recent changes, not
 * the whole history. The planner uses it to tell a change that has not yet
 * propagated (the service still shows a "before") from one made outside
 * tern (anything else).
 * @param out receives a new object (possibly empty)
 */
int tern_state_recent_writes(tern_state *state, int64_t since, json_t **out,
                             struct tern_diags *diags);

/**
 * Record that the service has been seen to show every change to
 * @p addresses up to @p serial (a later change is not confirmed by this):
 * the next plan then reads them once, without waiting for propagation.
 * Not a change of the state (no serial, no history); inside a batch it is
 * part of the batch. Confirmations older than a day are forgotten.
 * @param addresses canonical addresses (borrowed)
 * @param count how many; 0 records nothing
 * @param serial the state's serial when the service was read
 */
int tern_state_confirm_writes(tern_state *state, const char *const *addresses,
                              size_t count, int64_t serial,
                              struct tern_diags *diags);

/* ------------------------------------------------------------------------ */
/* Terraform v4 state JSON                                                  */

/**
 * The state as it was at @p serial, as a Terraform state file (format
 * version 4), rebuilt from the history: `tern state pull`.
 * @param serial an earlier serial, or -1 for the current state
 * @param out receives a new reference
 * @return TERN_OK or TERN_ENOTFOUND when @p serial is newer than the state
 */
int tern_state_export(tern_state *state, int64_t serial, json_t **out,
                      struct tern_diags *diags);

/** A cache of exported instance texts (tern_state_export_text()). */
typedef struct tern_state_text_cache tern_state_text_cache;

/** A new, empty cache; NULL when out of memory. */
tern_state_text_cache *tern_state_text_cache_new(void);
/** Free a cache. NULL-safe. */
void tern_state_text_cache_free(tern_state_text_cache *cache);

/**
 * The current state as the text of a Terraform state file, byte for byte
 * json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) of
 * tern_state_export(-1)'s document with @p ext set at key @p ext_name (a
 * remote backend's extension), written without building that document:
 * an instance whose stored row is unchanged since the last export with
 * the same @p cache is not serialized again (the S3 backend's pushes).
 * @param cache kept between calls; used by one thread at a time
 * @param ext_name NULL for none
 * @param out receives a string from tern_malloc, @p len its length
 */
int tern_state_export_text(tern_state *state, tern_state_text_cache *cache,
                           const char *ext_name, const json_t *ext, char **out,
                           size_t *len, struct tern_diags *diags);

/** Flags for tern_state_import(). */
enum tern_state_import_flags {
    /** Push even over another lineage or a lower serial. */
    TERN_STATE_IMPORT_FORCE = 1u << 0
};

/**
 * Replace the whole state with a Terraform v4 document (`tern state push`),
 * in one transaction. Refused (TERN_ECONFLICT) when the document has
 * another lineage or a lower serial than the store, unless forced; an
 * empty store that was never written adopts the document's lineage and
 * serial. Otherwise the serial becomes the larger of the document's and
 * the store's + 1, and the history keeps what was replaced.
 * @param doc the document (borrowed)
 * @param flags enum tern_state_import_flags
 */
int tern_state_import(tern_state *state, const json_t *doc, unsigned flags,
                      struct tern_diags *diags);

/**
 * Decides whether tern_state_migrate() takes instances of a type.
 * @param type the resource type, e.g. "aws_iam_role"
 * @param mode managed or data
 * @param payload the caller's pointer
 * @return nonzero to take it
 */
typedef int (*tern_state_type_filter)(const char *type,
                                      enum tern_state_mode mode, void *payload);

/**
 * Take over resources from a Terraform state file (format version 4):
 * instances of the types @p accept takes are added (replacing any at the
 * same address), the root outputs too, in one transaction and one serial;
 * the rest are reported as one warning per resource, naming the address.
 * The lineage of the store is kept.
 * @param doc a Terraform v4 state document (borrowed)
 * @param accept the filter; NULL takes every type
 * @param skipped receives a new array of the skipped addresses; may be NULL
 */
int tern_state_migrate(tern_state *state, const json_t *doc,
                       tern_state_type_filter accept, void *payload,
                       json_t **skipped, struct tern_diags *diags);

/* ------------------------------------------------------------------------ */
/* Locks                                                                    */

/**
 * Clear the lock info left in `<path>.lock` when its ID is @p lock_id.
 *
 * The lock itself is an OS lock that the kernel drops when its holder
 * dies, so there is nothing to break: this only clears stale info (a
 * holder that died leaves its info behind, and a later open overwrites it
 * anyway). When a live process still holds the lock it is refused with
 * TERN_ECONFLICT naming that process: stop it instead.
 * @param path the database path (borrowed); NULL = TERN_STATE_DEFAULT_PATH
 * @param lock_id the ID shown in the lock message (borrowed)
 * @return TERN_OK, TERN_ENOTFOUND (no info or another ID), TERN_ECONFLICT
 */
int tern_state_force_unlock(const char *path, const char *lock_id,
                            struct tern_diags *diags);

/**
 * The lock info in `<path>.lock`, if any:
 * `{"ID", "Operation", "Who", "Pid", "Created", "Version", "Path"}`.
 * @param out receives a new reference, or NULL when there is none
 */
int tern_state_lock_info(const char *path, json_t **out,
                         struct tern_diags *diags);

#ifdef __cplusplus
}
#endif

#endif
