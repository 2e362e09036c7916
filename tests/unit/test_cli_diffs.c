/*
 * Diffs as the upstream providers compute them, through the built binary
 * against a tern-sim on 127.0.0.1 (docs/ATTRIBUTES.md):
 * - a Databricks registration made outside tern, imported into a
 *   configuration with skip_validation = true, plans no change (the
 *   provider suppresses false -> true: the API never reports the flag);
 * - a state as Terraform with the AWS provider 5.x writes it (every
 *   attribute of the provider's schema: empty strings, empty lists, nulls,
 *   attributes tern does not model), pushed or migrated, refreshes with no
 *   "changed outside of tern" note and plans no change; a real change made
 *   outside is shown alone;
 * - the providers' defaults: an argument removed from the configuration
 *   goes back to its default;
 * - the providers' validation, with the whole message.
 */
#include "runner.h"

#include "aws_call.h"
#include "run_tern.h"
#include "support.h"
#include "cli_test.h"
#include "util/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCOUNT     "123456789012"
#define PROFILE_ARN "arn:aws:iam::" ACCOUNT ":instance-profile/mlflow-sagemaker"
#define ROLE_ARN    "arn:aws:iam::" ACCOUNT ":role/mlflow-sagemaker"
#define SM_POLICY   "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"

static void start(void)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
}

static void stop(void)
{
    tt_run_release(&r);
    tt_sim_stop(&sim);
}

static void sim_load(const char *json)
{
    struct tt_response resp;

    ASSERT_OK(tt_sim_control(&resp, &sim, "POST", "load", json));
    if (resp.status != 200)
        FAIL("load: %ld %s", resp.status, resp.body);
    tt_response_release(&resp);
}

/* What `plan -no-color` prints when nothing changes, after @refreshed's
 * refresh lines. */
#define NO_CHANGES(refreshed)                                                  \
    refreshed ": Refreshing state...\n"                                        \
              "\n"                                                             \
              "No changes. Your infrastructure matches the configuration.\n"   \
              "\n"                                                             \
              "tern has compared your real infrastructure against your "       \
              "configuration\n"                                                \
              "and found no differences, so no changes are needed.\n"

/* What `plan -no-color` prints for in-place updates only: @body is the
 * changes, @n how many. */
#define UPDATES(refreshed, body, n)                                                                                                                                                                                    \
    refreshed                                                                                                                                                                                                          \
        ": Refreshing state...\n"                                                                                                                                                                                      \
        "\n"                                                                                                                                                                                                           \
        "tern used the selected providers to generate the following "                                                                                                                                                  \
        "execution\n"                                                                                                                                                                                                  \
        "plan. Resource actions are indicated with the following symbols:\n"                                                                                                                                           \
        "  ~ update in-place\n"                                                                                                                                                                                        \
        "\n"                                                                                                                                                                                                           \
        "tern will perform the following actions:\n"                                                                                                                                                                   \
        "\n" body "Plan: 0 to add, " n " to change, 0 to destroy.\n"                                                                                                                                                   \
        "\n"                                                                                                                                                                                                           \
        "────────────────────────────────────────────────────────────────────" \
        "─"                                                                                                                                                                                                          \
        "────────\n"                                                                                                                                                                                   \
        "\n"                                                                                                                                                                                                           \
        "Note: You didn't use the -out option to save this plan, so tern "                                                                                                                                             \
        "can't\n"                                                                                                                                                                                                      \
        "guarantee to take exactly these actions if you run \"tern apply\" "                                                                                                                                           \
        "now.\n"

/* ---- 1: skip_validation of an imported registration -------------------- */

static const char dbx_config[] =
    "resource \"databricks_instance_profile\" \"p\" {\n"
    "  instance_profile_arn = \"" PROFILE_ARN "\"\n"
    "  skip_validation      = %s\n"
    "%s"
    "}\n";

