/*
 * tern-sim's Databricks catalogs and cluster policies:
 *
 *   GET  /api/2.0|2.1/clusters/spark-versions
 *        -> 200 {"versions": [{"key": "15.4.x-scala2.12",
 *                 "name": "15.4 LTS (includes Apache Spark 3.5.0, Scala
 *                 2.12)"}, ...]}
 *   GET  /api/2.0|2.1/clusters/list-node-types
 *        -> 200 {"node_types": [{"node_type_id", "memory_mb", "num_cores",
 *                 "num_gpus", "description", "instance_type_id",
 *                 "category", "is_deprecated", "is_hidden",
 *                 "support_port_forwarding", "is_io_cache_enabled",
 *                 "photon_worker_capable", "photon_driver_capable",
 *                 "is_graviton", "node_instance_type": {"instance_type_id",
 *                 "local_disks", "local_disk_size_gb", "local_nvme_disks",
 *                 "local_nvme_disk_size_gb"}}, ...]}
 *
 * The shapes are the Clusters API's (docs.databricks.com REST reference,
 * "List available Spark versions" and "List node types"); the default
 * catalog is a handful of AWS entries: LTS, ML, GPU, Photon, Graviton and
 * beta runtimes, and node types from m5.large to g4dn.xlarge, i3.xlarge and
 * m5d.large among them, one deprecated and one fleet type. A load replaces
 * either list wholesale: {"spark_versions": [...], "node_types": [...]}
 * (each entry as the API answers it).
 *
 * Cluster policies (Cluster Policies API 2.0, /api/2.0/policies/clusters/):
 *
 *   POST create {name, definition?, description?, max_clusters_per_user?,
 *                policy_family_id?, policy_family_definition_overrides?}
 *               -> 200 {"policy_id": "<16 hex>"}
 *   GET  get?policy_id=ID -> 200 the policy: policy_id, name, definition,
 *               description?, max_clusters_per_user?, policy_family_id?,
 *               policy_family_definition_overrides?, creator_user_name,
 *               created_at_timestamp, is_default (false)
 *   POST edit   {policy_id, name, ...as create} -> 200 {}
 *   POST delete {policy_id} -> 200 {}
 *   GET  list   -> 200 {"policies": [...], "total_count": N}
 *
 * Rules: name is required and unique (400 INVALID_PARAMETER_VALUE
 * "Cluster policy with name '<n>' already exists." otherwise); definition
 * and the overrides must be JSON objects (400 INVALID_PARAMETER_VALUE);
 * definition conflicts with policy_family_id; a family id must be one of
 * the built-in families (personal-vm, shared-compute, power-user,
 * job-cluster) and its policy's definition is the family's with the
 * overrides merged over it. An unknown policy_id: 400
 * RESOURCE_DOES_NOT_EXIST "Can't find a cluster policy with id: <id>."
 * The server stores the definition as it re-serialises it (compact, keys
 * sorted), so a client must compare definitions as JSON, not as text.
 * Dump and load: {"cluster_policies": [policy, ...]} under "databricks".
 */
#include "sim.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

struct sim_dbx_catalog {
    struct sim *sim;
    json_t *versions;   /* the "versions" array */
    json_t *node_types; /* the "node_types" array */
    json_t *policies;   /* array of policy objects */
    unsigned long next_id;
};

static json_t *version(const char *key, const char *name)
{
    return json_pack("{s:s, s:s}", "key", key, "name", name);
}

