/*
 * The random and time providers through the built binary, with whole
 * outputs: a random_password's result and bcrypt_hash never appear in
 * plan, apply, output or state show; keepers force a replacement; an
 * imported random_string plans no change; and an interrupted time_sleep
 * stops. No provider here makes a network call. What is one command and
 * its whole output (an unmarked sensitive output, argument checks, provider
 * versions) is in tests/cases/cli/340-344.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#define TT_CLI_ENV NULL
#include "cli_test.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* "after 3s" -> "after Ns": how long a step took is not the test's. */
static char *steady(const char *s)
{
    static char buf[16384];
    char *w = buf;

    while (*s && w < buf + sizeof(buf) - 4) {
        if (strncmp(s, "after ", 6) == 0 && isdigit((unsigned char)s[6])) {
            memcpy(w, "after N", 7);
            w += 7;
            for (s += 6; isdigit((unsigned char)*s); s++)
                ;
            continue;
        }
        *w++ = *s++;
    }
    *w = '\0';
    return buf;
}

static char *dup(const char *s)
{
    char *d = strdup(s ? s : "");

    if (!d)
        FAIL("out of memory");
    return d;
}

static const char password_cfg[] = "resource \"random_password\" \"db\" {\n"
                                   "  length  = 16\n"
                                   "  keepers = { rotation = \"%s\" }\n"
                                   "}\n"
                                   "\n"
                                   "output \"pw\" {\n"
                                   "  value     = random_password.db.result\n"
                                   "  sensitive = true\n"
                                   "}\n";

static void write_password_cfg(const char *rotation)
{
    char cfg[512];

    snprintf(cfg, sizeof(cfg), password_cfg, rotation);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", cfg));
}

TEST(cli_random_time, password_never_shown)
{
    static const char want_apply[] =
        "\n"
        "tern used the selected providers to generate the following "
        "execution\n"
        "plan. Resource actions are indicated with the following symbols:\n"
        "  + create\n"
        "\n"
        "tern will perform the following actions:\n"
        "\n"
        "  # random_password.db will be created\n"
        "  + resource \"random_password\" \"db\" {\n"
        "      + bcrypt_hash = (sensitive value)\n"
        "      + id          = (known after apply)\n"
        "      + keepers     = {\n"
        "          + \"rotation\" = \"1\"\n"
        "        }\n"
        "      + length      = 16\n"
        "      + lower       = true\n"
        "      + min_lower   = 0\n"
        "      + min_numeric = 0\n"
        "      + min_special = 0\n"
        "      + min_upper   = 0\n"
        "      + number      = true\n"
        "      + numeric     = true\n"
        "      + result      = (sensitive value)\n"
        "      + special     = true\n"
        "      + upper       = true\n"
        "    }\n"
        "\n"
        "Plan: 1 to add, 0 to change, 0 to destroy.\n"
        "\n"
        "Changes to Outputs:\n"
        "  + pw = (sensitive value)\n"
        "\n"
        "random_password.db: Creating...\n"
        "random_password.db: Creation complete after Ns [id=none]\n"
        "\n"
        "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\n"
        "\n"
        "Outputs:\n"
        "\n"
        "pw = <sensitive>\n";
    static const char want_show[] = "# random_password.db:\n"
                                    "resource \"random_password\" \"db\" {\n"
                                    "    bcrypt_hash = (sensitive value)\n"
                                    "    id          = \"none\"\n"
                                    "    keepers     = {\n"
                                    "        \"rotation\" = \"1\"\n"
                                    "    }\n"
                                    "    length      = 16\n"
                                    "    lower       = true\n"
                                    "    min_lower   = 0\n"
                                    "    min_numeric = 0\n"
                                    "    min_special = 0\n"
                                    "    min_upper   = 0\n"
                                    "    number      = true\n"
                                    "    numeric     = true\n"
                                    "    result      = (sensitive value)\n"
                                    "    special     = true\n"
                                    "    upper       = true\n"
                                    "}\n";
    static const char want_replace[] =
        "random_password.db: Refreshing state...\n"
        "\n"
        "tern used the selected providers to generate the following "
        "execution\n"
        "plan. Resource actions are indicated with the following symbols:\n"
        "-/+ destroy and then create replacement\n"
        "\n"
        "tern will perform the following actions:\n"
        "\n"
        "  # random_password.db must be replaced\n"
        "-/+ resource \"random_password\" \"db\" {\n"
        "      ~ bcrypt_hash = (sensitive value)\n"
        "      ~ id          = \"none\" -> (known after apply)\n"
        "      ~ keepers     = {\n"
        "          ~ \"rotation\" = \"1\" -> \"2\"\n"
        "        } # forces replacement\n"
        "      ~ result      = (sensitive value)\n"
        "        # (10 unchanged attributes hidden)\n"
        "    }\n"
        "\n"
        "Plan: 1 to add, 0 to change, 1 to destroy.\n"
        "\n"
        "Changes to Outputs:\n"
        "  ~ pw = (sensitive value)\n";
    char *seen, *secret, *hash;
    size_t len;
    json_t *state;

    write_password_cfg("1");
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_EQ(steady(r.out), want_apply);
    ASSERT_STR_EQ(r.err, "");
    seen = dup(r.out);
    RUN(0, "output", "-no-color");
    ASSERT_STR_EQ(r.out, "pw = <sensitive>\n");
    ASSERT_STR_EQ(r.err, "");
    RUN(0, "state", "show", "-no-color", "random_password.db");
    ASSERT_STR_EQ(r.out, want_show);
    ASSERT_STR_EQ(r.err, "");
    /* The values themselves, as only `output -raw` and `show -json`
     * (Terraform's explicit ways) give them. */
    RUN(0, "output", "-raw", "pw");
    secret = dup(r.out);
    ASSERT_EQ(strlen(secret), 16);
    RUN(0, "show", "-json");
    state = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(state);
    hash = dup(json_string_value(json_object_get(
        json_object_get(
            json_array_get(json_object_get(
                               json_object_get(json_object_get(state, "values"),
                                               "root_module"),
                               "resources"),
                           0),
            "values"),
        "bcrypt_hash")));
    json_decref(state);
    ASSERT_EQ(strlen(hash), 60);
    /* A refresh plans nothing. */
    RUN(0, "plan", "-no-color", "-detailed-exitcode");
    /* keepers replace it. */
    write_password_cfg("2");
    RUN(0, "plan", "-no-color");
    len = strlen(want_replace);
    ASSERT(strncmp(r.out, want_replace, len) == 0);
    ASSERT_STR_EQ(r.out + len,
                  "\n─────────────────────────────────────────────────────"
                  "────────────────────────\n\nNote: You didn't use the -out "
                  "option to save this plan, so tern can't\nguarantee to "
                  "take exactly these actions if you run \"tern apply\" "
                  "now.\n");
    /* Nothing printed held the password or its hash. */
    ASSERT_STR_NOT_CONTAINS(seen, secret);
    ASSERT_STR_NOT_CONTAINS(want_show, secret);
    ASSERT_STR_NOT_CONTAINS(r.out, secret);
    ASSERT_STR_NOT_CONTAINS(seen, hash);
    free(seen);
    free(secret);
    free(hash);
    tt_run_release(&r);
}

