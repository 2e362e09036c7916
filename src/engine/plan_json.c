/*
 * The plan as Terraform's JSON plan representation (`show -json PLANFILE`),
 * field for field as hashicorp/terraform's internal/command/jsonplan
 * (plan.go, values.go) writes it, Terraform 1.5's format 1.2:
 * format_version, terraform_version, variables, planned_values,
 * resource_drift, resource_changes, output_changes, prior_state,
 * timestamp, applyable, complete, errored. The `configuration` and
 * `relevant_attributes` keys are the CLI's (src/cli/json_config.c), which
 * has the configuration.
 *
 * The rules kept from upstream: every managed instance is in
 * resource_changes, no-ops included, sorted by address (data sources
 * first, then keys in order), a data source only when it is read during
 * apply; `after` leaves out unknown attributes (null in lists) and
 * `after_unknown` marks them; `*_sensitive` and `sensitive_values` are
 * SensitiveAsBool (objects keep only their non-false members, arrays every
 * element); planned_values holds every instance not being deleted, with
 * the known part of its values; an output whose value is unknown has no
 * value or type there. Empty collections and empty strings are left out
 * (Go's omitempty).
 */
#include "engine/engine_int.h"
#include "engine/tfjson.h"
#include "tern/provider.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/json.h"

/* ---- shared value helpers ------------------------------------------------ */

char *tern__tfjson_provider_name(const char *stored, const char *type)
{
    const tern_provider *prov;
    const char *q, *e;
    char *local, *r;
    size_t n;

    if (stored && (q = strchr(stored, '"')) && (e = strchr(q + 1, '"')))
        return tern_strndup(q + 1, (size_t)(e - q - 1));
    /* The provider the type's prefix names, by its own source address
     * (tern/provider.h); else the default namespace, as Terraform
     * implies it. */
    n = type ? strcspn(type, "_") : 0;
    local = tern_strndup(type ? type : "", n);
    prov = local ? tern_provider_find(local) : NULL;
    if (prov && prov->sources && prov->sources[0]) {
        tern_free(local);
        return tern_asprintf("%s%s",
                             tern_provider_source_host(prov->sources[0]),
                             prov->sources[0]);
    }
    r = tern_asprintf("registry.terraform.io/hashicorp/%s", local ? local : "");
    tern_free(local);
    return r;
}

json_t *tern__tfjson_index(enum tern_state_key kind, long long i, const char *s)
{
    if (kind == TERN_STATE_KEY_INT)
        return json_integer(i);
    if (kind == TERN_STATE_KEY_STRING)
        return json_string(s ? s : "");
    return NULL;
}

/* o["index"] for a keyed instance; nothing for one without a key. */
static void set_index(int *oom, json_t *o, enum tern_state_key kind,
                      long long i, const char *s)
{
    if (kind != TERN_STATE_KEY_NONE)
        tern_json_set(oom, o, "index", tern__tfjson_index(kind, i, s));
}

json_t *tern__tfjson_type(const json_t *v)
{
    json_t *inner = NULL, *x;
    const char *k;
    size_t i;
    int oom = 0;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return json_string("string");
    case JSON_INTEGER:
    case JSON_REAL:
        return json_string("number");
    case JSON_TRUE:
    case JSON_FALSE:
        return json_string("bool");
    case JSON_NULL:
        return json_string("dynamic");
    case JSON_ARRAY:
        inner = json_array();
        json_array_foreach((json_t *)v, i, x)
        {
            tern_json_append(&oom, inner, tern__tfjson_type(x));
        }
        inner = tern_json_done(oom, inner);
        return inner ? json_pack("[s,o]", "tuple", inner) : NULL;
    case JSON_OBJECT:
        inner = json_object();
        json_object_foreach((json_t *)v, k, x)
        {
            tern_json_set(&oom, inner, k, tern__tfjson_type(x));
        }
        inner = tern_json_done(oom, inner);
        return inner ? json_pack("[s,o]", "object", inner) : NULL;
    }
    return NULL;
}

json_t *tern__tfjson_output_type(const json_t *output)
{
    const json_t *type = json_object_get(output, "type");

    return type ? json_incref((json_t *)type)
                : tern__tfjson_type(json_object_get(output, "value"));
}

/* Whether the schema marks the top-level attribute @name sensitive. */
static int schema_sensitive(const tern_attr *schema, const char *name)
{
    const tern_attr *a = schema ? tern_schema_attr(schema, name) : NULL;

    return a && (a->flags & TERN_ATTR_SENSITIVE);
}

/* o[key] = m unless m is false (SensitiveAsBool and unknownAsBool keep
 * only an object's non-false members); a NULL m is out of memory. */
static void set_unless_false(int *oom, json_t *o, const char *key, json_t *m)
{
    if (json_is_false(m))
        json_decref(m);
    else
        tern_json_set(oom, o, key, m);
}

/*
 * Terraform's mask of a value (before_sensitive, after_unknown): true
 * where @hit holds for a value, whole; inside lists and sets an entry per
 * element, inside objects only the attributes that are not false; false
 * elsewhere. NULL when out of memory.
 */
