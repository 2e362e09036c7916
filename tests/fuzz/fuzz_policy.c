/*
 * Fuzz target: the IAM policy normalizer and lint (src/policy), which read
 * user configuration and IAM's URL-encoded responses.
 */
#include "policy/policy.h"
#include "tern/diag.h"
#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *canon = NULL;
    struct tern_diags diags = TERN_DIAGS_INIT;
    json_t *doc = NULL;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (tern_policy_normalize(&doc, text, &diags) == 0)
        json_decref(doc);
    /* The canonical form is a fixed point. */
    if (tern_policy_canonical(&canon, text, &diags) == 0) {
        if (tern_policy_equivalent(text, canon) != 1)
            abort();
        tern_free(canon);
    }
    tern_policy_lint(text, "fuzz", &diags);
    tern_diags_release(&diags);
    free(text);
    return 0;
}
