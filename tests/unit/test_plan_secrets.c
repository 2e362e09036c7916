/*
 * Credentials in saved plan files (issue 20, finding 4): a provider
 * credential written in the configuration is not in the plan file's
 * bytes, and `apply FILE` reads it again from the working directory's
 * file, which must be the one planned. Through the built binary against a
 * tern-sim on 127.0.0.1 that accepts only the configuration's key and
 * token (the environment's are wrong), so an apply that did not use them
 * fails. Sensitive values (a sensitive variable, a random_password's
 * result in the prior state) are not in a plan file's bytes either: the
 * plan is refused without TERN_PLAN_PASSPHRASE and encrypted with it.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"

#include "engine/engine_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIT_AKID   "AKIDPLANFILELITERAL1"
#define LIT_SECRET "planfile/SECRET/literal-7c1e9a3b5d"
#define LIT_TOKEN  "dapi-planfile-SECRET-literal-4f2b8d"

static struct tt_sim sim;
static struct tt_sim_env sim_env;
static struct tt_run r;

static void start(void)
{
    static const char *const args[] = {"--key", LIT_AKID ":" LIT_SECRET,
                                       "--databricks-token", LIT_TOKEN, NULL};

    ASSERT_OK(tt_sim_start(&sim, args));
    tt_sim_env_init(&sim_env, &sim);
    tt_sim_env_add(&sim_env, "AWS_ACCESS_KEY_ID=AKIDWRONGFROMENV0001");
    tt_sim_env_add(&sim_env,
                   "AWS_SECRET_ACCESS_KEY=wrong/from/the/environment");
    tt_sim_env_add(&sim_env,
                   "DATABRICKS_TOKEN=dapi-wrong-from-the-environment");
}

/* Run tern in @dir with @env (NULL: sim_env's); fail unless it exits
 * @status. */
static void run_at(const char *const *env, const char *dir, int status,
                   const char *const *args)
{
    char *why = tt_run_expect(&r, dir, env ? env : sim_env.env, args, status);

    if (why)
        FAIL("%s", why);
}

#define RUN_WITH(env, dir, status, ...)                                        \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_at((env), (dir), (status), args_);                                 \
    } while (0)
#define RUN_AT(dir, status, ...) RUN_WITH(NULL, dir, status, __VA_ARGS__)

static const char main_tf[] =
    "provider \"aws\" {\n"
    "  access_key = \"" LIT_AKID "\"\n"
    "  secret_key = trimspace(<<EOT\n" LIT_SECRET "\nEOT\n  )\n"
    "}\n\n"
    "provider \"databricks\" {\n"
    "  token = \"" LIT_TOKEN "\"\n"
    "}\n\n"
    "resource \"aws_iam_role\" \"r\" {\n"
    "  name = \"planfile-literal\"\n" TT_HCL_TRUST_EC2 "}\n\n"
    "resource \"databricks_group\" \"g\" {\n"
    "  display_name = \"planfile-literal\"\n"
    "}\n";

/* Whether @needle is anywhere in the file's bytes (as `strings` would
 * find it). */
static int file_holds(const char *path, const char *needle)
{
    size_t len = 0;
    char *bytes = tt_read_file(path, &len);
    int found;

    if (!bytes)
        FAIL("read %s", path);
    found = memmem(bytes, len, needle, strlen(needle)) != NULL;
    free(bytes);
    return found;
}

/* Plan in the directory, then apply the plan file from another directory
 * holding only the plan, the state and (as @files says) main.tf. */
static void plan_elsewhere(char *fresh, size_t n)
{
    char path[1024];

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", main_tf));
    RUN_AT(tern_test_tmpdir(), 0, "plan", "-no-color", "-out=p.tfplan");
    snprintf(path, sizeof(path), "%s/p.tfplan", tern_test_tmpdir());
    ASSERT_EQ(file_holds(path, LIT_SECRET), 0);
    ASSERT_EQ(file_holds(path, LIT_AKID), 0);
    ASSERT_EQ(file_holds(path, LIT_TOKEN), 0);
    snprintf(fresh, n, "%s/fresh", tern_test_tmpdir());
    ASSERT_OK(mkdir(fresh, 0700));
    {
        size_t len = 0;
        char *plan = tt_read_file(path, &len);
        FILE *f;

        snprintf(path, sizeof(path), "%s/p.tfplan", fresh);
        f = fopen(path, "wb");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fwrite(plan, 1, len, f), len);
        fclose(f);
        free(plan);
    }
}

