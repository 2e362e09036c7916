/*
 * tern console through the built binary: expressions against the
 * configuration (variables, locals, functions) and the state (resources
 * with count and for_each, data sources, sensitive attributes), values
 * printed as terraform console prints them (internal/repl/format.go),
 * piped input as console.go's modePiped, and a session on a terminal.
 */
#include "runner.h"

#include "util/alloc.h"

#include "run_tern.h"

static const char config[] = "variable \"env\" {\n"
                             "  default = \"dev\"\n"
                             "}\n"
                             "\n"
                             "variable \"required\" {\n"
                             "  type = string\n"
                             "}\n"
                             "\n"
                             "variable \"secret\" {\n"
                             "  default   = \"s3cr3t\"\n"
                             "  sensitive = true\n"
                             "}\n"
                             "\n"
                             "locals {\n"
                             "  names = [\"a\", \"b\"]\n"
                             "  tags  = { Env = var.env, Team = \"ml\" }\n"
                             "  multi = \"line1\\nEOT\\nline3\"\n"
                             "  loop  = local.loop\n"
                             "}\n"
                             "\n"
                             "resource \"aws_iam_role\" \"r\" {\n"
                             "  name               = \"r\"\n"
                             "  assume_role_policy = \"{}\"\n"
                             "}\n"
                             "\n"
                             "resource \"aws_iam_role\" \"c\" {\n"
                             "  count              = 2\n"
                             "  name               = \"c${count.index}\"\n"
                             "  assume_role_policy = \"{}\"\n"
                             "}\n"
                             "\n"
                             "resource \"aws_iam_role\" \"f\" {\n"
                             "  for_each           = toset([\"x\"])\n"
                             "  name               = each.key\n"
                             "  assume_role_policy = \"{}\"\n"
                             "}\n"
                             "\n"
                             "resource \"aws_iam_role\" \"later\" {\n"
                             "  name               = \"later\"\n"
                             "  assume_role_policy = \"{}\"\n"
                             "}\n"
                             "\n"
                             "data \"aws_caller_identity\" \"me\" {}\n";

/* A Terraform v4 state for `tern state push`; f["x"].name is sensitive. */
static const char state[] =
    "{\"version\": 4, \"terraform_version\": \"1.5.7\", \"serial\": 3,"
    " \"lineage\": \"2b1f1e3a-0000-4000-8000-000000000001\", \"outputs\": {},"
    " \"resources\": ["
    "{\"mode\": \"managed\", \"type\": \"aws_iam_role\", \"name\": \"r\","
    " \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    " \"instances\": [{\"schema_version\": 0, \"attributes\": {\"id\": \"r\","
    " \"name\": \"r\", \"arn\": \"arn:aws:iam::123456789012:role/r\","
    " \"max_session_duration\": 3600}, \"sensitive_attributes\": []}]},"
    "{\"mode\": \"managed\", \"type\": \"aws_iam_role\", \"name\": \"c\","
    " \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    " \"instances\": ["
    "{\"index_key\": 1, \"schema_version\": 0, \"attributes\": {\"id\": \"c1\","
    " \"name\": \"c1\"}, \"sensitive_attributes\": []},"
    "{\"index_key\": 0, \"schema_version\": 0, \"attributes\": {\"id\": \"c0\","
    " \"name\": \"c0\"}, \"sensitive_attributes\": []}]},"
    "{\"mode\": \"managed\", \"type\": \"aws_iam_role\", \"name\": \"f\","
    " \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    " \"instances\": [{\"index_key\": \"x\", \"schema_version\": 0,"
    " \"attributes\": {\"id\": \"x\", \"name\": \"x\"},"
    " \"sensitive_attributes\": [[{\"type\": \"get_attr\", \"value\":"
    " \"name\"}]]}]},"
    "{\"mode\": \"data\", \"type\": \"aws_caller_identity\", \"name\": \"me\","
    " \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    " \"instances\": [{\"schema_version\": 0, \"attributes\": {\"id\":"
    " \"123456789012\", \"account_id\": \"123456789012\"},"
    " \"sensitive_attributes\": []}]}]}\n";

