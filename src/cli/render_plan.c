/*
 * Plans rendered the way Terraform renders them for people:
 *
 *       # aws_iam_role.x will be updated in-place
 *       ~ resource "aws_iam_role" "x" {
 *           ~ description = "a" -> "b"
 *             id          = "x"
 *             name        = "x"
 *             # (3 unchanged attributes hidden)
 *         }
 *
 * One recursive diff over two tern_values (either may be absent) prints
 * every line with its symbol (+ create, - delete, ~ update, blank
 * unchanged): a line's symbol sits at a column, its nested entries four
 * columns further in, and the closing bracket two columns in. Strings that
 * hold a JSON object or array (policy documents) are diffed as the decoded
 * JSON inside `jsonencode(...)`, as Terraform shows them. Unknown values
 * print as (known after apply), sensitive ones as (sensitive value).
 * Everything writes into a tern_buf; src/cli/cmd_plan.c prints it.
 */
#include "cli/render_plan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

struct pr {
    tern_buf *out;
    const struct cli_ui *ui;
    /* The value's deletion prints no " -> null": a list element, an
     * object's member, a deleted map's element, either side of a type
     * change (the renderers' OverrideNullSuffix: renderers/list.go,
     * object.go, map.go, type_change.go). */
    int no_null;
    int set; /* the value is a set(string) attribute's */
};

enum sym { S_SAME, S_ADD, S_DEL, S_UPD };

static void value_lines(struct pr *r, const tern_value *b, const tern_value *a,
                        int col, int quoted, int in_json);

static const char *sym_text(const struct pr *r, enum sym s)
{
    /* Colours as Terraform's: green +, red -, yellow ~. */
    if (r->ui && r->ui->color) {
        switch (s) {
        case S_ADD:
            return "\033[32m+\033[0m";
        case S_DEL:
            return "\033[31m-\033[0m";
        case S_UPD:
            return "\033[33m~\033[0m";
        case S_SAME:
            return " ";
        }
    }
    switch (s) {
    case S_ADD:
        return "+";
    case S_DEL:
        return "-";
    case S_UPD:
        return "~";
    case S_SAME:
        break;
    }
    return " ";
}

/* "SYM ": a line's change symbol and its space. The plan writes one a
 * line, so these appends skip vsnprintf (issue 19). */
static void put_sym(tern_buf *out, const char *sym)
{
    tern_buf_puts(out, sym);
    tern_buf_putc(out, ' ');
}

/* "KEY = " with KEY padded to @width, as "%-*s = " would. */
static void put_padded(tern_buf *out, const char *k, size_t width)
{
    size_t n = strlen(k);

    tern_buf_put(out, k, n);
    if (width > n)
        cli_hcl_indent(out, (int)(width - n));
    tern_buf_puts(out, " = ");
}

static int has_sens(const tern_value *v)
{
    return v && tern_value_has_sensitive(v);
}

static int absent(const tern_value *v)
{
    return v == NULL || tern_value_kind(v) == TERN_VAL_NULL;
}

/* Null, or an empty list or set: no blocks. */
static int no_blocks(const tern_value *v)
{
    return absent(v) || ((tern_value_kind(v) == TERN_VAL_LIST ||
                          tern_value_kind(v) == TERN_VAL_SET) &&
                         tern_value_length(v) == 0);
}

static enum sym sym_of(const tern_value *b, const tern_value *a)
{
    if (absent(b) && absent(a))
        return S_SAME;
    if (absent(b))
        return S_ADD;
    if (absent(a))
        return S_DEL;
    if (tern_value_is_unknown(a) || !tern_value_is_wholly_known(a))
        return S_UPD;
    if (tern_value_equal(b, a) && has_sens(b) == has_sens(a))
        return S_SAME;
    return S_UPD;
}

/* A string holding a JSON object or array, decoded; else NULL (*@oom set
 * when memory, not the text, was why). */
static tern_value *json_string_value_of(const tern_value *v, int *oom)
{
    const char *s;
    json_t *j;
    tern_value *tv;

    if (!v || tern_value_kind(v) != TERN_VAL_STRING ||
        tern_value_is_sensitive(v))
        return NULL;
    s = tern_value_get_string(v);
    while (isspace((unsigned char)*s))
        s++;
    if (*s != '{' && *s != '[')
        return NULL;
    j = tern_json_loads(s, 0, oom);
    if (!j)
        return NULL;
    tv = tern_value_from_json(j);
    json_decref(j);
    if (!tv)
        *oom = 1;
    return tv;
}

static int is_collection(const tern_value *v)
{
    enum tern_value_kind k;

    if (!v)
        return 0;
    k = tern_value_kind(v);
    return k == TERN_VAL_LIST || k == TERN_VAL_SET || k == TERN_VAL_OBJECT;
}

/* A value that is no collection to diff into (primitives, null, unknown,
 * sensitive). */
static int is_scalar(const tern_value *v)
{
    return absent(v) || tern_value_is_unknown(v) ||
           tern_value_is_sensitive(v) || !is_collection(v);
}

/* Two collections upstream's differ diffs into: both arrays (a list, a
 * set or a tuple: JSON has no other) or both objects. */
static int same_kind(const tern_value *b, const tern_value *a)
{
    return (tern_value_kind(b) == TERN_VAL_OBJECT) ==
           (tern_value_kind(a) == TERN_VAL_OBJECT);
}

/* A single value on one line (scalars and empty collections). */
static int is_inline(const tern_value *v)
{
    return is_scalar(v) || tern_value_length(v) == 0;
}

