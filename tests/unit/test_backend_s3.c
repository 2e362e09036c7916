/*
 * The S3 backend through the built tern binary and through its API, against
 * tern-sim: the pipeline (plan -out in one directory, apply the saved plan
 * in a second, an empty plan in a third, a stale plan refused), two runs
 * racing for the lock (exactly one wins, the other names the holder), a
 * writer whose lock was force-unlocked cannot overwrite the state (ETag),
 * force-unlock from the command line, the whole call sequence of an apply
 * (which writes of the state it makes, and where), and SIGKILL mid-apply
 * (named roles, adopted after the force-unlock's marker; a cluster, whose
 * intent was remote before its create).
 */
#include "runner.h"
#include "support.h"
#include "aws_call.h"
#include "run_tern.h"
#include "s3_fixture.h"

#include "backend/s3.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOAD "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]}}"

#define BACKEND                                                                \
    "terraform {\n"                                                            \
    "  backend \"s3\" {\n"                                                     \
    "    bucket       = \"tfstate\"\n"                                         \
    "    key          = \"team/terraform.tfstate\"\n"                          \
    "    region       = \"us-east-1\"\n"                                       \
    "    use_lockfile = true\n"                                                \
    "    encrypt      = true\n"                                                \
    "  }\n"                                                                    \
    "}\n"

#define ROLE(name)                                                             \
    "resource \"aws_iam_role\" \"" name "\" {\n"                               \
    "  name = \"" name "\"\n" TT_HCL_TRUST_EC2 "}\n"

/* The state object in the simulator, parsed (new reference), or NULL. */
static json_t *remote_state(void)
{
    struct tt_response resp;
    json_t *dump, *objs, *o, *doc = NULL;
    size_t i;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "dump", NULL));
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(dump);
    objs = json_object_get(
        json_array_get(json_object_get(json_object_get(dump, "s3"), "buckets"),
                       0),
        "objects");
    json_array_foreach(objs, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "key")),
                   "team/terraform.tfstate") == 0) {
            doc = json_loads(json_string_value(json_object_get(o, "body")), 0,
                             NULL);
            ASSERT_STR_EQ(json_string_value(json_object_get(o, "sse")),
                          "AES256");
        }
    }
    json_decref(dump);
    return doc;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(
        json_string_value(json_object_get(*(json_t *const *)a, "key")),
        json_string_value(json_object_get(*(json_t *const *)b, "key")));
}

/* The object's "tern" extension as compact JSON, the history's entries
 * without their time and serial (those of parallel creates vary), sorted
 * by address; free() it. */
static char *ext_text(json_t *doc)
{
    json_t *ext = json_deep_copy(json_object_get(doc, "tern"));
    json_t *hist = json_object_get(ext, "history"), *e, *sorted;
    json_t *items[64];
    size_t i, n = json_array_size(hist);
    char *text;

    ASSERT_NOT_NULL(ext);
    ASSERT_CMP(n, <=, 64);
    json_array_foreach(hist, i, e)
    {
        json_object_del(e, "time");
        json_object_del(e, "serial");
        items[i] = e;
    }
    qsort(items, n, sizeof(*items), by_key);
    sorted = json_array();
    for (i = 0; i < n; i++)
        json_array_append(sorted, items[i]);
    json_object_set_new(ext, "history", sorted);
    text = json_dumps(ext, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(ext);
    ASSERT_NOT_NULL(text);
    return text;
}

/* Plan in one directory, apply the saved plan from a second, an empty plan
 * in a third: nothing but the bucket is shared. */
TEST(backend_s3, pipeline_across_directories)
{
    const char *plan_dir, *apply_dir, *check_dir;
    char src[4300], dst[4300], *plan;
    size_t len = 0;
    json_t *doc;

    tt_s3_start(LOAD, NULL);
    plan_dir = tt_s3_dir("plan", BACKEND ROLE("pipe-a") ROLE("pipe-b"));
    TT_S3_RUN(plan_dir, 0, "init", "-no-color");
    TT_S3_RUN(plan_dir, 2, "plan", "-out=tfplan", "-detailed-exitcode",
              "-no-color");
    apply_dir = tt_s3_dir("apply", BACKEND ROLE("pipe-a") ROLE("pipe-b"));
    TT_S3_RUN(apply_dir, 0, "init", "-no-color");
    snprintf(src, sizeof(src), "%s/tfplan", plan_dir);
    snprintf(dst, sizeof(dst), "%s/tfplan", apply_dir);
    plan = tt_read_file(src, &len);
    ASSERT_NOT_NULL(plan);
    {
        FILE *f = fopen(dst, "wb");

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fwrite(plan, 1, len, f), len);
        fclose(f);
    }
    free(plan);
    TT_S3_RUN(apply_dir, 0, "apply", "-no-color", "tfplan");
    ASSERT_STR_CONTAINS(tt_s3fx.run.out,
                        "Apply complete! Resources: 2 added, 0 "
                        "changed, 0 destroyed.\n");
    check_dir = tt_s3_dir("check", BACKEND ROLE("pipe-a") ROLE("pipe-b"));
    TT_S3_RUN(check_dir, 0, "init", "-no-color");
    TT_S3_RUN(check_dir, 0, "plan", "-detailed-exitcode", "-no-color");
    TT_S3_RUN(check_dir, 0, "state", "list");
    ASSERT_STR_EQ(tt_s3fx.run.out,
                  "aws_iam_role.pipe-a\naws_iam_role.pipe-b\n");

    /* The object is a Terraform v4 state, tern's intents beside it. */
    doc = remote_state();
    ASSERT_NOT_NULL(doc);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "version")), 4);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "serial")), 3);
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 2);
    {
        char *ext = ext_text(doc);

        /* The history of both creates (serial 1 is the empty state the
         * first run started from). */
        ASSERT_STR_EQ(ext, "{\"format\":1,\"history\":["
                           "{\"before\":null,\"key\":\"aws_iam_role.pipe-a\","
                           "\"kind\":\"resource\",\"operation\":\"apply\"},"
                           "{\"before\":null,\"key\":\"aws_iam_role.pipe-b\","
                           "\"kind\":\"resource\",\"operation\":\"apply\"}],"
                           "\"history_from\":1,\"intents\":[]}");
        free(ext); /* allocated by jansson */
    }
    json_decref(doc);

    /* state pull, then state push to another key: the same state. */
    TT_S3_RUN(check_dir, 0, "state", "pull");
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "pulled.tfstate", tt_s3fx.run.out));
    {
        char config[2048], pulled[4300];
        const char *other;
        char *p;

        snprintf(config, sizeof(config), "%s", BACKEND);
        p = strstr(config, "team/terraform.tfstate");
        ASSERT_NOT_NULL(p);
        memcpy(p, "copy", 4);
        other = tt_s3_dir("other", config);
        TT_S3_RUN(other, 0, "init", "-no-color");
        snprintf(pulled, sizeof(pulled), "%s/pulled.tfstate",
                 tern_test_tmpdir());
        TT_S3_RUN(other, 0, "state", "push", "-no-color", pulled);
        TT_S3_RUN(other, 0, "state", "list");
        ASSERT_STR_EQ(tt_s3fx.run.out,
                      "aws_iam_role.pipe-a\naws_iam_role.pipe-b\n");
    }

    /* The plan's state moved on: refused, in the first directory too. */
    TT_S3_RUN(plan_dir, 1, "apply", "-no-color", "tfplan");
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: Saved plan is stale\n\n"
                  "The given plan file can no longer be applied "
                  "because the state was changed by another operation "
                  "after the plan was created (serial 1, now 3). "
                  "Create a new plan.\n\n");
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* Two applies started together on one backend: exactly one runs, the
 * other is refused naming the holder (each request is held 300 ms, so
 * their lock writes overlap). */
