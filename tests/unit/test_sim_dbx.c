/*
 * tern-sim's Databricks instance-profiles API over HTTP: authentication,
 * add/list/edit/remove, duplicates and unknown profiles, ARN and body
 * validation, the RunInstances dry run (a profile without a role, unknown,
 * or not yet visible in IAM), skip_validation, and dump/load.
 */
#include "runner.h"
#include "support.h"
#include "aws_call.h"

#include <jansson.h>
#include <unistd.h>

#define ACCOUNT "123456789012"
/* Kept in step with SIM_DEFAULT_DBX_TOKEN in tests/sim/sim.h. */
#define TOKEN   "dapi-ternsim-default-token-0001"
#define PROFILE "arn:aws:iam::" ACCOUNT ":instance-profile/"
#define ROLE    "arn:aws:iam::" ACCOUNT ":role/"
#define TRUST                                                                  \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"                       \
    "\"Action\":\"sts:AssumeRole\"}]}"

/* One call with a bearer token (NULL: no Authorization header). */
static void dbx_call(struct tt_response *r, const struct tt_sim *sim,
                     const char *method, const char *endpoint, const char *body,
                     const char *token)
{
    char url[256], auth[256];
    const char *hdrs[3] = {"Content-Type: application/json", NULL, NULL};

    snprintf(url, sizeof(url), "%s/api/2.0/instance-profiles/%s", sim->base_url,
             endpoint);
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        hdrs[1] = auth;
    }
    ASSERT_OK(tt_http(r, method, url, hdrs, body, body ? strlen(body) : 0));
}

static void dbx(struct tt_response *r, const struct tt_sim *sim,
                const char *method, const char *endpoint, const char *body)
{
    dbx_call(r, sim, method, endpoint, body, TOKEN);
}

static json_t *body_json(const struct tt_response *r)
{
    json_t *doc = json_loads(r->body, 0, NULL);

    if (!doc)
        FAIL("not JSON (%ld):\n%s", r->status, r->body);
    return doc;
}

/* Expect {"error_code": code, ...} with this status; returns the message. */
static void expect_error(const struct tt_response *r, long status,
                         const char *code, const char *message)
{
    json_t *doc;

    if (r->status != status)
        FAIL("status %ld, expected %ld:\n%s", r->status, status, r->body);
    doc = body_json(r);
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "error_code")), code);
    ASSERT_NOT_NULL(json_string_value(json_object_get(doc, "message")));
    if (message)
        ASSERT_STR_EQ(json_string_value(json_object_get(doc, "message")),
                      message);
    json_decref(doc);
}

static void expect_ok_empty(struct tt_response *r)
{
    if (r->status != 200)
        FAIL("status %ld:\n%s", r->status, r->body);
    ASSERT_STR_EQ(r->body, "{}");
    tt_response_release(r);
}

/* GET list, as JSON text with sorted keys, for exact comparisons. */
static char *list_text(const struct tt_sim *sim)
{
    struct tt_response r;
    json_t *doc;
    char *text;

    dbx(&r, sim, "GET", "list", NULL);
    if (r.status != 200)
        FAIL("list: %ld\n%s", r.status, r.body);
    doc = body_json(&r);
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    tt_response_release(&r);
    return text;
}

static void expect_list(const struct tt_sim *sim, const char *expected)
{
    char *text = list_text(sim);

    ASSERT_STR_EQ(text, expected);
    free(text);
}

/* One IAM call that must succeed. */
static void iam_ok(const struct tt_sim *sim, const char *action,
                   const char *const *params)
{
    struct tt_response r;

    ASSERT_OK(tt_iam(&r, sim, action, params));
    if (r.status != 200)
        FAIL("%s: %ld\n%s", action, r.status, r.body);
    tt_response_release(&r);
}

/* An IAM instance profile, holding a role of the same name if with_role. */
static void make_profile(const struct tt_sim *sim, const char *name,
                         int with_role)
{
    const char *role[] = {"RoleName", name, "AssumeRolePolicyDocument", TRUST,
                          NULL};
    const char *profile[] = {"InstanceProfileName", name, NULL};
    const char *attach[] = {"InstanceProfileName", name, "RoleName", name,
                            NULL};

    iam_ok(sim, "CreateInstanceProfile", profile);
    if (with_role) {
        iam_ok(sim, "CreateRole", role);
        iam_ok(sim, "AddRoleToInstanceProfile", attach);
    }
}

