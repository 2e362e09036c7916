/*
 * The CLI's flag and address parsing, as pure functions (from the tern_cli
 * library), plus -chdir and the version of the built binary (its usage
 * errors and help: tests/cases/cli/404-usage-errors, 405-help-and-usage).
 */
#include "runner.h"

#include "cli/cli.h"

#include "run_tern.h"

#include <sys/stat.h>

static void parse_ok(struct cli_opts *o, unsigned int allowed,
                     const char *const *args)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    int argc = 0;

    while (args[argc])
        argc++;
    cli_opts_init(o);
    if (cli_flags_parse(o, allowed, argc, (char **)args, &d) != TERN_OK)
        FAIL("parse failed: %s: %s", d.count ? d.items[0].summary : "?",
             d.count && d.items[0].detail ? d.items[0].detail : "");
    tern_diags_release(&d);
}

/* Parse expecting failure; returns the first diagnostic's detail (static). */
static const char *parse_err(unsigned int allowed, const char *const *args)
{
    static char detail[1024];
    struct tern_diags d = TERN_DIAGS_INIT;
    struct cli_opts o;
    int argc = 0;

    while (args[argc])
        argc++;
    cli_opts_init(&o);
    ASSERT_EQ(cli_flags_parse(&o, allowed, argc, (char **)args, &d),
              TERN_EINVALID);
    ASSERT_CMP(d.count, >=, 1);
    snprintf(detail, sizeof(detail), "%s: %s", d.items[0].summary,
             d.items[0].detail ? d.items[0].detail : "");
    tern_diags_release(&d);
    cli_opts_release(&o);
    return detail;
}

TEST(cli_flags, defaults)
{
    const char *args[] = {NULL};
    struct cli_opts o;

    parse_ok(&o, 0, args);
    ASSERT_EQ(o.input, 1);
    ASSERT_EQ(o.lock, 1);
    ASSERT_EQ(o.refresh, 1);
    ASSERT_EQ(o.parallelism, 10);
    ASSERT_EQ(o.serial, -1);
    ASSERT_EQ(o.lock_timeout_ms, 0);
    ASSERT_EQ(o.args.n, 0);
    cli_opts_release(&o);
}

TEST(cli_flags, all_forms)
{
    const char *args[] = {"-no-color",
                          "--json",
                          "-input=false",
                          "-lock=false",
                          "-lock-timeout",
                          "2m",
                          "-state=x.db",
                          "-var",
                          "a=1",
                          "-var=b=c=d",
                          "-var-file=f.tfvars",
                          "-parallelism=3",
                          "-auto-approve",
                          "-detailed-exitcode",
                          "-out",
                          "plan.bin",
                          "-destroy=true",
                          "-refresh=false",
                          "-refresh-only",
                          "-target=aws_iam_role.a",
                          "-target",
                          "aws_iam_role.b",
                          "-replace=aws_iam_role.c",
                          "positional",
                          "-force",
                          "--",
                          "-not-a-flag",
                          NULL};
    struct cli_opts o;

    parse_ok(&o, ~0u, args);
    ASSERT_EQ(o.no_color, 1);
    ASSERT_EQ(o.json, 1);
    ASSERT_EQ(o.input, 0);
    ASSERT_EQ(o.lock, 0);
    ASSERT_EQ(o.lock_timeout_ms, 120000);
    ASSERT_STR_EQ(o.state_path, "x.db");
    ASSERT_EQ(o.vars.n, 2);
    ASSERT_STR_EQ(o.vars.items[0], "a=1");
    ASSERT_STR_EQ(o.vars.items[1], "b=c=d");
    ASSERT_EQ(o.var_files.n, 1);
    ASSERT_EQ(o.parallelism, 3);
    ASSERT_EQ(o.auto_approve, 1);
    ASSERT_EQ(o.detailed_exitcode, 1);
    ASSERT_STR_EQ(o.out, "plan.bin");
    ASSERT_EQ(o.destroy, 1);
    ASSERT_EQ(o.refresh, 0);
    ASSERT_EQ(o.refresh_only, 1);
    ASSERT_EQ(o.targets.n, 2);
    ASSERT_STR_EQ(o.targets.items[1], "aws_iam_role.b");
    ASSERT_EQ(o.replaces.n, 1);
    ASSERT_EQ(o.force, 1);
    ASSERT_EQ(o.args.n, 2);
    ASSERT_STR_EQ(o.args.items[0], "positional");
    ASSERT_STR_EQ(o.args.items[1], "-not-a-flag");
    cli_opts_release(&o);
}