static json_t *default_versions(void)
{
    return json_pack(
        "[o,o,o,o,o,o,o,o,o,o,o,o]",
        version("16.2.x-scala2.12",
                "16.2 Beta (includes Apache Spark 3.5.2, Scala 2.12)"),
        version("16.1.x-scala2.12",
                "16.1 (includes Apache Spark 3.5.0, Scala 2.12)"),
        version("16.1.x-cpu-ml-scala2.12",
                "16.1 ML (includes Apache Spark 3.5.0, Scala 2.12)"),
        version("15.4.x-scala2.12",
                "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"),
        version("15.4.x-cpu-ml-scala2.12",
                "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)"),
        version("15.4.x-gpu-ml-scala2.12",
                "15.4 LTS ML (includes Apache Spark 3.5.0, GPU, Scala 2.12)"),
        version("15.4.x-photon-scala2.12",
                "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)"),
        version("15.4.x-aarch64-scala2.12",
                "15.4 LTS aarch64 (includes Apache Spark 3.5.0, Scala 2.12)"),
        version("14.3.x-scala2.12",
                "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"),
        version("13.3.x-scala2.12",
                "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"),
        version("12.2.x-scala2.12",
                "12.2 LTS (includes Apache Spark 3.3.2, Scala 2.12)"),
        version("6.6.x-scala2.11",
                "6.6 (includes Apache Spark 2.4.5, Scala 2.11)"));
}

/* One AWS node type as list-node-types describes it. */
static json_t *node(const char *id, int mem_mb, int cores, int gpus,
                    const char *category, int nvme, int nvme_gb, int io_cache,
                    int photon, int graviton, int deprecated)
{
    char desc[64];

    snprintf(desc, sizeof(desc), "%s", id);
    return json_pack(
        "{s:s, s:i, s:f, s:i, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, "
        "s:b, s:b, s:b, s:{s:s, s:i, s:i, s:i, s:i}}",
        "node_type_id", id, "memory_mb", mem_mb, "num_cores", (double)cores,
        "num_gpus", gpus, "description", desc, "instance_type_id", id,
        "category", category, "is_deprecated", deprecated, "is_hidden", 0,
        "support_port_forwarding", 1, "is_io_cache_enabled", io_cache,
        "photon_worker_capable", photon, "photon_driver_capable", photon,
        "is_graviton", graviton, "support_ebs_volumes", 1,
        "support_cluster_tags", 1, "node_instance_type", "instance_type_id", id,
        "local_disks", 0, "local_disk_size_gb", 0, "local_nvme_disks", nvme,
        "local_nvme_disk_size_gb", nvme_gb);
}

static json_t *default_node_types(void)
{
    return json_pack(
        "[o,o,o,o,o,o,o,o,o,o]",
        node("m4.large", 8192, 2, 0, "General Purpose", 0, 0, 0, 0, 0, 1),
        node("m5.large", 8192, 2, 0, "General Purpose", 0, 0, 0, 0, 0, 0),
        node("m5d.large", 8192, 2, 0, "General Purpose", 1, 75, 0, 1, 0, 0),
        node("m6g.large", 8192, 2, 0, "General Purpose", 0, 0, 0, 0, 1, 0),
        node("c5.xlarge", 8192, 4, 0, "Compute Optimized", 0, 0, 0, 0, 0, 0),
        node("md-fleet.xlarge", 16384, 4, 0, "General Purpose", 1, 150, 0, 1, 0,
             0),
        node("g4dn.xlarge", 16384, 4, 1, "GPU Accelerated", 1, 125, 0, 0, 0, 0),
        node("i3.xlarge", 31232, 4, 0, "Storage Optimized", 1, 950, 1, 1, 0, 0),
        node("r5d.xlarge", 32768, 4, 0, "Memory Optimized", 1, 150, 0, 1, 0, 0),
        node("i3.2xlarge", 62464, 8, 0, "Storage Optimized", 1, 1900, 1, 1, 0,
             0));
}

/* The built-in policy families and their definitions. */
static const struct {
    const char *id;
    const char *definition;
} families[] = {
    {"personal-vm",
     "{\"data_security_mode\":{\"type\":\"fixed\",\"value\":\"SINGLE_USER\"},"
     "\"num_workers\":{\"type\":\"fixed\",\"value\":0}}"},
    {"shared-compute", "{\"data_security_mode\":{\"type\":\"fixed\",\"value\":"
                       "\"USER_ISOLATION\"}}"},
    {"power-user",
     "{\"autotermination_minutes\":{\"type\":\"fixed\",\"value\":120}}"},
    {"job-cluster",
     "{\"cluster_type\":{\"type\":\"fixed\",\"value\":\"job\"}}"},
};

