/*
 * Refusals through the built binary where a case directory cannot say it:
 * a damaged plan file (cut or edited bytes of a real one) given to `show`
 * gets the plan reader's diagnostic, a file that is neither plan nor
 * state a message naming it; a refusal leaves an existing state byte for
 * byte as it was; a symbolic link planted where tern writes its lock or a
 * plan is never written through. (Malformed -replace/-target addresses,
 * and refusals that leave no state where there was none: cli cases
 * 423-426.) None of these cases reaches a server: the endpoint is a
 * closed port.
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

/* A state that was there is never changed, byte for byte, by a refusal:
 * a bad -replace address, an apply without a terminal to approve on, an
 * import of a key the configuration lacks. (That refusals create no state
 * where there was none: cli cases 424-426.) */
TEST(cli_refusals, refusals_keep_state_bytes)
{
    struct snap s = {NULL, 0};

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", config));
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
    TEST_INTEGRATION(cli_refusals, refusals_keep_state_bytes),
    TEST_INTEGRATION(cli_refusals, show_damaged_plan_file),
    TEST_INTEGRATION(cli_refusals, symlinked_lock_is_refused),
    TEST_INTEGRATION(cli_refusals, symlinked_plan_paths_refused), TEST_END};
