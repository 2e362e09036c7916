/*
 * Every module of the registry (modules/registry.c) is tested, and every
 * operation it implements is shown working by a case of data (issue 20):
 *
 * - a test file: a tests/unit/test_mod_*.c naming its tern_module_ symbol,
 *   or a case directory of tests/cases/cli whose configuration declares
 *   it;
 * - a case for each operation: a tests/cases/cli case whose expect/stdout
 *   or a set-up step's expect/N.stdout (compared with what tern printed,
 *   so it cannot claim what did not run) has the line tern prints for it:
 *     create  "ADDR: Creating..."          update  "ADDR: Modifying..."
 *     delete  "ADDR: Destroying..."        import  "ADDR: Importing..."
 *     read    "ADDR: Refreshing state..."  (a resource)
 *   and a data source is read when a case's expect/state or N.state
 *   (compared with `tern state pull`) holds an instance of it;
 *
 * A module added without them fails the test, which names each missing
 * "TYPE OP" ("data.TYPE read" for a data source). There is no list of
 * exceptions: every operation of every module has its case.
 */
#include "runner.h"

#include "support.h"
#include "tern/module.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { OP_CREATE, OP_READ, OP_UPDATE, OP_DELETE, OP_IMPORT, OP_COUNT };

static const char *const op_names[OP_COUNT] = {"create", "read", "update",
                                               "delete", "import"};

/* The operation a progress line shows ("" lines and others: -1), and the
 * address's type ("data.TYPE" for a data source) in @type. */
static int line_op(const char *line, char *type, size_t type_size)
{
    static const struct {
        const char *verb;
        int op;
    } verbs[] = {{": Creating...", OP_CREATE},
                 {": Modifying...", OP_UPDATE},
                 {": Destroying...", OP_DELETE},
                 {": Importing...", OP_IMPORT},
                 {": Importing from ID ", OP_IMPORT},
                 {": Refreshing state...", OP_READ},
                 {": Reading...", OP_READ}};
    const char *p = line, *colon = NULL, *dot;
    size_t i, n;
    int op = -1;

    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]) && op < 0; i++) {
        colon = strstr(line, verbs[i].verb);
        if (colon)
            op = verbs[i].op;
    }
    if (op < 0)
        return -1;
    /* module.NAME[KEY]. prefixes */
    while (strncmp(p, "module.", 7) == 0) {
        p = strchr(p + 7, '.');
        if (!p || p > colon)
            return -1;
        p++;
    }
    dot = strchr(strncmp(p, "data.", 5) == 0 ? p + 5 : p, '.');
    if (!dot || dot > colon)
        return -1;
    n = (size_t)(dot - p);
    if (n >= type_size)
        return -1;
    memcpy(type, p, n);
    type[n] = '\0';
    return op;
}

struct seen {
    char type[128];
    unsigned ops; /* bit per op */
};

static struct seen seen[512];
static size_t nseen;

static struct seen *seen_of(const char *type)
{
    size_t i;

    for (i = 0; i < nseen; i++)
        if (strcmp(seen[i].type, type) == 0)
            return &seen[i];
    if (nseen == sizeof(seen) / sizeof(seen[0]))
        FAIL("more than %zu types in the cases", nseen);
    if (strlen(type) >= sizeof(seen[nseen].type))
        FAIL("type name too long: %s", type);
    memcpy(seen[nseen].type, type, strlen(type) + 1);
    seen[nseen].ops = 0;
    return &seen[nseen++];
}

/* The data sources a state holds instances of are read. */
static void scan_state(char *text, const char *path)
{
    char *serial = strstr(text, "<SERIAL>");
    json_t *st, *r;
    size_t i;

    if (serial) /* masked by the case runner */
        memcpy(serial, "0       ", 8);
    st = json_loads(text, 0, NULL);

    if (!st)
        FAIL("%s: not JSON", path);
    json_array_foreach(json_object_get(st, "resources"), i, r)
    {
        const char *mode = json_string_value(json_object_get(r, "mode"));
        const char *type = json_string_value(json_object_get(r, "type"));
        char name[160];

        if (mode && type && strcmp(mode, "data") == 0 &&
            json_array_size(json_object_get(r, "instances")) > 0) {
            snprintf(name, sizeof(name), "data.%s", type);
            seen_of(name)->ops |= 1u << OP_READ;
        }
    }
    json_decref(st);
}

/* Whether @name is @what or "N.@what" (a set-up step's, also compared). */
static int is_expect(const char *name, const char *what)
{
    const char *dot = strchr(name, '.');

    return strcmp(name, what) == 0 || (dot && strcmp(dot + 1, what) == 0);
}

