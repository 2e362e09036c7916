/*
 * What the CLI reads from a configuration before any engine work: where
 * the state lives (`terraform { backend "local" { path = ... } }`) and
 * which providers it needs. tern has its providers built in, so `init`
 * only checks that each one required is one tern has; nothing is
 * downloaded.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "backend/s3.h"
#include "engine/tfjson.h"
#include "lang/lang.h"
#include "tern/provider.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/buf.h"

/* Whether the current directory has a *.tf or *.tf.json file. */
static int has_config_files(void)
{
    DIR *d = opendir(".");
    struct dirent *de;
    int found = 0;

    if (!d)
        return 1; /* let the loader report why */
    while (!found && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.')
            continue;
        found = (n > 3 && strcmp(de->d_name + n - 3, ".tf") == 0) ||
                (n > 8 && strcmp(de->d_name + n - 8, ".tf.json") == 0);
    }
    closedir(d);
    return found;
}

int cli_config_load(struct tern_lang_config **out, struct tern_diags *diags)
{
    struct tern_lang_config *cfg = NULL;
    int error;

    *out = NULL;
    /* No configuration is normal for state commands: nothing to load. */
    if (!has_config_files())
        return TERN_OK;
    error = tern_lang_config_load(".", &cfg, diags);
    if (cfg && cfg->sources.n == 0) {
        tern_lang_config_free(cfg);
        cfg = NULL;
    }
    *out = cfg;
    return error;
}

/* Evaluate a constant expression (no references) of a settings block. */
static int eval_const(const struct tern_expr *e, tern_value **out,
                      struct tern_diags *diags)
{
    struct tern_lang_scope scope;

    memset(&scope, 0, sizeof(scope));
    scope.path_module = ".";
    scope.path_root = ".";
    scope.path_cwd = ".";
    return tern_lang_eval(e, &scope, out, diags);
}

int cli_config_backend_path(const struct tern_lang_config *cfg, char **path,
                            struct tern_diags *diags)
{
    size_t i, j;
    int error = TERN_OK;

    *path = NULL;
    for (i = 0; cfg && i < cfg->terraform.n; i++) {
        const struct tern_body *body = cfg->terraform.items[i]->body;

        for (j = 0; body && j < body->nblocks; j++) {
            const struct tern_block *b = body->blocks[j];
            const struct tern_attribute *a;
            tern_value *v = NULL;

            if (strcmp(b->type, "cloud") == 0) {
                tern_diags_add(diags, TERN_SEV_ERROR, &b->def_range,
                               "Unsupported backend",
                               "tern keeps its state in a local SQLite file; "
                               "a \"cloud\" block (HCP Terraform) is not "
                               "supported. Remove it to use the default "
                               "%s, or use backend \"local\".",
                               TERN_STATE_DEFAULT_PATH);
                error = TERN_ERROR;
                continue;
            }
            if (strcmp(b->type, "backend") != 0 || b->nlabels < 1)
                continue;
            if (strcmp(b->labels[0], "s3") == 0)
                continue; /* cli_config_backend_s3() */
            if (strcmp(b->labels[0], "local") != 0) {
                tern_diags_add(diags, TERN_SEV_ERROR, &b->label_ranges[0],
                               "Unsupported backend type",
                               "tern keeps its state in a local SQLite file "
                               "or in S3; the backend \"%s\" is not "
                               "supported. Remove the backend block to use "
                               "the default %s, or use backend \"local\" "
                               "with a path, or backend \"s3\".",
                               b->labels[0], TERN_STATE_DEFAULT_PATH);
                error = TERN_ERROR;
                continue;
            }
            a = tern_lang_body_attr(b->body, "path");
            if (a == NULL)
                continue;
            if (eval_const(a->expr, &v, diags) != TERN_OK) {
                error = TERN_ERROR;
                continue;
            }
            if (tern_value_kind(v) != TERN_VAL_STRING) {
                tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                               "Invalid backend path",
                               "The path of the local backend must be a "
                               "string.");
                error = TERN_ERROR;
            } else {
                tern_free(*path);
                *path = tern_strdup(tern_value_get_string(v));
                if (*path == NULL)
                    error = TERN_ENOMEM;
            }
            tern_value_decref(v);
        }
    }
    return error;
}

