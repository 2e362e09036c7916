/**
 * @file tern/config.h
 * @brief A loaded configuration: every *.tf and *.tf.json file of a
 * directory, parsed, for the engine (tern/engine.h) to plan from.
 *
 * Opaque to callers: load one, hand it to tern_engine_validate() or
 * tern_engine_options.config, free it after the engine.
 */
#ifndef TERN_CONFIG_H
#define TERN_CONFIG_H

#include "tern/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A configuration (src/lang). Opaque. */
typedef struct tern_lang_config tern_config;

/**
 * Load the configuration of a directory: its *.tf and *.tf.json files in
 * name order. Syntax errors, duplicate blocks and unknown top-level blocks
 * are diagnostics (file:line:col).
 * @param out receives the configuration (tern_config_free()), also when
 *        it has errors, unless the directory cannot be read
 * @return TERN_OK, TERN_ERROR (see @p diags) or TERN_ENOMEM
 */
int tern_config_load(const char *dir, tern_config **out,
                     struct tern_diags *diags);

/**
 * Add one file's text to a configuration, as if it were in its directory
 * (tests, stdin). @p name's ending chooses the syntax (".tf.json": JSON).
 * @return TERN_OK, TERN_ERROR (see @p diags) or TERN_ENOMEM
 */
int tern_config_add_file(tern_config *config, const char *name,
                         const char *text, size_t len,
                         struct tern_diags *diags);

/** An empty configuration of directory @p dir; NULL on allocation failure. */
tern_config *tern_config_new(const char *dir);

/** Free a configuration. NULL-safe. */
void tern_config_free(tern_config *config);

#ifdef __cplusplus
}
#endif

#endif