TEST(backend_s3, two_processes_race_for_the_lock)
{
    static const char *const args[] = {"--latency-ms", "300", NULL};
    struct tt_s3_racer a, b;
    pthread_t ta, tb;
    struct tt_s3_racer *win, *lose;
    char *want;

    tt_s3_start(LOAD, args);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.dir = tt_s3_dir("a", BACKEND ROLE("race"));
    TT_S3_RUN(a.dir, 0, "init", "-no-color");
    b.dir = tt_s3_dir("b", BACKEND ROLE("race"));
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
    tt_s3_normalize(lose->run.err);
    want = tern_asprintf(
        "Error: Error acquiring the state lock\n\n"
        "Error message: S3 PutObject s3://tfstate/team/terraform.tfstate."
        "tflock: %s (HTTP %s, request id *, 1 attempt)\n"
        "Lock Info:\n"
        "  ID:        *\n"
        "  Path:      tfstate/team/terraform.tfstate\n"
        "  Operation: OperationTypeApply\n"
        "  Who:       *\n"
        "  Version:   *\n"
        "  Created:   *\n"
        "  Info:      \n\n"
        "Terraform acquires a state lock to protect the state from being "
        "written by multiple users at the same time. Please resolve the issue "
        "above and try again. For most commands, you can disable locking with "
        "the \"-lock=false\" flag, but this is not recommended.\n\n",
        strstr(lose->run.err, "ConditionalRequestConflict")
            ? "ConditionalRequestConflict: A conflicting conditional "
              "operation is currently in progress against this resource. "
              "Please try again."
            : "PreconditionFailed: At least one of the pre-conditions you "
              "specified did not hold",
        strstr(lose->run.err, "ConditionalRequestConflict") ? "409" : "412");
    ASSERT_STR_EQ(lose->run.err, want);
    tern_free(want);
    tt_run_release(&a.run);
    tt_run_release(&b.run);
    tt_sim_stop(&tt_s3fx.sim);
}

static tern_backend_s3 *backend(void)
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
    c.use_lockfile = 1;
    c.encrypt = 1;
    ASSERT_OK(tern_backend_s3_new(&b, &c, NULL, &diags));
    tern_diags_release(&diags);
    return b;
}

/* The ID in the lock object. */
static char *lock_id(void)
{
    struct tt_response resp;
    json_t *dump, *objs, *o, *info;
    char *id = NULL;
    size_t i;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "dump", NULL));
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    objs = json_object_get(
        json_array_get(json_object_get(json_object_get(dump, "s3"), "buckets"),
                       0),
        "objects");
    json_array_foreach(objs, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "key")),
                   "team/terraform.tfstate.tflock") == 0) {
            info = json_loads(json_string_value(json_object_get(o, "body")), 0,
                              NULL);
            id = tern_strdup(json_string_value(json_object_get(info, "ID")));
            json_decref(info);
        }
    }
    json_decref(dump);
    ASSERT_NOT_NULL(id);
    return id;
}

/* A run whose lock was force-unlocked and taken by another cannot write
 * over the other's state: its write is conditional on the ETag it read. */
TEST(backend_s3, force_unlocked_writer_cannot_overwrite)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *first, *second;
    tern_state *st1 = NULL, *st2 = NULL;
    char p1[4200], p2[4200], *id, *want;
    json_t *doc, *v;

    tt_s3_start(LOAD, NULL);
    snprintf(p1, sizeof(p1), "%s/one.db", tern_test_tmpdir());
    snprintf(p2, sizeof(p2), "%s/two.db", tern_test_tmpdir());
    first = backend();
    second = backend();
    ASSERT_OK(tern_backend_s3_lock(first, "apply", 0, &diags));
    ASSERT_OK(tern_backend_s3_pull(first, p1, "apply", 1, &st1, &diags));
    v = json_string("first");
    ASSERT_OK(tern_state_output_set(st1, "who", v, 0, &diags));
    ASSERT_OK(tern_backend_s3_push(first, st1, NULL, &diags));

    /* Another run breaks the lock and writes. */
    id = lock_id();
    ASSERT_OK(tern_backend_s3_force_unlock(second, id, &diags));
    ASSERT_OK(tern_backend_s3_lock(second, "apply", 0, &diags));
    ASSERT_OK(tern_backend_s3_pull(second, p2, "apply", 1, &st2, &diags));
    json_decref(v);
    v = json_string("second");
    ASSERT_OK(tern_state_output_set(st2, "who", v, 0, &diags));
    ASSERT_OK(tern_backend_s3_push(second, st2, NULL, &diags));
    ASSERT_EQ(diags.count, 0);

    /* The first run goes on, and fails loudly instead of overwriting. */
    json_decref(v);
    v = json_string("first again");
    ASSERT_OK(tern_state_output_set(st1, "who", v, 0, &diags));
    ASSERT_EQ(tern_backend_s3_push(first, st1, NULL, &diags), TERN_ECONFLICT);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "Error saving state");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "The state at s3://tfstate/team/terraform.tfstate changed "
                  "since tern read it (PreconditionFailed): another run wrote "
                  "it, so this run's lock was force-unlocked or not taken. "
                  "tern did not overwrite it. What this run did is in the "
                  "local working copy; compare with `tern state pull` before "
                  "pushing it with `tern state push -force`.");
    tern_diags_release(&diags);
    /* Nor does it release the lock the second run holds. */
    ASSERT_EQ(tern_backend_s3_unlock(first, &diags), TERN_ECONFLICT);
    want = tern_asprintf("The lock on tfstate/team/terraform.tfstate is no "
                         "longer %s: it was force-unlocked and taken by "
                         "another run. tern left it alone.",
                         id);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].detail, want);
    tern_free(want);
    tern_free(id);
    tern_diags_release(&diags);

    doc = remote_state();
    ASSERT_STR_EQ(
        json_string_value(json_object_get(
            json_object_get(json_object_get(doc, "outputs"), "who"), "value")),
        "second");
    json_decref(doc);
    ASSERT_OK(tern_backend_s3_unlock(second, &diags));
    json_decref(v);
    tern_state_free(st1);
    tern_state_free(st2);
    tern_backend_s3_free(first);
    tern_backend_s3_free(second);
    tt_sim_stop(&tt_s3fx.sim);
}

/* force-unlock ID on the command line deletes the lock object, and only
 * with the holder's ID. */
TEST(backend_s3, force_unlock_command)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *holder;
    tern_state *st = NULL;
    const char *dir;
    char path[4200], *id, *want;

    tt_s3_start(LOAD, NULL);
    dir = tt_s3_dir("cli", BACKEND ROLE("unlock"));
    TT_S3_RUN(dir, 0, "init", "-no-color");
    snprintf(path, sizeof(path), "%s/holder.db", tern_test_tmpdir());
    holder = backend();
    ASSERT_OK(tern_backend_s3_lock(holder, "apply", 0, &diags));
    ASSERT_OK(tern_backend_s3_pull(holder, path, "apply", 1, &st, &diags));
    TT_S3_RUN(dir, 1, "force-unlock", "-force", "-no-color", "not-the-id");
    id = lock_id();
    want = tern_asprintf("Error: Failed to unlock state\n\nlock ID "
                         "\"not-the-id\" does not match existing lock ID "
                         "\"%s\"\n\n",
                         id);
    ASSERT_STR_EQ(tt_s3fx.run.err, want);
    tern_free(want);
    TT_S3_RUN(dir, 0, "force-unlock", "-force", "-no-color", id);
    ASSERT_STR_EQ(tt_s3fx.run.out,
                  "tern state has been successfully unlocked!\n\n"
                  "The state has been unlocked, and tern commands "
                  "should now be able to\nobtain a new lock on the "
                  "state.\n");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color",
              "-lock-timeout=0s");
    tern_free(id);
    tt_run_release(&tt_s3fx.run);
    tern_state_free(st);
    tern_backend_s3_free(holder);
    tt_sim_stop(&tt_s3fx.sim);
}

/* Successful CreateRole calls the simulator has served. */
static int creates_ok(int *already_exists)
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
        const char *action = json_string_value(json_object_get(c, "action"));
        const char *code = json_string_value(json_object_get(c, "error_code"));

        if (strcmp(action, "CreateRole") != 0)
            continue;
        if (json_integer_value(json_object_get(c, "status")) == 200)
            n++;
        else if (already_exists && strcmp(code, "EntityAlreadyExists") == 0)
            (*already_exists)++;
    }
    json_decref(doc);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The role names the simulator holds, sorted, one a line. */
