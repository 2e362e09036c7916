/*
 * Query request bodies (src/aws/wire.c) as the AWS SDKs write them: the
 * form encoding, the order of the parameters, the refusal of what the
 * table does not hold, and botocore's own serializer as the oracle over
 * every operation tern calls (tests/oracle/botocore_body.py).
 */
#include "runner.h"
#include "aws_call.h"
#include "support.h"

#include "aws/client.h"
#include "aws/dynamodb.h"
#include "aws/query.h"
#include "aws/wire.h"
#include "tern/diag.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <jansson.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <sys/wait.h>

TEST(wire, form_encoding)
{
    static const char in[] = "a b+c/~\xc3\xa9&=%-_.*'()!\n\t";
    tern_buf b = TERN_BUF_INIT;

    ASSERT_OK(tern_aws_form_encode(&b, in, sizeof(in) - 1));
    ASSERT_STR_EQ(tern_buf_cstr(&b),
                  "a+b%2Bc%2F~%C3%A9%26%3D%25-_.%2A%27%28%29%21%0A%09");
    tern_buf_release(&b);
}

/* Build CreateRole's body from pairs given in the order a module adds them. */
static int create_role_body(tern_buf *out, char *why, size_t whylen,
                            const char *const *pairs)
{
    tern_buf params = TERN_BUF_INIT;
    int rc;

    for (; pairs[0]; pairs += 2)
        tern_aws_query_add(&params, pairs[0], pairs[1]);
    rc = tern_aws_form_body(out, tern_aws_operation_find("iam", "CreateRole"),
                            "2010-05-08", &params, why, whylen);
    tern_buf_release(&params);
    return rc;
}

TEST(wire, body_in_model_order)
{
    static const char *const pairs[] = {"Tags.member.2.Value",
                                        "",
                                        "RoleName",
                                        "deploy",
                                        "Tags.member.2.Key",
                                        "team",
                                        "Description",
                                        "Deploys models, nightly",
                                        "Tags.member.1.Value",
                                        "a+b",
                                        "Tags.member.1.Key",
                                        "env",
                                        "MaxSessionDuration",
                                        "3600",
                                        "Path",
                                        "/ml/",
                                        NULL};
    tern_buf b = TERN_BUF_INIT;
    char why[256];

    ASSERT_OK(create_role_body(&b, why, sizeof(why), pairs));
    ASSERT_STR_EQ(tern_buf_cstr(&b),
                  "Action=CreateRole&Version=2010-05-08&Path=%2Fml%2F&"
                  "RoleName=deploy&Description=Deploys+models%2C+nightly&"
                  "MaxSessionDuration=3600&Tags.member.1.Key=env&"
                  "Tags.member.1.Value=a%2Bb&Tags.member.2.Key=team&"
                  "Tags.member.2.Value=");
    ASSERT_STR_EQ(why, "");
    tern_buf_release(&b);
}

TEST(wire, refuses_what_the_table_does_not_hold)
{
    static const char *const unknown[] = {"RoleName", "r", "Colour", "blue",
                                          NULL};
    static const char *const malformed[] = {"Tags.1.Key", "k", NULL};
    static const char *const twice[] = {"RoleName", "a", "RoleName", "b", NULL};
    static const char *const nested_scalar[] = {"RoleName.member.1", "r", NULL};
    tern_buf b = TERN_BUF_INIT;
    char why[256];

    ASSERT_EQ(create_role_body(&b, why, sizeof(why), unknown), TERN_EINVALID);
    ASSERT_STR_EQ(why, "iam CreateRole takes no parameter 'Colour'");
    ASSERT_EQ(create_role_body(&b, why, sizeof(why), malformed), TERN_EINVALID);
    ASSERT_STR_EQ(why, "iam CreateRole: 'Tags.1.Key' is not how its "
                       "parameter 'Tags' is written");
    ASSERT_EQ(create_role_body(&b, why, sizeof(why), twice), TERN_EINVALID);
    ASSERT_STR_EQ(why, "iam CreateRole: parameter 'RoleName' given twice");
    ASSERT_EQ(create_role_body(&b, why, sizeof(why), nested_scalar),
              TERN_EINVALID);
    ASSERT_STR_EQ(why, "iam CreateRole: 'RoleName.member.1' is not how its "
                       "parameter 'RoleName' is written");
    /* Nothing was written for a refused call. */
    ASSERT_EQ(b.len, 0);
    tern_buf_release(&b);
    ASSERT_NULL(tern_aws_operation_find("iam", "CreateUser"));
    ASSERT_NULL(tern_aws_operation_find("sts", "CreateRole"));
}

