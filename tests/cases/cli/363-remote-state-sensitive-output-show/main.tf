# Issue 18: `show` of a state holding a remote state's sensitive output
# and a value of it used in a resource: only the sensitive paths hidden,
# and the output that passes it on is sensitive.
data "terraform_remote_state" "a" {
  backend = "local"
  config = {
    path = "a.tfstate"
  }
}

resource "random_integer" "n" {
  min  = 1
  max  = 100
  seed = "363"
  keepers = {
    name     = data.terraform_remote_state.a.outputs.name
    password = data.terraform_remote_state.a.outputs.db_password
    subnet   = data.terraform_remote_state.a.outputs.subnets[1]
  }
}

output "password" {
  value     = data.terraform_remote_state.a.outputs.db_password
  sensitive = true
}
