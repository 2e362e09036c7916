/*
 * Refusals through the built binary (issue 10's bad-input campaign): a
 * malformed -replace/-target address is refused before anything runs; a
 * damaged plan file given to `show` gets the plan reader's diagnostic, a
 * file that is neither plan nor state a message naming it; and a refused
 * plan, apply, import or graph leaves no state where there was none (nor
 * changes one that was there), while plan -out keeps the state its plan
 * names. None of these cases reaches a server: the endpoint is a closed
 * port, and an address accepted by mistake would show as exit status 0.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#define TT_CLI_ENV tt_cli_offline_env
#include "cli_test.h"

#include <sys/stat.h>
#include <unistd.h>

/* A role and nothing else: a plan on an empty state makes no call. */
static const char config[] = "variable \"n\" {\n"
                             "  type    = number\n"
                             "  default = 1\n"
                             "}\n\n"
                             "provider \"aws\" {\n"
                             "  max_retries = 1\n"
                             "}\n\n"
                             "resource \"aws_iam_role\" \"r\" {\n"
                             "  name = \"r-${var.n}\"\n" TT_HCL_TRUST_EC2 "}\n";

/* Whether @name exists in the test's directory. */
static int exists(const char *name)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/%s", tern_test_tmpdir(), name);
    return access(path, F_OK) == 0;
}

static char *slurp(const char *name, size_t *len)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/%s", tern_test_tmpdir(), name);
    return tt_read_file(path, len);
}

static void write_bytes(const char *name, const char *data, size_t len)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tern_test_tmpdir(), name);
    f = fopen(path, "wb");
    ASSERT_NOT_NULL(f);
    ASSERT_EQ(fwrite(data, 1, len, f), len);
    ASSERT_EQ(fclose(f), 0);
}

/* Neither the state nor its lock file: the command stopped before it
 * asked for the lock. */
static void assert_untouched_dir(void)
{
    ASSERT_FALSE(exists("tern.tfstate.db"));
    ASSERT_FALSE(exists("tern.tfstate.db.lock"));
    ASSERT_FALSE(exists("tern.tfstate.db-wal"));
}

/* A state that is left as it was, byte for byte. */
struct snap {
    char *data;
    size_t len;
};

static void snap_take(struct snap *s)
{
    s->data = slurp("tern.tfstate.db", &s->len);
    ASSERT_NOT_NULL(s->data);
}

static void snap_check(struct snap *s)
{
    size_t len = 0;
    char *now = slurp("tern.tfstate.db", &len);

    ASSERT_NOT_NULL(now);
    ASSERT_EQ(len, s->len);
    ASSERT_TRUE(memcmp(now, s->data, len) == 0);
    free(now);
    free(s->data);
    s->data = NULL;
}

