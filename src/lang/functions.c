/*
 * The built-in functions, one table (after nginx's command tables): name,
 * arity, flags, implementation. The evaluator checks arity, nulls, unknown
 * arguments (the result is unknown unless the function handles them) and
 * sensitive marks (removed from the arguments, put back on the result)
 * before a function runs, so most functions deal with known, unmarked,
 * non-null values only.
 *
 * Known differences from Terraform, by design or for now:
 * - Regular expressions are POSIX extended (regcomp) with RE2's common
 *   extras translated: \d \D \s \S \w \W, \A \z, (?:...), (?P<name>...),
 *   (?i) at the start. Non-greedy repetition, lookarounds and Unicode
 *   classes (\pL) are refused with a diagnostic. Matching is leftmost-
 *   longest (POSIX) where RE2 is leftmost-first, which differs only for
 *   alternations whose earlier branch is a prefix of a later one.
 * - lower/upper/title change ASCII letters only.
 * - format's %g/%e follow C's printf, which can differ from Go's in the
 *   number of digits.
 */
#include "lang/functions_int.h"
#include "util/alloc.h"
#include "util/json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Argument helpers --------------------------------------------------
 */

int tern__arg_string(struct tern__fcall *c, tern_value **args, size_t i,
                     tern_value **out)
{
    *out = tern__convert_string(args[i]);
    if (!*out) {
        tern__farg_error(c, i, "argument %zu: string required, but have %s.",
                         i + 1, tern__type_name(args[i]));
        return TERN_ERROR;
    }
    return TERN_OK;
}

int tern__arg_number(struct tern__fcall *c, tern_value **args, size_t i,
                     double *d)
{
    tern_value *v = tern__convert_number(args[i]);

    if (!v) {
        tern__farg_error(c, i, "argument %zu: number required, but have %s.",
                         i + 1, tern__type_name(args[i]));
        return TERN_ERROR;
    }
    *d = tern_value_get_number(v);
    tern_value_decref(v);
    return TERN_OK;
}

int tern__arg_int(struct tern__fcall *c, tern_value **args, size_t i,
                  int64_t *out)
{
    tern_value *v = tern__convert_number(args[i]);
    int ok = v && tern_value_get_int(v, out);

    tern_value_decref(v);
    if (!ok) {
        tern__farg_error(c, i,
                         "argument %zu: a whole number is required, but "
                         "have %s.",
                         i + 1, tern__type_name(args[i]));
        return TERN_ERROR;
    }
    return TERN_OK;
}

int tern__is_seq(const tern_value *v)
{
    return tern_value_kind(v) == TERN_VAL_LIST ||
           tern_value_kind(v) == TERN_VAL_SET;
}

int tern__arg_list(struct tern__fcall *c, tern_value **args, size_t i)
{
    if (!tern__is_seq(args[i])) {
        tern__farg_error(c, i, "argument %zu: list required, but have %s.",
                         i + 1, tern__type_name(args[i]));
        return TERN_ERROR;
    }
    return TERN_OK;
}

int tern__arg_object(struct tern__fcall *c, tern_value **args, size_t i)
{
    if (tern_value_kind(args[i]) != TERN_VAL_OBJECT) {
        tern__farg_error(c, i, "argument %zu: map required, but have %s.",
                         i + 1, tern__type_name(args[i]));
        return TERN_ERROR;
    }
    return TERN_OK;
}

int tern__fret(tern_value **out, tern_value *v)
{
    *out = v;
    return v ? TERN_OK : TERN_ENOMEM;
}

int tern__fret_buf(tern_value **out, tern_buf *b)
{
    size_t len = b->len;

    if (tern_buf_oom(b)) {
        tern_buf_release(b);
        return TERN_ENOMEM;
    }
    return tern__fret(out, tern_value_string_own(tern_buf_detach(b), len));
}

size_t tern__utf8_count(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

int tern__utf8_all_valid(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n, k;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 4;
        else
            return 0;
        if (i + n > len)
            return 0;
        for (k = 1; k < n; k++)
            if (((unsigned char)s[i + k] & 0xC0) != 0x80)
                return 0;
        i += n;
    }
    return 1;
}

/* ---- JSON ------------------------------------------------------------- */

static void put_json_string(tern_buf *b, const char *s, size_t len)
{
    size_t i;

    tern_buf_putc(b, '"');
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\') {
            tern_buf_putc(b, '\\');
            tern_buf_putc(b, (char)ch);
        } else if (ch == '\n') {
            tern_buf_puts(b, "\\n");
        } else if (ch == '\r') {
            tern_buf_puts(b, "\\r");
        } else if (ch == '\t') {
            tern_buf_puts(b, "\\t");
        } else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') {
            /* Go's encoding/json escapes HTML characters; so does
             * Terraform's jsonencode. */
            tern_buf_printf(b, "\\u%04x", ch);
        } else if (ch == 0xE2 && i + 2 < len &&
                   (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 ||
                    (unsigned char)s[i + 2] == 0xA9)) {
            tern_buf_printf(b, "\\u202%c",
                            (unsigned char)s[i + 2] == 0xA8 ? '8' : '9');
            i += 2;
        } else {
            tern_buf_putc(b, (char)ch);
        }
    }
    tern_buf_putc(b, '"');
}

void tern__json_encode(tern_buf *b, const tern_value *v)
{
    size_t i, n;
    char *num;

    switch (tern_value_kind(v)) {
    case TERN_VAL_NULL:
    case TERN_VAL_UNKNOWN:
        tern_buf_puts(b, "null");
        break;
    case TERN_VAL_BOOL:
        tern_buf_puts(b, tern_value_get_bool(v) ? "true" : "false");
        break;
    case TERN_VAL_NUMBER:
        num = tern_value_number_string(v);
        if (num)
            tern_buf_puts(b, num);
        else
            b->oom = 1;
        tern_free(num);
        break;
    case TERN_VAL_STRING:
        put_json_string(b, tern_value_get_string(v), tern_value_string_len(v));
        break;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        tern_buf_putc(b, '[');
        n = tern_value_length(v);
        for (i = 0; i < n; i++) {
            if (i)
                tern_buf_putc(b, ',');
            tern__json_encode(b, tern_value_list_get(v, i));
        }
        tern_buf_putc(b, ']');
        break;
    case TERN_VAL_OBJECT:
        /* Keys are kept sorted, which is Terraform's order. */
        tern_buf_putc(b, '{');
        n = tern_value_length(v);
        for (i = 0; i < n; i++) {
            const char *k = tern_value_object_key(v, i);

            if (i)
                tern_buf_putc(b, ',');
            put_json_string(b, k, strlen(k));
            tern_buf_putc(b, ':');
            tern__json_encode(b, tern_value_object_value(v, i));
        }
        tern_buf_putc(b, '}');
        break;
    }
}

FN(jsonencode)
{
    tern_buf b = TERN_BUF_INIT;

    (void)c;
    (void)n;
    tern__json_encode(&b, args[0]);
    return tern__fret_buf(out, &b);
}

FN(jsondecode)
{
    tern_value *s = NULL;
    json_error_t jerr;
    json_t *j;
    int error, oom = 0;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    j = tern_json_loadb(tern_value_get_string(s), tern_value_string_len(s),
                        JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr, &oom);
    tern_value_decref(s);
    if (oom)
        return TERN_ENOMEM; /* not "invalid JSON" */
    if (!j) {
        tern__farg_error(c, 0, "%s, at line %d column %d.", jerr.text,
                         jerr.line, jerr.column);
        return TERN_ERROR;
    }
    *out = tern_value_from_json(j);
    json_decref(j);
    return *out ? TERN_OK : TERN_ENOMEM;
}

/* ---- format ------------------------------------------------------------
 */

static void fmt_value(tern_buf *b, const tern_value *v)
{
    tern_value *s;

    if (tern_value_is_null(v)) {
        tern_buf_puts(b, "null");
        return;
    }
    s = tern__convert_string(v);
    if (s) {
        tern_buf_put(b, tern_value_get_string(s), tern_value_string_len(s));
        tern_value_decref(s);
        return;
    }
    tern__json_encode(b, v);
}

/* Widths and precisions beyond this are refused, as Go's fmt (which
 * Terraform's format uses) refuses numbers over 1e6; the result of one
 * call is capped too, so a format string cannot ask for gigabytes. */
#define FMT_MAX_WIDTH  1000000
#define FMT_MAX_RESULT TERN_LANG_MAX_STRING

/* The decimal number at fmt[*i] (advancing *i), saturated above the cap. */
static size_t fmt_num(const char *fmt, size_t *i)
{
    size_t v = 0;

    while (fmt[*i] >= '0' && fmt[*i] <= '9') {
        if (v <= FMT_MAX_WIDTH)
            v = v * 10 + (size_t)(fmt[*i] - '0');
        (*i)++;
    }
    return v;
}

/* A printf spec's room: '%', up to 8 flags, a width and a precision of
 * at most 7 digits each, "ll" and the verb. */
#define FMT_SPEC_LEN 32

/*
 * The verb's flags, width and precision are copied from the format string
 * into a printf spec after checking each character, so the spec is safe to
 * pass to printf even though it is not a literal.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* The verb's flags, explicit argument index ([n], into *argi), width and
 * precision from fmt[*i] into spec (length *sl), *i left on the verb. */
static int fmt_spec(struct tern__fcall *c, const char *fmt, size_t *i,
                    char *spec, size_t *sl, size_t *argi, int *used_explicit)
{
    spec[(*sl)++] = '%';
    while (fmt[*i] && strchr("+-# 0", fmt[*i]) && *sl < 8)
        spec[(*sl)++] = fmt[(*i)++];
    if (fmt[*i] == '[') {
        size_t k = 0;

        (*i)++;
        while (fmt[*i] >= '0' && fmt[*i] <= '9')
            k = k * 10 + (size_t)(fmt[(*i)++] - '0');
        if (fmt[*i] != ']' || k == 0) {
            tern__farg_error(c, 0,
                             "invalid argument index in format "
                             "string.");
            return TERN_ERROR;
        }
        (*i)++;
        *argi = k - 1;
        *used_explicit = 1;
    }
    if (fmt[*i] >= '0' && fmt[*i] <= '9') {
        size_t at = *i, w = fmt_num(fmt, i);

        if (w > FMT_MAX_WIDTH) {
            tern__farg_error(c, 0,
                             "width at %zu is too large: at most %d "
                             "is supported.",
                             at, FMT_MAX_WIDTH);
            return TERN_ERROR;
        }
        *sl += (size_t)snprintf(spec + *sl, FMT_SPEC_LEN - *sl, "%zu", w);
    }
    if (fmt[*i] == '.') {
        size_t at = ++*i, pr = fmt_num(fmt, i);

        if (pr > FMT_MAX_WIDTH) {
            tern__farg_error(c, 0,
                             "precision at %zu is too large: at most "
                             "%d is supported.",
                             at, FMT_MAX_WIDTH);
            return TERN_ERROR;
        }
        *sl += (size_t)snprintf(spec + *sl, FMT_SPEC_LEN - *sl, ".%zu", pr);
    }
    return TERN_OK;
}