TEST(sim_dbx, missing_token_is_401)
{
    struct tt_sim sim;
    struct tt_response r;
    json_t *doc;
    const char *basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
    char url[256];

    ASSERT_OK(tt_sim_start(&sim, NULL));
    dbx_call(&r, &sim, "GET", "list", NULL, NULL);
    ASSERT_EQ(r.status, 401);
    doc = body_json(&r);
    /* Databricks sends the HTTP status as a number here, not a string. */
    ASSERT_EQ(json_integer_value(json_object_get(doc, "error_code")), 401);
    ASSERT_STR_CONTAINS(
        json_string_value(json_object_get(doc, "message")),
        "Credential was not sent or was of an unsupported type for this API.");
    json_decref(doc);
    tt_response_release(&r);

    snprintf(url, sizeof(url), "%s/api/2.0/instance-profiles/list",
             sim.base_url);
    ASSERT_OK(tt_http(&r, "GET", url, basic, NULL, 0));
    ASSERT_EQ(r.status, 401);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_dbx, wrong_token_is_403)
{
    struct tt_sim sim;
    struct tt_response r;
    json_t *doc;
    const char *args[] = {"--databricks-token", "dapi-second", NULL};

    ASSERT_OK(tt_sim_start(&sim, args));
    dbx_call(&r, &sim, "POST", "add",
             "{\"instance_profile_arn\":\"" PROFILE "x\"}", "dapi-wrong");
    ASSERT_EQ(r.status, 403);
    doc = body_json(&r);
    ASSERT_EQ(json_integer_value(json_object_get(doc, "error_code")), 403);
    ASSERT_STR_EQ(json_string_value(json_object_get(doc, "message")),
                  "Invalid access token.");
    json_decref(doc);
    ASSERT_STR_CONTAINS(r.headers,
                        "X-Databricks-Reason-Phrase: Invalid access token.");
    tt_response_release(&r);

    /* An extra token from the command line is accepted too. */
    dbx_call(&r, &sim, "GET", "list", NULL, "dapi-second");
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_dbx, add_list_edit_remove)
{
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    make_profile(&sim, "etl", 1);
    make_profile(&sim, "ml", 1);
    expect_list(&sim, "{}");

    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "etl\"}");
    expect_ok_empty(&r);
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "ml\",\"iam_role_arn\":\"" ROLE
        "ml\",\"is_meta_instance_profile\":true}");
    expect_ok_empty(&r);
    expect_list(&sim, "{\"instance_profiles\":["
                      "{\"instance_profile_arn\":\"" PROFILE "etl\","
                      "\"is_meta_instance_profile\":false},"
                      "{\"iam_role_arn\":\"" ROLE "ml\","
                      "\"instance_profile_arn\":\"" PROFILE "ml\","
                      "\"is_meta_instance_profile\":true}]}");

    dbx(&r, &sim, "POST", "edit",
        "{\"instance_profile_arn\":\"" PROFILE "etl\",\"iam_role_arn\":\"" ROLE
        "etl\"}");
    expect_ok_empty(&r);
    dbx(&r, &sim, "POST", "edit",
        "{\"instance_profile_arn\":\"" PROFILE "ml\","
        "\"is_meta_instance_profile\":false}");
    expect_ok_empty(&r);
    expect_list(&sim, "{\"instance_profiles\":["
                      "{\"iam_role_arn\":\"" ROLE "etl\","
                      "\"instance_profile_arn\":\"" PROFILE "etl\","
                      "\"is_meta_instance_profile\":false},"
                      "{\"instance_profile_arn\":\"" PROFILE "ml\","
                      "\"is_meta_instance_profile\":false}]}");

    dbx(&r, &sim, "POST", "remove",
        "{\"instance_profile_arn\":\"" PROFILE "etl\"}");
    expect_ok_empty(&r);
    expect_list(&sim, "{\"instance_profiles\":["
                      "{\"instance_profile_arn\":\"" PROFILE "ml\","
                      "\"is_meta_instance_profile\":false}]}");
    dbx(&r, &sim, "POST", "remove",
        "{\"instance_profile_arn\":\"" PROFILE "ml\"}");
    expect_ok_empty(&r);
    expect_list(&sim, "{}");
    tt_sim_stop(&sim);
}

