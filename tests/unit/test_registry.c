/*
 * The module table (modules/registry.c): every entry is complete and the
 * table is sorted, so the engine can trust what it finds there.
 */
#include "runner.h"

#include "tern/module.h"

#include <jansson.h>
#include <string.h>

static void check_schema(const tern_module *m, const tern_attr *schema,
                         int data)
{
    const tern_attr *a, *b;

    for (a = schema; a->name; a++) {
        for (b = a + 1; b->name; b++)
            if (strcmp(a->name, b->name) == 0)
                FAIL("%s: attribute %s twice", m->type_name, a->name);
        if (!(a->flags &
              (TERN_ATTR_REQUIRED | TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED)))
            FAIL("%s.%s: neither required, optional nor computed", m->type_name,
                 a->name);
        if ((a->flags & TERN_ATTR_REQUIRED) &&
            (a->flags & (TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED)))
            FAIL("%s.%s: required and optional/computed", m->type_name,
                 a->name);
        if (data && (a->flags & TERN_ATTR_FORCE_NEW))
            FAIL("%s.%s: FORCE_NEW on a data source", m->type_name, a->name);
        if ((a->type == TERN_TYPE_BLOCK_LIST ||
             a->type == TERN_TYPE_BLOCK_SET) != (a->nested != NULL))
            FAIL("%s.%s: nested schema without block type or the reverse",
                 m->type_name, a->name);
        if (a->nested)
            check_schema(m, a->nested, data);
    }
}

TEST(registry, every_module_complete_and_sorted)
{
    size_t i;

    ASSERT_NOT_NULL(tern_modules[0]);
    for (i = 0; tern_modules[i]; i++) {
        const tern_module *m = tern_modules[i];

        ASSERT_EQ(m->version, TERN_MODULE_VERSION);
        ASSERT_NOT_NULL(m->type_name);
        ASSERT_NOT_NULL(m->provider);
        if (!m->schema)
            FAIL("%s: no schema", m->type_name);
        if (!m->read)
            FAIL("%s: no read", m->type_name);
        if (m->kind == TERN_MODULE_RESOURCE) {
            if (!m->create || !m->delete_ || !m->import)
                FAIL("%s: a resource needs create, delete_ and import",
                     m->type_name);
            if (!tern_schema_attr(m->schema, "id"))
                FAIL("%s: no id attribute", m->type_name);
        } else if (m->kind == TERN_MODULE_DATA) {
            if (m->create || m->update || m->delete_ || m->import || m->lookup)
                FAIL("%s: a data source has only read", m->type_name);
        } else {
            FAIL("%s: unknown kind %d", m->type_name, (int)m->kind);
        }
        check_schema(m, m->schema, m->kind == TERN_MODULE_DATA);
        if (tern_modules[i + 1]) {
            int c = strcmp(m->type_name, tern_modules[i + 1]->type_name);

            if (c > 0 || (c == 0 && m->kind == tern_modules[i + 1]->kind))
                FAIL("not sorted or duplicate: %s, %s", m->type_name,
                     tern_modules[i + 1]->type_name);
        }
        ASSERT(tern_module_find(m->kind, m->type_name) == m);
    }
}

TEST(registry, find)
{
    const tern_module *role =
        tern_module_find(TERN_MODULE_RESOURCE, "aws_iam_role");

    ASSERT_NOT_NULL(role);
    ASSERT_EQ(role->kind, TERN_MODULE_RESOURCE);
    ASSERT_NULL(tern_module_find(TERN_MODULE_RESOURCE, "aws_nothing"));
    ASSERT_NOT_NULL(tern_schema_attr(role->schema, "assume_role_policy"));
    ASSERT_NULL(tern_schema_attr(role->schema, "nope"));
}

/* Each default and check names a top-level argument of a resource type
 * tern has; a default is of the argument's type and the argument is
 * OPTIONAL without COMPUTED (the default, not the prior, stands for
 * unset); a check is of a string or number argument. */
