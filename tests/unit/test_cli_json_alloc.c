/*
 * The CLI's JSON documents with their n-th allocation failing (tern's,
 * Jansson's or SQLite's; docs/STYLE.md rule 12): `show -json PLANFILE`
 * (src/engine/plan_json.c, src/cli/json_config.c) either prints the whole
 * document, byte for byte the one an unhindered run prints, or nothing at
 * all and ends in "out of memory" (issue 20: a builder that could not
 * allocate must not leave a member silently out).
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        FAIL("allocation %lu failed%s: rc %d, %zu error(s), first: %s", n,
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

const struct tern_test test_cli_json_alloc_list[] = {
    TEST_UNIT(cli_json_alloc, show_plan_walk),
    TEST_UNIT(cli_json_alloc, show_state_walk),
    TEST_END,
};
