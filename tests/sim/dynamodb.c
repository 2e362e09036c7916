/*
 * The DynamoDB subset a state backend's lock table needs: PutItem, GetItem
 * and DeleteItem on tables loaded with /_sim/load
 * ({"dynamodb": {"tables": [{"name": "locks", "items": [ITEM...]}]}}),
 * over the AWS JSON 1.0 protocol (POST /, X-Amz-Target:
 * DynamoDB_20120810.ACTION, Content-Type: application/x-amz-json-1.0).
 *
 * Items are kept in DynamoDB's attribute-value form ({"LockID": {"S":
 * "..."}, ...}), keyed by the string hash key LockID (the schema
 * Terraform's documentation asks for). Condition expressions: the two
 * forms a lock table sees, attribute_not_exists(NAME) and
 * attribute_exists(NAME); any other is a ValidationException, so a client
 * sending something new fails loudly here first. ProjectionExpression is
 * a comma-separated list of top-level names.
 *
 * Errors are DynamoDB's JSON shape, HTTP 400 (500 for InternalServerError):
 * {"__type": "com.amazonaws.dynamodb.v20120810#CODE", "message": "..."},
 * with x-amzn-RequestId. The messages are the service's own (AWS
 * DynamoDB API reference, "Error handling with DynamoDB").
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DDB_PREFIX "com.amazonaws.dynamodb.v20120810#"

struct sim_ddb {
    json_t *tables; /* name -> {LockID value -> item} */
};

struct sim_ddb *sim_ddb_new(void)
{
    struct sim_ddb *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->tables = json_object();
    return d;
}

void sim_ddb_free(struct sim_ddb *d)
{
    if (!d)
        return;
    json_decref(d->tables);
    free(d);
}

void sim_ddb_reset(struct sim_ddb *d)
{
    json_object_clear(d->tables);
}

