/*
 * The SQLite state store: opening and checking the file, schema
 * migrations, metadata, resources, outputs, intents and history.
 *
 * Durability: the file runs in WAL mode with synchronous=FULL, so a
 * transaction is on disk (fsync of the WAL) when COMMIT returns. Every
 * change is one BEGIN IMMEDIATE transaction that writes the change, the
 * previous version into tern_history and the new serial into tern_meta.
 *
 * Refusal: a file is inspected (header, quick_check, user_version, tables)
 * before anything is written to it, in particular before journal_mode=WAL,
 * which would rewrite the header of a foreign database.
 */
#include "state_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "util/alloc.h"
#include "util/json.h"
#include "util/json_read.h"
#include "util/vec.h"

/* How long a statement waits for another connection's write lock. */
#define BUSY_TIMEOUT_MS 10000

/* clang-format off */
const char *const tern__state_migrations[TERN_STATE_SCHEMA_VERSION] = {
    /* 0 -> 1: the first schema. Never edit: files of version 1 exist. */
    "CREATE TABLE tern_meta ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  lineage TEXT NOT NULL,"
    "  serial INTEGER NOT NULL,"
    "  tern_version TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE tern_resources ("
    "  address TEXT NOT NULL UNIQUE,"
    "  module TEXT NOT NULL DEFAULT '',"
    "  mode TEXT NOT NULL CHECK (mode IN ('managed', 'data')),"
    "  type TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  key_kind INTEGER NOT NULL DEFAULT 0 CHECK (key_kind IN (0, 1, 2)),"
    "  key_int INTEGER,"
    "  key_str TEXT,"
    "  provider TEXT NOT NULL,"
    "  id TEXT,"
    "  attributes TEXT NOT NULL,"
    "  sensitive TEXT NOT NULL DEFAULT '[]',"
    "  dependencies TEXT NOT NULL DEFAULT '[]',"
    "  status TEXT NOT NULL DEFAULT 'ready'"
    "    CHECK (status IN ('ready', 'tainted')),"
    "  create_before_destroy INTEGER NOT NULL DEFAULT 0,"
    "  schema_version INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE tern_outputs ("
    "  name TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  sensitive INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE tern_intents ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  address TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  identity TEXT NOT NULL DEFAULT '{}',"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE tern_history ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  serial INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  operation TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('resource', 'output')),"
    "  key TEXT NOT NULL,"
    "  before TEXT);",

    /*
     * 1 -> 2: an intent records which run wrote it (so the next run can
     * say "left by apply, pid 4242"), and history is found by serial
     * without a scan.
     */
    "ALTER TABLE tern_intents ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tern_intents ADD COLUMN operation TEXT;"
    "CREATE INDEX tern_history_serial ON tern_history (serial);",

    /*
     * 2 -> 3: a deposed object keeps what Terraform's state keeps of any
     * instance object besides its attributes (provider, status,
     * schema_version, sensitive_attributes, dependencies,
     * create_before_destroy), as JSON; NULL for every other intent and
     * for a deposed object recorded before.
     */
    "ALTER TABLE tern_intents ADD COLUMN object TEXT;",
};
/* clang-format on */

#define RESOURCE_COLUMNS                                                       \
    "module, mode, type, name, key_kind, key_int, key_str, provider, id, "     \
    "attributes, sensitive, dependencies, status, create_before_destroy, "     \
    "schema_version"

#define RESOURCE_ORDER                                                         \
    " ORDER BY module, mode, type, name, key_kind, key_int, key_str"

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

int tern__state_fail(struct tern_diags *diags, int code, const char *summary,
                     const char *fmt, ...)
{
    char detail[2048];
    va_list ap;

    if (diags == NULL)
        return code;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    tern_diags_add(diags, TERN_SEV_ERROR, NULL, summary, "%s", detail);
    return code;
}

/* The operating system's reason for a failed write, if SQLite kept one or
 * errno (as the failed call left it) names one of the causes a user can
 * act on. SQLite keeps none for a failed COMMIT of the WAL: a file over
 * `ulimit -f` showed only "disk I/O error" (issue 20, finding 13). */
static int os_cause(tern_state *st, int rc, int saved)
{
    int sys = sqlite3_system_errno(st->db);

    if (sys != 0)
        return sys;
    if ((rc & 0xff) != SQLITE_IOERR && (rc & 0xff) != SQLITE_FULL &&
        (rc & 0xff) != SQLITE_CANTOPEN && (rc & 0xff) != SQLITE_READONLY)
        return 0;
    switch (saved) {
    case ENOSPC:
    case EFBIG:
    case EDQUOT:
    case EIO:
    case EROFS:
    case EACCES:
    case EPERM:
        return saved;
    default:
        return 0;
    }
}

int tern__state_sqlfail(tern_state *st, struct tern_diags *diags,
                        const char *what)
{
    int saved = errno;
    int rc = sqlite3_extended_errcode(st->db);
    int sys = os_cause(st, rc, saved);

    if (rc == SQLITE_NOMEM || rc == SQLITE_IOERR_NOMEM)
        return TERN_ENOMEM;
    if (sys != 0)
        return tern__state_fail(diags, TERN_ERROR, "State database error",
                                "%s in %s: %s: %s (SQLite error %d).", what,
                                st->path, sqlite3_errmsg(st->db), strerror(sys),
                                rc);
    return tern__state_fail(diags, TERN_ERROR, "State database error",
                            "%s in %s: %s (SQLite error %d).", what, st->path,
                            sqlite3_errmsg(st->db), rc);
}

char *tern__state_uuid(void)
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1)
        return NULL;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return tern_asprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                         "%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
                         b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void tern__state_time_format(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, size, "%lld", (long long)t);
}

static int dump_cb(const char *chunk, size_t size, void *payload)
{
    return tern_buf_put(payload, chunk, size) == 0 ? 0 : -1;
}

char *tern__state_json_dump(const json_t *v)
{
    tern_buf b = TERN_BUF_INIT;

    if (json_dump_callback(v, dump_cb, &b, JSON_COMPACT | JSON_ENCODE_ANY) !=
        0) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}

/* A column read as NULL: out of memory, not SQL NULL (sqlite3.h: the
 * column accessors return a default and set SQLITE_NOMEM). */
static int col_nomem(sqlite3_stmt *s, int col)
{
    return sqlite3_errcode(sqlite3_db_handle(s)) == SQLITE_NOMEM ||
           sqlite3_column_type(s, col) != SQLITE_NULL;
}

/*
 * The JSON stored in a column; NULL for SQL NULL or text that does not
 * parse. When memory ran out instead (in SQLite's conversion, in Jansson),
 * also sets *oom, so that it is not taken for a damaged state. Most rows'
 * sensitive paths and many dependencies are empty: those are made without
 * the parser (two of a resource's three parses in B5).
 */
static json_t *load_json(sqlite3_stmt *s, int col, int *oom)
{
    const char *text = (const char *)sqlite3_column_text(s, col);
    json_t *j;

    if (text == NULL) {
        if (col_nomem(s, col))
            *oom = 1;
        return NULL;
    }
    if (strcmp(text, "[]") == 0) {
        j = json_array();
    } else if (strcmp(text, "{}") == 0) {
        j = json_object();
    } else {
        /* The stored-JSON reader (util/json_read.h) reads most rows in
         * place; it returns TERN_EINVALID only for a damaged row. */
        int rc = tern_json_read(text, &j);

        if (rc == TERN_ENOMEM)
            *oom = 1;
        return rc == TERN_OK ? j : NULL;
    }
    if (j == NULL)
        *oom = 1;
    return j;
}

/* A copy of a text column; NULL for SQL NULL, and when memory ran out
 * (then *oom is set). */
static char *col_strdup(sqlite3_stmt *s, int col, int *oom)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    char *c;

    if (t == NULL) {
        if (col_nomem(s, col))
            *oom = 1;
        return NULL;
    }
    c = tern_strdup((const char *)t);
    if (c == NULL)
        *oom = 1;
    return c;
}

/*
 * A statement for @sql, which must be a string literal: prepared once per
 * store and reused, since an apply writes an intent and a resource per
 * step, and preparing (parsing SQL) was most of the loop thread's work in
 * the state. Give it back with finish(). A statement already handed out
 * (a nested use) is prepared afresh and finalized by finish().
 */
static int prepare(tern_state *st, sqlite3_stmt **s, const char *sql,
                   struct tern_diags *diags)
{
    struct tern__state_stmt *free_slot = NULL;
    size_t i;

    for (i = 0; i < TERN__STATE_STMTS; i++) {
        struct tern__state_stmt *c = &st->stmts[i];

        if (c->sql == sql && c->stmt && !c->busy) {
            sqlite3_clear_bindings(c->stmt);
            c->busy = 1;
            *s = c->stmt;
            return TERN_OK;
        }
        if (!c->stmt && !free_slot)
            free_slot = c;
    }
    if (sqlite3_prepare_v3(st->db, sql, -1,
                           free_slot ? SQLITE_PREPARE_PERSISTENT : 0, s,
                           NULL) != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "preparing a statement");
    if (free_slot) {
        free_slot->sql = sql;
        free_slot->stmt = *s;
        free_slot->busy = 1;
    }
    return TERN_OK;
}