static json_t *value_mask(const tern_value *v, int (*hit)(const tern_value *))
{
    enum tern_value_kind k = v ? tern_value_kind(v) : TERN_VAL_NULL;
    json_t *r = NULL;
    size_t i;
    int oom = 0;

    if (v && hit(v))
        return json_true();
    if (k == TERN_VAL_LIST || k == TERN_VAL_SET) {
        r = json_array();
        for (i = 0; r && !oom && i < tern_value_length(v); i++)
            tern_json_append(&oom, r,
                             value_mask(tern_value_list_get(v, i), hit));
        return tern_json_done(oom, r);
    }
    if (k == TERN_VAL_OBJECT) {
        r = json_object();
        for (i = 0; r && !oom && i < tern_value_length(v); i++)
            set_unless_false(&oom, r, tern_value_object_key(v, i),
                             value_mask(tern_value_object_value(v, i), hit));
        return tern_json_done(oom, r);
    }
    return json_false();
}

static json_t *sens_value(const tern_value *v)
{
    return value_mask(v, tern_value_is_sensitive);
}

/* Whether the top-level attribute @name is a set: cty cannot mark a
 * set's element, so a path into one marks the set. */
static int schema_set(const tern_attr *schema, const char *name)
{
    const tern_attr *a = tern_schema_attr(schema, name);

    return a &&
           (a->type == TERN_TYPE_BLOCK_SET || a->type == TERN_TYPE_SET_STRING);
}

json_t *tern__tfjson_sensitive(const tern_value *v, const tern_attr *schema)
{
    json_t *r = sens_value(v);
    size_t i;
    int oom = 0;

    if (!json_is_object(r) || !schema)
        return r;
    for (i = 0; !oom && i < tern_value_length(v); i++) {
        const char *k = tern_value_object_key(v, i);
        const tern_value *x = tern_value_object_value(v, i);
        const tern_attr *a = tern_schema_attr(schema, k);

        if (!a || tern_value_is_null(x))
            continue;
        if ((a->flags & TERN_ATTR_SENSITIVE) ||
            (schema_set(schema, k) &&
             tern_json_any_true(json_object_get(r, k)))) {
            tern_json_set(&oom, r, k, json_true());
        } else if (tern_value_is_unknown(x)) {
            /* SensitiveAsBool says nothing about an unknown collection's
             * contents: an empty object or tuple, kept. */
            if (a->type == TERN_TYPE_MAP_STRING)
                tern_json_set(&oom, r, k, json_object());
            else if (a->type != TERN_TYPE_DYNAMIC &&
                     a->type != TERN_TYPE_STRING &&
                     a->type != TERN_TYPE_NUMBER && a->type != TERN_TYPE_BOOL)
                tern_json_set(&oom, r, k, json_array());
        }
    }
    return tern_json_done(oom, r);
}

/* SensitiveAsBool of plain JSON, where @mark holds the sensitive paths
 * below this node as a tree: {"steps": {key: subtree}, "here": true}. */
static json_t *sens_json(const json_t *v, const json_t *mark)
{
    json_t *r = NULL, *x;
    const char *k;
    size_t i;
    char key[32];
    int oom = 0;

    if (json_is_true(json_object_get(mark, "here")))
        return json_true();
    if (json_is_array(v)) {
        r = json_array();
        json_array_foreach((json_t *)v, i, x)
        {
            snprintf(key, sizeof(key), "%zu", i);
            tern_json_append(
                &oom, r,
                sens_json(
                    x, json_object_get(json_object_get(mark, "steps"), key)));
        }
        return tern_json_done(oom, r);
    }
    if (json_is_object(v)) {
        r = json_object();
        json_object_foreach((json_t *)v, k, x)
        {
            set_unless_false(
                &oom, r, k,
                sens_json(x,
                          json_object_get(json_object_get(mark, "steps"), k)));
        }
        return tern_json_done(oom, r);
    }
    return json_false();
}

/* The child of @node under @member[@key], made when missing; NULL when
 * out of memory. */
static json_t *tree_child(json_t *node, const char *member, const char *key)
{
    json_t *up = json_object_get(node, member), *c;

    if (!up) {
        if (json_object_set_new(node, member, json_object()) != 0)
            return NULL;
        up = json_object_get(node, member);
    }
    if ((c = json_object_get(up, key)))
        return c;
    if (json_object_set_new(up, key, json_object()) != 0)
        return NULL;
    return json_object_get(up, key);
}

json_t *tern__tfjson_state_sensitive(const json_t *value, const json_t *paths,
                                     const tern_attr *schema)
{
    json_t *tree = json_object(), *p, *step, *r = NULL;
    const char *k;
    size_t i, j;
    char key[32];
    int oom = 0;

    if (!tree)
        return NULL;
    json_array_foreach((json_t *)paths, i, p)
    {
        json_t *node = tree;

        json_array_foreach(p, j, step)
        {
            const json_t *sv = json_object_get(step, "value");

            if (json_is_object(sv)) /* an index: {"value": v, "type": t} */
                sv = json_object_get(sv, "value");
            if (json_is_integer(sv))
                snprintf(key, sizeof(key), "%lld",
                         (long long)json_integer_value(sv));
            else
                snprintf(key, sizeof(key), "%s",
                         json_string_value(sv) ? json_string_value(sv) : "");
            if (node && !(node = tree_child(node, "steps", key)))
                oom = 1;
        }
        if (node)
            tern_json_set(&oom, node, "here", json_true());
    }
    r = oom ? NULL : sens_json(value, tree);
    json_decref(tree);
    if (json_is_object(r) && schema) {
        json_object_foreach((json_t *)value, k, p)
        {
            if (!json_is_null(p) &&
                (schema_sensitive(schema, k) ||
                 (schema_set(schema, k) &&
                  tern_json_any_true(json_object_get(r, k)))))
                tern_json_set(&oom, r, k, json_true());
        }
    }
    return tern_json_done(oom, r);
}

