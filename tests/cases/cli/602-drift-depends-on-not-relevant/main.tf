# depends_on is no reference (globalref reads a resource's Config, which
# leaves the meta-arguments out): "user" changes and depends on "base",
# but refers to nothing of it, so base's description changed by hand is
# put back without a drift note (600: the same with a reference).
variable "v" {
  default = "1"
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

resource "aws_iam_role" "base" {
  name               = "base"
  description        = "base role"
  assume_role_policy = local.trust
}

resource "aws_iam_role" "user" {
  name               = "user"
  description        = "user v${var.v}"
  assume_role_policy = local.trust
  depends_on         = [aws_iam_role.base]
}
