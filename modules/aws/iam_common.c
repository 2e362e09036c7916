/*
 * Shared pieces of the AWS and Databricks modules (see iam_common.h).
 */
#include "iam_common.h"

#include "policy/policy.h"
#include "tern/clock.h"
#include "tern/log.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CEILING_MS 120000L

/* Set by the providers' configure, on the loop thread before any worker
 * runs a module; workers only load it (issue 20: the environment is never
 * read on a worker). */
static atomic_long ceiling_ms = CEILING_MS;

void tern__propagation_timeout_read(void)
{
    const char *env = getenv("TERN_PROPAGATION_TIMEOUT_MS");
    char *end = NULL;
    long v = CEILING_MS;

    if (env && *env) {
        errno = 0;
        v = strtol(env, &end, 10);
        if (errno || !end || *end || v < 0)
            v = CEILING_MS;
    }
    tern__propagation_timeout_set(v);
}

void tern__propagation_timeout_set(long ms)
{
    atomic_store(&ceiling_ms, ms);
}

long tern__propagation_timeout_ms(void)
{
    return atomic_load(&ceiling_ms);
}

const char *tern__aws_region(const tern_op *op)
{
    const char *r = tern__str(op->provider, "region");

    if ((!r || !*r) && op->client && tern__aws_iam(op))
        r = tern_aws_client_signing_region(tern__aws_iam(op));
    return r && *r ? r : "us-east-1";
}

/* Interrupted twice: even a first attempt is not made. (Once, op->stop,
 * ends only the waits between attempts: tern_op_wait below. A step that
 * started runs its first attempt, as running steps finish.) */
static int canceled(const tern_op *op)
{
    return op->cancel && atomic_load(op->cancel);
}

/* The ceiling counts on the clock tern_op_wait sleeps on (op->clock). */
static long now_ms(const tern_op *op)
{
    return (long)tern_clock_now(op->clock);
}

/* What to do about a service error, by code. */
static const struct {
    const char *code;
    const char *hint;
} hints[] = {
    {"AccessDenied", "The credentials tern uses are not allowed to make this "
                     "call: grant the permission named above to them, or use "
                     "a profile or role that has it."},
    {"DeleteConflict", "The object is still in use by something tern does "
                       "not manage (an attached or inline policy, an "
                       "instance profile): detach or delete that first, or "
                       "for a role set force_detach_policies = true."},
    {"DRY_RUN_FAILED",
     "Databricks could not validate the instance profile against AWS: check "
     "that the instance profile exists, holds a role, and that the "
     "workspace's cross-account role may iam:PassRole it; set "
     "skip_validation = true only if validation cannot work in this "
     "account."},
    {"InvalidInput", "Check the value named above against IAM's rules for "
                     "names, paths and ARNs."},
    {"LimitExceeded", "An IAM quota was reached: remove objects that are no "
                      "longer needed, or ask AWS to raise the quota."},
    {"MalformedPolicyDocument",
     "Fix the policy document: it must be valid JSON with Version and "
     "Statement, and every principal it names must exist."},
    {"NoSuchEntity", "The object it names does not exist (or was deleted "
                     "outside tern): check the name, or create it first."},
    {"PERMISSION_DENIED", "The Databricks token is not allowed to manage "
                          "instance profiles: a workspace admin must do it."},
    {"RESOURCE_DOES_NOT_EXIST", "It is not registered in the workspace."},
    {"ValidationError", "Check the value named above against IAM's limits."},
    {"401", "Set a valid Databricks token (provider block, DATABRICKS_TOKEN "
            "or ~/.databrickscfg)."},
    {"403", "The Databricks token was refused: create a new one, or check "
            "the host it belongs to."},
};

static const char *hint_for(const char *code)
{
    size_t i;

    for (i = 0; code && i < sizeof(hints) / sizeof(hints[0]); i++)
        if (strcmp(hints[i].code, code) == 0)
            return hints[i].hint;
    return NULL;
}

/*
 * Move the client's diagnostics into op->diags under the operation's own
 * summary, adding what to do. The client's detail already names the
 * service, action, code, message and request id.
 */
