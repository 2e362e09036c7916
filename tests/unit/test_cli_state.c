/*
 * The state commands where a case directory cannot say it, run through
 * the built binary in a temporary directory: an intent left by a killed
 * run (written through the state API), a refused push that must leave the
 * state's bytes as they were, the lock held by another process
 * (contention, -lock-timeout, force-unlock) and the local backend's file
 * mode. push, list, show, rm, mv, pull, history, migrate and output are
 * cli cases 414-422 (tests/cases/cli).
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#define TT_CLI_ENV NULL
#include "cli_test.h"
#include "tern/module.h"
#include "tern/state.h"
#include "util/alloc.h"

#include <sys/stat.h>
#include <time.h>

static const char tfstate[] =
    "{\"version\":4,\"terraform_version\":\"1.5.7\",\"serial\":7,"
    "\"lineage\":\"3f0c2a4e-1111-2222-3333-444455556666\","
    "\"outputs\":{"
    "\"role_arn\":{\"value\":\"arn:aws:iam::123456789012:role/deploy\","
    "\"type\":\"string\"},"
    "\"db_password\":{\"value\":\"hunter2hunter2\",\"type\":\"string\","
    "\"sensitive\":true}},"
    "\"resources\":["
    "{\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"name\":\"deploy\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":[{\"schema_version\":0,\"attributes\":{"
    "\"arn\":\"arn:aws:iam::123456789012:role/deploy\","
    "\"assume_role_policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\","
    "\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{"
    "\\\"Service\\\":\\\"ec2.amazonaws.com\\\"},\\\"Action\\\":"
    "\\\"sts:AssumeRole\\\"}]}\","
    "\"description\":null,\"id\":\"deploy\",\"name\":\"deploy\","
    "\"tags\":{\"Team\":\"ml\"}},\"sensitive_attributes\":[]}]},"
    "{\"mode\":\"managed\",\"type\":\"aws_iam_role_policy\",\"name\":"
    "\"u\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":["
    "{\"index_key\":0,\"schema_version\":0,\"attributes\":{\"id\":\"u0\","
    "\"name\":\"u0\",\"role\":\"s3cretrole\"},"
    "\"sensitive_attributes\":[[{\"type\":\"get_attr\","
    "\"value\":\"role\"}]]},"
    "{\"index_key\":1,\"schema_version\":0,\"attributes\":{\"id\":\"u1\","
    "\"name\":\"u1\"},\"sensitive_attributes\":[]}]},"
    "{\"module\":\"module.net\",\"mode\":\"managed\","
    "\"type\":\"aws_iam_role_policy_attachment\",\"name\":\"b\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]"
    "\",\"instances\":[{\"schema_version\":0,\"attributes\":{\"id\":\"b\"},"
    "\"sensitive_attributes\":[]}]}]}";

/* tfstate's lineage at serial 8, with a role tern manages and instances
 * of types it does not have: a bucket, a data source, a module's bucket
 * with string keys and a counted one. */
