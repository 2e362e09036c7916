/* src/lang: the native syntax parser, its tree, ranges and error recovery. */
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
    p->error = tern_lang_parse_hcl(&p->srcs, "main.tf", text, strlen(text),
                                   &p->file, &p->diags);
    ASSERT_NOT_NULL(p->file);
    ASSERT_NOT_NULL(p->file->body);
}

static void release(struct parsed *p)
{
    tern_diags_release(&p->diags);
    tern_lang_sources_free(&p->srcs);
}

static char *render(struct parsed *p)
{
    tern_buf b = TERN_BUF_INIT;

    ASSERT_OK(tern_lang_diags_render(&b, &p->diags, &p->srcs));
    return tern_buf_detach(&b);
}

TEST(lang_parse, blocks_labels_attributes)
{
    struct parsed p;
    const struct tern_body *body;
    const struct tern_block *b;

    parse(&p, "# IAM\n"
              "resource \"aws_iam_role\" \"this\" {\n"
              "  name = \"app\"\n"
              "  path = \"/\"\n"
              "\n"
              "  inline_policy {\n"
              "    name = \"x\"\n"
              "  }\n"
              "}\n"
              "locals { a = 1 }\n"
              "terraform {}\n"
              "block ident_label {\n}\n");
    ASSERT_OK(p.error);
    ASSERT_EQ(p.diags.count, 0);
    body = p.file->body;
    ASSERT_EQ(body->nblocks, 4);
    b = body->blocks[0];
    ASSERT_STR_EQ(b->type, "resource");
    ASSERT_EQ(b->nlabels, 2);
    ASSERT_STR_EQ(b->labels[0], "aws_iam_role");
    ASSERT_STR_EQ(b->labels[1], "this");
    ASSERT_EQ(b->type_range.start.line, 2);
    ASSERT_EQ(b->type_range.start.column, 1);
    ASSERT_EQ(b->label_ranges[1].start.column, 25);
    ASSERT_EQ(b->label_ranges[1].end.column, 31);
    ASSERT_EQ(b->body->nattrs, 2);
    ASSERT_STR_EQ(b->body->attrs[1].name, "path");
    ASSERT_EQ(b->body->attrs[1].name_range.start.line, 4);
    ASSERT_EQ(b->body->attrs[1].name_range.start.column, 3);
    ASSERT_EQ(b->body->attrs[1].expr->range.start.column, 10);
    ASSERT_EQ(b->body->nblocks, 1);
    ASSERT_STR_EQ(b->body->blocks[0]->type, "inline_policy");
    ASSERT_EQ(b->range.end.line, 9);
    ASSERT_STR_EQ(body->blocks[1]->type, "locals");
    ASSERT_EQ(body->blocks[1]->body->nattrs, 1);
    ASSERT_EQ(body->blocks[3]->nlabels, 1);
    ASSERT_STR_EQ(body->blocks[3]->labels[0], "ident_label");
    release(&p);
}

TEST(lang_parse, expression_shapes)
{
    struct parsed p;
    const struct tern_attribute *a;

    parse(&p, "a = 1 + 2 * 3\n"
              "b = x ? y : z\n"
              "c = [for k, v in m : v if k != \"\"]\n"
              "d = {for v in l : v.name => v...}\n"
              "e = f(a, b...)\n"
              "f = a.b[0].c.*.d\n"
              "g = a[*].b[\"k\"]\n"
              "h = -x\n"
              "i = !a || b && c == d\n"
              "j = { (k) = 1, \"s\" : 2, id = 3 }\n"
              "k = a.0.1\n");
    ASSERT_OK(p.error);
    a = tern_lang_body_attr(p.file->body, "a");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_BINARY);
    ASSERT_EQ(a->expr->u.op.op, TERN_OP_ADD);
    ASSERT_EQ(a->expr->u.op.b->u.op.op, TERN_OP_MUL);
    ASSERT_EQ(tern_lang_body_attr(p.file->body, "b")->expr->kind,
              TERN_EXPR_COND);
    a = tern_lang_body_attr(p.file->body, "c");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_FOR);
    ASSERT_STR_EQ(a->expr->u.for_.key_var, "k");
    ASSERT_NOT_NULL(a->expr->u.for_.cond);
    a = tern_lang_body_attr(p.file->body, "d");
    ASSERT_TRUE(a->expr->u.for_.is_object);
    ASSERT_TRUE(a->expr->u.for_.group);
    ASSERT_NULL(a->expr->u.for_.key_var);
    a = tern_lang_body_attr(p.file->body, "e");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_CALL);
    ASSERT_TRUE(a->expr->u.call.expand_final);
    ASSERT_EQ(a->expr->u.call.n, 2);
    a = tern_lang_body_attr(p.file->body, "f");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_SPLAT);
    ASSERT_EQ(a->expr->u.splat.each->kind, TERN_EXPR_GETATTR);
    a = tern_lang_body_attr(p.file->body, "g");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_SPLAT);
    ASSERT_EQ(a->expr->u.splat.each->kind, TERN_EXPR_INDEX);
    a = tern_lang_body_attr(p.file->body, "h");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_UNARY);
    a = tern_lang_body_attr(p.file->body, "i");
    ASSERT_EQ(a->expr->u.op.op, TERN_OP_OR);
    ASSERT_EQ(a->expr->u.op.b->u.op.op, TERN_OP_AND);
    ASSERT_EQ(a->expr->u.op.b->u.op.b->u.op.op, TERN_OP_EQ);
    a = tern_lang_body_attr(p.file->body, "j");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_OBJECT);
    ASSERT_EQ(a->expr->u.object.n, 3);
    ASSERT_EQ(a->expr->u.object.keys[0]->kind, TERN_EXPR_PAREN);
    ASSERT_EQ(a->expr->u.object.keys[2]->kind, TERN_EXPR_LITERAL);
    a = tern_lang_body_attr(p.file->body, "k");
    ASSERT_EQ(a->expr->kind, TERN_EXPR_INDEX);
    ASSERT_EQ(a->expr->u.index.obj->kind, TERN_EXPR_INDEX);
    release(&p);
}

