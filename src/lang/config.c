/*
 * Loading a configuration directory: every *.tf and *.tf.json file, in
 * name order, into one module's list of top-level blocks, with the checks
 * that need no evaluation: unknown block types, label counts, duplicate
 * names; then the tree of child modules their module calls load (local
 * sources only: see resolve_source). Override files (*_override.tf) are
 * loaded like any other file; merging them is not done yet.
 */
#include "lang/lang_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct top_kind {
    const char *type;
    int labels;
    const char *label_names;
    size_t vec; /* offset of the tern_blockvec in tern_lang_config */
};

#define VEC(field) offsetof(struct tern_lang_config, field)

static const struct top_kind kinds[] = {
    {"check", 1, "name", VEC(checks)},
    {"data", 2, "type, name", VEC(data)},
    {"import", 0, "", VEC(imports)},
    {"locals", 0, "", VEC(locals)},
    {"module", 1, "name", VEC(modules)},
    {"moved", 0, "", VEC(moved)},
    {"output", 1, "name", VEC(outputs)},
    {"provider", 1, "name", VEC(providers)},
    {"removed", 0, "", VEC(removed)},
    {"resource", 2, "type, name", VEC(resources)},
    {"terraform", 0, "", VEC(terraform)},
    {"variable", 1, "name", VEC(variables)},
};

struct tern_lang_config *tern_lang_config_new(const char *dir)
{
    struct tern_lang_config *cfg = tern_calloc(1, sizeof(*cfg));

    if (!cfg)
        return NULL;
    cfg->dir = tern_strdup(dir ? dir : ".");
    cfg->rel = tern_strdup("");
    cfg->key = tern_strdup("");
    if (!cfg->dir || !cfg->rel || !cfg->key) {
        tern_free(cfg->dir);
        tern_free(cfg->rel);
        tern_free(cfg->key);
        tern_free(cfg);
        return NULL;
    }
    return cfg;
}

void tern_lang_config_free(struct tern_lang_config *cfg)
{
    size_t i;

    if (!cfg)
        return;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct tern_blockvec *v =
            (struct tern_blockvec *)((char *)cfg + kinds[i].vec);

        tern_free(v->items);
    }
    for (i = 0; i < cfg->ncalls; i++)
        tern_lang_config_free(cfg->calls[i].cfg);
    tern_free(cfg->calls);
    tern_free(cfg->local_attrs);
    tern__nameset_release(&cfg->local_names);
    tern_free(cfg->index);
    tern_lang_sources_free(&cfg->sources);
    tern_free(cfg->dir);
    tern_free(cfg->workspace);
    tern_free(cfg->rel);
    tern_free(cfg->key);
    tern_free(cfg);
}

const struct tern_attribute *tern_lang_body_attr(const struct tern_body *b,
                                                 const char *name)
{
    size_t i;

    for (i = 0; b && i < b->nattrs; i++)
        if (strcmp(b->attrs[i].name, name) == 0)
            return &b->attrs[i];
    return NULL;
}

static int vec_push(struct tern_blockvec *v, struct tern_block *b)
{
    if (TERN_VEC_RESERVE(v->items, v->alloc, v->n + 1) != TERN_OK)
        return TERN_ENOMEM;
    v->items[v->n++] = b;
    return TERN_OK;
}

/* "main.tf:3,1-20", as Terraform prints a range inside a message. */
static void fmt_range(char *buf, size_t size, const struct tern_range *r)
{
    if (r->start.line == r->end.line)
        snprintf(buf, size, "%s:%u,%u-%u", r->file ? r->file : "",
                 r->start.line, r->start.column, r->end.column);
    else
        snprintf(buf, size, "%s:%u,%u-%u,%u", r->file ? r->file : "",
                 r->start.line, r->start.column, r->end.line, r->end.column);
}

static int same_labels(const struct tern_block *a, const struct tern_block *b)
{
    size_t i;

    if (a->nlabels != b->nlabels || strcmp(a->type, b->type) != 0)
        return 0;
    for (i = 0; i < a->nlabels; i++)
        if (strcmp(a->labels[i], b->labels[i]) != 0)
            return 0;
    return 1;
}

