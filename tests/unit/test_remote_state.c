/*
 * data "terraform_remote_state": the built-in provider's schema. What the
 * data source reads (S3 and local states, outputs of each kind, a
 * sensitive output, a missing object, a workspace, defaults) is in golden
 * cases, tests/cases/cli/510 and 537-546.
 */
#include "runner.h"
#include "support.h"
#include "run_tern.h"
#include "test_mod.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

extern const tern_module tern_module_data_terraform_remote_state;

/* The provider's schema in providers schema -json: any-value attributes
 * are "dynamic", and the built-in address names its own host. */
TEST(remote_state, provider_schema)
{
    const char *args[] = {"providers", "schema", "-json", NULL};
    struct tt_run r = {NULL, NULL, 0};
    json_t *doc;
    char *got, *why;

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", ""));
    why = tt_run_expect(&r, tern_test_tmpdir(), NULL, args, 0);
    if (why)
        FAIL("%s", why);
    doc = json_loads(r.out, 0, NULL);
    ASSERT_NOT_NULL(doc);
    got = json_dumps(json_object_get(json_object_get(doc, "provider_schemas"),
                                     "terraform.io/builtin/terraform"),
                     JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_NOT_NULL(got);
    ASSERT_STR_EQ(
        got, "{\"data_source_schemas\":{\"terraform_remote_state\":{\"block\":{"
             "\"attributes\":{"
             "\"backend\":{\"description_kind\":\"plain\",\"required\":true,"
             "\"type\":\"string\"},"
             "\"config\":{\"description_kind\":\"plain\",\"optional\":true,"
             "\"type\":\"dynamic\"},"
             "\"defaults\":{\"description_kind\":\"plain\",\"optional\":true,"
             "\"type\":\"dynamic\"},"
             "\"outputs\":{\"computed\":true,\"description_kind\":\"plain\","
             "\"type\":\"dynamic\"},"
             "\"workspace\":{\"description_kind\":\"plain\",\"optional\":true,"
             "\"type\":\"string\"}},"
             "\"description_kind\":\"plain\"},\"version\":0}},"
             "\"provider\":{\"block\":{\"description_kind\":\"plain\"},"
             "\"version\":0}}");
    free(got); /* allocated by jansson */
    json_decref(doc);
    tt_run_release(&r);
}

/* The module's read of a v4 JSON state with each allocation failing
 * alone: every output, defaults and the sensitive mark, or out of memory;
 * never a default in place of an output, a sensitive value without its
 * mark, or a file that could not be parsed for lack of memory called
 * "Error loading state error" (issue 20). */
TEST(remote_state, alloc_walk)
{
    struct mod_fx fx;
    char *cfg;

    ASSERT_OK(tt_write_file(
        tern_test_tmpdir(), "w.tfstate",
        "{\"version\": 4, \"terraform_version\": \"1.9.0\", \"serial\": 1, "
        "\"lineage\": \"l\", \"outputs\": {"
        "\"name\": {\"value\": \"deploy\", \"type\": \"string\"}, "
        "\"tags\": {\"value\": {\"env\": \"prod\"}, \"type\": [\"map\", "
        "\"string\"]}, \"token\": {\"value\": \"s3cr3t\", \"type\": "
        "\"string\", \"sensitive\": true}}, \"resources\": []}\n"));
    if (asprintf(&cfg,
                 "{\"backend\": \"local\", \"config\": {\"path\": "
                 "\"%s/w.tfstate\"}, \"defaults\": {\"name\": \"d\", "
                 "\"other\": \"o\"}}",
                 tern_test_tmpdir()) < 0)
        FAIL("asprintf");
    memset(&fx, 0, sizeof(fx));
    fx.op.version = TERN_OP_VERSION;
    fx.op.diags = &fx.diags;
    ASSERT_CMP(
        mod_read_walk(&fx, &tern_module_data_terraform_remote_state, cfg), >,
        30);
    free(cfg);
    tern_diags_release(&fx.diags);
}

const struct tern_test test_remote_state_list[] = {
    TEST_UNIT(remote_state, provider_schema),
    TEST_INTEGRATION(remote_state, alloc_walk), TEST_END};
