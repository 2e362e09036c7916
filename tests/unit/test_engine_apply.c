/* src/engine: the apply executor — concurrency and order (from recorded
 * timestamps, not wall-clock thresholds), failure isolation, interrupts,
 * crash recovery through intents, replacement order. */
#include "runner.h"

#include <sys/stat.h>

#include "aws_call.h"
#include "support.h"
#include "test_module.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "cli/render_plan.h"

static struct test_op_record rec(struct test_env *env, const char *op,
                                 const char *name)
{
    struct test_op_record r;

    if (test_store_record(env->store, op, name, &r))
        FAIL("no %s of %s was recorded", op, name);
    return r;
}

TEST(engine_apply, independent_overlap_dependents_wait)
{
    struct test_env env;
    struct test_op_record a[4], z;
    long long max_start = 0, min_end = 0, max_end = 0;
    char name[8];
    int i;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    env.parallelism = 4;
    test_store_set_latency(env.store, 50);
    ASSERT_OK(test_env_converge(&env,
                                "resource \"test_object\" \"a\" {\n"
                                "  count = 4\n"
                                "  name  = \"a${count.index}\"\n"
                                "}\n"
                                "resource \"test_object\" \"z\" {\n"
                                "  name  = \"z\"\n"
                                "  value = join(\",\", test_object.a[*].id)\n"
                                "}\n"));
    for (i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "a%d", i);
        a[i] = rec(&env, "create", name);
        if (a[i].start_ns > max_start)
            max_start = a[i].start_ns;
        if (!min_end || a[i].end_ns < min_end)
            min_end = a[i].end_ns;
        if (a[i].end_ns > max_end)
            max_end = a[i].end_ns;
    }
    z = rec(&env, "create", "z");
    /* All four ran at once: each started before any had finished. */
    ASSERT_CMP(max_start, <, min_end);
    /* z started only after every one of them had finished. */
    ASSERT_CMP(z.start_ns, >=, max_end);
    {
        /* z saw the ids a[0..3] got (in whatever order they ran). */
        char *v = test_env_state_attr(&env, "test_object.z", "value"), *id;
        char want[128] = "", addr[64];

        for (i = 0; i < 4; i++) {
            snprintf(addr, sizeof(addr), "test_object.a[%d]", i);
            id = test_env_state_attr(&env, addr, "id");
            snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s",
                     i ? "," : "", id);
            tern_free(id);
        }
        ASSERT_STR_EQ(v, want);
        tern_free(v);
    }
    test_env_release(&env);
}

/* A block of 33 instances, past each capacity its lists double through
 * (8, 16, 32): every one is seen by what depends on them all, created
 * before it and destroyed after it. */
TEST(engine_apply, many_instances_ordered)
{
    struct test_env env;
    struct test_op_record a, z;
    char name[8], want[256] = "", *v;
    int i;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    env.parallelism = 4;
    test_store_set_latency(env.store, 1);
    ASSERT_OK(test_env_converge(&env,
                                "resource \"test_object\" \"a\" {\n"
                                "  count = 33\n"
                                "  name  = \"a${count.index}\"\n"
                                "}\n"
                                "resource \"test_object\" \"z\" {\n"
                                "  name  = \"z\"\n"
                                "  value = join(\",\", test_object.a[*].name)\n"
                                "}\n"));
    z = rec(&env, "create", "z");
    for (i = 0; i < 33; i++) {
        snprintf(name, sizeof(name), "a%d", i);
        a = rec(&env, "create", name);
        ASSERT_CMP(z.start_ns, >=, a.end_ns);
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s",
                 i ? "," : "", name);
    }
    v = test_env_state_attr(&env, "test_object.z", "value");
    ASSERT_STR_EQ(v, want);
    tern_free(v);
    ASSERT_EQ(test_env_state_count(&env), 34);
    ASSERT_OK(test_env_converge(&env, ""));
    z = rec(&env, "delete", "z");
    for (i = 0; i < 33; i++) {
        snprintf(name, sizeof(name), "a%d", i);
        a = rec(&env, "delete", name);
        ASSERT_CMP(a.start_ns, >=, z.end_ns);
    }
    ASSERT_EQ(test_env_state_count(&env), 0);
    test_env_release(&env);
}

TEST(engine_apply, parallelism_bounds_concurrency)
{
    struct test_env env;
    struct test_op_record *r;
    size_t n, i, j;
    int most = 0;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    env.parallelism = 3;
    test_store_set_latency(env.store, 10);
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  count = 12\n"
                                      "  name  = \"a${count.index}\"\n"
                                      "}\n"));
    r = test_store_records(env.store, &n);
    ASSERT_EQ(n, 12);
    for (i = 0; i < n; i++) {
        int at = 0;

        /* How many were running when this one started. */
        for (j = 0; j < n; j++)
            at += r[j].start_ns <= r[i].start_ns && r[j].end_ns > r[i].start_ns;
        if (at > most)
            most = at;
    }
    free(r);
    ASSERT_CMP(most, <=, 3);
    ASSERT_CMP(most, >=, 2);
    test_env_release(&env);
}

