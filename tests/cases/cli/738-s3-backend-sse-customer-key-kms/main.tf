# kms_key_id and sse_customer_key exclude each other.
terraform {
  backend "s3" {
    bucket           = "tfstate"
    key              = "a/terraform.tfstate"
    region           = "us-east-1"
    encrypt          = true
    kms_key_id       = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    sse_customer_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
  }
}

output "x" {
  value = "y"
}
