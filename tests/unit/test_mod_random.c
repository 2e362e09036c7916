/*
 * The random provider's modules (modules/random/), called directly: no
 * service, no client (op.client NULL). What is random is checked by what
 * the provider guarantees (length, character classes, min_* counts,
 * ranges, formats), never by thresholds; what is fixed (imports, seeded
 * results, errors) is compared whole.
 */
#include "runner.h"
#include "test_mod.h"

#include <crypt.h>
#include <ctype.h>
#include <string.h>

extern const tern_module tern_module_random_id;
extern const tern_module tern_module_random_integer;
extern const tern_module tern_module_random_password;
extern const tern_module tern_module_random_shuffle;
extern const tern_module tern_module_random_string;
extern const tern_module tern_module_random_uuid;

struct rfx {
    struct tern_diags diags;
    tern_op op;
};

static void rfx_init(struct rfx *f)
{
    memset(f, 0, sizeof(*f));
    f->op.version = TERN_OP_VERSION;
    f->op.address = "random_x.t";
    f->op.diags = &f->diags;
}

/* "summary: detail" of the only diagnostic. */
static char *only_diag(struct rfx *f)
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

static json_t *create_ok(struct rfx *f, const tern_module *m, const char *cfg)
{
    json_t *d = mod_json(cfg), *st = NULL;

    if (m->create(&st, &f->op, d) != TERN_OK)
        FAIL("%s create: %s", m->type_name,
             f->diags.count ? f->diags.items[0].detail : "?");
    json_decref(d);
    return st;
}

/* The registered check of an argument (modules/registry.c). */
static tern_check_fn check_of(const char *type, const char *name)
{
    const tern_arg_check *c;

    for (c = tern_arg_checks; c->type; c++)
        if (strcmp(c->type, type) == 0 && strcmp(c->name, name) == 0)
            return c->check;
    FAIL("no check for %s.%s", type, name);
    return NULL;
}

static char *dump(const json_t *st)
{
    static char buf[4096];
    char *s = json_dumps(st, JSON_SORT_KEYS | JSON_COMPACT);

    snprintf(buf, sizeof(buf), "%s", s ? s : "");
    free(s);
    return buf;
}

static size_t count_in(const char *s, const char *set)
{
    size_t n = 0;

    for (; *s; s++)
        n += strchr(set, *s) != NULL;
    return n;
}

#define UPPER   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER   "abcdefghijklmnopqrstuvwxyz"
#define DIGITS  "0123456789"
#define SPECIAL "!@#$%&*()-_=+[]{}<>:?"

/* The defaults (as the engine fills them from tern_arg_defaults[]). */
#define DEFAULTS                                                               \
    "\"lower\": true, \"upper\": true, \"numeric\": true, \"number\": true, "  \
    "\"special\": true, \"min_lower\": 0, \"min_upper\": 0, "                  \
    "\"min_numeric\": 0, \"min_special\": 0"