static void write_dbx_config(const char *skip, const char *extra)
{
    char text[1024];

    snprintf(text, sizeof(text), dbx_config, skip, extra);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

TEST(cli_diffs, imported_skip_validation_no_diff)
{
    start();
    /* Registered by hand in the workspace, outside tern. */
    sim_load("{\"databricks\": {\"instance_profiles\": [{"
             "\"instance_profile_arn\": \"" PROFILE_ARN "\"}]}}");
    write_dbx_config("true", "");
    RUN(0, "import", "databricks_instance_profile.p", PROFILE_ARN);
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(r.out, NO_CHANGES("databricks_instance_profile.p"));

    /* A real change still diffs, and skip_validation stays out of it. */
    write_dbx_config("true", "  is_meta_instance_profile = true\n");
    RUN(2, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(
        r.out,
        UPDATES("databricks_instance_profile.p",
                "  # databricks_instance_profile.p will be updated in-place\n"
                "  ~ resource \"databricks_instance_profile\" \"p\" {\n"
                "        id                       = \"" PROFILE_ARN "\"\n"
                "      ~ is_meta_instance_profile = false -> true\n"
                "        # (2 unchanged attributes hidden)\n"
                "    }\n"
                "\n",
                "1"));
    stop();
}

TEST(cli_diffs, skip_validation_true_to_false_still_diffs)
{
    start();
    write_dbx_config("true", "");
    /* The workspace validates nothing with skip_validation; the
     * instance profile need not exist in IAM. */
    RUN(0, "apply", "-auto-approve", "-no-color");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    /* As the provider: only false -> true is suppressed. */
    write_dbx_config("false", "");
    RUN(2, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(
        r.out,
        UPDATES("databricks_instance_profile.p",
                "  # databricks_instance_profile.p will be updated in-place\n"
                "  ~ resource \"databricks_instance_profile\" \"p\" {\n"
                "        id              = \"" PROFILE_ARN "\"\n"
                "      ~ skip_validation = true -> false\n"
                "        # (2 unchanged attributes hidden)\n"
                "    }\n"
                "\n",
                "1"));
    stop();
}

/* ---- 2: a state from Terraform ------------------------------------------ */

/* tests/cases/tfstate-aws5/FILE into the test's directory, or the sim. */
static char *case_file(const char *file)
{
    char *path = tern_asprintf("%s/tests/cases/tfstate-aws5/%s",
                               TERN_TEST_SOURCE_DIR, file);
    char *text = path ? tt_read_file(path, NULL) : NULL;

    tern_free(path);
    if (!text)
        FAIL("cannot read tests/cases/tfstate-aws5/%s", file);
    return text;
}

static void terraform_case(void)
{
    static const char *const files[] = {"main.tf", "terraform.tfstate"};
    char *text;
    size_t i;

    start();
    text = case_file("sim.json");
    sim_load(text);
    free(text);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        text = case_file(files[i]);
        ASSERT_OK(tt_write_file(tern_test_tmpdir(), files[i], text));
        free(text);
    }
}

#define REFRESHED_TF_CASE                                                      \
    "aws_iam_instance_profile.sagemaker: Refreshing state...\n"                \
    "aws_iam_role.sagemaker: Refreshing state...\n"                            \
    "aws_iam_role.untouched: Refreshing state...\n"                            \
    "aws_iam_role_policy.artifacts: Refreshing state...\n"                     \
    "aws_iam_role_policy_attachment.sagemaker: Refreshing state...\n"          \
    "databricks_instance_profile.sagemaker"

TEST(cli_diffs, terraform_state_pushed_plans_nothing)
{
    terraform_case();
    RUN(0, "state", "push", "terraform.tfstate");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(r.out, NO_CHANGES(REFRESHED_TF_CASE));
    ASSERT_STR_EQ(r.err, "");
    stop();
}

TEST(cli_diffs, terraform_state_migrated_plans_nothing)
{
    terraform_case();
    RUN(0, "state", "migrate", "terraform.tfstate");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(r.out, NO_CHANGES(REFRESHED_TF_CASE));
    /* And the same after an apply that has nothing to do. */
    RUN(0, "apply", "-auto-approve", "-no-color");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(r.out, NO_CHANGES(REFRESHED_TF_CASE));
    stop();
}

TEST(cli_diffs, terraform_state_real_drift_shows_alone)
{
    const char *upd[] = {"RoleName", "mlflow-untouched", "Description",
                         "by hand", NULL};
    struct tt_response resp;

    terraform_case();
    RUN(0, "state", "push", "terraform.tfstate");
    ASSERT_OK(tt_iam(&resp, &sim, "UpdateRole", upd));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    /* Terraform's "" for the unset description is the "before"; nothing
     * else of the role shows. */
    RUN(2, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(
        r.out, REFRESHED_TF_CASE
        ": Refreshing state...\n"
        "\n"
        "Note: Objects have changed outside of tern\n"
        "\n"
        "tern detected the following changes made outside of tern since the\n"
        "last \"tern apply\" which may have affected this plan:\n"
        "\n"
        "  # aws_iam_role.untouched has changed\n"
        "  ~ resource \"aws_iam_role\" \"untouched\" {\n"
        "      ~ description = \"\" -> \"by hand\"\n"
        "        id          = \"mlflow-untouched\"\n"
        "        name        = \"mlflow-untouched\"\n"
        "        # (9 unchanged attributes hidden)\n"
        "    }\n"
        "\n"
        "Unless you have made equivalent changes to your configuration, or "
        "ignored the\n"
        "relevant attributes using ignore_changes, the following plan may "
        "include\n"
        "actions to undo or respond to these changes.\n"
        "\n"
        "─────────────────────────────────────────────────────────────────────"
        "────────\n"
        "\n"
        "tern used the selected providers to generate the following execution\n"
        "plan. Resource actions are indicated with the following symbols:\n"
        "  ~ update in-place\n"
        "\n"
        "tern will perform the following actions:\n"
        "\n"
        "  # aws_iam_role.untouched will be updated in-place\n"
        "  ~ resource \"aws_iam_role\" \"untouched\" {\n"
        "      - description = \"by hand\" -> null\n"
        "        id          = \"mlflow-untouched\"\n"
        "        name        = \"mlflow-untouched\"\n"
        "        # (9 unchanged attributes hidden)\n"
        "    }\n"
        "\n"
        "Plan: 0 to add, 1 to change, 0 to destroy.\n"
        "\n"
        "─────────────────────────────────────────────────────────────────────"
        "────────\n"
        "\n"
        "Note: You didn't use the -out option to save this plan, so tern "
        "can't\n"
        "guarantee to take exactly these actions if you run \"tern apply\" "
        "now.\n");
    stop();
}

/* ---- 3: defaults and validation ------------------------------------------ */

static void role_config(const char *extra)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "resource \"aws_iam_role\" \"r\" {\n"
             "  name = \"svc\"\n"
             "%s" TT_HCL_TRUST_EC2 "}\n",
             extra);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

/* The create_date and unique id of tern-sim's only role. */
static void sim_role_ids(char *date, size_t date_size, char *uid,
                         size_t uid_size)
{
    struct tt_response resp;
    json_t *dump, *role;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "dump", NULL));
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    role = json_array_get(
        json_object_get(json_object_get(dump, "iam"), "roles"), 0);
    if (!json_string_value(json_object_get(role, "create_date")) ||
        !json_string_value(json_object_get(role, "id")))
        FAIL("tern-sim holds no role");
    snprintf(date, date_size, "%s",
             json_string_value(json_object_get(role, "create_date")));
    snprintf(uid, uid_size, "%s",
             json_string_value(json_object_get(role, "id")));
    json_decref(dump);
}

