/* src/engine: keyed dependencies. An instance whose block refers to
 * another block only as type.name[each.key] or type.name[count.index]
 * waits for the instance with its own key, not for the whole block; a
 * reference to the whole block anywhere keeps the whole-block wait.
 * Checked on the apply and destroy graphs (tern_engine_graph_dot). */
#include "runner.h"

#include "support.h"
#include "test_module.h"
#include "util/alloc.h"

static const char keyed_hcl[] = "resource \"test_object\" \"a\" {\n"
                                "  for_each = toset([\"k0\", \"k1\", \"k2\"])\n"
                                "  name     = \"a-${each.key}\"\n"
                                "}\n"
                                "resource \"test_object\" \"b\" {\n"
                                "  for_each = toset([\"k0\", \"k1\", \"k2\"])\n"
                                "  name     = \"b-${each.key}\"\n"
                                "  value    = test_object.a[each.key].id\n"
                                "}\n"
                                "resource \"test_object\" \"c\" {\n"
                                "  count = 2\n"
                                "  name  = \"c-${count.index}\"\n"
                                "}\n"
                                "resource \"test_object\" \"d\" {\n"
                                "  count = 2\n"
                                "  name  = \"d-${count.index}\"\n"
                                "  value = test_object.c[count.index].id\n"
                                "}\n";

static char *graph(struct test_env *env, enum tern_graph_type type)
{
    char *dot = NULL;

    if (tern_engine_graph_dot(env->engine, type, NULL, &dot, &env->diags)) {
        test_env_dump(env);
        FAIL("graph failed");
    }
    return dot;
}

TEST(engine_keyed_deps, create_waits_for_the_same_key)
{
    struct test_env env;
    char *dot;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, keyed_hcl));
    dot = graph(&env, TERN_GRAPH_APPLY);
    ASSERT_STR_CONTAINS(dot, "\"test_object.b[\\\"k0\\\"] (create)\" -> "
                             "\"test_object.a[\\\"k0\\\"] (create)\"");
    ASSERT_STR_NOT_CONTAINS(dot, "\"test_object.b[\\\"k0\\\"] (create)\" -> "
                                 "\"test_object.a[\\\"k1\\\"] (create)\"");
    ASSERT_STR_CONTAINS(dot, "\"test_object.d[1] (create)\" -> "
                             "\"test_object.c[1] (create)\"");
    ASSERT_STR_NOT_CONTAINS(dot, "\"test_object.d[1] (create)\" -> "
                                 "\"test_object.c[0] (create)\"");
    tern_free(dot);
    /* And the values flow as before. */
    ASSERT_OK(test_env_converge(&env, keyed_hcl));
    {
        char *a = test_env_state_attr(&env, "test_object.a[\"k1\"]", "id");
        char *b = test_env_state_attr(&env, "test_object.b[\"k1\"]", "value");

        ASSERT_STR_EQ(b, a);
        tern_free(a);
        tern_free(b);
    }
    test_env_release(&env);
}

TEST(engine_keyed_deps, destroy_waits_for_the_same_key)
{
    struct test_env env;
    char *dot;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, keyed_hcl));
    dot = graph(&env, TERN_GRAPH_DESTROY);
    ASSERT_STR_CONTAINS(dot, "\"test_object.a[\\\"k2\\\"] (destroy)\" -> "
                             "\"test_object.b[\\\"k2\\\"] (destroy)\"");
    ASSERT_STR_NOT_CONTAINS(dot, "\"test_object.a[\\\"k2\\\"] (destroy)\" -> "
                                 "\"test_object.b[\\\"k0\\\"] (destroy)\"");
    ASSERT_STR_CONTAINS(dot, "\"test_object.c[0] (destroy)\" -> "
                             "\"test_object.d[0] (destroy)\"");
    ASSERT_STR_NOT_CONTAINS(dot, "\"test_object.c[0] (destroy)\" -> "
                                 "\"test_object.d[1] (destroy)\"");
    tern_free(dot);
    test_env_release(&env);
}

TEST(engine_keyed_deps, a_whole_block_reference_waits_for_all)
{
    struct test_env env;
    char *dot;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    /* b names a[each.key] but also the whole of a (through a local, and
     * the length): every b waits for every a. */
    ASSERT_OK(test_env_config(
        &env, "locals {\n"
              "  all = test_object.a\n"
              "}\n"
              "resource \"test_object\" \"a\" {\n"
              "  for_each = toset([\"k0\", \"k1\"])\n"
              "  name     = \"a-${each.key}\"\n"
              "}\n"
              "resource \"test_object\" \"b\" {\n"
              "  for_each = toset([\"k0\", \"k1\"])\n"
              "  name     = \"b-${each.key}-${length(local.all)}\"\n"
              "  value    = test_object.a[each.key].id\n"
              "}\n"
              "resource \"test_object\" \"e\" {\n"
              "  for_each = toset([\"k0\", \"k1\"])\n"
              "  name     = \"e-${each.key}\"\n"
              "  value    = test_object.a[each.value].id\n"
              "}\n"));
    dot = graph(&env, TERN_GRAPH_APPLY);
    ASSERT_STR_CONTAINS(dot, "\"test_object.b[\\\"k0\\\"] (create)\" -> "
                             "\"test_object.a[\\\"k1\\\"] (create)\"");
    /* each.value is not the instance's own key. */
    ASSERT_STR_CONTAINS(dot, "\"test_object.e[\\\"k0\\\"] (create)\" -> "
                             "\"test_object.a[\\\"k1\\\"] (create)\"");
    tern_free(dot);
    test_env_release(&env);
}

const struct tern_test test_engine_keyed_deps_list[] = {
    TEST_UNIT(engine_keyed_deps, create_waits_for_the_same_key),
    TEST_UNIT(engine_keyed_deps, destroy_waits_for_the_same_key),
    TEST_UNIT(engine_keyed_deps, a_whole_block_reference_waits_for_all),
    TEST_END};
