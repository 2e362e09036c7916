/*
 * tern-sim's Databricks: the Instance Profiles API 2.0 under
 * /api/2.0/instance-profiles/ (add, list, edit, remove), with the error
 * shapes a real workspace sends. Every handler runs with sim->lock held.
 *
 *   POST add    {instance_profile_arn, iam_role_arn?,
 * is_meta_instance_profile?, skip_validation?}                              ->
 * 200 {} GET  list                     -> 200 {"instance_profiles":[{
 *                instance_profile_arn, iam_role_arn?, is_meta_instance_profile
 *                }, ...]} in the order added, or {} when there is none (the
 *                API omits empty lists; clients must accept both)
 *   POST edit   {instance_profile_arn, iam_role_arn?,
 * is_meta_instance_profile?}
 *                                                              -> 200 {}
 *   POST remove {instance_profile_arn}                         -> 200 {}
 *
 * Errors, as {"error_code": "...", "message": "..."} unless said otherwise:
 * - No "Authorization: Bearer ..." header: 401 {"error_code": 401,
 *   "message": "Credential was not sent or was of an unsupported type for
 *   this API. [ReqId: <id>]"}. A bearer token that is not one of
 *   sim->dbx_tokens: 403 {"error_code": 403, "message": "Invalid access
 *   token."} with X-Databricks-Reason-Phrase. Both are what workspaces send
 *   today, numeric error_code included (the Go SDK's issues #795 and #917
 *   quote the 403; Pipedream's #20701 the 401), so a client must not assume
 *   error_code is a string.
 * - Unknown endpoint: 404 ENDPOINT_NOT_FOUND. Wrong method on a known one:
 *   405 with the HTML page of Databricks' Jetty front end ("HTTP method GET
 *   is not supported by this URL", as terraform-provider-databricks #2183
 *   quotes it), not JSON.
 * - Body that is not a JSON object: 400 MALFORMED_REQUEST. Field of the
 *   wrong type: 400 MALFORMED_REQUEST. Missing instance_profile_arn: 400
 *   INVALID_PARAMETER_VALUE "Missing required field: instance_profile_arn".
 * - instance_profile_arn not of the form
 *   arn:<partition>:iam::<12 digits>:instance-profile/<path/name>, or
 *   iam_role_arn not arn:<partition>:iam::<12 digits>:role/<path/name>: 400
 *   INVALID_PARAMETER_VALUE.
 * - add of a registered ARN: 400 RESOURCE_ALREADY_EXISTS.
 * - add without skip_validation of a profile that is not visible in IAM
 *   (unknown, or still inside the propagation delay) or holds no role: 400
 *   DRY_RUN_FAILED "Verification of the instance profile failed. AWS error:
 *   Value (<arn>) for parameter iamInstanceProfile.arn is invalid. Invalid
 *   IAM Instance Profile ARN". Databricks validates with an EC2
 *   RunInstances dry run and passes EC2's message through; this is the text
 *   users report for exactly these two cases (terraform-provider-databricks
 *   #1226, #1805; #779 is the propagation race), so tern's retry logic can
 *   match "Invalid IAM Instance Profile ARN" as it would against AWS.
 * - edit or remove of an ARN that is not registered: 404
 *   RESOURCE_DOES_NOT_EXIST. Public sources do not show what a workspace
 *   answers here (an idempotent 200 is possible); the simulator refuses so
 *   that tern's delete path is exercised on "already gone", which it must
 *   treat as success either way.
 * The shapes of ARN-syntax, duplicate and not-found messages are not
 * documented by Databricks; the codes follow its error-code conventions.
 *
 * Dump and load (control.c wraps them as {"databricks": ...}):
 *
 *   {"instance_profiles": [{"instance_profile_arn": "arn:aws:iam::...",
 *                           "iam_role_arn": "arn:aws:iam::...:role/x",
 *                           "is_meta_instance_profile": false}, ...]}
 *
 * iam_role_arn and is_meta_instance_profile are optional in a load; load
 * adds to what is there and refuses an ARN already registered. Loads skip
 * validation: they describe state, not calls.
 */
#include "sim.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

#define API_PREFIX "/api/2.0/instance-profiles/"

struct dbx_profile {
    char *arn;
    char *role_arn; /* NULL when none */
    int is_meta;
};

struct sim_dbx {
    struct sim *sim;
    struct dbx_profile *items;
    size_t n, alloc;
    struct sim_dbx_scim *scim;       /* dbx_scim.c */
    struct sim_dbx_catalog *catalog; /* dbx_catalog.c */
};

