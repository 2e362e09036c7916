/* src/util/vec.h: the growable array and its overflow-checked growth. */
#include "runner.h"

#include "tern/diag.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <stdint.h>
#include <stdio.h>

struct wide {
    char bytes[64];
};

TEST(vec, push_doubles_from_minimum)
{
    TERN_VEC(int) a = TERN_VEC_INIT;
    int i;

    ASSERT_EQ(tern_vec_push(&a, 0), TERN_OK);
    ASSERT_EQ(a.cap, TERN_VEC_MIN);
    for (i = 1; i < 1000; i++)
        ASSERT_EQ(tern_vec_push(&a, i * 3), TERN_OK);
    ASSERT_EQ(a.n, 1000);
    ASSERT_EQ(a.cap, 1024);
    for (i = 0; i < 1000; i++)
        ASSERT_EQ(a.v[i], i * 3);
    /* Reserving what is there already allocates nothing. */
    tern__alloc_fail_after(1);
    ASSERT_EQ(tern_vec_reserve(&a, 1024), TERN_OK);
    tern__alloc_fail_after(0);
    ASSERT_EQ(tern_vec_reserve(&a, 5000), TERN_OK);
    ASSERT_EQ(a.cap, 8192);
    tern_vec_release(&a);
    ASSERT_NULL(a.v);
    ASSERT_EQ(a.n, 0);
    ASSERT_EQ(a.cap, 0);
}

TEST(vec, refuses_overflowing_capacity)
{
    TERN_VEC(struct wide) a = TERN_VEC_INIT;
    struct wide w = {{'x'}};
    size_t cap;
    uint32_t *words = NULL;

    /* 64 * (SIZE_MAX / 64 + 1) wraps to a few bytes: refused before any
     * allocation, the array untouched. */
    tern__alloc_fail_after(0);
    ASSERT_EQ(tern_vec_reserve(&a, SIZE_MAX / sizeof(struct wide) + 1),
              TERN_ENOMEM);
    ASSERT_EQ(tern__alloc_fail_after(0), 0);
    ASSERT_NULL(a.v);
    ASSERT_EQ(a.cap, 0);
    ASSERT_EQ(tern_vec_push(&a, w), TERN_OK);
    cap = a.cap;
    ASSERT_EQ(tern_vec_reserve(&a, SIZE_MAX), TERN_ENOMEM);
    ASSERT_EQ(a.cap, cap);
    ASSERT_EQ(a.n, 1);
    ASSERT_EQ(a.v[0].bytes[0], 'x');
    tern_vec_release(&a);
    /* The same through the pointer-and-capacity form. */
    cap = 0;
    tern__alloc_fail_after(0);
    ASSERT_EQ(TERN_VEC_RESERVE(words, cap, SIZE_MAX / 2), TERN_ENOMEM);
    ASSERT_EQ(tern__alloc_fail_after(0), 0);
    ASSERT_NULL(words);
    ASSERT_EQ(cap, 0);
}

TEST(vec, allocation_failure_keeps_elements)
{
    TERN_VEC(char *) a = TERN_VEC_INIT;
    int i;

    for (i = 0; i < TERN_VEC_MIN; i++)
        ASSERT_EQ(tern_vec_push(&a, tern_asprintf("s%d", i)), TERN_OK);
    ASSERT_EQ(a.cap, TERN_VEC_MIN);
    tern__alloc_fail_after(1);
    ASSERT_EQ(tern_vec_push(&a, NULL), TERN_ENOMEM);
    tern__alloc_fail_after(0);
    ASSERT_EQ(a.n, TERN_VEC_MIN);
    ASSERT_EQ(a.cap, TERN_VEC_MIN);
    for (i = 0; i < TERN_VEC_MIN; i++) {
        char want[8];
        snprintf(want, sizeof(want), "s%d", i);
        ASSERT_STR_EQ(a.v[i], want);
    }
    ASSERT_EQ(tern_vec_push(&a, tern_strdup("again")), TERN_OK);
    ASSERT_EQ(a.cap, 2 * TERN_VEC_MIN);
    ASSERT_STR_EQ(a.v[8], "again");
    for (i = 0; i < (int)a.n; i++)
        tern_free(a.v[i]);
    tern_vec_release(&a);
}

const struct tern_test test_vec_list[] = {
    TEST_UNIT(vec, push_doubles_from_minimum),
    TEST_UNIT(vec, refuses_overflowing_capacity),
    TEST_UNIT(vec, allocation_failure_keeps_elements), TEST_END};
