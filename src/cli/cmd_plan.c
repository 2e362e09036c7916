/*
 * `tern plan`, `apply`, `destroy`, `import` and `graph`, on the engine's
 * API (include/tern/engine.h). The engine reports everything through one
 * event callback on this thread; here the events become Terraform's
 * human output or, with -json, its machine-readable UI: one JSON object
 * per line (version, refresh_start/complete, resource_drift,
 * planned_change, apply_start/complete/errored, change_summary, outputs,
 * diagnostic).
 *
 * SIGINT/SIGTERM: the first asks the engine to start no new steps (running
 * ones finish and are saved); the second cancels the running ones too.
 * Signals arrive on util/signals.c's waiting thread, which calls
 * tern_engine_interrupt(); the engine then reports an INTERRUPT event on
 * this thread, where the message is printed.
 */
#include "cli/render_drift.h"
#include "cli/render_plan.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/s3.h"
#include "engine/tfjson.h"
#include "lang/lang.h"
#include "tern/engine.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/signals.h"

extern char **environ;

/* SIGINT/SIGTERM reach the engine from util/signals.c's waiting thread,
 * never from a handler; unrouting waits for a delivery in progress, so
 * the engine is never touched once engine_free has begun. */
static void on_signal(void *engine, int sig)
{
    (void)sig;
    tern_engine_interrupt(engine);
}

static void signals_install(tern_engine *e)
{
    tern_signals_route(on_signal, e);
}

static void signals_restore(void)
{
    tern_signals_route(NULL, NULL);
}

/* What the event callback needs. */
struct run {
    struct cli_ctx *ctx;
    /* address -> {"t": start time, "a": action, "n": progress lines} of
     * the steps running, for apply_errored and apply_progress */
    json_t *started;
    /* address -> the state's object ID, for the JSON UI's refresh
     * messages (built at the first one) */
    json_t *ids;
    int refreshing_shown;
    /* The progress ticker (apply only): it and the event callback print
     * under the mutex. */
    int ticking, stop;
    double interval;
    tern_engine *engine; /* during the apply: its steps' progress texts */
    pthread_t ticker;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Terraform's "resource" object of the machine-readable UI; NULL when
 * out of memory. */
static json_t *resource_json(const char *address)
{
    struct tern_diags scratch = TERN_DIAGS_INIT;
    struct cli_addr a;
    json_t *j = NULL, *key = json_null();
    const char *res;
    char *prefix = NULL;
    int rc = cli_addr_parse(&a, address, &scratch);

    tern_diags_release(&scratch);
    if (rc == TERN_ENOMEM)
        return NULL;
    if (rc != TERN_OK)
        return json_pack("{s:s}", "addr", address);
    if (a.key_kind == TERN_STATE_KEY_INT)
        key = json_integer(a.key_int);
    else if (a.key_kind == TERN_STATE_KEY_STRING)
        key = json_string(a.key_str);
    res = address + (a.module[0] ? strlen(a.module) + 1 : 0);
    prefix = a.type ? tern_strndup(a.type, strcspn(a.type, "_")) : NULL;
    if (a.type && !prefix) {
        json_decref(key);
        cli_addr_release(&a);
        return NULL;
    }
    /* "o" steals the key, a NULL one (out of memory) failing the pack. */
    j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "addr", address, "module",
                  a.module, "resource", res, "implied_provider",
                  prefix ? prefix : "", "resource_type", a.type ? a.type : "",
                  "resource_name", a.name ? a.name : "", "resource_key", key);
    tern_free(prefix);
    cli_addr_release(&a);
    return j;
}

/* The ID of the object the state holds at @address, or NULL; *@oom set
 * when the table of IDs could not be made (it is made again next time). */
static const char *state_id(struct run *run, const char *address, int *oom)
{
    tern_state_resource *list = NULL;
    size_t n = 0, i;

    if (!run->ids && run->ctx->state) {
        struct tern_diags scratch = TERN_DIAGS_INIT;
        int rc, failed = 0;

        run->ids = json_object();
        rc = run->ids ? tern_state_list(run->ctx->state, &list, &n, &scratch)
                      : TERN_ENOMEM;
        if (rc == TERN_ENOMEM)
            failed = 1;
        for (i = 0; rc == TERN_OK && i < n; i++) {
            char *a = tern_state_resource_address(&list[i]);

            if (!a)
                failed = 1;
            else if (list[i].id)
                tern_json_set(&failed, run->ids, a, json_string(list[i].id));
            tern_free(a);
        }
        tern_state_resources_free(list, n);
        tern_diags_release(&scratch);
        if (failed) {
            json_decref(run->ids);
            run->ids = NULL;
            *oom = 1;
            return NULL;
        }
    }
    return json_string_value(json_object_get(run->ids, address));
}

/* @hook with "id_key" (@key) and "id_value" when @id; NULL when out of
 * memory. */
static json_t *hook_with_id(json_t *hook, const char *key, const char *id)
{
    int oom = 0;

    if (hook && id) {
        tern_json_set(&oom, hook, "id_key", json_string(key));
        tern_json_set(&oom, hook, "id_value", json_string(id));
    }
    return tern_json_done(oom, hook);
}

/* refresh_start / refresh_complete: the resource and, when the state
 * knows it, the object's ID, in the hook and the message. */
static void refresh_json(struct run *run, const tern_event *ev,
                         const char *type, const char *what)
{
    int oom = 0;
    const char *id = state_id(run, ev->address, &oom);
    json_t *hook = json_pack("{s:o}", "resource", resource_json(ev->address));
    char *msg = id ? tern_asprintf("%s: %s [id=%s]", ev->address, what, id)
                   : tern_asprintf("%s: %s", ev->address, what);

    hook = hook_with_id(hook, "id", id);
    if (oom) {
        json_decref(hook);
        hook = NULL;
    }
    cli_ui_json_line(&run->ctx->ui, "info", msg, type,
                     json_pack("{s:o}", "hook", hook));
    tern_free(msg);
}

/* "ADDR: Refreshing state... [id=ID]", the ID the state holds
 * (views/hook_ui.go PreRefresh). Returns the message. */
static char *refresh_line(struct run *run, const tern_event *ev)
{
    struct cli_ui *ui = &run->ctx->ui;
    int oom = 0;
    const char *id = state_id(run, ev->address, &oom);
    char *msg =
        id ? tern_asprintf("%s: Refreshing state... [id=%s]", ev->address, id)
           : tern_asprintf("%s: Refreshing state...", ev->address);

    /* Without the table of IDs the line goes out as it can be made. */
    if (msg)
        fprintf(ui->out, "%s%s%s\n", cli_c_bold(ui), msg, cli_c_reset(ui));
    return msg;
}

static int is_import(const tern_event *ev)
{
    return ev->change && ev->change->import_id;
}

/*
 * An import with no other change does nothing but the import. A
 * replacement runs as two steps: its destroy half reports as a delete, the
 * other half (a replace action) as the creation it is, as Terraform does.
 */
static const char *verb_ing(enum tern_action a, int import)
{
    switch (a) {
    case TERN_ACTION_CREATE:
    case TERN_ACTION_DELETE_THEN_CREATE:
    case TERN_ACTION_CREATE_THEN_DELETE:
        return "Creating...";
    case TERN_ACTION_READ:
        return "Reading...";
    case TERN_ACTION_UPDATE:
        return "Modifying...";
    case TERN_ACTION_DELETE:
        return "Destroying...";
    case TERN_ACTION_NOOP:
    case TERN_ACTION_FORGET: /* no step: nothing to report */
        break;
    }
    return import ? "Importing..." : "Working...";
}

static const char *verb_done(enum tern_action a, int import)
{
    switch (a) {
    case TERN_ACTION_CREATE:
    case TERN_ACTION_DELETE_THEN_CREATE:
    case TERN_ACTION_CREATE_THEN_DELETE:
        return "Creation complete";
    case TERN_ACTION_READ:
        return "Read complete";
    case TERN_ACTION_UPDATE:
        return "Modifications complete";
    case TERN_ACTION_DELETE:
        return "Destruction complete";
    case TERN_ACTION_NOOP:
    case TERN_ACTION_FORGET:
        break;
    }
    return import ? "Import complete" : "Complete";
}

static const char *verb_err(enum tern_action a)
{
    switch (a) {
    case TERN_ACTION_CREATE:
    case TERN_ACTION_DELETE_THEN_CREATE:
    case TERN_ACTION_CREATE_THEN_DELETE:
        return "Creation errored";
    case TERN_ACTION_READ:
        return "Read errored";
    case TERN_ACTION_UPDATE:
        return "Modifications errored";
    case TERN_ACTION_DELETE:
        return "Destruction errored";
    default:
        break;
    }
    return "Errored";
}

/* Terraform's action names in the JSON UI: "create", "update", "delete",
 * "replace", "read", "noop", and "remove" for a forget (views/json/change.go
 * ActionForget). */
