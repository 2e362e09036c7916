/*
 * tern-sim's SigV4 (see sigv4.h): OpenSSL and libc only.
 */
#include "sigv4.h"
#include "sim.h"
#include "util/alloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sim_sigv4_auth_release(struct sim_sigv4_auth *a)
{
    if (!a)
        return;
    tern_free(a->access_key_id);
    tern_free(a->date);
    tern_free(a->region);
    tern_free(a->service);
    tern_free(a->signed_headers);
    tern_free(a->amz_date);
    tern_free(a->security_token);
    memset(a, 0, sizeof(*a));
}

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

/* AKID/YYYYMMDD/region/service/aws4_request */
static const char *parse_scope(struct sim_sigv4_auth *a, const char *s,
                               size_t len)
{
    const char *part[5], *end = s + len, *p = s;
    size_t plen[5], n;

    for (n = 0; n < 5; n++) {
        const char *slash = n < 4 ? memchr(p, '/', (size_t)(end - p)) : NULL;

        if (n < 4 && !slash)
            return "Credential should be scoped to a valid access key, "
                   "date, region and service: "
                   "'AKID/YYYYMMDD/region/service/aws4_request'.";
        part[n] = p;
        plen[n] = (size_t)((slash ? slash : end) - p);
        p = slash ? slash + 1 : end;
    }
    for (n = 0; n < 4; n++) {
        if (plen[n] == 0)
            return "Credential should be scoped to a valid access key, "
                   "date, region and service: "
                   "'AKID/YYYYMMDD/region/service/aws4_request'.";
    }
    if (plen[1] != 8 || !all_digits(part[1], 8))
        return "Credential should be scoped to a date in the format "
               "YYYYMMDD.";
    if (plen[4] != 12 || memcmp(part[4], "aws4_request", 12) != 0)
        return "Credential should be scoped with a valid terminator: "
               "'aws4_request'.";
    a->access_key_id = tern_strndup(part[0], plen[0]);
    a->date = tern_strndup(part[1], plen[1]);
    a->region = tern_strndup(part[2], plen[2]);
    a->service = tern_strndup(part[3], plen[3]);
    if (!a->access_key_id || !a->date || !a->region || !a->service)
        return "out of memory";
    return NULL;
}

static const char *fill(struct sim_sigv4_auth *a, const char *cred,
                        size_t cred_len, const char *sh, size_t sh_len,
                        const char *sig, size_t sig_len)
{
    const char *why;
    size_t i;

    if (!cred)
        return "Authorization header requires 'Credential' parameter.";
    if (!sh)
        return "Authorization header requires 'SignedHeaders' parameter.";
    if (!sig)
        return "Authorization header requires 'Signature' parameter.";
    if ((why = parse_scope(a, cred, cred_len)) != NULL)
        return why;
    for (i = 0; i < sh_len; i++) {
        char c = sh[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' ||
              (c == ';' && i > 0 && i + 1 < sh_len && sh[i + 1] != ';')))
            break;
    }
    if (sh_len == 0 || i < sh_len)
        return "SignedHeaders should be a ';'-separated list of lower-case "
               "header names.";
    for (i = 0; i < sig_len; i++) {
        if (!((sig[i] >= '0' && sig[i] <= '9') ||
              (sig[i] >= 'a' && sig[i] <= 'f')))
            break;
    }
    if (sig_len != SIM_SIGV4_SIG_LEN || i < sig_len)
        return "Signature should be 64 lower-case hexadecimal digits.";
    a->signed_headers = tern_strndup(sh, sh_len);
    if (!a->signed_headers)
        return "out of memory";
    memcpy(a->signature, sig, SIM_SIGV4_SIG_LEN);
    a->signature[SIM_SIGV4_SIG_LEN] = '\0';
    return NULL;
}

