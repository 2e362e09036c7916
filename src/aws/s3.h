/*
 * The S3 REST client a state backend needs: GetObject (also with
 * If-None-Match: ETAG), PutObject (with If-None-Match / If-Match),
 * DeleteObject and ListObjectsV2. It shares the
 * HTTP layer, the SigV4 signer and the credentials chain with the Query
 * client (aws/client.h) and signs as the SDKs sign S3 (aws-sdk-go-v2
 * service/s3, which Terraform's S3 backend uses): the object key is
 * URI-encoded once ('/' kept) and that path is the canonical URI, neither
 * normalised nor encoded again; every request carries x-amz-content-sha256
 * with the SHA-256 of its body, signed.
 *
 * Endpoint: the backend's endpoints { s3 = ... }, then AWS_ENDPOINT_URL_S3,
 * then AWS_ENDPOINT_URL, then https://s3.REGION.amazonaws.com
 * (amazonaws.com.cn in the China regions). Addressing is virtual-hosted
 * (https://BUCKET.HOST/KEY) unless use_path_style is set, the endpoint's
 * host is an IP address, or the bucket name is not a DNS label (a dot under
 * https): then path style (https://HOST/BUCKET/KEY), as the SDK's endpoint
 * rules choose. Plain http is accepted only for loopback (http/http.h);
 * "localhost" endpoints get BUCKET.localhost hosts, which are loopback too.
 *
 * Signing, retries and the call's deadline are the core every AWS client
 * shares (aws/core.h): the SDKs' standard mode (throttling such as
 * SlowDown, 500/502/503/504, dropped connections), with full-jitter
 * backoff up to max_retries, within 5 minutes a call. A conditional write
 * that lost (412 PreconditionFailed, 409 ConditionalRequestConflict) is
 * never retried: it is TERN_ECONFLICT, for the caller to decide.
 */
#ifndef TERN_AWS_S3_H
#define TERN_AWS_S3_H

#include <stdatomic.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "http/http.h"
#include "tern/diag.h"
#include "util/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An S3 client (opaque, thread-safe). */
typedef struct tern_s3_client tern_s3_client;

/**
 * Create a client.
 * @param out receives the client (caller owns; tern_s3_client_free())
 * @param opts the options every AWS client takes (aws/client.h; borrowed,
 *        strings copied): region (NULL: us-east-1), endpoint, use_path_style,
 *        max_retries, http and credentials (required), clock, cancel
 * @param diags receives the reason on failure (an endpoint that is not a
 *        URL, or plain http off loopback)
 * @return TERN_OK, TERN_EINVALID or TERN_ENOMEM
 */
int tern_s3_client_new(tern_s3_client **out, const tern_aws_client_opts *opts,
                       struct tern_diags *diags);

/** Free a client. NULL-safe. */
void tern_s3_client_free(tern_s3_client *c);

/**
 * SSE-C: every GetObject and PutObject of this client carries the
 * customer key (x-amz-server-side-encryption-customer-algorithm AES256,
 * -customer-key, -customer-key-MD5), as Terraform's S3 backend sends it
 * for the state and lock objects when encrypt and sse_customer_key are
 * set (client.go). The key is registered as a secret with the log.
 * @param key_b64 the base64 of a 256-bit key
 * @return TERN_OK, TERN_EINVALID (not 32 bytes in base64), TERN_ENOMEM
 */
int tern_s3_client_set_customer_key(tern_s3_client *c, const char *key_b64);

/** The endpoint in use (owned by the client). */
const char *tern_s3_client_endpoint(const tern_s3_client *c);

/**
 * The URL of an object (or of the bucket, when @p key is NULL), as the
 * client addresses it.
 * @return a new string (caller frees), or NULL on allocation failure
 */
char *tern_s3_object_url(const tern_s3_client *c, const char *bucket,
                         const char *key);

