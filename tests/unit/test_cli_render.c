/*
 * Plan rendering (src/cli/render_plan.c) on hand-built changes.
 */
#include "runner.h"

#include "cli/cli.h"
#include "cli/render_plan.h"
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

/* @obj with @key set to (known after apply). */
static tern_value *with_unknown(tern_value *obj, const char *key)
{
    ASSERT_OK(tern_value_object_set(obj, key, tern_value_unknown()));
    return obj;
}

static char *render_text(const tern_change *c, int drift)
{
    tern_buf out = TERN_BUF_INIT;

    cli_render_change(&out, NULL, c, drift);
    return tern_buf_detach(&out);
}

static void change_init(tern_change *c, const char *type, const char *name,
                        enum tern_action action)
{
    static char address[256];

    memset(c, 0, sizeof(*c));
    c->version = TERN_CHANGE_VERSION;
    snprintf(address, sizeof(address), "%s.%s", type, name);
    c->address = address;
    c->type = type;
    c->name = name;
    c->action = action;
}

/* The plan's text for TYPE.NAME updated in place from @before to @after
 * (JSON objects), a managed resource or (@mode) a data source. New
 * string. */
static char *update_text(const char *type, const char *name,
                         enum tern_state_mode mode, const char *before,
                         const char *after)
{
    tern_change c;
    tern_value *b = val(before), *a = val(after);
    char *got;

    change_init(&c, type, name, TERN_ACTION_UPDATE);
    c.mode = mode;
    c.before = b;
    c.after = a;
    got = render_text(&c, 0);
    tern_value_decref(b);
    tern_value_decref(a);
    return got;
}

static const char policy_a[] =
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
    "\\\"ec2.amazonaws.com\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"";
static const char policy_b[] =
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
    "\\\"lambda.amazonaws.com\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"";

TEST(cli_render, create)
{
    tern_change c;
    char json[1024];
    tern_value *after;
    char *got;

    snprintf(json, sizeof(json),
             "{\"name\":\"deploy\",\"path\":\"/\",\"description\":null,"
             "\"tags\":{\"Team\":\"ml\"},\"max_session_duration\":3600,"
             "\"managed_policy_arns\":[\"arn:aws:iam::aws:policy/RO\"],"
             "\"assume_role_policy\":%s}",
             policy_a);
    after = with_unknown(with_unknown(val(json), "arn"), "id");
    change_init(&c, "aws_iam_role", "deploy", TERN_ACTION_CREATE);
    c.after = after;
    got = render_text(&c, 0);
    ASSERT_STR_EQ(got,
                  "  # aws_iam_role.deploy will be created\n"
                  "  + resource \"aws_iam_role\" \"deploy\" {\n"
                  "      + arn                  = (known after apply)\n"
                  "      + assume_role_policy   = jsonencode(\n"
                  "            {\n"
                  "              + Statement = [\n"
                  "                  + {\n"
                  "                      + Action    = \"sts:AssumeRole\"\n"
                  "                      + Effect    = \"Allow\"\n"
                  "                      + Principal = {\n"
                  "                          + Service = "
                  "\"ec2.amazonaws.com\"\n"
                  "                        }\n"
                  "                    },\n"
                  "                ]\n"
                  "              + Version   = \"2012-10-17\"\n"
                  "            }\n"
                  "        )\n"
                  "      + id                   = (known after apply)\n"
                  "      + managed_policy_arns  = [\n"
                  "          + \"arn:aws:iam::aws:policy/RO\",\n"
                  "        ]\n"
                  "      + max_session_duration = 3600\n"
                  "      + name                 = \"deploy\"\n"
                  "      + path                 = \"/\"\n"
                  "      + tags                 = {\n"
                  "          + \"Team\" = \"ml\"\n"
                  "        }\n"
                  "    }\n");
    tern_free(got);
    tern_value_decref(after);
}

TEST(cli_render, update_in_place)
{
    char *got = update_text("aws_iam_role", "x", TERN_STATE_MANAGED,
                            "{\"id\":\"x\",\"name\":\"x\",\"path\":\"/\","
                            "\"description\":\"a\",\"arn\":\"arn:x\","
                            "\"tags\":{\"Team\":\"ml\",\"Owner\":\"me\"},"
                            "\"max_session_duration\":3600}",
                            "{\"id\":\"x\",\"name\":\"x\",\"path\":\"/\","
                            "\"description\":\"b\",\"arn\":\"arn:x\","
                            "\"tags\":{\"Team\":\"ai\",\"Owner\":\"me\","
                            "\"New\":\"1\"},"
                            "\"max_session_duration\":3600}");

    ASSERT_STR_EQ(got, "  # aws_iam_role.x will be updated in-place\n"
                       "  ~ resource \"aws_iam_role\" \"x\" {\n"
                       "      ~ description          = \"a\" -> \"b\"\n"
                       "        id                   = \"x\"\n"
                       "        name                 = \"x\"\n"
                       "      ~ tags                 = {\n"
                       "          + \"New\"   = \"1\"\n"
                       "          ~ \"Team\"  = \"ml\" -> \"ai\"\n"
                       "            # (1 unchanged element hidden)\n"
                       "        }\n"
                       "        # (3 unchanged attributes hidden)\n"
                       "    }\n");
    tern_free(got);
}

