/*
 * The S3 backend's lock with its n-th allocation failing (tern's, Jansson's
 * or SQLite's; docs/STYLE.md rule 12), against tern-sim: the lock info it
 * writes is whole or the lock is not taken, and a refusal names the
 * holder's whole lock info or ends in out of memory (issue 20: a builder
 * that could not allocate must not leave a member silently out).
 */
#include "runner.h"
#include "support.h"
#include "run_tern.h"

#include "backend/s3.h"
#include "util/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_KEY "team/terraform.tfstate.tflock"

static struct tt_sim sim;
static struct tt_sim_env sim_env;

static void start(void)
{
    struct tt_response resp;
    size_t i;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&sim_env, &sim);
    ASSERT_OK(
        tt_sim_control(&resp, &sim, "POST", "load",
                       "{\"s3\":{\"buckets\":[{\"name\":\"tfstate\"}]}}"));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
    for (i = 0; sim_env.env[i]; i++)
        putenv((char *)sim_env.env[i]);
}

static tern_backend_s3 *backend(void)
{
    tern_backend_s3_config c = TERN_BACKEND_S3_CONFIG_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *b = NULL;

    c.bucket = "tfstate";
    c.key = "team/terraform.tfstate";
    c.region = "us-east-1";
    c.use_lockfile = 1;
    ASSERT_OK(tern_backend_s3_new(&b, &c, NULL, &diags));
    tern_diags_release(&diags);
    return b;
}

/* The lock of a new backend for "apply", allocation @n failing (0: none)
 * with every later one, or alone when @once; *@b the backend (the caller
 * frees it). */
static int lock(tern_backend_s3 **b, struct tern_diags *diags, unsigned long n,
                int once, unsigned long *made)
{
    int rc;

    *b = backend();
    if (once)
        tern__alloc_fail_once(n);
    else
        tern__alloc_fail_after(n);
    rc = tern_backend_s3_lock(*b, "apply", 0, diags);
    *made = tern__alloc_fail_after(0);
    return rc;
}

/* The request ID of an S3 error made "*": it changes with each call. */
static void normalize(char *s)
{
    char *p = s;

    while ((p = strstr(p, "request id ")) != NULL) {
        char *v = p + strlen("request id ");
        char *end = v + strcspn(v, ",");

        memmove(v + 1, end, strlen(end) + 1);
        *v = '*';
        p = v + 1;
    }
}

/* Whether @info is a whole lock info: the seven members of Terraform's
 * LockInfo, strings, for this backend's path. */
static int whole_info(const json_t *info)
{
    static const char *const members[] = {"ID",      "Operation", "Info", "Who",
                                          "Version", "Created",   "Path"};
    size_t i;

    if (json_object_size(info) != 7)
        return 0;
    for (i = 0; i < 7; i++)
        if (!json_is_string(json_object_get(info, members[i])))
            return 0;
    return strcmp(json_string_value(json_object_get(info, "Path")),
                  "tfstate/team/terraform.tfstate") == 0;
}

/* The one diagnostic of a lock attempt that may have left a lock behind
 * (@p id, from the lock object when one is left, else from the message),
 * compared whole; the lock ID it names, for force-unlock (tern_free()). */
static char *left_behind_id(const struct tern_diags *diags, const char *id,
                            unsigned long n, int once)
{
    static const char pre[] = "Error message: out of memory\n\n"
                              "tern ran out of memory while it took the state "
                              "lock on tfstate/team/terraform.tfstate, and "
                              "could not tell whether the lock was taken, nor "
                              "release it. If it was, its lock ID is ";
    const char *detail;
    char *want, *named;

    if (diags->count != 1 || diags->errors != 1 ||
        strcmp(diags->items[0].summary, "Error acquiring the state lock") != 0)
        FAIL("allocation %lu failed%s: a lock may be left, %zu "
             "diagnostic(s), first: %s",
             n, once ? " alone" : "", diags->count,
             diags->count ? diags->items[0].summary : "(none)");
    detail = diags->items[0].detail;
    ASSERT_NOT_NULL(detail);
    if (strncmp(detail, pre, strlen(pre)) != 0)
        FAIL("allocation %lu failed%s: %s", n, once ? " alone" : "", detail);
    named =
        tern_strndup(detail + strlen(pre), strcspn(detail + strlen(pre), ";"));
    ASSERT_NOT_NULL(named);
    if (id)
        ASSERT_STR_EQ(named, id);
    want = tern_asprintf("%s%s; release it with:\n  tern force-unlock %s", pre,
                         named, named);
    ASSERT_NOT_NULL(want);
    ASSERT_STR_EQ(detail, want);
    tern_free(want);
    return named;
}

/* A free lock, taken with each allocation failing alone and with every
 * later one: taken with its whole lock info, or not taken and TERN_ENOMEM.
 * A lock object the service took before tern ran out of memory reading
 * its answer is deleted again; when that too could not be done (every
 * later allocation failing), the error names the lock ID to force-unlock
 * (issue 20: it stayed, and nothing said so). With one allocation
 * failing, the lock is released and nothing is said but out of memory. */
