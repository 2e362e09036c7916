/*
 * The Databricks REST client (workspace APIs, JSON through Jansson).
 *
 * Host and token resolve attribute by attribute, as the Databricks CLI and
 * SDKs do: the provider block, then DATABRICKS_HOST / DATABRICKS_TOKEN,
 * then a profile of the config file (DATABRICKS_CONFIG_PROFILE or the
 * provider block's profile, default "DEFAULT"; DATABRICKS_CONFIG_FILE or
 * ~/.databrickscfg). Requests carry "Authorization: Bearer <token>"; the
 * token is registered with tern_log_add_secret(). A host without a scheme
 * gets https://; plain http is refused except on loopback (tern-sim).
 *
 * Errors: {"error_code", "message"} (error_code may be a string or, for
 * 401/403, a number) become a diagnostic with service_code set, mapped to
 * TERN_ENOTFOUND (RESOURCE_DOES_NOT_EXIST), TERN_EEXISTS
 * (RESOURCE_ALREADY_EXISTS), TERN_EAUTH (401, 403, PERMISSION_DENIED),
 * TERN_EINVALID (INVALID_PARAMETER_VALUE, MALFORMED_REQUEST,
 * DRY_RUN_FAILED, 400, and a 2xx answer that is not JSON or a response
 * over the size cap: a server's unusable answer, which waiting does not
 * mend, issue 20 finding 10), TERN_ETHROTTLED (429 after the last retry).
 *
 * Retries: 429 and 503 are retried, waiting what Retry-After says (capped
 * at 60 s) or else an exponential backoff with full jitter; for GET also
 * dropped connections and timeouts. Nothing else is retried.
 *
 * Time: the retry waits and the call's deadline run on the client's clock
 * (tern/clock.h; the engine's, or a test's), as the AWS clients' do
 * (aws/core.c). A call, its retries and their waits included, takes at
 * most deadline_ms (default TERN_DBX_DEFAULT_DEADLINE_MS, the Databricks
 * SDK's retry_timeout_seconds, 300 s: databricks-sdk-go config/config.go):
 * no wait is begun that would reach it, and an attempt is given no more
 * than the time left. The backoff's jitter is drawn from the
 * configuration's seed (from the clock when 0), so a test can fix it.
 */
#ifndef TERN_DATABRICKS_CLIENT_H
#define TERN_DATABRICKS_CLIENT_H

#include <jansson.h>
#include <stdatomic.h>

#include "http/http.h"
#include "tern/clock.h"
#include "tern/diag.h"

/** A Databricks workspace client (opaque, thread-safe). */
typedef struct tern_dbx_client tern_dbx_client;

/** The longest one call may take, its retries included (ms). */
#define TERN_DBX_DEFAULT_DEADLINE_MS 300000L

#define TERN_DBX_CONFIG_VERSION 4

/** The provider block and test hooks. Strings borrowed; NULL: unset. */
typedef struct tern_dbx_config {
    unsigned int version; /**< TERN_DBX_CONFIG_VERSION */
    const char *host;
    const char *token;
    const char *profile;     /**< section of the config file */
    const char *config_file; /**< path; "~/" expanded */
    int max_retries;         /**< < 0: 10 */
    /** The retry waits' sleep and the deadline's time (copied); NULL:
     *  tern_clock_system. */
    const tern_clock *clock;
    long deadline_ms; /**< <= 0: TERN_DBX_DEFAULT_DEADLINE_MS */
    const atomic_int *cancel;
    /** Nonzero: no host or token is not an error here. The client is
     *  made, and each call fails with TERN_EAUTH and the error that
     *  resolution met, as the Databricks SDK authenticates at the first
     *  request: a configuration that never calls the API (the policy data
     *  sources) needs no credentials. */
    int defer_auth;
    /** Raised at the first interrupt: no retry wait (as the AWS client). */
    const atomic_int *stop;
    /** The retry jitter's seed, as tern_aws_client_opts' (aws/client.h);
     *  0: from the clock. */
    unsigned int seed;
} tern_dbx_config;

#define TERN_DBX_CONFIG_INIT                                                   \
    {                                                                          \
        TERN_DBX_CONFIG_VERSION, NULL, NULL, NULL, NULL, -1, NULL, 0, NULL, 0, \
            NULL, 0                                                            \
    }

/**
 * Resolve host and token and create a client. No request is made.
 * @param out receives the client (caller owns; tern_dbx_client_free())
 * @param cfg the provider block (borrowed; copied); NULL for none
 * @param http the shared HTTP client (borrowed; must outlive the client)
 * @param diags receives the reason on failure, naming every place looked
 * @return TERN_OK, TERN_EAUTH (no host or token found), TERN_EINVALID (a
 *         bad host, a missing explicit profile) or TERN_ENOMEM
 */
int tern_dbx_client_new(tern_dbx_client **out, const tern_dbx_config *cfg,
                        tern_http *http, struct tern_diags *diags);

/** Free a client. NULL-safe. */
void tern_dbx_client_free(tern_dbx_client *client);

/** The workspace URL in use, e.g. "https://x.cloud.databricks.com". */
const char *tern_dbx_client_host(const tern_dbx_client *client);

/**
 * Call one endpoint.
 * @param client the client
 * @param method "GET" or "POST" (others as the API needs)
 * @param path e.g. "/api/2.0/instance-profiles/list"
 * @param body the JSON body (borrowed), or NULL
 * @param out receives the parsed response (new reference; {} for an
 *        empty body); may be NULL
 * @param diags receives a diagnostic on failure
 * @return TERN_OK or an error as described above
 */
int tern_dbx_call(tern_dbx_client *client, const char *method, const char *path,
                  const json_t *body, json_t **out, struct tern_diags *diags);

#endif
