/*
 * Private to the built-in functions (src/lang/functions*.c): the argument
 * helpers every group shares, and the declaration of each function the one
 * table in functions.c lists. A group's file defines its functions with
 * FN(name); the table names them all.
 */
#ifndef TERN_LANG_FUNCTIONS_INT_H
#define TERN_LANG_FUNCTIONS_INT_H

#include "lang/lang_int.h"

#define FN(name)                                                               \
    int tern__f_##name(struct tern__fcall *c, tern_value **args, size_t n,     \
                       tern_value **out)

/* Argument @i converted to a string (a new reference) / a number / a whole
 * number, or a diagnostic at the argument and TERN_ERROR. */
int tern__arg_string(struct tern__fcall *c, tern_value **args, size_t i,
                     tern_value **out);
int tern__arg_number(struct tern__fcall *c, tern_value **args, size_t i,
                     double *d);
int tern__arg_int(struct tern__fcall *c, tern_value **args, size_t i,
                  int64_t *out);
/* Argument @i must be a list, tuple or set / a map or object. */
int tern__arg_list(struct tern__fcall *c, tern_value **args, size_t i);
int tern__arg_object(struct tern__fcall *c, tern_value **args, size_t i);
int tern__is_seq(const tern_value *v);

/* *out = v; TERN_ENOMEM when v is NULL. */
int tern__fret(tern_value **out, tern_value *v);
/* The buffer as a new string (released either way). */
int tern__fret_buf(tern_value **out, tern_buf *b);

/* Characters (code points) in s; whether all of s is UTF-8. */
size_t tern__utf8_count(const char *s, size_t len);
int tern__utf8_all_valid(const char *s, size_t len);

/* Standard Base64 (RFC 4648 section 4) of len bytes, as a new string. */
int tern__b64_encode(const char *s, size_t len, tern_value **out);
/* Decode standard Base64; *dec (tern_free) holds *dlen bytes plus a NUL.
 * TERN_ERROR (no diagnostic) when @s is not Base64. */
int tern__b64_decode(const char *s, size_t len, unsigned char **dec,
                     size_t *dlen);

/* A path relative to the configuration's directory (tern_free). */
char *tern__resolve_path(const struct tern__fcall *c, const char *path);
/* The longest string a function or a template builds: 16 MiB. */
#define TERN_LANG_MAX_STRING ((size_t)16 << 20)
/* The most file(), filebase64(), the file hashes and templatefile() read:
 * 256 MiB. */
#define TERN_LANG_MAX_FILE (256 << 20)
/* The whole file named by argument 0 (tern_free), or a diagnostic: it
 * must be a regular file of at most TERN_LANG_MAX_FILE bytes. */
int tern__read_file(struct tern__fcall *c, tern_value **args, char **text,
                    size_t *len);

/* Make a collection's elements one type as Terraform's conversions do. */
int tern__unify(struct tern__fcall *c, const tern_value *coll, int is_obj,
                tern_value **out);
/* Index of @v in a list or set, -1 if absent. */
long tern__seq_index(const tern_value *list, const tern_value *v);

/* Go's filepath.Clean (tern_free). */
char *tern__clean_path(const char *path);

/* JSON text of a value, as jsonencode writes it. */
void tern__json_encode(tern_buf *b, const tern_value *v);

/*
 * Time, for the date and time functions and the impure ones: a UTC instant
 * in seconds and nanoseconds since the epoch, plus the offset (seconds
 * east of UTC) it was written with.
 */
struct tern__time {
    int64_t sec;
    int32_t nsec;
    int32_t offset;
};
/* Parse RFC 3339 ("2006-01-02T15:04:05Z07:00", fraction optional). On
 * error, a description of what is wrong is left in @why. */
int tern__time_parse(const char *s, struct tern__time *t, char *why,
                     size_t why_size);

/* Write @t as time.RFC3339 (with @nano: time.RFC3339Nano) writes it, in
 * its own offset. */
void tern__time_format(tern_buf *b, const struct tern__time *t, int nano);

