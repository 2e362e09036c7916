/**
 * @file tern/module.h
 * @brief The interface between the engine and resource modules.
 *
 * A module is one resource type or data source (`aws_iam_role`,
 * `data.aws_caller_identity`), in one file in its provider's folder
 * (modules/aws/, tern/provider.h), whose only external symbol is its
 * `const tern_module`. modules/registry.c lists every module in one
 * sorted table. The engine knows a type only through
 * this interface: the schema, which its generic planner diffs, and the
 * operations, which its executor runs on worker threads.
 *
 * Modules deal only in known values, as Jansson `json_t` objects keyed by
 * attribute name (the engine converts from tern_value and never hands a
 * module an unknown). They never touch the state store, the terminal or
 * the graph; they call their service client and return new values or a
 * diagnostic (docs/ARCHITECTURE.md).
 *
 * Operations run on a worker thread as plain sequential code. Each returns
 * TERN_OK or an error code from tern/diag.h, with details added to
 * op->diags; TERN_ENOTFOUND from read means the object is gone (the plan
 * then creates it again). An operation polls op->cancel between service
 * calls and returns TERN_ECANCELED when it is set.
 */
#ifndef TERN_MODULE_H
#define TERN_MODULE_H

#include <jansson.h>
#include <stdatomic.h>

#include "tern/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The type of an attribute's value. */
enum tern_attr_type {
    TERN_TYPE_STRING = 0,
    TERN_TYPE_NUMBER,
    TERN_TYPE_BOOL,
    TERN_TYPE_LIST_STRING, /**< list(string) */
    TERN_TYPE_SET_STRING,  /**< set(string): order never matters */
    TERN_TYPE_MAP_STRING,  /**< map(string), e.g. tags */
    TERN_TYPE_BLOCK_LIST,  /**< nested blocks, in order; see tern_attr.nested */
    TERN_TYPE_BLOCK_SET,   /**< nested blocks, order irrelevant */
    /**
     * Any value (cty's DynamicPseudoType: terraform_remote_state's config
     * and outputs): not coerced, compared as a whole, rendered as its
     * value. A module marks a part of it sensitive by returning that part
     * as {"tern:sensitive": VALUE}; the engine unwraps it into a marked
     * value when it reads the module's result or the state.
     */
    TERN_TYPE_DYNAMIC
};

/** Attribute flags; combine with |. */
enum tern_attr_flags {
    TERN_ATTR_REQUIRED = 1 << 0,  /**< the configuration must set it */
    TERN_ATTR_OPTIONAL = 1 << 1,  /**< the configuration may set it */
    TERN_ATTR_COMPUTED = 1 << 2,  /**< the module sets it (with OPTIONAL:
                                       when the configuration does not) */
    TERN_ATTR_FORCE_NEW = 1 << 3, /**< a change replaces the object */
    TERN_ATTR_SENSITIVE = 1 << 4, /**< never shown in plans or logs */
    /**
     * The service never reports the value back (a create-time switch, such
     * as Databricks' skip_validation): a prior holding the type's zero
     * value, or none, is what a read or an import records for "not
     * known", so a configured value over such a prior is no change and the
     * plan keeps the prior (the provider's DiffSuppressFunc for false ->
     * true). A prior holding any other value diffs as usual.
     */
    TERN_ATTR_UNREPORTED = 1 << 5
};

/**
 * Whether two values of an attribute mean the same (e.g. two policy
 * documents that differ only in order or whitespace). Both borrowed.
 * An answer needs memory (a policy document is parsed): out of memory is
 * an error, never "not equivalent", which the plan would show as a
 * difference.
 * @param same set to 1 when equivalent, 0 when not
 * @return TERN_OK, or TERN_ENOMEM when memory ran out (*same then 0 and
 *         meaningless)
 */
typedef int (*tern_equiv_fn)(int *same, const json_t *a, const json_t *b);

/** One attribute of a schema. Schemas are static arrays ending in {NULL}. */
typedef struct tern_attr {
    const char *name;
    enum tern_attr_type type;
    unsigned int flags; /**< enum tern_attr_flags */
    /** NULL: values are compared with json_equal(). When equivalent, the
     *  plan keeps the prior value, so the user's text stays in state. */
    tern_equiv_fn equivalent;
    /** For TERN_TYPE_BLOCK_*: the blocks' own schema; NULL otherwise. */
    const struct tern_attr *nested;
    /** For blocks: at most this many (0: unlimited). For TERN_TYPE_STRING:
     *  at most this many characters (0: unlimited), as the Terraform
     *  provider's StringLenBetween; validate checks a constant value, plan
     *  every known one, with the value's range. */
    unsigned int max_items;
} tern_attr;

