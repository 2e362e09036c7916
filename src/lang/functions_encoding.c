/*
 * The encoding functions: base64encode, base64decode, base64gzip,
 * textencodebase64, textdecodebase64, csvdecode (yamlencode and yamldecode
 * are in functions_yaml.c, jsonencode and jsondecode in functions.c).
 *
 * Known differences from Terraform:
 * - base64gzip writes the gzip header Go's compress/gzip writes (no name,
 *   no time, OS "unknown") and, like Terraform, a sync flush before the
 *   end, but its DEFLATE data comes from zlib, not Go's compress/flate:
 *   the result decompresses to the same text, its bytes may differ.
 * - textencodebase64 and textdecodebase64 take the encodings iconv knows
 *   (every common IANA name and alias); the error messages name the
 *   encoding as given, upper-cased, where Terraform names the IANA
 *   canonical name.
 */
#include "lang/functions_int.h"
#include "util/alloc.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <string.h>
#include <zlib.h>

/* ---- Base64 ------------------------------------------------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int tern__b64_encode(const char *s, size_t len, tern_value **out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t olen, i, o = 0;
    char *enc;

    if (len > SIZE_MAX / 2)
        return TERN_ENOMEM;
    olen = 4 * ((len + 2) / 3);
    enc = tern_malloc(olen + 1);
    if (!enc)
        return TERN_ENOMEM;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

        enc[o++] = b64_alphabet[v >> 18 & 63];
        enc[o++] = b64_alphabet[v >> 12 & 63];
        enc[o++] = b64_alphabet[v >> 6 & 63];
        enc[o++] = b64_alphabet[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)p[i] << 16;

        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        enc[o++] = b64_alphabet[v >> 18 & 63];
        enc[o++] = b64_alphabet[v >> 12 & 63];
        enc[o++] = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
        enc[o++] = '=';
    }
    enc[o] = '\0';
    return tern__fret(out, tern_value_string_own(enc, o));
}

static int b64_value(unsigned char ch)
{
    const char *p = ch ? strchr(b64_alphabet, ch) : NULL;

    return p ? (int)(p - b64_alphabet) : -1;
}

/*
 * Go's base64.StdEncoding.DecodeString: '\r' and '\n' are skipped, padding
 * is required, anything else is an error at the offset of the quantum or
 * byte that is wrong (*bad). Returns TERN_OK, TERN_ERROR or TERN_ENOMEM.
 */
static int b64_decode_at(const char *s, size_t len, unsigned char **dec,
                         size_t *dlen, size_t *bad)
{
    unsigned char *d;
    size_t i = 0, o = 0;

    d = tern_malloc(len / 4 * 3 + 4);
    if (!d)
        return TERN_ENOMEM;
    while (i < len) {
        int q[4], j = 0, pad = 0;
        size_t start = i, k;

        while (j < 4) {
            int v;

            while (i < len && (s[i] == '\r' || s[i] == '\n'))
                i++;
            if (i == len) {
                if (j == 0)
                    goto done;
                *bad = start;
                goto fail;
            }
            if (s[i] == '=') {
                /* Padding: "xx==" or "xxx=", then only newlines. */
                if (j < 2) {
                    *bad = i;
                    goto fail;
                }
                pad = 4 - j;
                for (k = 0; k < (size_t)pad; k++) {
                    while (i < len && (s[i] == '\r' || s[i] == '\n'))
                        i++;
                    if (i == len || s[i] != '=') {
                        *bad = i == len ? len : i;
                        goto fail;
                    }
                    i++;
                }
                while (i < len && (s[i] == '\r' || s[i] == '\n'))
                    i++;
                if (i < len) {
                    *bad = i;
                    goto fail;
                }
                break;
            }
            v = b64_value((unsigned char)s[i]);
            if (v < 0) {
                *bad = i;
                goto fail;
            }
            q[j++] = v;
            i++;
        }
        d[o++] = (unsigned char)(q[0] << 2 | q[1] >> 4);
        if (j > 2)
            d[o++] = (unsigned char)((q[1] & 15) << 4 | q[2] >> 2);
        if (j > 3)
            d[o++] = (unsigned char)((q[2] & 3) << 6 | q[3]);
        if (pad)
            break;
    }
done:
    d[o] = '\0';
    *dec = d;
    *dlen = o;
    return TERN_OK;

fail:
    tern_free(d);
    return TERN_ERROR;
}

int tern__b64_decode(const char *s, size_t len, unsigned char **dec,
                     size_t *dlen)
{
    size_t bad;

    return b64_decode_at(s, len, dec, dlen, &bad);
}

