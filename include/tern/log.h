/**
 * @file tern/log.h
 * @brief Leveled logging with one sink that redacts secrets.
 *
 * The level comes from the TERN_LOG environment variable (error, warn,
 * info, debug, trace; default warn). TERN_LOG_AT tests the level before the
 * arguments are evaluated, so a disabled trace costs one comparison. Every
 * line passes through tern_log_redact() before it is written, and callers
 * that log a request or response should still redact what they know is
 * secret (docs/STYLE.md rule 13).
 */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tern_log_level {
    TERN_LOG_ERROR = 0,
    TERN_LOG_WARN = 1,
    TERN_LOG_INFO = 2,
    TERN_LOG_DEBUG = 3,
    TERN_LOG_TRACE = 4
};

/** The current level; read once from TERN_LOG. */
enum tern_log_level tern_log_level(void);

/** Override the level (tests, the CLI's flags). */
void tern_log_set_level(enum tern_log_level level);

/**
 * Write one log line (without a trailing newline) to the sink, redacted.
 * Prefer TERN_LOG_AT, which skips argument evaluation when disabled.
 */
void tern_log_write(enum tern_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/**
 * Redact secrets in place: the values of Authorization headers, security
 * tokens, secret access keys, passwords and bearer tokens, in header,
 * query, form, JSON and XML forms, are replaced by "[REDACTED]". The result
 * is never longer than the input.
 * @param text a NUL-terminated string, modified in place
 */
void tern_log_redact(char *text);

/**
 * Register a literal secret (a key or token value) that the sink must never
 * print, wherever it appears, whatever its length. Copies the value. When
 * it cannot be kept (out of memory), every later line is redacted whole:
 * redaction never depends on length or luck (issue 20).
 */
void tern_log_add_secret(const char *value);

#define TERN_LOG_AT(level, ...)                                                \
    do {                                                                       \
        if ((int)(level) <= (int)tern_log_level())                             \
            tern_log_write((level), __VA_ARGS__);                              \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif
