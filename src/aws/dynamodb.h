/*
 * The DynamoDB client a state backend's lock table needs: PutItem,
 * GetItem and DeleteItem over the AWS JSON 1.0 protocol (POST /,
 * X-Amz-Target: DynamoDB_20120810.ACTION, Content-Type:
 * application/x-amz-json-1.0, SigV4 for service "dynamodb" in the
 * backend's region), sharing the HTTP layer, the signer and the
 * credentials chain with the S3 client.
 *
 * Bodies are what botocore's JSONSerializer writes for the same
 * parameters (json.dumps with its default separators ", " and ": ", and
 * ensure_ascii:
 * every non-ASCII character \uXXXX with lower-case hex, surrogate pairs
 * beyond the BMP), members in the order tern gives them: sorted by name
 * at every level. The oracle test wire::botocore_dynamodb compares each
 * body builder below with botocore, byte for byte.
 *
 * Endpoint: the backend's endpoints { dynamodb = ... }, then
 * AWS_ENDPOINT_URL_DYNAMODB, then AWS_ENDPOINT_URL, then
 * https://dynamodb.REGION.amazonaws.com (amazonaws.com.cn in China).
 *
 * Errors: the answer's "__type" after its '#' and its "message" (or
 * "Message"). ConditionalCheckFailedException is TERN_ECONFLICT, never
 * retried; ResourceNotFoundException is TERN_ENOTFOUND. Throttling
 * (ProvisionedThroughputExceededException, ThrottlingException, ...), 5xx
 * and dropped connections are retried as the SDKs' standard mode does
 * (tern_aws_error_retryable, full-jitter backoff), up to max_retries and
 * within 5 minutes a call: the core every AWS client shares (aws/core.h).
 */
#ifndef TERN_AWS_DYNAMODB_H
#define TERN_AWS_DYNAMODB_H

#include <jansson.h>
#include <stdatomic.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "http/http.h"
#include "tern/diag.h"
#include "util/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A DynamoDB client (opaque, thread-safe). */
typedef struct tern_ddb_client tern_ddb_client;

/** Create a client from the options every AWS client takes (aws/client.h:
 *  region, NULL: us-east-1; endpoint; max_retries; http and credentials,
 *  required; clock; cancel). */
int tern_ddb_client_new(tern_ddb_client **out, const tern_aws_client_opts *opts,
                        struct tern_diags *diags);
void tern_ddb_client_free(tern_ddb_client *c);
const char *tern_ddb_client_endpoint(const tern_ddb_client *c);

/**
 * One call.
 * @param action "PutItem", "GetItem" or "DeleteItem"
 * @param table for messages
 * @param body the JSON body (one of the builders below)
 * @param out receives the parsed answer (new reference); may be NULL
 * @return TERN_OK; TERN_ECONFLICT (ConditionalCheckFailedException),
 *         TERN_ENOTFOUND (ResourceNotFoundException) or another failure,
 *         each with a diagnostic naming the action, table, __type code,
 *         message, HTTP status and request id (service_code set)
 */
int tern_ddb_call(tern_ddb_client *c, const char *action, const char *table,
                  const char *body, json_t **out, struct tern_diags *diags);

/** Append @p s as a JSON string, as Python's json.dumps(ensure_ascii)
 *  writes it. @return TERN_OK, or TERN_EINVALID for bad UTF-8 */
int tern_ddb_json_string(tern_buf *b, const char *s);

/*
 * The bodies (caller frees; NULL on allocation failure or bad UTF-8):
 *  put: {"ConditionExpression"?, "Item": {NAME: {"S": VALUE}...},
 *        "TableName"} with the item's two string attributes
 *        (@p name1 < @p name2 by name), the condition when not NULL;
 *  get: {"ConsistentRead": true, "Key": {"LockID": {"S": ID}},
 *        "ProjectionExpression": PROJ, "TableName"};
 *  delete: {"Key": {"LockID": {"S": ID}}, "TableName"}.
 */
char *tern_ddb_put_body(const char *table, const char *condition,
                        const char *name1, const char *value1,
                        const char *name2, const char *value2);
char *tern_ddb_get_body(const char *table, const char *lock_id,
                        const char *projection);
char *tern_ddb_delete_body(const char *table, const char *lock_id);

#ifdef __cplusplus
}
#endif

#endif
