/*
 * Golden CLI cases: each directory tests/cases/cli/NNN-slug/ holds the
 * input files of a working directory (main.tf, state files, ...), a file
 * `cmd` with one tern invocation per line (arguments separated by spaces;
 * '...' quotes one argument; leading NAME=VALUE words set environment
 * variables for that run, as in a shell), and the expected result of the
 * last line: `expect/stdout` and `expect/stderr` (both required, empty
 * when the stream is) and
 * `expect/exit-code` (default 0). Earlier lines are set-up and must exit
 * 0. Lineage UUIDs and timestamps are replaced by <UUID> and <TIME>
 * before comparing. TERN_UPDATE_GOLDEN=1 rewrites the expected files.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

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

static int run_case(const char *casedir, const char *slug)
{
    char work[4096], path[8704], from[8704], code[32];
    char *cmd, *line, *next;
    struct dirent *de;
    struct tt_run r = {NULL, NULL, 0};
    DIR *d;
    int failed = 0;

    snprintf(work, sizeof(work), "%s/%s", tern_test_tmpdir(), slug);
    if (mkdir(work, 0755) != 0)
        FAIL("mkdir %s: %s", work, strerror(errno));
    d = opendir(casedir);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "cmd") == 0 ||
            strcmp(de->d_name, "expect") == 0)
            continue;
        snprintf(from, sizeof(from), "%s/%s", casedir, de->d_name);
        snprintf(path, sizeof(path), "%s/%s", work, de->d_name);
        copy_file(from, path);
    }
    closedir(d);
    snprintf(path, sizeof(path), "%s/cmd", casedir);
    cmd = tt_read_file(path, NULL);
    if (!cmd)
        FAIL("%s: no cmd file", casedir);
    for (line = cmd; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '\0' || *line == '#')
            continue;
        tt_run_release(&r);
        {
            const char **args = split(line), *env[16];
            size_t n = 0;

            while (args[0] && n < 15 && is_assignment(args[0]))
                env[n++] = *args++;
            env[n] = NULL;
            if (tt_run_tern_env(&r, work, NULL, env, args) != 0)
                FAIL("running tern for %s", slug);
        }
        if (next && *next && r.status != 0) {
            fprintf(stderr, "# %s: set-up step failed (%d):\n%s%s", slug,
                    r.status, r.out, r.err);
            failed = 1;
        }
    }
    normalise(r.out);
    normalise(r.err);
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
    tt_run_release(&r);
    free(cmd);
    return failed;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every third case, from @shard: three shards, so that none nears the
 * runner's 120 s limit under ASan on a loaded machine. */
static void run_shard(size_t shard)
{
    char dir[4096], casedir[8192];
    char *names[256];
    size_t n = 0, i;
    struct dirent *de;
    DIR *d;
    int failed = 0;

    snprintf(dir, sizeof(dir), "%s/tests/cases/cli", tern_test_source_dir());
    d = opendir(dir);
    ASSERT_NOT_NULL(d);
    while ((de = readdir(d)) != NULL && n < 256)
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    for (i = 0; i < n; i++) {
        snprintf(casedir, sizeof(casedir), "%s/%s", dir, names[i]);
        if (i % 3 == shard && run_case(casedir, names[i])) {
            fprintf(stderr, "# FAILED: %s\n", names[i]);
            failed++;
        }
        free(names[i]);
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

const struct tern_test test_cli_cases_list[] = {
    TEST_INTEGRATION(cli_cases, golden_1),
    TEST_INTEGRATION(cli_cases, golden_2),
    TEST_INTEGRATION(cli_cases, golden_3), TEST_END};