TEST(mod_random, string_min_counts_and_charset)
{
    struct rfx f;
    int i;

    rfx_init(&f);
    for (i = 0; i < 200; i++) {
        json_t *st =
            create_ok(&f, &tern_module_random_string,
                      "{\"length\": 12, \"lower\": true, \"upper\": true, "
                      "\"numeric\": true, \"number\": true, \"special\": true, "
                      "\"min_lower\": 2, \"min_upper\": 3, \"min_numeric\": 3, "
                      "\"min_special\": 4, \"override_special\": \"#~\"}");
        const char *res = mod_str(st, "result");

        ASSERT_EQ(strlen(res), 12);
        ASSERT_STR_EQ(mod_str(st, "id"), res);
        ASSERT_CMP(count_in(res, LOWER), >=, 2);
        ASSERT_CMP(count_in(res, UPPER), >=, 3);
        ASSERT_CMP(count_in(res, DIGITS), >=, 3);
        /* Only the override's specials, and at least min_special. */
        ASSERT_CMP(count_in(res, "#~"), >=, 4);
        ASSERT_EQ(count_in(res, UPPER LOWER DIGITS "#~"), 12);
        json_decref(st);
    }
    /* Classes switched off never appear; min_* of a switched-off class
     * still does, as the provider's. */
    for (i = 0; i < 200; i++) {
        json_t *st = create_ok(
            &f, &tern_module_random_string,
            "{\"length\": 16, \"lower\": true, \"upper\": false, "
            "\"numeric\": true, \"number\": false, \"special\": false, "
            "\"min_lower\": 0, \"min_upper\": 2, \"min_numeric\": 0, "
            "\"min_special\": 0}");
        const char *res = mod_str(st, "result");

        ASSERT_EQ(strlen(res), 16);
        ASSERT_EQ(count_in(res, UPPER), 2);
        ASSERT_EQ(count_in(res, LOWER), 14);
        json_decref(st);
    }
    /* Default set: every character from the four classes. */
    for (i = 0; i < 100; i++) {
        json_t *st = create_ok(&f, &tern_module_random_string,
                               "{\"length\": 64, " DEFAULTS "}");

        ASSERT_EQ(count_in(mod_str(st, "result"), UPPER LOWER DIGITS SPECIAL),
                  64);
        json_decref(st);
    }
    ASSERT_EQ(f.diags.count, 0);
}

TEST(mod_random, string_state_whole)
{
    struct rfx f;
    json_t *st, *res;
    char want[1024];

    rfx_init(&f);
    st = create_ok(&f, &tern_module_random_string,
                   "{\"length\": 5, \"keepers\": {\"k\": \"v\"}, "
                   "\"override_special\": \"*\", " DEFAULTS "}");
    res = json_incref(json_object_get(st, "result"));
    snprintf(want, sizeof(want),
             "{\"id\":\"%s\",\"keepers\":{\"k\":\"v\"},\"length\":5,"
             "\"lower\":true,\"min_lower\":0,\"min_numeric\":0,"
             "\"min_special\":0,\"min_upper\":0,\"number\":true,"
             "\"numeric\":true,\"override_special\":\"*\",\"result\":\"%s\","
             "\"special\":true,\"upper\":true}",
             json_string_value(res), json_string_value(res));
    ASSERT_STR_EQ(dump(st), want);
    json_decref(st);
    json_decref(res);
}

TEST(mod_random, string_validation_errors)
{
    struct rfx f;
    json_t *d, *st = NULL;
    char why[256];

    rfx_init(&f);
    d = mod_json("{\"length\": 3, \"lower\": true, \"upper\": true, "
                 "\"numeric\": true, \"special\": true, \"min_lower\": 1, "
                 "\"min_upper\": 1, \"min_numeric\": 1, \"min_special\": 1}");
    ASSERT_EQ(tern_module_random_string.create(&st, &f.op, d), TERN_EINVALID);
    ASSERT_NULL(st);
    ASSERT_STR_EQ(only_diag(&f),
                  "Invalid Attribute Value: Attribute length value must be "
                  "at least sum of min_upper + min_lower + min_numeric + "
                  "min_special, got: 3");
    json_decref(d);
    d = mod_json("{\"length\": 4, \"lower\": false, \"upper\": false, "
                 "\"numeric\": false, \"number\": true, \"special\": false, "
                 "\"min_lower\": 1}");
    ASSERT_EQ(tern_module_random_password.create(&st, &f.op, d), TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Random String Generation Error: upper, lower, numeric "
                  "and special are all false, so there are no characters to "
                  "fill the 3 of length 4 that the min_* arguments do not.");
    json_decref(d);
    /* The argument check validate and plan run (modules/registry.c). */
    ASSERT_EQ(check_of("random_string", "length")("0", why, sizeof(why)), 1);
    ASSERT_STR_EQ(why, "value must be at least 1, got: 0.");
    ASSERT_EQ(check_of("random_password", "length")("1", why, sizeof(why)), 0);
}

