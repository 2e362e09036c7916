/*
 * databricks_instance_profile: an AWS instance profile registered with a
 * Databricks workspace, so clusters may use it.
 *
 * Calls (Instance Profiles API 2.0): POST /api/2.0/instance-profiles/add
 * (create), GET .../list (read, import, lookup: the API has no get),
 * POST .../edit (iam_role_arn, is_meta_instance_profile in place),
 * POST .../remove (delete).
 *
 * Quirks:
 * - Unless skip_validation is set, add validates the profile with an EC2
 *   dry run, which fails with DRY_RUN_FAILED "... Invalid IAM Instance
 *   Profile ARN" while IAM has not yet propagated a profile (or its role)
 *   created a moment ago (databricks/terraform-provider-databricks #779,
 *   #1226). That failure is retried with backoff for up to 2 minutes,
 *   instead of asking users to turn validation off.
 * - list answers {} rather than an empty list when nothing is registered.
 * - remove of an ARN that is not registered (RESOURCE_DOES_NOT_EXIST)
 *   counts as deleted.
 * - skip_validation is not reported back: read keeps the state's.
 * - A 500, 502/504 or a dropped connection (which the REST client does
 *   not retry) is retried here; an add or remove that failed that way may
 *   have been applied, so RESOURCE_ALREADY_EXISTS on the retried add is
 *   our own registration (adopted) and RESOURCE_DOES_NOT_EXIST on the
 *   retried remove means it is gone.
 * - Auth errors come with a numeric error_code (401/403), which the client
 *   turns into the code "401"/"403".
 * - In a bulk refresh (databricks_bulk.h) read looks in the one list the
 *   refresh fetched for every profile in the state, without a call.
 */
#include "databricks_bulk.h"
#include "../aws/iam_common.h"

#include "util/alloc.h"

#include <string.h>

#define API "/api/2.0/instance-profiles/"