TEST(engine_apply, failure_stops_only_dependents)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_summary sum;
    char *v;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    test_store_fail_name(env.store, "a");
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name = \"a\"\n"
                                    "}\n"
                                    "resource \"test_object\" \"b\" {\n"
                                    "  name  = \"b\"\n"
                                    "  value = test_object.a.id\n"
                                    "}\n"
                                    "resource \"test_object\" \"c\" {\n"
                                    "  name = \"c\"\n"
                                    "}\n"
                                    "resource \"test_object\" \"d\" {\n"
                                    "  name  = \"d\"\n"
                                    "  value = test_object.c.id\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_engine_apply(env.engine, p, NULL, &sum, &env.diags),
              TERN_ERROR);
    tern_plan_free(p);
    ASSERT_EQ(sum.errors, 1);
    ASSERT_EQ(sum.skipped, 1);
    ASSERT_EQ(sum.add, 2);
    ASSERT_EQ(test_env_state_count(&env), 2);
    v = test_env_state_attr(&env, "test_object.d", "value");
    ASSERT_STR_EQ(v, "obj-0");
    tern_free(v);
    ASSERT_EQ(env.diags.errors, 1);
    ASSERT_STR_EQ(env.diags.items[0].detail,
                  "creating test_object.a: create of a fails.");
    ASSERT_STR_CONTAINS(tern_buf_cstr(&env.events),
                        "error test_object.a create");
    ASSERT_STR_CONTAINS(tern_buf_cstr(&env.events),
                        "skipped test_object.b create");
    /* No intent is left for a create that was refused outright. */
    {
        tern_state_intent *in = NULL;
        size_t n = 9;

        ASSERT_OK(tern_state_intents(env.state, &in, &n, NULL));
        ASSERT_EQ(n, 0);
    }
    test_env_release(&env);
}

static void interrupt_after_first_done(struct test_env *env,
                                       const tern_event *ev)
{
    if (ev->kind == TERN_EVENT_DONE && env->hook_count++ == 0)
        tern_engine_interrupt(env->engine);
}

TEST(engine_apply, interrupt_saves_completed_and_releases_lock)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_summary sum;
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *again = NULL;
    tern_state_intent *in = NULL;
    size_t n = 9, done = 0;
    const char *s;
    char path[600];

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    env.parallelism = 2;
    test_store_set_latency(env.store, 50);
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  count = 8\n"
                                    "  name  = \"a${count.index}\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    env.hook = interrupt_after_first_done;
    ASSERT_EQ(tern_engine_apply(env.engine, p, NULL, &sum, &env.diags),
              TERN_ECANCELED);
    tern_plan_free(p);
    ASSERT_TRUE(sum.interrupted);
    for (s = tern_buf_cstr(&env.events); (s = strstr(s, "\ndone ")); s++)
        done++;
    /* Every step that finished is in the state; none was started after. */
    ASSERT_EQ(test_env_state_count(&env), done);
    ASSERT_EQ(test_store_count(env.store), done);
    ASSERT_CMP(done, <, 8);
    ASSERT_EQ(sum.skipped, 8 - done);
    ASSERT_STR_CONTAINS(tern_buf_cstr(&env.events), "interrupt - no-op");
    ASSERT_OK(tern_state_intents(env.state, &in, &n, NULL));
    ASSERT_EQ(n, 0);
    snprintf(path, sizeof(path), "%s", env.state_path);
    test_env_release(&env);
    /* The lock went with the handle. */
    so.path = path;
    ASSERT_OK(tern_state_open(&again, &so, NULL));
    tern_state_free(again);
}

static void interrupt_twice_when_all_started(struct test_env *env,
                                             const tern_event *ev)
{
    if (ev->kind == TERN_EVENT_START && ++env->hook_count == 4) {
        tern_engine_interrupt(env->engine);
        tern_engine_interrupt(env->engine);
    }
}

TEST(engine_apply, second_interrupt_cancels_running)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_summary sum;
    struct test_op_record *r;
    size_t n, i;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    env.parallelism = 4;
    /* Long enough that only the cancel flag ends them within the test's
     * timeout. */
    test_store_set_latency(env.store, 100000);
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  count = 4\n"
                                    "  name  = \"a${count.index}\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    env.hook = interrupt_twice_when_all_started;
    ASSERT_EQ(tern_engine_apply(env.engine, p, NULL, &sum, &env.diags),
              TERN_ECANCELED);
    tern_plan_free(p);
    ASSERT_EQ(sum.errors, 4);
    r = test_store_records(env.store, &n);
    ASSERT_EQ(n, 4);
    for (i = 0; i < n; i++)
        ASSERT_EQ(r[i].rc, TERN_ECANCELED);
    free(r);
    ASSERT_EQ(test_env_state_count(&env), 0);
    test_env_release(&env);
}

