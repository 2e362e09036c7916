/*
 * The state commands, run through the built binary in a temporary
 * directory: push, list, show, rm, mv, pull (and -serial), history,
 * migrate, the lock (contention message, -lock-timeout, -lock=false,
 * force-unlock), output and show.
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

TEST(cli_state, no_state)
{
    RUN(1, "state", "list");
    ASSERT_STR_EQ(
        r.err,
        "Error: No state file was found!\n"
        "\n"
        "State management commands require a state file. There is none at "
        "tern.tfstate.db: run this command in a directory where tern has been "
        "run, or use the -state flag to point it at a state database.\n"
        "\n");
    RUN(1, "state", "pull");
    RUN(0, "show");
    ASSERT_STR_EQ(r.out, "No state.\n");
    RUN(0, "output");
    ASSERT_STR_CONTAINS(r.out, "Warning: No outputs found");
    tt_run_release(&r);
}

TEST(cli_state, push_list_show)
{
    pushed();
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.deploy\n"
                         "aws_iam_role_policy.u[0]\n"
                         "aws_iam_role_policy.u[1]\n"
                         "module.net.aws_iam_role_policy_attachment.b\n");
    RUN(0, "state", "list", "aws_iam_role_policy.u", "module.net");
    ASSERT_STR_EQ(r.out, "aws_iam_role_policy.u[0]\n"
                         "aws_iam_role_policy.u[1]\n"
                         "module.net.aws_iam_role_policy_attachment.b\n");
    RUN(0, "state", "list", "-id=u1");
    ASSERT_STR_EQ(r.out, "aws_iam_role_policy.u[1]\n");
    RUN(1, "state", "list", "not an address");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid address\n"
                  "\n"
                  "\"not an address\" is not a valid resource address, such as "
                  "aws_iam_role.x, aws_iam_role.x[0], "
                  "module.m.aws_iam_role.x[\"k\"] or data.aws_iam_role.x.\n"
                  "\n");

    RUN(0, "state", "show", "aws_iam_role.deploy");
    ASSERT_STR_EQ(r.out, "# aws_iam_role.deploy:\n"
                         "resource \"aws_iam_role\" \"deploy\" {\n"
                         "    arn                = "
                         "\"arn:aws:iam::123456789012:role/deploy\"\n"
                         "    assume_role_policy = jsonencode(\n"
                         "        {\n"
                         "            Statement = [\n"
                         "                {\n"
                         "                    Action    = \"sts:AssumeRole\"\n"
                         "                    Effect    = \"Allow\"\n"
                         "                    Principal = {\n"
                         "                        Service = "
                         "\"ec2.amazonaws.com\"\n"
                         "                    }\n"
                         "                },\n"
                         "            ]\n"
                         "            Version   = \"2012-10-17\"\n"
                         "        }\n"
                         "    )\n"
                         "    id                 = \"deploy\"\n"
                         "    name               = \"deploy\"\n"
                         "    tags               = {\n"
                         "        \"Team\" = \"ml\"\n"
                         "    }\n"
                         "}\n");
    RUN(0, "state", "show", "aws_iam_role_policy.u[0]");
    ASSERT_STR_CONTAINS(r.out, "role = (sensitive value)");
    ASSERT_STR_NOT_CONTAINS(r.out, "s3cretrole");
    RUN(1, "state", "show", "aws_iam_role_policy.u");
    ASSERT_STR_EQ(r.err,
                  "Error: Multiple instances found for the given pattern\n"
                  "\n"
                  "aws_iam_role_policy.u matches 2 instances. This command "
                  "requires that the address references one specific instance; "
                  "use \"tern state list aws_iam_role_policy.u\" to see them.\n"
                  "\n");
    RUN(1, "state", "show", "aws_iam_role_policy.nope");
    ASSERT_STR_EQ(
        r.err,
        "Error: No instance found for the given address\n"
        "\n"
        "This command requires that the address references one specific "
        "instance. To view the available instances, use \"tern state list\".\n"
        "\n");
    tt_run_release(&r);
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

TEST(cli_state, rm_and_mv)
{
    pushed();
    RUN(1, "state", "rm", "aws_iam_role_policy.u[0]", "aws_iam_role.nope");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid target address\n"
                  "\n"
                  "No matching objects found for aws_iam_role.nope. To view "
                  "the available instances, use \"tern state list\".\n"
                  "\n");
    RUN(0, "state", "list", "aws_iam_role_policy.u");
    ASSERT_STR_EQ(r.out,
                  "aws_iam_role_policy.u[0]\naws_iam_role_policy.u[1]\n");

    RUN(0, "state", "rm", "-dry-run", "aws_iam_role_policy.u");
    ASSERT_STR_CONTAINS(r.out, "Would remove aws_iam_role_policy.u[0]\n");
    RUN(0, "state", "rm", "aws_iam_role_policy.u[0]");
    ASSERT_STR_EQ(r.out, "Removed aws_iam_role_policy.u[0]\n"
                         "Successfully removed 1 resource instance(s).\n");
    RUN(0, "state", "list", "aws_iam_role_policy.u");
    ASSERT_STR_EQ(r.out, "aws_iam_role_policy.u[1]\n");

    RUN(0, "state", "mv", "aws_iam_role.deploy", "aws_iam_role.ci");
    ASSERT_STR_EQ(r.out, "Move \"aws_iam_role.deploy\" to "
                         "\"aws_iam_role.ci\"\n"
                         "Successfully moved 1 object(s).\n");
    RUN(0, "state", "mv", "aws_iam_role_policy.u",
        "module.users.aws_iam_role_policy.v");
    ASSERT_STR_CONTAINS(r.out, "to \"module.users.aws_iam_role_policy.v[1]\"");
    RUN(0, "state", "mv", "module.net", "module.network");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.ci\n"
                         "module.network.aws_iam_role_policy_attachment.b\n"
                         "module.users.aws_iam_role_policy.v[1]\n");
    RUN(0, "state", "show", "aws_iam_role.ci");
    ASSERT_STR_CONTAINS(r.out, "name               = \"deploy\"");

    RUN(1, "state", "mv", "aws_iam_role.ci", "aws_iam_role_policy.ci");
    ASSERT_STR_EQ(r.err,
                  "Error: Invalid state move request\n"
                  "\n"
                  "Cannot move aws_iam_role.ci to aws_iam_role_policy.ci: a "
                  "resource moves only to an address of the same type (and a "
                  "module to a module).\n"
                  "\n");
    RUN(1, "state", "mv", "aws_iam_role.gone", "aws_iam_role.x");
    ASSERT_STR_EQ(r.err, "Error: Invalid source address\n"
                         "\n"
                         "Cannot move aws_iam_role.gone: it does not match "
                         "anything in the current state.\n"
                         "\n");
    RUN(0, "state", "mv", "module.users.aws_iam_role_policy.v[1]",
        "aws_iam_role_policy.w");
    RUN(1, "state", "mv", "aws_iam_role_policy.w", "aws_iam_role.ci");
    tt_run_release(&r);
}

/* The state's serial, from `state pull`. */
static long long pulled_serial(void)
{
    json_t *doc;
    long long serial;

    RUN(0, "state", "pull");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    serial = json_integer_value(json_object_get(doc, "serial"));
    json_decref(doc);
    return serial;
}

