/*
 * Signed AWS Query calls from tests to tern-sim, signed with tern's own
 * SigV4 code (src/aws/sigv4.h).
 */
#ifndef TERN_TEST_AWS_CALL_H
#define TERN_TEST_AWS_CALL_H

#include <time.h>

#include "support.h"

struct tt_aws_creds {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL for long-term keys */
};

/* The key set tern-sim accepts by default (SIM_DEFAULT_AKID/SECRET). */
extern const struct tt_aws_creds tt_default_creds;

struct tt_aws_opts {
    const char *method;     /* "POST" (form body, default) or "GET" (query) */
    time_t sign_time;       /* 0: now; else sign as of this time (skew tests) */
    const char *region;     /* default "us-east-1" */
    int corrupt_signature;  /* flip one hex digit of the signature */
    int omit_authorization; /* send no Authorization header at all */
};

/*
 * Call an IAM or STS action. service is "iam" or "sts"; params is a
 * NULL-terminated list of name, value, name, value, ... (raw, unencoded);
 * Version is added (2010-05-08 for iam, 2011-06-15 for sts). creds NULL
 * means tt_default_creds; opts may be NULL. Returns tt_http's result.
 */
int tt_aws_call(struct tt_response *out, const struct tt_sim *sim,
                const char *service, const struct tt_aws_creds *creds,
                const struct tt_aws_opts *opts, const char *action,
                const char *const *params);

/* Shorthand: IAM with default creds and options. */
int tt_iam(struct tt_response *out, const struct tt_sim *sim,
           const char *action, const char *const *params);

/*
 * An S3 request to tern-sim, signed with tern's signer as S3 wants it (path
 * not normalised, x-amz-content-sha256 signed). path_query is the raw
 * request target ("/bucket/key?list-type=2"), already encoded; headers a
 * NULL-terminated list of "Name: value" lines to sign and send (may be
 * NULL). opts may be NULL.
 */
struct tt_s3_opts {
    const char *region;     /* default "us-east-1" */
    const char *host;       /* Host header; default 127.0.0.1:PORT */
    int no_content_sha;     /* sign without x-amz-content-sha256 */
    const char *send_body;  /* send this body instead of the signed one */
    int corrupt_signature;  /* flip one hex digit of the signature */
    int omit_authorization; /* send no Authorization header */
    const char *service;    /* default "s3" */
};
int tt_s3(struct tt_response *out, const struct tt_sim *sim,
          const struct tt_s3_opts *opts, const char *method,
          const char *path_query, const char *const *headers, const char *body,
          size_t body_len);

#endif
