/*
 * databricks_cluster: an all-purpose Databricks cluster, with the
 * libraries installed on it (`library` blocks).
 *
 * Calls (Clusters API 2.1, Libraries API 2.0):
 * - POST /api/2.1/clusters/create, then GET .../get?cluster_id= polled
 *   with backoff until RUNNING (unless no_wait), POST .../pin when
 *   is_pinned, POST /api/2.0/libraries/install and GET
 *   .../libraries/cluster-status polled until every library is INSTALLED
 *   (create);
 * - GET .../get, and .../libraries/cluster-status when the state holds
 *   libraries (read; import reads no libraries, as the provider);
 * - POST .../resize when only num_workers or autoscale changed on a
 *   running cluster (it keeps serving: no restart), else POST .../edit
 *   (a running cluster restarts, and tern waits for RUNNING again unless
 *   no_wait), .../pin / .../unpin,
 *   libraries install/uninstall, with .../start first and .../delete
 *   after for a terminated cluster (update, as the provider's
 *   resourceClusterUpdate);
 * - POST .../delete (terminate), then .../permanent-delete (delete);
 * - GET .../list (lookup: the cluster an interrupted create made, by
 *   cluster_name).
 *
 * Rules taken from databricks/terraform-provider-databricks
 * clusters/resource_cluster.go (ClusterSpec.CustomizeSchema*):
 * - autotermination_minutes defaults to 60, num_workers to 0, is_pinned
 *   to false (registry.c's defaults); runtime_engine is PHOTON or
 *   STANDARD;
 * - idempotency_token is ForceNew; nothing else of what tern has is;
 * - node_type_id, driver_node_type_id, enable_elastic_disk are computed
 *   (the workspace fills them in); data_security_mode and the whole
 *   aws_attributes block are suppress_diff (unset in the configuration,
 *   the workspace's value stands), and zone_id "auto" or unset matches
 *   the zone the workspace chose (ZoneDiffSuppress);
 * - num_workers is always sent unless autoscale is set
 *   (ForceSendFields), and with autoscale the workers the cluster runs
 *   now are not configuration;
 * - a create fails when the cluster ends TERMINATED or ERROR instead of
 *   RUNNING, with the Go SDK's "failed to reach RUNNING, got STATE:
 *   state_message" and Databricks' termination reason;
 * - "Cluster ID does not exist" (any error code) means the cluster is
 *   gone (wrapMissingClusterError).
 *
 * tern's own choices:
 * - state is the cluster's run state: it changes (a terminated cluster)
 *   without that being drift, so its equivalence says any two states are
 *   the same;
 * - a cluster that fails to start is permanently deleted before the
 *   error is returned, so no failed cluster is left behind for the next
 *   run to adopt;
 * - an interrupt that stops the wait for RUNNING (the first Ctrl-C;
 * tern_op_wait returns TERN_ECANCELED) leaves the cluster starting and returns
 * its state with TERN_ECANCELED, which the engine records: the next run reads
 * it and installs the libraries;
 * - a kill leaves the engine's intent instead: the next run finds the
 *   cluster by its cluster_name (lookup) and adopts it, whatever state it
 *   is in, so there is never a second one.
 *   With an idempotency_token, a create sent again returns the same
 *   cluster anyway (the API's rule).
 */
#include "data_databricks_aws_common.h"
#include "../aws/iam_common.h"

#include "databricks/client.h"
#include "util/alloc.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

#define API  "/api/2.1/clusters/"
#define LAPI "/api/2.0/libraries/"

/* Polling: from POLL_FIRST_MS doubling to POLL_MAX_MS, for at most
 * the provider's DefaultProvisionTimeout (30 minutes). */
#define POLL_FIRST_MS 100L
#define POLL_MAX_MS   10000L
#define WAIT_MAX_MS   (30L * 60L * 1000L)

/* ---- equivalences --------------------------------------------------------*/

/* The cluster's run state is not configuration: never drift. */
static int state_equiv(int *same, const json_t *a, const json_t *b)
{
    (void)a;
    (void)b;
    *same = 1;
    return TERN_OK;
}

static int unset(const json_t *v)
{
    return !v || json_is_null(v) ||
           (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_integer(v) && json_integer_value(v) == 0);
}

/* aws_attributes: the block is suppress_diff and its fields computed: a
 * field unset on either side matches, and zone_id "auto" matches any
 * zone (ZoneDiffSuppress). */
static int aws_same(const json_t *a, const json_t *b)
{
    const json_t *x = json_array_get(a, 0), *y = json_array_get(b, 0);
    const char *k;
    json_t *v;

    if (!x || !y)
        return 1;
    json_object_foreach((json_t *)x, k, v)
    {
        const json_t *w = json_object_get(y, k);

        if (unset(v) || unset(w) || json_equal(v, (json_t *)w))
            continue;
        if (strcmp(k, "zone_id") == 0 &&
            (strcmp(json_string_value(v) ? json_string_value(v) : "", "auto") ==
                 0 ||
             strcmp(json_string_value(w) ? json_string_value(w) : "", "auto") ==
                 0))
            continue;
        return 0;
    }
    return 1;
}

/* aws_same as the schema's equivalence: it allocates nothing. */
static int aws_equiv(int *same, const json_t *a, const json_t *b)
{
    *same = aws_same(a, b);
    return TERN_OK;
}

