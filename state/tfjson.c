/*
 * Terraform state JSON, format version 4 (Terraform 0.12 and later): export
 * (`state pull`, also of an earlier serial, rebuilt from the history),
 * import of a whole document (`state push`) and migration of a Terraform
 * state's resources of chosen types (`state migrate`).
 *
 * The shape follows Terraform's internal/states/statefile/version4.go:
 * resources are grouped per (module, mode, type, name) with their instances
 * ordered by key; empty and default fields are omitted as Terraform's
 * `omitempty` does, so a file tern writes reads back the same. Terraform's
 * "private" blobs are provider-private data tern has no use for; they are
 * dropped on import.
 */
#include "state_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine_int.h"
#include "engine/tfjson.h"
#include "util/alloc.h"
#include "util/json.h"

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : dflt;
}

/* Order of resources in a document: module, mode, type, name, key, then
 * the current object ("") before its deposed ones by deposed key
 * (version4.go's sortResourcesV4 and sortInstancesV4). */
static int cmp_instances(const void *pa, const void *pb)
{
    const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    static const char *const keys[] = {"module", "mode", "type", "name"};
    const json_t *ka, *kb;
    size_t i;
    int c;

    for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
        c = strcmp(str_or(a, keys[i], ""), str_or(b, keys[i], ""));
        if (c)
            return c;
    }
    ka = json_object_get(a, "index_key");
    kb = json_object_get(b, "index_key");
    if (json_is_integer(ka) && json_is_integer(kb))
        c = json_integer_value(ka) < json_integer_value(kb)   ? -1
            : json_integer_value(ka) > json_integer_value(kb) ? 1
                                                              : 0;
    else if (json_is_string(ka) && json_is_string(kb))
        c = strcmp(json_string_value(ka), json_string_value(kb));
    else /* none < int < string */
        c = (ka ? json_is_string(ka) ? 2 : 1 : 0) -
            (kb ? json_is_string(kb) ? 2 : 1 : 0);
    if (c)
        return c;
    return strcmp(str_or(a, "deposed", ""), str_or(b, "deposed", ""));
}

static int same_resource(const json_t *a, const json_t *b)
{
    return strcmp(str_or(a, "module", ""), str_or(b, "module", "")) == 0 &&
           strcmp(str_or(a, "mode", ""), str_or(b, "mode", "")) == 0 &&
           strcmp(str_or(a, "type", ""), str_or(b, "type", "")) == 0 &&
           strcmp(str_or(a, "name", ""), str_or(b, "name", "")) == 0;
}

/* One exported instance from a resource's history JSON form. */
json_t *tern__state_export_instance(const json_t *r)
{
    json_t *inst = json_object(), *attrs = NULL, *v;
    const char *id = json_string_value(json_object_get(r, "id"));
    int oom = 0;

    if (inst == NULL)
        return NULL;
    if ((v = json_object_get(r, "index_key")) != NULL)
        tern_json_set(&oom, inst, "index_key", json_incref(v));
    if ((v = json_object_get(r, "status")) != NULL)
        tern_json_set(&oom, inst, "status", json_incref(v));
    if ((v = json_object_get(r, "deposed")) != NULL)
        tern_json_set(&oom, inst, "deposed", json_incref(v));
    tern_json_set(
        &oom, inst, "schema_version",
        json_integer(json_integer_value(json_object_get(r, "schema_version"))));
    v = json_object_get(r, "attributes");
    attrs = v ? tern_json_copy(v) : json_object();
    /* Terraform keeps the ID as attributes.id; tern keeps it apart too. */
    if (attrs && id && json_object_get(attrs, "id") == NULL)
        tern_json_set(&oom, attrs, "id", json_string(id));
    tern_json_set(&oom, inst, "attributes", attrs);
    v = json_object_get(r, "sensitive_attributes");
    tern_json_set(&oom, inst, "sensitive_attributes",
                  v ? json_incref(v) : json_array());
    v = json_object_get(r, "dependencies");
    if (json_array_size(v) > 0)
        tern_json_set(&oom, inst, "dependencies", json_incref(v));
    if (json_is_true(json_object_get(r, "create_before_destroy")))
        tern_json_set(&oom, inst, "create_before_destroy", json_true());
    return tern_json_done(oom, inst);
}

