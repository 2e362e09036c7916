/*
 * Child modules through the built binary against a tern-sim on 127.0.0.1
 * (issue 16's "done when"), where the case directories cannot say it: the
 * module tree init records and a pulled state pushed back. The plan/apply
 * behaviour (init, apply under module addresses, moved blocks, -target of
 * a module instance, provider keys, bad calls, destroy, the order of
 * resource_changes across 15 module instances) is in tests/cases/cli 477,
 * 483, 493 and 640.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#include "cli_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char root_tf[] =
    "variable \"roles\" {\n"
    "  type = map(string)\n"
    "  default = {\n"
    "    a = \"alpha\"\n"
    "    b = \"beta\"\n"
    "  }\n"
    "}\n"
    "\n"
    "module \"roles\" {\n"
    "  source   = \"./modules/role\"\n"
    "  for_each = var.roles\n"
    "  name     = \"tern-mod-${each.value}\"\n"
    "  purpose  = each.key\n"
    "}\n"
    "\n"
    "module \"single\" {\n"
    "  source = \"./modules/profile\"\n"
    "  role   = module.roles[\"b\"].role_name\n"
    "  suffix = \"single\"\n"
    "}\n"
    "\n"
    "output \"arns\" {\n"
    "  value = { for k, m in module.roles : k => m.role_arn }\n"
    "}\n"
    "\n"
    "output \"profile\" {\n"
    "  value = module.single.name\n"
    "}\n";

static const char role_tf[] =
    "variable \"name\" {\n"
    "  type = string\n"
    "}\n"
    "\n"
    "variable \"purpose\" {\n"
    "  type    = string\n"
    "  default = \"none\"\n"
    "}\n"
    "\n"
    "resource \"aws_iam_role\" \"this\" {\n"
    "  name = var.name\n"
    "  assume_role_policy = jsonencode({\n"
    "    Version = \"2012-10-17\"\n"
    "    Statement = [{\n"
    "      Effect    = \"Allow\"\n"
    "      Principal = { Service = \"ec2.amazonaws.com\" }\n"
    "      Action    = \"sts:AssumeRole\"\n"
    "    }]\n"
    "  })\n"
    "  tags = {\n"
    "    purpose = var.purpose\n"
    "    module  = path.module\n"
    "  }\n"
    "}\n"
    "\n"
    "module \"profile\" {\n"
    "  source = \"../profile\"\n"
    "  role   = aws_iam_role.this.name\n"
    "}\n"
    "\n"
    "output \"role_arn\" {\n"
    "  value = aws_iam_role.this.arn\n"
    "}\n"
    "\n"
    "output \"role_name\" {\n"
    "  value = aws_iam_role.this.name\n"
    "}\n";

static const char profile_tf[] =
    "variable \"role\" {\n"
    "  type = string\n"
    "}\n"
    "\n"
    "variable \"suffix\" {\n"
    "  type    = string\n"
    "  default = \"profile\"\n"
    "}\n"
    "\n"
    "resource \"aws_iam_instance_profile\" \"this\" {\n"
    "  name = \"${var.role}-${var.suffix}\"\n"
    "  role = var.role\n"
    "}\n"
    "\n"
    "output \"name\" {\n"
    "  value = aws_iam_instance_profile.this.name\n"
    "}\n";

static int write_tree(const char *root)
{
    const char *dir = tern_test_tmpdir();
    char path[4096];

    snprintf(path, sizeof(path), "%s/modules", dir);
    if (mkdir(path, 0700) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/modules/role", dir);
    if (mkdir(path, 0700) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/modules/profile", dir);
    if (mkdir(path, 0700) != 0)
        return -1;
    if (tt_write_file(dir, "modules/role/main.tf", role_tf) ||
        tt_write_file(dir, "modules/profile/main.tf", profile_tf))
        return -1;
    return root ? tt_write_file(dir, "main.tf", root) : 0;
}

/* What the runner's case (tests/cases/cli/493-modules) cannot say: the
 * module tree init writes to .terraform/modules/modules.json, and `state
 * pull`'s output pushed into a new state (Terraform's v4 JSON keeps each
 * resource's module path) re-plans empty. */
TEST(cli_modules, init_pull_push)
{
    char path[4096];
    char *text = NULL;
    FILE *f;
    long n;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(write_tree(root_tf));
    RUN(0, "init", "-no-color");
    snprintf(path, sizeof(path), "%s/.terraform/modules/modules.json",
             tern_test_tmpdir());
    ASSERT_NOT_NULL(f = fopen(path, "r"));
    text = calloc(1, 4096);
    n = (long)fread(text, 1, 4095, f);
    fclose(f);
    ASSERT(n > 0);
    ASSERT_STR_EQ(text,
                  "{\"Modules\":[{\"Key\":\"\",\"Source\":\"\",\"Dir\":\".\"},"
                  "{\"Key\":\"roles\",\"Source\":\"./modules/role\","
                  "\"Dir\":\"modules/role\"},"
                  "{\"Key\":\"roles.profile\",\"Source\":\"../profile\","
                  "\"Dir\":\"modules/profile\"},"
                  "{\"Key\":\"single\",\"Source\":\"./modules/profile\","
                  "\"Dir\":\"modules/profile\"}]}");
    free(text);

    RUN(0, "apply", "-auto-approve", "-no-color");
    RUN(0, "state", "pull");
    {
        json_t *doc = json_loads(r.out, 0, NULL), *res;
        size_t i;
        char *mods = NULL;
        size_t len = 0;
        FILE *mf = open_memstream(&mods, &len);

        ASSERT_NOT_NULL(doc);
        json_array_foreach(json_object_get(doc, "resources"), i, res)
        {
            fprintf(mf, "%s %s\n",
                    json_string_value(json_object_get(res, "module")),
                    json_string_value(json_object_get(res, "type")));
        }
        fclose(mf);
        ASSERT_STR_EQ(mods, "module.roles[\"a\"] aws_iam_role\n"
                            "module.roles[\"a\"].module.profile "
                            "aws_iam_instance_profile\n"
                            "module.roles[\"b\"] aws_iam_role\n"
                            "module.roles[\"b\"].module.profile "
                            "aws_iam_instance_profile\n"
                            "module.single aws_iam_instance_profile\n");
        free(mods);
        snprintf(path, sizeof(path), "%s/pulled.tfstate", tern_test_tmpdir());
        ASSERT_OK(json_dump_file(doc, path, JSON_INDENT(2)));
        json_decref(doc);
    }
    RUN(0, "state", "push", "-state=pushed.tfstate.db", "pulled.tfstate");
    RUN(0, "plan", "-state=pushed.tfstate.db", "-detailed-exitcode",
        "-no-color");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_modules_list[] = {
    TEST_INTEGRATION(cli_modules, init_pull_push), TEST_END};