json_t *tern__tfjson_unknown(const tern_value *v)
{
    return value_mask(v, tern_value_is_unknown);
}

json_t *tern__tfjson_known(const tern_value *v, int *oom)
{
    enum tern_value_kind k = v ? tern_value_kind(v) : TERN_VAL_NULL;
    json_t *r = NULL, *e;
    size_t i;

    if (k == TERN_VAL_UNKNOWN)
        return NULL;
    if (k == TERN_VAL_LIST || k == TERN_VAL_SET) {
        r = json_array();
        for (i = 0; r && !*oom && i < tern_value_length(v); i++) {
            e = tern__tfjson_known(tern_value_list_get(v, i), oom);
            if (!*oom)
                tern_json_append(oom, r, e ? e : json_null());
        }
    } else if (k == TERN_VAL_OBJECT) {
        r = json_object();
        for (i = 0; r && !*oom && i < tern_value_length(v); i++) {
            e = tern__tfjson_known(tern_value_object_value(v, i), oom);
            if (e)
                tern_json_set(oom, r, tern_value_object_key(v, i), e);
        }
    } else
        r = v ? tern_value_to_json(v) : json_null();
    if (!r)
        *oom = 1;
    return tern_json_done(*oom, r);
}

void tern__plan_timestamp(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the plan ------------------------------------------------------------ */

static const tern_attr *schema_of(const struct pinst *pi)
{
    const tern_module *m =
        tern_module_find(pi->pub.mode == TERN_STATE_DATA ? TERN_MODULE_DATA
                                                         : TERN_MODULE_RESOURCE,
                         pi->type);

    return m ? m->schema : NULL;
}

static json_t *actions_json(enum tern_action a)
{
    switch (a) {
    case TERN_ACTION_DELETE_THEN_CREATE:
        return json_pack("[s, s]", "delete", "create");
    case TERN_ACTION_CREATE_THEN_DELETE:
        return json_pack("[s, s]", "create", "delete");
    default:
        return json_pack("[s]", tern_action_name(a));
    }
}

/* The fields that name an instance, in upstream's order. */
static void name_fields(int *oom, json_t *o, const struct pinst *pi)
{
    tern_json_set(oom, o, "address", json_string(pi->addr));
    tern_json_set(
        oom, o, "mode",
        json_string(pi->pub.mode == TERN_STATE_DATA ? "data" : "managed"));
    tern_json_set(oom, o, "type", json_string(pi->type));
    tern_json_set(oom, o, "name", json_string(pi->name));
    set_index(oom, o, pi->key_kind, pi->key_int, pi->key_str);
}

static json_t *provider_json(const struct pinst *pi)
{
    char *name = tern__tfjson_provider_name(pi->provider, pi->type);
    json_t *j = name ? json_string(name) : NULL;

    tern_free(name);
    return j;
}

/* jsonplan.marshalResourceChange. */
static json_t *change_json(const struct pinst *pi)
{
    const tern_attr *schema = schema_of(pi);
    json_t *c = json_object(), *rc = json_object(), *x;
    size_t i;
    int oom = 0;

    if (!c || !rc) {
        json_decref(c);
        json_decref(rc);
        return NULL;
    }
    /* A create's before and a delete's after are null values upstream
     * (cty.NullVal, not a missing value): "before": null with
     * "before_sensitive": false, "after": null with "after_unknown": {}
     * and "after_sensitive": false. */
    tern_json_set(&oom, c, "actions", actions_json(pi->pub.action));
    tern_json_set(&oom, c, "before",
                  pi->before ? tern_value_to_json(pi->before) : json_null());
    x = pi->after ? tern__tfjson_known(pi->after, &oom) : json_null();
    if (x)
        tern_json_set(&oom, c, "after", x);
    tern_json_set(&oom, c, "after_unknown",
                  !pi->after || tern_value_is_wholly_known(pi->after)
                      ? json_object()
                      : tern__tfjson_unknown(pi->after));
    tern_json_set(&oom, c, "before_sensitive",
                  pi->before ? tern__tfjson_sensitive(pi->before, schema)
                             : json_false());
    tern_json_set(&oom, c, "after_sensitive",
                  pi->after ? tern__tfjson_sensitive(pi->after, schema)
                            : json_false());
    if (pi->rpaths && pi->rpaths[0]) {
        json_t *rp = json_array();

        for (i = 0; rp && pi->rpaths[i]; i++)
            tern_json_append(&oom, rp, json_pack("[s]", pi->rpaths[i]));
        tern_json_set(&oom, c, "replace_paths", rp);
    }
    if (pi->import_id)
        tern_json_set(&oom, c, "importing",
                      json_pack("{s:s}", "id", pi->import_id));

    tern_json_set(&oom, rc, "address", json_string(pi->addr));
    if (pi->prev_addr && strcmp(pi->prev_addr, pi->addr) != 0)
        tern_json_set(&oom, rc, "previous_address", json_string(pi->prev_addr));
    /* module_address: the root module's is "" and left out. */
    if (pi->module && *pi->module)
        tern_json_set(&oom, rc, "module_address", json_string(pi->module));
    tern_json_set(
        &oom, rc, "mode",
        json_string(pi->pub.mode == TERN_STATE_DATA ? "data" : "managed"));
    tern_json_set(&oom, rc, "type", json_string(pi->type));
    tern_json_set(&oom, rc, "name", json_string(pi->name));
    set_index(&oom, rc, pi->key_kind, pi->key_int, pi->key_str);
    tern_json_set(&oom, rc, "provider_name", provider_json(pi));
    if (pi->deposed)
        tern_json_set(&oom, rc, "deposed", json_string(pi->deposed_key));
    tern_json_set(&oom, rc, "change", c);
    /* Terraform has no reason for a delete in destroy mode nor for the
     * create of an object deleted outside it: those are tern's own. */
    if (pi->pub.reason && pi->pub.reason != TERN_REASON_DESTROY_MODE &&
        pi->pub.reason != TERN_REASON_GONE)
        tern_json_set(&oom, rc, "action_reason",
                      json_string(tern_action_reason_name(pi->pub.reason)));
    return tern_json_done(oom, rc);
}

/* In resource_changes: every managed instance, and a data source only
 * when it is read during apply (upstream leaves out the deletes of data
 * sources, a detail of its state). */
static int listed(const struct pinst *pi)
{
    if (pi->pub.mode == TERN_STATE_DATA)
        return pi->pub.action == TERN_ACTION_READ;
    return 1;
}

static int key_cmp(const struct pinst *a, const struct pinst *b)
{
    if (a->key_kind != b->key_kind)
        return (int)a->key_kind - (int)b->key_kind;
    if (a->key_kind == TERN_STATE_KEY_INT)
        return a->key_int < b->key_int ? -1 : a->key_int > b->key_int;
    if (a->key_kind == TERN_STATE_KEY_STRING)
        return strcmp(a->key_str ? a->key_str : "",
                      b->key_str ? b->key_str : "");
    return 0;
}

/* How many module calls deep @addr is: "" 0, "module.a" 1,
 * "module.a[\"k\"].module.b" 2 (dots inside keys do not count). */
static size_t module_depth(const char *addr)
{
    size_t i, n = 0;
    int depth = 0, quoted = 0;

    if (!addr || !*addr)
        return 0;
    for (i = 0; addr[i]; i++) {
        if (quoted) {
            if (addr[i] == '\\' && addr[i + 1])
                i++;
            else if (addr[i] == '"')
                quoted = 0;
        } else if (addr[i] == '"')
            quoted = 1;
        else if (addr[i] == '[')
            depth++;
        else if (addr[i] == ']')
            depth--;
        else if (depth == 0 && strncmp(addr + i, ".module.", 8) == 0)
            n++;
    }
    return n + 1;
}

/* One step of a module instance address at *p ("module.NAME",
 * optionally "[0]" or "[\"k\"]"): its name and key, *p moved past it. A
 * string key is left escaped (kind 'S'); kind 0 is no key, 'I' an int,
 * the order of upstream's InstanceKeyType. */
struct modstep {
    const char *name, *key;
    size_t name_len, key_len;
    int kind;
    long long num;
};

static int module_step(const char **p, struct modstep *st)
{
    const char *s = *p;

    if (strncmp(s, "module.", 7) != 0)
        return 0;
    s += 7;
    st->name = s;
    st->name_len = strcspn(s, ".[");
    s += st->name_len;
    st->kind = 0;
    if (*s == '[' && s[1] == '"') {
        st->key = s += 2;
        while (*s && *s != '"')
            s += s[0] == '\\' && s[1] ? 2 : 1;
        st->key_len = (size_t)(s - st->key);
        st->kind = 'S';
        s += *s ? 2 : 0; /* "] */
    } else if (*s == '[') {
        st->num = strtoll(s + 1, (char **)&s, 10);
        st->kind = 'I';
        s += *s == ']';
    }
    if (*s == '.')
        s++;
    *p = s;
    return 1;
}

/* One escaped string key against another, by the characters they stand
 * for. */
static int escaped_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;

    while (i < alen && j < blen) {
        unsigned char ca, cb;

        if (a[i] == '\\' && i + 1 < alen)
            i++;
        if (b[j] == '\\' && j + 1 < blen)
            j++;
        ca = (unsigned char)a[i++];
        cb = (unsigned char)b[j++];
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return (i < alen) - (j < blen);
}

/* addrs.ModuleInstance.Less for two module instances of one depth: step
 * by step, the call name, then the key (none, then ints by value, then
 * strings), as upstream's InstanceKeyLess. */
static int module_inst_cmp(const char *a, const char *b)
{
    struct modstep sa, sb;
    int c;

    while (module_step(&a, &sa) && module_step(&b, &sb)) {
        size_t n = sa.name_len < sb.name_len ? sa.name_len : sb.name_len;

        if ((c = strncmp(sa.name, sb.name, n)) != 0)
            return c;
        if (sa.name_len != sb.name_len)
            return sa.name_len < sb.name_len ? -1 : 1;
        if (sa.kind != sb.kind)
            return sa.kind < sb.kind ? -1 : 1;
        if (sa.kind == 'I' && sa.num != sb.num)
            return sa.num < sb.num ? -1 : 1;
        if (sa.kind == 'S' &&
            (c = escaped_cmp(sa.key, sa.key_len, sb.key, sb.key_len)) != 0)
            return c;
    }
    return 0;
}

/* addrs.AbsResourceInstance.Less, then the deposed key: the shallower
 * module first (the root's resources before any module's), then the
 * module instance step by step (module_inst_cmp), data sources before managed
 * resources, then type, name and key. */
static int inst_cmp(const void *pa, const void *pb)
{
    const struct pinst *a = *(const struct pinst *const *)pa;
    const struct pinst *b = *(const struct pinst *const *)pb;
    size_t da = module_depth(a->module), db = module_depth(b->module);
    int c;

    if (da != db)
        return da < db ? -1 : 1;
    if ((c = module_inst_cmp(a->module ? a->module : "",
                             b->module ? b->module : "")))
        return c;
    if (a->pub.mode != b->pub.mode)
        return a->pub.mode == TERN_STATE_DATA ? -1 : 1;
    if ((c = strcmp(a->type, b->type)) != 0)
        return c;
    if ((c = strcmp(a->name, b->name)) != 0)
        return c;
    if ((c = key_cmp(a, b)) != 0)
        return c;
    return strcmp(a->deposed ? a->deposed_key : "",
                  b->deposed ? b->deposed_key : "");
}

static int addr_cmp(const void *pa, const void *pb)
{
    const struct pinst *a = *(const struct pinst *const *)pa;
    const struct pinst *b = *(const struct pinst *const *)pb;

    return strcmp(a->addr, b->addr);
}

/* One resource of a values representation (jsonstate.Resource). */
static json_t *value_resource(const struct pinst *pi, const tern_value *v,
                              int prior)
{
    json_t *r = json_object(), *vals;
    const tern_module *m =
        tern_module_find(pi->pub.mode == TERN_STATE_DATA ? TERN_MODULE_DATA
                                                         : TERN_MODULE_RESOURCE,
                         pi->type);
    int oom = 0;

    if (!r)
        return NULL;
    name_fields(&oom, r, pi);
    tern_json_set(&oom, r, "provider_name", provider_json(pi));
    /* tern's modules are all at schema version 0, as in their state */
    tern_json_set(&oom, r, "schema_version", json_integer(0));
    vals = tern__tfjson_known(v, &oom);
    if (json_object_size(vals))
        tern_json_set(&oom, r, "values", vals);
    else
        json_decref(vals);
    tern_json_set(&oom, r, "sensitive_values",
                  tern__tfjson_sensitive(v, m ? m->schema : NULL));
    if (prior && json_array_size(pi->deps))
        tern_json_set(&oom, r, "depends_on", json_incref(pi->deps));
    if (prior && pi->pub.reason == TERN_REASON_TAINTED)
        tern_json_set(&oom, r, "tainted", json_true());
    if (prior && pi->deposed)
        tern_json_set(&oom, r, "deposed_key", json_string(pi->deposed_key));
    return tern_json_done(oom, r);
}

/* An output of a values representation: sensitive, then value and type
 * when the value is wholly known. */
static json_t *value_output(const tern_value *out)
{
    const tern_value *v = tern_value_object_get(out, "value");
    const tern_value *type = tern_value_object_get(out, "type");
    int sensitive =
        tern_value_get_bool(tern_value_object_get(out, "sensitive"));
    json_t *o = json_pack("{s:b}", "sensitive", sensitive), *j, *t;
    int oom = 0;

    if (o && v && tern_value_is_wholly_known(v)) {
        j = tern_value_to_json(v);
        /* The output's type (tern__output_type), else the value's. */
        t = type ? tern_value_to_json(type) : j ? tern__tfjson_type(j) : NULL;
        tern_json_set(&oom, o, "value", j);
        tern_json_set(&oom, o, "type", t);
    }
    return tern_json_done(oom, o);
}

/* The module that calls @addr ("module.a[\"k\"].module.b" ->
 * "module.a[\"k\"]"), NULL for a module the root calls. A key may hold
 * ".module." itself, so only dots outside brackets and quotes count. */
static char *parent_module(const char *addr)
{
    size_t i, last = 0;
    int depth = 0, quoted = 0;

    for (i = 0; addr[i]; i++) {
        if (quoted) {
            if (addr[i] == '\\' && addr[i + 1])
                i++;
            else if (addr[i] == '"')
                quoted = 0;
        } else if (addr[i] == '"')
            quoted = 1;
        else if (addr[i] == '[')
            depth++;
        else if (addr[i] == ']')
            depth--;
        else if (depth == 0 && strncmp(addr + i, ".module.", 8) == 0)
            last = i;
    }
    return last ? tern_strndup(addr, last) : NULL;
}

/* The module object of @addr in the tree under @top, made (with its
 * ancestors) when missing; NULL when out of memory. */
static json_t *module_node(json_t *top, const char *addr)
{
    char *parent = parent_module(addr);
    json_t *list = top, *m, *p;
    size_t i;

    if (parent) {
        p = module_node(top, parent);
        tern_free(parent);
        if (!p)
            return NULL;
        list = json_object_get(p, "child_modules");
        if (!list) {
            if (json_object_set_new(p, "child_modules", json_array()) != 0)
                return NULL;
            list = json_object_get(p, "child_modules");
        }
    }
    json_array_foreach(list, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "address")), addr) == 0)
            return m;
    }
    m = json_pack("{s:s}", "address", addr);
    if (json_array_append_new(list, m) != 0)
        return NULL;
    return m;
}