/* Build the document from resources (address -> JSON) and outputs. */
static json_t *build_doc(tern_state *st, int64_t serial, json_t *resources,
                         json_t *outputs)
{
    json_t *doc = NULL, *out_obj = NULL, *list = NULL, *res = NULL, *insts;
    json_t **sorted = NULL, *v, *o;
    const char *k;
    size_t n = 0, i;
    int oom = 0;

    sorted = tern_calloc(json_object_size(resources) + 1, sizeof(*sorted));
    if (sorted == NULL)
        return NULL;
    json_object_foreach(resources, k, v) sorted[n++] = v;
    qsort(sorted, n, sizeof(*sorted), cmp_instances);

    list = json_array();
    out_obj = json_object();
    if (list == NULL || out_obj == NULL)
        goto fail;
    for (i = 0; i < n; i++) {
        const json_t *r = sorted[i];

        if (i == 0 || !same_resource(sorted[i - 1], r)) {
            const json_t *key = json_object_get(r, "index_key");
            const char *module = str_or(r, "module", "");
            char *prov = NULL;

            res = json_object();
            if (res == NULL || json_array_append_new(list, res) != 0)
                goto fail;
            if (*module)
                tern_json_set(&oom, res, "module", json_string(module));
            tern_json_set(&oom, res, "mode",
                          json_string(str_or(r, "mode", "managed")));
            tern_json_set(&oom, res, "type",
                          json_string(str_or(r, "type", "")));
            tern_json_set(&oom, res, "name",
                          json_string(str_or(r, "name", "")));
            if (json_is_integer(key))
                tern_json_set(&oom, res, "each", json_string("list"));
            else if (json_is_string(key))
                tern_json_set(&oom, res, "each", json_string("map"));
            if (json_object_get(r, "provider") != NULL)
                tern_json_set(&oom, res, "provider",
                              json_string(str_or(r, "provider", "")));
            else if ((prov = tern__state_default_provider(
                          str_or(r, "type", ""))) != NULL)
                tern_json_set(&oom, res, "provider", json_string(prov));
            else
                oom = 1;
            tern_free(prov);
            tern_json_set(&oom, res, "instances", json_array());
            if (oom)
                goto fail;
        }
        insts = json_object_get(res, "instances");
        if (json_array_append_new(insts, tern__state_export_instance(r)) != 0)
            goto fail;
    }
    json_object_foreach(outputs, k, v)
    {
        const json_t *value = json_object_get(v, "value");

        o = json_pack("{s:O,s:o}", "value", value, "type",
                      tern__tfjson_output_type(v));
        if (o == NULL)
            goto fail;
        if (json_is_true(json_object_get(v, "sensitive")))
            tern_json_set(&oom, o, "sensitive", json_true());
        tern_json_set(&oom, out_obj, k, o);
        if (oom)
            goto fail;
    }
    doc = json_pack("{s:i,s:s,s:I,s:s,s:O,s:O,s:n}", "version", 4,
                    "terraform_version", TERN_STATE_TERRAFORM_VERSION, "serial",
                    (json_int_t)serial, "lineage", st->lineage, "outputs",
                    out_obj, "resources", list, "check_results");
fail:
    json_decref(list);
    json_decref(out_obj);
    tern_free(sorted);
    return doc;
}

static int same_block(const tern_state_resource *r, const struct addr *a)
{
    return strcmp(r->module ? r->module : "", a->module ? a->module : "") ==
               0 &&
           r->mode == a->mode && strcmp(r->type, a->type) == 0 &&
           strcmp(r->name, a->name) == 0;
}

/* A deposed object in the history JSON form: @p cur is one of its
 * resource's current instances, or NULL. */
