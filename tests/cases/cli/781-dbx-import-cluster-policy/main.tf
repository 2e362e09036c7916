terraform {
  required_providers {
    databricks = { source = "databricks/databricks" }
  }
}
resource "databricks_cluster_policy" "fair_use" {
  name                  = "Fair Use Policy"
  description           = "Small clusters that stop when idle"
  max_clusters_per_user = 2
  definition = jsonencode({
    "spark_version" : {
      "type" : "fixed",
      "value" : "15.4.x-scala2.12"
    },
    "autotermination_minutes" : {
      "type" : "fixed",
      "value" : 20,
      "hidden" : true
    }
  })
}
