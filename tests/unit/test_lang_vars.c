/* src/lang: type constraints, conversion, and input variables with their
 * sources in Terraform's order of precedence. */
#include "runner.h"

#include "lang/lang.h"
#include "util/alloc.h"

#include <stdio.h>

static struct tern_lang_config *config(const char *text, struct tern_diags *d)
{
    struct tern_lang_config *cfg = tern_lang_config_new(".");

    ASSERT_NOT_NULL(cfg);
    ASSERT_OK(tern_lang_config_add_file(cfg, "main.tf", text, strlen(text), d));
    return cfg;
}

/* Parse @type, convert the value of expression @value; the rendering of
 * the result, or "!" and the reason. */
static char *convert(const char *type, const char *value)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_expr *te = NULL, *ve = NULL;
    struct tern_lang_type *t = NULL;
    tern_value *v = NULL, *out = NULL;
    char why[512], *s, *ts;

    ASSERT_OK(tern_lang_parse_expr(&srcs, "t", type, strlen(type), &te, &d));
    ASSERT_OK(tern_lang_parse_expr(&srcs, "v", value, strlen(value), &ve, &d));
    if (tern_lang_type_parse(te, &t, &d) != TERN_OK) {
        s = tern_asprintf("!%s", d.items[0].summary);
        goto done;
    }
    ts = tern_lang_type_string(t);
    tern_free(ts);
    ASSERT_OK(tern_lang_eval(ve, NULL, &v, &d));
    if (tern_lang_type_convert(t, v, &out, why, sizeof(why)) != TERN_OK) {
        s = tern_asprintf("!%s", why);
        goto done;
    }
    s = tern_value_render(out, 0);

done:
    tern_value_decref(v);
    tern_value_decref(out);
    tern_lang_type_free(t);
    tern_diags_release(&d);
    tern_lang_sources_free(&srcs);
    return s;
}

#define CONVERTS(type, value, want)                                            \
    do {                                                                       \
        char *got_ = convert(type, value);                                     \
        ASSERT_STR_EQ(got_, want);                                             \
        tern_free(got_);                                                       \
    } while (0)

TEST(lang_vars, type_conversion)
{
    CONVERTS("string", "5", "\"5\"");
    CONVERTS("string", "true", "\"true\"");
    CONVERTS("string", "[1]", "!string required");
    CONVERTS("number", "\"42\"", "42");
    CONVERTS("number", "\"x\"", "!a number is required");
    CONVERTS("bool", "\"false\"", "false");
    CONVERTS("list(string)", "[1, \"a\"]", "[\n  \"1\",\n  \"a\",\n]");
    CONVERTS("list(number)", "[1, \"a\"]", "![1]: a number is required");
    CONVERTS("set(string)", "[\"b\", \"a\", \"b\"]",
             "toset([\n  \"a\",\n  \"b\",\n])");
    CONVERTS("map(number)", "{a = \"1\"}", "{\n  \"a\" = 1\n}");
    CONVERTS("map(number)", "{a = \"x\"}", "![\"a\"]: a number is required");
    CONVERTS("object({name = string, size = optional(number, 10), "
             "tags = optional(map(string))})",
             "{name = \"a\", extra = 1}",
             "{\n  \"name\" = \"a\"\n  \"size\" = 10\n  \"tags\" = null\n}");
    CONVERTS("object({name = string})", "{}",
             "!attribute \"name\" is required");
    CONVERTS("list(object({n = number}))", "[{n = 1}, {n = \"z\"}]",
             "![1].n: a number is required");
    CONVERTS("tuple([string, number])", "[\"a\", \"2\"]",
             "[\n  \"a\",\n  2,\n]");
    CONVERTS("tuple([string])", "[1, 2]", "!tuple required with 1 elements");
    CONVERTS("any", "{a = [1]}", "{\n  \"a\" = [\n    1,\n  ]\n}");
    CONVERTS("list", "[1]", "[\n  1,\n]");
    CONVERTS("string", "null", "null");
    CONVERTS("strin", "1", "!Invalid type specification");
    CONVERTS("list(string, number)", "1", "!Invalid type specification");
    CONVERTS("optional(string)", "1", "!Invalid type specification");
}

