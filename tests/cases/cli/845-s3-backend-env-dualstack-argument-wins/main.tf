# use_dualstack_endpoint = false wins over AWS_USE_DUALSTACK_ENDPOINT
# (backend.go: the variable is read only when the argument is unset):
# init works with the sim's endpoint.
terraform {
  backend "s3" {
    bucket                 = "tfstate"
    key                    = "a/terraform.tfstate"
    region                 = "us-east-1"
    use_dualstack_endpoint = false
  }
}
