# allowed_account_ids without the account of the credentials.
terraform {
  backend "s3" {
    bucket              = "tfstate"
    key                 = "a/terraform.tfstate"
    region              = "us-east-1"
    allowed_account_ids = ["210987654321"]
  }
}

output "x" {
  value = "y"
}
