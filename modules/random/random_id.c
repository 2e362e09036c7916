/*
 * random_id: byte_length random bytes from the OS CSPRNG, shown as
 * b64_url (unpadded URL-safe Base64), b64_std (padded standard Base64),
 * hex and dec (the bytes as one big-endian number), each after `prefix`;
 * id is b64_url without the prefix. No service. Import: "B64URL" or
 * "PREFIX,B64URL" (the last comma splits them).
 */
#include "random_common.h"

#include "util/alloc.h"

#include <string.h>

static const tern_attr schema[] = {
    {"b64_std", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"b64_url", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"byte_length", TERN_TYPE_NUMBER, TERN_ATTR_REQUIRED | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"dec", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"hex", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"keepers", TERN_TYPE_MAP_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW,
     NULL, NULL, 0},
    {"prefix", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL | TERN_ATTR_FORCE_NEW, NULL,
     NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const char b64_std_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64(const unsigned char *b, size_t n, const char *alpha, int pad)
{
    char *out = tern_calloc(4 * (n / 3 + 1) + 1, 1), *p = out;
    size_t i;

    if (!out)
        return NULL;
    for (i = 0; i < n; i += 3) {
        unsigned v = (unsigned)b[i] << 16;
        size_t left = n - i;

        if (left > 1)
            v |= (unsigned)b[i + 1] << 8;
        if (left > 2)
            v |= b[i + 2];
        *p++ = alpha[v >> 18 & 63];
        *p++ = alpha[v >> 12 & 63];
        if (left > 1)
            *p++ = alpha[v >> 6 & 63];
        else if (pad)
            *p++ = '=';
        if (left > 2)
            *p++ = alpha[v & 63];
        else if (pad)
            *p++ = '=';
    }
    return out;
}

/* The bytes as one unsigned big-endian number, in decimal (big.Int). */
static char *decimal(const unsigned char *b, size_t n)
{
    unsigned char *num = tern_malloc(n ? n : 1);
    char *digits = tern_calloc(n * 3 + 2, 1), *out;
    size_t nd = 0, i, start = 0;

    if (!num || !digits) {
        tern_free(num);
        tern_free(digits);
        return NULL;
    }
    memcpy(num, b, n);
    while (start < n && num[start] == 0)
        start++;
    while (start < n) {
        unsigned rem = 0;

        for (i = start; i < n; i++) {
            unsigned cur = rem * 256 + num[i];

            num[i] = (unsigned char)(cur / 10);
            rem = cur % 10;
        }
        digits[nd++] = (char)('0' + rem);
        while (start < n && num[start] == 0)
            start++;
    }
    if (!nd)
        digits[nd++] = '0';
    out = tern_calloc(nd + 1, 1);
    for (i = 0; out && i < nd; i++)
        out[i] = digits[nd - 1 - i];
    tern_free(num);
    tern_free(digits);
    return out;
}

static json_t *state(const unsigned char *b, size_t n, const char *prefix,
                     json_t *keepers)
{
    char *url = b64(b, n, b64_url_alpha, 0), *std = b64(b, n, b64_std_alpha, 1);
    char *hex = tern_calloc(2 * n + 1, 1), *dec = decimal(b, n);
    char *p_url = NULL, *p_std = NULL, *p_hex = NULL, *p_dec = NULL;
    json_t *st = NULL;
    size_t i;
    const char *pre = prefix ? prefix : "";

    if (!url || !std || !hex || !dec)
        goto done;
    for (i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", b[i]);
    p_url = tern_asprintf("%s%s", pre, url);
    p_std = tern_asprintf("%s%s", pre, std);
    p_hex = tern_asprintf("%s%s", pre, hex);
    p_dec = tern_asprintf("%s%s", pre, dec);
    if (!p_url || !p_std || !p_hex || !p_dec)
        goto done;
    st = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "b64_std", p_std,
                   "b64_url", p_url, "byte_length", (json_int_t)n, "dec", p_dec,
                   "hex", p_hex, "id", url);
    if (st && prefix && json_object_set_new(st, "prefix", json_string(prefix)))
        goto fail;
    if (st && keepers && json_object_set(st, "keepers", keepers))
        goto fail;
    goto done;
fail:
    json_decref(st);
    st = NULL;
done:
    tern_free(url);
    tern_free(std);
    tern_free(hex);
    tern_free(dec);
    tern_free(p_url);
    tern_free(p_std);
    tern_free(p_hex);
    tern_free(p_dec);
    return st;
}

static int id_create(json_t **out, tern_op *op, const json_t *desired)
{
    int64_t n = tern__rand_int(desired, "byte_length");
    struct tern__rng r;
    unsigned char *b;
    int error;

    if (n < 1)
        return tern__rand_fail(op, TERN_EINVALID, "Invalid Attribute Value",
                               "Attribute byte_length value must be at least "
                               "1, got: %lld",
                               (long long)n);
    b = tern_malloc((size_t)n);
    if (!b)
        return TERN_ENOMEM;
    tern__rng_init(&r, op, NULL);
    error = tern__rng_bytes(&r, b, (size_t)n);
    if (!error) {
        *out = state(b, (size_t)n,
                     json_string_value(json_object_get(desired, "prefix")),
                     json_object_get(desired, "keepers"));
        error = *out ? TERN_OK : TERN_ENOMEM;
    }
    tern_free(b);
    return error;
}

static int b64url_val(char c)
{
    const char *p = c ? strchr(b64_url_alpha, c) : NULL;

    return p ? (int)(p - b64_url_alpha) : -1;
}

static int id_import(json_t **out, tern_op *op, const char *id)
{
    const char *comma = strrchr(id, ',');
    const char *enc = comma ? comma + 1 : id;
    size_t len = strlen(enc), n = 0, i;
    char *prefix = comma ? tern_strndup(id, (size_t)(comma - id)) : NULL;
    unsigned char *b = tern_malloc(len * 3 / 4 + 1);
    unsigned acc = 0;
    int bits = 0, error = TERN_OK;

    if (!b || (comma && !prefix)) {
        error = TERN_ENOMEM;
        goto done;
    }
    /* RawURLEncoding: no padding; a last group of one character, or
     * leftover bits that are not zero, is not Base64. */
    for (i = 0; i < len; i++) {
        int v = b64url_val(enc[i]);

        if (v < 0 || len % 4 == 1) {
            error = tern__rand_fail(
                op, TERN_EINVALID, "Import Random ID Error",
                "While attempting to import a random id there was a "
                "decoding error.\n\nOriginal Error: illegal base64 data at "
                "input byte %zu",
                v < 0 ? i : len - 1);
            goto done;
        }
        acc = (acc << 6 | (unsigned)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            b[n++] = (unsigned char)(acc >> bits);
        }
    }
    if (!n) {
        error = tern__rand_fail(op, TERN_EINVALID, "Import Random ID Error",
                                "While attempting to import a random id there "
                                "was a decoding error.\n\nOriginal Error: "
                                "the ID holds no bytes");
        goto done;
    }
    *out = state(b, n, prefix && *prefix ? prefix : NULL, NULL);
    if (!*out)
        error = TERN_ENOMEM;
done:
    tern_free(prefix);
    tern_free(b);
    return error;
}

static int id_delete(tern_op *op, const json_t *prior)
{
    (void)op;
    (void)prior;
    return TERN_OK;
}

const tern_module tern_module_random_id = {TERN_MODULE_VERSION,
                                           "random_id",
                                           TERN_MODULE_RESOURCE,
                                           "random",
                                           schema,
                                           tern__rand_read,
                                           id_create,
                                           NULL,
                                           id_delete,
                                           id_import,
                                           NULL};