TEST(backend_s3_alloc, lock_info_whole)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *b, *other;
    unsigned long n, total, made;
    json_t *info;
    char *named;
    int rc, once;

    start();
    ASSERT_OK(lock(&b, &diags, 0, 0, &total));
    ASSERT_OK(tern_backend_s3_unlock(b, &diags));
    tern_backend_s3_free(b);
    ASSERT_CMP(total, >, 20);
    for (n = 1; n <= total; n++)
        for (once = 0; once < 2; once++) {
            rc = lock(&b, &diags, n, once, &made);
            info = tt_sim_s3_json(&sim, LOCK_KEY);
            if (info && !whole_info(info))
                FAIL("allocation %lu failed%s: rc %d, the lock info short "
                     "of a member",
                     n, once ? " alone" : "", rc);
            if (rc == TERN_OK) {
                ASSERT_NOT_NULL(info);
                ASSERT_OK(tern_backend_s3_unlock(b, &diags));
            } else if (rc != TERN_ENOMEM ||
                       (once && (info || diags.count != 0))) {
                FAIL("allocation %lu failed%s: rc %d, %zu diagnostic(s), "
                     "a lock %s",
                     n, once ? " alone" : "", rc, diags.count,
                     info ? "left" : "not left");
            } else if (info || diags.count) {
                named = left_behind_id(
                    &diags, json_string_value(json_object_get(info, "ID")), n,
                    once);
                tern_diags_release(&diags);
                if (info) {
                    other = backend();
                    ASSERT_OK(
                        tern_backend_s3_force_unlock(other, named, &diags));
                    tern_backend_s3_free(other);
                }
                tern_free(named);
            }
            json_decref(info);
            tern_diags_release(&diags);
            tern_backend_s3_free(b);
        }
    fprintf(stderr, "# %lu allocations walked\n", total);
    tt_sim_stop(&sim);
}

/* A held lock refused with each allocation failing alone and with every
 * later one: the refusal names the holder's whole lock info, as the
 * unhindered refusal does, or TERN_ENOMEM, without a diagnostic when one
 * allocation failed alone. */
TEST(backend_s3_alloc, lock_refusal_whole)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    tern_backend_s3 *holder, *b;
    unsigned long n, total, made;
    char *want, *got;
    int rc, refused, once;

    start();
    ASSERT_OK(lock(&holder, &diags, 0, 0, &made));
    refused = lock(&b, &diags, 0, 0, &total);
    tern_backend_s3_free(b);
    ASSERT_NE(refused, TERN_OK);
    ASSERT_NE(refused, TERN_ENOMEM);
    ASSERT_EQ(diags.count, 1);
    want = tern_strdup(diags.items[0].detail);
    ASSERT_NOT_NULL(want);
    normalize(want);
    ASSERT_NOT_NULL(strstr(want, "\nLock Info:\n  ID:        "));
    ASSERT_NOT_NULL(strstr(want, "\n  Operation: OperationTypeApply\n"));
    tern_diags_release(&diags);
    for (n = 1; n <= total; n++)
        for (once = 0; once < 2; once++) {
            rc = lock(&b, &diags, n, once, &made);
            if (rc == refused && diags.count == 1 &&
                strcmp(diags.items[0].summary,
                       "Error acquiring the state lock") == 0) {
                got = tern_strdup(diags.items[0].detail);
                ASSERT_NOT_NULL(got);
                normalize(got);
                if (strcmp(got, want) != 0)
                    FAIL("allocation %lu failed%s, yet the refusal differs:"
                         "\n%s",
                         n, once ? " alone" : "", got);
                tern_free(got);
            } else if (rc != TERN_ENOMEM || (diags.errors != 0 && once)) {
                FAIL("allocation %lu failed%s: rc %d, %zu error(s), first: "
                     "%s",
                     n, once ? " alone" : "", rc, diags.errors,
                     diags.count ? diags.items[0].summary : "(none)");
            } else if (diags.errors != 0) {
                /* Every later allocation failing, tern could not tell
                 * whether its write was refused: it says so. */
                tern_free(left_behind_id(&diags, NULL, n, once));
            }
            tern_diags_release(&diags);
            tern_backend_s3_free(b);
        }
    fprintf(stderr, "# %lu allocations walked\n", total);
    tern_free(want);
    ASSERT_OK(tern_backend_s3_unlock(holder, &diags));
    tern_backend_s3_free(holder);
    tt_sim_stop(&sim);
}

const struct tern_test test_backend_s3_alloc_list[] = {
    TEST_INTEGRATION(backend_s3_alloc, lock_info_whole),
    TEST_INTEGRATION(backend_s3_alloc, lock_refusal_whole),
    TEST_END,
};
