/*
 * The credential chain of the AWS CLI (see credentials.h for the order).
 *
 * A provider is one of four kinds: fixed keys, credential_process, STS
 * AssumeRole over another provider, and the EC2 instance metadata service.
 * The chain is resolved once, in tern_aws_credentials_new(), into one
 * provider (an assume-role provider owns its source provider); the
 * expiring kinds refetch under the provider's lock when their set is
 * within REFRESH_EARLY_S of expiring.
 */
#include "aws/credentials.h"
#include "aws/client.h"
#include "util/ini.h"
#include "aws/query.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/env.h"
#include "util/json.h"
#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Refresh this long before expiry (the SDKs use 5 to 15 minutes). */
#define REFRESH_EARLY_S   300
#define IMDS_DEFAULT      "http://169.254.169.254"
#define IMDS_DEFAULT_V6   "http://[fd00:ec2::254]"
#define IMDS_TOKEN_TTL    "21600"
#define MAX_PROFILE_DEPTH 8

enum kind { K_STATIC, K_PROCESS, K_ASSUME, K_IMDS };

struct tern_aws_credentials {
    enum kind kind;
    pthread_mutex_t lock;
    tern_aws_creds cur;
    int have;
    int invalid;
    unsigned long fetches;
    char *source;
    char *region;
    time_t (*now)(void *ud);
    void *now_ud;
    /* K_PROCESS */
    char *command;
    /* K_ASSUME */
    tern_aws_credentials *base;
    tern_aws_client *sts;
    char *role_arn, *session_name, *external_id;
    long duration;
    /* K_IMDS */
    tern_http *http;
    char *imds_endpoint;
};

void tern_aws_creds_release(tern_aws_creds *c)
{
    tern_free(c->access_key_id);
    tern_free(c->secret_access_key);
    tern_free(c->session_token);
    memset(c, 0, sizeof(*c));
}

static int creds_set(tern_aws_creds *c, const char *akid, const char *secret,
                     const char *token, time_t expiration)
{
    memset(c, 0, sizeof(*c));
    c->access_key_id = tern_strdup(akid);
    c->secret_access_key = tern_strdup(secret);
    c->session_token = token && *token ? tern_strdup(token) : NULL;
    c->expiration = expiration;
    if (!c->access_key_id || !c->secret_access_key ||
        (token && *token && !c->session_token)) {
        tern_aws_creds_release(c);
        return TERN_ENOMEM;
    }
    tern_log_add_secret(secret);
    tern_log_add_secret(token);
    return TERN_OK;
}

static time_t default_now(void *ud)
{
    (void)ud;
    return time(NULL);
}

static struct tern_aws_credentials *provider_new(enum kind kind,
                                                 const char *source)
{
    struct tern_aws_credentials *p = tern_calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->kind = kind;
    p->now = default_now;
    pthread_mutex_init(&p->lock, NULL);
    p->source = tern_strdup(source);
    if (!p->source) {
        pthread_mutex_destroy(&p->lock);
        tern_free(p);
        return NULL;
    }
    return p;
}

void tern_aws_credentials_free(tern_aws_credentials *p)
{
    if (!p)
        return;
    tern_aws_creds_release(&p->cur);
    tern_free(p->source);
    tern_free(p->region);
    tern_free(p->command);
    tern_aws_client_free(p->sts);
    tern_aws_credentials_free(p->base);
    tern_free(p->role_arn);
    tern_free(p->session_name);
    tern_free(p->external_id);
    tern_free(p->imds_endpoint);
    pthread_mutex_destroy(&p->lock);
    tern_free(p);
}

int tern_aws_credentials_new_static(tern_aws_credentials **out,
                                    const char *akid, const char *secret,
                                    const char *token)
{
    struct tern_aws_credentials *p;

    *out = NULL;
    if (!akid || !*akid || !secret || !*secret)
        return TERN_EINVALID;
    p = provider_new(K_STATIC, "static keys");
    if (!p)
        return TERN_ENOMEM;
    if (creds_set(&p->cur, akid, secret, token, 0) != TERN_OK) {
        tern_aws_credentials_free(p);
        return TERN_ENOMEM;
    }
    p->have = 1;
    p->fetches = 1;
    *out = p;
    return TERN_OK;
}

/* "2026-11-28T01:37:43Z", with optional fraction; 0 when unreadable. */
static time_t parse_iso8601(const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, sec;

    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6)
        return 0;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return timegm(&tm);
}

/*
 * The most a credential_process may print: the AWS SDK for Java v2's
 * default processOutputLimit, 64000 bytes (aws/aws-sdk-java-v2,
 * core/auth/src/main/java/software/amazon/awssdk/auth/credentials/
 * ProcessCredentialsProvider.java). botocore sets none; a credential set
 * with a session token is a few kilobytes.
 */
#define PROCESS_OUTPUT_LIMIT 64000

/*
 * Start `/bin/sh -c COMMAND` with its standard output on a new pipe,
 * whose read end goes to *@fd. posix_spawn, not popen: no fork of a
 * multithreaded process, no fflush(NULL) of other threads' streams. The
 * child gets no signal blocked (tern's threads block SIGINT/SIGTERM,
 * util/signals.c) and default dispositions, and no descriptor but 0, 1
 * and 2: tern opens its files and sockets O_CLOEXEC, and descriptors
 * from 3 up are closed in the child besides.
 */
