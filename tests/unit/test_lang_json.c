/* src/lang: the JSON syntax into the same tree as the native syntax. */
#include "runner.h"

#include "lang/lang.h"
#include "util/alloc.h"

struct parsed {
    struct tern_lang_sources srcs;
    struct tern_diags diags;
    struct tern_lang_file *file;
    int error;
};

static void parse(struct parsed *p, const char *text)
{
    memset(p, 0, sizeof(*p));
    p->error = tern_lang_parse_json(&p->srcs, "main.tf.json", text,
                                    strlen(text), &p->file, &p->diags);
    ASSERT_NOT_NULL(p->file);
    ASSERT_NOT_NULL(p->file->body);
}

static void release(struct parsed *p)
{
    tern_diags_release(&p->diags);
    tern_lang_sources_free(&p->srcs);
}

static char *eval_attr(const struct tern_body *b, const char *name)
{
    const struct tern_attribute *a = tern_lang_body_attr(b, name);
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_value *v = NULL;
    char *s;

    ASSERT_NOT_NULL(a);
    ASSERT_OK(tern_lang_eval(a->expr, NULL, &v, &d));
    s = tern_value_render(v, 0);
    tern_value_decref(v);
    tern_diags_release(&d);
    return s;
}

TEST(lang_json, blocks_from_schema)
{
    struct parsed p;
    const struct tern_block *b;
    char *s;

    parse(&p,
          "{\n"
          "  \"//\": \"comment\",\n"
          "  \"resource\": {\n"
          "    \"aws_iam_role\": {\n"
          "      \"a\": {\"name\": \"a\", \"lifecycle\": {\"ignore_changes\": "
          "[\"tags\"]}},\n"
          "      \"b\": [{\"name\": \"b\"}]\n"
          "    }\n"
          "  },\n"
          "  \"data\": {\"aws_iam_policy_document\": {\"d\": {\n"
          "    \"statement\": [{\"actions\": [\"s3:*\"], \"principals\": "
          "{\"type\": \"AWS\"}}, {\"sid\": \"two\"}]\n"
          "  }}},\n"
          "  \"variable\": {\"v\": {\"type\": \"list(string)\"}},\n"
          "  \"locals\": [{\"x\": 1}, {\"y\": \"${1 + 1}\"}]\n"
          "}\n");
    ASSERT_OK(p.error);
    ASSERT_EQ(p.file->body->nblocks, 6);
    b = p.file->body->blocks[0];
    ASSERT_STR_EQ(b->type, "resource");
    ASSERT_STR_EQ(b->labels[0], "aws_iam_role");
    ASSERT_STR_EQ(b->labels[1], "a");
    ASSERT_EQ(b->body->nblocks, 1);
    ASSERT_STR_EQ(b->body->blocks[0]->type, "lifecycle");
    /* ignore_changes holds expressions, not strings. */
    ASSERT_EQ(tern_lang_body_attr(b->body->blocks[0]->body, "ignore_changes")
                  ->expr->u.list.items[0]
                  ->kind,
              TERN_EXPR_VAR);
    ASSERT_STR_EQ(p.file->body->blocks[1]->labels[1], "b");
    b = p.file->body->blocks[2];
    ASSERT_STR_EQ(b->type, "data");
    ASSERT_EQ(b->body->nblocks, 2);
    ASSERT_STR_EQ(b->body->blocks[0]->body->blocks[0]->type, "principals");
    b = p.file->body->blocks[3];
    ASSERT_EQ(tern_lang_body_attr(b->body, "type")->expr->kind, TERN_EXPR_CALL);
    b = p.file->body->blocks[5];
    s = eval_attr(b->body, "y");
    ASSERT_STR_EQ(s, "2");
    tern_free(s);
    release(&p);
}

TEST(lang_json, positions)
{
    struct parsed p;
    const struct tern_block *b;
    const struct tern_attribute *a;

    parse(&p, "{\n"
              "  \"variable\": {\n"
              "    \"name\": {\n"
              "      \"default\": \"x-${upper(\\\"a\\\")}\"\n"
              "    }\n"
              "  }\n"
              "}\n");
    ASSERT_OK(p.error);
    b = p.file->body->blocks[0];
    ASSERT_EQ(b->type_range.start.line, 2);
    ASSERT_EQ(b->type_range.start.column, 3);
    ASSERT_EQ(b->label_ranges[0].start.line, 3);
    ASSERT_EQ(b->label_ranges[0].start.column, 5);
    ASSERT_EQ(b->label_ranges[0].end.column, 11);
    ASSERT_EQ(b->range.end.line, 5);
    a = tern_lang_body_attr(b->body, "default");
    ASSERT_EQ(a->name_range.start.line, 4);
    ASSERT_EQ(a->name_range.start.column, 7);
    ASSERT_EQ(a->expr->range.start.line, 4);
    /* Inside the string: the interpolation's call starts after "x-${. */
    ASSERT_EQ(a->expr->u.list.items[1]->range.start.column, 23);
    release(&p);
}

