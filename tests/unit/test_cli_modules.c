/*
 * Child modules through the built binary against a tern-sim on 127.0.0.1
 * (issue 16's "done when"): a root module calls a local module twice
 * (for_each over a map of roles), that module calls another (nested), and
 * a third call uses the nested module directly. init records the tree;
 * apply creates everything under module addresses; a second plan is
 * empty; moved blocks move one resource into another module instance, a
 * whole nested module instance, and rename a module call, without
 * touching the remote objects; destroy removes everything. Bad calls get
 * Terraform's messages at the call.
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

/* The same after renaming key a to c and module single to renamed. */
static const char moved_tf[] =
    "variable \"roles\" {\n"
    "  type = map(string)\n"
    "  default = {\n"
    "    c = \"alpha\"\n"
    "    b = \"beta\"\n"
    "  }\n"
    "}\n"
    "\n"
    "module \"roles\" {\n"
    "  source   = \"./modules/role\"\n"
    "  for_each = var.roles\n"
    "  name     = \"tern-mod-${each.value}\"\n"
    "  purpose  = each.value == \"alpha\" ? \"a\" : each.key\n"
    "}\n"
    "\n"
    "module \"renamed\" {\n"
    "  source = \"./modules/profile\"\n"
    "  role   = module.roles[\"b\"].role_name\n"
    "  suffix = \"single\"\n"
    "}\n"
    "\n"
    "moved {\n"
    "  from = module.roles[\"a\"].aws_iam_role.this\n"
    "  to   = module.roles[\"c\"].aws_iam_role.this\n"
    "}\n"
    "\n"
    "moved {\n"
    "  from = module.roles[\"a\"].module.profile\n"
    "  to   = module.roles[\"c\"].module.profile\n"
    "}\n"
    "\n"
    "moved {\n"
    "  from = module.single\n"
    "  to   = module.renamed\n"
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

/* The role module with its resource renamed by a moved block inside it. */
static const char role_renamed_tf[] =
    "variable \"name\" {\n"
    "  type = string\n"
    "}\n"
    "\n"
    "variable \"purpose\" {\n"
    "  type    = string\n"
    "  default = \"none\"\n"
    "}\n"
    "\n"
    "resource \"aws_iam_role\" \"main\" {\n"
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
    "  role   = aws_iam_role.main.name\n"
    "}\n"
    "\n"
    "output \"role_arn\" {\n"
    "  value = aws_iam_role.main.arn\n"
    "}\n"
    "\n"
    "output \"role_name\" {\n"
    "  value = aws_iam_role.main.name\n"
    "}\n"
    "\n"
    "moved {\n"
    "  from = aws_iam_role.this\n"
    "  to   = aws_iam_role.main\n"
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

/* "action address <- previous [module]" for each resource change of a
 * saved plan, one a line; no-ops only with @noop. */
static char *changes_of(const char *json_text, int noop)
{
    json_t *doc = json_loads(json_text, 0, NULL), *rc;
    size_t i;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    json_array_foreach(json_object_get(doc, "resource_changes"), i, rc)
    {
        const char *prev =
            json_string_value(json_object_get(rc, "previous_address"));
        const char *mod =
            json_string_value(json_object_get(rc, "module_address"));
        json_t *acts =
            json_object_get(json_object_get(rc, "change"), "actions");

        if (!noop &&
            strcmp(json_string_value(json_array_get(acts, 0)), "no-op") == 0)
            continue;
        fprintf(f, "%s %s <- %s [%s]\n",
                json_string_value(json_array_get(acts, 0)),
                json_string_value(json_object_get(rc, "address")),
                prev ? prev : "-", mod ? mod : "");
    }
    fclose(f);
    json_decref(doc);
    return out;
}

/* A values representation's module tree, one module a line indented by
 * its depth: "address: resource address...". */
static void tree_lines(FILE *f, const json_t *mod, int depth)
{
    const json_t *x;
    const char *addr = json_string_value(json_object_get(mod, "address"));
    size_t i;

    fprintf(f, "%*s%s:", depth * 2, "", addr ? addr : "root");
    json_array_foreach(json_object_get(mod, "resources"), i, x)
    {
        fprintf(f, " %s", json_string_value(json_object_get(x, "address")));
    }
    fputc('\n', f);
    json_array_foreach(json_object_get(mod, "child_modules"), i, x)
    {
        tree_lines(f, x, depth + 1);
    }
}

