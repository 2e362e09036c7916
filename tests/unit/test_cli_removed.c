/*
 * removed blocks with lifecycle { destroy = false } (Terraform 1.7's
 * Forget action) through the built binary against a tern-sim on 127.0.0.1
 * (issue 16): the plan says the role "will no longer be managed", warns,
 * and neither reads nor deletes it; the plan JSON's action is ["forget"];
 * apply drops it from the state and tern-sim still holds the role, with no
 * DeleteRole in its call log; the next plan is empty.
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"
#include "cli_test.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The AWS actions tern-sim logged since the last call, comma-separated. */
static char *take_calls(void)
{
    struct tt_response resp;
    tern_buf b = TERN_BUF_INIT;
    json_t *doc, *c;
    size_t i;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "calls", NULL));
    doc = json_loads(resp.body, 0, NULL);
    ASSERT_TRUE(doc != NULL);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "action"));

        tern_buf_printf(&b, "%s%s", i ? "," : "", a ? a : "?");
    }
    json_decref(doc);
    tt_response_release(&resp);
    ASSERT_OK(tt_sim_control(&resp, &sim, "DELETE", "calls", NULL));
    tt_response_release(&resp);
    tern_buf_puts(&b, "");
    return tern_buf_detach(&b);
}

static const char both_tf[] = "resource \"aws_iam_role\" \"keep\" {\n"
                              "  name = \"keep\"\n" TT_HCL_TRUST_EC2 "}\n"
                              "\n"
                              "resource \"aws_iam_role\" \"old\" {\n"
                              "  name = \"old\"\n" TT_HCL_TRUST_EC2 "}\n";

static const char forget_tf[] = "resource \"aws_iam_role\" \"keep\" {\n"
                                "  name = \"keep\"\n" TT_HCL_TRUST_EC2 "}\n"
                                "\n"
                                "removed {\n"
                                "  from = aws_iam_role.old\n"
                                "\n"
                                "  lifecycle {\n"
                                "    destroy = false\n"
                                "  }\n"
                                "}\n";

static const char forget_plan[] =
    "aws_iam_role.keep: Refreshing state...\n"
    "\n"
    "tern used the selected providers to generate the following execution\n"
    "plan. Resource actions are indicated with the following symbols:\n"
    "\n"
    "tern will perform the following actions:\n"
    "\n"
    " # aws_iam_role.old will no longer be managed by tern, but will not be "
    "destroyed\n"
    " # (destroy = false is set in the configuration)\n"
    " . resource \"aws_iam_role\" \"old\" {\n"
    "        id   = \"old\"\n"
    "        name = \"old\"\n"
    "        # (8 unchanged attributes hidden)\n"
    "    }\n"
    "\n"
    "Plan: 0 to add, 0 to change, 0 to destroy.\n"
    "\n"
    "─────────────────────────────────────────────────────────────────"
    "────────────\n"
    "\n"
    "Saved the plan to: forget.tfplan\n"
    "\n"
    "To perform exactly these actions, run the following command to "
    "apply:\n"
    "    tern apply \"forget.tfplan\"\n";

static const char forget_warning[] =
    "Warning: Some objects will no longer be managed by tern\n"
    "\n"
    "If you apply this plan, tern will discard its tracking information for "
    "the following objects, but it will not delete them:\n"
    " - aws_iam_role.old\n"
    "\n"
    "After applying this plan, tern will no longer manage these objects. You "
    "will need to import them into tern to manage them again.\n"
    "\n";

/* The plan JSON's change for the forgotten role, but for its values. */
static const char forget_change_json[] =
    "{\"address\": \"aws_iam_role.old\", \"mode\": \"managed\","
    " \"type\": \"aws_iam_role\", \"name\": \"old\","
    " \"provider_name\": \"registry.terraform.io/hashicorp/aws\","
    " \"action_reason\": \"delete_because_no_resource_config\","
    " \"change\": {\"actions\": [\"forget\"], \"after\": null,"
    " \"after_unknown\": {}, \"after_sensitive\": false}}";

/* The JSON UI's planned_change for the forgotten role (views/json). */
static const char remove_change_json[] =
    "{\"resource\": {\"addr\": \"aws_iam_role.old\", \"module\": \"\","
    " \"resource\": \"aws_iam_role.old\", \"implied_provider\": \"aws\","
    " \"resource_type\": \"aws_iam_role\", \"resource_name\": \"old\","
    " \"resource_key\": null}, \"action\": \"remove\","
    " \"reason\": \"delete_because_no_resource_config\"}";

/* The "change" of the JSON UI line whose @message is @message. */
static json_t *ui_change(const char *lines, const char *message)
{
    const char *p = lines;
    json_t *out = NULL;

    while (p && *p && !out) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_t *line = json_loadb(p, len, 0, NULL);
        const char *m = json_string_value(json_object_get(line, "@message"));

        if (m && strcmp(m, message) == 0)
            out = json_incref(json_object_get(line, "change"));
        json_decref(line);
        p = nl ? nl + 1 : NULL;
    }
    ASSERT_TRUE(out != NULL);
    return out;
}

/* resource_changes[] entry for @addr in a `show -json PLANFILE` document,
 * with before and before_sensitive taken out (checked separately). */