/* The plan file's bytes hold none of the credentials; applied in a fresh
 * directory with the same main.tf, it uses them. */
TEST(plan_secrets, fresh_dir_applies)
{
    char fresh[1024], state[1100];

    start();
    plan_elsewhere(fresh, sizeof(fresh));
    ASSERT_OK(tt_write_file(fresh, "main.tf", main_tf));
    snprintf(state, sizeof(state), "-state=%s/tern.tfstate.db",
             tern_test_tmpdir());
    RUN_AT(fresh, 0, "apply", "-no-color", state, "p.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 2 added, 0 "
                               "changed, 0 destroyed.");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* Without main.tf, or with another one, apply says where the credentials
 * were and what to do, and changes nothing. */
TEST(plan_secrets, missing_or_changed_file)
{
    char fresh[1024], state[1100], changed[sizeof(main_tf) + 16];

    start();
    plan_elsewhere(fresh, sizeof(fresh));
    snprintf(state, sizeof(state), "-state=%s/tern.tfstate.db",
             tern_test_tmpdir());
    RUN_AT(fresh, 1, "apply", "-no-color", state, "p.tfplan");
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_EQ(
        r.err,
        "Error: Saved plan needs the configuration's credentials\n\n"
        "The plan file leaves out the credentials written in the "
        "configuration, at main.tf:2:16 (provider \"aws\" access_key), "
        "main.tf:3:16 (provider \"aws\" secret_key), main.tf:10:11 (provider "
        "\"databricks\" token), and reads them again from main.tf at apply; "
        "reading it failed: No such file or directory. Apply the plan where "
        "main.tf is as it was when the plan was made, or give the "
        "credentials through the environment or a shared credentials file "
        "instead of the configuration.\n\n");
    snprintf(changed, sizeof(changed), "%s# edited\n", main_tf);
    ASSERT_OK(tt_write_file(fresh, "main.tf", changed));
    RUN_AT(fresh, 1, "apply", "-no-color", state, "p.tfplan");
    ASSERT_STR_EQ(
        r.err,
        "Error: Saved plan needs the configuration's credentials\n\n"
        "The plan file leaves out the credentials written in the "
        "configuration, at main.tf:2:16 (provider \"aws\" access_key), "
        "main.tf:3:16 (provider \"aws\" secret_key), main.tf:10:11 (provider "
        "\"databricks\" token), and reads them again from main.tf at apply; "
        "that file is not the one the plan was made from (it changed after "
        "the plan was made). Apply the plan where main.tf is as it was when "
        "the plan was made, or give the credentials through the environment "
        "or a shared credentials file instead of the configuration.\n\n");
    /* Nothing was created. */
    RUN_AT(tern_test_tmpdir(), 0, "state", "list");
    ASSERT_STR_EQ(r.out, "");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

#define SENS_VALUE "planfile-SENSITIVE-value-9e3c"
#define PASSPHRASE "planfile-PASSPHRASE-6a1f"

static const char sensitive_tf[] = "variable \"note\" {\n"
                                   "  default   = \"" SENS_VALUE "\"\n"
                                   "  sensitive = true\n"
                                   "}\n\n"
                                   "variable \"n\" {\n"
                                   "  default = 1\n"
                                   "}\n\n"
                                   "resource \"random_password\" \"pw\" {\n"
                                   "  length = 24\n"
                                   "}\n\n"
                                   "output \"o\" {\n"
                                   "  value = var.n\n"
                                   "}\n";

/* The result random_password.pw got, from `state pull` (a new string). */
static char *password(void)
{
    json_t *doc, *res;
    char *pw = NULL;
    size_t i;

    RUN_AT(tern_test_tmpdir(), 0, "state", "pull");
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    res = json_object_get(doc, "resources");
    for (i = 0; i < json_array_size(res); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(res, i), "type")),
                   "random_password") == 0)
            pw = strdup(json_string_value(json_object_get(
                json_object_get(
                    json_array_get(
                        json_object_get(json_array_get(res, i), "instances"),
                        0),
                    "attributes"),
                "result")));
    json_decref(doc);
    ASSERT_NOT_NULL(pw);
    ASSERT_EQ(strlen(pw), 24);
    return pw;
}

