/*
 * Percent-encoding for query strings and for SigV4 canonicalisation.
 *
 * RFC 3986: the unreserved characters A-Z a-z 0-9 - _ . ~ are kept, every
 * other byte becomes %XX with upper-case hex, so a space is "%20" and "+" is
 * "%2B". This is the encoding of a GET query string and of a SigV4
 * canonical query string and URI path. The parameters of a Query call are
 * also collected with tern_aws_query_add(), but the body on the wire is
 * written by tern_aws_form_body() (aws/wire.h), which orders them as
 * botocore does and form-encodes them (a space as '+').
 */
#ifndef TERN_AWS_QUERY_H
#define TERN_AWS_QUERY_H

#include <stddef.h>

#include "util/buf.h"

/**
 * Append @p len bytes of @p s to @p b, percent-encoded per RFC 3986.
 * @param b the buffer (its oom flag records allocation failure)
 * @param s the raw bytes (UTF-8 for text); may contain NUL when len says so
 * @param len how many bytes
 * @param keep_slash non-zero to keep '/' as is (URI paths)
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_uri_encode(tern_buf *b, const char *s, size_t len, int keep_slash);

/**
 * Append the NUL-terminated string @p s to @p b, percent-encoded for a
 * query string or form body ('/' is encoded too).
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_query_encode(tern_buf *b, const char *s);

/**
 * Append one "name=value" pair to a query string or form body in @p b,
 * preceded by '&' unless @p b is empty. Both are encoded with
 * tern_aws_query_encode(); a NULL value is sent as an empty one.
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_query_add(tern_buf *b, const char *name, const char *value);

/**
 * Append @p len bytes of @p s to @p b with %XX sequences decoded. '+' is
 * kept as '+' (RFC 3986; form decoding of '+' as a space is the caller's
 * business); a '%' not followed by two hex digits is kept literally.
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_percent_decode(tern_buf *b, const char *s, size_t len);

/**
 * The same with '+' decoded as a space too (form decoding, as the SDKs'
 * url.QueryUnescape; a literal '+' arrives as %2B).
 * @return TERN_OK or TERN_ENOMEM
 */
int tern_aws_form_decode(tern_buf *b, const char *s, size_t len);

/**
 * Whether form-decoding the string @p s (as tern_aws_form_decode) gives
 * exactly the @p len bytes at @p plain, without decoding it: how a read
 * finds that IAM handed back the document tern wrote.
 */
int tern_aws_form_decodes_to(const char *s, const char *plain, size_t len);

#endif
