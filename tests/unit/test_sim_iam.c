/*
 * tern-sim's IAM service over HTTP: each case starts its own tern-sim and
 * calls it with signed Query requests, asserting AWS's exact error codes
 * and response shapes. One case per family of rules.
 */
#include "runner.h"

#include "aws_call.h"
#include "support.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#define ACCT "123456789012"
#define NS   "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\""

#define TRUST_EC2                                                              \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"                       \
    "\"Action\":\"sts:AssumeRole\"}]}"
#define TRUST_SAGEMAKER                                                        \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"Service\":\"sagemaker.amazonaws.com\"},"                 \
    "\"Action\":\"sts:AssumeRole\"}]}"
#define TRUST_AWS(arn)                                                         \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"AWS\":\"" arn "\"},\"Action\":\"sts:AssumeRole\"}]}"
#define DOC_S3                                                                 \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"
#define DOC_S3_PUT                                                             \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}"

#define AWS_POLICY(name) "arn:aws:iam::aws:policy/" name

#define P(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NOP    ((const char *const[]){NULL})

static struct tt_sim sim;
static struct tt_response last;

static void start(const char *const *args)
{
    if (tt_sim_start(&sim, args) != 0)
        FAIL("tern-sim did not start");
}

/*
 * One IAM call; fails the test unless the status (and, for errors, the
 * Code) is the expected one. Returns the body, valid until the next call.
 */
static const char *call(int line, long status, const char *code,
                        const char *method, const char *action,
                        const char *const *params)
{
    struct tt_aws_opts opts;
    const char *got;

    memset(&opts, 0, sizeof(opts));
    opts.method = method;
    tt_response_release(&last);
    if (tt_aws_call(&last, &sim, "iam", NULL, &opts, action, params) != 0)
        tern_test_fail(__FILE__, line, "%s: transport error %d", action,
                       last.curl_error);
    if (last.status != status)
        tern_test_fail(__FILE__, line, "%s: status %ld, expected %ld:\n%s",
                       action, last.status, status, last.body);
    if (code) {
        got = tt_xml_text(last.body, "Code");
        if (!got || strcmp(got, code) != 0)
            tern_test_fail(__FILE__, line, "%s: code %s, expected %s:\n%s",
                           action, got ? got : "(none)", code, last.body);
    }
    return last.body;
}

#define OK(action, params)     call(__LINE__, 200, NULL, "POST", action, params)
#define GET_OK(action, params) call(__LINE__, 200, NULL, "GET", action, params)
#define ERR(status, code, action, params)                                      \
    call(__LINE__, status, code, "POST", action, params)

/* A success response's envelope: namespace, Result element, request id. */
#define ASSERT_ENVELOPE(body, action)                                          \
    do {                                                                       \
        ASSERT_STR_CONTAINS(body, "<" action "Response " NS ">");              \
        ASSERT_STR_CONTAINS(body, "<" action "Result>");                       \
        ASSERT_NOT_NULL(tt_xml_text(body, "RequestId"));                       \
    } while (0)

/* The text of <Message> in the last response, XML entities decoded. */
static const char *message(void)
{
    static const struct {
        const char *entity;
        char c;
    } entities[] = {{"&quot;", '"'},
                    {"&apos;", '\''},
                    {"&lt;", '<'},
                    {"&gt;", '>'},
                    {"&amp;", '&'}};
    static char out[4096];
    const char *in = tt_xml_text(last.body, "Message");
    size_t n = 0, i;

    if (!in)
        return NULL;
    while (*in && n + 1 < sizeof(out)) {
        for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
            if (strncmp(in, entities[i].entity, strlen(entities[i].entity)) ==
                0)
                break;
        if (i < sizeof(entities) / sizeof(entities[0])) {
            out[n++] = entities[i].c;
            in += strlen(entities[i].entity);
        } else {
            out[n++] = *in++;
        }
    }
    out[n] = '\0';
    return out;
}

/* How many times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
    int n = 0;

    while ((hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

/* Let @ms pass on tern-sim's clock (POST /_sim/clock), which is what its
 * propagation delays count: no test sleeps for them (issue 20). */
static void advance_ms(long ms)
{
    struct tt_response r;
    char body[64];

    snprintf(body, sizeof(body), "{\"advance_ms\": %ld}", ms);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "clock", body));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
}

static void create_role(const char *name, const char *trust)
{
    OK("CreateRole", P("RoleName", name, "AssumeRolePolicyDocument", trust));
}

/* A valid identity policy of about n characters (whitespace excluded). */
static char *big_policy(size_t n, int padding)
{
    static const char head[] = "{\"Version\":\"2012-10-17\",\"Statement\":"
                               "[{\"Effect\":\"Allow\",\"Action\":\"s3:"
                               "GetObject\",\"Resource\":\"arn:aws:s3:::";
    static const char tail[] = "\"}]}";
    size_t fixed = strlen(head) + strlen(tail), i, len;
    char *s = calloc(1, n + (size_t)padding + 64);

    memcpy(s, head, strlen(head));
    len = strlen(head);
    for (i = 0; i < (size_t)padding; i++)
        s[len++] = ' ';
    for (i = fixed; i < n; i++)
        s[len++] = 'b';
    memcpy(s + len, tail, strlen(tail) + 1);
    return s;
}

TEST(sim_iam, role_lifecycle_and_shapes)
{
    const char *body, *id;
    char buf[64];
    int i;

    start(NULL);
    body = OK("CreateRole",
              P("RoleName", "App-Role", "Path", "/app/",
                "AssumeRolePolicyDocument", TRUST_SAGEMAKER, "Description",
                "SageMaker execution", "MaxSessionDuration", "7200",
                "Tags.member.1.Key", "team", "Tags.member.1.Value", "ml"));
    ASSERT_STR_CONTAINS(body, "<CreateRoleResponse " NS ">");
    ASSERT_STR_CONTAINS(body, "<CreateRoleResult>");
    ASSERT_STR_CONTAINS(body, "<ResponseMetadata>");
    ASSERT_NOT_NULL(tt_xml_text(body, "RequestId"));
    ASSERT_STR_EQ(tt_xml_text(body, "Path"), "/app/");
    ASSERT_STR_EQ(tt_xml_text(body, "RoleName"), "App-Role");
    ASSERT_STR_EQ(tt_xml_text(body, "Arn"),
                  "arn:aws:iam::" ACCT ":role/app/App-Role");
    id = tt_xml_text(body, "RoleId");
    ASSERT_EQ(strlen(id), 21);
    ASSERT_EQ(strncmp(id, "AROA", 4), 0);
    for (i = 4; i < 21; i++)
        ASSERT(isupper((unsigned char)id[i]) || isdigit((unsigned char)id[i]));
    snprintf(buf, sizeof(buf), "%s", id);
    /* ISO 8601 in UTC, seconds precision. */
    ASSERT_EQ(strlen(tt_xml_text(body, "CreateDate")), 20);
    ASSERT_EQ(tt_xml_text(body, "CreateDate")[10], 'T');
    ASSERT_EQ(tt_xml_text(body, "CreateDate")[19], 'Z');
    /* Policy documents come back URL-encoded, as IAM sends them. */
    ASSERT_STR_EQ(tt_xml_text(body, "AssumeRolePolicyDocument"),
                  "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%"
                  "5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%"
                  "22Service%22%3A%22sagemaker.amazonaws.com%22%7D%2C%"
                  "22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D");
    ASSERT_STR_EQ(tt_xml_text(body, "Description"), "SageMaker execution");
    ASSERT_STR_EQ(tt_xml_text(body, "MaxSessionDuration"), "7200");
    ASSERT_STR_EQ(tt_xml_text(body, "Key"), "team");

    /* GetRole, by POST and by GET, in any case of the name. */
    body = GET_OK("GetRole", P("RoleName", "app-role"));
    ASSERT_ENVELOPE(body, "GetRole");
    ASSERT_STR_EQ(tt_xml_text(body, "RoleName"), "App-Role");
    ASSERT_STR_EQ(tt_xml_text(body, "RoleId"), buf);
    ASSERT_STR_CONTAINS(body, "<RoleLastUsed/>");
    ASSERT_STR_EQ(tt_xml_text(body, "Value"), "ml");

    body = OK("UpdateRole", P("RoleName", "App-Role", "Description", "changed",
                              "MaxSessionDuration", "43200"));
    ASSERT_STR_CONTAINS(body, "<UpdateRoleResponse " NS ">");
    body = OK("GetRole", P("RoleName", "App-Role"));
    ASSERT_STR_EQ(tt_xml_text(body, "Description"), "changed");
    ASSERT_STR_EQ(tt_xml_text(body, "MaxSessionDuration"), "43200");

    body = OK("UpdateAssumeRolePolicy",
              P("RoleName", "App-Role", "PolicyDocument", TRUST_EC2));
    ASSERT_STR_CONTAINS(body, "<UpdateAssumeRolePolicyResponse " NS ">");
    ASSERT_STR_NOT_CONTAINS(body, "Result>");
    body = OK("GetRole", P("RoleName", "App-Role"));
    ASSERT_STR_CONTAINS(tt_xml_text(body, "AssumeRolePolicyDocument"),
                        "ec2.amazonaws.com");

    /* Permissions boundary. */
    body = OK("CreateRole",
              P("RoleName", "bounded", "AssumeRolePolicyDocument", TRUST_EC2,
                "PermissionsBoundary", AWS_POLICY("PowerUserAccess")));
    ASSERT_STR_EQ(tt_xml_text(body, "PermissionsBoundaryArn"),
                  AWS_POLICY("PowerUserAccess"));
    ASSERT_STR_EQ(tt_xml_text(body, "PermissionsBoundaryType"),
                  "PermissionsBoundaryPolicy");
    ERR(404, "NoSuchEntity", "CreateRole",
        P("RoleName", "bounded2", "AssumeRolePolicyDocument", TRUST_EC2,
          "PermissionsBoundary", AWS_POLICY("NoSuchPolicy")));

    body = OK("DeleteRole", P("RoleName", "App-Role"));
    ASSERT_STR_CONTAINS(body, "<DeleteRoleResponse " NS ">");
    ERR(404, "NoSuchEntity", "GetRole", P("RoleName", "App-Role"));
    ASSERT_STR_EQ(message(), "The role with name App-Role cannot be found.");
    ASSERT_STR_EQ(tt_xml_text(last.body, "Type"), "Sender");
    /* An action iam.c does not serve is the dispatcher's InvalidAction. */
    ERR(400, "InvalidAction", "CreateUser", P("UserName", "u"));
    tt_sim_stop(&sim);
}

