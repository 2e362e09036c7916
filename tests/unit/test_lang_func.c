/* src/lang: the built-in functions, one table of cases per group. */
#include "runner.h"

#include "lang/lang.h"
#include "lang_check.h"
#include "util/alloc.h"

#include <stdio.h>

TEST(lang_func, json)
{
    static const struct ecase cases[] = {
        {"jsonencode({b = 1, a = [true, null, \"x\"]})",
         "\"{\\\"a\\\":[true,null,\\\"x\\\"],\\\"b\\\":1}\""},
        {"jsonencode(\"<a href='x'>&</a>\")",
         "\"\\\"\\\\u003ca "
         "href='x'\\\\u003e\\\\u0026\\\\u003c/a\\\\u003e\\\"\""},
        {"jsonencode(\"tab\\tnl\\nq\\\"\")",
         "\"\\\"tab\\\\tnl\\\\nq\\\\\\\"\\\"\""},
        {"jsonencode(1.5)", "\"1.5\""},
        {"jsonencode(100000000000000000000)", "\"100000000000000000000\""},
        {"jsonencode(null)", "\"null\""},
        {"jsondecode(\"{\\\"a\\\": [1, 2.5, \\\"x\\\", false, null]}\")",
         "{a = [1, 2.5, \"x\", false, null]}"},
        {"jsondecode(\"[1\")", "!Invalid function argument"},
        {"jsondecode(jsonencode({k = {n = [1]}})).k.n[0]", "1"},
    };
    RUN(cases);
}

TEST(lang_func, format)
{
    static const struct ecase cases[] = {
        {"format(\"Hello, %s!\", \"Ander\")", "\"Hello, Ander!\""},
        {"format(\"%d items\", 3)", "\"3 items\""},
        {"format(\"%5.2f|%-4d|%04d\", 3.14159, 7, 42)", "\" 3.14|7   |0042\""},
        {"format(\"%v %v %v\", 1, true, [1])", "\"1 true [1]\""},
        {"format(\"%q\", \"a\\\"b\")", "\"\\\"a\\\\\\\"b\\\"\""},
        {"format(\"%t %x %X %o %b\", true, 255, 255, 8, 5)",
         "\"true ff FF 10 101\""},
        {"format(\"%[2]s %[1]s\", \"a\", \"b\")", "\"b a\""},
        {"format(\"100%%\")", "\"100%\""},
        {"format(\"%d\", 1.5)", "!Invalid function argument"},
        {"format(\"%s %s\", \"a\")", "!Invalid function argument"},
        {"format(\"%s\", \"a\", \"b\")", "!Invalid function argument"},
        {"formatlist(\"%s=%s\", [\"a\", \"b\"], \"v\")", "[\"a=v\", \"b=v\"]"},
        {"formatlist(\"%s-%s\", [\"a\", \"b\"], [\"1\", \"2\"])",
         "[\"a-1\", \"b-2\"]"},
        {"formatlist(\"%s\", [\"a\"], [\"b\", \"c\"])",
         "!Invalid function argument"},
    };
    RUN(cases);
}

