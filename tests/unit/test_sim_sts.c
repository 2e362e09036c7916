/*
 * tern-sim's STS over HTTP: GetCallerIdentity's shape, AssumeRole's
 * credentials (usable, then expired), AccessDenied for roles that do not
 * exist or are not yet visible, AWS's validation messages, role chaining,
 * and reproducible credentials under one seed.
 */
#include "runner.h"
#include "support.h"
#include "aws_call.h"

#include <time.h>
#include <unistd.h>

#define ACCOUNT "123456789012"
#define TRUST                                                                  \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCOUNT ":root\"},"               \
    "\"Action\":\"sts:AssumeRole\"}]}"

/* Temporary credentials copied out of an AssumeRole response. */
struct temp_creds {
    char akid[64];
    char secret[64];
    char token[2048];
    char expiration[64];
    char role_user_id[256];
    char role_user_arn[256];
    struct tt_aws_creds creds;
};

static void copy_text(char *dst, size_t len, const char *xml, const char *tag)
{
    const char *t = tt_xml_text(xml, tag);

    if (!t)
        FAIL("no <%s> in:\n%s", tag, xml ? xml : "(null)");
    ASSERT_CMP(strlen(t), <, len);
    snprintf(dst, len, "%s", t);
}

static void start_sim(struct tt_sim *sim, const char *const *args)
{
    ASSERT_OK(tt_sim_start(sim, args));
}

static void sts(struct tt_response *r, const struct tt_sim *sim,
                const struct tt_aws_creds *creds,
                const struct tt_aws_opts *opts, const char *action,
                const char *const *params)
{
    ASSERT_OK(tt_aws_call(r, sim, "sts", creds, opts, action, params));
}

/*
 * Create a role through IAM; its ARN and RoleId go to arn and role_id. Its
 * MaxSessionDuration is the largest, so that only STS's own limits apply.
 */
static void create_role(const struct tt_sim *sim, const char *name, char *arn,
                        size_t arn_len, char *role_id, size_t id_len)
{
    const char *params[] = {"RoleName",
                            name,
                            "AssumeRolePolicyDocument",
                            TRUST,
                            "MaxSessionDuration",
                            "43200",
                            NULL};
    struct tt_response r;

    ASSERT_OK(tt_iam(&r, sim, "CreateRole", params));
    if (r.status != 200)
        FAIL("CreateRole: %ld\n%s", r.status, r.body);
    copy_text(arn, arn_len, r.body, "Arn");
    if (role_id)
        copy_text(role_id, id_len, r.body, "RoleId");
    tt_response_release(&r);
}

static void assume(struct temp_creds *out, const struct tt_sim *sim,
                   const struct tt_aws_creds *creds, const char *role_arn,
                   const char *session, const char *duration)
{
    const char *params[] = {"RoleArn",
                            role_arn,
                            "RoleSessionName",
                            session,
                            duration ? "DurationSeconds" : NULL,
                            duration,
                            NULL};
    struct tt_response r;

    memset(out, 0, sizeof(*out));
    sts(&r, sim, creds, NULL, "AssumeRole", params);
    if (r.status != 200)
        FAIL("AssumeRole: %ld\n%s", r.status, r.body);
    copy_text(out->akid, sizeof(out->akid), r.body, "AccessKeyId");
    copy_text(out->secret, sizeof(out->secret), r.body, "SecretAccessKey");
    copy_text(out->token, sizeof(out->token), r.body, "SessionToken");
    copy_text(out->expiration, sizeof(out->expiration), r.body, "Expiration");
    copy_text(out->role_user_id, sizeof(out->role_user_id), r.body,
              "AssumedRoleId");
    /* The AssumedRoleUser's Arn is the only Arn in the response. */
    copy_text(out->role_user_arn, sizeof(out->role_user_arn), r.body, "Arn");
    tt_response_release(&r);
    out->creds.access_key_id = out->akid;
    out->creds.secret_access_key = out->secret;
    out->creds.session_token = out->token;
}

