resource "aws_iam_role" "r" {
  name               = "x"
  assume_role_policy = "{}"
}
resource "aws_iam_instance_profile" "p" {
  count = 2
  name  = "p${count.index}"
  role  = aws_iam_role.r.nmae
}
output "o" {
  value = aws_iam_instance_profile.p[0].arn
}
output "q" {
  value = [aws_iam_instance_profile.p[1].rol, data.aws_region.cur.nam]
}
data "aws_region" "cur" {}
