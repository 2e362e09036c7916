# A constant null argument for a child module's variable with
# nullable = false and no default is refused by validate, as Terraform's
# validate walk does (every call a single instance there); with a default
# it takes the default; an argument that refers to something waits for
# the plan.
variable "owner" {
  type    = string
  default = null
}

module "roles" {
  source   = "./modules/role"
  for_each = toset(["a", "b"])
  owner    = null
  tags     = null
}

module "referring" {
  source = "./modules/role"
  owner  = var.owner
}

module "team" {
  source = "./modules/team"
}