TEST(lang_parse, multiline_collections_trailing_commas)
{
    struct parsed p;
    const struct tern_attribute *a;

    parse(&p, "tags = {\n"
              "  Name = \"x\",\n"
              "  \"kubernetes.io/role\" = \"y\"\n"
              "\n"
              "  Team = \"z\",\n"
              "}\n"
              "list = [\n"
              "  \"a\",\n"
              "  \"b\",\n"
              "]\n"
              "call = join(\n"
              "  \",\",\n"
              "  list,\n"
              ")\n");
    ASSERT_OK(p.error);
    a = tern_lang_body_attr(p.file->body, "tags");
    ASSERT_EQ(a->expr->u.object.n, 3);
    ASSERT_EQ(tern_lang_body_attr(p.file->body, "list")->expr->u.list.n, 2);
    ASSERT_EQ(tern_lang_body_attr(p.file->body, "call")->expr->u.call.n, 2);
    release(&p);
}

TEST(lang_parse, reports_every_error_and_recovers)
{
    struct parsed p;

    parse(&p, "a = 1\n"
              "b = = 2\n"
              "c = 3\n"
              "resource \"x\" \"y\" {\n"
              "  d = [1 2]\n"
              "  e = 4\n"
              "}\n"
              "f 5\n"
              "g = 6\n");
    ASSERT_EQ(p.error, TERN_ERROR);
    ASSERT_EQ(p.diags.count, 3);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Invalid expression");
    ASSERT_EQ(p.diags.items[0].range.start.line, 2);
    ASSERT_STR_EQ(p.diags.items[1].summary, "Missing item separator");
    ASSERT_EQ(p.diags.items[1].range.start.line, 5);
    ASSERT_STR_EQ(p.diags.items[2].summary,
                  "Argument or block definition required");
    ASSERT_EQ(p.diags.items[2].range.start.line, 8);
    /* What parsed is still there. */
    ASSERT_NOT_NULL(tern_lang_body_attr(p.file->body, "c"));
    ASSERT_NOT_NULL(tern_lang_body_attr(p.file->body, "g"));
    ASSERT_EQ(p.file->body->nblocks, 1);
    ASSERT_NOT_NULL(tern_lang_body_attr(p.file->body->blocks[0]->body, "e"));
    release(&p);
}

TEST(lang_parse, unclosed_block_and_redefined_attribute)
{
    struct parsed p;

    parse(&p, "a = 1\n"
              "a = 2\n"
              "variable \"x\" {\n"
              "  default = 1\n");
    ASSERT_EQ(p.diags.count, 2);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Attribute redefined");
    ASSERT_STR_EQ(p.diags.items[0].detail,
                  "The argument \"a\" was already set at main.tf:1,1-2. Each "
                  "argument may be set only once.");
    ASSERT_STR_EQ(p.diags.items[1].summary, "Unclosed configuration block");
    ASSERT_EQ(p.diags.items[1].range.start.line, 3);
    release(&p);
}

