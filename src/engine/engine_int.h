/*
 * Private to src/engine: the engine's view of the configuration (blocks,
 * their dependencies, providers), the plan's instances, the executor that
 * runs steps on libuv workers, and the helpers the parts share.
 *
 * Files: engine.c (configuration analysis, evaluation scope, providers),
 * plan.c (refresh, expansion, diff), exec.c (the libuv executor), apply.c
 * (steps, apply, import), planfile.c (plan files, value masks),
 * planseal.c (plan files' encryption, what in a plan is sensitive),
 * plan_json.c (Terraform's JSON plan representation), conditions.c
 * (preconditions, postconditions, check blocks), dot.c (Graphviz).
 */
#ifndef TERN_ENGINE_ENGINE_INT_H
#define TERN_ENGINE_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lang/lang.h"
#include "tern/engine.h"
#include "tern/provider.h"
#include "util/buf.h"

/* ---- a string -> index map (open addressing) ---------------------------- */

struct tern__map {
    char **keys; /* borrowed */
    size_t *vals;
    size_t cap, n;
};

int tern__map_put(struct tern__map *m, const char *key, size_t val);
/* 1 and *val when found. */
int tern__map_get(const struct tern__map *m, const char *key, size_t *val);
void tern__map_release(struct tern__map *m);

/* ---- providers ----------------------------------------------------------- */

struct eprov {
    char *name;                     /* the local name, provider "NAME" */
    char *alias;                    /* NULL for the default */
    const struct tern_block *block; /* NULL: no block, all defaults */
    const tern_provider *def;       /* NULL: tern has no such provider */
    json_t *settings;               /* evaluated (no secrets), or NULL */
    int evaluated;
    int init_done, init_rc;
    struct tern_diags init_diags;
    void *client; /* def->configure's, opaque; op->client */
};

/* ---- module instances ---------------------------------------------------- */

/*
 * One instance of a module: the root (index 0, path "") or an instance of
 * a module call (module.roles["a"], module.net.module.sub). Module calls
 * expand when the engine is built, from what is known without a plan
 * (variables, locals); every resource and data block of an instance is a
 * block of the engine's graph, addressed with the instance's path.
 */
struct emod {
    char *path; /* "" for the root; else "module.x[\"k\"]..." */
    const struct tern_lang_config *cfg;
    size_t parent;                      /* SIZE_MAX for the root */
    const struct tern_lang_modcall *mc; /* the call; NULL for the root */
    tern_value *each_key, *each_value;  /* the call's for_each */
    tern_value *count_index;            /* the call's count */
    /* Offsets of this instance's locals, variables and outputs in the
     * graph walk's "seen" arrays. */
    size_t local_off, var_off, out_off;
};

/* What a scope's resolve gets: the evaluation and the module instance
 * references resolve in (cx NULL: the engine's static scope, where
 * resources are unknown). */
struct mscope {
    struct tern_engine *e;
    struct evalctx *cx;
    size_t mod;
    int depth; /* nesting of the static scope's evaluations */
};

/* ---- configuration blocks ------------------------------------------------ */

struct eblock {
    const struct tern_block *block;
    size_t mod; /* its module instance (engine->mods) */
    enum tern_state_mode mode;
    const char *type, *name;
    char *addr; /* "test_object.a", "data.test_object.d" */
    const tern_module *module;
    size_t prov; /* index into engine->provs */
    const struct tern_expr *count, *for_each;
    int cbd, prevent_destroy, ignore_all;
    char **ignore;
    size_t nignore;
    const struct tern_expr **rtb; /* replace_triggered_by references */
    size_t nrtb;
    size_t *deps; /* direct, block indices */
    size_t ndeps, adeps;
    size_t *alldeps; /* transitive */
    size_t nalldeps;
    /*
     * The direct dependencies on managed resources that every reference
     * names by this instance's own key (aws_iam_role.r[each.key],
     * aws_iam_role.r[count.index]): an instance waits only for the
     * instance with its key, not for the whole block (apply.c).
     */
    size_t *keyed;
    size_t nkeyed;
    int mark;
    int check_scoped; /* a data block of a check block: failures warn */
};