static json_t *change_of(const char *doc_text, const char *addr,
                         json_t **before)
{
    json_t *doc = json_loads(doc_text, 0, NULL), *c, *out = NULL;
    size_t i;

    ASSERT_TRUE(doc != NULL);
    json_array_foreach(json_object_get(doc, "resource_changes"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "address")), addr))
            continue;
        out = json_deep_copy(c);
    }
    json_decref(doc);
    ASSERT_TRUE(out != NULL);
    *before =
        json_incref(json_object_get(json_object_get(out, "change"), "before"));
    json_object_del(json_object_get(out, "change"), "before");
    json_object_del(json_object_get(out, "change"), "before_sensitive");
    return out;
}

TEST(cli_removed, forget_role)
{
    json_t *got, *want, *before;
    struct tt_response resp;
    const char *get_old[] = {"RoleName", "old", NULL};
    char *calls, *dump, *want_text;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", both_tf));
    RUN(0, "init", "-no-color");
    RUN(0, "apply", "-no-color", "-auto-approve");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", forget_tf));
    RUN(0, "validate", "-no-color");
    ASSERT_STR_EQ(r.out, "Success! The configuration is valid.\n");
    tern_free(take_calls());

    /* The plan: only the kept role is read (one GetRole, not two). */
    RUN(0, "plan", "-no-color", "-out=forget.tfplan");
    /* Warnings follow on standard output, as Terraform prints them. */
    want_text = tern_asprintf("%s%s", forget_plan, forget_warning);
    ASSERT_STR_EQ(r.out, want_text);
    tern_free(want_text);
    ASSERT_STR_EQ(r.err, "");
    calls = take_calls();
    ASSERT_STR_EQ(calls, "GetRole");
    tern_free(calls);

    /* The plan JSON: ["forget"], the prior object before, nothing after. */
    RUN(0, "show", "-json", "forget.tfplan");
    got = change_of(r.out, "aws_iam_role.old", &before);
    want = json_loads(forget_change_json, 0, NULL);
    dump = json_dumps(got, JSON_SORT_KEYS);
    if (!json_equal(got, want))
        FAIL("resource change: %s", dump);
    free(dump);
    ASSERT_STR_EQ(json_string_value(json_object_get(before, "name")), "old");
    json_decref(got);
    json_decref(want);
    json_decref(before);

    /* The machine-readable UI names the action "remove". */
    RUN(0, "plan", "-json");
    ASSERT_STR_CONTAINS(r.out,
                        "\"@message\":\"aws_iam_role.old: Plan to remove\"");
    got = ui_change(r.out, "aws_iam_role.old: Plan to remove");
    want = json_loads(remove_change_json, 0, NULL);
    dump = json_dumps(got, JSON_SORT_KEYS);
    if (!json_equal(got, want))
        FAIL("planned_change: %s", dump);
    free(dump);
    json_decref(got);
    json_decref(want);
    tern_free(take_calls());

    /* Apply: out of the state, no call at all, the role still there. */
    RUN(0, "apply", "-no-color", "forget.tfplan");
    ASSERT_STR_EQ(r.out, "\n\nApply complete! Resources: 0 added, 0 changed, "
                         "0 destroyed.\n");
    ASSERT_STR_EQ(r.err, "");
    calls = take_calls();
    ASSERT_STR_EQ(calls, "");
    tern_free(calls);
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.keep\n");
    ASSERT_OK(tt_iam(&resp, &sim, "GetRole", get_old));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);

    /* The removed block has nothing left to do. */
    RUN(0, "plan", "-no-color", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "\nNo changes. Your infrastructure matches "
                               "the configuration.\n");
    ASSERT_STR_EQ(r.err, "");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

static const char strings_tf[] = "module \"m\" {\n"
                                 "  source   = \"./modules/s\"\n"
                                 "  for_each = toset([\"a\", \"b\"])\n"
                                 "}\n";

static const char string_tf[] = "resource \"random_string\" \"s\" {\n"
                                "  length = 4\n"
                                "}\n";

static const char forget_module_tf[] = "removed {\n"
                                       "  from = module.m\n"
                                       "\n"
                                       "  lifecycle {\n"
                                       "    destroy = false\n"
                                       "  }\n"
                                       "}\n";

/* A removed block naming a module call forgets every instance of every
 * resource in it. */
TEST(cli_removed, forget_module)
{
    char path[4096];

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    snprintf(path, sizeof(path), "%s/modules", tern_test_tmpdir());
    ASSERT_EQ(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/modules/s", tern_test_tmpdir());
    ASSERT_EQ(mkdir(path, 0700), 0);
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "modules/s/main.tf", string_tf));
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", strings_tf));
    RUN(0, "init", "-no-color");
    RUN(0, "apply", "-no-color", "-auto-approve");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", forget_module_tf));
    RUN(0, "apply", "-no-color", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out,
                        "\nPlan: 0 to add, 0 to change, 0 to destroy.\n");
    ASSERT_STR_CONTAINS(
        r.out, "\nApply complete! Resources: 0 added, 0 changed, 0 "
               "destroyed.\n"
               "Warning: Some objects will no longer be managed by tern\n"
               "\n"
               "If you apply this plan, tern will discard its tracking "
               "information for the following objects, but it will not "
               "delete them:\n"
               " - module.m[\"a\"].random_string.s\n"
               " - module.m[\"b\"].random_string.s\n"
               "\n"
               "After applying this plan, tern will no longer manage these "
               "objects. You will need to import them into tern to manage "
               "them again.\n\n");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_removed_list[] = {
    TEST_INTEGRATION(cli_removed, forget_role),
    TEST_INTEGRATION(cli_removed, forget_module), TEST_END};
