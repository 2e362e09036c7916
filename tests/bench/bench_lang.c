/*
 * bench_lang: parse and evaluate a generated configuration of N resources
 * (default 10,000, about 1.5 MB of HCL) and report CPU time and peak
 * memory (issue 4's targets: under 0.5 s of CPU, under 100 MB).
 *
 *     bench_lang [N] [--json | --modules]
 *
 * Every resource is an IAM role with a template, a function call and a
 * merge() over a local map, so the evaluator and functions are measured,
 * not only the parser. --json writes the same configuration as .tf.json.
 * --modules spreads the N resources over modules: the root calls a local
 * module with for_each over N/100 keys, each instance declares 100 roles
 * from its input variables; the engine expands the calls into its graph
 * and every instance's body is evaluated in its module's scope.
 */
#include "engine/engine_int.h"
#include "lang/lang.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void generate(tern_buf *b, long n, int json)
{
    long i;

    if (json) {
        tern_buf_puts(b, "{\"variable\": {\"env\": {\"default\": \"dev\"}},\n"
                         " \"locals\": {\"tags\": {\"team\": \"ml\", "
                         "\"app\": \"mlflow\"}},\n"
                         " \"resource\": {\"aws_iam_role\": {\n");
        for (i = 0; i < n; i++)
            tern_buf_printf(
                b,
                "%s  \"r%05ld\": {\"name\": \"role-%05ld-${var.env}\", "
                "\"description\": \"${upper(\\\"r\\\")}-${%ld + 1}\", "
                "\"tags\": \"${merge(local.tags, {i = \\\"%05ld\\\"})}\"}\n",
                i ? "," : "", i, i, i, i);
        tern_buf_puts(b, "}}}\n");
        return;
    }
    tern_buf_puts(b, "variable \"env\" {\n  default = \"dev\"\n}\n\n"
                     "locals {\n  tags = { team = \"ml\", app = \"mlflow\" }\n"
                     "}\n\n");
    for (i = 0; i < n; i++)
        tern_buf_printf(b,
                        "resource \"aws_iam_role\" \"r%05ld\" {\n"
                        "  name        = \"role-%05ld-${var.env}\"\n"
                        "  description = \"${upper(\"r\")}-${%ld + 1}\"\n"
                        "  tags        = merge(local.tags, { i = \"%05ld\" })\n"
                        "}\n\n",
                        i, i, i, i);
}

/* The root module and the module it calls (mod/main.tf). */
static void generate_modules(tern_buf *root, tern_buf *mod, long n)
{
    long i, groups = n / 100 ? n / 100 : 1;

    tern_buf_printf(root,
                    "variable \"env\" {\n  default = \"dev\"\n}\n\n"
                    "locals {\n  tags = { team = \"ml\", app = \"mlflow\" }\n"
                    "}\n\n"
                    "module \"g\" {\n"
                    "  source   = \"./mod\"\n"
                    "  for_each = toset([for i in range(%ld) : "
                    "format(\"%%03d\", i)])\n"
                    "  group    = each.key\n"
                    "  env      = var.env\n"
                    "  tags     = local.tags\n"
                    "}\n",
                    groups);
    tern_buf_puts(mod, "variable \"group\" {\n  type = string\n}\n\n"
                       "variable \"env\" {\n  type = string\n}\n\n"
                       "variable \"tags\" {\n  type = map(string)\n}\n\n");
    for (i = 0; i < n / groups; i++)
        tern_buf_printf(
            mod,
            "resource \"aws_iam_role\" \"r%05ld\" {\n"
            "  name        = \"role-${var.group}-%05ld-${var.env}\"\n"
            "  description = \"${upper(\"r\")}-${%ld + 1}\"\n"
            "  tags        = merge(var.tags, { i = \"%05ld\" })\n"
            "}\n\n",
            i, i, i, i);
}

static int write_text(const char *path, const tern_buf *b)
{
    FILE *f = fopen(path, "w");

    return !f || fwrite(b->ptr, 1, b->len, f) != b->len || fclose(f);
}

