/*
 * The engine's view of a configuration: its resource and data blocks, what
 * each refers to (through locals too), the order they must be planned in,
 * and the providers they use; plus the evaluation scope every plan and
 * apply evaluates expressions in.
 *
 * Dependencies are between blocks: an instance of a block depends on every
 * instance of each block it refers to, as in Terraform. A cycle is found
 * here, once, and named in full.
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <uv.h>

#include "http/http.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/digest.h"
#include "util/json.h"
#include "util/vec.h"

/* ---- map ----------------------------------------------------------------- */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

int tern__map_put(struct tern__map *m, const char *key, size_t val)
{
    size_t i;

    if ((m->n + 1) * 2 > m->cap) {
        struct tern__map nm = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};

        nm.keys = tern_calloc(nm.cap, sizeof(*nm.keys));
        nm.vals = tern_calloc(nm.cap, sizeof(*nm.vals));
        if (!nm.keys || !nm.vals) {
            tern_free(nm.keys);
            tern_free(nm.vals);
            return TERN_ENOMEM;
        }
        for (i = 0; i < m->cap; i++)
            if (m->keys[i])
                tern__map_put(&nm, m->keys[i], m->vals[i]);
        tern__map_release(m);
        *m = nm;
    }
    i = hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->n++;
    m->keys[i] = (char *)key;
    m->vals[i] = val;
    return TERN_OK;
}

int tern__map_get(const struct tern__map *m, const char *key, size_t *val)
{
    size_t i;

    if (!m->cap)
        return 0;
    i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) {
            *val = m->vals[i];
            return 1;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}

void tern__map_release(struct tern__map *m)
{
    tern_free(m->keys);
    tern_free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- addresses ----------------------------------------------------------- */

void tern__addr_release(struct addr *a)
{
    tern_free(a->module);
    tern_free(a->type);
    tern_free(a->name);
    tern_free(a->key_str);
    tern_free(a->block_addr);
    memset(a, 0, sizeof(*a));
}

/* The end of an index "[0]" or "[\"a]b\"]" at @p ('['), or NULL. */
static const char *index_end(const char *p)
{
    if (p[1] == '"') {
        for (p += 2; *p && *p != '"'; p++)
            if (*p == '\\' && p[1])
                p++;
        if (*p != '"' || p[1] != ']')
            return NULL;
        return p + 2;
    }
    for (p++; *p >= '0' && *p <= '9'; p++)
        ;
    return *p == ']' ? p + 1 : NULL;
}

size_t tern__block_addr_len(const char *addr)
{
    size_t i, open = SIZE_MAX;
    int in_str = 0;

    for (i = 0; addr[i]; i++) {
        if (in_str) {
            if (addr[i] == '\\' && addr[i + 1])
                i++;
            else if (addr[i] == '"')
                in_str = 0;
        } else if (addr[i] == '"') {
            in_str = 1;
        } else if (addr[i] == '[') {
            open = i;
        } else if (addr[i] == '.') {
            open = SIZE_MAX;
        }
    }
    return open != SIZE_MAX && i && addr[i - 1] == ']' ? open : i;
}

char *tern__mod_addr(const char *path, const char *rest)
{
    if (!path || !*path)
        return tern_strdup(rest);
    return tern_asprintf("%s.%s", path, rest);
}

int tern__addr_parse(const char *s, struct addr *a)
{
    return tern__addr_parse_any(s, a, 0);
}

int tern__addr_parse_any(const char *s, struct addr *a, int allow_module)
{
    const char *p = s, *dot, *end, *mend = NULL;
    json_t *k = NULL;
    json_error_t jerr;
    int error = TERN_OK, oom = 0;

    memset(a, 0, sizeof(*a));
    /* module.NAME or module.NAME[KEY], repeated, each followed by "." */
    while (strncmp(p, "module.", 7) == 0) {
        const char *q = p + 7, *n = q;

        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
               (*q >= '0' && *q <= '9') || *q == '_' || *q == '-')
            q++;
        if (q == n)
            return TERN_EINVALID;
        if (*q == '[' && !(q = index_end(q)))
            return TERN_EINVALID;
        mend = q;
        if (*q == '\0')
            break;
        if (*q != '.')
            return TERN_EINVALID;
        p = q + 1;
    }
    if (mend) {
        a->module = tern_strndup(s, (size_t)(mend - s));
        TERN_CHECK_ALLOC(a->module);
        if (*mend == '\0') {
            if (!allow_module) {
                error = TERN_EINVALID;
                goto done;
            }
            a->is_module = 1;
            a->block_addr = tern_strdup(s);
            TERN_CHECK_ALLOC(a->block_addr);
            return TERN_OK;
        }
    }
    if (strncmp(p, "data.", 5) == 0) {
        a->mode = TERN_STATE_DATA;
        p += 5;
    }
    dot = strchr(p, '.');
    if (!dot || dot == p) {
        error = TERN_EINVALID;
        goto done;
    }
    end = dot + 1 + strcspn(dot + 1, "[");
    if (end == dot + 1 || memchr(dot + 1, '.', (size_t)(end - dot - 1))) {
        error = TERN_EINVALID;
        goto done;
    }
    a->type = tern_strndup(p, (size_t)(dot - p));
    a->name = tern_strndup(dot + 1, (size_t)(end - dot - 1));
    a->block_addr = tern_strndup(s, (size_t)(end - s));
    TERN_CHECK_ALLOC(a->type);
    TERN_CHECK_ALLOC(a->name);
    TERN_CHECK_ALLOC(a->block_addr);
    if (*end == '[') {
        size_t n = strlen(end);

        if (n < 3 || end[n - 1] != ']') {
            error = TERN_EINVALID;
            goto done;
        }
        if (end[1] == '"') {
            k = tern_json_loadb(end + 1, n - 2, JSON_DECODE_ANY, &jerr, &oom);
            if (oom) {
                error = TERN_ENOMEM; /* not an address that does not parse */
                goto done;
            }
            if (!k || !json_is_string(k)) {
                error = TERN_EINVALID;
                goto done;
            }
            a->key_kind = TERN_STATE_KEY_STRING;
            a->key_str = tern_strdup(json_string_value(k));
            TERN_CHECK_ALLOC(a->key_str);
        } else {
            char *stop = NULL;

            a->key_kind = TERN_STATE_KEY_INT;
            a->key_int = strtoll(end + 1, &stop, 10);
            if (stop != end + n - 1 || stop == end + 1) {
                error = TERN_EINVALID;
                goto done;
            }
        }
    } else if (*end) {
        error = TERN_EINVALID;
    }
done:
    json_decref(k);
    if (error)
        tern__addr_release(a);
    return error;
}

/* The constant an index key is: 0, "a" (a template of one literal part). */
static const tern_value *const_key(const struct tern_expr *k)
{
    if (k->kind == TERN_EXPR_TEMPLATE && k->u.list.n == 1)
        k = k->u.list.items[0];
    return k->kind == TERN_EXPR_LITERAL ? k->u.literal : NULL;
}

/*
 * An address expression as text. With @sc, an index that is not a constant
 * is evaluated in @sc (an import block's to = aws_iam_role.r[each.key],
 * internal/terraform/eval_import.go evalImportToKeyExpression); with
 * @strip, such an index is left out (the configuration block it names).
 */
struct addr_ev {
    const struct tern_lang_scope *sc;
    struct tern_diags *diags;
    int strip;
};

static int put_key(tern_buf *b, const tern_value *key)
{
    char *q;
    json_t *j;

    if (tern_value_kind(key) == TERN_VAL_STRING) {
        j = json_string(tern_value_get_string(key));
        q = j ? tern_json_dumps(j, JSON_ENCODE_ANY) : NULL;
        json_decref(j);
        if (!q)
            return TERN_ENOMEM;
        tern_buf_printf(b, "[%s]", q);
        free(q); /* jansson's allocation */
        return TERN_OK;
    } else {
        int64_t i;

        if (!tern_value_get_int(key, &i))
            return TERN_ERROR;
        return tern_buf_printf(b, "[%lld]", (long long)i);
    }
}

static int expr_addr(tern_buf *b, const struct tern_expr *e,
                     const struct addr_ev *ev)
{
    const tern_value *key;
    tern_value *v = NULL;
    int rc;

    switch (e->kind) {
    case TERN_EXPR_VAR:
        return tern_buf_puts(b, e->u.var.name);
    case TERN_EXPR_GETATTR:
        if (expr_addr(b, e->u.attr.obj, ev))
            return TERN_ERROR;
        return tern_buf_printf(b, ".%s", e->u.attr.name);
    case TERN_EXPR_INDEX:
        if (expr_addr(b, e->u.index.obj, ev))
            return TERN_ERROR;
        if ((key = const_key(e->u.index.key)))
            return put_key(b, key);
        if (!ev)
            return TERN_ERROR;
        if (ev->strip)
            return TERN_OK;
        if ((rc = tern_lang_eval(e->u.index.key, ev->sc, &v, ev->diags)))
            return rc;
        if (tern_value_has_sensitive(v)) {
            tern_value_decref(v);
            tern_diags_add(ev->diags, TERN_SEV_ERROR, &e->u.index.key->range,
                           "Invalid index expression",
                           "Import address index expression cannot be "
                           "sensitive.");
            return TERN_ERROR;
        }
        if (!tern_value_is_wholly_known(v) ||
            (rc = put_key(b, v)) == TERN_ERROR) {
            tern_diags_add(ev->diags, TERN_SEV_ERROR, &e->u.index.key->range,
                           "Invalid index expression",
                           "An import address index must be a known string "
                           "or whole number.");
            rc = TERN_ERROR;
        }
        tern_value_decref(v);
        return rc;
    default:
        return TERN_ERROR;
    }
}

