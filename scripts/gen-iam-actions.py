#!/usr/bin/python3
"""Generate src/policy/actions_data.c, the IAM action catalogue.

The catalogue lists every IAM action of the services tern's users touch, so
that `tern validate` can flag actions that do not exist and suggest the
closest real one. Sources, in order:

1. The AWS service models shipped in Debian's python3-botocore
   (/usr/lib/python3/dist-packages/botocore/data/<model>/<version>/
   service-2.json): every operation name of the models mapped to a service
   prefix below. For most services an IAM action is an API operation of the
   same name.
2. src/policy/actions-extra.txt: the documented places where IAM actions and
   API operations differ (s3:ListBucket, iam:PassRole, sts:TagSession...),
   as "prefix:Action" lines to add and "-prefix:Op -> prefix:Action" lines
   to remove (naming what IAM authorises the operation with, for the
   linter's message), each citing the AWS Service Authorization Reference.

It also writes the list of every service prefix the botocore models know
(endpoint prefixes and signing names), so that a typo check on service
prefixes ("sagemkaer:") does not flag real services outside the catalogue.

Usage (from the repository root):

    /usr/bin/python3 scripts/gen-iam-actions.py [--botocore DIR] [--check]

--check exits 1 when the committed file differs from what would be
generated, without writing it.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

# IAM service prefix -> botocore model directories whose operations are
# actions of that prefix.
SERVICES = {
    "cloudwatch": ["cloudwatch"],  # endpoint prefix "monitoring"
    "ec2": ["ec2"],
    "ecr": ["ecr"],
    "iam": ["iam"],
    "kms": ["kms"],
    "logs": ["logs"],
    # S3 Control (access points, batch jobs, account settings) authorises
    # under the s3 prefix too.
    "s3": ["s3", "s3control"],
    # The runtime APIs (InvokeEndpoint, feature store records, edge, A2I)
    # authorise under the sagemaker prefix.
    "sagemaker": ["sagemaker", "sagemaker-runtime",
                  "sagemaker-featurestore-runtime", "sagemaker-edge",
                  "sagemaker-a2i-runtime"],
    "sts": ["sts"],
}

DEFAULT_BOTOCORE = "/usr/lib/python3/dist-packages/botocore/data"


def latest_model(root, name):
    paths = sorted(glob.glob(os.path.join(root, name, "*", "service-2.json")))
    if not paths:
        sys.exit("gen-iam-actions: no model for %s under %s" % (name, root))
    return paths[-1]


def botocore_version(root):
    try:
        sys.path.insert(0, os.path.dirname(os.path.dirname(root)))
        import botocore  # noqa: E402
        return botocore.__version__
    except Exception:  # pragma: no cover - only informative
        return "unknown"


def target_phrase(text, where):
    """'s3:GetObject + s3:PutObject' -> '"s3:GetObject" and "s3:PutObject"'."""
    for sep, word in ((" + ", " and "), (" | ", " or ")):
        if sep in text:
            names = [t.strip() for t in text.split(sep)]
            break
    else:
        names, word = [text.strip()], ""
    for name in names:
        if ":" not in name or " " in name:
            sys.exit("%s: bad target %r" % (where, name))
    return word.join('"%s"' % name for name in names)


def read_extra(path):
    """Returns (added, removed, renames {(prefix, action): phrase})."""
    add, remove, renames = set(), set(), {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            target, phrase = add, None
            if line.startswith("-"):
                target, line = remove, line[1:].strip()
                line, sep, rest = line.partition("->")
                line = line.strip()
                if not sep:
                    sys.exit("%s:%d: a removal names the action(s) IAM "
                             "checks instead: -prefix:Op -> prefix:Action"
                             % (path, n))
                phrase = target_phrase(rest, "%s:%d" % (path, n))
            prefix, sep, action = line.partition(":")
            if not sep or prefix not in SERVICES or not action.isalnum():
                sys.exit("%s:%d: expected [-]prefix:Action for a catalogued "
                         "service, got %r" % (path, n, line))
            target.add((prefix, action))
            if phrase:
                renames[(prefix, action)] = phrase
    return add, remove, renames


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(root, extra_path):
    actions = {}
    sources = []
    for prefix, models in sorted(SERVICES.items()):
        names = set()
        for model in models:
            path = latest_model(root, model)
            sources.append(os.path.relpath(path, root))
            with open(path, encoding="utf-8") as f:
                names.update(json.load(f)["operations"].keys())
        actions[prefix] = names
    add, remove, renames = read_extra(extra_path)
    for prefix, action in sorted(add):
        # Keep one spelling per action, case-insensitively (the model's).
        if action.lower() not in {a.lower() for a in actions[prefix]}:
            actions[prefix].add(action)
    for prefix, action in sorted(remove):
        actions[prefix] = {a for a in actions[prefix]
                           if a.lower() != action.lower()}

    prefixes = set()
    for path in glob.glob(os.path.join(root, "*", "*", "service-2.json")):
        with open(path, encoding="utf-8") as f:
            meta = json.load(f).get("metadata", {})
        for key in ("signingName", "endpointPrefix"):
            value = meta.get(key, "")
            # "runtime.sagemaker" style endpoint prefixes are not IAM prefixes.
            if value and "." not in value:
                prefixes.add(value.lower())
        prefixes.add(os.path.basename(os.path.dirname(os.path.dirname(path))))
    prefixes.update(SERVICES)

    full = sorted(("%s:%s" % (p, a) for p in actions for a in actions[p]),
                  key=lambda s: s.lower())
    out = []
    w = out.append
    w("/*")
    w(" * The IAM action catalogue. GENERATED by scripts/gen-iam-actions.py:")
    w(" * do not edit; change src/policy/actions-extra.txt or the script and")
    w(" * regenerate (docs/internals/IAM-ACTIONS.md):")
    w(" *")
    w(" *     /usr/bin/python3 scripts/gen-iam-actions.py")
    w(" *")
    w(" * Sources: botocore %s service models (python3-botocore)," %
      botocore_version(root))
    w(" * plus src/policy/actions-extra.txt. Models read:")
    for s in sources:
        w(" *   %s" % s)
    w(" *")
    w(" * tern__policy_actions is sorted case-insensitively (ASCII), so that")
    w(" * each service's actions are contiguous and binary search works.")
    w(" */")
    w('#include "policy/actions.h"')
    w("")
    w("const char *const tern__policy_actions[] = {")
    for s in full:
        w("    %s," % c_string(s))
    w("};")
    w("")
    w("const size_t tern__policy_actions_count =")
    w("    sizeof(tern__policy_actions) / sizeof(tern__policy_actions[0]);")
    w("")
    w("/* Every service prefix the botocore models know, sorted. */")
    w("const char *const tern__policy_prefixes[] = {")
    for p in sorted(prefixes):
        w("    %s," % c_string(p))
    w("};")
    w("")
    w("const size_t tern__policy_prefixes_count =")
    w("    sizeof(tern__policy_prefixes) / sizeof(tern__policy_prefixes[0]);")
    w("")
    w("/*")
    w(" * API operations that are not IAM actions, with the action(s) IAM")
    w(" * authorises them with (actions-extra.txt), sorted like the actions.")
    w(" */")
    w("const struct tern__policy_rename tern__policy_renames[] = {")
    for (p, a) in sorted(renames, key=lambda k: ("%s:%s" % k).lower()):
        w("    {%s," % c_string("%s:%s" % (p, a)))
        w("     %s}," % c_string(renames[(p, a)]))
    w("};")
    w("")
    w("const size_t tern__policy_renames_count =")
    w("    sizeof(tern__policy_renames) / sizeof(tern__policy_renames[0]);")
    counts = {p: len(actions[p]) for p in actions}
    return "\n".join(out) + "\n", counts


def clang_format(text, repo):
    """House format (scripts/check-source.sh checks it), when available."""
    exe = shutil.which("clang-format")
    if not exe:
        print("gen-iam-actions: clang-format not found; output unformatted",
              file=sys.stderr)
        return text
    return subprocess.run(
        [exe, "--assume-filename=src/policy/actions_data.c"], input=text,
        capture_output=True, text=True, check=True, cwd=repo).stdout


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--botocore", default=DEFAULT_BOTOCORE,
                    help="botocore data directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed file; do not write")
    args = ap.parse_args()
    target = os.path.join(repo, "src", "policy", "actions_data.c")
    text, counts = generate(args.botocore,
                            os.path.join(repo, "src", "policy",
                                         "actions-extra.txt"))
    text = clang_format(text, repo)
    for p in sorted(counts):
        print("%-10s %5d actions" % (p, counts[p]))
    if args.check:
        with open(target, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("gen-iam-actions: %s is out of date" % target)
        return
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % os.path.relpath(target, repo))


if __name__ == "__main__":
    main()
