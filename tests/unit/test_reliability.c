/*
 * Issue 10's reliability campaigns, through the built binary against
 * tern-sim on 127.0.0.1:
 *
 *  - faults: seeded runs of apply, plan, destroy of an N-stack
 *    configuration (role, trust policy, managed-policy attachment, inline
 *    policy, instance profile, Databricks registration per stack) under
 *    throttling, 500/503, dropped connections and a random propagation
 *    delay per object. Every run exits 0, leaves an empty plan, leaves
 *    tern-sim's objects equal to the state after apply and empty after
 *    destroy, with no duplicate create in the call log.
 *  - kill: apply, SIGKILL at a uniformly random moment, apply again with
 *    no manual step between: converged, no orphan, no EntityAlreadyExists,
 *    no lock left. The same with SIGINT: the interrupted run itself exits
 *    with everything done saved.
 *  - contention: two applies on one state started together: exactly one
 *    runs, the other fails naming the holder (-lock-timeout=0s) or waits
 *    (-lock-timeout=60s); a saved plan applied after the state moved is
 *    refused.
 *
 * The suite runs short versions. scripts/campaign-*.sh run the long ones
 * through the same cases with these variables (defaults: the short
 * version):
 *
 *   TERN_REL_RUNS     runs (faults), trials (kill), rounds (contention)
 *   TERN_REL_STACKS   stacks in the configuration
 *   TERN_REL_SEED     first seed (faults: seed of run i is SEED + i;
 *                     kill: seed of the kill-time generator)
 *   TERN_REL_PROPAGATION_JITTER_MS   faults: propagation jitter
 *
 * and each case prints its figures as TAP comments ("# faults: ...").
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* One child tern's outcome. */
struct child {
    pid_t pid;
    char out_path[4200], err_path[4200];
    int status; /* exit status, or 128 + signal */
};

static struct tt_sim sim;
static char env_aws[128], env_dbx[128];

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    char *end;
    long n;

    if (!v || !*v)
        return dflt;
    n = strtol(v, &end, 10);
    return *end ? dflt : n;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* xorshift64*: the kill-time generator, seeded for reruns. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static void start_sim(const char *const *args)
{
    ASSERT_OK(tt_sim_start(&sim, args));
    snprintf(env_aws, sizeof(env_aws), "AWS_ENDPOINT_URL=%s", sim.base_url);
    snprintf(env_dbx, sizeof(env_dbx), "DATABRICKS_HOST=%s", sim.base_url);
}

static void control(const char *method, const char *path, const char *json)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_control(&resp, &sim, method, path, json));
    if (resp.status != 200)
        FAIL("/_sim/%s: HTTP %ld: %s", path, resp.status, resp.body);
    tt_response_release(&resp);
}

static json_t *control_json(const char *path)
{
    struct tt_response resp;
    json_t *j;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", path, NULL));
    ASSERT_EQ(resp.status, 200);
    j = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(j);
    return j;
}

/* The N-stack configuration: five resources a stack, chained. */
static void write_config(const char *dir, long stacks)
{
    char text[4096];

    snprintf(
        text, sizeof(text),
        "variable \"stacks\" {\n"
        "  type    = number\n"
        "  default = %ld\n"
        "}\n\n"
        "variable \"description\" {\n"
        "  type    = string\n"
        "  default = \"reliability\"\n"
        "}\n\n"
        "locals {\n"
        "  names = toset([for i in range(var.stacks) : format(\"rel-%%03d\", "
        "i)])\n"
        "}\n\n"
        "resource \"aws_iam_role\" \"r\" {\n"
        "  for_each    = local.names\n"
        "  name        = each.key\n"
        "  description = var.description\n" TT_HCL_TRUST_EC2 "}\n\n"
        "resource \"aws_iam_role_policy_attachment\" \"a\" {\n"
        "  for_each   = local.names\n"
        "  role       = aws_iam_role.r[each.key].name\n"
        "  policy_arn = "
        "\"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess\"\n"
        "}\n\n"
        "resource \"aws_iam_role_policy\" \"p\" {\n"
        "  for_each = local.names\n"
        "  name     = \"inline\"\n"
        "  role     = aws_iam_role.r[each.key].id\n"
        "  policy = jsonencode({\n"
        "    Version = \"2012-10-17\"\n"
        "    Statement = [{\n"
        "      Effect   = \"Allow\"\n"
        "      Action   = [\"iam:PassRole\"]\n"
        "      Resource = \"arn:aws:iam::123456789012:role/${each.key}\"\n"
        "    }]\n"
        "  })\n"
        "}\n\n"
        "resource \"aws_iam_instance_profile\" \"ip\" {\n"
        "  for_each = local.names\n"
        "  name     = each.key\n"
        "  role     = aws_iam_role.r[each.key].name\n"
        "}\n\n"
        "resource \"databricks_instance_profile\" \"d\" {\n"
        "  for_each             = local.names\n"
        "  instance_profile_arn = aws_iam_instance_profile.ip[each.key].arn\n"
        "}\n",
        stacks);
    ASSERT_OK(tt_write_file(dir, "main.tf", text));
}

