/*
 * The canonical layout of HCL native syntax, as `terraform fmt` writes it.
 *
 * terraform fmt (hashicorp/terraform internal/command/fmt.go) parses a
 * file with hclwrite, rewrites a few things in its bodies, then prints it
 * through hclwrite's formatter (hashicorp/hcl hclwrite/format.go). Both
 * work on tokens, never on a syntax tree, so every comment and every byte
 * of every string stays; only the spaces between tokens change. We do the
 * same on tern's own lexer (tern__lex_tokens in parse.c), whose tokens are
 * hclsyntax's, except that spaces and comments lie in the gaps between
 * them: the comments are picked out of the gaps here, a `#` or `//`
 * comment together with the newline that ends it, as hclsyntax lexes it.
 *
 * The rewrites of fmt.go's formatBody, on the attributes and blocks of
 * bodies (never inside expressions):
 *  - block labels are quoted (`variable x` is `variable "x"`), and
 *    comments between them dropped, as hclwrite's SetLabels does;
 *  - an attribute whose value is one interpolation and nothing else
 *    (`"${var.x}"`) becomes the bare expression, wrapped in parentheses
 *    when it spans lines;
 *  - the `type` of a top-level `variable` block: `list`, `map` and `set`
 *    become `list(any)`...; the legacy `"string"`, `"list"` and `"map"`
 *    become `string`, `list(string)` and `map(string)`.
 *
 * Then hclwrite's three passes, line by line, where a line is split into
 * up to three cells: the lead, the assignment from `=` (when the rest of
 * the line closes every bracket it opens) and a trailing comment.
 *  1. Indentation: two spaces for each level of an indent stack that grows
 *     by one for each line opening more brackets than it closes (and
 *     remembers by how many), and shrinks as lines close them.
 *  2. Spaces between the tokens of a cell, by the rules of
 *     space_after() (hclwrite's spaceAfterToken).
 *  3. Alignment: the `=` of consecutive lines with an assignment cell, and
 *     the comments of consecutive lines with a comment cell, line up one
 *     space after the widest (in characters) of the run.
 * Blank lines stay as they are; spaces before a newline go. Heredocs are
 * one line to the formatter (their literal lines hold their newlines), so
 * their text and closing marker are never touched; the indentation pass
 * stops counting a lead cell's brackets at a heredoc's opener, as the
 * current hclwrite does (hcl v2, hclwrite/format.go).
 */
#include "lang/lang_int.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <string.h>

enum ft {
    F_NIL, /* hclwrite's placeholder before the first token of a cell */
    F_NL,
    F_COMMENT,
    F_IDENT,
    F_NUMBER,
    F_OQUOTE,
    F_CQUOTE,
    F_QLIT, /* a literal in a quoted template (TokenQuotedLit) */
    F_SLIT, /* a literal line of a heredoc (TokenStringLit) */
    F_OHEREDOC,
    F_CHEREDOC,
    F_INTERP,
    F_CONTROL,
    F_SEQEND,
    F_OBRACE,
    F_CBRACE,
    F_OBRACK,
    F_CBRACK,
    F_OPAREN,
    F_CPAREN,
    F_COMMA,
    F_DOT,
    F_ELLIPSIS,
    F_STAR,
    F_SLASH,
    F_PERCENT,
    F_PLUS,
    F_MINUS,
    F_BANG,
    F_EQUAL,
    F_EQOP,
    F_NE,
    F_LT,
    F_LE,
    F_GT,
    F_GE,
    F_AND,
    F_OR,
    F_QUESTION,
    F_COLON,
    F_ARROW,
    F_OTHER
};

struct ftok {
    enum ft type;
    const char *p;
    size_t len;
    size_t spaces; /* hclwrite's SpacesBefore */
};

struct fvec {
    struct ftok *v;
    size_t n, alloc;
    int oom;
};

