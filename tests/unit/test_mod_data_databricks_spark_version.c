/*
 * data databricks_spark_version and data databricks_node_type against
 * tern-sim's catalog: each filter's pick, the provider's ordering (semver
 * of the runtime, the SDK's node sort), its "no results" / "multiple
 * results" errors, and the node type's fallback when nothing fits.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_data_databricks_spark_version;
extern const tern_module tern_module_data_databricks_node_type;
#define SV (&tern_module_data_databricks_spark_version)
#define NT (&tern_module_data_databricks_node_type)

/* The id a read with this configuration picks, or "error: <diags>"
 * (static). */
static const char *pick(struct mod_fx *fx, const tern_module *m,
                        const char *cfg_text)
{
    static char buf[2048];
    json_t *cfg = mod_json(cfg_text), *out = NULL;

    if (m->read(&out, &fx->op, cfg) == TERN_OK)
        snprintf(buf, sizeof(buf), "%s", mod_str(out, "id"));
    else
        snprintf(buf, sizeof(buf), "error: %s", mod_diag_text(fx));
    mod_diag_clear(fx);
    json_decref(out);
    json_decref(cfg);
    return buf;
}

TEST(mod_data_databricks_spark_version, filters)
{
    struct mod_fx fx;
    json_t *cfg, *out = NULL;
    char *text;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    mod_clear_calls(&fx);
    ASSERT_STR_EQ(pick(&fx, SV, "{}"), "16.1.x-scala2.12");
    ASSERT_STR_EQ(mod_calls(&fx), "clusters/spark-versions");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"long_term_support\": true}"),
                  "15.4.x-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"ml\": true}"), "16.1.x-cpu-ml-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"ml\": true, \"long_term_support\": true}"),
                  "15.4.x-cpu-ml-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"ml\": true, \"gpu\": true}"),
                  "15.4.x-gpu-ml-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"beta\": true}"), "16.2.x-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"photon\": true}"),
                  "15.4.x-photon-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"graviton\": true}"),
                  "15.4.x-aarch64-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"scala\": \"2.11\"}"), "6.6.x-scala2.11");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"spark_version\": \"3.4.1\"}"),
                  "13.3.x-scala2.12");
    ASSERT_STR_EQ(
        pick(&fx, SV, "{\"latest\": false, \"spark_version\": \"3.3.2\"}"),
        "12.2.x-scala2.12");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"gpu\": true}"),
                  "error: Cannot select a Databricks Runtime version []: "
                  "spark versions query returned no results. Please change "
                  "your search criteria and try again");
    ASSERT_STR_EQ(pick(&fx, SV, "{\"latest\": false}"),
                  "error: Cannot select a Databricks Runtime version []: "
                  "spark versions query returned multiple results. Please "
                  "change your search criteria and try again");
    /* Versions compare as numbers: 11.3 is above 9.1 and 10.4. */
    mod_load(&fx, "{\"databricks\": {\"spark_versions\": ["
                  "{\"key\": \"9.1.x-scala2.12\", \"name\": \"9.1 LTS\"},"
                  "{\"key\": \"11.3.x-scala2.12\", \"name\": \"11.3 LTS\"},"
                  "{\"key\": \"10.4.x-scala2.12\", \"name\": \"10.4 LTS\"},"
                  "{\"key\": \"apache-spark-3.5.x-scala2.12\", "
                  "\"name\": \"Apache Spark 3.5\"}]}}");
    ASSERT_STR_EQ(pick(&fx, SV, "{}"), "11.3.x-scala2.12");
    /* The state: the id and every filter with its default. */
    cfg = mod_json("{\"ml\": false}");
    ASSERT_OK(SV->read(&out, &fx.op, cfg));
    text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR_EQ(text, "{\"beta\":false,\"genomics\":false,\"gpu\":false,"
                        "\"graviton\":false,\"id\":\"11.3.x-scala2.12\","
                        "\"latest\":true,\"long_term_support\":false,"
                        "\"ml\":false,\"photon\":false,\"scala\":\"2.12\","
                        "\"spark_version\":null}");
    free(text);
    json_decref(out);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_data_databricks_node_type, smallest)
{
    struct mod_fx fx;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    mod_clear_calls(&fx);
    /* Deprecated m4.large sorts last; Graviton m6g.large only on request;
     * no local disk sorts before one. */
    ASSERT_STR_EQ(pick(&fx, NT, "{}"), "m5.large");
    ASSERT_STR_EQ(mod_calls(&fx), "clusters/list-node-types");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"local_disk\": true}"), "m5d.large");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"local_disk_min_size\": 900}"), "i3.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"min_memory_gb\": 16}"), "i3.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"min_cores\": 4}"), "c5.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"gb_per_core\": 8}"), "r5d.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"category\": \"memory optimized\"}"),
                  "r5d.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"min_gpus\": 1}"), "g4dn.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"is_io_cache_enabled\": true}"),
                  "i3.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"photon_worker_capable\": true}"),
                  "m5d.large");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"arm\": true}"), "m6g.large");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"graviton\": true}"), "m6g.large");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"fleet\": true}"), "md-fleet.xlarge");
    /* Nothing fits: the provider's default for the cloud, no error. */
    ASSERT_STR_EQ(pick(&fx, NT, "{\"min_memory_gb\": 1000}"), "i3.xlarge");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"min_memory_gb\": 1000, \"arm\": true}"),
                  "m6g.xlarge");
    mod_load(&fx, "{\"databricks\": {\"node_types\": [{\"node_type_id\": "
                  "\"Standard_D3_v2\", \"num_cores\": 4, \"memory_mb\": "
                  "14336}]}}");
    ASSERT_STR_EQ(pick(&fx, NT, "{}"), "Standard_D3_v2");
    ASSERT_STR_EQ(pick(&fx, NT, "{\"min_cores\": 64}"), "Standard_D4ds_v5");
    mod_fx_stop(&fx);
}

/* Each allocation of both reads failing alone: the whole state or out of
 * memory, never a node type without one of its flags (issue 20). */
TEST(mod_data_databricks_node_type, alloc_walk)
{
    struct mod_fx fx;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    ASSERT_CMP(mod_read_walk(&fx, NT,
                             "{\"local_disk\": true, "
                             "\"min_cores\": 8}"),
               >, 50);
    ASSERT_CMP(mod_read_walk(&fx, SV, "{\"ml\": true}"), >, 50);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_data_databricks_spark_version_list[] = {
    TEST_MODULE(mod_data_databricks_spark_version, filters),
    TEST_MODULE(mod_data_databricks_node_type, smallest),
    TEST_MODULE(mod_data_databricks_node_type, alloc_walk), TEST_END};