#define TERN_OP_VERSION 4

/**
 * The context of one operation, filled in by the engine. Everything is
 * borrowed for the duration of the call.
 */
typedef struct tern_op {
    unsigned int version; /**< TERN_OP_VERSION */
    /** The resource address, e.g. aws_iam_role.deploy, for messages. */
    const char *address;
    /** Where the operation adds errors and warnings. */
    struct tern_diags *diags;
    /**
     * The client of the resource's provider configuration, as the
     * provider's configure made it (tern/provider.h): what it is is
     * private between the provider and its modules (the AWS provider's
     * holds its IAM and STS clients); NULL for a provider without one.
     */
    void *client;
    /** The provider block's evaluated settings (region, default_tags, ...)
     *  without its sensitive arguments, or NULL. */
    const json_t *provider;
    /** Set (non-zero) by the engine when the run is interrupted twice:
     *  running operations end early. */
    const atomic_int *cancel;
    /** Opaque data for test modules; NULL otherwise. */
    void *user;
    /**
     * During a refresh: the snapshot a bulk read of the resource's
     * provider made (see tern_bulk_op), when the engine made one and the
     * resource's type is one the bulk op covers; NULL otherwise. Its
     * contents are private between the bulk op and the modules of its
     * types: read looks the object up in it and makes no call when it is
     * there, and reads it by itself when it is not.
     */
    const void *bulk;
    /** Raised by the engine at the first interrupt: start no new attempt
     *  and no wait for propagation (see tern_op_wait). */
    const atomic_int *stop;
    /** Where tern_op_progress() writes: the engine's, during an apply;
     *  NULL otherwise (the call then does nothing). */
    struct tern_progress *progress;
    /** The clock tern_op_sleep and tern_op_wait sleep on (tern/clock.h):
     *  the engine's (tern_engine_options.clock); NULL: the system's. */
    const struct tern_clock *clock;
} tern_op;

/**
 * The wait between reads of something IAM may not have propagated yet:
 * from the first (ms), doubling up to the last. The modules' propagation
 * retries and the refresh's re-reads of what tern just wrote share it.
 */
#define TERN_PROPAGATION_BACKOFF_FIRST_MS 200L
#define TERN_PROPAGATION_BACKOFF_MAX_MS   2000L

/**
 * Wait @p ms milliseconds for a service (IAM to propagate, a retry), or
 * less when the run is interrupted once (op->stop) or twice (op->cancel).
 * @return TERN_OK, or TERN_ECANCELED when interrupted.
 */
int tern_op_wait(const tern_op *op, long ms);

/**
 * Sleep @p ms milliseconds on op->clock, or less when op->cancel is raised
 * (the system clock looks every TERN_CLOCK_SLICE_MS). No operation sleeps
 * any other way.
 * @return TERN_OK, or TERN_ECANCELED
 */
int tern_op_sleep(const tern_op *op, long ms);

/** The longest progress text kept (bytes, without the NUL). */
#define TERN_PROGRESS_MAX 96

/**
 * Say what a running operation is waiting for ("cluster PENDING"), from
 * the operation's own thread, as often as it likes: the engine keeps the
 * latest text (a copy, control characters made '?', cut at
 * TERN_PROGRESS_MAX bytes) until the step ends, and the CLI appends it to
 * its "Still creating..." lines (tern_engine_progress). NULL clears it.
 */
void tern_op_progress(const tern_op *op, const char *text);

#define TERN_MODULE_VERSION 1

/** Resource or data source. */
enum tern_module_kind { TERN_MODULE_RESOURCE = 0, TERN_MODULE_DATA = 1 };

/**
 * A resource type or data source. Optional operations are NULL, never
 * stubs: data sources have only read.
 */