/* %v, %s, %q and %t of argument a (number argi, verb at i). */
static int fmt_text(struct tern__fcall *c, tern_buf *b, char *spec, size_t sl,
                    char verb, const tern_value *a, size_t argi, size_t i)
{
    tern_value *conv = NULL;

    switch (verb) {
    case 'v':
    case 's':
        if (verb == 's' && !(conv = tern__convert_string(a))) {
            tern__farg_error(c, argi,
                             "unsupported value for \"%%s\" at "
                             "%zu: string required.",
                             i);
            return TERN_ERROR;
        }
        {
            tern_buf t = TERN_BUF_INIT;

            fmt_value(&t, conv ? conv : a);
            spec[sl++] = 's';
            spec[sl] = '\0';
            tern_buf_printf(b, spec, tern_buf_cstr(&t));
            tern_buf_release(&t);
        }
        break;
    case 'q':
        conv = tern__convert_string(a);
        if (!conv) {
            tern__farg_error(c, argi,
                             "unsupported value for \"%%q\" at "
                             "%zu: string required.",
                             i);
            return TERN_ERROR;
        }
        put_json_string(b, tern_value_get_string(conv),
                        tern_value_string_len(conv));
        break;
    default: /* 't' */
        conv = tern__convert_bool(a);
        if (!conv) {
            tern__farg_error(c, argi,
                             "unsupported value for \"%%t\" at "
                             "%zu: bool required.",
                             i);
            return TERN_ERROR;
        }
        tern_buf_puts(b, tern_value_get_bool(conv) ? "true" : "false");
        break;
    }
    tern_value_decref(conv);
    return TERN_OK;
}

/* %b: Go's binary digits, a sign before them. */
static void fmt_bits(tern_buf *b, char *spec, size_t sl, int64_t iv)
{
    char bits[70];
    int k = 69;
    uint64_t u = iv < 0 ? (uint64_t)0 - (uint64_t)iv : (uint64_t)iv;

    bits[k] = '\0';
    do {
        bits[--k] = (char)('0' + (u & 1));
        u >>= 1;
    } while (u);
    if (iv < 0)
        bits[--k] = '-';
    spec[sl++] = 's';
    spec[sl] = '\0';
    tern_buf_printf(b, spec, bits + k);
}

/* The number verbs (%d %b %o %x %X %e %E %f %g %G) of argument a (number
 * argi, verb at i); %x and %X of a string are its bytes in hex. */
static int fmt_number(struct tern__fcall *c, tern_buf *b, char *spec, size_t sl,
                      char verb, const tern_value *a, size_t argi, size_t i)
{
    tern_value *conv = tern__convert_number(a);
    char tmp[512];
    int64_t iv = 0;
    int len;

    if (!conv) {
        if ((verb == 'x' || verb == 'X') &&
            tern_value_kind(a) == TERN_VAL_STRING) {
            tern_buf_put_hex(b, (const unsigned char *)tern_value_get_string(a),
                             tern_value_string_len(a));
            return TERN_OK;
        }
        tern__farg_error(c, argi,
                         "unsupported value for \"%%%c\" "
                         "at %zu: number required.",
                         verb, i);
        return TERN_ERROR;
    }
    if (strchr("dboxX", verb)) {
        if (!tern_value_get_int(conv, &iv)) {
            tern_value_decref(conv);
            tern__farg_error(c, argi,
                             "unsupported value for "
                             "\"%%%c\" at %zu: an integer "
                             "is required.",
                             verb, i);
            return TERN_ERROR;
        }
        if (verb == 'b') {
            fmt_bits(b, spec, sl, iv);
            tern_value_decref(conv);
            return TERN_OK;
        }
        spec[sl++] = 'l';
        spec[sl++] = 'l';
        spec[sl++] = verb == 'd' ? 'd' : verb;
        spec[sl] = '\0';
        len = snprintf(tmp, sizeof(tmp), spec, (long long)iv);
    } else {
        spec[sl++] = verb;
        spec[sl] = '\0';
        len = snprintf(tmp, sizeof(tmp), spec, tern_value_get_number(conv));
    }
    if (len < 0) {
        b->oom = 1;
    } else if ((size_t)len < sizeof(tmp)) {
        tern_buf_put(b, tmp, (size_t)len);
    } else if (strchr("dboxX", verb)) {
        tern_buf_printf(b, spec, (long long)iv);
    } else {
        tern_buf_printf(b, spec, tern_value_get_number(conv));
    }
    tern_value_decref(conv);
    return TERN_OK;
}

static int do_format(struct tern__fcall *c, const char *fmt, tern_value **args,
                     size_t nargs, tern_buf *b)
{
    size_t argi = 0, i;
    int used_explicit = 0;

    for (i = 0; fmt[i]; i++) {
        char spec[FMT_SPEC_LEN], verb;
        size_t sl = 0;
        const tern_value *a;
        int error;

        if (fmt[i] != '%') {
            tern_buf_putc(b, fmt[i]);
            continue;
        }
        i++;
        if (fmt[i] == '%') {
            tern_buf_putc(b, '%');
            continue;
        }
        if ((error = fmt_spec(c, fmt, &i, spec, &sl, &argi, &used_explicit)))
            return error;
        verb = fmt[i];
        if (!verb) {
            tern__farg_error(c, 0,
                             "format string ends with an incomplete "
                             "verb.");
            return TERN_ERROR;
        }
        if (argi >= nargs) {
            tern__farg_error(c, 0,
                             "not enough arguments for \"%%%c\" at %zu: "
                             "need index %zu but have %zu total.",
                             verb, i, argi + 1, nargs);
            return TERN_ERROR;
        }
        a = args[argi++];
        if (strchr("vsqt", verb))
            error = fmt_text(c, b, spec, sl, verb, a, argi, i);
        else if (strchr("dboxXeEfgG", verb))
            error = fmt_number(c, b, spec, sl, verb, a, argi, i);
        else {
            tern__farg_error(c, 0, "unrecognized format verb '%c' at %zu.",
                             verb, i);
            error = TERN_ERROR;
        }
        if (error)
            return error;
        if (b->len > FMT_MAX_RESULT) {
            tern__farg_error(c, 0, "the result would be longer than %zu bytes.",
                             FMT_MAX_RESULT);
            return TERN_ERROR;
        }
    }
    if (!used_explicit && argi < nargs) {
        tern__farg_error(c, 0,
                         "too many arguments; only %zu used by format "
                         "string.",
                         argi);
        return TERN_ERROR;
    }
    return TERN_OK;
}
#pragma GCC diagnostic pop

FN(format)
{
    tern_buf b = TERN_BUF_INIT;
    tern_value *fmt = NULL;
    int error;

    if ((error = tern__arg_string(c, args, 0, &fmt)))
        return error;
    error = do_format(c, tern_value_get_string(fmt), args + 1, n - 1, &b);
    tern_value_decref(fmt);
    if (error) {
        tern_buf_release(&b);
        return error;
    }
    return tern__fret_buf(out, &b);
}

FN(formatlist)
{
    tern_value *fmt = NULL, *list = NULL, **row = NULL;
    size_t len = 0, i, j, total = 0;
    int have_list = 0, error;

    if ((error = tern__arg_string(c, args, 0, &fmt)))
        return error;
    for (i = 1; i < n; i++) {
        if (!tern__is_seq(args[i]))
            continue;
        if (have_list && tern_value_length(args[i]) != len) {
            tern__farg_error(c, i,
                             "argument %zu has length %zu, which is "
                             "inconsistent with argument %zu of length "
                             "%zu.",
                             i + 1, tern_value_length(args[i]), i, len);
            error = TERN_ERROR;
            goto done;
        }
        have_list = 1;
        len = tern_value_length(args[i]);
    }
    if (!have_list)
        len = 1;
    list = tern_value_list_new();
    row = tern_calloc(n, sizeof(*row));
    if (!list || !row) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (j = 0; j < len; j++) {
        tern_buf b = TERN_BUF_INIT;
        size_t blen;

        for (i = 1; i < n; i++)
            row[i - 1] = tern__is_seq(args[i]) ? tern_value_list_get(args[i], j)
                                               : args[i];
        error = do_format(c, tern_value_get_string(fmt), row, n - 1, &b);
        if (error) {
            tern_buf_release(&b);
            goto done;
        }
        blen = b.len;
        /* The whole list is capped as one string is (issue 20). */
        total += blen;
        if (total > TERN_LANG_MAX_STRING) {
            tern_buf_release(&b);
            tern__farg_error(c, 0,
                             "the results would be longer than %zu bytes in "
                             "all.",
                             TERN_LANG_MAX_STRING);
            error = TERN_ERROR;
            goto done;
        }
        if (tern_value_list_append(
                list, tern_value_string_own(tern_buf_detach(&b), blen))) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    *out = list;
    list = NULL;

done:
    tern_free(row);
    tern_value_decref(list);
    tern_value_decref(fmt);
    return error;
}

/* ---- Strings -----------------------------------------------------------
 */

FN(join)
{
    tern_buf b = TERN_BUF_INIT;
    tern_value *sep = NULL, *s;
    size_t i, j, count = 0;
    int error;

    if ((error = tern__arg_string(c, args, 0, &sep)))
        return error;
    for (i = 1; i < n; i++) {
        if ((error = tern__arg_list(c, args, i)))
            goto fail;
        for (j = 0; j < tern_value_length(args[i]); j++) {
            const tern_value *e = tern_value_list_get(args[i], j);

            if (tern_value_is_null(e) || !(s = tern__convert_string(e))) {
                tern__farg_error(c, i,
                                 "element %zu is %s; a string is required.", j,
                                 tern__type_name(e));
                error = TERN_ERROR;
                goto fail;
            }
            /* Capped as replace's result is (issue 20, finding 7). */
            if (b.len + (count ? tern_value_string_len(sep) : 0) +
                    tern_value_string_len(s) >
                TERN_LANG_MAX_STRING) {
                tern_value_decref(s);
                tern__farg_error(c, i,
                                 "the result would be longer than %zu bytes.",
                                 TERN_LANG_MAX_STRING);
                error = TERN_ERROR;
                goto fail;
            }
            if (count++)
                tern_buf_put(&b, tern_value_get_string(sep),
                             tern_value_string_len(sep));
            tern_buf_put(&b, tern_value_get_string(s),
                         tern_value_string_len(s));
            tern_value_decref(s);
        }
    }
    tern_value_decref(sep);
    return tern__fret_buf(out, &b);

fail:
    tern_buf_release(&b);
    tern_value_decref(sep);
    return error;
}

FN(split)
{
    tern_value *sep = NULL, *str = NULL, *list = NULL;
    const char *s, *p, *hit;
    size_t seplen;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &sep)) ||
        (error = tern__arg_string(c, args, 1, &str)))
        goto done;
    list = tern_value_list_new();
    if (!list) {
        error = TERN_ENOMEM;
        goto done;
    }
    s = tern_value_get_string(str);
    seplen = tern_value_string_len(sep);
    if (seplen == 0) {
        /* Go's strings.Split with "" splits into characters. */
        size_t i = 0, len = tern_value_string_len(str);

        while (i < len && !error) {
            size_t k = tern__utf8_next(s + i, len - i);

            error = tern_value_list_append(list, tern_value_stringn(s + i, k));
            i += k;
        }
    } else {
        const char *end = s + tern_value_string_len(str);

        /* memmem, not strstr: strings may hold NUL ("\u0000"). */
        for (p = s; !error;) {
            hit = memmem(p, (size_t)(end - p), tern_value_get_string(sep),
                         seplen);
            if (!hit) {
                error = tern_value_list_append(
                    list, tern_value_stringn(p, (size_t)(end - p)));
                break;
            }
            error = tern_value_list_append(
                list, tern_value_stringn(p, (size_t)(hit - p)));
            p = hit + seplen;
        }
    }
    if (!error) {
        *out = list;
        list = NULL;
    }

