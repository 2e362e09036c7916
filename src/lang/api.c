/*
 * The public face of a configuration (tern/config.h): src/lang's loader
 * under the names a library caller sees.
 */
#include "lang/lang.h"
#include "tern/config.h"

int tern_config_load(const char *dir, tern_config **out,
                     struct tern_diags *diags)
{
    return tern_lang_config_load(dir, out, diags);
}

int tern_config_add_file(tern_config *config, const char *name,
                         const char *text, size_t len, struct tern_diags *diags)
{
    return tern_lang_config_add_file(config, name, text, len, diags);
}

tern_config *tern_config_new(const char *dir)
{
    return tern_lang_config_new(dir);
}

void tern_config_free(tern_config *config)
{
    tern_lang_config_free(config);
}
