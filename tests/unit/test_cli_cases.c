/*
 * Golden CLI cases: each directory tests/cases/cli/NNN-slug/ holds the
 * input files of a working directory (main.tf, state files, ...) and the
 * commands and what they must do. The format is described in
 * tests/cases/README.md; in short:
 *
 *   cmd          one tern invocation per line (arguments separated by
 *                spaces; '...' quotes one argument; leading NAME=VALUE
 *                words set environment variables for that run, as in a
 *                shell; a leading "[N]" is the exit status a set-up line
 *                must have, 0 when absent). The last line is the one
 *                checked against expect/. A set-up line starting with
 *                "@" is the runner's own: "@cp FROM TO" copies a file of
 *                the working directory over another, "@iam ACTION
 *                Name=Value ..." makes an IAM call to the sim.
 *   sim.json     the case runs against tern-sim: the sim is reset, this
 *                is POSTed to /_sim/load (its dump's shape, "{}" for an
 *                empty sim) and every command gets the sim's endpoints
 *                and credentials.
 *   expect/stdout, expect/stderr   both required, empty when the stream is
 *   expect/exit-code               default 0
 *   expect/calls            tern-sim's call log of the last command, one
 *                           "service action status [error]" a line, in
 *                           the order the sim logged them
 *   expect/calls-unordered  the same as a multiset (sorted lines), where
 *                           parallel operations leave the order open
 *   expect/state            `tern state pull` after the last command
 *   expect/sim-iam          the sim's IAM objects after it (its dump's
 *                           "iam", each list sorted by name)
 *
 * Lineage UUIDs and timestamps are replaced by <UUID> and <TIME> before
 * comparing, the state's serial by <SERIAL> and the sim's address by
 * <SIM>. TERN_UPDATE_GOLDEN=1
 * rewrites the expected files (calls and state only where they exist).
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_hex(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isxdigit((unsigned char)p[i]))
            return 0;
    return 1;
}

/* Replace UUIDs and ISO timestamps, in place (never longer). */
static void normalise(char *s)
{
    char *w = s, *p = s;

    while (*p) {
        if (strlen(p) >= 36 && is_hex(p, 8) && p[8] == '-' &&
            is_hex(p + 9, 4) && p[13] == '-' && is_hex(p + 14, 4) &&
            p[18] == '-' && is_hex(p + 19, 4) && p[23] == '-' &&
            is_hex(p + 24, 12)) {
            memcpy(w, "<UUID>", 6);
            w += 6;
            p += 36;
            continue;
        }
        if (strlen(p) >= 20 && isdigit((unsigned char)p[0]) &&
            isdigit((unsigned char)p[3]) && p[4] == '-' && p[7] == '-' &&
            p[10] == 'T' && p[13] == ':' && p[16] == ':') {
            const char *q = p + 19;

            while (*q == '.' || isdigit((unsigned char)*q))
                q++;
            if (*q == 'Z') {
                memcpy(w, "<TIME>", 6);
                w += 6;
                p = (char *)q + 1;
                continue;
            }
        }
        *w++ = *p++;
    }
    *w = '\0';
}

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *text;
    struct stat st;
    FILE *f;

    /* A directory (a child module's) is copied whole. */
    if (stat(from, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(from);
        struct dirent *de;
        char a[4096], b[4096];

        if (!d || mkdir(to, 0755) != 0)
            FAIL("copy %s", from);
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
            snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
            copy_file(a, b);
        }
        closedir(d);
        return;
    }
    text = tt_read_file(from, &len);
    if (!text)
        FAIL("read %s", from);
    f = fopen(to, "w");
    if (!f || fwrite(text, 1, len, f) != len)
        FAIL("write %s", to);
    fclose(f);
    free(text);
}

/* Split a command line into arguments (static storage, NULL-terminated). */
static const char **split(char *line)
{
    static const char *args[64];
    size_t n = 0;
    char *p = line;

    while (*p && n < 63) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (*p == '\'') {
            args[n++] = ++p;
            while (*p && *p != '\'')
                p++;
        } else {
            args[n++] = p;
            while (*p && *p != ' ')
                p++;
        }
        if (*p)
            *p++ = '\0';
    }
    args[n] = NULL;
    return args;
}

/* NAME=VALUE with NAME starting with a capital (TF_CLI_ARGS_plan): an
 * environment assignment; commands start with a small letter. */