struct sim_dbx_catalog *sim_dbx_catalog_new(struct sim *sim)
{
    struct sim_dbx_catalog *c = tern_calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->sim = sim;
    sim_dbx_catalog_reset(c);
    return c;
}

void sim_dbx_catalog_reset(struct sim_dbx_catalog *c)
{
    if (!c)
        return;
    json_decref(c->versions);
    json_decref(c->node_types);
    json_decref(c->policies);
    c->versions = default_versions();
    c->node_types = default_node_types();
    c->policies = json_array();
    c->next_id = 0;
}

void sim_dbx_catalog_free(struct sim_dbx_catalog *c)
{
    if (!c)
        return;
    json_decref(c->versions);
    json_decref(c->node_types);
    json_decref(c->policies);
    tern_free(c);
}

static json_t *find_policy(struct sim_dbx_catalog *c, const char *id,
                           size_t *index)
{
    json_t *p;
    size_t i;

    json_array_foreach(c->policies, i, p)
    {
        const char *pid = json_string_value(json_object_get(p, "policy_id"));

        if (id && pid && strcmp(pid, id) == 0) {
            if (index)
                *index = i;
            return p;
        }
    }
    return NULL;
}

static json_t *find_policy_by_name(struct sim_dbx_catalog *c, const char *name)
{
    json_t *p;
    size_t i;

    json_array_foreach(c->policies, i, p)
    {
        const char *n = json_string_value(json_object_get(p, "name"));

        if (n && strcmp(n, name) == 0)
            return p;
    }
    return NULL;
}

static void no_policy(const char *id, struct sim_resp *resp)
{
    sim_dbx_error(resp, 400, "RESOURCE_DOES_NOT_EXIST",
                  "Can't find a cluster policy with id: %s.", id ? id : "");
}

/* A JSON object parsed from a string field; NULL with resp filled. */
static json_t *json_field(const json_t *body, const char *name,
                          struct sim_resp *resp)
{
    const char *text = json_string_value(json_object_get(body, name));
    json_t *v;

    v = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(v)) {
        json_decref(v);
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Invalid policy %s: it is not a JSON object: %s", name,
                      text ? text : "(not a string)");
        return NULL;
    }
    return v;
}

/* The stored text of a JSON value: compact, keys sorted. */
static json_t *canonical(const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *s = json_string(text ? text : "{}");

    free(text); /* from jansson */
    return s;
}

/*
 * Build the stored policy from a create or edit body into p (fields
 * replaced). 0, or -1 with resp filled.
 */
