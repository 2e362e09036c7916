# allowed_account_ids holding the account of the credentials (STS
# GetCallerIdentity): the apply works.
terraform {
  backend "s3" {
    bucket              = "tfstate"
    key                 = "a/terraform.tfstate"
    region              = "us-east-1"
    allowed_account_ids = ["210987654321", "123456789012"]
  }
}

output "x" {
  value = "y"
}