/* Go's %q of a string, or "(sensitive value)". */
static void go_quote(tern_buf *b, const char *s, size_t len, int sensitive)
{
    size_t i = 0;

    if (sensitive) {
        tern_buf_puts(b, "(sensitive value)");
        return;
    }
    tern_buf_putc(b, '"');
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        size_t k = tern__utf8_valid(s + i, len - i);

        if (ch == '"' || ch == '\\') {
            tern_buf_putc(b, '\\');
            tern_buf_putc(b, (char)ch);
        } else if (ch == '\n') {
            tern_buf_puts(b, "\\n");
        } else if (ch == '\t') {
            tern_buf_puts(b, "\\t");
        } else if (ch == '\r') {
            tern_buf_puts(b, "\\r");
        } else if (ch < 0x20 || ch == 0x7f || k == 0) {
            tern_buf_printf(b, "\\x%02x", ch);
        } else {
            tern_buf_put(b, s + i, k);
            i += k;
            continue;
        }
        i++;
    }
    tern_buf_putc(b, '"');
}

FN(base64encode)
{
    tern_value *s = NULL;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    error = tern__b64_encode(tern_value_get_string(s), tern_value_string_len(s),
                             out);
    tern_value_decref(s);
    return error;
}

FN(base64decode)
{
    tern_value *s = NULL;
    unsigned char *dec = NULL;
    size_t dlen = 0, bad = 0;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    error = b64_decode_at(tern_value_get_string(s), tern_value_string_len(s),
                          &dec, &dlen, &bad);
    if (error == TERN_ERROR) {
        tern_buf q = TERN_BUF_INIT;

        go_quote(&q, tern_value_get_string(s), tern_value_string_len(s),
                 c->sensitive);
        tern__farg_error(c, c->nargs_ranges, "failed to decode base64 data %s.",
                         tern_buf_cstr(&q));
        tern_buf_release(&q);
    }
    tern_value_decref(s);
    if (error)
        return error;
    if (!tern__utf8_all_valid((const char *)dec, dlen)) {
        tern_free(dec);
        tern__farg_error(c, c->nargs_ranges,
                         "the result of decoding the provided string "
                         "is not valid UTF-8.");
        return TERN_ERROR;
    }
    return tern__fret(out, tern_value_string_own((char *)dec, dlen));
}

FN(base64gzip)
{
    /* Go's gzip.Writer header: no flags, no time, XFL 0, OS 255. */
    static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0,
                                             0,    0,    0, 0, 255};
    tern_value *s = NULL;
    z_stream z;
    unsigned char *buf;
    size_t cap, len;
    uLong crc;
    int error, zr;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    len = tern_value_string_len(s);
    if (len > UINT_MAX / 2) {
        tern_value_decref(s);
        return TERN_ENOMEM;
    }
    memset(&z, 0, sizeof(z));
    /* Raw DEFLATE; the gzip framing is written here, as Go writes it. */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        tern_value_decref(s);
        return TERN_ENOMEM;
    }
    cap = sizeof(header) + deflateBound(&z, (uLong)len) + 16 + 8;
    buf = tern_malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        tern_value_decref(s);
        return TERN_ENOMEM;
    }
    memcpy(buf, header, sizeof(header));
    z.next_in = (Bytef *)tern_value_get_string(s);
    z.avail_in = (uInt)len;
    z.next_out = buf + sizeof(header);
    z.avail_out = (uInt)(cap - sizeof(header) - 8);
    zr = deflate(&z, Z_SYNC_FLUSH);
    if (zr == Z_OK)
        zr = deflate(&z, Z_FINISH);
    crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)tern_value_get_string(s),
                (uInt)len);
    tern_value_decref(s);
    if (zr != Z_STREAM_END) {
        deflateEnd(&z);
        tern_free(buf);
        tern__farg_error(c, 0, "failed to write gzip raw data.");
        return TERN_ERROR;
    }
    {
        size_t o = sizeof(header) + z.total_out;
        int k;

        for (k = 0; k < 4; k++)
            buf[o++] = (unsigned char)(crc >> (8 * k));
        for (k = 0; k < 4; k++)
            buf[o++] = (unsigned char)(len >> (8 * k));
        deflateEnd(&z);
        error = tern__b64_encode((const char *)buf, o, out);
    }
    tern_free(buf);
    return error;
}

/* ---- Text encodings ------------------------------------------------------
 */

