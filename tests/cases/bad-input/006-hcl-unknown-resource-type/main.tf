resource "aws_iam_rolez" "r" {
}
