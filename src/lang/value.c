/*
 * tern_value: the value tree of include/tern/value.h. Objects keep their
 * keys sorted so that lookups are a binary search and iteration is in
 * Terraform's order without a sort at every use.
 */
#include "tern/value.h"
#include "tern/diag.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_SENSITIVE 1
#define F_INT       2

struct tern_value {
    atomic_uint refcount;
    unsigned char kind;
    unsigned char flags;
    union {
        int b;
        struct {
            double d;
            int64_t i;
        } num;
        struct {
            char *s;
            size_t len;
        } str;
        struct {
            tern_value **items;
            size_t n, alloc;
        } list;
        struct {
            char **keys;
            tern_value **vals;
            size_t n, alloc;
        } obj;
    } u;
};

static tern_value *alloc_value(enum tern_value_kind kind)
{
    tern_value *v = tern_calloc(1, sizeof(*v));

    if (!v)
        return NULL;
    atomic_init(&v->refcount, 1);
    v->kind = (unsigned char)kind;
    return v;
}

tern_value *tern_value_null(void)
{
    return alloc_value(TERN_VAL_NULL);
}

tern_value *tern_value_unknown(void)
{
    return alloc_value(TERN_VAL_UNKNOWN);
}

tern_value *tern_value_bool(int b)
{
    tern_value *v = alloc_value(TERN_VAL_BOOL);

    if (v)
        v->u.b = b != 0;
    return v;
}

tern_value *tern_value_number(double d)
{
    tern_value *v = alloc_value(TERN_VAL_NUMBER);

    if (!v)
        return NULL;
    if (d == 0)
        d = 0; /* no negative zero */
    v->u.num.d = d;
    if (d == floor(d) && d >= -9223372036854775808.0 &&
        d < 9223372036854775808.0) {
        v->u.num.i = (int64_t)d;
        v->flags |= F_INT;
    }
    return v;
}

tern_value *tern_value_int(int64_t i)
{
    tern_value *v = alloc_value(TERN_VAL_NUMBER);

    if (!v)
        return NULL;
    v->u.num.i = i;
    v->u.num.d = (double)i;
    v->flags |= F_INT;
    return v;
}

tern_value *tern_value_string_own(char *s, size_t len)
{
    tern_value *v;

    if (!s)
        return NULL;
    v = alloc_value(TERN_VAL_STRING);
    if (!v) {
        tern_free(s);
        return NULL;
    }
    v->u.str.s = s;
    v->u.str.len = len;
    return v;
}

tern_value *tern_value_stringn(const char *s, size_t len)
{
    char *copy = tern_malloc(len + 1);

    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return tern_value_string_own(copy, len);
}

tern_value *tern_value_string(const char *s)
{
    return tern_value_stringn(s, strlen(s));
}

tern_value *tern_value_list_new(void)
{
    return alloc_value(TERN_VAL_LIST);
}

tern_value *tern_value_object_new(void)
{
    return alloc_value(TERN_VAL_OBJECT);
}

int tern_value_list_append(tern_value *list, tern_value *item)
{
    if (!item)
        return TERN_ENOMEM;
    if (TERN_VEC_RESERVE(list->u.list.items, list->u.list.alloc,
                         list->u.list.n + 1) != TERN_OK) {
        tern_value_decref(item);
        return TERN_ENOMEM;
    }
    list->u.list.items[list->u.list.n++] = item;
    return TERN_OK;
}

static int cmp_ptr(const void *a, const void *b)
{
    return tern_value_compare(*(tern_value *const *)a, *(tern_value *const *)b);
}

tern_value *tern_value_set_finish(tern_value *list)
{
    size_t i, out = 0;

    if (!list)
        return NULL;
    if (list->u.list.n > 1)
        qsort(list->u.list.items, list->u.list.n, sizeof(tern_value *),
              cmp_ptr);
    for (i = 0; i < list->u.list.n; i++) {
        if (out > 0 && tern_value_compare(list->u.list.items[out - 1],
                                          list->u.list.items[i]) == 0) {
            tern_value_decref(list->u.list.items[i]);
            continue;
        }
        list->u.list.items[out++] = list->u.list.items[i];
    }
    list->u.list.n = out;
    list->kind = TERN_VAL_SET;
    return list;
}

