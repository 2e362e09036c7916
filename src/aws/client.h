/*
 * The AWS Query client (IAM, STS, EC2) that resource modules call.
 *
 * One call: the caller builds the parameters (tern_aws_query_add() and the
 * list helpers below), tern_aws_call() writes the body as botocore does
 * (aws/wire.h: Action, Version, the parameters in the service model's
 * order, form-encoded), signs those bytes with SigV4 (signing keys cached),
 * sends through the shared HTTP client, retries what the SDKs' standard mode
 * retries, and returns the parsed XML response or a diagnostic carrying the
 * service's error code, message and request id.
 *
 * Retries (the SDKs' "standard" mode): throttling error codes, HTTP 500,
 * 502, 503, 504, transient codes (ServiceFailure, ServiceUnavailable,
 * InternalError, RequestTimeout, ...), and connection resets, refused
 * connections and timeouts are retried, after a delay drawn uniformly from
 * [0, min(1 s * 2^(attempt-1), 20 s)] ("full jitter"), up to max_retries
 * retries (default 25, as Terraform's AWS provider). A client-wide token
 * bucket stops retry storms: 500 tokens, a retry costs 5 (a timeout 10), a
 * success returns the cost of its last retry, or 1 token when it needed
 * none. LimitExceeded, AccessDenied, validation and policy errors are not
 * retried. ExpiredToken with refreshable credentials refreshes them and
 * tries once more; a clock-skew error with a Date header far from ours
 * corrects the signing clock and tries once more.
 *
 * Endpoints: the provider block's endpoints, then AWS_ENDPOINT_URL_IAM /
 * AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_EC2, then AWS_ENDPOINT_URL (the
 * variables unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then the
 * default (https://iam.amazonaws.com,
 * https://sts.<region>.amazonaws.com, https://ec2.<region>.amazonaws.com,
 * and the aws-cn and aws-us-gov equivalents). The signing region and
 * service never change with an endpoint override: IAM signs for us-east-1
 * (cn-north-1, us-gov-west-1 in those partitions), STS and EC2 for the
 * region. EC2's answers have no <ActionResult> wrapper and its errors are
 * <Response><Errors><Error>; tern_aws_call() reads both.
 *
 * Logging: TERN_LOG=debug shows each attempt (service, action, status,
 * error code, attempt, duration) and each retry with its cause; trace adds
 * the bodies (src/http). Secrets are redacted by the log sink.
 */
#ifndef TERN_AWS_CLIENT_H
#define TERN_AWS_CLIENT_H

#include <stddef.h>
#include <stdatomic.h>
#include <time.h>

#include "aws/credentials.h"
#include "aws/xml.h"
#include "http/http.h"
#include "tern/clock.h"
#include "tern/diag.h"
#include "util/buf.h"

/** A client of one AWS Query service (opaque, thread-safe). */
typedef struct tern_aws_client tern_aws_client;

#define TERN_AWS_CLIENT_OPTS_VERSION 1

/** How to build a client: a Query client (tern_aws_client_new), the S3
 *  client (aws/s3.h) or the DynamoDB client (aws/dynamodb.h), which share
 *  the core (aws/core.h). Start from TERN_AWS_CLIENT_OPTS_INIT. */