struct tern_engine {
    const struct tern_lang_config *config;
    /* The `from` of the root module's removed blocks with lifecycle
     * { destroy = false }: resources ("module.a.t.n") or module calls
     * ("module.a") whose objects a plan forgets (tern__forgotten). */
    char **forgets;
    size_t nforgets;
    tern_state *state;
    tern_value *vars;
    unsigned int parallelism;
    tern_event_fn on_event;
    void *payload;
    const tern_module *const *extra;
    const tern_provider *const *extra_providers;
    void *module_user;
    struct tern_http *http;
    const struct tern_clock *clock; /* opts->clock: NULL, the system's */
    /* TERN_EVENT_INTERRUPT events sent in this plan or apply (loop
     * thread): an interrupt the executor did not report (one that stopped
     * evaluation) is reported when the plan ends. */
    int interrupt_events;
    int own_http;
    struct eblock *blocks;
    size_t nblocks;
    size_t *order; /* blocks in dependency order */
    struct tern__map block_map;
    struct eprov *provs;
    size_t nprovs, aprovs;
    struct emod *mods; /* [0] is the root */
    size_t nmods, amods;
    size_t nlocals_all, nvars_all, nouts_all;
    struct mscope *mscopes; /* one per module instance, for evaluation */
    char config_hash[65];
    atomic_int interrupts;
    atomic_int cancel;
    /* The running apply loop's wake-up (a uv_async_t), which
     * tern_engine_interrupt() sends so the loop reports the interrupt at
     * once; set and cleared by exec.c under wake_mu. */
    pthread_mutex_t wake_mu;
    void *wake;
    /* What running apply steps said they wait for (op.c). */
    struct tern_progress *progress;
};

/*
 * op.c: the running steps' progress texts, address -> string, written by
 * the modules' worker threads (tern_op_progress) and read by any thread
 * (tern_engine_progress), always under @mu.
 */
struct tern_progress {
    pthread_mutex_t mu;
    json_t *texts;
};
struct tern_progress *tern__progress_new(void);
void tern__progress_free(struct tern_progress *p);
/* Forget what the step at @address said (it ended). */
void tern__progress_clear(struct tern_progress *p, const char *address);

/*
 * op.c: the tern_op given to a module operation on provider @p (NULL: none)
 * for the instance at @addr, reporting into @d. Apply passes the engine's
 * @progress (tern_op_progress); plan and refresh pass NULL.
 */
void tern__op_fill(tern_engine *e, tern_op *op, struct eprov *p,
                   const char *addr, struct tern_diags *d,
                   struct tern_progress *progress);

/* exec.c: route tern_engine_interrupt()'s wake-up to @async (NULL: none). */
void tern__engine_set_wake(tern_engine *e, void *async);

const tern_module *tern__engine_module(const tern_engine *e,
                                       enum tern_module_kind kind,
                                       const char *type);
/* The provider of that name: the options' extra providers, then
 * tern_providers[]; NULL when there is none. */
const tern_provider *tern__engine_provider(const tern_engine *e,
                                           const char *name);
void tern__engine_event(tern_engine *e, const tern_event *ev);

/* Terraform's error for an import whose ID names no object
 * (terraform/node_resource_plan_instance.go): that one error, the
 * provider's own reason not shown, as a provider's importer that finds
 * nothing leaves no error of its own. */
void tern__import_missing(struct tern_diags *diags, const char *addr);
/* Prepare a provider's clients (lazily, on the loop thread). */
int tern__provider_init(tern_engine *e, struct eprov *p, const tern_module *m,
                        struct tern_diags *diags);
/* The provider address to store, e.g. provider["registry.../aws"].x */
char *tern__provider_addr(const struct eprov *p);
/* Which provider an orphan uses, from its stored address and type. */
size_t tern__provider_for_state(tern_engine *e, const char *stored,
                                const tern_module *m);

/* ---- plan instances ------------------------------------------------------ */