TEST(sim_iam, entity_already_exists)
{
    start(NULL);
    create_role("Builder", TRUST_EC2);
    ERR(409, "EntityAlreadyExists", "CreateRole",
        P("RoleName", "builder", "AssumeRolePolicyDocument", TRUST_EC2));
    ASSERT_STR_EQ(message(), "Role with name builder already exists.");
    /* Another path does not make another role. */
    ERR(409, "EntityAlreadyExists", "CreateRole",
        P("RoleName", "BUILDER", "Path", "/x/", "AssumeRolePolicyDocument",
          TRUST_EC2));
    OK("CreateInstanceProfile", P("InstanceProfileName", "Prof"));
    ERR(409, "EntityAlreadyExists", "CreateInstanceProfile",
        P("InstanceProfileName", "PROF"));
    ASSERT_STR_EQ(message(), "Instance Profile PROF already exists.");
    tt_sim_stop(&sim);
}

TEST(sim_iam, no_such_entity)
{
    start(NULL);
    ERR(404, "NoSuchEntity", "GetRole", P("RoleName", "ghost"));
    ERR(404, "NoSuchEntity", "DeleteRole", P("RoleName", "ghost"));
    ERR(404, "NoSuchEntity", "UpdateRole", P("RoleName", "ghost"));
    ERR(404, "NoSuchEntity", "UpdateAssumeRolePolicy",
        P("RoleName", "ghost", "PolicyDocument", TRUST_EC2));
    ERR(404, "NoSuchEntity", "TagRole",
        P("RoleName", "ghost", "Tags.member.1.Key", "k", "Tags.member.1.Value",
          "v"));
    ERR(404, "NoSuchEntity", "ListRolePolicies", P("RoleName", "ghost"));
    ERR(404, "NoSuchEntity", "GetInstanceProfile",
        P("InstanceProfileName", "ghost"));
    ASSERT_STR_EQ(message(), "Instance Profile ghost cannot be found.");
    ERR(404, "NoSuchEntity", "DeleteInstanceProfile",
        P("InstanceProfileName", "ghost"));
    ERR(404, "NoSuchEntity", "GetPolicy",
        P("PolicyArn", AWS_POLICY("NotAPolicy")));

    create_role("r", TRUST_EC2);
    ERR(404, "NoSuchEntity", "GetRolePolicy",
        P("RoleName", "r", "PolicyName", "none"));
    ASSERT_STR_EQ(message(), "The role policy with name none cannot be found.");
    ERR(404, "NoSuchEntity", "DeleteRolePolicy",
        P("RoleName", "r", "PolicyName", "none"));
    ERR(404, "NoSuchEntity", "AttachRolePolicy",
        P("RoleName", "r", "PolicyArn", AWS_POLICY("NotAPolicy")));
    ASSERT_STR_EQ(message(), "Policy arn:aws:iam::aws:policy/NotAPolicy does "
                             "not exist or is not attachable.");
    ERR(404, "NoSuchEntity", "AttachRolePolicy",
        P("RoleName", "r", "PolicyArn",
          "arn:aws:iam::" ACCT ":policy/customer-missing"));
    ERR(404, "NoSuchEntity", "DetachRolePolicy",
        P("RoleName", "r", "PolicyArn", AWS_POLICY("ReadOnlyAccess")));
    ERR(404, "NoSuchEntity", "AttachRolePolicy",
        P("RoleName", "ghost", "PolicyArn", AWS_POLICY("ReadOnlyAccess")));
    ERR(404, "NoSuchEntity", "AddRoleToInstanceProfile",
        P("InstanceProfileName", "ghost", "RoleName", "r"));
    OK("CreateInstanceProfile", P("InstanceProfileName", "p"));
    ERR(404, "NoSuchEntity", "AddRoleToInstanceProfile",
        P("InstanceProfileName", "p", "RoleName", "ghost"));
    ERR(404, "NoSuchEntity", "RemoveRoleFromInstanceProfile",
        P("InstanceProfileName", "p", "RoleName", "r"));
    ERR(404, "NoSuchEntity", "ListInstanceProfilesForRole",
        P("RoleName", "ghost"));
    tt_sim_stop(&sim);
}

TEST(sim_iam, delete_conflict)
{
    start(NULL);
    create_role("r", TRUST_EC2);
    OK("AttachRolePolicy",
       P("RoleName", "r", "PolicyArn", AWS_POLICY("ReadOnlyAccess")));
    ERR(409, "DeleteConflict", "DeleteRole", P("RoleName", "r"));
    ASSERT_STR_EQ(message(),
                  "Cannot delete entity, must detach all policies first.");
    OK("DetachRolePolicy",
       P("RoleName", "r", "PolicyArn", AWS_POLICY("ReadOnlyAccess")));

    OK("PutRolePolicy",
       P("RoleName", "r", "PolicyName", "inline", "PolicyDocument", DOC_S3));
    ERR(409, "DeleteConflict", "DeleteRole", P("RoleName", "r"));
    ASSERT_STR_EQ(message(), "Cannot delete entity, must delete policies "
                             "first.");
    OK("DeleteRolePolicy", P("RoleName", "r", "PolicyName", "inline"));

    OK("CreateInstanceProfile", P("InstanceProfileName", "p"));
    OK("AddRoleToInstanceProfile",
       P("InstanceProfileName", "p", "RoleName", "r"));
    ERR(409, "DeleteConflict", "DeleteRole", P("RoleName", "r"));
    ASSERT_STR_EQ(message(), "Cannot delete entity, must remove roles from "
                             "instance profile first.");
    ERR(409, "DeleteConflict", "DeleteInstanceProfile",
        P("InstanceProfileName", "p"));
    OK("RemoveRoleFromInstanceProfile",
       P("InstanceProfileName", "p", "RoleName", "r"));
    OK("DeleteInstanceProfile", P("InstanceProfileName", "p"));
    OK("DeleteRole", P("RoleName", "r"));
    tt_sim_stop(&sim);
}