/* A case's expect/stdout and N.stdout lines, expect/state and N.state. */
static void scan_expect(const char *dir, const char *casename)
{
    char path[8192];
    struct dirent *de;
    DIR *d;

    snprintf(path, sizeof(path), "%s/%s/expect", dir, casename);
    d = opendir(path);
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        char *text, *line, *next;

        if (!is_expect(de->d_name, "stdout") && !is_expect(de->d_name, "state"))
            continue;
        snprintf(path, sizeof(path), "%s/%s/expect/%s", dir, casename,
                 de->d_name);
        text = tt_read_file(path, NULL);
        if (text && is_expect(de->d_name, "state")) {
            scan_state(text, path);
            free(text);
            continue;
        }
        for (line = text; line && *line; line = next) {
            char type[128];
            int op;

            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            op = line_op(line, type, sizeof(type));
            if (op >= 0)
                seen_of(type)->ops |= 1u << op;
        }
        free(text);
    }
    closedir(d);
}

/* Every case's expect/stdout lines and configuration (for "declares"). */
static char *all_config; /* every case's main.tf, concatenated */

static void scan_cases(void)
{
    char dir[4096], path[8192];
    struct dirent *de;
    size_t cfg_len = 0;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/tests/cases/cli", tern_test_source_dir());
    d = opendir(dir);
    ASSERT_NOT_NULL(d);
    all_config = calloc(1, 1);
    while ((de = readdir(d)) != NULL) {
        char *text;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s/main.tf", dir, de->d_name);
        text = tt_read_file(path, NULL);
        if (text) {
            size_t n = strlen(text);

            all_config = realloc(all_config, cfg_len + n + 1);
            ASSERT_NOT_NULL(all_config);
            memcpy(all_config + cfg_len, text, n + 1);
            cfg_len += n;
            free(text);
        }
        scan_expect(dir, de->d_name);
    }
    closedir(d);
}

/* A tests/unit/test_mod_*.c names @symbol. */
static int has_test_file(const char *symbol)
{
    char dir[4096], path[8192];
    struct dirent *de;
    int found = 0;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/tests/unit", tern_test_source_dir());
    d = opendir(dir);
    ASSERT_NOT_NULL(d);
    while (!found && (de = readdir(d)) != NULL) {
        char *text;

        if (strncmp(de->d_name, "test_mod_", 9) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        text = tt_read_file(path, NULL);
        found = text && strstr(text, symbol);
        free(text);
    }
    closedir(d);
    return found;
}

TEST(module_cases, every_operation_has_a_case)
{
    char *missing, *p;
    size_t i, len = 0, cap = 1 << 16;
    int failed = 0;

    scan_cases();
    missing = calloc(cap, 1);
    ASSERT_NOT_NULL(missing);
    for (i = 0; tern_modules[i]; i++) {
        const tern_module *m = tern_modules[i];
        int data = m->kind == TERN_MODULE_DATA;
        char type[160], symbol[192], decl[192];
        const void *impl[OP_COUNT];
        struct seen *s;
        int op;

        snprintf(type, sizeof(type), "%s%s", data ? "data." : "", m->type_name);
        snprintf(symbol, sizeof(symbol), "tern_module_%s%s",
                 data ? "data_" : "", m->type_name);
        snprintf(decl, sizeof(decl), "%s \"%s\"", data ? "data" : "resource",
                 m->type_name);
        if (!has_test_file(symbol) && !strstr(all_config, decl))
            len += (size_t)snprintf(missing + len, cap - len, "%s test-file\n",
                                    type);
        impl[OP_CREATE] = (const void *)m->create;
        impl[OP_READ] = (const void *)m->read;
        impl[OP_UPDATE] = (const void *)m->update;
        impl[OP_DELETE] = (const void *)m->delete_;
        impl[OP_IMPORT] = (const void *)m->import;
        s = seen_of(type);
        for (op = 0; op < OP_COUNT; op++)
            if (impl[op] && !(s->ops & (1u << op)))
                len += (size_t)snprintf(missing + len, cap - len, "%s %s\n",
                                        type, op_names[op]);
        ASSERT_CMP(len, <, cap);
    }
    for (p = missing; *p; p = strchr(p, '\n') + 1) {
        fprintf(stderr, "# missing a case: %.*s\n", (int)(strchr(p, '\n') - p),
                p);
        failed = 1;
    }
    free(missing);
    free(all_config);
    ASSERT_EQ(failed, 0);
}

const struct tern_test test_module_cases_list[] = {
    TEST_MODULE(module_cases, every_operation_has_a_case), TEST_END};
