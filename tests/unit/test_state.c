/* state/: the SQLite state store through include/tern/state.h. */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tern/state.h"
#include "util/alloc.h"

/*
 * Under ASan, check for leaks at the end of each case: the runner ends a
 * case with _exit(), which skips LeakSanitizer's own check at exit.
 */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() __lsan_do_leak_check()
#else
#define LEAK_CHECK() ((void)0)
#endif
#include "util/buf.h"
#include "../../state/state_internal.h"

static char *tpath(const char *name)
{
    char *p = tern_asprintf("%s/%s", tern_test_tmpdir(), name);

    ASSERT_NOT_NULL(p);
    return p;
}

static tern_state *open_state(const char *path, int create,
                              struct tern_diags *diags)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = NULL;
    int rc;

    opts.path = path;
    opts.create = create;
    opts.operation = "test";
    rc = tern_state_open(&st, &opts, diags);
    if (rc != 0)
        FAIL("open %s: %s: %s", path, tern_strerror(rc),
             diags && diags->count ? diags->items[diags->count - 1].detail
                                   : "");
    return st;
}

/* Open that is expected to fail; returns the error and the last detail. */
static int open_fails(const char *path, int create, char **detail)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = NULL;
    int rc;

    opts.path = path;
    opts.create = create;
    rc = tern_state_open(&st, &opts, &d);
    ASSERT_NULL(st);
    ASSERT_NE(rc, 0);
    ASSERT_CMP(d.errors, >=, 1);
    *detail = tern_strdup(d.items[d.count - 1].detail);
    tern_diags_release(&d);
    return rc;
}

static void put_role(tern_state *st, const char *name, const char *arn)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *attrs =
        json_pack("{s:s,s:s,s:s}", "id", name, "name", name, "arn", arn);

    r.type = "aws_iam_role";
    r.name = (char *)name;
    r.id = (char *)name;
    r.attributes = attrs;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    json_decref(attrs);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    tern_buf b = TERN_BUF_INIT;
    char chunk[8192];
    size_t n;

    ASSERT_NOT_NULL(f);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        tern_buf_put(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return (unsigned char *)tern_buf_detach(&b);
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    ASSERT_NOT_NULL(f);
    ASSERT_EQ(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void assert_same_file(const char *path, const unsigned char *before,
                             size_t len)
{
    size_t n;
    unsigned char *now = slurp(path, &n);

    ASSERT_EQ(n, len);
    ASSERT(memcmp(now, before, len) == 0);
    tern_free(now);
}

static void sql(const char *path, const char *stmt)
{
    sqlite3 *db = NULL;
    char *err = NULL;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, stmt, NULL, NULL, &err) != SQLITE_OK)
        FAIL("%s: %s", stmt, err);
    sqlite3_close(db);
}

static int user_version(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int v;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

TEST(state, create_open_reopen)
{
    char *path = tpath("s.db"), *detail = NULL, *lineage;
    tern_state *st;
    const char *l;
    int i;

    ASSERT_EQ(open_fails(path, 0, &detail), TERN_ENOTFOUND);
    {
        char want_[4096];

        snprintf(want_, sizeof(want_),
                 "There is no state at %s/s.db. Check the path, or create a "
                 "new state (apply creates one).",
                 tern_test_tmpdir());
        ASSERT_STR_EQ(detail, want_);
    }
    tern_free(detail);
    ASSERT_EQ(access(path, F_OK), -1);
    lineage = tern_asprintf("%s.lock", path);
    ASSERT_EQ(access(lineage, F_OK), -1);
    tern_free(lineage);

    st = open_state(path, 1, NULL);
    l = tern_state_lineage(st);
    ASSERT_EQ(strlen(l), 36);
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ASSERT_EQ(l[i], '-');
        else
            ASSERT(strchr("0123456789abcdef", l[i]) != NULL);
    }
    ASSERT_EQ(l[14], '4');
    ASSERT(strchr("89ab", l[19]) != NULL);
    ASSERT_EQ(tern_state_serial(st), 0);
    ASSERT_STR_EQ(tern_state_tern_version(st), TERN_VERSION);
    ASSERT_STR_EQ(tern_state_path(st), path);
    lineage = tern_strdup(l);
    tern_state_free(st);

    st = open_state(path, 0, NULL);
    ASSERT_STR_EQ(tern_state_lineage(st), lineage);
    ASSERT_EQ(tern_state_serial(st), 0);
    tern_state_free(st);
    /* create on an existing state opens it, it does not recreate it. */
    st = open_state(path, 1, NULL);
    ASSERT_STR_EQ(tern_state_lineage(st), lineage);
    tern_state_free(st);
    ASSERT_EQ(user_version(path), TERN_STATE_SCHEMA_VERSION);
    tern_free(lineage);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, file_mode_0600)
{
    char *path = tpath("m.db"), *side;
    static const char *const suffixes[] = {"", "-wal", "-shm", ".lock"};
    struct stat sb;
    tern_state *st;
    size_t i;

    /* Not relying on the caller's umask. */
    umask(0);
    st = open_state(path, 1, NULL);
    put_role(st, "r", "arn:aws:iam::1:role/r");
    for (i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
        side = tern_asprintf("%s%s", path, suffixes[i]);
        if (stat(side, &sb) != 0)
            FAIL("%s: %s", side, strerror(errno));
        if ((sb.st_mode & 0777) != 0600)
            FAIL("%s has mode %o", side, (unsigned)(sb.st_mode & 0777));
        tern_free(side);
    }
    tern_state_free(st);

    /* A state someone made readable is used, with a warning. */
    ASSERT_OK(chmod(path, 0644));
    {
        struct tern_diags d = TERN_DIAGS_INIT;

        st = open_state(path, 0, &d);
        ASSERT_EQ(d.errors, 0);
        ASSERT_EQ(d.count, 1);
        {
            char want_[4096];

            snprintf(want_, sizeof(want_),
                     "%s/m.db has mode 0644: other users can read it, and a "
                     "state holds secrets in plain text. Run `chmod 600 "
                     "%s/m.db` (tern creates state files with mode 0600).",
                     tern_test_tmpdir(), tern_test_tmpdir());
            ASSERT_STR_EQ(d.items[0].detail, want_);
        }
        tern_diags_release(&d);
        tern_state_free(st);
    }
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, serial_increments)
{
    char *path = tpath("serial.db");
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    tern_state *st = open_state(path, 1, NULL);
    json_t *v = json_string("x"), *attrs = json_object();
    int64_t id = 0;

    put_role(st, "a", "arn1");
    ASSERT_EQ(tern_state_serial(st), 1);
    put_role(st, "a", "arn2");
    ASSERT_EQ(tern_state_serial(st), 2);
    ASSERT_OK(tern_state_remove(st, "aws_iam_role.a", NULL));
    ASSERT_EQ(tern_state_serial(st), 3);
    ASSERT_EQ(tern_state_remove(st, "aws_iam_role.a", NULL), TERN_ENOTFOUND);
    ASSERT_EQ(tern_state_serial(st), 3);
    ASSERT_OK(tern_state_output_set(st, "o", v, 0, NULL));
    ASSERT_EQ(tern_state_serial(st), 4);
    /* An intent is a journal entry, not a change of state. */
    ASSERT_OK(tern_state_intent_begin(st, &id, "aws_iam_role.b", "create", NULL,
                                      NULL));
    ASSERT_EQ(tern_state_serial(st), 4);
    r.type = "aws_iam_role";
    r.name = "b";
    r.attributes = attrs;
    ASSERT_OK(tern_state_commit_step(st, id, &r, NULL));
    ASSERT_EQ(tern_state_serial(st), 5);
    tern_state_free(st);
    st = open_state(path, 0, NULL);
    ASSERT_EQ(tern_state_serial(st), 5);
    tern_state_free(st);
    json_decref(v);
    json_decref(attrs);
    tern_free(path);
    LEAK_CHECK();
}

static void assert_json_eq(const json_t *a, const json_t *b)
{
    if (!json_equal((json_t *)a, (json_t *)b)) {
        char *sa = tern__state_json_dump(a), *sb = tern__state_json_dump(b);

        FAIL("JSON differs:\n  got:      %s\n  expected: %s", sa, sb);
    }
}

