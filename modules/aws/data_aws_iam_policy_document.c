/*
 * data "aws_iam_policy_document": an IAM policy document from statement
 * blocks, rendered exactly as the Terraform AWS provider renders it, so
 * that configurations that compare or hash its `json` see the same text.
 * No service calls.
 *
 * The provider's rendering (internal/service/iam/policy_model.go and
 * policy_document_data_source.go), reproduced here:
 * - Document keys in the order Version ("2012-10-17" unless set), Id
 *   (policy_id), Statement; statement keys in the order Sid, Effect
 *   ("Allow" unless set), Action, NotAction, Resource, NotResource,
 *   Principal, NotPrincipal, Condition; empty ones left out.
 * - A list of one (actions, resources, principal identifiers, condition
 *   values) collapses to a string. Longer lists of actions, resources and
 *   identifiers are sorted in descending byte order (Go's
 *   sort.Reverse(sort.StringSlice)); condition values keep their order.
 * - Principal: one block of type "*" with identifier "*" is "*";
 *   otherwise an object by type (keys sorted), blocks of one type merged.
 *   Condition: an object by test, then variable (keys sorted), values of
 *   blocks with the same test and variable appended.
 * - "&{" in values becomes "${" (IAM policy variables in HCL); version
 *   2008-10-17 refuses them.
 * - source_policy_documents are merged first (their Sids must be unique),
 *   then the statement blocks (Sids unique), then
 *   override_policy_documents: a statement whose Sid is already present
 *   replaces it in place, others are appended; Id is taken from a later
 *   document that has one, Version when it is greater. Statements of those
 *   documents keep their own layout, as Go's round trip leaves it: lists
 *   of actions in their order, principal identifier lists sorted
 *   descending, condition values of one collapsed to a string.
 * - json is Go's json.MarshalIndent with two spaces (and <, >, & escaped
 *   as \u003c, \u003e, \u0026); minified_json the compact form; id the
 *   CRC-32 of json, in decimal (the SDK's StringHashcode).
 */
#include "iam_common.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

