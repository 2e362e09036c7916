# tern has no child modules: each module call is an error at its header,
# with its source when that is a plain string, and a reference to it is
# not also reported as undeclared.
module "network" {
  source = "./modules/network"
  cidr   = "10.0.0.0/16"
}

module "computed_source" {
  source = "${path.module}/x"
}

output "vpc" {
  value = module.network.vpc_id
}