typedef struct tern_aws_client_opts {
    unsigned int version; /**< TERN_AWS_CLIENT_OPTS_VERSION */
    /** "iam", "sts" or "ec2" (required by tern_aws_client_new; the S3 and
     *  DynamoDB clients ignore it) */
    const char *service;
    /** The region; picks the partition for IAM, the endpoint and signing
     *  region for STS. NULL: us-east-1. */
    const char *region;
    /** The configured endpoint for this service (the provider block's,
     *  the backend's endpoints { s3 = ... }), or NULL. It wins over
     *  AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL. */
    const char *endpoint;
    int max_retries;                   /**< < 0: 25 */
    tern_http *http;                   /**< borrowed, required */
    tern_aws_credentials *credentials; /**< borrowed, required */
    /** The deadline's time and the back-off's sleep (borrowed; NULL:
     *  tern_clock_system). A test's clock drives both. */
    const tern_clock *clock;
    time_t (*now)(void *ud); /**< signing clock; NULL: time() */
    void *now_ud;
    const atomic_int *cancel; /**< raised: calls end with ECANCELED */
    int correct_clock_skew;   /**< default 1 (Query clients only) */
    unsigned int seed;        /**< jitter seed; 0: from the clock */
    /** Raised: no retry (the first interrupt); the call ends with
     *  ECANCELED instead of waiting to retry. */
    const atomic_int *stop;
    /** The most one call may take, all attempts and waits included
     *  (each attempt also has the HTTP client's own timeout), on the
     *  client's clock; <= 0: 5 minutes. */
    long deadline_ms;
    /** A paged call ends in an error past this many pages or items (the
     *  members of the result's lists); 0: TERN_AWS_MAX_PAGES /
     *  TERN_AWS_MAX_ITEMS. */
    long max_pages, max_items;
    /** S3: always path-style addressing (https://HOST/BUCKET/KEY). */
    int use_path_style;
} tern_aws_client_opts;

/* A server that always answers IsTruncated=true with a fresh Marker is
 * not followed forever (issue 20, finding 9). IAM holds at most 5,000
 * roles or policies per account and pages by up to 1,000. */
#define TERN_AWS_MAX_PAGES 1000
#define TERN_AWS_MAX_ITEMS 100000

#define TERN_AWS_CLIENT_OPTS_INIT                                              \
    {                                                                          \
        TERN_AWS_CLIENT_OPTS_VERSION, NULL, NULL, NULL, -1, NULL, NULL, NULL,  \
            NULL, NULL, NULL, 1, 0, NULL, 0, 0, 0, 0                           \
    }

/**
 * Create a client.
 * @param out receives the client (caller owns; tern_aws_client_free())
 * @param opts the options (borrowed; strings copied)
 * @param diags receives the reason on failure (a bad endpoint URL)
 * @return TERN_OK, TERN_EINVALID or TERN_ENOMEM
 */
int tern_aws_client_new(tern_aws_client **out, const tern_aws_client_opts *opts,
                        struct tern_diags *diags);

/** Free a client. NULL-safe. */
void tern_aws_client_free(tern_aws_client *client);

/** The endpoint URL in use (owned by the client). */
const char *tern_aws_client_endpoint(const tern_aws_client *client);

/** The region requests are signed for (owned by the client). */
const char *tern_aws_client_signing_region(const tern_aws_client *client);

/**
 * Resolve a service's endpoint and signing region without a client.
 * @param url receives the endpoint (caller frees)
 * @param signing_region receives the signing region (caller frees)
 * @param service "iam", "sts" or "ec2"
 * @param region the configured region, or NULL
 * @param config_endpoint the provider block's endpoint, or NULL
 * @return TERN_OK, TERN_EINVALID (unknown service) or TERN_ENOMEM
 */
int tern_aws_resolve_endpoint(char **url, char **signing_region,
                              const char *service, const char *region,
                              const char *config_endpoint);

/**
 * Call one action.
 * @param client the client
 * @param action e.g. "GetRole"
 * @param params the parameters as tern_aws_query_add() and the list helpers
 *        write them, without Action and Version, in any order (borrowed;
 *        NULL for none). The body sent is tern_aws_form_body()'s: the
 *        action and every parameter must be in aws/wire.c's table, else
 *        the call fails with TERN_EINVALID ("Internal error") unsent.
 * @param out receives the response's root element (caller owns;
 *        tern_xml_free()); may be NULL when the caller needs no result
 * @param diags receives a diagnostic on failure, with service_code and
 *        request_id set when the service answered
 * @return TERN_OK; TERN_ENOTFOUND (NoSuchEntity), TERN_EEXISTS
 *         (EntityAlreadyExists), TERN_ECONFLICT (DeleteConflict),
 *         TERN_ETHROTTLED (retries exhausted on throttling), TERN_EAUTH,
 *         TERN_EINVALID (validation, malformed input), TERN_ECANCELED,
 *         TERN_ENOMEM, or TERN_ERROR
 */
