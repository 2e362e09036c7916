# data "aws_availability_zones": the provider block's region (us-west-2)
# picks the zones the EC2 client asks for, the exclusion and the filter
# apply, and the outputs show them (moved from test_cli_availability_zones.c).
provider "aws" {
  region = "us-west-2"
}

data "aws_availability_zones" "az" {
  exclude_names = ["us-west-2b"]
  filter {
    name   = "zone-id"
    values = ["usw2-az1", "usw2-az2", "usw2-az4"]
  }
}

# One output holding the three, printed by `output -json az` as its value
# alone: the whole `output -json` would also print their types, and tern
# types a list attribute as a tuple where Terraform says list(string).
output "az" {
  value = {
    names    = data.aws_availability_zones.az.names
    zone_ids = data.aws_availability_zones.az.zone_ids
    id       = data.aws_availability_zones.az.id
  }
}