static const char *json_action(enum tern_action a)
{
    switch (a) {
    case TERN_ACTION_CREATE:
        return "create";
    case TERN_ACTION_READ:
        return "read";
    case TERN_ACTION_UPDATE:
        return "update";
    case TERN_ACTION_DELETE:
        return "delete";
    case TERN_ACTION_DELETE_THEN_CREATE:
    case TERN_ACTION_CREATE_THEN_DELETE:
        return "replace";
    case TERN_ACTION_FORGET:
        return "remove";
    case TERN_ACTION_NOOP:
        break;
    }
    return "noop";
}

/* A hook's action: the create half of a replacement is a create, as
 * upstream reports its two halves. */
static const char *hook_action(enum tern_action a)
{
    if (a == TERN_ACTION_DELETE_THEN_CREATE ||
        a == TERN_ACTION_CREATE_THEN_DELETE)
        return "create";
    return json_action(a);
}

/* A string attribute of @obj usable as its ID (format/object_id.go): the
 * attribute present decides, a null, unknown or sensitive value giving
 * none. Returns 1 when @key is present. */
static int id_attr(const tern_value *obj, const char *key, const char **v)
{
    const tern_value *a = tern_value_object_get(obj, key);

    *v = NULL;
    if (!a)
        return 0;
    if (tern_value_kind(a) == TERN_VAL_STRING && !tern_value_is_sensitive(a))
        *v = tern_value_get_string(a);
    return 1;
}

/*
 * Terraform's ObjectValueIDOrName (format/object_id.go): "id" when the
 * object has one, else "name", else the "name" or "Name" tag. Sets *@key
 * to the label the brackets show ("id", "name", "tags.Name") and returns
 * the value, or NULL when there is none.
 */
static const char *object_id_or_name(const tern_value *obj, const char **key)
{
    const tern_value *tags;
    const char *v = NULL;

    *key = NULL;
    if (!obj || tern_value_kind(obj) != TERN_VAL_OBJECT)
        return NULL;
    /* A null "id" leaves the name to say which object it is. */
    if (id_attr(obj, "id", &v) && v) {
        *key = "id";
        return v;
    }
    if (id_attr(obj, "name", &v)) {
        *key = v ? "name" : NULL;
        return v;
    }
    tags = tern_value_object_get(obj, "tags");
    if (!tags || tern_value_kind(tags) != TERN_VAL_OBJECT ||
        !tern_value_is_wholly_known(tags) || tern_value_is_sensitive(tags))
        return NULL;
    if (id_attr(tags, "name", &v))
        *key = v ? "tags.name" : NULL;
    else if (id_attr(tags, "Name", &v))
        *key = v ? "tags.Name" : NULL;
    return v;
}

/* What an apply step names its object by (views/hook_ui.go PreApply: the
 * prior object's, so a create has none), or NULL; *@key its label. */
static const char *hook_id(const tern_event *ev, const char **key)
{
    *key = NULL;
    if (!ev->change ||
        (ev->action != TERN_ACTION_UPDATE && ev->action != TERN_ACTION_DELETE))
        return NULL;
    return object_id_or_name(ev->change->before, key);
}

/* An ID cut to at most 80 characters (not bytes) with "..." in the
 * middle, as views/hook_ui.go truncateId does for the "Still ..." lines:
 * the first 39 and the last 38. New string, NULL when out of memory. */
static char *truncate_id(const char *id)
{
    size_t n = 0, i, left = 0, right = 0, len = strlen(id);

    for (i = 0; i < len; i++)
        n += ((unsigned char)id[i] & 0xC0) != 0x80;
    if (n <= 80)
        return tern_strdup(id);
    /* byte offsets of character 39 and of character n - 38 */
    for (i = 0, n = 0; i < len; i++) {
        if (((unsigned char)id[i] & 0xC0) == 0x80)
            continue;
        if (n == 39)
            left = i;
        n++;
    }
    for (i = 0, right = 0; i < len; i++) {
        if (((unsigned char)id[i] & 0xC0) == 0x80)
            continue;
        if (n-- == 38) {
            right = i;
            break;
        }
    }
    return tern_asprintf("%.*s...%s", (int)left, id, id + right);
}

/* The machine-readable UI's own names for reasons (views/json/change.go),
 * shorter than the JSON plan's for replacements. */
static const char *json_reason(enum tern_action_reason r)
{
    switch (r) {
    case TERN_REASON_REPLACE_FORCED:
        return "cannot_update";
    case TERN_REASON_REPLACE_REQUESTED:
        return "requested";
    case TERN_REASON_REPLACE_TRIGGERED:
        return "replace_triggered_by";
    case TERN_REASON_TAINTED:
        return "tainted";
    default:
        break;
    }
    return tern_action_reason_name(r);
}

static void change_event_json(struct run *run, const tern_change *c,
                              const char *type, const char *what)
{
    const char *action = json_action(c->action);
    json_t *change;
    char *msg;
    int oom = 0;

    /* A no-op that moves or imports the object says so. */
    if (c->action == TERN_ACTION_NOOP && c->import_id)
        action = "import";
    else if (c->action == TERN_ACTION_NOOP && c->prev_address)
        action = "move";
    change = json_pack("{s:o,s:s}", "resource", resource_json(c->address),
                       "action", action);
    if (c->prev_address)
        tern_json_set(&oom, change, "previous_resource",
                      resource_json(c->prev_address));
    if (c->reason != TERN_REASON_NONE && c->reason != TERN_REASON_GONE &&
        c->reason != TERN_REASON_DESTROY_MODE)
        tern_json_set(&oom, change, "reason",
                      json_string(json_reason(c->reason)));
    if (c->import_id)
        tern_json_set(&oom, change, "importing",
                      json_pack("{s:s}", "id", c->import_id));
    change = tern_json_done(oom, change);
    /* "ADDR: Plan to create", "ADDR: Drift detected (update)" */
    msg = strcmp(type, "resource_drift") == 0
              ? tern_asprintf("%s: %s (%s)", c->address, what, action)
              : tern_asprintf("%s: %s %s", c->address, what, action);
    cli_ui_json_line(&run->ctx->ui, "info", msg, type,
                     json_pack("{s:o}", "change", change));
    tern_free(msg);
}

/* The import lines for people (views/hook_ui.go PreApplyImport and
 * PostApplyImport): terraform/context_apply.go Apply calls both hooks for
 * every change that imports, in the plan's order, before the walk starts
 * any step; the steps that also change an object report as any other. */
static void import_lines(struct cli_ui *ui, const tern_plan *plan)
{
    size_t i, n = tern_plan_change_count(plan);

    for (i = 0; i < n; i++) {
        const tern_change *c = tern_plan_change(plan, i);

        if (!c->import_id)
            continue;
        fprintf(ui->out, "%s%s: Importing... [id=%s]%s\n", cli_c_bold(ui),
                c->address, c->import_id, cli_c_reset(ui));
        fprintf(ui->out, "%s%s: Import complete [id=%s]%s\n", cli_c_bold(ui),
                c->address, c->import_id, cli_c_reset(ui));
    }
}

/* An apply step starting: "ADDR: Creating...", or "ADDR: Destroying...
 * [id=...]" for an object that exists (views/hook_ui.go PreApply), its
 * start time and ID kept in run->started for the error and progress
 * lines. Returns the message. */
static char *apply_start_event(struct run *run, const tern_event *ev,
                               const char *who)
{
    struct cli_ui *ui = &run->ctx->ui;
    const char *key = NULL, *id = hook_id(ev, &key);
    json_t *st =
        json_pack("{s:f,s:i,s:i}", "t", now_s(), "a", (int)ev->action, "n", 0);
    char *msg = NULL;
    int oom = 0;

    if (st && id) {
        tern_json_set(&oom, st, "k", json_string(key));
        tern_json_set(&oom, st, "i", json_string(id));
    }
    /* A deposed object's "Still destroying..." names the instance alone:
     * views/hook_ui.go keeps the plain address for stillRunning and adds
     * "(deposed object KEY)" only to the start and end lines. */
    if (st && ev->address && strcmp(who, ev->address) != 0)
        tern_json_set(&oom, st, "w", json_string(ev->address));
    /* Without its start time, the step's error and progress lines would
     * be wrong: the output is short of them (ui->json_lost). */
    tern_json_set(&oom, run->started, who, st);
    if (oom)
        ui->json_lost = 1;
    /* An import alone is a no-op step, which says nothing (PreApply
     * prints nothing for plans.NoOp); its lines came first. */
    if (!ui->json && is_import(ev) && ev->action == TERN_ACTION_NOOP)
        return NULL;
    msg =
        id ? tern_asprintf("%s: %s [%s=%s]", who,
                           verb_ing(ev->action, is_import(ev)), key, id)
           : tern_asprintf("%s: %s", who, verb_ing(ev->action, is_import(ev)));
    if (ui->json) {
        json_t *hook =
            json_pack("{s:o,s:s}", "resource", resource_json(ev->address),
                      "action", hook_action(ev->action));

        cli_ui_json_line(
            ui, "info", msg, "apply_start",
            json_pack("{s:o}", "hook", hook_with_id(hook, key, id)));
    } else if (msg)
        fprintf(ui->out, "%s%s%s\n", cli_c_bold(ui), msg, cli_c_reset(ui));
    return msg;
}