done:
    tern_value_decref(list);
    tern_value_decref(sep);
    tern_value_decref(str);
    return error;
}

static int map_string(struct tern__fcall *c, tern_value **args,
                      tern_value **out, int (*fn)(int))
{
    tern_value *s = NULL;
    char *copy;
    size_t i, len;
    int error;

    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    len = tern_value_string_len(s);
    copy = tern_malloc(len + 1);
    if (!copy) {
        tern_value_decref(s);
        return TERN_ENOMEM;
    }
    memcpy(copy, tern_value_get_string(s), len + 1);
    for (i = 0; i < len; i++)
        if ((unsigned char)copy[i] < 0x80)
            copy[i] = (char)fn((unsigned char)copy[i]);
    tern_value_decref(s);
    return tern__fret(out, tern_value_string_own(copy, len));
}

static int ascii_lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static int ascii_upper(int ch)
{
    return ch >= 'a' && ch <= 'z' ? ch - 32 : ch;
}

FN(lower)
{
    (void)n;
    return map_string(c, args, out, ascii_lower);
}

FN(upper)
{
    (void)n;
    return map_string(c, args, out, ascii_upper);
}

FN(title)
{
    tern_value *s = NULL;
    char *copy;
    size_t i, len;
    int error, start = 1;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    len = tern_value_string_len(s);
    copy = tern_malloc(len + 1);
    if (copy)
        memcpy(copy, tern_value_get_string(s), len + 1);
    tern_value_decref(s);
    if (!copy)
        return TERN_ENOMEM;
    for (i = 0; i < len; i++) {
        int letter = (copy[i] >= 'a' && copy[i] <= 'z') ||
                     (copy[i] >= 'A' && copy[i] <= 'Z') ||
                     (copy[i] >= '0' && copy[i] <= '9');

        if (letter && start)
            copy[i] = (char)ascii_upper(copy[i]);
        start = !letter;
    }
    return tern__fret(out, tern_value_string_own(copy, len));
}

static int is_ws(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
           ch == '\f';
}

FN(trimspace)
{
    tern_value *s = NULL;
    const char *p;
    size_t len;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    p = tern_value_get_string(s);
    len = tern_value_string_len(s);
    while (len && is_ws((unsigned char)*p)) {
        p++;
        len--;
    }
    while (len && is_ws((unsigned char)p[len - 1]))
        len--;
    *out = tern_value_stringn(p, len);
    tern_value_decref(s);
    return *out ? TERN_OK : TERN_ENOMEM;
}

FN(chomp)
{
    tern_value *s = NULL;
    size_t len;
    const char *p;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    p = tern_value_get_string(s);
    len = tern_value_string_len(s);
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    *out = tern_value_stringn(p, len);
    tern_value_decref(s);
    return *out ? TERN_OK : TERN_ENOMEM;
}

static int affix(struct tern__fcall *c, tern_value **args, tern_value **out,
                 int suffix, int test_only)
{
    tern_value *s = NULL, *a = NULL;
    const char *p, *q;
    size_t len, alen;
    int error, match;

    if ((error = tern__arg_string(c, args, 0, &s)) ||
        (error = tern__arg_string(c, args, 1, &a))) {
        tern_value_decref(s);
        return error;
    }
    p = tern_value_get_string(s);
    q = tern_value_get_string(a);
    len = tern_value_string_len(s);
    alen = tern_value_string_len(a);
    match = alen <= len && memcmp(suffix ? p + len - alen : p, q, alen) == 0;
    if (test_only)
        *out = tern_value_bool(match);
    else if (!match)
        *out = tern_value_incref(s);
    else
        *out = tern_value_stringn(suffix ? p : p + alen, len - alen);
    tern_value_decref(s);
    tern_value_decref(a);
    return *out ? TERN_OK : TERN_ENOMEM;
}

FN(trimprefix)
{
    (void)n;
    return affix(c, args, out, 0, 0);
}

FN(trimsuffix)
{
    (void)n;
    return affix(c, args, out, 1, 0);
}

FN(startswith)
{
    (void)n;
    return affix(c, args, out, 0, 1);
}

FN(endswith)
{
    (void)n;
    return affix(c, args, out, 1, 1);
}

FN(strcontains)
{
    tern_value *s = NULL, *sub = NULL;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)) ||
        (error = tern__arg_string(c, args, 1, &sub))) {
        tern_value_decref(s);
        return error;
    }
    *out = tern_value_bool(
        memmem(tern_value_get_string(s), tern_value_string_len(s),
               tern_value_get_string(sub), tern_value_string_len(sub)) != NULL);
    tern_value_decref(s);
    tern_value_decref(sub);
    return *out ? TERN_OK : TERN_ENOMEM;
}

FN(trim)
{
    tern_value *s = NULL, *set = NULL;
    const char *p, *cut;
    size_t len;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)) ||
        (error = tern__arg_string(c, args, 1, &set))) {
        tern_value_decref(s);
        return error;
    }
    p = tern_value_get_string(s);
    cut = tern_value_get_string(set);
    len = tern_value_string_len(s);
    while (len && *p && strchr(cut, *p)) {
        p++;
        len--;
    }
    while (len && strchr(cut, p[len - 1]))
        len--;
    *out = tern_value_stringn(p, len);
    tern_value_decref(s);
    tern_value_decref(set);
    return *out ? TERN_OK : TERN_ENOMEM;
}

FN(strrev)
{
    tern_value *s = NULL;
    const char *p;
    char *r;
    size_t len, i;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    p = tern_value_get_string(s);
    len = tern_value_string_len(s);
    r = tern_malloc(len + 1);
    if (!r) {
        tern_value_decref(s);
        return TERN_ENOMEM;
    }
    for (i = 0; i < len;) {
        size_t k = tern__utf8_next(p + i, len - i);

        memcpy(r + len - i - k, p + i, k);
        i += k;
    }
    r[len] = '\0';
    tern_value_decref(s);
    return tern__fret(out, tern_value_string_own(r, len));
}

/* Byte offset of code point @cp in s, or len. */
static size_t cp_offset(const char *s, size_t len, size_t cp)
{
    size_t i = 0;

    while (cp > 0 && i < len) {
        i += tern__utf8_next(s + i, len - i);
        cp--;
    }
    return i;
}

FN(substr)
{
    tern_value *s = NULL;
    int64_t off, length;
    size_t chars, from, to;
    const char *p;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    if ((error = tern__arg_int(c, args, 1, &off)) ||
        (error = tern__arg_int(c, args, 2, &length))) {
        tern_value_decref(s);
        return error;
    }
    p = tern_value_get_string(s);
    chars = tern__utf8_count(p, tern_value_string_len(s));
    if (off < 0)
        off += (int64_t)chars;
    if (off < 0)
        off = 0;
    if ((size_t)off > chars)
        off = (int64_t)chars;
    if (length < 0 || (size_t)(off + length) > chars)
        length = (int64_t)chars - off;
    from = cp_offset(p, tern_value_string_len(s), (size_t)off);
    to = cp_offset(p, tern_value_string_len(s), (size_t)(off + length));
    *out = tern_value_stringn(p + from, to - from);
    tern_value_decref(s);
    return *out ? TERN_OK : TERN_ENOMEM;
}

FN(indent)
{
    tern_value *s = NULL;
    tern_buf b = TERN_BUF_INIT;
    int64_t spaces;
    const char *p;
    int error;

    (void)n;
    if ((error = tern__arg_int(c, args, 0, &spaces)) ||
        (error = tern__arg_string(c, args, 1, &s)))
        return error;
    for (p = tern_value_get_string(s); *p; p++) {
        tern_buf_putc(&b, *p);
        if (*p == '\n' && p[1])
            tern_buf_printf(&b, "%*s", (int)(spaces > 1000 ? 1000 : spaces),
                            "");
        if (b.len > TERN_LANG_MAX_STRING) {
            tern_value_decref(s);
            tern_buf_release(&b);
            tern__farg_error(c, 1, "the result would be longer than %zu bytes.",
                             TERN_LANG_MAX_STRING);
            return TERN_ERROR;
        }
    }
    tern_value_decref(s);
    return tern__fret_buf(out, &b);
}

