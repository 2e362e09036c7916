/*
 * bcrypt: libxcrypt's EksBlowfish ("$2b$", the algorithm Go's
 * golang.org/x/crypto/bcrypt implements: libxcrypt's own "$2a$" adds a
 * countermeasure for 8-bit passwords that Go does not), written with
 * Terraform's "$2a$" prefix; the salt is 16 bytes from OpenSSL's random
 * generator.
 */
#include "util/bcrypt.h"

#include "util/alloc.h"

#include <crypt.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

int tern_bcrypt_hash(const char *password, size_t len, int cost,
                     char out[TERN_BCRYPT_LEN + 1], const char **why)
{
    static const char alphabet[] =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char salt[16];
    char setting[32], *p;
    struct crypt_data *cd;
    const char *hash;
    int i, k;

    if (cost < 4 || cost > 31) {
        *why = "crypto/bcrypt: cost is outside allowed inclusive range 4..31.";
        return -1;
    }
    if (len > 72) {
        *why = "bcrypt: password length exceeds 72 bytes.";
        return -1;
    }
    if (memchr(password, '\0', len)) {
        /* crypt() stops at a NUL; Go hashes the bytes after it too. */
        *why = "the string contains a NUL character, which this bcrypt "
               "cannot hash.";
        return -1;
    }
    if (RAND_bytes(salt, sizeof(salt)) != 1) {
        *why = "no random numbers could be read.";
        return -1;
    }
    /* The salt in bcrypt's Base64: 22 characters for 16 bytes. */
    k = snprintf(setting, sizeof(setting), "$2b$%02d$", cost);
    p = setting + k;
    for (i = 0; i < 16; i += 3) {
        unsigned v = (unsigned)salt[i] << 16;

        if (i + 1 < 16)
            v |= (unsigned)salt[i + 1] << 8;
        if (i + 2 < 16)
            v |= salt[i + 2];
        *p++ = alphabet[v >> 18 & 63];
        *p++ = alphabet[v >> 12 & 63];
        if (i + 1 < 16)
            *p++ = alphabet[v >> 6 & 63];
        if (i + 2 < 16)
            *p++ = alphabet[v & 63];
    }
    *p = '\0';
    cd = tern_calloc(1, sizeof(*cd));
    if (!cd) {
        *why = "out of memory.";
        return -1;
    }
    hash = crypt_rn(password, setting, cd, (int)sizeof(*cd));
    if (!hash || hash[0] != '$' || strlen(hash) != TERN_BCRYPT_LEN) {
        tern_free(cd);
        *why = "error occured generating password.";
        return -1;
    }
    /* The same hash under Terraform's version prefix. */
    memcpy(out, "$2a$", 4);
    memcpy(out + 4, hash + 4, TERN_BCRYPT_LEN - 4);
    out[TERN_BCRYPT_LEN] = '\0';
    tern_free(cd);
    return 0;
}