/* Give back a statement of prepare() (reset, so that it holds no lock),
 * or finalize one of sqlite3_prepare_v2(). NULL-safe. */
static void finish(tern_state *st, sqlite3_stmt *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < TERN__STATE_STMTS; i++)
        if (st->stmts[i].stmt == s) {
            sqlite3_reset(s);
            st->stmts[i].busy = 0;
            return;
        }
    sqlite3_finalize(s);
}

/* Run one statement without results, prepared once (see prepare()). */
static int exec_stmt(tern_state *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int rc;

    if (prepare(st, &s, sql, NULL) != TERN_OK)
        return sqlite3_errcode(st->db);
    rc = tern__state_step(st, s);
    finish(st, s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int bind_text(sqlite3_stmt *s, int i, const char *t)
{
    return t ? sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT)
             : sqlite3_bind_null(s, i);
}

/* Bind a JSON value as compact text (NULL -> dflt). */
static int bind_json(sqlite3_stmt *s, int i, const json_t *v, const char *dflt)
{
    char *text;
    int rc;

    if (v == NULL)
        return bind_text(s, i, dflt);
    text = tern__state_json_dump(v);
    if (text == NULL)
        return SQLITE_NOMEM;
    rc = sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
    tern_free(text);
    return rc;
}

static int exec_sql(tern_state *st, const char *sql, struct tern_diags *diags,
                    const char *what)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return tern__state_sqlfail(st, diags, what);
    return TERN_OK;
}

/*
 * Run one statement that returns no rows, prepared once (see prepare()),
 * with its parameters bound in order as the letters of types say: 't' a
 * string (const char *, NULL binds NULL; it must outlive the call), 'I'
 * a sqlite3_int64, 'i' an int, 'j' a JSON value (const json_t *) and
 * the text bound when it is NULL (const char *). what names the step in
 * the diagnostic of a failure.
 */
static int exec_bound(tern_state *st, struct tern_diags *diags,
                      const char *what, const char *sql, const char *types, ...)
{
    sqlite3_stmt *s = NULL;
    const json_t *v = NULL;
    va_list ap;
    int error, i;

    if ((error = prepare(st, &s, sql, diags)) != 0)
        return error;
    va_start(ap, types);
    for (i = 0; types[i] && !error; i++) {
        switch (types[i]) {
        case 't':
            TERN__BIND(st, sqlite3_bind_text(s, i + 1, va_arg(ap, const char *),
                                             -1, SQLITE_STATIC));
            break;
        case 'I':
            TERN__BIND(st,
                       sqlite3_bind_int64(s, i + 1, va_arg(ap, sqlite3_int64)));
            break;
        case 'i':
            TERN__BIND(st, sqlite3_bind_int(s, i + 1, va_arg(ap, int)));
            break;
        default: /* 'j' */
            v = va_arg(ap, const json_t *);
            if (bind_json(s, i + 1, v, va_arg(ap, const char *)) != SQLITE_OK) {
                /* Not stepped: the binds before it are dropped too. */
                st->bind_rc = SQLITE_OK;
                error = TERN_ENOMEM;
            }
            break;
        }
    }
    va_end(ap);
    if (!error && tern__state_step(st, s) != SQLITE_DONE)
        error = tern__state_sqlfail(st, diags, what);
    finish(st, s);
    return error;
}

/* ------------------------------------------------------------------------ */
/* Addresses and resources                                                  */

char *tern__state_default_provider(const char *type)
{
    size_t n = strcspn(type, "_");

    if (strncmp(type, "databricks", n) == 0 && n == 10)
        return tern_strdup(
            "provider[\"registry.terraform.io/databricks/databricks\"]");
    return tern_asprintf("provider[\"registry.terraform.io/hashicorp/%.*s\"]",
                         (int)n, type);
}

char *tern_state_resource_address(const tern_state_resource *r)
{
    tern_buf b = TERN_BUF_INIT;
    json_t *key = NULL;
    char *quoted = NULL;

    if (r == NULL || r->type == NULL || r->name == NULL || !*r->type ||
        !*r->name)
        return NULL;
    if (r->module && *r->module)
        tern_buf_printf(&b, "%s.", r->module);
    if (r->mode == TERN_STATE_DATA)
        tern_buf_puts(&b, "data.");
    tern_buf_printf(&b, "%s.%s", r->type, r->name);
    if (r->key_kind == TERN_STATE_KEY_INT) {
        tern_buf_printf(&b, "[%lld]", r->key_int);
    } else if (r->key_kind == TERN_STATE_KEY_STRING) {
        key = json_string(r->key_str ? r->key_str : "");
        quoted = key ? tern__state_json_dump(key) : NULL;
        if (quoted == NULL)
            b.oom = 1;
        else
            tern_buf_printf(&b, "[%s]", quoted);
    }
    json_decref(key);
    tern_free(quoted);
    return tern_buf_detach(&b);
}

static void resource_release(tern_state_resource *r)
{
    tern_free(r->module);
    tern_free(r->type);
    tern_free(r->name);
    tern_free(r->key_str);
    tern_free(r->provider);
    tern_free(r->id);
    json_decref(r->attributes);
    json_decref(r->sensitive);
    json_decref(r->dependencies);
    memset(r, 0, sizeof(*r));
}

void tern_state_resource_free(tern_state_resource *r)
{
    if (r == NULL)
        return;
    resource_release(r);
    tern_free(r);
}

void tern_state_resources_free(tern_state_resource *list, size_t count)
{
    size_t i;

    if (list == NULL)
        return;
    for (i = 0; i < count; i++)
        resource_release(&list[i]);
    tern_free(list);
}

/* Fill r (owned copies) from a row selected with RESOURCE_COLUMNS at col. */
static int resource_from_row(tern_state *st, tern_state_resource *r,
                             sqlite3_stmt *s, int col, struct tern_diags *diags)
{
    const char *mode = (const char *)sqlite3_column_text(s, col + 1);
    const char *status = (const char *)sqlite3_column_text(s, col + 12);
    int error = TERN_OK, oom = 0;

    memset(r, 0, sizeof(*r));
    r->version = TERN_STATE_RESOURCE_VERSION;
    r->module = col_strdup(s, col, &oom);
    r->mode = mode && strcmp(mode, "data") == 0 ? TERN_STATE_DATA
                                                : TERN_STATE_MANAGED;
    r->type = col_strdup(s, col + 2, &oom);
    r->name = col_strdup(s, col + 3, &oom);
    r->key_kind = (enum tern_state_key)sqlite3_column_int(s, col + 4);
    r->key_int = sqlite3_column_int64(s, col + 5);
    r->key_str = col_strdup(s, col + 6, &oom);
    r->provider = col_strdup(s, col + 7, &oom);
    r->id = col_strdup(s, col + 8, &oom);
    r->attributes = load_json(s, col + 9, &oom);
    r->sensitive = load_json(s, col + 10, &oom);
    r->dependencies = load_json(s, col + 11, &oom);
    r->status = status && strcmp(status, "tainted") == 0 ? TERN_STATE_TAINTED
                                                         : TERN_STATE_READY;
    r->create_before_destroy = sqlite3_column_int(s, col + 13);
    r->schema_version = sqlite3_column_int64(s, col + 14);
    if (oom || r->module == NULL || r->type == NULL || r->name == NULL ||
        r->provider == NULL) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (r->attributes == NULL || r->sensitive == NULL ||
        r->dependencies == NULL) {
        error = tern__state_fail(
            diags, TERN_ERROR, "Damaged state",
            "The stored JSON of %s.%s in %s does not parse. Restore the file "
            "from a backup.",
            r->type, r->name, st->path);
        goto done;
    }
done:
    if (error)
        resource_release(r);
    return error;
}

