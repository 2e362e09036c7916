# Import blocks with for_each (Terraform 1.7): two roles made outside tern
# (sim.json) adopted by one import block; the plan says "2 to import",
# apply imports them and a second plan is empty. (test_cli_import_for_each.c)
variable "roles" {
  type = map(string)
  default = {
    app = "legacy-app"
    ci  = "legacy-ci"
  }
}

resource "aws_iam_role" "r" {
  for_each = var.roles
  name     = each.value
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

import {
  for_each = var.roles
  to       = aws_iam_role.r[each.key]
  id       = each.value
}
