/*
 * A test-only resource module: `test_object` (provider "test"), an object
 * in an in-memory store shared by the engine's worker threads, with
 * controllable latency and failures and a record of when each operation
 * started and ended. The engine is proven against it independently of any
 * cloud service; it is registered through tern_engine_options.extra_modules
 * (and its provider through extra_providers), never in modules/registry.c.
 *
 * Schema of resource test_object: name (string, required, forces
 * replacement), value (string, optional), tags (map of strings, optional),
 * secret (string, optional, sensitive), id and serial (computed; serial
 * counts updates). Data source test_object: name (required), value, id,
 * tags (computed): reads the object of that name.
 *
 * The store is passed to operations as op->user (options.module_user).
 */
#ifndef TERN_TEST_MODULE_H
#define TERN_TEST_MODULE_H

#include <jansson.h>
#include <stddef.h>

#include "tern/module.h"
#include "tern/provider.h"

/** The resource and the data source; and a NULL-terminated list of both. */
extern const tern_module test_module_object;
extern const tern_module test_module_object_data;
extern const tern_module *const test_modules[];
/** Their provider, "test" (no client), and a NULL-terminated list of it. */
extern const tern_provider test_provider;
extern const tern_provider *const test_providers[];

/** An in-memory object store (thread-safe). */
typedef struct test_store test_store;

/** One recorded operation. */
struct test_op_record {
    char op[16];    /* "create", "read", "update", "delete", "import",
                       "lookup" */
    char name[128]; /* the object's name ("" when unknown) */
    char address[128];
    long long start_ns, end_ns; /* CLOCK_MONOTONIC */
    int rc;
    char provider[256]; /* op->provider as compact JSON ("" for NULL) */
};

test_store *test_store_new(void);
void test_store_free(test_store *s);

/* Every operation sleeps this long (cancel-aware), in milliseconds. */
void test_store_set_latency(test_store *s, unsigned int ms);
/* Creating (or updating) the object named @name fails with TERN_ERROR. */
void test_store_fail_name(test_store *s, const char *name);
/* Deleting the object named @name fails (DeleteConflict-like, definite). */
void test_store_fail_delete(test_store *s, const char *name);
/* Forget every failure set by the two above. */
void test_store_clear_failures(test_store *s);
/* After @n more successful operations, every operation fails (0: off). */
void test_store_fail_after(test_store *s, long n);

/* How many objects the store holds. */
size_t test_store_count(test_store *s);
/* How many objects are named @name (duplicates show as > 1). */
size_t test_store_count_name(test_store *s, const char *name);
/* The object named @name as a new reference, or NULL. */
json_t *test_store_get(test_store *s, const char *name);
/* Create an object directly (outside the engine); returns its id. */
const char *test_store_put(test_store *s, const char *name, const char *value);
/* Change an object's value directly (drift). Returns 0 or -1. */
int test_store_set_value(test_store *s, const char *name, const char *value);
/* Delete an object directly. Returns 0 or -1. */
int test_store_remove(test_store *s, const char *name);

/* The recorded operations (a copy; free() it) and their count. */
struct test_op_record *test_store_records(test_store *s, size_t *count);
/* The record of the first @op on @name, in *out; 0 if found, -1 if not. */
int test_store_record(test_store *s, const char *op, const char *name,
                      struct test_op_record *out);

/* ---- a fixture for engine tests ------------------------------------------ */

#include "tern/engine.h"
#include "tern/state.h"
#include "util/buf.h"

struct tern_lang_config;

/*
 * A state file in @dir, a configuration from text, an engine over both
 * with the test modules registered and the store as op->user, and a log of
 * events, one line each: "<kind> <address> <action>".
 */
struct test_env {
    char state_path[512];
    struct tern_lang_config *cfg;
    tern_state *state;
    tern_engine *engine;
    test_store *store;
    unsigned int parallelism;
    tern_buf events;
    struct tern_diags diags;
    /* Called for every event after it is logged (tests that interrupt). */
    void (*hook)(struct test_env *env, const tern_event *ev);
    int hook_count;
    /* The engine's clock (tern_engine_options.clock); NULL: the system's. */
    const struct tern_clock *clock;
};

/* Open (create) the state in @dir with a new store. 0 or an error. */
int test_env_init(struct test_env *env, const char *dir);
/* (Re)load the configuration from one HCL text and make a new engine.
 * Returns the engine's error code; diagnostics in env->diags. */
int test_env_config(struct test_env *env, const char *hcl);
/* Plan with @opts (NULL: defaults). */
int test_env_plan(struct test_env *env, const tern_plan_options *opts,
                  tern_plan **out);
/* Plan and apply with the defaults; returns the apply's code. */
int test_env_converge(struct test_env *env, const char *hcl);
/* Print the diagnostics to stderr (for a failing test's log). */
void test_env_dump(const struct test_env *env);
/* Close the state and free everything. */
void test_env_release(struct test_env *env);
/* "create test_object.a\nupdate ..." for a plan's changes, one a line. */
char *test_env_changes(const tern_plan *plan);
/* The attribute @attr of the state's @address, as a string ("" if none). */
char *test_env_state_attr(struct test_env *env, const char *address,
                          const char *attr);
/* How many instances the state holds. */
size_t test_env_state_count(struct test_env *env);

#endif