TEST(lang_func, strings)
{
    static const struct ecase cases[] = {
        {"join(\",\", [\"a\", \"b\"], [\"c\"])", "\"a,b,c\""},
        {"join(\"-\", [1, true])", "\"1-true\""},
        {"join(\",\", [])", "\"\""},
        {"split(\",\", \"a,b,,c\")", "[\"a\", \"b\", \"\", \"c\"]"},
        {"split(\",\", \"\")", "[\"\"]"},
        {"replace(\"a\\u0000b\", \"\\u0000\", \"-\")", "\"a-b\""},
        {"split(\"\\u0000\", \"x\\u0000y\")", "[\"x\", \"y\"]"},
        {"length(title(\"a\\u0000b\"))", "3"},
        {"lower(\"HeLLo\")", "\"hello\""},
        {"upper(\"hello\")", "\"HELLO\""},
        {"title(\"hello world\")", "\"Hello World\""},
        {"replace(\"a-b-c\", \"-\", \"_\")", "\"a_b_c\""},
        {"replace(\"hello world\", \"/w(or)ld/\", \"W$1\")", "\"hello Wor\""},
        {"replace(\"aaa\", \"/a*/\", \"b\")", "\"b\""},
        {"replace(\"2024-01-02\", \"/(\\\\d+)-(\\\\d+)-(\\\\d+)/\", "
         "\"$3.$2.$1\")",
         "\"02.01.2024\""},
        {"trimspace(\"  x \\n\")", "\"x\""},
        {"trimprefix(\"arn:aws:iam\", \"arn:\")", "\"aws:iam\""},
        {"trimsuffix(\"file.tf\", \".tf\")", "\"file\""},
        {"trimsuffix(\"file.tf\", \".json\")", "\"file.tf\""},
        {"trim(\"?!hello?!\", \"!?\")", "\"hello\""},
        {"chomp(\"x\\n\\n\")", "\"x\""},
        {"substr(\"hello world\", 1, 4)", "\"ello\""},
        {"substr(\"hello\", -3, -1)", "\"llo\""},
        {"substr(\"h\xc3\xa9llo\", 1, 2)", "\"\xc3\xa9l\""},
        {"startswith(\"hello\", \"he\")", "true"},
        {"endswith(\"hello\", \"he\")", "false"},
        {"strrev(\"abc\")", "\"cba\""},
        {"indent(2, \"a\\nb\")", "\"a\\n  b\""},
        {"urlencode(\"a b&c\")", "\"a+b%26c\""},
        {"length(\"h\xc3\xa9llo\")", "5"},
        {"tostring(5)", "\"5\""},
        {"tostring([1])", "!Invalid function argument"},
        {"tostring(null)", "null"},
        {"tonumber(\"1.5\")", "1.5"},
        {"tonumber(\"x\")", "!Invalid function argument"},
        {"tobool(\"true\")", "true"},
        {"tobool(1)", "!Invalid function argument"},
    };
    RUN(cases);
}

TEST(lang_func, regex)
{
    static const struct ecase cases[] = {
        {"regex(\"[a-z]+\", \"53453453.345345aaabbbccc23454\")",
         "\"aaabbbccc\""},
        {"regex(\"(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)\", "
         "\"2019-02-01\")",
         "[\"2019\", \"02\", \"01\"]"},
        {"regex(\"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?\","
         " \"https://terraform.io/docs/\")",
         "{authority = \"terraform.io\", scheme = \"https\"}"},
        {"regex(\"x\", \"abc\")", "!Invalid function argument"},
        {"regexall(\"[a-z]+\", \"1234abcd5678efgh9\")", "[\"abcd\", \"efgh\"]"},
        {"length(regexall(\"[a-z]+\", \"1234\"))", "0"},
        {"regexall(\"(\\\\w)=(\\\\w)\", \"a=1 b=2\")",
         "[[\"a\", \"1\"], [\"b\", \"2\"]]"},
        {"regex(\"(?i)HELLO\", \"say hello\")", "\"hello\""},
        {"regex(\"a+?\", \"aaa\")", "!Invalid function argument"},
        {"regex(\"(\", \"x\")", "!Invalid function argument"},
        {"regex(\"a++\", \"x\")", "!Invalid function argument"},
        {"regex(\"a{1001}\", \"x\")", "!Invalid function argument"},
        {"regex(\"^a{2,3}$\", \"aaa\")", "\"aaa\""},
        {"regex(\"\\\\s\\\\S+\", \"a bc\")", "\" bc\""},
    };
    RUN(cases);
}

