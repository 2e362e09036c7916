/*
 * The provider interface (tern/provider.h): the table in modules/registry.c
 * is complete and consistent with the modules; source addresses resolve,
 * former ones included; the engine configures a provider once per
 * configuration, hands its modules the client and never the sensitive
 * settings, frees it, and reports a failed configure; and src/engine
 * holds no provider code.
 */
#include "runner.h"
#include "support.h"

#include "tern/config.h"
#include "tern/engine.h"
#include "tern/provider.h"

#include <ctype.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_schema(const char *who, const tern_attr *schema)
{
    const tern_attr *a, *b;

    for (a = schema; a->name; a++) {
        for (b = a + 1; b->name; b++)
            if (strcmp(a->name, b->name) == 0)
                FAIL("%s: argument %s twice", who, a->name);
        if (!(a->flags & (TERN_ATTR_REQUIRED | TERN_ATTR_OPTIONAL)))
            FAIL("%s.%s: a provider argument is required or optional", who,
                 a->name);
        if ((a->type == TERN_TYPE_BLOCK_LIST ||
             a->type == TERN_TYPE_BLOCK_SET) != (a->nested != NULL))
            FAIL("%s.%s: nested schema without block type or the reverse", who,
                 a->name);
        if (a->nested)
            check_schema(who, a->nested);
    }
}

/* "5.100.0": three numbers. */
static int is_version(const char *s)
{
    int parts = 0;

    while (*s) {
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
        parts++;
        if (*s == '.')
            s++;
        else if (*s)
            return 0;
    }
    return parts == 3;
}

TEST(provider, every_provider_complete_and_sorted)
{
    size_t i, j, k, n;

    ASSERT_NOT_NULL(tern_providers[0]);
    for (i = 0; tern_providers[i]; i++) {
        const tern_provider *p = tern_providers[i];

        ASSERT_EQ(p->version, TERN_PROVIDER_VERSION);
        ASSERT_NOT_NULL(p->name);
        if (!p->sources || !p->sources[0])
            FAIL("%s: no source address", p->name);
        for (j = 0; p->sources[j]; j++) {
            const char *s = p->sources[j];
            /* A built-in provider names its host (Terraform's
             * terraform.io/builtin/terraform): host/namespace/type. */
            const char *t =
                *tern_provider_source_host(s) ? s : strchr(s, '/') + 1;

            if (!strchr(s, '/') || !strchr(t, '/') ||
                strchr(strchr(t, '/') + 1, '/'))
                FAIL("%s: source \"%s\" is not namespace/type", p->name, s);
            for (k = 0; s[k]; k++)
                if (isupper((unsigned char)s[k]))
                    FAIL("%s: source \"%s\" is not lower case", p->name, s);
            if (tern_provider_for_source(s) != p)
                FAIL("%s: source \"%s\" resolves to another provider", p->name,
                     s);
        }
        if (!p->implements || !is_version(p->implements))
            FAIL("%s: implements \"%s\" is not a version", p->name,
                 p->implements ? p->implements : "(null)");
        if (!p->schema)
            FAIL("%s: no schema", p->name);
        check_schema(p->name, p->schema);
        if (!p->configure != !p->free)
            FAIL("%s: configure and free go together", p->name);
        for (j = 0; p->bulk_ops && p->bulk_ops[j]; j++) {
            const tern_bulk_op *b = p->bulk_ops[j];

            ASSERT_EQ(b->version, TERN_BULK_OP_VERSION);
            if (!b->fetch || !b->free || !b->types || !b->types[0])
                FAIL("%s: bulk op %s incomplete", p->name, b->name);
            for (k = 0; b->types[k]; k++) {
                const tern_module *m =
                    tern_module_find(TERN_MODULE_RESOURCE, b->types[k]);

                if (!m || strcmp(m->provider, p->name) != 0)
                    FAIL("%s: bulk op %s covers %s, not one of its resource "
                         "types",
                         p->name, b->name, b->types[k]);
            }
        }
        ASSERT(tern_provider_find(p->name) == p);
        if (tern_providers[i + 1] &&
            strcmp(p->name, tern_providers[i + 1]->name) >= 0)
            FAIL("not sorted or duplicate: %s, %s", p->name,
                 tern_providers[i + 1]->name);
    }
    /* Every module's provider is in the table, and its types carry the
     * provider's name as their prefix, as Terraform infers it. */
    for (i = 0; tern_modules[i]; i++) {
        const tern_module *m = tern_modules[i];

        if (!tern_provider_find(m->provider))
            FAIL("%s: provider \"%s\" is not registered", m->type_name,
                 m->provider);
        n = strlen(m->provider);
        if (strncmp(m->type_name, m->provider, n) != 0 ||
            m->type_name[n] != '_')
            FAIL("%s: not prefixed by its provider \"%s\"", m->type_name,
                 m->provider);
    }
}