static char *sim_roles(void)
{
    struct tt_response resp;
    json_t *dump, *roles, *role;
    const char *names[64];
    tern_buf b = TERN_BUF_INIT;
    size_t i, n = 0;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "dump", NULL));
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    roles = json_object_get(json_object_get(dump, "iam"), "roles");
    json_array_foreach(roles, i, role)
    {
        const char *name = json_string_value(json_object_get(role, "name"));

        if (!name)
            name = json_string_value(json_object_get(role, "RoleName"));
        if (n < 64)
            names[n++] = name ? name : "?";
    }
    qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i < n; i++)
        tern_buf_printf(&b, "aws_iam_role.%s\n", names[i]);
    json_decref(dump);
    tern_buf_put(&b, "", 0);
    return tern_buf_detach(&b);
}

/*
 * SIGKILL in the middle of an apply (once the simulator has served two of
 * its six creates), then, from a fresh directory, force-unlock the lock the
 * dead run left and apply again. The roles are named, so their intents
 * were not pushed before the calls; force-unlock of the dead apply's lock
 * marks the state interrupted, and the second run looks every role up
 * before creating it and adopts what the first made: no duplicate, no
 * orphan, and nothing left to do.
 */
TEST(backend_s3, sigkill_mid_apply_converges_elsewhere)
{
    static const char *const args[] = {"--latency-ms", "40", NULL};
    const char *first, *second;
    const char *apply[] = {"tern",      "apply",          "-auto-approve",
                           "-no-color", "-parallelism=1", NULL};
    char config[4096], *id, *roles;
    pid_t pid;
    int status = 0, dupes = 0, n;

    tt_s3_start(LOAD, args);
    snprintf(config, sizeof(config), "%s%s%s%s%s%s%s", BACKEND, ROLE("k1"),
             ROLE("k2"), ROLE("k3"), ROLE("k4"), ROLE("k5"), ROLE("k6"));
    first = tt_s3_dir("first", config);
    TT_S3_RUN(first, 0, "init", "-no-color");
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        size_t i;
        int devnull = open("/dev/null", O_WRONLY);

        if (chdir(first) != 0 || devnull < 0)
            _exit(126);
        dup2(devnull, 1);
        dup2(devnull, 2);
        for (i = 0; tt_s3fx.env.env[i]; i++)
            putenv((char *)tt_s3fx.env.env[i]);
        execv(TERN_TEST_BIN_PATH, (char *const *)apply);
        _exit(127);
    }
    /* Wait for the event itself: the second create served. */
    while ((n = creates_ok(NULL)) < 2) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            FAIL("apply ended (status %d) before its second create", status);
        sched_yield();
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ASSERT(WIFSIGNALED(status));

    second = tt_s3_dir("second", config);
    TT_S3_RUN(second, 0, "init", "-no-color");
    TT_S3_RUN(second, 1, "apply", "-auto-approve", "-no-color",
              "-lock-timeout=0s");
    ASSERT_STR_CONTAINS(tt_s3fx.run.err,
                        "Error: Error acquiring the state lock\n");
    id = lock_id();
    TT_S3_RUN(second, 0, "force-unlock", "-force", "-no-color", id);
    tern_free(id);
    TT_S3_RUN(second, 0, "apply", "-auto-approve", "-no-color");
    TT_S3_RUN(second, 0, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_EQ(creates_ok(&dupes), 6);
    ASSERT_EQ(dupes, 0);
    TT_S3_RUN(second, 0, "state", "list");
    roles = sim_roles();
    ASSERT_STR_EQ(tt_s3fx.run.out, roles);
    tern_free(roles);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

#define DBX_PROFILE "arn:aws:iam::123456789012:instance-profile/deploy"

/* A backend block with the databricks provider, a named role, a role
 * with a generated name after it (tags), and a cluster after that
 * (custom_tags), so the calls come in one order. */
#define CLUSTER_CONFIG                                                         \
    "terraform {\n"                                                            \
    "  required_providers {\n"                                                 \
    "    databricks = { source = \"databricks/databricks\" }\n"                \
    "  }\n"                                                                    \
    "  backend \"s3\" {\n"                                                     \
    "    bucket       = \"tfstate\"\n"                                         \
    "    key          = \"team/terraform.tfstate\"\n"                          \
    "    region       = \"us-east-1\"\n"                                       \
    "    use_lockfile = true\n"                                                \
    "    encrypt      = true\n"                                                \
    "  }\n"                                                                    \
    "}\n" ROLE("c-role") GEN_ROLE CLUSTER

#define GEN_ROLE                                                               \
    "resource \"aws_iam_role\" \"gen\" {\n"                                    \
    "  name_prefix = \"gen-\"\n"                                               \
    "  tags        = { after = aws_iam_role.c-role.name }\n" TT_HCL_TRUST_EC2  \
    "}\n"

#define CLUSTER                                                                \
    "resource \"databricks_cluster\" \"deploy\" {\n"                           \
    "  cluster_name            = \"deploy\"\n"                                 \
    "  spark_version           = \"15.4.x-scala2.12\"\n"                       \
    "  node_type_id            = \"i3.xlarge\"\n"                              \
    "  num_workers             = 1\n"                                          \
    "  autotermination_minutes = 20\n"                                         \
    "  custom_tags             = { role = aws_iam_role.gen.name }\n"           \
    "  aws_attributes {\n"                                                     \
    "    instance_profile_arn = \"" DBX_PROFILE "\"\n"                         \
    "  }\n"                                                                    \
    "}\n"

/* The simulator's call log, "service action status" a line. */
static char *call_log(void)
{
    struct tt_response resp;
    json_t *doc, *c;
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "calls", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(doc);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        tern_buf_printf(
            &b, "%s %s %lld\n",
            json_string_value(json_object_get(c, "service")),
            json_string_value(json_object_get(c, "action")),
            (long long)json_integer_value(json_object_get(c, "status")));
    }
    json_decref(doc);
    tern_buf_put(&b, "", 0);
    return tern_buf_detach(&b);
}

/* How many clusters the simulator holds. */
static size_t sim_clusters(void)
{
    struct tt_response resp;
    json_t *doc;
    size_t n;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "clusters", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(doc);
    n = json_array_size(json_object_get(doc, "clusters"));
    json_decref(doc);
    return n;
}

/*
 * The whole call sequence of an apply with the S3 backend, background
 * pushes held off (TERN_S3_PUSH_INTERVAL_MS an hour): the read and the
 * lock sent together (the simulator holds the lock's write until the read
 * was answered, so that the log's order is fixed; a run that locked first
 * and read after would log the lock first), the check of that read once
 * the lock is taken, the named role's create with no write of the state
 * before it (the next run finds it by name), one write before the create
 * of the role whose name is generated and one before the cluster's (its
 * cluster_id is assigned by the service): those intents must be remote
 * first; the final write, the unlock.
 */