TEST(lang_func, collections)
{
    static const struct ecase cases[] = {
        {"concat([1], [2, 3], [])", "[1, 2, 3]"},
        {"merge({a = 1, b = 2}, {b = 3}, null)", "{a = 1, b = 3}"},
        {"lookup({a = 1}, \"a\", 0)", "1"},
        {"lookup({a = 1}, \"b\", 0)", "0"},
        {"lookup({a = 1}, \"b\")", "!Invalid function argument"},
        {"element([\"a\", \"b\"], 3)", "\"b\""},
        {"element([], 0)", "!Invalid function argument"},
        {"length({a = 1, b = 2})", "2"},
        {"length(1)", "!Invalid function argument"},
        {"keys({b = 1, a = 2})", "[\"a\", \"b\"]"},
        {"values({b = 1, a = 2})", "[2, 1]"},
        {"contains([\"a\", \"b\"], \"b\")", "true"},
        {"contains([1], \"1\")", "false"},
        {"distinct([\"a\", \"b\", \"a\", \"c\"])", "[\"a\", \"b\", \"c\"]"},
        {"flatten([[1, [2]], [], [[3]], 4])", "[1, 2, 3, 4]"},
        {"coalesce(null, \"\", \"x\", \"y\")", "\"x\""},
        {"coalesce(null, \"\")", "!Error in function call"},
        {"coalescelist([], [1])", "[1]"},
        {"compact([\"a\", \"\", null, \"b\"])", "[\"a\", \"b\"]"},
        {"index([\"a\", \"b\"], \"b\")", "1"},
        {"index([\"a\"], \"z\")", "!Invalid function argument"},
        {"one([])", "null"},
        {"one([\"x\"])", "\"x\""},
        {"one([1, 2])", "!Invalid function argument"},
        {"reverse([1, 2, 3])", "[3, 2, 1]"},
        {"sort([\"b\", \"a\", \"c\"])", "[\"a\", \"b\", \"c\"]"},
        {"sort([10, 9])", "[\"10\", \"9\"]"},
        {"slice([1, 2, 3, 4], 1, 3)", "[2, 3]"},
        {"zipmap([\"a\", \"b\"], [1, 2])", "{a = 1, b = 2}"},
        {"zipmap([\"a\"], [])", "!Invalid function argument"},
        {"range(3)", "[0, 1, 2]"},
        {"range(1, 4)", "[1, 2, 3]"},
        {"range(0, 1, 0.25)", "[0, 0.25, 0.5, 0.75]"},
        {"range(3, 0)", "[3, 2, 1]"},
        {"range(0, 1, 0)", "!Invalid function argument"},
        {"tolist(toset([\"b\", \"a\", \"b\"]))", "[\"a\", \"b\"]"},
        {"toset([\"b\", \"a\", \"b\"])", "set(\"a\", \"b\")"},
        {"toset([1, \"a\"])", "set(\"1\", \"a\")"},
        {"tomap({a = 1, b = \"x\"})", "{a = \"1\", b = \"x\"}"},
        {"tomap([1])", "!Invalid function argument"},
        {"tolist([{a = 1}, \"x\"])", "!Invalid function argument"},
        {"setunion([\"a\"], [\"b\", \"a\"])", "set(\"a\", \"b\")"},
        {"setintersection([\"a\", \"b\"], [\"b\", \"c\"])", "set(\"b\")"},
        {"setsubtract([\"a\", \"b\"], [\"b\"])", "set(\"a\")"},
        {"alltrue([true, \"true\"])", "true"},
        {"anytrue([false])", "false"},
    };
    RUN(cases);
}

TEST(lang_func, numbers_and_encoding)
{
    static const struct ecase cases[] = {
        {"max(1, 5, \"3\")", "5"},
        {"min(4.5, 2)", "2"},
        {"max()", "!Not enough function arguments"},
        {"abs(-2.5)", "2.5"},
        {"ceil(1.2)", "2"},
        {"floor(-1.2)", "-2"},
        {"sum([1, 2, 3.5])", "6.5"},
        {"base64encode(\"Hello World\")", "\"SGVsbG8gV29ybGQ=\""},
        {"base64decode(\"SGVsbG8gV29ybGQ=\")", "\"Hello World\""},
        {"base64decode(base64encode(\"ab\"))", "\"ab\""},
        {"base64decode(\"/w==\")", "!Error in function call"},
        {"base64decode(\"abc\")", "!Error in function call"},
        {"sha256(\"hello world\")", "\"b94d27b9934d3e08a52e52d7da7dabfac484efe3"
                                    "7a5380ee9088f7ace2efcde9\""},
        {"md5(\"hello world\")", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""},
        {"sha1(\"hello world\")",
         "\"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed\""},
        {"base64sha256(\"hello world\")",
         "\"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=\""},
    };
    RUN(cases);
}

