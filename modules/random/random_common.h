/*
 * What the random provider's modules share (modules/random/): random
 * numbers from the OS CSPRNG (getrandom), the deterministic generator of
 * `seed`, random_string's and random_password's generation and import,
 * and their argument checks.
 */
#ifndef TERN_MODULES_RANDOM_COMMON_H
#define TERN_MODULES_RANDOM_COMMON_H

#include "tern/module.h"

#include <stdint.h>

/**
 * Where random numbers come from: the OS CSPRNG, or, when the resource has
 * a `seed`, a deterministic generator from it (the provider's NewRand: the
 * seed's CRC-64 (ISO polynomial) seeds a generator; tern's is SplitMix64,
 * not Go's math/rand, so the same seed gives the same values in tern on
 * every run, but not the values the Go provider gives).
 */
struct tern__rng {
    tern_op *op;
    int seeded;
    uint64_t state;
};

/** A generator: seeded by @p seed when it is non-NULL and non-empty. */
void tern__rng_init(struct tern__rng *r, tern_op *op, const char *seed);

/** @p n random bytes (with a diagnostic on op->diags when none can be read).
 *  @return TERN_OK or TERN_ERROR */
int tern__rng_bytes(struct tern__rng *r, unsigned char *buf, size_t n);

/** A uniform integer in [0, n), n > 0. @return TERN_OK or TERN_ERROR */
int tern__rng_below(struct tern__rng *r, uint64_t n, uint64_t *out);

/** Add an error. @return @p error */
int tern__rand_fail(tern_op *op, int error, const char *summary,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** A number attribute as an integer (0 when absent). */
int64_t tern__rand_int(const json_t *o, const char *k);

/** A copy of the state of a resource whose read changes nothing. */
int tern__rand_read(json_t **out, tern_op *op, const json_t *prior);

/** random_string's and random_password's create (@p password: the latter,
 *  with id "none" and bcrypt_hash). */
int tern__rand_string_create(json_t **out, tern_op *op, const json_t *desired,
                             int password);

/** Their import: the ID is the value itself. */
int tern__rand_string_import(json_t **out, tern_op *op, const char *id,
                             int password);

/** "length": at least 1 (the provider's int64validator.AtLeast(1)). */
int tern__rand_length_check(const char *value, char *why, size_t why_size);

#endif
