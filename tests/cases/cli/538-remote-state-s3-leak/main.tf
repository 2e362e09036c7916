data "terraform_remote_state" "a" {
  backend = "s3"
  config = {
    bucket                      = "tfstate"
    key                         = "a/terraform.tfstate"
    region                      = "us-east-1"
    use_path_style              = true
    skip_credentials_validation = true
  }
}
output "token" {
  value = data.terraform_remote_state.a.outputs.token
}

# data "terraform_remote_state": an output of stack A's
# sensitive output must itself be sensitive.