/**
 * GetObject.
 * @param body receives the object's bytes (appended)
 * @param etag receives the ETag as S3 sends it, quotes included (caller
 *        frees); may be NULL
 * @return TERN_OK; TERN_ENOTFOUND (NoSuchKey) without a diagnostic;
 *         TERN_ENOMEM when out of memory, copying the ETag included (never
 *         TERN_OK without the ETag S3 sent); else as the other calls, with
 *         a diagnostic
 */
int tern_s3_get(tern_s3_client *c, const char *bucket, const char *key,
                tern_buf *body, char **etag, struct tern_diags *diags);

/**
 * GetObject with If-None-Match: @p etag_held (S3 API reference, GetObject
 * IfNoneMatch): whether the object changed since the caller read it.
 * @param etag_held the ETag the caller holds, quotes included; NULL: no
 *        condition (any object that exists is a change)
 * @param changed receives 0 when S3 answered 304 Not Modified (@p body and
 *        @p etag untouched: still the object the caller read), else 1 with
 *        the object's bytes appended to @p body and its ETag in @p etag
 * @return as tern_s3_get(): TERN_ENOTFOUND (no object now) without a
 *         diagnostic
 */
int tern_s3_get_if_changed(tern_s3_client *c, const char *bucket,
                           const char *key, const char *etag_held,
                           tern_buf *body, char **etag, int *changed,
                           struct tern_diags *diags);

#define TERN_S3_PUT_OPTS_VERSION 1

/** PutObject's options. Strings borrowed, NULL when unset. */
typedef struct tern_s3_put_opts {
    unsigned int version;   /**< TERN_S3_PUT_OPTS_VERSION */
    int if_none_match;      /**< send If-None-Match: * (create only) */
    const char *if_match;   /**< send If-Match: this ETag */
    const char *sse;        /**< x-amz-server-side-encryption */
    const char *kms_key_id; /**< ...-aws-kms-key-id (with sse aws:kms) */
    const char *acl;        /**< x-amz-acl, a canned ACL */
    const char *content_type;
} tern_s3_put_opts;

#define TERN_S3_PUT_OPTS_INIT                                                  \
    {                                                                          \
        TERN_S3_PUT_OPTS_VERSION, 0, NULL, NULL, NULL, NULL, NULL              \
    }

/**
 * PutObject.
 * @param opts conditions and headers (borrowed; NULL for none)
 * @param etag receives the new ETag (caller frees); may be NULL; out of
 *        memory copying it is TERN_ENOMEM, never TERN_OK without it
 * @return TERN_OK; TERN_ECONFLICT when a condition failed (412
 *         PreconditionFailed, 409 ConditionalRequestConflict) or If-Match
 *         named an object that is gone (404 NoSuchKey), with a diagnostic
 *         whose service_code says which; else as tern_s3_get()
 */
int tern_s3_put(tern_s3_client *c, const char *bucket, const char *key,
                const void *body, size_t len, const tern_s3_put_opts *opts,
                char **etag, struct tern_diags *diags);

/**
 * DeleteObject (S3 answers 204 whether or not the key existed).
 * @param if_match when not NULL, delete only this version (If-Match):
 *        TERN_ECONFLICT when the object changed (412), TERN_ENOTFOUND when
 *        it is gone (404 NoSuchKey), both with a diagnostic
 * @return TERN_OK, or a failure with a diagnostic
 */
int tern_s3_delete(tern_s3_client *c, const char *bucket, const char *key,
                   const char *if_match, struct tern_diags *diags);

/**
 * Called for each key (is_prefix 0) and each common prefix (is_prefix 1)
 * of a listing, in S3's order.
 * @return TERN_OK to go on; anything else stops and is returned
 */
typedef int (*tern_s3_list_fn)(void *ud, const char *name, int is_prefix);

/**
 * ListObjectsV2 through every page.
 * @param prefix may be NULL
 * @param delimiter may be NULL
 */
int tern_s3_list(tern_s3_client *c, const char *bucket, const char *prefix,
                 const char *delimiter, tern_s3_list_fn fn, void *ud,
                 struct tern_diags *diags);

#ifdef __cplusplus
}
#endif

#endif
