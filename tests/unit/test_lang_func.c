/* src/lang: the built-in functions, one table of cases per group. */
#include "runner.h"

#include "lang/lang.h"
#include "lang_check.h"
#include "support.h"
#include "test_module.h"
#include "util/alloc.h"

#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

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

/*
 * Every built-in function of Terraform 1.9 (internal/lang/functions.go of
 * v1.9, without "type", which only its console has, and the provider::
 * functions): each must be in tern's table, and the table must hold no
 * name Terraform 1.9 lacks.
 */
TEST(lang_func, every_function_of_terraform_1_9)
{
    static const char *const tf19[] = {
        "abs",
        "abspath",
        "alltrue",
        "anytrue",
        "base64decode",
        "base64encode",
        "base64gzip",
        "base64sha256",
        "base64sha512",
        "basename",
        "bcrypt",
        "can",
        "ceil",
        "chomp",
        "chunklist",
        "cidrhost",
        "cidrnetmask",
        "cidrsubnet",
        "cidrsubnets",
        "coalesce",
        "coalescelist",
        "compact",
        "concat",
        "contains",
        "csvdecode",
        "dirname",
        "distinct",
        "element",
        "endswith",
        "file",
        "filebase64",
        "filebase64sha256",
        "filebase64sha512",
        "fileexists",
        "filemd5",
        "fileset",
        "filesha1",
        "filesha256",
        "filesha512",
        "flatten",
        "floor",
        "format",
        "formatdate",
        "formatlist",
        "indent",
        "index",
        "issensitive",
        "join",
        "jsondecode",
        "jsonencode",
        "keys",
        "length",
        "list",
        "log",
        "lookup",
        "lower",
        "map",
        "matchkeys",
        "max",
        "md5",
        "merge",
        "min",
        "nonsensitive",
        "one",
        "parseint",
        "pathexpand",
        "plantimestamp",
        "pow",
        "range",
        "regex",
        "regexall",
        "replace",
        "reverse",
        "rsadecrypt",
        "sensitive",
        "setintersection",
        "setproduct",
        "setsubtract",
        "setunion",
        "sha1",
        "sha256",
        "sha512",
        "signum",
        "slice",
        "sort",
        "split",
        "startswith",
        "strcontains",
        "strrev",
        "substr",
        "sum",
        "templatefile",
        "templatestring",
        "textdecodebase64",
        "textencodebase64",
        "timeadd",
        "timecmp",
        "timestamp",
        "title",
        "tobool",
        "tolist",
        "tomap",
        "tonumber",
        "toset",
        "tostring",
        "transpose",
        "trim",
        "trimprefix",
        "trimspace",
        "trimsuffix",
        "try",
        "upper",
        "urlencode",
        "uuid",
        "uuidv5",
        "values",
        "yamldecode",
        "yamlencode",
        "zipmap",
    };
    const char *const *names = tern_lang_function_names();
    size_t i, j, n = 0;
    int missing = 0;

    for (i = 0; i < sizeof(tf19) / sizeof(tf19[0]); i++) {
        for (j = 0; names[j]; j++)
            if (strcmp(names[j], tf19[i]) == 0)
                break;
        if (!names[j]) {
            fprintf(stderr, "# missing: %s\n", tf19[i]);
            missing++;
        }
    }
    for (j = 0; names[j]; j++) {
        for (i = 0; i < sizeof(tf19) / sizeof(tf19[0]); i++)
            if (strcmp(names[j], tf19[i]) == 0)
                break;
        if (i == sizeof(tf19) / sizeof(tf19[0])) {
            fprintf(stderr, "# not in Terraform 1.9: %s\n", names[j]);
            missing++;
        }
        n++;
    }
    ASSERT_EQ(missing, 0);
    ASSERT_EQ(n, sizeof(tf19) / sizeof(tf19[0]));
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

TEST(lang_func, yaml_and_csv_details)
{
    static const struct ecase cases[] = {
        {"yamlencode(1)", "\"1\\n\""},
        {"yamlencode(\"x\")", "\"\\\"x\\\"\\n\""},
        {"yamlencode([])", "\"[]\\n\""},
        {"yamlencode({})", "\"{}\\n\""},
        {"yamlencode(null)", "\"null\\n\""},
        {"yamlencode(100000000000000000000)", "\"100000000000000000000\\n\""},
        {"yamlencode(0.00000015)", "\"0.00000015\\n\""},
        {"yamlencode({a = \"x\\ny\"})", "\"\\\"a\\\": |-\\n  x\\n  y\\n\""},
        {"yamldecode(\"a: yes\\nb: '1'\\nc: 0x1F\\nd: !!int 0x1F\\ne: "
         "2001-12-14\\nf: ~\\ng: 1_000\\nh: !!binary aGk=\")",
         "{a = true, b = \"1\", c = \"0x1F\", d = 31, e = "
         "\"2001-12-14T00:00:00Z\", f = null, g = 1000, h = \"aGk=\"}"},
        {"yamldecode(\"base: &b {p: 1, q: 2}\\nderived:\\n  <<: *b\\n  q: 3\")",
         "{base = {p = 1, q = 2}, derived = {p = 1, q = 3}}"},
        {"yamldecode(\"a: 1\\n---\\nb: 2\")", "!Error in function call"},
        {"yamldecode(\"a: [1, 2\")", "!Error in function call"},
        {"yamldecode(\"\")", "!Error in function call"},
        {"yamldecode(\"y: 1\")", "{true = 1}"},
        {"csvdecode(\"a,b\\n\\\"x, y\\\",\\\"say \\\"\\\"hi\\\"\\\"\\\"\\n\")",
         "[{a = \"x, y\", b = \"say \\\"hi\\\"\"}]"},
    };
    RUN(cases);
}

/* Evaluate @text in @scope; the value (or NULL after a diagnostic). */
static tern_value *eval_in(const char *text, const struct tern_lang_scope *sc)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tern_expr *e = NULL;
    tern_value *v = NULL;

    if (tern_lang_parse_expr(&srcs, "expr.tf", text, strlen(text), &e,
                             &diags) == TERN_OK)
        tern_lang_eval(e, sc, &v, &diags);
    if (diags.count) {
        fprintf(stderr, "# %s: %s: %s\n", text, diags.items[0].summary,
                diags.items[0].detail ? diags.items[0].detail : "");
        tern_value_decref(v);
        v = NULL;
    }
    tern_diags_release(&diags);
    tern_lang_sources_free(&srcs);
    return v;
}

