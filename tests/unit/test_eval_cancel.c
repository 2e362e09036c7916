/*
 * A first interrupt stops evaluation (issue 20, finding 6): a for
 * expression over 1024^4 elements, and a templatefile doing the same, end
 * at once with the interrupt message and an "Evaluation interrupted" error
 * at the expression, instead of running for days. The interrupt is sent
 * when tern logs that the refresh is over and evaluation begins
 * (TERN_LOG=debug), never after a fixed delay; the plan then cannot
 * finish without honouring it.
 */
#include "runner.h"

#include <string.h>

#include "run_tern.h"
#include "support.h"

static const char interrupted[] =
    "\nInterrupt received.\nPlease wait for tern to exit or data loss may "
    "occur.\nGracefully shutting down: no new steps start; running ones "
    "finish and are saved. Interrupt again to cancel them.\n";

static void plan_interrupted(struct tt_run *r)
{
    static const char *const env[] = {"TERN_LOG=debug", NULL};
    const char *args[] = {"plan", "-no-color", NULL};
    const long sigint[2] = {1, 0};

    ASSERT_OK(tt_run_tern_interrupt(r, tern_test_tmpdir(), env, args,
                                    "plan: evaluating the configuration",
                                    sigint));
    ASSERT_EQ(r->status, 1);
    ASSERT_STR_EQ(r->out, "\nPlanning failed. tern encountered an error "
                          "while generating this plan.\n");
    ASSERT_STR_CONTAINS(r->err, interrupted);
}

TEST(eval_cancel, for_over_a_big_range)
{
    struct tt_run r;

    ASSERT_OK(tt_write_file(
        tern_test_tmpdir(), "main.tf",
        "locals {\n"
        "  r = range(1024)\n"
        "}\n"
        "output \"x\" {\n"
        "  value = sum([for a in local.r : sum([for b in local.r : "
        "sum([for c in local.r : length([for d in local.r : d])])])])\n"
        "}\n"));
    plan_interrupted(&r);
    ASSERT_STR_CONTAINS(
        r.err,
        "Error: Evaluation interrupted\n\n  on main.tf line 5, in output "
        "\"x\":\n   5:   value = sum([for a in local.r : sum([for b in "
        "local.r : sum([for c in local.r : length([for d in local.r : "
        "d])])])])\n");
    ASSERT_STR_CONTAINS(r.err, "\ntern was interrupted while it evaluated "
                               "this expression, and stopped.\n");
    tt_run_release(&r);
}

TEST(eval_cancel, templatefile)
{
    struct tt_run r;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "t.tpl",
                            "%{ for a in r }%{ for b in r }%{ for c in r }"
                            "%{ for d in r }%{ if d < 0 }x%{ endif }"
                            "%{ endfor }%{ endfor }%{ endfor }%{ endfor }"));
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "output \"x\" {\n"
                            "  value = templatefile(\"t.tpl\", "
                            "{ r = range(1024) })\n"
                            "}\n"));
    plan_interrupted(&r);
    ASSERT_STR_CONTAINS(r.err,
                        "Error: Evaluation interrupted\n\n  on main.tf line "
                        "2, in output \"x\":\n   2:   value = "
                        "templatefile(\"t.tpl\", { r = range(1024) })\n");
    ASSERT_STR_CONTAINS(r.err, "\ntern was interrupted while it evaluated "
                               "the template t.tpl, and stopped.\n");
    tt_run_release(&r);
}

const struct tern_test test_eval_cancel_list[] = {
    TEST_INTEGRATION(eval_cancel, for_over_a_big_range),
    TEST_INTEGRATION(eval_cancel, templatefile), TEST_END};
