/*
 * Plan files and the plan as JSON.
 *
 * A plan file is one header line, `tern-plan 1 sha256=<hex>`, then a JSON
 * document; the hash covers the document, so an edited or truncated file
 * is refused. The document holds what `apply FILE` and `show FILE` read,
 * without the configuration directory, and nothing else (enc_plan):
 *
 *   format_version, tern_version  another format or tern is refused
 *   lineage, serial               apply refuses a plan of another state,
 *                                 or one the state moved past (stale)
 *   destroy, refresh_only         what kind of apply it is
 *   outputs_changed               whether a plan without resource changes
 *                                 still has something to apply
 *   timestamp, plan_timestamp     show -json's "timestamp"; plantimestamp()
 *                                 at apply, the same as at plan
 *   config_hash                   apply checks the files below are the
 *                                 ones planned
 *   configuration                 every *.tf and *.tf.json file of the root
 *                                 module and its child modules (name,
 *                                 text), which apply evaluates again; with
 *                                 credentials blanked (below), the file's
 *                                 SHA-256 and where each blanked one was.
 *                                 No variable file (terraform.tfvars,
 *                                 *.auto.tfvars, -var-file), lock file or
 *                                 other file of the directory: their
 *                                 values are in variables
 *   checks                        the conditions' results (show -json,
 *                                 apply's check results)
 *   variables                     the value of each declared root variable,
 *                                 from whatever source (default, -var,
 *                                 variable files, TF_VAR_ environment), as
 *                                 apply evaluates with them; no other
 *                                 environment value
 *   outputs                       the planned root outputs (show)
 *   instances                     every planned instance (no-ops too: their
 *                                 values are what references to them see):
 *                                 address, key, each.value, action and
 *                                 reason, prior and planned values, and
 *                                 what apply writes to the state with it
 *                                 (dependencies, provider address, import
 *                                 ID, create_before_destroy, intents,
 *                                 deposed object)
 *   drift                         objects changed outside, as refresh read
 *                                 them: show's drift section, and what a
 *                                 -refresh-only apply saves
 *
 * Values keep their unknown and sensitive marks as Terraform's JSON plan
 * does: the value with unknowns as null, and beside it a mask of the same
 * shape with true where a node is unknown (or sensitive).
 *
 * Secrets are never in a plan file in clear. Provider credentials are not
 * in it at all: the providers are configured anew at apply, their
 * settings are never stored, and every constant a provider's sensitive
 * argument takes its value from (written in the provider block, or in a
 * local it refers to) is blanked in the plan's copy of the file and read
 * again from the working directory at apply (tern__plan_redact below).
 * Sensitive values an apply needs (sensitive variables and what derives
 * from them, a root variable a provider credential takes its value from,
 * attributes a schema marks sensitive in the prior state and the planned
 * values, sensitive outputs) are kept, so the file holding them is
 * encrypted with a passphrase, the whole file above as the plaintext
 * (planseal.c: AES-256-GCM, the key from PBKDF2-SHA512, a header
 * `tern-plan 1 aes-256-gcm pbkdf2-sha512 i=... salt=... nonce=...`);
 * without a passphrase such a plan is refused before any file is made,
 * with an error naming what is sensitive. A plan holding none is written
 * in clear when no passphrase is given.
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/alloc.h"
#include "util/digest.h"
#include "util/json.h"
#include "util/vec.h"

#define PLAN_PREFIX         "tern-plan "
#define PLAN_MAGIC          "tern-plan 1 sha256="
#define PLAN_FORMAT_VERSION 1

/* ---- masks ------------------------------------------------------------------
 */

json_t *tern__mask(const tern_value *v, int sensitive)
{
    enum tern_value_kind k;
    json_t *r;
    size_t i, any = 0;
    int oom = 0;

    if (!v)
        return json_false();
    if (sensitive ? tern_value_is_sensitive(v) : tern_value_is_unknown(v))
        return json_true();
    k = tern_value_kind(v);
    if (k == TERN_VAL_LIST || k == TERN_VAL_SET) {
        r = json_array();
        for (i = 0; r && !oom && i < tern_value_length(v); i++) {
            json_t *m = tern__mask(tern_value_list_get(v, i), sensitive);

            any += json_is_true(m) || json_is_object(m) || json_is_array(m);
            tern_json_append(&oom, r, m);
        }
    } else if (k == TERN_VAL_OBJECT) {
        r = json_object();
        for (i = 0; r && !oom && i < tern_value_length(v); i++) {
            json_t *m = tern__mask(tern_value_object_value(v, i), sensitive);

            if (json_is_false(m))
                continue; /* a singleton: nothing to release */
            any++;
            tern_json_set(&oom, r, tern_value_object_key(v, i), m);
        }
    } else {
        return json_false();
    }
    if (r && !oom && !any) {
        json_decref(r);
        return json_false();
    }
    return tern_json_done(oom, r);
}

tern_value *tern__unmask(const json_t *j, const json_t *unknown,
                         const json_t *sensitive)
{
    tern_value *v = NULL, *x;
    size_t i;
    const char *k;
    json_t *item;

    if (json_is_true(unknown)) {
        v = tern_value_unknown();
    } else if (json_is_array(j)) {
        v = tern_value_list_new();
        for (i = 0; v && i < json_array_size(j); i++) {
            x = tern__unmask(
                json_array_get(j, i),
                json_is_array(unknown) ? json_array_get(unknown, i) : NULL,
                json_is_array(sensitive) ? json_array_get(sensitive, i) : NULL);
            if (!x || tern_value_list_append(v, x)) {
                tern_value_decref(v);
                v = NULL;
            }
        }
    } else if (json_is_object(j)) {
        v = tern_value_object_new();
        json_object_foreach((json_t *)j, k, item)
        {
            if (!v)
                break;
            x = tern__unmask(item, json_object_get(unknown, k),
                             json_object_get(sensitive, k));
            if (!x || tern_value_object_set(v, k, x)) {
                tern_value_decref(v);
                v = NULL;
            }
        }
    } else {
        v = tern_value_from_json(j ? j : json_null());
    }
    if (v && json_is_true(sensitive))
        v = tern_value_mark_sensitive(v);
    return v;
}

