# AWS_RETRY_MODE is read when retry_mode is unset (backend.go): its
# "adaptive" is refused for the reason the argument's is.
terraform {
  backend "s3" {
    bucket = "tfstate"
    key    = "a/terraform.tfstate"
    region = "us-east-1"
  }
}
