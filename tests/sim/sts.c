/*
 * tern-sim's STS: GetCallerIdentity and AssumeRole (API version 2011-06-15),
 * with the response shapes, validation messages and error codes of AWS.
 *
 * GetCallerIdentity answers with whoever signed the request (auth.c filled
 * req->caller_arn, caller_user_id and account from the key set it matched):
 *
 *     <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/...">
 *       <GetCallerIdentityResult>
 *         <Arn/> <UserId/> <Account/>
 *       </GetCallerIdentityResult>
 *       <ResponseMetadata><RequestId/></ResponseMetadata>
 *     </GetCallerIdentityResponse>
 *
 * AssumeRole checks its parameters as AWS's request validation does
 * (ValidationError, "N validation error(s) detected: Value 'x' at 'field'
 * failed to satisfy constraint: ...", every violation joined by "; "), then
 * asks iam.c for the role (sim_iam_role_for_assume: it must exist and be
 * visible after the propagation delay). A missing or not yet visible role is
 * 403 AccessDenied, "User: <caller> is not authorized to perform:
 * sts:AssumeRole on resource: <role arn>", exactly what AWS says for a role
 * that does not exist, in another account, or whose trust policy does not
 * name the caller. On success it mints a key set (AccessKeyId "ASIA" + 16,
 * a 40-character secret, a long session token) from the seeded generator so
 * runs with one --seed are reproducible, and registers it with
 * sim_key_add, expiring DurationSeconds later on the sim clock; auth.c then
 * accepts requests signed with it and answers ExpiredToken afterwards.
 *
 * Simplifications, deliberate:
 * - Trust policies are not evaluated: any caller may assume any visible
 *   role. ExternalId is validated for length and pattern only; no role
 *   demands one. (AWS evaluates sts:ExternalId in the trust policy; tern
 *   never relies on being refused for a missing ExternalId.)
 * - DurationSeconds is bounded by 900..43200, not by the role's
 *   MaxSessionDuration (iam.c does not expose it to STS). Role chaining
 *   (the caller is itself an assumed role) is limited to one hour, as AWS
 *   does.
 * - Policy, PolicyArns, Tags, SerialNumber, TokenCode and SourceIdentity are
 *   accepted and ignored; PackedPolicySize is not returned.
 * - A RoleArn that is not a role ARN of a known account is AccessDenied, as
 *   AWS answers for a role ARN in an account the caller cannot see.
 */
#include "sim.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DURATION_MIN     900
#define DURATION_MAX     43200
#define DURATION_DEFAULT 3600
/* AWS caps sessions of role chaining at one hour. */
#define DURATION_CHAINED 3600

int sim_sts_has_action(const char *action)
{
    return action && (strcmp(action, "GetCallerIdentity") == 0 ||
                      strcmp(action, "AssumeRole") == 0);
}

/* A list of validation messages, reported together as AWS does. */
struct violations {
    tern_buf text;
    int count;
};

static void violation(struct violations *v, const char *field,
                      const char *value, const char *constraint)
{
    if (v->count > 0)
        tern_buf_puts(&v->text, "; ");
    if (value)
        tern_buf_printf(&v->text,
                        "Value '%s' at '%s' failed to satisfy constraint: %s",
                        value, field, constraint);
    else
        tern_buf_printf(&v->text,
                        "Value null at '%s' failed to satisfy constraint: %s",
                        field, constraint);
    v->count++;
}

/* Whether every character of s is a word character or one of extra. */
static int matches_class(const char *s, const char *extra)
{
    const char *p;

    for (p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '_')
            continue;
        if (strchr(extra, c) == NULL)
            return 0;
    }
    return 1;
}

/* Length bounds and pattern of a string parameter; NULL when absent. */
static void check_string(struct violations *v, const char *field,
                         const char *value, int required, size_t min,
                         size_t max, const char *extra, const char *pattern)
{
    size_t len;

    if (!value) {
        if (required)
            violation(v, field, NULL, "Member must not be null");
        return;
    }
    len = strlen(value);
    if (len < min) {
        char c[96];

        snprintf(c, sizeof(c),
                 "Member must have length greater than or equal to %zu", min);
        violation(v, field, value, c);
    }
    if (len > max) {
        char c[96];

        snprintf(c, sizeof(c),
                 "Member must have length less than or equal to %zu", max);
        violation(v, field, value, c);
    }
    if (extra && !matches_class(value, extra)) {
        char c[128];

        snprintf(c, sizeof(c),
                 "Member must satisfy regular expression pattern: %s", pattern);
        violation(v, field, value, c);
    }
}

