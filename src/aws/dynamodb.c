/*
 * The DynamoDB client (see dynamodb.h). The protocol facts are botocore's
 * (data/dynamodb/2012-08-10/service-2.json: "protocol": "json",
 * "jsonVersion": "1.0", "targetPrefix": "DynamoDB_20120810",
 * "signingName": "dynamodb"; botocore/serialize.py JSONSerializer).
 */
#include "aws/dynamodb.h"
#include "aws/core.h"
#include "aws/sigv4.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_PREFIX "DynamoDB_20120810."
#define CONTENT_TYPE  "application/x-amz-json-1.0"

struct tern_ddb_client {
    struct tern_aws_core core; /* endpoint, credentials, signing, retries */
    char *url;                 /* scheme://host/path of the endpoint */
};

void tern_ddb_client_free(tern_ddb_client *c)
{
    if (!c)
        return;
    tern_aws_core_release(&c->core);
    tern_free(c->url);
    tern_free(c);
}

const char *tern_ddb_client_endpoint(const tern_ddb_client *c)
{
    return c->core.endpoint;
}

int tern_ddb_client_new(tern_ddb_client **out, const tern_aws_client_opts *opts,
                        struct tern_diags *diags)
{
    tern_ddb_client *c = NULL;
    int error;

    *out = NULL;
    if (!opts || !opts->http || !opts->credentials)
        return TERN_EINVALID;
    c = tern_calloc(1, sizeof(*c));
    if (!c)
        return TERN_ENOMEM;
    error = tern_aws_core_init(&c->core, tern_aws_service_find("dynamodb"),
                               opts, diags);
    if (error)
        goto done;
    c->url =
        tern_asprintf("%s://%s%s", c->core.scheme, c->core.host, c->core.path);
    if (!c->url)
        error = TERN_ENOMEM;
done:
    if (error == TERN_OK)
        *out = c;
    else
        tern_ddb_client_free(c);
    return error;
}

/* The code after '#' of "__type" (borrowed from @p doc), or NULL. */
static const char *error_code(const json_t *doc)
{
    const char *t = json_string_value(json_object_get(doc, "__type"));
    const char *hash = t ? strrchr(t, '#') : NULL;

    return hash ? hash + 1 : t;
}

static const char *error_message(const json_t *doc)
{
    const char *m = json_string_value(json_object_get(doc, "message"));

    return m ? m : json_string_value(json_object_get(doc, "Message"));
}

static int error_class(const char *code, long status)
{
    (void)status;
    if (!code)
        return TERN_ERROR;
    if (strcmp(code, "ConditionalCheckFailedException") == 0)
        return TERN_ECONFLICT;
    if (strcmp(code, "ResourceNotFoundException") == 0)
        return TERN_ENOTFOUND;
    if (strcmp(code, "UnrecognizedClientException") == 0 ||
        strcmp(code, "InvalidSignatureException") == 0 ||
        strcmp(code, "AccessDeniedException") == 0 ||
        strcmp(code, "MissingAuthenticationTokenException") == 0)
        return TERN_EAUTH;
    return TERN_ERROR;
}

/* One call's state: the core's (k.ud: this) and the answer's document. */
struct ddb_call {
    struct tern_aws_call k;
    const char *table;
    json_t *doc;
};

/* A 2xx answer: a JSON object. */
static int read_success(struct tern_aws_call *k)
{
    struct ddb_call *d = k->ud;
    int oom = 0;

    d->doc = tern_json_loadb(k->resp.body.ptr ? k->resp.body.ptr : "",
                             k->resp.body.len, 0, NULL, &oom);
    if (oom) /* not a malformed answer, nor one to retry */
        return TERN_ENOMEM;
    if (json_is_object(d->doc))
        return TERN_OK;
    tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                   "DynamoDB %s on table %s: the answer is not a JSON object.",
                   k->action, d->table);
    return TERN_ERROR;
}