/* Nested blocks as Terraform's renderers/block.go prints them: after the
 * attributes and a blank line, one "SYM TYPE {" per block; a set's blocks
 * matched by equality, the unchanged ones counted. */
TEST(cli_render, blocks_update)
{
    char *got = update_text("aws_iam_role", "x", TERN_STATE_MANAGED,
                            "{\"id\":\"x\",\"name\":\"x\",\"inline_policy\":["
                            "{\"name\":\"a\",\"policy\":\"p\"},"
                            "{\"name\":\"b\",\"policy\":\"q\"}]}",
                            "{\"id\":\"x\",\"name\":\"x\",\"inline_policy\":["
                            "{\"name\":\"a\",\"policy\":\"p\"},"
                            "{\"name\":\"c\",\"policy\":\"\"}]}");

    ASSERT_STR_EQ(got, "  # aws_iam_role.x will be updated in-place\n"
                       "  ~ resource \"aws_iam_role\" \"x\" {\n"
                       "        id   = \"x\"\n"
                       "        name = \"x\"\n"
                       "\n"
                       "      - inline_policy {\n"
                       "          - name   = \"b\" -> null\n"
                       "          - policy = \"q\" -> null\n"
                       "        }\n"
                       "      + inline_policy {\n"
                       "          + name = \"c\"\n"
                       "        }\n"
                       "\n"
                       "        # (1 unchanged block hidden)\n"
                       "    }\n");
    tern_free(got);
}

/* A computed block type not known yet: one block of unknown attributes,
 * as an SDK provider plans it. */
TEST(cli_render, blocks_unknown)
{
    tern_change c;
    tern_value *after = with_unknown(val("{\"name\":\"r\"}"), "inline_policy");
    char *got;

    change_init(&c, "aws_iam_role", "r", TERN_ACTION_CREATE);
    c.after = after;
    got = render_text(&c, 0);
    ASSERT_STR_EQ(got, "  # aws_iam_role.r will be created\n"
                       "  + resource \"aws_iam_role\" \"r\" {\n"
                       "      + name = \"r\"\n"
                       "\n"
                       "      + inline_policy {\n"
                       "          + name   = (known after apply)\n"
                       "          + policy = (known after apply)\n"
                       "        }\n"
                       "    }\n");
    tern_free(got);
    tern_value_decref(after);
}

TEST(cli_render, policy_diff)
{
    char jb[1024], ja[1024];
    char *got;

    snprintf(jb, sizeof(jb), "{\"id\":\"x\",\"assume_role_policy\":%s}",
             policy_a);
    snprintf(ja, sizeof(ja), "{\"id\":\"x\",\"assume_role_policy\":%s}",
             policy_b);
    got = update_text("aws_iam_role", "x", TERN_STATE_MANAGED, jb, ja);
    ASSERT_STR_EQ(got,
                  "  # aws_iam_role.x will be updated in-place\n"
                  "  ~ resource \"aws_iam_role\" \"x\" {\n"
                  "      ~ assume_role_policy = jsonencode(\n"
                  "          ~ {\n"
                  "              ~ Statement = [\n"
                  "                  ~ {\n"
                  "                      ~ Principal = {\n"
                  "                          ~ Service = \"ec2.amazonaws.com\" "
                  "-> \"lambda.amazonaws.com\"\n"
                  "                        }\n"
                  "                        # (2 unchanged attributes hidden)\n"
                  "                    },\n"
                  "                ]\n"
                  "                # (1 unchanged attribute hidden)\n"
                  "            }\n"
                  "        )\n"
                  "        id                 = \"x\"\n"
                  "    }\n");
    tern_free(got);
}