static size_t block_hash(const struct tern_block *b)
{
    size_t h = 5381, i;
    const char *p;

    for (p = b->type; *p; p++)
        h = h * 33 + (unsigned char)*p;
    for (i = 0; i < b->nlabels; i++) {
        h = h * 33 + 1;
        for (p = b->labels[i]; *p; p++)
            h = h * 33 + (unsigned char)*p;
    }
    return h;
}

/*
 * The block already declared with @b's type and labels, or NULL after
 * adding @b: an open-addressing hash set, so a module of thousands of
 * resources loads in linear time.
 */
static int index_find_or_add(struct tern_lang_config *cfg, struct tern_block *b,
                             const struct tern_block **prev)
{
    size_t i, mask;

    *prev = NULL;
    if ((cfg->index_used + 1) * 2 > cfg->index_size) {
        size_t size = cfg->index_size ? cfg->index_size * 2 : 64, j;
        struct tern_block **idx = tern_calloc(size, sizeof(*idx));

        if (!idx)
            return TERN_ENOMEM;
        for (j = 0; j < cfg->index_size; j++) {
            if (!cfg->index[j])
                continue;
            for (i = block_hash(cfg->index[j]) & (size - 1); idx[i];
                 i = (i + 1) & (size - 1))
                ;
            idx[i] = cfg->index[j];
        }
        tern_free(cfg->index);
        cfg->index = idx;
        cfg->index_size = size;
    }
    mask = cfg->index_size - 1;
    for (i = block_hash(b) & mask; cfg->index[i]; i = (i + 1) & mask) {
        if (same_labels(cfg->index[i], b)) {
            *prev = cfg->index[i];
            return TERN_OK;
        }
    }
    cfg->index[i] = b;
    cfg->index_used++;
    return TERN_OK;
}

static int check_duplicate(struct tern_lang_config *cfg, struct tern_block *b,
                           struct tern_diags *d)
{
    char at[512];
    const struct tern_block *prev = NULL;

    if (strcmp(b->type, "variable") != 0 && strcmp(b->type, "output") != 0 &&
        strcmp(b->type, "resource") != 0 && strcmp(b->type, "data") != 0 &&
        strcmp(b->type, "module") != 0 && strcmp(b->type, "check") != 0)
        return TERN_OK;
    if (index_find_or_add(cfg, b, &prev))
        return TERN_ENOMEM;
    if (!prev)
        return TERN_OK;
    fmt_range(at, sizeof(at), &prev->def_range);
    if (strcmp(b->type, "variable") == 0)
        tern_diags_add(d, TERN_SEV_ERROR, &b->def_range,
                       "Duplicate variable declaration",
                       "A variable named \"%s\" was already declared at %s. "
                       "Variable names must be unique within a module.",
                       b->labels[0], at);
    else if (strcmp(b->type, "output") == 0)
        tern_diags_add(d, TERN_SEV_ERROR, &b->def_range,
                       "Duplicate output definition",
                       "An output named \"%s\" was already defined at %s. "
                       "Output names must be unique within a module.",
                       b->labels[0], at);
    else if (strcmp(b->type, "module") == 0)
        tern_diags_add(d, TERN_SEV_ERROR, &b->def_range,
                       "Duplicate module call",
                       "A module call named \"%s\" was already defined at "
                       "%s. Module calls must have unique names within a "
                       "module.",
                       b->labels[0], at);
    else if (strcmp(b->type, "check") == 0)
        tern_diags_add(d, TERN_SEV_ERROR, &b->def_range,
                       "Duplicate check block",
                       "A check block named \"%s\" was already defined at "
                       "%s. Check blocks must have unique names within a "
                       "module.",
                       b->labels[0], at);
    else {
        char summary[256];

        snprintf(summary, sizeof(summary), "Duplicate %s \"%s\" configuration",
                 b->type, b->labels[0]);
        tern_diags_add(d, TERN_SEV_ERROR, &b->def_range, summary,
                       "A %s %sresource named \"%s\" was already declared at "
                       "%s. Resource names must be unique per type in each "
                       "module.",
                       b->labels[0], b->type[0] == 'd' ? "data " : "",
                       b->labels[1], at);
    }
    return TERN_ERROR;
}