typedef struct tern_module {
    unsigned int version;  /**< TERN_MODULE_VERSION */
    const char *type_name; /**< e.g. "aws_iam_role" */
    enum tern_module_kind kind;
    /** Its provider's name (tern_provider.name, tern/provider.h):
     *  "aws", "databricks", "test". */
    const char *provider;
    const tern_attr *schema; /**< static, {NULL}-terminated */

    /**
     * Read the object's current state. For a resource, @p prior is its
     * state; for a data source, its configuration.
     * @param out a new reference on TERN_OK
     * @return TERN_OK, TERN_ENOTFOUND (gone) or an error
     */
    int (*read)(json_t **out, tern_op *op, const json_t *prior);

    /**
     * Create the object from its wholly known configuration.
     * @param out the new state (computed attributes filled), new reference.
     *        A create interrupted (TERN_ECANCELED) after the service made
     *        the object, while it waited for it (a Databricks cluster
     *        starting), may set it to the object's state as far as known:
     *        the engine records it, so the next run reads the object
     *        instead of looking for it.
     */
    int (*create)(json_t **out, tern_op *op, const json_t *desired);

    /**
     * Change in place what the schema does not mark FORCE_NEW.
     * @param out the new state, new reference
     */
    int (*update)(json_t **out, tern_op *op, const json_t *prior,
                  const json_t *desired);

    /** Delete the object. TERN_ENOTFOUND counts as success to the engine. */
    int (*delete_)(tern_op *op, const json_t *prior);

    /**
     * Import an existing object by its import ID (e.g. "role:policy").
     * @param out its state, new reference
     */
    int (*import)(json_t **out, tern_op *op, const char *id);

    /**
     * Find the object a create would have made, from its configuration,
     * to adopt it after an interrupted create (the intent in the state
     * says one was in flight). NULL when the module cannot.
     * @param out its state, new reference
     * @return TERN_OK, TERN_ENOTFOUND or an error
     */
    int (*lookup)(json_t **out, tern_op *op, const json_t *desired);
} tern_module;

/** Every module, sorted by type_name, NULL-terminated (modules/registry.c). */
extern const tern_module *const tern_modules[];

#define TERN_BULK_OP_VERSION 2

/**
 * A bulk read: one call (or a few pages of one) that describes many
 * objects of several resource types of one provider at once, such as
 * IAM's GetAccountAuthorizationDetails (every role with its trust policy,
 * inline policies, attached policies and instance profiles).
 *
 * Optional: a provider without one is refreshed object by object. When
 * the state holds at least @c min_objects objects of the op's @c types
 * under one provider configuration, the engine's refresh runs @c fetch
 * once for that provider, before the reads of those objects, and hands
 * the snapshot to each of their reads as op->bulk. The modules of those
 * types look the object up in it and build its state from it without a
 * call; what the snapshot does not show is read object by object as
 * usual (a deleted object: TERN_ENOTFOUND). A failed fetch (e.g. no
 * permission for the bulk action) is not an error: the engine forgets it
 * and every object is read by itself.
 *
 * A provider lists its bulk ops (tern_provider.bulk_ops, tern/provider.h).
 */
typedef struct tern_bulk_op {
    unsigned int version; /**< TERN_BULK_OP_VERSION */
    const char *name; /**< for logs, e.g. "GetAccountAuthorizationDetails" */
    /** The resource types whose read consults the snapshot;
     *  NULL-terminated (static). */
    const char *const *types;
    /** Worth a fetch from this many objects of those types in the state
     *  (environment TERN_BULK_REFRESH_MIN overrides; "off" never uses
     *  bulk reads). */
    unsigned int min_objects;
    /**
     * Make a snapshot, on a worker thread, with the client of the
     * provider (op->client; op->address is NULL).
     * @param out receives the snapshot (free with @c free); read-only
     *        once made, so reads on several threads may share it
     * @return TERN_OK or an error (op->diags says why)
     */
    int (*fetch)(void **out, tern_op *op);
    /** Free a snapshot. NULL-safe. */
    void (*free)(void *snapshot);
} tern_bulk_op;

/**
 * A check of a string or number argument's value beyond its type and
 * length: the provider's validation functions (e.g. the character set of
 * IAM names, the range of a duration). A number is checked as its decimal
 * text (3600, 0.5).
 * `validate` runs it on a value known without a plan, `plan` on every
 * known value, and a failure is an error at the value's range.
 * @param why receives the reason when the value is refused, completing
 *        "The argument \"name\" ..." (e.g. "may contain only ...")
 * @return 0 when the value is fine, nonzero when it is refused
 */
typedef int (*tern_check_fn)(const char *value, char *why, size_t why_size);

/** One check: of argument @c name (top level) of resource type @c type, or
 *  of data source TYPE when @c type is "data.TYPE". */
typedef struct tern_arg_check {
    const char *type;
    const char *name;
    tern_check_fn check;
} tern_arg_check;

/** Every argument check, ending with {NULL, NULL, NULL}
 *  (modules/registry.c). */
extern const tern_arg_check tern_arg_checks[];

/**
 * The default of an optional argument (the provider schema's Default): the
 * value an unset argument takes. The engine fills it into the evaluated
 * configuration, as the provider's SDK does, so a plan shows it, a create
 * sends it, and removing the argument from the configuration changes the
 * object back to it. Such an attribute is OPTIONAL without COMPUTED.
 */