TEST(cli_render, replace_and_delete)
{
    tern_change c;
    const char *const forced[] = {"name"};
    tern_value *before = val("{\"id\":\"old\",\"name\":\"old\","
                             "\"arn\":\"arn:old\",\"path\":\"/\","
                             "\"managed_policy_arns\":[\"a\",\"b\"]}");
    tern_value *after =
        with_unknown(with_unknown(val("{\"name\":\"new\",\"path\":\"/\","
                                      "\"managed_policy_arns\":[\"b\",\"c\","
                                      "\"d\"]}"),
                                  "arn"),
                     "id");
    char *got;

    change_init(&c, "aws_iam_role", "r", TERN_ACTION_DELETE_THEN_CREATE);
    c.reason = TERN_REASON_REPLACE_FORCED;
    c.before = before;
    c.after = after;
    c.replace_paths = forced;
    c.n_replace_paths = 1;
    got = render_text(&c, 0);
    ASSERT_STR_EQ(got,
                  "  # aws_iam_role.r must be replaced\n"
                  "-/+ resource \"aws_iam_role\" \"r\" {\n"
                  "      ~ arn                 = \"arn:old\" -> (known after "
                  "apply)\n"
                  "      ~ id                  = \"old\" -> (known after "
                  "apply)\n"
                  "      ~ managed_policy_arns = [\n"
                  "          - \"a\",\n"
                  "          + \"c\",\n"
                  "          + \"d\",\n"
                  "            # (1 unchanged element hidden)\n"
                  "        ]\n"
                  "      ~ name                = \"old\" -> \"new\" # forces "
                  "replacement\n"
                  "        # (1 unchanged attribute hidden)\n"
                  "    }\n");
    tern_free(got);

    change_init(&c, "aws_iam_role", "r", TERN_ACTION_DELETE);
    c.reason = TERN_REASON_NO_CONFIG;
    c.before = before;
    got = render_text(&c, 0);
    ASSERT_STR_EQ(got, "  # aws_iam_role.r will be destroyed\n"
                       "  # (because aws_iam_role.r is not in "
                       "configuration)\n"
                       "  - resource \"aws_iam_role\" \"r\" {\n"
                       "      - arn                 = \"arn:old\" -> null\n"
                       "      - id                  = \"old\" -> null\n"
                       "      - managed_policy_arns = [\n"
                       "          - \"a\",\n"
                       "          - \"b\",\n"
                       "        ] -> null\n"
                       "      - name                = \"old\" -> null\n"
                       "      - path                = \"/\" -> null\n"
                       "    }\n");
    tern_free(got);
    tern_value_decref(before);
    tern_value_decref(after);
}

TEST(cli_render, sensitive_and_drift)
{
    tern_change c;
    tern_value *before = val("{\"id\":\"u\",\"name\":\"u\"}");
    tern_value *after = val("{\"id\":\"u\",\"name\":\"u\"}");
    char *got;

    ASSERT_OK(tern_value_object_set(
        before, "password", tern_value_mark_sensitive(val("\"old-secret\""))));
    ASSERT_OK(tern_value_object_set(
        after, "password", tern_value_mark_sensitive(val("\"new-secret\""))));
    change_init(&c, "aws_iam_user", "u", TERN_ACTION_UPDATE);
    c.before = before;
    c.after = after;
    got = render_text(&c, 0);
    ASSERT_STR_EQ(got, "  # aws_iam_user.u will be updated in-place\n"
                       "  ~ resource \"aws_iam_user\" \"u\" {\n"
                       "        id       = \"u\"\n"
                       "        name     = \"u\"\n"
                       "      ~ password = (sensitive value)\n"
                       "    }\n");
    ASSERT_STR_NOT_CONTAINS(got, "secret");
    tern_free(got);

    got = render_text(&c, 1);
    ASSERT_STR_CONTAINS(got, "  # aws_iam_user.u has changed\n"
                             "  ~ resource \"aws_iam_user\" \"u\" {\n");
    tern_free(got);
    change_init(&c, "aws_iam_user", "u", TERN_ACTION_DELETE);
    c.before = before;
    got = render_text(&c, 1);
    ASSERT_STR_CONTAINS(got, "  # aws_iam_user.u has been deleted\n"
                             "  - resource \"aws_iam_user\" \"u\" {\n"
                             "      - id       = \"u\" -> null\n");
    ASSERT_STR_NOT_CONTAINS(got, "secret");
    tern_free(got);
    tern_value_decref(before);
    tern_value_decref(after);
}

