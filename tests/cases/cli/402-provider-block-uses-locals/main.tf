variable "n" {
  type    = number
  default = 3
}

locals {
  region = "eu-west-${var.n}"
  r      = local.region
}

provider "aws" {
  region      = local.r
  max_retries = 1
}

data "aws_region" "here" {}

output "region" {
  value = data.aws_region.here.name
}