static int module_cmp(const void *a, const void *b)
{
    return strcmp(
        json_string_value(json_object_get(*(json_t *const *)a, "address")),
        json_string_value(json_object_get(*(json_t *const *)b, "address")));
}

/* Sort @list and every child_modules below it by address, in place;
 * TERN_ENOMEM when out of memory. */
static int sort_modules(json_t *list)
{
    size_t i, n = json_array_size(list);
    json_t **v = tern_calloc(n + 1, sizeof(*v));
    int error = TERN_OK;

    if (!v)
        return TERN_ENOMEM;
    for (i = 0; !error && i < n; i++) {
        v[i] = json_array_get(list, i);
        error = sort_modules(json_object_get(v[i], "child_modules"));
    }
    if (!error) {
        qsort(v, n, sizeof(*v), module_cmp);
        /* Put back without allocating: hold each element while the array
         * drops its reference to the one it replaces. */
        for (i = 0; i < n; i++)
            json_incref(v[i]);
        for (i = 0; i < n; i++)
            if (json_array_set_new(list, i, v[i]) != 0)
                error = TERN_ERROR; /* an index out of range: not here */
    }
    tern_free(v);
    return error;
}

json_t *tern__tfjson_nest_modules(json_t *flat)
{
    json_t *top = json_array(), *m, *node, *res;
    size_t i;
    int oom = 0;

    json_array_foreach(flat, i, m)
    {
        node =
            module_node(top, json_string_value(json_object_get(m, "address")));
        res = json_object_get(m, "resources");
        if (!node)
            oom = 1;
        else if (json_array_size(res)) {
            if (!json_object_get(node, "resources"))
                tern_json_set(&oom, node, "resources", json_array());
            if (!oom &&
                json_array_extend(json_object_get(node, "resources"), res) != 0)
                oom = 1;
        }
        if (oom)
            break;
    }
    if (!oom && sort_modules(top) != TERN_OK)
        oom = 1;
    return tern_json_done(oom, top);
}