/* "registry.terraform.io/HashiCorp/AWS" -> "hashicorp/aws" (new string). */
static char *normal_source(const char *s)
{
    char *n;
    size_t i;

    if (strncmp(s, "registry.terraform.io/", 22) == 0)
        s += 22;
    n = tern_strdup(s);
    for (i = 0; n && n[i]; i++)
        if (n[i] >= 'A' && n[i] <= 'Z')
            n[i] = (char)(n[i] - 'A' + 'a');
    return n;
}

/* The provider's own address for a source it answers to, else NULL. */
static const char *builtin_source(const char *source)
{
    const tern_provider *p = tern_provider_for_source(source);

    return p ? p->sources[0] : NULL;
}

static const char *implied_source(const char *name)
{
    const tern_provider *p = tern_provider_find(name);

    return p ? p->sources[0] : NULL;
}

/* Add @s to @sources once; TERN_ENOMEM when it could not be. */
static int add_source(json_t *sources, const char *s)
{
    size_t i;
    json_t *x;

    json_array_foreach(sources, i, x)
    {
        if (strcmp(json_string_value(x), s) == 0)
            return TERN_OK;
    }
    return json_array_append_new(sources, json_string(s)) ? TERN_ENOMEM
                                                          : TERN_OK;
}

static void unsupported(struct tern_diags *diags, const struct tern_range *r,
                        const char *name, const char *source)
{
    tern_buf list = TERN_BUF_INIT;
    size_t i, n = 0;

    while (tern_providers[n])
        n++;
    for (i = 0; i < n; i++)
        tern_buf_printf(&list, "%s%s",
                        i == 0       ? ""
                        : i == n - 1 ? " and "
                                     : ", ",
                        tern_providers[i]->sources[0]);
    tern_diags_add(diags, TERN_SEV_ERROR, r, "Provider not supported",
                   "tern has the providers %s built in and downloads no "
                   "others; \"%s\"%s%s%s is not one of them.",
                   tern_buf_cstr(&list), source ? source : name,
                   source ? " (required as \"" : "", source ? name : "",
                   source ? "\")" : "");
    tern_buf_release(&list);
}

/*
 * terraform { required_version = "..." }: tern implements the Terraform
 * language as of this version, so configurations that pin Terraform 1.x
 * keep working and one that needs a newer language says so instead of
 * failing later on a construct tern does not know.
 */
/* TERN_LANGUAGE_VERSION: src/engine/tfjson.h */

/* Parse "1.2.3" (missing parts are 0, a "v" prefix allowed) into v[3]. */
static int parse_version(const char *s, long v[3], const char **end)
{
    int i;

    while (*s == ' ')
        s++;
    if (*s == 'v')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    v[0] = v[1] = v[2] = 0;
    for (i = 0; i < 3; i++) {
        char *e;

        v[i] = strtol(s, &e, 10);
        s = e;
        if (*s != '.' || i == 2)
            break;
        s++;
    }
    /* A pre-release or build suffix does not change the comparison here;
     * anything else ("1.2.3.4", "1.x") is not a version. */
    if (*s && *s != ',' && *s != ' ' && *s != '-' && *s != '+')
        return -1;
    while (*s && *s != ',' && *s != ' ')
        s++;
    *end = s;
    return 0;
}

