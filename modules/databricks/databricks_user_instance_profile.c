/*
 * databricks_user_instance_profile: an instance profile a user may launch
 * clusters with.
 *
 * Calls (SCIM 2.0): PATCH /api/2.0/preview/scim/v2/Users/{id} to add and
 * remove, GET .../Users/{id}?attributes=roles to read and import; the rules
 * are databricks_scim.c's (the provider's
 * aws/resource_user_instance_profile.go).
 */
#include "databricks_scim.h"

static const struct tern__dbx_pair pair = {
    "databricks_user_instance_profile", "Users", "user_id",
    "instance_profile_id", "instance profile"};

static const tern_attr schema[] = {
    {"user_id", TERN_TYPE_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"instance_profile_id", TERN_TYPE_STRING,
     TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int m_read(json_t **out, tern_op *op, const json_t *prior)
{
    return tern__dbx_pair_read(&pair, out, op, prior);
}

static int m_create(json_t **out, tern_op *op, const json_t *desired)
{
    return tern__dbx_pair_create(&pair, out, op, desired);
}

static int m_delete(tern_op *op, const json_t *prior)
{
    return tern__dbx_pair_delete(&pair, op, prior);
}

static int m_import(json_t **out, tern_op *op, const char *id)
{
    return tern__dbx_pair_import(&pair, out, op, id);
}

const tern_module tern_module_databricks_user_instance_profile = {
    TERN_MODULE_VERSION,
    "databricks_user_instance_profile",
    TERN_MODULE_RESOURCE,
    "databricks",
    schema,
    m_read,
    m_create,
    NULL,
    m_delete,
    m_import,
    m_read};