/* An apply step done: "ADDR: Creation complete after 1s [id=...]".
 * Returns the message. */
static char *apply_done_event(struct run *run, const tern_event *ev,
                              const char *who)
{
    struct cli_ui *ui = &run->ctx->ui;
    char *msg = NULL;

    json_object_del(run->started, who);
    /* Nor does it say it is done (PostApply: no announcement about no-op
     * changes). */
    if (!ui->json && is_import(ev) && ev->action == TERN_ACTION_NOOP)
        return NULL;
    msg = tern_asprintf("%s: %s after %.0fs%s%s%s", who,
                        verb_done(ev->action, is_import(ev)), ev->elapsed,
                        ev->id ? " [id=" : "", ev->id ? ev->id : "",
                        ev->id ? "]" : "");
    if (ui->json) {
        json_t *hook =
            json_pack("{s:o,s:s,s:I}", "resource", resource_json(ev->address),
                      "action", hook_action(ev->action), "elapsed_seconds",
                      (json_int_t)ev->elapsed);

        cli_ui_json_line(
            ui, "info", msg, "apply_complete",
            json_pack("{s:o}", "hook", hook_with_id(hook, "id", ev->id)));
    } else {
        fprintf(ui->out, "%s%s%s\n", cli_c_bold(ui), msg, cli_c_reset(ui));
    }
    return msg;
}

/* An apply step failed: "ADDR: Creation errored after 1s" (the error
 * itself is in the run's diagnostics, printed at the end with the
 * others, as Terraform does). Returns the message. */
static char *apply_error_event(struct run *run, const tern_event *ev,
                               const char *who)
{
    struct cli_ui *ui = &run->ctx->ui;
    double started = json_real_value(json_object_get(run->started, who));
    char *msg = tern_asprintf("%s: %s after %.0fs", who, verb_err(ev->action),
                              started > 0 ? now_s() - started : 0.0);

    if (ui->json)
        cli_ui_json_line(
            ui, "error", msg, "apply_errored",
            json_pack("{s:{s:o,s:s,s:I}}", "hook", "resource",
                      resource_json(ev->address), "action",
                      hook_action(ev->action), "elapsed_seconds",
                      (json_int_t)(started > 0 ? now_s() - started : 0.0)));
    return msg;
}

/* The first interrupt (steps finish) or the second (steps cancelled).
 * Returns the message. */
static char *interrupt_event(struct cli_ui *ui, const tern_event *ev)
{
    char *msg = NULL;

    if (ev->count <= 1)
        msg = tern_asprintf("Interrupt received.\nPlease wait for tern "
                            "to exit or data loss may occur.\n"
                            "Gracefully shutting down: no new steps "
                            "start; running ones finish and are "
                            "saved. Interrupt again to cancel them.");
    else
        msg = tern_asprintf("Two interrupts received. Cancelling the "
                            "running steps; what already finished is "
                            "saved.");
    if (ui->json)
        cli_ui_json_line(ui, "warn", msg, "log", json_object());
    else
        fprintf(ui->err, "\n%s%s%s\n", cli_c_bold(ui), msg, cli_c_reset(ui));
    return msg;
}

/* Waiting for an eventually consistent service to show tern's changes.
 * Returns the message. */
static char *wait_event(struct cli_ui *ui, const tern_event *ev)
{
    char *msg = NULL;

    if (ev->count > 1)
        msg = tern_asprintf("%s and %d more: Waiting for %s to show the "
                            "changes tern made %.0fs ago (at most %.0fs "
                            "more)...",
                            ev->address, ev->count - 1, ev->service,
                            ev->elapsed, ev->wait_left);
    else
        msg =
            tern_asprintf("%s: Waiting for %s to show the change tern "
                          "made %.0fs ago (at most %.0fs more)...",
                          ev->address, ev->service, ev->elapsed, ev->wait_left);
    if (ui->json)
        cli_ui_json_line(ui, "info", msg, "log", json_object());
    else if (!msg)
        return NULL;
    else
        fprintf(ui->err, "%s\n", msg);
    return msg;
}

static void handle_event(struct run *run, const tern_event *ev)
{
    struct cli_ctx *ctx = run->ctx;
    struct cli_ui *ui = &ctx->ui;
    char *msg = NULL, who[512];

    /* A deposed object is named as Terraform names it (its destroy; the
     * creation that deposed it is the address's). */
    if (ev->change && ev->change->deposed && ev->action == TERN_ACTION_DELETE)
        snprintf(who, sizeof(who), "%s (deposed object %s)", ev->address,
                 ev->change->deposed);
    else
        snprintf(who, sizeof(who), "%s", ev->address ? ev->address : "");
    switch (ev->kind) {
    case TERN_EVENT_REFRESH_START:
        if (ui->json)
            refresh_json(run, ev, "refresh_start", "Refreshing state...");
        else
            msg = refresh_line(run, ev);
        run->refreshing_shown = 1;
        break;
    case TERN_EVENT_REFRESH_DONE:
        if (ui->json)
            refresh_json(run, ev, "refresh_complete", "Refresh complete");
        break;
    case TERN_EVENT_DRIFT:
        if (ui->json && ev->change)
            change_event_json(run, ev->change, "resource_drift",
                              "Drift detected");
        break;
    case TERN_EVENT_PLANNED:
        if (ui->json && ev->change)
            change_event_json(run, ev->change, "planned_change", "Plan to");
        break;
    case TERN_EVENT_ADOPT:
        msg = tern_asprintf("%s: Adopting the object an interrupted run "
                            "created%s%s%s",
                            ev->address, ev->id ? " [id=" : "",
                            ev->id ? ev->id : "", ev->id ? "]" : "");
        if (ui->json)
            cli_ui_json_line(ui, "info", msg, "log", json_object());
        else
            fprintf(ui->out, "%s\n", msg);
        break;
    case TERN_EVENT_START:
        msg = apply_start_event(run, ev, who);
        break;
    case TERN_EVENT_DONE:
        msg = apply_done_event(run, ev, who);
        break;
    case TERN_EVENT_ERROR:
        msg = apply_error_event(run, ev, who);
        break;
    case TERN_EVENT_SKIPPED:
        if (ui->json) {
            msg = tern_asprintf("%s: Skipped", ev->address);
            cli_ui_json_line(ui, "warn", msg, "log", json_object());
        }
        break;
    case TERN_EVENT_WARNING:
        break; /* also in the run's diagnostics */
    case TERN_EVENT_INTERRUPT:
        msg = interrupt_event(ui, ev);
        break;
    case TERN_EVENT_SUMMARY:
        break; /* printed by the command, which knows the operation */
    case TERN_EVENT_WAIT:
        msg = wait_event(ui, ev);
        break;
    }
    tern_free(msg);
}

static void on_event(const tern_event *ev, void *payload)
{
    struct run *run = payload;

    if (run->ticking)
        pthread_mutex_lock(&run->mu);
    handle_event(run, ev);
    if (run->ticking)
        pthread_mutex_unlock(&run->mu);
}

static const char *still(enum tern_action a)
{
    switch (a) {
    case TERN_ACTION_CREATE:
    case TERN_ACTION_DELETE_THEN_CREATE:
    case TERN_ACTION_CREATE_THEN_DELETE:
        return "Still creating...";
    case TERN_ACTION_READ:
        return "Still reading...";
    case TERN_ACTION_UPDATE:
        return "Still modifying...";
    default:
        break;
    }
    return "Still destroying...";
}

/* "ADDR: Still destroying... [id=ID, 10s elapsed]" (views/hook_ui.go
 * stillRunning: the ID the start line named, cut to 80 characters), @st
 * the step's entry in run->started. NULL when out of memory. */
static char *still_line(const char *addr, enum tern_action a, const json_t *st,
                        double elapsed)
{
    const char *key = json_string_value(json_object_get(st, "k"));
    const char *id = json_string_value(json_object_get(st, "i"));
    char *cut, *msg;

    if (!key || !id)
        return tern_asprintf("%s: %s [%gs elapsed]", addr, still(a), elapsed);
    if (!(cut = truncate_id(id)))
        return NULL;
    msg = tern_asprintf("%s: %s [%s=%s, %gs elapsed]", addr, still(a), key, cut,
                        elapsed);
    tern_free(cut);
    return msg;
}

/*
 * Terraform's "Still creating... [10s elapsed]" and apply_progress: every
 * interval (TERN_PROGRESS_INTERVAL seconds, default 10) a step has been
 * running, one line. The engine reports only starts and ends, so a thread
 * of ours watches the clock.
 */