TEST(engine_apply, intent_left_behind_is_adopted_at_plan)
{
    struct test_env env;
    tern_plan *p = NULL;
    json_t *ident = json_pack("{s:s}", "name", "a");
    int64_t id;
    char *ch, *v;
    tern_state_intent *in = NULL;
    size_t n = 9;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    /* A run that died between the create and its commit. */
    ASSERT_OK(tern_state_intent_begin(env.state, &id, "test_object.a", "create",
                                      ident, NULL));
    ASSERT_NOT_NULL(test_store_put(env.store, "a", NULL));
    json_decref(ident);
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name  = \"a\"\n"
                                    "  value = \"v\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "update test_object.a adopted\n");
    tern_free(ch);
    ASSERT_EQ(tern_plan_summary(p)->adopt, 1);
    ASSERT_STR_CONTAINS(tern_buf_cstr(&env.events), "adopt test_object.a");
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_EQ(test_store_count_name(env.store, "a"), 1);
    v = test_env_state_attr(&env, "test_object.a", "value");
    ASSERT_STR_EQ(v, "v");
    tern_free(v);
    ASSERT_OK(tern_state_intents(env.state, &in, &n, NULL));
    ASSERT_EQ(n, 0);
    /* Converged. */
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_plan_change_count(p), 0);
    tern_plan_free(p);
    test_env_release(&env);
}

TEST(engine_apply, intent_left_behind_is_adopted_at_apply)
{
    struct test_env env;
    tern_plan *p = NULL;
    json_t *ident = json_pack("{s:s}", "name", "b");
    int64_t id;
    tern_summary sum;
    tern_state_intent *in = NULL;
    size_t n = 9, ops;
    struct test_op_record *r;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"b\" {\n"
                                    "  name = \"b\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    /* After the plan, another run (or this one, killed) created it. */
    ASSERT_OK(tern_state_intent_begin(env.state, &id, "test_object.b", "create",
                                      ident, NULL));
    ASSERT_NOT_NULL(test_store_put(env.store, "b", NULL));
    json_decref(ident);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, &sum, &env.diags));
    tern_plan_free(p);
    ASSERT_EQ(sum.adopt, 1);
    ASSERT_EQ(sum.add, 0);
    ASSERT_EQ(test_store_count_name(env.store, "b"), 1);
    r = test_store_records(env.store, &ops);
    ASSERT_EQ(ops, 1);
    ASSERT_STR_EQ(r[0].op, "lookup");
    free(r);
    ASSERT_EQ(test_env_state_count(&env), 1);
    ASSERT_OK(tern_state_intents(env.state, &in, &n, NULL));
    ASSERT_EQ(n, 0);
    test_env_release(&env);
}

/*
 * A create that fails without a definite answer (TERN_ERROR: a lost or
 * garbled response, a timeout, 5xx after the retries) may have happened
 * remotely: its intent stays, so the next run looks the object up instead
 * of failing on "already exists" for ever. Here it had not happened: the
 * next run finds nothing and creates it once.
 */
TEST(engine_apply, indefinite_create_failure_keeps_intent)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_summary sum;
    tern_state_intent *in = NULL;
    size_t n = 9;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name = \"a\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    test_store_fail_after(env.store, 1);
    ASSERT_EQ(tern_engine_apply(env.engine, p, NULL, &sum, &env.diags),
              TERN_ERROR);
    tern_plan_free(p);
    ASSERT_OK(tern_state_intents(env.state, &in, &n, NULL));
    ASSERT_EQ(n, 1);
    ASSERT_STR_EQ(in[0].address, "test_object.a");
    tern_state_intents_free(in, n);

    test_store_fail_after(env.store, 0);
    tern_diags_release(&env.diags);
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, &sum, &env.diags));
    tern_plan_free(p);
    ASSERT_EQ(test_store_count_name(env.store, "a"), 1);
    ASSERT_EQ(test_env_state_count(&env), 1);
    in = NULL;
    n = 9;
    ASSERT_OK(tern_state_intents(env.state, &in, &n, NULL));
    ASSERT_EQ(n, 0);
    test_env_release(&env);
}

TEST(engine_apply, replacement_order)
{
    struct test_env env;
    struct test_op_record c, d;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    test_store_set_latency(env.store, 5);
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  name = \"a1\"\n"
                                      "  lifecycle {\n"
                                      "    create_before_destroy = true\n"
                                      "  }\n"
                                      "}\n"
                                      "resource \"test_object\" \"b\" {\n"
                                      "  name = \"b1\"\n"
                                      "}\n"));
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  name = \"a2\"\n"
                                      "  lifecycle {\n"
                                      "    create_before_destroy = true\n"
                                      "  }\n"
                                      "}\n"
                                      "resource \"test_object\" \"b\" {\n"
                                      "  name = \"b2\"\n"
                                      "}\n"));
    c = rec(&env, "create", "a2");
    d = rec(&env, "delete", "a1");
    ASSERT_CMP(c.end_ns, <=, d.start_ns);
    c = rec(&env, "create", "b2");
    d = rec(&env, "delete", "b1");
    ASSERT_CMP(d.end_ns, <=, c.start_ns);
    ASSERT_EQ(test_store_count(env.store), 2);
    ASSERT_EQ(test_env_state_count(&env), 2);
    test_env_release(&env);
}

