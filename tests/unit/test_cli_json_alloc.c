/*
 * The CLI's JSON documents with their n-th allocation failing (tern's,
 * Jansson's or SQLite's; docs/STYLE.md rule 12): `show -json PLANFILE`
 * (src/engine/plan_json.c, src/cli/json_config.c) either prints the whole
 * document, byte for byte the one an unhindered run prints, or nothing at
 * all and ends in "out of memory" (issue 20: a builder that could not
 * allocate must not leave a member silently out). The -json stream of
 * plan and apply (src/cli/ui.c, cmd_plan.c) prints whole lines of the
 * unhindered run's, in its order, and stops at the first it could not
 * make: the command then ends in out of memory.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "engine/engine_int.h"
#include "support.h"
#include "test_module.h"
#include "util/alloc.h"

static const char *const before = "resource \"test_object\" \"a\" {\n"
                                  "  name  = \"a\"\n"
                                  "  value = \"1\"\n"
                                  "}\n"
                                  "output \"gone\" { value = \"x\" }\n";

/* Every part of the representation: variables (a default, a description,
 * a sensitive one), a local, for_each, depends_on, an update, creates with
 * unknown values, a sensitive output and one removed. */
static const char *const after =
    "variable \"v\" {\n"
    "  description = \"a variable\"\n"
    "  default     = { k = [1, 2] }\n"
    "}\n"
    "variable \"s\" {\n"
    "  default   = \"hidden\"\n"
    "  sensitive = true\n"
    "}\n"
    "locals {\n"
    "  n = \"c-${var.v.k[0]}\"\n"
    "}\n"
    "resource \"test_object\" \"a\" {\n"
    "  name  = \"a\"\n"
    "  value = \"2\"\n"
    "}\n"
    "resource \"test_object\" \"c\" {\n"
    "  for_each   = toset([\"x\", \"y\"])\n"
    "  name       = \"${local.n}-${each.key}\"\n"
    "  value      = test_object.a.id\n"
    "  depends_on = [test_object.a]\n"
    "}\n"
    "output \"o\" { value = test_object.c[\"x\"].id }\n"
    "output \"secret\" {\n"
    "  value     = var.s\n"
    "  sensitive = true\n"
    "}\n";

/* `show -json PATH` as the command runs it (`show -json` of the state
 * @st without a @path), printing into *@out (the C library's, free()),
 * with allocation @fail_at failing (0: none), alone when @once, else with
 * every later one; the diagnostics it left in @diags. Returns its code;
 * *@made, how many allocations it made. */
static int show_json(const char *path, tern_state *st, char **out,
                     struct tern_diags *diags, unsigned long fail_at, int once,
                     unsigned long *made)
{
    struct cli_ctx ctx;
    size_t len = 0;
    FILE *f;
    int rc;

    *out = NULL;
    f = open_memstream(out, &len);
    ASSERT_NOT_NULL(f);
    memset(&ctx, 0, sizeof(ctx));
    cli_opts_init(&ctx.opts);
    ctx.opts.json = 1;
    ctx.ui.out = f;
    ctx.ui.err = f;
    ctx.state = st;
    if (once)
        tern__alloc_fail_once(fail_at);
    else
        tern__alloc_fail_after(fail_at);
    rc = path ? cli_show_plan_file(&ctx, path) : cli_cmd_show(&ctx);
    *made = tern__alloc_fail_after(0);
    fclose(f);
    tern_diags_move(diags, &ctx.diags);
    tern_diags_release(&ctx.diags);
    cli_opts_release(&ctx.opts);
    return rc;
}

/* One run of a walk: the whole document @want, or nothing and TERN_ENOMEM
 * without a diagnostic, which the command ends in as "Error: out of
 * memory" (src/cli/main.c), not a diagnostic that blames its input. */
static void check_run(int rc, char *got, const char *want,
                      struct tern_diags *diags, unsigned long n, int once)
{
    if (rc == TERN_OK) {
        if (strcmp(got, want) != 0)
            FAIL("allocation %lu failed%s, yet the document was printed, "
                 "differing:\n%s",
                 n, once ? " alone" : "", got);
    } else if (rc != TERN_ENOMEM || diags->errors != 0) {
        FAIL("allocation %lu failed%s: rc %d, %zu error(s), first: %s\n", n,
             once ? " alone" : "", rc, diags->errors,
             diags->count ? diags->items[0].summary : "(none)");
    } else if (got[0]) {
        FAIL("allocation %lu failed%s, yet %zu bytes were printed", n,
             once ? " alone" : "", strlen(got));
    }
    free(got); /* open_memstream's */
    tern_diags_release(diags);
}