/* The configuration's module calls, one a line indented by depth:
 * "name <- source [count|for_each] args: ...; resources: ...". */
static void call_lines(FILE *f, const json_t *calls, int depth)
{
    const char *k, *arg;
    json_t *c, *x, *mod;
    size_t i;

    json_object_foreach((json_t *)calls, k, c)
    {
        mod = json_object_get(c, "module");
        fprintf(f, "%*s%s <- %s%s%s args:", depth * 2, "", k,
                json_string_value(json_object_get(c, "source")),
                json_object_get(c, "count_expression") ? " count" : "",
                json_object_get(c, "for_each_expression") ? " for_each" : "");
        json_object_foreach(json_object_get(c, "expressions"), arg, x)
        {
            fprintf(f, " %s", arg);
        }
        fprintf(f, "; resources:");
        json_array_foreach(json_object_get(mod, "resources"), i, x)
        {
            fprintf(f, " %s", json_string_value(json_object_get(x, "address")));
        }
        fputc('\n', f);
        call_lines(f, json_object_get(mod, "module_calls"), depth + 1);
    }
}

/* The module tree at @path ("values", "planned_values", "prior_state
 * values", "configuration") of a JSON document. */
static char *tree_of(const char *json_text, const char *path)
{
    json_t *doc = json_loads(json_text, 0, NULL), *at = doc;
    char *out = NULL, p[64], *tok, *save = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    snprintf(p, sizeof(p), "%s", path);
    for (tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        at = json_object_get(at, tok);
    if (strcmp(path, "configuration") == 0)
        call_lines(
            f,
            json_object_get(json_object_get(at, "root_module"), "module_calls"),
            0);
    else
        tree_lines(f, json_object_get(at, "root_module"), 0);
    fclose(f);
    json_decref(doc);
    return out;
}

TEST(cli_modules, apply_move_destroy)
{
    static const char moved_tree[] =
        "root:\n"
        "  module.renamed: module.renamed.aws_iam_instance_profile.this\n"
        "  module.roles[\"b\"]: module.roles[\"b\"].aws_iam_role.this\n"
        "    module.roles[\"b\"].module.profile: "
        "module.roles[\"b\"].module.profile.aws_iam_instance_profile.this\n"
        "  module.roles[\"c\"]: module.roles[\"c\"].aws_iam_role.this\n"
        "    module.roles[\"c\"].module.profile: "
        "module.roles[\"c\"].module.profile.aws_iam_instance_profile.this\n";
    char path[4096];
    char *text = NULL, *ch;
    FILE *f;
    long n;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(write_tree(root_tf));
    RUN(0, "init", "-no-color");
    ASSERT_STR_EQ(r.out,
                  "Initializing modules...\n"
                  "- roles in modules/role\n"
                  "- roles.profile in modules/profile\n"
                  "- single in modules/profile\n"
                  "\n"
                  "Initializing the backend...\n"
                  "State: tern.tfstate.db (serial 0)\n"
                  "\n"
                  "Initializing provider plugins...\n"
                  "- hashicorp/aws: built in to tern (nothing to download)\n"
                  "\n"
                  "tern has been successfully initialized!\n"
                  "\n"
                  "You may now begin working with tern. Try running \"tern "
                  "plan\" to see\n"
                  "any changes that are required for your infrastructure.\n");
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
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out,
                  "module.roles[\"a\"].aws_iam_role.this\n"
                  "module.roles[\"a\"].module.profile.aws_iam_instance_profile."
                  "this\n"
                  "module.roles[\"b\"].aws_iam_role.this\n"
                  "module.roles[\"b\"].module.profile.aws_iam_instance_profile."
                  "this\n"
                  "module.single.aws_iam_instance_profile.this\n");
    RUN(0, "output", "-json", "arns");
    ASSERT_STR_EQ(r.out, "{\n"
                         "  \"a\": \"arn:aws:iam::123456789012:role/"
                         "tern-mod-alpha\",\n"
                         "  \"b\": \"arn:aws:iam::123456789012:role/"
                         "tern-mod-beta\"\n"
                         "}\n");
    RUN(0, "output", "-raw", "profile");
    ASSERT_STR_EQ(r.out, "tern-mod-beta-single");
    /* Nothing left to do: a second plan is empty. */
    RUN(0, "plan", "-detailed-exitcode", "-no-color");

    /* The moves: planned as moves only, then applied. */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", moved_tf));
    RUN(0, "plan", "-out=moves.tfplan", "-no-color");
    RUN(0, "show", "-json", "moves.tfplan");
    ch = changes_of(r.out, 1);
    /* jsonplan orders by addrs.AbsResourceInstance.Less: the shallower
     * module first, then the module, then type and name. */
    ASSERT_STR_EQ(
        ch, "no-op module.renamed.aws_iam_instance_profile.this <- "
            "module.single.aws_iam_instance_profile.this [module.renamed]\n"
            "no-op module.roles[\"b\"].aws_iam_role.this <- - "
            "[module.roles[\"b\"]]\n"
            "no-op module.roles[\"c\"].aws_iam_role.this <- "
            "module.roles[\"a\"].aws_iam_role.this [module.roles[\"c\"]]\n"
            "no-op module.roles[\"b\"].module.profile.aws_iam_instance_profile."
            "this <- - [module.roles[\"b\"].module.profile]\n"
            "no-op module.roles[\"c\"].module.profile.aws_iam_instance_profile."
            "this <- module.roles[\"a\"].module.profile.aws_iam_instance_"
            "profile.this [module.roles[\"c\"].module.profile]\n");
    free(ch);
    /* Terraform's nesting: a module instance's child_modules hold the
     * instances it calls; module_calls hold each call's module. */
    ch = tree_of(r.out, "planned_values");
    ASSERT_STR_EQ(ch, moved_tree);
    free(ch);
    ch = tree_of(r.out, "prior_state values");
    ASSERT_STR_EQ(ch, moved_tree);
    free(ch);
    ch = tree_of(r.out, "configuration");
    ASSERT_STR_EQ(ch, "roles <- ./modules/role for_each args: name purpose; "
                      "resources: aws_iam_role.this\n"
                      "  profile <- ../profile args: role; resources: "
                      "aws_iam_instance_profile.this\n"
                      "renamed <- ./modules/profile args: role suffix; "
                      "resources: aws_iam_instance_profile.this\n");
    free(ch);
    RUN(0, "apply", "-no-color", "moves.tfplan");
    RUN(0, "show", "-json");
    ch = tree_of(r.out, "values");
    ASSERT_STR_EQ(ch, moved_tree);
    free(ch);
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out,
                  "module.renamed.aws_iam_instance_profile.this\n"
                  "module.roles[\"b\"].aws_iam_role.this\n"
                  "module.roles[\"b\"].module.profile.aws_iam_instance_profile."
                  "this\n"
                  "module.roles[\"c\"].aws_iam_role.this\n"
                  "module.roles[\"c\"].module.profile.aws_iam_instance_profile."
                  "this\n");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");

    /* -target of a module instance takes everything in it. */
    RUN(0, "plan", "-destroy", "-target=module.roles[\"c\"]", "-out=t.tfplan",
        "-no-color");
    RUN(0, "show", "-json", "t.tfplan");
    ch = changes_of(r.out, 0);
    ASSERT_STR_EQ(ch,
                  "delete module.roles[\"c\"].aws_iam_role.this <- - "
                  "[module.roles[\"c\"]]\n"
                  "delete module.roles[\"c\"].module.profile.aws_iam_instance_"
                  "profile.this <- - [module.roles[\"c\"].module.profile]\n");
    free(ch);

    /* A moved block inside a module is relative to each of its
     * instances. */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "modules/role/main.tf",
                            role_renamed_tf));
    RUN(0, "plan", "-out=inner.tfplan", "-no-color");
    RUN(0, "show", "-json", "inner.tfplan");
    ch = changes_of(r.out, 1);
    ASSERT_STR_EQ(
        ch, "no-op module.renamed.aws_iam_instance_profile.this <- - "
            "[module.renamed]\n"
            "no-op module.roles[\"b\"].aws_iam_role.main <- "
            "module.roles[\"b\"].aws_iam_role.this [module.roles[\"b\"]]\n"
            "no-op module.roles[\"c\"].aws_iam_role.main <- "
            "module.roles[\"c\"].aws_iam_role.this [module.roles[\"c\"]]\n"
            "no-op module.roles[\"b\"].module.profile.aws_iam_instance_profile."
            "this <- - [module.roles[\"b\"].module.profile]\n"
            "no-op module.roles[\"c\"].module.profile.aws_iam_instance_profile."
            "this <- - [module.roles[\"c\"].module.profile]\n");
    free(ch);
    RUN(0, "apply", "-no-color", "inner.tfplan");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");

    /* Terraform's v4 JSON keeps the module path of each resource; pushed
     * into a new state it re-plans empty. */
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
        ASSERT_STR_EQ(mods, "module.renamed aws_iam_instance_profile\n"
                            "module.roles[\"b\"] aws_iam_role\n"
                            "module.roles[\"b\"].module.profile "
                            "aws_iam_instance_profile\n"
                            "module.roles[\"c\"] aws_iam_role\n"
                            "module.roles[\"c\"].module.profile "
                            "aws_iam_instance_profile\n");
        free(mods);
        snprintf(path, sizeof(path), "%s/pulled.tfstate", tern_test_tmpdir());
        ASSERT_OK(json_dump_file(doc, path, JSON_INDENT(2)));
        json_decref(doc);
    }
    RUN(0, "state", "push", "-state=pushed.tfstate.db", "pulled.tfstate");
    RUN(0, "plan", "-state=pushed.tfstate.db", "-detailed-exitcode",
        "-no-color");

    RUN(0, "destroy", "-auto-approve", "-no-color");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* Every resource's provider_config_key in the plan's configuration, one a
 * line, followed by the provider_config keys, all sorted. */
