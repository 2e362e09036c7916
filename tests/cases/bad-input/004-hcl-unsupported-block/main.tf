resourc "aws_iam_role" "r" {
}
