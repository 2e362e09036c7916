/*
 * Saved plans and their secrets (issue 20, finding 4): what in a plan is
 * sensitive, and the plan file encrypted with a passphrase.
 *
 * A plan holds what apply needs, sensitive values included: the values of
 * sensitive variables and what derives from them, the attributes a
 * resource's schema marks sensitive in the prior state and the planned
 * values (a random_password's result), sensitive outputs. tern does not
 * write such a plan in clear. Given a passphrase (TERN_PLAN_PASSPHRASE,
 * read by the CLI), the whole plan file is encrypted as OpenTofu 1.7
 * encrypts plans with its `pbkdf2` key provider and `aes_gcm` method
 * (internal/encryption/keyprovider/pbkdf2/config.go: SHA-512, 600,000
 * iterations, a 32-byte salt, a passphrase of at least 16 characters;
 * internal/encryption/method/aesgcm/aesgcm.go: AES-256-GCM, a 12-byte
 * nonce, a 16-byte tag):
 *
 *   tern-plan 1 aes-256-gcm pbkdf2-sha512 i=600000 salt=<64 hex> nonce=<24 hex>
 *   <ciphertext of the plaintext plan file><16-byte GCM tag>
 *
 * The header line is the cipher's associated data, so it is authenticated
 * with the ciphertext; the plaintext inside is a plan file as written
 * without a passphrase (its own header and SHA-256). A new salt and nonce
 * are drawn for every file. The key is derived for each write and read
 * and zeroed after use; the passphrase is never written anywhere.
 * Without a passphrase, a plan holding a sensitive value is not written:
 * tern__plan_refuse_sensitive() says what is sensitive and what to do.
 */
#include "engine/engine_int.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/alloc.h"
#include "util/vec.h"

#define SEAL_ITER     600000
#define SEAL_ITER_MAX 10000000 /* what a reader accepts: about 15 s here */
#define SEAL_SALT     32
#define SEAL_NONCE    12
#define SEAL_TAG      16
#define SEAL_KEY      32
#define PASS_MIN      16
/* What the reader refuses, and the writer never makes, in one GCM
 * message: far over anything a plan holds. */
#define SEAL_MAX ((size_t)1 << 36)

/* ---- the passphrase --------------------------------------------------------
 */

int tern_plan_passphrase_check(const char *passphrase, struct tern_diags *diags)
{
    if (!passphrase || strlen(passphrase) >= PASS_MIN)
        return TERN_OK;
    tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid plan passphrase",
                   "TERN_PLAN_PASSPHRASE is shorter than %d characters. A "
                   "passphrase that encrypts saved plans must have at least "
                   "%d, as OpenTofu's pbkdf2 key provider requires; choose "
                   "a longer one.",
                   PASS_MIN, PASS_MIN);
    return TERN_EINVALID;
}

/* ---- encryption ------------------------------------------------------------
 */

void tern__buf_wipe(tern_buf *b)
{
    if (b->ptr)
        OPENSSL_cleanse(b->ptr, b->alloc);
    tern_buf_release(b);
}

int tern__plan_is_sealed(const char *text, size_t len)
{
    return len >= strlen(TERN__PLAN_SEALED) &&
           memcmp(text, TERN__PLAN_SEALED, strlen(TERN__PLAN_SEALED)) == 0;
}

static int derive_key(const char *pass, const unsigned char *salt, long iter,
                      unsigned char key[SEAL_KEY])
{
    return PKCS5_PBKDF2_HMAC(pass, (int)strlen(pass), salt, SEAL_SALT,
                             (int)iter, EVP_sha512(), SEAL_KEY, key) == 1
               ? TERN_OK
               : TERN_ERROR;
}

/*
 * AES-256-GCM of @len bytes @in into @out (as long), with @aad
 * authenticated: @enc 1 encrypts and fills @tag, 0 decrypts and checks
 * it. TERN_ERROR when the tag does not match (or OpenSSL fails).
 */