static int is_assignment(const char *arg)
{
    const char *p = arg;

    if (!((*p >= 'A' && *p <= 'Z') || *p == '_'))
        return 0;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
           (*p >= '0' && *p <= '9'))
        p++;
    return *p == '=';
}

static int compare(const char *casedir, const char *name, const char *got)
{
    char path[4096];
    char *want;
    int update = getenv("TERN_UPDATE_GOLDEN") != NULL;

    snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
    want = tt_read_file(path, NULL);
    if (!want && !update) {
        /* A case says what both streams hold, empty included: a file
         * left out would silently skip the comparison. */
        fprintf(stderr,
                "# %s: no expect/%s (record it with TERN_UPDATE_GOLDEN=1)\n",
                casedir, name);
        return 1;
    }
    if (update) {
        FILE *f;

        snprintf(path, sizeof(path), "%s/expect", casedir);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
        f = fopen(path, "w");
        if (f) {
            fputs(got, f);
            fclose(f);
        }
        free(want);
        return 0;
    }
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "# %s: %s differs\n--- expected\n%s--- got\n%s---\n",
                casedir, name, want, got);
        free(want);
        return 1;
    }
    free(want);
    return 0;
}

/* The shard's tern-sim, started by the first case that has a sim.json. */
static struct tt_sim case_sim;
static int case_sim_up;

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sim's call log, one "service action status [error]" a line; sorted
 * when @sorted. A new string (free()). */
static char *sim_calls(int sorted)
{
    struct tt_response r;
    json_t *root, *calls, *c;
    size_t i, n, len = 0;
    char **lines, *out;

    if (tt_sim_control(&r, &case_sim, "GET", "calls", NULL) != 0 ||
        r.status != 200)
        FAIL("GET /_sim/calls: %ld", r.status);
    root = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    calls = json_object_get(root, "calls");
    n = json_array_size(calls);
    lines = calloc(n + 1, sizeof(*lines));
    ASSERT_NOT_NULL(lines);
    json_array_foreach(calls, i, c)
    {
        const char *err = json_string_value(json_object_get(c, "error_code"));
        char buf[512];

        snprintf(buf, sizeof(buf), "%s %s %lld%s%s\n",
                 json_string_value(json_object_get(c, "service")),
                 json_string_value(json_object_get(c, "action")),
                 (long long)json_integer_value(json_object_get(c, "status")),
                 err && *err ? " " : "", err && *err ? err : "");
        lines[i] = strdup(buf);
        len += strlen(buf);
    }
    json_decref(root);
    if (sorted)
        qsort(lines, n, sizeof(*lines), cmp_lines);
    out = calloc(len + 1, 1);
    ASSERT_NOT_NULL(out);
    for (i = 0; i < n; i++) {
        strcat(out, lines[i]);
        free(lines[i]);
    }
    free(lines);
    return out;
}

static int cmp_named(const void *a, const void *b)
{
    const char *x =
        json_string_value(json_object_get(*(json_t *const *)a, "name"));
    const char *y =
        json_string_value(json_object_get(*(json_t *const *)b, "name"));

    return strcmp(x ? x : "", y ? y : "");
}

/* The sim's IAM objects (its dump's "iam"), each list sorted by name, as
 * parallel creates leave the sim's own order open. A new string (free()). */
