/*
 * Workspaces on the S3 backend, through the built tern binary against
 * tern-sim: `workspace new` writes an empty state at env:/NAME/KEY (or
 * under workspace_key_prefix), `list` finds the workspaces with
 * ListObjectsV2 and ignores keys that are not KEY, an apply in a workspace
 * writes that workspace's object and terraform.workspace names it,
 * TF_WORKSPACE selects it from another directory, and `delete` refuses a
 * non-empty workspace without -force and removes the object with it. The
 * local backend's cases are golden (tests/cases/cli/18x-19x-workspace-*).
 */
#include "runner.h"
#include "support.h"
#include "run_tern.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOAD "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]}}"

#define BACKEND(extra)                                                         \
    "terraform {\n"                                                            \
    "  backend \"s3\" {\n"                                                     \
    "    bucket       = \"tfstate\"\n"                                         \
    "    key          = \"app/terraform.tfstate\"\n"                           \
    "    region       = \"us-east-1\"\n"                                       \
    "    use_lockfile = true\n" extra "  }\n"                                  \
    "}\n"                                                                      \
    "resource \"random_id\" \"server\" {\n"                                    \
    "  byte_length = 4\n"                                                      \
    "}\n"                                                                      \
    "output \"ws\" {\n"                                                        \
    "  value = terraform.workspace\n"                                          \
    "}\n"

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

static void run_in(const char *dir, int status, const char *extra_env,
                   const char *const *args)
{
    struct tt_sim_env env = sim_env;
    char *why;

    if (extra_env)
        tt_sim_env_add(&env, extra_env);
    why = tt_run_expect(&r, dir, env.env, args, status);
    if (why)
        FAIL("%s", why);
}

#define RUN(dir, status, ...)                                                  \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((dir), (status), NULL, args_);                                  \
    } while (0)
#define RUN_ENV(dir, status, env, ...)                                         \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((dir), (status), (env), args_);                                 \
    } while (0)

/* The keys in the bucket, one a line, sorted as S3 lists them. */
static char *keys(void)
{
    struct tt_response resp;
    json_t *dump, *objs, *o;
    size_t i;
    char *out = calloc(1, 4096);

    ASSERT_NOT_NULL(out);
    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "dump", NULL));
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    ASSERT_NOT_NULL(dump);
    objs = json_object_get(
        json_array_get(json_object_get(json_object_get(dump, "s3"), "buckets"),
                       0),
        "objects");
    json_array_foreach(objs, i, o)
    {
        if (json_is_true(json_object_get(o, "deleted")))
            continue;
        strncat(out, json_string_value(json_object_get(o, "key")),
                4000 - strlen(out));
        strcat(out, "\n");
    }
    json_decref(dump);
    return out;
}

static void put_object(const char *key)
{
    struct tt_response resp;
    char body[512];

    snprintf(body, sizeof(body),
             "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\",\"objects\":"
             "[{\"key\":\"%s\",\"body\":\"x\"}]}]}}",
             key);
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "load", body));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
}