/* A module of a values representation holding @resources (stolen), which
 * is left out when empty. */
static json_t *module_json(json_t *resources)
{
    json_t *m = json_object();
    int oom = 0;

    if (m && json_array_size(resources))
        tern_json_set(&oom, m, "resources", json_incref(resources));
    json_decref(resources);
    return tern_json_done(oom, m);
}

/* The resources list of @pi's module: @res for the root's, else its
 * entry of @children (flat, one {"address", "resources"} per instance).
 * NULL when out of memory. */
static json_t *module_resources(json_t *res, json_t *children,
                                const struct pinst *pi)
{
    json_t *mod;
    size_t j;

    if (!pi->module || !*pi->module)
        return res;
    json_array_foreach(children, j, mod)
    {
        if (strcmp(json_string_value(json_object_get(mod, "address")),
                   pi->module) == 0)
            return json_object_get(mod, "resources");
    }
    mod = json_pack("{s:[],s:s}", "resources", "address", pi->module);
    if (json_array_append_new(children, mod) != 0)
        return NULL;
    return json_object_get(mod, "resources");
}

/* A values representation's root module: @res (stolen) and the module
 * instances of @children (borrowed) nested below it. */
static json_t *root_module(json_t *res, json_t *children)
{
    json_t *root = module_json(res);
    int oom = 0;

    if (root && json_array_size(children))
        tern_json_set(&oom, root, "child_modules",
                      tern__tfjson_nest_modules(children));
    return tern_json_done(oom, root);
}