/* Convert with iconv; TERN_ERROR when the text cannot be converted. */
static int convert(const char *to, const char *from, const char *in, size_t len,
                   char **out, size_t *olen)
{
    iconv_t cd = iconv_open(to, from);
    size_t cap = len * 4 + 16, left, inleft = len;
    char *buf, *ip = (char *)in, *op;

    if (cd == (iconv_t)-1)
        return TERN_ENOTFOUND;
    buf = tern_malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return TERN_ENOMEM;
    }
    op = buf;
    left = cap - 1;
    if (iconv(cd, &ip, &inleft, &op, &left) == (size_t)-1 ||
        iconv(cd, NULL, NULL, &op, &left) == (size_t)-1) {
        iconv_close(cd);
        tern_free(buf);
        return TERN_ERROR;
    }
    iconv_close(cd);
    *olen = (size_t)(op - buf);
    buf[*olen] = '\0';
    *out = buf;
    return TERN_OK;
}

/* The encoding named by argument 1, upper-cased, for iconv and messages;
 * NULL after a diagnostic when iconv does not know it. */
static char *encoding_arg(struct tern__fcall *c, tern_value **args)
{
    tern_value *e = NULL;
    char *name;
    size_t i;
    iconv_t cd;

    if (tern__arg_string(c, args, 1, &e))
        return NULL;
    name = tern_strdup(tern_value_get_string(e));
    for (i = 0; name && name[i]; i++)
        if (name[i] >= 'a' && name[i] <= 'z')
            name[i] = (char)(name[i] - 32);
    cd = name && name[0] && !strchr(name, '/') ? iconv_open(name, "UTF-8")
                                               : (iconv_t)-1;
    if (cd == (iconv_t)-1) {
        if (name)
            tern__fparam_error(c, 1, "encoding",
                               "\"%s\" is not a supported IANA encoding name "
                               "or alias in this Terraform version.",
                               tern_value_get_string(e));
        tern_free(name);
        tern_value_decref(e);
        return NULL;
    }
    iconv_close(cd);
    tern_value_decref(e);
    return name;
}

FN(textencodebase64)
{
    tern_value *s = NULL;
    char *enc, *conv = NULL;
    size_t clen = 0;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    if (!(enc = encoding_arg(c, args))) {
        tern_value_decref(s);
        return TERN_ERROR;
    }
    error = convert(enc, "UTF-8", tern_value_get_string(s),
                    tern_value_string_len(s), &conv, &clen);
    tern_value_decref(s);
    if (error == TERN_ERROR)
        tern__fparam_error(c, 0, "string",
                           "the given string contains characters that cannot "
                           "be represented in %s.",
                           enc);
    if (!error)
        error = tern__b64_encode(conv, clen, out);
    tern_free(conv);
    tern_free(enc);
    return error;
}

FN(textdecodebase64)
{
    tern_value *s = NULL;
    unsigned char *dec = NULL;
    char *enc, *conv = NULL;
    size_t dlen = 0, clen = 0, bad = 0;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    if (!(enc = encoding_arg(c, args))) {
        tern_value_decref(s);
        return TERN_ERROR;
    }
    error = b64_decode_at(tern_value_get_string(s), tern_value_string_len(s),
                          &dec, &dlen, &bad);
    tern_value_decref(s);
    if (error == TERN_ERROR)
        tern__fparam_error(c, 0, "source",
                           "the given value is has an invalid base64 symbol at "
                           "offset %zu.",
                           bad);
    if (!error) {
        error = convert("UTF-8", enc, (const char *)dec, dlen, &conv, &clen);
        if (error == TERN_ERROR ||
            (!error && memmem(conv, clen, "\xef\xbf\xbd", 3))) {
            tern__fparam_error(c, 0, "source",
                               "the given string contains symbols that are not "
                               "defined for %s.",
                               enc);
            error = TERN_ERROR;
        }
    }
    if (!error) {
        *out = tern_value_string_own(conv, clen);
        conv = NULL;
        error = *out ? TERN_OK : TERN_ENOMEM;
    }
    tern_free(conv);
    tern_free(dec);
    tern_free(enc);
    return error;
}

/* ---- CSV ----------------------------------------------------------------
 */

/*
 * One record of RFC 4180 text as Go's encoding/csv reads it (empty lines
 * skipped, "\r\n" read as "\n", quoted fields with "" for a quote). Returns
 * 1 with the fields appended to *fields, 0 at the end, -1 on a parse error
 * (*why set), -2 on OOM. *line counts lines.
 */
