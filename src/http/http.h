/*
 * The one HTTP client every service client uses (libcurl).
 *
 * One tern_http serves the whole process and every worker thread: a
 * CURLSH shares the DNS cache and the TLS session cache between all
 * transfers (with a mutex per kind of data), and a pool of easy handles
 * keeps connections alive between requests, so a worker that takes a
 * handle reuses the connection the previous user of that handle left open.
 *
 * Why connections live in the pooled handles rather than in the CURLSH:
 * libcurl documents its shared connection pool as not safe for concurrent
 * threads (libcurl-thread(3): "some items are specifically documented as
 * not thread-safe in the share API (the connection pool ...)"). A handle is
 * only ever used by one thread at a time, so its own connection cache is
 * safe, and a run opens about as many connections per host as it has
 * concurrent workers.
 *
 * Transport policy: TLS certificates and host names are always verified
 * for https. Plain http is accepted only for loopback endpoints
 * (127.0.0.0/8, ::1, localhost: tern-sim) and the EC2 instance metadata
 * service (169.254.169.254, fd00:ec2::254); any other http URL is refused
 * before a connection is attempted. Redirects are not followed.
 */
#ifndef TERN_HTTP_HTTP_H
#define TERN_HTTP_HTTP_H

#include <stddef.h>
#include <stdatomic.h>

#include "tern/diag.h"
#include "util/buf.h"

/** A shared HTTP client (opaque). Thread-safe. */
typedef struct tern_http tern_http;

#define TERN_HTTP_OPTS_VERSION 1

/** Client-wide settings. Start from TERN_HTTP_OPTS_INIT. */
typedef struct tern_http_opts {
    unsigned int version;    /**< TERN_HTTP_OPTS_VERSION */
    long connect_timeout_ms; /**< TCP + TLS handshake; default 10 s */
    long timeout_ms;         /**< whole transfer; default 60 s */
    size_t max_response;     /**< bytes of body kept; default 16 MiB */
    size_t max_idle_handles; /**< easy handles kept in the pool; 32 */
    const char *ca_file;     /**< CA bundle (borrowed); NULL: system */
    int insecure;            /**< no TLS certificate or host check */
    /** The proxy of http:// and of https:// URLs, and the hosts reached
     *  directly (borrowed, copied; NULL: the environment's, as libcurl
     *  reads http_proxy, https_proxy and no_proxy; "": no proxy).
     *  Loopback and the metadata service never use one. */
    const char *http_proxy, *https_proxy, *no_proxy;
} tern_http_opts;

#define TERN_HTTP_OPTS_INIT                                                    \
    {                                                                          \
        TERN_HTTP_OPTS_VERSION, 10000, 60000, 16u * 1024 * 1024, 32, NULL, 0,  \
            NULL, NULL, NULL                                                   \
    }

/** A request header; both strings borrowed. */
struct tern_http_header {
    const char *name;
    const char *value;
};

#define TERN_HTTP_REQUEST_VERSION 1

/** One request. Every pointer is borrowed. Start from the _INIT macro. */
typedef struct tern_http_request {
    unsigned int version; /**< TERN_HTTP_REQUEST_VERSION */
    const char *method;   /**< "GET", "POST", "PUT", "DELETE", ... */
    const char *url;      /**< absolute http(s) URL */
    const struct tern_http_header *headers;
    size_t nheaders;
    const void *body; /**< may be NULL when body_len is 0 */
    size_t body_len;
    long connect_timeout_ms; /**< 0: the client's */
    long timeout_ms;         /**< 0: the client's */
    /** Polled during the transfer; non-zero aborts it (TERN_ECANCELED). */
    const atomic_int *cancel;
    /** The response body is a secret (a metadata token, credentials):
     *  the trace log shows its length only. */
    int secret_response;
} tern_http_request;

#define TERN_HTTP_REQUEST_INIT                                                 \
    {                                                                          \
        TERN_HTTP_REQUEST_VERSION, "GET", NULL, NULL, 0, NULL, 0, 0, 0, NULL,  \
            0                                                                  \
    }