#define CBD_A(name)                                                            \
    "resource \"test_object\" \"a\" {\n"                                       \
    "  name = \"" name "\"\n"                                                  \
    "  lifecycle {\n"                                                          \
    "    create_before_destroy = true\n"                                       \
    "  }\n"                                                                    \
    "}\n"

/* The intents left in env's state, as "action address name" lines. */
static char *intents_text(struct test_env *env)
{
    tern_state_intent *in = NULL;
    size_t n = 0, i;
    tern_buf b = TERN_BUF_INIT;
    char *out;

    ASSERT_OK(tern_state_intents(env->state, &in, &n, NULL));
    for (i = 0; i < n; i++)
        tern_buf_printf(
            &b, "%s %s %s\n", in[i].action, in[i].address,
            json_string_value(json_object_get(in[i].identity, "name")));
    tern_state_intents_free(in, n);
    out = tern_strdup(b.len ? b.ptr : "");
    tern_buf_release(&b);
    return out;
}

TEST(engine_apply, cbd_failed_delete_keeps_the_deposed_object)
{
    struct test_env env;
    tern_plan *p = NULL;
    const tern_change *c;
    char *t;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, CBD_A("a1")));
    /* The new object is made, the old one cannot be deleted (yet). */
    test_store_fail_delete(env.store, "a1");
    ASSERT_NE(test_env_converge(&env, CBD_A("a2")), 0);
    ASSERT_EQ(test_store_count_name(env.store, "a1"), 1);
    ASSERT_EQ(test_store_count_name(env.store, "a2"), 1);
    t = test_env_state_attr(&env, "test_object.a", "name");
    ASSERT_STR_EQ(t, "a2");
    tern_free(t);
    /* The old object is remembered, not orphaned. */
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "deposed test_object.a a1\n");
    tern_free(t);

    /* The next plan deletes it, and only it. */
    test_store_clear_failures(env.store);
    ASSERT_OK(test_env_config(&env, CBD_A("a2")));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_plan_change_count(p), 1);
    c = tern_plan_change(p, 0);
    ASSERT_EQ(c->action, TERN_ACTION_DELETE);
    ASSERT_STR_EQ(c->address, "test_object.a");
    ASSERT_NOT_NULL(c->deposed);
    ASSERT_EQ(strlen(c->deposed), 8);
    {
        tern_buf out = TERN_BUF_INIT;
        char *want = tern_asprintf(
            "# test_object.a (deposed object %s) will be destroyed",
            c->deposed);

        cli_render_change(&out, NULL, c, 0);
        ASSERT_STR_CONTAINS(tern_buf_cstr(&out), want);
        ASSERT_STR_CONTAINS(tern_buf_cstr(&out), "\"a1\"");
        tern_free(want);
        tern_buf_release(&out);
    }
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_EQ(test_store_count_name(env.store, "a1"), 0);
    ASSERT_EQ(test_store_count_name(env.store, "a2"), 1);
    t = test_env_state_attr(&env, "test_object.a", "name");
    ASSERT_STR_EQ(t, "a2");
    tern_free(t);
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "");
    tern_free(t);
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_plan_change_count(p), 0);
    tern_plan_free(p);
    test_env_release(&env);
}

TEST(engine_apply, deposed_destroyed_via_saved_plan)
{
    struct test_env env;
    tern_plan *p = NULL, *q = NULL;
    tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
    char *path = tern_asprintf("%s/d.tfplan", tern_test_tmpdir()), *t;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, CBD_A("a1")));
    test_store_fail_delete(env.store, "a1");
    ASSERT_NE(test_env_converge(&env, CBD_A("a2")), 0);
    test_store_clear_failures(env.store);
    /* tern destroy deletes both the object and the deposed one, through
     * a saved plan. */
    o.destroy = 1;
    ASSERT_OK(test_env_config(&env, CBD_A("a2")));
    ASSERT_OK(test_env_plan(&env, &o, &p));
    ASSERT_EQ(tern_plan_change_count(p), 2);
    ASSERT_OK(tern_plan_write(p, path, NULL, NULL));
    tern_plan_free(p);
    ASSERT_OK(tern_plan_read(&q, path, NULL, NULL));
    ASSERT_EQ(tern_plan_change_count(q), 2);
    ASSERT_TRUE(tern_plan_change(q, 0)->deposed != NULL ||
                tern_plan_change(q, 1)->deposed != NULL);
    ASSERT_OK(tern_engine_apply(env.engine, q, NULL, NULL, &env.diags));
    tern_plan_free(q);
    ASSERT_EQ(test_store_count(env.store), 0);
    ASSERT_EQ(test_env_state_count(&env), 0);
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "");
    tern_free(t);
    tern_free(path);
    test_env_release(&env);
}

