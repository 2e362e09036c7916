/*
 * tern-sim's customer managed policies over HTTP (tests/sim/iam_policy.c):
 * each case starts its own tern-sim and calls it with signed Query
 * requests, asserting AWS's exact status, code and message for each rule
 * (versions, the 5-version and 6,144-character limits, DeleteConflict,
 * NoSuchEntity, EntityAlreadyExists) and the shapes of the answers.
 */
#include "runner.h"

#include "aws_call.h"
#include "support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCT   "123456789012"
#define NS     "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\""
#define ARN(p) "arn:aws:iam::" ACCT ":policy/" p

#define TRUST_EC2                                                              \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"                       \
    "\"Action\":\"sts:AssumeRole\"}]}"
#define DOC(action)                                                            \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":\"" action "\",\"Resource\":\"*\"}]}"
/* DOC("s3:GetObject") as IAM returns it, URL-encoded. */
#define DOC_GET_ENCODED                                                        \
    "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22"        \
    "Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22"      \
    "Resource%22%3A%22%2A%22%7D%5D%7D"

#define P(...) ((const char *const[]){__VA_ARGS__, NULL})

static struct tt_sim sim;
static struct tt_response last;

static void start(const char *const *args)
{
    if (tt_sim_start(&sim, args) != 0)
        FAIL("tern-sim did not start");
}

/* One IAM call; fails the test unless the status (and, for errors, the
 * Code) is the expected one. Returns the body, valid until the next. */
