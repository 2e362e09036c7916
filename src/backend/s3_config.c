/*
 * The S3 backend's arguments, as JSON (the backend block and its
 * -backend-config, or terraform_remote_state's `config`), into a
 * tern_backend_s3_config.
 */
#include "backend/s3.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"

/* The arguments of Terraform's S3 backend that tern reads, or that change
 * nothing tern does (the skip_* checks, which tern never makes):
 * internal/backend/remote-state/s3/backend.go, ConfigSchema. The one list
 * for the backend block (src/cli/project.c) and terraform_remote_state's
 * `config`. */
const char *const tern_backend_s3_args[] = {
    "access_key",
    "acl",
    "allowed_account_ids",
    "bucket",
    "custom_ca_bundle",
    "dynamodb_endpoint",
    "dynamodb_table",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "encrypt",
    "endpoint",
    "forbidden_account_ids",
    "force_path_style",
    "http_proxy",
    "https_proxy",
    "iam_endpoint",
    "insecure",
    "key",
    "kms_key_id",
    "max_retries",
    "no_proxy",
    "profile",
    "region",
    "retry_mode",
    "secret_key",
    "shared_config_files",
    "shared_credentials_file",
    "shared_credentials_files",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "skip_requesting_account_id",
    "skip_s3_checksum",
    "sse_customer_key",
    "sts_endpoint",
    "sts_region",
    "token",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
    "use_lockfile",
    "use_path_style",
    "workspace_key_prefix",
    NULL,
};
const char *const tern_backend_s3_endpoint_args[] = {"dynamodb", "iam", "s3",
                                                     "sso",      "sts", NULL};
const char *const tern_backend_s3_assume_role_args[] = {
    "role_arn", "session_name", "external_id", "duration", NULL};
const char *const tern_backend_s3_web_identity_args[] = {
    "role_arn",
    "duration",
    "policy",
    "policy_arns",
    "session_name",
    "web_identity_token",
    "web_identity_token_file",
    NULL};

/* The deprecated arguments and what replaces each (backend.go,
 * PrepareConfig: endpointFields, force_path_style,
 * shared_credentials_file, dynamodb_table). A NULL @c top is a
 * replacement that may be set beside the deprecated argument. */
const struct tern_backend_s3_deprecated tern_backend_s3_deprecated_args[] = {
    {"dynamodb_endpoint", "endpoints.dynamodb", "endpoints", "dynamodb"},
    /* Terraform 1.11: S3-native locking replaces the table; the two may
     * be set together while moving from one to the other. */
    {"dynamodb_table", "use_lockfile", NULL, NULL},
    {"endpoint", "endpoints.s3", "endpoints", "s3"},
    {"force_path_style", "use_path_style", "use_path_style", NULL},
    {"iam_endpoint", "endpoints.iam", "endpoints", "iam"},
    {"shared_credentials_file", "shared_credentials_files",
     "shared_credentials_files", NULL},
    {"sts_endpoint", "endpoints.sts", "endpoints", "sts"},
    {NULL, NULL, NULL, NULL},
};