TEST(engine_apply, cbd_interrupted_between_create_and_delete)
{
    struct test_env env;
    tern_plan *p = NULL;
    char *t;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, CBD_A("a1")));
    /* Stopped once the new object is made: the old one's delete never
     * starts, and the old object is remembered with the new one. */
    ASSERT_OK(test_env_config(&env, CBD_A("a2")));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    env.hook = interrupt_after_first_done;
    ASSERT_EQ(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags),
              TERN_ECANCELED);
    tern_plan_free(p);
    env.hook = NULL;
    ASSERT_EQ(test_store_count_name(env.store, "a1"), 1);
    ASSERT_EQ(test_store_count_name(env.store, "a2"), 1);
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "deposed test_object.a a1\n");
    tern_free(t);
    ASSERT_OK(test_env_converge(&env, CBD_A("a2")));
    ASSERT_EQ(test_store_count_name(env.store, "a1"), 0);
    ASSERT_EQ(test_store_count_name(env.store, "a2"), 1);
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "");
    tern_free(t);
    test_env_release(&env);
}

/*
 * A create_before_destroy replacement killed after its create, before the
 * commit: the state still holds the old object, and only the create intent
 * remembers the new one. The next run must adopt it by that intent, not
 * create a second (a fixed name would fail with EntityAlreadyExists).
 */
TEST(engine_apply, cbd_killed_after_create_adopts)
{
    struct test_env env;
    json_t *ident = json_pack("{s:s}", "name", "a2");
    tern_plan *p = NULL;
    int64_t id;
    char *ch, *t;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, CBD_A("a1")));
    /* What the kill left: the intent, and the new object made. */
    ASSERT_OK(tern_state_intent_begin(env.state, &id, "test_object.a", "create",
                                      ident, NULL));
    json_decref(ident);
    ASSERT_NOT_NULL(test_store_put(env.store, "a2", NULL));
    ASSERT_OK(test_env_config(&env, CBD_A("a2")));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(
        ch, "create-delete test_object.a (replace_because_cannot_update)\n");
    tern_free(ch);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_EQ(test_store_count_name(env.store, "a1"), 0);
    ASSERT_EQ(test_store_count_name(env.store, "a2"), 1);
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "");
    tern_free(t);
    test_env_release(&env);
}

/*
 * Finding 12 of issue 20: two runs killed in turn leave two create
 * intents for one address (the first run's, then the second's, which
 * found nothing to adopt and created it). The third run adopts the object
 * by the first intent; the second must go with it, or it outlives its
 * object and every later command warns of unfinished operations.
 */
TEST(engine_apply, intents_of_adopted_cleared)
{
    struct test_env env;
    tern_plan *p = NULL;
    json_t *ident = json_pack("{s:s}", "name", "a");
    int64_t id;
    char *ch, *t;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(tern_state_intent_begin(env.state, &id, "test_object.a", "create",
                                      ident, NULL));
    ASSERT_OK(tern_state_intent_begin(env.state, &id, "test_object.a", "create",
                                      ident, NULL));
    json_decref(ident);
    ASSERT_NOT_NULL(test_store_put(env.store, "a", NULL));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name = \"a\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "no-op test_object.a adopted\n");
    tern_free(ch);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "");
    tern_free(t);
    ASSERT_EQ(test_store_count_name(env.store, "a"), 1);
    test_env_release(&env);
}

/*
 * A destroy killed during a delete leaves its intent with the object in
 * the state. The next destroy deletes the object with an intent of its
 * own; the earlier one is resolved too.
 */
TEST(engine_apply, intents_of_deleted_cleared)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
    json_t *ident = json_pack("{s:s}", "name", "a");
    int64_t id;
    char *t;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  name = \"a\"\n"
                                      "}\n"));
    ASSERT_OK(tern_state_intent_begin(env.state, &id, "test_object.a", "delete",
                                      ident, NULL));
    json_decref(ident);
    o.destroy = 1;
    ASSERT_OK(test_env_plan(&env, &o, &p));
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    t = intents_text(&env);
    ASSERT_STR_EQ(t, "");
    tern_free(t);
    ASSERT_EQ(test_store_count_name(env.store, "a"), 0);
    ASSERT_EQ(test_env_state_count(&env), 0);
    test_env_release(&env);
}

TEST(engine_apply, destroy_in_reverse_dependency_order)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
    struct test_op_record a, b, c;
    json_t *outs = NULL;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    test_store_set_latency(env.store, 5);
    ASSERT_OK(test_env_converge(&env,
                                "resource \"test_object\" \"a\" {\n"
                                "  name = \"a\"\n"
                                "}\n"
                                "resource \"test_object\" \"b\" {\n"
                                "  name  = \"b\"\n"
                                "  value = test_object.a.id\n"
                                "}\n"
                                "resource \"test_object\" \"c\" {\n"
                                "  name       = \"c\"\n"
                                "  depends_on = [test_object.b]\n"
                                "}\n"
                                "output \"a\" { value = test_object.a.id }\n"));
    o.destroy = 1;
    ASSERT_OK(test_env_plan(&env, &o, &p));
    ASSERT_EQ(tern_plan_change_count(p), 3);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    a = rec(&env, "delete", "a");
    b = rec(&env, "delete", "b");
    c = rec(&env, "delete", "c");
    ASSERT_CMP(c.end_ns, <=, b.start_ns);
    ASSERT_CMP(b.end_ns, <=, a.start_ns);
    ASSERT_EQ(test_env_state_count(&env), 0);
    ASSERT_EQ(test_store_count(env.store), 0);
    ASSERT_OK(tern_state_outputs(env.state, &outs, NULL));
    ASSERT_EQ(json_object_size(outs), 0);
    json_decref(outs);
    test_env_release(&env);
}