TEST(sim_dbx, duplicate_and_unknown)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *add = "{\"instance_profile_arn\":\"" PROFILE "dup\"}";

    ASSERT_OK(tt_sim_start(&sim, NULL));
    make_profile(&sim, "dup", 1);
    dbx(&r, &sim, "POST", "add", add);
    expect_ok_empty(&r);
    dbx(&r, &sim, "POST", "add", add);
    expect_error(&r, 400, "RESOURCE_ALREADY_EXISTS",
                 "Instance profile with ARN " PROFILE "dup already exists.");
    tt_response_release(&r);
    /* Even without validation a duplicate is refused. */
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "dup\","
        "\"skip_validation\":true}");
    expect_error(&r, 400, "RESOURCE_ALREADY_EXISTS", NULL);
    tt_response_release(&r);

    dbx(&r, &sim, "POST", "edit",
        "{\"instance_profile_arn\":\"" PROFILE "gone\",\"iam_role_arn\":\"" ROLE
        "gone\"}");
    expect_error(&r, 404, "RESOURCE_DOES_NOT_EXIST",
                 "Instance profile with ARN " PROFILE "gone does not exist.");
    tt_response_release(&r);
    dbx(&r, &sim, "POST", "remove",
        "{\"instance_profile_arn\":\"" PROFILE "gone\"}");
    expect_error(&r, 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_dbx, arns_and_fields_are_validated)
{
    static const char *const bad_profiles[] = {
        "not-an-arn",
        "arn:aws:iam::" ACCOUNT ":role/etl",
        "arn:aws:iam::12345:instance-profile/etl",
        "arn:aws:iam::" ACCOUNT ":instance-profile/",
        "arn:aws:s3:::" ACCOUNT ":instance-profile/etl",
        NULL};
    struct tt_sim sim;
    struct tt_response r;
    char body[512];
    size_t i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    for (i = 0; bad_profiles[i]; i++) {
        snprintf(body, sizeof(body),
                 "{\"instance_profile_arn\":\"%s\","
                 "\"skip_validation\":true}",
                 bad_profiles[i]);
        dbx(&r, &sim, "POST", "add", body);
        expect_error(&r, 400, "INVALID_PARAMETER_VALUE", NULL);
        ASSERT_STR_CONTAINS(r.body, "Invalid instance profile ARN");
        tt_response_release(&r);
    }
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "p\",\"iam_role_arn\":\"" PROFILE
        "p\",\"skip_validation\":true}");
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE", NULL);
    ASSERT_STR_CONTAINS(r.body, "Invalid IAM role ARN");
    tt_response_release(&r);

    dbx(&r, &sim, "POST", "add", "{\"skip_validation\":true}");
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE",
                 "Missing required field: instance_profile_arn");
    tt_response_release(&r);
    dbx(&r, &sim, "POST", "remove", NULL);
    expect_error(&r, 400, "INVALID_PARAMETER_VALUE",
                 "Missing required field: instance_profile_arn");
    tt_response_release(&r);

    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "p\","
        "\"skip_validation\":\"yes\"}");
    expect_error(&r, 400, "MALFORMED_REQUEST", NULL);
    tt_response_release(&r);
    dbx(&r, &sim, "POST", "add", "{\"instance_profile_arn\":42}");
    expect_error(&r, 400, "MALFORMED_REQUEST", NULL);
    tt_response_release(&r);

    /* A path in the name is fine. */
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "teams/data/p\","
        "\"iam_role_arn\":\"" ROLE "teams/data/p\",\"skip_validation\":true}");
    expect_ok_empty(&r);
    expect_list(&sim, "{\"instance_profiles\":["
                      "{\"iam_role_arn\":\"" ROLE "teams/data/p\","
                      "\"instance_profile_arn\":\"" PROFILE "teams/data/p\","
                      "\"is_meta_instance_profile\":false}]}");
    tt_sim_stop(&sim);
}

