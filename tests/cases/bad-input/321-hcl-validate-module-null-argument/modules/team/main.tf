module "lead" {
  source = "../role"
  owner  = null
}