/* A library block in the API's form: {"pypi": {"package", "repo"?}},
 * {"maven": {...}}, {"jar": "..."}, ... New reference. */
static json_t *lib_api(const json_t *blk)
{
    static const char *const strs[] = {"jar", "whl", "requirements", "egg"};
    json_t *o = json_object(), *nested;
    size_t i;
    int oom = 0;

    if (!o)
        return NULL;
    for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        if (tern__str(blk, strs[i]))
            tern_json_set(&oom, o, strs[i],
                          json_string(tern__str(blk, strs[i])));
    nested = json_array_get(json_object_get(blk, "pypi"), 0);
    if (nested && tern__str(nested, "package")) {
        json_t *p = json_pack("{s:s}", "package", tern__str(nested, "package"));

        if (p && tern__str(nested, "repo"))
            tern_json_set(&oom, p, "repo",
                          json_string(tern__str(nested, "repo")));
        tern_json_set(&oom, o, "pypi", p);
    }
    nested = json_array_get(json_object_get(blk, "maven"), 0);
    if (nested && tern__str(nested, "coordinates")) {
        json_t *m =
            json_pack("{s:s}", "coordinates", tern__str(nested, "coordinates"));
        json_t *ex = json_object_get(nested, "exclusions");

        if (m && tern__str(nested, "repo"))
            tern_json_set(&oom, m, "repo",
                          json_string(tern__str(nested, "repo")));
        if (m && json_array_size(ex))
            tern_json_set(&oom, m, "exclusions", json_incref(ex));
        tern_json_set(&oom, o, "maven", m);
    }
    return tern_json_done(oom, o);
}

/* The blocks' libraries in the API's form (new reference). */
static json_t *libs_api(const json_t *blocks)
{
    json_t *a = json_array(), *b;
    size_t i;
    int oom = 0;

    json_array_foreach(blocks, i, b) tern_json_append(&oom, a, lib_api(b));
    return tern_json_done(oom, a);
}

static int lib_in(const json_t *lib, const json_t *list)
{
    json_t *x;
    size_t i;

    json_array_foreach(list, i, x) if (json_equal((json_t *)lib, x)) return 1;
    return 0;
}

/* library: the same set of libraries (the provider hashes each library's
 * string form, so the spelling of a block does not matter). */
static int libs_equiv(int *same, const json_t *a, const json_t *b)
{
    json_t *x = libs_api(a), *y = libs_api(b), *l;
    size_t i;
    int error = x && y ? TERN_OK : TERN_ENOMEM;

    *same = !error;
    json_array_foreach(x, i, l) if (!lib_in(l, y)) *same = 0;
    json_array_foreach(y, i, l) if (!lib_in(l, x)) *same = 0;
    json_decref(x);
    json_decref(y);
    return error;
}

/* ---- schema -------------------------------------------------------------*/

