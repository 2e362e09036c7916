/* src/engine: planning (actions, drift, lifecycle, moved, import, targets)
 * and plan files. */
#include "runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lang/lang.h"
#include "test_module.h"
#include "support.h"
#include "util/alloc.h"

static const char *const two = "resource \"test_object\" \"a\" {\n"
                               "  name  = \"a\"\n"
                               "  value = \"1\"\n"
                               "}\n"
                               "resource \"test_object\" \"b\" {\n"
                               "  name  = \"b\"\n"
                               "  value = test_object.a.id\n"
                               "}\n";

static char *plan_changes(struct test_env *env, const char *hcl,
                          const tern_plan_options *opts, int expect)
{
    tern_plan *p = NULL;
    char *ch;

    ASSERT_OK(test_env_config(env, hcl));
    ASSERT_EQ(test_env_plan(env, opts, &p), expect);
    ch = test_env_changes(p);
    tern_plan_free(p);
    return ch;
}

TEST(engine_plan, unknown_values_propagate)
{
    struct test_env env;
    tern_plan *p = NULL;
    const tern_change *b;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, two));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_plan_change_count(p), 2);
    b = tern_plan_change(p, 1);
    ASSERT_STR_EQ(b->address, "test_object.b");
    ASSERT_TRUE(
        tern_value_is_unknown(tern_value_object_get(b->after, "value")));
    ASSERT_TRUE(tern_value_is_unknown(tern_value_object_get(b->after, "id")));
    ASSERT_STR_EQ(
        tern_value_get_string(tern_value_object_get(b->after, "name")), "b");
    ASSERT_NULL(b->before);
    tern_plan_free(p);
    test_env_release(&env);
}

/* Arguments are checked against the schema's types: a list where a string
 * belongs is an error with its range, "5" still converts to a number. */
TEST(engine_plan, argument_types_checked)
{
    struct test_env env;
    tern_plan *p = NULL;
    size_t i, found = 0;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name  = [\"x\"]\n"
                                    "  tags  = { k = [\"v\"] }\n"
                                    "  value = 5\n"
                                    "}\n"));
    ASSERT_NE(test_env_plan(&env, NULL, &p), TERN_OK);
    tern_plan_free(p);
    for (i = 0; i < env.diags.count; i++) {
        const struct tern_diag *d = &env.diags.items[i];

        if (strcmp(d->summary, "Incorrect attribute value type") != 0)
            continue;
        found++;
        ASSERT_TRUE(d->has_range);
        ASSERT_TRUE(strstr(d->detail, "\"name\": string required, found "
                                      "list") ||
                    strstr(d->detail, "\"tags\": map of string required, "
                                      "found object"));
    }
    ASSERT_EQ(found, 2);
    test_env_release(&env);
}

