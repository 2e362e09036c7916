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
# seeded: its ID is in the refresh line
resource "random_integer" "x" {
  min  = 1
  max  = 1000
  seed = "x"
  keepers = {
    name   = data.terraform_remote_state.a.outputs.name
    subnet = data.terraform_remote_state.a.outputs.subnets[1]
    env    = data.terraform_remote_state.a.outputs.tags.env
  }
}
output "keepers" {
  value = random_integer.x.keepers
}
output "token" {
  value     = data.terraform_remote_state.a.outputs.token
  sensitive = true
}

# data "terraform_remote_state": after an apply, stack A's
# outputs read again are no change.