TEST(cli_refusals, bad_replace_and_target_addresses)
{
    static const struct {
        const char *flag, *message;
    } cases[] = {
        {"-replace=[0]",
         "Error: Invalid force-replace address \"[0]\"\n\n"
         "An address must begin with a resource type, \"data.\" or "
         "\"module.\". For example: aws_iam_role.x, aws_iam_role.x[0], "
         "aws_iam_role.x[\"k\"] or module.m.aws_iam_role.x.\n"},
        {"-replace=aws_iam_role",
         "Error: Invalid force-replace address \"aws_iam_role\"\n\n"
         "Resource specification must include a resource type and name."},
        {"-replace=aws_iam_role.r[",
         "Error: Invalid force-replace address \"aws_iam_role.r[\"\n\n"
         "An index must be a whole number, such as [0], or a quoted key, "
         "such as [\"k\"], and end with \"]\"."},
        {"-replace=aws_iam_role.r[x]",
         "Error: Invalid force-replace address \"aws_iam_role.r[x]\"\n\n"
         "An index must be a whole number"},
        {"-replace=",
         "Error: Invalid force-replace address \"\"\n\nThe address is "
         "empty."},
        {"-replace=module.m",
         "Error: Invalid force-replace address \"module.m\"\n\n"
         "A resource instance address is required here: the module path "
         "must be followed by a resource type and name."},
        {"-replace=data.aws_iam_role.x",
         "Error: Invalid force-replace address \"data.aws_iam_role.x\"\n\n"
         "Only managed resources can be used with the -replace=... option.\n"},
        {"-target=.x", "Error: Invalid target \".x\"\n\n"
                       "An address must begin with a resource type, "
                       "\"data.\" or \"module.\". For example: "
                       "aws_iam_role.x, aws_iam_role.x[0], "
                       "aws_iam_role.x[\"k\"], module.m or "
                       "module.m.aws_iam_role.x.\n"},
        {"-target=aws_iam_role",
         "Error: Invalid target \"aws_iam_role\"\n\n"
         "Resource specification must include a resource type and name."},
        {"-target=aws_iam_role.r.arn",
         "Error: Invalid target \"aws_iam_role.r.arn\"\n\n"
         "Only an index, such as [0] or [\"k\"], may follow the resource "
         "name."},
        {"-target=module.m]",
         "Error: Invalid target \"module.m]\"\n\n"
         "A module path must be followed by \".\" and a resource address."},
    };
    struct snap s = {NULL, 0};
    size_t i;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        RUN(1, "plan", "-refresh=false", cases[i].flag);
        ASSERT_STR_CONTAINS(r.err, cases[i].message);
        /* As other flag errors: the command's help is pointed at. */
        ASSERT_STR_CONTAINS(r.err, "tern plan -help");
        ASSERT_STR_EQ(r.out, "");
        assert_untouched_dir();
        RUN(1, "apply", "-auto-approve", cases[i].flag);
        ASSERT_STR_CONTAINS(r.err, cases[i].message);
        assert_untouched_dir();
    }
    /* Well-formed addresses pass (the plan makes no call: empty state). */
    RUN(0, "plan", "-replace=aws_iam_role.r", "-target=aws_iam_role.r");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r will be created");
    RUN(0, "plan", "-target=module.m", "-replace=aws_iam_role.r[\"k\"]",
        "-replace=aws_iam_role.r[0]", "-target=data.aws_iam_role.x");

    /* An existing state is left exactly as it was. */
    RUN(0, "init");
    snap_take(&s);
    RUN(1, "apply", "-auto-approve", "-replace=[0]");
    ASSERT_STR_EQ(
        r.err, "Error: Invalid force-replace address \"[0]\"\n"
               "\n"
               "An address must begin with a resource type, \"data.\" or "
               "\"module.\". For example: aws_iam_role.x, aws_iam_role.x[0], "
               "aws_iam_role.x[\"k\"] or module.m.aws_iam_role.x.\n"
               "\n"
               "For more help on using this command, run:\n"
               "  tern apply -help\n");
    snap_check(&s);
    tt_run_release(&r);
}