/* An error answer: {"__type": "...#CODE", "message": "..."}. */
static int read_error(struct tern_aws_call *k)
{
    int oom = 0;
    json_t *doc = tern_json_loadb(k->resp.body.ptr ? k->resp.body.ptr : "",
                                  k->resp.body.len, 0, NULL, &oom);
    const char *code = error_code(doc), *msg = error_message(doc);
    int error = TERN_OK;

    if (oom || (code && !(k->aerr.code = tern_strdup(code))) ||
        (msg && !(k->aerr.message = tern_strdup(msg))))
        error = TERN_ENOMEM;
    json_decref(doc);
    return error;
}

static void report(const struct ddb_call *d)
{
    const struct tern_aws_call *k = &d->k;
    const tern_aws_error *aerr = &k->aerr;
    struct tern_diag *diag;

    if (!k->resp.status) {
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "DynamoDB %s on table %s failed after %d attempt%s: %s",
                       k->action, d->table, k->attempt,
                       k->attempt == 1 ? "" : "s", k->resp.error);
        return;
    }
    diag = tern_diags_add(
        k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
        "DynamoDB %s on table %s: %s: %s (HTTP %ld, request id %s, %d "
        "attempt%s)",
        k->action, d->table, aerr->code ? aerr->code : "error",
        aerr->message ? aerr->message : "the service answered no message",
        k->resp.status, aerr->request_id ? aerr->request_id : "unknown",
        k->attempt, k->attempt == 1 ? "" : "s");
    if (diag && aerr->code)
        diag->service_code = tern_strdup(aerr->code);
    if (diag && aerr->request_id)
        diag->request_id = tern_strdup(aerr->request_id);
}

int tern_ddb_call(tern_ddb_client *c, const char *action, const char *table,
                  const char *body, json_t **out, struct tern_diags *diags)
{
    struct tern_http_header h[2];
    struct ddb_call d;
    char target[64];
    int error;

    if (out)
        *out = NULL;
    memset(&d, 0, sizeof(d));
    tern_aws_call_init(&d.k, action, diags);
    d.k.ud = &d;
    d.table = table;
    snprintf(target, sizeof(target), TARGET_PREFIX "%s", action);
    h[0].name = "Content-Type";
    h[0].value = CONTENT_TYPE;
    h[1].name = "X-Amz-Target";
    h[1].value = target;
    d.k.req.method = "POST";
    d.k.req.url = c->url;
    d.k.req.headers = h;
    d.k.req.nheaders = 2;
    d.k.req.body = body;
    d.k.req.body_len = strlen(body);
    d.k.read_success = read_success;
    d.k.read_error = read_error;
    d.k.error_class = error_class;
    error = tern_aws_core_call(&c->core, &d.k);
    if (d.k.failed && d.k.over_deadline)
        tern_aws_core_report_deadline(&c->core, &d.k);
    else if (d.k.failed)
        report(&d);
    if (error == TERN_OK && out) {
        *out = d.doc;
        d.doc = NULL;
    }
    json_decref(d.doc);
    tern_aws_call_release(&d.k);
    return error;
}

/* One code point of UTF-8 at @p s (advanced), or -1. */
static long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    long cp;
    int n, i;

    if (p[0] < 0x80) {
        *s = p + 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0)
        n = 1, cp = p[0] & 0x1F;
    else if ((p[0] & 0xF0) == 0xE0)
        n = 2, cp = p[0] & 0x0F;
    else if ((p[0] & 0xF8) == 0xF0)
        n = 3, cp = p[0] & 0x07;
    else
        return -1;
    for (i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *s = p + n + 1;
    return cp > 0x10FFFF ? -1 : cp;
}

/* Python's json encoder (py_encode_basestring_ascii): ", \, \n, \r, \t,
 * \b, \f by name; other controls and every non-ASCII code point \uxxxx
 * (lower-case), beyond the BMP as a surrogate pair. */
