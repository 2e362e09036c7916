/*
 * The test-only module test_object: see test_module.h. Objects live in an
 * array indexed by the number in their id ("obj-7" is slot 7), under one
 * mutex, so refresh and delete find them in constant time even in the
 * 5,000-object benchmark.
 */
#include "test_module.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tern/diag.h"
#include "util/json.h"

struct test_store {
    pthread_mutex_t mu;
    json_t **objs; /* by slot; NULL when deleted */
    size_t nobjs, aobjs;
    unsigned int latency_ms;
    char **fail_names;
    size_t nfail;
    long fail_after; /* 0: off; else operations left before failing */
    struct test_op_record *recs;
    size_t nrecs, arecs;
};

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

test_store *test_store_new(void)
{
    test_store *s = calloc(1, sizeof(*s));

    if (s)
        pthread_mutex_init(&s->mu, NULL);
    return s;
}

void test_store_free(test_store *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->nobjs; i++)
        json_decref(s->objs[i]);
    for (i = 0; i < s->nfail; i++)
        free(s->fail_names[i]);
    free(s->fail_names);
    free(s->objs);
    free(s->recs);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void test_store_set_latency(test_store *s, unsigned int ms)
{
    pthread_mutex_lock(&s->mu);
    s->latency_ms = ms;
    pthread_mutex_unlock(&s->mu);
}

void test_store_fail_name(test_store *s, const char *name)
{
    char **n;

    pthread_mutex_lock(&s->mu);
    n = realloc(s->fail_names, (s->nfail + 1) * sizeof(*n));
    if (n) {
        s->fail_names = n;
        n[s->nfail] = strdup(name);
        if (n[s->nfail])
            s->nfail++;
    }
    pthread_mutex_unlock(&s->mu);
}

void test_store_fail_delete(test_store *s, const char *name)
{
    char key[256];

    snprintf(key, sizeof(key), "delete:%s", name);
    test_store_fail_name(s, key);
}

void test_store_clear_failures(test_store *s)
{
    size_t i;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nfail; i++)
        free(s->fail_names[i]);
    s->nfail = 0;
    pthread_mutex_unlock(&s->mu);
}

void test_store_fail_after(test_store *s, long n)
{
    pthread_mutex_lock(&s->mu);
    s->fail_after = n;
    pthread_mutex_unlock(&s->mu);
}

static const char *obj_name(const json_t *o)
{
    const char *n = json_string_value(json_object_get(o, "name"));

    return n ? n : "";
}

size_t test_store_count(test_store *s)
{
    size_t i, n = 0;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nobjs; i++)
        n += s->objs[i] != NULL;
    pthread_mutex_unlock(&s->mu);
    return n;
}

size_t test_store_count_name(test_store *s, const char *name)
{
    size_t i, n = 0;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nobjs; i++)
        n += s->objs[i] && strcmp(obj_name(s->objs[i]), name) == 0;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* With the mutex held. */
static json_t *find_name(test_store *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->nobjs; i++)
        if (s->objs[i] && strcmp(obj_name(s->objs[i]), name) == 0)
            return s->objs[i];
    return NULL;
}

json_t *test_store_get(test_store *s, const char *name)
{
    json_t *o;

    pthread_mutex_lock(&s->mu);
    o = json_incref(find_name(s, name));
    pthread_mutex_unlock(&s->mu);
    return o;
}

/* With the mutex held: a new object in a new slot; returns it (borrowed). */
static json_t *add_obj(test_store *s, const json_t *desired)
{
    json_t *o = json_object(), **objs, *v;
    char id[32];
    int oom = 0;

    if (!o)
        return NULL;
    if (s->nobjs == s->aobjs) {
        size_t a = s->aobjs ? s->aobjs * 2 : 64;

        objs = realloc(s->objs, a * sizeof(*objs));
        if (!objs) {
            json_decref(o);
            return NULL;
        }
        s->objs = objs;
        s->aobjs = a;
    }
    snprintf(id, sizeof(id), "obj-%zu", s->nobjs);
    /* A real service never makes an object short of its id: out of
     * memory here fails the create (issue 20). */
    tern_json_set(&oom, o, "id", json_string(id));
    tern_json_set(&oom, o, "name",
                  json_incref(json_object_get(desired, "name")));
    v = json_object_get(desired, "value");
    tern_json_set(&oom, o, "value", v ? json_incref(v) : json_null());
    v = json_object_get(desired, "tags");
    tern_json_set(&oom, o, "tags", v ? json_incref(v) : json_null());
    v = json_object_get(desired, "secret");
    tern_json_set(&oom, o, "secret", v ? json_incref(v) : json_null());
    tern_json_set(&oom, o, "serial", json_integer(1));
    if (!(o = tern_json_done(oom, o)))
        return NULL;
    s->objs[s->nobjs++] = o;
    return o;
}

