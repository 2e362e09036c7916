/*
 * Recent writes: when tern last changed each resource, what the resource
 * was before each of its recent changes, and whether the service has been
 * seen to show the last of them (tern_state_recent_writes() and
 * tern_state_confirm_writes(), tern/state.h).
 *
 * History rows are appended in time order (seq), so a scan by seq from the
 * newest row can stop at the first row older than the cut-off; a clock
 * stepped backwards only makes it stop early, which errs towards "not
 * recent" (the planner then treats a missing object as drift, as it would
 * without this).
 *
 * Confirmations live in a table of their own, tern_confirmed (address,
 * serial, at): "every change to this address up to this serial has been
 * seen in the service at this time". It is a cache, not state: it has no
 * serial and no history, it is not part of a Terraform export, and a state
 * without it is whole. So it is made when first written, not by a schema
 * migration: a tern that does not know it opens the file as before and
 * never reads it.
 */
#include "state_internal.h"

#include <time.h>

#include "util/json.h"

/* Confirmations older than this are dropped when new ones are written: a
 * write that old is long past any propagation window. */
#define CONFIRMED_KEEP_S (24 * 3600)

/* Whether the confirmation table exists. */
static int has_confirmed(tern_state *st, int *found, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int rc;

    *found = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                           "AND name = 'tern_confirmed'",
                           -1, &s, NULL) != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "reading confirmations");
    rc = tern__state_step(st, s);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        *found = 1;
    else if (rc != SQLITE_DONE)
        return tern__state_sqlfail(st, diags, "reading confirmations");
    return TERN_OK;
}

/* map[address]["confirmed"]: the confirmation's serial covers the last
 * write (map[address]["serial"], removed here). */
static int mark_confirmed(tern_state *st, int64_t since, json_t *map,
                          struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    const char *key;
    json_t *w;
    int rc, found, error;

    if ((error = has_confirmed(st, &found, diags)))
        return error;
    if (found) {
        if (sqlite3_prepare_v2(st->db,
                               "SELECT address, serial FROM tern_confirmed "
                               "WHERE at >= ?",
                               -1, &s, NULL) != SQLITE_OK)
            return tern__state_sqlfail(st, diags, "reading confirmations");
        TERN__BIND(st, sqlite3_bind_int64(s, 1, since));
        while ((rc = tern__state_step(st, s)) == SQLITE_ROW) {
            const char *addr = (const char *)sqlite3_column_text(s, 0);
            json_t *e = addr ? json_object_get(map, addr) : NULL;

            if (e &&
                sqlite3_column_int64(s, 1) >=
                    json_integer_value(json_object_get(e, "serial")) &&
                json_object_set_new(e, "confirmed", json_true())) {
                sqlite3_finalize(s);
                return TERN_ENOMEM;
            }
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return tern__state_sqlfail(st, diags, "reading confirmations");
    }
    json_object_foreach(map, key, w)
    {
        json_object_del(w, "serial");
        if (!json_object_get(w, "confirmed") &&
            json_object_set_new(w, "confirmed", json_false()))
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

/* What a history row's "before" says the object was: its attributes, or
 * JSON null when it did not exist. NULL when out of memory. */
static json_t *before_value(const char *text)
{
    json_t *j, *attrs;
    int oom = 0;

    if (!text)
        return json_null();
    j = tern_json_loads(text, JSON_DECODE_ANY, &oom);
    if (oom)
        return NULL;
    attrs = json_object_get(j, "attributes");
    attrs = json_is_object(attrs) ? json_incref(attrs) : json_object();
    json_decref(j);
    return attrs;
}

int tern_state_recent_writes(tern_state *st, int64_t since, json_t **out,
                             struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    json_t *map = json_object();
    int rc, error = TERN_OK;

    *out = NULL;
    if (!map)
        return TERN_ENOMEM;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT at, key, serial, before FROM tern_history "
                           "WHERE kind = 'resource' ORDER BY seq DESC",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "reading history");
        goto done;
    }
    while ((rc = tern__state_step(st, s)) == SQLITE_ROW) {
        int64_t at = sqlite3_column_int64(s, 0);
        const char *key = (const char *)sqlite3_column_text(s, 1);
        json_t *w, *before;

        if (at < since)
            break;
        if (!key)
            continue;
        /* Newest first: the first row of an address is its last write. */
        w = json_object_get(map, key);
        if (!w) {
            w = json_pack("{s:I,s:I,s:[]}", "at", (json_int_t)at, "serial",
                          (json_int_t)sqlite3_column_int64(s, 2), "before");
            if (!w || json_object_set_new(map, key, w)) {
                error = TERN_ENOMEM;
                goto done;
            }
        }
        before = before_value((const char *)sqlite3_column_text(s, 3));
        if (!before ||
            json_array_append_new(json_object_get(w, "before"), before)) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "reading history");
        goto done;
    }
    sqlite3_finalize(s);
    s = NULL;
    if ((error = mark_confirmed(st, since, map, diags)))
        goto done;
    *out = map;
    map = NULL;
done:
    sqlite3_finalize(s);
    json_decref(map);
    return error;
}

