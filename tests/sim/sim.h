/*
 * tern-sim: the local IAM, STS and Databricks server that every test, the
 * demo and the benchmarks run against. One process, in memory, listening on
 * 127.0.0.1 only.
 *
 * Shape: main.c owns the HTTP server (libmicrohttpd, a thread per
 * connection), turns each request into a struct sim_req, applies faults
 * (fault.c), checks the SigV4 signature of AWS requests (auth.c), and
 * dispatches by path and Action to the services: iam.c, sts.c,
 * databricks.c (which hands SCIM to dbx_scim.c, and cluster policies and
 * the runtime and node type lists to dbx_catalog.c), and the control
 * endpoint under /_sim/ (control.c). Every
 * service handler runs with sim->lock held, so the stores need no locking
 * of their own; latency is slept outside the lock.
 */
#ifndef TERN_SIM_H
#define TERN_SIM_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SIM_DEFAULT_ACCOUNT "123456789012"
/* The key set every tern-sim accepts unless started with --no-default-key;
 * tests and the demo use it. Not a secret: it exists only here. */
#define SIM_DEFAULT_AKID      "AKIDTERNSIMDEFAULT01"
#define SIM_DEFAULT_SECRET    "ternsim/default/SECRETKEY0000000000000001"
#define SIM_DEFAULT_DBX_TOKEN "dapi-ternsim-default-token-0001"
#define SIM_IAM_NS            "https://iam.amazonaws.com/doc/2010-05-08/"
#define SIM_STS_NS            "https://sts.amazonaws.com/doc/2011-06-15/"

/* A name/value pair, both decoded, both owned by the request. */
struct sim_kv {
    char *name;
    char *value;
};

struct sim_req {
    const char *method;     /* "GET", "POST", ... */
    const char *path;       /* decoded path, without the query string */
    const char *raw_path;   /* as received, for signature checks */
    const char *raw_query;  /* as received after '?', "" when none */
    struct sim_kv *headers; /* in the order received, names as sent */
    size_t nheaders;
    struct sim_kv *query; /* decoded query parameters, in order */
    size_t nquery;
    struct sim_kv *form; /* decoded form body parameters, in order */
    size_t nform;
    const char *body; /* raw body, NUL-terminated */
    size_t body_len;
    /* Filled in by auth.c for AWS requests that passed the check. */
    const char *account;    /* the caller's account id */
    const char *caller_arn; /* the caller's ARN */
    const char *caller_user_id;
    char region[32];     /* the credential scope's region */
    char request_id[40]; /* a fresh UUID for the response */
};

struct sim_resp {
    int status;
    const char *content_type; /* static string */
    tern_buf body;
    /* Extra response headers, "Name: value" lines separated by '\n'
     * (Retry-After; S3's ETag and x-amz-request-id). */
    char extra_header[1024];
    /* When content_type is NULL: the content type to send (S3 returns an
     * object's own). */
    char content_type_buf[128];
    int drop; /* close the connection without a response */
    /* For the call log: the service's error code, "" on success. */
    char error_code[64];
    int stall_ms; /* wait this long before answering (a stalled server) */
};

/* First value of a query or form parameter (form wins), or NULL. */
const char *sim_req_param(const struct sim_req *req, const char *name);
/* First header with this name, compared case-insensitively, or NULL. */
const char *sim_req_header(const struct sim_req *req, const char *name);

/* A set of AWS credentials the server accepts. */
struct sim_key {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL for long-term keys */
    int64_t expires_ms;  /* 0: never */
    char *account;
    char *arn;     /* the principal, e.g. arn:aws:iam::ACCT:user/sim */
    char *user_id; /* e.g. AIDA... or AROA...:session */
};

/* Fault settings; all rates are in [0, 1]. */
struct sim_faults {
    uint64_t seed;
    int latency_ms; /* added to every service request */
    int jitter_ms;  /* plus uniform [0, jitter_ms] */
    double throttle_rate;
    double error_rate;         /* 500 ServiceFailure or 503, half each */
    double drop_rate;          /* connection closed without a response */
    int propagation_ms;        /* eventual consistency delay */
    int propagation_jitter_ms; /* plus uniform [0, jitter] per object */
    /* Bad responses: after the service has done its work, this fraction
     * of responses is mangled as garble_mode says: "truncate" (the body
     * cut in half), "oversize" (padded past 16 MiB), "html" (a proxy's
     * HTML error page with status 200), "shape" (a well-formed document of
     * another action), "stall" (answered only after stall_ms), "empty"
     * (an empty result element), "escape" (an error answer full of
     * terminal escapes), "endless" (a list always truncated, with a fresh
     * Marker). */
    double garble_rate;
    char garble_mode[16];
    int stall_ms;
};

