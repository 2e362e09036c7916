/*
 * The JSON syntax (*.tf.json), into the same tree as the native syntax.
 *
 * JSON has no blocks, so which property is a block, and how many of its
 * nested object levels are labels, comes from a schema of the block types
 * Terraform defines (and the nested blocks of the resource types we know).
 * Every other property is an attribute; its strings are templates, except
 * where Terraform reads an expression from a string (a variable's type,
 * depends_on, provider, lifecycle's ignore_changes, moved's from and to).
 * Properties named "//" are comments.
 *
 * Jansson parses and validates; it keeps no positions, so a small scanner
 * walks the text in the same order Jansson's tree is walked (keys in
 * document order; duplicates are rejected so the orders agree) and hands
 * out each value's and key's position.
 */
#include "lang/lang_int.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/vec.h"

#include <string.h>

struct jschema {
    const char *name;
    int labels;
    const struct jschema *children; /* NULL-terminated, or NULL */
};

static const struct jschema lifecycle_children[] = {
    {"precondition", 0, NULL}, {"postcondition", 0, NULL}, {NULL, 0, NULL}};
static const struct jschema statement_children[] = {{"principals", 0, NULL},
                                                    {"not_principals", 0, NULL},
                                                    {"condition", 0, NULL},
                                                    {NULL, 0, NULL}};
static const struct jschema connection_children[] = {{NULL, 0, NULL}};
static const struct jschema provisioner_children[] = {
    {"connection", 0, connection_children}, {NULL, 0, NULL}};
extern const struct jschema tern__json_resource_children[];
static const struct jschema dynamic_children[] = {
    {"content", 0, tern__json_resource_children}, {NULL, 0, NULL}};
static const struct jschema library_children[] = {
    {"pypi", 0, NULL}, {"maven", 0, NULL}, {NULL, 0, NULL}};
/* Nested blocks of resources and data sources: the meta-blocks, and those
 * of the IAM types (aws_iam_policy_document, aws_iam_role) and of
 * databricks_cluster. */
const struct jschema tern__json_resource_children[] = {
    {"lifecycle", 0, lifecycle_children},
    {"provisioner", 1, provisioner_children},
    {"connection", 0, connection_children},
    {"dynamic", 1, dynamic_children},
    {"statement", 0, statement_children},
    {"inline_policy", 0, NULL},
    {"timeouts", 0, NULL},
    {"autoscale", 0, NULL},
    {"aws_attributes", 0, NULL},
    {"library", 0, library_children},
    {NULL, 0, NULL}};
static const struct jschema terraform_children[] = {
    {"required_providers", 0, NULL},
    {"backend", 1, NULL},
    {"cloud", 0, NULL},
    {NULL, 0, NULL}};
static const struct jschema provider_children[] = {
    {"assume_role", 0, NULL},  {"assume_role_with_web_identity", 0, NULL},
    {"default_tags", 0, NULL}, {"ignore_tags", 0, NULL},
    {"endpoints", 0, NULL},    {NULL, 0, NULL}};
static const struct jschema variable_children[] = {{"validation", 0, NULL},
                                                   {NULL, 0, NULL}};
static const struct jschema output_children[] = {{"precondition", 0, NULL},
                                                 {NULL, 0, NULL}};
static const struct jschema check_children[] = {
    {"data", 2, tern__json_resource_children},
    {"assert", 0, NULL},
    {NULL, 0, NULL}};
static const struct jschema removed_children[] = {
    {"lifecycle", 0, NULL},
    {"provisioner", 1, provisioner_children},
    {NULL, 0, NULL}};
static const struct jschema top_children[] = {
    {"terraform", 0, terraform_children},
    {"provider", 1, provider_children},
    {"variable", 1, variable_children},
    {"locals", 0, NULL},
    {"output", 1, output_children},
    {"module", 1, NULL},
    {"resource", 2, tern__json_resource_children},
    {"data", 2, tern__json_resource_children},
    {"import", 0, NULL},
    {"moved", 0, NULL},
    {"check", 1, check_children},
    {"removed", 0, removed_children},
    {NULL, 0, NULL}};

