terraform {
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      configuration_aliases = [aws.dst]
    }
  }
}

resource "aws_iam_instance_profile" "this" {
  provider = aws.dst
  name     = "tern-pinned"
}