/* timestamp, uuid and bcrypt are unknown while planning (Terraform's
 * impure functions); plantimestamp is the plan's time, unknown without
 * one (validate). */
TEST(lang_func, impure_functions_unknown_during_plan)
{
    static const struct ecase plan[] = {
        {"timestamp()", "(unknown)"},
        {"uuid()", "(unknown)"},
        {"bcrypt(\"hello world\")", "(unknown)"},
        {"formatdate(\"YYYY\", timestamp())", "(unknown)"},
        {"\"at ${timestamp()}\"", "(unknown)"},
        {"plantimestamp()", "\"2018-05-13T07:44:12Z\""},
        {"timecmp(plantimestamp(), \"2018-05-13T07:44:12Z\")", "0"},
        {"uuidv5(\"dns\", \"www.terraform.io\")",
         "\"a5008fae-b28c-5ba5-96cd-82b4c53552d6\""},
        {"timestamp(1)", "!Too many function arguments"},
    };
    static const struct ecase validate[] = {
        {"plantimestamp()", "(unknown)"},
        {"timestamp()", "(unknown)"},
    };
    static const struct ecase apply[] = {
        {"formatdate(\"YYYY-MM-DD'T'hh:mm:ssZ\", timestamp()) == timestamp()",
         "true"},
        {"timecmp(timestamp(), \"2024-01-01T00:00:00Z\")", "1"},
        {"length(uuid())", "36"},
        {"[for p in split(\"-\", uuid()) : length(p)]", "[8, 4, 4, 4, 12]"},
        {"can(regex(\"^[0-9a-f-]+$\", uuid()))", "true"},
        {"uuid() == uuid()", "false"},
        {"substr(bcrypt(\"hello world\"), 0, 7)", "\"$2a$10$\""},
        {"length(bcrypt(\"hello world\", 4))", "60"},
        {"bcrypt(\"x\", 32)", "!Error in function call"},
        {"plantimestamp()", "\"2018-05-13T07:44:12Z\""},
    };
    struct tern_lang_scope sc;

    memset(&sc, 0, sizeof(sc));
    sc.plan_timestamp = "2018-05-13T07:44:12Z";
    tt_lang_run_cases(plan, sizeof(plan) / sizeof(plan[0]), &sc);
    sc.plan_timestamp = NULL;
    tt_lang_run_cases(validate, sizeof(validate) / sizeof(validate[0]), &sc);
    sc.plan_timestamp = "2018-05-13T07:44:12Z";
    sc.apply = 1;
    tt_lang_run_cases(apply, sizeof(apply) / sizeof(apply[0]), &sc);
}