/* The state's group commit, as the apply loop uses it: each change keeps
 * its serial and fails alone; all are durable when the batch ends. */
TEST(engine_apply, state_batch_group_commit)
{
    struct test_env env;
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    json_t *attrs = json_pack("{s:s}", "id", "x");
    char path[600];
    int64_t serial;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    serial = tern_state_serial(env.state);
    r.type = "test_object";
    r.attributes = attrs;
    ASSERT_OK(tern_state_batch_begin(env.state, NULL));
    ASSERT_EQ(tern_state_batch_begin(env.state, NULL), TERN_EINVALID);
    r.name = "one";
    ASSERT_OK(tern_state_put(env.state, &r, NULL));
    /* A change that fails is rolled back alone. */
    r.name = "bad";
    ASSERT_EQ(tern_state_commit_step(env.state, 12345, &r, NULL),
              TERN_ENOTFOUND);
    r.name = "two";
    ASSERT_OK(tern_state_put(env.state, &r, NULL));
    ASSERT_EQ(tern_state_serial(env.state), serial + 2);
    ASSERT_OK(tern_state_batch_end(env.state, NULL));
    ASSERT_OK(tern_state_batch_end(env.state, NULL));
    json_decref(attrs);
    snprintf(path, sizeof(path), "%s", env.state_path);
    test_env_release(&env);
    so.path = path;
    ASSERT_OK(tern_state_open(&env.state, &so, NULL));
    ASSERT_EQ(tern_state_serial(env.state), serial + 2);
    ASSERT_EQ(test_env_state_count(&env), 2);
    tern_state_free(env.state);
}

/* The provider "aws" block configures the credentials and the IAM client a
 * real module (aws_iam_role, from the registry) gets: create, converge and
 * destroy against tern-sim. */
TEST(engine_apply, aws_provider_against_sim)
{
    struct test_env env;
    struct tt_sim sim;
    tern_plan *p = NULL;
    tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
    char cfg[2048], *arn;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    snprintf(cfg, sizeof(cfg),
             "provider \"aws\" {\n"
             "  region     = \"us-east-1\"\n"
             "  access_key = \"%s\"\n"
             "  secret_key = \"%s\"\n"
             "  endpoints {\n"
             "    iam = \"%s\"\n"
             "    sts = \"%s\"\n"
             "  }\n"
             "}\n"
             "resource \"aws_iam_role\" \"r\" {\n"
             "  name = \"engine-test\"\n" TT_HCL_TRUST_EC2 "}\n"
             "resource \"test_object\" \"t\" {\n"
             "  name  = \"t\"\n"
             "  value = aws_iam_role.r.arn\n"
             "}\n",
             tt_default_creds.access_key_id, tt_default_creds.secret_access_key,
             sim.base_url, sim.base_url);
    ASSERT_OK(test_env_converge(&env, cfg));
    arn = test_env_state_attr(&env, "aws_iam_role.r", "arn");
    ASSERT_STR_CONTAINS(arn, ":role/engine-test");
    tern_free(arn);
    arn = test_env_state_attr(&env, "test_object.t", "value");
    ASSERT_STR_CONTAINS(arn, ":role/engine-test");
    tern_free(arn);
    /* Refreshed against the service, nothing to do. */
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    if (tern_plan_change_count(p)) {
        char *ch = test_env_changes(p);
        json_t *j = NULL;

        tern_plan_to_json(p, NULL, &j);
        FAIL("not converged:\n%s\n%s", ch, json_dumps(j, JSON_INDENT(1)));
    }
    tern_plan_free(p);
    o.destroy = 1;
    ASSERT_OK(test_env_plan(&env, &o, &p));
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_EQ(test_env_state_count(&env), 0);
    test_env_release(&env);
    tt_sim_stop(&sim);
}

/* The state holds test_object @addr named @name whole (its id the one
 * object of that name in the store), or not at all. */
static void state_whole_or_absent(struct test_env *env, const char *addr,
                                  const char *name)
{
    tern_state_resource *r = NULL;
    const char *id, *got;

    if (tern_state_get(env->state, &r, addr, NULL) == TERN_ENOTFOUND)
        return;
    ASSERT_NOT_NULL(r);
    id = json_string_value(json_object_get(r->attributes, "id"));
    got = json_string_value(json_object_get(r->attributes, "name"));
    ASSERT_NOT_NULL(id);
    ASSERT_NOT_NULL(got);
    ASSERT_STR_EQ(got, name);
    ASSERT_EQ(test_store_count_name(env->store, name), 1);
    tern_state_resource_free(r);
}

/* Every allocation failure during an apply is reported, not crashed on or
 * leaked; what was saved is consistent with the store (no duplicates on
 * the next run). */