TEST(sim_iam, limits_exceeded)
{
    static const char *const arns[] = {
        AWS_POLICY("AdministratorAccess"),
        AWS_POLICY("AmazonEC2ContainerRegistryFullAccess"),
        AWS_POLICY("AmazonEC2ContainerRegistryReadOnly"),
        AWS_POLICY("AmazonS3FullAccess"),
        AWS_POLICY("AmazonS3ReadOnlyAccess"),
        AWS_POLICY("AmazonSSMManagedInstanceCore"),
        AWS_POLICY("AmazonSageMakerFullAccess"),
        AWS_POLICY("AmazonSageMakerReadOnly"),
        AWS_POLICY("CloudWatchLogsFullAccess"),
        AWS_POLICY("IAMReadOnlyAccess"),
        AWS_POLICY("PowerUserAccess")};
    char *doc;
    char trust[4096];
    size_t i;

    start(NULL);
    create_role("a", TRUST_EC2);
    create_role("b", TRUST_EC2);
    OK("CreateInstanceProfile", P("InstanceProfileName", "p"));
    OK("AddRoleToInstanceProfile",
       P("InstanceProfileName", "p", "RoleName", "a"));
    ERR(409, "LimitExceeded", "AddRoleToInstanceProfile",
        P("InstanceProfileName", "p", "RoleName", "b"));
    ASSERT_STR_EQ(message(),
                  "Cannot exceed quota for InstanceSessionsPerInstanceProfile: "
                  "1");
    /* The same role again is over the quota too. */
    ERR(409, "LimitExceeded", "AddRoleToInstanceProfile",
        P("InstanceProfileName", "p", "RoleName", "a"));

    /* Ten managed policies per role; attaching one again is a no-op. */
    for (i = 0; i < 10; i++)
        OK("AttachRolePolicy", P("RoleName", "b", "PolicyArn", arns[i]));
    OK("AttachRolePolicy", P("RoleName", "b", "PolicyArn", arns[0]));
    ERR(409, "LimitExceeded", "AttachRolePolicy",
        P("RoleName", "b", "PolicyArn", arns[10]));
    ASSERT_STR_EQ(message(), "Cannot exceed quota for PoliciesPerRole: 10");

    /*
     * Inline policies: 10,240 characters per role in total, whitespace not
     * counted. 6000 + 4240 fits exactly; padding with spaces is free.
     */
    doc = big_policy(6000, 3000);
    OK("PutRolePolicy",
       P("RoleName", "a", "PolicyName", "one", "PolicyDocument", doc));
    free(doc);
    doc = big_policy(4240, 100);
    OK("PutRolePolicy",
       P("RoleName", "a", "PolicyName", "two", "PolicyDocument", doc));
    free(doc);
    doc = big_policy(4241, 0);
    ERR(409, "LimitExceeded", "PutRolePolicy",
        P("RoleName", "a", "PolicyName", "two", "PolicyDocument", doc));
    ASSERT_STR_EQ(message(),
                  "Maximum policy size of 10240 bytes exceeded for role a");
    free(doc);
    /* Replacing a policy counts its new size, not old + new. */
    doc = big_policy(4000, 0);
    OK("PutRolePolicy",
       P("RoleName", "a", "PolicyName", "two", "PolicyDocument", doc));
    free(doc);

    /* Trust policies: 2,048 characters, whitespace not counted. */
    snprintf(trust, sizeof(trust),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
             "\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
             "\"Action\":\"sts:AssumeRole\",\"Sid\":\"%02000d\"}]}",
             0);
    ERR(409, "LimitExceeded", "CreateRole",
        P("RoleName", "c", "AssumeRolePolicyDocument", trust));
    ASSERT_STR_EQ(message(), "Cannot exceed quota for ACLSizePerRole: 2048");
    ERR(409, "LimitExceeded", "UpdateAssumeRolePolicy",
        P("RoleName", "a", "PolicyDocument", trust));
    snprintf(trust, sizeof(trust),
             "{\"Version\": \"2012-10-17\",  \"Statement\": [ {\"Effect\":"
             "\"Allow\",\n\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
             "\"Action\":\"sts:AssumeRole\"}   %2000s ]}",
             "");
    ASSERT_CMP(strlen(trust), >, 2048);
    create_role("c", trust);
    tt_sim_stop(&sim);
}

TEST(sim_iam, malformed_policy_documents)
{
    start(NULL);
    create_role("existing", TRUST_EC2);
    /* Grammar, for trust and identity policies alike. */
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument", "not json"));
    ASSERT_STR_EQ(message(), "Syntax errors in policy.");
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          "{\"Version\":\"2012-10-17\"}"));
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Permit\","
          "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
          "\"Action\":\"sts:AssumeRole\"}]}"));
    ERR(400, "MalformedPolicyDocument", "PutRolePolicy",
        P("RoleName", "existing", "PolicyName", "p", "PolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"allow\","
          "\"Action\":\"s3:*\",\"Resource\":\"*\"}}"));
    ERR(400, "MalformedPolicyDocument", "PutRolePolicy",
        P("RoleName", "existing", "PolicyName", "p", "PolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Resource\":\"*\"}]}"));
    ASSERT_STR_EQ(message(), "Policy statement must contain actions.");
    ERR(400, "MalformedPolicyDocument", "PutRolePolicy",
        P("RoleName", "existing", "PolicyName", "p", "PolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"s3:*\"}]}"));
    ASSERT_STR_EQ(message(), "Policy statement must contain resources.");
    ERR(400, "MalformedPolicyDocument", "PutRolePolicy",
        P("RoleName", "existing", "PolicyName", "p", "PolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"));
    ASSERT_STR_EQ(message(), "Policy document should not specify a principal.");
    ERR(400, "MalformedPolicyDocument", "PutRolePolicy",
        P("RoleName", "existing", "PolicyName", "p", "PolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"GetObject\",\"Resource\":\"*\"}]}"));
    ERR(400, "MalformedPolicyDocument", "PutRolePolicy",
        P("RoleName", "existing", "PolicyName", "p", "PolicyDocument",
          "{\"Version\":\"2001-01-01\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"));

    /* Trust policies: a principal, no resource, sts actions only. */
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"sts:AssumeRole\"}]}"));
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
          "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}"));
    ERR(400, "MalformedPolicyDocument", "UpdateAssumeRolePolicy",
        P("RoleName", "existing", "PolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
          "\"Action\":\"s3:GetObject\"}]}"));
    ASSERT_STR_EQ(message(),
                  "AssumeRole policy may only specify STS AssumeRole actions.");

    /* Principals must exist. */
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          TRUST_AWS("arn:aws:iam::" ACCT ":role/nope")));
    ASSERT_STR_EQ(message(), "Invalid principal in policy: "
                             "\"AWS\":\"arn:aws:iam::" ACCT ":role/nope\"");
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          TRUST_AWS("arn:aws:iam::" ACCT ":user/nobody")));
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          TRUST_AWS("arn:aws::iam::" ACCT ":root")));
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x", "AssumeRolePolicyDocument",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Principal\":{\"Service\":\"not a service\"},"
          "\"Action\":\"sts:AssumeRole\"}]}"));
    /* ...and these do. The role is on the root path. */
    create_role("x1", TRUST_AWS("arn:aws:iam::" ACCT ":role/existing"));
    create_role("x2", TRUST_AWS("arn:aws:iam::" ACCT ":user/tern-sim"));
    create_role("x3", TRUST_AWS("arn:aws:iam::414351767826:root"));
    create_role("x4", TRUST_AWS("414351767826"));
    /* Roles of accounts the simulator does not hold are taken on trust. */
    create_role("x6",
                TRUST_AWS("arn:aws:iam::414351767826:role/"
                          "unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"));
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "x5", "AssumeRolePolicyDocument",
          TRUST_AWS("arn:aws:iam::" ACCT ":role/other/existing")));
    create_role("x5",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                "\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::" ACCT
                ":role/EXISTING\",\"*\"],\"Service\":[\"ec2.amazonaws.com\","
                "\"sagemaker.amazonaws.com\"]},\"Action\":[\"sts:AssumeRole\","
                "\"sts:TagSession\"],\"Condition\":{\"StringEquals\":{"
                "\"sts:ExternalId\":\"abc\"}}}]}");
    tt_sim_stop(&sim);
}

