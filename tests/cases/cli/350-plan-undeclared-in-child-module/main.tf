# At plan, a reference a child module does not declare names the module
# by its path (module.role.module.inner), as Terraform says it.
module "role" {
  source = "./modules/role"
}

output "name" {
  value = module.role.name
}