struct sim_dbx *sim_dbx_new(struct sim *sim)
{
    struct sim_dbx *dbx = tern_calloc(1, sizeof(*dbx));

    if (!dbx)
        return NULL;
    dbx->sim = sim;
    dbx->scim = sim_dbx_scim_new(sim);
    dbx->catalog = sim_dbx_catalog_new(sim);
    if (!dbx->scim || !dbx->catalog) {
        sim_dbx_free(dbx);
        return NULL;
    }
    return dbx;
}

void sim_dbx_reset(struct sim_dbx *dbx)
{
    size_t i;

    if (!dbx)
        return;
    for (i = 0; i < dbx->n; i++) {
        tern_free(dbx->items[i].arn);
        tern_free(dbx->items[i].role_arn);
    }
    dbx->n = 0;
    sim_dbx_scim_reset(dbx->scim);
    sim_dbx_catalog_reset(dbx->catalog);
}

void sim_dbx_free(struct sim_dbx *dbx)
{
    if (!dbx)
        return;
    sim_dbx_reset(dbx);
    sim_dbx_scim_free(dbx->scim);
    sim_dbx_catalog_free(dbx->catalog);
    tern_free(dbx->items);
    tern_free(dbx);
}

static struct dbx_profile *find(struct sim_dbx *dbx, const char *arn)
{
    size_t i;

    for (i = 0; i < dbx->n; i++) {
        if (strcmp(dbx->items[i].arn, arn) == 0)
            return &dbx->items[i];
    }
    return NULL;
}

int sim_dbx_profile_registered(struct sim_dbx *dbx, const char *arn)
{
    return arn && find(dbx, arn) != NULL;
}

/* Append a profile (copies the strings); 0 or -1. */
static int add_profile(struct sim_dbx *dbx, const char *arn,
                       const char *role_arn, int is_meta)
{
    struct dbx_profile *p;

    if (dbx->n == dbx->alloc) {
        size_t alloc = dbx->alloc ? dbx->alloc * 2 : 8;
        struct dbx_profile *items =
            tern_realloc(dbx->items, alloc * sizeof(*items));

        if (!items)
            return -1;
        dbx->items = items;
        dbx->alloc = alloc;
    }
    p = &dbx->items[dbx->n];
    p->arn = tern_strdup(arn);
    p->role_arn = role_arn && *role_arn ? tern_strdup(role_arn) : NULL;
    p->is_meta = is_meta;
    if (!p->arn || (role_arn && *role_arn && !p->role_arn)) {
        tern_free(p->arn);
        tern_free(p->role_arn);
        return -1;
    }
    dbx->n++;
    return 0;
}

static void remove_profile(struct sim_dbx *dbx, struct dbx_profile *p)
{
    size_t i = (size_t)(p - dbx->items);

    tern_free(p->arn);
    tern_free(p->role_arn);
    memmove(&dbx->items[i], &dbx->items[i + 1],
            (dbx->n - i - 1) * sizeof(*dbx->items));
    dbx->n--;
}

/*
 * Whether arn is "arn:<partition>:iam::<12 digits>:<kind>/<name>", where
 * the name may carry a path ("/a/b/name") but not end in a slash.
 */
static int valid_arn(const char *arn, const char *kind)
{
    const char *p = arn, *colon;
    size_t klen = strlen(kind), i;

    if (strncmp(p, "arn:", 4) != 0)
        return 0;
    p += 4;
    colon = strchr(p, ':');
    if (!colon || colon == p || strncmp(p, "aws", 3) != 0)
        return 0;
    p = colon + 1;
    if (strncmp(p, "iam::", 5) != 0)
        return 0;
    p += 5;
    for (i = 0; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
    }
    p += 12;
    if (*p++ != ':')
        return 0;
    if (strncmp(p, kind, klen) != 0 || p[klen] != '/')
        return 0;
    p += klen + 1;
    if (*p == '\0' || p[strlen(p) - 1] == '/')
        return 0;
    for (; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == ':')
            return 0;
    }
    return 1;
}

static void json_error_numeric(struct sim_resp *resp, int status,
                               const char *message)
{
    snprintf(resp->error_code, sizeof(resp->error_code), "%d", status);
    sim_resp_json(
        resp, status,
        json_pack("{s:i, s:s}", "error_code", status, "message", message));
}

