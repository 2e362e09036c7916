/*
 * Data-driven language cases: each directory tests/cases/lang/NNN-slug/
 * holds main.tf, usually its twin main.tf.json, and the golden expect.txt
 * (expect.json.txt where the JSON run differs, i.e. diagnostics positions).
 * Each syntax is loaded and its module evaluated and dumped: variables
 * (defaults), locals, every resource and data instance (for_each and count
 * expanded, references to resources unknown as in a first plan), outputs,
 * then the diagnostics as Terraform prints them. The dump is diffed with
 * the golden file; TERN_UPDATE_GOLDEN=1 rewrites the golden files.
 */
#include "runner.h"

#include "lang/lang.h"
#include "util/alloc.h"

#include <dirent.h>
#include <sys/stat.h>

struct dumper {
    const char *dir; /* the case's directory: templatefile's base */
    struct tern_lang_config *cfg;
    struct tern_diags diags;
    tern_value *vars;
    tern_value **locals; /* per cfg->local_attrs; NULL until evaluated */
    int *state;          /* 0 todo, 1 evaluating, 2 done, 3 failed */
    tern_buf out;
};

static int resolve(void *ctx, const struct tern_lang_ref *ref, tern_value **out,
                   struct tern_diags *diags);

static void scope_init(struct dumper *d, struct tern_lang_scope *s)
{
    memset(s, 0, sizeof(*s));
    s->vars = d->vars;
    s->resolve = resolve;
    s->ctx = d;
    s->path_module = ".";
    s->path_root = ".";
    s->path_cwd = ".";
    s->base_dir = d->dir;
}

static int eval_local(struct dumper *d, size_t i, struct tern_diags *diags)
{
    struct tern_lang_scope s;
    const struct tern_attribute *a = d->cfg->local_attrs[i];

    if (d->state[i] == 2)
        return TERN_OK;
    if (d->state[i] == 3)
        return TERN_ERROR;
    if (d->state[i] == 1) {
        tern_diags_add(diags, TERN_SEV_ERROR, &a->name_range,
                       "Cycle in local values",
                       "The local value \"%s\" depends on itself.", a->name);
        return TERN_ERROR;
    }
    d->state[i] = 1;
    scope_init(d, &s);
    if (tern_lang_eval(a->expr, &s, &d->locals[i], diags) != TERN_OK) {
        d->state[i] = 3;
        return TERN_ERROR;
    }
    d->state[i] = 2;
    return TERN_OK;
}

static int resolve(void *ctx, const struct tern_lang_ref *ref, tern_value **out,
                   struct tern_diags *diags)
{
    struct dumper *d = ctx;
    size_t i;

    if (strcmp(ref->kind, "local") == 0) {
        for (i = 0; i < d->cfg->nlocal_attrs; i++) {
            if (strcmp(d->cfg->local_attrs[i]->name, ref->name) != 0)
                continue;
            if (eval_local(d, i, diags))
                return TERN_ERROR;
            *out = tern_value_incref(d->locals[i]);
            return TERN_OK;
        }
        return TERN_ENOTFOUND;
    }
    if (strcmp(ref->kind, "resource") == 0 || strcmp(ref->kind, "data") == 0) {
        const struct tern_blockvec *v =
            ref->kind[0] == 'r' ? &d->cfg->resources : &d->cfg->data;

        for (i = 0; i < v->n; i++)
            if (strcmp(v->items[i]->labels[0], ref->type) == 0 &&
                strcmp(v->items[i]->labels[1], ref->name) == 0) {
                /* Nothing is applied yet: known after apply. */
                *out = tern_value_unknown();
                return TERN_OK;
            }
        return TERN_ENOTFOUND;
    }
    return TERN_ENOTFOUND;
}

static void dump_value(struct dumper *d, const char *prefix, const char *name,
                       const tern_value *v, int indent)
{
    char *s = tern_value_render(v, indent);

    tern_buf_printf(&d->out, "%*s%s%s = %s\n", indent, "", prefix, name, s);
    tern_free(s);
}