struct pinst {
    tern_change pub;
    char *addr, *prev_addr, *type, *name, *import_id;
    char *module; /* module instance path; NULL for the root */
    char **rpaths;
    tern_value *before, *after;
    size_t block; /* SIZE_MAX: not in the configuration */
    enum tern_state_key key_kind;
    long long key_int;
    char *key_str;
    tern_value *each_value;
    json_t *deps;   /* block addresses, for the state */
    char *provider; /* stored provider address */
    int cbd;        /* create_before_destroy */
    int in_state;   /* there is a prior object in the state */
    int data_write; /* a data source read at plan time, to save */
    int64_t intent; /* an intent to resolve (adopt) or abandon */
    json_t *adopt;  /* the adopted object */
    int gone;       /* refresh-only: deleted outside */
    int orphan;     /* in the state, not (any more) in the configuration */
    size_t prov;
    /* The intent that remembers the deposed object this destroys (the
     * old object of a create_before_destroy replacement), or 0. */
    int64_t deposed;
    char deposed_key[24]; /* its key as shown, "%08llx" of the intent */
};

struct tern_plan {
    struct pinst *insts;
    size_t ninsts, ainsts;
    struct pinst **changes;
    size_t nchanges;
    struct pinst *drift;
    size_t ndrift, adrift;
    tern_value *outputs;
    tern_value *vars;
    tern_summary summary;
    int destroy, refresh_only, errored;
    int outputs_changed;
    char *lineage;
    int64_t serial;
    char *tern_version;
    char config_hash[65];
    /* When planning began, RFC 3339 UTC ("" in older plan files). */
    char timestamp[32];
    json_t *files;   /* [{"name", "text"}] */
    json_t *checks;  /* conditions' results (conditions.c), or NULL */
    json_t *targets; /* only for the record */
    /* When the plan was made, RFC 3339 UTC: plantimestamp(), the same at
     * apply ("" in a plan file older than the field: unknown). */
    char plan_timestamp[32];
    /* Root variables given to a provider argument marked sensitive
     * (tern__plan_redact): names, or NULL. Not in the plan file. */
    json_t *cred_vars;
};

int tern__plan_add(struct tern_plan *p, struct pinst **out);
/* The current time as the JSON plan's "timestamp" (RFC 3339, UTC). */
void tern__plan_timestamp(char *buf, size_t size);
void tern__pinst_release(struct pinst *pi);
/* Fill pi->pub from the owned fields. */
int tern__pinst_publish(struct pinst *pi);
/* Rebuild the list of changes (action != NOOP). */
int tern__plan_index(struct tern_plan *p);
/* Blank, in @files (the plan's copy of the configuration's files), every
 * constant a provider's sensitive argument in @cfg takes its value from
 * (written there, or reached through locals, module variables and
 * outputs), recording where it was and the file's SHA-256 (planfile.c).
 * The root variables such an argument takes its value from are appended
 * to @cred_vars. */
int tern__plan_redact(const struct tern_lang_config *cfg, json_t *files,
                      json_t *cred_vars);
/* The schema of the provider named @name, or NULL. */
typedef const tern_attr *(*tern__plan_schema_fn)(const char *name);
/* tern__plan_redact with the providers' schemas from @schema_of (a test's
 * own provider, for a schema no built-in provider has). */
int tern__plan_redact_with(const struct tern_lang_config *cfg, json_t *files,
                           json_t *cred_vars, tern__plan_schema_fn schema_of);

/* ---- saved plans' secrets (planseal.c) ----------------------------------- */

/* The header of an encrypted plan file, up to its parameters. */
#define TERN__PLAN_SEALED "tern-plan 1 aes-256-gcm pbkdf2-sha512 "

/* Whether @text (@len bytes) is an encrypted plan file. */
int tern__plan_is_sealed(const char *text, size_t len);
/* @plain (@len bytes of a plan file as written without a passphrase)
 * encrypted with @pass, appended to @out: the header line, the
 * ciphertext, the tag. */
int tern__plan_seal(const char *plain, size_t len, const char *pass,
                    tern_buf *out, struct tern_diags *diags);
/* The plan file inside the encrypted @text (@len bytes, read from @path),
 * decrypted with @pass into @plain (NUL-terminated; release it with
 * tern__buf_wipe). TERN_EINVALID, with a diagnostic, when @pass is NULL
 * or wrong, or the file was changed. */
int tern__plan_open(const char *text, size_t len, const char *path,
                    const char *pass, tern_buf *plain,
                    struct tern_diags *diags);
/* Zero @b's memory, then release it. */
void tern__buf_wipe(tern_buf *b);
/* TERN_OK when @p holds no sensitive value; else TERN_EINVALID and an
 * error naming them, for a plan -out to @path without a passphrase. */