static void put_inline(struct pr *r, const tern_value *v)
{
    char *num;

    if (absent(v)) {
        tern_buf_puts(r->out, "null");
        return;
    }
    if (tern_value_is_sensitive(v)) {
        tern_buf_puts(r->out, "(sensitive value)");
        return;
    }
    switch (tern_value_kind(v)) {
    case TERN_VAL_UNKNOWN:
        tern_buf_puts(r->out, "(known after apply)");
        break;
    case TERN_VAL_BOOL:
        tern_buf_puts(r->out, tern_value_get_bool(v) ? "true" : "false");
        break;
    case TERN_VAL_NUMBER:
        num = tern_value_number_string(v);
        tern_buf_puts(r->out, num ? num : "0");
        tern_free(num);
        break;
    case TERN_VAL_STRING:
        cli_hcl_string(r->out, tern_value_get_string(v),
                       tern_value_string_len(v));
        break;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        tern_buf_puts(r->out, "[]");
        break;
    case TERN_VAL_OBJECT:
        tern_buf_puts(r->out, "{}");
        break;
    case TERN_VAL_NULL:
        tern_buf_puts(r->out, "null");
        break;
    }
}

static void hidden(struct pr *r, int col, size_t n, const char *what)
{
    if (n == 0)
        return;
    cli_hcl_indent(r->out, col + 2);
    tern_buf_printf(r->out, "# (%zu unchanged %s%s hidden)\n", n, what,
                    n == 1 ? "" : "s");
}

/* The keys of two objects (either may be absent), merged in order. */
struct pairs {
    const tern_value *b, *a;
    size_t nb, na, i, j;
};

static void pairs_start(struct pairs *p, const tern_value *b,
                        const tern_value *a)
{
    p->b = b;
    p->a = a;
    p->nb = absent(b) ? 0 : tern_value_length(b);
    p->na = absent(a) ? 0 : tern_value_length(a);
    p->i = p->j = 0;
}

/* The next key and its value on each side (NULL where absent); 0 at the
 * end. */
static int pairs_next(struct pairs *p, const char **k, const tern_value **vb,
                      const tern_value **va)
{
    const char *kb, *ka;
    int c;

    if (p->i >= p->nb && p->j >= p->na)
        return 0;
    kb = p->i < p->nb ? tern_value_object_key(p->b, p->i) : NULL;
    ka = p->j < p->na ? tern_value_object_key(p->a, p->j) : NULL;
    c = !kb ? 1 : !ka ? -1 : strcmp(kb, ka);
    *vb = c <= 0 ? tern_value_object_value(p->b, p->i++) : NULL;
    *va = c >= 0 ? tern_value_object_value(p->a, p->j++) : NULL;
    *k = c <= 0 ? kb : ka;
    return 1;
}

/* Shown even when unchanged, for context (renderers/block.go
 * importantAttributes). */
static int important(const char *k)
{
    return strcmp(k, "id") == 0 || strcmp(k, "name") == 0 ||
           strcmp(k, "tags") == 0;
}

/* Entries of two objects (either may be absent), keys merged in order.
 * The keys are padded to the longest present on either side, hidden ones
 * included, as upstream's object and map renderers do. */
static void object_entries(struct pr *r, const tern_value *b,
                           const tern_value *a, int col, int quoted,
                           int in_json, int show_same)
{
    struct pairs p;
    const tern_value *vb, *va;
    const char *k;
    size_t width = 0, same = 0;

    pairs_start(&p, b, a);
    while (pairs_next(&p, &k, &vb, &va))
        if (!(absent(vb) && absent(va)) && cli_hcl_key_width(k, quoted) > width)
            width = cli_hcl_key_width(k, quoted);
    pairs_start(&p, b, a);
    while (pairs_next(&p, &k, &vb, &va)) {
        enum sym s = sym_of(vb, va);

        if (absent(vb) && absent(va))
            continue;
        if (s == S_SAME && !show_same && (quoted || !important(k))) {
            same++;
            continue;
        }
        cli_hcl_indent(r->out, col);
        put_sym(r->out, sym_text(r, s));
        cli_hcl_key(r->out, k, quoted, width);
        tern_buf_puts(r->out, " = ");
        /* An object's members never print " -> null" (renderers/
         * object.go Object, the JSON differ's and cty objects'); a map's
         * do, unless the whole map goes (map.go). */
        r->no_null = !quoted || absent(a);
        value_lines(r, vb, va, col, quoted, in_json);
        tern_buf_putc(r->out, '\n');
    }
    hidden(r, col, same, quoted ? "element" : "attribute");
}

/*
 * The elements of two lists or sets as Terraform lines them up. Each is
 * a pair of indices, NO_IX where the element has no side there: both
 * sides unchanged (or a list's object changed in place), before only
 * deleted, after only created.
 */
#define NO_IX ((size_t)-1)

/* A list's or a set's element lines, each printed once its element is
 * decided (renderers/list.go, renderers/set.go). */
struct elems {
    struct pr *r;
    const tern_value *b, *a;
    int col, quoted, in_json;
    int context;           /* a list: show the element either side of a
                              change, hide and count the rest */
    int next;              /* show the next element whatever it is */
    size_t same;           /* unchanged elements not shown yet */
    size_t last_b, last_a; /* the latest of them */
};

static void elem_line(struct elems *el, size_t bi, size_t ai)
{
    struct pr *r = el->r;
    const tern_value *eb = bi == NO_IX ? NULL : tern_value_list_get(el->b, bi);
    const tern_value *ea = ai == NO_IX ? NULL : tern_value_list_get(el->a, ai);
    enum sym s = !ea ? S_DEL : !eb ? S_ADD : sym_of(eb, ea);

    cli_hcl_indent(r->out, el->col);
    put_sym(r->out, sym_text(r, s));
    r->no_null = 1;
    value_lines(r, eb, ea, el->col, el->quoted, el->in_json);
    tern_buf_puts(r->out, ",\n");
}

