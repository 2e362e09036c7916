/*
 * tern-sim's S3: the subset a Terraform state backend uses, written from
 * the S3 API reference (PutObject, GetObject, HeadObject, DeleteObject,
 * ListObjectsV2, CreateBucket) and its "conditional writes" guide.
 *
 * Addressing: path style (/BUCKET/KEY) on any host, and virtual-hosted
 * style when the Host header is BUCKET.localhost[:PORT] (RFC 6761 keeps
 * every *.localhost name on loopback, and libcurl resolves them there
 * without DNS), the path then being /KEY.
 *
 * Authentication is S3's SigV4 (sigv4.c with its S3 rules): the header
 * x-amz-content-sha256 is required and must be UNSIGNED-PAYLOAD or the
 * SHA-256 of the body received (400 XAmzContentSHA256Mismatch otherwise);
 * the credential scope must name service s3 and the bucket's region (400
 * AuthorizationHeaderMalformed, with the region S3 expects). Failures use
 * S3's codes: 403 AccessDenied (no signature), InvalidAccessKeyId,
 * 400 InvalidToken, ExpiredToken, 403 RequestTimeTooSkewed,
 * SignatureDoesNotMatch.
 *
 * Conditional writes: PutObject with If-None-Match: * fails with 412
 * PreconditionFailed when the key exists; with If-Match: ETAG when the
 * stored ETag differs (404 NoSuchKey when there is no object). Any other
 * If-None-Match value is 501 NotImplemented, as S3 answers. A conditional
 * write that was in flight while another request changed or deleted the
 * same key gets 409 ConditionalRequestConflict ("the first write to
 * finish wins"): the simulator remembers, per key, the sequence number of
 * the last change, and a conditional write compares it with the number
 * current when the request arrived (before the injected latency).
 *
 * DeleteObject with If-Match deletes only when the ETag still matches (412
 * otherwise, 404 NoSuchKey when the key is gone), as S3's conditional
 * deletes do.
 *
 * Conditional reads: GetObject and HeadObject with If-Match (412
 * PreconditionFailed when the ETag differs) and If-None-Match (304 Not
 * Modified, no body, when it is the current ETag), see get_object().
 *
 * A race, for tests (POST /_sim/s3/race, sim_s3_race()): another client's
 * writes placed between two requests of the client under test.
 *
 * Errors are S3's XML: <Error><Code/><Message/>[<Key/>|<BucketName/>|
 * <Condition/>]<RequestId/><HostId/></Error>, no body for HEAD. Every
 * response carries x-amz-request-id and x-amz-id-2. ETags are the quoted
 * MD5 of the body, as S3 gives for a single-part upload.
 */
#include "sigv4.h"
#include "sim.h"
#include "util/alloc.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define S3_NS        "http://s3.amazonaws.com/doc/2006-03-01/"
#define SKEW_SECONDS (15 * 60)
#define UNSIGNED     "UNSIGNED-PAYLOAD"

struct s3_obj {
    char *key;
    char *data;
    size_t len;
    char etag[40]; /* "\"md5hex\"" */
    int64_t mtime_ms;
    uint64_t change_seq; /* last change of this key (write or delete) */
    int deleted;         /* a tombstone kept for change_seq */
    char *content_type;
    char *sse;        /* x-amz-server-side-encryption, or NULL */
    char *kms_key_id; /* for aws:kms */
    char *acl;        /* x-amz-acl, or NULL */
    char *ssec_md5;   /* SSE-C: the base64 MD5 of the customer key */
};

struct s3_bucket {
    char *name;
    char *region;
    struct s3_obj *objs; /* sorted by key */
    size_t nobjs, alloc;
};

/* An armed race (sim_s3_race): once a GetObject of read_key was answered,
 * `puts` are written and `deletes` deleted; a PutObject of hold_key waits
 * for that. */
struct s3_race {
    int armed;
    char *bucket, *read_key, *hold_key;
    json_t *puts;    /* [{"key", "body"}] */
    json_t *deletes; /* [key] */
};

struct sim_s3 {
    struct sim *sim;
    struct s3_bucket *buckets;
    size_t nbuckets, alloc;
    uint64_t seq; /* change counter */
    struct s3_race race;
    pthread_cond_t race_cond; /* with sim->lock: the race ran */
};

struct sim_s3 *sim_s3_new(struct sim *sim)
{
    struct sim_s3 *s3 = tern_calloc(1, sizeof(*s3));

    if (s3) {
        s3->sim = sim;
        pthread_cond_init(&s3->race_cond, NULL);
    }
    return s3;
}

static void race_release(struct sim_s3 *s3)
{
    tern_free(s3->race.bucket);
    tern_free(s3->race.read_key);
    tern_free(s3->race.hold_key);
    json_decref(s3->race.puts);
    json_decref(s3->race.deletes);
    memset(&s3->race, 0, sizeof(s3->race));
    pthread_cond_broadcast(&s3->race_cond);
}

static void obj_release(struct s3_obj *o)
{
    tern_free(o->key);
    tern_free(o->data);
    tern_free(o->content_type);
    tern_free(o->sse);
    tern_free(o->kms_key_id);
    tern_free(o->acl);
    tern_free(o->ssec_md5);
    memset(o, 0, sizeof(*o));
}

void sim_s3_reset(struct sim_s3 *s3)
{
    size_t i, j;

    for (i = 0; i < s3->nbuckets; i++) {
        for (j = 0; j < s3->buckets[i].nobjs; j++)
            obj_release(&s3->buckets[i].objs[j]);
        tern_free(s3->buckets[i].objs);
        tern_free(s3->buckets[i].name);
        tern_free(s3->buckets[i].region);
    }
    tern_free(s3->buckets);
    s3->buckets = NULL;
    s3->nbuckets = s3->alloc = 0;
    race_release(s3);
}

void sim_s3_free(struct sim_s3 *s3)
{
    if (!s3)
        return;
    sim_s3_reset(s3);
    pthread_cond_destroy(&s3->race_cond);
    tern_free(s3);
}

uint64_t sim_s3_seq(struct sim_s3 *s3)
{
    return s3->seq;
}

static struct s3_bucket *bucket_find(struct sim_s3 *s3, const char *name)
{
    size_t i;

