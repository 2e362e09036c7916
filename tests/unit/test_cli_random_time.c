/*
 * The time provider through the built binary: an interrupted time_sleep
 * stops. What is a sequence of commands and the last one's whole output is
 * in tests/cases/cli: a random_password never shown (500-505), an imported
 * random_string and time_static (506-509), an unmarked sensitive output,
 * argument checks and provider versions (340-344).
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#define TT_CLI_ENV NULL
#include "cli_test.h"

#include <stdlib.h>
#include <string.h>

/* Ctrl-C twice cancels a running time_sleep (the first lets running steps
 * finish, as every apply's); it is not in the state afterwards. */
TEST(cli_random_time, sleep_interrupted)
{
    const char *args[] = {"apply", "-auto-approve", "-no-color", NULL};
    const long twice[2] = {200, 600};

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "resource \"time_sleep\" \"w\" {\n"
                            "  create_duration = \"1h\"\n"
                            "}\n"));
    ASSERT_OK(tt_run_tern_interrupt(&r, tern_test_tmpdir(), NULL, args,
                                    "Creating...", twice));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_EQ(r.err,
                  "\nInterrupt received.\nPlease wait for tern to exit or "
                  "data loss may occur.\nGracefully shutting down: no new "
                  "steps start; running ones finish and are saved. Interrupt "
                  "again to cancel them.\n\nTwo interrupts received. "
                  "Cancelling the running steps; what already finished is "
                  "saved.\n\nStopped after an interrupt: 0 added, 0 changed, "
                  "0 destroyed; 0 step(s) not run. Everything that finished "
                  "is saved in the state.\nError: canceled\n\ncreating "
                  "time_sleep.w: canceled\n\n");
    /* The next apply creates it (a time_sleep has nothing to look up). */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "resource \"time_sleep\" \"w\" {\n"
                            "  create_duration = \"1ms\"\n"
                            "}\n"));
    RUN(0, "apply", "-auto-approve", "-no-color");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "time_sleep.w\n");
    tt_run_release(&r);
}

const struct tern_test test_cli_random_time_list[] = {
    TEST_INTEGRATION(cli_random_time, sleep_interrupted), TEST_END};
