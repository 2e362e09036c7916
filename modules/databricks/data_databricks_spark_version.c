/*
 * data databricks_spark_version: the Databricks Runtime version that
 * matches the filters, as the provider's clusters/data_spark_version.go
 * picks it.
 *
 * Calls: GET /api/2.1/clusters/spark-versions ({"versions": [{"key",
 * "name"}]}).
 *
 * Selection (LatestSparkVersion): a version's key must contain
 * "-scala<scala>" (default 2.12) and not "apache-spark-"; "-ml-", "-hls-"
 * (genomics), "-gpu-", "-photon-" and "-aarch64-" (graviton) in the key,
 * and "Beta" in the name, must each be present exactly when the filter is
 * true; long_term_support also needs "LTS" in the name or "-esr-" in the
 * key; spark_version needs "Apache Spark <v>" in the name. No match is
 * "spark versions query returned no results. Please change your search
 * criteria and try again"; several with latest = false is "... returned
 * multiple results ..."; with latest (the default) the highest
 * "<major>.<minor>" of the key (^(\d+\.\d+)\.x-) wins, compared as semver.
 */
#include "../aws/iam_common.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static const tern_attr schema[] = {
    {"beta", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"genomics", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"gpu", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL,
     0},
    {"graviton", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"latest", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"long_term_support", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"ml", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL, NULL,
     0},
    {"photon", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"scala", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED, NULL,
     NULL, 0},
    {"spark_version", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED,
     NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* "<major>.<minor>" of a key as numbers; 0 when the key has none (the
 * provider's extractDbrVersions, then semver, where an invalid version
 * sorts below every valid one). */
static int dbr(const char *key, long *major, long *minor)
{
    char *end;

    if (*key < '0' || *key > '9')
        return 0;
    *major = strtol(key, &end, 10);
    if (*end != '.' || end[1] < '0' || end[1] > '9')
        return 0;
    *minor = strtol(end + 1, &end, 10);
    return strncmp(end, ".x-", 3) == 0;
}

/* Whether a is a higher version than b. */
static int higher(const char *a, const char *b)
{
    long amaj = 0, amin = 0, bmaj = 0, bmin = 0;
    int va = dbr(a, &amaj, &amin), vb = dbr(b, &bmaj, &bmin);

    if (va != vb)
        return va > vb;
    return amaj != bmaj ? amaj > bmaj : amin > bmin;
}

static int has(const char *s, const char *part)
{
    return s && strstr(s, part) != NULL;
}

static int sv_read(json_t **out, tern_op *op, const json_t *cfg)
{
    int lts = tern__bool(cfg, "long_term_support", 0);
    int beta = tern__bool(cfg, "beta", 0);
    int latest = tern__bool(cfg, "latest", 1);
    int ml = tern__bool(cfg, "ml", 0),
        genomics = tern__bool(cfg, "genomics", 0);
    int gpu = tern__bool(cfg, "gpu", 0), photon = tern__bool(cfg, "photon", 0);
    int graviton = tern__bool(cfg, "graviton", 0);
    const char *scala =
        tern__str(cfg, "scala") ? tern__str(cfg, "scala") : "2.12";
    const char *spark = tern__str(cfg, "spark_version");
    const char *what = "Cannot select a Databricks Runtime version";
    const char *best = NULL;
    char scala_part[64], spark_part[128];
    json_t *list = NULL;
    const json_t *v;
    size_t i, matches = 0;
    int error;

    snprintf(scala_part, sizeof(scala_part), "-scala%s", scala);
    snprintf(spark_part, sizeof(spark_part), "Apache Spark %s",
             spark ? spark : "");
    error = tern__dbx_call(op, "GET", "/api/2.1/clusters/spark-versions", NULL,
                           &list, TERN__RETRY_TRANSIENT, what, NULL);
    if (error)
        return error;
    json_array_foreach(json_object_get(list, "versions"), i, v)
    {
        const char *key = tern__str(v, "key"), *name = tern__str(v, "name");

        if (!key || !has(key, scala_part) || has(key, "apache-spark-") ||
            has(key, "-ml-") != ml || has(key, "-hls-") != genomics ||
            has(key, "-gpu-") != gpu || has(key, "-photon-") != photon ||
            has(key, "-aarch64-") != graviton || has(name, "Beta") != beta)
            continue;
        if (lts && !has(name, "LTS") && !has(key, "-esr-"))
            continue;
        if (spark && !has(name, spark_part))
            continue;
        matches++;
        if (!best || higher(key, best))
            best = key;
    }
    if (matches == 0 || (matches > 1 && !latest)) {
        error = tern__fail(op, TERN_ENOTFOUND, what,
                           "spark versions query returned %s results. Please "
                           "change your search criteria and try again",
                           matches ? "multiple" : "no");
        goto done;
    }
    *out = json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:s, "
                     "s:o}",
                     "id", best, "beta", beta, "genomics", genomics, "gpu", gpu,
                     "graviton", graviton, "latest", latest,
                     "long_term_support", lts, "ml", ml, "photon", photon,
                     "scala", scala, "spark_version", tern__jstr(spark));
    if (!*out)
        error = TERN_ENOMEM;
done:
    json_decref(list);
    return error;
}

const tern_module tern_module_data_databricks_spark_version = {
    TERN_MODULE_VERSION,
    "databricks_spark_version",
    TERN_MODULE_DATA,
    "databricks",
    schema,
    sv_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
