/*
 * AWS Signature Version 4. The steps follow AWS's description ("Create a
 * signed AWS API request") and are checked byte for byte against AWS's
 * test suite and against botocore (tests/unit/test_sigv4.c).
 *
 * Canonicalisation choices, each forced by the test suite or by botocore:
 * - URI path: with normalisation, dot segments and empty segments are
 *   removed (botocore's remove_dot_segments, which also drops "//"), a
 *   trailing slash is kept; then every byte but the unreserved ones and
 *   '/' is percent-encoded, '%' included (double encoding of an encoded
 *   path, as AWS does for all services but S3). For S3 (path_encoded)
 *   the caller's once-encoded path is the canonical URI as it stands.
 * - Query: split on '&', each piece at the first '='; names and values are
 *   decoded and re-encoded per RFC 3986, so raw UTF-8 and already-encoded
 *   input canonicalise alike; sorted by name, then value.
 * - Headers: names lower-cased and sorted (stable, so repeated headers keep
 *   their order), values trimmed with inner runs of whitespace, line folds
 *   included, collapsed to one space, repeats joined with ','.
 */
#include "aws/sigv4.h"
#include "aws/query.h"
#include "tern/diag.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/vec.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EMPTY_SHA256                                                           \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/*
 * Hashing.
 */

/* SHA-256, fetched once (util/digest.h). */
static const EVP_MD *md_sha256(void)
{
    return tern_sha256_md();
}

static int sha256(unsigned char md[32], const void *data, size_t len)
{
    unsigned int mdlen = 0;

    if (EVP_Digest(data ? data : "", len, md, &mdlen, md_sha256(), NULL) != 1 ||
        mdlen != 32)
        return TERN_ERROR;
    return TERN_OK;
}