static json_t *deposed_json(const tern_state_intent *in, const struct addr *a,
                            const tern_state_resource *cur)
{
    json_t *r = json_object(), *v;
    const char *k;
    char key[32];
    int oom = 0;

    if (r == NULL)
        return NULL;
    snprintf(key, sizeof(key), "%08llx", (unsigned long long)in->id);
    if (a->module && *a->module)
        tern_json_set(&oom, r, "module", json_string(a->module));
    tern_json_set(&oom, r, "mode",
                  json_string(a->mode == TERN_STATE_DATA ? "data" : "managed"));
    tern_json_set(&oom, r, "type", json_string(a->type));
    tern_json_set(&oom, r, "name", json_string(a->name));
    if (a->key_kind == TERN_STATE_KEY_INT)
        tern_json_set(&oom, r, "index_key", json_integer(a->key_int));
    else if (a->key_kind == TERN_STATE_KEY_STRING)
        tern_json_set(&oom, r, "index_key", json_string(a->key_str));
    tern_json_set(&oom, r, "deposed", json_string(key));
    /* What the object kept of its instance (tern_state_depose), else,
     * for an object recorded before tern kept it, its resource's. */
    if (json_is_object(in->object))
        json_object_foreach((json_t *)in->object, k, v)
        {
            tern_json_set(&oom, r, k, json_incref(v));
        }
    if (json_object_get(r, "provider") == NULL && cur && cur->provider)
        tern_json_set(&oom, r, "provider", json_string(cur->provider));
    if (json_object_get(r, "schema_version") == NULL)
        tern_json_set(&oom, r, "schema_version",
                      json_integer(cur ? cur->schema_version : 0));
    tern_json_set(&oom, r, "attributes",
                  in->identity ? json_incref(in->identity) : json_object());
    return tern_json_done(oom, r);
}

/*
 * The deposed objects into @p resources (address -> history JSON form):
 * the old objects of create_before_destroy replacements whose delete has
 * not succeeded yet, kept as "deposed" intents (src/engine/apply.c). Each
 * becomes an instance with a "deposed" key, as Terraform's
 * internal/states/statefile/version4.go writes one; its key is the
 * intent's ID as eight hex digits (the key plans show), its attributes
 * what the intent keeps. The provider and schema version are those of the
 * resource's current instances (the same type), when it has any.
 */
static int add_deposed(tern_state *st, const tern_state_resource *list,
                       size_t n, json_t *resources, struct tern_diags *diags)
{
    tern_state_intent *in = NULL;
    size_t nin = 0, i, k;
    int error, oom = 0;

    if ((error = tern_state_intents(st, &in, &nin, diags)) != 0)
        return error;
    for (i = 0; i < nin && !error && !oom; i++) {
        const tern_state_resource *cur = NULL;
        char *key;
        struct addr a;

        if (strcmp(in[i].action, "deposed") != 0)
            continue;
        if (tern__addr_parse(in[i].address, &a) != TERN_OK) {
            error = tern__state_fail(diags, TERN_ERROR, "Damaged state",
                                     "A deposed object in %s has the "
                                     "address \"%s\", which does not parse.",
                                     st->path, in[i].address);
            break;
        }
        for (k = 0; k < n && !cur; k++)
            if (same_block(&list[k], &a))
                cur = &list[k];
        key = tern_asprintf("%s deposed %lld", in[i].address,
                            (long long)in[i].id);
        if (key)
            tern_json_set(&oom, resources, key, deposed_json(&in[i], &a, cur));
        else
            oom = 1;
        tern_free(key);
        tern__addr_release(&a);
    }
    tern_state_intents_free(in, nin);
    return error ? error : oom ? TERN_ENOMEM : TERN_OK;
}

int tern_state_export(tern_state *st, int64_t serial, json_t **out,
                      struct tern_diags *diags)
{
    tern_state_resource *list = NULL;
    size_t n = 0, i;
    json_t *resources = NULL, *outputs = NULL, *j = NULL;
    sqlite3_stmt *s = NULL;
    char *address = NULL;
    int64_t current;
    int error = TERN_OK, rc, in_tx = 0, oom = 0;