/* Attributes whose strings are expressions, not templates. */
static int keyword_attr(const char *block, const char *attr)
{
    static const struct {
        const char *block, *attr;
    } kw[] = {{"variable", "type"},
              {"*", "depends_on"},
              {"resource", "provider"},
              {"data", "provider"},
              {"module", "providers"},
              {"lifecycle", "ignore_changes"},
              {"lifecycle", "replace_triggered_by"},
              {"moved", "from"},
              {"moved", "to"},
              {"import", "to"},
              {"import", "provider"},
              {"removed", "from"}};
    size_t i;

    for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
        if ((kw[i].block[0] == '*' || strcmp(kw[i].block, block) == 0) &&
            strcmp(kw[i].attr, attr) == 0)
            return 1;
    return 0;
}

/* ---- Positions ---------------------------------------------------------
 */

struct span {
    struct tern_pos start, end;
};

struct scan {
    const char *s;
    size_t len, i;
    unsigned line, col;
    struct span *pos;
    size_t n, alloc;
    int oom;
};

static void sc_adv(struct scan *sc)
{
    unsigned char c = (unsigned char)sc->s[sc->i++];

    if (c == '\n') {
        sc->line++;
        sc->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        sc->col++;
    }
}

static void sc_ws(struct scan *sc)
{
    while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]))
        sc_adv(sc);
}

static struct tern_pos sc_pos(const struct scan *sc)
{
    struct tern_pos p;

    p.line = sc->line;
    p.column = sc->col;
    p.byte = sc->i;
    return p;
}

/* Record where a value or key starts; returns its index for sc_end. */
static size_t sc_record(struct scan *sc)
{
    if (TERN_VEC_RESERVE(sc->pos, sc->alloc, sc->n + 1) != TERN_OK) {
        sc->oom = 1;
        return 0;
    }
    sc->pos[sc->n].start = sc->pos[sc->n].end = sc_pos(sc);
    return sc->n++;
}

static void sc_end(struct scan *sc, size_t at)
{
    if (!sc->oom && at < sc->n)
        sc->pos[at].end = sc_pos(sc);
}

static void sc_string(struct scan *sc)
{
    sc_adv(sc); /* " */
    while (sc->i < sc->len && sc->s[sc->i] != '"') {
        if (sc->s[sc->i] == '\\' && sc->i + 1 < sc->len)
            sc_adv(sc);
        sc_adv(sc);
    }
    if (sc->i < sc->len)
        sc_adv(sc);
}

/* The text is valid JSON (Jansson said so): no error handling needed but
 * memory's. Once a record fails, sc_value returns without consuming, so the
 * loops stop too (they spun on an array whose records failed). */
static void sc_value(struct scan *sc)
{
    size_t at;

    sc_ws(sc);
    if (sc->i >= sc->len || sc->oom)
        return;
    at = sc_record(sc);
    switch (sc->s[sc->i]) {
    case '{':
        sc_adv(sc);
        for (;;) {
            sc_ws(sc);
            if (sc->i >= sc->len || sc->oom || sc->s[sc->i] == '}')
                break;
            if (sc->s[sc->i] == ',') {
                sc_adv(sc);
                continue;
            }
            {
                size_t key = sc_record(sc);

                sc_string(sc);
                sc_end(sc, key);
            }
            sc_ws(sc);
            if (sc->i < sc->len)
                sc_adv(sc); /* : */
            sc_value(sc);
        }
        if (sc->i < sc->len)
            sc_adv(sc);
        break;
    case '[':
        sc_adv(sc);
        for (;;) {
            sc_ws(sc);
            if (sc->i >= sc->len || sc->oom || sc->s[sc->i] == ']')
                break;
            if (sc->s[sc->i] == ',') {
                sc_adv(sc);
                continue;
            }
            sc_value(sc);
        }
        if (sc->i < sc->len)
            sc_adv(sc);
        break;
    case '"':
        sc_string(sc);
        break;
    default:
        while (sc->i < sc->len && !strchr(",]} \t\r\n", sc->s[sc->i]))
            sc_adv(sc);
        break;
    }
    sc_end(sc, at);
}

/* ---- Conversion --------------------------------------------------------
 */

struct conv {
    struct tern_lang_file *file;
    struct tern_diags *diags;
    const struct span *pos;
    size_t npos, next;
    int oom;
};

static struct tern_range take(struct conv *cv)
{
    struct tern_range r;