/* The text of <tag> with XML's predefined entities decoded (static). */
static const char *xml_text(const char *xml, const char *tag)
{
    static const struct {
        const char *entity;
        char c;
    } entities[] = {{"&apos;", '\''},
                    {"&quot;", '"'},
                    {"&lt;", '<'},
                    {"&gt;", '>'},
                    {"&amp;", '&'}};
    static char out[4096];
    const char *t = tt_xml_text(xml, tag);
    size_t o = 0, i;

    if (!t)
        return NULL;
    while (*t && o + 1 < sizeof(out)) {
        for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
            size_t n = strlen(entities[i].entity);

            if (strncmp(t, entities[i].entity, n) == 0) {
                out[o++] = entities[i].c;
                t += n;
                break;
            }
        }
        if (i == sizeof(entities) / sizeof(entities[0]))
            out[o++] = *t++;
    }
    out[o] = '\0';
    return out;
}

/* Expect an AWS error with this status, code and (when given) message. */
static void expect_error(const struct tt_response *r, long status,
                         const char *code, const char *message)
{
    if (r->status != status)
        FAIL("status %ld, expected %ld:\n%s", r->status, status, r->body);
    ASSERT_STR_CONTAINS(r->body, "<ErrorResponse");
    ASSERT_STR_EQ(tt_xml_text(r->body, "Code"), code);
    if (message)
        ASSERT_STR_EQ(xml_text(r->body, "Message"), message);
}

static void caller_arn(const struct tt_sim *sim, char *arn, size_t len)
{
    struct tt_response r;

    sts(&r, sim, NULL, NULL, "GetCallerIdentity", NULL);
    ASSERT_EQ(r.status, 200);
    copy_text(arn, len, r.body, "Arn");
    tt_response_release(&r);
}

static int all_in(const char *s, const char *alphabet)
{
    for (; *s; s++) {
        if (!strchr(alphabet, *s))
            return 0;
    }
    return 1;
}

