# Each deprecated endpoint variable set is one warning, on every command
# that configures the backend (backend.go, Configure): init, then plan.
# These are unused here (static keys need neither IAM nor the instance
# metadata).
terraform {
  backend "s3" {
    bucket = "tfstate"
    key    = "a/terraform.tfstate"
    region = "us-east-1"
  }
}

output "x" {
  value = "y"
}
