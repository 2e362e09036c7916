/*
 * The S3 backend's test fixture (test_backend_s3.c, test_backend_ddb.c):
 * tern-sim started with its starting objects (a bucket, a table), the
 * environment that points tern at it, a directory a case, runs of the
 * built tern, and what the simulator holds (its dump, an object's body).
 * One fixture a test process: the tests of these files run one at a time.
 */
#ifndef TERN_TEST_S3_FIXTURE_H
#define TERN_TEST_S3_FIXTURE_H

#include <jansson.h>

#include "run_tern.h"
#include "support.h"

struct tt_s3_fixture {
    struct tt_sim sim;
    struct tt_sim_env env; /* env.env: the environment for tern */
    struct tt_run run;     /* the last TT_S3_RUN's output */
};

extern struct tt_s3_fixture tt_s3fx;

/* Start tern-sim with @p args (NULL-terminated, may be NULL) and POST
 * @p load to /_sim/load. */
void tt_s3_start(const char *load, const char *const *args);

/* POST @p json to /_sim/@p what; a status other than 200 fails the test. */
void tt_s3_post(const char *what, const char *json);

/* A fresh directory under the test's tmpdir holding main.tf (one of four
 * static buffers, reused in turn). */
const char *tt_s3_dir(const char *name, const char *config);

/* Run tern in @p dir with the simulator's environment; an exit status
 * other than @p status fails the test. The output is in tt_s3fx.run. */
void tt_s3_run(const char *dir, int status, const char *const *args);

#define TT_S3_RUN(dir, status, ...)                                            \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        tt_s3_run((dir), (status), args_);                                     \
    } while (0)

/* The simulator's state (new reference). */
json_t *tt_s3_dump(void);

/* The body of the first bucket's object @p key (caller frees), or NULL. */
char *tt_s3_object(const char *key);

/* Replace the value after each lock-info label ("  ID:        ", "  Who:
 * ", ...) and after "request id " with '*', so a message with times and
 * IDs compares whole. */
void tt_s3_normalize(char *s);

/* One of two runs racing for the lock: "apply -auto-approve -no-color
 * -lock-timeout=0s" in @p dir, its output in @p run. */
struct tt_s3_racer {
    const char *dir;
    struct tt_run run;
};

/* A pthread start routine for a struct tt_s3_racer. */
void *tt_s3_race(void *racer);

#endif
