/*
 * Custom conditions, as Terraform evaluates them (hashicorp/terraform
 * internal/terraform/eval_conditions.go, evalCheckRule): a resource's or
 * data source's lifecycle precondition and postcondition blocks, an
 * output's precondition blocks and a check block's assert blocks. Each
 * rule has a condition and an error_message; a condition that is not yet
 * known waits (it is checked again at apply); a false one is "<kind>
 * failed" with the message, at the condition. Check block assertions are
 * warnings, the others errors.
 */
#include "engine_int.h"
#include "util/alloc.h"
#include "util/json.h"

#include <string.h>

/* Errors of @from become warnings (a check block never blocks). */
static void soften(struct tern_diags *from)
{
    size_t i;

    for (i = 0; i < from->count; i++)
        from->items[i].severity = TERN_SEV_WARNING;
    from->errors = 0;
}

static void worsen(int *status, int to)
{
    if (*status < to)
        *status = to;
}

/* One rule: TERN_OK (passed or unknown), TERN_ERROR (failed, reported),
 * TERN_ENOMEM. */
static int check_rule(const struct tern_lang_scope *sc,
                      const struct tern_block *rule, const char *what,
                      enum tern_severity sev, int *status, json_t *problems,
                      struct tern_diags *diags)
{
    const struct tern_attribute *cond =
        tern_lang_body_attr(rule->body, "condition");
    const struct tern_attribute *msg =
        tern_lang_body_attr(rule->body, "error_message");
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_value *c = NULL, *m = NULL;
    const char *text = NULL;
    int error = TERN_OK, rc, ok, failed = 0;

    if (!cond || !msg) {
        tern_diags_add(&d, TERN_SEV_ERROR, &rule->def_range,
                       "Missing required argument",
                       "The arguments \"condition\" and \"error_message\" "
                       "are required in a %s block.",
                       rule->type);
        error = TERN_ERROR;
        goto done;
    }
    rc = tern_lang_eval(cond->expr, sc, &c, &d);
    if (rc) {
        error = rc;
        goto done;
    }
    if (tern_value_is_unknown(c)) {
        worsen(status, CHECK_UNKNOWN);
        goto done;
    }
    if (tern_value_is_null(c)) {
        tern_diags_add(&d, TERN_SEV_ERROR, &cond->expr->range,
                       "Invalid condition result",
                       "Condition expression must return either true or "
                       "false, not null.");
        error = TERN_ERROR;
        goto done;
    }
    if (tern_value_kind(c) == TERN_VAL_BOOL) {
        ok = tern_value_get_bool(c);
    } else if (tern_value_kind(c) == TERN_VAL_STRING &&
               (strcmp(tern_value_get_string(c), "true") == 0 ||
                strcmp(tern_value_get_string(c), "false") == 0)) {
        /* cty converts the strings "true" and "false" to a bool. */
        ok = tern_value_get_string(c)[0] == 't';
    } else {
        tern_diags_add(&d, TERN_SEV_ERROR, &cond->expr->range,
                       "Invalid condition result",
                       "Invalid condition result value: bool required.");
        error = TERN_ERROR;
        goto done;
    }
    if (ok)
        goto done;
    rc = tern_lang_eval(msg->expr, sc, &m, &d);
    if (rc == TERN_ENOMEM) {
        error = rc;
        goto done;
    }
    if (rc == TERN_OK && !tern_value_is_unknown(m) && !tern_value_is_null(m)) {
        if (tern_value_kind(m) != TERN_VAL_STRING) {
            tern_diags_add(&d, TERN_SEV_ERROR, &msg->expr->range,
                           "Invalid error message",
                           "Unsuitable value for error message: string "
                           "required.");
        } else if (tern_value_has_sensitive(m)) {
            tern_diags_add(&d, TERN_SEV_ERROR, &msg->expr->range,
                           "Error message refers to sensitive values",
                           "The error expression used to explain this "
                           "condition refers to sensitive values. Terraform "
                           "will not display the resulting message.\n\nYou "
                           "can correct this by removing references to "
                           "sensitive values, or by carefully using the "
                           "nonsensitive() function if the expression will "
                           "not reveal the sensitive data.");
            text = "The error message included a sensitive value, so it "
                   "will not be displayed.";
        } else {
            text = tern_value_get_string(m);
        }
    }
    if (!text || !*text)
        text = "Failed to evaluate condition error message.";
    {
        /* strings.TrimSpace */
        size_t n = strlen(text);

        while (*text && strchr(" \t\n\r\f\v", *text))
            text++, n--;
        while (n && strchr(" \t\n\r\f\v", text[n - 1]))
            n--;
        tern_diags_add(&d, TERN_SEV_ERROR, &cond->expr->range, what, "%.*s",
                       (int)n, text);
        if (problems && json_array_append_new(
                            problems, json_pack("{s:s%}", "message", text, n)))
            error = TERN_ENOMEM;
    }
    worsen(status, CHECK_FAIL);
    failed = 1;
    if (!error)
        error = TERN_ERROR;
done:
    if (error == TERN_ERROR && !failed)
        worsen(status, CHECK_ERROR);
    if (sev == TERN_SEV_WARNING)
        soften(&d);
    if (tern_diags_move(diags, &d))
        error = TERN_ENOMEM;
    tern_diags_release(&d);
    tern_value_decref(c);
    tern_value_decref(m);
    if (sev == TERN_SEV_WARNING && error == TERN_ERROR)
        return TERN_ERROR; /* failed, but only warned */
    return error;
}