TEST(sim_iam, validation_errors)
{
    char name65[66], name129[130], desc[1002];
    const char *params[4 + 4 * 51 + 1];
    char keys[51][16];
    int i, n;

    start(NULL);
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "bad name!", "AssumeRolePolicyDocument", TRUST_EC2));
    ASSERT_STR_EQ(message(),
                  "1 validation error detected: Value 'bad name!' at "
                  "'roleName' failed to satisfy constraint: Member must "
                  "satisfy regular expression pattern: [\\w+=,.@-]+");
    memset(name65, 'a', 65);
    name65[65] = '\0';
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", name65, "AssumeRolePolicyDocument", TRUST_EC2));
    ASSERT_STR_CONTAINS(message(),
                        "at 'roleName' failed to satisfy constraint: Member "
                        "must have length less than or equal to 64");
    create_role(name65 + 1, TRUST_EC2); /* 64 is fine */
    ERR(400, "ValidationError", "CreateRole",
        P("AssumeRolePolicyDocument", TRUST_EC2));
    ASSERT_STR_EQ(message(),
                  "1 validation error detected: Value null at 'roleName' "
                  "failed to satisfy constraint: Member must not be null");
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "", "AssumeRolePolicyDocument", TRUST_EC2));
    /* Two errors in one message. */
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "a b", "Path", "no-slash", "AssumeRolePolicyDocument",
          TRUST_EC2));
    ASSERT_STR_CONTAINS(message(), "2 validation errors detected: ");
    ASSERT_STR_CONTAINS(message(),
                        "Value 'no-slash' at 'path' failed to satisfy "
                        "constraint: Member must satisfy regular expression "
                        "pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+"
                        "\\u002F)");
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "Path", "/a", "AssumeRolePolicyDocument",
          TRUST_EC2));
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "Path", "/a b/", "AssumeRolePolicyDocument",
          TRUST_EC2));
    memset(desc, 'd', 1001);
    desc[1001] = '\0';
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "Description", desc, "AssumeRolePolicyDocument",
          TRUST_EC2));
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "Description", "tab\x01", "AssumeRolePolicyDocument",
          TRUST_EC2));
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "MaxSessionDuration", "3599",
          "AssumeRolePolicyDocument", TRUST_EC2));
    ASSERT_STR_CONTAINS(message(),
                        "Value '3599' at 'maxSessionDuration' failed to "
                        "satisfy constraint: Member must have value greater "
                        "than or equal to 3600");
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "MaxSessionDuration", "43201",
          "AssumeRolePolicyDocument", TRUST_EC2));
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "AssumeRolePolicyDocument", ""));

    /* Tags. */
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "AssumeRolePolicyDocument", TRUST_EC2,
          "Tags.member.1.Key", "bad!key", "Tags.member.1.Value", "v"));
    ASSERT_STR_CONTAINS(message(), "at 'tags.1.member.key'");
    ERR(400, "ValidationError", "CreateRole",
        P("RoleName", "r", "AssumeRolePolicyDocument", TRUST_EC2,
          "Tags.member.1.Key", "k", "Tags.member.1.Value", "bad#value"));
    ERR(400, "InvalidInput", "CreateRole",
        P("RoleName", "r", "AssumeRolePolicyDocument", TRUST_EC2,
          "Tags.member.1.Key", "aws:reserved", "Tags.member.1.Value", "v"));
    ERR(400, "InvalidInput", "CreateRole",
        P("RoleName", "r", "AssumeRolePolicyDocument", TRUST_EC2,
          "Tags.member.1.Key", "Env", "Tags.member.1.Value", "a",
          "Tags.member.2.Key", "env", "Tags.member.2.Value", "b"));
    ASSERT_STR_EQ(message(), "Duplicate tag keys found. Please note that Tag "
                             "keys are case insensitive.");
    n = 0;
    params[n++] = "RoleName";
    params[n++] = "r";
    params[n++] = "AssumeRolePolicyDocument";
    params[n++] = TRUST_EC2;
    for (i = 0; i < 51; i++) {
        static char names[51][2][32];

        snprintf(names[i][0], sizeof(names[i][0]), "Tags.member.%d.Key", i + 1);
        snprintf(names[i][1], sizeof(names[i][1]), "Tags.member.%d.Value",
                 i + 1);
        snprintf(keys[i], sizeof(keys[i]), "k%d", i);
        params[n++] = names[i][0];
        params[n++] = keys[i];
        params[n++] = names[i][1];
        params[n++] = "v";
    }
    params[n] = NULL;
    ERR(400, "ValidationError", "CreateRole", params);
    ASSERT_STR_CONTAINS(message(), "Member must have length less than or "
                                   "equal to 50");

    /* Profiles and inline policy names: 128 characters. */
    memset(name129, 'p', 129);
    name129[129] = '\0';
    ERR(400, "ValidationError", "CreateInstanceProfile",
        P("InstanceProfileName", name129));
    ASSERT_STR_CONTAINS(message(), "at 'instanceProfileName'");
    OK("CreateInstanceProfile", P("InstanceProfileName", name129 + 1));
    create_role("r", TRUST_EC2);
    ERR(400, "ValidationError", "PutRolePolicy",
        P("RoleName", "r", "PolicyName", name129, "PolicyDocument", DOC_S3));
    ASSERT_STR_CONTAINS(message(), "at 'policyName'");
    OK("PutRolePolicy",
       P("RoleName", "r", "PolicyName", name129 + 1, "PolicyDocument", DOC_S3));
    ERR(400, "ValidationError", "ListRoles", P("PathPrefix", "noslash"));
    ERR(400, "InvalidInput", "AttachRolePolicy",
        P("RoleName", "r", "PolicyArn", "arn:aws:s3:::some-bucket-name"));
    ASSERT_STR_EQ(message(), "ARN arn:aws:s3:::some-bucket-name is not valid.");
    tt_sim_stop(&sim);
}

/* Collect every page of a List call; returns the concatenated bodies. */
static char *all_pages(const char *action, const char *k, const char *v,
                       const char *max_items, int *pages)
{
    static char out[65536];
    char marker[1024] = "";
    const char *body, *m;

    out[0] = '\0';
    *pages = 0;
    for (;;) {
        if (marker[0] && k)
            body = OK(action, P(k, v, "MaxItems", max_items, "Marker", marker));
        else if (marker[0])
            body = OK(action, P("MaxItems", max_items, "Marker", marker));
        else if (k)
            body = OK(action, P(k, v, "MaxItems", max_items));
        else
            body = OK(action, P("MaxItems", max_items));
        (*pages)++;
        strncat(out, body, sizeof(out) - strlen(out) - 1);
        if (strcmp(tt_xml_text(body, "IsTruncated"), "true") != 0) {
            ASSERT_NULL(tt_xml_text(body, "Marker"));
            break;
        }
        m = tt_xml_text(body, "Marker");
        ASSERT_NOT_NULL(m);
        snprintf(marker, sizeof(marker), "%s", m);
        ASSERT(*pages < 50);
    }
    return out;
}

TEST(sim_iam, paging)
{
    static const char *const names[] = {"delta", "Alpha", "echo", "charlie",
                                        "bravo"};
    const char *body, *a, *b, *c, *d, *e;
    char *all;
    int pages, i;
    char key[16];

    start(NULL);
    for (i = 0; i < 5; i++)
        create_role(names[i], TRUST_EC2);
    body = OK("ListRoles", NOP);
    ASSERT_ENVELOPE(body, "ListRoles");
    ASSERT_EQ(count(body, "<RoleName>"), 5);
    ASSERT_STR_EQ(tt_xml_text(body, "IsTruncated"), "false");
    body = OK("ListRoles", P("MaxItems", "2"));
    ASSERT_EQ(count(body, "<RoleName>"), 2);
    ASSERT_STR_EQ(tt_xml_text(body, "IsTruncated"), "true");
    all = all_pages("ListRoles", NULL, NULL, "2", &pages);
    ASSERT_EQ(pages, 3);
    ASSERT_EQ(count(all, "<RoleName>"), 5);
    /* Sorted by name, ignoring case. */
    a = strstr(all, "<RoleName>Alpha<");
    b = strstr(all, "<RoleName>bravo<");
    c = strstr(all, "<RoleName>charlie<");
    d = strstr(all, "<RoleName>delta<");
    e = strstr(all, "<RoleName>echo<");
    ASSERT(a && b && c && d && e && a < b && b < c && c < d && d < e);
    all = all_pages("ListRoles", NULL, NULL, "1", &pages);
    ASSERT_EQ(pages, 5);

    ERR(400, "ValidationError", "ListRoles", P("MaxItems", "0"));
    ASSERT_STR_CONTAINS(message(), "Value '0' at 'maxItems' failed to satisfy "
                                   "constraint: Member must have value "
                                   "greater than or equal to 1");
    ERR(400, "ValidationError", "ListRoles", P("MaxItems", "1001"));
    OK("ListRoles", P("MaxItems", "1000"));
    ERR(400, "ValidationError", "ListRoles", P("Marker", "not-a-marker"));

    /* PathPrefix. */
    OK("CreateRole", P("RoleName", "deep", "Path", "/team/a/",
                       "AssumeRolePolicyDocument", TRUST_EC2));
    body = OK("ListRoles", P("PathPrefix", "/team/"));
    ASSERT_EQ(count(body, "<RoleName>"), 1);
    ASSERT_STR_EQ(tt_xml_text(body, "RoleName"), "deep");

    /* Every other List* pages the same way. */
    for (i = 0; i < 5; i++) {
        char tname[32];

        snprintf(key, sizeof(key), "key%d", i);
        snprintf(tname, sizeof(tname), "inline%d", i);
        OK("TagRole", P("RoleName", "Alpha", "Tags.member.1.Key", key,
                        "Tags.member.1.Value", "v"));
        OK("PutRolePolicy", P("RoleName", "Alpha", "PolicyName", tname,
                              "PolicyDocument", DOC_S3));
        OK("CreateInstanceProfile", P("InstanceProfileName", tname));
    }
    all = all_pages("ListRoleTags", "RoleName", "Alpha", "2", &pages);
    ASSERT_EQ(pages, 3);
    ASSERT_EQ(count(all, "<Key>"), 5);
    all = all_pages("ListRolePolicies", "RoleName", "Alpha", "3", &pages);
    ASSERT_EQ(pages, 2);
    ASSERT_EQ(count(all, "<member>inline"), 5);
    all = all_pages("ListInstanceProfiles", NULL, NULL, "4", &pages);
    ASSERT_EQ(pages, 2);
    ASSERT_EQ(count(all, "<InstanceProfileName>"), 5);
    OK("AttachRolePolicy",
       P("RoleName", "Alpha", "PolicyArn", AWS_POLICY("ReadOnlyAccess")));
    OK("AttachRolePolicy",
       P("RoleName", "Alpha", "PolicyArn", AWS_POLICY("IAMReadOnlyAccess")));
    OK("AttachRolePolicy", P("RoleName", "Alpha", "PolicyArn",
                             AWS_POLICY("service-role/"
                                        "AWSLambdaBasicExecutionRole")));
    all =
        all_pages("ListAttachedRolePolicies", "RoleName", "Alpha", "1", &pages);
    ASSERT_EQ(pages, 3);
    ASSERT_EQ(count(all, "<PolicyArn>"), 3);
    body = OK("ListAttachedRolePolicies",
              P("RoleName", "Alpha", "PathPrefix", "/service-role/"));
    ASSERT_EQ(count(body, "<PolicyArn>"), 1);
    ASSERT_STR_EQ(tt_xml_text(body, "PolicyName"),
                  "AWSLambdaBasicExecutionRole");
    OK("AddRoleToInstanceProfile",
       P("InstanceProfileName", "inline3", "RoleName", "alpha"));
    all = all_pages("ListInstanceProfilesForRole", "RoleName", "Alpha", "1",
                    &pages);
    ASSERT_EQ(pages, 1);
    ASSERT_EQ(count(all, "<InstanceProfileName>inline3<"), 1);
    tt_sim_stop(&sim);
}

