/*
 * The hash and crypto functions: md5, sha1, sha256, sha512, base64sha256,
 * base64sha512 and their file* twins (filemd5, filesha1, filesha256,
 * filesha512, filebase64sha256, filebase64sha512), bcrypt, rsadecrypt,
 * uuid and uuidv5.
 *
 * bcrypt: src/util/bcrypt.c (shared with random_password's bcrypt_hash). uuid()
 * is 16 random bytes in the 8-4-4-4-12 form, without version bits, as
 * hashicorp/go-uuid makes it.
 */
#include "lang/functions_int.h"
#include "util/alloc.h"
#include "util/bcrypt.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <string.h>

/* ---- Hashes ------------------------------------------------------------- */

static int encode_sum(const unsigned char *sum, unsigned len, int b64,
                      tern_value **out)
{
    tern_buf b = TERN_BUF_INIT;

    if (b64)
        return tern__b64_encode((const char *)sum, len, out);
    tern_buf_put_hex(&b, sum, len);
    return tern__fret_buf(out, &b);
}

static int digest(struct tern__fcall *c, const char *s, size_t len,
                  const EVP_MD *md, int b64, tern_value **out)
{
    unsigned char sum[EVP_MAX_MD_SIZE];
    unsigned int slen = 0;

    if (!EVP_Digest(s, len, sum, &slen, md, NULL)) {
        tern__farg_error(c, c->nargs_ranges,
                         "the digest could not be computed.");
        return TERN_ERROR;
    }
    return encode_sum(sum, slen, b64, out);
}

static int hash_string(struct tern__fcall *c, tern_value **args,
                       const EVP_MD *md, int b64, tern_value **out)
{
    tern_value *s = NULL;
    int error;

    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    error = digest(c, tern_value_get_string(s), tern_value_string_len(s), md,
                   b64, out);
    tern_value_decref(s);
    return error;
}

static int hash_file(struct tern__fcall *c, tern_value **args, const EVP_MD *md,
                     int b64, tern_value **out)
{
    char *text = NULL;
    size_t len = 0;
    int error;

    if ((error = tern__read_file(c, args, &text, &len)))
        return error;
    error = digest(c, text, len, md, b64, out);
    tern_free(text);
    return error;
}

#define HASHES(X)                                                              \
    X(md5, EVP_md5(), 0)                                                       \
    X(sha1, EVP_sha1(), 0)                                                     \
    X(sha256, EVP_sha256(), 0)                                                 \
    X(sha512, EVP_sha512(), 0)                                                 \
    X(base64sha256, EVP_sha256(), 1)                                           \
    X(base64sha512, EVP_sha512(), 1)

#define HASH_FN(name, md, b64)                                                 \
    FN(name)                                                                   \
    {                                                                          \
        (void)n;                                                               \
        return hash_string(c, args, md, b64, out);                             \
    }                                                                          \
    FN(file##name)                                                             \
    {                                                                          \
        (void)n;                                                               \
        return hash_file(c, args, md, b64, out);                               \
    }

HASHES(HASH_FN)

/* ---- UUIDs -------------------------------------------------------------- */

static int uuid_string(const unsigned char u[16], tern_value **out)
{
    char s[37];

    snprintf(s, sizeof(s),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
             u[11], u[12], u[13], u[14], u[15]);
    return tern__fret(out, tern_value_string(s));
}

FN(uuid)
{
    unsigned char u[16];

    (void)args;
    (void)n;
    if (RAND_bytes(u, sizeof(u)) != 1) {
        tern__farg_error(c, c->nargs_ranges,
                         "no random numbers could be read.");
        return TERN_ERROR;
    }
    return uuid_string(u, out);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* google/uuid's Parse: 36 characters (also in urn:uuid: or braces, or 32
 * hex digits). Returns NULL or what is wrong. */
static const char *uuid_parse(const char *s, unsigned char u[16], char *why,
                              size_t why_size)
{
    size_t len = strlen(s), i, k = 0;

    if (len == 45 && strncasecmp(s, "urn:uuid:", 9) == 0) {
        s += 9;
        len -= 9;
    } else if (len == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        len -= 2;
    }
    if (len == 32) {
        for (i = 0; i < 32; i += 2) {
            int h = hexval(s[i]), l = hexval(s[i + 1]);

            if (h < 0 || l < 0)
                return "invalid UUID format";
            u[k++] = (unsigned char)(h << 4 | l);
        }
        return NULL;
    }
    if (len != 36) {
        snprintf(why, why_size, "invalid UUID length: %zu", len);
        return why;
    }
    if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return "invalid UUID format";
    for (i = 0; i < 36;) {
        int h, l;

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            i++;
            continue;
        }
        h = hexval(s[i]);
        l = hexval(s[i + 1]);
        if (h < 0 || l < 0)
            return "invalid UUID format";
        u[k++] = (unsigned char)(h << 4 | l);
        i += 2;
    }
    return NULL;
}

