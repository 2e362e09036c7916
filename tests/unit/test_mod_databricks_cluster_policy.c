/*
 * databricks_cluster_policy against tern-sim: create (one call), read with
 * the service's re-serialised definition (equivalent: the state's text
 * stays), drift, update in place, delete (gone is success), import, the
 * provider's ConflictsWith/RequiredWith, a family's policy, and the
 * service's errors.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_databricks_cluster_policy;
#define M (&tern_module_databricks_cluster_policy)

#define DEF                                                                    \
    "{\\\"aws_attributes.instance_profile_arn\\\": {\\\"type\\\": "            \
    "\\\"fixed\\\", \\\"value\\\": \\\"arn:aws:iam::123456789012:instance-"    \
    "profile/shared\\\"}}"

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

static json_t *stored(struct mod_fx *fx, size_t i)
{
    json_t *dump = mod_dump(fx);
    json_t *p = json_incref(
        json_array_get(json_object_get(json_object_get(dump, "databricks"),
                                       "cluster_policies"),
                       i));

    json_decref(dump);
    return p;
}

TEST(mod_databricks_cluster_policy, create_read_update_delete)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *cfg, *p;
    tern_dbx_client *c;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    c = fx.dbx;
    mod_clear_calls(&fx);
    st = create(&fx, "{\"name\": \"Policy with predefined instance "
                     "profile\", \"definition\": \"" DEF "\"}");
    ASSERT_STR_EQ(mod_calls(&fx), "policies/clusters/create");
    ASSERT_STR_EQ(mod_str(st, "id"), "D06A5E0000000001");
    ASSERT_STR_EQ(mod_str(st, "policy_id"), "D06A5E0000000001");
    p = stored(&fx, 0);
    /* The service keeps its own serialisation. */
    ASSERT_STR_EQ(mod_str(p, "definition"),
                  "{\"aws_attributes.instance_profile_arn\":{\"type\":"
                  "\"fixed\",\"value\":\"arn:aws:iam::123456789012:instance-"
                  "profile/shared\"}}");
    json_decref(p);
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "policies/clusters/get");
    /* Equivalent: the state's text, so a read equals what create gave. */
    ASSERT(json_equal(now, st));
    json_decref(now);
    now = NULL;
    /* In place. */
    cfg = mod_json("{\"name\": \"renamed\", \"definition\": \"{}\", "
                   "\"description\": \"d\", \"max_clusters_per_user\": 2}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "policies/clusters/edit");
    p = stored(&fx, 0);
    ASSERT_STR_EQ(mod_str(p, "name"), "renamed");
    ASSERT_EQ(json_integer_value(json_object_get(p, "max_clusters_per_user")),
              2);
    json_decref(p);
    json_decref(st);
    st = NULL;
    /* Drift: changed outside tern, read shows it. */
    {
        struct tern_diags d = TERN_DIAGS_INIT;
        json_t *b = mod_json("{\"policy_id\": \"D06A5E0000000001\", "
                             "\"name\": \"outside\", \"definition\": "
                             "\"{\\\"a\\\": 1}\"}");

        ASSERT_OK(tern_dbx_call(c, "POST", "/api/2.0/policies/clusters/edit", b,
                                NULL, &d));
        json_decref(b);
        tern_diags_release(&d);
    }
    ASSERT_OK(M->read(&st, &fx.op, now));
    ASSERT_STR_EQ(mod_str(st, "name"), "outside");
    ASSERT_STR_EQ(mod_str(st, "definition"), "{\"a\":1}");
    ASSERT(json_is_null(json_object_get(st, "max_clusters_per_user")));
    json_decref(st);
    st = NULL;
    mod_clear_calls(&fx);
    ASSERT_OK(M->delete_(&fx.op, now));
    ASSERT_STR_EQ(mod_calls(&fx), "policies/clusters/delete");
    ASSERT_EQ(M->read(&st, &fx.op, now), TERN_ENOTFOUND);
    ASSERT_OK(M->delete_(&fx.op, now));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(now);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_cluster_policy, import_family_and_errors)
{
    struct mod_fx fx;
    json_t *st, *imp = NULL, *now = NULL, *cfg;
    char *text;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    fx.op.address = "databricks_cluster_policy.this";
    mod_load(&fx, "{\"databricks\": {\"cluster_policies\": [{\"policy_id\": "
                  "\"ABC\", \"name\": \"old\", \"definition\": "
                  "\"{\\\"x\\\":{\\\"type\\\":\\\"fixed\\\"}}\", "
                  "\"max_clusters_per_user\": 3}]}}");
    ASSERT_OK(M->import(&imp, &fx.op, "ABC"));
    text = json_dumps(imp, JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR_EQ(text,
                  "{\"definition\":\"{\\\"x\\\":{\\\"type\\\":\\\"fixed\\\"}}"
                  "\",\"description\":null,\"id\":\"ABC\","
                  "\"max_clusters_per_user\":3,\"name\":\"old\","
                  "\"policy_family_definition_overrides\":null,"
                  "\"policy_family_id\":null,\"policy_id\":\"ABC\"}");
    free(text);
    json_decref(imp);
    imp = NULL;
    ASSERT_EQ(M->import(&imp, &fx.op, "NONE"), TERN_ENOTFOUND);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot read cluster policy 'NONE' "
                  "[RESOURCE_DOES_NOT_EXIST]: GET "
                  "/api/2.0/policies/clusters/get?policy_id=NONE: "
                  "RESOURCE_DOES_NOT_EXIST: Can't find a cluster policy with "
                  "id: NONE. (HTTP 400, 1 attempt). It is not registered in "
                  "the workspace.");
    mod_diag_clear(&fx);
    /* A family's policy: the merged definition is not drift. */
    st = create(&fx, "{\"name\": \"fam\", \"policy_family_id\": "
                     "\"personal-vm\", \"policy_family_definition_overrides\": "
                     "\"{\\\"autotermination_minutes\\\": {\\\"type\\\": "
                     "\\\"fixed\\\", \\\"value\\\": 30}}\"}");
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT(json_equal(now, st));
    ASSERT(json_is_null(json_object_get(now, "definition")));
    json_decref(now);
    json_decref(st);
    /* An interrupted create: lookup finds the policy by its name. */
    cfg = mod_json("{\"name\": \"old\", \"definition\": "
                   "\"{\\\"x\\\": {\\\"type\\\": \\\"fixed\\\"}}\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->lookup(&imp, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "policies/clusters/list,policies/clusters/get");
    ASSERT_STR_EQ(mod_str(imp, "id"), "ABC");
    ASSERT_STR_EQ(mod_str(imp, "definition"), "{\"x\": {\"type\": \"fixed\"}}");
    json_decref(imp);
    imp = NULL;
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"never made\"}");
    ASSERT_EQ(M->lookup(&imp, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(cfg);
    /* No definition: the service's empty one is none. */
    st = create(&fx, "{\"name\": \"bare\"}");
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT(json_equal(now, st));
    ASSERT(json_is_null(json_object_get(now, "definition")));
    json_decref(now);
    json_decref(st);
    /* ConflictsWith and RequiredWith, before any call. */
    mod_clear_calls(&fx);
    cfg = mod_json("{\"name\": \"x\", \"definition\": \"{}\", "
                   "\"policy_family_id\": \"personal-vm\"}");
    st = NULL;
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Conflicting configuration arguments []: \"definition\": "
                  "conflicts with policy_family_id");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"x\", \"policy_family_definition_overrides\": "
                   "\"{}\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Missing required argument []: "
                  "\"policy_family_definition_overrides\": all of "
                  "`policy_family_definition_overrides,policy_family_id` must "
                  "be specified");
    mod_diag_clear(&fx);
    json_decref(cfg);
    ASSERT_STR_EQ(mod_calls(&fx), "");
    /* The service's own refusals: a taken name, a definition that is not
     * a JSON object. */
    cfg = mod_json("{\"name\": \"fam\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot create cluster policy 'fam' "
                  "[INVALID_PARAMETER_VALUE]: "
                  "POST /api/2.0/policies/clusters/create: "
                  "INVALID_PARAMETER_VALUE: Cluster policy with name 'fam' "
                  "already exists. (HTTP 400, 1 attempt)");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"y\", \"definition\": \"[1]\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot create cluster policy 'y' "
                  "[INVALID_PARAMETER_VALUE]: "
                  "POST /api/2.0/policies/clusters/create: "
                  "INVALID_PARAMETER_VALUE: Invalid policy definition: it is "
                  "not a JSON object: [1] (HTTP 400, 1 attempt)");
    json_decref(cfg);
    mod_fx_stop(&fx);
}

/* Each allocation of a read failing alone: the whole state or out of
 * memory; a definition Jansson could not parse for lack of memory does
 * not replace the state's equivalent text (issue 20). */
TEST(mod_databricks_cluster_policy, alloc_walk)
{
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    fx.walk_sticky = 1; /* the definitions are strings with escapes */
    st = create(&fx, "{\"name\": \"p\", \"max_clusters_per_user\": 2, "
                     "\"definition\": \"" DEF "\"}");
    ASSERT_CMP(mod_read_walk_state(&fx, M, st), >, 50);
    json_decref(st);
    st = create(&fx, "{\"name\": \"q\"}");
    ASSERT_CMP(mod_read_walk_state(&fx, M, st), >, 50);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_databricks_cluster_policy_list[] = {
    TEST_MODULE(mod_databricks_cluster_policy, create_read_update_delete),
    TEST_MODULE(mod_databricks_cluster_policy, import_family_and_errors),
    TEST_MODULE(mod_databricks_cluster_policy, alloc_walk), TEST_END};
