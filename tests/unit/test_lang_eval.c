/* src/lang: expression evaluation: operators and conversions, references,
 * collections, for and splat, unknown and sensitive propagation. */
#include "runner.h"

#include "lang/lang.h"
#include "lang_check.h"
#include "util/alloc.h"

TEST(lang_eval, literals_and_operators)
{
    static const struct ecase cases[] = {
        {"1 + 2 * 3", "7"},
        {"(1 + 2) * 3", "9"},
        {"7 / 2", "3.5"},
        {"8 / 2", "4"},
        {"7 % 3", "1"},
        {"-3 - -3", "0"},
        {"\"5\" + 1", "6"},
        {"var.five * 2", "10"},
        {"true + 1", "!Invalid operand"},
        {"\"x\" + 1", "!Invalid operand"},
        {"1 / 0", "!Operation failed"},
        {"0.1 + 0.2", "0.30000000000000004"},
        {"9223372036854775807 + 1", "9223372036854775808"},
        {"1 == 1.0", "true"},
        {"1 == \"1\"", "false"},
        {"[1, \"a\"] == [1, \"a\"]", "true"},
        {"{a = 1} != {a = 2}", "true"},
        {"3 > 2 && 2 >= 2 && 1 < 2 && 2 <= 1", "false"},
        {"!true || \"true\"", "true"},
        {"null == null", "true"},
        {"false && var.unk", "false"},
        {"true || nope.x", "true"},
        {"1 < \"a\"", "!Invalid operand"},
        {"!\"maybe\"", "!Invalid operand"},
        {"-\"2\"", "-2"},
    };
    RUN(cases);
}

TEST(lang_eval, conditionals)
{
    static const struct ecase cases[] = {
        {"true ? \"a\" : \"b\"", "\"a\""},
        {"var.n > 2 ? var.name : null", "\"app\""},
        {"\"false\" ? 1 : 2", "2"},
        {"var.nothing == null ? \"d\" : var.nothing.x", "\"d\""},
        {"var.unk ? 1 : 2", "(unknown)"},
        {"var.secret == \"\" ? 1 : 2", "sensitive(2)"},
        {"null ? 1 : 2", "!Invalid condition"},
        {"3 ? 1 : 2", "!Incorrect condition type"},
        {"var.unk ? 1 : nope.x", "!Reference to undeclared resource"},
        {"true ? 1 : \"a\"", "\"1\""},
        {"false ? 1 : \"a\"", "\"a\""},
        {"true ? true : \"x\"", "\"true\""},
        {"true ? 1 : false", "!Inconsistent conditional result types"},
        {"true ? 1 : nope.x", "1"},
        {"true ? 1 : null", "1"},
        {"true ? [1] : \"a\"", "[1]"},
    };
    RUN(cases);
}

TEST(lang_eval, references)
{
    static const struct ecase cases[] = {
        {"var.name", "\"app\""},
        {"var.tags.env", "\"prod\""},
        {"var.tags[\"team\"]", "\"core\""},
        {"var.list[1]", "\"b\""},
        {"var.list.2", "\"c\""},
        {"var.list[\"0\"]", "\"a\""},
        {"var.roles.admin.policies.1", "\"p2\""},
        {"local.prefix", "\"tern\""},
        {"aws_iam_role.x.name", "\"x\""},
        {"aws_iam_role.x.arn", "(unknown)"},
        {"aws_iam_role.x.arn.anything[0]", "(unknown)"},
        {"data.aws_caller_identity.current.account_id", "\"123456789012\""},
        {"module.m.out", "1"},
        {"path.module", "\".\""},
        {"terraform.workspace", "\"default\""},
        {"var.nmae", "!Reference to undeclared input variable"},
        {"local.prefx", "!Reference to undeclared local value"},
        {"aws_iam_role.y.arn", "!Reference to undeclared resource"},
        {"module.z.out", "!Reference to undeclared module"},
        {"var", "!Invalid reference"},
        {"aws_iam_role", "!Invalid reference"},
        {"each.key", "!Reference to \"each\" in context without for_each"},
        {"count.index", "!Reference to \"count\" in non-counted context"},
        {"path.nope", "!Invalid \"path\" attribute"},
        {"var.tags.nope", "!Unsupported attribute"},
        {"var.tags[\"nope\"]", "!Invalid index"},
        {"var.list[3]", "!Invalid index"},
        {"var.list[-1]", "!Invalid index"},
        {"var.list.name", "!Unsupported attribute"},
        {"var.name.x", "!Unsupported attribute"},
        {"var.nothing.x", "!Attempt to get attribute from null value"},
        {"var.nothing[0]", "!Attempt to index null value"},
        {"toset(var.list)[0]", "!Invalid index"},
        {"var.list[var.unk]", "(unknown)"},
        {"var.secret", "sensitive(\"s3cr3t\")"},
    };
    RUN(cases);
}

