# The plan representation's "checks": every checkable object, its status and
# the failures' messages.
resource "random_integer" "n" {
  min  = 1
  max  = 5
  seed = "tern"
}

check "trust_policy" {
  data "databricks_aws_assume_role_policy" "this" {
    external_id = "abc"
  }

  assert {
    condition     = length(data.databricks_aws_assume_role_policy.this.json) < 100
    error_message = "The policy is ${length(data.databricks_aws_assume_role_policy.this.json)} bytes."
  }
}

check "range" {
  assert {
    condition     = random_integer.n.result > 10
    error_message = "The result ${random_integer.n.result} is not above 10."
  }
}

output "n" {
  value = random_integer.n.result

  precondition {
    condition     = random_integer.n.result > 0
    error_message = "unknown at plan"
  }
}