TEST(state, resources_round_trip)
{
    char *path = tpath("res.db"), *addr;
    tern_state *st = open_state(path, 1, NULL);
    tern_state_resource r = TERN_STATE_RESOURCE_INIT, *got = NULL, *list = NULL;
    json_t *attrs = json_pack("{s:s,s:{s:i,s:[b,n]},s:f}", "name", "svc",
                              "nested", "n", 1, "l", 1, "pi", 3.25);
    json_t *sens =
        json_pack("[[{s:s,s:s}]]", "type", "get_attr", "value", "password");
    json_t *deps = json_pack("[s,s]", "aws_iam_role.a", "module.m.x.y");
    size_t n = 0;

    r.module = "module.net[\"eu\"]";
    r.type = "aws_iam_role";
    r.name = "svc";
    r.key_kind = TERN_STATE_KEY_STRING;
    r.key_str = "a \"b\"";
    r.provider = "provider[\"registry.terraform.io/hashicorp/aws\"].west";
    r.id = "AROA123";
    r.attributes = attrs;
    r.sensitive = sens;
    r.dependencies = deps;
    r.status = TERN_STATE_TAINTED;
    r.create_before_destroy = 1;
    r.schema_version = 3;
    addr = tern_state_resource_address(&r);
    ASSERT_STR_EQ(addr, "module.net[\"eu\"].aws_iam_role.svc[\"a \\\"b\\\"\"]");
    ASSERT_OK(tern_state_put(st, &r, NULL));
    tern_state_free(st);

    st = open_state(path, 0, NULL);
    ASSERT_OK(tern_state_get(st, &got, addr, NULL));
    ASSERT_STR_EQ(got->module, r.module);
    ASSERT_EQ(got->mode, TERN_STATE_MANAGED);
    ASSERT_STR_EQ(got->type, "aws_iam_role");
    ASSERT_STR_EQ(got->name, "svc");
    ASSERT_EQ(got->key_kind, TERN_STATE_KEY_STRING);
    ASSERT_STR_EQ(got->key_str, "a \"b\"");
    ASSERT_STR_EQ(got->provider, r.provider);
    ASSERT_STR_EQ(got->id, "AROA123");
    assert_json_eq(got->attributes, attrs);
    assert_json_eq(got->sensitive, sens);
    assert_json_eq(got->dependencies, deps);
    ASSERT_EQ(got->status, TERN_STATE_TAINTED);
    ASSERT_EQ(got->create_before_destroy, 1);
    ASSERT_EQ(got->schema_version, 3);
    tern_state_resource_free(got);
    got = NULL;
    ASSERT_EQ(tern_state_get(st, &got, "aws_iam_role.nope", NULL),
              TERN_ENOTFOUND);

    /* Defaults: root module, no key, provider from the type. */
    memset(&r, 0, sizeof(r));
    r.version = TERN_STATE_RESOURCE_VERSION;
    r.mode = TERN_STATE_DATA;
    r.type = "aws_caller_identity";
    r.name = "me";
    r.attributes = attrs;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    r.mode = TERN_STATE_MANAGED;
    r.type = "databricks_instance_profile";
    r.name = "p";
    r.key_kind = TERN_STATE_KEY_INT;
    r.key_int = 10;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    r.key_int = 2;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    ASSERT_OK(tern_state_get(st, &got, "data.aws_caller_identity.me", NULL));
    ASSERT_STR_EQ(got->provider,
                  "provider[\"registry.terraform.io/hashicorp/aws\"]");
    ASSERT_STR_EQ(got->module, "");
    ASSERT_NULL(got->id);
    ASSERT_EQ(json_array_size(got->sensitive), 0);
    tern_state_resource_free(got);
    ASSERT_OK(
        tern_state_get(st, &got, "databricks_instance_profile.p[10]", NULL));
    ASSERT_STR_EQ(got->provider,
                  "provider[\"registry.terraform.io/databricks/databricks\"]");
    tern_state_resource_free(got);

    ASSERT_OK(tern_state_list(st, &list, &n, NULL));
    ASSERT_EQ(n, 4);
    /* Ordered by module, mode, type, name, key (numeric). */
    ASSERT_STR_EQ(list[0].type, "aws_caller_identity");
    ASSERT_EQ(list[1].key_int, 2);
    ASSERT_EQ(list[2].key_int, 10);
    ASSERT_STR_EQ(list[3].module, "module.net[\"eu\"]");
    tern_state_resources_free(list, n);

    /* Invalid input is refused and changes nothing. */
    r.attributes = deps;
    ASSERT_EQ(tern_state_put(st, &r, NULL), TERN_EINVALID);
    r.attributes = attrs;
    r.name = NULL;
    ASSERT_EQ(tern_state_put(st, &r, NULL), TERN_EINVALID);
    ASSERT_EQ(tern_state_serial(st), 4);
    tern_state_free(st);
    json_decref(attrs);
    json_decref(sens);
    json_decref(deps);
    tern_free(addr);
    tern_free(path);
    LEAK_CHECK();
}

/* A bind SQLite refuses (here a value over its length limit) is an error
 * with SQLite's words, not a NULL parameter: a lookup by a NULL address
 * would report "not found" and a delete by it remove nothing. */
TEST(state, refused_bind_reported)
{
    char *path = tpath("bind.db"), *detail;
    tern_state *st = open_state(path, 1, NULL);
    tern_state_resource *got = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;
    char addr[200];

    put_role(st, "r", "arn:aws:iam::123456789012:role/r");
    memset(addr, 'a', sizeof(addr) - 1);
    addr[sizeof(addr) - 1] = '\0';
    sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, 100);
    ASSERT_EQ(tern_state_get(st, &got, addr, &d), TERN_ERROR);
    ASSERT_NULL(got);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "State database error");
    detail = tern_asprintf("reading a resource in %s: string or blob too big "
                           "(SQLite error 18).",
                           path);
    ASSERT_STR_EQ(d.items[0].detail, detail);
    tern_free(detail);
    tern_diags_release(&d);
    /* The statement after it runs as usual. */
    ASSERT_OK(tern_state_get(st, &got, "aws_iam_role.r", NULL));
    tern_state_resource_free(got);
    tern_state_free(st);
    tern_free(path);
}

