/*
 * tern-sim's own AWS Signature Version 4: parsing a received signature and
 * computing what it should be, written here from AWS's specification and
 * sharing no code with tern's signer (src/aws/sigv4.c), so that a
 * canonicalisation bug in tern is refused by the server that tests it, as
 * AWS would refuse it.
 *
 * The canonical request is built the way AWS's servers build it from what
 * arrived: the URI path as received, dot segments and repeated slashes
 * removed, encoded once more (A-Z a-z 0-9 - _ . ~ and '/' kept); the query
 * parameters decoded as a form ('+' is a space), encoded per RFC 3986 and
 * sorted (without X-Amz-Signature for a presigned URL); the signed headers
 * in the order SignedHeaders lists them, values trimmed, inner runs of
 * spaces folded, repeated headers joined with ','; and the SHA-256 of the
 * body exactly as received.
 *
 * S3 differs (AWS's "Signature Calculations for the Authorization Header"
 * for S3): the path is encoded once, not twice, and never normalised (a
 * key may hold "//" or "./"), so the canonical URI is the received path
 * decoded and encoded once with '/' kept; and the payload hash is the
 * value of the x-amz-content-sha256 header, which is either the body's
 * SHA-256 or the literal UNSIGNED-PAYLOAD (s3.c checks the first against
 * the body).
 */
#ifndef TERN_SIM_SIGV4_H
#define TERN_SIM_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "util/buf.h"

#define SIM_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIM_SIGV4_SIG_LEN   64
/* "YYYYMMDDTHHMMSSZ" */
#define SIM_SIGV4_DATE_LEN 16

struct sim_req;

/* A received signature. Strings are owned; sim_sigv4_auth_release(). */
struct sim_sigv4_auth {
    int query_form; /* from a presigned URL's query */
    char *access_key_id;
    char *date; /* the scope's YYYYMMDD */
    char *region;
    char *service;
    char *signed_headers;
    char signature[SIM_SIGV4_SIG_LEN + 1];
    char *amz_date;       /* query form only */
    char *security_token; /* query form only */
    long expires;         /* query form only */
};

/*
 * Parse an Authorization header. Returns NULL, or the reason in AWS's
 * words (a static string) with *out released.
 */
const char *sim_sigv4_parse_header(struct sim_sigv4_auth *out,
                                   const char *value);

/* Parse the X-Amz-* parameters of a presigned URL; as above. */
const char *sim_sigv4_parse_query(struct sim_sigv4_auth *out,
                                  const struct sim_req *req);

void sim_sigv4_auth_release(struct sim_sigv4_auth *auth);

/* What a signature covers. */
struct sim_sigv4_input {
    const char *method;
    const char *raw_path;  /* as on the request line */
    const char *raw_query; /* as received, without '?'; "" for none */
    int skip_signature;    /* leave X-Amz-Signature out of the query */
    const char *const *header_names; /* the request's headers */
    const char *const *header_values;
    size_t nheaders;
    const char *signed_headers; /* "content-type;host;x-amz-date" */
    const char *body;
    size_t body_len;
    const char *amz_date; /* YYYYMMDDTHHMMSSZ */
    const char *date;     /* the scope's YYYYMMDD */
    const char *region;
    const char *service;
    const char *secret;
    /* S3's rules: the path encoded once, not normalised. */
    int s3;
    /* When not NULL: the hash to put in the canonical request instead of
     * the body's (S3's x-amz-content-sha256 value). */
    const char *payload_hash;
};

/*
 * Compute the signature (64 lower-case hex digits and a NUL) and, when
 * canonical is not NULL, append the canonical request to it. Returns 0, or
 * -1 when memory or OpenSSL fails.
 */
int sim_sigv4_compute(char signature[SIM_SIGV4_SIG_LEN + 1],
                      tern_buf *canonical, const struct sim_sigv4_input *in);

/* Compare two signatures in constant time: 1 when equal. */
int sim_sigv4_equal(const char *a, const char *b);

/* "YYYYMMDDTHHMMSSZ" <-> time_t. Parse returns 0 or -1. */
int sim_sigv4_parse_date(time_t *out, const char *s);
void sim_sigv4_format_date(char out[SIM_SIGV4_DATE_LEN + 1], time_t t);

#endif
