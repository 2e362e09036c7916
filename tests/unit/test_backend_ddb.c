/*
 * The S3 backend's DynamoDB table (dynamodb_table), through the built tern
 * binary and its API, against tern-sim: two runs racing for the table's
 * lock (exactly one wins, the refusal names the holder from the item),
 * force-unlock of a lock held in the table, the table together with the
 * lock file (Terraform 1.10 and later take both), a lock Terraform holds
 * in the table alone, and a table that does not exist; the state's digest
 * (item "BUCKET/KEY-md5") written after each write, checked on each read
 * (a state changed behind it is refused after the retries, on a virtual
 * clock), and deleted with the state by `workspace delete`.
 */
#include "runner.h"
#include "support.h"
#include "run_tern.h"
#include "s3_fixture.h"
#include "vclock.h"

#include "aws/dynamodb.h"
#include "backend/s3.h"
#include "util/alloc.h"
#include "util/buf.h"

#include "../sim/sim.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOAD                                                                   \
    "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]},"                          \
    "\"dynamodb\":{\"tables\":[{\"name\":\"locks\"}]}}"

#define BACKEND_WITH(extra)                                                    \
    "terraform {\n"                                                            \
    "  backend \"s3\" {\n"                                                     \
    "    bucket         = \"tfstate\"\n"                                       \
    "    key            = \"team/terraform.tfstate\"\n"                        \
    "    region         = \"us-east-1\"\n"                                     \
    "    encrypt        = true\n" extra "  }\n"                                \
    "}\n"
#define TABLE    "    dynamodb_table = \"locks\"\n"
#define LOCKFILE "    use_lockfile   = true\n"

#define ROLE(name)                                                             \
    "resource \"aws_iam_role\" \"" name "\" {\n"                               \
    "  name = \"" name "\"\n" TT_HCL_TRUST_EC2 "}\n"

#define REFUSAL_TAIL                                                           \
    "Terraform acquires a state lock to protect the state from being "         \
    "written by multiple users at the same time. Please resolve the issue "    \
    "above and try again. For most commands, you can disable locking with "    \
    "the \"-lock=false\" flag, but this is not recommended.\n\n"

/* The table's items as "LockID=ATTR,ATTR" lines, sorted by LockID
 * (caller frees). */
static char *table_items(void)
{
    json_t *d = tt_s3_dump(), *items, *item;
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    items = json_object_get(
        json_array_get(
            json_object_get(json_object_get(d, "dynamodb"), "tables"), 0),
        "items");
    json_array_foreach(items, i, item)
    {
        const char *k;
        json_t *v;
        int first = 1;

        tern_buf_printf(&b, "%s=",
                        json_string_value(json_object_get(
                            json_object_get(item, "LockID"), "S")));
        json_object_foreach(item, k, v)
        {
            if (strcmp(k, "LockID") == 0)
                continue;
            tern_buf_printf(&b, "%s%s", first ? "" : ",", k);
            if (strcmp(k, "Digest") == 0)
                tern_buf_printf(&b, ":%s",
                                json_string_value(json_object_get(v, "S")));
            first = 0;
        }
        tern_buf_putc(&b, '\n');
    }
    json_decref(d);
    tern_buf_put(&b, "", 0);
    return tern_buf_detach(&b);
}

/* The Info JSON of the lock item, parsed, or NULL. */
static json_t *item_info(void)
{
    json_t *d = tt_s3_dump(), *items, *item, *info = NULL;
    size_t i;

    items = json_object_get(
        json_array_get(
            json_object_get(json_object_get(d, "dynamodb"), "tables"), 0),
        "items");
    json_array_foreach(items, i, item)
    {
        if (strcmp(json_string_value(
                       json_object_get(json_object_get(item, "LockID"), "S")),
                   "tfstate/team/terraform.tfstate") == 0)
            info = json_loads(json_string_value(json_object_get(
                                  json_object_get(item, "Info"), "S")),
                              0, NULL);
    }
    json_decref(d);
    return info;
}

