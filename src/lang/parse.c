/*
 * HCL native syntax: a lexer that turns the whole text into tokens, then a
 * recursive-descent parser over them (after hclsyntax's scanner/parser
 * split).
 *
 * The lexer keeps a stack of modes because the language nests: a quoted
 * string is a template, whose ${ ... } holds an expression, which may hold
 * another string. Normal mode counts braces so that the "}" closing an
 * interpolation is told from one closing an object. Lexing everything
 * first lets the parser look ahead freely and decide per construct whether
 * newlines matter: they end attributes and separate object items, and are
 * ignored inside parentheses, brackets, calls and interpolations (the
 * parser's newline-mode stack).
 *
 * Errors never stop the parse: the parser reports one, skips to the end of
 * the line (or of the enclosing block) and goes on, so one run reports
 * every error of a file.
 */
#include "lang/lang_int.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum tok {
    T_EOF,
    T_NL,
    T_IDENT,
    T_NUMBER,
    T_OQUOTE,
    T_CQUOTE,
    T_OHEREDOC,
    T_CHEREDOC,
    T_LIT,
    T_INTERP,
    T_CONTROL,
    T_SEQEND,
    T_LBRACE,
    T_RBRACE,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_DOT,
    T_ELLIPSIS,
    T_STAR,
    T_SLASH,
    T_PERCENT,
    T_PLUS,
    T_MINUS,
    T_BANG,
    T_EQ,
    T_EQEQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_AND,
    T_OR,
    T_QUESTION,
    T_COLON,
    T_ARROW,
    T_INVALID
};

struct token {
    enum tok type;
    size_t start, end; /* byte offsets in the lexed text */
    struct tern_pos spos, epos;
    unsigned frame;          /* the mode frame a literal belongs to */
    unsigned char strip;     /* ~ on an opening or closing sequence */
    unsigned char bol;       /* a heredoc literal at the start of a line */
    unsigned char synthetic; /* inserted after a lexical error */
};

enum mode_kind { M_NORMAL, M_QUOTED, M_HEREDOC, M_TEMPLATE };

struct mode {
    enum mode_kind kind;
    unsigned id;
    int depth;       /* normal: open braces */
    int in_template; /* normal: pushed by ${ or %{ */
    int bol;         /* heredoc/template: at the start of a line */
    const char *delim;
    size_t delim_len;
};

struct lexer {
    struct tern_lang_file *file;
    const char *s;
    size_t len, i;
    unsigned line, col;
    struct tern_pos base;
    struct token *toks;
    size_t ntoks, atoks;
    struct mode *modes;
    size_t nmodes, amodes;
    unsigned next_id;
    struct tern_diags *diags;
    int oom;
};

static struct tern_pos mkpos(const struct tern_pos *base, unsigned line,
                             unsigned col, size_t byte)
{
    struct tern_pos p;

    p.line = line + base->line - 1;
    p.column = line == 1 ? col + base->column - 1 : col;
    p.byte = byte + base->byte;
    return p;
}

static struct tern_pos lx_pos(const struct lexer *lx)
{
    return mkpos(&lx->base, lx->line, lx->col, lx->i);
}

static void lx_adv(struct lexer *lx, size_t n)
{
    while (n-- > 0 && lx->i < lx->len) {
        unsigned char c = (unsigned char)lx->s[lx->i++];

        if (c == '\n') {
            lx->line++;
            lx->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->col++;
        }
    }
}

static int lx_error(struct lexer *lx, struct tern_pos start,
                    struct tern_pos end, const char *summary,
                    const char *detail)
{
    struct tern_range r;

    r.file = lx->file->name;
    r.start = start;
    r.end = end;
    if (!tern_diags_add(lx->diags, TERN_SEV_ERROR, &r, summary, "%s", detail))
        lx->oom = 1;
    return 0;
}

static struct token *lx_emit(struct lexer *lx, enum tok type, size_t start,
                             struct tern_pos spos)
{
    struct token *t;

    if (TERN_VEC_RESERVE(lx->toks, lx->atoks, lx->ntoks + 1) != TERN_OK) {
        lx->oom = 1;
        return NULL;
    }
    t = &lx->toks[lx->ntoks++];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->start = start;
    t->end = lx->i;
    t->spos = spos;
    t->epos = lx_pos(lx);
    if (lx->nmodes)
        t->frame = lx->modes[lx->nmodes - 1].id;
    return t;
}

static struct mode *lx_push(struct lexer *lx, enum mode_kind kind)
{
    struct mode *m;

    if (TERN_VEC_RESERVE(lx->modes, lx->amodes, lx->nmodes + 1) != TERN_OK) {
        lx->oom = 1;
        return NULL;
    }
    m = &lx->modes[lx->nmodes++];
    memset(m, 0, sizeof(*m));
    m->kind = kind;
    m->id = ++lx->next_id;
    m->bol = 1;
    return m;
}

static int is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* One token in normal mode. */
static void lex_normal(struct lexer *lx, struct mode *m)
{
    const char *s = lx->s;
    size_t start = lx->i;
    struct tern_pos spos = lx_pos(lx);
    char c = s[lx->i], d = lx->i + 1 < lx->len ? s[lx->i + 1] : '\0';
    enum tok type = T_INVALID;
    size_t n = 1;

    switch (c) {
    case '\n':
        type = T_NL;
        break;
    case '{':
        m->depth++;
        type = T_LBRACE;
        break;
    case '}':
        if (m->depth == 0 && m->in_template) {
            lx_adv(lx, 1);
            lx_emit(lx, T_SEQEND, start, spos);
            lx->nmodes--;
            return;
        }
        if (m->depth > 0)
            m->depth--;
        type = T_RBRACE;
        break;
    case '~':
        if (d == '}' && m->depth == 0 && m->in_template) {
            struct token *t;

            lx_adv(lx, 2);
            t = lx_emit(lx, T_SEQEND, start, spos);
            if (t)
                t->strip = 1;
            lx->nmodes--;
            return;
        }
        break;
    case '[':
        type = T_LBRACK;
        break;
    case ']':
        type = T_RBRACK;
        break;
    case '(':
        type = T_LPAREN;
        break;
    case ')':
        type = T_RPAREN;
        break;
    case ',':
        type = T_COMMA;
        break;
    case '.':
        if (d == '.' && lx->i + 2 < lx->len && s[lx->i + 2] == '.') {
            type = T_ELLIPSIS;
            n = 3;
        } else {
            type = T_DOT;
        }
        break;
    case '*':
        type = T_STAR;
        break;
    case '/':
        type = T_SLASH;
        break;
    case '%':
        type = T_PERCENT;
        break;
    case '+':
        type = T_PLUS;
        break;
    case '-':
        type = T_MINUS;
        break;
    case '?':
        type = T_QUESTION;
        break;
    case ':':
        type = T_COLON;
        break;
    case '!':
        type = d == '=' ? T_NE : T_BANG;
        n = d == '=' ? 2 : 1;
        break;
    case '=':
        if (d == '=' || d == '>') {
            type = d == '=' ? T_EQEQ : T_ARROW;
            n = 2;
        } else {
            type = T_EQ;
        }
        break;
    case '<':
        type = d == '=' ? T_LE : T_LT;
        n = d == '=' ? 2 : 1;
        break;
    case '>':
        type = d == '=' ? T_GE : T_GT;
        n = d == '=' ? 2 : 1;
        break;
    case '&':
        if (d == '&') {
            type = T_AND;
            n = 2;
        }
        break;
    case '|':
        if (d == '|') {
            type = T_OR;
            n = 2;
        }
        break;
    default:
        break;
    }
    if (type == T_INVALID && c == '\'') {
        /* A single-quoted string: one error for all of it. */
        size_t j = lx->i + 1;

        while (j < lx->len && s[j] != '\'' && s[j] != '\n')
            j++;
        n = j < lx->len && s[j] == '\'' ? j + 1 - lx->i : 1;
    } else if (type == T_INVALID) {
        /* A whole UTF-8 character, so the error underlines it. */
        n = tern__utf8_next(s + lx->i, lx->len - lx->i);
    }
    lx_adv(lx, n);
    if (type == T_INVALID)
        lx_error(lx, spos, lx_pos(lx), "Invalid character",
                 c == '\'' ? "Single quotes are not valid. Use double quotes "
                             "(\") to enclose strings."
                           : "This character is not used within the "
                             "language.");
    lx_emit(lx, type, start, spos);
}

