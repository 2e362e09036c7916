/*
 * Issue 10's bad-input corpus: tests/cases/bad-input/NNN-slug/, each a
 * malformed input (configurations in both syntaxes, tfvars, the command
 * line, state files, plan files, server responses) with the diagnostic
 * and exit status tern must answer with. scripts/gen-bad-input.py made
 * them; the case format is described there.
 *
 * For every case: tern ends by itself (no crash, no hang), with the
 * expected status and exactly the expected standard error
 * (expect/stderr, with the working directory written $WORKDIR and
 * tern-sim's address $SIM); and
 * when it refused (non-zero status), a state file that was there is
 * byte-identical afterwards and none was left where there was none.
 * All cases run; the failures are listed together at the end.
 *
 * expect/stderr is recorded, not written by hand: with
 * TERN_UPDATE_GOLDEN=1 the test writes each case's standard error
 * there, but only when it holds every line of expect/stderr-contains (the
 * generator's statement of what the diagnostic must say), so a recording
 * cannot bless a wrong message. Review the diff before committing it.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

#include "tern/state.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#define CASES_DIR "/tests/cases/bad-input"
#define MAX_ARGS  32

struct lines {
    char *text; /* the file, split in place */
    const char *items[MAX_ARGS + 1];
    size_t n;
};

/* Read @dir/@name as lines (missing file: no lines). */
static void read_lines(struct lines *l, const char *dir, const char *name)
{
    char path[4200];
    char *p, *nl;

    memset(l, 0, sizeof(*l));
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    l->text = tt_read_file(path, NULL);
    for (p = l->text; p && *p && l->n < MAX_ARGS; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        l->items[l->n++] = p;
        if (!*nl)
            break;
        *nl = '\0';
    }
    l->items[l->n] = NULL;
}

static int copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = tt_read_file(from, &len);
    FILE *f;
    int ok;

    if (!data)
        return -1;
    f = fopen(to, "wb");
    ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    free(data);
    return ok ? 0 : -1;
}

/* Copy the case's inputs (everything but cmd, expect/, sim-args, state)
 * from @src to @dst, one level of subdirectories deep. */
static int copy_inputs(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    struct dirent *e;
    int rc = 0;

    if (!d)
        return -1;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char from[4400], to[4400];
        struct stat st;

        if (e->d_name[0] == '.' || strcmp(e->d_name, "cmd") == 0 ||
            strcmp(e->d_name, "expect") == 0 ||
            strcmp(e->d_name, "sim-args") == 0 ||
            strcmp(e->d_name, "state") == 0)
            continue;
        snprintf(from, sizeof(from), "%s/%s", src, e->d_name);
        snprintf(to, sizeof(to), "%s/%s", dst, e->d_name);
        if (stat(from, &st) != 0)
            rc = -1;
        else if (S_ISDIR(st.st_mode))
            rc = mkdir(to, 0700) == 0 ? copy_inputs(from, to) : -1;
        else
            rc = copy_file(from, to);
    }
    closedir(d);
    return rc;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
    va_list ap;
    char *out;
    int n;

    va_start(ap, f);
    n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    out = malloc((size_t)n + 1);
    if (out) {
        va_start(ap, f);
        vsnprintf(out, (size_t)n + 1, f, ap);
        va_end(ap);
    }
    return out;
}

/*
 * Whether @path is a state with nothing in it (serial 0): what an apply
 * that met bad responses before any step completed leaves.
 */
static int is_new_empty_state(const char *path)
{
    tern_state_open_options o = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = NULL;
    int fresh;

    o.path = path;
    o.lock = 0;
    if (tern_state_open(&st, &o, NULL) != TERN_OK)
        return 0;
    fresh = tern_state_serial(st) == 0;
    tern_state_free(st);
    return fresh;
}