/* Golden plan data: every action kind with its reason, in one plan. */
TEST(engine_plan, golden_actions)
{
    struct test_env env;
    tern_plan *p = NULL;
    char *ch;
    json_t *j = NULL, *rc;
    size_t i;
    char *js;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    /* One at a time, so that the ids in the golden JSON are stable. */
    env.parallelism = 1;
    ASSERT_OK(test_env_converge(
        &env, "resource \"test_object\" \"keep\" { name = \"keep\" }\n"
              "resource \"test_object\" \"upd\" {\n"
              "  name  = \"upd\"\n"
              "  value = \"1\"\n"
              "}\n"
              "resource \"test_object\" \"rep\" { name = \"rep\" }\n"
              "resource \"test_object\" \"gone\" { name = \"gone\" }\n"));
    ASSERT_OK(test_env_config(
        &env, "resource \"test_object\" \"keep\" { name = \"keep\" }\n"
              "resource \"test_object\" \"upd\" {\n"
              "  name  = \"upd\"\n"
              "  value = \"2\"\n"
              "}\n"
              "resource \"test_object\" \"rep\" { name = \"rep2\" }\n"
              "resource \"test_object\" \"new\" {\n"
              "  name   = \"new\"\n"
              "  secret = \"hunter2\"\n"
              "}\n"
              "data \"test_object\" \"d\" { name = test_object.new.name }\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "update test_object.upd\n"
                      "delete-create test_object.rep "
                      "(replace_because_cannot_update)\n"
                      "create test_object.new\n"
                      "read data.test_object.d "
                      "(read_because_dependency_pending)\n"
                      "delete test_object.gone "
                      "(delete_because_no_resource_config)\n");
    tern_free(ch);
    ASSERT_EQ(tern_plan_change(p, 1)->n_replace_paths, 1);
    ASSERT_STR_EQ(tern_plan_change(p, 1)->replace_paths[0], "name");
    ASSERT_TRUE(tern_value_is_sensitive(
        tern_value_object_get(tern_plan_change(p, 2)->after, "secret")));
    ASSERT_EQ(tern_plan_summary(p)->add, 2);
    ASSERT_EQ(tern_plan_summary(p)->change, 1);
    ASSERT_EQ(tern_plan_summary(p)->destroy, 2);
    ASSERT_EQ(tern_plan_summary(p)->read, 1);
    /* The JSON form the CLI prints (Terraform's JSON plan): every
     * managed instance, no-ops too, sorted with data sources first. */
    ASSERT_OK(tern_plan_to_json(p, NULL, &j));
    rc = json_object_get(j, "resource_changes");
    ASSERT_EQ(json_array_size(rc), 6);
    for (i = 0; i < 6; i++) {
        static const char *const order[] = {
            "data.test_object.d", "test_object.gone", "test_object.keep",
            "test_object.new",    "test_object.rep",  "test_object.upd"};

        ASSERT_STR_EQ(json_string_value(
                          json_object_get(json_array_get(rc, i), "address")),
                      order[i]);
    }
    js = json_dumps(json_array_get(rc, 5), JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR_EQ(js,
                  "{\"address\":\"test_object.upd\",\"change\":{\"actions\":["
                  "\"update\"],\"after\":{\"id\":\"obj-1\",\"name\":\"upd\","
                  "\"secret\":null,\"serial\":1,\"tags\":null,\"value\":\"2\"},"
                  "\"after_sensitive\":{},\"after_unknown\":{},"
                  "\"before\":{\"id\":\"obj-1\",\"name\":\"upd\",\"secret\":"
                  "null,\"serial\":1,\"tags\":null,\"value\":\"1\"},"
                  "\"before_sensitive\":{}},\"mode\":"
                  "\"managed\",\"name\":\"upd\",\"provider_name\":"
                  "\"registry.terraform.io/hashicorp/test\",\"type\":"
                  "\"test_object\"}");
    free(js);
    js = json_dumps(json_array_get(rc, 3), JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR_CONTAINS(js, "\"after_unknown\":{\"id\":true,\"serial\":true}");
    ASSERT_STR_CONTAINS(js, "\"after_sensitive\":{\"secret\":true}");
    free(js);
    json_decref(j);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    /* Converged: the next plan is empty, and the data source read at plan
     * time. */
    ch = plan_changes(
        &env,
        "resource \"test_object\" \"keep\" { name = \"keep\" }\n"
        "resource \"test_object\" \"upd\" {\n"
        "  name  = \"upd\"\n"
        "  value = \"2\"\n"
        "}\n"
        "resource \"test_object\" \"rep\" { name = \"rep2\" }\n"
        "resource \"test_object\" \"new\" {\n"
        "  name   = \"new\"\n"
        "  secret = \"hunter2\"\n"
        "}\n"
        "data \"test_object\" \"d\" { name = test_object.new.name }\n",
        NULL, 0);
    ASSERT_STR_EQ(ch, "");
    tern_free(ch);
    ASSERT_EQ(test_store_count(env.store), 4);
    test_env_release(&env);
}

TEST(engine_plan, drift_reported)
{
    struct test_env env;
    tern_plan *p = NULL;
    char *ch;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, two));
    ASSERT_OK(test_store_set_value(env.store, "a", "changed"));
    ASSERT_OK(test_store_remove(env.store, "b"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_plan_drift_count(p), 2);
    ASSERT_STR_EQ(tern_plan_drift(p, 0)->address, "test_object.a");
    ASSERT_STR_EQ(tern_value_get_string(tern_value_object_get(
                      tern_plan_drift(p, 0)->after, "value")),
                  "changed");
    ASSERT_STR_EQ(tern_plan_drift(p, 1)->address, "test_object.b");
    ASSERT_NULL(tern_plan_drift(p, 1)->after);
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "update test_object.a\n"
                      "create test_object.b (create_because_gone)\n");
    tern_free(ch);
    ASSERT_STR_CONTAINS(tern_buf_cstr(&env.events), "drift test_object.a");
    tern_plan_free(p);
    /* Without refresh nothing is seen. */
    {
        tern_plan_options o = TERN_PLAN_OPTIONS_INIT;

        o.refresh = 0;
        ch = plan_changes(&env, two, &o, 0);
        ASSERT_STR_EQ(ch, "");
        tern_free(ch);
    }
    /* -refresh-only saves what was found and changes nothing remote. */
    {
        tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
        char *v;

        o.refresh_only = 1;
        ASSERT_OK(test_env_plan(&env, &o, &p));
        ASSERT_EQ(tern_plan_change_count(p), 0);
        ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
        tern_plan_free(p);
        v = test_env_state_attr(&env, "test_object.a", "value");
        ASSERT_STR_EQ(v, "changed");
        tern_free(v);
        ASSERT_EQ(test_env_state_count(&env), 1);
        ASSERT_EQ(test_store_count(env.store), 1);
    }
    test_env_release(&env);
}

TEST(engine_plan, lifecycle_ignore_and_prevent_destroy)
{
    struct test_env env;
    tern_plan *p = NULL;
    tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
    char *ch;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  name  = \"a\"\n"
                                      "  value = \"1\"\n"
                                      "  lifecycle {\n"
                                      "    ignore_changes  = [value]\n"
                                      "    prevent_destroy = true\n"
                                      "  }\n"
                                      "}\n"));
    ch = plan_changes(&env,
                      "resource \"test_object\" \"a\" {\n"
                      "  name  = \"a\"\n"
                      "  value = \"2\"\n"
                      "  lifecycle {\n"
                      "    ignore_changes  = [value]\n"
                      "    prevent_destroy = true\n"
                      "  }\n"
                      "}\n",
                      NULL, 0);
    ASSERT_STR_EQ(ch, "");
    tern_free(ch);
    ch = plan_changes(&env,
                      "resource \"test_object\" \"a\" {\n"
                      "  name  = \"a2\"\n"
                      "  lifecycle {\n"
                      "    ignore_changes  = all\n"
                      "    prevent_destroy = true\n"
                      "  }\n"
                      "}\n",
                      NULL, 0);
    ASSERT_STR_EQ(ch, "");
    tern_free(ch);
    tern_diags_release(&env.diags);
    ch = plan_changes(&env,
                      "resource \"test_object\" \"a\" {\n"
                      "  name  = \"a2\"\n"
                      "  lifecycle { prevent_destroy = true }\n"
                      "}\n",
                      NULL, TERN_ERROR);
    tern_free(ch);
    ASSERT_STR_EQ(env.diags.items[0].summary, "Instance cannot be destroyed");
    tern_diags_release(&env.diags);
    o.destroy = 1;
    ch = plan_changes(&env,
                      "resource \"test_object\" \"a\" {\n"
                      "  name  = \"a\"\n"
                      "  lifecycle { prevent_destroy = true }\n"
                      "}\n",
                      &o, TERN_ERROR);
    tern_free(ch);
    ASSERT_STR_EQ(
        env.diags.items[0].detail,
        "Resource test_object.a has lifecycle.prevent_destroy set, but the "
        "plan calls for this resource to be destroyed. To avoid this error and "
        "continue with the plan, either disable lifecycle.prevent_destroy or "
        "reduce the scope of the plan using the -target flag.");
    /* An errored plan cannot be applied. */
    ASSERT_EQ(test_env_plan(&env, &o, &p), TERN_ERROR);
    ASSERT_EQ(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags),
              TERN_EINVALID);
    tern_plan_free(p);
    test_env_release(&env);
}

