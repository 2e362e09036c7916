/* src/engine: configuration analysis, expansion, cycles, Graphviz. */
#include "runner.h"

#include "test_module.h"
#include "util/alloc.h"

TEST(engine_graph, count_and_for_each_expand)
{
    struct test_env env;
    tern_plan *p = NULL;
    char *ch;
    const tern_change *c;
    size_t i;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env,
                              "resource \"test_object\" \"c\" {\n"
                              "  count = 2\n"
                              "  name  = \"c-${count.index}\"\n"
                              "}\n"
                              "resource \"test_object\" \"s\" {\n"
                              "  for_each = toset([\"x\", \"y\"])\n"
                              "  name     = \"s-${each.key}\"\n"
                              "}\n"
                              "resource \"test_object\" \"m\" {\n"
                              "  for_each = { a = \"one\", b = \"two\" }\n"
                              "  name     = \"m-${each.key}\"\n"
                              "  value    = each.value\n"
                              "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "create test_object.c[0]\n"
                      "create test_object.c[1]\n"
                      "create test_object.s[\"x\"]\n"
                      "create test_object.s[\"y\"]\n"
                      "create test_object.m[\"a\"]\n"
                      "create test_object.m[\"b\"]\n");
    tern_free(ch);
    for (i = 0; i < tern_plan_change_count(p); i++) {
        c = tern_plan_change(p, i);
        if (strcmp(c->address, "test_object.c[1]") == 0)
            ASSERT_STR_EQ(
                tern_value_get_string(tern_value_object_get(c->after, "name")),
                "c-1");
        if (strcmp(c->address, "test_object.m[\"b\"]") == 0) {
            ASSERT_STR_EQ(
                tern_value_get_string(tern_value_object_get(c->after, "name")),
                "m-b");
            ASSERT_STR_EQ(
                tern_value_get_string(tern_value_object_get(c->after, "value")),
                "two");
        }
    }
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    ASSERT_EQ(test_env_state_count(&env), 6);
    ASSERT_EQ(test_store_count_name(env.store, "s-y"), 1);
    tern_plan_free(p);
    /* Shrinking count and for_each deletes what is no longer there. */
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"c\" {\n"
                                    "  count = 1\n"
                                    "  name  = \"c-${count.index}\"\n"
                                    "}\n"
                                    "resource \"test_object\" \"s\" {\n"
                                    "  for_each = toset([\"x\"])\n"
                                    "  name     = \"s-${each.key}\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch,
                  "delete test_object.c[1] "
                  "(delete_because_count_index)\n"
                  "delete test_object.m[\"a\"] "
                  "(delete_because_no_resource_config)\n"
                  "delete test_object.m[\"b\"] "
                  "(delete_because_no_resource_config)\n"
                  "delete test_object.s[\"y\"] (delete_because_each_key)\n");
    tern_free(ch);
    tern_plan_free(p);
    test_env_release(&env);
}

TEST(engine_graph, for_each_list_refused)
{
    struct test_env env;
    tern_plan *p = NULL;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"s\" {\n"
                                    "  for_each = [\"x\"]\n"
                                    "  name     = each.key\n"
                                    "}\n"));
    ASSERT_EQ(test_env_plan(&env, NULL, &p), TERN_ERROR);
    ASSERT_TRUE(tern_plan_errored(p));
    ASSERT_STR_EQ(env.diags.items[0].detail,
                  "The for_each of test_object.s must be a map, or a set of "
                  "strings; you gave a list. Convert a list with toset().");
    tern_plan_free(p);
    test_env_release(&env);
}

