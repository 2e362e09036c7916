resource "aws_iam_role" "r" {
  name = "x"
  assume_role_policy = "not json"
}
