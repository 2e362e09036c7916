/*
 * tern-sim's EC2 instance metadata service, IMDSv2 only (the "required"
 * setting of HttpTokens), served under /latest/ when started with --imds:
 *
 *   PUT /latest/api/token
 *       X-aws-ec2-metadata-token-ttl-seconds: 1..21600 (400 without it or
 *       out of range); answers a session token, valid for that long on the
 *       sim clock.
 *   GET /latest/meta-data/iam/security-credentials/
 *       the role name; 401 without a valid X-aws-ec2-metadata-token.
 *   GET /latest/meta-data/iam/security-credentials/<role>
 *       {"Code": "Success", "LastUpdated", "Type": "AWS-HMAC",
 *        "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}: temporary
 *       keys registered with sim_key_add, so requests signed with them are
 *       accepted until they expire (then ExpiredToken). As on EC2, a set is
 *       valid for six hours and is replaced when it is within 15 minutes of
 *       expiry, or after /_sim/reset dropped it.
 *   GET /latest/meta-data/placement/region
 *       the instance's region, "us-west-2".
 *
 * Everything else under /latest/ is 404; other methods 405. Errors are
 * plain text like the real service's.
 */
#include "sim.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMDS_ROLE       "tern-sim-instance-role"
#define IMDS_REGION     "us-west-2"
#define IMDS_INSTANCE   "i-0ternsim00000001"
#define IMDS_CREDS_MS   (6LL * 3600 * 1000)
#define IMDS_ROTATE_MS  (15LL * 60 * 1000)
#define IMDS_MAX_TOKENS 256
#define IMDS_TTL_MAX    21600
#define CREDS_PATH      "/latest/meta-data/iam/security-credentials/"

struct imds_token {
    char value[57];
    int64_t expires_ms;
};

struct sim_imds {
    struct sim *sim;
    struct imds_token tokens[IMDS_MAX_TOKENS];
    size_t ntokens, next_slot;
    char akid[21];
    char secret[41];
    char session[257];
    int64_t issued_ms;
    int64_t expires_ms;
};

struct sim_imds *sim_imds_new(struct sim *sim)
{
    struct sim_imds *imds = tern_calloc(1, sizeof(*imds));

    if (imds)
        imds->sim = sim;
    return imds;
}

void sim_imds_free(struct sim_imds *imds)
{
    tern_free(imds);
}

static void text(struct sim_resp *resp, int status, const char *body)
{
    resp->status = status;
    resp->content_type = "text/plain";
    tern_buf_clear(&resp->body);
    tern_buf_puts(&resp->body, body);
    if (status >= 400)
        snprintf(resp->error_code, sizeof(resp->error_code), "%d", status);
}

static void random_chars(struct sim *sim, char *out, size_t n,
                         const char *alphabet)
{
    size_t i, len = strlen(alphabet);

    for (i = 0; i < n; i++)
        out[i] = alphabet[sim_rand_below(sim, len)];
    out[n] = '\0';
}

static void iso8601(char *out, size_t len, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void put_token(struct sim_imds *imds, struct sim_req *req,
                      struct sim_resp *resp)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                              "wxyz0123456789-_";
    const char *ttl_s =
        sim_req_header(req, "X-aws-ec2-metadata-token-ttl-seconds");
    struct imds_token *t;
    char *end = NULL;
    long ttl;

    if (sim_req_header(req, "X-Forwarded-For")) {
        text(resp, 403, "Forbidden");
        return;
    }
    if (!ttl_s || !*ttl_s) {
        text(resp, 400, "Bad Request");
        return;
    }
    ttl = strtol(ttl_s, &end, 10);
    if (*end || ttl < 1 || ttl > IMDS_TTL_MAX) {
        text(resp, 400, "Bad Request");
        return;
    }
    t = &imds->tokens[imds->next_slot];
    imds->next_slot = (imds->next_slot + 1) % IMDS_MAX_TOKENS;
    if (imds->ntokens < IMDS_MAX_TOKENS)
        imds->ntokens++;
    memcpy(t->value, "AQAEA", 5);
    random_chars(imds->sim, t->value + 5, sizeof(t->value) - 6, b64);
    t->expires_ms = sim_now_ms(imds->sim) + (int64_t)ttl * 1000;
    text(resp, 200, t->value);
    snprintf(resp->extra_header, sizeof(resp->extra_header),
             "X-aws-ec2-metadata-token-ttl-seconds: %ld", ttl);
}