#define PASS "cli-json-alloc-passphrase"

/* Replace the encrypted plan file @path by the plan file inside it. */
static void decrypt_in_place(const char *path)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_buf plain = TERN_BUF_INIT;
    size_t len = 0;
    char *sealed = tt_read_file(path, &len);
    FILE *f;

    ASSERT_NOT_NULL(sealed);
    ASSERT_EQ(tern__plan_is_sealed(sealed, len), 1);
    ASSERT_OK(tern__plan_open(sealed, len, path, PASS, &plain, &diags));
    f = fopen(path, "wb");
    ASSERT_NOT_NULL(f);
    ASSERT_EQ(fwrite(plain.ptr, 1, plain.len, f), plain.len);
    ASSERT_OK(fclose(f));
    free(sealed);
    tern__buf_wipe(&plain);
    tern_diags_release(&diags);
}

TEST(cli_json_alloc, show_plan_walk)
{
    struct test_env env;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_plan *p = NULL;
    char *path, *want = NULL, *got = NULL;
    unsigned long n, total, made, read;
    int rc, once;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, before));
    ASSERT_OK(test_env_config(&env, after));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    path = tern_asprintf("%s/p.tfplan", tern_test_tmpdir());
    ASSERT_NOT_NULL(path);
    /* The plan holds var.s, sensitive: it is saved encrypted, and the
     * walk reads the plan file inside (one key derivation, not one for
     * each of its runs). */
    ASSERT_OK(tern_plan_write(p, path, PASS, &env.diags));
    decrypt_in_place(path);
    tern_plan_free(p);
    /* How many allocations reading the file takes: show begins with it. */
    tern__alloc_fail_after(0);
    ASSERT_OK(tern_plan_read(&p, path, NULL, &env.diags));
    read = tern__alloc_fail_after(0);
    ASSERT_OK(show_json(path, NULL, &want, &diags, 0, 0, &total));
    ASSERT_EQ(diags.errors, 0);
    /* The document the walk compares against has every part. */
    ASSERT_NOT_NULL(strstr(want, "\n  \"configuration\": {\n"));
    ASSERT_NOT_NULL(strstr(want, "\n  \"relevant_attributes\": [\n"));
    ASSERT_NOT_NULL(strstr(want, "\n  \"prior_state\": {\n"));
    ASSERT_NOT_NULL(strstr(want, "\n  \"output_changes\": {\n"));
    ASSERT_CMP(total, >, 1000);
    ASSERT_CMP(read, <, total);
    /* Every allocation failing with all later ones; and alone, from the
     * first after the file was read: Jansson's lexer ignores a failure to
     * grow the token it saves (load.c lex_save) and, with the next
     * allocation succeeding, may assert. util/json.h drops such a parse;
     * the sticky walk covers the read. */
    for (n = 1; n <= total; n++) {
        for (once = 0; once < (n > read ? 2 : 1); once++) {
            rc = show_json(path, NULL, &got, &diags, n, once, &made);
            check_run(rc, got, want, &diags, n, once);
        }
    }
    fprintf(stderr, "# %lu allocations walked\n", total);
    free(want); /* open_memstream's */
    tern_free(path);
    tern_plan_free(p);
    tern_diags_release(&diags);
    test_env_release(&env);
}

/* `show -json` of a state (cmd_basic.c's state representation): the
 * same, failing each allocation alone and with every later one. */
TEST(cli_json_alloc, show_state_walk)
{
    struct test_env env;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *want = NULL, *got = NULL;
    unsigned long n, total, made;
    int rc, once;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, after));
    ASSERT_OK(show_json(NULL, env.state, &want, &diags, 0, 0, &total));
    ASSERT_EQ(diags.errors, 0);
    ASSERT_NOT_NULL(strstr(want, "\n          \"index\": \"y\",\n"));
    ASSERT_NOT_NULL(strstr(want, "\n      \"secret\": {\n"));
    ASSERT_CMP(total, >, 200);
    for (n = 1; n <= total; n++)
        for (once = 0; once < 2; once++) {
            rc = show_json(NULL, env.state, &got, &diags, n, once, &made);
            check_run(rc, got, want, &diags, n, once);
        }
    fprintf(stderr, "# %lu allocations walked\n", total);
    free(want); /* open_memstream's */
    tern_diags_release(&diags);
    test_env_release(&env);
}