static void *ticker_main(void *arg)
{
    struct run *run = arg;
    struct cli_ui *ui = &run->ctx->ui;
    struct timespec ts;
    const char *addr, *plain;
    json_t *st;

    pthread_mutex_lock(&run->mu);
    while (!run->stop) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&run->cv, &run->mu, &ts);
        json_object_foreach(run->started, addr, st)
        {
            double el = now_s() - json_real_value(json_object_get(st, "t"));
            json_int_t n = json_integer_value(json_object_get(st, "n"));
            enum tern_action a =
                (enum tern_action)json_integer_value(json_object_get(st, "a"));
            char *msg, text[TERN_PROGRESS_MAX + 1];

            /* An import alone is a no-op: no progress (views/hook_ui.go
             * starts stillRunning for every operation but NoOp). */
            if (a == TERN_ACTION_NOOP || el < (double)(n + 1) * run->interval)
                continue;
            /* Not counted, the same line would come again: lost. */
            if (json_object_set_new(st, "n", json_integer(n + 1)))
                ui->json_lost = 1;
            /* The instance's address, without a deposed object's key */
            plain = json_string_value(json_object_get(st, "w"));
            if (!plain)
                plain = addr;
            msg = still_line(plain, a, st, (double)(n + 1) * run->interval);
            if (!msg) {
                ui->json_lost = 1;
                continue;
            }
            /* What the module said it waits for, after Terraform's line
             * (which stays a prefix); the JSON UI keeps Terraform's
             * apply_progress as it is (README, "Progress"). */
            if (!ui->json &&
                tern_engine_progress(run->engine, plain, text, sizeof(text))) {
                char *longer = tern_asprintf("%s (%s)", msg, text);

                if (longer) {
                    tern_free(msg);
                    msg = longer;
                }
            }
            if (ui->json)
                cli_ui_json_line(ui, "info", msg, "apply_progress",
                                 json_pack("{s:{s:o,s:s,s:I}}", "hook",
                                           "resource", resource_json(plain),
                                           "action", hook_action(a),
                                           "elapsed_seconds", (json_int_t)el));
            else
                fprintf(ui->out, "%s%s%s\n", cli_c_bold(ui), msg,
                        cli_c_reset(ui));
            fflush(ui->out);
            tern_free(msg);
        }
    }
    pthread_mutex_unlock(&run->mu);
    return NULL;
}

static void ticker_start(struct run *run)
{
    const char *env = getenv("TERN_PROGRESS_INTERVAL");
    char *end = NULL;
    double iv = env ? strtod(env, &end) : 10.0;

    run->interval = (env && end != env && iv > 0) ? iv : 10.0;
    run->stop = 0;
    if (pthread_mutex_init(&run->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&run->cv, NULL) != 0) {
        pthread_mutex_destroy(&run->mu);
        return;
    }
    if (pthread_create(&run->ticker, NULL, ticker_main, run) != 0) {
        pthread_cond_destroy(&run->cv);
        pthread_mutex_destroy(&run->mu);
        return;
    }
    run->ticking = 1;
}

static void ticker_stop(struct run *run)
{
    if (!run->ticking)
        return;
    pthread_mutex_lock(&run->mu);
    run->stop = 1;
    pthread_cond_signal(&run->cv);
    pthread_mutex_unlock(&run->mu);
    pthread_join(run->ticker, NULL);
    run->ticking = 0;
    pthread_cond_destroy(&run->cv);
    pthread_mutex_destroy(&run->mu);
}

/* Whether the current directory has a *.auto.tfvars(.json) file. */
static int has_auto_tfvars(void)
{
    DIR *d = opendir(".");
    struct dirent *de;
    int found = 0;

    while (d && !found && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        found =
            (n > 12 && strcmp(de->d_name + n - 12, ".auto.tfvars") == 0) ||
            (n > 17 && strcmp(de->d_name + n - 17, ".auto.tfvars.json") == 0);
    }
    if (d)
        closedir(d);
    return found;
}

/*
 * Input variables: TF_VAR_*, terraform.tfvars(.json), *.auto.tfvars, then
 * -var/-var-file in command-line order.
 *
 * tern_lang_var_inputs_collect() reads the directory's files itself, but
 * (at the time of writing) passes NULL to qsort when there is no
 * *.auto.tfvars file, which UBSan rejects; without such files we give it
 * no directory and name terraform.tfvars(.json) as the first -var-files,
 * which is the same order of precedence.
 */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * On a terminal, ask for each required variable that has no value, in
 * name order, as Terraform's UIInput asks (internal/command/ui_input.go):
 *
 *     var.NAME
 *       Description, one line at a time
 *
 *       Enter a value:
 *
 * Each answer is added to @cli as a -var (so it is read as -var values
 * are: a string as it is, another type as an expression). An empty answer
 * leaves the variable unset. Unlike Terraform, which reads one word, the
 * whole line is the value.
 */
static int prompt_variables(struct cli_ctx *ctx,
                            const struct tern_lang_var_inputs *in,
                            const char ***cli, size_t *n)
{
    const struct tern_blockvec *vars = &ctx->config->variables;
    const char **missing;
    size_t i, j, nmissing = 0;
    int error = TERN_OK;

    missing = tern_calloc(vars->n + 1, sizeof(*missing));
    if (!missing)
        return TERN_ENOMEM;
    for (i = 0; i < vars->n; i++) {
        const struct tern_block *b = vars->items[i];
        int given = 0;

        if (b->nlabels < 1 || tern_lang_body_attr(b->body, "default"))
            continue;
        for (j = 0; j < in->n && !given; j++)
            given = strcmp(in->items[j].name, b->labels[0]) == 0;
        if (!given)
            missing[nmissing++] = b->labels[0];
    }
    qsort(missing, nmissing, sizeof(*missing), cmp_names);
    for (i = 0; i < nmissing && error == TERN_OK; i++) {
        const struct tern_block *b = NULL;
        const struct tern_attribute *da;
        tern_value *desc = NULL;
        struct tern_diags scratch = TERN_DIAGS_INIT;
        tern_buf q = TERN_BUF_INIT;
        char *answer;
        const char **grown;

        for (j = 0; j < vars->n && !b; j++)
            if (vars->items[j]->nlabels >= 1 &&
                strcmp(vars->items[j]->labels[0], missing[i]) == 0)
                b = vars->items[j];
        da = tern_lang_body_attr(b->body, "description");
        if (da && tern_lang_eval(da->expr, NULL, &desc, &scratch) != TERN_OK)
            desc = NULL;
        tern_diags_release(&scratch);
        tern_buf_printf(&q, "%s%svar.%s%s\n", cli_c_reset(&ctx->ui),
                        cli_c_bold(&ctx->ui), missing[i],
                        cli_c_reset(&ctx->ui));
        if (desc && *tern_value_get_string(desc)) {
            const char *line = tern_value_get_string(desc);

            while (*line) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);

                tern_buf_printf(&q, "  %.*s\n", (int)len, line);
                line += len + (nl != NULL);
            }
            tern_buf_putc(&q, '\n');
        }
        tern_value_decref(desc);
        tern_buf_printf(&q, "  %sEnter a value:%s ", cli_c_bold(&ctx->ui),
                        cli_c_reset(&ctx->ui));
        fputs(tern_buf_cstr(&q), ctx->ui.out);
        tern_buf_release(&q);
        fflush(ctx->ui.out);
        /* Unbuffered, as the approval prompt reads: stdio's buffer would
         * keep what was typed for that prompt. */
        answer = cli_ui_read_line();
        fputc('\n', ctx->ui.out);
        if (!answer || !*answer) {
            tern_free(answer);
            continue;
        }
        grown = tern_realloc(*cli, (*n + 2) * sizeof(**cli));
        if (!grown) {
            tern_free(answer);
            error = TERN_ENOMEM;
            break;
        }
        *cli = grown;
        (*cli)[*n] = tern_asprintf("var=%s=%s", missing[i], answer);
        tern_free(answer);
        if (!(*cli)[*n]) {
            error = TERN_ENOMEM;
            break;
        }
        (*n)++;
        (*cli)[*n] = NULL;
    }
    tern_free(missing);
    return error;
}

int cli_eval_variables(struct cli_ctx *ctx, tern_value **out)
{
    static const char *const fixed[] = {"terraform.tfvars",
                                        "terraform.tfvars.json"};
    struct tern_lang_var_inputs *in = NULL;
    const char **cli = NULL;
    const char *dir = has_auto_tfvars() ? "." : NULL;
    size_t i, j, n = 0;
    int error = TERN_OK, is_var;

    *out = NULL;
    in = tern_calloc(1, sizeof(*in));
    TERN_CHECK_ALLOC(in);
    /* The dispatcher frees the inputs after it has printed the
     * diagnostics, which may name the -var text or a tfvars file. */
    ctx->var_inputs = in;
    cli = tern_calloc(ctx->opts.var_order.n + 3, sizeof(*cli));
    TERN_CHECK_ALLOC(cli);
    for (i = 0; !dir && i < 2; i++) {
        if (access(fixed[i], F_OK) == 0) {
            cli[n] = tern_asprintf("var-file=%s", fixed[i]);
            TERN_CHECK_ALLOC(cli[n]);
            n++;
        }
    }
    for (i = 0; i < ctx->opts.var_order.n; i++) {
        const char *v = ctx->opts.var_order.items[i];

        for (is_var = 0, j = 0; j < ctx->opts.vars.n && !is_var; j++)
            is_var = ctx->opts.vars.items[j] == v;
        cli[n] = tern_asprintf("%s=%s", is_var ? "var" : "var-file", v);
        TERN_CHECK_ALLOC(cli[n]);
        n++;
    }
    error = tern_lang_var_inputs_collect(in, dir, environ, cli, n, &ctx->diags);
    if (error)
        goto done;
    /* A missing variable is asked for on a terminal (not by the console,
     * which leaves it unknown, nor in the JSON stream). */
    if (ctx->ui.interactive && !ctx->ui.json && ctx->config &&
        ctx->cmd->fn != cli_cmd_console) {
        size_t before = n;

        if ((error = prompt_variables(ctx, in, &cli, &n)) != 0)
            goto done;
        if (n != before) {
            tern_lang_var_inputs_release(in);
            memset(in, 0, sizeof(*in));
            error = tern_lang_var_inputs_collect(in, dir, environ, cli, n,
                                                 &ctx->diags);
            if (error)
                goto done;
        }
    }
    error = tern_lang_variables_eval(ctx->config, in, out, &ctx->diags);
done:
    for (i = 0; cli && i < n; i++)
        tern_free((char *)cli[i]);
    tern_free(cli);
    return error;
}