FN(urlencode)
{
    tern_value *s = NULL;
    tern_buf b = TERN_BUF_INIT;
    const unsigned char *p;
    size_t i;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    /* Go's url.QueryEscape: a space is "+", the unreserved characters
     * stay, every other byte is %XX. */
    p = (const unsigned char *)tern_value_get_string(s);
    for (i = 0; i < tern_value_string_len(s); i++) {
        if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
            (p[i] >= '0' && p[i] <= '9') || (p[i] && strchr("-._~", p[i])))
            tern_buf_putc(&b, (char)p[i]);
        else if (p[i] == ' ')
            tern_buf_putc(&b, '+');
        else
            tern_buf_printf(&b, "%%%02X", p[i]);
    }
    tern_value_decref(s);
    return tern__fret_buf(out, &b);
}

/* ---- Regular expressions -----------------------------------------------
 */

#define MAX_GROUPS 32

struct re {
    regex_t rx;
    int compiled;
    size_t ngroups;              /* POSIX groups */
    int capture[MAX_GROUPS + 1]; /* group -> capturing? */
    char *names[MAX_GROUPS + 1]; /* group -> name or NULL */
    size_t ncaptures, nnamed;
};

static void re_free(struct re *re)
{
    size_t i;

    if (re->compiled)
        regfree(&re->rx);
    for (i = 0; i <= MAX_GROUPS; i++)
        tern_free(re->names[i]);
}

/* The room for a translation error's text. */
#define RE_MSG_LEN 256

/* An RE2 escape (the character after the backslash) in POSIX ERE: a
 * class by name, or the character itself. -1: not supported (msg). */
static int re_escape(char e, int in_bracket, tern_buf *b, char *msg)
{
    const char *rep = NULL;

    switch (e) {
    case 'd':
        rep = in_bracket ? "0-9" : "[0-9]";
        break;
    case 'D':
        rep = in_bracket ? NULL : "[^0-9]";
        break;
    case 's':
        rep = in_bracket ? "[:space:]" : "[[:space:]]";
        break;
    case 'S':
        rep = in_bracket ? NULL : "[^[:space:]]";
        break;
    case 'w':
        rep = in_bracket ? "[:alnum:]_" : "[[:alnum:]_]";
        break;
    case 'W':
        rep = in_bracket ? NULL : "[^[:alnum:]_]";
        break;
    case 'A':
        rep = "^";
        break;
    case 'z':
        rep = "$";
        break;
    case 'n':
        rep = "\n";
        break;
    case 't':
        rep = "\t";
        break;
    case 'p':
    case 'P':
    case 'b':
    case 'B':
        snprintf(msg, RE_MSG_LEN,
                 "the escape \\%c is not supported in regular "
                 "expressions here.",
                 e);
        return -1;
    default:
        if (in_bracket) {
            /* POSIX brackets have no escapes: take it literally. */
            if (e == ']' || e == '\\' || e == '-' || e == '^') {
                snprintf(msg, RE_MSG_LEN,
                         "the escape \\%c inside brackets is not "
                         "supported here.",
                         e);
                return -1;
            }
            tern_buf_putc(b, e);
        } else {
            tern_buf_putc(b, '\\');
            tern_buf_putc(b, e);
        }
        return 0;
    }
    if (!rep) {
        snprintf(msg, RE_MSG_LEN,
                 "the escape \\%c inside brackets is not supported "
                 "here.",
                 e);
        return -1;
    }
    tern_buf_puts(b, rep);
    return 0;
}

/* The repetitions RE2 refuses at p: non-greedy ones, stacked ones
 * ("a**"), counts over 1000, and (nested counts multiplying in regcomp's
 * tree) more than two counted ones. -1: refused (msg). */
static int re_repeat(const char *p, int *counted, char *msg)
{
    const char *q = p + 1;

    if ((*p == '*' || *p == '+' || *p == '?' || *p == '}') && p[1] == '?') {
        snprintf(msg, RE_MSG_LEN,
                 "non-greedy repetition (%c?) is not supported.", *p);
        return -1;
    }
    /* RE2 refuses stacked repetition ("a**") and counts over 1000;
     * so do we, which also keeps regcomp from building huge trees. */
    if ((*p == '*' || *p == '+' || *p == '?') &&
        (p[1] == '*' || p[1] == '+' || p[1] == '{')) {
        snprintf(msg, RE_MSG_LEN, "bad repetition operator: %c%c.", *p, p[1]);
        return -1;
    }
    if (!(*p == '{' && p[1] >= '0' && p[1] <= '9'))
        return 0;
    while ((*q >= '0' && *q <= '9') || *q == ',') {
        if (*q != ',' && strtoul(q, NULL, 10) > 1000) {
            snprintf(msg, RE_MSG_LEN, "bad repetition count: more than 1000.");
            return -1;
        }
        while (*q >= '0' && *q <= '9')
            q++;
        if (*q == ',')
            q++;
    }
    if (*q == '}' && (q[1] == '*' || q[1] == '+' || q[1] == '{')) {
        snprintf(msg, RE_MSG_LEN, "bad repetition operator.");
        return -1;
    }
    if (++*counted > 2) {
        /* Nested counts multiply in regcomp's tree. */
        snprintf(msg, RE_MSG_LEN,
                 "at most two counted repetitions are supported.");
        return -1;
    }
    return 0;
}

/* A group opening at *pp: counted, capturing unless (?:, named for
 * (?P<name> or (?<name>, *pp left on its last character. -1: not
 * supported (msg). */
static int re_group(struct re *re, const char **pp, char *msg)
{
    const char *p = *pp;

    if (re->ngroups >= MAX_GROUPS) {
        snprintf(msg, RE_MSG_LEN, "too many groups.");
        return -1;
    }
    re->ngroups++;
    if (p[1] != '?') {
        re->capture[re->ngroups] = 1;
        re->ncaptures++;
    } else if (p[2] == ':') {
        p += 2;
    } else if ((p[2] == 'P' && p[3] == '<') || p[2] == '<') {
        const char *name = p + (p[2] == 'P' ? 4 : 3);
        const char *end = strchr(name, '>');

        if (!end) {
            snprintf(msg, RE_MSG_LEN,
                     "unterminated group "
                     "name.");
            return -1;
        }
        re->names[re->ngroups] = tern_strndup(name, (size_t)(end - name));
        re->capture[re->ngroups] = 1;
        re->ncaptures++;
        re->nnamed++;
        p = end;
    } else {
        snprintf(msg, RE_MSG_LEN, "the group syntax (?%c is not supported.",
                 p[2]);
        return -1;
    }
    *pp = p;
    return 0;
}

/* RE2 syntax at p into POSIX ERE in b. -1: not supported (msg). */
static int re_translate(struct re *re, const char *p, tern_buf *b, char *msg)
{
    int in_bracket = 0, counted = 0;

    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            if (re_escape(*p, in_bracket, b, msg))
                return -1;
            continue;
        }
        if (in_bracket) {
            if (*p == ']' && !(p[-1] == '[' || (p[-1] == '^' && p[-2] == '[')))
                in_bracket = 0;
            tern_buf_putc(b, *p);
            continue;
        }
        if (*p == '[') {
            in_bracket = 1;
            tern_buf_putc(b, *p);
            continue;
        }
        if (re_repeat(p, &counted, msg))
            return -1;
        if (*p == '(') {
            if (re_group(re, &p, msg))
                return -1;
            tern_buf_putc(b, '(');
            continue;
        }
        tern_buf_putc(b, *p);
    }
    return 0;
}

/* Translate RE2 syntax to POSIX ERE; see the comment at the top. */
static int re_compile(struct tern__fcall *c, size_t argi, const char *pat,
                      struct re *re)
{
    tern_buf b = TERN_BUF_INIT;
    int flags = REG_EXTENDED, rc;
    const char *p = pat;
    char msg[RE_MSG_LEN];

    memset(re, 0, sizeof(*re));
    if (strlen(p) > 4096) {
        tern__farg_error(c, argi, "the regular expression is too long.");
        return TERN_ERROR;
    }
    if (strncmp(p, "(?i)", 4) == 0) {
        flags |= REG_ICASE;
        p += 4;
    }
    if (re_translate(re, p, &b, msg))
        goto unsupported;
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return TERN_ENOMEM;
    }
    rc = regcomp(&re->rx, tern_buf_cstr(&b), flags);
    tern_buf_release(&b);
    if (rc != 0) {
        regerror(rc, NULL, msg, sizeof(msg));
        tern__farg_error(c, argi, "invalid regular expression: %s.", msg);
        re_free(re);
        return TERN_ERROR;
    }
    re->compiled = 1;
    if (re->nnamed && re->nnamed != re->ncaptures) {
        tern__farg_error(c, argi,
                         "invalid regular expression: named and unnamed "
                         "capture groups cannot be mixed.");
        re_free(re);
        return TERN_ERROR;
    }
    return TERN_OK;

unsupported:
    tern_buf_release(&b);
    tern__farg_error(c, argi, "invalid regular expression: %s", msg);
    re_free(re);
    return TERN_ERROR;
}

/* The value regex() returns for one match. */
static tern_value *re_result(const struct re *re, const char *s,
                             const regmatch_t *m)
{
    tern_value *v;
    size_t g;

    if (re->ncaptures == 0)
        return tern_value_stringn(s + m[0].rm_so,
                                  (size_t)(m[0].rm_eo - m[0].rm_so));
    v = re->nnamed ? tern_value_object_new() : tern_value_list_new();
    for (g = 1; v && g <= re->ngroups; g++) {
        tern_value *sub;

        if (!re->capture[g])
            continue;
        sub = m[g].rm_so < 0
                  ? tern_value_string("")
                  : tern_value_stringn(s + m[g].rm_so,
                                       (size_t)(m[g].rm_eo - m[g].rm_so));
        if (re->nnamed ? tern_value_object_set(v, re->names[g], sub)
                       : tern_value_list_append(v, sub)) {
            tern_value_decref(v);
            return NULL;
        }
    }
    return v;
}