static void dump_instance(struct dumper *d, const char *kind,
                          const struct tern_block *b, const char *key,
                          struct tern_lang_scope *s)
{
    tern_value *v = NULL;
    char *name = tern_asprintf("%s.%s%s", b->labels[0], b->labels[1], key);

    tern_lang_body_eval(b->body, s, 1, &v, &d->diags);
    if (v)
        dump_value(d, kind, name, v, 0);
    tern_value_decref(v);
    tern_free(name);
}

static void dump_resource(struct dumper *d, const char *kind,
                          const struct tern_block *b)
{
    struct tern_lang_instances in;
    struct tern_lang_scope s;
    char key[512];
    size_t i;

    scope_init(d, &s);
    if (tern_lang_expand(b, &s, &in, &d->diags))
        return;
    for (i = 0; i < in.n; i++) {
        int64_t idx;

        key[0] = '\0';
        if (in.mode == TERN_LANG_EXPAND_COUNT) {
            tern_value_get_int(in.keys[i], &idx);
            s.count_index = in.keys[i];
            snprintf(key, sizeof(key), "[%lld]", (long long)idx);
        } else if (in.mode == TERN_LANG_EXPAND_FOR_EACH) {
            s.each_key = in.keys[i];
            s.each_value = in.values[i];
            snprintf(key, sizeof(key), "[\"%s\"]",
                     tern_value_get_string(in.keys[i]));
        }
        dump_instance(d, kind, b, key, &s);
    }
    tern_lang_instances_release(&in);
}

static int cmp_block(const void *a, const void *b)
{
    const struct tern_block *x = *(const struct tern_block *const *)a;
    const struct tern_block *y = *(const struct tern_block *const *)b;
    size_t i;
    int c;

    for (i = 0; i < x->nlabels && i < y->nlabels; i++)
        if ((c = strcmp(x->labels[i], y->labels[i])) != 0)
            return c;
    return (int)x->nlabels - (int)y->nlabels;
}

static void sort_blocks(const struct tern_blockvec *v)
{
    if (v->n > 1)
        qsort(v->items, v->n, sizeof(*v->items), cmp_block);
}