TEST(sim_iam, instance_profiles)
{
    const char *body, *id;

    start(NULL);
    body = OK("CreateInstanceProfile",
              P("InstanceProfileName", "web", "Path", "/svc/",
                "Tags.member.1.Key", "k", "Tags.member.1.Value", "v"));
    ASSERT_STR_CONTAINS(body, "<CreateInstanceProfileResponse " NS ">");
    ASSERT_STR_EQ(tt_xml_text(body, "Arn"),
                  "arn:aws:iam::" ACCT ":instance-profile/svc/web");
    id = tt_xml_text(body, "InstanceProfileId");
    ASSERT_EQ(strlen(id), 21);
    ASSERT_EQ(strncmp(id, "AIPA", 4), 0);
    ASSERT_STR_CONTAINS(body, "<Roles></Roles>");
    create_role("web-role", TRUST_EC2);
    body = OK("AddRoleToInstanceProfile",
              P("InstanceProfileName", "WEB", "RoleName", "web-role"));
    ASSERT_STR_CONTAINS(body, "<AddRoleToInstanceProfileResponse " NS ">");
    body = OK("GetInstanceProfile", P("InstanceProfileName", "web"));
    ASSERT_STR_CONTAINS(body, "<Roles><member><Path>/</Path><RoleName>"
                              "web-role</RoleName>");
    ASSERT_STR_CONTAINS(body, "<Key>k</Key>");
    body = OK("ListInstanceProfilesForRole", P("RoleName", "web-role"));
    ASSERT_STR_EQ(tt_xml_text(body, "InstanceProfileName"), "web");
    body = OK("RemoveRoleFromInstanceProfile",
              P("InstanceProfileName", "web", "RoleName", "web-role"));
    body = OK("ListInstanceProfilesForRole", P("RoleName", "web-role"));
    ASSERT_NULL(tt_xml_text(body, "InstanceProfileName"));
    OK("DeleteInstanceProfile", P("InstanceProfileName", "web"));
    ERR(404, "NoSuchEntity", "GetInstanceProfile",
        P("InstanceProfileName", "web"));
    tt_sim_stop(&sim);
}

TEST(sim_iam, tags_and_inline_policies)
{
    const char *body;
    char key[16], name[32];
    int i;

    start(NULL);
    create_role("r", TRUST_EC2);
    OK("TagRole",
       P("RoleName", "r", "Tags.member.1.Key", "Env", "Tags.member.1.Value",
         "dev", "Tags.member.2.Key", "Owner", "Tags.member.2.Value", ""));
    /* Keys ignore case: the latest writer's spelling wins. */
    OK("TagRole", P("RoleName", "r", "Tags.member.1.Key", "env",
                    "Tags.member.1.Value", "prod"));
    body = OK("ListRoleTags", P("RoleName", "r"));
    ASSERT_STR_CONTAINS(body, "<ListRoleTagsResponse " NS ">");
    ASSERT_EQ(count(body, "<member>"), 2);
    ASSERT_STR_CONTAINS(body, "<Key>env</Key><Value>prod</Value>");
    ASSERT_STR_CONTAINS(body, "<Key>Owner</Key><Value></Value>");
    OK("UntagRole", P("RoleName", "r", "TagKeys.member.1", "ENV"));
    body = OK("ListRoleTags", P("RoleName", "r"));
    ASSERT_EQ(count(body, "<member>"), 1);
    ERR(400, "InvalidInput", "TagRole",
        P("RoleName", "r", "Tags.member.1.Key", "aws:x", "Tags.member.1.Value",
          "v"));
    for (i = 0; i < 49; i++) {
        snprintf(key, sizeof(key), "k%02d", i);
        OK("TagRole", P("RoleName", "r", "Tags.member.1.Key", key,
                        "Tags.member.1.Value", "v"));
    }
    ERR(409, "LimitExceeded", "TagRole",
        P("RoleName", "r", "Tags.member.1.Key", "one-too-many",
          "Tags.member.1.Value", "v"));
    /* Overwriting an existing key at the limit is fine. */
    OK("TagRole", P("RoleName", "r", "Tags.member.1.Key", "K00",
                    "Tags.member.1.Value", "w"));

    body = OK("PutRolePolicy",
              P("RoleName", "r", "PolicyName", "s3", "PolicyDocument", DOC_S3));
    ASSERT_STR_CONTAINS(body, "<PutRolePolicyResponse " NS ">");
    body = OK("GetRolePolicy", P("RoleName", "r", "PolicyName", "s3"));
    ASSERT_STR_CONTAINS(body, "<GetRolePolicyResult>");
    ASSERT_STR_EQ(tt_xml_text(body, "RoleName"), "r");
    ASSERT_STR_EQ(tt_xml_text(body, "PolicyName"), "s3");
    ASSERT_STR_EQ(tt_xml_text(body, "PolicyDocument"),
                  "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%"
                  "5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%"
                  "3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D");
    OK("PutRolePolicy",
       P("RoleName", "r", "PolicyName", "s3", "PolicyDocument", DOC_S3_PUT));
    body = OK("GetRolePolicy", P("RoleName", "r", "PolicyName", "s3"));
    ASSERT_STR_CONTAINS(tt_xml_text(body, "PolicyDocument"), "PutObject");
    for (i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        OK("PutRolePolicy",
           P("RoleName", "r", "PolicyName", name, "PolicyDocument", DOC_S3));
    }
    body = OK("ListRolePolicies", P("RoleName", "r"));
    ASSERT_STR_CONTAINS(body, "<PolicyNames><member>p0</member><member>p1"
                              "</member><member>p2</member><member>s3"
                              "</member></PolicyNames>");
    OK("DeleteRolePolicy", P("RoleName", "r", "PolicyName", "s3"));
    body = OK("ListRolePolicies", P("RoleName", "r"));
    ASSERT_EQ(count(body, "<member>"), 3);
    tt_sim_stop(&sim);
}

