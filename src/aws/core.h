/*
 * The core the AWS service clients share: the Query client (client.h:
 * IAM, STS, EC2), the S3 client (s3.h) and the JSON 1.0 client
 * (dynamodb.h). Each had its own copy of it (issue 20, "Readable code").
 *
 * The core holds the endpoint split into its parts, the credentials, the
 * signer's key cache, the clock, and runs one call's attempts: fetch the
 * credentials, sign and send (SigV4), read the answer, and retry what the
 * SDKs' standard mode retries (tern_aws_error_retryable: throttling, 5xx,
 * transient codes, timeouts, resets, refused connections) after a
 * full-jitter back-off (tern_aws_backoff_ms), within max_retries, the
 * client-wide retry budget when the client keeps one, and the call's
 * deadline. ExpiredToken with refreshable credentials refreshes them and
 * tries once more; a clock-skew error corrects the signing clock and tries
 * once more when the client corrects skew. A conflict (TERN_ECONFLICT) is
 * never retried: it is the caller's to decide.
 *
 * What differs per protocol stays in the client and reaches the core
 * through struct tern_aws_call: the request's bytes and headers, how a
 * success is read, how an error document is read, which codes map to
 * which tern error, and the message of a call that gave up.
 */
#ifndef TERN_AWS_CORE_H
#define TERN_AWS_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "http/http.h"
#include "tern/clock.h"
#include "tern/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most one call may take, retries included: a server that trickles
 * or keeps failing cannot hold a step for half an hour (issue 20, finding
 * 6: 1,762 s for one GetRole). */
#define TERN_AWS_DEFAULT_DEADLINE_MS 300000L
#define TERN_AWS_DEFAULT_MAX_RETRIES 25

struct tern_aws_core;

/* What differs between the AWS services tern calls: one row each of
 * core.c's table (tern_aws_service_find). */
struct tern_aws_service {
    const char *name;              /* signing name, logs: "iam", "s3", ... */
    const char *label;             /* messages: "IAM", "S3", "DynamoDB" */
    const char *endpoint_env;      /* AWS_ENDPOINT_URL_<SERVICE> */
    const char *request_id_header; /* read when the body names none */
    const char *version;           /* the Query API's version; NULL: none */
    /* The Query clients keep the client-wide retry budget and correct a
     * skewed clock (correct_clock_skew); S3 and DynamoDB do neither. */
    int query;
};

/* The row of @p name ("iam", "sts", "ec2", "s3", "dynamodb"), or NULL. */
const struct tern_aws_service *tern_aws_service_find(const char *name);

/*
 * Make @p core (zeroed by the caller) for the service @p svc from the
 * options every client takes (client.h). The endpoint is the configured
 * one (@p o->endpoint), then SVC->endpoint_env, then AWS_ENDPOINT_URL
 * (both unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then the
 * service's default for the region: an endpoint given to the client wins
 * over the environment, as in the SDKs (a client option is applied after
 * the shared configuration's) and Terraform's S3 backend (backend.go:
 * endpoints.s3, then AWS_ENDPOINT_URL_S3). An endpoint that is not a URL,
 * or plain http off loopback, is TERN_EINVALID with a diagnostic. Release
 * with tern_aws_core_release(), also after a failure.
 */
int tern_aws_core_init(struct tern_aws_core *core,
                       const struct tern_aws_service *svc,
                       const tern_aws_client_opts *o, struct tern_diags *diags);
struct tern_aws_core {
    char *endpoint; /* the URL, as configured or resolved */
    char *scheme;   /* "https" or "http" */
    char *hostname; /* the endpoint's host, without port */
    char *host;     /* host[:port]: the Host header */
    char *path;     /* the endpoint's raw path; "/" when it has none */
    char *signing_region;
    const char *service, *label, *request_id_header;
    int max_retries;
    long deadline_ms;
    int retry_budget, correct_clock_skew;
    tern_http *http;
    tern_aws_credentials *credentials;
    tern_clock clock; /* the deadline's time and the back-off's sleep */
    time_t (*now)(void *ud);
    void *now_ud;
    const atomic_int *cancel, *stop;
    tern_sigv4_cache *keys;

    pthread_mutex_t lock; /* guards everything below */
    int tokens;
    long skew_s; /* added to our clock when signing */
    unsigned int rng;
};

void tern_aws_core_release(struct tern_aws_core *core);

/* Retry-budget tokens left. */
int tern_aws_core_tokens(struct tern_aws_core *core);

/* What one attempt sends. The Host header comes first, then @p headers;
 * all are signed. */
struct tern_aws_request {
    const char *method;
    const char *url;
    const char *host; /* the Host header; NULL: the core's */
    const char *path; /* the canonical URI; NULL: the core's */
    const char *query;
    const struct tern_http_header *headers; /* at most 7 */
    size_t nheaders;
    const void *body;
    size_t body_len;
    /* Sign as S3 does: the path encoded once and not normalised, the
     * body's SHA-256 in x-amz-content-sha256. */
    int s3;
};

/* One call: what the client sets, then what tern_aws_core_call() fills. */
struct tern_aws_call {
    const char *action; /* for logs and messages */
    struct tern_diags *diags;
    struct tern_aws_request req;
    int accept_304; /* 304 Not Modified is an answer (conditional GET) */
    void *ud;       /* the client's */
    /* A 2xx answer (304 too with accept_304) is in resp: read it. A
     * failure adds its diagnostic. NULL: nothing to read. */
    int (*read_success)(struct tern_aws_call *k);
    /* An error status: fill aerr from resp. NULL: the XML error document
     * (tern_aws_error_parse). @return TERN_OK or TERN_ENOMEM */
    int (*read_error)(struct tern_aws_call *k);
    /* The tern error of an error code (may be NULL) and status. */
    int (*error_class)(const char *code, long status);

    tern_http_response resp; /* the last answer */
    tern_aws_error aerr;     /* its error document, read */
    tern_aws_creds creds;
    long long call_start;    /* the clock's, for the deadline */
    long long attempt_start; /* for the log */
    int attempt, last_cost, skew_done, refreshed;
    /* Set when the call gave up and its failure is the client's to
     * report (tern_aws_core_report_deadline when over_deadline). */
    int failed, over_deadline;
    int creds_late;  /* the time ran out while credentials were fetched */
    char cause[640]; /* the last failure, for the retry log */
};

/* Start @p k for @p action. */
void tern_aws_call_init(struct tern_aws_call *k, const char *action,
                        struct tern_diags *diags);
void tern_aws_call_release(struct tern_aws_call *k);

/*
 * Make the attempts of @p k. @return TERN_OK (resp holds the answer) or
 * the failure, its diagnostic added unless k->failed says the client
 * reports it.
 */
int tern_aws_core_call(struct tern_aws_core *core, struct tern_aws_call *k);

/* The diagnostic of a call that ran out of time (k->over_deadline). */
void tern_aws_core_report_deadline(const struct tern_aws_core *core,
                                   const struct tern_aws_call *k);

#ifdef __cplusplus
}
#endif

#endif