TEST(lang_json, errors)
{
    struct parsed p;

    parse(&p, "{\n  \"resource\": {\n    \"aws_iam_role\": [1]\n  }\n}");
    ASSERT_EQ(p.error, TERN_ERROR);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Incorrect JSON value type");
    release(&p);
    parse(&p, "{\n  \"a\": 1,\n  \"b\": }\n");
    ASSERT_EQ(p.error, TERN_ERROR);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Invalid JSON");
    ASSERT_EQ(p.diags.items[0].range.start.line, 3);
    release(&p);
    parse(&p, "{\"a\": 1, \"a\": 2}");
    ASSERT_EQ(p.error, TERN_ERROR);
    release(&p);
    parse(&p, "[1]");
    ASSERT_STR_EQ(p.diags.items[0].summary, "Incorrect JSON value type");
    release(&p);
    parse(&p, "{\"locals\": {\"x\": \"${1 +}\"}}");
    ASSERT_EQ(p.error, TERN_ERROR);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Invalid expression");
    ASSERT_EQ(p.diags.items[0].range.start.column, 24);
    release(&p);
}

/* Bytes that are not UTF-8: HCL's "Invalid character encoding" at their
 * line and column, before Jansson (which names neither). */
TEST(lang_json, invalid_utf8_is_an_encoding_error)
{
    struct parsed p;

    parse(&p, "{\"locals\": {\"a\": \"\xff\"}}");
    ASSERT_EQ(p.error, TERN_ERROR);
    ASSERT_EQ(p.diags.count, 1);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Invalid character encoding");
    ASSERT_STR_EQ(
        p.diags.items[0].detail,
        "Byte 0xff here is not valid UTF-8. All input files must be UTF-8 "
        "encoded. Ensure that UTF-8 encoding is selected in your editor.");
    ASSERT_STR_EQ(p.diags.items[0].range.file, "main.tf.json");
    ASSERT_EQ(p.diags.items[0].range.start.line, 1);
    ASSERT_EQ(p.diags.items[0].range.start.column, 19);
    ASSERT_EQ(p.file->body->nblocks, 0);
    release(&p);
    /* A key, after a multi-byte character, on the third line. */
    parse(&p, "{\n  \"locals\": {\n    \"\xc3\xa9\xc3\": 1\n  }\n}\n");
    ASSERT_EQ(p.error, TERN_ERROR);
    ASSERT_EQ(p.diags.count, 1);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Invalid character encoding");
    ASSERT_EQ(p.diags.items[0].range.start.line, 3);
    ASSERT_EQ(p.diags.items[0].range.start.column, 7);
    release(&p);
}

TEST(lang_json, load_directory_in_name_order)
{
    const char *dir = tern_test_tmpdir();
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = NULL;
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/b.tf", dir);
    f = fopen(path, "w");
    fputs("variable \"x\" {}\nresource \"aws_iam_role\" \"r\" {}\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/a.tf.json", dir);
    f = fopen(path, "w");
    fputs("{\"variable\": {\"x\": {}}, \"locals\": {\"l\": 1}}", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/.hidden.tf", dir);
    f = fopen(path, "w");
    fputs("this is not parsed", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/notes.txt", dir);
    f = fopen(path, "w");
    fputs("neither is this", f);
    fclose(f);
    ASSERT_EQ(tern_lang_config_load(dir, &cfg, &d), TERN_ERROR);
    ASSERT_NOT_NULL(cfg);
    ASSERT_EQ(cfg->sources.n, 2);
    ASSERT_STR_EQ(cfg->sources.files[0]->name, "a.tf.json");
    ASSERT_EQ(cfg->variables.n, 1);
    ASSERT_EQ(cfg->resources.n, 1);
    ASSERT_EQ(cfg->nlocal_attrs, 1);
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].summary, "Duplicate variable declaration");
    ASSERT_STR_EQ(
        d.items[0].detail,
        "A variable named \"x\" was already declared at a.tf.json:1,2-18. "
        "Variable names must be unique within a module.");
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    ASSERT_EQ(tern_lang_config_load("/nonexistent/dir", &cfg, &d), TERN_ERROR);
    ASSERT_NULL(cfg);
    tern_diags_release(&d);
}

const struct tern_test test_lang_json_list[] = {
    TEST_UNIT(lang_json, blocks_from_schema),
    TEST_UNIT(lang_json, positions),
    TEST_UNIT(lang_json, errors),
    TEST_UNIT(lang_json, invalid_utf8_is_an_encoding_error),
    TEST_UNIT(lang_json, load_directory_in_name_order),
    TEST_END,
};