TEST(engine_plan, replace_triggered_by_and_replace_option)
{
    struct test_env env;
    tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
    const char *const rep[] = {"test_object.a"};
    char *ch;
    static const char *const cfg1 =
        "resource \"test_object\" \"a\" {\n"
        "  name  = \"a\"\n"
        "  value = \"1\"\n"
        "}\n"
        "resource \"test_object\" \"b\" {\n"
        "  name = \"b\"\n"
        "  lifecycle { replace_triggered_by = [test_object.a] }\n"
        "}\n"
        "resource \"test_object\" \"c\" {\n"
        "  name = \"c\"\n"
        "  lifecycle { replace_triggered_by = [test_object.a.id] }\n"
        "}\n";

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, cfg1));
    ch = plan_changes(&env,
                      "resource \"test_object\" \"a\" {\n"
                      "  name  = \"a\"\n"
                      "  value = \"2\"\n"
                      "}\n"
                      "resource \"test_object\" \"b\" {\n"
                      "  name = \"b\"\n"
                      "  lifecycle { replace_triggered_by = [test_object.a] }\n"
                      "}\n"
                      "resource \"test_object\" \"c\" {\n"
                      "  name = \"c\"\n"
                      "  lifecycle {\n"
                      "    replace_triggered_by = [test_object.a.id]\n"
                      "  }\n"
                      "}\n",
                      NULL, 0);
    ASSERT_STR_EQ(ch, "update test_object.a\n"
                      "delete-create test_object.b (replace_by_triggers)\n");
    tern_free(ch);
    o.replace = rep;
    o.n_replace = 1;
    ch = plan_changes(&env, cfg1, &o, 0);
    ASSERT_STR_EQ(ch, "delete-create test_object.a (replace_by_request)\n"
                      "delete-create test_object.b (replace_by_triggers)\n"
                      "delete-create test_object.c (replace_by_triggers)\n");
    tern_free(ch);
    test_env_release(&env);
}

TEST(engine_plan, targets_with_dependencies)
{
    struct test_env env;
    tern_plan_options o = TERN_PLAN_OPTIONS_INIT;
    const char *const t1[] = {"test_object.b"};
    const char *const t2[] = {"test_object.c[1]"};
    char *ch;
    static const char *const cfg =
        "resource \"test_object\" \"a\" { name = \"a\" }\n"
        "resource \"test_object\" \"b\" {\n"
        "  name  = \"b\"\n"
        "  value = test_object.a.id\n"
        "}\n"
        "resource \"test_object\" \"c\" {\n"
        "  count = 2\n"
        "  name  = \"c${count.index}\"\n"
        "}\n";

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    o.targets = t1;
    o.n_targets = 1;
    ch = plan_changes(&env, cfg, &o, 0);
    ASSERT_STR_EQ(ch, "create test_object.a\ncreate test_object.b\n");
    tern_free(ch);
    o.targets = t2;
    ch = plan_changes(&env, cfg, &o, 0);
    ASSERT_STR_EQ(ch, "create test_object.c[1]\n");
    tern_free(ch);
    ASSERT_OK(test_env_converge(&env, cfg));
    /* -destroy -target takes what depends on the target with it. */
    o.destroy = 1;
    o.targets = t1;
    ch = plan_changes(&env, cfg, &o, 0);
    ASSERT_STR_EQ(ch, "delete test_object.b (delete_because_destroy_mode)\n");
    tern_free(ch);
    {
        const char *const ta[] = {"test_object.a"};

        o.targets = ta;
        ch = plan_changes(&env, cfg, &o, 0);
        ASSERT_STR_EQ(ch,
                      "delete test_object.a (delete_because_destroy_mode)\n"
                      "delete test_object.b (delete_because_destroy_mode)\n");
        tern_free(ch);
    }
    test_env_release(&env);
}