/* The hex MD5 of the bucket's object @p key (static buffer). */
static const char *object_md5(const char *key)
{
    static char hex[33];
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    char *body = tt_s3_object(key);

    ASSERT_NOT_NULL(body);
    ASSERT(EVP_Digest(body, strlen(body), d, &n, EVP_md5(), NULL) == 1);
    ASSERT_EQ(n, 16);
    for (i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    tern_free(body);
    return hex;
}

/* How many calls of @p action the simulator logged. */
static int calls_of(const char *action)
{
    struct tt_response resp;
    json_t *doc, *c;
    size_t i;
    int n = 0;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "calls", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(doc);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "action")), action) ==
            0)
            n++;
    }
    json_decref(doc);
    return n;
}

static tern_backend_s3 *backend_on(int use_lockfile, const char *table,
                                   const tern_clock *clock)
{
    tern_backend_s3_config c = TERN_BACKEND_S3_CONFIG_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *b = NULL;
    size_t i;

    for (i = 0; tt_s3fx.env.env[i]; i++)
        putenv((char *)tt_s3fx.env.env[i]);
    c.bucket = "tfstate";
    c.key = "team/terraform.tfstate";
    c.region = "us-east-1";
    c.use_lockfile = use_lockfile;
    c.encrypt = 1;
    c.dynamodb_table = table;
    c.clock = clock;
    ASSERT_OK(tern_backend_s3_new(&b, &c, NULL, &diags));
    tern_diags_release(&diags);
    return b;
}

static tern_backend_s3 *backend(int use_lockfile, const char *table)
{
    return backend_on(use_lockfile, table, NULL);
}

/* Two applies locking with the table alone, started together (each
 * request held 300 ms, so their PutItems overlap): exactly one runs, the
 * other is refused naming the holder, read from the item. */
TEST(backend_ddb, lock_race)
{
    static const char *const args[] = {"--latency-ms", "300", NULL};
    struct tt_s3_racer a, b;
    pthread_t ta, tb;
    struct tt_s3_racer *win, *lose;
    char *items, *want;

    tt_s3_start(LOAD, args);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.dir = tt_s3_dir("a", BACKEND_WITH(TABLE) ROLE("race"));
    TT_S3_RUN(a.dir, 0, "init", "-no-color");
    b.dir = tt_s3_dir("b", BACKEND_WITH(TABLE) ROLE("race"));
    TT_S3_RUN(b.dir, 0, "init", "-no-color");
    ASSERT_OK(pthread_create(&ta, NULL, tt_s3_race, &a));
    ASSERT_OK(pthread_create(&tb, NULL, tt_s3_race, &b));
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ASSERT((a.run.status == 0) != (b.run.status == 0));
    win = a.run.status == 0 ? &a : &b;
    lose = a.run.status == 0 ? &b : &a;
    ASSERT_EQ(lose->run.status, 1);
    ASSERT_STR_CONTAINS(win->run.out, "Apply complete! Resources: 1 added");
    ASSERT_STR_EQ(win->run.err, "");
    tt_s3_normalize(lose->run.err);
    ASSERT_STR_EQ(lose->run.err,
                  "Error: Error acquiring the state lock\n\n"
                  "Error message: DynamoDB PutItem on table locks: "
                  "ConditionalCheckFailedException: The conditional request "
                  "failed (HTTP 400, request id *, 1 attempt)\n"
                  "Lock Info:\n"
                  "  ID:        *\n"
                  "  Path:      tfstate/team/terraform.tfstate\n"
                  "  Operation: OperationTypeApply\n"
                  "  Who:       *\n"
                  "  Version:   *\n"
                  "  Created:   *\n"
                  "  Info:      \n\n" REFUSAL_TAIL);
    /* The winner released its lock and left the digest of what it wrote;
     * no lock object was ever written. */
    items = table_items();
    want = tern_asprintf("tfstate/team/terraform.tfstate-md5=Digest:%s\n",
                         object_md5("team/terraform.tfstate"));
    ASSERT_STR_EQ(items, want);
    tern_free(want);
    tern_free(items);
    ASSERT_NULL(tt_s3_object("team/terraform.tfstate.tflock"));
    tt_run_release(&a.run);
    tt_run_release(&b.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* force-unlock ID deletes the table's lock item, only with its ID; the
 * holder's own unlock then finds its lock gone and says so. */
TEST(backend_ddb, force_unlock)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *holder;
    json_t *info;
    const char *dir;
    char *want, *items;

    tt_s3_start(LOAD, NULL);
    dir = tt_s3_dir("cli", BACKEND_WITH(TABLE) ROLE("unlock"));
    TT_S3_RUN(dir, 0, "init", "-no-color");
    holder = backend(0, "locks");
    ASSERT_OK(tern_backend_s3_lock(holder, "plan", 0, &diags));
    info = item_info();
    ASSERT_NOT_NULL(info);
    TT_S3_RUN(dir, 1, "force-unlock", "-force", "-no-color", "not-the-id");
    want = tern_asprintf("Error: Failed to unlock state\n\nlock ID "
                         "\"not-the-id\" does not match existing lock ID "
                         "\"%s\"\n\n",
                         json_string_value(json_object_get(info, "ID")));
    ASSERT_STR_EQ(tt_s3fx.run.err, want);
    tern_free(want);
    TT_S3_RUN(dir, 0, "force-unlock", "-force", "-no-color",
              json_string_value(json_object_get(info, "ID")));
    items = table_items();
    ASSERT_STR_EQ(items, "");
    tern_free(items);
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color",
              "-lock-timeout=0s");
    items = table_items();
    want = tern_asprintf("tfstate/team/terraform.tfstate-md5=Digest:%s\n",
                         object_md5("team/terraform.tfstate"));
    ASSERT_STR_EQ(items, want);
    tern_free(want);
    tern_free(items);
    ASSERT_OK(tern_backend_s3_unlock(holder, &diags));
    ASSERT_EQ(diags.count, 1);
    want = tern_asprintf(
        "The lock %s on tfstate/team/terraform.tfstate was removed from "
        "DynamoDB table locks by someone else (force-unlock) while tern held "
        "it.",
        json_string_value(json_object_get(info, "ID")));
    ASSERT_STR_EQ(diags.items[0].detail, want);
    tern_free(want);
    tern_diags_release(&diags);
    json_decref(info);
    tt_run_release(&tt_s3fx.run);
    tern_backend_s3_free(holder);
    tt_sim_stop(&tt_s3fx.sim);
}