json_t *tern__state_resource_to_json(const tern_state_resource *r)
{
    json_t *o = json_object();
    int err = 0;

    if (o == NULL)
        return NULL;
    err |= json_object_set_new(o, "module",
                               json_string(r->module ? r->module : ""));
    err |= json_object_set_new(
        o, "mode",
        json_string(r->mode == TERN_STATE_DATA ? "data" : "managed"));
    err |= json_object_set_new(o, "type", json_string(r->type));
    err |= json_object_set_new(o, "name", json_string(r->name));
    if (r->key_kind == TERN_STATE_KEY_INT)
        err |= json_object_set_new(o, "index_key", json_integer(r->key_int));
    else if (r->key_kind == TERN_STATE_KEY_STRING)
        err |= json_object_set_new(o, "index_key",
                                   json_string(r->key_str ? r->key_str : ""));
    if (r->provider)
        err |= json_object_set_new(o, "provider", json_string(r->provider));
    if (r->id)
        err |= json_object_set_new(o, "id", json_string(r->id));
    if (r->status == TERN_STATE_TAINTED)
        err |= json_object_set_new(o, "status", json_string("tainted"));
    err |= json_object_set_new(o, "schema_version",
                               json_integer(r->schema_version));
    err |= json_object_set_new(o, "attributes",
                               r->attributes ? json_incref(r->attributes)
                                             : json_object());
    err |= json_object_set_new(o, "sensitive_attributes",
                               r->sensitive ? json_incref(r->sensitive)
                                            : json_array());
    err |= json_object_set_new(o, "dependencies",
                               r->dependencies ? json_incref(r->dependencies)
                                               : json_array());
    if (r->create_before_destroy)
        err |= json_object_set_new(o, "create_before_destroy", json_true());
    if (err) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int tern__state_resource_from_json(tern_state_resource *r, const json_t *obj,
                                   struct tern_diags *diags)
{
    const json_t *key, *v;
    const char *mode;

    memset(r, 0, sizeof(*r));
    r->version = TERN_STATE_RESOURCE_VERSION;
    if (!json_is_object(obj))
        goto bad;
    r->module = (char *)json_string_value(json_object_get(obj, "module"));
    mode = json_string_value(json_object_get(obj, "mode"));
    if (mode && strcmp(mode, "data") == 0)
        r->mode = TERN_STATE_DATA;
    else if (mode && strcmp(mode, "managed") != 0)
        goto bad;
    r->type = (char *)json_string_value(json_object_get(obj, "type"));
    r->name = (char *)json_string_value(json_object_get(obj, "name"));
    if (r->type == NULL || r->name == NULL || !*r->type || !*r->name)
        goto bad;
    key = json_object_get(obj, "index_key");
    if (json_is_integer(key)) {
        r->key_kind = TERN_STATE_KEY_INT;
        r->key_int = json_integer_value(key);
    } else if (json_is_string(key)) {
        r->key_kind = TERN_STATE_KEY_STRING;
        r->key_str = (char *)json_string_value(key);
    } else if (key && !json_is_null(key)) {
        goto bad;
    }
    r->provider = (char *)json_string_value(json_object_get(obj, "provider"));
    r->attributes = json_object_get(obj, "attributes");
    if (r->attributes && !json_is_object(r->attributes))
        goto bad;
    r->id = (char *)json_string_value(json_object_get(obj, "id"));
    if (r->id == NULL && r->attributes)
        r->id = (char *)json_string_value(json_object_get(r->attributes, "id"));
    v = json_object_get(obj, "sensitive_attributes");
    r->sensitive = json_is_array(v) ? (json_t *)v : NULL;
    v = json_object_get(obj, "dependencies");
    r->dependencies = json_is_array(v) ? (json_t *)v : NULL;
    v = json_object_get(obj, "status");
    r->status =
        json_is_string(v) && strcmp(json_string_value(v), "tainted") == 0
            ? TERN_STATE_TAINTED
            : TERN_STATE_READY;
    r->create_before_destroy =
        json_is_true(json_object_get(obj, "create_before_destroy"));
    r->schema_version =
        json_integer_value(json_object_get(obj, "schema_version"));
    return TERN_OK;
bad:
    return tern__state_fail(
        diags, TERN_EINVALID, "Invalid resource instance",
        "A resource instance in the document lacks a type or name, or has a "
        "mode, index_key or attributes of the wrong kind.");
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                  */

static int refuse(tern_state *st, struct tern_diags *diags, const char *why)
{
    return tern__state_fail(
        diags, TERN_EINVALID, "Not a usable tern state",
        "%s: %s tern did not change the file. Check the state path, or "
        "move the file aside and restore a good copy.",
        st->path, why);
}

static int missing(tern_state *st, struct tern_diags *diags)
{
    return tern__state_fail(diags, TERN_ENOTFOUND, "No state",
                            "There is no state at %s. Check the path, or "
                            "create a new state (apply creates one).",
                            st->path);
}

/* Refuse a state path that is a symbolic link whose target does not
 * exist, naming where it points. */
static int dangling(tern_state *st, struct tern_diags *diags)
{
    struct stat sb;
    char target[4096];
    ssize_t n;

    if (lstat(st->path, &sb) != 0 || !S_ISLNK(sb.st_mode) ||
        stat(st->path, &sb) == 0 || errno != ENOENT)
        return TERN_OK;
    n = readlink(st->path, target, sizeof(target) - 1);
    if (n < 0)
        n = 0;
    target[n] = '\0';
    return tern__state_fail(
        diags, TERN_ERROR, "State file is a dangling symbolic link",
        "%s is a symbolic link to %s, which does not exist. Restore the "
        "state it points to (mount its volume, move the file back), or "
        "remove the link to start a new state.",
        st->path, target);
}

/*
 * Make sure the path holds either nothing (then create an empty file,
 * mode 0600, before SQLite sees it) or an SQLite database. Sets *fresh for
 * an empty file.
 */
static int prepare_file(tern_state *st, int create, int *fresh,
                        struct tern_diags *diags)
{
    unsigned char head[100];
    struct stat sb;
    ssize_t n;
    int fd = -1, error = TERN_OK;
    size_t i;

    *fresh = 0;
    fd = open(st->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EEXIST) {
        if (fd < 0)
            return tern__state_fail(diags, TERN_ERROR, "Cannot create state",
                                    "Creating %s: %s.", st->path,
                                    strerror(errno));
        if (!create) {
            /* Another process removed it under us; do not leave ours. */
            close(fd);
            unlink(st->path);
            goto missing;
        }
        *fresh = 1;
        close(fd);
        return TERN_OK;
    }
    fd = open(st->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            goto missing;
        return tern__state_fail(diags, TERN_ERROR, "Cannot open state",
                                "Opening %s: %s.", st->path, strerror(errno));
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        error = refuse(st, diags, "it is not a regular file.");
        goto done;
    }
    if ((sb.st_mode & 077) != 0 && diags)
        tern_diags_add(diags, TERN_SEV_WARNING, NULL,
                       "State file readable by others",
                       "%s has mode %04o: other users can read it, and a "
                       "state holds secrets in plain text. Run `chmod 600 "
                       "%s` (tern creates state files with mode 0600).",
                       st->path, (unsigned)(sb.st_mode & 07777), st->path);
    if (sb.st_size == 0) {
        /* Nothing to lose: a creation that stopped before the schema. */
        if (create)
            *fresh = 1;
        else
            error = refuse(st, diags, "the file is empty.");
        goto done;
    }
    n = pread(fd, head, sizeof(head), 0);
    if (n < (ssize_t)sizeof(head) || memcmp(head, "SQLite format 3", 16) != 0) {
        for (i = 0; n > 0 && i < (size_t)n; i++)
            if (head[i] != ' ' && head[i] != '\n' && head[i] != '\r' &&
                head[i] != '\t')
                break;
        if (n > 0 && i < (size_t)n && head[i] == '{')
            error = refuse(st, diags,
                           "it is a JSON file, probably a Terraform .tfstate; "
                           "tern keeps its state in SQLite. To take over a "
                           "Terraform state, create a new tern state and run "
                           "`tern state migrate` on the .tfstate file.");
        else
            error = refuse(st, diags,
                           "it is not a tern state (not an SQLite database).");
        goto done;
    }
done:
    if (fd >= 0)
        close(fd);
    return error;
missing:
    return missing(st, diags);
}

static int has_table(tern_state *st, const char *name, int *found,
                     struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int error;

    *found = 0;
    if ((error = prepare(st, &s,
                         "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                         "AND name = ?",
                         diags)) != 0)
        return error;
    TERN__BIND(st, sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC));
    *found = tern__state_step(st, s) == SQLITE_ROW;
    finish(st, s);
    return TERN_OK;
}

static int damaged(tern_state *st, struct tern_diags *diags, const char *detail)
{
    return tern__state_fail(
        diags, TERN_EINVALID, "Damaged state",
        "%s failed SQLite's integrity check (%s). tern did not change the "
        "file. Restore it from a backup; a copy of the last good state can "
        "also be rebuilt from a `tern state pull` output with `tern state "
        "push`.",
        st->path, detail);
}

/* Check an existing database before writing anything to it. */
static int check_existing(tern_state *st, int create, int *user_version,
                          struct tern_diags *diags)
{
    int oom = 0;
    sqlite3_stmt *s = NULL;
    int rc, found = 0, error = TERN_OK;
    char *written_by = NULL;

    rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = tern__state_step(st, s);
    if ((rc & 0xff) == SQLITE_NOTADB) {
        error = refuse(st, diags,
                       "it is not a tern state (not an SQLite database).");
        goto done;
    }
    if ((rc & 0xff) == SQLITE_CORRUPT) {
        error = damaged(st, diags, sqlite3_errmsg(st->db));
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = tern__state_sqlfail(st, diags, "checking the database");
        goto done;
    }
    if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
        error = damaged(st, diags, (const char *)sqlite3_column_text(s, 0));
        goto done;
    }
    finish(st, s);
    s = NULL;

    if ((error = prepare(st, &s, "PRAGMA user_version", diags)) != 0)
        goto done;
    if (tern__state_step(st, s) != SQLITE_ROW) {
        error = tern__state_sqlfail(st, diags, "reading the schema version");
        goto done;
    }
    *user_version = sqlite3_column_int(s, 0);
    finish(st, s);
    s = NULL;

    if ((error = has_table(st, "tern_meta", &found, diags)) != 0)
        goto done;
    if (*user_version == 0 && !found) {
        /*
         * A database with no schema at all holds nothing to lose: a
         * creation killed after SQLite wrote the WAL header but before the
         * first migration committed leaves exactly this.
         */
        if ((error = prepare(st, &s, "SELECT count(*) FROM sqlite_master",
                             diags)) != 0)
            goto done;
        if (tern__state_step(st, s) == SQLITE_ROW &&
            sqlite3_column_int(s, 0) == 0 && create)
            goto done;
        finish(st, s);
        s = NULL;
    }
    if (!found || *user_version <= 0) {
        error = refuse(st, diags,
                       "it is an SQLite database, but not a tern state (it "
                       "has no tern tables).");
        goto done;
    }
    if (*user_version > TERN_STATE_SCHEMA_VERSION) {
        if (sqlite3_prepare_v2(st->db,
                               "SELECT tern_version FROM tern_meta WHERE id=1",
                               -1, &s, NULL) == SQLITE_OK &&
            tern__state_step(st, s) == SQLITE_ROW)
            written_by = col_strdup(s, 0, &oom);
        error = tern__state_fail(
            diags, TERN_EINVALID, "State written by a newer tern",
            "%s was written by a newer tern: it has state schema version %d "
            "(last written by tern %s); this tern "
            "(%s) knows versions up to %d. Upgrade tern to use this state. "
            "tern did not change the file.",
            st->path, *user_version, written_by ? written_by : "unknown",
            TERN_VERSION, TERN_STATE_SCHEMA_VERSION);
        goto done;
    }
done:
    finish(st, s);
    tern_free(written_by);
    return error;
}

