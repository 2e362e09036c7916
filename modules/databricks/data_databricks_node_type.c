/*
 * data databricks_node_type: the smallest node type that meets the
 * filters, as the provider's clusters/data_node_type.go and the Go SDK's
 * ListNodeTypesResponse.Smallest (service/compute/node_type.go) choose it.
 *
 * Calls: GET /api/2.1/clusters/list-node-types.
 *
 * Order (the SDK's sort): not deprecated first, then fewer cores, less
 * memory, fewer local disks, smaller local disks, fewer NVMe disks,
 * smaller NVMe disks, fewer GPUs, then instance_type_id. The first that
 * passes every filter wins: not "not available in region"; a fleet type
 * ("-fleet." in the id) exactly when fleet; memory_mb/1024 >= min_memory_gb;
 * (memory GB / cores) >= gb_per_core; cores >= min_cores; GPUs >= min_gpus,
 * and none when min_gpus is 0; local_disk (or local_disk_min_size) needs a
 * local or NVMe disk, local_disk_min_size their total size; category
 * (case-insensitive); is_io_cache_enabled, support_port_forwarding,
 * photon_driver_capable, photon_worker_capable when asked; is_graviton
 * exactly when graviton (or arm). When none passes, the provider does not
 * fail: it answers its default for the cloud (i3.xlarge on AWS, m6g.xlarge
 * for Graviton, md-fleet.xlarge / rgd-fleet.xlarge for fleet;
 * Standard_D4ds_v5 / Standard_D4pds_v6 on Azure, n1-standard-4 on GCP),
 * and so does this.
 */
#include "../aws/iam_common.h"

#include "util/alloc.h"
#include "util/json.h"

#include <string.h>
#include <strings.h>

