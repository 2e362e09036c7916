/*
 * A JSON reader for the text tern stores (the state's attributes,
 * sensitive paths and dependencies, which Jansson wrote compactly),
 * faster than Jansson's json_loads: Jansson's lexer reads through a
 * callback one character at a time and copies each into a token buffer,
 * 150 instructions a character, most of loading a state of 10,000
 * resources (B5). This one scans the text in place and hands Jansson
 * only the finished strings, numbers and containers, so the values are
 * the same json_t that json_loads builds.
 *
 * It reads the subset stored texts use: objects, arrays, strings (UTF-8,
 * checked as Jansson checks it; the escapes \" \\ \/ \b \f \n \r \t),
 * integers, true, false and null. Anything else (a \u escape, a real
 * number, an integer out of range, an error, nesting over 256 deep) is
 * read by json_loads(JSON_DECODE_ANY) instead, so the result, and what is
 * refused, are always Jansson's.
 */
#ifndef TERN_UTIL_JSON_READ_H
#define TERN_UTIL_JSON_READ_H

#include <jansson.h>

/**
 * The subset reader alone, for tests: parse @p text (any JSON value).
 * @return TERN_OK (*out set), TERN_ENOMEM, or TERN_EINVALID when the text
 *         is outside the subset or not JSON (nothing set)
 */
int tern__json_read_subset(const char *text, json_t **out);

/**
 * Parse @p text as json_loads(@p text, JSON_DECODE_ANY, NULL) does.
 * @return TERN_OK (*out set), TERN_ENOMEM, or TERN_EINVALID when the text
 *         is not JSON (*out NULL)
 */
int tern_json_read(const char *text, json_t **out);

#endif