static int bench_modules(long n)
{
    char dir[] = "/tmp/tern-bench-lang-XXXXXX", path[4200];
    tern_buf root = TERN_BUF_INIT, mod = TERN_BUF_INIT;
    struct tern_lang_config *cfg = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_engine_options opts = TERN_ENGINE_OPTIONS_INIT;
    tern_engine *e = NULL;
    struct evalctx cx;
    tern_value *vars = NULL, *v = NULL, *tmp[2];
    double c0, c1, c2, w0, w1;
    struct rusage ru;
    size_t i, evaluated = 0;

    if (!mkdtemp(dir))
        return 1;
    generate_modules(&root, &mod, n);
    snprintf(path, sizeof(path), "%s/mod", dir);
    if (mkdir(path, 0700))
        return 1;
    snprintf(path, sizeof(path), "%s/main.tf", dir);
    if (write_text(path, &root))
        return 1;
    snprintf(path, sizeof(path), "%s/mod/main.tf", dir);
    if (write_text(path, &mod))
        return 1;

    c0 = cpu_s();
    w0 = wall_s();
    if (tern_lang_config_load(dir, &cfg, &d) != 0 || d.errors) {
        fprintf(stderr, "load failed (%zu errors)\n", d.errors);
        return 1;
    }
    tern_lang_config_validate(cfg, &d);
    tern_lang_variables_eval(cfg, NULL, &vars, &d);
    opts.config = cfg;
    opts.variables = vars;
    if (tern__engine_new(&e, &opts, 0, &d) != 0) {
        fprintf(stderr, "engine failed (%zu errors)\n", d.errors);
        return 1;
    }
    c1 = cpu_s();
    memset(&cx, 0, sizeof(cx));
    cx.e = e;
    for (i = 0; i < e->nblocks; i++) {
        struct tern_lang_scope sc;

        tern__scope_init_mod(&sc, &cx, e->blocks[i].mod, NULL, tmp);
        if (tern_lang_body_eval(e->blocks[i].block->body, &sc, 1, &v, &d) == 0)
            evaluated++;
        tern_value_decref(v);
        tern_value_decref(tmp[0]);
        tern_value_decref(tmp[1]);
        v = NULL;
    }
    c2 = cpu_s();
    w1 = wall_s();
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_lang: %ld resources in %zu module instances, %.2f MB of "
           "HCL\n",
           n, e->nmods - 1, (double)(root.len + mod.len) / 1e6);
    printf("  parse + validate + graph: %.3f s CPU\n", c1 - c0);
    printf("  evaluate:         %.3f s CPU (%zu bodies)\n", c2 - c1, evaluated);
    printf("  total:            %.3f s CPU, %.3f s wall (target < 0.5 s "
           "CPU)\n",
           c2 - c0, w1 - w0);
    printf("  peak RSS:         %.1f MB (target < 100 MB)\n",
           (double)ru.ru_maxrss / 1024.0);
    printf("  errors: %zu\n", d.errors);
    tern_engine_free(e);
    tern_value_decref(vars);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    tern_buf_release(&root);
    tern_buf_release(&mod);
    snprintf(path, sizeof(path), "%s/mod/main.tf", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/mod", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/main.tf", dir);
    unlink(path);
    rmdir(dir);
    return evaluated == (size_t)n ? 0 : 1;
}

int main(int argc, char **argv)
{
    long n = argc > 1 && argv[1][0] != '-' ? strtol(argv[1], NULL, 10) : 10000;
    int json = argc > 1 && strcmp(argv[argc - 1], "--json") == 0;
    char dir[] = "/tmp/tern-bench-lang-XXXXXX", path[4200];
    tern_buf text = TERN_BUF_INIT;
    struct tern_lang_config *cfg = NULL;
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_scope scope;
    tern_value *vars = NULL, *locals = NULL, *v = NULL;
    double c0, c1, c2, w0, w1;
    struct rusage ru;
    size_t i, evaluated = 0;
    FILE *f;

    if (argc > 1 && strcmp(argv[argc - 1], "--modules") == 0)
        return bench_modules(n);
    if (!mkdtemp(dir))
        return 1;
    generate(&text, n, json);
    snprintf(path, sizeof(path), "%s/main.%s", dir, json ? "tf.json" : "tf");
    f = fopen(path, "w");
    if (!f || fwrite(text.ptr, 1, text.len, f) != text.len || fclose(f))
        return 1;

    c0 = cpu_s();
    w0 = wall_s();
    if (tern_lang_config_load(dir, &cfg, &d) != 0 || d.errors) {
        fprintf(stderr, "load failed (%zu errors)\n", d.errors);
        return 1;
    }
    tern_lang_config_validate(cfg, &d);
    c1 = cpu_s();
    tern_lang_variables_eval(cfg, NULL, &vars, &d);
    memset(&scope, 0, sizeof(scope));
    scope.vars = vars;
    locals = tern_value_object_new();
    for (i = 0; i < cfg->nlocal_attrs; i++) {
        if (tern_lang_eval(cfg->local_attrs[i]->expr, &scope, &v, &d) == 0)
            tern_value_object_set(locals, cfg->local_attrs[i]->name, v);
        v = NULL;
    }
    scope.locals = locals;
    for (i = 0; i < cfg->resources.n; i++) {
        if (tern_lang_body_eval(cfg->resources.items[i]->body, &scope, 1, &v,
                                &d) == 0)
            evaluated++;
        tern_value_decref(v);
        v = NULL;
    }
    c2 = cpu_s();
    w1 = wall_s();
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_lang: %ld resources, %.2f MB of %s\n", n,
           (double)text.len / 1e6, json ? "JSON" : "HCL");
    printf("  parse + validate: %.3f s CPU\n", c1 - c0);
    printf("  evaluate:         %.3f s CPU (%zu bodies)\n", c2 - c1, evaluated);
    printf("  total:            %.3f s CPU, %.3f s wall (target < 0.5 s "
           "CPU)\n",
           c2 - c0, w1 - w0);
    printf("  peak RSS:         %.1f MB (target < 100 MB)\n",
           (double)ru.ru_maxrss / 1024.0);
    printf("  errors: %zu\n", d.errors);
    tern_value_decref(vars);
    tern_value_decref(locals);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    tern_buf_release(&text);
    unlink(path);
    rmdir(dir);
    return evaluated == (size_t)n ? 0 : 1;
}
