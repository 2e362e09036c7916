/*
 * IAM's input checks: parameter constraints (ValidationError with AWS's
 * wording), tags, paging, and the grammar of policy documents
 * (MalformedPolicyDocument).
 *
 * Policy documents are checked the way IAM checks them, as far as tern
 * and its tests can observe: JSON; only Version, Id and Statement at the
 * top; Version 2012-10-17 or 2008-10-17; Statement an object or a
 * non-empty array of objects; Effect Allow or Deny; Action or NotAction
 * (exactly one) with vendor-prefixed actions. Identity policies need
 * Resource or NotResource ("*" or an ARN) and may not name a principal;
 * trust policies need a Principal, may name no Resource, may allow only
 * sts: actions, and every principal must exist: an IAM role ARN must name
 * a visible role, a user ARN one of the simulator's keys. That check is
 * made only in accounts the simulator knows (one of its keys or roles is
 * there); a role or user of any other account, such as Databricks' own,
 * is taken to exist, since the simulator cannot know. Sizes are
 * counted in characters without whitespace, as IAM counts them.
 *
 * Approximations: \p{L}, \p{Z} and \p{N} in tag patterns accept every
 * non-ASCII character from U+00A0 up; Federated principals are accepted
 * without looking up the identity provider.
 */
#include "iam.h"

#include "util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Validation errors */

void iam_verr_add(struct iam_verr *v, const char *value, const char *field,
                  const char *constraint)
{
    if (v->n++)
        tern_buf_puts(&v->msg, "; ");
    if (value)
        tern_buf_printf(&v->msg,
                        "Value '%s' at '%s' failed to satisfy "
                        "constraint: %s",
                        value, field, constraint);
    else
        tern_buf_printf(&v->msg,
                        "Value null at '%s' failed to satisfy constraint: %s",
                        field, constraint);
}

int iam_verr_send(struct iam_ctx *c, struct iam_verr *v)
{
    int sent = 0;

    if (v->n) {
        iam_error(c, 400, "ValidationError",
                  "%d validation error%s detected: %s", v->n,
                  v->n == 1 ? "" : "s", tern_buf_cstr(&v->msg));
        sent = 1;
    }
    tern_buf_release(&v->msg);
    v->n = 0;
    return sent;
}

/* Next UTF-8 code point; -1 on a malformed sequence. */
static int utf8_next(const unsigned char **p, unsigned long *cp)
{
    const unsigned char *s = *p;
    unsigned long c = s[0];
    int n, i;

    if (c < 0x80)
        n = 0;
    else if ((c & 0xE0) == 0xC0 && c >= 0xC2)
        n = 1, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 2, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
        n = 3, c &= 0x07;
    else
        return -1;
    for (i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    *p = s + n + 1;
    return 0;
}

static int cp_ok(enum iam_pattern pat, unsigned long c)
{
    switch (pat) {
    case IAM_PAT_NAME:
        return c < 0x80 && (isalnum((int)c) || strchr("_+=,.@-", (int)c));
    case IAM_PAT_PATH:
        return c >= 0x21 && c <= 0x7E;
    case IAM_PAT_POLICY_PATH:
        return c < 0x80 && (isalnum((int)c) || strchr("/.,+@=_-", (int)c));
    case IAM_PAT_PATH_PREFIX:
        return c >= 0x21 && c <= 0x7F;
    case IAM_PAT_DESCRIPTION:
        return c == 0x09 || c == 0x0A || c == 0x0D ||
               (c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xFF);
    case IAM_PAT_POLICY_DOC:
        return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0xFF);
    case IAM_PAT_TAG_KEY:
    case IAM_PAT_TAG_VALUE:
        if (c >= 0xA0)
            return 1;
        return c < 0x80 && (isalnum((int)c) || strchr(" _.:/=+-@", (int)c));
    case IAM_PAT_MARKER:
        return c >= 0x20 && c <= 0xFF;
    case IAM_PAT_NONE:
        return 1;
    }
    return 0;
}

