/*
 * src/lang: the Terraform language. This header is the part's interface to
 * the rest of the engine (graph, planner, CLI): the syntax tree, parsing of
 * both syntaxes, evaluation, diagnostics rendering and configuration
 * loading. Functions private to src/lang are in lang_int.h.
 *
 * Both syntaxes produce the same tree: a file is a body; a body has
 * attributes ("name = expr") and blocks ("type "label" { body }"); every
 * node keeps its source range. The tree lives in the arena of its file and
 * is freed with tern_lang_sources_free().
 */
#ifndef TERN_LANG_LANG_H
#define TERN_LANG_LANG_H

#include "tern/diag.h"
#include "tern/value.h"
#include "util/buf.h"

#include <stdatomic.h>
#include <stddef.h>

/* Expression node kinds. */
enum tern_expr_kind {
    TERN_EXPR_LITERAL,    /* u.literal */
    TERN_EXPR_TEMPLATE,   /* u.list: parts (literals, exprs, directives) */
    TERN_EXPR_TPL_IF,     /* u.cond: %{if}, then/else are TEMPLATEs */
    TERN_EXPR_TPL_FOR,    /* u.for_: %{for}, val is the body TEMPLATE */
    TERN_EXPR_VAR,        /* u.var: a root name (var, local, aws_iam_role) */
    TERN_EXPR_GETATTR,    /* u.attr: obj.name */
    TERN_EXPR_INDEX,      /* u.index: obj[key] or legacy obj.0 */
    TERN_EXPR_SPLAT,      /* u.splat: source[*].each or source.*.each */
    TERN_EXPR_SPLAT_ITEM, /* the current element inside u.splat.each */
    TERN_EXPR_CALL,       /* u.call */
    TERN_EXPR_UNARY,      /* u.op (b NULL) */
    TERN_EXPR_BINARY,     /* u.op */
    TERN_EXPR_COND,       /* u.cond: c ? a : b */
    TERN_EXPR_FOR,        /* u.for_ */
    TERN_EXPR_TUPLE,      /* u.list */
    TERN_EXPR_OBJECT,     /* u.object */
    TERN_EXPR_PAREN       /* u.paren */
};

enum tern_expr_op {
    TERN_OP_NOT,
    TERN_OP_NEG,
    TERN_OP_MUL,
    TERN_OP_DIV,
    TERN_OP_MOD,
    TERN_OP_ADD,
    TERN_OP_SUB,
    TERN_OP_GT,
    TERN_OP_GE,
    TERN_OP_LT,
    TERN_OP_LE,
    TERN_OP_EQ,
    TERN_OP_NE,
    TERN_OP_AND,
    TERN_OP_OR
};

struct tern_expr {
    enum tern_expr_kind kind;
    struct tern_range range;
    union {
        tern_value *literal;
        struct {
            struct tern_expr **items;
            size_t n;
        } list;
        struct {
            struct tern_expr *cond, *then_, *else_;
        } cond;
        struct {
            const char *name;
        } var;
        struct {
            struct tern_expr *obj;
            const char *name;
        } attr;
        struct {
            struct tern_expr *obj, *key;
        } index;
        struct {
            struct tern_expr *source, *each;
        } splat;
        struct {
            const char *name;
            struct tern_range name_range;
            struct tern_expr **args;
            size_t n;
            int expand_final; /* f(a, list...) */
        } call;
        struct {
            enum tern_expr_op op;
            struct tern_expr *a, *b;
        } op;
        struct {
            const char *key_var; /* NULL when only a value variable */
            const char *val_var;
            struct tern_expr *coll, *key, *val, *cond;
            int group;     /* "..." after the value */
            int is_object; /* {for ...} */
        } for_;
        struct {
            struct tern_expr **keys, **vals;
            size_t n;
        } object;
        struct tern_expr *paren;
    } u;
};

struct tern_attribute {
    const char *name;
    struct tern_range name_range;
    struct tern_expr *expr;
    struct tern_range range; /* name to end of expression */
};

struct tern_body;

struct tern_block {
    const char *type;
    struct tern_range type_range;
    const char **labels;
    struct tern_range *label_ranges;
    size_t nlabels;
    struct tern_body *body;
    struct tern_range def_range; /* type and labels */
    struct tern_range range;     /* to the closing brace */
};

