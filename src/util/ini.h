/*
 * The INI dialect of the AWS shared files (~/.aws/config, credentials) and
 * ~/.databrickscfg: "[section]" lines, "key = value" lines, comments that
 * start with '#' or ';', and indented lines (the nested values of an
 * "s3 =" block) skipped. Keys are compared case-insensitively, section
 * names exactly (after trimming). Loading several files merges them: a
 * later file's value for a key wins.
 */
#ifndef TERN_UTIL_INI_H
#define TERN_UTIL_INI_H

#include "tern/diag.h"

/** A set of sections (opaque). */
typedef struct tern_ini tern_ini;

/** A new, empty set; NULL on allocation failure. Caller owns. */
tern_ini *tern_ini_new(void);

/** Free a set. NULL-safe. */
void tern_ini_free(tern_ini *ini);

/**
 * Read a file into the set.
 * @param ini the set
 * @param path the file (borrowed)
 * @param config_style 1 for ~/.aws/config: "[profile x]" is section "x"
 *        and other prefixed sections ("[sso-session x]", "[services x]")
 *        are kept under their full name
 * @return TERN_OK, TERN_ENOTFOUND (no such file), TERN_ERROR (unreadable)
 *         or TERN_ENOMEM
 */
int tern_ini_load(tern_ini *ini, const char *path, int config_style);

/** Whether the set has this section. */
int tern_ini_has_section(const tern_ini *ini, const char *section);

/**
 * A value.
 * @return a string owned by the set, or NULL
 */
const char *tern_ini_get(const tern_ini *ini, const char *section,
                         const char *key);

/**
 * Expand a leading "~/" with $HOME.
 * @return a new string (caller frees), or NULL on allocation failure
 */
char *tern_ini_expand_home(const char *path);

#endif