static int gcm(int enc, const unsigned char *key, const unsigned char *nonce,
               const char *aad, size_t aadlen, const unsigned char *in,
               size_t len, unsigned char *out, unsigned char tag[SEAL_TAG])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    size_t off = 0;
    int n = 0, ok;

    if (!c)
        return TERN_ENOMEM;
    ok =
        EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE, NULL) == 1 &&
        EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
        EVP_CipherUpdate(c, NULL, &n, (const unsigned char *)aad,
                         (int)aadlen) == 1 &&
        (enc ||
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, tag) == 1);
    while (ok && off < len) {
        size_t chunk = len - off > (1u << 30) ? (1u << 30) : len - off;

        ok = EVP_CipherUpdate(c, out + off, &n, in + off, (int)chunk) == 1 &&
             n >= 0;
        off += ok ? (size_t)n : 0;
    }
    ok = ok && EVP_CipherFinal_ex(c, out + off, &n) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? TERN_OK : TERN_ERROR;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int tern__plan_seal(const char *plain, size_t len, const char *pass,
                    tern_buf *out, struct tern_diags *diags)
{
    unsigned char salt[SEAL_SALT], nonce[SEAL_NONCE], key[SEAL_KEY];
    unsigned char tag[SEAL_TAG];
    char salt_hex[2 * SEAL_SALT + 1], nonce_hex[2 * SEAL_NONCE + 1];
    size_t head;
    int error;

    if ((error = tern_plan_passphrase_check(pass, diags)))
        return error;
    if (!pass || len > SEAL_MAX)
        return TERN_ERROR;
    if (RAND_bytes(salt, sizeof(salt)) != 1 ||
        RAND_bytes(nonce, sizeof(nonce)) != 1) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to write plan file",
                       "OpenSSL could not draw the random salt and nonce "
                       "that encrypt the plan.");
        return TERN_ERROR;
    }
    hex(salt, sizeof(salt), salt_hex);
    hex(nonce, sizeof(nonce), nonce_hex);
    tern_buf_printf(out, "%si=%d salt=%s nonce=%s\n", TERN__PLAN_SEALED,
                    SEAL_ITER, salt_hex, nonce_hex);
    head = out->len;
    if (tern_buf_grow(out, len + SEAL_TAG) || tern_buf_oom(out))
        return TERN_ENOMEM;
    if ((error = derive_key(pass, salt, SEAL_ITER, key)) == TERN_OK)
        error = gcm(1, key, nonce, out->ptr, head, (const unsigned char *)plain,
                    len, (unsigned char *)out->ptr + head, tag);
    OPENSSL_cleanse(key, sizeof(key));
    if (error == TERN_ENOMEM)
        return error;
    if (error) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to write plan file",
                       "OpenSSL could not encrypt the plan.");
        return error;
    }
    out->len = head + len;
    return tern_buf_put(out, tag, sizeof(tag)) ? TERN_ENOMEM : TERN_OK;
}

/* @n hex digits at *@p into @out (n / 2 bytes), *@p moved past them. */
static int unhex(const char **p, const char *end, size_t n, unsigned char *out)
{
    size_t i;

    if ((size_t)(end - *p) < n)
        return -1;
    for (i = 0; i < n; i++) {
        char c = (*p)[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;

        if (d < 0)
            return -1;
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | d : d << 4);
    }
    *p += n;
    return 0;
}

static int skip(const char **p, const char *end, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
        return -1;
    *p += n;
    return 0;
}

/* The sealed header's fields: the length of the header line with its
 * newline, or 0 and *@why when it is damaged. */
static size_t parse_header(const char *text, size_t len, long *iter,
                           unsigned char *salt, unsigned char *nonce,
                           const char **why)
{
    const char *p = text + strlen(TERN__PLAN_SEALED), *end = text + len;

    *iter = 0;
    *why = "its header is damaged.";
    if (skip(&p, end, "i=") || p == end || *p < '1' || *p > '9')
        return 0;
    while (p < end && *p >= '0' && *p <= '9' && *iter <= SEAL_ITER_MAX)
        *iter = *iter * 10 + (*p++ - '0');
    if (*iter > SEAL_ITER_MAX) {
        *why = "its header asks for more than 10000000 iterations of "
               "PBKDF2, which this tern does not spend.";
        return 0;
    }
    if (skip(&p, end, " salt=") || unhex(&p, end, 2 * SEAL_SALT, salt) ||
        skip(&p, end, " nonce=") || unhex(&p, end, 2 * SEAL_NONCE, nonce) ||
        skip(&p, end, "\n"))
        return 0;
    return (size_t)(p - text);
}