static char *sim_iam_text(void)
{
    static const char *const lists[] = {"roles", "instance_profiles",
                                        "policies"};
    struct tt_response r;
    json_t *root, *iam;
    char *text, *out;
    size_t i, k;

    if (tt_sim_control(&r, &case_sim, "GET", "dump", NULL) != 0 ||
        r.status != 200)
        FAIL("GET /_sim/dump: %ld", r.status);
    root = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    iam = json_object_get(root, "iam");
    ASSERT_NOT_NULL(iam);
    for (k = 0; k < 3; k++) {
        json_t *list = json_object_get(iam, lists[k]), *sorted = json_array();
        size_t n = json_array_size(list);
        json_t **items = calloc(n + 1, sizeof(*items));

        ASSERT_NOT_NULL(items);
        for (i = 0; i < n; i++)
            items[i] = json_array_get(list, i);
        qsort(items, n, sizeof(*items), cmp_named);
        for (i = 0; i < n; i++)
            json_array_append(sorted, items[i]);
        free(items);
        json_object_set_new(iam, lists[k], sorted);
    }
    text = json_dumps(iam, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    ASSERT_NOT_NULL(text);
    out = malloc(strlen(text) + 2);
    ASSERT_NOT_NULL(out);
    sprintf(out, "%s\n", text);
    free(text);
    return out;
}

/* `"serial": N` becomes `"serial": <SERIAL>`, in place: @s has room for
 * 8 more characters. */
static void mask_serial(char *s)
{
    char *q = strstr(s, "\"serial\": "), *e;

    if (!q)
        return;
    q += strlen("\"serial\": ");
    for (e = q; isdigit((unsigned char)*e);)
        e++;
    memmove(q + 8, e, strlen(e) + 1);
    memcpy(q, "<SERIAL>", 8);
}

/* An optional comparison (expect/@name), done only when the file exists. */
static int compare_optional(const char *casedir, const char *name,
                            const char *got)
{
    char path[12288];
    struct stat st;

    snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
    if (stat(path, &st) != 0)
        return 0;
    return compare(casedir, name, got);
}

static int has_expect(const char *casedir, const char *name)
{
    char path[12288];
    struct stat st;

    snprintf(path, sizeof(path), "%s/expect/%s", casedir, name);
    return stat(path, &st) == 0;
}

/* The sim's address ("http://127.0.0.1:PORT", a new port each run)
 * becomes <SIM>, in place (never longer). */
static void mask_sim(char *s)
{
    size_t n = strlen(case_sim.base_url);
    char *w = s, *p = s;

    while (*p) {
        if (strncmp(p, case_sim.base_url, n) == 0) {
            memcpy(w, "<SIM>", 5);
            w += 5;
            p += n;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
}

/* Reset the shard's sim (starting it first if need be) and load @seed. */
static void sim_prepare(const char *seed_path)
{
    struct tt_response r;
    char *seed = tt_read_file(seed_path, NULL);

    if (!seed)
        FAIL("read %s", seed_path);
    if (!case_sim_up) {
        if (tt_sim_start(&case_sim, NULL) != 0)
            FAIL("tern-sim did not start");
        case_sim_up = 1;
    }
    if (tt_sim_control(&r, &case_sim, "POST", "reset", "{}") != 0 ||
        r.status != 200)
        FAIL("POST /_sim/reset: %ld", r.status);
    tt_response_release(&r);
    if (tt_sim_control(&r, &case_sim, "POST", "load", seed) != 0 ||
        r.status != 200)
        FAIL("POST /_sim/load %s: %ld %s", seed_path, r.status,
             r.body ? r.body : "");
    tt_response_release(&r);
    free(seed);
}

static void sim_clear_calls(void)
{
    struct tt_response r;

    if (tt_sim_control(&r, &case_sim, "DELETE", "calls", NULL) != 0 ||
        r.status != 200)
        FAIL("DELETE /_sim/calls: %ld", r.status);
    tt_response_release(&r);
}

/* "@iam ACTION Name=Value ...": an IAM call made outside tern, between two
 * commands; it must succeed. */
static int sim_iam_call(const char *slug, char *line)
{
    const char **args = split(line), *params[64];
    struct tt_response resp;
    size_t n = 0, i;
    int failed = 0;

    for (i = 1; args[i] && n < 62; i++) {
        char *eq = strchr(args[i], '=');

        if (!eq)
            FAIL("%s: @iam argument without '=': %s", slug, args[i]);
        *eq = '\0';
        params[n++] = args[i];
        params[n++] = eq + 1;
    }
    params[n] = NULL;
    if (!args[0] || tt_iam(&resp, &case_sim, args[0], params) != 0)
        FAIL("%s: @iam %s: no answer", slug, args[0] ? args[0] : "");
    if (resp.status != 200) {
        fprintf(stderr, "# %s: @iam %s: %ld\n%s\n", slug, args[0], resp.status,
                resp.body);
        failed = 1;
    }
    tt_response_release(&resp);
    return failed;
}

/* A set-up line the runner carries out itself: "@cp FROM TO" copies a file
 * of the working directory over another (a configuration changed between
 * two commands), "@iam ..." calls the sim (sim_iam_call). */
static int builtin(const char *slug, const char *work, char *line, int use_sim)
{
    char from[8192], to[8192];
    const char **args;

    if (strncmp(line, "@iam ", 5) == 0) {
        if (!use_sim)
            FAIL("%s: @iam without sim.json", slug);
        return sim_iam_call(slug, line + 5);
    }
    if (strncmp(line, "@cp ", 4) != 0)
        FAIL("%s: unknown runner line %s", slug, line);
    args = split(line + 4);
    if (!args[0] || !args[1] || args[2])
        FAIL("%s: @cp takes FROM and TO", slug);
    snprintf(from, sizeof(from), "%s/%s", work, args[0]);
    snprintf(to, sizeof(to), "%s/%s", work, args[1]);
    copy_file(from, to);
    return 0;
}

static int run_case(const char *casedir, const char *slug)
{
    char work[4096], path[8704], from[8704], code[32];
    char *cmd, *line, *next;
    struct dirent *de;
    struct tt_run r = {NULL, NULL, 0};
    struct tt_sim_env senv;
    struct stat st;
    DIR *d;
    int failed = 0, use_sim;

    snprintf(work, sizeof(work), "%s/%s", tern_test_tmpdir(), slug);
    if (mkdir(work, 0755) != 0)
        FAIL("mkdir %s: %s", work, strerror(errno));
    d = opendir(casedir);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "cmd") == 0 ||
            strcmp(de->d_name, "expect") == 0 ||
            strcmp(de->d_name, "sim.json") == 0)
            continue;
        snprintf(from, sizeof(from), "%s/%s", casedir, de->d_name);
        snprintf(path, sizeof(path), "%s/%s", work, de->d_name);
        copy_file(from, path);
    }
    closedir(d);
    snprintf(path, sizeof(path), "%s/sim.json", casedir);
    use_sim = stat(path, &st) == 0;
    if (use_sim) {
        sim_prepare(path);
        tt_sim_env_init(&senv, &case_sim);
    }
    snprintf(path, sizeof(path), "%s/cmd", casedir);
    cmd = tt_read_file(path, NULL);
    if (!cmd)
        FAIL("%s: no cmd file", casedir);
    for (line = cmd; line && *line; line = next) {
        int want_status = 0, last;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '\0' || *line == '#')
            continue;
        last = !(next && *next);
        if (line[0] == '@') {
            if (last)
                FAIL("%s: the last line must run tern", slug);
            failed |= builtin(slug, work, line, use_sim);
            continue;
        }
        if (line[0] == '[') {
            want_status = atoi(line + 1);
            line = strchr(line, ']');
            if (!line)
                FAIL("%s: '[' without ']' in cmd", slug);
            line++;
        }
        tt_run_release(&r);
        if (use_sim && last)
            sim_clear_calls();
        {
            const char **args = split(line), *env[TT_SIM_ENV_MAX + 16];
            size_t n = 0, k;

            if (use_sim)
                for (k = 0; senv.env[k]; k++)
                    env[n++] = senv.env[k];
            while (args[0] && n < TT_SIM_ENV_MAX + 15 && is_assignment(args[0]))
                env[n++] = *args++;
            env[n] = NULL;
            if (tt_run_tern_env(&r, work, NULL, env, args) != 0)
                FAIL("running tern for %s", slug);
        }
        if (!last && r.status != want_status) {
            fprintf(stderr, "# %s: set-up step exit %d, expected %d:\n%s%s",
                    slug, r.status, want_status, r.out, r.err);
            failed = 1;
        }
    }
    normalise(r.out);
    normalise(r.err);
    if (use_sim) {
        mask_sim(r.out);
        mask_sim(r.err);
    }
    snprintf(code, sizeof(code), "%d\n", r.status);
    failed |= compare(casedir, "stdout", r.out);
    failed |= compare(casedir, "stderr", r.err);
    snprintf(path, sizeof(path), "%s/expect/exit-code", casedir);
    {
        char *want = tt_read_file(path, NULL);

        if (getenv("TERN_UPDATE_GOLDEN"))
            failed |= compare(casedir, "exit-code", code);
        else if (atoi(want ? want : "0") != r.status) {
            fprintf(stderr, "# %s: exit %d, expected %s\n", slug, r.status,
                    want ? want : "0");
            failed = 1;
        }
        free(want);
    }
    if (has_expect(casedir, "calls") ||
        has_expect(casedir, "calls-unordered")) {
        char *calls;

        if (!use_sim)
            FAIL("%s: expect/calls without sim.json", slug);
        calls = sim_calls(0);
        failed |= compare_optional(casedir, "calls", calls);
        free(calls);
        calls = sim_calls(1);
        failed |= compare_optional(casedir, "calls-unordered", calls);
        free(calls);
    }
    if (has_expect(casedir, "sim-iam")) {
        char *text;

        if (!use_sim)
            FAIL("%s: expect/sim-iam without sim.json", slug);
        text = sim_iam_text();
        normalise(text);
        failed |= compare(casedir, "sim-iam", text);
        free(text);
    }
    if (has_expect(casedir, "state")) {
        static const char *const pull[] = {"state", "pull", NULL};
        struct tt_run sp = {NULL, NULL, 0};
        char *text;

        if (tt_run_tern_env(&sp, work, NULL, use_sim ? senv.env : NULL, pull) !=
                0 ||
            sp.status != 0)
            FAIL("%s: state pull: %d %s", slug, sp.status, sp.err);
        text = malloc(strlen(sp.out) + 16);
        ASSERT_NOT_NULL(text);
        strcpy(text, sp.out);
        normalise(text);
        mask_serial(text);
        if (use_sim)
            mask_sim(text);
        failed |= compare(casedir, "state", text);
        free(text);
        tt_run_release(&sp);
    }
    tt_run_release(&r);
    free(cmd);
    return failed;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every twelfth case, from @shard: twelve shards, so that none nears the
 * runner's 120 s limit under ASan on a loaded machine (with 156 cases,
 * three took 45 s each without ASan at a load of 23, and one of six timed
 * out at a load of 30). */
