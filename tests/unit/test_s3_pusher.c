/*
 * The S3 backend's pusher thread (src/backend/s3.c) on a test clock: its
 * push interval is waited through tern_clock_wait_until, so a test moves
 * the time and sees each write happen exactly when the interval is up,
 * without sleeping (issue 20 review).
 */
#include "runner.h"

#include "backend/s3.h"
#include "support.h"
#include "run_tern.h"
#include "util/alloc.h"
#include "vclock.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOAD "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]}}"
#define KEY  "team/terraform.tfstate"

static struct tt_sim sim;
static struct tt_sim_env env;

/* The serial of the state object in the simulator. */
static long long remote_serial(void)
{
    json_t *doc = tt_sim_s3_json(&sim, KEY);
    long long serial;

    ASSERT_NOT_NULL(doc);
    serial = json_integer_value(json_object_get(doc, "serial"));
    json_decref(doc);
    return serial;
}

static void commit_role(tern_state *st, const char *name)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *attrs = json_pack("{s:s}", "name", name);

    ASSERT_NOT_NULL(attrs);
    r.type = "aws_iam_role";
    r.name = (char *)name;
    r.id = (char *)name;
    r.attributes = attrs;
    ASSERT_OK(tern_state_commit_step(st, 0, &r, NULL));
    json_decref(attrs);
}

static size_t pushes(const tern_backend_s3 *b)
{
    size_t n = 0, bytes = 0;

    tern_backend_s3_stats(b, &n, &bytes);
    return n;
}

/*
 * A step exported 1 ms after a write waits out the 1 s interval on the
 * test clock: no write at +999 ms, the write at +1000 ms, by the pusher
 * (the push that follows finds nothing left to write).
 */
TEST(s3_pusher, interval_on_test_clock)
{
    tern_backend_s3_config c = TERN_BACKEND_S3_CONFIG_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tt_response resp;
    struct tt_vclock vc;
    tern_backend_s3 *b = NULL;
    tern_state *st = NULL;
    char path[4200];
    size_t i, bytes = 1;
    long long flushed;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "load", LOAD));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    for (i = 0; env.env[i]; i++)
        putenv((char *)env.env[i]);
    tt_vclock_init(&vc, 1000000);
    c.bucket = "tfstate";
    c.key = KEY;
    c.region = "us-east-1";
    c.use_lockfile = 1;
    c.clock = &vc.clock;
    ASSERT_OK(tern_backend_s3_new(&b, &c, NULL, &diags));
    ASSERT_OK(tern_backend_s3_lock(b, "apply", 0, &diags));
    snprintf(path, sizeof(path), "%s/work.db", tern_test_tmpdir());
    ASSERT_OK(tern_backend_s3_pull(b, path, "apply", 1, &st, &diags));
    tern_backend_s3_watch(b, st, 1000);

    /* A step inside the first interval is not exported; a flush 1 s into
     * the watch writes it at once; the next step is exported, due for the
     * pusher 1 s after that write. */
    commit_role(st, "a");
    tt_vclock_advance(&vc, 1000);
    ASSERT_EQ(pushes(b), 0);
    ASSERT_OK(tern_state_flush(st, &diags));
    ASSERT_EQ(pushes(b), 1);
    flushed = remote_serial();
    ASSERT_EQ(flushed, tern_state_serial(st));
    commit_role(st, "b");
    ASSERT_OK(tt_vclock_wait_for_waiter(&vc, 30000));
    ASSERT_EQ(pushes(b), 1);

    tt_vclock_advance(&vc, 999);
    ASSERT_OK(tt_vclock_wait_for_waiter(&vc, 30000));
    ASSERT_EQ(pushes(b), 1);
    ASSERT_EQ(remote_serial(), flushed);

    tt_vclock_advance(&vc, 1);
    ASSERT_OK(tern_backend_s3_push(b, st, &bytes, &diags));
    ASSERT_EQ(bytes, 0);
    ASSERT_EQ(pushes(b), 2);
    ASSERT_EQ(remote_serial(), tern_state_serial(st));
    ASSERT_CMP(remote_serial(), >, flushed);
    ASSERT_EQ(diags.count, 0);

    tern_backend_s3_watch(b, NULL, 0);
    ASSERT_OK(tern_backend_s3_unlock(b, &diags));
    tern_state_free(st);
    tern_backend_s3_free(b);
    tern_diags_release(&diags);
    tt_sim_stop(&sim);
}

const struct tern_test test_s3_pusher_list[] = {
    TEST_INTEGRATION(s3_pusher, interval_on_test_clock),
    TEST_END,
};