static int init_meta(tern_state *st, struct tern_diags *diags)
{
    char *lineage = tern__state_uuid();
    int error = TERN_OK;

    if (lineage == NULL)
        return tern__state_fail(diags, TERN_ERROR, "Cannot create state",
                                "No random bytes for the lineage.");
    error = exec_bound(st, diags, "creating the state",
                       "INSERT INTO tern_meta (id, lineage, serial, "
                       "tern_version, created_at) VALUES (1, ?, 0, ?, ?)",
                       "ttI", lineage, TERN_VERSION, (sqlite3_int64)time(NULL));
    tern_free(lineage);
    return error;
}

/*
 * Bring the schema to TERN_STATE_SCHEMA_VERSION in one transaction, so a
 * migration that fails (or a process that dies in one) leaves the file at
 * its old version. The version is read again inside the transaction: two
 * processes opening without locks must not both migrate.
 */
static int migrate(tern_state *st, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int v = 0, error = TERN_OK, found = 0;

    if ((error = exec_sql(st, "BEGIN IMMEDIATE", diags,
                          "starting the migration")) != 0)
        return error;
    if ((error = prepare(st, &s, "PRAGMA user_version", diags)) != 0)
        goto done;
    if (tern__state_step(st, s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    finish(st, s);
    s = NULL;
    if (v == TERN_STATE_SCHEMA_VERSION)
        goto done;
    if (v == 0) {
        /* Only a file we just created gets here: check_existing refuses
         * version 0 otherwise. Make sure it really is empty. */
        if ((error = has_table(st, "tern_meta", &found, diags)) != 0)
            goto done;
        if (found) {
            error = refuse(st, diags, "it has tern tables but no version.");
            goto done;
        }
    }
    for (; v < TERN_STATE_SCHEMA_VERSION; v++) {
        char pragma[64];

        if ((error = exec_sql(st, tern__state_migrations[v], diags,
                              "migrating the schema")) != 0)
            goto done;
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if ((error = exec_sql(st, pragma, diags, "migrating the schema")) != 0)
            goto done;
        if (v == 0 && (error = init_meta(st, diags)) != 0)
            goto done;
    }
done:
    if (error) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return error;
    }
    return exec_sql(st, "COMMIT", diags, "committing the migration");
}

static int load_meta(tern_state *st, struct tern_diags *diags)
{
    int oom = 0;
    sqlite3_stmt *s = NULL;
    int error;

    if ((error = prepare(st, &s,
                         "SELECT lineage, serial, tern_version FROM "
                         "tern_meta WHERE id = 1",
                         diags)) != 0)
        return error;
    if (tern__state_step(st, s) != SQLITE_ROW) {
        finish(st, s);
        return refuse(st, diags, "its metadata row is missing.");
    }
    tern_free(st->lineage);
    tern_free(st->tern_version);
    st->lineage = col_strdup(s, 0, &oom);
    st->serial = sqlite3_column_int64(s, 1);
    st->tern_version = col_strdup(s, 2, &oom);
    finish(st, s);
    if (st->lineage == NULL || st->tern_version == NULL)
        return TERN_ENOMEM;
    return TERN_OK;
}

static int warn_intents(tern_state *st, struct tern_diags *diags)
{
    tern_state_intent *list = NULL;
    size_t n = 0, i, first = SIZE_MAX, deposed = 0;
    int error;
    char when[32];

    if ((error = tern_state_intents(st, &list, &n, diags)) != 0)
        return error;
    /* Deposed objects (kept until their delete succeeds) are not
     * unfinished operations: the plan shows each. */
    for (i = 0; i < n; i++) {
        if (strcmp(list[i].action, "deposed") == 0)
            deposed++;
        else if (first == SIZE_MAX)
            first = i;
    }
    if (first != SIZE_MAX && diags) {
        tern__state_time_format(list[first].created, when, sizeof(when));
        tern_diags_add(
            diags, TERN_SEV_WARNING, NULL, "Unfinished operations in the state",
            "%zu operation(s) were started but never recorded as "
            "done, the first one on %s (%s) at %s by %s, pid %ld. "
            "The remote objects may or may not exist; the next "
            "apply looks them up before acting.",
            n - deposed, list[first].address, list[first].action, when,
            list[first].operation ? list[first].operation : "unknown",
            list[first].pid);
    }
    tern_state_intents_free(list, n);
    return TERN_OK;
}

/* "file:" URI of @path with SQLite's parameters @params (percent-encoded
 * where a URI needs it). */
static char *path_uri(const char *path, const char *params)
{
    tern_buf b = TERN_BUF_INIT;
    const unsigned char *p;

    tern_buf_puts(&b, "file:");
    for (p = (const unsigned char *)path; *p; p++)
        if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p >= 0x7f)
            tern_buf_printf(&b, "%%%02X", *p);
        else
            tern_buf_putc(&b, (char)*p);
    tern_buf_printf(&b, "?%s", params);
    return tern_buf_detach(&b);
}

/*
 * Open for reading only. SQLite reads a WAL database read-only when its
 * -wal and -shm files exist or can be created; in a directory tern may not
 * write, after a clean close, neither is true. Then, with no -wal file
 * there is nothing beyond the main file to read, and it is opened as
 * immutable (no shared memory, no locks). Terraform reads its state in
 * such a directory too (its local backend only reads the file).
 */
static int open_readonly(tern_state *st, int *upgrade, struct tern_diags *diags)
{
    struct tern_diags first = TERN_DIAGS_INIT;
    char *wal = NULL, *uri = NULL;
    int user_version = 0, error, rc;
    struct stat sb;

    if ((error = prepare_file(st, 0, &rc, diags)) != 0)
        return error;
    rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(st->db, 1);
        sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
        error = check_existing(st, 0, &user_version, &first);
    } else {
        error = st->db ? tern__state_sqlfail(st, &first, "opening the database")
                       : TERN_ENOMEM;
    }
    /* Read, or refused for what it holds (damaged, foreign, newer). */
    if (error == TERN_OK || error == TERN_EINVALID || error == TERN_ENOMEM)
        goto checked;
    wal = tern_asprintf("%s-wal", st->path);
    if (!wal) {
        error = TERN_ENOMEM;
        goto done;
    }
    /* Unreadable as it is, and not to be read without its log. */
    if (stat(wal, &sb) == 0)
        goto checked;
    tern_diags_release(&first);
    if (st->db)
        sqlite3_close_v2(st->db);
    st->db = NULL;
    uri = path_uri(st->path, "immutable=1");
    if (!uri) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                        NULL) != SQLITE_OK) {
        error = st->db ? tern__state_sqlfail(st, diags, "opening the database")
                       : TERN_ENOMEM;
        goto done;
    }
    sqlite3_extended_result_codes(st->db, 1);
    error = check_existing(st, 0, &user_version, diags);
checked:
    if (diags)
        tern_diags_move(diags, &first);
    /* An older schema: the caller opens it for writing after all, and
     * upgrades it, as every command did before. */
    if (error == TERN_OK && user_version < TERN_STATE_SCHEMA_VERSION)
        *upgrade = 1;
done:
    tern_diags_release(&first);
    tern_free(wal);
    tern_free(uri);
    return error;
}

