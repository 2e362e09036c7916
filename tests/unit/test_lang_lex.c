/* src/lang: lexical structure of the native syntax, seen through parsing
 * and evaluation of small inputs: comments, numbers, strings, escapes,
 * heredocs, template sequences, invalid characters. */
#include "runner.h"

#include "lang/lang.h"
#include "util/alloc.h"

/* Parse a file, evaluate attribute "v", return its rendering or the first
 * diagnostic's summary prefixed with "!". */
static char *value_of(const char *text)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tern_lang_file *f = NULL;
    const struct tern_attribute *a;
    tern_value *v = NULL;
    char *out;

    tern_lang_parse_hcl(&srcs, "main.tf", text, strlen(text), &f, &diags);
    if (diags.count == 0) {
        a = tern_lang_body_attr(f->body, "v");
        ASSERT_NOT_NULL(a);
        tern_lang_eval(a->expr, NULL, &v, &diags);
    }
    if (diags.count)
        out = tern_asprintf("!%s", diags.items[0].summary);
    else
        out = tern_value_render(v, 0);
    tern_value_decref(v);
    tern_diags_release(&diags);
    tern_lang_sources_free(&srcs);
    return out;
}

#define CHECK(text, want)                                                      \
    do {                                                                       \
        char *got_ = value_of(text);                                           \
        ASSERT_STR_EQ(got_, want);                                             \
        tern_free(got_);                                                       \
    } while (0)

TEST(lang_lex, comments)
{
    CHECK("# one\n// two\n/* three\n four */ v = 1 # trailing\n", "1");
    CHECK("v = /* inline */ 2 // end\n", "2");
    CHECK("v = 1\n/* never closed", "!Unterminated comment");
}

TEST(lang_lex, numbers)
{
    CHECK("v = 42", "42");
    CHECK("v = 1.5", "1.5");
    CHECK("v = 1e3", "1000");
    CHECK("v = 2.5E-1", "0.25");
    CHECK("v = -7", "-7");
    CHECK("v = 9007199254740993", "9007199254740993");
}

TEST(lang_lex, strings_and_escapes)
{
    CHECK("v = \"a\\tb\\n\\\"q\\\" \\\\ \\u00e9 \\U0001F600\"",
          "\"a\\tb\\n\\\"q\\\" \\\\ \xc3\xa9 \xf0\x9f\x98\x80\"");
    CHECK("v = \"$${lit} %%{lit} $x %y\"", "\"$${lit} %%{lit} $x %y\"");
    CHECK("v = \"bad \\q\"", "!Invalid escape sequence");
    CHECK("v = \"open\nw = 1\n", "!Unterminated template string");
    CHECK("v = 'single'", "!Invalid character");
    CHECK("v = \"caf\xc3\xa9\"", "\"caf\xc3\xa9\"");
}

TEST(lang_lex, templates)
{
    CHECK("v = \"a-${1 + 1}-b\"", "\"a-2-b\"");
    CHECK("v = \"${\"nested ${\"deep\"}\"}\"", "\"nested deep\"");
    CHECK("v = \"${ {a = 1}.a }\"", "1");
    CHECK("v = \"%{ if true }yes%{ else }no%{ endif }\"", "\"yes\"");
    CHECK("v = \"%{ for x in [1, 2] }<${x}>%{ endfor }\"", "\"<1><2>\"");
    CHECK("v = \"a  ${~ \"b\" ~}  c\"", "\"abc\"");
    CHECK("v = \"%{ endif }\"", "!Unexpected template directive");
    CHECK("v = \"%{ if true }x\"", "!Unterminated template directive");
}

TEST(lang_lex, heredocs)
{
    CHECK("v = <<EOT\nhello\n  world\nEOT\n", "\"hello\\n  world\\n\"");
    CHECK("v = <<-EOT\n    hello\n      world\n    EOT\n",
          "\"hello\\n  world\\n\"");
    CHECK("v = <<EOT\n${1 + 2} \"quoted\" \\n\nEOT\n",
          "\"3 \\\"quoted\\\" \\\\n\\n\"");
    CHECK("v = <<EOT\nno end\n", "!Unterminated template string");
    CHECK("v = <<-EOT\n  %{ for x in [\"a\", \"b\"] ~}\n  ${x}\n  %{ endfor "
          "~}\n  EOT\n",
          "\"a\\nb\\n\"");
    CHECK("v = <<EOT\r\nwin\r\nEOT\r\n", "\"win\\r\\n\"");
    CHECK("v = upper(<<A\na\nA\n)\n", "\"A\\n\"");
    CHECK("v = [<<A, 1]\nx\nA\n", "!Invalid heredoc marker");
}

TEST(lang_lex, identifiers_with_dashes_and_unicode)
{
    CHECK("v = { my-key = 1, ключ = 2 }",
          "{\n  \"my-key\" = 1\n  \"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\" = 2\n}");
    CHECK("v = 1 @ 2", "!Invalid character");
}

const struct tern_test test_lang_lex_list[] = {
    TEST_UNIT(lang_lex, comments),
    TEST_UNIT(lang_lex, numbers),
    TEST_UNIT(lang_lex, strings_and_escapes),
    TEST_UNIT(lang_lex, templates),
    TEST_UNIT(lang_lex, heredocs),
    TEST_UNIT(lang_lex, identifiers_with_dashes_and_unicode),
    TEST_END,
};