TEST(sim_dbx, malformed_requests)
{
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    dbx(&r, &sim, "POST", "add", "{\"instance_profile_arn\": ");
    expect_error(&r, 400, "MALFORMED_REQUEST",
                 "Invalid JSON given in the body of the request - failed to "
                 "parse given JSON");
    tt_response_release(&r);
    dbx(&r, &sim, "POST", "add", "[1, 2]");
    expect_error(&r, 400, "MALFORMED_REQUEST",
                 "Invalid JSON given in the body of the request - expected a "
                 "map");
    tt_response_release(&r);

    /* Wrong method: the front end's HTML page, not JSON. */
    dbx(&r, &sim, "GET", "add", NULL);
    ASSERT_EQ(r.status, 405);
    ASSERT_STR_CONTAINS(r.headers, "text/html");
    ASSERT_STR_CONTAINS(r.body, "HTTP method GET is not supported by this URL");
    tt_response_release(&r);
    dbx(&r, &sim, "POST", "list", "{}");
    ASSERT_EQ(r.status, 405);
    ASSERT_STR_CONTAINS(r.body,
                        "HTTP method POST is not supported by this URL");
    tt_response_release(&r);

    dbx(&r, &sim, "POST", "delete", "{}");
    expect_error(&r, 404, "ENDPOINT_NOT_FOUND",
                 "No API found for 'POST /instance-profiles/delete'");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_dbx, dry_run_needs_a_profile_with_a_role)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *attach[] = {"InstanceProfileName", "bare", "RoleName", "bare",
                            NULL};
    const char *role[] = {"RoleName", "bare", "AssumeRolePolicyDocument", TRUST,
                          NULL};

    ASSERT_OK(tt_sim_start(&sim, NULL));
    make_profile(&sim, "bare", 0);

    /* No such profile in IAM. */
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "nowhere\"}");
    expect_error(&r, 400, "DRY_RUN_FAILED",
                 "Verification of the instance profile failed. AWS error: "
                 "Value (" PROFILE "nowhere) for parameter "
                 "iamInstanceProfile.arn is invalid. Invalid IAM Instance "
                 "Profile ARN");
    tt_response_release(&r);

    /* A profile that holds no role fails the same way. */
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "bare\","
        "\"skip_validation\":false}");
    expect_error(&r, 400, "DRY_RUN_FAILED", NULL);
    ASSERT_STR_CONTAINS(r.body, "Invalid IAM Instance Profile ARN");
    tt_response_release(&r);
    expect_list(&sim, "{}");

    /* Give it a role: now it passes. */
    iam_ok(&sim, "CreateRole", role);
    iam_ok(&sim, "AddRoleToInstanceProfile", attach);
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "bare\"}");
    expect_ok_empty(&r);
    tt_sim_stop(&sim);
}

TEST(sim_dbx, skip_validation_skips_the_dry_run)
{
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    dbx(&r, &sim, "POST", "add",
        "{\"instance_profile_arn\":\"" PROFILE "elsewhere\","
        "\"skip_validation\":true}");
    expect_ok_empty(&r);
    expect_list(&sim, "{\"instance_profiles\":["
                      "{\"instance_profile_arn\":\"" PROFILE "elsewhere\","
                      "\"is_meta_instance_profile\":false}]}");
    tt_sim_stop(&sim);
}

/* Let @ms pass on tern-sim's clock (POST /_sim/clock). */
static void advance_clock(struct tt_sim *sim, long ms)
{
    struct tt_response r;
    char body[64];

    snprintf(body, sizeof(body), "{\"advance_ms\": %ld}", ms);
    ASSERT_OK(tt_sim_control(&r, sim, "POST", "clock", body));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
}