TEST(cli_render, summary_and_outputs)
{
    tern_summary s;
    tern_buf out = TERN_BUF_INIT;
    tern_value *planned = val("{\"arn\":{\"value\":\"arn:new\","
                              "\"sensitive\":false},"
                              "\"same\":{\"value\":1,\"sensitive\":false},"
                              "\"pw\":{\"value\":\"x\",\"sensitive\":true}}");
    json_t *prior = json_loads("{\"arn\":{\"value\":\"arn:old\"},"
                               "\"same\":{\"value\":1},"
                               "\"gone\":{\"value\":\"g\"}}",
                               0, NULL);

    memset(&s, 0, sizeof(s));
    s.add = 1;
    s.change = 2;
    s.destroy = 3;
    cli_render_summary(&out, NULL, &s, 0);
    ASSERT_STR_EQ(tern_buf_cstr(&out),
                  "Plan: 1 to add, 2 to change, 3 to destroy.\n");
    tern_buf_clear(&out);
    s.import = 1;
    cli_render_summary(&out, NULL, &s, 0);
    ASSERT_STR_EQ(tern_buf_cstr(&out),
                  "Plan: 1 to import, 1 to add, 2 to change, 3 to "
                  "destroy.\n");
    tern_buf_clear(&out);
    cli_render_output_changes(&out, NULL, planned, prior);
    /* One order by name, removed outputs among the rest (jsonformat/
     * plan.go renderHumanDiffOutputs). */
    ASSERT_STR_EQ(tern_buf_cstr(&out), "\nChanges to Outputs:\n"
                                       "  ~ arn  = \"arn:old\" -> \"arn:new\"\n"
                                       "  - gone = \"g\" -> null\n"
                                       "  + pw   = (sensitive value)\n");
    tern_buf_release(&out);
    tern_value_decref(planned);
    json_decref(prior);
}

/* A list value diff as the plan prints an attribute's, col 6. */
static char *list_diff(const char *before, const char *after)
{
    tern_buf out = TERN_BUF_INIT;
    tern_value *b = val(before), *a = val(after);

    cli_render_value_diff(&out, b, a, 6);
    tern_value_decref(b);
    tern_value_decref(a);
    return tern_buf_detach(&out);
}

/* Lists aligned on their longest common subsequence, as Terraform's
 * collections/slice.go ProcessSlice over objchange's
 * LongestCommonSubsequence: one element inserted is one + line, and the
 * unchanged elements either side of a change are shown, the rest counted
 * (renderers/list.go). */
TEST(cli_render, list_insert)
{
    char *got = list_diff("[\"a\",\"b\",\"d\",\"e\"]",
                          "[\"a\",\"b\",\"c\",\"d\",\"e\"]");

    ASSERT_STR_EQ(got, "[\n"
                       "            # (1 unchanged element hidden)\n"
                       "            \"b\",\n"
                       "          + \"c\",\n"
                       "            \"d\",\n"
                       "            # (1 unchanged element hidden)\n"
                       "        ]");
    tern_free(got);
    /* At the head: nothing before it to show. */
    got = list_diff("[\"b\",\"c\",\"d\"]", "[\"a\",\"b\",\"c\",\"d\"]");
    ASSERT_STR_EQ(got, "[\n"
                       "          + \"a\",\n"
                       "            \"b\",\n"
                       "            # (2 unchanged elements hidden)\n"
                       "        ]");
    tern_free(got);
}

TEST(cli_render, list_delete)
{
    char *got = list_diff("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]",
                          "[\"a\",\"b\",\"c\",\"e\",\"f\"]");

    ASSERT_STR_EQ(got, "[\n"
                       "            # (2 unchanged elements hidden)\n"
                       "            \"c\",\n"
                       "          - \"d\",\n"
                       "            \"e\",\n"
                       "            # (1 unchanged element hidden)\n"
                       "        ]");
    tern_free(got);
    /* The last one: the one before it shown, nothing after. */
    got = list_diff("[\"a\",\"b\",\"c\"]", "[\"a\",\"b\"]");
    ASSERT_STR_EQ(got, "[\n"
                       "            # (1 unchanged element hidden)\n"
                       "            \"b\",\n"
                       "          - \"c\",\n"
                       "        ]");
    tern_free(got);
}

/* One element replaced: the old deleted then the new created, between
 * the same neighbours; two changes apart share no context. */
TEST(cli_render, list_replace_in_middle)
{
    char *got = list_diff("[\"a\",\"b\",\"c\",\"d\",\"e\"]",
                          "[\"a\",\"b\",\"x\",\"d\",\"e\"]");

    ASSERT_STR_EQ(got, "[\n"
                       "            # (1 unchanged element hidden)\n"
                       "            \"b\",\n"
                       "          - \"c\",\n"
                       "          + \"x\",\n"
                       "            \"d\",\n"
                       "            # (1 unchanged element hidden)\n"
                       "        ]");
    tern_free(got);
    got = list_diff("[1,2,3,4,5,6,7]", "[1,20,3,4,5,60,7]");
    ASSERT_STR_EQ(got, "[\n"
                       "            1,\n"
                       "          - 2,\n"
                       "          + 20,\n"
                       "            3,\n"
                       "            # (1 unchanged element hidden)\n"
                       "            5,\n"
                       "          - 6,\n"
                       "          + 60,\n"
                       "            7,\n"
                       "        ]");
    tern_free(got);
}