TEST(sim_iam, managed_policy_catalogue)
{
    const char *body;

    start(NULL);
    body = OK("GetPolicy",
              P("PolicyArn", AWS_POLICY("AmazonSageMakerFullAccess")));
    ASSERT_ENVELOPE(body, "GetPolicy");
    ASSERT_STR_CONTAINS(body, "<Policy><PolicyName>");
    ASSERT_STR_EQ(tt_xml_text(body, "PolicyName"), "AmazonSageMakerFullAccess");
    ASSERT_EQ(strncmp(tt_xml_text(body, "PolicyId"), "ANPA", 4), 0);
    ASSERT_EQ(strlen(tt_xml_text(body, "PolicyId")), 21);
    ASSERT_EQ(tt_xml_text(body, "DefaultVersionId")[0], 'v');
    ASSERT_STR_EQ(tt_xml_text(body, "AttachmentCount"), "0");
    ASSERT_STR_EQ(tt_xml_text(body, "IsAttachable"), "true");
    ASSERT_STR_EQ(tt_xml_text(body, "Path"), "/");
    ASSERT_NOT_NULL(tt_xml_text(body, "UpdateDate"));
    create_role("sm", TRUST_SAGEMAKER);
    OK("AttachRolePolicy", P("RoleName", "sm", "PolicyArn",
                             AWS_POLICY("AmazonSageMakerFullAccess")));
    body = OK("GetPolicy",
              P("PolicyArn", AWS_POLICY("AmazonSageMakerFullAccess")));
    ASSERT_STR_EQ(tt_xml_text(body, "AttachmentCount"), "1");
    body = OK("ListAttachedRolePolicies", P("RoleName", "sm"));
    ASSERT_STR_CONTAINS(body, "<AttachedPolicies><member><PolicyName>"
                              "AmazonSageMakerFullAccess</PolicyName>"
                              "<PolicyArn>arn:aws:iam::aws:policy/"
                              "AmazonSageMakerFullAccess</PolicyArn>");
    OK("GetPolicy", P("PolicyArn", AWS_POLICY("ReadOnlyAccess")));
    OK("GetPolicy", P("PolicyArn", AWS_POLICY("AmazonS3FullAccess")));
    OK("GetPolicy",
       P("PolicyArn", AWS_POLICY("AmazonEC2ContainerRegistryReadOnly")));
    OK("GetPolicy", P("PolicyArn", AWS_POLICY("CloudWatchLogsFullAccess")));
    OK("GetPolicy", P("PolicyArn", AWS_POLICY("IAMReadOnlyAccess")));
    OK("GetPolicy", P("PolicyArn", AWS_POLICY("AdministratorAccess")));
    body = OK("GetPolicy",
              P("PolicyArn", AWS_POLICY("aws-service-role/"
                                        "AmazonSageMakerNotebooksServiceRole"
                                        "Policy")));
    ASSERT_STR_EQ(tt_xml_text(body, "IsAttachable"), "false");
    ERR(400, "PolicyNotAttachable", "AttachRolePolicy",
        P("RoleName", "sm", "PolicyArn",
          AWS_POLICY("aws-service-role/"
                     "AmazonSageMakerNotebooksServiceRolePolicy")));
    ERR(400, "InvalidInput", "GetPolicy",
        P("PolicyArn", "arn:aws:iam::aws:notapolicy/x"));
    ERR(400, "ValidationError", "GetPolicy", P("PolicyArn", "short"));
    tt_sim_stop(&sim);
}

TEST(sim_iam, account_authorization_details)
{
    const char *body;
    char *all;
    int pages;

    start(NULL);
    OK("CreateRole",
       P("RoleName", "sm", "AssumeRolePolicyDocument", TRUST_SAGEMAKER,
         "Tags.member.1.Key", "team", "Tags.member.1.Value", "ml"));
    OK("PutRolePolicy",
       P("RoleName", "sm", "PolicyName", "s3", "PolicyDocument", DOC_S3));
    OK("AttachRolePolicy", P("RoleName", "sm", "PolicyArn",
                             AWS_POLICY("AmazonSageMakerFullAccess")));
    OK("CreateInstanceProfile", P("InstanceProfileName", "sm-profile"));
    OK("AddRoleToInstanceProfile",
       P("InstanceProfileName", "sm-profile", "RoleName", "sm"));
    create_role("other", TRUST_EC2);
    create_role("third", TRUST_EC2);

    body = OK("GetAccountAuthorizationDetails", P("Filter.member.1", "Role"));
    ASSERT_ENVELOPE(body, "GetAccountAuthorizationDetails");
    ASSERT_EQ(count(body, "<RoleName>"), 4); /* 3 + the one in the profile */
    ASSERT_STR_CONTAINS(body, "<RolePolicyList><member><PolicyName>s3"
                              "</PolicyName><PolicyDocument>%7B%22Version");
    ASSERT_STR_CONTAINS(body, "<AttachedManagedPolicies><member><PolicyName>"
                              "AmazonSageMakerFullAccess</PolicyName>");
    ASSERT_STR_CONTAINS(body, "<InstanceProfileList><member><Path>/</Path>"
                              "<InstanceProfileName>sm-profile"
                              "</InstanceProfileName>");
    ASSERT_STR_CONTAINS(body, "<Key>team</Key><Value>ml</Value>");
    ASSERT_STR_CONTAINS(body, "<AssumeRolePolicyDocument>%7B%22Version");
    ASSERT_STR_CONTAINS(body, "<Policies></Policies>");
    ASSERT_STR_EQ(tt_xml_text(body, "IsTruncated"), "false");

    /* AWS managed policies: only those attached to something. */
    body = OK("GetAccountAuthorizationDetails",
              P("Filter.member.1", "AWSManagedPolicy"));
    ASSERT_STR_CONTAINS(body, "<RoleDetailList></RoleDetailList>");
    ASSERT_EQ(count(body, "<PolicyName>"), 1);
    ASSERT_STR_CONTAINS(body, "<PolicyName>AmazonSageMakerFullAccess"
                              "</PolicyName>");
    ASSERT_STR_CONTAINS(body, "<AttachmentCount>1</AttachmentCount>");
    ASSERT_STR_CONTAINS(body, "<PolicyVersionList><member><Document>%7B");
    ASSERT_STR_CONTAINS(body, "<IsDefaultVersion>true</IsDefaultVersion>");

    /* Everything, one item per page. */
    all = all_pages("GetAccountAuthorizationDetails", NULL, NULL, "1", &pages);
    ASSERT_EQ(pages, 4);
    ASSERT_EQ(count(all, "<RoleId>"), 4);
    all = all_pages("GetAccountAuthorizationDetails", "Filter.member.1", "Role",
                    "2", &pages);
    ASSERT_EQ(pages, 2);
    ERR(400, "ValidationError", "GetAccountAuthorizationDetails",
        P("Filter.member.1", "Robot"));
    tt_sim_stop(&sim);
}

TEST(sim_iam, eventual_consistency)
{
    static const char *const args[] = {"--propagation-ms", "60000", NULL};
    const char *body;

    start(args);
    /* A new role: invisible to reads and dependents, but it exists. */
    create_role("late", TRUST_EC2);
    ERR(404, "NoSuchEntity", "GetRole", P("RoleName", "late"));
    ERR(409, "EntityAlreadyExists", "CreateRole",
        P("RoleName", "late", "AssumeRolePolicyDocument", TRUST_EC2));
    body = OK("ListRoles", NOP);
    ASSERT_NULL(tt_xml_text(body, "RoleName"));
    ERR(404, "NoSuchEntity", "AttachRolePolicy",
        P("RoleName", "late", "PolicyArn", AWS_POLICY("ReadOnlyAccess")));
    ERR(404, "NoSuchEntity", "PutRolePolicy",
        P("RoleName", "late", "PolicyName", "p", "PolicyDocument", DOC_S3));
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "truster", "AssumeRolePolicyDocument",
          TRUST_AWS("arn:aws:iam::" ACCT ":role/late")));
    ASSERT_STR_CONTAINS(message(), "Invalid principal in policy");
    OK("CreateInstanceProfile", P("InstanceProfileName", "prof"));
    ERR(404, "NoSuchEntity", "AddRoleToInstanceProfile",
        P("InstanceProfileName", "prof", "RoleName", "late"));
    advance_ms(60000);
    OK("GetRole", P("RoleName", "late"));
    create_role("truster", TRUST_AWS("arn:aws:iam::" ACCT ":role/late"));
    OK("AddRoleToInstanceProfile",
       P("InstanceProfileName", "prof", "RoleName", "late"));
    /* Membership propagates too; a second role is refused at once. */
    body = OK("GetInstanceProfile", P("InstanceProfileName", "prof"));
    ASSERT_STR_CONTAINS(body, "<Roles></Roles>");
    ERR(409, "LimitExceeded", "AddRoleToInstanceProfile",
        P("InstanceProfileName", "prof", "RoleName", "late"));

    /* Changes show the previous version until visible. */
    OK("PutRolePolicy",
       P("RoleName", "late", "PolicyName", "p", "PolicyDocument", DOC_S3));
    ERR(404, "NoSuchEntity", "GetRolePolicy",
        P("RoleName", "late", "PolicyName", "p"));
    ERR(409, "DeleteConflict", "DeleteRole", P("RoleName", "late"));
    OK("UpdateAssumeRolePolicy",
       P("RoleName", "late", "PolicyDocument", TRUST_SAGEMAKER));
    body = OK("GetRole", P("RoleName", "late"));
    ASSERT_STR_CONTAINS(tt_xml_text(body, "AssumeRolePolicyDocument"),
                        "ec2.amazonaws.com");
    advance_ms(60000);
    body = OK("GetInstanceProfile", P("InstanceProfileName", "prof"));
    ASSERT_STR_CONTAINS(body, "<RoleName>late</RoleName>");
    body = OK("GetRole", P("RoleName", "late"));
    ASSERT_STR_CONTAINS(tt_xml_text(body, "AssumeRolePolicyDocument"),
                        "sagemaker.amazonaws.com");
    OK("GetRolePolicy", P("RoleName", "late", "PolicyName", "p"));
    OK("PutRolePolicy",
       P("RoleName", "late", "PolicyName", "p", "PolicyDocument", DOC_S3_PUT));
    body = OK("GetRolePolicy", P("RoleName", "late", "PolicyName", "p"));
    ASSERT_STR_CONTAINS(tt_xml_text(body, "PolicyDocument"), "GetObject");

    /* Deletion is immediate. */
    OK("DeleteRolePolicy", P("RoleName", "late", "PolicyName", "p"));
    OK("RemoveRoleFromInstanceProfile",
       P("InstanceProfileName", "prof", "RoleName", "late"));
    OK("DeleteRole", P("RoleName", "late"));
    ERR(404, "NoSuchEntity", "GetRole", P("RoleName", "late"));
    tt_sim_stop(&sim);
}

