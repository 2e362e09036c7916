module "roles" {
  source = "./modules/role"
}