TEST(state, outputs_round_trip)
{
    char *path = tpath("out.db");
    tern_state *st = open_state(path, 1, NULL);
    json_t *a = json_string("hello"), *b = json_pack("{s:[i,i]}", "x", 1, 2);
    json_t *all = NULL, *want;

    ASSERT_OK(tern_state_output_set(st, "a", a, 0, NULL));
    ASSERT_OK(tern_state_output_set(st, "b", b, 1, NULL));
    ASSERT_OK(tern_state_output_set(st, "c", json_null(), 0, NULL));
    ASSERT_OK(tern_state_output_set(st, "c", NULL, 0, NULL));
    ASSERT_EQ(tern_state_output_set(st, "c", NULL, 0, NULL), TERN_ENOTFOUND);
    tern_state_free(st);
    st = open_state(path, 0, NULL);
    ASSERT_OK(tern_state_outputs(st, &all, NULL));
    want = json_pack("{s:{s:O,s:b},s:{s:O,s:b}}", "a", "value", a, "sensitive",
                     0, "b", "value", b, "sensitive", 1);
    assert_json_eq(all, want);
    ASSERT_EQ(tern_state_serial(st), 4);
    tern_state_free(st);
    json_decref(all);
    json_decref(want);
    json_decref(a);
    json_decref(b);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, intents_survive_reopen)
{
    char *path = tpath("int.db");
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = open_state(path, 1, NULL);
    tern_state_intent *list = NULL;
    tern_state_resource r = TERN_STATE_RESOURCE_INIT, *got = NULL;
    json_t *ident = json_pack("{s:s}", "name", "role-1"),
           *attrs = json_pack("{s:s}", "name", "role-1");
    int64_t id1 = 0, id2 = 0;
    size_t n = 0;

    ASSERT_OK(tern_state_intent_begin(st, &id1, "aws_iam_role.a", "create",
                                      ident, NULL));
    ASSERT_OK(tern_state_intent_begin(st, &id2, "aws_iam_role.b", "delete",
                                      NULL, NULL));
    ASSERT_NE(id1, id2);
    tern_state_free(st);

    st = open_state(path, 0, &d);
    ASSERT_EQ(d.errors, 0);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_CONTAINS(d.items[0].detail, "aws_iam_role.a");
    tern_diags_release(&d);
    ASSERT_OK(tern_state_intents(st, &list, &n, NULL));
    ASSERT_EQ(n, 2);
    ASSERT_EQ(list[0].id, id1);
    ASSERT_STR_EQ(list[0].address, "aws_iam_role.a");
    ASSERT_STR_EQ(list[0].action, "create");
    assert_json_eq(list[0].identity, ident);
    ASSERT_EQ(list[0].pid, getpid());
    ASSERT_STR_EQ(list[0].operation, "test");
    ASSERT_CMP(list[0].created, >, 1600000000);
    ASSERT_EQ(json_object_size(list[1].identity), 0);
    tern_state_intents_free(list, n);

    r.type = "aws_iam_role";
    r.name = "a";
    r.attributes = attrs;
    ASSERT_OK(tern_state_commit_step(st, id1, &r, NULL));
    ASSERT_OK(tern_state_intent_abandon(st, id2, NULL));
    ASSERT_EQ(tern_state_intent_abandon(st, id2, NULL), TERN_ENOTFOUND);
    tern_state_free(st);
    st = open_state(path, 0, &d);
    ASSERT_EQ(d.count, 0);
    ASSERT_OK(tern_state_intents(st, &list, &n, NULL));
    ASSERT_EQ(n, 0);
    ASSERT_NULL(list);
    ASSERT_OK(tern_state_get(st, &got, "aws_iam_role.a", NULL));
    tern_state_resource_free(got);
    tern_state_free(st);
    json_decref(ident);
    json_decref(attrs);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, commit_step_atomic)
{
    char *path = tpath("atomic.db");
    tern_state *st = open_state(path, 1, NULL);
    tern_state_resource r = TERN_STATE_RESOURCE_INIT, *got = NULL;
    tern_state_intent *list = NULL;
    json_t *attrs = json_object(), *bad = json_array();
    int64_t id = 0, del = 0;
    size_t n = 0;

    r.type = "aws_iam_role";
    r.name = "a";
    r.attributes = attrs;
    /* An unknown intent: nothing at all is written. */
    ASSERT_EQ(tern_state_commit_step(st, 4242, &r, NULL), TERN_ENOTFOUND);
    ASSERT_EQ(tern_state_get(st, &got, "aws_iam_role.a", NULL), TERN_ENOTFOUND);
    ASSERT_EQ(tern_state_serial(st), 0);

    /* A step whose write fails keeps its intent (the rollback covers the
     * intent's deletion too). */
    ASSERT_OK(tern_state_intent_begin(st, &id, "aws_iam_role.a", "create", NULL,
                                      NULL));
    r.attributes = bad;
    ASSERT_EQ(tern_state_commit_step(st, id, &r, NULL), TERN_EINVALID);
    ASSERT_OK(tern_state_intents(st, &list, &n, NULL));
    ASSERT_EQ(n, 1);
    tern_state_intents_free(list, n);
    ASSERT_EQ(tern_state_serial(st), 0);

    r.attributes = attrs;
    ASSERT_OK(tern_state_commit_step(st, id, &r, NULL));
    ASSERT_OK(tern_state_intents(st, &list, &n, NULL));
    ASSERT_EQ(n, 0);
    ASSERT_EQ(tern_state_serial(st), 1);

    /* Deletion: the intent names the instance. */
    ASSERT_EQ(tern_state_commit_step(st, 0, NULL, NULL), TERN_EINVALID);
    ASSERT_OK(tern_state_intent_begin(st, &del, "aws_iam_role.a", "delete",
                                      NULL, NULL));
    ASSERT_OK(tern_state_commit_step(st, del, NULL, NULL));
    ASSERT_EQ(tern_state_get(st, &got, "aws_iam_role.a", NULL), TERN_ENOTFOUND);
    ASSERT_EQ(tern_state_serial(st), 2);
    tern_state_free(st);
    json_decref(attrs);
    json_decref(bad);
    tern_free(path);
    LEAK_CHECK();
}

static const json_t *find_instance(const json_t *doc, const char *type,
                                   const char *name)
{
    const json_t *r;
    size_t i;

    json_array_foreach(json_object_get(doc, "resources"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "type")), type) == 0 &&
            strcmp(json_string_value(json_object_get(r, "name")), name) == 0)
            return json_array_get(json_object_get(r, "instances"), 0);
    }
    return NULL;
}

static const char *arn_of(const json_t *doc, const char *name)
{
    const json_t *inst = find_instance(doc, "aws_iam_role", name);

    return inst ? json_string_value(json_object_get(
                      json_object_get(inst, "attributes"), "arn"))
                : NULL;
}

TEST(state, history_show_and_pull)
{
    char *path = tpath("hist.db");
    tern_state *st = open_state(path, 1, NULL);
    tern_state_change *ch = NULL;
    json_t *doc = NULL, *v = json_integer(7);
    size_t n = 0;

    put_role(st, "a", "arn-a1");                              /* 1 */
    put_role(st, "b", "arn-b1");                              /* 2 */
    put_role(st, "a", "arn-a2");                              /* 3 */
    ASSERT_OK(tern_state_remove(st, "aws_iam_role.b", NULL)); /* 4 */
    ASSERT_OK(tern_state_output_set(st, "n", v, 0, NULL));    /* 5 */
    tern_state_free(st);
    st = open_state(path, 0, NULL);

    ASSERT_OK(tern_state_history(st, -1, &ch, &n, NULL));
    ASSERT_EQ(n, 5);
    ASSERT_EQ(ch[0].serial, 1);
    ASSERT_NULL(ch[0].before);
    ASSERT_STR_EQ(ch[2].key, "aws_iam_role.a");
    ASSERT_STR_EQ(ch[2].operation, "test");
    ASSERT_STR_EQ(ch[4].kind, "output");
    tern_state_changes_free(ch, n);
    ASSERT_OK(tern_state_history(st, 3, &ch, &n, NULL));
    ASSERT_EQ(n, 1);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_object_get(ch[0].before, "attributes"), "arn")),
                  "arn-a1");
    tern_state_changes_free(ch, n);

    ASSERT_OK(tern_state_export(st, 1, &doc, NULL));
    ASSERT_EQ(json_integer_value(json_object_get(doc, "serial")), 1);
    ASSERT_STR_EQ(arn_of(doc, "a"), "arn-a1");
    ASSERT_NULL(arn_of(doc, "b"));
    json_decref(doc);
    ASSERT_OK(tern_state_export(st, 2, &doc, NULL));
    ASSERT_STR_EQ(arn_of(doc, "a"), "arn-a1");
    ASSERT_STR_EQ(arn_of(doc, "b"), "arn-b1");
    json_decref(doc);
    ASSERT_OK(tern_state_export(st, 3, &doc, NULL));
    ASSERT_STR_EQ(arn_of(doc, "a"), "arn-a2");
    ASSERT_STR_EQ(arn_of(doc, "b"), "arn-b1");
    json_decref(doc);
    ASSERT_OK(tern_state_export(st, 4, &doc, NULL));
    ASSERT_NULL(arn_of(doc, "b"));
    ASSERT_EQ(json_object_size(json_object_get(doc, "outputs")), 0);
    json_decref(doc);
    ASSERT_OK(tern_state_export(st, 0, &doc, NULL));
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 0);
    json_decref(doc);
    ASSERT_OK(tern_state_export(st, -1, &doc, NULL));
    ASSERT_EQ(json_integer_value(json_object_get(doc, "serial")), 5);
    ASSERT_EQ(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(doc, "outputs"), "n"), "value")),
        7);
    json_decref(doc);
    ASSERT_EQ(tern_state_export(st, 6, &doc, NULL), TERN_ENOTFOUND);
    tern_state_free(st);
    json_decref(v);
    tern_free(path);
    LEAK_CHECK();
}

