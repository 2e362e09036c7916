data "terraform_remote_state" "a" {
  backend = "local"
  config = {
    path = "c/tern.tfstate.db"
  }
}
resource "random_id" "x" {
  byte_length = 2
  keepers = {
    name   = data.terraform_remote_state.a.outputs.name
    subnet = data.terraform_remote_state.a.outputs.subnets[1]
    env    = data.terraform_remote_state.a.outputs.tags.env
  }
}
output "keepers" {
  value = random_id.x.keepers
}
output "token" {
  value     = data.terraform_remote_state.a.outputs.token
  sensitive = true
}

# data "terraform_remote_state": the local backend reading
# tern's own state store (stack A applied in c/, local state).
