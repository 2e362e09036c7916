/*
 * Recent writes: when tern last changed each resource, from the newest end
 * of the history (tern_state_recent_writes(), tern/state.h).
 *
 * History rows are appended in time order (seq), so a scan by seq from the
 * newest row can stop at the first row older than the cut-off; a clock
 * stepped backwards only makes it stop early, which errs towards "not
 * recent" (the planner then treats a missing object as drift, as it would
 * without this).
 */
#include "state_internal.h"

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
                           "SELECT at, key FROM tern_history "
                           "WHERE kind = 'resource' ORDER BY seq DESC",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "reading history");
        goto done;
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t at = sqlite3_column_int64(s, 0);
        const char *key = (const char *)sqlite3_column_text(s, 1);

        if (at < since)
            break;
        /* Newest first: the first row of an address is its last write. */
        if (key && !json_object_get(map, key) &&
            json_object_set_new(map, key, json_integer(at))) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "reading history");
        goto done;
    }
    *out = map;
    map = NULL;
done:
    sqlite3_finalize(s);
    json_decref(map);
    return error;
}