static void key_lines(json_t *lines, const json_t *mod, const char *prefix)
{
    const char *k;
    json_t *x;
    size_t i;
    char buf[512];

    json_array_foreach(json_object_get(mod, "resources"), i, x)
    {
        snprintf(buf, sizeof(buf), "%s%s -> %s", prefix,
                 json_string_value(json_object_get(x, "address")),
                 json_string_value(json_object_get(x, "provider_config_key")));
        json_array_append_new(lines, json_string(buf));
    }
    json_object_foreach(json_object_get((json_t *)mod, "module_calls"), k, x)
    {
        snprintf(buf, sizeof(buf), "%smodule.%s.", prefix, k);
        key_lines(lines, json_object_get(x, "module"), buf);
    }
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *provider_keys_of(const char *json_text)
{
    json_t *doc = json_loads(json_text, 0, NULL), *lines = json_array(), *x;
    json_t *conf = json_object_get(doc, "configuration");
    const char *texts[64], *k;
    char *out = NULL;
    size_t len = 0, n = 0, i;
    FILE *f = open_memstream(&out, &len);

    key_lines(lines, json_object_get(conf, "root_module"), "");
    json_array_foreach(lines, i, x)
    {
        if (n < 64)
            texts[n++] = json_string_value(x);
    }
    qsort(texts, n, sizeof(*texts), by_text);
    for (i = 0; i < n; i++)
        fprintf(f, "%s\n", texts[i]);
    n = 0;
    json_object_foreach(json_object_get(conf, "provider_config"), k, x)
    {
        if (n < 64)
            texts[n++] = k;
    }
    qsort(texts, n, sizeof(*texts), by_text);
    fprintf(f, "provider_config:");
    for (i = 0; i < n; i++)
        fprintf(f, " %s", texts[i]);
    fputc('\n', f);
    fclose(f);
    json_decref(lines);
    json_decref(doc);
    return out;
}

/* "module type.name provider" for each resource of a v4 state. */
static char *state_providers_of(const char *json_text)
{
    json_t *doc = json_loads(json_text, 0, NULL), *x;
    char *out = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&out, &len);

    json_array_foreach(json_object_get(doc, "resources"), i, x)
    {
        fprintf(f, "%s %s.%s %s\n",
                json_string_value(json_object_get(x, "module")),
                json_string_value(json_object_get(x, "type")),
                json_string_value(json_object_get(x, "name")),
                json_string_value(json_object_get(x, "provider")));
    }
    fclose(f);
    json_decref(doc);
    return out;
}

