/*
 * The bulk read of Databricks for refresh (tern_bulk_op, tern/module.h):
 * one GET /api/2.0/instance-profiles/list serves the reads of every
 * databricks_instance_profile in the state, which would otherwise each
 * make that same call.
 *
 * Calls: GET /api/2.0/instance-profiles/list.
 *
 * Quirks:
 * - list answers {} rather than an empty list when nothing is registered.
 */
#include "databricks_bulk.h"
#include "../aws/iam_common.h"

static const char *const types[] = {"databricks_instance_profile", NULL};

static int bulk_fetch(void **out, tern_op *op)
{
    json_t *list = NULL;
    int error;

    error =
        tern__dbx_call(op, "GET", "/api/2.0/instance-profiles/list", NULL,
                       &list, TERN__RETRY_TRANSIENT,
                       "Cannot list the workspace's instance profiles", NULL);
    if (error) {
        json_decref(list);
        return error;
    }
    *out = list;
    return TERN_OK;
}

static void bulk_free(void *snapshot)
{
    json_decref(snapshot);
}

const json_t *tern__dbx_bulk_profiles(const void *bulk)
{
    return bulk ? json_object_get(bulk, "instance_profiles") : NULL;
}

/* From two objects: with one, a per-object read is the same one call. */
const tern_bulk_op tern_bulk_databricks = {TERN_BULK_OP_VERSION,
                                           "instance-profiles/list",
                                           types,
                                           2,
                                           bulk_fetch,
                                           bulk_free};