static void report(tern_op *op, struct tern_diags *local, const char *what,
                   const char *import_id)
{
    size_t i;

    for (i = 0; i < local->count; i++) {
        const struct tern_diag *in = &local->items[i];
        const char *code = in->service_code;
        const char *hint = hint_for(code);
        char *exists = NULL;
        struct tern_diag *d;

        if (code && (strcmp(code, "EntityAlreadyExists") == 0 ||
                     strcmp(code, "RESOURCE_ALREADY_EXISTS") == 0)) {
            exists = tern_asprintf(
                "It already exists, but not in tern's state. To manage the "
                "existing one with tern, import it: tern import %s %s; or "
                "give this one another name.",
                op->address ? op->address : "ADDRESS",
                import_id ? import_id : "ID");
            hint = exists;
        }
        d = tern_diags_add(op->diags, in->severity, NULL,
                           what ? what : in->summary, "%s%s%s",
                           in->detail ? in->detail : in->summary,
                           hint ? ". " : "", hint ? hint : "");
        if (d && in->service_code)
            d->service_code = tern_strdup(in->service_code);
        if (d && in->request_id)
            d->request_id = tern_strdup(in->request_id);
        tern_free(exists);
    }
    tern_diags_release(local);
}

/* Whether the failure is one of the propagation errors @p flags names. */
static int propagating(int rc, const struct tern_diags *local,
                       unsigned int flags)
{
    const struct tern_diag *d;
    const char *code;

    if (rc == TERN_OK || rc == TERN_ECANCELED || rc == TERN_ENOMEM ||
        local->count == 0)
        return 0;
    if ((flags & TERN__RETRY_TRANSIENT) && rc == TERN_ERROR)
        return 1;
    d = &local->items[local->count - 1];
    code = d->service_code;
    if (!code)
        return 0;
    if ((flags & TERN__RETRY_NOSUCHENTITY) && strcmp(code, "NoSuchEntity") == 0)
        return 1;
    if ((flags & TERN__RETRY_CONFLICT) && strcmp(code, "DeleteConflict") == 0)
        return 1;
    if ((flags & TERN__RETRY_PRINCIPAL) &&
        strcmp(code, "MalformedPolicyDocument") == 0 && d->detail &&
        strstr(d->detail, "Invalid principal"))
        return 1;
    if ((flags & TERN__RETRY_DBX_VALIDATION) &&
        strcmp(code, "DRY_RUN_FAILED") == 0 && d->detail &&
        strstr(d->detail, "Invalid IAM Instance Profile ARN"))
        return 1;
    return 0;
}

/* One attempt of a call; the kinds of call below wrap it. */
typedef int (*attempt_fn)(tern_op *op, void *ud, struct tern_diags *local);

static int with_retries(tern_op *op, attempt_fn fn, void *ud,
                        unsigned int flags, const char *what,
                        const char *import_id)
{
    struct tern_diags local = TERN_DIAGS_INIT;
    long start = now_ms(op), ceiling = tern__propagation_timeout_ms();
    long wait = TERN_PROPAGATION_BACKOFF_FIRST_MS;
    int rc, tries = 0, ambiguous = 0;

    for (;;) {
        if (canceled(op)) {
            rc = TERN_ECANCELED;
            tern_diags_add(&local, TERN_SEV_ERROR, NULL, "Operation canceled",
                           "The run was interrupted.");
            break;
        }
        rc = fn(op, ud, &local);
        tries++;
        if (!propagating(rc, &local, flags) || now_ms(op) - start >= ceiling)
            break;
        ambiguous |= rc == TERN_ERROR;
        TERN_LOG_AT(TERN_LOG_DEBUG,
                    "%s: %s: %s (still propagating); retry %d in %ld ms",
                    op->address ? op->address : "module", what ? what : "",
                    local.items[local.count - 1].service_code
                        ? local.items[local.count - 1].service_code
                        : local.items[local.count - 1].summary,
                    tries, wait);
        if (wait > ceiling - (now_ms(op) - start))
            wait = ceiling - (now_ms(op) - start);
        if (tern_op_wait(op, wait) != TERN_OK) {
            tern_diags_release(&local);
            rc = TERN_ECANCELED;
            tern_diags_add(&local, TERN_SEV_ERROR, NULL, "Operation canceled",
                           "The run was interrupted while waiting for IAM "
                           "to propagate a change.");
            break;
        }
        tern_diags_release(&local);
        wait = wait * 2 > TERN_PROPAGATION_BACKOFF_MAX_MS
                   ? TERN_PROPAGATION_BACKOFF_MAX_MS
                   : wait * 2;
    }
    if (rc == TERN_ENOTFOUND && (flags & TERN__QUIET_NOTFOUND))
        tern_diags_release(&local);
    else if ((rc == TERN_EEXISTS || rc == TERN_ENOTFOUND) && ambiguous &&
             (flags & TERN__RETRY_TRANSIENT))
        tern_diags_release(&local); /* an earlier attempt did it */
    else if (rc != TERN_OK)
        report(op, &local, what, import_id);
    tern_diags_release(&local);
    return rc;
}