    *out = NULL;
    /* One read transaction: a consistent snapshot even without the lock.
     * Inside the caller's own transaction (an apply's batch, exported by
     * a remote backend's change hook) that one already is. */
    if (sqlite3_get_autocommit(st->db)) {
        if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
            return tern__state_sqlfail(st, diags, "starting a read");
        in_tx = 1;
    }
    if (sqlite3_prepare_v2(st->db, "SELECT serial FROM tern_meta", -1, &s,
                           NULL) != SQLITE_OK ||
        tern__state_step(st, s) != SQLITE_ROW) {
        error = tern__state_sqlfail(st, diags, "reading the serial");
        goto done;
    }
    current = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (serial > current) {
        error =
            tern__state_fail(diags, TERN_ENOTFOUND, "No such serial",
                             "The state %s is at serial %lld; there is no "
                             "serial %lld.",
                             st->path, (long long)current, (long long)serial);
        goto done;
    }
    if (serial < 0)
        serial = current;
    if (serial < current) {
        int64_t from = 0;

        if ((error = tern_state_history_from(st, &from)) != 0)
            goto done;
        if (serial < from) {
            error = tern__state_fail(
                diags, TERN_ENOTFOUND, "No such serial",
                "The history of %s goes back to serial %lld; serial %lld is "
                "older (the S3 backend's object carries a bounded history, "
                "see README \"The S3 backend\").",
                st->path, (long long)from, (long long)serial);
            goto done;
        }
    }
    if ((error = tern_state_list(st, &list, &n, diags)) != 0)
        goto done;
    if ((error = tern_state_outputs(st, &outputs, diags)) != 0)
        goto done;
    resources = json_object();
    TERN_CHECK_ALLOC(resources);
    for (i = 0; i < n; i++) {
        address = tern_state_resource_address(&list[i]);
        j = tern__state_resource_to_json(&list[i]);
        TERN_CHECK_ALLOC(address);
        TERN_CHECK_ALLOC(j);
        if (json_object_set_new(resources, address, j) != 0) {
            j = NULL;
            error = TERN_ENOMEM;
            goto done;
        }
        j = NULL;
        tern_free(address);
        address = NULL;
    }
    /* Undo, newest first, every change made after the wanted serial. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT kind, key, before FROM tern_history "
                           "WHERE serial > ? ORDER BY seq DESC",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "reading history");
        goto done;
    }
    TERN__BIND(st, sqlite3_bind_int64(s, 1, serial));
    while ((rc = tern__state_step(st, s)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(s, 0);
        const char *key = (const char *)sqlite3_column_text(s, 1);
        const char *before = (const char *)sqlite3_column_text(s, 2);
        json_t *map = strcmp(kind, "output") == 0 ? outputs : resources;

        if (before == NULL) {
            json_object_del(map, key);
            continue;
        }
        j = tern_json_loads(before, JSON_DECODE_ANY, &oom);
        if (oom) { /* not "Damaged state" */
            error = TERN_ENOMEM;
            goto done;
        }
        if (j == NULL) {
            error = tern__state_fail(diags, TERN_ERROR, "Damaged state",
                                     "A history entry of %s in %s does not "
                                     "parse.",
                                     key, st->path);
            goto done;
        }
        tern_json_set(&oom, map, key, j);
        j = NULL;
        if (oom) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "reading history");
        goto done;
    }
    /* Deposed objects have no history: only the current serial has them. */
    if (serial == current &&
        (error = add_deposed(st, list, n, resources, diags)) != 0)
        goto done;
    *out = build_doc(st, serial, resources, outputs);
    TERN_CHECK_ALLOC(*out);
    /* Check results have no history: only the current serial has them. */
    if (serial == current) {
        json_t *checks = NULL;

        if ((error = tern_state_check_results(st, &checks, diags)) != 0) {
            json_decref(*out);
            *out = NULL;
            goto done;
        }
        if (checks)
            tern_json_set(&oom, *out, "check_results", checks);
        if (oom) {
            json_decref(*out);
            *out = NULL;
            error = TERN_ENOMEM;
        }
    }
done:
    if (in_tx)
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(s);
    tern_state_resources_free(list, n);
    tern_free(address);
    json_decref(j);
    json_decref(resources);
    json_decref(outputs);
    return error;
}

/*
 * The document's check_results (version4.go's checkResultsV4), stored as
 * they are once their shape is checked; null or absent is none.
 */
static int import_check_results(tern_state *st, const json_t *doc,
                                struct tern_diags *diags)
{
    const json_t *cr = json_object_get(doc, "check_results"), *e, *o;
    size_t i, j;

