/*
 * The S3 state backend (see s3.h for the format and the guarantees).
 */
#include "backend/s3.h"

#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "aws/s3.h"
#include "http/http.h"
#include "tern/clock.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/vec.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Terraform's S3 backend retries 5 times by default (backend.go). */
#define DEFAULT_MAX_RETRIES 5
/* A held lock is tried again after 1 s, doubling to 16 s, as Terraform's
 * statemgr.LockWithContext does. */
#define LOCK_RETRY_MIN_MS 1000L
#define LOCK_RETRY_MAX_MS 16000L
#define EXTENSION         "tern"

/* One GetObject's answer, kept for the thread that waits for it. */
struct got {
    int done, error, changed, exists;
    tern_buf body;
    char *etag;
    struct tern_diags diags;
};

/*
 * The read overlapped with the lock. A thread reads the state object while
 * the caller writes the lock (`read`); once the lock was taken at the
 * first attempt it reads again, If-None-Match the ETag first read
 * (`check`): the first read may have reached S3 before the previous
 * holder's final write (that holder writes, then deletes its lock, and our
 * lock succeeding means its delete came first), never after our lock.
 * Guarded by `mutex`; `cond` is signalled at each step.
 */
struct ahead {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    pthread_t thread;
    int running;  /* the thread was started and not joined */
    int outcome;  /* 0: lock pending; 1: taken at once; -1: otherwise */
    int verified; /* tern_backend_s3_verify ran: its result is final */
    int result;   /* ... and returned this */
    struct got read, check;
};

struct tern_backend_s3 {
    char *bucket;
    char *key;      /* the state object's key, workspace applied */
    char *lock_key; /* key + ".tflock" */
    char *path;     /* "bucket/key" */
    int use_lockfile;
    int encrypt;
    int ssec; /* encrypt with the customer's key (SSE-C) */
    char *kms_key_id;
    char *acl;
    tern_http *http;
    tern_aws_credentials *creds;
    tern_s3_client *s3;
    /* dynamodb_table: the lock item "BUCKET/KEY" (ddb NULL: no table). */
    char *table;
    tern_ddb_client *ddb;
    const atomic_int *cancel;
    char *lock_id;   /* the lock we hold, or NULL */
    char *lock_etag; /* its ETag, for the conditional delete */
    char *etag;      /* of the object as last read or written; NULL: none */
    int64_t serial;  /* of the working copy as last pulled or pushed */
    size_t nintents;
    int pulled;
    /* What the remote state says of a run that was force-unlocked while
     * it applied (tern_backend_s3_interrupted), carried in every push
     * until tern_backend_s3_settle(); marker_changed: settled, not yet
     * written. */
    json_t *interrupted;
    int marker_changed;
    /* The watch (tern_backend_s3_watch). push_lock guards what follows
     * and the ETag; a push runs with in_flight set (one at a time, each
     * conditional on the ETag of the one before), by the pusher thread
     * without the mutex, by a flush or the final push with it. */
    pthread_mutex_t push_lock;
    pthread_cond_t push_cond;
    pthread_t pusher;
    int pusher_running, stopping, in_flight;
    tern_state *watched;
    /* The watch's time: intervals and the pusher's wait (NULL: the
     * system's). */
    const tern_clock *clock;
    long interval_ms;
    int64_t last_push_ms, last_export_ms;
    char *pending; /* the newest document not yet pushed (its text) */
    size_t pending_len;
    int64_t pending_serial;
    size_t pending_nintents;
    int watch_error; /* first failure of a push from the watch */
    struct tern_diags watch_diags;
    size_t pushes, pushed_bytes;
    /* Each instance's text as last exported: a push serializes only the
     * rows that changed since the one before (guarded by push_lock). */
    tern_state_text_cache *texts;
    /* The read overlapped with the lock (tern_backend_s3_lock_read). */
    struct ahead ahead;
    char *pull_path, *pull_operation; /* what pull built, for a rebuild */
    int pull_start_at_one;
};

static char *uuid(void)
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1)
        return NULL;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return tern_asprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                         "%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
                         b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void stop_pusher(tern_backend_s3 *b);
static void ahead_stop(tern_backend_s3 *b);

void tern_backend_s3_free(tern_backend_s3 *b)
{
    if (!b)
        return;
    stop_pusher(b);
    ahead_stop(b);
    pthread_cond_destroy(&b->ahead.cond);
    pthread_mutex_destroy(&b->ahead.mutex);
    tern_free(b->pull_path);
    tern_free(b->pull_operation);
    tern_s3_client_free(b->s3);
    tern_ddb_client_free(b->ddb);
    tern_free(b->table);
    tern_aws_credentials_free(b->creds);
    tern_http_free(b->http);
    tern_free(b->bucket);
    tern_free(b->key);
    tern_free(b->lock_key);
    tern_free(b->path);
    tern_free(b->kms_key_id);
    tern_free(b->acl);
    tern_free(b->lock_id);
    tern_free(b->lock_etag);
    tern_free(b->etag);
    json_decref(b->interrupted);
    tern_free(b->pending);
    tern_state_text_cache_free(b->texts);
    tern_diags_release(&b->watch_diags);
    pthread_cond_destroy(&b->push_cond);
    pthread_mutex_destroy(&b->push_lock);
    tern_free(b);
}

const char *tern_backend_s3_path(const tern_backend_s3 *b)
{
    return b->path;
}

/* The options every client of the backend shares (S3, DynamoDB, STS):
 * its HTTP, credentials, retries, cancel flag and clock, with @region and
 * @endpoint (NULL: the service's own). */
static tern_aws_client_opts
backend_client_opts(const tern_backend_s3 *b, const tern_backend_s3_config *cfg,
                    const char *region, const char *endpoint)
{
    tern_aws_client_opts o = TERN_AWS_CLIENT_OPTS_INIT;

    o.region = region;
    o.endpoint = endpoint;
    o.max_retries =
        cfg->max_retries < 0 ? DEFAULT_MAX_RETRIES : cfg->max_retries;
    o.http = b->http;
    o.credentials = b->creds;
    o.cancel = b->cancel;
    o.clock = b->clock;
    return o;
}

/* The DynamoDB client of dynamodb_table, with the S3 client's HTTP,
 * credentials and retries. */
static int ddb_new(tern_backend_s3 *b, const tern_backend_s3_config *cfg,
                   const char *region, struct tern_diags *diags)
{
    tern_aws_client_opts o =
        backend_client_opts(b, cfg, region, cfg->endpoint_dynamodb);

    b->table = tern_strdup(cfg->dynamodb_table);
    if (!b->table)
        return TERN_ENOMEM;
    return tern_ddb_client_new(&b->ddb, &o, diags);
}

/* One call of the table with @p body (taken and freed; NULL: it could not
 * be written, out of memory). */
static int ddb_send(tern_backend_s3 *b, const char *action, char *body,
                    json_t **out, struct tern_diags *diags)
{
    int error;

    if (!body)
        return TERN_ENOMEM;
    error = tern_ddb_call(b->ddb, action, b->table, body, out, diags);
    tern_free(body);
    return error;
}

/*
 * The lock item's info (client.go getLockInfo: GetItem of LockID
 * "BUCKET/KEY", ProjectionExpression "LockID, Info", ConsistentRead),
 * parsed: TERN_ENOTFOUND without a diagnostic when there is no item.
 */
static int ddb_lock_info(tern_backend_s3 *b, json_t **info,
                         struct tern_diags *diags)
{
    json_t *out = NULL;
    const char *text;
    int error, oom = 0;

    *info = NULL;
    error = ddb_send(b, "GetItem",
                     tern_ddb_get_body(b->table, b->path, "LockID, Info"), &out,
                     diags);
    if (error)
        return error;
    text = json_string_value(json_object_get(
        json_object_get(json_object_get(out, "Item"), "Info"), "S"));
    if (!json_object_get(out, "Item"))
        error = TERN_ENOTFOUND;
    else if (text && !(*info = tern_json_loads(text, 0, &oom)) && oom)
        error = TERN_ENOMEM;
    else if (!text || !*info) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to read the lock",
                       "The lock item %s in DynamoDB table %s holds no "
                       "lock info JSON.",
                       b->path, b->table);
        error = TERN_ERROR;
    }
    json_decref(out);
    return error;
}

/* client.go dynamoDBLock: PutItem {LockID: "BUCKET/KEY", Info: the lock
 * info} on condition attribute_not_exists(LockID). */
static int ddb_lock(tern_backend_s3 *b, const char *info,
                    struct tern_diags *diags)
{
    return ddb_send(b, "PutItem",
                    tern_ddb_put_body(b->table, "attribute_not_exists(LockID)",
                                      "Info", info, "LockID", b->path),
                    NULL, diags);
}

/* client.go dynamoDBUnlock: DeleteItem of the lock item. */
static int ddb_delete(tern_backend_s3 *b, struct tern_diags *diags)
{
    return ddb_send(b, "DeleteItem", tern_ddb_delete_body(b->table, b->path),
                    NULL, diags);
}

/*
 * client.go Unlock: read the item, compare its ID with @p id, delete it.
 * Strict (the table alone holds the lock): an item that is gone is a
 * warning (the lock was lost), another holder's an error. Not strict (the
 * lock file holds it too): another holder's item, or none, is left alone.
 */
static int ddb_unlock(tern_backend_s3 *b, const char *id, int strict,
                      struct tern_diags *diags)
{
    json_t *info = NULL;
    const char *held;
    int error = ddb_lock_info(b, &info, diags);

