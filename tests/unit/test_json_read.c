/* src/util/json_read.c: the stored-JSON reader reads what json_loads
 * reads, the same way, and leaves the rest to it. */
#include "runner.h"

#include <jansson.h>

#include "tern/diag.h"
#include "util/alloc.h"
#include "util/json_read.h"

/* What json_loads(JSON_DECODE_ANY) makes of @text, as compact text with
 * the keys in their order, or "(error)". */
static char *jansson_says(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

    json_decref(v);
    return s;
}

static char *reader_says(const char *text, int *rc)
{
    json_t *v = NULL;
    char *s;

    *rc = tern_json_read(text, &v);
    s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    return s;
}

/* The reader and json_loads agree on @text; @subset: the reader reads it
 * itself (1) or leaves it to json_loads (0). */
static void agree(const char *text, int subset)
{
    json_t *v = NULL;
    char *want = jansson_says(text), *got;
    int rc, src = tern__json_read_subset(text, &v);

    json_decref(v);
    if (subset)
        ASSERT_EQ(src, TERN_OK);
    else
        ASSERT_EQ(src, TERN_EINVALID);
    got = reader_says(text, &rc);
    if (want) {
        ASSERT_EQ(rc, TERN_OK);
        ASSERT_NOT_NULL(got);
        ASSERT_STR_EQ(got, want);
    } else {
        ASSERT_EQ(rc, TERN_EINVALID);
        ASSERT_NULL(got);
    }
    tern_free(want); /* json_dumps: Jansson's allocator, free() */
    tern_free(got);
}

TEST(json_read, stored_texts_read_in_place)
{
    /* A role's stored attributes, as tern writes them. */
    agree("{\"arn\":\"arn:aws:iam::123456789012:role/bench-00001\","
          "\"assume_role_policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\","
          "\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\"}]}\","
          "\"description\":\"\",\"force_detach_policies\":false,"
          "\"max_session_duration\":3600,\"tags\":{},\"inline_policy\":null,"
          "\"managed_policy_arns\":[\"a\",\"b\"],\"n\":-42,\"z\":0,"
          "\"t\":true}",
          1);
    agree("[]", 1);
    agree(" { \"a\" : [ 1 , { } , [ ] , \"x\" ] }\n", 1);
    agree("[[{\"k\":{\"k\":[null]}}]]", 1);
    agree("\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t end\"", 1);
    agree("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", 1);
    agree("{\"k\\n\\\"ey\":\"v\\tal\",\"k2\":\"w\\\\\"}", 1);
    /* Duplicate keys: the last value, at the first one's place. */
    agree("{\"a\":1,\"b\":2,\"a\":3}", 1);
    agree("9223372036854775807", 1);
    agree("-9223372036854775808", 1);
    agree("-0", 1);
}

TEST(json_read, the_rest_is_jansson)
{
    /* Outside the subset, read by json_loads. */
    agree("\"\\u00e9\\ud83d\\ude00\"", 0);
    agree("{\"\\u0041\":1}", 0);
    agree("[1.5, 2e3, -0.0, 1E-2]", 0);
    /* Refused, as json_loads refuses them. */
    agree("", 0);
    agree("   ", 0);
    agree("{\"a\":1", 0);
    agree("{\"a\":1}x", 0);
    agree("[1,]", 0);
    agree("{\"a\" 1}", 0);
    agree("{,}", 0);
    agree("[01]", 0);
    agree("9223372036854775808", 0);
    agree("-9223372036854775809", 0);
    agree("\"tab\there\"", 0);
    agree("\"\\x\"", 0);
    agree("\"\\u0000\"", 0);
    agree("tru", 0);
    agree("nul", 0);
    agree("{'a':1}", 0);
    agree("\"\xc0\xaf\"", 0);         /* overlong */
    agree("\"\xed\xa0\x80\"", 0);     /* a surrogate */
    agree("\"\xf4\x90\x80\x80\"", 0); /* above U+10FFFF */
    agree("\"\xe2\x82\"", 0);         /* cut short */
    agree("\"\x80\"", 0);             /* a lone continuation */
}

TEST(json_read, deep_nesting_is_left_to_jansson)
{
    char text[2 * 3000 + 1];
    int i;

    for (i = 0; i < 300; i++) {
        text[i] = '[';
        text[600 - 1 - i] = ']';
    }
    text[600] = '\0';
    agree(text, 0);
    for (i = 0; i < 3000; i++) {
        text[i] = '[';
        text[6000 - 1 - i] = ']';
    }
    text[6000] = '\0';
    agree(text, 0); /* over Jansson's own limit: refused */
}

TEST(json_read, allocation_failure)
{
    const char *text = "{\"p\":\"a\\\"b\",\"q\\\"\":[\"c\\\\d\"]}";
    unsigned long n;
    json_t *v = NULL;

    /* The scratch buffer and a key's copy are tern's allocations: each
     * failure is TERN_ENOMEM, never a half-read value or a fallback. */
    tern__alloc_fail_after(0);
    ASSERT_EQ(tern_json_read(text, &v), TERN_OK);
    json_decref(v);
    n = tern__alloc_fail_after(0);
    ASSERT_CMP(n, >=, 2);
    while (n--) {
        v = NULL;
        tern__alloc_fail_after(n + 1);
        ASSERT_EQ(tern_json_read(text, &v), TERN_ENOMEM);
        ASSERT_NULL(v);
    }
    tern__alloc_fail_after(0);
}

const struct tern_test test_json_read_list[] = {
    TEST_UNIT(json_read, stored_texts_read_in_place),
    TEST_UNIT(json_read, the_rest_is_jansson),
    TEST_UNIT(json_read, deep_nesting_is_left_to_jansson),
    TEST_UNIT(json_read, allocation_failure), TEST_END};