TEST(lang_func, paths)
{
    static const struct ecase cases[] = {
        {"basename(\"foo/bar/baz.txt\")", "\"baz.txt\""},
        {"basename(\"/\")", "\"/\""},
        {"basename(\"dir/\")", "\"dir\""},
        {"dirname(\"foo/bar/baz.txt\")", "\"foo/bar\""},
        {"dirname(\"baz.txt\")", "\".\""},
        {"dirname(\"/baz.txt\")", "\"/\""},
        {"abspath(\"/a/b/../c/./d\")", "\"/a/c/d\""},
        {"startswith(abspath(\"x\"), \"/\")", "true"},
    };
    RUN(cases);
}

TEST(lang_func, documented_strings_and_numbers)
{
    static const struct ecase cases[] = {
        {"strcontains(\"hello world\", \"wor\")", "true"},
        {"strcontains(\"hello world\", \"wod\")", "false"},
        {"parseint(\"100\", 10)", "100"},
        {"parseint(\"FF\", 16)", "255"},
        {"parseint(\"-10\", 16)", "-16"},
        {"parseint(\"1011111011101111\", 2)", "48879"},
        {"parseint(\"aA\", 62)", "656"},
        {"parseint(\"12\", 2)", "!Invalid function argument"},
        {"pow(3, 2)", "9"},
        {"pow(4, 0)", "1"},
        {"log(50, 10)", "1.6989700043360185"},
        {"log(16, 2)", "4"},
        {"ceil(log(15, 2))", "4"},
        {"ceil(log(16, 2))", "4"},
        {"ceil(log(17, 2))", "5"},
        {"signum(-13)", "-1"},
        {"signum(0)", "0"},
        {"signum(344)", "1"},
        {"issensitive(sensitive(\"secret\"))", "true"},
        {"issensitive(\"hello\")", "false"},
        {"issensitive(var.secret)", "true"},
        {"textencodebase64(\"Hello World\", \"UTF-16LE\")",
         "\"SABlAGwAbABvACAAVwBvAHIAbABkAA==\""},
        {"textdecodebase64(\"SABlAGwAbABvACAAVwBvAHIAbABkAA==\", \"UTF-16LE\")",
         "\"Hello World\""},
        {"textencodebase64(\"Hello World\", \"UTF-8\")",
         "\"SGVsbG8gV29ybGQ=\""},
        {"textencodebase64(\"x\", \"no-such-encoding\")",
         "!Invalid function argument"},
        {"list(\"a\")", "!Error in function call"},
        {"map(\"a\", \"b\")", "!Error in function call"},
    };
    RUN(cases);
}

TEST(lang_func, documented_collections)
{
    static const struct ecase cases[] = {
        {"chunklist([\"a\", \"b\", \"c\", \"d\", \"e\"], 2)",
         "[[\"a\", \"b\"], [\"c\", \"d\"], [\"e\"]]"},
        {"chunklist([\"a\", \"b\", \"c\", \"d\", \"e\"], 1)",
         "[[\"a\"], [\"b\"], [\"c\"], [\"d\"], [\"e\"]]"},
        {"matchkeys([\"i-123\", \"i-abc\", \"i-def\"], [\"us-west\", "
         "\"us-east\", \"us-east\"], [\"us-east\"])",
         "[\"i-abc\", \"i-def\"]"},
        {"setproduct([\"development\", \"staging\", \"production\"], "
         "[\"app1\", \"app2\"])",
         "[[\"development\", \"app1\"], [\"development\", \"app2\"], "
         "[\"staging\", \"app1\"], [\"staging\", \"app2\"], [\"production\", "
         "\"app1\"], [\"production\", \"app2\"]]"},
        {"setproduct([\"development\", \"staging\", \"production\"], [])",
         "[]"},
        {"setproduct([\"a\"], [\"b\"])", "[[\"a\", \"b\"]]"},
        {"setproduct([\"staging\", \"production\"], [\"a\", 2])",
         "[[\"staging\", \"a\"], [\"staging\", \"2\"], [\"production\", "
         "\"a\"], [\"production\", \"2\"]]"},
        {"setproduct([\"a\"])", "!Error in function call"},
        {"transpose({\"a\" = [\"1\", \"2\"], \"b\" = [\"2\", \"3\"]})",
         "{1 = [\"a\"], 2 = [\"a\", \"b\"], 3 = [\"b\"]}"},
        {"csvdecode(\"a,b,c\\n1,2,3\\n4,5,6\")",
         "[{a = \"1\", b = \"2\", c = \"3\"}, {a = \"4\", b = \"5\", c = "
         "\"6\"}]"},
        {"csvdecode(\"a,b\\n1\\n\")", "!Error in function call"},
    };
    RUN(cases);
}

