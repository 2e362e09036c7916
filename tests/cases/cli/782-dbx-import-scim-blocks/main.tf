terraform {
  required_providers {
    databricks = { source = "databricks/databricks" }
  }
}
locals {
  data_eng = "arn:aws:iam::123456789012:instance-profile/data-eng"
  analysts = "arn:aws:iam::123456789012:instance-profile/analysts"
}
resource "databricks_group" "data_eng" {
  display_name         = "data-eng"
  allow_cluster_create = true
}
resource "databricks_group_instance_profile" "data_eng" {
  group_id            = databricks_group.data_eng.id
  instance_profile_id = local.data_eng
}
resource "databricks_group_role" "analysts" {
  group_id = databricks_group.data_eng.id
  role     = local.analysts
}
resource "databricks_user_instance_profile" "ann" {
  user_id             = "7000000000200001"
  instance_profile_id = local.data_eng
}