/* A plan holding the sensitive variable and the password (prior state):
 * refused without a passphrase, leaving no file; saved with one, its
 * bytes hold neither, nor the passphrase; applied with it. */
TEST(plan_secrets, sensitive_encrypted)
{
    struct tt_sim_env with;
    char path[1024], *pw;

    start();
    with = sim_env;
    tt_sim_env_add(&with, "TERN_PLAN_PASSPHRASE=" PASSPHRASE);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", sensitive_tf));
    RUN_AT(tern_test_tmpdir(), 0, "apply", "-auto-approve");
    pw = password();
    RUN_AT(tern_test_tmpdir(), 1, "plan", "-no-color", "-var=n=2",
           "-out=p.tfplan");
    ASSERT_STR_EQ(r.err,
                  "Error: Saved plan would hold sensitive values\n\n"
                  "The plan holds the values of var.note, and sensitive "
                  "values in random_password.pw. tern writes no sensitive "
                  "value to a plan file in clear, so p.tfplan was not "
                  "written. Set TERN_PLAN_PASSPHRASE (at least 16 "
                  "characters) to save the plan encrypted with it, or run "
                  "plan without -out.\n\n");
    snprintf(path, sizeof(path), "%s/p.tfplan", tern_test_tmpdir());
    ASSERT_NE(access(path, F_OK), 0);
    RUN_WITH(with.env, tern_test_tmpdir(), 0, "plan", "-var=n=2",
             "-out=p.tfplan");
    ASSERT_EQ(file_holds(path, "tern-plan 1 aes-256-gcm pbkdf2-sha512 "), 1);
    ASSERT_EQ(file_holds(path, SENS_VALUE), 0);
    ASSERT_EQ(file_holds(path, pw), 0);
    ASSERT_EQ(file_holds(path, PASSPHRASE), 0);
    RUN_WITH(with.env, tern_test_tmpdir(), 0, "apply", "-no-color", "p.tfplan");
    /* No step to set off: the summary's own blank line alone. */
    ASSERT_STR_EQ(r.out, "\nApply complete! Resources: 0 added, 0 changed, "
                         "0 destroyed.\n\nOutputs:\n\no = \"2\"\n");
    free(pw);
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* ---- credentials reached through locals (issue 20) ----------------------
 *
 * The same key, secret and token, none written in a provider block: the
 * key in a local's object, the secret a template joining a local to a
 * constant, the token a local's heredoc. (tern refuses provider blocks in
 * child modules, and any reference but to variables and locals in a
 * provider block, so locals are the only other way in.) */

#define TAIL_SECRET "/SECRET/literal-7c1e9a3b5d" /* LIT_SECRET's tail */

static const char traced_tf[] =
    "locals {\n"
    "  keys = {\n"
    "    access = \"" LIT_AKID "\"\n"
    "  }\n"
    "  prefix = \"planfile\"\n"
    "  secret = \"${local.prefix}" TAIL_SECRET "\"\n"
    "  token = trimspace(<<EOT\n" LIT_TOKEN "\nEOT\n  )\n"
    "}\n\n"
    "provider \"aws\" {\n"
    "  access_key = local.keys.access\n"
    "  secret_key = local.secret\n"
    "}\n\n"
    "provider \"databricks\" {\n"
    "  token = local.token\n"
    "}\n\n"
    "resource \"aws_iam_role\" \"r\" {\n"
    "  name = \"planfile-traced\"\n" TT_HCL_TRUST_EC2 "}\n\n"
    "resource \"databricks_group\" \"g\" {\n"
    "  display_name = \"planfile-traced\"\n"
    "}\n";

/* Copy the plan file @from to @dir/p.tfplan. */
static void copy_plan(const char *from, const char *dir)
{
    char path[1200];
    size_t len = 0;
    char *plan = tt_read_file(from, &len);
    FILE *f;

    ASSERT_NOT_NULL(plan);
    snprintf(path, sizeof(path), "%s/p.tfplan", dir);
    f = fopen(path, "wb");
    ASSERT_NOT_NULL(f);
    ASSERT_EQ(fwrite(plan, 1, len, f), len);
    fclose(f);
    free(plan);
}

