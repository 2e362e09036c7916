data "terraform_remote_state" "a" {
  backend = "s3"
  config = {
    bucket                      = "tfstate"
    key                         = "nothing/terraform.tfstate"
    region                      = "us-east-1"
    use_path_style              = true
    skip_credentials_validation = true
  }
}

# data "terraform_remote_state": no object at the key:
# Terraform's error.