int tern_state_open(tern_state **out, const tern_state_open_options *opts,
                    struct tern_diags *diags)
{
    tern_state *st = NULL;
    const char *mode = NULL;
    sqlite3_stmt *s = NULL;
    int error = TERN_OK, fresh = 0, user_version = 0;

    *out = NULL;
    if (opts == NULL || opts->version != TERN_STATE_OPEN_OPTIONS_VERSION)
        return tern__state_fail(diags, TERN_EINVALID, "Invalid options",
                                "tern_state_open: unknown options version.");
    st = tern_calloc(1, sizeof(*st));
    TERN_CHECK_ALLOC(st);
    st->lock_fd = -1;
    st->pid = getpid();
    st->path = tern_strdup(opts->path ? opts->path : TERN_STATE_DEFAULT_PATH);
    TERN_CHECK_ALLOC(st->path);
    st->operation = tern_strdup(opts->operation ? opts->operation : "unknown");
    TERN_CHECK_ALLOC(st->operation);

    /* A link to nothing is not "no state": the state it names is missing
     * (an unmounted volume, a moved file), and planning as if there were
     * none would plan to create everything again (issue 20, finding 13). */
    if ((error = dangling(st, diags)) != 0)
        goto done;
    /* No state and none wanted: do not leave a lock file behind either. */
    if (!opts->create && access(st->path, F_OK) != 0 && errno == ENOENT) {
        error = missing(st, diags);
        goto done;
    }
    if (opts->readonly) {
        int upgrade = 0;

        error = open_readonly(st, &upgrade, diags);
        if (error || !upgrade)
            goto opened;
        sqlite3_close_v2(st->db);
        st->db = NULL;
    }
    if (opts->lock && (error = tern__state_lock(st, opts->lock_timeout_ms,
                                                opts->clock, diags)) != 0)
        goto done;
    if ((error = prepare_file(st, opts->create, &fresh, diags)) != 0)
        goto done;
    if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        error = st->db ? tern__state_sqlfail(st, diags, "opening the database")
                       : TERN_ENOMEM;
        goto done;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    if (!fresh &&
        (error = check_existing(st, opts->create, &user_version, diags)) != 0)
        goto done;

    /* From here on the file is ours to write. */
    if ((error = prepare(st, &s, "PRAGMA journal_mode = WAL", diags)) != 0)
        goto done;
    if (tern__state_step(st, s) == SQLITE_ROW)
        mode = (const char *)sqlite3_column_text(s, 0);
    if (mode == NULL || strcmp(mode, "wal") != 0) {
        error = tern__state_fail(diags, TERN_ERROR, "Cannot open state",
                                 "%s: cannot switch to WAL mode: %s.", st->path,
                                 sqlite3_errmsg(st->db));
        goto done;
    }
    finish(st, s);
    s = NULL;
    if ((error = exec_sql(st,
                          "PRAGMA synchronous = FULL; "
                          "PRAGMA foreign_keys = ON",
                          diags, "configuring the database")) != 0)
        goto done;
    if ((error = migrate(st, diags)) != 0)
        goto done;
opened:
    if (error)
        goto done;
    if ((error = load_meta(st, diags)) != 0)
        goto done;
    if ((error = warn_intents(st, diags)) != 0)
        goto done;
    *out = st;
    st = NULL;
done:
    finish(st, s);
    tern_state_free(st);
    return error;
}

void tern_state_free(tern_state *st)
{
    size_t i;

    if (st == NULL)
        return;
    for (i = 0; i < TERN__STATE_STMTS; i++)
        sqlite3_finalize(st->stmts[i].stmt);
    if (st->db)
        sqlite3_close_v2(st->db);
    tern__state_unlock(st);
    tern_free(st->path);
    tern_free(st->operation);
    tern_free(st->lineage);
    tern_free(st->tern_version);
    tern_free(st->lock_id);
    tern_free(st);
}

const char *tern_state_lineage(const tern_state *st)
{
    return st->lineage;
}

int64_t tern_state_serial(const tern_state *st)
{
    return st->serial;
}

const char *tern_state_tern_version(const tern_state *st)
{
    return st->tern_version;
}

const char *tern_state_path(const tern_state *st)
{
    return st->path;
}

/* ------------------------------------------------------------------------ */
/* Change transactions                                                      */

/*
 * Outside a batch, tern holds no transaction between calls; one still open
 * is what a COMMIT or ROLLBACK that ran out of memory left behind (SQLite
 * keeps the transaction then). Roll it back, so that its half is not
 * committed by the next change and the handle stays usable.
 */