/*
 * @text with every occurrence of @from replaced by @to (a new string).
 */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t flen = strlen(from), tlen = strlen(to), n = 0;
    const char *p;
    char *out, *o;

    for (p = text; flen && (p = strstr(p, from)) != NULL; p += flen)
        n++;
    out = malloc(strlen(text) + n * tlen + 1);
    if (!out)
        return NULL;
    for (o = out, p = text; *p;) {
        if (flen && strncmp(p, from, flen) == 0) {
            memcpy(o, to, tlen);
            o += tlen;
            p += flen;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* tern's standard error with the run's own places made constant. */
static char *normalized_err(const char *err, const char *dir,
                            const char *sim_url)
{
    char *a = replace_all(err, dir, "$WORKDIR"), *b;

    if (!a || !sim_url)
        return a;
    b = replace_all(a, sim_url, "$SIM");
    free(a);
    return b;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Run one case; returns NULL when it passed, else what went wrong (a new
 * string).
 */
static char *run_case(const char *cases, const char *name, size_t *created)
{
    char src[4200], dst[4200], state[4300], fixture[4400], env_aws[96],
        env_dbx[96];
    const char *env[] = {env_aws,
                         env_dbx,
                         "AWS_ACCESS_KEY_ID=AKIDTERNSIMDEFAULT01",
                         "AWS_SECRET_ACCESS_KEY=ternsim/default/"
                         "SECRETKEY0000000000000001",
                         "DATABRICKS_TOKEN=dapi-ternsim-default-token-0001",
                         "AWS_REGION=us-east-1",
                         "AWS_PROFILE=",
                         "AWS_CONFIG_FILE=/nonexistent",
                         "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
                         "DATABRICKS_CONFIG_FILE=/nonexistent",
                         "AWS_EC2_METADATA_DISABLED=true",
                         "TERN_LOG=",
                         NULL};
    struct lines cmd, sim_args, expect, code, st;
    struct tt_sim sim;
    struct tt_run r = {0};
    char *before = NULL, *after = NULL, *why = NULL, *err = NULL,
         *want_err = NULL;
    const char *record = getenv("TERN_UPDATE_GOLDEN");
    size_t before_len = 0, after_len = 0, i;
    int have_sim = 0, want;

    snprintf(src, sizeof(src), "%s/%s", cases, name);
    snprintf(dst, sizeof(dst), "%s/%s", tern_test_tmpdir(), name);
    snprintf(state, sizeof(state), "%s/tern.tfstate.db", dst);
    read_lines(&cmd, src, "cmd");
    read_lines(&sim_args, src, "sim-args");
    read_lines(&expect, src, "expect/stderr-contains");
    read_lines(&code, src, "expect/exit-code");
    read_lines(&st, src, "state");
    if (cmd.n == 0 || code.n == 0) {
        why = strdup("no cmd or expect/exit-code");
        goto done;
    }
    want = (int)strtol(code.items[0], NULL, 10);
    if (mkdir(dst, 0700) != 0 || copy_inputs(src, dst) != 0) {
        why = strdup("cannot copy the inputs");
        goto done;
    }
    if (st.n) {
        snprintf(fixture, sizeof(fixture), "%s/fixtures/%s", cases,
                 st.items[0]);
        if (copy_file(fixture, state) != 0) {
            why = strdup("cannot copy the state fixture");
            goto done;
        }
    }
    /* As tern writes them: a state readable by others draws a warning. */
    chmod(state, 0600);
    /* Without a simulator, requests go to a closed port. */
    snprintf(env_aws, sizeof(env_aws), "AWS_ENDPOINT_URL=http://127.0.0.1:9");
    snprintf(env_dbx, sizeof(env_dbx), "DATABRICKS_HOST=http://127.0.0.1:9");
    if (sim_args.n) {
        if (tt_sim_start(&sim, sim_args.items) != 0) {
            why = strdup("cannot start tern-sim");
            goto done;
        }
        have_sim = 1;
        snprintf(env_aws, sizeof(env_aws), "AWS_ENDPOINT_URL=%s", sim.base_url);
        snprintf(env_dbx, sizeof(env_dbx), "DATABRICKS_HOST=%s", sim.base_url);
    }
    before = tt_read_file(state, &before_len);
    if (tt_run_tern_env(&r, dst, NULL, env, cmd.items) != 0) {
        why = strdup("cannot run tern");
        goto done;
    }
    after = tt_read_file(state, &after_len);
    if (r.status != want) {
        why = fmt("exit %d, expected %d; stderr:\n%s", r.status, want, r.err);
        goto done;
    }
    err = normalized_err(r.err, dst, have_sim ? sim.base_url : NULL);
    if (!err) {
        why = strdup("out of memory");
        goto done;
    }
    if (record && *record) {
        char out[4300];

        for (i = 0; i < expect.n; i++) {
            if (!strstr(err, expect.items[i])) {
                why = fmt("stderr lacks \"%s\", not recorded:\n%s",
                          expect.items[i], err);
                goto done;
            }
        }
        snprintf(out, sizeof(out), "%s/expect", src);
        if (tt_write_file(out, "stderr", err) != 0) {
            why = strdup("cannot record expect/stderr");
            goto done;
        }
    }
    snprintf(fixture, sizeof(fixture), "%s/expect/stderr", src);
    want_err = tt_read_file(fixture, NULL);
    if (!want_err) {
        why = fmt("no expect/stderr (record it with TERN_UPDATE_GOLDEN=1)"
                  "; stderr:\n%s",
                  err);
        goto done;
    }
    if (strcmp(err, want_err) != 0) {
        why = fmt("stderr differs from expect/stderr:\n--- expected\n%s--- "
                  "got\n%s",
                  want_err, err);
        goto done;
    }
    if (r.status != 0) {
        if (before && (!after || after_len != before_len ||
                       memcmp(before, after, before_len) != 0))
            why = strdup("refused, but the state file changed");
        else if (!before && after && after_len > 0 &&
                 !is_new_empty_state(state))
            why = strdup("refused, but a state was written");
        /* A run that reached the service (bad responses) had its input
         * accepted: its state holds what it did, intents included. Input
         * refused before that leaves no state where there was none. */
        else if (!before && after && !have_sim)
            why = strdup("refused, but a new state file was left behind");
        else if (!before && after)
            (*created)++;
    }
done:
    if (have_sim)
        tt_sim_stop(&sim);
    tt_run_release(&r);
    free(err);
    free(want_err);
    free(before);
    free(after);
    free(cmd.text);
    free(sim_args.text);
    free(expect.text);
    free(code.text);
    free(st.text);
    return why;
}

/*
 * The corpus in four shards (cases whose index in name order is @shard
 * modulo 4), so that ctest runs them side by side and no shard nears the
 * runner's per-case timeout under the sanitizers.
 */
#define SHARDS 4

static void corpus_shard(size_t shard)
{
    char cases[4096];
    char **names = NULL;
    size_t n = 0, alloc = 0, i, failed = 0, created = 0;
    DIR *d;
    struct dirent *e;

    snprintf(cases, sizeof(cases), "%s%s", tern_test_source_dir(), CASES_DIR);
    d = opendir(cases);
    if (!d)
        FAIL("%s: %s", cases, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        /* NNN-slug: cases; anything else (fixtures/) is not one. */
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 256;
            names = realloc(names, alloc * sizeof(*names));
            ASSERT_NOT_NULL(names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    ASSERT_CMP(n, >=, 150);
    qsort(names, n, sizeof(*names), by_name);
    for (i = 0; i < n; i++) {
        char *why =
            i % SHARDS == shard ? run_case(cases, names[i], &created) : NULL;

        if (why) {
            fprintf(stderr, "# %s: %s\n", names[i], why);
            failed++;
        }
        free(why);
        free(names[i]);
    }
    free(names);
    printf("# bad input, shard %zu of %d: %zu of %zu cases, %zu failed; no "
           "refused input left a state behind; %zu applies that met bad "
           "responses kept a state of what they did\n",
           shard + 1, SHARDS, (n + SHARDS - 1 - shard) / SHARDS, n, failed,
           created);
    ASSERT_EQ(failed, 0);
}

TEST(bad_input, corpus_1)
{
    corpus_shard(0);
}

TEST(bad_input, corpus_2)
{
    corpus_shard(1);
}

TEST(bad_input, corpus_3)
{
    corpus_shard(2);
}

TEST(bad_input, corpus_4)
{
    corpus_shard(3);
}

const struct tern_test test_bad_input_list[] = {
    TEST_INTEGRATION(bad_input, corpus_1),
    TEST_INTEGRATION(bad_input, corpus_2),
    TEST_INTEGRATION(bad_input, corpus_3),
    TEST_INTEGRATION(bad_input, corpus_4),
    TEST_END,
};