const char *sim_sigv4_parse_header(struct sim_sigv4_auth *out,
                                   const char *value)
{
    static const size_t alen = sizeof(SIM_SIGV4_ALGORITHM) - 1;
    const char *p, *cred = NULL, *sh = NULL, *sig = NULL, *why;
    size_t cred_len = 0, sh_len = 0, sig_len = 0;

    memset(out, 0, sizeof(*out));
    if (!value || strncmp(value, SIM_SIGV4_ALGORITHM, alen) != 0 ||
        (value[alen] != ' ' && value[alen] != '\t'))
        return "Unsupported AWS 'algorithm': only AWS4-HMAC-SHA256 is "
               "supported.";
    for (p = value + alen; *p;) {
        const char *start, *end, *eq;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != ',')
            p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        eq = memchr(start, '=', (size_t)(end - start));
        if (!eq || eq == start) {
            why = "Authorization header requires each component to be of "
                  "the form 'name=value'.";
            goto fail;
        }
#define COMPONENT(lit, ptr, len)                                               \
    if ((size_t)(eq - start) == sizeof(lit) - 1 &&                             \
        memcmp(start, lit, sizeof(lit) - 1) == 0) {                            \
        if (ptr) {                                                             \
            why = "Authorization header has a duplicate component.";           \
            goto fail;                                                         \
        }                                                                      \
        ptr = eq + 1;                                                          \
        len = (size_t)(end - eq - 1);                                          \
        continue;                                                              \
    }
        COMPONENT("Credential", cred, cred_len)
        COMPONENT("SignedHeaders", sh, sh_len)
        COMPONENT("Signature", sig, sig_len)
#undef COMPONENT
    }
    why = fill(out, cred, cred_len, sh, sh_len, sig, sig_len);
    if (!why)
        return NULL;
fail:
    sim_sigv4_auth_release(out);
    return why;
}

static const char *query_param(const struct sim_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    }
    return NULL;
}

const char *sim_sigv4_parse_query(struct sim_sigv4_auth *out,
                                  const struct sim_req *req)
{
    const char *alg = query_param(req, "X-Amz-Algorithm");
    const char *cred = query_param(req, "X-Amz-Credential");
    const char *sh = query_param(req, "X-Amz-SignedHeaders");
    const char *sig = query_param(req, "X-Amz-Signature");
    const char *exp = query_param(req, "X-Amz-Expires");
    const char *date = query_param(req, "X-Amz-Date");
    const char *token = query_param(req, "X-Amz-Security-Token");
    const char *why;
    char *endp = NULL;
    long expires;

    memset(out, 0, sizeof(*out));
    out->query_form = 1;
    if (!alg || strcmp(alg, SIM_SIGV4_ALGORITHM) != 0) {
        why = "Unsupported AWS 'algorithm': only AWS4-HMAC-SHA256 is "
              "supported.";
        goto fail;
    }
    why = fill(out, cred, cred ? strlen(cred) : 0, sh, sh ? strlen(sh) : 0, sig,
               sig ? strlen(sig) : 0);
    if (why)
        goto fail;
    if (!date) {
        why = "AWS query-string parameters must include 'X-Amz-Date'.";
        goto fail;
    }
    expires = exp && *exp ? strtol(exp, &endp, 10) : -1;
    if (!exp || !*exp || *endp || expires < 0) {
        why = "AWS query-string parameters must include 'X-Amz-Expires' as "
              "a number of seconds.";
        goto fail;
    }
    out->expires = expires;
    out->amz_date = tern_strdup(date);
    out->security_token = token ? tern_strdup(token) : NULL;
    if (!out->amz_date || (token && !out->security_token)) {
        why = "out of memory";
        goto fail;
    }
    return NULL;
fail:
    sim_sigv4_auth_release(out);
    return why;
}

/*
 * Canonicalisation.
 */

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

