/*
 * Command-line flags, parsed the way Terraform's commands parse them (Go's
 * flag package): one or two leading dashes, `-name=value` or `-name value`
 * for flags that take a value, `-name` or `-name=true|false` for booleans.
 * Unlike Go's package we accept flags after positional arguments too
 * (`tern state rm aws_iam_role.x -dry-run`); `--` ends the flags. The
 * spellings are data, one row per flag, so the "did you mean" candidates
 * are exactly the flags the command accepts.
 */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"
#include "util/alloc.h"
#include "util/vec.h"

enum kind { K_BOOL, K_STRING, K_LIST, K_INT, K_DURATION };

struct flag_def {
    const char *name;
    unsigned long long bit; /* enum cli_flag; 0: always accepted */
    enum kind kind;
    size_t off; /* offset of the field in struct cli_opts */
};

#define OFF(f) offsetof(struct cli_opts, f)

static const struct flag_def defs[] = {
    {"auto-approve", CLI_F_AUTO_APPROVE, K_BOOL, OFF(auto_approve)},
    {"backend", CLI_F_BACKEND, K_BOOL, OFF(backend)},
    {"backend-config", CLI_F_BACKEND_CONFIG, K_LIST, OFF(backend_configs)},
    {"check", CLI_F_CHECK, K_BOOL, OFF(check)},
    {"destroy", CLI_F_DESTROY, K_BOOL, OFF(destroy)},
    {"detailed-exitcode", CLI_F_DETAILED_EXITCODE, K_BOOL,
     OFF(detailed_exitcode)},
    {"diff", CLI_F_DIFF, K_BOOL, OFF(diff)},
    {"dry-run", CLI_F_DRY_RUN, K_BOOL, OFF(dry_run)},
    {"force", CLI_F_FORCE, K_BOOL, OFF(force)},
    {"force-copy", CLI_F_FORCE_COPY, K_BOOL, OFF(force_copy)},
    {"help", 0, K_BOOL, OFF(help)},
    {"id", CLI_F_ID, K_STRING, OFF(id)},
    {"input", CLI_F_INPUT, K_BOOL, OFF(input)},
    {"json", CLI_F_JSON, K_BOOL, OFF(json)},
    {"list", CLI_F_LIST, K_BOOL, OFF(list)},
    {"lock", CLI_F_LOCK, K_BOOL, OFF(lock)},
    {"lock-timeout", CLI_F_LOCK_TIMEOUT, K_DURATION, OFF(lock_timeout_ms)},
    {"migrate-state", CLI_F_MIGRATE_STATE, K_BOOL, OFF(migrate_state)},
    {"no-color", CLI_F_NO_COLOR, K_BOOL, OFF(no_color)},
    {"or-create", CLI_F_OR_CREATE, K_BOOL, OFF(or_create)},
    {"out", CLI_F_OUT, K_STRING, OFF(out)},
    {"parallelism", CLI_F_PARALLELISM, K_INT, OFF(parallelism)},
    {"raw", CLI_F_RAW, K_BOOL, OFF(raw)},
    {"reconfigure", CLI_F_RECONFIGURE, K_BOOL, OFF(reconfigure)},
    {"recursive", CLI_F_RECURSIVE, K_BOOL, OFF(recursive)},
    {"refresh", CLI_F_REFRESH, K_BOOL, OFF(refresh)},
    {"refresh-only", CLI_F_REFRESH_ONLY, K_BOOL, OFF(refresh_only)},
    {"replace", CLI_F_REPLACE, K_LIST, OFF(replaces)},
    {"serial", CLI_F_SERIAL, K_INT, OFF(serial)},
    {"state", CLI_F_STATE, K_STRING, OFF(state_path)},
    {"target", CLI_F_TARGET, K_LIST, OFF(targets)},
    {"type", CLI_F_TYPE, K_STRING, OFF(graph_type)},
    {"var", CLI_F_VAR, K_LIST, OFF(vars)},
    {"var-file", CLI_F_VAR_FILE, K_LIST, OFF(var_files)},
    {"write", CLI_F_WRITE, K_BOOL, OFF(write)},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

void cli_opts_init(struct cli_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->input = 1;
    o->lock = 1;
    o->refresh = 1;
    o->parallelism = 10;
    o->serial = -1;
    o->list = 1;
    o->write = 1;
    o->backend = 1;
}

static void strs_release(struct cli_strs *s)
{
    tern_free(s->items);
    memset(s, 0, sizeof(*s));
}

void cli_opts_release(struct cli_opts *o)
{
    strs_release(&o->vars);
    strs_release(&o->var_files);
    strs_release(&o->backend_configs);
    strs_release(&o->var_order);
    strs_release(&o->targets);
    strs_release(&o->replaces);
    strs_release(&o->args);
}

static int strs_push(struct cli_strs *s, const char *v)
{
    if (TERN_VEC_RESERVE(s->items, s->alloc, s->n + 1) != TERN_OK)
        return TERN_ENOMEM;
    s->items[s->n++] = v;
    return TERN_OK;
}

int cli_parse_duration(const char *s, unsigned int *ms)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1.0},
                 {"s", 1e3},   {"m", 6e4},   {"h", 3.6e6}};
    double total = 0;
    const char *p = s;
    size_t i;

    if (s == NULL || *s == '\0')
        return TERN_EINVALID;
    if (strcmp(s, "0") == 0) {
        *ms = 0;
        return TERN_OK;
    }
    while (*p) {
        double num = 0, frac = 0.1;
        int digits = 0, matched = 0;

        while (*p >= '0' && *p <= '9') {
            num = num * 10 + (*p++ - '0');
            digits++;
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                num += (*p++ - '0') * frac;
                frac /= 10;
                digits++;
            }
        }
        if (digits == 0)
            return TERN_EINVALID;
        /* Longest unit first: "ms" before "m", "ns" before... none. */
        for (i = 0; i < sizeof(units) / sizeof(units[0]) && !matched; i++) {
            size_t ul = strlen(units[i].unit);

            if (strncmp(p, units[i].unit, ul) == 0 &&
                !(ul == 1 && units[i].unit[0] == 'm' && p[1] == 's')) {
                total += num * units[i].ms;
                p += ul;
                matched = 1;
            }
        }
        if (!matched)
            return TERN_EINVALID;
    }
    if (total > (double)UINT_MAX)
        return TERN_EINVALID;
    *ms = (unsigned int)total;
    return TERN_OK;
}