#define CLI_SHARDS 12

static void run_shard(size_t shard)
{
    char dir[4096], casedir[8192];
    char *names[1024];
    size_t n = 0, i;
    struct dirent *de;
    DIR *d;
    int failed = 0;
    const char *only = getenv("TERN_CASES");

    snprintf(dir, sizeof(dir), "%s/tests/cases/cli", tern_test_source_dir());
    d = opendir(dir);
    ASSERT_NOT_NULL(d);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.') {
            /* Never skip a case silently. */
            if (n == sizeof(names) / sizeof(names[0]))
                FAIL("more than %zu cases in %s", n, dir);
            names[n++] = strdup(de->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    for (i = 0; i < n; i++) {
        snprintf(casedir, sizeof(casedir), "%s/%s", dir, names[i]);
        /* The runner's limit is per case: a case directory, not the
         * shard, is what must not hang (a slow, loaded machine takes
         * seconds per command under ASan). */
        if (i % CLI_SHARDS == shard)
            alarm(120);
        if (i % CLI_SHARDS == shard &&
            (!only || fnmatch(only, names[i], 0) == 0) &&
            run_case(casedir, names[i])) {
            fprintf(stderr, "# FAILED: %s\n", names[i]);
            failed++;
        }
        free(names[i]);
    }
    if (case_sim_up) {
        tt_sim_stop(&case_sim);
        case_sim_up = 0;
    }
    ASSERT_CMP(n, >, 0);
    ASSERT_EQ(failed, 0);
}

TEST(cli_cases, golden_1)
{
    run_shard(0);
}

TEST(cli_cases, golden_2)
{
    run_shard(1);
}

TEST(cli_cases, golden_3)
{
    run_shard(2);
}

TEST(cli_cases, golden_4)
{
    run_shard(3);
}

TEST(cli_cases, golden_5)
{
    run_shard(4);
}

TEST(cli_cases, golden_6)
{
    run_shard(5);
}

TEST(cli_cases, golden_7)
{
    run_shard(6);
}

TEST(cli_cases, golden_8)
{
    run_shard(7);
}

TEST(cli_cases, golden_9)
{
    run_shard(8);
}

TEST(cli_cases, golden_10)
{
    run_shard(9);
}

TEST(cli_cases, golden_11)
{
    run_shard(10);
}

TEST(cli_cases, golden_12)
{
    run_shard(11);
}

const struct tern_test test_cli_cases_list[] = {
    TEST_INTEGRATION(cli_cases, golden_1),
    TEST_INTEGRATION(cli_cases, golden_2),
    TEST_INTEGRATION(cli_cases, golden_3),
    TEST_INTEGRATION(cli_cases, golden_4),
    TEST_INTEGRATION(cli_cases, golden_5),
    TEST_INTEGRATION(cli_cases, golden_6),
    TEST_INTEGRATION(cli_cases, golden_7),
    TEST_INTEGRATION(cli_cases, golden_8),
    TEST_INTEGRATION(cli_cases, golden_9),
    TEST_INTEGRATION(cli_cases, golden_10),
    TEST_INTEGRATION(cli_cases, golden_11),
    TEST_INTEGRATION(cli_cases, golden_12),
    TEST_END};
