/*
 * data "aws_iam_instance_profile": an existing instance profile, by name.
 *
 * Calls: GetInstanceProfile. A profile that does not exist is an error
 * with the service's NoSuchEntity.
 *
 * Quirks, as the provider:
 * - the id is the profile's InstanceProfileId;
 * - role_arn, role_id and role_name are the first role's (a profile
 *   holds at most one), null without one;
 * - create_date is Go's default text of the time (fmt "%v" of a
 *   time.Time): "2024-01-02 03:04:05 +0000 UTC", fractional seconds
 *   only when IAM gives any, not IAM's ISO 8601 text.
 */
#include "iam_common.h"

#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

static const tern_attr schema[] = {
    {"arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"create_date", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"path", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"role_arn", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"role_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"role_name", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/*
 * IAM's "2024-01-02T03:04:05Z" (or with ".123Z") as Go prints a UTC
 * time.Time: "2024-01-02 03:04:05 +0000 UTC", trailing zeros of the
 * fraction dropped. Anything else is kept as IAM gave it.
 */
static json_t *go_time(const char *iso)
{
    char out[64], frac[16] = "";
    size_t n;
    const char *p;

    if (!iso || strlen(iso) < 20 || iso[10] != 'T' || iso[19] == '\0')
        return tern__jstr(iso);
    p = iso + 19;
    if (*p == '.') {
        n = strspn(p + 1, "0123456789");
        if (n == 0 || n > 9 || strcmp(p + 1 + n, "Z") != 0)
            return tern__jstr(iso);
        while (n > 0 && p[n] == '0')
            n--;
        if (n > 0)
            snprintf(frac, sizeof(frac), ".%.*s", (int)n, p + 1);
    } else if (strcmp(p, "Z") != 0) {
        return tern__jstr(iso);
    }
    snprintf(out, sizeof(out), "%.10s %.8s%s +0000 UTC", iso, iso + 11, frac);
    return json_string(out);
}

static int data_profile_read(json_t **out, tern_op *op, const json_t *config)
{
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const tern_xml_node *p, *role;
    const char *name = tern__str(config, "name");
    char *what = NULL;
    int error = TERN_OK;

    if (!name)
        return tern__fail(op, TERN_EINVALID, "Cannot read IAM instance profile",
                          "name is required.");
    what = tern_asprintf("Cannot read IAM instance profile '%s'", name);
    TERN_CHECK_ALLOC(what);
    tern_aws_query_add(&b, "InstanceProfileName", name);
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern__iam_call(op, "GetInstanceProfile", &b, &root, 0, what, NULL);
    if (error)
        goto done;
    p = tern__iam_need(op, root, "GetInstanceProfile",
                       "GetInstanceProfileResult/InstanceProfile",
                       tern__iam_profile_required, what, &error);
    if (p == NULL)
        goto done;
    role = tern_xml_find(p, "Roles/member");
    *out = json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "arn",
                     tern__jstr(tern_xml_text(p, "Arn")), "create_date",
                     go_time(tern_xml_text(p, "CreateDate")), "id",
                     tern__jstr(tern_xml_text(p, "InstanceProfileId")), "name",
                     name, "path", tern__jstr(tern_xml_text(p, "Path")),
                     "role_arn", tern__jstr(tern_xml_text(role, "Arn")),
                     "role_id", tern__jstr(tern_xml_text(role, "RoleId")),
                     "role_name", tern__jstr(tern_xml_text(role, "RoleName")));
    TERN_CHECK_ALLOC(*out);
done:
    tern_xml_free(root);
    tern_buf_release(&b);
    tern_free(what);
    return error;
}

const tern_module tern_module_data_aws_iam_instance_profile = {
    TERN_MODULE_VERSION,
    "aws_iam_instance_profile",
    TERN_MODULE_DATA,
    "aws",
    schema,
    data_profile_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