static int token_valid(struct sim_imds *imds, const struct sim_req *req)
{
    const char *v = sim_req_header(req, "X-aws-ec2-metadata-token");
    int64_t now = sim_now_ms(imds->sim);
    size_t i;

    if (!v)
        return 0;
    for (i = 0; i < imds->ntokens; i++) {
        if (strcmp(imds->tokens[i].value, v) == 0)
            return now < imds->tokens[i].expires_ms;
    }
    return 0;
}

/* Issue a new key set when there is none, it is near expiry, or a reset
 * dropped it from the key store. 0 or -1. */
static int ensure_creds(struct sim_imds *imds)
{
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                              "wxyz0123456789+/";
    struct sim *sim = imds->sim;
    int64_t now = sim_now_ms(sim);
    struct sim_key key;
    char arn[160], user_id[96];

    if (imds->akid[0] && now < imds->expires_ms - IMDS_ROTATE_MS &&
        sim_key_find(sim, imds->akid))
        return 0;
    memcpy(imds->akid, "ASIA", 4);
    random_chars(sim, imds->akid + 4, 16, upper);
    random_chars(sim, imds->secret, 40, b64);
    memcpy(imds->session, "IQoJb3JpZ2luX2VjEIMDS", 21);
    random_chars(sim, imds->session + 21, sizeof(imds->session) - 22, b64);
    imds->issued_ms = now;
    imds->expires_ms = now + IMDS_CREDS_MS;
    snprintf(arn, sizeof(arn), "arn:aws:sts::%s:assumed-role/%s/%s",
             SIM_DEFAULT_ACCOUNT, IMDS_ROLE, IMDS_INSTANCE);
    snprintf(user_id, sizeof(user_id), "AROATERNSIMIMDSROLE01:%s",
             IMDS_INSTANCE);
    memset(&key, 0, sizeof(key));
    key.access_key_id = imds->akid;
    key.secret_access_key = imds->secret;
    key.session_token = imds->session;
    key.expires_ms = imds->expires_ms;
    key.account = SIM_DEFAULT_ACCOUNT;
    key.arn = arn;
    key.user_id = user_id;
    if (sim_key_add(sim, &key) != 0) {
        imds->akid[0] = '\0';
        return -1;
    }
    return 0;
}

static void get_creds(struct sim_imds *imds, struct sim_resp *resp)
{
    char updated[32], expiration[32];

    if (ensure_creds(imds) != 0) {
        text(resp, 500, "Internal Server Error");
        return;
    }
    iso8601(updated, sizeof(updated), imds->issued_ms);
    iso8601(expiration, sizeof(expiration), imds->expires_ms);
    sim_resp_json(resp, 200,
                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Code",
                            "Success", "LastUpdated", updated, "Type",
                            "AWS-HMAC", "AccessKeyId", imds->akid,
                            "SecretAccessKey", imds->secret, "Token",
                            imds->session, "Expiration", expiration));
    resp->content_type = "text/plain";
}

void sim_imds_handle(struct sim_imds *imds, struct sim_req *req,
                     struct sim_resp *resp)
{
    const char *path = req->path;

    if (strcmp(path, "/latest/api/token") == 0) {
        if (strcmp(req->method, "PUT") != 0)
            text(resp, 405, "Method Not Allowed");
        else
            put_token(imds, req, resp);
        return;
    }
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        text(resp, 405, "Method Not Allowed");
        return;
    }
    if (!token_valid(imds, req)) {
        text(resp, 401, "Unauthorized");
        return;
    }
    if (strcmp(path, CREDS_PATH) == 0 ||
        strcmp(path, "/latest/meta-data/iam/security-credentials") == 0) {
        text(resp, 200, IMDS_ROLE);
    } else if (strncmp(path, CREDS_PATH, strlen(CREDS_PATH)) == 0) {
        if (strcmp(path + strlen(CREDS_PATH), IMDS_ROLE) == 0)
            get_creds(imds, resp);
        else
            text(resp, 404, "Not Found");
    } else if (strcmp(path, "/latest/meta-data/placement/region") == 0) {
        text(resp, 200, IMDS_REGION);
    } else if (strcmp(path, "/latest/meta-data/instance-id") == 0) {
        text(resp, 200, IMDS_INSTANCE);
    } else {
        text(resp, 404, "Not Found");
    }
}