static int spawn_shell(const char *command, pid_t *pid, int *fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dfl;
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    int p[2], rc;

    if (pipe2(p, O_CLOEXEC) != 0)
        return errno;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    /* dup2 onto 1 clears O_CLOEXEC there; the pipe's own fds close. */
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    /* And whatever a library opened without O_CLOEXEC: nothing but 0, 1
     * and 2 reaches the command. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setflags(&at,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        return rc;
    }
    *fd = p[0];
    return 0;
}

/*
 * credential_process: run the command through the shell, read its JSON.
 * p->source names it ("credential_process of profile 'x'").
 */
static int fetch_process(struct tern_aws_credentials *p, tern_aws_creds *out,
                         struct tern_diags *diags)
{
    tern_buf b = TERN_BUF_INIT;
    char chunk[4096];
    ssize_t n;
    pid_t pid;
    int fd = -1, status = 0, error = TERN_EAUTH, over = 0, rc, oom = 0;
    json_t *doc = NULL;
    json_error_t jerr;
    const char *akid, *secret, *token, *exp;

    if ((rc = spawn_shell(p->command, &pid, &fd)) != 0) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "credential_process failed",
                       "Cannot run the %s: %s.", p->source, strerror(rc));
        return TERN_EAUTH;
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (b.len + (size_t)n > PROCESS_OUTPUT_LIMIT) {
            over = 1;
            break;
        }
        tern_buf_put(&b, chunk, (size_t)n);
    }
    close(fd);
    if (over)
        kill(pid, SIGKILL); /* it would block on, or die writing to, a
                               pipe nobody reads */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    memset(chunk, 0, sizeof(chunk));
    if (tern_buf_oom(&b)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (over) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "credential_process failed",
                       "The %s printed more than %d bytes, the most tern "
                       "reads; it must print only the JSON credentials.",
                       p->source, PROCESS_OUTPUT_LIMIT);
        goto done;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status))
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "credential_process failed",
                           "The %s exited with status %d.", p->source,
                           WEXITSTATUS(status));
        else
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "credential_process failed",
                           "The %s was killed by signal %d (%s).", p->source,
                           WTERMSIG(status), strsignal(WTERMSIG(status)));
        goto done;
    }
    doc = tern_json_loadb(tern_buf_cstr(&b), b.len, 0, &jerr, &oom);
    if (oom) { /* not "printed no valid credentials" */
        error = TERN_ENOMEM;
        goto done;
    }
    akid = json_string_value(json_object_get(doc, "AccessKeyId"));
    secret = json_string_value(json_object_get(doc, "SecretAccessKey"));
    token = json_string_value(json_object_get(doc, "SessionToken"));
    exp = json_string_value(json_object_get(doc, "Expiration"));
    if (!doc || json_integer_value(json_object_get(doc, "Version")) != 1 ||
        !akid || !secret) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "credential_process failed",
                       "The %s printed no valid "
                       "credentials: it must print JSON with \"Version\": 1, "
                       "\"AccessKeyId\" and \"SecretAccessKey\"%s%s.",
                       p->source,
                       doc ? "" : "; JSON error: ", doc ? "" : jerr.text);
        goto done;
    }
    error = creds_set(out, akid, secret, token, exp ? parse_iso8601(exp) : 0);
done:
    json_decref(doc);
    /* The output held the secret; wipe it before freeing. */
    if (b.ptr)
        memset(b.ptr, 0, b.alloc);
    tern_buf_release(&b);
    return error;
}

/*
 * AssumeRole through STS, signed with the source provider's credentials.
 */
static int fetch_assume(struct tern_aws_credentials *p, tern_aws_creds *out,
                        struct tern_diags *diags)
{
    tern_buf params = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const tern_xml_node *cr;
    char dur[32];
    int error;

    tern_aws_query_add(&params, "RoleArn", p->role_arn);
    tern_aws_query_add(&params, "RoleSessionName", p->session_name);
    if (p->external_id)
        tern_aws_query_add(&params, "ExternalId", p->external_id);
    if (p->duration > 0) {
        snprintf(dur, sizeof(dur), "%ld", p->duration);
        tern_aws_query_add(&params, "DurationSeconds", dur);
    }
    if (tern_buf_oom(&params)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern_aws_call(p->sts, "AssumeRole", &params, &root, diags);
    if (error) {
        if (error != TERN_ENOMEM && error != TERN_ECANCELED)
            error = TERN_EAUTH;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Cannot assume role",
                       "Assuming the role %s with credentials from %s "
                       "failed; see the error above.",
                       p->role_arn, p->base ? p->base->source : "nowhere");
        goto done;
    }
    cr = tern_xml_find(root, "AssumeRoleResult/Credentials");
    if (!tern_xml_text(cr, "AccessKeyId") ||
        !tern_xml_text(cr, "SecretAccessKey")) {
        error = TERN_EAUTH;
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Cannot assume role",
                       "STS AssumeRole for %s answered without credentials.",
                       p->role_arn);
        goto done;
    }
    error = creds_set(out, tern_xml_text(cr, "AccessKeyId"),
                      tern_xml_text(cr, "SecretAccessKey"),
                      tern_xml_text(cr, "SessionToken"),
                      parse_iso8601(tern_xml_text(cr, "Expiration")));
