/*
 * databricks_cluster through the built tern against tern-sim:
 *
 *  - (the lifecycle, an apply that waits for RUNNING and the library, a
 *    cluster terminated outside tern that is no change, a failed start
 *    and a destroy, is golden: tests/cases/cli/503, 547-549);
 *  - progress: apply's "Still creating..." lines carry what the cluster
 *    waits for, its state and then its libraries, driven by the sim clock;
 *  - interrupt: Ctrl-C while the cluster starts stops the wait, not the
 *    cluster, and the state records it at once;
 *  - concurrency: ten independent clusters are created and awaited at
 *    once: every create is sent before the first cluster can have
 *    started (the sim's start-up time), so the apply takes about the
 *    slowest cluster's time, not the sum;
 *  - kill: SIGKILL tern at a uniformly random moment of create-and-wait,
 *    apply again: exactly one cluster, ever. TERN_CLUSTER_KILL_TRIALS
 *    trials (3 in the suite; scripts/campaign-cluster-kill.sh runs 50),
 *    TERN_CLUSTER_KILL_SEED seeds the kill times.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROFILE "arn:aws:iam::123456789012:instance-profile/deploy"

static const char cluster_tf[] =
    "terraform {\n"
    "  required_providers {\n"
    "    databricks = { source = \"databricks/databricks\" }\n"
    "  }\n"
    "}\n"
    "resource \"databricks_cluster\" \"deploy\" {\n"
    "  cluster_name            = \"deploy\"\n"
    "  spark_version           = \"15.4.x-scala2.12\"\n"
    "  node_type_id            = \"i3.xlarge\"\n"
    "  num_workers             = 1\n"
    "  autotermination_minutes = 20\n"
    "  aws_attributes {\n"
    "    instance_profile_arn = \"" PROFILE "\"\n"
    "    zone_id              = \"auto\"\n"
    "  }\n"
    "  library {\n"
    "    pypi {\n"
    "      package = \"mlflow\"\n"
    "    }\n"
    "  }\n"
    "}\n";

static void control(const struct tt_sim *sim, const char *method,
                    const char *path, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, sim, method, path, json));
    if (r.status != 200)
        FAIL("/_sim/%s: HTTP %ld: %s", path, r.status, r.body);
    tt_response_release(&r);
}

static json_t *control_json(const struct tt_sim *sim, const char *path)
{
    struct tt_response r;
    json_t *j;

    ASSERT_OK(tt_sim_control(&r, sim, "GET", path, NULL));
    ASSERT_EQ(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    ASSERT_NOT_NULL(j);
    return j;
}

static void setup(struct tt_sim *sim, const char *const *args)
{
    ASSERT_OK(tt_sim_start(sim, args));
    control(sim, "POST", "load",
            "{\"databricks\": {\"instance_profiles\": [{"
            "\"instance_profile_arn\": \"" PROFILE "\"}]}}");
}

static const char *workdir(const char *kind, long n)
{
    static char dir[4200];

    snprintf(dir, sizeof(dir), "%s/%s-%04ld", tern_test_tmpdir(), kind, n);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        FAIL("mkdir %s: %s", dir, strerror(errno));
    return dir;
}

#define EXPECT(r, dir, env, status, ...)                                       \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        char *why_ = tt_run_expect((r), (dir), (env), args_, (status));        \
        if (why_)                                                              \
            FAIL("%s", why_);                                                  \
    } while (0)

static void advance(int pid, void *arg)
{
    (void)pid;
    control(arg, "POST", "clock", "{\"advance_ms\": 600000}");
}

/* Which of the forms a progress line of apply is (the elapsed seconds
 * taken from it): 0 none, 1 "(cluster PENDING)", 2 "(cluster RUNNING)", 3
 * "(installing libraries)"; -1 none of them. */
static int progress_form(const char *line, size_t len)
{
    static const char *const suffix[] = {"", " (cluster PENDING)",
                                         " (cluster RUNNING)",
                                         " (installing libraries)"};
    const char *b = memchr(line, '[', len);
    long secs = b ? strtol(b + 1, NULL, 10) : 0;
    char want[256];
    int k;

    for (k = 0; k < 4; k++) {
        snprintf(want, sizeof(want),
                 "databricks_cluster.deploy: Still creating... [%lds "
                 "elapsed]%s",
                 secs, suffix[k]);
        if (strlen(want) == len && memcmp(want, line, len) == 0)
            return k;
    }
    return -1;
}