static json_t *enc_value(const tern_value *v)
{
    json_t *o;
    int oom = 0;

    if (!v)
        return json_null();
    o = json_object();
    if (!o)
        return NULL;
    tern_json_set(&oom, o, "v", tern_value_to_json(v));
    tern_json_set(&oom, o, "u", tern__mask(v, 0));
    tern_json_set(&oom, o, "s", tern__mask(v, 1));
    return tern_json_done(oom, o);
}

static tern_value *dec_value(const json_t *j)
{
    if (!json_is_object(j))
        return NULL;
    return tern__unmask(json_object_get(j, "v"), json_object_get(j, "u"),
                        json_object_get(j, "s"));
}

/* ---- instances ------------------------------------------------------------
 */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *enc_inst(const struct pinst *pi)
{
    json_t *o = json_object(), *rp = json_array();
    size_t i;
    int oom = 0;

    if (!o || !rp) {
        json_decref(o);
        json_decref(rp);
        return NULL;
    }
    for (i = 0; pi->rpaths && pi->rpaths[i]; i++)
        tern_json_append(&oom, rp, json_string(pi->rpaths[i]));
    tern_json_set(&oom, o, "address", json_string(pi->addr));
    tern_json_set(&oom, o, "previous_address", str_or_null(pi->prev_addr));
    tern_json_set(&oom, o, "mode", json_integer(pi->pub.mode));
    if (pi->module)
        tern_json_set(&oom, o, "module", json_string(pi->module));
    tern_json_set(&oom, o, "type", json_string(pi->type));
    tern_json_set(&oom, o, "name", json_string(pi->name));
    tern_json_set(&oom, o, "action", json_integer(pi->pub.action));
    tern_json_set(&oom, o, "reason", json_integer(pi->pub.reason));
    tern_json_set(&oom, o, "before", enc_value(pi->before));
    tern_json_set(&oom, o, "after", enc_value(pi->after));
    tern_json_set(&oom, o, "replace_paths", rp);
    tern_json_set(&oom, o, "import_id", str_or_null(pi->import_id));
    tern_json_set(&oom, o, "key_kind", json_integer(pi->key_kind));
    tern_json_set(&oom, o, "key_int", json_integer(pi->key_int));
    tern_json_set(&oom, o, "key_str", str_or_null(pi->key_str));
    tern_json_set(&oom, o, "each_value", enc_value(pi->each_value));
    tern_json_set(&oom, o, "deps",
                  json_incref(pi->deps ? pi->deps : json_null()));
    tern_json_set(&oom, o, "provider", str_or_null(pi->provider));
    tern_json_set(&oom, o, "cbd", json_boolean(pi->cbd));
    tern_json_set(&oom, o, "in_state", json_boolean(pi->in_state));
    tern_json_set(&oom, o, "data_write", json_boolean(pi->data_write));
    tern_json_set(&oom, o, "intent", json_integer(pi->intent));
    tern_json_set(&oom, o, "adopt",
                  json_incref(pi->adopt ? pi->adopt : json_null()));
    tern_json_set(&oom, o, "orphan", json_boolean(pi->orphan));
    tern_json_set(&oom, o, "gone", json_boolean(pi->gone));
    tern_json_set(&oom, o, "deposed", json_integer(pi->deposed));
    return tern_json_done(oom, o);
}

static char *dup_or_null(const json_t *j)
{
    return json_is_string(j) ? tern_strdup(json_string_value(j)) : NULL;
}

/* A copy of o[key] when it is a string, else NULL; a copy that could not
 * be made sets *oom. */
static char *dup_field(const json_t *o, const char *key, int *oom)
{
    char *c = dup_or_null(json_object_get(o, key));

    if (!c && json_is_string(json_object_get(o, key)))
        *oom = 1;
    return c;
}

/* The value o[key] encodes, NULL for none; one that could not be built
 * sets *oom. */
static tern_value *dec_field(const json_t *o, const char *key, int *oom)
{
    tern_value *v = dec_value(json_object_get(o, key));

    if (!v && json_is_object(json_object_get(o, key)))
        *oom = 1;
    return v;
}

