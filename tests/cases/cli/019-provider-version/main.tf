terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 4.67"
    }
    databricks = {
      source  = "databricks/databricks"
      version = ">= 1.0, < 2.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}
