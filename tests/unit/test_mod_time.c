/*
 * The time provider's modules (modules/time/), called directly: no
 * service, no client. time_static's state is compared whole; time_sleep
 * waits on a virtual clock (op.clock, tests/support/vclock.h) and is
 * interrupted through op.cancel.
 */
#include "runner.h"
#include "test_mod.h"
#include "vclock.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

extern const tern_module tern_module_time_sleep;
extern const tern_module tern_module_time_static;

struct tfx {
    struct tern_diags diags;
    atomic_int cancel;
    tern_op op;
};

static void tfx_init(struct tfx *f)
{
    memset(f, 0, sizeof(*f));
    atomic_init(&f->cancel, 0);
    f->op.version = TERN_OP_VERSION;
    f->op.address = "time_x.t";
    f->op.diags = &f->diags;
    f->op.cancel = &f->cancel;
}

static char *only_diag(struct tfx *f)
{
    static char buf[2048];

    if (f->diags.count != 1)
        FAIL("%zu diagnostics, want 1", f->diags.count);
    snprintf(buf, sizeof(buf), "%s: %s", f->diags.items[0].summary,
             f->diags.items[0].detail ? f->diags.items[0].detail : "");
    tern_diags_release(&f->diags);
    memset(&f->diags, 0, sizeof(f->diags));
    return buf;
}

static char *dump(const json_t *st)
{
    static char buf[4096];
    char *s = json_dumps(st, JSON_SORT_KEYS | JSON_COMPACT);

    snprintf(buf, sizeof(buf), "%s", s ? s : "");
    free(s);
    return buf;
}