tern_aws_client *tern__aws_iam(const tern_op *op)
{
    const struct tern__aws_clients *c = op->client;

    return c ? c->iam : NULL;
}

tern_aws_client *tern__aws_sts(const tern_op *op)
{
    const struct tern__aws_clients *c = op->client;

    return c ? c->sts : NULL;
}

tern_dbx_client *tern__dbx(const tern_op *op)
{
    return op->client;
}

struct iam_args {
    tern_aws_client *client;
    const char *action;
    const tern_buf *params;
    tern_xml_node **out;
    tern_aws_page_fn fn;
    void *ud;
};

static int iam_attempt(tern_op *op, void *ud, struct tern_diags *local)
{
    struct iam_args *a = ud;

    (void)op;
    if (a->out) {
        tern_xml_free(*a->out);
        *a->out = NULL;
    }
    return tern_aws_call(a->client, a->action, a->params, a->out, local);
}

static int iam_paged_attempt(tern_op *op, void *ud, struct tern_diags *local)
{
    struct iam_args *a = ud;

    (void)op;
    return tern_aws_call_paged(a->client, a->action, a->params, a->fn, a->ud,
                               local);
}

static int no_client(tern_op *op, const char *service, const char *what)
{
    return tern__fail(op, TERN_EINVALID, what ? what : "No client",
                      "The %s provider is not configured for %s.", service,
                      op->address ? op->address : "this resource");
}

int tern__iam_call(tern_op *op, const char *action, const tern_buf *params,
                   tern_xml_node **out, unsigned int flags, const char *what,
                   const char *import_id)
{
    struct iam_args a = {tern__aws_iam(op), action, params, out, NULL, NULL};

    if (out)
        *out = NULL;
    if (!a.client)
        return no_client(op, "aws", what);
    return with_retries(op, iam_attempt, &a, flags, what, import_id);
}

int tern__sts_call(tern_op *op, const char *action, const tern_buf *params,
                   tern_xml_node **out, unsigned int flags, const char *what)
{
    struct iam_args a = {tern__aws_sts(op), action, params, out, NULL, NULL};

    if (out)
        *out = NULL;
    if (!a.client)
        return no_client(op, "aws", what);
    return with_retries(op, iam_attempt, &a, flags, what, NULL);
}

int tern__ec2_call(tern_op *op, const char *action, const tern_buf *params,
                   tern_xml_node **out, unsigned int flags, const char *what)
{
    const struct tern__aws_clients *c = op->client;
    struct iam_args a = {c ? c->ec2 : NULL, action, params, out, NULL, NULL};

    if (out)
        *out = NULL;
    if (!a.client)
        return no_client(op, "aws", what);
    return with_retries(op, iam_attempt, &a, flags, what, NULL);
}

int tern__iam_call_paged(tern_op *op, const char *action,
                         const tern_buf *params, tern_aws_page_fn fn, void *ud,
                         unsigned int flags, const char *what)
{
    struct iam_args a = {tern__aws_iam(op), action, params, NULL, fn, ud};

    if (!a.client)
        return no_client(op, "aws", what);
    return with_retries(op, iam_paged_attempt, &a, flags, what, NULL);
}

struct dbx_args {
    const char *method;
    const char *path;
    const json_t *body;
    json_t **out;
};

