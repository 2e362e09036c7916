/*
 * IAM policy documents: the canonical form behind equivalence, and the
 * linter. The rules of the canonical form are in policy.h; the action
 * catalogue is generated data (actions_data.c, docs/internals/IAM-ACTIONS.md).
 *
 * Everything here works on a parsed copy and never changes its input.
 * Lists become sorted arrays of strings built from a scratch array of
 * tern_strdup()'d strings, so the sort is plain strcmp() order and the
 * canonical text does not depend on jansson's key order (we dump with
 * JSON_SORT_KEYS).
 */
#include "policy/policy.h"

#include "policy/actions.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/vec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The version IAM applies to a document without one. */
#define DEFAULT_VERSION "2008-10-17"

/* The services whose actions the catalogue holds, sorted. */
static const char *const catalogued[] = {
    "cloudwatch", "ec2", "ecr", "iam", "kms", "logs", "s3", "sagemaker", "sts",
};
#define N_CATALOGUED (sizeof(catalogued) / sizeof(catalogued[0]))

/* Longest name the edit distance compares; longer names never match. */
#define MAX_DIST_LEN 128

/* -------------------------------------------------------------------- */
/* Text                                                                  */
/* -------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int tern_policy_text_decode(char **out, const char *text)
{
    const char *p = text ? text : "";
    char *s = NULL;
    size_t n = 0;
    int error = 0;

    *out = NULL;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (strncasecmp(p, "%7b", 3) != 0) {
        *out = tern_strdup(text ? text : "");
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    s = tern_malloc(strlen(p) + 1);
    TERN_CHECK_ALLOC(s);
    /* RFC 3986 percent-decoding, as IAM encodes: '+' is a literal plus. */
    while (*p) {
        if (*p == '%') {
            int hi = hexval((unsigned char)p[1]);
            int lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);

            if (hi < 0 || lo < 0) {
                error = TERN_EINVALID;
                goto done;
            }
            s[n++] = (char)(hi * 16 + lo);
            p += 3;
        } else {
            s[n++] = *p++;
        }
    }
    s[n] = '\0';
    *out = s;
    s = NULL;
done:
    tern_free(s);
    return error;
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/*
 * Parse a document: decode, json_loads, require an object. Failures are
 * described in diags (when given) as errors.
 */
static int parse_document(json_t **out, const char *text,
                          struct tern_diags *diags)
{
    char *plain = NULL;
    json_t *doc = NULL;
    json_error_t jerr;
    int error, oom = 0;

    *out = NULL;
    error = tern_policy_text_decode(&plain, text);
    if (error == TERN_EINVALID) {
        if (diags)
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Invalid policy document",
                           "The URL-encoded policy document has a broken "
                           "%%-escape.");
        goto done;
    }
    if (error)
        goto done;
    /* Jansson reports a string it could not allocate as a syntax error,
     * and can hand back a document a character short: util/json.h tells
     * and drops it. */
    doc = tern_json_loadb(plain, strlen(plain), 0, &jerr, &oom);
    if (oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (!doc) {
        if (diags)
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Invalid policy document",
                           "The policy document is not valid JSON: %s "
                           "(line %d, column %d).",
                           jerr.text, jerr.line, jerr.column);
        error = TERN_EINVALID;
        goto done;
    }
    if (!json_is_object(doc)) {
        if (diags)
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Invalid policy document",
                           "A policy document is a JSON object.");
        error = TERN_EINVALID;
        goto done;
    }
    *out = doc;
    doc = NULL;
done:
    json_decref(doc);
    tern_free(plain);
    return error;
}

/* -------------------------------------------------------------------- */
/* Canonical form                                                        */
/* -------------------------------------------------------------------- */

/* How a list's strings are canonicalised. */
enum set_mode {
    SET_PLAIN,         /* as written (Resource) */
    SET_LOWER,         /* case-insensitive (Action) */
    SET_AWS_PRINCIPAL, /* account root ARN -> account id */
    SET_COND_VALUE     /* booleans and numbers as strings */
};

/* A growable array of owned strings. */
struct strv {
    char **v;
    size_t n;
    size_t alloc;
};

static void strv_release(struct strv *sv)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        tern_free(sv->v[i]);
    tern_free(sv->v);
    sv->v = NULL;
    sv->n = sv->alloc = 0;
}