static void elem_emit(struct elems *el, size_t bi, size_t ai)
{
    int same = bi != NO_IX && ai != NO_IX &&
               sym_of(tern_value_list_get(el->b, bi),
                      tern_value_list_get(el->a, ai)) == S_SAME;

    if (same && !el->next) {
        el->same++;
        el->last_b = bi;
        el->last_a = ai;
        return;
    }
    el->next = 0;
    if (el->context) {
        /* The unchanged run before a change: counted, but for its last
         * element, shown; and the element after a change shown. */
        if (el->same > 1)
            hidden(el->r, el->col, el->same - 1, "element");
        if (el->same > 0)
            elem_line(el, el->last_b, el->last_a);
        el->same = 0;
        el->next = !same;
    }
    elem_line(el, bi, ai);
}

static int elem_eq(const tern_value *x, const tern_value *y)
{
    return x && y && tern_value_equal(x, y);
}

static int elem_is_object(const tern_value *v)
{
    return v && tern_value_kind(v) == TERN_VAL_OBJECT;
}

/*
 * The cells (pairs of elements) of the longest-common-subsequence table
 * beyond which a list diff first sets aside the common head and tail:
 * 5 bytes a cell, 20 MB at most (two lists of 2,048). Terraform's table
 * (objchange.LongestCommonSubsequence) has no bound: O(n*m) in time and
 * space. Below this bound tern's lines are upstream's; above it they may
 * differ where the lists have several longest common subsequences, and
 * where the middle left is still beyond it, its elements are taken as
 * all deleted, then all created.
 */
#define LCS_CELLS_MAX ((size_t)1 << 22)

/*
 * objchange.LongestCommonSubsequence over before[b0, b1) (x, across) and
 * after[a0, a1) (y, down): the before indices of one longest common
 * subsequence, in order, into @seq; their count, or NO_IX out of memory.
 * The walk back from the last cell goes left only when that is strictly
 * longer, as upstream's, so that of several subsequences the same is
 * chosen.
 */
static size_t lcs_of(const tern_value *b, size_t b0, size_t b1,
                     const tern_value *a, size_t a0, size_t a1, size_t *seq)
{
    size_t w = b1 - b0, h = a1 - a0, x, y, n, k;
    unsigned int *c;
    unsigned char *eqs;

    if (w == 0 || h == 0)
        return 0;
    c = tern_calloc(w * h, sizeof(*c));
    eqs = tern_calloc(w * h, 1);
    if (!c || !eqs) {
        tern_free(c);
        tern_free(eqs);
        return NO_IX;
    }
#define C(xx, yy) c[(yy)*w + (xx)]
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
            if (elem_eq(tern_value_list_get(b, b0 + x),
                        tern_value_list_get(a, a0 + y))) {
                eqs[y * w + x] = 1;
                C(x, y) = x == 0 || y == 0 ? 1 : C(x - 1, y - 1) + 1;
            } else {
                unsigned int l = x > 0 ? C(x - 1, y) : 0;
                unsigned int u = y > 0 ? C(x, y - 1) : 0;

                C(x, y) = l > u ? l : u;
            }
        }
    n = k = C(w - 1, h - 1);
    x = w;
    y = h;
    while (x > 0 && y > 0 && k > 0) {
        if (eqs[(y - 1) * w + (x - 1)]) {
            seq[--k] = b0 + x - 1;
            x--;
            y--;
        } else if ((x > 1 ? C(x - 2, y - 1) : 0) >
                   (y > 1 ? C(x - 1, y - 2) : 0)) {
            x--;
        } else {
            y--;
        }
    }
#undef C
    tern_free(c);
    tern_free(eqs);
    return n;
}

/*
 * A list's elements (collections/slice.go ProcessSlice): the before
 * elements up to the next common one deleted, except that an object
 * facing an object that is not the next common one either is changed in
 * place; then the after elements up to it created; then the common one,
 * unchanged. Elements are matched by value, as upstream's walk does.
 * 0, or -1 out of memory.
 */
static int list_elems(struct elems *el, size_t nb, size_t na)
{
    size_t pre = 0, suf = 0, n, bi, ai, li = 0, *seq;

    if (nb > 0 && na > 0 && nb > LCS_CELLS_MAX / na) {
        /* Beyond the bound (see LCS_CELLS_MAX): the common head and tail
         * aside first. */
        while (pre < nb && pre < na &&
               elem_eq(tern_value_list_get(el->b, pre),
                       tern_value_list_get(el->a, pre)))
            pre++;
        while (suf < nb - pre && suf < na - pre &&
               elem_eq(tern_value_list_get(el->b, nb - 1 - suf),
                       tern_value_list_get(el->a, na - 1 - suf)))
            suf++;
    }
    seq = tern_calloc((nb < na ? nb : na) + 1, sizeof(*seq));
    if (!seq)
        return -1;
    n = 0;
    if (nb - pre - suf == 0 ||
        na - pre - suf <= LCS_CELLS_MAX / (nb - pre - suf)) {
        n = lcs_of(el->b, pre, nb - suf, el->a, pre, na - suf, seq);
        if (n == NO_IX) {
            tern_free(seq);
            return -1;
        }
    }
    for (bi = 0; bi < pre; bi++)
        elem_emit(el, bi, bi);
    bi = ai = pre;
    nb -= suf;
    na -= suf;
    while (bi < nb || ai < na || li < n) {
        const tern_value *common =
            li < n ? tern_value_list_get(el->b, seq[li]) : NULL;

        while (bi < nb && !elem_eq(tern_value_list_get(el->b, bi), common)) {
            if (ai < na && elem_is_object(tern_value_list_get(el->b, bi)) &&
                elem_is_object(tern_value_list_get(el->a, ai)) &&
                !elem_eq(tern_value_list_get(el->a, ai), common))
                elem_emit(el, bi++, ai++);
            else
                elem_emit(el, bi++, NO_IX);
        }
        while (ai < na && !elem_eq(tern_value_list_get(el->a, ai), common))
            elem_emit(el, NO_IX, ai++);
        if (li < n) {
            if (bi >= nb || ai >= na)
                break; /* cannot happen: seq is common to both */
            elem_emit(el, bi++, ai++);
            li++;
        }
    }
    for (; suf > 0; suf--)
        elem_emit(el, bi++, ai++);
    tern_free(seq);
    return 0;
}