/* 0 when the request carries one of the accepted tokens; else fills resp. */
static int check_token(struct sim_dbx *dbx, struct sim_req *req,
                       struct sim_resp *resp)
{
    const char *auth = sim_req_header(req, "Authorization");
    const char *token;
    char msg[160];
    size_t i;

    if (!auth || strncmp(auth, "Bearer ", 7) != 0) {
        snprintf(msg, sizeof(msg),
                 "Credential was not sent or was of an unsupported type for "
                 "this API. [ReqId: %s]",
                 req->request_id);
        json_error_numeric(resp, 401, msg);
        return -1;
    }
    token = auth + 7;
    while (*token == ' ')
        token++;
    for (i = 0; i < dbx->sim->ndbx_tokens; i++) {
        if (strcmp(dbx->sim->dbx_tokens[i], token) == 0)
            return 0;
    }
    json_error_numeric(resp, 403, "Invalid access token.");
    snprintf(resp->extra_header, sizeof(resp->extra_header),
             "X-Databricks-Reason-Phrase: Invalid access token.");
    return -1;
}

static void method_not_allowed(struct sim_req *req, struct sim_resp *resp)
{
    resp->status = 405;
    resp->content_type = "text/html;charset=utf-8";
    snprintf(resp->error_code, sizeof(resp->error_code), "405");
    tern_buf_clear(&resp->body);
    tern_buf_printf(&resp->body,
                    "<html>\n<head>\n<meta http-equiv=\"Content-Type\" "
                    "content=\"text/html;charset=utf-8\"/>\n"
                    "<title>Error 405 HTTP method %s is not supported by "
                    "this URL</title>\n</head>\n<body><h2>HTTP ERROR 405</h2>\n"
                    "<p>Problem accessing %s. Reason:\n"
                    "<pre>    HTTP method %s is not supported by this "
                    "URL</pre></p>\n</body>\n</html>\n",
                    req->method, req->path, req->method);
}

/*
 * Parse the body into a JSON object (new reference in *out), or fill resp
 * with MALFORMED_REQUEST and return -1. An empty body is an empty object.
 */
static int parse_body(struct sim_req *req, struct sim_resp *resp, json_t **out)
{
    json_error_t jerr;
    json_t *v;

    *out = NULL;
    if (!req->body || req->body_len == 0) {
        *out = json_object();
        return 0;
    }
    v = json_loadb(req->body, req->body_len, 0, &jerr);
    if (!v) {
        sim_dbx_error(resp, 400, "MALFORMED_REQUEST",
                      "Invalid JSON given in the body of the request - "
                      "failed to parse given JSON");
        return -1;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        sim_dbx_error(resp, 400, "MALFORMED_REQUEST",
                      "Invalid JSON given in the body of the request - "
                      "expected a map");
        return -1;
    }
    *out = v;
    return 0;
}

/*
 * The request's fields, type-checked. Strings are borrowed from the body;
 * absent ones are NULL, absent booleans -1.
 */
struct fields {
    const char *arn;
    const char *role_arn;
    int is_meta;
    int skip_validation;
};

static int string_field(json_t *body, const char *name, const char **out,
                        struct sim_resp *resp)
{
    json_t *v = json_object_get(body, name);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        sim_dbx_error(resp, 400, "MALFORMED_REQUEST",
                      "Invalid JSON given in the body of the request - "
                      "expected a string for field '%s'",
                      name);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static int bool_field(json_t *body, const char *name, int *out,
                      struct sim_resp *resp)
{
    json_t *v = json_object_get(body, name);

    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        sim_dbx_error(resp, 400, "MALFORMED_REQUEST",
                      "Invalid JSON given in the body of the request - "
                      "expected a boolean for field '%s'",
                      name);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* Read and check the fields every POST shares; 0 or -1 with resp filled. */
static int read_fields(json_t *body, struct fields *f, struct sim_resp *resp)
{
    memset(f, 0, sizeof(*f));
    if (string_field(body, "instance_profile_arn", &f->arn, resp) < 0 ||
        string_field(body, "iam_role_arn", &f->role_arn, resp) < 0 ||
        bool_field(body, "is_meta_instance_profile", &f->is_meta, resp) < 0 ||
        bool_field(body, "skip_validation", &f->skip_validation, resp) < 0)
        return -1;
    if (!f->arn || !*f->arn) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Missing required field: instance_profile_arn");
        return -1;
    }
    if (!valid_arn(f->arn, "instance-profile")) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Invalid instance profile ARN: %s. It should look like "
                      "arn:aws:iam::<account-id>:instance-profile/<name>",
                      f->arn);
        return -1;
    }
    if (f->role_arn && *f->role_arn && !valid_arn(f->role_arn, "role")) {
        sim_dbx_error(resp, 400, "INVALID_PARAMETER_VALUE",
                      "Invalid IAM role ARN: %s. It should look like "
                      "arn:aws:iam::<account-id>:role/<name>",
                      f->role_arn);
        return -1;
    }
    return 0;
}