static int add_locals(struct tern_lang_config *cfg, struct tern_block *b,
                      struct tern_diags *d)
{
    size_t i, j;
    int error = TERN_OK;

    for (i = 0; i < b->body->nattrs; i++) {
        struct tern_attribute *a = &b->body->attrs[i];

        if (tern__nameset_add(&cfg->local_names, a->name, cfg->nlocal_attrs,
                              &j))
            return TERN_ENOMEM;
        if (j != SIZE_MAX) {
            char at[512];

            fmt_range(at, sizeof(at), &cfg->local_attrs[j]->name_range);
            tern_diags_add(d, TERN_SEV_ERROR, &a->name_range,
                           "Duplicate local value definition",
                           "A local value named \"%s\" was already "
                           "defined at %s. Local value names must be "
                           "unique within a module.",
                           a->name, at);
            error = TERN_ERROR;
            continue;
        }
        if (TERN_VEC_RESERVE(cfg->local_attrs, cfg->alocal_attrs,
                             cfg->nlocal_attrs + 1) != TERN_OK)
            return TERN_ENOMEM;
        cfg->local_attrs[cfg->nlocal_attrs++] = a;
    }
    for (i = 0; i < b->body->nblocks; i++) {
        tern_diags_add(d, TERN_SEV_ERROR, &b->body->blocks[i]->def_range,
                       "Unsupported block type",
                       "Blocks of type \"%s\" are not expected here.",
                       b->body->blocks[i]->type);
        error = TERN_ERROR;
    }
    return error;
}

/* The text of a string without interpolations ("./x" in either syntax). */
static const char *literal_string(const struct tern_expr *e)
{
    if (e && e->kind == TERN_EXPR_TEMPLATE && e->u.list.n == 1)
        e = e->u.list.items[0];
    if (e && e->kind == TERN_EXPR_LITERAL &&
        tern_value_kind(e->u.literal) == TERN_VAL_STRING)
        return tern_value_get_string(e->u.literal);
    return NULL;
}

/* Forget the diagnostics from index @from on. */
static void drop_diags(struct tern_diags *d, size_t from)
{
    size_t i;

    for (i = from; i < d->count; i++) {
        if (d->items[i].severity == TERN_SEV_ERROR)
            d->errors--;
        tern_free(d->items[i].summary);
        tern_free(d->items[i].detail);
        tern_free(d->items[i].service_code);
        tern_free(d->items[i].request_id);
    }
    if (from < d->count)
        d->count = from;
}

int tern_lang_config_add_file(struct tern_lang_config *cfg, const char *name,
                              const char *text, size_t len,
                              struct tern_diags *diags)
{
    struct tern_lang_file *f = NULL;
    size_t nlen = strlen(name), i, k, errors = diags->errors;
    size_t first = diags->count;
    unsigned long failed = tern_alloc_failures();
    int error, err;

