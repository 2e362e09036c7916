/*
 * `tern state ...` and `tern force-unlock`: inspection and surgery on the
 * state through include/tern/state.h. The dispatcher has already opened
 * the state (locked for the whole run for the commands that write), so
 * each command only reads or changes it and reports.
 */
#include "cli/cli.h"
#include "backend/s3.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"

/* The canonical address of a parsed instance address (a new string). */
static char *canonical(const struct cli_addr *a)
{
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;

    r.module = a->module;
    r.mode = (enum tern_state_mode)a->mode;
    r.type = a->type;
    r.name = a->name;
    r.key_kind = (enum tern_state_key)a->key_kind;
    r.key_int = a->key_int;
    r.key_str = a->key_str;
    return tern_state_resource_address(&r);
}

/* Parse every positional argument as an address (errors for each bad one). */
static int check_addrs(struct cli_ctx *ctx, size_t from)
{
    struct cli_addr a;
    size_t i;
    int error = TERN_OK;

    for (i = from; i < ctx->opts.args.n; i++) {
        if (cli_addr_parse(&a, ctx->opts.args.items[i], &ctx->diags))
            error = TERN_EINVALID;
        else
            cli_addr_release(&a);
    }
    return error;
}

int cli_cmd_state_list(struct cli_ctx *ctx)
{
    tern_state_resource *list = NULL;
    tern_buf out = TERN_BUF_INIT;
    char *address = NULL;
    size_t n = 0, i, j;
    int error;

    if ((error = check_addrs(ctx, 0)) != 0)
        return error;
    if ((error = tern_state_list(ctx->state, &list, &n, &ctx->diags)) != 0)
        goto done;
    for (i = 0; i < n; i++) {
        int want = ctx->opts.args.n == 0;

        address = tern_state_resource_address(&list[i]);
        TERN_CHECK_ALLOC(address);
        for (j = 0; j < ctx->opts.args.n && !want; j++)
            want = cli_addr_matches(ctx->opts.args.items[j], address);
        if (ctx->opts.id && (!list[i].id || strcmp(list[i].id, ctx->opts.id)))
            want = 0;
        if (want)
            tern_buf_printf(&out, "%s\n", address);
        tern_free(address);
        address = NULL;
    }
    if (tern_buf_oom(&out))
        error = TERN_ENOMEM;
    else
        cli_ui_write(ctx->ui.out, &out);
done:
    tern_free(address);
    tern_buf_release(&out);
    tern_state_resources_free(list, n);
    return error;
}

/* Every instance selected by @filter: indexes into @list. */
static int select_instances(const tern_state_resource *list, size_t n,
                            const char *filter, size_t **out, size_t *count)
{
    size_t i, *sel = tern_calloc(n ? n : 1, sizeof(*sel));
    char *address;

    *count = 0;
    if (!sel)
        return TERN_ENOMEM;
    for (i = 0; i < n; i++) {
        address = tern_state_resource_address(&list[i]);
        if (!address) {
            tern_free(sel);
            return TERN_ENOMEM;
        }
        if (cli_addr_matches(filter, address))
            sel[(*count)++] = i;
        tern_free(address);
    }
    *out = sel;
    return TERN_OK;
}

int cli_cmd_state_show(struct cli_ctx *ctx)
{
    const char *arg = ctx->opts.args.items[0];
    tern_state_resource *list = NULL, *r = NULL;
    const tern_module *m;
    tern_buf out = TERN_BUF_INIT;
    struct cli_addr a;
    size_t n = 0, *sel = NULL, count = 0;
    char *address = NULL;
    int error, parsed = 0;

    if ((error = cli_addr_parse(&a, arg, &ctx->diags)) != 0)
        return error;
    parsed = 1;
    if (a.type == NULL) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL, "Invalid address",
                       "%s is a module; state show needs the address of one "
                       "resource instance.",
                       arg);
        error = TERN_EINVALID;
        goto done;
    }
    address = canonical(&a);
    TERN_CHECK_ALLOC(address);
    error = tern_state_get(ctx->state, &r, address, &ctx->diags);
    if (error == TERN_ENOTFOUND) {
        if ((error = tern_state_list(ctx->state, &list, &n, &ctx->diags)) ||
            (error = select_instances(list, n, address, &sel, &count)))
            goto done;
        if (count > 1) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Multiple instances found for the given pattern",
                           "%s matches %zu instances. This command requires "
                           "that the address references one specific "
                           "instance; use \"tern state list %s\" to see "
                           "them.",
                           address, count, address);
            error = TERN_EINVALID;
            goto done;
        }
        if (count == 0) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "No instance found for the given address",
                           "This command requires that the address "
                           "references one specific instance. To view the "
                           "available instances, use \"tern state list\".");
            error = TERN_ENOTFOUND;
            goto done;
        }
        r = &list[sel[0]];
        error = TERN_OK;
    }
    if (error)
        goto done;
    m = tern_module_find(r->mode == TERN_STATE_DATA ? TERN_MODULE_DATA
                                                    : TERN_MODULE_RESOURCE,
                         r->type);
    cli_render_instance(&out, r, m ? m->schema : NULL);
    if (tern_buf_oom(&out))
        error = TERN_ENOMEM;
    else
        cli_ui_write(ctx->ui.out, &out);