TEST(engine_plan, moved_block_renames_without_destroying)
{
    struct test_env env;
    tern_plan *p = NULL;
    char *ch, *v;
    size_t ops;
    struct test_op_record *r;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"old\" {\n"
                                      "  count = 2\n"
                                      "  name  = \"o${count.index}\"\n"
                                      "}\n"));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"new\" {\n"
                                    "  count = 2\n"
                                    "  name  = \"o${count.index}\"\n"
                                    "}\n"
                                    "moved {\n"
                                    "  from = test_object.old\n"
                                    "  to   = test_object.new\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch,
                  "no-op test_object.new[0] moved from test_object.old[0]\n"
                  "no-op test_object.new[1] moved from test_object.old[1]\n");
    tern_free(ch);
    ASSERT_EQ(tern_plan_summary(p)->move, 2);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    v = test_env_state_attr(&env, "test_object.new[1]", "name");
    ASSERT_STR_EQ(v, "o1");
    tern_free(v);
    ASSERT_EQ(test_env_state_count(&env), 2);
    r = test_store_records(env.store, &ops);
    for (size_t i = 0; i < ops; i++)
        ASSERT_TRUE(strcmp(r[i].op, "create") != 0 || i < 2);
    free(r);
    ASSERT_EQ(test_store_count(env.store), 2);
    ch = plan_changes(&env,
                      "resource \"test_object\" \"new\" {\n"
                      "  count = 2\n"
                      "  name  = \"o${count.index}\"\n"
                      "}\n",
                      NULL, 0);
    ASSERT_STR_EQ(ch, "");
    tern_free(ch);
    test_env_release(&env);
}

TEST(engine_plan, import_block_and_import_api)
{
    struct test_env env;
    tern_plan *p = NULL;
    const char *id, *id2;
    char *ch, *v;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    id = test_store_put(env.store, "x", "v");
    id2 = test_store_put(env.store, "y", "w");
    ASSERT_NOT_NULL(id);
    {
        char cfg[512];

        snprintf(cfg, sizeof(cfg),
                 "resource \"test_object\" \"x\" {\n"
                 "  name  = \"x\"\n"
                 "  value = \"v2\"\n"
                 "}\n"
                 "import {\n"
                 "  to = test_object.x\n"
                 "  id = \"%s\"\n"
                 "}\n"
                 "resource \"test_object\" \"y\" { name = \"y\" }\n",
                 id);
        ASSERT_OK(test_env_config(&env, cfg));
    }
    /* tern import ADDR ID: in the configuration, not yet in the state. */
    ASSERT_EQ(tern_engine_import(env.engine, "test_object.zz", id2, &env.diags),
              TERN_EINVALID);
    ASSERT_OK(tern_engine_import(env.engine, "test_object.y", id2, &env.diags));
    ASSERT_EQ(tern_engine_import(env.engine, "test_object.y", id2, &env.diags),
              TERN_EINVALID);
    ASSERT_EQ(test_env_state_count(&env), 1);
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "update test_object.x import obj-0\n"
                      "update test_object.y\n");
    tern_free(ch);
    ASSERT_EQ(tern_plan_summary(p)->import, 1);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    v = test_env_state_attr(&env, "test_object.x", "value");
    ASSERT_STR_EQ(v, "v2");
    tern_free(v);
    ASSERT_EQ(test_store_count(env.store), 2);
    test_env_release(&env);
}

/* An import block into a for_each instance imports it (its quoted key
 * was once not read as an address, and the block silently ignored). */
TEST(engine_plan, import_block_into_for_each_key)
{
    struct test_env env;
    tern_plan *p = NULL;
    const char *id;
    char cfg[512], *ch;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    id = test_store_put(env.store, "a", "v");
    ASSERT_NOT_NULL(id);
    snprintf(cfg, sizeof(cfg),
             "resource \"test_object\" \"x\" {\n"
             "  for_each = toset([\"a\"])\n"
             "  name     = each.key\n"
             "  value    = \"v\"\n"
             "}\n"
             "import {\n"
             "  to = test_object.x[\"a\"]\n"
             "  id = \"%s\"\n"
             "}\n",
             id);
    ASSERT_OK(test_env_config(&env, cfg));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "no-op test_object.x[\"a\"] import obj-0\n");
    tern_free(ch);
    ASSERT_EQ(tern_plan_summary(p)->import, 1);
    ASSERT_EQ(tern_plan_summary(p)->add, 0);
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_EQ(test_env_state_count(&env), 1);
    ASSERT_EQ(test_store_count(env.store), 1);
    test_env_release(&env);
}

/* A moved block into a for_each key (a quoted key, which the address
 * reader once refused as "Invalid moved block") moves the object. */
TEST(engine_plan, moved_block_into_for_each_key)
{
    struct test_env env;
    tern_plan *p = NULL;
    char *ch;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(
        &env, "resource \"test_object\" \"one\" { name = \"k\" }\n"));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"many\" {\n"
                                    "  for_each = toset([\"k\"])\n"
                                    "  name     = each.key\n"
                                    "}\n"
                                    "moved {\n"
                                    "  from = test_object.one\n"
                                    "  to   = test_object.many[\"k\"]\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ch = test_env_changes(p);
    ASSERT_STR_EQ(ch, "no-op test_object.many[\"k\"] moved from "
                      "test_object.one\n");
    tern_free(ch);
    ASSERT_EQ(tern_plan_summary(p)->move, 1);
    tern_plan_free(p);
    test_env_release(&env);
}