TEST(cli_random_time, import_then_no_changes)
{
    static const char want_show[] = "# random_string.s:\n"
                                    "resource \"random_string\" \"s\" {\n"
                                    "    id          = \"aB3-x\"\n"
                                    "    length      = 5\n"
                                    "    lower       = true\n"
                                    "    min_lower   = 0\n"
                                    "    min_numeric = 0\n"
                                    "    min_special = 0\n"
                                    "    min_upper   = 0\n"
                                    "    number      = true\n"
                                    "    numeric     = true\n"
                                    "    result      = \"aB3-x\"\n"
                                    "    special     = true\n"
                                    "    upper       = true\n"
                                    "}\n";

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "resource \"random_string\" \"s\" {\n"
                            "  length = 5\n"
                            "}\n"
                            "\n"
                            "resource \"time_static\" \"t\" {}\n"));
    RUN(0, "import", "-no-color", "random_string.s", "aB3-x");
    RUN(0, "import", "-no-color", "time_static.t", "2024-02-29T23:30:00Z");
    RUN(0, "state", "show", "-no-color", "random_string.s");
    ASSERT_STR_EQ(r.out, want_show);
    RUN(0, "state", "show", "-no-color", "time_static.t");
    ASSERT_STR_EQ(r.out, "# time_static.t:\n"
                         "resource \"time_static\" \"t\" {\n"
                         "    day     = 29\n"
                         "    hour    = 23\n"
                         "    id      = \"2024-02-29T23:30:00Z\"\n"
                         "    minute  = 30\n"
                         "    month   = 2\n"
                         "    rfc3339 = \"2024-02-29T23:30:00Z\"\n"
                         "    second  = 0\n"
                         "    unix    = 1709249400\n"
                         "    year    = 2024\n"
                         "}\n");
    RUN(0, "plan", "-no-color", "-detailed-exitcode");
    RUN(1, "import", "-no-color", "time_static.t", "yesterday");
    tt_run_release(&r);
}

/* Ctrl-C twice cancels a running time_sleep (the first lets running steps
 * finish, as every apply's); it is not in the state afterwards. */
TEST(cli_random_time, sleep_interrupted)
{
    const char *args[] = {"apply", "-auto-approve", "-no-color", NULL};
    const long twice[2] = {200, 600};

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "resource \"time_sleep\" \"w\" {\n"
                            "  create_duration = \"1h\"\n"
                            "}\n"));
    ASSERT_OK(tt_run_tern_interrupt(&r, tern_test_tmpdir(), NULL, args,
                                    "Creating...", twice));
    ASSERT_EQ(r.status, 1);
    ASSERT_STR_EQ(r.err,
                  "\nInterrupt received.\nPlease wait for tern to exit or "
                  "data loss may occur.\nGracefully shutting down: no new "
                  "steps start; running ones finish and are saved. Interrupt "
                  "again to cancel them.\n\nTwo interrupts received. "
                  "Cancelling the running steps; what already finished is "
                  "saved.\n\nStopped after an interrupt: 0 added, 0 changed, "
                  "0 destroyed; 0 step(s) not run. Everything that finished "
                  "is saved in the state.\nError: canceled\n\ncreating "
                  "time_sleep.w: canceled\n\n");
    /* The next apply creates it (a time_sleep has nothing to look up). */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf",
                            "resource \"time_sleep\" \"w\" {\n"
                            "  create_duration = \"1ms\"\n"
                            "}\n"));
    RUN(0, "apply", "-auto-approve", "-no-color");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "time_sleep.w\n");
    tt_run_release(&r);
}

const struct tern_test test_cli_random_time_list[] = {
    TEST_INTEGRATION(cli_random_time, password_never_shown),
    TEST_INTEGRATION(cli_random_time, import_then_no_changes),
    TEST_INTEGRATION(cli_random_time, sleep_interrupted), TEST_END};
