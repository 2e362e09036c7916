/*
 * Helpers every part of tern-sim uses: request parameters and headers, the
 * key store, the seeded generator, the clock, eventual-consistency
 * timestamps, XML and JSON responses, and the call log.
 */
#include "sim.h"
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *sim_req_param(const struct sim_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nform; i++) {
        if (strcmp(req->form[i].name, name) == 0)
            return req->form[i].value;
    }
    for (i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    }
    return NULL;
}

const char *sim_req_header(const struct sim_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nheaders; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    }
    return NULL;
}

int64_t sim_now_ms(struct sim *sim)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
           sim->clock_offset_ms;
}

/* splitmix64: small, fast, and good enough for fault draws. */
static uint64_t next_u64(struct sim *sim)
{
    uint64_t z = (sim->rng_state += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double sim_rand(struct sim *sim)
{
    return (double)(next_u64(sim) >> 11) / 9007199254740992.0;
}

uint64_t sim_rand_below(struct sim *sim, uint64_t n)
{
    return n ? next_u64(sim) % n : 0;
}

int64_t sim_visible_at(struct sim *sim)
{
    int64_t at = sim_now_ms(sim) + sim->faults.propagation_ms;

    if (sim->faults.propagation_jitter_ms > 0)
        at += (int64_t)sim_rand_below(
            sim, (uint64_t)sim->faults.propagation_jitter_ms + 1);
    return at;
}

static char *dup_or_null(const char *s)
{
    return s ? tern_strdup(s) : NULL;
}

int sim_key_add(struct sim *sim, const struct sim_key *key)
{
    struct sim_key *k;

    if (sim->nkeys == sim->keys_alloc) {
        size_t alloc = sim->keys_alloc ? sim->keys_alloc * 2 : 8;
        struct sim_key *keys = tern_realloc(sim->keys, alloc * sizeof(*keys));

        if (!keys)
            return -1;
        sim->keys = keys;
        sim->keys_alloc = alloc;
    }
    k = &sim->keys[sim->nkeys];
    memset(k, 0, sizeof(*k));
    k->access_key_id = dup_or_null(key->access_key_id);
    k->secret_access_key = dup_or_null(key->secret_access_key);
    k->session_token = dup_or_null(key->session_token);
    k->expires_ms = key->expires_ms;
    k->account = dup_or_null(key->account ? key->account : SIM_DEFAULT_ACCOUNT);
    k->arn = dup_or_null(key->arn);
    k->user_id = dup_or_null(key->user_id);
    if (!k->access_key_id || !k->secret_access_key || !k->account)
        return -1;
    if (!k->arn)
        k->arn = tern_asprintf("arn:aws:iam::%s:user/tern-sim", k->account);
    if (!k->user_id)
        k->user_id = tern_strdup("AIDATERNSIMUSER000001");
    sim->nkeys++;
    return 0;
}

const struct sim_key *sim_key_find(struct sim *sim, const char *akid)
{
    size_t i;

    if (!akid)
        return NULL;
    for (i = sim->nkeys; i > 0; i--) {
        if (strcmp(sim->keys[i - 1].access_key_id, akid) == 0)
            return &sim->keys[i - 1];
    }
    return NULL;
}

void sim_xml_escape(tern_buf *b, const char *text)
{
    const char *p;

    for (p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '&':
            tern_buf_puts(b, "&amp;");
            break;
        case '<':
            tern_buf_puts(b, "&lt;");
            break;
        case '>':
            tern_buf_puts(b, "&gt;");
            break;
        case '"':
            tern_buf_puts(b, "&quot;");
            break;
        case '\'':
            tern_buf_puts(b, "&apos;");
            break;
        default:
            tern_buf_putc(b, *p);
        }
    }
}

void sim_xml_elem(tern_buf *b, const char *tag, const char *text)
{
    tern_buf_printf(b, "<%s>", tag);
    sim_xml_escape(b, text);
    tern_buf_printf(b, "</%s>", tag);
}

void sim_xml_begin(struct sim_resp *resp, const char *action, const char *ns,
                   int result)
{
    resp->status = 200;
    resp->content_type = "text/xml";
    tern_buf_clear(&resp->body);
    tern_buf_printf(&resp->body, "<%sResponse xmlns=\"%s\">\n", action, ns);
    if (result)
        tern_buf_printf(&resp->body, "  <%sResult>\n", action);
}

void sim_xml_end(struct sim_resp *resp, const struct sim_req *req,
                 const char *action, int result)
{
    if (result)
        tern_buf_printf(&resp->body, "\n  </%sResult>\n", action);
    tern_buf_printf(&resp->body,
                    "  <ResponseMetadata>\n"
                    "    <RequestId>%s</RequestId>\n"
                    "  </ResponseMetadata>\n"
                    "</%sResponse>\n",
                    req->request_id, action);
}

void sim_aws_error(struct sim_resp *resp, const struct sim_req *req, int status,
                   const char *type, const char *code, const char *fmt, ...)
{
    va_list ap;
    char msg[2048];
    const char *action = req ? sim_req_param(req, "Action") : NULL;
    const char *ns = action && (strcmp(action, "GetCallerIdentity") == 0 ||
                                strcmp(action, "AssumeRole") == 0)
                         ? SIM_STS_NS
                         : SIM_IAM_NS;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    resp->status = status;
    resp->content_type = "text/xml";
    snprintf(resp->error_code, sizeof(resp->error_code), "%s", code);
    tern_buf_clear(&resp->body);
    if (sim_ec2_has_action(action)) {
        /* EC2's own error document: no Type, RequestID in capitals. */
        (void)type;
        tern_buf_puts(&resp->body,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<Response><Errors><Error>");
        sim_xml_elem(&resp->body, "Code", code);
        sim_xml_elem(&resp->body, "Message", msg);
        tern_buf_puts(&resp->body, "</Error></Errors>");
        sim_xml_elem(&resp->body, "RequestID", req ? req->request_id : "");
        tern_buf_puts(&resp->body, "</Response>\n");
        return;
    }
    tern_buf_printf(&resp->body, "<ErrorResponse xmlns=\"%s\">\n  <Error>\n",
                    ns);
    tern_buf_puts(&resp->body, "    ");
    sim_xml_elem(&resp->body, "Type", type);
    tern_buf_puts(&resp->body, "\n    ");
    sim_xml_elem(&resp->body, "Code", code);
    tern_buf_puts(&resp->body, "\n    ");
    sim_xml_elem(&resp->body, "Message", msg);
    tern_buf_puts(&resp->body, "\n  </Error>\n  ");
    sim_xml_elem(&resp->body, "RequestId", req ? req->request_id : "");
    tern_buf_puts(&resp->body, "\n</ErrorResponse>\n");
}

void sim_resp_json(struct sim_resp *resp, int status, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    resp->status = status;
    resp->content_type = "application/json";
    tern_buf_clear(&resp->body);
    tern_buf_puts(&resp->body, text ? text : "{}");
    free(text); /* allocated by jansson */
    json_decref(v);
}

void sim_dbx_error(struct sim_resp *resp, int status, const char *code,
                   const char *fmt, ...)
{
    va_list ap;
    char msg[2048];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(resp->error_code, sizeof(resp->error_code), "%s", code);
    sim_resp_json(resp, status,
                  json_pack("{s:s, s:s}", "error_code", code, "message", msg));
}

void sim_url_encode(tern_buf *b, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;

    for (p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
            *p == '~') {
            tern_buf_putc(b, (char)*p);
        } else {
            tern_buf_putc(b, '%');
            tern_buf_putc(b, hex[*p >> 4]);
            tern_buf_putc(b, hex[*p & 15]);
        }
    }
}

void sim_log_call(struct sim *sim, const char *service, const char *action,
                  int status, const char *error_code, int64_t start_ms,
                  int64_t end_ms)
{
    struct sim_call *c;

    if (sim->ncalls == sim->calls_alloc) {
        size_t alloc = sim->calls_alloc ? sim->calls_alloc * 2 : 256;
        struct sim_call *calls =
            tern_realloc(sim->calls, alloc * sizeof(*calls));

        if (!calls)
            return;
        sim->calls = calls;
        sim->calls_alloc = alloc;
    }
    c = &sim->calls[sim->ncalls++];
    pthread_cond_broadcast(&sim->calls_cond);
    memset(c, 0, sizeof(*c));
    c->seq = ++sim->next_seq;
    snprintf(c->service, sizeof(c->service), "%s", service ? service : "");
    snprintf(c->action, sizeof(c->action), "%s", action ? action : "");
    c->status = status;
    snprintf(c->error_code, sizeof(c->error_code), "%s",
             error_code ? error_code : "");
    c->start_ms = start_ms;
    c->end_ms = end_ms;
}

static void key_release(struct sim_key *k)
{
    tern_free(k->access_key_id);
    tern_free(k->secret_access_key);
    tern_free(k->session_token);
    tern_free(k->account);
    tern_free(k->arn);
    tern_free(k->user_id);
}

void sim_keys_truncate(struct sim *sim, size_t n)
{
    while (sim->nkeys > n)
        key_release(&sim->keys[--sim->nkeys]);
}

void sim_free_contents(struct sim *sim)
{
    size_t i;

    sim_keys_truncate(sim, 0);
    tern_free(sim->keys);
    sim->keys = NULL;
    sim->keys_alloc = 0;
    for (i = 0; i < sim->ndbx_tokens; i++)
        tern_free(sim->dbx_tokens[i]);
    tern_free(sim->dbx_tokens);
    sim->dbx_tokens = NULL;
    sim->ndbx_tokens = 0;
    tern_free(sim->calls);
    sim->calls = NULL;
    sim->ncalls = sim->calls_alloc = 0;
}

static const char *const garble_modes[] = {"truncate", "oversize", "html",
                                           "shape",    "stall",    "empty",
                                           "escape",   "endless"};

int sim_garble_mode_valid(const char *mode)
{
    size_t i;

    for (i = 0; mode && i < sizeof(garble_modes) / sizeof(*garble_modes); i++)
        if (strcmp(mode, garble_modes[i]) == 0)
            return 1;
    return 0;
}

void sim_garble(struct sim *sim, struct sim_resp *resp, int json)
{
    const struct sim_faults *f = &sim->faults;
    const char *mode = f->garble_mode[0] ? f->garble_mode : "truncate";

    if (f->garble_rate <= 0 || resp->drop || sim_rand(sim) >= f->garble_rate)
        return;
    snprintf(resp->error_code, sizeof(resp->error_code), "Garbled:%s", mode);
    if (strcmp(mode, "truncate") == 0) {
        resp->body.len /= 2;
        if (resp->body.ptr)
            resp->body.ptr[resp->body.len] = '\0';
    } else if (strcmp(mode, "oversize") == 0) {
        /* Whitespace is legal after the document: only a size cap stops a
         * client from reading it all. */
        size_t pad = 17u * 1024 * 1024;

        if (tern_buf_grow(&resp->body, pad) == 0) {
            memset(resp->body.ptr + resp->body.len, ' ', pad);
            resp->body.len += pad;
            resp->body.ptr[resp->body.len] = '\0';
        }
    } else if (strcmp(mode, "html") == 0) {
        resp->status = 200;
        resp->content_type = "text/html";
        tern_buf_clear(&resp->body);
        tern_buf_puts(&resp->body,
                      "<html><head><title>502 Bad Gateway</title></head>"
                      "<body><center><h1>502 Bad Gateway</h1></center>"
                      "</body></html>\n");
    } else if (strcmp(mode, "shape") == 0) {
        tern_buf_clear(&resp->body);
        if (json) {
            tern_buf_puts(&resp->body, "[\"not\", \"an\", \"object\"]");
        } else {
            tern_buf_puts(&resp->body,
                          "<ListUsersResponse xmlns=\"" SIM_IAM_NS "\">"
                          "<ListUsersResult><Users/><IsTruncated>false"
                          "</IsTruncated></ListUsersResult>"
                          "</ListUsersResponse>\n");
        }
    } else if (strcmp(mode, "empty") == 0 && !json) {
        /* A well-formed answer with an empty result element: the action's
         * root element name, from the real response, minus "Response". */
        char action[128] = "";
        const char *p = resp->body.ptr ? strchr(resp->body.ptr, '<') : NULL;
        size_t n = 0;

        if (p && p[1] == '?')
            p = strchr(p + 1, '<');
        if (p)
            for (p++; *p && *p != ' ' && *p != '>' && *p != '/' &&
                      n + 1 < sizeof(action);
                 p++)
                action[n++] = *p;
        action[n] = '\0';
        if (n > 8 && strcmp(action + n - 8, "Response") == 0)
            action[n - 8] = '\0';
        else if (strcmp(action, "ErrorResponse") == 0)
            action[0] = '\0';
        if (action[0]) {
            resp->status = 200;
            tern_buf_clear(&resp->body);
            tern_buf_printf(&resp->body,
                            "<%sResponse xmlns=\"" SIM_IAM_NS "\"><%sResult/>"
                            "<ResponseMetadata><RequestId>00000000-0000-0000-"
                            "0000-000000000000</RequestId></ResponseMetadata>"
                            "</%sResponse>\n",
                            action, action, action);
        }
    } else if (strcmp(mode, "stall") == 0) {
        resp->stall_ms = f->stall_ms > 0 ? f->stall_ms : 30000;
    } else if (strcmp(mode, "endless") == 0 && !json && resp->body.ptr &&
               strstr(resp->body.ptr, "<IsTruncated>")) {
        /* A list that never ends: IsTruncated true, and a fresh Marker
         * each time (past every key, so the next page is empty). */
        char *t = strstr(resp->body.ptr, "<IsTruncated>");
        const char *rest = strstr(t, "</IsTruncated>");
        char fresh[32];
        tern_buf out = TERN_BUF_INIT;

        rest = rest ? rest + strlen("</IsTruncated>") : t;
        if (strncmp(rest, "<Marker>", 8) == 0 && strstr(rest, "</Marker>"))
            rest = strstr(rest, "</Marker>") + strlen("</Marker>");
        snprintf(fresh, sizeof(fresh), "~%016llx",
                 (unsigned long long)sim_rand_below(sim, UINT64_MAX));
        tern_buf_put(&out, resp->body.ptr, (size_t)(t - resp->body.ptr));
        tern_buf_puts(&out, "<IsTruncated>true</IsTruncated><Marker>");
        tern_buf_put_hex(&out, (const unsigned char *)fresh, strlen(fresh));
        tern_buf_puts(&out, "</Marker>");
        tern_buf_puts(&out, rest);
        tern_buf_release(&resp->body);
        resp->body = out;
    } else if (strcmp(mode, "escape") == 0) {
        /* A hostile error answer: terminal escapes (set the window title,
         * clear the screen, a C1 CSI, a carriage return) in the body, and
         * for JSON in the code, message and request id header. */
        resp->status = 400;
        tern_buf_clear(&resp->body);
        if (json) {
            resp->content_type = "application/json";
            tern_buf_puts(&resp->body,
                          "{\"error_code\": \"BAD\\u001b[31m\", "
                          "\"message\": \"\\u001b]0;owned\\u0007\\u001b[2J"
                          "gone\\r\\u009b1m\"}");
            snprintf(resp->extra_header, sizeof(resp->extra_header),
                     "x-request-id: rid\033[5m");
        } else {
            resp->content_type = "text/plain";
            tern_buf_puts(&resp->body,
                          "\033]0;owned\007\033[2JAccess denied\r\n");
        }
    }
}