TEST(provider, source_addresses)
{
    const tern_provider *aws = tern_provider_find("aws");
    const tern_provider *dbx = tern_provider_find("databricks");
    const tern_provider *rnd = tern_provider_find("random");
    const tern_provider *tim = tern_provider_find("time");

    ASSERT_NOT_NULL(aws);
    ASSERT_NOT_NULL(dbx);
    ASSERT_NOT_NULL(rnd);
    ASSERT_NOT_NULL(tim);
    ASSERT_NULL(tern_provider_find("google"));
    /* Providers that compute everything locally have no client. */
    ASSERT_NULL(rnd->configure);
    ASSERT_NULL(tim->configure);
    ASSERT(tern_provider_for_source("hashicorp/random") == rnd);
    ASSERT(tern_provider_for_source("registry.terraform.io/hashicorp/time") ==
           tim);
    ASSERT(tern_provider_for_source("hashicorp/aws") == aws);
    ASSERT(tern_provider_for_source("registry.terraform.io/HashiCorp/AWS") ==
           aws);
    ASSERT(tern_provider_for_source("databricks/databricks") == dbx);
    /* The same provider under its former namespace. */
    ASSERT(tern_provider_for_source("databrickslabs/databricks") == dbx);
    ASSERT(tern_provider_for_source(
               "registry.terraform.io/databrickslabs/databricks") == dbx);
    ASSERT_STR_EQ(dbx->sources[0], "databricks/databricks");
    ASSERT_NULL(tern_provider_for_source("databricks-labs/databricks"));
    ASSERT_NULL(tern_provider_for_source("hashicorp/google"));
    ASSERT_NULL(tern_provider_for_source("aws"));
    ASSERT_NULL(tern_provider_for_source("example.com/hashicorp/aws"));
}

/* ---- a provider with a client, through the engine ------------------------ */

struct probe_client {
    char region[32];
};

/* Configures, frees, and creates whose op->provider held the token or
 * lacked what configure added. */
static atomic_int probe_configured, probe_freed, probe_secret_seen;

static const tern_attr probe_schema[] = {
    {"region", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"token", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_SENSITIVE, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int probe_configure(void **client, const tern_provider_env *env,
                           json_t *settings, struct tern_diags *diags)
{
    const char *token = json_string_value(json_object_get(settings, "token"));
    const char *region = json_string_value(json_object_get(settings, "region"));
    struct probe_client *c;

    ASSERT_EQ(env->version, TERN_PROVIDER_ENV_VERSION);
    ASSERT_NOT_NULL(env->http);
    ASSERT_NOT_NULL(env->cancel);
    if (!token || strcmp(token, "good") != 0) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid probe token",
                       "The probe provider refused the token.");
        return TERN_EAUTH;
    }
    c = calloc(1, sizeof(*c));
    ASSERT_NOT_NULL(c);
    snprintf(c->region, sizeof(c->region), "%s", region ? region : "");
    /* What configure resolves itself, modules see. */
    json_object_set_new(settings, "resolved", json_true());
    atomic_fetch_add(&probe_configured, 1);
    *client = c;
    return TERN_OK;
}

static void probe_free(void *client)
{
    if (client)
        atomic_fetch_add(&probe_freed, 1);
    free(client);
}

static const char *const probe_sources[] = {"example/probe", NULL};

static const tern_provider probe_provider = {
    TERN_PROVIDER_VERSION, "probe",    probe_sources, "1.0.0", probe_schema,
    probe_configure,       probe_free, NULL,          NULL};