TEST(lang_eval, each_and_count)
{
    static const struct ecase cases[] = {
        {"each.key", "\"admin\""},
        {"each.value.arn", "\"arn:aws:iam::1:role/admin\""},
        {"count.index + 1", "2"},
        {"each.nope", "!Invalid \"each\" attribute"},
    };
    struct tern_lang_scope extra;
    tern_value *k = tern_value_string("admin");
    tern_value *obj = tern_value_object_new(), *idx = tern_value_int(1);

    tern_value_object_set(obj, "arn",
                          tern_value_string("arn:aws:iam::1:role/admin"));
    memset(&extra, 0, sizeof(extra));
    extra.each_key = k;
    extra.each_value = obj;
    extra.count_index = idx;
    tt_lang_run_cases(cases, sizeof(cases) / sizeof(cases[0]), &extra);
    tern_value_decref(k);
    tern_value_decref(obj);
    tern_value_decref(idx);
}

TEST(lang_eval, templates)
{
    static const struct ecase cases[] = {
        {"\"${var.name}-${var.n}-${var.flag}\"", "\"app-3-true\""},
        {"\"${var.list}\"", "[\"a\", \"b\", \"c\"]"},
        {"\"x${var.list}\"", "!Invalid template interpolation value"},
        {"\"x${var.nothing}\"", "!Invalid template interpolation value"},
        {"\"x${var.unk}\"", "(unknown)"},
        {"\"x${var.secret}\"", "sensitive(\"xs3cr3t\")"},
        {"\"%{for k, v in var.tags}${k}=${v};%{endfor}\"",
         "\"env=prod;team=core;\""},
        {"\"%{if var.n > 5}big%{else}small%{endif}\"", "\"small\""},
        {"\"%{if var.unk}a%{endif}\"", "(unknown)"},
        {"\"%{for x in var.name}${x}%{endfor}\"",
         "!Iteration over non-iterable value"},
    };
    RUN(cases);
}

TEST(lang_eval, collections_and_for)
{
    static const struct ecase cases[] = {
        {"[1, \"a\", true, null]", "[1, \"a\", true, null]"},
        {"{a = 1, \"b\" = 2, (var.name) = 3, 4 = 4}",
         "{4 = 4, a = 1, app = 3, b = 2}"},
        {"{z = 1, a = 2}", "{a = 2, z = 1}"},
        {"{(var.unk) = 1}", "(unknown)"},
        {"{(var.nothing) = 1}", "!Invalid object key"},
        {"[for s in var.list : upper(s)]", "[\"A\", \"B\", \"C\"]"},
        {"[for i, s in var.list : \"${i}:${s}\" if i != 1]",
         "[\"0:a\", \"2:c\"]"},
        {"{for k, r in var.roles : k => r.arn}",
         "{admin = \"arn:aws:iam::1:role/admin\", dev = "
         "\"arn:aws:iam::1:role/dev\"}"},
        {"{for u in var.users : u.name => u.groups}",
         "{u1 = [\"g1\"], u2 = [\"g2\", \"g3\"]}"},
        {"{for s in [\"a\", \"b\", \"a\"] : s => s...}",
         "{a = [\"a\", \"a\"], b = [\"b\"]}"},
        {"{for s in [\"a\", \"a\"] : s => 1}", "!Duplicate object key"},
        {"[for x in var.unk : x]", "(unknown)"},
        {"[for x in [1, var.unk] : x + 1]", "[2, (unknown)]"},
        {"[for x in [1, 2] : x if var.unk]", "(unknown)"},
        {"[for x in null : x]", "!Iteration over null value"},
        {"[for x in toset([\"b\", \"a\"]) : x]", "[\"a\", \"b\"]"},
        {"[for k, v in {b = 1, a = 2} : k]", "[\"a\", \"b\"]"},
        {"flatten([for k, r in var.roles : [for p in r.policies : "
         "\"${k}/${p}\"]])",
         "[\"admin/p1\", \"admin/p2\", \"dev/p3\"]"},
    };
    RUN(cases);
}