static void encode(tern_buf *b, const char *s, size_t len, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (unreserved(c) || (keep_slash && c == '/')) {
            tern_buf_putc(b, (char)c);
        } else {
            tern_buf_putc(b, '%');
            tern_buf_putc(b, hex[c >> 4]);
            tern_buf_putc(b, hex[c & 15]);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Form decoding, as AWS reads a query: '+' is a space, %XX a byte. */
static void form_decode(tern_buf *b, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            tern_buf_putc(b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            tern_buf_putc(b, s[i] == '+' ? ' ' : s[i]);
        }
    }
}

/* The path, dot segments and empty segments removed, encoded again. */
static void canonical_uri(tern_buf *b, const char *path)
{
    size_t len = strlen(path), i, nseg = 0;
    const char **seg;
    size_t *seglen;
    const char *p = path, *end = path + len;

    if (len == 0) {
        tern_buf_putc(b, '/');
        return;
    }
    seg = tern_calloc(len + 1, sizeof(*seg));
    seglen = tern_calloc(len + 1, sizeof(*seglen));
    if (!seg || !seglen) {
        b->oom = 1;
        goto done;
    }
    while (p <= end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *e = slash ? slash : end;
        size_t n = (size_t)(e - p);

        if (n == 2 && memcmp(p, "..", 2) == 0) {
            if (nseg)
                nseg--;
        } else if (n > 0 && !(n == 1 && *p == '.')) {
            seg[nseg] = p;
            seglen[nseg++] = n;
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    if (path[0] == '/')
        tern_buf_putc(b, '/');
    for (i = 0; i < nseg; i++) {
        if (i)
            tern_buf_putc(b, '/');
        encode(b, seg[i], seglen[i], 0);
    }
    if (nseg && path[len - 1] == '/')
        tern_buf_putc(b, '/');
done:
    tern_free(seg);
    tern_free(seglen);
}

/* S3: the path as the client meant it (decoded), encoded once, '/' kept,
 * nothing removed. */
static void canonical_uri_s3(tern_buf *b, const char *path)
{
    tern_buf raw = TERN_BUF_INIT;
    size_t len = strlen(path), i;

    if (len == 0) {
        tern_buf_putc(b, '/');
        return;
    }
    for (i = 0; i < len; i++) {
        if (path[i] == '%' && i + 2 < len && hexval(path[i + 1]) >= 0 &&
            hexval(path[i + 2]) >= 0) {
            tern_buf_putc(
                &raw, (char)(hexval(path[i + 1]) * 16 + hexval(path[i + 2])));
            i += 2;
        } else {
            tern_buf_putc(&raw, path[i]);
        }
    }
    if (tern_buf_oom(&raw))
        b->oom = 1;
    else
        encode(b, raw.ptr, raw.len, 1);
    tern_buf_release(&raw);
}

struct qparam {
    char *name; /* encoded */
    char *value;
};

static int qparam_cmp(const void *a, const void *b)
{
    const struct qparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->value, y->value);
}

static void canonical_query(tern_buf *b, const char *q, int skip_signature)
{
    struct qparam *ps;
    size_t cap = 1, n = 0, i;
    const char *p, *end = q + strlen(q);

    for (p = q; *p; p++)
        cap += *p == '&';
    ps = tern_calloc(cap, sizeof(*ps));
    if (!ps) {
        b->oom = 1;
        return;
    }
    for (p = q; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        tern_buf raw = TERN_BUF_INIT, enc = TERN_BUF_INIT;

        if (e > p) {
            form_decode(&raw, p, (size_t)((eq ? eq : e) - p));
            encode(&enc, raw.ptr ? raw.ptr : "", raw.len, 0);
            tern_buf_put(&enc, "", 0);
            ps[n].name = tern_buf_detach(&enc);
            tern_buf_clear(&raw);
            if (eq)
                form_decode(&raw, eq + 1, (size_t)(e - eq - 1));
            encode(&enc, raw.ptr ? raw.ptr : "", raw.len, 0);
            tern_buf_put(&enc, "", 0);
            ps[n].value = tern_buf_detach(&enc);
            tern_buf_release(&raw);
            if (!ps[n].name || !ps[n].value) {
                b->oom = 1;
                n++;
                goto done;
            }
            if (skip_signature && strcmp(ps[n].name, "X-Amz-Signature") == 0) {
                tern_free(ps[n].name);
                tern_free(ps[n].value);
                ps[n].name = ps[n].value = NULL;
            } else {
                n++;
            }
        }
        p = e + 1;
    }
    qsort(ps, n, sizeof(*ps), qparam_cmp);
    for (i = 0; i < n; i++) {
        if (i)
            tern_buf_putc(b, '&');
        tern_buf_puts(b, ps[i].name);
        tern_buf_putc(b, '=');
        tern_buf_puts(b, ps[i].value);
    }
done:
    for (i = 0; i < n; i++) {
        tern_free(ps[i].name);
        tern_free(ps[i].value);
    }
    tern_free(ps);
}

/* A header value trimmed, with inner runs of spaces folded to one. */
static void header_value(tern_buf *b, const char *v)
{
    int space = 0, any = 0;

    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = any;
            continue;
        }
        if (space)
            tern_buf_putc(b, ' ');
        tern_buf_putc(b, *v);
        space = 0;
        any = 1;
    }
}

static void canonical_headers(tern_buf *b, const struct sim_sigv4_input *in)
{
    const char *p = in->signed_headers;

    while (*p) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p), i;
        int first = 1;

        tern_buf_put(b, p, len);
        tern_buf_putc(b, ':');
        for (i = 0; i < in->nheaders; i++) {
            if (strlen(in->header_names[i]) != len ||
                strncasecmp(in->header_names[i], p, len) != 0)
                continue;
            if (!first)
                tern_buf_putc(b, ',');
            header_value(b, in->header_values[i]);
            first = 0;
        }
        tern_buf_putc(b, '\n');
        p = semi ? semi + 1 : p + len;
    }
}