done:
    tern_xml_free(root);
    tern_buf_release(&params);
    return error;
}

/*
 * IMDSv2.
 */
static int imds_get(tern_http *http, const char *method, const char *url,
                    const char *token, tern_http_response *resp)
{
    struct tern_http_header h;
    tern_http_request req = TERN_HTTP_REQUEST_INIT;
    int error = TERN_ERROR, attempt;

    req.method = method;
    req.url = url;
    req.connect_timeout_ms = 1000;
    req.timeout_ms = 3000;
    req.secret_response = 1;
    if (token) {
        h.name = strcmp(method, "PUT") == 0
                     ? "X-aws-ec2-metadata-token-ttl-seconds"
                     : "X-aws-ec2-metadata-token";
        h.value = token;
        req.headers = &h;
        req.nheaders = 1;
    }
    /* Two tries, as the SDKs' metadata clients: the service is local and
     * either answers at once or is not there. */
    for (attempt = 0; attempt < 2; attempt++) {
        tern_http_response_release(resp);
        error = tern_http_send(http, &req, resp, NULL);
        if (error != TERN_ERROR || (resp->failure != TERN_HTTP_ERESET &&
                                    resp->failure != TERN_HTTP_ETIMEOUT))
            break;
    }
    return error;
}

static int imds_token(tern_http *http, const char *endpoint, char **token,
                      char *why, size_t whylen)
{
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char *url = tern_asprintf("%s/latest/api/token", endpoint);
    int error;

    *token = NULL;
    if (!url)
        return TERN_ENOMEM;
    error = imds_get(http, "PUT", url, IMDS_TOKEN_TTL, &resp);
    if (error == TERN_OK && resp.status == 200 && resp.body.len > 0) {
        *token = tern_strndup(resp.body.ptr, resp.body.len);
        error = *token ? TERN_OK : TERN_ENOMEM;
        tern_log_add_secret(*token);
    } else if (error == TERN_OK) {
        snprintf(why, whylen, "the token request answered HTTP %ld",
                 resp.status);
        error = TERN_EAUTH;
    } else {
        snprintf(why, whylen, "%s", resp.error);
        error = error == TERN_ENOMEM ? error : TERN_EAUTH;
    }
    if (resp.body.ptr)
        memset(resp.body.ptr, 0, resp.body.len);
    tern_http_response_release(&resp);
    tern_free(url);
    return error;
}

static int fetch_imds_into(tern_http *http, const char *endpoint,
                           tern_aws_creds *out, char *why, size_t whylen)
{
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char *token = NULL, *url = NULL, *role = NULL;
    json_t *doc = NULL;
    const char *code, *akid, *secret, *tok, *exp;
    int error, oom = 0;

    error = imds_token(http, endpoint, &token, why, whylen);
    if (error)
        goto done;
    url = tern_asprintf("%s/latest/meta-data/iam/security-credentials/",
                        endpoint);
    TERN_CHECK_ALLOC(url);
    error = imds_get(http, "GET", url, token, &resp);
    if (error || resp.status != 200 || resp.body.len == 0) {
        if (error)
            snprintf(why, whylen, "%s", resp.error);
        else if (resp.status == 404)
            snprintf(why, whylen, "no instance profile is attached");
        else
            snprintf(why, whylen, "the role name request answered HTTP %ld",
                     resp.status);
        error = error == TERN_ENOMEM ? error : TERN_EAUTH;
        goto done;
    }
    /* The name reaches messages: control characters made visible (issue
     * 20, finding 14); a real role name has none. */
    role =
        tern_printable_strndup(resp.body.ptr, strcspn(resp.body.ptr, "\r\n"));
    TERN_CHECK_ALLOC(role);
    tern_free(url);
    url = tern_asprintf("%s/latest/meta-data/iam/security-credentials/%s",
                        endpoint, role);
    TERN_CHECK_ALLOC(url);
    tern_http_response_release(&resp);
    error = imds_get(http, "GET", url, token, &resp);
    if (error || resp.status != 200) {
        if (error)
            snprintf(why, whylen, "%s", resp.error);
        else
            snprintf(why, whylen, "the credentials request answered HTTP %ld",
                     resp.status);
        error = error == TERN_ENOMEM ? error : TERN_EAUTH;
        goto done;
    }
    doc = tern_json_loadb(resp.body.ptr, resp.body.len, 0, NULL, &oom);
    if (oom) { /* not "credentials not usable" */
        error = TERN_ENOMEM;
        goto done;
    }
    code = json_string_value(json_object_get(doc, "Code"));
    akid = json_string_value(json_object_get(doc, "AccessKeyId"));
    secret = json_string_value(json_object_get(doc, "SecretAccessKey"));
    tok = json_string_value(json_object_get(doc, "Token"));
    exp = json_string_value(json_object_get(doc, "Expiration"));
    if (!code || strcmp(code, "Success") != 0 || !akid || !secret) {
        char shown[64];

        tern_printable_copy(shown, sizeof(shown), code ? code : "missing");
        snprintf(why, whylen,
                 "the credentials of role '%s' are not usable "
                 "(Code %s)",
                 role, shown);
        error = TERN_EAUTH;
        goto done;
    }
    error = creds_set(out, akid, secret, tok, parse_iso8601(exp));
done:
    json_decref(doc);
    if (resp.body.ptr)
        memset(resp.body.ptr, 0, resp.body.len);
    tern_http_response_release(&resp);
    tern_free(token);
    tern_free(url);
    tern_free(role);
    return error;
}