static void ok_empty(struct sim_resp *resp)
{
    sim_resp_json(resp, 200, json_object());
}

static void handle_add(struct sim_dbx *dbx, const struct fields *f,
                       struct sim_resp *resp)
{
    if (find(dbx, f->arn)) {
        sim_dbx_error(resp, 400, "RESOURCE_ALREADY_EXISTS",
                      "Instance profile with ARN %s already exists.", f->arn);
        return;
    }
    if (f->skip_validation != 1 &&
        !sim_iam_profile_usable(dbx->sim->iam, f->arn)) {
        sim_dbx_error(resp, 400, "DRY_RUN_FAILED",
                      "Verification of the instance profile failed. AWS "
                      "error: Value (%s) for parameter iamInstanceProfile.arn "
                      "is invalid. Invalid IAM Instance Profile ARN",
                      f->arn);
        return;
    }
    if (add_profile(dbx, f->arn, f->role_arn, f->is_meta == 1) < 0) {
        sim_dbx_error(resp, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    ok_empty(resp);
}

static void not_registered(const char *arn, struct sim_resp *resp)
{
    sim_dbx_error(resp, 404, "RESOURCE_DOES_NOT_EXIST",
                  "Instance profile with ARN %s does not exist.", arn);
}

static void handle_edit(struct sim_dbx *dbx, const struct fields *f,
                        struct sim_resp *resp)
{
    struct dbx_profile *p = find(dbx, f->arn);
    char *role = NULL;

    if (!p) {
        not_registered(f->arn, resp);
        return;
    }
    /* The role ARN is the field edit exists for: absent or empty clears
     * it, as the UI's empty field does. */
    if (f->role_arn && *f->role_arn) {
        role = tern_strdup(f->role_arn);
        if (!role) {
            sim_dbx_error(resp, 500, "INTERNAL_ERROR", "out of memory");
            return;
        }
    }
    tern_free(p->role_arn);
    p->role_arn = role;
    if (f->is_meta >= 0)
        p->is_meta = f->is_meta;
    ok_empty(resp);
}

static void handle_remove(struct sim_dbx *dbx, const struct fields *f,
                          struct sim_resp *resp)
{
    struct dbx_profile *p = find(dbx, f->arn);

    if (!p) {
        not_registered(f->arn, resp);
        return;
    }
    remove_profile(dbx, p);
    ok_empty(resp);
}

static json_t *profile_json(const struct dbx_profile *p)
{
    json_t *o = json_object();

    if (!o)
        return NULL;
    json_object_set_new(o, "instance_profile_arn", json_string(p->arn));
    if (p->role_arn)
        json_object_set_new(o, "iam_role_arn", json_string(p->role_arn));
    json_object_set_new(o, "is_meta_instance_profile",
                        json_boolean(p->is_meta));
    return o;
}

/* The profiles as an array (new reference). */
static json_t *profiles_json(struct sim_dbx *dbx)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a && i < dbx->n; i++)
        json_array_append_new(a, profile_json(&dbx->items[i]));
    return a;
}

static void handle_list(struct sim_dbx *dbx, struct sim_resp *resp)
{
    json_t *out = json_object();

    if (dbx->n > 0)
        json_object_set_new(out, "instance_profiles", profiles_json(dbx));
    sim_resp_json(resp, 200, out);
}

void sim_dbx_handle(struct sim_dbx *dbx, struct sim_req *req,
                    struct sim_resp *resp)
{
    static const struct {
        const char *name;
        const char *method;
    } endpoints[] = {
        {"add", "POST"},
        {"list", "GET"},
        {"edit", "POST"},
        {"remove", "POST"},
    };
    const char *tail = NULL;
    json_t *body = NULL;
    struct fields f;
    size_t i, n = sizeof(endpoints) / sizeof(endpoints[0]);

