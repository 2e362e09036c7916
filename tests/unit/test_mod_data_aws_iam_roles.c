/*
 * data "aws_iam_roles" and data "aws_iam_instance_profile" against
 * tern-sim: the roles a path prefix and a name expression select (one
 * ListRoles), none matching, a bad expression; a profile with and without
 * its role, Go's text of the creation time, a missing profile.
 */
#include "runner.h"
#include "test_mod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const tern_module tern_module_data_aws_iam_roles;
extern const tern_module tern_module_data_aws_iam_instance_profile;
#define R  (&tern_module_data_aws_iam_roles)
#define IP (&tern_module_data_aws_iam_instance_profile)

#define ROLE_ARN(p, n) "arn:aws:iam::" MOD_ACCOUNT ":role" p n

/* mod_diag_text() with the request id and the attempt count, which vary
 * from run to run, written as "*" (static buffer). */
static const char *diag_text(struct mod_fx *fx)
{
    static char buf[8192];
    const char *s = mod_diag_text(fx);
    size_t n = 0;

    while (*s && n + 2 < sizeof(buf)) {
        if (strncmp(s, "request id ", 11) == 0) {
            memcpy(buf + n, "request id *", 12);
            n += 12;
            s += 11;
            while (*s && *s != ',' && *s != ')')
                s++;
            if (strncmp(s, ", ", 2) == 0 && s[2] >= '0' && s[2] <= '9') {
                memcpy(buf + n, ", *", 3);
                n += 3;
                s += 2;
                while (*s >= '0' && *s <= '9')
                    s++;
            }
            continue;
        }
        buf[n++] = *s++;
    }
    buf[n] = '\0';
    return buf;
}

static const char *compact(const json_t *st)
{
    static char buf[2048];
    char *s = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);

    snprintf(buf, sizeof(buf), "%s", s ? s : "(null)");
    free(s);
    return buf;
}

static void load_roles(struct mod_fx *fx)
{
    mod_load(fx, "{\"iam\": {\"roles\": ["
                 "{\"name\": \"dbx-ws\", \"path\": \"/dbx/\", "
                 "\"assume_role_policy\": " MOD_TRUST_EC2 "},"
                 "{\"name\": \"dbx-cluster\", \"path\": \"/dbx/\", "
                 "\"assume_role_policy\": " MOD_TRUST_EC2 "},"
                 "{\"name\": \"app\", \"assume_role_policy\": " MOD_TRUST_EC2
                 "}]}}");
}

static const char *read_roles(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;
    const char *text;

    if (R->read(&st, &fx->op, cfg) != TERN_OK)
        FAIL("read: %s", mod_diag_text(fx));
    text = compact(st);
    json_decref(st);
    json_decref(cfg);
    return text;
}

TEST(mod_data_aws_iam_roles, filters)
{
    struct mod_fx fx;

    mod_fx_start(&fx, NULL);
    load_roles(&fx);
    mod_clear_calls(&fx);
    ASSERT_STR_EQ(
        read_roles(&fx, "{\"path_prefix\": \"/dbx/\"}"),
        "{\"arns\":[\"" ROLE_ARN("/dbx/", "dbx-cluster") "\",\"" ROLE_ARN(
            "/dbx/", "dbx-ws") "\"],\"id\":\"us-east-1\",\"name_regex\":null,"
                               "\"names\":[\"dbx-cluster\",\"dbx-ws\"],"
                               "\"path_prefix\":\"/dbx/\"}");
    ASSERT_STR_EQ(mod_calls(&fx), "ListRoles");
    /* A match anywhere in the name, as Go's MatchString. */
    ASSERT_STR_EQ(read_roles(&fx, "{\"name_regex\": \"ws$|^ap\"}"),
                  "{\"arns\":[\"" ROLE_ARN("/", "app") "\",\"" ROLE_ARN(
                      "/dbx/", "dbx-ws") "\"],\"id\":\"us-east-1\","
                                         "\"name_regex\":\"ws$|^ap\","
                                         "\"names\":[\"app\",\"dbx-ws\"],"
                                         "\"path_prefix\":null}");
    /* Nothing matches: empty sets. */
    ASSERT_STR_EQ(read_roles(&fx, "{\"name_regex\": \"^none\", "
                                  "\"path_prefix\": \"/dbx/\"}"),
                  "{\"arns\":[],\"id\":\"us-east-1\",\"name_regex\":"
                  "\"^none\",\"names\":[],\"path_prefix\":\"/dbx/\"}");
    ASSERT_EQ(fx.diags.count, 0);
    mod_fx_stop(&fx);
}

