/*
 * Saved plans and their secrets (src/engine/planseal.c, issue 20 finding
 * 4): the encryption of a plan file with a passphrase and each way its
 * reading fails, and a plan -out without a passphrase refused, naming
 * what is sensitive, when the plan holds a sensitive value.
 */
#include "runner.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "support.h"
#include "test_module.h"
#include "util/alloc.h"

#define PASS  "planseal-unit-passphrase"
#define PLAIN "tern-plan 1 sha256=0123\n{\"secret\":\"planseal-SECRET-4d2a\"}"

static const char *diag_text(const struct tern_diags *d, char *buf, size_t n)
{
    ASSERT_EQ(d->count, 1);
    snprintf(buf, n, "%s: %s", d->items[0].summary, d->items[0].detail);
    return buf;
}

/* The header line of @sealed, as a new string. */
static char *header(const tern_buf *sealed)
{
    const char *nl = memchr(sealed->ptr, '\n', sealed->len);

    ASSERT_NOT_NULL(nl);
    return tern_strndup(sealed->ptr, (size_t)(nl - sealed->ptr));
}

/* Sealed, the plaintext is nowhere in the bytes; the header says how it
 * was sealed, with a new salt and nonce each time; opened with the same
 * passphrase, it is the plaintext again. */
TEST(planseal, round_trip)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_buf a = TERN_BUF_INIT, b = TERN_BUF_INIT, plain = TERN_BUF_INIT;
    char *ha, *hb;

    ASSERT_OK(tern__plan_seal(PLAIN, strlen(PLAIN), PASS, &a, &d));
    ASSERT_OK(tern__plan_seal(PLAIN, strlen(PLAIN), PASS, &b, &d));
    ASSERT_EQ(d.count, 0);
    ha = header(&a);
    hb = header(&b);
    /* "tern-plan 1 aes-256-gcm pbkdf2-sha512 i=600000 salt=64 hex
     * nonce=24 hex", then the ciphertext and a 16-byte tag. */
    ASSERT_EQ(strlen(ha), strlen(TERN__PLAN_SEALED) + 8 + 6 + 64 + 7 + 24);
    ASSERT_EQ(strncmp(ha, TERN__PLAN_SEALED "i=600000 salt=",
                      strlen(TERN__PLAN_SEALED) + 14),
              0);
    ASSERT_EQ(strspn(ha + strlen(TERN__PLAN_SEALED) + 14, "0123456789abcdef"),
              64);
    ASSERT_EQ(strncmp(ha + strlen(ha) - 31, " nonce=", 7), 0);
    ASSERT_EQ(strspn(ha + strlen(ha) - 24, "0123456789abcdef"), 24);
    ASSERT_EQ(a.len, strlen(ha) + 1 + strlen(PLAIN) + 16);
    ASSERT_NE(strcmp(ha, hb), 0);
    ASSERT_EQ(tern__plan_is_sealed(a.ptr, a.len), 1);
    ASSERT_EQ(tern__plan_is_sealed(PLAIN, strlen(PLAIN)), 0);
    ASSERT_NULL(memmem(a.ptr, a.len, "planseal-SECRET", 15));
    ASSERT_NULL(memmem(a.ptr, a.len, PASS, strlen(PASS)));
    ASSERT_OK(tern__plan_open(a.ptr, a.len, "p.tfplan", PASS, &plain, &d));
    ASSERT_EQ(d.count, 0);
    ASSERT_EQ(plain.len, strlen(PLAIN));
    ASSERT_STR_EQ(plain.ptr, PLAIN);
    tern_free(ha);
    tern_free(hb);
    tern__buf_wipe(&a);
    tern__buf_wipe(&b);
    tern__buf_wipe(&plain);
}

/* Open @bytes with @pass: TERN_EINVALID and the whole message @want. */
static void open_fails(const char *bytes, size_t len, const char *pass,
                       const char *want)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_buf plain = TERN_BUF_INIT;
    char got[1024];

    ASSERT_EQ(tern__plan_open(bytes, len, "p.tfplan", pass, &plain, &d),
              TERN_EINVALID);
    ASSERT_STR_EQ(diag_text(&d, got, sizeof(got)), want);
    tern__buf_wipe(&plain);
    tern_diags_release(&d);
}