static int sha256_hex(char hex[65], const void *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[32];
    int i;

    if (sha256(md, data, len) != TERN_OK)
        return TERN_ERROR;
    for (i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    return TERN_OK;
}

/* HMAC-SHA256 (RFC 2104) on two digests of the fetched SHA-256: OpenSSL
 * 3's HMAC() builds an EVP_MAC context on every call, three times the
 * instructions. */
static int hmac(unsigned char out[32], const void *key, size_t keylen,
                const void *data, size_t len)
{
    unsigned char k0[64], pad[64], inner[32];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL, i;

    memset(k0, 0, sizeof(k0));
    if (keylen > sizeof(k0))
        ok = ok && sha256(k0, key, keylen) == TERN_OK;
    else if (keylen)
        memcpy(k0, key, keylen);
    for (i = 0; i < 64; i++)
        pad[i] = k0[i] ^ 0x36;
    ok = ok && EVP_DigestInit_ex(ctx, md_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(ctx, pad, sizeof(pad)) == 1 &&
         EVP_DigestUpdate(ctx, data, len) == 1 &&
         EVP_DigestFinal_ex(ctx, inner, &n) == 1 && n == 32;
    for (i = 0; i < 64; i++)
        pad[i] = k0[i] ^ 0x5c;
    ok = ok && EVP_DigestInit_ex(ctx, md_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(ctx, pad, sizeof(pad)) == 1 &&
         EVP_DigestUpdate(ctx, inner, sizeof(inner)) == 1 &&
         EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
    EVP_MD_CTX_free(ctx);
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(inner, sizeof(inner));
    return ok ? TERN_OK : TERN_ERROR;
}

/*
 * The signing-key cache.
 */

#define CACHE_ENTRIES  8
#define CACHE_NAME_MAX 64

struct cache_entry {
    int used;
    unsigned long stamp; /* for replacing the least recently used */
    char date[9];
    char region[CACHE_NAME_MAX];
    char service[CACHE_NAME_MAX];
    unsigned char secret_hash[32];
    unsigned char key[32];
};

struct tern_sigv4_cache {
    pthread_mutex_t lock;
    struct cache_entry entries[CACHE_ENTRIES];
    unsigned long clock;
    unsigned long hits;
    unsigned long misses;
};

tern_sigv4_cache *tern_sigv4_cache_new(void)
{
    tern_sigv4_cache *c = tern_calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        tern_free(c);
        return NULL;
    }
    return c;
}

void tern_sigv4_cache_free(tern_sigv4_cache *cache)
{
    if (!cache)
        return;
    pthread_mutex_destroy(&cache->lock);
    OPENSSL_cleanse(cache->entries, sizeof(cache->entries));
    tern_free(cache);
}

void tern_sigv4_cache_stats(tern_sigv4_cache *cache, unsigned long *hits,
                            unsigned long *misses, size_t *entries)
{
    size_t i, n = 0;

    pthread_mutex_lock(&cache->lock);
    for (i = 0; i < CACHE_ENTRIES; i++)
        n += cache->entries[i].used != 0;
    if (hits)
        *hits = cache->hits;
    if (misses)
        *misses = cache->misses;
    if (entries)
        *entries = n;
    pthread_mutex_unlock(&cache->lock);
}

static int derive_key(unsigned char key[32], const char *secret,
                      const char *date, const char *region, const char *service)
{
    unsigned char k1[32], k2[32];
    size_t slen = strlen(secret);
    char *seed = tern_malloc(slen + 5);
    int error = TERN_ERROR;

    if (!seed)
        return TERN_ENOMEM;
    memcpy(seed, "AWS4", 4);
    memcpy(seed + 4, secret, slen + 1);
    if (hmac(k1, seed, slen + 4, date, strlen(date)) == TERN_OK &&
        hmac(k2, k1, 32, region, strlen(region)) == TERN_OK &&
        hmac(k1, k2, 32, service, strlen(service)) == TERN_OK &&
        hmac(key, k1, 32, "aws4_request", 12) == TERN_OK)
        error = TERN_OK;
    OPENSSL_cleanse(seed, slen + 4);
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    tern_free(seed);
    return error;
}

int tern_sigv4_signing_key(unsigned char key[32], tern_sigv4_cache *cache,
                           const char *secret, const char *date,
                           const char *region, const char *service)
{
    unsigned char hash[32];
    struct cache_entry *victim = NULL, *e;
    size_t i;
    int error;

    if (!cache || strlen(date) != 8 || strlen(region) >= CACHE_NAME_MAX ||
        strlen(service) >= CACHE_NAME_MAX)
        return derive_key(key, secret, date, region, service);
    /* The secret's hash binds the entry to the credentials, so a second
     * key pair with the same scope never reads the first one's key. */
    if (sha256(hash, secret, strlen(secret)) != TERN_OK)
        return TERN_ERROR;
    pthread_mutex_lock(&cache->lock);
    for (i = 0; i < CACHE_ENTRIES; i++) {
        e = &cache->entries[i];
        if (e->used && strcmp(e->date, date) == 0 &&
            strcmp(e->region, region) == 0 &&
            strcmp(e->service, service) == 0 &&
            CRYPTO_memcmp(e->secret_hash, hash, 32) == 0) {
            memcpy(key, e->key, 32);
            e->stamp = ++cache->clock;
            cache->hits++;
            pthread_mutex_unlock(&cache->lock);
            OPENSSL_cleanse(hash, sizeof(hash));
            return TERN_OK;
        }
    }
    pthread_mutex_unlock(&cache->lock);

    /* Derive outside the lock; a concurrent miss derives the same key. */
    error = derive_key(key, secret, date, region, service);
    if (error != TERN_OK) {
        OPENSSL_cleanse(hash, sizeof(hash));
        return error;
    }
    pthread_mutex_lock(&cache->lock);
    for (i = 0; i < CACHE_ENTRIES; i++) {
        e = &cache->entries[i];
        if (!e->used) {
            victim = e;
            break;
        }
        if (!victim || e->stamp < victim->stamp)
            victim = e;
    }
    victim->used = 1;
    victim->stamp = ++cache->clock;
    memcpy(victim->date, date, 9);
    memcpy(victim->region, region, strlen(region) + 1);
    memcpy(victim->service, service, strlen(service) + 1);
    memcpy(victim->secret_hash, hash, 32);
    memcpy(victim->key, key, 32);
    cache->misses++;
    pthread_mutex_unlock(&cache->lock);
    OPENSSL_cleanse(hash, sizeof(hash));
    return TERN_OK;
}

/*
 * Dates.
 */

void tern_sigv4_format_date(char out[TERN_SIGV4_DATE_LEN + 1], time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, TERN_SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

static int digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int tern_sigv4_parse_date(time_t *out, const char *s)
{
    struct tm tm;

    if (!s || strlen(s) != TERN_SIGV4_DATE_LEN || !digits(s, 8) ||
        s[8] != 'T' || !digits(s + 9, 6) || s[15] != 'Z')
        return TERN_EINVALID;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = num(s, 4) - 1900;
    tm.tm_mon = num(s + 4, 2) - 1;
    tm.tm_mday = num(s + 6, 2);
    tm.tm_hour = num(s + 9, 2);
    tm.tm_min = num(s + 11, 2);
    tm.tm_sec = num(s + 13, 2);
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return TERN_EINVALID;
    *out = timegm(&tm);
    return TERN_OK;
}

/*
 * Canonical URI.
 */

static int canonical_uri(tern_buf *b, const char *path, int normalize)
{
    const char *p, *seg;
    size_t len, *starts = NULL, *lens = NULL, nseg = 0, i;
    int error = TERN_OK;

    if (!path || !*path)
        path = "/";
    len = strlen(path);
    if (!normalize)
        return tern_aws_uri_encode(b, path, len, 1);

    /* At most len/2 + 1 segments. */
    starts = tern_malloc((len / 2 + 2) * sizeof(*starts));
    lens = tern_malloc((len / 2 + 2) * sizeof(*lens));
    if (!starts || !lens) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (p = path; *p;) {
        size_t n;

        while (*p == '/')
            p++;
        if (!*p)
            break;
        seg = p;
        while (*p && *p != '/')
            p++;
        n = (size_t)(p - seg);
        if (n == 1 && seg[0] == '.')
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            if (nseg > 0)
                nseg--;
            continue;
        }
        starts[nseg] = (size_t)(seg - path);
        lens[nseg] = n;
        nseg++;
    }
    if (path[0] == '/')
        tern_buf_putc(b, '/');
    for (i = 0; i < nseg; i++) {
        if (i > 0)
            tern_buf_putc(b, '/');
        tern_aws_uri_encode(b, path + starts[i], lens[i], 1);
    }
    if (path[len - 1] == '/' && nseg > 0)
        tern_buf_putc(b, '/');
    if (tern_buf_oom(b))
        error = TERN_ENOMEM;
done:
    tern_free(starts);
    tern_free(lens);
    return error;
}

/*
 * Canonical query string.
 */

struct qparam {
    char *name; /* encoded */
    char *value;
};

struct qlist {
    struct qparam *items;
    size_t n, alloc;
    int oom;
};

static char *reencode(const char *s, size_t len)
{
    tern_buf dec = TERN_BUF_INIT, enc = TERN_BUF_INIT;
    char *out;

    tern_aws_percent_decode(&dec, s, len);
    tern_buf_put(&dec, "", 0); /* a buffer even when empty */
    tern_aws_uri_encode(&enc, dec.ptr ? dec.ptr : "", dec.len, 0);
    tern_buf_put(&enc, "", 0);
    out = tern_buf_oom(&dec) ? NULL : tern_buf_detach(&enc);
    tern_buf_release(&dec);
    tern_buf_release(&enc);
    return out;
}

static void qlist_add_owned(struct qlist *l, char *name, char *value)
{
    if (!name || !value || l->oom) {
        l->oom = 1;
        tern_free(name);
        tern_free(value);
        return;
    }
    if (TERN_VEC_RESERVE(l->items, l->alloc, l->n + 1) != TERN_OK) {
        l->oom = 1;
        tern_free(name);
        tern_free(value);
        return;
    }
    l->items[l->n].name = name;
    l->items[l->n].value = value;
    l->n++;
}

/* Add a parameter given raw (unencoded) name and value. */
static void qlist_add_raw(struct qlist *l, const char *name, const char *value)
{
    tern_buf n = TERN_BUF_INIT, v = TERN_BUF_INIT;

    tern_aws_query_encode(&n, name);
    tern_buf_put(&n, "", 0);
    tern_aws_query_encode(&v, value);
    tern_buf_put(&v, "", 0);
    qlist_add_owned(l, tern_buf_detach(&n), tern_buf_detach(&v));
}

/* Add every parameter of a raw query string, except `skip` (by raw name). */
static void qlist_add_query(struct qlist *l, const char *query,
                            const char *skip)
{
    const char *p = query, *amp, *eq;

    while (p && *p) {
        size_t len;

        amp = strchr(p, '&');
        len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            eq = memchr(p, '=', len);
            if (!skip || strlen(skip) != (size_t)((eq ? eq : p + len) - p) ||
                memcmp(p, skip, strlen(skip)) != 0) {
                if (eq)
                    qlist_add_owned(
                        l, reencode(p, (size_t)(eq - p)),
                        reencode(eq + 1, len - (size_t)(eq - p) - 1));
                else
                    qlist_add_owned(l, reencode(p, len), reencode("", 0));
            }
        }
        p = amp ? amp + 1 : NULL;
    }
}

static int qparam_cmp(const void *a, const void *b)
{
    const struct qparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->value, y->value);
}