TEST(backend_s3, apply_call_sequence)
{
    const char *dir;
    char *log;

    tt_s3_start(LOAD, NULL);
    tt_s3_post("load", "{\"databricks\": {\"instance_profiles\": [{"
                       "\"instance_profile_arn\": \"" DBX_PROFILE "\"}]}}");
    tt_sim_env_add(&tt_s3fx.env, "TERN_S3_PUSH_INTERVAL_MS=3600000");
    dir = tt_s3_dir("calls", CLUSTER_CONFIG);
    TT_S3_RUN(dir, 0, "init", "-no-color");
    {
        struct tt_response resp;

        ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "DELETE", "calls", NULL));
        tt_response_release(&resp);
    }
    tt_s3_post("s3/race", "{\"bucket\": \"tfstate\", \"read\": "
                          "\"team/terraform.tfstate\", \"hold\": "
                          "\"team/terraform.tfstate.tflock\"}");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    log = call_log();
    ASSERT_STR_EQ(log, "s3 GetObject 404\n"   /* the state: none yet */
                       "s3 PutObject 200\n"   /* the lock, sent beside */
                       "s3 GetObject 404\n"   /* the check: still none */
                       "iam CreateRole 200\n" /* named: no write first */
                       "s3 PutObject 200\n"   /* gen's intent */
                       "iam CreateRole 200\n"
                       "s3 PutObject 200\n" /* the cluster's intent */
                       "databricks clusters/create 200\n"
                       "databricks clusters/get 200\n"
                       "s3 PutObject 200\n" /* the final write */
                       "s3 DeleteObject 204\n" /* the unlock */);
    tern_free(log);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/*
 * The simulator's call log as rounds: a call's round is one more than the
 * latest round of the calls that ended before it started (so the last
 * round is the number of round trips waited for one after another, as
 * tests/bench/bench_calls counts them); one line per round, its calls
 * sorted, "; " between. *depth receives the number of rounds.
 */
static char *call_rounds(int *depth)
{
    struct tt_response resp;
    json_t *doc, *calls, *c;
    long long start[64], end[64];
    int round[64], maxr = 0, k;
    const char *line[64];
    tern_buf b = TERN_BUF_INIT;
    size_t i, j, n;

    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "GET", "calls", NULL));
    doc = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(doc);
    calls = json_object_get(doc, "calls");
    n = json_array_size(calls);
    ASSERT_CMP(n, <=, 64);
    json_array_foreach(calls, i, c)
    {
        start[i] = json_integer_value(json_object_get(c, "start_ms"));
        end[i] = json_integer_value(json_object_get(c, "end_ms"));
    }
    for (i = 0; i < n; i++)
        round[i] = 1;
    /* Relax until no call's round grows (at most n passes). */
    for (k = 0; k <= 64; k++) {
        int changed = 0;

        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                if (end[j] <= start[i] && round[i] < round[j] + 1) {
                    round[i] = round[j] + 1;
                    changed = 1;
                }
        if (!changed)
            break;
    }
    for (i = 0; i < n; i++)
        maxr = round[i] > maxr ? round[i] : maxr;
    for (k = 1; k <= maxr; k++) {
        size_t m = 0;

        json_array_foreach(calls, i, c)
        {
            if (round[i] == k)
                line[m++] = tern_asprintf(
                    "%s %s %lld",
                    json_string_value(json_object_get(c, "service")),
                    json_string_value(json_object_get(c, "action")),
                    (long long)json_integer_value(
                        json_object_get(c, "status")));
        }
        qsort(line, m, sizeof(*line), cmp_str);
        for (j = 0; j < m; j++) {
            tern_buf_printf(&b, "%s%s", j ? "; " : "", line[j]);
            tern_free((char *)line[j]);
        }
        tern_buf_puts(&b, "\n");
    }
    json_decref(doc);
    *depth = maxr;
    tern_buf_put(&b, "", 0);
    return tern_buf_detach(&b);
}

#define BASE_ROLE                                                              \
    "{\"iam\": {\"roles\": [{\"name\": \"base\", \"assume_role_policy\": "     \
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[]}\"}]}}"

/* A data source read, then a create that needs it: B1's shape. */
#define READ_THEN_CREATE                                                       \
    "data \"aws_iam_role\" \"base\" {\n"                                       \
    "  name = \"base\"\n"                                                      \
    "}\n"                                                                      \
    "resource \"aws_iam_role\" \"next\" {\n"                                   \
    "  name        = \"next\"\n"                                               \
    "  description = data.aws_iam_role.base.arn\n" TT_HCL_TRUST_EC2 "}\n"

/*
 * Round trips (issue 18: B1 with the S3 backend at most 3 more than B1):
 * every request held 1 s, the same apply with the local state and with
 * the S3 backend. (The check overlaps the data source's read when the
 * work between the lock and the plan's first request, the working copy
 * and the configuration, takes less than one request: 1 s leaves room
 * for a sanitizer build on a loaded machine, where 300 ms did not.) The S3
 * run's rounds: the read beside the lock; its check beside the data source's
 * read; the create (after the check); the final write; the unlock. Three rounds
 * more than the local run, none between the steps.
 */
TEST(backend_s3, apply_round_trips)
{
    const char *local, *remote;
    char *rounds;
    int local_depth = 0, s3_depth = 0;

    tt_s3_start(LOAD, NULL);
    tt_s3_post("load", BASE_ROLE);
    tt_sim_env_add(&tt_s3fx.env, "TERN_S3_PUSH_INTERVAL_MS=3600000");
    local = tt_s3_dir("local", READ_THEN_CREATE);
    remote = tt_s3_dir("remote", BACKEND READ_THEN_CREATE);
    TT_S3_RUN(remote, 0, "init", "-no-color");
    {
        struct tt_response resp;

        ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "DELETE", "calls", NULL));
        tt_response_release(&resp);
    }
    tt_s3_post("faults", "{\"latency_ms\": 1000}");
    TT_S3_RUN(local, 0, "apply", "-auto-approve", "-no-color");
    rounds = call_rounds(&local_depth);
    ASSERT_STR_EQ(rounds, "iam GetRole 200\n"
                          "iam CreateRole 200\n");
    tern_free(rounds);
    tt_s3_post("reset", "{}");
    tt_s3_post("load", LOAD);
    tt_s3_post("load", BASE_ROLE);
    tt_s3_post("faults", "{\"latency_ms\": 1000}");
    TT_S3_RUN(remote, 0, "apply", "-auto-approve", "-no-color");
    rounds = call_rounds(&s3_depth);
    ASSERT_STR_EQ(rounds, "s3 GetObject 404; s3 PutObject 200\n"
                          "iam GetRole 200; s3 GetObject 404\n"
                          "iam CreateRole 200\n"
                          "s3 PutObject 200\n"
                          "s3 DeleteObject 204\n");
    ASSERT_EQ(s3_depth, local_depth + 3);
    tern_free(rounds);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* The body of the state object as the simulator holds it (new string,
 * free() it). */
static char *remote_body(void)
{
    json_t *doc = remote_state();
    char *text;

    ASSERT_NOT_NULL(doc);
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    return text;
}

/*
 * A read that lost a race: the bucket holds @p old (the state another run
 * is about to replace) and that run's lock; once tern's read of the state
 * is answered, the other run writes @p newer and deletes its lock, and
 * only then does tern's lock write reach the simulator (held until the
 * race ran). tern's read saw @p old; its lock succeeds at once.
 */
static void stale_read_race(const char *old, const char *newer)
{
    json_t *load, *race;
    char *text;

    load = json_pack("{s:{s:[{s:s, s:[{s:s, s:s}, {s:s, s:s}]}]}}", "s3",
                     "buckets", "name", "tfstate", "objects", "key",
                     "team/terraform.tfstate", "body", old, "key",
                     "team/terraform.tfstate.tflock", "body",
                     "{\"ID\":\"the-other-run\",\"Operation\":"
                     "\"OperationTypeApply\"}");
    race = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}], s:[s]}", "bucket",
                     "tfstate", "read", "team/terraform.tfstate", "hold",
                     "team/terraform.tfstate.tflock", "put", "key",
                     "team/terraform.tfstate", "body", newer, "delete",
                     "team/terraform.tfstate.tflock");
    ASSERT_NOT_NULL(load);
    ASSERT_NOT_NULL(race);
    text = json_dumps(load, JSON_COMPACT);
    tt_s3_post("load", text);
    free(text);
    text = json_dumps(race, JSON_COMPACT);
    tt_s3_post("s3/race", text);
    free(text);
    json_decref(load);
    json_decref(race);
}

/* Two states written by tern, one after the other: *old holds role
 * "one", *newer roles "one" and "two" (the bucket holds *newer). */