static int csv_record(const char *s, size_t len, size_t *pos, int *line,
                      tern_value **fields, const char **why, int *why_line)
{
    size_t i = *pos;
    tern_buf f = TERN_BUF_INIT;
    tern_value *rec;

    while (i < len && (s[i] == '\n' ||
                       (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))) {
        if (s[i] == '\n')
            (*line)++;
        i++;
    }
    if (i >= len) {
        *pos = i;
        return 0;
    }
    rec = tern_value_list_new();
    if (!rec)
        return -2;
    for (;;) {
        f.len = 0;
        if (i < len && s[i] == '"') {
            int start_line = *line;

            (void)start_line;
            i++;
            for (;;) {
                if (i >= len) {
                    *why = "extraneous or missing \" in quoted-field";
                    *why_line = *line;
                    goto parse_error;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        tern_buf_putc(&f, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
                    i++;
                    continue;
                }
                if (s[i] == '\n')
                    (*line)++;
                tern_buf_putc(&f, s[i++]);
            }
            if (i < len && s[i] != ',' && s[i] != '\n' &&
                !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
                *why = "extraneous or missing \" in quoted-field";
                *why_line = *line;
                goto parse_error;
            }
        } else {
            while (i < len && s[i] != ',' && s[i] != '\n' &&
                   !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
                if (s[i] == '"') {
                    *why = "bare \" in non-quoted-field";
                    *why_line = *line;
                    goto parse_error;
                }
                tern_buf_putc(&f, s[i++]);
            }
        }
        if (tern_buf_oom(&f) ||
            tern_value_list_append(
                rec, tern_value_stringn(tern_buf_cstr(&f), f.len))) {
            tern_buf_release(&f);
            tern_value_decref(rec);
            return -2;
        }
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        if (i < len && s[i] == '\r')
            i++;
        if (i < len && s[i] == '\n') {
            i++;
            (*line)++;
        }
        break;
    }
    tern_buf_release(&f);
    *pos = i;
    *fields = rec;
    return 1;

parse_error:
    tern_buf_release(&f);
    tern_value_decref(rec);
    return -1;
}

FN(csvdecode)
{
    tern_value *s = NULL, *head = NULL, *rec = NULL, *list = NULL;
    const char *why = NULL;
    size_t pos = 0, i;
    int line = 1, rline, why_line = 0, r, error = TERN_OK;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    r = csv_record(tern_value_get_string(s), tern_value_string_len(s), &pos,
                   &line, &head, &why, &why_line);
    if (r == 0) {
        tern__farg_error(c, c->nargs_ranges, "missing header line.");
        error = TERN_ERROR;
        goto done;
    }
    if (r < 0)
        goto bad;
    for (i = 0; i < tern_value_length(head); i++) {
        size_t j;

        for (j = 0; j < i; j++)
            if (tern_value_equal(tern_value_list_get(head, i),
                                 tern_value_list_get(head, j))) {
                tern__farg_error(
                    c, c->nargs_ranges, "duplicate column name \"%s\".",
                    tern_value_get_string(tern_value_list_get(head, i)));
                error = TERN_ERROR;
                goto done;
            }
    }
    list = tern_value_list_new();
    if (!list) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (;;) {
        tern_value *obj;

        rline = line;
        r = csv_record(tern_value_get_string(s), tern_value_string_len(s), &pos,
                       &line, &rec, &why, &why_line);
        if (r == 0)
            break;
        if (r < 0)
            goto bad;
        if (tern_value_length(rec) != tern_value_length(head)) {
            why = "wrong number of fields";
            why_line = rline;
            r = -1;
            goto bad;
        }
        obj = tern_value_object_new();
        for (i = 0; obj && i < tern_value_length(rec); i++)
            if (tern_value_object_set(
                    obj, tern_value_get_string(tern_value_list_get(head, i)),
                    tern_value_incref(tern_value_list_get(rec, i)))) {
                tern_value_decref(obj);
                obj = NULL;
            }
        tern_value_decref(rec);
        rec = NULL;
        if (!obj || tern_value_list_append(list, obj)) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    *out = list;
    list = NULL;
    goto done;

bad:
    if (r == -2) {
        error = TERN_ENOMEM;
    } else {
        tern__farg_error(c, c->nargs_ranges, "CSV parse error on line %d: %s.",
                         why_line, why);
        error = TERN_ERROR;
    }

done:
    tern_value_decref(rec);
    tern_value_decref(list);
    tern_value_decref(head);
    tern_value_decref(s);
    return error;
}
