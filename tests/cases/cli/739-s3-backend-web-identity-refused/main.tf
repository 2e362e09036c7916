# assume_role_with_web_identity: refused, saying why, at the argument.
terraform {
  backend "s3" {
    bucket = "tfstate"
    key    = "a/terraform.tfstate"
    region = "us-east-1"
    assume_role_with_web_identity = {
      role_arn           = "arn:aws:iam::123456789012:role/ci"
      web_identity_token = "eyJhbGciOi"
    }
  }
}

output "x" {
  value = "y"
}
