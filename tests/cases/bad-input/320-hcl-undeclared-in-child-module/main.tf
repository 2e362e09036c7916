# References a child module does not declare are reported as Terraform's
# validate does: the module named by its path, not "the root module".
module "role" {
  source = "./modules/role"
}