int tern__plan_refuse_sensitive(const struct tern_plan *p, const char *path,
                                struct tern_diags *diags);

/* ---- evaluation ---------------------------------------------------------- */

/* Where references resolve during plan or apply. */
struct evalctx {
    tern_engine *e;
    struct tern_plan *plan;
    /* The current value of each plan instance (NULL: not known yet). */
    tern_value **values;
    struct tern__map *inst_map; /* address -> plan instance */
    size_t **block_insts;       /* per block, plan instance indices */
    size_t *nblock_insts;
    int *block_keyed; /* 0 none, 1 count, 2 for_each */
    int locals_depth;
    int applying; /* timestamp(), uuid(), bcrypt() are known (apply) */
    /* Per block: its value as tern__block_value() last built it, while
     * none of its instances changed (NULL: build it again). References
     * to a for_each block of N instances from each of M instances would
     * otherwise build an object of N values M times. */
    tern_value **block_cache;
    /* Per local value of every module instance (emod.local_off + its
     * index): its value and the generation of the values above it was
     * computed at (gen moves on at every tern__block_changed). A chain of
     * N locals each referring twice to the one before took 2^N
     * evaluations (issue 20, finding 7). */
    tern_value **local_cache;
    unsigned long *local_gen;
    size_t nlocal_cache;
    unsigned long gen;
};

/* claims.c: plan again, with the members of an owned set that other
 * planned objects manage kept (tern_arg_claims[]), every owner instance. */
int tern__claims_plan(struct evalctx *cx, struct tern_diags *diags);
/* claims.c: put back into @cfg, an owner's configuration evaluated at
 * apply, the members its plan (@planned, from @prior) kept for others. */
int tern__claims_keep(const tern_module *m, const tern_value *planned,
                      const tern_value *prior, tern_value **cfg);

/* Append plan instance @inst to block @b's instances (cx->block_insts),
 * growing the array by doubling: a block of N instances costs O(N), not
 * the O(N^2) copying of one realloc per instance (issue 19). Does not
 * call tern__block_changed(). TERN_OK or TERN_ENOMEM. */
int tern__block_push(struct evalctx *cx, size_t b, size_t inst);
/* Block @b's instances or their values changed: forget its cached value.
 * Call after every change to cx->values, block_insts or block_keyed. */
void tern__block_changed(struct evalctx *cx, size_t b);
/* Free the cached block and local values (the arrays too). */
void tern__block_cache_release(struct evalctx *cx, size_t nblocks);

/* A scope for an instance (each/count bound when given); the caller
 * releases tmp[0] and tmp[1] after evaluating. The instance's block
 * gives the module instance; without one, the root module. */
void tern__scope_init(struct tern_lang_scope *sc, struct evalctx *cx,
                      const struct pinst *pi, tern_value **tmp);
/* The same in module instance @mod (for a block with no instance yet). */
void tern__scope_init_mod(struct tern_lang_scope *sc, struct evalctx *cx,
                          size_t mod, const struct pinst *pi, tern_value **tmp);
/* Whether variable block @vb may be null (nullable, a literal; true when
 * not set). */
int tern__var_nullable(const struct tern_block *vb);
/* The engine's resolver (tern_lang_scope.resolve), ctx a struct mscope. */
int tern__resolve(void *ctx, const struct tern_lang_ref *ref, tern_value **out,
                  struct tern_diags *diags);
/* The length of the block part of an instance address: module.m["k"].t.n
 * of module.m["k"].t.n[0]. */
size_t tern__block_addr_len(const char *addr);
/* "module.x" + "." + "aws_iam_role.r" (or just the second for the root). */
char *tern__mod_addr(const char *path, const char *rest);
/* The value of a block, as a reference to it sees it. */
int tern__block_value(struct evalctx *cx, size_t b, tern_value **out);

/*
 * Evaluate a resource's configuration into an object of the schema's
 * attributes (null where unset).
 */
int tern__eval_config(struct evalctx *cx, const struct pinst *pi,
                      const struct eblock *b, tern_value **out,
                      struct tern_diags *diags);