/*
 * A set's elements (differ/set.go processSet): each before element
 * matched with an equal after one (unchanged) or deleted, in order; then
 * the after elements left, created. 0, or -1 out of memory.
 */
static int set_elems(struct elems *el, size_t nb, size_t na)
{
    unsigned char *used = na ? tern_calloc(na, 1) : NULL;
    size_t i, j;

    if (na && !used)
        return -1;
    for (i = 0; i < nb; i++) {
        const tern_value *eb = tern_value_list_get(el->b, i);

        for (j = 0; j < na; j++)
            if (!used[j] && sym_of(eb, tern_value_list_get(el->a, j)) == S_SAME)
                break;
        if (j < na)
            used[j] = 1;
        elem_emit(el, i, j < na ? j : NO_IX);
    }
    for (j = 0; j < na; j++)
        if (!used[j])
            elem_emit(el, NO_IX, j);
    tern_free(used);
    return 0;
}

/* The entries of a changed list or set, unchanged elements hidden and
 * counted (a list's shown either side of a change, for context). */
static void list_entries(struct pr *r, const tern_value *b, const tern_value *a,
                         int col, int quoted, int in_json, int set)
{
    struct elems el;
    size_t nb = absent(b) ? 0 : tern_value_length(b);
    size_t na = absent(a) ? 0 : tern_value_length(a);
    int rc;

    memset(&el, 0, sizeof(el));
    el.r = r;
    el.b = b;
    el.a = a;
    el.col = col;
    el.quoted = quoted;
    el.in_json = in_json;
    el.context = !set;
    rc = set ? set_elems(&el, nb, na) : list_elems(&el, nb, na);
    if (rc) {
        r->out->oom = 1;
        return;
    }
    hidden(r, col, el.same, "element");
}

/*
 * The value part of a line whose symbol sits at @col: inline values
 * ("a" -> "b"), or a bracketed block whose entries sit at col + 4.
 */
static void value_lines(struct pr *r, const tern_value *b, const tern_value *a,
                        int col, int quoted, int in_json)
{
    const tern_value *one = absent(b) ? a : b;
    tern_value *jb = NULL, *ja = NULL;
    enum sym s = sym_of(b, a);
    enum tern_value_kind k;
    const char *gone = r->no_null ? "" : " -> null";
    int set = r->set;

    r->no_null = 0;
    r->set = 0;
    /* Policy documents: the decoded JSON, in jsonencode(). */
    if (!in_json) {
        /* Out of memory, the rendering is short: the buffer says so. */
        jb = json_string_value_of(b, &r->out->oom);
        ja = json_string_value_of(a, &r->out->oom);
        if ((jb || absent(b)) && (ja || absent(a)) && (jb || ja)) {
            tern_buf_puts(r->out, "jsonencode(\n");
            cli_hcl_indent(r->out, col + 4);
            /* A whole new or old document has no symbol of its own, and
             * its "-> null" follows the parenthesis, not the document
             * (renderers/primitive.go renderStringDiffAsJson). */
            put_sym(r->out, sym_text(r, s == S_UPD ? S_UPD : S_SAME));
            r->no_null = 1;
            value_lines(r, jb, ja, col + 4, 0, 1);
            tern_buf_putc(r->out, '\n');
            cli_hcl_indent(r->out, col + 2);
            tern_buf_putc(r->out, ')');
            if (s == S_DEL)
                tern_buf_puts(r->out, gone);
            tern_value_decref(jb);
            tern_value_decref(ja);
            return;
        }
        tern_value_decref(jb);
        tern_value_decref(ja);
    }
    /* An empty collection changed to a full one, or back, is diffed
     * element by element ("[" then "+ x,"), as upstream's list and map
     * renderers print it; a value that becomes unknown, or changes kind
     * (a list to an object, a string to a list, a JSON document to a
     * plain string), prints its before whole as deleted, then its after
     * whole as created, neither with " -> null" (renderers/
     * type_change.go, unknown.go; jsondiff/diff.go Transform). */
    if (s == S_UPD && (is_scalar(b) || is_scalar(a) || !same_kind(b, a))) {
        if (has_sens(b) || has_sens(a)) {
            tern_buf_puts(r->out, "(sensitive value)");
            return;
        }
        r->no_null = 1;
        value_lines(r, b, NULL, col, quoted, in_json);
        tern_buf_puts(r->out, " -> ");
        if (tern_value_is_unknown(a))
            put_inline(r, a);
        else
            value_lines(r, NULL, a, col, quoted, in_json);
        return;
    }
    if (is_inline(one) && s != S_UPD) {
        put_inline(r, one);
        if (s == S_DEL)
            tern_buf_puts(r->out, gone);
        return;
    }
    /* A collection with sensitive parts shows them where they are, each
     * as (sensitive value), the rest in clear, as upstream's renderers
     * do (jsonformat/differ: the sensitive check at every element). */
    k = tern_value_kind(one);
    if (k == TERN_VAL_OBJECT) {
        tern_buf_puts(r->out, "{\n");
        object_entries(r, b, a, col + 4, quoted, in_json, s != S_UPD);
        cli_hcl_indent(r->out, col + 2);
        tern_buf_putc(r->out, '}');
    } else {
        tern_buf_puts(r->out, "[\n");
        /* Matched as a set only for a set attribute: outputs and
         * any-value attributes go through upstream's JSON differ, where
         * a set is a list (differ/output.go). */
        if (s == S_UPD)
            list_entries(r, b, a, col + 4, quoted, in_json, set);
        else {
            size_t i;

            for (i = 0; i < tern_value_length(one); i++) {
                const tern_value *e = tern_value_list_get(one, i);

                cli_hcl_indent(r->out, col + 4);
                put_sym(r->out, sym_text(r, s));
                r->no_null = 1;
                value_lines(r, s == S_ADD ? NULL : e, s == S_DEL ? NULL : e,
                            col + 4, quoted, in_json);
                tern_buf_puts(r->out, ",\n");
            }
        }
        cli_hcl_indent(r->out, col + 2);
        tern_buf_putc(r->out, ']');
    }
    if (s == S_DEL)
        tern_buf_puts(r->out, gone);
}

