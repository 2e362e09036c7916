/*
 * tern_state_remove_many() and tern_state_move(): several instances as one
 * change, as `tern state rm A B` and `tern state mv` use them: the serial
 * goes up by exactly one, and a failure part way changes nothing.
 */
#include "runner.h"

#include "tern/state.h"
#include "util/alloc.h"

static tern_state *open_new(void)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    tern_state *st = NULL;
    char *path = tern_asprintf("%s/atomic.db", tern_test_tmpdir());

    ASSERT_NOT_NULL(path);
    opts.path = path;
    opts.create = 1;
    opts.operation = "test";
    ASSERT_OK(tern_state_open(&st, &opts, NULL));
    tern_free(path);
    return st;
}

/* aws_iam_role.<name>[<key>] with an attribute to tell them apart. */
static void put_role(tern_state *st, const char *name, long long key)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;

    r.type = "aws_iam_role";
    r.name = (char *)name;
    r.key_kind = key >= 0 ? TERN_STATE_KEY_INT : TERN_STATE_KEY_NONE;
    r.key_int = key;
    r.id = (char *)name;
    r.attributes = json_pack("{s:s,s:I}", "name", name, "k", key);
    ASSERT_OK(tern_state_put(st, &r, NULL));
    json_decref(r.attributes);
}

static int has(tern_state *st, const char *address)
{
    tern_state_resource *r = NULL;
    int rc = tern_state_get(st, &r, address, NULL);

    tern_state_resource_free(r);
    ASSERT_TRUE(rc == TERN_OK || rc == TERN_ENOTFOUND);
    return rc == TERN_OK;
}

static size_t count(tern_state *st)
{
    tern_state_resource *list = NULL;
    size_t n = 0;

    ASSERT_OK(tern_state_list(st, &list, &n, NULL));
    tern_state_resources_free(list, n);
    return n;
}

/* How many history entries produced @serial. */
static size_t changes_at(tern_state *st, int64_t serial)
{
    tern_state_change *ch = NULL;
    size_t n = 0;

    ASSERT_OK(tern_state_history(st, serial, &ch, &n, NULL));
    tern_state_changes_free(ch, n);
    return n;
}

TEST(state_atomic, remove_many_is_one_change)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = open_new();
    const char *both[] = {"aws_iam_role.a", "aws_iam_role.b[1]"};
    const char *half[] = {"aws_iam_role.c", "aws_iam_role.nope"};
    int64_t serial;

    put_role(st, "a", -1);
    put_role(st, "b", 1);
    put_role(st, "c", -1);
    serial = tern_state_serial(st);

    ASSERT_OK(tern_state_remove_many(st, both, 2, &d));
    ASSERT_EQ(tern_state_serial(st), serial + 1);
    ASSERT_FALSE(has(st, "aws_iam_role.a"));
    ASSERT_FALSE(has(st, "aws_iam_role.b[1]"));
    ASSERT_TRUE(has(st, "aws_iam_role.c"));
    ASSERT_EQ(changes_at(st, serial + 1), 2);

    /* The second is missing: the first stays, the serial too. */
    ASSERT_EQ(tern_state_remove_many(st, half, 2, &d), TERN_ENOTFOUND);
    ASSERT_STR_EQ(
        d.items[d.count - 1].detail,
        "aws_iam_role.nope is not in the state; nothing was removed.");
    ASSERT_EQ(tern_state_serial(st), serial + 1);
    ASSERT_TRUE(has(st, "aws_iam_role.c"));
    ASSERT_EQ(changes_at(st, serial + 2), 0);

    /* Nothing to do is no change. */
    ASSERT_OK(tern_state_remove_many(st, NULL, 0, &d));
    ASSERT_EQ(tern_state_serial(st), serial + 1);

    /* The serial is on disk: a new handle sees the same. */
    tern_state_free(st);
    st = open_new();
    ASSERT_EQ(tern_state_serial(st), serial + 1);
    ASSERT_EQ(count(st), 1);
    tern_state_free(st);
    tern_diags_release(&d);
}

TEST(state_atomic, move_is_one_change)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = open_new();
    tern_state_resource *r0 = NULL, *r1 = NULL;
    tern_state_resource to[2];
    const char *from[2] = {"aws_iam_role.r[0]", "aws_iam_role.r[1]"};
    int64_t serial;

    put_role(st, "r", 0);
    put_role(st, "r", 1);
    put_role(st, "taken", -1);
    serial = tern_state_serial(st);
    ASSERT_OK(tern_state_get(st, &r0, from[0], NULL));
    ASSERT_OK(tern_state_get(st, &r1, from[1], NULL));

    /* Shift both keys up by one: [1] is free again by the time [0]
     * lands there. */
    to[0] = *r0;
    to[0].key_int = 1;
    to[1] = *r1;
    to[1].key_int = 2;
    ASSERT_OK(tern_state_move(st, from, to, 2, &d));
    ASSERT_EQ(tern_state_serial(st), serial + 1);
    ASSERT_FALSE(has(st, "aws_iam_role.r[0]"));
    ASSERT_TRUE(has(st, "aws_iam_role.r[1]"));
    ASSERT_TRUE(has(st, "aws_iam_role.r[2]"));
    ASSERT_EQ(count(st), 3);
    /* A removal and an addition per instance, under the one serial. */
    ASSERT_EQ(changes_at(st, serial + 1), 4);
    {
        tern_state_resource *moved = NULL;

        ASSERT_OK(tern_state_get(st, &moved, "aws_iam_role.r[2]", NULL));
        ASSERT_EQ(json_integer_value(json_object_get(moved->attributes, "k")),
                  1);
        tern_state_resource_free(moved);
    }

    /* The second destination is taken: the first move is undone too. */
    from[0] = "aws_iam_role.r[1]";
    from[1] = "aws_iam_role.r[2]";
    to[0] = *r0;
    to[0].name = "s";
    to[0].key_kind = TERN_STATE_KEY_NONE;
    to[1] = *r1;
    to[1].name = "taken";
    to[1].key_kind = TERN_STATE_KEY_NONE;
    ASSERT_EQ(tern_state_move(st, from, to, 2, &d), TERN_EEXISTS);
    ASSERT_STR_EQ(d.items[d.count - 1].detail,
                  "There is already a resource instance at aws_iam_role.taken; "
                  "nothing was moved.");
    ASSERT_EQ(tern_state_serial(st), serial + 1);
    ASSERT_TRUE(has(st, "aws_iam_role.r[1]"));
    ASSERT_TRUE(has(st, "aws_iam_role.r[2]"));
    ASSERT_FALSE(has(st, "aws_iam_role.s"));

    /* A source that is not there: nothing moves. */
    from[1] = "aws_iam_role.gone";
    to[1].name = "t";
    ASSERT_EQ(tern_state_move(st, from, to, 2, &d), TERN_ENOTFOUND);
    ASSERT_EQ(tern_state_serial(st), serial + 1);
    ASSERT_TRUE(has(st, "aws_iam_role.r[1]"));
    ASSERT_FALSE(has(st, "aws_iam_role.s"));
    ASSERT_FALSE(has(st, "aws_iam_role.t"));
    ASSERT_EQ(count(st), 3);

    tern_state_resource_free(r0);
    tern_state_resource_free(r1);
    tern_state_free(st);
    tern_diags_release(&d);
}

const struct tern_test test_state_atomic_list[] = {
    TEST_UNIT(state_atomic, remove_many_is_one_change),
    TEST_UNIT(state_atomic, move_is_one_change), TEST_END};