/*
 * The oracle. Each value below is one that encoders get wrong: a space,
 * '+', '*', '~', '/', a newline, a tab, '%' and the separators, non-ASCII
 * (two, three and four UTF-8 bytes), an empty string, and a policy
 * document as aws_iam_policy_document pretty-prints it.
 */
static const char *const odd_values[] = {
    "two words",
    "a+b",
    "s3:Get*",
    "~user",
    "/path/to/",
    "line one\nline two",
    "tab\there",
    "100% & a=b; c?d#e",
    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80",
    "",
    "'quoted' \"double\" (paren) [bracket] {brace} <angle> !@$^|\\`,",
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n"
    "      \"Effect\": \"Allow\",\n      \"Action\": \"sts:AssumeRole\",\n"
    "      \"Principal\": {\n        \"Service\": \"ec2.amazonaws.com\"\n"
    "      }\n    }\n  ]\n}",
};
#define NODD (sizeof(odd_values) / sizeof(*odd_values))

static const char *kind_name(enum tern_aws_member_kind k)
{
    switch (k) {
    case TERN_AWS_STRING:
        return "string";
    case TERN_AWS_INTEGER:
        return "integer";
    case TERN_AWS_BOOLEAN:
        return "boolean";
    case TERN_AWS_STRING_LIST:
        return "string_list";
    case TERN_AWS_TAG_LIST:
        return "tag_list";
    case TERN_AWS_EC2_LIST:
        return "ec2_list";
    case TERN_AWS_EC2_FILTERS:
        return "ec2_filters";
    }
    return "?";
}

static const char *api_version(const char *service)
{
    return strcmp(service, "sts") == 0   ? "2011-06-15"
           : strcmp(service, "ec2") == 0 ? "2016-11-15"
                                         : "2010-05-08";
}

static void pair(json_t *params, const char *name, const char *value)
{
    json_array_append_new(params, json_pack("[ss]", name, value));
}

/*
 * One request: every member of @p op, string members holding @p v, added
 * with tern's own helpers in the reverse of the model's order.
 */