/* Build a file of schema version v with some data, as that tern wrote. */
static void build_old_file(const char *path, int v)
{
    char *stmt;
    int i;

    for (i = 0; i < v; i++)
        sql(path, tern__state_migrations[i]);
    stmt = tern_asprintf(
        "INSERT INTO tern_meta VALUES (1, "
        "'0b7e3f2c-1111-4222-8333-444455556666', 7, '0.0.%d', 1700000000);"
        "INSERT INTO tern_resources (address, mode, type, name, provider, id, "
        "attributes) VALUES ('aws_iam_role.old', 'managed', 'aws_iam_role', "
        "'old', 'provider[\"registry.terraform.io/hashicorp/aws\"]', 'old', "
        "'{\"name\":\"old\"}');"
        "INSERT INTO tern_intents (address, action, created_at) VALUES "
        "('aws_iam_role.new', 'create', 1700000001);"
        "PRAGMA user_version = %d;",
        v, v);
    sql(path, stmt);
    tern_free(stmt);
}

TEST(state, migrates_every_earlier_version)
{
    tern_state_resource *got = NULL;
    tern_state_intent *list = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st;
    size_t n = 0;
    int v;

    for (v = 1; v < TERN_STATE_SCHEMA_VERSION; v++) {
        char name[32];
        char *path;

        snprintf(name, sizeof(name), "v%d.db", v);
        path = tpath(name);
        build_old_file(path, v);
        ASSERT_EQ(user_version(path), v);
        st = open_state(path, 0, &d);
        tern_diags_release(&d);
        ASSERT_STR_EQ(tern_state_lineage(st),
                      "0b7e3f2c-1111-4222-8333-444455556666");
        ASSERT_EQ(tern_state_serial(st), 7);
        ASSERT_OK(tern_state_get(st, &got, "aws_iam_role.old", NULL));
        ASSERT_STR_EQ(
            json_string_value(json_object_get(got->attributes, "name")), "old");
        tern_state_resource_free(got);
        ASSERT_OK(tern_state_intents(st, &list, &n, NULL));
        ASSERT_EQ(n, 1);
        ASSERT_STR_EQ(list[0].address, "aws_iam_role.new");
        ASSERT_EQ(list[0].pid, 0);
        tern_state_intents_free(list, n);
        /* Writes work at the new version. */
        put_role(st, "after", "arn");
        ASSERT_EQ(tern_state_serial(st), 8);
        ASSERT_STR_EQ(tern_state_tern_version(st), TERN_VERSION);
        tern_state_free(st);
        ASSERT_EQ(user_version(path), TERN_STATE_SCHEMA_VERSION);
        tern_free(path);
    }
    LEAK_CHECK();
}

TEST(state, refuses_newer_version)
{
    char *path = tpath("new.db"), *detail = NULL, *pragma;
    unsigned char *bytes;
    size_t len;

    tern_state_free(open_state(path, 1, NULL));
    pragma = tern_asprintf("PRAGMA user_version = %d",
                           TERN_STATE_SCHEMA_VERSION + 5);
    sql(path, pragma);
    tern_free(pragma);
    bytes = slurp(path, &len);
    ASSERT_EQ(open_fails(path, 1, &detail), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(want_, sizeof(want_),
                 "%s/new.db was written by a newer tern: it has state schema "
                 "version 8 (last written by tern 0.1.0); this tern (0.1.0) "
                 "knows versions up to 3. Upgrade tern to use this state. tern "
                 "did not change the file.",
                 tern_test_tmpdir());
        ASSERT_STR_EQ(detail, want_);
    }
    assert_same_file(path, bytes, len);
    tern_free(detail);
    tern_free(bytes);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, refuses_foreign_sqlite)
{
    char *path = tpath("foreign.db"), *detail = NULL;
    unsigned char *bytes;
    size_t len;

    sql(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    bytes = slurp(path, &len);
    ASSERT_EQ(open_fails(path, 1, &detail), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(
            want_, sizeof(want_),
            "%s/foreign.db: it is an SQLite database, but not a tern state (it "
            "has no tern tables). tern did not change the file. Check the "
            "state path, or move the file aside and restore a good copy.",
            tern_test_tmpdir());
        ASSERT_STR_EQ(detail, want_);
    }
    assert_same_file(path, bytes, len);
    tern_free(detail);
    tern_free(bytes);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, refuses_terraform_json)
{
    static const char tf[] =
        "{\n  \"version\": 4,\n  \"terraform_version\": \"1.5.7\",\n"
        "  \"serial\": 1,\n  \"lineage\": \"x\",\n  \"outputs\": {},\n"
        "  \"resources\": []\n}\n";
    char *path = tpath("terraform.tfstate"), *detail = NULL;

    spit(path, tf, sizeof(tf) - 1);
    ASSERT_EQ(open_fails(path, 1, &detail), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(want_, sizeof(want_),
                 "%s/terraform.tfstate: it is a JSON file, probably a "
                 "Terraform .tfstate; tern keeps its state in SQLite. To take "
                 "over a Terraform state, create a new tern state and run "
                 "`tern state migrate` on the .tfstate file. tern did not "
                 "change the file. Check the state path, or move the file "
                 "aside and restore a good copy.",
                 tern_test_tmpdir());
        ASSERT_STR_EQ(detail, want_);
    }
    assert_same_file(path, (const unsigned char *)tf, sizeof(tf) - 1);
    tern_free(detail);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, refuses_random_bytes)
{
    char *path = tpath("random.db"), *detail = NULL;
    unsigned char junk[8192];
    size_t i;

    for (i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)(i * 7919u + 13u);
    spit(path, junk, sizeof(junk));
    ASSERT_EQ(open_fails(path, 1, &detail), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(want_, sizeof(want_),
                 "%s/random.db: it is not a tern state (not an SQLite "
                 "database). tern did not change the file. Check the state "
                 "path, or move the file aside and restore a good copy.",
                 tern_test_tmpdir());
        ASSERT_STR_EQ(detail, want_);
    }
    assert_same_file(path, junk, sizeof(junk));
    tern_free(detail);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, refuses_damaged_file)
{
    char *path = tpath("damaged.db"), *detail = NULL, *side;
    tern_state *st = open_state(path, 1, NULL);
    unsigned char *bytes;
    size_t len, off, i;
    int fd;

    for (i = 0; i < 200; i++) {
        char name[32], arn[600];

        snprintf(name, sizeof(name), "role%zu", i);
        memset(arn, 'a' + (int)(i % 26), sizeof(arn) - 1);
        arn[sizeof(arn) - 1] = '\0';
        put_role(st, name, arn);
    }
    tern_state_free(st);
    side = tern_asprintf("%s-wal", path);
    ASSERT_EQ(access(side, F_OK), -1); /* checkpointed on close */
    tern_free(side);
    bytes = slurp(path, &len);
    ASSERT_CMP(len, >, 40 * 4096);
    /* Overwrite three whole pages in the middle with garbage. */
    off = (len / 4096 / 2) * 4096;
    for (i = 0; i < 3 * 4096; i++)
        bytes[off + i] = (unsigned char)(i * 31u + 7u);
    fd = open(path, O_WRONLY);
    ASSERT(fd >= 0);
    ASSERT_EQ(pwrite(fd, bytes + off, 3 * 4096, (off_t)off), 3 * 4096);
    close(fd);
    ASSERT_EQ(open_fails(path, 1, &detail), TERN_EINVALID);
    ASSERT_STR_CONTAINS(detail, "integrity");
    ASSERT_STR_CONTAINS(detail, "Restore");
    assert_same_file(path, bytes, len);
    tern_free(detail);
    tern_free(bytes);
    tern_free(path);
    LEAK_CHECK();
}

TEST(state, empty_database_is_fresh)
{
    char *path = tpath("empty.db"), *detail = NULL;
    tern_state *st;

    /* What a creation killed before its first migration leaves behind. */
    sql(path, "PRAGMA journal_mode = WAL");
    ASSERT_EQ(open_fails(path, 0, &detail), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(
            want_, sizeof(want_),
            "%s/empty.db: it is an SQLite database, but not a tern state (it "
            "has no tern tables). tern did not change the file. Check the "
            "state path, or move the file aside and restore a good copy.",
            tern_test_tmpdir());
        ASSERT_STR_EQ(detail, want_);
    }
    tern_free(detail);
    st = open_state(path, 1, NULL);
    ASSERT_EQ(tern_state_serial(st), 0);
    tern_state_free(st);
    /* An empty file likewise. */
    spit(path, "", 0);
    ASSERT_EQ(open_fails(path, 0, &detail), TERN_EINVALID);
    {
        char want_[4096];

        snprintf(want_, sizeof(want_),
                 "%s/empty.db: the file is empty. tern did not change the "
                 "file. Check the state path, or move the file aside and "
                 "restore a good copy.",
                 tern_test_tmpdir());
        ASSERT_STR_EQ(detail, want_);
    }
    tern_free(detail);
    st = open_state(path, 1, NULL);
    tern_state_free(st);
    tern_free(path);
    LEAK_CHECK();
}

/* A state with a bit of everything, for the JSON tests. */
static void fill(tern_state *st)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *attrs = json_pack("{s:s,s:s,s:i,s:b}", "id", "p1", "name", "p1",
                              "n", 3, "b", 1);
    json_t *sens =
        json_pack("[[{s:s,s:s}]]", "type", "get_attr", "value", "secret");
    json_t *deps = json_pack("[s]", "aws_iam_role.a");
    json_t *out = json_pack("{s:[s,s]}", "l", "x", "y");

    put_role(st, "a", "arn-a");
    r.type = "aws_iam_instance_profile";
    r.name = "p";
    r.id = "p1";
    r.key_kind = TERN_STATE_KEY_INT;
    r.key_int = 1;
    r.attributes = attrs;
    r.sensitive = sens;
    r.dependencies = deps;
    r.create_before_destroy = 1;
    r.schema_version = 1;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    r.key_int = 0;
    r.status = TERN_STATE_TAINTED;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    r.module = "module.m";
    r.key_kind = TERN_STATE_KEY_STRING;
    r.key_str = "k";
    r.status = TERN_STATE_READY;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    ASSERT_OK(tern_state_output_set(st, "o", out, 1, NULL));
    json_decref(attrs);
    json_decref(sens);
    json_decref(deps);
    json_decref(out);
}