TEST(sim_iam, dump_and_load)
{
    static const char load[] =
        "{\"iam\": {"
        " \"policies\": [{\"name\": \"cust\", \"document\": {\"Version\":"
        "  \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
        "  \"s3:*\", \"Resource\": \"*\"}]}}],"
        " \"roles\": [{\"name\": \"dbx-cross-account\", \"assume_role_policy\":"
        "  {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "
        "\"Allow\","
        "  \"Principal\": {\"AWS\": \"arn:aws:iam::414351767826:root\"},"
        "  \"Action\": \"sts:AssumeRole\"}]}, \"tags\": {\"a\": \"b\"},"
        "  \"inline_policies\": {\"pass\": "
        "\"{\\\"Version\\\":\\\"2012-10-17\\\""
        ",\\\"Statement\\\":[]}\"},"
        "  \"attached_policies\": "
        "[\"arn:aws:iam::123456789012:policy/cust\"]}],"
        " \"instance_profiles\": [{\"name\": \"ip\", \"roles\":"
        "  [\"dbx-cross-account\"]}]"
        "}}";
    static const char bad[] =
        "{\"iam\": {\"roles\": [{\"name\": \"ok-role\", \"assume_role_policy\":"
        " \"{}\"}, {\"name\": \"broken\"}]}}";
    static const char *const args[] = {"--propagation-ms", "60000", NULL};
    struct tt_response r;
    const char *body;

    /* Loaded objects are visible at once, whatever the propagation delay. */
    start(args);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load", load));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    body = OK("GetRole", P("RoleName", "dbx-cross-account"));
    ASSERT_EQ(strncmp(tt_xml_text(body, "RoleId"), "AROA", 4), 0);
    body = OK("GetPolicy", P("PolicyArn", "arn:aws:iam::" ACCT ":policy/cust"));
    ASSERT_STR_EQ(tt_xml_text(body, "AttachmentCount"), "1");
    body = OK("GetInstanceProfile", P("InstanceProfileName", "ip"));
    ASSERT_STR_CONTAINS(body, "<RoleName>dbx-cross-account</RoleName>");
    OK("GetRolePolicy",
       P("RoleName", "dbx-cross-account", "PolicyName", "pass"));
    /* The role can be named as a principal at once. */
    create_role("trusting",
                TRUST_AWS("arn:aws:iam::" ACCT ":role/dbx-cross-account"));

    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "dump", NULL));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_CONTAINS(r.body, "\"dbx-cross-account\"");
    ASSERT_STR_CONTAINS(r.body, "\"assume_role_policy\"");
    ASSERT_STR_CONTAINS(r.body, "414351767826:root");
    ASSERT_STR_CONTAINS(r.body, "\"inline_policies\"");
    ASSERT_STR_CONTAINS(r.body, "\"attached_policies\"");
    ASSERT_STR_CONTAINS(r.body, "arn:aws:iam::" ACCT ":instance-profile/ip");
    ASSERT_STR_CONTAINS(r.body, "\"trusting\"");
    ASSERT_STR_CONTAINS(r.body, "arn:aws:iam::" ACCT ":policy/cust");
    ASSERT_STR_NOT_CONTAINS(r.body, "AdministratorAccess");
    tt_response_release(&r);

    /* A load is all or nothing. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load", bad));
    ASSERT_EQ(r.status, 400);
    tt_response_release(&r);
    ERR(404, "NoSuchEntity", "GetRole", P("RoleName", "ok-role"));

    /* Reset forgets everything but the catalogue. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "reset", NULL));
    tt_response_release(&r);
    ERR(404, "NoSuchEntity", "GetRole", P("RoleName", "dbx-cross-account"));
    OK("GetPolicy", P("PolicyArn", AWS_POLICY("AmazonSageMakerFullAccess")));
    tt_sim_stop(&sim);
}

TEST(sim_iam, accounts_are_separate)
{
    static const char keys[] =
        "{\"keys\": [{\"access_key_id\": \"AKIDOTHERACCOUNT0001\","
        " \"secret_access_key\": \"other/secret/0000000000000000000000001\","
        " \"account\": \"210987654321\"}]}";
    static const struct tt_aws_creds other = {
        "AKIDOTHERACCOUNT0001", "other/secret/0000000000000000000000001", NULL};
    const char *const get_shared[] = {"RoleName", "shared", NULL};
    const char *const create_shared[] = {
        "RoleName", "shared", "AssumeRolePolicyDocument", TRUST_EC2, NULL};
    struct tt_response r;
    const char *body;
    char other_id[32], want[96];

    start(NULL);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load", keys));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    create_role("shared", TRUST_EC2);
    /* The other account sees none of ours, and may use the same name. */
    ASSERT_OK(
        tt_aws_call(&r, &sim, "iam", &other, NULL, "GetRole", get_shared));
    ASSERT_EQ(r.status, 404);
    tt_response_release(&r);
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", &other, NULL, "CreateRole",
                          create_shared));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Arn"),
                  "arn:aws:iam::210987654321:role/shared");
    snprintf(other_id, sizeof(other_id), "%s", tt_xml_text(r.body, "RoleId"));
    tt_response_release(&r);
    /* A trust policy may name a role of another account that exists. */
    create_role("cross", TRUST_AWS("arn:aws:iam::210987654321:role/shared"));
    ERR(400, "MalformedPolicyDocument", "CreateRole",
        P("RoleName", "cross2", "AssumeRolePolicyDocument",
          TRUST_AWS("arn:aws:iam::210987654321:role/missing")));
    /* Once the principal is deleted, the trust policy shows its id. */
    ASSERT_OK(
        tt_aws_call(&r, &sim, "iam", &other, NULL, "DeleteRole", get_shared));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    body = OK("GetRole", P("RoleName", "cross"));
    snprintf(want, sizeof(want), "%%22AWS%%22%%3A%%22%s%%22", other_id);
    ASSERT_STR_CONTAINS(tt_xml_text(body, "AssumeRolePolicyDocument"), want);
    tt_sim_stop(&sim);
}

/* Databricks' instance-profiles/add, which asks iam.c whether it is usable. */
static long dbx_add(const char *profile_arn)
{
    static const char *const hdrs[] = {
        "Authorization: Bearer dapi-ternsim-default-token-0001",
        "Content-Type: application/json", NULL};
    char url[128], body[256];
    struct tt_response r;
    long status;

    snprintf(url, sizeof(url), "%s/api/2.0/instance-profiles/add",
             sim.base_url);
    snprintf(body, sizeof(body), "{\"instance_profile_arn\": \"%s\"}",
             profile_arn);
    if (tt_http(&r, "POST", url, hdrs, body, strlen(body)) != 0)
        FAIL("databricks call failed");
    status = r.status;
    tt_response_release(&r);
    return status;
}

static long assume(const char *role_arn)
{
    const char *const params[] = {"RoleArn", role_arn, "RoleSessionName",
                                  "tern-test", NULL};
    struct tt_response r;
    long status;

    if (tt_aws_call(&r, &sim, "sts", NULL, NULL, "AssumeRole", params) != 0)
        FAIL("sts call failed");
    status = r.status;
    tt_response_release(&r);
    return status;
}

TEST(sim_iam, visibility_for_sts_and_databricks)
{
    static const char *const args[] = {"--propagation-ms", "60000", NULL};

    start(args);
    OK("CreateRole",
       P("RoleName", "ws", "Path", "/dbx/", "AssumeRolePolicyDocument",
         TRUST_AWS("arn:aws:iam::" ACCT ":root")));
    OK("CreateInstanceProfile", P("InstanceProfileName", "ws-profile"));
    ASSERT_EQ(assume("arn:aws:iam::" ACCT ":role/dbx/ws"), 403);
    ASSERT_EQ(dbx_add("arn:aws:iam::" ACCT ":instance-profile/ws-profile"),
              400);
    advance_ms(60000);
    ASSERT_EQ(assume("arn:aws:iam::" ACCT ":role/dbx/ws"), 200);
    /* The path is part of the ARN. */
    ASSERT_EQ(assume("arn:aws:iam::" ACCT ":role/ws"), 403);
    /* A profile without a role is not usable; membership propagates. */
    ASSERT_EQ(dbx_add("arn:aws:iam::" ACCT ":instance-profile/ws-profile"),
              400);
    OK("AddRoleToInstanceProfile",
       P("InstanceProfileName", "ws-profile", "RoleName", "ws"));
    ASSERT_EQ(dbx_add("arn:aws:iam::" ACCT ":instance-profile/ws-profile"),
              400);
    advance_ms(60000);
    ASSERT_EQ(dbx_add("arn:aws:iam::" ACCT ":instance-profile/ws-profile"),
              200);
    tt_sim_stop(&sim);
}

