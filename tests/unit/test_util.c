/* src/util: buffers, allocation failure injection, diagnostics, redaction. */
#include "runner.h"

#include "tern/diag.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/buf.h"

TEST(util, buf_appends_and_detaches)
{
    tern_buf b = TERN_BUF_INIT;
    char *s;
    int i;

    ASSERT_STR_EQ(tern_buf_cstr(&b), "");
    for (i = 0; i < 1000; i++)
        tern_buf_printf(&b, "%d,", i % 10);
    ASSERT_EQ(b.len, 2000);
    tern_buf_put_hex(&b, (const unsigned char *)"\x01\xab", 2);
    ASSERT_STR_EQ(b.ptr + 2000, "01ab");
    ASSERT_FALSE(tern_buf_oom(&b));
    s = tern_buf_detach(&b);
    ASSERT_EQ(strlen(s), 2004);
    ASSERT_NULL(b.ptr);
    tern_free(s);
}

TEST(util, buf_records_allocation_failure)
{
    tern_buf b = TERN_BUF_INIT;

    tern__alloc_fail_after(1);
    ASSERT_EQ(tern_buf_puts(&b, "hello"), TERN_ENOMEM);
    tern__alloc_fail_after(0);
    /* Once failed, the buffer stays failed: callers check once at the end. */
    ASSERT_EQ(tern_buf_puts(&b, "x"), TERN_ENOMEM);
    ASSERT_TRUE(tern_buf_oom(&b));
    ASSERT_NULL(tern_buf_detach(&b));
}

/* tern_buf_printf formats into the room there is, and grows only for a
 * text that does not fit; a growth that fails leaves the text before it
 * intact and ended. */
TEST(util, buf_printf_room)
{
    tern_buf b = TERN_BUF_INIT;
    char big[200];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ASSERT_OK(tern_buf_printf(&b, "%s", "abc"));
    ASSERT_EQ(b.alloc, 64);
    /* 60 more bytes and the terminator fill the 64 exactly. */
    ASSERT_OK(tern_buf_printf(&b, "%.*s", 60, big));
    ASSERT_EQ(b.len, 63);
    ASSERT_EQ(b.alloc, 64);
    ASSERT_OK(tern_buf_printf(&b, "%d", 7));
    ASSERT_EQ(b.len, 64);
    ASSERT_EQ(b.alloc, 128);
    ASSERT_STR_EQ(b.ptr + 60, "xxx7");
    tern__alloc_fail_after(1);
    ASSERT_EQ(tern_buf_printf(&b, "-%s", big), TERN_ENOMEM);
    tern__alloc_fail_after(0);
    ASSERT_TRUE(tern_buf_oom(&b));
    ASSERT_EQ(b.len, 64);
    ASSERT_EQ(strlen(b.ptr), 64);
    ASSERT_STR_EQ(b.ptr + 60, "xxx7");
    tern_buf_release(&b);
}

TEST(util, alloc_fail_after_counts)
{
    void *p, *q;

    tern__alloc_fail_after(0);
    p = tern_malloc(1);
    q = tern_malloc(1);
    ASSERT_EQ(tern__alloc_fail_after(2), 2);
    tern_free(p);
    tern_free(q);
    p = tern_malloc(1);
    ASSERT_NOT_NULL(p);
    ASSERT_NULL(tern_malloc(1));
    tern__alloc_fail_after(0);
    tern_free(p);
}

TEST(util, diags_collect_and_move)
{
    struct tern_diags a = TERN_DIAGS_INIT, b = TERN_DIAGS_INIT;
    struct tern_range r = {"main.tf", {3, 5, 20}, {3, 9, 24}};
    struct tern_diag *d;

    d = tern_diags_add(&a, TERN_SEV_ERROR, &r, "Unsupported argument",
                       "An argument named \"%s\" is not expected here.",
                       "nmae");
    ASSERT_NOT_NULL(d);
    ASSERT_STR_EQ(d->detail,
                  "An argument named \"nmae\" is not expected here.");
    tern_diags_add(&b, TERN_SEV_WARNING, NULL, "Deprecated", NULL);
    ASSERT_OK(tern_diags_move(&a, &b));
    ASSERT_EQ(a.count, 2);
    ASSERT_EQ(a.errors, 1);
    ASSERT_EQ(b.count, 0);
    ASSERT_EQ(a.items[0].range.start.line, 3);
    ASSERT_FALSE(a.items[1].has_range);
    ASSERT_STR_EQ(tern_strerror(TERN_ECONFLICT), "conflict");
    tern_diags_release(&a);
}

static char *redacted(const char *in)
{
    char *s = tern_strdup(in);

    tern_log_redact(s);
    return s;
}