    if (nlen > 8 && strcmp(name + nlen - 8, ".tf.json") == 0)
        error = tern_lang_parse_json(&cfg->sources, name, text, len, &f, diags);
    else
        error = tern_lang_parse_hcl(&cfg->sources, name, text, len, &f, diags);
    if (error == TERN_ENOMEM || !f || !f->body)
        goto oom;
    for (i = 0; i < f->body->nattrs; i++) {
        const char *cands[sizeof(kinds) / sizeof(kinds[0])];
        const char *best;

        for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            cands[k] = kinds[k].type;
        best = tern_lang_suggest(f->body->attrs[i].name, cands, k);
        if (f->is_json)
            /* In JSON every top-level property must be a block type. */
            tern_diags_add(diags, TERN_SEV_ERROR, &f->body->attrs[i].name_range,
                           "Extraneous JSON object property",
                           "No argument or block type is named \"%s\".%s%s%s",
                           f->body->attrs[i].name,
                           best ? " Did you mean \"" : "", best ? best : "",
                           best ? "\"?" : "");
        else
            tern_diags_add(diags, TERN_SEV_ERROR, &f->body->attrs[i].name_range,
                           "Unsupported argument",
                           "An argument named \"%s\" is not expected here.",
                           f->body->attrs[i].name);
    }
    for (i = 0; i < f->body->nblocks; i++) {
        struct tern_block *b = f->body->blocks[i];
        const struct top_kind *kind = NULL;
        struct tern_blockvec *v;

        for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            if (strcmp(kinds[k].type, b->type) == 0)
                kind = &kinds[k];
        if (!kind) {
            const char *cands[sizeof(kinds) / sizeof(kinds[0])];
            const char *best;

            for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
                cands[k] = kinds[k].type;
            best = tern_lang_suggest(b->type, cands, k);
            if (best)
                tern_diags_add(diags, TERN_SEV_ERROR, &b->type_range,
                               "Unsupported block type",
                               "Blocks of type \"%s\" are not expected "
                               "here. Did you mean \"%s\"?",
                               b->type, best);
            else
                tern_diags_add(diags, TERN_SEV_ERROR, &b->type_range,
                               "Unsupported block type",
                               "Blocks of type \"%s\" are not expected "
                               "here.",
                               b->type);
            continue;
        }
        if ((int)b->nlabels < kind->labels) {
            char summary[128];

            snprintf(summary, sizeof(summary), "Missing name for %s", b->type);
            tern_diags_add(diags, TERN_SEV_ERROR, &b->def_range, summary,
                           "All %s blocks must have %d labels (%s).", b->type,
                           kind->labels, kind->label_names);
            continue;
        }
        if ((int)b->nlabels > kind->labels) {
            char summary[128];

            snprintf(summary, sizeof(summary), "Extraneous label for %s",
                     b->type);
            if (kind->labels)
                tern_diags_add(diags, TERN_SEV_ERROR,
                               &b->label_ranges[kind->labels], summary,
                               "Only %d labels (%s) are expected for %s "
                               "blocks.",
                               kind->labels, kind->label_names, b->type);
            else
                tern_diags_add(diags, TERN_SEV_ERROR, &b->label_ranges[0],
                               summary, "No labels are expected for %s blocks.",
                               b->type);
            continue;
        }
        v = (struct tern_blockvec *)((char *)cfg + kind->vec);
        err = check_duplicate(cfg, b, diags);
        if (err == TERN_ENOMEM)
            goto oom;
        if (err)
            continue;
        if (vec_push(v, b))
            goto oom;
        if (strcmp(b->type, "locals") == 0 &&
            add_locals(cfg, b, diags) == TERN_ENOMEM)
            goto oom;
    }
    tern__diags_sort(diags, first);
    /* A load that ran out of memory anywhere is out of memory, whatever
     * the parser made of it (a literal it could not copy whole read as an
     * unterminated string) and whichever message it could not add: the
     * allocator's count tells (util/alloc.h). */
    if (tern_alloc_failures() != failed)
        goto oom;
    return diags->errors > errors ? TERN_ERROR : TERN_OK;
oom:
    drop_diags(diags, first);
    return TERN_ENOMEM;
}