/* bcrypt's hash checks with libxcrypt's EksBlowfish ("$2b$", the same
 * algorithm as Go's "$2a$"), and so does the documentation's example. */
TEST(lang_func, bcrypt_hash_verifies)
{
    static const char doc[] =
        "$2b$10$D5grTTzcsqyvAeIAnY/mYOIqliCoG7eAMX0/oFcuD.iErkksEbcAa";
    struct crypt_data *cd = tern_calloc(1, sizeof(*cd));
    struct tern_lang_scope sc;
    tern_value *v;
    char setting[64];
    const char *h, *got;

    ASSERT_NOT_NULL(cd);
    h = crypt_rn("hello world", doc, cd, (int)sizeof(*cd));
    ASSERT_NOT_NULL(h);
    ASSERT_STR_EQ(h, doc);
    memset(&sc, 0, sizeof(sc));
    sc.apply = 1;
    v = eval_in("bcrypt(\"hello world\", 5)", &sc);
    ASSERT_NOT_NULL(v);
    got = tern_value_get_string(v);
    ASSERT_EQ(strlen(got), 60);
    ASSERT_EQ(strncmp(got, "$2a$05$", 7), 0);
    snprintf(setting, sizeof(setting), "$2b$%s", got + 4);
    h = crypt_rn("hello world", setting, cd, (int)sizeof(*cd));
    ASSERT_NOT_NULL(h);
    ASSERT_STR_EQ(h + 4, got + 4);
    /* A different salt each time. */
    {
        tern_value *w = eval_in("bcrypt(\"hello world\", 5)", &sc);

        ASSERT_NOT_NULL(w);
        ASSERT_CMP(strcmp(tern_value_get_string(w), got), !=, 0);
        tern_value_decref(w);
    }
    tern_value_decref(v);
    tern_free(cd);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    ASSERT_NOT_NULL(f);
    ASSERT_EQ(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* rsadecrypt, as its documentation uses it: a ciphertext made with the
 * public half (PKCS #1 v1.5) and the PEM private key, both from files. */
TEST(lang_func, rsadecrypt_documented_use)
{
    static const struct ecase cases[] = {
        {"rsadecrypt(filebase64(\"${path.module}/ciphertext\"), "
         "file(\"privatekey.pem\"))",
         "\"Hello, world!\""},
        {"rsadecrypt(\"not base64!\", file(\"privatekey.pem\"))",
         "!Invalid function argument"},
        {"rsadecrypt(filebase64(\"ciphertext\"), \"no key\")",
         "!Invalid function argument"},
        {"rsadecrypt(base64encode(\"garbage\"), file(\"privatekey.pem\"))",
         "!Error in function call"},
    };
    const char *dir = tern_test_tmpdir();
    EVP_PKEY *pk = EVP_RSA_gen(2048);
    EVP_PKEY_CTX *ctx;
    BIO *bio = BIO_new(BIO_s_mem());
    unsigned char ct[512];
    size_t ctlen = sizeof(ct);
    char path[4096], *pem = NULL;
    long pemlen;
    struct tern_lang_scope sc;

    ASSERT_NOT_NULL(pk);
    ASSERT_NOT_NULL(bio);
    ASSERT_CMP(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL), ==,
               1);
    pemlen = BIO_get_mem_data(bio, &pem);
    snprintf(path, sizeof(path), "%s/privatekey.pem", dir);
    write_bytes(path, pem, (size_t)pemlen);
    ctx = EVP_PKEY_CTX_new(pk, NULL);
    ASSERT_NOT_NULL(ctx);
    ASSERT_CMP(EVP_PKEY_encrypt_init(ctx), ==, 1);
    ASSERT_CMP(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), ==, 1);
    ASSERT_CMP(EVP_PKEY_encrypt(ctx, ct, &ctlen,
                                (const unsigned char *)"Hello, world!", 13),
               ==, 1);
    snprintf(path, sizeof(path), "%s/ciphertext", dir);
    write_bytes(path, ct, ctlen);
    EVP_PKEY_CTX_free(ctx);
    BIO_free(bio);
    EVP_PKEY_free(pk);
    memset(&sc, 0, sizeof(sc));
    sc.base_dir = dir;
    tt_lang_run_cases(cases, sizeof(cases) / sizeof(cases[0]), &sc);
}

/* The file hashes are the string hashes of the file's bytes; fileset as
 * its documentation shows it, on the same tree. */
TEST(lang_func, file_hashes_and_fileset)
{
    static const struct ecase cases[] = {
        {"filemd5(\"files/hello.txt\")",
         "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""},
        {"filesha1(\"files/hello.txt\")",
         "\"2aae6c35c94fcfb415dbe95f408b9ce91ee846ed\""},
        {"filesha256(\"files/hello.txt\")",
         "\"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
         "\""},
        {"filesha512(\"files/hello.txt\") == sha512(\"hello world\")", "true"},
        {"filebase64sha256(\"files/hello.txt\")",
         "\"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=\""},
        {"filebase64sha512(\"files/hello.txt\")",
         "\"MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2"
         "DDoH2Bdz33FVC6TrpzXbw==\""},
        {"filemd5(\"files/nope.txt\")", "!Invalid function argument"},
        {"fileset(path.module, \"files/*.txt\")",
         "set(\"files/hello.txt\", \"files/world.txt\")"},
        {"fileset(path.module, \"files/{hello,world}.txt\")",
         "set(\"files/hello.txt\", \"files/world.txt\")"},
        {"fileset(\"${path.module}/files\", \"*\")",
         "set(\"hello.txt\", \"world.txt\")"},
        {"fileset(\"${path.module}/files\", \"**\")",
         "set(\"hello.txt\", \"subdirectory/anotherfile.txt\", \"world.txt\")"},
        {"fileset(\"files\", \"**/*.txt\")",
         "set(\"hello.txt\", \"subdirectory/anotherfile.txt\", \"world.txt\")"},
        {"fileset(\"files\", \"[hw]?l*.txt\")", "set(\"hello.txt\")"},
        {"fileset(\"files\", \"[^h]*.txt\")", "set(\"world.txt\")"},
        {"fileset(\"nowhere\", \"*\")", "set()"},
    };
    const char *dir = tern_test_tmpdir();
    char path[4096];
    struct tern_lang_scope sc;

    snprintf(path, sizeof(path), "%s/files", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/files/subdirectory", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/files/hello.txt", dir);
    write_bytes(path, "hello world", 11);
    snprintf(path, sizeof(path), "%s/files/world.txt", dir);
    write_bytes(path, "world", 5);
    snprintf(path, sizeof(path), "%s/files/subdirectory/anotherfile.txt", dir);
    write_bytes(path, "x", 1);
    memset(&sc, 0, sizeof(sc));
    sc.base_dir = dir;
    tt_lang_run_cases(cases, sizeof(cases) / sizeof(cases[0]), &sc);
}

/* base64gzip: the gzip stream Go writes (header with OS 255), which
 * decompresses to the text. */
TEST(lang_func, base64gzip_round_trip)
{
    static const char text[] = "{\"Version\": \"2012-10-17\", \"Statement\": "
                               "[]} repeated repeated repeated";
    struct tern_lang_scope sc;
    char expr[256], *out;
    unsigned char raw[512], plain[512];
    tern_value *v;
    z_stream z;
    int rawlen;

    memset(&sc, 0, sizeof(sc));
    snprintf(expr, sizeof(expr), "base64gzip(%s)",
             "\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": []} "
             "repeated repeated repeated\"");
    v = eval_in(expr, &sc);
    ASSERT_NOT_NULL(v);
    out = (char *)tern_value_get_string(v);
    rawlen = EVP_DecodeBlock(raw, (const unsigned char *)out, (int)strlen(out));
    ASSERT_CMP(rawlen, >, 18);
    ASSERT_EQ(raw[0], 0x1f);
    ASSERT_EQ(raw[1], 0x8b);
    ASSERT_EQ(raw[2], 8);
    ASSERT_EQ(raw[9], 255);
    memset(&z, 0, sizeof(z));
    ASSERT_EQ(inflateInit2(&z, 31), Z_OK);
    z.next_in = raw;
    z.avail_in = (uInt)rawlen;
    z.next_out = plain;
    z.avail_out = sizeof(plain);
    ASSERT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
    ASSERT_EQ(z.total_out, strlen(text));
    ASSERT_EQ(memcmp(plain, text, strlen(text)), 0);
    inflateEnd(&z);
    tern_value_decref(v);
}

/* templatestring takes a literal (escaped) template or a reference to
 * one; pathexpand replaces a leading ~ with $HOME. */
TEST(lang_func, templatestring_and_pathexpand)
{
    static const struct ecase cases[] = {
        {"templatestring(\"Hello, $${who}!\", {who = \"world\"})",
         "\"Hello, world!\""},
        {"templatestring(var.name, {})", "\"app\""},
        {"templatestring(\"%%{for x in xs}$${x};%%{endfor}\", {xs = [1, 2]})",
         "\"1;2;\""},
        {"templatestring(\"Hello, ${var.name}\", {})",
         "!Invalid function argument"},
        {"templatestring(\"${var.name}\", {})", "!Invalid function argument"},
        {"templatestring(upper(\"x\"), {})", "!Invalid function argument"},
        {"templatestring(var.n, {})", "!Invalid function argument"},
        {"templatestring(\"$${who}\", {})", "!Invalid function argument"},
        {"templatestring(\"x\", [1])", "!Invalid function argument"},
        {"pathexpand(\"~/.ssh/id_rsa\")", "\"/home/steve/.ssh/id_rsa\""},
        {"pathexpand(\"/etc/resolv.conf\")", "\"/etc/resolv.conf\""},
        {"pathexpand(\"~steve/x\")", "!Error in function call"},
    };
    const char *home = getenv("HOME");
    char *saved = home ? tern_strdup(home) : NULL;

    setenv("HOME", "/home/steve", 1);
    RUN(cases);
    if (saved)
        setenv("HOME", saved, 1);
    else
        unsetenv("HOME");
    tern_free(saved);
}

/* Through the engine: timestamp() is unknown in the plan and the apply
 * time in the state; plantimestamp() is known in the plan, and the same
 * at apply. */
TEST(lang_func, impure_values_planned_unknown_then_applied)
{
    static const char hcl[] = "resource \"test_object\" \"a\" {\n"
                              "  name  = \"a\"\n"
                              "  value = timestamp()\n"
                              "}\n"
                              "resource \"test_object\" \"b\" {\n"
                              "  name  = \"b\"\n"
                              "  value = plantimestamp()\n"
                              "}\n";
    struct test_env env;
    const tern_change *ch;
    const tern_value *va, *vb;
    tern_plan *p = NULL;
    char *a, *b, *planned;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    ASSERT_OK(test_env_config(&env, hcl));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_EQ(tern_plan_change_count(p), 2);
    ch = tern_plan_change(p, 0);
    ASSERT_STR_EQ(ch->address, "test_object.a");
    va = tern_value_object_get(ch->after, "value");
    ASSERT_NOT_NULL(va);
    ASSERT_TRUE(tern_value_is_unknown(va));
    ch = tern_plan_change(p, 1);
    ASSERT_STR_EQ(ch->address, "test_object.b");
    vb = tern_value_object_get(ch->after, "value");
    ASSERT_NOT_NULL(vb);
    ASSERT_EQ(tern_value_kind(vb), TERN_VAL_STRING);
    ASSERT_EQ(tern_value_string_len(vb), 20);
    planned = tern_strdup(tern_value_get_string(vb));
    tern_plan_free(p);
    ASSERT_OK(test_env_converge(&env, hcl));
    a = test_env_state_attr(&env, "test_object.a", "value");
    b = test_env_state_attr(&env, "test_object.b", "value");
    ASSERT_EQ(strlen(a), 20);
    ASSERT_EQ(a[19], 'Z');
    /* converge planned again: b holds that plan's time, a the apply's. */
    ASSERT_EQ(strlen(b), 20);
    ASSERT_CMP(strcmp(b, planned), >=, 0);
    ASSERT_CMP(strcmp(a, b), >=, 0);
    tern_free(a);
    tern_free(b);
    tern_free(planned);
    test_env_release(&env);
}

/* The one diagnostic of evaluating @text, "summary|detail|l:c-c". */
static char *diag_of(const char *text)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tern_lang_scope sc;
    struct tern_expr *e = NULL;
    tern_value *v = NULL;
    char *r;

    memset(&sc, 0, sizeof(sc));
    ASSERT_OK(
        tern_lang_parse_expr(&srcs, "expr.tf", text, strlen(text), &e, &diags));
    ASSERT_EQ(tern_lang_eval(e, &sc, &v, &diags), TERN_ERROR);
    ASSERT_NULL(v);
    ASSERT_EQ(diags.count, 1);
    r = tern_asprintf("%s|%s|%u:%u-%u", diags.items[0].summary,
                      diags.items[0].detail, diags.items[0].range.start.line,
                      diags.items[0].range.start.column,
                      diags.items[0].range.end.column);
    tern_diags_release(&diags);
    tern_lang_sources_free(&srcs);
    return r;
}