TEST(mod_random, password_sensitive_and_bcrypt)
{
    static const tern_attr *a;
    struct rfx f;
    struct crypt_data cd;
    json_t *st;
    char setting[64];
    const char *hash, *res, *got;

    rfx_init(&f);
    a = tern_schema_attr(tern_module_random_password.schema, "result");
    ASSERT(a && (a->flags & TERN_ATTR_SENSITIVE));
    a = tern_schema_attr(tern_module_random_password.schema, "bcrypt_hash");
    ASSERT(a && (a->flags & TERN_ATTR_SENSITIVE));
    st = create_ok(&f, &tern_module_random_password,
                   "{\"length\": 24, \"min_special\": 2, \"lower\": true, "
                   "\"upper\": true, \"numeric\": true, \"number\": true, "
                   "\"special\": true, \"min_lower\": 0, \"min_upper\": 0, "
                   "\"min_numeric\": 0}");
    ASSERT_STR_EQ(mod_str(st, "id"), "none");
    res = mod_str(st, "result");
    hash = mod_str(st, "bcrypt_hash");
    ASSERT_EQ(strlen(res), 24);
    ASSERT_CMP(count_in(res, SPECIAL), >=, 2);
    ASSERT_EQ(strlen(hash), 60);
    ASSERT(strncmp(hash, "$2a$10$", 7) == 0);
    /* The hash verifies the password (under libxcrypt's "$2b$"). */
    snprintf(setting, sizeof(setting), "$2b$%s", hash + 4);
    memset(&cd, 0, sizeof(cd));
    got = crypt_r(res, setting, &cd);
    ASSERT_NOT_NULL(got);
    ASSERT_STR_EQ(got + 4, hash + 4);
    memset(&cd, 0, sizeof(cd));
    got = crypt_r("not-the-password", setting, &cd);
    ASSERT(got && strcmp(got + 4, hash + 4) != 0);
    json_decref(st);
}

TEST(mod_random, string_and_password_import)
{
    struct rfx f;
    json_t *st = NULL;
    struct crypt_data cd;
    char setting[64];

    rfx_init(&f);
    ASSERT_OK(tern_module_random_string.import(&st, &f.op, "aB3$x"));
    ASSERT_STR_EQ(dump(st),
                  "{\"id\":\"aB3$x\",\"length\":5,\"lower\":true,"
                  "\"min_lower\":0,\"min_numeric\":0,\"min_special\":0,"
                  "\"min_upper\":0,\"number\":true,\"numeric\":true,"
                  "\"result\":\"aB3$x\",\"special\":true,\"upper\":true}");
    json_decref(st);
    ASSERT_OK(tern_module_random_password.import(&st, &f.op, "s3cret!"));
    ASSERT_STR_EQ(mod_str(st, "id"), "none");
    ASSERT_STR_EQ(mod_str(st, "result"), "s3cret!");
    snprintf(setting, sizeof(setting), "$2b$%s",
             mod_str(st, "bcrypt_hash") + 4);
    memset(&cd, 0, sizeof(cd));
    ASSERT_STR_EQ(crypt_r("s3cret!", setting, &cd), setting);
    json_decref(st);
    st = NULL;
    ASSERT_EQ(tern_module_random_string.import(&st, &f.op, ""), TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f), "Invalid import ID: The import ID is the "
                                 "value itself and cannot be empty.");
}