/* TERN_OK; TERN_EINVALID for a damaged instance; TERN_ENOMEM. */
static int dec_inst(const json_t *o, struct pinst *pi)
{
    const json_t *rp = json_object_get(o, "replace_paths");
    size_t i;
    int oom = 0;

    pi->block = SIZE_MAX;
    pi->prov = SIZE_MAX;
    pi->addr = dup_field(o, "address", &oom);
    pi->module = dup_field(o, "module", &oom);
    pi->type = dup_field(o, "type", &oom);
    pi->name = dup_field(o, "name", &oom);
    if (oom)
        return TERN_ENOMEM;
    if (!pi->addr || !pi->type || !pi->name)
        return TERN_EINVALID;
    pi->prev_addr = dup_field(o, "previous_address", &oom);
    pi->pub.mode =
        (enum tern_state_mode)json_integer_value(json_object_get(o, "mode"));
    pi->pub.action =
        (enum tern_action)json_integer_value(json_object_get(o, "action"));
    pi->pub.reason = (enum tern_action_reason)json_integer_value(
        json_object_get(o, "reason"));
    pi->before = dec_field(o, "before", &oom);
    pi->after = dec_field(o, "after", &oom);
    if (json_array_size(rp)) {
        pi->rpaths = tern_calloc(json_array_size(rp) + 1, sizeof(char *));
        if (!pi->rpaths)
            return TERN_ENOMEM;
        for (i = 0; i < json_array_size(rp); i++) {
            pi->rpaths[i] = dup_or_null(json_array_get(rp, i));
            if (!pi->rpaths[i])
                return json_is_string(json_array_get(rp, i)) ? TERN_ENOMEM
                                                             : TERN_EINVALID;
        }
    }
    pi->import_id = dup_field(o, "import_id", &oom);
    pi->key_kind =
        (enum tern_state_key)json_integer_value(json_object_get(o, "key_kind"));
    pi->key_int = json_integer_value(json_object_get(o, "key_int"));
    pi->key_str = dup_field(o, "key_str", &oom);
    pi->each_value = dec_field(o, "each_value", &oom);
    pi->deps = json_is_array(json_object_get(o, "deps"))
                   ? json_incref(json_object_get(o, "deps"))
                   : json_array();
    if (!pi->deps)
        oom = 1;
    pi->provider = dup_field(o, "provider", &oom);
    pi->cbd = json_is_true(json_object_get(o, "cbd"));
    pi->in_state = json_is_true(json_object_get(o, "in_state"));
    pi->data_write = json_is_true(json_object_get(o, "data_write"));
    pi->intent = json_integer_value(json_object_get(o, "intent"));
    if (json_is_object(json_object_get(o, "adopt")))
        pi->adopt = json_incref(json_object_get(o, "adopt"));
    pi->orphan = json_is_true(json_object_get(o, "orphan"));
    pi->gone = json_is_true(json_object_get(o, "gone"));
    pi->deposed = json_integer_value(json_object_get(o, "deposed"));
    return oom ? TERN_ENOMEM : TERN_OK;
}

static json_t *enc_plan(const struct tern_plan *p)
{
    json_t *o = json_object(), *insts = json_array(), *drift = json_array();
    size_t i;
    int oom = 0;

    if (!o || !insts || !drift) {
        json_decref(o);
        json_decref(insts);
        json_decref(drift);
        return NULL;
    }
    for (i = 0; i < p->ninsts; i++)
        tern_json_append(&oom, insts, enc_inst(&p->insts[i]));
    for (i = 0; i < p->ndrift; i++)
        tern_json_append(&oom, drift, enc_inst(&p->drift[i]));
    tern_json_set(&oom, o, "format_version", json_integer(PLAN_FORMAT_VERSION));
    tern_json_set(&oom, o, "tern_version", json_string(p->tern_version));
    if (p->timestamp[0])
        tern_json_set(&oom, o, "timestamp", json_string(p->timestamp));
    tern_json_set(&oom, o, "lineage", json_string(p->lineage));
    tern_json_set(&oom, o, "serial", json_integer(p->serial));
    tern_json_set(&oom, o, "destroy", json_boolean(p->destroy));
    tern_json_set(&oom, o, "refresh_only", json_boolean(p->refresh_only));
    tern_json_set(&oom, o, "outputs_changed", json_boolean(p->outputs_changed));
    tern_json_set(&oom, o, "config_hash", json_string(p->config_hash));
    tern_json_set(&oom, o, "plan_timestamp", json_string(p->plan_timestamp));
    tern_json_set(&oom, o, "configuration",
                  p->files ? json_incref(p->files) : json_array());
    if (p->checks)
        tern_json_set(&oom, o, "checks", json_incref(p->checks));
    tern_json_set(&oom, o, "variables", enc_value(p->vars));
    tern_json_set(&oom, o, "outputs", enc_value(p->outputs));
    tern_json_set(&oom, o, "instances", insts);
    tern_json_set(&oom, o, "drift", drift);
    return tern_json_done(oom, o);
}

static int sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char dig[32];
    unsigned int dl = 0;
    size_t k;

    if (!EVP_Digest(data, len, dig, &dl, tern_sha256_md(), NULL))
        return TERN_ERROR;
    for (k = 0; k < 32; k++)
        snprintf(out + 2 * k, 3, "%02x", dig[k]);
    return TERN_OK;
}

/* ---- credentials left out --------------------------------------------------
 *
 * A plan file carries the configuration's text, and so would carry a
 * credential written in it: in a provider block (`secret_key = "..."`, an
 * argument the provider's schema marks sensitive, in the block or in a
 * block nested in it), or anywhere such an argument takes its value from.
 * Each such argument's expression is traced: its references are followed
 * through locals until they reach constants or root variables (a provider
 * block can refer to nothing else: engine.c). On that path an
 * expression without references is blanked whole (to `""` and spaces,
 * newlines kept, so every other position is unchanged), and in one with
 * references every string constant is (a quoted string to `""`, the text
 * of a template around its interpolations to spaces). A root variable
 * reached is a secret the plan holds (cred_vars: planseal.c encrypts the
 * plan or refuses it).
 *
 * tern re-reads such a file at apply instead: the plan file holds it
 * blanked, and beside it where each blanked expression was and the
 * SHA-256 of the whole file as it was planned. `apply FILE` reads the file
 * again from the working directory and uses it only when its SHA-256 is
 * the recorded one: it needs the same files as the plan did (a fresh
 * checkout of them will do), and says so when they are not there.
 */