static char *dump(const char *dir, const char *file)
{
    struct dumper d;
    char *path = tern_asprintf("%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    char *text = tern_malloc(1 << 20);
    size_t len, i;
    const struct tern_attribute **sorted_locals = NULL;

    memset(&d, 0, sizeof(d));
    d.dir = dir;
    ASSERT_NOT_NULL(f);
    len = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    d.cfg = tern_lang_config_new(dir);
    tern_lang_config_add_file(d.cfg, file, text, len, &d.diags);
    tern_free(text);
    tern_free(path);
    if (d.diags.errors == 0) {
        struct tern_lang_scope s;

        /* Variables: their defaults, converted to their types. */
        memset(&s, 0, sizeof(s));
        tern_lang_variables_eval(d.cfg, NULL, &d.vars, &d.diags);
        for (i = 0; i < tern_value_length(d.vars); i++)
            dump_value(&d, "var.", tern_value_object_key(d.vars, i),
                       tern_value_object_value(d.vars, i), 0);
        /* Locals, lazily in dependency order, printed by name. */
        d.locals = tern_calloc(d.cfg->nlocal_attrs + 1, sizeof(*d.locals));
        d.state = tern_calloc(d.cfg->nlocal_attrs + 1, sizeof(*d.state));
        sorted_locals =
            tern_calloc(d.cfg->nlocal_attrs + 1, sizeof(*sorted_locals));
        for (i = 0; i < d.cfg->nlocal_attrs; i++) {
            eval_local(&d, i, &d.diags);
            sorted_locals[i] = d.cfg->local_attrs[i];
        }
        for (i = 0; i < d.cfg->nlocal_attrs; i++) {
            size_t j;

            for (j = i + 1; j < d.cfg->nlocal_attrs; j++)
                if (strcmp(sorted_locals[j]->name, sorted_locals[i]->name) <
                    0) {
                    const struct tern_attribute *t = sorted_locals[i];

                    sorted_locals[i] = sorted_locals[j];
                    sorted_locals[j] = t;
                }
        }
        for (i = 0; i < d.cfg->nlocal_attrs; i++) {
            size_t j;

            for (j = 0; d.cfg->local_attrs[j] != sorted_locals[i]; j++)
                ;
            if (d.state[j] == 2)
                dump_value(&d, "local.", sorted_locals[i]->name, d.locals[j],
                           0);
        }
        sort_blocks(&d.cfg->data);
        for (i = 0; i < d.cfg->data.n; i++)
            dump_resource(&d, "data.", d.cfg->data.items[i]);
        sort_blocks(&d.cfg->resources);
        for (i = 0; i < d.cfg->resources.n; i++)
            dump_resource(&d, "", d.cfg->resources.items[i]);
        sort_blocks(&d.cfg->outputs);
        for (i = 0; i < d.cfg->outputs.n; i++) {
            const struct tern_block *b = d.cfg->outputs.items[i];
            const struct tern_attribute *a =
                tern_lang_body_attr(b->body, "value");
            tern_value *v = NULL;

            scope_init(&d, &s);
            if (a && tern_lang_eval(a->expr, &s, &v, &d.diags) == TERN_OK) {
                if (tern_lang_body_attr(b->body, "sensitive"))
                    v = tern_value_mark_sensitive(v);
                dump_value(&d, "output.", b->labels[0], v, 0);
            }
            tern_value_decref(v);
        }
    }
    if (d.diags.count) {
        tern_buf_puts(&d.out, "--- diagnostics\n");
        tern_lang_diags_render(&d.out, &d.diags, &d.cfg->sources);
    }
    for (i = 0; d.locals && i < d.cfg->nlocal_attrs; i++)
        tern_value_decref(d.locals[i]);
    tern_free(d.locals);
    tern_free(d.state);
    tern_free(sorted_locals);
    tern_value_decref(d.vars);
    tern_diags_release(&d.diags);
    tern_lang_config_free(d.cfg);
    return tern_buf_detach(&d.out);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    size_t len;

    if (!f)
        return NULL;
    text = tern_malloc(1 << 20);
    len = fread(text, 1, (1 << 20) - 1, f);
    text[len] = '\0';
    fclose(f);
    return text;
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    ASSERT_NOT_NULL(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* Compare one syntax's dump with its golden file; 0 if they match. */
static int check(const char *dir, const char *name, const char *file,
                 const char *golden)
{
    char *got = dump(dir, file);
    char *gpath = tern_asprintf("%s/%s", dir, golden);
    char *want = read_all(gpath);
    int ok = want && strcmp(got, want) == 0;

    if (!ok && getenv("TERN_UPDATE_GOLDEN")) {
        /* The JSON run differs from the native one: its own golden. */
        if (want && strcmp(file, "main.tf.json") == 0 &&
            strcmp(golden, "expect.txt") == 0) {
            tern_free(gpath);
            gpath = tern_asprintf("%s/expect.json.txt", dir);
        }
        write_all(gpath, got);
        ok = 1;
    } else if (!ok) {
        char *gotpath =
            tern_asprintf("%s/%s-%s.got", tern_test_tmpdir(), name, file);
        char *cmd = tern_asprintf("diff -u '%s' '%s' >&2", gpath, gotpath);

        write_all(gotpath, got);
        fprintf(stderr, "# %s/%s differs from %s:\n", name, file, golden);
        fflush(stderr);
        if (system(cmd) < 0)
            fprintf(stderr, "%s\n", got);
        tern_free(cmd);
        tern_free(gotpath);
    }
    tern_free(got);
    tern_free(gpath);
    tern_free(want);
    return ok ? 0 : 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(lang_cases, golden)
{
    char *root = tern_asprintf("%s/tests/cases/lang", tern_test_source_dir());
    DIR *dir = opendir(root);
    struct dirent *de;
    char *names[256];
    size_t n = 0, i;
    int failed = 0, runs = 0;

    ASSERT_NOT_NULL(dir);
    while ((de = readdir(dir)) != NULL && n < 256)
        if (de->d_name[0] != '.')
            names[n++] = tern_strdup(de->d_name);
    closedir(dir);
    qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n; i++) {
        char *d = tern_asprintf("%s/%s", root, names[i]);
        char *tf = tern_asprintf("%s/main.tf", d);
        char *json = tern_asprintf("%s/main.tf.json", d);
        char *jgolden = tern_asprintf("%s/expect.json.txt", d);

        if (exists(tf)) {
            failed += check(d, names[i], "main.tf", "expect.txt");
            runs++;
        }
        if (exists(json)) {
            failed += check(d, names[i], "main.tf.json",
                            exists(jgolden) ? "expect.json.txt" : "expect.txt");
            runs++;
        }
        tern_free(d);
        tern_free(tf);
        tern_free(json);
        tern_free(jgolden);
        tern_free(names[i]);
    }
    tern_free(root);
    fprintf(stderr, "# %zu cases, %d runs, %d failed\n", n, runs, failed);
    ASSERT_CMP(n, >=, 8);
    ASSERT_EQ(failed, 0);
}

/* ---- Allocation failure at every point ---------------------------------
 */

static void oom_eval_body(const struct tern_body *b, struct tern_diags *d,
                          const tern_value *vars, int *oom)
{
    struct tern_lang_scope s;
    size_t i;

    memset(&s, 0, sizeof(s));
    s.vars = vars;
    for (i = 0; b && i < b->nattrs; i++) {
        tern_value *v = NULL;
        char *r;

        if (tern_lang_eval(b->attrs[i].expr, &s, &v, d) == TERN_ENOMEM)
            *oom = 1;
        if (v) {
            r = tern_value_render(v, 0);
            *oom |= r == NULL;
            tern_free(r);
        }
        tern_value_decref(v);
    }
    for (i = 0; b && i < b->nblocks; i++)
        oom_eval_body(b->blocks[i]->body, d, vars, oom);
}

/* Load, evaluate, validate and render with the Nth allocation failing;
 * 1 if nothing failed. */
static int oom_run(const char *name, const char *text, size_t len,
                   unsigned long n)
{
    struct tern_lang_config *cfg;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_buf out = TERN_BUF_INIT;
    tern_value *vars = NULL;
    size_t i;
    int oom = 0;

    tern__alloc_fail_after(n);
    cfg = tern_lang_config_new(".");
    if (!cfg) {
        tern__alloc_fail_after(0);
        return 0;
    }
    if (tern_lang_config_add_file(cfg, name, text, len, &d) == TERN_ENOMEM)
        oom = 1;
    if (!oom) {
        oom |= tern_lang_variables_eval(cfg, NULL, &vars, &d) == TERN_ENOMEM;
        for (i = 0; i < cfg->sources.n; i++)
            oom_eval_body(cfg->sources.files[i]->body, &d, vars, &oom);
        oom |= tern_lang_config_validate(cfg, &d) == TERN_ENOMEM;
        oom |= tern_lang_diags_render(&out, &d, &cfg->sources) != TERN_OK;
    }
    tern__alloc_fail_after(0);
    tern_buf_release(&out);
    tern_value_decref(vars);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    return !oom;
}

TEST(lang_cases, every_allocation_failure)
{
    static const char *const files[] = {"main.tf", "main.tf.json"};
    char *root = tern_asprintf("%s/tests/cases/lang", tern_test_source_dir());
    DIR *dir = opendir(root);
    struct dirent *de;
    size_t f, walked = 0;

    ASSERT_NOT_NULL(dir);
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        for (f = 0; f < 2; f++) {
            char *path = tern_asprintf("%s/%s/%s", root, de->d_name, files[f]);
            char *text = read_all(path);
            unsigned long n;

            tern_free(path);
            if (!text)
                continue;
            /* Fail the 1st, 2nd, ... allocation until a run needs no
             * failure: every path must end cleanly (the sanitizers watch). */
            for (n = 1; n < 100000; n++)
                if (oom_run(files[f], text, strlen(text), n))
                    break;
            ASSERT_CMP(n, <, 100000);
            walked++;
            tern_free(text);
        }
    }
    closedir(dir);
    tern_free(root);
    ASSERT_CMP(walked, >=, 16);
}

/* The diagnostics of a load as one text: severity, summary, detail and
 * where, one a line. */
static char *diags_text(const struct tern_diags *d)
{
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    for (i = 0; i < d->count; i++) {
        const struct tern_diag *x = &d->items[i];

        tern_buf_printf(&b, "%d %s: %s @%u:%u\n", (int)x->severity, x->summary,
                        x->detail ? x->detail : "", x->range.start.line,
                        x->range.start.column);
    }
    return tern_buf_detach(&b);
}

/* Load @text as @name with allocation @n failing: TERN_ENOMEM, or what an
 * unhindered load gives (@want_rc, @want_diags). */
static void load_walk_step(const char *name, const char *text, unsigned long n,
                           int want_rc, const char *want_diags)
{
    struct tern_lang_config *cfg = tern_lang_config_new(".");
    struct tern_diags d = TERN_DIAGS_INIT;
    char *got;
    int rc;

    ASSERT_NOT_NULL(cfg);
    tern__alloc_fail_after(n);
    rc = tern_lang_config_add_file(cfg, name, text, strlen(text), &d);
    tern__alloc_fail_after(0);
    if (rc != TERN_ENOMEM) {
        got = diags_text(&d);
        ASSERT_NOT_NULL(got);
        if (rc != want_rc || strcmp(got, want_diags) != 0)
            FAIL("%s: allocation %lu failed: rc %d, diagnostics:\n%s"
                 "instead of rc %d:\n%s",
                 name, n, rc, got, want_rc, want_diags);
        tern_free(got);
    }
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

/* Walk one case file: every allocation of its load failing in turn. */
static void load_walk(const char *dir, const char *name)
{
    char *path = tern_asprintf("%s/%s", dir, name), *text, *want;
    struct tern_lang_config *cfg;
    struct tern_diags d = TERN_DIAGS_INIT;
    unsigned long n, total;
    int want_rc;

    ASSERT_NOT_NULL(path);
    text = read_all(path);
    tern_free(path);
    if (!text)
        return;
    cfg = tern_lang_config_new(".");
    ASSERT_NOT_NULL(cfg);
    tern__alloc_fail_after(0); /* counts from here */
    want_rc = tern_lang_config_add_file(cfg, name, text, strlen(text), &d);
    total = tern__alloc_fail_after(0);
    want = diags_text(&d);
    ASSERT_NOT_NULL(want);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    for (n = 1; n <= total + 1; n++)
        load_walk_step(name, text, n, want_rc, want);
    tern_free(want);
    tern_free(text);
}

/* The configuration loaders (src/lang/json.c for .tf.json, the HCL
 * parser) with each allocation failing in turn, over every lang case: a
 * load ends in TERN_ENOMEM or as an unhindered load does, never in a
 * diagnostic of its own ("Invalid JSON" for a string Jansson could not
 * allocate) or short of one (a duplicate declaration's message that could
 * not be added). */
TEST(lang_cases, loader_walk)
{
    char *root = tern_asprintf("%s/tests/cases/lang", tern_test_source_dir());
    DIR *dir = opendir(root);
    struct dirent *de;
    size_t walked = 0;

    ASSERT_NOT_NULL(dir);
    while ((de = readdir(dir)) != NULL) {
        char *d;

        if (de->d_name[0] == '.')
            continue;
        d = tern_asprintf("%s/%s", root, de->d_name);
        ASSERT_NOT_NULL(d);
        load_walk(d, "main.tf");
        load_walk(d, "main.tf.json");
        tern_free(d);
        walked++;
    }
    closedir(dir);
    tern_free(root);
    ASSERT_CMP(walked, >=, 13);
}

const struct tern_test test_lang_cases_list[] = {
    TEST_UNIT(lang_cases, golden),
    TEST_UNIT(lang_cases, every_allocation_failure),
    TEST_UNIT(lang_cases, loader_walk),
    TEST_END,
};