static json_t *oracle_request(const tern_aws_operation *op, size_t variant)
{
    const char *v = odd_values[variant];
    const char *version = api_version(op->service);
    tern_buf params = TERN_BUF_INIT, body = TERN_BUF_INIT;
    json_t *pairs = json_array(), *r;
    char why[256];
    size_t i;

    for (i = op->nmembers; i-- > 0;) {
        const tern_aws_member *m = &op->members[i];
        const char *list[2];
        const char *keys[2], *values[2];
        char k[128];

        switch (m->kind) {
        case TERN_AWS_STRING:
            tern_aws_query_add(&params, m->name, v);
            pair(pairs, m->name, v);
            break;
        case TERN_AWS_INTEGER:
            tern_aws_query_add(&params, m->name, variant % 2 ? "3600" : "0");
            pair(pairs, m->name, variant % 2 ? "3600" : "0");
            break;
        case TERN_AWS_BOOLEAN:
            tern_aws_query_add(&params, m->name,
                               variant % 2 ? "true" : "false");
            pair(pairs, m->name, variant % 2 ? "true" : "false");
            break;
        case TERN_AWS_STRING_LIST:
            list[0] = v;
            list[1] = "second";
            tern_aws_query_add_list(&params, m->name, list, 2);
            snprintf(k, sizeof(k), "%s.member.1", m->name);
            pair(pairs, k, v);
            snprintf(k, sizeof(k), "%s.member.2", m->name);
            pair(pairs, k, "second");
            break;
        case TERN_AWS_TAG_LIST:
            keys[0] = v;
            values[0] = v;
            keys[1] = "Name";
            values[1] = "";
            tern_aws_query_add_tags(&params, m->name, keys, values, 2);
            snprintf(k, sizeof(k), "%s.member.1.Key", m->name);
            pair(pairs, k, v);
            snprintf(k, sizeof(k), "%s.member.1.Value", m->name);
            pair(pairs, k, v);
            snprintf(k, sizeof(k), "%s.member.2.Key", m->name);
            pair(pairs, k, "Name");
            snprintf(k, sizeof(k), "%s.member.2.Value", m->name);
            pair(pairs, k, "");
            break;
        case TERN_AWS_EC2_LIST:
            list[0] = v;
            list[1] = "second";
            tern_aws_query_add_ec2_list(&params, m->wire, list, 2);
            snprintf(k, sizeof(k), "%s.1", m->wire);
            pair(pairs, k, v);
            snprintf(k, sizeof(k), "%s.2", m->wire);
            pair(pairs, k, "second");
            break;
        case TERN_AWS_EC2_FILTERS:
            /* Two filters, the second with one value, added last first. */
            list[0] = v;
            list[1] = "second";
            tern_aws_query_add_ec2_filter(&params, 2, "zone-id", list + 1, 1);
            tern_aws_query_add_ec2_filter(&params, 1, v, list, 2);
            snprintf(k, sizeof(k), "%s.1.Name", m->wire);
            pair(pairs, k, v);
            snprintf(k, sizeof(k), "%s.1.Value.1", m->wire);
            pair(pairs, k, v);
            snprintf(k, sizeof(k), "%s.1.Value.2", m->wire);
            pair(pairs, k, "second");
            snprintf(k, sizeof(k), "%s.2.Name", m->wire);
            pair(pairs, k, "zone-id");
            snprintf(k, sizeof(k), "%s.2.Value.1", m->wire);
            pair(pairs, k, "second");
            break;
        }
    }
    if (tern_aws_form_body(&body, op, version, &params, why, sizeof(why)) !=
        TERN_OK)
        FAIL("%s %s: %s", op->service, op->action, why);
    r = json_pack("{ssssso}", "service", op->service, "action", op->action,
                  "params", pairs);
    json_object_set_new(r, "body", json_string(tern_buf_cstr(&body)));
    tern_buf_release(&params);
    tern_buf_release(&body);
    return r;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    tern_buf b = TERN_BUF_INIT;
    char chunk[4096];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        tern_buf_put(&b, chunk, n);
    fclose(f);
    tern_buf_put(&b, "", 0);
    return tern_buf_detach(&b);
}

