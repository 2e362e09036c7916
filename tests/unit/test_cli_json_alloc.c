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

/* `show -json PATH` as the command runs it, printing into *@out (the
 * C library's, free()); the diagnostics it left in @diags. */
static int show_json(const char *path, char **out, struct tern_diags *diags,
                     unsigned long fail_at)
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
    tern__alloc_fail_after(fail_at);
    rc = cli_show_plan_file(&ctx, path);
    tern__alloc_fail_after(0);
    fclose(f);
    tern_diags_move(diags, &ctx.diags);
    tern_diags_release(&ctx.diags);
    cli_opts_release(&ctx.opts);
    return rc;
}

TEST(cli_json_alloc, show_plan_walk)
{
    struct test_env env;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_plan *p = NULL;
    char *path, *want = NULL, *got = NULL;
    unsigned long n;
    int rc;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, before));
    ASSERT_OK(test_env_config(&env, after));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    path = tern_asprintf("%s/p.tfplan", tern_test_tmpdir());
    ASSERT_NOT_NULL(path);
    ASSERT_OK(tern_plan_write(p, path, &env.diags));
    ASSERT_OK(show_json(path, &want, &diags, 0));
    ASSERT_EQ(diags.errors, 0);
    /* The document the walk compares against has every part. */
    ASSERT_NOT_NULL(strstr(want, "\n  \"configuration\": {\n"));
    ASSERT_NOT_NULL(strstr(want, "\n  \"relevant_attributes\": [\n"));
    ASSERT_NOT_NULL(strstr(want, "\n  \"prior_state\": {\n"));
    ASSERT_NOT_NULL(strstr(want, "\n  \"output_changes\": {\n"));
    for (n = 1;; n++) {
        rc = show_json(path, &got, &diags, n);
        if (rc == TERN_OK) {
            ASSERT_STR_EQ(got, want);
            free(got); /* open_memstream's */
            break;
        }
        /* What the command ends in: "Error: out of memory" (src/cli/
         * main.c), not a diagnostic that blames the plan file. */
        if (rc != TERN_ENOMEM || diags.errors != 0)
            FAIL("allocation %lu failed: rc %d, %zu error(s), first: %s", n, rc,
                 diags.errors, diags.count ? diags.items[0].summary : "(none)");
        if (got[0])
            FAIL("allocation %lu failed, yet printed %zu bytes", n,
                 strlen(got));
        free(got); /* open_memstream's */
        tern_diags_release(&diags);
        ASSERT_CMP(n, <, 1000000);
    }
    fprintf(stderr, "# %lu allocations walked\n", n);
    ASSERT_CMP(n, >, 1000);
    free(want); /* open_memstream's */
    tern_free(path);
    tern_plan_free(p);
    tern_diags_release(&diags);
    test_env_release(&env);
}

const struct tern_test test_cli_json_alloc_list[] = {
    TEST_UNIT(cli_json_alloc, show_plan_walk),
    TEST_END,
};
