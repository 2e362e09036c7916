/*
 * Fuzz target: the plan file reader (tern_plan_read, src/engine/planfile.c)
 * and what `tern apply FILE` and `tern show FILE` then do with the plan:
 * every change, the variables, the configuration rebuilt from the files
 * it carries, and the plan as JSON.
 *
 * A plan file is a checksummed header line and a JSON document. An input
 * that starts with the header's magic is written as it is (the header
 * checks); anything else is taken as the document, and the target adds a
 * header with its correct checksum, so the fuzzer reaches the JSON reader
 * behind it.
 */
#include "tern/engine.h"
#include "lang/lang.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAGIC "tern-plan 1 sha256="

static char path[64];

static void sha256_hex(const uint8_t *data, size_t size, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0, i;

    EVP_Digest(data, size, md, &n, EVP_sha256(), NULL);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static int write_input(const uint8_t *data, size_t size)
{
    FILE *f;
    char hex[65];
    int ok;

    if (!path[0]) {
        int fd;

        snprintf(path, sizeof(path), "/tmp/fuzz-planfile-XXXXXX");
        fd = mkstemp(path);
        if (fd < 0)
            return -1;
        close(fd);
    }
    f = fopen(path, "wb");
    if (!f)
        return -1;
    if (size < strlen(MAGIC) || memcmp(data, MAGIC, strlen(MAGIC)) != 0) {
        sha256_hex(data, size, hex);
        fprintf(f, "%s%s\n", MAGIC, hex);
    }
    ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tern_lang_config *cfg = NULL;
    tern_plan *plan = NULL;
    json_t *j = NULL;
    size_t i;

    if (write_input(data, size) != 0)
        return 0;
    if (tern_plan_read(&plan, path, NULL, &diags) == TERN_OK) {
        for (i = 0; i < tern_plan_change_count(plan); i++)
            (void)tern_plan_change(plan, i);
        for (i = 0; i < tern_plan_drift_count(plan); i++)
            (void)tern_plan_drift(plan, i);
        (void)tern_plan_outputs(plan);
        (void)tern_plan_variables(plan);
        (void)tern_plan_summary(plan);
        (void)tern_plan_is_empty(plan);
        if (tern_plan_to_json(plan, NULL, &j) == TERN_OK)
            json_decref(j);
        /* Also on failure: the diagnostics point into it. */
        (void)tern_plan_config(plan, &cfg, &diags);
        tern_diags_release(&diags);
        tern_lang_config_free(cfg);
        tern_plan_free(plan);
    }
    tern_diags_release(&diags);
    return 0;
}