int tern_ddb_json_string(tern_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char esc[16];

    tern_buf_putc(b, '"');
    while (*p) {
        long cp = utf8_next(&p);

        if (cp < 0)
            return TERN_EINVALID;
        switch (cp) {
        case '"':
            tern_buf_puts(b, "\\\"");
            continue;
        case '\\':
            tern_buf_puts(b, "\\\\");
            continue;
        case '\n':
            tern_buf_puts(b, "\\n");
            continue;
        case '\r':
            tern_buf_puts(b, "\\r");
            continue;
        case '\t':
            tern_buf_puts(b, "\\t");
            continue;
        case '\b':
            tern_buf_puts(b, "\\b");
            continue;
        case '\f':
            tern_buf_puts(b, "\\f");
            continue;
        default:
            break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            tern_buf_putc(b, (char)cp);
        } else if (cp < 0x10000) {
            snprintf(esc, sizeof(esc), "\\u%04lx", cp);
            tern_buf_puts(b, esc);
        } else {
            cp -= 0x10000;
            snprintf(esc, sizeof(esc), "\\u%04lx\\u%04lx",
                     0xD800 | ((cp >> 10) & 0x3FF), 0xDC00 | (cp & 0x3FF));
            tern_buf_puts(b, esc);
        }
    }
    tern_buf_putc(b, '"');
    return TERN_OK;
}

/* "NAME":{"S":VALUE} */
static int put_s(tern_buf *b, const char *name, const char *value)
{
    int e = tern_ddb_json_string(b, name);

    tern_buf_puts(b, ": {\"S\": ");
    if (e == TERN_OK)
        e = tern_ddb_json_string(b, value);
    tern_buf_putc(b, '}');
    return e;
}

static char *finish(tern_buf *b, const char *table, int error)
{
    tern_buf_puts(b, "\"TableName\": ");
    if (error == TERN_OK)
        error = tern_ddb_json_string(b, table);
    tern_buf_putc(b, '}');
    if (error != TERN_OK || tern_buf_oom(b)) {
        tern_buf_release(b);
        return NULL;
    }
    return tern_buf_detach(b);
}

char *tern_ddb_put_body(const char *table, const char *condition,
                        const char *name1, const char *value1,
                        const char *name2, const char *value2)
{
    tern_buf b = TERN_BUF_INIT;
    int e = TERN_OK;

    tern_buf_putc(&b, '{');
    if (condition) {
        tern_buf_puts(&b, "\"ConditionExpression\": ");
        e = tern_ddb_json_string(&b, condition);
        tern_buf_puts(&b, ", ");
    }
    tern_buf_puts(&b, "\"Item\": {");
    if (e == TERN_OK)
        e = put_s(&b, name1, value1);
    tern_buf_puts(&b, ", ");
    if (e == TERN_OK)
        e = put_s(&b, name2, value2);
    tern_buf_puts(&b, "}, ");
    return finish(&b, table, e);
}

char *tern_ddb_get_body(const char *table, const char *lock_id,
                        const char *projection)
{
    tern_buf b = TERN_BUF_INIT;
    int e;

    tern_buf_puts(&b, "{\"ConsistentRead\": true, \"Key\": {");
    e = put_s(&b, "LockID", lock_id);
    tern_buf_puts(&b, "}, \"ProjectionExpression\": ");
    if (e == TERN_OK)
        e = tern_ddb_json_string(&b, projection);
    tern_buf_puts(&b, ", ");
    return finish(&b, table, e);
}

char *tern_ddb_delete_body(const char *table, const char *lock_id)
{
    tern_buf b = TERN_BUF_INIT;
    int e;

    tern_buf_puts(&b, "{\"Key\": {");
    e = put_s(&b, "LockID", lock_id);
    tern_buf_puts(&b, "}, ");
    return finish(&b, table, e);
}