#define DIAG(text, want)                                                       \
    do {                                                                       \
        char *got_ = diag_of(text);                                            \
        ASSERT_STR_EQ(got_, want);                                             \
        tern_free(got_);                                                       \
    } while (0)

/* Widths and precisions are capped (Go's fmt refuses over 1e6) and so is
 * the result; long numeric results are whole, not cut at a buffer. */
TEST(lang_func, format_limits)
{
    static const struct ecase cases[] = {
        {"length(format(\"%1000000s\", \"x\"))", "1000000"},
        {"length(format(\"%-1000000d\", 7))", "1000000"},
        {"length(format(\"%.1000000f\", 1.5))", "1000002"},
        {"length(format(\"%600d\", 7))", "600"},
        {"length(format(\"%.600f\", 1.5))", "602"},
        {"length(format(\"%f\", 1e300))", "308"},
        {"length(format(\"%.700e\", 1.5))", "706"},
    };
    RUN(cases);
    DIAG("format(\"%1500000000s\", \"x\")",
         "Invalid function argument|Call to function \"format\" failed: "
         "width at 1 is too large: at most 1000000 is supported.|1:8-22");
    DIAG("format(\"%-2147483648s\", \"x\")",
         "Invalid function argument|Call to function \"format\" failed: "
         "width at 2 is too large: at most 1000000 is supported.|1:8-23");
    DIAG("format(\"%.999999999f\", 1.5)",
         "Invalid function argument|Call to function \"format\" failed: "
         "precision at 2 is too large: at most 1000000 is supported.|1:8-22");
    DIAG("format(\"%99999999999999999999999999d\", 1)",
         "Invalid function argument|Call to function \"format\" failed: "
         "width at 1 is too large: at most 1000000 is supported.|1:8-38");
    DIAG("format(\"%1000000s%1000000s%1000000s%1000000s%1000000s%1000000s"
         "%1000000s%1000000s%1000000s%1000000s%1000000s%1000000s%1000000s"
         "%1000000s%1000000s%1000000s%1000000s\", \"a\", \"a\", \"a\", "
         "\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", "
         "\"a\", \"a\", \"a\", \"a\", \"a\")",
         "Invalid function argument|Call to function \"format\" failed: "
         "the result would be longer than 16777216 bytes.|1:8-163");
}

