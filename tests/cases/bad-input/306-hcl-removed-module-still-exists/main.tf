module "roles" {
  source = "./modules/role"
}

removed {
  from = module.roles
}