/* The table with the lock file: one lock takes both, with the same info;
 * a lock Terraform (1.9 or earlier) holds in the table alone refuses tern,
 * which leaves no lock object behind, and force-unlock finds it there. */
TEST(backend_ddb, table_and_lockfile)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *both;
    json_t *info, *file_info;
    const char *dir;
    char *body, *items, *want;

    tt_s3_start(LOAD, NULL);
    both = backend(1, "locks");
    ASSERT_OK(tern_backend_s3_lock(both, "apply", 0, &diags));
    info = item_info();
    body = tt_s3_object("team/terraform.tfstate.tflock");
    ASSERT_NOT_NULL(info);
    ASSERT_NOT_NULL(body);
    file_info = json_loads(body, 0, NULL);
    ASSERT(json_equal(info, file_info));
    tern_free(body);
    json_decref(info);
    json_decref(file_info);
    ASSERT_OK(tern_backend_s3_unlock(both, &diags));
    ASSERT_EQ(diags.count, 0);
    items = table_items();
    ASSERT_STR_EQ(items, "");
    tern_free(items);
    ASSERT_NULL(tt_s3_object("team/terraform.tfstate.tflock"));

    tt_s3_post(
        "load",
        "{\"dynamodb\":{\"tables\":[{\"name\":\"locks\",\"items\":[{"
        "\"LockID\":{\"S\":\"tfstate/team/terraform.tfstate\"},"
        "\"Info\":{\"S\":\"{\\\"ID\\\":\\\"5b0c\\\",\\\"Operation\\\":"
        "\\\"OperationTypeApply\\\",\\\"Info\\\":\\\"\\\",\\\"Who\\\":"
        "\\\"ci@runner\\\",\\\"Version\\\":\\\"1.9.8\\\",\\\"Created\\\":"
        "\\\"2026-12-07T01:02:03Z\\\",\\\"Path\\\":\\\"tfstate/team/"
        "terraform.tfstate\\\"}\"}}]}]}}");
    dir = tt_s3_dir("both", BACKEND_WITH(TABLE LOCKFILE) ROLE("both"));
    TT_S3_RUN(dir, 0, "init", "-no-color");
    TT_S3_RUN(dir, 1, "apply", "-auto-approve", "-no-color",
              "-lock-timeout=0s");
    tt_s3_normalize(tt_s3fx.run.err);
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: Error acquiring the state lock\n\n"
                  "Error message: DynamoDB PutItem on table locks: "
                  "ConditionalCheckFailedException: The conditional "
                  "request failed (HTTP 400, request id *, 1 attempt)\n"
                  "Lock Info:\n"
                  "  ID:        *\n"
                  "  Path:      tfstate/team/terraform.tfstate\n"
                  "  Operation: OperationTypeApply\n"
                  "  Who:       *\n"
                  "  Version:   *\n"
                  "  Created:   *\n"
                  "  Info:      \n\n" REFUSAL_TAIL);
    ASSERT_NULL(tt_s3_object("team/terraform.tfstate.tflock"));
    items = table_items();
    ASSERT_STR_EQ(items, "tfstate/team/terraform.tfstate=Info\n");
    tern_free(items);
    /* force-unlock finds that lock in the table; it was an apply's, so the
     * state is marked interrupted first (a write: its digest follows). */
    TT_S3_RUN(dir, 0, "force-unlock", "-force", "-no-color", "5b0c");
    items = table_items();
    want = tern_asprintf("tfstate/team/terraform.tfstate-md5=Digest:%s\n",
                         object_md5("team/terraform.tfstate"));
    ASSERT_STR_EQ(items, want);
    tern_free(want);
    tern_free(items);
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color",
              "-lock-timeout=0s");
    ASSERT_NULL(tt_s3_object("team/terraform.tfstate.tflock"));
    tt_run_release(&tt_s3fx.run);
    tern_backend_s3_free(both);
    tt_sim_stop(&tt_s3fx.sim);
}