/* Issue 20, finding 7: the file functions read only regular files of at
 * most 256 MiB (/dev/zero grew by 370 MB/s until killed). */
TEST(lang_func, file_limits)
{
    static const char *const fns[] = {"file", "filebase64", "filemd5",
                                      "filesha256", "templatefile"};
    char path[4096], expr[4200], want[4600], *got;
    size_t i;
    FILE *f;

    for (i = 0; i < sizeof(fns) / sizeof(*fns); i++) {
        snprintf(expr, sizeof(expr), "%s(\"/dev/zero\"%s)", fns[i],
                 strcmp(fns[i], "templatefile") == 0 ? ", {}" : "");
        snprintf(want, sizeof(want),
                 "Invalid function argument|Call to function \"%s\" "
                 "failed: \"/dev/zero\" is not a regular file; this "
                 "function works only with files that are distributed as "
                 "part of the configuration source code.|1:%zu-%zu",
                 fns[i], strlen(fns[i]) + 2, strlen(fns[i]) + 13);
        got = diag_of(expr);
        ASSERT_STR_EQ(got, want);
        tern_free(got);
    }
    /* Sparse: one byte over the limit, no disk used. */
    snprintf(path, sizeof(path), "%s/big.bin", tern_test_tmpdir());
    f = fopen(path, "wb");
    ASSERT_NOT_NULL(f);
    ASSERT_EQ(ftruncate(fileno(f), (off_t)(256 << 20) + 1), 0);
    fclose(f);
    snprintf(expr, sizeof(expr), "filesha256(\"%s\")", path);
    snprintf(want, sizeof(want),
             "Invalid function argument|Call to function \"filesha256\" "
             "failed: \"%s\" is larger than 268435456 bytes, the most "
             "tern reads into a configuration.|1:12-%zu",
             path, 12 + strlen(path) + 2);
    got = diag_of(expr);
    ASSERT_STR_EQ(got, want);
    tern_free(got);
}