static void put_sha(char *hex, const char *body, size_t len)
{
    unsigned char d[32];
    unsigned int dl;
    int i;

    EVP_Digest(body, len, d, &dl, EVP_sha256(), NULL);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

TEST(engine_plan, plan_file_checks)
{
    struct test_env env, other;
    tern_plan *p = NULL, *q = NULL;
    char path[600], other_dir[600], *text, hex[65];
    FILE *f;
    long n;
    struct tern_lang_config *cfg = NULL;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, two));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    snprintf(path, sizeof(path), "%s/plan.tfplan", tern_test_tmpdir());
    ASSERT_OK(tern_plan_write(p, path, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_OK(tern_plan_read(&q, path, NULL, &env.diags));
    ASSERT_EQ(tern_plan_change_count(q), 2);
    ASSERT_TRUE(tern_value_is_unknown(
        tern_value_object_get(tern_plan_change(q, 1)->after, "value")));
    /* A plan for another state (another lineage) is refused. */
    snprintf(other_dir, sizeof(other_dir), "%s/other", tern_test_tmpdir());
    mkdir(other_dir, 0700);
    ASSERT_OK(test_env_init(&other, other_dir));
    ASSERT_OK(test_env_config(&other, two));
    ASSERT_EQ(tern_engine_apply(other.engine, q, NULL, NULL, &other.diags),
              TERN_ECONFLICT);
    ASSERT_STR_CONTAINS(other.diags.items[0].detail, "lineage");
    test_env_release(&other);
    /* Apply FILE works from the plan alone: its configuration included. */
    ASSERT_OK(tern_plan_config(q, &cfg, &env.diags));
    {
        tern_engine_options eo = TERN_ENGINE_OPTIONS_INIT;
        tern_engine *e2 = NULL;

        eo.config = cfg;
        eo.state = env.state;
        eo.extra_modules = test_modules;
        eo.extra_providers = test_providers;
        eo.module_user = env.store;
        eo.variables = tern_plan_variables(q);
        ASSERT_OK(tern_engine_new(&e2, &eo, &env.diags));
        ASSERT_OK(tern_engine_apply(e2, q, NULL, NULL, &env.diags));
        /* Applied once, the plan is stale: the serial moved on. */
        ASSERT_EQ(tern_engine_apply(e2, q, NULL, NULL, &env.diags),
                  TERN_ECONFLICT);
        tern_engine_free(e2);
    }
    tern_lang_config_free(cfg);
    tern_plan_free(q);
    ASSERT_EQ(test_store_count(env.store), 2);
    /* Edited or truncated: the checksum fails. */
    f = fopen(path, "rb");
    ASSERT_NOT_NULL(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    ASSERT_EQ(fread(text, 1, (size_t)n, f), n);
    fclose(f);
    {
        char *edited = strdup(text), *at = strstr(edited, "\"name\":\"b\"");

        ASSERT_NOT_NULL(at);
        at[9] = 'c';
        f = fopen(path, "wb");
        fwrite(edited, 1, (size_t)n, f);
        fclose(f);
        free(edited);
        tern_diags_release(&env.diags);
        ASSERT_EQ(tern_plan_read(&q, path, NULL, &env.diags), TERN_EINVALID);
        {
            char want_[4096];

            snprintf(want_, sizeof(want_),
                     "The plan file %s/plan.tfplan cannot be used: its "
                     "checksum does not match its contents (the file was "
                     "edited or truncated).",
                     tern_test_tmpdir());
            ASSERT_STR_EQ(env.diags.items[0].detail, want_);
        }
        f = fopen(path, "wb");
        fwrite(text, 1, (size_t)n / 2, f);
        fclose(f);
        ASSERT_EQ(tern_plan_read(&q, path, NULL, &env.diags), TERN_EINVALID);
    }
    /* Another version's plan (with a valid checksum) is refused. */
    {
        char *body = strchr(text, '\n') + 1, *ver = strstr(body, TERN_VERSION);
        char *out;

        ASSERT_NOT_NULL(ver);
        ver[0] = '9';
        put_sha(hex, body, strlen(body));
        out = tern_asprintf("tern-plan 1 sha256=%s\n%s", hex, body);
        f = fopen(path, "wb");
        fputs(out, f);
        fclose(f);
        tern_free(out);
        tern_diags_release(&env.diags);
        ASSERT_EQ(tern_plan_read(&q, path, NULL, &env.diags), TERN_EINVALID);
        ASSERT_STR_EQ(env.diags.items[0].summary,
                      "Plan file written by another tern version");
    }
    free(text);
    test_env_release(&env);
}

TEST(engine_plan, variables_locals_and_outputs)
{
    struct test_env env;
    tern_plan *p = NULL;
    const tern_value *o;
    json_t *outs = NULL;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env,
                              "variable \"prefix\" { default = \"p\" }\n"
                              "variable \"token\" {\n"
                              "  default   = \"s3cret\"\n"
                              "  sensitive = true\n"
                              "}\n"
                              "locals { n = \"${var.prefix}-a\" }\n"
                              "resource \"test_object\" \"a\" {\n"
                              "  name   = local.n\n"
                              "  secret = var.token\n"
                              "  tags   = { env = \"dev\" }\n"
                              "}\n"
                              "output \"id\" { value = test_object.a.id }\n"
                              "output \"name\" { value = test_object.a.name }\n"
                              "output \"tok\" {\n"
                              "  value     = var.token\n"
                              "  sensitive = true\n"
                              "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    o = tern_plan_outputs(p);
    ASSERT_TRUE(tern_value_is_unknown(
        tern_value_object_get(tern_value_object_get(o, "id"), "value")));
    ASSERT_STR_EQ(tern_value_get_string(tern_value_object_get(
                      tern_value_object_get(o, "name"), "value")),
                  "p-a");
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_OK(tern_state_outputs(env.state, &outs, NULL));
    ASSERT_STR_EQ(json_string_value(
                      json_object_get(json_object_get(outs, "id"), "value")),
                  "obj-0");
    ASSERT_TRUE(json_is_true(
        json_object_get(json_object_get(outs, "tok"), "sensitive")));
    json_decref(outs);
    /* Converged; then only an output changes: the plan is not empty. */
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_TRUE(tern_plan_is_empty(p));
    tern_plan_free(p);
    ASSERT_OK(test_env_config(&env,
                              "resource \"test_object\" \"a\" {\n"
                              "  name   = \"p-a\"\n"
                              "  secret = \"s3cret\"\n"
                              "  tags   = { env = \"dev\" }\n"
                              "}\n"
                              "output \"id\" { value = test_object.a.id }\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_plan_change_count(p), 0);
    ASSERT_FALSE(tern_plan_is_empty(p));
    ASSERT_OK(tern_engine_apply(env.engine, p, NULL, NULL, &env.diags));
    tern_plan_free(p);
    ASSERT_OK(tern_state_outputs(env.state, &outs, NULL));
    ASSERT_EQ(json_object_size(outs), 1);
    json_decref(outs);
    test_env_release(&env);
}

TEST(engine_plan, provider_settings_and_alias)
{
    struct test_env env;
    struct test_op_record r;
    static const char *const prov = "provider \"test\" {\n"
                                    "  region = \"r1\"\n"
                                    "  token  = \"not-for-modules\"\n"
                                    "  default_tags {\n"
                                    "    tags = { team = \"t\" }\n"
                                    "  }\n"
                                    "}\n"
                                    "provider \"test\" {\n"
                                    "  alias  = \"b\"\n"
                                    "  region = \"r2\"\n"
                                    "}\n";
    char cfg[1024];

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    snprintf(cfg, sizeof(cfg),
             "%sresource \"test_object\" \"a\" { name = \"a\" }\n"
             "resource \"test_object\" \"b\" {\n"
             "  provider = test.b\n"
             "  name     = \"b\"\n"
             "}\n",
             prov);
    ASSERT_OK(test_env_converge(&env, cfg));
    ASSERT_OK(test_store_record(env.store, "create", "a", &r));
    ASSERT_STR_EQ(r.provider, "{\"default_tags\":{\"tags\":{\"team\":\"t\"}},"
                              "\"region\":\"r1\"}");
    ASSERT_OK(test_store_record(env.store, "create", "b", &r));
    ASSERT_STR_EQ(r.provider, "{\"alias\":\"b\",\"region\":\"r2\"}");
    /* An orphan is destroyed through the provider it was created with. */
    snprintf(cfg, sizeof(cfg),
             "%sresource \"test_object\" \"a\" { name = \"a\" }\n", prov);
    ASSERT_OK(test_env_converge(&env, cfg));
    ASSERT_OK(test_store_record(env.store, "delete", "b", &r));
    ASSERT_STR_CONTAINS(r.provider, "\"region\":\"r2\"");
    ASSERT_EQ(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  provider = test.zz\n"
                                    "  name     = \"a\"\n"
                                    "}\n"),
              TERN_ERROR);
    ASSERT_STR_EQ(env.diags.items[env.diags.count - 1].summary,
                  "Provider configuration not present");
    test_env_release(&env);
}

TEST(engine_plan, for_each_map_with_unknown_values)
{
    struct test_env env;
    tern_plan *p = NULL;
    const tern_change *c;
    char *v, *id;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name = \"a\"\n"
                                    "}\n"
                                    "resource \"test_object\" \"m\" {\n"
                                    "  for_each = { x = test_object.a.id }\n"
                                    "  name     = \"m-${each.key}\"\n"
                                    "  value    = each.value\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    c = tern_plan_change(p, 1);
    ASSERT_STR_EQ(c->address, "test_object.m[\"x\"]");
    ASSERT_TRUE(
        tern_value_is_unknown(tern_value_object_get(c->after, "value")));
    if (tern_engine_apply(env.engine, p, NULL, NULL, &env.diags))
        test_env_dump(&env);
    ASSERT_EQ(env.diags.errors, 0);
    tern_plan_free(p);
    v = test_env_state_attr(&env, "test_object.m[\"x\"]", "value");
    id = test_env_state_attr(&env, "test_object.a", "id");
    ASSERT_STR_EQ(v, id);
    tern_free(v);
    tern_free(id);
    test_env_release(&env);
}

/* Every allocation failure during a plan is reported, not crashed on or
 * leaked (docs/STYLE.md rule 12). */
TEST(engine_plan, allocation_failures)
{
    struct test_env env;
    tern_plan *p = NULL;
    unsigned long n;
    int rc;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, two));
    ASSERT_OK(test_env_config(
        &env, "resource \"test_object\" \"a\" {\n"
              "  name  = \"a\"\n"
              "  value = \"2\"\n"
              "}\n"
              "resource \"test_object\" \"c\" {\n"
              "  for_each = toset([\"x\", \"y\"])\n"
              "  name     = each.key\n"
              "  value    = test_object.a.id\n"
              "}\n"
              "output \"o\" { value = test_object.c[\"x\"].id }\n"));
    for (n = 1;; n++) {
        tern__alloc_fail_after(n);
        rc = test_env_plan(&env, NULL, &p);
        tern__alloc_fail_after(0);
        if (rc == TERN_OK)
            break;
        /* Failed, and said why: out of memory itself, or an error
         * diagnostic; never a plan to apply. */
        if (p && !tern_plan_errored(p))
            FAIL("allocation %lu failed: rc %d with a plan that did not err", n,
                 rc);
        if (rc != TERN_ENOMEM) {
            size_t i;
            int said = 0;

            for (i = 0; i < env.diags.count; i++)
                said |= env.diags.items[i].severity == TERN_SEV_ERROR;
            if (!said)
                FAIL("allocation %lu failed: rc %d without a diagnostic", n,
                     rc);
        }
        tern_plan_free(p);
        p = NULL;
        tern_diags_release(&env.diags);
        ASSERT_CMP(n, <, 100000);
    }
    ASSERT_CMP(n, >, 10);
    /* The walk ended in a whole plan: the one an unhindered run makes. */
    ASSERT_NOT_NULL(p);
    ASSERT_EQ(tern_plan_summary(p)->add, 2);
    ASSERT_EQ(tern_plan_summary(p)->change, 1);
    ASSERT_EQ(tern_plan_summary(p)->destroy, 1);
    tern_plan_free(p);
    tern_diags_release(&env.diags);
    test_env_release(&env);
}

/* No file but @keep in @dir (a temporary plan file left behind). */
static void only_file(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    ASSERT_NOT_NULL(d);
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, "p.tfplan", 8) == 0 &&
            strcmp(de->d_name, keep) != 0)
            FAIL("%s left in %s", de->d_name, dir);
    closedir(d);
}

