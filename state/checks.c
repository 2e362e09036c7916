/*
 * Check results: Terraform's "check_results" of the v4 state file
 * (internal/states/statefile/version4.go, checkResultsV4): one entry per
 * checkable object of the configuration ({"object_kind", "config_addr",
 * "status", "objects": [{"object_addr", "status", "failure_messages"}]}),
 * recorded by the last apply.
 *
 * They live in a table of their own, tern_check_results, one row holding
 * the v4 array as JSON. Like tern_confirmed (recent.c) it is made when
 * first written, not by a schema migration: a tern that does not know it
 * opens the file as before and never reads it. Check results are not
 * history: an export at an earlier serial has none.
 */
#include "state_internal.h"

#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

static int exec_one(tern_state *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

static int has_table(tern_state *st, int *found, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int rc;

    *found = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                           "AND name = 'tern_check_results'",
                           -1, &s, NULL) != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "reading check results");
    rc = tern__state_step(st, s);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        *found = 1;
    else if (rc != SQLITE_DONE)
        return tern__state_sqlfail(st, diags, "reading check results");
    return TERN_OK;
}

/* The stored text, or NULL (none stored). */
static int stored_text(tern_state *st, char **out, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int found, rc, error;

    *out = NULL;
    if ((error = has_table(st, &found, diags)) || !found)
        return error;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT results FROM tern_check_results "
                           "WHERE id = 1",
                           -1, &s, NULL) != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "reading check results");
    rc = tern__state_step(st, s);
    if (rc == SQLITE_ROW && sqlite3_column_text(s, 0)) {
        *out = tern_strdup((const char *)sqlite3_column_text(s, 0));
        if (!*out)
            error = TERN_ENOMEM;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "reading check results");
    }
    sqlite3_finalize(s);
    return error;
}

int tern_state_check_results(tern_state *st, json_t **out,
                             struct tern_diags *diags)
{
    char *text = NULL;
    int error, oom = 0;

    *out = NULL;
    if ((error = stored_text(st, &text, diags)) || !text)
        return error;
    *out = tern_json_loads(text, 0, &oom);
    if (oom) {
        error = TERN_ENOMEM; /* not "Damaged state" */
    } else if (!json_is_array(*out)) {
        json_decref(*out);
        *out = NULL;
        error = tern__state_fail(diags, TERN_ERROR, "Damaged state",
                                 "The check results stored in %s do not "
                                 "parse.",
                                 st->path);
    }
    tern_free(text);
    return error;
}

int tern__state_check_results_in_tx(tern_state *st, const json_t *results,
                                    struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    char *text = NULL;
    int found, error;

    if (!json_array_size(results)) {
        if ((error = has_table(st, &found, diags)) || !found)
            return error;
        if (exec_one(st, "DELETE FROM tern_check_results") != SQLITE_OK)
            return tern__state_sqlfail(st, diags, "writing check results");
        return TERN_OK;
    }
    if (!(text = tern__state_json_dump(results)))
        return TERN_ENOMEM;
    if (exec_one(st, "CREATE TABLE IF NOT EXISTS tern_check_results ("
                     "  id INTEGER PRIMARY KEY CHECK (id = 1),"
                     "  results TEXT NOT NULL)") != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO tern_check_results "
                           "(id, results) VALUES (1, ?)",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "writing check results");
        goto done;
    }
    error = TERN_OK;
    TERN__BIND(st, sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC));
    if (tern__state_step(st, s) != SQLITE_DONE)
        error = tern__state_sqlfail(st, diags, "writing check results");
done:
    sqlite3_finalize(s);
    tern_free(text);
    return error;
}

int tern_state_check_results_set(tern_state *st, const json_t *results,
                                 struct tern_diags *diags)
{
    char *old = NULL, *text = NULL;
    int64_t serial = 0;
    int error, same;

    if ((error = stored_text(st, &old, diags)))
        return error;
    if (json_array_size(results) && !(text = tern__state_json_dump(results))) {
        tern_free(old);
        return TERN_ENOMEM;
    }
    /* Unchanged results are not a change of the state (no new serial). */
    same = (!old && !text) || (old && text && strcmp(old, text) == 0);
    tern_free(old);
    tern_free(text);
    if (same)
        return TERN_OK;
    if ((error = tern__state_tx_begin(st, &serial, diags)))
        return error;
    if ((error = tern__state_check_results_in_tx(st, results, diags))) {
        tern__state_tx_rollback(st);
        return error;
    }
    return tern__state_tx_commit(st, serial, diags);
}