static int wanted(const char *name)
{
    size_t n = strlen(name);

    /* Editors' backup and lock files are not configuration. */
    if (name[0] == '.' || name[0] == '#' || (n && name[n - 1] == '~'))
        return 0;
    return (n > 3 && strcmp(name + n - 3, ".tf") == 0) ||
           (n > 8 && strcmp(name + n - 8, ".tf.json") == 0);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Add every configuration file of directory @dir to @cfg, in name order,
 * each named @prefix + its name. TERN_ERROR without a diagnostic when the
 * directory cannot be read (*unreadable set).
 */
static int load_dir(struct tern_lang_config *cfg, const char *dir,
                    const char *prefix, int *unreadable,
                    struct tern_diags *diags)
{
    TERN_VEC(char *) names = TERN_VEC_INIT;
    char *dup;
    size_t i;
    struct dirent *de;
    DIR *d;
    int error = TERN_OK;

    *unreadable = 0;
    d = opendir(dir);
    if (!d) {
        *unreadable = 1;
        return TERN_ERROR;
    }
    while ((de = readdir(d)) != NULL) {
        if (!wanted(de->d_name))
            continue;
        if (!(dup = tern_strdup(de->d_name)) ||
            tern_vec_push(&names, dup) != TERN_OK) {
            tern_free(dup);
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (names.n > 1) /* names.v is NULL in a directory without files */
        qsort(names.v, names.n, sizeof(*names.v), cmp_names);
    for (i = 0; i < names.n; i++) {
        char *path = tern_asprintf("%s/%s", dir, names.v[i]);
        char *name = tern_asprintf("%s%s", prefix, names.v[i]);
        char *text = NULL;
        size_t len = 0;
        int err = path && name ? tern_read_whole_file(path, &text, &len)
                               : TERN_ENOMEM;

        if (err == TERN_ERROR)
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to read file",
                           "The configuration file %s could not be read: "
                           "%s.",
                           path, strerror(errno));
        tern_free(path);
        if (err == TERN_OK) {
            /* Diagnostics name files as given, relative to the root. */
            err = tern_lang_config_add_file(cfg, name, text, len, diags);
            tern_free(text);
        }
        tern_free(name);
        if (err == TERN_ENOMEM) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (err)
            error = TERN_ERROR;
    }
done:
    closedir(d);
    for (i = 0; i < names.n; i++)
        tern_free(names.v[i]);
    tern_vec_release(&names);
    return error;
}

int tern_lang_config_load(const char *dir, struct tern_lang_config **out,
                          struct tern_diags *diags)
{
    struct tern_lang_config *cfg = NULL;
    int error, unreadable = 0, rc;

    *out = NULL;
    cfg = tern_lang_config_new(dir);
    if (!cfg)
        return TERN_ENOMEM;
    error = load_dir(cfg, dir, "", &unreadable, diags);
    if (unreadable) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Failed to read module directory",
                       "Module directory %s does not exist or cannot be "
                       "read: %s.",
                       dir, strerror(errno));
        tern_lang_config_free(cfg);
        return TERN_ERROR;
    }
    if (error == TERN_ENOMEM) {
        tern_lang_config_free(cfg);
        return error;
    }
    cfg->nown_files = cfg->sources.n;
    rc = tern_lang_config_load_modules(cfg, NULL, diags);
    if (rc == TERN_ENOMEM) {
        tern_lang_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return error ? error : rc;
}

/* ---- child modules ------------------------------------------------------ */

/* Modules calling modules deeper than this are a module calling itself. */
#define MODULE_MAX_DEPTH 64

/*
 * "a/b" + "../c" -> "a/c": a path from the root's directory, with "." and
 * "x/.." steps removed ("" for the root itself). Leading ".." stay.
 */
static char *join_rel(const char *base, const char *src)
{
    char *all = tern_asprintf("%s/%s", base, src), *out, *tok, *save = NULL;
    size_t len = 0;

    if (!all)
        return NULL;
    out = tern_calloc(strlen(all) + 1, 1);
    if (!out) {
        tern_free(all);
        return NULL;
    }
    for (tok = strtok_r(all, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0 && len > 0) {
            char *last = strrchr(out, '/');
            const char *lastseg = last ? last + 1 : out;

            if (strcmp(lastseg, "..") != 0) {
                len = last ? (size_t)(last - out) : 0;
                out[len] = '\0';
                continue;
            }
        }
        if (len)
            out[len++] = '/';
        memcpy(out + len, tok, strlen(tok) + 1);
        len += strlen(tok);
    }
    tern_free(all);
    return out;
}

/*
 * Where a module's source is. Only local paths are installed: a fetcher
 * (registry, git, http, s3) would download into .terraform/modules/KEY and
 * return that directory here; tern has none yet, so every other source is
 * an error that says to vendor the module. Terraform's rule for what is
 * local: internal/addrs/module_source.go (a leading "./" or "../").
 */
struct fetcher {
    const char *what;
    int (*matches)(const char *source);
    /* Download @source into @dest; TERN_OK or an error with diagnostics. */
    int (*fetch)(const char *source, const char *dest,
                 const struct tern_range *r, struct tern_diags *diags);
};

static const struct fetcher fetchers[] = {{NULL, NULL, NULL}};

static int is_local_source(const char *s)
{
    return strncmp(s, "./", 2) == 0 || strncmp(s, "../", 3) == 0 ||
           strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

static int load_child(struct tern_lang_config *root,
                      struct tern_lang_config *parent, size_t ci,
                      const struct tern_lang_fileset *fs, int depth,
                      struct tern_diags *diags);

static int load_calls(struct tern_lang_config *root,
                      struct tern_lang_config *cfg,
                      const struct tern_lang_fileset *fs, int depth,
                      struct tern_diags *diags)
{
    size_t i;
    int error = TERN_OK, rc;

    if (!cfg->modules.n)
        return TERN_OK;
    cfg->calls = tern_calloc(cfg->modules.n, sizeof(*cfg->calls));
    if (!cfg->calls)
        return TERN_ENOMEM;
    cfg->ncalls = cfg->modules.n;
    for (i = 0; i < cfg->ncalls; i++) {
        const struct tern_block *b = cfg->modules.items[i];
        const struct tern_attribute *src =
            tern_lang_body_attr(b->body, "source");

        cfg->calls[i].call = b;
        cfg->calls[i].name = b->labels[0];
        cfg->calls[i].source = src ? literal_string(src->expr) : NULL;
    }
    for (i = 0; i < cfg->ncalls; i++) {
        rc = load_child(root, cfg, i, fs, depth, diags);
        if (rc == TERN_ENOMEM)
            return rc;
        if (rc)
            error = TERN_ERROR;
    }
    return error;
}

/* A module call tern can load: a literal, local source, no version, not
 * nested too deeply. */
static int check_call(const struct tern_lang_modcall *mc,
                      const struct tern_attribute *src, int depth,
                      struct tern_diags *diags)
{
    const struct tern_block *b = mc->call;
    const struct tern_attribute *ver = tern_lang_body_attr(b->body, "version");
    size_t k;

    if (!src) {
        tern_diags_add(diags, TERN_SEV_ERROR, &b->def_range,
                       "Missing required argument",
                       "The argument \"source\" is required, but no "
                       "definition was found.");
        return TERN_ERROR;
    }
    if (!mc->source) {
        /* internal/configs/module_call.go: the source is a literal. */
        tern_diags_add(diags, TERN_SEV_ERROR, &src->expr->range,
                       "Invalid module source address",
                       "The module source address must be a literal "
                       "string.");
        return TERN_ERROR;
    }
    if (!is_local_source(mc->source)) {
        for (k = 0; fetchers[k].what; k++)
            if (fetchers[k].matches(mc->source))
                break;
        /* No fetcher yet: say what to do instead. */
        tern_diags_add(diags, TERN_SEV_ERROR, &src->expr->range,
                       "Module source not supported",
                       "Module \"%s\" comes from \"%s\", which tern cannot "
                       "download: it installs only modules in local "
                       "directories. Vendor the module into this "
                       "repository (for example, copy its files into "
                       "./modules/%s) and set source to that path, "
                       "starting with ./ or ../.",
                       mc->name, mc->source, mc->name);
        return TERN_ERROR;
    }
    if (ver) {
        /* internal/configs/config_build.go */
        tern_diags_add(diags, TERN_SEV_ERROR, &ver->expr->range,
                       "Invalid registry module source address",
                       "Cannot use version argument with a local module "
                       "source address: \"%s\". Version constraints are "
                       "only supported for modules from a module "
                       "registry.",
                       mc->source);
        return TERN_ERROR;
    }
    if (depth >= MODULE_MAX_DEPTH) {
        tern_diags_add(diags, TERN_SEV_ERROR, &b->def_range,
                       "Module calls nested too deeply",
                       "Module \"%s\" is called at a depth of %d modules: a "
                       "module calls itself, directly or through others.",
                       mc->name, depth + 1);
        return TERN_ERROR;
    }
    return TERN_OK;
}

/* A module's files from a plan's fileset: those directly under prefix,
 * each once; *unreadable when there is none. */
static int load_fileset(struct tern_lang_config *child,
                        const struct tern_lang_fileset *fs, const char *prefix,
                        int *unreadable, struct tern_diags *diags)
{
    size_t plen = strlen(prefix), found = 0, i, k;
    int error = TERN_OK;

    for (i = 0; i < fs->n; i++) {
        const char *nm = fs->names[i];

        if (strncmp(nm, prefix, plen) != 0 || strchr(nm + plen, '/'))
            continue;
        /* A plan file holds a module's files once. */
        for (k = 0; k < i && strcmp(fs->names[k], nm) != 0; k++)
            ;
        if (k < i)
            continue;
        found++;
        error = tern_lang_config_add_file(child, nm, fs->texts[i], fs->lens[i],
                                          diags);
        if (error == TERN_ENOMEM)
            goto done;
    }
    *unreadable = !found;
done:
    return error;
}

/* The root keeps every file, so diagnostics render from one place: the
 * child's files move to it. */
static int move_sources(struct tern_lang_config *root,
                        struct tern_lang_config *child)
{
    struct tern_lang_file **nf = NULL;
    size_t i;

    if (!child->sources.n)
        return TERN_OK;
    nf = tern_realloc(root->sources.files,
                      (root->sources.n + child->sources.n) * sizeof(*nf));
    if (!nf)
        return TERN_ENOMEM;
    root->sources.files = nf;
    for (i = 0; i < child->sources.n; i++)
        nf[root->sources.n++] = child->sources.files[i];
    tern_free(child->sources.files);
    child->sources.files = NULL;
    child->sources.n = 0;
    return TERN_OK;
}

static int load_child(struct tern_lang_config *root,
                      struct tern_lang_config *parent, size_t ci,
                      const struct tern_lang_fileset *fs, int depth,
                      struct tern_diags *diags)
{
    struct tern_lang_modcall *mc = &parent->calls[ci];
    const struct tern_block *b = mc->call;
    const struct tern_attribute *src = tern_lang_body_attr(b->body, "source");
    struct tern_lang_config *child = NULL;
    char *rel = NULL, *dir = NULL, *prefix = NULL;
    size_t before;
    int error = TERN_OK, unreadable = 0;

    if ((error = check_call(mc, src, depth, diags)))
        return error;
    rel = join_rel(parent->rel, mc->source);
    if (!rel)
        return TERN_ENOMEM;
    dir = strcmp(root->dir, ".") == 0
              ? tern_strdup(*rel ? rel : ".")
              : tern_asprintf("%s%s%s", root->dir, *rel ? "/" : "", rel);
    prefix = tern_asprintf("%s%s", rel, *rel ? "/" : "");
    child = dir ? tern_lang_config_new(dir) : NULL;
    if (!child || !prefix) {
        error = TERN_ENOMEM;
        goto done;
    }
    tern_free(child->rel);
    child->rel = rel;
    rel = NULL;
    tern_free(child->key);
    child->key = *parent->key ? tern_asprintf("%s.%s", parent->key, mc->name)
                              : tern_strdup(mc->name);
    if (!child->key) {
        error = TERN_ENOMEM;
        goto done;
    }
    child->parent = parent;
    before = diags->errors;
    if (fs)
        error = load_fileset(child, fs, prefix, &unreadable, diags);
    else
        error = load_dir(child, dir, prefix, &unreadable, diags);
    if (error == TERN_ENOMEM)
        goto done;
    if (unreadable) {
        /* internal/configs/configload: "Unreadable module directory". */
        tern_diags_add(diags, TERN_SEV_ERROR, &src->expr->range,
                       "Unreadable module directory",
                       "Unable to evaluate directory symlink: lstat %s: no "
                       "such file or directory",
                       child->dir);
        error = TERN_ERROR;
        goto done;
    }
    if ((error = move_sources(root, child)))
        goto done;
    mc->cfg = child;
    child = NULL;
    error = load_calls(root, mc->cfg, fs, depth + 1, diags);
    if (error != TERN_ENOMEM && diags->errors > before)
        error = TERN_ERROR;
done:
    tern_lang_config_free(child);
    tern_free(rel);
    tern_free(dir);
    tern_free(prefix);
    return error;
}

int tern_lang_config_load_modules(struct tern_lang_config *cfg,
                                  const struct tern_lang_fileset *fs,
                                  struct tern_diags *diags)
{
    return load_calls(cfg, cfg, fs, 0, diags);
}

void tern_lang_config_walk(const struct tern_lang_config *cfg,
                           void (*fn)(void *ctx,
                                      const struct tern_lang_config *mod),
                           void *ctx)
{
    size_t i;

    fn(ctx, cfg);
    for (i = 0; i < cfg->ncalls; i++)
        if (cfg->calls[i].cfg)
            tern_lang_config_walk(cfg->calls[i].cfg, fn, ctx);
}