/* A fresh working directory under the test's tmpdir. */
static const char *workdir(const char *kind, long n)
{
    static char dir[4200];

    snprintf(dir, sizeof(dir), "%s/%s-%04ld", tern_test_tmpdir(), kind, n);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        FAIL("mkdir %s: %s", dir, strerror(errno));
    return dir;
}

/*
 * Start `tern ARGS` in @dir with stdout and stderr in files there
 * (@tag.out, @tag.err), pointed at the simulator.
 */
static void spawn(struct child *c, const char *dir, const char *tag,
                  const char *const *args)
{
    const char *argv[32];
    size_t i;

    snprintf(c->out_path, sizeof(c->out_path), "%s/%s.out", dir, tag);
    snprintf(c->err_path, sizeof(c->err_path), "%s/%s.err", dir, tag);
    argv[0] = "tern";
    for (i = 0; args[i] && i < 30; i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    fflush(stdout);
    fflush(stderr);
    c->pid = fork();
    ASSERT(c->pid >= 0);
    if (c->pid == 0) {
        int o = open(c->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(c->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (o < 0 || e < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        close(o);
        close(e);
        putenv(env_aws);
        putenv(env_dbx);
        setenv("AWS_ACCESS_KEY_ID", "AKIDTERNSIMDEFAULT01", 1);
        setenv("AWS_SECRET_ACCESS_KEY",
               "ternsim/default/SECRETKEY0000000000000001", 1);
        setenv("DATABRICKS_TOKEN", "dapi-ternsim-default-token-0001", 1);
        setenv("AWS_REGION", "us-east-1", 1);
        setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
        setenv("AWS_CONFIG_FILE", "/nonexistent", 1);
        setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent", 1);
        setenv("DATABRICKS_CONFIG_FILE", "/nonexistent", 1);
        unsetenv("AWS_PROFILE");
        unsetenv("AWS_SESSION_TOKEN");
        unsetenv("AWS_ENDPOINT_URL_IAM");
        unsetenv("AWS_ENDPOINT_URL_STS");
        execv(TERN_TEST_BIN_PATH, (char *const *)argv);
        _exit(127);
    }
}

/* Wait for the child (at most @timeout_s, then SIGKILL and fail). */
static void reap(struct child *c, int timeout_s)
{
    int status = 0;

    if (!tt_reap_within(c->pid, timeout_s * 1000, &status)) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &status, 0);
        FAIL("tern (pid %d) still running after %d s; stderr in %s",
             (int)c->pid, timeout_s, c->err_path);
    }
    c->status =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *slurp(const char *path)
{
    char *s = tt_read_file(path, NULL);

    return s ? s : strdup("");
}

/* Run tern to completion; fail unless it exits @want (-1: any). */
static int run(const char *dir, const char *tag, int want,
               const char *const *args)
{
    struct child c;

    spawn(&c, dir, tag, args);
    reap(&c, 600);
    if (want >= 0 && c.status != want) {
        char *out = slurp(c.out_path), *err = slurp(c.err_path);

        FAIL("%s: tern %s exited %d, expected %d\nstdout (tail):\n%s\n"
             "stderr:\n%s",
             dir, args[0], c.status, want,
             strlen(out) > 3000 ? out + strlen(out) - 3000 : out, err);
    }
    return c.status;
}

#define RUN(dir, want, ...)                                                    \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run((dir), #want, (want), args_);                                      \
    } while (0)

/* ---- what exists, two views -------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct objset {
    char **items;
    size_t n, alloc;
};

static void objset_add(struct objset *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void objset_add(struct objset *s, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (s->n == s->alloc) {
        s->alloc = s->alloc ? 2 * s->alloc : 64;
        s->items = realloc(s->items, s->alloc * sizeof(*s->items));
        ASSERT_NOT_NULL(s->items);
    }
    s->items[s->n++] = strdup(buf);
}

static void objset_release(struct objset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof(*s));
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

/* tern-sim's objects, one string each (see state_objects for the shape). */
static void sim_objects(struct objset *s)
{
    json_t *dump = control_json("dump");
    json_t *iam = json_object_get(dump, "iam"), *o, *v;
    const char *k;
    size_t i, j;

    json_array_foreach(json_object_get(iam, "roles"), i, o)
    {
        objset_add(s, "role %s", jstr(o, "name"));
        json_array_foreach(json_object_get(o, "attached_policies"), j, v)
            objset_add(s, "attachment %s %s", jstr(o, "name"),
                       json_string_value(v));
        json_object_foreach(json_object_get(o, "inline_policies"), k, v)
            objset_add(s, "inline %s %s", jstr(o, "name"), k);
    }
    json_array_foreach(json_object_get(iam, "instance_profiles"), i, o)
    {
        json_t *roles = json_object_get(o, "roles");

        objset_add(s, "profile %s role=%s", jstr(o, "name"),
                   json_array_size(roles)
                       ? json_string_value(json_array_get(roles, 0))
                       : "");
    }
    json_array_foreach(json_object_get(iam, "policies"), i, o)
        objset_add(s, "policy %s", jstr(o, "name"));
    json_array_foreach(json_object_get(json_object_get(dump, "databricks"),
                                       "instance_profiles"),
                       i, o)
        objset_add(s, "dbx %s", jstr(o, "instance_profile_arn"));
    json_decref(dump);
}

/* The state's objects, through `tern state pull` (empty: no state yet). */
static void state_objects(struct objset *s, const char *dir)
{
    char path[4300];
    const char *args[] = {"state", "pull", NULL};
    char *out;
    json_t *doc, *res, *inst;
    size_t i, j;
    struct stat st;

    snprintf(path, sizeof(path), "%s/tern.tfstate.db", dir);
    /* None, or empty: a run stopped before it wrote anything. */
    if (stat(path, &st) != 0 || st.st_size == 0)
        return;
    if (run(dir, "pull", -1, args) != 0) {
        /* A run stopped while it created the state leaves an SQLite file
         * without tern's tables: readers refuse it, writers start afresh
         * in it. It holds nothing. */
        snprintf(path, sizeof(path), "%s/pull.err", dir);
        out = slurp(path);
        if (!strstr(out, "it has no tern tables"))
            FAIL("%s: tern state pull failed:\n%s", dir, out);
        free(out);
        return;
    }
    snprintf(path, sizeof(path), "%s/pull.out", dir);
    out = slurp(path);
    doc = json_loads(out, 0, NULL);
    free(out);
    if (!doc)
        FAIL("%s: state pull is not JSON", dir);
    json_array_foreach(json_object_get(doc, "resources"), i, res)
    {
        const char *type = jstr(res, "type");

        if (strcmp(jstr(res, "mode"), "managed") != 0)
            continue;
        json_array_foreach(json_object_get(res, "instances"), j, inst)
        {
            json_t *a = json_object_get(inst, "attributes");

            if (strcmp(type, "aws_iam_role") == 0)
                objset_add(s, "role %s", jstr(a, "name"));
            else if (strcmp(type, "aws_iam_role_policy_attachment") == 0)
                objset_add(s, "attachment %s %s", jstr(a, "role"),
                           jstr(a, "policy_arn"));
            else if (strcmp(type, "aws_iam_role_policy") == 0)
                objset_add(s, "inline %s %s", jstr(a, "role"), jstr(a, "name"));
            else if (strcmp(type, "aws_iam_instance_profile") == 0)
                objset_add(s, "profile %s role=%s", jstr(a, "name"),
                           jstr(a, "role"));
            else if (strcmp(type, "databricks_instance_profile") == 0)
                objset_add(s, "dbx %s", jstr(a, "instance_profile_arn"));
            else
                objset_add(s, "%s %s", type, jstr(a, "id"));
        }
    }
    json_decref(doc);
}

/*
 * Compare tern-sim with the state. Returns the number of differences
 * and describes the first few in @why: "lost" (the state knows it, the
 * simulator does not) and "orphan" (the other way round).
 */
static size_t compare(const char *dir, size_t *n_objects, char *why,
                      size_t whylen)
{
    struct objset a = {0}, b = {0};
    size_t i = 0, j = 0, diffs = 0, used = 0;

    sim_objects(&a);
    state_objects(&b, dir);
    if (a.n)
        qsort(a.items, a.n, sizeof(*a.items), cmp_str);
    if (b.n)
        qsort(b.items, b.n, sizeof(*b.items), cmp_str);
    why[0] = '\0';
    while (i < a.n || j < b.n) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.items[i], b.items[j]);
        const char *kind = c < 0 ? "orphan" : "lost";
        const char *what = c < 0 ? a.items[i] : c > 0 ? b.items[j] : NULL;

        if (c == 0) {
            i++, j++;
            continue;
        }
        if (c < 0)
            i++;
        else
            j++;
        if (diffs++ < 8 && used < whylen)
            used += (size_t)snprintf(why + used, whylen - used, "  %s: %s\n",
                                     kind, what);
    }
    if (n_objects)
        *n_objects = a.n;
    objset_release(&a);
    objset_release(&b);
    return diffs;
}

