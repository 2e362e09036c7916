/*
 * Table-driven expression checks for the language tests (see
 * lang_check.c).
 */
#ifndef TERN_TEST_LANG_CHECK_H
#define TERN_TEST_LANG_CHECK_H

#include <stddef.h>

#include "lang/lang.h"
#include "util/buf.h"

/* An expression and the one-line rendering its value must have, or
 * "!Summary" of the first diagnostic. */
struct ecase {
    const char *expr, *want;
};

/* Evaluate every case (in the fixed scope, plus @extra when not NULL);
 * fails the test listing every mismatch. */
void tt_lang_run_cases(const struct ecase *cases, size_t n,
                       const struct tern_lang_scope *extra);

#define RUN(cases)                                                             \
    tt_lang_run_cases(cases, sizeof(cases) / sizeof(cases[0]), NULL)

#endif
