# The child module that before.tf and after.tf call as module.extra.
variable "description" {
  type = string
}

resource "aws_iam_role" "r" {
  name               = "jf-extra"
  description        = var.description
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

output "name" {
  value = aws_iam_role.r.name
}