/* An expression on a credential's path and the module it is in. */
struct traced {
    const struct tern_lang_config *mod;
    const struct tern_expr *e;
};

struct redact {
    const struct tern_lang_config *root;
    json_t *files;
    json_t *cred_vars; /* root variables given to such an argument */
    tern__plan_schema_fn schema_of;
    /* The argument being traced: its provider and name, for the record. */
    const char *provider, *argument;
    /* Every expression met, each once; [next, n) is still to be read. */
    struct traced *path;
    size_t n, alloc, next;
    const struct tern_lang_config *mod; /* of the expression being read */
    int error;
};

/* A reference that names something (not a bare name: an object's key). */
static void count_ref(void *ctx, const struct tern_lang_ref *r)
{
    if (strcmp(r->kind, "bare") != 0)
        (*(size_t *)ctx)++;
}

static size_t nrefs(const struct tern_expr *e)
{
    size_t n = 0;

    tern_lang_expr_refs(e, count_ref, &n);
    return n;
}

/* A root variable that a credential argument takes its value from: its
 * value is a secret the plan holds (planseal.c), whether declared
 * sensitive or not. */
static void cred_var(struct redact *rd, const char *name)
{
    size_t i;

    for (i = 0; i < json_array_size(rd->cred_vars); i++)
        if (strcmp(json_string_value(json_array_get(rd->cred_vars, i)), name) ==
            0)
            return;
    if (json_array_append_new(rd->cred_vars, json_string(name)))
        rd->error = TERN_ENOMEM;
}

/* The plan's name of the configuration file @file, as tern__config_hash
 * names it. */
static const char *plan_file_name(const struct tern_lang_config *cfg,
                                  const char *file)
{
    size_t i;

    for (i = 0; file && i < cfg->sources.n; i++) {
        const char *name = cfg->sources.files[i]->name;
        const char *base = strrchr(name, '/');

        if (name != file && strcmp(name, file) != 0)
            continue;
        return base && (i < cfg->nown_files || !cfg->ncalls) ? base + 1 : name;
    }
    return NULL;
}

/* Blank @r in the plan's copy of its file: @whole, an expression, to `""`
 * (a one-character one, a number, to 0) and spaces; else the text of a
 * template, to spaces. Newlines are kept. */