static int fill_policy(struct sim_dbx_catalog *c, json_t *p, const json_t *self,
                       const json_t *body, struct sim_resp *resp)
{
    const json_t *name = json_object_get(body, "name");
    const json_t *def = json_object_get(body, "definition");
    const json_t *fam = json_object_get(body, "policy_family_id");
    const json_t *ovr =
        json_object_get(body, "policy_family_definition_overrides");
    const json_t *desc = json_object_get(body, "description");
    const json_t *max = json_object_get(body, "max_clusters_per_user");
    const json_t *other;
    json_t *merged = NULL;
    size_t i;

    if (!json_is_string(name) || !*json_string_value(name)) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Missing required field: name");
        return -1;
    }
    other = find_policy_by_name(c, json_string_value(name));
    if (other && other != self) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Cluster policy with name '%s' already exists.",
                      json_string_value(name));
        return -1;
    }
    if ((desc && !json_is_string(desc)) || (max && !json_is_integer(max)) ||
        (def && !json_is_string(def)) || (fam && !json_is_string(fam)) ||
        (ovr && !json_is_string(ovr))) {
        sim_dbx_error(resp, 400, "MALFORMED_REQUEST",
                      "Could not parse request object: a field has the "
                      "wrong type");
        return -1;
    }
    if (def && fam) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Policy definition cannot be set together with "
                      "policy_family_id");
        return -1;
    }
    if (ovr && !fam) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "policy_family_definition_overrides requires "
                      "policy_family_id");
        return -1;
    }
    if (fam) {
        for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
            if (strcmp(families[i].id, json_string_value(fam)) == 0)
                break;
        }
        if (i == sizeof(families) / sizeof(families[0])) {
            sim_dbx_error(resp, 400, "RESOURCE_DOES_NOT_EXIST",
                          "Policy family %s does not exist.",
                          json_string_value(fam));
            return -1;
        }
        merged = json_loads(families[i].definition, 0, NULL);
        if (ovr) {
            json_t *o =
                json_field(body, "policy_family_definition_overrides", resp);

            if (!o) {
                json_decref(merged);
                return -1;
            }
            json_object_update(merged, o);
            json_decref(o);
        }
    } else {
        merged = def ? json_field(body, "definition", resp) : json_object();
        if (!merged)
            return -1;
    }
    json_object_set_new(p, "name", json_string(json_string_value(name)));
    json_object_set_new(p, "definition", canonical(merged));
    json_decref(merged);
    json_object_del(p, "description");
    json_object_del(p, "max_clusters_per_user");
    json_object_del(p, "policy_family_id");
    json_object_del(p, "policy_family_definition_overrides");
    if (desc)
        json_object_set(p, "description", (json_t *)desc);
    if (max)
        json_object_set(p, "max_clusters_per_user", (json_t *)max);
    if (fam)
        json_object_set(p, "policy_family_id", (json_t *)fam);
    if (ovr)
        json_object_set(p, "policy_family_definition_overrides", (json_t *)ovr);
    return 0;
}

static void handle_create(struct sim_dbx_catalog *c, const json_t *body,
                          struct sim_resp *resp)
{
    json_t *p = json_object();
    char id[20];

    if (fill_policy(c, p, p, body, resp) < 0) {
        json_decref(p);
        return;
    }
    c->next_id++;
    snprintf(id, sizeof(id), "%016lX", 0xD06A5E0000000000UL + c->next_id);
    json_object_set_new(p, "policy_id", json_string(id));
    json_object_set_new(p, "creator_user_name",
                        json_string(SIM_DBX_DEFAULT_USER));
    json_object_set_new(p, "created_at_timestamp",
                        json_integer(sim_now_ms(c->sim)));
    json_object_set_new(p, "is_default", json_false());
    json_array_append_new(c->policies, p);
    sim_resp_json(resp, 200, json_pack("{s:s}", "policy_id", id));
}

static void handle_edit(struct sim_dbx_catalog *c, const json_t *body,
                        struct sim_resp *resp)
{
    const char *id = json_string_value(json_object_get(body, "policy_id"));
    json_t *p = find_policy(c, id, NULL), *copy;

    if (!p) {
        no_policy(id, resp);
        return;
    }
    copy = json_deep_copy(p);
    if (fill_policy(c, copy, p, body, resp) < 0) {
        json_decref(copy);
        return;
    }
    json_object_clear(p);
    json_object_update(p, copy);
    json_decref(copy);
    sim_resp_json(resp, 200, json_object());
}

static void handle_delete(struct sim_dbx_catalog *c, const json_t *body,
                          struct sim_resp *resp)
{
    const char *id = json_string_value(json_object_get(body, "policy_id"));
    size_t i;

    if (!find_policy(c, id, &i)) {
        no_policy(id, resp);
        return;
    }
    json_array_remove(c->policies, i);
    sim_resp_json(resp, 200, json_object());
}

int sim_dbx_catalog_path(const char *path)
{
    return strncmp(path, "/api/2.0/policies/clusters/", 27) == 0 ||
           strcmp(path, "/api/2.0/clusters/spark-versions") == 0 ||
           strcmp(path, "/api/2.1/clusters/spark-versions") == 0 ||
           strcmp(path, "/api/2.0/clusters/list-node-types") == 0 ||
           strcmp(path, "/api/2.1/clusters/list-node-types") == 0;
}

