/* src/lang: references of expressions, count/for_each expansion, and
 * validate. */
#include "runner.h"

#include "lang/lang.h"
#include "util/alloc.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

static void collect(void *ctx, const struct tern_lang_ref *ref)
{
    tern_buf *b = ctx;

    tern_buf_printf(b, "%s%s%s%s%s@%u:%u-%u;", ref->kind, ref->type ? ":" : "",
                    ref->type ? ref->type : "", ref->name ? "." : "",
                    ref->name ? ref->name : "", ref->range.start.line,
                    ref->range.start.column, ref->range.end.column);
}

static char *refs_of(const char *text)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_expr *e = NULL;
    tern_buf b = TERN_BUF_INIT;

    ASSERT_OK(tern_lang_parse_expr(&srcs, "e", text, strlen(text), &e, &d));
    tern_lang_expr_refs(e, collect, &b);
    tern_diags_release(&d);
    tern_lang_sources_free(&srcs);
    return tern_buf_detach(&b);
}

#define REFS(text, want)                                                       \
    do {                                                                       \
        char *got_ = refs_of(text);                                            \
        ASSERT_STR_EQ(got_, want);                                             \
        tern_free(got_);                                                       \
    } while (0)

TEST(lang_module, references)
{
    REFS("var.a", "var.a@1:1-6;");
    REFS("var.list[local.i].x", "var.list@1:1-9;local.i@1:10-17;");
    REFS("data.aws_iam_policy_document.p.json",
         "data:aws_iam_policy_document.p@1:1-31;");
    REFS("aws_iam_role.r[0].arn", "resource:aws_iam_role.r@1:1-15;");
    REFS("module.m.out", "module.m@1:1-9;");
    REFS("\"${each.key}-${count.index}\"",
         "each.key@1:4-12;count.index@1:16-27;");
    REFS("[for k, v in var.m : \"${k}=${v}\" if v != local.skip]",
         "var.m@1:14-19;local.skip@1:42-52;");
    REFS("{for s in var.l : s => upper(s)...}", "var.l@1:11-16;");
    REFS("var.users[*].name", "var.users@1:1-10;");
    REFS("1 + 2", "");
    REFS("nope", "bare.nope@1:1-5;");
    REFS("path.module", "path.module@1:1-12;");
}

static struct tern_lang_config *config(const char *text, struct tern_diags *d)
{
    struct tern_lang_config *cfg = tern_lang_config_new(".");

    ASSERT_NOT_NULL(cfg);
    tern_lang_config_add_file(cfg, "main.tf", text, strlen(text), d);
    return cfg;
}

static char *expand(const char *block, const char **first_error)
{
    static char summary[256];
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = config(block, &d);
    struct tern_lang_instances in;
    struct tern_lang_scope scope;
    tern_value *vars = tern_value_object_new();
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    tern_value_object_set(vars, "unk", tern_value_unknown());
    tern_value_object_set(vars, "secret",
                          tern_value_mark_sensitive(tern_value_int(2)));
    memset(&scope, 0, sizeof(scope));
    scope.vars = vars;
    ASSERT_EQ(d.count, 0);
    *first_error = NULL;
    if (tern_lang_expand(cfg->resources.items[0], &scope, &in, &d)) {
        snprintf(summary, sizeof(summary), "%s%s", d.items[0].summary,
                 in.unknown ? " (unknown)" : "");
        *first_error = summary;
    } else {
        for (i = 0; i < in.n; i++) {
            char *k = tern_value_render(in.keys[i], 0);

            tern_buf_printf(&b, "%s%s", i ? "," : "", k);
            tern_free(k);
        }
    }
    tern_lang_instances_release(&in);
    tern_value_decref(vars);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    return tern_buf_detach(&b);
}

#define EXPANDS(block, want_keys, want_error)                                  \
    do {                                                                       \
        const char *err_;                                                      \
        char *got_ = expand(block, &err_);                                     \
        if (want_error)                                                        \
            ASSERT_STR_EQ(err_, want_error);                                   \
        else                                                                   \
            ASSERT_STR_EQ(got_, want_keys);                                    \
        tern_free(got_);                                                       \
    } while (0)

/* Issue 20, finding 7: count = 100000000 grew until killed; now an error
 * at the count expression. */