/* The progress lines say what the cluster waits for: PENDING until the
 * sim clock passes its start-up time, then its library. */
TEST(dbx_cluster, progress_lines)
{
    struct tt_sim sim;
    struct tt_sim_env env;
    struct tt_run r = {0};
    const char *dir = workdir("progress", 0);
    const char *apply[] = {"apply", "-auto-approve", "-no-color", NULL};
    const struct tt_stage stages[] = {
        /* Whatever second the first poll's answer shows up in: a slow
         * machine (ThreadSanitizer) prints "[1s elapsed]" bare first. */
        {" (cluster PENDING)\n", advance, &sim},
        {" (installing libraries)\n", advance, &sim},
        {NULL, NULL, NULL}};
    const char *p, *nl;
    int last = 0, seen[4] = {0, 0, 0, 0};

    setup(&sim, NULL);
    tt_sim_env_init(&env, &sim);
    tt_sim_env_add(&env, "TERN_PROGRESS_INTERVAL=1");
    control(&sim, "POST", "clusters",
            "{\"startup_ms\": 600000, \"library_ms\": 600000}");
    ASSERT_OK(tt_write_file(dir, "main.tf", cluster_tf));
    EXPECT(&r, dir, env.env, 0, "init");
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_stages(&r, dir, NULL, env.env, apply, stages));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_EQ(r.err, "");
    /* Every progress line is Terraform's line and one of the texts, in
     * the order the cluster goes through them. */
    for (p = r.out; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        int k;

        if (!memmem(p, (size_t)(nl - p), "Still creating...", 17))
            continue;
        k = progress_form(p, (size_t)(nl - p));
        if (k < 0 || k < last)
            FAIL("unexpected progress line %.*s in:\n%s", (int)(nl - p), p,
                 r.out);
        last = k;
        seen[k]++;
    }
    ASSERT_CMP(seen[1], >=, 1);
    ASSERT_CMP(seen[3], >=, 1);
    ASSERT_STR_CONTAINS(r.out,
                        "Apply complete! Resources: 1 added, 0 changed, 0 "
                        "destroyed.\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* One Ctrl-C while the cluster starts: the wait stops, the cluster does
 * not, and the state has it at once. */
TEST(dbx_cluster, interrupt_keeps_cluster)
{
    const long sigint_ms[2] = {1, 0};
    struct tt_sim sim;
    struct tt_sim_env env;
    struct tt_run r = {0};
    const char *dir = workdir("interrupt", 0);
    const char *apply[] = {"apply", "-auto-approve", NULL};
    json_t *j, *c;

    setup(&sim, NULL);
    tt_sim_env_init(&env, &sim);
    tt_sim_env_add(&env, "TERN_PROGRESS_INTERVAL=1");
    control(&sim, "POST", "clusters", "{\"startup_ms\": 8000}");
    ASSERT_OK(tt_write_file(dir, "main.tf", cluster_tf));
    EXPECT(&r, dir, env.env, 0, "init");
    tt_run_release(&r);
    ASSERT_OK(tt_run_tern_interrupt(&r, dir, env.env, apply,
                                    "deploy: Still creating...", sigint_ms));
    ASSERT_EQ(r.status, 1);
    j = control_json(&sim, "clusters");
    ASSERT_EQ(json_array_size(json_object_get(j, "clusters")), 1);
    c = json_array_get(json_object_get(j, "clusters"), 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(c, "state")), "PENDING");
    EXPECT(&r, dir, env.env, 0, "state", "list");
    ASSERT_STR_EQ(r.out, "databricks_cluster.deploy\n");
    EXPECT(&r, dir, env.env, 0, "state", "show", "databricks_cluster.deploy");
    ASSERT_STR_CONTAINS(r.out,
                        "    state                       = \"PENDING\"\n");
    /* The next apply reads it, waits for it and installs the library:
     * still the one cluster. */
    control(&sim, "POST", "clusters", "{\"startup_ms\": 0}");
    EXPECT(&r, dir, env.env, 0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Resources: 0 added, 1 changed, 0 destroyed.");
    json_decref(j);
    j = control_json(&sim, "clusters");
    ASSERT_EQ(json_array_size(json_object_get(j, "clusters")), 1);
    json_decref(j);
    EXPECT(&r, dir, env.env, 0, "plan", "-detailed-exitcode");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* Ten clusters, created and awaited concurrently. */
TEST(dbx_cluster, ten_concurrent)
{
    static const char tf[] =
        "terraform {\n"
        "  required_providers {\n"
        "    databricks = { source = \"databricks/databricks\" }\n"
        "  }\n"
        "}\n"
        "resource \"databricks_cluster\" \"c\" {\n"
        "  count         = 10\n"
        "  cluster_name  = \"c-${count.index}\"\n"
        "  spark_version = \"15.4.x-scala2.12\"\n"
        "  node_type_id  = \"i3.xlarge\"\n"
        "}\n";
    const long startup_ms = 3000;
    struct tt_sim sim;
    struct tt_sim_env env;
    struct tt_run r = {0};
    const char *dir = workdir("ten", 0);
    json_t *j, *c;
    json_int_t first = -1, last = -1;
    char settings[64];
    size_t i, creates = 0, running = 0;

    setup(&sim, NULL);
    tt_sim_env_init(&env, &sim);
    snprintf(settings, sizeof(settings), "{\"startup_ms\": %ld}", startup_ms);
    control(&sim, "POST", "clusters", settings);
    ASSERT_OK(tt_write_file(dir, "main.tf", tf));
    EXPECT(&r, dir, env.env, 0, "init");
    control(&sim, "DELETE", "calls", NULL);
    EXPECT(&r, dir, env.env, 0, "apply", "-auto-approve");
    j = control_json(&sim, "calls");
    json_array_foreach(json_object_get(j, "calls"), i, c)
    {
        json_int_t t = json_integer_value(json_object_get(c, "start_ms"));

        if (strcmp(json_string_value(json_object_get(c, "action")),
                   "clusters/create") != 0)
            continue;
        creates++;
        if (first < 0 || t < first)
            first = t;
        if (t > last)
            last = t;
    }
    json_decref(j);
    ASSERT_EQ(creates, 10);
    /* Every create went out before the first cluster could be RUNNING:
     * the waits overlapped. */
    if (last - first >= startup_ms)
        FAIL("the creates spread over %lld ms, more than a cluster's "
             "start-up (%ld ms): the clusters were awaited one by one",
             (long long)(last - first), startup_ms);
    j = control_json(&sim, "clusters");
    json_array_foreach(json_object_get(j, "clusters"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "state")), "RUNNING") ==
            0)
            running++;
    }
    ASSERT_EQ(running, 10);
    json_decref(j);
    printf("# ten clusters: the 10 creates within %lld ms, each cluster's "
           "start-up %ld ms\n",
           (long long)(last - first), startup_ms);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* ---- the kill test ------------------------------------------------------ */

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

