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
    json_t *doc = tt_sim_s3_json(&sim, key);
    char *out;

    if (!doc)
        return strdup("");
    ASSERT_EQ(json_array_size(json_object_get(doc, "resources")), 1);
    out = strdup(json_string_value(json_object_get(doc, "lineage")));
    json_decref(doc);
    return out;
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

/* The lineage of the local state of workspace @ws in @dir. */
static char *local_lineage(const char *dir)
{
    json_t *doc;
    char *out;

    RUN(dir, 0, "state", "pull");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    out = strdup(json_string_value(json_object_get(doc, "lineage")));
    json_decref(doc);
    return out;
}

#define INIT_TAIL                                                              \
    "\nInitializing provider plugins...\n"                                     \
    "- hashicorp/random: built in to tern (nothing to download)\n\n"           \
    "tern has been successfully initialized!\n\n"                              \
    "You may now begin working with tern. Try running \"tern plan\" to "       \
    "see\nany changes that are required for your infrastructure.\n"

/* init's whole output after @what, for a state in @where of @lineage. */
static void expect_init(const char *what, const char *where,
                        const char *lineage)
{
    char want[8192];

    if (where)
        snprintf(want, sizeof(want),
                 "Initializing the backend...\n%sSuccessfully configured the "
                 "backend \"s3\"! tern will keep the state in\ns3://%s (a "
                 "state is there).\nState: serial 1, lineage %s\n%s",
                 what, where, lineage, INIT_TAIL);
    else
        snprintf(want, sizeof(want),
                 "Initializing the backend...\n%sState: %s (serial 1)\n%s",
                 what, lineage, INIT_TAIL);
    ASSERT_STR_EQ(r.out, want);
}

#define WS_OBJECTS "app/terraform.tfstate"

/*
 * Every workspace moves, as Terraform's init (meta_backend_migrate.go
 * backendMigrateState_S_S): local (default, prod, staging, and an empty
 * one, skipped) to S3 at env:/NAME/KEY, to another key, back to local;
 * then init where the selected workspace does not exist.
 */