/* Index of key, or of where it would go (*found = 0). */
static size_t obj_find(const tern_value *v, const char *key, int *found)
{
    size_t lo = 0, hi = v->u.obj.n;

    *found = 0;
    /* Builders mostly append in order: check the end first. */
    if (hi > 0 && strcmp(v->u.obj.keys[hi - 1], key) < 0)
        return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v->u.obj.keys[mid], key);

        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int tern_value_object_set(tern_value *obj, const char *key, tern_value *val)
{
    int found;
    size_t at;
    char *k;

    if (!val)
        return TERN_ENOMEM;
    at = obj_find(obj, key, &found);
    if (found) {
        tern_value_decref(obj->u.obj.vals[at]);
        obj->u.obj.vals[at] = val;
        return TERN_OK;
    }
    if (obj->u.obj.n == obj->u.obj.alloc) {
        size_t alloc = obj->u.obj.alloc ? obj->u.obj.alloc * 2 : 4;
        char **keys = tern_realloc(obj->u.obj.keys, alloc * sizeof(*keys));
        tern_value **vals;

        if (!keys) {
            tern_value_decref(val);
            return TERN_ENOMEM;
        }
        obj->u.obj.keys = keys;
        vals = tern_realloc(obj->u.obj.vals, alloc * sizeof(*vals));
        if (!vals) {
            tern_value_decref(val);
            return TERN_ENOMEM;
        }
        obj->u.obj.vals = vals;
        obj->u.obj.alloc = alloc;
    }
    k = tern_strdup(key);
    if (!k) {
        tern_value_decref(val);
        return TERN_ENOMEM;
    }
    memmove(obj->u.obj.keys + at + 1, obj->u.obj.keys + at,
            (obj->u.obj.n - at) * sizeof(char *));
    memmove(obj->u.obj.vals + at + 1, obj->u.obj.vals + at,
            (obj->u.obj.n - at) * sizeof(tern_value *));
    obj->u.obj.keys[at] = k;
    obj->u.obj.vals[at] = val;
    obj->u.obj.n++;
    return TERN_OK;
}

tern_value *tern_value_incref(const tern_value *v)
{
    tern_value *m = (tern_value *)v;

    if (m)
        atomic_fetch_add(&m->refcount, 1);
    return m;
}

void tern_value_decref(tern_value *v)
{
    size_t i;

    if (!v || atomic_fetch_sub(&v->refcount, 1) != 1)
        return;
    switch (v->kind) {
    case TERN_VAL_STRING:
        tern_free(v->u.str.s);
        break;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        for (i = 0; i < v->u.list.n; i++)
            tern_value_decref(v->u.list.items[i]);
        tern_free(v->u.list.items);
        break;
    case TERN_VAL_OBJECT:
        for (i = 0; i < v->u.obj.n; i++) {
            tern_free(v->u.obj.keys[i]);
            tern_value_decref(v->u.obj.vals[i]);
        }
        tern_free(v->u.obj.keys);
        tern_free(v->u.obj.vals);
        break;
    default:
        break;
    }
    tern_free(v);
}

enum tern_value_kind tern_value_kind(const tern_value *v)
{
    return (enum tern_value_kind)v->kind;
}

const char *tern_value_kind_name(enum tern_value_kind kind)
{
    static const char *const names[] = {"null", "bool", "number", "string",
                                        "list", "set",  "object", "unknown"};

    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind]
                                                             : "?";
}

int tern_value_is_null(const tern_value *v)
{
    return v->kind == TERN_VAL_NULL;
}

int tern_value_is_unknown(const tern_value *v)
{
    return v->kind == TERN_VAL_UNKNOWN;
}

int tern_value_is_wholly_known(const tern_value *v)
{
    size_t i;

    switch (v->kind) {
    case TERN_VAL_UNKNOWN:
        return 0;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        for (i = 0; i < v->u.list.n; i++)
            if (!tern_value_is_wholly_known(v->u.list.items[i]))
                return 0;
        return 1;
    case TERN_VAL_OBJECT:
        for (i = 0; i < v->u.obj.n; i++)
            if (!tern_value_is_wholly_known(v->u.obj.vals[i]))
                return 0;
        return 1;
    default:
        return 1;
    }
}

int tern_value_is_sensitive(const tern_value *v)
{
    return (v->flags & F_SENSITIVE) != 0;
}

int tern_value_has_sensitive(const tern_value *v)
{
    size_t i;

    if (v->flags & F_SENSITIVE)
        return 1;
    switch (v->kind) {
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        for (i = 0; i < v->u.list.n; i++)
            if (tern_value_has_sensitive(v->u.list.items[i]))
                return 1;
        return 0;
    case TERN_VAL_OBJECT:
        for (i = 0; i < v->u.obj.n; i++)
            if (tern_value_has_sensitive(v->u.obj.vals[i]))
                return 1;
        return 0;
    default:
        return 0;
    }
}