static int dbx_attempt(tern_op *op, void *ud, struct tern_diags *local)
{
    struct dbx_args *a = ud;

    if (a->out) {
        json_decref(*a->out);
        *a->out = NULL;
    }
    return tern_dbx_call(tern__dbx(op), a->method, a->path, a->body, a->out,
                         local);
}

int tern__dbx_call(tern_op *op, const char *method, const char *path,
                   const json_t *body, json_t **out, unsigned int flags,
                   const char *what, const char *import_id)
{
    struct dbx_args a = {method, path, body, out};

    if (out)
        *out = NULL;
    if (!tern__dbx(op))
        return no_client(op, "databricks", what);
    return with_retries(op, dbx_attempt, &a, flags, what, import_id);
}

int tern__fail(tern_op *op, int error, const char *summary,
               const char *detail_fmt, ...)
{
    va_list ap;
    char detail[2048];

    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof(detail), detail_fmt, ap);
    va_end(ap);
    if (!tern_diags_add(op->diags, TERN_SEV_ERROR, NULL, summary, "%s", detail))
        return TERN_ENOMEM;
    return error;
}

const char *const tern__iam_profile_required[] = {
    "Path", "InstanceProfileName", "InstanceProfileId",
    "Arn",  "CreateDate",          "Roles",
    NULL};
const char *const tern__iam_role_policy_required[] = {"RoleName", "PolicyName",
                                                      "PolicyDocument", NULL};

const tern_xml_node *tern__iam_need(tern_op *op, const tern_xml_node *root,
                                    const char *action, const char *path,
                                    const char *const *children,
                                    const char *what, int *error)
{
    const tern_xml_node *node = tern_xml_find(root, path);
    const char *missing = node ? NULL : path;
    size_t i;

    for (i = 0; node && !missing && children && children[i]; i++)
        if (tern_xml_find(node, children[i]) == NULL)
            missing = children[i];
    if (!missing)
        return node;
    *error = tern__fail(op, TERN_ERROR, what,
                        "IAM %s answered without its required element %s%s%s; "
                        "tern does not take an incomplete response as the "
                        "object's state.",
                        action, node ? path : "", node ? "/" : "", missing);
    return NULL;
}

/* Values */

int tern__iam_name_chars(const char *value, char *why, size_t why_size)
{
    const unsigned char *s;
    char shown[16];
    size_t pos = 0, len;

    for (s = (const unsigned char *)value; s && *s; s++) {
        /* Characters, not bytes, as the length check counts them. */
        if ((*s & 0xC0) != 0x80)
            pos++;
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
            (*s >= '0' && *s <= '9') || strchr("_+=,.@-", *s))
            continue;
        if (*s < 0x20 || *s == 0x7F) {
            snprintf(shown, sizeof(shown), "\\x%02X", *s);
        } else if (*s == '"' || *s == '\\') {
            shown[0] = '\\';
            shown[1] = (char)*s;
            shown[2] = '\0';
        } else {
            for (len = 1; len < 4 && (s[len] & 0xC0) == 0x80; len++)
                ;
            memcpy(shown, s, len);
            shown[len] = '\0';
        }
        snprintf(why, why_size,
                 "may contain only ASCII letters, digits and _+=,.@- (the "
                 "AWS provider's [\\w+=,.@-]), not \"%s\" (character %zu "
                 "of \"%s\").",
                 shown, pos, value);
        return 1;
    }
    return 0;
}

int tern__iam_check_name_arg(tern_op *op, const json_t *desired,
                             const char *arg, const char *summary)
{
    char why[512];

    if (!tern__iam_name_chars(tern__str(desired, arg), why, sizeof(why)))
        return TERN_OK;
    return tern__fail(op, TERN_EINVALID, summary, "The argument \"%s\" %s", arg,
                      why);
}

/* Whether @p s (of @p n bytes) is one or more "-" [a-z]+ groups. */
static int dash_words(const char *s, size_t n)
{
    size_t i = 0;

    if (n == 0)
        return 0;
    while (i < n) {
        size_t start;

        if (s[i] != '-')
            return 0;
        start = ++i;
        while (i < n && s[i] >= 'a' && s[i] <= 'z')
            i++;
        if (i == start)
            return 0;
    }
    return 1;
}