static void two_states(char **old, char **newer)
{
    const char *dir = tt_s3_dir("writer", BACKEND ROLE("one"));

    TT_S3_RUN(dir, 0, "init", "-no-color");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    *old = tt_s3_object("team/terraform.tfstate");
    ASSERT_OK(tt_write_file(dir, "main.tf", BACKEND ROLE("one") ROLE("two")));
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    *newer = tt_s3_object("team/terraform.tfstate");
    ASSERT_NOT_NULL(*old);
    ASSERT_NOT_NULL(*newer);
}

/* The S3 calls of the log, "action status" a line. */
static char *s3_calls(void)
{
    char *log = call_log(), *line, *save = NULL;
    tern_buf b = TERN_BUF_INIT;

    for (line = strtok_r(log, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "s3 ", 3) == 0)
            tern_buf_printf(&b, "%s\n", line + 3);
    tern_free(log);
    tern_buf_put(&b, "", 0);
    return tern_buf_detach(&b);
}

/*
 * The read beside the lock was stale (another run wrote the state between
 * tern's read and its lock): the check after the lock sees it, and the
 * apply, which had planned from the old state, stops before showing or
 * applying anything. The other run's state stays as it wrote it; the next
 * apply plans from it.
 */
TEST(backend_s3, stale_read_refused)
{
    const char *dir;
    char *old = NULL, *newer = NULL, *now, *calls;

    tt_s3_start(LOAD, NULL);
    two_states(&old, &newer);
    dir = tt_s3_dir("stale", BACKEND ROLE("one") ROLE("two") ROLE("three"));
    TT_S3_RUN(dir, 0, "init", "-no-color");
    stale_read_race(old, newer);
    {
        struct tt_response resp;

        ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "DELETE", "calls", NULL));
        tt_response_release(&resp);
    }
    TT_S3_RUN(dir, 1, "apply", "-auto-approve", "-no-color");
    /* The refresh of the old state's role ran; no plan was shown. */
    ASSERT_STR_EQ(tt_s3fx.run.out,
                  "aws_iam_role.one: Refreshing state... [id=one]\n");
    ASSERT_STR_EQ(
        tt_s3fx.run.err,
        "Error: State changed while tern read it\n\n"
        "Another run wrote s3://tfstate/team/terraform.tfstate after tern "
        "read it and before tern took the lock (serial 2 when read, serial 3 "
        "now), and tern had already planned from the older state. Nothing was "
        "shown, saved or applied, and nothing was changed: run the command "
        "again to plan from the state as it is now.\n\n");
    calls = call_log();
    ASSERT(strstr(calls, "CreateRole") == NULL);
    tern_free(calls);
    calls = s3_calls();
    ASSERT_STR_EQ(calls, "GetObject 200\n" /* the old state */
                         "PutObject 200\n" /* the lock, after the race */
                         "GetObject 200\n" /* the check: changed */
                         "DeleteObject 204\n" /* the unlock, no write */);
    tern_free(calls);
    now = tt_s3_object("team/terraform.tfstate");
    ASSERT_STR_EQ(now, newer);
    free(now);
    ASSERT_NULL(tt_s3_object("team/terraform.tfstate.tflock"));

    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_CONTAINS(tt_s3fx.run.out,
                        "Apply complete! Resources: 1 added, 0 "
                        "changed, 0 destroyed.\n");
    free(old);
    free(newer);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/*
 * A command that waits for the check before it starts (state rm) uses the
 * state the check read instead: "two" exists only in the newer state, and
 * the write that follows is conditional on the newer state's ETag.
 */