TEST(cli_refusals, show_damaged_plan_file)
{
    char *plan = NULL;
    size_t len = 0;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
    RUN(0, "plan", "-out=good.tfplan");
    plan = slurp("good.tfplan", &len);
    ASSERT_NOT_NULL(plan);
    ASSERT_CMP(len, >, 200);
    RUN(0, "show", "good.tfplan");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r will be created");

    /* Truncated: the reader's checksum error, not "not a tern state". */
    write_bytes("cut.tfplan", plan, len / 2);
    RUN(1, "show", "cut.tfplan");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid plan file\n"
                  "\n"
                  "The plan file cut.tfplan cannot be used: its checksum does "
                  "not match its contents (the file was edited or truncated).\n"
                  "\n");
    ASSERT_STR_NOT_CONTAINS(r.err, "tern state");
    RUN(1, "show", "-json", "cut.tfplan");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid plan file\n"
                  "\n"
                  "The plan file cut.tfplan cannot be used: its checksum does "
                  "not match its contents (the file was edited or truncated).\n"
                  "\n");

    /* Edited: one byte of the document changed. */
    plan[len - 3] = plan[len - 3] == 'x' ? 'y' : 'x';
    write_bytes("edited.tfplan", plan, len);
    RUN(1, "show", "edited.tfplan");
    ASSERT_STR_EQ(
        r.err, "Error: Invalid plan file\n"
               "\n"
               "The plan file edited.tfplan cannot be used: its checksum does "
               "not match its contents (the file was edited or truncated).\n"
               "\n");

    /* Cut inside the header: still a plan file, by its first bytes. */
    write_bytes("short.tfplan", plan, 12);
    RUN(1, "show", "short.tfplan");
    ASSERT_STR_EQ(r.err, "Error: Invalid plan file\n"
                         "\n"
                         "The plan file short.tfplan cannot be used: it is "
                         "truncated: it ends within its header.\n"
                         "\n");

    /* Neither a plan nor a state. */
    write_bytes("notes.txt", "hello\n", 6);
    RUN(1, "show", "notes.txt");
    ASSERT_STR_EQ(
        r.err, "Error: Failed to read the given file as a state or plan file\n"
               "\n"
               "notes.txt is neither a saved plan (from tern plan -out=FILE) "
               "nor a tern state database.\n"
               "\n");
    write_bytes("empty.tfplan", "", 0);
    RUN(1, "show", "empty.tfplan");
    ASSERT_STR_EQ(
        r.err, "Error: Failed to read the given file as a state or plan file\n"
               "\n"
               "empty.tfplan is neither a saved plan (from tern plan "
               "-out=FILE) nor a tern state database: the file is empty.\n"
               "\n");
    write_bytes("terraform.tfstate", " {\"version\": 4}", 16);
    RUN(1, "show", "terraform.tfstate");
    ASSERT_STR_EQ(
        r.err, "Error: Failed to read the given file as a state or plan file\n"
               "\n"
               "terraform.tfstate is neither a saved plan (from tern plan "
               "-out=FILE) nor a tern state database. It is JSON, perhaps a "
               "Terraform .tfstate: tern keeps its state in SQLite, and `tern "
               "state migrate` takes a Terraform state over.\n"
               "\n");
    RUN(1, "show", "missing.tfplan");
    ASSERT_STR_EQ(
        r.err, "Error: Failed to read the given file as a state or plan file\n"
               "\n"
               "Reading missing.tfplan: No such file or directory.\n"
               "\n");

    /* A state database is still shown. */
    RUN(0, "show", "tern.tfstate.db");
    ASSERT_STR_CONTAINS(r.out, "The state file is empty. No resources are "
                               "represented.");
    free(plan);
    tt_run_release(&r);
}