/* @text with each line's "@timestamp" value blanked (a new string). */
static char *untimed(const char *text)
{
    tern_buf b = TERN_BUF_INIT;
    const char *p = text, *q;

    while ((q = strstr(p, "\"@timestamp\":\"")) != NULL) {
        q += strlen("\"@timestamp\":\"");
        tern_buf_put(&b, p, (size_t)(q - p));
        p = strchr(q, '"');
        ASSERT_NOT_NULL(p);
    }
    tern_buf_puts(&b, p);
    ASSERT_EQ(b.oom, 0);
    return tern_buf_detach(&b);
}

/* `plan -json` (@apply_: `apply -json -auto-approve`) of @env's
 * configuration, in-process as the command runs it after its checks,
 * printing into *@out (the C library's, free()), with allocation @fail_at
 * failing as show_json's does; the code the command ends in
 * (src/cli/main.c: a stream that lost a line is out of memory), *@lost
 * set when it was the stream that could not make a line. */
static int stream_json(struct test_env *env, int apply_, char **out,
                       struct tern_diags *diags, unsigned long fail_at,
                       int once, unsigned long *made, int *lost)
{
    static const struct cli_cmd plan = {.name = "plan", .fn = cli_cmd_plan},
                                apply = {.name = "apply", .fn = cli_cmd_apply};
    struct cli_ctx ctx;
    size_t len = 0;
    FILE *f;
    int rc;

    *out = NULL;
    f = open_memstream(out, &len);
    ASSERT_NOT_NULL(f);
    memset(&ctx, 0, sizeof(ctx));
    cli_opts_init(&ctx.opts);
    ctx.cmd = apply_ ? &apply : &plan;
    ctx.opts.json = 1;
    ctx.opts.parallelism = 1; /* the events in one order */
    ctx.opts.auto_approve = 1;
    ctx.ui.json = 1;
    ctx.ui.out = f;
    ctx.ui.err = f;
    ctx.config = env->cfg;
    ctx.state = env->state;
    ctx.extra_modules = test_modules;
    ctx.extra_providers = test_providers;
    ctx.module_user = env->store;
    if (once)
        tern__alloc_fail_once(fail_at);
    else
        tern__alloc_fail_after(fail_at);
    cli_ui_json_version(&ctx.ui);
    rc = ctx.cmd->fn(&ctx);
    *made = tern__alloc_fail_after(0);
    *lost = ctx.ui.json_lost;
    if (ctx.ui.json_lost)
        rc = TERN_ENOMEM;
    fclose(f);
    tern_diags_move(diags, &ctx.diags);
    tern_diags_release(&ctx.diags);
    cli_opts_release(&ctx.opts);
    return rc;
}

/* Whether @line is a whole error diagnostic of the stream: the engine
 * may report a failed allocation as the error of the step it failed. */
static int error_line(const char *line)
{
    json_t *j = json_loads(line, 0, NULL),
           *d = json_object_get(j, "diagnostic");
    const char *level = json_string_value(json_object_get(j, "@level"));
    const char *sev = json_string_value(json_object_get(d, "severity"));
    int ok = json_is_string(json_object_get(d, "summary")) &&
             json_is_string(json_object_get(d, "detail")) &&
             json_is_string(json_object_get(j, "@message")) &&
             json_is_string(json_object_get(j, "@timestamp")) &&
             json_is_string(json_object_get(j, "@module")) && level &&
             strcmp(level, "error") == 0 && sev && strcmp(sev, "error") == 0;

    json_decref(j);
    return ok;
}

/* Whether @line is a whole line of the stream: the five members every
 * line has, and the one its type carries (a run whose engine failed
 * prints lines the unhindered run does not: an apply_errored, a summary
 * of what was done). */