TEST(lang_func, documented_network)
{
    static const struct ecase cases[] = {
        {"cidrhost(\"10.12.112.0/20\", 16)", "\"10.12.112.16\""},
        {"cidrhost(\"10.12.112.0/20\", 268)", "\"10.12.113.12\""},
        {"cidrhost(\"fd00:fd12:3456:7890:00a2::/72\", 34)",
         "\"fd00:fd12:3456:7890::22\""},
        {"cidrhost(\"10.0.0.0/8\", 2)", "\"10.0.0.2\""},
        {"cidrhost(\"10.0.0.0/8\", -2)", "\"10.255.255.254\""},
        {"cidrhost(\"10.1.2.240/28\", 1)", "\"10.1.2.241\""},
        {"cidrhost(\"10.1.2.240/28\", 14)", "\"10.1.2.254\""},
        {"cidrnetmask(\"172.16.0.0/12\")", "\"255.240.0.0\""},
        {"cidrsubnet(\"172.16.0.0/12\", 4, 2)", "\"172.18.0.0/16\""},
        {"cidrsubnet(\"10.1.2.0/24\", 4, 15)", "\"10.1.2.240/28\""},
        {"cidrsubnet(\"fd00:fd12:3456:7890::/56\", 16, 162)",
         "\"fd00:fd12:3456:7800:a200::/72\""},
        {"cidrsubnets(\"10.1.0.0/16\", 4, 4, 8, 4)",
         "[\"10.1.0.0/20\", \"10.1.16.0/20\", \"10.1.32.0/24\", "
         "\"10.1.48.0/20\"]"},
        {"cidrsubnets(\"fd00:fd12:3456:7890::/56\", 16, 16, 16, 32)",
         "[\"fd00:fd12:3456:7800::/72\", \"fd00:fd12:3456:7800:100::/72\", "
         "\"fd00:fd12:3456:7800:200::/72\", \"fd00:fd12:3456:7800:300::/88\"]"},
        {"[for cidr_block in cidrsubnets(\"10.0.0.0/8\", 8, 8, 8, 8) : "
         "cidrsubnets(cidr_block, 4, 4)]",
         "[[\"10.0.0.0/20\", \"10.0.16.0/20\"], [\"10.1.0.0/20\", "
         "\"10.1.16.0/20\"], [\"10.2.0.0/20\", \"10.2.16.0/20\"], "
         "[\"10.3.0.0/20\", \"10.3.16.0/20\"]]"},
        {"cidrnetmask(\"fd00::/8\")", "!Error in function call"},
        {"cidrhost(\"10.0.0.0/30\", 4)", "!Error in function call"},
        {"cidrsubnet(\"10.0.0.0/30\", 4, 0)", "!Error in function call"},
        {"cidrsubnets(\"10.0.0.0/30\", 1, 1, 1)", "!Invalid function argument"},
        {"cidrhost(\"10.0.0.0\", 1)", "!Error in function call"},
    };
    RUN(cases);
}