char *tern__expr_addr(const struct tern_expr *e)
{
    tern_buf b = TERN_BUF_INIT;

    if (!e || expr_addr(&b, e, NULL) || tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}

int tern__expr_addr_each(const struct tern_expr *e,
                         const struct tern_lang_scope *sc,
                         struct tern_diags *diags, char **out)
{
    tern_buf b = TERN_BUF_INIT;
    struct addr_ev ev = {sc, diags, 0};
    int rc = expr_addr(&b, e, &ev);

    *out = NULL;
    if (!rc && tern_buf_oom(&b))
        rc = TERN_ENOMEM;
    if (rc) {
        tern_buf_release(&b);
        return rc;
    }
    *out = tern_buf_detach(&b);
    return TERN_OK;
}

/* The address with its non-constant indexes left out, NULL if it is not
 * an address expression. */
static char *expr_addr_static(const struct tern_expr *e)
{
    tern_buf b = TERN_BUF_INIT;
    struct addr_ev ev = {NULL, NULL, 1};

    if (!e || expr_addr(&b, e, &ev) || tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}

/* Do @x and @y name the same configuration block, whatever their module
 * and instance keys? */
static int same_config_addr(const char *x, const char *y)
{
    for (;;) {
        while (*x == '[' || *y == '[') {
            const char **p = *x == '[' ? &x : &y;
            int in_str = 0;

            for ((*p)++; **p && (in_str || **p != ']'); (*p)++) {
                if (in_str && **p == '\\' && (*p)[1])
                    (*p)++;
                else if (**p == '"')
                    in_str = !in_str;
            }
            if (**p == ']')
                (*p)++;
        }
        if (*x != *y)
            return 0;
        if (!*x)
            return 1;
        x++;
        y++;
    }
}

/* ---- modules and events -------------------------------------------------- */

const tern_module *tern__engine_module(const tern_engine *e,
                                       enum tern_module_kind kind,
                                       const char *type)
{
    const tern_module *const *m;

    for (m = e->extra; m && *m; m++)
        if ((*m)->kind == kind && strcmp((*m)->type_name, type) == 0)
            return *m;
    return tern_module_find(kind, type);
}

const tern_provider *tern__engine_provider(const tern_engine *e,
                                           const char *name)
{
    const tern_provider *const *p;

    for (p = e->extra_providers; p && *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return tern_provider_find(name);
}

void tern__engine_event(tern_engine *e, const tern_event *ev)
{
    if (e->on_event)
        e->on_event(ev, e->payload);
}

void tern_engine_interrupt(tern_engine *engine)
{
    if (atomic_fetch_add(&engine->interrupts, 1) >= 1)
        atomic_store(&engine->cancel, 1);
    pthread_mutex_lock(&engine->wake_mu);
    if (engine->wake)
        uv_async_send(engine->wake);
    pthread_mutex_unlock(&engine->wake_mu);
}

void tern__engine_set_wake(tern_engine *e, void *async)
{
    pthread_mutex_lock(&e->wake_mu);
    e->wake = async;
    pthread_mutex_unlock(&e->wake_mu);
}

/* ---- references ----------------------------------------------------------
 */

struct walk {
    tern_engine *e;
    struct eblock *b;
    size_t mod; /* the module instance whose expressions are walked */
    unsigned char *local_seen, *var_seen, *out_seen;
    /* Per block, for the block being walked: referred to as a whole, or
     * only as type.name[each.key] / type.name[count.index]. */
    unsigned char *plain, *keyed;
    int in_local;
    int error;
};

static const char *const object_roots[] = {"var",   "local",  "each",
                                           "count", "path",   "terraform",
                                           "data",  "module", "self"};

static int is_object_root(const char *n)
{
    size_t i;

    for (i = 0; i < sizeof(object_roots) / sizeof(object_roots[0]); i++)
        if (strcmp(n, object_roots[i]) == 0)
            return 1;
    return 0;
}

static void add_dep(struct walk *w, const char *rel, int keyed)
{
    size_t bi, i;
    const char *path = w->e->mods ? w->e->mods[w->mod].path : "";
    char *full = NULL;
    const char *addr = rel;
    int found;

    if (*path) {
        full = tern__mod_addr(path, rel);
        if (!full) {
            w->error = TERN_ENOMEM;
            return;
        }
        addr = full;
    }
    found = tern__map_get(&w->e->block_map, addr, &bi);
    tern_free(full);
    if (!found)
        return;
    if (keyed && !w->in_local)
        w->keyed[bi] = 1;
    else
        w->plain[bi] = 1;
    for (i = 0; i < w->b->ndeps; i++)
        if (w->b->deps[i] == bi)
            return;
    if (TERN_VEC_RESERVE(w->b->deps, w->b->adeps, w->b->ndeps + 1) != TERN_OK) {
        w->error = TERN_ENOMEM;
        return;
    }
    w->b->deps[w->b->ndeps++] = bi;
}

static void walk_expr(struct walk *w, const struct tern_expr *x);

static void walk_local(struct walk *w, const char *name)
{
    const struct emod *m = &w->e->mods[w->mod];
    const struct tern_lang_config *cfg = m->cfg;
    size_t i;

    for (i = 0; i < cfg->nlocal_attrs; i++) {
        if (strcmp(cfg->local_attrs[i]->name, name) == 0) {
            if (w->local_seen[m->local_off + i])
                return;
            w->local_seen[m->local_off + i] = 1;
            w->in_local++;
            walk_expr(w, cfg->local_attrs[i]->expr);
            w->in_local--;
            return;
        }
    }
}

/* Walk @x as module instance @mod's expression (not keyed). */
static void walk_in(struct walk *w, size_t mod, const struct tern_expr *x)
{
    size_t saved = w->mod;

    w->mod = mod;
    w->in_local++;
    walk_expr(w, x);
    w->in_local--;
    w->mod = saved;
}

/* var.NAME in a child module: what its call passes, in the caller. */
static void walk_var(struct walk *w, const char *name)
{
    const struct emod *m = &w->e->mods[w->mod];
    const struct tern_attribute *a;
    size_t i;

    if (w->mod == 0)
        return;
    for (i = 0; i < m->cfg->variables.n; i++) {
        if (strcmp(m->cfg->variables.items[i]->labels[0], name) != 0)
            continue;
        if (w->var_seen[m->var_off + i])
            return;
        w->var_seen[m->var_off + i] = 1;
        if ((a = tern_lang_body_attr(m->mc->call->body, name)))
            walk_in(w, m->parent, a->expr);
        return;
    }
}

/* module.NAME (.OUTPUT when @output is set): the outputs of its
 * instances in module instance w->mod. */
static void walk_module_ref(struct walk *w, const char *name,
                            const char *output)
{
    size_t i, j;

    for (i = w->mod + 1; i < w->e->nmods; i++) {
        const struct emod *c = &w->e->mods[i];

        if (c->parent != w->mod || strcmp(c->mc->name, name) != 0)
            continue;
        for (j = 0; j < c->cfg->outputs.n; j++) {
            const struct tern_block *ob = c->cfg->outputs.items[j];
            const struct tern_attribute *v;

            if (output && strcmp(ob->labels[0], output) != 0)
                continue;
            if (w->out_seen[c->out_off + j])
                continue;
            w->out_seen[c->out_off + j] = 1;
            if ((v = tern_lang_body_attr(ob->body, "value")))
                walk_in(w, i, v->expr);
            if ((v = tern_lang_body_attr(ob->body, "depends_on")))
                walk_in(w, i, v->expr);
        }
    }
}

/*
 * What a block of module instance @mod waits for because of its module
 * calls: each enclosing call's depends_on, count and for_each, in the
 * module that makes the call.
 */
static void walk_calls(struct walk *w, size_t mod)
{
    static const char *const metas[] = {"depends_on", "count", "for_each"};
    size_t k;

    while (mod != 0 && mod != SIZE_MAX) {
        const struct emod *m = &w->e->mods[mod];

        for (k = 0; k < 3; k++) {
            const struct tern_attribute *a =
                tern_lang_body_attr(m->mc->call->body, metas[k]);

            if (a)
                walk_in(w, m->parent, a->expr);
        }
        mod = m->parent;
    }
}

static void check_ref(struct walk *w, const struct tern_expr *x)
{
    const struct tern_expr *obj = x->u.attr.obj;
    char *a;

    if (obj->kind == TERN_EXPR_VAR) {
        const char *root = obj->u.var.name;

        if (strcmp(root, "local") == 0) {
            walk_local(w, x->u.attr.name);
        } else if (strcmp(root, "var") == 0) {
            walk_var(w, x->u.attr.name);
        } else if (strcmp(root, "module") == 0) {
            walk_module_ref(w, x->u.attr.name, NULL);
        } else if (!is_object_root(root)) {
            a = tern_asprintf("%s.%s", root, x->u.attr.name);
            if (!a) {
                w->error = TERN_ENOMEM;
                return;
            }
            add_dep(w, a, 0);
            tern_free(a);
        }
    } else if (obj->kind == TERN_EXPR_GETATTR &&
               obj->u.attr.obj->kind == TERN_EXPR_VAR &&
               strcmp(obj->u.attr.obj->u.var.name, "data") == 0) {
        a = tern_asprintf("data.%s.%s", obj->u.attr.name, x->u.attr.name);
        if (!a) {
            w->error = TERN_ENOMEM;
            return;
        }
        add_dep(w, a, 0);
        tern_free(a);
    }
}

/* each.key or count.index: an instance's own key. */
static int is_self_key(const struct tern_expr *x)
{
    const char *root;

    if (!x || x->kind != TERN_EXPR_GETATTR ||
        x->u.attr.obj->kind != TERN_EXPR_VAR)
        return 0;
    root = x->u.attr.obj->u.var.name;
    return (strcmp(root, "each") == 0 && strcmp(x->u.attr.name, "key") == 0) ||
           (strcmp(root, "count") == 0 && strcmp(x->u.attr.name, "index") == 0);
}

/*
 * type.name[each.key] or type.name[count.index]: a reference to the
 * instance of a managed resource with this instance's own key, which the
 * apply orders against that instance alone (see keyed in struct eblock).
 */
static int keyed_ref(struct walk *w, const struct tern_expr *x)
{
    const struct tern_expr *r = x->u.index.obj;
    char *a;

    if (!is_self_key(x->u.index.key) || r->kind != TERN_EXPR_GETATTR ||
        r->u.attr.obj->kind != TERN_EXPR_VAR ||
        is_object_root(r->u.attr.obj->u.var.name))
        return 0;
    a = tern_asprintf("%s.%s", r->u.attr.obj->u.var.name, r->u.attr.name);
    if (!a) {
        w->error = TERN_ENOMEM;
        return 1;
    }
    add_dep(w, a, 1);
    tern_free(a);
    return 1;
}

/* module.NAME.OUTPUT or module.NAME[KEY].OUTPUT: only that output. */
static int module_output_ref(struct walk *w, const struct tern_expr *x)
{
    const struct tern_expr *o = x->u.attr.obj, *key = NULL;

    if (o->kind == TERN_EXPR_INDEX) {
        key = o->u.index.key;
        o = o->u.index.obj;
    }
    if (o->kind != TERN_EXPR_GETATTR || o->u.attr.obj->kind != TERN_EXPR_VAR ||
        strcmp(o->u.attr.obj->u.var.name, "module") != 0)
        return 0;
    walk_module_ref(w, o->u.attr.name, x->u.attr.name);
    if (key)
        walk_expr(w, key);
    return 1;
}

static void walk_child(void *ctx, const struct tern_expr *e,
                       const struct tern_expr *c, unsigned int role)
{
    (void)e;
    (void)role;
    walk_expr(ctx, c);
}

/* Every dependency @x names, its children through
 * tern_lang_expr_children. Not bounded in depth here, as before: the
 * configuration's validation (tern_lang_config_validate, which the CLI
 * runs first) refuses an expression deeper than the reference walk goes,
 * 1,000 levels. */
static void walk_expr(struct walk *w, const struct tern_expr *x)
{
    if (!x)
        return;
    if (x->kind == TERN_EXPR_GETATTR) {
        if (module_output_ref(w, x))
            return;
        check_ref(w, x);
    } else if (x->kind == TERN_EXPR_INDEX && keyed_ref(w, x)) {
        walk_expr(w, x->u.index.key);
        return;
    }
    tern_lang_expr_children(x, walk_child, w);
}

static void walk_body(struct walk *w, const struct tern_body *body, int top)
{
    size_t i, j;

    for (i = 0; i < body->nattrs; i++)
        walk_expr(w, body->attrs[i].expr);
    for (i = 0; i < body->nblocks; i++) {
        const struct tern_block *nb = body->blocks[i];

        if (top && strcmp(nb->type, "lifecycle") == 0) {
            /* ignore_changes names attributes, not objects. */
            for (j = 0; j < nb->body->nattrs; j++)
                if (strcmp(nb->body->attrs[j].name, "ignore_changes") != 0)
                    walk_expr(w, nb->body->attrs[j].expr);
            /* precondition and postcondition blocks */
            for (j = 0; j < nb->body->nblocks; j++)
                walk_body(w, nb->body->blocks[j]->body, 0);
            continue;
        }
        walk_body(w, nb->body, 0);
    }
}

/* ---- configuration analysis ---------------------------------------------- */

static int const_bool(const struct tern_expr *x, int *out)
{
    if (x && x->kind == TERN_EXPR_LITERAL &&
        tern_value_kind(x->u.literal) == TERN_VAL_BOOL) {
        *out = tern_value_get_bool(x->u.literal);
        return TERN_OK;
    }
    return TERN_EINVALID;
}

static int parse_lifecycle(struct eblock *b, const struct tern_block *lc,
                           struct tern_diags *diags)
{
    const struct tern_attribute *a;
    size_t i;
    int error = TERN_OK;

    if ((a = tern_lang_body_attr(lc->body, "create_before_destroy")) &&
        const_bool(a->expr, &b->cbd))
        goto bad_bool;
    if ((a = tern_lang_body_attr(lc->body, "prevent_destroy")) &&
        const_bool(a->expr, &b->prevent_destroy))
        goto bad_bool;
    if ((a = tern_lang_body_attr(lc->body, "ignore_changes"))) {
        const struct tern_expr *x = a->expr;

        if (x->kind == TERN_EXPR_VAR && strcmp(x->u.var.name, "all") == 0) {
            b->ignore_all = 1;
        } else if (x->kind == TERN_EXPR_TUPLE) {
            b->ignore = tern_calloc(x->u.list.n + 1, sizeof(char *));
            TERN_CHECK_ALLOC(b->ignore);
            for (i = 0; i < x->u.list.n; i++) {
                char *s = tern__expr_addr(x->u.list.items[i]);

                if (!s) {
                    tern_diags_add(diags, TERN_SEV_ERROR,
                                   &x->u.list.items[i]->range,
                                   "Invalid ignore_changes",
                                   "Each element must be an attribute name.");
                    return TERN_ERROR;
                }
                b->ignore[b->nignore++] = s;
            }
        } else {
            tern_diags_add(diags, TERN_SEV_ERROR, &x->range,
                           "Invalid ignore_changes",
                           "ignore_changes is a list of attribute names, or "
                           "the keyword all.");
            return TERN_ERROR;
        }
    }
    if ((a = tern_lang_body_attr(lc->body, "replace_triggered_by"))) {
        const struct tern_expr *x = a->expr;

        if (x->kind != TERN_EXPR_TUPLE) {
            tern_diags_add(diags, TERN_SEV_ERROR, &x->range,
                           "Invalid replace_triggered_by",
                           "replace_triggered_by is a list of references to "
                           "resources or their attributes.");
            return TERN_ERROR;
        }
        b->rtb = tern_calloc(x->u.list.n + 1, sizeof(*b->rtb));
        TERN_CHECK_ALLOC(b->rtb);
        for (i = 0; i < x->u.list.n; i++)
            b->rtb[b->nrtb++] = x->u.list.items[i];
    }
    return TERN_OK;
bad_bool:
    tern_diags_add(diags, TERN_SEV_ERROR, &a->range, "Invalid lifecycle value",
                   "%s must be the literal true or false.", a->name);
    return TERN_ERROR;
done:
    return error;
}

static int eval_const(tern_engine *e, const struct tern_expr *x,
                      tern_value **out, struct tern_diags *diags);

static size_t find_prov(tern_engine *e, const char *name, const char *alias)
{
    size_t i;

    for (i = 0; i < e->nprovs; i++)
        if (strcmp(e->provs[i].name, name) == 0 &&
            ((!alias && !e->provs[i].alias) ||
             (alias && e->provs[i].alias &&
              strcmp(e->provs[i].alias, alias) == 0)))
            return i;
    return SIZE_MAX;
}

static size_t add_prov(tern_engine *e, const char *name, const char *alias,
                       const struct tern_block *blk)
{
    struct eprov *p;

    if (TERN_VEC_RESERVE(e->provs, e->aprovs, e->nprovs + 1) != TERN_OK)
        return SIZE_MAX;
    p = &e->provs[e->nprovs];
    memset(p, 0, sizeof(*p));
    p->name = tern_strdup(name);
    p->alias = alias ? tern_strdup(alias) : NULL;
    p->block = blk;
    p->def = tern__engine_provider(e, name);
    if (!p->name || (alias && !p->alias)) {
        tern_free(p->name);
        tern_free(p->alias);
        return SIZE_MAX;
    }
    return e->nprovs++;
}

size_t tern__provider_for_state(tern_engine *e, const char *stored,
                                const tern_module *m)
{
    const char *alias = stored ? strstr(stored, "\"].") : NULL;
    size_t i = find_prov(e, m->provider, alias ? alias + 3 : NULL);

    if (i == SIZE_MAX)
        i = find_prov(e, m->provider, NULL);
    if (i == SIZE_MAX)
        i = add_prov(e, m->provider, NULL, NULL);
    return i;
}

char *tern__provider_addr(const struct eprov *p)
{
    char *fallback = NULL, *addr;
    const char *source = p->def ? p->def->sources[0] : NULL;

    if (!source) {
        fallback = tern_asprintf("hashicorp/%s", p->name);
        if (!fallback)
            return NULL;
        source = fallback;
    }
    if (p->alias)
        addr =
            tern_asprintf("provider[\"%s%s\"].%s",
                          tern_provider_source_host(source), source, p->alias);
    else
        addr = tern_asprintf("provider[\"%s%s\"]",
                             tern_provider_source_host(source), source);
    tern_free(fallback);
    return addr;
}

static int setup_providers(tern_engine *e, struct tern_diags *diags)
{
    const struct tern_blockvec *v = &e->config->providers;
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < v->n; i++) {
        const struct tern_block *blk = v->items[i];
        const struct tern_attribute *a =
            tern_lang_body_attr(blk->body, "alias");
        const char *alias = NULL;
        tern_value *av = NULL;
        size_t k;

        if (a) {
            if (eval_const(e, a->expr, &av, diags) ||
                tern_value_kind(av) != TERN_VAL_STRING) {
                tern_value_decref(av);
                tern_diags_add(diags, TERN_SEV_ERROR, &a->range,
                               "Invalid provider alias",
                               "alias must be a known string.");
                error = TERN_ERROR;
                continue;
            }
            alias = tern_value_get_string(av);
        }
        if (find_prov(e, blk->labels[0], alias) != SIZE_MAX) {
            tern_diags_add(diags, TERN_SEV_ERROR, &blk->def_range,
                           "Duplicate provider configuration",
                           "A provider configuration for \"%s\"%s%s was "
                           "already given.",
                           blk->labels[0], alias ? " with alias " : "",
                           alias ? alias : "");
            tern_value_decref(av);
            error = TERN_ERROR;
            continue;
        }
        k = add_prov(e, blk->labels[0], alias, blk);
        tern_value_decref(av);
        if (k == SIZE_MAX)
            return TERN_ENOMEM;
    }
    return error;
}

/*
 * The provider configuration that NAME (or NAME.ALIAS) means in module
 * instance @mod: the root's own; in a child, what its call's providers
 * map passes for it, else (no map) the parent's default configuration of
 * that name, as Terraform's implicit inheritance. SIZE_MAX when there is
 * none (or out of memory: *oom set).
 */
static size_t mod_prov(tern_engine *e, size_t mod, const char *name,
                       const char *alias, int *oom)
{
    const struct emod *m = &e->mods[mod];
    const struct tern_attribute *pa;
    char *want = NULL;
    size_t i, r = SIZE_MAX;

    if (mod == 0) {
        i = find_prov(e, name, alias);
        if (i == SIZE_MAX && !alias) {
            i = add_prov(e, name, NULL, NULL);
            if (i == SIZE_MAX)
                *oom = 1;
        }
        return i;
    }
    pa = tern_lang_body_attr(m->mc->call->body, "providers");
    if (!pa)
        return alias ? SIZE_MAX : mod_prov(e, m->parent, name, NULL, oom);
    if (pa->expr->kind != TERN_EXPR_OBJECT)
        return SIZE_MAX;
    if (alias && !(want = tern_asprintf("%s.%s", name, alias))) {
        *oom = 1;
        return SIZE_MAX;
    }
    for (i = 0; i < pa->expr->u.object.n && r == SIZE_MAX; i++) {
        char *v = NULL, *vd;

        if (!tern_lang_key_is(pa->expr->u.object.keys[i], want ? want : name))
            continue;
        v = tern__expr_addr(pa->expr->u.object.vals[i]);
        if (v && (vd = strchr(v, '.')))
            *vd++ = '\0';
        else
            vd = NULL;
        if (v)
            r = mod_prov(e, m->parent, v, vd, oom);
        tern_free(v);
    }
    tern_free(want);
    return r;
}

static int resource_provider(tern_engine *e, struct eblock *b,
                             struct tern_diags *diags)
{
    const struct tern_attribute *a =
        tern_lang_body_attr(b->block->body, "provider");
    char *ref = NULL, *dot;
    size_t i;
    int oom = 0;

    if (!a) {
        i = mod_prov(e, b->mod, b->module->provider, NULL, &oom);
        if (oom)
            return TERN_ENOMEM;
        if (i == SIZE_MAX) {
            tern_diags_add(diags, TERN_SEV_ERROR, &b->block->def_range,
                           "Provider configuration not present",
                           "To work with %s its original provider "
                           "configuration at provider[\"registry.terraform."
                           "io/hashicorp/%s\"] is required, but it has been "
                           "removed. The module's call must pass it in its "
                           "providers argument.",
                           b->addr, b->module->provider);
            return TERN_ERROR;
        }
        b->prov = i;
        return TERN_OK;
    }
    ref = tern__expr_addr(a->expr);
    if (!ref) {
        tern_diags_add(diags, TERN_SEV_ERROR, &a->range,
                       "Invalid provider reference",
                       "provider must be a provider name and alias, such as "
                       "aws.west.");
        return TERN_ERROR;
    }
    dot = strchr(ref, '.');
    if (dot)
        *dot++ = '\0';
    i = mod_prov(e, b->mod, ref, dot, &oom);
    if (oom) {
        tern_free(ref);
        return TERN_ENOMEM;
    }
    if (i == SIZE_MAX) {
        tern_diags_add(diags, TERN_SEV_ERROR, &a->range,
                       "Provider configuration not present",
                       "No provider \"%s\" block has alias \"%s\".", ref,
                       dot ? dot : "");
        tern_free(ref);
        return TERN_ERROR;
    }
    if (strcmp(ref, b->module->provider) != 0) {
        tern_diags_add(diags, TERN_SEV_ERROR, &a->range,
                       "Invalid provider reference",
                       "A %s resource is managed by provider \"%s\", not "
                       "\"%s\".",
                       b->type, b->module->provider, ref);
        tern_free(ref);
        return TERN_ERROR;
    }
    tern_free(ref);
    b->prov = i;
    return TERN_OK;
}

/* The data blocks nested in check blocks: their count, and the one of
 * index @which in *@out (when @out is set). */
static size_t nscoped(const struct tern_lang_config *cfg,
                      const struct tern_block **out, size_t which)
{
    size_t i, j, n = 0;

    for (i = 0; i < cfg->checks.n; i++) {
        const struct tern_body *b = cfg->checks.items[i]->body;

        for (j = 0; b && j < b->nblocks; j++) {
            if (strcmp(b->blocks[j]->type, "data") != 0 ||
                b->blocks[j]->nlabels != 2)
                continue;
            if (out && n == which)
                *out = b->blocks[j];
            n++;
        }
    }
    return n;
}

static int setup_block(tern_engine *e, struct eblock *b,
                       const struct tern_block *blk, enum tern_state_mode mode,
                       struct tern_diags *diags)
{
    const struct tern_attribute *a;
    size_t i;
    int error = TERN_OK;

    const char *path = e->mods[b->mod].path;

    b->block = blk;
    b->mode = mode;
    b->type = blk->labels[0];
    b->name = blk->labels[1];
    b->prov = SIZE_MAX;
    b->addr = mode == TERN_STATE_DATA
                  ? tern_asprintf("%s%sdata.%s.%s", path, *path ? "." : "",
                                  b->type, b->name)
                  : tern_asprintf("%s%s%s.%s", path, *path ? "." : "", b->type,
                                  b->name);
    TERN_CHECK_ALLOC(b->addr);
    b->module = tern__engine_module(
        e, mode == TERN_STATE_DATA ? TERN_MODULE_DATA : TERN_MODULE_RESOURCE,
        b->type);
    if (!b->module)
        return tern_engine_unknown_type(
            diags, &blk->type_range,
            mode == TERN_STATE_DATA ? TERN_MODULE_DATA : TERN_MODULE_RESOURCE,
            b->type);
    if ((a = tern_lang_body_attr(blk->body, "count")))
        b->count = a->expr;
    if ((a = tern_lang_body_attr(blk->body, "for_each")))
        b->for_each = a->expr;
    if (b->count && b->for_each) {
        tern_diags_add(diags, TERN_SEV_ERROR, &a->range,
                       "Invalid combination of \"count\" and \"for_each\"",
                       "The \"count\" and \"for_each\" meta-arguments are "
                       "mutually-exclusive, only one should be used.");
        return TERN_ERROR;
    }
    for (i = 0; i < blk->body->nblocks; i++)
        if (strcmp(blk->body->blocks[i]->type, "lifecycle") == 0 &&
            (error = parse_lifecycle(b, blk->body->blocks[i], diags)))
            return error;
    return resource_provider(e, b, diags);
done:
    return error;
}

/* Depth-first order; a back edge is a cycle, reported in full. */
static int visit(tern_engine *e, size_t bi, size_t *stack, size_t depth,
                 size_t *n, struct tern_diags *diags)
{
    struct eblock *b = &e->blocks[bi];
    size_t i, j;
    int error;

    if (b->mark == 2)
        return TERN_OK;
    if (b->mark == 1) {
        tern_buf msg = TERN_BUF_INIT;

        for (j = 0; j < depth && stack[j] != bi; j++)
            ;
        for (i = j; i < depth; i++)
            tern_buf_printf(&msg, "%s%s", i > j ? ", " : "",
                            e->blocks[stack[i]].addr);
        tern_buf_printf(&msg, ", %s", b->addr);
        tern_diags_add(diags, TERN_SEV_ERROR, &b->block->def_range,
                       "Cycle in the dependency graph", "Cycle: %s",
                       tern_buf_cstr(&msg));
        tern_buf_release(&msg);
        return TERN_ERROR;
    }
    b->mark = 1;
    stack[depth] = bi;
    for (i = 0; i < b->ndeps; i++)
        if ((error = visit(e, b->deps[i], stack, depth + 1, n, diags)))
            return error;
    b->mark = 2;
    e->order[(*n)++] = bi;
    return TERN_OK;
}

static int transitive(tern_engine *e)
{
    unsigned char *seen = tern_calloc(e->nblocks + 1, 1);
    size_t k, i, j, n;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(seen);
    for (k = 0; k < e->nblocks; k++) {
        struct eblock *b = &e->blocks[e->order[k]];

        memset(seen, 0, e->nblocks);
        n = 0;
        for (i = 0; i < b->ndeps; i++) {
            struct eblock *d = &e->blocks[b->deps[i]];

            seen[b->deps[i]] = 1;
            for (j = 0; j < d->nalldeps; j++)
                seen[d->alldeps[j]] = 1;
        }
        for (i = 0; i < e->nblocks; i++)
            n += seen[i];
        b->alldeps = tern_calloc(n + 1, sizeof(size_t));
        TERN_CHECK_ALLOC(b->alldeps);
        for (i = 0; i < e->nblocks; i++)
            if (seen[i])
                b->alldeps[b->nalldeps++] = i;
    }
done:
    tern_free(seen);
    return error;
}

int tern__config_hash(const struct tern_lang_config *cfg, char out[65],
                      json_t **files)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char dig[32];
    unsigned int dlen = 0;
    size_t i, k;
    json_t *arr = files ? json_array() : NULL;
    int error = TERN_OK;

    if (!md || (files && !arr)) {
        error = TERN_ENOMEM;
        goto done;
    }
    EVP_DigestInit_ex(md, tern_sha256_md(), NULL);
    for (i = 0; i < cfg->sources.n; i++) {
        const struct tern_lang_file *f = cfg->sources.files[i];
        const char *base = strrchr(f->name, '/');

        /* A child module's file keeps its path from the root. */
        base =
            base && (i < cfg->nown_files || !cfg->ncalls) ? base + 1 : f->name;
        /* A module called twice was loaded twice: its files count once. */
        if (i >= cfg->nown_files && cfg->ncalls) {
            for (k = cfg->nown_files; k < i; k++)
                if (strcmp(cfg->sources.files[k]->name, f->name) == 0)
                    break;
            if (k < i)
                continue;
        }
        EVP_DigestUpdate(md, base, strlen(base) + 1);
        EVP_DigestUpdate(md, f->src, f->len);
        EVP_DigestUpdate(md, "", 1);
        if (arr &&
            json_array_append_new(arr, json_pack("{s:s, s:s%}", "name", base,
                                                 "text", f->src, f->len)))
            error = TERN_ENOMEM;
    }
    EVP_DigestFinal_ex(md, dig, &dlen);
    for (k = 0; k < 32; k++)
        snprintf(out + 2 * k, 3, "%02x", dig[k]);
    if (files) {
        *files = arr;
        arr = NULL;
    }
done:
    json_decref(arr);
    EVP_MD_CTX_free(md);
    return error;
}

static int eval_const(tern_engine *e, const struct tern_expr *x,
                      tern_value **out, struct tern_diags *diags)
{
    struct tern_lang_scope sc;

    memset(&sc, 0, sizeof(sc));
    sc.vars = e->vars;
    sc.base_dir = e->config->dir;
    sc.stop = &e->interrupts;
    return tern_lang_eval(x, &sc, out, diags);
}

static int setup_vars(tern_engine *e, const tern_value *given,
                      struct tern_diags *diags)
{
    const struct tern_blockvec *v = &e->config->variables;
    tern_value *vars = tern_value_object_new(), *val = NULL;
    size_t i;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(vars);
    for (i = 0; i < v->n; i++) {
        const struct tern_block *b = v->items[i];
        const struct tern_attribute *a;
        tern_value *g =
            given ? tern_value_object_get(given, b->labels[0]) : NULL;
        int sens = 0;

        val = NULL;
        if (g) {
            val = tern_value_incref(g);
        } else if ((a = tern_lang_body_attr(b->body, "default"))) {
            int rc = eval_const(e, a->expr, &val, diags);

            if (rc == TERN_ENOMEM) {
                error = rc;
                goto done;
            }
            if (rc) {
                error = TERN_ERROR;
                continue;
            }
        } else {
            tern_diags_add(diags, TERN_SEV_ERROR, &b->def_range,
                           "No value for required variable",
                           "The root module input variable \"%s\" is not "
                           "set, and has no default value.",
                           b->labels[0]);
            error = TERN_ERROR;
            continue;
        }
        a = tern_lang_body_attr(b->body, "sensitive");
        if (a && !const_bool(a->expr, &sens) && sens &&
            !tern_value_is_sensitive(val)) {
            val = tern_value_mark_sensitive(val);
            TERN_CHECK_ALLOC(val);
        }
        if (tern_value_object_set(vars, b->labels[0], val)) {
            val = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        val = NULL;
    }
    e->vars = vars;
    vars = NULL;
done:
    tern_value_decref(vars);
    return error;
}

static int check_provider_refs(tern_engine *e, struct tern_diags *diags);

/*
 * Import blocks, checked wherever the engine is built (validate and plan
 * alike): each has an id and a `to` that names a managed resource block of
 * the configuration, with Terraform's diagnostics. Whether the instance
 * (a count or for_each key) exists the plan checks once it has expanded
 * the blocks (check_imports in plan.c).
 */
/* Is there a managed resource block @addr (keys ignored) in any module
 * instance? */
static int config_block_exists(const tern_engine *e, const char *addr)
{
    size_t i;

    for (i = 0; i < e->nblocks; i++)
        if (e->blocks[i].mode == TERN_STATE_MANAGED &&
            same_config_addr(e->blocks[i].addr, addr))
            return 1;
    return 0;
}

/*
 * With for_each, an import's `to` index is evaluated with each.key and
 * each.value only (internal/terraform/eval_import.go
 * evalImportToKeyExpression): anything else is HCL's "Unknown variable"
 * at the root name, with Terraform's sentence appended as it appends it.
 */
struct each_only {
    struct tern_diags *diags;
    int error;
};

static void on_index_ref(void *ctx, const struct tern_lang_ref *ref)
{
    struct each_only *eo = ctx;
    const char *root = ref->kind;
    struct tern_range r = ref->range;

    if (strcmp(ref->kind, "each") == 0 || eo->error == TERN_ENOMEM)
        return;
    if (strcmp(ref->kind, "resource") == 0)
        root = ref->type;
    else if (strcmp(ref->kind, "bare") == 0)
        root = ref->name;
    r.end = r.start;
    r.end.column += (unsigned int)strlen(root);
    r.end.byte += strlen(root);
    if (!tern_diags_add(eo->diags, TERN_SEV_ERROR, &r, "Unknown variable",
                        "There is no variable named \"%s\".Only "
                        "\"each.key\" and \"each.value\" can be used in "
                        "import address index expressions.",
                        root))
        eo->error = TERN_ENOMEM;
    else
        eo->error = TERN_ERROR;
}

static int import_index_refs(const struct tern_expr *to,
                             struct tern_diags *diags)
{
    struct each_only eo = {diags, TERN_OK};
    const struct tern_expr *p = to;

    while (p->kind == TERN_EXPR_GETATTR || p->kind == TERN_EXPR_INDEX) {
        if (p->kind == TERN_EXPR_INDEX && !const_key(p->u.index.key))
            tern_lang_expr_refs(p->u.index.key, on_index_ref, &eo);
        p = p->kind == TERN_EXPR_GETATTR ? p->u.attr.obj : p->u.index.obj;
    }
    return eo.error;
}

static int check_import_blocks(tern_engine *e, struct tern_diags *diags)
{
    const struct tern_blockvec *iv = &e->config->imports;
    size_t i, bi;
    int error = TERN_OK, rc;

    for (i = 0; i < iv->n; i++) {
        const struct tern_block *b = iv->items[i];
        const struct tern_attribute *ta = tern_lang_body_attr(b->body, "to");
        const struct tern_attribute *fe =
            tern_lang_body_attr(b->body, "for_each");
        /* With for_each, `to` may index by each.key and each.value: the
         * block it names is checked here, its instances by the plan
         * (internal/configs/import.go parseConfigResourceFromExpression). */
        char *to = !ta  ? NULL
                   : fe ? expr_addr_static(ta->expr)
                        : tern__expr_addr(ta->expr);
        struct addr a;

        if (!tern_lang_body_attr(b->body, "id") || !ta) {
            if (!tern_diags_add(diags, TERN_SEV_ERROR, &b->def_range,
                                "Missing required argument",
                                "The argument \"%s\" is required, but no "
                                "definition was found.",
                                ta ? "id" : "to"))
                error = TERN_ENOMEM;
            else if (!error)
                error = TERN_ERROR;
        } else if (!to) {
            /* hcl.AbsTraversalForExpr's error, where Terraform reads the
             * address (node_resource_plan.go expandResourceImports;
             * with for_each, configs/import.go exprToResourceTraversal). */
            if (!tern_diags_add(diags, TERN_SEV_ERROR, &ta->expr->range,
                                "Invalid expression",
                                "A single static variable reference is "
                                "required: only attribute access and "
                                "indexing with constant keys. No "
                                "calculations, function calls, template "
                                "expressions, etc are allowed here."))
                error = TERN_ENOMEM;
            else if (!error)
                error = TERN_ERROR;
        } else if (tern__addr_parse(to, &a) != TERN_OK) {
            if (!tern_diags_add(diags, TERN_SEV_ERROR, &ta->expr->range,
                                "Invalid import address",
                                "The import block's \"to\" must be the "
                                "address of a resource instance with a "
                                "constant key, such as aws_iam_role.x or "
                                "aws_iam_role.x[\"a\"]."))
                error = TERN_ENOMEM;
            else if (!error)
                error = TERN_ERROR;
        } else {
            if (fe && (rc = import_index_refs(ta->expr, diags))) {
                if (rc == TERN_ENOMEM || !error)
                    error = rc;
            } else if (a.mode != TERN_STATE_MANAGED) {
                if (!tern_diags_add(diags, TERN_SEV_ERROR, &ta->expr->range,
                                    "Invalid import address",
                                    "Only managed resources can be "
                                    "imported."))
                    error = TERN_ENOMEM;
                else if (!error)
                    error = TERN_ERROR;
            } else if (fe ? !config_block_exists(e, a.block_addr)
                          : !tern__map_get(&e->block_map, a.block_addr, &bi)) {
                if (!tern_diags_add(
                        diags, TERN_SEV_ERROR, &ta->expr->range,
                        "Configuration for import target does not exist",
                        "The configuration for the given import target %s "
                        "does not exist. All target instances must have an "
                        "associated configuration to be imported.",
                        a.block_addr))
                    error = TERN_ENOMEM;
                else if (!error)
                    error = TERN_ERROR;
            }
            tern__addr_release(&a);
        }
        tern_free(to);
        if (error == TERN_ENOMEM)
            break;
    }
    return error;
}

/* ---- module instances ---------------------------------------------------- */

/* "module.NAME", "[0]" or "[\"k\"]" after it, after the parent's path. */
static char *mod_path(const char *parent, const char *name,
                      const tern_value *key)
{
    tern_buf b = TERN_BUF_INIT;

    if (*parent)
        tern_buf_printf(&b, "%s.", parent);
    tern_buf_printf(&b, "module.%s", name);
    if (key && tern_value_kind(key) == TERN_VAL_STRING) {
        json_t *j = json_string(tern_value_get_string(key));
        char *q = j ? tern_json_dumps(j, JSON_ENCODE_ANY) : NULL;

        json_decref(j);
        if (!q) {
            tern_buf_release(&b);
            return NULL;
        }
        tern_buf_printf(&b, "[%s]", q);
        free(q); /* jansson's */
    } else if (key && tern_value_kind(key) == TERN_VAL_NUMBER) {
        int64_t i = 0;

        tern_value_get_int(key, &i);
        tern_buf_printf(&b, "[%lld]", (long long)i);
    }
    if (tern_buf_oom(&b)) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}

static int add_mod(tern_engine *e, char *path,
                   const struct tern_lang_config *cfg, size_t parent,
                   const struct tern_lang_modcall *mc, size_t *out)
{
    struct emod *m;

    if (TERN_VEC_RESERVE(e->mods, e->amods, e->nmods + 1) != TERN_OK) {
        tern_free(path);
        return TERN_ENOMEM;
    }
    m = &e->mods[e->nmods];
    memset(m, 0, sizeof(*m));
    m->path = path;
    m->cfg = cfg;
    m->parent = parent;
    m->mc = mc;
    m->local_off = e->nlocals_all;
    m->var_off = e->nvars_all;
    m->out_off = e->nouts_all;
    e->nlocals_all += cfg->nlocal_attrs;
    e->nvars_all += cfg->variables.n;
    e->nouts_all += cfg->outputs.n;
    *out = e->nmods++;
    return TERN_OK;
}

static int is_call_meta(const char *n)
{
    return strcmp(n, "source") == 0 || strcmp(n, "version") == 0 ||
           strcmp(n, "count") == 0 || strcmp(n, "for_each") == 0 ||
           strcmp(n, "depends_on") == 0 || strcmp(n, "providers") == 0;
}

/*
 * A call's arguments against the module's variables, as Terraform decodes
 * the call's body with a schema of them (hcl's messages): each argument
 * must be a variable, each variable without a default must be set.
 */
static int check_call_args(const struct tern_lang_modcall *mc,
                           struct tern_diags *diags)
{
    const struct tern_body *body = mc->call->body;
    const struct tern_lang_config *c = mc->cfg;
    size_t i, j;
    int error = TERN_OK;

    for (i = 0; i < body->nattrs; i++) {
        const char *n = body->attrs[i].name;

        if (is_call_meta(n))
            continue;
        for (j = 0; j < c->variables.n; j++)
            if (strcmp(c->variables.items[j]->labels[0], n) == 0)
                break;
        if (j < c->variables.n)
            continue;
        if (!tern_diags_add(diags, TERN_SEV_ERROR, &body->attrs[i].name_range,
                            "Unsupported argument",
                            "An argument named \"%s\" is not expected here.",
                            n))
            return TERN_ENOMEM;
        error = TERN_ERROR;
    }
    for (j = 0; j < c->variables.n; j++) {
        const struct tern_block *v = c->variables.items[j];

        if (tern_lang_body_attr(v->body, "default") ||
            tern_lang_body_attr(body, v->labels[0]))
            continue;
        if (!tern_diags_add(diags, TERN_SEV_ERROR, &mc->call->def_range,
                            "Missing required argument",
                            "The argument \"%s\" is required, but no "
                            "definition was found.",
                            v->labels[0]))
            return TERN_ENOMEM;
        error = TERN_ERROR;
    }
    for (i = 0; i < body->nblocks; i++) {
        if (!tern_diags_add(diags, TERN_SEV_ERROR, &body->blocks[i]->type_range,
                            "Unsupported block type",
                            "Blocks of type \"%s\" are not expected here.",
                            body->blocks[i]->type))
            return TERN_ENOMEM;
        error = TERN_ERROR;
    }
    if (c->providers.n) {
        if (!tern_diags_add(diags, TERN_SEV_ERROR,
                            &c->providers.items[0]->def_range,
                            "Provider configuration in a module",
                            "tern does not support provider blocks in child "
                            "modules. Configure the provider in the root "
                            "module and pass it to module \"%s\" with the "
                            "providers argument of its module block.",
                            mc->name))
            return TERN_ENOMEM;
        error = TERN_ERROR;
    }
    return error;
}

/* The engine's static scope of module instance @mod: variables and locals,
 * resources unknown (struct mscope with cx NULL). */
static void static_scope(tern_engine *e, struct mscope *ms, size_t mod,
                         struct tern_lang_scope *sc)
{
    memset(ms, 0, sizeof(*ms));
    ms->e = e;
    ms->mod = mod;
    memset(sc, 0, sizeof(*sc));
    sc->vars = mod == 0 ? e->vars : NULL;
    sc->path_module = e->mods[mod].cfg->dir;
    sc->module_key = e->mods[mod].cfg->key;
    sc->path_root = e->config->dir;
    sc->path_cwd = ".";
    sc->base_dir = e->mods[mod].cfg->dir;
    sc->sources = (struct tern_lang_sources *)&e->config->sources;
    sc->resolve = tern__resolve;
    sc->ctx = ms;
}

/*
 * The instances of module instance @mod's calls, recursively. count and
 * for_each must be known from variables and locals (Terraform's error
 * otherwise); validate (@validating) expands an unknown one as a single
 * instance, to check what is inside.
 */
static int expand_calls(tern_engine *e, size_t mod, int validating,
                        struct tern_diags *diags)
{
    const struct tern_lang_config *cfg = e->mods[mod].cfg;
    size_t i, k;
    int error = TERN_OK, rc;

    for (i = 0; i < cfg->ncalls; i++) {
        const struct tern_lang_modcall *mc = &cfg->calls[i];
        struct tern_lang_instances in;
        struct tern_lang_scope sc;
        struct mscope ms;
        struct tern_diags local = TERN_DIAGS_INIT;

        if (!mc->cfg)
            continue;
        /* Once per call, not per instance of the calling module. */
        for (k = 0; k < mod && e->mods[k].cfg != cfg; k++)
            ;
        if (k == mod) {
            rc = check_call_args(mc, diags);
            if (rc == TERN_ENOMEM)
                return rc;
            if (rc)
                error = TERN_ERROR;
        }
        static_scope(e, &ms, mod, &sc);
        rc = tern_lang_expand(mc->call, &sc, &in, &local);
        if (rc == TERN_ENOMEM) {
            tern_diags_release(&local);
            return rc;
        }
        if (rc && validating && in.unknown) {
            /* validate: check the module once, its keys unknown */
            tern_lang_instances_release(&in);
            tern_diags_release(&local);
            memset(&in, 0, sizeof(in));
            in.mode = TERN_LANG_EXPAND_SINGLE;
            in.n = 1;
            rc = TERN_OK;
            {
                size_t m2;
                char *path = mod_path(e->mods[mod].path, mc->name, NULL);

                if (!path || add_mod(e, path, mc->cfg, mod, mc, &m2))
                    return TERN_ENOMEM;
                e->mods[m2].each_key = tern_value_unknown();
                e->mods[m2].each_value = tern_value_unknown();
                e->mods[m2].count_index = tern_value_unknown();
                if ((rc = expand_calls(e, m2, validating, diags)) ==
                    TERN_ENOMEM)
                    return rc;
                if (rc)
                    error = TERN_ERROR;
            }
            continue;
        }
        if (rc) {
            rc = tern_diags_move(diags, &local);
            tern_diags_release(&local);
            if (rc == TERN_ENOMEM) {
                tern_lang_instances_release(&in);
                return rc;
            }
            tern_lang_instances_release(&in);
            error = TERN_ERROR;
            continue;
        }
        tern_diags_release(&local);
        for (k = 0; k < in.n; k++) {
            size_t m2;
            char *path = mod_path(
                e->mods[mod].path, mc->name,
                in.mode == TERN_LANG_EXPAND_SINGLE ? NULL : in.keys[k]);

            if (!path || add_mod(e, path, mc->cfg, mod, mc, &m2)) {
                tern_lang_instances_release(&in);
                return TERN_ENOMEM;
            }
            if (in.mode == TERN_LANG_EXPAND_COUNT) {
                e->mods[m2].count_index = tern_value_incref(in.keys[k]);
            } else if (in.mode == TERN_LANG_EXPAND_FOR_EACH) {
                e->mods[m2].each_key = tern_value_incref(in.keys[k]);
                e->mods[m2].each_value =
                    tern_value_incref(in.values[k] ? in.values[k] : in.keys[k]);
            }
            if ((rc = expand_calls(e, m2, validating, diags)) == TERN_ENOMEM) {
                tern_lang_instances_release(&in);
                return rc;
            }
            if (rc)
                error = TERN_ERROR;
        }
        tern_lang_instances_release(&in);
    }
    return error;
}

static int setup_mods(tern_engine *e, int validating, struct tern_diags *diags)
{
    char *root = tern_strdup("");
    size_t r;
    int rc;

    if (!root || add_mod(e, root, e->config, SIZE_MAX, NULL, &r))
        return TERN_ENOMEM;
    rc = expand_calls(e, 0, validating, diags);
    if (rc == TERN_ENOMEM)
        return rc;
    e->mscopes = tern_calloc(e->nmods + 1, sizeof(*e->mscopes));
    if (!e->mscopes)
        return TERN_ENOMEM;
    for (r = 0; r < e->nmods; r++) {
        e->mscopes[r].e = e;
        e->mscopes[r].mod = r;
    }
    return rc;
}

/*
 * removed blocks (Terraform 1.7). Without lifecycle { destroy = false }
 * the objects are destroyed, which is what a resource missing from the
 * configuration gets anyway. With destroy = false a plan forgets them:
 * their `from` is kept in e->forgets and plan_orphans plans
 * TERN_ACTION_FORGET instead of a delete. A removed block naming a
 * resource or a module call that is still configured is refused with
 * Terraform's errors (internal/refactoring/remove_statement.go,
 * validateRemoveStatements), pointing at the declaration.
 */
static int removed_still_exists(const tern_engine *e, const char *from,
                                struct tern_diags *diags)
{
    const struct tern_lang_config *cfg = e->config;
    const struct tern_block *call = NULL;
    const char *p = from, *dot;
    size_t i, n;

    while (strncmp(p, "module.", 7) == 0) {
        const struct tern_lang_config *next = NULL;

        p += 7;
        dot = strchr(p, '.');
        n = dot ? (size_t)(dot - p) : strlen(p);
        for (i = 0; i < cfg->ncalls; i++)
            if (strlen(cfg->calls[i].name) == n &&
                strncmp(cfg->calls[i].name, p, n) == 0) {
                next = cfg->calls[i].cfg;
                call = cfg->calls[i].call;
            }
        if (!next)
            return TERN_OK; /* not (or no longer) declared */
        cfg = next;
        p = dot ? dot + 1 : p + n;
    }
    if (!*p) {
        if (!call)
            return TERN_OK;
        return tern_diags_add(diags, TERN_SEV_ERROR, &call->def_range,
                              "Removed module still exists",
                              "This statement declares that %s was removed, "
                              "but it is still declared in configuration.",
                              from)
                   ? TERN_ERROR
                   : TERN_ENOMEM;
    }
    dot = strchr(p, '.');
    if (!dot)
        return TERN_OK;
    n = (size_t)(dot - p);
    for (i = 0; i < cfg->resources.n; i++) {
        const struct tern_block *r = cfg->resources.items[i];

        if (r->nlabels == 2 && strlen(r->labels[0]) == n &&
            strncmp(r->labels[0], p, n) == 0 &&
            strcmp(r->labels[1], dot + 1) == 0)
            return tern_diags_add(diags, TERN_SEV_ERROR, &r->def_range,
                                  "Removed resource still exists",
                                  "This statement declares that %s was "
                                  "removed, but it is still declared in "
                                  "configuration.",
                                  from)
                       ? TERN_ERROR
                       : TERN_ENOMEM;
    }
    return TERN_OK;
}

/*
 * What `from` may name (Terraform's addrs.ParseRemoveTarget): a resource
 * or a module call, without instance keys, never a data source. A wrong
 * one is refused rather than matched against nothing, which would destroy
 * what destroy = false means to keep. The diagnostic covers the whole
 * address (Terraform's the offending step).
 */
static int removed_target(const char *from, const struct tern_range *range,
                          struct tern_diags *diags)
{
    const char *k = strchr(from, '['), *seg, *p;
    int module_key = 0;
    void *d;

    if (k) {
        /* The segment before the key, and the one before it. */
        for (seg = k; seg > from && seg[-1] != '.'; seg--)
            ;
        for (p = seg > from ? seg - 1 : seg; p > from && p[-1] != '.'; p--)
            ;
        module_key = seg > from && (size_t)(seg - 1 - p) == 6 &&
                     strncmp(p, "module", 6) == 0;
        d = module_key
                ? tern_diags_add(diags, TERN_SEV_ERROR, range,
                                 "Module instance keys not allowed",
                                 "Module address must be a module (e.g. "
                                 "\"module.foo\"), not a module instance "
                                 "(e.g. \"module.foo[1]\").")
                : tern_diags_add(diags, TERN_SEV_ERROR, range,
                                 "Resource instance keys not allowed",
                                 "Resource address must be a resource (e.g. "
                                 "\"test_instance.foo\"), not a resource "
                                 "instance (e.g. \"test_instance.foo[1]\").");
        return d ? TERN_ERROR : TERN_ENOMEM;
    }
    if (strncmp(from, "data.", 5) == 0 || strstr(from, ".data.")) {
        d = tern_diags_add(diags, TERN_SEV_ERROR, range,
                           "Data source address not allowed",
                           "Data sources are never destroyed, so they are "
                           "not valid targets of removed blocks. To remove "
                           "the data source from state, remove the data "
                           "source block from configuration.");
        return d ? TERN_ERROR : TERN_ENOMEM;
    }
    return TERN_OK;
}

/* Count the removed blocks of @cfg and its descendants. */
static size_t count_removed(const struct tern_lang_config *cfg)
{
    size_t n = cfg->removed.n, i;

    for (i = 0; i < cfg->ncalls; i++)
        if (cfg->calls[i].cfg)
            n += count_removed(cfg->calls[i].cfg);
    return n;
}

/*
 * The removed blocks of @cfg, reached through @prefix ("" at the root,
 * "module.a." in the call a), then its children's, as Terraform's
 * findRemoveStatements (internal/refactoring/remove_statement.go): a
 * child's `from` is relative to its module, and a statement of a parent
 * about the same object overrides the child's. @seen collects every
 * absolute `from` taken (*nseen of them).
 */
static int removed_in(tern_engine *e, const struct tern_lang_config *cfg,
                      const char *prefix, char **seen, size_t *nseen,
                      struct tern_diags *diags)
{
    const struct tern_blockvec *rv = &cfg->removed;
    size_t i, j;
    int error = TERN_OK, rc, keep;

    for (i = 0; i < rv->n; i++) {
        const struct tern_block *b = rv->items[i];
        const struct tern_attribute *fa = tern_lang_body_attr(b->body, "from");
        char *rel = fa ? tern__expr_addr(fa->expr) : NULL, *from;
        int forget = 0, dup = 0;

        if (!rel)
            continue;
        if ((rc = removed_target(rel, &fa->expr->range, diags)) != TERN_OK) {
            tern_free(rel);
            if (rc == TERN_ENOMEM)
                return rc;
            error = TERN_ERROR;
            continue;
        }
        from = tern_asprintf("%s%s", prefix, rel);
        tern_free(rel);
        if (!from)
            return TERN_ENOMEM;
        for (j = 0; j < *nseen; j++)
            if (strcmp(seen[j], from) == 0)
                dup = 1;
        if (dup) {
            tern_free(from);
            continue;
        }
        seen[(*nseen)++] = from;
        if ((rc = removed_still_exists(e, from, diags)) == TERN_ENOMEM)
            return rc;
        else if (rc)
            error = TERN_ERROR;
        for (j = 0; j < b->body->nblocks; j++) {
            const struct tern_block *lc = b->body->blocks[j];
            const struct tern_attribute *da =
                tern_lang_body_attr(lc->body, "destroy");

            if (strcmp(lc->type, "lifecycle") == 0 && da &&
                !const_bool(da->expr, &keep) && !keep)
                forget = 1;
        }
        if (forget) {
            if (!(e->forgets[e->nforgets] = tern_strdup(from)))
                return TERN_ENOMEM;
            e->nforgets++;
        }
    }
    for (i = 0; i < cfg->ncalls; i++) {
        char *sub;

        if (!cfg->calls[i].cfg)
            continue;
        sub = tern_asprintf("%smodule.%s.", prefix, cfg->calls[i].name);
        if (!sub)
            return TERN_ENOMEM;
        rc = removed_in(e, cfg->calls[i].cfg, sub, seen, nseen, diags);
        tern_free(sub);
        if (rc == TERN_ENOMEM)
            return rc;
        if (rc)
            error = TERN_ERROR;
    }
    return error;
}

static int check_removed_blocks(tern_engine *e, struct tern_diags *diags)
{
    size_t n = count_removed(e->config), nseen = 0, i;
    char **seen = tern_calloc(n + 1, sizeof(*seen));
    int error;

    e->forgets = tern_calloc(n + 1, sizeof(*e->forgets));
    if (!e->forgets || !seen) {
        tern_free(seen);
        return TERN_ENOMEM;
    }
    error = removed_in(e, e->config, "", seen, &nseen, diags);
    for (i = 0; i < nseen; i++)
        tern_free(seen[i]);
    tern_free(seen);
    return error;
}

int tern__forgotten(const tern_engine *e, const char *addr)
{
    char cfg[1024];
    size_t i, n = 0, len;
    int depth = 0, quoted = 0;

    if (!e->nforgets)
        return 0;
    /* The address without instance keys: module.a["x"].t.n[0] is
     * module.a.t.n, as Terraform's ConfigResource. */
    for (; *addr && n + 1 < sizeof(cfg); addr++) {
        if (quoted) {
            if (*addr == '\\' && addr[1])
                addr++;
            else if (*addr == '"')
                quoted = 0;
        } else if (*addr == '"' && depth) {
            quoted = 1;
        } else if (*addr == '[') {
            depth++;
        } else if (*addr == ']') {
            depth--;
        } else if (!depth) {
            cfg[n++] = *addr;
        }
    }
    cfg[n] = 0;
    for (i = 0; i < e->nforgets; i++) {
        len = strlen(e->forgets[i]);
        /* A resource by its address; a module call (module.a) forgets
         * everything below it, not module.ab's. */
        if (strcmp(cfg, e->forgets[i]) == 0 ||
            (strncmp(e->forgets[i], "module.", 7) == 0 &&
             strncmp(cfg, e->forgets[i], len) == 0 && cfg[len] == '.'))
            return 1;
    }
    return 0;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = TERN_ERROR;

static void init_process(void)
{
    /* Jansson keeps no size, so its functions are tern's as they are;
     * what it allocated before this (nothing, at program start) is freed
     * by free(), which tern_free() is. */
    json_set_alloc_funcs(tern_malloc, tern_free);
    init_rc = tern_state_use_tern_allocator();
}

int tern_init(void)
{
    pthread_once(&init_once, init_process);
    return init_rc;
}

int tern_engine_new(tern_engine **out, const tern_engine_options *opts,
                    struct tern_diags *diags)
{
    return tern__engine_new(out, opts, 1, diags);
}

/* A setup step's result folded into the engine's: TERN_ENOMEM stops the
 * setup (0); any other failure is kept in *error as TERN_ERROR and the
 * setup goes on (1), so that one run reports every mistake it can. */
static int setup_goes_on(int rc, int *error)
{
    if (rc == TERN_ENOMEM) {
        *error = rc;
        return 0;
    }
    if (rc)
        *error = TERN_ERROR;
    return 1;
}

/* The engine's blocks: each module instance's resources, its data
 * sources, then its check blocks' scoped data sources. TERN_ERROR: a
 * block failed its setup (said in diags), the others are set up. */
static int setup_blocks(tern_engine *e, struct tern_diags *diags)
{
    size_t i, mi, mb, n = 0;
    int error = TERN_OK, rc;

    for (i = 0; i < e->nmods; i++)
        n += e->mods[i].cfg->resources.n + e->mods[i].cfg->data.n +
             nscoped(e->mods[i].cfg, NULL, 0);
    e->blocks = tern_calloc(n + 1, sizeof(*e->blocks));
    e->order = tern_calloc(n + 1, sizeof(size_t));
    TERN_CHECK_ALLOC(e->blocks);
    TERN_CHECK_ALLOC(e->order);
    /* Counted once there are blocks: tern_engine_free walks them. */
    e->nblocks = n;
    for (i = 0, mi = 0, mb = 0; i < e->nblocks; i++, mb++) {
        const struct tern_lang_config *mc = e->mods[mi].cfg;
        size_t nd;
        int data;
        const struct tern_block *blk = NULL;

        while (mb >= mc->resources.n + mc->data.n + nscoped(mc, NULL, 0)) {
            mc = e->mods[++mi].cfg;
            mb = 0;
        }
        nd = mc->resources.n + mc->data.n;
        data = mb >= mc->resources.n;
        /* A check block's scoped data source: a data source whose
         * failures are warnings. */
        if (mb >= nd) {
            nscoped(mc, &blk, mb - nd);
            e->blocks[i].check_scoped = 1;
        } else {
            blk = data ? mc->data.items[mb - mc->resources.n]
                       : mc->resources.items[mb];
        }
        e->blocks[i].mod = mi;
        rc = setup_block(e, &e->blocks[i], blk,
                         data ? TERN_STATE_DATA : TERN_STATE_MANAGED, diags);
        if (rc == TERN_ENOMEM) {
            error = rc;
            goto done;
        }
        if (rc)
            error = TERN_ERROR;
        if (e->blocks[i].addr &&
            (rc = tern__map_put(&e->block_map, e->blocks[i].addr, i))) {
            error = rc;
            goto done;
        }
    }
done:
    return error;
}

/* Each block's dependencies, from its body and the calls it makes, and
 * among them the managed blocks it refers to only by key (w.keyed). */
static int walk_blocks(tern_engine *e)
{
    const struct tern_lang_config *cfg = e->config;
    struct walk w;
    size_t i, k;
    int error = TERN_OK;

    memset(&w, 0, sizeof(w));
    w.e = e;
    w.local_seen = tern_calloc(e->nlocals_all + 1, 1);
    w.var_seen = tern_calloc(e->nvars_all + 1, 1);
    w.out_seen = tern_calloc(e->nouts_all + 1, 1);
    w.plain = tern_calloc(e->nblocks + 1, 1);
    w.keyed = tern_calloc(e->nblocks + 1, 1);
    TERN_CHECK_ALLOC(w.local_seen);
    TERN_CHECK_ALLOC(w.var_seen);
    TERN_CHECK_ALLOC(w.out_seen);
    TERN_CHECK_ALLOC(w.plain);
    TERN_CHECK_ALLOC(w.keyed);
    for (i = 0; i < e->nblocks; i++) {
        w.b = &e->blocks[i];
        w.mod = w.b->mod;
        if (e->nmods > 1) {
            memset(w.local_seen, 0, e->nlocals_all + 1);
            memset(w.var_seen, 0, e->nvars_all + 1);
            memset(w.out_seen, 0, e->nouts_all + 1);
        } else {
            memset(w.local_seen, 0, cfg->nlocal_attrs + 1);
        }
        memset(w.plain, 0, e->nblocks + 1);
        memset(w.keyed, 0, e->nblocks + 1);
        walk_body(&w, w.b->block->body, 1);
        walk_calls(&w, w.b->mod);
        if (w.error) {
            error = w.error;
            goto done;
        }
        w.b->keyed = tern_calloc(w.b->ndeps + 1, sizeof(size_t));
        TERN_CHECK_ALLOC(w.b->keyed);
        for (k = 0; k < w.b->ndeps; k++)
            if (w.keyed[w.b->deps[k]] && !w.plain[w.b->deps[k]] &&
                e->blocks[w.b->deps[k]].mode == TERN_STATE_MANAGED)
                w.b->keyed[w.b->nkeyed++] = w.b->deps[k];
    }
done:
    tern_free(w.local_seen);
    tern_free(w.var_seen);
    tern_free(w.out_seen);
    tern_free(w.plain);
    tern_free(w.keyed);
    return error;
}

/* The blocks in dependency order (a cycle is an error), then each
 * block's transitive dependencies. */
static int order_blocks(tern_engine *e, struct tern_diags *diags)
{
    size_t i, n = 0, *stack = NULL;
    int error = TERN_OK;

    stack = tern_calloc(e->nblocks + 1, sizeof(size_t));
    TERN_CHECK_ALLOC(stack);
    for (i = 0; i < e->nblocks; i++)
        if ((error = visit(e, i, stack, 0, &n, diags)))
            goto done;
    if ((error = transitive(e)))
        goto done;
done:
    tern_free(stack);
    return error;
}

int tern__engine_new(tern_engine **out, const tern_engine_options *opts,
                     int need_state, struct tern_diags *diags)
{
    tern_engine *e = NULL;
    int error = TERN_OK;

    *out = NULL;
    if (!opts || opts->version != TERN_ENGINE_OPTIONS_VERSION ||
        !opts->config || (need_state && !opts->state)) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid engine options",
                       "An engine needs a configuration and a state.");
        return TERN_EINVALID;
    }
    e = tern_calloc(1, sizeof(*e));
    TERN_CHECK_ALLOC(e);
    pthread_mutex_init(&e->wake_mu, NULL);
    e->progress = tern__progress_new();
    if (!e->progress) {
        pthread_mutex_destroy(&e->wake_mu);
        tern_free(e);
        return TERN_ENOMEM;
    }
    e->config = opts->config;
    e->state = opts->state;
    e->parallelism = opts->parallelism ? opts->parallelism : 10;
    e->on_event = opts->on_event;
    e->payload = opts->payload;
    e->extra = opts->extra_modules;
    e->extra_providers = opts->extra_providers;
    e->module_user = opts->module_user;
    e->http = opts->http;
    e->clock = opts->clock;
    /* The hash ties a plan to its configuration at apply; validate's
     * engine never plans (and plan runs it first: its hash would cost
     * B2 another 2.7 M instructions, OpenSSL's SHA-256 set-up). */
    if (need_state &&
        (error = tern__config_hash(e->config, e->config_hash, NULL)))
        goto done;
    if (!setup_goes_on(setup_vars(e, opts->variables, diags), &error) ||
        !setup_goes_on(setup_providers(e, diags), &error) ||
        !setup_goes_on(setup_mods(e, !need_state, diags), &error) ||
        !setup_goes_on(setup_blocks(e, diags), &error) ||
        !setup_goes_on(check_provider_refs(e, diags), &error) ||
        !setup_goes_on(check_import_blocks(e, diags), &error) ||
        !setup_goes_on(check_removed_blocks(e, diags), &error) || error)
        goto done;
    if ((error = walk_blocks(e)) || (error = order_blocks(e, diags)))
        goto done;
    *out = e;
    e = NULL;
done:
    tern_engine_free(e);
    return error;
}

void tern_engine_free(tern_engine *e)
{
    size_t i, j;

    if (!e)
        return;
    for (i = 0; i < e->nforgets; i++)
        tern_free(e->forgets[i]);
    tern_free(e->forgets);
    for (i = 0; i < e->nblocks; i++) {
        struct eblock *b = &e->blocks[i];

        tern_free(b->addr);
        for (j = 0; j < b->nignore; j++)
            tern_free(b->ignore[j]);
        tern_free(b->ignore);
        tern_free(b->rtb);
        tern_free(b->deps);
        tern_free(b->alldeps);
        tern_free(b->keyed);
    }
    for (i = 0; i < e->nprovs; i++) {
        struct eprov *p = &e->provs[i];

        tern_free(p->name);
        tern_free(p->alias);
        json_decref(p->settings);
        tern_diags_release(&p->init_diags);
        if (p->def && p->def->free)
            p->def->free(p->client);
    }
    tern_free(e->provs);
    for (i = 0; i < e->nmods; i++) {
        tern_free(e->mods[i].path);
        tern_value_decref(e->mods[i].each_key);
        tern_value_decref(e->mods[i].each_value);
        tern_value_decref(e->mods[i].count_index);
    }
    tern_free(e->mods);
    tern_free(e->mscopes);
    if (e->own_http)
        tern_http_free(e->http);
    tern__map_release(&e->block_map);
    tern_free(e->blocks);
    tern_free(e->order);
    tern_value_decref(e->vars);
    pthread_mutex_destroy(&e->wake_mu);
    tern__progress_free(e->progress);
    tern_free(e);
}

/* ---- providers ----------------------------------------------------------- */

/*
 * A provider block is evaluated before anything is read or planned, in a
 * scope of the input variables and the local values (which may use each
 * other and functions); check_provider_refs keeps data sources and
 * resources out of it, at validate as at plan.
 */
struct provscope {
    tern_engine *e;
    int depth;
};

static int prov_eval(struct provscope *ps, const struct tern_expr *x,
                     tern_value **out, struct tern_diags *diags);

static int prov_resolve(void *ctx, const struct tern_lang_ref *ref,
                        tern_value **out, struct tern_diags *diags)
{
    struct provscope *ps = ctx;
    const struct tern_lang_config *cfg = ps->e->config;
    size_t i;
    int error;

    if (strcmp(ref->kind, "local") != 0)
        return TERN_ENOTFOUND;
    for (i = 0; i < cfg->nlocal_attrs; i++) {
        if (strcmp(cfg->local_attrs[i]->name, ref->name) != 0)
            continue;
        if (ps->depth > 100) {
            tern_diags_add(diags, TERN_SEV_ERROR, &ref->range,
                           "Cycle in local values",
                           "local.%s refers to itself.", ref->name);
            return TERN_ERROR;
        }
        ps->depth++;
        error = prov_eval(ps, cfg->local_attrs[i]->expr, out, diags);
        ps->depth--;
        return error;
    }
    return TERN_ENOTFOUND;
}

static int prov_eval(struct provscope *ps, const struct tern_expr *x,
                     tern_value **out, struct tern_diags *diags)
{
    const struct tern_lang_config *cfg = ps->e->config;
    struct tern_lang_scope sc;

    memset(&sc, 0, sizeof(sc));
    sc.vars = ps->e->vars;
    sc.path_module = cfg->dir;
    sc.path_root = cfg->dir;
    sc.path_cwd = ".";
    sc.workspace = cfg->workspace;
    sc.base_dir = cfg->dir;
    sc.sources = (struct tern_lang_sources *)&cfg->sources;
    sc.resolve = prov_resolve;
    sc.ctx = ps;
    return tern_lang_eval(x, &sc, out, diags);
}

struct provrefs {
    const struct tern_lang_config *cfg;
    unsigned char *seen;             /* locals already walked */
    const struct tern_lang_ref *top; /* the reference in the provider block */
    struct tern_diags *diags;
    int error;
};

static void on_prov_ref(void *ctx, const struct tern_lang_ref *ref)
{
    struct provrefs *pr = ctx;
    const struct tern_lang_ref *top = pr->top ? pr->top : ref;
    char *what = NULL;
    size_t i;

    if (strcmp(ref->kind, "local") == 0) {
        for (i = 0; i < pr->cfg->nlocal_attrs; i++) {
            if (pr->seen[i] ||
                strcmp(pr->cfg->local_attrs[i]->name, ref->name) != 0)
                continue;
            pr->seen[i] = 1;
            pr->top = top;
            tern_lang_expr_refs(pr->cfg->local_attrs[i]->expr, on_prov_ref, pr);
            pr->top = top == ref ? NULL : top;
        }
        return;
    }
    if (strcmp(ref->kind, "resource") == 0)
        what = tern_asprintf("%s.%s", ref->type, ref->name);
    else if (strcmp(ref->kind, "data") == 0)
        what = tern_asprintf("data.%s.%s", ref->type, ref->name);
    else if (strcmp(ref->kind, "module") == 0)
        what = tern_asprintf("module.%s", ref->name);
    else
        return;
    if (!what ||
        !tern_diags_add(pr->diags, TERN_SEV_ERROR, &top->range,
                        "Unsupported reference in provider configuration",
                        "tern configures a provider before it reads any data "
                        "source or plans any resource, so a provider block "
                        "can use input variables and local values only, not "
                        "%s%s%s%s.",
                        what, top != ref ? " (through local." : "",
                        top != ref ? top->name : "", top != ref ? ")" : ""))
        pr->error = TERN_ENOMEM;
    else if (!pr->error)
        pr->error = TERN_ERROR;
    tern_free(what);
}

static void prov_body_refs(struct provrefs *pr, const struct tern_body *body)
{
    size_t i;

    for (i = 0; i < body->nattrs; i++) {
        memset(pr->seen, 0, pr->cfg->nlocal_attrs + 1);
        tern_lang_expr_refs(body->attrs[i].expr, on_prov_ref, pr);
    }
    for (i = 0; i < body->nblocks; i++)
        prov_body_refs(pr, body->blocks[i]->body);
}

static int check_provider_refs(tern_engine *e, struct tern_diags *diags)
{
    struct provrefs pr;
    size_t i;

    memset(&pr, 0, sizeof(pr));
    pr.cfg = e->config;
    pr.diags = diags;
    pr.seen = tern_calloc(e->config->nlocal_attrs + 1, 1);
    if (!pr.seen)
        return TERN_ENOMEM;
    for (i = 0; i < e->config->providers.n; i++)
        prov_body_refs(&pr, e->config->providers.items[i]->body);
    tern_free(pr.seen);
    return pr.error;
}

static int eval_body_json(tern_engine *e, const struct tern_body *body,
                          json_t *out, struct tern_diags *diags)
{
    struct provscope ps = {e, 0};
    size_t i;
    int error = TERN_OK, oom = 0;

    for (i = 0; i < body->nattrs; i++) {
        tern_value *v = NULL;
        int rc = prov_eval(&ps, body->attrs[i].expr, &v, diags);

        if (rc) {
            error = rc == TERN_ENOMEM ? rc : TERN_ERROR;
            continue;
        }
        tern_json_set(&oom, out, body->attrs[i].name, tern_value_to_json(v));
        tern_value_decref(v);
    }
    for (i = 0; i < body->nblocks; i++) {
        json_t *sub = json_object();
        int rc;

        if (!sub)
            return TERN_ENOMEM;
        if ((rc = eval_body_json(e, body->blocks[i]->body, sub, diags)))
            error = rc == TERN_ENOMEM ? rc : TERN_ERROR;
        tern_json_set(&oom, out, body->blocks[i]->type, sub);
    }
    return oom ? TERN_ENOMEM : error;
}

/* Drop what the schema marks sensitive (keys, tokens), in nested blocks
 * too: modules, plans and logs never see it. */
static void drop_sensitive(json_t *settings, const tern_attr *schema)
{
    const tern_attr *a;

    for (a = schema; a && a->name; a++) {
        json_t *v = json_object_get(settings, a->name);
        size_t i;
        json_t *item;

        if (!v)
            continue;
        if (a->flags & TERN_ATTR_SENSITIVE) {
            json_object_del(settings, a->name);
        } else if (a->nested && json_is_object(v)) {
            drop_sensitive(v, a->nested);
        } else if (a->nested && json_is_array(v)) {
            json_array_foreach(v, i, item) drop_sensitive(item, a->nested);
        }
    }
}

void tern__import_missing(struct tern_diags *diags, const char *addr)
{
    tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                   "Cannot import non-existent remote object",
                   "While attempting to import an existing object to \"%s\", "
                   "the provider detected that no object exists with the "
                   "given id. Only pre-existing objects can be imported; "
                   "check that the id is correct and that it is associated "
                   "with the provider's configured region or endpoint, or "
                   "use \"tern apply\" to create a new remote object for "
                   "this resource.",
                   addr);
}