/*
 * The planned object from the configuration and the prior object
 * (NULL when none): config attributes where set (prior kept when
 * equivalent), computed ones from the prior or unknown, ignore_changes
 * honoured. *replace is set when a FORCE_NEW attribute changes (its names
 * appended to *paths); *changed when anything differs.
 */
int tern__plan_object(const tern_attr *schema, const struct eblock *b,
                      const tern_value *cfg, const tern_value *prior,
                      int replacing, tern_value **out, int *changed,
                      int *replace, char ***paths, size_t *npaths);

/*
 * Check a known string argument of module @m's top-level body (NULL: a
 * nested block's) against its schema's length (tern_attr.max_items: "Value
 * too long") and the modules' checks (tern_arg_checks[]: "Invalid value for
 * argument"), reported at @r. TERN_OK when it fits or is not a string;
 * TERN_ERROR (reported) or TERN_ENOMEM.
 */
int tern__check_value(const tern_module *m, const tern_attr *sa,
                      const char *name, const tern_value *v,
                      const struct tern_range *r, struct tern_diags *diags);
/* Whether argument @name of @m has anything for tern__check_value. */
int tern__has_value_check(const tern_module *m, const tern_attr *sa,
                          const char *name);

/*
 * Whether an argument's value now (at apply) is what the plan showed: the
 * same, or what tern__plan_object() shows in its place (the prior's zero
 * value for an unset argument, the prior's text of an equivalent
 * document), as a replacement's plan does, in *@same. TERN_OK, or
 * TERN_ENOMEM when the schema's equivalence ran out of memory.
 */
int tern__planned_same(int *same, const tern_attr *sa,
                       const tern_value *planned, const tern_value *now);

/*
 * Whether two stored objects of a schema (a state and a read of it) mean
 * the same, as Terraform's SDK compares them: attribute by attribute of
 * the schema (others, e.g. those of a Terraform state that tern does not
 * model, are not compared), null the same as the type's zero value ("",
 * false, 0, [], {}: the SDK stores an unset attribute as its zero value),
 * numbers by value, sets in any order, equivalent documents (the
 * attribute's tern_equiv_fn) the same. A NULL schema compares exactly.
 * The answer in *@same; TERN_OK, or TERN_ENOMEM when an equivalence ran
 * out of memory (never "not the same" for want of memory).
 */
int tern__state_same(int *same, const tern_attr *schema, const json_t *a,
                     const json_t *b);

/*
 * The "before" of a change found by a refresh, for display: @now with the
 * prior's value of each schema attribute that does not mean the same
 * (tern__state_same), so only what really changed shows. New reference,
 * NULL when out of memory.
 */
json_t *tern__state_drift_before(const tern_attr *schema, const json_t *prior,
                                 const json_t *now);

/* Mark a module object's sensitive attributes; steals @v. */
tern_value *tern__mark_schema(const tern_attr *schema, tern_value *v);
/* json from the state -> value with the schema's marks and set kinds. */
tern_value *tern__value_from_state(const tern_attr *schema, const json_t *j);
/*
 * Value-level sensitivity in the state (issue 20, finding 5), in
 * Terraform's sensitive_attributes form: a list of paths, each a list of
 * steps {"type": "get_attr", "value": NAME} or {"type": "index", "value":
 * {"value": KEY, "type": "string"|"number"}}
 * (hashicorp/terraform internal/states/statefile/version4.go, paths as
 * marshalled by internal/lang/marks).
 *
 * tern__value_sensitive_paths appends to @out the path of each part of
 * the object @v marked sensitive, leaving out the attributes the schema
 * marks sensitive as a whole and any-value attributes (their paths come
 * from the schema and from the module's wrapped parts). Returns TERN_OK or
 * TERN_ENOMEM.
 *
 * tern__value_mark_paths marks the parts of @v that @paths name (a path
 * that names nothing in @v is skipped); steals @v, NULL when out of
 * memory.
 */
int tern__value_sensitive_paths(const tern_attr *schema, const tern_value *v,
                                json_t *out);
tern_value *tern__value_mark_paths(tern_value *v, const json_t *paths);

struct addr {
    char *module;  /* "module.a[\"k\"]..." or NULL for the root */
    int is_module; /* the whole address is a module (instance) path */
    enum tern_state_mode mode;
    char *type, *name;
    enum tern_state_key key_kind;
    long long key_int;
    char *key_str;
    char *block_addr;
};
/* Parse an address "a.b", "data.a.b", "a.b[0]", "a.b[\"k\"]", each
 * optionally after a module path (module.m["k"].module.n.a.b); with
 * @allow_module, a module path alone too (is_module set). block_addr
 * keeps the module path. */
