/*
 * tern_state_export_text(), the S3 backend's push document, against the
 * tree it replaces: json_dumps(JSON_INDENT(2) | JSON_PRESERVE_ORDER) of
 * tern_state_export(-1) with the extension set, compared byte for byte on
 * a varied state (every resource type of the examples, sensitive values
 * and paths, count and for_each keys, a module, a data source, a tainted
 * instance, outputs, check results, intents, history and an interrupted
 * marker), cold and with the cache warm after changes.
 */
#include "runner.h"
#include "support.h"

#include "backend/s3.h"
#include "util/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tern_state *store_at(const char *name)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = NULL;
    char *path = tern_asprintf("%s/%s", tern_test_tmpdir(), name);

    ASSERT_NOT_NULL(path);
    so.path = path;
    so.create = 1;
    so.operation = "apply";
    ASSERT_OK(tern_state_open(&st, &so, NULL));
    tern_free(path);
    return st;
}

struct row {
    const char *module, *type, *name;
    enum tern_state_mode mode;
    enum tern_state_key key_kind;
    long long key_int;
    const char *key_str, *provider, *id, *attributes, *sensitive, *deps;
    enum tern_state_status status;
    int cbd;
    long long schema_version;
};

#define TRUST                                                                  \
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"               \
    "\\\"Effect\\\":"                                                          \
    "\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":\\\"ec2.amazonaws.com"   \
    "\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\""

/* The types of examples/ (grep '^resource' examples), with the shapes
 * their attributes take, and the odd cases of the format. */