static int do_regex(struct tern__fcall *c, tern_value **args, tern_value **out,
                    int all)
{
    tern_value *pat = NULL, *str = NULL, *list = NULL;
    regmatch_t m[MAX_GROUPS + 1];
    struct re re;
    const char *s;
    size_t off = 0, len;
    int error, matched = 0;

    if ((error = tern__arg_string(c, args, 0, &pat)) ||
        (error = tern__arg_string(c, args, 1, &str)))
        goto done;
    if ((error = re_compile(c, 0, tern_value_get_string(pat), &re)))
        goto done;
    s = tern_value_get_string(str);
    len = tern_value_string_len(str);
    if (all && !(list = tern_value_list_new())) {
        error = TERN_ENOMEM;
        goto free_re;
    }
    while (off <= len) {
        if (regexec(&re.rx, s + off, MAX_GROUPS + 1, m, off ? REG_NOTBOL : 0) !=
            0)
            break;
        /* As Go's regexp: an empty match right after a match is skipped. */
        if (m[0].rm_so == m[0].rm_eo && m[0].rm_so == 0 && matched) {
            off++;
            matched = 0;
            continue;
        }
        if (!all) {
            *out = re_result(&re, s + off, m);
            error = *out ? TERN_OK : TERN_ENOMEM;
            goto free_re;
        }
        if (tern_value_list_append(list, re_result(&re, s + off, m))) {
            error = TERN_ENOMEM;
            goto free_re;
        }
        matched = m[0].rm_eo > m[0].rm_so;
        off += (size_t)(m[0].rm_eo > m[0].rm_so ? m[0].rm_eo : m[0].rm_so + 1);
    }
    if (all) {
        *out = list;
        list = NULL;
    } else {
        tern__farg_error(c, 1,
                         "pattern did not match any part of the given "
                         "string.");
        error = TERN_ERROR;
    }

free_re:
    re_free(&re);
done:
    tern_value_decref(list);
    tern_value_decref(pat);
    tern_value_decref(str);
    return error;
}

FN(regex)
{
    (void)n;
    return do_regex(c, args, out, 0);
}

FN(regexall)
{
    (void)n;
    return do_regex(c, args, out, 1);
}

/* Expand $1, ${1}, ${name} and $$ in a regex replacement. */
static void re_expand(tern_buf *b, const struct re *re, const char *repl,
                      const char *s, const regmatch_t *m)
{
    const char *p;

    for (p = repl; *p; p++) {
        size_t g = 0;
        int found = 0;

        if (*p != '$') {
            tern_buf_putc(b, *p);
            continue;
        }
        if (p[1] == '$') {
            tern_buf_putc(b, '$');
            p++;
            continue;
        }
        if (p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            size_t k, nlen;

            if (!end) {
                tern_buf_putc(b, '$');
                continue;
            }
            nlen = (size_t)(end - (p + 2));
            if (nlen && strspn(p + 2, "0123456789") == nlen) {
                g = (size_t)strtoul(p + 2, NULL, 10);
                found = 1;
            } else {
                for (k = 1; k <= re->ngroups; k++)
                    if (re->names[k] && strlen(re->names[k]) == nlen &&
                        memcmp(re->names[k], p + 2, nlen) == 0) {
                        g = k;
                        found = 1;
                    }
            }
            p = end;
        } else if (p[1] >= '0' && p[1] <= '9') {
            while (p[1] >= '0' && p[1] <= '9')
                g = g * 10 + (size_t)(*++p - '0');
            found = 1;
        } else {
            tern_buf_putc(b, '$');
            continue;
        }
        if (found && g <= re->ngroups && m[g].rm_so >= 0)
            tern_buf_put(b, s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
    }
}

FN(replace)
{
    tern_value *str = NULL, *sub = NULL, *rep = NULL;
    tern_buf b = TERN_BUF_INIT;
    const char *s, *pat;
    size_t len, plen;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &str)) ||
        (error = tern__arg_string(c, args, 1, &sub)) ||
        (error = tern__arg_string(c, args, 2, &rep)))
        goto done;
    s = tern_value_get_string(str);
    len = tern_value_string_len(str);
    pat = tern_value_get_string(sub);
    plen = tern_value_string_len(sub);
    if (plen >= 2 && pat[0] == '/' && pat[plen - 1] == '/') {
        struct re re;
        regmatch_t m[MAX_GROUPS + 1];
        char *inner = tern_strndup(pat + 1, plen - 2);
        size_t off = 0;
        int matched = 0;

        if (!inner) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = re_compile(c, 1, inner, &re);
        tern_free(inner);
        if (error)
            goto done;
        while (off <= len && regexec(&re.rx, s + off, MAX_GROUPS + 1, m,
                                     off ? REG_NOTBOL : 0) == 0) {
            size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;

            if (so == eo && so == 0 && matched) {
                /* An empty match right after a match is skipped. */
                if (off < len)
                    tern_buf_putc(&b, s[off]);
                off++;
                matched = 0;
                continue;
            }
            tern_buf_put(&b, s + off, so);
            re_expand(&b, &re, tern_value_get_string(rep), s + off, m);
            if (b.len > TERN_LANG_MAX_STRING) {
                re_free(&re);
                goto too_long;
            }
            if (eo == so) {
                if (off + so < len)
                    tern_buf_putc(&b, s[off + so]);
                off += so + 1;
                matched = 0;
            } else {
                off += eo;
                matched = 1;
            }
        }
        if (off < len)
            tern_buf_put(&b, s + off, len - off);
        re_free(&re);
    } else if (plen == 0) {
        tern_buf_put(&b, s, len);
    } else {
        const char *p = s, *hit, *end = s + len;

        while ((hit = memmem(p, (size_t)(end - p), pat, plen)) != NULL) {
            tern_buf_put(&b, p, (size_t)(hit - p));
            tern_buf_put(&b, tern_value_get_string(rep),
                         tern_value_string_len(rep));
            p = hit + plen;
            if (b.len > TERN_LANG_MAX_STRING)
                goto too_long;
        }
        tern_buf_put(&b, p, (size_t)(end - p));
    }
    if (b.len > TERN_LANG_MAX_STRING) {
    too_long:
        /* replace(s, "a", s) on 100k characters asked for 10 GB (issue
         * 20, finding 7). */
        tern__farg_error(c, 0, "the result would be longer than %zu bytes.",
                         TERN_LANG_MAX_STRING);
        error = TERN_ERROR;
        goto done;
    }
    error = tern__fret_buf(out, &b);

done:
    tern_buf_release(&b);
    tern_value_decref(str);
    tern_value_decref(sub);
    tern_value_decref(rep);
    return error;
}

/* ---- Collections -------------------------------------------------------
 */

FN(length)
{
    const tern_value *v = args[0];

    (void)c;
    (void)n;
    switch (tern_value_kind(v)) {
    case TERN_VAL_UNKNOWN:
        return tern__fret(out, tern_value_unknown());
    case TERN_VAL_STRING:
        return tern__fret(
            out, tern_value_int((int64_t)tern__utf8_count(
                     tern_value_get_string(v), tern_value_string_len(v))));
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
    case TERN_VAL_OBJECT:
        return tern__fret(out, tern_value_int((int64_t)tern_value_length(v)));
    default:
        tern__farg_error(c, 0,
                         "argument must be a string, a collection type, or "
                         "a structural type, but have %s.",
                         tern__type_name(v));
        return TERN_ERROR;
    }
}

FN(concat)
{
    tern_value *list = tern_value_list_new();
    size_t i, j;

    if (!list)
        return TERN_ENOMEM;
    for (i = 0; i < n; i++) {
        if (tern_value_is_unknown(args[i])) {
            tern_value_decref(list);
            return tern__fret(out, tern_value_unknown());
        }
        if (tern__arg_list(c, args, i)) {
            tern_value_decref(list);
            return TERN_ERROR;
        }
        for (j = 0; j < tern_value_length(args[i]); j++)
            if (tern_value_list_append(
                    list, tern_value_incref(tern_value_list_get(args[i], j)))) {
                tern_value_decref(list);
                return TERN_ENOMEM;
            }
    }
    return tern__fret(out, list);
}

FN(merge)
{
    tern_value *obj = tern_value_object_new();
    size_t i, j;

    if (!obj)
        return TERN_ENOMEM;
    for (i = 0; i < n; i++) {
        if (tern_value_is_null(args[i]))
            continue;
        if (tern__arg_object(c, args, i)) {
            tern_value_decref(obj);
            return TERN_ERROR;
        }
        for (j = 0; j < tern_value_length(args[i]); j++)
            if (tern_value_object_set(
                    obj, tern_value_object_key(args[i], j),
                    tern_value_incref(tern_value_object_value(args[i], j)))) {
                tern_value_decref(obj);
                return TERN_ENOMEM;
            }
    }
    return tern__fret(out, obj);
}

FN(lookup)
{
    tern_value *key = NULL, *v;
    int error;

    if ((error = tern__arg_object(c, args, 0)) ||
        (error = tern__arg_string(c, args, 1, &key)))
        return error;
    v = tern_value_object_get(args[0], tern_value_get_string(key));
    if (v) {
        *out = tern_value_incref(v);
    } else if (n == 3) {
        *out = tern_value_incref(args[2]);
    } else {
        tern__farg_error(c, 1,
                         "the given key \"%s\" is not present in the map, "
                         "and no default value was given.",
                         tern_value_get_string(key));
        error = TERN_ERROR;
    }
    tern_value_decref(key);
    return error;
}

FN(element)
{
    int64_t i;
    size_t len;
    int error;

    (void)n;
    if ((error = tern__arg_list(c, args, 0)) ||
        (error = tern__arg_int(c, args, 1, &i)))
        return error;
    len = tern_value_length(args[0]);
    if (len == 0) {
        tern__farg_error(c, 0,
                         "cannot use element function with an empty "
                         "list.");
        return TERN_ERROR;
    }
    if (i < 0) {
        tern__farg_error(c, 1,
                         "cannot use element function with a negative "
                         "index.");
        return TERN_ERROR;
    }
    return tern__fret(
        out, tern_value_incref(tern_value_list_get(args[0], (size_t)i % len)));
}