TEST(cli_flags, unknown_flag_suggests)
{
    const char *a1[] = {"-jsno", NULL};
    const char *a2[] = {"-zzzzzzzz", NULL};
    const char *a3[] = {"-json", NULL};

    ASSERT_STR_EQ(parse_err(CLI_F_JSON, a1),
                  "Failed to parse command-line flags: flag provided but not "
                  "defined: -jsno\n"
                  "\n"
                  "Did you mean -json?");
    ASSERT_STR_NOT_CONTAINS(parse_err(CLI_F_JSON, a2), "Did you mean");
    /* A real flag the command does not take is unknown to it. */
    ASSERT_STR_EQ(parse_err(CLI_F_STATE, a3),
                  "Failed to parse command-line flags: flag provided but not "
                  "defined: -json");
}

TEST(cli_flags, bad_values)
{
    const char *a1[] = {"-lock-timeout=10", NULL};
    const char *a2[] = {"-parallelism=0", NULL};
    const char *a3[] = {"-var", "novalue", NULL};
    const char *a4[] = {"-lock=maybe", NULL};
    const char *a5[] = {"-state", NULL};
    const char *a6[] = {"-parallelism=x", NULL};

    ASSERT_STR_EQ(
        parse_err(~0u, a1),
        "Failed to parse command-line flags: invalid value \"10\" for flag "
        "-lock-timeout: expected a duration such as 0s, 500ms, 10s or 2m");
    ASSERT_STR_EQ(parse_err(~0u, a2),
                  "Failed to parse command-line flags: invalid value \"0\" for "
                  "flag -parallelism: expected a whole number of 1 or more");
    ASSERT_STR_EQ(
        parse_err(~0u, a3),
        "Invalid -var option: The given -var option \"novalue\" is not "
        "correctly specified. It must be a variable name and value separated "
        "by an equals sign, like -var=\"key=value\".");
    ASSERT_STR_EQ(parse_err(~0u, a4),
                  "Failed to parse command-line flags: invalid value \"maybe\" "
                  "for flag -lock: parse error (expected true or false)");
    ASSERT_STR_EQ(
        parse_err(~0u, a5),
        "Failed to parse command-line flags: flag needs an argument: -state");
    ASSERT_STR_EQ(parse_err(~0u, a6),
                  "Failed to parse command-line flags: invalid value \"x\" for "
                  "flag -parallelism: expected a whole number of 1 or more");
}

TEST(cli_flags, durations)
{
    unsigned int ms = 7;

    ASSERT_OK(cli_parse_duration("0s", &ms));
    ASSERT_EQ(ms, 0);
    ASSERT_OK(cli_parse_duration("0", &ms));
    ASSERT_EQ(ms, 0);
    ASSERT_OK(cli_parse_duration("500ms", &ms));
    ASSERT_EQ(ms, 500);
    ASSERT_OK(cli_parse_duration("10s", &ms));
    ASSERT_EQ(ms, 10000);
    ASSERT_OK(cli_parse_duration("2m", &ms));
    ASSERT_EQ(ms, 120000);
    ASSERT_OK(cli_parse_duration("1m30s", &ms));
    ASSERT_EQ(ms, 90000);
    ASSERT_OK(cli_parse_duration("1.5s", &ms));
    ASSERT_EQ(ms, 1500);
    ASSERT_OK(cli_parse_duration("1h", &ms));
    ASSERT_EQ(ms, 3600000);
    ASSERT_EQ(cli_parse_duration("10", &ms), TERN_EINVALID);
    ASSERT_EQ(cli_parse_duration("", &ms), TERN_EINVALID);
    ASSERT_EQ(cli_parse_duration("s", &ms), TERN_EINVALID);
    ASSERT_EQ(cli_parse_duration("5x", &ms), TERN_EINVALID);
    ASSERT_EQ(cli_parse_duration("-5s", &ms), TERN_EINVALID);
}