int tern__check_rules(struct evalctx *cx, const struct pinst *pi,
                      const struct tern_body *body, const char *type,
                      const char *what, const tern_value *self,
                      enum tern_severity sev, int *status, json_t *problems,
                      struct tern_diags *diags)
{
    struct tern_lang_scope sc;
    tern_value *tmp[2];
    size_t i;
    int error = TERN_OK, rc, dummy = CHECK_PASS;

    if (!status)
        status = &dummy;
    tern__scope_init(&sc, cx, pi, tmp);
    sc.self = self;
    for (i = 0; body && i < body->nblocks; i++) {
        if (strcmp(body->blocks[i]->type, type) != 0)
            continue;
        rc = check_rule(&sc, body->blocks[i], what, sev, status, problems,
                        diags);
        if (rc == TERN_ENOMEM) {
            error = rc;
            break;
        }
        if (rc)
            error = TERN_ERROR;
    }
    tern_value_decref(tmp[0]);
    tern_value_decref(tmp[1]);
    return error;
}

/* ---- results for the JSON plan's "checks" --------------------------------
 *
 * plan->checks: {"<static to_display>": {"address": {...}, "instances":
 * {"<to_display>": {"address": {...}, "status": N, "problems": [...]}}}},
 * statuses as enum tern__check_status; plan_json.c makes Terraform's list
 * of it (internal/command/jsonchecks).
 */

/* The entry of a checkable object, made from @addr (stolen) if new. */
static json_t *check_entry(struct tern_plan *p, json_t *addr)
{
    const char *key = json_string_value(json_object_get(addr, "to_display"));
    json_t *e;

    if (!key || (!p->checks && !(p->checks = json_object()))) {
        json_decref(addr);
        return NULL;
    }
    if ((e = json_object_get(p->checks, key))) {
        json_decref(addr);
        return e;
    }
    e = json_pack("{s:o,s:{}}", "address", addr, "instances");
    if (!e || json_object_set_new(p->checks, key, e))
        return NULL;
    return e;
}

/* Record @status and @problems for instance @display (@addr stolen: its
 * address members beyond to_display). The first result an apply records
 * for an instance replaces the plan's (Terraform's apply starts from the
 * plan's results and updates what it checks again: PlanTimeCheckResults in
 * internal/terraform/context_apply.go); later ones of the same run, as a
 * postcondition after a precondition, add to it. */
static int check_instance(json_t *entry, const char *display, json_t *addr,
                          int status, const json_t *problems, int applying)
{
    json_t *insts = json_object_get(entry, "instances"), *in, *all;
    size_t i;

    if (!addr || !insts) {
        json_decref(addr);
        return TERN_ENOMEM;
    }
    if (!(in = json_object_get(insts, display))) {
        if (json_object_set_new(addr, "to_display", json_string(display))) {
            json_decref(addr);
            return TERN_ENOMEM;
        }
        in = json_pack("{s:o,s:i,s:[]}", "address", addr, "status", 0,
                       "problems");
        if (!in || json_object_set_new(insts, display, in))
            return TERN_ENOMEM;
    } else {
        json_decref(addr);
    }
    if (applying && !json_object_get(in, "applied")) {
        if (json_object_set_new(in, "applied", json_true()) ||
            json_object_set_new(in, "status", json_integer(0)) ||
            json_object_set_new(in, "problems", json_array()))
            return TERN_ENOMEM;
    }
    if (json_integer_value(json_object_get(in, "status")) < status &&
        json_object_set_new(in, "status", json_integer(status)))
        return TERN_ENOMEM;
    all = json_object_get(in, "problems");
    for (i = 0; problems && i < json_array_size(problems); i++)
        if (json_array_append(all, json_array_get(problems, i)))
            return TERN_ENOMEM;
    return TERN_OK;
}

