# The deprecated endpoint is endpoints.s3: it too wins over the
# environment (here refused, as plain http off loopback).
terraform {
  backend "s3" {
    bucket   = "tfstate"
    key      = "a/terraform.tfstate"
    region   = "us-east-1"
    endpoint = "http://s3.example.com"
  }
}

output "x" {
  value = "y"
}
