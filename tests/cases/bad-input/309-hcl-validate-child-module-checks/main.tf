module "roles" {
  source   = "./modules/role"
  for_each = toset(["a", "b"])
}