FN(uuidv5)
{
    static const struct {
        const char *name, *uuid;
    } spaces[] = {{"dns", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
                  {"url", "6ba7b811-9dad-11d1-80b4-00c04fd430c8"},
                  {"oid", "6ba7b812-9dad-11d1-80b4-00c04fd430c8"},
                  {"x500", "6ba7b814-9dad-11d1-80b4-00c04fd430c8"}};
    tern_value *ns = NULL, *name = NULL;
    unsigned char u[16], sum[EVP_MAX_MD_SIZE];
    unsigned slen = 0;
    const char *given, *why;
    char whybuf[64];
    EVP_MD_CTX *md;
    size_t i;
    int error, ok;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &ns)) ||
        (error = tern__arg_string(c, args, 1, &name))) {
        tern_value_decref(ns);
        return error;
    }
    given = tern_value_get_string(ns);
    for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++)
        if (strcmp(given, spaces[i].name) == 0)
            given = spaces[i].uuid;
    why = uuid_parse(given, u, whybuf, sizeof(whybuf));
    if (why) {
        tern__farg_error(c, c->nargs_ranges,
                         "uuidv5() doesn't support namespace %s (%s).",
                         tern_value_get_string(ns), why);
        tern_value_decref(ns);
        tern_value_decref(name);
        return TERN_ERROR;
    }
    md = EVP_MD_CTX_new();
    ok = md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) &&
         EVP_DigestUpdate(md, u, sizeof(u)) &&
         EVP_DigestUpdate(md, tern_value_get_string(name),
                          tern_value_string_len(name)) &&
         EVP_DigestFinal_ex(md, sum, &slen);
    EVP_MD_CTX_free(md);
    tern_value_decref(ns);
    tern_value_decref(name);
    if (!ok)
        return TERN_ENOMEM;
    memcpy(u, sum, sizeof(u));
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x50); /* version 5 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return uuid_string(u, out);
}

/* ---- bcrypt ------------------------------------------------------------- */

FN(bcrypt)
{
    char hash[TERN_BCRYPT_LEN + 1];
    const char *why = NULL;
    tern_value *s = NULL;
    int64_t cost = TERN_BCRYPT_DEFAULT_COST;
    int error, rc;

    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    if (n > 2) {
        tern_value_decref(s);
        tern__farg_error(c, c->nargs_ranges,
                         "bcrypt() takes no more than two arguments.");
        return TERN_ERROR;
    }
    if (n == 2 && (error = tern__arg_int(c, args, 1, &cost))) {
        tern_value_decref(s);
        return error;
    }
    /* golang.org/x/crypto/bcrypt: below the minimum means the default. */
    if (cost < 4)
        cost = TERN_BCRYPT_DEFAULT_COST;
    if (cost > 31) {
        tern_value_decref(s);
        tern__farg_error(c, c->nargs_ranges,
                         "error occured generating password "
                         "crypto/bcrypt: cost %lld is outside allowed "
                         "inclusive range 4..31.",
                         (long long)cost);
        return TERN_ERROR;
    }
    if (tern_value_string_len(s) > 72) {
        tern_value_decref(s);
        tern__farg_error(c, c->nargs_ranges,
                         "error occured generating password bcrypt: "
                         "password length exceeds 72 bytes.");
        return TERN_ERROR;
    }
    if (memchr(tern_value_get_string(s), '\0', tern_value_string_len(s))) {
        /* crypt() stops at a NUL; Go hashes the bytes after it too. */
        tern_value_decref(s);
        tern__farg_error(c, 0,
                         "the string contains a NUL character, which this "
                         "bcrypt cannot hash.");
        return TERN_ERROR;
    }
    rc = tern_bcrypt_hash(tern_value_get_string(s), tern_value_string_len(s),
                          (int)cost, hash, &why);
    tern_value_decref(s);
    if (rc) {
        tern__farg_error(c, c->nargs_ranges, "%s", why);
        return TERN_ERROR;
    }
    *out = tern_value_string_own(tern_strdup(hash), TERN_BCRYPT_LEN);
    return *out ? TERN_OK : TERN_ENOMEM;
}