    if (error == TERN_ENOTFOUND) {
        if (strict)
            tern_diags_add(diags, TERN_SEV_WARNING, NULL, "State lock was lost",
                           "The lock %s on %s was removed from DynamoDB "
                           "table %s by someone else (force-unlock) while "
                           "tern held it.",
                           id, b->path, b->table);
        return TERN_OK;
    }
    if (error)
        return error;
    held = json_string_value(json_object_get(info, "ID"));
    if (held && strcmp(held, id) == 0) {
        error = ddb_delete(b, diags);
    } else if (strict) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Error releasing the state lock",
                       "lock ID \"%s\" does not match existing lock (\"%s\")",
                       id, held ? held : "");
        error = TERN_ECONFLICT;
    }
    json_decref(info);
    return error;
}

static int listed(const char *const *list, const char *s)
{
    for (; list && *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/*
 * allowed_account_ids, forbidden_account_ids: the account of the
 * credentials, from STS GetCallerIdentity (sts_region, endpoints.sts),
 * as aws-sdk-go-base's GetAwsAccountIDAndPartition and
 * VerifyAccountIDAllowed do for backend.go's Configure. With
 * skip_requesting_account_id the account is unknown (""), which no
 * allow list holds.
 */
static int check_account(tern_backend_s3 *b, const tern_backend_s3_config *cfg,
                         const char *region, struct tern_diags *diags)
{
    tern_aws_client_opts o = TERN_AWS_CLIENT_OPTS_INIT;
    tern_aws_client *sts = NULL;
    tern_xml_node *root = NULL;
    const char *account = "";
    int error = TERN_OK;

    if (!(cfg->allowed_account_ids && cfg->allowed_account_ids[0]) &&
        !(cfg->forbidden_account_ids && cfg->forbidden_account_ids[0]))
        return TERN_OK;
    if (!cfg->skip_requesting_account_id) {
        o = backend_client_opts(
            b, cfg,
            cfg->sts_region && *cfg->sts_region ? cfg->sts_region : region,
            cfg->endpoint_sts);
        o.service = "sts";
        error = tern_aws_client_new(&sts, &o, diags);
        if (error == TERN_OK)
            error = tern_aws_call(sts, "GetCallerIdentity", NULL, &root, diags);
        if (error)
            goto done;
        account = tern_xml_text(root, "GetCallerIdentityResult/Account");
        if (!account)
            account = "";
    }
    if (listed(cfg->forbidden_account_ids, account) ||
        (cfg->allowed_account_ids && cfg->allowed_account_ids[0] &&
         !listed(cfg->allowed_account_ids, account))) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid account ID",
                       "AWS account ID not allowed: %s", account);
        error = TERN_EAUTH;
    }
done:
    tern_xml_free(root);
    tern_aws_client_free(sts);
    return error;
}

/* AWS_SSE_CUSTOMER_KEY, read when sse_customer_key is unset (backend.go,
 * Configure, with its errors). */
static int env_customer_key(const tern_backend_s3_config *cfg, const char **out,
                            struct tern_diags *diags)
{
    const char *v = getenv("AWS_SSE_CUSTOMER_KEY");

    *out = NULL;
    if (!v || !*v)
        return TERN_OK;
    if (cfg->kms_key_id) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Invalid encryption configuration",
                       "Only one of \"kms_key_id\" and the environment "
                       "variable \"AWS_SSE_CUSTOMER_KEY\" can be set.\n\n"
                       "The \"kms_key_id\" is used for encryption with "
                       "KMS-Managed Keys (SSE-KMS)\nwhile "
                       "\"AWS_SSE_CUSTOMER_KEY\" is used for encryption with "
                       "customer-managed keys (SSE-C).\nPlease choose one or "
                       "the other.");
        return TERN_EINVALID;
    }
    if (strlen(v) != 44) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Invalid AWS_SSE_CUSTOMER_KEY value",
                       "The environment variable \"AWS_SSE_CUSTOMER_KEY\" "
                       "must be 44 characters in length");
        return TERN_EINVALID;
    }
    *out = v;
    return TERN_OK;
}

/* backend.go, Configure: a warning for each deprecated variable set
 * (deprecatedEnvVarDiag; Go's map order, sorted here). Once in @p diags:
 * a command that opens the backend for several workspaces (init's
 * workspace list) configures it once in Terraform. */
static void env_deprecated(struct tern_diags *diags)
{
    const struct tern_backend_s3_env_deprecated *d;
    char detail[256];
    size_t i;

    for (d = tern_backend_s3_env_deprecated_vars; d->name; d++) {
        const char *v = getenv(d->name);

        if (!v || !*v)
            continue;
        snprintf(detail, sizeof(detail),
                 "The environment variable \"%s\" is deprecated. Use "
                 "environment variable \"%s\" instead.",
                 d->name, d->replacement);
        for (i = 0; i < diags->count; i++)
            if (diags->items[i].detail &&
                strcmp(diags->items[i].detail, detail) == 0)
                break;
        if (i == diags->count)
            tern_diags_add(diags, TERN_SEV_WARNING, NULL,
                           "Deprecated Environment Variable", "%s", detail);
    }
}

static int env_set(const char *name)
{
    const char *v = getenv(name);

    return v && *v;
}

/* The HTTP client: custom_ca_bundle (else AWS_CA_BUNDLE), insecure and
 * the proxies, which backend.go hands to aws-sdk-go-base in its legacy
 * proxy mode: http_proxy without https_proxy (nor HTTPS_PROXY in the
 * environment) serves https too, with its "Missing HTTPS Proxy"
 * warning. */
static int http_new(tern_backend_s3 *b, const tern_backend_s3_config *cfg,
                    struct tern_diags *diags)
{
    tern_http_opts ho = TERN_HTTP_OPTS_INIT;
    const char *ca = cfg->custom_ca_bundle;

    if (!ca || !*ca)
        ca = getenv("AWS_CA_BUNDLE");
    ho.ca_file = ca && *ca ? ca : NULL;
    ho.insecure = cfg->insecure;
    ho.http_proxy = cfg->http_proxy;
    ho.https_proxy = cfg->https_proxy;
    ho.no_proxy = cfg->no_proxy;
    if (cfg->http_proxy && *cfg->http_proxy && !cfg->https_proxy &&
        !env_set("HTTPS_PROXY") && !env_set("https_proxy")) {
        ho.https_proxy = cfg->http_proxy;
        tern_diags_add(diags, TERN_SEV_WARNING, NULL, "Missing HTTPS Proxy",
                       "An HTTP proxy was set but no HTTPS proxy was. Using "
                       "HTTP proxy \"%s\" for HTTPS requests. This behavior "
                       "may change in future versions.\n\nTo specify no "
                       "proxy for HTTPS, set the HTTPS to an empty string.",
                       cfg->http_proxy);
    }
    return tern_http_new(&b->http, &ho);
}

int tern_backend_s3_new(tern_backend_s3 **out,
                        const tern_backend_s3_config *cfg,
                        const atomic_int *cancel, struct tern_diags *diags)
{
    tern_backend_s3 *b = NULL;
    tern_aws_config ac = TERN_AWS_CONFIG_INIT;
    tern_aws_client_opts so = TERN_AWS_CLIENT_OPTS_INIT;
    const char *region = cfg->region;
    const char *ssec = cfg->sse_customer_key;
    const char *ws = cfg->workspace ? cfg->workspace : "default";
    const char *prefix =
        cfg->workspace_key_prefix ? cfg->workspace_key_prefix : "env:";
    int error = TERN_OK;

    *out = NULL;
    if (!region)
        region = getenv("AWS_REGION");
    if (!region || !*region)
        region = getenv("AWS_DEFAULT_REGION");
    if (!cfg->bucket || !*cfg->bucket || !cfg->key || !*cfg->key || !region ||
        !*region) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Missing backend configuration",
                       "The \"s3\" backend needs %s. Set it in the backend "
                       "block or with -backend-config.",
                       !cfg->bucket || !*cfg->bucket ? "\"bucket\""
                       : !cfg->key || !*cfg->key     ? "\"key\""
                                                     : "\"region\" (or "
                                                       "AWS_REGION)");
        return TERN_EINVALID;
    }
    /* backend.go: key must not start or end with '/'. */
    if (cfg->key[0] == '/' || cfg->key[strlen(cfg->key) - 1] == '/') {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid Value",
                       "The value must not start or end with \"/\" (key = "
                       "\"%s\").",
                       cfg->key);
        return TERN_EINVALID;
    }
    if (!ssec && (error = env_customer_key(cfg, &ssec, diags)) != TERN_OK)
        return error;
    env_deprecated(diags);
    b = tern_calloc(1, sizeof(*b));
    TERN_CHECK_ALLOC(b);
    pthread_mutex_init(&b->push_lock, NULL);
    pthread_mutex_init(&b->ahead.mutex, NULL);
    pthread_cond_init(&b->ahead.cond, NULL);
    tern_clock_cond_init(&b->push_cond);
    b->cancel = cancel;
    b->clock = cfg->clock;
    b->bucket = tern_strdup(cfg->bucket);
    TERN_CHECK_ALLOC(b->bucket);
    /* backend_state.go: path() */
    if (strcmp(ws, "default") == 0)
        b->key = tern_strdup(cfg->key);
    else
        b->key = tern_asprintf("%s/%s/%s", prefix, ws, cfg->key);
    TERN_CHECK_ALLOC(b->key);
    b->lock_key = tern_asprintf("%s.tflock", b->key);
    TERN_CHECK_ALLOC(b->lock_key);
    b->path = tern_asprintf("%s/%s", b->bucket, b->key);
    TERN_CHECK_ALLOC(b->path);
    b->use_lockfile = cfg->use_lockfile;
    b->encrypt = cfg->encrypt;
    if (cfg->kms_key_id) {
        b->kms_key_id = tern_strdup(cfg->kms_key_id);
        TERN_CHECK_ALLOC(b->kms_key_id);
    }
    if (cfg->acl) {
        b->acl = tern_strdup(cfg->acl);
        TERN_CHECK_ALLOC(b->acl);
    }
    if ((error = http_new(b, cfg, diags)) != TERN_OK)
        goto done;
    ac.region = region;
    ac.profile = cfg->profile;
    ac.access_key = cfg->access_key;
    ac.secret_key = cfg->secret_key;
    ac.token = cfg->token;
    ac.shared_config_files = cfg->shared_config_files;
    ac.shared_credentials_files = cfg->shared_credentials_files;
    ac.assume_role.role_arn = cfg->assume_role_arn;
    ac.assume_role.session_name = cfg->assume_role_session_name;
    ac.assume_role.external_id = cfg->assume_role_external_id;
    ac.assume_role.duration_seconds = cfg->assume_role_duration_seconds;
    ac.endpoint_iam = cfg->endpoint_iam;
    ac.endpoint_sts = cfg->endpoint_sts;
    ac.max_retries = cfg->max_retries;
    ac.sts_region = cfg->sts_region;
    ac.imds_endpoint = cfg->imds_endpoint;
    ac.imds_endpoint_mode = cfg->imds_endpoint_mode;
    ac.imds_disabled = cfg->imds_disabled;
    error = tern_aws_credentials_new(&b->creds, &ac, b->http, diags);
    if (error == TERN_OK)
        error = check_account(b, cfg, region, diags);
    if (error)
        goto done;
    so = backend_client_opts(b, cfg, region, cfg->endpoint_s3);
    so.use_path_style = cfg->use_path_style;
    error = tern_s3_client_new(&b->s3, &so, diags);
    /* client.go: SSE-C when encrypt is set with sse_customer_key (else
     * AWS_SSE_CUSTOMER_KEY), instead of x-amz-server-side-encryption. */
    if (error == TERN_OK && b->encrypt && ssec && *ssec) {
        error = tern_s3_client_set_customer_key(b->s3, ssec);
        b->ssec = 1;
        if (error == TERN_EINVALID)
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Invalid sse_customer_key value",
                           "sse_customer_key must be 44 characters of "
                           "base64, a 256-bit key.");
    }
    if (error == TERN_OK && cfg->dynamodb_table && *cfg->dynamodb_table)
        error = ddb_new(b, cfg, region, diags);