static void drop_stale_tx(tern_state *st)
{
    if (!st->batch && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int tern__state_tx_begin(tern_state *st, int64_t *next_serial,
                         struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int error;

    drop_stale_tx(st);
    if (exec_stmt(st, st->batch ? "SAVEPOINT tern_change"
                                : "BEGIN IMMEDIATE") != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "starting a transaction");
    if ((error = prepare(st, &s, "SELECT serial FROM tern_meta WHERE id = 1",
                         diags)) != 0)
        goto done;
    if (tern__state_step(st, s) != SQLITE_ROW) {
        error = tern__state_sqlfail(st, diags, "reading the serial");
        goto done;
    }
    *next_serial = sqlite3_column_int64(s, 0) + 1;
done:
    finish(st, s);
    if (error)
        tern__state_tx_rollback(st);
    return error;
}

int tern__state_tx_commit(tern_state *st, int64_t serial,
                          struct tern_diags *diags)
{
    int error;

    if ((error = exec_bound(st, diags, "writing the serial",
                            "UPDATE tern_meta SET serial = ?, tern_version = ? "
                            "WHERE id = 1",
                            "It", (sqlite3_int64)serial, TERN_VERSION)) != 0)
        goto done;
    if (exec_stmt(st, st->batch ? "RELEASE tern_change" : "COMMIT") !=
        SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "committing");
        goto done;
    }
    st->serial = serial;
    if (strcmp(st->tern_version, TERN_VERSION) != 0) {
        char *v = tern_strdup(TERN_VERSION);

        if (v) {
            tern_free(st->tern_version);
            st->tern_version = v;
        }
    }
done:
    if (error)
        tern__state_tx_rollback(st);
    return error;
}

void tern__state_tx_rollback(tern_state *st)
{
    if (st->batch) {
        if (sqlite3_exec(st->db, "ROLLBACK TO tern_change; RELEASE tern_change",
                         NULL, NULL, NULL) != SQLITE_OK &&
            !st->batch_broken)
            st->batch_broken =
                tern__state_sqlfail(st, NULL, "undoing a change");
    } else if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int tern_state_batch_begin(tern_state *st, struct tern_diags *diags)
{
    if (st->batch)
        return tern__state_fail(diags, TERN_EINVALID, "Nested batch",
                                "A state batch is already open.");
    drop_stale_tx(st);
    if (exec_stmt(st, "BEGIN IMMEDIATE") != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "starting a batch");
    st->batch = 1;
    return TERN_OK;
}

int tern_state_batch_end(tern_state *st, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int error = TERN_OK;

    if (!st->batch)
        return TERN_OK;
    st->batch = 0;
    if (st->batch_broken) {
        error = st->batch_broken;
        st->batch_broken = 0;
        if (error != TERN_ENOMEM)
            tern__state_fail(diags, error, "State database error",
                             "A change in %s could not be undone; none of "
                             "the batch's changes were saved.",
                             st->path);
    } else if (exec_stmt(st, "COMMIT") == SQLITE_OK) {
        return TERN_OK;
    } else {
        error = tern__state_sqlfail(st, diags, "committing a batch");
    }
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    /* The serials the batch's changes took in memory are void. */
    if (prepare(st, &s, "SELECT serial FROM tern_meta WHERE id = 1", NULL) ==
            0 &&
        tern__state_step(st, s) == SQLITE_ROW)
        st->serial = sqlite3_column_int64(s, 0);
    finish(st, s);
    return error;
}

static int record_history(tern_state *st, int64_t serial, const char *kind,
                          const char *key, const char *before,
                          struct tern_diags *diags)
{
    return exec_bound(st, diags, "recording history",
                      "INSERT INTO tern_history (serial, at, operation, "
                      "kind, key, before) VALUES (?, ?, ?, ?, ?, ?)",
                      "IItttt", (sqlite3_int64)serial,
                      (sqlite3_int64)time(NULL), st->operation, kind, key,
                      before);
}

/* The stored form of the resource at address as history JSON text. */
static int resource_before(tern_state *st, const char *address, char **out,
                           struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    tern_state_resource r;
    json_t *j = NULL;
    int error, rc;

    *out = NULL;
    if ((error = prepare(st, &s,
                         "SELECT " RESOURCE_COLUMNS
                         " FROM tern_resources WHERE address = ?",
                         diags)) != 0)
        return error;
    TERN__BIND(st, sqlite3_bind_text(s, 1, address, -1, SQLITE_STATIC));
    rc = tern__state_step(st, s);
    if (rc == SQLITE_DONE) {
        error = TERN_ENOTFOUND;
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = tern__state_sqlfail(st, diags, "reading a resource");
        goto done;
    }
    if ((error = resource_from_row(st, &r, s, 0, diags)) != 0)
        goto done;
    j = tern__state_resource_to_json(&r);
    resource_release(&r);
    TERN_CHECK_ALLOC(j);
    *out = tern__state_json_dump(j);
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(j);
    finish(st, s);
    return error;
}

int tern__state_put_in_tx(tern_state *st, int64_t serial,
                          const tern_state_resource *r,
                          struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    char *address = NULL, *before = NULL, *provider = NULL;
    int error = TERN_OK, rc = SQLITE_OK;

    if (r == NULL || r->attributes == NULL || !json_is_object(r->attributes) ||
        (r->key_kind != TERN_STATE_KEY_NONE &&
         r->key_kind != TERN_STATE_KEY_INT &&
         r->key_kind != TERN_STATE_KEY_STRING))
        return tern__state_fail(diags, TERN_EINVALID, "Invalid resource",
                                "A resource must have a type, a name and "
                                "an attributes object.");
    address = tern_state_resource_address(r);
    if (address == NULL) {
        error = tern__state_fail(diags, TERN_EINVALID, "Invalid resource",
                                 "A resource must have a type and a name.");
        goto done;
    }
    error = resource_before(st, address, &before, diags);
    if (error && error != TERN_ENOTFOUND)
        goto done;
    if ((error = record_history(st, serial, "resource", address, before,
                                diags)) != 0)
        goto done;
    if (r->provider == NULL) {
        provider = tern__state_default_provider(r->type);
        TERN_CHECK_ALLOC(provider);
    }
    if ((error = prepare(
             st, &s,
             "INSERT OR REPLACE INTO tern_resources (address, " RESOURCE_COLUMNS
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
             "?, ?, ?, ?, ?, ?, ?, ?)",
             diags)) != 0)
        goto done;
    rc |= bind_text(s, 1, address);
    rc |= bind_text(s, 2, r->module ? r->module : "");
    rc |= bind_text(s, 3, r->mode == TERN_STATE_DATA ? "data" : "managed");
    rc |= bind_text(s, 4, r->type);
    rc |= bind_text(s, 5, r->name);
    rc |= sqlite3_bind_int(s, 6, (int)r->key_kind);
    if (r->key_kind == TERN_STATE_KEY_INT)
        rc |= sqlite3_bind_int64(s, 7, r->key_int);
    if (r->key_kind == TERN_STATE_KEY_STRING)
        rc |= bind_text(s, 8, r->key_str ? r->key_str : "");
    rc |= bind_text(s, 9, provider ? provider : r->provider);
    rc |= bind_text(s, 10, r->id);
    rc |= bind_json(s, 11, r->attributes, "{}");
    rc |= bind_json(s, 12, r->sensitive, "[]");
    rc |= bind_json(s, 13, r->dependencies, "[]");
    rc |=
        bind_text(s, 14, r->status == TERN_STATE_TAINTED ? "tainted" : "ready");
    rc |= sqlite3_bind_int(s, 15, r->create_before_destroy ? 1 : 0);
    rc |= sqlite3_bind_int64(s, 16, r->schema_version);
    if (rc != SQLITE_OK) {
        /* bind_json's own allocation failing is unknown to SQLite. */
        error = rc == SQLITE_NOMEM
                    ? TERN_ENOMEM
                    : tern__state_sqlfail(st, diags, "writing a resource");
        goto done;
    }
    if (tern__state_step(st, s) != SQLITE_DONE)
        error = tern__state_sqlfail(st, diags, "writing a resource");
done:
    finish(st, s);
    tern_free(address);
    tern_free(before);
    tern_free(provider);
    return error;
}

int tern__state_remove_in_tx(tern_state *st, int64_t serial,
                             const char *address, struct tern_diags *diags)
{
    char *before = NULL;
    int error;

    if ((error = resource_before(st, address, &before, diags)) != 0)
        goto done;
    if ((error = record_history(st, serial, "resource", address, before,
                                diags)) != 0)
        goto done;
    error = exec_bound(st, diags, "removing a resource",
                       "DELETE FROM tern_resources WHERE address = ?", "t",
                       address);
done:
    tern_free(before);
    return error;
}

/* ------------------------------------------------------------------------ */
/* Resources                                                                */

int tern_state_get(tern_state *st, tern_state_resource **out,
                   const char *address, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    tern_state_resource *r = NULL;
    int error, rc;

    *out = NULL;
    if ((error = prepare(st, &s,
                         "SELECT " RESOURCE_COLUMNS
                         " FROM tern_resources WHERE address = ?",
                         diags)) != 0)
        return error;
    TERN__BIND(st, sqlite3_bind_text(s, 1, address, -1, SQLITE_STATIC));
    rc = tern__state_step(st, s);
    if (rc == SQLITE_DONE) {
        error = TERN_ENOTFOUND;
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = tern__state_sqlfail(st, diags, "reading a resource");
        goto done;
    }
    r = tern_malloc(sizeof(*r));
    TERN_CHECK_ALLOC(r);
    if ((error = resource_from_row(st, r, s, 0, diags)) != 0)
        goto done;
    *out = r;
    r = NULL;
done:
    tern_free(r);
    finish(st, s);
    return error;
}

int tern_state_list(tern_state *st, tern_state_resource **out, size_t *count,
                    struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    tern_state_resource *list = NULL;
    size_t n = 0, alloc = 0;
    int error, rc;

    *out = NULL;
    *count = 0;
    if ((error = prepare(st, &s,
                         "SELECT " RESOURCE_COLUMNS
                         " FROM tern_resources" RESOURCE_ORDER,
                         diags)) != 0)
        return error;
    while ((rc = tern__state_step(st, s)) == SQLITE_ROW) {
        if (TERN_VEC_RESERVE(list, alloc, n + 1) != TERN_OK) {
            error = TERN_ENOMEM;
            goto done;
        }
        if ((error = resource_from_row(st, &list[n], s, 0, diags)) != 0)
            goto done;
        n++;
    }
    if (rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "listing resources");
        goto done;
    }
    *out = list;
    *count = n;
    list = NULL;
done:
    tern_state_resources_free(list, n);
    finish(st, s);
    return error;
}

int tern__state_resource_rows(tern_state *st,
                              int (*fn)(void *ud, sqlite3_stmt *s), void *ud,
                              struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int error, rc;

    if ((error = prepare(st, &s,
                         "SELECT " RESOURCE_COLUMNS
                         " FROM tern_resources" RESOURCE_ORDER,
                         diags)) != 0)
        return error;
    while ((rc = tern__state_step(st, s)) == SQLITE_ROW)
        if ((error = fn(ud, s)) != 0)
            goto done;
    if (rc != SQLITE_DONE)
        error = tern__state_sqlfail(st, diags, "listing resources");
done:
    finish(st, s);
    return error;
}

int tern__state_resource_from_row(tern_state *st, tern_state_resource *r,
                                  sqlite3_stmt *s, struct tern_diags *diags)
{
    return resource_from_row(st, r, s, 0, diags);
}

void tern__state_resource_release(tern_state_resource *r)
{
    resource_release(r);
}

int tern_state_put(tern_state *st, const tern_state_resource *r,
                   struct tern_diags *diags)
{
    return tern_state_commit_step(st, 0, r, diags);
}

int tern_state_remove(tern_state *st, const char *address,
                      struct tern_diags *diags)
{
    int64_t serial = 0;
    int error;

    if ((error = tern__state_tx_begin(st, &serial, diags)) != 0)
        return error;
    if ((error = tern__state_remove_in_tx(st, serial, address, diags)) != 0) {
        tern__state_tx_rollback(st);
        return error;
    }
    return tern__state_tx_commit(st, serial, diags);
}

int tern_state_remove_many(tern_state *st, const char *const *addresses,
                           size_t count, struct tern_diags *diags)
{
    int64_t serial = 0;
    size_t i;
    int error;

    if (count == 0)
        return TERN_OK;
    if ((error = tern__state_tx_begin(st, &serial, diags)) != 0)
        return error;
    for (i = 0; i < count; i++) {
        error = tern__state_remove_in_tx(st, serial, addresses[i], diags);
        if (error == TERN_ENOTFOUND)
            error = tern__state_fail(diags, TERN_ENOTFOUND, "No such instance",
                                     "%s is not in the state; nothing was "
                                     "removed.",
                                     addresses[i]);
        if (error) {
            tern__state_tx_rollback(st);
            return error;
        }
    }
    return tern__state_tx_commit(st, serial, diags);
}

int tern_state_move(tern_state *st, const char *const *from,
                    const tern_state_resource *to, size_t count,
                    struct tern_diags *diags)
{
    int64_t serial = 0;
    char *address = NULL, *before = NULL;
    size_t i;
    int error = TERN_OK;

    if (count == 0)
        return TERN_OK;
    if ((error = tern__state_tx_begin(st, &serial, diags)) != 0)
        return error;
    /* Every source goes first, so that instances may move onto addresses
     * the same move frees (aws_iam_role.r[0] -> [1], [1] -> [2]). */
    for (i = 0; i < count; i++) {
        error = tern__state_remove_in_tx(st, serial, from[i], diags);
        if (error == TERN_ENOTFOUND)
            error = tern__state_fail(diags, TERN_ENOTFOUND, "No such instance",
                                     "%s is not in the state; nothing was "
                                     "moved.",
                                     from[i]);
        if (error)
            goto done;
    }
    for (i = 0; i < count; i++) {
        tern_free(address);
        address = tern_state_resource_address(&to[i]);
        if (address == NULL) {
            error = tern__state_fail(diags, TERN_EINVALID, "Invalid resource",
                                     "A resource must have a type and a "
                                     "name.");
            goto done;
        }
        tern_free(before);
        before = NULL;
        error = resource_before(st, address, &before, diags);
        if (error == TERN_OK) {
            error = tern__state_fail(diags, TERN_EEXISTS,
                                     "Destination already exists",
                                     "There is already a resource instance "
                                     "at %s; nothing was moved.",
                                     address);
            goto done;
        }
        if (error != TERN_ENOTFOUND)
            goto done;
        if ((error = tern__state_put_in_tx(st, serial, &to[i], diags)) != 0)
            goto done;
    }
done:
    tern_free(address);
    tern_free(before);
    if (error) {
        tern__state_tx_rollback(st);
        return error;
    }
    return tern__state_tx_commit(st, serial, diags);
}

/* ------------------------------------------------------------------------ */
/* Outputs                                                                  */

/*
 * An output's type (Terraform's, as the v4 format writes it: tern's values
 * do not carry one) lives in a column of its own, tern_outputs.type, added
 * when a type is first written, not by a schema migration: a tern that
 * does not know it reads and writes the outputs as before (a write leaves
 * the type NULL, and the type is then inferred from the value again).
 */
static int output_types(tern_state *st, int *found, struct tern_diags *diags)
{
    sqlite3_stmt *s = NULL;
    int rc;

    *found = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM pragma_table_info('tern_outputs') "
                           "WHERE name = 'type'",
                           -1, &s, NULL) != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "reading the outputs' columns");
    rc = tern__state_step(st, s);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        *found = 1;
    else if (rc != SQLITE_DONE)
        return tern__state_sqlfail(st, diags, "reading the outputs' columns");
    return TERN_OK;
}