/* A table that does not exist: DynamoDB's code and message; and
 * dynamodb_table with endpoints { dynamodb } from -backend-config. */
TEST(backend_ddb, missing_table)
{
    const char *dir;
    char kv[512];

    tt_s3_start(LOAD, NULL);
    dir = tt_s3_dir("missing", BACKEND_WITH("") ROLE("missing"));
    snprintf(kv, sizeof(kv), "-backend-config=endpoints={ dynamodb = \"%s\" }",
             tt_s3fx.sim.base_url);
    TT_S3_RUN(dir, 0, "init", "-no-color",
              "-backend-config=dynamodb_table=nope", kv);
    TT_S3_RUN(dir, 1, "plan", "-no-color");
    tt_s3_normalize(tt_s3fx.run.err);
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: AWS request failed\n\n"
                  "DynamoDB PutItem on table nope: "
                  "ResourceNotFoundException: Requested resource not "
                  "found (HTTP 400, request id *, 1 attempt)\n\n");
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* A state object changed behind the digest (a write the table never
 * heard of, or S3 still serving an older object) is read again every 2 s
 * for 10 s, on the backend's clock, then refused with Terraform's message;
 * the digest of what tern writes is the MD5 of those bytes. */
TEST(backend_ddb, digest_checked)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_vclock vc;
    struct tt_response resp;
    tern_backend_s3 *writer, *reader;
    tern_state *st = NULL;
    json_t *doc = NULL, *v;
    char path[4200], *items, *want, digest[33];

    tt_s3_start(LOAD, NULL);
    tt_vclock_init(&vc, 1000);
    snprintf(path, sizeof(path), "%s/w.db", tern_test_tmpdir());
    writer = backend(0, "locks");
    ASSERT_OK(tern_backend_s3_lock(writer, "apply", 0, &diags));
    ASSERT_OK(tern_backend_s3_pull(writer, path, "apply", 1, &st, &diags));
    v = json_string("written");
    ASSERT_OK(tern_state_output_set(st, "who", v, 0, &diags));
    json_decref(v);
    ASSERT_OK(tern_backend_s3_push(writer, st, NULL, &diags));
    ASSERT_OK(tern_backend_s3_unlock(writer, &diags));
    ASSERT_EQ(diags.count, 0);
    snprintf(digest, sizeof(digest), "%s",
             object_md5("team/terraform.tfstate"));
    items = table_items();
    want =
        tern_asprintf("tfstate/team/terraform.tfstate-md5=Digest:%s\n", digest);
    ASSERT_STR_EQ(items, want);
    tern_free(want);
    tern_free(items);

    /* Matching: read at once, without a wait. */
    reader = backend_on(0, "locks", &vc.clock);
    ASSERT_OK(tern_backend_s3_read(reader, &doc, &diags));
    ASSERT_NOT_NULL(doc);
    json_decref(doc);
    ASSERT_EQ(vc.sleeps, 0);

    /* Changed behind the digest. */
    tt_s3_post("load", "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\","
                       "\"objects\":[{\"key\":\"team/terraform.tfstate\","
                       "\"body\":\"{\\\"version\\\":4}\"}]}]}}");
    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "DELETE", "calls", NULL));
    tt_response_release(&resp);
    doc = NULL;
    ASSERT_EQ(tern_backend_s3_read(reader, &doc, &diags), TERN_ERROR);
    ASSERT_NULL(doc);
    ASSERT_EQ(vc.sleeps, 5);
    ASSERT_EQ(vc.slept, 10000);
    ASSERT_EQ(calls_of("GetObject"), 6);
    ASSERT_EQ(calls_of("GetItem"), 6);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "Error loading state");
    want = tern_asprintf(
        "state data in S3 does not have the expected content.\n\n"
        "The checksum calculated for the state stored in S3 does not match "
        "the checksum\nstored in DynamoDB.\n\n"
        "Bucket: tfstate\nKey:    team/terraform.tfstate\n"
        "Calculated checksum: %s\n"
        "Stored checksum:     %s\n\n"
        "This may be caused by unusually long delays in S3 processing a "
        "previous state\nupdate. Please wait for a minute or two and try "
        "again.\n\n"
        "If this problem persists, and neither S3 nor DynamoDB are "
        "experiencing an\noutage, you may need to manually verify the "
        "remote state and update the Digest\nvalue stored in the DynamoDB "
        "table to the following value: %s",
        object_md5("team/terraform.tfstate"), digest,
        object_md5("team/terraform.tfstate"));
    ASSERT_STR_EQ(diags.items[0].detail, want);
    tern_free(want);
    tern_diags_release(&diags);
    tern_state_free(st);
    tern_backend_s3_free(writer);
    tern_backend_s3_free(reader);
    tt_sim_stop(&tt_s3fx.sim);
}