    r.file = cv->file->name;
    if (cv->next < cv->npos) {
        r.start = cv->pos[cv->next].start;
        r.end = cv->pos[cv->next].end;
        cv->next++;
    } else {
        r.start.line = r.start.column = 1;
        r.start.byte = 0;
        r.end = r.start;
    }
    return r;
}

/* Skip the positions of a value we do not convert. */
static void skip(struct conv *cv, json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;

    cv->next++;
    if (json_is_object(v)) {
        json_object_foreach(v, key, item)
        {
            (void)key;
            cv->next++;
            skip(cv, item);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item) skip(cv, item);
    }
}

static int cerr(struct conv *cv, const struct tern_range *r,
                const char *summary, const char *detail)
{
    if (!tern_diags_add(cv->diags, TERN_SEV_ERROR, r, summary, "%s", detail))
        cv->oom = 1;
    return TERN_ERROR;
}

static struct tern_expr *new_expr(struct conv *cv, enum tern_expr_kind kind,
                                  struct tern_range r)
{
    struct tern_expr *e = tern__arena_alloc(cv->file->arena, sizeof(*e));

    if (!e) {
        cv->oom = 1;
        return NULL;
    }
    e->kind = kind;
    e->range = r;
    return e;
}

static struct tern_expr *literal(struct conv *cv, tern_value *v,
                                 struct tern_range r)
{
    struct tern_expr *e;

    v = tern__arena_value(cv->file->arena, v);
    if (!v) {
        cv->oom = 1;
        return NULL;
    }
    e = new_expr(cv, TERN_EXPR_LITERAL, r);
    if (e)
        e->u.literal = v;
    return e;
}

static struct tern_expr *string_expr(struct conv *cv, const char *s, size_t len,
                                     struct tern_range r, int keyword)
{
    struct tern_expr *e = NULL;
    struct tern_pos base = r.start;
    int error;

    base.column++; /* past the quote */
    base.byte++;
    if (!keyword && !memchr(s, '{', len))
        return literal(cv, tern_value_stringn(s, len), r);
    error =
        tern__parse_fragment(cv->file, s, len, base, !keyword, &e, cv->diags);
    if (error == TERN_ENOMEM)
        cv->oom = 1;
    return error ? NULL : e;
}

static struct tern_expr *expr(struct conv *cv, json_t *v, int keyword)
{
    struct tern_range r = take(cv);
    struct tern_expr *e;
    const char *key;
    json_t *item;
    size_t i, n;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return string_expr(cv, json_string_value(v), json_string_length(v), r,
                           keyword);
    case JSON_INTEGER:
        return literal(cv, tern_value_int((int64_t)json_integer_value(v)), r);
    case JSON_REAL:
        return literal(cv, tern_value_number(json_real_value(v)), r);
    case JSON_TRUE:
    case JSON_FALSE:
        return literal(cv, tern_value_bool(json_is_true(v)), r);
    case JSON_NULL:
        return literal(cv, tern_value_null(), r);
    case JSON_ARRAY:
        n = json_array_size(v);
        e = new_expr(cv, TERN_EXPR_TUPLE, r);
        if (!e)
            return NULL;
        e->u.list.items =
            tern__arena_alloc(cv->file->arena, (n ? n : 1) * sizeof(void *));
        if (!e->u.list.items) {
            cv->oom = 1;
            return NULL;
        }
        json_array_foreach(v, i, item)
        {
            e->u.list.items[i] = expr(cv, item, keyword);
            if (!e->u.list.items[i])
                return NULL;
        }
        e->u.list.n = n;
        return e;
    case JSON_OBJECT:
        n = json_object_size(v);
        e = new_expr(cv, TERN_EXPR_OBJECT, r);
        if (!e)
            return NULL;
        e->u.object.keys =
            tern__arena_alloc(cv->file->arena, (n ? n : 1) * sizeof(void *));
        e->u.object.vals =
            tern__arena_alloc(cv->file->arena, (n ? n : 1) * sizeof(void *));
        if (!e->u.object.keys || !e->u.object.vals) {
            cv->oom = 1;
            return NULL;
        }
        i = 0;
        json_object_foreach(v, key, item)
        {
            struct tern_range kr = take(cv);

            e->u.object.keys[i] =
                string_expr(cv, key, strlen(key), kr, keyword);
            e->u.object.vals[i] = expr(cv, item, keyword);
            if (!e->u.object.keys[i] || !e->u.object.vals[i])
                return NULL;
            i++;
        }
        e->u.object.n = n;
        return e;
    }
    return NULL;
}