TEST(sim_sts, caller_identity_of_default_key)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *arn, *uid, *acct;

    start_sim(&sim, NULL);
    sts(&r, &sim, NULL, NULL, "GetCallerIdentity", NULL);
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_CONTAINS(r.body, "<GetCallerIdentityResponse "
                                "xmlns=\"https://sts.amazonaws.com/doc/"
                                "2011-06-15/\">");
    ASSERT_STR_CONTAINS(r.body, "<GetCallerIdentityResult>");
    ASSERT_STR_CONTAINS(r.body, "</GetCallerIdentityResult>");
    ASSERT_STR_CONTAINS(r.body, "<ResponseMetadata>");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Account"), ACCOUNT);
    ASSERT_STR_CONTAINS(tt_xml_text(r.body, "Arn"),
                        "arn:aws:iam::" ACCOUNT ":user/");
    ASSERT_CMP(strlen(tt_xml_text(r.body, "UserId")), >, 0);
    ASSERT_EQ(strlen(tt_xml_text(r.body, "RequestId")), 36);
    /* AWS's element order: Arn, UserId, Account, then the metadata. */
    arn = strstr(r.body, "<Arn>");
    uid = strstr(r.body, "<UserId>");
    acct = strstr(r.body, "<Account>");
    ASSERT(arn && uid && acct);
    ASSERT(arn < uid && uid < acct);
    ASSERT(acct < strstr(r.body, "</GetCallerIdentityResult>"));
    ASSERT(strstr(r.body, "</GetCallerIdentityResult>") <
           strstr(r.body, "<ResponseMetadata>"));
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_sts, assumed_role_credentials_work)
{
    struct tt_sim sim;
    struct tt_response r;
    struct temp_creds t;
    char role_arn[256], role_id[64], expect[512];
    struct tm tm;
    time_t exp, now;

    start_sim(&sim, NULL);
    create_role(&sim, "deployer", role_arn, sizeof(role_arn), role_id,
                sizeof(role_id));
    assume(&t, &sim, NULL, role_arn, "tern-apply", NULL);

    ASSERT_EQ(strlen(t.akid), 20);
    ASSERT_EQ(strncmp(t.akid, "ASIA", 4), 0);
    ASSERT(all_in(t.akid, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"));
    ASSERT_EQ(strlen(t.secret), 40);
    ASSERT_CMP(strlen(t.token), >=, 300);
    snprintf(expect, sizeof(expect), "%s:tern-apply", role_id);
    ASSERT_STR_EQ(t.role_user_id, expect);
    ASSERT_EQ(strncmp(t.role_user_id, "AROA", 4), 0);
    ASSERT_STR_EQ(t.role_user_arn,
                  "arn:aws:sts::" ACCOUNT ":assumed-role/deployer/tern-apply");

    /* Expiration: ISO 8601 UTC, one hour (the default) from now. */
    memset(&tm, 0, sizeof(tm));
    ASSERT_EQ(strlen(t.expiration), 20);
    ASSERT_NOT_NULL(strptime(t.expiration, "%Y-%m-%dT%H:%M:%SZ", &tm));
    exp = timegm(&tm);
    now = time(NULL);
    ASSERT_CMP(exp, >=, now + 3600 - 30);
    ASSERT_CMP(exp, <=, now + 3600 + 30);

    /* The new key set signs requests: STS says who it is. */
    sts(&r, &sim, &t.creds, NULL, "GetCallerIdentity", NULL);
    if (r.status != 200)
        FAIL("GetCallerIdentity: %ld\n%s", r.status, r.body);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Arn"),
                  "arn:aws:sts::" ACCOUNT ":assumed-role/deployer/tern-apply");
    ASSERT_STR_EQ(tt_xml_text(r.body, "UserId"), expect);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Account"), ACCOUNT);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_sts, response_shape_of_assume_role)
{
    struct tt_sim sim;
    struct tt_response r;
    char role_arn[256];
    const char *params[] = {"RoleArn", role_arn, "RoleSessionName", "s1", NULL};
    const char *creds, *user;

    start_sim(&sim, NULL);
    create_role(&sim, "shape", role_arn, sizeof(role_arn), NULL, 0);
    sts(&r, &sim, NULL, NULL, "AssumeRole", params);
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_CONTAINS(r.body, "<AssumeRoleResponse "
                                "xmlns=\"https://sts.amazonaws.com/doc/"
                                "2011-06-15/\">");
    creds = strstr(r.body, "<Credentials>");
    user = strstr(r.body, "<AssumedRoleUser>");
    ASSERT(creds && user);
    ASSERT(strstr(r.body, "<AssumeRoleResult>") < creds);
    ASSERT(creds < strstr(r.body, "<AccessKeyId>"));
    ASSERT(strstr(r.body, "<AccessKeyId>") <
           strstr(r.body, "<SecretAccessKey>"));
    ASSERT(strstr(r.body, "<SecretAccessKey>") <
           strstr(r.body, "<SessionToken>"));
    ASSERT(strstr(r.body, "<SessionToken>") < strstr(r.body, "<Expiration>"));
    ASSERT(strstr(r.body, "<Expiration>") < strstr(r.body, "</Credentials>"));
    ASSERT(strstr(r.body, "</Credentials>") < user);
    ASSERT(user < strstr(r.body, "<AssumedRoleId>"));
    ASSERT(strstr(r.body, "<AssumedRoleId>") < strstr(r.body, "<Arn>"));
    ASSERT(strstr(r.body, "</AssumedRoleUser>") <
           strstr(r.body, "</AssumeRoleResult>"));
    ASSERT(strstr(r.body, "</AssumeRoleResult>") <
           strstr(r.body, "<ResponseMetadata>"));
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_sts, assumed_credentials_expire)
{
    struct tt_sim sim;
    struct tt_response r;
    struct temp_creds t;
    struct tt_aws_opts opts;
    char role_arn[256];

    start_sim(&sim, NULL);
    create_role(&sim, "short", role_arn, sizeof(role_arn), NULL, 0);
    assume(&t, &sim, NULL, role_arn, "brief", "900");

    /* Still valid just before expiry (the sim clock moved 899 s). */
    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "clock", "{\"advance_ms\": 899000}"));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    memset(&opts, 0, sizeof(opts));
    /* Sign on the sim's clock, or the request is refused for skew. */
    opts.sign_time = time(NULL) + 899;
    sts(&r, &sim, &t.creds, &opts, "GetCallerIdentity", NULL);
    if (r.status != 200)
        FAIL("before expiry: %ld\n%s", r.status, r.body);
    tt_response_release(&r);

    ASSERT_OK(
        tt_sim_control(&r, &sim, "POST", "clock", "{\"advance_ms\": 2000}"));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    opts.sign_time = time(NULL) + 901;
    sts(&r, &sim, &t.creds, &opts, "GetCallerIdentity", NULL);
    expect_error(&r, 403, "ExpiredToken", NULL);
    tt_response_release(&r);

    /* The long-term key is unaffected. */
    sts(&r, &sim, NULL, &opts, "GetCallerIdentity", NULL);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_sts, unknown_role_is_access_denied)
{
    struct tt_sim sim;
    struct tt_response r;
    char me[256], msg[512];
    const char *role = "arn:aws:iam::" ACCOUNT ":role/nonesuch";
    const char *params[] = {"RoleArn", role, "RoleSessionName", "x1", NULL};
    const char *other[] = {"RoleArn", "arn:aws:iam::210987654321:role/far",
                           "RoleSessionName", "x1", NULL};

    start_sim(&sim, NULL);
    caller_arn(&sim, me, sizeof(me));
    sts(&r, &sim, NULL, NULL, "AssumeRole", params);
    snprintf(msg, sizeof(msg),
             "User: %s is not authorized to perform: sts:AssumeRole on "
             "resource: %s",
             me, role);
    expect_error(&r, 403, "AccessDenied", msg);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Type"), "Sender");
    tt_response_release(&r);

    /* A role in another account is refused the same way. */
    sts(&r, &sim, NULL, NULL, "AssumeRole", other);
    expect_error(&r, 403, "AccessDenied", NULL);
    tt_response_release(&r);
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

TEST(sim_sts, new_role_is_denied_until_visible)
{
    struct tt_sim sim;
    struct tt_response r;
    struct temp_creds t;
    const char *args[] = {"--propagation-ms", "1500", NULL};
    char role_arn[256];
    const char *params[] = {"RoleArn", role_arn, "RoleSessionName", "early",
                            NULL};

    start_sim(&sim, args);
    create_role(&sim, "fresh", role_arn, sizeof(role_arn), NULL, 0);
    sts(&r, &sim, NULL, NULL, "AssumeRole", params);
    expect_error(&r, 403, "AccessDenied", NULL);
    tt_response_release(&r);

    /* Visible once the propagation delay has passed: tern-sim's clock is
     * moved, not waited for. */
    advance_clock(&sim, 1500);
    sts(&r, &sim, NULL, NULL, "AssumeRole", params);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    assume(&t, &sim, NULL, role_arn, "later", NULL);
    tt_sim_stop(&sim);
}

TEST(sim_sts, session_name_is_validated)
{
    struct tt_sim sim;
    struct tt_response r;
    char role_arn[256];
    const char *short_name[] = {"RoleArn", role_arn, "RoleSessionName", "a",
                                NULL};
    const char *bad_chars[] = {"RoleArn", role_arn, "RoleSessionName",
                               "has space", NULL};
    const char *long_name[] = {
        "RoleArn", role_arn, "RoleSessionName",
        "s1234567890123456789012345678901234567890123456789012345678901234",
        NULL};
    const char *ok_chars[] = {"RoleArn", role_arn, "RoleSessionName",
                              "a_b+c=d,e.f@g-h", NULL};

    start_sim(&sim, NULL);
    create_role(&sim, "names", role_arn, sizeof(role_arn), NULL, 0);
    sts(&r, &sim, NULL, NULL, "AssumeRole", short_name);
    expect_error(&r, 400, "ValidationError",
                 "1 validation error detected: Value 'a' at "
                 "'roleSessionName' failed to satisfy constraint: Member "
                 "must have length greater than or equal to 2");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Type"), "Sender");
    tt_response_release(&r);

    sts(&r, &sim, NULL, NULL, "AssumeRole", bad_chars);
    expect_error(&r, 400, "ValidationError",
                 "1 validation error detected: Value 'has space' at "
                 "'roleSessionName' failed to satisfy constraint: Member "
                 "must satisfy regular expression pattern: [\\w+=,.@-]*");
    tt_response_release(&r);

    sts(&r, &sim, NULL, NULL, "AssumeRole", long_name);
    expect_error(&r, 400, "ValidationError", NULL);
    ASSERT_STR_CONTAINS(xml_text(r.body, "Message"),
                        "Member must have length less than or equal to 64");
    tt_response_release(&r);

    sts(&r, &sim, NULL, NULL, "AssumeRole", ok_chars);
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Arn"),
                  "arn:aws:sts::" ACCOUNT
                  ":assumed-role/names/a_b+c=d,e.f@g-h");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_sts, duration_and_parameters_are_validated)
{
    struct tt_sim sim;
    struct tt_response r;
    char role_arn[256];
    const char *too_short[] = {"RoleArn", role_arn,          "RoleSessionName",
                               "dur",     "DurationSeconds", "899",
                               NULL};
    const char *too_long[] = {"RoleArn", role_arn,          "RoleSessionName",
                              "dur",     "DurationSeconds", "43201",
                              NULL};
    const char *longest[] = {"RoleArn", role_arn,          "RoleSessionName",
                             "dur",     "DurationSeconds", "43200",
                             NULL};
    const char *nothing[] = {NULL};
    const char *bad_ext[] = {
        "RoleArn", role_arn, "RoleSessionName", "ext", "ExternalId", "x", NULL};
    const char *good_ext[] = {"RoleArn", role_arn,     "RoleSessionName",
                              "ext",     "ExternalId", "tern:ext-1",
                              NULL};

    start_sim(&sim, NULL);
    create_role(&sim, "durations", role_arn, sizeof(role_arn), NULL, 0);
    sts(&r, &sim, NULL, NULL, "AssumeRole", too_short);
    expect_error(&r, 400, "ValidationError",
                 "1 validation error detected: Value '899' at "
                 "'durationSeconds' failed to satisfy constraint: Member "
                 "must have value greater than or equal to 900");
    tt_response_release(&r);

    sts(&r, &sim, NULL, NULL, "AssumeRole", too_long);
    expect_error(&r, 400, "ValidationError",
                 "1 validation error detected: Value '43201' at "
                 "'durationSeconds' failed to satisfy constraint: Member "
                 "must have value less than or equal to 43200");
    tt_response_release(&r);

    sts(&r, &sim, NULL, NULL, "AssumeRole", longest);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);

    /* Every violation is reported, in one message. */
    sts(&r, &sim, NULL, NULL, "AssumeRole", nothing);
    expect_error(&r, 400, "ValidationError",
                 "2 validation errors detected: Value null at 'roleArn' "
                 "failed to satisfy constraint: Member must not be null; "
                 "Value null at 'roleSessionName' failed to satisfy "
                 "constraint: Member must not be null");
    tt_response_release(&r);

    sts(&r, &sim, NULL, NULL, "AssumeRole", bad_ext);
    expect_error(&r, 400, "ValidationError",
                 "1 validation error detected: Value 'x' at 'externalId' "
                 "failed to satisfy constraint: Member must have length "
                 "greater than or equal to 2");
    tt_response_release(&r);

    sts(&r, &sim, NULL, NULL, "AssumeRole", good_ext);
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_sts, role_chaining_is_limited_to_one_hour)
{
    struct tt_sim sim;
    struct tt_response r;
    struct temp_creds first, second;
    char role_arn[256], next_arn[256];
    const char *params[] = {"RoleArn", next_arn,          "RoleSessionName",
                            "chained", "DurationSeconds", "3601",
                            NULL};

    start_sim(&sim, NULL);
    create_role(&sim, "first", role_arn, sizeof(role_arn), NULL, 0);
    create_role(&sim, "second", next_arn, sizeof(next_arn), NULL, 0);
    assume(&first, &sim, NULL, role_arn, "hop1", "7200");

    sts(&r, &sim, &first.creds, NULL, "AssumeRole", params);
    expect_error(&r, 400, "ValidationError",
                 "The requested DurationSeconds exceeds the 1 hour session "
                 "limit for roles assumed by role chaining.");
    tt_response_release(&r);

    assume(&second, &sim, &first.creds, next_arn, "hop2", "3600");
    sts(&r, &sim, &second.creds, NULL, "GetCallerIdentity", NULL);
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Arn"),
                  "arn:aws:sts::" ACCOUNT ":assumed-role/second/hop2");
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_sts, same_seed_same_credentials)
{
    const char *args[] = {"--seed", "7", NULL};
    struct tt_sim a, b;
    struct temp_creds ta, tb;
    char arn_a[256], arn_b[256];

    start_sim(&a, args);
    start_sim(&b, args);
    create_role(&a, "seeded", arn_a, sizeof(arn_a), NULL, 0);
    create_role(&b, "seeded", arn_b, sizeof(arn_b), NULL, 0);
    assume(&ta, &a, NULL, arn_a, "s1", "900");
    assume(&tb, &b, NULL, arn_b, "s1", "900");
    ASSERT_STR_EQ(ta.akid, tb.akid);
    ASSERT_STR_EQ(ta.secret, tb.secret);
    ASSERT_STR_EQ(ta.token, tb.token);
    tt_sim_stop(&a);
    tt_sim_stop(&b);
}