TEST(lang_vars, type_strings)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_expr *e = NULL;
    struct tern_lang_type *t = NULL;
    const char *text = "map(object({a = optional(list(string)), b = "
                       "tuple([bool, any])}))";
    char *s;

    ASSERT_OK(tern_lang_parse_expr(&srcs, "t", text, strlen(text), &e, &d));
    ASSERT_OK(tern_lang_type_parse(e, &t, &d));
    s = tern_lang_type_string(t);
    ASSERT_STR_EQ(s, "map(object({a=optional(list(string)), b=tuple([bool, "
                     "any])}))");
    tern_free(s);
    tern_lang_type_free(t);
    tern_diags_release(&d);
    tern_lang_sources_free(&srcs);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs(text, f);
    fclose(f);
}

static const char vars_tf[] =
    "variable \"a\" { default = \"default\" }\n"
    "variable \"b\" { default = \"default\" }\n"
    "variable \"c\" { default = \"default\" }\n"
    "variable \"d\" { default = \"default\" }\n"
    "variable \"e\" { default = \"default\" }\n"
    "variable \"f\" { default = \"default\" }\n"
    "variable \"n\" {\n  type = number\n  default = 1\n}\n"
    "variable \"l\" {\n  type = list(string)\n  default = []\n}\n"
    "variable \"s\" {\n  default = \"x\"\n  sensitive = true\n}\n";