/* Scan a heredoc opener "<<EOT" or "<<-EOT" up to its newline. */
static void lex_heredoc_open(struct lexer *lx)
{
    size_t start = lx->i, id;
    struct tern_pos spos = lx_pos(lx);
    struct token *t;
    struct mode *m;
    const char *s = lx->s;

    lx_adv(lx, 2);
    if (lx->i < lx->len && s[lx->i] == '-')
        lx_adv(lx, 1);
    id = lx->i;
    while (lx->i < lx->len && is_ident_char((unsigned char)s[lx->i]))
        lx_adv(lx, 1);
    if (lx->i == id ||
        (lx->i < lx->len && s[lx->i] != '\n' &&
         !(s[lx->i] == '\r' && lx->i + 1 < lx->len && s[lx->i + 1] == '\n'))) {
        lx_error(lx, spos, lx_pos(lx), "Invalid heredoc marker",
                 "A heredoc marker is \"<<\" or \"<<-\" followed by an "
                 "identifier, then a newline.");
        return;
    }
    m = lx_push(lx, M_HEREDOC);
    if (!m)
        return;
    m->delim = s + id;
    m->delim_len = lx->i - id;
    if (s[lx->i] == '\r')
        lx_adv(lx, 1);
    lx_adv(lx, 1); /* the newline */
    t = lx_emit(lx, T_OHEREDOC, start, spos);
    if (t)
        t->frame = m->id;
}