/* Issue 20, finding 7: replace's result is capped like format's, and
 * distinct keeps the first of each value in n log n (1e5 elements took
 * 30 s). */
TEST(lang_func, replace_and_distinct_bounds)
{
    static const struct ecase cases[] = {
        {"distinct([3, 1, 3, \"1\", 2, 1, [1], [1], {a = 1}, {a = 1}])",
         "[3, 1, \"1\", 2, [1], {a = 1}]"},
        {"length(distinct(flatten([for i in range(1000) : [for j in "
         "range(100) : (i * 100 + j) % 997]])))",
         "997"},
        {"distinct(flatten([for i in range(1000) : [for j in range(100) : "
         "99999 - i * 100 - j]]))[99999]",
         "0"},
        {"length(replace(format(\"%4000s\", \"\"), \" \", format(\"%4000s\", "
         "\"\")))",
         "16000000"},
    };
    RUN(cases);
    DIAG("replace(format(\"%100000s\", \"\"), \" \", format(\"%100000s\", "
         "\"\"))",
         "Invalid function argument|Call to function \"replace\" failed: "
         "the result would be longer than 16777216 bytes.|1:9-31");
    DIAG("replace(format(\"%100000s\", \"\"), \"/ /\", format(\"%100000s\", "
         "\"\"))",
         "Invalid function argument|Call to function \"replace\" failed: "
         "the result would be longer than 16777216 bytes.|1:9-31");
}

