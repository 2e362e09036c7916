/*
 * A small reader for the AWS shared files and ~/.databrickscfg (see ini.h).
 * The files are a few kilobytes; a flat list of entries is enough.
 */
#include "util/ini.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
    char *section;
    char *key; /* NULL for a bare section marker */
    char *value;
};

struct tern_ini {
    struct entry *items;
    size_t n, alloc;
};

tern_ini *tern_ini_new(void)
{
    return tern_calloc(1, sizeof(struct tern_ini));
}

void tern_ini_free(tern_ini *ini)
{
    size_t i;

    if (!ini)
        return;
    for (i = 0; i < ini->n; i++) {
        tern_free(ini->items[i].section);
        tern_free(ini->items[i].key);
        tern_free(ini->items[i].value);
    }
    tern_free(ini->items);
    tern_free(ini);
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    *e = '\0';
    return s;
}

static struct entry *find(const tern_ini *ini, const char *section,
                          const char *key)
{
    size_t i;

    for (i = ini->n; i > 0; i--) {
        struct entry *e = &ini->items[i - 1];

        if (strcmp(e->section, section) != 0)
            continue;
        if (!key && !e->key)
            return e;
        if (key && e->key && strcasecmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

static int add(tern_ini *ini, const char *section, const char *key,
               const char *value)
{
    struct entry *e = find(ini, section, key);

    if (e && !key)
        return TERN_OK;
    if (e) {
        char *v = tern_strdup(value);

        if (!v)
            return TERN_ENOMEM;
        tern_free(e->value);
        e->value = v;
        return TERN_OK;
    }
    if (TERN_VEC_RESERVE(ini->items, ini->alloc, ini->n + 1) != TERN_OK)
        return TERN_ENOMEM;
    e = &ini->items[ini->n];
    memset(e, 0, sizeof(*e));
    e->section = tern_strdup(section);
    e->key = key ? tern_strdup(key) : NULL;
    e->value = value ? tern_strdup(value) : NULL;
    if (!e->section || (key && !e->key) || (value && !e->value)) {
        tern_free(e->section);
        tern_free(e->key);
        tern_free(e->value);
        return TERN_ENOMEM;
    }
    ini->n++;
    return TERN_OK;
}

/* "[profile  x]" -> "x" in the config file; "[default]" stays. */
static void section_name(char *out, size_t outlen, char *raw, int config_style)
{
    char *name = trim(raw);

    if (config_style && strncmp(name, "profile", 7) == 0 &&
        (name[7] == ' ' || name[7] == '\t'))
        name = trim(name + 8);
    snprintf(out, outlen, "%s", name);
}

int tern_ini_load(tern_ini *ini, const char *path, int config_style)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    char section[256] = "";
    int error = TERN_OK, have_section = 0;

    if (!f)
        return errno == ENOENT || errno == ENOTDIR ? TERN_ENOTFOUND
                                                   : TERN_ERROR;
    while (getline(&line, &cap, f) >= 0) {
        char *s, *eq;

        if (line[0] == ' ' || line[0] == '\t') {
            /* Nested sub-values ("s3 =\n  max_concurrent = 5"). */
            if (*trim(line))
                continue;
        }
        s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');

            if (!close) {
                have_section = 0;
                continue;
            }
            *close = '\0';
            section_name(section, sizeof(section), s + 1, config_style);
            have_section = 1;
            error = add(ini, section, NULL, NULL);
            if (error)
                goto done;
            continue;
        }
        eq = strchr(s, '=');
        if (!have_section || !eq)
            continue;
        *eq = '\0';
        {
            char *key = trim(s), *value = trim(eq + 1), *hash;

            /* An inline comment needs whitespace before it. */
            for (hash = value; (hash = strpbrk(hash, "#;")) != NULL; hash++) {
                if (hash > value && (hash[-1] == ' ' || hash[-1] == '\t')) {
                    *hash = '\0';
                    value = trim(value);
                    break;
                }
            }
            error = add(ini, section, key, value);
            if (error)
                goto done;
        }
    }
    if (ferror(f))
        error = TERN_ERROR;
done:
    free(line); /* from getline */
    fclose(f);
    return error;
}

int tern_ini_has_section(const tern_ini *ini, const char *section)
{
    size_t i;

    for (i = 0; i < ini->n; i++) {
        if (strcmp(ini->items[i].section, section) == 0)
            return 1;
    }
    return 0;
}

const char *tern_ini_get(const tern_ini *ini, const char *section,
                         const char *key)
{
    const struct entry *e = find(ini, section, key);

    return e ? e->value : NULL;
}

char *tern_ini_expand_home(const char *path)
{
    const char *home = getenv("HOME");

    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home)
        return tern_asprintf("%s%s", home, path + 1);
    return tern_strdup(path);
}
