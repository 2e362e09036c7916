#!/usr/bin/python3
"""Sign requests with botocore's SigV4Auth: the oracle for tern's signer.

Usage: botocore_sign.py REQUESTS.json

REQUESTS.json is a list of objects written by tests/unit/test_sigv4.c:
    {"method": "POST" | "GET", "host": "iam.amazonaws.com",
     "region": "us-east-1", "service": "iam",
     "access_key": ..., "secret_key": ..., "token": ... | null,
     "amz_date": "20240101T000000Z",
     "query": "raw query string" (GET), "body": "form body" (POST),
     "params": [[name, value], ...]  (the unencoded parameters)}

Prints one JSON object per request, one per line:
    {"authorization": ..., "security_token": ... | null,
     "form_ok": true | false, "encoding_ok": true | false,
     "sdk_form_ok": true | false}
For GET, botocore is given the parameters, not tern's query string, so its
canonical query string is built independently. encoding_ok says the body
(or query) the test built with tern_aws_query_add() is byte for byte the
RFC 3986 encoding botocore uses for canonical query strings (quote with
safe "-_.~"). form_ok says it decodes, as AWS decodes a form, to exactly
the parameters; sdk_form_ok says the same of the body botocore itself
would send for those parameters. This checks the signer over arbitrary
bodies; the body tern_aws_call() sends (a space as '+', the members in the
model's order) is checked against botocore's serializer by
botocore_body.py.

Exit status 3 when botocore cannot be imported.
"""
import datetime
import json
import sys
from urllib.parse import parse_qsl, quote

try:
    import botocore.auth
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover
    print(f"botocore is not importable: {e}", file=sys.stderr)
    sys.exit(3)


class _Clock:
    """Stands in for the datetime module inside botocore.auth so that
    SigV4Auth.add_auth signs at the time the test chose."""

    now = None

    class datetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return _Clock.now


botocore.auth.datetime = _Clock


def sign(r):
    _Clock.now = datetime.datetime.strptime(r["amz_date"], "%Y%m%dT%H%M%SZ")
    url = "https://%s/" % r["host"]
    headers = {}
    data = None
    params = [tuple(p) for p in r["params"]]
    query_params = None
    if r["method"] == "GET":
        # botocore builds the canonical query string from the parameters
        # themselves (quote(safe='-_.~'), sorted), independently of the
        # query string tern encoded.
        query_params = params
        encoded = r["query"]
    else:
        headers["Content-Type"] = (
            "application/x-www-form-urlencoded; charset=utf-8")
        data = r["body"].encode("utf-8")
        encoded = r["body"]
    req = AWSRequest(method=r["method"], url=url, data=data, headers=headers,
                     params=query_params)
    creds = Credentials(r["access_key"], r["secret_key"], r["token"])
    SigV4Auth(creds, r["service"], r["region"]).add_auth(req)

    # RFC 3986 with botocore's own safe set for canonical query strings:
    # the exact bytes tern must send.
    rfc3986 = "&".join("%s=%s" % (quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                       for k, v in params)
    form_ok = parse_qsl(encoded, keep_blank_values=True,
                        strict_parsing=False) == params
    # What botocore's own serializer would put in the body: a dict body is
    # form-encoded by AWSRequestPreparer with urllib's urlencode.
    sdk = AWSRequest(method="POST", url=url, data=dict(params)).prepare()
    sdk_body = sdk.body or ""
    if isinstance(sdk_body, bytes):
        sdk_body = sdk_body.decode("utf-8")
    sdk_form_ok = parse_qsl(sdk_body, keep_blank_values=True) == params
    return {
        "authorization": req.headers["Authorization"],
        "security_token": req.headers.get("X-Amz-Security-Token"),
        "form_ok": form_ok,
        "encoding_ok": encoded == rfc3986,
        "sdk_form_ok": sdk_form_ok,
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        requests = json.load(f)
    out = sys.stdout
    for r in requests:
        out.write(json.dumps(sign(r)) + "\n")


if __name__ == "__main__":
    main()