TEST(backend_s3, stale_read_replaced)
{
    const char *dir;
    char *old = NULL, *newer = NULL, *now;

    tt_s3_start(LOAD, NULL);
    two_states(&old, &newer);
    dir = tt_s3_dir("rm", BACKEND);
    TT_S3_RUN(dir, 0, "init", "-no-color");
    stale_read_race(old, newer);
    TT_S3_RUN(dir, 0, "state", "rm", "aws_iam_role.two");
    ASSERT_STR_EQ(tt_s3fx.run.out,
                  "Removed aws_iam_role.two\n"
                  "Successfully removed 1 resource instance(s).\n");
    TT_S3_RUN(dir, 0, "state", "list");
    ASSERT_STR_EQ(tt_s3fx.run.out, "aws_iam_role.one\n");
    now = remote_body();
    ASSERT(strstr(now, "\"serial\":4") != NULL);
    free(now);
    free(old);
    free(newer);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

static void *apply_waiting(void *arg)
{
    struct tt_s3_racer *rc = arg;
    const char *args[] = {"apply", "-auto-approve", "-no-color",
                          "-lock-timeout=60s", NULL};

    tt_run_tern_env(&rc->run, rc->dir, NULL, tt_s3fx.env.env, args);
    return NULL;
}

/*
 * The lock is held at the first attempt (-lock-timeout waits): the read
 * made beside that attempt is dropped and the state is read again once
 * the lock is taken, as a run that locks first reads it; there is nothing
 * to check then.
 */
TEST(backend_s3, lock_wait_reads_after)
{
    struct tt_s3_racer w;
    struct tt_response resp;
    pthread_t t;
    char *calls;

    tt_s3_start(LOAD, NULL);
    memset(&w, 0, sizeof(w));
    w.dir = tt_s3_dir("wait", BACKEND ROLE("w"));
    TT_S3_RUN(w.dir, 0, "init", "-no-color");
    tt_s3_post("load", "{\"s3\": {\"buckets\": [{\"name\": \"tfstate\", "
                       "\"objects\": [{\"key\": "
                       "\"team/terraform.tfstate.tflock\", \"body\": "
                       "\"{\\\"ID\\\": \\\"another\\\"}\"}]}]}}");
    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "DELETE", "calls", NULL));
    tt_response_release(&resp);
    ASSERT_OK(pthread_create(&t, NULL, apply_waiting, &w));
    /* tern's read and its refused lock are in: release the lock. */
    ASSERT_OK(
        tt_sim_control(&resp, &tt_s3fx.sim, "GET", "calls?at_least=2", NULL));
    tt_response_release(&resp);
    ASSERT_OK(tt_s3(&resp, &tt_s3fx.sim, NULL, "DELETE",
                    "/tfstate/team/terraform.tfstate.tflock", NULL, NULL, 0));
    ASSERT_EQ(resp.status, 204);
    tt_response_release(&resp);
    pthread_join(t, NULL);
    ASSERT_EQ(w.run.status, 0);
    calls = s3_calls();
    /* The first two were sent together: either may be logged first. */
    if (strncmp(calls, "PutObject", 9) == 0)
        ASSERT_STR_EQ(calls, "PutObject 412\n"
                             "GetObject 404\n"
                             "DeleteObject 204\n" /* the other run's lock */
                             "PutObject 200\n"    /* the lock, retried */
                             "GetObject 404\n"    /* the read after it */
                             "PutObject 200\n"    /* the final write */
                             "DeleteObject 204\n");
    else
        ASSERT_STR_EQ(calls, "GetObject 404\n"
                             "PutObject 412\n"
                             "DeleteObject 204\n"
                             "PutObject 200\n"
                             "GetObject 404\n"
                             "PutObject 200\n"
                             "DeleteObject 204\n");
    tern_free(calls);
    tt_run_release(&w.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/*
 * SIGKILL while a cluster starts (the service made it, tern waits for
 * RUNNING): the intent was remote before clusters/create, so the next
 * apply, from another directory, finds the cluster by the intent and
 * adopts it: one cluster, ever, and nothing left to do.
 */
TEST(backend_s3, sigkill_cluster_adopted)
{
    const char *first, *second;
    const char *apply[] = {"tern", "apply", "-auto-approve", "-no-color", NULL};
    json_t *doc, *in;
    char *id, *text;
    pid_t pid;
    int status = 0;

    tt_s3_start(LOAD, NULL);
    tt_s3_post("load", "{\"databricks\": {\"instance_profiles\": [{"
                       "\"instance_profile_arn\": \"" DBX_PROFILE "\"}]}}");
    /* RUNNING 5 s after its create: the first run waits, and is killed
     * meanwhile; the second adopts it, starting or started. */
    tt_s3_post("clusters", "{\"startup_ms\": 5000}");
    tt_sim_env_add(&tt_s3fx.env, "TERN_S3_PUSH_INTERVAL_MS=3600000");
    first = tt_s3_dir("cfirst", CLUSTER_CONFIG);
    TT_S3_RUN(first, 0, "init", "-no-color");
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        size_t i;
        int devnull = open("/dev/null", O_WRONLY);

        if (chdir(first) != 0 || devnull < 0)
            _exit(126);
        dup2(devnull, 1);
        dup2(devnull, 2);
        for (i = 0; tt_s3fx.env.env[i]; i++)
            putenv((char *)tt_s3fx.env.env[i]);
        execv(TERN_TEST_BIN_PATH, (char *const *)apply);
        _exit(127);
    }
    /* Wait for the event itself: the cluster made. */
    while (sim_clusters() < 1) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            FAIL("apply ended (status %d) before the cluster's create", status);
        sched_yield();
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ASSERT(WIFSIGNALED(status));
    /* What the dead run left remote: the cluster's intent (the roles'
     * steps went with it: a flush writes the whole working copy). */
    doc = remote_state();
    ASSERT_NOT_NULL(doc);
    in = json_object_get(json_object_get(doc, "tern"), "intents");
    ASSERT_EQ(json_array_size(in), 1);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_array_get(in, 0), "address")),
        "databricks_cluster.deploy");
    json_decref(doc);

    second = tt_s3_dir("csecond", CLUSTER_CONFIG);
    TT_S3_RUN(second, 0, "init", "-no-color");
    id = lock_id();
    TT_S3_RUN(second, 0, "force-unlock", "-force", "-no-color", id);
    tern_free(id);
    TT_S3_RUN(second, 0, "apply", "-auto-approve", "-no-color");
    TT_S3_RUN(second, 0, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_EQ(sim_clusters(), 1);
    ASSERT_EQ(creates_ok(NULL), 2);
    /* The adopting apply succeeded: no intent, no interrupted marker. */
    doc = remote_state();
    ASSERT_NOT_NULL(doc);
    text = ext_text(doc);
    json_decref(doc);
    ASSERT_STR_EQ(text,
                  "{\"format\":1,\"history\":["
                  "{\"before\":null,\"key\":\"aws_iam_role.c-role\","
                  "\"kind\":\"resource\",\"operation\":\"apply\"},"
                  "{\"before\":null,\"key\":\"aws_iam_role.gen\","
                  "\"kind\":\"resource\",\"operation\":\"apply\"},"
                  "{\"before\":null,\"key\":\"databricks_cluster.deploy\","
                  "\"kind\":\"resource\",\"operation\":\"apply\"}],"
                  "\"history_from\":1,\"intents\":[]}");
    free(text); /* allocated by jansson */
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* Copy examples/s3-pipeline/FILE into dir. */
static void copy_example(const char *dir, const char *file)
{
    char src[4300];
    char *text;

    snprintf(src, sizeof(src), "%s/examples/s3-pipeline/%s",
             tern_test_source_dir(), file);
    text = tt_read_file(src, NULL);
    ASSERT_NOT_NULL(text);
    ASSERT_OK(tt_write_file(dir, file, text));
    free(text);
}

/* Run `sh pipeline.sh ARGS` in dir, pointed at the simulator; its output
 * goes to dir/pipeline.log. Returns the exit status. */
static int pipeline(const char *dir, const char *step, const char *plan)
{
    char tern_env[4200], gate_env[4200], log[4300];
    pid_t pid;
    int status = 0;

    snprintf(tern_env, sizeof(tern_env), "TERN=%s", TERN_TEST_BIN_PATH);
    snprintf(gate_env, sizeof(gate_env),
             "POLICY_GATE=%s/examples/policy-gate/policy_gate.py",
             tern_test_source_dir());
    snprintf(log, sizeof(log), "%s/pipeline.log", dir);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        size_t i;
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

        if (fd < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        for (i = 0; tt_s3fx.env.env[i]; i++)
            putenv((char *)tt_s3fx.env.env[i]);
        putenv(tern_env);
        putenv(gate_env);
        execl("/bin/sh", "sh", "pipeline.sh", step, plan, (char *)NULL);
        _exit(127);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* examples/s3-pipeline as CI runs it: plan in one fresh directory, apply
 * the saved plan in a second, an empty plan in a third. */
TEST(backend_s3, example_pipeline_script)
{
    struct tt_response resp;
    const char *dirs[3] = {"job-plan", "job-apply", "job-check"};
    char paths[3][4200], from[4300], to[4300], *plan;
    size_t i, len = 0;

    tt_s3_start(LOAD, NULL);
    ASSERT_OK(tt_sim_control(&resp, &tt_s3fx.sim, "POST", "load",
                             "{\"s3\":{\"buckets\":[{\"name\":"
                             "\"tern-pipeline-state\"}]}}"));
    tt_response_release(&resp);
    for (i = 0; i < 3; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/%s", tern_test_tmpdir(),
                 dirs[i]);
        ASSERT_OK(mkdir(paths[i], 0700));
        copy_example(paths[i], "main.tf");
        copy_example(paths[i], "pipeline.sh");
    }
    ASSERT_EQ(pipeline(paths[0], "plan", "app.tfplan"), 2);
    snprintf(from, sizeof(from), "%s/app.tfplan", paths[0]);
    snprintf(to, sizeof(to), "%s/app.tfplan", paths[1]);
    plan = tt_read_file(from, &len);
    ASSERT_NOT_NULL(plan);
    {
        FILE *f = fopen(to, "wb");

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fwrite(plan, 1, len, f), len);
        fclose(f);
    }
    free(plan);
    ASSERT_EQ(pipeline(paths[1], "apply", "app.tfplan"), 0);
    ASSERT_EQ(pipeline(paths[2], "check", ""), 0);
    /* The first job's plan is now stale. */
    ASSERT_EQ(pipeline(paths[0], "apply", "app.tfplan"), 1);
    /* A change the policy gate refuses (issue 21's gate, run by the plan
     * job) leaves no plan to apply. */
    {
        char bad[4200], *main_tf, *conf, *log, *deny;

        snprintf(bad, sizeof(bad), "%s/job-bad", tern_test_tmpdir());
        ASSERT_OK(mkdir(bad, 0700));
        copy_example(bad, "pipeline.sh");
        snprintf(from, sizeof(from), "%s/main.tf", paths[0]);
        main_tf = tt_read_file(from, NULL);
        ASSERT_NOT_NULL(main_tf);
        conf = tern_asprintf(
            "%s\nresource \"aws_iam_role_policy_attachment\" \"admin\" {\n"
            "  role       = aws_iam_role.app.name\n"
            "  policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n"
            "}\n",
            main_tf);
        ASSERT_OK(tt_write_file(bad, "main.tf", conf));
        ASSERT_EQ(pipeline(bad, "plan", "bad.tfplan"), 1);
        snprintf(to, sizeof(to), "%s/bad.tfplan", bad);
        ASSERT_EQ(access(to, F_OK), -1);
        snprintf(to, sizeof(to), "%s/pipeline.log", bad);
        log = tt_read_file(to, NULL);
        ASSERT_NOT_NULL(log);
        deny = strstr(log, "DENY ");
        ASSERT_NOT_NULL(deny);
        ASSERT_STR_EQ(deny, "DENY aws_iam_role_policy_attachment.admin: "
                            "attaches AdministratorAccess\n"
                            "policy gate: 1 violation in 3 resource changes\n"
                            "pipeline: the policy gate refused the plan; "
                            "nothing saved to apply\n");
        free(main_tf);
        tern_free(conf);
        free(log);
    }
    tt_sim_stop(&tt_s3fx.sim);
}

/* init saves the backend block merged with -backend-config; the other
 * commands refuse to run before init, or after the block changed, until
 * init -reconfigure. */
TEST(backend_s3, init_backend_config_and_changes)
{
    const char *dir;
    char file[4300];

    tt_s3_start(LOAD, NULL);
    dir = tt_s3_dir("cfg", "terraform {\n"
                           "  backend \"s3\" {\n"
                           "    key = \"cfg/terraform.tfstate\"\n"
                           "  }\n"
                           "}\n" ROLE("cfg"));
    TT_S3_RUN(dir, 1, "plan", "-no-color");
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: Backend initialization required, please run "
                  "\"tern init\"\n\n"
                  "Reason: Initial configuration of the requested "
                  "backend \"s3\". Run \"tern init\" (with any "
                  "-backend-config) in this directory first.\n\n");
    TT_S3_RUN(dir, 1, "init", "-no-color", "-backend-config=bukket=tfstate");
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: Invalid backend configuration argument\n\n"
                  "The backend configuration argument \"bukket\" given "
                  "on the command line is not expected for the "
                  "selected backend type.\n\n");
    ASSERT_OK(tt_write_file(dir, "backend.hcl",
                            "# shared by every runner\n"
                            "region       = \"us-east-1\"\n"
                            "use_lockfile = true\n"));
    snprintf(file, sizeof(file), "%s/backend.hcl", dir);
    TT_S3_RUN(dir, 0, "init", "-no-color", "-backend-config=bucket=tfstate",
              "-backend-config", file);
    ASSERT_STR_CONTAINS(tt_s3fx.run.out,
                        "Successfully configured the backend \"s3\"! "
                        "tern will keep the state in\n"
                        "s3://tfstate/cfg/terraform.tfstate (no state "
                        "there yet).\n");
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");

    /* The block changes: refused until init -reconfigure. */
    ASSERT_OK(tt_write_file(dir, "main.tf",
                            "terraform {\n"
                            "  backend \"s3\" {\n"
                            "    key = \"other/terraform.tfstate\"\n"
                            "  }\n"
                            "}\n" ROLE("cfg")));
    TT_S3_RUN(dir, 1, "plan", "-no-color");
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: Backend configuration changed\n\n"
                  "A change in the backend configuration has been detected "
                  "since \"tern init\" (the backend block or "
                  "-backend-config), which may require migrating existing "
                  "state. To copy the state to the new configuration, run "
                  "\"tern init -migrate-state\". To use the new configuration "
                  "as it is, with no change to any state, run \"tern init "
                  "-reconfigure\".\n\n");
    TT_S3_RUN(dir, 1, "init", "-no-color", "-backend-config=bucket=tfstate",
              "-backend-config", file);
    TT_S3_RUN(dir, 0, "init", "-no-color", "-reconfigure",
              "-backend-config=bucket=tfstate", "-backend-config", file);
    TT_S3_RUN(dir, 2, "plan", "-no-color", "-detailed-exitcode");
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