static void qlist_write(tern_buf *b, struct qlist *l)
{
    size_t i;

    if (l->n > 1)
        qsort(l->items, l->n, sizeof(*l->items), qparam_cmp);
    for (i = 0; i < l->n; i++) {
        if (i > 0)
            tern_buf_putc(b, '&');
        tern_buf_puts(b, l->items[i].name);
        tern_buf_putc(b, '=');
        tern_buf_puts(b, l->items[i].value);
    }
}

static void qlist_release(struct qlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        tern_free(l->items[i].name);
        tern_free(l->items[i].value);
    }
    tern_free(l->items);
    memset(l, 0, sizeof(*l));
}

/*
 * Canonical headers.
 */

struct chdr {
    char *lname;
    const char *value;
    size_t order;
};

static int chdr_cmp(const void *a, const void *b)
{
    const struct chdr *x = a, *y = b;
    int c = strcmp(x->lname, y->lname);

    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}

/* Trimall: strip both ends, collapse inner whitespace runs to one space. */
static void put_trimmed(tern_buf *b, const char *v)
{
    int pending = 0, any = 0;

    for (; v && *v; v++) {
        if (is_space(*v)) {
            pending = any;
            continue;
        }
        if (pending)
            tern_buf_putc(b, ' ');
        pending = 0;
        any = 1;
        tern_buf_putc(b, *v);
    }
}