TEST(wire, botocore_bodies)
{
    json_t *cases = json_object(), *ops = json_array(), *reqs = json_array();
    char in_path[4096], out_path[4096], want[128], cmd[16384];
    char *out;
    size_t i, j;
    int status;

    status = system("/usr/bin/python3 -c 'import botocore.serialize' "
                    ">/dev/null 2>&1");
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tern_test_skip("/usr/bin/python3 cannot import botocore; "
                       "scripts/setup.sh installs python3-botocore");

    for (i = 0; i < tern_aws_noperations; i++) {
        const tern_aws_operation *op = &tern_aws_operations[i];
        json_t *members = json_array();

        for (j = 0; j < op->nmembers; j++)
            json_array_append_new(
                members, json_pack("[sss]", op->members[j].name,
                                   kind_name(op->members[j].kind),
                                   op->members[j].wire ? op->members[j].wire
                                                       : op->members[j].name));
        json_array_append_new(
            ops, json_pack("{sssssssO}", "service", op->service, "action",
                           op->action, "version", api_version(op->service),
                           "members", members));
        json_decref(members);
        for (j = 0; j < NODD; j++)
            json_array_append_new(reqs, oracle_request(op, j));
    }
    /* The table holds what tern calls (the oracle checks it against the
     * sources), at least the 31 operations of today. */
    ASSERT_CMP(tern_aws_noperations, >=, 31);
    json_object_set_new(cases, "operations", ops);
    json_object_set_new(cases, "requests", reqs);
    snprintf(in_path, sizeof(in_path), "%s/cases.json", tern_test_tmpdir());
    snprintf(out_path, sizeof(out_path), "%s/oracle.out", tern_test_tmpdir());
    ASSERT_OK(json_dump_file(cases, in_path, JSON_COMPACT));
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 '%s/tests/oracle/botocore_body.py' '%s' '%s' "
             "> '%s' 2>&1",
             tern_test_source_dir(), in_path, tern_test_source_dir(), out_path);
    status = system(cmd);
    out = read_file(out_path);
    ASSERT_NOT_NULL(out);
    snprintf(want, sizeof(want), "ok: %zu operations, %zu requests\n",
             tern_aws_noperations, tern_aws_noperations * NODD);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        strcmp(out, want) != 0)
        FAIL("botocore disagrees (status %d):\n%s", status, out);
    tern_free(out);
    json_decref(cases);
}

/* The SHA-256 of @p len bytes, hex. */
static void sha256_hex(char out[65], const char *s, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[SHA256_DIGEST_LENGTH];
    size_t i;

    SHA256((const unsigned char *)s, len, d);
    for (i = 0; i < sizeof(d); i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

/* The body_sha256 tern-sim logged for the last call of @p action. */
static char *logged_body_hash(const struct tt_sim *sim, const char *action)
{
    struct tt_response r;
    json_t *doc, *c;
    char *hash = NULL;
    size_t i;

    ASSERT_OK(tt_sim_control(&r, sim, "GET", "calls", NULL));
    doc = json_loads(r.body, 0, NULL);
    ASSERT_NOT_NULL(doc);
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "action")), action) ==
            0) {
            tern_free(hash);
            hash = tern_strdup(
                json_string_value(json_object_get(c, "body_sha256")));
        }
    }
    json_decref(doc);
    tt_response_release(&r);
    return hash;
}

/*
 * Through the client: the body that reaches tern-sim is byte for byte the
 * one tern_aws_form_body() writes, and tern-sim, checking the signature
 * with its own canonicaliser over those bytes, accepts it.
 */
/* A DynamoDB case: botocore's parameters as an object in tern's order,
 * and the body tern built (taken). */
static void ddb_case(json_t *cases, const char *action, json_t *params,
                     char *body)
{
    ASSERT_NOT_NULL(body);
    json_array_append_new(cases, json_pack("{s:s, s:o, s:s}", "action", action,
                                           "params", params, "body", body));
    tern_free(body);
}

/* tern's DynamoDB bodies (the lock and digest items of the S3 backend)
 * are botocore's, byte for byte: separators, key order, and strings with
 * quotes, controls, non-ASCII and a character beyond the BMP. */