FN(keys)
{
    tern_value *list;
    size_t i;

    (void)n;
    if (tern__arg_object(c, args, 0))
        return TERN_ERROR;
    list = tern_value_list_new();
    for (i = 0; list && i < tern_value_length(args[0]); i++)
        if (tern_value_list_append(
                list, tern_value_string(tern_value_object_key(args[0], i)))) {
            tern_value_decref(list);
            return TERN_ENOMEM;
        }
    return tern__fret(out, list);
}

FN(values)
{
    tern_value *list;
    size_t i;

    (void)n;
    if (tern__arg_object(c, args, 0))
        return TERN_ERROR;
    list = tern_value_list_new();
    for (i = 0; list && i < tern_value_length(args[0]); i++)
        if (tern_value_list_append(
                list, tern_value_incref(tern_value_object_value(args[0], i)))) {
            tern_value_decref(list);
            return TERN_ENOMEM;
        }
    return tern__fret(out, list);
}

long tern__seq_index(const tern_value *list, const tern_value *v)
{
    size_t i;

    for (i = 0; i < tern_value_length(list); i++)
        if (tern_value_equal(tern_value_list_get(list, i), v))
            return (long)i;
    return -1;
}

FN(contains)
{
    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    return tern__fret(out,
                      tern_value_bool(tern__seq_index(args[0], args[1]) >= 0));
}

FN(index)
{
    long i;

    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    i = tern__seq_index(args[0], args[1]);
    if (i < 0) {
        tern__farg_error(c, 1, "item not found.");
        return TERN_ERROR;
    }
    return tern__fret(out, tern_value_int(i));
}

struct distinct_ix {
    const tern_value *v;
    size_t i;
};

static int distinct_cmp(const void *pa, const void *pb)
{
    const struct distinct_ix *a = pa, *b = pb;
    int c = tern_value_compare(a->v, b->v);

    return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* The first of each value, in order: sorted by value, then position, so
 * n log n (comparing each element with every kept one took 30 s for 1e5
 * elements, issue 20 finding 7). */
FN(distinct)
{
    tern_value *list = NULL;
    struct distinct_ix *ix = NULL;
    unsigned char *keep = NULL;
    size_t i, len;
    int error = TERN_OK;

    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    len = tern_value_length(args[0]);
    ix = tern_calloc(len ? len : 1, sizeof(*ix));
    keep = tern_calloc(len ? len : 1, 1);
    list = tern_value_list_new();
    if (!ix || !keep || !list) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (i = 0; i < len; i++) {
        ix[i].v = tern_value_list_get(args[0], i);
        ix[i].i = i;
    }
    qsort(ix, len, sizeof(*ix), distinct_cmp);
    for (i = 0; i < len; i++)
        keep[ix[i].i] = i == 0 || tern_value_compare(ix[i - 1].v, ix[i].v) != 0;
    for (i = 0; i < len; i++) {
        if (keep[i] &&
            tern_value_list_append(
                list, tern_value_incref(tern_value_list_get(args[0], i)))) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    error = tern__fret(out, list);
    list = NULL;
done:
    tern_value_decref(list);
    tern_free(ix);
    tern_free(keep);
    return error;
}

static int flatten_into(tern_value *list, const tern_value *v)
{
    size_t i;

    for (i = 0; i < tern_value_length(v); i++) {
        tern_value *e = tern_value_list_get(v, i);

        if (tern__is_seq(e)) {
            if (flatten_into(list, e))
                return TERN_ENOMEM;
        } else if (tern_value_list_append(list, tern_value_incref(e))) {
            return TERN_ENOMEM;
        }
    }
    return TERN_OK;
}

FN(flatten)
{
    tern_value *list;

    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    list = tern_value_list_new();
    if (!list || flatten_into(list, args[0])) {
        tern_value_decref(list);
        return TERN_ENOMEM;
    }
    return tern__fret(out, list);
}

FN(coalesce)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (tern_value_is_null(args[i]))
            continue;
        if (tern_value_kind(args[i]) == TERN_VAL_STRING &&
            tern_value_string_len(args[i]) == 0)
            continue;
        return tern__fret(out, tern_value_incref(args[i]));
    }
    tern__farg_error(c, n, "no non-null, non-empty-string arguments.");
    return TERN_ERROR;
}

FN(coalescelist)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (tern_value_is_null(args[i]))
            continue;
        if (tern__arg_list(c, args, i))
            return TERN_ERROR;
        if (tern_value_length(args[i]) > 0)
            return tern__fret(out, tern_value_incref(args[i]));
    }
    tern__farg_error(c, n, "no non-null arguments.");
    return TERN_ERROR;
}

FN(compact)
{
    tern_value *list;
    size_t i;

    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    list = tern_value_list_new();
    for (i = 0; list && i < tern_value_length(args[0]); i++) {
        tern_value *e = tern_value_list_get(args[0], i), *s;

        if (tern_value_is_null(e))
            continue;
        s = tern__convert_string(e);
        if (!s) {
            tern__farg_error(c, 0, "element %zu: string required.", i);
            tern_value_decref(list);
            return TERN_ERROR;
        }
        if (tern_value_string_len(s) == 0) {
            tern_value_decref(s);
            continue;
        }
        if (tern_value_list_append(list, s)) {
            tern_value_decref(list);
            return TERN_ENOMEM;
        }
    }
    return tern__fret(out, list);
}

FN(reverse)
{
    tern_value *list;
    size_t i, len;

    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    len = tern_value_length(args[0]);
    list = tern_value_list_new();
    for (i = len; list && i > 0; i--)
        if (tern_value_list_append(
                list, tern_value_incref(tern_value_list_get(args[0], i - 1)))) {
            tern_value_decref(list);
            return TERN_ENOMEM;
        }
    return tern__fret(out, list);
}

static int cmp_strings(const void *a, const void *b)
{
    return tern_value_compare(*(tern_value *const *)a, *(tern_value *const *)b);
}

FN(sort)
{
    tern_value **items = NULL, *list = NULL;
    size_t i, len;
    int error = TERN_OK;

    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    len = tern_value_length(args[0]);
    items = tern_calloc(len ? len : 1, sizeof(*items));
    if (!items)
        return TERN_ENOMEM;
    for (i = 0; i < len; i++) {
        const tern_value *e = tern_value_list_get(args[0], i);

        items[i] = tern_value_is_null(e) ? NULL : tern__convert_string(e);
        if (!items[i]) {
            tern__farg_error(c, 0, "element %zu: string required.", i);
            error = TERN_ERROR;
            goto done;
        }
    }
    if (len > 1)
        qsort(items, len, sizeof(*items), cmp_strings);
    list = tern_value_list_new();
    for (i = 0; list && i < len; i++) {
        error = tern_value_list_append(list, items[i]);
        items[i] = NULL;
        if (error)
            goto done;
    }
    error = tern__fret(out, list);
    list = NULL;

done:
    for (i = 0; i < len; i++)
        tern_value_decref(items[i]);
    tern_free(items);
    tern_value_decref(list);
    return error;
}

FN(slice)
{
    int64_t from, to;
    tern_value *list;
    size_t len;
    int error;

    (void)n;
    if ((error = tern__arg_list(c, args, 0)) ||
        (error = tern__arg_int(c, args, 1, &from)) ||
        (error = tern__arg_int(c, args, 2, &to)))
        return error;
    len = tern_value_length(args[0]);
    if (from < 0 || to < from || (size_t)to > len) {
        tern__farg_error(c, 1,
                         "the indices %lld..%lld are out of range for a "
                         "list of %zu elements.",
                         (long long)from, (long long)to, len);
        return TERN_ERROR;
    }
    list = tern_value_list_new();
    for (; list && from < to; from++)
        if (tern_value_list_append(list, tern_value_incref(tern_value_list_get(
                                             args[0], (size_t)from)))) {
            tern_value_decref(list);
            return TERN_ENOMEM;
        }
    return tern__fret(out, list);
}

FN(one)
{
    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    switch (tern_value_length(args[0])) {
    case 0:
        return tern__fret(out, tern_value_null());
    case 1:
        return tern__fret(out,
                          tern_value_incref(tern_value_list_get(args[0], 0)));
    default:
        tern__farg_error(c, 0,
                         "must be a list, set, or tuple value with "
                         "either zero or one elements.");
        return TERN_ERROR;
    }
}

static int bool_fold(struct tern__fcall *c, tern_value **args, tern_value **out,
                     int all)
{
    size_t i;

    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    for (i = 0; i < tern_value_length(args[0]); i++) {
        tern_value *b = tern__convert_bool(tern_value_list_get(args[0], i));
        int v = b && tern_value_get_bool(b);

        tern_value_decref(b);
        if (v != all)
            return tern__fret(out, tern_value_bool(!all));
    }
    return tern__fret(out, tern_value_bool(all));
}

FN(alltrue)
{
    (void)n;
    return bool_fold(c, args, out, 1);
}

FN(anytrue)
{
    (void)n;
    return bool_fold(c, args, out, 0);
}

FN(zipmap)
{
    tern_value *obj, *k;
    size_t i, len;

    (void)n;
    if (tern__arg_list(c, args, 0) || tern__arg_list(c, args, 1))
        return TERN_ERROR;
    len = tern_value_length(args[0]);
    if (len != tern_value_length(args[1])) {
        tern__farg_error(c, 1,
                         "number of keys (%zu) does not match number of "
                         "values (%zu).",
                         len, tern_value_length(args[1]));
        return TERN_ERROR;
    }
    obj = tern_value_object_new();
    for (i = 0; obj && i < len; i++) {
        k = tern__convert_string(tern_value_list_get(args[0], i));
        if (!k) {
            tern__farg_error(c, 0, "element %zu: string required.", i);
            tern_value_decref(obj);
            return TERN_ERROR;
        }
        if (tern_value_object_set(
                obj, tern_value_get_string(k),
                tern_value_incref(tern_value_list_get(args[1], i)))) {
            tern_value_decref(k);
            tern_value_decref(obj);
            return TERN_ENOMEM;
        }
        tern_value_decref(k);
    }
    return tern__fret(out, obj);
}

