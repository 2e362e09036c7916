/*
 * What the tests of the Databricks AWS policy data sources share
 * (tests/unit/test_mod_data_databricks_aws_*.c): reading a data source
 * with no client at all (they make no call), and comparing its `json`
 * with the provider's document in tests/data/databricks-aws-policies/.
 */
#ifndef TERN_TEST_MOD_DATABRICKS_AWS_H
#define TERN_TEST_MOD_DATABRICKS_AWS_H

#include "runner.h"

#include "policy/policy.h"
#include "support.h"
#include "tern/module.h"
#include "util/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An operation without any client: no AWS, STS or Databricks client. */
struct dbxp {
    struct tern_diags diags;
    tern_op op;
};

static void dbxp_init(struct dbxp *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->op.version = TERN_OP_VERSION;
    fx->op.address = "data.test.this";
    fx->op.diags = &fx->diags;
}

static char *dbxp_expected(const char *file)
{
    char path[1024];
    char *text;

    snprintf(path, sizeof(path), "%s/databricks-aws-policies/%s",
             tern_test_data_dir(), file);
    text = tt_read_file(path, NULL);
    if (!text)
        FAIL("cannot read %s", path);
    return text;
}

/* The diagnostics so far as "summary | detail" lines. */
static const char *dbxp_diags(const struct dbxp *fx)
{
    static char text[8192];
    size_t i, n = 0;

    text[0] = '\0';
    for (i = 0; i < fx->diags.count && n < sizeof(text); i++)
        n += (size_t)snprintf(
            text + n, sizeof(text) - n, "%s%s | %s", i ? "\n" : "",
            fx->diags.items[i].summary,
            fx->diags.items[i].detail ? fx->diags.items[i].detail : "");
    return text;
}

/*
 * Read @p m with the configuration @p config (JSON text). Its `json` must
 * be the provider's document @p file byte for byte, @p provider_len
 * characters long (what the provider's own test asserts), and mean the
 * same through the policy normalizer. Returns the state (json_decref).
 */
static json_t *dbxp_expect_doc(struct dbxp *fx, const tern_module *m,
                               const char *config, const char *file,
                               size_t provider_len)
{
    json_t *cfg = json_loads(config, 0, NULL), *st = NULL;
    char *want = dbxp_expected(file), *cw = NULL, *cg = NULL;
    const char *got;

    ASSERT_NOT_NULL(cfg);
    if (m->read(&st, &fx->op, cfg) != TERN_OK)
        FAIL("%s: read failed: %s", file, dbxp_diags(fx));
    ASSERT_EQ(fx->diags.count, 0);
    got = json_string_value(json_object_get(st, "json"));
    ASSERT_NOT_NULL(got);
    ASSERT_STR_EQ(got, want);
    ASSERT_EQ(strlen(got), provider_len);
    ASSERT_OK(tern_policy_canonical(&cg, got, NULL));
    ASSERT_OK(tern_policy_canonical(&cw, want, NULL));
    ASSERT_STR_EQ(cg, cw);
    tern_free(cg);
    tern_free(cw);
    free(want);
    json_decref(cfg);
    return st;
}

/* Read @p m with @p config: refused, with exactly this one diagnostic. */
static void dbxp_expect_error(struct dbxp *fx, const tern_module *m,
                              const char *config, const char *summary,
                              const char *detail)
{
    json_t *cfg = json_loads(config, 0, NULL), *st = NULL;

    ASSERT_NOT_NULL(cfg);
    ASSERT_EQ(m->read(&st, &fx->op, cfg), TERN_EINVALID);
    ASSERT_NULL(st);
    ASSERT_EQ(fx->diags.count, 1);
    ASSERT_EQ(fx->diags.items[0].severity, TERN_SEV_ERROR);
    ASSERT_STR_EQ(fx->diags.items[0].summary, summary);
    ASSERT_STR_EQ(fx->diags.items[0].detail, detail);
    tern_diags_release(&fx->diags);
    memset(&fx->diags, 0, sizeof(fx->diags));
    json_decref(cfg);
}

/* The argument check @p type.@p name of tern_arg_checks[] (registry.c):
 * refuses @p value with exactly @p why, or accepts it (@p why NULL). */
static void dbxp_expect_check(const char *type, const char *name,
                              const char *value, const char *why)
{
    const tern_arg_check *c;
    char got[512];

    for (c = tern_arg_checks; c->type; c++)
        if (strcmp(c->type, type) == 0 && strcmp(c->name, name) == 0)
            break;
    if (!c->type)
        FAIL("no argument check for %s.%s", type, name);
    got[0] = '\0';
    if (!why) {
        ASSERT_EQ(c->check(value, got, sizeof(got)), 0);
        return;
    }
    ASSERT(c->check(value, got, sizeof(got)) != 0);
    ASSERT_STR_EQ(got, why);
}

#endif
