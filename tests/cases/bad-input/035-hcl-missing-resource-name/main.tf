resource "aws_iam_role" {
}