static const struct row rows[] = {
    {NULL, "aws_iam_role", "workspace", TERN_STATE_MANAGED, TERN_STATE_KEY_NONE,
     0, NULL, NULL, "databricks-workspace",
     "{\"arn\":\"arn:aws:iam::123456789012:role/databricks-workspace\","
     "\"assume_role_policy\":" TRUST
     ",\"create_date\":\"2026-12-06T22:10:01Z\","
     "\"description\":\"\",\"force_detach_policies\":false,"
     "\"max_session_duration\":3600,\"name\":\"databricks-workspace\","
     "\"path\":\"/\",\"tags\":{},\"tags_all\":{\"team\":\"dev \\\"q\\\" "
     "\\\\ "
     "/\\t\\n\\r\\b\\f\\u0001\\u001f\x7f~\"},\"unique_id\":"
     "\"AROA0000000000000001\","
     "\"inline_policy\":[],\"managed_policy_arns\":[]}",
     "[]", "[]", TERN_STATE_READY, 0, 0},
    {NULL, "aws_iam_role", "stack", TERN_STATE_MANAGED, TERN_STATE_KEY_STRING,
     0, "bench-00001", NULL, "bench-00001",
     "{\"id\":\"bench-00001\",\"name\":\"bench-00001\",\"max_session_"
     "duration\":"
     "3600,\"permissions_boundary\":null}",
     "[]", "[\"data.aws_iam_policy_document.trust\"]", TERN_STATE_READY, 0, 0},
    {NULL, "aws_iam_role", "stack", TERN_STATE_MANAGED, TERN_STATE_KEY_STRING,
     0, "a \"b\"\n\u00e9", NULL, "weird", "{}", "[]", "[]", TERN_STATE_TAINTED,
     1, 0},
    {NULL, "aws_iam_role_policy", "logs", TERN_STATE_MANAGED,
     TERN_STATE_KEY_INT, 10, NULL, NULL, "r:logs",
     "{\"name\":\"logs\",\"name_prefix\":null,\"policy\":"
     "\"{\\\"Statement\\\":[]}\",\"role\":\"r\"}",
     "[]", "[\"aws_iam_role.stack\"]", TERN_STATE_READY, 0, 0},
    {NULL, "aws_iam_role_policy", "logs", TERN_STATE_MANAGED,
     TERN_STATE_KEY_INT, 2, NULL, NULL, "r:logs2", "{\"name\":\"logs2\"}", "[]",
     "[]", TERN_STATE_READY, 0, 0},
    {NULL, "aws_iam_role_policy_attachment", "ro", TERN_STATE_MANAGED,
     TERN_STATE_KEY_NONE, 0, NULL, NULL, "r-20261206221001000000001",
     "{\"policy_arn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\",\"role\":"
     "\"r\"}",
     "[]", "[]", TERN_STATE_READY, 0, 0},
    {NULL, "aws_iam_instance_profile", "p", TERN_STATE_MANAGED,
     TERN_STATE_KEY_NONE, 0, NULL, NULL, "p",
     "{\"arn\":\"arn:aws:iam::123456789012:instance-profile/p\",\"name\":\"p\","
     "\"role\":\"r\",\"tags\":null}",
     "[]", "[]", TERN_STATE_READY, 0, 0},
    {NULL, "databricks_instance_profile", "this", TERN_STATE_MANAGED,
     TERN_STATE_KEY_NONE, 0, NULL,
     "provider[\"registry.terraform.io/databricks/databricks\"]",
     "arn:aws:iam::123456789012:instance-profile/p",
     "{\"instance_profile_arn\":\"arn:aws:iam::123456789012:instance-profile/"
     "p\",\"is_meta_instance_profile\":false,\"skip_validation\":true}",
     "[]", "[\"aws_iam_instance_profile.p\"]", TERN_STATE_READY, 0, 0},
    {NULL, "databricks_group_instance_profile", "g", TERN_STATE_MANAGED,
     TERN_STATE_KEY_NONE, 0, NULL, NULL,
     "12345|arn:aws:iam::1:instance-profile/p", "{\"group_id\":\"12345\"}",
     "[]", "[]", TERN_STATE_READY, 0, 0},
    {"module.compute[\"eu\"]", "databricks_cluster", "shared",
     TERN_STATE_MANAGED, TERN_STATE_KEY_NONE, 0, NULL, NULL, "0601-182128-abc",
     "{\"cluster_id\":\"0601-182128-abc\",\"cluster_name\":\"shared\","
     "\"spark_version\":\"15.4.x-scala2.12\",\"node_type_id\":\"i3.xlarge\","
     "\"autotermination_minutes\":20,\"autoscale\":[{\"min_workers\":1,"
     "\"max_workers\":4}],\"aws_attributes\":[{\"availability\":\"SPOT\","
     "\"spot_bid_price_percent\":100,\"ebs_volume_size\":0,"
     "\"first_on_demand\":1}],\"spark_conf\":{\"spark.databricks.io.cache."
     "enabled\":\"true\"},\"spark_env_vars\":{\"DB_PASSWORD\":\"s3cr3t-"
     "value\"},\"custom_tags\":{},\"driver_node_type_id\":null,"
     "\"neg\":-7,\"zero\":0,\"library\":[],\"nested\":[[],{},[{}],"
     "{\"a\":[null,true,false,-922337203685477580]}]}",
     "[[{\"type\":\"get_attr\",\"value\":\"spark_env_vars\"},{\"type\":"
     "\"index\",\"value\":{\"value\":\"DB_PASSWORD\",\"type\":\"string\"}}]]",
     "[\"databricks_instance_profile.this\"]", TERN_STATE_READY, 1, 2},
    {NULL, "aws_iam_role", "unicode", TERN_STATE_MANAGED, TERN_STATE_KEY_NONE,
     0, NULL, NULL, "r\u00e9le",
     "{\"description\":\"r\u00f4le \u2603 \\ud83d\\ude00\",\"ratio\":0.25,"
     "\"big\":1e+300,\"small\":-1.5e-7,\"int\":-9223372036854775807}",
     "[]", "[]", TERN_STATE_READY, 0, 1},
    {"module.compute[\"eu\"]", "aws_iam_policy_document", "trust",
     TERN_STATE_DATA, TERN_STATE_KEY_INT, 0, NULL, NULL, "1234",
     "{\"json\":" TRUST ",\"statement\":[{\"actions\":[\"sts:AssumeRole\"],"
     "\"principals\":[{\"identifiers\":[\"ec2.amazonaws.com\"],\"type\":"
     "\"Service\"}]}]}",
     "[]", "[]", TERN_STATE_READY, 0, 0},
};

static void put_row(tern_state *st, const struct row *w)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *a = json_loads(w->attributes, 0, NULL);
    json_t *s = json_loads(w->sensitive, 0, NULL);
    json_t *d = json_loads(w->deps, 0, NULL);

    ASSERT_NOT_NULL(a);
    ASSERT_NOT_NULL(s);
    ASSERT_NOT_NULL(d);
    r.module = (char *)w->module;
    r.mode = w->mode;
    r.type = (char *)w->type;
    r.name = (char *)w->name;
    r.key_kind = w->key_kind;
    r.key_int = w->key_int;
    r.key_str = (char *)w->key_str;
    r.provider = (char *)w->provider;
    r.id = (char *)w->id;
    r.attributes = a;
    r.sensitive = s;
    r.dependencies = d;
    r.status = w->status;
    r.create_before_destroy = w->cbd;
    r.schema_version = w->schema_version;
    ASSERT_OK(tern_state_put(st, &r, NULL));
    json_decref(a);
    json_decref(s);
    json_decref(d);
}

/* The extension as the S3 backend builds it: intents, the bounded history
 * and the interrupted marker. */
