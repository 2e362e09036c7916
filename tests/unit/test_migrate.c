/*
 * tern init -migrate-state / -force-copy against tern-sim's S3: local to
 * S3, S3 to another key, S3 back to local, each followed by an empty plan
 * (the state came along: same lineage, same instances); a migration that
 * needs confirmation without a terminal is refused and leaves init's saved
 * configuration as it was; -migrate-state with -reconfigure is refused.
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
#include <unistd.h>

#define LOAD "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]}}"

#define RESOURCES                                                              \
    "resource \"random_id\" \"server\" {\n"                                    \
    "  byte_length = 4\n"                                                      \
    "}\n"

#define BACKEND(key)                                                           \
    "terraform {\n"                                                            \
    "  backend \"s3\" {\n"                                                     \
    "    bucket       = \"tfstate\"\n"                                         \
    "    key          = \"" key "\"\n"                                         \
    "    region       = \"us-east-1\"\n"                                       \
    "    use_lockfile = true\n"                                                \
    "  }\n"                                                                    \
    "}\n" RESOURCES

static struct tt_sim sim;
static struct tt_sim_env sim_env;
static struct tt_run r;

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

/* The lineage of the object at @key, or "" when there is none. */
static char *lineage_at(const char *key)
{
    struct tt_response resp;
    json_t *dump, *objs, *o;
    char *out = NULL;
    size_t i;

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
        if (strcmp(json_string_value(json_object_get(o, "key")), key) == 0 &&
            !json_is_true(json_object_get(o, "deleted"))) {
            json_t *doc = json_loads(
                json_string_value(json_object_get(o, "body")), 0, NULL);

            ASSERT_NOT_NULL(doc);
            ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 1);
            out = strdup(json_string_value(json_object_get(doc, "lineage")));
            json_decref(doc);
        }
    }
    json_decref(dump);
    return out ? out : strdup("");
}

TEST(migrate, local_to_s3_and_back)
{
    struct tt_response resp;
    char dir[4200], *lineage, *l2;
    const char *saved;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&sim_env, &sim);
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "load", LOAD));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    snprintf(dir, sizeof(dir), "%s/stack", tern_test_tmpdir());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        FAIL("mkdir %s", dir);
    ASSERT_OK(tt_write_file(dir, "main.tf", RESOURCES));
    RUN(dir, 0, "apply", "-auto-approve", "-no-color");
    RUN(dir, 0, "state", "pull");
    {
        json_t *doc = json_loads(r.out, 0, NULL);

        ASSERT_NOT_NULL(doc);
        lineage = strdup(json_string_value(json_object_get(doc, "lineage")));
        json_decref(doc);
    }

    /* local -> S3: without a terminal the copy needs -force-copy. */
    ASSERT_OK(tt_write_file(dir, "main.tf", BACKEND("app/terraform.tfstate")));
    RUN(dir, 1, "init", "-migrate-state", "-no-color");
    ASSERT_STR_EQ(r.err,
                  "Error: State migration needs confirmation\n\n"
                  "tern would copy the state from the local state "
                  "tern.tfstate.db to s3://tfstate/app/terraform.tfstate. "
                  "There is no terminal to confirm it on: run \"tern "
                  "init -force-copy\" to copy without asking.\n\n");
    /* Nothing saved: the same init can run again. */
    saved = "/.terraform/tern-backend.json";
    {
        char path[4300];

        snprintf(path, sizeof(path), "%s%s", dir, saved);
        ASSERT_EQ(access(path, F_OK), -1);
    }
    RUN(dir, 1, "init", "-migrate-state", "-reconfigure", "-no-color");
    ASSERT_STR_EQ(r.err, "Error: Invalid command-line option\n\n"
                         "The -migrate-state and -reconfigure options are "
                         "mutually-exclusive.\n\n");
    RUN(dir, 0, "init", "-force-copy", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Copied the state from the local state "
                               "tern.tfstate.db to "
                               "s3://tfstate/app/terraform.tfstate (serial 1, "
                               "1 resources).\n");
    l2 = lineage_at("app/terraform.tfstate");
    ASSERT_STR_EQ(l2, lineage);
    free(l2);
    RUN(dir, 0, "plan", "-detailed-exitcode", "-no-color");

    /* S3 -> another key. */
    ASSERT_OK(
        tt_write_file(dir, "main.tf", BACKEND("moved/terraform.tfstate")));
    RUN(dir, 1, "plan", "-no-color");
    RUN(dir, 0, "init", "-migrate-state", "-force-copy", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Copied the state from "
                               "s3://tfstate/app/terraform.tfstate to "
                               "s3://tfstate/moved/terraform.tfstate (serial "
                               "1, 1 resources).\n");
    l2 = lineage_at("moved/terraform.tfstate");
    ASSERT_STR_EQ(l2, lineage);
    free(l2);
    RUN(dir, 0, "plan", "-detailed-exitcode", "-no-color");

    /* S3 -> local, after the local state is gone. */
    {
        char path[4300];

        snprintf(path, sizeof(path), "%s/tern.tfstate.db", dir);
        ASSERT_EQ(unlink(path), 0);
    }
    ASSERT_OK(tt_write_file(dir, "main.tf", RESOURCES));
    /* The block is gone: not silently the local state. */
    RUN(dir, 1, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, "Error: Backend initialization required, please run "
                         "\"tern init\"\n\n"
                         "Reason: Unsetting the previously set backend "
                         "\"s3\". Run \"tern init -migrate-state\" to copy "
                         "its state to the local state, or \"tern init "
                         "-reconfigure\" to use the local state as it is.\n\n");
    RUN(dir, 1, "init", "-no-color");
    ASSERT_STR_CONTAINS(r.err, "Error: Backend configuration changed\n");
    RUN(dir, 0, "init", "-force-copy", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Copied the state from "
                               "s3://tfstate/moved/terraform.tfstate to the "
                               "local state tern.tfstate.db (serial 1, 1 "
                               "resources).\n");
    RUN(dir, 0, "plan", "-detailed-exitcode", "-no-color");
    RUN(dir, 0, "state", "list");
    ASSERT_STR_EQ(r.out, "random_id.server\n");
    RUN(dir, 0, "state", "pull");
    {
        json_t *doc = json_loads(r.out, 0, NULL);

        ASSERT_NOT_NULL(doc);
        ASSERT_STR_EQ(json_string_value(json_object_get(doc, "lineage")),
                      lineage);
        json_decref(doc);
    }
    free(lineage);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_migrate_list[] = {
    TEST_INTEGRATION(migrate, local_to_s3_and_back), TEST_END};