static void setup(const char *dir, int with_state)
{
    ASSERT_OK(tt_write_file(dir, "main.tf", config));
    if (with_state) {
        const char *push[] = {"state", "push", "st.json", NULL};
        struct tt_run r = {0};

        ASSERT_OK(tt_write_file(dir, "st.json", state));
        ASSERT_OK(tt_run_tern(&r, dir, NULL, push));
        if (r.status != 0)
            FAIL("state push: %d\n%s%s", r.status, r.out, r.err);
        tt_run_release(&r);
    }
}

/* Pipe @input into `tern console`; expect @status, @out and @err whole. */
static void console(const char *dir, const char *input, int status,
                    const char *out, const char *err)
{
    const char *args[] = {"console", NULL};
    struct tt_run r = {0};

    ASSERT_OK(tt_run_tern(&r, dir, input, args));
    if (r.status != status)
        FAIL("input %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", input,
             r.status, status, r.out, r.err);
    ASSERT_STR_EQ(r.out, out);
    ASSERT_STR_EQ(r.err, err);
    tt_run_release(&r);
}

TEST(console, configuration_values)
{
    const char *dir = tern_test_tmpdir();

    setup(dir, 0);
    console(dir, "var.env\n", 0, "\"dev\"\n", "");
    console(dir, "local.names\n", 0, "[\n  \"a\",\n  \"b\",\n]\n", "");
    console(dir, "local.tags\n", 0,
            "{\n  \"Env\" = \"dev\"\n  \"Team\" = \"ml\"\n}\n", "");
    console(dir, "{ a = [1.5, true, null], b = {} }\n", 0,
            "{\n  \"a\" = [\n    1.5,\n    true,\n    null,\n  ]\n"
            "  \"b\" = {}\n}\n",
            "");
    console(dir, "toset([\"b\", \"a\", \"b\"])\n", 0,
            "toset([\n  \"a\",\n  \"b\",\n])\n", "");
    /* A variable without a value is unknown, not an error. */
    console(dir, "var.required\n", 0, "(known after apply)\n", "");
    console(dir, "var.secret\n", 0, "(sensitive value)\n", "");
    console(dir, "upper(var.env)\n", 0, "\"DEV\"\n", "");
    console(dir, "\"tab\\tquote\\\" \\u0001\"\n", 0,
            "\"tab\\tquote\\\" \\x01\"\n", "");
    /* Several lines: a heredoc, its marker lengthened past a line that
     * is "EOT". */
    console(dir, "local.multi\n", 0, "<<EOT_\nline1\nEOT\nline3\nEOT_\n", "");
    console(dir, "[local.multi]\n", 0,
            "[\n  <<-EOT_\n  line1\n  EOT\n  line3\n  EOT_,\n]\n", "");
}

TEST(console, piped_input_as_terraform)
{
    const char *dir = tern_test_tmpdir();

    setup(dir, 0);
    /* Only the last result is printed. */
    console(dir, "var.env\n\n  1 + 1  \n", 0, "2\n", "");
    /* exit ends the run without printing anything. */
    console(dir, "var.env\nexit\nvar.nope\n", 0, "", "");
    /* No input: an empty result. */
    console(dir, "", 0, "\n", "");
    /* The first error ends it, status 1. */
    console(dir, "1\nlocal.nope\n2\n", 1, "",
            "Error: Reference to undeclared local value\n"
            "\n"
            "  on <console-input> line 1:\n"
            "   1: local.nope\n"
            "      ^^^^^^^^^^\n"
            "\n"
            "A local value with the name \"nope\" has not been declared.\n"
            "\n");
    console(dir, "1 +\n", 1, "",
            "Error: Invalid expression\n"
            "\n"
            "  on <console-input> line 1:\n"
            "   1: 1 +\n"
            "         ^\n"
            "\n"
            "Expected the start of an expression, but found an invalid "
            "expression token.\n"
            "\n");
    console(dir, "local.loop\n", 1, "",
            "Error: Cycle in local values\n"
            "\n"
            "  on main.tf line 18, in locals:\n"
            "  18:   loop  = local.loop\n"
            "        ^^^^\n"
            "\n"
            "local.loop refers to itself.\n"
            "\n");
}