done:
    if (list == NULL || r < list || r >= list + n)
        tern_state_resource_free(r);
    tern_state_resources_free(list, n);
    tern_free(sel);
    tern_free(address);
    tern_buf_release(&out);
    if (parsed)
        cli_addr_release(&a);
    return error;
}

int cli_cmd_state_rm(struct cli_ctx *ctx)
{
    tern_state_resource *list = NULL;
    size_t n = 0, i, j, *sel = NULL, count = 0, removed = 0;
    unsigned char *marked = NULL;
    char **addrs = NULL;
    int error;

    if ((error = check_addrs(ctx, 0)) != 0)
        return error;
    if ((error = tern_state_list(ctx->state, &list, &n, &ctx->diags)) != 0)
        goto done;
    marked = tern_calloc(n ? n : 1, 1);
    TERN_CHECK_ALLOC(marked);
    /* Every address must match before anything is removed. */
    for (i = 0; i < ctx->opts.args.n; i++) {
        if ((error = select_instances(list, n, ctx->opts.args.items[i], &sel,
                                      &count)) != 0)
            goto done;
        if (count == 0) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Invalid target address",
                           "No matching objects found for %s. To view the "
                           "available instances, use \"tern state list\".",
                           ctx->opts.args.items[i]);
            error = TERN_ENOTFOUND;
        }
        for (j = 0; j < count; j++)
            marked[sel[j]] = 1;
        tern_free(sel);
        sel = NULL;
    }
    if (error)
        goto done;
    addrs = tern_calloc(n ? n : 1, sizeof(*addrs));
    TERN_CHECK_ALLOC(addrs);
    for (i = 0; i < n; i++) {
        if (!marked[i])
            continue;
        addrs[removed] = tern_state_resource_address(&list[i]);
        TERN_CHECK_ALLOC(addrs[removed]);
        removed++;
    }
    /* One change: one serial, all or nothing. */
    if (!ctx->opts.dry_run &&
        (error = tern_state_remove_many(ctx->state, (const char **)addrs,
                                        removed, &ctx->diags)) != 0)
        goto done;
    for (i = 0; i < removed; i++)
        fprintf(ctx->ui.out, "%s %s\n",
                ctx->opts.dry_run ? "Would remove" : "Removed", addrs[i]);
    if (ctx->opts.dry_run)
        fprintf(ctx->ui.out, "Would have removed %zu resource instance(s).\n",
                removed);
    else
        fprintf(ctx->ui.out,
                "%sSuccessfully removed %zu resource instance(s).%s\n",
                cli_c_green(&ctx->ui), removed, cli_c_reset(&ctx->ui));
done:
    for (i = 0; addrs && i < n; i++)
        tern_free(addrs[i]);
    tern_free(addrs);
    tern_free(marked);
    tern_free(sel);
    tern_state_resources_free(list, n);
    return error;
}

/* One planned move: the instance and where it goes (borrowed strings). */
struct move {
    tern_state_resource *from;
    tern_state_resource to; /* pointers borrowed from `from` and the addrs */
    char *to_module;        /* owned when the module path was rewritten */
};

static int module_under(const char *module, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(module, prefix, n) == 0 &&
           (module[n] == '\0' || module[n] == '.' || module[n] == '[');
}

