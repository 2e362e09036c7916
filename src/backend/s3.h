/*
 * The S3 state backend: `terraform { backend "s3" { ... } }`, with
 * Terraform's arguments and its `use_lockfile` locking model
 * (hashicorp/terraform internal/backend/remote-state/s3: backend.go,
 * backend_state.go, client.go).
 *
 * What lives where. The object at `key` (for a workspace other than
 * "default": `<workspace_key_prefix>/<workspace>/<key>`, prefix `env:` by
 * default) is a Terraform v4 state, the document `tern state pull`
 * writes, so Terraform and tern read each other's state in one bucket.
 * tern's own records travel beside the v4 fields under the top-level key
 * "tern", which Terraform's reader ignores (Go's encoding/json drops
 * unknown fields):
 *
 *   "tern": {"format": 1,
 *            "intents": [{"address", "action", "identity", "operation"}],
 *            "history": [{"serial", "time", "operation", "kind", "key",
 *                         "before"}],
 *            "history_from": N}
 *
 * `intents` are the creates and changes a run announced and did not yet
 * commit: the next run, from any machine, looks those objects up and
 * adopts them instead of creating duplicates. `history` is the store's
 * record of changes (tern_state_change) for the latest serials, bounded
 * (TERN_S3_HISTORY_SERIALS, TERN_S3_HISTORY_BYTES), so `state history`
 * and `state pull -serial=N` work from a fresh runner back to serial
 * `history_from`. The local SQLite store
 * stays the working copy: it is rebuilt from the object when a command
 * starts (pull) and written back when the state changed (push).
 *
 * Locking. The lock is the object `<state key>.tflock`, created with a
 * conditional PutObject (If-None-Match: *) holding Terraform's lock info,
 * {"ID", "Operation", "Info", "Who", "Version", "Created", "Path"}
 * (internal/states/statemgr/locker.go), and released by DeleteObject. A
 * refusal (412 PreconditionFailed or 409 ConditionalRequestConflict)
 * reads the lock object and names its holder. Every write of the state is
 * conditional on the ETag read at pull or written by the previous push
 * (If-Match; If-None-Match: * when there was no object), so a writer whose
 * lock was force-unlocked and taken by another can never overwrite that
 * other's state: its push fails with a diagnostic saying so.
 *
 * The DynamoDB table (dynamodb_table), as client.go keeps it: the lock is
 * the item {LockID: "BUCKET/KEY", Info: the lock info}, written by PutItem
 * on condition attribute_not_exists(LockID), its holder read by GetItem on
 * a refusal, deleted after comparing its ID on unlock; with use_lockfile
 * too, the lock object is taken first and deleted again when the item is
 * held. The digest is the item {LockID: "BUCKET/KEY-md5", Digest: hex MD5
 * of the state's bytes}, written after each write of the state, read
 * beside each read of it (the object re-read every 2 s for 10 s while
 * they differ, then Terraform's "state data in S3 does not have the
 * expected content" error) and deleted with the state.
 */
#ifndef TERN_BACKEND_S3_H
#define TERN_BACKEND_S3_H

#include <jansson.h>
#include <stdatomic.h>

#include "tern/clock.h"
#include "tern/diag.h"
#include "tern/state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TERN_BACKEND_S3_CONFIG_VERSION 1

