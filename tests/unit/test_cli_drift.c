/*
 * The drift a plan shows people (src/cli/render_drift.c): what the
 * relevant attribute paths keep of the value before the refresh, the rest
 * taken from the value after it, as Terraform's differ does (AsNoOp).
 */
#include "runner.h"

#include "cli/render_drift.h"
#include "util/alloc.h"

static tern_value *val(const char *json)
{
    json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
    tern_value *v;

    if (!j)
        FAIL("bad JSON in test: %s", json);
    v = tern_value_from_json(j);
    json_decref(j);
    return v;
}

/* The masked value of @before against @after under @paths, as compact
 * JSON (a new string). */
static char *masked(const char *before, const char *after, const char *paths)
{
    tern_value *b = val(before), *a = val(after), *m;
    json_t *p = json_loads(paths, 0, NULL), *j;
    char *text, *out;
    int oom = 0;

    if (!p)
        FAIL("bad paths in test: %s", paths);
    m = cli_drift_mask(b, a, p, &oom);
    ASSERT_EQ(oom, 0);
    j = tern_value_to_json(m);
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    out = tern_strdup(text);
    free(text); /* Jansson's */
    json_decref(j);
    json_decref(p);
    tern_value_decref(m);
    tern_value_decref(a);
    tern_value_decref(b);
    return out;
}

#define ASSERT_MASK(before, after, paths, want)                                \
    do {                                                                       \
        char *got_ = masked((before), (after), (paths));                       \
        ASSERT_STR_EQ(got_, (want));                                           \
        tern_free(got_);                                                       \
    } while (0)

TEST(cli_drift, attributes_no_path_reaches_are_taken_from_after)
{
    /* description is relevant; max_session_duration and a new tag not */
    ASSERT_MASK("{\"description\":\"a\",\"max\":3600,\"tags\":{}}",
                "{\"description\":\"b\",\"max\":7200,\"tags\":{\"k\":\"v\"}}",
                "[[\"description\"]]",
                "{\"description\":\"a\",\"max\":7200,\"tags\":{\"k\":\"v\"}}");
    /* no path at all: nothing of before is kept */
    ASSERT_MASK("{\"description\":\"a\",\"max\":3600}",
                "{\"description\":\"b\",\"max\":7200}", "[]",
                "{\"description\":\"b\",\"max\":7200}");
    /* the empty path: the whole object is relevant */
    ASSERT_MASK("{\"description\":\"a\",\"max\":3600}",
                "{\"description\":\"b\",\"max\":7200}", "[[]]",
                "{\"description\":\"a\",\"max\":3600}");
}

TEST(cli_drift, paths_go_into_maps_and_lists)
{
    /* only tags.Name: the other tag's change is not shown, a key removed
     * outside tern stays removed unless a path reaches it */
    ASSERT_MASK("{\"tags\":{\"Name\":\"x\",\"team\":\"a\",\"gone\":\"g\"}}",
                "{\"tags\":{\"Name\":\"y\",\"team\":\"b\"}}",
                "[[\"tags\",\"Name\"]]",
                "{\"tags\":{\"Name\":\"x\",\"team\":\"b\"}}");
    /* a list of the same length, element by element */
    ASSERT_MASK("{\"l\":[{\"a\":1,\"b\":1},{\"a\":1,\"b\":1}]}",
                "{\"l\":[{\"a\":2,\"b\":2},{\"a\":2,\"b\":2}]}",
                "[[\"l\",1,\"a\"]]",
                "{\"l\":[{\"a\":2,\"b\":2},{\"a\":1,\"b\":2}]}");
    /* a list whose length changed is relevant whole */
    ASSERT_MASK("{\"l\":[1,2],\"m\":1}", "{\"l\":[1],\"m\":2}", "[[\"l\",0]]",
                "{\"l\":[1,2],\"m\":2}");
    /* a path past a value with no parts reaches the value */
    ASSERT_MASK("{\"s\":\"a\"}", "{\"s\":\"b\"}", "[[\"s\",\"deeper\"]]",
                "{\"s\":\"a\"}");
}

const struct tern_test test_cli_drift_list[] = {
    TEST_UNIT(cli_drift, attributes_no_path_reaches_are_taken_from_after),
    TEST_UNIT(cli_drift, paths_go_into_maps_and_lists), TEST_END};