/* The stored output of the row (value, sensitive[, type]) as the history
 * and tern_state_outputs() give it. */
static json_t *output_json(sqlite3_stmt *s, int col, int typed, int *oom)
{
    json_t *v = load_json(s, col, oom), *o, *t = NULL;

    if (v == NULL)
        return NULL;
    if (typed && sqlite3_column_type(s, col + 2) != SQLITE_NULL &&
        (t = load_json(s, col + 2, oom)) == NULL) {
        json_decref(v);
        return NULL;
    }
    o = json_pack("{s:o,s:b}", "value", v, "sensitive",
                  sqlite3_column_int(s, col + 1));
    if (o && t && json_object_set_new(o, "type", t) != 0) {
        json_decref(o);
        o = NULL;
    } else if (t && !o) {
        json_decref(t);
    }
    if (o == NULL)
        *oom = 1;
    return o;
}

int tern__state_output_in_tx(tern_state *st, int64_t serial, const char *name,
                             const json_t *value, const json_t *type,
                             int sensitive, struct tern_diags *diags)
{
    int oom = 0;
    sqlite3_stmt *s = NULL;
    json_t *before = NULL;
    char *before_text = NULL;
    int error = TERN_OK, rc, typed;

    if ((error = output_types(st, &typed, diags)) != 0)
        return error;
    if (type && value && !typed) {
        if ((error =
                 exec_sql(st, "ALTER TABLE tern_outputs ADD COLUMN type TEXT",
                          diags, "adding the outputs' types")) != 0)
            return error;
        typed = 1;
    }
    if ((error = prepare(st, &s,
                         typed ? "SELECT value, sensitive, type FROM "
                                 "tern_outputs WHERE name = ?"
                               : "SELECT value, sensitive FROM tern_outputs "
                                 "WHERE name = ?",
                         diags)) != 0)
        goto done;
    TERN__BIND(st, sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC));
    rc = tern__state_step(st, s);
    if (rc == SQLITE_ROW) {
        before = output_json(s, 0, typed, &oom);
        if (oom) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (before) {
            before_text = tern__state_json_dump(before);
            TERN_CHECK_ALLOC(before_text);
        }
    } else if (rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "reading an output");
        goto done;
    }
    finish(st, s);
    s = NULL;
    if (value == NULL && before == NULL) {
        error = TERN_ENOTFOUND;
        goto done;
    }
    if ((error = record_history(st, serial, "output", name, before_text,
                                diags)) != 0)
        goto done;
    if (value == NULL)
        error =
            exec_bound(st, diags, "writing an output",
                       "DELETE FROM tern_outputs WHERE name = ?", "t", name);
    else if (typed)
        error = exec_bound(st, diags, "writing an output",
                           "INSERT OR REPLACE INTO tern_outputs (name, value, "
                           "sensitive, type) VALUES (?, ?, ?, ?)",
                           "tjij", name, value, "null", sensitive ? 1 : 0, type,
                           (const char *)NULL);
    else
        error = exec_bound(st, diags, "writing an output",
                           "INSERT OR REPLACE INTO tern_outputs (name, value, "
                           "sensitive) VALUES (?, ?, ?)",
                           "tji", name, value, "null", sensitive ? 1 : 0);
done:
    finish(st, s);
    json_decref(before);
    tern_free(before_text);
    return error;
}

int tern_state_output_set_typed(tern_state *st, const char *name,
                                const json_t *value, const json_t *type,
                                int sensitive, struct tern_diags *diags)
{
    int64_t serial = 0;
    int error;

    if ((error = tern__state_tx_begin(st, &serial, diags)) != 0)
        return error;
    if ((error = tern__state_output_in_tx(st, serial, name, value, type,
                                          sensitive, diags)) != 0) {
        tern__state_tx_rollback(st);
        return error;
    }
    return tern__state_tx_commit(st, serial, diags);
}

int tern_state_output_set(tern_state *st, const char *name, const json_t *value,
                          int sensitive, struct tern_diags *diags)
{
    return tern_state_output_set_typed(st, name, value, NULL, sensitive, diags);
}

int tern_state_outputs(tern_state *st, json_t **out, struct tern_diags *diags)
{
    int oom = 0;
    sqlite3_stmt *s = NULL;
    json_t *all = NULL, *v;
    int error, rc, typed;

    *out = NULL;
    if ((error = output_types(st, &typed, diags)) != 0)
        return error;
    if ((error = prepare(st, &s,
                         typed ? "SELECT name, value, sensitive, type FROM "
                                 "tern_outputs ORDER BY name"
                               : "SELECT name, value, sensitive FROM "
                                 "tern_outputs ORDER BY name",
                         diags)) != 0)
        return error;
    all = json_object();
    TERN_CHECK_ALLOC(all);
    while ((rc = tern__state_step(st, s)) == SQLITE_ROW) {
        v = output_json(s, 1, typed, &oom);
        if (v == NULL && oom) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (v == NULL) {
            error = tern__state_fail(diags, TERN_ERROR, "Damaged state",
                                     "An output's stored JSON in %s does not "
                                     "parse.",
                                     st->path);
            goto done;
        }
        if (json_object_set_new(all, (const char *)sqlite3_column_text(s, 0),
                                v) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "listing outputs");
        goto done;
    }
    *out = all;
    all = NULL;
done:
    json_decref(all);
    finish(st, s);
    return error;
}

/* ------------------------------------------------------------------------ */
/* Intents                                                                  */

json_t *tern__state_object_meta(const tern_state_resource *r)
{
    json_t *o = json_object();
    int oom = 0;

    if (o == NULL)
        return NULL;
    if (r->provider)
        tern_json_set(&oom, o, "provider", json_string(r->provider));
    if (r->status == TERN_STATE_TAINTED)
        tern_json_set(&oom, o, "status", json_string("tainted"));
    tern_json_set(&oom, o, "schema_version",
                  json_integer((json_int_t)r->schema_version));
    tern_json_set(&oom, o, "sensitive_attributes",
                  r->sensitive ? json_incref(r->sensitive) : json_array());
    if (json_array_size(r->dependencies) > 0)
        tern_json_set(&oom, o, "dependencies", json_incref(r->dependencies));
    if (r->create_before_destroy)
        tern_json_set(&oom, o, "create_before_destroy", json_true());
    return tern_json_done(oom, o);
}

int tern_state_depose(tern_state *st, int64_t *id, const char *address,
                      const json_t *attributes,
                      const tern_state_resource *prior,
                      struct tern_diags *diags)
{
    json_t *meta = NULL;
    int error;