static const char *call(int line, long status, const char *code,
                        const char *action, const char *const *params)
{
    const char *got;

    tt_response_release(&last);
    if (tt_aws_call(&last, &sim, "iam", NULL, NULL, action, params) != 0)
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

#define OK(action, params) call(__LINE__, 200, NULL, action, params)
#define ERR(status, code, action, params)                                      \
    call(__LINE__, status, code, action, params)

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

#define MESSAGE() message()

static int count(const char *hay, const char *needle)
{
    int n = 0;

    while ((hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

static void create(const char *name, const char *doc)
{
    OK("CreatePolicy", P("PolicyName", name, "PolicyDocument", doc));
}

static void new_version(const char *arn, const char *doc, const char *dflt)
{
    OK("CreatePolicyVersion",
       P("PolicyArn", arn, "PolicyDocument", doc, "SetAsDefault", dflt));
}

TEST(sim_iam_policy, create_get_list_shapes)
{
    const char *body;

    start(NULL);
    body = OK("CreatePolicy",
              P("PolicyName", "app-s3", "Path", "/app/", "PolicyDocument",
                DOC("s3:GetObject"), "Description", "Read the bucket",
                "Tags.member.1.Key", "team", "Tags.member.1.Value", "ml"));
    ASSERT_STR_CONTAINS(body, "<CreatePolicyResponse " NS ">");
    ASSERT_STR_CONTAINS(body, "<CreatePolicyResult>\n<Policy><PolicyName>"
                              "app-s3</PolicyName>");
    ASSERT_STR_EQ(tt_xml_text(body, "Arn"), ARN("app/app-s3"));
    ASSERT_STR_EQ(tt_xml_text(body, "Path"), "/app/");
    ASSERT_EQ(strncmp(tt_xml_text(body, "PolicyId"), "ANPA", 4), 0);
    ASSERT_STR_EQ(tt_xml_text(body, "DefaultVersionId"), "v1");
    ASSERT_STR_EQ(tt_xml_text(body, "AttachmentCount"), "0");
    ASSERT_STR_EQ(tt_xml_text(body, "IsAttachable"), "true");
    /* As IAM's CreatePolicy: the tags, not the description. */
    ASSERT_STR_CONTAINS(body, "<Tags><member><Key>team</Key><Value>ml</Value>");
    ASSERT_NULL(tt_xml_text(body, "Description"));

    body = OK("GetPolicy", P("PolicyArn", ARN("app/app-s3")));
    ASSERT_STR_EQ(tt_xml_text(body, "Description"), "Read the bucket");
    ASSERT_STR_CONTAINS(body, "<Key>team</Key><Value>ml</Value>");
    body = OK("GetPolicyVersion",
              P("PolicyArn", ARN("app/app-s3"), "VersionId", "v1"));
    ASSERT_STR_EQ(tt_xml_text(body, "Document"), DOC_GET_ENCODED);
    ASSERT_STR_EQ(tt_xml_text(body, "IsDefaultVersion"), "true");

    /* ListPolicies leaves out the description and the tags. */
    body = OK("ListPolicies", P("Scope", "Local"));
    ASSERT_EQ(count(body, "<member><PolicyName>"), 1);
    ASSERT_STR_EQ(tt_xml_text(body, "PolicyName"), "app-s3");
    ASSERT_NULL(tt_xml_text(body, "Description"));
    ASSERT_NULL(tt_xml_text(body, "Tags"));
    body = OK("ListPolicies", P("Scope", "AWS"));
    ASSERT_STR_NOT_CONTAINS(body, "app-s3");
    body = OK("ListPolicies", P("Scope", "Local", "PathPrefix", "/other/"));
    ASSERT_STR_NOT_CONTAINS(body, "app-s3");

    /* The usual constraints, with AWS's wording. */
    ERR(400, "ValidationError", "CreatePolicy",
        P("PolicyName", "bad name", "PolicyDocument", DOC("s3:GetObject")));
    ASSERT_STR_EQ(MESSAGE(), "1 validation error detected: Value 'bad name' "
                             "at 'policyName' failed to satisfy constraint: "
                             "Member must satisfy regular expression pattern: "
                             "[\\w+=,.@-]+");
    ERR(400, "ValidationError", "CreatePolicy",
        P("PolicyName", "p", "Path", "/a//b/", "PolicyDocument",
          DOC("s3:GetObject")));
    ASSERT_STR_EQ(MESSAGE(), "1 validation error detected: Value '/a//b/' at "
                             "'path' failed to satisfy constraint: Member "
                             "must satisfy regular expression pattern: "
                             "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
    tt_sim_stop(&sim);
}

TEST(sim_iam_policy, entity_already_exists_and_no_such_entity)
{
    start(NULL);
    create("shared", DOC("s3:GetObject"));
    /* Names are unique in the account, ignoring case and path. */
    ERR(409, "EntityAlreadyExists", "CreatePolicy",
        P("PolicyName", "SHARED", "Path", "/x/", "PolicyDocument",
          DOC("s3:GetObject")));
    ASSERT_STR_EQ(MESSAGE(), "A policy called SHARED already exists. "
                             "Duplicate names are not allowed.");
    ERR(404, "NoSuchEntity", "GetPolicy", P("PolicyArn", ARN("ghost")));
    ASSERT_STR_EQ(MESSAGE(), "Policy " ARN("ghost") " was not found.");
    ERR(404, "NoSuchEntity", "DeletePolicy", P("PolicyArn", ARN("ghost")));
    ASSERT_STR_EQ(MESSAGE(), "Policy " ARN("ghost") " was not found.");
    ERR(404, "NoSuchEntity", "CreatePolicyVersion",
        P("PolicyArn", ARN("ghost"), "PolicyDocument", DOC("s3:GetObject")));
    ERR(404, "NoSuchEntity", "ListPolicyVersions",
        P("PolicyArn", ARN("ghost")));
    ERR(404, "NoSuchEntity", "ListEntitiesForPolicy",
        P("PolicyArn", ARN("ghost")));
    ERR(404, "NoSuchEntity", "TagPolicy",
        P("PolicyArn", ARN("ghost"), "Tags.member.1.Key", "k",
          "Tags.member.1.Value", "v"));
    ERR(404, "NoSuchEntity", "GetPolicyVersion",
        P("PolicyArn", ARN("shared"), "VersionId", "v2"));
    ASSERT_STR_EQ(MESSAGE(),
                  "Policy " ARN("shared") " version v2 does not "
                                          "exist or is not attachable.");
    ERR(404, "NoSuchEntity", "DeletePolicyVersion",
        P("PolicyArn", ARN("shared"), "VersionId", "v7"));
    ERR(404, "NoSuchEntity", "SetDefaultPolicyVersion",
        P("PolicyArn", ARN("shared"), "VersionId", "v7"));
    ERR(400, "ValidationError", "GetPolicyVersion",
        P("PolicyArn", ARN("shared"), "VersionId", "1"));
    ASSERT_STR_EQ(MESSAGE(), "1 validation error detected: Value '1' at "
                             "'versionId' failed to satisfy constraint: "
                             "Member must satisfy regular expression "
                             "pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
    ERR(400, "InvalidInput", "DeletePolicy",
        P("PolicyArn", "arn:aws:iam::" ACCT ":role/not-a-policy"));
    /* AWS's policies are read, never changed. */
    OK("ListPolicyVersions",
       P("PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"));
    ERR(403, "AccessDenied", "DeletePolicy",
        P("PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"));
    tt_sim_stop(&sim);
}

TEST(sim_iam_policy, versions_and_their_limit)
{
    const char *body;

    start(NULL);
    create("v", DOC("s3:GetObject"));
    body = OK("CreatePolicyVersion",
              P("PolicyArn", ARN("v"), "PolicyDocument", DOC("s3:PutObject"),
                "SetAsDefault", "true"));
    ASSERT_STR_CONTAINS(body, "<CreatePolicyVersionResult>\n<PolicyVersion>"
                              "<VersionId>v2</VersionId><IsDefaultVersion>"
                              "true</IsDefaultVersion><CreateDate>");
    /* CreatePolicyVersion does not echo the document. */
    ASSERT_NULL(tt_xml_text(body, "Document"));
    body = OK("GetPolicy", P("PolicyArn", ARN("v")));
    ASSERT_STR_EQ(tt_xml_text(body, "DefaultVersionId"), "v2");
    new_version(ARN("v"), DOC("s3:ListBucket"), "false");
    body = OK("ListPolicyVersions", P("PolicyArn", ARN("v")));
    /* Newest first, with the default marked, without documents. */
    ASSERT_STR_CONTAINS(body, "<Versions><member><VersionId>v3</VersionId>"
                              "<IsDefaultVersion>false</IsDefaultVersion>");
    ASSERT_STR_CONTAINS(body, "<member><VersionId>v2</VersionId>"
                              "<IsDefaultVersion>true</IsDefaultVersion>");
    ASSERT_STR_CONTAINS(body, "<member><VersionId>v1</VersionId>"
                              "<IsDefaultVersion>false</IsDefaultVersion>");
    ASSERT_NULL(tt_xml_text(body, "Document"));
    body = OK("GetPolicyVersion", P("PolicyArn", ARN("v"), "VersionId", "v3"));
    ASSERT_STR_CONTAINS(tt_xml_text(body, "Document"), "s3%3AListBucket");

    new_version(ARN("v"), DOC("s3:ListBucket"), "false");
    new_version(ARN("v"), DOC("s3:ListBucket"), "false");
    ERR(409, "LimitExceeded", "CreatePolicyVersion",
        P("PolicyArn", ARN("v"), "PolicyDocument", DOC("s3:ListBucket")));
    ASSERT_STR_EQ(MESSAGE(), "A managed policy can have up to 5 versions. "
                             "Before you create a new version, you must "
                             "delete an existing version.");
    ERR(409, "DeleteConflict", "DeletePolicyVersion",
        P("PolicyArn", ARN("v"), "VersionId", "v2"));
    ASSERT_STR_EQ(MESSAGE(), "Cannot delete the default version of a policy.");
    OK("DeletePolicyVersion", P("PolicyArn", ARN("v"), "VersionId", "v1"));
    /* Ids are never reused. */
    body = OK("CreatePolicyVersion",
              P("PolicyArn", ARN("v"), "PolicyDocument", DOC("s3:ListBucket")));
    ASSERT_STR_EQ(tt_xml_text(body, "VersionId"), "v6");
    ASSERT_STR_EQ(tt_xml_text(body, "IsDefaultVersion"), "false");
    OK("SetDefaultPolicyVersion", P("PolicyArn", ARN("v"), "VersionId", "v3"));
    body = OK("GetPolicy", P("PolicyArn", ARN("v")));
    ASSERT_STR_EQ(tt_xml_text(body, "DefaultVersionId"), "v3");
    ERR(404, "NoSuchEntity", "GetPolicyVersion",
        P("PolicyArn", ARN("v"), "VersionId", "v1"));
    tt_sim_stop(&sim);
}

/* A valid identity policy of n characters without whitespace, padded with
 * spaces, which IAM does not count. */
static char *sized_doc(size_t n, size_t padding)
{
    static const char head[] = "{\"Version\":\"2012-10-17\",\"Statement\":"
                               "[{\"Effect\":\"Allow\",\"Action\":\"s3:"
                               "GetObject\",\"Resource\":\"arn:aws:s3:::";
    static const char tail[] = "\"}]}";
    size_t fixed = strlen(head) + strlen(tail), i, len = strlen(head);
    char *s = calloc(1, n + padding + 64);

    memcpy(s, head, len);
    for (i = 0; i < padding; i++)
        s[len++] = ' ';
    for (i = fixed; i < n; i++)
        s[len++] = 'b';
    memcpy(s + len, tail, strlen(tail) + 1);
    return s;
}

TEST(sim_iam_policy, document_size_and_grammar)
{
    char *fits = sized_doc(6144, 500), *over = sized_doc(6145, 0);

    start(NULL);
    create("big", fits);
    ERR(409, "LimitExceeded", "CreatePolicy",
        P("PolicyName", "bigger", "PolicyDocument", over));
    ASSERT_STR_EQ(MESSAGE(), "Cannot exceed quota for PolicySize: 6144");
    new_version(ARN("big"), fits, "true");
    ERR(409, "LimitExceeded", "CreatePolicyVersion",
        P("PolicyArn", ARN("big"), "PolicyDocument", over));
    ASSERT_STR_EQ(MESSAGE(), "Cannot exceed quota for PolicySize: 6144");
    /* The grammar is checked first. */
    ERR(400, "MalformedPolicyDocument", "CreatePolicy",
        P("PolicyName", "trusty", "PolicyDocument", TRUST_EC2));
    ASSERT_STR_EQ(MESSAGE(), "Policy document should not specify a principal.");
    ERR(400, "MalformedPolicyDocument", "CreatePolicyVersion",
        P("PolicyArn", ARN("big"), "PolicyDocument", "{\"Statement\": 1}"));
    ASSERT_STR_EQ(MESSAGE(), "Syntax errors in policy.");
    free(fits);
    free(over);
    tt_sim_stop(&sim);
}

TEST(sim_iam_policy, attachments_and_delete_conflicts)
{
    const char *body;

    start(NULL);
    create("held", DOC("s3:GetObject"));
    OK("CreateRole",
       P("RoleName", "app", "AssumeRolePolicyDocument", TRUST_EC2));
    OK("CreateRole",
       P("RoleName", "Batch", "AssumeRolePolicyDocument", TRUST_EC2));
    OK("AttachRolePolicy", P("RoleName", "app", "PolicyArn", ARN("held")));
    OK("AttachRolePolicy", P("RoleName", "Batch", "PolicyArn", ARN("held")));
    body = OK("GetPolicy", P("PolicyArn", ARN("held")));
    ASSERT_STR_EQ(tt_xml_text(body, "AttachmentCount"), "2");
    body = OK("ListEntitiesForPolicy", P("PolicyArn", ARN("held")));
    ASSERT_STR_CONTAINS(body, "<PolicyGroups/><PolicyUsers/><PolicyRoles>"
                              "<member><RoleName>app</RoleName><RoleId>AROA");
    ASSERT_EQ(count(body, "<RoleName>"), 2);
    body = OK("ListEntitiesForPolicy",
              P("PolicyArn", ARN("held"), "EntityFilter", "User"));
    ASSERT_EQ(count(body, "<RoleName>"), 0);
    ERR(400, "ValidationError", "ListEntitiesForPolicy",
        P("PolicyArn", ARN("held"), "EntityFilter", "Robot"));
    ERR(409, "DeleteConflict", "DeletePolicy", P("PolicyArn", ARN("held")));
    ASSERT_STR_EQ(MESSAGE(), "Cannot delete a policy attached to entities.");
    OK("DetachRolePolicy", P("RoleName", "app", "PolicyArn", ARN("held")));
    OK("DetachRolePolicy", P("RoleName", "Batch", "PolicyArn", ARN("held")));
    body = OK("GetPolicy", P("PolicyArn", ARN("held")));
    ASSERT_STR_EQ(tt_xml_text(body, "AttachmentCount"), "0");
    /* A permissions boundary holds it too. */
    OK("PutRolePermissionsBoundary",
       P("RoleName", "app", "PermissionsBoundary", ARN("held")));
    ERR(409, "DeleteConflict", "DeletePolicy", P("PolicyArn", ARN("held")));
    OK("DeleteRolePermissionsBoundary", P("RoleName", "app"));
    /* Versions besides the default go first. */
    new_version(ARN("held"), DOC("s3:PutObject"), "true");
    ERR(409, "DeleteConflict", "DeletePolicy", P("PolicyArn", ARN("held")));
    ASSERT_STR_EQ(MESSAGE(), "This policy has more than one version. Before "
                             "you delete a policy, you must delete the "
                             "policy's versions. The default version is "
                             "deleted with the policy.");
    OK("DeletePolicyVersion", P("PolicyArn", ARN("held"), "VersionId", "v1"));
    body = OK("DeletePolicy", P("PolicyArn", ARN("held")));
    ASSERT_STR_CONTAINS(body, "<DeletePolicyResponse " NS ">");
    ERR(404, "NoSuchEntity", "GetPolicy", P("PolicyArn", ARN("held")));
    ERR(404, "NoSuchEntity", "AttachRolePolicy",
        P("RoleName", "app", "PolicyArn", ARN("held")));
    tt_sim_stop(&sim);
}

/* TagPolicy of keys first..first+n-1 ("k<i>"). */
static const char *tag_many(long status, int first, int n)
{
    static char names[50][2][32], keys[50][16];
    const char *params[2 + 4 * 50 + 1];
    int i, k = 0;

    params[k++] = "PolicyArn";
    params[k++] = ARN("tagged");
    for (i = 0; i < n && i < 50; i++) {
        snprintf(names[i][0], sizeof(names[i][0]), "Tags.member.%d.Key", i + 1);
        snprintf(names[i][1], sizeof(names[i][1]), "Tags.member.%d.Value",
                 i + 1);
        snprintf(keys[i], sizeof(keys[i]), "k%d", first + i);
        params[k++] = names[i][0];
        params[k++] = keys[i];
        params[k++] = names[i][1];
        params[k++] = "v";
    }
    params[k] = NULL;
    return call(__LINE__, status, status == 200 ? NULL : "LimitExceeded",
                "TagPolicy", params);
}

TEST(sim_iam_policy, tags)
{
    const char *body;

    start(NULL);
    create("tagged", DOC("s3:GetObject"));
    OK("TagPolicy", P("PolicyArn", ARN("tagged"), "Tags.member.1.Key", "b",
                      "Tags.member.1.Value", "2", "Tags.member.2.Key", "a",
                      "Tags.member.2.Value", "1"));
    body = OK("ListPolicyTags", P("PolicyArn", ARN("tagged")));
    ASSERT_STR_CONTAINS(body, "<Tags><member><Key>a</Key><Value>1</Value>"
                              "</member><member><Key>b</Key><Value>2</Value>"
                              "</member></Tags><IsTruncated>false");
    OK("UntagPolicy", P("PolicyArn", ARN("tagged"), "TagKeys.member.1", "a",
                        "TagKeys.member.2", "b", "TagKeys.member.3", "absent"));
    body = OK("GetPolicy", P("PolicyArn", ARN("tagged")));
    ASSERT_NULL(tt_xml_text(body, "Tags"));
    /* At most 50 in all. */
    tag_many(200, 0, 30);
    tag_many(200, 30, 20);
    tag_many(409, 50, 1);
    ASSERT_STR_EQ(MESSAGE(),
                  "The number of tags has reached the maximum limit.");
    tt_sim_stop(&sim);
}

TEST(sim_iam_policy, account_authorization_details)
{
    const char *body;

    start(NULL);
    create("local", DOC("s3:GetObject"));
    new_version(ARN("local"), DOC("s3:PutObject"), "true");
    OK("CreateRole", P("RoleName", "r", "AssumeRolePolicyDocument", TRUST_EC2));
    OK("AttachRolePolicy", P("RoleName", "r", "PolicyArn", ARN("local")));
    body = OK("GetAccountAuthorizationDetails",
              P("Filter.member.1", "LocalManagedPolicy"));
    ASSERT_STR_CONTAINS(body, "<RoleDetailList></RoleDetailList><Policies>"
                              "<member><PolicyName>local</PolicyName>");
    ASSERT_STR_EQ(tt_xml_text(body, "AttachmentCount"), "1");
    ASSERT_STR_EQ(tt_xml_text(body, "DefaultVersionId"), "v2");
    /* Every version, with its document; no tags in a ManagedPolicyDetail. */
    ASSERT_EQ(count(body, "<Document>"), 2);
    ASSERT_STR_CONTAINS(body, "<VersionId>v1</VersionId><IsDefaultVersion>"
                              "false</IsDefaultVersion>");
    ASSERT_STR_CONTAINS(body, "<VersionId>v2</VersionId><IsDefaultVersion>"
                              "true</IsDefaultVersion>");
    ASSERT_NULL(tt_xml_text(body, "Tags"));
    body = OK(
        "GetAccountAuthorizationDetails",
        P("Filter.member.1", "Role", "Filter.member.2", "LocalManagedPolicy"));
    ASSERT_EQ(count(body, "<RoleName>r</RoleName>"), 1);
    ASSERT_STR_CONTAINS(body, "<AttachedManagedPolicies><member><PolicyName>"
                              "local</PolicyName><PolicyArn>" ARN("local"));
    ASSERT_STR_CONTAINS(body, "<Policies><member><PolicyName>local");
    body = OK("GetAccountAuthorizationDetails",
              P("Filter.member.1", "AWSManagedPolicy"));
    ASSERT_STR_NOT_CONTAINS(body, "<PolicyName>local</PolicyName>");
    body = OK("GetAccountAuthorizationDetails", P("Filter.member.1", "Role"));
    ASSERT_STR_CONTAINS(body, "<Policies></Policies>");
    tt_sim_stop(&sim);
}

TEST(sim_iam_policy, propagation)
{
    static const char *const args[] = {"--propagation-ms", "60000", NULL};
    const char *body;

    start(args);
    create("fresh", DOC("s3:GetObject"));
    OK("CreateRole", P("RoleName", "r", "AssumeRolePolicyDocument", TRUST_EC2));
    /* Not there yet for readers and for what depends on it... */
    ERR(404, "NoSuchEntity", "GetPolicy", P("PolicyArn", ARN("fresh")));
    ERR(404, "NoSuchEntity", "AttachRolePolicy",
        P("RoleName", "r", "PolicyArn", ARN("fresh")));
    body = OK("ListPolicies", P("Scope", "Local"));
    ASSERT_STR_NOT_CONTAINS(body, "fresh");
    body = OK("GetAccountAuthorizationDetails",
              P("Filter.member.1", "LocalManagedPolicy"));
    ASSERT_STR_NOT_CONTAINS(body, "fresh");
    /* ... but already there for the name's uniqueness. */
    ERR(409, "EntityAlreadyExists", "CreatePolicy",
        P("PolicyName", "fresh", "PolicyDocument", DOC("s3:GetObject")));
    tt_sim_stop(&sim);
}

TEST(sim_iam_policy, dump_and_load)
{
    struct tt_response r;
    json_t *dump, *p;
    const char *body;

    start(NULL);
    ASSERT_OK(tt_sim_control(
        &r, &sim, "POST", "load",
        "{\"iam\": {\"policies\": [{\"name\": \"loaded\", \"path\": \"/l/\", "
        "\"default_version_id\": \"v3\", \"tags\": {\"k\": \"v\"}, "
        "\"document\": {\"Version\": \"2012-10-17\", \"Statement\": [{"
        "\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": "
        "\"*\"}]}}]}}"));
    ASSERT_EQ(r.status, 200);
    tt_response_release(&r);
    body = OK("GetPolicy", P("PolicyArn", ARN("l/loaded")));
    ASSERT_STR_EQ(tt_xml_text(body, "DefaultVersionId"), "v3");
    ASSERT_STR_CONTAINS(body, "<Key>k</Key><Value>v</Value>");
    new_version(ARN("l/loaded"), DOC("s3:GetObject"), "false");
    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "dump", NULL));
    dump = json_loads(r.body, 0, NULL);
    tt_response_release(&r);
    ASSERT_NOT_NULL(dump);
    p = json_array_get(
        json_object_get(json_object_get(dump, "iam"), "policies"), 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(p, "default_version_id")),
                  "v3");
    ASSERT_STR_EQ(
        json_string_value(json_object_get(json_object_get(p, "tags"), "k")),
        "v");
    ASSERT_EQ(json_array_size(json_object_get(p, "versions")), 2);
    ASSERT_STR_EQ(json_string_value(json_object_get(
                      json_array_get(json_object_get(p, "versions"), 1), "id")),
                  "v4");
    json_decref(dump);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_iam_policy_list[] = {
    TEST_INTEGRATION(sim_iam_policy, create_get_list_shapes),
    TEST_INTEGRATION(sim_iam_policy, entity_already_exists_and_no_such_entity),
    TEST_INTEGRATION(sim_iam_policy, versions_and_their_limit),
    TEST_INTEGRATION(sim_iam_policy, document_size_and_grammar),
    TEST_INTEGRATION(sim_iam_policy, attachments_and_delete_conflicts),
    TEST_INTEGRATION(sim_iam_policy, tags),
    TEST_INTEGRATION(sim_iam_policy, account_authorization_details),
    TEST_INTEGRATION(sim_iam_policy, propagation),
    TEST_INTEGRATION(sim_iam_policy, dump_and_load),
    TEST_END};