TEST(cli_refusals, refused_commands_leave_no_state)
{
    struct snap s = {NULL, 0};

    /* No configuration at all. */
    RUN(1, "plan");
    ASSERT_STR_EQ(r.err,
                  "Error: No configuration files\n"
                  "\n"
                  "plan requires configuration to be present. Planning without "
                  "a configuration would mark everything for destruction, "
                  "which is normally not what is desired. If you would like to "
                  "destroy everything, run with -destroy. Otherwise, create a "
                  "tern configuration file (.tf file) and try again.\n"
                  "\n");
    assert_untouched_dir();
    RUN(1, "import", "aws_iam_role.r", "r");
    ASSERT_STR_EQ(
        r.err, "Error: No configuration files\n"
               "\n"
               "import requires configuration to be present. Planning without "
               "a configuration would mark everything for destruction, which "
               "is normally not what is desired. If you would like to destroy "
               "everything, run with -destroy. Otherwise, create a tern "
               "configuration file (.tf file) and try again.\n"
               "\n");
    assert_untouched_dir();

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
    /* Bad variables: refused before the state is opened. */
    RUN(1, "plan", "-var", "n=abc");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid value for input variable\n"
                  "\n"
                  "  on main.tf line 1, in variable \"n\":\n"
                  "   1: variable \"n\" {\n"
                  "      ^^^^^^^^^^^^\n"
                  "\n"
                  "The value for var.n from the command line is not suitable "
                  "for its type constraint: a number is required.\n"
                  "\n");
    assert_untouched_dir();
    RUN(1, "apply", "-auto-approve", "-var", "n=abc");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid value for input variable\n"
                  "\n"
                  "  on main.tf line 1, in variable \"n\":\n"
                  "   1: variable \"n\" {\n"
                  "      ^^^^^^^^^^^^\n"
                  "\n"
                  "The value for var.n from the command line is not suitable "
                  "for its type constraint: a number is required.\n"
                  "\n");
    assert_untouched_dir();
    RUN(1, "import", "-var", "n=abc", "aws_iam_role.r", "r");
    assert_untouched_dir();

    /* Import addresses the configuration does not have. */
    RUN(1, "import", "aws_iam_role.nope", "r");
    ASSERT_STR_EQ(r.err,
                  "Error: Configuration for import target does not exist\n"
                  "\n"
                  "The configuration does not have a resource instance "
                  "aws_iam_role.nope. Add a resource block for it (with count "
                  "or for_each when the address has a key) first.\n"
                  "\n");
    assert_untouched_dir();
    RUN(1, "import", "nope", "r");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid address\n"
                  "\n"
                  "\"nope\" is not a valid resource address, such as "
                  "aws_iam_role.x, aws_iam_role.x[0], "
                  "module.m.aws_iam_role.x[\"k\"] or data.aws_iam_role.x.\n"
                  "\n");
    assert_untouched_dir();
    RUN(1, "import", "data.aws_iam_role.x", "r");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid address\n"
                  "\n"
                  "A managed resource address is required: data.aws_iam_role.x "
                  "is a data source, which cannot be imported.\n"
                  "\n");
    assert_untouched_dir();

    /* A damaged saved plan, a bad graph type. */
    write_bytes("bad.tfplan", "tern-plan 1 sha256=00\n{}", 24);
    RUN(1, "apply", "bad.tfplan");
    ASSERT_STR_EQ(r.err, "Error: Invalid plan file\n"
                         "\n"
                         "The plan file bad.tfplan cannot be used: it is "
                         "truncated: it ends within its header.\n"
                         "\n");
    assert_untouched_dir();
    RUN(1, "graph", "-type=bogus");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid graph type\n"
                  "\n"
                  "-type must be plan, apply or destroy, not \"bogus\".\n"
                  "\n");
    assert_untouched_dir();

    /*
     * Refusals that come after the state is opened (and, there being
     * none, created): the plan is made, then there is no terminal to
     * approve it; the instance key is checked by the engine. The new
     * state goes again; the lock file stays, as lock files do.
     */
    RUN(1, "apply", "-input=false");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.r will be created");
    ASSERT_STR_EQ(r.err,
                  "Error: No terminal to ask for approval\n"
                  "\n"
                  "apply asks for confirmation before it changes anything, and "
                  "there is no terminal to ask on (standard input is not a "
                  "terminal, -input=false or -json was given). Review the plan "
                  "above and run again with -auto-approve, or save it with "
                  "\"tern plan -out=FILE\" and run \"tern apply FILE\".\n"
                  "\n");
    ASSERT_FALSE(exists("tern.tfstate.db"));
    ASSERT_FALSE(exists("tern.tfstate.db-wal"));
    ASSERT_FALSE(exists("tern.tfstate.db-shm"));
    RUN(1, "import", "aws_iam_role.r[3]", "r");
    ASSERT_STR_EQ(r.err,
                  "Error: Configuration for import target does not exist\n"
                  "\n"
                  "The configuration does not have a resource instance "
                  "aws_iam_role.r[3]. Add a resource block for it (with count "
                  "or for_each when the address has a key) first.\n"
                  "\n");
    ASSERT_FALSE(exists("tern.tfstate.db"));
    /* Credentials that do not work: the apply fails before it creates. */
    {
        const char *args[] = {"apply", "-auto-approve", NULL};
        const char *bad_env[] = {"AWS_ENDPOINT_URL=http://127.0.0.1:9",
                                 "AWS_ACCESS_KEY_ID=",
                                 "AWS_SECRET_ACCESS_KEY=",
                                 "AWS_PROFILE=",
                                 "AWS_REGION=us-east-1",
                                 "AWS_CONFIG_FILE=/nonexistent",
                                 "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
                                 "AWS_EC2_METADATA_DISABLED=true",
                                 NULL};

        tt_run_release(&r);
        ASSERT_OK(tt_run_tern_env(&r, tern_test_tmpdir(), NULL, bad_env, args));
        ASSERT_EQ(r.status, 1);
        ASSERT_FALSE(exists("tern.tfstate.db"));
    }

    /* A plan only reads: it creates no state (as terraform plan)... */
    RUN(0, "plan");
    ASSERT_STR_CONTAINS(r.out, "Plan: 1 to add, 0 to change, 0 to destroy.");
    ASSERT_FALSE(exists("tern.tfstate.db"));
    RUN(0, "graph");
    ASSERT_FALSE(exists("tern.tfstate.db"));
    /* ...but a saved plan names the state's lineage, so that one stays. */
    RUN(0, "plan", "-out=p.tfplan");
    ASSERT_TRUE(exists("tern.tfstate.db"));
    RUN(0, "show", "p.tfplan");

    /* A state that was there is never removed, nor changed, by a refusal. */
    snap_take(&s);
    RUN(1, "apply", "-input=false");
    ASSERT_STR_EQ(r.err,
                  "Error: No terminal to ask for approval\n"
                  "\n"
                  "apply asks for confirmation before it changes anything, and "
                  "there is no terminal to ask on (standard input is not a "
                  "terminal, -input=false or -json was given). Review the plan "
                  "above and run again with -auto-approve, or save it with "
                  "\"tern plan -out=FILE\" and run \"tern apply FILE\".\n"
                  "\n");
    snap_check(&s);
    snap_take(&s);
    RUN(1, "import", "aws_iam_role.r[3]", "r");
    snap_check(&s);
    tt_run_release(&r);
}