struct tern_body {
    struct tern_attribute *attrs;
    size_t nattrs;
    struct tern_block **blocks;
    size_t nblocks;
    struct tern_range range;
};

/* One parsed file, owned by a tern_lang_sources. */
struct tern_lang_file {
    char *name;
    char *src; /* NUL-terminated copy of the text */
    size_t len;
    int is_json;
    struct tern_body *body;
    struct tern_arena *arena;
};

/* The files of a run: diagnostics borrow their names, renderers read their
 * lines. Zero-initialise. */
struct tern_lang_sources {
    struct tern_lang_file **files;
    size_t n;
};

void tern_lang_sources_free(struct tern_lang_sources *srcs);

/*
 * Parse HCL native syntax. The text is copied into the sources; on syntax
 * errors the diagnostics are added and the tree holds what could be
 * recovered. Returns TERN_OK, TERN_ERROR (see diags) or TERN_ENOMEM;
 * *out is set whenever the file was added.
 */
int tern_lang_parse_hcl(struct tern_lang_sources *srcs, const char *name,
                        const char *text, size_t len,
                        struct tern_lang_file **out, struct tern_diags *diags);

/*
 * Rewrite HCL native syntax in the canonical layout of `terraform fmt`
 * (src/lang/fmt.c says what that is). The text is parsed first, into
 * @srcs under @name: on syntax errors they are reported and nothing is
 * formatted. Otherwise the formatted text is appended to @out; only
 * spaces change, and the few rewrites terraform fmt makes.
 * @return TERN_OK, TERN_ERROR (see diags) or TERN_ENOMEM
 */
int tern_lang_fmt(struct tern_lang_sources *srcs, const char *name,
                  const char *text, size_t len, tern_buf *out,
                  struct tern_diags *diags);

/* Parse the JSON syntax (*.tf.json) into the same tree; block structure
 * follows tern_lang_json_schema (below). */
int tern_lang_parse_json(struct tern_lang_sources *srcs, const char *name,
                         const char *text, size_t len,
                         struct tern_lang_file **out, struct tern_diags *diags);

/* Parse one expression (the whole text), e.g. for `terraform console`. */
int tern_lang_parse_expr(struct tern_lang_sources *srcs, const char *name,
                         const char *text, size_t len, struct tern_expr **out,
                         struct tern_diags *diags);

/* Parse a whole text as a template (templatefile). */
int tern_lang_parse_template(struct tern_lang_sources *srcs, const char *name,
                             const char *text, size_t len,
                             struct tern_expr **out, struct tern_diags *diags);

/*
 * hcled.ContextString: the header of the top-level block of @file that
 * holds @byte (`resource "aws_iam_role" "x"`), appended to @out.
 * @return 1 when there is one, else 0 (nothing appended)
 */
int tern_lang_diag_context(tern_buf *out, const struct tern_lang_sources *srcs,
                           const char *file, size_t byte);

/* The text of a source file by name (borrowed), *len its length; NULL
 * when @srcs does not have it. */
const char *tern_lang_source_text(const struct tern_lang_sources *srcs,
                                  const char *file, size_t *len);

/*
 * Render diagnostics the way Terraform prints them, with the source line
 * and the range underlined:
 *
 *     Error: Unsupported argument
 *
 *       on main.tf line 3, in resource "aws_iam_role" "x":
 *        3:   nmae = "x"
 *               ^^^^
 *
 *     An argument named "nmae" is not expected here.
 */
int tern_lang_diags_render(tern_buf *out, const struct tern_diags *diags,
                           const struct tern_lang_sources *srcs);

/*
 * "Did you mean": the candidate closest to @given by edit distance, if it
 * is close enough to be a likely typo (distance < 3), else NULL.
 */
const char *tern_lang_suggest(const char *given, const char *const *cands,
                              size_t n);
/* Levenshtein distance between two strings (bytes). */
size_t tern_lang_edit_distance(const char *a, const char *b);

/* ---- Evaluation -------------------------------------------------------- */

/* A reference the evaluator cannot resolve by itself, or (from
 * tern_lang_expr_refs) any reference an expression makes. */
struct tern_lang_ref {
    const char *kind; /* "var", "local", "resource", "data", "module";
                         refs also: "each", "count", "path", "terraform",
                         "self", and "bare" for a lone root name */
    const char *type; /* resource or data type; else NULL */
    const char *name; /* the variable, local, module or resource name */
    struct tern_range range;
    /* For a resource or data source: the attribute named after it (after
     * an instance key, if any: aws_iam_role.r[0].arn), NULL when there is
     * none; attr_range is that step (".arn"). */
    const char *attr;
    struct tern_range attr_range;
};

