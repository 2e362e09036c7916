#!/usr/bin/env python3
"""Generate tests/cases/bad-input/: malformed inputs, each with the
diagnostic and exit status tern must answer with (issue 10).

    python3 scripts/gen-bad-input.py BUILD_DIR

BUILD_DIR holds the built `tern` (good state and plan files are made with
it, then damaged here). The generated cases are committed; rerun this only
to change them. Each case is a directory NNN-slug/ with:

    cmd                     tern's arguments, one per line
    expect/exit-code        the exit status
    expect/stderr-contains  lines the diagnostic must contain, one a line
    expect/stderr           the whole standard error, recorded by the test
                            (TERN_UPDATE_GOLDEN=1, see
                            tests/unit/test_bad_input.c) only when it holds
                            every line of stderr-contains; compared whole
    sim-args                (optional) run against a tern-sim started with
                            these arguments, one per line
    state                   (optional) the name of a state in fixtures/ to
                            copy in as tern.tfstate.db
    everything else         copied into the working directory first

tests/unit/test_bad_input.c runs them and also checks that a state file
that was there is byte-identical afterwards whenever tern refused.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "cases", "bad-input")

ROLE = '''resource "aws_iam_role" "r" {
  name = "bad-input"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
'''
TRUST = ('jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
         'Principal = {Service = "ec2.amazonaws.com"}, '
         'Action = "sts:AssumeRole"}]})')
OUTPUT_ONLY = '''variable "n" {
  type    = number
  default = 1
}

output "o" {
  value = var.n
}
'''
VARS = '''variable "n" {
  type = number
}

variable "names" {
  type    = list(string)
  default = []
}

variable "obj" {
  type = object({ a = string, b = number })
  default = { a = "x", b = 1 }
}

output "o" {
  value = var.n
}
'''

cases = []


def case(slug, files, cmd, code, *expect, sim=None):
    cases.append((slug, files, cmd, code, list(expect), sim))


def hcl(slug, text, *expect, cmd=("validate",), code=1):
    case("hcl-" + slug, {"main.tf": text}, list(cmd), code, *expect)


def at(line, col, width, ctx=None, path="main.tf"):
    """Where a diagnostic points, as tern renders it: the file and line
    (with the enclosing block), and the carets under the range, which sit
    after the 6 columns of "%4u: " and one column a character."""
    return ("  on %s line %d%s:" % (path, line, ", in " + ctx if ctx else ""),
            " " * (5 + col) + "^" * width)


# ---- configurations, native syntax ---------------------------------------
hcl("unclosed-block", 'resource "aws_iam_role" "r" {\n  name = "x"\n',
    "Error: Unclosed configuration block", "main.tf line 1")
hcl("missing-expression", 'locals {\n  x = \n}\n', "Error: Invalid expression",
    "main.tf line 2")
hcl("unsupported-argument",
    'resource "aws_iam_role" "r" {\n  name = "x"\n  assume_role_policy = ' + TRUST + '\n'
    '  bogus = 1\n}\n', "Error: Unsupported argument", 'named "bogus"')
hcl("unsupported-block", 'resourc "aws_iam_role" "r" {\n}\n',
    "Error: Unsupported block type")
hcl("missing-required-argument",
    'resource "aws_iam_role" "r" {\n  name = "x"\n}\n',
    "Error: Missing required argument", "assume_role_policy")
hcl("unknown-resource-type", 'resource "aws_iam_rolez" "r" {\n}\n',
    "aws_iam_rolez")
hcl("unknown-data-source", 'data "aws_nothing" "d" {\n}\n', "aws_nothing")
hcl("duplicate-resource", ROLE + ROLE, "Error: Duplicate resource")
hcl("duplicate-variable", 'variable "a" {}\nvariable "a" {}\n',
    "Error: Duplicate variable declaration")
hcl("duplicate-output",
    'output "a" {\n  value = 1\n}\noutput "a" {\n  value = 2\n}\n',
    "Error: Duplicate output definition")
hcl("duplicate-local", 'locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n',
    "Error: Duplicate local value definition")
hcl("undeclared-variable", 'output "o" {\n  value = var.nope\n}\n',
    "Error: Reference to undeclared input variable", '"nope"')
hcl("undeclared-resource", 'output "o" {\n  value = aws_iam_role.nope.name\n}\n',
    "Error: Reference to undeclared resource")
hcl("undeclared-local", 'output "o" {\n  value = local.nope\n}\n',
    "Error: Reference to undeclared local value")
hcl("undeclared-module", 'output "o" {\n  value = module.nope.x\n}\n',
    "Error: Reference to undeclared module")
hcl("unknown-function", 'output "o" {\n  value = nope("a")\n}\n',
    "Error: Call to unknown function", *at(2, 11, 4, 'output "o"'),
    'There is no function named "nope".', cmd=("plan",))
hcl("function-too-few-args", 'output "o" {\n  value = upper()\n}\n',
    "Error: Not enough function arguments", cmd=("plan",))
hcl("function-too-many-args", 'output "o" {\n  value = upper("a", "b")\n}\n',
    "Error: Too many function arguments", cmd=("plan",))
hcl("unterminated-string", 'locals {\n  x = "abc\n}\n',
    "Error: Unterminated template string")
hcl("unterminated-heredoc", 'locals {\n  x = <<EOT\nabc\n}\n',
    "Error: Unterminated template string")
hcl("unbalanced-parens", 'locals {\n  x = (1 + 2\n}\n',
    "Error: Unbalanced parentheses")
hcl("unterminated-interpolation", 'locals {\n  x = "${"\n}\n',
    "Error: Unterminated template string")
hcl("invalid-escape", 'locals {\n  x = "a\\qb"\n}\n',
    "Error: Invalid escape sequence")
hcl("attribute-redefined", 'locals {\n  x = 1\n  x = 2\n}\n',
    "Error: Attribute redefined")
hcl("cycle",
    'resource "aws_iam_role" "a" {\n  name = aws_iam_role.b.name\n'
    '  assume_role_policy = ' + TRUST + '\n}\nresource "aws_iam_role" "b" {\n'
    '  name = aws_iam_role.a.name\n  assume_role_policy = ' + TRUST + '\n}\n',
    "Cycle", "aws_iam_role.a", "aws_iam_role.b", cmd=("plan",))
hcl("local-cycle", 'locals {\n  a = local.b\n  b = local.a\n}\n'
    'output "o" {\n  value = local.a\n}\n', "Cycle", cmd=("plan",))
hcl("bad-type-constraint", 'variable "v" {\n  type = strang\n}\n',
    "Error: Invalid type specification")
hcl("default-type-mismatch",
    'variable "v" {\n  type    = number\n  default = "abc"\n}\n',
    "Error: Invalid default value for variable", *at(3, 13, 5, 'variable "v"'),
    "This default value is not compatible with the variable's type "
    "constraint", cmd=("plan",))
hcl("count-and-for-each",
    'resource "aws_iam_role" "r" {\n  count = 1\n  for_each = toset(["a"])\n'
    '  name = "x"\n  assume_role_policy = ' + TRUST + '\n}\n',
    'Error: Invalid combination of "count" and "for_each"',
    *at(3, 3, 8, 'resource "aws_iam_role" "r"'), cmd=("plan",))
hcl("count-negative",
    'resource "aws_iam_role" "r" {\n  count = -1\n  name = "x"\n'
    '  assume_role_policy = ' + TRUST + '\n}\n', "Error: Invalid count argument",
    cmd=("plan",))
hcl("count-string",
    'resource "aws_iam_role" "r" {\n  count = "many"\n  name = "x"\n'
    '  assume_role_policy = ' + TRUST + '\n}\n', "count", cmd=("plan",))
hcl("for-each-list",
    'resource "aws_iam_role" "r" {\n  for_each = ["a", "b"]\n'
    '  name = each.key\n  assume_role_policy = ' + TRUST + '\n}\n',
    "Error: Invalid for_each argument", cmd=("plan",))
hcl("each-outside-for-each",
    'resource "aws_iam_role" "r" {\n  name = each.key\n'
    '  assume_role_policy = ' + TRUST + '\n}\n', "each", cmd=("plan",))
hcl("count-index-outside-count",
    'resource "aws_iam_role" "r" {\n  name = "r-${count.index}"\n'
    '  assume_role_policy = ' + TRUST + '\n}\n', "count", cmd=("plan",))
hcl("missing-resource-name", 'resource "aws_iam_role" {\n}\n',
    "Error: Missing name for resource")
hcl("variable-validation",
    'variable "v" {\n  type = number\n  default = 1\n  validation {\n'
    '    condition     = var.v > 10\n    error_message = "Must exceed ten."\n'
    '  }\n}\n', "Error: Invalid value for variable", "Must exceed ten.",
    cmd=("plan",))
hcl("invalid-index", 'output "o" {\n  value = [1][5]\n}\n',
    "Error: Invalid index", cmd=("plan",))
hcl("invalid-operand", 'output "o" {\n  value = 1 + "a"\n}\n',
    "Error: Invalid operand", cmd=("plan",))
hcl("bad-argument-name", 'locals {\n  1abc = 2\n}\n', "Error:")
hcl("deep-nesting", 'locals {\n  x = ' + "[" * 5000 + "]" * 5000 + '\n}\n',
    "Error: Expression too deeply nested")
hcl("unsupported-provider", 'provider "nope" {}\n', "Provider not supported",
    cmd=("plan",))
hcl("unsupported-backend", 'terraform {\n  backend "gcs" {}\n}\n',
    "Error: Unsupported backend type", cmd=("plan",))
hcl("moved-without-to", 'moved {\n  from = aws_iam_role.a\n}\n',
    "Error: Invalid moved block", cmd=("plan",))
hcl("template-for-unclosed", 'locals {\n  x = "%{ for a in [1] }${a}"\n}\n',
    "Error:")
hcl("conditional-missing-colon", 'locals {\n  x = true ? 1\n}\n', "Error:")
hcl("for-expression-unclosed", 'locals {\n  x = [for a in [1] : a\n}\n',
    "Error:")
hcl("object-missing-comma", 'locals {\n  x = { a = 1 b = 2 }\n}\n', "Error:")
hcl("splat-on-string", 'output "o" {\n  value = "abc"[*].x\n}\n', "Error:",
    cmd=("plan",))
hcl("block-as-attribute",
    'resource "aws_iam_role" "r" {\n  name = "x"\n  assume_role_policy = ' + TRUST + '\n'
    '  lifecycle = {}\n}\n', "Error:")
hcl("attribute-as-block",
    'resource "aws_iam_role" "r" {\n  name {\n  }\n'
    '  assume_role_policy = ' + TRUST + '\n}\n', "Error:")
hcl("extra-label", 'variable "a" "b" {\n}\n', "Error:")
hcl("sensitive-output-required",
    'variable "s" {\n  type = string\n  default = "x"\n  sensitive = true\n}\n'
    'output "o" {\n  value = var.s\n}\n',
    "Error: Output refers to sensitive values", cmd=("plan",))
hcl("nul-byte", 'locals {\n  x = 1\n}\n\0\n', "Error:")
hcl("stray-closing-brace", '}\n', "Error:")
hcl("only-garbage", '@@@ !!! ###\n', "Error:")
hcl("jsondecode-invalid", 'output "o" {\n  value = jsondecode("{")\n}\n',
    "Error:", cmd=("plan",))
hcl("tonumber-invalid", 'output "o" {\n  value = tonumber("abc")\n}\n',
    "Error:", cmd=("plan",))
hcl("file-missing", 'output "o" {\n  value = file("nope.txt")\n}\n',
    "Error:", "nope.txt", cmd=("plan",))
hcl("divide-by-zero", 'output "o" {\n  value = 1 / 0\n}\n', "Error:",
    cmd=("plan",))
hcl("policy-not-json",
    'resource "aws_iam_role" "r" {\n  name = "x"\n'
    '  assume_role_policy = "not json"\n}\n', "assume_role_policy",
    cmd=("plan",))
hcl("for-each-unknown-type",
    'resource "aws_iam_role" "r" {\n  for_each = 5\n  name = "x"\n'
    '  assume_role_policy = ' + TRUST + '\n}\n', "Error: Invalid for_each argument",
    cmd=("plan",))
hcl("self-reference",
    'resource "aws_iam_role" "r" {\n  name = aws_iam_role.r.id\n'
    '  assume_role_policy = ' + TRUST + '\n}\n', "Error:", cmd=("plan",))
hcl("output-undeclared-attribute",
    ROLE + 'output "o" {\n  value = aws_iam_role.r.nope\n}\n',
    "Error: Unsupported attribute", cmd=("plan",))
hcl("cloud-block", 'terraform {\n  cloud {\n  }\n}\n', "cloud", cmd=("plan",))
case("hcl-no-configuration", {"README": "nothing here\n"}, ["plan"], 1,
     "Error: No configuration files")
case("hcl-two-files-duplicate",
     {"a.tf": 'variable "x" {}\n', "b.tf": 'variable "x" {}\n'},
     ["validate"], 1, "Error: Duplicate variable declaration", "b.tf")

# ---- configurations, JSON syntax -----------------------------------------


def tfjson(slug, text, *expect, cmd=("validate",)):
    case("json-" + slug, {"main.tf.json": text}, list(cmd), 1, *expect)


tfjson("truncated", '{"resource": {"aws_iam_role": {"r": {', "main.tf.json")
tfjson("not-an-object", '["resource"]\n', "main.tf.json")
tfjson("empty-file", '', "main.tf.json")
tfjson("trailing-garbage", '{"locals": {"a": 1}} xyz\n', "main.tf.json")
tfjson("unknown-top-level", '{"resourc": {}}\n', "resourc")
tfjson("resource-not-object", '{"resource": {"aws_iam_role": {"r": 5}}}\n',
       "Error:")
tfjson("resource-type-array", '{"resource": {"aws_iam_role": [1]}}\n',
       "Error:")
tfjson("unknown-argument",
       '{"resource": {"aws_iam_role": {"r": {"name": "x", '
       '"assume_role_policy": "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Principal\\": {\\"Service\\": \\"ec2.amazonaws.com\\"}, \\"Action\\": \\"sts:AssumeRole\\"}]}", "bogus": 1}}}}\n',
       "Error: Unsupported argument")
tfjson("missing-required",
       '{"resource": {"aws_iam_role": {"r": {"name": "x"}}}}\n',
       "Error: Missing required argument")
tfjson("bad-interpolation",
       '{"output": {"o": {"value": "${var.nope"}}}\n', "Error:")
tfjson("undeclared-variable",
       '{"output": {"o": {"value": "${var.nope}"}}}\n',
       "Error: Reference to undeclared input variable")
tfjson("variable-bad-type",
       '{"variable": {"v": {"type": "strang"}}}\n', "Error:")
tfjson("duplicate-key",
       '{"variable": {"v": {}}, "variable": {"v": {}}}\n', "Error:")
tfjson("nul-byte", '{"locals": {"a": 1}}\0', "Error:")
tfjson("deep-nesting", '{"locals": {"a": ' + "[" * 5000 + "]" * 5000 + '}}',
       "Error:")
tfjson("invalid-utf8", '{"locals": {"a": "\xff"}}',
       "Error: Invalid character encoding",
       *at(1, 19, 1, path="main.tf.json"),
       "Byte 0xff here is not valid UTF-8. All input files must be UTF-8 "
       "encoded.")
tfjson("count-string",
       '{"resource": {"aws_iam_role": {"r": {"count": "x", "name": "x", '
       '"assume_role_policy": "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Principal\\": {\\"Service\\": \\"ec2.amazonaws.com\\"}, \\"Action\\": \\"sts:AssumeRole\\"}]}"}}}}\n', "count", cmd=("plan",))

# ---- variables: tfvars, -var, -var-file ----------------------------------


def tfvars(slug, files, args, code, *expect):
    f = {"main.tf": VARS}
    f.update(files)
    case("vars-" + slug, f, ["plan", "-input=false"] + args, code, *expect)


tfvars("syntax-error", {"terraform.tfvars": "n = \n"}, [], 1,
       "Error: Invalid expression", "terraform.tfvars")
tfvars("wrong-type", {"terraform.tfvars": 'n = "abc"\n'}, [], 1,
       "Error: Invalid value for input variable")
tfvars("json-malformed", {"terraform.tfvars.json": '{"n": }'}, [], 1,
       "Error: Invalid JSON")
tfvars("json-not-object", {"terraform.tfvars.json": '[1, 2]'}, [], 1,
       "Error:")
tfvars("references-variable", {"terraform.tfvars": 'n = var.x\n'}, [], 1,
       "Error:")
tfvars("function-call", {"terraform.tfvars": 'n = upper("a")\n'}, [], 1,
       "Error:")
tfvars("block", {"terraform.tfvars": 'n {\n}\n'}, [], 1,
       "Error: Unexpected block")
tfvars("undeclared-var-flag", {}, ["-var=n=1", "-var=nope=1"], 1,
       "Error: Value for undeclared variable")
tfvars("var-flag-without-equals", {}, ["-var=n"], 1,
       "Error: Invalid -var option")
tfvars("var-flag-wrong-type", {}, ["-var=n=abc"], 1,
       "Error: Invalid value for input variable")
tfvars("var-file-missing", {}, ["-var=n=1", "-var-file=missing.tfvars"], 1,
       "Error: Failed to read variables file", "missing.tfvars")
tfvars("list-given-string", {"terraform.tfvars": 'n = 1\nnames = "x"\n'}, [],
       1, "Error: Invalid value for input variable")
tfvars("object-missing-attribute",
       {"terraform.tfvars": 'n = 1\nobj = { a = "x" }\n'}, [], 1,
       "Error: Invalid value for input variable")
tfvars("required-missing", {}, [], 1, "Error: No value for required variable")
tfvars("garbage", {"terraform.tfvars": "@@@\n"}, [], 1, "Error:")
tfvars("auto-tfvars-bad", {"x.auto.tfvars": 'n = [\n'}, [], 1, "Error:",
       "x.auto.tfvars")
tfvars("var-file-bad-syntax", {"x.tfvars": 'n = "unterminated\n'},
       ["-var-file=x.tfvars"], 1, "Error:", "x.tfvars")
tfvars("json-wrong-type", {"terraform.tfvars.json": '{"n": "abc"}'}, [], 1,
       "Error: Invalid value for input variable")
tfvars("invalid-utf8", {"terraform.tfvars": 'n = "\xff"\n'}, [], 1,
       "Error: Invalid character encoding", "  on terraform.tfvars line 1:",
       "Byte 0xff here is not valid UTF-8.")

# ---- the command line -----------------------------------------------------


def cli(slug, args, *expect, files=None):
    case("cli-" + slug, files or {"main.tf": OUTPUT_ONLY}, args, 1, *expect)


cli("unknown-command", ["explode"], "explode")
cli("unknown-flag", ["plan", "-explode"], "-explode")
cli("parallelism-zero", ["plan", "-parallelism=0"], "parallelism")
cli("parallelism-text", ["plan", "-parallelism=many"], "parallelism")
cli("lock-timeout-bare-number", ["plan", "-lock-timeout=5"], "lock-timeout")
cli("bad-target", ["plan", "-target=aws_iam_role"], "Error:")
cli("too-many-arguments", ["apply", "a.tfplan", "b.tfplan"], "Error:")
cli("state-rm-without-address", ["state", "rm"], "Error:")
cli("chdir-missing", ["-chdir=nowhere", "plan"], "nowhere")
cli("apply-no-terminal", ["apply"], "-auto-approve")
cli("import-bad-address", ["import", "nope", "id"], "Error:")
cli("force-unlock-no-lock", ["force-unlock", "-force", "0000"], "Error:")
cli("state-show-missing", ["state", "show", "aws_iam_role.nope"], "Error:")

# ---- server responses -----------------------------------------------------
# Against a tern-sim that mangles every response after doing the work.
provider_fast = ('provider "aws" {\n  max_retries = 1\n}\n'
                 'provider "databricks" {}\n')
DATA = ('data "aws_iam_policy" "p" {\n'
        '  arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"\n}\n')
for mode, says in (("truncate", "GetPolicy"), ("oversize", "large"),
                   ("html", "GetPolicy"), ("shape", "not <GetPolicyResponse>")):
    case("server-%s-plan" % mode, {"main.tf": DATA}, ["plan"], 1,
         "Error:", says, sim=["--garble-rate", "1", "--garble-mode", mode])
    case("server-%s-apply" % mode, {"main.tf": ROLE},
         ["apply", "-auto-approve"], 1, "Error:", "CreateRole",
         sim=["--garble-rate", "1", "--garble-mode", mode])
case("server-stall-completes", {"main.tf": ROLE},
     ["apply", "-auto-approve"], 0, "",
     sim=["--garble-rate", "1", "--garble-mode", "stall", "--stall-ms",
          "300"])
case("server-unknown-key", {"main.tf": DATA}, ["plan"], 1,
     "InvalidClientTokenId", sim=["--no-default-key"])
case("server-bad-databricks-token",
     {"main.tf": 'resource "databricks_instance_profile" "d" {\n'
      '  instance_profile_arn = '
      '"arn:aws:iam::123456789012:instance-profile/x"\n'
      '  skip_validation = true\n}\n'},
     ["apply", "-auto-approve"], 1, "Error:",
     sim=["--no-default-key", "--key",
          "AKIDTERNSIMDEFAULT01:ternsim/default/SECRETKEY0000000000000001",
          "--databricks-token", "dapi-some-other-token"])
case("server-always-failing", {"main.tf": provider_fast + ROLE},
     ["apply", "-auto-approve"], 1, "Error:",
     sim=["--error-rate", "1"])
case("server-drops-everything", {"main.tf": provider_fast + ROLE},
     ["apply", "-auto-approve"], 1, "Error:",
     sim=["--drop-rate", "1"])

# ---- state files and plan files (made with the built tern) ---------------


def run_tern(tern, cwd, *args):
    env = dict(os.environ, AWS_ENDPOINT_URL="http://127.0.0.1:9",
               AWS_ACCESS_KEY_ID="AKIDTERNSIMDEFAULT01",
               AWS_SECRET_ACCESS_KEY="x", AWS_EC2_METADATA_DISABLED="true")
    subprocess.run([tern] + list(args), cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def good_state(tern):
    """A tern state holding one output, and a saved plan against it."""
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write(OUTPUT_ONLY)
    run_tern(tern, d, "apply", "-auto-approve")
    run_tern(tern, d, "plan", "-var=n=2", "-out=good.tfplan")
    with open(os.path.join(d, "tern.tfstate.db"), "rb") as f:
        db = f.read()
    with open(os.path.join(d, "good.tfplan"), "rb") as f:
        plan = f.read()
    shutil.rmtree(d)
    return db, plan


def sqlite_edit(db, sql):
    d = tempfile.mkdtemp()
    p = os.path.join(d, "x.db")
    with open(p, "wb") as f:
        f.write(db)
    c = sqlite3.connect(p)
    c.executescript(sql)
    c.commit()
    c.close()
    with open(p, "rb") as f:
        out = f.read()
    shutil.rmtree(d)
    return out


def foreign_db():
    d = tempfile.mkdtemp()
    p = os.path.join(d, "x.db")
    c = sqlite3.connect(p)
    c.executescript("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);"
                    "INSERT INTO notes(body) VALUES ('hello');")
    c.close()
    with open(p, "rb") as f:
        out = f.read()
    shutil.rmtree(d)
    return out


def replan(plan, edit):
    """Edit a plan's document and give it a correct checksum again."""
    doc = json.loads(plan.split(b"\n", 1)[1])
    body = edit(doc)
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return (b"tern-plan 1 sha256=" + hashlib.sha256(body).hexdigest().encode()
            + b"\n" + body)