/* `state rm` of several instances and `state mv` of a resource with
 * several instances are one change each: the serial goes up by one. */
TEST(cli_state, rm_and_mv_are_one_change)
{
    json_t *doc;
    size_t i, at_serial = 0;

    pushed();
    ASSERT_EQ(pulled_serial(), 7);
    RUN(0, "state", "mv", "aws_iam_role_policy.u", "aws_iam_role_policy.v");
    ASSERT_STR_EQ(r.out, "Move \"aws_iam_role_policy.u[0]\" to "
                         "\"aws_iam_role_policy.v[0]\"\n"
                         "Move \"aws_iam_role_policy.u[1]\" to "
                         "\"aws_iam_role_policy.v[1]\"\n"
                         "Successfully moved 2 object(s).\n");
    ASSERT_EQ(pulled_serial(), 8);
    RUN(0, "state", "rm", "aws_iam_role_policy.v", "aws_iam_role.deploy");
    ASSERT_STR_EQ(r.out, "Removed aws_iam_role.deploy\n"
                         "Removed aws_iam_role_policy.v[0]\n"
                         "Removed aws_iam_role_policy.v[1]\n"
                         "Successfully removed 3 resource instance(s).\n");
    ASSERT_EQ(pulled_serial(), 9);
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "module.net.aws_iam_role_policy_attachment.b\n");
    /* The history has all three removals under serial 9. */
    RUN(0, "state", "history", "-json");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    for (i = 0; i < json_array_size(doc); i++)
        at_serial += json_integer_value(json_object_get(json_array_get(doc, i),
                                                        "serial")) == 9;
    ASSERT_EQ(at_serial, 3);
    json_decref(doc);
    /* A dry run changes nothing. */
    RUN(0, "state", "mv", "-dry-run", "module.net", "module.network");
    ASSERT_STR_CONTAINS(r.out, "Would move");
    ASSERT_EQ(pulled_serial(), 9);
    tt_run_release(&r);
}