TEST(sim_dbx, dry_run_waits_for_propagation)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *args[] = {"--propagation-ms", "300", NULL};
    const char *add = "{\"instance_profile_arn\":\"" PROFILE "slow\"}";
    const char *attach[] = {"InstanceProfileName", "slow", "RoleName", "slow",
                            NULL};

    ASSERT_OK(tt_sim_start(&sim, args));
    /* Load, visible at once, holds the role... */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"iam\":{\"roles\":[{\"name\":\"slow\","
                             "\"assume_role_policy\":" TRUST "}]}}"));
    if (r.status != 200)
        FAIL("load: %ld\n%s", r.status, r.body);
    tt_response_release(&r);
    /* ...but a profile created through the API now is not yet visible. */
    make_profile(&sim, "slow", 0);
    /* IAM itself refuses to name the profile until it is visible; the
     * delays pass on tern-sim's clock (POST /_sim/clock), not waited for. */
    ASSERT_OK(tt_iam(&r, &sim, "AddRoleToInstanceProfile", attach));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "NoSuchEntity");
    tt_response_release(&r);
    advance_clock(&sim, 300);
    ASSERT_OK(tt_iam(&r, &sim, "AddRoleToInstanceProfile", attach));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    /* The membership propagates too: the dry run fails until it has. */
    dbx(&r, &sim, "POST", "add", add);
    expect_error(&r, 400, "DRY_RUN_FAILED", NULL);
    tt_response_release(&r);
    advance_clock(&sim, 300);
    dbx(&r, &sim, "POST", "add", add);
    expect_ok_empty(&r);
    tt_sim_stop(&sim);
}

TEST(sim_dbx, dump_and_load)
{
    struct tt_sim sim;
    struct tt_response r;
    json_t *doc;
    char *text;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"databricks\":{\"instance_profiles\":["
                             "{\"instance_profile_arn\":\"" PROFILE "a\"},"
                             "{\"instance_profile_arn\":\"" PROFILE
                             "b\",\"iam_role_arn\":\"" ROLE
                             "b\",\"is_meta_instance_profile\":true}]}}"));
    if (r.status != 200)
        FAIL("load: %ld\n%s", r.status, r.body);
    tt_response_release(&r);
    expect_list(&sim, "{\"instance_profiles\":["
                      "{\"instance_profile_arn\":\"" PROFILE "a\","
                      "\"is_meta_instance_profile\":false},"
                      "{\"iam_role_arn\":\"" ROLE "b\","
                      "\"instance_profile_arn\":\"" PROFILE "b\","
                      "\"is_meta_instance_profile\":true}]}");

    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "dump", NULL));
    ASSERT_EQ(r.status, 200);
    doc = body_json(&r);
    /* The profiles; SCIM and the policies have their own tests. */
    text = json_dumps(json_object_get(json_object_get(doc, "databricks"),
                                      "instance_profiles"),
                      JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR_EQ(text, "["
                        "{\"instance_profile_arn\":\"" PROFILE "a\","
                        "\"is_meta_instance_profile\":false},"
                        "{\"iam_role_arn\":\"" ROLE "b\","
                        "\"instance_profile_arn\":\"" PROFILE "b\","
                        "\"is_meta_instance_profile\":true}]");
    free(text);
    json_decref(doc);
    tt_response_release(&r);

    /* A duplicate or a malformed entry is refused. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"databricks\":{\"instance_profiles\":["
                             "{\"instance_profile_arn\":\"" PROFILE "a\"}]}}"));
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_CONTAINS(r.body, "already registered");
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"databricks\":{\"instance_profiles\":["
                             "{\"instance_profile_arn\":\"nope\"}]}}"));
    ASSERT_EQ(r.status, 400);
    tt_response_release(&r);

    /* Reset forgets them; the dump then holds an empty list. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "reset", NULL));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    expect_list(&sim, "{}");
    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "dump", NULL));
    doc = body_json(&r);
    text = json_dumps(json_object_get(json_object_get(doc, "databricks"),
                                      "instance_profiles"),
                      JSON_COMPACT);
    ASSERT_STR_EQ(text, "[]");
    free(text);
    json_decref(doc);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_dbx_list[] = {
    TEST_INTEGRATION(sim_dbx, missing_token_is_401),
    TEST_INTEGRATION(sim_dbx, wrong_token_is_403),
    TEST_INTEGRATION(sim_dbx, add_list_edit_remove),
    TEST_INTEGRATION(sim_dbx, duplicate_and_unknown),
    TEST_INTEGRATION(sim_dbx, arns_and_fields_are_validated),
    TEST_INTEGRATION(sim_dbx, malformed_requests),
    TEST_INTEGRATION(sim_dbx, dry_run_needs_a_profile_with_a_role),
    TEST_INTEGRATION(sim_dbx, skip_validation_skips_the_dry_run),
    TEST_INTEGRATION(sim_dbx, dry_run_waits_for_propagation),
    TEST_INTEGRATION(sim_dbx, dump_and_load),
    TEST_END};