#define ASSERT_CONVERGED(dir, n_objects)                                       \
    do {                                                                       \
        char why_[2048];                                                       \
        size_t d_ = compare((dir), (n_objects), why_, sizeof(why_));           \
        if (d_)                                                                \
            FAIL("%s: tern-sim and the state differ (%zu):\n%s", (dir), d_,    \
                 why_);                                                        \
    } while (0)

/* ---- the call log ------------------------------------------------------ */

struct tally {
    long calls, throttled, errors5xx, dropped, not_yet_visible;
    long creates_ok, already_exists;
};

static int is_create(const char *action)
{
    return strcmp(action, "CreateRole") == 0 ||
           strcmp(action, "CreateInstanceProfile") == 0 ||
           strcmp(action, "AddRoleToInstanceProfile") == 0 ||
           strcmp(action, "instance-profiles/add") == 0;
}

static void tally_calls(struct tally *t)
{
    json_t *doc = control_json("calls"), *c;
    size_t i;

    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        const char *code = jstr(c, "error_code");
        const char *action = jstr(c, "action");
        json_int_t status = json_integer_value(json_object_get(c, "status"));

        t->calls++;
        if (strcmp(code, "Throttling") == 0 ||
            strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0)
            t->throttled++;
        else if (status >= 500)
            t->errors5xx++;
        else if (strcmp(code, "Dropped") == 0)
            t->dropped++;
        else if (strcmp(code, "NoSuchEntity") == 0 ||
                 strcmp(code, "DRY_RUN_FAILED") == 0 ||
                 strcmp(code, "MalformedPolicyDocument") == 0)
            t->not_yet_visible++;
        else if (strcmp(code, "EntityAlreadyExists") == 0 ||
                 strcmp(code, "RESOURCE_ALREADY_EXISTS") == 0 ||
                 strcmp(code, "LimitExceeded") == 0)
            t->already_exists++;
        if (status == 200 && is_create(action))
            t->creates_ok++;
    }
    json_decref(doc);
    control("DELETE", "calls", NULL);
}