struct bvec {
    struct tern_block **items;
    size_t n, alloc;
};

static struct tern_body *body(struct conv *cv, json_t *obj, struct tern_range r,
                              const char *type, const struct jschema *children);

static int push_block(struct conv *cv, struct bvec *v, struct tern_block *b)
{
    if (TERN_VEC_RESERVE(v->items, v->alloc, v->n + 1) != TERN_OK) {
        cv->oom = 1;
        return TERN_ENOMEM;
    }
    v->items[v->n++] = b;
    return TERN_OK;
}

/* One block per object at the end of @nleft levels of labels. */
static int blocks(struct conv *cv, struct bvec *out, const struct jschema *s,
                  struct tern_range type_range, json_t *v, int nleft,
                  const char **labels, struct tern_range *lranges, int nl)
{
    struct tern_range r = take(cv);
    const char *key;
    json_t *item;
    size_t i;
    int error = TERN_OK;

    if (json_is_array(v)) {
        /* An array of objects: several blocks at this level; each element
         * takes its own position. */
        json_array_foreach(v, i, item)
        {
            if (!json_is_object(item)) {
                skip(cv, item);
                error = cerr(cv, &r, "Incorrect JSON value type",
                             "A JSON object is required here, to define a "
                             "block.");
                continue;
            }
            error |= blocks(cv, out, s, type_range, item, nleft, labels,
                            lranges, nl);
        }
        return error;
    }
    if (!json_is_object(v)) {
        cv->next--;
        skip(cv, v);
        return cerr(cv, &r, "Incorrect JSON value type",
                    nleft ? "A JSON object is required here, whose keys are "
                            "the block's labels."
                          : "A JSON object is required here, to define a "
                            "block body.");
    }
    if (nleft > 0) {
        json_object_foreach(v, key, item)
        {
            struct tern_range kr = take(cv);

            if (strcmp(key, "//") == 0) {
                skip(cv, item);
                continue;
            }
            labels[nl] = tern__arena_strndup(cv->file->arena, key, strlen(key));
            if (!labels[nl]) {
                cv->oom = 1;
                return TERN_ENOMEM;
            }
            lranges[nl] = kr;
            /* The label object's own position is taken by the recursion. */
            error |= blocks(cv, out, s, type_range, item, nleft - 1, labels,
                            lranges, nl + 1);
        }
        return error;
    }
    {
        struct tern_block *b = tern__arena_alloc(cv->file->arena, sizeof(*b));
        struct tern_arena *a = cv->file->arena;

        if (!b) {
            cv->oom = 1;
            return TERN_ENOMEM;
        }
        b->type = s->name;
        b->type_range = type_range;
        b->nlabels = (size_t)nl;
        b->labels =
            tern__arena_alloc(a, (nl ? (size_t)nl : 1) * sizeof(*b->labels));
        b->label_ranges = tern__arena_alloc(a, (nl ? (size_t)nl : 1) *
                                                   sizeof(*b->label_ranges));
        if (!b->labels || !b->label_ranges) {
            cv->oom = 1;
            return TERN_ENOMEM;
        }
        if (nl) {
            memcpy((void *)b->labels, labels, (size_t)nl * sizeof(*labels));
            memcpy(b->label_ranges, lranges, (size_t)nl * sizeof(*lranges));
        }
        b->def_range = type_range;
        if (nl)
            b->def_range.end = lranges[nl - 1].end;
        b->range = r;
        b->range.start = type_range.start;
        b->body = body(cv, v, r, s->name, s->children);
        if (!b->body)
            return cv->oom ? TERN_ENOMEM : TERN_ERROR;
        b->range.end = b->body->range.end;
        return push_block(cv, out, b);
    }
}

