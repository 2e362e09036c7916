/**
 * @file tern/value.h
 * @brief The one value type of configuration, state and plans.
 *
 * A tern_value is an immutable, reference-counted tree of null, bool,
 * number, string, list, set and object nodes, plus two things JSON lacks:
 *
 * - an *unknown* node ("known after apply"), which may stand anywhere in a
 *   tree: a whole resource, one attribute of it, one element of a list.
 *   Every operator and function given an unknown operand yields unknown.
 * - a *sensitive* mark on any node. Operators and functions mark their
 *   result when an operand contains a mark; renderers print
 *   "(sensitive value)" in its place; tern_value_to_json() drops marks.
 *
 * Why not json_t with the marks out of band: marks and unknowns live at
 * any depth, and a side table keyed by json_t pointers breaks as soon as a
 * value is copied, sliced by a function or shared between two trees. A
 * node of our own keeps the mark on the node. Conversion to and from
 * json_t is one call each way (tern_value_from_json, tern_value_to_json),
 * for the state store and the modules, which deal only in known values.
 *
 * Types, simplified from Terraform's: tuples and lists are both LIST,
 * objects and maps are both OBJECT. A SET is a LIST kept sorted (by
 * tern_value_compare) and without duplicates. OBJECT keys are UTF-8
 * strings and iterate in byte order, as Terraform iterates maps and
 * objects. Nulls and unknowns carry no type.
 *
 * Numbers: Terraform's are arbitrary precision. Ours are a double plus an
 * exact int64 when the number is integral and fits: integer arithmetic
 * stays exact up to 2^63, fractions are IEEE doubles (so 0.1 + 0.2 is
 * 0.30000000000000004, where Terraform says 0.3). IAM configurations use
 * integers (counts, durations, versions), where the two agree.
 *
 * Ownership: functions named _new or returning a fresh value give the
 * caller one reference; "borrowed" results are valid while the container
 * lives; "steals" means the callee takes over the caller's reference.
 * Values are immutable once shared: the builders (list_append,
 * object_set) may only be used on a value whose only reference the caller
 * holds. The reference count is atomic, so a value may be shared between
 * the loop thread and workers.
 */
#ifndef TERN_VALUE_H
#define TERN_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An immutable, reference-counted value. */
typedef struct tern_value tern_value;

/** The kind of a value node. */
enum tern_value_kind {
    TERN_VAL_NULL = 0,
    TERN_VAL_BOOL,
    TERN_VAL_NUMBER,
    TERN_VAL_STRING,
    TERN_VAL_LIST,   /**< list or tuple */
    TERN_VAL_SET,    /**< sorted, unique list */
    TERN_VAL_OBJECT, /**< object or map; keys in byte order */
    TERN_VAL_UNKNOWN /**< known after apply */
};

/** @name Constructors. Each returns a new reference, NULL on OOM. */
/**@{*/
/** @return a new null value */
tern_value *tern_value_null(void);
/** @return a new unknown ("known after apply") value */
tern_value *tern_value_unknown(void);
/** @param b zero for false @return a new bool */
tern_value *tern_value_bool(int b);
/** @param d a finite double @return a new number (exact int if integral) */
tern_value *tern_value_number(double d);
/** @param i an integer @return a new number, exact */
tern_value *tern_value_int(int64_t i);
/** @param s NUL-terminated UTF-8, copied @return a new string */
tern_value *tern_value_string(const char *s);
/** @param s UTF-8 bytes, copied @param len their count @return a string */
tern_value *tern_value_stringn(const char *s, size_t len);
/**
 * A string that takes over @p s (allocated with tern_malloc).
 * @param s steals; freed even on failure
 * @return a new string
 */
tern_value *tern_value_string_own(char *s, size_t len);
/** @return a new, empty list */
tern_value *tern_value_list_new(void);
/** @return a new, empty object */
tern_value *tern_value_object_new(void);
/**@}*/

/** @name Builders, on a value only the caller holds. */
/**@{*/
/**
 * Append to a list or set under construction (sets: see set_finish).
 * @param list the list
 * @param item steals a reference (also on failure)
 * @return 0 or TERN_ENOMEM
 */
int tern_value_list_append(tern_value *list, tern_value *item);
/**
 * Turn a list under construction into a set: sort, drop duplicates.
 * @param list steals
 * @return the set (the same node), NULL on OOM
 */
tern_value *tern_value_set_finish(tern_value *list);
/**
 * Set a key of an object under construction, replacing an old value.
 * @param obj the object
 * @param key copied
 * @param val steals a reference (also on failure)
 * @return 0 or TERN_ENOMEM
 */
