/*
 * Input variables: where their values come from and what they become.
 *
 * Precedence, lowest first, as Terraform documents it: the default in the
 * variable block; TF_VAR_name environment variables; terraform.tfvars;
 * terraform.tfvars.json; *.auto.tfvars and *.auto.tfvars.json in name
 * order; -var and -var-file options in the order given. A value from the
 * environment or -var is text: taken as a string for primitive and
 * unconstrained types, parsed as an expression for collections and
 * objects.
 */
#include "lang/lang_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tern_lang_var_value *add_value(struct tern_lang_var_inputs *in)
{
    struct tern_lang_var_value *v;

    if (TERN_VEC_RESERVE(in->items, in->alloc, in->n + 1) != TERN_OK)
        return NULL;
    v = &in->items[in->n++];
    memset(v, 0, sizeof(*v));
    return v;
}

void tern_lang_var_inputs_release(struct tern_lang_var_inputs *in)
{
    size_t i;

    for (i = 0; i < in->n; i++) {
        tern_free(in->items[i].name);
        tern_free(in->items[i].raw);
        tern_free(in->items[i].origin);
    }
    tern_free(in->items);
    in->items = NULL;
    in->n = in->alloc = 0;
    tern_lang_sources_free(&in->sources);
}

/* A tfvars file: every attribute is a value; blocks are not allowed. */
static int add_file(struct tern_lang_var_inputs *in, const char *path,
                    const char *display, int from_cli, struct tern_diags *d)
{
    struct tern_lang_file *f = NULL;
    char *text = NULL;
    size_t len = 0, n = strlen(path), i;
    int error = tern_read_whole_file(path, &text, &len);

    if (error == TERN_ERROR) {
        tern_diags_add(d, TERN_SEV_ERROR, NULL, "Failed to read variables file",
                       "Given variables file %s does not exist or cannot be "
                       "read: %s.",
                       display, strerror(errno));
        return TERN_ERROR;
    }
    if (error)
        return error;
    if (n > 5 && strcmp(path + n - 5, ".json") == 0)
        error = tern_lang_parse_json(&in->sources, display, text, len, &f, d);
    else
        error = tern_lang_parse_hcl(&in->sources, display, text, len, &f, d);
    tern_free(text);
    if (error == TERN_ENOMEM || !f || !f->body)
        return TERN_ENOMEM;
    for (i = 0; i < f->body->nblocks; i++) {
        tern_diags_add(d, TERN_SEV_ERROR, &f->body->blocks[i]->def_range,
                       "Unexpected block",
                       "Blocks are not allowed in variables files; assign "
                       "each variable with name = value.");
        error = TERN_ERROR;
    }
    for (i = 0; i < f->body->nattrs; i++) {
        struct tern_lang_var_value *v = add_value(in);

        if (!v)
            return TERN_ENOMEM;
        v->name = tern_strdup(f->body->attrs[i].name);
        v->expr = f->body->attrs[i].expr;
        v->origin = tern_asprintf("file \"%s\"", display);
        v->from_cli = from_cli;
        if (!v->name || !v->origin)
            return TERN_ENOMEM;
    }
    return error;
}

static int add_raw(struct tern_lang_var_inputs *in, const char *name,
                   size_t nlen, const char *raw, const char *origin,
                   int from_cli)
{
    struct tern_lang_var_value *v = add_value(in);

    if (!v)
        return TERN_ENOMEM;
    v->name = tern_strndup(name, nlen);
    v->raw = tern_strdup(raw);
    v->origin = tern_strdup(origin);
    v->from_cli = from_cli;
    return v->name && v->raw && v->origin ? TERN_OK : TERN_ENOMEM;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n > m && strcmp(s + n - m, suffix) == 0;
}