TEST(cli_diffs, unset_argument_goes_back_to_the_default)
{
    char date[64], uid[64], want[4096];

    start();
    role_config("  path                 = \"/svc/\"\n"
                "  max_session_duration = 7200\n");
    RUN(0, "apply", "-auto-approve", "-no-color");
    /* As the provider's Default: 3600 and "/", not "keep what is there". */
    role_config("");
    RUN(2, "plan", "-detailed-exitcode", "-no-color");
    sim_role_ids(date, sizeof(date), uid, sizeof(uid));
    snprintf(
        want, sizeof(want),
        "aws_iam_role.r: Refreshing state...\n"
        "\n"
        "tern used the selected providers to generate the following "
        "execution\n"
        "plan. Resource actions are indicated with the following symbols:\n"
        "-/+ destroy and then create replacement\n"
        "\n"
        "tern will perform the following actions:\n"
        "\n"
        "  # aws_iam_role.r must be replaced\n"
        "-/+ resource \"aws_iam_role\" \"r\" {\n"
        "      ~ arn                  = "
        "\"arn:aws:iam::123456789012:role/svc/svc\" -> (known after apply)\n"
        "      ~ create_date          = \"%s\" -> (known after apply)\n"
        "      ~ id                   = \"svc\" -> (known after apply)\n"
        "      + inline_policy        = (known after apply)\n"
        "      + managed_policy_arns  = (known after apply)\n"
        "      ~ max_session_duration = 7200 -> 3600\n"
        "        name                 = \"svc\"\n"
        "      + name_prefix          = (known after apply)\n"
        "      ~ path                 = \"/svc/\" -> \"/\" # forces "
        "replacement\n"
        "      ~ tags_all             = {} -> (known after apply)\n"
        "      ~ unique_id            = \"%s\" -> (known after apply)\n"
        "        # (2 unchanged attributes hidden)\n"
        "    }\n"
        "\n"
        "Plan: 1 to add, 0 to change, 1 to destroy.\n"
        "\n"
        "─────────────────────────────────────────────────────────────────────"
        "────────\n"
        "\n"
        "Note: You didn't use the -out option to save this plan, so tern "
        "can't\n"
        "guarantee to take exactly these actions if you run \"tern apply\" "
        "now.\n",
        date, uid);
    ASSERT_STR_EQ(r.out, want);
    stop();
}

