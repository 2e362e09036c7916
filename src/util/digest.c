#include "util/digest.h"

#include <pthread.h>

static const EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
#endif
    if (!sha256_md)
        sha256_md = EVP_sha256();
}

const EVP_MD *tern_sha256_md(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md;
}