done:
    if (error == TERN_OK)
        *out = b;
    else
        tern_backend_s3_free(b);
    return error;
}

static char *who(void)
{
    char host[256] = "";
    char pwbuf[1024];
    struct passwd pw, *res = NULL;
    const char *user = NULL;

    if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
        user = res->pw_name;
    if (user == NULL)
        user = getenv("USER");
    if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = '\0';
    return tern_asprintf("%s@%s", user ? user : "unknown",
                         host[0] ? host : "unknown");
}

/* Terraform's names for what holds a lock (backendrun.OperationType). */
static const char *operation_type(const char *op)
{
    if (!op)
        return "OperationTypeInvalid";
    if (strcmp(op, "apply") == 0 || strcmp(op, "destroy") == 0)
        return "OperationTypeApply";
    if (strcmp(op, "plan") == 0)
        return "OperationTypePlan";
    if (strcmp(op, "refresh") == 0)
        return "OperationTypeRefresh";
    return "OperationTypeInvalid";
}

/* The lock object's info, as text for a refusal. */
static char *describe_holder(tern_backend_s3 *b, int from_table,
                             struct tern_diags *diags)
{
    tern_buf body = TERN_BUF_INIT;
    json_t *info = NULL;
    char *text = NULL;
    int error, oom = 0;

    if (from_table)
        error = ddb_lock_info(b, &info, diags);
    else
        error = tern_s3_get(b->s3, b->bucket, b->lock_key, &body, NULL, diags);
    if (error == TERN_OK && !from_table)
        info =
            tern_json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL, &oom);
    /* Out of memory is no answer about the holder: NULL, as for the
     * text. */
    if (error == TERN_ENOMEM || oom) {
        /* nothing */
    } else if (info) {
#define F(name)                                                                \
    (json_string_value(json_object_get(info, name))                            \
         ? json_string_value(json_object_get(info, name))                      \
         : "")
        text = tern_asprintf("Lock Info:\n"
                             "  ID:        %s\n"
                             "  Path:      %s\n"
                             "  Operation: %s\n"
                             "  Who:       %s\n"
                             "  Version:   %s\n"
                             "  Created:   %s\n"
                             "  Info:      %s",
                             F("ID"), F("Path"), F("Operation"), F("Who"),
                             F("Version"), F("Created"), F("Info"));
#undef F
        /* Another client wrote these fields: control characters made
         * visible before they reach a terminal (issue 20, finding 14). */
        if (text) {
            char *shown = tern_printable_strndup(text, strlen(text));

            tern_free(text);
            text = shown;
        }
    } else {
        text = tern_strdup(error == TERN_ENOTFOUND
                               ? "The lock was released while tern looked "
                                 "at it."
                               : "The lock info could not be read.");
    }
    json_decref(info);
    tern_buf_release(&body);
    return text;
}

/*
 * After a PutObject of the lock object @p text whose answer tern could not
 * read (out of memory): the service may have written it. Deleted again
 * when it is there and is this run's (the very bytes written: the info
 * holds this run's lock ID), on its ETag. TERN_OK when no lock object of
 * this run's is left; otherwise it may be.
 */
static int drop_written_file(tern_backend_s3 *b, const char *text)
{
    struct tern_diags ignored = TERN_DIAGS_INIT;
    tern_buf body = TERN_BUF_INIT;
    char *etag = NULL;
    int error;

    error = tern_s3_get(b->s3, b->bucket, b->lock_key, &body, &etag, &ignored);
    if (error == TERN_ENOTFOUND) {
        error = TERN_OK; /* never written */
    } else if (error == TERN_OK &&
               (body.len != strlen(text) ||
                memcmp(body.ptr ? body.ptr : "", text, body.len) != 0)) {
        error = TERN_OK; /* another run's */
    } else if (error == TERN_OK) {
        /* Without its ETag the delete could remove a lock another run
         * took after a force-unlock: not tried. */
        error =
            etag ? tern_s3_delete(b->s3, b->bucket, b->lock_key, etag, &ignored)
                 : TERN_ENOMEM;
        if (error == TERN_ENOTFOUND)
            error = TERN_OK;
    }
    tern_diags_release(&ignored);
    tern_buf_release(&body);
    tern_free(etag);
    return error;
}

/*
 * One attempt at the lock: the lock object (use_lockfile), then the
 * table's item (dynamodb_table), as Terraform 1.10's client.go Lock takes
 * both when both are set; when the item is held, the object just written
 * is deleted again. *from_table: the table refused. *@p unsure: the
 * attempt ran out of memory, the service may have taken the lock, and it
 * could not be released again (issue 20: such a lock stayed behind, and
 * nothing said so).
 */
static int try_lock(tern_backend_s3 *b, const char *id, const char *text,
                    const tern_s3_put_opts *po, int *from_table, int *unsure,
                    struct tern_diags *diags)
{
    struct tern_diags ignored = TERN_DIAGS_INIT;
    int error = TERN_OK;

    *from_table = 0;
    *unsure = 0;
    if (b->use_lockfile) {
        tern_free(b->lock_etag);
        b->lock_etag = NULL;
        error = tern_s3_put(b->s3, b->bucket, b->lock_key, text, strlen(text),
                            po, &b->lock_etag, diags);
        if (error == TERN_ENOMEM && drop_written_file(b, text) != TERN_OK)
            *unsure = 1;
        if (error)
            return error;
    }
    if (b->ddb) {
        error = ddb_lock(b, text, diags);
        *from_table = error == TERN_ECONFLICT;
        /* The item too may have been written: this run's is deleted (not
         * strict: another's, or none, is left alone). */
        if (error == TERN_ENOMEM && ddb_unlock(b, id, 0, &ignored) != TERN_OK)
            *unsure = 1;
        if (error && b->use_lockfile &&
            tern_s3_delete(b->s3, b->bucket, b->lock_key, b->lock_etag,
                           &ignored) != TERN_OK &&
            error == TERN_ENOMEM)
            *unsure = 1;
        tern_diags_release(&ignored);
    }
    return error;
}

/* Write the lock object, retrying a held lock up to @p timeout_ms;
 * @p first: whether the first attempt took it. The waits and the timeout
 * run on the backend's clock (a test's, or the system's); the lock's
 * "Created" is the real time, as Terraform's (statemgr.LockInfo). */
static int take_lock(tern_backend_s3 *b, const char *operation,
                     unsigned int timeout_ms, int *first,
                     struct tern_diags *diags)
{
    tern_s3_put_opts po = TERN_S3_PUT_OPTS_INIT;
    json_t *info = NULL;
    char *text = NULL, *user = NULL, *id = NULL;
    char created[64], base[32];
    struct timespec now;
    struct tm tm;
    int64_t start = tern_clock_now(b->clock);
    long delay = LOCK_RETRY_MIN_MS;
    int error = TERN_OK, attempts = 0, from_table = 0, unsure = 0;
    struct tern_diags left = TERN_DIAGS_INIT;
    size_t held;

