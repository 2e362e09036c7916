/*
 * The state commands, run through the built binary in a temporary
 * directory: push, list, show, rm, mv, pull (and -serial), history,
 * migrate, the lock (contention message, -lock-timeout, -lock=false,
 * force-unlock), output and show.
 */
#include "runner.h"

#include "run_tern.h"
#include "tern/module.h"
#include "tern/state.h"

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
    "{\"mode\":\"managed\",\"type\":\"aws_iam_user\",\"name\":\"u\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\","
    "\"instances\":["
    "{\"index_key\":0,\"schema_version\":0,\"attributes\":{\"id\":\"u0\","
    "\"name\":\"u0\",\"password\":\"s3cretpassword\"},"
    "\"sensitive_attributes\":[[{\"type\":\"get_attr\","
    "\"value\":\"password\"}]]},"
    "{\"index_key\":1,\"schema_version\":0,\"attributes\":{\"id\":\"u1\","
    "\"name\":\"u1\"},\"sensitive_attributes\":[]}]},"
    "{\"module\":\"module.net\",\"mode\":\"managed\","
    "\"type\":\"google_storage_bucket\",\"name\":\"b\","
    "\"provider\":\"provider[\\\"registry.terraform.io/hashicorp/google\\\"]"
    "\",\"instances\":[{\"schema_version\":0,\"attributes\":{\"id\":\"b\"},"
    "\"sensitive_attributes\":[]}]}]}";

static struct tt_run r;

/* Run tern in the test's directory; fails unless it exits @status. */
static void run_in(const char *dir, int status, const char *input,
                   const char *const *args)
{
    tt_run_release(&r);
    if (tt_run_tern(&r, dir, input, args) != 0)
        FAIL("could not run tern");
    if (r.status != status)
        FAIL("tern %s %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s",
             args[0], args[1] ? args[1] : "", r.status, status, r.out, r.err);
}

#define RUN(status, ...)                                                       \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in(tern_test_tmpdir(), (status), NULL, args_);                     \
    } while (0)

static void pushed(void)
{
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "tf.json", tfstate));
    RUN(0, "state", "push", "tf.json");
    ASSERT_STR_EQ(r.out, "");
}

TEST(cli_state, no_state)
{
    RUN(1, "state", "list");
    ASSERT_STR_CONTAINS(r.err, "No state file was found!");
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
                         "aws_iam_user.u[0]\n"
                         "aws_iam_user.u[1]\n"
                         "module.net.google_storage_bucket.b\n");
    RUN(0, "state", "list", "aws_iam_user.u", "module.net");
    ASSERT_STR_EQ(r.out, "aws_iam_user.u[0]\n"
                         "aws_iam_user.u[1]\n"
                         "module.net.google_storage_bucket.b\n");
    RUN(0, "state", "list", "-id=u1");
    ASSERT_STR_EQ(r.out, "aws_iam_user.u[1]\n");
    RUN(1, "state", "list", "not an address");
    ASSERT_STR_CONTAINS(r.err, "Invalid address");

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
    RUN(0, "state", "show", "aws_iam_user.u[0]");
    ASSERT_STR_CONTAINS(r.out, "password = (sensitive value)");
    ASSERT_STR_NOT_CONTAINS(r.out, "s3cretpassword");
    RUN(1, "state", "show", "aws_iam_user.u");
    ASSERT_STR_CONTAINS(r.err, "Multiple instances found");
    RUN(1, "state", "show", "aws_iam_user.nope");
    ASSERT_STR_CONTAINS(r.err, "No instance found for the given address");
    tt_run_release(&r);
}