int tern_lang_var_inputs_collect(struct tern_lang_var_inputs *in,
                                 const char *dir, char *const *envp,
                                 const char *const *cli, size_t ncli,
                                 struct tern_diags *d)
{
    const char **env = NULL;
    TERN_VEC(char *) autos = TERN_VEC_INIT;
    size_t nenv = 0, i;
    int error = TERN_OK, err;
    DIR *dh = NULL;
    struct dirent *de;
    char *path = NULL;

    /* The environment, sorted so that the result does not depend on the
     * order of environ. */
    for (i = 0; envp && envp[i]; i++)
        nenv++;
    env = tern_calloc(nenv + 1, sizeof(*env));
    if (!env)
        return TERN_ENOMEM;
    nenv = 0;
    for (i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], "TF_VAR_", 7) == 0 && strchr(envp[i], '='))
            env[nenv++] = envp[i];
    if (nenv > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(env, nenv, sizeof(*env), cmp_str);
    for (i = 0; i < nenv && !error; i++) {
        const char *eq = strchr(env[i], '=');

        error = add_raw(in, env[i] + 7, (size_t)(eq - env[i] - 7), eq + 1,
                        "environment", 0);
    }
    if (error)
        goto done;
    /* The files of the directory. */
    if (dir) {
        static const char *const fixed[] = {"terraform.tfvars",
                                            "terraform.tfvars.json"};

        for (i = 0; i < 2; i++) {
            FILE *f;

            tern_free(path);
            path = tern_asprintf("%s/%s", dir, fixed[i]);
            if (!path) {
                error = TERN_ENOMEM;
                goto done;
            }
            f = fopen(path, "rb");
            if (!f)
                continue;
            fclose(f);
            err = add_file(in, path, fixed[i], 0, d);
            if (err == TERN_ENOMEM) {
                error = err;
                goto done;
            }
            error = error ? error : err;
        }
        dh = opendir(dir);
        while (dh && (de = readdir(dh)) != NULL) {
            char *name;

            if (!ends_with(de->d_name, ".auto.tfvars") &&
                !ends_with(de->d_name, ".auto.tfvars.json"))
                continue;
            if (!(name = tern_strdup(de->d_name)) ||
                tern_vec_push(&autos, name) != TERN_OK) {
                tern_free(name);
                error = TERN_ENOMEM;
                goto done;
            }
        }
        if (autos.n > 1) /* autos.v is NULL when there are none */
            qsort(autos.v, autos.n, sizeof(*autos.v), cmp_str);
        for (i = 0; i < autos.n; i++) {
            tern_free(path);
            path = tern_asprintf("%s/%s", dir, autos.v[i]);
            if (!path) {
                error = TERN_ENOMEM;
                goto done;
            }
            err = add_file(in, path, autos.v[i], 0, d);
            if (err == TERN_ENOMEM) {
                error = err;
                goto done;
            }
            error = error ? error : err;
        }
    }
    /* The command line, in order. */
    for (i = 0; i < ncli; i++) {
        const char *arg = cli[i] + (cli[i][0] == '-');

        if (strncmp(arg, "var-file=", 9) == 0) {
            err = add_file(in, arg + 9, arg + 9, 1, d);
        } else if (strncmp(arg, "var=", 4) == 0 && strchr(arg + 4, '=')) {
            const char *eq = strchr(arg + 4, '=');

            err = add_raw(in, arg + 4, (size_t)(eq - arg - 4), eq + 1,
                          "the command line", 1);
        } else {
            tern_diags_add(d, TERN_SEV_ERROR, NULL, "Invalid -var option",
                           "The given -var option \"%s\" is not correctly "
                           "specified. It must be a variable name and "
                           "value separated by an equals sign, like "
                           "-var=\"key=value\".",
                           cli[i]);
            err = TERN_ERROR;
        }
        if (err == TERN_ENOMEM) {
            error = err;
            goto done;
        }
        error = error ? error : err;
    }

done:
    if (dh)
        closedir(dh);
    for (i = 0; i < autos.n; i++)
        tern_free(autos.v[i]);
    tern_vec_release(&autos);
    tern_free(env);
    tern_free(path);
    return error;
}