TEST(cli_state, pull_serials_and_history)
{
    json_t *doc;

    pushed();
    RUN(0, "state", "pull");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "version")), 4);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "serial")), 7);
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "lineage")),
                  "3f0c2a4e-1111-2222-3333-444455556666");
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 3);
    json_decref(doc);

    RUN(0, "state", "rm", "module.net");
    RUN(0, "state", "pull");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "serial")), 8);
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 2);
    json_decref(doc);

    RUN(0, "state", "pull", "-serial=7");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 3);
    json_decref(doc);
    RUN(1, "state", "pull", "-serial=99");
    ASSERT_STR_EQ(
        r.err,
        "Error: No such serial\n"
        "\n"
        "The state tern.tfstate.db is at serial 8; there is no serial 99.\n"
        "\n");

    RUN(0, "state", "history");
    ASSERT_STR_CONTAINS(r.out, "SERIAL  TIME");
    ASSERT_STR_CONTAINS(r.out, "state push      + aws_iam_role.deploy\n");
    ASSERT_STR_CONTAINS(r.out, "state push      + output.db_password\n");
    ASSERT_STR_CONTAINS(r.out, "     8  ");
    ASSERT_STR_CONTAINS(
        r.out, "state rm        - module.net.aws_iam_role_policy_attachment.b");
    RUN(0, "state", "history", "-json");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_array_get(doc, json_array_size(doc) - 1), "action")),
                  "delete");
    json_decref(doc);
    tt_run_release(&r);
}

TEST(cli_state, push_refusals)
{
    char *other = NULL, *older = NULL;
    const char *p;

    pushed();
    RUN(0, "state", "rm", "module.net"); /* serial 8 */
    /* Another lineage. */
    other = strdup(tfstate);
    p = strstr(other, "3f0c2a4e");
    ASSERT_NOT_NULL(p);
    memcpy(other + (p - other), "99999999", 8);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "other.json", other));
    RUN(1, "state", "push", "other.json");
    ASSERT_STR_CONTAINS(r.err, "Different lineage");
    /* An older serial (7 < 8). */
    RUN(1, "state", "push", "tf.json");
    ASSERT_STR_EQ(
        r.err, "Error: Older serial\n"
               "\n"
               "The document's serial 7 is lower than the state's 8: it is "
               "older than what is stored, and pushing it would lose changes. "
               "Nothing was changed; force the push to do it anyway.\n"
               "\n");
    RUN(0, "state", "list");
    ASSERT_STR_NOT_CONTAINS(r.out, "aws_iam_role_policy_attachment");
    /* -force does it. */
    RUN(0, "state", "push", "-force", "tf.json");
    RUN(0, "state", "list");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role_policy_attachment");
    /* Not a state file. */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "bad.json", "{\"version\":3}"));
    RUN(1, "state", "push", "bad.json");
    ASSERT_STR_EQ(r.err, "Error: Unsupported state file format\n"
                         "\n"
                         "bad.json is not a Terraform state file of format "
                         "version 4 (Terraform 0.12 and later).\n"
                         "\n");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "bad.json", "nope"));
    RUN(1, "state", "push", "bad.json");
    ASSERT_STR_EQ(r.err, "Error: Failed to read state file\n"
                         "\n"
                         "Reading bad.json: '[' or '{' expected near 'nope' "
                         "(line 1, column 4).\n"
                         "\n");
    /* From standard input. */
    older = strdup(tfstate);
    memcpy(strstr(older, "\"serial\":7"), "\"serial\":9", 10);
    {
        const char *args[] = {"state", "push", "-", NULL};

        run_at(tern_test_tmpdir(), 0, older, args);
    }
    RUN(0, "state", "pull");
    ASSERT_STR_CONTAINS(r.out, "\"serial\": 10");
    free(other);
    free(older);
    tt_run_release(&r);
}

TEST(cli_state, migrate)
{
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "terraform.tfstate", tfstate));
    RUN(0, "state", "migrate", "terraform.tfstate");
    ASSERT_STR_EQ(r.out, "Migrated 4 resource instance(s) and 2 output(s) "
                         "from terraform.tfstate into tern.tfstate.db.\n");
    RUN(0, "output", "role_arn");
    ASSERT_STR_EQ(r.out, "\"arn:aws:iam::123456789012:role/deploy\"\n");
    /* The store keeps its own lineage. */
    RUN(0, "state", "pull");
    ASSERT_STR_NOT_CONTAINS(r.out, "3f0c2a4e-1111");
    RUN(1, "state", "migrate", "missing.tfstate");
    ASSERT_STR_EQ(r.err, "Error: Failed to read state file\n"
                         "\n"
                         "Reading missing.tfstate: No such file or directory.\n"
                         "\n");
    tt_run_release(&r);
}

