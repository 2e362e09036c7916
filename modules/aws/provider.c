/*
 * The AWS provider (tern/provider.h): `provider "aws" {}` and the source
 * address hashicorp/aws. configure finds credentials the way the AWS CLI
 * and SDKs do (src/aws/credentials.c: the block's keys or profile, the
 * environment, the shared files, instance metadata; then assume_role) and
 * makes the clients the modules call: IAM, STS for GetCallerIdentity, and
 * EC2 (for the region) for DescribeAvailabilityZones. Its bulk read is IAM's
 * GetAccountAuthorizationDetails (aws_iam_bulk.c).
 *
 * The settings the modules see (op->provider) are the block's, without
 * access_key, secret_key and token, and with the region configure
 * resolved when the block names none.
 */
#include "iam_common.h"

#include "http/http.h"
#include "tern/clock.h"
#include "tern/provider.h"
#include "util/alloc.h"

#include <stdlib.h>

/* The provider release whose behaviour the AWS modules follow. */
#define AWS_PROVIDER_IMPLEMENTS "5.100.0"

static const tern_attr assume_role_schema[] = {
    {"role_arn", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"session_name", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"external_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"duration", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr endpoints_schema[] = {
    {"ec2", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"iam", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"sts", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr default_tags_schema[] = {
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr schema[] = {
    {"access_key", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE,
     NULL, NULL, 0},
    {"assume_role", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL,
     assume_role_schema, 1},
    {"default_tags", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL,
     default_tags_schema, 1},
    {"endpoints", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL,
     endpoints_schema, 1},
    {"max_retries", TERN_TYPE_NUMBER, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"profile", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"region", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"secret_key", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE,
     NULL, NULL, 0},
    {"shared_config_files", TERN_TYPE_LIST_STRING, TERN_ATTR_OPTIONAL, NULL,
     NULL, 0},
    {"shared_credentials_files", TERN_TYPE_LIST_STRING, TERN_ATTR_OPTIONAL,
     NULL, NULL, 0},
    {"token", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* "1h", "15m", "3600s" or a number of seconds. */
static long duration_seconds(const json_t *j)
{
    const char *s = json_string_value(j);
    char *end = NULL;
    long n;

    if (json_is_integer(j))
        return (long)json_integer_value(j);
    if (!s)
        return 0;
    n = strtol(s, &end, 10);
    if (end && *end == 'h')
        return n * 3600;
    if (end && *end == 'm')
        return n * 60;
    return n;
}

static const char **str_list(const json_t *arr)
{
    const char **l;
    size_t i;

    if (!json_is_array(arr))
        return NULL;
    l = tern_calloc(json_array_size(arr) + 1, sizeof(*l));
    if (!l)
        return NULL;
    for (i = 0; i < json_array_size(arr); i++)
        l[i] = json_string_value(json_array_get(arr, i));
    return l;
}

static void aws_free(void *client)
{
    struct tern__aws_clients *c = client;

    if (!c)
        return;
    tern_aws_client_free(c->iam);
    tern_aws_client_free(c->sts);
    tern_aws_client_free(c->ec2);
    tern_aws_credentials_free(c->creds);
    tern__iam_seen_free(c->seen);
    tern_free(c);
}

static int aws_configure(void **client, const tern_provider_env *env,
                         json_t *settings, struct tern_diags *diags)
{
    tern_aws_config ac = TERN_AWS_CONFIG_INIT;
    tern_aws_client_opts co = TERN_AWS_CLIENT_OPTS_INIT;
    const json_t *ar = json_object_get(settings, "assume_role");
    const json_t *ep = json_object_get(settings, "endpoints");
    const char **cfiles = NULL, **sfiles = NULL;
    struct tern__aws_clients *c = NULL;
    int error = TERN_OK;

    *client = NULL;
    c = tern_calloc(1, sizeof(*c));
    TERN_CHECK_ALLOC(c);
    if (json_is_array(ar))
        ar = json_array_get(ar, 0);
    if (json_is_array(ep))
        ep = json_array_get(ep, 0);
    ac.region = jstr(settings, "region");
    ac.profile = jstr(settings, "profile");
    ac.access_key = jstr(settings, "access_key");
    ac.secret_key = jstr(settings, "secret_key");
    ac.token = jstr(settings, "token");
    cfiles = str_list(json_object_get(settings, "shared_config_files"));
    sfiles = str_list(json_object_get(settings, "shared_credentials_files"));
    ac.shared_config_files = cfiles;
    ac.shared_credentials_files = sfiles;
    ac.assume_role.role_arn = jstr(ar, "role_arn");
    ac.assume_role.session_name = jstr(ar, "session_name");
    ac.assume_role.external_id = jstr(ar, "external_id");
    ac.assume_role.duration_seconds =
        duration_seconds(json_object_get(ar, "duration"));
    ac.endpoint_iam = jstr(ep, "iam");
    ac.endpoint_sts = jstr(ep, "sts");
    if (json_is_integer(json_object_get(settings, "max_retries")))
        ac.max_retries =
            (int)json_integer_value(json_object_get(settings, "max_retries"));
    if ((error = tern_aws_credentials_new(&c->creds, &ac, env->http, diags)))
        goto done;
    co.service = "iam";
    co.region = tern_aws_credentials_region(c->creds);
    co.endpoint = ac.endpoint_iam;
    co.max_retries = ac.max_retries;
    co.http = env->http;
    co.credentials = c->creds;
    co.cancel = env->cancel;
    co.stop = env->stop;
    co.clock = env->clock;
    if ((error = tern_aws_client_new(&c->iam, &co, diags)))
        goto done;
    co.service = "sts";
    co.endpoint = ac.endpoint_sts;
    if ((error = tern_aws_client_new(&c->sts, &co, diags)))
        goto done;
    co.service = "ec2";
    co.endpoint = jstr(ep, "ec2");
    if ((error = tern_aws_client_new(&c->ec2, &co, diags)))
        goto done;
    if ((error = tern__iam_seen_new(&c->seen)))
        goto done;
    tern__propagation_timeout_read();
    if (!json_object_get(settings, "region") && co.region &&
        json_object_set_new(settings, "region", json_string(co.region))) {
        error = TERN_ENOMEM;
        goto done;
    }
    *client = c;
    c = NULL;
done:
    tern_free(cfiles);
    tern_free(sfiles);
    aws_free(c);
    return error;
}

extern const tern_bulk_op tern_bulk_aws_iam;

static const tern_bulk_op *const bulk_ops[] = {&tern_bulk_aws_iam, NULL};

static const char *const sources[] = {"hashicorp/aws", NULL};

const tern_provider tern_provider_aws = {TERN_PROVIDER_VERSION,
                                         "aws",
                                         sources,
                                         AWS_PROVIDER_IMPLEMENTS,
                                         schema,
                                         aws_configure,
                                         aws_free,
                                         bulk_ops,
                                         "IAM"};
