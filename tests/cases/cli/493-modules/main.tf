# Child modules (issue 16): a root module calls a local module twice
# (for_each over a map of roles), that module calls another (nested), and a
# third call uses the nested module directly; moved blocks (v2/) move one
# resource into another module instance, a whole nested module instance,
# and rename a module call, without touching the remote objects.
# (test_cli_modules.c)
variable "roles" {
  type = map(string)
  default = {
    a = "alpha"
    b = "beta"
  }
}

module "roles" {
  source   = "./modules/role"
  for_each = var.roles
  name     = "tern-mod-${each.value}"
  purpose  = each.key
}

module "single" {
  source = "./modules/profile"
  role   = module.roles["b"].role_name
  suffix = "single"
}

output "arns" {
  value = { for k, m in module.roles : k => m.role_arn }
}

output "profile" {
  value = module.single.name
}
