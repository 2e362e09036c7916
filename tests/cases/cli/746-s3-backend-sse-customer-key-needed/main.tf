# The state written with sse_customer_key cannot be read without it:
# the customer key is sent, and S3 (the sim) refuses a read without it.
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
