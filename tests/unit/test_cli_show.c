/*
 * The `state show` / `show` renderer (src/cli/render.c) on a hand-built
 * instance with a schema: nested blocks, maps, sensitive attributes and a
 * policy shown as jsonencode.
 */
#include "runner.h"

#include "cli/cli.h"

TEST(cli_show, blocks_and_sensitive)
{
    static const tern_attr nested[] = {
        {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
        {"policy", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
        {NULL, TERN_TYPE_STRING, 0, NULL, NULL, 0}};
    static const tern_attr schema[] = {
        {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
        {"secret", TERN_TYPE_STRING, TERN_ATTR_COMPUTED | TERN_ATTR_SENSITIVE,
         NULL, NULL, 0},
        {"meta", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
        {"inline_policy", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL,
         nested, 0},
        {NULL, TERN_TYPE_STRING, 0, NULL, NULL, 0}};
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    tern_buf out = TERN_BUF_INIT;

    r.type = "aws_iam_role";
    r.name = "x";
    r.attributes = json_loads(
        "{\"name\":\"x\",\"secret\":\"hidden-value\",\"meta\":{\"k\":\"v\"},"
        "\"inline_policy\":[{\"name\":\"p\",\"policy\":\"{\\\"Version\\\":"
        "\\\"2012-10-17\\\"}\"}]}",
        0, NULL);
    cli_render_instance(&out, &r, schema);
    ASSERT_STR_EQ(tern_buf_cstr(&out),
                  "# aws_iam_role.x:\n"
                  "resource \"aws_iam_role\" \"x\" {\n"
                  "    meta   = {\n"
                  "        \"k\" = \"v\"\n"
                  "    }\n"
                  "    name   = \"x\"\n"
                  "    secret = (sensitive value)\n"
                  "\n"
                  "    inline_policy {\n"
                  "        name   = \"p\"\n"
                  "        policy = jsonencode(\n"
                  "            {\n"
                  "                Version = \"2012-10-17\"\n"
                  "            }\n"
                  "        )\n"
                  "    }\n"
                  "}\n");
    json_decref(r.attributes);
    tern_buf_release(&out);
}

const struct tern_test test_cli_show_list[] = {
    TEST_UNIT(cli_show, blocks_and_sensitive), TEST_END};
