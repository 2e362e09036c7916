/*
 * The AWS Query client: endpoint resolution, the Query protocol's body
 * (aws/wire.c), its answers and error mapping, and paging. Signing, the
 * standard retry mode with its retry budget, clock-skew correction and the
 * call's deadline are the core every AWS client shares (aws/core.c). See
 * client.h for the rules.
 */
#include "aws/client.h"
#include "aws/core.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "aws/wire.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

struct tern_aws_client {
    struct tern_aws_core core; /* endpoint, credentials, signing, retries */
    const char *version;       /* API version */
    long max_pages, max_items;
};

/*
 * Error codes, as the SDKs list them.
 */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    NULL};

static const char *const transient_codes[] = {"RequestTimeout",
                                              "RequestTimeoutException",
                                              "InternalError",
                                              "InternalFailure",
                                              "ServiceFailure",
                                              "ServiceUnavailable",
                                              "ServiceUnavailableException",
                                              NULL};

static const char *const auth_codes[] = {"InvalidClientTokenId",
                                         "SignatureDoesNotMatch",
                                         "IncompleteSignature",
                                         "ExpiredToken",
                                         "ExpiredTokenException",
                                         "RequestExpired",
                                         "RequestTimeTooSkewed",
                                         "AccessDenied",
                                         "AccessDeniedException",
                                         "UnrecognizedClientException",
                                         "MissingAuthenticationToken",
                                         "InvalidAccessKeyId",
                                         "AuthFailure",
                                         "NotAuthorized",
                                         "UnauthorizedOperation",
                                         NULL};

static const char *const invalid_codes[] = {"ValidationError",
                                            "ValidationException",
                                            "InvalidInput",
                                            "MalformedPolicyDocument",
                                            "InvalidParameterValue",
                                            "InvalidParameterCombination",
                                            "MissingParameter",
                                            "MissingAction",
                                            "InvalidAction",
                                            "MalformedQueryString",
                                            "PackedPolicyTooLarge",
                                            "UnmodifiableEntity",
                                            NULL};

static int in_list(const char *const *list, const char *code)
{
    if (!code)
        return 0;
    for (; *list; list++) {
        if (strcmp(*list, code) == 0)
            return 1;
    }
    return 0;
}

int tern_aws_error_retryable(const char *code, long status)
{
    if (in_list(throttle_codes, code))
        return TERN_AWS_RETRY_THROTTLED;
    if (status == 429)
        return TERN_AWS_RETRY_THROTTLED;
    if (in_list(transient_codes, code))
        return TERN_AWS_RETRY_TRANSIENT;
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return TERN_AWS_RETRY_TRANSIENT;
    return TERN_AWS_RETRY_NONE;
}

int tern_aws_error_class(const char *code, long status)
{
    if (code && (strcmp(code, "NoSuchEntity") == 0 ||
                 strcmp(code, "NoSuchEntityException") == 0))
        return TERN_ENOTFOUND;
    if (code && strcmp(code, "EntityAlreadyExists") == 0)
        return TERN_EEXISTS;
    if (code && (strcmp(code, "DeleteConflict") == 0 ||
                 strcmp(code, "ConcurrentModification") == 0))
        return TERN_ECONFLICT;
    if (in_list(throttle_codes, code) || status == 429)
        return TERN_ETHROTTLED;
    if (in_list(auth_codes, code) || status == 401 || status == 403)
        return TERN_EAUTH;
    if (in_list(invalid_codes, code))
        return TERN_EINVALID;
    return TERN_ERROR;
}

void tern_aws_client_free(tern_aws_client *c)
{
    if (!c)
        return;
    tern_aws_core_release(&c->core);
    tern_free(c);
}

int tern_aws_client_new(tern_aws_client **out, const tern_aws_client_opts *opts,
                        struct tern_diags *diags)
{
    const struct tern_aws_service *svc;
    struct tern_aws_client *c;
    int error;

    *out = NULL;
    if (!opts || !opts->service || !opts->http || !opts->credentials)
        return TERN_EINVALID;
    svc = tern_aws_service_find(opts->service);
    if (!svc || !svc->version) {
        tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Unsupported AWS service",
                       "tern has no Query client for the service '%s'.",
                       opts->service);
        return TERN_EINVALID;
    }
    c = tern_calloc(1, sizeof(*c));
    if (!c)
        return TERN_ENOMEM;
    error = tern_aws_core_init(&c->core, svc, opts, diags);
    if (error) {
        tern_aws_client_free(c);
        return error;
    }
    c->version = svc->version;
    c->max_pages = opts->max_pages > 0 ? opts->max_pages : TERN_AWS_MAX_PAGES;
    c->max_items = opts->max_items > 0 ? opts->max_items : TERN_AWS_MAX_ITEMS;
    *out = c;
    return TERN_OK;
}

const char *tern_aws_client_endpoint(const tern_aws_client *c)
{
    return c->core.endpoint;
}

const char *tern_aws_client_signing_region(const tern_aws_client *c)
{
    return c->core.signing_region;
}

int tern_aws_client_retry_tokens(tern_aws_client *c)
{
    return tern_aws_core_tokens(&c->core);
}