static int exec_one(tern_state *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

int tern_state_confirm_writes(tern_state *st, const char *const *addresses,
                              size_t count, int64_t serial,
                              struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int64_t now = (int64_t)time(NULL);
    size_t i;
    int error = TERN_OK;

    if (!count)
        return TERN_OK;
    /* A savepoint: its own transaction, or a part of the open batch. */
    if (exec_one(st, "SAVEPOINT tern_confirm") != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "recording confirmations");
    if (exec_one(st, "CREATE TABLE IF NOT EXISTS tern_confirmed ("
                     "  address TEXT PRIMARY KEY,"
                     "  serial INTEGER NOT NULL,"
                     "  at INTEGER NOT NULL)") != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM tern_confirmed WHERE at < ?",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "recording confirmations");
        goto done;
    }
    TERN__BIND(st, sqlite3_bind_int64(s, 1, now - CONFIRMED_KEEP_S));
    if (tern__state_step(st, s) != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "recording confirmations");
        goto done;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO tern_confirmed "
                           "(address, serial, at) VALUES (?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "recording confirmations");
        goto done;
    }
    for (i = 0; i < count; i++) {
        sqlite3_reset(s);
        TERN__BIND(st,
                   sqlite3_bind_text(s, 1, addresses[i], -1, SQLITE_STATIC));
        TERN__BIND(st, sqlite3_bind_int64(s, 2, serial));
        TERN__BIND(st, sqlite3_bind_int64(s, 3, now));
        if (tern__state_step(st, s) != SQLITE_DONE) {
            error = tern__state_sqlfail(st, diags, "recording confirmations");
            goto done;
        }
    }
done:
    sqlite3_finalize(s);
    if (error) {
        exec_one(st, "ROLLBACK TO tern_confirm");
        exec_one(st, "RELEASE tern_confirm");
        return error;
    }
    if (exec_one(st, "RELEASE tern_confirm") != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "recording confirmations");
        exec_one(st, "ROLLBACK TO tern_confirm");
        exec_one(st, "RELEASE tern_confirm");
    }
    return error;
}

/* ---- The history a store keeps (the S3 backend's working copy) ------- */

/*
 * tern_history_kept: the oldest serial the history rebuilds. A store that
 * has the table keeps only part of its history (the S3 backend's working
 * copy, rebuilt from the object's bounded history); a store without it
 * keeps every change since it was created.
 */
#define KEPT_TABLE                                                             \
    "CREATE TABLE IF NOT EXISTS tern_history_kept ("                           \
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"                                 \
    "  from_serial INTEGER NOT NULL)"

int tern_state_history_from(tern_state *st, int64_t *from)
{
    sqlite3_stmt *s = NULL;

    *from = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT from_serial FROM tern_history_kept "
                           "WHERE id = 1",
                           -1, &s, NULL) != SQLITE_OK)
        return TERN_OK; /* no table: the whole history */
    if (tern__state_step(st, s) == SQLITE_ROW)
        *from = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return TERN_OK;
}

int tern_state_history_replace(tern_state *st, const tern_state_change *list,
                               size_t count, int64_t from_serial,
                               struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    size_t i;
    int error = TERN_OK;

    if (exec_one(st, "SAVEPOINT tern_history_replace") != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "replacing the history");
    if (exec_one(st, "DELETE FROM tern_history") != SQLITE_OK ||
        exec_one(st, KEPT_TABLE) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO tern_history_kept "
                           "(id, from_serial) VALUES (1, ?)",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "replacing the history");
        goto done;
    }
    TERN__BIND(st, sqlite3_bind_int64(s, 1, from_serial));
    if (tern__state_step(st, s) != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "replacing the history");
        goto done;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO tern_history (serial, at, operation, "
                           "kind, key, before) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "replacing the history");
        goto done;
    }
    for (i = 0; i < count; i++) {
        char *before =
            list[i].before
                ? json_dumps(list[i].before, JSON_COMPACT | JSON_ENCODE_ANY)
                : NULL;

        if (list[i].before && !before) {
            error = TERN_ENOMEM;
            goto done;
        }
        sqlite3_reset(s);
        TERN__BIND(st, sqlite3_bind_int64(s, 1, list[i].serial));
        TERN__BIND(st, sqlite3_bind_int64(s, 2, list[i].time));
        TERN__BIND(
            st, sqlite3_bind_text(s, 3, list[i].operation, -1, SQLITE_STATIC));
        TERN__BIND(st,
                   sqlite3_bind_text(s, 4, list[i].kind, -1, SQLITE_STATIC));
        TERN__BIND(st, sqlite3_bind_text(s, 5, list[i].key, -1, SQLITE_STATIC));
        TERN__BIND(
            st, before ? sqlite3_bind_text(s, 6, before, -1, SQLITE_TRANSIENT)
                       : sqlite3_bind_null(s, 6));
        free(before); /* allocated by jansson */
        if (tern__state_step(st, s) != SQLITE_DONE) {
            error = tern__state_sqlfail(st, diags, "replacing the history");
            goto done;
        }
    }
done:
    sqlite3_finalize(s);
    if (error) {
        exec_one(st, "ROLLBACK TO tern_history_replace");
        exec_one(st, "RELEASE tern_history_replace");
        return error;
    }
    if (exec_one(st, "RELEASE tern_history_replace") != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "replacing the history");
        exec_one(st, "ROLLBACK TO tern_history_replace");
        exec_one(st, "RELEASE tern_history_replace");
    }
    return error;
}
