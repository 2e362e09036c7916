/*
 * AWS Signature Version 4 (AWS4-HMAC-SHA256): signing requests, in the
 * Authorization header form and in the query (presigned URL) form, and
 * recomputing the signature of a received request for tern-sim.
 *
 * The signer takes the request as it will go on the wire: the raw path
 * (percent-encoded as sent; it is encoded once more for the canonical URI,
 * which is the double encoding AWS uses for every service but S3), the raw
 * query string, and the headers to sign. It returns every intermediate
 * result (canonical request, string to sign, signature) so tests can compare
 * them with AWS's test suite byte for byte, and the headers or query
 * parameters the caller must add to the request.
 *
 * Secrets: the secret access key is only read, never copied into a result
 * or logged; derived keys are cleansed after use. The session token is a
 * secret too, and is part of the added headers the caller must send, so a
 * caller that logs requests must redact them (see tern/log.h).
 */
#ifndef TERN_AWS_SIGV4_H
#define TERN_AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

#define TERN_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/** Length of a signature in hex digits (without the NUL). */
#define TERN_SIGV4_SIG_LEN 64
/** Length of an X-Amz-Date value, "20150830T123600Z" (without the NUL). */
#define TERN_SIGV4_DATE_LEN 16

/** A request header; both strings borrowed. */
struct tern_sigv4_header {
    const char *name;  /**< any case, e.g. "Host" */
    const char *value; /**< raw; trimmed and folded when canonicalised */
};

#define TERN_SIGV4_REQUEST_VERSION 1

/**
 * The request to sign or verify, as on the wire. Every pointer is
 * borrowed. Filled in by the caller; start from TERN_SIGV4_REQUEST_INIT.
 */
typedef struct tern_sigv4_request {
    unsigned int version; /**< TERN_SIGV4_REQUEST_VERSION */
    const char *method;   /**< "GET", "POST", ... as sent */
    /** Raw path as sent, e.g. "/" or "/a%20b"; NULL or "" mean "/". */
    const char *path;
    /** Raw query string after '?', without it; NULL or "" for none. */
    const char *query;
    /**
     * For tern_sigv4_sign(): exactly the headers to sign, Host included
     * (the signer adds its own X-Amz-* headers and ignores any
     * Authorization, X-Amz-Date, X-Amz-Security-Token or
     * X-Amz-Content-SHA256 given here). For tern_sigv4_recompute(): every
     * header as received; SignedHeaders picks from them. Names repeat for
     * repeated headers; their values are joined with ',' in this order.
     */
    const struct tern_sigv4_header *headers;
    size_t nheaders;
    const void *body; /**< may be NULL when body_len is 0 */
    size_t body_len;
} tern_sigv4_request;

#define TERN_SIGV4_REQUEST_INIT                                                \
    {                                                                          \
        TERN_SIGV4_REQUEST_VERSION, "GET", "/", NULL, NULL, 0, NULL, 0         \
    }

/**
 * A small cache of derived signing keys, keyed by date, region, service and
 * a SHA-256 of the secret access key, so two credentials never share an
 * entry. Thread-safe. The secret itself is never stored.
 */
typedef struct tern_sigv4_cache tern_sigv4_cache;

#define TERN_SIGV4_OPTS_VERSION 1

/** How to sign. Start from TERN_SIGV4_OPTS_INIT. Strings are borrowed. */
typedef struct tern_sigv4_opts {
    unsigned int version; /**< TERN_SIGV4_OPTS_VERSION */
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /**< NULL for long-term keys */
    const char *region;        /**< e.g. "us-east-1" */
    const char *service;       /**< e.g. "iam", "sts" */
    time_t time;               /**< signing time, seconds since the epoch */
    /** Remove dot segments and repeated slashes from the path (every
     *  service but S3). Default on. */
    int normalize_path;
    /** Add and sign an x-amz-content-sha256 header (header form only). */
    int sign_body;
    /** Add the session token to the request without signing it (the
     *  behaviour some services expect; AWS's test suite covers it). */
    int omit_session_token;
    /** Presign: put the signature in the query string instead of an
     *  Authorization header. */
    int query_form;
    /** X-Amz-Expires for the query form, in seconds. Default 3600. */
    unsigned long expires;
    /** Signing-key cache, or NULL to derive the key every time. */
    tern_sigv4_cache *cache;
    /** S3: the path is already URI-encoded once (each key byte but the
     *  unreserved ones and '/'), and the canonical URI is that path as it
     *  stands, neither normalised nor encoded again. Default off. */
    int path_encoded;
} tern_sigv4_opts;

#define TERN_SIGV4_OPTS_INIT                                                   \
    {                                                                          \
        TERN_SIGV4_OPTS_VERSION, NULL, NULL, NULL, "us-east-1", NULL, 0, 1, 0, \
            0, 0, 3600, NULL, 0                                                \
    }

/** A name/value pair owned by a tern_sigv4_result. */
struct tern_sigv4_kv {
    char *name;
    char *value;
};

/** At most: X-Amz-Security-Token, X-Amz-Date, x-amz-content-sha256,
 *  Authorization. */
