/*
 * data "aws_iam_policy_document": the Terraform AWS provider's own
 * acceptance fixture (policy_document_data_source_test.go, basic) rendered
 * byte for byte as the current provider renders it (empty Sids left out),
 * merging of source and override documents by Sid, and the errors.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_data_aws_iam_policy_document;
#define M (&tern_module_data_aws_iam_policy_document)

static json_t *render(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->read(&st, &fx->op, cfg) != TERN_OK)
        FAIL("read: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

static const char basic_cfg[] =
    "{\"policy_id\": \"policy_id\", \"statement\": ["
    "{\"sid\": \"1\", \"actions\": [\"s3:ListAllMyBuckets\", "
    "\"s3:GetBucketLocation\"], \"resources\": [\"arn:aws:s3:::*\"]},"
    "{\"actions\": [\"s3:ListBucket\"], \"resources\": "
    "[\"arn:aws:s3:::foo\"], \"condition\": [{\"test\": \"StringLike\", "
    "\"variable\": \"s3:prefix\", \"values\": [\"home/\", \"\", "
    "\"home/&{aws:username}/\"]}], \"not_principals\": [{\"type\": \"AWS\", "
    "\"identifiers\": [\"arn:blahblah:example\"]}]},"
    "{\"actions\": [\"s3:*\"], \"resources\": "
    "[\"arn:aws:s3:::foo/home/&{aws:username}\", "
    "\"arn:aws:s3:::foo/home/&{aws:username}/*\"], \"principals\": "
    "[{\"type\": \"AWS\", \"identifiers\": [\"arn:blahblah:example\"]}]},"
    "{\"effect\": \"Deny\", \"not_actions\": [\"s3:*\"], \"not_resources\": "
    "[\"arn:aws:s3:::*\"]},"
    "{\"effect\": \"Allow\", \"actions\": [\"kinesis:*\"], \"principals\": "
    "[{\"type\": \"AWS\", \"identifiers\": [\"*\"]}]},"
    "{\"effect\": \"Allow\", \"actions\": [\"firehose:*\"], \"principals\": "
    "[{\"type\": \"*\", \"identifiers\": [\"*\"]}]}]}";

static const char basic_json[] =
    "{\n"
    "  \"Version\": \"2012-10-17\",\n"
    "  \"Id\": \"policy_id\",\n"
    "  \"Statement\": [\n"
    "    {\n"
    "      \"Sid\": \"1\",\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\n"
    "        \"s3:ListAllMyBuckets\",\n"
    "        \"s3:GetBucketLocation\"\n"
    "      ],\n"
    "      \"Resource\": \"arn:aws:s3:::*\"\n"
    "    },\n"
    "    {\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"s3:ListBucket\",\n"
    "      \"Resource\": \"arn:aws:s3:::foo\",\n"
    "      \"NotPrincipal\": {\n"
    "        \"AWS\": \"arn:blahblah:example\"\n"
    "      },\n"
    "      \"Condition\": {\n"
    "        \"StringLike\": {\n"
    "          \"s3:prefix\": [\n"
    "            \"home/\",\n"
    "            \"\",\n"
    "            \"home/${aws:username}/\"\n"
    "          ]\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    {\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"s3:*\",\n"
    "      \"Resource\": [\n"
    "        \"arn:aws:s3:::foo/home/${aws:username}/*\",\n"
    "        \"arn:aws:s3:::foo/home/${aws:username}\"\n"
    "      ],\n"
    "      \"Principal\": {\n"
    "        \"AWS\": \"arn:blahblah:example\"\n"
    "      }\n"
    "    },\n"
    "    {\n"
    "      \"Effect\": \"Deny\",\n"
    "      \"NotAction\": \"s3:*\",\n"
    "      \"NotResource\": \"arn:aws:s3:::*\"\n"
    "    },\n"
    "    {\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"kinesis:*\",\n"
    "      \"Principal\": {\n"
    "        \"AWS\": \"*\"\n"
    "      }\n"
    "    },\n"
    "    {\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"firehose:*\",\n"
    "      \"Principal\": \"*\"\n"
    "    }\n"
    "  ]\n"
    "}";

TEST(mod_data_aws_iam_policy_document, provider_fixture)
{
    struct mod_fx fx;
    json_t *st;
    const char *id;

    memset(&fx, 0, sizeof(fx));
    fx.op.version = TERN_OP_VERSION;
    fx.op.diags = &fx.diags;
    st = render(&fx, basic_cfg);
    ASSERT_STR_EQ(mod_str(st, "json"), basic_json);
    ASSERT_STR_CONTAINS(mod_str(st, "minified_json"),
                        "{\"Version\":\"2012-10-17\",\"Id\":\"policy_id\","
                        "\"Statement\":[{\"Sid\":\"1\",");
    id = mod_str(st, "id");
    ASSERT_NOT_NULL(id);
    ASSERT(strspn(id, "0123456789") == strlen(id));
    /* The configuration stays in the result. */
    ASSERT_STR_EQ(mod_str(st, "policy_id"), "policy_id");
    json_decref(st);
    tern_diags_release(&fx.diags);
}