/* Issue 20, finding 7: the other string builders are capped as replace
 * is (a 16 MiB string joined, indented, formatted or repeated by a
 * template asked for gigabytes). S is 1 MiB, so 17 of it is over. */
#define S "format(\"%1000000s%48576s\", \"\", \"\")"
TEST(lang_func, builders_bounded)
{
    static const struct ecase cases[] = {
        {"length(join(\"\", [for i in range(16) : " S "]))", "16777216"},
    };
    RUN(cases);
    DIAG("join(\"\", [for i in range(17) : " S "])",
         "Invalid function argument|Call to function \"join\" failed: "
         "the result would be longer than 16777216 bytes.|1:10-67");
    DIAG("indent(1000, join(\"\\n\", flatten([for i in range(17) : [for j in "
         "range(1000) : \"a\"]])))",
         "Invalid function argument|Call to function \"indent\" failed: "
         "the result would be longer than 16777216 bytes.|1:14-86");
    DIAG("formatlist(\"%s\", [for i in range(17) : " S "])",
         "Invalid function argument|Call to function \"formatlist\" failed: "
         "the results would be longer than 16777216 bytes in all.|1:12-16");
    DIAG("\"%{for i in range(17)}${" S "}%{endfor}\"",
         "Template result too long|The template's result would be longer "
         "than 16777216 bytes.|1:2-69");
}
#undef S

/* jsondecode() of @e with allocation @n failing alone (0: none): its
 * value as sorted compact JSON (the C library's, free()), or NULL with the
 * code in *@rc and the diagnostics' first summary in @why. */