int tern__plan_open(const char *text, size_t len, const char *path,
                    const char *pass, tern_buf *plain, struct tern_diags *diags)
{
    unsigned char salt[SEAL_SALT], nonce[SEAL_NONCE], key[SEAL_KEY];
    unsigned char tag[SEAL_TAG];
    const char *why = NULL;
    long iter = 0;
    size_t head = parse_header(text, len, &iter, salt, nonce, &why), n;
    int error;

    if (!head || len - head < SEAL_TAG) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid plan file",
                       "The plan file %s cannot be used: %s", path,
                       head ? "it is truncated: it ends before its "
                              "authentication tag."
                            : why);
        return TERN_EINVALID;
    }
    if (!pass) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Saved plan is encrypted",
                       "The plan file %s is encrypted with a passphrase "
                       "(AES-256-GCM, its key derived with PBKDF2-SHA512). "
                       "Set TERN_PLAN_PASSPHRASE to the passphrase it was "
                       "saved with and run the command again.",
                       path);
        return TERN_EINVALID;
    }
    if ((error = tern_plan_passphrase_check(pass, diags)))
        return error;
    n = len - head - SEAL_TAG;
    memcpy(tag, text + head + n, SEAL_TAG);
    if (n > SEAL_MAX || tern_buf_grow(plain, n + 1) || tern_buf_oom(plain))
        return TERN_ENOMEM;
    if ((error = derive_key(pass, salt, iter, key)) == TERN_OK)
        error =
            gcm(0, key, nonce, text, head, (const unsigned char *)text + head,
                n, (unsigned char *)plain->ptr, tag);
    OPENSSL_cleanse(key, sizeof(key));
    if (error == TERN_ENOMEM)
        return error;
    if (error) {
        OPENSSL_cleanse(plain->ptr, plain->alloc);
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Failed to decrypt the saved plan",
                       "The plan file %s cannot be decrypted with the "
                       "passphrase in TERN_PLAN_PASSPHRASE: that is not the "
                       "passphrase it was saved with, or the file was "
                       "changed after it was saved. Set the passphrase "
                       "given to plan -out, or make a new plan.",
                       path);
        return TERN_EINVALID;
    }
    plain->len = n;
    plain->ptr[n] = '\0';
    return TERN_OK;
}

/* ---- what is sensitive -----------------------------------------------------
 */

/* Whether @v holds a known, non-null value that is marked sensitive or
 * that @schema (the attributes of the object @v is, when it is one) marks
 * sensitive, nested blocks included. */
static int holds_sensitive(const tern_value *v, const tern_attr *schema)
{
    enum tern_value_kind k;
    size_t i;

    if (!v || tern_value_is_null(v) || tern_value_is_unknown(v))
        return 0;
    if (tern_value_is_sensitive(v))
        return 1;
    k = tern_value_kind(v);
    for (i = 0;
         (k == TERN_VAL_LIST || k == TERN_VAL_SET) && i < tern_value_length(v);
         i++)
        if (holds_sensitive(tern_value_list_get(v, i), schema))
            return 1;
    for (i = 0; k == TERN_VAL_OBJECT && i < tern_value_length(v); i++) {
        const tern_value *x = tern_value_object_value(v, i);
        const tern_attr *a =
            schema ? tern_schema_attr(schema, tern_value_object_key(v, i))
                   : NULL;

        if (a && (a->flags & TERN_ATTR_SENSITIVE) && !tern_value_is_null(x) &&
            !tern_value_is_unknown(x))
            return 1;
        if (holds_sensitive(x, a ? a->nested : NULL))
            return 1;
    }
    return 0;
}

static int json_holds_sensitive(const json_t *j, const tern_attr *schema)
{
    tern_value *v;
    int hit;

    if (!json_is_object(j) || !schema)
        return 0;
    v = tern_value_from_json(j);
    hit = v ? holds_sensitive(v, schema) : 1; /* unsure: say so */
    tern_value_decref(v);
    return hit;
}

static int inst_sensitive(const struct pinst *pi)
{
    const tern_module *m =
        tern_module_find(pi->pub.mode == TERN_STATE_DATA ? TERN_MODULE_DATA
                                                         : TERN_MODULE_RESOURCE,
                         pi->type);
    const tern_attr *schema = m ? m->schema : NULL;

    return holds_sensitive(pi->before, schema) ||
           holds_sensitive(pi->after, schema) ||
           holds_sensitive(pi->each_value, NULL) ||
           json_holds_sensitive(pi->adopt, schema);
}