/* Issue 20: a link planted where tern writes its lock or a plan is never
 * written through; the file it names stays byte for byte as it was. */
static void plant_link(const char *name, const char *target)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/%s", tern_test_tmpdir(), name);
    ASSERT_EQ(symlink(target, path), 0);
}

static void assert_victim(const char *name, const char *want)
{
    size_t len = 0;
    char *now = slurp(name, &len);

    ASSERT_NOT_NULL(now);
    ASSERT_EQ(len, strlen(want));
    ASSERT_TRUE(memcmp(now, want, len) == 0);
    free(now);
}

TEST(cli_refusals, symlinked_lock_is_refused)
{
    static const char victim[] = "precious\n";
    static const char *const cmds[][3] = {
        {"plan", NULL, NULL},
        {"apply", "-auto-approve", NULL},
        {"init", NULL, NULL},
    };
    size_t i;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
    write_bytes("victim", victim, strlen(victim));
    plant_link("tern.tfstate.db.lock", "victim");
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        const char *args[] = {cmds[i][0], cmds[i][1], NULL};

        run_in(1, args);
        ASSERT_STR_EQ(r.err, "Error: Cannot lock the state\n\n"
                             "The lock file tern.tfstate.db.lock is a "
                             "symbolic link. tern does not follow a link for "
                             "its lock file, because writing through it "
                             "would overwrite the file it names; remove the "
                             "link.\n\n");
        assert_victim("victim", victim);
    }
}

TEST(cli_refusals, symlinked_plan_paths_refused)
{
    static const char victim[] = "precious\n";
    size_t len = 0;
    char *plan;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
    write_bytes("victim", victim, strlen(victim));
    /* The old fixed temporary name: no longer used, so never followed. */
    plant_link("p.tfplan.tmp", "victim");
    RUN(0, "plan", "-out=p.tfplan");
    assert_victim("victim", victim);
    plan = slurp("p.tfplan", &len);
    ASSERT_NOT_NULL(plan);
    ASSERT_TRUE(len > 0);
    free(plan);
    /* The plan path itself a link: refused by name. */
    plant_link("q.tfplan", "victim");
    RUN(1, "plan", "-out=q.tfplan");
    ASSERT_STR_EQ(r.err, "Error: Failed to write plan file\n\n"
                         "The plan file q.tfplan is a symbolic link. tern "
                         "does not write a plan through a link; remove it or "
                         "give the path of the file itself.\n\n");
    assert_victim("victim", victim);
}

const struct tern_test test_cli_refusals_list[] = {
    TEST_INTEGRATION(cli_refusals, bad_replace_and_target_addresses),
    TEST_INTEGRATION(cli_refusals, show_damaged_plan_file),
    TEST_INTEGRATION(cli_refusals, refused_commands_leave_no_state),
    TEST_INTEGRATION(cli_refusals, symlinked_lock_is_refused),
    TEST_INTEGRATION(cli_refusals, symlinked_plan_paths_refused),
    TEST_END};