/** The backend block's arguments. Strings borrowed; NULL when unset. */
typedef struct tern_backend_s3_config {
    unsigned int version; /**< TERN_BACKEND_S3_CONFIG_VERSION */
    const char *bucket;   /**< required */
    const char *key;      /**< required */
    const char *region;   /**< required (or AWS_REGION/AWS_DEFAULT_REGION) */
    const char *workspace_key_prefix; /**< NULL: "env:" */
    const char *workspace;            /**< NULL: "default" */
    int use_lockfile;                 /**< lock with KEY.tflock */
    int encrypt;                      /**< x-amz-server-side-encryption */
    const char *kms_key_id;
    const char *acl;
    const char *endpoint_s3; /**< endpoints { s3 = ... } */
    const char *endpoint_sts;
    const char *endpoint_iam;
    int use_path_style;
    const char *profile;
    const char *const *shared_config_files;
    const char *const *shared_credentials_files;
    const char *access_key;
    const char *secret_key;
    const char *token;
    const char *assume_role_arn;
    const char *assume_role_session_name;
    const char *assume_role_external_id;
    long assume_role_duration_seconds;
    int max_retries; /**< < 0: 5, Terraform's default for the backend */
    /** The watch's clock: its export and push interval (NULL: the
     *  system's; a test's, to drive the interval without waiting). */
    const tern_clock *clock;
    /** dynamodb_table: lock in this table too (Terraform's LockID item)
     *  and keep the state's digest there ("BUCKET/KEY-md5"). */
    const char *dynamodb_table;
    const char *endpoint_dynamodb; /**< endpoints { dynamodb = ... } */
    /** STS's region (assume_role, the account check); NULL: region. */
    const char *sts_region;
    const char *retry_mode;       /**< "standard" (checked before) or NULL */
    const char *custom_ca_bundle; /**< PEM file of trusted CAs */
    int insecure;                 /**< skip TLS certificate checks */
    const char *http_proxy;       /**< for http:// endpoints */
    const char *https_proxy;      /**< for https:// endpoints */
    const char *no_proxy;         /**< hosts reached directly */
    /** SSE-C: the base64 of a 256-bit key (checked before). */
    const char *sse_customer_key;
    /** NULL-terminated account IDs the credentials must (not) be of,
     *  checked with STS GetCallerIdentity. */
    const char *const *allowed_account_ids;
    const char *const *forbidden_account_ids;
    int skip_requesting_account_id; /**< the account is not asked */
    /** ec2_metadata_service_endpoint (else AWS_METADATA_URL when
     *  AWS_EC2_METADATA_SERVICE_ENDPOINT is unset); NULL: the
     *  credentials' own (aws/credentials.h). */
    const char *imds_endpoint;
    const char *imds_endpoint_mode; /**< "IPv4" or "IPv6" (checked) */
    /** skip_metadata_api_check: 1 when true, -1 when false, 0 unset. */
    int imds_disabled;
} tern_backend_s3_config;

#define TERN_BACKEND_S3_CONFIG_INIT                                            \
    {                                                                          \
        TERN_BACKEND_S3_CONFIG_VERSION, NULL, NULL, NULL, NULL, NULL, 0, 0,    \
            NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL,     \
            NULL, NULL, NULL, NULL, 0, -1, NULL, NULL, NULL, NULL, NULL, NULL, \
            0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0            \
    }

/**
 * Fill @p c from the backend's arguments as JSON: the backend block with
 * its -backend-config, or terraform_remote_state's `config` (strings
 * borrowed from @p cfg). The workspace is the caller's to set. Release
 * with tern_backend_s3_config_release().
 */
void tern_backend_s3_config_json(tern_backend_s3_config *c, const json_t *cfg);

/** Free what tern_backend_s3_config_json() allocated (the file lists). */
void tern_backend_s3_config_release(tern_backend_s3_config *c);

/**
 * The attribute arguments of Terraform's S3 backend that tern takes
 * (NULL-terminated), and those of its `endpoints` and `assume_role`.
 */
extern const char *const tern_backend_s3_args[];
extern const char *const tern_backend_s3_endpoint_args[];
extern const char *const tern_backend_s3_assume_role_args[];
extern const char *const tern_backend_s3_web_identity_args[];

/** A deprecated argument, and its replacement ("endpoints.s3"): @p top,
 *  with @p nested when the replacement is a member of it; @p top NULL
 *  when both may be set (dynamodb_table beside use_lockfile). */
struct tern_backend_s3_deprecated {
    const char *name, *replacement, *top, *nested;
};
/** backend.go's deprecated arguments (terminated by a NULL name). */
extern const struct tern_backend_s3_deprecated
    tern_backend_s3_deprecated_args[];

/** A deprecated environment variable and the one that replaces it. */
struct tern_backend_s3_env_deprecated {
    const char *name, *replacement;
};
/** backend.go, Configure's endpointEnvvars, sorted (NULL-terminated):
 *  each still read after its replacement, with a warning. */
extern const struct tern_backend_s3_env_deprecated
    tern_backend_s3_env_deprecated_vars[];

/** A finding of tern_backend_s3_check(): @p arg is the top-level argument
 *  it is about (for its file:line:col). */
typedef void (*tern_backend_s3_report)(void *ud, int severity, const char *arg,
                                       const char *summary, const char *detail);

