/**
 * @file policy/gojson.h
 * @brief JSON text exactly as Go's encoding/json writes it.
 *
 * Terraform providers written in Go compute policy documents with
 * json.Marshal / json.MarshalIndent(v, "", "  "), and a data source's
 * `json` attribute is that text byte for byte. Jansson's output differs in
 * what it escapes, so documents that must equal a provider's text are
 * written here:
 *
 * - Objects keep the order in which their keys were set (build them in the
 *   Go struct's field order; Go writes a map's keys sorted, so set those
 *   sorted). Empty objects and arrays are `{}` and `[]`.
 * - Indented: one member per line, two spaces a level, `": "` between key
 *   and value; compact: no blanks at all.
 * - Strings: `"` `\\` and `\b \f \n \r \t` as short escapes, other control
 *   characters as `\u00xx` (lower-case hex); `<`, `>`, `&` as `\u003c`,
 *   `\u003e`, `\u0026` (Go's HTML-safe default); U+2028 and U+2029 as
 *   `\u2028`, `\u2029`; each byte of invalid UTF-8 as `\ufffd`; anything
 *   else as it is.
 * - Integers in decimal; true, false and null.
 */
#ifndef TERN_POLICY_GOJSON_H
#define TERN_POLICY_GOJSON_H

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Write @p v as Go's json.MarshalIndent(v, "", "  ") (@p indent nonzero)
 * or json.Marshal(v) (@p indent zero) would.
 * @param out the text; the caller frees it with tern_free()
 * @param v objects, arrays, strings, integers, booleans and null (borrowed)
 * @return TERN_OK, TERN_EINVALID for a real number (none of Go's documents
 *         here hold one), or TERN_ENOMEM
 */
int tern_policy_go_json(char **out, const json_t *v, int indent);

#ifdef __cplusplus
}
#endif

#endif
