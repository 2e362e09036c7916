# Validation and nullable = false on a child module's variables: checked
# once per module instance, reported at the call's argument. A null
# argument takes the default; without a default it is "Required variable
# not set".
module "roles" {
  source   = "./modules/role"
  for_each = toset(["a", "b"])
  name     = "role-${each.key}"
  tags     = null
  owner    = "ops"
}

module "one" {
  source = "./modules/role"
  name   = "ok"
  owner  = null
}

output "names" {
  value = { for k, m in module.roles : k => m.name }
}