/* A moved element: deleted where it was, created where it goes, the
 * subsequence upstream's walk back chooses kept. */
TEST(cli_render, list_reorder)
{
    char *got = list_diff("[\"a\",\"b\",\"c\"]", "[\"c\",\"a\",\"b\"]");

    ASSERT_STR_EQ(got, "[\n"
                       "          + \"c\",\n"
                       "            \"a\",\n"
                       "            \"b\",\n"
                       "          - \"c\",\n"
                       "        ]");
    tern_free(got);
    /* Two swapped: of "a" and "b", upstream keeps the later ("b"). */
    got = list_diff("[\"a\",\"b\"]", "[\"b\",\"a\"]");
    ASSERT_STR_EQ(got, "[\n"
                       "          - \"a\",\n"
                       "            \"b\",\n"
                       "          + \"a\",\n"
                       "        ]");
    tern_free(got);
}

/* "[" then @n strings PREFIX0.. PREFIX(n-1), @insert after the element at
 * @at (none when NULL), "]". */
static char *long_list(size_t n, const char *prefix, size_t at,
                       const char *insert)
{
    tern_buf b = TERN_BUF_INIT;
    size_t i;

    tern_buf_putc(&b, '[');
    for (i = 0; i < n; i++) {
        tern_buf_printf(&b, "%s\"%s%zu\"", i ? "," : "", prefix, i);
        if (insert && i == at)
            tern_buf_printf(&b, ",\"%s\"", insert);
    }
    tern_buf_putc(&b, ']');
    return tern_buf_detach(&b);
}

/* Lists past the table's bound (LCS_CELLS_MAX, 4 Mi pairs): the common
 * head and tail set aside, so one insertion into 3,000 elements is still
 * one + line; 2,100 elements against 2,100 others, nothing in common,
 * all deleted then all created, as upstream prints them. */
TEST(cli_render, list_long)
{
    char *b = long_list(3000, "e", 0, NULL);
    char *a = long_list(3000, "e", 1499, "new");
    char *got = list_diff(b, a);

    ASSERT_STR_EQ(got, "[\n"
                       "            # (1499 unchanged elements hidden)\n"
                       "            \"e1499\",\n"
                       "          + \"new\",\n"
                       "            \"e1500\",\n"
                       "            # (1499 unchanged elements hidden)\n"
                       "        ]");
    tern_free(got);
    tern_free(b);
    tern_free(a);
    b = long_list(2100, "x", 0, NULL);
    a = long_list(2100, "y", 0, NULL);
    got = list_diff(b, a);
    ASSERT_STR_CONTAINS(got, "[\n"
                             "          - \"x0\",\n"
                             "          - \"x1\",\n");
    ASSERT_STR_CONTAINS(got, "          - \"x2099\",\n"
                             "          + \"y0\",\n");
    ASSERT_STR_CONTAINS(got, "          + \"y2099\",\n"
                             "        ]");
    ASSERT_STR_NOT_CONTAINS(got, "unchanged");
    tern_free(got);
    tern_free(b);
    tern_free(a);
}

/* An empty list or map made full, or emptied: diffed element by element,
 * not "[] -> []" (renderers/list.go, map.go). */
TEST(cli_render, empty_to_full)
{
    tern_buf out = TERN_BUF_INIT;
    tern_value *e = val("[]"), *l = val("[\"a\"]");
    tern_value *eo = val("{}"), *o = val("{\"k\":\"v\"}");
    char *got = list_diff("[]", "[\"a\",\"b\"]");

    ASSERT_STR_EQ(got, "[\n"
                       "          + \"a\",\n"
                       "          + \"b\",\n"
                       "        ]");
    tern_free(got);
    cli_render_value_diff(&out, l, e, 6);
    ASSERT_STR_EQ(tern_buf_cstr(&out), "[\n"
                                       "          - \"a\",\n"
                                       "        ]");
    tern_buf_clear(&out);
    cli_render_value_diff(&out, eo, o, 6);
    ASSERT_STR_EQ(tern_buf_cstr(&out), "{\n"
                                       "          + \"k\" = \"v\"\n"
                                       "        }");
    tern_buf_release(&out);
    tern_value_decref(e);
    tern_value_decref(l);
    tern_value_decref(eo);
    tern_value_decref(o);
}