static const struct flag_def *find_def(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < NDEFS; i++)
        if (strlen(defs[i].name) == len &&
            strncmp(defs[i].name, name, len) == 0)
            return &defs[i];
    return NULL;
}

static int unknown_flag(const char *arg, const char *name, size_t len,
                        unsigned long long allowed, struct tern_diags *diags)
{
    const char *cands[NDEFS];
    char *given = tern_strndup(name, len);
    const char *best = NULL;
    size_t i, n = 0;

    if (!given)
        return TERN_ENOMEM;
    for (i = 0; i < NDEFS; i++)
        if (defs[i].bit == 0 || (allowed & defs[i].bit))
            cands[n++] = defs[i].name;
    best = tern_lang_suggest(given, cands, n);
    if (best)
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Failed to parse command-line flags",
                       "flag provided but not defined: %s\n\nDid you mean "
                       "-%s?",
                       arg, best);
    else
        tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                       "Failed to parse command-line flags",
                       "flag provided but not defined: %s", arg);
    tern_free(given);
    return TERN_EINVALID;
}

static int bad_value(const char *name, const char *value, const char *why,
                     struct tern_diags *diags)
{
    tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                   "Failed to parse command-line flags",
                   "invalid value \"%s\" for flag -%s: %s", value, name, why);
    return TERN_EINVALID;
}

