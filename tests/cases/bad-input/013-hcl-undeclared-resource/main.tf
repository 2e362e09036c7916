output "o" {
  value = aws_iam_role.nope.name
}