static char *lower_dup(const char *s)
{
    char *d = tern_strdup(s);
    char *p;

    for (p = d; p && *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return d;
}

/*
 * Write "name:value\n" for each distinct name of the sorted list into
 * `canon`, and "a;b;c" into `signed_hdrs`.
 */
static void write_headers(tern_buf *canon, tern_buf *signed_hdrs,
                          struct chdr *h, size_t n)
{
    size_t i;

    if (n > 1)
        qsort(h, n, sizeof(*h), chdr_cmp);
    for (i = 0; i < n; i++) {
        int first = i == 0 || strcmp(h[i].lname, h[i - 1].lname) != 0;

        if (first) {
            if (i > 0) {
                tern_buf_putc(canon, '\n');
                tern_buf_putc(signed_hdrs, ';');
            }
            tern_buf_puts(canon, h[i].lname);
            tern_buf_putc(canon, ':');
            tern_buf_puts(signed_hdrs, h[i].lname);
        } else {
            tern_buf_putc(canon, ',');
        }
        put_trimmed(canon, h[i].value);
    }
    if (n > 0)
        tern_buf_putc(canon, '\n');
}

/*
 * The shared tail: canonical request, string to sign, signature.
 */

static int finish(tern_sigv4_result *out, const char *method,
                  const char *canon_uri, const char *canon_query,
                  const char *canon_headers, const char *signed_hdrs,
                  const char *payload_hash, const char *amz_date,
                  const char *scope_date, const char *region,
                  const char *service, const char *secret,
                  tern_sigv4_cache *cache)
{
    tern_buf cr = TERN_BUF_INIT, sts = TERN_BUF_INIT;
    char hex[65], date[9];
    unsigned char key[32], sig[32];
    int error = TERN_OK, i;

    const char *parts[] = {method,        canon_uri,   canon_query,
                           canon_headers, signed_hdrs, payload_hash};
    size_t n, len = 0;

    /* The canonical request, its six parts a line each: appended, not
     * formatted (vsnprintf measured and then wrote every byte; issue 19). */
    for (n = 0; n < sizeof(parts) / sizeof(parts[0]); n++)
        len += strlen(parts[n]) + 1;
    tern_buf_grow(&cr, len);
    for (n = 0; n < sizeof(parts) / sizeof(parts[0]); n++) {
        if (n)
            tern_buf_putc(&cr, '\n');
        tern_buf_puts(&cr, parts[n]);
    }
    if (tern_buf_oom(&cr)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (sha256_hex(hex, cr.ptr, cr.len) != TERN_OK) {
        error = TERN_ERROR;
        goto done;
    }
    snprintf(date, sizeof(date), "%s", scope_date);
    tern_buf_printf(&sts, "%s\n%s\n%s/%s/%s/aws4_request\n%s",
                    TERN_SIGV4_ALGORITHM, amz_date, date, region, service, hex);
    if (tern_buf_oom(&sts)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = tern_sigv4_signing_key(key, cache, secret, date, region, service);
    if (error != TERN_OK)
        goto done;
    error = hmac(sig, key, 32, sts.ptr, sts.len);
    OPENSSL_cleanse(key, sizeof(key));
    if (error != TERN_OK)
        goto done;
    for (i = 0; i < 32; i++) {
        static const char d[] = "0123456789abcdef";

        out->signature[2 * i] = d[sig[i] >> 4];
        out->signature[2 * i + 1] = d[sig[i] & 15];
    }
    out->signature[64] = '\0';
    memcpy(out->amz_date, amz_date, TERN_SIGV4_DATE_LEN);
    out->amz_date[TERN_SIGV4_DATE_LEN] = '\0';
    out->canonical_request = tern_buf_detach(&cr);
    out->string_to_sign = tern_buf_detach(&sts);
    out->signed_headers = tern_strdup(signed_hdrs);
    if (!out->canonical_request || !out->string_to_sign || !out->signed_headers)
        error = TERN_ENOMEM;
done:
    tern_buf_release(&cr);
    tern_buf_release(&sts);
    return error;
}

static int skipped_header(const char *name)
{
    return strcasecmp(name, "authorization") == 0 ||
           strcasecmp(name, "x-amz-date") == 0 ||
           strcasecmp(name, "x-amz-security-token") == 0 ||
           strcasecmp(name, "x-amz-content-sha256") == 0;
}

static int add_header(tern_sigv4_result *out, const char *name,
                      const char *value)
{
    struct tern_sigv4_kv *kv = &out->headers[out->nheaders];

    kv->name = tern_strdup(name);
    kv->value = tern_strdup(value);
    out->nheaders++;
    return kv->name && kv->value ? TERN_OK : TERN_ENOMEM;
}

/* The headers signed (lower-cased, in the request's order): the
 * request's own, then, in header form, the date, the session token and
 * the payload's hash. h has room for the request's headers and 3 more. */
static int sign_headers(struct chdr *h, size_t *nh,
                        const tern_sigv4_request *req,
                        const tern_sigv4_opts *opts, const char *amz_date,
                        const char *payload, int sign_token)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < req->nheaders; i++) {
        if (skipped_header(req->headers[i].name))
            continue;
        h[*nh].lname = lower_dup(req->headers[i].name);
        TERN_CHECK_ALLOC(h[*nh].lname);
        h[*nh].value = req->headers[i].value;
        h[*nh].order = *nh;
        (*nh)++;
    }
    if (opts->query_form)
        goto done;
    h[*nh].lname = tern_strdup("x-amz-date");
    TERN_CHECK_ALLOC(h[*nh].lname);
    h[*nh].value = amz_date;
    h[*nh].order = *nh;
    (*nh)++;
    if (sign_token) {
        h[*nh].lname = tern_strdup("x-amz-security-token");
        TERN_CHECK_ALLOC(h[*nh].lname);
        h[*nh].value = opts->session_token;
        h[*nh].order = *nh;
        (*nh)++;
    }
    if (opts->sign_body) {
        h[*nh].lname = tern_strdup("x-amz-content-sha256");
        TERN_CHECK_ALLOC(h[*nh].lname);
        h[*nh].value = payload;
        h[*nh].order = *nh;
        (*nh)++;
    }
done:
    return error;
}

/* A presigned URL's parameters, signed with the request's own query. */
static void presign_params(struct qlist *q, const tern_sigv4_opts *opts,
                           const char *scope, const char *amz_date,
                           const char *expires, const char *signed_hdrs,
                           int sign_token)
{
    qlist_add_raw(q, "X-Amz-Algorithm", TERN_SIGV4_ALGORITHM);
    qlist_add_raw(q, "X-Amz-Credential", scope);
    qlist_add_raw(q, "X-Amz-Date", amz_date);
    qlist_add_raw(q, "X-Amz-Expires", expires);
    if (sign_token)
        qlist_add_raw(q, "X-Amz-Security-Token", opts->session_token);
    qlist_add_raw(q, "X-Amz-SignedHeaders", signed_hdrs);
}

/* Query form: the parameters to add to the URL (out->query), the
 * signature last. */
static int presigned_query(tern_sigv4_result *out, const tern_sigv4_opts *opts,
                           const char *scope, const char *amz_date,
                           const char *expires, const char *signed_hdrs,
                           int token)
{
    tern_buf added = TERN_BUF_INIT;
    int error = TERN_OK;

    tern_aws_query_add(&added, "X-Amz-Algorithm", TERN_SIGV4_ALGORITHM);
    tern_aws_query_add(&added, "X-Amz-Credential", scope);
    tern_aws_query_add(&added, "X-Amz-Date", amz_date);
    tern_aws_query_add(&added, "X-Amz-SignedHeaders", signed_hdrs);
    tern_aws_query_add(&added, "X-Amz-Expires", expires);
    if (token)
        tern_aws_query_add(&added, "X-Amz-Security-Token", opts->session_token);
    tern_aws_query_add(&added, "X-Amz-Signature", out->signature);
    out->query = tern_buf_detach(&added);
    TERN_CHECK_ALLOC(out->query);
done:
    tern_buf_release(&added);
    return error;
}

/* Header form: the headers to send (out->headers), Authorization last. */
static int signed_headers_out(tern_sigv4_result *out,
                              const tern_sigv4_opts *opts, const char *scope,
                              const char *amz_date, const char *signed_hdrs,
                              const char *payload, int token)
{
    tern_buf auth = TERN_BUF_INIT;
    int error = TERN_OK;

    if (token && (error = add_header(out, "X-Amz-Security-Token",
                                     opts->session_token)) != TERN_OK)
        goto done;
    if ((error = add_header(out, "X-Amz-Date", amz_date)) != TERN_OK)
        goto done;
    if (opts->sign_body &&
        (error = add_header(out, "x-amz-content-sha256", payload)) != TERN_OK)
        goto done;
    tern_buf_printf(&auth,
                    "%s Credential=%s, SignedHeaders=%s, "
                    "Signature=%s",
                    TERN_SIGV4_ALGORITHM, scope, signed_hdrs, out->signature);
    if (tern_buf_oom(&auth)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = add_header(out, "Authorization", auth.ptr);
done:
    tern_buf_release(&auth);
    return error;
}

int tern_sigv4_sign(tern_sigv4_result *out, const tern_sigv4_request *req,
                    const tern_sigv4_opts *opts)
{
    tern_buf uri = TERN_BUF_INIT, query = TERN_BUF_INIT, hdrs = TERN_BUF_INIT,
             signed_hdrs = TERN_BUF_INIT, scope = TERN_BUF_INIT;
    struct qlist q = {NULL, 0, 0, 0};
    struct chdr *h = NULL;
    size_t nh = 0, i;
    char amz_date[TERN_SIGV4_DATE_LEN + 1], day[9], payload[65], expires[32];
    int token = opts->session_token && *opts->session_token;
    int sign_token = token && !opts->omit_session_token;
    int error = TERN_OK;

    memset(out, 0, sizeof(*out));
    if (!opts->access_key_id || !opts->secret_access_key || !opts->region ||
        !opts->service || !req->method) {
        error = TERN_EINVALID;
        goto done;
    }
    tern_sigv4_format_date(amz_date, opts->time);
    memcpy(day, amz_date, 8);
    day[8] = '\0';
    if (sha256_hex(payload, req->body, req->body_len) != TERN_OK) {
        error = TERN_ERROR;
        goto done;
    }
    tern_buf_printf(&scope, "%s/%.8s/%s/%s/aws4_request", opts->access_key_id,
                    amz_date, opts->region, opts->service);

    /* Headers: the request's own, then ours (header form). */
    h = tern_calloc(req->nheaders + 3, sizeof(*h));
    TERN_CHECK_ALLOC(h);
    if ((error =
             sign_headers(h, &nh, req, opts, amz_date, payload, sign_token)))
        goto done;
    write_headers(&hdrs, &signed_hdrs, h, nh);

    /* Query: the request's own, then ours (query form). */
    qlist_add_query(&q, req->query, NULL);
    if (opts->query_form) {
        snprintf(expires, sizeof(expires), "%lu", opts->expires);
        presign_params(&q, opts, tern_buf_cstr(&scope), amz_date, expires,
                       tern_buf_cstr(&signed_hdrs), sign_token);
    }
    if (q.oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    qlist_write(&query, &q);
    if (opts->path_encoded)
        tern_buf_puts(&uri, req->path && *req->path ? req->path : "/");
    else
        error = canonical_uri(&uri, req->path, opts->normalize_path);
    if (error != TERN_OK)
        goto done;
    if (tern_buf_oom(&uri) || tern_buf_oom(&query) || tern_buf_oom(&hdrs) ||
        tern_buf_oom(&signed_hdrs) || tern_buf_oom(&scope)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = finish(out, req->method, tern_buf_cstr(&uri), tern_buf_cstr(&query),
                   tern_buf_cstr(&hdrs), tern_buf_cstr(&signed_hdrs), payload,
                   amz_date, day, opts->region, opts->service,
                   opts->secret_access_key, opts->cache);
    if (error != TERN_OK)
        goto done;
    if (opts->query_form)
        error = presigned_query(out, opts, tern_buf_cstr(&scope), amz_date,
                                expires, tern_buf_cstr(&signed_hdrs), token);
    else
        error = signed_headers_out(out, opts, tern_buf_cstr(&scope), amz_date,
                                   tern_buf_cstr(&signed_hdrs), payload, token);
done:
    if (h) {
        for (i = 0; i < nh; i++)
            tern_free(h[i].lname);
        tern_free(h);
    }
    qlist_release(&q);
    tern_buf_release(&uri);
    tern_buf_release(&query);
    tern_buf_release(&hdrs);
    tern_buf_release(&signed_hdrs);
    tern_buf_release(&scope);
    if (error != TERN_OK)
        tern_sigv4_result_release(out);
    return error;
}

const char *tern_sigv4_result_header(const tern_sigv4_result *r,
                                     const char *name)
{
    size_t i;

    for (i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    }
    return NULL;
}

void tern_sigv4_result_release(tern_sigv4_result *r)
{
    size_t i;

    if (!r)
        return;
    tern_free(r->canonical_request);
    tern_free(r->string_to_sign);
    tern_free(r->signed_headers);
    tern_free(r->query);
    for (i = 0; i < r->nheaders; i++) {
        tern_free(r->headers[i].name);
        tern_free(r->headers[i].value);
    }
    memset(r, 0, sizeof(*r));
}

/*
 * Server side.
 */

const char *tern_sigv4_auth_strerror(enum tern_sigv4_auth_error why)
{
    switch (why) {
    case TERN_SIGV4_AUTH_OK:
        return "ok";
    case TERN_SIGV4_AUTH_BAD_ALGORITHM:
        return "Unsupported AWS 'algorithm': only AWS4-HMAC-SHA256 is "
               "supported.";
    case TERN_SIGV4_AUTH_MALFORMED_PARAM:
        return "Authorization header requires each component to be of the "
               "form 'name=value'.";
    case TERN_SIGV4_AUTH_DUPLICATE_PARAM:
        return "Authorization header has a duplicate component.";
    case TERN_SIGV4_AUTH_MISSING_CREDENTIAL:
        return "Authorization header requires 'Credential' parameter.";
    case TERN_SIGV4_AUTH_MISSING_SIGNED_HEADERS:
        return "Authorization header requires 'SignedHeaders' parameter.";
    case TERN_SIGV4_AUTH_MISSING_SIGNATURE:
        return "Authorization header requires 'Signature' parameter.";
    case TERN_SIGV4_AUTH_BAD_CREDENTIAL:
        return "Credential should be scoped to a valid access key, date, "
               "region and service: 'AKID/YYYYMMDD/region/service/"
               "aws4_request'.";
    case TERN_SIGV4_AUTH_BAD_SCOPE_DATE:
        return "Credential should be scoped to a date in the format "
               "YYYYMMDD.";
    case TERN_SIGV4_AUTH_BAD_TERMINATOR:
        return "Credential should be scoped with a valid terminator: "
               "'aws4_request'.";
    case TERN_SIGV4_AUTH_BAD_SIGNED_HEADERS:
        return "SignedHeaders should be a ';'-separated list of lower-case "
               "header names.";
    case TERN_SIGV4_AUTH_BAD_SIGNATURE:
        return "Signature should be 64 lower-case hexadecimal digits.";
    case TERN_SIGV4_AUTH_MISSING_DATE:
        return "AWS query-string parameters must include 'X-Amz-Date'.";
    case TERN_SIGV4_AUTH_BAD_EXPIRES:
        return "AWS query-string parameters must include 'X-Amz-Expires' as "
               "a number of seconds.";
    case TERN_SIGV4_AUTH_NOMEM:
        return "out of memory";
    }
    return "invalid signature";
}

void tern_sigv4_auth_release(tern_sigv4_auth *auth)
{
    if (!auth)
        return;
    tern_free(auth->access_key_id);
    tern_free(auth->date);
    tern_free(auth->region);
    tern_free(auth->service);
    tern_free(auth->signed_headers);
    tern_free(auth->amz_date);
    tern_free(auth->security_token);
    memset(auth, 0, sizeof(*auth));
}

/* Split AKID/date/region/service/aws4_request into auth's fields. */
static enum tern_sigv4_auth_error parse_credential(tern_sigv4_auth *auth,
                                                   const char *s, size_t len)
{
    const char *parts[5], *end = s + len, *p = s;
    size_t plen[5], n = 0;

    while (n < 5) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *e = slash ? slash : end;

        parts[n] = p;
        plen[n] = (size_t)(e - p);
        n++;
        if (!slash)
            break;
        p = slash + 1;
    }
    if (n == 5)
        plen[4] = (size_t)(end - parts[4]);
    if (n != 5 || memchr(parts[4], '/', plen[4]))
        return TERN_SIGV4_AUTH_BAD_CREDENTIAL;
    for (n = 0; n < 4; n++) {
        if (plen[n] == 0)
            return TERN_SIGV4_AUTH_BAD_CREDENTIAL;
    }
    if (plen[1] != 8 || !digits(parts[1], 8))
        return TERN_SIGV4_AUTH_BAD_SCOPE_DATE;
    if (plen[4] != 12 || memcmp(parts[4], "aws4_request", 12) != 0)
        return TERN_SIGV4_AUTH_BAD_TERMINATOR;
    auth->access_key_id = tern_strndup(parts[0], plen[0]);
    auth->date = tern_strndup(parts[1], plen[1]);
    auth->region = tern_strndup(parts[2], plen[2]);
    auth->service = tern_strndup(parts[3], plen[3]);
    if (!auth->access_key_id || !auth->date || !auth->region || !auth->service)
        return TERN_SIGV4_AUTH_NOMEM;
    return TERN_SIGV4_AUTH_OK;
}

static enum tern_sigv4_auth_error check_signed_headers(const char *s,
                                                       size_t len)
{
    size_t i;

    if (len == 0 || s[0] == ';' || s[len - 1] == ';')
        return TERN_SIGV4_AUTH_BAD_SIGNED_HEADERS;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == ';' && s[i + 1] == ';')
            return TERN_SIGV4_AUTH_BAD_SIGNED_HEADERS;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' || c == ';'))
            return TERN_SIGV4_AUTH_BAD_SIGNED_HEADERS;
    }
    return TERN_SIGV4_AUTH_OK;
}

static enum tern_sigv4_auth_error check_signature(const char *s, size_t len)
{
    size_t i;

    if (len != TERN_SIGV4_SIG_LEN)
        return TERN_SIGV4_AUTH_BAD_SIGNATURE;
    for (i = 0; i < len; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return TERN_SIGV4_AUTH_BAD_SIGNATURE;
    }
    return TERN_SIGV4_AUTH_OK;
}

/* Fill auth from the three components (pointers into the input). */
static enum tern_sigv4_auth_error fill_auth(tern_sigv4_auth *auth,
                                            const char *cred, size_t cred_len,
                                            const char *sh, size_t sh_len,
                                            const char *sig, size_t sig_len)
{
    enum tern_sigv4_auth_error why;

    if (!cred)
        return TERN_SIGV4_AUTH_MISSING_CREDENTIAL;
    if (!sh)
        return TERN_SIGV4_AUTH_MISSING_SIGNED_HEADERS;
    if (!sig)
        return TERN_SIGV4_AUTH_MISSING_SIGNATURE;
    why = parse_credential(auth, cred, cred_len);
    if (why != TERN_SIGV4_AUTH_OK)
        return why;
    why = check_signed_headers(sh, sh_len);
    if (why != TERN_SIGV4_AUTH_OK)
        return why;
    why = check_signature(sig, sig_len);
    if (why != TERN_SIGV4_AUTH_OK)
        return why;
    auth->signed_headers = tern_strndup(sh, sh_len);
    if (!auth->signed_headers)
        return TERN_SIGV4_AUTH_NOMEM;
    memcpy(auth->signature, sig, TERN_SIGV4_SIG_LEN);
    auth->signature[TERN_SIGV4_SIG_LEN] = '\0';
    return TERN_SIGV4_AUTH_OK;
}

static int parse_result(tern_sigv4_auth *out, enum tern_sigv4_auth_error e,
                        enum tern_sigv4_auth_error *why)
{
    if (why)
        *why = e;
    if (e == TERN_SIGV4_AUTH_OK)
        return TERN_OK;
    tern_sigv4_auth_release(out);
    return e == TERN_SIGV4_AUTH_NOMEM ? TERN_ENOMEM : TERN_EINVALID;
}

int tern_sigv4_auth_parse_header(tern_sigv4_auth *out, const char *value,
                                 enum tern_sigv4_auth_error *why)
{
    static const size_t alg_len = sizeof(TERN_SIGV4_ALGORITHM) - 1;
    const char *p, *cred = NULL, *sh = NULL, *sig = NULL;
    size_t cred_len = 0, sh_len = 0, sig_len = 0;

    memset(out, 0, sizeof(*out));
    if (!value || strncmp(value, TERN_SIGV4_ALGORITHM, alg_len) != 0 ||
        (value[alg_len] != ' ' && value[alg_len] != '\t'))
        return parse_result(out, TERN_SIGV4_AUTH_BAD_ALGORITHM, why);
    p = value + alg_len;
    while (*p) {
        const char *start, *end, *eq;
        const char **slot = NULL;
        size_t *slot_len = NULL;

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
        if (!eq || eq == start)
            return parse_result(out, TERN_SIGV4_AUTH_MALFORMED_PARAM, why);
        if ((size_t)(eq - start) == 10 && memcmp(start, "Credential", 10) == 0)
            slot = &cred, slot_len = &cred_len;
        else if ((size_t)(eq - start) == 13 &&
                 memcmp(start, "SignedHeaders", 13) == 0)
            slot = &sh, slot_len = &sh_len;
        else if ((size_t)(eq - start) == 9 &&
                 memcmp(start, "Signature", 9) == 0)
            slot = &sig, slot_len = &sig_len;
        if (!slot)
            continue; /* unknown components are ignored */
        if (*slot)
            return parse_result(out, TERN_SIGV4_AUTH_DUPLICATE_PARAM, why);
        *slot = eq + 1;
        *slot_len = (size_t)(end - eq - 1);
    }
    return parse_result(
        out, fill_auth(out, cred, cred_len, sh, sh_len, sig, sig_len), why);
}

/* The decoded value of the first raw query parameter `name`, or NULL. */
static char *query_param(const char *query, const char *name, int *oom)
{
    const char *p = query, *amp;
    size_t nlen = strlen(name);

    while (p && *p) {
        size_t len;

        amp = strchr(p, '&');
        len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
            tern_buf b = TERN_BUF_INIT;
            char *v;

            tern_aws_percent_decode(&b, p + nlen + 1, len - nlen - 1);
            tern_buf_put(&b, "", 0);
            v = tern_buf_detach(&b);
            if (!v)
                *oom = 1;
            return v;
        }
        if (len == nlen && memcmp(p, name, nlen) == 0)
            return tern_strdup("");
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

int tern_sigv4_auth_parse_query(tern_sigv4_auth *out, const char *raw_query,
                                enum tern_sigv4_auth_error *why)
{
    char *alg = NULL, *cred = NULL, *sh = NULL, *sig = NULL, *exp = NULL;
    enum tern_sigv4_auth_error e = TERN_SIGV4_AUTH_OK;
    int oom = 0;
    char *endp = NULL;
    long expires;

    memset(out, 0, sizeof(*out));
    out->query_form = 1;
    alg = query_param(raw_query, "X-Amz-Algorithm", &oom);
    cred = query_param(raw_query, "X-Amz-Credential", &oom);
    sh = query_param(raw_query, "X-Amz-SignedHeaders", &oom);
    sig = query_param(raw_query, "X-Amz-Signature", &oom);
    exp = query_param(raw_query, "X-Amz-Expires", &oom);
    out->amz_date = query_param(raw_query, "X-Amz-Date", &oom);
    out->security_token = query_param(raw_query, "X-Amz-Security-Token", &oom);
    if (oom) {
        e = TERN_SIGV4_AUTH_NOMEM;
        goto done;
    }
    if (!alg || strcmp(alg, TERN_SIGV4_ALGORITHM) != 0) {
        e = TERN_SIGV4_AUTH_BAD_ALGORITHM;
        goto done;
    }
    e = fill_auth(out, cred, cred ? strlen(cred) : 0, sh, sh ? strlen(sh) : 0,
                  sig, sig ? strlen(sig) : 0);
    if (e != TERN_SIGV4_AUTH_OK)
        goto done;
    if (!out->amz_date) {
        e = TERN_SIGV4_AUTH_MISSING_DATE;
        goto done;
    }
    expires = exp && *exp ? strtol(exp, &endp, 10) : -1;
    if (!exp || !*exp || *endp || expires < 0) {
        e = TERN_SIGV4_AUTH_BAD_EXPIRES;
        goto done;
    }
    out->expires = expires;
done:
    tern_free(alg);
    tern_free(cred);
    tern_free(sh);
    tern_free(sig);
    tern_free(exp);
    return parse_result(out, e, why);
}

int tern_sigv4_recompute(tern_sigv4_result *out, const tern_sigv4_request *req,
                         const tern_sigv4_auth *auth, const char *amz_date,
                         const char *secret, int normalize_path,
                         tern_sigv4_cache *cache)
{
    tern_buf uri = TERN_BUF_INIT, query = TERN_BUF_INIT, hdrs = TERN_BUF_INIT,
             signed_hdrs = TERN_BUF_INIT;
    struct qlist q = {NULL, 0, 0, 0};
    struct chdr *h = NULL;
    size_t nh = 0, cap, i;
    const char *p, *payload_header = NULL;
    char payload[65];
    int error = TERN_OK;

    memset(out, 0, sizeof(*out));
    if (auth->query_form)
        amz_date = auth->amz_date;
    if (!amz_date || strlen(amz_date) != TERN_SIGV4_DATE_LEN) {
        error = TERN_EINVALID;
        goto done;
    }

    /* One entry per signed name and matching header; a signed name with
     * no header gets one empty entry. */
    cap = req->nheaders + strlen(auth->signed_headers) + 1;
    h = tern_calloc(cap, sizeof(*h));
    TERN_CHECK_ALLOC(h);
    for (p = auth->signed_headers; *p;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        int found = 0;

        for (i = 0; i < req->nheaders; i++) {
            if (strlen(req->headers[i].name) != len ||
                strncasecmp(req->headers[i].name, p, len) != 0)
                continue;
            h[nh].lname = tern_strndup(p, len);
            TERN_CHECK_ALLOC(h[nh].lname);
            h[nh].value = req->headers[i].value;
            h[nh].order = nh;
            nh++;
            found = 1;
            if (len == 20 && strncmp(p, "x-amz-content-sha256", 20) == 0 &&
                !payload_header)
                payload_header = req->headers[i].value;
        }
        if (!found) {
            h[nh].lname = tern_strndup(p, len);
            TERN_CHECK_ALLOC(h[nh].lname);
            h[nh].value = "";
            h[nh].order = nh;
            nh++;
        }
        p = semi ? semi + 1 : p + len;
    }
    write_headers(&hdrs, &signed_hdrs, h, nh);
    /* Keep SignedHeaders as the client sent it: it is what was signed. */
    tern_buf_clear(&signed_hdrs);
    tern_buf_puts(&signed_hdrs, auth->signed_headers);

    qlist_add_query(&q, req->query,
                    auth->query_form ? "X-Amz-Signature" : NULL);
    if (q.oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    qlist_write(&query, &q);
    error = canonical_uri(&uri, req->path, normalize_path);
    if (error != TERN_OK)
        goto done;
    if (payload_header) {
        snprintf(payload, sizeof(payload), "%s", payload_header);
    } else if (sha256_hex(payload, req->body, req->body_len) != TERN_OK) {
        error = TERN_ERROR;
        goto done;
    }
    if (tern_buf_oom(&uri) || tern_buf_oom(&query) || tern_buf_oom(&hdrs) ||
        tern_buf_oom(&signed_hdrs)) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = finish(out, req->method, tern_buf_cstr(&uri), tern_buf_cstr(&query),
                   tern_buf_cstr(&hdrs), tern_buf_cstr(&signed_hdrs), payload,
                   amz_date, auth->date, auth->region, auth->service, secret,
                   cache);
done:
    if (h) {
        for (i = 0; i < nh; i++)
            tern_free(h[i].lname);
        tern_free(h);
    }
    qlist_release(&q);
    tern_buf_release(&uri);
    tern_buf_release(&query);
    tern_buf_release(&hdrs);
    tern_buf_release(&signed_hdrs);
    if (error != TERN_OK)
        tern_sigv4_result_release(out);
    return error;
}

int tern_sigv4_signature_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la != lb)
        return 0;
    return CRYPTO_memcmp(a, b, la) == 0;
}