TEST(mod_random, id_create_and_import)
{
    struct rfx f;
    json_t *st = NULL;
    int i;

    rfx_init(&f);
    for (i = 0; i < 50; i++) {
        json_t *imp = NULL;
        char id[64];

        st = create_ok(&f, &tern_module_random_id,
                       "{\"byte_length\": 8, \"prefix\": \"p-\"}");
        ASSERT_EQ(strlen(mod_str(st, "hex")), 2 + 16);
        ASSERT_EQ(strlen(mod_str(st, "id")), 11);
        ASSERT(strncmp(mod_str(st, "b64_url"), "p-", 2) == 0);
        ASSERT_STR_EQ(mod_str(st, "b64_url") + 2, mod_str(st, "id"));
        /* Importing what it made gives the same state. */
        snprintf(id, sizeof(id), "p-,%s", mod_str(st, "id"));
        ASSERT_OK(tern_module_random_id.import(&imp, &f.op, id));
        ASSERT(json_equal(imp, st));
        json_decref(imp);
        json_decref(st);
    }
    ASSERT_OK(tern_module_random_id.import(&st, &f.op, "p-,nkXai1mrY4M"));
    ASSERT_STR_EQ(dump(st), "{\"b64_std\":\"p-nkXai1mrY4M=\","
                            "\"b64_url\":\"p-nkXai1mrY4M\",\"byte_length\":8,"
                            "\"dec\":\"p-11404761923425362819\","
                            "\"hex\":\"p-9e45da8b59ab6383\","
                            "\"id\":\"nkXai1mrY4M\",\"prefix\":\"p-\"}");
    json_decref(st);
    ASSERT_OK(tern_module_random_id.import(&st, &f.op, "AAE"));
    ASSERT_STR_EQ(dump(st), "{\"b64_std\":\"AAE=\",\"b64_url\":\"AAE\","
                            "\"byte_length\":2,\"dec\":\"1\",\"hex\":\"0001\","
                            "\"id\":\"AAE\"}");
    json_decref(st);
    st = NULL;
    ASSERT_EQ(tern_module_random_id.import(&st, &f.op, "ab+c"), TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Import Random ID Error: While attempting to import a "
                  "random id there was a decoding error.\n\nOriginal Error: "
                  "illegal base64 data at input byte 2");
}

