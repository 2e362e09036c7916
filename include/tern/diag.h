/**
 * @file tern/diag.h
 * @brief Error codes and diagnostics.
 *
 * Every fallible function returns an int: TERN_OK, TERN_ERROR, or one of the
 * few expected failures a caller branches on. The details travel in a
 * diagnostic list owned by the operation, never in a global "last error":
 * the list moves from a libuv worker thread to the loop thread with the
 * result (docs/STYLE.md rules 8 and 9).
 */
#ifndef TERN_DIAG_H
#define TERN_DIAG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes. Zero is success; everything else is negative. */
enum tern_error {
    TERN_OK = 0,
    TERN_ERROR = -1,      /**< generic failure; see the diagnostic */
    TERN_ENOTFOUND = -2,  /**< the object does not exist */
    TERN_EEXISTS = -3,    /**< the object already exists */
    TERN_ECONFLICT = -4,  /**< the object is in use (DeleteConflict) */
    TERN_ETHROTTLED = -5, /**< the service asked us to slow down */
    TERN_EAUTH = -6,      /**< credentials missing, wrong or expired */
    TERN_EINVALID = -7,   /**< the input was refused as invalid */
    TERN_ECANCELED = -8,  /**< the operation was interrupted */
    TERN_ENOMEM = -9      /**< an allocation failed */
};

/**
 * A short, static description of an error code.
 * @param error one of enum tern_error
 * @return a static string, never NULL
 */
const char *tern_strerror(int error);

/** How bad a diagnostic is. */
enum tern_severity { TERN_SEV_ERROR = 0, TERN_SEV_WARNING = 1 };

/** A position in a source file; lines and columns count from 1. */
struct tern_pos {
    unsigned int line;
    unsigned int column;
    size_t byte; /**< offset from the start of the file */
};

/** A source range: [start, end). file is NULL when there is no source. */
struct tern_range {
    const char *file; /**< borrowed; owned by the source manager */
    struct tern_pos start;
    struct tern_pos end;
};

/** One diagnostic. All strings are owned by the diagnostic. */
struct tern_diag {
    enum tern_severity severity;
    char *summary;           /**< one line, e.g. "Unsupported argument" */
    char *detail;            /**< full sentences; may be NULL */
    struct tern_range range; /**< range.file NULL when not from a file */
    int has_range;
    char *service_code; /**< e.g. "EntityAlreadyExists"; may be NULL */
    char *request_id;   /**< the service's request id; may be NULL */
};

/** An ordered list of diagnostics. Zero-initialise, or TERN_DIAGS_INIT. */
struct tern_diags {
    struct tern_diag *items;
    size_t count;
    size_t alloc;
    size_t errors; /**< how many have TERN_SEV_ERROR */
};

#define TERN_DIAGS_INIT                                                        \
    {                                                                          \
        NULL, 0, 0, 0                                                          \
    }

/**
 * Append a diagnostic. Copies every string.
 * @param diags the list
 * @param severity error or warning
 * @param range where it applies, or NULL
 * @param summary one line
 * @param detail_fmt printf format for the detail, or NULL
 * @return the new diagnostic (owned by the list), or NULL on allocation
 *         failure
 */
struct tern_diag *
tern_diags_add(struct tern_diags *diags, enum tern_severity severity,
               const struct tern_range *range, const char *summary,
               const char *detail_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/**
 * Move every diagnostic of @p from to the end of @p to; @p from is emptied.
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_diags_move(struct tern_diags *to, struct tern_diags *from);

/** Free the contents of the list; the list may be reused. */
void tern_diags_release(struct tern_diags *diags);

#ifdef __cplusplus
}
#endif

#endif