/**
 * Check the arguments together, as Terraform's PrepareConfig and
 * Configure do: the deprecated ones (a warning; an error with their
 * replacement), the arguments that exclude each other, retry_mode,
 * sse_customer_key, and what tern refuses (use_fips_endpoint and
 * use_dualstack_endpoint without the endpoints they would change,
 * assume_role_with_web_identity, retry_mode "adaptive").
 * @param whole @p cfg is every argument (the block with -backend-config
 *        merged, or remote state's config); 0 for a block or a file alone,
 *        where what depends on the other arguments (the endpoints
 *        use_fips_endpoint needs) is left for the merged check
 * @return the number of errors reported
 */
int tern_backend_s3_check(const json_t *cfg, int whole,
                          tern_backend_s3_report fn, void *ud);

/**
 * The first key of @p cfg that is not an argument of Terraform's S3
 * backend (borrowed), or NULL.
 */
const char *tern_backend_s3_unknown_arg(const json_t *cfg);

/** A configured backend (opaque). */
typedef struct tern_backend_s3 tern_backend_s3;

/**
 * Resolve credentials and build the client. Nothing is read yet.
 * @return TERN_OK, TERN_EINVALID (a missing argument, a bad endpoint),
 *         TERN_EAUTH (no credentials), TERN_ENOMEM
 */
int tern_backend_s3_new(tern_backend_s3 **out,
                        const tern_backend_s3_config *cfg,
                        const atomic_int *cancel, struct tern_diags *diags);

/** Free it; does not release a lock it holds. NULL-safe. */
void tern_backend_s3_free(tern_backend_s3 *b);

/** "BUCKET/KEY" of the state object (owned by the backend). */
const char *tern_backend_s3_path(const tern_backend_s3 *b);

/**
 * Take the lock (when use_lockfile is set; otherwise TERN_OK at once),
 * retrying a held lock with backoff up to @p timeout_ms.
 * @param operation the command, e.g. "apply"
 * @return TERN_OK; TERN_ECONFLICT with "Error acquiring the state lock"
 *         naming the holder; or another failure
 */
int tern_backend_s3_lock(tern_backend_s3 *b, const char *operation,
                         unsigned int timeout_ms, struct tern_diags *diags);

/**
 * tern_backend_s3_lock(), with the state object read at the same time (two
 * connections): one round trip where a lock, then a read, are two. When
 * the lock was taken at the first attempt, tern_backend_s3_pull() uses
 * that read, and a check of it starts at once (tern_backend_s3_verify);
 * when the lock was held (-lock-timeout waiting), the read is dropped and
 * pull reads after the lock, as after tern_backend_s3_lock().
 */
int tern_backend_s3_lock_read(tern_backend_s3 *b, const char *operation,
                              unsigned int timeout_ms,
                              struct tern_diags *diags);

/**
 * The check of a read made beside the lock (tern_backend_s3_lock_read).
 * That read may have reached S3 before the previous holder's final write
 * (it writes, then deletes its lock; our lock succeeding means the delete
 * came first), so once the lock is taken the object is read again
 * If-None-Match its ETag, in the background. This waits for that answer.
 * Nothing to check (no overlapped read, or already checked): TERN_OK, or
 * the first check's result again.
 * @param st the working copy tern_backend_s3_pull() built. Not NULL:
 *        nothing was planned from it yet, so when the object changed the
 *        working copy is rebuilt from the object as it is now (*st
 *        replaced). NULL: a plan was made from it, so a change is an error.
 * @return TERN_OK; TERN_ECONFLICT ("State changed while tern read it")
 *         when the object changed and @p st is NULL; or the check's failure
 *         (a request that failed), each with a diagnostic. After a failure
 *         nothing must be written or applied.
 */
int tern_backend_s3_verify(tern_backend_s3 *b, tern_state **st,
                           struct tern_diags *diags);

/** Release the lock this backend took (a no-op when it holds none). */
int tern_backend_s3_unlock(tern_backend_s3 *b, struct tern_diags *diags);

/**
 * Delete the lock object when its ID is @p id (`force-unlock ID`). When
 * the lock's operation was an apply, first mark the state object
 * interrupted (tern_backend_s3_interrupted; a conditional write).
 * @return TERN_OK, TERN_ENOTFOUND (no lock, or another ID), or a failure
 */
int tern_backend_s3_force_unlock(tern_backend_s3 *b, const char *id,
                                 struct tern_diags *diags);

/**
 * Read the state object.
 * @param doc receives the v4 document (new reference), or NULL when there
 *        is no object yet
 * @return TERN_OK, or a failure (an object that is not JSON included)
 */