static const char foreign[] =
    "{\"version\":4,\"terraform_version\":\"1.5.7\",\"serial\":8,"
    "\"lineage\":\"3f0c2a4e-1111-2222-3333-444455556666\",\"outputs\":{},"
    "\"resources\":["
    "{\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"name\":\"deploy\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":[{\"schema_version\":0,\"attributes\":{"
    "\"id\":\"deploy\",\"name\":\"deploy\"},\"sensitive_attributes\":[]}]},"
    "{\"mode\":\"managed\",\"type\":\"aws_s3_bucket\",\"name\":\"logs\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":[{\"schema_version\":0,\"attributes\":{"
    "\"id\":\"my-logs\",\"bucket\":\"my-logs\"}}]},"
    "{\"mode\":\"data\",\"type\":\"aws_vpc\",\"name\":\"main\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":[{\"schema_version\":0,\"attributes\":{"
    "\"id\":\"vpc-1\"}}]},"
    "{\"module\":\"module.net\",\"mode\":\"managed\","
    "\"type\":\"aws_s3_bucket\",\"name\":\"b\",\"each\":\"map\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":["
    "{\"index_key\":\"a\",\"schema_version\":0,\"attributes\":{"
    "\"id\":\"b-a\"}},"
    "{\"index_key\":\"b\",\"schema_version\":0,\"attributes\":{"
    "\"id\":\"b-b\"}}]},"
    "{\"mode\":\"managed\",\"type\":\"aws_sqs_queue\",\"name\":\"q\","
    "\"each\":\"list\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":[{\"index_key\":0,\"schema_version\":0,"
    "\"attributes\":{\"id\":\"q0\"}}]}]}";

/* The whole refusal of a push of @foreign, from @source (a path, or "-"
 * for standard input). */
static const char *foreign_refused(const char *source)
{
    static char buf[1024];

    snprintf(buf, sizeof(buf),
             "Error: State has resources tern does not manage\n"
             "\n"
             "%s holds 5 resource instances of types tern does not have:\n"
             "  aws_s3_bucket.logs\n"
             "  data.aws_vpc.main\n"
             "  module.net.aws_s3_bucket.b[\"a\"]\n"
             "  module.net.aws_s3_bucket.b[\"b\"]\n"
             "  aws_sqs_queue.q[0]\n"
             "\n"
             "In tern's state they would make every plan fail, so nothing was "
             "pushed (-force does not change that). To take over only the "
             "instances tern manages, run \"tern state migrate %s\"; to push "
             "the whole state, remove these from it first.\n"
             "\n",
             strcmp(source, "-") == 0 ? "The state on standard input" : source,
             source);
    return buf;
}

static void pushed(void)
{
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "tf.json", tfstate));
    RUN(0, "state", "push", "tf.json");
    ASSERT_STR_EQ(r.out, "");
}

/* A run killed between an intent and its result leaves a warning for the
 * next command; a command whose standard output is data keeps it there
 * alone, the warning on standard error (issue 20, finding 12). */
TEST(cli_state, intent_warning_on_stderr)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = NULL;
    char *path = NULL;
    int64_t id = 0;
    const char *warn;

    pushed();
    path = tern_asprintf("%s/tern.tfstate.db", tern_test_tmpdir());
    ASSERT_NOT_NULL(path);
    opts.path = path;
    opts.operation = "apply";
    ASSERT_OK(tern_state_open(&st, &opts, NULL));
    ASSERT_OK(tern_state_intent_begin(st, &id, "aws_iam_role.b", "create", NULL,
                                      NULL));
    tern_state_free(st);
    tern_free(path);

    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.deploy\n"
                         "aws_iam_role_policy.u[0]\n"
                         "aws_iam_role_policy.u[1]\n"
                         "module.net.aws_iam_role_policy_attachment.b\n");
    warn = strstr(r.err, "Warning: Unfinished operations in the state\n\n"
                         "1 operation(s) were started but never recorded as "
                         "done, the first one on aws_iam_role.b (create) at ");
    ASSERT_NOT_NULL(warn);
    ASSERT_TRUE(warn == r.err);
    RUN(0, "state", "pull");
    ASSERT_EQ(r.out[0], '{');
    ASSERT_NOT_NULL(strstr(r.err, "Warning: Unfinished operations"));
    RUN(0, "output", "-json");
    ASSERT_EQ(r.out[0], '{');
    ASSERT_NOT_NULL(strstr(r.err, "Warning: Unfinished operations"));
    tt_run_release(&r);
}

static char *slurp(const char *name, size_t *len)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/%s", tern_test_tmpdir(), name);
    return tt_read_file(path, len);
}

/*
 * A state holding instances of types tern does not have is refused by
 * push, with or without -force, from a file or standard input, listing
 * them all: pushed, they made every later plan fail. The state is left
 * byte for byte as it was, and none is created where there was none.
 */
TEST(cli_state, push_refuses_types_tern_does_not_have)
{
    char *before, *after, *pulled;
    size_t blen = 0, alen = 0;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "foreign.json", foreign));
    RUN(1, "state", "push", "foreign.json");
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_EQ(r.err, foreign_refused("foreign.json"));
    ASSERT_NULL(slurp("tern.tfstate.db", NULL));

    pushed();
    RUN(0, "state", "pull");
    pulled = strdup(r.out);
    before = slurp("tern.tfstate.db", &blen);
    ASSERT_NOT_NULL(before);
    RUN(1, "state", "push", "foreign.json");
    ASSERT_STR_EQ(r.err, foreign_refused("foreign.json"));
    RUN(1, "state", "push", "-force", "foreign.json");
    ASSERT_STR_EQ(r.err, foreign_refused("foreign.json"));
    {
        const char *args[] = {"state", "push", "-", NULL};

        run_at(tern_test_tmpdir(), 1, foreign, args);
    }
    ASSERT_STR_EQ(r.err, foreign_refused("-"));
    after = slurp("tern.tfstate.db", &alen);
    ASSERT_NOT_NULL(after);
    ASSERT_EQ(alen, blen);
    ASSERT_TRUE(memcmp(before, after, blen) == 0);
    RUN(0, "state", "pull");
    ASSERT_STR_EQ(r.out, pulled);
    free(before);
    free(after);
    free(pulled);
    tt_run_release(&r);
}

TEST(cli_state, lock_contention)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = NULL;
    char path[4096];
    struct timespec t0, t1;
    long ms;
    json_t *info = NULL;
    char *id;

    pushed();
    snprintf(path, sizeof(path), "%s/tern.tfstate.db", tern_test_tmpdir());
    so.path = path;
    so.operation = "apply";
    ASSERT_OK(tern_state_open(&st, &so, &d));

    RUN(1, "state", "rm", "aws_iam_role_policy.u[0]");
    ASSERT_STR_CONTAINS(r.err, "Error acquiring the state lock");
    ASSERT_STR_CONTAINS(r.err, "Operation: apply");
    ASSERT_STR_CONTAINS(r.err, "Who:");
    ASSERT_STR_CONTAINS(r.err, "Since:");
    ASSERT_STR_CONTAINS(r.err, "ID:");

    clock_gettime(CLOCK_MONOTONIC, &t0);
    RUN(1, "state", "rm", "-lock-timeout=400ms", "aws_iam_role_policy.u[0]");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ASSERT_CMP(ms, >=, 400);
    ASSERT_STR_CONTAINS(r.err, "after waiting 400 ms");

    /* The JSON UI reports it as a diagnostic line, after its version.
     * (-destroy: plan refuses a directory without configuration before
     * it asks for the lock.) */
    RUN(1, "plan", "-json", "-destroy");
    ASSERT_STR_CONTAINS(r.out, "\"type\":\"version\"");
    ASSERT_STR_CONTAINS(r.out, "\"type\":\"diagnostic\"");
    ASSERT_STR_CONTAINS(r.out, "Error acquiring the state lock");

    /* Readers take no lock. */
    RUN(0, "state", "list");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role_policy.u[0]");

    /* force-unlock cannot break a live holder's lock. */
    ASSERT_OK(tern_state_lock_info(path, &info, &d));
    ASSERT_NOT_NULL(info);
    id = strdup(json_string_value(json_object_get(info, "ID")));
    json_decref(info);
    RUN(1, "force-unlock", id);
    ASSERT_STR_EQ(
        r.err,
        "Error: Confirmation required\n"
        "\n"
        "force-unlock asks for confirmation, and there is no terminal to ask "
        "on (or -input=false was given). Add -force to unlock without asking.\n"
        "\n");
    RUN(1, "force-unlock", "-force", id);
    ASSERT_STR_CONTAINS(r.err, "The lock is held");
    RUN(1, "force-unlock", "-force", "not-the-id");
    ASSERT_STR_CONTAINS(r.err, "No such lock");

    /* A waiting writer gets the lock once the holder lets go. */
    tern_state_free(st);
    RUN(0, "state", "rm", "-lock-timeout=2s", "aws_iam_role_policy.u[0]");
    free(id);
    tern_diags_release(&d);
    tt_run_release(&r);
}

TEST(cli_state, backend_path)
{
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "terraform {\n"
                            "  backend \"local\" {\n"
                            "    path = \"custom.db\"\n"
                            "  }\n"
                            "}\n"));
    pushed();
    {
        struct stat sb;
        char path[4096];

        snprintf(path, sizeof(path), "%s/custom.db", tern_test_tmpdir());
        ASSERT_OK(stat(path, &sb));
        ASSERT_EQ(sb.st_mode & 0777, 0600);
    }
    RUN(0, "-chdir=.", "state", "list");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.deploy");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "terraform {\n"
                            "  backend \"gcs\" {\n"
                            "    bucket = \"b\"\n"
                            "  }\n"
                            "}\n"));
    RUN(1, "state", "list");
    ASSERT_STR_EQ(
        r.err,
        "Error: Unsupported backend type\n"
        "\n"
        "  on main.tf line 2, in terraform:\n"
        "   2:   backend \"gcs\" {\n"
        "                ^^^^^\n"
        "\n"
        "tern keeps its state in a local SQLite file or in S3; the backend "
        "\"gcs\" is not supported. Remove the backend block to use the "
        "default tern.tfstate.db, or use backend \"local\" with a path, or "
        "backend \"s3\".\n"
        "\n");
    tt_run_release(&r);
}

const struct tern_test test_cli_state_list[] = {
    TEST_INTEGRATION(cli_state, intent_warning_on_stderr),
    TEST_INTEGRATION(cli_state, push_refuses_types_tern_does_not_have),
    TEST_INTEGRATION(cli_state, lock_contention),
    TEST_INTEGRATION(cli_state, backend_path), TEST_END};