TEST(state, tfjson_round_trip)
{
    char *pa = tpath("a.db"), *pb = tpath("b.db");
    tern_state *a = open_state(pa, 1, NULL), *b;
    json_t *doc = NULL, *doc2 = NULL;
    const json_t *res, *inst;

    fill(a);
    ASSERT_OK(tern_state_export(a, -1, &doc, NULL));
    ASSERT_EQ(json_integer_value(json_object_get(doc, "version")), 4);
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "lineage")),
                  tern_state_lineage(a));
    ASSERT_EQ(json_integer_value(json_object_get(doc, "serial")), 5);
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 3);
    res = json_array_get(json_object_get(doc, "resources"), 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(res, "provider")),
                  "provider[\"registry.terraform.io/hashicorp/aws\"]");
    ASSERT_STR_EQ(json_string_value(json_object_get(res, "each")), "list");
    ASSERT_EQ(json_array_size(json_object_get(res, "instances")), 2);
    inst = json_array_get(json_object_get(res, "instances"), 0);
    ASSERT_EQ(json_integer_value(json_object_get(inst, "index_key")), 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(inst, "status")),
                  "tainted");
    ASSERT_TRUE(json_is_true(json_object_get(inst, "create_before_destroy")));
    ASSERT_TRUE(json_is_true(json_object_get(
        json_object_get(json_object_get(doc, "outputs"), "o"), "sensitive")));

    b = open_state(pb, 1, NULL);
    ASSERT_OK(tern_state_import(b, doc, 0, NULL));
    ASSERT_STR_EQ(tern_state_lineage(b), tern_state_lineage(a));
    ASSERT_EQ(tern_state_serial(b), 5);
    tern_state_free(b);
    b = open_state(pb, 0, NULL);
    ASSERT_OK(tern_state_export(b, -1, &doc2, NULL));
    assert_json_eq(doc2, doc);
    tern_state_free(a);
    tern_state_free(b);
    json_decref(doc);
    json_decref(doc2);
    tern_free(pa);
    tern_free(pb);
    LEAK_CHECK();
}

/* The instances of resource @p i of a v4 document. */
static const json_t *instances_of(const json_t *doc, size_t i)
{
    return json_object_get(json_array_get(json_object_get(doc, "resources"), i),
                           "instances");
}

/*
 * A deposed object is the current object moved aside: it keeps what its
 * row held besides the attributes (status, schema version, sensitive
 * paths, dependencies, create_before_destroy), and the export writes them
 * as version4.go writes them for any instance object; a push and a pull
 * give them back.
 */
TEST(state, deposed_keeps_object)
{
    char *pa = tpath("a.db"), *pb = tpath("b.db");
    tern_state *a = open_state(pa, 1, NULL), *b;
    tern_state_resource *prior = NULL;
    json_t *doc = NULL, *doc2 = NULL, *want,
           *old = json_pack("{s:s,s:s}", "id", "p0", "name", "p0");
    int64_t id = 0;

    fill(a);
    ASSERT_OK(tern_state_get(a, &prior, "aws_iam_instance_profile.p[0]", NULL));
    ASSERT_OK(tern_state_depose(a, &id, "aws_iam_instance_profile.p[0]", old,
                                prior, NULL));
    tern_state_resource_free(prior);
    ASSERT_OK(tern_state_export(a, -1, &doc, NULL));
    ASSERT_EQ(json_array_size(instances_of(doc, 0)), 3);
    want = json_pack(
        "{s:i,s:s,s:s,s:i,s:O,s:[[{s:s,s:s}]],s:[s],s:b}", "index_key", 0,
        "status", "tainted", "deposed", "00000001", "schema_version", 1,
        "attributes", old, "sensitive_attributes", "type", "get_attr", "value",
        "secret", "dependencies", "aws_iam_role.a", "create_before_destroy", 1);
    assert_json_eq(json_array_get(instances_of(doc, 0), 1), want);
    b = open_state(pb, 1, NULL);
    ASSERT_OK(tern_state_import(b, doc, 0, NULL));
    ASSERT_OK(tern_state_export(b, -1, &doc2, NULL));
    assert_json_eq(json_array_get(instances_of(doc2, 0), 1), want);
    tern_state_free(b);
    tern_state_free(a);
    json_decref(want);
    json_decref(old);
    json_decref(doc);
    json_decref(doc2);
    tern_free(pa);
    tern_free(pb);
    LEAK_CHECK();
}

/*
 * Deposed objects (kept as "deposed" intents) are exported as Terraform
 * writes them, an instance with a "deposed" key after the current one,
 * and a push takes them back with their keys: pull, push, pull gives the
 * same document. One whose resource has no current instance still makes
 * a resource of its own; a malformed or repeated key is refused.
 */