const char *test_store_put(test_store *s, const char *name, const char *value)
{
    json_t *d = json_pack("{s:s, s:s?}", "name", name, "value", value), *o;
    const char *id = NULL;

    pthread_mutex_lock(&s->mu);
    o = d ? add_obj(s, d) : NULL;
    if (o)
        id = json_string_value(json_object_get(o, "id"));
    pthread_mutex_unlock(&s->mu);
    json_decref(d);
    return id;
}

int test_store_set_value(test_store *s, const char *name, const char *value)
{
    json_t *o;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    o = find_name(s, name);
    if (o) {
        json_object_set_new(o, "value", json_string(value));
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int test_store_remove(test_store *s, const char *name)
{
    size_t i;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nobjs; i++) {
        if (s->objs[i] && strcmp(obj_name(s->objs[i]), name) == 0) {
            json_decref(s->objs[i]);
            s->objs[i] = NULL;
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

struct test_op_record *test_store_records(test_store *s, size_t *count)
{
    struct test_op_record *r;

    pthread_mutex_lock(&s->mu);
    r = malloc((s->nrecs ? s->nrecs : 1) * sizeof(*r));
    if (r && s->nrecs)
        memcpy(r, s->recs, s->nrecs * sizeof(*r));
    *count = r ? s->nrecs : 0;
    pthread_mutex_unlock(&s->mu);
    return r;
}

int test_store_record(test_store *s, const char *op, const char *name,
                      struct test_op_record *out)
{
    size_t i;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nrecs && rc; i++) {
        if (strcmp(s->recs[i].op, op) == 0 &&
            strcmp(s->recs[i].name, name) == 0) {
            *out = s->recs[i];
            rc = 0;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- the operations ---------------------------------------------------- */

struct opctx {
    test_store *s;
    tern_op *op;
    const char *opname;
    const char *name;
    long long start;
};

/* Wait the latency on the engine's clock (op->clock), as modules do:
 * tern_op_sleep, which a raised cancel flag ends. */
static int begin(struct opctx *c, tern_op *op, const char *opname,
                 const char *name)
{
    unsigned int ms;

    c->s = op->user;
    c->op = op;
    c->opname = opname;
    c->name = name ? name : "";
    c->start = now_ns();
    if (!c->s) {
        tern_diags_add(op->diags, TERN_SEV_ERROR, NULL, "No test store",
                       "op->user must be a test_store.");
        return TERN_ERROR;
    }
    pthread_mutex_lock(&c->s->mu);
    ms = c->s->latency_ms;
    pthread_mutex_unlock(&c->s->mu);
    if (ms && tern_op_sleep(op, (long)ms))
        return TERN_ECANCELED;
    if (op->cancel && atomic_load(op->cancel))
        return TERN_ECANCELED;
    return TERN_OK;
}

/* Injected failures, with the mutex held. */
static int injected(struct opctx *c)
{
    size_t i;

    if (c->s->fail_after > 0 && --c->s->fail_after == 0)
        c->s->fail_after = -1;
    if (c->s->fail_after < 0) {
        tern_diags_add(c->op->diags, TERN_SEV_ERROR, NULL, "Injected failure",
                       "The test store fails every operation now (%s %s).",
                       c->opname, c->name);
        return TERN_ERROR;
    }
    if (strcmp(c->opname, "create") == 0 || strcmp(c->opname, "update") == 0)
        for (i = 0; i < c->s->nfail; i++)
            if (strcmp(c->s->fail_names[i], c->name) == 0) {
                tern_diags_add(c->op->diags, TERN_SEV_ERROR, NULL,
                               "Injected failure", "%s of %s fails.", c->opname,
                               c->name);
                /* A definite refusal (as a validation error is): nothing
                 * happened remotely. fail_after's TERN_ERROR is the
                 * indefinite kind, after which a create may have happened. */
                return TERN_EINVALID;
            }
    if (strcmp(c->opname, "delete") == 0)
        for (i = 0; i < c->s->nfail; i++)
            if (strncmp(c->s->fail_names[i], "delete:", 7) == 0 &&
                strcmp(c->s->fail_names[i] + 7, c->name) == 0) {
                tern_diags_add(
                    c->op->diags, TERN_SEV_ERROR, NULL, "Injected failure",
                    "delete of %s fails: it is still in use.", c->name);
                return TERN_ECONFLICT;
            }
    return TERN_OK;
}

static int end(struct opctx *c, int rc, int locked)
{
    struct test_op_record *r;

    if (!c->s)
        return rc;
    if (!locked)
        pthread_mutex_lock(&c->s->mu);
    if (c->s->nrecs == c->s->arecs) {
        size_t a = c->s->arecs ? c->s->arecs * 2 : 64;

        r = realloc(c->s->recs, a * sizeof(*r));
        if (r) {
            c->s->recs = r;
            c->s->arecs = a;
        }
    }
    if (c->s->nrecs < c->s->arecs) {
        r = &c->s->recs[c->s->nrecs++];
        memset(r, 0, sizeof(*r));
        snprintf(r->op, sizeof(r->op), "%s", c->opname);
        snprintf(r->name, sizeof(r->name), "%s", c->name);
        snprintf(r->address, sizeof(r->address), "%s",
                 c->op->address ? c->op->address : "");
        if (c->op->provider) {
            char *pj =
                json_dumps(c->op->provider, JSON_COMPACT | JSON_SORT_KEYS);

            snprintf(r->provider, sizeof(r->provider), "%s", pj ? pj : "");
            free(pj);
        }
        r->start_ns = c->start;
        r->end_ns = now_ns();
        r->rc = rc;
    }
    pthread_mutex_unlock(&c->s->mu);
    return rc;
}

static json_t *slot(test_store *s, const json_t *obj)
{
    const char *id = json_string_value(json_object_get(obj, "id"));
    size_t n;

    if (!id || strncmp(id, "obj-", 4) != 0)
        return NULL;
    n = (size_t)strtoul(id + 4, NULL, 10);
    return n < s->nobjs ? s->objs[n] : NULL;
}

static int t_read(json_t **out, tern_op *op, const json_t *prior)
{
    struct opctx c;
    json_t *o;
    int rc = begin(&c, op, "read",
                   json_string_value(json_object_get(prior, "name")));

    if (rc)
        return end(&c, rc, 0);
    pthread_mutex_lock(&c.s->mu);
    if ((rc = injected(&c)) == TERN_OK) {
        o = slot(c.s, prior);
        if (!o)
            rc = TERN_ENOTFOUND;
        else
            *out = json_deep_copy(o);
    }
    return end(&c, rc, 1);
}

static int t_create(json_t **out, tern_op *op, const json_t *desired)
{
    struct opctx c;
    json_t *o;
    int rc = begin(&c, op, "create",
                   json_string_value(json_object_get(desired, "name")));

    if (rc)
        return end(&c, rc, 0);
    pthread_mutex_lock(&c.s->mu);
    if ((rc = injected(&c)) == TERN_OK) {
        o = add_obj(c.s, desired);
        if (!o)
            rc = TERN_ENOMEM;
        else
            *out = json_deep_copy(o);
    }
    return end(&c, rc, 1);
}

static int t_update(json_t **out, tern_op *op, const json_t *prior,
                    const json_t *desired)
{
    struct opctx c;
    json_t *o, *v;
    int rc = begin(&c, op, "update",
                   json_string_value(json_object_get(desired, "name")));

    if (rc)
        return end(&c, rc, 0);
    pthread_mutex_lock(&c.s->mu);
    if ((rc = injected(&c)) == TERN_OK) {
        o = slot(c.s, prior);
        if (!o) {
            rc = TERN_ENOTFOUND;
        } else {
            v = json_object_get(desired, "value");
            json_object_set(o, "value", v ? v : json_null());
            v = json_object_get(desired, "tags");
            json_object_set(o, "tags", v ? v : json_null());
            v = json_object_get(desired, "secret");
            json_object_set(o, "secret", v ? v : json_null());
            json_object_set_new(
                o, "serial",
                json_integer(json_integer_value(json_object_get(o, "serial")) +
                             1));
            *out = json_deep_copy(o);
        }
    }
    return end(&c, rc, 1);
}

static int t_delete(tern_op *op, const json_t *prior)
{
    struct opctx c;
    json_t *o;
    size_t n;
    int rc = begin(&c, op, "delete",
                   json_string_value(json_object_get(prior, "name")));

    if (rc)
        return end(&c, rc, 0);
    pthread_mutex_lock(&c.s->mu);
    if ((rc = injected(&c)) == TERN_OK) {
        o = slot(c.s, prior);
        if (!o) {
            rc = TERN_ENOTFOUND;
        } else {
            n = (size_t)strtoul(json_string_value(json_object_get(o, "id")) + 4,
                                NULL, 10);
            json_decref(o);
            c.s->objs[n] = NULL;
        }
    }
    return end(&c, rc, 1);
}

static int t_import(json_t **out, tern_op *op, const char *id)
{
    struct opctx c;
    json_t *o, *key = json_pack("{s:s}", "id", id);
    int rc = begin(&c, op, "import", id);

    if (rc) {
        json_decref(key);
        return end(&c, rc, 0);
    }
    pthread_mutex_lock(&c.s->mu);
    if ((rc = injected(&c)) == TERN_OK) {
        o = key ? slot(c.s, key) : NULL;
        if (!o)
            rc = TERN_ENOTFOUND;
        else
            *out = json_deep_copy(o);
    }
    json_decref(key);
    return end(&c, rc, 1);
}

static int t_lookup(json_t **out, tern_op *op, const json_t *desired)
{
    struct opctx c;
    json_t *o;
    const char *name = json_string_value(json_object_get(desired, "name"));
    int rc = begin(&c, op, "lookup", name);

    if (rc)
        return end(&c, rc, 0);
    pthread_mutex_lock(&c.s->mu);
    if ((rc = injected(&c)) == TERN_OK) {
        o = name ? find_name(c.s, name) : NULL;
        if (!o)
            rc = TERN_ENOTFOUND;
        else
            *out = json_deep_copy(o);
    }
    return end(&c, rc, 1);
}

static int t_data_read(json_t **out, tern_op *op, const json_t *config)
{
    struct opctx c;
    json_t *o;
    const char *name = json_string_value(json_object_get(config, "name"));
    int rc = begin(&c, op, "dataread", name);

    if (rc)
        return end(&c, rc, 0);
    pthread_mutex_lock(&c.s->mu);
    if ((rc = injected(&c)) == TERN_OK) {
        o = name ? find_name(c.s, name) : NULL;
        if (!o) {
            tern_diags_add(op->diags, TERN_SEV_ERROR, NULL, "No such object",
                           "No test object is named \"%s\".", name);
            rc = TERN_ERROR;
        } else {
            *out = json_pack("{s:O, s:O, s:O, s:O}", "id",
                             json_object_get(o, "id"), "name",
                             json_object_get(o, "name"), "value",
                             json_object_get(o, "value"), "tags",
                             json_object_get(o, "tags"));
        }
    }
    return end(&c, rc, 1);
}

static const tern_attr object_schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"secret", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE, NULL,
     NULL, 0},
    {"serial", TERN_TYPE_NUMBER, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"value", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr data_schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"value", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

const tern_module test_module_object = {TERN_MODULE_VERSION,
                                        "test_object",
                                        TERN_MODULE_RESOURCE,
                                        "test",
                                        object_schema,
                                        t_read,
                                        t_create,
                                        t_update,
                                        t_delete,
                                        t_import,
                                        t_lookup};

const tern_module test_module_object_data = {TERN_MODULE_VERSION,
                                             "test_object",
                                             TERN_MODULE_DATA,
                                             "test",
                                             data_schema,
                                             t_data_read,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL};

const tern_module *const test_modules[] = {&test_module_object,
                                           &test_module_object_data, NULL};

/* Provider "test": no client; a token its modules must never see. */
static const tern_attr test_provider_tags[] = {
    {"tags", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr test_provider_schema[] = {
    {"default_tags", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL,
     test_provider_tags, 1},
    {"region", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"token", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char *const test_provider_sources[] = {"hashicorp/test", NULL};

const tern_provider test_provider = {TERN_PROVIDER_VERSION,
                                     "test",
                                     test_provider_sources,
                                     "1.0.0",
                                     test_provider_schema,
                                     NULL,
                                     NULL,
                                     NULL,
                                     NULL};

const tern_provider *const test_providers[] = {&test_provider, NULL};

/* ---- the engine-test fixture ----------------------------------------------
 */

#include "lang/lang.h"
#include "util/alloc.h"

static const char *const event_names[] = {
    "refresh-start", "refresh-done", "drift",     "planned",
    "adopt",         "start",        "done",      "error",
    "skipped",       "warning",      "interrupt", "summary"};

static void on_event(const tern_event *ev, void *payload)
{
    struct test_env *env = payload;

    tern_buf_printf(&env->events, "%s %s %s\n", event_names[ev->kind],
                    ev->address ? ev->address : "-",
                    tern_action_name(ev->action));
    if (env->hook)
        env->hook(env, ev);
}

int test_env_init(struct test_env *env, const char *dir)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;

    memset(env, 0, sizeof(*env));
    snprintf(env->state_path, sizeof(env->state_path), "%s/tern.tfstate.db",
             dir);
    env->store = test_store_new();
    so.path = env->state_path;
    so.create = 1;
    so.operation = "test";
    return tern_state_open(&env->state, &so, &env->diags);
}

int test_env_config(struct test_env *env, const char *hcl)
{
    tern_engine_options eo = TERN_ENGINE_OPTIONS_INIT;
    int rc;

    tern_engine_free(env->engine);
    env->engine = NULL;
    tern_lang_config_free(env->cfg);
    env->cfg = tern_lang_config_new(".");
    if (!env->cfg)
        return TERN_ENOMEM;
    rc = tern_lang_config_add_file(env->cfg, "main.tf", hcl, strlen(hcl),
                                   &env->diags);
    if (rc)
        return rc;
    eo.config = env->cfg;
    eo.state = env->state;
    eo.parallelism = env->parallelism;
    eo.clock = env->clock;
    eo.on_event = on_event;
    eo.payload = env;
    eo.extra_modules = test_modules;
    eo.extra_providers = test_providers;
    eo.module_user = env->store;
    return tern_engine_new(&env->engine, &eo, &env->diags);
}

int test_env_plan(struct test_env *env, const tern_plan_options *opts,
                  tern_plan **out)
{
    return tern_engine_plan(env->engine, opts, out, &env->diags);
}

int test_env_converge(struct test_env *env, const char *hcl)
{
    tern_plan *p = NULL;
    int rc = test_env_config(env, hcl);

    if (!rc)
        rc = test_env_plan(env, NULL, &p);
    if (!rc)
        rc = tern_engine_apply(env->engine, p, NULL, NULL, &env->diags);
    tern_plan_free(p);
    if (rc)
        test_env_dump(env);
    return rc;
}

void test_env_dump(const struct test_env *env)
{
    size_t i;

    for (i = 0; i < env->diags.count; i++)
        fprintf(stderr, "# %s: %s\n", env->diags.items[i].summary,
                env->diags.items[i].detail ? env->diags.items[i].detail : "");
}

void test_env_release(struct test_env *env)
{
    tern_engine_free(env->engine);
    tern_lang_config_free(env->cfg);
    tern_state_free(env->state);
    test_store_free(env->store);
    tern_buf_release(&env->events);
    tern_diags_release(&env->diags);
    memset(env, 0, sizeof(*env));
}

char *test_env_changes(const tern_plan *plan)
{
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    for (i = 0; i < tern_plan_change_count(plan); i++) {
        const tern_change *c = tern_plan_change(plan, i);

        tern_buf_printf(&b, "%s %s", tern_action_name(c->action), c->address);
        if (c->reason)
            tern_buf_printf(&b, " (%s)", tern_action_reason_name(c->reason));
        if (c->prev_address)
            tern_buf_printf(&b, " moved from %s", c->prev_address);
        if (c->import_id)
            tern_buf_printf(&b, " import %s", c->import_id);
        if (c->adopted)
            tern_buf_puts(&b, " adopted");
        tern_buf_putc(&b, '\n');
    }
    return tern_buf_detach(&b);
}

char *test_env_state_attr(struct test_env *env, const char *address,
                          const char *attr)
{
    tern_state_resource *r = NULL;
    char *s;
    const json_t *v;

    if (tern_state_get(env->state, &r, address, NULL))
        return tern_strdup("");
    v = json_object_get(r->attributes, attr);
    if (json_is_string(v))
        s = tern_strdup(json_string_value(v));
    else if (json_is_integer(v))
        s = tern_asprintf("%lld", (long long)json_integer_value(v));
    else
        s = tern_strdup("");
    tern_state_resource_free(r);
    return s;
}

size_t test_env_state_count(struct test_env *env)
{
    tern_state_resource *list = NULL;
    size_t n = 0;

    tern_state_list(env->state, &list, &n, NULL);
    tern_state_resources_free(list, n);
    return n;
}