TEST(cli_state, rm_and_mv)
{
    pushed();
    RUN(1, "state", "rm", "aws_iam_user.u[0]", "aws_iam_role.nope");
    ASSERT_STR_CONTAINS(r.err, "No matching objects found for "
                               "aws_iam_role.nope");
    RUN(0, "state", "list", "aws_iam_user.u");
    ASSERT_STR_EQ(r.out, "aws_iam_user.u[0]\naws_iam_user.u[1]\n");

    RUN(0, "state", "rm", "-dry-run", "aws_iam_user.u");
    ASSERT_STR_CONTAINS(r.out, "Would remove aws_iam_user.u[0]\n");
    RUN(0, "state", "rm", "aws_iam_user.u[0]");
    ASSERT_STR_EQ(r.out, "Removed aws_iam_user.u[0]\n"
                         "Successfully removed 1 resource instance(s).\n");
    RUN(0, "state", "list", "aws_iam_user.u");
    ASSERT_STR_EQ(r.out, "aws_iam_user.u[1]\n");

    RUN(0, "state", "mv", "aws_iam_role.deploy", "aws_iam_role.ci");
    ASSERT_STR_EQ(r.out, "Move \"aws_iam_role.deploy\" to "
                         "\"aws_iam_role.ci\"\n"
                         "Successfully moved 1 object(s).\n");
    RUN(0, "state", "mv", "aws_iam_user.u", "module.users.aws_iam_user.v");
    ASSERT_STR_CONTAINS(r.out, "to \"module.users.aws_iam_user.v[1]\"");
    RUN(0, "state", "mv", "module.net", "module.network");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "aws_iam_role.ci\n"
                         "module.network.google_storage_bucket.b\n"
                         "module.users.aws_iam_user.v[1]\n");
    RUN(0, "state", "show", "aws_iam_role.ci");
    ASSERT_STR_CONTAINS(r.out, "name               = \"deploy\"");

    RUN(1, "state", "mv", "aws_iam_role.ci", "aws_iam_user.ci");
    ASSERT_STR_CONTAINS(r.err, "Invalid state move request");
    RUN(1, "state", "mv", "aws_iam_role.gone", "aws_iam_role.x");
    ASSERT_STR_CONTAINS(r.err, "does not match anything");
    RUN(0, "state", "mv", "module.users.aws_iam_user.v[1]", "aws_iam_user.w");
    RUN(1, "state", "mv", "aws_iam_user.w", "aws_iam_role.ci");
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
    RUN(0, "state", "mv", "aws_iam_user.u", "aws_iam_user.v");
    ASSERT_STR_EQ(r.out, "Move \"aws_iam_user.u[0]\" to \"aws_iam_user.v[0]\"\n"
                         "Move \"aws_iam_user.u[1]\" to \"aws_iam_user.v[1]\"\n"
                         "Successfully moved 2 object(s).\n");
    ASSERT_EQ(pulled_serial(), 8);
    RUN(0, "state", "rm", "aws_iam_user.v", "aws_iam_role.deploy");
    ASSERT_STR_EQ(r.out, "Removed aws_iam_role.deploy\n"
                         "Removed aws_iam_user.v[0]\n"
                         "Removed aws_iam_user.v[1]\n"
                         "Successfully removed 3 resource instance(s).\n");
    ASSERT_EQ(pulled_serial(), 9);
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "module.net.google_storage_bucket.b\n");
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
    ASSERT_STR_CONTAINS(r.err, "serial 99 is newer");

    RUN(0, "state", "history");
    ASSERT_STR_CONTAINS(r.out, "SERIAL  TIME");
    ASSERT_STR_CONTAINS(r.out, "state push      + aws_iam_role.deploy\n");
    ASSERT_STR_CONTAINS(r.out, "state push      + output.db_password\n");
    ASSERT_STR_CONTAINS(r.out, "     8  ");
    ASSERT_STR_CONTAINS(r.out,
                        "state rm        - module.net.google_storage_bucket.b");
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
    ASSERT_STR_CONTAINS(r.err, "Older serial");
    RUN(0, "state", "list");
    ASSERT_STR_NOT_CONTAINS(r.out, "google_storage_bucket");
    /* -force does it. */
    RUN(0, "state", "push", "-force", "tf.json");
    RUN(0, "state", "list");
    ASSERT_STR_CONTAINS(r.out, "google_storage_bucket");
    /* Not a state file. */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "bad.json", "{\"version\":3}"));
    RUN(1, "state", "push", "bad.json");
    ASSERT_STR_CONTAINS(r.err, "format version 4");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "bad.json", "nope"));
    RUN(1, "state", "push", "bad.json");
    ASSERT_STR_CONTAINS(r.err, "Failed to read state file");
    /* From standard input. */
    older = strdup(tfstate);
    memcpy(strstr(older, "\"serial\":7"), "\"serial\":9", 10);
    {
        const char *args[] = {"state", "push", "-", NULL};

        run_in(tern_test_tmpdir(), 0, older, args);
    }
    RUN(0, "state", "pull");
    ASSERT_STR_CONTAINS(r.out, "\"serial\": 10");
    free(other);
    free(older);
    tt_run_release(&r);
}