/* A child module's resources name the root provider configuration they
 * use in the plan's configuration (upstream's normalizeModuleProviderKeys):
 * through a call's providers map, through implicit inheritance below it,
 * and through a configuration alias the call maps; the state records
 * the configuration the engine used. */
TEST(cli_modules, provider_keys)
{
    static const char pinned_tf[] =
        "terraform {\n"
        "  required_providers {\n"
        "    aws = {\n"
        "      source                = \"hashicorp/aws\"\n"
        "      configuration_aliases = [aws.dst]\n"
        "    }\n"
        "  }\n"
        "}\n"
        "\n"
        "resource \"aws_iam_instance_profile\" \"this\" {\n"
        "  provider = aws.dst\n"
        "  name     = \"tern-pinned\"\n"
        "}\n";
    char path[4096];
    char *keys;

    ASSERT_OK(write_tree("provider \"aws\" {}\n"
                         "\n"
                         "provider \"aws\" {\n"
                         "  alias  = \"east\"\n"
                         "  region = \"us-east-1\"\n"
                         "}\n"
                         "\n"
                         "module \"east\" {\n"
                         "  source    = \"./modules/role\"\n"
                         "  name      = \"tern-east\"\n"
                         "  providers = { aws = aws.east }\n"
                         "}\n"
                         "\n"
                         "module \"plain\" {\n"
                         "  source = \"./modules/role\"\n"
                         "  name   = \"tern-plain\"\n"
                         "}\n"
                         "\n"
                         "module \"pinned\" {\n"
                         "  source    = \"./modules/pinned\"\n"
                         "  providers = { aws.dst = aws.east }\n"
                         "}\n"));
    snprintf(path, sizeof(path), "%s/modules/pinned", tern_test_tmpdir());
    ASSERT(mkdir(path, 0700) == 0);
    ASSERT_OK(
        tt_write_file(tern_test_tmpdir(), "modules/pinned/main.tf", pinned_tf));
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    RUN(0, "init", "-no-color");
    RUN(0, "plan", "-out=p.tfplan", "-no-color");
    RUN(0, "show", "-json", "p.tfplan");
    keys = provider_keys_of(r.out);
    ASSERT_STR_EQ(
        keys,
        "module.east.aws_iam_role.this -> aws.east\n"
        "module.east.module.profile.aws_iam_instance_profile.this -> "
        "aws.east\n"
        "module.pinned.aws_iam_instance_profile.this -> aws.east\n"
        "module.plain.aws_iam_role.this -> aws\n"
        "module.plain.module.profile.aws_iam_instance_profile.this -> aws\n"
        "provider_config: aws aws.east\n");
    free(keys);
    /* The engine used the same configurations: the state records each
     * resource's absolute provider configuration. */
    RUN(0, "apply", "-no-color", "p.tfplan");
    RUN(0, "state", "pull");
    keys = state_providers_of(r.out);
    ASSERT_STR_EQ(keys,
                  "module.east aws_iam_role.this "
                  "provider[\"registry.terraform.io/hashicorp/aws\"].east\n"
                  "module.east.module.profile aws_iam_instance_profile.this "
                  "provider[\"registry.terraform.io/hashicorp/aws\"].east\n"
                  "module.pinned aws_iam_instance_profile.this "
                  "provider[\"registry.terraform.io/hashicorp/aws\"].east\n"
                  "module.plain aws_iam_role.this "
                  "provider[\"registry.terraform.io/hashicorp/aws\"]\n"
                  "module.plain.module.profile aws_iam_instance_profile.this "
                  "provider[\"registry.terraform.io/hashicorp/aws\"]\n");
    free(keys);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* resource_changes in upstream's order (addrs.AbsResourceInstance.Less):
 * module instances compared step by step, int keys by value ([9] before
 * [10]), no key before an int before a string. */
TEST(cli_modules, change_order)
{
    char *ch;

    ASSERT_OK(write_tree("module \"n\" {\n"
                         "  source = \"./modules/profile\"\n"
                         "  count  = 11\n"
                         "  role   = \"tern-n-${count.index}\"\n"
                         "}\n"
                         "\n"
                         "module \"m\" {\n"
                         "  source   = \"./modules/profile\"\n"
                         "  for_each = toset([\"b\", \"a\\\"q\", \"a\"])\n"
                         "  role     = \"tern-m-${length(each.key)}\"\n"
                         "  suffix   = each.key == \"a\" ? \"x\" : \"y\"\n"
                         "}\n"
                         "\n"
                         "module \"m2\" {\n"
                         "  source = \"./modules/profile\"\n"
                         "  role   = \"tern-m2\"\n"
                         "}\n"));
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    RUN(0, "init", "-no-color");
    RUN(0, "plan", "-out=p.tfplan", "-no-color");
    RUN(0, "show", "-json", "p.tfplan");
    ch = changes_of(r.out, 0);
    ASSERT_STR_EQ(
        ch, "create module.m[\"a\"].aws_iam_instance_profile.this <- - "
            "[module.m[\"a\"]]\n"
            "create module.m[\"a\\\"q\"].aws_iam_instance_profile.this <- - "
            "[module.m[\"a\\\"q\"]]\n"
            "create module.m[\"b\"].aws_iam_instance_profile.this <- - "
            "[module.m[\"b\"]]\n"
            "create module.m2.aws_iam_instance_profile.this <- - [module.m2]\n"
            "create module.n[0].aws_iam_instance_profile.this <- - "
            "[module.n[0]]\n"
            "create module.n[1].aws_iam_instance_profile.this <- - "
            "[module.n[1]]\n"
            "create module.n[2].aws_iam_instance_profile.this <- - "
            "[module.n[2]]\n"
            "create module.n[3].aws_iam_instance_profile.this <- - "
            "[module.n[3]]\n"
            "create module.n[4].aws_iam_instance_profile.this <- - "
            "[module.n[4]]\n"
            "create module.n[5].aws_iam_instance_profile.this <- - "
            "[module.n[5]]\n"
            "create module.n[6].aws_iam_instance_profile.this <- - "
            "[module.n[6]]\n"
            "create module.n[7].aws_iam_instance_profile.this <- - "
            "[module.n[7]]\n"
            "create module.n[8].aws_iam_instance_profile.this <- - "
            "[module.n[8]]\n"
            "create module.n[9].aws_iam_instance_profile.this <- - "
            "[module.n[9]]\n"
            "create module.n[10].aws_iam_instance_profile.this <- - "
            "[module.n[10]]\n");
    free(ch);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* A call's arguments are the module's variables: one it does not declare
 * and one it requires but is not given, with hcl's messages at the call. */
TEST(cli_modules, bad_arguments)
{
    ASSERT_OK(write_tree("module \"p\" {\n"
                         "  source = \"./modules/profile\"\n"
                         "  rolle  = \"x\"\n"
                         "}\n"));
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, "Error: Unsupported argument\n"
                         "\n"
                         "  on main.tf line 3, in module \"p\":\n"
                         "   3:   rolle  = \"x\"\n"
                         "        ^^^^^\n"
                         "\n"
                         "An argument named \"rolle\" is not expected here.\n"
                         "\n"
                         "Error: Missing required argument\n"
                         "\n"
                         "  on main.tf line 1, in module \"p\":\n"
                         "   1: module \"p\" {\n"
                         "      ^^^^^^^^^^\n"
                         "\n"
                         "The argument \"role\" is required, but no "
                         "definition was found.\n"
                         "\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_modules_list[] = {
    TEST_INTEGRATION(cli_modules, apply_move_destroy),
    TEST_INTEGRATION(cli_modules, bad_arguments),
    TEST_INTEGRATION(cli_modules, provider_keys),
    TEST_INTEGRATION(cli_modules, change_order), TEST_END};