static const char *pattern_text(enum iam_pattern pat)
{
    switch (pat) {
    case IAM_PAT_NAME:
        return "[\\w+=,.@-]+";
    case IAM_PAT_PATH:
        return "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)";
    case IAM_PAT_POLICY_PATH:
        return "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/";
    case IAM_PAT_PATH_PREFIX:
        return "\\u002F[\\u0021-\\u007F]*";
    case IAM_PAT_DESCRIPTION:
        return "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*";
    case IAM_PAT_POLICY_DOC:
        return "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";
    case IAM_PAT_TAG_KEY:
        return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";
    case IAM_PAT_TAG_VALUE:
        return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
    case IAM_PAT_MARKER:
        return "[\\u0020-\\u00FF]+";
    case IAM_PAT_NONE:
        break;
    }
    return "";
}

int iam_check_str(struct iam_verr *v, const char *value, const char *field,
                  int required, size_t min, size_t max, enum iam_pattern pat)
{
    const unsigned char *p;
    size_t chars = 0;
    int bad_chars = 0, ok = 1;
    char constraint[256];

    if (!value) {
        if (required)
            iam_verr_add(v, NULL, field, "Member must not be null");
        return !required;
    }
    p = (const unsigned char *)value;
    while (*p) {
        unsigned long cp;

        if (utf8_next(&p, &cp) != 0) {
            bad_chars = 1;
            p++;
            continue;
        }
        if (!cp_ok(pat, cp))
            bad_chars = 1;
        chars++;
    }
    if (chars < min) {
        snprintf(constraint, sizeof(constraint),
                 "Member must have length greater than or equal to %zu", min);
        iam_verr_add(v, value, field, constraint);
        ok = 0;
    }
    if (chars > max) {
        snprintf(constraint, sizeof(constraint),
                 "Member must have length less than or equal to %zu", max);
        iam_verr_add(v, value, field, constraint);
        ok = 0;
    }
    /* A path is "/" or starts and ends with "/". */
    if (pat == IAM_PAT_PATH && chars &&
        (value[0] != '/' || value[strlen(value) - 1] != '/'))
        bad_chars = 1;
    if (pat == IAM_PAT_PATH_PREFIX && chars && value[0] != '/')
        bad_chars = 1;
    /* A policy path is "/", or segments each "/" and at least one
     * character, then "/". */
    if (pat == IAM_PAT_POLICY_PATH && chars &&
        (value[0] != '/' || value[strlen(value) - 1] != '/' ||
         strstr(value, "//")))
        bad_chars = 1;
    if (bad_chars && pat != IAM_PAT_NONE) {
        snprintf(constraint, sizeof(constraint),
                 "Member must satisfy regular expression pattern: %s",
                 pattern_text(pat));
        iam_verr_add(v, value, field, constraint);
        ok = 0;
    }
    return ok;
}

int iam_check_int(struct iam_verr *v, const char *value, const char *field,
                  long min, long max, long *out)
{
    char *end = NULL;
    long n;
    char constraint[128];

    if (!value)
        return 1;
    errno = 0;
    n = strtol(value, &end, 10);
    if (errno || !*value || *end) {
        /* AWS's own wording for a value that is not an integer. */
        iam_verr_add(v, value, field, "Member must be a number");
        return 0;
    }
    if (n < min) {
        snprintf(constraint, sizeof(constraint),
                 "Member must have value greater than or equal to %ld", min);
        iam_verr_add(v, value, field, constraint);
        return 0;
    }
    if (n > max) {
        snprintf(constraint, sizeof(constraint),
                 "Member must have value less than or equal to %ld", max);
        iam_verr_add(v, value, field, constraint);
        return 0;
    }
    *out = n;
    return 1;
}

void iam_check_role_name(struct iam_verr *v, const char *name)
{
    iam_check_str(v, name, "roleName", 1, 1, IAM_ROLE_NAME_MAX, IAM_PAT_NAME);
}