static int is_primitive(const struct tern_lang_type *t)
{
    return !t || t->kind == TERN_LTYPE_ANY || t->kind == TERN_LTYPE_STRING ||
           t->kind == TERN_LTYPE_NUMBER || t->kind == TERN_LTYPE_BOOL;
}

static int is_utf8(const char *s)
{
    size_t len = strlen(s), i = 0, n;

    while (i < len && (n = tern__utf8_valid(s + i, len - i)) != 0)
        i += n;
    return i == len;
}

/* The given value of one input, before conversion. */
static int input_value(struct tern_lang_var_inputs *in,
                       const struct tern_lang_var_value *iv,
                       const struct tern_lang_type *type, tern_value **out,
                       struct tern_diags *d)
{
    struct tern_expr *e = NULL;
    int error;

    if (iv->expr)
        return tern_lang_eval(iv->expr, NULL, out, d);
    if (is_primitive(type)) {
        /* Taken as it is, so checked here rather than by the parser. */
        if (!is_utf8(iv->raw)) {
            if (!tern_diags_add(d, TERN_SEV_ERROR, NULL,
                                "Invalid character encoding",
                                "The value for variable \"%s\" set from %s "
                                "is not valid UTF-8; every value must be "
                                "UTF-8 encoded.",
                                iv->name, iv->origin))
                return TERN_ENOMEM;
            return TERN_ERROR;
        }
        *out = tern_value_string(iv->raw);
        return *out ? TERN_OK : TERN_ENOMEM;
    }
    error = tern_lang_parse_expr(&in->sources, iv->origin, iv->raw,
                                 strlen(iv->raw), &e, d);
    if (error)
        return error;
    return tern_lang_eval(e, NULL, out, d);
}

static void ref_beyond_vars(void *ctx, const struct tern_lang_ref *ref)
{
    int *beyond = ctx;

    if (strcmp(ref->kind, "var") != 0)
        *beyond = 1;
}

/* Whether a validation rule refers to more than input variables: since
 * Terraform 1.9 it may refer to any object of its module (locals,
 * resources, data sources), which only the engine's scope has. */
static int beyond_vars(const struct tern_attribute *cond,
                       const struct tern_attribute *msg)
{
    int beyond = 0;

    tern_lang_expr_refs(cond->expr, ref_beyond_vars, &beyond);
    tern_lang_expr_refs(msg->expr, ref_beyond_vars, &beyond);
    return beyond;
}

/*
 * The validation rules of variable @var in @scope: those that refer only
 * to input variables (@late 0), or those that refer to more (@late 1).
 * Messages as Terraform's internal/terraform/eval_variable.go; an unknown
 * condition is not checked (it waits for more to be known).
 */