/* Every target address must be free: a move never overwrites. */
static int targets_free(struct cli_ctx *ctx, const struct move *moves,
                        size_t nmoves)
{
    tern_state_resource *existing = NULL;
    char *new_addr = NULL;
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < nmoves; i++) {
        tern_free(new_addr);
        new_addr = tern_state_resource_address(&moves[i].to);
        TERN_CHECK_ALLOC(new_addr);
        error = tern_state_get(ctx->state, &existing, new_addr, &ctx->diags);
        tern_state_resource_free(existing);
        existing = NULL;
        if (error == TERN_OK) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Invalid target address",
                           "Cannot move to %s: there is already a resource "
                           "instance at that address in the current state.",
                           new_addr);
            error = TERN_EEXISTS;
            goto done;
        }
        if (error != TERN_ENOTFOUND)
            goto done;
        error = TERN_OK;
    }
done:
    tern_free(new_addr);
    return error;
}

int cli_cmd_state_mv(struct cli_ctx *ctx)
{
    const char *src_s = ctx->opts.args.items[0];
    const char *dst_s = ctx->opts.args.items[1];
    tern_state_resource *list = NULL, *tos = NULL;
    struct cli_addr src, dst;
    struct move *moves = NULL;
    size_t n = 0, i, nmoves = 0;
    char *src_addr = NULL, *addr = NULL, *new_addr = NULL;
    char **froms = NULL;
    int error, parsed = 0;

    if (cli_addr_parse(&src, src_s, &ctx->diags))
        return TERN_EINVALID;
    if (cli_addr_parse(&dst, dst_s, &ctx->diags)) {
        cli_addr_release(&src);
        return TERN_EINVALID;
    }
    parsed = 1;
    if ((src.type == NULL) != (dst.type == NULL) ||
        (src.type &&
         (strcmp(src.type, dst.type) != 0 || src.mode != dst.mode))) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Invalid state move request",
                       "Cannot move %s to %s: a resource moves only to an "
                       "address of the same type (and a module to a "
                       "module).",
                       src_s, dst_s);
        error = TERN_EINVALID;
        goto done;
    }
    if ((error = tern_state_list(ctx->state, &list, &n, &ctx->diags)) != 0)
        goto done;
    moves = tern_calloc(n ? n : 1, sizeof(*moves));
    TERN_CHECK_ALLOC(moves);
    if (src.type)
        src_addr = canonical(&src);
    for (i = 0; i < n; i++) {
        tern_state_resource *r = &list[i];
        struct move *m = &moves[nmoves];

        tern_free(addr);
        addr = tern_state_resource_address(r);
        TERN_CHECK_ALLOC(addr);
        m->from = r;
        m->to = *r;
        if (src.type == NULL) {
            /* A module and everything in it. */
            if (!module_under(r->module ? r->module : "", src.module))
                continue;
            m->to_module = tern_asprintf("%s%s", dst.module,
                                         r->module + strlen(src.module));
            TERN_CHECK_ALLOC(m->to_module);
            m->to.module = m->to_module;
        } else if (strcmp(addr, src_addr) == 0) {
            m->to.module = dst.module;
            m->to.name = dst.name;
            m->to.key_kind = (enum tern_state_key)dst.key_kind;
            m->to.key_int = dst.key_int;
            m->to.key_str = dst.key_str;
        } else if (src.key_kind == TERN_STATE_KEY_NONE &&
                   cli_addr_matches(src_addr, addr)) {
            /* Every instance of a resource, keeping their keys. */
            if (dst.key_kind != TERN_STATE_KEY_NONE) {
                tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                               "Invalid state move request",
                               "%s has several instances; move them to a "
                               "resource address without an index.",
                               src_s);
                error = TERN_EINVALID;
                goto done;
            }
            m->to.module = dst.module;
            m->to.name = dst.name;
        } else {
            continue;
        }
        nmoves++;
    }
    if (nmoves == 0) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Invalid source address",
                       "Cannot move %s: it does not match anything in the "
                       "current state.",
                       src_s);
        error = TERN_ENOTFOUND;
        goto done;
    }
    if ((error = targets_free(ctx, moves, nmoves)) != 0)
        goto done;
    froms = tern_calloc(nmoves, sizeof(*froms));
    tos = tern_calloc(nmoves, sizeof(*tos));
    TERN_CHECK_ALLOC(froms);
    TERN_CHECK_ALLOC(tos);
    for (i = 0; i < nmoves; i++) {
        froms[i] = tern_state_resource_address(moves[i].from);
        TERN_CHECK_ALLOC(froms[i]);
        tos[i] = moves[i].to;
    }
    /* One change: one serial, every instance moved or none. */
    if (!ctx->opts.dry_run &&
        (error = tern_state_move(ctx->state, (const char **)froms, tos, nmoves,
                                 &ctx->diags)) != 0)
        goto done;
    for (i = 0; i < nmoves; i++) {
        tern_free(new_addr);
        new_addr = tern_state_resource_address(&moves[i].to);
        TERN_CHECK_ALLOC(new_addr);
        fprintf(ctx->ui.out, "%s \"%s\" to \"%s\"\n",
                ctx->opts.dry_run ? "Would move" : "Move", froms[i], new_addr);
    }
    if (ctx->opts.dry_run)
        fprintf(ctx->ui.out, "Would have moved %zu object(s).\n", nmoves);
    else
        fprintf(ctx->ui.out, "%sSuccessfully moved %zu object(s).%s\n",
                cli_c_green(&ctx->ui), nmoves, cli_c_reset(&ctx->ui));
