#!/usr/bin/python3
"""botocore's Query and EC2 serializers as the oracle for tern's request
bodies.

Usage: botocore_body.py CASES.json SOURCE_DIR

CASES.json is written by tests/unit/test_wire.c:
    {"operations": [{"service": "iam", "action": "CreateRole",
                     "version": "2010-05-08",
                     "members": [["Path", "string", "Path"], ...]},
                    ...],   (name, kind, name on the wire)
     "requests": [{"service": ..., "action": ...,
                   "params": [[name, value], ...],   (unencoded, flattened
                                                      as tern wrote them)
                   "body": "the body tern built"}, ...]}

It checks, printing one line per problem:
  1. every operation of tern's table (src/aws/wire.c) exists in botocore's
     service model with that API version, and its members are the input
     shape's members in the model's order, of the same kinds (a member
     whose shape is a list of structures other than Tag may be left out);
  2. every IAM, STS or EC2 operation named by a string literal in tern's C
     sources (src/, modules/) is in the table, so an action tern calls
     cannot go untested;
  3. every request: the parameters, given to botocore as the AWS CLI gives
     them (the model's member order, lists and tags as Python lists and
     dicts), serialized by botocore's QuerySerializer (EC2Serializer for EC2,
     whose lists are Name.N and filters Filter.N.Name / Filter.N.Value.M,
     under each member's locationName) and prepared by
     botocore's AWSRequest, give exactly tern's body, byte for byte.

Prints "ok: N operations, M requests" and exits 0 when all hold, 1
otherwise; exits 3 when botocore cannot be imported.
"""
import glob
import json
import os
import re
import sys

try:
    import botocore.session
    from botocore.awsrequest import create_request_object, prepare_request_dict
    from botocore.serialize import create_serializer
except ImportError as e:  # pragma: no cover
    print(f"botocore is not importable: {e}", file=sys.stderr)
    sys.exit(3)

ENDPOINTS = {"iam": "https://iam.amazonaws.com",
             "sts": "https://sts.us-east-1.amazonaws.com",
             "ec2": "https://ec2.us-east-1.amazonaws.com"}
SERVICES = ("iam", "sts", "ec2")


def kind_of(shape, svc="iam"):
    """tern's member kind for a botocore shape, or None (not expressible)."""
    t = shape.type_name
    if t in ("string", "integer", "boolean"):
        return t
    if t == "list":
        m = shape.member
        if m.type_name == "string":
            return "ec2_list" if svc == "ec2" else "string_list"
        if (svc != "ec2" and m.type_name == "structure"
                and list(m.members) == ["Key", "Value"]):
            return "tag_list"
        if (svc == "ec2" and m.type_name == "structure"
                and list(m.members) == ["Name", "Values"]):
            return "ec2_filters"
    return None


def wire_name(svc, name, shape):
    """The name botocore's serializer writes for a member."""
    if svc != "ec2":
        return name
    n = shape.serialization.get("name", name)
    return n[0].upper() + n[1:]


def check_table(session, operations, problems):
    for op in operations:
        svc, action = op["service"], op["action"]
        model = session.get_service_model(svc)
        if action not in model.operation_names:
            problems.append(f"{svc} {action}: not an operation of botocore's "
                            f"{svc} model")
            continue
        if model.metadata["apiVersion"] != op["version"]:
            problems.append(f"{svc} {action}: version {op['version']}, "
                            f"model {model.metadata['apiVersion']}")
        shape = model.operation_model(action).input_shape
        want = [[name, kind_of(s, svc), wire_name(svc, name, s)]
                for name, s in (shape.members.items() if shape else [])
                if kind_of(s, svc) is not None]
        if op["members"] != want:
            problems.append(f"{svc} {action}: members {op['members']}, "
                            f"model {want}")