    if (check_token(dbx, req, resp) < 0)
        goto done;
    /* SCIM and the catalogs first: the clusters' paths below include
     * every /api/2.1/clusters/ path, spark-versions and list-node-types
     * too. */
    if (sim_dbx_scim_path(req->path) || sim_dbx_catalog_path(req->path)) {
        if (parse_body(req, resp, &body) < 0)
            goto done;
        if (sim_dbx_scim_path(req->path))
            sim_dbx_scim_handle(dbx->scim, dbx, req, body, resp);
        else
            sim_dbx_catalog_handle(dbx->catalog, req, body, resp);
        goto done;
    }
    if (sim_dbxc_serves(req->path)) {
        sim_dbxc_handle(dbx->sim->dbxc, req, resp);
        goto done;
    }
    if (strncmp(req->path, API_PREFIX, strlen(API_PREFIX)) == 0)
        tail = req->path + strlen(API_PREFIX);
    for (i = 0; tail && i < n; i++) {
        if (strcmp(tail, endpoints[i].name) == 0)
            break;
    }
    if (!tail || i == n) {
        sim_dbx_error(resp, 404, "ENDPOINT_NOT_FOUND",
                      "No API found for '%s %s'", req->method,
                      req->path +
                          (strncmp(req->path, "/api/2.0", 8) == 0 ? 8 : 0));
        goto done;
    }
    if (strcmp(req->method, endpoints[i].method) != 0) {
        method_not_allowed(req, resp);
        goto done;
    }
    if (strcmp(tail, "list") == 0) {
        handle_list(dbx, resp);
        goto done;
    }
    if (parse_body(req, resp, &body) < 0 || read_fields(body, &f, resp) < 0)
        goto done;
    if (strcmp(tail, "add") == 0)
        handle_add(dbx, &f, resp);
    else if (strcmp(tail, "edit") == 0)
        handle_edit(dbx, &f, resp);
    else
        handle_remove(dbx, &f, resp);

done:
    json_decref(body);
}

json_t *sim_dbx_dump(struct sim_dbx *dbx)
{
    json_t *out = json_pack("{s:o}", "instance_profiles", profiles_json(dbx));

    if (out) {
        sim_dbx_scim_dump(dbx->scim, out);
        sim_dbx_catalog_dump(dbx->catalog, out);
    }
    return out;
}

int sim_dbx_load(struct sim_dbx *dbx, const json_t *in, char *err,
                 size_t errlen)
{
    const json_t *list, *item;
    size_t i;

    if (!json_is_object(in)) {
        snprintf(err, errlen, "databricks: expected an object");
        return -1;
    }
    /* Loads describe state: SCIM roles are not checked against the
     * registered profiles here. */
    if (sim_dbx_catalog_load(dbx->catalog, in, err, errlen) < 0 ||
        sim_dbx_scim_load(dbx->scim, in, err, errlen) < 0)
        return -1;
    list = json_object_get(in, "instance_profiles");
    if (!list)
        return 0;
    if (!json_is_array(list)) {
        snprintf(err, errlen,
                 "databricks: instance_profiles: expected an "
                 "array");
        return -1;
    }
    json_array_foreach(list, i, item)
    {
        const json_t *arn = json_object_get(item, "instance_profile_arn");
        const json_t *role = json_object_get(item, "iam_role_arn");
        const json_t *meta = json_object_get(item, "is_meta_instance_profile");

        if (!json_is_string(arn) ||
            !valid_arn(json_string_value(arn), "instance-profile")) {
            snprintf(err, errlen,
                     "databricks: instance_profiles[%zu]: "
                     "instance_profile_arn: expected an instance profile ARN",
                     i);
            return -1;
        }
        if (role && !json_is_null(role) &&
            (!json_is_string(role) ||
             !valid_arn(json_string_value(role), "role"))) {
            snprintf(err, errlen,
                     "databricks: instance_profiles[%zu]: iam_role_arn: "
                     "expected a role ARN",
                     i);
            return -1;
        }
        if (meta && !json_is_boolean(meta)) {
            snprintf(err, errlen,
                     "databricks: instance_profiles[%zu]: "
                     "is_meta_instance_profile: expected a boolean",
                     i);
            return -1;
        }
        if (find(dbx, json_string_value(arn))) {
            snprintf(err, errlen,
                     "databricks: instance_profiles[%zu]: %s is already "
                     "registered",
                     i, json_string_value(arn));
            return -1;
        }
        if (add_profile(dbx, json_string_value(arn),
                        json_is_string(role) ? json_string_value(role) : NULL,
                        json_is_true(meta)) < 0) {
            snprintf(err, errlen, "databricks: out of memory");
            return -1;
        }
    }
    return 0;
}