static int in_list(const char *const *list, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static int is_block(const tern_attr *at)
{
    return at && (at->type == TERN_TYPE_BLOCK_LIST ||
                  at->type == TERN_TYPE_BLOCK_SET);
}

/* An empty string directly in a block is null, upstream's legacy rule for
 * SDK providers (jsonformat/differ/block.go). */
static const tern_value *in_block(const tern_value *v)
{
    if (v && tern_value_kind(v) == TERN_VAL_STRING &&
        tern_value_string_len(v) == 0 && !tern_value_is_sensitive(v))
        return NULL;
    return v;
}

static void body_lines(struct pr *r, const tern_change *c, const tern_value *b,
                       const tern_value *a, int col, const tern_attr *schema,
                       int all_same_shown);

/* One block of a block type: "SYM TYPE {", its body four columns in, "}"
 * (renderers/block.go; a sensitive one as sensitive_block.go). */
static void block_one(struct pr *r, const tern_change *c, const char *k,
                      const tern_attr *at, const tern_value *eb,
                      const tern_value *ea, int col, int sens)
{
    enum sym s = sym_of(eb, ea);

    cli_hcl_indent(r->out, col);
    put_sym(r->out, sym_text(r, s));
    tern_buf_puts(r->out, k);
    tern_buf_puts(r->out, " {");
    if (s != S_SAME && c && in_list(c->replace_paths, c->n_replace_paths, k))
        tern_buf_puts(r->out, " # forces replacement");
    tern_buf_putc(r->out, '\n');
    if (sens) {
        cli_hcl_indent(r->out, col + 4);
        tern_buf_puts(r->out, "# At least one attribute in this block is "
                              "(or was) sensitive,\n");
        cli_hcl_indent(r->out, col + 4);
        tern_buf_puts(r->out, "# so its contents will not be displayed.\n");
    } else {
        body_lines(r, NULL, eb, ea, col + 4, at->nested, s != S_UPD);
    }
    cli_hcl_indent(r->out, col + 2);
    tern_buf_puts(r->out, "}\n");
}

/* Blocks not known yet, as an SDK provider plans a computed block type:
 * one block whose attributes are all unknown (Terraform core does not
 * allow a nested block collection itself to be unknown). NULL on OOM. */
static tern_value *unknown_blocks(const tern_attr *nested)
{
    tern_value *o = tern_value_object_new(), *l = tern_value_list_new();
    const tern_attr *n;
    int rc = !o || !l;

    for (n = nested; !rc && n && n->name; n++)
        if (!is_block(n))
            rc = tern_value_object_set(o, n->name, tern_value_unknown());
    if (!rc) {
        rc = tern_value_list_append(l, o);
        o = NULL;
    }
    tern_value_decref(o);
    if (rc) {
        tern_value_decref(l);
        return NULL;
    }
    return l;
}

/* The blocks of one type: a list's by index, a set's matched by equality
 * then the new ones (differ/list.go processNestedList, set.go
 * processSet). Unchanged ones are counted in @same unless shown. A blank
 * line goes before the type's first block when the body has attributes. */
static void block_group(struct pr *r, const tern_change *c, const char *k,
                        const tern_attr *at, const tern_value *vb,
                        const tern_value *va, int col, int show_same, int gap,
                        size_t *same)
{
    tern_value *ub = NULL, *ua = NULL;
    size_t nb, na;
    int sens =
        (at->flags & TERN_ATTR_SENSITIVE) ||
        (vb && tern_value_is_sensitive(vb)) ||
        (va && tern_value_is_sensitive(va)) ||
        (at->type == TERN_TYPE_BLOCK_SET && (has_sens(vb) || has_sens(va)));
    unsigned char *used = NULL;
    size_t i, j, n;

    int oom = 0;

    if (vb && tern_value_is_unknown(vb)) {
        vb = ub = unknown_blocks(at->nested);
        oom |= !ub;
    }
    if (va && tern_value_is_unknown(va)) {
        va = ua = unknown_blocks(at->nested);
        oom |= !ua;
    }
    if (oom) {
        tern_value_decref(ub);
        tern_value_decref(ua);
        r->out->oom = 1;
        return;
    }
    nb = no_blocks(vb) ? 0 : tern_value_length(vb);
    na = no_blocks(va) ? 0 : tern_value_length(va);
    n = nb > na ? nb : na;
    if (at->type == TERN_TYPE_BLOCK_SET && na > 0) {
        used = tern_calloc(na, 1);
        if (!used) {
            tern_value_decref(ub);
            tern_value_decref(ua);
            r->out->oom = 1;
            return;
        }
    }
    for (i = 0; i < (used ? nb + na : n); i++) {
        const tern_value *eb = NULL, *ea = NULL;

        if (!used) {
            eb = i < nb ? tern_value_list_get(vb, i) : NULL;
            ea = i < na ? tern_value_list_get(va, i) : NULL;
        } else if (i < nb) {
            eb = tern_value_list_get(vb, i);
            for (j = 0; j < na && !ea; j++)
                if (!used[j] &&
                    sym_of(eb, tern_value_list_get(va, j)) == S_SAME) {
                    used[j] = 1;
                    ea = tern_value_list_get(va, j);
                }
        } else if (!used[i - nb]) {
            ea = tern_value_list_get(va, i - nb);
        } else {
            continue;
        }
        if (sym_of(eb, ea) == S_SAME && !show_same) {
            (*same)++;
            continue;
        }
        if (gap)
            tern_buf_putc(r->out, '\n');
        gap = 0;
        block_one(r, c, k, at, eb, ea, col, sens);
    }
    tern_free(used);
    tern_value_decref(ub);
    tern_value_decref(ua);
}

/* A resource's or a block's body, as renderers/block.go: the attributes
 * (unchanged ones hidden but for id, name and tags; keys padded to the
 * longest present, hidden ones included), then the nested blocks. */
static void body_lines(struct pr *r, const tern_change *c, const tern_value *b,
                       const tern_value *a, int col, const tern_attr *schema,
                       int all_same_shown)
{
    /* The schema entry of the first keys, looked up once for the three
     * passes (B2 renders 2,000 bodies). in_block() is an inlined kind
     * test: keeping its results here as well cost more than calling it
     * again (body_lines' own instructions in B2, 3.11 M -> 3.40 M). */
    const tern_attr *ats[64];
    struct pairs p;
    const tern_value *vb, *va;
    const tern_attr *at;
    const char *k;
    size_t width = 0, same = 0, nattrs = 0, n = 0, nblocks = 0;

    pairs_start(&p, b, a);
    for (; pairs_next(&p, &k, &vb, &va); n++) {
        at = tern_schema_attr(schema, k);
        if (n < 64)
            ats[n] = at;
        if (is_block(at)) {
            nblocks++;
            continue;
        }
        if (absent(in_block(vb)) && absent(in_block(va)))
            continue;
        nattrs++;
        if (strlen(k) > width)
            width = strlen(k);
    }
    pairs_start(&p, b, a);
    for (n = 0; pairs_next(&p, &k, &vb, &va); n++) {
        enum sym s;
        int sens;

        at = n < 64 ? ats[n] : tern_schema_attr(schema, k);
        vb = in_block(vb);
        va = in_block(va);
        if (is_block(at) || (absent(vb) && absent(va)))
            continue;
        s = sym_of(vb, va);
        if (s == S_SAME && !all_same_shown && !important(k)) {
            same++;
            continue;
        }
        /* cty moves a set element's mark to the set: a set with a
         * sensitive part is sensitive whole, as the state records it
         * (tern__value_sensitive_paths). */
        sens = at && ((at->flags & TERN_ATTR_SENSITIVE) ||
                      (at->type == TERN_TYPE_SET_STRING &&
                       (has_sens(vb) || has_sens(va))));
        cli_hcl_indent(r->out, col);
        put_sym(r->out, sym_text(r, s));
        put_padded(r->out, k, width);
        if (sens && !(absent(va) && s == S_DEL))
            tern_buf_puts(r->out, "(sensitive value)");
        else if (sens)
            tern_buf_puts(r->out, "(sensitive value) -> null");
        else {
            /* Any-value attributes go through upstream's JSON
             * renderer: object keys bare when identifiers. A set's
             * elements are matched, not aligned (differ/set.go). */
            r->set = at && at->type == TERN_TYPE_SET_STRING;
            value_lines(r, vb, va, col, !at || at->type == TERN_TYPE_MAP_STRING,
                        0);
        }
        if (s != S_SAME && c &&
            in_list(c->replace_paths, c->n_replace_paths, k))
            tern_buf_puts(r->out, " # forces replacement");
        tern_buf_putc(r->out, '\n');
    }
    hidden(r, col, same, "attribute");
    same = 0;
    pairs_start(&p, b, a);
    for (n = 0; nblocks > 0 && pairs_next(&p, &k, &vb, &va); n++) {
        at = n < 64 ? ats[n] : tern_schema_attr(schema, k);
        if (is_block(at) && !(no_blocks(vb) && no_blocks(va)))
            block_group(r, c, k, at, vb, va, col, all_same_shown, nattrs > 0,
                        &same);
    }
    if (same > 0) {
        tern_buf_putc(r->out, '\n');
        hidden(r, col, same, "block");
    }
}

static const char *header_text(const tern_change *c, int drift)
{
    if (drift)
        return c->action == TERN_ACTION_DELETE ? "has been deleted"
                                               : "has changed";
    switch (c->action) {
    case TERN_ACTION_CREATE:
        return c->import_id ? "will be imported" : "will be created";
    case TERN_ACTION_READ:
        return "will be read during apply";
    case TERN_ACTION_UPDATE:
        return "will be updated in-place";
    case TERN_ACTION_DELETE_THEN_CREATE:
    case TERN_ACTION_CREATE_THEN_DELETE:
        if (c->reason == TERN_REASON_REPLACE_REQUESTED)
            return "will be replaced, as requested";
        if (c->reason == TERN_REASON_TAINTED)
            return "is tainted, so must be replaced";
        return "must be replaced";
    case TERN_ACTION_DELETE:
        return "will be destroyed";
    case TERN_ACTION_FORGET:
        return "will no longer be managed by tern, but will not be destroyed";
    case TERN_ACTION_NOOP:
        break;
    }
    return c->import_id ? "will be imported" : "has no changes";
}

static const char *action_prefix(const struct pr *r, const tern_change *c,
                                 int drift)
{
    int color = r->ui && r->ui->color;

    if (drift)
        return c->action == TERN_ACTION_DELETE
                   ? (color ? "  \033[31m-\033[0m" : "  -")
                   : (color ? "  \033[33m~\033[0m" : "  ~");
    switch (c->action) {
    case TERN_ACTION_CREATE:
        return color ? "  \033[32m+\033[0m" : "  +";
    case TERN_ACTION_READ:
        return color ? " \033[36m<=\033[0m" : " <=";
    case TERN_ACTION_UPDATE:
        return color ? "  \033[33m~\033[0m" : "  ~";
    case TERN_ACTION_DELETE_THEN_CREATE:
        return color ? "\033[31m-\033[0m/\033[32m+\033[0m" : "-/+";
    case TERN_ACTION_CREATE_THEN_DELETE:
        return color ? "\033[32m+\033[0m/\033[31m-\033[0m" : "+/-";
    case TERN_ACTION_DELETE:
        return color ? "  \033[31m-\033[0m" : "  -";
    case TERN_ACTION_FORGET:
        return " .";
    case TERN_ACTION_NOOP:
        break;
    }
    return "   ";
}

static void reason_line(struct pr *r, const tern_change *c)
{
    const char *key;

    switch (c->reason) {
    case TERN_REASON_NO_CONFIG:
        tern_buf_printf(r->out, "  # (because %s is not in configuration)\n",
                        c->address);
        break;
    case TERN_REASON_COUNT_INDEX:
        key = strrchr(c->address, '[');
        tern_buf_printf(r->out,
                        "  # (because index %s is out of range for count)\n",
                        key ? key : "");
        break;
    case TERN_REASON_EACH_KEY:
        key = strrchr(c->address, '[');
        tern_buf_printf(r->out, "  # (because key %s is not in for_each map)\n",
                        key ? key : "");
        break;
    case TERN_REASON_READ_DEFERRED:
        tern_buf_puts(r->out, "  # (config refers to values not yet known)\n");
        break;
    case TERN_REASON_GONE:
        tern_buf_puts(r->out, "  # (it was deleted outside tern)\n");
        break;
    default:
        break;
    }
    if (c->import_id && c->action != TERN_ACTION_CREATE &&
        c->action != TERN_ACTION_NOOP)
        tern_buf_printf(r->out, "  # (imported from \"%s\")\n", c->import_id);
    if (c->adopted)
        tern_buf_puts(r->out, "  # (adopting the object an interrupted run "
                              "created)\n");
}

void cli_render_change(tern_buf *out, const struct cli_ui *ui,
                       const tern_change *c, int drift)
{
    struct pr r = {out, ui, 0, 0};
    const tern_module *m = tern_module_find(
        c->mode == TERN_STATE_DATA ? TERN_MODULE_DATA : TERN_MODULE_RESOURCE,
        c->type);
    const tern_value *before = c->before, *after = c->after;
    /* An import shows its unchanged attributes too (jsonformat/plan.go
     * renderHumanDiff: opts.ShowUnchangedChildren = diff.Importing()). */
    int show_all = c->action == TERN_ACTION_CREATE ||
                   c->action == TERN_ACTION_DELETE ||
                   c->action == TERN_ACTION_READ || c->import_id != NULL;

    char deposed[64] = "";

    if (drift && c->action == TERN_ACTION_DELETE)
        after = NULL;
    if (c->deposed)
        snprintf(deposed, sizeof(deposed), " (deposed object %s)", c->deposed);
    if (c->action == TERN_ACTION_FORGET && !drift) {
        /* jsonformat/plan.go resourceChangeComment: one space of indent,
         * and the body as it stands, unchanged attributes hidden. */
        tern_buf_printf(out,
                        " %s# %s%s will no longer be managed by tern, but "
                        "%swill not be destroyed%s\n"
                        " # (destroy = false is set in the configuration)\n"
                        " . %s \"%s\" \"%s\" {\n",
                        ui && ui->color ? "\033[1m" : "", c->address,
                        ui && ui->color ? "\033[0m" : "",
                        ui && ui->color ? "\033[1m\033[31m" : "",
                        ui && ui->color ? "\033[0m" : "",
                        c->mode == TERN_STATE_DATA ? "data" : "resource",
                        c->type, c->name);
        body_lines(&r, c, before, before, 6, m ? m->schema : NULL, 0);
        tern_buf_puts(out, "    }\n");
        return;
    }
    tern_buf_printf(out, "  %s# %s%s %s%s\n", ui && ui->color ? "\033[1m" : "",
                    c->address, deposed, header_text(c, drift),
                    ui && ui->color ? "\033[0m" : "");
    if (c->prev_address)
        tern_buf_printf(out, "  # (moved from %s)\n", c->prev_address);
    if (!drift)
        reason_line(&r, c);
    tern_buf_printf(out, "%s %s \"%s\" \"%s\" {\n", action_prefix(&r, c, drift),
                    c->mode == TERN_STATE_DATA ? "data" : "resource", c->type,
                    c->name);
    body_lines(&r, drift ? NULL : c, before, after, 6, m ? m->schema : NULL,
               show_all && !drift);
    tern_buf_puts(out, "    }\n");
}

void cli_render_summary(tern_buf *out, const struct cli_ui *ui,
                        const tern_summary *s, int destroy)
{
    const char *b = ui && ui->color ? "\033[1m" : "";
    const char *e = ui && ui->color ? "\033[0m" : "";

    tern_buf_printf(out, "%sPlan:%s ", b, e);
    if (s->import)
        tern_buf_printf(out, "%zu to import, ", s->import);
    tern_buf_printf(out, "%zu to add, %zu to change, %zu to destroy.\n", s->add,
                    s->change, s->destroy);
    (void)destroy;
}

/* The prior state's outputs as values, a sensitive one marked. */
static tern_value *prior_outputs(const json_t *prior)
{
    tern_value *old_outputs = tern_value_object_new();
    const char *k;
    json_t *o;

    if (!old_outputs)
        return NULL;
    json_object_foreach((json_t *)prior, k, o)
    {
        tern_value *v = tern_value_from_json(json_object_get(o, "value"));

        if (v && json_is_true(json_object_get(o, "sensitive")))
            v = tern_value_mark_sensitive(v);
        if (v)
            tern_value_object_set(old_outputs, k, v);
    }
    return old_outputs;
}

/*
 * "Changes to Outputs:" as jsonformat/plan.go renderHumanDiffOutputs
 * prints them: every output, planned or removed, in one order by name,
 * the names padded to the longest of them all (unchanged ones included,
 * as the plan's output changes hold every root output), each value
 * through upstream's JSON differ (differ/output.go): an object's keys
 * bare where they are identifiers, its unchanged members counted as
 * attributes but id, name and tags, and no " -> null" on a deleted
 * member (renderers/object.go).
 */
void cli_render_output_changes(tern_buf *out, const struct cli_ui *ui,
                               const tern_value *planned, const json_t *prior)
{
    struct pr r = {out, ui, 0, 0};
    tern_value *old_outputs = prior_outputs(prior);
    struct pairs p;
    const tern_value *ov, *rec;
    const char *name;
    size_t width = 0;
    int any = 0;

    if (!old_outputs) {
        out->oom = 1;
        return;
    }
    pairs_start(&p, old_outputs, planned);
    while (pairs_next(&p, &name, &ov, &rec))
        if (cli_hcl_key_width(name, 0) > width)
            width = cli_hcl_key_width(name, 0);
    pairs_start(&p, old_outputs, planned);
    while (pairs_next(&p, &name, &ov, &rec)) {
        const tern_value *nv = rec ? tern_value_object_get(rec, "value") : NULL;
        const tern_value *sens =
            rec ? tern_value_object_get(rec, "sensitive") : NULL;
        enum sym s = rec ? sym_of(ov, nv) : S_DEL;

        if (s == S_SAME)
            continue;
        if (!any++)
            tern_buf_puts(out, "\nChanges to Outputs:\n");
        tern_buf_puts(out, "  ");
        put_sym(out, sym_text(&r, s));
        cli_hcl_key(out, name, 0, width);
        tern_buf_puts(out, " = ");
        if ((sens && tern_value_get_bool(sens)) || has_sens(nv) || has_sens(ov))
            tern_buf_puts(out, s == S_DEL && absent(nv)
                                   ? "(sensitive value) -> null"
                                   : "(sensitive value)");
        else
            value_lines(&r, ov, nv, 2, 0, 0);
        tern_buf_putc(out, '\n');
    }
    tern_value_decref(old_outputs);
}

void cli_render_plan_legend(tern_buf *out, const struct cli_ui *ui,
                            unsigned int actions)
{
    struct pr r = {out, ui, 0, 0};
    int color = ui && ui->color;

    tern_buf_puts(out, "\ntern used the selected providers to generate the "
                       "following execution\nplan. Resource actions are "
                       "indicated with the following symbols:\n");
    if (actions & (1u << TERN_ACTION_CREATE))
        tern_buf_printf(out, "  %s create\n", sym_text(&r, S_ADD));
    if (actions & (1u << TERN_ACTION_UPDATE))
        tern_buf_printf(out, "  %s update in-place\n", sym_text(&r, S_UPD));
    if (actions & (1u << TERN_ACTION_DELETE))
        tern_buf_printf(out, "  %s destroy\n", sym_text(&r, S_DEL));
    if (actions & (1u << TERN_ACTION_DELETE_THEN_CREATE))
        tern_buf_printf(out, "%s destroy and then create replacement\n",
                        color ? "\033[31m-\033[0m/\033[32m+\033[0m" : "-/+");
    if (actions & (1u << TERN_ACTION_CREATE_THEN_DELETE))
        tern_buf_printf(out, "%s create replacement and then destroy\n",
                        color ? "\033[32m+\033[0m/\033[31m-\033[0m" : "+/-");
    if (actions & (1u << TERN_ACTION_READ))
        tern_buf_printf(out, " %s read (data resources)\n",
                        color ? "\033[36m<=\033[0m" : "<=");
}

void cli_render_value_diff(tern_buf *out, const tern_value *before,
                           const tern_value *after, int col)
{
    struct pr r = {out, NULL, 0, 0};

    value_lines(&r, before, after, col, 1, 0);
}
