# A child module's validation rules, checked once per module instance and
# reported at the call's argument, when validate (which plan runs first)
# cannot know the argument: it refers to each.key. A null argument takes
# the default (tags).
module "roles" {
  source   = "./modules/role"
  for_each = toset(["a", "b"])
  name     = "role-${each.key}"
  tags     = null
  owner    = "ops"
}

output "names" {
  value = { for k, m in module.roles : k => m.name }
}