/* What is named in the refusal: a prefix ("var.", "output.", "") and a
 * name, borrowed from the plan. */
struct named {
    const char *prefix, *name;
};
typedef TERN_VEC(struct named) name_vec;

static int add_name(name_vec *names, const char *prefix, const char *name,
                    int unique)
{
    struct named n;
    size_t i;

    for (i = 0; unique && i < names->n; i++)
        if (strcmp(names->v[i].name, name) == 0)
            return TERN_OK;
    n.prefix = prefix;
    n.name = name;
    return tern_vec_push(names, n);
}

/* @lead, then "a", "a and b", "a, b and c"; past @max names, "a, b and N
 * more". */
static void put_names(tern_buf *b, const char *lead, const name_vec *names,
                      size_t max)
{
    size_t i, shown = names->n > max ? max : names->n;

    tern_buf_puts(b, lead);
    for (i = 0; i < shown; i++) {
        if (i > 0)
            tern_buf_puts(b, i + 1 == names->n ? " and " : ", ");
        tern_buf_printf(b, "%s%s", names->v[i].prefix, names->v[i].name);
    }
    if (shown < names->n)
        tern_buf_printf(b, " and %zu more", names->n - shown);
}

/* Whether the plan's variable @name is given to a provider's sensitive
 * argument (tern__plan_redact found it). */
static int credential_var(const struct tern_plan *p, const char *name)
{
    size_t j;

    for (j = 0; j < json_array_size(p->cred_vars); j++)
        if (strcmp(json_string_value(json_array_get(p->cred_vars, j)), name) ==
            0)
            return 1;
    return 0;
}

/* What in @p is sensitive: variables in @vars, instances and outputs in
 * @addrs. */
static int collect(const struct tern_plan *p, name_vec *vars, name_vec *addrs)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; !error && i < tern_value_length(p->vars); i++) {
        const char *k = tern_value_object_key(p->vars, i);
        const tern_value *v = tern_value_object_value(p->vars, i);

        if (holds_sensitive(v, NULL) ||
            (credential_var(p, k) && !tern_value_is_null(v) &&
             !tern_value_is_unknown(v)))
            error = add_name(vars, "var.", k, 0);
    }
    /* The drift repeats addresses of the plan's instances. */
    for (i = 0; !error && i < p->ninsts + p->ndrift; i++) {
        const struct pinst *pi =
            i < p->ninsts ? &p->insts[i] : &p->drift[i - p->ninsts];

        if (inst_sensitive(pi))
            error = add_name(addrs, "", pi->addr, i >= p->ninsts);
    }
    for (i = 0; !error && i < tern_value_length(p->outputs); i++)
        if (holds_sensitive(tern_value_object_value(p->outputs, i), NULL))
            error = add_name(addrs, "output.",
                             tern_value_object_key(p->outputs, i), 0);
    return error;
}

int tern__plan_refuse_sensitive(const struct tern_plan *p, const char *path,
                                struct tern_diags *diags)
{
    name_vec vars = TERN_VEC_INIT, addrs = TERN_VEC_INIT;
    tern_buf what = TERN_BUF_INIT;
    int error = collect(p, &vars, &addrs);

    if (error || (vars.n == 0 && addrs.n == 0))
        goto done;
    if (vars.n)
        put_names(&what, "the values of ", &vars, SIZE_MAX);
    if (vars.n && addrs.n)
        tern_buf_puts(&what, ", and ");
    if (addrs.n)
        put_names(&what, "sensitive values in ", &addrs, 5);
    if (tern_buf_oom(&what)) {
        error = TERN_ENOMEM;
        goto done;
    }
    tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                   "Saved plan would hold sensitive values",
                   "The plan holds %s. tern writes no sensitive value to "
                   "a plan file in clear, so %s was not written. Set "
                   "TERN_PLAN_PASSPHRASE (at least %d characters) to save "
                   "the plan encrypted with it, or run plan without -out.",
                   what.ptr, path, PASS_MIN);
    error = TERN_EINVALID;
done:
    tern_vec_release(&vars);
    tern_vec_release(&addrs);
    tern_buf_release(&what);
    return error;
}