static int blank_range(struct redact *rd, const struct tern_range *r, int whole)
{
    const char *name = plan_file_name(rd->root, r->file);
    json_t *f = NULL, *list, *item;
    char *text = NULL, hex[65];
    size_t i, len;
    int error = TERN_OK;

    for (i = 0; name && i < json_array_size(rd->files); i++) {
        const char *n = json_string_value(
            json_object_get(json_array_get(rd->files, i), "name"));

        if (n && strcmp(n, name) == 0)
            f = json_array_get(rd->files, i);
    }
    len = json_string_length(json_object_get(f, "text"));
    if (!f || r->end.byte > len || r->end.byte <= r->start.byte)
        return TERN_OK;
    text = tern_malloc(len + 1);
    TERN_CHECK_ALLOC(text);
    memcpy(text, json_string_value(json_object_get(f, "text")), len + 1);
    if (!json_object_get(f, "sha256")) {
        if ((error = sha256_hex(text, len, hex)))
            goto done;
        if (json_object_set_new(f, "sha256", json_string(hex))) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    for (i = r->start.byte; i < r->end.byte; i++)
        if (text[i] != '\n')
            text[i] = ' ';
    /* An expression of one character (a number) has no room for "". */
    if (whole && r->end.byte - r->start.byte >= 2)
        memcpy(text + r->start.byte, "\"\"", 2);
    else if (whole)
        text[r->start.byte] = '0';
    list = json_object_get(f, "credentials");
    /* A module called twice is walked twice: its file once. */
    json_array_foreach(list, i, item)
    {
        if (json_integer_value(json_object_get(item, "line")) ==
                (json_int_t)r->start.line &&
            json_integer_value(json_object_get(item, "column")) ==
                (json_int_t)r->start.column)
            goto done;
    }
    if (!list) {
        list = json_array();
        if (json_object_set_new(f, "credentials", list))
            list = NULL;
    }
    item = json_pack("{s:s,s:s,s:i,s:i}", "provider", rd->provider, "argument",
                     rd->argument, "line", (int)r->start.line, "column",
                     (int)r->start.column);
    if (!list || !item || json_array_append_new(list, item) ||
        json_object_set_new(f, "text", json_stringn(text, len)))
        error = TERN_ENOMEM;
done:
    tern_free(text);
    return error;
}

static void blank_strings(struct redact *rd, const struct tern_expr *e,
                          int in_tpl, int depth);

/* What blank_strings hands tern_lang_expr_children. */
struct blank_at {
    struct redact *rd;
    int depth;
};

/* One child: a template's literal part is its text, blanked without
 * quotes; a directive's body is template text. */
static void blank_child(void *ctx, const struct tern_expr *e,
                        const struct tern_expr *c, unsigned int role)
{
    struct blank_at *at = ctx;

    (void)e;
    if (at->rd->error)
        return;
    if ((role & TERN_LANG_CHILD_PART) && c->kind == TERN_EXPR_LITERAL)
        at->rd->error = blank_range(at->rd, &c->range, 0);
    else
        blank_strings(at->rd, c, (role & TERN_LANG_CHILD_BODY) != 0,
                      at->depth + 1);
}

/* Blank every string constant in @e, an expression with references
 * (@in_tpl: a template inside a template, whose text is not quoted). */
static void blank_strings(struct redact *rd, const struct tern_expr *e,
                          int in_tpl, int depth)
{
    struct blank_at at = {rd, depth};

    /* Deeper than the parser nests: what is beyond is blanked whole (a
     * template's text to spaces). */
    if (!e || rd->error || depth > 512) {
        if (e && !rd->error)
            rd->error = blank_range(rd, &e->range, !in_tpl);
        return;
    }
    if (e->kind == TERN_EXPR_LITERAL) {
        if (tern_value_kind(e->u.literal) == TERN_VAL_STRING)
            rd->error = blank_range(rd, &e->range, !in_tpl);
        return;
    }
    if (e->kind == TERN_EXPR_TEMPLATE && !in_tpl && nrefs(e) == 0) {
        rd->error = blank_range(rd, &e->range, 1);
        return;
    }
    tern_lang_expr_children(e, blank_child, &at);
}

/* Put @e, of module @mod, on the path, unless it is there already. */
static void trace(struct redact *rd, const struct tern_lang_config *mod,
                  const struct tern_expr *e)
{
    size_t i;

    if (!e || rd->error)
        return;
    for (i = 0; i < rd->n; i++)
        if (rd->path[i].e == e)
            return;
    if (TERN_VEC_RESERVE(rd->path, rd->alloc, rd->n + 1) != TERN_OK) {
        rd->error = TERN_ENOMEM;
        return;
    }
    rd->path[rd->n].mod = mod;
    rd->path[rd->n].e = e;
    rd->n++;
}

/* Where a credential's reference @r, made in rd->mod, takes its value
 * from: a local's expression goes on the path; a root variable is a
 * credential variable. Nothing else can reach a provider block: tern
 * refuses provider blocks in child modules and, in the root's, any
 * reference but to variables and locals, through locals too
 * (engine.c), so the path stays in the module it starts in. */
static void follow(void *ctx, const struct tern_lang_ref *r)
{
    struct redact *rd = ctx;
    const struct tern_lang_config *mod = rd->mod;
    size_t i;

    if (rd->error || !r->name)
        return;
    if (strcmp(r->kind, "var") == 0 && !mod->parent)
        cred_var(rd, r->name);
    else if (strcmp(r->kind, "local") == 0 &&
             tern__nameset_find(&mod->local_names, r->name, &i))
        trace(rd, mod, mod->local_attrs[i]->expr);
}

/* Read what is on the path and not read yet: blank its constants and put
 * what it refers to on the path. */
static void drain(struct redact *rd)
{
    while (!rd->error && rd->next < rd->n) {
        struct traced t = rd->path[rd->next++];

        if (nrefs(t.e) == 0) {
            rd->error = blank_range(rd, &t.e->range, 1);
            continue;
        }
        blank_strings(rd, t.e, 0, 0);
        rd->mod = t.mod;
        if (!rd->error)
            tern_lang_expr_refs(t.e, follow, rd);
    }
}

/* The sensitive arguments of a provider block's @body (or a block nested
 * in it, @prefix its path: "assume_role."), by @schema. */
static void redact_body(struct redact *rd, const struct tern_lang_config *mod,
                        const struct tern_body *body, const tern_attr *schema,
                        const char *prefix)
{
    size_t i;

    for (i = 0; !rd->error && i < body->nattrs; i++) {
        const struct tern_attribute *at = &body->attrs[i];
        const tern_attr *sa = tern_schema_attr(schema, at->name);
        char *arg;

        if (!sa || !(sa->flags & TERN_ATTR_SENSITIVE) || !at->expr)
            continue;
        arg = tern_asprintf("%s%s", prefix, at->name);
        if (!arg) {
            rd->error = TERN_ENOMEM;
            return;
        }
        rd->argument = arg;
        trace(rd, mod, at->expr);
        drain(rd);
        rd->argument = NULL;
        tern_free(arg);
    }
    for (i = 0; !rd->error && i < body->nblocks; i++) {
        const struct tern_block *b = body->blocks[i];
        const struct tern_body *inner = b->body;
        const char *type = b->type;
        const tern_attr *sa;
        char *sub;
        size_t k;

        /* dynamic "TYPE" { content { ... } } */
        if (strcmp(type, "dynamic") == 0 && b->nlabels) {
            type = b->labels[0];
            inner = NULL;
            for (k = 0; k < b->body->nblocks; k++)
                if (strcmp(b->body->blocks[k]->type, "content") == 0)
                    inner = b->body->blocks[k]->body;
        }
        sa = tern_schema_attr(schema, type);
        if (!sa || !sa->nested || !inner)
            continue;
        sub = tern_asprintf("%s%s.", prefix, type);
        if (!sub) {
            rd->error = TERN_ENOMEM;
            return;
        }
        redact_body(rd, mod, inner, sa->nested, sub);
        tern_free(sub);
    }
}

static void redact_module(void *ctx, const struct tern_lang_config *mod)
{
    struct redact *rd = ctx;
    size_t i;

    for (i = 0; !rd->error && i < mod->providers.n; i++) {
        const struct tern_block *b = mod->providers.items[i];
        const tern_attr *schema =
            b->nlabels ? rd->schema_of(b->labels[0]) : NULL;

        if (!schema)
            continue;
        rd->provider = b->labels[0];
        redact_body(rd, mod, b->body, schema, "");
    }
}

static const tern_attr *provider_schema(const char *name)
{
    const tern_provider *prov = tern_provider_find(name);

    return prov ? prov->schema : NULL;
}

int tern__plan_redact_with(const struct tern_lang_config *cfg, json_t *files,
                           json_t *cred_vars, tern__plan_schema_fn schema_of)
{
    struct redact rd;

    memset(&rd, 0, sizeof(rd));
    rd.root = cfg;
    rd.files = files;
    rd.cred_vars = cred_vars;
    rd.schema_of = schema_of;
    tern_lang_config_walk(cfg, redact_module, &rd);
    tern_free(rd.path);
    return rd.error;
}

int tern__plan_redact(const struct tern_lang_config *cfg, json_t *files,
                      json_t *cred_vars)
{
    return tern__plan_redact_with(cfg, files, cred_vars, provider_schema);
}

/* The plan file's bytes for @p: in clear, or encrypted with @passphrase
 * (planseal.c). */
static int plan_bytes(const tern_plan *p, const char *passphrase, tern_buf *out,
                      struct tern_diags *diags)
{
    json_t *doc = enc_plan(p);
    char *body = NULL, hex[65];
    tern_buf plain = TERN_BUF_INIT;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(doc);
    body = tern_json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    TERN_CHECK_ALLOC(body);
    if ((error = sha256_hex(body, strlen(body), hex)))
        goto done;
    tern_buf_printf(passphrase ? &plain : out, "%s%s\n%s", PLAN_MAGIC, hex,
                    body);
    if (tern_buf_oom(&plain) || tern_buf_oom(out)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (passphrase)
        error = tern__plan_seal(plain.ptr, plain.len, passphrase, out, diags);
done:
    if (body)
        OPENSSL_cleanse(body, strlen(body));
    free(body); /* jansson's */
    json_decref(doc);
    tern__buf_wipe(&plain);
    return error;
}

int tern_plan_write(const tern_plan *p, const char *path,
                    const char *passphrase, struct tern_diags *diags)
{
    char *tmp = NULL;
    tern_buf out = TERN_BUF_INIT;
    size_t off = 0;
    struct stat sb;
    int fd = -1, error = TERN_OK;

    /* Nothing sensitive in clear: without a passphrase, a plan that holds
     * a sensitive value is refused, before any file is made. */
    if ((error = tern_plan_passphrase_check(passphrase, diags)) ||
        (!passphrase &&
         (error = tern__plan_refuse_sensitive(p, path, diags))) ||
        (error = plan_bytes(p, passphrase, &out, diags)))
        goto done;
    /* The rename below would replace a link at @path, not write through
     * it; refuse one all the same, since whoever made it meant the plan
     * to land elsewhere. */
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to write plan file",
                       "The plan file %s is a symbolic link. tern does not "
                       "write a plan through a link; remove it or give "
                       "the path of the file itself.",
                       path);
        error = TERN_ERROR;
        goto done;
    }
    /* A new, unpredictable name beside the target (mkstemp opens it with
     * O_CREAT|O_EXCL, mode 0600): a file or link planted at a fixed
     * temporary name is never written through. */
    tmp = tern_asprintf("%s.tmp.XXXXXX", path);
    TERN_CHECK_ALLOC(tmp);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        tern_free(tmp);
        tmp = NULL;
        goto fail;
    }
    while (off < out.len) {
        ssize_t w = write(fd, out.ptr + off, out.len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        off += (size_t)w;
    }
    if (fsync(fd) || close(fd)) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path))
        goto fail;
    goto done;