    *first = 0;
    id = uuid();
    user = who();
    TERN_CHECK_ALLOC(id);
    TERN_CHECK_ALLOC(user);
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(created, sizeof(created), "%s.%09ldZ", base, now.tv_nsec);
    info =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "Operation",
                  operation_type(operation), "Info", "", "Who", user, "Version",
                  TERN_VERSION, "Created", created, "Path", b->path);
    TERN_CHECK_ALLOC(info);
    /* The lock info whole or not at all: Jansson's encoder drops what it
     * cannot append and carries on. */
    text = tern_json_dumps(info, JSON_COMPACT | JSON_PRESERVE_ORDER);
    TERN_CHECK_ALLOC(text);
    /* What to say when an attempt may have taken the lock and could not
     * release it (try_lock's unsure), made now, with room for it in
     * @p diags: by then the memory to say it may be gone. Terraform names
     * a lock's ID for force-unlock when its release fails
     * (internal/command/clistate/state.go UnlockErrorMessage). */
    if (!tern_diags_add(&left, TERN_SEV_ERROR, NULL,
                        "Error acquiring the state lock",
                        "Error message: out of memory\n\n"
                        "tern ran out of memory while it took the state "
                        "lock on %s, and could not tell whether the lock "
                        "was taken, nor release it. If it was, its lock ID "
                        "is %s; release it with:\n"
                        "  tern force-unlock %s",
                        b->path, id, id) ||
        TERN_VEC_RESERVE(diags->items, diags->alloc, diags->count + 1) !=
            TERN_OK) {
        error = TERN_ENOMEM;
        goto done;
    }
    po.if_none_match = 1;
    po.content_type = "application/json";
    po.sse =
        b->encrypt && !b->ssec ? (b->kms_key_id ? "aws:kms" : "AES256") : NULL;
    po.kms_key_id = b->encrypt ? b->kms_key_id : NULL;
    po.acl = b->acl;
    for (;;) {
        struct tern_diags attempt = TERN_DIAGS_INIT;
        char *holder;

        error = try_lock(b, id, text, &po, &from_table, &unsure, &attempt);
        attempts++;
        if (unsure) {
            /* Room was made for it: the move allocates nothing. */
            tern_diags_release(&attempt);
            tern_diags_move(diags, &left);
            error = TERN_ENOMEM;
            break;
        }
        if (error != TERN_ECONFLICT) {
            tern_diags_move(diags, &attempt);
            break;
        }
        if (tern_clock_now(b->clock) - start + delay <= (int64_t)timeout_ms) {
            tern_diags_release(&attempt);
            TERN_LOG_AT(TERN_LOG_INFO,
                        "backend s3: %s is locked; trying again in %ld ms",
                        b->path, delay);
            if (tern_clock_sleep(b->clock, delay, b->cancel)) {
                error = TERN_ECANCELED;
                tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                               "Operation canceled",
                               "Waiting for the state lock was canceled.");
                break;
            }
            delay =
                delay * 2 > LOCK_RETRY_MAX_MS ? LOCK_RETRY_MAX_MS : delay * 2;
            continue;
        }
        holder = describe_holder(b, from_table, diags);
        /* A refusal without its lock info, or without the service's
         * answer (a diagnostic that could not be recorded), would hide
         * who holds the lock and why: out of memory. */
        if (!holder || !attempt.count || !attempt.items[0].detail) {
            tern_free(holder);
            tern_diags_release(&attempt);
            error = TERN_ENOMEM;
            break;
        }
        held = diags->errors;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Error acquiring the state lock",
                       "Error message: %s\n%s\n\n"
                       "Terraform acquires a state lock to protect the state "
                       "from being written by multiple users at the same "
                       "time. Please resolve the issue above and try again. "
                       "For most commands, you can disable locking with the "
                       "\"-lock=false\" flag, but this is not recommended.",
                       attempt.items[0].detail, holder);
        if (diags->errors == held)
            error = TERN_ENOMEM;
        tern_free(holder);
        tern_diags_release(&attempt);
        break;
    }
    if (error == TERN_OK) {
        b->lock_id = id;
        id = NULL;
        *first = attempts == 1;
    }
done:
    /* The room made above is the caller's to free only when it holds a
     * diagnostic: an empty list owns nothing. */
    if (diags->count == 0)
        tern_diags_release(diags);
    tern_diags_release(&left);
    free(text); /* allocated by jansson */
    json_decref(info);
    tern_free(user);
    tern_free(id);
    return error;
}

int tern_backend_s3_lock(tern_backend_s3 *b, const char *operation,
                         unsigned int timeout_ms, struct tern_diags *diags)
{
    int first;

    if ((!b->use_lockfile && !b->ddb) || b->lock_id)
        return TERN_OK;
    return take_lock(b, operation, timeout_ms, &first, diags);
}

static void got_release(struct got *g)
{
    tern_buf_release(&g->body);
    tern_free(g->etag);
    tern_diags_release(&g->diags);
    memset(g, 0, sizeof(*g));
}

/* The overlapped read, then (the lock taken at once) its check. */
static void *ahead_main(void *arg)
{
    tern_backend_s3 *b = arg;
    struct ahead *a = &b->ahead;
    struct got read, check;
    char *held = NULL;
    int go;

    memset(&read, 0, sizeof(read));
    memset(&check, 0, sizeof(check));
    read.error = tern_s3_get(b->s3, b->bucket, b->key, &read.body, &read.etag,
                             &read.diags);
    go = read.error == TERN_OK || read.error == TERN_ENOTFOUND;
    if (read.etag && !(held = tern_strdup(read.etag))) {
        go = 0;
        check.error = TERN_ENOMEM;
    }
    pthread_mutex_lock(&a->mutex);
    a->read = read; /* read.body stays put until the thread is joined */
    a->read.done = 1;
    pthread_cond_broadcast(&a->cond);
    while (a->outcome == 0)
        pthread_cond_wait(&a->cond, &a->mutex);
    go = go && a->outcome > 0;
    pthread_mutex_unlock(&a->mutex);
    if (go) {
        /* No ETag held (no object at the first read, or a server that
         * sent none): an unconditional read, compared. */
        check.error =
            tern_s3_get_if_changed(b->s3, b->bucket, b->key, held, &check.body,
                                   &check.etag, &check.changed, &check.diags);
        check.exists = check.error == TERN_OK;
        if (check.error == TERN_ENOTFOUND) {
            check.changed = read.error == TERN_OK;
            check.error = TERN_OK;
        } else if (check.error == TERN_OK && !held) {
            check.changed =
                read.error != TERN_OK || check.body.len != read.body.len ||
                (read.body.len &&
                 memcmp(check.body.ptr, read.body.ptr, read.body.len) != 0);
        }
    } else if (!check.error) {
        check.error = TERN_ECANCELED;
    }
    tern_free(held);
    pthread_mutex_lock(&a->mutex);
    a->check = check;
    a->check.done = 1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mutex);
    return NULL;
}

/* Say how the lock went; when it was not taken at once, wait for the
 * thread and forget what it read. */
static void ahead_outcome(tern_backend_s3 *b, int taken_at_once)
{
    struct ahead *a = &b->ahead;

    pthread_mutex_lock(&a->mutex);
    if (a->outcome == 0)
        a->outcome = taken_at_once ? 1 : -1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mutex);
    if (!taken_at_once)
        ahead_stop(b);
}

/* Join the thread (after telling it the lock's outcome) and release what
 * it read. */
static void ahead_stop(tern_backend_s3 *b)
{
    struct ahead *a = &b->ahead;

    if (!a->running)
        return;
    pthread_mutex_lock(&a->mutex);
    if (a->outcome == 0)
        a->outcome = -1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mutex);
    pthread_join(a->thread, NULL);
    a->running = 0;
    got_release(&a->read);
    got_release(&a->check);
}

int tern_backend_s3_lock_read(tern_backend_s3 *b, const char *operation,
                              unsigned int timeout_ms, struct tern_diags *diags)
{
    int first = 0, error;

    /* With a table the state is read after the lock, its digest checked
     * (digest_wait): the overlapped read is for the lock file alone. */
    if (!b->use_lockfile || b->ddb || b->lock_id || b->ahead.running)
        return tern_backend_s3_lock(b, operation, timeout_ms, diags);
    b->ahead.outcome = 0;
    b->ahead.verified = 0;
    b->ahead.result = TERN_OK;
    if (pthread_create(&b->ahead.thread, NULL, ahead_main, b) != 0)
        return tern_backend_s3_lock(b, operation, timeout_ms, diags);
    b->ahead.running = 1;
    error = take_lock(b, operation, timeout_ms, &first, diags);
    ahead_outcome(b, error == TERN_OK && first);
    return error;
}

static int unlock_file(tern_backend_s3 *b, struct tern_diags *diags)
{
    struct tern_diags attempt = TERN_DIAGS_INIT;
    int error;

    /*
     * Delete only the lock object this run wrote: a conditional delete on
     * its ETag is one round trip where Terraform's client.go reads the
     * lock info first, and it cannot remove a lock another run took after
     * a force-unlock.
     */
    error =
        tern_s3_delete(b->s3, b->bucket, b->lock_key, b->lock_etag, &attempt);
    if (error == TERN_ENOTFOUND) {
        tern_diags_release(&attempt);
        tern_diags_add(diags, TERN_SEV_WARNING, NULL, "State lock was lost",
                       "The lock %s on %s was removed by someone else "
                       "(force-unlock) while tern held it.",
                       b->lock_id, b->path);
        error = TERN_OK;
    } else if (error == TERN_ECONFLICT) {
        tern_diags_release(&attempt);
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Error releasing the state lock",
                       "The lock on %s is no longer %s: it was "
                       "force-unlocked and taken by another run. tern left "
                       "it alone.",
                       b->path, b->lock_id);
    } else {
        tern_diags_move(diags, &attempt);
    }
    return error;
}

int tern_backend_s3_unlock(tern_backend_s3 *b, struct tern_diags *diags)
{
    int error = TERN_OK, e2;

    if (!b->lock_id)
        return TERN_OK;
    if (b->use_lockfile)
        error = unlock_file(b, diags);
    if (b->ddb && error != TERN_ECONFLICT &&
        (e2 = ddb_unlock(b, b->lock_id, 1, diags)) != TERN_OK && !error)
        error = e2;
    if (error == TERN_OK || error == TERN_ECONFLICT) {
        tern_free(b->lock_id);
        b->lock_id = NULL;
    }
    return error;
}

static int put_json(tern_backend_s3 *b, const json_t *doc,
                    struct tern_diags *diags);

