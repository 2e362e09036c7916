/*
 * SigV4 verification for tern-sim's AWS endpoints, with AWS's error codes,
 * statuses and messages, checked in the order AWS reports them:
 *
 *   no Authorization header and no X-Amz-Algorithm query parameter
 *       403 MissingAuthenticationToken
 *   malformed Authorization or presigned query, missing or malformed date
 *       400 IncompleteSignature
 *   unknown access key id; session key without (or with the wrong)
 *   X-Amz-Security-Token; a token sent with a long-term key
 *       403 InvalidClientTokenId
 *   session credentials past their expiry
 *       403 ExpiredToken
 *   X-Amz-Date more than 15 minutes from the simulator's clock (or a
 *   presigned request past X-Amz-Expires)
 *       400 RequestExpired ("Signature expired: ..." as AWS words it)
 *   credential scope not matching the date, the service or IAM's region
 *       403 SignatureDoesNotMatch (AWS's specific messages)
 *   signature mismatch
 *       403 SignatureDoesNotMatch
 *
 * The signature is recomputed by tern-sim's own SigV4 code (sigv4.c, which
 * shares nothing with tern's signer) from the request exactly as received
 * (raw path, raw query, every header, the body's bytes), so a client bug
 * in canonicalisation shows up here as it would against AWS. Secrets and
 * tokens never appear in a response.
 */
#include "sigv4.h"
#include "sim.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define SKEW_SECONDS (15 * 60)

static const char *query_value(const struct sim_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    }
    return NULL;
}

static void invalid_token(struct sim_resp *resp, const struct sim_req *req)
{
    sim_aws_error(resp, req, 403, "Sender", "InvalidClientTokenId",
                  "The security token included in the request is invalid.");
}

/*
 * The service a request is for, by its Action: STS's whole API is this
 * list, everything else is IAM. Kept here rather than asking sts.c so the
 * check does not depend on which STS actions the simulator implements.
 */
static const char *expected_service(const struct sim_req *req)
{
    static const char *const sts_actions[] = {"AssumeRole",
                                              "AssumeRoleWithSAML",
                                              "AssumeRoleWithWebIdentity",
                                              "DecodeAuthorizationMessage",
                                              "GetAccessKeyInfo",
                                              "GetCallerIdentity",
                                              "GetFederationToken",
                                              "GetSessionToken"};
    const char *action = sim_req_param(req, "Action");
    const char *target = sim_req_header(req, "X-Amz-Target");
    size_t i;

    if (target && strncmp(target, "DynamoDB_20120810.", 18) == 0)
        return "dynamodb"; /* the JSON protocol names its action there */

    for (i = 0; action && i < sizeof(sts_actions) / sizeof(*sts_actions); i++) {
        if (strcmp(action, sts_actions[i]) == 0)
            return "sts";
    }
    if (action && strncmp(action, "Describe", 8) == 0)
        return "ec2"; /* IAM has no Describe action; EC2's reads are */
    return "iam";
}

/* Compare the recomputed signature with the one sent. */
static int check_signature(struct sim_req *req, struct sim_resp *resp,
                           const struct sim_sigv4_auth *auth,
                           const char *amz_date, const char *secret)
{
    struct sim_sigv4_input in;
    const char **names, **values;
    char want[SIM_SIGV4_SIG_LEN + 1];
    size_t i;
    int rc = -1;

    names = tern_calloc(req->nheaders + 1, sizeof(*names));
    values = tern_calloc(req->nheaders + 1, sizeof(*values));
    if (!names || !values) {
        sim_aws_error(resp, req, 500, "Receiver", "InternalFailure",
                      "out of memory");
        goto done;
    }
    for (i = 0; i < req->nheaders; i++) {
        names[i] = req->headers[i].name;
        values[i] = req->headers[i].value;
    }
    memset(&in, 0, sizeof(in));
    in.method = req->method;
    in.raw_path = req->raw_path;
    in.raw_query = req->raw_query;
    in.skip_signature = auth->query_form;
    in.header_names = names;
    in.header_values = values;
    in.nheaders = req->nheaders;
    in.signed_headers = auth->signed_headers;
    in.body = req->body;
    in.body_len = req->body_len;
    in.amz_date = amz_date;
    in.date = auth->date;
    in.region = auth->region;
    in.service = auth->service;
    in.secret = secret;
    if (sim_sigv4_compute(want, NULL, &in) != 0) {
        sim_aws_error(resp, req, 500, "Receiver", "InternalFailure",
                      "signature check failed");
    } else if (!sim_sigv4_equal(want, auth->signature)) {
        sim_aws_error(resp, req, 403, "Sender", "SignatureDoesNotMatch",
                      "The request signature we calculated does not match "
                      "the signature you provided. Check your AWS Secret "
                      "Access Key and signing method. Consult the service "
                      "documentation for details.");
    } else {
        rc = 0;
    }
done:
    tern_free(names);
    tern_free(values);
    return rc;
}

