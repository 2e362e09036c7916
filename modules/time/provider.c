/*
 * The time provider (tern/provider.h): `provider "time" {}` and the
 * source address hashicorp/time. It has no arguments and no client: its
 * modules (time_sleep, time_static) need only the clock, so op->client is
 * NULL.
 */
#include "tern/provider.h"

/* The provider release whose behaviour the time modules follow. */
#define TIME_PROVIDER_IMPLEMENTS "0.12.1"

static const tern_attr schema[] = {{NULL, 0, 0, NULL, NULL, 0}};

static const char *const sources[] = {"hashicorp/time", NULL};

const tern_provider tern_provider_time = {TERN_PROVIDER_VERSION,
                                          "time",
                                          sources,
                                          TIME_PROVIDER_IMPLEMENTS,
                                          schema,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL};
