data "terraform_remote_state" "a" {
  backend = "s3"
  config = {
    bucket                      = "tfstate"
    key                         = "a/terraform.tfstate"
    region                      = "us-east-1"
    use_path_style              = true
    skip_credentials_validation = true
  }
  workspace = "staging"
  defaults = {
    name    = "fallback"
    subnets = ["subnet-default"]
  }
}
output "seen" {
  value = [
    data.terraform_remote_state.a.outputs.name,
    data.terraform_remote_state.a.outputs.subnets[0],
  ]
}

# data "terraform_remote_state": workspace = "staging"
# reads env:/staging/KEY, as the backend writes it; defaults fill what the
# state lacks and yield to what it has.
