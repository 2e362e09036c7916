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

#endif