TEST(state, tfjson_deposed_round_trip)
{
    char *pa = tpath("a.db"), *pb = tpath("b.db");
    tern_state *a = open_state(pa, 1, NULL), *b;
    json_t *doc = NULL, *doc2 = NULL,
           *old = json_pack("{s:s,s:s,s:s}", "id", "old", "name", "old", "arn",
                            "arn-old");
    json_t *gone = json_pack("{s:s}", "id", "k-old");
    const json_t *inst;
    tern_state_intent *in = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;
    int64_t id1 = 0, id2 = 0, id3 = 0;
    size_t n = 0;

    fill(a);
    ASSERT_OK(tern_state_intent_begin(a, &id1, "aws_iam_role.a", "deposed", old,
                                      NULL));
    ASSERT_OK(tern_state_intent_begin(a, &id2, "aws_iam_role.a", "create", NULL,
                                      NULL));
    ASSERT_OK(tern_state_intent_begin(a, &id3, "aws_iam_role.z[\"k\"]",
                                      "deposed", gone, NULL));
    ASSERT_OK(tern_state_export(a, -1, &doc, NULL));
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 4);
    ASSERT_EQ(json_array_size(instances_of(doc, 1)), 2);
    inst = json_array_get(instances_of(doc, 1), 0);
    ASSERT_NULL(json_object_get(inst, "deposed"));
    inst = json_array_get(instances_of(doc, 1), 1);
    ASSERT_STR_EQ(json_string_value(json_object_get(inst, "deposed")),
                  "00000001");
    assert_json_eq(json_object_get(inst, "attributes"), old);
    /* A resource of its own, "each" from its key. */
    ASSERT_STR_EQ(
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "resources"), 2), "each")),
        "map");
    inst = json_array_get(instances_of(doc, 2), 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(inst, "index_key")), "k");
    ASSERT_STR_EQ(json_string_value(json_object_get(inst, "deposed")),
                  "00000003");

    b = open_state(pb, 1, NULL);
    ASSERT_OK(tern_state_import(b, doc, 0, NULL));
    tern_state_free(b);
    b = open_state(pb, 0, NULL);
    ASSERT_OK(tern_state_export(b, -1, &doc2, NULL));
    assert_json_eq(doc2, doc);
    ASSERT_OK(tern_state_intents(b, &in, &n, NULL));
    ASSERT_EQ(n, 2);
    ASSERT_EQ(in[0].id, 1);
    ASSERT_STR_EQ(in[0].action, "deposed");
    ASSERT_STR_EQ(in[1].address, "aws_iam_role.z[\"k\"]");
    tern_state_intents_free(in, n);
    /* A second push replaces the deposed objects, as the rest. */
    ASSERT_OK(tern_state_import(b, doc, TERN_STATE_IMPORT_FORCE, NULL));
    ASSERT_OK(tern_state_intents(b, &in, &n, NULL));
    ASSERT_EQ(n, 2);
    tern_state_intents_free(in, n);

    json_object_set_new((json_t *)json_array_get(instances_of(doc, 1), 1),
                        "deposed", json_string("0001"));
    ASSERT_EQ(tern_state_import(b, doc, TERN_STATE_IMPORT_FORCE, &d),
              TERN_EINVALID);
    ASSERT_STR_EQ(d.items[0].summary,
                  "Invalid resource instance metadata in state");
    ASSERT_STR_EQ(d.items[0].detail,
                  "Instance aws_iam_role.a has an object with deposed key "
                  "\"0001\", which is not correctly formatted.");
    tern_diags_release(&d);
    json_object_set_new((json_t *)json_array_get(instances_of(doc, 1), 1),
                        "deposed", json_string("00000003"));
    json_array_append((json_t *)instances_of(doc, 1),
                      json_array_get(instances_of(doc, 1), 1));
    ASSERT_EQ(tern_state_import(b, doc, TERN_STATE_IMPORT_FORCE, &d),
              TERN_EINVALID);
    ASSERT_STR_EQ(d.items[0].summary, "Duplicate resource instance in state");
    ASSERT_STR_EQ(d.items[0].detail,
                  "Instance aws_iam_role.a deposed object \"00000003\" "
                  "appears multiple times in the state file.");
    tern_diags_release(&d);
    /* Refused whole: the deposed objects are the ones pushed before. */
    ASSERT_OK(tern_state_intents(b, &in, &n, NULL));
    ASSERT_EQ(n, 2);
    ASSERT_EQ(in[0].id, 1);
    tern_state_intents_free(in, n);

    tern_state_free(a);
    tern_state_free(b);
    json_decref(doc);
    json_decref(doc2);
    json_decref(old);
    json_decref(gone);
    tern_free(pa);
    tern_free(pb);
    LEAK_CHECK();
}

/*
 * An output's type (tern_state_output_set_typed) is kept in a column
 * added when the first type is written; the export writes it, a push of
 * a document keeps the document's, the history restores it, and an output
 * saved without one has its value's type again.
 */
TEST(state, output_types)
{
    char *pa = tpath("a.db"), *pb = tpath("b.db");
    tern_state *a = open_state(pa, 1, NULL), *b;
    json_t *v = json_pack("[s,s]", "x", "y"),
           *t = json_pack("[s,s]", "list", "string");
    json_t *doc = NULL, *doc2 = NULL, *outs = NULL, *tuple;

    tuple = json_pack("[s,[s,s]]", "tuple", "string", "string");
    ASSERT_OK(tern_state_output_set(a, "plain", v, 0, NULL));
    ASSERT_OK(tern_state_export(a, -1, &doc, NULL));
    assert_json_eq(
        json_object_get(
            json_object_get(json_object_get(doc, "outputs"), "plain"), "type"),
        tuple);
    json_decref(doc);
    ASSERT_OK(tern_state_output_set_typed(a, "typed", v, t, 0, NULL));
    ASSERT_OK(tern_state_outputs(a, &outs, NULL));
    assert_json_eq(json_object_get(json_object_get(outs, "typed"), "type"), t);
    ASSERT_NULL(json_object_get(json_object_get(outs, "plain"), "type"));
    json_decref(outs);
    ASSERT_OK(tern_state_export(a, -1, &doc, NULL));
    assert_json_eq(
        json_object_get(
            json_object_get(json_object_get(doc, "outputs"), "typed"), "type"),
        t);
    b = open_state(pb, 1, NULL);
    ASSERT_OK(tern_state_import(b, doc, 0, NULL));
    ASSERT_OK(tern_state_export(b, -1, &doc2, NULL));
    assert_json_eq(doc2, doc);
    json_decref(doc2);
    /* Written again without a type: the value's type again; the history
     * still has the typed one. */
    ASSERT_OK(tern_state_output_set(a, "typed", v, 0, NULL));
    ASSERT_OK(tern_state_export(a, -1, &doc2, NULL));
    assert_json_eq(
        json_object_get(
            json_object_get(json_object_get(doc2, "outputs"), "typed"), "type"),
        tuple);
    json_decref(doc2);
    ASSERT_OK(tern_state_export(a, tern_state_serial(a) - 1, &doc2, NULL));
    assert_json_eq(
        json_object_get(
            json_object_get(json_object_get(doc2, "outputs"), "typed"), "type"),
        t);
    json_decref(doc2);
    json_decref(doc);
    json_decref(v);
    json_decref(t);
    json_decref(tuple);
    tern_state_free(a);
    tern_state_free(b);
    tern_free(pa);
    tern_free(pb);
    LEAK_CHECK();
}

TEST(state, push_refusals)
{
    char *pa = tpath("a.db"), *pb = tpath("b.db");
    tern_state *a = open_state(pa, 1, NULL), *b = open_state(pb, 1, NULL);
    struct tern_diags d = TERN_DIAGS_INIT;
    json_t *doc = NULL, *old = NULL;
    tern_state_resource *got = NULL;

    fill(a);
    put_role(b, "mine", "arn-mine");
    ASSERT_OK(tern_state_export(a, -1, &doc, NULL));

    /* Another lineage. */
    ASSERT_EQ(tern_state_import(b, doc, 0, &d), TERN_ECONFLICT);
    ASSERT_STR_CONTAINS(d.items[0].detail, "lineage");
    tern_diags_release(&d);
    ASSERT_EQ(tern_state_serial(b), 1);
    ASSERT_OK(tern_state_get(b, &got, "aws_iam_role.mine", NULL));
    tern_state_resource_free(got);
    ASSERT_OK(tern_state_import(b, doc, TERN_STATE_IMPORT_FORCE, NULL));
    ASSERT_STR_EQ(tern_state_lineage(b), tern_state_lineage(a));
    ASSERT_EQ(tern_state_serial(b), 5);
    ASSERT_EQ(tern_state_get(b, &got, "aws_iam_role.mine", NULL),
              TERN_ENOTFOUND);

    /* A lower serial. */
    ASSERT_OK(tern_state_export(b, 2, &old, NULL));
    ASSERT_EQ(tern_state_import(b, old, 0, &d), TERN_ECONFLICT);
    ASSERT_STR_EQ(
        d.items[0].detail,
        "The document's serial 2 is lower than the state's 5: it is older than "
        "what is stored, and pushing it would lose changes. Nothing was "
        "changed; force the push to do it anyway.");
    tern_diags_release(&d);
    ASSERT_EQ(tern_state_serial(b), 5);
    /* The same serial again is fine (idempotent push), and moves on. */
    ASSERT_OK(tern_state_import(b, doc, 0, NULL));
    ASSERT_EQ(tern_state_serial(b), 6);
    ASSERT_OK(tern_state_import(b, old, TERN_STATE_IMPORT_FORCE, NULL));
    ASSERT_EQ(tern_state_serial(b), 7);
    /* History still reaches what the forced pushes replaced. */
    json_decref(doc);
    ASSERT_OK(tern_state_export(b, 1, &doc, NULL));
    ASSERT_NOT_NULL(arn_of(doc, "mine"));

    /* Not a v4 document. */
    json_object_set_new(old, "version", json_integer(3));
    ASSERT_EQ(tern_state_import(b, old, 0, &d), TERN_EINVALID);
    ASSERT_STR_EQ(d.items[0].detail,
                  "The document is a Terraform state of format version 3; tern "
                  "reads version 4 (Terraform 0.12 and later). Upgrade it with "
                  "a newer Terraform first.");
    tern_diags_release(&d);
    tern_state_free(a);
    tern_state_free(b);
    json_decref(doc);
    json_decref(old);
    tern_free(pa);
    tern_free(pb);
    LEAK_CHECK();
}

