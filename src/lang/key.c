/*
 * An object key as written, for the maps whose keys are names rather than
 * values: a module call's providers map (aws, aws.dst) and the members of
 * an object constructor read before evaluation (required_providers'
 * source, version and configuration_aliases). The parser reads a bare
 * NAME key as a literal string, NAME.ALIAS as a traversal; the JSON
 * syntax parses a providers key as an expression, so a bare name there is
 * a variable reference. The engine, `show -json` and the CLI's early
 * configuration checks compared keys each in its own way (issue 20
 * review); this is the one reading.
 */
#include "lang/lang.h"

#include <string.h>

/* Does @e, a name or a traversal of names, spell @s[0..n)? */
static int spells(const struct tern_expr *e, const char *s, size_t n)
{
    size_t an;

    if (e->kind == TERN_EXPR_VAR)
        return strlen(e->u.var.name) == n && memcmp(e->u.var.name, s, n) == 0;
    if (e->kind != TERN_EXPR_GETATTR)
        return 0;
    an = strlen(e->u.attr.name);
    return n > an && s[n - an - 1] == '.' &&
           memcmp(s + n - an, e->u.attr.name, an) == 0 &&
           spells(e->u.attr.obj, s, n - an - 1);
}

int tern_lang_key_is(const struct tern_expr *key, const char *text)
{
    if (key->kind == TERN_EXPR_TEMPLATE && key->u.list.n == 1)
        key = key->u.list.items[0];
    if (key->kind == TERN_EXPR_LITERAL)
        return tern_value_kind(key->u.literal) == TERN_VAL_STRING &&
               strcmp(tern_value_get_string(key->u.literal), text) == 0;
    return spells(key, text, strlen(text));
}
