/*
 * Private to src/lang: the arena the syntax tree lives in, the template
 * parser entry the JSON syntax reuses, and the function table's interface
 * to the evaluator.
 */
#ifndef TERN_LANG_LANG_INT_H
#define TERN_LANG_LANG_INT_H

#include "lang/lang.h"

/* Chunks of memory freed all at once with their file; literal values in
 * the tree are registered so that freeing the arena releases them. */
struct tern_arena {
    struct tern_arena_chunk *head;
    tern_value **values;
    size_t nvalues, avalues;
};

struct tern_arena *tern__arena_new(void);
void tern__arena_free(struct tern_arena *a);
/* Zeroed memory, NULL on OOM. */
void *tern__arena_alloc(struct tern_arena *a, size_t size);
char *tern__arena_strndup(struct tern_arena *a, const char *s, size_t n);
/* Steals @v; returns it, or NULL on OOM (having released it). */
tern_value *tern__arena_value(struct tern_arena *a, tern_value *v);

/* A new file in the sources (text copied). */
struct tern_lang_file *tern__sources_add(struct tern_lang_sources *srcs,
                                         const char *name, const char *text,
                                         size_t len, int is_json);

/*
 * Parse @text (not necessarily the file's own text: a JSON string) as an
 * expression or, if @template, a template; positions are reported relative
 * to @base, in @file. Returns TERN_OK, TERN_ERROR or TERN_ENOMEM.
 */
int tern__parse_fragment(struct tern_lang_file *file, const char *text,
                         size_t len, struct tern_pos base, int template,
                         struct tern_expr **out, struct tern_diags *diags);

/* What a function sees of its call. */
struct tern__fcall {
    const char *name;
    const struct tern_lang_scope *scope;
    struct tern_diags *diags;
    struct tern_range range;       /* the whole call */
    const struct tern_range *args; /* one per argument, where known */
    size_t nargs_ranges;
    /* The argument expressions (NULL when the call expanded a list with
     * "..."), for templatestring, which looks at how its template is
     * written. */
    struct tern_expr *const *arg_exprs;
    int sensitive; /* an argument was sensitive: messages must not quote it */
};

/* Flags of a function table entry. */
#define TERN__F_UNKNOWN_OK   1  /* handles unknown arguments itself */
#define TERN__F_MARKS_OWN    2  /* handles sensitive marks itself */
#define TERN__F_NULL_OK      4  /* accepts null arguments */
#define TERN__F_VARIADIC_NUL 8  /* variadic arguments may be null */
#define TERN__F_IMPURE       16 /* unknown unless scope->apply (timestamp) */

struct tern__function {
    const char *name;
    int min_args, max_args; /* max -1: variadic */
    int flags;
    int (*fn)(struct tern__fcall *c, tern_value **args, size_t n,
              tern_value **out);
};

/* Look a function up by name; NULL if there is none. */
const struct tern__function *tern__function_find(const char *name);

/* Report a diagnostic at a call's argument @i (or the call). */
void tern__farg_error(struct tern__fcall *c, size_t i, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Terraform's message for an argument a function refuses: "Invalid value
 * for \"@param\" parameter: ..." at argument @i. */
void tern__fparam_error(struct tern__fcall *c, size_t i, const char *param,
                        const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Type conversions shared by operators and functions. Each returns a new
 * reference or NULL when the value cannot be converted (no diagnostic). */
tern_value *tern__convert_string(const tern_value *v);
tern_value *tern__convert_number(const tern_value *v);
tern_value *tern__convert_bool(const tern_value *v);
/* "string", "number", "list of ...": how a type error names a value. */
const char *tern__type_name(const tern_value *v);

/* Sort diagnostics [from, count) by position, stably (same file only). */
void tern__diags_sort(struct tern_diags *diags, size_t from);

/* The length (1-4) of the well-formed UTF-8 character at s (len bytes
 * left), or 0 when the bytes there are not one: a stray continuation byte,
 * an overlong form, a surrogate, beyond U+10FFFF, or cut short. */
size_t tern__utf8_valid(const char *s, size_t len);

/* The length of the character at s (len bytes left), >= 1 unless len is
 * 0; a byte that is not part of a well-formed character is one by itself. */
size_t tern__utf8_next(const char *s, size_t len);

/*
 * Terraform reads only UTF-8: report the first bytes of @f that are not
 * (HCL's "Invalid character encoding", at their line and column).
 * Returns TERN_OK, TERN_ERROR (reported) or TERN_ENOMEM.
 */
int tern__check_utf8(const struct tern_lang_file *f, struct tern_diags *diags);

/*
 * The native syntax lexer's tokens, for the formatter (fmt.c), in the
 * lexer's own order (parse.c checks it). Spaces and comments are not
 * tokens: they lie in the gaps between them. A heredoc's opener includes
 * its newline, each literal line of a heredoc its newline, its closing
 * marker the spaces before it.
 */
enum tern__tok_kind {
    TERN__TK_EOF,
    TERN__TK_NL,
    TERN__TK_IDENT,
    TERN__TK_NUMBER,
    TERN__TK_OQUOTE,
    TERN__TK_CQUOTE,
    TERN__TK_OHEREDOC,
    TERN__TK_CHEREDOC,
    TERN__TK_LIT,
    TERN__TK_INTERP,
    TERN__TK_CONTROL,
    TERN__TK_SEQEND,
    TERN__TK_LBRACE,
    TERN__TK_RBRACE,
    TERN__TK_LBRACK,
    TERN__TK_RBRACK,
    TERN__TK_LPAREN,
    TERN__TK_RPAREN,
    TERN__TK_COMMA,
    TERN__TK_DOT,
    TERN__TK_ELLIPSIS,
    TERN__TK_STAR,
    TERN__TK_SLASH,
    TERN__TK_PERCENT,
    TERN__TK_PLUS,
    TERN__TK_MINUS,
    TERN__TK_BANG,
    TERN__TK_EQ,
    TERN__TK_EQEQ,
    TERN__TK_NE,
    TERN__TK_LT,
    TERN__TK_LE,
    TERN__TK_GT,
    TERN__TK_GE,
    TERN__TK_AND,
    TERN__TK_OR,
    TERN__TK_QUESTION,
    TERN__TK_COLON,
    TERN__TK_ARROW,
    TERN__TK_INVALID
};

struct tern__lex_token {
    enum tern__tok_kind kind;
    size_t start, end; /* byte offsets in the text */
};

/*
 * Lex @text (already parsed without errors) into @out (a new array of
 * @n tokens, the last one EOF; tern_free it).
 * @return TERN_OK or TERN_ENOMEM
 */
int tern__lex_tokens(const char *text, size_t len, struct tern__lex_token **out,
                     size_t *n);

#endif