/*
 * What an expression may refer to. vars and locals, when set, are objects
 * looked up directly; otherwise (and for resources, data sources and
 * modules) the evaluator calls resolve. resolve returns TERN_OK with a new
 * reference in *out, TERN_ENOTFOUND (the evaluator reports an undeclared
 * reference), or TERN_ERROR after adding its own diagnostics.
 */
struct tern_lang_scope {
    const tern_value *vars;
    const tern_value *locals;
    const tern_value *each_key;    /* NULL outside for_each */
    const tern_value *each_value;  /* NULL outside for_each */
    const tern_value *count_index; /* NULL outside count */
    const char *path_module, *path_root, *path_cwd;
    /* The module evaluated in, as its modules.json key ("net.sub"); NULL
     * or "" the root. Only named in messages. */
    const char *module_key;
    const char *workspace; /* terraform.workspace; NULL: "default" */
    const char *base_dir;  /* relative paths of file(); NULL: the cwd */
    int (*resolve)(void *ctx, const struct tern_lang_ref *ref, tern_value **out,
                   struct tern_diags *diags);
    void *ctx;
    struct tern_lang_sources *sources; /* for templatefile; may be NULL */
    /* templatefile: an object whose keys are bare names in scope; when set,
     * nothing else (var., local., resources) may be referred to. */
    const tern_value *root_vars;
    /* dynamic blocks: an object of extra root names (each an object with
     * key and value), seen before everything but for-expression names. */
    const tern_value *iterators;
    /* Set while applying: the impure functions (timestamp, uuid, bcrypt)
     * return their value; otherwise (validate, plan) they are unknown, as
     * in Terraform, so a plan does not show a value apply will not use. */
    int apply;
    /* plantimestamp(): the plan's time as RFC 3339 ("2024-05-13T07:44:12Z"),
     * the same at apply; NULL (validate) makes it unknown. */
    const char *plan_timestamp;
    /* A resource postcondition's `self`: the instance's object (may be
     * unknown); NULL elsewhere, where `self` is an error. */
    const tern_value *self;
    /* Raised (non-zero) when the run is interrupted: evaluation stops
     * (checked every few thousand expressions) with TERN_ECANCELED and an
     * "Evaluation interrupted" error. NULL: never. */
    const atomic_int *stop;
};

/*
 * Evaluate an expression. Returns TERN_OK with a new reference in *out, or
 * TERN_ERROR with diagnostics (every error found, not only the first), or
 * TERN_ENOMEM.
 */
int tern_lang_eval(const struct tern_expr *expr,
                   const struct tern_lang_scope *scope, tern_value **out,
                   struct tern_diags *diags);

/*
 * What a child of an expression is to its parent, for a walk that treats
 * some children differently (tern_lang_expr_children). Bits: a
 * TERN_LANG_CHILD_PART is one part of a TEMPLATE (its literal text or an
 * interpolation); a TERN_LANG_CHILD_BODY is template text of a directive
 * (then/else of %{if}, the body of %{for}); a TERN_LANG_CHILD_SCOPED is the
 * key, value or condition of a for expression, where its variables are
 * bound (its collection is not).
 */
#define TERN_LANG_CHILD_PART   1u
#define TERN_LANG_CHILD_BODY   2u
#define TERN_LANG_CHILD_SCOPED 4u

/*
 * Call @fn once for each direct child of @e that is there, in source order
 * (as hclsyntax's walkChildNodes: an object's key then its value, item by
 * item; a for's collection, key, value, condition), with @role the
 * TERN_LANG_CHILD_* bits that apply. It does not descend: each walk
 * recurses through its own @fn and keeps its own depth bound. The one
 * place that knows which children each expression kind has.
 */
void tern_lang_expr_children(const struct tern_expr *e,
                             void (*fn)(void *ctx, const struct tern_expr *e,
                                        const struct tern_expr *child,
                                        unsigned int role),
                             void *ctx);

/*
 * Every reference @e makes, in source order, skipping names bound by for
 * expressions inside it: var.x, local.x, module.x, data.t.n, t.n (a
 * resource), each.x, count.x, path.x. The graph takes its edges from
 * these; validate checks them against the declarations.
 */