TEST(mod_data_aws_iam_policy_document, principals_merge_and_escape)
{
    struct mod_fx fx;
    json_t *st;

    memset(&fx, 0, sizeof(fx));
    fx.op.version = TERN_OP_VERSION;
    fx.op.diags = &fx.diags;
    st = render(&fx, "{\"statement\": [{\"actions\": [\"sts:AssumeRole\", "
                     "\"sts:AssumeRole\"], \"principals\": ["
                     "{\"type\": \"Service\", \"identifiers\": "
                     "[\"ec2.amazonaws.com\"]},"
                     "{\"type\": \"AWS\", \"identifiers\": [\"a\", \"c\", "
                     "\"b\"]},"
                     "{\"type\": \"Service\", \"identifiers\": "
                     "[\"sagemaker.amazonaws.com\"]}],"
                     "\"condition\": [{\"test\": \"StringEquals\", "
                     "\"variable\": \"aws:Tag\", \"values\": [\"<x&y>\"]}]}]}");
    ASSERT_STR_EQ(mod_str(st, "minified_json"),
                  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                  "\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{"
                  "\"AWS\":[\"c\",\"b\",\"a\"],\"Service\":["
                  "\"ec2.amazonaws.com\",\"sagemaker.amazonaws.com\"]},"
                  "\"Condition\":{\"StringEquals\":{\"aws:Tag\":"
                  "\"\\u003cx\\u0026y\\u003e\"}}}]}");
    json_decref(st);
    tern_diags_release(&fx.diags);
}

TEST(mod_data_aws_iam_policy_document, source_and_override_by_sid)
{
    struct mod_fx fx;
    json_t *st;

    memset(&fx, 0, sizeof(fx));
    fx.op.version = TERN_OP_VERSION;
    fx.op.diags = &fx.diags;
    st = render(
        &fx,
        "{\"source_policy_documents\": ["
        "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":["
        "{\\\"Sid\\\":\\\"A\\\",\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":"
        "[\\\"s3:b\\\",\\\"s3:a\\\",\\\"s3:c\\\"],\\\"Resource\\\":\\\"*\\\"},"
        "{\\\"Sid\\\":\\\"B\\\",\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":"
        "\\\"ec2:*\\\",\\\"Resource\\\":\\\"*\\\",\\\"Principal\\\":{"
        "\\\"AWS\\\":[\\\"x\\\",\\\"z\\\",\\\"y\\\"]},\\\"Condition\\\":{"
        "\\\"Bool\\\":{\\\"aws:SecureTransport\\\":true}}}]}\"],"
        "\"statement\": [{\"sid\": \"B\", \"effect\": \"Deny\", \"actions\": "
        "[\"ec2:Run*\"], \"resources\": [\"*\"]}, {\"actions\": [\"logs:*\"], "
        "\"resources\": [\"*\"]}],"
        "\"override_policy_documents\": ["
        "\"{\\\"Id\\\":\\\"over\\\",\\\"Statement\\\":[{\\\"Sid\\\":\\\"A\\\","
        "\\\"Effect\\\":\\\"Deny\\\",\\\"Action\\\":\\\"s3:*\\\","
        "\\\"Resource\\\":\\\"*\\\"},{\\\"Effect\\\":\\\"Allow\\\","
        "\\\"Action\\\":\\\"kms:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"]}");
    ASSERT_STR_EQ(mod_str(st, "minified_json"),
                  "{\"Version\":\"2012-10-17\",\"Id\":\"over\",\"Statement\":["
                  "{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"s3:*\","
                  "\"Resource\":\"*\"},"
                  "{\"Sid\":\"B\",\"Effect\":\"Deny\",\"Action\":\"ec2:Run*\","
                  "\"Resource\":\"*\"},"
                  "{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":"
                  "\"*\"},"
                  "{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":"
                  "\"*\"}]}");
    json_decref(st);
    /* A source document's own layout survives when not overridden. */
    st = render(&fx, "{\"source_policy_documents\": ["
                     "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":"
                     "[{\\\"Sid\\\":\\\"B\\\",\\\"Effect\\\":\\\"Allow\\\","
                     "\\\"Action\\\":[\\\"b\\\",\\\"a\\\",\\\"c\\\"],"
                     "\\\"Principal\\\":{\\\"AWS\\\":[\\\"x\\\",\\\"z\\\","
                     "\\\"y\\\"]},\\\"Condition\\\":{\\\"Bool\\\":{"
                     "\\\"aws:SecureTransport\\\":true}}}]}\"]}");
    ASSERT_STR_EQ(mod_str(st, "minified_json"),
                  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"B\","
                  "\"Effect\":\"Allow\",\"Action\":[\"b\",\"a\",\"c\"],"
                  "\"Principal\":{\"AWS\":[\"z\",\"y\",\"x\"]},\"Condition\":"
                  "{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}");
    json_decref(st);
    tern_diags_release(&fx.diags);
}