/* The checks of the AWS provider's ValidARN (internal/verify/validate.go),
 * written out instead of compiled as regular expressions on every call
 * (the plan checks every policy_arn: 5% of B5's CPU, issue 15). Each says
 * whether @p s (of @p n bytes) matches the expression named above it. */

/* ^aws(-[a-z]+)*$ */
static int arn_partition(const char *s, size_t n)
{
    return n >= 3 && memcmp(s, "aws", 3) == 0 &&
           (n == 3 || dash_words(s + 3, n - 3));
}

/* ^[a-z]{2}(-[a-z]+)+-[0-9]$ */
static int arn_region(const char *s, size_t n)
{
    return n >= 6 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z' &&
           s[n - 2] == '-' && s[n - 1] >= '0' && s[n - 1] <= '9' &&
           dash_words(s + 2, n - 4);
}

/* ^(aws|aws-managed|third-party|[0-9]{12}|cw.{10})$ */
static int arn_account(const char *s, size_t n)
{
    size_t i;

    if ((n == 3 && memcmp(s, "aws", 3) == 0) ||
        (n == 11 && memcmp(s, "aws-managed", 11) == 0) ||
        (n == 11 && memcmp(s, "third-party", 11) == 0) ||
        (n == 12 && memcmp(s, "cw", 2) == 0))
        return 1;
    if (n != 12)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int tern__aws_arn_check(const char *value, char *why, size_t why_size)
{
    const char *sec[6], *p = value;
    size_t len[6], i;

    if (strncmp(value, "arn:", 4) != 0) {
        snprintf(why, why_size,
                 "is not a valid ARN: \"%s\" does not start "
                 "with \"arn:\".",
                 value);
        return 1;
    }
    for (i = 0; i < 6; i++) {
        const char *colon = i < 5 ? strchr(p, ':') : NULL;

        if (i < 5 && !colon) {
            snprintf(why, why_size,
                     "is not a valid ARN: \"%s\" has %zu of the 6 sections "
                     "arn:partition:service:region:account-id:resource.",
                     value, i + 1);
            return 1;
        }
        sec[i] = p;
        len[i] = colon ? (size_t)(colon - p) : strlen(p);
        p = colon ? colon + 1 : p + len[i];
    }
    if (len[1] == 0 || !arn_partition(sec[1], len[1]))
        snprintf(why, why_size,
                 "is not a valid ARN: \"%s\" has no valid partition (aws, "
                 "aws-cn, aws-us-gov, ...).",
                 value);
    else if (len[3] && !arn_region(sec[3], len[3]))
        snprintf(why, why_size,
                 "is not a valid ARN: \"%s\" has an invalid region.", value);
    else if (len[4] && !arn_account(sec[4], len[4]))
        snprintf(why, why_size,
                 "is not a valid ARN: \"%s\" has an invalid account ID (12 "
                 "digits, or aws).",
                 value);
    else if (len[5] == 0)
        snprintf(why, why_size, "is not a valid ARN: \"%s\" has no resource.",
                 value);
    else
        return 0;
    return 1;
}

int tern__iam_description_chars(const char *value, char *why, size_t why_size)
{
    /* U+201C and U+2018, in UTF-8. */
    if (!strstr(value, "\xE2\x80\x9C") && !strstr(value, "\xE2\x80\x98"))
        return 0;
    snprintf(why, why_size,
             "cannot contain specially formatted single or double quotes "
             "(\u201C or \u2018); use plain ' or \".");
    return 1;
}

int tern__iam_session_duration(const char *value, char *why, size_t why_size)
{
    char *end = NULL;
    double d = strtod(value, &end);

    if (end && *end == '\0' && d >= 3600 && d <= 43200 && d == (long)d)
        return 0;
    snprintf(why, why_size,
             "must be a whole number of seconds from 3600 to 43200 (1 to 12 "
             "hours), not %s.",
             value);
    return 1;
}

int tern__iam_role_name_not_arn(const char *value, char *why, size_t why_size)
{
    char ignored[256];

    if (tern__aws_arn_check(value, ignored, sizeof(ignored)) != 0)
        return 0;
    snprintf(why, why_size, "must be the role's name, not its ARN (\"%s\").",
             value);
    return 1;
}

/* The Databricks provider's ValidArn: arn:, six sections, the resource of
 * @p kind. */
static int dbx_arn(const char *value, const char *kind, char *why,
                   size_t why_size)
{
    const char *p = value;
    size_t colons = 0;

    if (strncmp(value, "arn:", 4) != 0) {
        snprintf(why, why_size,
                 "is not a valid ARN: \"%s\" does not start with \"arn:\".",
                 value);
        return 1;
    }
    for (; colons < 5 && (p = strchr(p, ':')) != NULL; p++)
        colons++;
    if (colons < 5) {
        snprintf(why, why_size,
                 "is not a valid ARN: \"%s\" has %zu of the 6 sections "
                 "arn:partition:service:region:account-id:resource.",
                 value, colons + 1);
        return 1;
    }
    if (strncmp(p, kind, strlen(kind)) != 0) {
        snprintf(why, why_size, "must be an ARN of an IAM %s, not \"%s\".",
                 strcmp(kind, "role") == 0 ? "role" : "instance profile",
                 value);
        return 1;
    }
    return 0;
}

int tern__dbx_profile_arn(const char *value, char *why, size_t why_size)
{
    return dbx_arn(value, "instance-profile", why, why_size);
}

int tern__regex_check(const char *value, char *why, size_t why_size)
{
    regex_t rx;
    char msg[160];
    const char *p;
    int rc;

    /* RE2 syntax that POSIX reads otherwise (glibc takes "\\d" for "d"):
     * refused rather than matched differently. */
    for (p = value; *p; p++) {
        if (p[0] == '\\' && p[1] && strchr("dDpPAzQE", p[1])) {
            snprintf(why, why_size,
                     "uses \\%c, RE2 syntax that tern's regular "
                     "expressions (POSIX extended) do not have.",
                     p[1]);
            return 1;
        }
        if (p[0] == '\\' && p[1])
            p++;
        else if (p[0] == '(' && p[1] == '?') {
            snprintf(why, why_size,
                     "uses a (?...) group, which tern's regular expressions "
                     "(POSIX extended) do not have.");
            return 1;
        }
    }
    rc = regcomp(&rx, value, REG_EXTENDED | REG_NOSUB);
    if (rc == 0) {
        regfree(&rx);
        return 0;
    }
    regerror(rc, &rx, msg, sizeof(msg));
    snprintf(why, why_size, "is not a valid regular expression: %s.", msg);
    return 1;
}

int tern__dbx_role_arn(const char *value, char *why, size_t why_size)
{
    return dbx_arn(value, "role", why, why_size);
}

const char *tern__str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s && *s ? s : NULL;
}