TEST(engine_apply, allocation_failures)
{
    unsigned long n;
    int rc = TERN_ERROR;

    /* Every allocation of the first 200 (binding the plan, the first
     * intents), then every 11th: with SQLite's and Jansson's an apply
     * makes about 1,000, and each trial builds a state afresh
     * (state::step_allocation_walk takes every one of a step's write). */
    for (n = 1; rc != TERN_OK; n += n < 200 ? 1 : 11) {
        struct test_env env;
        tern_plan *p = NULL;
        char dir[600];

        snprintf(dir, sizeof(dir), "%s/%lu", tern_test_tmpdir(), n);
        ASSERT_OK(mkdir(dir, 0700));
        ASSERT_OK(test_env_init(&env, dir));
        env.parallelism = 1;
        ASSERT_OK(test_env_config(
            &env, "resource \"test_object\" \"a\" {\n"
                  "  name = \"a\"\n"
                  "}\n"
                  "resource \"test_object\" \"b\" {\n"
                  "  name  = \"b\"\n"
                  "  value = test_object.a.id\n"
                  "}\n"
                  "output \"b\" { value = test_object.b.id }\n"));
        ASSERT_OK(test_env_plan(&env, NULL, &p));
        tern__alloc_fail_after(n);
        rc = tern_engine_apply(env.engine, p, NULL, NULL, &env.diags);
        tern__alloc_fail_after(0);
        tern_plan_free(p);
        /* Failed, and said why: out of memory, or an error diagnostic. */
        if (rc != TERN_OK && rc != TERN_ENOMEM && env.diags.errors == 0)
            FAIL("allocation %lu failed: rc %d without a diagnostic", n, rc);
        tern_diags_release(&env.diags);
        if (rc != TERN_OK) {
            /* No partial state: what the state holds of an object is the
             * whole object the store made, or nothing. */
            state_whole_or_absent(&env, "test_object.a", "a");
            state_whole_or_absent(&env, "test_object.b", "b");
            /* And a second run converges without duplicates. */
            ASSERT_OK(test_env_plan(&env, NULL, &p));
            if (tern_engine_apply(env.engine, p, NULL, NULL, &env.diags)) {
                test_env_dump(&env);
                FAIL("allocation %lu: the apply after it failed", n);
            }
            tern_plan_free(p);
        }
        ASSERT_EQ(test_store_count_name(env.store, "a"), 1);
        ASSERT_EQ(test_store_count_name(env.store, "b"), 1);
        ASSERT_EQ(test_env_state_count(&env), 2);
        test_env_release(&env);
        ASSERT_CMP(n, <, 20000);
    }
    /* It did walk: an apply allocates more than a few times. */
    ASSERT_CMP(n, >, 50);
}

/* The state test_object.a has after one apply with allocation @n failing
 * alone (0: none), as sorted compact JSON of its attributes and sensitive
 * paths (the C library's, free()), or NULL when the apply failed or left
 * nothing; *@rc, the apply's code; *@made, the allocations it made. */