/* Writing and reading a plan file with their n-th allocation failing
 * (tern's or Jansson's): each fails saying why (out of memory, or an
 * error diagnostic); a failed write leaves the file that was there
 * before, whole, and no temporary file; a failed read gives no plan. */
TEST(engine_plan, plan_file_allocation_walk)
{
    struct test_env env;
    tern_plan *p = NULL, *q = NULL;
    char *path, *text;
    unsigned long n;
    size_t len = 0;
    int rc = TERN_ERROR;
    FILE *f;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, two));
    ASSERT_OK(test_env_config(
        &env, "variable \"v\" {\n"
              "  default = { k = [1, 2] }\n"
              "}\n"
              "resource \"test_object\" \"a\" {\n"
              "  name  = \"a\"\n"
              "  value = \"2\"\n"
              "}\n"
              "resource \"test_object\" \"c\" {\n"
              "  for_each = toset([\"x\", \"y\"])\n"
              "  name     = each.key\n"
              "  value    = test_object.a.id\n"
              "}\n"
              "output \"o\" { value = test_object.c[\"x\"].id }\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    path = tern_asprintf("%s/p.tfplan", tern_test_tmpdir());
    ASSERT_NOT_NULL(path);
    f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs("before\n", f);
    fclose(f);
    for (n = 1; rc != TERN_OK; n++) {
        tern__alloc_fail_after(n);
        rc = tern_plan_write(p, path, NULL, &env.diags);
        tern__alloc_fail_after(0);
        if (rc != TERN_OK && rc != TERN_ENOMEM && env.diags.errors == 0)
            FAIL("write: allocation %lu failed: rc %d without a diagnostic", n,
                 rc);
        tern_diags_release(&env.diags);
        only_file(tern_test_tmpdir(), "p.tfplan");
        if (rc != TERN_OK) {
            text = tt_read_file(path, &len);
            ASSERT_NOT_NULL(text);
            ASSERT_STR_EQ(text, "before\n");
            free(text); /* tt_read_file's */
        }
        ASSERT_CMP(n, <, 100000);
    }
    ASSERT_CMP(n, >, 20);
    for (n = 1, rc = TERN_ERROR; rc != TERN_OK; n++) {
        tern__alloc_fail_after(n);
        rc = tern_plan_read(&q, path, NULL, &env.diags);
        tern__alloc_fail_after(0);
        if (rc != TERN_OK) {
            ASSERT_NULL(q);
            if (rc != TERN_ENOMEM && env.diags.errors == 0)
                FAIL("read: allocation %lu failed: rc %d without a diagnostic",
                     n, rc);
        }
        tern_diags_release(&env.diags);
        ASSERT_CMP(n, <, 100000);
    }
    ASSERT_CMP(n, >, 20);
    /* The walk ended in the whole plan. */
    ASSERT_EQ(tern_plan_change_count(q), tern_plan_change_count(p));
    ASSERT_EQ(tern_plan_summary(q)->add, 2);
    ASSERT_EQ(tern_plan_summary(q)->change, 1);
    ASSERT_EQ(tern_plan_summary(q)->destroy, 1);
    tern_plan_free(q);
    tern_plan_free(p);
    tern_free(path);
    test_env_release(&env);
}

/* A refresh with each allocation failing alone, over an object changed
 * outside tern (so the read is recorded as drift): a read that could not
 * be recorded for lack of memory is reported and never announced as
 * complete (refresh-done, the JSON UI's refresh_complete), as Terraform
 * calls PostRefresh only after a read without errors (issue 20). */
TEST(engine_plan, refresh_alloc_once_not_complete)
{
    struct test_env env;
    tern_plan *p = NULL;
    unsigned long n, total;
    size_t i;
    int rc, oom, done, seen_oom = 0;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_converge(&env, "resource \"test_object\" \"a\" {\n"
                                      "  name  = \"a\"\n"
                                      "  value = \"1\"\n"
                                      "}\n"));
    ASSERT_OK(test_store_set_value(env.store, "a", "2"));
    tern_buf_release(&env.events);
    tern__alloc_fail_after(0);
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    total = tern__alloc_fail_after(0);
    ASSERT_NOT_NULL(strstr(env.events.ptr, "refresh-done test_object.a"));
    tern_plan_free(p);
    tern_diags_release(&env.diags);
    for (n = 1; n <= total; n++) {
        tern_buf_release(&env.events);
        tern__alloc_fail_once(n);
        rc = test_env_plan(&env, NULL, &p);
        tern__alloc_fail_after(0);
        oom = 0;
        for (i = 0; i < env.diags.count; i++)
            oom |= strcmp(env.diags.items[i].detail ? env.diags.items[i].detail
                                                    : "",
                          "tern ran out of memory while refreshing the "
                          "state.") == 0;
        done = env.events.ptr &&
               strstr(env.events.ptr, "refresh-done test_object.a") != NULL;
        if (oom && done)
            FAIL("allocation %lu of %lu failed (rc %d): the read ran out of "
                 "memory, yet it was announced complete",
                 n, total, rc);
        if (oom && rc == TERN_OK)
            FAIL("allocation %lu: the refresh ran out of memory, yet the "
                 "plan succeeded",
                 n);
        seen_oom |= oom;
        tern_plan_free(p);
        p = NULL;
        tern_diags_release(&env.diags);
    }
    /* The walk reached a read that could not be recorded. */
    ASSERT_TRUE(seen_oom);
    test_env_release(&env);
}