const char *tern_backend_s3_unknown_arg(const json_t *cfg)
{
    const char *k;
    json_t *v;
    size_t i;

    json_object_foreach((json_t *)cfg, k, v)
    {
        if (strcmp(k, "assume_role") == 0 || strcmp(k, "endpoints") == 0 ||
            strcmp(k, "assume_role_with_web_identity") == 0)
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

static int is_set(const json_t *cfg, const char *name);

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

/* A non-empty environment variable's value, else NULL. */
static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

/* backend.go, Configure: an endpoint's retrievers after the arguments,
 * AWS_ENDPOINT_URL_<SERVICE> (which the client reads itself: aws/core.h)
 * and then the deprecated AWS_<SERVICE>_ENDPOINT. */
static const char *endpoint_env(const char *configured, const char *current,
                                const char *deprecated)
{
    if (configured || env(current))
        return configured;
    return env(deprecated);
}

const struct tern_backend_s3_env_deprecated
    tern_backend_s3_env_deprecated_vars[] = {
        {"AWS_DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"},
        {"AWS_IAM_ENDPOINT", "AWS_ENDPOINT_URL_IAM"},
        {"AWS_METADATA_URL", "AWS_EC2_METADATA_SERVICE_ENDPOINT"},
        {"AWS_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3"},
        {"AWS_STS_ENDPOINT", "AWS_ENDPOINT_URL_STS"},
        {NULL, NULL},
};

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
    /* backend.go, Configure: endpoints.X, then the deprecated X_endpoint
     * (the environment is the client's: aws/core.h). */
    c->endpoint_s3 = str(ep, "s3") ? str(ep, "s3") : str(cfg, "endpoint");
    c->endpoint_sts =
        str(ep, "sts") ? str(ep, "sts") : str(cfg, "sts_endpoint");
    c->endpoint_iam =
        str(ep, "iam") ? str(ep, "iam") : str(cfg, "iam_endpoint");
    c->dynamodb_table = str(cfg, "dynamodb_table");
    c->endpoint_dynamodb = str(ep, "dynamodb") ? str(ep, "dynamodb")
                                               : str(cfg, "dynamodb_endpoint");
    c->endpoint_s3 =
        endpoint_env(c->endpoint_s3, "AWS_ENDPOINT_URL_S3", "AWS_S3_ENDPOINT");
    c->endpoint_sts = endpoint_env(c->endpoint_sts, "AWS_ENDPOINT_URL_STS",
                                   "AWS_STS_ENDPOINT");
    c->endpoint_iam = endpoint_env(c->endpoint_iam, "AWS_ENDPOINT_URL_IAM",
                                   "AWS_IAM_ENDPOINT");
    c->endpoint_dynamodb =
        endpoint_env(c->endpoint_dynamodb, "AWS_ENDPOINT_URL_DYNAMODB",
                     "AWS_DYNAMODB_ENDPOINT");
    c->use_path_style = is_set(cfg, "use_path_style")
                            ? truthy(cfg, "use_path_style")
                            : truthy(cfg, "force_path_style");
    c->sts_region = str(cfg, "sts_region");
    c->skip_requesting_account_id = truthy(cfg, "skip_requesting_account_id");
    c->retry_mode = str(cfg, "retry_mode");
    c->custom_ca_bundle = str(cfg, "custom_ca_bundle");
    c->insecure = truthy(cfg, "insecure");
    c->http_proxy = str(cfg, "http_proxy");
    c->https_proxy = str(cfg, "https_proxy");
    c->no_proxy = str(cfg, "no_proxy");
    c->sse_customer_key = str(cfg, "sse_customer_key");
    c->allowed_account_ids =
        strlist(json_object_get(cfg, "allowed_account_ids"));
    c->forbidden_account_ids =
        strlist(json_object_get(cfg, "forbidden_account_ids"));
    c->profile = str(cfg, "profile");
    c->access_key = str(cfg, "access_key");
    c->secret_key = str(cfg, "secret_key");
    c->token = str(cfg, "token");
    c->shared_config_files =
        strlist(json_object_get(cfg, "shared_config_files"));
    c->shared_credentials_files =
        strlist(json_object_get(cfg, "shared_credentials_files"));
    if (!c->shared_credentials_files && str(cfg, "shared_credentials_file")) {
        const char **one = tern_calloc(2, sizeof(*one));

        if (one)
            one[0] = str(cfg, "shared_credentials_file");
        c->shared_credentials_files = one;
    }
    /* backend.go, Configure: the argument, then
     * AWS_EC2_METADATA_SERVICE_ENDPOINT (which the credentials read
     * themselves), then the deprecated AWS_METADATA_URL. */
    c->imds_endpoint =
        endpoint_env(str(cfg, "ec2_metadata_service_endpoint"),
                     "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_METADATA_URL");
    c->imds_endpoint_mode = str(cfg, "ec2_metadata_service_endpoint_mode");
    c->imds_disabled = !is_set(cfg, "skip_metadata_api_check")  ? 0
                       : truthy(cfg, "skip_metadata_api_check") ? 1
                                                                : -1;
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
    tern_free((void *)c->allowed_account_ids);
    tern_free((void *)c->forbidden_account_ids);
    c->shared_config_files = NULL;
    c->shared_credentials_files = NULL;
    c->allowed_account_ids = NULL;
    c->forbidden_account_ids = NULL;
}

/* The set members of a list argument (NULL when unset or empty). */
static int set_nonempty(const json_t *cfg, const char *name)
{
    const json_t *v = json_object_get(cfg, name);

    return v && !json_is_null(v) &&
           (!json_is_array(v) || json_array_size(v) > 0);
}

static int is_set(const json_t *cfg, const char *name)
{
    const json_t *v = json_object_get(cfg, name);

    return v && !json_is_null(v);
}

/* Go's base64.StdEncoding.DecodeString verdict: the offset of the first
 * byte it refuses, or -1 when @p s decodes. */
static long base64_bad_at(const char *s)
{
    size_t len = strlen(s), i;

    for (i = 0; i < len; i++) {
        char ch = s[i];
        int pad_ok = ch == '=' && len % 4 == 0 &&
                     (i == len - 1 || (i == len - 2 && s[len - 1] == '='));

        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' || pad_ok))
            return (long)i;
    }
    return len % 4 ? (long)(len - len % 4) : -1;
}

static void conflict(const json_t *cfg, const char *a, const char *b,
                     tern_backend_s3_report fn, void *ud, int *errors)
{
    char detail[160];

    if (!is_set(cfg, a) || !is_set(cfg, b))
        return;
    /* validate.go, validateAttributesConflict */
    snprintf(detail, sizeof(detail), "Only one of %s, %s can be set.", a, b);
    fn(ud, TERN_SEV_ERROR, b, "Invalid Attribute Combination", detail);
    (*errors)++;
}

/* The deprecated arguments: Terraform's warning, and its error when the
 * replacement is set too (backend.go, PrepareConfig). */
static void check_deprecated(const json_t *cfg, tern_backend_s3_report fn,
                             void *ud, int *errors)
{
    const struct tern_backend_s3_deprecated *d;
    char detail[256];

    for (d = tern_backend_s3_deprecated_args; d->name; d++) {
        const json_t *r = d->top ? json_object_get(cfg, d->top) : NULL;
        int both;

        if (!is_set(cfg, d->name))
            continue;
        both = !d->top     ? 0
               : d->nested ? is_set(r, d->nested)
                           : is_set(cfg, d->top);
        if (both && !d->nested)
            conflict(cfg, d->name, d->top, fn, ud, errors);
        snprintf(detail, sizeof(detail),
                 "The parameter \"%s\" is deprecated. Use parameter \"%s\" "
                 "instead.",
                 d->name, d->replacement);
        fn(ud, TERN_SEV_WARNING, d->name, "Deprecated Parameter", detail);
        if (both && d->nested) {
            snprintf(detail, sizeof(detail),
                     "The parameters \"%s\" and \"%s\" cannot be configured "
                     "together.",
                     d->name, d->replacement);
            fn(ud, TERN_SEV_ERROR, d->name, "Conflicting Parameters", detail);
            (*errors)++;
        }
    }
}

/* use_fips_endpoint, use_dualstack_endpoint: tern knows no FIPS or
 * dual-stack host names, so true is taken only where Terraform would not
 * use one either, every endpoint the backend calls being configured
 * (backend.go hands a configured endpoint to the SDK as it is). */
static void check_variant(const json_t *cfg, const char *name, const char *var,
                          const char *what, tern_backend_s3_report fn, void *ud,
                          int *errors)
{
    const json_t *ep = json_object_get(cfg, "endpoints");
    const char *missing = NULL;
    char detail[640], set[96];

    /* backend.go, boolAttrDefaultEnvVarOk: the argument, else any
     * non-empty value of the variable (even "false") is true. */
    if (is_set(cfg, name) ? !truthy(cfg, name) : !env(var))
        return;
    if (is_set(cfg, name))
        snprintf(set, sizeof(set), "%s = true", name);
    else
        snprintf(set, sizeof(set), "%s set", var);
    if (!str(ep, "s3") && !str(cfg, "endpoint"))
        missing = "endpoints.s3";
    else if (str(cfg, "dynamodb_table") && !str(ep, "dynamodb") &&
             !str(cfg, "dynamodb_endpoint"))
        missing = "endpoints.dynamodb";
    else if ((is_set(cfg, "assume_role") ||
              set_nonempty(cfg, "allowed_account_ids") ||
              set_nonempty(cfg, "forbidden_account_ids")) &&
             !str(ep, "sts") && !str(cfg, "sts_endpoint"))
        missing = "endpoints.sts";
    if (!missing)
        return;
    snprintf(detail, sizeof(detail),
             "tern does not resolve AWS's %s endpoints. With %s, set %s to "
             "the %s endpoint to use (Terraform then uses a configured "
             "endpoint as it is), or %s %s.",
             what, set, missing, what, is_set(cfg, name) ? "remove" : "unset",
             is_set(cfg, name) ? name : var);
    fn(ud, TERN_SEV_ERROR, name, "Unsupported endpoint variant", detail);
    (*errors)++;
}

/* Go's url.Parse found a scheme and a host (validate.go,
 * validateStringValidURL). */
static int url_has_scheme_host(const char *s)
{
    const char *p = s;

    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
           (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (strncmp(p, "://", 3) != 0)
        return 0;
    p += 3;
    if (strchr(p, '@') && strcspn(p, "@") < strcspn(p, "/?#"))
        p += strcspn(p, "@") + 1;
    return *p && strchr("/?#:", *p) == NULL;
}

/* ec2_metadata_service_endpoint and its mode (backend.go, PrepareConfig:
 * validateStringValidURL; validateStringInSlice of aws-sdk-go-base's
 * EC2MetadataEndpointMode_Values). */
static void check_imds(const json_t *cfg, tern_backend_s3_report fn, void *ud,
                       int *errors)
{
    const char *e = str(cfg, "ec2_metadata_service_endpoint");
    const char *mode = str(cfg, "ec2_metadata_service_endpoint_mode");
    char detail[512];

    if (e && !url_has_scheme_host(e)) {
        snprintf(detail, sizeof(detail),
                 "The value must be a valid URL containing at least a scheme "
                 "and hostname. Had \"%s\"",
                 e);
        fn(ud, TERN_SEV_ERROR, "ec2_metadata_service_endpoint", "Invalid Value",
           detail);
        (*errors)++;
    }
    if (mode && strcmp(mode, "IPv4") != 0 && strcmp(mode, "IPv6") != 0) {
        fn(ud, TERN_SEV_ERROR, "ec2_metadata_service_endpoint_mode",
           "Invalid Value", "Value must be one of [IPv4, IPv6]");
        (*errors)++;
    }
}

static void check_values(const json_t *cfg, tern_backend_s3_report fn, void *ud,
                         int *errors)
{
    const char *mode = str(cfg, "retry_mode");
    const char *key = str(cfg, "sse_customer_key");
    char detail[512];
    long at;

    /* aws.ParseRetryMode: "standard" or "adaptive", any case. */
    if (mode && strcasecmp(mode, "standard") != 0) {
        if (strcasecmp(mode, "adaptive") == 0)
            snprintf(detail, sizeof(detail),
                     "tern retries as the AWS SDKs' \"standard\" mode does; "
                     "the \"adaptive\" mode's client-side rate limiting is "
                     "not implemented. Set retry_mode = \"standard\" or "
                     "remove it.");
        else
            snprintf(detail, sizeof(detail), "unknown RetryMode, %s", mode);
        fn(ud, TERN_SEV_ERROR, "retry_mode",
           strcasecmp(mode, "adaptive") == 0 ? "Unsupported retry mode"
                                             : "Invalid Value",
           detail);
        (*errors)++;
    }
    /* backend.go, Configure: 44 characters of standard base64. */
    if (key && strlen(key) != 44) {
        fn(ud, TERN_SEV_ERROR, "sse_customer_key",
           "Invalid sse_customer_key value",
           "sse_customer_key must be 44 characters in length");
        (*errors)++;
    } else if (key && (at = base64_bad_at(key)) >= 0) {
        snprintf(detail, sizeof(detail),
                 "sse_customer_key must be base64 encoded: illegal base64 "
                 "data at input byte %ld",
                 at);
        fn(ud, TERN_SEV_ERROR, "sse_customer_key",
           "Invalid sse_customer_key value", detail);
        (*errors)++;
    }
    if (is_set(cfg, "assume_role_with_web_identity")) {
        fn(ud, TERN_SEV_ERROR, "assume_role_with_web_identity",
           "Unsupported argument",
           "tern cannot assume a role with a web identity token (STS "
           "AssumeRoleWithWebIdentity) yet. Use assume_role, or give tern "
           "the credentials of a role assumed before it runs "
           "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).");
        (*errors)++;
    }
}

/* AWS_RETRY_MODE, read when retry_mode is unset (backend.go, Configure:
 * the argument, then the variable). The SDK's environment loader parses
 * it whatever the argument (aws-sdk-go-v2 config/env_config.go,
 * setRetryModeFromEnvVal), its error through aws-sdk-go-base's
 * "loading configuration". */
static void check_env_retry_mode(const json_t *cfg, tern_backend_s3_report fn,
                                 void *ud, int *errors)
{
    const char *mode = env("AWS_RETRY_MODE");
    char summary[320];

    if (!mode)
        return;
    if (strcasecmp(mode, "standard") != 0 &&
        strcasecmp(mode, "adaptive") != 0) {
        snprintf(summary, sizeof(summary),
                 "loading configuration: invalid AWS_RETRY_MODE value, "
                 "unknown RetryMode, %s",
                 mode);
        fn(ud, TERN_SEV_ERROR, "", summary, "");
        (*errors)++;
    } else if (!is_set(cfg, "retry_mode") &&
               strcasecmp(mode, "adaptive") == 0) {
        fn(ud, TERN_SEV_ERROR, "", "Unsupported retry mode",
           "tern retries as the AWS SDKs' \"standard\" mode does; the "
           "\"adaptive\" mode's client-side rate limiting is not "
           "implemented. Set AWS_RETRY_MODE=standard or unset it.");
        (*errors)++;
    }
}

int tern_backend_s3_check(const json_t *cfg, int whole,
                          tern_backend_s3_report fn, void *ud)
{
    int errors = 0;

    conflict(cfg, "kms_key_id", "sse_customer_key", fn, ud, &errors);
    check_deprecated(cfg, fn, ud, &errors);
    conflict(cfg, "allowed_account_ids", "forbidden_account_ids", fn, ud,
             &errors);
    check_values(cfg, fn, ud, &errors);
    check_imds(cfg, fn, ud, &errors);
    if (whole) {
        check_variant(cfg, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", "FIPS",
                      fn, ud, &errors);
        check_variant(cfg, "use_dualstack_endpoint",
                      "AWS_USE_DUALSTACK_ENDPOINT", "dual-stack", fn, ud,
                      &errors);
        check_env_retry_mode(cfg, fn, ud, &errors);
    }
    return errors;
}