fail:
    tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to write plan file",
                   "Writing %s: %s.", path, strerror(errno));
    error = TERN_ERROR;
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
done:
    tern_free(tmp);
    tern__buf_wipe(&out);
    return error;
}

static int refuse(struct tern_diags *diags, const char *path, const char *why)
{
    tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Invalid plan file",
                   "The plan file %s cannot be used: %s", path, why);
    return TERN_EINVALID;
}

/*
 * Check the header of plan file @text (read from @path): the magic, the
 * format, the checksum of what follows. *json is where the JSON starts.
 */
static int check_header(const tern_buf *text, const char *path,
                        const char **json, struct tern_diags *diags)
{
    char hex[65];
    const char *nl;
    size_t n;
    int magic, error;

    /* How much of the header's magic the file has. */
    n = text->len < strlen(PLAN_MAGIC) ? text->len : strlen(PLAN_MAGIC);
    magic = text->len > 0 && memcmp(text->ptr, PLAN_MAGIC, n) == 0;
    if (!magic && text->len > strlen(PLAN_PREFIX) &&
        strncmp(text->ptr, PLAN_PREFIX, strlen(PLAN_PREFIX)) == 0) {
        /* Another format's header: say which, as far as it is readable. */
        const char *v = text->ptr + strlen(PLAN_PREFIX);
        char why[128];

        for (n = 0; n < 8 && v + n < text->ptr + text->len && v[n] >= '0' &&
                    v[n] <= '9';
             n++)
            ;
        if (n == 0 || (n == 1 && *v == '1'))
            snprintf(why, sizeof(why), "its header is damaged.");
        else
            snprintf(why, sizeof(why),
                     "it is a tern plan file of format %.*s, which this tern "
                     "does not read (it reads format 1).",
                     (int)n, v);
        error = refuse(diags, path, why);
        return error;
    }
    if (text->len < strlen(PLAN_MAGIC) + 65) {
        error = refuse(diags, path,
                       text->len == 0 ? "the file is empty; it is not a tern "
                                        "plan file."
                       : magic        ? "it is truncated: it ends within its "
                                        "header."
                                      : "it is not a tern plan file.");
        return error;
    }
    if (strncmp(text->ptr, PLAN_MAGIC, strlen(PLAN_MAGIC)) != 0) {
        error = refuse(diags, path, "it is not a tern plan file.");
        return error;
    }
    nl = text->ptr + strlen(PLAN_MAGIC) + 64;
    if (*nl != '\n') {
        error = refuse(diags, path, "its header is damaged.");
        return error;
    }
    if ((error =
             sha256_hex(nl + 1, text->len - (size_t)(nl + 1 - text->ptr), hex)))
        return error;
    if (strncmp(hex, text->ptr + strlen(PLAN_MAGIC), 64) != 0) {
        error = refuse(diags, path,
                       "its checksum does not match its contents (the file "
                       "was edited or truncated).");
        return error;
    }
    *json = nl + 1;
    return TERN_OK;
}