/*
 * The engine, with SIGINT/SIGTERM routed to it from now until the command
 * ends (engine_free): an interrupt between the plan and the apply also
 * stops the apply before it starts anything.
 */
static int engine_new(struct cli_ctx *ctx, struct run *run,
                      const struct tern_lang_config *cfg,
                      const tern_value *vars, tern_engine **out)
{
    tern_engine_options eo = TERN_ENGINE_OPTIONS_INIT;
    int error;

    eo.config = cfg;
    eo.state = ctx->state;
    eo.variables = vars;
    eo.parallelism = (unsigned int)ctx->opts.parallelism;
    eo.on_event = on_event;
    eo.payload = run;
    eo.extra_modules = ctx->extra_modules;
    eo.extra_providers = ctx->extra_providers;
    eo.module_user = ctx->module_user;
    error = tern_engine_new(out, &eo, &ctx->diags);
    if (error == TERN_OK)
        signals_install(*out);
    return error;
}

static void engine_free(tern_engine *e)
{
    if (!e)
        return;
    signals_restore();
    tern_engine_free(e);
}

/* The rule between the plan's parts (format.HorizontalRule). */
static const char rule[] = "───────────────────────────────────────────────"
                           "──────────────────────────────\n";

/* A plan with neither resource nor output changes (jsonformat/plan.go
 * renderHuman's "No changes" branch), in the words of its mode. @drift:
 * the drift section was written. */
static void render_no_changes(tern_buf *out, const struct cli_ui *ui,
                              const tern_plan *plan, int drift)
{
    if (tern_plan_is_refresh_only(plan)) {
        /* The drift section's paragraph already said what applying
         * this plan does. */
        if (drift)
            return;
        tern_buf_printf(out,
                        "\n%s%sNo changes.%s%s Your infrastructure still "
                        "matches the configuration.%s\n\ntern has checked "
                        "that the real remote objects still match the result "
                        "of\nyour most recent changes, and found no "
                        "differences.\n",
                        cli_c_bold(ui), cli_c_green(ui), cli_c_reset(ui),
                        cli_c_bold(ui), cli_c_reset(ui));
        return;
    }
    if (drift) {
        tern_buf_putc(out, '\n');
        tern_buf_puts(out, rule);
    }
    if (tern_plan_is_destroy(plan))
        tern_buf_printf(out,
                        "\n%s%sNo changes.%s%s No objects need to be "
                        "destroyed.%s\n\nEither you have not created any "
                        "objects yet or the existing objects were\nalready "
                        "deleted outside of tern.\n",
                        cli_c_bold(ui), cli_c_green(ui), cli_c_reset(ui),
                        cli_c_bold(ui), cli_c_reset(ui));
    else
        tern_buf_printf(out,
                        "\n%s%sNo changes.%s%s Your infrastructure matches "
                        "the configuration.%s\n\ntern has compared your real "
                        "infrastructure against your configuration\nand found "
                        "no differences, so no changes are needed.\n",
                        cli_c_bold(ui), cli_c_green(ui), cli_c_reset(ui),
                        cli_c_bold(ui), cli_c_reset(ui));
}

/* The plan for people (jsonformat/plan.go renderHuman): the drift, then
 * what no change means in the plan's mode, or the changes, the summary
 * and the output changes. @cfg: the configuration planned, for the drift
 * that is relevant. */
static void render_plan(struct cli_ctx *ctx, const struct tern_lang_config *cfg,
                        const tern_plan *plan)
{
    const struct cli_ui *ui = &ctx->ui;
    tern_buf out = TERN_BUF_INIT, outputs = TERN_BUF_INIT;
    json_t *prior = NULL;
    unsigned int actions = 0;
    size_t i, n = tern_plan_change_count(plan);
    int drift;

    if (ctx->state)
        tern_state_outputs(ctx->state, &prior, NULL);
    drift = cli_render_drift(&out, ui, plan, cfg, prior);
    /* A refresh-only plan evaluates no configuration, outputs included:
     * it has no output changes to show (rather than every output
     * removed). */
    if (!tern_plan_is_refresh_only(plan))
        cli_render_output_changes(&outputs, ui, tern_plan_outputs(plan), prior);
    if (outputs.oom)
        out.oom = 1;
    if (n == 0 && outputs.len == 0) {
        render_no_changes(&out, ui, plan, drift);
        goto print;
    }
    if (drift) {
        tern_buf_putc(&out, '\n');
        tern_buf_puts(&out, rule);
    }
    if (n > 0) {
        for (i = 0; i < n; i++)
            actions |= 1u << tern_plan_change(plan, i)->action;
        cli_render_plan_legend(&out, ui, actions);
        tern_buf_puts(&out, "\ntern will perform the following actions:\n\n");
        for (i = 0; i < n; i++) {
            cli_render_change(&out, ui, tern_plan_change(plan, i), 0);
            tern_buf_putc(&out, '\n');
        }
        cli_render_summary(&out, ui, tern_plan_summary(plan),
                           tern_plan_is_destroy(plan));
    }
    if (outputs.len)
        tern_buf_put(&out, outputs.ptr, outputs.len);
    /* Output changes alone: what applying them means. */
    if (n == 0)
        tern_buf_puts(&out, "\nYou can apply this plan to save these new "
                            "output values to the tern\nstate, without "
                            "changing any real infrastructure.\n");
print:
    cli_ui_write(ui->out, &out);
    tern_buf_release(&out);
    tern_buf_release(&outputs);
    json_decref(prior);
}

/* A plan that met errors is not shown (it could read "No changes."):
 * only that it failed; the diagnostics follow. */
static void render_failed(struct cli_ctx *ctx)
{
    tern_buf out = TERN_BUF_INIT;

    if (ctx->ui.json)
        return;
    tern_buf_printf(&out,
                    "\n%sPlanning failed.%s tern encountered an error while "
                    "generating this plan.\n",
                    cli_c_bold(&ctx->ui), cli_c_reset(&ctx->ui));
    cli_ui_write(ctx->ui.out, &out);
    tern_buf_release(&out);
}

static void summary_json(struct cli_ctx *ctx, const tern_summary *s,
                         const char *operation)
{
    char *msg;

    /* views/json/change_summary.go: imports are named when there are
     * any */
    if (strcmp(operation, "plan") == 0 && s->import)
        msg = tern_asprintf("Plan: %zu to import, %zu to add, %zu to change, "
                            "%zu to destroy.",
                            s->import, s->add, s->change, s->destroy);
    else if (strcmp(operation, "plan") == 0)
        msg = tern_asprintf("Plan: %zu to add, %zu to change, %zu to destroy.",
                            s->add, s->change, s->destroy);
    else if (strcmp(operation, "destroy") == 0)
        msg = tern_asprintf("Destroy complete! Resources: %zu destroyed.",
                            s->destroy);
    else if (s->import)
        msg = tern_asprintf("Apply complete! Resources: %zu imported, %zu "
                            "added, %zu changed, %zu destroyed.",
                            s->import, s->add, s->change, s->destroy);
    else
        msg = tern_asprintf("Apply complete! Resources: %zu added, %zu "
                            "changed, %zu destroyed.",
                            s->add, s->change, s->destroy);
    cli_ui_json_line(&ctx->ui, "info", msg, "change_summary",
                     json_pack("{s:{s:I,s:I,s:I,s:I,s:s}}", "changes", "add",
                               (json_int_t)s->add, "change",
                               (json_int_t)s->change, "import",
                               (json_int_t)s->import, "remove",
                               (json_int_t)s->destroy, "operation", operation));
    tern_free(msg);
}

/*
 * After a plan's change_summary, the `outputs` message of planned outputs
 * (views/json/output.go OutputsFromChanges): each root output with its
 * action and sensitivity, no values.
 */