static int whole_line(const char *line)
{
    static const char *const carries[][2] = {{"version", "tern"},
                                             {"diagnostic", "diagnostic"},
                                             {"refresh_start", "hook"},
                                             {"refresh_complete", "hook"},
                                             {"apply_start", "hook"},
                                             {"apply_complete", "hook"},
                                             {"apply_errored", "hook"},
                                             {"planned_change", "change"},
                                             {"change_summary", "changes"},
                                             {"outputs", "outputs"},
                                             {"log", "@message"}};
    json_t *j = json_loads(line, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    int ok = 0;
    size_t i;

    for (i = 0; type && i < sizeof(carries) / sizeof(carries[0]); i++)
        if (strcmp(type, carries[i][0]) == 0)
            ok = json_object_get(j, carries[i][1]) != NULL;
    ok = ok && json_is_string(json_object_get(j, "@level")) &&
         json_is_string(json_object_get(j, "@message")) &&
         json_is_string(json_object_get(j, "@module")) &&
         json_is_string(json_object_get(j, "@timestamp"));
    json_decref(j);
    return ok;
}

/* One run of a stream walk: the whole stream @want (timestamps aside)
 * when it succeeded; else every line one of @want's, an error diagnostic
 * or a whole line, and either TERN_ENOMEM (out of memory: a line could not be
 * made) or an error diagnostic in the stream. With one allocation failing
 * alone in the engine (not @lost: the stream made every line it was
 * given), the engine's own reporting is left to the engine's walks
 * (test_engine_plan.c): only the lines are checked. */
static void check_stream(int rc, char *got, const char *want,
                         struct tern_diags *diags, unsigned long n, int once,
                         int lost)
{
    char *g = untimed(got), *lines = tern_asprintf("\n%s", want), *line,
         *save = NULL, *key;
    int said = diags->errors != 0;

    ASSERT_NOT_NULL(lines);

    if (rc == TERN_OK && strcmp(g, want) != 0)
        FAIL("allocation %lu failed%s, yet the stream ended well, "
             "differing:\n%s",
             n, once ? " alone" : "", got);
    for (line = strtok_r(g, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        key = tern_asprintf("\n%s\n", line);
        ASSERT_NOT_NULL(key);
        if (!strstr(lines, key) && !error_line(line) &&
            (rc == TERN_OK || !whole_line(line)))
            FAIL("allocation %lu failed%s: a line the unhindered run does "
                 "not print:\n%s",
                 n, once ? " alone" : "", line);
        said |= error_line(line);
        tern_free(key);
    }
    if (rc != TERN_OK && rc != TERN_ENOMEM && !said && (lost || !once))
        FAIL("allocation %lu failed%s: rc %d without a diagnostic", n,
             once ? " alone" : "", rc);
    if (got[0] && got[strlen(got) - 1] != '\n')
        FAIL("allocation %lu failed%s: a line cut short", n,
             once ? " alone" : "");
    free(got); /* open_memstream's */
    tern_free(g);
    tern_free(lines);
    tern_diags_release(diags);
}

/* `plan -json`: the version line, refresh_start/refresh_complete,
 * planned_change (created, updated, with a reason), change_summary and
 * the planned outputs, with each allocation failing alone and with every
 * later one. */
TEST(cli_json_alloc, plan_stream_walk)
{
    struct test_env env;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *want = NULL, *got = NULL, *w;
    unsigned long n, total, made;
    int rc, once, lost;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, before));
    ASSERT_OK(test_env_config(&env, after));
    ASSERT_OK(stream_json(&env, 0, &want, &diags, 0, 0, &total, &lost));
    ASSERT_EQ(diags.errors, 0);
    w = untimed(want);
    free(want); /* open_memstream's */
    ASSERT_NOT_NULL(strstr(w, "\"type\":\"refresh_complete\""));
    ASSERT_NOT_NULL(strstr(w, "\"@message\":\"test_object.a: Plan to "
                              "update\""));
    ASSERT_NOT_NULL(strstr(w, "\"type\":\"change_summary\""));
    ASSERT_NOT_NULL(strstr(w, "\"gone\":{\"action\":\"delete\""));
    ASSERT_CMP(total, >, 500);
    for (n = 1; n <= total; n++)
        for (once = 0; once < 2; once++) {
            rc = stream_json(&env, 0, &got, &diags, n, once, &made, &lost);
            check_stream(rc, got, w, &diags, n, once, lost);
        }
    fprintf(stderr, "# %lu allocations walked\n", total);
    tern_free(w);
    tern_diags_release(&diags);
    test_env_release(&env);
}

/* What the apply walk creates: one object, an output of its ID and a
 * sensitive one (a small configuration: each run starts from nothing). */
static const char *const create = "resource \"test_object\" \"a\" {\n"
                                  "  name  = \"a\"\n"
                                  "  value = \"1\"\n"
                                  "}\n"
                                  "output \"id\" { value = test_object.a.id }\n"
                                  "output \"secret\" {\n"
                                  "  value     = \"s\"\n"
                                  "  sensitive = true\n"
                                  "}\n";

/* A new state and simulated store in their own directory (@i), with the
 * configuration `create`. */
static void fresh_env(struct test_env *env, unsigned long i)
{
    char *dir = tern_asprintf("%s/run%lu", tern_test_tmpdir(), i);

    ASSERT_NOT_NULL(dir);
    ASSERT_EQ(mkdir(dir, 0700), 0);
    ASSERT_OK(test_env_init(env, dir));
    ASSERT_OK(test_env_config(env, create));
    tern_free(dir);
}