TEST(wire, botocore_dynamodb)
{
    static const char *const values[] = {
        "tfstate/env:/dev/team/terraform.tfstate",
        "{\"ID\":\"a\\\"b\",\"Who\":\"o\xc3\xa9@h\",\"Info\":\"\\n\\u0001\"}",
        ("tab\there \"q\" back\\slash \x01\x1f\x7f caf\xc3\xa9 "
         "\xf0\x9f\x98\x80")};
    json_t *cases = json_array();
    char path[4096], out_path[4096], cmd[12288], want[64], *out;
    size_t i;
    int status;

    status = system("/usr/bin/python3 -c 'import botocore.serialize' "
                    ">/dev/null 2>&1");
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tern_test_skip("/usr/bin/python3 cannot import botocore; "
                       "scripts/setup.sh installs python3-botocore");
    for (i = 0; i < sizeof(values) / sizeof(*values); i++) {
        const char *v = values[i];

        ddb_case(cases, "PutItem",
                 json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:s}",
                           "ConditionExpression",
                           "attribute_not_exists(LockID)", "Item", "Info", "S",
                           v, "LockID", "S", "b/k", "TableName", "locks"),
                 tern_ddb_put_body("locks", "attribute_not_exists(LockID)",
                                   "Info", v, "LockID", "b/k"));
        ddb_case(cases, "PutItem",
                 json_pack("{s:{s:{s:s}, s:{s:s}}, s:s}", "Item", "Digest", "S",
                           "0123456789abcdef0123456789abcdef", "LockID", "S", v,
                           "TableName", "locks"),
                 tern_ddb_put_body("locks", NULL, "Digest",
                                   "0123456789abcdef0123456789abcdef", "LockID",
                                   v));
        ddb_case(cases, "GetItem",
                 json_pack("{s:b, s:{s:{s:s}}, s:s, s:s}", "ConsistentRead", 1,
                           "Key", "LockID", "S", v, "ProjectionExpression",
                           "LockID, Info", "TableName", "locks"),
                 tern_ddb_get_body("locks", v, "LockID, Info"));
        ddb_case(cases, "DeleteItem",
                 json_pack("{s:{s:{s:s}}, s:s}", "Key", "LockID", "S", v,
                           "TableName", "lock-table.v2"),
                 tern_ddb_delete_body("lock-table.v2", v));
    }
    /* Not UTF-8: no body rather than bytes botocore could not send. */
    ASSERT_NULL(tern_ddb_delete_body("locks", "bad \xff"));
    snprintf(path, sizeof(path), "%s/ddb.json", tern_test_tmpdir());
    snprintf(out_path, sizeof(out_path), "%s/ddb.out", tern_test_tmpdir());
    ASSERT_OK(json_dump_file(cases, path, JSON_PRESERVE_ORDER));
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 '%s/tests/oracle/botocore_dynamodb.py' '%s' "
             "> '%s' 2>&1",
             tern_test_source_dir(), path, out_path);
    status = system(cmd);
    out = read_file(out_path);
    ASSERT_NOT_NULL(out);
    snprintf(want, sizeof(want), "ok: %zu requests\n", json_array_size(cases));
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        strcmp(out, want) != 0)
        FAIL("botocore disagrees (status %d):\n%s", status, out);
    tern_free(out);
    json_decref(cases);
}