static int set_flag(struct cli_opts *o, const struct flag_def *d,
                    const char *value, struct tern_diags *diags)
{
    char *field = (char *)o + d->off;
    char *end = NULL;
    long long n;

    switch (d->kind) {
    case K_BOOL:
        if (value == NULL || strcmp(value, "true") == 0 ||
            strcmp(value, "1") == 0 || strcmp(value, "t") == 0)
            *(int *)field = 1;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
                 strcmp(value, "f") == 0)
            *(int *)field = 0;
        else
            return bad_value(d->name, value,
                             "parse error (expected true or "
                             "false)",
                             diags);
        return TERN_OK;
    case K_STRING:
        *(const char **)field = value;
        return TERN_OK;
    case K_LIST:
        if (d->bit == CLI_F_VAR && strchr(value, '=') == NULL) {
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid -var option",
                           "The given -var option \"%s\" is not correctly "
                           "specified. It must be a variable name and value "
                           "separated by an equals sign, like -var=\"key=value"
                           "\".",
                           value);
            return TERN_EINVALID;
        }
        /* A malformed address is refused before anything runs, as
         * Terraform refuses it while it parses the flags. */
        if (d->bit == CLI_F_TARGET || d->bit == CLI_F_REPLACE) {
            int error = cli_addr_check_flag(d->name, value, diags);

            if (error)
                return error;
        }
        if ((d->bit == CLI_F_VAR || d->bit == CLI_F_VAR_FILE) &&
            strs_push(&o->var_order, value) != TERN_OK)
            return TERN_ENOMEM;
        return strs_push((struct cli_strs *)field, value);
    case K_INT:
        errno = 0;
        n = strtoll(value, &end, 10);
        if (errno || end == value || *end != '\0' || n < 0 ||
            (d->bit == CLI_F_PARALLELISM && (n < 1 || n > INT_MAX)))
            return bad_value(d->name, value,
                             d->bit == CLI_F_PARALLELISM
                                 ? "expected a whole number of 1 or more"
                                 : "expected a whole number",
                             diags);
        if (d->bit == CLI_F_PARALLELISM)
            *(int *)field = (int)n;
        else
            *(long long *)field = n;
        return TERN_OK;
    case K_DURATION:
        if (cli_parse_duration(value, (unsigned int *)field) != TERN_OK)
            return bad_value(d->name, value,
                             "expected a duration such as 0s, 500ms, 10s or "
                             "2m",
                             diags);
        return TERN_OK;
    }
    return TERN_EINVALID;
}

int cli_flags_parse(struct cli_opts *o, unsigned long long allowed, int argc,
                    char **argv, struct tern_diags *diags)
{
    int i, error = TERN_OK, only_args = 0;

    for (i = 0; i < argc; i++) {
        const char *arg = argv[i], *name, *eq, *value = NULL;
        const struct flag_def *d;
        size_t len;

        if (only_args || arg[0] != '-' || arg[1] == '\0') {
            /* Positional ("-" alone is one too: stdin). */
            if ((error = strs_push(&o->args, arg)) != 0)
                return error;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_args = 1;
            continue;
        }
        name = arg + 1 + (arg[1] == '-');
        eq = strchr(name, '=');
        len = eq ? (size_t)(eq - name) : strlen(name);
        if (strncmp(name, "h", len) == 0 && len == 1)
            d = find_def("help", 4);
        else
            d = find_def(name, len);
        if (d == NULL || (d->bit != 0 && !(allowed & d->bit)))
            return unknown_flag(arg, name, len, allowed, diags);
        if (eq)
            value = eq + 1;
        else if (d->kind != K_BOOL) {
            if (i + 1 >= argc) {
                tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                               "Failed to parse command-line flags",
                               "flag needs an argument: %s", arg);
                return TERN_EINVALID;
            }
            value = argv[++i];
        }
        if ((error = set_flag(o, d, value, diags)) != 0)
            return error;
    }
    return TERN_OK;
}