static const tern_attr schema[] = {
    {"iam_role_arn", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"instance_profile_arn", TERN_TYPE_STRING,
     TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL, NULL, 0},
    {"is_meta_instance_profile", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    /* Never reported back: an import or a read records false, and true
     * configured over it is no change (the provider's DiffSuppressFunc). */
    {"skip_validation", TERN_TYPE_BOOL,
     TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED | TERN_ATTR_UNREPORTED, NULL, NULL,
     0},
    {NULL, 0, 0, NULL, NULL, 0}};

static json_t *state(const char *arn, const char *role, int is_meta, int skip)
{
    return json_pack("{s:s, s:s, s:o, s:b, s:b}", "id", arn,
                     "instance_profile_arn", arn, "iam_role_arn",
                     tern__jstr(role), "is_meta_instance_profile", is_meta,
                     "skip_validation", skip);
}

/* The body of add and edit. */
static json_t *body(const json_t *desired, int with_skip)
{
    json_t *b = json_pack("{s:s, s:b}", "instance_profile_arn",
                          tern__str(desired, "instance_profile_arn"),
                          "is_meta_instance_profile",
                          tern__bool(desired, "is_meta_instance_profile", 0));

    if (b && tern__str(desired, "iam_role_arn") &&
        json_object_set_new(b, "iam_role_arn",
                            json_string(tern__str(desired, "iam_role_arn")))) {
        json_decref(b);
        return NULL;
    }
    if (b && with_skip &&
        json_object_set_new(
            b, "skip_validation",
            json_boolean(tern__bool(desired, "skip_validation", 0)))) {
        json_decref(b);
        return NULL;
    }
    return b;
}

static int dip_create(json_t **out, tern_op *op, const json_t *desired)
{
    const char *arn = tern__str(desired, "instance_profile_arn");
    json_t *b = NULL;
    char *what = NULL;
    size_t ndiags;
    int error = TERN_OK;

    if (!arn)
        return tern__fail(op, TERN_EINVALID, "Cannot register instance profile",
                          "instance_profile_arn is required.");
    what = tern_asprintf("Cannot register instance profile '%s' with "
                         "Databricks",
                         arn);
    TERN_CHECK_ALLOC(what);
    b = body(desired, 1);
    TERN_CHECK_ALLOC(b);
    ndiags = op->diags ? op->diags->count : 0;
    error = tern__dbx_call(op, "POST", API "add", b, NULL,
                           TERN__RETRY_DBX_VALIDATION | TERN__RETRY_TRANSIENT,
                           what, arn);
    if (error == TERN_EEXISTS && (op->diags ? op->diags->count : 0) == ndiags) {
        /* An add that failed on the way (a 500, a dropped connection) was
         * applied after all, and its retry met it: it is ours. */
        error = TERN_OK;
    }
    if (error)
        goto done;
    *out = state(arn, tern__str(desired, "iam_role_arn"),
                 tern__bool(desired, "is_meta_instance_profile", 0),
                 tern__bool(desired, "skip_validation", 0));
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(b);
    tern_free(what);
    return error;
}

static int find(json_t **out, tern_op *op, const char *arn, const json_t *prior,
                int quiet)
{
    json_t *list = NULL, *p;
    const json_t *profiles;
    char *what =
        tern_asprintf("Cannot read Databricks instance profile '%s'", arn);
    size_t i;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(what);
    /* In a bulk refresh the list is already here (databricks_bulk.h). */
    if (op->bulk) {
        profiles = tern__dbx_bulk_profiles(op->bulk);
    } else {
        error = tern__dbx_call(op, "GET", API "list", NULL, &list,
                               TERN__RETRY_TRANSIENT, what, NULL);
        if (error)
            goto done;
        profiles = json_object_get(list, "instance_profiles");
    }
    json_array_foreach(profiles, i, p)
    {
        const char *a = tern__str(p, "instance_profile_arn");

        if (a && strcmp(a, arn) == 0) {
            *out = state(arn, tern__str(p, "iam_role_arn"),
                         tern__bool(p, "is_meta_instance_profile", 0),
                         tern__bool(prior, "skip_validation", 0));
            TERN_CHECK_ALLOC(*out);
            goto done;
        }
    }
    error = quiet ? TERN_ENOTFOUND
                  : tern__fail(op, TERN_ENOTFOUND, what,
                               "The workspace has no instance profile with "
                               "this ARN registered.");
done:
    json_decref(list);
    tern_free(what);
    return error;
}

static int dip_read(json_t **out, tern_op *op, const json_t *prior)
{
    const char *arn = tern__str(prior, "instance_profile_arn");

    if (!arn)
        arn = tern__str(prior, "id");
    if (!arn)
        return tern__fail(op, TERN_EINVALID, "Cannot read instance profile",
                          "The state has no instance_profile_arn.");
    return find(out, op, arn, prior, 1);
}

static int dip_update(json_t **out, tern_op *op, const json_t *prior,
                      const json_t *desired)
{
    const char *arn = tern__str(prior, "instance_profile_arn");
    json_t *b = NULL;
    char *what = NULL;
    int error = TERN_OK;

    if (!arn)
        return tern__fail(op, TERN_EINVALID, "Cannot update instance profile",
                          "The state has no instance_profile_arn.");
    what = tern_asprintf("Cannot update Databricks instance profile '%s'", arn);
    TERN_CHECK_ALLOC(what);
    b = body(desired, 0);
    TERN_CHECK_ALLOC(b);
    if (json_object_set_new(b, "instance_profile_arn", json_string(arn))) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__dbx_call(op, "POST", API "edit", b, NULL,
                           TERN__RETRY_TRANSIENT, what, NULL);
    if (error)
        goto done;
    *out = state(arn, tern__str(desired, "iam_role_arn"),
                 tern__bool(desired, "is_meta_instance_profile", 0),
                 tern__bool(desired, "skip_validation", 0));
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(b);
    tern_free(what);
    return error;
}

static int dip_delete(tern_op *op, const json_t *prior)
{
    const char *arn = tern__str(prior, "instance_profile_arn");
    json_t *b = NULL;
    char *what = NULL;
    int error = TERN_OK;

    if (!arn)
        arn = tern__str(prior, "id");
    if (!arn)
        return tern__fail(op, TERN_EINVALID, "Cannot remove instance profile",
                          "The state has no instance_profile_arn.");
    what = tern_asprintf("Cannot remove instance profile '%s' from Databricks",
                         arn);
    TERN_CHECK_ALLOC(what);
    b = json_pack("{s:s}", "instance_profile_arn", arn);
    TERN_CHECK_ALLOC(b);
    error = tern__dbx_call(op, "POST", API "remove", b, NULL,
                           TERN__QUIET_NOTFOUND | TERN__RETRY_TRANSIENT, what,
                           NULL);
    if (error == TERN_ENOTFOUND)
        error = TERN_OK;
done:
    json_decref(b);
    tern_free(what);
    return error;
}

static int dip_import(json_t **out, tern_op *op, const char *id)
{
    return find(out, op, id, NULL, 0);
}

static int dip_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    return dip_read(out, op, desired);
}

const tern_module tern_module_databricks_instance_profile = {
    TERN_MODULE_VERSION,
    "databricks_instance_profile",
    TERN_MODULE_RESOURCE,
    "databricks",
    schema,
    dip_read,
    dip_create,
    dip_update,
    dip_delete,
    dip_import,
    dip_lookup};