TEST(lang_module, count_is_bounded)
{
    static const char text[] = "resource \"t\" \"n\" {\n"
                               "  count = 100000000\n"
                               "}\n";
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = config(text, &d);
    struct tern_lang_instances in;
    struct tern_lang_scope scope;
    const char *none = NULL;

    memset(&scope, 0, sizeof(scope));
    ASSERT_EQ(tern_lang_expand(cfg->resources.items[0], &scope, &in, &d),
              TERN_ERROR);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Invalid count argument");
    ASSERT_STR_EQ(d.items[0].detail,
                  "The given \"count\" argument value is unsuitable: tern "
                  "supports at most 100000 instances of one resource or data "
                  "source, not 100000000.");
    ASSERT_STR_EQ(d.items[0].range.file, "main.tf");
    ASSERT_EQ(d.items[0].range.start.line, 2);
    ASSERT_EQ(d.items[0].range.start.column, 11);
    ASSERT_EQ(d.items[0].range.end.column, 20);
    tern_lang_instances_release(&in);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    EXPANDS("resource \"t\" \"n\" { count = 100001 }", "",
            "Invalid count argument");
    EXPANDS("resource \"t\" \"n\" { count = 2 }", "0,1", none);
}

/* for_each is bounded as count is; 100,000 instances still expand, and
 * the arrays double rather than grow by one. */
TEST(lang_module, for_each_is_bounded)
{
    static const char text[] =
        "resource \"t\" \"n\" {\n"
        "  for_each = toset(flatten([for i in range(101) :\n"
        "    [for j in range(1000) : \"${i}-${j}\"]]))\n"
        "}\n";
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = config(text, &d);
    struct tern_lang_instances in;
    struct tern_lang_scope scope;
    char *keys;
    const char *err;

    memset(&scope, 0, sizeof(scope));
    ASSERT_EQ(tern_lang_expand(cfg->resources.items[0], &scope, &in, &d),
              TERN_ERROR);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Invalid for_each argument");
    ASSERT_STR_EQ(d.items[0].detail,
                  "The given \"for_each\" argument value is unsuitable: tern "
                  "supports at most 100000 instances of one resource or data "
                  "source, not 101000.");
    ASSERT_EQ(d.items[0].range.start.line, 2);
    ASSERT_EQ(d.items[0].range.start.column, 14);
    tern_lang_instances_release(&in);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    keys = expand("resource \"t\" \"n\" {\n"
                  "  for_each = { for k in flatten([for i in range(100) :\n"
                  "    [for j in range(1000) : \"${i}-${j}\"]]) : k => k }\n"
                  "}\n",
                  &err);
    ASSERT_NULL(err);
    ASSERT_EQ(strlen(keys), 878999);
    tern_free(keys);
}

TEST(lang_module, count_and_for_each)
{
    const char *none = NULL;

    EXPANDS("resource \"t\" \"n\" {}", "null", none);
    EXPANDS("resource \"t\" \"n\" { count = 3 }", "0,1,2", none);
    EXPANDS("resource \"t\" \"n\" { count = \"2\" }", "0,1", none);
    EXPANDS("resource \"t\" \"n\" { count = 0 }", "", none);
    EXPANDS("resource \"t\" \"n\" {\n for_each = { b = 1, a = 2 }\n}",
            "\"a\",\"b\"", none);
    EXPANDS("resource \"t\" \"n\" {\n for_each = toset([\"y\", \"x\"])\n}",
            "\"x\",\"y\"", none);
    EXPANDS("resource \"t\" \"n\" { count = -1 }", "",
            "Invalid count argument");
    EXPANDS("resource \"t\" \"n\" { count = 1.5 }", "",
            "Invalid count argument");
    EXPANDS("resource \"t\" \"n\" { count = null }", "",
            "Invalid count argument");
    EXPANDS("resource \"t\" \"n\" { count = var.unk }", "",
            "Invalid count argument (unknown)");
    EXPANDS("resource \"t\" \"n\" { count = var.secret }", "",
            "Invalid count argument");
    EXPANDS("resource \"t\" \"n\" {\n for_each = [\"a\"]\n}", "",
            "Invalid for_each argument");
    EXPANDS("resource \"t\" \"n\" {\n for_each = toset([1])\n}", "",
            "Invalid for_each set argument");
    EXPANDS("resource \"t\" \"n\" {\n for_each = var.unk\n}", "",
            "Invalid for_each argument (unknown)");
    EXPANDS("resource \"t\" \"n\" {\n for_each = { a = var.secret }\n}", "",
            "Invalid for_each argument");
    EXPANDS("resource \"t\" \"n\" {\n count = 1\n for_each = {}\n}", "",
            "Invalid combination of \"count\" and \"for_each\"");
}

