# An older configuration: the Databricks provider under its former
# namespace, pinned to a 1.x release, which tern's provider satisfies.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 4.57.0"
    }
    databricks = {
      source  = "databrickslabs/databricks"
      version = ">= 1.0.0"
    }
  }
}

provider "databricks" {
  host = "https://dbc-00000000-0000.cloud.databricks.com"
}

resource "databricks_instance_profile" "p" {
  instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/p"
}