void iam_check_profile_name(struct iam_verr *v, const char *name)
{
    iam_check_str(v, name, "instanceProfileName", 1, 1, IAM_PROFILE_NAME_MAX,
                  IAM_PAT_NAME);
}

void iam_check_policy_name(struct iam_verr *v, const char *name)
{
    iam_check_str(v, name, "policyName", 1, 1, IAM_POLICY_NAME_MAX,
                  IAM_PAT_NAME);
}

void iam_check_path(struct iam_verr *v, const char *path, const char *field)
{
    iam_check_str(v, path, field, 0, 1, IAM_PATH_MAX,
                  strcmp(field, "pathPrefix") == 0 ? IAM_PAT_PATH_PREFIX
                                                   : IAM_PAT_PATH);
}

void iam_check_doc(struct iam_verr *v, const char *doc, const char *field)
{
    iam_check_str(v, doc, field, 1, 1, IAM_POLICY_DOC_MAX, IAM_PAT_POLICY_DOC);
}

void iam_check_version_id(struct iam_verr *v, const char *id)
{
    const char *p;
    int bad = 0;

    if (!id) {
        iam_verr_add(v, NULL, "versionId", "Member must not be null");
        return;
    }
    if (id[0] != 'v' || id[1] < '1' || id[1] > '9')
        bad = 1;
    for (p = id + 2; !bad && isdigit((unsigned char)*p); p++)
        ;
    if (!bad && *p == '.')
        for (p++; isalnum((unsigned char)*p) || *p == '-'; p++)
            ;
    if (bad || *p)
        iam_verr_add(v, id, "versionId",
                     "Member must satisfy regular expression pattern: "
                     "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
}

void iam_check_arn(struct iam_verr *v, const char *arn, const char *field)
{
    iam_check_str(v, arn, field, 1, IAM_ARN_MIN, IAM_ARN_MAX, IAM_PAT_NONE);
}

/* Tags */

void iam_parse_tags(struct iam_ctx *c, struct iam_verr *v, struct iam_tags *t)
{
    int i;
    char name[64], field[64];

    for (i = 1; i <= 1000; i++) {
        const char *key, *value;

        snprintf(name, sizeof(name), "Tags.member.%d.Key", i);
        key = sim_req_param(c->req, name);
        snprintf(name, sizeof(name), "Tags.member.%d.Value", i);
        value = sim_req_param(c->req, name);
        if (!key && !value)
            break;
        snprintf(field, sizeof(field), "tags.%d.member.key", i);
        iam_check_str(v, key, field, 1, 1, IAM_TAG_KEY_MAX, IAM_PAT_TAG_KEY);
        snprintf(field, sizeof(field), "tags.%d.member.value", i);
        iam_check_str(v, value, field, 1, 0, IAM_TAG_VALUE_MAX,
                      IAM_PAT_TAG_VALUE);
        t->items = iam_grow(t->items, (t->n + 1) * sizeof(*t->items));
        t->items[t->n].key = iam_dup(key ? key : "");
        t->items[t->n].value = iam_dup(value ? value : "");
        t->n++;
    }
    if (t->n > IAM_TAGS_MAX) {
        char constraint[96];

        snprintf(constraint, sizeof(constraint),
                 "Member must have length less than or equal to %d",
                 IAM_TAGS_MAX);
        iam_verr_add(v, "[...]", "tags", constraint);
    }
}

char **iam_parse_tag_keys(struct iam_ctx *c, struct iam_verr *v)
{
    char **keys = NULL;
    size_t n = 0;
    int i;
    char name[64], field[64];

    for (i = 1; i <= 1000; i++) {
        const char *key;

        snprintf(name, sizeof(name), "TagKeys.member.%d", i);
        key = sim_req_param(c->req, name);
        if (!key)
            break;
        snprintf(field, sizeof(field), "tagKeys.%d.member", i);
        iam_check_str(v, key, field, 1, 1, IAM_TAG_KEY_MAX, IAM_PAT_TAG_KEY);
        keys = iam_grow(keys, (n + 2) * sizeof(*keys));
        keys[n++] = iam_dup(key);
        keys[n] = NULL;
    }
    if (n == 0)
        iam_verr_add(v, NULL, "tagKeys", "Member must not be null");
    else if (n > IAM_TAGS_MAX)
        iam_verr_add(v, "[...]", "tagKeys",
                     "Member must have length less than or equal to 50");
    return keys;
}

void iam_strv_free(char **strv)
{
    size_t i;

    for (i = 0; strv && strv[i]; i++)
        tern_free(strv[i]);
    tern_free(strv);
}

int iam_tags_check(struct iam_ctx *c, const struct iam_tags *t)
{
    size_t i, j;

    for (i = 0; i < t->n; i++) {
        if (strncasecmp(t->items[i].key, "aws:", 4) == 0) {
            iam_error(c, 400, "InvalidInput",
                      "User-defined tag keys can't start with 'aws:'. This "
                      "prefix is reserved for AWS internal use.");
            return -1;
        }
        for (j = 0; j < i; j++) {
            if (strcasecmp(t->items[i].key, t->items[j].key) == 0) {
                iam_error(c, 400, "InvalidInput",
                          "Duplicate tag keys found. Please note that Tag "
                          "keys are case insensitive.");
                return -1;
            }
        }
    }
    return 0;
}

/* Paging */

void iam_page_params(struct iam_ctx *c, struct iam_verr *v, struct iam_page *p)
{
    const char *marker = sim_req_param(c->req, "Marker");
    size_t len, i;

    memset(p, 0, sizeof(*p));
    p->max_items = IAM_MAX_ITEMS_DEFAULT;
    iam_check_int(v, sim_req_param(c->req, "MaxItems"), "maxItems", 1,
                  IAM_MAX_ITEMS_LIMIT, &p->max_items);
    if (!marker ||
        !iam_check_str(v, marker, "marker", 0, 1, 320, IAM_PAT_MARKER))
        return;
    len = strlen(marker);
    if (len % 2) {
        p->bad = 1;
        return;
    }
    p->after = iam_alloc(len / 2 + 1);
    for (i = 0; i < len / 2; i++) {
        unsigned int byte;

        if (!isxdigit((unsigned char)marker[2 * i]) ||
            !isxdigit((unsigned char)marker[2 * i + 1]) ||
            sscanf(marker + 2 * i, "%2x", &byte) != 1 || byte == 0) {
            p->bad = 1;
            return;
        }
        p->after[i] = (char)byte;
    }
}

int iam_page_bad(struct iam_ctx *c, const struct iam_page *p)
{
    if (!p->bad)
        return 0;
    iam_error(c, 400, "ValidationError", "Invalid Marker.");
    return 1;
}

void iam_page_release(struct iam_page *p)
{
    tern_free(p->after);
    p->after = NULL;
}

void iam_page_range(const struct iam_page *p, const char *const *keys, size_t n,
                    size_t *start, size_t *end)
{
    size_t i = 0;

    if (p->after)
        while (i < n && strcmp(keys[i], p->after) < 0)
            i++;
    *start = i;
    *end = (n - i > (size_t)p->max_items) ? i + (size_t)p->max_items : n;
}

void iam_page_finish(tern_buf *b, const struct iam_page *p,
                     const char *const *keys, size_t n, size_t end)
{
    (void)p;
    if (end < n) {
        tern_buf_puts(b, "<IsTruncated>true</IsTruncated><Marker>");
        tern_buf_put_hex(b, (const unsigned char *)keys[end],
                         strlen(keys[end]));
        tern_buf_puts(b, "</Marker>");
    } else {
        tern_buf_puts(b, "<IsTruncated>false</IsTruncated>");
    }
}

/* Policy documents */

size_t iam_policy_size(const char *doc)
{
    const unsigned char *p = (const unsigned char *)doc;
    size_t n = 0;

    for (; *p; p++) {
        /* Count code points: skip UTF-8 continuation bytes. */
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
            (*p & 0xC0) == 0x80)
            continue;
        n++;
    }
    return n;
}