const char *sim_ddb_action(const struct sim_req *req)
{
    const char *t = sim_req_header(req, "X-Amz-Target");
    static const char prefix[] = "DynamoDB_20120810.";

    if (!t || strncmp(t, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    return t + sizeof(prefix) - 1;
}

void sim_ddb_error(struct sim_resp *resp, const struct sim_req *req, int status,
                   const char *code, const char *msg)
{
    char *type = NULL;
    size_t n = strlen(DDB_PREFIX) + strlen(code) + 1;

    type = malloc(n);
    if (type)
        snprintf(type, n, "%s%s", DDB_PREFIX, code);
    sim_resp_json(
        resp, status,
        json_pack("{s:s, s:s}", "__type", type ? type : code, "message", msg));
    free(type);
    resp->content_type = "application/x-amz-json-1.0";
    snprintf(resp->error_code, sizeof(resp->error_code), "%s", code);
    snprintf(resp->extra_header, sizeof(resp->extra_header),
             "x-amzn-RequestId: %s", req->request_id);
}

static void ok(struct sim_resp *resp, const struct sim_req *req, json_t *v)
{
    sim_resp_json(resp, 200, v);
    resp->content_type = "application/x-amz-json-1.0";
    snprintf(resp->extra_header, sizeof(resp->extra_header),
             "x-amzn-RequestId: %s", req->request_id);
}

static void validation(struct sim_resp *resp, const struct sim_req *req,
                       const char *msg)
{
    sim_ddb_error(resp, req, 400, "ValidationException", msg);
}

/* The LockID string of a Key or Item, or NULL. */
static const char *lock_id(const json_t *item)
{
    return json_string_value(
        json_object_get(json_object_get(item, "LockID"), "S"));
}

/* Whether @p cond holds for @p item (NULL: none): 1, 0, or -1 when the
 * expression is not one the simulator knows. */
static int condition_holds(const char *cond, const json_t *item)
{
    char name[128];
    int neg;

    if (!cond)
        return 1;
    if (sscanf(cond, "attribute_not_exists(%127[A-Za-z0-9_])", name) == 1)
        neg = 1;
    else if (sscanf(cond, "attribute_exists(%127[A-Za-z0-9_])", name) == 1)
        neg = 0;
    else
        return -1;
    if (!cond[strlen(cond) - 1] || cond[strlen(cond) - 1] != ')')
        return -1;
    return (item && json_object_get(item, name)) ? !neg : neg;
}

/* The table named in the request, or NULL with the error answered. */
static json_t *table_of(struct sim_ddb *d, const json_t *in,
                        const struct sim_req *req, struct sim_resp *resp)
{
    const char *name = json_string_value(json_object_get(in, "TableName"));
    json_t *t;

    if (!name) {
        validation(resp, req,
                   "1 validation error detected: Value null at 'tableName' "
                   "failed to satisfy constraint: Member must not be null");
        return NULL;
    }
    t = json_object_get(d->tables, name);
    if (!t)
        sim_ddb_error(resp, req, 400, "ResourceNotFoundException",
                      "Requested resource not found");
    return t;
}

static int check_condition(const json_t *in, const json_t *item,
                           const struct sim_req *req, struct sim_resp *resp)
{
    const char *cond =
        json_string_value(json_object_get(in, "ConditionExpression"));
    int holds = condition_holds(cond, item);

    if (holds < 0) {
        validation(resp, req,
                   "Invalid ConditionExpression: the simulator "
                   "knows attribute_exists(NAME) and "
                   "attribute_not_exists(NAME)");
        return -1;
    }
    if (!holds) {
        sim_ddb_error(resp, req, 400, "ConditionalCheckFailedException",
                      "The conditional request failed");
        return -1;
    }
    return 0;
}

static void put_item(struct sim_ddb *d, const json_t *in,
                     const struct sim_req *req, struct sim_resp *resp)
{
    json_t *t = table_of(d, in, req, resp);
    json_t *item = json_object_get(in, "Item");
    const char *id;

    if (!t)
        return;
    id = lock_id(item);
    if (!id) {
        validation(resp, req,
                   "One or more parameter values were invalid: Missing the "
                   "key LockID in the item");
        return;
    }
    if (check_condition(in, json_object_get(t, id), req, resp) != 0)
        return;
    json_object_set(t, id, item);
    ok(resp, req, json_object());
}

/* The item with only the names of a ProjectionExpression ("A, B"). */
static json_t *project(const json_t *item, const char *proj)
{
    json_t *out;
    char name[128];
    const char *p = proj;

    if (!proj)
        return json_deep_copy(item);
    out = json_object();
    while (*p) {
        size_t n = 0;

        while (*p == ' ' || *p == ',')
            p++;
        while (p[n] && p[n] != ',' && p[n] != ' ' && n < sizeof(name) - 1)
            n++;
        if (!n)
            break;
        memcpy(name, p, n);
        name[n] = '\0';
        if (json_object_get(item, name))
            json_object_set(out, name, json_object_get(item, name));
        p += n;
    }
    return out;
}

static void get_item(struct sim_ddb *d, const json_t *in,
                     const struct sim_req *req, struct sim_resp *resp)
{
    json_t *t = table_of(d, in, req, resp), *item;
    const char *id;

    if (!t)
        return;
    id = lock_id(json_object_get(in, "Key"));
    if (!id) {
        validation(resp, req,
                   "The provided key element does not match the "
                   "schema");
        return;
    }
    item = json_object_get(t, id);
    if (!item) {
        ok(resp, req, json_object());
        return;
    }
    ok(resp, req,
       json_pack("{s:o}", "Item",
                 project(item, json_string_value(json_object_get(
                                   in, "ProjectionExpression")))));
}

static void delete_item(struct sim_ddb *d, const json_t *in,
                        const struct sim_req *req, struct sim_resp *resp)
{
    json_t *t = table_of(d, in, req, resp);
    const char *id;

    if (!t)
        return;
    id = lock_id(json_object_get(in, "Key"));
    if (!id) {
        validation(resp, req,
                   "The provided key element does not match the "
                   "schema");
        return;
    }
    if (check_condition(in, json_object_get(t, id), req, resp) != 0)
        return;
    json_object_del(t, id);
    ok(resp, req, json_object());
}

const char *sim_ddb_handle(struct sim_ddb *d, struct sim_req *req,
                           struct sim_resp *resp)
{
    const char *action = sim_ddb_action(req);
    const char *ctype = sim_req_header(req, "Content-Type");
    json_t *in;

    if (!ctype || strcmp(ctype, "application/x-amz-json-1.0") != 0) {
        sim_ddb_error(resp, req, 400, "SerializationException",
                      "Content-Type must be application/x-amz-json-1.0");
        return action;
    }
    in = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
    if (!json_is_object(in)) {
        sim_ddb_error(resp, req, 400, "SerializationException",
                      "Start of structure or map found where not expected.");
    } else if (strcmp(action, "PutItem") == 0) {
        put_item(d, in, req, resp);
    } else if (strcmp(action, "GetItem") == 0) {
        get_item(d, in, req, resp);
    } else if (strcmp(action, "DeleteItem") == 0) {
        delete_item(d, in, req, resp);
    } else {
        sim_ddb_error(resp, req, 400, "UnknownOperationException", "");
    }
    json_decref(in);
    return action;
}

json_t *sim_ddb_dump(struct sim_ddb *d)
{
    json_t *tables = json_array();
    const char *name;
    json_t *t;

    json_object_foreach(d->tables, name, t)
    {
        json_t *items = json_array();
        const char *id;
        json_t *item;

        json_object_foreach(t, id, item) json_array_append(items, item);
        json_array_append_new(
            tables, json_pack("{s:s, s:o}", "name", name, "items", items));
    }
    return json_pack("{s:o}", "tables", tables);
}

int sim_ddb_load(struct sim_ddb *d, const json_t *in, char *err, size_t errlen)
{
    json_t *tables = json_object_get(in, "tables"), *t;
    size_t i, j;

    if (!json_is_array(tables)) {
        snprintf(err, errlen, "dynamodb: \"tables\" must be an array");
        return -1;
    }
    json_array_foreach(tables, i, t)
    {
        const char *name = json_string_value(json_object_get(t, "name"));
        json_t *items = json_object_get(t, "items"), *item, *tab;

        if (!name) {
            snprintf(err, errlen, "dynamodb: table %zu has no \"name\"", i);
            return -1;
        }
        tab = json_object();
        json_array_foreach(items, j, item)
        {
            if (!lock_id(item)) {
                json_decref(tab);
                snprintf(err, errlen,
                         "dynamodb: an item of %s has no LockID string", name);
                return -1;
            }
            json_object_set(tab, lock_id(item), item);
        }
        json_object_set_new(d->tables, name, tab);
    }
    return 0;
}