int tern__addr_parse_any(const char *s, struct addr *a, int allow_module);
int tern__addr_parse(const char *s, struct addr *a);
void tern__addr_release(struct addr *a);
/* An address from a reference expression (moved, import, rtb). */
char *tern__expr_addr(const struct tern_expr *e);
/* Whether a removed block forgets the object at state address @addr
 * (Terraform's forgetResources/forgetModules, matched without keys). */
int tern__forgotten(const tern_engine *e, const char *addr);
/* The same, evaluating an index that is not a constant in @sc (an import
 * block's to = aws_iam_role.r[each.key]); errors go to @diags. */
int tern__expr_addr_each(const struct tern_expr *e,
                         const struct tern_lang_scope *sc,
                         struct tern_diags *diags, char **out);

/* ---- custom conditions (conditions.c) ----------------------------------- */

/*
 * Every nested block of @type (precondition, postcondition, assert) in
 * @body, evaluated in @pi's scope (NULL: none) with @self (NULL: `self`
 * is an error): a false condition is the diagnostic @what ("Resource
 * precondition failed") with the error_message, at the condition, of
 * severity @sev (warnings: errors of evaluation become warnings too). An
 * unknown condition waits. *status (may be NULL) is raised to the worst
 * outcome; the messages of failures are appended to @problems (may be
 * NULL) as {"message"}. TERN_ERROR when one failed, TERN_ENOMEM.
 */
int tern__check_rules(struct evalctx *cx, const struct pinst *pi,
                      const struct tern_body *body, const char *type,
                      const char *what, const tern_value *self,
                      enum tern_severity sev, int *status, json_t *problems,
                      struct tern_diags *diags);
/* Terraform's check statuses (internal/checks), in the order of
 * AggregateCheckStatus: the worst one wins. */
enum tern__check_status { CHECK_PASS, CHECK_UNKNOWN, CHECK_FAIL, CHECK_ERROR };
/* The checkable objects of the configuration in plan->checks (status
 * unknown until a result is recorded). */
int tern__checks_init(struct tern_plan *p, const tern_engine *e);
/* An output's preconditions (recorded while planning). */
int tern__output_conditions(struct evalctx *cx, const struct tern_block *out,
                            struct tern_diags *diags);
/* Every check block's assertions: failures and errors are warnings; the
 * result is TERN_OK but for TERN_ENOMEM. */
int tern__run_checks(struct evalctx *cx, struct tern_diags *diags);
/* plan->checks as Terraform's v4 state check_results (a new array; NULL
 * when out of memory). */
json_t *tern__check_results_v4(const json_t *checks);
/* At the end of a plan that is not a destroy: every checkable object's
 * instances are known (a count = 0 resource has none, and passes).
 * TERN_ENOMEM when one could not be marked. */
int tern__checks_known(struct tern_plan *p);
/* The summary of a checkable object of plan->checks whose instances are
 * no worse than @worst (-1: it has none): enum tern__check_status. */
int tern__checks_status(const json_t *entry, long long worst);
/* An instance an apply did not finish (failed or not applied): its
 * checks are unknown unless this apply found one failing. */
int tern__checks_unreached(struct evalctx *cx, const struct pinst *pi);
/* The lifecycle block's body of a resource or data block, or NULL. */
const struct tern_body *tern__lifecycle_body(const struct tern_block *b);
/* An instance's lifecycle preconditions (@post 0) or postconditions (@post
 * 1, with @self its planned or new object; nothing when NULL). */
int tern__resource_conditions(struct evalctx *cx, const struct pinst *pi,
                              int post, const tern_value *self,
                              struct tern_diags *diags);

/* ---- the executor -------------------------------------------------------- */

enum step_state {
    ST_PENDING = 0,
    ST_PREPARED, /* prepared, its intent on disk, waiting for a worker */
    ST_RUNNING,
    ST_DONE,
    ST_FAILED,
    ST_SKIPPED
};

struct exec;