int sim_auth_check(struct sim *sim, struct sim_req *req, struct sim_resp *resp)
{
    const char *authz = sim_req_header(req, "Authorization");
    const char *amz_date, *token, *service;
    const struct sim_key *key;
    const char *why;
    struct sim_sigv4_auth auth;
    char now_s[SIM_SIGV4_DATE_LEN + 1], edge_s[SIM_SIGV4_DATE_LEN + 1];
    time_t t = 0, now;
    int64_t now_ms = sim_now_ms(sim);
    int rc = -1;

    memset(&auth, 0, sizeof(auth));
    if (!authz && !query_value(req, "X-Amz-Algorithm")) {
        sim_aws_error(resp, req, 403, "Sender", "MissingAuthenticationToken",
                      "Request is missing Authentication Token");
        return -1;
    }
    why = authz ? sim_sigv4_parse_header(&auth, authz)
                : sim_sigv4_parse_query(&auth, req);
    if (why) {
        if (authz)
            sim_aws_error(resp, req, 400, "Sender", "IncompleteSignature",
                          "%s Authorization=%s", why, authz);
        else
            sim_aws_error(resp, req, 400, "Sender", "IncompleteSignature", "%s",
                          why);
        return -1;
    }

    amz_date =
        auth.query_form ? auth.amz_date : sim_req_header(req, "X-Amz-Date");
    if (!amz_date) {
        sim_aws_error(resp, req, 400, "Sender", "IncompleteSignature",
                      "Authorization header requires existence of either a "
                      "'X-Amz-Date' or a 'Date' header. Authorization=%s",
                      authz);
        goto done;
    }
    if (sim_sigv4_parse_date(&t, amz_date) != 0) {
        sim_aws_error(resp, req, 400, "Sender", "IncompleteSignature",
                      "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                      "http://en.wikipedia.org/wiki/ISO_8601",
                      amz_date);
        goto done;
    }

    key = sim_key_find(sim, auth.access_key_id);
    if (!key) {
        invalid_token(resp, req);
        goto done;
    }
    token = sim_req_header(req, "X-Amz-Security-Token");
    if (!token)
        token = auth.security_token;
    if (key->session_token ? !token || strcmp(token, key->session_token) != 0
                           : token != NULL) {
        invalid_token(resp, req);
        goto done;
    }
    if (key->expires_ms && now_ms >= key->expires_ms) {
        sim_aws_error(resp, req, 403, "Sender", "ExpiredToken",
                      "The security token included in the request is "
                      "expired");
        goto done;
    }

    now = (time_t)(now_ms / 1000);
    sim_sigv4_format_date(now_s, now);
    if (!auth.query_form && t < now - SKEW_SECONDS) {
        sim_sigv4_format_date(edge_s, now - SKEW_SECONDS);
        sim_aws_error(resp, req, 400, "Sender", "RequestExpired",
                      "Signature expired: %s is now earlier than %s (%s - 15 "
                      "min.)",
                      amz_date, edge_s, now_s);
        goto done;
    }
    if (t > now + SKEW_SECONDS) {
        sim_sigv4_format_date(edge_s, now + SKEW_SECONDS);
        sim_aws_error(resp, req, 400, "Sender", "RequestExpired",
                      "Signature not yet current: %s is still later than %s "
                      "(%s + 15 min.)",
                      amz_date, edge_s, now_s);
        goto done;
    }
    if (auth.query_form && now > t + auth.expires) {
        sim_aws_error(resp, req, 400, "Sender", "RequestExpired",
                      "Request has expired.");
        goto done;
    }

    if (strncmp(auth.date, amz_date, 8) != 0) {
        sim_aws_error(resp, req, 403, "Sender", "SignatureDoesNotMatch",
                      "Date in Credential scope does not match YYYYMMDD from "
                      "ISO-8601 version of date from HTTP: '%s' != '%.8s', "
                      "from '%s'.",
                      auth.date, amz_date, amz_date);
        goto done;
    }
    service = expected_service(req);
    if (strcmp(auth.service, service) != 0) {
        sim_aws_error(resp, req, 403, "Sender", "SignatureDoesNotMatch",
                      "Credential should be scoped to correct service: '%s'. ",
                      service);
        goto done;
    }
    /* IAM is global and signs in us-east-1; STS takes any region. */
    if (strcmp(service, "iam") == 0 && strcmp(auth.region, "us-east-1") != 0) {
        sim_aws_error(resp, req, 403, "Sender", "SignatureDoesNotMatch",
                      "Credential should be scoped to a valid region. ");
        goto done;
    }

    if (check_signature(req, resp, &auth, amz_date, key->secret_access_key) !=
        0)
        goto done;
    snprintf(req->region, sizeof(req->region), "%s", auth.region);
    req->account = key->account;
    req->caller_arn = key->arn;
    req->caller_user_id = key->user_id;
    rc = 0;
done:
    sim_sigv4_auth_release(&auth);
    return rc;
}
