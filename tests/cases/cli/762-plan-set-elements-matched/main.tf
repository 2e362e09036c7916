# A set attribute's elements matched by value, not aligned as a list
# (Terraform's differ/set.go): the names gone deleted, in order, then the
# new one created, the unchanged one counted; no element shown for
# context as a list's would be.
variable "v" {
  default = "1"
}

locals {
  names = var.v == "1" ? ["a", "c", "d"] : ["b", "c"]
}

resource "aws_iam_role" "svc" {
  name = "svc-762"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "p" {
  for_each = toset(local.names)
  role     = aws_iam_role.svc.name
  name     = each.key
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}

resource "aws_iam_role_policies_exclusive" "all" {
  role_name    = aws_iam_role.svc.name
  policy_names = [for n in local.names : aws_iam_role_policy.p[n].name]
}