int tern_backend_s3_read(tern_backend_s3 *b, json_t **doc,
                         struct tern_diags *diags);

/**
 * Rebuild the working copy from the object: the file at @p path is
 * replaced by a new store holding the remote state (lineage, serial,
 * instances, outputs) and its intents. Remembers the ETag for the next
 * push.
 * @param start_at_one when there is no object yet, start the working
 *        copy at serial 1 (a command that plans or applies), so that the
 *        object it writes and a plan saved from it name the same serial on
 *        every runner; 0 leaves it never written (state push adopts the
 *        pushed document's lineage)
 * @param st receives the opened, locked working copy
 */
int tern_backend_s3_pull(tern_backend_s3 *b, const char *path,
                         const char *operation, int start_at_one,
                         tern_state **st, struct tern_diags *diags);

/**
 * Write the working copy to the object if it changed since the last pull
 * or push (serial or intents), conditional on the ETag then seen.
 * @param bytes receives the size of the object written (0 when nothing
 *        was written); may be NULL
 * @return TERN_OK; TERN_ECONFLICT when the object moved on (the lock was
 *         lost), with a diagnostic; or another failure
 */
int tern_backend_s3_push(tern_backend_s3 *b, tern_state *st, size_t *bytes,
                         struct tern_diags *diags);

/**
 * Push during a command, from the state's change hook: on
 * tern_state_flush() (the intent of a create whose object a later run
 * could not find by name, tern_assigned_ids[]) at once, on the caller's
 * thread, waiting for the write; every other intent and completed step
 * from a thread of the backend, off the apply's critical path, at most one
 * write every @p interval_ms (coalesced; the final push after the command
 * writes the rest). A failure of a background write is kept and reported
 * by the next tern_backend_s3_push(); after a lost ETag nothing more is
 * pushed.
 * @param st the working copy (borrowed; must outlive the watch, or call
 *        again with NULL to stop)
 */
void tern_backend_s3_watch(tern_backend_s3 *b, tern_state *st,
                           long interval_ms);

/**
 * The marker a force-unlock left in the state object when the run holding
 * the lock was applying ({"ID", "Who", "Created"}, borrowed), as last
 * pulled; NULL when there is none. That run may have created objects
 * whose intents never reached the object: the next apply looks up every
 * object it would create (tern_plan_options.lookup_creates).
 */
const json_t *tern_backend_s3_interrupted(const tern_backend_s3 *b);

/**
 * The apply that saw the marker finished: the next push drops it.
 */
void tern_backend_s3_settle(tern_backend_s3 *b);

/** Bytes and objects pushed so far (for the log and the benchmarks). */
void tern_backend_s3_stats(const tern_backend_s3 *b, size_t *pushes,
                           size_t *bytes);

/**
 * Write a whole v4 document (state push, migrate), conditional as a push.
 */
int tern_backend_s3_write(tern_backend_s3 *b, const json_t *doc,
                          struct tern_diags *diags);

/**
 * ListObjectsV2 of the backend's bucket under @p prefix (every page), for
 * the workspaces: @p fn gets each key.
 */
int tern_backend_s3_list(tern_backend_s3 *b, const char *prefix,
                         int (*fn)(void *ud, const char *key, int is_prefix),
                         void *ud, struct tern_diags *diags);

/** Delete the state object (`workspace delete`). */
int tern_backend_s3_delete_state(tern_backend_s3 *b, struct tern_diags *diags);

/** How much history the extension carries: the changes of at most this
 * many of the latest serials ... */
#define TERN_S3_HISTORY_SERIALS 100
/** ... while their JSON stays under this many bytes (whole serials; the
 * oldest are dropped first). */
#define TERN_S3_HISTORY_BYTES (512 * 1024)

/**
 * Set "history" (the changes of @p st's latest serials, bounded as above,
 * oldest first: {"serial", "time", "operation", "kind", "key", "before"})
 * and "history_from" (the oldest serial they rebuild) in the extension
 * object @p ext.
 */
int tern_backend_s3_history_add(tern_state *st, json_t *ext,
                                struct tern_diags *diags);

/**
 * Replace @p st's history with what the extension @p ext carries (NULL or
 * none: an object Terraform or an earlier tern wrote; then only the
 * current serial can be rebuilt).
 */
int tern_backend_s3_history_load(tern_state *st, const json_t *ext,
                                 struct tern_diags *diags);

#ifdef __cplusplus
}
#endif

#endif