static int cmp_version(const long a[3], const long b[3])
{
    int i;

    for (i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Whether version have meets every comma-separated constraint of spec;
 * -1 when spec is not a constraint. */
static int version_meets(const char *spec, const long have[3])
{
    const char *p = spec;

    while (*p) {
        long want[3], upper[3];
        const char *op, *end;
        size_t oplen = 0, parts;
        int c;

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        op = p;
        while (*p && strchr("=!<>~", *p))
            p++, oplen++;
        if (parse_version(p, want, &end) != 0)
            return -1;
        /* ~> pins every part but the last one written. */
        parts = 1;
        {
            const char *q = p;

            while (q < end) {
                if (*q == '.')
                    parts++;
                q++;
            }
        }
        p = end;
        c = cmp_version(have, want);
        if (oplen == 0 || (oplen == 1 && *op == '=')) {
            if (c != 0)
                return 0;
        } else if (oplen == 2 && strncmp(op, "!=", 2) == 0) {
            if (c == 0)
                return 0;
        } else if (oplen == 2 && strncmp(op, ">=", 2) == 0) {
            if (c < 0)
                return 0;
        } else if (oplen == 2 && strncmp(op, "<=", 2) == 0) {
            if (c > 0)
                return 0;
        } else if (oplen == 1 && *op == '>') {
            if (c <= 0)
                return 0;
        } else if (oplen == 1 && *op == '<') {
            if (c >= 0)
                return 0;
        } else if (oplen == 2 && strncmp(op, "~>", 2) == 0) {
            if (c < 0)
                return 0;
            upper[0] = want[0];
            upper[1] = want[1];
            upper[2] = want[2];
            if (parts <= 2) {
                upper[0]++;
                upper[1] = upper[2] = 0;
            } else {
                upper[1]++;
                upper[2] = 0;
            }
            if (cmp_version(have, upper) >= 0)
                return 0;
        } else {
            return -1;
        }
    }
    return 1;
}

/*
 * required_version as Terraform checks it: hashicorp/go-version's
 * Constraints (constraint.go, version.go), which Terraform's
 * internal/configs/version_constraint.go parses and
 * CheckCoreVersionRequirements checks against its own version. A
 * constraint is "OP VERSION" (=, !=, >, <, >=, <=, ~>, none meaning =),
 * comma-separated; a version has any number of numeric segments (padded
 * to three), a pre-release ("-beta1", or "beta1" straight after the
 * numbers) and build metadata ("+x", ignored).
 */
#define GOVER_SEGS 8

struct gover {
    long seg[GOVER_SEGS];
    size_t nseg; /* segments held, at least 3 */
    size_t si;   /* segments written */
    char pre[64];
};

static int gover_ident(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '-' || c == '~';
}

/* Parse a version from @s to @end (exclusive, spaces trimmed by the
 * caller); -1 when it is not one. */
static int gover_parse(const char *s, const char *end, struct gover *v)
{
    size_t n = 0;

    memset(v, 0, sizeof(*v));
    if (s < end && *s == 'v')
        s++;
    for (;;) {
        long x = 0;

        if (s >= end || *s < '0' || *s > '9' || n == GOVER_SEGS)
            return -1;
        while (s < end && *s >= '0' && *s <= '9') {
            if (x > 100000000L)
                return -1;
            x = x * 10 + (*s++ - '0');
        }
        v->seg[n++] = x;
        if (s + 1 < end && *s == '.' && s[1] >= '0' && s[1] <= '9')
            s++;
        else
            break;
    }
    v->si = n;
    v->nseg = n < 3 ? 3 : n;
    if (s < end && *s != '+') {
        const char *p;
        size_t len;

        if (*s == '-')
            s++;
        p = s;
        /* Dot-separated identifiers of [0-9A-Za-z-~]. */
        while (s < end && *s != '+') {
            if (*s == '.' && s > p && s + 1 < end && gover_ident(s[1]))
                s++;
            else if (!gover_ident(*s))
                return -1;
            else
                s++;
        }
        len = (size_t)(s - p);
        if (len == 0 || len >= sizeof(v->pre))
            return -1;
        memcpy(v->pre, p, len);
        v->pre[len] = '\0';
    }
    if (s < end) { /* +metadata */
        s++;
        if (s >= end)
            return -1;
        for (; s < end; s++)
            if (!gover_ident(*s) && *s != '.')
                return -1;
    }
    return 0;
}

/* go-version's Compare: segments (the shorter padded with zeros), then a
 * release above its pre-releases. Pre-releases of the same segments
 * compare as strings, enough here: tern's own version has none. */
static int gover_cmp(const struct gover *a, const struct gover *b)
{
    size_t i, n = a->nseg > b->nseg ? a->nseg : b->nseg;

    for (i = 0; i < n; i++) {
        long x = i < a->nseg ? a->seg[i] : 0, y = i < b->nseg ? b->seg[i] : 0;

        if (x != y)
            return x < y ? -1 : 1;
    }
    if (!a->pre[0] && !b->pre[0])
        return 0;
    if (!a->pre[0])
        return 1;
    if (!b->pre[0])
        return -1;
    return strcmp(a->pre, b->pre) < 0 ? -1 : strcmp(a->pre, b->pre) > 0;
}

/* go-version's prereleaseCheck. */
static int gover_pre_ok(const struct gover *v, const struct gover *c)
{
    size_t i;

    if (c->pre[0] && v->pre[0]) {
        if (v->nseg != c->nseg)
            return 0;
        for (i = 0; i < v->nseg; i++)
            if (v->seg[i] != c->seg[i])
                return 0;
        return 1;
    }
    return !(v->pre[0] && !c->pre[0]);
}

/* Whether @v meets every constraint of @spec: 1, 0, or -1 when @spec is
 * not a constraint (go-version's NewConstraint fails). */
static int core_version_meets(const char *spec, const struct gover *v)
{
    const char *p = spec;
    int met = 1;

    for (;;) {
        const char *comma = strchr(p, ','),
                   *end = comma ? comma : p + strlen(p);
        const char *op;
        size_t oplen;
        struct gover c;
        int r, cmp;

        while (p < end && strchr(" \t\n\r\f\v", *p))
            p++;
        while (end > p && strchr(" \t\n\r\f\v", end[-1]))
            end--;
        op = p;
        while (p < end && strchr("=!<>~", *p))
            p++;
        oplen = (size_t)(p - op);
        if (!(oplen == 0 || (oplen == 1 && strchr("=<>", *op)) ||
              (oplen == 2 &&
               (strncmp(op, "!=", 2) == 0 || strncmp(op, ">=", 2) == 0 ||
                strncmp(op, "<=", 2) == 0 || strncmp(op, "~>", 2) == 0))))
            return -1;
        while (p < end && strchr(" \t\n\r\f\v", *p))
            p++;
        if (gover_parse(p, end, &c) != 0)
            return -1;
        cmp = gover_cmp(v, &c);
        if (oplen == 0 || *op == '=')
            r = cmp == 0;
        else if (*op == '!')
            r = cmp != 0;
        else if (*op == '~') {
            size_t i;

            r = gover_pre_ok(v, &c) && !(c.pre[0] && !v->pre[0]) && cmp >= 0 &&
                c.nseg <= v->nseg;
            for (i = 0; r && i + 1 < c.si; i++)
                r = v->seg[i] == c.seg[i];
            if (r && c.seg[c.nseg - 1] > v->seg[c.nseg - 1])
                r = 0;
        } else if (oplen == 2) /* >= <= */
            r = gover_pre_ok(v, &c) && (*op == '>' ? cmp >= 0 : cmp <= 0);
        else
            r = gover_pre_ok(v, &c) && (*op == '>' ? cmp > 0 : cmp < 0);
        if (!r)
            met = 0;
        if (!comma)
            break;
        p = comma + 1;
    }
    return met;
}

static void check_required_version(const struct tern_lang_config *cfg,
                                   struct tern_diags *diags, int *error)
{
    static const char language[] = TERN_LANGUAGE_VERSION;
    struct gover have;
    size_t i;

    gover_parse(language, language + strlen(language), &have);
    for (i = 0; i < cfg->terraform.n; i++) {
        const struct tern_attribute *a = tern_lang_body_attr(
            cfg->terraform.items[i]->body, "required_version");
        struct tern_lang_scope scope;
        struct tern_diags local = TERN_DIAGS_INIT;
        tern_value *v = NULL;
        char *spec;
        int ok, rc;

        if (!a)
            continue;
        memset(&scope, 0, sizeof(scope));
        /* Messages: internal/configs/version_constraint.go and
         * internal/configs/config.go CheckCoreVersionRequirements. */
        rc = tern_lang_eval(a->expr, &scope, &v, &local);
        /* A number converts to a string, as cty converts it. */
        spec = rc != TERN_OK || tern_value_is_null(v) ? NULL
               : tern_value_kind(v) == TERN_VAL_NUMBER
                   ? tern_lang_value_to_string(v)
               : tern_value_kind(v) == TERN_VAL_STRING
                   ? tern_strdup(tern_value_get_string(v))
                   : NULL;
        if (rc == TERN_OK && tern_value_is_null(v)) {
            /* A null constraint is an empty one, as in Terraform. */
        } else if (!spec) {
            tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                           "Invalid version constraint",
                           "A string value is required for "
                           "required_version.");
            *error = TERN_ERROR;
        } else if ((ok = core_version_meets(spec, &have)) < 0) {
            tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                           "Invalid version constraint",
                           "This string does not use correct version "
                           "constraint syntax.");
            *error = TERN_ERROR;
        } else if (!ok) {
            tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                           "Unsupported Terraform Core version",
                           "This configuration does not support Terraform "
                           "version %s. To proceed, either choose another "
                           "supported Terraform version or update this "
                           "version constraint. Version constraints are "
                           "normally set for good reason, so updating the "
                           "constraint may lead to other errors or "
                           "unexpected behavior.\n\ntern implements the "
                           "language of Terraform %s.",
                           TERN_LANGUAGE_VERSION, TERN_LANGUAGE_VERSION);
            *error = TERN_ERROR;
        }
        tern_free(spec);
        tern_value_decref(v);
        tern_diags_release(&local);
    }
}