/* A plan with each allocation failing alone, over templates the plan
 * cannot decide yet (a condition on an ID known only after the apply,
 * whose both sides are still evaluated, and an index key): one that
 * fails says why, an error diagnostic or out of memory. A template's
 * buffer failing in the other side of the condition, or in the key,
 * came back as an error no diagnostic explained (issue 20). */
TEST(engine_plan, template_alloc_once_reported)
{
    struct test_env env;
    tern_plan *p = NULL;
    unsigned long n, total;
    int rc;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(
        &env, "variable \"s\" {\n"
              "  default = \"x\"\n"
              "}\n"
              "resource \"test_object\" \"a\" {\n"
              "  name = \"a\"\n"
              "}\n"
              "resource \"test_object\" \"b\" {\n"
              "  name  = \"b\"\n"
              "  value = test_object.a.id == \"\" ? \"${var.s}-1\" : "
              "\"${var.s}-2\"\n"
              "}\n"
              "resource \"test_object\" \"c\" {\n"
              "  name  = { \"x-3\" = \"c\" }[\"${var.s}-3\"]\n"
              "  value = test_object.a.id\n"
              "}\n"));
    tern__alloc_fail_after(0);
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    total = tern__alloc_fail_after(0);
    ASSERT_EQ(tern_plan_summary(p)->add, 3);
    tern_plan_free(p);
    tern_diags_release(&env.diags);
    for (n = 1; n <= total; n++) {
        tern__alloc_fail_once(n);
        rc = test_env_plan(&env, NULL, &p);
        tern__alloc_fail_after(0);
        if (rc != TERN_OK && rc != TERN_ENOMEM && env.diags.errors == 0)
            FAIL("allocation %lu of %lu failed: rc %d without a diagnostic", n,
                 total, rc);
        if (rc == TERN_OK && (!p || tern_plan_summary(p)->add != 3))
            FAIL("allocation %lu of %lu failed, yet the plan succeeded short "
                 "of a change",
                 n, total);
        tern_plan_free(p);
        p = NULL;
        tern_diags_release(&env.diags);
    }
    test_env_release(&env);
}