static const tern_attr thing_schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {"region", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static int thing_read(json_t **out, tern_op *op, const json_t *prior)
{
    (void)op;
    *out = json_deep_copy(prior);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int thing_create(json_t **out, tern_op *op, const json_t *desired)
{
    struct probe_client *c = op->client;
    const char *name = json_string_value(json_object_get(desired, "name"));

    if (!c)
        return TERN_EINVALID;
    if (json_object_get(op->provider, "token") ||
        !json_is_true(json_object_get(op->provider, "resolved")))
        atomic_store(&probe_secret_seen, 1);
    *out = json_pack("{s:s, s:s, s:s}", "id", name, "name", name, "region",
                     c->region);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int thing_delete(tern_op *op, const json_t *prior)
{
    (void)prior;
    return op->client ? TERN_OK : TERN_EINVALID;
}

static int thing_import(json_t **out, tern_op *op, const char *id)
{
    (void)op;
    *out = json_pack("{s:s, s:s, s:s}", "id", id, "name", id, "region", "");
    return *out ? TERN_OK : TERN_ENOMEM;
}

static const tern_module probe_thing = {TERN_MODULE_VERSION,
                                        "probe_thing",
                                        TERN_MODULE_RESOURCE,
                                        "probe",
                                        thing_schema,
                                        thing_read,
                                        thing_create,
                                        NULL,
                                        thing_delete,
                                        thing_import,
                                        NULL};

static const tern_module *const probe_modules[] = {&probe_thing, NULL};
static const tern_provider *const probe_providers[] = {&probe_provider, NULL};

struct probe_run {
    tern_config *cfg;
    tern_state *state;
    tern_engine *engine;
    struct tern_diags diags;
};

static int probe_start(struct probe_run *r, const char *hcl)
{
    tern_state_open_options so = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_engine_options eo = TERN_ENGINE_OPTIONS_INIT;
    char path[512];

    memset(r, 0, sizeof(*r));
    snprintf(path, sizeof(path), "%s/tern.tfstate.db", tern_test_tmpdir());
    so.path = path;
    so.create = 1;
    so.operation = "test";
    ASSERT_OK(tern_state_open(&r->state, &so, &r->diags));
    r->cfg = tern_config_new(".");
    ASSERT_NOT_NULL(r->cfg);
    ASSERT_OK(
        tern_config_add_file(r->cfg, "main.tf", hcl, strlen(hcl), &r->diags));
    eo.config = r->cfg;
    eo.state = r->state;
    eo.extra_modules = probe_modules;
    eo.extra_providers = probe_providers;
    return tern_engine_new(&r->engine, &eo, &r->diags);
}

/* An attribute of a state instance ("provider": its provider address),
 * in a static buffer; "" when absent. */
static const char *state_attr(struct probe_run *r, const char *address,
                              const char *attr)
{
    static char buf[256];
    tern_state_resource *res = NULL;
    const json_t *v;

    buf[0] = '\0';
    ASSERT_OK(tern_state_get(r->state, &res, address, NULL));
    if (strcmp(attr, "provider") == 0) {
        snprintf(buf, sizeof(buf), "%s", res->provider ? res->provider : "");
    } else {
        v = json_object_get(res->attributes, attr);
        snprintf(buf, sizeof(buf), "%s",
                 json_is_string(v) ? json_string_value(v) : "");
    }
    tern_state_resource_free(res);
    return buf;
}

static void probe_stop(struct probe_run *r)
{
    tern_engine_free(r->engine);
    tern_state_free(r->state);
    tern_config_free(r->cfg);
    tern_diags_release(&r->diags);
}

TEST(provider, engine_configures_once_and_hands_out_the_client)
{
    struct probe_run r;
    tern_plan *p = NULL;

    atomic_store(&probe_configured, 0);
    atomic_store(&probe_freed, 0);
    atomic_store(&probe_secret_seen, 0);
    ASSERT_OK(probe_start(&r,
                          "provider \"probe\" {\n"
                          "  region = \"r1\"\n"
                          "  token  = \"good\"\n"
                          "}\n"
                          "provider \"probe\" {\n"
                          "  alias  = \"two\"\n"
                          "  region = \"r2\"\n"
                          "  token  = \"good\"\n"
                          "}\n"
                          "resource \"probe_thing\" \"a\" { name = \"a\" }\n"
                          "resource \"probe_thing\" \"b\" { name = \"b\" }\n"
                          "resource \"probe_thing\" \"c\" {\n"
                          "  provider = probe.two\n"
                          "  name     = \"c\"\n"
                          "}\n"));
    ASSERT_OK(tern_engine_plan(r.engine, NULL, &p, &r.diags));
    ASSERT_EQ(tern_plan_change_count(p), 3);
    ASSERT_OK(tern_engine_apply(r.engine, p, NULL, NULL, &r.diags));
    tern_plan_free(p);
    /* One client per provider configuration, not per resource. */
    ASSERT_EQ(atomic_load(&probe_configured), 2);
    /* Each resource got its own configuration's client; no module saw
     * the token, every one saw what configure resolved. */
    ASSERT_STR_EQ(state_attr(&r, "probe_thing.a", "region"), "r1");
    ASSERT_STR_EQ(state_attr(&r, "probe_thing.b", "region"), "r1");
    ASSERT_STR_EQ(state_attr(&r, "probe_thing.c", "region"), "r2");
    ASSERT_EQ(atomic_load(&probe_secret_seen), 0);
    ASSERT_STR_EQ(state_attr(&r, "probe_thing.c", "provider"),
                  "provider[\"registry.terraform.io/example/probe\"].two");
    probe_stop(&r);
    ASSERT_EQ(atomic_load(&probe_freed), 2);
}

TEST(provider, failed_configure_is_reported)
{
    struct probe_run r;
    tern_plan *p = NULL;
    size_t i;
    int found = 0;

    atomic_store(&probe_configured, 0);
    ASSERT_OK(probe_start(&r, "provider \"probe\" { token = \"bad\" }\n"
                              "resource \"probe_thing\" \"a\" { name = \"a\" "
                              "}\n"));
    /* A create needs no client to be planned; the apply configures. */
    ASSERT_OK(tern_engine_plan(r.engine, NULL, &p, &r.diags));
    ASSERT_EQ(tern_engine_apply(r.engine, p, NULL, NULL, &r.diags), TERN_ERROR);
    for (i = 0; i < r.diags.count; i++)
        if (strcmp(r.diags.items[i].summary, "Invalid probe token") == 0) {
            ASSERT_STR_EQ(r.diags.items[i].detail,
                          "applying probe_thing.a: The probe provider "
                          "refused the token.");
            found = 1;
        }
    ASSERT(found);
    ASSERT_EQ(atomic_load(&probe_configured), 0);
    tern_plan_free(p);
    probe_stop(&r);
}

/* ---- src/engine holds no provider code ----------------------------------- */

/* The first line of @p text at which a provider shows, or 0. */
static int provider_line(const char *text, char *what, size_t what_size)
{
    static const char *const needles[] = {
        "#include \"aws/", "#include \"databricks/",
        "modules/aws",     "modules/databricks",
        "\"aws\"",         "\"databricks\"",
        "\"hashicorp\"",   "tern_aws_",
        "tern_dbx_"};
    const char *line = text;
    int n = 1;

    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line), k;

        for (k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
            const char *hit = strstr(line, needles[k]);

            if (hit && (size_t)(hit - line) < len) {
                snprintf(what, what_size, "%s", needles[k]);
                return n;
            }
        }
        if (!end)
            break;
        line = end + 1;
        n++;
    }
    return 0;
}

TEST(provider, engine_includes_no_provider_code)
{
    char dir[1024], path[1400], what[64];
    DIR *d;
    struct dirent *de;
    int files = 0;

    /* The check itself finds what it looks for. */
    ASSERT_EQ(
        provider_line("x\n#include \"aws/client.h\"\n", what, sizeof(what)), 2);
    ASSERT_EQ(provider_line("if (strcmp(p->name, \"databricks\") == 0)\n", what,
                            sizeof(what)),
              1);
    snprintf(dir, sizeof(dir), "%s/src/engine", tern_test_source_dir());
    d = opendir(dir);
    ASSERT_NOT_NULL(d);
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        char *text;
        int line;

        if (n < 3 || de->d_name[n - 2] != '.' ||
            (de->d_name[n - 1] != 'c' && de->d_name[n - 1] != 'h'))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        text = tt_read_file(path, NULL);
        ASSERT_NOT_NULL(text);
        line = provider_line(text, what, sizeof(what));
        free(text);
        if (line) {
            closedir(d);
            FAIL("src/engine/%s:%d: provider code (%s): the engine knows "
                 "providers only through tern/provider.h",
                 de->d_name, line, what);
        }
        files++;
    }
    closedir(d);
    ASSERT(files >= 8);
}

const struct tern_test test_provider_list[] = {
    TEST_UNIT(provider, every_provider_complete_and_sorted),
    TEST_UNIT(provider, source_addresses),
    TEST_UNIT(provider, engine_configures_once_and_hands_out_the_client),
    TEST_UNIT(provider, failed_configure_is_reported),
    TEST_UNIT(provider, engine_includes_no_provider_code),
    TEST_END};