TEST(workspace, s3_workspaces)
{
    const char *a, *b;
    json_t *doc;
    char *k;

    start();
    a = dir_with("a", BACKEND(""));
    RUN(a, 0, "init", "-no-color");
    RUN(a, 0, "workspace", "new", "-no-color", "dev");
    ASSERT_STR_EQ(r.out,
                  "Created and switched to workspace \"dev\"!\n\n"
                  "You're now on a new, empty workspace. Workspaces isolate "
                  "their state,\nso if you run \"tern plan\" tern will not "
                  "see any existing state\nfor this configuration.\n");
    /* An empty state at env:/dev/KEY, so that the workspace is listed. */
    doc = tt_sim_s3_json(&sim, "env:/dev/app/terraform.tfstate");
    ASSERT_NOT_NULL(doc);
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 0);
    json_decref(doc);
    /* Keys under the prefix that are not KEY are no workspace. */
    put_object("env:/junk/other.tfstate");
    put_object("env:/stray");
    RUN(a, 0, "workspace", "new", "prod");
    RUN(a, 0, "workspace", "select", "dev");
    ASSERT_STR_EQ(r.out, "Switched to workspace \"dev\".\n");
    RUN(a, 0, "workspace", "list");
    ASSERT_STR_EQ(r.out, "  default\n* dev\n  prod\n\n");
    RUN(a, 0, "apply", "-auto-approve", "-no-color");
    doc = tt_sim_s3_json(&sim, "env:/dev/app/terraform.tfstate");
    ASSERT_NOT_NULL(doc);
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 1);
    ASSERT_STR_EQ(
        json_string_value(json_object_get(
            json_object_get(json_object_get(doc, "outputs"), "ws"), "value")),
        "dev");
    json_decref(doc);
    /* Nothing went to the default key. */
    k = keys();
    ASSERT_STR_EQ(k, "env:/dev/app/terraform.tfstate\n"
                     "env:/junk/other.tfstate\n"
                     "env:/prod/app/terraform.tfstate\n"
                     "env:/stray\n");
    free(k);

    /* Another directory, the same backend: TF_WORKSPACE picks dev. */
    b = dir_with("b", BACKEND(""));
    RUN(b, 0, "init", "-no-color");
    RUN_ENV(b, 0, "TF_WORKSPACE=dev", "state", "list");
    ASSERT_STR_EQ(r.out, "random_id.server\n");
    RUN_ENV(b, 0, "TF_WORKSPACE=dev", "output", "-raw", "ws");
    ASSERT_STR_EQ(r.out, "dev");
    RUN(b, 0, "workspace", "show");
    ASSERT_STR_EQ(r.out, "default\n");

    /* delete: not the current one, not a non-empty one without -force. */
    RUN(a, 1, "workspace", "delete", "dev");
    ASSERT_STR_EQ(r.err, "Workspace \"dev\" is your active workspace.\n\n"
                         "You cannot delete the currently active workspace. "
                         "Please switch\nto another workspace and try "
                         "again.\n");
    RUN(b, 1, "workspace", "delete", "-no-color", "dev");
    ASSERT_STR_EQ(r.err,
                  "Error: Workspace is not empty\n\n"
                  "Workspace \"dev\" is currently tracking the following "
                  "resource instances:\n  - random_id.server\n\nDeleting this "
                  "workspace would cause tern to lose track of any associated "
                  "remote objects, which would then require you to delete "
                  "them manually outside of tern. You should destroy these "
                  "objects with tern before deleting the workspace.\n\nIf you "
                  "want to delete this workspace anyway, and have tern forget "
                  "about these managed objects, use the -force option to "
                  "disable this safety check.\n\n");
    RUN(b, 0, "workspace", "delete", "prod");
    ASSERT_STR_EQ(r.out, "Deleted workspace \"prod\"!\n");
    RUN(b, 0, "workspace", "delete", "-force", "dev");
    ASSERT_STR_EQ(r.out, "Deleted workspace \"dev\"!\n"
                         "WARNING: \"dev\" was non-empty.\n"
                         "The resources managed by the deleted workspace may "
                         "still exist,\nbut are no longer manageable by tern "
                         "since the state has\nbeen deleted.\n\n");
    k = keys();
    ASSERT_STR_EQ(k, "env:/junk/other.tfstate\nenv:/stray\n");
    free(k);
    RUN(b, 0, "workspace", "list");
    ASSERT_STR_EQ(r.out, "* default\n\n");
    RUN(b, 1, "workspace", "select", "dev");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* workspace_key_prefix moves the workspaces' objects. */
TEST(workspace, s3_key_prefix)
{
    const char *a;
    char *k;

    start();
    a = dir_with("p", BACKEND("    workspace_key_prefix = \"stacks\"\n"));
    RUN(a, 0, "init", "-no-color");
    RUN(a, 0, "workspace", "select", "-or-create", "qa");
    RUN(a, 0, "apply", "-auto-approve", "-no-color");
    k = keys();
    ASSERT_STR_EQ(k, "stacks/qa/app/terraform.tfstate\n");
    free(k);
    RUN(a, 0, "workspace", "list");
    ASSERT_STR_EQ(r.out, "  default\n* qa\n\n");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_workspace_list[] = {
    TEST_INTEGRATION(workspace, s3_workspaces),
    TEST_INTEGRATION(workspace, s3_key_prefix), TEST_END};