TEST(cli_diffs, provider_validation)
{
    start();
    ASSERT_OK(tt_write_file(
        tern_test_tmpdir(), "main.tf",
        "resource \"aws_iam_role\" \"r\" {\n"
        "  name                 = \"svc\"\n"
        "  description          = \"the \u201Cdeploy\u201D role\"\n"
        "  max_session_duration = 100\n"
        "  permissions_boundary = "
        "\"arn:aws:iam:123456789012:policy/x\"\n" TT_HCL_TRUST_EC2 "}\n"
        "\n"
        "resource \"aws_iam_role_policy\" \"p\" {\n"
        "  role   = \"arn:aws:iam::123456789012:role/svc\"\n"
        "  name   = \"read all\"\n"
        "  policy = \"{}\"\n"
        "}\n"
        "\n"
        "resource \"aws_iam_role_policy_attachment\" \"a\" {\n"
        "  role       = \"svc\"\n"
        "  policy_arn = \"AmazonSageMakerFullAccess\"\n"
        "}\n"
        "\n"
        "resource \"databricks_instance_profile\" \"p\" {\n"
        "  instance_profile_arn = \"arn:aws:iam::123456789012:role/svc\"\n"
        "  iam_role_arn         = \"arn:aws:iam::123456789012:user/svc\"\n"
        "}\n"));
    RUN(1, "validate", "-no-color");
    ASSERT_STR_EQ(
        r.err,
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 3, in resource \"aws_iam_role\" \"r\":\n"
        "   3:   description          = \"the \u201Cdeploy\u201D role\"\n"
        "                               ^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "The argument \"description\" cannot contain specially formatted "
        "single or double quotes (\u201C or \u2018); use plain ' or \".\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 4, in resource \"aws_iam_role\" \"r\":\n"
        "   4:   max_session_duration = 100\n"
        "                               ^^^\n"
        "\n"
        "The argument \"max_session_duration\" must be a whole number of "
        "seconds from 3600 to 43200 (1 to 12 hours), not 100.\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 5, in resource \"aws_iam_role\" \"r\":\n"
        "   5:   permissions_boundary = "
        "\"arn:aws:iam:123456789012:policy/x\"\n"
        "                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "The argument \"permissions_boundary\" is not a valid ARN: "
        "\"arn:aws:iam:123456789012:policy/x\" has 5 of the 6 sections "
        "arn:partition:service:region:account-id:resource.\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 17, in resource \"aws_iam_role_policy\" \"p\":\n"
        "  17:   role   = \"arn:aws:iam::123456789012:role/svc\"\n"
        "                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "The argument \"role\" must be the role's name, not its ARN "
        "(\"arn:aws:iam::123456789012:role/svc\").\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 18, in resource \"aws_iam_role_policy\" \"p\":\n"
        "  18:   name   = \"read all\"\n"
        "                 ^^^^^^^^^^\n"
        "\n"
        "The argument \"name\" may contain only ASCII letters, digits and "
        "_+=,.@- (the AWS provider's [\\w+=,.@-]), not \" \" (character 5 "
        "of \"read all\").\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 24, in resource \"aws_iam_role_policy_attachment\" "
        "\"a\":\n"
        "  24:   policy_arn = \"AmazonSageMakerFullAccess\"\n"
        "                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "The argument \"policy_arn\" is not a valid ARN: "
        "\"AmazonSageMakerFullAccess\" does not start with \"arn:\".\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 28, in resource \"databricks_instance_profile\" "
        "\"p\":\n"
        "  28:   instance_profile_arn = "
        "\"arn:aws:iam::123456789012:role/svc\"\n"
        "                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "The argument \"instance_profile_arn\" must be an ARN of an IAM "
        "instance profile, not \"arn:aws:iam::123456789012:role/svc\".\n"
        "\n"
        "Error: Invalid value for argument\n"
        "\n"
        "  on main.tf line 29, in resource \"databricks_instance_profile\" "
        "\"p\":\n"
        "  29:   iam_role_arn         = "
        "\"arn:aws:iam::123456789012:user/svc\"\n"
        "                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "The argument \"iam_role_arn\" must be an ARN of an IAM role, not "
        "\"arn:aws:iam::123456789012:user/svc\".\n"
        "\n");
    stop();
}

