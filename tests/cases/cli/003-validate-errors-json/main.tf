resource "aws_iam_role" "a" {
  name = = "a"
}

resorce "aws_iam_role" "b" {
  name = "b"
}
