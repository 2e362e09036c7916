/*
 * data "terraform_remote_state" through the built tern binary against
 * tern-sim: stack A keeps its state in S3 with outputs of each kind
 * (string, list, map, sensitive); stack B reads them with the s3 backend
 * and uses them in a resource, and with the local backend from a v4 JSON
 * file and from tern's own state store; a missing object; a workspace;
 * defaults; and a sensitive output that stays sensitive.
 */
#include "runner.h"
#include "support.h"
#include "run_tern.h"
#include "test_mod.h"

#include "backend/s3.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern const tern_module tern_module_data_terraform_remote_state;

#define LOAD "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]}}"

#define STACK_A                                                                \
    "terraform {\n"                                                            \
    "  backend \"s3\" {\n"                                                     \
    "    bucket = \"tfstate\"\n"                                               \
    "    key    = \"a/terraform.tfstate\"\n"                                   \
    "    region = \"us-east-1\"\n"                                             \
    "  }\n"                                                                    \
    "}\n"                                                                      \
    "output \"name\" {\n"                                                      \
    "  value = \"deploy\"\n"                                                   \
    "}\n"                                                                      \
    "output \"subnets\" {\n"                                                   \
    "  value = [\"subnet-a\", \"subnet-b\"]\n"                                 \
    "}\n"                                                                      \
    "output \"tags\" {\n"                                                      \
    "  value = { env = \"prod\", team = \"data\" }\n"                          \
    "}\n"                                                                      \
    "output \"token\" {\n"                                                     \
    "  value     = \"s3cr3t-token\"\n"                                         \
    "  sensitive = true\n"                                                     \
    "}\n"

/* Stack B's use of the outputs: a resource, and outputs of what it saw. */
#define USE_A                                                                  \
    "resource \"random_id\" \"x\" {\n"                                         \
    "  byte_length = 2\n"                                                      \
    "  keepers = {\n"                                                          \
    "    name   = data.terraform_remote_state.a.outputs.name\n"                \
    "    subnet = data.terraform_remote_state.a.outputs.subnets[1]\n"          \
    "    env    = data.terraform_remote_state.a.outputs.tags.env\n"            \
    "  }\n"                                                                    \
    "}\n"                                                                      \
    "output \"keepers\" {\n"                                                   \
    "  value = random_id.x.keepers\n"                                          \
    "}\n"                                                                      \
    "output \"token\" {\n"                                                     \
    "  value     = data.terraform_remote_state.a.outputs.token\n"              \
    "  sensitive = true\n"                                                     \
    "}\n"

#define KEEPERS_OUT                                                            \
    "keepers = {\n"                                                            \
    "  \"env\"    = \"prod\"\n"                                                \
    "  \"name\"   = \"deploy\"\n"                                              \
    "  \"subnet\" = \"subnet-b\"\n"                                            \
    "}\n"                                                                      \
    "token = <sensitive>\n"

#define NO_STATE                                                               \
    "Error: Failed to read data source\n\n"                                    \
    "  on main.tf line 1, in data \"terraform_remote_state\" \"a\":\n"         \
    "   1: data \"terraform_remote_state\" \"a\" {\n"                          \
    "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\n"                              \
    "Reading data.terraform_remote_state.a: Unable to find remote state\n\n"   \
    "Error: Unable to find remote state\n\n"                                   \
    "No stored state was found for the given workspace in the given "          \
    "backend.\n\n"

static struct tt_sim sim;
static struct tt_sim_env sim_env;
static struct tt_run r;

static void start(void)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&sim_env, &sim);
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "load", LOAD));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
}

/* A fresh directory under the test's tmpdir holding main.tf. */
static const char *dir_with(const char *name, const char *config)
{
    static char dirs[4][4200];
    static int next;
    char *d = dirs[next++ % 4];

    snprintf(d, 4200, "%s/%s", tern_test_tmpdir(), name);
    if (mkdir(d, 0700) != 0 && errno != EEXIST)
        FAIL("mkdir %s: %s", d, strerror(errno));
    ASSERT_OK(tt_write_file(d, "main.tf", config));
    return d;
}

static void run_in(const char *dir, int status, const char *const *args)
{
    char *why = tt_run_expect(&r, dir, sim_env.env, args, status);

    if (why)
        FAIL("%s", why);
}

#define RUN(dir, status, ...)                                                  \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((dir), (status), args_);                                        \
    } while (0)

/* The data source reading stack A's object through the sim's endpoint,
 * with @extra (arguments) inside the block. */
