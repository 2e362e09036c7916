/*
 * bench_engine: figures for the engine (a program, not a timed test).
 *
 *     bench_engine [N] [LATENCY_MS] [PARALLELISM]   (defaults 5000 10 50)
 *
 * Against the test module (tests/support/test_module.c, from the test
 * support library):
 *   1. N resources, no latency: plan + apply from an empty state, then a
 *      plan that refreshes all N (no changes). CPU time (user + system,
 *      every thread) and peak RSS; targets < 2 s CPU, < 100 MB.
 *   2. N resources, LATENCY_MS per operation, PARALLELISM at once: the
 *      apply's wall time against the schedule bound N x latency /
 *      parallelism (target within 1.1x), and the same for the refresh.
 *
 * The state is a real SQLite file (WAL, synchronous=FULL) in $TMPDIR:
 * every create is an intent and a commit, two fsync'ed transactions, on
 * the loop thread.
 */
#include "test_module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void die_diags(const char *what, struct test_env *env)
{
    fprintf(stderr, "bench_engine: %s failed\n", what);
    if (env->diags.count)
        fprintf(stderr, "  %s: %s\n", env->diags.items[0].summary,
                env->diags.items[0].detail ? env->diags.items[0].detail : "");
    exit(1);
}

static void make_dir(char *out, size_t size, const char *tag)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(out, size, "%s/bench_engine.%s.XXXXXX", tmp ? tmp : "/tmp", tag);
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        exit(1);
    }
}

static void cleanup(const char *dir)
{
    char cmd[1200];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_engine: could not remove %s\n", dir);
}

struct run {
    double plan_wall, plan_cpu, apply_wall, apply_cpu, refresh_wall,
        refresh_cpu;
};

static void run(struct run *r, long n, unsigned int latency,
                unsigned int parallelism, const char *tag)
{
    struct test_env env;
    char dir[1024], cfg[256];
    tern_plan *p = NULL;
    double w, c;

    make_dir(dir, sizeof(dir), tag);
    if (test_env_init(&env, dir))
        die_diags("opening the state", &env);
    env.parallelism = parallelism;
    test_store_set_latency(env.store, latency);
    snprintf(cfg, sizeof(cfg),
             "resource \"test_object\" \"r\" {\n"
             "  count = %ld\n"
             "  name  = \"r-${count.index}\"\n"
             "  value = \"v\"\n"
             "  tags  = { index = count.index }\n"
             "}\n",
             n);
    if (test_env_config(&env, cfg))
        die_diags("loading the configuration", &env);
    w = wall();
    c = cpu();
    if (test_env_plan(&env, NULL, &p))
        die_diags("plan", &env);
    r->plan_wall = wall() - w;
    r->plan_cpu = cpu() - c;
    if ((long)tern_plan_change_count(p) != n)
        die_diags("plan (change count)", &env);
    w = wall();
    c = cpu();
    if (tern_engine_apply(env.engine, p, NULL, NULL, &env.diags))
        die_diags("apply", &env);
    r->apply_wall = wall() - w;
    r->apply_cpu = cpu() - c;
    tern_plan_free(p);
    w = wall();
    c = cpu();
    if (test_env_plan(&env, NULL, &p))
        die_diags("refresh plan", &env);
    r->refresh_wall = wall() - w;
    r->refresh_cpu = cpu() - c;
    if (tern_plan_change_count(p) != 0 ||
        test_store_count(env.store) != (size_t)n)
        die_diags("refresh plan (not converged)", &env);
    tern_plan_free(p);
    test_env_release(&env);
    cleanup(dir);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 5000;
    unsigned int latency =
        argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 10) : 10;
    unsigned int par = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 10) : 50;
    struct run a, b;
    double bound;

    /* libuv's pool, sized before any thread exists (as tern's main does). */
    setenv("UV_THREADPOOL_SIZE", "64", 0);

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    run(&a, n, 0, 10, "fast");
    printf("%ld resources, no latency, parallelism 10:\n", n);
    printf("  plan (empty state):  %.3f s CPU, %.3f s wall\n", a.plan_cpu,
           a.plan_wall);
    printf("  apply (%ld creates): %.3f s CPU, %.3f s wall\n", n, a.apply_cpu,
           a.apply_wall);
    printf("  plan + apply:        %.3f s CPU (target < 2 s)\n",
           a.plan_cpu + a.apply_cpu);
    printf("  plan (refresh %ld):  %.3f s CPU, %.3f s wall\n", n, a.refresh_cpu,
           a.refresh_wall);
    printf("  peak RSS:            %.1f MB (target < 100 MB)\n",
           (double)peak_rss_kb() / 1024.0);
    if (!latency)
        return 0;
    run(&b, n, latency, par, "slow");
    bound = (double)n * latency / 1000.0 / par;
    printf("%ld resources, %u ms per operation, parallelism %u "
           "(bound %.3f s):\n",
           n, latency, par, bound);
    printf("  apply:   %.3f s wall = %.2fx the bound (target 1.1x)\n",
           b.apply_wall, b.apply_wall / bound);
    printf("  plan with refresh: %.3f s wall = %.2fx the bound; without "
           "the plan's own work (%.3f s, measured above) %.2fx\n",
           b.refresh_wall, b.refresh_wall / bound, a.refresh_wall,
           (b.refresh_wall - a.refresh_wall) / bound);
    return 0;
}
