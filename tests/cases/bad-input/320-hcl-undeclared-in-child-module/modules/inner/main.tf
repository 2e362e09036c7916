output "x" {
  value = aws_iam_role.gone.name
}
