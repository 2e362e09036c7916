/*
 * data databricks_current_user: the user (or service principal) the
 * provider's token belongs to, as the provider's scim/data_current_user.go
 * describes it.
 *
 * Calls (SCIM 2.0): GET /api/2.0/preview/scim/v2/Me.
 *
 * Results: id, user_name, home "/Users/<user_name>", repos
 * "/Repos/<user_name>", alphanumeric (the part of user_name before "@",
 * each non-word character replaced by "_", lower-cased), external_id,
 * workspace_url (the provider's host), acl_principal_id
 * ("servicePrincipals/<user_name>" when user_name is a UUID, else
 * "users/<user_name>").
 */
#include "../aws/iam_common.h"
#include "databricks/client.h"

#include "util/alloc.h"

#include <ctype.h>
#include <string.h>

static const tern_attr schema[] = {
    {"acl_principal_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"alphanumeric", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"external_id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"home", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"repos", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"user_name", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"workspace_url", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* common.StringIsUUID: 8-4-4-4-12 hex digits. */
static int is_uuid(const char *s)
{
    size_t i;

    if (strlen(s) != 36)
        return 0;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int me_read(json_t **out, tern_op *op, const json_t *cfg)
{
    json_t *me = NULL;
    const char *user, *id;
    char *home = NULL, *repos = NULL, *alnum = NULL, *acl = NULL, *at;
    size_t i;
    int error;

    (void)cfg;
    error = tern__dbx_call(op, "GET", "/api/2.0/preview/scim/v2/Me", NULL, &me,
                           TERN__RETRY_TRANSIENT,
                           "Cannot read the current Databricks user", NULL);
    if (error)
        return error;
    user = tern__str(me, "userName");
    id = tern__str(me, "id");
    if (!user || !id) {
        error = tern__fail(
            op, TERN_ERROR, "Cannot read the current Databricks user",
            "SCIM Me answered without %s.", user ? "an id" : "a userName");
        goto done;
    }
    home = tern_asprintf("/Users/%s", user);
    repos = tern_asprintf("/Repos/%s", user);
    acl = tern_asprintf("%s/%s", is_uuid(user) ? "servicePrincipals" : "users",
                        user);
    alnum = tern_strdup(user);
    TERN_CHECK_ALLOC(home);
    TERN_CHECK_ALLOC(repos);
    TERN_CHECK_ALLOC(acl);
    TERN_CHECK_ALLOC(alnum);
    if ((at = strchr(alnum, '@')))
        *at = '\0';
    /* Go's \W: anything but [0-9A-Za-z_], one "_" for each character
     * (a UTF-8 sequence is one), then lower case. */
    {
        size_t o = 0;

        for (i = 0; alnum[i]; i++) {
            unsigned char c = (unsigned char)alnum[i];

            if ((c & 0xC0) == 0x80)
                continue;
            alnum[o++] =
                c < 0x80 && (isalnum(c) || c == '_') ? (char)tolower(c) : '_';
        }
        alnum[o] = '\0';
    }
    *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "id", id,
                     "user_name", user, "home", home, "repos", repos,
                     "alphanumeric", alnum, "acl_principal_id", acl,
                     "external_id", tern__jstr(tern__str(me, "externalId")),
                     "workspace_url", tern_dbx_client_host(tern__dbx(op)));
    TERN_CHECK_ALLOC(*out);
done:
    json_decref(me);
    tern_free(home);
    tern_free(repos);
    tern_free(alnum);
    tern_free(acl);
    return error;
}

const tern_module tern_module_data_databricks_current_user = {
    TERN_MODULE_VERSION,
    "databricks_current_user",
    TERN_MODULE_DATA,
    "databricks",
    schema,
    me_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