static void push(struct fvec *f, enum ft type, const char *p, size_t len)
{
    if (f->oom)
        return;
    if (TERN_VEC_RESERVE(f->v, f->alloc, f->n + 1) != TERN_OK) {
        f->oom = 1;
        return;
    }
    f->v[f->n].type = type;
    f->v[f->n].p = p;
    f->v[f->n].len = len;
    f->v[f->n].spaces = 0;
    f->n++;
}

static void push_str(struct fvec *f, enum ft type, const char *s)
{
    push(f, type, s, strlen(s));
}

static int is_line_comment(const struct ftok *t)
{
    return t->type == F_COMMENT && t->len > 0 && t->p[t->len - 1] == '\n';
}

/* hclwrite's tokenIsNewline: a newline, or a comment that ends one. */
static int ends_line(const struct ftok *t)
{
    return t->type == F_NL || is_line_comment(t);
}

static int bracket_change(const struct ftok *t)
{
    switch (t->type) {
    case F_OBRACE:
    case F_OBRACK:
    case F_OPAREN:
    case F_CONTROL:
    case F_INTERP:
        return 1;
    case F_CBRACE:
    case F_CBRACK:
    case F_CPAREN:
    case F_SEQEND:
        return -1;
    default:
        return 0;
    }
}

static enum ft map_kind(enum tern__tok_kind k)
{
    static const enum ft map[] = {
        [TERN__TK_EOF] = F_OTHER,
        [TERN__TK_NL] = F_NL,
        [TERN__TK_IDENT] = F_IDENT,
        [TERN__TK_NUMBER] = F_NUMBER,
        [TERN__TK_OQUOTE] = F_OQUOTE,
        [TERN__TK_CQUOTE] = F_CQUOTE,
        [TERN__TK_OHEREDOC] = F_OHEREDOC,
        [TERN__TK_CHEREDOC] = F_CHEREDOC,
        [TERN__TK_LIT] = F_QLIT,
        [TERN__TK_INTERP] = F_INTERP,
        [TERN__TK_CONTROL] = F_CONTROL,
        [TERN__TK_SEQEND] = F_SEQEND,
        [TERN__TK_LBRACE] = F_OBRACE,
        [TERN__TK_RBRACE] = F_CBRACE,
        [TERN__TK_LBRACK] = F_OBRACK,
        [TERN__TK_RBRACK] = F_CBRACK,
        [TERN__TK_LPAREN] = F_OPAREN,
        [TERN__TK_RPAREN] = F_CPAREN,
        [TERN__TK_COMMA] = F_COMMA,
        [TERN__TK_DOT] = F_DOT,
        [TERN__TK_ELLIPSIS] = F_ELLIPSIS,
        [TERN__TK_STAR] = F_STAR,
        [TERN__TK_SLASH] = F_SLASH,
        [TERN__TK_PERCENT] = F_PERCENT,
        [TERN__TK_PLUS] = F_PLUS,
        [TERN__TK_MINUS] = F_MINUS,
        [TERN__TK_BANG] = F_BANG,
        [TERN__TK_EQ] = F_EQUAL,
        [TERN__TK_EQEQ] = F_EQOP,
        [TERN__TK_NE] = F_NE,
        [TERN__TK_LT] = F_LT,
        [TERN__TK_LE] = F_LE,
        [TERN__TK_GT] = F_GT,
        [TERN__TK_GE] = F_GE,
        [TERN__TK_AND] = F_AND,
        [TERN__TK_OR] = F_OR,
        [TERN__TK_QUESTION] = F_QUESTION,
        [TERN__TK_COLON] = F_COLON,
        [TERN__TK_ARROW] = F_ARROW,
        [TERN__TK_INVALID] = F_OTHER,
    };

    return (size_t)k < sizeof(map) / sizeof(map[0]) ? map[k] : F_OTHER;
}

/*
 * The comments in a gap between two tokens (spaces otherwise). A `#` or
 * `//` comment runs to the end of the gap, where the newline token is:
 * it takes that newline, as in hclsyntax (*skip_nl says so).
 */
