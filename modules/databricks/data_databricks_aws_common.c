/*
 * What the Databricks AWS policy data sources share; see
 * data_databricks_aws_common.h.
 */
#include "data_databricks_aws_common.h"

#include "policy/gojson.h"
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The provider's aws/constants.go (AwsConfig): Databricks' production
 * account in each partition it runs in, and its usage-delivery role. */
static const struct tern__dbx_partition partitions[] = {
    {"aws", "414351767826", "aws",
     "arn:aws:iam::414351767826:role/"
     "SaasUsageDeliveryRole-prod-IAMRole-3PLHICCRR1TK"},
    {"aws-us-gov", "044793339203", "aws-us-gov",
     "arn:aws-us-gov:iam::044793339203:role/"
     "SaasUsageDeliveryRole-prod-aws-gov-IAMRole-L4QM0RCHYQ1G"},
    {"aws-us-gov-dod", "170661010020", "aws-us-gov",
     "arn:aws-us-gov:iam::170661010020:role/"
     "SaasUsageDeliveryRole-prod-aws-gov-dod-IAMRole-1DMEHBYR8VC5P"},
};
#define N_PARTITIONS (sizeof(partitions) / sizeof(partitions[0]))

const struct tern__dbx_partition *tern__dbx_partition(const char *name)
{
    size_t i;

    for (i = 0; name && i < N_PARTITIONS; i++)
        if (strcmp(partitions[i].name, name) == 0)
            return &partitions[i];
    return NULL;
}

int tern__dbx_partition_check(const char *value, char *why, size_t why_size)
{
    if (tern__dbx_partition(value))
        return 0;
    snprintf(why, why_size,
             "must be \"aws\", \"aws-us-gov\" or \"aws-us-gov-dod\" (the "
             "partitions the Databricks provider knows), not \"%s\".",
             value);
    return 1;
}

int tern__dbx_config_partition(tern_op *op, const json_t *config, int in_schema,
                               const struct tern__dbx_partition **out)
{
    const json_t *v = json_object_get(config, "aws_partition");
    const char *name = json_is_string(v) ? json_string_value(v) : "aws";
    char why[256];
    struct tern_diag *dg;

    *out = tern__dbx_partition(name);
    if (*out)
        return TERN_OK;
    tern__dbx_partition_check(name, why, sizeof(why));
    dg = in_schema ? tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                                    "Invalid value for argument",
                                    "The argument \"aws_partition\" %s", why)
                   : tern_diags_add(op->diags, TERN_SEV_ERROR, NULL,
                                    "aws_partition must be either 'aws' or "
                                    "'aws-us-gov' or 'aws-us-gov-dod'",
                                    "The argument \"aws_partition\" %s", why);
    return dg ? TERN_EINVALID : TERN_ENOMEM;
}

static json_t *made(tern__dbx_doc *d, json_t *v)
{
    if (!v)
        d->oom = 1;
    return v;
}

json_t *tern__dbx_str(tern__dbx_doc *d, const char *s)
{
    return made(d, json_string(s));
}

json_t *tern__dbx_fmt(tern__dbx_doc *d, const char *fmt, ...)
{
    char *s = NULL;
    json_t *v = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && (s = tern_malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
        v = json_string(s);
    }
    tern_free(s);
    return made(d, v);
}

json_t *tern__dbx_strs(tern__dbx_doc *d, const char *const *list)
{
    json_t *a = json_array();

    for (; a && *list; list++)
        if (json_array_append_new(a, json_string(*list)) != 0) {
            json_decref(a);
            a = NULL;
        }
    return made(d, a);
}

json_t *tern__dbx_copy(tern__dbx_doc *d, const json_t *v)
{
    return made(d, json_deep_copy(v));
}

json_t *tern__dbx_list(tern__dbx_doc *d, size_t n, ...)
{
    json_t *a = json_array(), *v;
    va_list ap;
    size_t i;

    va_start(ap, n);
    for (i = 0; i < n; i++) {
        v = va_arg(ap, json_t *);
        if (a && (!v || json_array_append(a, v) != 0)) {
            json_decref(a);
            a = NULL;
        }
        json_decref(v);
    }
    va_end(ap);
    return made(d, a);
}

json_t *tern__dbx_obj(tern__dbx_doc *d, const char *key, json_t *v)
{
    json_t *o = v ? json_object() : NULL;

    if (o && json_object_set(o, key, v) != 0) {
        json_decref(o);
        o = NULL;
    }
    json_decref(v);
    return made(d, o);
}

json_t *tern__dbx_cond(tern__dbx_doc *d, const char *op, const char *key,
                       const char *value)
{
    return made(d, json_pack("{s:{s:s}}", op, key, value));
}

void tern__dbx_add(tern__dbx_doc *d, const char *sid, json_t *action,
                   json_t *resource, json_t *not_resource, json_t *principal,
                   json_t *condition)
{
    const char *keys[] = {"Action", "Resource", "NotResource", "Principal",
                          "Condition"};
    json_t *vals[] = {action, resource, not_resource, principal, condition};
    json_t *s = json_object();
    size_t i;

    if (!d->statements && !d->oom)
        d->statements = made(d, json_array());
    if (s && sid && json_object_set_new(s, "Sid", json_string(sid)) != 0)
        d->oom = 1;
    if (s && json_object_set_new(s, "Effect", json_string("Allow")) != 0)
        d->oom = 1;
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        if (s && vals[i] && json_object_set(s, keys[i], vals[i]) != 0)
            d->oom = 1;
        json_decref(vals[i]);
    }
    if (!s || !d->statements || json_array_append_new(d->statements, s) != 0)
        d->oom = 1;
}

int tern__dbx_policy_state(json_t **out, const json_t *config, tern__dbx_doc *d,
                           const char *id, const char *defaults_fmt, ...)
{
    json_t *doc = NULL, *st = NULL, *defaults = NULL, *v;
    char *text = NULL;
    const char *name;
    va_list ap;
    int error = TERN_ENOMEM;

    *out = NULL;
    va_start(ap, defaults_fmt);
    defaults = json_vpack_ex(NULL, 0, defaults_fmt, ap);
    va_end(ap);
    if (d->oom || !d->statements || !defaults)
        goto done;
    doc = json_pack("{s:s, s:O}", "Version", "2012-10-17", "Statement",
                    d->statements);
    if (!doc)
        goto done;
    if ((error = tern_policy_go_json(&text, doc, 1)))
        goto done;
    error = TERN_ENOMEM;
    st = json_is_object(config) ? json_deep_copy(config) : json_object();
    if (!st)
        goto done;
    json_object_foreach(defaults, name, v)
    {
        const json_t *cur = json_object_get(st, name);

        if ((!cur || json_is_null(cur)) && json_object_set(st, name, v) != 0)
            goto done;
    }
    if (json_object_set_new(st, "id", json_string(id)) != 0 ||
        json_object_set_new(st, "json", json_string(text)) != 0)
        goto done;
    *out = st;
    st = NULL;
    error = TERN_OK;
done:
    json_decref(d->statements);
    d->statements = NULL;
    json_decref(defaults);
    json_decref(doc);
    json_decref(st);
    tern_free(text);
    return error;
}