TEST(lang_eval, splats)
{
    static const struct ecase cases[] = {
        {"var.users[*].name", "[\"u1\", \"u2\"]"},
        {"var.users.*.name", "[\"u1\", \"u2\"]"},
        {"var.users[*].groups[0]", "[\"g1\", \"g2\"]"},
        {"length(var.users[*].groups)", "2"},
        {"var.nothing[*].x", "[]"},
        {"var.tags[*].env", "[\"prod\"]"},
        {"var.unk[*].x", "(unknown)"},
        {"[{a = 1}, {a = 2}][*].a", "[1, 2]"},
        {"var.users[*].nope", "!Unsupported attribute"},
    };
    RUN(cases);
}

TEST(lang_eval, calls_and_marks)
{
    static const struct ecase cases[] = {
        {"upper(var.name)", "\"APP\""},
        {"uper(var.name)", "!Call to unknown function"},
        {"upper(var.unk)", "(unknown)"},
        {"upper(var.secret)", "sensitive(\"S3CR3T\")"},
        {"length([var.unk, 1])", "2"},
        {"length(var.unk)", "(unknown)"},
        {"concat(var.list, [var.unk])", "[\"a\", \"b\", \"c\", (unknown)]"},
        {"jsonencode({a = var.unk})", "(unknown)"},
        {"min(var.nums...)", "1"},
        {"max(var.unk...)", "(unknown)"},
        {"max(var.name...)", "!Invalid expanding argument value"},
        {"upper()", "!Not enough function arguments"},
        {"upper(\"a\", \"b\")", "!Too many function arguments"},
        {"upper(null)", "!Invalid function argument"},
        {"nonsensitive(var.secret)", "\"s3cr3t\""},
        {"sensitive(\"x\")", "sensitive(\"x\")"},
        {"[var.secret][0]", "sensitive(\"s3cr3t\")"},
        {"try(var.tags.nope, \"fallback\")", "\"fallback\""},
        {"try(var.tags.env, \"fallback\")", "\"prod\""},
        {"try(var.unk.x, 1)", "(unknown)"},
        {"try(var.nope, local.nope)", "!Error in function call"},
        {"can(var.tags.nope)", "false"},
        {"can(var.list[0])", "true"},
        {"can(regex(\"^a\", var.name))", "true"},
        {"format(\"%s-%03d\", var.name, var.n)", "\"app-003\""},
    };
    RUN(cases);
}

TEST(lang_eval, unknown_in_operators)
{
    static const struct ecase cases[] = {
        {"var.unk + 1", "(unknown)"},
        {"var.unk == 1", "(unknown)"},
        {"[var.unk] == [1]", "(unknown)"},
        {"!var.unk", "(unknown)"},
        {"-var.unk", "(unknown)"},
        {"var.unk.attr", "(unknown)"},
        {"var.unk[\"k\"]", "(unknown)"},
        {"var.secret + 1", "!Invalid operand"},
        {"var.n + length(var.secret)", "sensitive(9)"},
    };
    RUN(cases);
}

const struct tern_test test_lang_eval_list[] = {
    TEST_UNIT(lang_eval, literals_and_operators),
    TEST_UNIT(lang_eval, conditionals),
    TEST_UNIT(lang_eval, references),
    TEST_UNIT(lang_eval, each_and_count),
    TEST_UNIT(lang_eval, templates),
    TEST_UNIT(lang_eval, collections_and_for),
    TEST_UNIT(lang_eval, splats),
    TEST_UNIT(lang_eval, calls_and_marks),
    TEST_UNIT(lang_eval, unknown_in_operators),
    TEST_END,
};