/* Whether root is <ActionResponse>, the only document a success may be. */
static int is_response_of(const tern_xml_node *root, const char *action)
{
    size_t alen = strlen(action);

    return root && root->name && strncmp(root->name, action, alen) == 0 &&
           strcmp(root->name + alen, "Response") == 0;
}

/*
 * One call: the core's attempts (core.h) over the body written once, and
 * the parsed answer.
 */
struct aws_call {
    struct tern_aws_call k; /* k.ud: this */
    tern_aws_client *c;
    tern_buf body;
    tern_xml_node *root;
};

/* Write the body once, as botocore writes it: every attempt signs and
 * sends exactly these bytes. */
static int call_build(struct aws_call *a, const tern_buf *params)
{
    const tern_aws_operation *op;
    char why[256];
    int error;

    op = tern_aws_operation_find(a->c->core.service, a->k.action);
    if (!op) {
        tern_diags_add(a->k.diags, TERN_SEV_ERROR, NULL, "Internal error",
                       "tern does not know the %s action %s "
                       "(src/aws/wire.c); this is a bug in tern.",
                       a->c->core.label, a->k.action);
        return TERN_EINVALID;
    }
    error = tern_aws_form_body(&a->body, op, a->c->version, params, why,
                               sizeof(why));
    if (error == TERN_EINVALID)
        tern_diags_add(a->k.diags, TERN_SEV_ERROR, NULL, "Internal error",
                       "%s; this is a bug in tern.", why);
    return error;
}

/* A 2xx answer: it must be this action's <ActionResponse> document. */
static int call_read_success(struct tern_aws_call *k)
{
    struct aws_call *a = k->ud;
    const char *label = a->c->core.label;
    char xmlerr[256];
    int error;

    error = tern_xml_parse(&a->root, k->resp.body.ptr, k->resp.body.len, xmlerr,
                           sizeof(xmlerr));
    if (error == TERN_EINVALID) {
        error = TERN_ERROR;
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL,
                       "Unreadable AWS response",
                       "%s %s answered HTTP %ld with a body that is "
                       "not XML: %s.",
                       label, k->action, k->resp.status, xmlerr);
    }
    if (error == TERN_OK && !is_response_of(a->root, k->action)) {
        /* Well-formed but not this action's answer: a proxy's HTML page,
         * or another call's document. Never read a success out of it. */
        error = TERN_ERROR;
        tern_diags_add(
            k->diags, TERN_SEV_ERROR, NULL, "Unexpected AWS response",
            "%s %s answered HTTP %ld with a <%s> "
            "document, not <%sResponse>; a proxy or "
            "gateway may be in the way.",
            label, k->action, k->resp.status, a->root->name, k->action);
    }
    return error;
}

/* The diagnostic for a call that gave up. */
static void call_report_failure(struct aws_call *a)
{
    const struct tern_aws_call *k = &a->k;
    const char *label = a->c->core.label;
    const tern_aws_error *aerr = &k->aerr;
    const tern_http_response *resp = &k->resp;
    int attempt = k->attempt;

    if (k->over_deadline) {
        tern_aws_core_report_deadline(&a->c->core, k);
    } else if (aerr->code || resp->status) {
        char snippet[160], head[121];
        size_t shown;
        struct tern_diag *d;

        /* Without an AWS error document (a proxy's page, an empty body),
         * show the start of what came back instead, its control
         * characters made visible (issue 20, finding 14). */
        shown = tern_printable_copy(head, sizeof(head),
                                    resp->body.len ? resp->body.ptr : "");
        snprintf(snippet, sizeof(snippet), "%s%s%s",
                 resp->body.len ? "the service answered: " : "",
                 resp->body.len ? head : "the service answered no body",
                 shown < resp->body.len ? "..." : "");
        d = tern_diags_add(
            k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
            "%s %s: %s: %s (HTTP %ld, request id %s, %d attempt%s)", label,
            k->action, aerr->code ? aerr->code : "error",
            aerr->message ? aerr->message : snippet, resp->status,
            aerr->request_id ? aerr->request_id : "unknown", attempt,
            attempt == 1 ? "" : "s");
        if (d && aerr->code)
            d->service_code = tern_strdup(aerr->code);
        if (d && aerr->request_id)
            d->request_id = tern_strdup(aerr->request_id);
    } else {
        tern_diags_add(k->diags, TERN_SEV_ERROR, NULL, "AWS request failed",
                       "%s %s failed after %d attempt%s: %s", label, k->action,
                       attempt, attempt == 1 ? "" : "s", resp->error);
    }
}

int tern_aws_call(tern_aws_client *c, const char *action,
                  const tern_buf *params, tern_xml_node **out,
                  struct tern_diags *diags)
{
    static const struct tern_http_header form[] = {{"Content-Type", FORM_TYPE}};
    struct aws_call a;
    int error;

