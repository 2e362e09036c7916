# The old object of a create_before_destroy replacement whose delete
# failed is deposed as Terraform deposes one, the current object moved
# aside: `state pull` writes it with the fields version4.go writes for any
# instance object, its dependencies and create_before_destroy kept.
variable "name" {
  type = string
}

locals {
  trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "helper" {
  name               = "helper"
  assume_role_policy = local.trust
}

resource "aws_iam_role" "a" {
  name               = var.name
  assume_role_policy = local.trust
  depends_on         = [aws_iam_role.helper]
  lifecycle {
    create_before_destroy = true
  }
}
