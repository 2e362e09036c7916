/*
 * The Databricks snapshot of a bulk refresh
 * (modules/databricks/databricks_bulk.c), as databricks_instance_profile's read
 * consults it through op->bulk (tern/module.h): the answer of GET
 * /api/2.0/instance-profiles/list, the same call a per-object read makes (the
 * API has no get), so it is complete: a profile not in it is not registered.
 */
#ifndef TERN_MODULES_DATABRICKS_BULK_H
#define TERN_MODULES_DATABRICKS_BULK_H

#include <jansson.h>

/**
 * The workspace's instance profiles: the list's "instance_profiles" array
 * (NULL when none are registered).
 * @param bulk op->bulk (a Databricks snapshot); NULL-safe
 * @return borrowed from the snapshot
 */
const json_t *tern__dbx_bulk_profiles(const void *bulk);

#endif
