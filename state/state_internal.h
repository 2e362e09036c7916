/*
 * Private to state/: the handle, the helpers the store's files share, and
 * the schema SQL of every version (kept so that a test can build a file of
 * an earlier version and open it with the current code).
 */
#ifndef TERN_STATE_INTERNAL_H
#define TERN_STATE_INTERNAL_H

#include <sqlite3.h>
#include <sys/types.h>

#include "tern/state.h"
#include "util/buf.h"

/* Prepared statements kept for reuse (store.c's prepare() and finish()):
 * keyed by the address of their SQL text, always a string literal. */
#define TERN__STATE_STMTS 32

struct tern__state_stmt {
    const char *sql;
    sqlite3_stmt *stmt;
    int busy; /* handed out, not yet finished */
};

struct tern_state {
    sqlite3 *db;
    char *path;
    char *operation; /* recorded with every change; never NULL */
    char *lineage;
    char *tern_version;
    int64_t serial;
    int lock_fd; /* -1 when not locked */
    /* The process that opened it, recorded with every intent (asked once:
     * getpid() is a system call each time). */
    pid_t pid;
    char *lock_id;
    int batch; /* inside tern_state_batch_begin(): changes are savepoints */
    /* A change of the batch could not be rolled back to its savepoint
     * (out of memory): its half is in the batch's transaction, so the
     * batch ends in a ROLLBACK, never a COMMIT. The error to report. */
    int batch_broken;
    /* Called after each intent and step (a remote backend's push). */
    tern_state_change_fn on_change;
    void *on_change_ud;
    struct tern__state_stmt stmts[TERN__STATE_STMTS];
    /* The first failed bind since the last step (SQLITE_OK: none). */
    int bind_rc;
};

/*
 * Every bind goes through TERN__BIND and every step through
 * tern__state_step(): a failed bind (a value over SQLite's length limit,
 * an index out of range) would otherwise leave the parameter NULL and the
 * statement run on it, a DELETE ... WHERE address = NULL removing nothing
 * and reporting success. The step then fails instead, and SQLite still
 * holds the bind's error for tern__state_sqlfail() to report.
 */
#define TERN__BIND(st, call) tern__state_bound((st), (call))
static inline void tern__state_bound(tern_state *st, int rc)
{
    if (rc != SQLITE_OK && st->bind_rc == SQLITE_OK)
        st->bind_rc = rc;
}
static inline int tern__state_step(tern_state *st, sqlite3_stmt *s)
{
    int rc = st->bind_rc;

    if (rc != SQLITE_OK) {
        st->bind_rc = SQLITE_OK;
        return rc;
    }
    return sqlite3_step(s);
}

/*
 * migrations[v] takes a file from schema version v to v + 1;
 * tern__state_migrations[0] is the whole version 1 schema.
 */
extern const char *const tern__state_migrations[TERN_STATE_SCHEMA_VERSION];

/* Append an error diagnostic (if diags is not NULL) and return code. */
int tern__state_fail(struct tern_diags *diags, int code, const char *summary,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Report the database's last error for an action on the store. */
int tern__state_sqlfail(tern_state *st, struct tern_diags *diags,
                        const char *what);

/* A new UUID v4 string from OpenSSL's RAND_bytes. NULL on failure. */
char *tern__state_uuid(void);

/* A Unix time as RFC 3339 UTC into out (at least 32 bytes). */
void tern__state_time_format(int64_t t, char *out, size_t size);

/*
 * Serialise JSON compactly into a string from tern_malloc (any value,
 * not only objects and arrays). NULL on allocation failure.
 */
char *tern__state_json_dump(const json_t *v);

/* Replace the check results (checks.c) inside an open change. */
int tern__state_check_results_in_tx(tern_state *st, const json_t *results,
                                    struct tern_diags *diags);

/* Take the OS lock beside path; fills st->lock_fd and st->lock_id. */
int tern__state_lock(tern_state *st, unsigned int timeout_ms,
                     const struct tern_clock *clock, struct tern_diags *diags);
/* Clear the lock info and drop the lock. Safe when not locked. */
void tern__state_unlock(tern_state *st);

/*
 * A resource as JSON: one Terraform v4 instance object (index_key, status,
 * schema_version, attributes, sensitive_attributes, dependencies,
 * create_before_destroy) plus module, mode, type, name, provider and id.
 * This is the history's "before" form. Returns a new reference.
 */
json_t *tern__state_resource_to_json(const tern_state_resource *r);

/*
 * What a v4 instance object holds besides its attributes, index key and
 * deposed key (version4.go's appendInstanceObjectStateV4): provider,
 * status, schema_version, sensitive_attributes, dependencies,
 * create_before_destroy, as the "object" of a deposed intent keeps them.
 * A new reference, or NULL when out of memory.
 */
json_t *tern__state_object_meta(const tern_state_resource *r);

/*
 * The reverse: fills r with pointers borrowed from obj (valid while obj
 * lives). TERN_EINVALID with a diagnostic when obj is malformed.
 */
int tern__state_resource_from_json(tern_state_resource *r, const json_t *obj,
                                   struct tern_diags *diags);

/*
 * Every resource row in export order (module, mode, type, name, key), as
 * tern_state_list() selects them: fn sees the statement positioned on the
 * row, columns RESOURCE_COLUMNS (TERN__STATE_RESOURCE_NCOLS of them); a
 * nonzero return stops the walk and is returned.
 */
#define TERN__STATE_RESOURCE_NCOLS 15
int tern__state_resource_rows(tern_state *st,
                              int (*fn)(void *ud, sqlite3_stmt *s), void *ud,
                              struct tern_diags *diags);
/* The row fn sees, as tern_state_list() returns it (owned copies). */
int tern__state_resource_from_row(tern_state *st, tern_state_resource *r,
                                  sqlite3_stmt *s, struct tern_diags *diags);
/* Free what r holds (not r). */
void tern__state_resource_release(tern_state_resource *r);

/* tfjson.c: one v4 instance object from the history form of a resource
 * (tern__state_resource_to_json). New reference, NULL when out of memory. */
json_t *tern__state_export_instance(const json_t *r);

/* The default provider address for a resource type. New string. */
char *tern__state_default_provider(const char *type);

/* Inside an open change transaction (see store.c): */
int tern__state_tx_begin(tern_state *st, int64_t *next_serial,
                         struct tern_diags *diags);
int tern__state_tx_commit(tern_state *st, int64_t serial,
                          struct tern_diags *diags);
void tern__state_tx_rollback(tern_state *st);
/* Insert or replace r and record what it replaced. */
int tern__state_put_in_tx(tern_state *st, int64_t serial,
                          const tern_state_resource *r,
                          struct tern_diags *diags);
/* Remove address and record what it was; TERN_ENOTFOUND if absent. */
int tern__state_remove_in_tx(tern_state *st, int64_t serial,
                             const char *address, struct tern_diags *diags);
/* Set or (value NULL) remove an output and record what it replaced. */
int tern__state_output_in_tx(tern_state *st, int64_t serial, const char *name,
                             const json_t *value, const json_t *type,
                             int sensitive, struct tern_diags *diags);

#endif