/* Every function: name, least and most arguments (-1: any), flags. Sorted
 * by name: the table is searched by bisection. */
#define TERN__FUNCTIONS(X)                                                     \
    X(abs, 1, 1, 0)                                                            \
    X(abspath, 1, 1, 0)                                                        \
    X(alltrue, 1, 1, 0)                                                        \
    X(anytrue, 1, 1, 0)                                                        \
    X(base64decode, 1, 1, 0)                                                   \
    X(base64encode, 1, 1, 0)                                                   \
    X(base64gzip, 1, 1, 0)                                                     \
    X(base64sha256, 1, 1, 0)                                                   \
    X(base64sha512, 1, 1, 0)                                                   \
    X(basename, 1, 1, 0)                                                       \
    X(bcrypt, 1, -1, TERN__F_IMPURE)                                           \
    X(ceil, 1, 1, 0)                                                           \
    X(chomp, 1, 1, 0)                                                          \
    X(chunklist, 2, 2, 0)                                                      \
    X(cidrhost, 2, 2, 0)                                                       \
    X(cidrnetmask, 1, 1, 0)                                                    \
    X(cidrsubnet, 3, 3, 0)                                                     \
    X(cidrsubnets, 1, -1, 0)                                                   \
    X(coalesce, 1, -1, TERN__F_NULL_OK)                                        \
    X(coalescelist, 1, -1, TERN__F_NULL_OK)                                    \
    X(compact, 1, 1, 0)                                                        \
    X(concat, 0, -1, TERN__F_UNKNOWN_OK)                                       \
    X(contains, 2, 2, TERN__F_NULL_OK)                                         \
    X(csvdecode, 1, 1, 0)                                                      \
    X(dirname, 1, 1, 0)                                                        \
    X(distinct, 1, 1, 0)                                                       \
    X(element, 2, 2, 0)                                                        \
    X(endswith, 2, 2, 0)                                                       \
    X(file, 1, 1, 0)                                                           \
    X(filebase64, 1, 1, 0)                                                     \
    X(filebase64sha256, 1, 1, 0)                                               \
    X(filebase64sha512, 1, 1, 0)                                               \
    X(fileexists, 1, 1, 0)                                                     \
    X(filemd5, 1, 1, 0)                                                        \
    X(fileset, 2, 2, 0)                                                        \
    X(filesha1, 1, 1, 0)                                                       \
    X(filesha256, 1, 1, 0)                                                     \
    X(filesha512, 1, 1, 0)                                                     \
    X(flatten, 1, 1, 0)                                                        \
    X(floor, 1, 1, 0)                                                          \
    X(format, 1, -1, TERN__F_VARIADIC_NUL)                                     \
    X(formatdate, 2, 2, 0)                                                     \
    X(formatlist, 1, -1, TERN__F_VARIADIC_NUL)                                 \
    X(indent, 2, 2, 0)                                                         \
    X(index, 2, 2, 0)                                                          \
    X(issensitive, 1, 1,                                                       \
      TERN__F_MARKS_OWN | TERN__F_UNKNOWN_OK | TERN__F_NULL_OK)                \
    X(join, 1, -1, 0)                                                          \
    X(jsondecode, 1, 1, 0)                                                     \
    X(jsonencode, 1, 1, TERN__F_NULL_OK)                                       \
    X(keys, 1, 1, 0)                                                           \
    X(length, 1, 1, TERN__F_UNKNOWN_OK)                                        \
    X(list, 0, -1,                                                             \
      TERN__F_UNKNOWN_OK | TERN__F_NULL_OK | TERN__F_VARIADIC_NUL)             \
    X(log, 2, 2, 0)                                                            \
    X(lookup, 2, 3, TERN__F_VARIADIC_NUL)                                      \
    X(lower, 1, 1, 0)                                                          \
    X(map, 0, -1, TERN__F_UNKNOWN_OK | TERN__F_NULL_OK | TERN__F_VARIADIC_NUL) \
    X(matchkeys, 3, 3, 0)                                                      \
    X(max, 1, -1, 0)                                                           \
    X(md5, 1, 1, 0)                                                            \
    X(merge, 0, -1, TERN__F_NULL_OK)                                           \
    X(min, 1, -1, 0)                                                           \
    X(nonsensitive, 1, 1,                                                      \
      TERN__F_MARKS_OWN | TERN__F_UNKNOWN_OK | TERN__F_NULL_OK)                \
    X(one, 1, 1, 0)                                                            \
    X(parseint, 2, 2, 0)                                                       \
    X(pathexpand, 1, 1, 0)                                                     \
    X(plantimestamp, 0, 0, 0)                                                  \
    X(pow, 2, 2, 0)                                                            \
    X(range, 1, 3, 0)                                                          \
    X(regex, 2, 2, 0)                                                          \
    X(regexall, 2, 2, 0)                                                       \
    X(replace, 3, 3, 0)                                                        \
    X(reverse, 1, 1, 0)                                                        \
    X(rsadecrypt, 2, 2, 0)                                                     \
    X(sensitive, 1, 1,                                                         \
      TERN__F_MARKS_OWN | TERN__F_UNKNOWN_OK | TERN__F_NULL_OK)                \
    X(setintersection, 1, -1, 0)                                               \
    X(setproduct, 0, -1, 0)                                                    \
    X(setsubtract, 2, 2, 0)                                                    \
    X(setunion, 1, -1, 0)                                                      \
    X(sha1, 1, 1, 0)                                                           \
    X(sha256, 1, 1, 0)                                                         \
    X(sha512, 1, 1, 0)                                                         \
    X(signum, 1, 1, 0)                                                         \
    X(slice, 3, 3, 0)                                                          \
    X(sort, 1, 1, 0)                                                           \
    X(split, 2, 2, 0)                                                          \
    X(startswith, 2, 2, 0)                                                     \
    X(strcontains, 2, 2, 0)                                                    \
    X(strrev, 1, 1, 0)                                                         \
    X(substr, 3, 3, 0)                                                         \
    X(sum, 1, 1, 0)                                                            \
    X(templatefile, 2, 2, 0)                                                   \
    X(templatestring, 2, 2, 0)                                                 \
    X(textdecodebase64, 2, 2, 0)                                               \
    X(textencodebase64, 2, 2, 0)                                               \
    X(timeadd, 2, 2, 0)                                                        \
    X(timecmp, 2, 2, 0)                                                        \
    X(timestamp, 0, 0, TERN__F_IMPURE)                                         \
    X(title, 1, 1, 0)                                                          \
    X(tobool, 1, 1, TERN__F_NULL_OK)                                           \
    X(tolist, 1, 1, TERN__F_NULL_OK)                                           \
    X(tomap, 1, 1, TERN__F_NULL_OK)                                            \
    X(tonumber, 1, 1, TERN__F_NULL_OK)                                         \
    X(toset, 1, 1, TERN__F_NULL_OK)                                            \
    X(tostring, 1, 1, TERN__F_NULL_OK)                                         \
    X(transpose, 1, 1, 0)                                                      \
    X(trim, 2, 2, 0)                                                           \
    X(trimprefix, 2, 2, 0)                                                     \
    X(trimspace, 1, 1, 0)                                                      \
    X(trimsuffix, 2, 2, 0)                                                     \
    X(upper, 1, 1, 0)                                                          \
    X(urlencode, 1, 1, 0)                                                      \
    X(uuid, 0, 0, TERN__F_IMPURE)                                              \
    X(uuidv5, 2, 2, 0)                                                         \
    X(values, 1, 1, 0)                                                         \
    X(yamldecode, 1, 1, 0)                                                     \
    X(yamlencode, 1, 1, TERN__F_NULL_OK)                                       \
    X(zipmap, 2, 2, 0)

#define TERN__FUNCTIONS_DECLARE(name, min, max, flags) FN(name);
TERN__FUNCTIONS(TERN__FUNCTIONS_DECLARE)

#endif
