resource "aws_iam_role" "this" {
  name               = "this"
  assume_role_policy = "{}"
}