/* A held lock is tried again after 1 s, 2 s, 4 s... (doubling), until
 * the next wait would pass -lock-timeout, all on the backend's clock, as
 * the digest's reads are (issue 20, "Time you can control"): with a
 * 10 s timeout, three waits (7 s) and four attempts, then the refusal,
 * and no time passes. Before, the lock's waits and its deadline ran on
 * the system's clock whatever clock the backend was given. */
TEST(backend_ddb, lock_waits_on_clock)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response resp;
    struct tt_vclock vc;
    tern_backend_s3 *holder, *waiter;

    tt_s3_start(LOAD, NULL);
    tt_vclock_init(&vc, 1000);
    holder = backend(0, "locks");
    ASSERT_OK(tern_backend_s3_lock(holder, "apply", 0, &diags));
    waiter = backend_on(0, "locks", &vc.clock);
    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "DELETE", "calls", NULL));
    tt_response_release(&resp);
    ASSERT_EQ(tern_backend_s3_lock(waiter, "plan", 10000, &diags),
              TERN_ECONFLICT);
    ASSERT_EQ(vc.sleeps, 3);
    ASSERT_EQ(vc.slept, 7000);
    ASSERT_EQ(vc.now, 8000);
    ASSERT_EQ(calls_of("PutItem"), 4);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "Error acquiring the state lock");
    ASSERT_STR_CONTAINS(diags.items[0].detail,
                        "  Operation: OperationTypeApply\n");
    tern_diags_release(&diags);
    ASSERT_OK(tern_backend_s3_unlock(holder, &diags));
    ASSERT_EQ(diags.count, 0);
    tern_backend_s3_free(holder);
    tern_backend_s3_free(waiter);
    tt_sim_stop(&tt_s3fx.sim);
}