    for (i = 0; i < s3->nbuckets; i++) {
        if (strcmp(s3->buckets[i].name, name) == 0)
            return &s3->buckets[i];
    }
    return NULL;
}

/* S3's bucket naming rules (general purpose buckets), enough to refuse
 * what a client should never send. */
static int bucket_name_valid(const char *n)
{
    size_t len = strlen(n), i;

    if (len < 3 || len > 63)
        return 0;
    for (i = 0; i < len; i++) {
        char c = n[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '.'))
            return 0;
    }
    return n[0] != '-' && n[0] != '.' && n[len - 1] != '-' && n[len - 1] != '.';
}

static struct s3_bucket *bucket_add(struct sim_s3 *s3, const char *name,
                                    const char *region)
{
    struct s3_bucket *b;

    if (s3->nbuckets == s3->alloc) {
        size_t alloc = s3->alloc ? s3->alloc * 2 : 8;
        struct s3_bucket *nb = tern_realloc(s3->buckets, alloc * sizeof(*nb));

        if (!nb)
            return NULL;
        s3->buckets = nb;
        s3->alloc = alloc;
    }
    b = &s3->buckets[s3->nbuckets];
    memset(b, 0, sizeof(*b));
    b->name = tern_strdup(name);
    b->region = tern_strdup(region ? region : "us-east-1");
    if (!b->name || !b->region) {
        tern_free(b->name);
        tern_free(b->region);
        return NULL;
    }
    s3->nbuckets++;
    return b;
}