    if (cr && !json_is_null(cr) && !json_is_array(cr))
        return tern__state_fail(diags, TERN_EINVALID, "Invalid check results",
                                "check_results must be an array or null.");
    json_array_foreach(cr, i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "object_kind"));
        const json_t *objs = json_object_get(e, "objects");

        if (!kind ||
            (strcmp(kind, "resource") != 0 && strcmp(kind, "output") != 0 &&
             strcmp(kind, "check") != 0))
            return tern__state_fail(diags, TERN_EINVALID,
                                    "Invalid check results",
                                    "check_results[%zu]: unsupported checkable "
                                    "object kind \"%s\" (Terraform's are "
                                    "resource, output and check).",
                                    i, kind ? kind : "(none)");
        if (!json_is_string(json_object_get(e, "config_addr")) ||
            !json_is_string(json_object_get(e, "status")) ||
            (objs && !json_is_null(objs) && !json_is_array(objs)))
            return tern__state_fail(diags, TERN_EINVALID,
                                    "Invalid check results",
                                    "check_results[%zu] needs a config_addr, "
                                    "a status and an array of objects.",
                                    i);
        json_array_foreach(objs, j, o)
        {
            if (!json_is_string(json_object_get(o, "object_addr")) ||
                !json_is_string(json_object_get(o, "status")))
                return tern__state_fail(
                    diags, TERN_EINVALID, "Invalid check results",
                    "check_results[%zu].objects[%zu] needs an object_addr "
                    "and a status.",
                    i, j);
        }
    }
    return tern__state_check_results_in_tx(st, cr, diags);
}

/*
 * Check a document's envelope and flatten its resources into one array of
 * instance objects carrying their resource's module, mode, type, name and
 * provider (the history JSON form). New reference in *flat.
 */
static int flatten(const json_t *doc, json_t **flat, struct tern_diags *diags)
{
    const json_t *resources, *r, *inst, *version;
    json_t *list = NULL, *o = NULL;
    size_t i, j;
    int error = TERN_OK;

    *flat = NULL;
    version = json_object_get(doc, "version");
    if (!json_is_object(doc) || !json_is_integer(version))
        return tern__state_fail(diags, TERN_EINVALID, "Not a Terraform state",
                                "The document is not a Terraform state: it "
                                "has no \"version\".");
    if (json_integer_value(version) != 4)
        return tern__state_fail(
            diags, TERN_EINVALID, "Unsupported state version",
            "The document is a Terraform state of format version %lld; tern "
            "reads version 4 (Terraform 0.12 and later). Upgrade it with a "
            "newer Terraform first.",
            (long long)json_integer_value(version));
    if (!json_is_string(json_object_get(doc, "lineage")) ||
        !json_is_integer(json_object_get(doc, "serial")))
        return tern__state_fail(diags, TERN_EINVALID, "Invalid state",
                                "The document lacks a lineage or serial.");
    resources = json_object_get(doc, "resources");
    if (resources && !json_is_array(resources) && !json_is_null(resources))
        return tern__state_fail(diags, TERN_EINVALID, "Invalid state",
                                "\"resources\" is not an array.");
    list = json_array();
    TERN_CHECK_ALLOC(list);
    json_array_foreach(resources, i, r)
    {
        static const char *const keys[] = {"module", "mode", "type", "name",
                                           "provider"};
        const json_t *insts = json_object_get(r, "instances");
        size_t k;

        if (!json_is_object(r) || (insts && !json_is_array(insts))) {
            error = tern__state_fail(diags, TERN_EINVALID, "Invalid state",
                                     "Resource %zu is malformed.", i);
            goto done;
        }
        json_array_foreach(insts, j, inst)
        {
            if (!json_is_object(inst)) {
                error = tern__state_fail(diags, TERN_EINVALID, "Invalid state",
                                         "An instance of resource %zu is not "
                                         "an object.",
                                         i);
                goto done;
            }
            o = tern_json_copy(inst);
            TERN_CHECK_ALLOC(o);
            for (k = 0; o && k < sizeof(keys) / sizeof(*keys); k++)
                if (json_object_get(r, keys[k]) &&
                    json_object_set(o, keys[k], json_object_get(r, keys[k]))) {
                    json_decref(o);
                    o = NULL;
                }
            if (json_array_append_new(list, o) != 0) {
                o = NULL;
                error = TERN_ENOMEM;
                goto done;
            }
            o = NULL;
        }
    }
    *flat = list;
    list = NULL;
done:
    json_decref(list);
    return error;
}