static void plan_outputs_json(struct cli_ctx *ctx, const tern_plan *plan)
{
    const tern_value *planned = tern_plan_outputs(plan);
    json_t *prior = NULL, *doc = json_object(), *po;
    const char *k;
    size_t i;
    char *msg;
    int oom = !doc, rc;

    /* The prior outputs decide each action: not read for lack of memory,
     * every output would show as created. */
    if (ctx->state &&
        (rc = tern_state_outputs(ctx->state, &prior, NULL)) != TERN_OK) {
        if (rc == TERN_ENOMEM)
            oom = 1;
        prior = NULL;
    }
    for (i = 0; planned && i < tern_value_length(planned); i++) {
        const tern_value *o = tern_value_object_value(planned, i);
        const tern_value *v = tern_value_object_get(o, "value");
        const json_t *before;
        const char *action = "create";
        json_t *after;

        k = tern_value_object_key(planned, i);
        before = json_object_get(json_object_get(prior, k), "value");
        if (before) {
            int known = tern_value_is_wholly_known(v);

            after = known ? tern_value_to_json(v) : NULL;
            if (known && !after)
                oom = 1;
            action = after && json_equal(after, before) ? "noop" : "update";
            json_decref(after);
        }
        tern_json_set(&oom, doc, k,
                      json_pack("{s:b,s:s}", "sensitive",
                                tern_value_get_bool(
                                    tern_value_object_get(o, "sensitive")),
                                "action", action));
    }
    /* An output the plan no longer has is deleted; a refresh-only plan
     * evaluates none, and leaves each as it is. */
    json_object_foreach(prior, k, po)
    {
        if (!json_object_get(doc, k))
            tern_json_set(
                &oom, doc, k,
                json_pack("{s:b,s:s}", "sensitive",
                          json_is_true(json_object_get(po, "sensitive")),
                          "action",
                          tern_plan_is_refresh_only(plan) ? "noop" : "delete"));
    }
    json_decref(prior);
    if (!oom && !json_object_size(doc)) {
        json_decref(doc);
        return;
    }
    doc = tern_json_done(oom, doc);
    msg = tern_asprintf("Outputs: %zu", json_object_size(doc));
    cli_ui_json_line(&ctx->ui, "info", msg, "outputs",
                     json_pack("{s:o}", "outputs", doc));
    tern_free(msg);
}

static int make_plan(struct cli_ctx *ctx, tern_engine *e, int destroy,
                     tern_plan **plan)
{
    tern_plan_options po = TERN_PLAN_OPTIONS_INIT;
    int error;

    po.destroy = destroy || ctx->opts.destroy;
    po.refresh = ctx->opts.refresh;
    po.refresh_only = ctx->opts.refresh_only;
    po.targets = ctx->opts.targets.items;
    po.n_targets = ctx->opts.targets.n;
    po.replace = ctx->opts.replaces.items;
    po.n_replace = ctx->opts.replaces.n;
    /* A force-unlocked apply may have created what it never recorded. */
    po.lookup_creates =
        ctx->backend && tern_backend_s3_interrupted(ctx->backend) != NULL;
    error = tern_engine_plan(e, &po, plan, &ctx->diags);
    /* The S3 state was read beside the lock: nothing planned from it is
     * shown, saved or applied before that read is confirmed. */
    if (cli_backend_verify(ctx) != TERN_OK) {
        tern_plan_free(*plan);
        *plan = NULL;
        return TERN_ECONFLICT;
    }
    if (error == TERN_OK && *plan && tern_plan_errored(*plan))
        error = TERN_ERROR;
    return error;
}

/* Whether the command plans to destroy: destroy, -destroy, graph
 * -type=destroy. */
static int plans_destroy(const struct cli_ctx *ctx)
{
    return strcmp(ctx->cmd->name, "destroy") == 0 || ctx->opts.destroy ||
           (ctx->opts.graph_type &&
            strcmp(ctx->opts.graph_type, "destroy") == 0);
}

/* `apply FILE`: the plan file and its configuration, read before the
 * state is opened. */
static int check_saved(struct cli_ctx *ctx)
{
    const char *path = ctx->opts.args.items[0];
    int error;

    if (ctx->opts.var_order.n || ctx->opts.targets.n || ctx->opts.replaces.n ||
        ctx->opts.destroy) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Can't set planning options when applying a saved "
                       "plan",
                       "The plan file %s was created with its variables, "
                       "targets and mode; -var, -var-file, -target, -replace "
                       "and -destroy cannot change it. Make a new plan "
                       "instead.",
                       path);
        return TERN_EINVALID;
    }
    if ((error = tern_plan_read(&ctx->saved_plan, path, ctx->plan_passphrase,
                                &ctx->diags)) != 0)
        return error;
    /* The dispatcher frees the configuration after the diagnostics, which
     * name its files. */
    error =
        tern_plan_apply_config(ctx->saved_plan, &ctx->plan_config, &ctx->diags);
    if (error == TERN_OK && ctx->workspace &&
        !(ctx->plan_config->workspace = tern_strdup(ctx->workspace)))
        error = TERN_ENOMEM;
    return error;
}

/*
 * `import ADDR ID`: ADDR must be a managed resource that the configuration
 * declares. The engine checks the instance key too (count, for_each) once
 * it has evaluated the configuration; this finds typos before the state
 * is opened (and, when there is none, created).
 */
static int check_import_address(struct cli_ctx *ctx)
{
    const char *address = ctx->opts.args.items[0];
    const struct tern_lang_config *cfg = ctx->config;
    struct cli_addr a;
    size_t i;
    int error, found = 0;

    if ((error = cli_addr_parse(&a, address, &ctx->diags)) != 0)
        return error;
    if (a.type == NULL || a.mode != TERN_STATE_MANAGED) {
        tern_diags_add(
            &ctx->diags, TERN_SEV_ERROR, NULL, "Invalid address",
            "A managed resource address is required: %s is %s.", address,
            a.type ? "a data source, which cannot be imported" : "a module");
        cli_addr_release(&a);
        return TERN_EINVALID;
    }
    /* The module the path names, call by call (the engine checks the
     * instance keys). */
    {
        const char *m = a.module;

        while (cfg && strncmp(m, "module.", 7) == 0) {
            size_t n = strcspn(m + 7, ".[");
            const struct tern_lang_config *next = NULL;

            for (i = 0; i < cfg->ncalls; i++)
                if (strlen(cfg->calls[i].name) == n &&
                    strncmp(cfg->calls[i].name, m + 7, n) == 0)
                    next = cfg->calls[i].cfg;
            cfg = next;
            m += 7 + n;
            if (*m == '[')
                m = strchr(m, ']') ? strchr(m, ']') + 1 : m + strlen(m);
            if (*m == '.')
                m++;
        }
    }
    for (i = 0; cfg && i < cfg->resources.n && !found; i++) {
        const struct tern_block *b = cfg->resources.items[i];

        found = b->nlabels == 2 && strcmp(b->labels[0], a.type) == 0 &&
                strcmp(b->labels[1], a.name) == 0;
    }
    cli_addr_release(&a);
    if (found)
        return TERN_OK;
    tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                   "Configuration for import target does not exist",
                   "The configuration does not have a resource instance "
                   "%s. Add a resource block for it (with count or "
                   "for_each when the address has a key) first.",
                   address);
    return TERN_EINVALID;
}

/*
 * Terraform validates the configuration before it plans (backend/local
 * localRunDirect runs Core.Validate for plan, apply, destroy, refresh and
 * import): what `validate` refuses, these refuse too, with validate's
 * diagnostics, before anything is read. When it passes, its findings are
 * dropped: the plan reports the same warnings itself (the policy lint
 * below, the engine's), once.
 */
static int validate_first(struct cli_ctx *ctx, int destroy)
{
    struct tern_diags local = TERN_DIAGS_INIT;
    int rc = cli_config_validate(ctx->config, &local);

    if (rc == TERN_ERROR) {
        rc = tern_diags_move(&ctx->diags, &local) ? TERN_ENOMEM : TERN_EINVALID;
    } else if (rc == TERN_OK && !destroy) {
        /* What validate warns about, plan and apply show too. */
        rc = tern_engine_lint(ctx->config, &ctx->diags);
    }
    tern_diags_release(&local);
    return rc;
}

int cli_check_plan(struct cli_ctx *ctx)
{
    const char *type = ctx->opts.graph_type;
    int destroy = plans_destroy(ctx);
    int error;

    if (strcmp(ctx->cmd->name, "apply") == 0 && ctx->opts.args.n == 1)
        return check_saved(ctx);
    if (type && strcmp(type, "plan") != 0 && strcmp(type, "apply") != 0 &&
        strcmp(type, "destroy") != 0) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL, "Invalid graph type",
                       "-type must be plan, apply or destroy, not \"%s\".",
                       type);
        return TERN_EINVALID;
    }
    if (ctx->config == NULL && !destroy) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "No configuration files",
                       "%s requires configuration to be present. Planning "
                       "without a configuration would mark everything for "
                       "destruction, which is normally not what is desired. "
                       "If you would like to destroy everything, run with "
                       "-destroy. Otherwise, create a tern configuration "
                       "file (.tf file) and try again.",
                       ctx->cmd->name);
        return TERN_EINVALID;
    }
    if (ctx->config == NULL) {
        ctx->config = tern_lang_config_new(".");
        if (!ctx->config)
            return TERN_ENOMEM;
    }
    if ((error = cli_config_check_providers(ctx->config, NULL, &ctx->diags)))
        return error;
    if ((error = validate_first(ctx, destroy)) != 0)
        return error;
    if (ctx->diags.errors)
        return TERN_EINVALID;
    if (strcmp(ctx->cmd->name, "import") == 0 &&
        (error = check_import_address(ctx)) != 0)
        return error;
    return cli_eval_variables(ctx, &ctx->vars);
}