void tern_lang_expr_refs(const struct tern_expr *e,
                         void (*fn)(void *ctx, const struct tern_lang_ref *),
                         void *ctx);

/*
 * Does object key @key, as written, spell @text? A key that is a name
 * (aws, "aws", the JSON syntax's "aws") spells that name; a traversal of
 * names (aws.dst) spells its dotted text. Anything else (an index, a
 * template with interpolation, a number) spells nothing. For the maps whose
 * keys are names, not values: a module call's providers map, the members
 * of an object read before evaluation.
 */
int tern_lang_key_is(const struct tern_expr *key, const char *text);

/*
 * Evaluate a block body into an object: each attribute by name, each kind
 * of nested block as a list of objects in source order, dynamic blocks
 * expanded into the blocks they generate (for_each, iterator, content).
 * With @resource set, the meta-arguments (count, for_each, depends_on,
 * provider) and meta-blocks (lifecycle, provisioner, connection) are left
 * out. Evaluation goes on past errors; TERN_ERROR still sets *out.
 */
int tern_lang_body_eval(const struct tern_body *body,
                        const struct tern_lang_scope *scope, int resource,
                        tern_value **out, struct tern_diags *diags);

/* Convert a value to a string as templates do: numbers, bools; else -1. */
char *tern_lang_value_to_string(const tern_value *v);

/* ---- Type constraints -------------------------------------------------- */

enum tern_lang_type_kind {
    TERN_LTYPE_ANY,
    TERN_LTYPE_STRING,
    TERN_LTYPE_NUMBER,
    TERN_LTYPE_BOOL,
    TERN_LTYPE_LIST,
    TERN_LTYPE_SET,
    TERN_LTYPE_MAP,
    TERN_LTYPE_OBJECT,
    TERN_LTYPE_TUPLE
};

/* A variable's type constraint. */
struct tern_lang_type {
    enum tern_lang_type_kind kind;
    struct tern_lang_type *elem;   /* list, set, map */
    size_t n;                      /* object attributes, tuple elements */
    char **names;                  /* object */
    struct tern_lang_type **types; /* object, tuple */
    unsigned char *optional;       /* object: optional(...) */
    tern_value **defaults;         /* object: optional's default, or NULL */
};

/* Read a type expression (string, list(string), object({a=optional(
 * number, 1)}), ...). Returns TERN_OK with a new type (free it with
 * tern_lang_type_free), or TERN_ERROR with a diagnostic. */
int tern_lang_type_parse(const struct tern_expr *e, struct tern_lang_type **out,
                         struct tern_diags *diags);
void tern_lang_type_free(struct tern_lang_type *t);
/* The type as written, e.g. "map(object({name=string}))"; tern_free. */
char *tern_lang_type_string(const struct tern_lang_type *t);
/* Convert a value to a type. TERN_ERROR puts the reason, with a path such
 * as "[0].name: string required", in @why. */
int tern_lang_type_convert(const struct tern_lang_type *t, const tern_value *v,
                           tern_value **out, char *why, size_t why_size);

/* ---- Functions --------------------------------------------------------- */

/* The names of all functions, sorted; NULL-terminated. */
const char *const *tern_lang_function_names(void);

/* ---- Configuration ----------------------------------------------------- */

struct tern_blockvec {
    struct tern_block **items;
    size_t n, alloc;
};

struct tern_lang_config;

/* A module call of a configuration and the module it loads. */
struct tern_lang_modcall {
    const struct tern_block *call; /* the module "NAME" block */
    const char *name;
    const char *source;           /* as written; NULL when not a string */
    struct tern_lang_config *cfg; /* the child; NULL when it failed */
};

/*
 * The files of a configuration held in memory (a plan file's), by name
 * relative to the root module's directory: "main.tf",
 * "modules/role/main.tf". Child modules are loaded from it instead of the
 * disk.
 */
struct tern_lang_fileset {
    size_t n;
    const char *const *names;
    const char *const *texts;
    const size_t *lens;
};

/* A module: the top-level blocks of every *.tf and *.tf.json file of a
 * directory, in file order (files sorted by name). The root module owns
 * the sources of every module of the tree (child modules' files are
 * named by their path from the root's directory, "modules/role/main.tf");
 * a child's own sources are empty. */