static int count_rows(tern_state *st, const char *sql, int64_t *n)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

    *n = 0;
    if (rc == SQLITE_OK && (rc = tern__state_step(st, s)) == SQLITE_ROW) {
        *n = sqlite3_column_int64(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? 0 : -1;
}

static int import_outputs(tern_state *st, int64_t serial, const json_t *doc,
                          struct tern_diags *diags)
{
    const char *name;
    json_t *o;
    int error;

    json_object_foreach((json_t *)json_object_get(doc, "outputs"), name, o)
    {
        const json_t *value = json_object_get(o, "value");

        error = tern__state_output_in_tx(
            st, serial, name, value ? value : json_null(),
            json_object_get(o, "type"),
            json_is_true(json_object_get(o, "sensitive")), diags);
        if (error)
            return error;
    }
    return TERN_OK;
}

/* Remove every resource and output, recording each in the history. */
static int clear_all(tern_state *st, int64_t serial, struct tern_diags *diags)
{
    tern_state_resource *list = NULL;
    json_t *outputs = NULL, *v;
    const char *name;
    char *address = NULL;
    size_t n = 0, i;
    int error;

    if ((error = tern_state_list(st, &list, &n, diags)) != 0)
        goto done;
    for (i = 0; i < n; i++) {
        address = tern_state_resource_address(&list[i]);
        TERN_CHECK_ALLOC(address);
        if ((error = tern__state_remove_in_tx(st, serial, address, diags)) != 0)
            goto done;
        tern_free(address);
        address = NULL;
    }
    if ((error = tern_state_outputs(st, &outputs, diags)) != 0)
        goto done;
    json_object_foreach(outputs, name, v)
    {
        if ((error = tern__state_output_in_tx(st, serial, name, NULL, NULL, 0,
                                              diags)) != 0)
            goto done;
    }
done:
    tern_free(address);
    json_decref(outputs);
    tern_state_resources_free(list, n);
    return error;
}

/* A deposed key as Terraform writes it, eight hex digits, into *id; -1
 * when it is not one. */
static int deposed_id(const char *key, unsigned long long *id)
{
    int i;

    *id = 0;
    if (key == NULL || strlen(key) != 8)
        return -1;
    for (i = 0; i < 8; i++) {
        char c = key[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;

        if (d < 0)
            return -1;
        *id = *id * 16 + (unsigned long long)d;
    }
    return 0;
}

/*
 * A deposed object of a document (an instance with a "deposed" key, see
 * add_deposed) as the "deposed" intent that keeps it until the next apply
 * deletes it. The intent's ID is the key's value, so the key survives a
 * round trip; where that ID is another instance's (Terraform's keys are
 * per instance, tern's IDs one sequence), or zero, the object gets a new
 * ID, so a new key. The same key twice on one instance is refused, as
 * version4.go refuses it.
 */
static int put_deposed(tern_state *st, const json_t *inst,
                       struct tern_diags *diags)
{
    const char *key = json_string_value(json_object_get(inst, "deposed"));
    unsigned long long id = 0;
    tern_state_resource r;
    sqlite3_stmt *s = NULL;
    char *address = NULL, *identity = NULL, *object = NULL;
    json_t *meta = NULL;
    const char *other;
    int error, rc, taken = 0;

    if ((error = tern__state_resource_from_json(&r, inst, diags)) != 0)
        return error;
    address = tern_state_resource_address(&r);
    TERN_CHECK_ALLOC(address);
    if (deposed_id(key, &id) != 0) {
        error = tern__state_fail(
            diags, TERN_EINVALID, "Invalid resource instance metadata in state",
            "Instance %s has an object with deposed key \"%s\", which is not "
            "correctly formatted.",
            address, key ? key : "");
        goto done;
    }
    if (sqlite3_prepare_v2(st->db,
                           "SELECT address FROM tern_intents WHERE id = ?", -1,
                           &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "reading intents");
        goto done;
    }
    TERN__BIND(st, sqlite3_bind_int64(s, 1, (sqlite3_int64)id));
    rc = tern__state_step(st, s);
    if (rc == SQLITE_ROW) {
        other = (const char *)sqlite3_column_text(s, 0);
        if (other && strcmp(other, address) == 0) {
            error = tern__state_fail(
                diags, TERN_EINVALID, "Duplicate resource instance in state",
                "Instance %s deposed object \"%s\" appears multiple times in "
                "the state file.",
                address, key);
            goto done;
        }
        taken = 1;
    } else if (rc != SQLITE_DONE) {
        error = tern__state_sqlfail(st, diags, "reading intents");
        goto done;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (r.attributes) {
        identity = tern__state_json_dump(r.attributes);
        TERN_CHECK_ALLOC(identity);
    }
    /* The rest of the object, as add_deposed writes it back. */
    meta = tern__state_object_meta(&r);
    TERN_CHECK_ALLOC(meta);
    object = tern__state_json_dump(meta);
    TERN_CHECK_ALLOC(object);
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO tern_intents (id, address, action, "
                           "identity, object, created_at, pid, operation) "
                           "VALUES (?, ?, 'deposed', ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK) {
        error = tern__state_sqlfail(st, diags, "recording a deposed object");
        goto done;
    }
    if (id != 0 && !taken)
        TERN__BIND(st, sqlite3_bind_int64(s, 1, (sqlite3_int64)id));
    TERN__BIND(st, sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC));
    TERN__BIND(st, sqlite3_bind_text(s, 3, identity ? identity : "{}", -1,
                                     SQLITE_STATIC));
    TERN__BIND(st, sqlite3_bind_text(s, 4, object, -1, SQLITE_STATIC));
    TERN__BIND(st, sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL)));
    TERN__BIND(st, sqlite3_bind_int64(s, 6, (sqlite3_int64)st->pid));
    TERN__BIND(st, sqlite3_bind_text(s, 7, st->operation, -1, SQLITE_STATIC));
    if (tern__state_step(st, s) != SQLITE_DONE)
        error = tern__state_sqlfail(st, diags, "recording a deposed object");
done:
    sqlite3_finalize(s);
    json_decref(meta);
    tern_free(object);
    tern_free(identity);
    tern_free(address);
    return error;
}