TEST(util, redact_known_forms)
{
    static const struct {
        const char *in, *secret;
    } cases[] = {
        {"Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, "
         "Signature=abcdef0123456789\r\nHost: x",
         "Signature=abcdef0123456789"},
        {"X-Amz-Security-Token: FQoGZXIvYXdzEJr//////////wEaDM", "FQoGZXIv"},
        {"Action=GetRole&X-Amz-Security-Token=FQoGZXIvYXdzEJr%2F&Version=1",
         "FQoGZXIv"},
        {"{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG\", \"x\": 1}",
         "wJalrXUtnFEMI"},
        {"<SessionToken>IQoJb3JpZ2luX2VjEOr</SessionToken>",
         "IQoJb3JpZ2luX2VjEOr"},
        {"<SecretAccessKey>abcdEFGHijkl1234</SecretAccessKey>",
         "abcdEFGHijkl1234"},
        {"aws_secret_access_key = wJalrXUtnFEMIK7MDENG\n", "wJalrXUtnFEMIK7"},
        {"{\"token\":\"dapi0123456789abcdef\"}", "dapi0123456789"},
        {"Authorization: Bearer dapi0123456789abcdef", "dapi0123456789"},
        {"header bearer dapiXYZ0123456789 tail", "dapiXYZ0123456789"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *s = redacted(cases[i].in);

        ASSERT_STR_NOT_CONTAINS(s, cases[i].secret);
        ASSERT_CMP(strlen(s), <=, strlen(cases[i].in));
        tern_free(s);
    }
}

TEST(util, redact_keeps_ordinary_text)
{
    char *s = redacted("NextToken=abc&Action=ListRoles&RoleName=token-x");

    ASSERT_STR_EQ(s, "NextToken=abc&Action=ListRoles&RoleName=token-x");
    tern_free(s);
}

TEST(util, redact_registered_secret_anywhere)
{
    char *s;

    tern_log_add_secret("S3cr3tValue-XYZ-0001");
    s = redacted("body with S3cr3tValue-XYZ-0001 inside and "
                 "S3cr3tValue-XYZ-0001 again");
    ASSERT_STR_NOT_CONTAINS(s, "S3cr3tValue");
    tern_free(s);
}

TEST(util, redact_many_secrets_and_closing_tags)
{
    char secret[32], *s;
    int i;

    /* Far more than any fixed table: a long run refreshes credentials. */
    for (i = 0; i < 300; i++) {
        snprintf(secret, sizeof(secret), "RotatedSecret%05d", i);
        tern_log_add_secret(secret);
    }
    s = redacted("first RotatedSecret00000 last RotatedSecret00299 end");
    ASSERT_STR_EQ(s, "first [REDACTED] last [REDACTED] end");
    tern_free(s);
    s = redacted("<SessionToken>IQoJb3JpZ2luX2VjEOr</SessionToken>\n  <x>");
    ASSERT_STR_EQ(s, "<SessionToken>[REDACTED]</SessionToken>\n  <x>");
    tern_free(s);
}

/* Issue 20: a secret of any length is redacted, even one made of the
 * mask's own characters. */
TEST(util, redact_short_secrets)
{
    char *s;

    tern_log_add_secret("k9Zq");
    tern_log_add_secret("**");
    tern_log_add_secret("[REDACTED]");
    s = redacted("pin k9Zq and k9Zqk9Zq, ** [REDACTED] end");
    ASSERT_STR_EQ(s, "pin **** and ********, ** [REDACTED] end");
    tern_free(s);
}

/* Issue 20: a secret that arrives while allocation fails cannot be
 * remembered, so every later line is masked whole rather than printed
 * with the secret in it. */
TEST(util, redact_after_lost_secret)
{
    char *s;

    s = redacted("before SecretLostToOOM-0001");
    ASSERT_STR_EQ(s, "before SecretLostToOOM-0001");
    tern_free(s);
    tern__alloc_fail_after(1);
    tern_log_add_secret("SecretLostToOOM-0001");
    tern__alloc_fail_after(0);
    s = redacted("after SecretLostToOOM-0001");
    ASSERT_STR_EQ(s, "[REDACTED]");
    tern_free(s);
    s = redacted("short");
    ASSERT_STR_EQ(s, "*****");
    tern_free(s);
}

/* Issue 20, finding 14: what a server sends is made printable, C0 (but
 * newline and tab), DEL, C1 and bytes that are not UTF-8; the rest, UTF-8
 * included, is kept. */
TEST(util, printable_escapes_controls)
{
    static const char in[] = "a\033]0;t\007b\r\n\tc\x7f"
                             "d\xc2\x9b"
                             "1m \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 "
                             "\xff\xc3(\xed\xa0\x80\xe2\x82";
    static const char want[] = "a\\x1b]0;t\\x07b\\x0d\n\tc\\x7fd\\u009b1m "
                               "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 "
                               "\\xff\\xc3(\\xed\\xa0\\x80\\xe2\\x82";
    char small[12], *s;
    tern_buf b = TERN_BUF_INIT;

    s = tern_printable_strndup(in, sizeof(in) - 1);
    ASSERT_STR_EQ(s, want);
    tern_free(s);
    ASSERT_OK(tern_buf_put_printable(&b, in, sizeof(in) - 1));
    ASSERT_STR_EQ(tern_buf_cstr(&b), want);
    tern_buf_release(&b);
    /* Cut at a whole escape: "a\x1b]0;t" is 9 bytes, "\x07" would not
     * fit; 6 bytes of the source were copied. */
    ASSERT_EQ(tern_printable_copy(small, sizeof(small), in), 6);
    ASSERT_STR_EQ(small, "a\\x1b]0;t");
    ASSERT_NULL(tern_printable_strndup(NULL, 0));
}

const struct tern_test test_util_list[] = {
    TEST_UNIT(util, buf_appends_and_detaches),
    TEST_UNIT(util, buf_printf_room),
    TEST_UNIT(util, buf_records_allocation_failure),
    TEST_UNIT(util, alloc_fail_after_counts),
    TEST_UNIT(util, diags_collect_and_move),
    TEST_UNIT(util, redact_known_forms),
    TEST_UNIT(util, redact_keeps_ordinary_text),
    TEST_UNIT(util, redact_registered_secret_anywhere),
    TEST_UNIT(util, redact_many_secrets_and_closing_tags),
    TEST_UNIT(util, printable_escapes_controls),
    TEST_UNIT(util, redact_short_secrets),
    TEST_UNIT(util, redact_after_lost_secret),
    TEST_END};