TEST(mod_data_aws_iam_roles, bad_regex)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;
    char why[256];

    mod_fx_start(&fx, NULL);
    ASSERT_NE(tern__regex_check("dbx-(", why, sizeof(why)), 0);
    ASSERT_EQ(tern__regex_check("^dbx-(ws|cluster)$", why, sizeof(why)), 0);
    ASSERT_EQ(tern__regex_check("^a\\.b\\\\d", why, sizeof(why)), 0);
    ASSERT_NE(tern__regex_check("^dbx-\\d+$", why, sizeof(why)), 0);
    ASSERT_STR_EQ(why, "uses \\d, RE2 syntax that tern's regular expressions "
                       "(POSIX extended) do not have.");
    ASSERT_NE(tern__regex_check("(?i)dbx", why, sizeof(why)), 0);
    ASSERT_STR_EQ(why, "uses a (?...) group, which tern's regular expressions "
                       "(POSIX extended) do not have.");
    cfg = mod_json("{\"name_regex\": \"dbx-(\"}");
    mod_clear_calls(&fx);
    ASSERT_EQ(R->read(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot read IAM roles []: The argument \"name_regex\" is "
                  "not a valid regular expression: Unmatched ( or \\(.");
    ASSERT_NULL(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_data_aws_iam_instance_profile, read_and_missing)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    mod_load(
        &fx,
        "{\"iam\": {\"roles\": [{\"name\": \"ws\", \"id\": "
        "\"AROAWS0000000000000001\", \"assume_role_policy\": " MOD_TRUST_EC2
        "}], \"instance_profiles\": [{\"name\": \"ws\", \"path\": "
        "\"/dbx/\", \"id\": \"AIPAWS0000000000000001\", "
        "\"create_date\": \"2024-01-02T03:04:05Z\", \"roles\": "
        "[\"ws\"]}, {\"name\": \"empty\", \"id\": "
        "\"AIPAEMPTY00000000000001\", \"create_date\": "
        "\"2023-11-30T23:59:00Z\"}]}}");
    cfg = mod_json("{\"name\": \"ws\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(IP->read(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "GetInstanceProfile");
    ASSERT_STR_EQ(
        compact(st),
        "{\"arn\":\"arn:aws:iam::" MOD_ACCOUNT
        ":instance-profile/dbx/ws\",\"create_date\":\"2024-01-02 "
        "03:04:05 +0000 UTC\",\"id\":\"AIPAWS0000000000000001\","
        "\"name\":\"ws\",\"path\":\"/dbx/\",\"role_arn\":"
        "\"" ROLE_ARN("/",
                      "ws") "\",\"role_id\":"
                            "\"AROAWS0000000000000001\",\"role_name\":\"ws\"}");
    json_decref(st);
    st = NULL;
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"empty\"}");
    ASSERT_OK(IP->read(&st, &fx.op, cfg));
    ASSERT_STR_EQ(compact(st),
                  "{\"arn\":\"arn:aws:iam::" MOD_ACCOUNT
                  ":instance-profile/empty\",\"create_date\":\"2023-11-30 "
                  "23:59:00 +0000 UTC\",\"id\":\"AIPAEMPTY00000000000001\","
                  "\"name\":\"empty\",\"path\":\"/\",\"role_arn\":null,"
                  "\"role_id\":null,\"role_name\":null}");
    json_decref(st);
    st = NULL;
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"nope\"}");
    ASSERT_EQ(IP->read(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot read IAM instance profile 'nope' [NoSuchEntity]: "
                  "IAM GetInstanceProfile: NoSuchEntity: Instance Profile "
                  "nope cannot be found. (HTTP 404, request id *, * attempt). "
                  "The object it names does not exist (or was deleted outside "
                  "tern): check the name, or create it first.");
    json_decref(cfg);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_data_aws_iam_roles_list[] = {
    TEST_MODULE(mod_data_aws_iam_roles, filters),
    TEST_MODULE(mod_data_aws_iam_roles, bad_regex),
    TEST_MODULE(mod_data_aws_iam_instance_profile, read_and_missing), TEST_END};