static int fetch_imds(struct tern_aws_credentials *p, tern_aws_creds *out,
                      struct tern_diags *diags)
{
    char why[600] = "";
    int error =
        fetch_imds_into(p->http, p->imds_endpoint, out, why, sizeof(why));

    if (error && error != TERN_ENOMEM)
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Cannot get instance credentials",
                       "The EC2 instance metadata service at %s gave no "
                       "credentials: %s.",
                       p->imds_endpoint, why);
    return error;
}

static int fetch(struct tern_aws_credentials *p, tern_aws_creds *out,
                 struct tern_diags *diags)
{
    int error;

    switch (p->kind) {
    case K_PROCESS:
        error = fetch_process(p, out, diags);
        break;
    case K_ASSUME:
        error = fetch_assume(p, out, diags);
        break;
    case K_IMDS:
        error = fetch_imds(p, out, diags);
        break;
    default:
        return TERN_EAUTH;
    }
    if (error == TERN_OK) {
        p->fetches++;
        TERN_LOG_AT(TERN_LOG_DEBUG,
                    "aws: credentials from %s fetched (expire %ld)", p->source,
                    (long)out->expiration);
    }
    return error;
}

static int copy_creds(tern_aws_creds *out, const tern_aws_creds *in)
{
    memset(out, 0, sizeof(*out));
    out->access_key_id = tern_strdup(in->access_key_id);
    out->secret_access_key = tern_strdup(in->secret_access_key);
    out->session_token =
        in->session_token ? tern_strdup(in->session_token) : NULL;
    out->expiration = in->expiration;
    if (!out->access_key_id || !out->secret_access_key ||
        (in->session_token && !out->session_token)) {
        tern_aws_creds_release(out);
        return TERN_ENOMEM;
    }
    return TERN_OK;
}

int tern_aws_credentials_get(tern_aws_credentials *p, tern_aws_creds *out,
                             struct tern_diags *diags)
{
    struct tern_diags local = TERN_DIAGS_INIT;
    tern_aws_creds fresh;
    time_t now;
    int error = TERN_OK;

    memset(out, 0, sizeof(*out));
    memset(&fresh, 0, sizeof(fresh));
    pthread_mutex_lock(&p->lock);
    now = p->now(p->now_ud);
    if (p->kind != K_STATIC &&
        (!p->have || p->invalid ||
         (p->cur.expiration && now + REFRESH_EARLY_S >= p->cur.expiration))) {
        error = fetch(p, &fresh, &local);
        if (error == TERN_OK) {
            tern_aws_creds_release(&p->cur);
            p->cur = fresh;
            p->have = 1;
            p->invalid = 0;
        } else if (error != TERN_ENOMEM && p->have && !p->invalid &&
                   (!p->cur.expiration || now < p->cur.expiration)) {
            /* Still valid: keep going, try again on the next call. */
            TERN_LOG_AT(TERN_LOG_WARN,
                        "aws: refreshing credentials from %s failed; the "
                        "current ones expire in %ld s",
                        p->source, (long)(p->cur.expiration - now));
            error = TERN_OK;
        } else {
            tern_diags_move(diags, &local);
        }
    }
    if (error == TERN_OK)
        error = copy_creds(out, &p->cur);
    pthread_mutex_unlock(&p->lock);
    tern_diags_release(&local);
    return error;
}

int tern_aws_credentials_invalidate(tern_aws_credentials *p)
{
    int can;

    pthread_mutex_lock(&p->lock);
    can = p->kind != K_STATIC;
    if (can)
        p->invalid = 1;
    pthread_mutex_unlock(&p->lock);
    if (can)
        TERN_LOG_AT(TERN_LOG_DEBUG,
                    "aws: credentials from %s refused as expired; refreshing",
                    p->source);
    return can;
}

const char *tern_aws_credentials_region(const tern_aws_credentials *p)
{
    return p->region;
}

const char *tern_aws_credentials_source(const tern_aws_credentials *p)
{
    return p->source;
}

void tern__aws_credentials_set_clock(tern_aws_credentials *p,
                                     time_t (*now)(void *ud), void *ud)
{
    pthread_mutex_lock(&p->lock);
    p->now = now ? now : default_now;
    p->now_ud = ud;
    pthread_mutex_unlock(&p->lock);
    if (p->base)
        tern__aws_credentials_set_clock(p->base, now, ud);
}

unsigned long tern__aws_credentials_fetches(tern_aws_credentials *p)
{
    unsigned long n;

    pthread_mutex_lock(&p->lock);
    n = p->fetches;
    pthread_mutex_unlock(&p->lock);
    return n;
}

/*
 * Resolution.
 */

struct resolver {
    const tern_aws_config *cfg;
    tern_http *http;
    struct tern_diags *diags;
    tern_ini *config;      /* ~/.aws/config and friends */
    tern_ini *credentials; /* ~/.aws/credentials and friends */
    tern_buf config_files; /* for messages */
    tern_buf credentials_files;
    tern_buf looked; /* every place looked at, one per line */
    char *region;
};