TEST(console, state_resources_and_data)
{
    const char *dir = tern_test_tmpdir();

    setup(dir, 1);
    console(dir, "aws_iam_role.r.arn\n", 0,
            "\"arn:aws:iam::123456789012:role/r\"\n", "");
    console(dir, "aws_iam_role.r.max_session_duration * 2\n", 0, "7200\n", "");
    /* count: a list by index, whatever the state's order. */
    console(dir, "aws_iam_role.c[*].id\n", 0, "[\n  \"c0\",\n  \"c1\",\n]\n",
            "");
    /* for_each: by key; a sensitive attribute stays hidden. */
    console(dir, "aws_iam_role.f[\"x\"].id\n", 0, "\"x\"\n", "");
    console(dir, "aws_iam_role.f[\"x\"].name\n", 0, "(sensitive value)\n", "");
    console(dir, "data.aws_caller_identity.me.account_id\n", 0,
            "\"123456789012\"\n", "");
    /* In the configuration, not yet in the state. */
    console(dir, "aws_iam_role.later.arn\n", 0, "(known after apply)\n", "");
    console(dir, "aws_iam_role.nope\n", 1, "",
            "Error: Reference to undeclared resource\n"
            "\n"
            "  on <console-input> line 1:\n"
            "   1: aws_iam_role.nope\n"
            "      ^^^^^^^^^^^^^^^^^\n"
            "\n"
            "A managed resource \"aws_iam_role\" \"nope\" has not been "
            "declared in the root module.\n"
            "\n");
}

TEST(console, variables_from_flags)
{
    const char *dir = tern_test_tmpdir();
    const char *args[] = {"console", "-var",         "env=prod",
                          "-var",    "required=yes", NULL};
    struct tt_run r = {0};

    setup(dir, 0);
    ASSERT_OK(tt_run_tern(&r, dir, "\"${var.env}-${var.required}\"\n", args));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_EQ(r.out, "\"prod-yes\"\n");
    ASSERT_STR_EQ(r.err, "");
    tt_run_release(&r);
}

/* On a terminal: a prompt, every result, errors and the session goes on.
 * The terminal echoes the typed input in one piece, at a moment that
 * races with the first prompt: it is taken out before comparing. */
TEST(console, terminal_session)
{
    const char *dir = tern_test_tmpdir();
    const char *args[] = {"console", "-no-color", NULL};
    const char *typed = "var.env\nlocal.nope\n1 + 1\nexit\n";
    struct tt_run r = {0};

    setup(dir, 0);
    ASSERT_OK(tt_run_tern_pty(&r, dir, typed, NULL, args));
    ASSERT_EQ(r.status, 0);
    /* (The test terminal does not echo what is typed.) */
    ASSERT_STR_EQ(r.out, "> \"dev\"\r\n"
                         "> Error: Reference to undeclared local value\r\n"
                         "\r\n"
                         "  on <console-input> line 1:\r\n"
                         "   1: local.nope\r\n"
                         "      ^^^^^^^^^^\r\n"
                         "\r\n"
                         "A local value with the name \"nope\" has not been "
                         "declared.\r\n"
                         "\r\n"
                         "> 2\r\n"
                         "> ");
    tt_run_release(&r);
}

const struct tern_test test_console_list[] = {
    TEST_UNIT(console, configuration_values),
    TEST_UNIT(console, piped_input_as_terraform),
    TEST_UNIT(console, state_resources_and_data),
    TEST_UNIT(console, variables_from_flags),
    TEST_UNIT(console, terminal_session),
    TEST_END};