TEST(lang_vars, precedence)
{
    const char *dir = tern_test_tmpdir();
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = config(vars_tf, &d);
    struct tern_lang_var_inputs in;
    char *envp[] = {"TF_VAR_b=env",     "TF_VAR_c=env", "TF_VAR_l=[\"e1\", 2]",
                    "TF_VAR_unknown=x", "HOME=/root",   NULL};
    char varfile[4096];
    const char *cli[3];
    tern_value *vars = NULL;
    char *s;

    write_file(dir, "terraform.tfvars", "c = \"tfvars\"\nd = \"tfvars\"\n");
    write_file(dir, "terraform.tfvars.json",
               "{\"d\": \"json\", \"e\": "
               "\"json\"}");
    write_file(dir, "a.auto.tfvars", "e = \"auto-a\"\nf = \"auto-a\"\n");
    write_file(dir, "b.auto.tfvars.json", "{\"f\": \"auto-b\"}");
    snprintf(varfile, sizeof(varfile), "%s/extra.tfvars", dir);
    write_file(dir, "extra.tfvars", "n = \"7\"\nundeclared = 1\n");
    cli[0] = "-var=a=cli";
    cli[1] = tern_asprintf("-var-file=%s", varfile);
    cli[2] = "-var=s=top secret";
    memset(&in, 0, sizeof(in));
    ASSERT_OK(tern_lang_var_inputs_collect(&in, dir, envp, cli, 3, &d));
    ASSERT_OK(tern_lang_variables_eval(cfg, &in, &vars, &d));
    s = tern_value_render(vars, 0);
    ASSERT_STR_EQ(s, "{\n"
                     "  \"a\" = \"cli\"\n"
                     "  \"b\" = \"env\"\n"
                     "  \"c\" = \"tfvars\"\n"
                     "  \"d\" = \"json\"\n"
                     "  \"e\" = \"auto-a\"\n"
                     "  \"f\" = \"auto-b\"\n"
                     "  \"l\" = [\n"
                     "    \"e1\",\n"
                     "    \"2\",\n"
                     "  ]\n"
                     "  \"n\" = 7\n"
                     "  \"s\" = (sensitive value)\n"
                     "}");
    /* The undeclared value in a file is a warning only. */
    ASSERT_EQ(d.count, 1);
    ASSERT_EQ(d.errors, 0);
    {
        char want_[4096];

        snprintf(
            want_, sizeof(want_),
            "The root module does not declare a variable named \"undeclared\" "
            "but a value was found in file \"%s/extra.tfvars\". If you meant "
            "to use this value, add a \"variable\" block to the configuration.",
            tern_test_tmpdir());
        ASSERT_STR_EQ(d.items[0].detail, want_);
    }
    tern_free(s);
    tern_free((char *)cli[1]);
    tern_value_decref(vars);
    tern_lang_var_inputs_release(&in);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

TEST(lang_vars, errors)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = config(
        "variable \"required\" {}\n"
        "variable \"typed\" {\n  type = number\n}\n"
        "variable \"bad_default\" {\n  type = number\n  default = \"x\"\n}\n"
        "variable \"checked\" {\n"
        "  type = string\n"
        "  default = \"ok\"\n"
        "  validation {\n"
        "    condition     = length(var.checked) > 3\n"
        "    error_message = \"Must be longer than 3 characters.\"\n"
        "  }\n"
        "}\n"
        "variable \"nn\" {\n  nullable = false\n}\n",
        &d);
    struct tern_lang_var_inputs in;
    const char *cli[] = {"-var=typed=abc", "-var=nope=1", "-var=nn=x", "bogus"};
    tern_value *vars = NULL;

    memset(&in, 0, sizeof(in));
    ASSERT_EQ(tern_lang_var_inputs_collect(&in, NULL, NULL, cli, 4, &d),
              TERN_ERROR);
    ASSERT_EQ(tern_lang_variables_eval(cfg, &in, &vars, &d), TERN_ERROR);
    ASSERT_EQ(d.count, 6);
    ASSERT_STR_EQ(d.items[0].summary, "Invalid -var option");
    ASSERT_STR_EQ(d.items[1].summary, "Value for undeclared variable");
    ASSERT_STR_EQ(d.items[2].summary, "No value for required variable");
    ASSERT_STR_EQ(d.items[3].summary, "Invalid value for input variable");
    ASSERT_STR_EQ(d.items[3].detail,
                  "The value for var.typed from the command line is not "
                  "suitable for its type constraint: a number is required.");
    ASSERT_STR_EQ(d.items[4].summary, "Invalid default value for variable");
    ASSERT_STR_EQ(d.items[5].summary, "Invalid value for variable");
    ASSERT_STR_EQ(
        d.items[5].detail,
        "Must be longer than 3 characters.\n"
        "\n"
        "This was checked by the validation rule at main.tf:13,5-44.");
    /* What could be evaluated is there. */
    ASSERT_NOT_NULL(tern_value_object_get(vars, "nn"));
    tern_value_decref(vars);
    tern_lang_var_inputs_release(&in);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

/* Variables files are read as configuration is: bytes that are not UTF-8
 * are an error at their line and column; a -var or TF_VAR_ string, taken
 * as it is, is checked too. */
TEST(lang_vars, invalid_utf8)
{
    const char *dir = tern_test_tmpdir();
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg =
        config("variable \"a\" {\n  default = \"\"\n}\n"
               "variable \"b\" {\n  type = string\n}\n"
               "variable \"c\" {\n  type = string\n}\n",
               &d);
    struct tern_lang_var_inputs in;
    char *envp[] = {"TF_VAR_b=\xfe", NULL};
    const char *cli[] = {"-var=c=ok\xc3"};
    tern_value *vars = NULL;

    write_file(dir, "terraform.tfvars", "a = \"ok\"\n\nb = \"x\xff\"\n");
    write_file(dir, "x.auto.tfvars.json", "{\"a\": \"\xff\"}");
    memset(&in, 0, sizeof(in));
    ASSERT_EQ(tern_lang_var_inputs_collect(&in, dir, envp, cli, 1, &d),
              TERN_ERROR);
    ASSERT_EQ(d.count, 2);
    ASSERT_STR_EQ(d.items[0].summary, "Invalid character encoding");
    ASSERT_STR_EQ(d.items[0].range.file, "terraform.tfvars");
    ASSERT_EQ(d.items[0].range.start.line, 3);
    ASSERT_EQ(d.items[0].range.start.column, 7);
    ASSERT_STR_EQ(d.items[1].summary, "Invalid character encoding");
    ASSERT_STR_EQ(d.items[1].range.file, "x.auto.tfvars.json");
    ASSERT_EQ(d.items[1].range.start.column, 8);
    ASSERT_EQ(tern_lang_variables_eval(cfg, &in, &vars, &d), TERN_ERROR);
    ASSERT_EQ(d.count, 4);
    ASSERT_STR_EQ(d.items[2].summary, "Invalid character encoding");
    ASSERT_STR_EQ(d.items[2].detail,
                  "The value for variable \"b\" set from environment is not "
                  "valid UTF-8; every value must be UTF-8 encoded.");
    ASSERT_STR_EQ(d.items[3].summary, "Invalid character encoding");
    ASSERT_STR_EQ(d.items[3].detail,
                  "The value for variable \"c\" set from the command line is "
                  "not valid UTF-8; every value must be UTF-8 encoded.");
    tern_value_decref(vars);
    tern_lang_var_inputs_release(&in);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

const struct tern_test test_lang_vars_list[] = {
    TEST_UNIT(lang_vars, type_conversion), TEST_UNIT(lang_vars, type_strings),
    TEST_UNIT(lang_vars, precedence),      TEST_UNIT(lang_vars, errors),
    TEST_UNIT(lang_vars, invalid_utf8),    TEST_END,
};