/* @n instances of @sorted by address, as values.go and jsonstate sort a
 * module's resources; NULL when out of memory. */
static struct pinst **by_address(struct pinst **sorted, size_t n)
{
    struct pinst **by_addr = tern_calloc(n + 1, sizeof(*by_addr));

    if (by_addr) {
        memcpy(by_addr, sorted, n * sizeof(*by_addr));
        qsort(by_addr, n, sizeof(*by_addr), addr_cmp);
    }
    return by_addr;
}

static json_t *planned_values(const tern_plan *p, struct pinst **sorted,
                              size_t n)
{
    json_t *res = json_array(), *outs = json_object(), *pv = json_object();
    json_t *children = json_array();
    struct pinst **by_addr = by_address(sorted, n);
    const tern_value *o;
    size_t i;
    int oom = !res || !outs || !pv || !children || !by_addr;

    for (i = 0; !oom && i < n; i++) {
        const struct pinst *pi = by_addr[i];

        if (!listed(pi) || pi->deposed ||
            pi->pub.action == TERN_ACTION_DELETE || !pi->after)
            continue;
        /* values.go: a module instance's resources in child_modules */
        tern_json_append(&oom, module_resources(res, children, pi),
                         value_resource(pi, pi->after, 0));
    }
    for (i = 0; !oom && p->outputs && i < tern_value_length(p->outputs); i++) {
        o = tern_value_object_value(p->outputs, i);
        tern_json_set(&oom, outs, tern_value_object_key(p->outputs, i),
                      value_output(o));
    }
    if (!oom && json_object_size(outs))
        tern_json_set(&oom, pv, "outputs", json_incref(outs));
    if (!oom)
        tern_json_set(&oom, pv, "root_module",
                      root_module(json_incref(res), children));
    json_decref(res);
    json_decref(children);
    json_decref(outs);
    tern_free(by_addr);
    return tern_json_done(oom, pv);
}

/* The refreshed state the plan was made against (jsonstate.Marshal);
 * NULL when it is empty, or out of memory (*oom set). */