static json_t *resource_static(const struct eblock *b)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", "resource", "mode",
                     b->mode == TERN_STATE_DATA ? "data" : "managed", "type",
                     b->type, "name", b->name, "to_display", b->addr);
}

static int has_block(const struct tern_body *body, const char *type)
{
    size_t i;

    for (i = 0; body && i < body->nblocks; i++)
        if (strcmp(body->blocks[i]->type, type) == 0)
            return 1;
    return 0;
}

int tern__checks_init(struct tern_plan *p, const tern_engine *e)
{
    const struct tern_lang_config *cfg = e->config;
    size_t i;
    char *d;

    for (i = 0; i < e->nblocks; i++) {
        const struct tern_body *lc = tern__lifecycle_body(e->blocks[i].block);

        if ((has_block(lc, "precondition") || has_block(lc, "postcondition")) &&
            !check_entry(p, resource_static(&e->blocks[i])))
            return TERN_ENOMEM;
    }
    for (i = 0; i < cfg->outputs.n; i++) {
        if (!has_block(cfg->outputs.items[i]->body, "precondition"))
            continue;
        d = tern_asprintf("output.%s", cfg->outputs.items[i]->labels[0]);
        if (!d ||
            !check_entry(p, json_pack("{s:s,s:s,s:s}", "kind", "output_value",
                                      "name", cfg->outputs.items[i]->labels[0],
                                      "to_display", d))) {
            tern_free(d);
            return TERN_ENOMEM;
        }
        tern_free(d);
    }
    for (i = 0; i < cfg->checks.n; i++) {
        d = tern_asprintf("check.%s", cfg->checks.items[i]->labels[0]);
        if (!d ||
            !check_entry(p, json_pack("{s:s,s:s,s:s}", "kind", "check", "name",
                                      cfg->checks.items[i]->labels[0],
                                      "to_display", d))) {
            tern_free(d);
            return TERN_ENOMEM;
        }
        tern_free(d);
    }
    return TERN_OK;
}

/* Whether results are recorded: while planning, and while applying (for
 * the state's check_results) but not a destroy. */
static int recording(const struct evalctx *cx)
{
    return cx->plan && !(cx->applying && cx->plan->destroy);
}

const struct tern_body *tern__lifecycle_body(const struct tern_block *b)
{
    size_t i;

    for (i = 0; b && i < b->body->nblocks; i++)
        if (strcmp(b->body->blocks[i]->type, "lifecycle") == 0)
            return b->body->blocks[i]->body;
    return NULL;
}

int tern__resource_conditions(struct evalctx *cx, const struct pinst *pi,
                              int post, const tern_value *self,
                              struct tern_diags *diags)
{
    const struct eblock *b;
    const struct tern_body *lc;
    json_t *problems = NULL, *key = NULL;
    int status = CHECK_PASS, error;

    if (pi->block == SIZE_MAX)
        return TERN_OK;
    b = &cx->e->blocks[pi->block];
    lc = tern__lifecycle_body(b->block);
    if (!has_block(lc, post ? "postcondition" : "precondition") ||
        (post && !self))
        return TERN_OK;
    if (recording(cx) && !(problems = json_array()))
        return TERN_ENOMEM;
    error = post ? tern__check_rules(cx, pi, lc, "postcondition",
                                     "Resource postcondition failed", self,
                                     TERN_SEV_ERROR, &status, problems, diags)
                 : tern__check_rules(cx, pi, lc, "precondition",
                                     "Resource precondition failed", NULL,
                                     TERN_SEV_ERROR, &status, problems, diags);
    if (problems && error != TERN_ENOMEM) {
        json_t *entry = check_entry(cx->plan, resource_static(b));

        int oom = 0;

        key = json_object();
        if (key && pi->key_kind == TERN_STATE_KEY_STRING)
            tern_json_set(&oom, key, "instance_key", json_string(pi->key_str));
        else if (key && pi->key_kind == TERN_STATE_KEY_INT)
            tern_json_set(&oom, key, "instance_key", json_integer(pi->key_int));
        /* An instance's address never stands without its key. */
        key = tern_json_done(oom, key);
        if (!entry || check_instance(entry, pi->addr, key, status, problems,
                                     cx->applying))
            error = TERN_ENOMEM;
    }
    json_decref(problems);
    return error;
}

int tern__output_conditions(struct evalctx *cx, const struct tern_block *out,
                            struct tern_diags *diags)
{
    json_t *problems = NULL, *entry;
    int status = CHECK_PASS, error;
    char *d;