done:
    for (i = 0; froms && i < nmoves; i++)
        tern_free(froms[i]);
    tern_free(froms);
    tern_free(tos);
    for (i = 0; moves && i < n; i++)
        tern_free(moves[i].to_module);
    tern_free(moves);
    tern_free(src_addr);
    tern_free(addr);
    tern_free(new_addr);
    tern_state_resources_free(list, n);
    if (parsed) {
        cli_addr_release(&src);
        cli_addr_release(&dst);
    }
    return error;
}

int cli_cmd_state_pull(struct cli_ctx *ctx)
{
    json_t *doc = NULL;
    int error;

    /* A serial newer than the state's is the store's "No such serial". */
    error = tern_state_export(ctx->state, ctx->opts.serial, &doc, &ctx->diags);
    if (error)
        return error;
    error =
        cli_json_print(ctx->ui.out, doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return error;
}

/* A JSON document from a path, or standard input for "-". */
static int read_json_file(struct cli_ctx *ctx, const char *path, json_t **out)
{
    json_error_t jerr;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

    if (!f) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Failed to read state file", "Reading %s: %s.", path,
                       strerror(errno));
        return TERN_EINVALID;
    }
    *out = json_loadf(f, 0, &jerr);
    if (f != stdin)
        fclose(f);
    if (*out == NULL) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Failed to read state file",
                       "Reading %s: %s (line %d, column %d).",
                       strcmp(path, "-") == 0 ? "standard input" : path,
                       jerr.text, jerr.line, jerr.column);
        return TERN_EINVALID;
    }
    if (json_integer_value(json_object_get(*out, "version")) != 4) {
        tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                       "Unsupported state file format",
                       "%s is not a Terraform state file of format version "
                       "4 (Terraform 0.12 and later).",
                       path);
        json_decref(*out);
        *out = NULL;
        return TERN_EINVALID;
    }
    return TERN_OK;
}

static int supported_type(const char *type, enum tern_state_mode mode,
                          void *payload);

/*
 * The instances of a v4 document whose type tern does not have, one
 * "\n  ADDRESS" each, in @out; how many in *n. Malformed entries are left
 * to tern_state_import, which says what is wrong with them.
 */
static int unsupported_instances(const json_t *doc, tern_buf *out, size_t *n)
{
    const json_t *r, *inst, *key;
    size_t i, j;

    *n = 0;
    json_array_foreach(json_object_get(doc, "resources"), i, r)
    {
        tern_state_resource a = TERN_STATE_RESOURCE_INIT;
        const char *mode = json_string_value(json_object_get(r, "mode"));

        a.module = (char *)json_string_value(json_object_get(r, "module"));
        a.mode = mode && strcmp(mode, "data") == 0 ? TERN_STATE_DATA
                                                   : TERN_STATE_MANAGED;
        a.type = (char *)json_string_value(json_object_get(r, "type"));
        a.name = (char *)json_string_value(json_object_get(r, "name"));
        if (!a.type || !a.name || supported_type(a.type, a.mode, NULL))
            continue;
        json_array_foreach(json_object_get(r, "instances"), j, inst)
        {
            char *addr;

            key = json_object_get(inst, "index_key");
            a.key_kind = json_is_integer(key)  ? TERN_STATE_KEY_INT
                         : json_is_string(key) ? TERN_STATE_KEY_STRING
                                               : TERN_STATE_KEY_NONE;
            a.key_int = (long long)json_integer_value(key);
            a.key_str = (char *)json_string_value(key);
            addr = tern_state_resource_address(&a);
            if (!addr)
                return TERN_ENOMEM;
            tern_buf_printf(out, "\n  %s", addr);
            tern_free(addr);
            (*n)++;
        }
    }
    return tern_buf_oom(out) ? TERN_ENOMEM : TERN_OK;
}

