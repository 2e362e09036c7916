/*
 * The AWS Query wire format: every IAM, STS and EC2 operation tern calls,
 * and the request body exactly as the AWS SDKs write it.
 *
 * botocore's QuerySerializer puts Action, then Version, then the input
 * structure's members in the order it is given them (the AWS CLI gives
 * them in the service model's order), lists flattened as
 * Name.member.N and a Tag as Name.member.N.Key, Name.member.N.Value; its
 * request preparer then form-encodes the pairs with urllib's urlencode:
 * A-Z a-z 0-9 - _ . ~ are kept, a space becomes '+', every other byte %XX
 * with upper-case hex. tern_aws_form_body() writes those bytes, and the
 * SigV4 payload hash is taken over them (src/aws/client.c).
 *
 * EC2 speaks the "ec2" protocol (botocore's EC2Serializer): the same form,
 * but a member goes by its locationName with the first letter upper-cased
 * (Filters is Filter, ZoneNames is ZoneName), and lists have no "member":
 * Name.N=value, and a filter is Filter.N.Name=n, Filter.N.Value.M=v.
 *
 * The table below is the one list of what tern calls: tern_aws_call()
 * refuses an operation or a parameter it does not hold, so nothing goes
 * out that the oracle test (tests/oracle/botocore_body.py, run by
 * wire::botocore_bodies) has not compared with botocore's own serializer,
 * operation by operation, member by member.
 */
#ifndef TERN_AWS_WIRE_H
#define TERN_AWS_WIRE_H

#include <stddef.h>

#include "util/buf.h"

/** How a member of an operation's input is written. */
enum tern_aws_member_kind {
    TERN_AWS_STRING,      /**< Name=value */
    TERN_AWS_INTEGER,     /**< Name=123 */
    TERN_AWS_BOOLEAN,     /**< Name=true */
    TERN_AWS_STRING_LIST, /**< Name.member.N=value */
    TERN_AWS_TAG_LIST,    /**< Name.member.N.Key=k, Name.member.N.Value=v */
    TERN_AWS_EC2_LIST,    /**< (ec2) Name.N=value */
    TERN_AWS_EC2_FILTERS  /**< (ec2) Name.N.Name=n, Name.N.Value.M=v */
};

/** One member of an operation's input structure. */
typedef struct tern_aws_member {
    const char *name; /**< e.g. "RoleName", as the model names it */
    enum tern_aws_member_kind kind;
    /** The name on the wire when it differs from @c name (EC2's
     *  locationName, e.g. "Filter" for Filters), else NULL. */
    const char *wire;
} tern_aws_member;

/** One operation tern calls, with its input members in the model's order. */
typedef struct tern_aws_operation {
    const char *service; /**< "iam", "sts" or "ec2" */
    const char *action;  /**< e.g. "CreateRole" */
    const tern_aws_member *members;
    size_t nmembers;
} tern_aws_operation;

/** Every operation tern calls, sorted by service, then action. */
extern const tern_aws_operation tern_aws_operations[];
/** How many entries tern_aws_operations has. */
extern const size_t tern_aws_noperations;

/**
 * Find an operation in the table.
 * @param service "iam" or "sts"
 * @param action e.g. "GetRole"
 * @return the entry (static), or NULL when tern does not call it
 */
const tern_aws_operation *tern_aws_operation_find(const char *service,
                                                  const char *action);

/**
 * Append @p len bytes of @p s to @p b, form-encoded as botocore and the Go
 * SDK encode a Query body: unreserved characters kept, a space as '+',
 * everything else %XX.
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_form_encode(tern_buf *b, const char *s, size_t len);

/**
 * Write the request body of one call: Action, Version, then the
 * parameters ordered by the operation's members (list elements by index,
 * a tag's Key before its Value), all form-encoded.
 * @param out receives the body (appended)
 * @param op the operation (from tern_aws_operation_find())
 * @param version the API version, e.g. "2010-05-08"
 * @param params the parameters as tern_aws_query_add() and the list helpers
 *        write them ("Name=value&..."), in any order; NULL or empty for none
 * @param why receives, on TERN_EINVALID, which parameter the operation does
 *        not take, is malformed or repeated
 * @param whylen the size of @p why
 * @return TERN_OK, TERN_EINVALID or TERN_ENOMEM
 */
int tern_aws_form_body(tern_buf *out, const tern_aws_operation *op,
                       const char *version, const tern_buf *params, char *why,
                       size_t whylen);

#endif