/* The saved backend arguments' @p name, as JSON text (owned). */
static char *saved_arg(const char *dir, const char *name)
{
    char path[4300], *text, *out;
    json_t *doc;

    snprintf(path, sizeof(path), "%s/.terraform/tern-backend.json", dir);
    text = tt_read_file(path, NULL);
    ASSERT_NOT_NULL(text);
    doc = json_loads(text, 0, NULL);
    free(text);
    ASSERT_NOT_NULL(doc);
    out = json_dumps(json_object_get(json_object_get(doc, "config"), name),
                     JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(doc);
    ASSERT_NOT_NULL(out);
    return out;
}

/* Terraform (1.6 and later) writes the backend's nested arguments as
 * attributes holding an object, in the block, in a -backend-config file
 * (HCL, over several lines) and as -backend-config=K=V; tern takes each,
 * and refuses a name the object may not hold at its line
 * (dynamodb_table: tests/unit/test_backend_ddb.c). */
TEST(backend_s3, nested_args_as_attributes)
{
    const char *dir;
    char file[4300], main_tf[8192], kv[512], *got;

    tt_s3_start(LOAD, NULL);
    snprintf(main_tf, sizeof(main_tf),
             "terraform {\n"
             "  backend \"s3\" {\n"
             "    bucket         = \"tfstate\"\n"
             "    key            = \"nested/terraform.tfstate\"\n"
             "    region         = \"us-east-1\"\n"
             "    use_lockfile   = true\n"
             "    use_path_style = true\n"
             "    endpoints = {\n"
             "      s3 = \"%s\"\n"
             "    }\n"
             "  }\n"
             "}\n" ROLE("nested"),
             tt_s3fx.sim.base_url);
    dir = tt_s3_dir("nested", main_tf);
    TT_S3_RUN(dir, 0, "init", "-no-color");
    got = saved_arg(dir, "endpoints");
    snprintf(kv, sizeof(kv), "{\"s3\":\"%s\"}", tt_s3fx.sim.base_url);
    ASSERT_STR_EQ(got, kv);
    free(got);
    TT_S3_RUN(dir, 0, "apply", "-auto-approve", "-no-color");

    /* A -backend-config file over several lines replaces the object (its
     * endpoints.s3 is used: it wins over AWS_ENDPOINT_URL). */
    snprintf(file, sizeof(file),
             "# the runners' endpoint\n"
             "endpoints = {\n"
             "  s3  = \"%s\"\n"
             "  sts = \"http://127.0.0.1:9\"\n"
             "}\n"
             "shared_config_files = [\"/nonexistent\"]\n",
             tt_s3fx.sim.base_url);
    ASSERT_OK(tt_write_file(dir, "backend.hcl", file));
    snprintf(file, sizeof(file), "%s/backend.hcl", dir);
    TT_S3_RUN(dir, 0, "init", "-no-color", "-reconfigure", "-backend-config",
              file);
    got = saved_arg(dir, "endpoints");
    snprintf(kv, sizeof(kv), "{\"s3\":\"%s\",\"sts\":\"http://127.0.0.1:9\"}",
             tt_s3fx.sim.base_url);
    ASSERT_STR_EQ(got, kv);
    free(got);
    got = saved_arg(dir, "shared_config_files");
    ASSERT_STR_EQ(got, "[\"/nonexistent\"]");
    free(got);

    /* -backend-config=K=V: an object is an HCL expression. */
    snprintf(kv, sizeof(kv), "-backend-config=endpoints={ s3 = \"%s\" }",
             tt_s3fx.sim.base_url);
    TT_S3_RUN(dir, 0, "init", "-no-color", "-reconfigure", kv);
    got = saved_arg(dir, "endpoints");
    snprintf(kv, sizeof(kv), "{\"s3\":\"%s\"}", tt_s3fx.sim.base_url);
    ASSERT_STR_EQ(got, kv);
    free(got);
    TT_S3_RUN(dir, 0, "plan", "-no-color");

    ASSERT_OK(tt_write_file(dir, "bad.hcl",
                            "endpoints = {\n"
                            "  s4 = \"http://127.0.0.1:9\"\n"
                            "}\n"));
    TT_S3_RUN(dir, 1, "init", "-no-color", "-reconfigure", "-backend-config",
              "bad.hcl");
    ASSERT_STR_EQ(tt_s3fx.run.err,
                  "Error: Incorrect attribute value type\n\n"
                  "  on bad.hcl line 1:\n"
                  "   1: endpoints = {\n"
                  "                  ^\n\n"
                  "Inappropriate value for attribute \"endpoints\": "
                  "unsupported attribute \"s4\".\n\n");

    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

#define RID(n)                                                                 \
    "resource \"random_id\" \"server\" {\n"                                    \
    "  byte_length = " #n "\n"                                                 \
    "}\n"

/* The byte_length of random_id.server in the v4 document @text. */
static long long byte_length(const char *text)
{
    json_t *doc = json_loads(text, 0, NULL);
    long long n;

    ASSERT_NOT_NULL(doc);
    n = json_integer_value(json_object_get(
        json_object_get(
            json_array_get(
                json_object_get(
                    json_array_get(json_object_get(doc, "resources"), 0),
                    "instances"),
                0),
            "attributes"),
        "byte_length"));
    json_decref(doc);
    return n;
}

/* `state history`'s output with each time (2026-12-07T00:07:37Z) as
 * "TIME". */
static void history_without_times(char *out, size_t size)
{
    const char *p = tt_s3fx.run.out;
    size_t len = 0;

    while (*p && len + 5 < size) {
        if (strlen(p) >= 20 && p[4] == '-' && p[7] == '-' && p[10] == 'T' &&
            p[19] == 'Z') {
            memcpy(out + len, "TIME", 4);
            len += 4;
            p += 20;
        } else {
            out[len++] = *p++;
        }
    }
    out[len] = '\0';
}

/* The history travels in the object's extension: a local state's with
 * -migrate-state, and every apply's to the next runner, so `state
 * history` and `state pull -serial=N` work from a fresh directory. */
TEST(backend_s3, history_from_fresh_runner)
{
    const char *a, *b, *c;
    char got[4096];

    tt_s3_start(LOAD, NULL);
    a = tt_s3_dir("hist-a", RID(4));
    TT_S3_RUN(a, 0, "apply", "-auto-approve", "-no-color");
    ASSERT_OK(tt_write_file(a, "main.tf", RID(5)));
    TT_S3_RUN(a, 0, "apply", "-auto-approve", "-no-color");
    ASSERT_OK(tt_write_file(a, "main.tf", BACKEND RID(5)));
    TT_S3_RUN(a, 0, "init", "-force-copy", "-no-color");

    b = tt_s3_dir("hist-b", BACKEND RID(5));
    TT_S3_RUN(b, 0, "init", "-no-color");
    TT_S3_RUN(b, 0, "state", "history", "-no-color");
    history_without_times(got, sizeof(got));
    ASSERT_STR_EQ(got, "SERIAL  TIME                  COMMAND         CHANGE\n"
                       "     1  TIME  apply           + random_id.server\n"
                       "     2  TIME  apply           - random_id.server\n"
                       "     3  TIME  apply           + random_id.server\n");
    TT_S3_RUN(b, 0, "state", "pull", "-serial=1");
    ASSERT_EQ(byte_length(tt_s3fx.run.out), 4);
    ASSERT_OK(tt_write_file(b, "main.tf", BACKEND RID(6)));
    TT_S3_RUN(b, 0, "apply", "-auto-approve", "-no-color");

    c = tt_s3_dir("hist-c", BACKEND RID(6));
    TT_S3_RUN(c, 0, "init", "-no-color");
    TT_S3_RUN(c, 0, "state", "history", "-no-color");
    history_without_times(got, sizeof(got));
    ASSERT_STR_EQ(got, "SERIAL  TIME                  COMMAND         CHANGE\n"
                       "     1  TIME  apply           + random_id.server\n"
                       "     2  TIME  apply           - random_id.server\n"
                       "     3  TIME  apply           + random_id.server\n"
                       "     4  TIME  apply           - random_id.server\n"
                       "     5  TIME  apply           + random_id.server\n");
    TT_S3_RUN(c, 0, "state", "pull", "-serial=1");
    ASSERT_EQ(byte_length(tt_s3fx.run.out), 4);
    TT_S3_RUN(c, 0, "state", "pull", "-serial=3");
    ASSERT_EQ(byte_length(tt_s3fx.run.out), 5);
    tt_run_release(&tt_s3fx.run);
    tt_sim_stop(&tt_s3fx.sim);
}

static tern_state *store_at(const char *name)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = NULL;
    char *path = tern_asprintf("%s/%s", tern_test_tmpdir(), name);

    ASSERT_NOT_NULL(path);
    so.path = path;
    so.create = 1;
    so.operation = "apply";
    ASSERT_OK(tern_state_open(&st, &so, NULL));
    tern_free(path);
    return st;
}

/* The history the extension carries is bounded: the last
 * TERN_S3_HISTORY_SERIALS serials, whole serials under
 * TERN_S3_HISTORY_BYTES; a store that takes it refuses an older serial. */
TEST(backend_s3, history_bounded)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = store_at("bounded.db"), *copy = store_at("copy.db");
    json_t *ext = json_object(), *doc = NULL, *v, *hist;
    char *big;
    int i;

    for (i = 1; i <= TERN_S3_HISTORY_SERIALS + 5; i++) {
        v = json_integer(i);
        ASSERT_OK(tern_state_output_set(st, "o", v, 0, NULL));
        json_decref(v);
    }
    ASSERT_OK(tern_backend_s3_history_add(st, ext, NULL));
    hist = json_object_get(ext, "history");
    ASSERT_EQ(json_array_size(hist), TERN_S3_HISTORY_SERIALS);
    ASSERT_EQ(
        json_integer_value(json_object_get(json_array_get(hist, 0), "serial")),
        6);
    ASSERT_EQ(json_integer_value(json_object_get(ext, "history_from")), 5);
    /* What a fresh runner's working copy does with it. */
    ASSERT_OK(tern_state_export(st, -1, &doc, NULL));
    ASSERT_OK(tern_state_import(copy, doc, TERN_STATE_IMPORT_FORCE, NULL));
    ASSERT_OK(tern_backend_s3_history_load(copy, ext, NULL));
    json_decref(doc);
    ASSERT_OK(tern_state_export(copy, 5, &doc, NULL));
    ASSERT_EQ(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(doc, "outputs"), "o"), "value")),
        5);
    json_decref(doc);
    doc = NULL;
    ASSERT_EQ(tern_state_export(copy, 4, &doc, &d), TERN_ENOTFOUND);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "No such serial");
    {
        char want[8192];

        snprintf(want, sizeof(want),
                 "The history of %s/copy.db goes back to serial 5; serial 4 "
                 "is older (the S3 backend's object carries a bounded "
                 "history, see README \"The S3 backend\").",
                 tern_test_tmpdir());
        ASSERT_STR_EQ(d.items[0].detail, want);
    }
    tern_diags_release(&d);
    tern_state_free(copy);
    tern_state_free(st);
    json_decref(ext);

    /* The size cap: 200 KB values, so the last two serials fit. */
    st = store_at("big.db");
    ext = json_object();
    big = tern_calloc(200 * 1024 + 1, 1);
    ASSERT_NOT_NULL(big);
    for (i = 1; i <= 4; i++) {
        memset(big, 'a' + i, 200 * 1024);
        v = json_string(big);
        ASSERT_OK(tern_state_output_set(st, "o", v, 0, NULL));
        json_decref(v);
    }
    ASSERT_OK(tern_backend_s3_history_add(st, ext, NULL));
    hist = json_object_get(ext, "history");
    ASSERT_EQ(json_array_size(hist), 2);
    ASSERT_EQ(
        json_integer_value(json_object_get(json_array_get(hist, 0), "serial")),
        3);
    ASSERT_EQ(json_integer_value(json_object_get(ext, "history_from")), 2);
    tern_free(big);
    json_decref(ext);
    tern_state_free(st);
}

