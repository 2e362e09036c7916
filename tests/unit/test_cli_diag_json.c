/*
 * A diagnostic in Terraform's JSON shape (views/json/diagnostic.go), as
 * validate -json and the -json stream print it: the range, widened when
 * empty, and the snippet of whole source lines with the highlight's
 * offsets and the enclosing top-level block.
 */
#include "runner.h"

#include "cli/cli.h"
#include "lang/lang.h"

static const char text[] = "locals {\n"
                           "  a = [\n"
                           "    1,\n"
                           "  ]\n"
                           "}\n";

static char *diag_json(const struct tern_lang_sources *srcs, unsigned l1,
                       unsigned c1, size_t b1, unsigned l2, unsigned c2,
                       size_t b2)
{
    struct tern_diag d;
    json_t *j;
    char *s;

    memset(&d, 0, sizeof(d));
    d.severity = TERN_SEV_ERROR;
    d.summary = (char *)"Oops";
    d.detail = (char *)"Details.";
    d.has_range = 1;
    d.range.file = "main.tf";
    d.range.start.line = l1;
    d.range.start.column = c1;
    d.range.start.byte = b1;
    d.range.end.line = l2;
    d.range.end.column = c2;
    d.range.end.byte = b2;
    j = cli_diag_json(&d, srcs);
    ASSERT_NOT_NULL(j);
    s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return s;
}

TEST(cli_diag_json, snippet_over_several_lines)
{
    struct tern_lang_sources srcs = {0};
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *s;

    ASSERT_OK(tern_lang_parse_hcl(&srcs, "main.tf", text, strlen(text), NULL,
                                  &diags));
    /* From the "[" (line 2, byte 15) to after the "]" (line 4, byte 27). */
    s = diag_json(&srcs, 2, 7, 15, 4, 4, 27);
    ASSERT_STR_EQ(
        s,
        "{\"severity\":\"error\",\"summary\":\"Oops\",\"detail\":\"Details.\","
        "\"range\":{\"filename\":\"main.tf\",\"start\":{\"line\":2,"
        "\"column\":7,\"byte\":15},\"end\":{\"line\":4,\"column\":4,"
        "\"byte\":27}},\"snippet\":{\"context\":\"locals\",\"code\":\"  a "
        "= [\\n    1,\\n  ]\",\"start_line\":2,\"highlight_start_offset\":6,"
        "\"highlight_end_offset\":18,\"values\":[]}}");
    free(s);
    tern_lang_sources_free(&srcs);
}

TEST(cli_diag_json, empty_range_widened_and_no_source_no_snippet)
{
    struct tern_lang_sources srcs = {0};
    struct tern_diags diags = TERN_DIAGS_INIT;
    char *s;

    ASSERT_OK(tern_lang_parse_hcl(&srcs, "main.tf", text, strlen(text), NULL,
                                  &diags));
    /* At the "1" of line 3 (byte 21), empty: one byte, one column. */
    s = diag_json(&srcs, 3, 5, 21, 3, 5, 21);
    ASSERT_STR_EQ(
        s,
        "{\"severity\":\"error\",\"summary\":\"Oops\",\"detail\":\"Details.\","
        "\"range\":{\"filename\":\"main.tf\",\"start\":{\"line\":3,"
        "\"column\":5,\"byte\":21},\"end\":{\"line\":3,\"column\":6,"
        "\"byte\":22}},\"snippet\":{\"context\":\"locals\",\"code\":\"    "
        "1,\",\"start_line\":3,\"highlight_start_offset\":4,"
        "\"highlight_end_offset\":5,\"values\":[]}}");
    free(s);
    /* The block's first byte: the byte before it is in no block. */
    s = diag_json(&srcs, 1, 1, 0, 1, 7, 6);
    ASSERT_STR_EQ(
        s,
        "{\"severity\":\"error\",\"summary\":\"Oops\",\"detail\":\"Details.\","
        "\"range\":{\"filename\":\"main.tf\",\"start\":{\"line\":1,"
        "\"column\":1,\"byte\":0},\"end\":{\"line\":1,\"column\":7,"
        "\"byte\":6}},\"snippet\":{\"context\":null,\"code\":\"locals {\","
        "\"start_line\":1,\"highlight_start_offset\":0,"
        "\"highlight_end_offset\":6,\"values\":[]}}");
    free(s);
    s = diag_json(NULL, 1, 1, 0, 1, 7, 6);
    ASSERT_STR_EQ(
        s,
        "{\"severity\":\"error\",\"summary\":\"Oops\",\"detail\":\"Details.\","
        "\"range\":{\"filename\":\"main.tf\",\"start\":{\"line\":1,"
        "\"column\":1,\"byte\":0},\"end\":{\"line\":1,\"column\":7,"
        "\"byte\":6}}}");
    free(s);
    tern_lang_sources_free(&srcs);
}

const struct tern_test test_cli_diag_json_list[] = {
    TEST_UNIT(cli_diag_json, snippet_over_several_lines),
    TEST_UNIT(cli_diag_json, empty_range_widened_and_no_source_no_snippet),
    TEST_END};
