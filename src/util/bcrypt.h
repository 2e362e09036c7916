/*
 * bcrypt as golang.org/x/crypto/bcrypt makes it, shared by the bcrypt()
 * function (src/lang/functions_crypto.c) and random_password's
 * bcrypt_hash (modules/random/).
 */
#ifndef TERN_UTIL_BCRYPT_H
#define TERN_UTIL_BCRYPT_H

#include <stddef.h>

/** A bcrypt hash is this long, plus the NUL. */
#define TERN_BCRYPT_LEN 60

/** golang.org/x/crypto/bcrypt's DefaultCost. */
#define TERN_BCRYPT_DEFAULT_COST 10

/**
 * Hash @p len bytes of @p password at @p cost (4..31) with a random salt,
 * under Terraform's "$2a$" prefix.
 * @param out receives the hash, NUL-terminated
 * @param why receives why it failed ("bcrypt: password length exceeds 72
 *        bytes.", ...), static text
 * @return 0, or -1 with @p why set
 */
int tern_bcrypt_hash(const char *password, size_t len, int cost,
                     char out[TERN_BCRYPT_LEN + 1], const char **why);

#endif