TEST(registry, defaults_and_checks_fit_their_schemas)
{
    const tern_arg_default *d;
    const tern_arg_check *c;
    const tern_arg_deprecation *dp;
    const tern_arg_exclusive *x;

    for (d = tern_arg_defaults; d->type; d++) {
        const tern_module *m = tern_module_find(TERN_MODULE_RESOURCE, d->type);
        const tern_attr *a = m ? tern_schema_attr(m->schema, d->name) : NULL;
        json_t *v = json_loads(d->value, JSON_DECODE_ANY, NULL);
        int fits;

        if (!a)
            FAIL("default of %s.%s: no such argument", d->type, d->name);
        if ((a->flags & (TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED)) !=
            TERN_ATTR_OPTIONAL)
            FAIL("default of %s.%s: not OPTIONAL without COMPUTED", d->type,
                 d->name);
        fits = (a->type == TERN_TYPE_STRING && json_is_string(v)) ||
               (a->type == TERN_TYPE_NUMBER && json_is_number(v)) ||
               (a->type == TERN_TYPE_BOOL && json_is_boolean(v));
        json_decref(v);
        if (!fits)
            FAIL("default of %s.%s: %s is not of its type", d->type, d->name,
                 d->value);
    }
    for (c = tern_arg_checks; c->type; c++) {
        /* "data.TYPE": a data source's argument. */
        int data = strncmp(c->type, "data.", 5) == 0;
        const tern_module *m = tern_module_find(
            data ? TERN_MODULE_DATA : TERN_MODULE_RESOURCE, c->type + 5 * data);
        const tern_attr *a = m ? tern_schema_attr(m->schema, c->name) : NULL;

        if (!a || (a->type != TERN_TYPE_STRING && a->type != TERN_TYPE_NUMBER))
            FAIL("check of %s.%s: no such string or number argument", c->type,
                 c->name);
    }
    for (dp = tern_arg_deprecations; dp->type; dp++) {
        const tern_module *m = tern_module_find(TERN_MODULE_RESOURCE, dp->type);

        if (!m || !tern_schema_attr(m->schema, dp->name) || !dp->message)
            FAIL("deprecation of %s.%s: no such argument", dp->type, dp->name);
    }
    for (x = tern_arg_exclusives; x->type; x++) {
        const tern_module *m = tern_module_find(TERN_MODULE_RESOURCE, x->type);
        const tern_module *o =
            tern_module_find(TERN_MODULE_RESOURCE, x->other_type);

        if (!m || !o || !tern_schema_attr(m->schema, x->name) ||
            !tern_schema_attr(m->schema, x->key_arg) ||
            !tern_schema_attr(o->schema, x->other_arg))
            FAIL("exclusive %s.%s / %s.%s: no such argument", x->type, x->name,
                 x->other_type, x->other_arg);
    }
}

/* The upstream data sources take id as an argument (Optional+Computed)
 * where the framework versions of the provider do; tags of the policy
 * data source too (docs/ATTRIBUTES.md). */
TEST(registry, upstream_optional_ids)
{
    static const char *const oc[][2] = {{"aws_caller_identity", "id"},
                                        {"aws_region", "id"},
                                        {"aws_iam_policy", "tags"}};
    size_t i;

    for (i = 0; i < sizeof(oc) / sizeof(oc[0]); i++) {
        const tern_module *m = tern_module_find(TERN_MODULE_DATA, oc[i][0]);
        const tern_attr *a = m ? tern_schema_attr(m->schema, oc[i][1]) : NULL;

        if (!a || (a->flags & (TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED)) !=
                      (TERN_ATTR_OPTIONAL | TERN_ATTR_COMPUTED))
            FAIL("data.%s.%s is not Optional+Computed", oc[i][0], oc[i][1]);
    }
}

const struct tern_test test_registry_list[] = {
    TEST_MODULE(registry, every_module_complete_and_sorted),
    TEST_MODULE(registry, defaults_and_checks_fit_their_schemas),
    TEST_MODULE(registry, upstream_optional_ids), TEST_MODULE(registry, find),
    TEST_END};