TEST(lang_func, documented_time)
{
    static const struct ecase cases[] = {
        {"formatdate(\"DD MMM YYYY hh:mm ZZZ\", \"2018-01-02T23:12:01Z\")",
         "\"02 Jan 2018 23:12 UTC\""},
        {"formatdate(\"EEEE, DD-MMM-YY hh:mm:ss ZZZ\", "
         "\"2018-01-02T23:12:01Z\")",
         "\"Tuesday, 02-Jan-18 23:12:01 UTC\""},
        {"formatdate(\"EEE, DD MMM YYYY hh:mm:ss ZZZ\", "
         "\"2018-01-02T23:12:01-08:00\")",
         "\"Tue, 02 Jan 2018 23:12:01 -0800\""},
        {"formatdate(\"MMM DD, YYYY\", \"2018-01-02T23:12:01Z\")",
         "\"Jan 02, 2018\""},
        {"formatdate(\"HH:mmaa\", \"2018-01-02T23:12:01Z\")", "\"11:12pm\""},
        {"formatdate(\"h'h'mm\", \"2018-01-02T23:12:01-08:00\")", "\"23h12\""},
        {"formatdate(\"H 'o''clock'\", \"2018-01-02T23:12:01-08:00\")",
         "\"11 o'clock\""},
        {"timeadd(\"2024-08-16T12:45:05Z\", \"10m\")",
         "\"2024-08-16T12:55:05Z\""},
        {"timeadd(\"2024-08-16T12:45:05Z\", \"-10m\")",
         "\"2024-08-16T12:35:05Z\""},
        {"timecmp(\"2017-11-22T00:00:00Z\", \"2017-11-22T00:00:00Z\")", "0"},
        {"timecmp(\"2017-11-22T00:00:00Z\", \"2017-11-22T01:00:00Z\")", "-1"},
        {"timecmp(\"2017-11-22T01:00:00Z\", \"2017-11-22T00:00:00Z\")", "1"},
        {"timecmp(\"2017-11-22T01:00:00Z\", \"2017-11-22T00:00:00-01:00\")",
         "0"},
        {"formatdate(\"YYY\", \"2018-01-02T23:12:01Z\")",
         "!Invalid function argument"},
        {"formatdate(\"YYYY\", \"2018-01-02 23:12:01Z\")",
         "!Invalid function argument"},
        {"timeadd(\"2024-08-16T12:45:05Z\", \"10\")",
         "!Invalid function argument"},
    };
    RUN(cases);
}

TEST(lang_func, documented_encoding_and_hashes)
{
    static const struct ecase cases[] = {
        {"base64sha512(\"hello world\")",
         "\"MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+"
         "YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==\""},
        {"sha512(\"hello world\")",
         "\"309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989"
         "dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f\""},
        {"uuidv5(\"dns\", \"www.terraform.io\")",
         "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\""},
        {"uuidv5(\"url\", \"https://www.terraform.io/\")",
         "\"9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5\""},
        {"uuidv5(\"oid\", \"1.3.6.1.4\")",
         "\"af9d40a5-7a36-5c07-b23a-851cd99fbfa5\""},
        {"uuidv5(\"x500\", \"CN=Example,C=GB\")",
         "\"84e09961-4aa4-57f8-95b7-03edb1073253\""},
        {"uuidv5(\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\", "
         "\"www.terraform.io\")",
         "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\""},
        {"uuidv5(\"743ac3c0-3bf7-4a5b-9e6c-59360447c757\", "
         "\"LIBS:diskfont.library\")",
         "\"ede1a974-df7e-5f17-84b9-76208818b2c8\""},
        {"uuidv5(\"abc\", \"x\")", "!Error in function call"},
        {"yamldecode(\"hello: world\")", "{hello = \"world\"}"},
        {"yamldecode(\"true\")", "true"},
        {"yamldecode(\"{a: &foo [1, 2, 3], b: *foo}\")",
         "{a = [1, 2, 3], b = [1, 2, 3]}"},
        {"yamldecode(\"{a: &foo [1, *foo, 3]}\")", "!Error in function call"},
        {"yamldecode(\"{a: !not-supported foo}\")", "!Error in function call"},
        {"yamlencode({\"a\":\"b\", \"c\":\"d\"})",
         "\"\\\"a\\\": \\\"b\\\"\\n\\\"c\\\": \\\"d\\\"\\n\""},
        {"yamlencode({\"foo\":[1, 2, 3], \"bar\": \"baz\"})",
         "\"\\\"bar\\\": \\\"baz\\\"\\n\\\"foo\\\":\\n- 1\\n- 2\\n- 3\\n\""},
        {"yamlencode({\"foo\":[1, {\"a\":\"b\",\"c\":\"d\"}, 3], \"bar\": "
         "\"baz\"})",
         "\"\\\"bar\\\": \\\"baz\\\"\\n\\\"foo\\\":\\n- 1\\n- \\\"a\\\": "
         "\\\"b\\\"\\n  \\\"c\\\": \\\"d\\\"\\n- 3\\n\""},
        {"urlencode(\"Hello World!\")", "\"Hello+World%21\""},
        {"urlencode(\"\xe2\x98\x83\")", "\"%E2%98%83\""},
        {"\"http://example.com/search?q=${urlencode(\"terraform "
         "urlencode\")}\"",
         "\"http://example.com/search?q=terraform+urlencode\""},
    };
    RUN(cases);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ASSERT_NOT_NULL(f);
    fputs(text, f);
    fclose(f);
}

