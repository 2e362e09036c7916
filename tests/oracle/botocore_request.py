#!/usr/bin/python3
"""Requests built and signed by botocore, for tern-sim to verify.

Usage: botocore_request.py REQUESTS.json

REQUESTS.json is a list written by tests/unit/test_sim_auth.c:
    {"method": "POST" | "GET", "url": "http://127.0.0.1:PORT/",
     "service": "iam", "region": "us-east-1",
     "access_key": ..., "secret_key": ...,
     "params": [[name, value], ...]        (Action and Version first)
     "raw_query": "..."                    (GET only, optional: put on the
                                            URL as is instead of params)}

POST: the parameters become the body as botocore's Query protocol writes
it (AWSRequest's form encoding: a space as '+'). GET: botocore puts the
parameters on the URL (urlencode, a space as '+') but signs its own RFC
3986 canonical query ('%20'); with raw_query it signs that text as it
stands, which is a canonical query only if the text already is one.
Each is signed by SigV4Auth at the current time.

Prints one JSON object per request, one per line:
    {"url": ..., "headers": [[name, value], ...], "body": "..."}
Exit status 3 when botocore cannot be imported.
"""
import json
import sys

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover
    print(f"botocore is not importable: {e}", file=sys.stderr)
    sys.exit(3)


def build(r):
    url, data, params, headers = r["url"], None, None, {}
    pairs = [tuple(p) for p in r["params"]]
    if r["method"] == "POST":
        headers["Content-Type"] = (
            "application/x-www-form-urlencoded; charset=utf-8")
        data = dict(pairs)
    elif "raw_query" in r:
        url = url + "?" + r["raw_query"]
    else:
        params = dict(pairs)
    req = AWSRequest(method=r["method"], url=url, data=data, headers=headers,
                     params=params)
    creds = Credentials(r["access_key"], r["secret_key"])
    SigV4Auth(creds, r["service"], r["region"]).add_auth(req)
    prepared = req.prepare()
    body = prepared.body or b""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return {"url": prepared.url,
            "headers": [[k, v] for k, v in prepared.headers.items()],
            "body": body}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        requests = json.load(f)
    for r in requests:
        sys.stdout.write(json.dumps(build(r)) + "\n")


if __name__ == "__main__":
    main()
