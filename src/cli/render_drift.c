/*
 * The drift a plan shows people. Terraform (internal/command/jsonformat:
 * plan.go renderHumanDiffDrift, diff.go precomputeDiffs, the differ's
 * AsNoOp for attributes outside structured/attribute_path's matcher)
 * shows, outside -refresh-only, no drift at all when the plan changes
 * nothing, and otherwise only the drift in the attributes its changes
 * refer to: the JSON plan's relevant_attributes. An attribute no relevant
 * path reaches is shown as it is now (unchanged); a drifted object left
 * with nothing changed is not shown.
 */
#include "cli/render_drift.h"

#include <string.h>

#include "cli/render_plan.h"
#include "util/alloc.h"
#include "util/json.h"

/* The paths of @paths that go on through @step (a key or an index),
 * without it: a new array, NULL when out of memory. An empty path (the
 * value above matched whole) carries on to every child, as Terraform's
 * matcher does with Propagate. */
static json_t *child_paths(const json_t *paths, const char *key, size_t index)
{
    json_t *out = json_array(), *p;
    size_t i, j;
    int oom = !out;

    json_array_foreach(paths, i, p)
    {
        const json_t *first = json_array_get(p, 0);
        json_t *rest;

        if (oom)
            break;
        if (json_array_size(p) == 0) {
            tern_json_append(&oom, out, json_incref(p));
            continue;
        }
        if (key ? !json_is_string(first) ||
                      strcmp(json_string_value(first), key) != 0
                : !json_is_number(first) ||
                      json_number_value(first) != (double)index)
            continue;
        rest = json_array();
        for (j = 1; rest && j < json_array_size(p); j++)
            tern_json_append(&oom, rest, json_incref(json_array_get(p, j)));
        tern_json_append(&oom, out, rest);
    }
    return tern_json_done(oom, out);
}

static int has_empty_path(const json_t *paths)
{
    const json_t *p;
    size_t i;

    json_array_foreach(paths, i, p)
    {
        if (json_array_size(p) == 0)
            return 1;
    }
    return 0;
}

/* The masked object: @before's keys and @after's, each masked by the
 * paths through it. */
static tern_value *mask_object(const tern_value *before,
                               const tern_value *after, const json_t *paths,
                               int *oom)
{
    tern_value *o = tern_value_object_new();
    const tern_value *pair[2] = {before, after};
    size_t side, i;

    if (!o) {
        *oom = 1;
        return NULL;
    }
    for (side = 0; side < 2 && !*oom; side++) {
        for (i = 0; i < tern_value_length(pair[side]) && !*oom; i++) {
            const char *k = tern_value_object_key(pair[side], i);
            json_t *sub;
            tern_value *v;

            /* A key both have was done from @before. */
            if (side == 1 && tern_value_object_get(before, k))
                continue;
            if (!(sub = child_paths(paths, k, 0))) {
                *oom = 1;
                break;
            }
            v = cli_drift_mask(tern_value_object_get(before, k),
                               tern_value_object_get(after, k), sub, oom);
            json_decref(sub);
            if (v && tern_value_object_set(o, k, v))
                *oom = 1;
        }
    }
    if (*oom) {
        tern_value_decref(o);
        return NULL;
    }
    return o;
}

/* A list of the same length on both sides, element by element. */
static tern_value *mask_list(const tern_value *before, const tern_value *after,
                             const json_t *paths, int *oom)
{
    tern_value *l = tern_value_list_new();
    size_t i;

    if (!l) {
        *oom = 1;
        return NULL;
    }
    for (i = 0; i < tern_value_length(before) && !*oom; i++) {
        json_t *sub = child_paths(paths, NULL, i);
        tern_value *v;

        if (!sub) {
            *oom = 1;
            break;
        }
        v = cli_drift_mask(tern_value_list_get(before, i),
                           tern_value_list_get(after, i), sub, oom);
        json_decref(sub);
        if (!v || tern_value_list_append(l, v))
            *oom = 1;
    }
    if (*oom) {
        tern_value_decref(l);
        return NULL;
    }
    return l;
}

tern_value *cli_drift_mask(const tern_value *before, const tern_value *after,
                           const json_t *paths, int *oom)
{
    enum tern_value_kind kb = tern_value_kind(before);

    /* No path here: not relevant, shown as it is now. */
    if (json_array_size(paths) == 0)
        return tern_value_incref(after);
    /* Matched whole, or a value with no parts to tell apart. A list whose
     * length changed, or a set, has no element-for-element pairing: the
     * path into it makes it relevant whole. */
    if (!before || !after || has_empty_path(paths) ||
        kb != tern_value_kind(after) || tern_value_is_sensitive(before) ||
        tern_value_is_sensitive(after))
        return tern_value_incref(before);
    if (kb == TERN_VAL_OBJECT)
        return mask_object(before, after, paths, oom);
    if (kb == TERN_VAL_LIST &&
        tern_value_length(before) == tern_value_length(after))
        return mask_list(before, after, paths, oom);
    return tern_value_incref(before);
}

/* Whether the plan changes nothing (jsonformat/diff.go diffs.Empty): every
 * resource change a no-op that moves nothing, every output change a no-op.
 * @doc: the JSON plan. */