TEST(cli_diffs, policy_document_validation)
{
    start();
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "data \"aws_iam_policy_document\" \"d\" {\n"
                            "  statement {\n"
                            "    sid       = \"read-all\"\n"
                            "    actions   = [\"s3:GetObject\"]\n"
                            "    resources = [\"*\"]\n"
                            "  }\n"
                            "}\n"));
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(
        r.err,
        "Error: Failed to read data source\n"
        "\n"
        "  on main.tf line 1, in data \"aws_iam_policy_document\" \"d\":\n"
        "   1: data \"aws_iam_policy_document\" \"d\" {\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "Reading data.aws_iam_policy_document.d: Invalid IAM policy document\n"
        "\n"
        "Error: Invalid IAM policy document\n"
        "\n"
        "A statement's sid may contain only letters and digits, not "
        "\"read-all\".\n"
        "\n");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "data \"aws_iam_policy_document\" \"d\" {\n"
                            "  version = \"2012-10-18\"\n"
                            "  statement {\n"
                            "    effect    = \"Alow\"\n"
                            "    actions   = [\"s3:GetObject\"]\n"
                            "    resources = [\"*\"]\n"
                            "  }\n"
                            "}\n"));
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(
        r.err,
        "Error: Failed to read data source\n"
        "\n"
        "  on main.tf line 1, in data \"aws_iam_policy_document\" \"d\":\n"
        "   1: data \"aws_iam_policy_document\" \"d\" {\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "Reading data.aws_iam_policy_document.d: Invalid IAM policy document\n"
        "\n"
        "Error: Invalid IAM policy document\n"
        "\n"
        "version must be \"2012-10-17\" or \"2008-10-17\", not "
        "\"2012-10-18\".\n"
        "\n");
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "data \"aws_iam_policy_document\" \"d\" {\n"
                            "  statement {\n"
                            "    effect    = \"Alow\"\n"
                            "    actions   = [\"s3:GetObject\"]\n"
                            "    resources = [\"*\"]\n"
                            "  }\n"
                            "}\n"));
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(
        r.err,
        "Error: Failed to read data source\n"
        "\n"
        "  on main.tf line 1, in data \"aws_iam_policy_document\" \"d\":\n"
        "   1: data \"aws_iam_policy_document\" \"d\" {\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "Reading data.aws_iam_policy_document.d: Invalid IAM policy document\n"
        "\n"
        "Error: Invalid IAM policy document\n"
        "\n"
        "A statement's effect must be \"Allow\" or \"Deny\", not "
        "\"Alow\".\n"
        "\n");
    stop();
}

