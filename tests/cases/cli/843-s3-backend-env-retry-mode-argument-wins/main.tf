# retry_mode wins over AWS_RETRY_MODE (backend.go: the argument, then the
# variable), so "adaptive" there is not used; but the SDK's environment
# loader parses the variable whatever the argument, and refuses a value
# that is no retry mode, on every command that configures the backend.
terraform {
  backend "s3" {
    bucket     = "tfstate"
    key        = "a/terraform.tfstate"
    region     = "us-east-1"
    retry_mode = "standard"
  }
}

output "x" {
  value = "y"
}
