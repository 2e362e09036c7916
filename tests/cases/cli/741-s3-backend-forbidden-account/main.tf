# forbidden_account_ids holding the account of the credentials: refused
# with Terraform's error, before the state is read.
terraform {
  backend "s3" {
    bucket                = "tfstate"
    key                   = "a/terraform.tfstate"
    region                = "us-east-1"
    forbidden_account_ids = ["123456789012"]
  }
}

output "x" {
  value = "y"
}