static int only_iam(const char *type, enum tern_state_mode mode, void *payload)
{
    (void)payload;
    return mode == TERN_STATE_MANAGED && strncmp(type, "aws_iam_", 8) == 0;
}

TEST(state, migrate_skips_unsupported)
{
    static const char tf[] =
        "{\"version\":4,\"terraform_version\":\"1.6.0\",\"serial\":12,"
        "\"lineage\":\"11111111-2222-4333-8444-555555555555\","
        "\"outputs\":{\"arn\":{\"value\":\"arn:r\",\"type\":\"string\"}},"
        "\"resources\":["
        "{\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"name\":\"r\","
        "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/"
        "aws\\\"]\","
        "\"instances\":[{\"schema_version\":0,\"attributes\":{\"id\":\"r\","
        "\"name\":\"r\",\"arn\":\"arn:r\"},\"sensitive_attributes\":[],"
        "\"private\":\"eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ==\"}]},"
        "{\"mode\":\"managed\",\"type\":\"aws_s3_bucket\",\"name\":\"b\","
        "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/"
        "aws\\\"]\","
        "\"instances\":[{\"schema_version\":0,\"attributes\":{\"id\":\"b\"}}]},"
        "{\"mode\":\"data\",\"type\":\"aws_caller_identity\",\"name\":\"c\","
        "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/"
        "aws\\\"]\","
        "\"instances\":[{\"schema_version\":0,\"attributes\":{\"id\":\"1\"}}]},"
        "{\"module\":\"module.m\",\"mode\":\"managed\",\"type\":"
        "\"aws_iam_policy\",\"name\":\"p\",\"each\":\"list\","
        "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/"
        "aws\\\"]\","
        "\"instances\":[{\"index_key\":0,\"schema_version\":0,\"attributes\":"
        "{\"id\":\"arn:p\"},\"dependencies\":[\"aws_iam_role.r\"]}]}"
        "]}";
    char *path = tpath("mig.db"), *lineage;
    tern_state *st = open_state(path, 1, NULL);
    struct tern_diags d = TERN_DIAGS_INIT;
    json_t *doc = json_loads(tf, 0, NULL), *skipped = NULL, *outs = NULL;
    tern_state_resource *got = NULL;

    ASSERT_NOT_NULL(doc);
    lineage = tern_strdup(tern_state_lineage(st));
    ASSERT_OK(tern_state_migrate(st, doc, only_iam, NULL, &skipped, &d));
    ASSERT_EQ(json_array_size(skipped), 2);
    ASSERT_STR_EQ(json_string_value(json_array_get(skipped, 0)),
                  "aws_s3_bucket.b");
    ASSERT_STR_EQ(json_string_value(json_array_get(skipped, 1)),
                  "data.aws_caller_identity.c");
    ASSERT_EQ(d.errors, 0);
    ASSERT_EQ(d.count, 2);
    ASSERT_STR_EQ(
        d.items[0].detail,
        "aws_s3_bucket.b was skipped: tern does not manage the type "
        "aws_s3_bucket. It stays in the Terraform state; remove it there "
        "(terraform state rm) only once something else manages it.");
    tern_diags_release(&d);
    ASSERT_STR_EQ(tern_state_lineage(st), lineage);
    ASSERT_EQ(tern_state_serial(st), 1);
    ASSERT_OK(tern_state_get(st, &got, "aws_iam_role.r", NULL));
    ASSERT_STR_EQ(got->id, "r");
    tern_state_resource_free(got);
    ASSERT_OK(tern_state_get(st, &got, "module.m.aws_iam_policy.p[0]", NULL));
    ASSERT_STR_EQ(json_string_value(json_array_get(got->dependencies, 0)),
                  "aws_iam_role.r");
    tern_state_resource_free(got);
    ASSERT_EQ(tern_state_get(st, &got, "aws_s3_bucket.b", NULL),
              TERN_ENOTFOUND);
    ASSERT_OK(tern_state_outputs(st, &outs, NULL));
    ASSERT_STR_EQ(json_string_value(
                      json_object_get(json_object_get(outs, "arn"), "value")),
                  "arn:r");
    tern_state_free(st);
    json_decref(outs);
    json_decref(doc);
    json_decref(skipped);
    tern_free(lineage);
    tern_free(path);
    LEAK_CHECK();
}

/* One pass over the API; returns the first error. */
static int api_pass(const char *pa, const char *pb)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *a = NULL, *b = NULL;
    tern_state_resource r = TERN_STATE_RESOURCE_INIT, *got = NULL, *list = NULL;
    tern_state_intent *in = NULL;
    tern_state_change *ch = NULL;
    json_t *attrs = json_pack("{s:s}", "name", "x"), *doc = NULL;
    size_t n = 0;
    int64_t id = 0;
    int rc;

    opts.path = pa;
    opts.create = 1;
    opts.operation = "oom";
    r.type = "aws_iam_role";
    r.name = "x";
    r.key_kind = TERN_STATE_KEY_STRING;
    r.key_str = "k";
    r.attributes = attrs;
    if ((rc = tern_state_open(&a, &opts, &d)) != 0)
        goto done;
    if ((rc = tern_state_intent_begin(a, &id, "aws_iam_role.x[\"k\"]", "create",
                                      attrs, &d)) != 0)
        goto done;
    if ((rc = tern_state_commit_step(a, id, &r, &d)) != 0)
        goto done;
    if ((rc = tern_state_output_set(a, "o", attrs, 1, &d)) != 0)
        goto done;
    if ((rc = tern_state_get(a, &got, "aws_iam_role.x[\"k\"]", &d)) != 0)
        goto done;
    if ((rc = tern_state_list(a, &list, &n, &d)) != 0)
        goto done;
    tern_state_resources_free(list, n);
    if ((rc = tern_state_intents(a, &in, &n, &d)) != 0)
        goto done;
    tern_state_intents_free(in, n);
    if ((rc = tern_state_history(a, -1, &ch, &n, &d)) != 0)
        goto done;
    tern_state_changes_free(ch, n);
    if ((rc = tern_state_export(a, 1, &doc, &d)) != 0)
        goto done;
    opts.path = pb;
    if ((rc = tern_state_open(&b, &opts, &d)) != 0)
        goto done;
    rc = tern_state_import(b, doc, TERN_STATE_IMPORT_FORCE, &d);
done:
    tern_state_resource_free(got);
    tern_state_free(a);
    tern_state_free(b);
    json_decref(doc);
    json_decref(attrs);
    tern_diags_release(&d);
    return rc;
}

TEST(state, out_of_memory_paths)
{
    char *pa = tpath("oom-a.db"), *pb = tpath("oom-b.db");
    unsigned long n;
    int rc = -1;

    /* Fail the 1st, 2nd, ... allocation until a pass needs no more. With
     * SQLite's and Jansson's allocations a pass makes about 7,000: every
     * one of the first 600 (opening, creating), then every 37th
     * (state::step_allocation_walk takes every one of a write). */
    for (n = 1; n < 20000 && rc != 0; n += n < 600 ? 1 : 37) {
        unlink(pa);
        unlink(pb);
        tern__alloc_fail_after(n);
        rc = api_pass(pa, pb);
        tern__alloc_fail_after(0);
    }
    ASSERT_OK(rc);
    ASSERT_CMP(n, >, 10);
    LEAK_CHECK();
    tern_free(pa);
    tern_free(pb);
}

/* What the file itself holds (a connection of its own, so nothing a
 * handle keeps uncommitted shows): the serial and x's "v". */
