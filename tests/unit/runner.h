/*
 * The unit test runner's interface (after libuv's test/task.h).
 *
 * A test file tests/unit/test_<component>.c defines its cases with TEST()
 * and lists them, last thing in the file, in test_<component>_list[]:
 *
 *     TEST(sigv4, vanilla) { ASSERT_STR_EQ(got, "expected"); }
 *
 *     const struct tern_test test_sigv4_list[] = {
 *         TEST_UNIT(sigv4, vanilla),
 *         TEST_END
 *     };
 *
 * The build generates the registry from the file names and registers one
 * CTest test per TEST_UNIT / TEST_INTEGRATION / TEST_MODULE line, with that
 * label. Each case runs in its own forked process with a timeout.
 */
#ifndef TERN_TEST_RUNNER_H
#define TERN_TEST_RUNNER_H

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tern_test {
    const char *component;
    const char *name;
    void (*fn)(void);
    const char *label;
};

extern const struct tern_test *const tern_test_lists[];

#define TEST(comp, name) static void test_##comp##__##name(void)
#define TEST_UNIT(comp, name)                                                  \
    {                                                                          \
#comp, #name, test_##comp##__##name, "unit"                            \
    }
#define TEST_INTEGRATION(comp, name)                                           \
    {                                                                          \
#comp, #name, test_##comp##__##name, "integration"                     \
    }
#define TEST_MODULE(comp, name)                                                \
    {                                                                          \
#comp, #name, test_##comp##__##name, "module"                          \
    }
#define TEST_END                                                               \
    {                                                                          \
        NULL, NULL, NULL, NULL                                                 \
    }

/* Reports a failed assertion and ends the (forked) test process. */
void tern_test_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4), noreturn))
#endif
    ;

#define FAIL(...) tern_test_fail(__FILE__, __LINE__, __VA_ARGS__)

/* The exit status of a skipped case, and of a run that only skipped
 * (tests/CMakeLists.txt gives it to ctest as SKIP_RETURN_CODE). */
#define TERN_TEST_SKIP_STATUS 77

/* Ends the (forked) test process as skipped, saying why. Only for what the
 * machine truly lacks, never for a failure. */
void tern_test_skip(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

#define ASSERT(expr)                                                           \
    do {                                                                       \
        if (!(expr))                                                           \
            FAIL("assertion failed: %s", #expr);                               \
    } while (0)

#define ASSERT_TRUE(expr)  ASSERT(expr)
#define ASSERT_FALSE(expr) ASSERT(!(expr))
#define ASSERT_NULL(p)     ASSERT((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT((p) != NULL)

#define ASSERT_EQ(a, b)                                                        \
    do {                                                                       \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                       \
        if (a_ != b_)                                                          \
            FAIL("%s == %s: %jd != %jd", #a, #b, a_, b_);                      \
    } while (0)

#define ASSERT_NE(a, b)                                                        \
    do {                                                                       \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                       \
        if (a_ == b_)                                                          \
            FAIL("%s != %s: both %jd", #a, #b, a_);                            \
    } while (0)

#define ASSERT_CMP(a, op, b)                                                   \
    do {                                                                       \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                       \
        if (!(a_ op b_))                                                       \
            FAIL("%s %s %s: %jd vs %jd", #a, #op, #b, a_, b_);                 \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                    \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                   \
            FAIL("%s == %s:\n  got:      \"%s\"\n  expected: \"%s\"", #a, #b,  \
                 a_ ? a_ : "(null)", b_ ? b_ : "(null)");                      \
    } while (0)

#define ASSERT_STR_CONTAINS(hay, needle)                                       \
    do {                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                \
        if (h_ == NULL || strstr(h_, n_) == NULL)                              \
            FAIL("%s does not contain \"%s\":\n  %s", #hay, n_,                \
                 h_ ? h_ : "(null)");                                          \
    } while (0)

#define ASSERT_STR_NOT_CONTAINS(hay, needle)                                   \
    do {                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                \
        if (h_ != NULL && strstr(h_, n_) != NULL)                              \
            FAIL("%s contains \"%s\":\n  %s", #hay, n_, h_);                   \
    } while (0)

#define ASSERT_OK(expr) ASSERT_EQ((expr), 0)

/* Paths the build passes in (see tests/CMakeLists.txt). */
const char *tern_test_source_dir(void);
/* The vendored test data, tests/data (see tests/data/README.md). */
const char *tern_test_data_dir(void);
/* A fresh temporary directory for this test case; removed afterwards. */
const char *tern_test_tmpdir(void);

#endif