static json_t *extension(tern_state *st)
{
    tern_state_intent *list = NULL;
    size_t n = 0, i;
    json_t *arr = json_array(), *ext;

    ASSERT_OK(tern_state_intents(st, &list, &n, NULL));
    for (i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:O, s:s?}", "address", list[i].address,
                           "action", list[i].action, "identity",
                           list[i].identity, "operation", list[i].operation));
    tern_state_intents_free(list, n);
    ext = json_pack("{s:i, s:o}", "format", 1, "intents", arr);
    ASSERT_NOT_NULL(ext);
    ASSERT_OK(tern_backend_s3_history_add(st, ext, NULL));
    json_object_set_new(ext, "interrupted",
                        json_pack("{s:s, s:s, s:s}", "ID", "6d1c-lock", "Who",
                                  "ci@runner-7", "Created",
                                  "2026-12-06T22:10:01.123456789Z"));
    return ext;
}

/* The old document: the export's tree with the extension, dumped. */
static char *old_text(tern_state *st, const json_t *ext)
{
    json_t *doc = NULL;
    char *text;

    ASSERT_OK(tern_state_export(st, -1, &doc, NULL));
    if (ext)
        json_object_set(doc, "tern", (json_t *)ext);
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    ASSERT_NOT_NULL(text);
    json_decref(doc);
    return text;
}

static void same_text(tern_state *st, tern_state_text_cache *cache)
{
    json_t *ext = extension(st);
    char *want = old_text(st, ext), *got = NULL;
    size_t len = 0;

    ASSERT_OK(tern_state_export_text(st, cache, "tern", ext, &got, &len, NULL));
    ASSERT_EQ(len, strlen(got));
    ASSERT_STR_EQ(got, want);
    free(want); /* allocated by jansson */
    tern_free(got);
    json_decref(ext);
    want = old_text(st, NULL);
    ASSERT_OK(tern_state_export_text(st, cache, NULL, NULL, &got, &len, NULL));
    ASSERT_STR_EQ(got, want);
    free(want); /* allocated by jansson */
    tern_free(got);
}

TEST(state_text, same_as_export)
{
    tern_state *st = store_at("text.db");
    tern_state_text_cache *cache = tern_state_text_cache_new(), *cold;
    json_t *v, *checks, *identity;
    int64_t id = 0;
    size_t i;

    ASSERT_NOT_NULL(cache);
    /* Empty: no resources, no outputs, no history. */
    same_text(st, cache);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        put_row(st, &rows[i]);
    v = json_pack("{s:s, s:[i, f, b, n]}", "password", "hunter2", "list", 1,
                  0.5, 1);
    ASSERT_OK(tern_state_output_set(st, "db", v, 1, NULL));
    json_decref(v);
    v = json_string("arn:aws:iam::123456789012:role/databricks-workspace");
    ASSERT_OK(tern_state_output_set(st, "role_arn", v, 0, NULL));
    json_decref(v);
    checks = json_loads(
        "[{\"object_kind\":\"resource\",\"config_addr\":\"aws_iam_role.stack\","
        "\"status\":\"pass\",\"objects\":[{\"object_addr\":\"aws_iam_role."
        "stack[\\\"bench-00001\\\"]\",\"status\":\"pass\"}]}]",
        0, NULL);
    ASSERT_NOT_NULL(checks);
    ASSERT_OK(tern_state_check_results_set(st, checks, NULL));
    json_decref(checks);
    identity = json_pack("{s:s}", "cluster_name", "shared");
    ASSERT_OK(tern_state_intent_begin(st, &id,
                                      "module.compute[\"eu\"].databricks_"
                                      "cluster.other",
                                      "create", identity, NULL));
    json_decref(identity);
    same_text(st, cache);
    /* Warm: unchanged, then a change, a removal, a new key and a taint. */
    same_text(st, cache);
    {
        struct row w = rows[0];

        w.attributes = "{\"name\":\"databricks-workspace\",\"max_session_"
                       "duration\":7200}";
        put_row(st, &w);
        w = rows[3];
        w.status = TERN_STATE_TAINTED;
        put_row(st, &w);
        w = rows[1];
        w.key_str = "bench-00000";
        put_row(st, &w);
    }
    ASSERT_OK(tern_state_remove(st, "aws_iam_role_policy.logs[2]", NULL));
    same_text(st, cache);
    /* Cold again: a new cache gives the same. */
    cold = tern_state_text_cache_new();
    ASSERT_NOT_NULL(cold);
    same_text(st, cold);
    tern_state_text_cache_free(cold);
    /* A deposed object (an instance no row holds), then none again. */
    identity = json_pack("{s:s, s:s}", "id", "old", "name", "old");
    ASSERT_OK(tern_state_intent_begin(st, &id, "aws_iam_role.workspace",
                                      "deposed", identity, NULL));
    json_decref(identity);
    same_text(st, cache);
    ASSERT_OK(tern_state_intent_abandon(st, id, NULL));
    same_text(st, cache);
    tern_state_text_cache_free(cache);
    tern_state_free(st);
}

const struct tern_test test_state_text_list[] = {
    TEST_UNIT(state_text, same_as_export), TEST_END};