static int validate(const struct tern_block *var,
                    const struct tern_lang_scope *scope, int late,
                    const struct tern_range *subject, struct tern_diags *d)
{
    size_t i;
    int error = TERN_OK;

    for (i = 0; i < var->body->nblocks; i++) {
        const struct tern_block *b = var->body->blocks[i];
        const struct tern_attribute *cond, *msg;
        tern_value *c = NULL, *m = NULL;

        if (strcmp(b->type, "validation") != 0)
            continue;
        cond = tern_lang_body_attr(b->body, "condition");
        msg = tern_lang_body_attr(b->body, "error_message");
        if (!cond || !msg) {
            if (late)
                continue;
            tern_diags_add(d, TERN_SEV_ERROR, &b->def_range,
                           "Missing required argument",
                           "A validation block requires the arguments "
                           "\"condition\" and \"error_message\".");
            error = TERN_ERROR;
            continue;
        }
        if (late >= 0 && beyond_vars(cond, msg) != late)
            continue;
        if (tern_lang_eval(cond->expr, scope, &c, d)) {
            error = TERN_ERROR;
            continue;
        }
        if (tern_value_kind(c) == TERN_VAL_BOOL && !tern_value_get_bool(c)) {
            char at[256];

            snprintf(at, sizeof(at), "%s:%u,%u-%u", cond->range.file,
                     cond->range.start.line, cond->range.start.column,
                     cond->range.end.column);
            if (tern_lang_eval(msg->expr, scope, &m, d) == TERN_OK &&
                tern_value_kind(m) == TERN_VAL_STRING)
                tern_diags_add(d, TERN_SEV_ERROR,
                               subject ? subject : &cond->expr->range,
                               "Invalid value for variable",
                               "%s\n\nThis was checked by the validation "
                               "rule at %s.",
                               tern_value_has_sensitive(m)
                                   ? "The error message included a "
                                     "sensitive value, so it will not be "
                                     "displayed."
                                   : tern_value_get_string(m),
                               at);
            error = TERN_ERROR;
        } else if (tern_value_kind(c) != TERN_VAL_BOOL &&
                   !tern_value_is_unknown(c)) {
            tern_diags_add(d, TERN_SEV_ERROR, &cond->expr->range,
                           "Invalid variable validation result",
                           tern_value_is_null(c)
                               ? "Validation condition expression must "
                                 "return either true or false, not null."
                               : "The validation condition must be a bool.");
            error = TERN_ERROR;
        }
        tern_value_decref(c);
        tern_value_decref(m);
    }
    return error;
}

int tern_lang_variables_validate_late(const struct tern_lang_config *cfg,
                                      const struct tern_lang_scope *scope,
                                      struct tern_diags *d)
{
    size_t i;
    int error = TERN_OK, rc;

    for (i = 0; i < cfg->variables.n; i++) {
        const struct tern_block *b = cfg->variables.items[i];

        /* A variable that has no value was reported already. */
        if (!scope->vars || !tern_value_object_get(scope->vars, b->labels[0]))
            continue;
        if ((rc = validate(b, scope, 1, NULL, d)) == TERN_ENOMEM)
            return rc;
        if (rc)
            error = TERN_ERROR;
    }
    return error;
}

int tern_lang_variable_validate(const struct tern_block *var,
                                const struct tern_lang_scope *scope,
                                const struct tern_range *subject,
                                struct tern_diags *d)
{
    return validate(var, scope, -1, subject, d);
}

static int truthy_attr(const struct tern_body *b, const char *name, int dflt)
{
    const struct tern_attribute *a = tern_lang_body_attr(b, name);
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_value *v = NULL;
    int r = dflt;

    if (a && tern_lang_eval(a->expr, NULL, &v, &d) == TERN_OK &&
        tern_value_kind(v) == TERN_VAL_BOOL)
        r = tern_value_get_bool(v);
    tern_value_decref(v);
    tern_diags_release(&d);
    return r;
}

/* Values given for variables nobody declared: a warning for one from a
 * file, an error for one from the command line; TF_VAR_ names nobody
 * declared are ignored, as Terraform does. */
static int warn_undeclared(const struct tern_lang_config *cfg,
                           const struct tern_lang_var_inputs *in,
                           struct tern_diags *d)
{
    size_t i, j;
    int error = TERN_OK;

    for (i = 0; in && i < in->n; i++) {
        const struct tern_lang_var_value *iv = &in->items[i];

        for (j = 0; j < cfg->variables.n; j++)
            if (strcmp(cfg->variables.items[j]->labels[0], iv->name) == 0)
                break;
        if (j < cfg->variables.n)
            continue;
        if (iv->expr) {
            tern_diags_add(d, TERN_SEV_WARNING, NULL,
                           "Value for undeclared variable",
                           "The root module does not declare a variable "
                           "named \"%s\" but a value was found in %s. If "
                           "you meant to use this value, add a \"variable\" "
                           "block to the configuration.",
                           iv->name, iv->origin);
        } else if (iv->from_cli) {
            tern_diags_add(d, TERN_SEV_ERROR, NULL,
                           "Value for undeclared variable",
                           "A variable named \"%s\" was assigned on the "
                           "command line, but the root module does not "
                           "declare a variable of that name. To use this "
                           "value, add a \"variable\" block to the "
                           "configuration.",
                           iv->name);
            error = TERN_ERROR;
        }
    }
    return error;
}