TEST(lang_module, validate)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = config(
        "variable \"name\" {\n  type = string\n}\n"
        "variable \"bad\" {\n  type = lst(string)\n}\n"
        "locals {\n"
        "  a = var.nmae\n"
        "  b = local.a\n"
        "  c = local.nope\n"
        "}\n"
        "resource \"aws_iam_role\" \"r\" {\n"
        "  name = each.key\n"
        "  path = aws_iam_role.other.path\n"
        "  tags = { for k, v in var.name : k => v }\n"
        "  depends_on = [aws_iam_policy.p]\n"
        "  lifecycle {\n"
        "    ignore_changes = [tags]\n"
        "  }\n"
        "}\n"
        "resource \"aws_iam_user\" \"u\" {\n"
        "  count = 2\n"
        "  name  = \"u${count.index}-${data.aws_caller_identity.me.id}\"\n"
        "}\n"
        "output \"o\" {\n  value = module.m.x\n}\n",
        &d);

    ASSERT_EQ(d.count, 0);
    ASSERT_EQ(tern_lang_config_validate(cfg, &d), TERN_ERROR);
    ASSERT_EQ(d.count, 7);
    ASSERT_STR_EQ(d.items[0].summary, "Invalid type specification");
    ASSERT_STR_EQ(d.items[1].summary, "Reference to undeclared input variable");
    ASSERT_STR_EQ(d.items[1].detail,
                  "An input variable with the name \"nmae\" has not been "
                  "declared. Did you mean \"name\"?");
    ASSERT_STR_EQ(d.items[2].summary, "Reference to undeclared local value");
    ASSERT_STR_EQ(d.items[3].summary,
                  "Reference to \"each\" in context without for_each");
    ASSERT_STR_EQ(d.items[4].summary, "Reference to undeclared resource");
    ASSERT_EQ(d.items[4].range.start.line, 14);
    ASSERT_EQ(d.items[4].range.start.column, 10);
    ASSERT_EQ(d.items[4].range.end.column, 28);
    ASSERT_STR_EQ(d.items[5].summary, "Reference to undeclared resource");
    ASSERT_STR_EQ(d.items[5].detail,
                  "A data resource \"aws_caller_identity\" \"me\" has not been "
                  "declared in the root module.");
    ASSERT_STR_EQ(d.items[6].summary, "Reference to undeclared module");
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

static char *slurp(const char *path)
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

TEST(lang_module, validate_accepts_clean_cases)
{
    static const char *const files[] = {"main.tf", "main.tf.json"};
    char *root = tern_asprintf("%s/tests/cases/lang", tern_test_source_dir());
    DIR *dir = opendir(root);
    struct dirent *de;
    size_t f, checked = 0;

    ASSERT_NOT_NULL(dir);
    while ((de = readdir(dir)) != NULL) {
        char *expect, *path;

        if (de->d_name[0] == '.')
            continue;
        path = tern_asprintf("%s/%s/expect.txt", root, de->d_name);
        expect = slurp(path);
        tern_free(path);
        /* Cases whose golden output has diagnostics are not clean. */
        if (!expect || strstr(expect, "--- diagnostics")) {
            tern_free(expect);
            continue;
        }
        tern_free(expect);
        for (f = 0; f < 2; f++) {
            struct tern_diags d = TERN_DIAGS_INIT;
            struct tern_lang_config *cfg;
            char *text;

            path = tern_asprintf("%s/%s/%s", root, de->d_name, files[f]);
            text = slurp(path);
            tern_free(path);
            if (!text)
                continue;
            cfg = tern_lang_config_new(".");
            ASSERT_OK(tern_lang_config_add_file(cfg, files[f], text,
                                                strlen(text), &d));
            if (tern_lang_config_validate(cfg, &d) != TERN_OK)
                FAIL("%s/%s: %s: %s", de->d_name, files[f], d.items[0].summary,
                     d.items[0].detail);
            checked++;
            tern_diags_release(&d);
            tern_lang_config_free(cfg);
            tern_free(text);
        }
    }
    closedir(dir);
    tern_free(root);
    ASSERT_CMP(checked, >=, 14);
}