/*
 * 40,000 arguments in one body, one of them set twice at the end: found
 * through the name set (issue 20, finding 7: the pairwise check was
 * quadratic, 5.75 s for a 40,000-attribute locals block).
 */
TEST(lang_parse, many_attributes_redefined)
{
    struct parsed p;
    tern_buf b = TERN_BUF_INIT;
    char *text;
    int i;

    for (i = 0; i < 40000; i++)
        tern_buf_printf(&b, "a%d = %d\n", i, i);
    tern_buf_puts(&b, "a39999 = 0\na17 = 0\n");
    text = tern_buf_detach(&b);
    ASSERT_NOT_NULL(text);
    parse(&p, text);
    tern_free(text);
    ASSERT_EQ(p.file->body->nattrs, 40000);
    ASSERT_EQ(p.diags.count, 2);
    ASSERT_STR_EQ(p.diags.items[0].detail,
                  "The argument \"a39999\" was already set at "
                  "main.tf:40000,1-7. Each argument may be set only once.");
    ASSERT_STR_EQ(p.diags.items[1].detail,
                  "The argument \"a17\" was already set at main.tf:18,1-4. "
                  "Each argument may be set only once.");
    release(&p);
}

TEST(lang_parse, diagnostic_rendering_golden)
{
    struct parsed p;
    char *out;

    parse(&p, "resource \"aws_iam_role\" \"x\" {\n"
              "  name = \"x\"\n"
              "  path = [1 2]\n"
              "}\n");
    ASSERT_EQ(p.diags.count, 1);
    tern_diags_add(&p.diags, TERN_SEV_WARNING,
                   &p.file->body->blocks[0]->body->attrs[0].name_range,
                   "Unsupported argument",
                   "An argument named \"%s\" is not expected here. Did you "
                   "mean \"%s\"?",
                   "nmae", "name");
    out = render(&p);
    ASSERT_STR_EQ(out,
                  "Error: Missing item separator\n"
                  "\n"
                  "  on main.tf line 3, in resource \"aws_iam_role\" \"x\":\n"
                  "   3:   path = [1 2]\n"
                  "                  ^\n"
                  "\n"
                  "Expected a comma to mark the beginning of the next item.\n"
                  "\n"
                  "Warning: Unsupported argument\n"
                  "\n"
                  "  on main.tf line 2, in resource \"aws_iam_role\" \"x\":\n"
                  "   2:   name = \"x\"\n"
                  "        ^^^^\n"
                  "\n"
                  "An argument named \"nmae\" is not expected here. Did you "
                  "mean \"name\"?\n");
    tern_free(out);
    release(&p);
}

TEST(lang_parse, suggest_by_edit_distance)
{
    static const char *const names[] = {"name", "path", "description",
                                        "assume_role_policy"};

    ASSERT_EQ(tern_lang_edit_distance("kitten", "sitting"), 3);
    ASSERT_EQ(tern_lang_edit_distance("", "abc"), 3);
    ASSERT_STR_EQ(tern_lang_suggest("nmae", names, 4), "name");
    ASSERT_STR_EQ(tern_lang_suggest("assume_role_polcy", names, 4),
                  "assume_role_policy");
    ASSERT_NULL(tern_lang_suggest("xyzzy", names, 4));
}

TEST(lang_parse, deep_nesting_is_an_error_not_a_crash)
{
    struct parsed p;
    size_t n = 20000, i;
    char *text = tern_malloc(2 * n + 16);

    memcpy(text, "a = ", 4);
    for (i = 0; i < n; i++)
        text[4 + i] = '[';
    for (i = 0; i < n; i++)
        text[4 + n + i] = ']';
    text[4 + 2 * n] = '\n';
    text[5 + 2 * n] = '\0';
    parse(&p, text);
    ASSERT_EQ(p.error, TERN_ERROR);
    ASSERT_STR_EQ(p.diags.items[0].summary, "Expression too deeply nested");
    tern_free(text);
    release(&p);
}

/* Terraform reads only UTF-8: the first bytes that are not are one error
 * at their line and column (characters, not bytes), and the rendered line
 * shows them as U+FFFD with the carets under them. */