int tern_value_get_bool(const tern_value *v)
{
    return v->kind == TERN_VAL_BOOL ? v->u.b : 0;
}

double tern_value_get_number(const tern_value *v)
{
    return v->kind == TERN_VAL_NUMBER ? v->u.num.d : 0;
}

int tern_value_get_int(const tern_value *v, int64_t *out)
{
    if (v->kind != TERN_VAL_NUMBER || !(v->flags & F_INT))
        return 0;
    *out = v->u.num.i;
    return 1;
}

const char *tern_value_get_string(const tern_value *v)
{
    return v->kind == TERN_VAL_STRING ? v->u.str.s : "";
}

size_t tern_value_string_len(const tern_value *v)
{
    return v->kind == TERN_VAL_STRING ? v->u.str.len : 0;
}

size_t tern_value_length(const tern_value *v)
{
    switch (v->kind) {
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        return v->u.list.n;
    case TERN_VAL_OBJECT:
        return v->u.obj.n;
    default:
        return 0;
    }
}

tern_value *tern_value_list_get(const tern_value *v, size_t i)
{
    if ((v->kind != TERN_VAL_LIST && v->kind != TERN_VAL_SET) ||
        i >= v->u.list.n)
        return NULL;
    return v->u.list.items[i];
}

const char *tern_value_object_key(const tern_value *v, size_t i)
{
    if (v->kind != TERN_VAL_OBJECT || i >= v->u.obj.n)
        return NULL;
    return v->u.obj.keys[i];
}

tern_value *tern_value_object_value(const tern_value *v, size_t i)
{
    if (v->kind != TERN_VAL_OBJECT || i >= v->u.obj.n)
        return NULL;
    return v->u.obj.vals[i];
}

tern_value *tern_value_object_get(const tern_value *v, const char *key)
{
    int found;
    size_t at;

    if (v->kind != TERN_VAL_OBJECT)
        return NULL;
    at = obj_find(v, key, &found);
    return found ? v->u.obj.vals[at] : NULL;
}

/* A copy of the top node sharing the children. */
static tern_value *shallow_copy(const tern_value *v)
{
    tern_value *c = alloc_value((enum tern_value_kind)v->kind);
    size_t i;

    if (!c)
        return NULL;
    c->flags = v->flags;
    switch (v->kind) {
    case TERN_VAL_STRING:
        c->u.str.s = tern_malloc(v->u.str.len + 1);
        if (!c->u.str.s) {
            tern_free(c);
            return NULL;
        }
        memcpy(c->u.str.s, v->u.str.s, v->u.str.len + 1);
        c->u.str.len = v->u.str.len;
        break;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        c->u.list.items =
            tern_malloc((v->u.list.n ? v->u.list.n : 1) * sizeof(tern_value *));
        if (!c->u.list.items) {
            tern_free(c);
            return NULL;
        }
        for (i = 0; i < v->u.list.n; i++)
            c->u.list.items[i] = tern_value_incref(v->u.list.items[i]);
        c->u.list.n = c->u.list.alloc = v->u.list.n;
        break;
    case TERN_VAL_OBJECT:
        c->u.obj.keys =
            tern_calloc(v->u.obj.n ? v->u.obj.n : 1, sizeof(char *));
        c->u.obj.vals =
            tern_calloc(v->u.obj.n ? v->u.obj.n : 1, sizeof(tern_value *));
        if (!c->u.obj.keys || !c->u.obj.vals) {
            tern_free(c->u.obj.keys);
            tern_free(c->u.obj.vals);
            tern_free(c);
            return NULL;
        }
        c->u.obj.alloc = v->u.obj.n;
        for (i = 0; i < v->u.obj.n; i++) {
            c->u.obj.keys[i] = tern_strdup(v->u.obj.keys[i]);
            c->u.obj.vals[i] = tern_value_incref(v->u.obj.vals[i]);
            c->u.obj.n = i + 1;
            if (!c->u.obj.keys[i]) {
                tern_value_decref(c);
                return NULL;
            }
        }
        break;
    default:
        c->u = v->u;
        break;
    }
    return c;
}

static tern_value *writable(tern_value *v)
{
    tern_value *c;

    if (!v || atomic_load(&v->refcount) == 1)
        return v;
    c = shallow_copy(v);
    tern_value_decref(v);
    return c;
}