/* A variable's default, converted to its type when it has one. */
static int variable_default(const struct tern_attribute *da,
                            const struct tern_lang_type *type, tern_value **def,
                            struct tern_diags *d)
{
    char why[512];
    int err = tern_lang_eval(da->expr, NULL, def, d);

    if (!err && type) {
        tern_value *c = NULL;

        err = tern_lang_type_convert(type, *def, &c, why, sizeof(why));
        if (err == TERN_ERROR)
            tern_diags_add(d, TERN_SEV_ERROR, &da->expr->range,
                           "Invalid default value for variable",
                           "This default value is not compatible "
                           "with the variable's type constraint: "
                           "%s.",
                           why);
        tern_value_decref(*def);
        *def = c;
    }
    return err;
}

/* A value given for a variable (-var, -var-file, TF_VAR_, a tfvars
 * file), converted to its type when it has one. */
static int variable_given(struct tern_lang_var_inputs *in,
                          const struct tern_lang_var_value *given,
                          const struct tern_block *b,
                          const struct tern_lang_type *type, tern_value **val,
                          struct tern_diags *d)
{
    const char *name = b->labels[0];
    tern_value *raw = NULL;
    char why[512];
    int err = input_value(in, given, type, &raw, d);

    if (!err && type) {
        err = tern_lang_type_convert(type, raw, val, why, sizeof(why));
        if (err == TERN_ERROR)
            tern_diags_add(d, TERN_SEV_ERROR,
                           given->expr ? &given->expr->range : &b->def_range,
                           "Invalid value for input variable",
                           "The value for var.%s from %s is not suitable for "
                           "its type constraint: %s.",
                           name, given->origin, why);
    } else if (!err) {
        *val = tern_value_incref(raw);
    }
    tern_value_decref(raw);
    return err;
}

/* A null value for a variable with nullable = false: its default when it
 * has a non-null one, else Terraform's error for where the null came
 * from. */
static int variable_not_null(const struct tern_block *b,
                             const struct tern_attribute *da,
                             const struct tern_lang_var_value *given,
                             tern_value *def, tern_value **val,
                             struct tern_diags *d)
{
    const char *name = b->labels[0];

    if (def && !tern_value_is_null(def)) {
        tern_value_decref(*val);
        *val = tern_value_incref(def);
        return TERN_OK;
    }
    if (!given) {
        /* internal/configs/named_values.go */
        tern_diags_add(d, TERN_SEV_ERROR, da ? &da->expr->range : &b->def_range,
                       "Invalid default value for variable",
                       "A null default value is not valid when "
                       "nullable=false.");
    } else if (given->expr) {
        /* internal/terraform/eval_variable.go,
         * prepareFinalInputVariableValue */
        tern_diags_add(d, TERN_SEV_ERROR, &given->expr->range,
                       "Required variable not set",
                       "The given value is not suitable for var.%s "
                       "defined at %s:%u,%u-%u: required variable "
                       "may not be set to null.",
                       name, b->def_range.file, b->def_range.start.line,
                       b->def_range.start.column, b->def_range.end.column);
    } else {
        tern_diags_add(
            d, TERN_SEV_ERROR, &b->def_range, "Required variable not set",
            "Unsuitable value for var.%s %s%s%s: required "
            "variable may not be set to null.",
            name,
            given->from_cli ? "set using -var=\"" : "set using the TF_VAR_",
            name, given->from_cli ? "=...\"" : " environment variable");
    }
    return TERN_ERROR;
}

/* One variable's value into vars: the value given, else its default,
 * typed, not null where it may not be, marked when sensitive. */
