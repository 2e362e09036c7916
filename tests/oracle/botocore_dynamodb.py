#!/usr/bin/python3
"""botocore's JSON serializer as the oracle for tern's DynamoDB bodies.

Usage: botocore_dynamodb.py CASES.json

CASES.json is written by tests/unit/test_wire.c (wire::botocore_dynamodb):
    [{"action": "PutItem", "params": {...}, "body": "tern's body"}, ...]
with "params" the operation's input in the order tern writes it. Each is
serialized by botocore's serializer for DynamoDB's model (protocol
"json", 1.0), which must give exactly tern's body, and the headers tern
sends (X-Amz-Target, Content-Type) must be botocore's.

Prints "ok: N requests" and exits 0 when all hold, 1 otherwise; exits 3
when botocore cannot be imported.
"""
import json
import sys
from collections import OrderedDict

try:
    import botocore.session
    from botocore.serialize import create_serializer
except ImportError as e:  # pragma: no cover
    print(f"botocore is not importable: {e}", file=sys.stderr)
    sys.exit(3)

HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f, object_pairs_hook=OrderedDict)
    model = botocore.session.get_session().get_service_model("dynamodb")
    ser = create_serializer(model.metadata["protocol"],
                            include_validation=True)
    problems = []
    for c in cases:
        op = model.operation_model(c["action"])
        req = ser.serialize_to_request(c["params"], op)
        body = req["body"].decode("ascii")
        if body != c["body"]:
            problems.append(f"{c['action']}: botocore {body!r}, "
                            f"tern {c['body']!r}")
        want = dict(HEADERS, **{"X-Amz-Target":
                                f"DynamoDB_20120810.{c['action']}"})
        for k, v in want.items():
            if req["headers"].get(k) != v:
                problems.append(f"{c['action']}: header {k} is "
                                f"{req['headers'].get(k)!r}, tern {v!r}")
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print(f"ok: {len(cases)} requests")


main()
