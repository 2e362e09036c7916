/*
 * AWS credentials and region, resolved as the AWS CLI and SDKs do, so a
 * user's existing setup works unchanged.
 *
 * Order (the first source that yields credentials wins):
 *   1. the provider block: access_key + secret_key (+ token);
 *   2. the provider block's profile, when set: that profile (below);
 *   3. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN;
 *   4. a profile (AWS_PROFILE, else "default") from the shared credentials
 *      file ([name]) and config file ([profile name], [default]), the
 *      credentials file winning for keys in both. Within a profile:
 *      role_arn with source_profile or credential_source (Environment,
 *      Ec2InstanceMetadata) through STS AssumeRole (external_id,
 *      role_session_name, duration_seconds); else static keys; else
 *      credential_process (JSON, Version 1);
 *   5. the EC2 instance metadata service, IMDSv2 (token PUT, role name,
 *      credentials), unless AWS_EC2_METADATA_DISABLED=true; the endpoint
 *      from AWS_EC2_METADATA_SERVICE_ENDPOINT (or _MODE=IPv6).
 * The provider block's assume_role then wraps whatever was found.
 *
 * Files: the provider block's lists, else AWS_SHARED_CREDENTIALS_FILE and
 * AWS_CONFIG_FILE, else ~/.aws/credentials and ~/.aws/config.
 * Region: the provider block, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * region, then the instance metadata (only when it supplied credentials).
 *
 * Temporary credentials are refreshed five minutes before they expire, by
 * whichever thread asks first; others wait for it. Every secret key and
 * session token is registered with tern_log_add_secret().
 */
#ifndef TERN_AWS_CREDENTIALS_H
#define TERN_AWS_CREDENTIALS_H

#include <time.h>

#include "http/http.h"
#include "tern/diag.h"

/** One set of credentials. Every string is owned. */
typedef struct tern_aws_creds {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /**< NULL for long-term keys */
    time_t expiration;   /**< 0: does not expire */
} tern_aws_creds;

/** Free the strings of @p c and zero it. */
void tern_aws_creds_release(tern_aws_creds *c);

/** The provider block's assume_role. Strings borrowed; NULL when unset. */
struct tern_aws_assume_role {
    const char *role_arn;
    const char *session_name;
    const char *external_id;
    long duration_seconds; /**< 0: the service's default (1 hour) */
};

#define TERN_AWS_CONFIG_VERSION 1

/**
 * The provider block's settings. Every pointer is borrowed and may be NULL
 * (unset). Start from TERN_AWS_CONFIG_INIT.
 */
typedef struct tern_aws_config {
    unsigned int version; /**< TERN_AWS_CONFIG_VERSION */
    const char *region;
    const char *profile;
    const char *access_key;
    const char *secret_key;
    const char *token;
    /** NULL-terminated lists of paths ("~/" expanded); later files
     *  override earlier ones key by key. */
    const char *const *shared_config_files;
    const char *const *shared_credentials_files;
    struct tern_aws_assume_role assume_role;
    const char *endpoint_iam; /**< endpoints { iam = ... } */
    const char *endpoint_sts; /**< endpoints { sts = ... } */
    int max_retries;          /**< < 0: the default, 25 */
    /** The region of the STS calls (assume_role); NULL: region. */
    const char *sts_region;
    /** ec2_metadata_service_endpoint: the instance metadata service's
     *  address; NULL: AWS_EC2_METADATA_SERVICE_ENDPOINT, else by mode. */
    const char *imds_endpoint;
    /** ec2_metadata_service_endpoint_mode, "IPv4" or "IPv6"; NULL:
     *  AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE. */
    const char *imds_endpoint_mode;
    /** skip_metadata_api_check: 1 when true (no instance metadata), -1
     *  when false (asked even with AWS_EC2_METADATA_DISABLED=true); 0
     *  unset, AWS_EC2_METADATA_DISABLED decides. */
    int imds_disabled;
} tern_aws_config;

#define TERN_AWS_CONFIG_INIT                                                   \
    {                                                                          \
        TERN_AWS_CONFIG_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL,     \
            {NULL, NULL, NULL, 0}, NULL, NULL, -1, NULL, NULL, NULL, 0         \
    }

/** A credentials provider (opaque, thread-safe). */
typedef struct tern_aws_credentials tern_aws_credentials;

/**
 * Resolve credentials and region from @p cfg and the environment, fetching
 * the first set (so a missing or broken setup fails here, with one error
 * that lists every place that was looked at).
 * @param out receives the provider (caller owns; tern_aws_credentials_free)
 * @param cfg the provider block (borrowed; copied as needed)
 * @param http the HTTP client for STS and IMDS (borrowed; must outlive the
 *        provider)
 * @param diags receives the reasons on failure
 * @return TERN_OK, TERN_EAUTH (nothing found, or a source failed),
 *         TERN_EINVALID (a broken profile or file), TERN_ENOMEM
 */
int tern_aws_credentials_new(tern_aws_credentials **out,
                             const tern_aws_config *cfg, tern_http *http,
                             struct tern_diags *diags);

/**
 * A provider of fixed keys (tests, tools).
 * @param out receives the provider (caller owns)
 * @param access_key_id required (copied)
 * @param secret_access_key required (copied)
 * @param session_token may be NULL (copied)
 * @return TERN_OK, TERN_EINVALID or TERN_ENOMEM
 */
int tern_aws_credentials_new_static(tern_aws_credentials **out,
                                    const char *access_key_id,
                                    const char *secret_access_key,
                                    const char *session_token);

/** Free a provider. NULL-safe. */
void tern_aws_credentials_free(tern_aws_credentials *creds);

/**
 * Copy the current credentials, refreshing them first when they expire
 * within five minutes (or were invalidated). A failed refresh while the
 * old set is still valid logs a warning and returns the old set.
 * @param creds the provider
 * @param out zero-initialised; filled (tern_aws_creds_release())
 * @param diags receives the reason on failure
 * @return TERN_OK, TERN_EAUTH, TERN_ECANCELED or TERN_ENOMEM
 */
int tern_aws_credentials_get(tern_aws_credentials *creds, tern_aws_creds *out,
                             struct tern_diags *diags);

/**
 * Mark the current set as unusable (the service answered ExpiredToken);
 * the next get refreshes. Does nothing for credentials that cannot be
 * refreshed.
 * @return 1 when a refresh will be attempted, 0 otherwise
 */
int tern_aws_credentials_invalidate(tern_aws_credentials *creds);

/** The resolved region, or NULL when none was found. Owned by @p creds. */
const char *tern_aws_credentials_region(const tern_aws_credentials *creds);

/**
 * Where the credentials came from, for messages: "provider block",
 * "environment", "profile 'x' (shared credentials file)", "assume role
 * arn:... via profile 'x'", "credential_process of profile 'x'", "EC2
 * instance metadata". Owned by @p creds.
 */
const char *tern_aws_credentials_source(const tern_aws_credentials *creds);

/**
 * Tests only: replace the clock used for expiry decisions.
 * @param now returns seconds since the epoch; NULL restores time()
 */
void tern__aws_credentials_set_clock(tern_aws_credentials *creds,
                                     time_t (*now)(void *ud), void *ud);

/**
 * Tests only: how many times credentials were fetched (the first fetch
 * included).
 */
unsigned long tern__aws_credentials_fetches(tern_aws_credentials *creds);

#endif
