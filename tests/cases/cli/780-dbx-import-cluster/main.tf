terraform {
  required_providers {
    databricks = { source = "databricks/databricks" }
  }
}
resource "databricks_cluster" "shared" {
  cluster_name            = "shared"
  spark_version           = "15.4.x-scala2.12"
  node_type_id            = "i3.xlarge"
  num_workers             = 1
  autotermination_minutes = 20
  aws_attributes {
    instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/shared"
    zone_id              = "auto"
  }
}