static tern_check_fn check_of(const char *type, const char *name)
{
    const tern_arg_check *c;

    for (c = tern_arg_checks; c->type; c++)
        if (strcmp(c->type, type) == 0 && strcmp(c->name, name) == 0)
            return c->check;
    FAIL("no check for %s.%s", type, name);
    return NULL;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* An RFC 3339 UTC timestamp, "2006-01-02T15:04:05Z". */
static int is_utc_stamp(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t i;

    if (!s || strlen(s) != sizeof(shape) - 1)
        return 0;
    for (i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    return 1;
}

TEST(mod_time, static_create_with_offset)
{
    struct tfx f;
    json_t *d = mod_json("{\"rfc3339\": \"2024-02-29T23:30:00+02:00\", "
                         "\"triggers\": {\"k\": \"v\"}}"),
           *st = NULL, *r = NULL;

    tfx_init(&f);
    ASSERT_OK(tern_module_time_static.create(&st, &f.op, d));
    /* The fields in the timestamp's own offset; unix is absolute. */
    ASSERT_STR_EQ(dump(st), "{\"day\":29,\"hour\":23,"
                            "\"id\":\"2024-02-29T23:30:00+02:00\","
                            "\"minute\":30,\"month\":2,"
                            "\"rfc3339\":\"2024-02-29T23:30:00+02:00\","
                            "\"second\":0,\"triggers\":{\"k\":\"v\"},"
                            "\"unix\":1709242200,\"year\":2024}");
    /* read changes nothing. */
    ASSERT_OK(tern_module_time_static.read(&r, &f.op, st));
    ASSERT(json_equal(r, st));
    json_decref(r);
    json_decref(st);
    json_decref(d);
}

TEST(mod_time, static_create_now_and_import)
{
    struct tfx f;
    json_t *d = mod_json("{}"), *st = NULL;
    time_t before = time(NULL), after;
    char why[512];

    tfx_init(&f);
    ASSERT_OK(tern_module_time_static.create(&st, &f.op, d));
    after = time(NULL);
    ASSERT(is_utc_stamp(mod_str(st, "rfc3339")));
    ASSERT_STR_EQ(mod_str(st, "id"), mod_str(st, "rfc3339"));
    ASSERT(json_integer_value(json_object_get(st, "unix")) >= before &&
           json_integer_value(json_object_get(st, "unix")) <= after);
    json_decref(st);
    json_decref(d);
    ASSERT_OK(
        tern_module_time_static.import(&st, &f.op, "1999-12-31T23:59:59Z"));
    ASSERT_STR_EQ(dump(st), "{\"day\":31,\"hour\":23,"
                            "\"id\":\"1999-12-31T23:59:59Z\",\"minute\":59,"
                            "\"month\":12,\"rfc3339\":\"1999-12-31T23:59:59Z\","
                            "\"second\":59,\"unix\":946684799,\"year\":1999}");
    json_decref(st);
    st = NULL;
    ASSERT_EQ(
        tern_module_time_static.import(&st, &f.op, "2023-02-29T00:00:00Z"),
        TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Import time static error: The timestamp could not be "
                  "parsed as RFC3339.\n\nOriginal Error: parsing time "
                  "\"2023-02-29T00:00:00Z\": day out of range");
    ASSERT_EQ(check_of("time_static", "rfc3339")("2024-01-02 03:04:05Z", why,
                                                 sizeof(why)),
              1);
    ASSERT_STR_EQ(why, "must be an RFC 3339 timestamp: parsing time "
                       "\"2024-01-02 03:04:05Z\" as "
                       "\"2006-01-02T15:04:05Z07:00\": cannot parse it as "
                       "RFC3339.");
    ASSERT_EQ(check_of("time_static", "rfc3339")("2024-01-02T03:04:05.25-07:30",
                                                 why, sizeof(why)),
              0);
}

/* The waits are on op->clock: a virtual one, so the hour takes no time
 * and the test sees exactly what was waited (issue 20). */
TEST(mod_time, sleep_waits_its_durations)
{
    struct tfx f;
    struct tt_vclock vc;
    json_t *d = mod_json("{\"create_duration\": \"1h\", "
                         "\"destroy_duration\": \"250ms\"}"),
           *st = NULL, *up = NULL, *d2;

    tfx_init(&f);
    tt_vclock_init(&vc, 0);
    f.op.clock = &vc.clock;
    ASSERT_OK(tern_module_time_sleep.create(&st, &f.op, d));
    ASSERT_EQ(atomic_load(&vc.slept), 3600000);
    ASSERT(is_utc_stamp(mod_str(st, "id")));
    ASSERT_STR_EQ(mod_str(st, "create_duration"), "1h");
    /* A new duration alone is an update that does not wait. */
    d2 = mod_json("{\"create_duration\": \"2h\", "
                  "\"destroy_duration\": \"250ms\"}");
    ASSERT_OK(tern_module_time_sleep.update(&up, &f.op, st, d2));
    ASSERT_EQ(atomic_load(&vc.slept), 3600000);
    ASSERT_STR_EQ(mod_str(up, "create_duration"), "2h");
    ASSERT_STR_EQ(mod_str(up, "id"), mod_str(st, "id"));
    ASSERT_OK(tern_module_time_sleep.delete_(&f.op, up));
    ASSERT_EQ(atomic_load(&vc.slept), 3600250);
    json_decref(up);
    json_decref(d2);
    json_decref(st);
    json_decref(d);
}

TEST(mod_time, sleep_interrupted)
{
    struct tfx f;
    json_t *d = mod_json("{\"create_duration\": \"1h\"}"), *st = NULL;
    long t0;

    tfx_init(&f);
    atomic_store(&f.cancel, 1);
    t0 = now_ms();
    ASSERT_EQ(tern_module_time_sleep.create(&st, &f.op, d), TERN_ECANCELED);
    ASSERT_CMP(now_ms() - t0, <, 5000);
    ASSERT_NULL(st);
    json_decref(d);
}

TEST(mod_time, sleep_errors_and_import)
{
    struct tfx f;
    json_t *d = mod_json("{}"), *st = NULL;
    char why[512];

    tfx_init(&f);
    ASSERT_EQ(tern_module_time_sleep.create(&st, &f.op, d), TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Invalid Attribute Combination: At least one attribute out "
                  "of [create_duration,destroy_duration] must be specified");
    json_decref(d);
    ASSERT_EQ(check_of("time_sleep", "create_duration")("30", why, sizeof(why)),
              1);
    ASSERT_STR_EQ(why, "must be a number immediately followed by ms "
                       "(milliseconds), s (seconds), m (minutes), or h "
                       "(hours). For example, \"30s\" for 30 seconds, got: "
                       "30.");
    ASSERT_EQ(
        check_of("time_sleep", "destroy_duration")("1.5m", why, sizeof(why)),
        0);
    ASSERT_OK(tern_module_time_sleep.import(&st, &f.op, "30s,,a=1,b=2"));
    ASSERT(is_utc_stamp(mod_str(st, "id")));
    json_object_del(st, "id");
    ASSERT_STR_EQ(dump(st), "{\"create_duration\":\"30s\","
                            "\"triggers\":{\"a\":\"1\",\"b\":\"2\"}}");
    json_decref(st);
    st = NULL;
    ASSERT_EQ(tern_module_time_sleep.import(&st, &f.op, ",1m"), TERN_OK);
    ASSERT_STR_EQ(mod_str(st, "destroy_duration"), "1m");
    ASSERT_NULL(json_object_get(st, "create_duration"));
    json_decref(st);
    st = NULL;
    ASSERT_EQ(tern_module_time_sleep.import(&st, &f.op, "30s"), TERN_EINVALID);
    /* Upstream's words, its raw string's line break and tabs and its
     * "CREATIONDURATION" included. */
    ASSERT_STR_EQ(only_diag(&f),
                  "Unexpected Format of ID: Unexpected format of ID "
                  "(\"30s\"), expected "
                  "CREATEDURATION,DESTROYDURATION,KEY=VALUE,KEY=VALUE... "
                  "\",\n\t\t\t\twhere at least one CREATIONDURATION or "
                  "DESTROYDURATION value is non-empty");
    ASSERT_EQ(tern_module_time_sleep.import(&st, &f.op, "30s,,a"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f), "Trigger import error: Trigger import "
                                 "entries must be KEY=VALUE, got a");
    /* The durations are checked before the triggers, each by Go's
     * time.ParseDuration and with its error; the destroy duration's
     * names create_duration, as upstream's does. */
    ASSERT_EQ(tern_module_time_sleep.import(&st, &f.op, "30x,,a"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f), "Import time sleep error: The "
                                 "create_duration cannot be parsed\n\n+"
                                 "Original Error: time: unknown unit \"x\" "
                                 "in duration \"30x\"");
    ASSERT_EQ(tern_module_time_sleep.import(&st, &f.op, "1s,.m"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f), "Import time sleep error: The "
                                 "create_duration cannot be parsed\n\n+"
                                 "Original Error: time: invalid duration "
                                 "\".m\"");
    ASSERT_EQ(tern_module_time_sleep.import(&st, &f.op, "1h30,"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f), "Import time sleep error: The "
                                 "create_duration cannot be parsed\n\n+"
                                 "Original Error: time: missing unit in "
                                 "duration \"1h30\"");
    ASSERT_EQ(tern_module_time_sleep.import(&st, &f.op, "9999999999h,"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f), "Import time sleep error: The "
                                 "create_duration cannot be parsed\n\n+"
                                 "Original Error: time: invalid duration "
                                 "\"9999999999h\"");
    /* What Go accepts, the provider's import does. */
    ASSERT_OK(tern_module_time_sleep.import(&st, &f.op, "1h30m,1.5us"));
    ASSERT_STR_EQ(mod_str(st, "create_duration"), "1h30m");
    ASSERT_STR_EQ(mod_str(st, "destroy_duration"), "1.5us");
    json_decref(st);
}

const struct tern_test test_mod_time_list[] = {
    TEST_MODULE(mod_time, static_create_with_offset),
    TEST_MODULE(mod_time, static_create_now_and_import),
    TEST_MODULE(mod_time, sleep_waits_its_durations),
    TEST_MODULE(mod_time, sleep_interrupted),
    TEST_MODULE(mod_time, sleep_errors_and_import),
    TEST_END};