TEST(sim_iam, profile_tags_and_permissions_boundaries)
{
    const char *body;

    start(NULL);
    create_role("r", TRUST_EC2);
    OK("CreateInstanceProfile", P("InstanceProfileName", "p"));
    OK("TagInstanceProfile",
       P("InstanceProfileName", "p", "Tags.member.1.Key", "team",
         "Tags.member.1.Value", "ml", "Tags.member.2.Key", "env",
         "Tags.member.2.Value", "dev"));
    body = OK("GetInstanceProfile", P("InstanceProfileName", "p"));
    ASSERT_STR_CONTAINS(body, "<Key>team</Key><Value>ml</Value>");
    ASSERT_STR_CONTAINS(body, "<Key>env</Key><Value>dev</Value>");
    OK("UntagInstanceProfile",
       P("InstanceProfileName", "p", "TagKeys.member.1", "env"));
    body = OK("GetInstanceProfile", P("InstanceProfileName", "p"));
    ASSERT_STR_NOT_CONTAINS(body, "<Key>env</Key>");
    ERR(404, "NoSuchEntity", "TagInstanceProfile",
        P("InstanceProfileName", "nope", "Tags.member.1.Key", "a",
          "Tags.member.1.Value", "b"));
    ERR(400, "ValidationError", "TagInstanceProfile",
        P("InstanceProfileName", "p"));

    OK("PutRolePermissionsBoundary", P("RoleName", "r", "PermissionsBoundary",
                                       AWS_POLICY("IAMReadOnlyAccess")));
    body = OK("GetRole", P("RoleName", "r"));
    ASSERT_STR_CONTAINS(body,
                        "<PermissionsBoundaryArn>" AWS_POLICY(
                            "IAMReadOnlyAccess") "</PermissionsBoundaryArn>");
    ERR(404, "NoSuchEntity", "PutRolePermissionsBoundary",
        P("RoleName", "r", "PermissionsBoundary",
          AWS_POLICY("NoSuchPolicyAnywhere")));
    ERR(400, "ValidationError", "PutRolePermissionsBoundary",
        P("RoleName", "r"));
    ERR(404, "NoSuchEntity", "PutRolePermissionsBoundary",
        P("RoleName", "nope", "PermissionsBoundary",
          AWS_POLICY("IAMReadOnlyAccess")));
    OK("DeleteRolePermissionsBoundary", P("RoleName", "r"));
    body = OK("GetRole", P("RoleName", "r"));
    ASSERT_STR_NOT_CONTAINS(body, "PermissionsBoundary");
    tt_sim_stop(&sim);
}

/*
 * ListRoles gives each role as Role does, less the tags, the permissions
 * boundary and RoleLastUsed (as IAM's reference says): the description and
 * maximum session duration are there, which the bulk refresh relies on.
 */
TEST(sim_iam, list_roles_fields)
{
    const char *body;

    start(NULL);
    OK("CreateRole",
       P("RoleName", "described", "AssumeRolePolicyDocument", TRUST_EC2,
         "Description", "a & b", "MaxSessionDuration", "7200",
         "Tags.member.1.Key", "team", "Tags.member.1.Value", "ml",
         "PermissionsBoundary", AWS_POLICY("IAMReadOnlyAccess")));
    create_role("plain", TRUST_EC2);
    body = OK("ListRoles", P("MaxItems", "1000"));
    ASSERT_ENVELOPE(body, "ListRoles");
    ASSERT_EQ(count(body, "<RoleName>"), 2);
    ASSERT_STR_CONTAINS(body, "<RoleName>described</RoleName>");
    ASSERT_STR_CONTAINS(body, "<Description>a &amp; b</Description>"
                              "<MaxSessionDuration>7200"
                              "</MaxSessionDuration>");
    /* No description: no element; the default duration. */
    ASSERT_EQ(count(body, "<Description>"), 1);
    ASSERT_STR_CONTAINS(body, "<MaxSessionDuration>3600</MaxSessionDuration>");
    ASSERT_STR_CONTAINS(body, "<AssumeRolePolicyDocument>%7B%22Version");
    ASSERT_STR_NOT_CONTAINS(body, "<Tags>");
    ASSERT_STR_NOT_CONTAINS(body, "PermissionsBoundary");
    ASSERT_STR_NOT_CONTAINS(body, "RoleLastUsed");
    /* UpdateRole shows in the list. */
    OK("UpdateRole", P("RoleName", "plain", "Description", "now described",
                       "MaxSessionDuration", "43200"));
    body = OK("ListRoles", NOP);
    ASSERT_STR_CONTAINS(body, "<Description>now described</Description>"
                              "<MaxSessionDuration>43200"
                              "</MaxSessionDuration>");
    tt_sim_stop(&sim);
}

/* "denied_actions" of /_sim/load: AccessDenied for those actions only,
 * until the next load that names the list, or a reset. */
TEST(sim_iam, denied_actions)
{
    struct tt_response r;
    const char *body;

    start(NULL);
    create_role("r", TRUST_EC2);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"iam\": {\"denied_actions\": [\"ListRoles\", "
                             "\"GetRole\"]}}"));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    ERR(403, "AccessDenied", "ListRoles", NOP);
    ASSERT_STR_CONTAINS(message(), "is not authorized to perform: "
                                   "iam:ListRoles on resource: "
                                   "arn:aws:iam::" ACCT ":*");
    ERR(403, "AccessDenied", "GetRole", P("RoleName", "r"));
    body = OK("GetAccountAuthorizationDetails", P("Filter.member.1", "Role"));
    ASSERT_STR_CONTAINS(body, "<RoleName>r</RoleName>");
    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "dump", NULL));
    ASSERT_STR_CONTAINS(r.body,
                        "\"denied_actions\":[\"ListRoles\",\"GetRole\"]");
    tt_response_release(&r);
    /* A load without the list keeps it; one with it replaces it. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load", "{\"iam\": {}}"));
    tt_response_release(&r);
    ERR(403, "AccessDenied", "ListRoles", NOP);
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"iam\": {\"denied_actions\": [\"GetRole\"]}}"));
    tt_response_release(&r);
    OK("ListRoles", NOP);
    ERR(403, "AccessDenied", "GetRole", P("RoleName", "r"));
    /* Not an action: refused, nothing changed. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "load",
                             "{\"iam\": {\"denied_actions\": [\"Nope\"]}}"));
    ASSERT_EQ(r.status, 400);
    tt_response_release(&r);
    ERR(403, "AccessDenied", "GetRole", P("RoleName", "r"));
    /* A reset forgets it. */
    ASSERT_OK(tt_sim_control(&r, &sim, "POST", "reset", NULL));
    tt_response_release(&r);
    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "dump", NULL));
    ASSERT_STR_NOT_CONTAINS(r.body, "denied_actions");
    tt_response_release(&r);
    OK("ListRoles", NOP);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_iam_list[] = {
    TEST_INTEGRATION(sim_iam, role_lifecycle_and_shapes),
    TEST_INTEGRATION(sim_iam, entity_already_exists),
    TEST_INTEGRATION(sim_iam, no_such_entity),
    TEST_INTEGRATION(sim_iam, delete_conflict),
    TEST_INTEGRATION(sim_iam, limits_exceeded),
    TEST_INTEGRATION(sim_iam, malformed_policy_documents),
    TEST_INTEGRATION(sim_iam, validation_errors),
    TEST_INTEGRATION(sim_iam, paging),
    TEST_INTEGRATION(sim_iam, instance_profiles),
    TEST_INTEGRATION(sim_iam, tags_and_inline_policies),
    TEST_INTEGRATION(sim_iam, managed_policy_catalogue),
    TEST_INTEGRATION(sim_iam, account_authorization_details),
    TEST_INTEGRATION(sim_iam, eventual_consistency),
    TEST_INTEGRATION(sim_iam, dump_and_load),
    TEST_INTEGRATION(sim_iam, accounts_are_separate),
    TEST_INTEGRATION(sim_iam, visibility_for_sts_and_databricks),
    TEST_INTEGRATION(sim_iam, profile_tags_and_permissions_boundaries),
    TEST_INTEGRATION(sim_iam, list_roles_fields),
    TEST_INTEGRATION(sim_iam, denied_actions),
    TEST_END};
