/*
 * Import blocks with for_each (Terraform 1.7) through the built binary
 * against a tern-sim on 127.0.0.1 (issue 16): two roles made outside tern
 * are adopted by one import block, at the root and into module instances;
 * the plan says "2 to import", apply imports them and a second plan is
 * empty.
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"
#include "cli_test.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define TRUST_JSON                                                             \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"                       \
    "\"Action\":\"sts:AssumeRole\"}]}"

/* A role made outside tern, through the IAM API. */
static void make_role(const char *name)
{
    const char *params[] = {"RoleName", name, "AssumeRolePolicyDocument",
                            TRUST_JSON, NULL};
    struct tt_response resp;

    ASSERT_OK(tt_iam(&resp, &sim, "CreateRole", params));
    if (resp.status != 200)
        FAIL("CreateRole %s: %ld %s", name, resp.status, resp.body);
    tt_response_release(&resp);
}

static const char root_tf[] = "variable \"roles\" {\n"
                              "  type = map(string)\n"
                              "  default = {\n"
                              "    app = \"legacy-app\"\n"
                              "    ci  = \"legacy-ci\"\n"
                              "  }\n"
                              "}\n"
                              "\n"
                              "resource \"aws_iam_role\" \"r\" {\n"
                              "  for_each = var.roles\n"
                              "  name     = each.value\n" TT_HCL_TRUST_EC2 "}\n"
                              "\n"
                              "import {\n"
                              "  for_each = var.roles\n"
                              "  to       = aws_iam_role.r[each.key]\n"
                              "  id       = each.value\n"
                              "}\n";

static const char module_tf[] =
    "variable \"roles\" {\n"
    "  type = map(string)\n"
    "  default = {\n"
    "    app = \"legacy-app\"\n"
    "    ci  = \"legacy-ci\"\n"
    "  }\n"
    "}\n"
    "\n"
    "module \"roles\" {\n"
    "  source   = \"./modules/role\"\n"
    "  for_each = var.roles\n"
    "  name     = each.value\n"
    "}\n"
    "\n"
    "import {\n"
    "  for_each = var.roles\n"
    "  to       = module.roles[each.key].aws_iam_role.this\n"
    "  id       = each.value\n"
    "}\n";

static const char role_tf[] = "variable \"name\" {\n"
                              "  type = string\n"
                              "}\n"
                              "\n"
                              "resource \"aws_iam_role\" \"this\" {\n"
                              "  name = var.name\n" TT_HCL_TRUST_EC2 "}\n";

/* The plan of both imports: @a and @b are the two addresses. */
static char *import_plan(const char *a, const char *b, const char *type_name)
{
    return tern_asprintf(
        "\n"
        "tern used the selected providers to generate the following "
        "execution\n"
        "plan. Resource actions are indicated with the following symbols:\n"
        "\n"
        "tern will perform the following actions:\n"
        "\n"
        "  # %s will be imported\n"
        "    resource \"aws_iam_role\" \"%s\" {\n"
        "        id   = \"legacy-app\"\n"
        "        name = \"legacy-app\"\n"
        "        # (8 unchanged attributes hidden)\n"
        "    }\n"
        "\n"
        "  # %s will be imported\n"
        "    resource \"aws_iam_role\" \"%s\" {\n"
        "        id   = \"legacy-ci\"\n"
        "        name = \"legacy-ci\"\n"
        "        # (8 unchanged attributes hidden)\n"
        "    }\n"
        "\n"
        "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.\n"
        "\n"
        "─────────────────────────────────────────────────────────────────"
        "────────────\n"
        "\n"
        "Saved the plan to: import.tfplan\n"
        "\n"
        "To perform exactly these actions, run the following command to "
        "apply:\n"
        "    tern apply \"import.tfplan\"\n",
        a, type_name, b, type_name);
}

/* The non-empty lines of @text, sorted: the two imports run at once, so
 * their lines interleave in any order. */
static char *sorted_lines(const char *text)
{
    char *copy = tern_strdup(text), *p, *save = NULL, *lines[64], *out;
    size_t n = 0, i, j, len = 0;

    for (p = strtok_r(copy, "\n", &save); p && n < 64;
         p = strtok_r(NULL, "\n", &save))
        lines[n++] = p;
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            p = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = p;
        }
    for (i = 0; i < n; i++)
        len += strlen(lines[i]) + 1;
    out = tern_malloc(len + 1);
    out[0] = '\0';
    for (i = 0, len = 0; i < n; i++)
        len += (size_t)sprintf(out + len, "%s\n", lines[i]);
    tern_free(copy);
    return out;
}

static char *import_apply(const char *a, const char *b)
{
    char *text = tern_asprintf(
        "%s: Importing...\n"
        "%s: Import complete after 0s [id=legacy-app]\n"
        "%s: Importing...\n"
        "%s: Import complete after 0s [id=legacy-ci]\n"
        "Apply complete! Resources: 2 imported, 0 added, 0 changed, 0 "
        "destroyed.\n",
        a, a, b, b);
    char *sorted = sorted_lines(text);

    tern_free(text);
    return sorted;
}

/* Plan, apply and re-plan the imports of the two roles to @a and @b. */
static void adopt(const char *a, const char *b, const char *type_name)
{
    char *want, *got;

    make_role("legacy-app");
    make_role("legacy-ci");
    RUN(0, "init", "-no-color");
    RUN(0, "validate", "-no-color");
    ASSERT_STR_EQ(r.out, "Success! The configuration is valid.\n");
    RUN(0, "plan", "-no-color", "-out=import.tfplan");
    want = import_plan(a, b, type_name);
    ASSERT_STR_EQ(r.out, want);
    tern_free(want);
    ASSERT_STR_EQ(r.err, "");
    RUN(0, "apply", "-no-color", "import.tfplan");
    want = import_apply(a, b);
    got = sorted_lines(r.out);
    ASSERT_STR_EQ(got, want);
    tern_free(got);
    tern_free(want);
    RUN(0, "state", "list");
    want = tern_asprintf("%s\n%s\n", a, b);
    ASSERT_STR_EQ(r.out, want);
    tern_free(want);
    /* Adopted as they are: the next plan is empty. */
    RUN(0, "plan", "-no-color", "-detailed-exitcode", "-refresh=true");
    ASSERT_STR_CONTAINS(r.out, "\nNo changes. Your infrastructure matches "
                               "the configuration.\n");
}

TEST(cli_import_fe, root_roles)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", root_tf));
    adopt("aws_iam_role.r[\"app\"]", "aws_iam_role.r[\"ci\"]", "r");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* `to` indexes a module call by each.key. */
TEST(cli_import_fe, module_roles)
{
    char path[4096];

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    snprintf(path, sizeof(path), "%s/modules", tern_test_tmpdir());
    ASSERT_EQ(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/modules/role", tern_test_tmpdir());
    ASSERT_EQ(mkdir(path, 0700), 0);
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "modules/role/main.tf", role_tf));
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", module_tf));
    adopt("module.roles[\"app\"].aws_iam_role.this",
          "module.roles[\"ci\"].aws_iam_role.this", "this");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_import_for_each_list[] = {
    TEST_INTEGRATION(cli_import_fe, root_roles),
    TEST_INTEGRATION(cli_import_fe, module_roles), TEST_END};