def state_cases(db, plan):
    def st(slug, data, args, *expect, files=None):
        # The good state is one shared fixture (see the `state` file).
        f = {"main.tf": OUTPUT_ONLY}
        if data is db:
            f["state"] = "good.tfstate.db\n"
        else:
            f["tern.tfstate.db"] = data
        f.update(files or {})
        case("state-" + slug, f, args, 1, *expect)

    page = 4096
    flipped = bytearray(db)
    for i in range(page + 100, min(len(db), 2 * page), 7):
        flipped[i] ^= 0x5A
    for cmd in (["plan"], ["apply", "-auto-approve"], ["state", "list"]):
        tag = cmd[0] if cmd[0] != "state" else "list"
        if tag == "list":
            # An empty file is a creation that stopped early: plan and
            # apply start afresh in it, a reader refuses it.
            st("empty-file-" + tag, b"", cmd, "the file is empty")
        st("truncated-header-" + tag, db[:50], cmd, "Not a usable tern state")
        st("truncated-" + tag, db[:len(db) // 2], cmd, "Error:")
        st("foreign-sqlite-" + tag, foreign_db(), cmd,
           "Not a usable tern state", "not a tern state")
        st("terraform-json-" + tag,
           b'{\n  "version": 4,\n  "terraform_version": "1.9.0",\n'
           b'  "serial": 1,\n  "lineage": "x",\n  "outputs": {},\n'
           b'  "resources": []\n}\n', cmd, "tern state migrate")
        st("newer-version-" + tag, sqlite_edit(db, "PRAGMA user_version = 99;"),
           cmd, "newer")
        st("damaged-" + tag, bytes(flipped), cmd, "Error:")
        st("random-bytes-" + tag, bytes((i * 131 + 7) % 256
                                        for i in range(8192)), cmd,
           "Not a usable tern state")
    st("dropped-table", sqlite_edit(db, "DROP TABLE tern_history;"),
       ["apply", "-auto-approve", "-var=n=2"], "no such table")
    st("empty-meta", sqlite_edit(db, "DELETE FROM tern_meta;"), ["plan"], "Error:")
    # `state push` and `state migrate` of damaged Terraform JSON state files.
    v4 = {"version": 4, "terraform_version": "1.9.0", "serial": 3,
          "lineage": "0f0f0f0f-0000-4000-8000-000000000000", "outputs": {},
          "resources": []}

    def push(slug, text, args=None):
        st("push-" + slug, db, ["state", "push"] + (args or []) + ["in.tfstate"],
           "Error:", files={"in.tfstate": text})

    push("not-json", b"{ not json")
    push("truncated", json.dumps(v4).encode()[:40])
    push("version-3", json.dumps(dict(v4, version=3)).encode())
    push("version-5", json.dumps(dict(v4, version=5)).encode())
    push("other-lineage", json.dumps(v4).encode())
    push("resources-not-array", json.dumps(dict(v4, resources={})).encode())
    push("instance-no-attributes", json.dumps(dict(v4, resources=[
        {"mode": "managed", "type": "aws_iam_role", "name": "r",
         "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
         "instances": [{"schema_version": 0}]}])).encode(), ["-force"])
    push("empty", b"")
    push("array", b"[]")
    case("state-migrate-not-json",
         {"main.tf": OUTPUT_ONLY, "old.tfstate": b"<html>"},
         ["state", "migrate", "old.tfstate"], 1, "Error:")
    case("state-migrate-missing", {"main.tf": OUTPUT_ONLY},
         ["state", "migrate", "nope.tfstate"], 1, "Error:", "nope.tfstate")
    case("state-path-is-directory",
         {"main.tf": OUTPUT_ONLY, "statedir/.keep": b""},
         ["plan", "-state=statedir"], 1, "Error:")

    # Saved plans: applied to the good state, which must stay untouched.
    def pl(slug, data, *expect, cmd="apply"):
        if cmd == "show" and slug in ("empty", "a-state-file"):
            # Not a plan by its first bytes: show reads it as a state and
            # names the file.
            expect = ("Error:", "bad.tfplan")
        elif cmd == "show":
            # A plan by its first bytes: the plan reader's own diagnostic.
            expect = ("Error:", "bad.tfplan") + expect
        st("plan-%s-%s" % (slug, cmd), db, [cmd, "bad.tfplan"], *expect,
           files={"bad.tfplan": data})

    nl = plan.index(b"\n")
    edited = bytearray(plan)
    edited[nl + 30] ^= 0x01
    for cmd in ("apply", "show"):
        pl("truncated", plan[:len(plan) // 2], "checksum", cmd=cmd)
        pl("edited", bytes(edited), "checksum", cmd=cmd)
        pl("empty", b"", "the file is empty; it is not a tern plan file.",
           cmd=cmd)
        pl("header-only", plan[:nl],
           "it is truncated: it ends within its header.", cmd=cmd)
        pl("wrong-magic", b"tern-plan 9" + plan[11:],
           "it is a tern plan file of format 9, which this tern does not "
           "read (it reads format 1).", cmd=cmd)
        pl("damaged-header", plan[:nl - 3] + b"zz" + plan[nl:],
           "header is damaged", cmd=cmd)
        pl("other-tern-version",
           replan(plan, lambda d: dict(d, tern_version="9.9.9")),
           "another tern version", cmd=cmd)
        pl("format-version-2",
           replan(plan, lambda d: dict(d, format_version=2)),
           "format is not one this tern reads", cmd=cmd)
        pl("checksummed-garbage", replan(plan, lambda d: b"{not json"),
           "format is not one this tern reads", cmd=cmd)
        pl("a-state-file", db[:4096], "not a tern plan file", cmd=cmd)
        pl("damaged-instance",
           replan(plan, lambda d: dict(d, instances=[{"addr": 5}])),
           "damaged", cmd=cmd)
        pl("no-lineage", replan(plan, lambda d: {k: v for k, v in d.items()
                                                 if k != "lineage"}),
           "names no state lineage", cmd=cmd)
    pl("other-lineage",
       replan(plan, lambda d: dict(d, lineage="0f0f0f0f-0000-4000-8000-"
                                   "000000000000")), "Error:")
    pl("stale-serial", replan(plan, lambda d: dict(d, serial=d["serial"] - 1)),
       "Saved plan is stale")
    pl("config-not-hcl",
       replan(plan, lambda d: dict(d, configuration=[
           {"name": "main.tf", "text": "resource {"}])), "Error:")
    case("plan-missing-file", {"main.tf": OUTPUT_ONLY}, ["apply", "nope.tfplan"],
         1, "nope.tfplan")


def issue10_fixed():
    """Inputs tern once accepted or reported badly (issue 10's findings,
    known_gaps() until fixed), each now with its precise diagnostic.
    Registered after the state cases so that the numbers of the cases
    before them, and their generated state files, stay as they were."""
    role = 'resource "aws_iam_role" "r"'
    hcl("output-without-value", 'output "o" {\n}\n',
        "Error: Missing required argument", *at(1, 1, 10, 'output "o"'),
        'The argument "value" is required, but no definition was found.')
    tfjson("output-without-value", '{"output": {"o": {}}}\n',
           "Error: Missing required argument",
           *at(1, 2, 14, 'output "o"', path="main.tf.json"),
           'The argument "value" is required')
    hcl("lifecycle-unknown-argument",
        'resource "aws_iam_role" "r" {\n  name = "x"\n  assume_role_policy = ' + TRUST + '\n'
        '  lifecycle {\n    explode = true\n  }\n}\n',
        "Error: Unsupported argument", *at(5, 5, 7, role),
        'An argument named "explode" is not expected in a lifecycle block.')
    for cmd in ("plan", "validate"):
        hcl("wrong-argument-type-" + cmd,
            'resource "aws_iam_role" "r" {\n  name = ["x"]\n'
            '  assume_role_policy = ' + TRUST + '\n}\n',
            "Error: Incorrect attribute value type", *at(2, 10, 5, role),
            'Inappropriate value for attribute "name": string required, '
            'found list.', cmd=(cmd,))
    hcl("depends-on-string",
        'resource "aws_iam_role" "r" {\n  name = "x"\n  assume_role_policy = ' + TRUST + '\n'
        '  depends_on = ["aws_iam_role.q"]\n}\n',
        "Error: Invalid reference", *at(4, 17, 16, role),
        "A reference to a resource, data source or module is required here")
    # Fixed at plan before; validate says so too now.
    hcl("unknown-function-validate", 'output "o" {\n  value = nope("a")\n}\n',
        "Error: Call to unknown function", *at(2, 11, 4, 'output "o"'),
        'There is no function named "nope".')
    hcl("count-and-for-each-validate",
        'resource "aws_iam_role" "r" {\n  count = 1\n  for_each = toset(["a"])\n'
        '  name = "x"\n  assume_role_policy = ' + TRUST + '\n}\n',
        'Error: Invalid combination of "count" and "for_each"',
        *at(3, 3, 8, role))
    hcl("default-type-mismatch-validate",
        'variable "v" {\n  type    = number\n  default = "abc"\n}\n',
        "Error: Invalid default value for variable",
        *at(3, 13, 5, 'variable "v"'),
        "This default value is not compatible with the variable's type "
        "constraint number: a number is required.")
    for cmd in ("validate", "plan"):
        hcl("required-version-" + cmd,
            'terraform {\n  required_version = ">= 2.0"\n}\n',
            "Error: Unsupported Terraform Core version",
            *at(2, 22, 8, "terraform"),
            "This configuration does not support Terraform version 1.9.8. "
            "To proceed, either choose another supported Terraform version "
            "or update this version constraint. Version constraints are "
            "normally set for good reason, so updating the constraint may "
            "lead to other errors or unexpected behavior.",
            "tern implements the language of Terraform 1.9.8.", cmd=(cmd,))
    # Bytes that are not UTF-8 (plan answered "out of memory").
    for cmd in ("validate", "plan"):
        hcl("invalid-utf8-" + cmd, 'locals {\n  x = "\xff\xfe"\n}\n',
            "Error: Invalid character encoding", *at(2, 8, 2),
            "Byte 0xff here is not valid UTF-8. All input files must be "
            "UTF-8 encoded. Ensure that UTF-8 encoding is selected in your "
            "editor.", cmd=(cmd,))
    tfjson("invalid-utf8-plan",
           '{\n  "locals": {\n    "a": "ok",\n    "b": "\xc3\xa9\xc3"\n  }\n}\n',
           "Error: Invalid character encoding",
           *at(4, 12, 1, path="main.tf.json"), "Byte 0xc3 here",
           cmd=("plan",))
    tfvars("invalid-utf8-json", {"terraform.tfvars.json": '{"n": "\xfe"}'},
           [], 1, "Error: Invalid character encoding",
           "  on terraform.tfvars.json line 1:", "Byte 0xfe here")
    tfvars("invalid-utf8-var-flag", {}, ["-var=n=1\xff"], 1,
           "Error: Invalid character encoding",
           'The value for variable "n" set from the command line is not '
           "valid UTF-8")
    # Module calls (silently ignored: what they manage left the plan).
    mod = ('module "net" {\n  source = "./modules/net"\n}\n\n' +
           OUTPUT_ONLY)
    why = ('tern does not support child modules yet, so module "net" '
           '(source "./modules/net") cannot be used. Copy the module\'s '
           'resources, data sources, variables and outputs into this '
           'configuration instead')
    for cmd in ("validate", "plan"):
        hcl("module-block-" + cmd, mod, "Error: Module calls are not supported",
            *at(1, 1, 12, 'module "net"'), why, cmd=(cmd,))
    tfjson("module-block",
           '{\n  "module": {\n    "net": {\n      "source": "./modules/net"\n'
           '    }\n  }\n}\n',
           "Error: Module calls are not supported",
           *at(3, 5, 5, 'module "net"', path="main.tf.json"), why)
    # Names longer than the AWS provider allows (IAM refused them at apply).
    for cmd in ("validate", "plan"):
        hcl("role-name-too-long-" + cmd,
            'resource "aws_iam_role" "r" {\n  name = "' + "x" * 65 + '"\n'
            '  assume_role_policy = ' + TRUST + '\n}\n',
            "Error: Value too long", *at(2, 10, 67, role),
            'The argument "name" takes at most 64 characters; this value has '
            '65.', cmd=(cmd,))
    hcl("role-name-from-variable-too-long",
        'variable "name" {\n  default = "' + "x" * 70 + '"\n}\n\n'
        'resource "aws_iam_role" "r" {\n  name = var.name\n'
        '  assume_role_policy = ' + TRUST + '\n}\n',
        "Error: Value too long", *at(6, 10, 8, role),
        'The argument "name" takes at most 64 characters; this value has 70.',
        cmd=("plan",))
    hcl("role-name-prefix-too-long",
        'resource "aws_iam_role" "r" {\n  name_prefix = "' + "p" * 39 + '"\n'
        '  assume_role_policy = ' + TRUST + '\n}\n',
        "Error: Value too long", *at(2, 17, 41, role),
        'The argument "name_prefix" takes at most 38 characters; this value '
        'has 39.')
    profile = 'resource "aws_iam_instance_profile" "p"'
    hcl("instance-profile-name-too-long",
        profile + ' {\n  name = "' + "i" * 129 + '"\n}\n',
        "Error: Value too long", *at(2, 10, 131, profile),
        'The argument "name" takes at most 128 characters; this value has '
        '129.')
    hcl("instance-profile-name-prefix-too-long",
        profile + ' {\n  name_prefix = "' + "i" * 103 + '"\n}\n',
        "Error: Value too long", *at(2, 17, 105, profile),
        'The argument "name_prefix" takes at most 102 characters; this value '
        'has 103.')
    # Names outside the provider's character set [\w+=,.@-] (IAM refused
    # them at apply, as a ValidationError about "roleName").
    chars = ('may contain only ASCII letters, digits and _+=,.@- (the AWS '
             "provider's [\\w+=,.@-]), not ")
    for cmd in ("validate", "plan"):
        hcl("role-name-bad-character-" + cmd,
            'resource "aws_iam_role" "r" {\n  name = "my role"\n'
            '  assume_role_policy = ' + TRUST + '\n}\n',
            "Error: Invalid value for argument", *at(2, 10, 9, role),
            'The argument "name" ' + chars + '" " (character 3 of "my role").',
            cmd=(cmd,))
    hcl("role-name-from-variable-bad-character",
        'variable "name" {\n  default = "ml/deploy"\n}\n\n'
        'resource "aws_iam_role" "r" {\n  name = var.name\n'
        '  assume_role_policy = ' + TRUST + '\n}\n',
        "Error: Invalid value for argument", *at(6, 10, 8, role),
        'The argument "name" ' + chars + '"/" (character 3 of "ml/deploy").',
        cmd=("plan",))
    hcl("instance-profile-name-prefix-bad-character",
        profile + ' {\n  name_prefix = "team:"\n}\n',
        "Error: Invalid value for argument", *at(2, 17, 7, profile),
        'The argument "name_prefix" ' + chars + '":" (character 5 of '
        '"team:").')
    # Malformed -replace and -target addresses (tern planned as if they
    # matched nothing).
    example = ('For example: aws_iam_role.x, aws_iam_role.x[0], '
               'aws_iam_role.x["k"]')
    cli("bad-replace-index-only", ["plan", "-replace=[0]"],
        'Error: Invalid force-replace address "[0]"',
        'An address must begin with a resource type, "data." or "module.".',
        example)
    cli("bad-replace-type-only", ["apply", "-replace=aws_iam_role"],
        'Error: Invalid force-replace address "aws_iam_role"',
        'Resource specification must include a resource type and name.')
    cli("bad-replace-unclosed-index", ["plan", "-replace=aws_iam_role.r["],
        'Error: Invalid force-replace address "aws_iam_role.r["',
        'An index must be a whole number, such as [0], or a quoted key')
    cli("bad-replace-empty", ["plan", "-replace="],
        'Error: Invalid force-replace address ""', "The address is empty.")
    cli("bad-target-leading-dot", ["destroy", "-target=.x"],
        'Error: Invalid target ".x"',
        'An address must begin with a resource type, "data." or "module.".')


def issue16_blocks():
    """Terraform 1.9's condition blocks and validations, refused as
    Terraform refuses them (issue 16)."""
    hcl("precondition-no-message",
        'resource "random_string" "s" {\n  length = 4\n  lifecycle {\n'
        '    precondition {\n      condition = true\n    }\n  }\n}\n',
        "Error: Missing required argument",
        *at(4, 5, 12, 'resource "random_string" "s"'),
        'The argument "error_message" is required, but no definition was '
        'found.')
    hcl("assert-extra-argument",
        'check "c" {\n  assert {\n    condition     = true\n'
        '    error_message = "x"\n    severity      = "warning"\n  }\n}\n',
        "Error: Unsupported argument", *at(5, 5, 8, 'check "c"'),
        'An argument named "severity" is not expected in an assert block.')
    hcl("validation-undeclared-local",
        'variable "v" {\n  type = number\n  default = 1\n  validation {\n'
        '    condition     = var.v < local.max\n'
        '    error_message = "too big"\n  }\n}\n',
        "Error: Reference to undeclared local value",
        *at(5, 27, 9, 'variable "v"'),
        'A local value with the name "max" has not been declared.')
    hcl("precondition-self",
        'resource "random_string" "s" {\n  length = 4\n  lifecycle {\n'
        '    precondition {\n      condition     = self.length > 2\n'
        '      error_message = "short"\n    }\n  }\n}\n',
        'Error: Invalid "self" reference',
        *at(5, 23, 11, 'resource "random_string" "s"'),
        'The "self" object is not available in this context. This object '
        'can be used only in resource provisioner, connection, and '
        'postcondition blocks.', cmd=("plan",))
    hcl("condition-not-bool",
        'output "o" {\n  value = 1\n  precondition {\n'
        '    condition     = "yes"\n    error_message = "no"\n  }\n}\n',
        "Error: Invalid condition result", *at(4, 21, 5, 'output "o"'),
        "Invalid condition result value: bool required.", cmd=("plan",))
    hcl("nullable-null-default",
        'variable "v" {\n  type     = string\n  default  = null\n'
        '  nullable = false\n}\n',
        "Error: Invalid default value for variable",
        *at(3, 14, 4, 'variable "v"'),
        "A null default value is not valid when nullable=false.",
        cmd=("plan",))
    case("vars-nullable-cli-null",
         {"main.tf": 'variable "v" {\n  type     = list(string)\n'
                     '  nullable = false\n}\n'},
         ["plan", "-var=v=null"], 1, "Error: Required variable not set",
         *at(1, 1, 12, 'variable "v"'),
         'Unsuitable value for var.v set using -var="v=...": required '
         'variable may not be set to null.')


def issue16_import_for_each():
    """Import blocks with for_each (Terraform 1.7), refused as Terraform
    refuses them (issue 16). Numbered from 300 (see main)."""
    rs = ('resource "random_string" "s" {\n'
          '  for_each = toset(["a", "b"])\n  length   = 4\n}\n\n')
    hcl("import-for-each-unknown",
        rs + 'resource "random_string" "k" {\n  length = 4\n}\n\n'
        'import {\n  for_each = toset([random_string.k.result])\n'
        '  to       = random_string.s[each.key]\n  id       = each.value\n}\n',
        "Error: Invalid for_each argument", *at(11, 14, 31, "import"),
        'The "for_each" map includes keys or set values that cannot be '
        'determined until apply, and so Terraform cannot determine the full '
        'set of keys that will identify the instances of this resource. '
        "When working with unknown values in for_each, it's better to "
        'define the map keys statically in your configuration and place '
        'apply-time results only in the map values.', cmd=("plan",))
    hcl("import-for-each-duplicate-key",
        rs + 'import {\n  for_each = toset(["a", "b"])\n'
        '  to       = random_string.s["a"]\n  id       = "abcd"\n}\n',
        'Error: Duplicate import configuration for "random_string.s[\\"a\\"]"',
        *at(8, 14, 20, "import"),
        'An import block for the resource "random_string.s[\\"a\\"]" was '
        'already declared at main.tf:6,1-7. A resource can have only one '
        'import block.', cmd=("plan",))
    hcl("import-for-each-duplicate-block",
        rs + 'import {\n  to = random_string.s["a"]\n  id = "abcd"\n}\n\n'
        'import {\n  for_each = toset(["a"])\n'
        '  to       = random_string.s[each.key]\n  id       = "efgh"\n}\n',
        'Error: Duplicate import configuration for "random_string.s[\\"a\\"]"',
        *at(13, 14, 25, "import"),
        'An import block for the resource "random_string.s[\\"a\\"]" was '
        'already declared at main.tf:6,1-7. A resource can have only one '
        'import block.', cmd=("plan",))
    hcl("import-for-each-no-resource",
        rs + 'import {\n  for_each = toset(["a", "b"])\n'
        '  to       = random_string.t[each.key]\n  id       = each.value\n}\n',
        "Error: Configuration for import target does not exist",
        *at(8, 14, 25, "import"),
        "The configuration for the given import target random_string.t "
        "does not exist. All target instances must have an associated "
        "configuration to be imported.")
    hcl("import-for-each-tuple",
        rs + 'import {\n  for_each = ["a", "b"]\n'
        '  to       = random_string.s[each.key]\n  id       = each.value\n}\n',
        "Error: Invalid for_each argument", *at(7, 14, 10, "import"),
        'The given "for_each" argument value is unsuitable: the "for_each" '
        'argument must be a map, or set of strings, and you have provided '
        'a value of type tuple.', cmd=("plan",))
    hcl("import-for-each-missing-key",
        rs + 'import {\n  for_each = { a = "abcd", c = "efgh" }\n'
        '  to       = random_string.s[each.key]\n  id       = each.value\n}\n',
        "Error: Configuration for import target does not exist",
        *at(8, 14, 25, "import"),
        'The configuration for the given import random_string.s["c"] does '
        'not exist. All target instances must have an associated '
        'configuration to be imported.', cmd=("plan",))


def known_gaps():
    """Inputs tern accepts today though it should not, or reports badly:
    move each into issue10_fixed() once it is refused as it should be.
    None left."""


def write_case(n, slug, files, cmd, code, expect, sim):
    d = os.path.join(OUT, "%03d-%s" % (n, slug))
    os.makedirs(os.path.join(d, "expect"))
    for name, data in files.items():
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode("latin-1") if isinstance(data, str) else data)
    with open(os.path.join(d, "cmd"), "wb") as f:
        # As the files: a str is bytes, so an argument may hold any byte.
        f.write("".join(a + "\n" for a in cmd).encode("latin-1"))
    with open(os.path.join(d, "expect", "exit-code"), "w") as f:
        f.write("%d\n" % code)
    with open(os.path.join(d, "expect", "stderr-contains"), "w") as f:
        f.write("".join(e + "\n" for e in expect if e))
    if sim:
        with open(os.path.join(d, "sim-args"), "w") as f:
            f.write("".join(a + "\n" for a in sim))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-bad-input.py BUILD_DIR")
    tern = os.path.join(os.path.abspath(sys.argv[1]), "tern")
    db, plan = good_state(tern)
    state_cases(db, plan)
    issue10_fixed()
    issue16_blocks()
    # Cases numbered from 300, clear of the others' numbers.
    first = len(cases)
    issue16_import_for_each()
    late = cases[first:]
    del cases[first:]
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "fixtures"))
    with open(os.path.join(OUT, "fixtures", "good.tfstate.db"), "wb") as f:
        f.write(db)
    for n, (slug, files, cmd, code, expect, sim) in enumerate(cases, 1):
        write_case(n, slug, files, cmd, code, expect, sim)
    for n, (slug, files, cmd, code, expect, sim) in enumerate(late, 300):
        write_case(n, slug, files, cmd, code, expect, sim)
    print("%d cases in %s" % (len(cases) + len(late), os.path.relpath(OUT, ROOT)))


main()