TEST(sim_sts, duration_is_capped_by_the_roles_max_session)
{
    struct tt_sim sim;
    struct tt_response r;
    const char *create[] = {"RoleName", "short", "AssumeRolePolicyDocument",
                            TRUST, NULL};
    const char *too_long[] = {"RoleArn",
                              "arn:aws:iam::123456789012:role/short",
                              "RoleSessionName",
                              "s1",
                              "DurationSeconds",
                              "7200",
                              NULL};
    struct temp_creds ok;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    /* MaxSessionDuration defaults to one hour. */
    ASSERT_OK(tt_iam(&r, &sim, "CreateRole", create));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    sts(&r, &sim, NULL, NULL, "AssumeRole", too_long);
    ASSERT_EQ(r.status, 400);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Code"), "ValidationError");
    ASSERT_STR_EQ(tt_xml_text(r.body, "Message"),
                  "The requested DurationSeconds exceeds the "
                  "MaxSessionDuration set for this role.");
    tt_response_release(&r);
    assume(&ok, &sim, NULL, "arn:aws:iam::123456789012:role/short", "s2",
           "3600");
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_sts_list[] = {
    TEST_INTEGRATION(sim_sts, caller_identity_of_default_key),
    TEST_INTEGRATION(sim_sts, assumed_role_credentials_work),
    TEST_INTEGRATION(sim_sts, response_shape_of_assume_role),
    TEST_INTEGRATION(sim_sts, assumed_credentials_expire),
    TEST_INTEGRATION(sim_sts, unknown_role_is_access_denied),
    TEST_INTEGRATION(sim_sts, new_role_is_denied_until_visible),
    TEST_INTEGRATION(sim_sts, session_name_is_validated),
    TEST_INTEGRATION(sim_sts, duration_and_parameters_are_validated),
    TEST_INTEGRATION(sim_sts, role_chaining_is_limited_to_one_hour),
    TEST_INTEGRATION(sim_sts, same_seed_same_credentials),
    TEST_INTEGRATION(sim_sts, duration_is_capped_by_the_roles_max_session),
    TEST_END};
