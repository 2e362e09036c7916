# A deposed object in `show -json` is, as jsonstate writes it, a resource
# of its own beside its instance's current one: the same address, its
# values, sensitive values, depends_on and tainted, and its deposed_key.
resource "aws_iam_role" "a" {
  name               = "a"
  assume_role_policy = "{}"
}
