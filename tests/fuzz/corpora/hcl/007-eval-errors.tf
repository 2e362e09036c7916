variable "name" {
  default = "app"
}

locals {
  ok      = upper(var.name)
  typo    = var.nmae
  bad_fn  = uppercase(var.name)
  bad_op  = var.name + 1
  bad_key = { a = 1 }.b
  cycle_a = local.cycle_b
  cycle_b = local.cycle_a
}

resource "aws_iam_role" "r" {
  name = local.ok
  path = aws_iam_role.missing.path
}