#define NO_DECRYPT                                                             \
    "Failed to decrypt the saved plan: The plan file p.tfplan cannot be "      \
    "decrypted with the passphrase in TERN_PLAN_PASSPHRASE: that is not the "  \
    "passphrase it was saved with, or the file was changed after it was "      \
    "saved. Set the passphrase given to plan -out, or make a new plan."

/* Without the passphrase, with another, with a byte of the ciphertext,
 * the tag or the header changed, truncated, damaged: each refused with
 * its message; a short passphrase is refused before any key is made. */
TEST(planseal, failures)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_buf s = TERN_BUF_INIT, out = TERN_BUF_INIT;
    char *bytes, got[1024];
    size_t head;

    ASSERT_OK(tern__plan_seal(PLAIN, strlen(PLAIN), PASS, &s, &d));
    head = (size_t)((char *)memchr(s.ptr, '\n', s.len) - s.ptr) + 1;
    open_fails(s.ptr, s.len, NULL,
               "Saved plan is encrypted: The plan file p.tfplan is "
               "encrypted with a passphrase (AES-256-GCM, its key derived "
               "with PBKDF2-SHA512). Set TERN_PLAN_PASSPHRASE to the "
               "passphrase it was saved with and run the command again.");
    open_fails(s.ptr, s.len, "planseal-unit-passphrasf", NO_DECRYPT);
    bytes = tern_malloc(s.len);
    ASSERT_NOT_NULL(bytes);
    /* A byte of the ciphertext, of the tag, of the header (associated
     * data: "i=600000" read as "i=600001"). */
    memcpy(bytes, s.ptr, s.len);
    bytes[head + 5] ^= 0x01;
    open_fails(bytes, s.len, PASS, NO_DECRYPT);
    memcpy(bytes, s.ptr, s.len);
    bytes[s.len - 1] ^= 0x80;
    open_fails(bytes, s.len, PASS, NO_DECRYPT);
    memcpy(bytes, s.ptr, s.len);
    bytes[strlen(TERN__PLAN_SEALED) + 7] = '1';
    open_fails(bytes, s.len, PASS, NO_DECRYPT);
    /* Truncated within the tag; a salt that is not hex; too many
     * iterations: refused before a key is derived. */
    open_fails(s.ptr, head + 15, PASS,
               "Invalid plan file: The plan file p.tfplan cannot be used: it "
               "is truncated: it ends before its authentication tag.");
    memcpy(bytes, s.ptr, s.len);
    bytes[strlen(TERN__PLAN_SEALED) + 20] = 'g';
    open_fails(bytes, s.len, PASS,
               "Invalid plan file: The plan file p.tfplan cannot be used: "
               "its header is damaged.");
    open_fails(TERN__PLAN_SEALED "i=10000001 salt=", 55, PASS,
               "Invalid plan file: The plan file p.tfplan cannot be used: "
               "its header asks for more than 10000000 iterations of "
               "PBKDF2, which this tern does not spend.");
    open_fails(s.ptr, s.len, "fifteen-chars!!",
               "Invalid plan passphrase: TERN_PLAN_PASSPHRASE is shorter "
               "than 16 characters. A passphrase that encrypts saved plans "
               "must have at least 16, as OpenTofu's pbkdf2 key provider "
               "requires; choose a longer one.");
    ASSERT_EQ(
        tern__plan_seal(PLAIN, strlen(PLAIN), "fifteen-chars!!", &out, &d),
        TERN_EINVALID);
    ASSERT_STR_EQ(diag_text(&d, got, sizeof(got)),
                  "Invalid plan passphrase: TERN_PLAN_PASSPHRASE is shorter "
                  "than 16 characters. A passphrase that encrypts saved "
                  "plans must have at least 16, as OpenTofu's pbkdf2 key "
                  "provider requires; choose a longer one.");
    ASSERT_EQ(out.len, 0);
    tern_free(bytes);
    tern__buf_wipe(&s);
    tern_diags_release(&d);
}

/* The names in the directory @dir but ".", "..", the state and its
 * companions, joined by spaces (a new string). */
static char *other_files(const char *dir)
{
    tern_buf b = TERN_BUF_INIT;
    DIR *d = opendir(dir);
    struct dirent *e;

    ASSERT_NOT_NULL(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && strncmp(e->d_name, "tern.tfstate", 12))
            tern_buf_printf(&b, "%s ", e->d_name);
    closedir(d);
    tern_buf_putc(&b, '\0');
    return tern_buf_detach(&b);
}