TEST(engine_graph, cycle_names_every_node)
{
    struct test_env env;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_EQ(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name  = \"a\"\n"
                                    "  value = test_object.c.id\n"
                                    "}\n"
                                    "resource \"test_object\" \"b\" {\n"
                                    "  name  = \"b\"\n"
                                    "  value = local.x\n"
                                    "}\n"
                                    "locals { x = test_object.a.id }\n"
                                    "resource \"test_object\" \"c\" {\n"
                                    "  name       = \"c\"\n"
                                    "  depends_on = [test_object.b]\n"
                                    "}\n"),
              TERN_ERROR);
    ASSERT_EQ(env.diags.errors, 1);
    ASSERT_STR_EQ(env.diags.items[0].summary, "Cycle in the dependency graph");
    ASSERT_STR_EQ(
        env.diags.items[0].detail,
        "Cycle: test_object.a, test_object.c, test_object.b, test_object.a");
    test_env_release(&env);
}

TEST(engine_graph, dot_plan_and_apply)
{
    struct test_env env;
    char *dot = NULL;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name = \"a\"\n"
                                    "}\n"
                                    "resource \"test_object\" \"b\" {\n"
                                    "  name  = \"b\"\n"
                                    "  value = test_object.a.id\n"
                                    "}\n"
                                    "resource \"test_object\" \"c\" {\n"
                                    "  name       = \"c\"\n"
                                    "  depends_on = [test_object.b]\n"
                                    "}\n"));
    ASSERT_OK(tern_engine_graph_dot(env.engine, TERN_GRAPH_PLAN, NULL, &dot,
                                    &env.diags));
    ASSERT_STR_CONTAINS(dot, "digraph {");
    ASSERT_STR_CONTAINS(dot, "\"test_object.b\" -> \"test_object.a\"");
    ASSERT_STR_CONTAINS(dot, "\"test_object.c\" -> \"test_object.b\"");
    ASSERT_STR_NOT_CONTAINS(dot, "\"test_object.c\" -> \"test_object.a\"");
    tern_free(dot);
    ASSERT_OK(tern_engine_graph_dot(env.engine, TERN_GRAPH_APPLY, NULL, &dot,
                                    &env.diags));
    ASSERT_STR_CONTAINS(dot, "\"test_object.b (create)\" -> "
                             "\"test_object.a (create)\"");
    tern_free(dot);
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  name = \"a\"\n"
                                      "}\n"
                                      "resource \"test_object\" \"b\" {\n"
                                      "  name  = \"b\"\n"
                                      "  value = test_object.a.id\n"
                                      "}\n"));
    ASSERT_OK(tern_engine_graph_dot(env.engine, TERN_GRAPH_DESTROY, NULL, &dot,
                                    &env.diags));
    /* Destroy walks the graph backwards: a waits for b. */
    ASSERT_STR_CONTAINS(dot, "\"test_object.a (destroy)\" -> "
                             "\"test_object.b (destroy)\"");
    tern_free(dot);
    test_env_release(&env);
}

TEST(engine_graph, unknown_type_and_argument)
{
    struct test_env env;
    tern_plan *p = NULL;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_EQ(test_env_config(&env, "resource \"test_nothing\" \"a\" {}\n"),
              TERN_ERROR);
    ASSERT_STR_EQ(env.diags.items[0].summary, "Invalid resource type");
    tern_diags_release(&env.diags);
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  nmae = \"a\"\n"
                                    "}\n"));
    ASSERT_EQ(test_env_plan(&env, NULL, &p), TERN_ERROR);
    ASSERT_STR_EQ(env.diags.items[0].summary, "Unsupported argument");
    ASSERT_STR_EQ(env.diags.items[1].summary, "Missing required argument");
    tern_plan_free(p);
    test_env_release(&env);
}

const struct tern_test test_engine_graph_list[] = {
    TEST_UNIT(engine_graph, count_and_for_each_expand),
    TEST_UNIT(engine_graph, for_each_list_refused),
    TEST_UNIT(engine_graph, cycle_names_every_node),
    TEST_UNIT(engine_graph, dot_plan_and_apply),
    TEST_UNIT(engine_graph, unknown_type_and_argument),
    TEST_END};