static struct tern_body *body(struct conv *cv, json_t *obj, struct tern_range r,
                              const char *type, const struct jschema *children)
{
    struct tern_arena *a = cv->file->arena;
    struct tern_body *b = tern__arena_alloc(a, sizeof(*b));
    struct bvec bv = {NULL, 0, 0};
    size_t n = json_object_size(obj), i;
    const char *key;
    json_t *item;
    const char *labels[8];
    struct tern_range lranges[8];

    if (!b) {
        cv->oom = 1;
        return NULL;
    }
    b->range = r;
    b->attrs = tern__arena_alloc(a, (n ? n : 1) * sizeof(*b->attrs));
    if (!b->attrs) {
        cv->oom = 1;
        return NULL;
    }
    json_object_foreach(obj, key, item)
    {
        struct tern_range kr = take(cv);
        const struct jschema *s = NULL;

        if (strcmp(key, "//") == 0) {
            skip(cv, item);
            continue;
        }
        for (i = 0; children && children[i].name; i++)
            if (strcmp(children[i].name, key) == 0)
                s = &children[i];
        if (s) {
            blocks(cv, &bv, s, kr, item, s->labels, labels, lranges, 0);
        } else {
            struct tern_attribute *at = &b->attrs[b->nattrs];

            at->name = tern__arena_strndup(a, key, strlen(key));
            at->name_range = kr;
            at->expr = expr(cv, item, keyword_attr(type, key));
            if (!at->name) {
                cv->oom = 1;
            } else if (at->expr) {
                at->range = kr;
                at->range.end = at->expr->range.end;
                b->nattrs++;
            }
        }
        if (cv->oom)
            break;
    }
    b->nblocks = bv.n;
    b->blocks = tern__arena_alloc(a, (bv.n ? bv.n : 1) * sizeof(void *));
    if (b->blocks && bv.n)
        memcpy(b->blocks, bv.items, bv.n * sizeof(void *));
    tern_free(bv.items);
    if (!b->blocks) {
        cv->oom = 1;
        return NULL;
    }
    return b;
}

int tern_lang_parse_json(struct tern_lang_sources *srcs, const char *name,
                         const char *text, size_t len,
                         struct tern_lang_file **out, struct tern_diags *diags)
{
    struct tern_lang_file *f = tern__sources_add(srcs, name, text, len, 1);
    struct scan sc;
    struct conv cv;
    json_error_t jerr;
    json_t *root = NULL;
    size_t errors = diags->errors;
    int error = TERN_OK;

    memset(&sc, 0, sizeof(sc));
    memset(&cv, 0, sizeof(cv));
    if (out)
        *out = f;
    if (!f)
        return TERN_ENOMEM;
    /* Before Jansson, whose message names neither line nor column. */
    error = tern__check_utf8(f, diags);
    if (error) {
        if (error == TERN_ERROR &&
            !(f->body = tern__arena_alloc(f->arena, sizeof(*f->body))))
            error = TERN_ENOMEM;
        return error;
    }
    root =
        tern_json_loadb(f->src, f->len, JSON_REJECT_DUPLICATES, &jerr, &cv.oom);
    if (cv.oom)
        return TERN_ENOMEM; /* not "Invalid JSON": Jansson says so of a
                             * string it could not allocate */
    if (!root) {
        struct tern_range r;

        r.file = f->name;
        r.start.line = jerr.line > 0 ? (unsigned)jerr.line : 1;
        r.start.column = jerr.column > 0 ? (unsigned)jerr.column : 1;
        r.start.byte = jerr.position > 0 ? (size_t)jerr.position - 1 : 0;
        r.end = r.start;
        r.end.column++;
        r.end.byte++;
        if (!tern_diags_add(diags, TERN_SEV_ERROR, &r, "Invalid JSON",
                            "The file is not valid JSON: %s.", jerr.text))
            return TERN_ENOMEM;
        f->body = tern__arena_alloc(f->arena, sizeof(*f->body));
        return f->body ? TERN_ERROR : TERN_ENOMEM;
    }
    sc.s = f->src;
    sc.len = f->len;
    sc.line = sc.col = 1;
    sc_value(&sc);
    if (sc.oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    cv.file = f;
    cv.diags = diags;
    cv.pos = sc.pos;
    cv.npos = sc.n;
    {
        struct tern_range r = take(&cv);

        if (!json_is_object(root)) {
            cerr(&cv, &r, "Incorrect JSON value type",
                 "The root of a configuration file must be a JSON object.");
            f->body = tern__arena_alloc(f->arena, sizeof(*f->body));
        } else {
            f->body = body(&cv, root, r, "", top_children);
        }
    }
    if (cv.oom || !f->body)
        error = TERN_ENOMEM;
    else if (diags->errors > errors)
        error = TERN_ERROR;

done:
    tern_free(sc.pos);
    json_decref(root);
    return error;
}