int tern_aws_call(tern_aws_client *client, const char *action,
                  const tern_buf *params, tern_xml_node **out,
                  struct tern_diags *diags);

/**
 * Called with each page's <ActionResult> element.
 * @return TERN_OK to go on; anything else stops paging and is returned
 */
typedef int (*tern_aws_page_fn)(void *ud, const tern_xml_node *result);

/**
 * Call a List action through every page: Marker is added from the
 * previous page's Marker while IsTruncated is "true". MaxItems, when the
 * caller wants it, goes in @p params.
 * @return as tern_aws_call(), or what @p fn returned
 */
int tern_aws_call_paged(tern_aws_client *client, const char *action,
                        const tern_buf *params, tern_aws_page_fn fn, void *ud,
                        struct tern_diags *diags);

/**
 * Append a list parameter: Name.member.1=v1&Name.member.2=v2...
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_query_add_list(tern_buf *b, const char *name,
                            const char *const *values, size_t n);

/**
 * Append an EC2 list parameter (wire.h): Name.1=v1&Name.2=v2...
 * @param name the wire name, e.g. "ZoneName"
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_query_add_ec2_list(tern_buf *b, const char *name,
                                const char *const *values, size_t n);

/**
 * Append EC2 filter number @p index (from 1):
 * Filter.I.Name=filter_name&Filter.I.Value.1=v1...
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_query_add_ec2_filter(tern_buf *b, size_t index,
                                  const char *filter_name,
                                  const char *const *values, size_t n);

/**
 * Append tags: Name.member.N.Key=k&Name.member.N.Value=v.
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_query_add_tags(tern_buf *b, const char *name,
                            const char *const *keys, const char *const *values,
                            size_t n);

/**
 * Decode a policy document as IAM returns it (URL-encoded).
 * @return a new string (caller frees), or NULL on allocation failure
 */
char *tern_aws_decode_policy(const char *encoded);

/**
 * The tern error an AWS error code maps to (see tern_aws_call()).
 * @param code the service's code, e.g. "NoSuchEntity"
 * @param status the HTTP status
 */
int tern_aws_error_class(const char *code, long status);

/** Why a failed attempt is tried again (0: it is not). */
enum tern_aws_retry {
    TERN_AWS_RETRY_NONE = 0,
    TERN_AWS_RETRY_THROTTLED = 1, /**< throttling code or HTTP 429 */
    TERN_AWS_RETRY_TRANSIENT = 2, /**< 5xx, transient code, timeout, reset */
    TERN_AWS_RETRY_CLOCK = 3,     /**< clock skew corrected: retried at once */
    TERN_AWS_RETRY_REFRESHED = 4  /**< credentials refreshed: at once */
};

/**
 * Whether the SDKs' standard mode retries this error code / status.
 * @return TERN_AWS_RETRY_THROTTLED (1), TERN_AWS_RETRY_TRANSIENT (2), or
 *         TERN_AWS_RETRY_NONE (0)
 */
int tern_aws_error_retryable(const char *code, long status);

/**
 * The SDKs' full-jitter back-off before retry @p attempt (1-based):
 * uniform in [0, min(base * 2^(attempt-1), max)], scaled from @p r, a
 * rand_r() draw. Shared by the Query and S3 clients.
 */
long tern_aws_backoff_ms(int attempt, unsigned int r);

/**
 * Retry-budget tokens left, for tests (starts at 500).
 */
int tern_aws_client_retry_tokens(tern_aws_client *client);

#endif