/* Objects in a list (a policy's statements): one that is not common
 * facing another that is not either is changed in place; an inserted
 * one is created, its unchanged neighbour shown whole. */
TEST(cli_render, list_objects)
{
    char *got = list_diff("[{\"Sid\":\"A\",\"Effect\":\"Allow\"},"
                          "{\"Sid\":\"B\",\"Effect\":\"Allow\"}]",
                          "[{\"Sid\":\"A\",\"Effect\":\"Allow\"},"
                          "{\"Sid\":\"N\",\"Effect\":\"Deny\"},"
                          "{\"Sid\":\"B\",\"Effect\":\"Deny\"}]");

    ASSERT_STR_EQ(got, "[\n"
                       "            {\n"
                       "                \"Effect\" = \"Allow\"\n"
                       "                \"Sid\"    = \"A\"\n"
                       "            },\n"
                       "          ~ {\n"
                       "              ~ \"Effect\" = \"Allow\" -> \"Deny\"\n"
                       "              ~ \"Sid\"    = \"B\" -> \"N\"\n"
                       "            },\n"
                       "          + {\n"
                       "              + \"Effect\" = \"Deny\"\n"
                       "              + \"Sid\"    = \"B\"\n"
                       "            },\n"
                       "        ]");
    tern_free(got);
}

/* An IAM policy's Action list with one action inserted, inside
 * jsonencode() as the plan shows a policy document. */
TEST(cli_render, list_policy_action_insert)
{
    char *got = update_text(
        "aws_iam_policy", "p", TERN_STATE_MANAGED,
        "{\"id\":\"arn:p\",\"name\":\"p\",\"policy\":\"{\\\"Version\\\":"
        "\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
        "\\\"Action\\\":[\\\"s3:GetObject\\\",\\\"s3:ListBucket\\\"],"
        "\\\"Resource\\\":\\\"*\\\"}]}\"}",
        "{\"id\":\"arn:p\",\"name\":\"p\",\"policy\":\"{\\\"Version\\\":"
        "\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
        "\\\"Action\\\":[\\\"s3:GetObject\\\",\\\"s3:PutObject\\\","
        "\\\"s3:ListBucket\\\"],\\\"Resource\\\":\\\"*\\\"}]}\"}");

    ASSERT_STR_EQ(got,
                  "  # aws_iam_policy.p will be updated in-place\n"
                  "  ~ resource \"aws_iam_policy\" \"p\" {\n"
                  "        id     = \"arn:p\"\n"
                  "        name   = \"p\"\n"
                  "      ~ policy = jsonencode(\n"
                  "          ~ {\n"
                  "              ~ Statement = [\n"
                  "                  ~ {\n"
                  "                      ~ Action   = [\n"
                  "                            \"s3:GetObject\",\n"
                  "                          + \"s3:PutObject\",\n"
                  "                            \"s3:ListBucket\",\n"
                  "                        ]\n"
                  "                        # (2 unchanged attributes hidden)\n"
                  "                    },\n"
                  "                ]\n"
                  "                # (1 unchanged attribute hidden)\n"
                  "            }\n"
                  "        )\n"
                  "    }\n");
    tern_free(got);
}

/* A set(string) attribute's elements matched by equality, not aligned
 * (differ/set.go processSet): the deleted in order, then the created,
 * the unchanged counted, no context. */
TEST(cli_render, set_elements)
{
    char *got = update_text("aws_iam_role", "r", TERN_STATE_MANAGED,
                            "{\"id\":\"r\",\"name\":\"r\","
                            "\"managed_policy_arns\":[\"a\",\"c\",\"d\"]}",
                            "{\"id\":\"r\",\"name\":\"r\","
                            "\"managed_policy_arns\":[\"b\",\"c\"]}");

    ASSERT_STR_EQ(got, "  # aws_iam_role.r will be updated in-place\n"
                       "  ~ resource \"aws_iam_role\" \"r\" {\n"
                       "        id                  = \"r\"\n"
                       "      ~ managed_policy_arns = [\n"
                       "          - \"a\",\n"
                       "          - \"d\",\n"
                       "          + \"b\",\n"
                       "            # (1 unchanged element hidden)\n"
                       "        ]\n"
                       "        name                = \"r\"\n"
                       "    }\n");
    tern_free(got);
}

/* Nested block lists stay aligned by index, as upstream's
 * processNestedList (differ/list.go) does: a statement block inserted at
 * the head changes the first in place and adds the last; a list inside a
 * block is aligned as any list. */