static char *decode_once(const struct tern_expr *e, unsigned long n, int *rc,
                         unsigned long *made, char *why, size_t why_size)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_scope scope;
    tern_value *v = NULL;
    json_t *j;
    char *text = NULL;

    memset(&scope, 0, sizeof(scope));
    scope.path_module = ".";
    tern__alloc_fail_once(n);
    *rc = tern_lang_eval(e, &scope, &v, &d);
    *made = tern__alloc_fail_after(0);
    snprintf(why, why_size, "%s", d.count ? d.items[0].summary : "");
    if (*rc == TERN_OK) {
        j = tern_value_to_json(v);
        ASSERT_NOT_NULL(j);
        text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        json_decref(j);
    }
    tern_value_decref(v);
    tern_diags_release(&d);
    return text;
}

/* jsondecode with each allocation failing alone: the whole value, or out
 * of memory, never "Invalid function argument" (the text is valid JSON)
 * nor a string one character short (issue 20). */
TEST(lang_func, jsondecode_alloc_once)
{
    static const char text[] =
        "jsondecode(\"{\\\"a\\\": [1, 2.5, \\\"xyz\\\", false, null], "
        "\\\"b\\\": {\\\"c\\\": \\\"long enough to grow\\\"}}\")";
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_expr *e = NULL;
    unsigned long n, total, made;
    char *want, *got, why[256];
    int rc;

    ASSERT_OK(
        tern_lang_parse_expr(&srcs, "expr.tf", text, strlen(text), &e, &d));
    want = decode_once(e, 0, &rc, &total, why, sizeof(why));
    ASSERT_OK(rc);
    ASSERT_STR_EQ(want, "{\"a\":[1,2.5,\"xyz\",false,null],"
                        "\"b\":{\"c\":\"long enough to grow\"}}");
    ASSERT_CMP(total, >, 10);
    for (n = 1; n <= total; n++) {
        got = decode_once(e, n, &rc, &made, why, sizeof(why));
        if (rc == TERN_OK && strcmp(got, want) != 0)
            FAIL("allocation %lu of %lu failed, yet jsondecode gave %s", n,
                 total, got);
        if (rc != TERN_OK && (rc != TERN_ENOMEM || why[0]))
            FAIL("allocation %lu of %lu failed: rc %d, \"%s\"", n, total, rc,
                 why);
        free(got); /* Jansson's */
    }
    free(want);
    tern_lang_sources_free(&srcs);
    tern_diags_release(&d);
}

const struct tern_test test_lang_func_list[] = {
    TEST_UNIT(lang_func, format_limits),
    TEST_UNIT(lang_func, file_limits),
    TEST_UNIT(lang_func, replace_and_distinct_bounds),
    TEST_UNIT(lang_func, builders_bounded),
    TEST_UNIT(lang_func, json),
    TEST_UNIT(lang_func, format),
    TEST_UNIT(lang_func, strings),
    TEST_UNIT(lang_func, regex),
    TEST_UNIT(lang_func, collections),
    TEST_UNIT(lang_func, numbers_and_encoding),
    TEST_UNIT(lang_func, paths),
    TEST_UNIT(lang_func, files_and_templatefile),
    TEST_UNIT(lang_func, names_are_sorted_and_found),
    TEST_UNIT(lang_func, every_function_of_terraform_1_9),
    TEST_UNIT(lang_func, documented_strings_and_numbers),
    TEST_UNIT(lang_func, documented_collections),
    TEST_UNIT(lang_func, documented_network),
    TEST_UNIT(lang_func, documented_time),
    TEST_UNIT(lang_func, documented_encoding_and_hashes),
    TEST_UNIT(lang_func, yaml_and_csv_details),
    TEST_UNIT(lang_func, impure_functions_unknown_during_plan),
    TEST_UNIT(lang_func, bcrypt_hash_verifies),
    TEST_UNIT(lang_func, rsadecrypt_documented_use),
    TEST_UNIT(lang_func, file_hashes_and_fileset),
    TEST_UNIT(lang_func, base64gzip_round_trip),
    TEST_UNIT(lang_func, templatestring_and_pathexpand),
    TEST_UNIT(lang_func, impure_values_planned_unknown_then_applied),
    TEST_UNIT(lang_func, jsondecode_alloc_once),
    TEST_END,
};