TEST(cli_flags, addresses)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    struct cli_addr a;

    ASSERT_OK(cli_addr_parse(&a, "aws_iam_role.x", &d));
    ASSERT_STR_EQ(a.module, "");
    ASSERT_STR_EQ(a.type, "aws_iam_role");
    ASSERT_STR_EQ(a.name, "x");
    ASSERT_EQ(a.key_kind, TERN_STATE_KEY_NONE);
    cli_addr_release(&a);

    ASSERT_OK(cli_addr_parse(&a, "module.a[\"k\"].module.b.aws_x.y[3]", &d));
    ASSERT_STR_EQ(a.module, "module.a[\"k\"].module.b");
    ASSERT_STR_EQ(a.type, "aws_x");
    ASSERT_EQ(a.key_kind, TERN_STATE_KEY_INT);
    ASSERT_EQ(a.key_int, 3);
    cli_addr_release(&a);

    ASSERT_OK(cli_addr_parse(&a, "data.aws_caller_identity.c[\"a b\"]", &d));
    ASSERT_EQ(a.mode, TERN_STATE_DATA);
    ASSERT_EQ(a.key_kind, TERN_STATE_KEY_STRING);
    ASSERT_STR_EQ(a.key_str, "a b");
    cli_addr_release(&a);

    ASSERT_OK(cli_addr_parse(&a, "module.m", &d));
    ASSERT_NULL(a.type);
    ASSERT_STR_EQ(a.module, "module.m");
    cli_addr_release(&a);

    ASSERT_EQ(d.count, 0);
    ASSERT_EQ(cli_addr_parse(&a, "aws_iam_role", &d), TERN_EINVALID);
    ASSERT_EQ(cli_addr_parse(&a, "aws_x.y[", &d), TERN_EINVALID);
    ASSERT_EQ(cli_addr_parse(&a, "aws_x.y.z", &d), TERN_EINVALID);
    ASSERT_EQ(cli_addr_parse(&a, "module.", &d), TERN_EINVALID);
    ASSERT_EQ(d.count, 4);
    ASSERT_STR_EQ(d.items[0].detail,
                  "\"aws_iam_role\" is not a valid resource address, such as "
                  "aws_iam_role.x, aws_iam_role.x[0], "
                  "module.m.aws_iam_role.x[\"k\"] or data.aws_iam_role.x.");
    tern_diags_release(&d);
}

TEST(cli_flags, address_matching)
{
    ASSERT_TRUE(cli_addr_matches("aws_x.y", "aws_x.y"));
    ASSERT_TRUE(cli_addr_matches("aws_x.y", "aws_x.y[0]"));
    ASSERT_TRUE(cli_addr_matches("aws_x.y", "aws_x.y[\"k\"]"));
    ASSERT_FALSE(cli_addr_matches("aws_x.y", "aws_x.yy"));
    ASSERT_FALSE(cli_addr_matches("aws_x.y[0]", "aws_x.y[01]"));
    ASSERT_TRUE(cli_addr_matches("module.m", "module.m.aws_x.y"));
    ASSERT_TRUE(cli_addr_matches("module.m", "module.m[0].aws_x.y"));
    ASSERT_FALSE(cli_addr_matches("module.m.aws_x", "module.m.aws_x.y"));
    ASSERT_FALSE(cli_addr_matches("module.m", "module.mm.aws_x.y"));
}

/* The version, which names the platform (tests/cases/cli/404 and 405 hold
 * the usage errors and the help). */
TEST(cli_flags, binary_version)
{
    const char *a2[] = {"-version", NULL};
    const char *a3[] = {"version", "-json", NULL};
    json_t *j;
    struct tt_run r;

    ASSERT_OK(tt_run_tern(&r, tern_test_tmpdir(), NULL, a2));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "tern v" TERN_VERSION "\n");
    tt_run_release(&r);

    ASSERT_OK(tt_run_tern(&r, tern_test_tmpdir(), NULL, a3));
    ASSERT_EQ(r.status, 0);
    j = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(j);
    ASSERT_STR_EQ(json_string_value(json_object_get(j, "tern_version")),
                  TERN_VERSION);
    json_decref(j);
    tt_run_release(&r);
}

TEST(cli_flags, binary_chdir)
{
    const char *args[] = {"-chdir=sub", "init", NULL};
    char dir[4096], path[4200];
    struct tt_run r;
    struct stat sb;

    snprintf(dir, sizeof(dir), "%s/sub", tern_test_tmpdir());
    ASSERT_OK(mkdir(dir, 0755));
    ASSERT_OK(tt_write_file(dir, "main.tf",
                            "resource \"aws_iam_role\" \"r\" {\n"
                            "  assume_role_policy = \"{}\"\n"
                            "}\n"));
    ASSERT_OK(tt_run_tern(&r, tern_test_tmpdir(), NULL, args));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_CONTAINS(r.out, "- hashicorp/aws: built in to tern");
    ASSERT_STR_CONTAINS(r.out, "tern has been successfully initialized!");
    snprintf(path, sizeof(path), "%s/tern.tfstate.db", dir);
    ASSERT_OK(stat(path, &sb));
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    tt_run_release(&r);
}

const struct tern_test test_cli_flags_list[] = {
    TEST_INTEGRATION(cli_flags, binary_chdir),
    TEST_UNIT(cli_flags, defaults),
    TEST_UNIT(cli_flags, all_forms),
    TEST_UNIT(cli_flags, unknown_flag_suggests),
    TEST_UNIT(cli_flags, bad_values),
    TEST_UNIT(cli_flags, durations),
    TEST_UNIT(cli_flags, addresses),
    TEST_UNIT(cli_flags, address_matching),
    TEST_INTEGRATION(cli_flags, binary_version),
    TEST_END};
