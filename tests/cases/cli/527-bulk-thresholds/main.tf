# The bulk refresh (tern_bulk_op, modules/aws/aws_iam_bulk.c): 8 objects,
# around the threshold (default 10, TERN_BULK_REFRESH_MIN): cmd.
locals {
  names = toset(["s0", "s1"])
}
resource "aws_iam_role" "r" {
  for_each = local.names
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
resource "aws_iam_role_policy_attachment" "a" {
  for_each   = local.names
  role       = aws_iam_role.r[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
resource "aws_iam_role_policy" "p" {
  for_each = local.names
  name     = "logs"
  role     = aws_iam_role.r[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "logs:PutLogEvents"
      Resource = "*"
    }]
  })
}
resource "aws_iam_instance_profile" "ip" {
  for_each = local.names
  name     = each.value
  role     = aws_iam_role.r[each.key].name
}