#define TERN_SIGV4_MAX_HEADERS 4

/**
 * What signing produced. Zero-initialise; free the contents with
 * tern_sigv4_result_release().
 */
typedef struct tern_sigv4_result {
    char *canonical_request; /**< the CanonicalRequest, exactly */
    char *string_to_sign;    /**< the StringToSign, exactly */
    char signature[TERN_SIGV4_SIG_LEN + 1]; /**< lower-case hex */
    char amz_date[TERN_SIGV4_DATE_LEN + 1]; /**< "20150830T123600Z" */
    char *signed_headers;                   /**< "host;x-amz-date" */
    /**
     * Header form: the headers to add to the request, in this order:
     * X-Amz-Security-Token (when there is a token), X-Amz-Date,
     * x-amz-content-sha256 (with sign_body), Authorization. Empty for the
     * query form and for tern_sigv4_recompute().
     */
    struct tern_sigv4_kv headers[TERN_SIGV4_MAX_HEADERS];
    size_t nheaders;
    /**
     * Query form: the parameters to append to the request's query string
     * (after a '&' when it already has one), already encoded:
     * "X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=...&
     * X-Amz-SignedHeaders=...&X-Amz-Expires=...[&X-Amz-Security-Token=...]
     * &X-Amz-Signature=...". NULL for the header form.
     */
    char *query;
} tern_sigv4_result;

/**
 * Sign a request.
 * @param out zero-initialised result; filled on success, released (and
 *        zeroed) on failure
 * @param req the request (borrowed)
 * @param opts credentials, scope, time and flags (borrowed); access key
 *        id, secret, region and service are required
 * @return TERN_OK, TERN_EINVALID (a required field missing) or
 *         TERN_ENOMEM
 */
int tern_sigv4_sign(tern_sigv4_result *out, const tern_sigv4_request *req,
                    const tern_sigv4_opts *opts);

/**
 * The value of one of the result's added headers, by name compared
 * case-insensitively, e.g. "Authorization".
 * @return a string owned by @p r, or NULL
 */
const char *tern_sigv4_result_header(const tern_sigv4_result *r,
                                     const char *name);

/** Free the contents of a result and zero it; the struct may be reused. */
void tern_sigv4_result_release(tern_sigv4_result *r);

/**
 * Format a time as an X-Amz-Date value.
 * @param out receives "YYYYMMDDTHHMMSSZ" and a NUL
 * @param t seconds since the epoch
 */
void tern_sigv4_format_date(char out[TERN_SIGV4_DATE_LEN + 1], time_t t);

/**
 * Parse an X-Amz-Date value ("YYYYMMDDTHHMMSSZ", UTC).
 * @param out seconds since the epoch
 * @param s the value (borrowed)
 * @return TERN_OK or TERN_EINVALID when it is not in that exact format
 */
int tern_sigv4_parse_date(time_t *out, const char *s);

/**
 * A new signing-key cache (a handful of entries; the oldest is replaced).
 * @return the cache (caller owns; tern_sigv4_cache_free()), or NULL on
 *         allocation failure
 */
tern_sigv4_cache *tern_sigv4_cache_new(void);

/** Free a cache, cleansing its keys. NULL-safe. */
void tern_sigv4_cache_free(tern_sigv4_cache *cache);

/**
 * Counters for tests.
 * @param cache the cache
 * @param hits set to the number of lookups served from the cache (may be
 *        NULL)
 * @param misses set to the number of keys derived and stored (may be NULL)
 * @param entries set to the number of entries in use (may be NULL)
 */
void tern_sigv4_cache_stats(tern_sigv4_cache *cache, unsigned long *hits,
                            unsigned long *misses, size_t *entries);

/**
 * Derive the signing key kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret,
 * date), region), service), "aws4_request"), from the cache when it holds
 * it.
 * @param key receives the 32-byte key
 * @param cache a cache, or NULL
 * @param secret the secret access key (borrowed, never stored)
 * @param date the scope date, "YYYYMMDD"
 * @param region the scope region
 * @param service the scope service
 * @return TERN_OK or TERN_ERROR (an OpenSSL failure)
 */
int tern_sigv4_signing_key(unsigned char key[32], tern_sigv4_cache *cache,
                           const char *secret, const char *date,
                           const char *region, const char *service);

/*
 * Server side: parse a received signature and recompute it.
 */