static const char *const config = "variable \"pw\" {\n"
                                  "  default   = \"planseal-SENSITIVE-var\"\n"
                                  "  sensitive = true\n"
                                  "}\n"
                                  "variable \"plain\" {\n"
                                  "  default = \"not-sensitive\"\n"
                                  "}\n"
                                  "resource \"random_password\" \"p\" {\n"
                                  "  count  = 7\n"
                                  "  length = 12\n"
                                  "}\n"
                                  "resource \"test_object\" \"a\" {\n"
                                  "  name  = \"a\"\n"
                                  "  value = var.plain\n"
                                  "}\n"
                                  "output \"o\" {\n"
                                  "  value     = var.pw\n"
                                  "  sensitive = true\n"
                                  "}\n";

/* A plan without a sensitive value is written in clear. With the
 * random_password results in the prior state: refused without a
 * passphrase, naming the variable, the first five instances and the rest
 * counted, no file left; with one, written encrypted and read back. */
TEST(planseal, write_refused_or_sealed)
{
    struct test_env env;
    tern_plan *p = NULL, *q = NULL;
    char *path, *left, *want, got[2048];
    size_t len = 0;
    char *bytes;

    ASSERT_OK(test_env_init(&env, tern_test_tmpdir()));
    path = tern_asprintf("%s/p.tfplan", tern_test_tmpdir());
    ASSERT_NOT_NULL(path);
    /* Nothing sensitive: in clear, as before. */
    ASSERT_OK(test_env_config(&env, "resource \"test_object\" \"a\" {\n"
                                    "  name  = \"a\"\n"
                                    "  value = \"v\"\n"
                                    "}\n"));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    ASSERT_OK(tern_plan_write(p, path, NULL, &env.diags));
    bytes = tt_read_file(path, &len);
    ASSERT_NOT_NULL(bytes);
    ASSERT_EQ(strncmp(bytes, "tern-plan 1 sha256=", 19), 0);
    free(bytes);
    tern_plan_free(p);
    ASSERT_OK(unlink(path));
    ASSERT_OK(test_env_converge(&env, config));
    ASSERT_OK(test_env_config(&env, config));
    ASSERT_OK(test_env_plan(&env, NULL, &p));
    tern_diags_release(&env.diags);
    ASSERT_EQ(tern_plan_write(p, path, NULL, &env.diags), TERN_EINVALID);
    want = tern_asprintf(
        "Saved plan would hold sensitive values: The plan holds the values "
        "of var.pw, and sensitive values in random_password.p[0], "
        "random_password.p[1], random_password.p[2], random_password.p[3], "
        "random_password.p[4] and 3 more. tern writes no sensitive value "
        "to a plan file in clear, so %s was not written. Set "
        "TERN_PLAN_PASSPHRASE (at least 16 characters) to save the plan "
        "encrypted with it, or run plan without -out.",
        path);
    ASSERT_NOT_NULL(want);
    ASSERT_STR_EQ(diag_text(&env.diags, got, sizeof(got)), want);
    tern_free(want);
    left = other_files(tern_test_tmpdir());
    ASSERT_STR_EQ(left, "");
    free(left);
    tern_diags_release(&env.diags);
    ASSERT_OK(tern_plan_write(p, path, PASS, &env.diags));
    bytes = tt_read_file(path, &len);
    ASSERT_NOT_NULL(bytes);
    ASSERT_EQ(tern__plan_is_sealed(bytes, len), 1);
    ASSERT_NULL(memmem(bytes, len, "planseal-SENSITIVE", 18));
    free(bytes);
    ASSERT_OK(tern_plan_read(&q, path, PASS, &env.diags));
    ASSERT_EQ(tern_plan_change_count(q), tern_plan_change_count(p));
    ASSERT_EQ(tern_value_equal(tern_plan_variables(q), tern_plan_variables(p)),
              1);
    tern_plan_free(q);
    tern_plan_free(p);
    tern_free(path);
    test_env_release(&env);
}

const struct tern_test test_planseal_list[] = {
    TEST_UNIT(planseal, round_trip),
    TEST_UNIT(planseal, failures),
    TEST_UNIT(planseal, write_refused_or_sealed),
    TEST_END,
};