TEST(lang_parse, invalid_utf8_is_an_encoding_error)
{
    static const struct {
        const char *text;
        unsigned line, col, end_col;
    } bad[] = {
        {"locals {\n  x = \"\xff\xfe\"\n}\n", 2, 8, 10},
        {"a = \"\xc3\xa9\xe2\x82\xac\x80\"\n", 1, 8, 9}, /* after é€ */
        {"a = \"\xc0\xaf\"\n", 1, 6, 8},                 /* overlong / */
        {"a = \"\xed\xa0\x80\"\n", 1, 6, 9},             /* surrogate */
        {"a = \"\xf4\x90\x80\x80\"\n", 1, 6, 10},        /* > U+10FFFF */
        {"a = 1\n# \xe2\x82", 2, 3, 5},                  /* cut short */
        {"\xef\xbb\xbf\xfe", 1, 2, 3},                   /* BOM, then bad */
    };
    static const char *const good[] = {
        "a = \"\xc3\xa9\"\n", "a = \"\xe2\x82\xac\"\n",
        "a = \"\xf0\x9f\x98\x80\"\n", "a = \"\xf4\x8f\xbf\xbf\"\n"};
    struct parsed p;
    size_t i;
    char *out;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parse(&p, bad[i].text);
        ASSERT_EQ(p.error, TERN_ERROR);
        ASSERT_EQ(p.diags.count, 1);
        ASSERT_STR_EQ(p.diags.items[0].summary, "Invalid character encoding");
        ASSERT_STR_CONTAINS(p.diags.items[0].detail,
                            "All input files must be UTF-8 encoded.");
        ASSERT_STR_EQ(p.diags.items[0].range.file, "main.tf");
        ASSERT_EQ(p.diags.items[0].range.start.line, bad[i].line);
        ASSERT_EQ(p.diags.items[0].range.start.column, bad[i].col);
        ASSERT_EQ(p.diags.items[0].range.end.column, bad[i].end_col);
        /* Nothing of a file that is not text is taken as configuration. */
        ASSERT_EQ(p.file->body->nattrs + p.file->body->nblocks, 0);
        release(&p);
    }
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        parse(&p, good[i]);
        ASSERT_OK(p.error);
        ASSERT_EQ(p.diags.count, 0);
        release(&p);
    }
    parse(&p, bad[0].text);
    out = render(&p);
    ASSERT_STR_EQ(out, "Error: Invalid character encoding\n"
                       "\n"
                       "  on main.tf line 2:\n"
                       "   2:   x = \"\xef\xbf\xbd\xef\xbf\xbd\"\n"
                       "             ^^\n"
                       "\n"
                       "Byte 0xff here is not valid UTF-8. All input files "
                       "must be UTF-8 encoded. Ensure that UTF-8 encoding is "
                       "selected in your editor.\n");
    tern_free(out);
    release(&p);
}

/* The same for an expression or a template parsed on its own (a -var
 * value of a complex type, templatefile). */
TEST(lang_parse, invalid_utf8_in_expression_and_template)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_expr *e = NULL;

    ASSERT_EQ(
        tern_lang_parse_expr(&srcs, "-var", "[\"a\", \"\xff\"]", 9, &e, &d),
        TERN_ERROR);
    ASSERT_NULL(e);
    ASSERT_EQ(
        tern_lang_parse_template(&srcs, "t.tpl", "hi ${x}\n\xfe", 9, &e, &d),
        TERN_ERROR);
    ASSERT_NULL(e);
    ASSERT_EQ(d.count, 2);
    ASSERT_STR_EQ(d.items[0].summary, "Invalid character encoding");
    ASSERT_EQ(d.items[0].range.start.column, 8);
    ASSERT_STR_EQ(d.items[1].summary, "Invalid character encoding");
    ASSERT_STR_EQ(d.items[1].range.file, "t.tpl");
    ASSERT_EQ(d.items[1].range.start.line, 2);
    ASSERT_EQ(d.items[1].range.start.column, 1);
    tern_diags_release(&d);
    tern_lang_sources_free(&srcs);
}

const struct tern_test test_lang_parse_list[] = {
    TEST_UNIT(lang_parse, blocks_labels_attributes),
    TEST_UNIT(lang_parse, expression_shapes),
    TEST_UNIT(lang_parse, multiline_collections_trailing_commas),
    TEST_UNIT(lang_parse, reports_every_error_and_recovers),
    TEST_UNIT(lang_parse, unclosed_block_and_redefined_attribute),
    TEST_UNIT(lang_parse, many_attributes_redefined),
    TEST_UNIT(lang_parse, diagnostic_rendering_golden),
    TEST_UNIT(lang_parse, suggest_by_edit_distance),
    TEST_UNIT(lang_parse, deep_nesting_is_an_error_not_a_crash),
    TEST_UNIT(lang_parse, invalid_utf8_is_an_encoding_error),
    TEST_UNIT(lang_parse, invalid_utf8_in_expression_and_template),
    TEST_END,
};