/* A set of names with an index each (names.c): borrowed strings. */
struct tern__nameset_slot {
    const char *name;
    size_t idx;
};
struct tern__nameset {
    struct tern__nameset_slot *slots;
    size_t size, used;
};
/* Find @name (*found = its index) or, when absent, add it with @idx
 * (*found = SIZE_MAX). TERN_OK or TERN_ENOMEM. */
int tern__nameset_add(struct tern__nameset *n, const char *name, size_t idx,
                      size_t *found);
/* 1 and *found (may be NULL) when @name is in the set, else 0. */
int tern__nameset_find(const struct tern__nameset *n, const char *name,
                       size_t *found);
void tern__nameset_release(struct tern__nameset *n);

struct tern_lang_config {
    char *dir; /* where its files are read; path.module */
    char *rel; /* from the root's directory: "" root, "modules/role" */
    char *key; /* modules.json Key: "" root, "roles", "net.sub" */
    const struct tern_lang_config *parent; /* NULL for the root */
    struct tern_lang_modcall *calls;       /* cfg->modules, in order */
    size_t ncalls;
    size_t nown_files; /* the root's own files: the first of sources */
    /* The selected workspace (terraform.workspace), set by the CLI on the
     * root; NULL means "default". Owned. */
    char *workspace;
    struct tern_lang_sources sources;
    struct tern_blockvec terraform, providers, variables, locals, resources,
        data, outputs, modules, imports, moved, checks, removed;
    /* Every attribute of every locals block. */
    struct tern_attribute **local_attrs;
    size_t nlocal_attrs;
    /* Private: their capacity, and their names (index in local_attrs). */
    size_t alocal_attrs;
    struct tern__nameset local_names;
    /* Private: named blocks by type and labels, for duplicate checks. */
    struct tern_block **index;
    size_t index_size, index_used;
};

/*
 * Load a directory. Duplicate variables, locals, outputs, modules,
 * resources and data sources, and unknown top-level blocks, are reported
 * as diagnostics. Returns TERN_OK, TERN_ERROR (diagnostics), TERN_ENOMEM;
 * *out is set unless it is TERN_ENOMEM or the directory cannot be read.
 */
int tern_lang_config_load(const char *dir, struct tern_lang_config **out,
                          struct tern_diags *diags);

/* Add one file's text to a configuration (tests, stdin). */
int tern_lang_config_add_file(struct tern_lang_config *cfg, const char *name,
                              const char *text, size_t len,
                              struct tern_diags *diags);

/*
 * Load the child modules of @cfg (a root module), recursively: every
 * module call's local source ("./x", "../x", relative to the calling
 * module's directory), from @fs when given, else from the disk. Remote
 * sources are refused with a diagnostic at their source argument.
 * tern_lang_config_load() does this already.
 */
int tern_lang_config_load_modules(struct tern_lang_config *cfg,
                                  const struct tern_lang_fileset *fs,
                                  struct tern_diags *diags);

/* Every module of the tree, root first, depth-first in call order. */
void tern_lang_config_walk(const struct tern_lang_config *cfg,
                           void (*fn)(void *ctx,
                                      const struct tern_lang_config *mod),
                           void *ctx);

struct tern_lang_config *tern_lang_config_new(const char *dir);
void tern_lang_config_free(struct tern_lang_config *cfg);

/* ---- Input variables --------------------------------------------------- */

/* One value given for a variable, from the environment, a file or the
 * command line. */
struct tern_lang_var_value {
    char *name;
    char *raw;                    /* TF_VAR_x or -var x=raw; else NULL */
    const struct tern_expr *expr; /* an attribute of a tfvars file */
    char *origin;                 /* "environment", "file \"x.tfvars\"", ... */
    int from_cli;
};

/* Every value given, lowest precedence first; later ones win. */
struct tern_lang_var_inputs {
    struct tern_lang_sources sources; /* the tfvars files */
    struct tern_lang_var_value *items;
    size_t n, alloc;
};

/*
 * Collect the values Terraform would, in its order of precedence: TF_VAR_
 * environment variables (@envp, may be NULL), terraform.tfvars,
 * terraform.tfvars.json, *.auto.tfvars and *.auto.tfvars.json in @dir
 * (name order), then @cli in order: "-var=name=value" or
 * "-var-file=path" (also without the leading dash).
 */
int tern_lang_var_inputs_collect(struct tern_lang_var_inputs *in,
                                 const char *dir, char *const *envp,
                                 const char *const *cli, size_t ncli,
                                 struct tern_diags *diags);
