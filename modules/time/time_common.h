/*
 * What the time provider's modules share (modules/time/): the durations of
 * time_sleep and the RFC 3339 timestamps of time_static, and their
 * argument checks (modules/registry.c).
 */
#ifndef TERN_MODULES_TIME_COMMON_H
#define TERN_MODULES_TIME_COMMON_H

#include "tern/module.h"

#include <stdint.h>

/** A broken-down RFC 3339 timestamp, in its own offset. */
struct tern__rfc3339 {
    int year, month, day, hour, minute, second;
    int offset_s;  /**< east of UTC */
    int64_t unix_; /**< seconds since the epoch */
};

/**
 * Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)", as Go's time.Parse
 * with time.RFC3339 (the provider's).
 * @return 0, or -1 with @p why ("parsing time ...") set
 */
int tern__rfc3339_parse(const char *s, struct tern__rfc3339 *t, char *why,
                        size_t why_size);

/** The current time in UTC, "2006-01-02T15:04:05Z". */
void tern__rfc3339_now(char out[32]);

/**
 * A duration as the provider's validator admits it: a number, then ms, s,
 * m or h ("30s", "1.5m").
 * @return its length in milliseconds, or -1 when it is not one
 */
long tern__duration_ms(const char *s);

/**
 * Whether Go's time.ParseDuration accepts @p s ("1h30m", "-5s", "0"), as
 * the provider's import does; when it does not, its error in @p msg
 * (`time: invalid duration "x"`, `time: missing unit in duration "5"`,
 * `time: unknown unit "d" in duration "5d"`).
 * @return 0 when it is a duration, -1 when not
 */
int tern__go_duration_check(const char *s, char *msg, size_t msg_size);

/** Argument checks (tern_check_fn). */
int tern__time_duration_check(const char *value, char *why, size_t why_size);
int tern__time_rfc3339_check(const char *value, char *why, size_t why_size);

/** Add an error. @return @p error */
int tern__time_fail(tern_op *op, int error, const char *summary,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
