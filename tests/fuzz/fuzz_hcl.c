/*
 * Fuzz target: the configuration language. The input is parsed as the
 * native syntax and as JSON; every attribute of every block (to any depth)
 * is evaluated with an empty scope, and the diagnostics are rendered, so
 * the lexer, parser, JSON converter, evaluator, functions and renderer all
 * see the input. A leading "#json\n" line skips the native parse.
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
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_file *f = NULL;
    tern_buf out = TERN_BUF_INIT;

    if (json)
        tern_lang_parse_json(&srcs, "fuzz.tf.json", text, len, &f, &d);
    else
        tern_lang_parse_hcl(&srcs, "fuzz.tf", text, len, &f, &d);
    if (f && f->body)
        eval_body(f->body, &d, 0);
    tern_lang_diags_render(&out, &d, &srcs);
    tern_buf_release(&out);
    tern_diags_release(&d);
    tern_lang_sources_free(&srcs);
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
