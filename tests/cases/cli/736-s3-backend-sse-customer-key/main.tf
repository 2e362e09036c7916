# encrypt with sse_customer_key: the state and the lock are written with
# the customer's key (SSE-C headers, as Terraform's client.go sends them)
# and read back with it; no x-amz-server-side-encryption.
terraform {
  backend "s3" {
    bucket           = "tfstate"
    key              = "a/terraform.tfstate"
    region           = "us-east-1"
    use_lockfile     = true
    encrypt          = true
    sse_customer_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
  }
}

output "x" {
  value = "y"
}