static int plan_empty(const tern_plan *plan, const json_t *doc)
{
    size_t i, n = tern_plan_change_count(plan);
    const json_t *oc, *acts;
    const char *k;

    for (i = 0; i < n; i++) {
        const tern_change *c = tern_plan_change(plan, i);

        if (c->action != TERN_ACTION_NOOP ||
            (c->prev_address && strcmp(c->prev_address, c->address) != 0))
            return 0;
    }
    json_object_foreach(json_object_get(doc, "output_changes"), k, oc)
    {
        acts = json_object_get(oc, "actions");
        if (json_array_size(acts) != 1 ||
            strcmp(json_string_value(json_array_get(acts, 0)), "no-op") != 0)
            return 0;
    }
    return 1;
}

/* The relevant attribute paths of @address: a new array, NULL when out
 * of memory. */
static json_t *paths_of(const json_t *relevant, const char *address)
{
    json_t *out = json_array();
    const json_t *ra;
    size_t i;
    int oom = !out;

    json_array_foreach(relevant, i, ra)
    {
        const char *r = json_string_value(json_object_get(ra, "resource"));

        if (!oom && (!r || !*r || strcmp(r, address) == 0))
            tern_json_append(&oom, out,
                             json_incref(json_object_get(ra, "attribute")));
    }
    return tern_json_done(oom, out);
}

static void section_head(tern_buf *out, const struct cli_ui *ui)
{
    tern_buf_printf(out,
                    "\n%sNote: Objects have changed outside of tern%s\n\n"
                    "tern detected the following changes made outside "
                    "of tern since the\nlast \"tern apply\" which may "
                    "have affected this plan:\n\n",
                    cli_c_bold(ui), cli_c_reset(ui));
}

/* One drifted object as shown: masked by its relevant paths (@relevant
 * NULL: whole). Returns 1 when written. */
static int render_one(tern_buf *out, const struct cli_ui *ui,
                      const tern_change *d, const json_t *relevant, int *shown)
{
    tern_change c = *d;
    tern_value *masked = NULL;
    json_t *paths;
    int oom = 0;

    if (relevant) {
        if (!(paths = paths_of(relevant, d->address)))
            return -1;
        /* Nothing relevant here: not shown (precomputeDiffs). A deleted
         * object is shown whole when anything of it is relevant. */
        if (json_array_size(paths) == 0) {
            json_decref(paths);
            return 0;
        }
        if (d->action == TERN_ACTION_UPDATE) {
            masked = cli_drift_mask(d->before, d->after, paths, &oom);
            if (oom) {
                json_decref(paths);
                return -1;
            }
            if (tern_value_equal(masked, d->after)) {
                tern_value_decref(masked);
                json_decref(paths);
                return 0;
            }
            c.before = masked;
        }
        json_decref(paths);
    }
    if (!*shown)
        section_head(out, ui);
    *shown = 1;
    cli_render_change(out, ui, &c, 1);
    tern_buf_putc(out, '\n');
    tern_value_decref(masked);
    return 1;
}

int cli_render_drift(tern_buf *out, const struct cli_ui *ui,
                     const tern_plan *plan, const struct tern_lang_config *cfg,
                     const json_t *prior)
{
    size_t i, nd = tern_plan_drift_count(plan);
    int refresh_only = tern_plan_is_refresh_only(plan), shown = 0, any = 0;
    json_t *doc = NULL, *relevant = NULL;

    for (i = 0; i < nd; i++)
        any |= tern_plan_drift(plan, i)->action != TERN_ACTION_NOOP;
    if (nd == 0 || (!refresh_only && !any))
        return 0;
    if (!refresh_only) {
        if (tern_plan_to_json(plan, prior, &doc) != TERN_OK)
            goto oom;
        if (plan_empty(plan, doc)) {
            json_decref(doc);
            return 0;
        }
        relevant = cfg ? cli_relevant_attributes(cfg, doc) : json_array();
        if (!relevant)
            goto oom;
    }
    for (i = 0; i < nd; i++) {
        const tern_change *d = tern_plan_drift(plan, i);

        if (!refresh_only && d->action == TERN_ACTION_NOOP)
            continue;
        if (render_one(out, ui, d, relevant, &shown) < 0)
            goto oom;
    }
    json_decref(relevant);
    json_decref(doc);
    if (!shown)
        return 0;
    /* jsonformat/plan.go renderHumanDiffDrift: the paragraph for the
     * plan's mode, Terraform's line breaks; the rule after it is the
     * caller's, which knows whether anything follows. */
    if (!refresh_only)
        tern_buf_puts(out, "Unless you have made equivalent changes to "
                           "your configuration, or ignored the\nrelevant "
                           "attributes using ignore_changes, the "
                           "following plan may include\nactions to undo "
                           "or respond to these changes.\n");
    else
        tern_buf_puts(out, "This is a refresh-only plan, so tern will not "
                           "take any actions to undo\nthese. If you were "
                           "expecting these changes then you can apply "
                           "this plan to\nrecord the updated values in the "
                           "tern state without changing any remote\n"
                           "objects.\n");
    return 1;
oom:
    json_decref(relevant);
    json_decref(doc);
    out->oom = 1;
    return shown;
}