static char *data_s3(const char *key, const char *extra)
{
    char *s = NULL;

    if (asprintf(&s,
                 "data \"terraform_remote_state\" \"a\" {\n"
                 "  backend = \"s3\"\n"
                 "  config = {\n"
                 "    bucket    = \"tfstate\"\n"
                 "    key       = \"%s\"\n"
                 "    region    = \"us-east-1\"\n"
                 "    endpoints = { s3 = \"%s\" }\n"
                 "    use_path_style              = true\n"
                 "    skip_credentials_validation = true\n"
                 "  }\n"
                 "%s"
                 "}\n",
                 key, sim.base_url, extra) < 0)
        FAIL("asprintf");
    return s;
}

static void apply_stack_a(void)
{
    const char *a = dir_with("a", STACK_A);

    RUN(a, 0, "init", "-no-color");
    RUN(a, 0, "apply", "-auto-approve", "-no-color");
}

static char *concat(const char *x, const char *y)
{
    char *s = NULL;

    if (asprintf(&s, "%s%s", x, y) < 0)
        FAIL("asprintf");
    return s;
}

/* Stack B reads A's outputs from S3 and uses them in a resource; the
 * sensitive one stays sensitive (an output of it must say so) and keeps
 * its value. */
TEST(remote_state, s3_outputs)
{
    char *data, *cfg, *leak;
    const char *b;

    start();
    apply_stack_a();
    data = data_s3("a/terraform.tfstate", "");
    cfg = concat(data, USE_A);
    b = dir_with("b", cfg);
    RUN(b, 0, "init", "-no-color");
    RUN(b, 0, "apply", "-auto-approve", "-no-color");
    RUN(b, 0, "output", "-no-color");
    ASSERT_STR_EQ(r.out, KEEPERS_OUT);
    RUN(b, 0, "output", "-raw", "token");
    ASSERT_STR_EQ(r.out, "s3cr3t-token");
    RUN(b, 0, "plan", "-detailed-exitcode", "-no-color");

    leak =
        concat(data, "output \"token\" {\n"
                     "  value = data.terraform_remote_state.a.outputs.token\n"
                     "}\n");
    b = dir_with("leak", leak);
    RUN(b, 1, "plan", "-no-color");
    ASSERT_STR_EQ(
        r.err, "Error: Output refers to sensitive values\n\n"
               "  on main.tf line 13, in output \"token\":\n"
               "  13:   value = data.terraform_remote_state.a.outputs.token\n"
               "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
               "\n"
               "To reduce the risk of accidentally exporting sensitive "
               "data, output \"token\" must set sensitive = true.\n\n");
    free(leak);
    free(cfg);
    free(data);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* The local backend: a Terraform v4 JSON file (A's state pulled), and
 * tern's own state store. */
TEST(remote_state, local_backend)
{
    char path[4400], *cfg;
    const char *a, *b, *c;

    start();
    apply_stack_a();
    a = dir_with("a", STACK_A);
    RUN(a, 0, "state", "pull");
    snprintf(path, sizeof(path), "%s/a.tfstate", tern_test_tmpdir());
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "a.tfstate", r.out));
    if (asprintf(&cfg,
                 "data \"terraform_remote_state\" \"a\" {\n"
                 "  backend = \"local\"\n"
                 "  config = {\n"
                 "    path = \"%s\"\n"
                 "  }\n"
                 "}\n" USE_A,
                 path) < 0)
        FAIL("asprintf");
    b = dir_with("b", cfg);
    free(cfg);
    RUN(b, 0, "init", "-no-color");
    RUN(b, 0, "apply", "-auto-approve", "-no-color");
    RUN(b, 0, "output", "-no-color");
    ASSERT_STR_EQ(r.out, KEEPERS_OUT);

    /* Stack A's outputs in a local tern.tfstate.db, read by C. */
    c = dir_with("c", &STACK_A[strlen("terraform {\n  backend \"s3\" {\n"
                                      "    bucket = \"tfstate\"\n"
                                      "    key    = \"a/terraform.tfstate\"\n"
                                      "    region = \"us-east-1\"\n  }\n}\n")]);
    RUN(c, 0, "apply", "-auto-approve", "-no-color");
    snprintf(path, sizeof(path), "%s/tern.tfstate.db", c);
    if (asprintf(&cfg,
                 "data \"terraform_remote_state\" \"a\" {\n"
                 "  backend = \"local\"\n"
                 "  config = {\n"
                 "    path = \"%s\"\n"
                 "  }\n"
                 "}\n" USE_A,
                 path) < 0)
        FAIL("asprintf");
    b = dir_with("d", cfg);
    free(cfg);
    RUN(b, 0, "apply", "-auto-approve", "-no-color");
    RUN(b, 0, "output", "-no-color");
    ASSERT_STR_EQ(r.out, KEEPERS_OUT);
    RUN(b, 0, "output", "-raw", "token");
    ASSERT_STR_EQ(r.out, "s3cr3t-token");

    /* No file: no state. */
    b = dir_with("e", "data \"terraform_remote_state\" \"a\" {\n"
                      "  backend = \"local\"\n"
                      "}\n");
    RUN(b, 1, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, NO_STATE);

    /* A file that is not a state. */
    b = dir_with("f", "data \"terraform_remote_state\" \"a\" {\n"
                      "  backend = \"local\"\n"
                      "}\n");
    ASSERT_OK(tt_write_file(b, "terraform.tfstate", "not a state\n"));
    RUN(b, 1, "plan", "-no-color");
    ASSERT_STR_EQ(
        r.err,
        "Error: Failed to read data source\n\n"
        "  on main.tf line 1, in data \"terraform_remote_state\" \"a\":\n"
        "   1: data \"terraform_remote_state\" \"a\" {\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\n"
        "Reading data.terraform_remote_state.a: Error loading state error\n\n"
        "Error: Error loading state error\n\n"
        "error loading the remote state: terraform.tfstate:1:3: '[' or '{' "
        "expected near 'not'\n\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* The provider's schema in providers schema -json: any-value attributes
 * are "dynamic", and the built-in address names its own host. */
TEST(remote_state, provider_schema)
{
    const char *d = dir_with("s", "");
    json_t *doc;
    char *got;

    RUN(d, 0, "providers", "schema", "-json");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    got = json_dumps(json_object_get(json_object_get(doc, "provider_schemas"),
                                     "terraform.io/builtin/terraform"),
                     JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_NOT_NULL(got);
    ASSERT_STR_EQ(
        got, "{\"data_source_schemas\":{\"terraform_remote_state\":{\"block\":{"
             "\"attributes\":{"
             "\"backend\":{\"description_kind\":\"plain\",\"required\":true,"
             "\"type\":\"string\"},"
             "\"config\":{\"description_kind\":\"plain\",\"optional\":true,"
             "\"type\":\"dynamic\"},"
             "\"defaults\":{\"description_kind\":\"plain\",\"optional\":true,"
             "\"type\":\"dynamic\"},"
             "\"outputs\":{\"computed\":true,\"description_kind\":\"plain\","
             "\"type\":\"dynamic\"},"
             "\"workspace\":{\"description_kind\":\"plain\",\"optional\":true,"
             "\"type\":\"string\"}},"
             "\"description_kind\":\"plain\"},\"version\":0}},"
             "\"provider\":{\"block\":{\"description_kind\":\"plain\"},"
             "\"version\":0}}");
    free(got); /* allocated by jansson */
    json_decref(doc);
    tt_run_release(&r);
}

/* No object at the key: Terraform's error. */
TEST(remote_state, missing_object)
{
    char *cfg;
    const char *b;

    start();
    cfg = data_s3("nothing/terraform.tfstate", "");
    b = dir_with("b", cfg);
    free(cfg);
    RUN(b, 1, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, NO_STATE);

    /* What the backend does not take, and a backend tern does not have. */
    b = dir_with("c", "data \"terraform_remote_state\" \"a\" {\n"
                      "  backend = \"s3\"\n"
                      "  config  = { bucket_name = \"tfstate\" }\n"
                      "}\n"
                      "data \"terraform_remote_state\" \"b\" {\n"
                      "  backend = \"gcs\"\n"
                      "}\n");
    RUN(b, 1, "plan", "-no-color");
    ASSERT_STR_EQ(
        r.err,
        "Error: Failed to read data source\n\n"
        "  on main.tf line 1, in data \"terraform_remote_state\" \"a\":\n"
        "   1: data \"terraform_remote_state\" \"a\" {\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\n"
        "Reading data.terraform_remote_state.a: Invalid backend "
        "configuration\n\n"
        "Error: Invalid backend configuration\n\n"
        "The given configuration is not valid for backend \"s3\": "
        "unsupported attribute \"bucket_name\".\n\n"
        "Error: Failed to read data source\n\n"
        "  on main.tf line 5, in data \"terraform_remote_state\" \"b\":\n"
        "   5: data \"terraform_remote_state\" \"b\" {\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\n"
        "Reading data.terraform_remote_state.b: Invalid backend "
        "configuration\n\n"
        "Error: Invalid backend configuration\n\n"
        "There is no backend type named \"gcs\".\n\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* workspace = "staging" reads env:/staging/KEY, as the backend writes it;
 * defaults fill what the state lacks and yield to what it has. */
TEST(remote_state, workspace_and_defaults)
{
    tern_backend_s3_config c = TERN_BACKEND_S3_CONFIG_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *s3 = NULL;
    json_t *doc;
    char *data, *cfg;
    const char *b;
    size_t i;

    start();
    for (i = 0; sim_env.env[i]; i++)
        putenv((char *)sim_env.env[i]);
    c.bucket = "tfstate";
    c.key = "a/terraform.tfstate";
    c.region = "us-east-1";
    c.workspace = "staging";
    ASSERT_OK(tern_backend_s3_new(&s3, &c, NULL, &diags));
    doc = json_loads("{\"version\":4,\"terraform_version\":\"1.10.0\","
                     "\"serial\":1,\"lineage\":\"5d2a3c1e-8f0b-4c6a-9e7d-"
                     "0a1b2c3d4e5f\",\"outputs\":{\"name\":{\"value\":"
                     "\"staged\",\"type\":\"string\"}},\"resources\":[]}",
                     0, NULL);
    ASSERT_NOT_NULL(doc);
    ASSERT_OK(tern_backend_s3_write(s3, doc, &diags));
    json_decref(doc);
    tern_backend_s3_free(s3);
    tern_diags_release(&diags);

    data = data_s3("a/terraform.tfstate", "  workspace = \"staging\"\n"
                                          "  defaults = {\n"
                                          "    name    = \"fallback\"\n"
                                          "    subnets = [\"subnet-default\"]\n"
                                          "  }\n");
    cfg = concat(data, "output \"seen\" {\n"
                       "  value = [\n"
                       "    data.terraform_remote_state.a.outputs.name,\n"
                       "    data.terraform_remote_state.a.outputs.subnets[0],\n"
                       "  ]\n"
                       "}\n");
    b = dir_with("b", cfg);
    RUN(b, 0, "apply", "-auto-approve", "-no-color");
    RUN(b, 0, "output", "-json", "seen");
    ASSERT_STR_EQ(r.out, "[\n  \"staged\",\n  \"subnet-default\"\n]\n");
    free(cfg);
    free(data);

    /* The default workspace has no object at the key. */
    data = data_s3("a/terraform.tfstate", "  workspace = \"default\"\n");
    b = dir_with("c", data);
    free(data);
    RUN(b, 1, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, NO_STATE);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* The module's read of a v4 JSON state with each allocation failing
 * alone: every output, defaults and the sensitive mark, or out of memory;
 * never a default in place of an output, a sensitive value without its
 * mark, or a file that could not be parsed for lack of memory called
 * "Error loading state error" (issue 20). */
TEST(remote_state, alloc_walk)
{
    struct mod_fx fx;
    char *cfg;

    ASSERT_OK(tt_write_file(
        tern_test_tmpdir(), "w.tfstate",
        "{\"version\": 4, \"terraform_version\": \"1.9.0\", \"serial\": 1, "
        "\"lineage\": \"l\", \"outputs\": {"
        "\"name\": {\"value\": \"deploy\", \"type\": \"string\"}, "
        "\"tags\": {\"value\": {\"env\": \"prod\"}, \"type\": [\"map\", "
        "\"string\"]}, \"token\": {\"value\": \"s3cr3t\", \"type\": "
        "\"string\", \"sensitive\": true}}, \"resources\": []}\n"));
    if (asprintf(&cfg,
                 "{\"backend\": \"local\", \"config\": {\"path\": "
                 "\"%s/w.tfstate\"}, \"defaults\": {\"name\": \"d\", "
                 "\"other\": \"o\"}}",
                 tern_test_tmpdir()) < 0)
        FAIL("asprintf");
    memset(&fx, 0, sizeof(fx));
    fx.op.version = TERN_OP_VERSION;
    fx.op.diags = &fx.diags;
    ASSERT_CMP(
        mod_read_walk(&fx, &tern_module_data_terraform_remote_state, cfg), >,
        30);
    free(cfg);
    tern_diags_release(&fx.diags);
}

const struct tern_test test_remote_state_list[] = {
    TEST_INTEGRATION(remote_state, s3_outputs),
    TEST_INTEGRATION(remote_state, local_backend),
    TEST_INTEGRATION(remote_state, missing_object),
    TEST_UNIT(remote_state, provider_schema),
    TEST_INTEGRATION(remote_state, workspace_and_defaults),
    TEST_INTEGRATION(remote_state, alloc_walk),
    TEST_END};