    if (!has_block(out->body, "precondition"))
        return TERN_OK;
    if (recording(cx) && !(problems = json_array()))
        return TERN_ENOMEM;
    error = tern__check_rules(cx, NULL, out->body, "precondition",
                              "Module output value precondition failed", NULL,
                              TERN_SEV_ERROR, &status, problems, diags);
    if (problems && error != TERN_ENOMEM) {
        d = tern_asprintf("output.%s", out->labels[0]);
        entry =
            d ? check_entry(cx->plan,
                            json_pack("{s:s,s:s,s:s}", "kind", "output_value",
                                      "name", out->labels[0], "to_display", d))
              : NULL;

        if (!entry || check_instance(entry, d, json_object(), status, problems,
                                     cx->applying))
            error = TERN_ENOMEM;
        tern_free(d);
    }
    json_decref(problems);
    return error;
}

/* Whether @to already holds a diagnostic like @d (the plan's, when apply
 * finds the same check failing again). */
static int already(const struct tern_diags *to, const struct tern_diag *d)
{
    size_t i;

    for (i = 0; i < to->count; i++) {
        const struct tern_diag *x = &to->items[i];

        if (x->severity == d->severity && x->has_range == d->has_range &&
            strcmp(x->summary, d->summary) == 0 &&
            strcmp(x->detail ? x->detail : "", d->detail ? d->detail : "") ==
                0 &&
            (!x->has_range || (x->range.file && d->range.file &&
                               strcmp(x->range.file, d->range.file) == 0 &&
                               x->range.start.byte == d->range.start.byte &&
                               x->range.end.byte == d->range.end.byte)))
            return 1;
    }
    return 0;
}

static int run_checks_into(struct evalctx *cx, struct tern_diags *diags);

/* A diagnostic the plan of this same run already gave is not repeated. */
int tern__run_checks(struct evalctx *cx, struct tern_diags *diags)
{
    struct tern_diags local = TERN_DIAGS_INIT;
    size_t i;
    int error = run_checks_into(cx, &local);

    for (i = 0; !error && i < local.count; i++) {
        const struct tern_diag *d = &local.items[i];

        if (!already(diags, d) &&
            !tern_diags_add(diags, d->severity, d->has_range ? &d->range : NULL,
                            d->summary, d->detail ? "%s" : NULL, d->detail))
            error = TERN_ENOMEM;
    }
    tern_diags_release(&local);
    return error;
}

static int run_checks_into(struct evalctx *cx, struct tern_diags *diags)
{
    const struct tern_blockvec *cv = &cx->e->config->checks;
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < cv->n && error != TERN_ENOMEM; i++) {
        const struct tern_block *c = cv->items[i];
        json_t *problems = recording(cx) ? json_array() : NULL, *entry;
        int status = CHECK_PASS, rc;
        char *d;

        if (recording(cx) && !problems)
            return TERN_ENOMEM;
        rc = tern__check_rules(cx, NULL, c->body, "assert",
                               "Check block assertion failed", NULL,
                               TERN_SEV_WARNING, &status, problems, diags);
        if (rc == TERN_ENOMEM)
            error = rc;
        if (problems && !error) {
            d = tern_asprintf("check.%s", c->labels[0]);
            entry = d ? check_entry(cx->plan,
                                    json_pack("{s:s,s:s,s:s}", "kind", "check",
                                              "name", c->labels[0],
                                              "to_display", d))
                      : NULL;

            if (!entry || check_instance(entry, d, json_object(), status,
                                         problems, cx->applying))
                error = TERN_ENOMEM;
            tern_free(d);
        }
        json_decref(problems);
    }
    return error;
}

/* Terraform's checks.State.AggregateCheckStatus (internal/checks/
 * state.go): an object whose instances were never reported is unknown
 * (a destroy plan reports none); one known to have none (count = 0)
 * passes. */
int tern__checks_status(const json_t *entry, long long worst)
{
    if (worst >= 0)
        return (int)worst;
    return json_is_true(json_object_get(entry, "known")) ? CHECK_PASS
                                                         : CHECK_UNKNOWN;
}

int tern__checks_known(struct tern_plan *p)
{
    const char *k;
    json_t *v;

    /* An entry left unmarked would report unknown, not pass. */
    json_object_foreach(p->checks, k, v)
    {
        if (json_object_set_new(v, "known", json_true()))
            return TERN_ENOMEM;
    }
    return TERN_OK;
}