tern_value *tern_value_mark_sensitive(tern_value *v)
{
    if (!v || (v->flags & F_SENSITIVE))
        return v;
    v = writable(v);
    if (v)
        v->flags |= F_SENSITIVE;
    return v;
}

tern_value *tern_value_unmark_deep(tern_value *v)
{
    size_t i;

    if (!v || !tern_value_has_sensitive(v))
        return v;
    v = writable(v);
    if (!v)
        return NULL;
    v->flags &= (unsigned char)~F_SENSITIVE;
    if (v->kind == TERN_VAL_LIST || v->kind == TERN_VAL_SET) {
        for (i = 0; i < v->u.list.n; i++) {
            v->u.list.items[i] = tern_value_unmark_deep(v->u.list.items[i]);
            if (!v->u.list.items[i]) {
                v->u.list.n = i; /* leaks the tail; only on OOM */
                tern_value_decref(v);
                return NULL;
            }
        }
    } else if (v->kind == TERN_VAL_OBJECT) {
        for (i = 0; i < v->u.obj.n; i++) {
            v->u.obj.vals[i] = tern_value_unmark_deep(v->u.obj.vals[i]);
            if (!v->u.obj.vals[i]) {
                v->u.obj.vals[i] = tern_value_null();
                tern_value_decref(v);
                return NULL;
            }
        }
    }
    return v;
}

int tern_value_equal(const tern_value *a, const tern_value *b)
{
    return tern_value_compare(a, b) == 0;
}

int tern_value_compare(const tern_value *a, const tern_value *b)
{
    size_t i, n;
    int c;

    if (a->kind != b->kind) {
        /* Lists and sets of the same elements are still different. */
        return a->kind < b->kind ? -1 : 1;
    }
    switch (a->kind) {
    case TERN_VAL_BOOL:
        return a->u.b - b->u.b;
    case TERN_VAL_NUMBER:
        if ((a->flags & F_INT) && (b->flags & F_INT))
            return a->u.num.i < b->u.num.i ? -1 : a->u.num.i > b->u.num.i;
        return a->u.num.d < b->u.num.d ? -1 : a->u.num.d > b->u.num.d;
    case TERN_VAL_STRING:
        n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
        c = memcmp(a->u.str.s, b->u.str.s, n);
        if (c)
            return c;
        return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        for (i = 0; i < a->u.list.n && i < b->u.list.n; i++) {
            c = tern_value_compare(a->u.list.items[i], b->u.list.items[i]);
            if (c)
                return c;
        }
        return a->u.list.n < b->u.list.n ? -1 : a->u.list.n > b->u.list.n;
    case TERN_VAL_OBJECT:
        for (i = 0; i < a->u.obj.n && i < b->u.obj.n; i++) {
            c = strcmp(a->u.obj.keys[i], b->u.obj.keys[i]);
            if (c)
                return c;
            c = tern_value_compare(a->u.obj.vals[i], b->u.obj.vals[i]);
            if (c)
                return c;
        }
        return a->u.obj.n < b->u.obj.n ? -1 : a->u.obj.n > b->u.obj.n;
    default:
        return 0;
    }
}