/* `workspace delete` deletes the workspace's digest with its state. */
TEST(backend_ddb, digest_deleted_with_workspace)
{
    const char *dir;
    char *items, *want;

    tt_s3_start(LOAD, NULL);
    dir = tt_s3_dir("ws", BACKEND_WITH(TABLE) ROLE("ws"));
    TT_S3_RUN(dir, 0, "init", "-no-color");
    TT_S3_RUN(dir, 0, "workspace", "new", "dev");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    items = table_items();
    want = tern_asprintf("tfstate/env:/dev/team/terraform.tfstate-md5="
                         "Digest:%s\n",
                         object_md5("env:/dev/team/terraform.tfstate"));
    ASSERT_STR_EQ(items, want);
    tern_free(want);
    tern_free(items);
    TT_S3_RUN(dir, 0, "workspace", "select", "default");
    TT_S3_RUN(dir, 0, "workspace", "delete", "-force", "dev");
    ASSERT_NULL(tt_s3_object("env:/dev/team/terraform.tfstate"));
    items = table_items();
    ASSERT_STR_EQ(items, "");
    tern_free(items);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

static int nslept;

/* Backoff without waiting: count the delays. */
static int count_sleep(void *ud, long ms, const atomic_int *cancel)
{
    (void)ud;
    (void)cancel;
    ASSERT_CMP(ms, <=, 2000);
    nslept++;
    return 0;
}

static const tern_clock counting = {tern_clock_system_now, count_sleep, NULL,
                                    NULL};

static tern_ddb_client *client_at(tern_http *http, tern_aws_credentials *creds,
                                  const char *endpoint)
{
    tern_aws_client_opts o = TERN_AWS_CLIENT_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_ddb_client *c = NULL;

    o.region = "us-east-1";
    o.endpoint = endpoint;
    o.max_retries = 2;
    o.http = http;
    o.credentials = creds;
    o.clock = &counting;
    ASSERT_OK(tern_ddb_client_new(&c, &o, &diags));
    tern_diags_release(&diags);
    return c;
}

static tern_ddb_client *client(tern_http *http, tern_aws_credentials *creds)
{
    return client_at(http, creds, tt_s3fx.sim.base_url);
}

/* The client against the simulator: a conditional PutItem that lost, a
 * projected GetItem, throttling retried (full jitter, max_retries) and a
 * signature DynamoDB refuses, each with DynamoDB's code and message. */
TEST(backend_ddb, client_errors_and_retries)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response resp;
    tern_http *http = NULL;
    tern_aws_credentials *creds = NULL, *bad = NULL;
    tern_ddb_client *c, *wrong;
    json_t *out = NULL;
    char *put, *get, *text;

    tt_s3_start(LOAD, NULL);
    ASSERT_OK(tern_http_new(&http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&creds, SIM_DEFAULT_AKID,
                                              SIM_DEFAULT_SECRET, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&bad, SIM_DEFAULT_AKID,
                                              "not-the-secret", NULL));
    c = client(http, creds);
    wrong = client(http, bad);
    put = tern_ddb_put_body("locks", "attribute_not_exists(LockID)", "Info",
                            "{\"ID\":\"1\"}", "LockID", "b/k");
    get = tern_ddb_get_body("locks", "b/k", "LockID, Info");
    ASSERT_OK(tern_ddb_call(c, "PutItem", "locks", put, NULL, &diags));
    ASSERT_EQ(tern_ddb_call(c, "PutItem", "locks", put, NULL, &diags),
              TERN_ECONFLICT);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].service_code,
                  "ConditionalCheckFailedException");
    tern_diags_release(&diags);
    ASSERT_OK(tern_ddb_call(c, "GetItem", "locks", get, &out, &diags));
    text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR_EQ(text,
                  "{\"Item\":{\"Info\":{\"S\":\"{\\\"ID\\\":\\\"1\\\"}\"},"
                  "\"LockID\":{\"S\":\"b/k\"}}}");
    free(text); /* allocated by jansson */
    json_decref(out);

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "POST", "faults",
                             "{\"throttle_rate\": 1.0}"));
    tt_response_release(&resp);
    ASSERT_EQ(tern_ddb_call(c, "GetItem", "locks", get, NULL, &diags),
              TERN_ERROR);
    ASSERT_EQ(nslept, 2);
    ASSERT_EQ(diags.count, 1);
    tt_s3_normalize(diags.items[0].detail);
    ASSERT_STR_EQ(diags.items[0].detail,
                  "DynamoDB GetItem on table locks: "
                  "ProvisionedThroughputExceededException: The level of "
                  "configured provisioned throughput for the table was "
                  "exceeded. Consider increasing your provisioning level "
                  "with the UpdateTable API. (HTTP 400, request id *, 3 "
                  "attempts)");
    tern_diags_release(&diags);
    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "POST", "faults",
                             "{\"throttle_rate\": 0}"));
    tt_response_release(&resp);

    ASSERT_EQ(tern_ddb_call(wrong, "GetItem", "locks", get, NULL, &diags),
              TERN_EAUTH);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].service_code, "InvalidSignatureException");
    tern_diags_release(&diags);

    /* endpoints { dynamodb } comes before AWS_ENDPOINT_URL_DYNAMODB
     * (backend.go: endpoints.dynamodb, then the variable), which comes
     * before the default. */
    ASSERT_OK(setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9", 1));
    tern_ddb_client_free(wrong);
    wrong = client_at(http, creds, tt_s3fx.sim.base_url);
    ASSERT_STR_EQ(tern_ddb_client_endpoint(wrong), tt_s3fx.sim.base_url);
    ASSERT_OK(tern_ddb_call(wrong, "GetItem", "locks", get, NULL, &diags));
    tern_ddb_client_free(wrong);
    ASSERT_OK(setenv("AWS_ENDPOINT_URL_DYNAMODB", tt_s3fx.sim.base_url, 1));
    wrong = client_at(http, creds, NULL);
    ASSERT_STR_EQ(tern_ddb_client_endpoint(wrong), tt_s3fx.sim.base_url);
    ASSERT_OK(tern_ddb_call(wrong, "GetItem", "locks", get, NULL, &diags));
    unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
    tern_free(put);
    tern_free(get);
    tern_ddb_client_free(c);
    tern_ddb_client_free(wrong);
    tern_aws_credentials_free(creds);
    tern_aws_credentials_free(bad);
    tern_http_free(http);
    tt_sim_stop(&tt_s3fx.sim);
}