/* ---- faults ------------------------------------------------------------ */

/* Whether the run @tag in @dir said it waited for IAM (TERN_EVENT_WAIT). */
static int said_waiting(const char *dir, const char *tag)
{
    char path[4300], *err;
    int waited;

    snprintf(path, sizeof(path), "%s/%s.err", dir, tag);
    err = slurp(path);
    waited = err && strstr(err, ": Waiting for IAM to show the change");
    free(err);
    return waited;
}

TEST(reliability, fault_campaign)
{
    long runs = env_long("TERN_REL_RUNS", 2);
    long stacks = env_long("TERN_REL_STACKS", 3);
    long seed0 = env_long("TERN_REL_SEED", 1);
    long jitter = env_long("TERN_REL_PROPAGATION_JITTER_MS", 300);
    struct tally all = {0};
    char faults[512], stacks_var[64];
    double t0 = now_s(), apply_s = 0;
    long i, applies_waited = 0, plans_waited = 0;

    /* The runner turns the propagation wait and the apply's confirmation
     * off; this is what they are for. */
    setenv("TERN_PROPAGATION_WINDOW_MS", "120000", 1);
    start_sim(NULL);
    snprintf(stacks_var, sizeof(stacks_var), "-var=stacks=%ld", stacks);
    for (i = 0; i < runs; i++) {
        const char *dir = workdir("faults", i);
        struct tally t = {0};
        size_t n = 0;
        double ta;

        control("POST", "reset", NULL);
        snprintf(faults, sizeof(faults),
                 "{\"seed\": %ld, \"throttle_rate\": 0.1, \"error_rate\": "
                 "0.03, \"drop_rate\": 0.01, \"propagation_ms\": 0, "
                 "\"propagation_jitter_ms\": %ld}",
                 seed0 + i, jitter);
        control("POST", "faults", faults);
        write_config(dir, stacks);

        ta = now_s();
        {
            const char *apply[] = {"apply", "-auto-approve", stacks_var, NULL};

            run(dir, "apply", 0, apply);
        }
        apply_s += now_s() - ta;
        tally_calls(&t);
        /* 4 creates a stack; a duplicate would show as more (or as an
         * already-exists answer to a create that was sent twice). */
        if (t.creates_ok != 4 * stacks || t.already_exists)
            FAIL("%s (seed %ld): %ld successful creates for %ld stacks, %ld "
                 "already-exists answers",
                 dir, seed0 + i, t.creates_ok, stacks, t.already_exists);
        ASSERT_CONVERGED(dir, &n);
        ASSERT_EQ(n, 5 * stacks);
        /* The plan right after the apply must be empty, though IAM may
         * not have propagated every new object yet: the refresh waits for
         * what tern wrote a moment ago instead of reporting it gone. */
        {
            const char *plan[] = {"plan", "-detailed-exitcode", stacks_var,
                                  NULL};

            if (run(dir, "plan", -1, plan) != 0)
                FAIL("%s (seed %ld): the plan right after apply is not "
                     "empty (false drift); see %s/plan.out",
                     dir, seed0 + i, dir);
        }
        /* Which of them waited for IAM (and said so): the apply's
         * confirmation, while objects propagate; the plan, only for
         * what the apply could not confirm. */
        applies_waited += said_waiting(dir, "apply");
        plans_waited += said_waiting(dir, "plan");
        tally_calls(&t);
        RUN(dir, 0, "destroy", "-auto-approve", stacks_var);
        tally_calls(&t);
        ASSERT_CONVERGED(dir, &n);
        ASSERT_EQ(n, 0);
        all.calls += t.calls;
        all.throttled += t.throttled;
        all.errors5xx += t.errors5xx;
        all.dropped += t.dropped;
        all.not_yet_visible += t.not_yet_visible;
        printf("# faults: run %ld seed %ld: ok, %ld requests, %ld throttled, "
               "%ld 5xx, %ld dropped, %ld not yet visible; waited for IAM: "
               "apply %s, plan %s\n",
               i + 1, seed0 + i, t.calls, t.throttled, t.errors5xx, t.dropped,
               t.not_yet_visible, said_waiting(dir, "apply") ? "yes" : "no",
               said_waiting(dir, "plan") ? "yes" : "no");
        fflush(stdout);
    }
    printf("# faults: %ld runs x %ld stacks (%ld objects each) passed in "
           "%.0f s (apply %.1f s on average): %ld requests, %ld throttled, "
           "%ld 5xx, %ld dropped, %ld eventual-consistency misses; 0 "
           "duplicate creates, 0 orphans, 0 plans after apply with false "
           "drift; %ld applies and %ld plans after apply waited for IAM\n",
           runs, stacks, 5 * stacks, now_s() - t0, apply_s / (double)runs,
           all.calls, all.throttled, all.errors5xx, all.dropped,
           all.not_yet_visible, applies_waited, plans_waited);
    tt_sim_stop(&sim);
}