/*
 * Record in the state object that the run holding lock @p info was
 * force-unlocked while it applied: "interrupted": {ID, Who, Created}. The
 * next apply looks up every object it would create and adopts what the
 * dead run made before its intents and steps reached the object
 * (tern_backend_s3_interrupted). With no object yet (the dead run's first
 * apply), one is written: an empty v4 state carrying only the marker.
 */
static int mark_interrupted(tern_backend_s3 *b, const json_t *info,
                            struct tern_diags *diags)
{
    json_t *doc = NULL, *ext, *mark = NULL;
    char *lineage = NULL;
    int error;

    error = tern_backend_s3_read(b, &doc, diags);
    if (error)
        return error;
    if (!doc) {
        lineage = uuid();
        TERN_CHECK_ALLOC(lineage);
        /* state/tfjson.c's export of an empty store, serial 1 as the
         * first pull of an apply starts it (tern_backend_s3_pull). */
        doc = json_pack("{s:i, s:s, s:i, s:s, s:{}, s:[], s:n}", "version", 4,
                        "terraform_version", TERN_STATE_TERRAFORM_VERSION,
                        "serial", 1, "lineage", lineage, "outputs", "resources",
                        "check_results");
        TERN_CHECK_ALLOC(doc);
    }
    ext = json_object_get(doc, EXTENSION);
    if (!json_is_object(ext)) {
        ext = json_pack("{s:i, s:[]}", "format", 1, "intents");
        TERN_CHECK_ALLOC(ext);
        if (json_object_set_new(doc, EXTENSION, ext) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    mark = json_pack("{s:O?, s:O?, s:O?}", "ID", json_object_get(info, "ID"),
                     "Who", json_object_get(info, "Who"), "Created",
                     json_object_get(info, "Created"));
    TERN_CHECK_ALLOC(mark);
    if (json_object_set_new(ext, "interrupted", mark) != 0) {
        mark = NULL;
        error = TERN_ENOMEM;
        goto done;
    }
    mark = NULL;
    error = put_json(b, doc, diags);
done:
    json_decref(mark);
    json_decref(doc);
    tern_free(lineage);
    return error;
}

int tern_backend_s3_force_unlock(tern_backend_s3 *b, const char *id,
                                 struct tern_diags *diags)
{
    tern_buf body = TERN_BUF_INIT;
    json_t *info = NULL;
    const char *held;
    int error = TERN_ENOTFOUND, table_only = 0, oom = 0;

    if (b->use_lockfile) {
        error = tern_s3_get(b->s3, b->bucket, b->lock_key, &body, NULL, diags);
        if (error == TERN_OK)
            info = tern_json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL,
                                   &oom);
        if (oom) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    /* No lock object: the lock may be in the table alone (a Terraform
     * run that locks with the table only). */
    if (error == TERN_ENOTFOUND && b->ddb) {
        table_only = 1;
        error = ddb_lock_info(b, &info, diags);
    }
    if (error == TERN_ENOTFOUND) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to unlock state",
                       "There is no lock on %s.", b->path);
        goto done;
    }
    if (error)
        goto done;
    held = json_string_value(json_object_get(info, "ID"));
    if (!held || strcmp(held, id) != 0) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to unlock state",
                       "lock ID \"%s\" does not match existing lock ID "
                       "\"%s\"",
                       id, held ? held : "");
        error = TERN_ENOTFOUND;
        goto done;
    }
    /* The run that held it applied and did not finish: what it created
     * without pushing is found by name by the next apply. */
    if (strcmp(json_string_value(json_object_get(info, "Operation"))
                   ? json_string_value(json_object_get(info, "Operation"))
                   : "",
               "OperationTypeApply") == 0 &&
        (error = mark_interrupted(b, info, diags)) != TERN_OK)
        goto done;
    if (b->use_lockfile && !table_only)
        error = tern_s3_delete(b->s3, b->bucket, b->lock_key, NULL, diags);
    if (error == TERN_OK && b->ddb)
        error = table_only ? ddb_delete(b, diags) : ddb_unlock(b, id, 0, diags);
done:
    json_decref(info);
    tern_buf_release(&body);
    return error;
}

/*
 * What a GetObject of the state answered (@p error, the bytes in @p body,
 * the ETag in @p etag, taken): the v4 document in *doc (NULL when there is
 * no object), and the ETag remembered for the next write.
 */
static int parse_state(tern_backend_s3 *b, int error, const tern_buf *body,
                       char **etag, json_t **doc, struct tern_diags *diags)
{
    json_error_t jerr;
    int oom = 0;

    *doc = NULL;
    if (error == TERN_ENOTFOUND) {
        tern_free(b->etag);
        b->etag = NULL;
        return TERN_OK;
    }
    if (error)
        return error;
    *doc =
        tern_json_loadb(body->ptr ? body->ptr : "", body->len, 0, &jerr, &oom);
    if (oom)
        return TERN_ENOMEM;
    if (!*doc || !json_is_object(*doc)) {
        char why[sizeof(jerr.text)];

        tern_printable_copy(why, sizeof(why), jerr.text);
        json_decref(*doc);
        *doc = NULL;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Unreadable remote state",
                       "s3://%s is not a Terraform state (JSON, line %d: "
                       "%s). Nothing was changed.",
                       b->path, jerr.line, why);
        return TERN_EINVALID;
    }
    tern_free(b->etag);
    b->etag = *etag;
    *etag = NULL;
    return TERN_OK;
}

/* ---- The state's digest in the table (dynamodb_table) ---------------- */

/* client.go: consistencyRetryTimeout, consistencyRetryPollInterval. */
#define DIGEST_TIMEOUT_MS 10000
#define DIGEST_POLL_MS    2000

/* The hex MD5 of @p len bytes; "" for none (client.go getObject: an empty
 * or missing object has no digest). */
static void md5_hex(char out[33], const void *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;

    out[0] = '\0';
    if (!len || !EVP_Digest(data, len, d, &n, EVP_md5(), NULL) || n != 16)
        return;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[32] = '\0';
}

/* "BUCKET/KEY-md5" (client.go stateIDSuffix), caller frees. */
static char *digest_id(const tern_backend_s3 *b)
{
    return tern_asprintf("%s-md5", b->path);
}

/*
 * client.go putMD5: after each state write, PutItem {LockID:
 * "BUCKET/KEY-md5", Digest: the hex MD5 of the bytes written}. As there,
 * a failure is logged, not fatal: the write itself succeeded.
 */
static void digest_put(tern_backend_s3 *b, const char *text, size_t len)
{
    struct tern_diags ignored = TERN_DIAGS_INIT;
    char hex[33], *id = digest_id(b);

    md5_hex(hex, text, len);
    if (ddb_send(
            b, "PutItem",
            id ? tern_ddb_put_body(b->table, NULL, "Digest", hex, "LockID", id)
               : NULL,
            NULL, &ignored))
        TERN_LOG_AT(TERN_LOG_WARN,
                    "backend s3: failed to record state serial in dynamodb: "
                    "%s",
                    ignored.count && ignored.items[0].detail
                        ? ignored.items[0].detail
                        : "out of memory");
    tern_diags_release(&ignored);
    tern_free(id);
}

/*
 * client.go getMD5: the digest the table holds (GetItem, ProjectionExpression
 * "LockID, Digest", ConsistentRead) into @p out; 0 when there is none or it
 * cannot be read (logged, and the state is taken as it is, as there).
 */
static int digest_get(tern_backend_s3 *b, char out[33])
{
    struct tern_diags ignored = TERN_DIAGS_INIT;
    char *id = digest_id(b);
    json_t *res = NULL;
    const char *v = NULL;
    size_t i;
    int called = 0;

    if (id && ddb_send(b, "GetItem",
                       tern_ddb_get_body(b->table, id, "LockID, Digest"), &res,
                       &ignored) == TERN_OK) {
        called = 1;
        v = json_string_value(json_object_get(
            json_object_get(json_object_get(res, "Item"), "Digest"), "S"));
    }
    for (i = 0; v && v[i]; i++)
        if (!strchr("0123456789abcdefABCDEF", v[i]))
            break;
    if (called && !json_object_get(res, "Item")) {
        /* No digest yet (no run wrote this state with the table). */
        out[0] = '\0';
    } else if (!v || i != 32 || v[i]) {
        TERN_LOG_AT(TERN_LOG_WARN, "backend s3: failed to fetch state MD5: %s",
                    ignored.count && ignored.items[0].detail
                        ? ignored.items[0].detail
                        : "invalid md5");
        out[0] = '\0';
    } else {
        for (i = 0; i < 32; i++)
            out[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] + 32 : v[i]);
        out[32] = '\0';
    }
    json_decref(res);
    tern_diags_release(&ignored);
    tern_free(id);
    return out[0] != '\0';
}

/* client.go badChecksumError and its resolutionMsg, word for word (the
 * value to store is the calculated checksum, as in Terraform 1.10). */
static void bad_checksum(tern_backend_s3 *b, const char *calc,
                         const char *stored, struct tern_diags *diags)
{
    char *fix = calc[0]
                    ? tern_asprintf("update the Digest\nvalue stored in the "
                                    "DynamoDB table to the following value: %s",
                                    calc)
                    : tern_strdup("remove the Digest\nvalue stored in the "
                                  "DynamoDB table");

    tern_diags_add(
        diags, TERN_SEV_ERROR, NULL, "Error loading state",
        "state data in S3 does not have the expected content.\n\n"
        "The checksum calculated for the state stored in S3 does not match "
        "the checksum\nstored in DynamoDB.\n\n"
        "Bucket: %s\nKey:    %s\nCalculated checksum: %s\n"
        "Stored checksum:     %s\n\n"
        "This may be caused by unusually long delays in S3 processing a "
        "previous state\nupdate. Please wait for a minute or two and try "
        "again.\n\n"
        "If this problem persists, and neither S3 nor DynamoDB are "
        "experiencing an\noutage, you may need to manually verify the "
        "remote state and %s",
        b->bucket, b->key, calc, stored, fix ? fix : "");
    tern_free(fix);
}