/*
 * `state push` replaces the whole state, so it refuses a document holding
 * instances of types tern does not have (with or without -force): in the
 * state they would make every later plan fail. `state migrate` is the way
 * to take over only the instances tern manages.
 */
int cli_cmd_state_push(struct cli_ctx *ctx)
{
    const char *path = ctx->opts.args.items[0];
    tern_buf list = TERN_BUF_INIT;
    json_t *doc = NULL;
    size_t n = 0;
    int error;

    if ((error = read_json_file(ctx, path, &doc)) != 0)
        return error;
    if ((error = unsupported_instances(doc, &list, &n)) != 0)
        goto done;
    if (n > 0) {
        tern_diags_add(
            &ctx->diags, TERN_SEV_ERROR, NULL,
            "State has resources tern does not manage",
            "%s holds %zu resource instance%s of types tern does not "
            "have:%s\n\nIn tern's state they would make every plan fail, so "
            "nothing was pushed (-force does not change that). To take over "
            "only the instances tern manages, run \"tern state migrate "
            "%s\"; to push the whole state, remove these from it first.",
            strcmp(path, "-") == 0 ? "The state on standard input" : path, n,
            n == 1 ? "" : "s", tern_buf_cstr(&list), path);
        error = TERN_EINVALID;
        goto done;
    }
    error = tern_state_import(ctx->state, doc,
                              ctx->opts.force ? TERN_STATE_IMPORT_FORCE : 0,
                              &ctx->diags);
done:
    tern_buf_release(&list);
    json_decref(doc);
    return error;
}

static void format_time(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Whether the object at (kind, key) exists in the current state. */
static int exists_now(struct cli_ctx *ctx, const json_t *outputs,
                      const char *kind, const char *key)
{
    tern_state_resource *r = NULL;

    if (strcmp(kind, "output") == 0)
        return json_object_get(outputs, key) != NULL;
    if (tern_state_get(ctx->state, &r, key, NULL) == TERN_OK) {
        tern_state_resource_free(r);
        return 1;
    }
    return 0;
}

int cli_cmd_state_history(struct cli_ctx *ctx)
{
    tern_state_change *list = NULL;
    json_t *outputs = NULL, *arr = NULL;
    size_t n = 0, i, j;
    int error;

    if ((error = tern_state_history(ctx->state, -1, &list, &n, &ctx->diags)))
        goto done;
    if ((error = tern_state_outputs(ctx->state, &outputs, &ctx->diags)))
        goto done;
    arr = json_array();
    TERN_CHECK_ALLOC(arr);
    if (!ctx->opts.json)
        fprintf(ctx->ui.out, "%6s  %-20s  %-14s  %s\n", "SERIAL", "TIME",
                "COMMAND", "CHANGE");
    for (i = 0; i < n; i++) {
        const tern_state_change *c = &list[i];
        int after = -1;
        const char *action, *sym;
        char when[32];

        /* What came after: the next change's "before", or the present. */
        for (j = i + 1; j < n && after < 0; j++)
            if (strcmp(list[j].kind, c->kind) == 0 &&
                strcmp(list[j].key, c->key) == 0)
                after = list[j].before != NULL;
        if (after < 0)
            after = exists_now(ctx, outputs, c->kind, c->key);
        if (c->before == NULL) {
            action = "create";
            sym = "+";
        } else if (!after) {
            action = "delete";
            sym = "-";
        } else {
            action = "update";
            sym = "~";
        }
        format_time(c->time, when, sizeof(when));
        if (ctx->opts.json) {
            if (json_array_append_new(
                    arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "serial",
                                   (json_int_t)c->serial, "time", when,
                                   "operation", c->operation, "kind", c->kind,
                                   "address", c->key, "action", action))) {
                error = TERN_ENOMEM;
                goto done;
            }
        } else {
            fprintf(ctx->ui.out, "%6lld  %-20s  %-14s  %s %s%s\n",
                    (long long)c->serial, when, c->operation, sym,
                    strcmp(c->kind, "output") == 0 ? "output." : "", c->key);
        }
    }
    if (ctx->opts.json)
        error = cli_json_print(ctx->ui.out, arr,
                               JSON_INDENT(2) | JSON_PRESERVE_ORDER);
done:
    json_decref(arr);
    json_decref(outputs);
    tern_state_changes_free(list, n);
    return error;
}

