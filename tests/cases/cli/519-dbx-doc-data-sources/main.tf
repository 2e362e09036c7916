# The data sources the current text of the example feeds its cluster with.
data "databricks_spark_version" "latest" {}
data "databricks_node_type" "smallest" {
  local_disk = true
}
output "spark_version" {
  value = data.databricks_spark_version.latest.id
}
output "node_type_id" {
  value = data.databricks_node_type.smallest.id
}