/* The range of member @p key of an object constructor, else @p whole. */
const struct tern_expr *cli_object_member(const struct tern_expr *e,
                                          const char *key)
{
    size_t i;

    while (e && e->kind == TERN_EXPR_PAREN)
        e = e->u.paren;
    if (!e || e->kind != TERN_EXPR_OBJECT)
        return NULL;
    for (i = 0; i < e->u.object.n; i++)
        if (tern_lang_key_is(e->u.object.keys[i], key))
            return e->u.object.vals[i];
    return NULL;
}

static const struct tern_range *member_range(const struct tern_expr *e,
                                             const char *key,
                                             const struct tern_range *whole)
{
    const struct tern_expr *m = cli_object_member(e, key);

    return m ? &m->range : whole;
}

/*
 * A required_providers entry: the string form (aws = "~> 5.0") whole, the
 * object form's source and version. configuration_aliases names provider
 * configurations (aws.dst), which are not values: it is not evaluated.
 * *src and *ver are set to borrowed members of *out, or NULL.
 */
static int eval_requirement(const struct tern_expr *e, tern_value **out,
                            tern_value **src, tern_value **ver,
                            struct tern_diags *diags)
{
    static const char *const members[] = {"source", "version"};
    size_t i;
    int rc;

    *out = *src = *ver = NULL;
    if (!cli_object_member(e, "configuration_aliases")) {
        rc = eval_const(e, out, diags);
    } else if (!(*out = tern_value_object_new())) {
        rc = TERN_ENOMEM;
    } else {
        /* Only the members that are values. */
        for (i = 0, rc = TERN_OK; i < 2 && rc == TERN_OK; i++) {
            const struct tern_expr *m = cli_object_member(e, members[i]);
            tern_value *v = NULL;

            if (m && (rc = eval_const(m, &v, diags)) == TERN_OK)
                rc = tern_value_object_set(*out, members[i], v);
        }
    }
    if (rc != TERN_OK) {
        tern_value_decref(*out);
        *out = NULL;
        return rc;
    }
    if (tern_value_kind(*out) == TERN_VAL_OBJECT) {
        *src = tern_value_object_get(*out, "source");
        *ver = tern_value_object_get(*out, "version");
    } else if (tern_value_kind(*out) == TERN_VAL_STRING) {
        *ver = *out; /* the older aws = "~> 5.0" */
    }
    return TERN_OK;
}