typedef struct tern_arg_default {
    const char *type;  /**< resource type */
    const char *name;  /**< top-level argument */
    const char *value; /**< JSON text of the value, e.g. "3600", "\"/\"" */
} tern_arg_default;

/** Every argument default, ending with {NULL, NULL, NULL}
 *  (modules/registry.c). */
extern const tern_arg_default tern_arg_defaults[];

/**
 * A deprecated argument (the provider schema's Deprecated): `validate`
 * and `plan` warn "Argument is deprecated" with the provider's @c message
 * at the argument (or the first block of that type) of every resource
 * that sets it.
 */
typedef struct tern_arg_deprecation {
    const char *type;    /**< resource type */
    const char *name;    /**< top-level argument or block type */
    const char *message; /**< the provider's text */
} tern_arg_deprecation;

/** Every deprecated argument, ending with {NULL, NULL, NULL}
 *  (modules/registry.c). */
extern const tern_arg_deprecation tern_arg_deprecations[];

/**
 * A resource type whose new object gets an identity the configuration does
 * not name: the service assigns it (a Databricks cluster's cluster_id) or
 * the provider makes it up (an IAM role without `name`). A later run that
 * finds an interrupted create of such an object cannot look it up by what
 * the configuration says, so the intent announcing the create must be
 * where the state lives before the call is made (tern_state_flush(): with
 * the S3 backend, a push on the critical path). Every other create is
 * found again by its configured name (tern_module.lookup), and its intent
 * travels with the next coalesced push.
 */
typedef struct tern_assigned_id {
    const char *type; /**< resource type */
    /** NULL: always; else only when the configuration leaves this
     *  top-level argument unset (the name is generated) */
    const char *name;
} tern_assigned_id;

/** Every such type, ending with {NULL, NULL} (modules/registry.c). */
extern const tern_assigned_id tern_assigned_ids[];

/**
 * @return nonzero when a create of @p type from @p desired (its wholly
 *         known configuration) makes an object a later run could not find
 *         from the configuration (tern_assigned_ids[])
 */
int tern_module_assigns_id(const char *type, const json_t *desired);

/**
 * An argument that owns a set another resource type also manages (the
 * role's managed_policy_arns and an aws_iam_role_policy_attachment of the
 * same role): `validate` and `plan` warn at both when a resource of
 * @c other_type names, in its @c other_arg, a resource of @c type that
 * sets @c name (a reference to it, or the same literal as its
 * @c key_arg), since each apply would undo the other's.
 */
typedef struct tern_arg_exclusive {
    const char *type;       /**< the owner's resource type */
    const char *name;       /**< the owning argument or block type */
    const char *key_arg;    /**< the owner's argument a literal matches */
    const char *other_type; /**< the other resource type */
    const char *other_arg;  /**< its argument naming the owner */
} tern_arg_exclusive;

/** Every such pair, ending with {NULL, ...} (modules/registry.c). */
extern const tern_arg_exclusive tern_arg_exclusives[];

/**
 * A member of a set one resource owns that another resource of the same
 * configuration manages (the role's inline_policy and an
 * aws_iam_role_policy of that role): the plan leaves the member to the
 * other resource, so that the two never undo each other's work and the
 * plan never flips back and forth. A member the owner's set lacks but the
 * object has (its prior) stays while a planned @c other_type object names
 * the owner (its @c other_arg equals the owner's @c key_arg) and the
 * member (in @c other_member). src/engine/claims.c.
 */
typedef struct tern_arg_claim {
    const char *type;             /**< the owner's resource type */
    const char *name;             /**< the owner's set argument or block type */
    const char *member_key;       /**< blocks: the attribute naming one; NULL:
                                       a set of strings */
    const char *key_arg;          /**< the owner's argument the other names */
    const char *other_type;       /**< the other resource type */
    const char *other_arg;        /**< its argument naming the owner */
    const char *other_member;     /**< its argument naming the member(s):
                                       a string or a set of them, or blocks */
    const char *other_member_key; /**< blocks: the attribute naming one */
} tern_arg_claim;

/** Every claim, ending with {NULL, ...} (modules/registry.c). */
extern const tern_arg_claim tern_arg_claims[];

/**
 * Find a module by kind and type name.
 * @return the module, or NULL
 */
const tern_module *tern_module_find(enum tern_module_kind kind,
                                    const char *type_name);

/**
 * Find an attribute of a schema by name.
 * @return the attribute, or NULL
 */
const tern_attr *tern_schema_attr(const tern_attr *schema, const char *name);

#ifdef __cplusplus
}
#endif

#endif