/* ---- rsadecrypt --------------------------------------------------------- */

FN(rsadecrypt)
{
    tern_value *ct = NULL, *key = NULL;
    unsigned char *raw = NULL, *plain = NULL;
    size_t rlen = 0, plen = 0;
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    BIO *bio = NULL;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &ct)) ||
        (error = tern__arg_string(c, args, 1, &key)))
        goto done;
    error = tern__b64_decode(tern_value_get_string(ct),
                             tern_value_string_len(ct), &raw, &rlen);
    if (error == TERN_ERROR) {
        tern__fparam_error(c, 0, "ciphertext",
                           "failed to decode input \"%s\": cipher text must "
                           "be base64-encoded.",
                           c->sensitive ? "(sensitive value)"
                                        : tern_value_get_string(ct));
        goto done;
    }
    if (error)
        goto done;
    if (!strstr(tern_value_get_string(key), "-----BEGIN")) {
        tern__fparam_error(c, 1, "privatekey",
                           "invalid private key: ssh: no key found.");
        error = TERN_ERROR;
        goto done;
    }
    bio = BIO_new_mem_buf(tern_value_get_string(key),
                          (int)tern_value_string_len(key));
    if (!bio) {
        error = TERN_ENOMEM;
        goto done;
    }
    /* An empty passphrase callback: an encrypted key is refused. */
    pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
    if (!pk) {
        tern__fparam_error(c, 1, "privatekey",
                           "invalid ASN1 data in the given private key.");
        error = TERN_ERROR;
        goto done;
    }
    if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
        tern__fparam_error(c, 1, "privatekey", "invalid private key type %s.",
                           EVP_PKEY_get0_type_name(pk));
        error = TERN_ERROR;
        goto done;
    }
    ctx = EVP_PKEY_CTX_new(pk, NULL);
    if (!ctx || EVP_PKEY_decrypt_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
        error = TERN_ENOMEM;
        goto done;
    }
    /* OpenSSL 3.2 answers a bad padding with a random message unless told
     * not to; Go's DecryptPKCS1v15 fails. (Earlier versions ignore it.) */
    EVP_PKEY_CTX_ctrl_str(ctx, "rsa_pkcs1_implicit_rejection", "0");
    plen = (size_t)EVP_PKEY_get_size(pk) + 1;
    plain = tern_malloc(plen);
    if (!plain) {
        error = TERN_ENOMEM;
        goto done;
    }
    plen--;
    if (EVP_PKEY_decrypt(ctx, plain, &plen, raw, rlen) <= 0) {
        tern__farg_error(c, c->nargs_ranges,
                         "failed to decrypt: crypto/rsa: decryption error.");
        error = TERN_ERROR;
        goto done;
    }
    plain[plen] = '\0';
    if (!tern__utf8_all_valid((const char *)plain, plen)) {
        tern__farg_error(c, c->nargs_ranges,
                         "the decrypted text is not valid UTF-8.");
        error = TERN_ERROR;
        goto done;
    }
    *out = tern_value_string_own((char *)plain, plen);
    plain = NULL;
    error = *out ? TERN_OK : TERN_ENOMEM;

done:
    if (plain)
        OPENSSL_cleanse(plain, plen);
    tern_free(plain);
    tern_free(raw);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    BIO_free(bio);
    tern_value_decref(ct);
    tern_value_decref(key);
    return error;
}