def check_sources(session, operations, source_dir, problems):
    known = {}
    for svc in SERVICES:
        for name in session.get_service_model(svc).operation_names:
            known.setdefault(name, svc)
    table = {(o["service"], o["action"]) for o in operations}
    files = (glob.glob(os.path.join(source_dir, "src", "**", "*.c"),
                       recursive=True) +
             glob.glob(os.path.join(source_dir, "modules", "**", "*.c"),
                       recursive=True))
    if not files:
        problems.append(f"no C sources under {source_dir}")
    seen = set()
    for path in sorted(files):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r'"([A-Z][A-Za-z]+)"', text):
            name = m.group(1)
            if name in known and (known[name], name) not in table:
                key = (known[name], name)
                if key not in seen:
                    seen.add(key)
                    problems.append(
                        f"{os.path.relpath(path, source_dir)} names "
                        f"{known[name]} {name}, which is not in "
                        f"src/aws/wire.c's table")


def unflatten(svc, shape, pairs, where, problems):
    """The botocore parameters for tern's flattened pairs, in model order."""
    given = dict(pairs)
    if len(given) != len(pairs):
        problems.append(f"{where}: a parameter appears twice")
    used = set()
    params = {}
    for name, s in (shape.members.items() if shape else []):
        kind = kind_of(s, svc)
        w = wire_name(svc, name, s)
        if kind in ("string", "integer", "boolean") and w in given:
            v = given[w]
            used.add(w)
            params[name] = (int(v) if kind == "integer" else
                            {"true": True, "false": False}[v]
                            if kind == "boolean" else v)
        elif kind == "string_list":
            items, n = [], 1
            while f"{name}.member.{n}" in given:
                used.add(f"{name}.member.{n}")
                items.append(given[f"{name}.member.{n}"])
                n += 1
            if items:
                params[name] = items
        elif kind == "tag_list":
            items, n = [], 1
            while f"{name}.member.{n}.Key" in given:
                k, v = f"{name}.member.{n}.Key", f"{name}.member.{n}.Value"
                used.update((k, v))
                items.append({"Key": given[k], "Value": given.get(v)})
                n += 1
            if items:
                params[name] = items
        elif kind == "ec2_list":
            items, n = [], 1
            while f"{w}.{n}" in given:
                used.add(f"{w}.{n}")
                items.append(given[f"{w}.{n}"])
                n += 1
            if items:
                params[name] = items
        elif kind == "ec2_filters":
            items, n = [], 1
            while f"{w}.{n}.Name" in given:
                used.add(f"{w}.{n}.Name")
                values, m = [], 1
                while f"{w}.{n}.Value.{m}" in given:
                    used.add(f"{w}.{n}.Value.{m}")
                    values.append(given[f"{w}.{n}.Value.{m}"])
                    m += 1
                items.append({"Name": given[f"{w}.{n}.Name"],
                              "Values": values})
                n += 1
            if items:
                params[name] = items
    for name in given:
        if name not in used:
            problems.append(f"{where}: parameter {name!r} is not a member "
                            f"of the input shape")
    return params


def botocore_body(session, serializers, svc, action, params):
    model = session.get_service_model(svc)
    op_model = model.operation_model(action)
    ser = serializers.setdefault(svc, create_serializer(
        model.metadata["protocol"], include_validation=False))
    request_dict = ser.serialize_to_request(params, op_model)
    prepare_request_dict(request_dict, endpoint_url=ENDPOINTS[svc])
    body = create_request_object(request_dict).prepare().body
    if isinstance(body, bytes):
        body = body.decode("ascii")
    return body or ""


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    source_dir = sys.argv[2]
    session = botocore.session.get_session()
    problems = []
    check_table(session, cases["operations"], problems)
    check_sources(session, cases["operations"], source_dir, problems)
    serializers = {}
    covered = set()
    for i, r in enumerate(cases["requests"]):
        svc, action = r["service"], r["action"]
        where = f"request {i} ({svc} {action})"
        if action not in session.get_service_model(svc).operation_names:
            continue  # reported with the table
        shape = session.get_service_model(svc).operation_model(
            action).input_shape
        params = unflatten(svc, shape, [tuple(p) for p in r["params"]],
                           where, problems)
        want = botocore_body(session, serializers, svc, action, params)
        if r["body"] != want:
            problems.append(f"{where}: body differs\n  tern:     "
                            f"{r['body']}\n  botocore: {want}")
        covered.add((svc, action))
    for op in cases["operations"]:
        if (op["service"], op["action"]) not in covered:
            problems.append(f"{op['service']} {op['action']}: no request")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"ok: {len(cases['operations'])} operations, "
          f"{len(cases['requests'])} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