int tern_value_object_set(tern_value *obj, const char *key, tern_value *val);
/**@}*/

/** @name Reference counting. */
/**@{*/
/** @param v may be NULL @return v, with one more reference */
tern_value *tern_value_incref(const tern_value *v);
/** @param v may be NULL; the last reference frees the tree */
void tern_value_decref(tern_value *v);
/**@}*/

/** @name Accessors. */
/**@{*/
/** @return the kind of @p v */
enum tern_value_kind tern_value_kind(const tern_value *v);
/** @return a static name: "null", "bool", "number", "string", ... */
const char *tern_value_kind_name(enum tern_value_kind kind);
/** @return whether @p v is a null */
int tern_value_is_null(const tern_value *v);
/** @return whether @p v itself is unknown */
int tern_value_is_unknown(const tern_value *v);
/** @return whether no node in @p v is unknown */
int tern_value_is_wholly_known(const tern_value *v);
/** @return whether @p v itself carries the sensitive mark */
int tern_value_is_sensitive(const tern_value *v);
/** @return whether any node in @p v carries the sensitive mark */
int tern_value_has_sensitive(const tern_value *v);
/** @return the bool; 0 for other kinds */
int tern_value_get_bool(const tern_value *v);
/** @return the number as a double; 0 for other kinds */
double tern_value_get_number(const tern_value *v);
/**
 * The number as an exact integer.
 * @param out receives it
 * @return 1 if @p v is a number that is an integer in int64 range
 */
int tern_value_get_int(const tern_value *v, int64_t *out);
/** @return the string (borrowed, NUL-terminated), "" for other kinds */
const char *tern_value_get_string(const tern_value *v);
/** @return the string's length in bytes */
size_t tern_value_string_len(const tern_value *v);
/** @return the number of elements of a list, set or object; else 0 */
size_t tern_value_length(const tern_value *v);
/** @return element @p i of a list or set (borrowed), NULL out of range */
tern_value *tern_value_list_get(const tern_value *v, size_t i);
/** @return key @p i of an object, in order (borrowed) */
const char *tern_value_object_key(const tern_value *v, size_t i);
/** @return value @p i of an object, in key order (borrowed) */
tern_value *tern_value_object_value(const tern_value *v, size_t i);
/** @return the value of @p key (borrowed), NULL if absent */
tern_value *tern_value_object_get(const tern_value *v, const char *key);
/**@}*/

/** @name Marks. */
/**@{*/
/**
 * Mark a value sensitive (copies the top node if it is shared).
 * @param v steals
 * @return the marked value, NULL on OOM
 */
tern_value *tern_value_mark_sensitive(tern_value *v);
/**
 * Remove every sensitive mark, at every depth.
 * @param v steals
 * @return the unmarked value, NULL on OOM
 */
tern_value *tern_value_unmark_deep(tern_value *v);
/**@}*/

/** @name Comparison. */
/**@{*/
/**
 * Terraform's ==: same kind and same contents; marks are ignored. Callers
 * deal with unknowns first (an unknown compares equal only to itself).
 * @return 1 if equal
 */
int tern_value_equal(const tern_value *a, const tern_value *b);
/** A total order (kind, then contents), used to sort sets. */
int tern_value_compare(const tern_value *a, const tern_value *b);
/**@}*/

/** @name Conversion. */
/**@{*/
/**
 * From JSON: objects, arrays, strings, numbers, bools, null.
 * @param j borrowed
 * @return a new value, NULL on OOM
 */
tern_value *tern_value_from_json(const json_t *j);
/**
 * To JSON, dropping marks. Unknowns become JSON null; check
 * tern_value_is_wholly_known() first where that matters.
 * @return a new reference, NULL on OOM
 */
json_t *tern_value_to_json(const tern_value *v);
/**
 * A number as Terraform prints it: integers without a fraction, other
 * values in the shortest form that reads back the same.
 * @param v a number
 * @return a new string (tern_free), NULL on OOM
 */
char *tern_value_number_string(const tern_value *v);
/**
 * Render in Terraform's console syntax: `{ "k" = [ 1, ] }` over several
 * lines, `toset([...])`, `(known after apply)`, `(sensitive value)`.
 * @param v the value
 * @param indent the indentation of nested lines, in spaces
 * @return a new string (tern_free), NULL on OOM
 */
char *tern_value_render(const tern_value *v, int indent);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif
