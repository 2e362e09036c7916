data "aws_caller_identity" "me" {}

locals {
  account = data.aws_caller_identity.me.account_id
  role    = "arn:aws:iam::${local.account}:role/deploy"
}

provider "aws" {
  profile = data.aws_caller_identity.me.id
  assume_role {
    role_arn = local.role
  }
}