struct step {
    size_t inst;
    int destroy; /* the destroy half of a change */
    size_t *dependents;
    size_t ndependents, adependents;
    size_t waits; /* how many steps it waits for (graph) */
    size_t remaining;
    enum step_state state;
    /* work */
    int op; /* enum step_op */
    const tern_module *module;
    tern_op top;
    struct tern_diags diags;
    json_t *prior, *desired, *result;
    /* The sensitive paths of the desired value's marked parts (values
     * derived from sensitive variables), for the state. */
    json_t *sens;
    char *import_id;
    int rc;
    int adopted;
    long long t0, t1;
    int64_t intent;
    int64_t old_intent; /* an interrupted create's intent, to adopt */
    struct exec *ex;
    size_t index;
    void *work; /* uv_work_t */
};

struct exec_ops {
    /* On the loop thread: get a ready step going (evaluate, intents). A
     * non-zero return fails the step without running it. */
    int (*prepare)(struct exec *ex, struct step *s);
    /* On the loop thread, as the step goes to a worker (events); may be
     * NULL. */
    void (*begin)(struct exec *ex, struct step *s);
    /* On a worker: the module call. */
    void (*work)(struct step *s);
    /* On the loop thread: record the result; return non-zero when the
     * step failed. */
    int (*finish)(struct exec *ex, struct step *s);
    /* On the loop thread: a step will not run. */
    void (*skip)(struct exec *ex, struct step *s, const char *why);
    /* On the loop thread: a prepared step will not run after all (an
     * interrupt): undo what prepare did (its intent); may be NULL. */
    void (*unprepare)(struct exec *ex, struct step *s);
    /* On the loop thread: what a worker said with tern__exec_wait()
     * (a TERN_EVENT_WAIT, borrowed); may be NULL (dropped). */
    void (*notice)(struct exec *ex, const tern_event *ev);
};

struct exec {
    tern_engine *e;
    struct step *steps;
    size_t nsteps;
    unsigned int parallelism;
    const struct exec_ops *ops;
    void *ctx;
    size_t running, done, failed, skipped;
    int stopping;
    int batch;     /* group the state writes of each loop turn */
    int error;     /* a state batch failed */
    char *why;     /* and the store's reason, for the apply's message */
    void *notices; /* exec.c's queue of tern__exec_wait() notices */
};

/*
 * From a worker, during tern__exec_run(): tell the loop thread that
 * @address (and @count - 1 other objects) waits for @service to show what
 * tern wrote @elapsed seconds ago, for at most @left more seconds; the
 * loop hands it to ops->notice as a TERN_EVENT_WAIT. Dropped when out of
 * memory.
 */
void tern__exec_wait(struct exec *ex, const char *address, int count,
                     const char *service, double elapsed, double left);
/* Add an edge: step @a waits for step @b. */
int tern__exec_edge(struct exec *ex, size_t a, size_t b);
/* Run every step; returns TERN_OK or TERN_ENOMEM / TERN_ERROR. */
int tern__exec_run(struct exec *ex);
void tern__exec_release(struct exec *ex);
long long tern__now_ns(void);

/* ---- plan internals used by apply, import and dot ----------------------- */

/* Plan without events (for graph and import): quiet = 1. */
int tern__engine_plan(tern_engine *e, const tern_plan_options *opts, int quiet,
                      tern_plan **out, struct tern_diags *diags);

/* Bind a plan (perhaps read from a file) to this engine's blocks and
 * providers: the per-instance indices, which a plan file does not keep. */
int tern__bind_plan(tern_engine *e, struct tern_plan *p);

/* Build the steps of a plan (edges included). */
int tern__apply_steps(tern_engine *e, const struct tern_plan *p,
                      struct exec *ex);

/* SHA-256 hex of the configuration's files. */
int tern__config_hash(const struct tern_lang_config *cfg, char out[65],
                      json_t **files);

/* A root output's type as Terraform's JSON writes it, from what its value
 * expression @expr names (a resource attribute's schema, a variable's type
 * constraint), else inferred from @value (output_type.c). New reference;
 * NULL when out of memory. */
json_t *tern__output_type(const tern_engine *e, const struct tern_expr *expr,
                          const json_t *value);