tern_value *tern_value_from_json(const json_t *j)
{
    tern_value *v = NULL;
    const char *key;
    json_t *item;
    size_t i;

    switch (json_typeof(j)) {
    case JSON_OBJECT:
        v = tern_value_object_new();
        if (!v)
            return NULL;
        json_object_foreach((json_t *)j, key, item)
        {
            if (tern_value_object_set(v, key, tern_value_from_json(item))) {
                tern_value_decref(v);
                return NULL;
            }
        }
        return v;
    case JSON_ARRAY:
        v = tern_value_list_new();
        if (!v)
            return NULL;
        json_array_foreach(j, i, item)
        {
            if (tern_value_list_append(v, tern_value_from_json(item))) {
                tern_value_decref(v);
                return NULL;
            }
        }
        return v;
    case JSON_STRING:
        return tern_value_stringn(json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return tern_value_int((int64_t)json_integer_value(j));
    case JSON_REAL:
        return tern_value_number(json_real_value(j));
    case JSON_TRUE:
        return tern_value_bool(1);
    case JSON_FALSE:
        return tern_value_bool(0);
    default:
        return tern_value_null();
    }
}

json_t *tern_value_to_json(const tern_value *v)
{
    json_t *j = NULL;
    size_t i;

    switch (v->kind) {
    case TERN_VAL_BOOL:
        return json_boolean(v->u.b);
    case TERN_VAL_NUMBER:
        if (v->flags & F_INT)
            return json_integer((json_int_t)v->u.num.i);
        return json_real(v->u.num.d);
    case TERN_VAL_STRING:
        return json_stringn(v->u.str.s, v->u.str.len);
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        j = json_array();
        for (i = 0; j && i < v->u.list.n; i++) {
            if (json_array_append_new(j,
                                      tern_value_to_json(v->u.list.items[i]))) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case TERN_VAL_OBJECT:
        j = json_object();
        for (i = 0; j && i < v->u.obj.n; i++) {
            if (json_object_set_new(j, v->u.obj.keys[i],
                                    tern_value_to_json(v->u.obj.vals[i]))) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    default:
        return json_null();
    }
}

char *tern_value_number_string(const tern_value *v)
{
    char buf[64];
    int prec;
    double d = v->u.num.d;

    if (v->flags & F_INT)
        return tern_asprintf("%lld", (long long)v->u.num.i);
    if (d == floor(d) && fabs(d) < 1e21)
        return tern_asprintf("%.0f", d);
    /* The shortest form that reads back as the same double. */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return tern_strdup(buf);
}

static void render_string(tern_buf *b, const char *s, size_t len)
{
    size_t i;

    tern_buf_putc(b, '"');
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '"':
            tern_buf_puts(b, "\\\"");
            break;
        case '\\':
            tern_buf_puts(b, "\\\\");
            break;
        case '\n':
            tern_buf_puts(b, "\\n");
            break;
        case '\r':
            tern_buf_puts(b, "\\r");
            break;
        case '\t':
            tern_buf_puts(b, "\\t");
            break;
        case '$':
        case '%':
            /* ${ and %{ would start a template sequence. */
            tern_buf_putc(b, (char)c);
            if (i + 1 < len && s[i + 1] == '{')
                tern_buf_putc(b, (char)c);
            break;
        default:
            if (c < 0x20)
                tern_buf_printf(b, "\\u%04x", c);
            else
                tern_buf_putc(b, (char)c);
        }
    }
    tern_buf_putc(b, '"');
}

static void render(tern_buf *b, const tern_value *v, int indent)
{
    size_t i;
    char *num;

    if (v->flags & F_SENSITIVE) {
        tern_buf_puts(b, "(sensitive value)");
        return;
    }
    switch (v->kind) {
    case TERN_VAL_NULL:
        tern_buf_puts(b, "null");
        break;
    case TERN_VAL_UNKNOWN:
        tern_buf_puts(b, "(known after apply)");
        break;
    case TERN_VAL_BOOL:
        tern_buf_puts(b, v->u.b ? "true" : "false");
        break;
    case TERN_VAL_NUMBER:
        num = tern_value_number_string(v);
        if (!num) {
            b->oom = 1;
            break;
        }
        tern_buf_puts(b, num);
        tern_free(num);
        break;
    case TERN_VAL_STRING:
        render_string(b, v->u.str.s, v->u.str.len);
        break;
    case TERN_VAL_LIST:
    case TERN_VAL_SET:
        if (v->kind == TERN_VAL_SET)
            tern_buf_puts(b, "toset(");
        if (v->u.list.n == 0) {
            tern_buf_puts(b, "[]");
        } else {
            tern_buf_puts(b, "[\n");
            for (i = 0; i < v->u.list.n; i++) {
                tern_buf_printf(b, "%*s", indent + 2, "");
                render(b, v->u.list.items[i], indent + 2);
                tern_buf_puts(b, ",\n");
            }
            tern_buf_printf(b, "%*s]", indent, "");
        }
        if (v->kind == TERN_VAL_SET)
            tern_buf_putc(b, ')');
        break;
    case TERN_VAL_OBJECT:
        if (v->u.obj.n == 0) {
            tern_buf_puts(b, "{}");
            break;
        }
        tern_buf_puts(b, "{\n");
        for (i = 0; i < v->u.obj.n; i++) {
            tern_buf_printf(b, "%*s", indent + 2, "");
            render_string(b, v->u.obj.keys[i], strlen(v->u.obj.keys[i]));
            tern_buf_puts(b, " = ");
            render(b, v->u.obj.vals[i], indent + 2);
            tern_buf_putc(b, '\n');
        }
        tern_buf_printf(b, "%*s}", indent, "");
        break;
    }
}

char *tern_value_render(const tern_value *v, int indent)
{
    tern_buf b = TERN_BUF_INIT;

    render(&b, v, indent);
    return tern_buf_detach(&b);
}
