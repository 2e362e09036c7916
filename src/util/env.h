#ifndef TERN_UTIL_ENV_H
#define TERN_UTIL_ENV_H

#include <stdlib.h>

/* The environment variable @name, or NULL when it is unset or empty (the
 * SDKs treat an empty setting as none). */
static inline const char *tern_env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

#endif
