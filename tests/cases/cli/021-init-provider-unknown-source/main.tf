terraform {
  required_providers {
    databricks = {
      source = "databricks-labs/databricks"
    }
  }
}