/* A GetItem with each allocation failing alone: the whole item, or out
 * of memory without a diagnostic, never a 200 "not a JSON object" for an
 * answer Jansson could not parse for lack of memory (issue 20). */
TEST(backend_ddb, get_alloc_once)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_http *http = NULL;
    tern_aws_credentials *creds = NULL;
    tern_ddb_client *c;
    json_t *out = NULL;
    char *put, *get, *text;
    unsigned long n, total;
    int rc;

    tt_s3_start(LOAD, NULL);
    ASSERT_OK(tern_http_new(&http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&creds, SIM_DEFAULT_AKID,
                                              SIM_DEFAULT_SECRET, NULL));
    c = client(http, creds);
    put =
        tern_ddb_put_body("locks", NULL, "Info", "plain-info", "LockID", "b/k");
    get = tern_ddb_get_body("locks", "b/k", "LockID, Info");
    ASSERT_OK(tern_ddb_call(c, "PutItem", "locks", put, NULL, &diags));
    tern__alloc_fail_after(0);
    ASSERT_OK(tern_ddb_call(c, "GetItem", "locks", get, &out, &diags));
    total = tern__alloc_fail_after(0);
    json_decref(out);
    for (n = 1; n <= total; n++) {
        out = NULL;
        tern__alloc_fail_once(n);
        rc = tern_ddb_call(c, "GetItem", "locks", get, &out, &diags);
        tern__alloc_fail_after(0);
        if (rc == TERN_OK) {
            text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
            ASSERT_STR_EQ(text, "{\"Item\":{\"Info\":{\"S\":\"plain-info\"},"
                                "\"LockID\":{\"S\":\"b/k\"}}}");
            free(text); /* allocated by jansson */
        } else if (rc != TERN_ENOMEM || diags.count) {
            FAIL("allocation %lu of %lu failed: rc %d, %s", n, total, rc,
                 diags.count ? diags.items[0].detail : "(none)");
        }
        json_decref(out);
    }
    ASSERT_CMP(total, >, 10);
    tern_free(put);
    tern_free(get);
    tern_ddb_client_free(c);
    tern_aws_credentials_free(creds);
    tern_http_free(http);
    tt_sim_stop(&tt_s3fx.sim);
}

const struct tern_test test_backend_ddb_list[] = {
    TEST_INTEGRATION(backend_ddb, lock_race),
    TEST_INTEGRATION(backend_ddb, force_unlock),
    TEST_INTEGRATION(backend_ddb, table_and_lockfile),
    TEST_INTEGRATION(backend_ddb, missing_table),
    TEST_INTEGRATION(backend_ddb, digest_checked),
    TEST_INTEGRATION(backend_ddb, lock_waits_on_clock),
    TEST_INTEGRATION(backend_ddb, digest_deleted_with_workspace),
    TEST_INTEGRATION(backend_ddb, client_errors_and_retries),
    TEST_INTEGRATION(backend_ddb, get_alloc_once),
    TEST_END};