/* The outputs, {"name": {"value", "sensitive", "type"}} ("type" where the
 * value is wholly known: tern__output_type's, as a value); @strict
 * reports errors
 * (plan), else outputs that cannot be evaluated are left out (apply). A
 * failed precondition is reported in both, leaves its output out and makes
 * the result TERN_ERROR, with *out set. */
int tern__eval_outputs(struct evalctx *cx, tern_value **out, int strict,
                       struct tern_diags *diags);

/* Values <-> JSON with unknown and sensitive masks (Terraform's form). */
json_t *tern__mask(const tern_value *v, int sensitive);
tern_value *tern__unmask(const json_t *j, const json_t *unknown,
                         const json_t *sensitive);

/*
 * tern_engine_new(), optionally without a state: validate builds the graph
 * (schemas, references, cycles) and never plans.
 */
int tern__engine_new(tern_engine **out, const tern_engine_options *opts,
                     int need_state, struct tern_diags *diags);

/* ---- propagation (propagation.c) -----------------------------------------
 *
 * IAM is eventually consistent, and tern never reads back what it wrote:
 * a read right after a write may show what was there before. What is
 * shared by the refresh's wait (plan.c, settle) and the apply's
 * confirmation (apply.c).
 */

/* How long after tern wrote an object a refresh still waits for it to
 * read as written, and an apply confirms its writes at most, in ms:
 * TERN_PROPAGATION_WINDOW_MS, 0 to turn both off; 2 minutes by default. */
long tern__propagation_window_ms(void);

/* Wall-clock milliseconds: history times come from other processes. */
long long tern__wall_ms(void);

/* What a read of an object tern wrote says (tern__settle_classify). */
enum {
    TERN__SETTLE_SAME = 0, /* it reads as written */
    TERN__SETTLE_LAG,      /* it reads as before the write: not propagated? */
    TERN__SETTLE_OTHER     /* neither: changed by someone else, or an error */
};

/*
 * Classify a read (@rc, @read) of an object tern wrote as @written, given
 * what it was before tern's recent writes (@before: an array of attribute
 * objects, null for "did not exist"; tern_state_recent_writes' form).
 * Missing is lag only where the object did not exist before (a create).
 * Otherwise each attribute that differs from @written (by the schema's
 * equivalence) must equal its value in one of @before, or for a create be
 * empty (null, "", [] or {}: set by a later call of the same create, such
 * as an instance profile's role), for the read to be lag.
 */
int tern__settle_classify(const tern_attr *schema, const json_t *written,
                          int rc, const json_t *read, const json_t *before);

/* The name of the service a module's objects live in, for messages:
 * "IAM" for aws (every aws resource tern has is IAM's), "Databricks". */
const char *tern__service_name(const tern_module *m);

/* Sleep @ms, or less when the run is interrupted (the first interrupt
 * ends waits for propagation; the second cancels operations). Returns
 * TERN_OK or TERN_ECANCELED. */
int tern__wait_sleep(tern_engine *e, const tern_op *op, long ms);

/* How often a wait is reported (TERN_EVENT_WAIT), in ms. */
#define TERN__WAIT_NOTICE_MS 5000L

/* One object an apply's confirmation reads. */
struct tern__confirm_obj {
    const char *address; /* borrowed from the plan */
    const tern_module *module;
    json_t *written; /* what the apply wrote (the state's attributes) */
    json_t *before;  /* what it was before: [attributes] or [null] */
    int state;       /* TERN__SETTLE_* of its last read */
};

/*
 * An apply's confirmation under one bulk op and provider (apply.c): once
 * every step that writes an object of the op's types is done, one fetch
 * of the op's snapshot, and each object written read from it; what does
 * not read as written yet is read again, from a new snapshot, with the
 * propagation backoff, within the window.
 */
struct tern__confirm {
    const tern_bulk_op *bop;
    size_t prov;
    const tern_module *module; /* one of its types, to set up the provider */
    size_t *deps;              /* the apply steps whose objects it reads */
    size_t ndeps, adeps;
    struct tern__confirm_obj *objs;
    size_t nobjs;
    int64_t serial;       /* the state's serial once they were written */
    long long written_ms; /* wall time, then */
    long window_ms;
};

/* On a worker: the confirmation's reads (into objs[].state). */
void tern__confirm_work(struct step *s, struct tern__confirm *c);

#endif
