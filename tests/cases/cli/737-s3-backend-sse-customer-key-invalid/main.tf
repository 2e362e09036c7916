# sse_customer_key: 44 characters of base64 (a 256-bit key), as
# Terraform checks it.
terraform {
  backend "s3" {
    bucket           = "tfstate"
    key              = "a/terraform.tfstate"
    region           = "us-east-1"
    encrypt          = true
    sse_customer_key = "not-a-key"
  }
}

output "x" {
  value = "y"
}