static void looked(struct resolver *r, const char *text)
{
    tern_buf_puts(&r->looked, "\n  - ");
    tern_buf_puts(&r->looked, text);
}

static int load_files(struct resolver *r, tern_ini *ini, tern_buf *names,
                      const char *const *list, const char *env_name,
                      const char *fallback, int config_style)
{
    const char *one[2] = {NULL, NULL};
    size_t i;
    int error;

    if (!list || !list[0]) {
        one[0] = tern_env(env_name) ? tern_env(env_name) : fallback;
        list = one;
    }
    for (i = 0; list[i]; i++) {
        char *path = tern_ini_expand_home(list[i]);

        if (!path)
            return TERN_ENOMEM;
        error = tern_ini_load(ini, path, config_style);
        tern_buf_printf(names, "%s%s%s", names->len ? ", " : "", path,
                        error == TERN_ENOTFOUND ? " (not found)" : "");
        if (error == TERN_ERROR) {
            tern_diags_add(r->diags, TERN_SEV_ERROR, NULL,
                           "Cannot read AWS shared file",
                           "The file %s exists but cannot be read.", path);
            tern_free(path);
            return TERN_EINVALID;
        }
        tern_free(path);
        if (error == TERN_ENOMEM)
            return error;
    }
    return tern_buf_oom(names) ? TERN_ENOMEM : TERN_OK;
}

/* A profile's value: the credentials file wins over the config file. */
static const char *pget(struct resolver *r, const char *profile,
                        const char *key)
{
    const char *v = tern_ini_get(r->credentials, profile, key);

    if (v && *v)
        return v;
    v = tern_ini_get(r->config, profile, key);
    return v && *v ? v : NULL;
}

static int profile_exists(struct resolver *r, const char *profile)
{
    return tern_ini_has_section(r->credentials, profile) ||
           tern_ini_has_section(r->config, profile);
}

static int new_static(struct resolver *r, tern_aws_credentials **out,
                      const char *akid, const char *secret, const char *token,
                      const char *source)
{
    int error = tern_aws_credentials_new_static(out, akid, secret, token);

    (void)r;
    if (error == TERN_OK) {
        tern_free((*out)->source);
        (*out)->source = tern_strdup(source);
        if (!(*out)->source) {
            tern_aws_credentials_free(*out);
            *out = NULL;
            return TERN_ENOMEM;
        }
    }
    return error;
}

/* The configured endpoint, then the environment's, then the mode's
 * default address (aws-sdk-go-v2 feature/ec2/imds: an endpoint wins over
 * the mode). */
static const char *imds_endpoint(const tern_aws_config *cfg)
{
    const char *e = cfg->imds_endpoint && *cfg->imds_endpoint
                        ? cfg->imds_endpoint
                        : tern_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = cfg->imds_endpoint_mode && *cfg->imds_endpoint_mode
                           ? cfg->imds_endpoint_mode
                           : tern_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");

    if (e)
        return e;
    if (mode && strcasecmp(mode, "IPv6") == 0)
        return IMDS_DEFAULT_V6;
    return IMDS_DEFAULT;
}

static int new_imds(struct resolver *r, tern_aws_credentials **out,
                    const char *source)
{
    struct tern_aws_credentials *p = provider_new(K_IMDS, source);
    const char *e = imds_endpoint(r->cfg);
    size_t len = strlen(e);

    *out = NULL;
    if (!p)
        return TERN_ENOMEM;
    while (len > 0 && e[len - 1] == '/')
        len--;
    p->imds_endpoint = tern_strndup(e, len);
    p->http = r->http;
    if (!p->imds_endpoint) {
        tern_aws_credentials_free(p);
        return TERN_ENOMEM;
    }
    *out = p;
    return TERN_OK;
}

static int new_assume(struct resolver *r, tern_aws_credentials **out,
                      tern_aws_credentials *base, const char *role_arn,
                      const char *session_name, const char *external_id,
                      long duration, const char *source)
{
    struct tern_aws_credentials *p = provider_new(K_ASSUME, source);
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    int error = TERN_OK;

    *out = NULL;
    if (!p) {
        tern_aws_credentials_free(base);
        return TERN_ENOMEM;
    }
    p->base = base;
    p->role_arn = tern_strdup(role_arn);
    TERN_CHECK_ALLOC(p->role_arn);
    p->session_name = session_name
                          ? tern_strdup(session_name)
                          : tern_asprintf("tern-%ld", (long)time(NULL));
    TERN_CHECK_ALLOC(p->session_name);
    if (external_id) {
        p->external_id = tern_strdup(external_id);
        TERN_CHECK_ALLOC(p->external_id);
    }
    p->duration = duration;
    opts.service = "sts";
    opts.region = r->cfg->sts_region && *r->cfg->sts_region ? r->cfg->sts_region
                                                            : r->region;
    opts.endpoint = r->cfg->endpoint_sts;
    opts.max_retries = r->cfg->max_retries;
    opts.http = r->http;
    opts.credentials = base;
    error = tern_aws_client_new(&p->sts, &opts, r->diags);
    if (error)
        goto done;
    *out = p;
    p = NULL;
done:
    tern_aws_credentials_free(p);
    return error;
}

static long parse_duration(const char *s)
{
    char *end = NULL;
    long v;

    if (!s)
        return 0;
    v = strtol(s, &end, 10);
    return end && *end == '\0' && v > 0 ? v : -1;
}