/*
 * A required_providers version constraint against the release of the
 * provider that tern follows: one no release of that line could meet is
 * an error at the constraint, not a provider tern quietly uses anyway.
 */
static void check_provider_version(const tern_provider *p, const char *source,
                                   const char *spec, const struct tern_range *r,
                                   struct tern_diags *diags, int *error)
{
    long have[3];
    const char *end;
    int ok;

    if (parse_version(p->implements, have, &end) != 0)
        return;
    ok = version_meets(spec, have);
    if (ok < 0) {
        tern_diags_add(diags, TERN_SEV_ERROR, r, "Invalid version constraint",
                       "\"%s\" is not a version constraint (e.g. \">= 5.0, "
                       "< 6.0\" or \"~> 5.0\").",
                       spec);
        *error = TERN_ERROR;
    } else if (!ok) {
        tern_diags_add(diags, TERN_SEV_ERROR, r, "Unsupported provider version",
                       "This configuration requires provider %s version "
                       "\"%s\"; tern implements %s as of version %s.",
                       source, spec, p->sources[0], p->implements);
        *error = TERN_ERROR;
    }
}

static void check_required(const struct tern_lang_config *cfg, json_t *required,
                           json_t *sources, struct tern_diags *diags,
                           int *error)
{
    size_t i, j, k;

    for (i = 0; i < cfg->terraform.n; i++) {
        const struct tern_body *body = cfg->terraform.items[i]->body;

        for (j = 0; body && j < body->nblocks; j++) {
            const struct tern_block *b = body->blocks[j];

            if (strcmp(b->type, "required_providers") != 0)
                continue;
            for (k = 0; b->body && k < b->body->nattrs; k++) {
                const struct tern_attribute *a = &b->body->attrs[k];
                tern_value *v = NULL, *src = NULL, *ver = NULL;
                const tern_provider *p;
                char *norm = NULL;

                if (eval_requirement(a->expr, &v, &src, &ver, diags) !=
                    TERN_OK) {
                    *error = TERN_ERROR;
                    continue;
                }
                if (src && tern_value_kind(src) == TERN_VAL_STRING)
                    norm = normal_source(tern_value_get_string(src));
                else if (implied_source(a->name))
                    norm = tern_strdup(implied_source(a->name));
                else
                    norm = tern_asprintf("hashicorp/%s", a->name);
                p = norm ? tern_provider_for_source(norm) : NULL;
                if (!norm) {
                    *error = TERN_ENOMEM;
                } else if (!p) {
                    unsupported(diags, &a->range, a->name, norm);
                    *error = TERN_ERROR;
                } else {
                    if (add_source(sources, p->sources[0]))
                        *error = TERN_ENOMEM;
                    if (ver && tern_value_kind(ver) == TERN_VAL_STRING)
                        check_provider_version(
                            p, norm, tern_value_get_string(ver),
                            ver == v ? &a->expr->range
                                     : member_range(a->expr, "version",
                                                    &a->expr->range),
                            diags, error);
                }
                /* Reported once: later uses of the name are not. */
                if (norm &&
                    json_object_set_new(required, a->name,
                                        json_string(p ? p->sources[0] : norm)))
                    *error = TERN_ENOMEM;
                tern_free(norm);
                tern_value_decref(v);
            }
        }
    }
}