/* The names tern-sim holds: its only role, instance profile and inline
 * policy. */
static void sim_names(char *role, char *profile, char *policy, size_t size)
{
    struct tt_response resp;
    json_t *dump, *iam, *r0;
    const char *k;
    json_t *v;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", "dump", NULL));
    dump = json_loads(resp.body, 0, NULL);
    tt_response_release(&resp);
    iam = json_object_get(dump, "iam");
    r0 = json_array_get(json_object_get(iam, "roles"), 0);
    snprintf(role, size, "%s", json_string_value(json_object_get(r0, "name")));
    snprintf(profile, size, "%s",
             json_string_value(json_object_get(
                 json_array_get(json_object_get(iam, "instance_profiles"), 0),
                 "name")));
    policy[0] = '\0';
    json_object_foreach(json_object_get(r0, "inline_policies"), k, v)
        snprintf(policy, size, "%s", k);
    json_decref(dump);
}

static void prefix_config(const char *role, const char *profile,
                          const char *policy)
{
    char text[2048];

    snprintf(text, sizeof(text),
             "resource \"aws_iam_role\" \"r\" {\n"
             "  %s\n" TT_HCL_TRUST_EC2 "}\n"
             "\n"
             "resource \"aws_iam_instance_profile\" \"p\" {\n"
             "  %s\n"
             "  role = aws_iam_role.r.name\n"
             "}\n"
             "\n"
             "resource \"aws_iam_role_policy\" \"p\" {\n"
             "  %s\n"
             "  role   = aws_iam_role.r.name\n"
             "  policy = jsonencode({\n"
             "    Version   = \"2012-10-17\"\n"
             "    Statement = [{ Effect = \"Allow\", Action = "
             "\"s3:GetObject\", Resource = \"*\" }]\n"
             "  })\n"
             "}\n",
             role, profile, policy);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", text));
}

TEST(cli_diffs, name_prefix_is_computed)
{
    char role[128], profile[128], policy[128];
    char rl[160], pl[160], ll[160];

    start();
    prefix_config("name_prefix = \"app-\"", "name_prefix = \"app-\"",
                  "name_prefix = \"pol-\"");
    RUN(0, "apply", "-auto-approve", "-no-color");
    sim_names(role, profile, policy, sizeof(role));
    /* Naming the objects now (as a state from Terraform, which records
     * name_prefix, would under a configuration that names them) is no
     * change: name_prefix is Optional+Computed upstream. */
    snprintf(rl, sizeof(rl), "name = \"%s\"", role);
    snprintf(pl, sizeof(pl), "name = \"%s\"", profile);
    snprintf(ll, sizeof(ll), "name = \"%s\"", policy);
    prefix_config(rl, pl, ll);
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_EQ(r.out, NO_CHANGES("aws_iam_instance_profile.p: Refreshing "
                                    "state...\n"
                                    "aws_iam_role.r: Refreshing state...\n"
                                    "aws_iam_role_policy.p"));
    stop();
}

const struct tern_test test_cli_diffs_list[] = {
    TEST_INTEGRATION(cli_diffs, name_prefix_is_computed),
    TEST_INTEGRATION(cli_diffs, policy_document_validation),
    TEST_INTEGRATION(cli_diffs, unset_argument_goes_back_to_the_default),
    TEST_INTEGRATION(cli_diffs, provider_validation),
    TEST_INTEGRATION(cli_diffs, terraform_state_migrated_plans_nothing),
    TEST_INTEGRATION(cli_diffs, terraform_state_real_drift_shows_alone),
    TEST_INTEGRATION(cli_diffs, terraform_state_pushed_plans_nothing),
    TEST_INTEGRATION(cli_diffs, imported_skip_validation_no_diff),
    TEST_INTEGRATION(cli_diffs, skip_validation_true_to_false_still_diffs),
    TEST_END};