/*
 * A profile's credentials. *out stays NULL when the profile exists but
 * holds no credential settings (the chain goes on); errors are returned.
 */
static int resolve_profile(struct resolver *r, const char *name, int depth,
                           tern_aws_credentials **out)
{
    const char *role_arn, *source_profile, *credential_source, *akid, *secret;
    const char *process;
    tern_aws_credentials *base = NULL;
    char desc[512];
    long duration;
    int error;

    *out = NULL;
    if (depth > MAX_PROFILE_DEPTH) {
        tern_diags_add(r->diags, TERN_SEV_ERROR, NULL, "Invalid AWS profile",
                       "The source_profile chain through profile '%s' is "
                       "longer than %d profiles or loops.",
                       name, MAX_PROFILE_DEPTH);
        return TERN_EINVALID;
    }
    if (!profile_exists(r, name))
        return TERN_ENOTFOUND;
    role_arn = pget(r, name, "role_arn");
    akid = pget(r, name, "aws_access_key_id");
    secret = pget(r, name, "aws_secret_access_key");
    process = pget(r, name, "credential_process");
    if (role_arn) {
        source_profile = pget(r, name, "source_profile");
        credential_source = pget(r, name, "credential_source");
        if (!!source_profile == !!credential_source) {
            tern_diags_add(r->diags, TERN_SEV_ERROR, NULL,
                           "Invalid AWS profile",
                           "Profile '%s' has role_arn and needs exactly one "
                           "of source_profile and credential_source.",
                           name);
            return TERN_EINVALID;
        }
        duration = parse_duration(pget(r, name, "duration_seconds"));
        if (duration < 0) {
            tern_diags_add(r->diags, TERN_SEV_ERROR, NULL,
                           "Invalid AWS profile",
                           "Profile '%s': duration_seconds must be a number "
                           "of seconds.",
                           name);
            return TERN_EINVALID;
        }
        if (source_profile && strcmp(source_profile, name) == 0) {
            /* A profile may be its own source through its static keys. */
            if (!akid || !secret) {
                tern_diags_add(r->diags, TERN_SEV_ERROR, NULL,
                               "Invalid AWS profile",
                               "Profile '%s' names itself as source_profile "
                               "but has no aws_access_key_id and "
                               "aws_secret_access_key.",
                               name);
                return TERN_EINVALID;
            }
            snprintf(desc, sizeof(desc), "profile '%s' (static keys)", name);
            error = new_static(r, &base, akid, secret,
                               pget(r, name, "aws_session_token"), desc);
        } else if (source_profile) {
            error = resolve_profile(r, source_profile, depth + 1, &base);
            if (error == TERN_ENOTFOUND || (error == TERN_OK && !base)) {
                tern_diags_add(
                    r->diags, TERN_SEV_ERROR, NULL, "Invalid AWS profile",
                    "The source_profile '%s' of profile '%s' %s.",
                    source_profile, name,
                    error == TERN_ENOTFOUND ? "does not exist"
                                            : "holds no credentials");
                error = TERN_EINVALID;
            }
        } else if (strcmp(credential_source, "Environment") == 0) {
            if (!tern_env("AWS_ACCESS_KEY_ID") ||
                !tern_env("AWS_SECRET_ACCESS_KEY")) {
                tern_diags_add(r->diags, TERN_SEV_ERROR, NULL,
                               "No AWS credentials",
                               "Profile '%s' takes its source credentials "
                               "from the environment, but "
                               "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                               "are not set.",
                               name);
                return TERN_EAUTH;
            }
            error = new_static(r, &base, tern_env("AWS_ACCESS_KEY_ID"),
                               tern_env("AWS_SECRET_ACCESS_KEY"),
                               tern_env("AWS_SESSION_TOKEN"), "environment");
        } else if (strcmp(credential_source, "Ec2InstanceMetadata") == 0) {
            error = new_imds(r, &base, "EC2 instance metadata");
        } else {
            tern_diags_add(r->diags, TERN_SEV_ERROR, NULL,
                           "Invalid AWS profile",
                           "Profile '%s': credential_source '%s' is not "
                           "supported (use Environment or "
                           "Ec2InstanceMetadata).",
                           name, credential_source);
            return TERN_EINVALID;
        }
        if (error)
            return error;
        snprintf(desc, sizeof(desc), "assume role %s (profile '%s')", role_arn,
                 name);
        return new_assume(r, out, base, role_arn,
                          pget(r, name, "role_session_name"),
                          pget(r, name, "external_id"), duration, desc);
    }
    if (akid && secret) {
        snprintf(desc, sizeof(desc), "profile '%s' (static keys)", name);
        return new_static(r, out, akid, secret,
                          pget(r, name, "aws_session_token"), desc);
    }
    if (process) {
        snprintf(desc, sizeof(desc), "credential_process of profile '%s'",
                 name);
        *out = provider_new(K_PROCESS, desc);
        if (!*out)
            return TERN_ENOMEM;
        (*out)->command = tern_strdup(process);
        if (!(*out)->command) {
            tern_aws_credentials_free(*out);
            *out = NULL;
            return TERN_ENOMEM;
        }
        return TERN_OK;
    }
    return TERN_OK;
}