static void hex(char *out, const unsigned char *d, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hmac(unsigned char out[32], const void *key, size_t keylen,
                const char *data)
{
    unsigned int len = 32;

    return HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
                strlen(data), out, &len)
               ? 0
               : -1;
}

int sim_sigv4_compute(char signature[SIM_SIGV4_SIG_LEN + 1],
                      tern_buf *canonical, const struct sim_sigv4_input *in)
{
    tern_buf creq = TERN_BUF_INIT, sts = TERN_BUF_INIT, key = TERN_BUF_INIT;
    unsigned char digest[32], k[32];
    char digest_hex[65];
    int rc = -1;

    tern_buf_puts(&creq, in->method);
    tern_buf_putc(&creq, '\n');
    if (in->s3)
        canonical_uri_s3(&creq, in->raw_path);
    else
        canonical_uri(&creq, in->raw_path);
    tern_buf_putc(&creq, '\n');
    canonical_query(&creq, in->raw_query ? in->raw_query : "",
                    in->skip_signature);
    tern_buf_putc(&creq, '\n');
    canonical_headers(&creq, in);
    tern_buf_putc(&creq, '\n');
    tern_buf_puts(&creq, in->signed_headers);
    tern_buf_putc(&creq, '\n');
    if (in->payload_hash) {
        tern_buf_puts(&creq, in->payload_hash);
    } else {
        SHA256((const unsigned char *)(in->body ? in->body : ""), in->body_len,
               digest);
        hex(digest_hex, digest, 32);
        tern_buf_puts(&creq, digest_hex);
    }
    if (tern_buf_oom(&creq))
        goto done;

    SHA256((const unsigned char *)creq.ptr, creq.len, digest);
    hex(digest_hex, digest, 32);
    tern_buf_printf(&sts, "%s\n%s\n%s/%s/%s/aws4_request\n%s",
                    SIM_SIGV4_ALGORITHM, in->amz_date, in->date, in->region,
                    in->service, digest_hex);
    tern_buf_printf(&key, "AWS4%s", in->secret);
    if (tern_buf_oom(&sts) || tern_buf_oom(&key))
        goto done;
    if (hmac(k, key.ptr, key.len, in->date) != 0 ||
        hmac(k, k, 32, in->region) != 0 || hmac(k, k, 32, in->service) != 0 ||
        hmac(k, k, 32, "aws4_request") != 0 ||
        hmac(digest, k, 32, tern_buf_cstr(&sts)) != 0)
        goto done;
    hex(signature, digest, 32);
    if (canonical)
        tern_buf_put(canonical, creq.ptr, creq.len);
    rc = canonical && tern_buf_oom(canonical) ? -1 : 0;
done:
    OPENSSL_cleanse(k, sizeof(k));
    if (key.ptr)
        OPENSSL_cleanse(key.ptr, key.len);
    tern_buf_release(&creq);
    tern_buf_release(&sts);
    tern_buf_release(&key);
    return rc;
}

int sim_sigv4_equal(const char *a, const char *b)
{
    size_t la = strlen(a);

    return la == strlen(b) && CRYPTO_memcmp(a, b, la) == 0;
}

/* The decimal number in s[0..n), all digits. */
static int num(const char *s, int n)
{
    int v = 0;

    while (n-- > 0)
        v = v * 10 + (*s++ - '0');
    return v;
}

int sim_sigv4_parse_date(time_t *out, const char *s)
{
    struct tm tm;

    if (!s || strlen(s) != SIM_SIGV4_DATE_LEN || s[8] != 'T' || s[15] != 'Z' ||
        !all_digits(s, 8) || !all_digits(s + 9, 6))
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = num(s, 4) - 1900;
    tm.tm_mon = num(s + 4, 2) - 1;
    tm.tm_mday = num(s + 6, 2);
    tm.tm_hour = num(s + 9, 2);
    tm.tm_min = num(s + 11, 2);
    tm.tm_sec = num(s + 13, 2);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    *out = timegm(&tm);
    return 0;
}

void sim_sigv4_format_date(char out[SIM_SIGV4_DATE_LEN + 1], time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, SIM_SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}
