provider "aws" {}

provider "aws" {
  alias  = "east"
  region = "us-east-1"
}

module "east" {
  source    = "./modules/role"
  name      = "tern-east"
  providers = { aws = aws.east }
}

module "plain" {
  source = "./modules/role"
  name   = "tern-plain"
}

module "pinned" {
  source    = "./modules/pinned"
  providers = { aws.dst = aws.east }
}

# A child module's resources name the root provider configuration they use
# in the plan's configuration (upstream's normalizeModuleProviderKeys):
# through a call's providers map, through implicit inheritance below it,
# and through a configuration alias the call maps; the state records the
# configuration the engine used. show -json of the plan runs after its
# apply, so that expect/state is the applied state. (test_cli_modules.c)