TEST(lang_module, dynamic_block_errors)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = config(
        "resource \"t\" \"a\" {\n"
        "  dynamic \"x\" {\n    content {}\n  }\n"
        "  dynamic \"y\" {\n    for_each = 5\n    content {}\n  }\n"
        "  dynamic \"z\" {\n    for_each = [1]\n  }\n"
        "  dynamic \"u\" {\n    for_each = var.unk\n    content {}\n  }\n"
        "}\n",
        &d);
    struct tern_lang_scope scope;
    tern_value *vars = tern_value_object_new(), *v = NULL;

    tern_value_object_set(vars, "unk", tern_value_unknown());
    memset(&scope, 0, sizeof(scope));
    scope.vars = vars;
    ASSERT_EQ(
        tern_lang_body_eval(cfg->resources.items[0]->body, &scope, 1, &v, &d),
        TERN_ERROR);
    ASSERT_EQ(d.count, 3);
    ASSERT_STR_EQ(d.items[0].summary, "Missing required argument");
    ASSERT_STR_EQ(d.items[1].summary, "Invalid dynamic for_each value");
    ASSERT_STR_EQ(d.items[2].summary, "Missing required block");
    ASSERT_TRUE(tern_value_is_unknown(tern_value_object_get(v, "u")));
    tern_value_decref(v);
    tern_value_decref(vars);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

/* The module tree: local sources resolved from the calling module's
 * directory ("../x" from modules/a is modules/x), files named from the
 * root, keys as modules.json writes them; a source that is not a literal
 * string is an error at the source. */