/*
 * client.go Get: the object read (@p error, @p body, @p etag) must have the
 * digest the table holds (@p first, read beside it; "" for none: no
 * check); while it does not, read both again every 2 s (on the backend's
 * clock) up to 10 s from the first read, then refuse.
 */
static int digest_wait(tern_backend_s3 *b, int error, tern_buf *body,
                       char **etag, const char *first, struct tern_diags *diags)
{
    long long deadline = tern_clock_now(b->clock) + DIGEST_TIMEOUT_MS;
    char want[33], got[33];

    snprintf(want, sizeof(want), "%s", first);
    for (;;) {
        if (error != TERN_OK && error != TERN_ENOTFOUND)
            return error;
        if (!want[0])
            return error;
        md5_hex(got, body->ptr, error == TERN_OK ? body->len : 0);
        if (strcmp(got, want) == 0)
            return error;
        TERN_LOG_AT(TERN_LOG_INFO,
                    "backend s3: state MD5 mismatch: expected %s, actual %s",
                    want, got[0] ? got : "(none)");
        if (tern_clock_now(b->clock) >= deadline) {
            bad_checksum(b, got, want, diags);
            return TERN_ERROR;
        }
        if (tern_clock_sleep(b->clock, DIGEST_POLL_MS, b->cancel)) {
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Operation canceled",
                           "Waiting for the state's digest was canceled.");
            return TERN_ECANCELED;
        }
        tern_buf_clear(body);
        tern_free(*etag);
        *etag = NULL;
        error = tern_s3_get(b->s3, b->bucket, b->key, body, etag, diags);
        digest_get(b, want);
    }
}

/* The digest read beside the state's read (one round trip, not two). */
struct digest_fetch {
    tern_backend_s3 *b;
    char want[33];
};

static void *digest_main(void *arg)
{
    struct digest_fetch *f = arg;

    digest_get(f->b, f->want);
    return NULL;
}

int tern_backend_s3_read(tern_backend_s3 *b, json_t **doc,
                         struct tern_diags *diags)
{
    tern_buf body = TERN_BUF_INIT;
    char *etag = NULL;
    struct digest_fetch f;
    pthread_t t;
    int error, started = 0;

    f.b = b;
    f.want[0] = '\0';
    if (b->ddb)
        started = pthread_create(&t, NULL, digest_main, &f) == 0;
    error = tern_s3_get(b->s3, b->bucket, b->key, &body, &etag, diags);
    if (b->ddb) {
        if (started)
            pthread_join(t, NULL);
        else
            digest_get(b, f.want);
        error = digest_wait(b, error, &body, &etag, f.want, diags);
    }
    error = parse_state(b, error, &body, &etag, doc, diags);
    tern_free(etag);
    tern_buf_release(&body);
    return error;
}

/* The read overlapped with the lock, once it is in (the lock was taken at
 * the first attempt); else a read now. */
static int read_for_pull(tern_backend_s3 *b, json_t **doc,
                         struct tern_diags *diags)
{
    struct ahead *a = &b->ahead;
    int error;

    if (!a->running || a->outcome <= 0)
        return tern_backend_s3_read(b, doc, diags);
    pthread_mutex_lock(&a->mutex);
    while (!a->read.done)
        pthread_cond_wait(&a->cond, &a->mutex);
    /* The thread keeps only read.body's bytes (compared, never freed). */
    tern_diags_move(diags, &a->read.diags);
    error =
        parse_state(b, a->read.error, &a->read.body, &a->read.etag, doc, diags);
    pthread_mutex_unlock(&a->mutex);
    return error;
}

/* Remove a working copy: the database and its companions. */
static void remove_working_copy(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    size_t i;

    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char *p = tern_asprintf("%s%s", path, suffixes[i]);

        if (p)
            unlink(p);
        tern_free(p);
    }
}

/* Build the working copy at @p path from the object's document @p doc
 * (NULL: none; taken). */
static int build_copy(tern_backend_s3 *b, const char *path,
                      const char *operation, int start_at_one, json_t *doc,
                      tern_state **st, struct tern_diags *diags)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    json_t *intents, *it;
    tern_state_intent *list = NULL;
    size_t i, n = 0;
    int error;

    *st = NULL;
    remove_working_copy(path);
    so.path = path;
    so.create = 1;
    so.operation = operation;
    error = tern_state_open(st, &so, diags);
    if (error)
        goto done;
    if (!doc && start_at_one) {
        /* No object yet. A store that was never written has serial 0,
         * which an import of it elsewhere would turn into 1 (serial 0
         * means "never written"): start the working copy at serial 1, so
         * the object this run writes first, and a plan saved from it,
         * name the same serial on every runner. */
        error = tern_state_export(*st, -1, &doc, diags);
        if (error)
            goto done;
        if (json_object_set_new(doc, "serial", json_integer(1)) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (doc) {
        const json_t *mark =
            json_object_get(json_object_get(doc, EXTENSION), "interrupted");

        error = tern_state_import(*st, doc, TERN_STATE_IMPORT_FORCE, diags);
        if (error)
            goto done;
        json_decref(b->interrupted);
        b->interrupted =
            json_is_object(mark) ? json_incref((json_t *)mark) : NULL;
        intents = json_object_get(json_object_get(doc, EXTENSION), "intents");
        json_array_foreach(intents, i, it)
        {
            int64_t id = 0;
            const char *addr =
                json_string_value(json_object_get(it, "address"));
            const char *action =
                json_string_value(json_object_get(it, "action"));

            if (!addr || !action)
                continue;
            error = tern_state_intent_begin(
                *st, &id, addr, action, json_object_get(it, "identity"), diags);
            if (error)
                goto done;
        }
        /* The import recorded its own changes: the history is the one the
         * object carries. */
        error = tern_backend_s3_history_load(
            *st, json_object_get(doc, EXTENSION), diags);
        if (error)
            goto done;
    }
    b->serial = tern_state_serial(*st);
    error = tern_state_intents(*st, &list, &n, diags);
    b->nintents = n;
    b->pulled = 1;
done:
    tern_state_intents_free(list, n);
    json_decref(doc);
    if (error) {
        tern_state_free(*st);
        *st = NULL;
    }
    return error;
}

int tern_backend_s3_pull(tern_backend_s3 *b, const char *path,
                         const char *operation, int start_at_one,
                         tern_state **st, struct tern_diags *diags)
{
    json_t *doc = NULL;
    int error;

    *st = NULL;
    tern_free(b->pull_path);
    tern_free(b->pull_operation);
    b->pull_path = tern_strdup(path);
    b->pull_operation = operation ? tern_strdup(operation) : NULL;
    b->pull_start_at_one = start_at_one;
    if (!b->pull_path || (operation && !b->pull_operation))
        return TERN_ENOMEM;
    error = read_for_pull(b, &doc, diags);
    if (error)
        return error;
    return build_copy(b, path, operation, start_at_one, doc, st, diags);
}

/* "serial N" of a state object's bytes, or what stands for it;
 * TERN_ENOMEM when the bytes could not be read for lack of memory. */
static int describe_serial(char *out, size_t size, int exists,
                           const tern_buf *body, int64_t serial)
{
    json_t *doc = NULL;
    int oom = 0;

    if (!exists) {
        snprintf(out, size, "no state");
        return TERN_OK;
    }
    if (body) {
        doc = tern_json_loadb(body->ptr ? body->ptr : "", body->len, 0, NULL,
                              &oom);
        serial = json_integer_value(json_object_get(doc, "serial"));
        json_decref(doc);
    }
    snprintf(out, size, "serial %lld", (long long)serial);
    return oom ? TERN_ENOMEM : TERN_OK;
}

/* The check found the object changed since the read: rebuild the working
 * copy from it (*st not yet planned from), or refuse. */
static int read_moved(tern_backend_s3 *b, tern_state **st,
                      struct tern_diags *diags)
{
    struct ahead *a = &b->ahead;
    char then[48], now[48];
    json_t *doc = NULL;
    int error;

    if (st) {
        TERN_LOG_AT(TERN_LOG_INFO,
                    "backend s3: %s changed between the read and the lock; "
                    "using the object as it is now",
                    b->path);
        tern_state_free(*st);
        *st = NULL;
        error = parse_state(b, a->check.exists ? TERN_OK : TERN_ENOTFOUND,
                            &a->check.body, &a->check.etag, &doc, diags);
        if (error)
            return error;
        return build_copy(b, b->pull_path, b->pull_operation,
                          b->pull_start_at_one, doc, st, diags);
    }
    describe_serial(then, sizeof(then), a->read.error == TERN_OK, NULL,
                    b->serial);
    if (describe_serial(now, sizeof(now), a->check.exists, &a->check.body, 0) !=
        TERN_OK)
        return TERN_ENOMEM;
    tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                   "State changed while tern read it",
                   "Another run wrote s3://%s after tern read it and before "
                   "tern took the lock (%s when read, %s now), and tern had "
                   "already planned from the older state. Nothing was shown, "
                   "saved or applied, and nothing was changed: run the "
                   "command again to plan from the state as it is now.",
                   b->path, then, now);
    return TERN_ECONFLICT;
}

int tern_backend_s3_verify(tern_backend_s3 *b, tern_state **st,
                           struct tern_diags *diags)
{
    struct ahead *a = &b->ahead;
    int error;

