/*
 * The opening every CLI integration test (tests/unit/test_cli_*.c) shares:
 * its tern-sim, the environment that points tern at it, the last run, and
 * RUN, which runs the built tern in the case's directory and fails the
 * case unless it exits as expected. A test file includes it once, after
 * runner.h: the statics are that file's own, and start zeroed in every
 * case (each runs in a process of its own).
 *
 * Runs get the environment TT_CLI_ENV: the sim's (env.env, once the case
 * has called tt_sim_env_init) unless the file defines it before including
 * this, e.g. to tt_cli_offline_env or NULL.
 */
#ifndef TERN_TEST_CLI_TEST_H
#define TERN_TEST_CLI_TEST_H

#include "run_tern.h"
#include "runner.h"
#include "support.h"

static struct tt_sim sim __attribute__((unused));
static struct tt_sim_env env __attribute__((unused));
static struct tt_run r;

/* tern pointed at 127.0.0.1:9, where nothing listens, with the sim's
 * default key: for cases that must make no call at all. */
static const char *const tt_cli_offline_env[] __attribute__((unused)) = {
    "AWS_ENDPOINT_URL=http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID=AKIDTERNSIMDEFAULT01",
    "AWS_SECRET_ACCESS_KEY=ternsim/default/SECRETKEY0000000000000001",
    "AWS_REGION=us-east-1",
    "AWS_PROFILE=",
    "AWS_CONFIG_FILE=/nonexistent",
    "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
    "AWS_EC2_METADATA_DISABLED=true",
    NULL};

#ifndef TT_CLI_ENV
#define TT_CLI_ENV env.env
#endif

/* Run `tern ARGS...` (@args NULL-terminated) in @dir with TT_CLI_ENV and
 * @input (NULL: none) on its standard input; the case fails, showing both
 * outputs, unless it exits with @status. What it printed stays in r until
 * the next run. */
static inline void run_at(const char *dir, int status, const char *input,
                          const char *const *args)
{
    char *why = tt_run_expect_input(&r, dir, input, TT_CLI_ENV, args, status);

    if (why)
        FAIL("%s", why);
}

/* run_at() in the case's directory, with nothing on standard input. */
static inline void run_in(int status, const char *const *args)
{
    run_at(tern_test_tmpdir(), status, NULL, args);
}

/* RUN(0, "plan", "-no-color"): run_in() with the arguments listed. */
#define RUN(status, ...)                                                       \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((status), args_);                                               \
    } while (0)

#endif