const struct tern_test test_engine_plan_list[] = {
    TEST_UNIT(engine_plan, template_alloc_once_reported),
    TEST_UNIT(engine_plan, refresh_alloc_once_not_complete),
    TEST_UNIT(engine_plan, unknown_values_propagate),
    TEST_UNIT(engine_plan, argument_types_checked),
    TEST_UNIT(engine_plan, golden_actions),
    TEST_UNIT(engine_plan, drift_reported),
    TEST_UNIT(engine_plan, lifecycle_ignore_and_prevent_destroy),
    TEST_UNIT(engine_plan, replace_triggered_by_and_replace_option),
    TEST_UNIT(engine_plan, targets_with_dependencies),
    TEST_UNIT(engine_plan, moved_block_renames_without_destroying),
    TEST_UNIT(engine_plan, import_block_and_import_api),
    TEST_UNIT(engine_plan, import_block_into_for_each_key),
    TEST_UNIT(engine_plan, moved_block_into_for_each_key),
    TEST_UNIT(engine_plan, plan_file_checks),
    TEST_UNIT(engine_plan, variables_locals_and_outputs),
    TEST_UNIT(engine_plan, provider_settings_and_alias),
    TEST_UNIT(engine_plan, for_each_map_with_unknown_values),
    TEST_UNIT(engine_plan, allocation_failures),
    TEST_UNIT(engine_plan, plan_file_allocation_walk),
    TEST_END};