/** Why a received Authorization header or presigned query was refused. */
enum tern_sigv4_auth_error {
    TERN_SIGV4_AUTH_OK = 0,
    /** The header does not start with "AWS4-HMAC-SHA256 ", or the query's
     *  X-Amz-Algorithm is another algorithm. */
    TERN_SIGV4_AUTH_BAD_ALGORITHM,
    /** A component is not of the form Name=Value. */
    TERN_SIGV4_AUTH_MALFORMED_PARAM,
    /** Credential, SignedHeaders or Signature appears twice. */
    TERN_SIGV4_AUTH_DUPLICATE_PARAM,
    TERN_SIGV4_AUTH_MISSING_CREDENTIAL,
    TERN_SIGV4_AUTH_MISSING_SIGNED_HEADERS,
    TERN_SIGV4_AUTH_MISSING_SIGNATURE,
    /** Credential is not AKID/date/region/service/terminator, or a part is
     *  empty. */
    TERN_SIGV4_AUTH_BAD_CREDENTIAL,
    /** The scope's date is not YYYYMMDD. */
    TERN_SIGV4_AUTH_BAD_SCOPE_DATE,
    /** The scope does not end in "aws4_request". */
    TERN_SIGV4_AUTH_BAD_TERMINATOR,
    /** SignedHeaders is empty, has an empty name or upper-case letters. */
    TERN_SIGV4_AUTH_BAD_SIGNED_HEADERS,
    /** Signature is not 64 lower-case hex digits. */
    TERN_SIGV4_AUTH_BAD_SIGNATURE,
    /** Query form: X-Amz-Date missing (the header form reads the date from
     *  the X-Amz-Date header, which the caller checks). */
    TERN_SIGV4_AUTH_MISSING_DATE,
    /** Query form: X-Amz-Expires missing or not a number of seconds. */
    TERN_SIGV4_AUTH_BAD_EXPIRES,
    TERN_SIGV4_AUTH_NOMEM
};

/**
 * A received signature, parsed. Every string is owned; free with
 * tern_sigv4_auth_release(). Zero-initialise.
 */
typedef struct tern_sigv4_auth {
    int query_form; /**< 1 when parsed from a presigned query string */
    char *access_key_id;
    char *date;    /**< the scope's date, "YYYYMMDD" */
    char *region;  /**< the scope's region */
    char *service; /**< the scope's service */
    char *signed_headers;
    char signature[TERN_SIGV4_SIG_LEN + 1];
    /* The query form carries these in the query; NULL for the header
     * form, whose caller reads the X-Amz-Date and X-Amz-Security-Token
     * headers. */
    char *amz_date;
    char *security_token;
    long expires; /**< X-Amz-Expires; 0 for the header form */
} tern_sigv4_auth;

/**
 * Parse an Authorization header value: "AWS4-HMAC-SHA256
 * Credential=AKID/YYYYMMDD/region/service/aws4_request,
 * SignedHeaders=a;b, Signature=hex". Spaces around the commas are
 * optional; unknown components are ignored.
 * @param out zero-initialised; filled on success, released on failure
 * @param value the header value (borrowed)
 * @param why set to the reason on failure, TERN_SIGV4_AUTH_OK on success
 *        (may be NULL)
 * @return TERN_OK, TERN_EINVALID or TERN_ENOMEM
 */
int tern_sigv4_auth_parse_header(tern_sigv4_auth *out, const char *value,
                                 enum tern_sigv4_auth_error *why);

/**
 * Parse the presigned form from a raw query string: X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
 * X-Amz-Signature and the optional X-Amz-Security-Token.
 * @param out zero-initialised; filled on success, released on failure
 * @param raw_query the query string as received, without '?'
 * @param why set to the reason (may be NULL)
 * @return TERN_OK, TERN_EINVALID or TERN_ENOMEM
 */
int tern_sigv4_auth_parse_query(tern_sigv4_auth *out, const char *raw_query,
                                enum tern_sigv4_auth_error *why);

/**
 * A short English description of a parse failure, in AWS's words where
 * AWS has them (e.g. "Authorization header requires 'Signature'
 * parameter.").
 * @return a static string
 */
const char *tern_sigv4_auth_strerror(enum tern_sigv4_auth_error why);

/** Free the contents of a parsed signature and zero it. */
void tern_sigv4_auth_release(tern_sigv4_auth *auth);

/**
 * Recompute the signature of a received request, to compare with
 * auth->signature (use tern_sigv4_signature_equal()). The canonical
 * request uses the raw path and query as received (for the query form,
 * without X-Amz-Signature), the headers named in auth->signed_headers
 * (values of repeated headers joined with ','; a missing header counts as
 * empty), and the SHA-256 of the body, or the x-amz-content-sha256 header
 * when it is signed.
 * @param out zero-initialised; canonical_request, string_to_sign,
 *        signature, amz_date and signed_headers are filled
 * @param req the request as received (borrowed)
 * @param auth the parsed signature (borrowed)
 * @param amz_date the request's X-Amz-Date (header form; ignored for the
 *        query form, which carries its own)
 * @param secret the secret access key of auth->access_key_id (borrowed)
 * @param normalize_path as in tern_sigv4_opts
 * @param cache a signing-key cache, or NULL
 * @return TERN_OK, TERN_EINVALID (no date) or TERN_ENOMEM
 */
int tern_sigv4_recompute(tern_sigv4_result *out, const tern_sigv4_request *req,
                         const tern_sigv4_auth *auth, const char *amz_date,
                         const char *secret, int normalize_path,
                         tern_sigv4_cache *cache);

/**
 * Compare two hex signatures in constant time.
 * @return 1 when equal, else 0
 */
int tern_sigv4_signature_equal(const char *a, const char *b);

#endif