int tern__bool(const json_t *obj, const char *key, int dflt)
{
    json_t *v = json_object_get(obj, key);

    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

long long tern__int(const json_t *obj, const char *key, long long dflt)
{
    json_t *v = json_object_get(obj, key);

    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (long long)json_real_value(v);
    return dflt;
}

json_t *tern__jstr(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

int tern__set_str(json_t *obj, const char *key, const char *s)
{
    json_t *v = tern__jstr(s);

    if (!v || json_object_set_new(obj, key, v) != 0)
        return TERN_ENOMEM;
    return TERN_OK;
}

char *tern__resource_name(const json_t *desired)
{
    static atomic_uint counter;
    const char *name = tern__str(desired, "name");
    const char *prefix = tern__str(desired, "name_prefix");
    struct timespec ts;
    struct tm tm;
    char stamp[32];
    unsigned int n;

    if (name)
        return tern_strdup(name);
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
    n = atomic_fetch_add(&counter, 1) + 1;
    return tern_asprintf("%s%s%04ld%08x", prefix ? prefix : "terraform-", stamp,
                         ts.tv_nsec / 100000L, n);
}

/* Equivalence by src/policy's normalizer (order, case of actions,
 * single-element lists, IAM's URL encoding). */
int tern__policy_equiv(int *same, const json_t *a, const json_t *b)
{
    return tern_policy_equiv_fn(same, a, b);
}

json_t *tern__policy_keep(const json_t *prior_value, const char *encoded)
{
    char *text = NULL;
    json_t *fresh, *out;
    int same = 0;

    if (!encoded)
        return json_null();
    /* IAM hands a document back as it was sent: the prior text, byte for
     * byte, needs neither decoding nor comparing as a policy. */
    if (prior_value && json_is_string(prior_value) &&
        tern_aws_form_decodes_to(encoded, json_string_value(prior_value),
                                 json_string_length(prior_value)))
        return json_incref((json_t *)prior_value);
    text = tern_aws_decode_policy(encoded);
    if (!text)
        return NULL;
    fresh = json_string(text);
    tern_free(text);
    if (!fresh)
        return NULL;
    if (prior_value && json_is_string(prior_value)) {
        if (tern__policy_equiv(&same, prior_value, fresh) != TERN_OK) {
            json_decref(fresh);
            return NULL;
        }
        if (same) {
            out = json_incref((json_t *)prior_value);
            json_decref(fresh);
            return out;
        }
    }
    return fresh;
}

/* Tags */

static const json_t *default_tags(const tern_op *op)
{
    const json_t *dt =
        op->provider ? json_object_get(op->provider, "default_tags") : NULL;

    /* A block evaluates to an object, or to a list of one in some forms. */
    if (json_is_array(dt))
        dt = json_array_get(dt, 0);
    dt = json_object_get(dt, "tags");
    return json_is_object(dt) ? dt : NULL;
}

json_t *tern__tags_all(const tern_op *op, const json_t *tags)
{
    const json_t *dt = default_tags(op);
    json_t *all = json_object();

    if (!all)
        return NULL;
    if (dt && json_object_update(all, (json_t *)dt) != 0)
        goto fail;
    if (json_is_object(tags) && json_object_update(all, (json_t *)tags) != 0)
        goto fail;
    return all;
fail:
    json_decref(all);
    return NULL;
}

json_t *tern__tags_own(const tern_op *op, const json_t *all)
{
    const json_t *dt = default_tags(op);
    json_t *own = json_is_object(all) ? json_deep_copy(all) : json_object();
    const char *k;
    json_t *v;

    if (!own || !dt)
        return own;
    json_object_foreach((json_t *)dt, k, v)
    {
        json_t *have = json_object_get(own, k);

        if (have && json_equal(have, v))
            json_object_del(own, k);
    }
    return own;
}

json_t *tern__xml_tags(const tern_xml_node *tags)
{
    const tern_xml_node *m;
    json_t *out = json_object();

    if (!out)
        return NULL;
    for (m = tern_xml_child(tags, "member"); m; m = tern_xml_next(m)) {
        const char *k = tern_xml_text(m, "Key");
        const char *v = tern_xml_text(m, "Value");

        if (k && json_object_set_new(out, k, json_string(v ? v : "")) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int tern__query_add_tags(tern_buf *b, const char *name, const json_t *map)
{
    const char **keys = NULL, **values = NULL;
    size_t n = 0, size = json_object_size(map);
    const char *k;
    json_t *v;
    int error = TERN_OK;

    if (!json_is_object(map) || size == 0)
        return TERN_OK;
    keys = tern_calloc(size, sizeof(*keys));
    values = tern_calloc(size, sizeof(*values));
    if (!keys || !values) {
        error = TERN_ENOMEM;
        goto done;
    }
    json_object_foreach((json_t *)map, k, v)
    {
        keys[n] = k;
        values[n] = json_is_string(v) ? json_string_value(v) : "";
        n++;
    }
    error = tern_aws_query_add_tags(b, name, keys, values, n);
done:
    tern_free(keys);
    tern_free(values);
    return error;
}

int tern__update_tags(tern_op *op, const char *tag_action,
                      const char *untag_action, const char *name_param,
                      const char *name, const json_t *old_all,
                      const json_t *new_all, const char *what)
{
    tern_buf b = TERN_BUF_INIT;
    json_t *changed = json_object();
    const char **gone = NULL;
    size_t ngone = 0;
    const char *k;
    json_t *v;
    int error = TERN_OK;

    TERN_CHECK_ALLOC(changed);
    gone = tern_calloc(json_object_size(old_all) + 1, sizeof(*gone));
    TERN_CHECK_ALLOC(gone);
    json_object_foreach((json_t *)old_all, k, v)
    {
        if (!json_object_get(new_all, k))
            gone[ngone++] = k;
    }
    json_object_foreach((json_t *)new_all, k, v)
    {
        json_t *was = json_object_get(old_all, k);

        /* A tag left out here would silently not be set. */
        if ((!was || !json_equal(was, v)) && json_object_set(changed, k, v)) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    if (ngone) {
        tern_aws_query_add(&b, name_param, name);
        tern_aws_query_add_list(&b, "TagKeys", gone, ngone);
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call(op, untag_action, &b, NULL, 0, what, NULL);
        if (error)
            goto done;
    }
    if (json_object_size(changed)) {
        tern_buf_clear(&b);
        tern_aws_query_add(&b, name_param, name);
        tern__query_add_tags(&b, "Tags", changed);
        if (tern_buf_oom(&b)) {
            error = TERN_ENOMEM;
            goto done;
        }
        error = tern__iam_call(op, tag_action, &b, NULL, 0, what, NULL);
    }
done:
    tern_buf_release(&b);
    json_decref(changed);
    tern_free(gone);
    return error;
}

/* Lists */

int tern__collect_page(void *ud, const tern_xml_node *result)
{
    struct tern__names *names = ud;
    const tern_xml_node *m;

    for (m = tern_xml_find(result, names->list),
        m = m ? tern_xml_child(m, "member") : NULL;
         m; m = tern_xml_next(m)) {
        const char *s = names->field ? tern_xml_text(m, names->field) : m->text;
        char *copy;

        if (!s)
            continue;
        if (TERN_VEC_RESERVE(names->v, names->alloc, names->n + 1) != TERN_OK)
            return TERN_ENOMEM;
        copy = tern_strdup(s);
        if (!copy)
            return TERN_ENOMEM;
        names->v[names->n++] = copy;
    }
    return TERN_OK;
}

void tern__names_release(struct tern__names *names)
{
    size_t i;

    for (i = 0; i < names->n; i++)
        tern_free(names->v[i]);
    tern_free(names->v);
    names->v = NULL;
    names->n = names->alloc = 0;
}

json_t *tern__role_json(const tern_xml_node *role)
{
    return tern__role_json_keep(role, 0, NULL);
}

json_t *tern__role_json_keep(const tern_xml_node *role, int keep,
                             const json_t *prior_trust)
{
    const char *doc = tern_xml_text(role, "AssumeRolePolicyDocument");
    const char *msd = tern_xml_text(role, "MaxSessionDuration");
    char *decoded = NULL;
    json_t *tags = tern__xml_tags(tern_xml_child(role, "Tags"));
    json_t *trust = NULL, *out = NULL;

    if (keep) {
        trust = tern__policy_keep(prior_trust, doc);
    } else {
        decoded = doc ? tern_aws_decode_policy(doc) : NULL;
        trust = doc && !decoded ? NULL : tern__jstr(decoded);
    }
    if (!trust || !tags)
        goto done;
    out = json_pack(
        "{s:o, s:O, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:O, s:o}", "arn",
        tern__jstr(tern_xml_text(role, "Arn")), "assume_role_policy", trust,
        "create_date", tern__jstr(tern_xml_text(role, "CreateDate")),
        "description", tern__jstr(tern_xml_text(role, "Description")), "id",
        tern__jstr(tern_xml_text(role, "RoleName")), "max_session_duration",
        (json_int_t)(msd ? strtoll(msd, NULL, 10) : 3600), "name",
        tern__jstr(tern_xml_text(role, "RoleName")), "path",
        tern__jstr(tern_xml_text(role, "Path")), "permissions_boundary",
        tern__jstr(
            tern_xml_text(role, "PermissionsBoundary/PermissionsBoundaryArn")),
        "tags", tags, "unique_id", tern__jstr(tern_xml_text(role, "RoleId")));
done:
    json_decref(trust);
    json_decref(tags);
    tern_free(decoded);
    return out;
}