/* Forget every deposed object (a push replaces the whole state). */
static int clear_deposed(tern_state *st, struct tern_diags *diags)
{
    if (sqlite3_exec(st->db,
                     "DELETE FROM tern_intents WHERE action = 'deposed'", NULL,
                     NULL, NULL) != SQLITE_OK)
        return tern__state_sqlfail(st, diags, "removing deposed objects");
    return TERN_OK;
}

int tern_state_import(tern_state *st, const json_t *doc, unsigned flags,
                      struct tern_diags *diags)
{
    json_t *flat = NULL, *inst;
    tern_state_resource r;
    sqlite3_stmt *s = NULL;
    const char *lineage;
    char *new_lineage = NULL;
    int64_t next = 0, current, doc_serial, nres = 0, nout = 0, nhist = 0;
    int error, adopt = 0, force = (flags & TERN_STATE_IMPORT_FORCE) != 0;
    size_t i;

    if ((error = flatten(doc, &flat, diags)) != 0)
        return error;
    lineage = json_string_value(json_object_get(doc, "lineage"));
    doc_serial = json_integer_value(json_object_get(doc, "serial"));
    if ((error = tern__state_tx_begin(st, &next, diags)) != 0)
        goto done;
    current = next - 1;
    if (count_rows(st, "SELECT count(*) FROM tern_resources", &nres) ||
        count_rows(st, "SELECT count(*) FROM tern_outputs", &nout) ||
        count_rows(st, "SELECT count(*) FROM tern_history", &nhist)) {
        error = tern__state_sqlfail(st, diags, "reading the state");
        goto done;
    }
    adopt = current == 0 && nres == 0 && nout == 0 && nhist == 0;
    if (!adopt && !force && strcmp(lineage, st->lineage) != 0) {
        error = tern__state_fail(
            diags, TERN_ECONFLICT, "Different lineage",
            "The document's lineage %s differs from the state's %s: it is "
            "the state of another configuration. Nothing was changed; force "
            "the push to replace this state anyway.",
            lineage, st->lineage);
        goto done;
    }
    if (!adopt && !force && doc_serial < current) {
        error = tern__state_fail(
            diags, TERN_ECONFLICT, "Older serial",
            "The document's serial %lld is lower than the state's %lld: it "
            "is older than what is stored, and pushing it would lose "
            "changes. Nothing was changed; force the push to do it anyway.",
            (long long)doc_serial, (long long)current);
        goto done;
    }
    if (adopt)
        next = doc_serial > 0 ? doc_serial : 1;
    else if (doc_serial > next)
        next = doc_serial;
    if ((error = clear_all(st, next, diags)) != 0 ||
        (error = clear_deposed(st, diags)) != 0)
        goto done;
    json_array_foreach(flat, i, inst)
    {
        if (json_object_get(inst, "deposed")) {
            if ((error = put_deposed(st, inst, diags)) != 0)
                goto done;
            continue;
        }
        if ((error = tern__state_resource_from_json(&r, inst, diags)) != 0)
            goto done;
        if ((error = tern__state_put_in_tx(st, next, &r, diags)) != 0)
            goto done;
    }
    if ((error = import_outputs(st, next, doc, diags)) != 0)
        goto done;
    if ((error = import_check_results(st, doc, diags)) != 0)
        goto done;
    if ((adopt || force) && strcmp(lineage, st->lineage) != 0) {
        new_lineage = tern_strdup(lineage);
        TERN_CHECK_ALLOC(new_lineage);
        if (sqlite3_prepare_v2(st->db,
                               "UPDATE tern_meta SET lineage = ? WHERE id = 1",
                               -1, &s, NULL) != SQLITE_OK) {
            error = tern__state_sqlfail(st, diags, "writing the lineage");
            goto done;
        }
        TERN__BIND(st, sqlite3_bind_text(s, 1, lineage, -1, SQLITE_STATIC));
        if (tern__state_step(st, s) != SQLITE_DONE) {
            error = tern__state_sqlfail(st, diags, "writing the lineage");
            goto done;
        }
    }
    if ((error = tern__state_tx_commit(st, next, diags)) != 0)
        goto done;
    if (new_lineage) {
        tern_free(st->lineage);
        st->lineage = new_lineage;
        new_lineage = NULL;
    }
done:
    if (error)
        tern__state_tx_rollback(st);
    sqlite3_finalize(s);
    tern_free(new_lineage);
    json_decref(flat);
    return error;
}

