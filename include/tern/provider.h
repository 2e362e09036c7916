/**
 * @file tern/provider.h
 * @brief The interface between the engine and providers.
 *
 * A provider is what a `provider "NAME" {}` block configures: the AWS
 * provider, the Databricks provider. Each lives in its own folder under
 * modules/ with its modules (modules/aws/, modules/databricks/), and
 * modules/registry.c lists every provider in one table, tern_providers[].
 * The engine knows a provider only through this interface:
 *
 * - its name (the local name in the configuration, and the prefix of its
 *   resource types: "aws" for aws_iam_role), the registry addresses it
 *   answers to in `required_providers`, and the provider release whose
 *   behaviour tern follows, which `version` constraints are checked
 *   against;
 * - the schema of its configuration block; arguments marked
 *   TERN_ATTR_SENSITIVE (keys, tokens) are given to configure and never
 *   to modules, plans or logs;
 * - configure, which turns the evaluated block into a client, and free;
 *   the engine hands the client to the provider's modules as op->client
 *   and treats it as opaque. A provider that needs no client (one that
 *   computes everything locally) has no configure;
 * - its bulk reads for refresh (tern_bulk_op in tern/module.h), if any.
 *
 * Modules name their provider by name (tern_module.provider).
 */
#ifndef TERN_PROVIDER_H
#define TERN_PROVIDER_H

#include <jansson.h>
#include <stdatomic.h>

#include "tern/diag.h"
#include "tern/module.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The shared HTTP client (src/http/http.h); opaque to providers' callers. */
struct tern_http;

#define TERN_PROVIDER_ENV_VERSION 2

/** What the engine lends a provider's configure. */
typedef struct tern_provider_env {
    unsigned int version; /**< TERN_PROVIDER_ENV_VERSION */
    /** The HTTP client every service client shares (borrowed; it outlives
     *  the provider's client). */
    struct tern_http *http;
    /** Raised (non-zero) when the run is interrupted (borrowed, likewise). */
    const atomic_int *cancel;
    /** Raised at the first interrupt, before cancel: no new attempt or
     *  retry wait starts; a request in flight finishes (borrowed). */
    const atomic_int *stop;
    /** The clock the client's waits sleep on (tern/clock.h; borrowed);
     *  NULL: the system's. */
    const struct tern_clock *clock;
} tern_provider_env;

#define TERN_PROVIDER_VERSION 1

/** A provider. Optional members are NULL. */
typedef struct tern_provider {
    unsigned int version; /**< TERN_PROVIDER_VERSION */
    /** The local name, and the prefix of its types: "aws". */
    const char *name;
    /**
     * The registry source addresses it answers to in required_providers,
     * lower case "namespace/type" without the registry host,
     * NULL-terminated. The first is its own (the state records resources
     * under it); the others are former addresses of the same provider
     * (databrickslabs/databricks).
     */
    const char *const *sources;
    /** The provider release whose behaviour tern follows ("5.100.0"): a
     *  required_providers version constraint must admit it. */
    const char *implements;
    /** The configuration block's arguments, {NULL}-terminated (static). */
    const tern_attr *schema;

    /**
     * Make the client the provider's modules use, once per provider
     * configuration, on the engine's thread, before the first operation
     * that needs it. NULL: the provider needs no client (op->client is
     * NULL).
     * @param client receives the client (freed with @c free)
     * @param env what the engine lends (borrowed)
     * @param settings the provider block's evaluated arguments, sensitive
     *        ones included; configure may add what it resolved itself
     *        (the AWS region from the environment, say), which modules
     *        then see in op->provider
     * @param diags receives why it failed
     * @return TERN_OK or an error from tern/diag.h
     */
    int (*configure)(void **client, const tern_provider_env *env,
                     json_t *settings, struct tern_diags *diags);
    /** Free a client made by configure. NULL-safe. */
    void (*free)(void *client);
    /** The bulk reads of refresh, NULL-terminated; NULL for none. */
    const tern_bulk_op *const *bulk_ops;
    /** The service whose propagation delay tern waits out, as messages
     *  name it ("IAM": "Waiting for IAM to show the change ..."); NULL:
     *  the provider's name. */
    const char *service;
} tern_provider;

/** Every provider, NULL-terminated (modules/registry.c). */
extern const tern_provider *const tern_providers[];

/**
 * Find a provider by name.
 * @return the provider, or NULL
 */
const tern_provider *tern_provider_find(const char *name);

/**
 * Find the provider a registry source address names: "hashicorp/aws",
 * "registry.terraform.io/hashicorp/aws" (the default registry host may be
 * written), in any case, or a former address of it.
 * @return the provider, or NULL
 */
const tern_provider *tern_provider_for_source(const char *source);

/**
 * The host to put before a source address to make it whole:
 * "registry.terraform.io/" for "hashicorp/aws", "" for one that names its
 * host already (the built-in "terraform.io/builtin/terraform").
 */
const char *tern_provider_source_host(const char *source);

#ifdef __cplusplus
}
#endif

#endif