/* What plan, apply, import and graph share before the engine runs; the
 * configuration and the variables were checked by cli_check_plan. */
static int setup(struct cli_ctx *ctx, struct run *run, tern_engine **e)
{
    memset(run, 0, sizeof(*run));
    run->ctx = ctx;
    run->started = json_object();
    if (!run->started)
        return TERN_ENOMEM;
    return engine_new(ctx, run, ctx->config, ctx->vars, e);
}

/* Like Terraform, the JSON UI reports diagnostics as it goes. */
static void flush_diags(struct cli_ctx *ctx)
{
    if (!ctx->ui.json)
        return;
    cli_ui_diags(&ctx->ui, &ctx->diags, &ctx->config->sources);
    tern_diags_release(&ctx->diags);
}

int cli_cmd_plan(struct cli_ctx *ctx)
{
    struct run run;
    tern_engine *e = NULL;
    tern_plan *plan = NULL;
    int error;

    memset(&run, 0, sizeof(run));
    /* A passphrase too short to save the plan with: said before planning. */
    if ((ctx->opts.out && (error = tern_plan_passphrase_check(
                               ctx->plan_passphrase, &ctx->diags)) != 0) ||
        (error = setup(ctx, &run, &e)) != 0)
        goto done;
    error = make_plan(ctx, e, 0, &plan);
    if (!plan)
        goto done;
    if (tern_plan_errored(plan))
        render_failed(ctx);
    else if (ctx->ui.json) {
        summary_json(ctx, tern_plan_summary(plan), "plan");
        plan_outputs_json(ctx, plan);
    } else {
        render_plan(ctx, ctx->config, plan);
    }
    if (error)
        goto done;
    if (ctx->opts.out) {
        if ((error = tern_plan_write(plan, ctx->opts.out, ctx->plan_passphrase,
                                     &ctx->diags)) != 0)
            goto done;
        /* views/operation.go PlanNextStep: no hint in automation, nor
         * for a plan with nothing to apply (backend/local/backend_plan.go
         * shows next steps only when the plan is not empty). */
        if (!ctx->ui.json && !ctx->ui.automation && !tern_plan_is_empty(plan))
            fprintf(ctx->ui.out,
                    "\n─────────────────────────────────────────────────"
                    "────────────────────────────\n\n"
                    "Saved the plan to: %s\n\nTo perform exactly these "
                    "actions, run the following command to apply:\n"
                    "    tern apply \"%s\"\n",
                    ctx->opts.out, ctx->opts.out);
    } else if (!ctx->ui.json && !ctx->ui.automation &&
               !tern_plan_is_empty(plan)) {
        fprintf(ctx->ui.out,
                "\n─────────────────────────────────────────────────────"
                "────────────────────────\n\n"
                "Note: You didn't use the -out option to save this plan, so "
                "tern can't\nguarantee to take exactly these actions if you "
                "run \"tern apply\" now.\n");
    }
    if (ctx->opts.detailed_exitcode && !tern_plan_is_empty(plan))
        error = CLI_RC_CHANGES;
done:
    flush_diags(ctx);
    tern_plan_free(plan);
    engine_free(e);
    json_decref(run.started);
    json_decref(run.ids);
    return error;
}

static int confirm(struct cli_ctx *ctx, int destroy)
{
    const char *ws;
    char *answer;
    int ok;

    if (ctx->opts.auto_approve)
        return TERN_OK;
    if (!ctx->ui.interactive || ctx->ui.json) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "No terminal to ask for approval",
                       "%s asks for confirmation before it changes anything, "
                       "and there is no terminal to ask on (standard input is "
                       "not a terminal, -input=false or -json was given). "
                       "Review the plan above and run again with "
                       "-auto-approve, or save it with \"tern plan -out=FILE"
                       "\" and run \"tern apply FILE\".",
                       ctx->cmd->name);
        return TERN_EINVALID;
    }
    /* internal/backend/local/backend_apply.go's question and
     * description, as its UIInput prints them. */
    ws = ctx->config ? ctx->config->workspace : NULL;
    if (ws && strcmp(ws, "default") == 0)
        ws = NULL;
    if (ctx->opts.refresh_only)
        fprintf(ctx->ui.out,
                "\n%sWould you like to update the tern state%s%s%s to "
                "reflect these detected changes?%s\n  tern will write these "
                "changes to the state without modifying any real "
                "infrastructure.\n  There is no undo. Only 'yes' will be "
                "accepted to confirm.\n\n",
                cli_c_bold(&ctx->ui), ws ? " for \"" : "", ws ? ws : "",
                ws ? "\"" : "", cli_c_reset(&ctx->ui));
    else
        fprintf(ctx->ui.out, "\n%sDo you %s%s%s%s?%s\n  tern will %s.\n\n",
                cli_c_bold(&ctx->ui),
                destroy ? "really want to destroy all resources"
                        : "want to perform these actions",
                ws ? " in workspace \"" : "", ws ? ws : "", ws ? "\"" : "",
                cli_c_reset(&ctx->ui),
                destroy ? "destroy all your managed infrastructure, as shown "
                          "above.\n  There is no undo. Only 'yes' will be "
                          "accepted to confirm"
                        : "perform the actions described above.\n  Only "
                          "'yes' will be accepted to approve");
    answer = cli_ui_ask(&ctx->ui, "  Enter a value: ");
    fputc('\n', ctx->ui.out);
    ok = answer && strcmp(answer, "yes") == 0;
    tern_free(answer);
    /* views/operation.go Cancelled: a line on standard output, no
     * diagnostic; the command fails (exit 1). */
    if (!ok) {
        fprintf(ctx->ui.out, "%s\n",
                destroy ? "Destroy cancelled." : "Apply cancelled.");
        return TERN_ECANCELED;
    }
    return TERN_OK;
}

static void print_outputs(struct cli_ctx *ctx)
{
    json_t *outputs = NULL, *o, *doc;
    tern_buf out = TERN_BUF_INIT;
    const char *k;
    int rc = tern_state_outputs(ctx->state, &outputs, NULL), oom = 0;

    if (rc == TERN_ENOMEM)
        ctx->ui.json_lost = 1;
    if (rc != TERN_OK || json_object_size(outputs) == 0) {
        json_decref(outputs);
        return;
    }
    if (ctx->ui.json) {
        char *msg = tern_asprintf("Outputs: %zu", json_object_size(outputs));

        doc = json_object();
        json_object_foreach(outputs, k, o)
        {
            json_t *v = json_object_get(o, "value");
            int sens = json_is_true(json_object_get(o, "sensitive"));

            tern_json_set(&oom, doc, k,
                          sens ? json_pack("{s:b,s:o}", "sensitive", 1, "type",
                                           tern__tfjson_output_type(o))
                               : json_pack("{s:b,s:o,s:O}", "sensitive", 0,
                                           "type", tern__tfjson_output_type(o),
                                           "value", v));
        }
        cli_ui_json_line(
            &ctx->ui, "info", msg, "outputs",
            json_pack("{s:o}", "outputs", tern_json_done(oom, doc)));
        tern_free(msg);
    } else {
        tern_buf_printf(&out, "\n%s%sOutputs:%s\n\n", cli_c_bold(&ctx->ui),
                        cli_c_green(&ctx->ui), cli_c_reset(&ctx->ui));
        json_object_foreach(outputs, k, o)
        {
            cli_render_output(&out, k, json_object_get(o, "value"),
                              json_is_true(json_object_get(o, "sensitive")));
        }
        cli_ui_write(ctx->ui.out, &out);
    }
    tern_buf_release(&out);
    json_decref(outputs);
}