int tern_plan_read(tern_plan **out, const char *path, const char *passphrase,
                   struct tern_diags *diags)
{
    FILE *f = NULL;
    tern_buf text = TERN_BUF_INIT;
    char chunk[65536];
    const char *nl;
    size_t n, i;
    json_t *doc = NULL, *insts, *drift;
    struct tern_plan *p = NULL;
    int error = TERN_OK, oom = 0;

    *out = NULL;
    f = fopen(path, "rbe");
    if (!f) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Failed to read plan file",
                       "Reading %s: %s.", path, strerror(errno));
        return errno == ENOENT ? TERN_ENOTFOUND : TERN_ERROR;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        tern_buf_put(&text, chunk, n);
    fclose(f);
    if (tern_buf_oom(&text)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (tern__plan_is_sealed(text.ptr, text.len)) {
        tern_buf plain = TERN_BUF_INIT;

        error = tern__plan_open(text.ptr, text.len, path, passphrase, &plain,
                                diags);
        tern_buf_release(&text);
        text = plain;
        if (error)
            goto done;
    }
    if ((error = check_header(&text, path, &nl, diags)) != 0)
        goto done;
    doc = tern_json_loads(nl, 0, &oom);
    if (oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (!doc || json_integer_value(json_object_get(doc, "format_version")) !=
                    PLAN_FORMAT_VERSION) {
        error = refuse(diags, path, "its format is not one this tern reads.");
        goto done;
    }
    if (!json_is_string(json_object_get(doc, "tern_version")) ||
        strcmp(json_string_value(json_object_get(doc, "tern_version")),
               TERN_VERSION) != 0) {
        tern_diags_add(
            diags, TERN_SEV_ERROR, NULL,
            "Plan file written by another tern version",
            "The plan file %s was created by tern %s, but this is "
            "tern %s. Create a new plan with this version.",
            path,
            json_is_string(json_object_get(doc, "tern_version"))
                ? json_string_value(json_object_get(doc, "tern_version"))
                : "(unknown)",
            TERN_VERSION);
        error = TERN_EINVALID;
        goto done;
    }
    if (!json_is_string(json_object_get(doc, "lineage"))) {
        /* Below, a missing lineage would pass for an allocation failure. */
        error = refuse(diags, path, "it names no state lineage.");
        goto done;
    }
    p = tern_calloc(1, sizeof(*p));
    TERN_CHECK_ALLOC(p);
    p->tern_version = dup_or_null(json_object_get(doc, "tern_version"));
    TERN_CHECK_ALLOC(p->tern_version);
    snprintf(p->timestamp, sizeof(p->timestamp), "%s",
             json_string_value(json_object_get(doc, "timestamp"))
                 ? json_string_value(json_object_get(doc, "timestamp"))
                 : "");
    p->lineage = dup_or_null(json_object_get(doc, "lineage"));
    TERN_CHECK_ALLOC(p->lineage);
    p->serial = json_integer_value(json_object_get(doc, "serial"));
    p->destroy = json_is_true(json_object_get(doc, "destroy"));
    p->refresh_only = json_is_true(json_object_get(doc, "refresh_only"));
    p->outputs_changed = json_is_true(json_object_get(doc, "outputs_changed"));
    snprintf(p->config_hash, sizeof(p->config_hash), "%s",
             json_string_value(json_object_get(doc, "config_hash"))
                 ? json_string_value(json_object_get(doc, "config_hash"))
                 : "");
    snprintf(p->plan_timestamp, sizeof(p->plan_timestamp), "%s",
             json_string_value(json_object_get(doc, "plan_timestamp"))
                 ? json_string_value(json_object_get(doc, "plan_timestamp"))
                 : "");
    p->files = json_incref(json_object_get(doc, "configuration"));
    if (json_is_object(json_object_get(doc, "checks")))
        p->checks = json_incref(json_object_get(doc, "checks"));
    p->vars = dec_field(doc, "variables", &oom);
    p->outputs = dec_field(doc, "outputs", &oom);
    if (!p->vars && !oom)
        p->vars = tern_value_object_new();
    if (!p->outputs && !oom)
        p->outputs = tern_value_object_new();
    if (oom || !p->vars || !p->outputs) {
        error = TERN_ENOMEM;
        goto done;
    }
    insts = json_object_get(doc, "instances");
    drift = json_object_get(doc, "drift");
    for (i = 0; i < json_array_size(insts); i++) {
        struct pinst *pi;

        if ((error = tern__plan_add(p, &pi)))
            goto done;
        if ((error = dec_inst(json_array_get(insts, i), pi))) {
            if (error == TERN_EINVALID)
                error = refuse(diags, path, "an instance is damaged.");
            goto done;
        }
    }
    p->drift = tern_calloc(json_array_size(drift) + 1, sizeof(*p->drift));
    TERN_CHECK_ALLOC(p->drift);
    p->adrift = json_array_size(drift) + 1;
    for (i = 0; i < json_array_size(drift); i++) {
        p->ndrift++;
        if ((error = dec_inst(json_array_get(drift, i), &p->drift[i]))) {
            if (error == TERN_EINVALID)
                error = refuse(diags, path, "a drift entry is damaged.");
            goto done;
        }
    }
    if ((error = tern__plan_index(p)))
        goto done;
    *out = p;
    p = NULL;
done:
    tern__buf_wipe(&text);
    json_decref(doc);
    tern_plan_free(p);
    return error;
}

/* The text of the plan's file @f as apply uses it: its own, or, when the
 * plan left credentials out of it, the working directory's file of that
 * name if it is the one planned (new, in *@own). */
static int apply_text(const json_t *f, char **own, size_t *len,
                      struct tern_diags *diags)
{
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *want = json_string_value(json_object_get(f, "sha256"));
    const json_t *cred = json_array_get(json_object_get(f, "credentials"), 0);
    tern_buf text = TERN_BUF_INIT, where = TERN_BUF_INIT;
    char chunk[65536], hex[65];
    FILE *in = NULL;
    size_t n, i;
    const json_t *c;
    int error = TERN_OK, rd_errno = 0;

    *own = NULL;
    if (!cred)
        return TERN_OK;
    in = fopen(name, "rbe");
    if (!in) {
        rd_errno = errno;
    } else {
        while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
            tern_buf_put(&text, chunk, n);
        if (ferror(in))
            rd_errno = errno ? errno : EIO;
        fclose(in);
    }
    if (tern_buf_oom(&text)) {
        error = TERN_ENOMEM;
        goto done;
    }
    if (!rd_errno && want &&
        !sha256_hex(text.ptr ? text.ptr : "", text.len, hex) &&
        strcmp(hex, want) == 0) {
        *own = text.ptr ? text.ptr : tern_strdup("");
        text.ptr = NULL;
        *len = text.len;
        if (!*own)
            error = TERN_ENOMEM;
        goto done;
    }
    json_array_foreach(json_object_get(f, "credentials"), i, c)
    {
        tern_buf_printf(
            &where, "%s%s:%lld:%lld (provider \"%s\" %s)", i == 0 ? "" : ", ",
            name, (long long)json_integer_value(json_object_get(c, "line")),
            (long long)json_integer_value(json_object_get(c, "column")),
            json_string_value(json_object_get(c, "provider")),
            json_string_value(json_object_get(c, "argument")));
    }
    if (tern_buf_oom(&where)) {
        error = TERN_ENOMEM;
        goto done;
    }
    tern_diags_add(
        diags, TERN_SEV_ERROR, NULL,
        "Saved plan needs the configuration's credentials",
        "The plan file leaves out the credentials written in the "
        "configuration, at %s, and reads them again from %s at apply; "
        "%s%s%s. Apply the plan where %s is as it was when the plan was "
        "made, or give the credentials through the environment or a shared "
        "credentials file instead of the configuration.",
        where.ptr, name, rd_errno ? "reading it failed: " : "",
        rd_errno ? strerror(rd_errno)
                 : "that file is not the one the plan was made from",
        rd_errno ? "" : " (it changed after the plan was made)", name);
    error = TERN_EINVALID;
done:
    tern_buf_release(&text);
    tern_buf_release(&where);
    return error;
}

static int plan_config(const tern_plan *p, int for_apply, tern_config **out,
                       struct tern_diags *diags)
{
    struct tern_lang_config *cfg = tern_lang_config_new(".");
    size_t i, nf = json_array_size(p->files);
    int error = TERN_OK;
    const char **names = tern_calloc(nf + 1, sizeof(*names));
    const char **texts = tern_calloc(nf + 1, sizeof(*texts));
    size_t *lens = tern_calloc(nf + 1, sizeof(*lens));
    char **owned = tern_calloc(nf + 1, sizeof(*owned));
    struct tern_lang_fileset fs;

    *out = NULL;
    if (!cfg || !names || !texts || !lens || !owned) {
        error = TERN_ENOMEM;
        goto done;
    }
    for (i = 0; i < nf; i++) {
        const json_t *f = json_array_get(p->files, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *text = json_string_value(json_object_get(f, "text"));

        if (!name || !text) {
            error = TERN_EINVALID;
            goto done;
        }
        names[i] = name;
        texts[i] = text;
        lens[i] = json_string_length(json_object_get(f, "text"));
        if (for_apply) {
            if ((error = apply_text(f, &owned[i], &lens[i], diags)))
                goto done;
            if (owned[i])
                texts[i] = owned[i];
        }
        /* A child module's file: loaded with its module below. */
        if (strchr(name, '/'))
            continue;
        error = tern_lang_config_add_file(cfg, name, texts[i], lens[i], diags);
        if (error) {
            /* The diagnostics name the configuration's files and point
             * into its sources: the caller frees it after printing them
             * (freeing it here left them dangling). */
            *out = cfg;
            goto done;
        }
    }
    cfg->nown_files = cfg->sources.n;
    fs.n = nf;
    fs.names = names;
    fs.texts = texts;
    fs.lens = lens;
    error = tern_lang_config_load_modules(cfg, &fs, diags);
    *out = cfg;
    cfg = NULL;
done:
    if (*out)
        cfg = NULL;
    for (i = 0; owned && i < nf; i++)
        tern_free(owned[i]);
    tern_free(owned);
    tern_free(names);
    tern_free(texts);
    tern_free(lens);
    tern_lang_config_free(cfg);
    return error;
}

int tern_plan_config(const tern_plan *p, tern_config **out,
                     struct tern_diags *diags)
{
    return plan_config(p, 0, out, diags);
}

int tern_plan_apply_config(const tern_plan *p, tern_config **out,
                           struct tern_diags *diags)
{
    return plan_config(p, 1, out, diags);
}