struct sim_call {
    uint64_t seq;
    char service[16]; /* "iam", "sts", "databricks" */
    char action[64];  /* IAM/STS Action, or Databricks path tail */
    int status;
    char error_code[64];
    int64_t start_ms; /* sim clock */
    int64_t end_ms;
    /* AWS calls: the SHA-256 of the body as received, hex; "" otherwise. */
    char body_sha256[65];
};

struct sim_iam;
struct sim_dbx;
struct sim_dbxc;
struct sim_imds;
struct sim_s3;
struct sim_ddb;

struct sim {
    pthread_mutex_t lock;
    /* Signalled (under lock) at each call logged: GET /_sim/calls?at_least=N
     * waits on it. */
    pthread_cond_t calls_cond;
    int64_t clock_offset_ms; /* added to the wall clock; /_sim/clock */

    /* POST /_sim/hold (control.c): service requests wait at the gate
     * until hold_until of them wait at once, then all go on. Under lock;
     * hold_cond is signalled when one arrives or the gate opens. */
    pthread_cond_t hold_cond;
    int hold_until;     /* 0: no hold */
    int held;           /* waiting at the gate now */
    int hold_max;       /* the most that waited at once since the hold */
    uint64_t hold_gen;  /* bumped each time the gate opens */
    int hold_timed_out; /* the last hold opened by its time limit */

    struct sim_key *keys;
    size_t nkeys, keys_alloc;

    struct sim_faults faults;
    struct sim_faults initial_faults; /* from the flags; /_sim/reset */
    size_t initial_nkeys;             /* keys from the flags; reset */
    uint64_t rng_state;

    struct sim_call *calls;
    size_t ncalls, calls_alloc;
    uint64_t next_seq;

    struct sim_iam *iam;
    struct sim_dbx *dbx;
    struct sim_dbxc *dbxc; /* clusters and libraries (dbx_clusters.c) */
    char **dbx_tokens;     /* accepted Databricks bearer tokens */
    size_t ndbx_tokens;

    struct sim_s3 *s3;
    struct sim_ddb *ddb; /* dynamodb.c: lock tables */

    int imds_enabled; /* --imds: serve the EC2 metadata paths */
    struct sim_imds *imds;
};

/* The simulator's clock in milliseconds since the epoch (wall + offset). */
int64_t sim_now_ms(struct sim *sim);

/* Uniform random double in [0, 1) from the seeded generator (lock held). */
double sim_rand(struct sim *sim);
/* Uniform in [0, n) (lock held). */
uint64_t sim_rand_below(struct sim *sim, uint64_t n);

/*
 * When a new or changed object becomes visible: now + propagation delay
 * (+ jitter), drawn per object (lock held).
 */
int64_t sim_visible_at(struct sim *sim);

/* Free keys, tokens and the call log (at exit). */
void sim_free_contents(struct sim *sim);
/* Drop every key added after the first n (reset). */
void sim_keys_truncate(struct sim *sim, size_t n);

/* Add a key set (copies every string); returns 0 or -1. */
int sim_key_add(struct sim *sim, const struct sim_key *key);
/* The key set with this access key id, or NULL (lock held). */
const struct sim_key *sim_key_find(struct sim *sim, const char *akid);

/*
 * XML helpers for AWS Query responses. sim_xml_escape appends text with
 * &, <, >, ", ' escaped.
 */
void sim_xml_escape(tern_buf *b, const char *text);
/* Append <tag>escaped text</tag>. */
void sim_xml_elem(tern_buf *b, const char *tag, const char *text);
/*
 * Start a success response: <ActionResponse xmlns=NS><ActionResult>.
 * Pass result = 0 for actions whose response has no Result element.
 */
void sim_xml_begin(struct sim_resp *resp, const char *action, const char *ns,
                   int result);
/* Close it: </ActionResult><ResponseMetadata>...</ActionResponse>. */
void sim_xml_end(struct sim_resp *resp, const struct sim_req *req,
                 const char *action, int result);
/*
 * An AWS Query error: <ErrorResponse><Error><Type/><Code/><Message/>
 * </Error><RequestId/></ErrorResponse>. type is "Sender" or "Receiver".
 */