static int run_apply(struct cli_ctx *ctx, struct run *run, tern_engine *e,
                     const tern_plan *plan, int destroy)
{
    tern_apply_options ao = TERN_APPLY_OPTIONS_INIT;
    tern_summary s;
    char imported[48] = "";
    int error;

    memset(&s, 0, sizeof(s));
    ao.parallelism = (unsigned int)ctx->opts.parallelism;
    /* A line between the plan and the steps' lines; a plan with no step
     * (a refresh-only plan, output changes alone) has none to set off. */
    if (!ctx->ui.json && tern_plan_change_count(plan) > 0)
        fputc('\n', ctx->ui.out);
    if (!ctx->ui.json)
        import_lines(&ctx->ui, plan);
    run->engine = e;
    ticker_start(run);
    error = tern_engine_apply(e, plan, &ao, &s, &ctx->diags);
    ticker_stop(run);
    run->engine = NULL;
    if (ctx->ui.json) {
        summary_json(ctx, &s, destroy ? "destroy" : "apply");
    } else if (error == TERN_OK) {
        if (s.import)
            snprintf(imported, sizeof(imported), "%zu imported, ", s.import);
        if (destroy)
            fprintf(ctx->ui.out,
                    "\n%s%sDestroy complete! Resources: %zu destroyed.%s\n",
                    cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui), s.destroy,
                    cli_c_reset(&ctx->ui));
        else
            fprintf(ctx->ui.out,
                    "\n%s%sApply complete! Resources: %s%zu added, %zu "
                    "changed, %zu destroyed.%s\n",
                    cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui), imported,
                    s.add, s.change, s.destroy, cli_c_reset(&ctx->ui));
    } else if (s.interrupted) {
        fprintf(ctx->ui.err,
                "\nStopped after an interrupt: %zu added, %zu changed, %zu "
                "destroyed; %zu step(s) not run. Everything that finished is "
                "saved in the state.\n",
                s.add, s.change, s.destroy, s.skipped);
    }
    if (error == TERN_OK || s.add || s.change || s.destroy)
        print_outputs(ctx);
    return error;
}

/* `apply FILE`: cli_check_plan read the plan and its configuration. */
static int apply_saved(struct cli_ctx *ctx)
{
    const struct tern_lang_config *cfg = ctx->plan_config;
    const tern_plan *plan = ctx->saved_plan;
    struct run run;
    tern_engine *e = NULL;
    int error;

    memset(&run, 0, sizeof(run));
    run.ctx = ctx;
    run.started = json_object();
    TERN_CHECK_ALLOC(run.started);
    if ((error = engine_new(ctx, &run, cfg, tern_plan_variables(plan), &e)))
        goto done;
    error = run_apply(ctx, &run, e, plan, tern_plan_is_destroy(plan));
done:
    if (ctx->ui.json) {
        cli_ui_diags(&ctx->ui, &ctx->diags, cfg ? &cfg->sources : NULL);
        tern_diags_release(&ctx->diags);
    }
    engine_free(e);
    json_decref(run.started);
    json_decref(run.ids);
    return error;
}

int cli_cmd_apply(struct cli_ctx *ctx)
{
    int destroy = plans_destroy(ctx);
    struct run run;
    tern_engine *e = NULL;
    tern_plan *plan = NULL;
    int error;

    if (ctx->opts.args.n == 1)
        return apply_saved(ctx);
    if ((error = setup(ctx, &run, &e)) != 0)
        goto done;
    error = make_plan(ctx, e, destroy, &plan);
    if (!plan)
        goto done;
    if (tern_plan_errored(plan))
        render_failed(ctx);
    else if (ctx->ui.json) {
        summary_json(ctx, tern_plan_summary(plan), "plan");
        plan_outputs_json(ctx, plan);
    } else {
        render_plan(ctx, ctx->config, plan);
    }
    if (error)
        goto done;
    if (tern_plan_is_empty(plan)) {
        /* Nothing to apply, but the refresh is saved, as Terraform's
         * apply saves the refreshed state of a plan with no changes. */
        if ((error = tern_engine_save_refresh(e, plan, &ctx->diags)) != 0)
            goto done;
        /* views/apply.go ResourceCount: a destroy counts only what it
         * destroyed; the JSON UI's change_summary comes all the same. */
        if (ctx->ui.json) {
            tern_summary none;

            memset(&none, 0, sizeof(none));
            summary_json(ctx, &none, destroy ? "destroy" : "apply");
        } else if (destroy)
            fprintf(ctx->ui.out,
                    "\n%s%sDestroy complete! Resources: 0 destroyed.%s\n",
                    cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui),
                    cli_c_reset(&ctx->ui));
        else
            fprintf(ctx->ui.out,
                    "\n%s%sApply complete! Resources: 0 added, 0 changed, 0 "
                    "destroyed.%s\n",
                    cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui),
                    cli_c_reset(&ctx->ui));
        goto done;
    }
    /* The plan's warnings before the question, so that they can be
     * weighed in the answer (internal/backend/local/backend_apply.go);
     * the apply's own come after it. */
    if (!ctx->opts.auto_approve && ctx->ui.interactive && !ctx->ui.json) {
        cli_ui_diags(&ctx->ui, &ctx->diags, &ctx->config->sources);
        tern_diags_release(&ctx->diags);
    }
    if ((error = confirm(ctx, destroy)) != 0)
        goto done;
    error = run_apply(ctx, &run, e, plan, destroy);
done:
    if (ctx->ui.json && ctx->config)
        flush_diags(ctx);
    tern_plan_free(plan);
    engine_free(e);
    json_decref(run.started);
    json_decref(run.ids);
    return error;
}

int cli_cmd_import(struct cli_ctx *ctx)
{
    const char *address = ctx->opts.args.items[0];
    const char *id = ctx->opts.args.items[1];
    struct run run;
    tern_engine *e = NULL;
    int error;

    if ((error = setup(ctx, &run, &e)) != 0)
        goto done;
    fprintf(ctx->ui.out, "%s%s: Importing from ID \"%s\"...%s\n",
            cli_c_bold(&ctx->ui), address, id, cli_c_reset(&ctx->ui));
    error = tern_engine_import(e, address, id, &ctx->diags);
    if (error)
        goto done;
    fprintf(ctx->ui.out,
            "%s%s: Import prepared!%s\n\n%s%sImport successful!%s\n\n"
            "The object %s is now in your tern state at %s and will\n"
            "henceforth be managed by tern.\n",
            cli_c_bold(&ctx->ui), address, cli_c_reset(&ctx->ui),
            cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui), cli_c_reset(&ctx->ui),
            id, address);
done:
    engine_free(e);
    json_decref(run.started);
    json_decref(run.ids);
    return error;
}

int cli_cmd_graph(struct cli_ctx *ctx)
{
    enum tern_graph_type gt = TERN_GRAPH_PLAN;
    struct run run;
    tern_engine *e = NULL;
    char *dot = NULL;
    int error;

    /* cli_check_plan refused any other -type. */
    if (ctx->opts.graph_type && strcmp(ctx->opts.graph_type, "apply") == 0)
        gt = TERN_GRAPH_APPLY;
    else if (plans_destroy(ctx))
        gt = TERN_GRAPH_DESTROY;
    if ((error = setup(ctx, &run, &e)) != 0)
        goto done;
    if ((error = tern_engine_graph_dot(e, gt, NULL, &dot, &ctx->diags)) != 0)
        goto done;
    fputs(dot, ctx->ui.out);
done:
    tern_free(dot);
    engine_free(e);
    json_decref(run.started);
    json_decref(run.ids);
    return error;
}

int cli_show_plan_file(struct cli_ctx *ctx, const char *path)
{
    struct tern_lang_config *cfg = NULL;
    tern_plan *plan = NULL;
    json_t *doc = NULL, *prior = NULL, *ordered = NULL;
    const char *k;
    json_t *v;
    int error, oom = 0;

    /* The reader's own diagnostic says what is wrong with the file. */
    if ((error = tern_plan_read(&plan, path, ctx->plan_passphrase,
                                &ctx->diags)) != 0)
        return error;
    if ((error = tern_plan_config(plan, &cfg, &ctx->diags)) != TERN_OK)
        goto done;
    if (!ctx->opts.json) {
        render_plan(ctx, cfg, plan);
        goto done;
    }
    /* The outputs before the plan are the state's, when it is still the
     * state the plan was made from. */
    if (ctx->state) {
        struct tern_diags scratch = TERN_DIAGS_INIT;

        error = tern_state_outputs(ctx->state, &prior, &scratch);
        tern_diags_release(&scratch);
        if (error == TERN_ENOMEM)
            goto done;
        if (error != TERN_OK)
            prior = NULL;
    }
    if ((error = tern_plan_to_json(plan, prior, &doc)) != TERN_OK)
        goto done;
    /* In upstream's order: configuration and relevant_attributes after
     * prior_state, before timestamp and the flags. */
    ordered = json_object();
    json_object_foreach(doc, k, v)
    {
        if ((strcmp(k, "timestamp") == 0 || strcmp(k, "applyable") == 0) &&
            !json_object_get(ordered, "configuration")) {
            json_t *ra = cli_relevant_attributes(cfg, doc);

            tern_json_set(&oom, ordered, "configuration", cli_config_json(cfg));
            if (!ra)
                oom = 1;
            else if (json_array_size(ra))
                tern_json_set(&oom, ordered, "relevant_attributes",
                              json_incref(ra));
            json_decref(ra);
        }
        tern_json_set(&oom, ordered, k, json_incref(v));
    }
    /* A document short of a member is not printed: out of memory. */
    if (oom || cli_json_print(ctx->ui.out, ordered,
                              JSON_INDENT(2) | JSON_PRESERVE_ORDER) != TERN_OK)
        error = TERN_ENOMEM;
done:
    json_decref(ordered);
    json_decref(doc);
    json_decref(prior);
    tern_lang_config_free(cfg);
    tern_plan_free(plan);
    return error;
}