static int set_op(struct tern__fcall *c, tern_value **args, size_t n,
                  tern_value **out, int op)
{
    tern_value *list = tern_value_list_new();
    size_t i, j, k;

    if (!list)
        return TERN_ENOMEM;
    for (i = 0; i < n; i++)
        if (tern__arg_list(c, args, i)) {
            tern_value_decref(list);
            return TERN_ERROR;
        }
    for (i = 0; i < (op == 0 ? n : 1); i++) {
        for (j = 0; j < tern_value_length(args[i]); j++) {
            tern_value *e = tern_value_list_get(args[i], j);
            int keep = 1;

            for (k = 1; op != 0 && k < n; k++) {
                int in = tern__seq_index(args[k], e) >= 0;

                if ((op == 1 && !in) || (op == 2 && in))
                    keep = 0;
            }
            if (keep && tern_value_list_append(list, tern_value_incref(e))) {
                tern_value_decref(list);
                return TERN_ENOMEM;
            }
        }
    }
    return tern__fret(out, tern_value_set_finish(list));
}

FN(setunion)
{
    return set_op(c, args, n, out, 0);
}

FN(setintersection)
{
    return set_op(c, args, n, out, 1);
}

FN(setsubtract)
{
    return set_op(c, args, n, out, 2);
}

/* ---- Type conversion ---------------------------------------------------
 */

FN(tostring)
{
    (void)n;
    if (tern_value_is_null(args[0]))
        return tern__fret(out, tern_value_null());
    *out = tern__convert_string(args[0]);
    if (!*out) {
        tern__farg_error(c, 0, "cannot convert %s to string.",
                         tern__type_name(args[0]));
        return TERN_ERROR;
    }
    return TERN_OK;
}

FN(tonumber)
{
    (void)n;
    if (tern_value_is_null(args[0]))
        return tern__fret(out, tern_value_null());
    *out = tern__convert_number(args[0]);
    if (!*out) {
        tern__farg_error(c, 0, "cannot convert %s to number.",
                         tern_value_kind(args[0]) == TERN_VAL_STRING
                             ? "this string"
                             : tern__type_name(args[0]));
        return TERN_ERROR;
    }
    return TERN_OK;
}

FN(tobool)
{
    (void)n;
    if (tern_value_is_null(args[0]))
        return tern__fret(out, tern_value_null());
    *out = tern__convert_bool(args[0]);
    if (!*out) {
        tern__farg_error(c, 0, "cannot convert %s to bool.",
                         tern_value_kind(args[0]) == TERN_VAL_STRING
                             ? "this string"
                             : tern__type_name(args[0]));
        return TERN_ERROR;
    }
    return TERN_OK;
}

/*
 * Make the elements of a collection one type, as Terraform's list and map
 * conversions do: mixed primitives become strings; mixed structural and
 * primitive values cannot be unified.
 */
int tern__unify(struct tern__fcall *c, const tern_value *coll, int is_obj,
                tern_value **out)
{
    size_t i, len = tern_value_length(coll);
    int kinds = 0, to_string;
    tern_value *r;

    for (i = 0; i < len; i++) {
        const tern_value *e = is_obj ? tern_value_object_value(coll, i)
                                     : tern_value_list_get(coll, i);

        if (tern_value_is_null(e) || tern_value_is_unknown(e))
            continue;
        kinds |= 1 << tern_value_kind(e);
    }
    to_string = (kinds & ((1 << TERN_VAL_BOOL) | (1 << TERN_VAL_NUMBER) |
                          (1 << TERN_VAL_STRING))) &&
                (kinds & (kinds - 1));
    if (to_string && (kinds & ~((1 << TERN_VAL_BOOL) | (1 << TERN_VAL_NUMBER) |
                                (1 << TERN_VAL_STRING)))) {
        tern__farg_error(c, 0, "all elements must have the same type.");
        return TERN_ERROR;
    }
    r = is_obj ? tern_value_object_new() : tern_value_list_new();
    for (i = 0; r && i < len; i++) {
        tern_value *e = is_obj ? tern_value_object_value(coll, i)
                               : tern_value_list_get(coll, i);
        tern_value *v =
            to_string && !tern_value_is_null(e) && !tern_value_is_unknown(e)
                ? tern__convert_string(e)
                : tern_value_incref(e);

        if (is_obj ? tern_value_object_set(r, tern_value_object_key(coll, i), v)
                   : tern_value_list_append(r, v)) {
            tern_value_decref(r);
            return TERN_ENOMEM;
        }
    }
    return tern__fret(out, r);
}

FN(tolist)
{
    (void)n;
    if (tern_value_is_null(args[0]))
        return tern__fret(out, tern_value_null());
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    return tern__unify(c, args[0], 0, out);
}

FN(toset)
{
    int error;

    (void)n;
    if (tern_value_is_null(args[0]))
        return tern__fret(out, tern_value_null());
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    error = tern__unify(c, args[0], 0, out);
    if (!error)
        *out = tern_value_set_finish(*out);
    return error == TERN_OK && !*out ? TERN_ENOMEM : error;
}

FN(tomap)
{
    (void)n;
    if (tern_value_is_null(args[0]))
        return tern__fret(out, tern_value_null());
    if (tern__arg_object(c, args, 0))
        return TERN_ERROR;
    return tern__unify(c, args[0], 1, out);
}

FN(sensitive)
{
    (void)c;
    (void)n;
    return tern__fret(out,
                      tern_value_mark_sensitive(tern_value_incref(args[0])));
}

FN(nonsensitive)
{
    (void)c;
    (void)n;
    return tern__fret(out, tern_value_unmark_deep(tern_value_incref(args[0])));
}

FN(issensitive)
{
    (void)c;
    (void)n;
    return tern__fret(out, tern_value_bool(tern_value_is_sensitive(args[0])));
}

/* Removed in Terraform v0.12; kept so that old configurations get
 * Terraform's message rather than "no function named". */
FN(list)
{
    (void)args;
    (void)n;
    (void)out;
    tern__farg_error(c, c->nargs_ranges,
                     "the \"list\" function was deprecated in Terraform "
                     "v0.12 and is no longer available; use tolist([ ... ]) "
                     "syntax to write a literal list.");
    return TERN_ERROR;
}

FN(map)
{
    (void)args;
    (void)n;
    (void)out;
    tern__farg_error(c, c->nargs_ranges,
                     "the \"map\" function was deprecated in Terraform "
                     "v0.12 and is no longer available; use tomap({ ... }) "
                     "syntax to write a literal map.");
    return TERN_ERROR;
}

/* ---- Numbers -----------------------------------------------------------
 */

static int minmax(struct tern__fcall *c, tern_value **args, size_t n,
                  tern_value **out, int want)
{
    tern_value *best = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        tern_value *v = tern__convert_number(args[i]);

        if (!v) {
            tern__farg_error(c, i, "argument %zu: number required.", i + 1);
            tern_value_decref(best);
            return TERN_ERROR;
        }
        if (!best || tern_value_compare(v, best) * want > 0) {
            tern_value_decref(best);
            best = v;
        } else {
            tern_value_decref(v);
        }
    }
    return tern__fret(out, best);
}

FN(max)
{
    return minmax(c, args, n, out, 1);
}

FN(min)
{
    return minmax(c, args, n, out, -1);
}

FN(sum)
{
    tern_value *acc = NULL;
    double d = 0;
    int64_t i64 = 0, x;
    int ints = 1;
    size_t i;

    (void)n;
    if (tern__arg_list(c, args, 0))
        return TERN_ERROR;
    if (tern_value_length(args[0]) == 0) {
        tern__farg_error(c, 0, "cannot sum an empty list.");
        return TERN_ERROR;
    }
    for (i = 0; i < tern_value_length(args[0]); i++) {
        acc = tern__convert_number(tern_value_list_get(args[0], i));
        if (!acc) {
            tern__farg_error(c, 0, "element %zu: number required.", i);
            return TERN_ERROR;
        }
        if (ints && tern_value_get_int(acc, &x) &&
            !__builtin_add_overflow(i64, x, &i64)) {
            d += tern_value_get_number(acc);
        } else {
            ints = 0;
            d += tern_value_get_number(acc);
        }
        tern_value_decref(acc);
    }
    return tern__fret(out, ints ? tern_value_int(i64) : tern_value_number(d));
}

static int math1(struct tern__fcall *c, tern_value **args, tern_value **out,
                 double (*fn)(double))
{
    double d;

    if (tern__arg_number(c, args, 0, &d))
        return TERN_ERROR;
    return tern__fret(out, tern_value_number(fn(d)));
}

FN(abs)
{
    (void)n;
    return math1(c, args, out, fabs);
}

FN(ceil)
{
    (void)n;
    return math1(c, args, out, ceil);
}

FN(floor)
{
    (void)n;
    return math1(c, args, out, floor);
}

FN(pow)
{
    double a, b;

    (void)n;
    if (tern__arg_number(c, args, 0, &a) || tern__arg_number(c, args, 1, &b))
        return TERN_ERROR;
    return tern__fret(out, tern_value_number(pow(a, b)));
}

FN(log)
{
    double a, b;

    (void)n;
    if (tern__arg_number(c, args, 0, &a) || tern__arg_number(c, args, 1, &b))
        return TERN_ERROR;
    return tern__fret(out, tern_value_number(log(a) / log(b)));
}

FN(signum)
{
    double d;

    (void)n;
    if (tern__arg_number(c, args, 0, &d))
        return TERN_ERROR;
    return tern__fret(out, tern_value_int(d > 0 ? 1 : d < 0 ? -1 : 0));
}

/* The value of a digit in base @base: 0-9, then letters (case-insensitive
 * up to base 36; beyond, a-z before A-Z), as Go's big.Int SetString. */
static int digit_value(char ch, int base)
{
    int v;

    if (ch >= '0' && ch <= '9')
        v = ch - '0';
    else if (ch >= 'a' && ch <= 'z')
        v = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'Z')
        v = ch - 'A' + (base <= 36 ? 10 : 36);
    else
        return -1;
    return v < base ? v : -1;
}

