/*
 * The filesystem and template functions: fileset, pathexpand,
 * templatefile, templatestring (file, fileexists, filebase64, abspath,
 * basename and dirname are in functions.c).
 *
 * fileset matches as Terraform's doublestar glob does: "*", "?", "[...]",
 * "[^...]" and "{a,b}" within one path segment, "**" as a whole segment
 * for any number of directories; only regular files are listed, relative
 * to the path, in a set. Symbolic links to directories are not followed
 * into (a loop would never end).
 */
#include "lang/functions_int.h"
#include "util/alloc.h"

#include <dirent.h>
#include <fnmatch.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Templates ---------------------------------------------------------- */

static int valid_identifier(const char *s)
{
    size_t i;

    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
          s[0] == '_' || (unsigned char)s[0] >= 0x80))
        return 0;
    for (i = 1; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
              (unsigned char)s[i] >= 0x80))
            return 0;
    return 1;
}

/*
 * Render @text as a template named @name with the variables of argument 1;
 * the template's first error becomes one diagnostic at the call, with
 * @prefix ("" or "invalid template: ") before it.
 */
static int render(struct tern__fcall *c, const char *name, const char *text,
                  size_t len, tern_value **args, tern_value **out)
{
    struct tern_lang_sources srcs = {NULL, 0};
    struct tern_diags diags = TERN_DIAGS_INIT;
    struct tern_lang_scope scope;
    struct tern_expr *tpl = NULL;
    const tern_value *vars = args[1];
    size_t i;
    int error;

    if (tern_value_kind(vars) != TERN_VAL_OBJECT) {
        tern__fparam_error(c, 1, "vars", "invalid vars value: must be a map.");
        return TERN_ERROR;
    }
    for (i = 0; i < tern_value_length(vars); i++)
        if (!valid_identifier(tern_value_object_key(vars, i))) {
            tern__fparam_error(c, 1, "vars",
                               "invalid template variable name \"%s\": must "
                               "start with a letter, followed by zero or more "
                               "letters, digits, and underscores.",
                               tern_value_object_key(vars, i));
            return TERN_ERROR;
        }
    error = tern_lang_parse_template(&srcs, name, text, len, &tpl, &diags);
    if (error == TERN_OK) {
        memset(&scope, 0, sizeof(scope));
        if (c->scope)
            scope = *c->scope;
        scope.vars = scope.locals = NULL;
        scope.resolve = NULL;
        scope.iterators = NULL;
        scope.each_key = scope.each_value = scope.count_index = NULL;
        scope.root_vars = vars;
        error = tern_lang_eval(tpl, &scope, out, &diags);
        if (error == TERN_OK && !tern_value_is_unknown(*out)) {
            tern_value *s = tern__convert_string(*out);

            tern_value_decref(*out);
            *out = s;
            if (!s) {
                tern__farg_error(c, c->nargs_ranges,
                                 "the template did not produce a string.");
                error = TERN_ERROR;
            }
        }
    }
    if (error == TERN_ECANCELED &&
        !tern_diags_add(c->diags, TERN_SEV_ERROR, &c->range,
                        "Evaluation interrupted",
                        "tern was interrupted while it evaluated the "
                        "template %s, and stopped.",
                        name))
        error = TERN_ENOMEM;
    if (error == TERN_ERROR && diags.count) {
        /* The template's source is gone after this call: fold its first
         * error into one diagnostic at the call, as Terraform does. */
        const struct tern_diag *d = &diags.items[0];

        tern__farg_error(c, 0, "%s:%u,%u: %s; %s", name, d->range.start.line,
                         d->range.start.column, d->summary,
                         d->detail ? d->detail : "");
    }
    tern_diags_release(&diags);
    tern_lang_sources_free(&srcs);
    return error;
}

/* Templates may not call templatefile or templatestring (a template's
 * scope is the only one with root_vars). */
static int nested(struct tern__fcall *c)
{
    if (c->scope && c->scope->root_vars) {
        tern__farg_error(c, c->nargs_ranges,
                         "cannot recursively call %s from inside another "
                         "template function.",
                         c->name);
        return 1;
    }
    return 0;
}

FN(templatefile)
{
    tern_value *p = NULL;
    char *text = NULL;
    size_t len = 0;
    int error;

    (void)n;
    if (nested(c))
        return TERN_ERROR;
    if (tern_value_kind(args[1]) != TERN_VAL_OBJECT) {
        tern__fparam_error(c, 1, "vars", "invalid vars value: must be a map.");
        return TERN_ERROR;
    }
    if ((error = tern__read_file(c, args, &text, &len)))
        return error;
    if ((error = tern__arg_string(c, args, 0, &p)) == TERN_OK)
        error = render(c, tern_value_get_string(p), text, len, args, out);
    tern_value_decref(p);
    tern_free(text);
    return error;
}

