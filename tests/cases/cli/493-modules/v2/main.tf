# The same after renaming key a to c and module single to renamed.
variable "roles" {
  type = map(string)
  default = {
    c = "alpha"
    b = "beta"
  }
}

module "roles" {
  source   = "./modules/role"
  for_each = var.roles
  name     = "tern-mod-${each.value}"
  purpose  = each.value == "alpha" ? "a" : each.key
}

module "renamed" {
  source = "./modules/profile"
  role   = module.roles["b"].role_name
  suffix = "single"
}

moved {
  from = module.roles["a"].aws_iam_role.this
  to   = module.roles["c"].aws_iam_role.this
}

moved {
  from = module.roles["a"].module.profile
  to   = module.roles["c"].module.profile
}

moved {
  from = module.single
  to   = module.renamed
}