static int imds_region(struct resolver *r, const char *endpoint)
{
    tern_http_response resp = TERN_HTTP_RESPONSE_INIT;
    char *token = NULL, *url = NULL;
    char why[256];
    int error;

    error = imds_token(r->http, endpoint, &token, why, sizeof(why));
    if (error)
        goto done;
    url = tern_asprintf("%s/latest/meta-data/placement/region", endpoint);
    TERN_CHECK_ALLOC(url);
    if (imds_get(r->http, "GET", url, token, &resp) == TERN_OK &&
        resp.status == 200 && resp.body.len > 0 && resp.body.len < 64) {
        r->region =
            tern_strndup(resp.body.ptr, strcspn(resp.body.ptr, "\r\n \t"));
        TERN_CHECK_ALLOC(r->region);
    }
done:
    tern_http_response_release(&resp);
    tern_free(token);
    tern_free(url);
    return error == TERN_ENOMEM ? error : TERN_OK;
}

/*
 * The profile to read: the provider block's, AWS_PROFILE,
 * AWS_DEFAULT_PROFILE (the AWS CLI v1's name for it, still honoured by
 * botocore), else "default". *explicit_profile says whether one was named.
 */
static const char *chosen_profile(const struct resolver *r,
                                  int *explicit_profile)
{
    *explicit_profile = 1;
    if (r->cfg->profile && *r->cfg->profile)
        return r->cfg->profile;
    if (tern_env("AWS_PROFILE"))
        return tern_env("AWS_PROFILE");
    if (tern_env("AWS_DEFAULT_PROFILE"))
        return tern_env("AWS_DEFAULT_PROFILE");
    *explicit_profile = 0;
    return "default";
}

/* The region, first: an assume-role provider needs it for STS. */
static int resolve_region(struct resolver *r, const char *profile)
{
    const char *v;

    if ((v = r->cfg->region) && *v)
        r->region = tern_strdup(v);
    else if ((v = tern_env("AWS_REGION")))
        r->region = tern_strdup(v);
    else if ((v = tern_env("AWS_DEFAULT_REGION")))
        r->region = tern_strdup(v);
    else if ((v = pget(r, profile, "region")))
        r->region = tern_strdup(v);
    return v && !r->region ? TERN_ENOMEM : TERN_OK;
}

/*
 * The sources of the chain, in order. Each returns TERN_OK with *p set
 * when it has credentials, TERN_OK with *p NULL (and a line in
 * r->looked) when it has none, or an error already reported.
 */

/* 1. The provider block's keys. */
static int source_provider_block(struct resolver *r, tern_aws_credentials **p)
{
    const tern_aws_config *cfg = r->cfg;

    if (!cfg->access_key && !cfg->secret_key) {
        looked(r, "the provider block's access_key and secret_key: not set");
        return TERN_OK;
    }
    if (!cfg->access_key || !cfg->secret_key) {
        tern_diags_add(r->diags, TERN_SEV_ERROR, NULL,
                       "Incomplete AWS credentials",
                       "The provider block sets %s but not %s; set both "
                       "or neither.",
                       cfg->access_key ? "access_key" : "secret_key",
                       cfg->access_key ? "secret_key" : "access_key");
        return TERN_EINVALID;
    }
    return new_static(r, p, cfg->access_key, cfg->secret_key, cfg->token,
                      "provider block");
}

/* 3. The environment (2: an explicit profile is used before it). */
static int source_environment(struct resolver *r, tern_aws_credentials **p)
{
    if (tern_env("AWS_ACCESS_KEY_ID") && tern_env("AWS_SECRET_ACCESS_KEY"))
        return new_static(r, p, tern_env("AWS_ACCESS_KEY_ID"),
                          tern_env("AWS_SECRET_ACCESS_KEY"),
                          tern_env("AWS_SESSION_TOKEN"), "environment");
    looked(r, tern_env("AWS_ACCESS_KEY_ID") || tern_env("AWS_SECRET_ACCESS_KEY")
                  ? "environment variables AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY: only one is set"
                  : "environment variables AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY: not set");
    return TERN_OK;
}

/* 4. The shared files. A profile that was named must exist. */
static int source_shared_files(struct resolver *r, const char *profile,
                               int explicit_profile, tern_aws_credentials **p)
{
    char desc[512];
    int error;

    error = resolve_profile(r, profile, 0, p);
    if (error == TERN_ENOTFOUND && explicit_profile) {
        tern_diags_add(r->diags, TERN_SEV_ERROR, NULL, "AWS profile not found",
                       "The profile '%s' (from %s) is in neither the shared "
                       "credentials file(s) %s nor the config file(s) %s.",
                       profile,
                       r->cfg->profile && *r->cfg->profile
                           ? "the provider block"
                           : "AWS_PROFILE",
                       tern_buf_cstr(&r->credentials_files),
                       tern_buf_cstr(&r->config_files));
        return TERN_EINVALID;
    }
    if (error && error != TERN_ENOTFOUND)
        return error;
    if (*p)
        return TERN_OK;
    snprintf(desc, sizeof(desc),
             "profile '%s' in the shared credentials file(s) %s and config "
             "file(s) %s: %s",
             profile, tern_buf_cstr(&r->credentials_files),
             tern_buf_cstr(&r->config_files),
             profile_exists(r, profile) ? "no credential settings"
                                        : "no such profile");
    looked(r, desc);
    return TERN_OK;
}