const struct tern_test test_backend_s3_list[] = {
    TEST_INTEGRATION(backend_s3, pipeline_across_directories),
    TEST_INTEGRATION(backend_s3, two_processes_race_for_the_lock),
    TEST_INTEGRATION(backend_s3, force_unlocked_writer_cannot_overwrite),
    TEST_INTEGRATION(backend_s3, force_unlock_command),
    TEST_INTEGRATION(backend_s3, sigkill_mid_apply_converges_elsewhere),
    TEST_INTEGRATION(backend_s3, apply_call_sequence),
    TEST_INTEGRATION(backend_s3, apply_round_trips),
    TEST_INTEGRATION(backend_s3, stale_read_refused),
    TEST_INTEGRATION(backend_s3, stale_read_replaced),
    TEST_INTEGRATION(backend_s3, lock_wait_reads_after),
    TEST_INTEGRATION(backend_s3, sigkill_cluster_adopted),
    TEST_INTEGRATION(backend_s3, example_pipeline_script),
    TEST_INTEGRATION(backend_s3, init_backend_config_and_changes),
    TEST_INTEGRATION(backend_s3, nested_args_as_attributes),
    TEST_INTEGRATION(backend_s3, history_from_fresh_runner),
    TEST_UNIT(backend_s3, history_bounded),
    TEST_END};
