terraform {
  required_providers {
    databricks = { source = "databricks/databricks" }
  }
}
resource "databricks_group_role" "analysts" {
  group_id = "7000000000100001"
  role     = "arn:aws:iam::123456789012:instance-profile/other"
}
import {
  to = databricks_group_role.analysts
  id = "7000000000100001|arn:aws:iam::123456789012:instance-profile/other"
}