TEST(wire, call_sends_and_signs_the_body)
{
    static const char trust[] =
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": "
        "\"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, "
        "\"Action\": \"sts:AssumeRole\"}]\n}";
    static const char desc[] = "Serves models + batch jobs, 100% caf\xc3\xa9";
    const char *keys[] = {"team name"}, *values[] = {"ml ops/2"};
    struct tt_sim sim;
    struct tt_response r;
    tern_http *http = NULL;
    tern_aws_credentials *creds = NULL;
    tern_aws_client *iam = NULL;
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_buf params = TERN_BUF_INIT, body = TERN_BUF_INIT;
    const char *get[] = {"RoleName", "wire-role", NULL};
    char want[65], why[256], *got;

    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    ASSERT_OK(tt_sim_start(&sim, NULL));
    ASSERT_OK(tern_http_new(&http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(
        &creds, tt_default_creds.access_key_id,
        tt_default_creds.secret_access_key, NULL));
    opts.service = "iam";
    opts.endpoint = sim.base_url;
    opts.http = http;
    opts.credentials = creds;
    ASSERT_OK(tern_aws_client_new(&iam, &opts, &diags));

    /* In the order the role module adds them. */
    tern_aws_query_add(&params, "RoleName", "wire-role");
    tern_aws_query_add(&params, "AssumeRolePolicyDocument", trust);
    tern_aws_query_add(&params, "Path", "/");
    tern_aws_query_add(&params, "Description", desc);
    tern_aws_query_add_tags(&params, "Tags", keys, values, 1);
    ASSERT_OK(tern_aws_call(iam, "CreateRole", &params, NULL, &diags));
    ASSERT_EQ(diags.count, 0);

    ASSERT_OK(tern_aws_form_body(&body,
                                 tern_aws_operation_find("iam", "CreateRole"),
                                 "2010-05-08", &params, why, sizeof(why)));
    ASSERT_STR_EQ(
        tern_buf_cstr(&body),
        "Action=CreateRole&Version=2010-05-08&Path=%2F&RoleName=wire-role&"
        "AssumeRolePolicyDocument=%7B%0A++%22Version%22%3A+%222012-10-17%22%2C"
        "%0A++%22Statement%22%3A+%5B%7B%22Effect%22%3A+%22Allow%22%2C+"
        "%22Principal%22%3A+%7B%22Service%22%3A+%22ec2.amazonaws.com%22%7D%2C+"
        "%22Action%22%3A+%22sts%3AAssumeRole%22%7D%5D%0A%7D&"
        "Description=Serves+models+%2B+batch+jobs%2C+100%25+caf%C3%A9&"
        "Tags.member.1.Key=team+name&Tags.member.1.Value=ml+ops%2F2");
    sha256_hex(want, body.ptr, body.len);
    got = logged_body_hash(&sim, "CreateRole");
    ASSERT_STR_EQ(got, want);
    tern_free(got);

    /* tern-sim read '+' as a space and %2B as '+'. */
    ASSERT_OK(tt_iam(&r, &sim, "GetRole", get));
    ASSERT_EQ(r.status, 200);
    ASSERT_STR_EQ(tt_xml_text(r.body, "Description"), desc);
    tt_response_release(&r);

    /* An action the table does not hold is refused, and not sent. */
    ASSERT_OK(tt_sim_control(&r, &sim, "DELETE", "calls", NULL));
    tt_response_release(&r);
    ASSERT_EQ(tern_aws_call(iam, "CreateUser", &params, NULL, &diags),
              TERN_EINVALID);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].summary, "Internal error");
    ASSERT_STR_EQ(diags.items[0].detail,
                  "tern does not know the IAM action CreateUser "
                  "(src/aws/wire.c); this is a bug in tern.");
    tern_diags_release(&diags);
    ASSERT_EQ(tern_aws_call(iam, "GetRole", &params, NULL, &diags),
              TERN_EINVALID);
    ASSERT_EQ(diags.count, 1);
    ASSERT_STR_EQ(diags.items[0].detail,
                  "iam GetRole takes no parameter 'AssumeRolePolicyDocument'; "
                  "this is a bug in tern.");
    ASSERT_OK(tt_sim_control(&r, &sim, "GET", "calls", NULL));
    ASSERT_STR_EQ(r.body, "{\"calls\":[]}");
    tt_response_release(&r);

    tern_diags_release(&diags);
    tern_buf_release(&params);
    tern_buf_release(&body);
    tern_aws_client_free(iam);
    tern_aws_credentials_free(creds);
    tern_http_free(http);
    tt_sim_stop(&sim);
}

const struct tern_test test_wire_list[] = {
    TEST_UNIT(wire, form_encoding),
    TEST_UNIT(wire, body_in_model_order),
    TEST_UNIT(wire, refuses_what_the_table_does_not_hold),
    TEST_UNIT(wire, botocore_bodies),
    TEST_UNIT(wire, botocore_dynamodb),
    TEST_INTEGRATION(wire, call_sends_and_signs_the_body),
    TEST_END};
