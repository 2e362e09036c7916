/*
 * Fuzz target: the JSON syntax (*.tf.json) alone, so the fuzzer's
 * mutations stay JSON-shaped: Jansson's parse, the position scanner, the
 * block-structure rules (which keys are blocks, labels, "//" comments,
 * strings as templates, expression-valued attributes), then validate and
 * the renderer. fuzz_hcl covers the native syntax.
 */
#include "lang/lang.h"
#include "util/alloc.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tern_lang_config *cfg = tern_lang_config_new("/nonexistent");
    struct tern_lang_scope scope;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_value *vars = NULL, *v = NULL;
    tern_buf out = TERN_BUF_INIT;
    size_t i;

    if (!cfg)
        return 0;
    tern_lang_config_add_file(cfg, "fuzz.tf.json", (const char *)data, size,
                              &d);
    tern_lang_variables_eval(cfg, NULL, &vars, &d);
    memset(&scope, 0, sizeof(scope));
    scope.vars = vars;
    scope.base_dir = "/nonexistent";
    for (i = 0; i < cfg->resources.n; i++) {
        tern_lang_body_eval(cfg->resources.items[i]->body, &scope, 1, &v, &d);
        tern_value_decref(v);
        v = NULL;
    }
    tern_lang_config_validate(cfg, &d);
    tern_lang_diags_render(&out, &d, &cfg->sources);
    tern_buf_release(&out);
    tern_value_decref(vars);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
    return 0;
}