static json_t *prior_state(struct pinst **sorted, size_t n,
                           const json_t *prior_outputs, int *oom)
{
    json_t *res = json_array(), *outs = json_object(), *o = NULL, *v, *vals;
    json_t *children = json_array();
    struct pinst **by_addr = by_address(sorted, n);
    const char *k;
    size_t i;

    if (!res || !outs || !children || !by_addr)
        *oom = 1;
    for (i = 0; !*oom && i < n; i++) {
        const struct pinst *pi = by_addr[i];

        if (pi->pub.mode == TERN_STATE_DATA) {
            /* a data source read while planning is in the refreshed
             * state; one read during apply is not yet */
            if (pi->pub.action == TERN_ACTION_NOOP && pi->after &&
                tern_value_is_wholly_known(pi->after))
                tern_json_append(oom, module_resources(res, children, pi),
                                 value_resource(pi, pi->after, 1));
            continue;
        }
        /* A deposed object is in the prior state too (jsonstate's
         * marshalResources writes it beside its instance's current one,
         * with its deposed_key). */
        if ((pi->in_state || pi->deposed) && pi->before)
            tern_json_append(oom, module_resources(res, children, pi),
                             value_resource(pi, pi->before, 1));
    }
    json_object_foreach((json_t *)prior_outputs, k, o)
    {
        if (*oom)
            break;
        v = json_object_get(o, "value");
        tern_json_set(oom, outs, k,
                      json_pack("{s:b,s:O,s:o}", "sensitive",
                                json_is_true(json_object_get(o, "sensitive")),
                                "value", v ? v : json_null(), "type",
                                tern__tfjson_output_type(o)));
    }
    o = NULL;
    if (*oom || (!json_array_size(res) && !json_array_size(children) &&
                 !json_object_size(outs)))
        goto done; /* an empty state is left out */
    vals = json_object();
    if (json_object_size(outs))
        tern_json_set(oom, vals, "outputs", json_incref(outs));
    tern_json_set(oom, vals, "root_module",
                  root_module(json_incref(res), children));
    o = json_pack("{s:s,s:s}", "format_version", TERN_STATE_JSON_FORMAT,
                  "terraform_version", TERN_LANGUAGE_VERSION);
    tern_json_set(oom, o, "values", vals);
    tern_json_set(oom, o, "tern_version", json_string(TERN_VERSION));
    o = tern_json_done(*oom, o);
done:
    tern_free(by_addr);
    json_decref(res);
    json_decref(outs);
    json_decref(children);
    return o;
}

/* jsonplan.MarshalOutputChanges: every root output, planned or prior.
 * NULL when out of memory. */
static json_t *output_changes(const tern_plan *p, const json_t *prior_outputs)
{
    json_t *oc = json_object(), *c, *before, *po, *x;
    const tern_value *o, *after;
    const char *k, *action;
    size_t i;
    int sens, oom = 0;

    for (i = 0; !oom && p->outputs && i < tern_value_length(p->outputs); i++) {
        k = tern_value_object_key(p->outputs, i);
        o = tern_value_object_value(p->outputs, i);
        after = tern_value_object_get(o, "value");
        before = json_object_get(json_object_get(prior_outputs, k), "value");
        sens = tern_value_get_bool(tern_value_object_get(o, "sensitive")) ||
               json_is_true(json_object_get(json_object_get(prior_outputs, k),
                                            "sensitive"));
        action = "update";
        if (!before)
            action = "create";
        else if (after && tern_value_is_wholly_known(after)) {
            json_t *aj = tern_value_to_json(after);

            if (!aj)
                oom = 1;
            else if (json_equal(aj, before))
                action = "no-op";
            json_decref(aj);
        }
        c = json_object();
        tern_json_set(&oom, c, "actions", json_pack("[s]", action));
        tern_json_set(&oom, c, "before",
                      json_incref(before ? before : json_null()));
        if ((x = tern__tfjson_known(after, &oom)))
            tern_json_set(&oom, c, "after", x);
        tern_json_set(&oom, c, "after_unknown",
                      !after || tern_value_is_wholly_known(after)
                          ? json_false()
                          : tern__tfjson_unknown(after));
        tern_json_set(&oom, c, "before_sensitive", json_boolean(sens));
        tern_json_set(&oom, c, "after_sensitive", json_boolean(sens));
        tern_json_set(&oom, oc, k, c);
    }
    json_object_foreach((json_t *)prior_outputs, k, po)
    {
        if (oom)
            break;
        if (p->outputs && tern_value_object_get(p->outputs, k))
            continue;
        sens = json_is_true(json_object_get(po, "sensitive"));
        tern_json_set(&oom, oc, k,
                      json_pack("{s:[s],s:O?,s:n,s:b,s:b,s:b}", "actions",
                                "delete", "before",
                                json_object_get(po, "value"), "after",
                                "after_unknown", 0, "before_sensitive", sens,
                                "after_sensitive", sens));
    }
    return tern_json_done(oom, oc);
}

static int by_display(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    const char *s = json_string_value(
        json_object_get(json_object_get(x, "address"), "to_display"));
    const char *t = json_string_value(
        json_object_get(json_object_get(y, "address"), "to_display"));

    return strcmp(s ? s : "", t ? t : "");
}

/* A status of enum tern__check_status as jsonchecks writes it. */
static json_t *status_json(json_int_t st)
{
    static const char *const names[] = {"pass", "unknown", "fail", "error"};

    return json_string(st >= 0 && st <= 3 ? names[st] : "unknown");
}

/* Terraform's "checks" (internal/command/jsonchecks/checks.go): every
 * checkable object sorted by address, its status the worst of its
 * instances' (without any: tern__checks_status), the instances'
 * problems. */