/** Why a transfer failed before a complete response arrived. */
enum tern_http_failure {
    TERN_HTTP_OK = 0,
    TERN_HTTP_EREFUSED,  /**< the URL breaks the transport policy */
    TERN_HTTP_EDNS,      /**< the host name did not resolve */
    TERN_HTTP_ECONNECT,  /**< no TCP connection could be made */
    TERN_HTTP_ETLS,      /**< TLS handshake or certificate failure */
    TERN_HTTP_ETIMEOUT,  /**< connect or total timeout */
    TERN_HTTP_ERESET,    /**< connection reset or closed mid-exchange */
    TERN_HTTP_ETOOLARGE, /**< the body exceeded max_response */
    TERN_HTTP_ECANCELED, /**< the cancel flag was raised */
    TERN_HTTP_EOTHER     /**< anything else libcurl reports */
};

/** "timeout", "connection reset", "connection refused" or "transport
 * error": a failure's name in the messages of a call that gave up. */
const char *tern_http_failure_name(enum tern_http_failure f);

/**
 * A response. Zero-initialise (or TERN_HTTP_RESPONSE_INIT); free the
 * contents with tern_http_response_release().
 */
typedef struct tern_http_response {
    long status; /**< HTTP status; 0 when no response arrived */
    tern_buf body;
    /** Response header lines as received, "Name: value\r\n" each. */
    tern_buf headers;
    enum tern_http_failure failure;
    /** On failure: a readable sentence naming the endpoint. */
    char error[512];
    long connects;    /**< new TCP connections this request opened */
    double elapsed_s; /**< wall time of the transfer */
} tern_http_response;

#define TERN_HTTP_RESPONSE_INIT                                                \
    {                                                                          \
        0, TERN_BUF_INIT, TERN_BUF_INIT, TERN_HTTP_OK, {0}, 0, 0               \
    }

/**
 * Create a client.
 * @param out receives the client (caller owns; tern_http_free())
 * @param opts settings (borrowed; NULL for the defaults)
 * @return TERN_OK, TERN_ENOMEM or TERN_ERROR (libcurl failed to start)
 */
int tern_http_new(tern_http **out, const tern_http_opts *opts);

/** Free a client and every pooled handle. NULL-safe. Not while in use. */
void tern_http_free(tern_http *http);

/** The whole-transfer timeout a request gets when it sets none (ms). */
long tern_http_timeout_ms(const tern_http *http);

/**
 * Whether a URL may be used: https anywhere, http only on loopback or the
 * instance metadata service.
 * @param url the URL (borrowed)
 * @param why receives a sentence on refusal (may be NULL)
 * @param whylen size of @p why
 * @return TERN_OK or TERN_EINVALID
 */
int tern_http_check_url(const char *url, char *why, size_t whylen);

/**
 * Send one request and wait for the whole response. A response with any
 * status counts as success; transport failures are described in
 * out->failure and out->error, and also added to @p diags when it is not
 * NULL (clients that retry pass NULL and report the last failure
 * themselves). Thread-safe.
 * @param http the client
 * @param req the request (borrowed)
 * @param out zero-initialised response; filled
 * @param diags where to add a diagnostic on failure, or NULL
 * @return TERN_OK (a response arrived), TERN_EINVALID (refused URL),
 *         TERN_ECANCELED, TERN_ENOMEM or TERN_ERROR (transport failure)
 */
int tern_http_send(tern_http *http, const tern_http_request *req,
                   tern_http_response *out, struct tern_diags *diags);

/**
 * The first response header with this name (case-insensitive), copied.
 * @param resp the response
 * @param name the header name, e.g. "Retry-After"
 * @return a new string (caller frees with tern_free()), or NULL
 */
char *tern_http_response_header(const tern_http_response *resp,
                                const char *name);

/**
 * The same, telling a header that is not there from one that could not be
 * copied: for a value the caller must not do without (an ETag that a
 * conditional request needs next).
 * @param resp the response
 * @param name the header name, e.g. "ETag"
 * @param out set to a new string (caller frees with tern_free()), or to
 *        NULL when the response has no such header
 * @return TERN_OK, or TERN_ENOMEM (*out NULL) when the header is there
 *         and could not be copied
 */
int tern_http_response_header_copy(const tern_http_response *resp,
                                   const char *name, char **out);

/** Free the contents of a response and zero it. */
void tern_http_response_release(tern_http_response *resp);

/**
 * Counters since the client was created, for tests and the debug log.
 * @param http the client
 * @param requests set to the number of transfers attempted (may be NULL)
 * @param connects set to the number of TCP connections opened (may be
 *        NULL)
 */
void tern_http_stats(tern_http *http, unsigned long *requests,
                     unsigned long *connects);

#endif
