/*
 * Fuzz target: the configuration language. The input is loaded as a
 * configuration file in the native syntax and in JSON; its variables are
 * evaluated, every block body is evaluated as a value (attributes at any
 * depth, dynamic blocks), every attribute is evaluated again alone,
 * validate runs, and the diagnostics are rendered, so the lexer, parser,
 * JSON converter, evaluator, functions, types and renderer all see the
 * input. A leading "#json\n" line skips the native parse.
 */
#include "lang/lang.h"
#include "util/alloc.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void eval_body(const struct tern_body *b, struct tern_diags *d,
                      int depth)
{
    struct tern_lang_scope scope;
    size_t i;

    if (!b || depth > 32)
        return;
    memset(&scope, 0, sizeof(scope));
    /* No file functions reaching outside a scratch directory. */
    scope.base_dir = "/nonexistent";
    for (i = 0; i < b->nattrs; i++) {
        tern_value *v = NULL;

        if (tern_lang_eval(b->attrs[i].expr, &scope, &v, d) == TERN_OK) {
            char *s = tern_value_render(v, 0);

            tern_free(s);
        }
        tern_value_decref(v);
    }
    for (i = 0; i < b->nblocks; i++)
        eval_body(b->blocks[i]->body, d, depth + 1);
}

static void run(const char *text, size_t len, int json)
{
    struct tern_lang_config *cfg = tern_lang_config_new("/nonexistent");
    struct tern_lang_scope scope;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_value *vars = NULL, *v = NULL;
    tern_buf out = TERN_BUF_INIT;
    size_t i;

    if (!cfg)
        return;
    tern_lang_config_add_file(cfg, json ? "fuzz.tf.json" : "fuzz.tf", text, len,
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
    for (i = 0; i < cfg->sources.n; i++)
        eval_body(cfg->sources.files[i]->body, &d, 0);
    tern_lang_config_validate(cfg, &d);
    tern_lang_diags_render(&out, &d, &cfg->sources);
    tern_buf_release(&out);
    tern_value_decref(vars);
    tern_diags_release(&d);
    tern_lang_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;

    if (size > 6 && memcmp(text, "#json\n", 6) == 0) {
        run(text + 6, size - 6, 1);
        return 0;
    }
    run(text, size, 0);
    run(text, size, 1);
    return 0;
}