static const tern_attr principal_schema[] = {
    {"identifiers", TERN_TYPE_SET_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"type", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr condition_schema[] = {
    {"test", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"values", TERN_TYPE_LIST_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"variable", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr statement_schema[] = {
    {"actions", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"condition", TERN_TYPE_BLOCK_SET, TERN_ATTR_OPTIONAL, NULL,
     condition_schema, 0},
    {"effect", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"not_actions", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"not_principals", TERN_TYPE_BLOCK_SET, TERN_ATTR_OPTIONAL, NULL,
     principal_schema, 0},
    {"not_resources", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"principals", TERN_TYPE_BLOCK_SET, TERN_ATTR_OPTIONAL, NULL,
     principal_schema, 0},
    {"resources", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"sid", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr schema[] = {
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"json", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"minified_json", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"override_policy_documents", TERN_TYPE_LIST_STRING, TERN_ATTR_OPTIONAL,
     NULL, NULL, 0},
    {"policy_id", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"source_policy_documents", TERN_TYPE_LIST_STRING, TERN_ATTR_OPTIONAL, NULL,
     NULL, 0},
    {"statement", TERN_TYPE_BLOCK_LIST, TERN_ATTR_OPTIONAL, NULL,
     statement_schema, 0},
    {"version", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* What building a document needs to report errors. */
struct ctx {
    tern_op *op;
    const char *version;
};

static int bad(struct ctx *c, const char *detail)
{
    return tern__fail(c->op, TERN_EINVALID, "Invalid IAM policy document", "%s",
                      detail);
}

/* "&{" -> "${"; a new string, or NULL (an error reported, or none when
 * out of memory). */
static json_t *replace_vars(struct ctx *c, const char *s)
{
    tern_buf b = TERN_BUF_INIT;
    const char *p;
    json_t *out;

    if (strcmp(c->version, "2008-10-17") == 0 && strstr(s, "&{")) {
        tern__fail(c->op, TERN_EINVALID, "Invalid IAM policy document",
                   "Found &{ sequence in (%s), which is not supported in "
                   "document version 2008-10-17.",
                   s);
        return NULL;
    }
    for (p = s; *p; p++) {
        if (p[0] == '&' && p[1] == '{')
            tern_buf_putc(&b, '$');
        else
            tern_buf_putc(&b, *p);
    }
    /* NULL without a diagnostic: out of memory, not the configuration's
     * fault (the caller tells the two apart by the errors reported). */
    out = tern_buf_oom(&b) ? NULL : json_string(tern_buf_cstr(&b));
    tern_buf_release(&b);
    return out;
}

static int cmp_desc(const void *a, const void *b)
{
    return -strcmp(json_string_value(*(json_t *const *)a),
                   json_string_value(*(json_t *const *)b));
}

static int cmp_asc(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a),
                  json_string_value(*(json_t *const *)b));
}

/* Sort an array of strings in place. */
static int sort_strings(json_t *arr, int desc)
{
    size_t n = json_array_size(arr), i;
    json_t **v;

    if (n < 2)
        return TERN_OK;
    v = tern_calloc(n, sizeof(*v));
    if (!v)
        return TERN_ENOMEM;
    for (i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof(*v), desc ? cmp_desc : cmp_asc);
    json_array_clear(arr);
    for (i = 0; i < n; i++) {
        /* A failed append releases v[i]; the rest are released too. */
        if (json_array_append_new(arr, v[i]) != 0) {
            while (++i < n)
                json_decref(v[i]);
            tern_free(v);
            return TERN_ENOMEM;
        }
    }
    tern_free(v);
    return TERN_OK;
}

/*
 * A set of strings from the configuration, variables replaced, as the
 * provider's policyDecodeConfigStringList: one is a string, more a list
 * sorted descending (duplicates dropped: it is a set). NULL on error;
 * JSON null when empty.
 */
static json_t *decode_list(struct ctx *c, const json_t *in, int is_set)
{
    json_t *out = json_array(), *v, *r;
    size_t i, j;

    if (!out)
        return NULL;
    json_array_foreach(in, i, v)
    {
        int dup = 0;

        if (!json_is_string(v))
            continue;
        r = replace_vars(c, json_string_value(v));
        if (!r) {
            json_decref(out);
            return NULL;
        }
        for (j = 0; is_set && j < json_array_size(out); j++)
            dup |= json_equal(json_array_get(out, j), r);
        if (dup) {
            json_decref(r);
        } else if (json_array_append_new(out, r) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        return json_null();
    }
    if (json_array_size(out) == 1) {
        r = json_incref(json_array_get(out, 0));
        json_decref(out);
        return r;
    }
    if (is_set && sort_strings(out, 1)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Add identifiers (a string or a list) of one type to raw, as the
 * provider's IAMPolicyStatementPrincipalSet.MarshalJSON. */
static int principal_add(json_t *raw, const char *type, json_t *ids)
{
    json_t *have = json_object_get(raw, type);

    if (json_is_array(ids)) {
        json_t *list;

        if (!have)
            list = json_array();
        else if (json_is_string(have))
            list = json_pack("[O]", have);
        else
            list = json_incref(have);
        if (!list || sort_strings(ids, 1) || json_array_extend(list, ids)) {
            json_decref(list);
            return TERN_ENOMEM;
        }
        return json_object_set_new(raw, type, list) ? TERN_ENOMEM : TERN_OK;
    }
    if (!have)
        return json_object_set(raw, type, ids) ? TERN_ENOMEM : TERN_OK;
    if (json_is_string(have))
        return json_object_set_new(raw, type, json_pack("[OO]", have, ids))
                   ? TERN_ENOMEM
                   : TERN_OK;
    return json_array_append(have, ids) ? TERN_ENOMEM : TERN_OK;
}

/* An object with its keys sorted (Go marshals maps so). New reference. */
static json_t *sorted_object(const json_t *obj)
{
    const char **keys;
    size_t n = json_object_size(obj), i = 0, j;
    const char *k;
    json_t *v, *out = json_object();
    int oom = 0;

    keys = tern_calloc(n + 1, sizeof(*keys));
    if (!keys || !out) {
        tern_free(keys);
        json_decref(out);
        return NULL;
    }
    json_object_foreach((json_t *)obj, k, v)
    {
        keys[i++] = k;
    }
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];

            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    for (i = 0; i < n; i++)
        tern_json_set(&oom, out, keys[i],
                      json_incref(json_object_get(obj, keys[i])));
    tern_free(keys);
    return tern_json_done(oom, out);
}

/* Principal blocks of the configuration -> their JSON. NULL on error. */
static json_t *principals_from_config(struct ctx *c, const json_t *blocks)
{
    json_t *raw = json_object(), *b, *out = NULL, *ids = NULL;
    size_t i;

    if (!raw)
        return NULL;
    if (json_array_size(blocks) == 0) {
        json_decref(raw);
        return json_null();
    }
    json_array_foreach(blocks, i, b)
    {
        const char *type = tern__str(b, "type");

        ids = decode_list(c, json_object_get(b, "identifiers"), 1);
        if (!ids)
            goto done;
        if (json_array_size(blocks) == 1 && type && strcmp(type, "*") == 0 &&
            json_is_string(ids) && strcmp(json_string_value(ids), "*") == 0) {
            out = json_string("*");
            goto done;
        }
        if (!type || json_is_null(ids)) {
            bad(c, "A principals block needs a type and identifiers.");
            goto done;
        }
        if (principal_add(raw, type, ids))
            goto done;
        json_decref(ids);
        ids = NULL;
    }
    out = sorted_object(raw);
done:
    json_decref(ids);
    json_decref(raw);
    return out;
}

/* Values of the condition map raw[test][variable], flattened when single,
 * keys sorted: the provider's IAMPolicyStatementConditionSet.MarshalJSON. */
static json_t *conditions_finish(json_t *raw)
{
    json_t *out = sorted_object(raw), *vars;
    const char *test;

    if (!out)
        return NULL;
    json_object_foreach(out, test, vars)
    {
        json_t *sorted = sorted_object(vars), *vals;
        const char *var;

        if (!sorted)
            goto fail;
        json_object_foreach(sorted, var, vals)
        {
            if (json_array_size(vals) == 1 &&
                json_object_set(sorted, var, json_array_get(vals, 0)) != 0) {
                json_decref(sorted);
                goto fail;
            }
        }
        if (json_object_set_new(out, test, sorted) != 0)
            goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

static int condition_append(json_t *raw, const char *test, const char *var,
                            json_t *value)
{
    json_t *t = json_object_get(raw, test), *vals;

    if (!t) {
        t = json_object();
        if (!t || json_object_set_new(raw, test, t))
            return TERN_ENOMEM;
    }
    vals = json_object_get(t, var);
    if (!vals) {
        vals = json_array();
        if (!vals || json_object_set_new(t, var, vals))
            return TERN_ENOMEM;
    }
    if (json_is_array(value))
        return json_array_extend(vals, value) ? TERN_ENOMEM : TERN_OK;
    return json_array_append(vals, value) ? TERN_ENOMEM : TERN_OK;
}

static json_t *conditions_from_config(struct ctx *c, const json_t *blocks)
{
    json_t *raw = json_object(), *b, *out = NULL;
    size_t i, j;

    if (!raw)
        return NULL;
    if (json_array_size(blocks) == 0) {
        json_decref(raw);
        return json_null();
    }
    json_array_foreach(blocks, i, b)
    {
        const char *test = tern__str(b, "test");
        const char *var = tern__str(b, "variable");
        json_t *vals = json_object_get(b, "values"), *v;

        if (!test || !var) {
            bad(c, "A condition block needs test, variable and values.");
            goto done;
        }
        json_array_foreach(vals, j, v)
        {
            json_t *r;

            if (!json_is_string(v))
                continue;
            r = replace_vars(c, json_string_value(v));
            if (!r || condition_append(raw, test, var, r)) {
                json_decref(r);
                goto done;
            }
            json_decref(r);
        }
        /* A block with no values still makes its key, as in Go. */
        if (json_array_size(vals) == 0 &&
            condition_append(raw, test, var, json_array()))
            goto done;
    }
    out = conditions_finish(raw);
done:
    json_decref(raw);
    return out;
}

/* Set key to v (stolen) unless v is null. */
static int put(json_t *obj, const char *key, json_t *v)
{
    if (!v)
        return TERN_ERROR;
    if (json_is_null(v))
        return TERN_OK;
    return json_object_set_new(obj, key, v) ? TERN_ENOMEM : TERN_OK;
}

/* The provider's validation of a statement block: effect Allow or Deny,
 * an alphanumeric sid. 0, or -1 with the error reported. */
static int statement_valid(struct ctx *c, const char *sid, const char *effect)
{
    const char *p;

    if (effect && strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0) {
        tern__fail(c->op, TERN_EINVALID, "Invalid IAM policy document",
                   "A statement's effect must be \"Allow\" or \"Deny\", not "
                   "\"%s\".",
                   effect);
        return -1;
    }
    for (p = sid; p && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9'))
            continue;
        tern__fail(c->op, TERN_EINVALID, "Invalid IAM policy document",
                   "A statement's sid may contain only letters and digits, "
                   "not \"%s\".",
                   sid);
        return -1;
    }
    return 0;
}

static json_t *statement_from_config(struct ctx *c, const json_t *s)
{
    json_t *out;
    const char *sid = tern__str(s, "sid");
    const char *effect = tern__str(s, "effect");

    if (statement_valid(c, sid, effect))
        return NULL;
    out = json_object();
    if (!out)
        return NULL;
    if ((sid && put(out, "Sid", json_string(sid))) ||
        put(out, "Effect", json_string(effect ? effect : "Allow")) ||
        put(out, "Action", decode_list(c, json_object_get(s, "actions"), 1)) ||
        put(out, "NotAction",
            decode_list(c, json_object_get(s, "not_actions"), 1)) ||
        put(out, "Resource",
            decode_list(c, json_object_get(s, "resources"), 1)) ||
        put(out, "NotResource",
            decode_list(c, json_object_get(s, "not_resources"), 1)) ||
        put(out, "Principal",
            principals_from_config(c, json_object_get(s, "principals"))) ||
        put(out, "NotPrincipal",
            principals_from_config(c, json_object_get(s, "not_principals"))) ||
        put(out, "Condition",
            conditions_from_config(c, json_object_get(s, "condition")))) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* A Principal of a parsed document, as Go's round trip leaves it. */
static json_t *principal_from_json(const json_t *p)
{
    json_t *raw, *out, *v;
    const char *type;

    if (json_is_string(p))
        return json_string("*");
    if (!json_is_object(p) || json_object_size(p) == 0)
        return json_null();
    if (json_object_size(p) == 1 && (v = json_object_get(p, "*")) &&
        ((json_is_string(v) && strcmp(json_string_value(v), "*") == 0) ||
         (json_array_size(v) == 1 && json_is_string(json_array_get(v, 0)) &&
          strcmp(json_string_value(json_array_get(v, 0)), "*") == 0)))
        return json_string("*");
    raw = json_object();
    if (!raw)
        return NULL;
    json_object_foreach((json_t *)p, type, v)
    {
        json_t *copy = json_deep_copy(v);

        if (!copy || (!json_is_string(copy) && !json_is_array(copy)) ||
            (json_is_array(copy) && sort_strings(copy, 1))) {
            json_decref(copy);
            json_decref(raw);
            return NULL;
        }
        if (json_object_set_new(raw, type, copy)) {
            json_decref(raw);
            return NULL;
        }
    }
    out = sorted_object(raw);
    json_decref(raw);
    return out;
}

static json_t *condition_from_json(const json_t *cond)
{
    json_t *raw = json_object(), *vars, *v, *out = NULL;
    const char *test, *var;

    if (!raw)
        return NULL;
    if (!json_is_object(cond) || json_object_size(cond) == 0) {
        json_decref(raw);
        return json_null();
    }
    json_object_foreach((json_t *)cond, test, vars)
    {
        json_object_foreach(vars, var, v)
        {
            json_t *val = NULL;

            if (json_is_string(v) || json_is_array(v))
                val = json_incref(v);
            else if (json_is_boolean(v))
                val = json_string(json_is_true(v) ? "true" : "false");
            else
                continue; /* Go drops what it cannot decode. */
            if (!val || condition_append(raw, test, var, val)) {
                json_decref(val);
                goto done;
            }
            json_decref(val);
        }
    }
    out = conditions_finish(raw);
done:
    json_decref(raw);
    return out;
}

static json_t *statement_from_json(const json_t *s)
{
    static const char *const plain[] = {"Action", "NotAction", "Resource",
                                        "NotResource"};
    json_t *out = json_object();
    size_t i;

    if (!out || !json_is_object(s))
        goto fail;
    if (tern__str(s, "Sid") &&
        put(out, "Sid", json_string(tern__str(s, "Sid"))))
        goto fail;
    if (tern__str(s, "Effect") &&
        put(out, "Effect", json_string(tern__str(s, "Effect"))))
        goto fail;
    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        json_t *v = json_object_get(s, plain[i]);

        if (v && !json_is_null(v) && put(out, plain[i], json_deep_copy(v)))
            goto fail;
    }
    if (put(out, "Principal",
            principal_from_json(json_object_get(s, "Principal"))) ||
        put(out, "NotPrincipal",
            principal_from_json(json_object_get(s, "NotPrincipal"))) ||
        put(out, "Condition",
            condition_from_json(json_object_get(s, "Condition"))))
        goto fail;
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* The merged document: Version and Id as strings, statements in order. */
struct doc {
    char version[32];
    json_t *id; /* string or NULL */
    json_t *statements;
};

/* IAMPolicyDoc.Merge. */
static int merge(struct doc *into, const char *version, const char *id,
                 json_t *statements)
{
    json_t *s;
    size_t i, j;

    if (id && *id) {
        json_decref(into->id);
        into->id = json_string(id);
        if (!into->id)
            return TERN_ENOMEM;
    }
    if (version && strcmp(version, into->version) > 0)
        snprintf(into->version, sizeof(into->version), "%s", version);
    json_array_foreach(statements, i, s)
    {
        const char *sid = tern__str(s, "Sid");
        int seen = 0;

        for (j = 0; sid && j < json_array_size(into->statements); j++) {
            const char *have =
                tern__str(json_array_get(into->statements, j), "Sid");

            if (have && strcmp(have, sid) == 0) {
                if (json_array_set(into->statements, j, s) != 0)
                    return TERN_ENOMEM;
                seen = 1;
                break;
            }
        }
        if (!seen && json_array_append(into->statements, s))
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

/* Parse one source or override document into its statements. */
static int parse_doc(struct ctx *c, const char *text, const char *what,
                     size_t index, json_t **statements, const char **version,
                     const char **id, json_t **holder)
{
    json_error_t jerr;
    int oom = 0;
    json_t *doc = tern_json_loadb(text, strlen(text), 0, &jerr, &oom), *list,
           *s;
    size_t i;

    *holder = doc;
    if (oom)
        return TERN_ENOMEM; /* not a document that is not JSON */
    if (!doc || !json_is_object(doc)) {
        return tern__fail(c->op, TERN_EINVALID, "Invalid IAM policy document",
                          "%s (item %zu) is not a JSON policy document: %s.",
                          what, index, doc ? "not an object" : jerr.text);
    }
    list = json_object_get(doc, "Statement");
    if (list && !json_is_array(list) && !json_is_null(list))
        return tern__fail(c->op, TERN_EINVALID, "Invalid IAM policy document",
                          "%s (item %zu): Statement must be a list, as the "
                          "provider reads it.",
                          what, index);
    *statements = json_array();
    if (!*statements)
        return TERN_ENOMEM;
    json_array_foreach(list, i, s)
    {
        unsigned long failed = tern_alloc_failures();
        json_t *st = statement_from_json(s);

        /* NULL for a statement it cannot read, or for lack of memory. */
        if (!st && tern_alloc_failures() != failed)
            return TERN_ENOMEM;
        if (!st)
            return tern__fail(c->op, TERN_EINVALID,
                              "Invalid IAM policy document",
                              "%s (item %zu): statement %zu is not a valid "
                              "statement.",
                              what, index, i);
        if (json_array_append_new(*statements, st) != 0)
            return TERN_ENOMEM;
    }
    *version = tern__str(doc, "Version");
    *id = tern__str(doc, "Id");
    return TERN_OK;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return tern_buf_put(data, buffer, size) ? -1 : 0;
}

/* json_dumps into our allocator; NULL when an allocation failed on the
 * way, as tern_json_dumps (util/json.h). */
static char *dump(const json_t *v, size_t flags)
{
    tern_buf b = TERN_BUF_INIT;
    unsigned long failed = tern_alloc_failures();

    if (json_dump_callback(v, dump_cb, &b, flags) != 0 || tern_buf_oom(&b) ||
        tern_alloc_failures() != failed) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}

/* Go's HTML-safe escaping, which jansson does not do. */
static char *go_escape(const char *text)
{
    tern_buf b = TERN_BUF_INIT;
    const unsigned char *p;

    for (p = (const unsigned char *)text; *p; p++) {
        if (*p == '<')
            tern_buf_puts(&b, "\\u003c");
        else if (*p == '>')
            tern_buf_puts(&b, "\\u003e");
        else if (*p == '&')
            tern_buf_puts(&b, "\\u0026");
        else if (p[0] == 0xe2 && p[1] == 0x80 &&
                 (p[2] == 0xa8 || p[2] == 0xa9)) {
            tern_buf_printf(&b, "\\u202%c", p[2] == 0xa8 ? '8' : '9');
            p += 2;
        } else
            tern_buf_putc(&b, (char)*p);
    }
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}

static unsigned long crc32_ieee(const char *s)
{
    unsigned long crc = 0xffffffffUL;
    int k;

    for (; *s; s++) {
        crc ^= (unsigned char)*s;
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320UL & (0UL - (crc & 1UL)));
    }
    return crc ^ 0xffffffffUL;
}

static int check_sids(struct ctx *c, const json_t *statements, json_t *seen,
                      const char *where)
{
    json_t *s;
    size_t i;

    json_array_foreach(statements, i, s)
    {
        const char *sid = tern__str(s, "Sid");

        if (!sid)
            continue;
        if (json_object_get(seen, sid))
            return tern__fail(c->op, TERN_EINVALID,
                              "Invalid IAM policy document",
                              "Duplicate Sid (%s) in %s. Remove the Sid or "
                              "make the Sids unique.",
                              sid, where);
        if (json_object_set_new(seen, sid, json_true()) != 0)
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

static int document_read(json_t **out, tern_op *op, const json_t *config)
{
    struct ctx c;
    struct doc d;
    json_t *own = NULL, *seen = json_object(), *holder = NULL, *stmts = NULL,
           *v, *top = NULL, *st = NULL;
    const char *version = tern__str(config, "version");
    char *pretty = NULL, *compact = NULL, *pretty_go = NULL, *compact_go = NULL,
         *id = NULL;
    size_t i;
    int error = TERN_OK;

    memset(&d, 0, sizeof(d));
    c.op = op;
    c.version = version ? version : "2012-10-17";
    if (strcmp(c.version, "2012-10-17") != 0 &&
        strcmp(c.version, "2008-10-17") != 0) {
        json_decref(seen);
        json_decref(d.statements);
        return tern__fail(op, TERN_EINVALID, "Invalid IAM policy document",
                          "version must be \"2012-10-17\" or \"2008-10-17\", "
                          "not \"%s\".",
                          c.version);
    }
    d.statements = json_array();
    TERN_CHECK_ALLOC(d.statements);
    TERN_CHECK_ALLOC(seen);

    json_array_foreach(json_object_get(config, "source_policy_documents"), i, v)
    {
        const char *dv = NULL, *did = NULL;

        if (!json_is_string(v) || !*json_string_value(v))
            continue;
        error = parse_doc(&c, json_string_value(v), "source_policy_documents",
                          i, &stmts, &dv, &did, &holder);
        if (!error)
            error = check_sids(&c, stmts, seen, "source_policy_documents");
        if (!error)
            error = merge(&d, dv, did, stmts);
        json_decref(stmts);
        json_decref(holder);
        stmts = holder = NULL;
        if (error)
            goto done;
    }

    own = json_array();
    TERN_CHECK_ALLOC(own);
    json_object_clear(seen);
    json_array_foreach(json_object_get(config, "statement"), i, v)
    {
        json_t *s = statement_from_config(&c, v);

        if (!s) {
            error = op->diags->errors ? TERN_EINVALID : TERN_ENOMEM;
            goto done;
        }
        if (json_array_append_new(own, s) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    error = check_sids(&c, own, seen, "the statement blocks");
    if (!error)
        error = merge(&d, c.version, tern__str(config, "policy_id"), own);
    if (error)
        goto done;

    json_array_foreach(json_object_get(config, "override_policy_documents"), i,
                       v)
    {
        const char *dv = NULL, *did = NULL;

        if (!json_is_string(v) || !*json_string_value(v))
            continue;
        error = parse_doc(&c, json_string_value(v), "override_policy_documents",
                          i, &stmts, &dv, &did, &holder);
        if (!error)
            error = merge(&d, dv, did, stmts);
        json_decref(stmts);
        json_decref(holder);
        stmts = holder = NULL;
        if (error)
            goto done;
    }

    top = json_object();
    TERN_CHECK_ALLOC(top);
    if ((d.version[0] && put(top, "Version", json_string(d.version))) ||
        (d.id && put(top, "Id", json_incref(d.id))) ||
        (json_array_size(d.statements) &&
         put(top, "Statement", json_incref(d.statements)))) {
        error = TERN_ENOMEM;
        goto done;
    }
    pretty = dump(top, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    compact = dump(top, JSON_COMPACT | JSON_PRESERVE_ORDER);
    TERN_CHECK_ALLOC(pretty);
    TERN_CHECK_ALLOC(compact);
    pretty_go = go_escape(pretty);
    compact_go = go_escape(compact);
    TERN_CHECK_ALLOC(pretty_go);
    TERN_CHECK_ALLOC(compact_go);
    id = tern_asprintf("%lu", crc32_ieee(pretty_go));
    TERN_CHECK_ALLOC(id);
    st = json_is_object(config) ? json_deep_copy(config) : json_object();
    TERN_CHECK_ALLOC(st);
    if (tern__set_str(st, "json", pretty_go) ||
        tern__set_str(st, "minified_json", compact_go) ||
        tern__set_str(st, "id", id)) {
        error = TERN_ENOMEM;
        goto done;
    }
    *out = st;
    st = NULL;
done:
    json_decref(own);
    json_decref(seen);
    json_decref(stmts);
    json_decref(holder);
    json_decref(top);
    json_decref(st);
    json_decref(d.id);
    json_decref(d.statements);
    tern_free(pretty);
    tern_free(compact);
    tern_free(pretty_go);
    tern_free(compact_go);
    tern_free(id);
    return error;
}

const tern_module tern_module_data_aws_iam_policy_document = {
    TERN_MODULE_VERSION,
    "aws_iam_policy_document",
    TERN_MODULE_DATA,
    "aws",
    schema,
    document_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