int tern__provider_init(tern_engine *e, struct eprov *p, const tern_module *m,
                        struct tern_diags *diags)
{
    tern_provider_env env;
    json_t *raw = NULL;
    int error = TERN_OK;

    (void)m;
    if (p->init_done) {
        if (p->init_rc)
            tern_diags_add(
                diags, TERN_SEV_ERROR, NULL, "Provider not configured",
                "The provider \"%s%s%s\" could not be configured "
                "(see the first error).",
                p->name, p->alias ? "." : "", p->alias ? p->alias : "");
        return p->init_rc;
    }
    p->init_done = 1;
    if (!p->def) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Provider not available",
                       "tern has no provider \"%s\".", p->name);
        error = TERN_EINVALID;
        goto done;
    }
    raw = json_object();
    TERN_CHECK_ALLOC(raw);
    if (p->block && (error = eval_body_json(e, p->block->body, raw, diags)))
        goto done;
    if (p->def->configure) {
        if (!e->http) {
            if ((error = tern_http_new(&e->http, NULL)))
                goto done;
            e->own_http = 1;
        }
        memset(&env, 0, sizeof(env));
        env.version = TERN_PROVIDER_ENV_VERSION;
        env.http = e->http;
        env.cancel = &e->cancel;
        env.stop = &e->interrupts;
        env.clock = e->clock;
        if ((error = p->def->configure(&p->client, &env, raw, diags)))
            goto done;
    }
    /* Credentials stay out of what modules (and logs) see. */
    drop_sensitive(raw, p->def->schema);
    p->settings = raw;
    raw = NULL;
done:
    json_decref(raw);
    p->init_rc = error;
    /* Running out of memory says nothing about the provider: the next
     * use tries again rather than report it unconfigured for good. */
    if (error == TERN_ENOMEM)
        p->init_done = 0;
    return error;
}