/* Whether @e is a plain reference: a.b, a.b[0], a["k"].c. */
static int is_traversal(const struct tern_expr *e)
{
    for (;;) {
        switch (e->kind) {
        case TERN_EXPR_VAR:
            return 1;
        case TERN_EXPR_GETATTR:
            e = e->u.attr.obj;
            break;
        case TERN_EXPR_INDEX:
            if (e->u.index.key->kind != TERN_EXPR_LITERAL &&
                !(e->u.index.key->kind == TERN_EXPR_TEMPLATE &&
                  e->u.index.key->u.list.n == 1 &&
                  e->u.index.key->u.list.items[0]->kind == TERN_EXPR_LITERAL))
                return 0;
            e = e->u.index.obj;
            break;
        default:
            return 0;
        }
    }
}

FN(templatestring)
{
    const struct tern_expr *e = c->arg_exprs ? c->arg_exprs[0] : NULL;
    size_t i;

    (void)n;
    if (nested(c))
        return TERN_ERROR;
    /* Terraform takes the template as an expression: a literal string
     * (template sequences escaped) or a reference to one, so that a
     * template is not written for the main parser by mistake. */
    while (e && e->kind == TERN_EXPR_PAREN)
        e = e->u.paren;
    if (e && e->kind == TERN_EXPR_TEMPLATE) {
        for (i = 0; i < e->u.list.n; i++)
            if (e->u.list.items[i]->kind != TERN_EXPR_LITERAL)
                break;
        if (e->u.list.n == 1 && i == 0) {
            tern__fparam_error(c, 0, "template",
                               "invalid template expression: either use $${ "
                               "to escape this template sequence for "
                               "processing by the templatestring function, or "
                               "write the inner expression alone to use its "
                               "value as the template to render.");
            return TERN_ERROR;
        }
        if (i < e->u.list.n) {
            tern__fparam_error(c, 0, "template",
                               "invalid template expression: use $${ and %%%%{ "
                               "to escape template sequences so that they can "
                               "be parsed by the templatestring function, "
                               "rather than by the main Terraform parser.");
            return TERN_ERROR;
        }
    } else if (e && e->kind != TERN_EXPR_LITERAL && !is_traversal(e)) {
        tern__fparam_error(c, 0, "template",
                           "invalid template expression: must be either a "
                           "literal string or a simple reference to a single "
                           "string from elsewhere.");
        return TERN_ERROR;
    }
    if (tern_value_kind(args[0]) != TERN_VAL_STRING) {
        tern__fparam_error(c, 0, "template",
                           "invalid template expression: a string is "
                           "required.");
        return TERN_ERROR;
    }
    return render(c, "<templatestring argument>",
                  tern_value_get_string(args[0]),
                  tern_value_string_len(args[0]), args, out);
}

/* ---- Paths -------------------------------------------------------------- */

FN(pathexpand)
{
    tern_value *p = NULL;
    const char *s, *home;
    char *joined, *clean;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &p)))
        return error;
    s = tern_value_get_string(p);
    if (s[0] != '~') {
        *out = p;
        return TERN_OK;
    }
    if (s[1] && s[1] != '/' && s[1] != '\\') {
        tern_value_decref(p);
        tern__farg_error(c, c->nargs_ranges,
                         "cannot expand user-specific home dir.");
        return TERN_ERROR;
    }
    home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());

        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home) {
        tern_value_decref(p);
        tern__farg_error(c, c->nargs_ranges,
                         "blank output when reading home directory.");
        return TERN_ERROR;
    }
    joined = tern_asprintf("%s/%s", home, s + 1);
    tern_value_decref(p);
    clean = joined ? tern__clean_path(joined) : NULL;
    tern_free(joined);
    if (!clean)
        return TERN_ENOMEM;
    return tern__fret(out, tern_value_string_own(clean, strlen(clean)));
}

/* ---- fileset ------------------------------------------------------------ */

/* Expand the first {a,b} of @pat into @alts (each tern_free); returns the
 * count, 0 when there is none, -1 on OOM. */
static int brace_expand(const char *pat, char ***alts)
{
    const char *open = NULL, *close, *p;
    char **v = NULL;
    int depth = 0, n = 0;

    for (p = pat; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '{' && !open) {
            open = p;
        }
    }
    if (!open)
        return 0;
    for (p = open, close = NULL; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '{')
            depth++;
        else if (*p == '}' && --depth == 0) {
            close = p;
            break;
        }
    }
    if (!close)
        return 0;
    p = open + 1;
    for (;;) {
        const char *q = p;
        char **nv;

        depth = 0;
        while (q < close && !(depth == 0 && *q == ',')) {
            if (*q == '{')
                depth++;
            else if (*q == '}')
                depth--;
            q++;
        }
        nv = tern_realloc(v, (size_t)(n + 1) * sizeof(*v));
        if (!nv)
            goto oom;
        v = nv;
        v[n] = tern_asprintf("%.*s%.*s%s", (int)(open - pat), pat, (int)(q - p),
                             p, close + 1);
        if (!v[n])
            goto oom;
        n++;
        if (q >= close)
            break;
        p = q + 1;
    }
    *alts = v;
    return n;

oom:
    while (n > 0)
        tern_free(v[--n]);
    tern_free(v);
    return -1;
}