    memset(&a, 0, sizeof(a));
    tern_aws_call_init(&a.k, action, diags);
    a.k.ud = &a;
    a.c = c;
    a.body = (tern_buf)TERN_BUF_INIT;
    if (out)
        *out = NULL;
    error = call_build(&a, params);
    if (error == TERN_OK) {
        a.k.req.method = "POST";
        a.k.req.url = c->core.endpoint;
        a.k.req.headers = form;
        a.k.req.nheaders = 1;
        a.k.req.body = a.body.ptr;
        a.k.req.body_len = a.body.len;
        a.k.read_success = call_read_success;
        a.k.error_class = tern_aws_error_class;
        error = tern_aws_core_call(&c->core, &a.k);
        if (a.k.failed)
            call_report_failure(&a);
    }
    if (out && error == TERN_OK) {
        *out = a.root;
        a.root = NULL;
    }
    tern_xml_free(a.root);
    tern_aws_call_release(&a.k);
    tern_buf_release(&a.body);
    return error;
}

int tern_aws_call_paged(tern_aws_client *c, const char *action,
                        const tern_buf *params, tern_aws_page_fn fn, void *ud,
                        struct tern_diags *diags)
{
    tern_buf p = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    char *marker = NULL;
    char result_name[128];
    int error = TERN_OK;
    long pages = 0, items = 0;

    snprintf(result_name, sizeof(result_name), "%sResult", action);
    for (;;) {
        const tern_xml_node *result;
        const char *truncated, *next;

        tern_buf_clear(&p);
        if (params && params->len)
            tern_buf_put(&p, params->ptr, params->len);
        if (marker)
            tern_aws_query_add(&p, "Marker", marker);
        if (tern_buf_oom(&p)) {
            error = TERN_ENOMEM;
            goto done;
        }
        tern_xml_free(root);
        root = NULL;
        error = tern_aws_call(c, action, &p, &root, diags);
        if (error)
            goto done;
        pages++;
        result = tern_xml_child(root, result_name);
        if (!result) {
            error = TERN_ERROR;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL,
                           "Unexpected AWS response",
                           "%s %s answered without a %s element.",
                           c->core.label, action, result_name);
            goto done;
        }
        {
            const tern_xml_node *list, *m;

            for (list = result->children; list; list = list->next)
                for (m = list->children; m; m = m->next)
                    items += strcmp(m->name, "member") == 0;
        }
        if (items > c->max_items) {
            error = TERN_ERROR;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Too many AWS results",
                           "%s %s returned more than %ld items in %ld "
                           "pages; tern stops there rather than read "
                           "without end.",
                           c->core.label, action, c->max_items, pages);
            goto done;
        }
        error = fn(ud, result);
        if (error)
            goto done;
        truncated = tern_xml_text(result, "IsTruncated");
        next = tern_xml_text(result, "Marker");
        if (!truncated || strcmp(truncated, "true") != 0 || !next || !*next)
            break;
        if (pages >= c->max_pages) {
            error = TERN_ERROR;
            tern_diags_add(diags, TERN_SEV_ERROR, NULL, "Too many AWS results",
                           "%s %s was still truncated after %ld pages; "
                           "tern stops there rather than read without end.",
                           c->core.label, action, pages);
            goto done;
        }
        if (marker && strcmp(marker, next) == 0) {
            error = TERN_ERROR;
            tern_diags_add(
                diags, TERN_SEV_ERROR, NULL, "Unexpected AWS response",
                "%s %s returned the same Marker twice.", c->core.label, action);
            goto done;
        }
        tern_free(marker);
        marker = tern_strdup(next);
        TERN_CHECK_ALLOC(marker);
    }
    TERN_LOG_AT(TERN_LOG_DEBUG, "aws: %s %s: %ld page%s", c->core.service,
                action, pages, pages == 1 ? "" : "s");
done:
    tern_xml_free(root);
    tern_free(marker);
    tern_buf_release(&p);
    return error;
}

int tern_aws_query_add_list(tern_buf *b, const char *name,
                            const char *const *values, size_t n)
{
    char key[256];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.member.%zu", name, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

int tern_aws_query_add_ec2_list(tern_buf *b, const char *name,
                                const char *const *values, size_t n)
{
    char key[256];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu", name, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

int tern_aws_query_add_ec2_filter(tern_buf *b, size_t index,
                                  const char *filter_name,
                                  const char *const *values, size_t n)
{
    char key[256];
    size_t i;

    snprintf(key, sizeof(key), "Filter.%zu.Name", index);
    tern_aws_query_add(b, key, filter_name);
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "Filter.%zu.Value.%zu", index, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

int tern_aws_query_add_tags(tern_buf *b, const char *name,
                            const char *const *keys, const char *const *values,
                            size_t n)
{
    char key[256];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.member.%zu.Key", name, i + 1);
        tern_aws_query_add(b, key, keys[i]);
        snprintf(key, sizeof(key), "%s.member.%zu.Value", name, i + 1);
        tern_aws_query_add(b, key, values[i]);
    }
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

char *tern_aws_decode_policy(const char *encoded)
{
    tern_buf b = TERN_BUF_INIT;

    if (!encoded)
        encoded = "";
    if (tern_aws_form_decode(&b, encoded, strlen(encoded)) != TERN_OK) {
        tern_buf_release(&b);
        return NULL;
    }
    return tern_buf_detach(&b);
}