TEST(mod_data_aws_iam_policy_document, errors)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    memset(&fx, 0, sizeof(fx));
    fx.op.version = TERN_OP_VERSION;
    fx.op.diags = &fx.diags;
    cfg = mod_json("{\"statement\": [{\"sid\": \"x\", \"actions\": [\"a:b\"]},"
                   "{\"sid\": \"x\", \"actions\": [\"a:c\"]}]}");
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "Duplicate Sid (x)");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"version\": \"2008-10-17\", \"statement\": [{"
                   "\"actions\": [\"s3:*\"], \"resources\": "
                   "[\"arn:aws:s3:::b/&{aws:username}\"]}]}");
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "not supported in document "
                                            "version 2008-10-17");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"source_policy_documents\": [\"{nope\"]}");
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "source_policy_documents (item 0)");
    ASSERT_NULL(st);
    json_decref(cfg);
    tern_diags_release(&fx.diags);
}

/* Each allocation failing alone, over the fixture and over merged source
 * and override documents: the whole document or out of memory, never a
 * statement, principal or condition left out, nor a source document that
 * could not be parsed for lack of memory called "not a JSON policy
 * document" (issue 20). */
TEST(mod_data_aws_iam_policy_document, alloc_walk)
{
    struct mod_fx fx;

    memset(&fx, 0, sizeof(fx));
    fx.op.version = TERN_OP_VERSION;
    fx.op.diags = &fx.diags;
    ASSERT_CMP(mod_read_walk(&fx, M, basic_cfg), >, 200);
    ASSERT_CMP(
        mod_read_walk(
            &fx, M,
            "{\"source_policy_documents\": ["
            "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":["
            "{\\\"Sid\\\":\\\"B\\\",\\\"Effect\\\":\\\"Allow\\\","
            "\\\"Action\\\":"
            "\\\"ec2:*\\\",\\\"Resource\\\":\\\"*\\\",\\\"Principal\\\":{"
            "\\\"AWS\\\":[\\\"x\\\",\\\"z\\\",\\\"y\\\"]},\\\"Condition\\\":{"
            "\\\"Bool\\\":{\\\"aws:SecureTransport\\\":true}}}]}\"],"
            "\"statement\": [{\"sid\": \"C\", \"actions\": [\"logs:*\"], "
            "\"resources\": [\"*\"]}],"
            "\"override_policy_documents\": ["
            "\"{\\\"Id\\\":\\\"over\\\",\\\"Statement\\\":[{\\\"Sid\\\":"
            "\\\"C\\\","
            "\\\"Effect\\\":\\\"Deny\\\",\\\"Action\\\":\\\"s3:*\\\","
            "\\\"Resource\\\":\\\"*\\\"}]}\"]}"),
        >, 200);
    mod_diag_clear(&fx);
}

const struct tern_test test_mod_data_aws_iam_policy_document_list[] = {
    TEST_MODULE(mod_data_aws_iam_policy_document, provider_fixture),
    TEST_MODULE(mod_data_aws_iam_policy_document, principals_merge_and_escape),
    TEST_MODULE(mod_data_aws_iam_policy_document, source_and_override_by_sid),
    TEST_MODULE(mod_data_aws_iam_policy_document, errors),
    TEST_MODULE(mod_data_aws_iam_policy_document, alloc_walk),
    TEST_END};