FN(parseint)
{
    tern_value *s = NULL;
    const char *p;
    int64_t base;
    double d = 0;
    uint64_t u = 0;
    int neg = 0, exact = 1, error;

    (void)n;
    if (tern_value_kind(args[0]) != TERN_VAL_STRING) {
        tern__fparam_error(c, 0, "number",
                           "first argument must be a string, not %s.",
                           tern__type_name(args[0]));
        return TERN_ERROR;
    }
    if ((error = tern__arg_int(c, args, 1, &base)))
        return error;
    if (base < 2 || base > 62) {
        tern__fparam_error(c, 1, "base",
                           "base must be a whole number between 2 and 62 "
                           "inclusive.");
        return TERN_ERROR;
    }
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    p = tern_value_get_string(s);
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!*p)
        goto bad;
    for (; *p; p++) {
        int v = digit_value(*p, (int)base);

        if (v < 0)
            goto bad;
        d = d * (double)base + v;
        if (exact && (__builtin_mul_overflow(u, (uint64_t)base, &u) ||
                      __builtin_add_overflow(u, (uint64_t)v, &u)))
            exact = 0;
    }
    if (p != tern_value_get_string(s) + tern_value_string_len(s))
        goto bad;
    tern_value_decref(s);
    if (exact && u <= (uint64_t)INT64_MAX)
        return tern__fret(out, tern_value_int(neg ? -(int64_t)u : (int64_t)u));
    return tern__fret(out, tern_value_number(neg ? -d : d));

bad:
    tern__fparam_error(c, 0, "number",
                       "cannot parse \"%s\" as a base %d "
                       "integer.",
                       c->sensitive ? "(sensitive value)"
                                    : tern_value_get_string(s),
                       (int)base);
    tern_value_decref(s);
    return TERN_ERROR;
}

FN(range)
{
    double start = 0, limit, step = 1;
    tern_value *list;
    size_t count = 0;

    if (n == 1) {
        if (tern__arg_number(c, args, 0, &limit))
            return TERN_ERROR;
    } else {
        if (tern__arg_number(c, args, 0, &start) ||
            tern__arg_number(c, args, 1, &limit))
            return TERN_ERROR;
        if (n == 3 && tern__arg_number(c, args, 2, &step))
            return TERN_ERROR;
        if (n == 2 && start > limit)
            step = -1;
    }
    if (step == 0) {
        tern__farg_error(c, n - 1, "step must not be zero.");
        return TERN_ERROR;
    }
    list = tern_value_list_new();
    for (; list && (step > 0 ? start < limit : start > limit); start += step) {
        if (++count > 1024) {
            tern_value_decref(list);
            tern__farg_error(c, 0,
                             "more than 1024 values were generated; "
                             "either decrease the difference between "
                             "start and end or use a smaller step.");
            return TERN_ERROR;
        }
        if (tern_value_list_append(list, tern_value_number(start))) {
            tern_value_decref(list);
            return TERN_ENOMEM;
        }
    }
    return tern__fret(out, list);
}

/* ---- Files -------------------------------------------------------------
 */

char *tern__resolve_path(const struct tern__fcall *c, const char *path)
{
    const char *base = c->scope ? c->scope->base_dir : NULL;

    if (path[0] == '/' || !base || !*base)
        return tern_strdup(path);
    return tern_asprintf("%s/%s", base, path);
}

int tern__read_file(struct tern__fcall *c, tern_value **args, char **text,
                    size_t *len)
{
    tern_value *p = NULL;
    char *path = NULL, *buf = NULL;
    FILE *f = NULL;
    struct stat st;
    size_t got = 0, r;
    int error;

    if ((error = tern__arg_string(c, args, 0, &p)))
        return error;
    path = tern__resolve_path(c, tern_value_get_string(p));
    if (!path) {
        error = TERN_ENOMEM;
        goto done;
    }
    f = fopen(path, "rb");
    if (!f) {
        tern__farg_error(c, 0,
                         "no file exists at \"%s\"; this function "
                         "works only with files that are distributed "
                         "as part of the configuration source code.",
                         tern_value_get_string(p));
        error = TERN_ERROR;
        goto done;
    }
    /* Only a regular file, and not a huge one: /dev/zero or a FIFO would
     * be read without end (issue 20, finding 7). */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        tern__farg_error(c, 0,
                         "\"%s\" is not a regular file; this function "
                         "works only with files that are distributed "
                         "as part of the configuration source code.",
                         tern_value_get_string(p));
        error = TERN_ERROR;
        goto done;
    }
    if (st.st_size > TERN_LANG_MAX_FILE) {
        tern__farg_error(c, 0,
                         "\"%s\" is larger than %d bytes, the most tern "
                         "reads into a configuration.",
                         tern_value_get_string(p), TERN_LANG_MAX_FILE);
        error = TERN_ERROR;
        goto done;
    }
    /* The size as it was; a file still growing is cut there. */
    buf = tern_malloc((size_t)st.st_size + 1);
    if (!buf) {
        error = TERN_ENOMEM;
        goto done;
    }
    while (got < (size_t)st.st_size &&
           (r = fread(buf + got, 1, (size_t)st.st_size - got, f)) > 0)
        got += r;
    buf[got] = '\0';
    *text = buf;
    *len = got;

done:
    if (f)
        fclose(f);
    tern_free(path);
    tern_value_decref(p);
    return error;
}

FN(file)
{
    char *text = NULL;
    size_t len = 0;
    int error;

    (void)n;
    if ((error = tern__read_file(c, args, &text, &len)))
        return error;
    if (!tern__utf8_all_valid(text, len)) {
        tern_free(text);
        tern__farg_error(c, 0,
                         "contents of the file are not valid UTF-8; "
                         "use the filebase64 function to obtain the "
                         "Base64 encoded contents or the other file "
                         "functions (e.g. filemd5, filesha256) to "
                         "obtain file hashing results instead.");
        return TERN_ERROR;
    }
    return tern__fret(out, tern_value_string_own(text, len));
}

FN(filebase64)
{
    char *text = NULL;
    size_t len = 0;
    int error;

    (void)n;
    if ((error = tern__read_file(c, args, &text, &len)))
        return error;
    error = tern__b64_encode(text, len, out);
    tern_free(text);
    return error;
}

FN(fileexists)
{
    tern_value *p = NULL;
    struct stat st;
    char *path;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &p)))
        return error;
    path = tern__resolve_path(c, tern_value_get_string(p));
    tern_value_decref(p);
    if (!path)
        return TERN_ENOMEM;
    error = stat(path, &st);
    tern_free(path);
    if (error == 0 && !S_ISREG(st.st_mode)) {
        tern__farg_error(c, 0, "the path exists but is not a regular file.");
        return TERN_ERROR;
    }
    return tern__fret(out, tern_value_bool(error == 0));
}

/* Go's filepath.Clean, enough for abspath/dirname. */
char *tern__clean_path(const char *path)
{
    size_t len = strlen(path), n = 0, i = 0;
    char *out = tern_malloc(len + 2);
    int rooted = path[0] == '/';

    if (!out)
        return NULL;
    if (rooted)
        out[n++] = '/';
    while (i < len) {
        size_t j = i;

        while (j < len && path[j] != '/')
            j++;
        if (j == i || (j - i == 1 && path[i] == '.')) {
            /* empty or "." */
        } else if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
            size_t base = rooted ? 1 : 0;

            if (n > base &&
                !(n - base >= 2 && out[n - 1] == '.' && out[n - 2] == '.' &&
                  (n - base == 2 || out[n - 3] == '/'))) {
                while (n > base && out[n - 1] != '/')
                    n--;
                if (n > base)
                    n--;
            } else if (!rooted) {
                if (n > 0)
                    out[n++] = '/';
                out[n++] = '.';
                out[n++] = '.';
            }
        } else {
            if (n > 0 && out[n - 1] != '/')
                out[n++] = '/';
            memcpy(out + n, path + i, j - i);
            n += j - i;
        }
        i = j + 1;
    }
    if (n == 0)
        out[n++] = '.';
    out[n] = '\0';
    return out;
}

FN(abspath)
{
    tern_value *p = NULL;
    char cwd[4096], *joined, *clean;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &p)))
        return error;
    if (tern_value_get_string(p)[0] == '/') {
        joined = tern_strdup(tern_value_get_string(p));
    } else {
        if (!getcwd(cwd, sizeof(cwd)))
            cwd[0] = '\0';
        joined = tern_asprintf("%s/%s", cwd, tern_value_get_string(p));
    }
    tern_value_decref(p);
    if (!joined)
        return TERN_ENOMEM;
    clean = tern__clean_path(joined);
    tern_free(joined);
    if (!clean)
        return TERN_ENOMEM;
    return tern__fret(out, tern_value_string_own(clean, strlen(clean)));
}

FN(basename)
{
    tern_value *p = NULL;
    const char *s, *slash;
    size_t len;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &p)))
        return error;
    s = tern_value_get_string(p);
    len = strlen(s);
    while (len > 1 && s[len - 1] == '/')
        len--;
    if (len == 0) {
        *out = tern_value_string(".");
    } else {
        slash = NULL;
        {
            size_t i;

            for (i = 0; i < len; i++)
                if (s[i] == '/')
                    slash = s + i;
        }
        if (slash && len > 1)
            *out = tern_value_stringn(slash + 1, len - (size_t)(slash + 1 - s));
        else
            *out = tern_value_stringn(s, len);
    }
    tern_value_decref(p);
    return *out ? TERN_OK : TERN_ENOMEM;
}

FN(dirname)
{
    tern_value *p = NULL;
    const char *s;
    char *dir, *clean;
    size_t i, cut = 0;
    int error, found = 0;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &p)))
        return error;
    s = tern_value_get_string(p);
    for (i = 0; s[i]; i++)
        if (s[i] == '/') {
            cut = i;
            found = 1;
        }
    dir = found ? tern_strndup(s, cut == 0 ? 1 : cut) : tern_strdup(".");
    tern_value_decref(p);
    if (!dir)
        return TERN_ENOMEM;
    clean = tern__clean_path(dir);
    tern_free(dir);
    if (!clean)
        return TERN_ENOMEM;
    return tern__fret(out, tern_value_string_own(clean, strlen(clean)));
}

/* ---- The table ---------------------------------------------------------
 */

#define ENTRY(name, min, max, flags) {#name, min, max, flags, tern__f_##name},
#define NAME(name, min, max, flags)  #name,

static const struct tern__function table[] = {TERN__FUNCTIONS(ENTRY)};
/* try and can are special forms in the evaluator; listed for suggestions. */
static const char *const names[] = {TERN__FUNCTIONS(NAME) "can", "try", NULL};

const struct tern__function *tern__function_find(const char *name)
{
    size_t lo = 0, hi = sizeof(table) / sizeof(table[0]);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(table[mid].name, name);

        if (cmp == 0)
            return &table[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *const *tern_lang_function_names(void)
{
    return names;
}