    *id = 0;
    if (address == NULL)
        return tern__state_fail(diags, TERN_EINVALID, "Invalid intent",
                                "An intent needs an address and an action.");
    if (prior && (meta = tern__state_object_meta(prior)) == NULL)
        return TERN_ENOMEM;
    error = exec_bound(st, diags, "recording a deposed object",
                       "INSERT INTO tern_intents (address, action, identity, "
                       "object, created_at, pid, operation) VALUES "
                       "(?, 'deposed', ?, ?, ?, ?, ?)",
                       "tjjIIt", address, attributes, "{}", meta, NULL,
                       (sqlite3_int64)time(NULL), (sqlite3_int64)st->pid,
                       st->operation);
    json_decref(meta);
    if (error)
        return error;
    *id = sqlite3_last_insert_rowid(st->db);
    if (st->on_change)
        st->on_change(st->on_change_ud, st, TERN_STATE_CHANGED_INTENT, NULL);
    return TERN_OK;
}

int tern_state_intent_begin(tern_state *st, int64_t *id, const char *address,
                            const char *action, const json_t *identity,
                            struct tern_diags *diags)
{
    int error;

    *id = 0;
    if (address == NULL || action == NULL)
        return tern__state_fail(diags, TERN_EINVALID, "Invalid intent",
                                "An intent needs an address and an action.");
    /* Autocommit: durable (WAL fsync) before the remote call is made. */
    if ((error = exec_bound(st, diags, "recording an intent",
                            "INSERT INTO tern_intents (address, action, "
                            "identity, created_at, pid, operation) VALUES "
                            "(?, ?, ?, ?, ?, ?)",
                            "ttjIIt", address, action, identity, "{}",
                            (sqlite3_int64)time(NULL), (sqlite3_int64)st->pid,
                            st->operation)) != 0)
        return error;
    *id = sqlite3_last_insert_rowid(st->db);
    if (st->on_change)
        st->on_change(st->on_change_ud, st, TERN_STATE_CHANGED_INTENT, NULL);
    return error;
}

static int delete_intent(tern_state *st, int64_t id, char **address,
                         struct tern_diags *diags)
{
    int oom = 0;
    sqlite3_stmt *s = NULL;
    int error, rc;

    if (address)
        *address = NULL;
    if ((error = prepare(st, &s,
                         "DELETE FROM tern_intents WHERE id = ? "
                         "RETURNING address",
                         diags)) != 0)
        return error;
    TERN__BIND(st, sqlite3_bind_int64(s, 1, id));
    rc = tern__state_step(st, s);
    if (rc == SQLITE_DONE) {
        error = TERN_ENOTFOUND;
        goto done;
    }
    if (rc != SQLITE_ROW) {
        error = tern__state_sqlfail(st, diags, "removing an intent");
        goto done;
    }
    if (address) {
        *address = col_strdup(s, 0, &oom);
        TERN_CHECK_ALLOC(*address);
    }
    if (tern__state_step(st, s) != SQLITE_DONE)
        error = tern__state_sqlfail(st, diags, "removing an intent");
done:
    finish(st, s);
    return error;
}

int tern_state_intent_abandon(tern_state *st, int64_t id,
                              struct tern_diags *diags)
{
    return delete_intent(st, id, NULL, diags);
}

void tern_state_intents_free(tern_state_intent *list, size_t count)
{
    size_t i;

    if (list == NULL)
        return;
    for (i = 0; i < count; i++) {
        tern_free(list[i].address);
        tern_free(list[i].action);
        tern_free(list[i].operation);
        json_decref(list[i].identity);
        json_decref(list[i].object);
    }
    tern_free(list);
}

int tern_state_intents(tern_state *st, tern_state_intent **out, size_t *count,
                       struct tern_diags *diags)
{
    int oom = 0;
    sqlite3_stmt *s = NULL;
    tern_state_intent *list = NULL, *it;
    size_t n = 0, alloc = 0;
    int error, rc;

    *out = NULL;
    *count = 0;
    if ((error = prepare(st, &s,
                         "SELECT id, address, action, identity, created_at, "
                         "pid, operation, object FROM tern_intents "
                         "ORDER BY id",
                         diags)) != 0)
        return error;
    while ((rc = tern__state_step(st, s)) == SQLITE_ROW) {
        if (TERN_VEC_RESERVE(list, alloc, n + 1) != TERN_OK) {
            error = TERN_ENOMEM;
            goto done;
        }
        it = &list[n++];
        memset(it, 0, sizeof(*it));
        it->id = sqlite3_column_int64(s, 0);
        it->address = col_strdup(s, 1, &oom);
        it->action = col_strdup(s, 2, &oom);
        it->identity = load_json(s, 3, &oom);
        it->created = sqlite3_column_int64(s, 4);
        it->pid = (long)sqlite3_column_int64(s, 5);
        it->operation = col_strdup(s, 6, &oom);
        it->object = load_json(s, 7, &oom);
        if (oom || it->address == NULL || it->action == NULL) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (it->identity == NULL) {
            it->identity = json_object();
            TERN_CHECK_ALLOC(it->identity);
        }
    }
    if (rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "listing intents");
        goto done;
    }
    *out = list;
    *count = n;
    list = NULL;
done:
    tern_state_intents_free(list, n);
    finish(st, s);
    return error;
}

int tern_state_commit_step(tern_state *st, int64_t intent_id,
                           const tern_state_resource *r,
                           struct tern_diags *diags)
{
    char *address = NULL;
    int64_t serial = 0;
    int error;

    if (r == NULL && intent_id == 0)
        return tern__state_fail(diags, TERN_EINVALID, "Invalid step",
                                "A deletion step needs the intent that "
                                "names the instance.");
    if ((error = tern__state_tx_begin(st, &serial, diags)) != 0)
        return error;
    if (intent_id != 0 &&
        (error = delete_intent(st, intent_id, r ? NULL : &address, diags)) !=
            0) {
        if (error == TERN_ENOTFOUND)
            tern__state_fail(diags, error, "Unknown intent",
                             "There is no intent %lld in %s.",
                             (long long)intent_id, st->path);
        goto done;
    }
    if (r)
        error = tern__state_put_in_tx(st, serial, r, diags);
    else
        error = tern__state_remove_in_tx(st, serial, address, diags);
    /* Deleting what is already gone is done, not an error. */
    if (error == TERN_ENOTFOUND && r == NULL)
        error = TERN_OK;
    if (error)
        goto done;
    error = tern__state_tx_commit(st, serial, diags);
done:
    if (error)
        tern__state_tx_rollback(st);
    tern_free(address);
    if (error == TERN_OK && st->on_change)
        st->on_change(st->on_change_ud, st, TERN_STATE_CHANGED_STEP, NULL);
    return error;
}

void tern_state_set_change_hook(tern_state *st, tern_state_change_fn fn,
                                void *ud)
{
    st->on_change = fn;
    st->on_change_ud = ud;
}

int tern_state_flush(tern_state *st, struct tern_diags *diags)
{
    if (!st->on_change)
        return TERN_OK;
    return st->on_change(st->on_change_ud, st, TERN_STATE_FLUSH, diags);
}

/* ------------------------------------------------------------------------ */
/* History                                                                  */

void tern_state_changes_free(tern_state_change *list, size_t count)
{
    size_t i;

    if (list == NULL)
        return;
    for (i = 0; i < count; i++) {
        tern_free(list[i].operation);
        tern_free(list[i].kind);
        tern_free(list[i].key);
        json_decref(list[i].before);
    }
    tern_free(list);
}

int tern_state_history(tern_state *st, int64_t serial, tern_state_change **out,
                       size_t *count, struct tern_diags *diags)
{
    int oom = 0;
    sqlite3_stmt *s = NULL;
    tern_state_change *list = NULL, *c;
    size_t n = 0, alloc = 0;
    int error, rc;

    *out = NULL;
    *count = 0;
    if ((error = prepare(st, &s,
                         "SELECT serial, at, operation, kind, key, before "
                         "FROM tern_history WHERE ? < 0 OR serial = ? "
                         "ORDER BY seq",
                         diags)) != 0)
        return error;
    TERN__BIND(st, sqlite3_bind_int64(s, 1, serial));
    TERN__BIND(st, sqlite3_bind_int64(s, 2, serial));
    while ((rc = tern__state_step(st, s)) == SQLITE_ROW) {
        if (TERN_VEC_RESERVE(list, alloc, n + 1) != TERN_OK) {
            error = TERN_ENOMEM;
            goto done;
        }
        c = &list[n++];
        memset(c, 0, sizeof(*c));
        c->serial = sqlite3_column_int64(s, 0);
        c->time = sqlite3_column_int64(s, 1);
        c->operation = col_strdup(s, 2, &oom);
        c->kind = col_strdup(s, 3, &oom);
        c->key = col_strdup(s, 4, &oom);
        c->before = load_json(s, 5, &oom);
        if (oom || c->operation == NULL || c->kind == NULL || c->key == NULL) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "reading history");
        goto done;
    }
    *out = list;
    *count = n;
    list = NULL;
done:
    tern_state_changes_free(list, n);
    finish(st, s);
    return error;
}
