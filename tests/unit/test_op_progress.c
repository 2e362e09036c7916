/*
 * tern_op_progress (src/engine/op.c): what a module says it waits for, as
 * tern_engine_progress gives it back: made printable, cut at
 * TERN_PROGRESS_MAX bytes on a UTF-8 boundary, cleared when the step
 * ends, and never torn while a worker writes and the ticker reads.
 */
#include "runner.h"

#include "engine/engine_int.h"
#include "tern/module.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

struct fixture {
    tern_engine e;
    tern_op op;
    atomic_int done, reading;
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->e.progress = tern__progress_new();
    ASSERT_NOT_NULL(f->e.progress);
    f->op.version = TERN_OP_VERSION;
    f->op.address = "databricks_cluster.deploy";
    f->op.progress = f->e.progress;
}

TEST(op_progress, text_as_read)
{
    struct fixture f;
    char buf[TERN_PROGRESS_MAX + 1], long_text[200];
    tern_op none;

    fixture_init(&f);
    ASSERT_EQ(tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf)), 0);
    ASSERT_STR_EQ(buf, "");
    tern_op_progress(&f.op, "cluster\tPENDING\n\x1b[1m");
    ASSERT_EQ(tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf)), 1);
    ASSERT_STR_EQ(buf, "cluster?PENDING??[1m");
    ASSERT_EQ(tern_engine_progress(&f.e, "databricks_cluster.other", buf,
                                   sizeof(buf)),
              0);
    /* 95 ASCII bytes and a 2-byte character: cut before the character. */
    memset(long_text, 'a', 95);
    memcpy(long_text + 95, "\xc3\xa9zz", 5);
    tern_op_progress(&f.op, long_text);
    ASSERT_EQ(tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf)), 1);
    ASSERT_EQ(strlen(buf), 95);
    /* 94 and the character: it fits. */
    memmove(long_text + 94, long_text + 95, 5);
    tern_op_progress(&f.op, long_text);
    ASSERT_EQ(tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf)), 1);
    ASSERT_EQ(strlen(buf), 96);
    ASSERT_STR_EQ(buf + 94, "\xc3\xa9");
    /* The step ended; an op without the engine's store says nothing. */
    tern__progress_clear(f.e.progress, f.op.address);
    ASSERT_EQ(tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf)), 0);
    none = f.op;
    none.progress = NULL;
    tern_op_progress(&none, "cluster PENDING");
    ASSERT_EQ(tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf)), 0);
    tern__progress_free(f.e.progress);
}

static void *writer(void *arg)
{
    struct fixture *f = arg;
    int i;

    while (!atomic_load(&f->reading))
        ; /* both run at once: the reader is in its loop */
    for (i = 0; i < 20000; i++)
        tern_op_progress(&f->op,
                         i % 2 ? "cluster PENDING" : "installing libraries");
    tern_op_progress(&f->op, NULL);
    atomic_store(&f->done, 1);
    return NULL;
}

/* A worker writes while the ticker reads: every read is a whole text. */
TEST(op_progress, concurrent_reads)
{
    struct fixture f;
    pthread_t t;
    char buf[TERN_PROGRESS_MAX + 1];
    long reads = 0, bad = 0;

    fixture_init(&f);
    ASSERT_EQ(pthread_create(&t, NULL, writer, &f), 0);
    while (!atomic_load(&f.done)) {
        atomic_store(&f.reading, 1);
        tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf));
        reads++;
        if (strcmp(buf, "cluster PENDING") != 0 &&
            strcmp(buf, "installing libraries") != 0 && strcmp(buf, "") != 0)
            bad++;
    }
    pthread_join(t, NULL);
    ASSERT_CMP(reads, >, 0);
    ASSERT_EQ(bad, 0);
    ASSERT_EQ(tern_engine_progress(&f.e, f.op.address, buf, sizeof(buf)), 0);
    tern__progress_free(f.e.progress);
}

const struct tern_test test_op_progress_list[] = {
    TEST_UNIT(op_progress, text_as_read),
    TEST_UNIT(op_progress, concurrent_reads), TEST_END};