/* A resource's provider local name: its type's prefix. */
static char *type_prefix(const char *type)
{
    const char *u = strchr(type, '_');

    return u ? tern_strndup(type, (size_t)(u - type)) : tern_strdup(type);
}

static void check_uses(const struct tern_blockvec *v, int is_provider,
                       json_t *required, json_t *sources,
                       struct tern_diags *diags, int *error)
{
    size_t i;

    for (i = 0; i < v->n; i++) {
        const struct tern_block *b = v->items[i];
        const struct tern_range *r;
        const char *source;
        char *name;

        if (b->nlabels < 1)
            continue;
        name =
            is_provider ? tern_strdup(b->labels[0]) : type_prefix(b->labels[0]);
        if (!name) {
            *error = TERN_ENOMEM;
            return;
        }
        r = &b->label_ranges[0];
        /* required_providers (or an earlier report), else implied. */
        source = json_string_value(json_object_get(required, name));
        if (source == NULL)
            source = implied_source(name);
        if (source == NULL) {
            unsupported(diags, r, name, NULL);
            *error = json_object_set_new(required, name, json_string(""))
                         ? TERN_ENOMEM
                         : TERN_ERROR;
        } else if (builtin_source(source) &&
                   add_source(sources, builtin_source(source))) {
            *error = TERN_ENOMEM;
        }
        tern_free(name);
    }
}

/* The providers child modules use and require, module by module. */
static void check_children(const struct tern_lang_config *cfg, json_t *required,
                           json_t *used, struct tern_diags *diags, int *error)
{
    size_t i;

    for (i = 0; i < cfg->ncalls; i++) {
        const struct tern_lang_config *c = cfg->calls[i].cfg;

        if (!c)
            continue;
        check_required(c, required, used, diags, error);
        check_uses(&c->resources, 0, required, used, diags, error);
        check_uses(&c->data, 0, required, used, diags, error);
        check_children(c, required, used, diags, error);
    }
}

int cli_config_check_providers(const struct tern_lang_config *cfg,
                               json_t **sources, struct tern_diags *diags)
{
    json_t *required = json_object(), *used = json_array();
    int error = TERN_OK;

    if (sources)
        *sources = NULL;
    if (!required || !used) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (cfg) {
        check_required_version(cfg, diags, &error);
        check_required(cfg, required, used, diags, &error);
        check_uses(&cfg->providers, 1, required, used, diags, &error);
        check_uses(&cfg->resources, 0, required, used, diags, &error);
        check_uses(&cfg->data, 0, required, used, diags, &error);
        check_children(cfg, required, used, diags, &error);
    }
    if (sources) {
        *sources = used;
        used = NULL;
    }
done:
    json_decref(required);
    json_decref(used);
    return error;
}