static int only_keys(json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *val;
    size_t i;

    json_object_foreach(obj, key, val)
    {
        int found = 0;

        for (i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0)
                found = 1;
        if (!found)
            return 0;
    }
    return 1;
}

/* A string or a non-empty array of strings. */
static int string_list(json_t *v)
{
    size_t i;
    json_t *e;

    if (json_is_string(v))
        return 1;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return 0;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return 0;
    }
    return 1;
}

/* Call fn on each string of a string or array of strings. */
#define EACH_STRING(v, s, body)                                                \
    do {                                                                       \
        size_t i_;                                                             \
        for (i_ = 0; i_ < (json_is_array(v) ? json_array_size(v) : 1); i_++) { \
            const char *s = json_string_value(                                 \
                json_is_array(v) ? json_array_get(v, i_) : (v));               \
            body                                                               \
        }                                                                      \
    } while (0)

static int is_account_id(const char *s, size_t len)
{
    size_t i;

    if (len != 12)
        return 0;
    for (i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Whether the simulator holds this account (a key or a role in it). */
static int account_known(struct sim_iam *iam, const char *acct, size_t len)
{
    size_t i;

    for (i = 0; i < iam->sim->nkeys; i++)
        if (iam->sim->keys[i].account &&
            strlen(iam->sim->keys[i].account) == len &&
            strncmp(iam->sim->keys[i].account, acct, len) == 0)
            return 1;
    for (i = 0; i < iam->nroles; i++)
        if (strlen(iam->roles[i]->account) == len &&
            strncmp(iam->roles[i]->account, acct, len) == 0)
            return 1;
    return 0;
}

static int aws_principal_ok(struct iam_ctx *c, const char *p)
{
    static const char iam[] = "arn:aws:iam::", sts[] = "arn:aws:sts::";
    const char *acct, *colon;
    size_t i;

    if (strcmp(p, "*") == 0 || is_account_id(p, strlen(p)))
        return 1;
    if (strncmp(p, sts, sizeof(sts) - 1) == 0) {
        acct = p + sizeof(sts) - 1;
        colon = strchr(acct, ':');
        return colon && is_account_id(acct, (size_t)(colon - acct)) &&
               strncmp(colon + 1, "assumed-role/", 13) == 0 &&
               strchr(colon + 14, '/');
    }
    if (strncmp(p, iam, sizeof(iam) - 1) != 0)
        return 0;
    acct = p + sizeof(iam) - 1;
    colon = strchr(acct, ':');
    if (!colon || !is_account_id(acct, (size_t)(colon - acct)))
        return 0;
    if (strcmp(colon + 1, "root") == 0)
        return 1;
    if ((strncmp(colon + 1, "role/", 5) == 0 ||
         strncmp(colon + 1, "user/", 5) == 0) &&
        !account_known(c->iam, acct, (size_t)(colon - acct)))
        return strlen(colon + 1) > 5;
    if (strncmp(colon + 1, "role/", 5) == 0)
        return iam_role_by_arn(c->iam, p, c->now) != NULL;
    if (strncmp(colon + 1, "user/", 5) == 0) {
        /* The simulator's users are the principals of its keys. */
        for (i = 0; i < c->iam->sim->nkeys; i++)
            if (c->iam->sim->keys[i].arn &&
                strcmp(c->iam->sim->keys[i].arn, p) == 0)
                return 1;
        return 0;
    }
    return 0;
}

static int service_principal_ok(const char *s)
{
    size_t len = strlen(s), i;
    static const char *const suffixes[] = {
        ".amazonaws.com", ".amazonaws.com.cn", ".amazon.com", NULL};

    for (i = 0; i < len; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
            s[i] != '.' && s[i] != '-')
            return 0;
    for (i = 0; suffixes[i]; i++) {
        size_t sl = strlen(suffixes[i]);

        if (len > sl && strcmp(s + len - sl, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

static int malformed(struct iam_ctx *c, const char *msg)
{
    iam_error(c, 400, "MalformedPolicyDocument", "%s", msg);
    return -1;
}

/* Principals of a trust policy statement. */
static int check_principal(struct iam_ctx *c, json_t *pr)
{
    const char *type;
    json_t *val;

    if (json_is_string(pr)) {
        if (strcmp(json_string_value(pr), "*") != 0) {
            iam_error(c, 400, "MalformedPolicyDocument",
                      "Invalid principal in policy: \"%s\"",
                      json_string_value(pr));
            return -1;
        }
        return 0;
    }
    if (!json_is_object(pr) || json_object_size(pr) == 0)
        return malformed(c, "Syntax errors in policy.");
    json_object_foreach(pr, type, val)
    {
        int aws = strcmp(type, "AWS") == 0;
        int service = strcmp(type, "Service") == 0;
        int federated = strcmp(type, "Federated") == 0;
        int canonical = strcmp(type, "CanonicalUser") == 0;

        if (!aws && !service && !federated && !canonical) {
            iam_error(c, 400, "MalformedPolicyDocument",
                      "Invalid principal in policy: \"%s\"", type);
            return -1;
        }
        if (!string_list(val))
            return malformed(c, "Syntax errors in policy.");
        EACH_STRING(val, s, {
            int ok = 1;

            if (aws)
                ok = aws_principal_ok(c, s);
            else if (service)
                ok = service_principal_ok(s);
            else
                ok = *s != '\0';
            if (!ok) {
                /* IAM names the type in upper case, except AWS. */
                iam_error(c, 400, "MalformedPolicyDocument",
                          "Invalid principal in policy: \"%s\":\"%s\"",
                          aws         ? "AWS"
                          : service   ? "SERVICE"
                          : federated ? "FEDERATED"
                                      : "CANONICAL_USER",
                          s);
                return -1;
            }
        });
    }
    return 0;
}

static int action_ok(const char *a)
{
    const char *colon = strchr(a, ':');
    const char *p;

    if (strcmp(a, "*") == 0)
        return 1;
    if (!colon || colon == a)
        return 0;
    for (p = a; p < colon; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            return 0;
    return 1;
}

static int check_statement(struct iam_ctx *c, json_t *st,
                           enum iam_doc_kind kind)
{
    static const char *const keys[] = {
        "Sid",       "Effect",   "Principal",   "NotPrincipal", "Action",
        "NotAction", "Resource", "NotResource", "Condition",    NULL};
    json_t *effect, *action, *resource, *principal;
    const char *msg = NULL;

    if (!json_is_object(st) || !only_keys(st, keys))
        return malformed(c, "Syntax errors in policy.");
    if (json_object_get(st, "Sid") &&
        !json_is_string(json_object_get(st, "Sid")))
        return malformed(c, "Syntax errors in policy.");
    effect = json_object_get(st, "Effect");
    if (!effect)
        return malformed(c, "Missing required field Effect");
    if (!json_is_string(effect) ||
        (strcmp(json_string_value(effect), "Allow") != 0 &&
         strcmp(json_string_value(effect), "Deny") != 0)) {
        iam_error(c, 400, "MalformedPolicyDocument", "Invalid effect: %s",
                  json_is_string(effect) ? json_string_value(effect) : "");
        return -1;
    }
    if (json_object_get(st, "Action") && json_object_get(st, "NotAction"))
        return malformed(c, "Syntax errors in policy.");
    action = json_object_get(st, "Action");
    if (!action)
        action = json_object_get(st, "NotAction");
    if (!action)
        return malformed(c, "Policy statement must contain actions.");
    if (!string_list(action))
        return malformed(c, "Syntax errors in policy.");
    EACH_STRING(action, a, {
        if (!action_ok(a))
            msg = "Actions/Conditions must be prefaced by a vendor, e.g., "
                  "iam, sdb, ec2, etc.";
        else if (kind == IAM_DOC_TRUST && strcmp(a, "*") != 0 &&
                 strncasecmp(a, "sts:", 4) != 0)
            msg = "AssumeRole policy may only specify STS AssumeRole actions.";
    });
    if (msg)
        return malformed(c, msg);
    if (json_object_get(st, "Condition") &&
        !json_is_object(json_object_get(st, "Condition")))
        return malformed(c, "Syntax errors in policy.");
    resource = json_object_get(st, "Resource");
    if (!resource)
        resource = json_object_get(st, "NotResource");
    principal = json_object_get(st, "Principal");
    if (!principal)
        principal = json_object_get(st, "NotPrincipal");
    if (kind == IAM_DOC_IDENTITY) {
        if (principal)
            return malformed(c,
                             "Policy document should not specify a principal.");
        if (!resource)
            return malformed(c, "Policy statement must contain resources.");
        if (!string_list(resource))
            return malformed(c, "Syntax errors in policy.");
        EACH_STRING(resource, r, {
            if (strcmp(r, "*") != 0 && strncmp(r, "arn:", 4) != 0) {
                iam_error(c, 400, "MalformedPolicyDocument",
                          "Resource %s must be in ARN format or \"*\".", r);
                return -1;
            }
        });
        return 0;
    }
    if (resource)
        return malformed(c, json_object_get(st, "Resource")
                                ? "Has prohibited field Resource"
                                : "Has prohibited field NotResource");
    if (!principal)
        return malformed(c, "Missing required field Principal");
    return 0;
}

/* Principals are checked after the grammar and the size, as IAM does. */
static int check_principals(struct iam_ctx *c, json_t *stmts)
{
    size_t i;
    json_t *st;

    if (json_is_object(stmts))
        return check_principal(c, json_object_get(stmts, "Principal")
                                      ? json_object_get(stmts, "Principal")
                                      : json_object_get(stmts, "NotPrincipal"));
    json_array_foreach(stmts, i, st)
    {
        json_t *pr = json_object_get(st, "Principal");

        if (check_principal(c, pr ? pr : json_object_get(st, "NotPrincipal")))
            return -1;
    }
    return 0;
}

int iam_check_policy(struct iam_ctx *c, const char *doc, enum iam_doc_kind kind)
{
    static const char *const top[] = {"Version", "Id", "Statement", NULL};
    json_t *root = NULL, *stmts, *version, *st;
    json_error_t jerr;
    size_t i;
    int error = -1;

    root = json_loads(doc, 0, &jerr);
    if (!json_is_object(root) || !only_keys(root, top)) {
        malformed(c, "Syntax errors in policy.");
        goto done;
    }
    version = json_object_get(root, "Version");
    if (version && (!json_is_string(version) ||
                    (strcmp(json_string_value(version), "2012-10-17") != 0 &&
                     strcmp(json_string_value(version), "2008-10-17") != 0))) {
        malformed(c, "The policy failed legacy parsing");
        goto done;
    }
    stmts = json_object_get(root, "Statement");
    if (!stmts || (json_is_array(stmts) && json_array_size(stmts) == 0)) {
        malformed(c, "Syntax errors in policy.");
        goto done;
    }
    if (json_is_array(stmts)) {
        json_array_foreach(stmts, i, st)
        {
            if (check_statement(c, st, kind))
                goto done;
        }
    } else if (check_statement(c, stmts, kind)) {
        goto done;
    }
    if (kind == IAM_DOC_TRUST) {
        if (iam_policy_size(doc) > IAM_TRUST_BYTES) {
            iam_error(c, 409, "LimitExceeded",
                      "Cannot exceed quota for ACLSizePerRole: %d",
                      IAM_TRUST_BYTES);
            goto done;
        }
        if (check_principals(c, stmts))
            goto done;
    }
    error = 0;
done:
    json_decref(root);
    return error;
}