/* Match @path's segments against @pat's, "**" spanning any number. */
static int seg_match(char **pat, size_t np, char **path, size_t nq)
{
    size_t k;

    if (np == 0)
        return nq == 0;
    if (strcmp(pat[0], "**") == 0) {
        for (k = 0; k <= nq; k++)
            if (seg_match(pat + 1, np - 1, path + k, nq - k))
                return 1;
        return 0;
    }
    if (nq == 0)
        return 0;
    return fnmatch(pat[0], path[0], 0) == 0 &&
           seg_match(pat + 1, np - 1, path + 1, nq - 1);
}

/* Split a copy of @s on '/' (segments point into *buf). */
static size_t split_segments(char *s, char **segs, size_t max)
{
    size_t n = 0;
    char *p = s;

    while (*p && n < max) {
        segs[n++] = p;
        p = strchr(p, '/');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

static int glob_match(const char *pat, const char *rel)
{
    char **alts = NULL;
    int n = brace_expand(pat, &alts), i, hit = 0;

    if (n < 0)
        return -1;
    if (n > 0) {
        for (i = 0; i < n; i++) {
            if (!hit) {
                int r = glob_match(alts[i], rel);

                if (r < 0)
                    hit = -1;
                else
                    hit = r;
            }
            tern_free(alts[i]);
        }
        tern_free(alts);
        return hit;
    }
    {
        char *pc = tern_strdup(pat), *rc = tern_strdup(rel);
        char *ps[128], *rs[128];
        size_t np, nr;

        if (!pc || !rc) {
            tern_free(pc);
            tern_free(rc);
            return -1;
        }
        np = split_segments(pc, ps, 128);
        nr = split_segments(rc, rs, 128);
        hit = seg_match(ps, np, rs, nr);
        tern_free(pc);
        tern_free(rc);
    }
    return hit;
}

struct walk {
    struct tern__fcall *c;
    const char *pattern; /* relative to the root */
    tern_value *list;
    int error;
};

static void walk_dir(struct walk *w, const char *root, const char *rel,
                     int depth)
{
    char *dir = *rel ? tern_asprintf("%s/%s", root, rel) : tern_strdup(root);
    DIR *d;
    struct dirent *de;

    if (!dir) {
        w->error = TERN_ENOMEM;
        return;
    }
    d = opendir(dir);
    if (!d) {
        tern_free(dir);
        return;
    }
    while (!w->error && (de = readdir(d)) != NULL) {
        char *sub, *full;
        struct stat st, lst;
        int m;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        sub = *rel ? tern_asprintf("%s/%s", rel, de->d_name)
                   : tern_strdup(de->d_name);
        full = sub ? tern_asprintf("%s/%s", root, sub) : NULL;
        if (!full) {
            tern_free(sub);
            w->error = TERN_ENOMEM;
            break;
        }
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            m = glob_match(w->pattern, sub);
            if (m < 0)
                w->error = TERN_ENOMEM;
            else if (m &&
                     tern_value_list_append(w->list, tern_value_string(sub)))
                w->error = TERN_ENOMEM;
        } else if (lstat(full, &lst) == 0 && S_ISDIR(lst.st_mode) &&
                   depth < 64) {
            walk_dir(w, root, sub, depth + 1);
        }
        tern_free(sub);
        tern_free(full);
    }
    closedir(d);
    tern_free(dir);
}

FN(fileset)
{
    tern_value *path = NULL, *pat = NULL;
    char *root = NULL, *joined = NULL, *clean = NULL, *croot = NULL;
    struct walk w;
    size_t rl;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &path)) ||
        (error = tern__arg_string(c, args, 1, &pat)))
        goto done;
    root = tern__resolve_path(c, tern_value_get_string(path));
    croot = root ? tern__clean_path(root) : NULL;
    /* The pattern joined to the path and cleaned, as filepath.Join does;
     * matched relative to the path. */
    joined = croot ? tern_asprintf("%s/%s", croot, tern_value_get_string(pat))
                   : NULL;
    clean = joined ? tern__clean_path(joined) : NULL;
    if (!clean) {
        error = TERN_ENOMEM;
        goto done;
    }
    rl = strlen(croot);
    memset(&w, 0, sizeof(w));
    w.c = c;
    w.list = tern_value_list_new();
    if (!w.list) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (strcmp(croot, ".") == 0)
        w.pattern = clean;
    else if (strncmp(clean, croot, rl) == 0 &&
             (clean[rl] == '/' || (rl == 1 && croot[0] == '/')))
        w.pattern = clean + rl + (clean[rl] == '/');
    else
        w.pattern = NULL; /* the pattern leaves the path: nothing matches */
    if (w.pattern)
        walk_dir(&w, croot, "", 0);
    error = w.error;
    if (error) {
        tern_value_decref(w.list);
        goto done;
    }
    *out = tern_value_set_finish(w.list);
    error = *out ? TERN_OK : TERN_ENOMEM;

done:
    tern_free(root);
    tern_free(croot);
    tern_free(joined);
    tern_free(clean);
    tern_value_decref(path);
    tern_value_decref(pat);
    return error;
}