int tern__checks_unreached(struct evalctx *cx, const struct pinst *pi)
{
    const struct eblock *b;
    json_t *in;

    if (!cx->plan || !cx->plan->checks || pi->block == SIZE_MAX)
        return TERN_OK;
    b = &cx->e->blocks[pi->block];
    in = json_object_get(
        json_object_get(json_object_get(cx->plan->checks, b->addr),
                        "instances"),
        pi->addr);
    if (!in)
        return TERN_OK;
    /* Rechecked by this apply: a failure stays; a pass of its
     * preconditions says nothing of the postconditions it never got to
     * (internal/checks: an object's status is all of its checks'). */
    if (json_object_get(in, "applied") &&
        (json_integer_value(json_object_get(in, "status")) > CHECK_UNKNOWN ||
         !has_block(tern__lifecycle_body(b->block), "postcondition")))
        return TERN_OK;
    if (json_object_set_new(in, "applied", json_true()) ||
        json_object_set_new(in, "status", json_integer(CHECK_UNKNOWN)) ||
        json_object_set_new(in, "problems", json_array()))
        return TERN_ENOMEM;
    return TERN_OK;
}

/* ---- the state's check_results --------------------------------------- */

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of object @o, sorted; NULL when out of memory. */
static const char **sorted_keys(const json_t *o, size_t *n)
{
    const char **keys = tern_calloc(json_object_size(o) + 1, sizeof(*keys));
    const char *k;
    json_t *v;

    *n = 0;
    if (!keys)
        return NULL;
    json_object_foreach((json_t *)o, k, v)
    {
        keys[(*n)++] = k;
    }
    qsort(keys, *n, sizeof(*keys), by_key);
    return keys;
}

static const char *v4_status(json_int_t st)
{
    static const char *const names[] = {"pass", "unknown", "fail", "error"};

    return st >= 0 && st <= 3 ? names[st] : "unknown";
}

/* Terraform's v4 check_results (internal/states/statefile/version4.go,
 * encodeCheckResultsV4): one entry per checkable object, its status the
 * worst of its instances' (without any: tern__checks_status), "objects" null
 * when none, failure messages only where there are some. Sorted by address. */
json_t *tern__check_results_v4(const json_t *checks)
{
    json_t *list = json_array(), *objs = NULL;
    size_t n = 0, m = 0, i, j, k;
    const char **keys = sorted_keys(checks, &n), **ikeys = NULL;

    if (!list || !keys)
        goto fail;
    for (i = 0; i < n; i++) {
        const json_t *e = json_object_get(checks, keys[i]);
        const json_t *insts = json_object_get(e, "instances");
        const char *kind = json_string_value(
            json_object_get(json_object_get(e, "address"), "kind"));
        json_int_t worst = -1;
        json_t *o;

        if (!kind)
            continue;
        if (strcmp(kind, "output_value") == 0)
            kind = "output";
        if (!(ikeys = sorted_keys(insts, &m)) || !(objs = json_array()))
            goto fail;
        for (j = 0; j < m; j++) {
            const json_t *in = json_object_get(insts, ikeys[j]);
            const json_t *probs = json_object_get(in, "problems");
            json_int_t st = json_integer_value(json_object_get(in, "status"));
            json_t *x = json_pack("{s:s,s:s}", "object_addr", ikeys[j],
                                  "status", v4_status(st)),
                   *msgs = NULL;

            if (st > worst)
                worst = st;
            if (x && json_array_size(probs)) {
                msgs = json_array();
                for (k = 0; msgs && k < json_array_size(probs); k++)
                    if (json_array_append(
                            msgs, json_object_get(json_array_get(probs, k),
                                                  "message"))) {
                        json_decref(msgs);
                        msgs = NULL;
                    }
                if (!msgs || json_object_set_new(x, "failure_messages", msgs))
                    goto fail_x;
            }
            if (!x || json_array_append_new(objs, x))
                goto fail;
            continue;
        fail_x:
            json_decref(x);
            goto fail;
        }
        tern_free(ikeys);
        ikeys = NULL;
        o = json_pack("{s:s,s:s,s:s,s:o}", "object_kind", kind, "config_addr",
                      keys[i], "status",
                      v4_status(tern__checks_status(e, worst)), "objects",
                      json_array_size(objs) ? objs : json_null());
        if (!json_array_size(objs))
            json_decref(objs);
        objs = NULL;
        if (!o || json_array_append_new(list, o))
            goto fail;
    }
    tern_free(keys);
    return list;
fail:
    tern_free(keys);
    tern_free(ikeys);
    json_decref(objs);
    json_decref(list);
    return NULL;
}
