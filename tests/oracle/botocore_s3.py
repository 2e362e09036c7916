#!/usr/bin/python3
"""S3 requests built and signed by botocore, against a running tern-sim.

Usage: botocore_s3.py PORT

Runs the same scenario path-style (endpoint http://127.0.0.1:PORT) and
virtual-hosted-style (endpoint http://localhost:PORT, so requests go to
BUCKET.localhost:PORT, which this script resolves to 127.0.0.1 as RFC 6761
says every *.localhost name is): CreateBucket, conditional PutObject
(If-None-Match: *, If-Match), GetObject and HeadObject (conditional too:
IfNoneMatch, IfMatch), ListObjectsV2 with a
prefix, a delimiter and pages, DeleteObject, and the errors, with keys
holding spaces, '+', '~', ':', '//' and non-ASCII. Signed payloads and
UNSIGNED-PAYLOAD both. Prints one line per step: the status and the
error code, or what came back. tests/unit/test_sim_s3.c compares the
whole transcript. Exit status 3 when botocore cannot be imported.
"""
import socket
import sys

try:
    import botocore.session
    from botocore.auth import S3SigV4Auth
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError as e:  # pragma: no cover
    print(f"botocore is not importable: {e}", file=sys.stderr)
    sys.exit(3)

_getaddrinfo = socket.getaddrinfo


def _resolve(host, *args, **kwargs):
    if host.endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _resolve

AKID = "AKIDTERNSIMDEFAULT01"
SECRET = "ternsim/default/SECRETKEY0000000000000001"
KEY = "env:/dev/a b+c~/\u00e9t\u00e9//terraform.tfstate"


def client(port, style):
    host = "127.0.0.1" if style == "path" else "localhost"
    c = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1",
        endpoint_url=f"http://{host}:{port}",
        aws_access_key_id=AKID, aws_secret_access_key=SECRET,
        config=Config(s3={"addressing_style": style},
                      retries={"max_attempts": 1}))
    extra = {}

    def add_headers(request, **_):
        for name, value in extra.items():
            request.headers[name] = value

    # This botocore predates the IfNoneMatch/IfMatch members of PutObject:
    # the headers are added before signing, as a newer one writes them.
    c.meta.events.register("before-sign.s3.PutObject", add_headers)
    return c, extra


def step(label, fn):
    try:
        r = fn()
    except ClientError as e:
        err = e.response.get("Error", {})
        print(f"{label}: {e.response['ResponseMetadata']['HTTPStatusCode']}"
              f" {err.get('Code')}")
        return None
    print(f"{label}: {r['ResponseMetadata']['HTTPStatusCode']}"
          f"{describe(r)}")
    return r


def describe(r):
    if "Body" in r:
        return " " + r["Body"].read().decode("utf-8")
    if "KeyCount" in r:
        keys = [o["Key"] for o in r.get("Contents", [])]
        prefixes = [p["Prefix"] for p in r.get("CommonPrefixes", [])]
        return (f" keys={keys} prefixes={prefixes}"
                f" truncated={r['IsTruncated']}")
    if "ContentLength" in r and "ETag" in r:
        return f" length={r['ContentLength']} etag={r['ETag']}"
    if "ETag" in r:
        return f" etag={r['ETag']}"
    return ""


def scenario(port, style):
    c, extra = client(port, style)
    b = f"tfstate-{style}"
    print(f"-- {style}")
    step("CreateBucket", lambda: c.create_bucket(Bucket=b))
    step("CreateBucket again", lambda: c.create_bucket(Bucket=b))

    def put(key, body, **headers):
        extra.clear()
        extra.update(headers)
        return lambda: c.put_object(Bucket=b, Key=key, Body=body)

    first = step("Put If-None-Match", put(KEY, b'{"serial":1}',
                                          **{"If-None-Match": "*"}))
    step("Put If-None-Match again", put(KEY, b'{"serial":2}',
                                        **{"If-None-Match": "*"}))
    step("Put If-Match stale", put(KEY, b'{"serial":2}',
                                   **{"If-Match": '"0123"'}))
    second = step("Put If-Match", put(KEY, b'{"serial":2}',
                                      **{"If-Match": first["ETag"]}))
    step("Put If-Match missing key", put("nope", b"x",
                                         **{"If-Match": first["ETag"]}))
    step("Put If-None-Match etag", put("nope", b"x",
                                       **{"If-None-Match": first["ETag"]}))
    step("Get", lambda: c.get_object(Bucket=b, Key=KEY))
    step("Head", lambda: c.head_object(Bucket=b, Key=KEY))
    # Conditional reads (GetObject IfNoneMatch / IfMatch): 304 when the
    # ETag is the current one, 412 when If-Match names another.
    now, old = second["ETag"], first["ETag"]
    step("Get If-None-Match current", lambda: c.get_object(
        Bucket=b, Key=KEY, IfNoneMatch=now))
    step("Get If-None-Match old", lambda: c.get_object(
        Bucket=b, Key=KEY, IfNoneMatch=old))
    step("Get If-Match current", lambda: c.get_object(
        Bucket=b, Key=KEY, IfMatch=now))
    step("Get If-Match old", lambda: c.get_object(
        Bucket=b, Key=KEY, IfMatch=old))
    step("Head If-None-Match current", lambda: c.head_object(
        Bucket=b, Key=KEY, IfNoneMatch=now))
    step("Head If-Match old", lambda: c.head_object(
        Bucket=b, Key=KEY, IfMatch=old))
    step("Get If-None-Match missing key", lambda: c.get_object(
        Bucket=b, Key="nope", IfNoneMatch=now))
    for i in range(3):
        step(f"Put env:/w{i}", put(f"env:/w{i}/terraform.tfstate", b"{}"))
    step("Put lock", put(KEY + ".tflock", b'{"ID":"x"}',
                         **{"If-None-Match": "*"}))
    step("List prefix", lambda: c.list_objects_v2(Bucket=b, Prefix="env:/"))
    step("List delimiter", lambda: c.list_objects_v2(
        Bucket=b, Prefix="env:/", Delimiter="/"))
    page = step("List page 1", lambda: c.list_objects_v2(
        Bucket=b, Prefix="env:/", MaxKeys=2))
    step("List page 2", lambda: c.list_objects_v2(
        Bucket=b, Prefix="env:/", MaxKeys=2,
        ContinuationToken=page["NextContinuationToken"]))
    step("Delete lock", lambda: c.delete_object(Bucket=b, Key=KEY + ".tflock"))
    step("Delete lock again", lambda: c.delete_object(Bucket=b,
                                                      Key=KEY + ".tflock"))
    step("Get deleted", lambda: c.get_object(Bucket=b, Key=KEY + ".tflock"))
    step("Head deleted", lambda: c.head_object(Bucket=b, Key=KEY + ".tflock"))
    step("Get no bucket", lambda: c.get_object(Bucket="no-such-bucket",
                                               Key="k"))

    # UNSIGNED-PAYLOAD, as the SDKs send over https.
    saved = S3SigV4Auth._should_sha256_sign_payload
    S3SigV4Auth._should_sha256_sign_payload = lambda self, request: False
    try:
        step("Put unsigned", put("unsigned", b"payload"))
        step("Get unsigned", lambda: c.get_object(Bucket=b, Key="unsigned"))
    finally:
        S3SigV4Auth._should_sha256_sign_payload = saved


def main():
    port = int(sys.argv[1])
    scenario(port, "path")
    scenario(port, "virtual")


if __name__ == "__main__":
    main()