static const tern_attr schema[] = {
    {"arm", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL,
     0},
    {"category", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"fleet", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"gb_per_core", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"graviton", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"is_io_cache_enabled", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"local_disk", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"local_disk_min_size", TERN_TYPE_NUMBER,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"min_cores", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"min_gpus", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"min_memory_gb", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"photon_driver_capable", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"photon_worker_capable", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"support_port_forwarding", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char *const bools[] = {"arm",
                                    "fleet",
                                    "graviton",
                                    "is_io_cache_enabled",
                                    "local_disk",
                                    "photon_driver_capable",
                                    "photon_worker_capable",
                                    "support_port_forwarding",
                                    NULL};
static const char *const numbers[] = {"gb_per_core",   "local_disk_min_size",
                                      "min_cores",     "min_gpus",
                                      "min_memory_gb", NULL};

static long long num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_number(v) ? (long long)json_number_value(v) : 0;
}

static long long disk(const json_t *nt, const char *key)
{
    return num(json_object_get(nt, "node_instance_type"), key);
}

/* The SDK's sort chain: negative when a sorts before b. */
static int cmp(const json_t *a, const json_t *b)
{
    static const char *const keys[] = {"num_cores", "memory_mb", NULL};
    static const char *const disks[] = {"local_disks", "local_disk_size_gb",
                                        "local_nvme_disks",
                                        "local_nvme_disk_size_gb", NULL};
    const char *ia, *ib;
    long long x, y;
    size_t i;

    x = json_is_true(json_object_get(a, "is_deprecated"));
    y = json_is_true(json_object_get(b, "is_deprecated"));
    if (x != y)
        return x < y ? -1 : 1;
    for (i = 0; keys[i]; i++) {
        double da = json_number_value(json_object_get(a, keys[i]));
        double db = json_number_value(json_object_get(b, keys[i]));

        if (da != db)
            return da < db ? -1 : 1;
    }
    for (i = 0; disks[i]; i++) {
        x = disk(a, disks[i]);
        y = disk(b, disks[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    x = num(a, "num_gpus");
    y = num(b, "num_gpus");
    if (x != y)
        return x < y ? -1 : 1;
    ia = tern__str(a, "instance_type_id");
    ib = tern__str(b, "instance_type_id");
    return strcmp(ia ? ia : "", ib ? ib : "");
}

static int skipped(const json_t *nt)
{
    const json_t *st;
    size_t i;

    json_array_foreach(
        json_object_get(json_object_get(nt, "node_info"), "status"), i, st)
    {
        const char *s = json_string_value(st);

        if (s && (strcmp(s, "NotAvailableInRegion") == 0 ||
                  strcmp(s, "NotEnabledOnSubscription") == 0))
            return 1;
    }
    return 0;
}

static int passes(const json_t *nt, const json_t *cfg, int graviton)
{
    const char *id = tern__str(nt, "node_type_id");
    const char *cat = tern__str(cfg, "category");
    const char *ncat = tern__str(nt, "category");
    long long gbs = num(nt, "memory_mb") / 1024, cores = num(nt, "num_cores");
    long long gpus = num(nt, "num_gpus");
    long long min_gpus = num(cfg, "min_gpus");
    long long min_size = num(cfg, "local_disk_min_size");
    const json_t *inst = json_object_get(nt, "node_instance_type");

    if (skipped(nt) ||
        tern__bool(cfg, "fleet", 0) != (id && strstr(id, "-fleet.") != NULL))
        return 0;
    if (num(cfg, "min_memory_gb") > 0 && gbs < num(cfg, "min_memory_gb"))
        return 0;
    if (num(cfg, "gb_per_core") > 0 &&
        (cores <= 0 || gbs / cores < num(cfg, "gb_per_core")))
        return 0;
    if (num(cfg, "min_cores") > 0 && cores < num(cfg, "min_cores"))
        return 0;
    if ((min_gpus > 0 && gpus < min_gpus) || (min_gpus == 0 && gpus > 0))
        return 0;
    if ((tern__bool(cfg, "local_disk", 0) || min_size > 0) && inst &&
        disk(nt, "local_disks") < 1 && disk(nt, "local_nvme_disks") < 1)
        return 0;
    if (min_size > 0 && inst &&
        disk(nt, "local_disk_size_gb") + disk(nt, "local_nvme_disk_size_gb") <
            min_size)
        return 0;
    if (cat && (!ncat || strcasecmp(cat, ncat) != 0))
        return 0;
    if ((tern__bool(cfg, "is_io_cache_enabled", 0) &&
         !tern__bool(nt, "is_io_cache_enabled", 0)) ||
        (tern__bool(cfg, "support_port_forwarding", 0) &&
         !tern__bool(nt, "support_port_forwarding", 0)) ||
        (tern__bool(cfg, "photon_driver_capable", 0) &&
         !tern__bool(nt, "photon_driver_capable", 0)) ||
        (tern__bool(cfg, "photon_worker_capable", 0) &&
         !tern__bool(nt, "photon_worker_capable", 0)))
        return 0;
    return tern__bool(nt, "is_graviton", 0) == graviton;
}

/* The provider's defaultSmallestNodeType: the cloud told by the ids. */
static const char *fallback(const json_t *types, const json_t *cfg,
                            int graviton)
{
    int aws = 0, azure = 0, gcp = 0, fleet = tern__bool(cfg, "fleet", 0);
    const json_t *nt;
    size_t i;

    json_array_foreach(types, i, nt)
    {
        const char *id = tern__str(nt, "node_type_id");
        const char *dot = id ? strchr(id, '.') : NULL;

        aws |= dot && strstr(dot, "large") != NULL;
        azure |= id && strstr(id, "Standard_") != NULL;
        gcp |= id && strstr(id, "-standard-") != NULL;
    }
    if (graviton && aws)
        return fleet ? "rgd-fleet.xlarge" : "m6g.xlarge";
    if (graviton && azure)
        return "Standard_D4pds_v6";
    if (azure)
        return "Standard_D4ds_v5";
    if (gcp)
        return "n1-standard-4";
    return fleet ? "md-fleet.xlarge" : "i3.xlarge";
}

static int nt_read(json_t **out, tern_op *op, const json_t *cfg)
{
    int graviton = tern__bool(cfg, "arm", 0) || tern__bool(cfg, "graviton", 0);
    json_t *list = NULL;
    const json_t *types, *nt, *best = NULL;
    size_t i;
    int error, oom = 0;

    error = tern__dbx_call(op, "GET", "/api/2.1/clusters/list-node-types", NULL,
                           &list, TERN__RETRY_TRANSIENT,
                           "cannot determine smallest node type", NULL);
    if (error)
        return error;
    types = json_object_get(list, "node_types");
    json_array_foreach(types, i, nt)
    {
        if (passes(nt, cfg, graviton) && (!best || cmp(nt, best) < 0))
            best = nt;
    }
    *out = json_pack("{s:s, s:o}", "id",
                     best ? tern__str(best, "node_type_id")
                          : fallback(types, cfg, graviton),
                     "category", tern__jstr(tern__str(cfg, "category")));
    for (i = 0; *out && bools[i]; i++)
        tern_json_set(&oom, *out, bools[i],
                      json_boolean(tern__bool(cfg, bools[i], 0)));
    for (i = 0; *out && numbers[i]; i++)
        tern_json_set(&oom, *out, numbers[i],
                      json_integer(num(cfg, numbers[i])));
    *out = tern_json_done(oom, *out);
    json_decref(list);
    return *out ? TERN_OK : TERN_ENOMEM;
}

const tern_module tern_module_data_databricks_node_type = {
    TERN_MODULE_VERSION,
    "databricks_node_type",
    TERN_MODULE_DATA,
    "databricks",
    schema,
    nt_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
