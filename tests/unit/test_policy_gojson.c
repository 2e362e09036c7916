/*
 * policy/gojson.h: JSON text as Go's encoding/json writes it. The expected
 * texts are what Go's json.Marshal and json.MarshalIndent(v, "", "  ")
 * produce for the same values (encode.go: HTML-safe escaping, lower-case
 * \u00xx, \ufffd for each invalid byte, U+2028/U+2029 escaped).
 */
#include "runner.h"

#include "policy/gojson.h"
#include "tern/diag.h"
#include "util/alloc.h"

#include <jansson.h>
#include <string.h>

static void expect(const json_t *v, int indent, const char *want)
{
    char *got = NULL;

    ASSERT_OK(tern_policy_go_json(&got, v, indent));
    ASSERT_STR_EQ(got, want);
    tern_free(got);
}

TEST(policy_gojson, layout)
{
    json_t *v = json_pack("{s:s, s:[s, s], s:{}, s:[], s:{s:i, s:b, s:n}}",
                          "Version", "2012-10-17", "Action", "a", "b", "Empty",
                          "None", "Nested", "n", -3, "t", 1, "z");

    ASSERT_NOT_NULL(v);
    expect(v, 1,
           "{\n"
           "  \"Version\": \"2012-10-17\",\n"
           "  \"Action\": [\n"
           "    \"a\",\n"
           "    \"b\"\n"
           "  ],\n"
           "  \"Empty\": {},\n"
           "  \"None\": [],\n"
           "  \"Nested\": {\n"
           "    \"n\": -3,\n"
           "    \"t\": true,\n"
           "    \"z\": null\n"
           "  }\n"
           "}");
    expect(v, 0,
           "{\"Version\":\"2012-10-17\",\"Action\":[\"a\",\"b\"],\"Empty\":{},"
           "\"None\":[],\"Nested\":{\"n\":-3,\"t\":true,\"z\":null}}");
    json_decref(v);
}

TEST(policy_gojson, escaping)
{
    /* Quote, backslash, the short escapes, other control characters,
     * HTML's three, DEL and non-ASCII as they are, U+2028 and U+2029. */
    json_t *v = json_string("\"\\/\b\f\n\r\t\x01\x1f<>&\x7f\xc3\xa9\xe2\x82\xac"
                            "\xf0\x9f\x99\x82\xe2\x80\xa8\xe2\x80\xa9");

    ASSERT_NOT_NULL(v);
    expect(v, 1,
           "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u003c\\u003e\\u0026"
           "\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x99\x82\\u2028\\u2029\"");
    json_decref(v);
}

TEST(policy_gojson, invalid_utf8)
{
    /* Each byte that does not start a valid sequence is U+FFFD: a stray
     * continuation byte, an overlong form, a surrogate, a sequence cut
     * short, a code point above U+10FFFF. Embedded NUL is \u0000. */
    static const char bytes[] = "a\x80"
                                "b\xc0\xaf"
                                "c\xed\xa0\x80"
                                "d\xe2\x82"
                                "e\xf4\x90\x80\x80"
                                "f\x00g";
    json_t *v = json_stringn_nocheck(bytes, sizeof(bytes) - 1);

    ASSERT_NOT_NULL(v);
    expect(v, 0,
           "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffde"
           "\\ufffd\\ufffd\\ufffd\\ufffdf\\u0000g\"");
    json_decref(v);
}

TEST(policy_gojson, refuses_reals)
{
    json_t *v = json_pack("[f]", 1.5);
    char *out = (char *)"x";

    ASSERT_NOT_NULL(v);
    ASSERT_EQ(tern_policy_go_json(&out, v, 1), TERN_EINVALID);
    ASSERT_NULL(out);
    json_decref(v);
}

const struct tern_test test_policy_gojson_list[] = {
    TEST_UNIT(policy_gojson, layout), TEST_UNIT(policy_gojson, escaping),
    TEST_UNIT(policy_gojson, invalid_utf8),
    TEST_UNIT(policy_gojson, refuses_reals), TEST_END};
