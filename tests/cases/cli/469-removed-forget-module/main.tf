module "m" {
  source   = "./modules/s"
  for_each = toset(["a", "b"])
}
