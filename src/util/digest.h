/*
 * SHA-256 for everything that hashes: OpenSSL 3 looks an algorithm up
 * again on every EVP_sha256() digest or HMAC (an implicit EVP_MD_fetch,
 * 1.7 M instructions a call in this build), so the algorithm is fetched
 * once per process and shared.
 */
#ifndef TERN_UTIL_DIGEST_H
#define TERN_UTIL_DIGEST_H

#include <openssl/evp.h>

/** SHA-256, fetched once; never NULL. */
const EVP_MD *tern_sha256_md(void);

#endif