/* The slot of key, or where it would go (*found says which). */
static size_t obj_slot(const struct s3_bucket *b, const char *key, int *found)
{
    size_t lo = 0, hi = b->nobjs;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(b->objs[mid].key, key);

        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static struct s3_obj *obj_live(struct s3_bucket *b, const char *key)
{
    int found = 0;
    size_t i = obj_slot(b, key, &found);

    return found && !b->objs[i].deleted ? &b->objs[i] : NULL;
}

static void md5_etag(char out[40], const char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;

    out[0] = '\0';
    if (!EVP_Digest(data, len, d, &n, EVP_md5(), NULL) || n != 16)
        return;
    out[0] = '"';
    for (i = 0; i < 16; i++) {
        out[1 + 2 * i] = digits[d[i] >> 4];
        out[2 + 2 * i] = digits[d[i] & 15];
    }
    out[33] = '"';
    out[34] = '\0';
}

static void iso_time(char out[32], int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char base[24];

    gmtime_r(&t, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, (int)(ms % 1000));
}

static void http_time(char out[40], int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Append one "Name: value" line to the response's extra headers. */
static void add_header(struct sim_resp *resp, const char *name,
                       const char *value)
{
    size_t used = strlen(resp->extra_header);

    snprintf(resp->extra_header + used, sizeof(resp->extra_header) - used,
             "%s%s: %s", used ? "\n" : "", name, value);
}

/*
 * An S3 error. extra_tag/extra_value add one element (Key, BucketName,
 * Condition, ...) before RequestId, as S3 does.
 */
static void s3_error(struct sim_resp *resp, const struct sim_req *req,
                     int status, const char *code, const char *message,
                     const char *extra_tag, const char *extra_value)
{
    resp->status = status;
    resp->content_type = "application/xml";
    snprintf(resp->error_code, sizeof(resp->error_code), "%s", code);
    tern_buf_clear(&resp->body);
    if (strcmp(req->method, "HEAD") == 0)
        return; /* S3 answers HEAD errors with the status alone */
    tern_buf_puts(&resp->body,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    sim_xml_elem(&resp->body, "Code", code);
    sim_xml_elem(&resp->body, "Message", message);
    if (extra_tag)
        sim_xml_elem(&resp->body, extra_tag, extra_value ? extra_value : "");
    sim_xml_elem(&resp->body, "RequestId", req->request_id);
    sim_xml_elem(&resp->body, "HostId", "tern-sim");
    tern_buf_puts(&resp->body, "</Error>");
}

static void no_such_bucket(struct sim_resp *resp, const struct sim_req *req,
                           const char *bucket)
{
    s3_error(resp, req, 404, "NoSuchBucket",
             "The specified bucket does not exist", "BucketName", bucket);
}

static void no_such_key(struct sim_resp *resp, const struct sim_req *req,
                        const char *key)
{
    s3_error(resp, req, 404, "NoSuchKey", "The specified key does not exist.",
             "Key", key);
}

static const char *query_value(const struct sim_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    }
    return NULL;
}

static int has_query(const struct sim_req *req, const char *name)
{
    return query_value(req, name) != NULL;
}

/* --- authentication ---------------------------------------------------- */

static int sha256_matches(const char *hash_hex, const char *body, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[SHA256_DIGEST_LENGTH];
    char hexd[2 * SHA256_DIGEST_LENGTH + 1];
    size_t i;

    SHA256((const unsigned char *)(body ? body : ""), len, d);
    for (i = 0; i < sizeof(d); i++) {
        hexd[2 * i] = digits[d[i] >> 4];
        hexd[2 * i + 1] = digits[d[i] & 15];
    }
    hexd[2 * sizeof(d)] = '\0';
    return strcmp(hexd, hash_hex) == 0;
}

/*
 * Check an S3 request's signature. region is the bucket's region (NULL
 * when there is no bucket, e.g. CreateBucket, which takes any). Returns 0,
 * or -1 with resp filled.
 */
static int s3_auth(struct sim *sim, struct sim_req *req, struct sim_resp *resp,
                   const char *region)
{
    const char *authz = sim_req_header(req, "Authorization");
    const char *amz_date, *token, *hash, *why;
    const struct sim_key *key;
    struct sim_sigv4_auth auth;
    struct sim_sigv4_input in;
    const char **names = NULL, **values = NULL;
    char want[SIM_SIGV4_SIG_LEN + 1], msg[512];
    time_t t = 0, now = (time_t)(sim_now_ms(sim) / 1000);
    size_t i;
    int rc = -1;

    memset(&auth, 0, sizeof(auth));
    if (!authz) {
        s3_error(resp, req, 403, "AccessDenied", "Access Denied", NULL, NULL);
        return -1;
    }
    why = sim_sigv4_parse_header(&auth, authz);
    if (why) {
        s3_error(resp, req, 400, "AuthorizationHeaderMalformed",
                 "The authorization header is malformed; the authorization "
                 "header requires three components: Credential, "
                 "SignedHeaders, and Signature.",
                 NULL, NULL);
        return -1;
    }
    hash = sim_req_header(req, "x-amz-content-sha256");
    if (!hash) {
        s3_error(resp, req, 400, "InvalidRequest",
                 "Missing required header for this request: "
                 "x-amz-content-sha256",
                 NULL, NULL);
        goto done;
    }
    if (strcmp(hash, UNSIGNED) != 0 &&
        !sha256_matches(hash, req->body, req->body_len)) {
        s3_error(resp, req, 400, "XAmzContentSHA256Mismatch",
                 "The provided 'x-amz-content-sha256' header does not match "
                 "what was computed.",
                 NULL, NULL);
        goto done;
    }
    amz_date = sim_req_header(req, "X-Amz-Date");
    if (!amz_date || sim_sigv4_parse_date(&t, amz_date) != 0) {
        s3_error(resp, req, 403, "AccessDenied",
                 "AWS authentication requires a valid Date or x-amz-date "
                 "header",
                 NULL, NULL);
        goto done;
    }
    key = sim_key_find(sim, auth.access_key_id);
    if (!key) {
        s3_error(resp, req, 403, "InvalidAccessKeyId",
                 "The AWS Access Key Id you provided does not exist in our "
                 "records.",
                 "AWSAccessKeyId", auth.access_key_id);
        goto done;
    }
    token = sim_req_header(req, "X-Amz-Security-Token");
    if (key->session_token ? !token || strcmp(token, key->session_token) != 0
                           : token != NULL) {
        s3_error(resp, req, 400, "InvalidToken",
                 "The provided token is malformed or otherwise invalid.", NULL,
                 NULL);
        goto done;
    }
    if (key->expires_ms && sim_now_ms(sim) >= key->expires_ms) {
        s3_error(resp, req, 400, "ExpiredToken",
                 "The provided token has expired.", NULL, NULL);
        goto done;
    }
    if (t < now - SKEW_SECONDS || t > now + SKEW_SECONDS) {
        s3_error(resp, req, 403, "RequestTimeTooSkewed",
                 "The difference between the request time and the current "
                 "time is too large.",
                 "RequestTime", amz_date);
        goto done;
    }
    if (strcmp(auth.service, "s3") != 0) {
        snprintf(msg, sizeof(msg),
                 "The authorization header is malformed; incorrect service "
                 "\"%s\". This endpoint belongs to \"s3\".",
                 auth.service);
        s3_error(resp, req, 400, "AuthorizationHeaderMalformed", msg, NULL,
                 NULL);
        goto done;
    }
    if (region && strcmp(auth.region, region) != 0) {
        snprintf(msg, sizeof(msg),
                 "The authorization header is malformed; the region '%s' is "
                 "wrong; expecting '%s'",
                 auth.region, region);
        s3_error(resp, req, 400, "AuthorizationHeaderMalformed", msg, "Region",
                 region);
        goto done;
    }
    if (strncmp(auth.date, amz_date, 8) != 0) {
        snprintf(msg, sizeof(msg),
                 "The authorization header is malformed; Invalid credential "
                 "date. Date is not the same as X-Amz-Date.");
        s3_error(resp, req, 400, "AuthorizationHeaderMalformed", msg, NULL,
                 NULL);
        goto done;
    }

    names = tern_calloc(req->nheaders + 1, sizeof(*names));
    values = tern_calloc(req->nheaders + 1, sizeof(*values));
    if (!names || !values) {
        s3_error(resp, req, 500, "InternalError", "out of memory", NULL, NULL);
        goto done;
    }
    for (i = 0; i < req->nheaders; i++) {
        names[i] = req->headers[i].name;
        values[i] = req->headers[i].value;
    }
    memset(&in, 0, sizeof(in));
    in.method = req->method;
    in.raw_path = req->raw_path;
    in.raw_query = req->raw_query;
    in.header_names = names;
    in.header_values = values;
    in.nheaders = req->nheaders;
    in.signed_headers = auth.signed_headers;
    in.body = req->body;
    in.body_len = req->body_len;
    in.amz_date = amz_date;
    in.date = auth.date;
    in.region = auth.region;
    in.service = auth.service;
    in.secret = key->secret_access_key;
    in.s3 = 1;
    in.payload_hash = hash;
    if (sim_sigv4_compute(want, NULL, &in) != 0) {
        s3_error(resp, req, 500, "InternalError",
                 "We encountered an internal error. Please try again.", NULL,
                 NULL);
        goto done;
    }
    if (!sim_sigv4_equal(want, auth.signature)) {
        s3_error(resp, req, 403, "SignatureDoesNotMatch",
                 "The request signature we calculated does not match the "
                 "signature you provided. Check your key and signing method.",
                 "AWSAccessKeyId", auth.access_key_id);
        goto done;
    }
    req->account = key->account;
    req->caller_arn = key->arn;
    req->caller_user_id = key->user_id;
    rc = 0;
done:
    tern_free(names);
    tern_free(values);
    sim_sigv4_auth_release(&auth);
    return rc;
}

/* --- operations -------------------------------------------------------- */

static void obj_headers(struct sim_resp *resp, const struct s3_obj *o)
{
    char when[40];

    add_header(resp, "ETag", o->etag);
    http_time(when, o->mtime_ms);
    add_header(resp, "Last-Modified", when);
    if (o->sse)
        add_header(resp, "x-amz-server-side-encryption", o->sse);
    if (o->kms_key_id)
        add_header(resp, "x-amz-server-side-encryption-aws-kms-key-id",
                   o->kms_key_id);
    if (o->ssec_md5) {
        add_header(resp, "x-amz-server-side-encryption-customer-algorithm",
                   "AES256");
        add_header(resp, "x-amz-server-side-encryption-customer-key-MD5",
                   o->ssec_md5);
    }
}

/*
 * SSE-C, as the S3 User Guide describes it ("Using server-side encryption
 * with customer-provided keys"): the three headers
 * x-amz-server-side-encryption-customer-algorithm (AES256), -customer-key
 * (a 256-bit key in base64) and -customer-key-MD5 (the key's MD5 in
 * base64), all or none. @return 0 without them, 1 with them (the MD5 in
 * @p md5), -1 after answering an error.
 */
static int ssec_read(const struct sim_req *req, struct sim_resp *resp,
                     char md5[32])
{
    const char *alg =
        sim_req_header(req, "x-amz-server-side-encryption-customer-algorithm");
    const char *key =
        sim_req_header(req, "x-amz-server-side-encryption-customer-key");
    const char *sum =
        sim_req_header(req, "x-amz-server-side-encryption-customer-key-MD5");
    unsigned char raw[64], digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char want[32];
    int n;

    if (!alg && !key && !sum)
        return 0;
    if (!alg || strcmp(alg, "AES256") != 0) {
        s3_error(resp, req, 400, "InvalidArgument",
                 "The encryption method specified is not supported",
                 "ArgumentName",
                 "x-amz-server-side-encryption-customer-algorithm");
        return -1;
    }
    n = key && strlen(key) == 44
            ? EVP_DecodeBlock(raw, (const unsigned char *)key, 44)
            : -1;
    /* 44 characters decode to 33 bytes less the padding: one '=' for 32. */
    if (n != 33 || key[43] != '=' || key[42] == '=') {
        s3_error(resp, req, 400, "InvalidArgument",
                 "The secret key was invalid for the specified algorithm.",
                 "ArgumentName", "x-amz-server-side-encryption-customer-key");
        return -1;
    }
    EVP_Digest(raw, 32, digest, &dlen, EVP_md5(), NULL);
    EVP_EncodeBlock((unsigned char *)want, digest, (int)dlen);
    if (!sum || strcmp(sum, want) != 0) {
        s3_error(resp, req, 400, "InvalidArgument",
                 "The calculated MD5 hash of the key did not match the hash "
                 "that was provided.",
                 "ArgumentName",
                 "x-amz-server-side-encryption-customer-key-MD5");
        return -1;
    }
    memcpy(md5, want, sizeof(want));
    return 1;
}

static int dup_opt(char **out, const char *v)
{
    *out = v ? tern_strdup(v) : NULL;
    return v && !*out ? -1 : 0;
}

static void put_object(struct sim_s3 *s3, struct s3_bucket *b,
                       struct sim_req *req, const char *key,
                       uint64_t arrival_seq, struct sim_resp *resp)
{
    const char *inm = sim_req_header(req, "If-None-Match");
    const char *im = sim_req_header(req, "If-Match");
    const char *sse = sim_req_header(req, "x-amz-server-side-encryption");
    const char *kms =
        sim_req_header(req, "x-amz-server-side-encryption-aws-kms-key-id");
    const char *acl = sim_req_header(req, "x-amz-acl");
    const char *ctype = sim_req_header(req, "Content-Type");
    struct s3_obj *cur = obj_live(b, key), nobj;
    int found = 0, ssec;
    size_t slot;
    char ssec_md5[32];

    if ((ssec = ssec_read(req, resp, ssec_md5)) < 0)
        return;
    if (ssec && sse) {
        s3_error(resp, req, 400, "InvalidArgument",
                 "Server Side Encryption with Customer provided key is "
                 "incompatible with the encryption method specified",
                 "ArgumentName", "x-amz-server-side-encryption");
        return;
    }
    if (inm && strcmp(inm, "*") != 0) {
        s3_error(resp, req, 501, "NotImplemented",
                 "A header you provided implies functionality that is not "
                 "implemented",
                 "Header", "If-None-Match");
        return;
    }
    if (sse && strcmp(sse, "AES256") != 0 && strcmp(sse, "aws:kms") != 0 &&
        strcmp(sse, "aws:kms:dsse") != 0) {
        s3_error(resp, req, 400, "InvalidArgument",
                 "The encryption method specified is not supported",
                 "ArgumentName", "x-amz-server-side-encryption");
        return;
    }
    if (kms && (!sse || strncmp(sse, "aws:kms", 7) != 0)) {
        s3_error(resp, req, 400, "InvalidArgument",
                 "Server Side Encryption with AWS KMS managed key requires "
                 "HTTP header x-amz-server-side-encryption : aws:kms",
                 NULL, NULL);
        return;
    }
    if (acl && strcmp(acl, "private") != 0 && strcmp(acl, "public-read") != 0 &&
        strcmp(acl, "public-read-write") != 0 &&
        strcmp(acl, "authenticated-read") != 0 &&
        strcmp(acl, "aws-exec-read") != 0 &&
        strcmp(acl, "bucket-owner-read") != 0 &&
        strcmp(acl, "bucket-owner-full-control") != 0) {
        s3_error(resp, req, 400, "InvalidArgument", "", "ArgumentName",
                 "x-amz-acl");
        return;
    }
    if (inm || im) {
        int cidx_found = 0;
        size_t cidx = obj_slot(b, key, &cidx_found);

        /* Another request changed or deleted this key while this one was
         * in flight: the first to finish won. */
        if (cidx_found && b->objs[cidx].change_seq > arrival_seq) {
            s3_error(resp, req, 409, "ConditionalRequestConflict",
                     "A conflicting conditional operation is currently in "
                     "progress against this resource. Please try again.",
                     "Key", key);
            return;
        }
        if (inm && cur) {
            s3_error(resp, req, 412, "PreconditionFailed",
                     "At least one of the pre-conditions you specified did "
                     "not hold",
                     "Condition", "If-None-Match");
            return;
        }
        if (im && !cur) {
            no_such_key(resp, req, key);
            return;
        }
        if (im && strcmp(im, "*") != 0 && strcmp(im, cur->etag) != 0) {
            s3_error(resp, req, 412, "PreconditionFailed",
                     "At least one of the pre-conditions you specified did "
                     "not hold",
                     "Condition", "If-Match");
            return;
        }
    }

    memset(&nobj, 0, sizeof(nobj));
    nobj.key = tern_strdup(key);
    nobj.data = tern_malloc(req->body_len + 1);
    if (!nobj.key || !nobj.data || dup_opt(&nobj.content_type, ctype) ||
        dup_opt(&nobj.sse, sse) || dup_opt(&nobj.kms_key_id, kms) ||
        dup_opt(&nobj.acl, acl) ||
        dup_opt(&nobj.ssec_md5, ssec ? ssec_md5 : NULL))
        goto oom;
    if (req->body_len)
        memcpy(nobj.data, req->body, req->body_len);
    nobj.data[req->body_len] = '\0';
    nobj.len = req->body_len;
    md5_etag(nobj.etag, nobj.data, nobj.len);
    nobj.mtime_ms = sim_now_ms(s3->sim);
    nobj.change_seq = ++s3->seq;

    slot = obj_slot(b, key, &found);
    if (found) {
        obj_release(&b->objs[slot]);
    } else {
        if (b->nobjs == b->alloc) {
            size_t alloc = b->alloc ? b->alloc * 2 : 16;
            struct s3_obj *no = tern_realloc(b->objs, alloc * sizeof(*no));

            if (!no)
                goto oom;
            b->objs = no;
            b->alloc = alloc;
        }
        memmove(&b->objs[slot + 1], &b->objs[slot],
                (b->nobjs - slot) * sizeof(*b->objs));
        b->nobjs++;
    }
    b->objs[slot] = nobj;
    resp->status = 200;
    add_header(resp, "ETag", nobj.etag);
    if (nobj.sse)
        add_header(resp, "x-amz-server-side-encryption", nobj.sse);
    if (nobj.ssec_md5) {
        add_header(resp, "x-amz-server-side-encryption-customer-algorithm",
                   "AES256");
        add_header(resp, "x-amz-server-side-encryption-customer-key-MD5",
                   nobj.ssec_md5);
    }
    return;
oom:
    obj_release(&nobj);
    s3_error(resp, req, 500, "InternalError", "out of memory", NULL, NULL);
}

/*
 * Whether the header value @p list (RFC 7232: "*" or a comma-separated list
 * of entity tags, each perhaps weak, W/"...") names the ETag @p etag.
 */
static int etag_listed(const char *list, const char *etag)
{
    const char *p = list;
    size_t elen = strlen(etag);

    while (*p) {
        size_t n;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        n = strcspn(p, ",");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == elen && strncmp(p, etag, n) == 0)
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/*
 * GetObject and HeadObject, with the conditional reads of the S3 API
 * reference (GetObject: IfMatch, IfNoneMatch; RFC 7232 section 6 for
 * their order): If-Match naming another ETag is 412 PreconditionFailed
 * (Condition If-Match); If-None-Match naming the current one (or "*") is
 * 304 Not Modified, with the ETag and Last-Modified and no body. A missing
 * key is 404 NoSuchKey whatever the conditions.
 */
static void get_object(struct s3_bucket *b, struct sim_req *req,
                       const char *key, struct sim_resp *resp)
{
    const struct s3_obj *o = obj_live(b, key);
    const char *im = sim_req_header(req, "If-Match");
    const char *inm = sim_req_header(req, "If-None-Match");
    char md5[32];
    int ssec;

    if (!o) {
        no_such_key(resp, req, key);
        return;
    }
    /* An SSE-C object is read with its key only; the key of another
     * object, or none, is refused. */
    if ((ssec = ssec_read(req, resp, md5)) < 0)
        return;
    if (o->ssec_md5 && !ssec) {
        s3_error(resp, req, 400, "InvalidRequest",
                 "The object was stored using a form of Server Side "
                 "Encryption. The correct parameters must be provided to "
                 "retrieve the object.",
                 NULL, NULL);
        return;
    }
    if (ssec && !o->ssec_md5) {
        s3_error(resp, req, 400, "InvalidRequest",
                 "The encryption parameters are not applicable to this "
                 "object.",
                 NULL, NULL);
        return;
    }
    if (ssec && strcmp(md5, o->ssec_md5) != 0) {
        s3_error(resp, req, 403, "AccessDenied", "Access Denied", NULL, NULL);
        return;
    }
    if (im && !etag_listed(im, o->etag)) {
        s3_error(resp, req, 412, "PreconditionFailed",
                 "At least one of the pre-conditions you specified did not "
                 "hold",
                 "Condition", "If-Match");
        return;
    }
    if (inm && etag_listed(inm, o->etag)) {
        resp->status = 304;
        obj_headers(resp, o);
        return;
    }
    resp->status = 200;
    resp->content_type =
        o->content_type ? NULL : "binary/octet-stream"; /* S3's default */
    if (o->content_type)
        snprintf(resp->content_type_buf, sizeof(resp->content_type_buf), "%s",
                 o->content_type);
    obj_headers(resp, o);
    tern_buf_put(&resp->body, o->data, o->len);
}

static void delete_object(struct sim_s3 *s3, struct s3_bucket *b,
                          struct sim_req *req, const char *key,
                          struct sim_resp *resp)
{
    const char *im = sim_req_header(req, "If-Match");
    int found = 0;
    size_t slot = obj_slot(b, key, &found);

    /* A conditional delete (If-Match: ETAG) removes only that version of
     * the object: 412 when it changed, 404 NoSuchKey when it is gone. */
    if (im && (!found || b->objs[slot].deleted)) {
        no_such_key(resp, req, key);
        return;
    }
    if (im && strcmp(im, "*") != 0 && strcmp(im, b->objs[slot].etag) != 0) {
        s3_error(resp, req, 412, "PreconditionFailed",
                 "At least one of the pre-conditions you specified did not "
                 "hold",
                 "Condition", "If-Match");
        return;
    }
    /* S3 answers 204 whether or not the key existed. */
    if (found && !b->objs[slot].deleted) {
        tern_free(b->objs[slot].data);
        b->objs[slot].data = NULL;
        b->objs[slot].len = 0;
        b->objs[slot].deleted = 1;
        b->objs[slot].change_seq = ++s3->seq;
    }
    resp->status = 204;
}

static void list_objects(struct s3_bucket *b, struct sim_req *req,
                         struct sim_resp *resp)
{
    const char *prefix = query_value(req, "prefix");
    const char *delim = query_value(req, "delimiter");
    const char *token = query_value(req, "continuation-token");
    const char *after = query_value(req, "start-after");
    const char *mk = query_value(req, "max-keys");
    const char *lt = query_value(req, "list-type");
    const char *last_prefix = NULL;
    size_t plen = prefix ? strlen(prefix) : 0, i, count = 0, last_plen = 0;
    long max = 1000;
    char *end = NULL, when[32], num[32];
    tern_buf contents = TERN_BUF_INIT;
    const char *next = NULL;

    if (!lt || strcmp(lt, "2") != 0) {
        s3_error(resp, req, 400, "InvalidArgument",
                 "tern-sim serves ListObjectsV2 only (list-type=2)",
                 "ArgumentName", "list-type");
        return;
    }
    if (mk) {
        max = strtol(mk, &end, 10);
        if (!*mk || *end || max < 0) {
            s3_error(resp, req, 400, "InvalidArgument",
                     "Provided max-keys not an integer or within integer "
                     "range",
                     "ArgumentName", "max-keys");
            return;
        }
        if (max > 1000)
            max = 1000;
    }
    for (i = 0; i < b->nobjs; i++) {
        const struct s3_obj *o = &b->objs[i];
        const char *rest;
        const char *d;

        if (o->deleted || (prefix && strncmp(o->key, prefix, plen) != 0))
            continue;
        if (token && strcmp(o->key, token) < 0)
            continue;
        if (!token && after && strcmp(o->key, after) <= 0)
            continue;
        rest = o->key + plen;
        d = delim && *delim ? strstr(rest, delim) : NULL;
        if (d) {
            size_t cplen = (size_t)(d - o->key) + strlen(delim);

            if (last_prefix && last_plen == cplen &&
                strncmp(last_prefix, o->key, cplen) == 0)
                continue; /* rolled up into the same CommonPrefixes */
            if ((long)count == max) {
                next = o->key;
                break;
            }
            tern_buf_puts(&contents, "<CommonPrefixes><Prefix>");
            {
                char *cp = tern_strndup(o->key, cplen);

                sim_xml_escape(&contents, cp ? cp : "");
                tern_free(cp);
            }
            tern_buf_puts(&contents, "</Prefix></CommonPrefixes>");
            last_prefix = o->key;
            last_plen = cplen;
            count++;
            continue;
        }
        if ((long)count == max) {
            next = o->key;
            break;
        }
        tern_buf_puts(&contents, "<Contents>");
        sim_xml_elem(&contents, "Key", o->key);
        iso_time(when, o->mtime_ms);
        sim_xml_elem(&contents, "LastModified", when);
        sim_xml_elem(&contents, "ETag", o->etag);
        snprintf(num, sizeof(num), "%zu", o->len);
        sim_xml_elem(&contents, "Size", num);
        sim_xml_elem(&contents, "StorageClass", "STANDARD");
        tern_buf_puts(&contents, "</Contents>");
        count++;
    }
    resp->status = 200;
    resp->content_type = "application/xml";
    tern_buf_puts(&resp->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<ListBucketResult xmlns=\"" S3_NS "\">");
    sim_xml_elem(&resp->body, "Name", b->name);
    sim_xml_elem(&resp->body, "Prefix", prefix ? prefix : "");
    if (delim)
        sim_xml_elem(&resp->body, "Delimiter", delim);
    snprintf(num, sizeof(num), "%zu", count);
    sim_xml_elem(&resp->body, "KeyCount", num);
    snprintf(num, sizeof(num), "%ld", max);
    sim_xml_elem(&resp->body, "MaxKeys", num);
    sim_xml_elem(&resp->body, "IsTruncated", next ? "true" : "false");
    if (token)
        sim_xml_elem(&resp->body, "ContinuationToken", token);
    if (next)
        sim_xml_elem(&resp->body, "NextContinuationToken", next);
    if (after)
        sim_xml_elem(&resp->body, "StartAfter", after);
    tern_buf_put(&resp->body, contents.ptr ? contents.ptr : "", contents.len);
    tern_buf_puts(&resp->body, "</ListBucketResult>");
    tern_buf_release(&contents);
}

/* The region a CreateBucket body names (LocationConstraint), or NULL. */
static char *location_constraint(const struct sim_req *req)
{
    const char *open =
        req->body ? strstr(req->body, "<LocationConstraint>") : NULL;
    const char *close;

    if (!open)
        return NULL;
    open += strlen("<LocationConstraint>");
    close = strstr(open, "</LocationConstraint>");
    return close ? tern_strndup(open, (size_t)(close - open)) : NULL;
}

/* Split a request into bucket and key: the Host header's first label when
 * it is BUCKET.localhost, else the path's first segment. Both new. */
static int address(const struct sim_req *req, char **bucket, char **key)
{
    const char *host = sim_req_header(req, "Host");
    const char *p = req->path;

    *bucket = *key = NULL;
    if (host) {
        const char *dot = strchr(host, '.');
        const char *colon = strchr(host, ':');
        size_t hlen = colon ? (size_t)(colon - host) : strlen(host);

        if (dot && (size_t)(dot - host) < hlen &&
            hlen - (size_t)(dot - host) == strlen(".localhost") &&
            strncasecmp(dot, ".localhost", strlen(".localhost")) == 0) {
            *bucket = tern_strndup(host, (size_t)(dot - host));
            *key = tern_strdup(p[0] == '/' ? p + 1 : p);
            return *bucket && *key ? 0 : -1;
        }
    }
    if (*p == '/')
        p++;
    {
        const char *slash = strchr(p, '/');

        *bucket = slash ? tern_strndup(p, (size_t)(slash - p)) : tern_strdup(p);
        *key = tern_strdup(slash ? slash + 1 : "");
    }
    return *bucket && *key ? 0 : -1;
}

int sim_s3_is_virtual_host(const struct sim_req *req)
{
    const char *host = sim_req_header(req, "Host");
    const char *dot = host ? strchr(host, '.') : NULL;
    const char *colon = host ? strchr(host, ':') : NULL;
    size_t hlen = host ? (colon ? (size_t)(colon - host) : strlen(host)) : 0;

    return dot && (size_t)(dot - host) < hlen &&
           hlen - (size_t)(dot - host) == strlen(".localhost") &&
           strncasecmp(dot, ".localhost", strlen(".localhost")) == 0;
}

const char *sim_s3_action(const struct sim_req *req)
{
    const char *m = req->method;
    char *bucket = NULL, *key = NULL;
    const char *action = "";

    if (address(req, &bucket, &key) == 0 && *bucket) {
        if (!*key)
            action = strcmp(m, "PUT") == 0    ? "CreateBucket"
                     : strcmp(m, "GET") == 0  ? "ListObjectsV2"
                     : strcmp(m, "HEAD") == 0 ? "HeadBucket"
                                              : "";
        else
            action = strcmp(m, "PUT") == 0      ? "PutObject"
                     : strcmp(m, "GET") == 0    ? "GetObject"
                     : strcmp(m, "HEAD") == 0   ? "HeadObject"
                     : strcmp(m, "DELETE") == 0 ? "DeleteObject"
                                                : "";
    }
    tern_free(bucket);
    tern_free(key);
    return action;
}

/* --- the race (POST /_sim/s3/race) -------------------------------------- */

/* Whether @p req addresses @p key of the race's bucket. */
static int race_names(const struct sim_s3 *s3, const struct sim_req *req,
                      const char *key)
{
    char *bucket = NULL, *k = NULL;
    int yes;

    yes = address(req, &bucket, &k) == 0 &&
          strcmp(bucket, s3->race.bucket) == 0 && strcmp(k, key) == 0;
    tern_free(bucket);
    tern_free(k);
    return yes;
}

/* The GetObject of read_key was answered: the other client's writes and
 * deletes, as if made through the API, then the held requests go on. */
static void race_run(struct sim_s3 *s3)
{
    struct s3_bucket *b = bucket_find(s3, s3->race.bucket);
    const json_t *it;
    size_t i;

    json_array_foreach(s3->race.puts, i, it)
    {
        const json_t *body = json_object_get(it, "body");
        struct sim_req req;
        struct sim_resp resp;

        memset(&req, 0, sizeof(req));
        memset(&resp, 0, sizeof(resp));
        req.method = "PUT";
        req.body = json_string_value(body);
        req.body_len = json_string_length(body);
        if (b)
            put_object(s3, b, &req,
                       json_string_value(json_object_get(it, "key")), s3->seq,
                       &resp);
        tern_buf_release(&resp.body);
    }
    json_array_foreach(s3->race.deletes, i, it)
    {
        struct sim_req req;
        struct sim_resp resp;

        memset(&req, 0, sizeof(req));
        memset(&resp, 0, sizeof(resp));
        req.method = "DELETE";
        if (b)
            delete_object(s3, b, &req, json_string_value(it), &resp);
        tern_buf_release(&resp.body);
    }
    race_release(s3);
}

uint64_t sim_s3_hold(struct sim_s3 *s3, const struct sim_req *req,
                     uint64_t arrival_seq)
{
    struct timespec deadline;

    if (!s3->race.armed || strcmp(req->method, "PUT") != 0 ||
        !race_names(s3, req, s3->race.hold_key))
        return arrival_seq;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    while (s3->race.armed)
        if (pthread_cond_timedwait(&s3->race_cond, &s3->sim->lock, &deadline))
            break;
    /* The request reaches S3 now, after the other client's changes. */
    return s3->seq;
}

int sim_s3_race(struct sim_s3 *s3, const json_t *in, char *err, size_t errlen)
{
    const char *bucket = json_string_value(json_object_get(in, "bucket"));
    const char *read = json_string_value(json_object_get(in, "read"));
    const char *hold = json_string_value(json_object_get(in, "hold"));
    json_t *puts = json_object_get(in, "put");
    json_t *dels = json_object_get(in, "delete");
    const json_t *it;
    size_t i;

    if (!bucket || !read || !hold) {
        snprintf(err, errlen, "bucket, read and hold are required strings");
        return -1;
    }
    if ((puts && !json_is_array(puts)) || (dels && !json_is_array(dels))) {
        snprintf(err, errlen, "put and delete must be arrays");
        return -1;
    }
    json_array_foreach(puts, i, it)
    {
        if (!json_string_value(json_object_get(it, "key")) ||
            !json_is_string(json_object_get(it, "body"))) {
            snprintf(err, errlen, "put[%zu]: key and body are required", i);
            return -1;
        }
    }
    json_array_foreach(dels, i, it)
    {
        if (!json_is_string(it)) {
            snprintf(err, errlen, "delete[%zu] must be a key", i);
            return -1;
        }
    }
    race_release(s3);
    s3->race.bucket = tern_strdup(bucket);
    s3->race.read_key = tern_strdup(read);
    s3->race.hold_key = tern_strdup(hold);
    s3->race.puts = puts ? json_incref(puts) : json_array();
    s3->race.deletes = dels ? json_incref(dels) : json_array();
    if (!s3->race.bucket || !s3->race.read_key || !s3->race.hold_key ||
        !s3->race.puts || !s3->race.deletes) {
        race_release(s3);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s3->race.armed = 1;
    return 0;
}

const char *sim_s3_handle(struct sim_s3 *s3, struct sim_req *req,
                          uint64_t arrival_seq, struct sim_resp *resp)
{
    const char *m = req->method;
    const char *action = "";
    char *bucket = NULL, *key = NULL, *region = NULL;
    struct s3_bucket *b;

    if (address(req, &bucket, &key) != 0) {
        s3_error(resp, req, 500, "InternalError", "out of memory", NULL, NULL);
        goto done;
    }
    add_header(resp, "x-amz-request-id", req->request_id);
    add_header(resp, "x-amz-id-2", "tern-sim");
    if (!*bucket) {
        action = "ListBuckets";
        s3_error(resp, req, 501, "NotImplemented",
                 "tern-sim does not serve ListBuckets", NULL, NULL);
        goto done;
    }
    b = bucket_find(s3, bucket);
    if (!*key && strcmp(m, "PUT") == 0) {
        action = "CreateBucket";
        if (s3_auth(s3->sim, req, resp, NULL) != 0)
            goto done;
        if (!bucket_name_valid(bucket)) {
            s3_error(resp, req, 400, "InvalidBucketName",
                     "The specified bucket is not valid.", "BucketName",
                     bucket);
            goto done;
        }
        if (b) {
            s3_error(resp, req, 409, "BucketAlreadyOwnedByYou",
                     "Your previous request to create the named bucket "
                     "succeeded and you already own it.",
                     "BucketName", bucket);
            goto done;
        }
        region = location_constraint(req);
        if (!bucket_add(s3, bucket, region)) {
            s3_error(resp, req, 500, "InternalError", "out of memory", NULL,
                     NULL);
            goto done;
        }
        resp->status = 200;
        goto done;
    }
    if (!*key && strcmp(m, "GET") == 0)
        action = "ListObjectsV2";
    else if (!*key && strcmp(m, "HEAD") == 0)
        action = "HeadBucket";
    else if (strcmp(m, "PUT") == 0)
        action = "PutObject";
    else if (strcmp(m, "GET") == 0)
        action = "GetObject";
    else if (strcmp(m, "HEAD") == 0)
        action = "HeadObject";
    else if (strcmp(m, "DELETE") == 0)
        action = "DeleteObject";
    if (!*action || (!*key && strcmp(m, "DELETE") == 0)) {
        s3_error(resp, req, 405, "MethodNotAllowed",
                 "The specified method is not allowed against this resource.",
                 "Method", m);
        goto done;
    }
    if (!b) {
        /* S3 checks the bucket before the signature's region. */
        if (s3_auth(s3->sim, req, resp, NULL) == 0)
            no_such_bucket(resp, req, bucket);
        goto done;
    }
    if (s3_auth(s3->sim, req, resp, b->region) != 0)
        goto done;
    add_header(resp, "x-amz-bucket-region", b->region);
    if (strcmp(action, "ListObjectsV2") == 0) {
        list_objects(b, req, resp);
    } else if (strcmp(action, "HeadBucket") == 0) {
        resp->status = 200;
    } else if (strcmp(action, "PutObject") == 0) {
        if (has_query(req, "uploadId") || has_query(req, "partNumber"))
            s3_error(resp, req, 501, "NotImplemented",
                     "tern-sim does not serve multipart uploads", NULL, NULL);
        else
            put_object(s3, b, req, key, arrival_seq, resp);
    } else if (strcmp(action, "GetObject") == 0 ||
               strcmp(action, "HeadObject") == 0) {
        get_object(b, req, key, resp);
        if (s3->race.armed && strcmp(action, "GetObject") == 0 &&
            strcmp(bucket, s3->race.bucket) == 0 &&
            strcmp(key, s3->race.read_key) == 0)
            race_run(s3);
    } else {
        delete_object(s3, b, req, key, resp);
    }
done:
    tern_free(bucket);
    tern_free(key);
    tern_free(region);
    return action;
}

/* --- control ----------------------------------------------------------- */

json_t *sim_s3_dump(struct sim_s3 *s3)
{
    json_t *out = json_object(), *buckets = json_array();
    size_t i, j;

    for (i = 0; i < s3->nbuckets; i++) {
        const struct s3_bucket *b = &s3->buckets[i];
        json_t *objs = json_array();

        for (j = 0; j < b->nobjs; j++) {
            const struct s3_obj *o = &b->objs[j];
            json_t *jo;

            if (o->deleted)
                continue;
            jo = json_pack("{s:s, s:s%, s:s, s:I}", "key", o->key, "body",
                           o->data, o->len, "etag", o->etag, "size",
                           (json_int_t)o->len);
            if (jo && o->sse)
                json_object_set_new(jo, "sse", json_string(o->sse));
            if (jo && o->kms_key_id)
                json_object_set_new(jo, "kms_key_id",
                                    json_string(o->kms_key_id));
            if (jo && o->acl)
                json_object_set_new(jo, "acl", json_string(o->acl));
            if (jo && o->ssec_md5)
                json_object_set_new(jo, "sse_customer_key_md5",
                                    json_string(o->ssec_md5));
            json_array_append_new(objs, jo);
        }
        json_array_append_new(buckets,
                              json_pack("{s:s, s:s, s:o}", "name", b->name,
                                        "region", b->region, "objects", objs));
    }
    json_object_set_new(out, "buckets", buckets);
    return out;
}

/*
 * {"buckets": [{"name": N, "region": R, "objects": [{"key": K, "body":
 * TEXT}]}]}: buckets (created when missing) and objects, as if written.
 */
int sim_s3_load(struct sim_s3 *s3, const json_t *in, char *err, size_t errlen)
{
    const json_t *buckets = json_object_get(in, "buckets"), *jb;
    size_t i;

    if (buckets && !json_is_array(buckets)) {
        snprintf(err, errlen, "s3.buckets must be an array");
        return -1;
    }
    json_array_foreach(buckets, i, jb)
    {
        const char *name = json_string_value(json_object_get(jb, "name"));
        const char *region = json_string_value(json_object_get(jb, "region"));
        const json_t *objs = json_object_get(jb, "objects"), *jo;
        struct s3_bucket *b;
        size_t j;

        if (!name || !bucket_name_valid(name)) {
            snprintf(err, errlen, "s3.buckets[%zu]: a valid name is required",
                     i);
            return -1;
        }
        b = bucket_find(s3, name);
        if (!b && !(b = bucket_add(s3, name, region))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        json_array_foreach(objs, j, jo)
        {
            const char *key = json_string_value(json_object_get(jo, "key"));
            const char *body = json_string_value(json_object_get(jo, "body"));
            struct sim_req req;
            struct sim_resp resp;
            int rc;

            if (!key || !*key || !body) {
                snprintf(err, errlen,
                         "s3.buckets[%zu].objects[%zu]: key and body are "
                         "required",
                         i, j);
                return -1;
            }
            memset(&req, 0, sizeof(req));
            memset(&resp, 0, sizeof(resp));
            req.method = "PUT";
            req.body = body;
            req.body_len = json_string_length(json_object_get(jo, "body"));
            put_object(s3, b, &req, key, s3->seq, &resp);
            rc = resp.status == 200 ? 0 : -1;
            tern_buf_release(&resp.body);
            if (rc != 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
    }
    return 0;
}