TEST(cli_state, migrate)
{
    int role_supported =
        tern_module_find(TERN_MODULE_RESOURCE, "aws_iam_role") != NULL;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "terraform.tfstate", tfstate));
    RUN(0, "state", "migrate", "terraform.tfstate");
    ASSERT_STR_CONTAINS(r.out, "output(s) from terraform.tfstate into "
                               "tern.tfstate.db.");
    ASSERT_STR_CONTAINS(r.out, "  - module.net.google_storage_bucket.b\n");
    if (role_supported)
        ASSERT_STR_NOT_CONTAINS(r.out, "  - aws_iam_role.deploy\n");
    else
        ASSERT_STR_CONTAINS(r.out, "  - aws_iam_role.deploy\n");
    RUN(0, "state", "list");
    ASSERT_STR_NOT_CONTAINS(r.out, "google_storage_bucket");
    RUN(0, "output", "role_arn");
    ASSERT_STR_EQ(r.out, "\"arn:aws:iam::123456789012:role/deploy\"\n");
    /* The store keeps its own lineage. */
    RUN(0, "state", "pull");
    ASSERT_STR_NOT_CONTAINS(r.out, "3f0c2a4e-1111");
    RUN(1, "state", "migrate", "missing.tfstate");
    ASSERT_STR_CONTAINS(r.err, "Failed to read state file");
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

    RUN(1, "state", "rm", "aws_iam_user.u[0]");
    ASSERT_STR_CONTAINS(r.err, "Error acquiring the state lock");
    ASSERT_STR_CONTAINS(r.err, "Operation: apply");
    ASSERT_STR_CONTAINS(r.err, "Who:");
    ASSERT_STR_CONTAINS(r.err, "Since:");
    ASSERT_STR_CONTAINS(r.err, "ID:");

    clock_gettime(CLOCK_MONOTONIC, &t0);
    RUN(1, "state", "rm", "-lock-timeout=400ms", "aws_iam_user.u[0]");
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
    ASSERT_STR_CONTAINS(r.out, "aws_iam_user.u[0]");

    /* force-unlock cannot break a live holder's lock. */
    ASSERT_OK(tern_state_lock_info(path, &info, &d));
    ASSERT_NOT_NULL(info);
    id = strdup(json_string_value(json_object_get(info, "ID")));
    json_decref(info);
    RUN(1, "force-unlock", id);
    ASSERT_STR_CONTAINS(r.err, "Confirmation required");
    RUN(1, "force-unlock", "-force", id);
    ASSERT_STR_CONTAINS(r.err, "The lock is held");
    RUN(1, "force-unlock", "-force", "not-the-id");
    ASSERT_STR_CONTAINS(r.err, "No such lock");

    /* A waiting writer gets the lock once the holder lets go. */
    tern_state_free(st);
    RUN(0, "state", "rm", "-lock-timeout=2s", "aws_iam_user.u[0]");
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
    ASSERT_STR_CONTAINS(r.err, "Output not found");

    RUN(0, "show");
    ASSERT_STR_CONTAINS(r.out, "# aws_iam_role.deploy:\n");
    ASSERT_STR_CONTAINS(r.out, "# module.net.google_storage_bucket.b:\n");
    ASSERT_STR_CONTAINS(r.out, "Outputs:\n\ndb_password = (sensitive value)\n");
    ASSERT_STR_NOT_CONTAINS(r.out, "hunter2");
    ASSERT_STR_NOT_CONTAINS(r.out, "s3cretpassword");
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
    ASSERT_STR_CONTAINS(r.err, "elsewhere.db");
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
    ASSERT_STR_CONTAINS(r.err, "Error: Unsupported backend type");
    ASSERT_STR_CONTAINS(r.err, "on main.tf line 2, in terraform:");
    ASSERT_STR_CONTAINS(r.err, "backend \"gcs\" is not supported");
    tt_run_release(&r);
}

const struct tern_test test_cli_state_list[] = {
    TEST_INTEGRATION(cli_state, no_state),
    TEST_INTEGRATION(cli_state, push_list_show),
    TEST_INTEGRATION(cli_state, rm_and_mv),
    TEST_INTEGRATION(cli_state, rm_and_mv_are_one_change),
    TEST_INTEGRATION(cli_state, pull_serials_and_history),
    TEST_INTEGRATION(cli_state, push_refusals),
    TEST_INTEGRATION(cli_state, migrate),
    TEST_INTEGRATION(cli_state, lock_contention),
    TEST_INTEGRATION(cli_state, output_and_show),
    TEST_INTEGRATION(cli_state, backend_path),
    TEST_END};