TEST(cli_render, block_list_by_index)
{
    char *got = update_text(
        "aws_iam_policy_document", "d", TERN_STATE_DATA,
        "{\"id\":\"d\",\"statement\":[{\"sid\":\"A\",\"effect\":\"Allow\"}],"
        "\"source_policy_documents\":[\"x\",\"y\",\"z\"]}",
        "{\"id\":\"d\",\"statement\":[{\"sid\":\"N\",\"effect\":\"Deny\"},"
        "{\"sid\":\"A\",\"effect\":\"Allow\"}],"
        "\"source_policy_documents\":[\"x\",\"w\",\"y\",\"z\"]}");

    ASSERT_STR_EQ(got, "  # aws_iam_policy_document.d will be updated "
                       "in-place\n"
                       "  ~ data \"aws_iam_policy_document\" \"d\" {\n"
                       "        id                      = \"d\"\n"
                       "      ~ source_policy_documents = [\n"
                       "            \"x\",\n"
                       "          + \"w\",\n"
                       "            \"y\",\n"
                       "            # (1 unchanged element hidden)\n"
                       "        ]\n"
                       "\n"
                       "      ~ statement {\n"
                       "          ~ effect = \"Allow\" -> \"Deny\"\n"
                       "          ~ sid    = \"A\" -> \"N\"\n"
                       "        }\n"
                       "      + statement {\n"
                       "          + effect = \"Allow\"\n"
                       "          + sid    = \"A\"\n"
                       "        }\n"
                       "    }\n");
    tern_free(got);
}

/* A JSON document's deleted member prints no " -> null", nor does the
 * document deleted whole, whose "-> null" follows the parenthesis
 * (renderers/object.go Object, primitive.go renderStringDiffAsJson); a
 * map's deleted element does, unless the whole map goes (map.go). */
TEST(cli_render, deleted_members)
{
    char *got = list_diff("\"{\\\"a\\\":1,\\\"b\\\":2,\\\"c\\\":[1,2]}\"",
                          "\"{\\\"a\\\":1,\\\"c\\\":[1]}\"");

    ASSERT_STR_EQ(got, "jsonencode(\n"
                       "          ~ {\n"
                       "              - b = 2\n"
                       "              ~ c = [\n"
                       "                    1,\n"
                       "                  - 2,\n"
                       "                ]\n"
                       "                # (1 unchanged attribute hidden)\n"
                       "            }\n"
                       "        )");
    tern_free(got);
    got = list_diff("\"{\\\"a\\\":[1]}\"", "null");
    ASSERT_STR_EQ(got, "jsonencode(\n"
                       "            {\n"
                       "              - a = [\n"
                       "                  - 1,\n"
                       "                ]\n"
                       "            }\n"
                       "        ) -> null");
    tern_free(got);
    got = list_diff("{\"k\":\"v\",\"x\":\"y\"}", "{\"x\":\"y\"}");
    ASSERT_STR_EQ(got, "{\n"
                       "          - \"k\" = \"v\" -> null\n"
                       "            # (1 unchanged element hidden)\n"
                       "        }");
    tern_free(got);
    got = list_diff("{\"k\":\"v\"}", "null");
    ASSERT_STR_EQ(got, "{\n"
                       "          - \"k\" = \"v\"\n"
                       "        } -> null");
    tern_free(got);
}

/* "Changes to Outputs:" for one output, @before its prior value (JSON)
 * and @after its planned one (stolen). */
static char *output_diff(const char *before, tern_value *after)
{
    tern_buf out = TERN_BUF_INIT;
    tern_value *planned = tern_value_object_new();
    tern_value *rec = val("{\"sensitive\":false}");
    char buf[512];
    json_t *prior;

    snprintf(buf, sizeof(buf), "{\"o\":{\"value\":%s}}", before);
    prior = json_loads(buf, 0, NULL);
    ASSERT_OK(tern_value_object_set(rec, "value", after));
    ASSERT_OK(tern_value_object_set(planned, "o", rec));
    cli_render_output_changes(&out, NULL, planned, prior);
    tern_value_decref(planned);
    json_decref(prior);
    return tern_buf_detach(&out);
}

/* The same for @after as JSON, NULL for unknown. */
static char *outputs_diff(const char *before, const char *after)
{
    return output_diff(before, after ? val(after) : tern_value_unknown());
}

/* An output's object or map goes through upstream's JSON differ
 * (differ/output.go): keys bare where they are identifiers, unchanged
 * members counted as attributes but id, name and tags, shown, and no
 * " -> null" on a deleted member (renderers/object.go). */
