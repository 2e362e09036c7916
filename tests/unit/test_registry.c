/*
 * The module table (modules/registry.c): every entry is complete and the
 * table is sorted, so the engine can trust what it finds there.
 */
#include "runner.h"

#include "tern/module.h"

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

const struct tern_test test_registry_list[] = {
    TEST_MODULE(registry, every_module_complete_and_sorted),
    TEST_MODULE(registry, find), TEST_END};
