resource "aws_iam_instance_profile" "p" {
  name_prefix = "team:"
}