/* One token in a template mode (quoted, heredoc, whole text). */
static void lex_template(struct lexer *lx, struct mode *m)
{
    const char *s = lx->s;
    size_t start = lx->i;
    struct tern_pos spos = lx_pos(lx);
    struct token *t;
    int bol = m->bol;

    if (m->kind == M_HEREDOC && m->bol) {
        /* Is this line the closing marker? */
        size_t j = lx->i;

        while (j < lx->len && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (lx->len - j >= m->delim_len &&
            memcmp(s + j, m->delim, m->delim_len) == 0 &&
            (j + m->delim_len == lx->len || s[j + m->delim_len] == '\n' ||
             s[j + m->delim_len] == '\r')) {
            lx_adv(lx, j + m->delim_len - lx->i);
            lx_emit(lx, T_CHEREDOC, start, spos);
            lx->nmodes--;
            return;
        }
    }
    if (lx->i >= lx->len) {
        if (m->kind == M_QUOTED) {
            lx_error(lx, spos, spos, "Unterminated template string",
                     "No closing marker was found for the string.");
            t = lx_emit(lx, T_CQUOTE, start, spos);
        } else if (m->kind == M_HEREDOC) {
            lx_error(lx, spos, spos, "Unterminated template string",
                     "No closing marker was found for the heredoc.");
            t = lx_emit(lx, T_CHEREDOC, start, spos);
        } else {
            t = NULL;
        }
        if (t)
            t->synthetic = 1;
        lx->nmodes--;
        return;
    }
    if (m->kind == M_QUOTED && s[lx->i] == '"') {
        lx_adv(lx, 1);
        lx_emit(lx, T_CQUOTE, start, spos);
        lx->nmodes--;
        return;
    }
    if ((s[lx->i] == '$' || s[lx->i] == '%') && lx->i + 1 < lx->len &&
        s[lx->i + 1] == '{') {
        enum tok type = s[lx->i] == '$' ? T_INTERP : T_CONTROL;
        int strip = lx->i + 2 < lx->len && s[lx->i + 2] == '~';
        struct mode *n;

        lx_adv(lx, strip ? 3 : 2);
        t = lx_emit(lx, type, start, spos);
        if (t)
            t->strip = (unsigned char)strip;
        m->bol = 0;
        n = lx_push(lx, M_NORMAL);
        if (n)
            n->in_template = 1;
        return;
    }
    if (m->kind == M_QUOTED && s[lx->i] == '\n') {
        lx_error(lx, spos, spos, "Unterminated template string",
                 "No closing marker was found for the string.");
        t = lx_emit(lx, T_CQUOTE, start, spos);
        if (t)
            t->synthetic = 1;
        lx->nmodes--;
        return;
    }
    /* A literal run. */
    while (lx->i < lx->len) {
        char c = s[lx->i];

        if (c == '\n') {
            if (m->kind == M_QUOTED)
                break;
            lx_adv(lx, 1);
            m->bol = 1;
            break;
        }
        if (m->kind == M_QUOTED && c == '"')
            break;
        if (m->kind == M_QUOTED && c == '\\' && lx->i + 1 < lx->len &&
            s[lx->i + 1] != '\n') {
            lx_adv(lx, 2);
            continue;
        }
        if ((c == '$' || c == '%') && lx->i + 1 < lx->len) {
            if (s[lx->i + 1] == '{')
                break;
            if (s[lx->i + 1] == c && lx->i + 2 < lx->len &&
                s[lx->i + 2] == '{') {
                lx_adv(lx, 3); /* $${ is a literal ${ */
                continue;
            }
        }
        lx_adv(lx, 1);
        m->bol = 0;
    }
    t = lx_emit(lx, T_LIT, start, spos);
    if (t)
        t->bol = (unsigned char)bol;
}

static void lex_all(struct lexer *lx, int as_template)
{
    struct mode *m = lx_push(lx, as_template ? M_TEMPLATE : M_NORMAL);

    while (!lx->oom && m) {
        m = &lx->modes[lx->nmodes - 1];
        if (m->kind != M_NORMAL) {
            if (m->kind == M_TEMPLATE && lx->i >= lx->len)
                break;
            lex_template(lx, m);
            continue;
        }
        /* Skip spaces and comments. */
        while (lx->i < lx->len) {
            char c = lx->s[lx->i];
            char d = lx->i + 1 < lx->len ? lx->s[lx->i + 1] : '\0';

            if (c == ' ' || c == '\t' || c == '\r') {
                lx_adv(lx, 1);
            } else if (c == '#' || (c == '/' && d == '/')) {
                while (lx->i < lx->len && lx->s[lx->i] != '\n')
                    lx_adv(lx, 1);
            } else if (c == '/' && d == '*') {
                struct tern_pos spos = lx_pos(lx);
                const char *end = strstr(lx->s + lx->i + 2, "*/");

                if (!end) {
                    lx_adv(lx, lx->len - lx->i);
                    lx_error(lx, spos, lx_pos(lx), "Unterminated comment",
                             "There is no closing \"*/\" for this comment.");
                } else {
                    lx_adv(lx, (size_t)(end - (lx->s + lx->i)) + 2);
                }
            } else {
                break;
            }
        }
        if (lx->i >= lx->len)
            break;
        {
            unsigned char c = (unsigned char)lx->s[lx->i];
            size_t start = lx->i;
            struct tern_pos spos = lx_pos(lx);

            if (is_digit((char)c)) {
                while (lx->i < lx->len && is_digit(lx->s[lx->i]))
                    lx_adv(lx, 1);
                if (lx->i + 1 < lx->len && lx->s[lx->i] == '.' &&
                    is_digit(lx->s[lx->i + 1])) {
                    lx_adv(lx, 1);
                    while (lx->i < lx->len && is_digit(lx->s[lx->i]))
                        lx_adv(lx, 1);
                }
                if (lx->i < lx->len &&
                    (lx->s[lx->i] == 'e' || lx->s[lx->i] == 'E')) {
                    size_t j = lx->i + 1;

                    if (j < lx->len && (lx->s[j] == '+' || lx->s[j] == '-'))
                        j++;
                    if (j < lx->len && is_digit(lx->s[j])) {
                        lx_adv(lx, j - lx->i);
                        while (lx->i < lx->len && is_digit(lx->s[lx->i]))
                            lx_adv(lx, 1);
                    }
                }
                lx_emit(lx, T_NUMBER, start, spos);
            } else if (is_ident_start(c)) {
                while (lx->i < lx->len &&
                       is_ident_char((unsigned char)lx->s[lx->i]))
                    lx_adv(lx, 1);
                lx_emit(lx, T_IDENT, start, spos);
            } else if (c == '"') {
                lx_adv(lx, 1);
                lx_emit(lx, T_OQUOTE, start, spos);
                lx_push(lx, M_QUOTED);
            } else if (c == '<' && lx->i + 1 < lx->len &&
                       lx->s[lx->i + 1] == '<') {
                lex_heredoc_open(lx);
            } else {
                lex_normal(lx, m);
            }
        }
    }
    /* Close whatever is still open: the parser reports what is missing. */
    {
        struct tern_pos p = lx_pos(lx);

        while (lx->nmodes > 1 && !lx->oom) {
            m = &lx->modes[lx->nmodes - 1];
            if (m->kind == M_QUOTED || m->kind == M_HEREDOC) {
                lex_template(lx, m); /* reports and pops */
            } else {
                lx->nmodes--;
            }
        }
        lx->nmodes = 0;
        lx_emit(lx, T_EOF, lx->i, p);
    }
}

/* ---- Parser ------------------------------------------------------------ */

struct parser {
    struct tern_lang_file *file;
    struct tern_arena *arena;
    const char *s;
    struct token *toks;
    size_t ntoks, pos;
    struct tern_diags *diags;
    unsigned char nl_stack[256];
    size_t nl_depth; /* beyond 256 levels the top repeats */
    int oom;
    int strip_next; /* the last sequence closed with ~} */
    int depth;      /* expression and block nesting */
    int deep_reported;
    struct tern_pos last_end;
};

struct pvec {
    void **items;
    size_t n, alloc;
};

static int pvec_push(struct parser *p, struct pvec *v, void *item)
{
    if (TERN_VEC_RESERVE(v->items, v->alloc, v->n + 1) != TERN_OK) {
        p->oom = 1;
        return -1;
    }
    v->items[v->n++] = item;
    return 0;
}

/* Copy into the arena and free the vector. */
static void **pvec_finish(struct parser *p, struct pvec *v)
{
    void **out =
        tern__arena_alloc(p->arena, (v->n ? v->n : 1) * sizeof(void *));

    if (!out)
        p->oom = 1;
    else if (v->n)
        memcpy(out, v->items, v->n * sizeof(void *));
    tern_free(v->items);
    v->items = NULL;
    v->n = v->alloc = 0;
    return out;
}

static void nl_push(struct parser *p, int include)
{
    if (p->nl_depth < sizeof(p->nl_stack))
        p->nl_stack[p->nl_depth] = (unsigned char)include;
    p->nl_depth++;
}

static void nl_pop(struct parser *p)
{
    if (p->nl_depth > 0)
        p->nl_depth--;
}

static int nl_included(const struct parser *p)
{
    size_t d = p->nl_depth;

    if (d == 0)
        return 1;
    if (d > sizeof(p->nl_stack))
        d = sizeof(p->nl_stack);
    return p->nl_stack[d - 1];
}

static const struct token *peek(struct parser *p)
{
    if (!nl_included(p))
        while (p->toks[p->pos].type == T_NL)
            p->pos++;
    return &p->toks[p->pos];
}

static const struct token *next(struct parser *p)
{
    const struct token *t = peek(p);

    if (t->type != T_EOF)
        p->pos++;
    p->last_end = t->epos;
    return t;
}

static struct tern_range tok_range(const struct parser *p,
                                   const struct token *t)
{
    struct tern_range r;

    r.file = p->file->name;
    r.start = t->spos;
    r.end = t->epos;
    return r;
}

static struct tern_range span(const struct parser *p, struct tern_pos start)
{
    struct tern_range r;

    r.file = p->file->name;
    r.start = start;
    r.end = p->last_end;
    return r;
}

static void perr(struct parser *p, const struct tern_range *r,
                 const char *summary, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void perr(struct parser *p, const struct tern_range *r,
                 const char *summary, const char *fmt, ...)
{
    char detail[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (!tern_diags_add(p->diags, TERN_SEV_ERROR, r, summary, "%s", detail))
        p->oom = 1;
}

static void perr_tok(struct parser *p, const struct token *t,
                     const char *summary, const char *detail)
{
    struct tern_range r = tok_range(p, t);

    /* The lexer has reported this token already. */
    if (t->type == T_INVALID)
        return;
    perr(p, &r, summary, "%s", detail);
}

static int tok_is(const struct parser *p, const struct token *t,
                  const char *word)
{
    size_t n = strlen(word);

    return t->type == T_IDENT && t->end - t->start == n &&
           memcmp(p->s + t->start, word, n) == 0;
}

static const char *tok_str(struct parser *p, const struct token *t)
{
    const char *s =
        tern__arena_strndup(p->arena, p->s + t->start, t->end - t->start);

    if (!s)
        p->oom = 1;
    return s;
}

static struct tern_expr *new_expr(struct parser *p, enum tern_expr_kind kind,
                                  struct tern_range r)
{
    struct tern_expr *e = tern__arena_alloc(p->arena, sizeof(*e));

    if (!e) {
        p->oom = 1;
        return NULL;
    }
    e->kind = kind;
    e->range = r;
    return e;
}

static struct tern_expr *new_literal(struct parser *p, tern_value *v,
                                     struct tern_range r)
{
    struct tern_expr *e;

    v = tern__arena_value(p->arena, v);
    if (!v) {
        p->oom = 1;
        return NULL;
    }
    e = new_expr(p, TERN_EXPR_LITERAL, r);
    if (e)
        e->u.literal = v;
    return e;
}

static struct tern_expr *parse_expr(struct parser *p);
static int too_deep(struct parser *p);
static struct tern_expr *parse_template_body(struct parser *p,
                                             enum tok end_type,
                                             struct tern_pos start,
                                             unsigned heredoc_frame, int flush);

/* Skip to the end of the line, or to a "}" closing the enclosing block. */
static void recover(struct parser *p)
{
    int depth = 0;

    for (;;) {
        const struct token *t = &p->toks[p->pos];

        switch (t->type) {
        case T_EOF:
            return;
        case T_NL:
            if (depth == 0)
                return;
            break;
        case T_LBRACE:
        case T_LBRACK:
        case T_LPAREN:
        case T_OQUOTE:
        case T_OHEREDOC:
        case T_INTERP:
        case T_CONTROL:
            depth++;
            break;
        case T_RBRACE:
            if (depth == 0)
                return;
            depth--;
            break;
        case T_RBRACK:
        case T_RPAREN:
        case T_CQUOTE:
        case T_CHEREDOC:
        case T_SEQEND:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
        p->pos++;
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

static void put_utf8(tern_buf *b, unsigned long cp)
{
    if (cp < 0x80) {
        tern_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        tern_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        tern_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        tern_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        tern_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        tern_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        tern_buf_putc(b, (char)(0xF0 | (cp >> 18)));
        tern_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        tern_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        tern_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Decode a literal token: escapes in quoted strings; $${ and %%{ always. */
static void decode_literal(struct parser *p, const struct token *t, int quoted,
                           size_t skip, tern_buf *b)
{
    const char *s = p->s + t->start + skip;
    size_t n = t->end - t->start - skip, i;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if ((c == '$' || c == '%') && i + 2 < n && s[i + 1] == c &&
            s[i + 2] == '{') {
            tern_buf_putc(b, c);
            tern_buf_putc(b, '{');
            i += 2;
            continue;
        }
        if (c != '\\' || !quoted || i + 1 >= n) {
            tern_buf_putc(b, c);
            continue;
        }
        c = s[++i];
        switch (c) {
        case 'n':
            tern_buf_putc(b, '\n');
            break;
        case 'r':
            tern_buf_putc(b, '\r');
            break;
        case 't':
            tern_buf_putc(b, '\t');
            break;
        case '"':
        case '\\':
            tern_buf_putc(b, c);
            break;
        case 'u':
        case 'U': {
            size_t want = c == 'u' ? 4 : 8, k;
            unsigned long cp = 0;

            for (k = 0; k < want && i + 1 + k < n; k++) {
                int h = hexval(s[i + 1 + k]);

                if (h < 0)
                    break;
                cp = cp * 16 + (unsigned long)h;
            }
            if (k == want && cp <= 0x10FFFF) {
                put_utf8(b, cp);
                i += want;
                break;
            }
        }
            /* fall through */
        default: {
            struct tern_range r = tok_range(p, t);

            perr(p, &r, "Invalid escape sequence",
                 "The symbol \"%c\" is not a valid escape sequence "
                 "selector.",
                 c);
            tern_buf_putc(b, c);
            break;
        }
        }
    }
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Remove trailing whitespace from the literal parts at the end (a line
 * break and the next line's indentation are separate literals). */
static void strip_last(struct parser *p, struct pvec *parts)
{
    size_t i = parts->n;

    while (i > 0) {
        struct tern_expr *last = parts->items[i - 1];
        const char *s;
        size_t n;

        if (last->kind != TERN_EXPR_LITERAL ||
            tern_value_kind(last->u.literal) != TERN_VAL_STRING)
            return;
        s = tern_value_get_string(last->u.literal);
        n = tern_value_string_len(last->u.literal);
        while (n > 0 && is_space(s[n - 1]))
            n--;
        last->u.literal = tern__arena_value(p->arena, tern_value_stringn(s, n));
        if (!last->u.literal) {
            p->oom = 1;
            return;
        }
        if (n > 0)
            return;
        i--;
    }
}

/* Count a heredoc line's indentation, for <<- (tabs count as one). */
static size_t line_indent(const struct parser *p, const struct token *t)
{
    size_t i = t->start, n = 0;

    while (i < t->end && (p->s[i] == ' ' || p->s[i] == '\t')) {
        i++;
        n++;
    }
    return n;
}

static size_t flush_indent(const struct parser *p, unsigned frame)
{
    size_t i, min = SIZE_MAX;

    for (i = p->pos; i < p->ntoks; i++) {
        const struct token *t = &p->toks[i];

        if (t->type == T_CHEREDOC && t->frame != frame)
            continue;
        if (t->type == T_CHEREDOC)
            break;
        if (t->type == T_LIT && t->frame == frame && t->bol) {
            size_t ind = line_indent(p, t);
            size_t len = t->end - t->start;

            /* Blank lines do not count. */
            if (len > 0 && p->s[t->end - 1] == '\n' &&
                (ind + 1 == len ||
                 (ind + 2 == len && p->s[t->end - 2] == '\r')))
                continue;
            if (ind < min)
                min = ind;
        }
    }
    return min == SIZE_MAX ? 0 : min;
}

static struct tern_expr *parse_directive(struct parser *p, struct pvec *outer,
                                         enum tok end_type, size_t flush,
                                         unsigned frame, int flushing);

/*
 * Template parts up to (not including) @end_type or a %{else|endif|endfor}.
 * Appends to @parts.
 */
static void parse_template_parts(struct parser *p, struct pvec *parts,
                                 enum tok end_type, unsigned frame,
                                 size_t flush, int flushing)
{
    for (;;) {
        const struct token *t = &p->toks[p->pos];
        struct tern_expr *e = NULL;

        if (p->oom || t->type == end_type || t->type == T_EOF)
            return;
        if (t->type == T_LIT) {
            tern_buf b = TERN_BUF_INIT;
            size_t skip = 0;
            const char *s;
            size_t n;

            if (flushing && t->bol && t->frame == frame) {
                skip = line_indent(p, t);
                if (skip > flush)
                    skip = flush;
            }
            decode_literal(p, t, end_type == T_CQUOTE, skip, &b);
            s = tern_buf_cstr(&b);
            n = b.len;
            if (p->strip_next) {
                while (n > 0 && is_space(*s)) {
                    s++;
                    n--;
                }
                /* Stripping goes on into the next literal while this one
                 * was all space. */
                p->strip_next = n == 0;
            }
            if (tern_buf_oom(&b))
                p->oom = 1;
            else
                e = new_literal(p, tern_value_stringn(s, n), tok_range(p, t));
            tern_buf_release(&b);
            p->pos++;
            p->last_end = t->epos;
        } else if (t->type == T_INTERP) {
            const struct token *c;

            if (t->strip)
                strip_last(p, parts);
            p->strip_next = 0;
            p->pos++;
            nl_push(p, 0);
            e = parse_expr(p);
            c = peek(p);
            nl_pop(p);
            if (c->type != T_SEQEND) {
                if (e)
                    perr_tok(p, c,
                             "Extra characters after interpolation "
                             "expression",
                             "Expected a closing brace to end the "
                             "interpolation expression, but found extra "
                             "characters.");
                /* Skip to the closing brace of the interpolation. */
                while (p->toks[p->pos].type != T_SEQEND &&
                       p->toks[p->pos].type != T_EOF &&
                       p->toks[p->pos].type != end_type)
                    p->pos++;
                if (p->toks[p->pos].type == T_SEQEND)
                    p->pos++;
                e = NULL;
            } else {
                next(p);
                p->strip_next = c->strip;
            }
        } else if (t->type == T_CONTROL) {
            const struct token *w = &p->toks[p->pos + 1];

            if (tok_is(p, w, "else") || tok_is(p, w, "endif") ||
                tok_is(p, w, "endfor"))
                return;
            e = parse_directive(p, parts, end_type, flush, frame, flushing);
        } else {
            /* Cannot happen: the lexer emits only these in templates. */
            p->pos++;
            continue;
        }
        if (e)
            pvec_push(p, parts, e);
    }
}

static struct tern_expr *make_template(struct parser *p, struct pvec *parts,
                                       struct tern_pos start)
{
    struct tern_expr *e = new_expr(p, TERN_EXPR_TEMPLATE, span(p, start));
    size_t n = parts->n;
    void **items = pvec_finish(p, parts);

    if (!e || !items)
        return NULL;
    e->u.list.items = (struct tern_expr **)items;
    e->u.list.n = n;
    return e;
}

/* Expect "%{ word ~}" and consume it. */
static int expect_control(struct parser *p, const char *word)
{
    const struct token *t = &p->toks[p->pos];
    const struct token *w = &p->toks[p->pos + 1];

    if (t->type != T_CONTROL || !tok_is(p, w, word)) {
        char detail[128];

        snprintf(detail, sizeof(detail),
                 "Expected a %%{%s} directive to close this one.", word);
        perr_tok(p, t, "Unterminated template directive", detail);
        return -1;
    }
    if (t->strip)
        p->strip_next = 0;
    p->pos += 2;
    if (p->toks[p->pos].type != T_SEQEND) {
        perr_tok(p, &p->toks[p->pos], "Invalid template directive",
                 "Expected a closing brace after the directive keyword.");
        return -1;
    }
    p->strip_next = p->toks[p->pos].strip;
    p->last_end = p->toks[p->pos].epos;
    p->pos++;
    return 0;
}

/* Strip the branch's trailing space if the next directive opens with ~. */
static void strip_before_control(struct parser *p, struct pvec *parts)
{
    if (p->toks[p->pos].type == T_CONTROL && p->toks[p->pos].strip)
        strip_last(p, parts);
}

static struct tern_expr *parse_directive(struct parser *p, struct pvec *outer,
                                         enum tok end_type, size_t flush,
                                         unsigned frame, int flushing)
{
    const struct token *open = &p->toks[p->pos];
    const struct token *w = &p->toks[p->pos + 1];
    struct tern_pos start = open->spos;
    struct tern_expr *e = NULL;
    struct pvec parts = {0};

    if (open->strip)
        strip_last(p, outer);
    p->strip_next = 0;
    if (tok_is(p, w, "if")) {
        struct tern_expr *cond, *then_, *else_ = NULL;
        struct tern_pos tstart;

        p->pos += 2;
        nl_push(p, 0);
        cond = parse_expr(p);
        nl_pop(p);
        if (!cond || p->toks[p->pos].type != T_SEQEND) {
            if (cond)
                perr_tok(p, &p->toks[p->pos], "Invalid template directive",
                         "Expected a closing brace after the condition.");
            return NULL;
        }
        p->strip_next = p->toks[p->pos].strip;
        p->pos++;
        tstart = p->toks[p->pos].spos;
        parse_template_parts(p, &parts, end_type, frame, flush, flushing);
        strip_before_control(p, &parts);
        then_ = make_template(p, &parts, tstart);
        if (p->toks[p->pos].type == T_CONTROL &&
            tok_is(p, &p->toks[p->pos + 1], "else")) {
            expect_control(p, "else");
            tstart = p->toks[p->pos].spos;
            parse_template_parts(p, &parts, end_type, frame, flush, flushing);
            strip_before_control(p, &parts);
            else_ = make_template(p, &parts, tstart);
        }
        if (expect_control(p, "endif"))
            return NULL;
        e = new_expr(p, TERN_EXPR_TPL_IF, span(p, start));
        if (!e)
            return NULL;
        e->u.cond.cond = cond;
        e->u.cond.then_ = then_;
        e->u.cond.else_ = else_;
        return e;
    }
    if (tok_is(p, w, "for")) {
        const struct token *a, *b = NULL;
        struct tern_expr *coll, *body;
        struct tern_pos tstart;

        p->pos += 2;
        nl_push(p, 0);
        a = next(p);
        if (peek(p)->type == T_COMMA) {
            next(p);
            b = next(p);
        }
        if (a->type != T_IDENT || (b && b->type != T_IDENT) ||
            !tok_is(p, peek(p), "in")) {
            nl_pop(p);
            perr_tok(p, a, "Invalid template directive",
                     "A for directive is \"%{for name in collection}\" or "
                     "\"%{for key, value in collection}\".");
            return NULL;
        }
        next(p);
        coll = parse_expr(p);
        nl_pop(p);
        if (!coll || p->toks[p->pos].type != T_SEQEND) {
            if (coll)
                perr_tok(p, &p->toks[p->pos], "Invalid template directive",
                         "Expected a closing brace after the collection.");
            return NULL;
        }
        p->strip_next = p->toks[p->pos].strip;
        p->pos++;
        tstart = p->toks[p->pos].spos;
        parse_template_parts(p, &parts, end_type, frame, flush, flushing);
        strip_before_control(p, &parts);
        body = make_template(p, &parts, tstart);
        if (expect_control(p, "endfor"))
            return NULL;
        e = new_expr(p, TERN_EXPR_TPL_FOR, span(p, start));
        if (!e)
            return NULL;
        e->u.for_.key_var = b ? tok_str(p, a) : NULL;
        e->u.for_.val_var = tok_str(p, b ? b : a);
        e->u.for_.coll = coll;
        e->u.for_.val = body;
        return e;
    }
    perr_tok(p, w, "Invalid template directive",
             "A template directive keyword (\"if\", \"for\", etc) is "
             "expected at the beginning of a %{ sequence.");
    while (p->toks[p->pos].type != T_SEQEND && p->toks[p->pos].type != T_EOF)
        p->pos++;
    if (p->toks[p->pos].type == T_SEQEND)
        p->pos++;
    return NULL;
}

/*
 * The body of a quoted string or heredoc, up to and including @end_type.
 */
static struct tern_expr *parse_template_body(struct parser *p,
                                             enum tok end_type,
                                             struct tern_pos start,
                                             unsigned frame, int flush)
{
    struct pvec parts = {0};
    size_t indent = flush ? flush_indent(p, frame) : 0;
    const struct token *t;

    p->strip_next = 0;
    for (;;) {
        parse_template_parts(p, &parts, end_type, frame, indent, flush);
        t = &p->toks[p->pos];
        if (t->type != T_CONTROL || p->oom)
            break;
        /* A stray %{else}, %{endif} or %{endfor}. */
        perr_tok(p, &p->toks[p->pos + 1], "Unexpected template directive",
                 "This directive has no matching opening directive.");
        while (p->toks[p->pos].type != T_SEQEND &&
               p->toks[p->pos].type != T_EOF)
            p->pos++;
        if (p->toks[p->pos].type == T_SEQEND)
            p->pos++;
    }
    t = &p->toks[p->pos];
    if (t->type == end_type) {
        p->pos++;
        p->last_end = t->epos;
    } else if (end_type != T_EOF) {
        perr_tok(p, t, "Unterminated template string",
                 "No closing marker was found for the string.");
    }
    return make_template(p, &parts, start);
}

static struct tern_expr *parse_number(struct parser *p, const struct token *t,
                                      int negate)
{
    char buf[512];
    size_t n = t->end - t->start;
    int integral = 1;
    size_t i;
    tern_value *v;

    /* The sign, the digits and the NUL. */
    if (n + 2 > sizeof(buf)) {
        perr_tok(p, t, "Invalid number literal",
                 "This number has too many digits.");
        return NULL;
    }
    buf[0] = '-';
    memcpy(buf + 1, p->s + t->start, n);
    buf[n + 1] = '\0';
    for (i = 1; i <= n; i++)
        if (!is_digit(buf[i]))
            integral = 0;
    errno = 0;
    if (integral && n <= 18) {
        v = tern_value_int(strtoll(negate ? buf : buf + 1, NULL, 10));
    } else {
        double d = strtod(negate ? buf : buf + 1, NULL);

        if (errno == ERANGE && (d > 1 || d < -1)) {
            perr_tok(p, t, "Invalid number literal",
                     "This number is too large.");
            return NULL;
        }
        v = tern_value_number(d);
    }
    return new_literal(p, v, tok_range(p, t));
}

static struct tern_expr *parse_for(struct parser *p, int is_object,
                                   struct tern_pos start)
{
    const struct token *a, *b = NULL, *t;
    struct tern_expr *e, *coll, *key = NULL, *val, *cond = NULL;
    int group = 0;
    enum tok close = is_object ? T_RBRACE : T_RBRACK;

    next(p); /* for */
    a = next(p);
    if (peek(p)->type == T_COMMA) {
        next(p);
        b = next(p);
    }
    if (a->type != T_IDENT || (b && b->type != T_IDENT)) {
        perr_tok(p, b && a->type == T_IDENT ? b : a, "Invalid 'for' expression",
                 "For expression requires variable name after 'for'.");
        return NULL;
    }
    t = peek(p);
    if (!tok_is(p, t, "in")) {
        perr_tok(p, t, "Invalid 'for' expression",
                 "For expression requires the 'in' keyword after its name "
                 "declarations.");
        return NULL;
    }
    next(p);
    coll = parse_expr(p);
    if (!coll)
        return NULL;
    t = peek(p);
    if (t->type != T_COLON) {
        perr_tok(p, t, "Invalid 'for' expression",
                 "For expression requires a colon after the collection "
                 "expression.");
        return NULL;
    }
    next(p);
    if (is_object) {
        key = parse_expr(p);
        if (!key)
            return NULL;
        t = peek(p);
        if (t->type != T_ARROW) {
            perr_tok(p, t, "Invalid 'for' expression",
                     "For expression requires a \"=>\" between the key and "
                     "value expressions of an object.");
            return NULL;
        }
        next(p);
    }
    val = parse_expr(p);
    if (!val)
        return NULL;
    if (peek(p)->type == T_ELLIPSIS) {
        if (!is_object) {
            perr_tok(p, peek(p), "Invalid 'for' expression",
                     "Grouping ellipsis (...) can be used only in an object "
                     "'for' expression.");
            return NULL;
        }
        next(p);
        group = 1;
    }
    if (tok_is(p, peek(p), "if")) {
        next(p);
        cond = parse_expr(p);
        if (!cond)
            return NULL;
    }
    t = peek(p);
    if (t->type != close) {
        perr_tok(p, t, "Invalid 'for' expression",
                 is_object ? "Extra characters after the end of the 'for' "
                             "expression; expected \"}\"."
                           : "Extra characters after the end of the 'for' "
                             "expression; expected \"]\".");
        return NULL;
    }
    next(p);
    e = new_expr(p, TERN_EXPR_FOR, span(p, start));
    if (!e)
        return NULL;
    e->u.for_.key_var = b ? tok_str(p, a) : NULL;
    e->u.for_.val_var = tok_str(p, b ? b : a);
    e->u.for_.coll = coll;
    e->u.for_.key = key;
    e->u.for_.val = val;
    e->u.for_.cond = cond;
    e->u.for_.group = group;
    e->u.for_.is_object = is_object;
    return e;
}

/* Skip to the closing bracket of a broken tuple, object or call. */
static void skip_to_close(struct parser *p, enum tok close)
{
    int depth = 0;

    for (;;) {
        const struct token *t = &p->toks[p->pos];

        if (t->type == T_EOF)
            return;
        if (depth == 0 && t->type == close) {
            p->pos++;
            p->last_end = t->epos;
            return;
        }
        if (t->type == T_LBRACE || t->type == T_LBRACK || t->type == T_LPAREN)
            depth++;
        if (t->type == T_RBRACE || t->type == T_RBRACK || t->type == T_RPAREN) {
            if (depth == 0)
                return; /* someone else's */
            depth--;
        }
        p->pos++;
    }
}

static struct tern_expr *parse_tuple(struct parser *p)
{
    const struct token *open = next(p);
    struct pvec items = {0};
    struct tern_expr *e = NULL;
    size_t n;
    void **arr;

    nl_push(p, 0);
    if (tok_is(p, peek(p), "for")) {
        e = parse_for(p, 0, open->spos);
        if (!e)
            skip_to_close(p, T_RBRACK);
        nl_pop(p);
        return e;
    }
    for (;;) {
        const struct token *t = peek(p);
        struct tern_expr *item;

        if (t->type == T_RBRACK) {
            next(p);
            break;
        }
        item = parse_expr(p);
        if (!item) {
            skip_to_close(p, T_RBRACK);
            tern_free(items.items);
            nl_pop(p);
            return NULL;
        }
        pvec_push(p, &items, item);
        t = peek(p);
        if (t->type == T_COMMA) {
            next(p);
        } else if (t->type != T_RBRACK) {
            perr_tok(p, t, "Missing item separator",
                     "Expected a comma to mark the beginning of the next "
                     "item.");
            skip_to_close(p, T_RBRACK);
            tern_free(items.items);
            nl_pop(p);
            return NULL;
        }
    }
    nl_pop(p);
    n = items.n;
    arr = pvec_finish(p, &items);
    e = new_expr(p, TERN_EXPR_TUPLE, span(p, open->spos));
    if (!e || !arr)
        return NULL;
    e->u.list.items = (struct tern_expr **)arr;
    e->u.list.n = n;
    return e;
}

static struct tern_expr *parse_object(struct parser *p)
{
    const struct token *open = next(p);
    struct pvec keys = {0}, vals = {0};
    struct tern_expr *e = NULL;
    size_t n;
    void **karr, **varr;

    nl_push(p, 1);
    while (peek(p)->type == T_NL)
        next(p);
    if (tok_is(p, peek(p), "for")) {
        nl_push(p, 0);
        e = parse_for(p, 1, open->spos);
        nl_pop(p);
        if (!e)
            skip_to_close(p, T_RBRACE);
        nl_pop(p);
        return e;
    }
    for (;;) {
        const struct token *t;
        struct tern_expr *key, *val;

        while (peek(p)->type == T_NL)
            next(p);
        t = peek(p);
        if (t->type == T_RBRACE) {
            next(p);
            break;
        }
        nl_push(p, 0);
        key = parse_expr(p);
        nl_pop(p);
        if (!key)
            goto fail;
        if (key->kind == TERN_EXPR_VAR) {
            /* A bare identifier is the key itself, not a reference. */
            key =
                new_literal(p, tern_value_string(key->u.var.name), key->range);
            if (!key)
                goto fail;
        }
        t = peek(p);
        if (t->type != T_EQ && t->type != T_COLON) {
            perr_tok(p, t, "Missing key/value separator",
                     "Expected an equals sign (\"=\") to mark the beginning "
                     "of the attribute value.");
            goto fail;
        }
        next(p);
        val = parse_expr(p);
        if (!val)
            goto fail;
        pvec_push(p, &keys, key);
        pvec_push(p, &vals, val);
        t = peek(p);
        if (t->type == T_COMMA || t->type == T_NL) {
            next(p);
        } else if (t->type != T_RBRACE) {
            perr_tok(p, t, "Missing attribute separator",
                     "Expected a newline or comma to mark the beginning of "
                     "the next attribute.");
            goto fail;
        }
    }
    nl_pop(p);
    n = keys.n;
    karr = pvec_finish(p, &keys);
    varr = pvec_finish(p, &vals);
    e = new_expr(p, TERN_EXPR_OBJECT, span(p, open->spos));
    if (!e || !karr || !varr)
        return NULL;
    e->u.object.keys = (struct tern_expr **)karr;
    e->u.object.vals = (struct tern_expr **)varr;
    e->u.object.n = n;
    return e;

fail:
    skip_to_close(p, T_RBRACE);
    tern_free(keys.items);
    tern_free(vals.items);
    nl_pop(p);
    return NULL;
}

static struct tern_expr *parse_call(struct parser *p, const struct token *name)
{
    struct pvec args = {0};
    struct tern_expr *e;
    int expand = 0;
    size_t n;
    void **arr;

    next(p); /* ( */
    nl_push(p, 0);
    for (;;) {
        const struct token *t = peek(p);
        struct tern_expr *arg;

        if (t->type == T_RPAREN) {
            next(p);
            break;
        }
        if (expand) {
            perr_tok(p, t, "Missing close parenthesis",
                     "An expanded function argument (with \"...\") must be "
                     "immediately followed by closing parentheses.");
            goto fail;
        }
        arg = parse_expr(p);
        if (!arg)
            goto fail;
        pvec_push(p, &args, arg);
        t = peek(p);
        if (t->type == T_ELLIPSIS) {
            expand = 1;
            next(p);
            t = peek(p);
        }
        if (t->type == T_COMMA) {
            next(p);
        } else if (t->type != T_RPAREN) {
            perr_tok(p, t, "Missing argument separator",
                     "A comma is required to separate each function argument "
                     "from the next.");
            goto fail;
        }
    }
    nl_pop(p);
    n = args.n;
    arr = pvec_finish(p, &args);
    e = new_expr(p, TERN_EXPR_CALL, span(p, name->spos));
    if (!e || !arr)
        return NULL;
    e->u.call.name = tok_str(p, name);
    e->u.call.name_range = tok_range(p, name);
    e->u.call.args = (struct tern_expr **)arr;
    e->u.call.n = n;
    e->u.call.expand_final = expand;
    return e;

fail:
    skip_to_close(p, T_RPAREN);
    tern_free(args.items);
    nl_pop(p);
    return NULL;
}

static struct tern_expr *parse_primary(struct parser *p)
{
    const struct token *t = peek(p);
    struct tern_expr *e;

    switch (t->type) {
    case T_NUMBER:
        next(p);
        return parse_number(p, t, 0);
    case T_IDENT:
        if (tok_is(p, t, "true") || tok_is(p, t, "false")) {
            next(p);
            return new_literal(p, tern_value_bool(tok_is(p, t, "true")),
                               tok_range(p, t));
        }
        if (tok_is(p, t, "null")) {
            next(p);
            return new_literal(p, tern_value_null(), tok_range(p, t));
        }
        next(p);
        if (p->toks[p->pos].type == T_LPAREN)
            return parse_call(p, t);
        e = new_expr(p, TERN_EXPR_VAR, tok_range(p, t));
        if (e)
            e->u.var.name = tok_str(p, t);
        return e;
    case T_OQUOTE:
        next(p);
        return parse_template_body(p, T_CQUOTE, t->spos, 0, 0);
    case T_OHEREDOC: {
        int flush = p->s[t->start + 2] == '-';

        next(p);
        return parse_template_body(p, T_CHEREDOC, t->spos, t->frame, flush);
    }
    case T_LPAREN: {
        const struct token *c;

        next(p);
        nl_push(p, 0);
        e = parse_expr(p);
        if (!e) {
            skip_to_close(p, T_RPAREN);
            nl_pop(p);
            return NULL;
        }
        c = peek(p);
        nl_pop(p);
        if (c->type != T_RPAREN) {
            perr_tok(p, c, "Unbalanced parentheses",
                     "Expected a closing parenthesis to terminate the "
                     "expression.");
            skip_to_close(p, T_RPAREN);
            return NULL;
        }
        next(p);
        {
            struct tern_expr *paren =
                new_expr(p, TERN_EXPR_PAREN, span(p, t->spos));

            if (paren)
                paren->u.paren = e;
            return paren;
        }
    }
    case T_LBRACK:
        return parse_tuple(p);
    case T_LBRACE:
        return parse_object(p);
    default:
        perr_tok(p, t, "Invalid expression",
                 "Expected the start of an expression, but found an invalid "
                 "expression token.");
        return NULL;
    }
}

/* .name or .0 (legacy index; "0.1" lexes as one number) after a dot. */
static struct tern_expr *parse_dot_step(struct parser *p, struct tern_expr *obj,
                                        struct tern_pos start)
{
    const struct token *t = peek(p);
    struct tern_expr *e;

    if (t->type == T_IDENT) {
        next(p);
        e = new_expr(p, TERN_EXPR_GETATTR, span(p, start));
        if (!e)
            return NULL;
        e->u.attr.obj = obj;
        e->u.attr.name = tok_str(p, t);
        return e;
    }
    if (t->type == T_NUMBER) {
        const char *s = p->s + t->start;
        size_t i = 0, n = t->end - t->start;

        next(p);
        while (i < n) {
            int64_t idx = 0;
            struct tern_expr *key;

            if (!is_digit(s[i])) {
                perr_tok(p, t, "Invalid legacy index",
                         "A legacy index (\".0\") must be a whole number.");
                return NULL;
            }
            while (i < n && is_digit(s[i])) {
                if (idx > (INT64_MAX - 9) / 10) {
                    perr_tok(p, t, "Invalid legacy index",
                             "This index is too large.");
                    return NULL;
                }
                idx = idx * 10 + (s[i++] - '0');
            }
            if (i < n)
                i++; /* the dot of "0.1" */
            key = new_literal(p, tern_value_int(idx), tok_range(p, t));
            e = new_expr(p, TERN_EXPR_INDEX, span(p, start));
            if (!e || !key)
                return NULL;
            e->u.index.obj = obj;
            e->u.index.key = key;
            obj = e;
        }
        return obj;
    }
    perr_tok(p, t, "Invalid attribute name",
             "An attribute name is required after a dot.");
    return NULL;
}

static struct tern_expr *parse_splat(struct parser *p, struct tern_expr *src,
                                     int full, struct tern_pos start)
{
    struct tern_expr *item, *each, *e;

    item = new_expr(p, TERN_EXPR_SPLAT_ITEM, src->range);
    if (!item)
        return NULL;
    each = item;
    for (;;) {
        const struct token *t = peek(p);

        if (t->type == T_DOT && p->toks[p->pos + 1].type != T_STAR) {
            next(p);
            each = parse_dot_step(p, each, start);
            if (!each)
                return NULL;
        } else if (full && t->type == T_LBRACK &&
                   p->toks[p->pos + 1].type != T_STAR) {
            struct tern_expr *key, *idx;

            next(p);
            nl_push(p, 0);
            key = parse_expr(p);
            t = peek(p);
            nl_pop(p);
            if (!key || t->type != T_RBRACK) {
                if (key)
                    perr_tok(p, t, "Missing close bracket on index",
                             "The index operator must end with a closing "
                             "bracket (\"]\").");
                return NULL;
            }
            next(p);
            idx = new_expr(p, TERN_EXPR_INDEX, span(p, start));
            if (!idx)
                return NULL;
            idx->u.index.obj = each;
            idx->u.index.key = key;
            each = idx;
        } else {
            break;
        }
    }
    e = new_expr(p, TERN_EXPR_SPLAT, span(p, start));
    if (!e)
        return NULL;
    e->u.splat.source = src;
    e->u.splat.each = each;
    return e;
}

static struct tern_expr *parse_postfix(struct parser *p)
{
    struct tern_expr *e = parse_primary(p);
    struct tern_pos start;

    if (!e)
        return NULL;
    start = e->range.start;
    for (;;) {
        const struct token *t = peek(p);

        if (t->type == T_DOT) {
            next(p);
            if (peek(p)->type == T_STAR) {
                next(p);
                e = parse_splat(p, e, 0, start);
            } else {
                e = parse_dot_step(p, e, start);
            }
        } else if (t->type == T_LBRACK) {
            struct tern_expr *key, *idx;

            next(p);
            if (peek(p)->type == T_STAR &&
                p->toks[p->pos + 1].type == T_RBRACK) {
                next(p);
                next(p);
                e = parse_splat(p, e, 1, start);
                if (!e)
                    return NULL;
                continue;
            }
            nl_push(p, 0);
            key = parse_expr(p);
            t = peek(p);
            nl_pop(p);
            if (!key)
                return NULL;
            if (t->type != T_RBRACK) {
                perr_tok(p, t, "Missing close bracket on index",
                         "The index operator must end with a closing bracket "
                         "(\"]\").");
                return NULL;
            }
            next(p);
            idx = new_expr(p, TERN_EXPR_INDEX, span(p, start));
            if (!idx)
                return NULL;
            idx->u.index.obj = e;
            idx->u.index.key = key;
            e = idx;
        } else {
            break;
        }
        if (!e)
            return NULL;
    }
    return e;
}

static struct tern_expr *parse_unary(struct parser *p)
{
    const struct token *t = peek(p);
    struct tern_expr *operand, *e;

    if (t->type != T_BANG && t->type != T_MINUS)
        return parse_postfix(p);
    next(p);
    if (t->type == T_MINUS && peek(p)->type == T_NUMBER) {
        const struct token *num = &p->toks[p->pos];
        enum tok after = p->toks[p->pos + 1].type;

        /* Fold "-1" into a literal, unless a traversal follows. */
        if (after != T_DOT && after != T_LBRACK) {
            next(p);
            e = parse_number(p, num, 1);
            if (e)
                e->range = span(p, t->spos);
            return e;
        }
    }
    if (too_deep(p))
        return NULL;
    p->depth++;
    operand = parse_unary(p);
    p->depth--;
    if (!operand)
        return NULL;
    e = new_expr(p, TERN_EXPR_UNARY, span(p, t->spos));
    if (!e)
        return NULL;
    e->u.op.op = t->type == T_BANG ? TERN_OP_NOT : TERN_OP_NEG;
    e->u.op.a = operand;
    return e;
}

static int binop(enum tok t, enum tern_expr_op *op)
{
    switch (t) {
    case T_OR:
        *op = TERN_OP_OR;
        return 1;
    case T_AND:
        *op = TERN_OP_AND;
        return 2;
    case T_EQEQ:
        *op = TERN_OP_EQ;
        return 3;
    case T_NE:
        *op = TERN_OP_NE;
        return 3;
    case T_GT:
        *op = TERN_OP_GT;
        return 4;
    case T_GE:
        *op = TERN_OP_GE;
        return 4;
    case T_LT:
        *op = TERN_OP_LT;
        return 4;
    case T_LE:
        *op = TERN_OP_LE;
        return 4;
    case T_PLUS:
        *op = TERN_OP_ADD;
        return 5;
    case T_MINUS:
        *op = TERN_OP_SUB;
        return 5;
    case T_STAR:
        *op = TERN_OP_MUL;
        return 6;
    case T_SLASH:
        *op = TERN_OP_DIV;
        return 6;
    case T_PERCENT:
        *op = TERN_OP_MOD;
        return 6;
    default:
        return 0;
    }
}

static struct tern_expr *parse_binary(struct parser *p, int min_prec)
{
    struct tern_expr *lhs = parse_unary(p);

    while (lhs) {
        enum tern_expr_op op;
        int prec = binop(peek(p)->type, &op);
        struct tern_expr *rhs, *e;

        if (prec == 0 || prec < min_prec)
            break;
        next(p);
        rhs = parse_binary(p, prec + 1);
        if (!rhs)
            return NULL;
        e = new_expr(p, TERN_EXPR_BINARY, span(p, lhs->range.start));
        if (!e)
            return NULL;
        e->u.op.op = op;
        e->u.op.a = lhs;
        e->u.op.b = rhs;
        lhs = e;
    }
    return lhs;
}

/* Deeper nesting than any real configuration, and still far from the end
 * of the stack for this recursive-descent parser. */
#define MAX_NESTING 128

static int too_deep(struct parser *p)
{
    if (p->depth < MAX_NESTING)
        return 0;
    if (!p->deep_reported) {
        perr_tok(p, peek(p), "Expression too deeply nested",
                 "This expression or block nests too deeply to be "
                 "processed.");
        p->deep_reported = 1;
    }
    return 1;
}

static struct tern_expr *parse_ternary(struct parser *p);

static struct tern_expr *parse_expr(struct parser *p)
{
    struct tern_expr *e;

    if (p->oom || too_deep(p))
        return NULL;
    p->depth++;
    e = parse_ternary(p);
    p->depth--;
    return e;
}

static struct tern_expr *parse_ternary(struct parser *p)
{
    struct tern_expr *c, *a, *b, *e;
    const struct token *t;

    c = parse_binary(p, 1);
    if (!c || peek(p)->type != T_QUESTION)
        return c;
    next(p);
    a = parse_expr(p);
    if (!a)
        return NULL;
    t = peek(p);
    if (t->type != T_COLON) {
        perr_tok(p, t, "Missing false expression in conditional",
                 "The conditional operator (...?...:...) requires a false "
                 "expression, delimited by a colon.");
        return NULL;
    }
    next(p);
    b = parse_expr(p);
    if (!b)
        return NULL;
    e = new_expr(p, TERN_EXPR_COND, span(p, c->range.start));
    if (!e)
        return NULL;
    e->u.cond.cond = c;
    e->u.cond.then_ = a;
    e->u.cond.else_ = b;
    return e;
}

/* ---- Bodies -------------------------------------------------------------
 */

static struct tern_body *parse_body(struct parser *p, enum tok end,
                                    const struct token *open);

static int parse_label(struct parser *p, struct pvec *labels,
                       struct tern_range **ranges, size_t *nranges)
{
    const struct token *t = peek(p);
    struct tern_range r = tok_range(p, t), *nr;
    const char *label = NULL;

    if (t->type == T_IDENT) {
        next(p);
        label = tok_str(p, t);
    } else {
        /* OQUOTE LIT? CQUOTE, with no interpolation. */
        const struct token *lit = &p->toks[p->pos + 1];
        tern_buf b = TERN_BUF_INIT;

        next(p);
        if (lit->type == T_LIT) {
            decode_literal(p, lit, 1, 0, &b);
            p->pos++;
        }
        if (p->toks[p->pos].type != T_CQUOTE) {
            perr_tok(p, &p->toks[p->pos], "Invalid block label",
                     "A block label must be a quoted string without "
                     "interpolation.");
            tern_buf_release(&b);
            return -1;
        }
        r.end = p->toks[p->pos].epos;
        p->last_end = r.end;
        p->pos++;
        label = tern__arena_strndup(p->arena, tern_buf_cstr(&b), b.len);
        tern_buf_release(&b);
    }
    if (!label) {
        p->oom = 1;
        return -1;
    }
    nr = tern_realloc(*ranges, (*nranges + 1) * sizeof(**ranges));
    if (!nr) {
        p->oom = 1;
        return -1;
    }
    *ranges = nr;
    nr[(*nranges)++] = r;
    return pvec_push(p, labels, (void *)label);
}

static struct tern_block *parse_block(struct parser *p,
                                      const struct token *type)
{
    struct tern_block *blk = tern__arena_alloc(p->arena, sizeof(*blk));
    struct pvec labels = {0};
    struct tern_range *ranges = NULL;
    size_t nranges = 0;
    const struct token *t, *open;

    if (!blk) {
        p->oom = 1;
        return NULL;
    }
    blk->type = tok_str(p, type);
    blk->type_range = tok_range(p, type);
    for (;;) {
        t = peek(p);
        if (t->type == T_IDENT || t->type == T_OQUOTE) {
            if (parse_label(p, &labels, &ranges, &nranges))
                goto fail;
            continue;
        }
        break;
    }
    blk->def_range = span(p, type->spos);
    if (t->type != T_LBRACE) {
        perr_tok(p, t, "Invalid block definition",
                 "Either a quoted string block label or an opening brace "
                 "(\"{\") is expected here.");
        goto fail;
    }
    if (too_deep(p))
        goto fail;
    open = next(p);
    blk->nlabels = labels.n;
    blk->labels = (const char **)pvec_finish(p, &labels);
    blk->label_ranges =
        tern__arena_alloc(p->arena, (nranges ? nranges : 1) * sizeof(*ranges));
    if (!blk->labels || !blk->label_ranges) {
        p->oom = 1;
        goto fail;
    }
    if (nranges)
        memcpy(blk->label_ranges, ranges, nranges * sizeof(*ranges));
    tern_free(ranges);
    ranges = NULL;
    p->depth++;
    blk->body = parse_body(p, T_RBRACE, open);
    p->depth--;
    if (!blk->body)
        return NULL;
    blk->range = span(p, type->spos);
    t = peek(p);
    if (t->type != T_NL && t->type != T_EOF) {
        perr_tok(p, t, "Missing newline after block definition",
                 "A block definition must end with a newline.");
        recover(p);
    }
    return blk;

fail:
    tern_free(labels.items);
    tern_free(ranges);
    recover(p);
    /* A block whose header is broken: skip its body too. */
    if (p->toks[p->pos].type == T_NL && p->pos > 0 &&
        p->toks[p->pos - 1].type == T_LBRACE) {
        p->pos++;
        skip_to_close(p, T_RBRACE);
    }
    return NULL;
}

static struct tern_body *parse_body(struct parser *p, enum tok end,
                                    const struct token *open)
{
    struct tern_body *body = tern__arena_alloc(p->arena, sizeof(*body));
    struct pvec blocks = {0};
    struct tern_attribute *attrs = NULL;
    struct tern__nameset seen = {0};
    size_t nattrs = 0, aattrs = 0, i;
    struct tern_pos start;

    if (!body) {
        p->oom = 1;
        return NULL;
    }
    nl_push(p, 1);
    start = open ? open->spos : p->toks[p->pos].spos;
    for (;;) {
        const struct token *t = peek(p);
        const struct token *t2;

        if (p->oom)
            break;
        if (t->type == T_NL) {
            next(p);
            continue;
        }
        if (t->type == end) {
            if (end != T_EOF)
                next(p);
            break;
        }
        if (t->type == T_EOF) {
            struct tern_range r = tok_range(p, open);

            perr(p, &r, "Unclosed configuration block",
                 "There is no closing brace for this block before the end "
                 "of the file. This may be caused by incorrect brace "
                 "nesting elsewhere in this file.");
            break;
        }
        if (t->type != T_IDENT) {
            perr_tok(p, t, "Argument or block definition required",
                     "An argument or block definition is required here.");
            if (t->type == T_RBRACE)
                next(p); /* a stray closing brace */
            else
                recover(p);
            continue;
        }
        next(p);
        t2 = peek(p);
        if (t2->type == T_EQ) {
            struct tern_attribute a;
            const struct token *after;

            next(p);
            memset(&a, 0, sizeof(a));
            a.name = tok_str(p, t);
            a.name_range = tok_range(p, t);
            a.expr = parse_expr(p);
            if (!a.expr) {
                recover(p);
                continue;
            }
            a.range = span(p, t->spos);
            after = peek(p);
            if (after->type != T_NL && after->type != T_EOF &&
                !(after->type == end && end == T_RBRACE)) {
                perr_tok(p, after, "Missing newline after argument",
                         "An argument definition must end with a newline.");
                recover(p);
            }
            if (!a.name || tern__nameset_add(&seen, a.name, nattrs, &i)) {
                p->oom = 1;
                break;
            }
            if (i != SIZE_MAX) {
                perr(p, &a.name_range, "Attribute redefined",
                     "The argument \"%s\" was already set at "
                     "%s:%u,%u-%u. Each argument may be set only once.",
                     a.name, attrs[i].name_range.file,
                     attrs[i].name_range.start.line,
                     attrs[i].name_range.start.column,
                     attrs[i].name_range.end.column);
                continue;
            }
            if (TERN_VEC_RESERVE(attrs, aattrs, nattrs + 1) != TERN_OK) {
                p->oom = 1;
                break;
            }
            attrs[nattrs++] = a;
        } else if (t2->type == T_IDENT || t2->type == T_OQUOTE ||
                   t2->type == T_LBRACE) {
            struct tern_block *blk = parse_block(p, t);

            if (blk)
                pvec_push(p, &blocks, blk);
        } else {
            perr_tok(p, t2, "Argument or block definition required",
                     "An argument or block definition is required here. To "
                     "set an argument, use the equals sign \"=\" to "
                     "introduce the argument value.");
            recover(p);
        }
    }
    nl_pop(p);
    body->nblocks = blocks.n;
    body->blocks = (struct tern_block **)pvec_finish(p, &blocks);
    body->attrs =
        tern__arena_alloc(p->arena, (nattrs ? nattrs : 1) * sizeof(*attrs));
    if (body->attrs && nattrs)
        memcpy(body->attrs, attrs, nattrs * sizeof(*attrs));
    body->nattrs = nattrs;
    tern_free(attrs);
    tern__nameset_release(&seen);
    if (!body->attrs || !body->blocks) {
        p->oom = 1;
        return NULL;
    }
    body->range = span(p, start);
    return body;
}

/* ---- Entry points ------------------------------------------------------ */

enum what { W_BODY, W_EXPR, W_TEMPLATE };

static int run(struct tern_lang_file *file, const char *text, size_t len,
               struct tern_pos base, enum what what, struct tern_body **body,
               struct tern_expr **expr, struct tern_diags *diags)
{
    struct lexer lx;
    struct parser p;
    size_t errors = diags->errors, first_diag = diags->count;
    int error = TERN_OK;

    memset(&lx, 0, sizeof(lx));
    memset(&p, 0, sizeof(p));
    lx.file = file;
    lx.s = text;
    lx.len = len;
    lx.line = 1;
    lx.col = 1;
    lx.base = base;
    lx.diags = diags;
    lex_all(&lx, what == W_TEMPLATE);
    tern_free(lx.modes);
    if (lx.oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    p.file = file;
    p.arena = file->arena;
    p.s = text;
    p.toks = lx.toks;
    p.ntoks = lx.ntoks;
    p.diags = diags;
    p.last_end = base;
    if (what == W_BODY) {
        *body = parse_body(&p, T_EOF, NULL);
    } else if (what == W_TEMPLATE) {
        *expr = parse_template_body(&p, T_EOF, base, 1, 0);
    } else {
        const struct token *t;

        nl_push(&p, 0);
        *expr = parse_expr(&p);
        t = peek(&p);
        if (*expr && t->type != T_EOF)
            perr_tok(&p, t, "Extra characters after expression",
                     "An expression was successfully parsed, but extra "
                     "characters were found after it.");
    }
    tern__diags_sort(diags, first_diag);
    if (p.oom)
        error = TERN_ENOMEM;
    else if (diags->errors > errors)
        error = TERN_ERROR;
    else if (what != W_BODY && !*expr)
        error = TERN_ERROR;

done:
    tern_free(lx.toks);
    return error;
}

int tern__parse_fragment(struct tern_lang_file *file, const char *text,
                         size_t len, struct tern_pos base, int template,
                         struct tern_expr **out, struct tern_diags *diags)
{
    *out = NULL;
    return run(file, text, len, base, template ? W_TEMPLATE : W_EXPR, NULL, out,
               diags);
}

static const struct tern_pos start_pos = {1, 1, 0};

int tern_lang_parse_hcl(struct tern_lang_sources *srcs, const char *name,
                        const char *text, size_t len,
                        struct tern_lang_file **out, struct tern_diags *diags)
{
    struct tern_lang_file *f = tern__sources_add(srcs, name, text, len, 0);
    int error;

    if (out)
        *out = f;
    if (!f)
        return TERN_ENOMEM;
    error = tern__check_utf8(f, diags);
    if (error == TERN_OK)
        error =
            run(f, f->src, f->len, start_pos, W_BODY, &f->body, NULL, diags);
    if (!f->body && error != TERN_ENOMEM) {
        f->body = tern__arena_alloc(f->arena, sizeof(*f->body));
        if (!f->body)
            return TERN_ENOMEM;
    }
    return error;
}

int tern_lang_parse_expr(struct tern_lang_sources *srcs, const char *name,
                         const char *text, size_t len, struct tern_expr **out,
                         struct tern_diags *diags)
{
    struct tern_lang_file *f = tern__sources_add(srcs, name, text, len, 0);
    int error;

    *out = NULL;
    if (!f)
        return TERN_ENOMEM;
    error = tern__check_utf8(f, diags);
    if (error)
        return error;
    return run(f, f->src, f->len, start_pos, W_EXPR, NULL, out, diags);
}

int tern_lang_parse_template(struct tern_lang_sources *srcs, const char *name,
                             const char *text, size_t len,
                             struct tern_expr **out, struct tern_diags *diags)
{
    struct tern_lang_file *f = tern__sources_add(srcs, name, text, len, 0);
    int error;

    *out = NULL;
    if (!f)
        return TERN_ENOMEM;
    error = tern__check_utf8(f, diags);
    if (error)
        return error;
    return run(f, f->src, f->len, start_pos, W_TEMPLATE, NULL, out, diags);
}

/* The formatter's view of the lexer (lang_int.h). */
_Static_assert((int)T_INVALID == (int)TERN__TK_INVALID &&
                   (int)T_ARROW == (int)TERN__TK_ARROW &&
                   (int)T_LIT == (int)TERN__TK_LIT,
               "enum tern__tok_kind follows enum tok");

int tern__lex_tokens(const char *text, size_t len, struct tern__lex_token **out,
                     size_t *n)
{
    struct tern_lang_file file;
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tern__lex_token *toks = NULL;
    struct lexer lx;
    size_t i;
    int error = TERN_OK;

    *out = NULL;
    *n = 0;
    memset(&file, 0, sizeof(file));
    file.name = (char *)"";
    memset(&lx, 0, sizeof(lx));
    lx.file = &file;
    lx.s = text;
    lx.len = len;
    lx.line = 1;
    lx.col = 1;
    lx.base = start_pos;
    lx.diags = &diags;
    lex_all(&lx, 0);
    tern_free(lx.modes);
    if (lx.oom)
        goto oom;
    toks = tern_calloc(lx.ntoks ? lx.ntoks : 1, sizeof(*toks));
    if (!toks)
        goto oom;
    for (i = 0; i < lx.ntoks; i++) {
        toks[i].kind = (enum tern__tok_kind)lx.toks[i].type;
        toks[i].start = lx.toks[i].start;
        toks[i].end = lx.toks[i].end;
    }
    *out = toks;
    *n = lx.ntoks;
    goto done;
oom:
    error = TERN_ENOMEM;
done:
    tern_free(lx.toks);
    tern_diags_release(&diags);
    return error;
}
