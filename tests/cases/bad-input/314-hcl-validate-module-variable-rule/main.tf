variable "prefix" {
  type    = string
  default = "a-very-long-prefix"
}

module "constant" {
  source = "./modules/role"
  name   = "administrators"
  owner  = "ops"
}

module "referring" {
  source = "./modules/role"
  name   = var.prefix
  owner  = "ops"
}