int tern_state_migrate(tern_state *st, const json_t *doc,
                       tern_state_type_filter accept, void *payload,
                       json_t **skipped, struct tern_diags *diags)
{
    json_t *flat = NULL, *inst, *skip = NULL;
    tern_state_resource r;
    char *address = NULL;
    int64_t next = 0;
    int error, changed = 0;
    size_t i;

    if (skipped)
        *skipped = NULL;
    if ((error = flatten(doc, &flat, diags)) != 0)
        return error;
    skip = json_array();
    TERN_CHECK_ALLOC(skip);
    if ((error = tern__state_tx_begin(st, &next, diags)) != 0)
        goto done;
    json_array_foreach(flat, i, inst)
    {
        if ((error = tern__state_resource_from_json(&r, inst, diags)) != 0)
            goto done;
        if (accept == NULL || accept(r.type, r.mode, payload)) {
            if (json_object_get(inst, "deposed"))
                error = put_deposed(st, inst, diags);
            else
                error = tern__state_put_in_tx(st, next, &r, diags);
            if (error)
                goto done;
            changed = 1;
            continue;
        }
        address = tern_state_resource_address(&r);
        TERN_CHECK_ALLOC(address);
        if (json_array_append_new(skip, json_string(address)) != 0) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (diags)
            tern_diags_add(diags, TERN_SEV_WARNING, NULL,
                           "Resource not migrated",
                           "%s was skipped: tern does not manage the type "
                           "%s. It stays in the Terraform state; remove it "
                           "there (terraform state rm) only once something "
                           "else manages it.",
                           address, r.type);
        tern_free(address);
        address = NULL;
    }
    if (json_object_size(json_object_get(doc, "outputs")) > 0) {
        if ((error = import_outputs(st, next, doc, diags)) != 0)
            goto done;
        changed = 1;
    }
    if (changed)
        error = tern__state_tx_commit(st, next, diags);
    else
        tern__state_tx_rollback(st);
    if (error)
        goto done;
    if (skipped) {
        *skipped = skip;
        skip = NULL;
    }
done:
    if (error)
        tern__state_tx_rollback(st);
    tern_free(address);
    json_decref(skip);
    json_decref(flat);
    return error;
}