TEST(cli_render, output_objects)
{
    char *got = outputs_diff("{\"id\":\"x\",\"a\":1,\"b\":5,\"d\":4,"
                             "\"with space\":1}",
                             "{\"id\":\"x\",\"a\":1,\"b\":2,\"c\":3,"
                             "\"with space\":2}");

    ASSERT_STR_EQ(got, "\nChanges to Outputs:\n"
                       "  ~ o = {\n"
                       "      ~ b            = 5 -> 2\n"
                       "      + c            = 3\n"
                       "      - d            = 4\n"
                       "        id           = \"x\"\n"
                       "      ~ \"with space\" = 1 -> 2\n"
                       "        # (1 unchanged attribute hidden)\n"
                       "    }\n");
    tern_free(got);
}

/* A value that changes kind prints its before whole as deleted and its
 * after whole as created, neither with " -> null"; one that becomes
 * unknown, its before whole (renderers/type_change.go, unknown.go;
 * jsondiff/diff.go Transform). A list and a tuple are both arrays. */
TEST(cli_render, kind_changes)
{
    char *got = outputs_diff("[\"a\"]", "{\"k\":\"v\"}");

    ASSERT_STR_EQ(got, "\nChanges to Outputs:\n"
                       "  ~ o = [\n"
                       "      - \"a\",\n"
                       "    ] -> {\n"
                       "      + k = \"v\"\n"
                       "    }\n");
    tern_free(got);
    got = outputs_diff("\"x\"", "[\"a\"]");
    ASSERT_STR_EQ(got, "\nChanges to Outputs:\n"
                       "  ~ o = \"x\" -> [\n"
                       "      + \"a\",\n"
                       "    ]\n");
    tern_free(got);
    got = outputs_diff("{\"k\":[\"a\"]}", NULL);
    ASSERT_STR_EQ(got, "\nChanges to Outputs:\n"
                       "  ~ o = {\n"
                       "      - k = [\n"
                       "          - \"a\",\n"
                       "        ]\n"
                       "    } -> (known after apply)\n");
    tern_free(got);
    /* A set where the state had a list (the prior state's JSON has
     * only arrays): diffed element by element, not "[] -> []". */
    got = output_diff("[\"a\",\"b\"]",
                      tern_value_set_finish(val("[\"b\",\"c\"]")));
    ASSERT_STR_EQ(got, "\nChanges to Outputs:\n"
                       "  ~ o = [\n"
                       "      - \"a\",\n"
                       "        \"b\",\n"
                       "      + \"c\",\n"
                       "    ]\n");
    tern_free(got);
    got = outputs_diff("[]", "{}");
    ASSERT_STR_EQ(got, "\nChanges to Outputs:\n"
                       "  ~ o = [] -> {}\n");
    tern_free(got);
    got = list_diff("\"{\\\"a\\\":1}\"", "\"plain\"");
    ASSERT_STR_EQ(got, "jsonencode(\n"
                       "            {\n"
                       "              - a = 1\n"
                       "            }\n"
                       "        ) -> \"plain\"");
    tern_free(got);
    got = list_diff("\"{\\\"a\\\":1}\"", "\"[1]\"");
    ASSERT_STR_EQ(got, "jsonencode(\n"
                       "          ~ {\n"
                       "              - a = 1\n"
                       "            } -> [\n"
                       "              + 1,\n"
                       "            ]\n"
                       "        )");
    tern_free(got);
}

const struct tern_test test_cli_render_list[] = {
    TEST_UNIT(cli_render, create),
    TEST_UNIT(cli_render, update_in_place),
    TEST_UNIT(cli_render, blocks_update),
    TEST_UNIT(cli_render, blocks_unknown),
    TEST_UNIT(cli_render, policy_diff),
    TEST_UNIT(cli_render, replace_and_delete),
    TEST_UNIT(cli_render, sensitive_and_drift),
    TEST_UNIT(cli_render, summary_and_outputs),
    TEST_UNIT(cli_render, list_insert),
    TEST_UNIT(cli_render, list_delete),
    TEST_UNIT(cli_render, list_replace_in_middle),
    TEST_UNIT(cli_render, list_reorder),
    TEST_UNIT(cli_render, list_long),
    TEST_UNIT(cli_render, empty_to_full),
    TEST_UNIT(cli_render, list_objects),
    TEST_UNIT(cli_render, list_policy_action_insert),
    TEST_UNIT(cli_render, set_elements),
    TEST_UNIT(cli_render, block_list_by_index),
    TEST_UNIT(cli_render, deleted_members),
    TEST_UNIT(cli_render, output_objects),
    TEST_UNIT(cli_render, kind_changes),
    TEST_END};
