/*
 * The random provider's shared code (random_common.h).
 *
 * Random bytes come from getrandom(2), the OS CSPRNG, never rand(). A
 * uniform integer below n is drawn by rejection (no modulo bias), as Go's
 * crypto/rand.Int. random_string's generation follows the provider's
 * CreateString: min_upper, min_lower, min_numeric and min_special
 * characters from their classes, the rest of `length` from every enabled
 * class (override_special replacing the special characters), then the
 * whole shuffled.
 */
#include "random_common.h"

#include "util/alloc.h"
#include "util/bcrypt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int tern__rand_fail(tern_op *op, int error, const char *summary,
                    const char *fmt, ...)
{
    char detail[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (!tern_diags_add(op->diags, TERN_SEV_ERROR, NULL, summary, "%s", detail))
        return TERN_ENOMEM;
    return error;
}

/* hash/crc64's ISO table, bit-reflected, as crc64.Checksum computes. */
static uint64_t crc64_iso(const char *s)
{
    uint64_t crc = ~(uint64_t)0;
    const unsigned char *p = (const unsigned char *)s;
    int k;

    for (; *p; p++) {
        crc ^= *p;
        for (k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xD800000000000000ULL : crc >> 1;
    }
    return ~crc;
}

void tern__rng_init(struct tern__rng *r, tern_op *op, const char *seed)
{
    memset(r, 0, sizeof(*r));
    r->op = op;
    if (seed && *seed) {
        r->seeded = 1;
        r->state = crc64_iso(seed);
    }
}

/* SplitMix64: the next 64 bits of a seeded generator. */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int tern__rng_bytes(struct tern__rng *r, unsigned char *buf, size_t n)
{
    size_t got = 0;

    if (r->seeded) {
        while (got < n) {
            uint64_t v = splitmix(&r->state);
            size_t k;

            for (k = 0; k < 8 && got < n; k++, v >>= 8)
                buf[got++] = (unsigned char)v;
        }
        return TERN_OK;
    }
    while (got < n) {
        ssize_t k = getrandom(buf + got, n - got, 0);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return tern__rand_fail(
                r->op, TERN_ERROR, "Random Read Error",
                "While attempting to generate a random value for this "
                "resource, a read error was generated.\n\nRetry the "
                "operation. If the error still occurs or happens regularly, "
                "report it with hardware and operating system "
                "information.\n\nOriginal Error: %s",
                strerror(errno));
        got += (size_t)k;
    }
    return TERN_OK;
}

int tern__rng_below(struct tern__rng *r, uint64_t n, uint64_t *out)
{
    /* The largest multiple of n that fits: draws at or above it are
     * redrawn, so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, v;
    unsigned char b[8];
    int error, k;

    do {
        if ((error = tern__rng_bytes(r, b, sizeof(b))))
            return error;
        v = 0;
        for (k = 0; k < 8; k++)
            v = v << 8 | b[k];
    } while (v >= limit);
    *out = v % n;
    return TERN_OK;
}

int64_t tern__rand_int(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_real(v))
        return (int64_t)llround(json_real_value(v));
    return 0;
}

int tern__rand_read(json_t **out, tern_op *op, const json_t *prior)
{
    (void)op;
    *out = json_deep_copy(prior);
    return *out ? TERN_OK : TERN_ENOMEM;
}

int tern__rand_length_check(const char *value, char *why, size_t why_size)
{
    double d = strtod(value, NULL);

    if (d >= 1)
        return 0;
    snprintf(why, why_size, "value must be at least 1, got: %s.", value);
    return 1;
}

/* ---- random_string and random_password ---------------------------------- */

static const char num_chars[] = "0123456789";
static const char lower_chars[] = "abcdefghijklmnopqrstuvwxyz";
static const char upper_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char special_chars[] = "!@#$%&*()-_=+[]{}<>:?";

/* A bool argument; unset is its default, true. */
static int flag(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    return json_is_boolean(v) ? json_is_true(v) : 1;
}

static int pick(struct tern__rng *r, const char *set, int64_t n, char *to)
{
    size_t len = strlen(set);
    uint64_t i;
    int64_t k;
    int error;

    for (k = 0; k < n; k++) {
        if ((error = tern__rng_below(r, len, &i)))
            return error;
        to[k] = set[i];
    }
    return TERN_OK;
}

int tern__rand_string_create(json_t **out, tern_op *op, const json_t *desired,
                             int password)
{
    int64_t length = tern__rand_int(desired, "length");
    int64_t min_upper = tern__rand_int(desired, "min_upper");
    int64_t min_lower = tern__rand_int(desired, "min_lower");
    int64_t min_numeric = tern__rand_int(desired, "min_numeric");
    int64_t min_special = tern__rand_int(desired, "min_special");
    const char *ovr =
        json_string_value(json_object_get(desired, "override_special"));
    const char *special = ovr && *ovr ? ovr : special_chars;
    int numeric = flag(desired, "numeric") && flag(desired, "number");
    char hash[TERN_BCRYPT_LEN + 1];
    struct tern__rng r;
    char *chars = NULL, *res = NULL;
    const char *why = NULL;
    int64_t have = 0, i;
    int error = TERN_OK;

    *out = NULL;
    if (length < 1)
        return tern__rand_fail(op, TERN_EINVALID, "Invalid Attribute Value",
                               "Attribute length value must be at least 1, "
                               "got: %lld",
                               (long long)length);
    if (min_upper < 0 || min_lower < 0 || min_numeric < 0 || min_special < 0 ||
        length < min_upper + min_lower + min_numeric + min_special)
        return tern__rand_fail(
            op, TERN_EINVALID, "Invalid Attribute Value",
            "Attribute length value must be at least sum of min_upper + "
            "min_lower + min_numeric + min_special, got: %lld",
            (long long)length);
    chars = tern_asprintf("%s%s%s%s", flag(desired, "upper") ? upper_chars : "",
                          flag(desired, "lower") ? lower_chars : "",
                          numeric ? num_chars : "",
                          flag(desired, "special") ? special : "");
    res = tern_calloc((size_t)length + 1, 1);
    TERN_CHECK_ALLOC(chars);
    TERN_CHECK_ALLOC(res);
    if (!*chars && length > min_upper + min_lower + min_numeric + min_special) {
        error = tern__rand_fail(
            op, TERN_EINVALID, "Random String Generation Error",
            "upper, lower, numeric and special are all false, so there are "
            "no characters to fill the %lld of length %lld that the min_* "
            "arguments do not.",
            (long long)(length - min_upper - min_lower - min_numeric -
                        min_special),
            (long long)length);
        goto done;
    }
    tern__rng_init(&r, op, NULL);
    if ((error = pick(&r, num_chars, min_numeric, res + have)))
        goto done;
    have += min_numeric;
    if ((error = pick(&r, lower_chars, min_lower, res + have)))
        goto done;
    have += min_lower;
    if ((error = pick(&r, upper_chars, min_upper, res + have)))
        goto done;
    have += min_upper;
    if ((error = pick(&r, special, min_special, res + have)))
        goto done;
    have += min_special;
    if ((error = pick(&r, chars, length - have, res + have)))
        goto done;
    /* Fisher-Yates: the min_* characters end up anywhere. */
    for (i = length - 1; i > 0; i--) {
        uint64_t j;
        char t;

        if ((error = tern__rng_below(&r, (uint64_t)i + 1, &j)))
            goto done;
        t = res[i];
        res[i] = res[j];
        res[j] = t;
    }
    *out = json_pack(
        "{s:s, s:I, s:b, s:b, s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:s}", "id",
        password ? "none" : res, "length", (json_int_t)length, "special",
        flag(desired, "special"), "upper", flag(desired, "upper"), "lower",
        flag(desired, "lower"), "numeric", flag(desired, "numeric"), "number",
        flag(desired, "number"), "min_upper", (json_int_t)min_upper,
        "min_lower", (json_int_t)min_lower, "min_numeric",
        (json_int_t)min_numeric, "min_special", (json_int_t)min_special,
        "result", res);
    TERN_CHECK_ALLOC(*out);
    if (ovr &&
        json_object_set_new(*out, "override_special", json_string(ovr))) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (json_object_get(desired, "keepers") &&
        json_object_set(*out, "keepers", json_object_get(desired, "keepers"))) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (password) {
        /* Longer than bcrypt takes: its first 72 bytes, as the provider's
         * golang.org/x/crypto/bcrypt of the time hashed. */
        if (tern_bcrypt_hash(res, (size_t)length > 72 ? 72 : (size_t)length,
                             TERN_BCRYPT_DEFAULT_COST, hash, &why)) {
            error = tern__rand_fail(op, TERN_ERROR, "Hash Generation Error",
                                    "There was an error generating the "
                                    "bcrypt hash of the password: %s",
                                    why);
            goto done;
        }
        if (json_object_set_new(*out, "bcrypt_hash", json_string(hash))) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
done:
    if (error) {
        json_decref(*out);
        *out = NULL;
    }
    if (res)
        memset(res, 0, (size_t)length);
    tern_free(res);
    tern_free(chars);
    return error;
}

int tern__rand_string_import(json_t **out, tern_op *op, const char *id,
                             int password)
{
    char hash[TERN_BCRYPT_LEN + 1];
    const char *why = NULL;
    size_t len = strlen(id);

    *out = NULL;
    if (!len)
        return tern__rand_fail(op, TERN_EINVALID, "Invalid import ID",
                               "The import ID is the value itself and "
                               "cannot be empty.");
    *out = json_pack("{s:s, s:I, s:b, s:b, s:b, s:b, s:b, s:I, s:I, s:I, "
                     "s:I, s:s}",
                     "id", password ? "none" : id, "length", (json_int_t)len,
                     "special", 1, "upper", 1, "lower", 1, "numeric", 1,
                     "number", 1, "min_upper", (json_int_t)0, "min_lower",
                     (json_int_t)0, "min_numeric", (json_int_t)0, "min_special",
                     (json_int_t)0, "result", id);
    if (!*out)
        return TERN_ENOMEM;
    if (!password)
        return TERN_OK;
    if (tern_bcrypt_hash(id, len > 72 ? 72 : len, TERN_BCRYPT_DEFAULT_COST,
                         hash, &why)) {
        json_decref(*out);
        *out = NULL;
        return tern__rand_fail(op, TERN_ERROR, "Hash Generation Error",
                               "There was an error generating the bcrypt "
                               "hash of the password: %s",
                               why);
    }
    if (json_object_set_new(*out, "bcrypt_hash", json_string(hash))) {
        json_decref(*out);
        *out = NULL;
        return TERN_ENOMEM;
    }
    return TERN_OK;
}