/* ---- kills and interrupts ---------------------------------------------- */

static void kill_campaign(int sig, const char *name)
{
    long trials = env_long("TERN_REL_RUNS", 3);
    long stacks = env_long("TERN_REL_STACKS", 4);
    long seed = env_long("TERN_REL_SEED", 1);
    const char *sim_args[] = {"--latency-ms", "30", "--quiet", NULL};
    char stacks_var[64];
    double full_s, t0 = now_s();
    long i, before_end = 0, after_end = 0, signal_exits = 0;

    rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
    start_sim(sim_args);
    snprintf(stacks_var, sizeof(stacks_var), "-var=stacks=%ld", stacks);

    /* Calibrate: how long does an undisturbed apply take? */
    {
        const char *dir = workdir(name, 9999);
        double ta = now_s();

        write_config(dir, stacks);
        RUN(dir, 0, "apply", "-auto-approve", stacks_var);
        full_s = now_s() - ta;
    }
    for (i = 0; i < trials; i++) {
        const char *dir = workdir(name, i);
        const char *apply[] = {"apply", "-auto-approve", stacks_var, NULL};
        long at_ms = (long)(rng_next() % (uint64_t)(full_s * 1000 + 1));
        struct child c;
        struct tally t = {0};
        char *err;

        control("POST", "reset", NULL);
        write_config(dir, stacks);
        spawn(&c, dir, "interrupted", apply);
        /* The kill instant under test (tern runs meanwhile), not a wait. */
        sleep_ms(at_ms);
        {
            int st = 0;

            if (waitpid(c.pid, &st, WNOHANG) == c.pid) {
                after_end++;
                c.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            } else {
                before_end++;
                kill(c.pid, sig);
                reap(&c, 120);
            }
        }
        if (sig == SIGINT) {
            /* The interrupted run stops by itself, with what it did saved:
             * nothing in the simulator that the state does not know. */
            if (c.status > 1) {
                err = slurp(c.err_path);
                if (c.status == 128 + SIGINT)
                    signal_exits++;
                else
                    FAIL("%s: interrupted apply (at %ld ms) exited %d:\n%s",
                         dir, at_ms, c.status, err);
                free(err);
            }
            /* Even a run the signal ended (before or after the engine
             * ran) left nothing unsaved. */
            ASSERT_CONVERGED(dir, NULL);
        }
        /* The next apply, with no manual step between, converges. */
        run(dir, "again", 0, apply);
        {
            char path[4300];

            snprintf(path, sizeof(path), "%s/again.err", dir);
            err = slurp(path);
            ASSERT_STR_NOT_CONTAINS(err, "EntityAlreadyExists");
            ASSERT_STR_NOT_CONTAINS(err, "already exists");
            free(err);
        }
        tally_calls(&t);
        if (t.creates_ok != 4 * stacks)
            FAIL("%s: %ld successful creates over both runs for %ld stacks "
                 "(killed at %ld ms)",
                 dir, t.creates_ok, stacks, at_ms);
        ASSERT_CONVERGED(dir, NULL);
        /* No lock left behind, and nothing left to do. */
        RUN(dir, 0, "plan", "-detailed-exitcode", "-lock-timeout=0s",
            stacks_var);
        tally_calls(&t);
    }
    printf("# %s: %ld trials x %ld stacks (undisturbed apply %.2f s), "
           "signal %s at a uniform moment: %ld mid-run, %ld after the end%s; "
           "all converged on the next apply, 0 orphans, 0 duplicates, 0 "
           "locks left (%.0f s)\n",
           name, trials, stacks, full_s, name, before_end, after_end,
           sig == SIGINT ? "" : "", now_s() - t0);
    if (signal_exits)
        printf("# %s: %ld runs died of the signal itself (delivered before "
               "tern installed its handler)\n",
               name, signal_exits);
    tt_sim_stop(&sim);
}