static const tern_attr autoscale_schema[] = {
    {"max_workers", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"min_workers", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr aws_schema[] = {
    {"availability", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"ebs_volume_count", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"ebs_volume_size", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"ebs_volume_type", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"first_on_demand", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"instance_profile_arn", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"spot_bid_price_percent", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"zone_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr pypi_schema[] = {
    {"package", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"repo", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr maven_schema[] = {
    {"coordinates", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"exclusions", TERN_TYPE_LIST_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"repo", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr library_schema[] = {
    {"egg", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"jar", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"maven", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL, maven_schema, 1},
    {"pypi", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL, pypi_schema, 1},
    {"requirements", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"whl", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr schema[] = {
    {"apply_policy_default_values", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_UNREPORTED, NULL, NULL, 0},
    {"autoscale", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL,
     autoscale_schema, 1},
    {"autotermination_minutes", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL,
     NULL, 0},
    {"aws_attributes", TERN_TYPE_BLOCK_LIST,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, aws_equiv, aws_schema, 1},
    {"cluster_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"cluster_name", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"custom_tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"data_security_mode", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"default_tags", TERN_TYPE_MAP_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"driver_node_type_id", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"enable_elastic_disk", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"idempotency_token", TERN_TYPE_STRING,
     TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW | TERN_ATTR_UNREPORTED, NULL,
     NULL, 64},
    {"is_pinned", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"library", TERN_TYPE_BLOCK_SET, TERN_ATTR_OPTIONAL, libs_equiv,
     library_schema, 0},
    {"no_wait", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"node_type_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {"num_workers", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"policy_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"runtime_engine", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"single_user_name", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"spark_conf", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"spark_env_vars", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"spark_version", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"state", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, state_equiv, NULL, 0},
    {"url", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* What the create and edit bodies carry, attribute by attribute. */
static const char *const spec_strings[] = {
    "cluster_name",        "spark_version",      "node_type_id",
    "driver_node_type_id", "data_security_mode", "single_user_name",
    "policy_id",           "runtime_engine",     NULL};
static const char *const spec_maps[] = {"spark_conf", "spark_env_vars",
                                        "custom_tags", NULL};

/* ---- bodies and state ----------------------------------------------------*/

/* The create/edit body from the configuration (new reference). */
static json_t *spec_body(const json_t *desired)
{
    json_t *b = json_object(), *v, *aws, *as;
    size_t i;
    int oom = 0;

    if (!b)
        return NULL;
    for (i = 0; spec_strings[i]; i++)
        if (tern__str(desired, spec_strings[i]))
            tern_json_set(&oom, b, spec_strings[i],
                          json_string(tern__str(desired, spec_strings[i])));
    for (i = 0; spec_maps[i]; i++)
        if (json_object_size(v = json_object_get(desired, spec_maps[i])))
            tern_json_set(&oom, b, spec_maps[i], json_incref(v));
    as = json_array_get(json_object_get(desired, "autoscale"), 0);
    if (as) {
        json_t *o = json_object();

        if (o && json_is_integer(json_object_get(as, "min_workers")))
            tern_json_set(&oom, o, "min_workers",
                          json_incref(json_object_get(as, "min_workers")));
        if (o && json_is_integer(json_object_get(as, "max_workers")))
            tern_json_set(&oom, o, "max_workers",
                          json_incref(json_object_get(as, "max_workers")));
        tern_json_set(&oom, b, "autoscale", o);
    } else {
        /* ForceSendFields = NumWorkers: 0 is sent too. */
        tern_json_set(&oom, b, "num_workers",
                      json_integer(tern__int(desired, "num_workers", 0)));
    }
    if (json_is_integer(json_object_get(desired, "autotermination_minutes")))
        tern_json_set(
            &oom, b, "autotermination_minutes",
            json_incref(json_object_get(desired, "autotermination_minutes")));
    if (json_is_boolean(json_object_get(desired, "enable_elastic_disk")))
        tern_json_set(
            &oom, b, "enable_elastic_disk",
            json_incref(json_object_get(desired, "enable_elastic_disk")));
    if (tern__bool(desired, "apply_policy_default_values", 0))
        tern_json_set(&oom, b, "apply_policy_default_values", json_true());
    aws = json_array_get(json_object_get(desired, "aws_attributes"), 0);
    if (aws) {
        json_t *o = json_object();
        const char *k;

        json_object_foreach(aws, k, v)
        {
            if (unset(v))
                continue;
            tern_json_set(&oom, o, k, json_incref(v));
        }
        tern_json_set(&oom, b, "aws_attributes", o);
    }
    return tern_json_done(oom, b);
}

static json_t *map_or_null(const json_t *v)
{
    return json_object_size(v) ? json_deep_copy(v) : json_null();
}

/* The state from ClusterDetails, with what the API does not report taken
 * from @p cfg (the configuration or the prior state). New reference. */
static json_t *to_state(tern_op *op, const json_t *d, const json_t *cfg,
                        json_t *libs)
{
    json_t *st = json_object(), *aws, *as, *blk;
    const char *id = tern__str(d, "cluster_id");
    const char *host = tern__dbx(op) ? tern_dbx_client_host(tern__dbx(op)) : "";
    char *url = NULL;
    size_t i;
    int oom = 0;

    if (!st)
        return NULL;
    for (i = 0; spec_strings[i]; i++)
        oom |= tern__set_str(st, spec_strings[i],
                             tern__str(d, spec_strings[i])) != 0;
    for (i = 0; spec_maps[i]; i++)
        tern_json_set(&oom, st, spec_maps[i],
                      map_or_null(json_object_get(d, spec_maps[i])));
    tern_json_set(&oom, st, "default_tags",
                  map_or_null(json_object_get(d, "default_tags")));
    oom |= tern__set_str(st, "id", id) != 0;
    oom |= tern__set_str(st, "cluster_id", id) != 0;
    oom |= tern__set_str(st, "state", tern__str(d, "state")) != 0;
    url = tern_asprintf("%s/#setting/clusters/%s/configuration", host,
                        id ? id : "");
    if (!url)
        oom = 1;
    oom |= tern__set_str(st, "url", url) != 0;
    tern_free(url);
    as = json_object_get(d, "autoscale");
    if (as) {
        blk = json_pack("{s:o, s:o}", "max_workers",
                        json_is_integer(json_object_get(as, "max_workers"))
                            ? json_deep_copy(json_object_get(as, "max_workers"))
                            : json_null(),
                        "min_workers",
                        json_is_integer(json_object_get(as, "min_workers"))
                            ? json_deep_copy(json_object_get(as, "min_workers"))
                            : json_null());
        tern_json_set(&oom, st, "autoscale", json_pack("[o]", blk));
        /* The workers an autoscaling cluster runs now are not
         * configuration. */
        tern_json_set(&oom, st, "num_workers", json_integer(0));
    } else {
        tern_json_set(&oom, st, "autoscale", json_array());
        tern_json_set(&oom, st, "num_workers",
                      json_integer(tern__int(d, "num_workers", 0)));
    }
    tern_json_set(&oom, st, "autotermination_minutes",
                  json_integer(tern__int(d, "autotermination_minutes", 0)));
    tern_json_set(&oom, st, "enable_elastic_disk",
                  json_boolean(tern__bool(d, "enable_elastic_disk", 0)));
    aws = json_object_get(d, "aws_attributes");
    if (aws) {
        blk = json_object();
        for (i = 0; aws_schema[i].name; i++) {
            json_t *v = json_object_get(aws, aws_schema[i].name);

            tern_json_set(&oom, blk, aws_schema[i].name,
                          v ? json_deep_copy(v) : json_null());
        }
        tern_json_set(&oom, st, "aws_attributes", json_pack("[o]", blk));
    } else {
        tern_json_set(&oom, st, "aws_attributes", json_array());
    }
    /* Not reported by get: the configuration's (or the prior's). */
    tern_json_set(
        &oom, st, "apply_policy_default_values",
        json_boolean(tern__bool(cfg, "apply_policy_default_values", 0)));
    tern_json_set(&oom, st, "is_pinned",
                  json_boolean(tern__bool(cfg, "is_pinned", 0)));
    tern_json_set(&oom, st, "no_wait",
                  json_boolean(tern__bool(cfg, "no_wait", 0)));
    oom |= tern__set_str(st, "idempotency_token",
                         tern__str(cfg, "idempotency_token")) != 0;
    tern_json_set(&oom, st, "library", libs ? json_incref(libs) : json_array());
    return tern_json_done(oom, st);
}

/* A library in the API's form as a block of the schema (new reference). */
static json_t *lib_block(const json_t *lib)
{
    json_t *b = json_object(), *p;
    int oom = 0;

    if (!b)
        return NULL;
    oom |= tern__set_str(b, "egg", tern__str(lib, "egg")) != 0;
    oom |= tern__set_str(b, "jar", tern__str(lib, "jar")) != 0;
    oom |=
        tern__set_str(b, "requirements", tern__str(lib, "requirements")) != 0;
    oom |= tern__set_str(b, "whl", tern__str(lib, "whl")) != 0;
    p = json_object_get(lib, "pypi");
    tern_json_set(&oom, b, "pypi",
                  p ? json_pack("[{s:o, s:o}]", "package",
                                tern__jstr(tern__str(p, "package")), "repo",
                                tern__jstr(tern__str(p, "repo")))
                    : json_array());
    p = json_object_get(lib, "maven");
    tern_json_set(
        &oom, b, "maven",
        p ? json_pack("[{s:o, s:o, s:o}]", "coordinates",
                      tern__jstr(tern__str(p, "coordinates")), "exclusions",
                      json_array_size(json_object_get(p, "exclusions"))
                          ? json_deep_copy(json_object_get(p, "exclusions"))
                          : json_null(),
                      "repo", tern__jstr(tern__str(p, "repo")))
          : json_array());
    return tern_json_done(oom, b);
}

/* Libraries in the API's form as the state's blocks (new reference), so
 * create and update record what read returns. */
static json_t *lib_blocks(const json_t *api)
{
    json_t *a = json_array(), *l;
    size_t i;
    int oom = 0;

    json_array_foreach(api, i, l) tern_json_append(&oom, a, lib_block(l));
    return tern_json_done(oom, a);
}

/* ---- calls ---------------------------------------------------------------*/

/*
 * GET clusters/get. TERN_ENOTFOUND (no diagnostic) when the cluster does
 * not exist: "Cluster ID does not exist" under any error code, as the
 * provider's wrapMissingClusterError reads it.
 */
static int get_cluster(tern_op *op, const char *id, json_t **out,
                       const char *what)
{
    struct tern_diags local = TERN_DIAGS_INIT;
    char *path = NULL, *gone = NULL;
    int error;

    *out = NULL;
    if (!tern__dbx(op))
        return tern__dbx_call(op, "GET", API "get", NULL, out, 0, what, NULL);
    path = tern_asprintf(API "get?cluster_id=%s", id);
    gone = tern_asprintf("Cluster %s does not exist", id);
    if (!path || !gone) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern_dbx_call(tern__dbx(op), "GET", path, NULL, out, &local);
    if (error == TERN_ENOTFOUND ||
        (error && local.count && local.items[0].detail &&
         strstr(local.items[0].detail, gone))) {
        error = TERN_ENOTFOUND;
        goto done;
    }
    if (error) {
        tern_diags_add(op->diags, TERN_SEV_ERROR, NULL, what, "%s",
                       local.count && local.items[0].detail
                           ? local.items[0].detail
                           : tern_strerror(error));
    }
done:
    tern_diags_release(&local);
    tern_free(path);
    tern_free(gone);
    return error;
}

static int post_id(tern_op *op, const char *endpoint, const char *id,
                   const char *what, unsigned int flags)
{
    json_t *b = json_pack("{s:s}", "cluster_id", id);
    char *path = tern_asprintf("%s%s", API, endpoint);
    int error =
        b && path ? tern__dbx_call(op, "POST", path, b, NULL, flags, what, NULL)
                  : TERN_ENOMEM;

    json_decref(b);
    tern_free(path);
    return error;
}

static int is_state(const json_t *d, const char *s)
{
    const char *st = tern__str(d, "state");

    return st && strcmp(st, s) == 0;
}

/*
 * Poll get until the cluster is RUNNING (*out: its details; when
 * interrupted, TERN_ECANCELED with its last details). A cluster
 * that ends TERMINATED or ERROR (or TERMINATING) fails with the Go SDK's
 * message and Databricks' termination reason.
 */
static int wait_running(tern_op *op, const char *id, json_t **out,
                        const char *what)
{
    long wait = POLL_FIRST_MS, waited = 0;
    json_t *d = NULL;
    int error;

    *out = NULL;
    for (;;) {
        error = get_cluster(op, id, &d, what);
        if (error == TERN_ENOTFOUND)
            return tern__fail(op, TERN_ENOTFOUND, what,
                              "Cluster %s does not exist.", id);
        if (error)
            return error;
        /* The apply's "Still creating... [10s elapsed] (cluster PENDING)" */
        if (tern__str(d, "state")) {
            char *p = tern_asprintf("cluster %s", tern__str(d, "state"));

            tern_op_progress(op, p);
            tern_free(p);
        }
        if (is_state(d, "RUNNING") || is_state(d, "RESIZING")) {
            *out = d;
            return TERN_OK;
        }
        if (is_state(d, "TERMINATED") || is_state(d, "ERROR") ||
            is_state(d, "TERMINATING")) {
            const json_t *r = json_object_get(d, "termination_reason");

            error = tern__fail(
                op, TERN_EINVALID, what,
                "failed to reach RUNNING, got %s: %s (termination reason "
                "%s, type %s)",
                tern__str(d, "state"),
                tern__str(d, "state_message") ? tern__str(d, "state_message")
                                              : "",
                tern__str(r, "code") ? tern__str(r, "code") : "UNKNOWN",
                tern__str(r, "type") ? tern__str(r, "type") : "UNKNOWN");
            json_decref(d);
            return error;
        }
        if (waited >= WAIT_MAX_MS) {
            json_decref(d);
            return tern__fail(op, TERN_ERROR, what,
                              "Cluster %s did not reach RUNNING in 30 "
                              "minutes.",
                              id);
        }
        if ((error = tern_op_wait(op, wait))) {
            /* Interrupted: what the cluster last was, for the state. */
            *out = d;
            return error;
        }
        json_decref(d);
        d = NULL;
        waited += wait;
        wait = wait * 2 > POLL_MAX_MS ? POLL_MAX_MS : wait * 2;
    }
}

/* GET libraries/cluster-status: the library_statuses (new reference). */
static int lib_status(tern_op *op, const char *id, json_t **out,
                      const char *what)
{
    char *path = tern_asprintf(LAPI "cluster-status?cluster_id=%s", id);
    json_t *r = NULL;
    int error;

    *out = NULL;
    if (!path)
        return TERN_ENOMEM;
    error = tern__dbx_call(op, "GET", path, NULL, &r, TERN__RETRY_TRANSIENT,
                           what, NULL);
    tern_free(path);
    if (error)
        return error;
    *out = json_object_get(r, "library_statuses")
               ? json_incref(json_object_get(r, "library_statuses"))
               : json_array();
    json_decref(r);
    return *out ? TERN_OK : TERN_ENOMEM;
}

/* The installed (not uninstalling) libraries as schema blocks. */
static int read_libs(tern_op *op, const char *id, json_t **out,
                     const char *what)
{
    json_t *sts = NULL, *s;
    size_t i;
    int error = lib_status(op, id, &sts, what), oom = 0;

    *out = NULL;
    if (error)
        return error;
    *out = json_array();
    json_array_foreach(sts, i, s)
    {
        const char *st = tern__str(s, "status");

        if (st && strcmp(st, "UNINSTALL_ON_RESTART") == 0)
            continue;
        tern_json_append(&oom, *out, lib_block(json_object_get(s, "library")));
    }
    json_decref(sts);
    *out = tern_json_done(oom, *out);
    return *out ? TERN_OK : TERN_ENOMEM;
}

/* Poll cluster-status until each of @p want is INSTALLED; FAILED (or
 * SKIPPED) fails with the library's messages. */
static int wait_libs(tern_op *op, const char *id, const json_t *want,
                     const char *what)
{
    long wait = POLL_FIRST_MS, waited = 0;
    int error;

    tern_op_progress(op, "installing libraries");
    for (;;) {
        json_t *sts = NULL, *s;
        size_t i, done = 0;

        if ((error = lib_status(op, id, &sts, what)))
            return error;
        json_array_foreach(sts, i, s)
        {
            const char *st = tern__str(s, "status");

            if (!lib_in(json_object_get(s, "library"), want) || !st)
                continue;
            if (strcmp(st, "INSTALLED") == 0) {
                done++;
            } else if (strcmp(st, "FAILED") == 0 ||
                       strcmp(st, "SKIPPED") == 0) {
                char *lib = tern_json_dumps(json_object_get(s, "library"),
                                            JSON_COMPACT | JSON_SORT_KEYS);
                const char *msg = json_string_value(
                    json_array_get(json_object_get(s, "messages"), 0));

                error = tern__fail(op, TERN_EINVALID, what,
                                   "Library %s on cluster %s is %s: %s",
                                   lib ? lib : "?", id, st, msg ? msg : "");
                free(lib); /* Jansson's, from the C allocator */
                json_decref(sts);
                return error;
            }
        }
        json_decref(sts);
        if (done >= json_array_size(want))
            return TERN_OK;
        if (waited >= WAIT_MAX_MS)
            return tern__fail(op, TERN_ERROR, what,
                              "The libraries of cluster %s were not "
                              "installed in 30 minutes.",
                              id);
        if ((error = tern_op_wait(op, wait)))
            return error;
        waited += wait;
        wait = wait * 2 > POLL_MAX_MS ? POLL_MAX_MS : wait * 2;
    }
}

static int libs_call(tern_op *op, const char *endpoint, const char *id,
                     json_t *libs, const char *what)
{
    json_t *b = json_pack("{s:s, s:O}", "cluster_id", id, "libraries", libs);
    char *path = tern_asprintf("%s%s", LAPI, endpoint);
    int error = b && path ? tern__dbx_call(op, "POST", path, b, NULL,
                                           TERN__RETRY_TRANSIENT, what, NULL)
                          : TERN_ENOMEM;

    json_decref(b);
    tern_free(path);
    return error;
}

/* ---- operations ----------------------------------------------------------*/

static int dc_create(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "cluster_name");
    json_t *b = spec_body(desired), *r = NULL, *d = NULL, *libs = NULL,
           *blocks = NULL;
    char *what = tern_asprintf("Cannot create Databricks cluster '%s'",
                               name ? name : "");
    const char *id;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(b);
    TERN_CHECK_ALLOC(what);
    if (tern__str(desired, "idempotency_token") &&
        json_object_set_new(
            b, "idempotency_token",
            json_string(tern__str(desired, "idempotency_token"))) != 0) {
        error = TERN_ENOMEM;
        goto done;
    }
    /* A create that failed on the way may have been applied: sent again
     * only with an idempotency_token, which makes that safe. */
    error = tern__dbx_call(
        op, "POST", API "create", b, &r,
        tern__str(desired, "idempotency_token") ? TERN__RETRY_TRANSIENT : 0,
        what, NULL);
    if (error)
        goto done;
    id = tern__str(r, "cluster_id");
    if (!id) {
        error = tern__fail(op, TERN_ERROR, what,
                           "clusters/create answered without a cluster_id.");
        goto done;
    }
    if (tern__bool(desired, "no_wait", 0)) {
        error = get_cluster(op, id, &d, what);
    } else {
        error = wait_running(op, id, &d, what);
        if (error == TERN_EINVALID) {
            /* It failed to start: leave nothing behind (the error says
             * why, in Databricks' words). */
            post_id(op, "permanent-delete", id, what, TERN__QUIET_NOTFOUND);
            goto done;
        }
    }
    if (error == TERN_ECANCELED && d) {
        /* Interrupted while it starts: the cluster stays (it is the
         * user's to keep or destroy), and its state goes to the engine,
         * which records it, libraries not yet installed. */
        *out = to_state(op, d, desired, NULL);
        goto done;
    }
    if (error)
        goto done;
    if (tern__bool(desired, "is_pinned", 0) &&
        (error = post_id(op, "pin", id, what, TERN__RETRY_TRANSIENT)))
        goto done;
    libs = libs_api(json_object_get(desired, "library"));
    TERN_CHECK_ALLOC(libs);
    if (json_array_size(libs)) {
        if ((error = libs_call(op, "install", id, libs, what)))
            goto done;
        if (!tern__bool(desired, "no_wait", 0) &&
            (error = wait_libs(op, id, libs, what)))
            goto done;
    }
    blocks = lib_blocks(libs);
    TERN_CHECK_ALLOC(blocks);
    *out = to_state(op, d, desired, blocks);
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(blocks);
    json_decref(b);
    json_decref(r);
    json_decref(d);
    json_decref(libs);
    tern_free(what);
    return error;
}

static int read_by_id(json_t **out, tern_op *op, const char *id,
                      const json_t *prior, int with_libs)
{
    json_t *d = NULL, *libs = NULL;
    char *what = tern_asprintf("Cannot read Databricks cluster '%s'", id);
    int error;

    if (!what)
        return TERN_ENOMEM;
    error = get_cluster(op, id, &d, what);
    if (error)
        goto done;
    /* The libraries only when the state has some: the provider's read
     * leaves those added outside alone otherwise. */
    if (with_libs && (error = read_libs(op, id, &libs, what)))
        goto done;
    *out = to_state(op, d, prior, libs);
    if (!*out)
        error = TERN_ENOMEM;
done:
    json_decref(d);
    json_decref(libs);
    tern_free(what);
    return error;
}

static int dc_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *id = tern__str(prior, "id");

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot read cluster",
                          "The state has no cluster id.");
    return read_by_id(out, op, id, prior,
                      json_array_size(json_object_get(prior, "library")) > 0);
}

static int dc_import(json_t **out, tern_op *op, const char *id)
{
    int error = read_by_id(out, op, id, NULL, 0);

    if (error == TERN_ENOTFOUND)
        return tern__fail(op, TERN_ENOTFOUND,
                          "Cannot import Databricks cluster",
                          "Cluster %s does not exist.", id);
    return error;
}

/* Whether anything but library, is_pinned and no_wait changed (the
 * provider's hasClusterConfigChanged); with @p but_size, anything but
 * num_workers and autoscale too (hasOnlyResizeClusterConfigChanged). */
static int config_changed(const json_t *prior, const json_t *desired,
                          int but_size)
{
    static const char *const computed[] = {
        "node_type_id", "driver_node_type_id", "data_security_mode",
        "enable_elastic_disk", NULL};
    json_t *a = spec_body(prior), *b = spec_body(desired);
    const json_t *pa =
        json_array_get(json_object_get(prior, "aws_attributes"), 0);
    size_t i;
    int changed;

    /* What the workspace filled in and the configuration leaves unset is
     * no change (computed), and aws_attributes compare as the plan does
     * (aws_equiv). */
    for (i = 0; a && b && computed[i]; i++)
        if (!json_object_get(b, computed[i]))
            json_object_del(a, computed[i]);
    json_object_del(a, "aws_attributes");
    json_object_del(b, "aws_attributes");
    if (but_size) {
        json_object_del(a, "num_workers");
        json_object_del(a, "autoscale");
        json_object_del(b, "num_workers");
        json_object_del(b, "autoscale");
    }
    changed = !a || !b || !json_equal(a, b) ||
              (pa && !aws_same(json_object_get(prior, "aws_attributes"),
                               json_object_get(desired, "aws_attributes")));
    json_decref(a);
    json_decref(b);
    return changed;
}

/* Append to @out each library of @from that @in lacks; TERN_ENOMEM when
 * one could not be: a library left out would silently not be installed
 * or not removed. */
static int libs_missing(const json_t *from, const json_t *in, json_t *out)
{
    json_t *l;
    size_t i;

    json_array_foreach(from, i, l)
    {
        if (!lib_in(l, in) && json_array_append(out, l) != 0)
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

static int dc_update(json_t **out, tern_op *op, const json_t *prior,
                     const json_t *desired)
{
    const char *id = tern__str(prior, "id");
    json_t *b = NULL, *d = NULL, *have = NULL, *want = NULL, *add = NULL,
           *del = NULL, *r = NULL;
    char *what = NULL;
    int error = TERN_OK, started = 0,
        nowait = tern__bool(desired, "no_wait", 0);

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot update cluster",
                          "The state has no cluster id.");
    what = tern_asprintf("Cannot update Databricks cluster '%s'", id);
    TERN_CHECK_ALLOC(what);
    if ((error = get_cluster(op, id, &d, what))) {
        if (error == TERN_ENOTFOUND)
            error = tern__fail(op, TERN_ENOTFOUND, what,
                               "Cluster %s does not exist.", id);
        goto done;
    }
    if (config_changed(prior, desired, 0) && is_state(d, "RUNNING") &&
        !config_changed(prior, desired, 1)) {
        /* Only the size of a running cluster: resize, which keeps it
         * serving (the provider prefers it for that). */
        json_t *as = NULL;

        b = spec_body(desired);
        TERN_CHECK_ALLOC(b);
        as = json_object_get(b, "autoscale");
        r = as ? json_pack("{s:s, s:O}", "cluster_id", id, "autoscale", as)
               : json_pack("{s:s, s:O}", "cluster_id", id, "num_workers",
                           json_object_get(b, "num_workers"));
        TERN_CHECK_ALLOC(r);
        if ((error = tern__dbx_call(op, "POST", API "resize", r, NULL,
                                    TERN__RETRY_TRANSIENT, what, NULL)))
            goto done;
        json_decref(d);
        if ((error = get_cluster(op, id, &d, what)))
            goto done;
    } else if (config_changed(prior, desired, 0)) {
        /* edit takes a RUNNING or TERMINATED cluster: one still starting
         * is waited for first. */
        if (!is_state(d, "RUNNING") && !is_state(d, "TERMINATED")) {
            json_decref(d);
            if ((error = wait_running(op, id, &d, what)))
                goto done;
        }
        b = spec_body(desired);
        TERN_CHECK_ALLOC(b);
        if (json_object_set_new(b, "cluster_id", json_string(id)) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
        if ((error = tern__dbx_call(op, "POST", API "edit", b, NULL,
                                    TERN__RETRY_TRANSIENT, what, NULL)))
            goto done;
        /* A running cluster restarts with the new configuration. */
        if (is_state(d, "RUNNING") && !nowait) {
            json_decref(d);
            if ((error = wait_running(op, id, &d, what)))
                goto done;
        } else {
            json_decref(d);
            if ((error = get_cluster(op, id, &d, what)))
                goto done;
        }
    }
    if (tern__bool(prior, "is_pinned", 0) !=
            tern__bool(desired, "is_pinned", 0) &&
        (error =
             post_id(op, tern__bool(desired, "is_pinned", 0) ? "pin" : "unpin",
                     id, what, TERN__RETRY_TRANSIENT)))
        goto done;
    want = libs_api(json_object_get(desired, "library"));
    TERN_CHECK_ALLOC(want);
    if (json_array_size(want) ||
        json_array_size(json_object_get(prior, "library"))) {
        json_t *blocks = NULL;

        if ((error = read_libs(op, id, &blocks, what)))
            goto done;
        have = libs_api(blocks);
        json_decref(blocks);
        add = json_array();
        del = json_array();
        TERN_CHECK_ALLOC(have);
        TERN_CHECK_ALLOC(add);
        TERN_CHECK_ALLOC(del);
        if ((error = libs_missing(want, have, add)) ||
            (error = libs_missing(have, want, del)))
            goto done;
        if (json_array_size(add) || json_array_size(del)) {
            if (is_state(d, "TERMINATED")) {
                if ((error =
                         post_id(op, "start", id, what, TERN__RETRY_TRANSIENT)))
                    goto done;
                started = 1;
            }
            if (!is_state(d, "RUNNING")) {
                json_decref(d);
                if ((error = wait_running(op, id, &d, what)))
                    goto done;
            }
            if (json_array_size(del) &&
                (error = libs_call(op, "uninstall", id, del, what)))
                goto done;
            if (json_array_size(add) &&
                (error = libs_call(op, "install", id, add, what)))
                goto done;
            if (json_array_size(add) && (error = wait_libs(op, id, add, what)))
                goto done;
            /* It was terminated: terminated it stays (the provider). */
            if (started) {
                if ((error = post_id(op, "delete", id, what,
                                     TERN__RETRY_TRANSIENT)))
                    goto done;
                json_decref(d);
                if ((error = get_cluster(op, id, &d, what)))
                    goto done;
            }
        }
    }
    {
        json_t *blocks = lib_blocks(want);

        TERN_CHECK_ALLOC(blocks);
        *out = to_state(op, d, desired, blocks);
        json_decref(blocks);
    }
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(b);
    json_decref(r);
    json_decref(d);
    json_decref(have);
    json_decref(want);
    json_decref(add);
    json_decref(del);
    tern_free(what);
    return error;
}

static int dc_delete(tern_op *op, const json_t *prior)
{
    const char *id = tern__str(prior, "id");
    char *what = NULL;
    json_t *d = NULL;
    int error;

    if (!id)
        return tern__fail(op, TERN_EINVALID, "Cannot delete cluster",
                          "The state has no cluster id.");
    what = tern_asprintf("Cannot delete Databricks cluster '%s'", id);
    if (!what)
        return TERN_ENOMEM;
    /* Gone already: nothing to do. */
    error = get_cluster(op, id, &d, what);
    if (error)
        goto done;
    if ((error = post_id(op, "delete", id, what, TERN__RETRY_TRANSIENT)))
        goto done;
    error = post_id(op, "permanent-delete", id, what, TERN__RETRY_TRANSIENT);
done:
    json_decref(d);
    tern_free(what);
    return error == TERN_ENOTFOUND ? TERN_OK : error;
}

/* The cluster an interrupted create made: the one named cluster_name
 * that is not TERMINATED (a failed start is deleted by create). */
static int dc_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    const char *name = tern__str(desired, "cluster_name");
    json_t *r = NULL, *c, *found = NULL, *libs = NULL;
    char *what = NULL;
    size_t i, n = 0;
    int error;

    if (!name)
        return TERN_ENOTFOUND;
    what = tern_asprintf("Cannot look up Databricks cluster '%s'", name);
    if (!what)
        return TERN_ENOMEM;
    error = tern__dbx_call(op, "GET", API "list", NULL, &r,
                           TERN__RETRY_TRANSIENT, what, NULL);
    if (error)
        goto done;
    json_array_foreach(json_object_get(r, "clusters"), i, c)
    {
        const char *cn = tern__str(c, "cluster_name");

        if (!cn || strcmp(cn, name) != 0 || is_state(c, "TERMINATED") ||
            is_state(c, "ERROR"))
            continue;
        found = c;
        n++;
    }
    if (n == 0) {
        error = TERN_ENOTFOUND;
        goto done;
    }
    if (n > 1) {
        error = tern__fail(op, TERN_EEXISTS, what,
                           "%zu clusters named '%s' are running or starting; "
                           "tern cannot tell which one an interrupted create "
                           "made. Import the one to keep: tern import %s "
                           "CLUSTER_ID",
                           n, name, op->address ? op->address : "ADDRESS");
        goto done;
    }
    if (json_array_size(json_object_get(desired, "library")) &&
        (error = read_libs(op, tern__str(found, "cluster_id"), &libs, what)))
        goto done;
    *out = to_state(op, found, desired, libs);
    if (!*out)
        error = TERN_ENOMEM;
done:
    json_decref(r);
    json_decref(libs);
    tern_free(what);
    return error;
}

const tern_module tern_module_databricks_cluster = {TERN_MODULE_VERSION,
                                                    "databricks_cluster",
                                                    TERN_MODULE_RESOURCE,
                                                    "databricks",
                                                    schema,
                                                    dc_read,
                                                    dc_create,
                                                    dc_update,
                                                    dc_delete,
                                                    dc_import,
                                                    dc_lookup};

/* runtime_engine: validation.StringInSlice({"PHOTON", "STANDARD"}) in
 * clusters/resource_cluster.go. */
int tern__dbx_runtime_engine_check(const char *value, char *why,
                                   size_t why_size)
{
    if (strcmp(value, "PHOTON") == 0 || strcmp(value, "STANDARD") == 0)
        return 0;
    snprintf(why, why_size,
             "must be one of \"PHOTON\", \"STANDARD\" (the Databricks "
             "provider: expected runtime_engine to be one of [PHOTON "
             "STANDARD]), not \"%s\".",
             value);
    return 1;
}

/* num_workers: validation.IntAtLeast(0). */
int tern__dbx_num_workers_check(const char *value, char *why, size_t why_size)
{
    if (value[0] != '-')
        return 0;
    snprintf(why, why_size,
             "must be at least 0 (the Databricks provider: expected "
             "num_workers to be at least (0)), not %s.",
             value);
    return 1;
}