static int known(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

int cli_backend_s3_arg_known(const char *name)
{
    return known(tern_backend_s3_args, name);
}

static size_t count(const char *const *list)
{
    size_t n = 0;

    while (list[n])
        n++;
    return n;
}

/* The S3 backend's nested arguments: Terraform (1.6 and later) writes them
 * as attributes holding an object (`endpoints = { s3 = "..." }`, a
 * singleNestedAttribute in internal/backend/remote-state/s3/backend.go);
 * tern also takes the block form it accepted before. */
static const char *const *nested_args(const char *name)
{
    if (strcmp(name, "endpoints") == 0)
        return tern_backend_s3_endpoint_args;
    if (strcmp(name, "assume_role") == 0)
        return tern_backend_s3_assume_role_args;
    if (strcmp(name, "assume_role_with_web_identity") == 0)
        return tern_backend_s3_web_identity_args;
    return NULL;
}

/* @p v, the value of the nested argument @p a, checked against @p allowed:
 * an object of known names, as Terraform's conversion to the attribute's
 * object type (hcldec AttrSpec: "Incorrect attribute value type"). */
static int check_nested(const struct tern_attribute *a, const json_t *v,
                        const char *const *allowed, struct tern_diags *diags)
{
    const char *k;
    json_t *m;

    if (!json_is_object(v)) {
        tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                       "Incorrect attribute value type",
                       "Inappropriate value for attribute \"%s\": object "
                       "required.",
                       a->name);
        return TERN_ERROR;
    }
    json_object_foreach((json_t *)v, k, m)
    {
        if (!known(allowed, k)) {
            tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                           "Incorrect attribute value type",
                           "Inappropriate value for attribute \"%s\": "
                           "unsupported attribute \"%s\".",
                           a->name, k);
            return TERN_ERROR;
        }
    }
    return TERN_OK;
}

/* Evaluate a block's attributes into @p obj, refusing unknown names. */
static int body_to_json(const struct tern_body *body,
                        const char *const *allowed, const char *where,
                        json_t *obj, struct tern_diags *diags)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; body && i < body->nattrs; i++) {
        const struct tern_attribute *a = &body->attrs[i];
        const char *const *nested =
            allowed == tern_backend_s3_args ? nested_args(a->name) : NULL;
        tern_value *v = NULL;
        json_t *j;

        if (!nested && !known(allowed, a->name)) {
            const char *best =
                tern_lang_suggest(a->name, allowed, count(allowed));

            tern_diags_add(diags, TERN_SEV_ERROR, &a->name_range,
                           "Unsupported argument",
                           "An argument named \"%s\" is not expected %s.%s%s%s",
                           a->name, where, best ? " Did you mean \"" : "",
                           best ? best : "", best ? "\"?" : "");
            error = TERN_ERROR;
            continue;
        }
        if (eval_const(a->expr, &v, diags) != TERN_OK) {
            error = TERN_ERROR;
            continue;
        }
        j = tern_value_to_json(v);
        tern_value_decref(v);
        if (!j)
            return TERN_ENOMEM;
        if (nested && check_nested(a, j, nested, diags) != TERN_OK) {
            json_decref(j);
            error = TERN_ERROR;
            continue;
        }
        /* A table name that is not a string would lock with no table. */
        if (strcmp(a->name, "dynamodb_table") == 0 && !json_is_string(j)) {
            tern_diags_add(diags, TERN_SEV_ERROR, &a->expr->range,
                           "Incorrect attribute value type",
                           "Inappropriate value for attribute \"%s\": string "
                           "required.",
                           a->name);
            json_decref(j);
            error = TERN_ERROR;
            continue;
        }
        if (json_object_set_new(obj, a->name, j) != 0)
            return TERN_ENOMEM;
    }
    return error;
}

static int s3_body(const struct tern_body *body, const char *where, json_t *obj,
                   struct tern_diags *diags);

struct located {
    const struct tern_body *body;
    struct tern_diags *diags;
};

/* A finding of tern_backend_s3_check at its argument: an attribute's
 * value, as Terraform's attribute diagnostics point, or a block's
 * header. */