static char *apply_once(unsigned long n, int *rc, unsigned long *made)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_state_resource *r = NULL;
    char dir[600], *text = NULL;
    json_t *both;

    snprintf(dir, sizeof(dir), "%s/%lu", tern_test_tmpdir(), n);
    ASSERT_OK(mkdir(dir, 0700));
    ASSERT_OK(test_env_init(&env, dir));
    env.parallelism = 1;
    ASSERT_OK(test_env_config(&env, "variable \"v\" {\n"
                                    "  default   = \"hidden\"\n"
                                    "  sensitive = true\n"
                                    "}\n"
                                    "resource \"test_object\" \"a\" {\n"
                                    "  name   = \"a\"\n"
                                    "  secret = \"s\"\n"
                                    "  value  = var.v\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    tern__alloc_fail_once(n);
    *rc = tern_engine_apply(env.engine, p, NULL, NULL, &env.diags);
    *made = tern__alloc_fail_after(0);
    tern_plan_free(p);
    if (*rc != TERN_OK && *rc != TERN_ENOMEM && env.diags.errors == 0)
        FAIL("allocation %lu failed: rc %d without a diagnostic", n, *rc);
    if (tern_state_get(env.state, &r, "test_object.a", NULL) == TERN_OK) {
        both = json_pack("{s:O,s:O}", "attributes", r->attributes, "sensitive",
                         r->sensitive ? r->sensitive : json_null());
        ASSERT_NOT_NULL(both);
        text = json_dumps(both, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(both);
        tern_state_resource_free(r);
    }
    tern_diags_release(&env.diags);
    test_env_release(&env);
    return text;
}

/* Each allocation of an apply failing alone: the object is committed with
 * every attribute and every sensitive path (the schema's secret, the
 * value derived from a sensitive variable), or not at all; a path left
 * out would leave a secret unmarked in the state (issue 20). */
TEST(engine_apply, alloc_once_sensitive)
{
    unsigned long n, total, made;
    char *want, *got;
    int rc;

    want = apply_once(0, &rc, &total);
    ASSERT_OK(rc);
    ASSERT_NOT_NULL(want);
    ASSERT_NOT_NULL(strstr(want, "\"value\":\"secret\""));
    ASSERT_NOT_NULL(strstr(want, "\"value\":\"value\""));
    ASSERT_CMP(total, >, 100);
    /* Every one up to the commit and well past it (the object is
     * committed near allocation 180 of about 800), then every 4th: each
     * trial builds an engine and a state afresh. */
    for (n = 1; n <= total; n += n < 400 ? 1 : 4) {
        got = apply_once(n, &rc, &made);
        if (got && strcmp(got, want) != 0)
            FAIL("allocation %lu of %lu failed (rc %d), yet the state holds "
                 "%s\nnot\n%s",
                 n, total, rc, got, want);
        free(got); /* Jansson's */
    }
    free(want);
}

/* The outputs test_object.a's apply leaves in the state, with allocation
 * @n failing alone (0: none), as sorted compact JSON (the C library's,
 * free()); *@rc, the apply's code; *@errors, its error diagnostics;
 * *@made, the allocations it made. */
static char *apply_outputs_once(unsigned long n, int *rc, size_t *errors,
                                unsigned long *made)
{
    struct test_env env;
    tern_plan *p = NULL;
    json_t *outs = NULL;
    char dir[600], *text = NULL;

    snprintf(dir, sizeof(dir), "%s/out%lu", tern_test_tmpdir(), n);
    ASSERT_OK(mkdir(dir, 0700));
    ASSERT_OK(test_env_init(&env, dir));
    env.parallelism = 1;
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name = \"a\"\n"
                                    "}\n"
                                    "output \"name\" {\n"
                                    "  value = test_object.a.name\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    tern__alloc_fail_once(n);
    *rc = tern_engine_apply(env.engine, p, NULL, NULL, &env.diags);
    *made = tern__alloc_fail_after(0);
    *errors = env.diags.errors;
    tern_plan_free(p);
    ASSERT_OK(tern_state_outputs(env.state, &outs, &env.diags));
    text = json_dumps(outs, JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_NOT_NULL(text);
    json_decref(outs);
    tern_diags_release(&env.diags);
    test_env_release(&env);
    return text;
}

/* Each allocation of an apply failing alone: the apply that succeeds
 * saved the output of what it applied, and one that failed said why (an
 * error diagnostic, or out of memory). The value of an applied object
 * that could not be made for what refers to it left the output out of
 * the state of an apply that succeeded (issue 20). */
TEST(engine_apply, alloc_once_outputs)
{
    unsigned long n, total, made;
    char *want, *got;
    size_t errors;
    int rc;

    want = apply_outputs_once(0, &rc, &errors, &total);
    ASSERT_OK(rc);
    ASSERT_STR_EQ(want, "{\"name\":{\"sensitive\":false,\"type\":\"string\","
                        "\"value\":\"a\"}}");
    ASSERT_CMP(total, >, 100);
    for (n = 1; n <= total; n++) {
        got = apply_outputs_once(n, &rc, &errors, &made);
        if (rc == TERN_OK && strcmp(got, want) != 0)
            FAIL("allocation %lu of %lu failed, the apply succeeded, yet the "
                 "state's outputs are %s",
                 n, total, got);
        if (rc != TERN_OK && rc != TERN_ENOMEM && errors == 0)
            FAIL("allocation %lu failed: rc %d without a diagnostic", n, rc);
        free(got); /* Jansson's */
    }
    free(want);
}

const struct tern_test test_engine_apply_list[] = {
    TEST_UNIT(engine_apply, independent_overlap_dependents_wait),
    TEST_UNIT(engine_apply, many_instances_ordered),
    TEST_UNIT(engine_apply, parallelism_bounds_concurrency),
    TEST_UNIT(engine_apply, failure_stops_only_dependents),
    TEST_UNIT(engine_apply, interrupt_saves_completed_and_releases_lock),
    TEST_UNIT(engine_apply, second_interrupt_cancels_running),
    TEST_UNIT(engine_apply, intent_left_behind_is_adopted_at_plan),
    TEST_UNIT(engine_apply, intent_left_behind_is_adopted_at_apply),
    TEST_UNIT(engine_apply, indefinite_create_failure_keeps_intent),
    TEST_UNIT(engine_apply, replacement_order),
    TEST_UNIT(engine_apply, cbd_failed_delete_keeps_the_deposed_object),
    TEST_UNIT(engine_apply, deposed_destroyed_via_saved_plan),
    TEST_UNIT(engine_apply, cbd_interrupted_between_create_and_delete),
    TEST_UNIT(engine_apply, cbd_killed_after_create_adopts),
    TEST_UNIT(engine_apply, intents_of_adopted_cleared),
    TEST_UNIT(engine_apply, intents_of_deleted_cleared),
    TEST_UNIT(engine_apply, destroy_in_reverse_dependency_order),
    TEST_UNIT(engine_apply, state_batch_group_commit),
    TEST_UNIT(engine_apply, allocation_failures),
    TEST_UNIT(engine_apply, alloc_once_sensitive),
    TEST_UNIT(engine_apply, alloc_once_outputs),
    TEST_INTEGRATION(engine_apply, aws_provider_against_sim),
    TEST_END};