/* `apply -json -auto-approve` from an empty state: the plan's lines, then
 * apply_start/apply_complete of the create, the apply's change_summary
 * and its outputs, with allocations failing from one on, each run from a
 * fresh state. (Failing one alone finds the engine carrying on without a
 * resource's value after apply_finish's tern__value_from_state: an output
 * is then silently missing; the engine's to fix.) */
TEST(cli_json_alloc, apply_stream_walk)
{
    struct test_env env;
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *want = NULL, *got = NULL, *w;
    unsigned long n, total, made, planned, step, runs = 0;
    int rc, lost;

    fresh_env(&env, runs++);
    ASSERT_OK(stream_json(&env, 1, &want, &diags, 0, 0, &total, &lost));
    ASSERT_EQ(diags.errors, 0);
    test_env_release(&env);
    w = untimed(want);
    free(want); /* open_memstream's */
    ASSERT_NOT_NULL(strstr(w, "\"type\":\"apply_start\""));
    ASSERT_NOT_NULL(strstr(w, "\"@message\":\"test_object.a: Creation "
                              "complete after 0s [id=obj-0]\""));
    ASSERT_NOT_NULL(strstr(w, "\"@message\":\"Apply complete! Resources: "
                              "1 added, 0 changed, 0 destroyed.\""));
    ASSERT_NOT_NULL(strstr(w, "\"secret\":{\"sensitive\":true,\"type\""));
    ASSERT_CMP(total, >, 300);
    /* The plan's part is plan_stream_walk's: from where it ends, every
     * step-th allocation (each run starts from a new state on disk, too
     * slow for all), and every one of the last 64 (the summary and the
     * outputs). */
    fresh_env(&env, runs++);
    ASSERT_OK(stream_json(&env, 0, &got, &diags, 0, 0, &planned, &lost));
    test_env_release(&env);
    free(got); /* open_memstream's */
    ASSERT_CMP(planned, <, total - 64);
    step = (total - planned) / 120 + 1;
    for (n = planned; n <= total; n += n + 64 >= total ? 1 : step) {
        fresh_env(&env, runs++);
        rc = stream_json(&env, 1, &got, &diags, n, 0, &made, &lost);
        check_stream(rc, got, w, &diags, n, 0, lost);
        test_env_release(&env);
    }
    fprintf(stderr, "# %lu allocations walked\n", total);
    tern_free(w);
    tern_diags_release(&diags);
}

/* `providers schema -json` into *@out, allocation @fail_at failing as
 * show_json's does. */
static int schema_json(char **out, unsigned long fail_at, int once,
                       unsigned long *made)
{
    struct cli_ctx ctx;
    size_t len = 0;
    FILE *f;
    int rc;

    *out = NULL;
    f = open_memstream(out, &len);
    ASSERT_NOT_NULL(f);
    memset(&ctx, 0, sizeof(ctx));
    cli_opts_init(&ctx.opts);
    ctx.opts.json = 1;
    ctx.ui.out = f;
    ctx.ui.err = f;
    if (once)
        tern__alloc_fail_once(fail_at);
    else
        tern__alloc_fail_after(fail_at);
    rc = cli_cmd_providers_schema(&ctx);
    *made = tern__alloc_fail_after(0);
    fclose(f);
    ASSERT_EQ(ctx.diags.count, 0);
    cli_opts_release(&ctx.opts);
    return rc;
}

/* `providers schema -json`: every provider's, resource's and data
 * source's schema, nested blocks included, or nothing and out of memory. */
TEST(cli_json_alloc, providers_schema_walk)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *want = NULL, *got = NULL;
    unsigned long n, total, made;
    int rc, once;

    ASSERT_OK(schema_json(&want, 0, 0, &total));
    ASSERT_NOT_NULL(strstr(want, "\"registry.terraform.io/hashicorp/aws\""));
    ASSERT_NOT_NULL(strstr(want, "\"block_types\":{"));
    ASSERT_NOT_NULL(strstr(want, "\"data_source_schemas\":{"));
    ASSERT_CMP(total, >, 1000);
    for (n = 1; n <= total; n++)
        for (once = 0; once < 2; once++) {
            rc = schema_json(&got, n, once, &made);
            check_run(rc, got, want, &diags, n, once);
        }
    fprintf(stderr, "# %lu allocations walked\n", total);
    free(want); /* open_memstream's */
}

const struct tern_test test_cli_json_alloc_list[] = {
    TEST_UNIT(cli_json_alloc, show_plan_walk),
    TEST_UNIT(cli_json_alloc, show_state_walk),
    TEST_UNIT(cli_json_alloc, plan_stream_walk),
    TEST_UNIT(cli_json_alloc, apply_stream_walk),
    TEST_UNIT(cli_json_alloc, providers_schema_walk),
    TEST_END,
};
