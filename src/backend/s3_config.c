/*
 * The S3 backend's arguments, as JSON (the backend block and its
 * -backend-config, or terraform_remote_state's `config`), into a
 * tern_backend_s3_config.
 */
#include "backend/s3.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* The arguments of Terraform's S3 backend that tern reads, or that change
 * nothing tern does (the skip_* checks, which tern never makes):
 * internal/backend/remote-state/s3/backend.go, ConfigSchema. The one list
 * for the backend block (src/cli/project.c) and terraform_remote_state's
 * `config`. */
const char *const tern_backend_s3_args[] = {
    "access_key",
    "acl",
    "bucket",
    "dynamodb_table",
    "encrypt",
    "key",
    "kms_key_id",
    "max_retries",
    "profile",
    "region",
    "secret_key",
    "shared_config_files",
    "shared_credentials_files",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "skip_requesting_account_id",
    "skip_s3_checksum",
    "token",
    "use_lockfile",
    "use_path_style",
    "workspace_key_prefix",
    NULL,
};
const char *const tern_backend_s3_endpoint_args[] = {"dynamodb", "iam", "s3",
                                                     "sts", NULL};
const char *const tern_backend_s3_assume_role_args[] = {
    "role_arn", "session_name", "external_id", "duration", NULL};

const char *tern_backend_s3_unknown_arg(const json_t *cfg)
{
    const char *k;
    json_t *v;
    size_t i;

    json_object_foreach((json_t *)cfg, k, v)
    {
        if (strcmp(k, "assume_role") == 0 || strcmp(k, "endpoints") == 0)
            continue;
        for (i = 0; tern_backend_s3_args[i]; i++)
            if (strcmp(tern_backend_s3_args[i], k) == 0)
                break;
        if (!tern_backend_s3_args[i])
            return k;
    }
    return NULL;
}

static const char *str(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

static int truthy(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);

    return json_is_true(v) ||
           (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

/* A list of strings as a NULL-terminated array (borrowed strings). */
static const char **strlist(const json_t *v)
{
    const char **out;
    size_t i, n = json_is_array(v) ? json_array_size(v) : 0;

    if (!n)
        return NULL;
    out = tern_calloc(n + 1, sizeof(*out));
    if (!out)
        return NULL;
    for (i = 0; i < n; i++)
        out[i] = json_string_value(json_array_get(v, i));
    return out;
}

/* Parse a Go duration of whole seconds, minutes or hours ("1h", "900s"). */
static long duration_s(const char *s)
{
    char *end = NULL;
    long n;

    if (!s)
        return 0;
    n = strtol(s, &end, 10);
    if (end && strcmp(end, "h") == 0)
        return n * 3600;
    if (end && strcmp(end, "m") == 0)
        return n * 60;
    return n;
}

void tern_backend_s3_config_json(tern_backend_s3_config *c, const json_t *cfg)
{
    const json_t *ep = json_object_get(cfg, "endpoints");
    const json_t *ar = json_object_get(cfg, "assume_role");
    const json_t *mr = json_object_get(cfg, "max_retries");

    c->bucket = str(cfg, "bucket");
    c->key = str(cfg, "key");
    c->region = str(cfg, "region");
    c->workspace_key_prefix = str(cfg, "workspace_key_prefix");
    c->use_lockfile = truthy(cfg, "use_lockfile");
    c->encrypt = truthy(cfg, "encrypt");
    c->kms_key_id = str(cfg, "kms_key_id");
    c->acl = str(cfg, "acl");
    c->endpoint_s3 = str(ep, "s3");
    c->endpoint_sts = str(ep, "sts");
    c->endpoint_iam = str(ep, "iam");
    c->dynamodb_table = str(cfg, "dynamodb_table");
    c->endpoint_dynamodb = str(ep, "dynamodb");
    c->use_path_style = truthy(cfg, "use_path_style");
    c->profile = str(cfg, "profile");
    c->access_key = str(cfg, "access_key");
    c->secret_key = str(cfg, "secret_key");
    c->token = str(cfg, "token");
    c->shared_config_files =
        strlist(json_object_get(cfg, "shared_config_files"));
    c->shared_credentials_files =
        strlist(json_object_get(cfg, "shared_credentials_files"));
    c->assume_role_arn = str(ar, "role_arn");
    c->assume_role_session_name = str(ar, "session_name");
    c->assume_role_external_id = str(ar, "external_id");
    c->assume_role_duration_seconds = duration_s(str(ar, "duration"));
    if (json_is_integer(mr))
        c->max_retries = (int)json_integer_value(mr);
    else if (json_is_number(mr))
        c->max_retries = (int)json_number_value(mr);
    else if (json_is_string(mr))
        c->max_retries = (int)strtol(json_string_value(mr), NULL, 10);
}

void tern_backend_s3_config_release(tern_backend_s3_config *c)
{
    tern_free((void *)c->shared_config_files);
    tern_free((void *)c->shared_credentials_files);
    c->shared_config_files = NULL;
    c->shared_credentials_files = NULL;
}