static void file_serial_and_v(const char *path, int64_t *serial, char **v)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;

    ASSERT_EQ(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
              SQLITE_OK);
    ASSERT_EQ(
        sqlite3_prepare_v2(db, "SELECT serial FROM tern_meta", -1, &s, NULL),
        SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    *serial = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT json_extract(attributes, '$.v') FROM "
                                 "tern_resources WHERE name = 'x'",
                                 -1, &s, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    *v = tern_strdup((const char *)sqlite3_column_text(s, 0));
    ASSERT_NOT_NULL(*v);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* The intents a failed step left (its only trace, as it should be):
 * dropped, as the next run does after looking. */
static void drop_intents(tern_state *st)
{
    tern_state_intent *in = NULL;
    size_t n = 0, i;

    ASSERT_OK(tern_state_intents(st, &in, &n, NULL));
    for (i = 0; i < n; i++)
        ASSERT_OK(tern_state_intent_abandon(st, in[i].id, NULL));
    tern_state_intents_free(in, n);
}

/* One step of an apply (an intent, then the object and the intent's end
 * in one commit) with its n-th allocation failing, tern's or SQLite's or
 * Jansson's: it fails saying why (out of memory, or an error diagnostic),
 * the file holds the state before or the whole step, never a part, and
 * the same handle writes the next step. */
TEST(state, step_allocation_walk)
{
    char *path = tpath("walk.db"), *v = NULL, want[32];
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = open_state(path, 1, NULL);
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *attrs = json_pack("{s:s,s:s}", "name", "x", "v", "0");
    int64_t serial = 0, before, intent = 0;
    unsigned long n;
    int rc = TERN_ERROR;

    r.type = "aws_iam_role";
    r.name = "x";
    r.attributes = attrs;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    json_decref(attrs);
    for (n = 1; rc != TERN_OK; n++) {
        file_serial_and_v(path, &before, &v);
        ASSERT_STR_EQ(v, "0");
        tern_free(v);
        snprintf(want, sizeof(want), "%lu", n);
        attrs = json_pack("{s:s,s:s}", "name", "x", "v", want);
        ASSERT_NOT_NULL(attrs);
        r.attributes = attrs;
        tern__alloc_fail_after(n);
        rc = tern_state_intent_begin(st, &intent, "aws_iam_role.x", "update",
                                     attrs, &d);
        if (rc == TERN_OK)
            rc = tern_state_commit_step(st, intent, &r, &d);
        tern__alloc_fail_after(0);
        json_decref(attrs);
        if (rc != TERN_OK && rc != TERN_ENOMEM && d.errors == 0)
            FAIL("allocation %lu failed: rc %d without a diagnostic", n, rc);
        tern_diags_release(&d);
        file_serial_and_v(path, &serial, &v);
        if (rc == TERN_OK) {
            /* The whole step: the new object, the intent gone. */
            ASSERT_STR_EQ(v, want);
            ASSERT_CMP(serial, >, before);
        } else if (strcmp(v, "0") != 0) {
            FAIL("allocation %lu failed, yet the file holds v=%s", n, v);
        }
        tern_free(v);
        if (rc != TERN_OK)
            drop_intents(st);
        ASSERT_CMP(n, <, 20000);
    }
    /* It walked past SQLite's and Jansson's allocations, not only the
     * first few of tern's. */
    ASSERT_CMP(n, >, 100);
    tern_state_free(st);
    tern_free(path);
    LEAK_CHECK();
}

/* Exporting the state as Terraform's version 4 document (state pull, the
 * S3 backend's object) with its n-th allocation failing, with every later
 * one or (at the current serial, which reads no history through Jansson's
 * lexer: see cli_json_alloc::show_plan_walk) alone, at the current serial
 * and at one rebuilt from history: TERN_ENOMEM without a diagnostic (a
 * history entry that could not be parsed for lack of memory is not
 * "Damaged state"), or the unhindered document, never one short of a
 * member. */
TEST(state, export_allocation_walk)
{
    char *path = tpath("export.db"), *want[2] = {NULL, NULL}, *got;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = open_state(path, 1, NULL);
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *v = json_pack("{s:[i,i]}", "k", 1, 2), *doc = NULL;
    const int64_t serials[2] = {-1, 3};
    unsigned long n, total;
    size_t k;
    int rc, once;

    put_role(st, "a", "arn-a1");
    put_role(st, "b", "arn-b1");
    put_role(st, "a", "arn-a2");
    r.type = "aws_iam_role";
    r.name = "c";
    r.module = "module.m[\"x\"]";
    r.key_kind = TERN_STATE_KEY_STRING;
    r.key_str = "k";
    r.id = "c";
    r.attributes = json_pack("{s:s,s:s}", "name", "c", "secret", "s");
    r.sensitive =
        json_pack("[[{s:s,s:s}]]", "type", "get_attr", "value", "secret");
    r.dependencies = json_pack("[s]", "aws_iam_role.a");
    ASSERT_OK(tern_state_put(st, &r, NULL));
    json_decref(r.attributes);
    json_decref(r.sensitive);
    json_decref(r.dependencies);
    ASSERT_OK(tern_state_output_set(st, "o", v, 1, NULL));
    put_role(st, "b", "arn-b2");
    for (k = 0; k < 2; k++) {
        tern__alloc_fail_after(0);
        ASSERT_OK(tern_state_export(st, serials[k], &doc, NULL));
        total = tern__alloc_fail_after(0);
        want[k] = json_dumps(doc, JSON_SORT_KEYS);
        ASSERT_NOT_NULL(want[k]);
        json_decref(doc);
        ASSERT_CMP(total, >, 50);
        for (n = 1; n <= total; n++)
            for (once = 0; once < (serials[k] < 0 ? 2 : 1); once++) {
                if (once)
                    tern__alloc_fail_once(n);
                else
                    tern__alloc_fail_after(n);
                rc = tern_state_export(st, serials[k], &doc, &d);
                tern__alloc_fail_after(0);
                if (rc == TERN_OK) {
                    got = json_dumps(doc, JSON_SORT_KEYS);
                    if (strcmp(got, want[k]) != 0)
                        FAIL("serial %lld, allocation %lu failed%s, yet "
                             "the export succeeded: %s",
                             (long long)serials[k], n, once ? " alone" : "",
                             got);
                    free(got); /* Jansson's */
                    json_decref(doc);
                } else if (rc != TERN_ENOMEM || d.errors != 0 || doc) {
                    FAIL("serial %lld, allocation %lu failed%s: rc %d, %zu "
                         "error(s), first: %s",
                         (long long)serials[k], n, once ? " alone" : "", rc,
                         d.errors, d.count ? d.items[0].summary : "(none)");
                }
                tern_diags_release(&d);
            }
        free(want[k]); /* Jansson's */
    }
    json_decref(v);
    tern_state_free(st);
    tern_free(path);
}

const struct tern_test test_state_list[] = {
    TEST_UNIT(state, create_open_reopen),
    TEST_UNIT(state, export_allocation_walk),
    TEST_UNIT(state, file_mode_0600),
    TEST_UNIT(state, serial_increments),
    TEST_UNIT(state, resources_round_trip),
    TEST_UNIT(state, refused_bind_reported),
    TEST_UNIT(state, outputs_round_trip),
    TEST_UNIT(state, intents_survive_reopen),
    TEST_UNIT(state, commit_step_atomic),
    TEST_UNIT(state, history_show_and_pull),
    TEST_UNIT(state, migrates_every_earlier_version),
    TEST_UNIT(state, refuses_newer_version),
    TEST_UNIT(state, refuses_foreign_sqlite),
    TEST_UNIT(state, refuses_terraform_json),
    TEST_UNIT(state, refuses_random_bytes),
    TEST_UNIT(state, refuses_damaged_file),
    TEST_UNIT(state, empty_database_is_fresh),
    TEST_UNIT(state, tfjson_round_trip),
    TEST_UNIT(state, tfjson_deposed_round_trip),
    TEST_UNIT(state, deposed_keeps_object),
    TEST_UNIT(state, output_types),
    TEST_UNIT(state, push_refusals),
    TEST_UNIT(state, migrate_skips_unsupported),
    TEST_UNIT(state, out_of_memory_paths),
    TEST_UNIT(state, step_allocation_walk),
    TEST_END};