/* Takes ownership of s (freed on failure). */
static int strv_push(struct strv *sv, char *s)
{
    if (!s)
        return TERN_ENOMEM;
    if (TERN_VEC_RESERVE(sv->v, sv->alloc, sv->n + 1) != TERN_OK) {
        tern_free(s);
        return TERN_ENOMEM;
    }
    sv->v[sv->n++] = s;
    return TERN_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/*
 * "arn:<partition>:iam::<12 digits>:root" -> "<12 digits>", in place; any
 * other principal is left alone.
 */
static void account_root_to_id(char *s)
{
    const char *p, *acct;

    if (strncmp(s, "arn:", 4) != 0)
        return;
    p = strchr(s + 4, ':');
    if (!p || strncmp(p, ":iam::", 6) != 0)
        return;
    acct = p + 6;
    if (!all_digits(acct, 12) || strcmp(acct + 12, ":root") != 0)
        return;
    memmove(s, acct, 12);
    s[12] = '\0';
}

/* One scalar of a list as the string it canonicalises to. */
static int scalar_string(char **out, const json_t *v, enum set_mode mode)
{
    *out = NULL;
    if (json_is_string(v)) {
        *out = tern_strdup(json_string_value(v));
    } else if (mode == SET_COND_VALUE && json_is_boolean(v)) {
        *out = tern_strdup(json_is_true(v) ? "true" : "false");
    } else if (mode == SET_COND_VALUE && json_is_integer(v)) {
        *out = tern_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (mode == SET_COND_VALUE && json_is_real(v)) {
        char *d = tern_json_dumps(v, JSON_ENCODE_ANY);

        if (!d)
            return TERN_ENOMEM;
        *out = tern_strdup(d);
        free(d); /* jansson's allocation */
    } else {
        return TERN_EINVALID;
    }
    if (!*out)
        return TERN_ENOMEM;
    if (mode == SET_LOWER)
        lower_ascii(*out);
    else if (mode == SET_AWS_PRINCIPAL)
        account_root_to_id(*out);
    return TERN_OK;
}

/*
 * A string or list of scalars as a sorted JSON array of strings without
 * duplicates.
 */
static int string_set(json_t **out, const json_t *v, enum set_mode mode)
{
    struct strv sv = {NULL, 0, 0};
    json_t *arr = NULL;
    char *s = NULL;
    size_t i;
    int error = 0;

    *out = NULL;
    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++) {
            error = scalar_string(&s, json_array_get(v, i), mode);
            if (error)
                goto done;
            error = strv_push(&sv, s);
            s = NULL;
            if (error)
                goto done;
        }
    } else {
        error = scalar_string(&s, v, mode);
        if (error)
            goto done;
        error = strv_push(&sv, s);
        s = NULL;
        if (error)
            goto done;
    }
    if (sv.n > 1)
        qsort(sv.v, sv.n, sizeof(*sv.v), cmp_str);
    arr = json_array();
    TERN_CHECK_ALLOC(arr);
    for (i = 0; i < sv.n; i++) {
        if (i > 0 && strcmp(sv.v[i], sv.v[i - 1]) == 0)
            continue;
        if (json_array_append_new(arr, json_string(sv.v[i])) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    *out = arr;
    arr = NULL;
done:
    json_decref(arr);
    strv_release(&sv);
    return error;
}

static int canon_principal(json_t **out, const json_t *v)
{
    json_t *obj = NULL, *set = NULL;
    const char *type;
    json_t *vals;
    int error = 0;

    *out = NULL;
    obj = json_object();
    TERN_CHECK_ALLOC(obj);
    if (json_is_string(v)) {
        /* "*" is {"AWS": "*"}; no other bare string is a principal. */
        if (strcmp(json_string_value(v), "*") != 0) {
            error = TERN_EINVALID;
            goto done;
        }
        error = string_set(&set, v, SET_PLAIN);
        if (error)
            goto done;
        if (json_object_set_new(obj, "AWS", set) != 0) {
            set = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        set = NULL;
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, type, vals)
        {
            error = string_set(&set, vals,
                               strcmp(type, "AWS") == 0 ? SET_AWS_PRINCIPAL
                                                        : SET_PLAIN);
            if (error)
                goto done;
            if (json_object_set_new(obj, type, set) != 0) {
                set = NULL;
                error = TERN_ENOMEM;
                goto done;
            }
            set = NULL;
        }
    } else {
        error = TERN_EINVALID;
        goto done;
    }
    *out = obj;
    obj = NULL;
done:
    json_decref(obj);
    return error;
}

static int canon_condition(json_t **out, const json_t *v)
{
    json_t *obj = NULL, *keys = NULL, *set = NULL;
    const char *op, *key;
    json_t *block, *vals;
    char *lkey = NULL;
    int error = 0;

    *out = NULL;
    if (!json_is_object(v))
        return TERN_EINVALID;
    obj = json_object();
    TERN_CHECK_ALLOC(obj);
    json_object_foreach((json_t *)v, op, block)
    {
        if (!json_is_object(block)) {
            error = TERN_EINVALID;
            goto done;
        }
        keys = json_object();
        TERN_CHECK_ALLOC(keys);
        json_object_foreach(block, key, vals)
        {
            lkey = tern_strdup(key);
            TERN_CHECK_ALLOC(lkey);
            lower_ascii(lkey);
            /*
             * Two spellings of one key under one operator: IAM reads them
             * as one key, but which values it keeps is not documented, so
             * refuse to guess.
             */
            if (json_object_get(keys, lkey)) {
                error = TERN_EINVALID;
                goto done;
            }
            error = string_set(&set, vals, SET_COND_VALUE);
            if (error)
                goto done;
            if (json_object_set_new(keys, lkey, set) != 0) {
                set = NULL;
                error = TERN_ENOMEM;
                goto done;
            }
            set = NULL;
            tern_free(lkey);
            lkey = NULL;
        }
        if (json_object_set_new(obj, op, keys) != 0) {
            keys = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        keys = NULL;
    }
    *out = obj;
    obj = NULL;
done:
    tern_free(lkey);
    json_decref(keys);
    json_decref(obj);
    return error;
}

static int canon_statement(json_t **out, const json_t *st)
{
    json_t *obj = NULL, *nv = NULL;
    const char *key;
    json_t *v;
    int error = 0;

    *out = NULL;
    if (!json_is_object(st))
        return TERN_EINVALID;
    obj = json_object();
    TERN_CHECK_ALLOC(obj);
    json_object_foreach((json_t *)st, key, v)
    {
        if (strcmp(key, "Sid") == 0 && json_is_string(v) &&
            json_string_value(v)[0] == '\0')
            continue;
        if (strcmp(key, "Action") == 0 || strcmp(key, "NotAction") == 0)
            error = string_set(&nv, v, SET_LOWER);
        else if (strcmp(key, "Resource") == 0 ||
                 strcmp(key, "NotResource") == 0)
            error = string_set(&nv, v, SET_PLAIN);
        else if (strcmp(key, "Principal") == 0 ||
                 strcmp(key, "NotPrincipal") == 0)
            error = canon_principal(&nv, v);
        else if (strcmp(key, "Condition") == 0)
            error = canon_condition(&nv, v);
        else if (!(nv = json_deep_copy(v)))
            error = TERN_ENOMEM;
        if (error)
            goto done;
        if (json_object_set_new(obj, key, nv) != 0) {
            nv = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        nv = NULL;
    }
    *out = obj;
    obj = NULL;
done:
    json_decref(obj);
    return error;
}

/* A statement with its canonical text, for sorting. */
struct keyed {
    char *text; /* jansson's allocation */
    json_t *st;
};

static int cmp_keyed(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->text,
                  ((const struct keyed *)b)->text);
}

static int canon_statements(json_t **out, const json_t *v)
{
    struct keyed *ks = NULL;
    json_t *arr = NULL;
    size_t n, i;
    int error = 0;

    *out = NULL;
    n = json_is_array(v) ? json_array_size(v) : 1;
    ks = tern_calloc(n ? n : 1, sizeof(*ks));
    TERN_CHECK_ALLOC(ks);
    for (i = 0; i < n; i++) {
        const json_t *st = json_is_array(v) ? json_array_get(v, i) : v;

        error = canon_statement(&ks[i].st, st);
        if (error)
            goto done;
        /* The sort key: never one short of a member. */
        ks[i].text = tern_json_dumps(ks[i].st, JSON_COMPACT | JSON_SORT_KEYS);
        TERN_CHECK_ALLOC(ks[i].text);
    }
    if (n > 1)
        qsort(ks, n, sizeof(*ks), cmp_keyed);
    arr = json_array();
    TERN_CHECK_ALLOC(arr);
    for (i = 0; i < n; i++) {
        if (i > 0 && strcmp(ks[i].text, ks[i - 1].text) == 0)
            continue;
        if (json_array_append(arr, ks[i].st) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    *out = arr;
    arr = NULL;
done:
    for (i = 0; ks && i < n; i++) {
        free(ks[i].text); /* jansson's allocation */
        json_decref(ks[i].st);
    }
    tern_free(ks);
    json_decref(arr);
    return error;
}

static int canon_document(json_t **out, const json_t *doc)
{
    json_t *obj = NULL, *nv = NULL;
    const char *key;
    json_t *v;
    int error = 0;

    *out = NULL;
    obj = json_object();
    TERN_CHECK_ALLOC(obj);
    json_object_foreach((json_t *)doc, key, v)
    {
        if (strcmp(key, "Id") == 0 && json_is_string(v) &&
            json_string_value(v)[0] == '\0')
            continue;
        if (strcmp(key, "Statement") == 0)
            error = canon_statements(&nv, v);
        else if (!(nv = json_deep_copy(v)))
            error = TERN_ENOMEM;
        if (error)
            goto done;
        if (json_object_set_new(obj, key, nv) != 0) {
            nv = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        nv = NULL;
    }
    if (!json_object_get(obj, "Version") &&
        json_object_set_new(obj, "Version", json_string(DEFAULT_VERSION)) !=
            0) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = obj;
    obj = NULL;
done:
    json_decref(obj);
    return error;
}

int tern_policy_normalize(json_t **out, const char *text,
                          struct tern_diags *diags)
{
    json_t *doc = NULL;
    int error;

    *out = NULL;
    error = parse_document(&doc, text, diags);
    if (error)
        goto done;
    error = canon_document(out, doc);
    if (error == TERN_EINVALID && diags)
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid policy document",
                       "A statement of the policy document has the wrong "
                       "shape (a list of strings where a string or list is "
                       "expected, a principal other than \"*\" or an "
                       "object, a condition that is not an object of "
                       "objects, or one condition key spelt twice).");
done:
    json_decref(doc);
    return error;
}

int tern_policy_canonical(char **out, const char *text,
                          struct tern_diags *diags)
{
    json_t *canon = NULL;
    char *dump = NULL;
    int error;

    *out = NULL;
    error = tern_policy_normalize(&canon, text, diags);
    if (error)
        goto done;
    dump = tern_json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    TERN_CHECK_ALLOC(dump);
    *out = tern_strdup(dump);
    TERN_CHECK_ALLOC(*out);
done:
    free(dump); /* jansson's allocation */
    json_decref(canon);
    return error;
}

int tern_policy_equivalent(const char *a, const char *b)
{
    char *ca = NULL, *cb = NULL;
    int result = -1;

    if (tern_policy_canonical(&ca, a, NULL) != TERN_OK ||
        tern_policy_canonical(&cb, b, NULL) != TERN_OK)
        goto done;
    result = strcmp(ca, cb) == 0;
done:
    tern_free(ca);
    tern_free(cb);
    return result;
}

/* A policy value's text (tern_free()), or NULL when it has none. */
static char *value_text(const json_t *v)
{
    char *dump, *s;

    if (json_is_string(v))
        return tern_strdup(json_string_value(v));
    if (!json_is_object(v))
        return NULL;
    dump = tern_json_dumps(v, JSON_COMPACT);
    if (!dump)
        return NULL;
    s = tern_strdup(dump);
    free(dump); /* jansson's allocation */
    return s;
}

int tern_policy_equiv_fn(int *same, const json_t *a, const json_t *b)
{
    unsigned long failed = tern_alloc_failures();
    char *ta = NULL, *tb = NULL;
    int result = -1;

    *same = 1;
    if (a == b)
        return TERN_OK;
    /* A missing value and a JSON null are the same absence. */
    if (!a || !b || json_is_null(a) || json_is_null(b)) {
        *same = (!a || json_is_null(a)) && (!b || json_is_null(b));
        return TERN_OK;
    }
    ta = value_text(a);
    tb = value_text(b);
    /* The same text is the same policy (and, were it not one, the same
     * value): IAM hands a document back as it was sent, so this is the
     * common case, and canonicalizing both sides cost 11% of B2's
     * instructions (issue 19). */
    if (ta && tb && strcmp(ta, tb) == 0)
        result = 1;
    else if (ta && tb)
        result = tern_policy_equivalent(ta, tb);
    if (result < 0)
        result = json_equal((json_t *)a, (json_t *)b) ? 1 : 0;
    tern_free(ta);
    tern_free(tb);
    /* A text or a parse that could not be allocated reads as a document
     * that does not parse: the allocator's failure count tells them
     * apart (issue 20: out of memory showed as a difference). */
    *same = result;
    if (tern_alloc_failures() != failed) {
        *same = 0;
        return TERN_ENOMEM;
    }
    return TERN_OK;
}

/* -------------------------------------------------------------------- */
/* Catalogue                                                             */
/* -------------------------------------------------------------------- */

static int is_catalogued(const char *prefix, size_t len)
{
    size_t i;

    for (i = 0; i < N_CATALOGUED; i++)
        if (strlen(catalogued[i]) == len &&
            strncasecmp(catalogued[i], prefix, len) == 0)
            return 1;
    return 0;
}

/*
 * Compare the first len bytes of a with the NUL-terminated b the way the
 * table is sorted (ASCII, case-insensitive); a shorter a sorts first.
 */
static int cmp_ci_n(const char *a, size_t len, const char *b)
{
    size_t i;

    for (i = 0; i < len && b[i]; i++) {
        int ca = tolower((unsigned char)a[i]);
        int cb = tolower((unsigned char)b[i]);

        if (ca != cb)
            return ca - cb;
    }
    if (i < len)
        return 1;
    return b[i] ? -1 : 0;
}

/* The first entry not sorting before key[0..len). */
static size_t lower_bound(const char *key, size_t len)
{
    size_t lo = 0, hi = tern__policy_actions_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cmp_ci_n(key, len, tern__policy_actions[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The catalogue's entries for one service: [*first, *end). */
static void service_range(const char *prefix, size_t plen, size_t *first,
                          size_t *end)
{
    char key[64];

    /* "prefix:" starts the range; "prefix;" (':' + 1) ends it. */
    if (plen + 1 >= sizeof(key)) {
        *first = *end = 0;
        return;
    }
    memcpy(key, prefix, plen);
    key[plen] = ':';
    *first = lower_bound(key, plen + 1);
    key[plen] = ';';
    *end = lower_bound(key, plen + 1);
}

/* Case-insensitive glob with '*' and '?'. */
static int glob_ci(const char *pat, const char *s)
{
    const char *star = NULL, *retry = NULL;

    while (*s) {
        if (*pat == '*') {
            star = pat++;
            retry = s;
        } else if (*pat == '?' ||
                   tolower((unsigned char)*pat) == tolower((unsigned char)*s)) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++retry;
        } else {
            return 0;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

int tern_policy_action_known(const char *action)
{
    const char *colon = strchr(action, ':');
    const char *name;
    size_t first, end, i, plen;

    if (!colon || strchr(colon + 1, ':'))
        return -1;
    plen = (size_t)(colon - action);
    if (!is_catalogued(action, plen))
        return -1;
    name = colon + 1;
    service_range(action, plen, &first, &end);
    if (strpbrk(name, "*?")) {
        for (i = first; i < end; i++)
            if (glob_ci(name, tern__policy_actions[i] + plen + 1))
                return 1;
        return 0;
    }
    i = lower_bound(action, strlen(action));
    return i < end &&
           cmp_ci_n(action, strlen(action), tern__policy_actions[i]) == 0;
}

/*
 * Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions), case-insensitive, over a[0..la) and b[0..lb).
 */
static unsigned int edit_distance(const char *a, size_t la, const char *b,
                                  size_t lb)
{
    unsigned int rows[3][MAX_DIST_LEN + 1];
    unsigned int *pp, *prev, *cur;
    size_t i, j;

    if (la > MAX_DIST_LEN || lb > MAX_DIST_LEN)
        return (unsigned int)-1;
    pp = rows[0];
    prev = rows[1];
    cur = rows[2];
    for (j = 0; j <= lb; j++)
        prev[j] = (unsigned int)j;
    for (i = 1; i <= la; i++) {
        unsigned int *t;

        cur[0] = (unsigned int)i;
        for (j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            unsigned int cost = ca != cb;
            unsigned int best = prev[j] + 1;

            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            cur[j] = best;
        }
        t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

/* -------------------------------------------------------------------- */
/* Lint                                                                  */
/* -------------------------------------------------------------------- */

struct lint {
    struct tern_diags *diags;
    const char *file_hint;
    char *where; /* "statement 2 (Sid "X") in main.tf" */
    int error;   /* TERN_ENOMEM once an allocation failed */
};

/* Add a diagnostic; takes over detail (from tern_asprintf; NULL: OOM). */
static void lint_add(struct lint *l, enum tern_severity sev,
                     const char *summary, char *detail)
{
    if (!detail) {
        l->error = TERN_ENOMEM;
        return;
    }
    if (!tern_diags_add(l->diags, sev, NULL, summary, "%s", detail))
        l->error = TERN_ENOMEM;
    tern_free(detail);
}

/*
 * The closest action of a service to name (both without the prefix), or
 * NULL. With a pattern ("Gte*"), compares the stem with the start of each
 * action and fills *stem_len; the caller suggests that start plus '*'.
 */
static const char *closest_action(size_t first, size_t end, size_t plen,
                                  const char *name, size_t *stem_len)
{
    const char *best = NULL;
    unsigned int best_d = (unsigned int)-1, limit;
    size_t len = strlen(name), i;
    int stem = len > 1 && name[len - 1] == '*' && !strpbrk(name, "?") &&
               strchr(name, '*') == name + len - 1;

    if (stem)
        len--;
    *stem_len = stem ? len : 0;
    if (len == 0)
        return NULL;
    /* A third of the name, at least 2: DescribeGitRepositories -> 3 edits. */
    limit = len / 3 > 2 ? (unsigned int)(len / 3) : 2;
    if (stem && limit > len / 2)
        limit = (unsigned int)(len / 2 ? len / 2 : 1);
    for (i = first; i < end; i++) {
        const char *cand = tern__policy_actions[i] + plen + 1;
        size_t cl = strlen(cand);
        unsigned int d;

        if (stem && cl < len)
            continue;
        d = edit_distance(name, len, cand, stem ? len : cl);
        if (d < best_d) {
            best_d = d;
            best = cand;
        }
    }
    return best_d <= limit ? best : NULL;
}

static int is_known_prefix(const char *prefix, size_t plen)
{
    size_t lo = 0, hi = tern__policy_prefixes_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_ci_n(prefix, plen, tern__policy_prefixes[mid]);

        if (c == 0)
            return 1;
        if (c > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static void lint_prefix(struct lint *l, const char *action, size_t plen)
{
    const char *best = NULL;
    unsigned int best_d = (unsigned int)-1, limit;
    size_t i;

    if (memchr(action, '*', plen) || memchr(action, '?', plen) ||
        is_known_prefix(action, plen))
        return;
    /* Short prefixes are one edit from many real services: be strict. */
    limit = plen >= 5 ? 2 : 1;
    for (i = 0; i < N_CATALOGUED; i++) {
        unsigned int d =
            edit_distance(action, plen, catalogued[i], strlen(catalogued[i]));

        if (d < best_d) {
            best_d = d;
            best = catalogued[i];
        }
    }
    if (best && best_d <= limit)
        lint_add(l, TERN_SEV_WARNING, "Unknown IAM service prefix",
                 tern_asprintf("\"%.*s\" in \"%s\" (%s) is not an AWS "
                               "service prefix. Did you mean \"%s\"?",
                               (int)plen, action, action, l->where, best));
}

/* What IAM authorises an API operation with, if it is not an action. */
static const char *renamed(const char *action)
{
    size_t lo = 0, hi = tern__policy_renames_count, len = strlen(action);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_ci_n(action, len, tern__policy_renames[mid].operation);

        if (c == 0)
            return tern__policy_renames[mid].actions;
        if (c > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void lint_action(struct lint *l, const char *action)
{
    const char *colon = strchr(action, ':');
    const char *name, *best;
    size_t plen, first, end, stem_len;

    if (strcmp(action, "*") == 0)
        return;
    if (!colon || colon == action || colon[1] == '\0' ||
        strchr(colon + 1, ':')) {
        lint_add(l, TERN_SEV_ERROR, "Invalid IAM action",
                 tern_asprintf("\"%s\" (%s) is neither \"*\" nor "
                               "\"service:action\"; IAM refuses the "
                               "document.",
                               action, l->where));
        return;
    }
    plen = (size_t)(colon - action);
    name = colon + 1;
    if (!is_catalogued(action, plen)) {
        lint_prefix(l, action, plen);
        return;
    }
    if (tern_policy_action_known(action) == 1)
        return;
    if ((best = renamed(action)) != NULL) {
        lint_add(l, TERN_SEV_WARNING, "Unknown IAM action",
                 tern_asprintf("\"%s\" (%s) is an API operation, not an IAM "
                               "action: IAM authorises %s with %s.",
                               action, l->where, name, best));
        return;
    }
    service_range(action, plen, &first, &end);
    best = closest_action(first, end, plen, name, &stem_len);
    if (strpbrk(name, "*?")) {
        if (best && stem_len)
            lint_add(l, TERN_SEV_WARNING, "IAM action pattern matches nothing",
                     tern_asprintf("\"%s\" (%s) matches no %.*s action. "
                                   "Did you mean \"%.*s:%.*s*\"?",
                                   action, l->where, (int)plen, action,
                                   (int)plen, action, (int)stem_len, best));
        else
            lint_add(l, TERN_SEV_WARNING, "IAM action pattern matches nothing",
                     tern_asprintf("\"%s\" (%s) matches no %.*s action.",
                                   action, l->where, (int)plen, action));
    } else if (best) {
        lint_add(l, TERN_SEV_WARNING, "Unknown IAM action",
                 tern_asprintf("\"%s\" (%s) is not an action of %.*s. "
                               "Did you mean \"%.*s:%s\"?",
                               action, l->where, (int)plen, action, (int)plen,
                               action, best));
    } else {
        lint_add(l, TERN_SEV_WARNING, "Unknown IAM action",
                 tern_asprintf("\"%s\" (%s) is not an action of %.*s.", action,
                               l->where, (int)plen, action));
    }
}

/* Skip a "${...}" policy variable starting at p; returns the next char. */
static const char *skip_var(const char *p)
{
    const char *end = strchr(p + 2, '}');

    return end ? end + 1 : p + strlen(p);
}

static void arn_warn(struct lint *l, const char *res, const char *why)
{
    lint_add(l, TERN_SEV_WARNING, "Malformed ARN",
             tern_asprintf("Resource \"%s\" (%s) is neither \"*\" nor an ARN "
                           "(arn:partition:service:region:account-id:"
                           "resource): %s.",
                           res, l->where, why));
}

static void lint_arn(struct lint *l, const char *res)
{
    static const char *const partitions[] = {
        "aws",       "aws-cn",    "aws-us-gov", "aws-iso",
        "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc",
    };
    const char *field[6];
    size_t flen[6];
    const char *p, *start;
    size_t n = 0, i;
    int ok;

    if (strcmp(res, "*") == 0)
        return;
    if (strncmp(res, "arn:", 4) != 0) {
        arn_warn(l, res, "it does not start with \"arn:\"");
        return;
    }
    /* Split into six fields; the resource (last) may contain colons. */
    start = p = res;
    while (*p && n < 5) {
        if (p[0] == '$' && p[1] == '{') {
            p = skip_var(p);
        } else if (*p == ':') {
            field[n] = start;
            flen[n++] = (size_t)(p - start);
            start = ++p;
        } else {
            p++;
        }
    }
    if (n < 5) {
        arn_warn(l, res, "it has fewer than six colon-separated fields");
        return;
    }
    field[5] = start;
    flen[5] = strlen(start);
    if (flen[1] == 0) {
        arn_warn(l, res, "the partition is empty");
        return;
    }
    ok = strpbrk(field[1], "*?$") &&
         (size_t)(strpbrk(field[1], "*?$") - field[1]) < flen[1];
    for (i = 0; !ok && i < sizeof(partitions) / sizeof(partitions[0]); i++)
        ok = strlen(partitions[i]) == flen[1] &&
             strncmp(partitions[i], field[1], flen[1]) == 0;
    if (!ok) {
        arn_warn(l, res,
                 "the partition is not one of AWS's (\"aws\", "
                 "\"aws-cn\", \"aws-us-gov\", ...)");
        return;
    }
    if (flen[2] == 0) {
        arn_warn(l, res, "the service is empty");
        return;
    }
    /* Account: empty, 12 digits, "aws" (AWS managed), or a pattern. */
    ok = flen[4] == 0 || (flen[4] == 12 && all_digits(field[4], 12)) ||
         (flen[4] == 3 && strncmp(field[4], "aws", 3) == 0);
    for (i = 0; !ok && i < flen[4]; i++)
        ok = field[4][i] == '*' || field[4][i] == '?' || field[4][i] == '$';
    if (!ok) {
        arn_warn(l, res, "the account is not a 12-digit account id");
        return;
    }
    if (flen[5] == 0)
        arn_warn(l, res, "the resource part is empty");
}

/* Each string of a string-or-list element, through fn. */
static void lint_strings(struct lint *l, const json_t *v, const char *elem,
                         void (*fn)(struct lint *, const char *))
{
    size_t i;

    if (json_is_string(v)) {
        fn(l, json_string_value(v));
        return;
    }
    if (json_is_array(v) && json_array_size(v) > 0) {
        for (i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);

            if (json_is_string(e))
                fn(l, json_string_value(e));
            else
                lint_add(l, TERN_SEV_ERROR, "Invalid policy document",
                         tern_asprintf("%s (%s) lists something other than "
                                       "strings.",
                                       elem, l->where));
        }
        return;
    }
    lint_add(l, TERN_SEV_ERROR, "Invalid policy document",
             tern_asprintf("%s (%s) must be a string or a non-empty list of "
                           "strings.",
                           elem, l->where));
}

static void lint_statement(struct lint *l, const json_t *st, size_t index)
{
    const json_t *sid = json_object_get(st, "Sid");
    const json_t *effect = json_object_get(st, "Effect");
    const json_t *action = json_object_get(st, "Action");
    const json_t *notaction = json_object_get(st, "NotAction");
    const json_t *v;

    tern_free(l->where);
    if (json_is_string(sid) && json_string_value(sid)[0])
        l->where = tern_asprintf(
            "statement %zu (Sid \"%s\")%s%s", index, json_string_value(sid),
            l->file_hint ? " in " : "", l->file_hint ? l->file_hint : "");
    else
        l->where = tern_asprintf("statement %zu%s%s", index,
                                 l->file_hint ? " in " : "",
                                 l->file_hint ? l->file_hint : "");
    if (!l->where) {
        l->error = TERN_ENOMEM;
        return;
    }
    if (!json_is_object(st)) {
        lint_add(l, TERN_SEV_ERROR, "Invalid policy statement",
                 tern_asprintf("The %s is not a JSON object.", l->where));
        return;
    }
    if (json_object_size(st) == 0) {
        lint_add(l, TERN_SEV_ERROR, "Empty policy statement",
                 tern_asprintf("The %s is empty; IAM refuses a statement "
                               "without Effect and Action.",
                               l->where));
        return;
    }
    if (!effect)
        lint_add(l, TERN_SEV_ERROR, "Missing Effect",
                 tern_asprintf("The %s has no Effect; it must be \"Allow\" "
                               "or \"Deny\".",
                               l->where));
    else if (!json_is_string(effect) ||
             (strcmp(json_string_value(effect), "Allow") != 0 &&
              strcmp(json_string_value(effect), "Deny") != 0))
        lint_add(l, TERN_SEV_ERROR, "Invalid Effect",
                 json_is_string(effect)
                     ? tern_asprintf("The Effect \"%s\" of the %s must be "
                                     "exactly \"Allow\" or \"Deny\".",
                                     json_string_value(effect), l->where)
                     : tern_asprintf("The Effect of the %s must be the string "
                                     "\"Allow\" or \"Deny\".",
                                     l->where));
    if (!action && !notaction)
        lint_add(l, TERN_SEV_ERROR, "Policy statement without actions",
                 tern_asprintf("The %s has neither Action nor NotAction; IAM "
                               "refuses it.",
                               l->where));
    else if (action && notaction)
        lint_add(
            l, TERN_SEV_ERROR, "Invalid policy statement",
            tern_asprintf("The %s has both Action and NotAction.", l->where));
    if (action)
        lint_strings(l, action, "Action", lint_action);
    if (notaction)
        lint_strings(l, notaction, "NotAction", lint_action);
    if ((v = json_object_get(st, "Resource")))
        lint_strings(l, v, "Resource", lint_arn);
    if ((v = json_object_get(st, "NotResource")))
        lint_strings(l, v, "NotResource", lint_arn);
}

int tern_policy_lint(const char *text, const char *file_hint,
                     struct tern_diags *diags)
{
    struct lint l = {diags, file_hint, NULL, 0};
    size_t errors_before = diags->errors;
    json_t *doc = NULL;
    const json_t *stmts;
    size_t i;
    int error;

    error = parse_document(&doc, text, diags);
    if (error)
        goto done;
    stmts = json_object_get(doc, "Statement");
    if (!stmts) {
        lint_add(&l, TERN_SEV_ERROR, "Policy without statements",
                 tern_asprintf("The policy document%s%s has no Statement; "
                               "IAM refuses it.",
                               file_hint ? " in " : "",
                               file_hint ? file_hint : ""));
    } else if (json_is_array(stmts)) {
        if (json_array_size(stmts) == 0)
            lint_add(&l, TERN_SEV_ERROR, "Policy without statements",
                     tern_asprintf("The Statement list of the policy "
                                   "document%s%s is empty.",
                                   file_hint ? " in " : "",
                                   file_hint ? file_hint : ""));
        for (i = 0; i < json_array_size(stmts) && !l.error; i++)
            lint_statement(&l, json_array_get(stmts, i), i + 1);
    } else {
        lint_statement(&l, stmts, 1);
    }
    error = l.error;
    if (!error && diags->errors > errors_before)
        error = TERN_EINVALID;
done:
    tern_free(l.where);
    json_decref(doc);
    return error;
}
