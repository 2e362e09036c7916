/*
 * The Databricks provider (tern/provider.h): `provider "databricks" {}`,
 * source databricks/databricks, and databrickslabs/databricks, the
 * address it was published under before (the same provider; older
 * configurations still name it). configure makes the workspace's REST
 * client (src/databricks/client.c: host and token from the block, else
 * DATABRICKS_HOST / DATABRICKS_TOKEN, else a profile of
 * ~/.databrickscfg). Its bulk read lists the instance profiles
 * (databricks_bulk.c).
 */
#include "../aws/iam_common.h"

#include "tern/clock.h"
#include "tern/provider.h"

/* The provider release whose behaviour the Databricks modules follow. */
#define DATABRICKS_PROVIDER_IMPLEMENTS "1.84.0"

static const tern_attr schema[] = {
    {"config_file", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"host", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"profile", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"token", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int dbx_configure(void **client, const tern_provider_env *env,
                         json_t *settings, struct tern_diags *diags)
{
    tern_dbx_config dc = TERN_DBX_CONFIG_INIT;
    tern_dbx_client *c = NULL;
    int error;

    *client = NULL;
    dc.host = jstr(settings, "host");
    dc.token = jstr(settings, "token");
    dc.profile = jstr(settings, "profile");
    dc.config_file = jstr(settings, "config_file");
    dc.cancel = env->cancel;
    dc.stop = env->stop;
    dc.clock = env->clock;
    dc.defer_auth = 1;
    tern__propagation_timeout_read();
    if ((error = tern_dbx_client_new(&c, &dc, env->http, diags)))
        return error;
    *client = c;
    return TERN_OK;
}

static void dbx_free(void *client)
{
    tern_dbx_client_free(client);
}

extern const tern_bulk_op tern_bulk_databricks;

static const tern_bulk_op *const bulk_ops[] = {&tern_bulk_databricks, NULL};

static const char *const sources[] = {"databricks/databricks",
                                      "databrickslabs/databricks", NULL};

const tern_provider tern_provider_databricks = {TERN_PROVIDER_VERSION,
                                                "databricks",
                                                sources,
                                                DATABRICKS_PROVIDER_IMPLEMENTS,
                                                schema,
                                                dbx_configure,
                                                dbx_free,
                                                bulk_ops,
                                                "Databricks"};