TEST(lang_module, module_tree_loads)
{
    const char *dir = tern_test_tmpdir();
    char sub[4096];
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = NULL;
    const struct tern_lang_config *a, *x;
    FILE *f;

    snprintf(sub, sizeof(sub), "%s/modules", dir);
    ASSERT_EQ(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof(sub), "%s/modules/a", dir);
    ASSERT_EQ(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof(sub), "%s/modules/x", dir);
    ASSERT_EQ(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof(sub), "%s/main.tf", dir);
    ASSERT_NOT_NULL(f = fopen(sub, "w"));
    fputs("module \"a\" {\n  source = \"./modules/a\"\n}\n", f);
    fclose(f);
    snprintf(sub, sizeof(sub), "%s/modules/a/main.tf", dir);
    ASSERT_NOT_NULL(f = fopen(sub, "w"));
    fputs("module \"x\" {\n  source = \"../x\"\n}\n", f);
    fclose(f);
    snprintf(sub, sizeof(sub), "%s/modules/x/main.tf", dir);
    ASSERT_NOT_NULL(f = fopen(sub, "w"));
    fputs("variable \"v\" {}\n", f);
    fclose(f);
    ASSERT_EQ(tern_lang_config_load(dir, &cfg, &d), TERN_OK);
    ASSERT_EQ(d.count, 0);
    ASSERT_EQ(cfg->ncalls, 1);
    ASSERT_NOT_NULL(a = cfg->calls[0].cfg);
    ASSERT_STR_EQ(a->rel, "modules/a");
    ASSERT_STR_EQ(a->key, "a");
    ASSERT_EQ(a->ncalls, 1);
    ASSERT_NOT_NULL(x = a->calls[0].cfg);
    ASSERT_STR_EQ(x->rel, "modules/x");
    ASSERT_STR_EQ(x->key, "a.x");
    ASSERT_EQ(x->variables.n, 1);
    /* The root holds every file, named from the root. */
    ASSERT_EQ(cfg->sources.n, 3);
    ASSERT_STR_EQ(cfg->sources.files[1]->name, "modules/a/main.tf");
    ASSERT_STR_EQ(cfg->sources.files[2]->name, "modules/x/main.tf");
    tern_lang_config_free(cfg);

    snprintf(sub, sizeof(sub), "%s/main.tf", dir);
    ASSERT_NOT_NULL(f = fopen(sub, "w"));
    fputs("variable \"v\" {}\nmodule \"a\" {\n  source = \"${var.v}/a\"\n}\n",
          f);
    fclose(f);
    ASSERT_EQ(tern_lang_config_load(dir, &cfg, &d), TERN_ERROR);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Invalid module source address");
    ASSERT_STR_EQ(d.items[0].detail,
                  "The module source address must be a literal string.");
    ASSERT_EQ(d.items[0].range.start.line, 3);
    ASSERT_EQ(d.items[0].range.start.column, 12);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

/* Left-associative chains are built by loops in the parser, so only the
 * walkers' depth limit stands between them and the end of the stack:
 * validate, references and evaluation each end in a diagnostic. */
TEST(lang_module, deep_chains_are_diagnosed)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg;
    struct tern_lang_scope scope;
    tern_buf b = TERN_BUF_INIT;
    tern_value *v = NULL;
    char *text, *refs, *got;
    int i, n;

    tern_buf_puts(&b, "locals {\n  sum = 1");
    for (i = 1; i < 50000; i++)
        tern_buf_puts(&b, " + 1");
    tern_buf_puts(&b, "\n  idx = [1]");
    for (i = 0; i < 100000; i++)
        tern_buf_puts(&b, "[0]");
    tern_buf_puts(&b, "\n  ok = 1");
    for (i = 1; i < 900; i++)
        tern_buf_puts(&b, " + local.x");
    tern_buf_puts(&b, "\n  x = 1\n}\n");
    text = tern_buf_detach(&b);
    cfg = config(text, &d);
    ASSERT_EQ(d.count, 0);
    ASSERT_EQ(tern_lang_config_validate(cfg, &d), TERN_ERROR);
    ASSERT_EQ(d.count, 2);
    for (i = 0; i < 2; i++) {
        ASSERT_STR_EQ(d.items[i].summary, "Expression too deeply nested");
        ASSERT_STR_EQ(d.items[i].detail,
                      "This expression nests more than 1000 levels deep.");
        ASSERT_EQ(d.items[i].range.start.line, (unsigned)(2 + i));
        ASSERT_EQ(d.items[i].range.start.column, 9);
    }
    /* The node 1000 levels down: the first 49,000 terms, and [1] with
     * 99,000 of its indexes. */
    ASSERT_EQ(d.items[0].range.end.column, 9 + 1 + 4 * 48999);
    ASSERT_EQ(d.items[1].range.end.column, 9 + 3 + 3 * 99000);
    tern_diags_release(&d);

    /* References stop at the same depth instead of overflowing: the
     * right operands of the 999 binary nodes above the limit. */
    tern_buf_puts(&b, "var.a");
    for (i = 1; i < 50000; i++)
        tern_buf_puts(&b, " + var.b");
    refs = tern_buf_detach(&b);
    got = refs_of(refs);
    for (i = 0, n = 0; got[i]; i++)
        n += got[i] == ';';
    ASSERT_EQ(n, 999);
    ASSERT_EQ(strncmp(got, "var.b@1:", 8), 0);
    tern_free(got);
    tern_free(refs);
    memset(&scope, 0, sizeof(scope));
    ASSERT_EQ(tern_lang_eval(cfg->local_attrs[1]->expr, &scope, &v, &d),
              TERN_ERROR);
    ASSERT_NULL(v);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Expression too deeply nested");
    ASSERT_STR_EQ(d.items[0].detail,
                  "This expression nests more than 1000 levels deep.");
    ASSERT_EQ(d.items[0].range.start.column, 9);
    ASSERT_EQ(d.items[0].range.end.column, 9 + 3 + 3 * 99000);
    tern_diags_release(&d);
    tern_free(text);
    tern_lang_config_free(cfg);
}

const struct tern_test test_lang_module_list[] = {
    TEST_UNIT(lang_module, references),
    TEST_UNIT(lang_module, count_and_for_each),
    TEST_UNIT(lang_module, count_is_bounded),
    TEST_UNIT(lang_module, for_each_is_bounded),
    TEST_UNIT(lang_module, validate),
    TEST_UNIT(lang_module, validate_accepts_clean_cases),
    TEST_UNIT(lang_module, dynamic_block_errors),
    TEST_UNIT(lang_module, module_tree_loads),
    TEST_UNIT(lang_module, deep_chains_are_diagnosed),
    TEST_END,
};