/* None of the credentials is in the plan file's bytes; without main.tf
 * apply says where they were; with it, from a fresh directory, it
 * applies with them (the environment's are wrong). */
TEST(plan_secrets, through_locals)
{
    char path[1024], fresh[1024], state[1100];

    start();
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", traced_tf));
    RUN_AT(tern_test_tmpdir(), 0, "plan", "-no-color", "-out=p.tfplan");
    snprintf(path, sizeof(path), "%s/p.tfplan", tern_test_tmpdir());
    ASSERT_EQ(file_holds(path, "tern-plan 1 sha256="), 1);
    ASSERT_EQ(file_holds(path, LIT_AKID), 0);
    ASSERT_EQ(file_holds(path, TAIL_SECRET), 0);
    ASSERT_EQ(file_holds(path, LIT_TOKEN), 0);
    snprintf(fresh, sizeof(fresh), "%s/fresh", tern_test_tmpdir());
    ASSERT_OK(mkdir(fresh, 0700));
    copy_plan(path, fresh);
    snprintf(state, sizeof(state), "-state=%s/tern.tfstate.db",
             tern_test_tmpdir());
    RUN_AT(fresh, 1, "apply", "-no-color", state, "p.tfplan");
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_EQ(
        r.err,
        "Error: Saved plan needs the configuration's credentials\n\n"
        "The plan file leaves out the credentials written in the "
        "configuration, at main.tf:2:10 (provider \"aws\" access_key), "
        "main.tf:6:28 (provider \"aws\" secret_key), main.tf:5:12 (provider "
        "\"aws\" secret_key), main.tf:7:11 (provider \"databricks\" token), "
        "and reads them again from main.tf at apply; reading it failed: No "
        "such file or directory. Apply the plan where main.tf is as it was "
        "when the plan was made, or give the credentials through the "
        "environment or a shared credentials file instead of the "
        "configuration.\n\n");
    ASSERT_OK(tt_write_file(fresh, "main.tf", traced_tf));
    RUN_AT(fresh, 0, "apply", "-no-color", state, "p.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 2 added, 0 "
                               "changed, 0 destroyed.");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

static const char via_var_tf[] = "variable \"ak\" {\n"
                                 "  type = string\n"
                                 "}\n\n"
                                 "locals {\n"
                                 "  ak = lower(var.ak)\n"
                                 "}\n\n"
                                 "provider \"aws\" {\n"
                                 "  access_key = upper(local.ak)\n"
                                 "  secret_key = \"" LIT_SECRET "\"\n"
                                 "}\n\n"
                                 "resource \"aws_iam_role\" \"r\" {\n"
                                 "  name = \"planfile-via-var\"\n"
                                 "" TT_HCL_TRUST_EC2 "}\n";

/* A root variable reaching the key through a local is a secret the plan
 * holds: refused without a passphrase, encrypted with one, and applied. */
TEST(plan_secrets, variable_through_local)
{
    struct tt_sim_env with;
    char path[1024];

    start();
    with = sim_env;
    tt_sim_env_add(&with, "TERN_PLAN_PASSPHRASE=" PASSPHRASE);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", via_var_tf));
    RUN_AT(tern_test_tmpdir(), 1, "plan", "-no-color", "-var=ak=" LIT_AKID,
           "-out=p.tfplan");
    ASSERT_STR_EQ(r.err,
                  "Error: Saved plan would hold sensitive values\n\n"
                  "The plan holds the values of var.ak. tern writes no "
                  "sensitive value to a plan file in clear, so p.tfplan was "
                  "not written. Set TERN_PLAN_PASSPHRASE (at least 16 "
                  "characters) to save the plan encrypted with it, or run "
                  "plan without -out.\n\n");
    snprintf(path, sizeof(path), "%s/p.tfplan", tern_test_tmpdir());
    ASSERT_NE(access(path, F_OK), 0);
    RUN_WITH(with.env, tern_test_tmpdir(), 0, "plan", "-var=ak=" LIT_AKID,
             "-out=p.tfplan");
    ASSERT_EQ(file_holds(path, "tern-plan 1 aes-256-gcm pbkdf2-sha512 "), 1);
    ASSERT_EQ(file_holds(path, LIT_AKID), 0);
    ASSERT_EQ(file_holds(path, LIT_SECRET), 0);
    RUN_WITH(with.env, tern_test_tmpdir(), 0, "apply", "-no-color", "p.tfplan");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 1 added, 0 "
                               "changed, 0 destroyed.");
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

/* ---- a sensitive argument in a nested block ------------------------------
 *
 * No built-in provider's block nests a sensitive argument (the AWS
 * provider's assume_role has none), so a provider of this test's own:
 * its login block's web_token is sensitive, in a block as written and in
 * a dynamic block's content. */

static const tern_attr login_schema[] = {
    {"role_arn", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"web_token", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE,
     NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr nesting_schema[] = {
    {"login", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL, login_schema, 0},
    {"region", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr *nesting_provider(const char *name)
{
    return strcmp(name, "nesting") == 0 ? nesting_schema : NULL;
}

static const char nested_tf[] = "locals {\n"
                                "  tok = \"nested-SECRET-1\"\n"
                                "  mix = \"${var.v}:nested-SECRET-2\"\n"
                                "}\n"
                                "variable \"v\" {}\n"
                                "provider \"nesting\" {\n"
                                "  region = \"plain-region\"\n"
                                "  login {\n"
                                "    role_arn  = \"plain-arn\"\n"
                                "    web_token = local.tok\n"
                                "  }\n"
                                "  dynamic \"login\" {\n"
                                "    for_each = [1]\n"
                                "    content {\n"
                                "      web_token = local.mix\n"
                                "    }\n"
                                "  }\n"
                                "}\n";

/* The plan's copy of the file: each constant the sensitive arguments
 * reach is blanked, positions kept, the rest as written; v is a
 * credential variable. */
TEST(plan_secrets, nested_block)
{
    struct tern_lang_config *cfg = tern_lang_config_new(".");
    struct tern_diags d = TERN_DIAGS_INIT;
    json_t *files = NULL, *cred = json_array(), *f;
    char hash[65];
    char *creds;

    ASSERT_NOT_NULL(cfg);
    ASSERT_OK(tern_lang_config_add_file(cfg, "main.tf", nested_tf,
                                        strlen(nested_tf), &d));
    ASSERT_OK(tern__config_hash(cfg, hash, &files));
    ASSERT_OK(tern__plan_redact_with(cfg, files, cred, nesting_provider));
    f = json_array_get(files, 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(f, "text")),
                  "locals {\n"
                  "  tok = \"\"               \n"
                  "  mix = \"${var.v}                \"\n"
                  "}\n"
                  "variable \"v\" {}\n"
                  "provider \"nesting\" {\n"
                  "  region = \"plain-region\"\n"
                  "  login {\n"
                  "    role_arn  = \"plain-arn\"\n"
                  "    web_token = local.tok\n"
                  "  }\n"
                  "  dynamic \"login\" {\n"
                  "    for_each = [1]\n"
                  "    content {\n"
                  "      web_token = local.mix\n"
                  "    }\n"
                  "  }\n"
                  "}\n");
    ASSERT_EQ(strlen(json_string_value(json_object_get(f, "text"))),
              strlen(nested_tf));
    creds = json_dumps(json_object_get(f, "credentials"), JSON_COMPACT);
    ASSERT_STR_EQ(creds,
                  "[{\"provider\":\"nesting\",\"argument\":\"login.web_token\","
                  "\"line\":2,\"column\":9},{\"provider\":\"nesting\","
                  "\"argument\":\"login.web_token\",\"line\":3,\"column\":"
                  "18}]");
    free(creds);
    creds = json_dumps(cred, JSON_COMPACT);
    ASSERT_STR_EQ(creds, "[\"v\"]");
    free(creds);
    json_decref(files);
    json_decref(cred);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

const struct tern_test test_plan_secrets_list[] = {
    TEST_INTEGRATION(plan_secrets, fresh_dir_applies),
    TEST_INTEGRATION(plan_secrets, missing_or_changed_file),
    TEST_INTEGRATION(plan_secrets, sensitive_encrypted),
    TEST_INTEGRATION(plan_secrets, through_locals),
    TEST_INTEGRATION(plan_secrets, variable_through_local),
    TEST_UNIT(plan_secrets, nested_block),
    TEST_END};
