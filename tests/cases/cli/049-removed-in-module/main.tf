# A removed block inside a child module (Terraform reads every module's):
# its `from` is relative to the module, so random_integer.old there is
# module.m.random_integer.old, which the plan forgets instead of
# destroying.
module "m" {
  source = "./modules/m"
}