    if (a->verified || !a->running || a->outcome <= 0)
        return a->verified ? a->result : TERN_OK;
    pthread_mutex_lock(&a->mutex);
    while (!a->check.done)
        pthread_cond_wait(&a->cond, &a->mutex);
    pthread_mutex_unlock(&a->mutex);
    pthread_join(a->thread, NULL);
    a->running = 0;
    tern_diags_move(diags, &a->check.diags);
    error = a->check.error;
    if (error == TERN_OK && a->check.changed)
        error = read_moved(b, st, diags);
    else if (error == TERN_OK)
        TERN_LOG_AT(TERN_LOG_DEBUG, "backend s3: %s unchanged since the read",
                    b->path);
    got_release(&a->read);
    got_release(&a->check);
    a->verified = 1;
    a->result = error;
    return error;
}

/* Write the state object: @p text, a document as put_json() dumps it. */
static int put_doc(tern_backend_s3 *b, const char *text, size_t len,
                   size_t *bytes, struct tern_diags *diags)
{
    tern_s3_put_opts po = TERN_S3_PUT_OPTS_INIT;
    char *etag = NULL;
    struct tern_diags attempt = TERN_DIAGS_INIT;
    int error;

    po.content_type = "application/json";
    po.sse =
        b->encrypt && !b->ssec ? (b->kms_key_id ? "aws:kms" : "AES256") : NULL;
    po.kms_key_id = b->encrypt ? b->kms_key_id : NULL;
    po.acl = b->acl;
    if (b->etag)
        po.if_match = b->etag;
    else
        po.if_none_match = 1;
    error =
        tern_s3_put(b->s3, b->bucket, b->key, text, len, &po, &etag, &attempt);
    if (error == TERN_ECONFLICT) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Error saving state",
                       "The state at s3://%s changed since tern read it "
                       "(%s): another run wrote it, so this run's lock was "
                       "force-unlocked or not taken. tern did not overwrite "
                       "it. What this run did is in the local working copy; "
                       "compare with `tern state pull` before pushing it "
                       "with `tern state push -force`.",
                       b->path,
                       attempt.count && attempt.items[0].service_code
                           ? attempt.items[0].service_code
                           : "conflict");
        tern_diags_release(&attempt);
    } else {
        tern_diags_move(diags, &attempt);
    }
    if (error == TERN_OK) {
        tern_free(b->etag);
        b->etag = etag;
        etag = NULL;
        if (bytes)
            *bytes = len;
        if (b->ddb)
            digest_put(b, text, len);
    }
    tern_free(etag);
    return error;
}

static int put_json(tern_backend_s3 *b, const json_t *doc,
                    struct tern_diags *diags)
{
    /* Terraform writes its state indented by two spaces. */
    char *text = tern_json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    int error;

    /* A state short of a member is never written. */
    if (!text)
        return TERN_ENOMEM;
    error = put_doc(b, text, strlen(text), NULL, diags);
    free(text); /* allocated by jansson */
    return error;
}

int tern_backend_s3_write(tern_backend_s3 *b, const json_t *doc,
                          struct tern_diags *diags)
{
    return put_json(b, doc, diags);
}

/* tern's extension of the document: the intents, the bounded history
 * and the interrupted-run marker until settled. */