/* Parse a decimal integer, the whole string; 0 or -1. */
static int parse_int(const char *s, long *out)
{
    char *end = NULL;
    long n;

    if (!s || !*s)
        return -1;
    n = strtol(s, &end, 10);
    if (*end != '\0')
        return -1;
    *out = n;
    return 0;
}

static void random_chars(struct sim *sim, char *out, size_t n,
                         const char *alphabet)
{
    size_t i, len = strlen(alphabet);

    for (i = 0; i < n; i++)
        out[i] = alphabet[sim_rand_below(sim, len)];
    out[n] = '\0';
}

static void iso8601(char *out, size_t len, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void get_caller_identity(struct sim_req *req, struct sim_resp *resp)
{
    sim_xml_begin(resp, "GetCallerIdentity", SIM_STS_NS, 1);
    tern_buf_puts(&resp->body, "    ");
    sim_xml_elem(&resp->body, "Arn", req->caller_arn);
    tern_buf_puts(&resp->body, "\n    ");
    sim_xml_elem(&resp->body, "UserId", req->caller_user_id);
    tern_buf_puts(&resp->body, "\n    ");
    sim_xml_elem(&resp->body, "Account", req->account);
    sim_xml_end(resp, req, "GetCallerIdentity", 1);
}

/*
 * Split "arn:aws:iam::ACCOUNT:role/path/NAME" into its account and the role
 * name (the part after the last slash). 0 or -1.
 */
static int split_role_arn(const char *arn, char *account, size_t account_len,
                          const char **name)
{
    const char *p, *acct, *colon, *slash;
    size_t n;

    if (strncmp(arn, "arn:", 4) != 0)
        return -1;
    p = strstr(arn + 4, ":iam::");
    if (!p)
        return -1;
    acct = p + 6;
    colon = strchr(acct, ':');
    if (!colon || strncmp(colon + 1, "role/", 5) != 0)
        return -1;
    n = (size_t)(colon - acct);
    if (n == 0 || n >= account_len)
        return -1;
    memcpy(account, acct, n);
    account[n] = '\0';
    slash = strrchr(colon + 1, '/');
    if (!slash || slash[1] == '\0')
        return -1;
    *name = slash + 1;
    return 0;
}

static void assume_role(struct sim *sim, struct sim_req *req,
                        struct sim_resp *resp)
{
    static const char upper_alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                              "wxyz0123456789+/";
    const char *role_arn = sim_req_param(req, "RoleArn");
    const char *session = sim_req_param(req, "RoleSessionName");
    const char *duration_s = sim_req_param(req, "DurationSeconds");
    const char *external_id = sim_req_param(req, "ExternalId");
    const char *role_name = NULL;
    struct violations v = {TERN_BUF_INIT, 0};
    struct sim_key key;
    char role_id[128], account[32], akid[21], secret[41], token[409];
    char expiration[32];
    char *arn = NULL, *user_id = NULL;
    long duration = DURATION_DEFAULT;
    int max_session = 3600;
    int64_t expires_ms;

    memset(&key, 0, sizeof(key));
    check_string(&v, "roleArn", role_arn, 1, 20, 2048, NULL, NULL);
    check_string(&v, "roleSessionName", session, 1, 2, 64, "+=,.@-",
                 "[\\w+=,.@-]*");
    check_string(&v, "externalId", external_id, 0, 2, 1224, "+=,.@:/-",
                 "[\\w+=,.@:\\/-]*");
    if (duration_s) {
        if (parse_int(duration_s, &duration) < 0)
            violation(&v, "durationSeconds", duration_s,
                      "Member must be a number");
        else if (duration < DURATION_MIN)
            violation(&v, "durationSeconds", duration_s,
                      "Member must have value greater than or equal to 900");
        else if (duration > DURATION_MAX)
            violation(&v, "durationSeconds", duration_s,
                      "Member must have value less than or equal to 43200");
    }
    if (v.count > 0) {
        sim_aws_error(resp, req, 400, "Sender", "ValidationError",
                      "%d validation error%s detected: %s", v.count,
                      v.count == 1 ? "" : "s", tern_buf_cstr(&v.text));
        goto done;
    }
    if (duration > DURATION_CHAINED && req->caller_arn &&
        strstr(req->caller_arn, ":assumed-role/")) {
        sim_aws_error(resp, req, 400, "Sender", "ValidationError",
                      "The requested DurationSeconds exceeds the 1 hour "
                      "session limit for roles assumed by role chaining.");
        goto done;
    }
    if (split_role_arn(role_arn, account, sizeof(account), &role_name) < 0 ||
        !sim_iam_role_for_assume(sim->iam, role_arn, role_id, sizeof(role_id),
                                 &max_session)) {
        sim_aws_error(resp, req, 403, "Sender", "AccessDenied",
                      "User: %s is not authorized to perform: "
                      "sts:AssumeRole on resource: %s",
                      req->caller_arn ? req->caller_arn : "", role_arn);
        goto done;
    }
    if (duration > max_session) {
        sim_aws_error(resp, req, 400, "Sender", "ValidationError",
                      "The requested DurationSeconds exceeds the "
                      "MaxSessionDuration set for this role.");
        goto done;
    }

    memcpy(akid, "ASIA", 4);
    random_chars(sim, akid + 4, 16, upper_alnum);
    random_chars(sim, secret, 40, b64);
    /* Real tokens start with the base64 of a small binary header; the
     * length is not fixed, and clients must not assume one. */
    memcpy(token, "IQoJb3JpZ2luX2Vj", 16);
    random_chars(sim, token + 16, sizeof(token) - 17, b64);
    expires_ms = sim_now_ms(sim) + (int64_t)duration * 1000;
    iso8601(expiration, sizeof(expiration), expires_ms);
    arn = tern_asprintf("arn:aws:sts::%s:assumed-role/%s/%s", account,
                        role_name, session);
    user_id = tern_asprintf("%s:%s", role_id, session);
    key.access_key_id = akid;
    key.secret_access_key = secret;
    key.session_token = token;
    key.expires_ms = expires_ms;
    key.account = account;
    key.arn = arn;
    key.user_id = user_id;
    if (!arn || !user_id || sim_key_add(sim, &key) < 0) {
        sim_aws_error(resp, req, 500, "Receiver", "ServiceFailure",
                      "tern-sim ran out of memory");
        goto done;
    }

    sim_xml_begin(resp, "AssumeRole", SIM_STS_NS, 1);
    tern_buf_puts(&resp->body, "    <Credentials>\n      ");
    sim_xml_elem(&resp->body, "AccessKeyId", akid);
    tern_buf_puts(&resp->body, "\n      ");
    sim_xml_elem(&resp->body, "SecretAccessKey", secret);
    tern_buf_puts(&resp->body, "\n      ");
    sim_xml_elem(&resp->body, "SessionToken", token);
    tern_buf_puts(&resp->body, "\n      ");
    sim_xml_elem(&resp->body, "Expiration", expiration);
    tern_buf_puts(&resp->body, "\n    </Credentials>\n"
                               "    <AssumedRoleUser>\n      ");
    sim_xml_elem(&resp->body, "AssumedRoleId", user_id);
    tern_buf_puts(&resp->body, "\n      ");
    sim_xml_elem(&resp->body, "Arn", arn);
    tern_buf_puts(&resp->body, "\n    </AssumedRoleUser>");
    sim_xml_end(resp, req, "AssumeRole", 1);

done:
    tern_buf_release(&v.text);
    tern_free(arn);
    tern_free(user_id);
}

void sim_sts_handle(struct sim *sim, struct sim_req *req, const char *action,
                    struct sim_resp *resp)
{
    if (action && strcmp(action, "GetCallerIdentity") == 0)
        get_caller_identity(req, resp);
    else if (action && strcmp(action, "AssumeRole") == 0)
        assume_role(sim, req, resp);
    else
        sim_aws_error(resp, req, 400, "Sender", "InvalidAction",
                      "Could not find operation %s for version 2011-06-15",
                      action ? action : "");
}