static void gap_comments(struct fvec *f, const char *s, size_t from, size_t to,
                         int next_is_nl, size_t nl_end, int *skip_nl)
{
    size_t i = from;

    while (i < to) {
        char c = s[i];

        if (c == '#' || (c == '/' && i + 1 < to && s[i + 1] == '/')) {
            if (next_is_nl) {
                push(f, F_COMMENT, s + i, nl_end - i);
                *skip_nl = 1;
            } else {
                push(f, F_COMMENT, s + i, to - i);
            }
            return;
        }
        if (c == '/' && i + 1 < to && s[i + 1] == '*') {
            const char *end = strstr(s + i + 2, "*/");
            size_t e = end ? (size_t)(end - s) + 2 : to;

            if (e > to)
                e = to;
            push(f, F_COMMENT, s + i, e - i);
            i = e;
            continue;
        }
        i++;
    }
}

/* The tokens of @text, comments included, EOF left out. */
static int tokenize(const char *text, size_t len, struct fvec *f)
{
    struct tern__lex_token *toks = NULL;
    size_t n = 0, i, pos = 0;
    char stack[256];
    size_t depth = 0;
    int error;

    error = tern__lex_tokens(text, len, &toks, &n);
    if (error)
        return error;
    for (i = 0; i < n; i++) {
        const struct tern__lex_token *t = &toks[i];
        int skip_nl = 0;
        enum ft type = map_kind(t->kind);
        size_t start = t->start;

        /* A newline is "\r\n" or "\n" (hclsyntax's TokenNewline): the
         * lexer leaves the "\r" in the gap as a space. */
        if (t->kind == TERN__TK_NL && start > pos && text[start - 1] == '\r')
            start--;
        gap_comments(f, text, pos, start, t->kind == TERN__TK_NL, t->end,
                     &skip_nl);
        pos = t->end;
        if (t->kind == TERN__TK_EOF)
            break;
        if (skip_nl || t->end == t->start)
            continue;
        /* Literals: in quotes or in a heredoc? The lexer's modes nest. */
        switch (t->kind) {
        case TERN__TK_OQUOTE:
        case TERN__TK_OHEREDOC:
        case TERN__TK_INTERP:
        case TERN__TK_CONTROL:
            if (depth < sizeof(stack))
                stack[depth] = t->kind == TERN__TK_OQUOTE     ? 'q'
                               : t->kind == TERN__TK_OHEREDOC ? 'h'
                                                              : 'n';
            depth++;
            break;
        case TERN__TK_CQUOTE:
        case TERN__TK_CHEREDOC:
        case TERN__TK_SEQEND:
            if (depth > 0)
                depth--;
            break;
        case TERN__TK_LIT:
            if (depth > 0 && depth <= sizeof(stack) && stack[depth - 1] == 'h')
                type = F_SLIT;
            break;
        default:
            break;
        }
        push(f, type, text + start, t->end - start);
    }
    tern_free(toks);
    return f->oom ? TERN_ENOMEM : TERN_OK;
}

/* ---- terraform fmt's rewrites (fmt.go formatBody) ----------------------- */

struct rewriter {
    const struct fvec *in;
    struct fvec *out;
    size_t copied; /* in->v[0, copied) are in out */
};

static void copy_to(struct rewriter *r, size_t i)
{
    for (; r->copied < i; r->copied++)
        push(r->out, r->in->v[r->copied].type, r->in->v[r->copied].p,
             r->in->v[r->copied].len);
}

static int tok_is(const struct ftok *t, enum ft type, const char *s)
{
    return t->type == type && t->len == strlen(s) &&
           memcmp(t->p, s, t->len) == 0;
}

/* The end of the expression starting at @i: the newline (or line comment)
 * ending it, or the `}` closing a one-line block. */