TEST(mod_random, integer_range_seed_import)
{
    struct rfx f;
    json_t *st = NULL, *d;
    int i, seen_lo = 0, seen_hi = 0;
    json_int_t first;

    rfx_init(&f);
    for (i = 0; i < 400; i++) {
        json_int_t v;

        st = create_ok(&f, &tern_module_random_integer,
                       "{\"min\": -2, \"max\": 1}");
        v = json_integer_value(json_object_get(st, "result"));
        ASSERT(v >= -2 && v <= 1);
        seen_lo |= v == -2;
        seen_hi |= v == 1;
        json_decref(st);
    }
    /* Both ends are reachable (each has chance 1 - (3/4)^400 of showing). */
    ASSERT(seen_lo && seen_hi);
    /* A seed gives the same result every time. */
    st = create_ok(&f, &tern_module_random_integer,
                   "{\"min\": 1, \"max\": 1000000, \"seed\": \"abc\"}");
    first = json_integer_value(json_object_get(st, "result"));
    json_decref(st);
    for (i = 0; i < 5; i++) {
        st = create_ok(&f, &tern_module_random_integer,
                       "{\"min\": 1, \"max\": 1000000, \"seed\": \"abc\"}");
        ASSERT_EQ(json_integer_value(json_object_get(st, "result")), first);
        json_decref(st);
    }
    d = mod_json("{\"min\": 5, \"max\": 4}");
    st = NULL;
    ASSERT_EQ(tern_module_random_integer.create(&st, &f.op, d), TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Create Random Integer Error: The minimum (min) value needs "
                  "to be smaller than or equal to maximum (max) value.");
    json_decref(d);
    ASSERT_OK(tern_module_random_integer.import(&st, &f.op, "15,1,100,abc"));
    ASSERT_STR_EQ(dump(st), "{\"id\":\"15\",\"max\":100,\"min\":1,"
                            "\"result\":15,\"seed\":\"abc\"}");
    json_decref(st);
    st = NULL;
    ASSERT_EQ(tern_module_random_integer.import(&st, &f.op, "15,1"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Import Random Integer Error: Invalid import usage: "
                  "expecting {result},{min},{max} or "
                  "{result},{min},{max},{seed}");
    ASSERT_EQ(tern_module_random_integer.import(&st, &f.op, "15,x,3"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Import Random Integer Error: The min value supplied could "
                  "not be parsed as an integer.\n\nOriginal Error: "
                  "strconv.ParseInt: parsing \"x\": invalid syntax");
}

TEST(mod_random, uuid_format_and_import)
{
    struct rfx f;
    json_t *st = NULL;
    int i, k;

    rfx_init(&f);
    for (i = 0; i < 50; i++) {
        const char *u;

        st = create_ok(&f, &tern_module_random_uuid, "{}");
        u = mod_str(st, "result");
        ASSERT_EQ(strlen(u), 36);
        for (k = 0; k < 36; k++)
            if (k == 8 || k == 13 || k == 18 || k == 23)
                ASSERT_EQ(u[k], '-');
            else
                ASSERT(strchr("0123456789abcdef", u[k]) != NULL);
        ASSERT_STR_EQ(mod_str(st, "id"), u);
        json_decref(st);
    }
    ASSERT_OK(tern_module_random_uuid.import(
        &st, &f.op, "D5C12593-3E45-6089-6E68-F190322D7345"));
    ASSERT_STR_EQ(dump(st),
                  "{\"id\":\"d5c12593-3e45-6089-6e68-f190322d7345\","
                  "\"result\":\"d5c12593-3e45-6089-6e68-f190322d7345\"}");
    json_decref(st);
    st = NULL;
    ASSERT_EQ(tern_module_random_uuid.import(&st, &f.op, "nope"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Import Random UUID Error: While attempting to import a "
                  "random UUID there was a parsing error.\n\nOriginal Error: "
                  "uuid string is wrong length or format: \"nope\"");
}

TEST(mod_random, shuffle_permutations_and_seed)
{
    struct rfx f;
    json_t *st = NULL;
    char first[4096];
    int i;

    rfx_init(&f);
    for (i = 0; i < 100; i++) {
        const json_t *r;
        char s[8] = "";
        size_t k;

        st = create_ok(&f, &tern_module_random_shuffle,
                       "{\"input\": [\"a\", \"b\", \"c\"], "
                       "\"result_count\": 5}");
        r = json_object_get(st, "result");
        ASSERT_EQ(json_array_size(r), 5);
        for (k = 0; k < 5; k++)
            strcat(s, json_string_value(json_array_get(r, k)));
        /* The first three are a permutation, then a new one begins. */
        ASSERT(strchr(s, 'a') && strchr(s, 'b') && strchr(s, 'c'));
        ASSERT(s[0] != s[1] && s[0] != s[2] && s[1] != s[2]);
        ASSERT(s[3] != s[4]);
        ASSERT_STR_EQ(mod_str(st, "id"), "-");
        json_decref(st);
    }
    st = create_ok(&f, &tern_module_random_shuffle,
                   "{\"input\": [\"a\", \"b\", \"c\", \"d\", \"e\"], "
                   "\"seed\": \"s\"}");
    snprintf(first, sizeof(first), "%s", dump(st));
    json_decref(st);
    st = create_ok(&f, &tern_module_random_shuffle,
                   "{\"input\": [\"a\", \"b\", \"c\", \"d\", \"e\"], "
                   "\"seed\": \"s\"}");
    ASSERT_STR_EQ(dump(st), first);
    json_decref(st);
    st = NULL;
    ASSERT_EQ(tern_module_random_shuffle.import(&st, &f.op, "x"),
              TERN_EINVALID);
    ASSERT_STR_EQ(only_diag(&f),
                  "Resource Import Not Implemented: This resource does not "
                  "support import. Please contact the provider developer "
                  "for additional information.");
}

const struct tern_test test_mod_random_list[] = {
    TEST_MODULE(mod_random, string_min_counts_and_charset),
    TEST_MODULE(mod_random, string_state_whole),
    TEST_MODULE(mod_random, string_validation_errors),
    TEST_MODULE(mod_random, password_sensitive_and_bcrypt),
    TEST_MODULE(mod_random, string_and_password_import),
    TEST_MODULE(mod_random, id_create_and_import),
    TEST_MODULE(mod_random, integer_range_seed_import),
    TEST_MODULE(mod_random, uuid_format_and_import),
    TEST_MODULE(mod_random, shuffle_permutations_and_seed),
    TEST_END};