TEST(migrate, every_workspace)
{
    struct tt_response resp;
    char dir[4200], path[8500], *lin[3], *l2;
    static const char *const ws[] = {"default", "prod", "staging"};
    size_t i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&sim_env, &sim);
    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "load", LOAD));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    snprintf(dir, sizeof(dir), "%s/ws", tern_test_tmpdir());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        FAIL("mkdir %s", dir);
    ASSERT_OK(tt_write_file(dir, "main.tf", RESOURCES));
    for (i = 0; i < 3; i++) {
        if (i)
            RUN(dir, 0, "workspace", "new", ws[i]);
        RUN(dir, 0, "apply", "-auto-approve", "-no-color");
        lin[i] = local_lineage(dir);
    }
    RUN(dir, 0, "workspace", "new", "empty");
    RUN(dir, 0, "workspace", "select", "staging");

    /* local -> S3 */
    ASSERT_OK(tt_write_file(dir, "main.tf", BACKEND(WS_OBJECTS)));
    RUN(dir, 1, "init", "-migrate-state", "-no-color");
    ASSERT_STR_EQ(r.err,
                  "Error: State migration needs confirmation\n\n"
                  "tern would copy every workspace (default, empty, prod, "
                  "staging) from the \"local\" backend (the local state "
                  "tern.tfstate.db) to the \"s3\" backend "
                  "(s3://tfstate/app/terraform.tfstate), with the same "
                  "names, replacing any state of those names there. There "
                  "is no terminal to confirm it on: run \"tern init "
                  "-force-copy\" to copy without asking.\n\n");
    RUN(dir, 0, "init", "-force-copy", "-no-color");
    expect_init("Copied the workspace \"default\" from the local state "
                "tern.tfstate.db to s3://tfstate/app/terraform.tfstate "
                "(serial 1, 1 resources).\n"
                "The workspace \"empty\" has an empty state: not copied.\n"
                "Copied the workspace \"prod\" from the local state "
                "tern.tfstate.d/prod/tern.tfstate.db to "
                "s3://tfstate/env:/prod/app/terraform.tfstate (serial 1, 1 "
                "resources).\n"
                "Copied the workspace \"staging\" from the local state "
                "tern.tfstate.d/staging/tern.tfstate.db to "
                "s3://tfstate/env:/staging/app/terraform.tfstate (serial 1, "
                "1 resources).\n",
                "tfstate/env:/staging/app/terraform.tfstate", lin[2]);
    l2 = lineage_at("app/terraform.tfstate");
    ASSERT_STR_EQ(l2, lin[0]);
    free(l2);
    l2 = lineage_at("env:/prod/app/terraform.tfstate");
    ASSERT_STR_EQ(l2, lin[1]);
    free(l2);
    l2 = lineage_at("env:/staging/app/terraform.tfstate");
    ASSERT_STR_EQ(l2, lin[2]);
    free(l2);
    RUN(dir, 0, "workspace", "list");
    ASSERT_STR_EQ(r.out, "  default\n  prod\n* staging\n\n");
    RUN(dir, 0, "plan", "-detailed-exitcode", "-no-color");

    /* S3 -> another key */
    ASSERT_OK(
        tt_write_file(dir, "main.tf", BACKEND("moved/terraform.tfstate")));
    RUN(dir, 0, "init", "-migrate-state", "-force-copy", "-no-color");
    expect_init("Copied the workspace \"default\" from "
                "s3://tfstate/app/terraform.tfstate to "
                "s3://tfstate/moved/terraform.tfstate (serial 1, 1 "
                "resources).\n"
                "Copied the workspace \"prod\" from "
                "s3://tfstate/env:/prod/app/terraform.tfstate to "
                "s3://tfstate/env:/prod/moved/terraform.tfstate (serial 1, 1 "
                "resources).\n"
                "Copied the workspace \"staging\" from "
                "s3://tfstate/env:/staging/app/terraform.tfstate to "
                "s3://tfstate/env:/staging/moved/terraform.tfstate (serial "
                "1, 1 resources).\n",
                "tfstate/env:/staging/moved/terraform.tfstate", lin[2]);
    l2 = lineage_at("env:/prod/moved/terraform.tfstate");
    ASSERT_STR_EQ(l2, lin[1]);
    free(l2);
    RUN(dir, 0, "plan", "-detailed-exitcode", "-no-color");

    /* S3 -> local, the local states gone */
    snprintf(path, sizeof(path),
             "rm -rf '%s/tern.tfstate.db' '%s/tern.tfstate.d'", dir, dir);
    ASSERT_EQ(system(path), 0);
    ASSERT_OK(tt_write_file(dir, "main.tf", RESOURCES));
    RUN(dir, 0, "init", "-force-copy", "-no-color");
    expect_init("Copied the workspace \"default\" from "
                "s3://tfstate/moved/terraform.tfstate to the local state "
                "tern.tfstate.db (serial 1, 1 resources).\n"
                "Copied the workspace \"prod\" from "
                "s3://tfstate/env:/prod/moved/terraform.tfstate to the local "
                "state tern.tfstate.d/prod/tern.tfstate.db (serial 1, 1 "
                "resources).\n"
                "Copied the workspace \"staging\" from "
                "s3://tfstate/env:/staging/moved/terraform.tfstate to the "
                "local state tern.tfstate.d/staging/tern.tfstate.db (serial "
                "1, 1 resources).\n",
                NULL, "tern.tfstate.d/staging/tern.tfstate.db");
    RUN(dir, 0, "workspace", "list");
    ASSERT_STR_EQ(r.out, "  default\n  prod\n* staging\n\n");
    for (i = 0; i < 3; i++) {
        RUN(dir, 0, "workspace", "select", ws[i]);
        l2 = local_lineage(dir);
        ASSERT_STR_EQ(l2, lin[i]);
        free(l2);
        RUN(dir, 0, "plan", "-detailed-exitcode", "-no-color");
    }

    /* init where the selected workspace does not exist (meta_backend.go
     * selectWorkspace): several workspaces and no terminal, an error... */
    ASSERT_OK(
        tt_write_file(dir, "main.tf", BACKEND("moved/terraform.tfstate")));
    RUN(dir, 0, "init", "-reconfigure", "-no-color");
    snprintf(path, sizeof(path), "%s/.terraform", dir);
    ASSERT_OK(tt_write_file(path, "environment", "gone"));
    RUN(dir, 1, "init", "-no-color");
    ASSERT_STR_EQ(r.err, "Error: Currently selected workspace \"gone\" does "
                         "not exist\n\n"
                         "The backend has no state for it. Select one of its "
                         "workspaces with \"tern workspace select NAME\", or "
                         "create it with \"tern workspace new gone\", and run "
                         "init again.\n\n");
    /* ... a backend with only "default": that one is selected. */
    ASSERT_OK(
        tt_write_file(dir, "main.tf", BACKEND("fresh/terraform.tfstate")));
    RUN(dir, 0, "init", "-reconfigure", "-no-color");
    ASSERT_STR_EQ(r.out, "Initializing the backend...\n"
                         "The selected workspace \"gone\" does not exist in "
                         "the backend: selected \"default\", its only "
                         "workspace.\n"
                         "Successfully configured the backend \"s3\"! tern "
                         "will keep the state in\n"
                         "s3://tfstate/fresh/terraform.tfstate (no state "
                         "there yet).\n" INIT_TAIL);
    RUN(dir, 0, "workspace", "show");
    ASSERT_STR_EQ(r.out, "default\n");
    for (i = 0; i < 3; i++)
        free(lin[i]);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_migrate_list[] = {
    TEST_INTEGRATION(migrate, local_to_s3_and_back),
    TEST_INTEGRATION(migrate, every_workspace), TEST_END};