static json_t *checks_json(const json_t *checks)
{
    json_t *list = json_array(), *items = NULL;
    const char *k;
    json_t *v;
    size_t n = json_object_size(checks), i = 0;
    const json_t **sorted = tern_calloc(n + 1, sizeof(*sorted));

    if (!list || !sorted)
        goto fail;
    json_object_foreach((json_t *)checks, k, v)
    {
        if (json_is_object(v) &&
            json_is_object(json_object_get(v, "address")) && i < n)
            sorted[i++] = v;
    }
    n = i;
    qsort(sorted, n, sizeof(*sorted), by_display);
    for (i = 0; i < n; i++) {
        const json_t *insts = json_object_get(sorted[i], "instances");
        const json_t **is =
            tern_calloc(json_object_size(insts) + 1, sizeof(*is));
        json_int_t worst = -1;
        size_t m = 0, j;
        json_t *o;

        if (!is)
            goto fail;
        json_object_foreach((json_t *)insts, k, v)
        {
            if (json_is_object(v) &&
                json_is_object(json_object_get(v, "address")))
                is[m++] = v;
        }
        qsort(is, m, sizeof(*is), by_display);
        items = json_array();
        for (j = 0; items && j < m; j++) {
            json_int_t st =
                json_integer_value(json_object_get(is[j], "status"));
            json_t *probs = json_object_get(is[j], "problems");
            json_t *in = json_pack("{s:O,s:o}", "address",
                                   json_object_get(is[j], "address"), "status",
                                   status_json(st));

            if (st > worst)
                worst = st;
            if (in && json_array_size(probs) &&
                json_object_set(in, "problems", probs) != 0) {
                json_decref(in);
                in = NULL;
            }
            if (!in || json_array_append_new(items, in)) {
                json_decref(items);
                items = NULL;
            }
        }
        tern_free(is);
        if (!items)
            goto fail;
        o = json_pack("{s:s,s:O,s:o}", "//",
                      "EXPERIMENTAL: see docs for details", "address",
                      json_object_get(sorted[i], "address"), "status",
                      status_json(tern__checks_status(sorted[i], worst)));
        if (o && json_array_size(items) &&
            json_object_set(o, "instances", items) != 0) {
            json_decref(o);
            o = NULL;
        }
        json_decref(items);
        items = NULL;
        if (!o || json_array_append_new(list, o))
            goto fail;
    }
    tern_free(sorted);
    return list;
fail:
    tern_free(sorted);
    json_decref(list);
    return NULL;
}

int tern_plan_to_json(const tern_plan *p, const json_t *prior_outputs,
                      json_t **out)
{
    json_t *o = json_object(), *rc = json_array(), *rd = json_array(),
           *vars = json_object(), *x;
    struct pinst **sorted = NULL, **drift = NULL;
    size_t i, n = 0;
    int oom = 0;

    *out = NULL;
    sorted = tern_calloc(p->ninsts + 1, sizeof(*sorted));
    drift = tern_calloc(p->ndrift + 1, sizeof(*drift));
    if (!o || !rc || !rd || !vars || !sorted || !drift) {
        oom = 1;
        goto done;
    }
    for (i = 0; i < p->ninsts; i++)
        sorted[n++] = &p->insts[i];
    qsort(sorted, n, sizeof(*sorted), inst_cmp);
    for (i = 0; i < p->ndrift; i++)
        drift[i] = &p->drift[i];
    qsort(drift, p->ndrift, sizeof(*drift), inst_cmp);

    tern_json_set(&oom, o, "format_version",
                  json_string(TERN_PLAN_JSON_FORMAT));
    tern_json_set(&oom, o, "terraform_version",
                  json_string(TERN_LANGUAGE_VERSION));
    tern_json_set(&oom, o, "tern_version", json_string(p->tern_version));
    /* variables: every root variable's value, defaults included */
    for (i = 0; !oom && p->vars && i < tern_value_length(p->vars); i++) {
        x = json_object();
        tern_json_set(&oom, x, "value",
                      tern_value_to_json(tern_value_object_value(p->vars, i)));
        tern_json_set(&oom, vars, tern_value_object_key(p->vars, i), x);
    }
    if (json_object_size(vars))
        tern_json_set(&oom, o, "variables", json_incref(vars));
    tern_json_set(&oom, o, "planned_values", planned_values(p, sorted, n));
    for (i = 0; !oom && i < p->ndrift; i++)
        tern_json_append(&oom, rd, change_json(drift[i]));
    if (json_array_size(rd))
        tern_json_set(&oom, o, "resource_drift", json_incref(rd));
    for (i = 0; !oom && i < n; i++)
        if (listed(sorted[i]))
            tern_json_append(&oom, rc, change_json(sorted[i]));
    if (json_array_size(rc))
        tern_json_set(&oom, o, "resource_changes", json_incref(rc));
    if (!oom && !(x = output_changes(p, prior_outputs)))
        oom = 1;
    else if (!oom && json_object_size(x))
        tern_json_set(&oom, o, "output_changes", x);
    else if (!oom)
        json_decref(x);
    if (!oom && (x = prior_state(sorted, n, prior_outputs, &oom)))
        tern_json_set(&oom, o, "prior_state", x);
    /* relevant_attributes and configuration come from the configuration:
     * the CLI adds them (src/cli/json_config.c). */
    if (!oom && json_object_size(p->checks))
        tern_json_set(&oom, o, "checks", checks_json(p->checks));
    if (p->timestamp[0])
        tern_json_set(&oom, o, "timestamp", json_string(p->timestamp));
    tern_json_set(&oom, o, "applyable",
                  json_boolean(!p->errored && !tern_plan_is_empty(p)));
    tern_json_set(&oom, o, "complete", json_boolean(!p->errored));
    tern_json_set(&oom, o, "errored", json_boolean(p->errored));
    *out = tern_json_done(oom, o);
    o = NULL;
done:
    json_decref(o);
    json_decref(rc);
    json_decref(rd);
    json_decref(vars);
    tern_free(sorted);
    tern_free(drift);
    return oom ? TERN_ENOMEM : TERN_OK;
}
