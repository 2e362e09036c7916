data "terraform_remote_state" "a" {
  backend = "s3"
  config = {
    bucket                      = "tfstate"
    key                         = "a/terraform.tfstate"
    region                      = "us-east-1"
    use_path_style              = true
    skip_credentials_validation = true
  }
  workspace = "default"
}

# data "terraform_remote_state": the default
# workspace has no object at the key (only env:/staging/ has one).