static void report_at(void *ud, int severity, const char *arg,
                      const char *summary, const char *detail)
{
    const struct located *l = ud;
    const struct tern_range *at = NULL;
    size_t i;

    for (i = 0; l->body && i < l->body->nattrs && !at; i++)
        if (strcmp(l->body->attrs[i].name, arg) == 0)
            at = &l->body->attrs[i].expr->range;
    for (i = 0; l->body && i < l->body->nblocks && !at; i++)
        if (strcmp(l->body->blocks[i]->type, arg) == 0)
            at = &l->body->blocks[i]->def_range;
    tern_diags_add(l->diags, severity, at, summary, "%s", detail);
}

/* The errors only, at the argument when the backend block holds it (it
 * may come from -backend-config, which has no place left by now). */
static void merged_error_at(void *ud, int severity, const char *arg,
                            const char *summary, const char *detail)
{
    if (severity == TERN_SEV_ERROR)
        report_at(ud, severity, arg, summary, detail);
}

int cli_backend_s3_check(const struct tern_lang_config *cfg, const json_t *obj,
                         struct tern_diags *diags)
{
    struct located l = {NULL, diags};
    size_t i, j;

    for (i = 0; cfg && i < cfg->terraform.n; i++) {
        const struct tern_body *body = cfg->terraform.items[i]->body;

        for (j = 0; body && j < body->nblocks; j++) {
            const struct tern_block *b = body->blocks[j];

            if (strcmp(b->type, "backend") == 0 && b->nlabels >= 1 &&
                strcmp(b->labels[0], "s3") == 0)
                l.body = b->body;
        }
    }
    return tern_backend_s3_check(obj, 1, merged_error_at, &l) > 0
               ? TERN_EINVALID
               : TERN_OK;
}

int cli_backend_s3_body(const struct tern_body *body, const char *where,
                        json_t *obj, struct tern_diags *diags)
{
    int error = s3_body(body, where, obj, diags);
    struct located l = {body, diags};

    if (error == TERN_OK && tern_backend_s3_check(obj, 0, report_at, &l) > 0)
        error = TERN_ERROR;
    return error;
}

static int s3_body(const struct tern_body *body, const char *where, json_t *obj,
                   struct tern_diags *diags)
{
    size_t k;
    int error = body_to_json(body, tern_backend_s3_args, where, obj, diags);

    for (k = 0; body && k < body->nblocks; k++) {
        const struct tern_block *nb = body->blocks[k];
        const char *const *nested = nested_args(nb->type);
        json_t *sub;
        int e2;

        if (!nested) {
            tern_diags_add(
                diags, TERN_SEV_ERROR, &nb->def_range, "Unsupported block type",
                "Blocks of type \"%s\" are not expected %s.", nb->type, where);
            error = error ? error : TERN_ERROR;
            continue;
        }
        sub = json_object();
        if (!sub)
            return TERN_ENOMEM;
        e2 = body_to_json(nb->body, nested,
                          strcmp(nb->type, "endpoints") == 0
                              ? "in an endpoints block"
                          : strcmp(nb->type, "assume_role") == 0
                              ? "in an assume_role block"
                              : "in an assume_role_with_web_identity block",
                          sub, diags);
        if (json_object_set_new(obj, nb->type, sub) != 0)
            return TERN_ENOMEM;
        if (e2 && !error)
            error = e2;
    }
    return error;
}

int cli_config_backend_s3(const struct tern_lang_config *cfg, json_t **out,
                          struct tern_diags *diags)
{
    size_t i, j;
    int error = TERN_OK;

    *out = NULL;
    for (i = 0; cfg && i < cfg->terraform.n; i++) {
        const struct tern_body *body = cfg->terraform.items[i]->body;

        for (j = 0; body && j < body->nblocks; j++) {
            const struct tern_block *b = body->blocks[j];
            json_t *obj;

            if (strcmp(b->type, "backend") != 0 || b->nlabels < 1 ||
                strcmp(b->labels[0], "s3") != 0)
                continue;
            obj = json_object();
            if (!obj)
                return TERN_ENOMEM;
            error = cli_backend_s3_body(b->body, "in a backend \"s3\" block",
                                        obj, diags);
            if (error == TERN_ENOMEM) {
                json_decref(obj);
                json_decref(*out);
                *out = NULL;
                return error;
            }
            json_decref(*out);
            *out = obj;
        }
    }
    if (error) {
        json_decref(*out);
        *out = NULL;
    }
    return error;
}