void tern_lang_var_inputs_release(struct tern_lang_var_inputs *in);

/*
 * The value of every declared variable: the last given value, else the
 * default; converted to the type constraint, checked by the validation
 * blocks, marked sensitive where declared. *out is an object by name;
 * variables without a value are reported ("No value for required
 * variable") and left out. @in may be NULL; text values that are parsed
 * as expressions are kept in in->sources, which diagnostics refer to.
 */
int tern_lang_variables_eval(const struct tern_lang_config *cfg,
                             struct tern_lang_var_inputs *in, tern_value **out,
                             struct tern_diags *diags);

/*
 * The validation rules that refer to more than input variables (Terraform
 * 1.9: locals, resources, data sources), which tern_lang_variables_eval
 * leaves out, evaluated in @scope (the engine's, its vars those of
 * tern_lang_variables_eval). A rule whose condition is unknown is not
 * checked. TERN_ERROR (reported) when one fails.
 */
int tern_lang_variables_validate_late(const struct tern_lang_config *cfg,
                                      const struct tern_lang_scope *scope,
                                      struct tern_diags *d);

/*
 * Every validation rule of variable block @var of a child module
 * instance, evaluated in @scope (the instance's: var.NAME is the call's
 * argument). A failure is reported at @subject, the call's argument (or
 * the variable's declaration when the call does not set it), as
 * Terraform reports a module variable's rule, naming the rule's place in
 * the module. TERN_ERROR (reported) when one fails.
 */
int tern_lang_variable_validate(const struct tern_block *var,
                                const struct tern_lang_scope *scope,
                                const struct tern_range *subject,
                                struct tern_diags *d);

/* ---- Instances and validation ----------------------------------------- */

enum tern_lang_expand_mode {
    TERN_LANG_EXPAND_SINGLE,  /* no count or for_each: one instance */
    TERN_LANG_EXPAND_COUNT,   /* keys are 0..n-1 */
    TERN_LANG_EXPAND_FOR_EACH /* keys are strings; values each.value */
};

/* The instances of a resource, data or module block. */
struct tern_lang_instances {
    enum tern_lang_expand_mode mode;
    size_t n;
    tern_value **keys;   /* null for SINGLE; numbers; strings */
    tern_value **values; /* for_each: each.value; else NULL entries */
    int unknown;         /* count/for_each not known until apply */
    size_t alloc;        /* private: the capacity of keys and values */
};

/* The most instances a count or for_each may ask for (issue 20, finding
 * 7). */
#define TERN_LANG_MAX_INSTANCES 100000

/*
 * Evaluate a block's count or for_each with Terraform's rules: count a
 * whole number >= 0 (at most TERN_LANG_MAX_INSTANCES), for_each a map or a set
 * of strings, neither null nor sensitive nor unknown (then out->unknown is set
 * and an error added, as Terraform refuses to plan it), not both.
 */
int tern_lang_expand(const struct tern_block *b,
                     const struct tern_lang_scope *scope,
                     struct tern_lang_instances *out, struct tern_diags *diags);
void tern_lang_instances_release(struct tern_lang_instances *in);

/*
 * How Terraform names a module in a message (moduleConfigDisplayAddr in
 * internal/terraform/evaluate_valid.go): "the root module" for @key ""
 * or NULL, else the module's path "module.net.module.sub" for the
 * modules.json key "net.sub".
 */
void tern_lang_module_display(const char *key, char *buf, size_t size);

/* "Reference to undeclared input variable" at @range, as Terraform says
 * it (GetInputVariable in internal/terraform/evaluate.go): @hint, a
 * " Did you mean ...?" or "", replaces the advice to declare it. */
void tern_lang_undeclared_var(struct tern_diags *d,
                              const struct tern_range *range, const char *name,
                              const char *hint);

/*
 * `terraform validate` for what the language knows: every reference names
 * something declared (with "did you mean"), each and count only where
 * for_each and count are set, type constraints well formed. Returns
 * TERN_OK or TERN_ERROR with diagnostics.
 */
int tern_lang_config_validate(const struct tern_lang_config *cfg,
                              struct tern_diags *diags);

/* The attribute named @name of a body, NULL if absent. */
const struct tern_attribute *tern_lang_body_attr(const struct tern_body *b,
                                                 const char *name);

#endif
