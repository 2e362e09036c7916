/*
 * The random provider (tern/provider.h): `provider "random" {}` and the
 * source address hashicorp/random. It has no arguments and no client: its
 * modules (random_id, random_integer, random_password, random_shuffle,
 * random_string, random_uuid) compute everything locally, from the OS
 * CSPRNG (random_common.c), so op->client is NULL.
 */
#include "tern/provider.h"

/* The provider release whose behaviour the random modules follow. */
#define RANDOM_PROVIDER_IMPLEMENTS "3.6.3"

static const tern_attr schema[] = {{NULL, 0, 0, NULL, NULL, 0}};

static const char *const sources[] = {"hashicorp/random", NULL};

const tern_provider tern_provider_random = {TERN_PROVIDER_VERSION,
                                            "random",
                                            sources,
                                            RANDOM_PROVIDER_IMPLEMENTS,
                                            schema,
                                            NULL,
                                            NULL,
                                            NULL,
                                            NULL};
