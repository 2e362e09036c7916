/*
 * Fuzz target: the SigV4 canonicaliser and the Authorization parsers.
 *
 * Input: "METHOD PATH[?QUERY]\n" then header lines "Name: value\n", an
 * empty line, then the body. The request is signed in both forms, then
 * its first header's value is parsed as an Authorization header and the
 * query as a presigned query.
 */
#include "aws/sigv4.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HEADERS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *line, *next, *sp, *q, *body = "";
    struct tern_sigv4_header headers[MAX_HEADERS];
    size_t nheaders = 0;
    tern_sigv4_request req = TERN_SIGV4_REQUEST_INIT;
    tern_sigv4_opts opts = TERN_SIGV4_OPTS_INIT;
    tern_sigv4_result res;
    tern_sigv4_auth auth;
    enum tern_sigv4_auth_error why;
    int form;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    line = text;
    next = strchr(line, '\n');
    if (next)
        *next++ = '\0';
    sp = strchr(line, ' ');
    if (sp) {
        *sp++ = '\0';
        req.method = line;
        q = strchr(sp, '?');
        if (q)
            *q++ = '\0';
        req.path = sp;
        req.query = q;
    }
    while (next && *next && *next != '\n' && nheaders < MAX_HEADERS) {
        char *colon;

        line = next;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        headers[nheaders].name = line;
        headers[nheaders].value = colon + 1;
        nheaders++;
    }
    if (next && *next == '\n')
        body = next + 1;
    req.headers = headers;
    req.nheaders = nheaders;
    req.body = body;
    req.body_len = strlen(body);
    opts.access_key_id = "AKIDEXAMPLE";
    opts.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    opts.session_token = size % 2 ? "token" : NULL;
    opts.service = "iam";
    opts.time = 1440938160;
    for (form = 0; form < 2; form++) {
        memset(&res, 0, sizeof(res));
        opts.query_form = form;
        opts.normalize_path = !form;
        if (tern_sigv4_sign(&res, &req, &opts) == 0)
            tern_sigv4_result_release(&res);
    }
    memset(&auth, 0, sizeof(auth));
    if (nheaders &&
        tern_sigv4_auth_parse_header(&auth, headers[0].value, &why) == 0) {
        memset(&res, 0, sizeof(res));
        if (tern_sigv4_recompute(&res, &req, &auth, "20150830T123600Z",
                                 "secret", 1, NULL) == 0)
            tern_sigv4_result_release(&res);
        tern_sigv4_auth_release(&auth);
    }
    memset(&auth, 0, sizeof(auth));
    if (req.query && tern_sigv4_auth_parse_query(&auth, req.query, &why) == 0)
        tern_sigv4_auth_release(&auth);
    free(text);
    return 0;
}