TEST(reliability, kill_campaign)
{
    kill_campaign(SIGKILL, "SIGKILL");
}

TEST(reliability, interrupt_campaign)
{
    kill_campaign(SIGINT, "SIGINT");
}

/* ---- contention -------------------------------------------------------- */

TEST(reliability, contention_campaign)
{
    long rounds = env_long("TERN_REL_RUNS", 2);
    long stacks = env_long("TERN_REL_STACKS", 3);
    const char *sim_args[] = {"--latency-ms", "40", "--quiet", NULL};
    char stacks_var[64];
    long i, refused = 0, waited = 0, stale = 0;
    double t0 = now_s();

    start_sim(sim_args);
    snprintf(stacks_var, sizeof(stacks_var), "-var=stacks=%ld", stacks);
    for (i = 0; i < rounds; i++) {
        const char *dir = workdir("contention", i);
        int wait = i % 2;
        const char *lt = wait ? "-lock-timeout=60s" : "-lock-timeout=0s";
        const char *apply[] = {"apply", "-auto-approve", lt, stacks_var, NULL};
        struct child a, b;
        struct tally t = {0};

        control("POST", "reset", NULL);
        write_config(dir, stacks);
        spawn(&a, dir, "a", apply);
        spawn(&b, dir, "b", apply);
        reap(&a, 120);
        reap(&b, 120);
        if (wait) {
            /* Both succeed: the second waited, then found nothing to do. */
            if (a.status != 0 || b.status != 0)
                FAIL("%s: waiting applies exited %d and %d", dir, a.status,
                     b.status);
            waited++;
        } else {
            struct child *loser = a.status == 0 ? &b : &a;
            char *err = slurp(loser->err_path);

            if (!((a.status == 0) ^ (b.status == 0)))
                FAIL("%s: applies exited %d and %d: exactly one must run", dir,
                     a.status, b.status);
            ASSERT_EQ(loser->status, 1);
            ASSERT_STR_CONTAINS(err, "Error acquiring the state lock");
            ASSERT_STR_CONTAINS(err, "Operation: apply");
            ASSERT_STR_CONTAINS(err, "Pid:");
            free(err);
            refused++;
        }
        tally_calls(&t);
        if (t.creates_ok != 4 * stacks)
            FAIL("%s: %ld successful creates for %ld stacks", dir, t.creates_ok,
                 stacks);
        ASSERT_CONVERGED(dir, NULL);
        RUN(dir, 0, "plan", "-detailed-exitcode", stacks_var);

        /* A saved plan applied after the state moved is refused. */
        RUN(dir, 0, "plan", "-out=saved.tfplan", "-var=description=planned",
            stacks_var);
        RUN(dir, 0, "apply", "-auto-approve", "-var=description=moved",
            stacks_var);
        {
            const char *args[] = {"apply", "saved.tfplan", NULL};
            char path[4300], *err;

            run(dir, "stale", 1, args);
            snprintf(path, sizeof(path), "%s/stale.err", dir);
            err = slurp(path);
            ASSERT_STR_CONTAINS(err, "Saved plan is stale");
            free(err);
            stale++;
        }
        RUN(dir, 0, "plan", "-detailed-exitcode", "-var=description=moved",
            stacks_var);
        ASSERT_CONVERGED(dir, NULL);
        tally_calls(&t);
    }
    printf("# contention: %ld rounds of two applies started together: %ld "
           "with -lock-timeout=0s (one ran, the other refused naming the "
           "holder), %ld with -lock-timeout=60s (one waited); %ld stale "
           "saved plans refused; state intact every time (%.0f s)\n",
           rounds, refused, waited, stale, now_s() - t0);
    tt_sim_stop(&sim);
}

const struct tern_test test_reliability_list[] = {
    TEST_INTEGRATION(reliability, fault_campaign),
    TEST_INTEGRATION(reliability, kill_campaign),
    TEST_INTEGRATION(reliability, interrupt_campaign),
    TEST_INTEGRATION(reliability, contention_campaign),
    TEST_END,
};
