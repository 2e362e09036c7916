#!/usr/bin/python3
"""A policy gate a pipeline runs between `plan -out` and `apply`.

    tern show -json plan.tfplan > plan.json
    /usr/bin/python3 examples/policy-gate/policy_gate.py plan.json

It reads Terraform's JSON plan representation (tern's `show -json
PLANFILE`, or Terraform's own) and refuses a plan that

  - deletes an IAM role (a delete, or a replacement, of aws_iam_role),
  - attaches the AdministratorAccess managed policy to anything,
  - creates or changes a trust policy that trusts a wildcard principal.

Each violation is one line on standard output; the exit status is 1 when
there is any, 0 when there is none, 2 when the input is not a plan. Only
the Python standard library is used.
"""
import json
import sys

ADMIN_SUFFIX = ":policy/AdministratorAccess"
ATTACHMENTS = (
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
)


def as_list(x):
    return x if isinstance(x, list) else [x]


def wildcard_principal(document):
    """Whether an Allow statement of a policy document trusts "*"."""
    try:
        doc = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    for st in as_list(doc.get("Statement", [])):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        if principal == "*":
            return True
        if isinstance(principal, dict):
            for value in principal.values():
                if "*" in as_list(value):
                    return True
    return False


def violations(plan):
    found = []
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") != "managed":
            continue
        address = rc.get("address", "?")
        change = rc.get("change", {})
        actions = change.get("actions", [])
        after = change.get("after") or {}
        writes = "create" in actions or "update" in actions
        if rc.get("type") == "aws_iam_role" and "delete" in actions:
            what = "replaces" if "create" in actions else "deletes"
            found.append("%s: %s an IAM role" % (address, what))
        if rc.get("type") in ATTACHMENTS and writes:
            arn = after.get("policy_arn")
            if isinstance(arn, str) and arn.endswith(ADMIN_SUFFIX):
                found.append("%s: attaches AdministratorAccess" % address)
        if rc.get("type") == "aws_iam_role" and writes:
            for arn in after.get("managed_policy_arns") or []:
                if isinstance(arn, str) and arn.endswith(ADMIN_SUFFIX):
                    found.append("%s: attaches AdministratorAccess" % address)
            if wildcard_principal(after.get("assume_role_policy")):
                found.append(
                    "%s: trust policy allows a wildcard principal" % address)
    return found


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: policy_gate.py PLAN.json (or - for stdin)\n")
        return 2
    try:
        if argv[1] == "-":
            plan = json.load(sys.stdin)
        else:
            with open(argv[1], encoding="utf-8") as f:
                plan = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("policy gate: cannot read %s: %s\n" % (argv[1], e))
        return 2
    if not isinstance(plan, dict) or "format_version" not in plan:
        sys.stderr.write("policy gate: %s is not a JSON plan (tern show "
                         "-json PLANFILE)\n" % argv[1])
        return 2
    found = violations(plan)
    for v in found:
        print("DENY " + v)
    checked = len(plan.get("resource_changes", []))
    if found:
        print("policy gate: %d violation%s in %d resource changes" %
              (len(found), "" if len(found) == 1 else "s", checked))
        return 1
    print("policy gate: %d resource changes checked, no violation" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