/* 5. The instance metadata service, unless AWS_EC2_METADATA_DISABLED. */
static int source_imds(struct resolver *r, tern_aws_credentials **p)
{
    struct tern_diags local = TERN_DIAGS_INIT;
    tern_aws_creds first;
    char desc[512];
    int error;

    if (r->cfg->imds_disabled > 0) {
        looked(r, "EC2 instance metadata: disabled by "
                  "skip_metadata_api_check");
        return TERN_OK;
    }
    if (r->cfg->imds_disabled == 0 && tern_env("AWS_EC2_METADATA_DISABLED") &&
        strcasecmp(tern_env("AWS_EC2_METADATA_DISABLED"), "true") == 0) {
        looked(r, "EC2 instance metadata: disabled by "
                  "AWS_EC2_METADATA_DISABLED");
        return TERN_OK;
    }
    error = new_imds(r, p, "EC2 instance metadata");
    if (error)
        return error;
    error = tern_aws_credentials_get(*p, &first, &local);
    tern_aws_creds_release(&first);
    if (error == TERN_OK) {
        if (!r->region)
            error = imds_region(r, (*p)->imds_endpoint);
    } else if (error != TERN_ENOMEM) {
        snprintf(desc, sizeof(desc), "EC2 instance metadata at %s: %s",
                 (*p)->imds_endpoint,
                 local.count ? local.items[local.count - 1].detail : "");
        looked(r, desc);
        tern_aws_credentials_free(*p);
        *p = NULL;
        error = TERN_OK;
    }
    tern_diags_release(&local);
    return error;
}

/*
 * Wrap the source found in the provider block's assume_role, if any, and
 * fetch once, so a broken source fails at configuration time.
 */
static int finish_chain(struct resolver *r, tern_aws_credentials **p)
{
    const tern_aws_config *cfg = r->cfg;
    tern_aws_creds first;
    int error;

    if (cfg->assume_role.role_arn && *cfg->assume_role.role_arn) {
        tern_aws_credentials *wrapped = NULL;
        char desc[512];

        snprintf(desc, sizeof(desc), "assume role %s (provider block) over %s",
                 cfg->assume_role.role_arn, (*p)->source);
        error = new_assume(r, &wrapped, *p, cfg->assume_role.role_arn,
                           cfg->assume_role.session_name,
                           cfg->assume_role.external_id,
                           cfg->assume_role.duration_seconds, desc);
        *p = wrapped;
        if (error)
            return error;
    }
    error = tern_aws_credentials_get(*p, &first, r->diags);
    tern_aws_creds_release(&first);
    return error;
}

int tern_aws_credentials_new(tern_aws_credentials **out,
                             const tern_aws_config *cfg, tern_http *http,
                             struct tern_diags *diags)
{
    static const tern_aws_config empty = TERN_AWS_CONFIG_INIT;
    struct resolver r;
    tern_aws_credentials *p = NULL;
    const char *profile;
    int error = TERN_OK, explicit_profile = 0;

    *out = NULL;
    memset(&r, 0, sizeof(r));
    r.cfg = cfg ? cfg : &empty;
    r.http = http;
    r.diags = diags;
    r.config = tern_ini_new();
    r.credentials = tern_ini_new();
    TERN_CHECK_ALLOC(r.config);
    TERN_CHECK_ALLOC(r.credentials);
    error =
        load_files(&r, r.config, &r.config_files, r.cfg->shared_config_files,
                   "AWS_CONFIG_FILE", "~/.aws/config", 1);
    if (error)
        goto done;
    error = load_files(&r, r.credentials, &r.credentials_files,
                       r.cfg->shared_credentials_files,
                       "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", 0);
    if (error)
        goto done;
    profile = chosen_profile(&r, &explicit_profile);
    error = resolve_region(&r, profile);
    if (error)
        goto done;

    /* The chain, in the order of the provider's documentation. */
    error = source_provider_block(&r, &p);
    if (error || p)
        goto found;
    if (!(r.cfg->profile && *r.cfg->profile)) {
        error = source_environment(&r, &p);
        if (error || p)
            goto found;
    }
    error = source_shared_files(&r, profile, explicit_profile, &p);
    if (error || p)
        goto found;
    error = source_imds(&r, &p);
    if (error || p)
        goto found;
    tern_diags_add(diags, TERN_SEV_ERROR, NULL, "No valid AWS credentials",
                   "No AWS credentials were found. tern looked, in order, "
                   "at:%s\nSet credentials in one of these places, as for "
                   "the AWS CLI.",
                   tern_buf_cstr(&r.looked));
    error = TERN_EAUTH;
    goto done;

found:
    if (error)
        goto done;
    error = finish_chain(&r, &p);
    if (error)
        goto done;
    p->region = r.region;
    r.region = NULL;
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: credentials from %s; region %s",
                p->source, p->region ? p->region : "(none)");
    *out = p;
    p = NULL;
done:
    tern_aws_credentials_free(p);
    tern_ini_free(r.config);
    tern_ini_free(r.credentials);
    tern_buf_release(&r.config_files);
    tern_buf_release(&r.credentials_files);
    tern_buf_release(&r.looked);
    tern_free(r.region);
    return error;
}
