/*
 * What the Databricks modules that use the SCIM API share: the pair
 * resources (databricks_group_instance_profile, databricks_user_instance_
 * profile, databricks_group_role), whose id is "<principal id>|<value>"
 * (the provider's common.NewPairID), and the SCIM calls they make.
 */
#ifndef TERN_MODULES_DATABRICKS_SCIM_H
#define TERN_MODULES_DATABRICKS_SCIM_H

#include <jansson.h>

#include "tern/module.h"

#define TERN__SCIM "/api/2.0/preview/scim/v2/"

/** One pair resource: its type and the names of its two attributes. */
struct tern__dbx_pair {
    const char *type;       /* "databricks_group_role" */
    const char *collection; /* "Groups" or "Users" */
    const char *left;       /* "group_id" or "user_id" */
    const char *right;      /* "role" or "instance_profile_id" */
    const char *noun;       /* "role", "instance profile" */
};

/* The operations of a pair resource, parameterised by @p p. */
int tern__dbx_pair_read(const struct tern__dbx_pair *p, json_t **out,
                        tern_op *op, const json_t *prior);
int tern__dbx_pair_create(const struct tern__dbx_pair *p, json_t **out,
                          tern_op *op, const json_t *desired);
int tern__dbx_pair_delete(const struct tern__dbx_pair *p, tern_op *op,
                          const json_t *prior);
int tern__dbx_pair_import(const struct tern__dbx_pair *p, json_t **out,
                          tern_op *op, const char *id);

/** Append @p s percent-encoded (RFC 3986 unreserved kept) to a new string
 *  "prefix<encoded>" (caller frees with tern_free). */
char *tern__dbx_query(const char *prefix, const char *s);

/** Whether the complex values at @p attr of @p obj hold @p value. */
int tern__scim_has_value(const json_t *obj, const char *attr,
                         const char *value);

/** databricks_group's display_name: not "users" or "admins" (the
 *  provider's StringNotInSlice; a tern_check_fn). */
int tern__dbx_group_name_check(const char *value, char *why, size_t why_size);

#endif