static int variable_value(struct tern_lang_var_inputs *in,
                          const struct tern_block *b, tern_value *vars,
                          struct tern_diags *d)
{
    const char *name = b->labels[0];
    const struct tern_attribute *ta = tern_lang_body_attr(b->body, "type");
    const struct tern_attribute *da = tern_lang_body_attr(b->body, "default");
    const struct tern_lang_var_value *given = NULL;
    struct tern_lang_type *type = NULL;
    tern_value *val = NULL, *def = NULL;
    size_t j;
    int err;

    if (ta && (err = tern_lang_type_parse(ta->expr, &type, d)))
        return err == TERN_ENOMEM ? err : TERN_ERROR;
    if (da && (err = variable_default(da, type, &def, d))) {
        tern_lang_type_free(type);
        return err == TERN_ENOMEM ? err : TERN_ERROR;
    }
    for (j = 0; in && j < in->n; j++)
        if (strcmp(in->items[j].name, name) == 0)
            given = &in->items[j];
    if (given) {
        err = variable_given(in, given, b, type, &val, d);
    } else if (def) {
        val = tern_value_incref(def);
        err = TERN_OK;
    } else {
        tern_diags_add(d, TERN_SEV_ERROR, &b->def_range,
                       "No value for required variable",
                       "The root module input variable \"%s\" is not "
                       "set, and has no default value. Use a -var or "
                       "-var-file command line argument to provide a "
                       "value for this variable.",
                       name);
        err = TERN_ERROR;
    }
    if (!err && tern_value_is_null(val) && !truthy_attr(b->body, "nullable", 1))
        err = variable_not_null(b, da, given, def, &val, d);
    if (!err && truthy_attr(b->body, "sensitive", 0))
        val = tern_value_mark_sensitive(val);
    if (!err)
        err = tern_value_object_set(vars, name, val);
    else
        tern_value_decref(val);
    tern_value_decref(def);
    tern_lang_type_free(type);
    return err;
}

/* Validation rules, once every variable has its value: since Terraform
 * 1.9 a rule may refer to the other variables. The variables that pass
 * go into *valid; one that fails one is left out, as one without a value
 * is. */
static int variables_validate(const struct tern_lang_config *cfg,
                              tern_value *vars, tern_value *valid,
                              struct tern_diags *d, int error)
{
    size_t i;

    for (i = 0; valid && error != TERN_ENOMEM && i < cfg->variables.n; i++) {
        const struct tern_block *b = cfg->variables.items[i];
        tern_value *v = tern_value_object_get(vars, b->labels[0]);
        struct tern_lang_scope scope;
        int err;

        if (!v)
            continue;
        memset(&scope, 0, sizeof(scope));
        scope.vars = vars;
        err = validate(b, &scope, 0, NULL, d);
        if (err)
            error = err == TERN_ENOMEM ? err : TERN_ERROR;
        else if (tern_value_object_set(valid, b->labels[0],
                                       tern_value_incref(v)))
            error = TERN_ENOMEM;
    }
    return error;
}

int tern_lang_variables_eval(const struct tern_lang_config *cfg,
                             struct tern_lang_var_inputs *in, tern_value **out,
                             struct tern_diags *d)
{
    tern_value *vars = tern_value_object_new(), *valid;
    size_t i;
    int error = TERN_OK, err;

    *out = NULL;
    if (!vars)
        return TERN_ENOMEM;
    error = warn_undeclared(cfg, in, d);
    for (i = 0; i < cfg->variables.n; i++) {
        err = variable_value(in, cfg->variables.items[i], vars, d);
        if (err == TERN_ENOMEM) {
            error = err;
            break;
        }
        if (err)
            error = TERN_ERROR;
    }
    valid = tern_value_object_new();
    error = variables_validate(cfg, vars, valid, d, error);
    tern_value_decref(vars);
    vars = valid;
    if (!vars)
        error = TERN_ENOMEM;
    if (error == TERN_ENOMEM) {
        tern_value_decref(vars);
        return error;
    }
    *out = vars;
    return error;
}