static size_t expr_end(const struct fvec *f, size_t i)
{
    int depth = 0;

    for (; i < f->n; i++) {
        const struct ftok *t = &f->v[i];

        if (depth == 0 &&
            (t->type == F_NL || is_line_comment(t) || t->type == F_CBRACE))
            break;
        switch (t->type) {
        case F_OPAREN:
        case F_OBRACK:
        case F_OBRACE:
        case F_INTERP:
        case F_CONTROL:
        case F_OQUOTE:
        case F_OHEREDOC:
            depth++;
            break;
        case F_CPAREN:
        case F_CBRACK:
        case F_CBRACE:
        case F_SEQEND:
        case F_CQUOTE:
        case F_CHEREDOC:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
    }
    return i;
}

/* formatValueExpr: "${ expr }" alone is expr. Returns 1 when rewritten. */
static int value_expr(struct rewriter *r, size_t s, size_t e)
{
    const struct ftok *v = r->in->v;
    size_t i, ts, te;
    int quotes = 0, multi = 0;

    if (e - s < 5 || v[s].type != F_OQUOTE || v[s + 1].type != F_INTERP ||
        v[e - 2].type != F_SEQEND || v[e - 1].type != F_CQUOTE)
        return 0;
    for (i = s + 2; i < e - 2; i++) {
        if (v[i].type == F_OQUOTE) {
            quotes++;
            continue;
        }
        if (v[i].type == F_CQUOTE) {
            quotes--;
            continue;
        }
        if (quotes > 0)
            continue;
        if (v[i].type == F_INTERP || v[i].type == F_SEQEND ||
            v[i].type == F_QLIT)
            return 0;
    }
    ts = s + 2;
    te = e - 2;
    while (ts < te && v[ts].type == F_NL)
        ts++;
    while (te > ts && v[te - 1].type == F_NL)
        te--;
    for (i = ts; i < te; i++)
        if (v[i].type == F_NL)
            multi = 1;
    copy_to(r, s);
    if (multi &&
        !(te > ts && v[ts].type == F_OPAREN && v[te - 1].type == F_CPAREN)) {
        push_str(r->out, F_OPAREN, "(");
        r->copied = ts;
        copy_to(r, te);
        push_str(r->out, F_CPAREN, ")");
    } else {
        r->copied = ts;
        copy_to(r, te);
    }
    r->copied = e;
    return 1;
}

/* formatTypeExpr: the type of a variable, without legacy spellings. */
static void type_expr(struct rewriter *r, size_t s, size_t e)
{
    const struct ftok *v = r->in->v;
    const char *kw = NULL, *elem = NULL;

    if (e - s == 1 && v[s].type == F_IDENT) {
        if (tok_is(&v[s], F_IDENT, "list") || tok_is(&v[s], F_IDENT, "map") ||
            tok_is(&v[s], F_IDENT, "set"))
            elem = "any";
        else
            return;
        copy_to(r, e);
    } else if (e - s == 3 && v[s].type == F_OQUOTE &&
               v[s + 2].type == F_CQUOTE) {
        if (tok_is(&v[s + 1], F_QLIT, "string"))
            kw = "string";
        else if (tok_is(&v[s + 1], F_QLIT, "list"))
            kw = "list", elem = "string";
        else if (tok_is(&v[s + 1], F_QLIT, "map"))
            kw = "map", elem = "string";
        else
            return;
        copy_to(r, s);
        push_str(r->out, F_IDENT, kw);
        r->copied = e;
    } else {
        return;
    }
    if (elem) {
        push_str(r->out, F_OPAREN, "(");
        push_str(r->out, F_IDENT, elem);
        push_str(r->out, F_CPAREN, ")");
    }
}

/* A body's attributes and blocks, from @i to its closing brace or the end;
 * @in_variable: the body of a top-level variable block. */
static size_t rewrite_body(struct rewriter *r, size_t i, int level,
                           int in_variable)
{
    const struct fvec *f = r->in;

    while (i < f->n) {
        const struct ftok *t = &f->v[i];
        size_t j, k;

        if (t->type == F_CBRACE)
            return i;
        if (t->type != F_IDENT) {
            i++;
            continue;
        }
        j = i + 1;
        while (j < f->n && f->v[j].type == F_COMMENT &&
               !is_line_comment(&f->v[j]))
            j++;
        if (j < f->n && f->v[j].type == F_EQUAL) {
            size_t e = expr_end(f, j + 1);

            if (in_variable && tok_is(t, F_IDENT, "type"))
                type_expr(r, j + 1, e);
            else
                value_expr(r, j + 1, e);
            i = e;
            continue;
        }
        /* A block: its labels, quoted, up to the brace. */
        for (k = j; k < f->n && f->v[k].type != F_OBRACE; k++)
            if (f->v[k].type == F_NL || is_line_comment(&f->v[k]))
                break;
        if (k >= f->n || f->v[k].type != F_OBRACE) {
            i = k;
            continue;
        }
        copy_to(r, i + 1);
        for (j = i + 1; j < k; j++) {
            const struct ftok *l = &f->v[j];

            if (l->type == F_IDENT) {
                push_str(r->out, F_OQUOTE, "\"");
                push(r->out, F_QLIT, l->p, l->len);
                push_str(r->out, F_CQUOTE, "\"");
            } else if (l->type == F_OQUOTE || l->type == F_QLIT ||
                       l->type == F_CQUOTE) {
                push(r->out, l->type, l->p, l->len);
            }
        }
        r->copied = k;
        i = rewrite_body(r, k + 1, level + 1,
                         level == 0 && tok_is(t, F_IDENT, "variable"));
        if (i < f->n)
            i++;
    }
    return i;
}

/* ---- hclwrite's formatter (format.go) ----------------------------------- */

struct fline {
    size_t s, a, c, e; /* lead [s,a), assign [a,c), comment [c,e) */
};

/* The code point at @p (of @len bytes, valid UTF-8); *n its length. */
static unsigned long code_point(const unsigned char *p, size_t len, size_t *n)
{
    unsigned long cp = p[0];
    size_t k = 1, i;

    if (cp >= 0xF0)
        k = 4, cp &= 0x07;
    else if (cp >= 0xE0)
        k = 3, cp &= 0x0F;
    else if (cp >= 0xC0)
        k = 2, cp &= 0x1F;
    if (k > len)
        k = len;
    for (i = 1; i < k; i++)
        cp = (cp << 6) | (p[i] & 0x3F);
    *n = k;
    return cp;
}

/* Whether @cp continues the character before it rather than starting one
 * (combining marks, variation selectors, emoji modifiers and tags). */
static int extends(unsigned long cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
           (cp >= 0xE0020 && cp <= 0xE007F) ||
           (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0x200D;
}

/*
 * Tokens.Columns(): spaces plus characters as the reader sees them
 * (hclwrite counts grapheme clusters, so a flag of two regional
 * indicators is one). Clusters are approximated: a code point starts one
 * unless it extends the one before, follows a zero-width joiner, or is the
 * second regional indicator of a pair.
 */
static size_t columns(const struct ftok *v, size_t from, size_t to)
{
    size_t cols = 0, i, j, n;

    for (i = from; i < to; i++) {
        const unsigned char *p = (const unsigned char *)v[i].p;
        int after_zwj = 0, open_ri = 0;

        cols += v[i].spaces;
        for (j = 0; j < v[i].len; j += n) {
            unsigned long cp = code_point(p + j, v[i].len - j, &n);
            int ri = cp >= 0x1F1E6 && cp <= 0x1F1FF;

            if (!(after_zwj || extends(cp) || (ri && open_ri)))
                cols++;
            open_ri = ri && !open_ri;
            after_zwj = cp == 0x200D;
        }
    }
    return cols;
}

/* spaceAfterToken: whether @subject is followed by a space. */
static int space_after(const struct ftok *subject, const struct ftok *before,
                       const struct ftok *after)
{
    enum ft s = subject->type, a = after->type;

    if (a == F_NL || a == F_NIL)
        return 0;
    if (s == F_IDENT && a == F_OPAREN)
        return 0;
    if (s == F_DOT || a == F_DOT)
        return 0;
    if (a == F_COMMA || a == F_ELLIPSIS)
        return 0;
    if (s == F_COMMA)
        return 1;
    if (s == F_QLIT || s == F_SLIT || s == F_OQUOTE || s == F_OHEREDOC ||
        a == F_QLIT || a == F_SLIT || a == F_CQUOTE || a == F_CHEREDOC)
        return 0;
    if (tok_is(subject, F_IDENT, "in") && before->type == F_IDENT)
        return 1;
    if (a == F_OBRACK &&
        (s == F_IDENT || s == F_NUMBER || bracket_change(subject) < 0))
        return 0;
    if (s == F_BANG)
        return 0;
    if (s == F_MINUS) {
        switch (before->type) {
        case F_NIL:
        case F_OPAREN:
        case F_OBRACE:
        case F_OBRACK:
        case F_EQUAL:
        case F_COLON:
        case F_COMMA:
        case F_QUESTION:
        case F_PLUS:
        case F_STAR:
        case F_SLASH:
        case F_PERCENT:
        case F_MINUS:
        case F_EQOP:
        case F_NE:
        case F_GT:
        case F_GE:
        case F_LT:
        case F_LE:
        case F_AND:
        case F_OR:
        case F_BANG:
            return 0;
        default:
            return 1;
        }
    }
    if (s == F_OBRACE || a == F_CBRACE)
        return !(s == F_OBRACE && a == F_CBRACE);
    if ((s == F_INTERP || s == F_CONTROL) && a == F_OBRACE)
        return 1;
    if (s == F_CBRACE && a == F_SEQEND)
        return 1;
    if (s == F_SEQEND && (a == F_INTERP || a == F_CONTROL))
        return 0;
    if (bracket_change(subject) > 0)
        return 0;
    if (bracket_change(after) < 0)
        return 0;
    return 1;
}

static void space_cell(struct ftok *v, size_t from, size_t to)
{
    static const struct ftok nil = {F_NIL, "", 0, 0};
    size_t i;

    for (i = from; i + 1 < to; i++)
        v[i + 1].spaces =
            (size_t)space_after(&v[i], i > from ? &v[i - 1] : &nil, &v[i + 1]);
}

/* Net brackets of a cell; @heredoc_stop: only up to a heredoc's opener
 * (formatIndent does so for the lead cell, nowhere else). */
static int net_brackets(const struct ftok *v, size_t from, size_t to,
                        int heredoc_stop)
{
    int net = 0;
    size_t i;

    for (i = from; i < to; i++) {
        net += bracket_change(&v[i]);
        if (heredoc_stop && v[i].type == F_OHEREDOC)
            break;
    }
    return net;
}

static int format_tokens(struct fvec *f, tern_buf *out)
{
    struct ftok *v = f->v;
    struct fline *lines = NULL;
    size_t nlines = 0, i, start = 0, chain, maxcol;
    int *indents = NULL;
    size_t nind = 0, aind = 0;
    int error = TERN_OK;

    lines = tern_calloc(f->n + 1, sizeof(*lines));
    TERN_CHECK_ALLOC(lines);
    for (i = 0; i <= f->n; i++) {
        if (i == f->n || ends_line(&v[i])) {
            size_t e = i == f->n ? i : i + 1;

            if (e > start || i == f->n) {
                lines[nlines].s = start;
                lines[nlines].a = lines[nlines].c = lines[nlines].e = e;
                nlines++;
            }
            start = e;
        }
    }
    /* linesForFormat: the comment and assignment cells. */
    for (i = 0; i < nlines; i++) {
        struct fline *l = &lines[i];
        size_t j;

        if (l->e == l->s)
            continue;
        if (l->e - l->s > 1 && v[l->e - 1].type == F_COMMENT)
            l->a = l->c = l->e - 1;
        for (j = l->s + 1; j < l->c; j++) {
            if (v[j].type == F_EQUAL) {
                if (net_brackets(v, j, l->c, 0) == 0)
                    l->a = j;
                break;
            }
        }
    }
    /* formatIndent */
    for (i = 0; i < nlines; i++) {
        struct fline *l = &lines[i];
        int net;

        if (l->e == l->s)
            continue;
        if (v[l->s].type == F_NL) {
            v[l->s].spaces = 0;
            continue;
        }
        net = net_brackets(v, l->s, l->a, 1) + net_brackets(v, l->a, l->c, 0);
        v[l->s].spaces = 2 * nind;
        if (net > 0) {
            if (TERN_VEC_RESERVE(indents, aind, nind + 1) != TERN_OK) {
                error = TERN_ENOMEM;
                goto done;
            }
            indents[nind++] = net;
        } else if (net < 0) {
            int closed = -net;

            while (closed > 0 && nind > 0) {
                if (closed > indents[nind - 1]) {
                    closed -= indents[nind - 1];
                    nind--;
                } else if (closed < indents[nind - 1]) {
                    indents[nind - 1] -= closed;
                    closed = 0;
                } else {
                    nind--;
                    closed = 0;
                }
            }
            v[l->s].spaces = 2 * nind;
        }
    }
    /* formatSpaces */
    for (i = 0; i < nlines; i++) {
        struct fline *l = &lines[i];

        space_cell(v, l->s, l->a);
        if (l->a < l->c) {
            v[l->a].spaces = 1;
            space_cell(v, l->a, l->c);
        }
    }
    /* formatCells: the assignments, then the comments. */
    chain = (size_t)-1;
    maxcol = 0;
    for (i = 0; i <= nlines; i++) {
        size_t k;

        if (i < nlines && lines[i].a < lines[i].c) {
            size_t cols = columns(v, lines[i].s, lines[i].a);

            if (chain == (size_t)-1)
                chain = i;
            if (cols > maxcol)
                maxcol = cols;
            continue;
        }
        if (chain == (size_t)-1)
            continue;
        for (k = chain; k < i; k++)
            v[lines[k].a].spaces =
                maxcol - columns(v, lines[k].s, lines[k].a) + 1;
        chain = (size_t)-1;
        maxcol = 0;
    }
    for (i = 0; i <= nlines; i++) {
        size_t k;

        if (i < nlines && lines[i].c < lines[i].e) {
            size_t cols = columns(v, lines[i].s, lines[i].c);

            if (chain == (size_t)-1)
                chain = i;
            if (cols > maxcol)
                maxcol = cols;
            continue;
        }
        if (chain == (size_t)-1)
            continue;
        for (k = chain; k < i; k++)
            v[lines[k].c].spaces =
                maxcol - columns(v, lines[k].s, lines[k].c) + 1;
        chain = (size_t)-1;
        maxcol = 0;
    }
    for (i = 0; i < f->n; i++) {
        size_t k;

        for (k = 0; k < v[i].spaces; k++)
            tern_buf_putc(out, ' ');
        tern_buf_put(out, v[i].p, v[i].len);
    }
    if (tern_buf_oom(out))
        error = TERN_ENOMEM;
done:
    tern_free(lines);
    tern_free(indents);
    return error;
}

int tern_lang_fmt(struct tern_lang_sources *srcs, const char *name,
                  const char *text, size_t len, tern_buf *out,
                  struct tern_diags *diags)
{
    struct tern_lang_file *file = NULL;
    struct fvec toks = {NULL, 0, 0, 0}, rewritten = {NULL, 0, 0, 0};
    struct rewriter r;
    int error;

    error = tern_lang_parse_hcl(srcs, name, text, len, &file, diags);
    if (error)
        return error;
    error = tokenize(file->src, file->len, &toks);
    if (error)
        goto done;
    r.in = &toks;
    r.out = &rewritten;
    r.copied = 0;
    rewrite_body(&r, 0, 0, 0);
    copy_to(&r, toks.n);
    if (rewritten.oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    error = format_tokens(&rewritten, out);
done:
    tern_free(toks.v);
    tern_free(rewritten.v);
    return error;
}
