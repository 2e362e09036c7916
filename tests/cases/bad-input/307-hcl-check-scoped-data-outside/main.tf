data "databricks_aws_assume_role_policy" "outer" {
  external_id = data.databricks_aws_assume_role_policy.inner.json
}

check "c" {
  data "databricks_aws_assume_role_policy" "inner" {
    external_id = "x"
  }

  assert {
    condition     = length(data.databricks_aws_assume_role_policy.inner.json) > 0
    error_message = "empty"
  }
}