static int supported_type(const char *type, enum tern_state_mode mode,
                          void *payload)
{
    (void)payload;
    return tern_module_find(mode == TERN_STATE_DATA ? TERN_MODULE_DATA
                                                    : TERN_MODULE_RESOURCE,
                            type) != NULL;
}

int cli_cmd_state_migrate(struct cli_ctx *ctx)
{
    const char *path = ctx->opts.args.items[0];
    struct tern_diags local = TERN_DIAGS_INIT;
    json_t *doc = NULL, *skipped = NULL, *res, *x;
    size_t total = 0, i, nout;
    int error;

    if ((error = read_json_file(ctx, path, &doc)) != 0)
        return error;
    json_array_foreach(json_object_get(doc, "resources"), i, res)
    {
        total += json_array_size(json_object_get(res, "instances"));
    }
    nout = json_object_size(json_object_get(doc, "outputs"));
    error = tern_state_migrate(ctx->state, doc, supported_type, NULL, &skipped,
                               &local);
    if (error) {
        tern_diags_move(&ctx->diags, &local);
        goto done;
    }
    /* The store's per-resource warnings say what the list below says. */
    tern_diags_release(&local);
    fprintf(ctx->ui.out,
            "%sMigrated %zu resource instance(s) and %zu output(s) from %s "
            "into %s.%s\n",
            cli_c_green(&ctx->ui), total - json_array_size(skipped), nout, path,
            tern_state_path(ctx->state), cli_c_reset(&ctx->ui));
    if (json_array_size(skipped) > 0) {
        fprintf(ctx->ui.out,
                "\nSkipped %zu resource instance(s) of types tern does not "
                "manage; they stay in the Terraform state:\n",
                json_array_size(skipped));
        json_array_foreach(skipped, i, x)
        {
            fprintf(ctx->ui.out, "  - %s\n", json_string_value(x));
        }
    }
done:
    tern_diags_release(&local);
    json_decref(skipped);
    json_decref(doc);
    return error;
}

int cli_cmd_force_unlock(struct cli_ctx *ctx)
{
    const char *id = ctx->opts.args.items[0];
    char *answer = NULL;
    int error;

    if (!ctx->opts.force) {
        if (!ctx->ui.interactive) {
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "Confirmation required",
                           "force-unlock asks for confirmation, and there is "
                           "no terminal to ask on (or -input=false was "
                           "given). Add -force to unlock without asking.");
            return TERN_EINVALID;
        }
        fprintf(ctx->ui.out,
                "Do you really want to force-unlock?\n"
                "  tern will clear the lock information of %s.\n"
                "  Only 'yes' will be accepted to confirm.\n\n",
                ctx->state_path);
        answer = cli_ui_ask(&ctx->ui, "  Enter a value: ");
        fputc('\n', ctx->ui.out);
        if (!answer || strcmp(answer, "yes") != 0) {
            tern_free(answer);
            tern_diags_add(&ctx->diags, TERN_SEV_ERROR, NULL,
                           "force-unlock cancelled",
                           "The lock information was not changed.");
            return TERN_ECANCELED;
        }
        tern_free(answer);
    }
    if (ctx->backend)
        error = tern_backend_s3_force_unlock(ctx->backend, id, &ctx->diags);
    else
        error = tern_state_force_unlock(ctx->state_path, id, &ctx->diags);
    if (error)
        return error;
    fprintf(ctx->ui.out,
            "%s%stern state has been successfully unlocked!%s\n\n"
            "The state has been unlocked, and tern commands should now be "
            "able to\nobtain a new lock on the state.\n",
            cli_c_bold(&ctx->ui), cli_c_green(&ctx->ui), cli_c_reset(&ctx->ui));
    return TERN_OK;
}