/* The kill moment, not a synchronisation: tern runs meanwhile. */
static void wait_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* `tern apply -auto-approve` in @dir, outputs in files there. */
static pid_t spawn_apply(const char *dir, const char *const *env)
{
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        char path[4300];
        int o, e;
        size_t i;

        if (chdir(dir) != 0)
            _exit(126);
        snprintf(path, sizeof(path), "%s/killed.out", dir);
        o = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        snprintf(path, sizeof(path), "%s/killed.err", dir);
        e = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0)
            _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        for (i = 0; env[i]; i++) {
            char name[128];
            const char *eq = strchr(env[i], '=');
            size_t n = eq ? (size_t)(eq - env[i]) : 0;

            if (!eq || n >= sizeof(name))
                continue;
            memcpy(name, env[i], n);
            name[n] = '\0';
            if (eq[1])
                setenv(name, eq + 1, 1);
            else
                unsetenv(name);
        }
        execl(TERN_TEST_BIN_PATH, "tern", "apply", "-auto-approve",
              (char *)NULL);
        _exit(127);
    }
    return pid;
}

TEST(dbx_cluster, kill_trials)
{
    long trials = env_long("TERN_CLUSTER_KILL_TRIALS", 3);
    long seed = env_long("TERN_CLUSTER_KILL_SEED", 1);
    const char *sim_args[] = {"--latency-ms", "20", "--quiet", NULL};
    struct tt_sim sim;
    struct tt_sim_env env;
    struct tt_run r = {0};
    double full_s, t0 = now_s();
    long i, mid = 0, after = 0, adopted = 0;

    rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
    setup(&sim, sim_args);
    tt_sim_env_init(&env, &sim);
    {
        const char *dir = workdir("kill", 9999);
        double ta;

        control(&sim, "POST", "clusters",
                "{\"startup_ms\": 1500, \"library_ms\": 300}");
        ASSERT_OK(tt_write_file(dir, "main.tf", cluster_tf));
        EXPECT(&r, dir, env.env, 0, "init");
        ta = now_s();
        EXPECT(&r, dir, env.env, 0, "apply", "-auto-approve");
        full_s = now_s() - ta;
    }
    for (i = 0; i < trials; i++) {
        const char *dir = workdir("kill", i);
        long at_ms = (long)(rng_next() % (uint64_t)(full_s * 1000 + 1));
        json_t *j, *c, *libs;
        int st = 0;
        pid_t pid;
        char path[256];
        struct tt_response resp;
        const char *hdr[] = {"Authorization: Bearer "
                             "dapi-ternsim-default-token-0001",
                             NULL};

        control(&sim, "POST", "reset", NULL);
        control(&sim, "POST", "load",
                "{\"databricks\": {\"instance_profiles\": [{"
                "\"instance_profile_arn\": \"" PROFILE "\"}]}}");
        control(&sim, "POST", "clusters",
                "{\"startup_ms\": 1500, \"library_ms\": 300}");
        ASSERT_OK(tt_write_file(dir, "main.tf", cluster_tf));
        EXPECT(&r, dir, env.env, 0, "init");
        pid = spawn_apply(dir, env.env);
        wait_ms(at_ms);
        if (waitpid(pid, &st, WNOHANG) == pid) {
            after++;
        } else {
            mid++;
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
        }
        /* Again, with no step between: it converges. */
        EXPECT(&r, dir, env.env, 0, "apply", "-auto-approve");
        if (strstr(r.out, "adopt"))
            adopted++;
        j = control_json(&sim, "clusters");
        if (json_array_size(json_object_get(j, "clusters")) != 1)
            FAIL("%s: %zu clusters after the kill at %ld ms and a second "
                 "apply, expected 1:\n%s",
                 dir, json_array_size(json_object_get(j, "clusters")), at_ms,
                 json_dumps(j, JSON_INDENT(1)));
        c = json_array_get(json_object_get(j, "clusters"), 0);
        ASSERT(json_is_false(json_object_get(c, "deleted")));
        /* Its library is there. */
        snprintf(path, sizeof(path),
                 "%s/api/2.0/libraries/cluster-status?cluster_id=%s",
                 sim.base_url,
                 json_string_value(json_object_get(c, "cluster_id")));
        ASSERT_OK(tt_http(&resp, "GET", path, hdr, NULL, 0));
        libs = json_loads(resp.body, 0, NULL);
        tt_response_release(&resp);
        ASSERT_EQ(json_array_size(json_object_get(libs, "library_statuses")),
                  1);
        json_decref(libs);
        json_decref(j);
        EXPECT(&r, dir, env.env, 0, "plan", "-detailed-exitcode",
               "-lock-timeout=0s");
    }
    printf("# cluster kill: %ld trials (undisturbed apply %.2f s, seed %ld), "
           "SIGKILL at a uniform moment: %ld mid-run, %ld after the end, "
           "%ld adopted by the next apply; exactly one cluster in every "
           "trial (%.0f s)\n",
           trials, full_s, seed, mid, after, adopted, now_s() - t0);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_dbx_cluster_list[] = {
    TEST_INTEGRATION(dbx_cluster, progress_lines),
    TEST_INTEGRATION(dbx_cluster, interrupt_keeps_cluster),
    TEST_INTEGRATION(dbx_cluster, ten_concurrent),
    TEST_INTEGRATION(dbx_cluster, kill_trials), TEST_END};