static int build_ext(tern_backend_s3 *b, tern_state *st, json_t **out,
                     size_t *nintents, struct tern_diags *diags)
{
    json_t *ext = NULL, *arr = NULL;
    tern_state_intent *list = NULL;
    size_t i, n = 0;
    int error;

    *out = NULL;
    error = tern_state_intents(st, &list, &n, diags);
    if (error)
        return error;
    arr = json_array();
    TERN_CHECK_ALLOC(arr);
    for (i = 0; i < n; i++) {
        json_t *o;

        /* Deposed objects are in the document's resources, each with its
         * deposed key (state/tfjson.c); an object written before that
         * carries them here, and a pull still takes them from here. */
        if (strcmp(list[i].action, "deposed") == 0)
            continue;
        o = json_pack("{s:s, s:s, s:o}", "address", list[i].address, "action",
                      list[i].action, "identity",
                      list[i].identity ? json_incref(list[i].identity)
                                       : json_object());
        TERN_CHECK_ALLOC(o);
        if (list[i].operation &&
            json_object_set_new(o, "operation",
                                json_string(list[i].operation)) != 0) {
            json_decref(o);
            error = TERN_ENOMEM;
            goto done;
        }
        if (json_array_append_new(arr, o) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    ext = json_pack("{s:i, s:o}", "format", 1, "intents", arr);
    arr = NULL;
    TERN_CHECK_ALLOC(ext);
    if ((error = tern_backend_s3_history_add(st, ext, diags)) != 0)
        goto done;
    if (b->interrupted &&
        json_object_set(ext, "interrupted", b->interrupted) != 0) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = ext;
    ext = NULL;
    *nintents = n;
done:
    json_decref(arr);
    json_decref(ext);
    tern_state_intents_free(list, n);
    return error;
}

/*
 * The document a push writes, as text: the working copy's v4 export with
 * tern's extension, byte for byte what json_dumps() made of
 * tern_state_export()'s tree with the extension set, but with only the
 * instances that changed since the last push serialized again
 * (tern_state_export_text; b->texts).
 */
static int build_doc(tern_backend_s3 *b, tern_state *st, char **text,
                     size_t *len, size_t *nintents, struct tern_diags *diags)
{
    json_t *ext = NULL;
    int error;

    *text = NULL;
    *len = 0;
    if (!b->texts && (b->texts = tern_state_text_cache_new()) == NULL)
        return TERN_ENOMEM;
    if ((error = build_ext(b, st, &ext, nintents, diags)) != 0)
        return error;
    error =
        tern_state_export_text(st, b->texts, EXTENSION, ext, text, len, diags);
    json_decref(ext);
    return error;
}

/* A push finished: what the object now holds. */
static void pushed(tern_backend_s3 *b, int64_t serial, size_t nintents,
                   size_t bytes)
{
    b->serial = serial;
    b->nintents = nintents;
    b->pulled = 1;
    b->pushes++;
    b->pushed_bytes += bytes;
    b->last_push_ms = tern_clock_now(b->clock);
}

/* With push_lock held: wait for the pusher's write in flight, then write
 * the working copy now if it changed; a document waiting for the pusher is
 * superseded. */
static int push_locked(tern_backend_s3 *b, tern_state *st, size_t *bytes,
                       struct tern_diags *diags)
{
    char *doc = NULL;
    size_t n = 0, len = 0, written = 0;
    int64_t serial;
    int error;

    if (bytes)
        *bytes = 0;
    while (b->in_flight)
        pthread_cond_wait(&b->push_cond, &b->push_lock);
    tern_free(b->pending);
    b->pending = NULL;
    serial = tern_state_serial(st);
    /* Nothing changed, and the object exists: nothing to write (and no
     * document to build). When it does not exist yet, the first write
     * creates it with the lineage that a saved plan names, so another
     * runner can apply that plan. */
    if (b->pulled && b->etag && serial == b->serial && b->nintents == 0 &&
        !b->marker_changed) {
        tern_state_intent *list = NULL;

        error = tern_state_intents(st, &list, &n, diags);
        tern_state_intents_free(list, n);
        if (error || n == 0)
            return error;
    }
    error = build_doc(b, st, &doc, &len, &n, diags);
    if (error)
        return error;
    b->in_flight = 1;
    error = put_doc(b, doc, len, &written, diags);
    b->in_flight = 0;
    pthread_cond_broadcast(&b->push_cond);
    if (error == TERN_OK) {
        pushed(b, serial, n, written);
        b->marker_changed = 0;
        if (bytes)
            *bytes = written;
    }
    tern_free(doc);
    return error;
}

int tern_backend_s3_push(tern_backend_s3 *b, tern_state *st, size_t *bytes,
                         struct tern_diags *diags)
{
    size_t written = 0;
    int error;

    pthread_mutex_lock(&b->push_lock);
    if (b->watch_error) {
        /* A push from the watch failed: report it; after a lost ETag
         * never write again. */
        error = b->watch_error;
        tern_diags_move(diags, &b->watch_diags);
        if (error != TERN_ECONFLICT)
            error = push_locked(b, st, &written, diags);
    } else {
        error = push_locked(b, st, &written, diags);
    }
    pthread_mutex_unlock(&b->push_lock);
    if (bytes)
        *bytes = written;
    return error;
}

/*
 * The pusher thread: writes the newest document the watch exported, at
 * most one write every interval_ms (what changed meanwhile is coalesced
 * into the next), off the thread that runs the apply.
 */
static void *pusher_main(void *arg)
{
    tern_backend_s3 *b = arg;

    pthread_mutex_lock(&b->push_lock);
    for (;;) {
        struct tern_diags d = TERN_DIAGS_INIT;
        char *doc;
        int64_t serial, due;
        size_t n, len, written = 0;
        int error;

        while (!b->stopping && (!b->pending || b->watch_error))
            pthread_cond_wait(&b->push_cond, &b->push_lock);
        if (b->stopping)
            break;
        due = b->last_push_ms + b->interval_ms;
        while (!b->stopping && b->pending && tern_clock_now(b->clock) < due)
            tern_clock_wait_until(b->clock, &b->push_cond, &b->push_lock, due);
        /* Stopping: the final push writes the rest. Taken by a flush
         * (which holds the mutex for its whole write): nothing left. */
        if (b->stopping)
            break;
        if (!b->pending || b->watch_error)
            continue;
        doc = b->pending;
        len = b->pending_len;
        serial = b->pending_serial;
        n = b->pending_nintents;
        b->pending = NULL;
        b->in_flight = 1;
        pthread_mutex_unlock(&b->push_lock);
        error = put_doc(b, doc, len, &written, &d);
        tern_free(doc);
        pthread_mutex_lock(&b->push_lock);
        b->in_flight = 0;
        if (error == TERN_OK) {
            pushed(b, serial, n, written);
            TERN_LOG_AT(TERN_LOG_DEBUG,
                        "backend s3: pushed %zu bytes (steps) to %s", written,
                        b->path);
        } else {
            b->watch_error = error;
            tern_diags_move(&b->watch_diags, &d);
        }
        tern_diags_release(&d);
        pthread_cond_broadcast(&b->push_cond);
    }
    pthread_mutex_unlock(&b->push_lock);
    return NULL;
}

static int on_change(void *ud, tern_state *st, int what,
                     struct tern_diags *diags)
{
    tern_backend_s3 *b = ud;
    struct tern_diags d = TERN_DIAGS_INIT;
    char *doc = NULL;
    size_t n = 0, len = 0, bytes = 0;
    int error = TERN_OK;

    pthread_mutex_lock(&b->push_lock);
    if (what == TERN_STATE_FLUSH) {
        /* The intent of an object the next run could not find by name:
         * written now, with everything before it, and waited for. */
        if (b->watch_error == TERN_ECONFLICT) {
            error = TERN_ECONFLICT;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Error saving state",
                           "The state at s3://%s could not be written (see "
                           "the error below), so the create was not made: "
                           "the next run could not find its object.",
                           b->path);
        } else {
            error = push_locked(b, st, &bytes, diags);
            TERN_LOG_AT(TERN_LOG_DEBUG,
                        "backend s3: pushed %zu bytes (intent) to %s", bytes,
                        b->path);
        }
        goto done;
    }
    if (b->watch_error)
        goto done;
    /* Export on the thread that owns the working copy, at most once an
     * interval (an export is the whole state: once per change would be
     * O(n^2) work); the pusher writes it. A change inside the interval
     * goes with the next export, or the final push. */
    if (tern_clock_now(b->clock) - b->last_export_ms < b->interval_ms)
        goto done;
    b->last_export_ms = tern_clock_now(b->clock);
    if (build_doc(b, st, &doc, &len, &n, &d) != TERN_OK) {
        b->watch_error = TERN_ERROR;
        tern_diags_move(&b->watch_diags, &d);
        goto done;
    }
    tern_free(b->pending);
    b->pending = doc;
    b->pending_len = len;
    b->pending_serial = tern_state_serial(st);
    b->pending_nintents = n;
    pthread_cond_broadcast(&b->push_cond);
done:
    tern_diags_release(&d);
    pthread_mutex_unlock(&b->push_lock);
    return error;
}

/* Stop the pusher thread; what it had not written is dropped (the final
 * push writes it). */
static void stop_pusher(tern_backend_s3 *b)
{
    if (b->pusher_running) {
        pthread_mutex_lock(&b->push_lock);
        b->stopping = 1;
        pthread_cond_broadcast(&b->push_cond);
        pthread_mutex_unlock(&b->push_lock);
        pthread_join(b->pusher, NULL);
        b->pusher_running = 0;
        b->stopping = 0;
    }
    tern_free(b->pending);
    b->pending = NULL;
}

void tern_backend_s3_watch(tern_backend_s3 *b, tern_state *st, long interval_ms)
{
    if (b->watched)
        tern_state_set_change_hook(b->watched, NULL, NULL);
    stop_pusher(b);
    b->watched = st;
    b->interval_ms = interval_ms;
    b->last_push_ms = b->last_export_ms = tern_clock_now(b->clock);
    if (!st)
        return;
    if (pthread_create(&b->pusher, NULL, pusher_main, b) == 0)
        b->pusher_running = 1;
    else
        TERN_LOG_AT(TERN_LOG_WARN,
                    "backend s3: no pusher thread; completed steps are "
                    "written at the end");
    tern_state_set_change_hook(st, on_change, b);
}

void tern_backend_s3_stats(const tern_backend_s3 *b, size_t *pushes,
                           size_t *bytes)
{
    *pushes = b->pushes;
    *bytes = b->pushed_bytes;
}

const json_t *tern_backend_s3_interrupted(const tern_backend_s3 *b)
{
    return b->interrupted;
}

void tern_backend_s3_settle(tern_backend_s3 *b)
{
    pthread_mutex_lock(&b->push_lock);
    if (b->interrupted) {
        json_decref(b->interrupted);
        b->interrupted = NULL;
        b->marker_changed = 1;
    }
    pthread_mutex_unlock(&b->push_lock);
}

int tern_backend_s3_list(tern_backend_s3 *b, const char *prefix,
                         int (*fn)(void *ud, const char *key, int is_prefix),
                         void *ud, struct tern_diags *diags)
{
    return tern_s3_list(b->s3, b->bucket, prefix, NULL, fn, ud, diags);
}

/* client.go Delete: the object, then its digest (deleteMD5; a failure
 * there is logged). */
int tern_backend_s3_delete_state(tern_backend_s3 *b, struct tern_diags *diags)
{
    struct tern_diags ignored = TERN_DIAGS_INIT;
    char *id;
    int error = tern_s3_delete(b->s3, b->bucket, b->key, NULL, diags);

    if (error || !b->ddb)
        return error;
    id = digest_id(b);
    if (ddb_send(b, "DeleteItem",
                 id ? tern_ddb_delete_body(b->table, id) : NULL, NULL,
                 &ignored))
        TERN_LOG_AT(TERN_LOG_ERROR, "backend s3: deleting state MD5: %s",
                    ignored.count && ignored.items[0].detail
                        ? ignored.items[0].detail
                        : "out of memory");
    tern_diags_release(&ignored);
    tern_free(id);
    return TERN_OK;
}

/* ---- The history in the extension ------------------------------------ */

/*
 * The last TERN_S3_HISTORY_SERIALS serials' changes, whole serials, newest
 * first, while their compact JSON stays under TERN_S3_HISTORY_BYTES; the
 * rest is dropped (oldest first). "history_from" is then the oldest serial
 * the carried changes rebuild.
 */
int tern_backend_s3_history_add(tern_state *st, json_t *ext,
                                struct tern_diags *diags)
{
    tern_state_change *list = NULL;
    size_t n = 0, i, start, bytes = 0, serials = 0;
    json_t *arr = NULL, *o;
    int64_t from = 0, current = tern_state_serial(st);
    int error;

    if ((error = tern_state_history(st, -1, &list, &n, diags)) != 0)
        return error;
    if ((error = tern_state_history_from(st, &from)) != 0)
        goto done;
    /* Walk back whole serials while they fit. */
    start = n;
    while (start > 0) {
        size_t j = start, size = 0;
        int64_t serial = list[start - 1].serial;

        while (j > 0 && list[j - 1].serial == serial) {
            char *text = list[j - 1].before
                             ? tern_json_dumps(list[j - 1].before,
                                               JSON_COMPACT | JSON_ENCODE_ANY)
                             : NULL;

            /* A size not measured would carry too much or too little. */
            if (list[j - 1].before && !text) {
                error = TERN_ENOMEM;
                goto done;
            }
            size += 96 + strlen(list[j - 1].key) +
                    strlen(list[j - 1].operation) + (text ? strlen(text) : 4);
            free(text); /* allocated by jansson */
            j--;
        }
        if (serials + 1 > TERN_S3_HISTORY_SERIALS ||
            bytes + size > TERN_S3_HISTORY_BYTES) {
            /* What is older than the carried changes cannot be rebuilt. */
            if (serial > from)
                from = serial;
            break;
        }
        serials++;
        bytes += size;
        start = j;
    }
    if (start == n && n > 0 && from < current)
        from = current;
    arr = json_array();
    TERN_CHECK_ALLOC(arr);
    for (i = start; i < n; i++) {
        o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:O?}", "serial",
                      (json_int_t)list[i].serial, "time",
                      (json_int_t)list[i].time, "operation", list[i].operation,
                      "kind", list[i].kind, "key", list[i].key, "before",
                      list[i].before);
        if (!o || json_array_append_new(arr, o) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (json_object_set_new(ext, "history", arr) != 0 ||
        json_object_set_new(ext, "history_from", json_integer(from)) != 0) {
        arr = NULL;
        error = TERN_ENOMEM;
        goto done;
    }
    arr = NULL;
done:
    json_decref(arr);
    tern_state_changes_free(list, n);
    return error;
}

int tern_backend_s3_history_load(tern_state *st, const json_t *ext,
                                 struct tern_diags *diags)
{
    const json_t *arr = json_object_get(ext, "history"), *it;
    const json_t *from = json_object_get(ext, "history_from");
    tern_state_change *list = NULL;
    size_t i, n = 0;
    int error = TERN_OK;

    if (json_array_size(arr) > 0) {
        list = tern_calloc(json_array_size(arr), sizeof(*list));
        TERN_CHECK_ALLOC(list);
    }
    json_array_foreach(arr, i, it)
    {
        const char *kind = json_string_value(json_object_get(it, "kind"));
        const char *key = json_string_value(json_object_get(it, "key"));
        const char *op = json_string_value(json_object_get(it, "operation"));
        const json_t *before = json_object_get(it, "before");

        /* What this tern cannot read is left out, never guessed. */
        if (!kind || !key || !op ||
            !json_is_integer(json_object_get(it, "serial")) ||
            (strcmp(kind, "resource") != 0 && strcmp(kind, "output") != 0))
            continue;
        list[n].serial = json_integer_value(json_object_get(it, "serial"));
        list[n].time = json_integer_value(json_object_get(it, "time"));
        list[n].operation = (char *)op;
        list[n].kind = (char *)kind;
        list[n].key = (char *)key;
        list[n].before = json_is_null(before) ? NULL : (json_t *)before;
        n++;
    }
    /* No history carried (an object Terraform or an older tern wrote):
     * only the current serial can be rebuilt. */
    error = tern_state_history_replace(st, list, n,
                                       json_is_integer(from)
                                           ? json_integer_value(from)
                                           : tern_state_serial(st),
                                       diags);
done:
    tern_free(list);
    return error;
}
