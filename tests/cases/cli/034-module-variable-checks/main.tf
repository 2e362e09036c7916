# nullable = false on a child module's variable: a constant null argument
# without a default is "Required variable not set", found by validate,
# which plan runs first (so the rules that need each.key, case 560, are
# not reached). A null argument with a default takes the default.
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