TEST(lang_func, files_and_templatefile)
{
    static const struct ecase cases[] = {
        {"file(\"policy.json\")",
         "\"{\\\"Version\\\": \\\"2012-10-17\\\"}\\n\""},
        {"jsondecode(file(\"policy.json\")).Version", "\"2012-10-17\""},
        {"fileexists(\"policy.json\")", "true"},
        {"fileexists(\"nope.json\")", "false"},
        {"file(\"nope.json\")", "!Invalid function argument"},
        {"templatefile(\"trust.tpl\", {services = [\"ec2\", \"lambda\"], "
         "name = \"r\"})",
         "\"r:\\nec2.amazonaws.com\\nlambda.amazonaws.com\\n\""},
        {"templatefile(\"trust.tpl\", {name = \"r\"})",
         "!Invalid function argument"},
        {"templatefile(\"trust.tpl\", {services = [], name = var.unk})",
         "(unknown)"},
    };
    struct tern_lang_scope extra;
    const char *dir = tern_test_tmpdir();
    char path[4096];

    snprintf(path, sizeof(path), "%s/policy.json", dir);
    write_file(path, "{\"Version\": \"2012-10-17\"}\n");
    snprintf(path, sizeof(path), "%s/trust.tpl", dir);
    write_file(path, "${name}:\n%{ for s in services ~}\n  ${s}.amazonaws.com\n"
                     "%{ endfor ~}\n");
    memset(&extra, 0, sizeof(extra));
    extra.base_dir = dir;
    tt_lang_run_cases(cases, sizeof(cases) / sizeof(cases[0]), &extra);
}

TEST(lang_func, names_are_sorted_and_found)
{
    const char *const *names = tern_lang_function_names();
    size_t i;
    int count = 0;

    for (i = 0; names[i]; i++) {
        if (strcmp(names[i], "can") == 0 || strcmp(names[i], "try") == 0)
            continue;
        count++;
        if (names[i + 1] && strcmp(names[i + 1], "can") != 0)
            ASSERT_CMP(strcmp(names[i], names[i + 1]), <, 0);
    }
    ASSERT_CMP(count, >=, 60);
}

const struct tern_test test_lang_func_list[] = {
    TEST_UNIT(lang_func, json),
    TEST_UNIT(lang_func, format),
    TEST_UNIT(lang_func, strings),
    TEST_UNIT(lang_func, regex),
    TEST_UNIT(lang_func, collections),
    TEST_UNIT(lang_func, numbers_and_encoding),
    TEST_UNIT(lang_func, paths),
    TEST_UNIT(lang_func, files_and_templatefile),
    TEST_UNIT(lang_func, names_are_sorted_and_found),
    TEST_UNIT(lang_func, documented_strings_and_numbers),
    TEST_UNIT(lang_func, documented_collections),
    TEST_UNIT(lang_func, documented_network),
    TEST_UNIT(lang_func, documented_time),
    TEST_UNIT(lang_func, documented_encoding_and_hashes),
    TEST_END,
};