void sim_dbx_catalog_handle(struct sim_dbx_catalog *c, struct sim_req *req,
                            const json_t *body, struct sim_resp *resp)
{
    const char *tail = req->path + strlen("/api/2.0/");
    int get = strcmp(req->method, "GET") == 0;

    if (strcmp(tail, "clusters/spark-versions") == 0 && get) {
        sim_resp_json(resp, 200, json_pack("{s:O}", "versions", c->versions));
    } else if (strcmp(tail, "clusters/list-node-types") == 0 && get) {
        sim_resp_json(resp, 200,
                      json_pack("{s:O}", "node_types", c->node_types));
    } else if (strcmp(tail, "policies/clusters/list") == 0 && get) {
        sim_resp_json(resp, 200,
                      json_pack("{s:O, s:i}", "policies", c->policies,
                                "total_count",
                                (int)json_array_size(c->policies)));
    } else if (strcmp(tail, "policies/clusters/get") == 0 && get) {
        const char *id = sim_req_param(req, "policy_id");
        json_t *p = find_policy(c, id, NULL);

        if (p)
            sim_resp_json(resp, 200, json_deep_copy(p));
        else
            no_policy(id, resp);
    } else if (strcmp(tail, "policies/clusters/create") == 0 && !get) {
        handle_create(c, body, resp);
    } else if (strcmp(tail, "policies/clusters/edit") == 0 && !get) {
        handle_edit(c, body, resp);
    } else if (strcmp(tail, "policies/clusters/delete") == 0 && !get) {
        handle_delete(c, body, resp);
    } else {
        sim_dbx_error(resp, 404, "ENDPOINT_NOT_FOUND",
                      "No API found for '%s %s'", req->method, req->path + 8);
    }
}

void sim_dbx_catalog_dump(struct sim_dbx_catalog *c, json_t *into)
{
    json_object_set_new(into, "cluster_policies", json_deep_copy(c->policies));
}

int sim_dbx_catalog_load(struct sim_dbx_catalog *c, const json_t *in, char *err,
                         size_t errlen)
{
    const json_t *v = json_object_get(in, "spark_versions"), *item;
    size_t i;

    if (v) {
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(json_object_get(item, "key")) ||
                !json_is_string(json_object_get(item, "name"))) {
                snprintf(err, errlen,
                         "databricks: spark_versions[%zu]: expected "
                         "{\"key\", \"name\"}",
                         i);
                return -1;
            }
        }
        if (!json_is_array(v)) {
            snprintf(err, errlen,
                     "databricks: spark_versions: expected an "
                     "array");
            return -1;
        }
        json_decref(c->versions);
        c->versions = json_deep_copy(v);
    }
    v = json_object_get(in, "node_types");
    if (v) {
        if (!json_is_array(v)) {
            snprintf(err, errlen,
                     "databricks: node_types: expected an "
                     "array");
            return -1;
        }
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(json_object_get(item, "node_type_id")) ||
                !json_is_number(json_object_get(item, "num_cores")) ||
                !json_is_integer(json_object_get(item, "memory_mb"))) {
                snprintf(err, errlen,
                         "databricks: node_types[%zu]: expected "
                         "node_type_id, num_cores and memory_mb",
                         i);
                return -1;
            }
        }
        json_decref(c->node_types);
        c->node_types = json_deep_copy(v);
    }
    v = json_object_get(in, "cluster_policies");
    if (v) {
        if (!json_is_array(v)) {
            snprintf(err, errlen,
                     "databricks: cluster_policies: expected an "
                     "array");
            return -1;
        }
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(json_object_get(item, "policy_id")) ||
                !json_is_string(json_object_get(item, "name"))) {
                snprintf(err, errlen,
                         "databricks: cluster_policies[%zu]: expected "
                         "policy_id and name",
                         i);
                return -1;
            }
            json_array_append_new(c->policies, json_deep_copy(item));
        }
    }
    return 0;
}