void sim_aws_error(struct sim_resp *resp, const struct sim_req *req, int status,
                   const char *type, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* A Databricks error: {"error_code": code, "message": message}. */
void sim_dbx_error(struct sim_resp *resp, int status, const char *code,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Percent-encode (RFC 3986 unreserved kept) onto b. */
void sim_url_encode(tern_buf *b, const char *text);
/* Set body to the JSON text of v (steals v), status and content type. */
void sim_resp_json(struct sim_resp *resp, int status, json_t *v);

/*
 * Services. Each handler runs with sim->lock held and fills resp.
 */

/* auth.c: check an AWS request's SigV4 signature. On success fills
 * req->account, caller_arn, caller_user_id and returns 0; otherwise fills
 * resp with the AWS error and returns -1. */
int sim_auth_check(struct sim *sim, struct sim_req *req, struct sim_resp *resp);

/* iam.c */
struct sim_iam *sim_iam_new(struct sim *sim);
void sim_iam_free(struct sim_iam *iam);
void sim_iam_reset(struct sim_iam *iam);
/* Whether this IAM Action is one iam.c serves. */
int sim_iam_has_action(const char *action);
void sim_iam_handle(struct sim_iam *iam, struct sim_req *req,
                    const char *action, struct sim_resp *resp);
/* Every object, as JSON (see control.c for the shape). New reference. */
json_t *sim_iam_dump(struct sim_iam *iam);
/* Add objects from JSON in the dump's shape, visible at once. 0 or -1 with
 * a message in err. */
int sim_iam_load(struct sim_iam *iam, const json_t *in, char *err,
                 size_t errlen);
/* For STS AssumeRole: the role with this ARN exists and is visible; fills
 * the role id (AROA...) into role_id and its MaxSessionDuration (seconds,
 * as visible now) into max_session. 1 or 0. */
int sim_iam_role_for_assume(struct sim_iam *iam, const char *role_arn,
                            char *role_id, size_t role_id_len,
                            int *max_session);
/* For Databricks: the instance profile with this ARN is visible and holds a
 * role. 1 or 0. */
int sim_iam_profile_usable(struct sim_iam *iam, const char *profile_arn);

/* sts.c */
int sim_sts_has_action(const char *action);

/* ec2.c: DescribeAvailabilityZones, for the region the request was signed
 * for (req->region). */
int sim_ec2_has_action(const char *action);
void sim_ec2_handle(struct sim *sim, struct sim_req *req, const char *action,
                    struct sim_resp *resp);
void sim_sts_handle(struct sim *sim, struct sim_req *req, const char *action,
                    struct sim_resp *resp);

/* databricks.c: paths under /api/2.0/instance-profiles/ */
struct sim_dbx *sim_dbx_new(struct sim *sim);
void sim_dbx_free(struct sim_dbx *dbx);
void sim_dbx_reset(struct sim_dbx *dbx);
void sim_dbx_handle(struct sim_dbx *dbx, struct sim_req *req,
                    struct sim_resp *resp);
json_t *sim_dbx_dump(struct sim_dbx *dbx);
int sim_dbx_load(struct sim_dbx *dbx, const json_t *in, char *err,
                 size_t errlen);
/* Whether an instance profile with this ARN is registered. 1 or 0. */
int sim_dbx_profile_registered(struct sim_dbx *dbx, const char *arn);

/* dbx_clusters.c: the Clusters API 2.1 and the Libraries API 2.0, behind
 * databricks.c's token check; /_sim/clusters. */
struct sim_dbxc *sim_dbxc_new(struct sim *sim);
void sim_dbxc_free(struct sim_dbxc *dc);
void sim_dbxc_reset(struct sim_dbxc *dc);
/* Whether a path is one dbx_clusters.c serves. */
int sim_dbxc_serves(const char *path);
void sim_dbxc_handle(struct sim_dbxc *dc, struct sim_req *req,
                     struct sim_resp *resp);
void sim_dbxc_control(struct sim_dbxc *dc, struct sim_req *req,
                      struct sim_resp *resp);

/* The workspace's own user: the caller of every token (SCIM Me), and the
 * creator of what it makes. */
#define SIM_DBX_DEFAULT_USER "sim-user@example.com"

/* dbx_scim.c: SCIM 2.0 Groups, Users and Me under
 * /api/2.0/preview/scim/v2/; dbx_catalog.c: cluster policies, spark
 * versions and node types. databricks.c routes to both after the token
 * check, with the parsed body (an empty object for none); dump adds their
 * keys into the object given. */
struct sim_dbx_scim;
struct sim_dbx_catalog;
struct sim_dbx_scim *sim_dbx_scim_new(struct sim *sim);
void sim_dbx_scim_free(struct sim_dbx_scim *s);
void sim_dbx_scim_reset(struct sim_dbx_scim *s);
int sim_dbx_scim_path(const char *path);
void sim_dbx_scim_handle(struct sim_dbx_scim *s, struct sim_dbx *dbx,
                         struct sim_req *req, const json_t *body,
                         struct sim_resp *resp);
void sim_dbx_scim_dump(struct sim_dbx_scim *s, json_t *into);
int sim_dbx_scim_load(struct sim_dbx_scim *s, const json_t *in, char *err,
                      size_t errlen);
struct sim_dbx_catalog *sim_dbx_catalog_new(struct sim *sim);
void sim_dbx_catalog_free(struct sim_dbx_catalog *c);
void sim_dbx_catalog_reset(struct sim_dbx_catalog *c);
int sim_dbx_catalog_path(const char *path);
void sim_dbx_catalog_handle(struct sim_dbx_catalog *c, struct sim_req *req,
                            const json_t *body, struct sim_resp *resp);
void sim_dbx_catalog_dump(struct sim_dbx_catalog *c, json_t *into);
int sim_dbx_catalog_load(struct sim_dbx_catalog *c, const json_t *in, char *err,
                         size_t errlen);

/* dynamodb.c: the lock-table subset of DynamoDB (see dynamodb.c). */
struct sim_ddb *sim_ddb_new(void);
void sim_ddb_free(struct sim_ddb *d);
void sim_ddb_reset(struct sim_ddb *d);
/* The action of a DynamoDB request (X-Amz-Target), or NULL. */
const char *sim_ddb_action(const struct sim_req *req);
/* Serve one request (signature checked by the caller); returns the
 * action for the call log. */
const char *sim_ddb_handle(struct sim_ddb *d, struct sim_req *req,
                           struct sim_resp *resp);
/* A DynamoDB JSON error answer. */
void sim_ddb_error(struct sim_resp *resp, const struct sim_req *req, int status,
                   const char *code, const char *msg);
json_t *sim_ddb_dump(struct sim_ddb *d);
int sim_ddb_load(struct sim_ddb *d, const json_t *in, char *err, size_t errlen);

/* s3.c: the S3 subset a state backend needs (see s3.c). */
struct sim_s3 *sim_s3_new(struct sim *sim);
void sim_s3_free(struct sim_s3 *s3);
void sim_s3_reset(struct sim_s3 *s3);
/* The change counter now (lock held): taken when a request arrives, so a
 * conditional write can tell that another changed its key meanwhile. */
uint64_t sim_s3_seq(struct sim_s3 *s3);
/* Whether the Host header addresses a bucket (BUCKET.localhost). */
int sim_s3_is_virtual_host(const struct sim_req *req);
/* Serve one S3 request (signature included); returns the action's name
 * for the call log (a static string). */
const char *sim_s3_handle(struct sim_s3 *s3, struct sim_req *req,
                          uint64_t arrival_seq, struct sim_resp *resp);
/* The S3 action a request is (for the call log when a fault answers it
 * instead), or "". */
const char *sim_s3_action(const struct sim_req *req);
json_t *sim_s3_dump(struct sim_s3 *s3);
int sim_s3_load(struct sim_s3 *s3, const json_t *in, char *err, size_t errlen);
/*
 * Arm a race (POST /_sim/s3/race): {"bucket", "read": KEY, "hold": KEY,
 * "put": [{"key", "body"}], "delete": [KEY]}. Once a GetObject of `read`
 * has been answered, another client writes `put` and deletes `delete`;
 * a PutObject of `hold` that arrives first waits for that (at most 10 s),
 * so it reaches S3 after those changes. Once; reset disarms it.
 */
int sim_s3_race(struct sim_s3 *s3, const json_t *in, char *err, size_t errlen);
/* Before serving @p req (lock held): a PutObject the armed race holds
 * waits for it. Returns the request's arrival sequence number, later when
 * it waited. */
uint64_t sim_s3_hold(struct sim_s3 *s3, const struct sim_req *req,
                     uint64_t arrival_seq);

/* imds.c: the EC2 instance metadata service (IMDSv2) under /latest/,
 * served only with --imds; credentials it hands out are registered keys. */
struct sim_imds *sim_imds_new(struct sim *sim);
void sim_imds_free(struct sim_imds *imds);
void sim_imds_handle(struct sim_imds *imds, struct sim_req *req,
                     struct sim_resp *resp);

/*
 * control.c: everything under /_sim/, and the hold gate. A service
 * request's pass through the hold gate (lock held; released
 * while it waits): at once when no hold is set, else once the hold's
 * count of requests wait together (or it is released or times out).
 */
void sim_hold_pass(struct sim *sim);
/* Open the gate and end the hold (lock held): reset and DELETE. */
void sim_hold_release(struct sim *sim);
void sim_control_handle(struct sim *sim, struct sim_req *req,
                        struct sim_resp *resp);

/* Whether mode names a garble mode (see struct sim_faults). */
int sim_garble_mode_valid(const char *mode);
/* Mangle a finished response per the fault settings, sometimes (lock
 * held). json: the body is JSON (Databricks), else XML. */
void sim_garble(struct sim *sim, struct sim_resp *resp, int json);

/* Record a finished call in the log (lock held). */
void sim_log_call(struct sim *sim, const char *service, const char *action,
                  int status, const char *error_code, int64_t start_ms,
                  int64_t end_ms);

#endif