/* What push refuses (types tern does not have), migrate leaves out, and
 * lists: they stay in the Terraform state. */
TEST(cli_state, migrate_skips_types_tern_does_not_have)
{
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "terraform.tfstate", foreign));
    RUN(0, "state", "migrate", "terraform.tfstate");
    ASSERT_STR_EQ(r.out, "Migrated 1 resource instance(s) and 0 output(s) "
                         "from terraform.tfstate into tern.tfstate.db.\n"
                         "\n"
                         "Skipped 5 resource instance(s) of types tern does "
                         "not manage; they stay in the Terraform state:\n"
                         "  - aws_s3_bucket.logs\n"
                         "  - data.aws_vpc.main\n"
                         "  - module.net.aws_s3_bucket.b[\"a\"]\n"
                         "  - module.net.aws_s3_bucket.b[\"b\"]\n"
                         "  - aws_sqs_queue.q[0]\n");
    ASSERT_STR_EQ(r.err, "");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.deploy\n");
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

TEST(cli_state, output_and_show)
{
    json_t *doc;

    pushed();
    RUN(0, "output");
    ASSERT_STR_EQ(r.out, "db_password = <sensitive>\n"
                         "role_arn = \"arn:aws:iam::123456789012:role/"
                         "deploy\"\n");
    RUN(0, "output", "db_password");
    ASSERT_STR_EQ(r.out, "\"hunter2hunter2\"\n");
    RUN(0, "output", "-raw", "role_arn");
    ASSERT_STR_EQ(r.out, "arn:aws:iam::123456789012:role/deploy");
    RUN(0, "output", "-json");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    ASSERT_TRUE(json_is_true(
        json_object_get(json_object_get(doc, "db_password"), "sensitive")));
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_object_get(doc, "role_arn"), "type")),
                  "string");
    json_decref(doc);
    RUN(1, "output", "nope");
    ASSERT_STR_EQ(
        r.err, "Error: Output not found\n"
               "\n"
               "The output variable requested could not be found in the state "
               "file. If you recently added this to your configuration, be "
               "sure to run `tern apply`, since the state won't be updated "
               "with new output variables until that command is run.\n"
               "\n");

    RUN(0, "show");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.deploy:\n");
    ASSERT_STR_CONTAINS(r.out,
                        "# module.net.aws_iam_role_policy_attachment.b:\n");
    ASSERT_STR_CONTAINS(r.out, "Outputs:\n\ndb_password = (sensitive value)\n");
    ASSERT_STR_NOT_CONTAINS(r.out, "hunter2");
    ASSERT_STR_NOT_CONTAINS(r.out, "s3cretrole");
    RUN(0, "show", "-json");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    ASSERT_EQ(
        json_array_size(json_object_get(
            json_object_get(json_object_get(doc, "values"), "root_module"),
            "resources")),
        3);
    json_decref(doc);
    /* -state and a state path argument. */
    RUN(0, "state", "list", "-state=tern.tfstate.db");
    ASSERT_STR_CONTAINS(r.out, "aws_iam_role.deploy");
    RUN(1, "state", "list", "-state=elsewhere.db");
    ASSERT_STR_EQ(
        r.err,
        "Error: No state file was found!\n"
        "\n"
        "State management commands require a state file. There is none at "
        "elsewhere.db: run this command in a directory where tern has been "
        "run, or use the -state flag to point it at a state database.\n"
        "\n");
    RUN(0, "show", "tern.tfstate.db");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.deploy:\n");
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
    TEST_INTEGRATION(cli_state, no_state),
    TEST_INTEGRATION(cli_state, push_list_show),
    TEST_INTEGRATION(cli_state, intent_warning_on_stderr),
    TEST_INTEGRATION(cli_state, rm_and_mv),
    TEST_INTEGRATION(cli_state, rm_and_mv_are_one_change),
    TEST_INTEGRATION(cli_state, pull_serials_and_history),
    TEST_INTEGRATION(cli_state, push_refusals),
    TEST_INTEGRATION(cli_state, migrate),
    TEST_INTEGRATION(cli_state, migrate_skips_types_tern_does_not_have),
    TEST_INTEGRATION(cli_state, push_refuses_types_tern_does_not_have),
    TEST_INTEGRATION(cli_state, lock_contention),
    TEST_INTEGRATION(cli_state, output_and_show),
    TEST_INTEGRATION(cli_state, backend_path),
    TEST_END};
