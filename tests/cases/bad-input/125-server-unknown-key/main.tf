data "aws_iam_policy" "p" {
  arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
}
