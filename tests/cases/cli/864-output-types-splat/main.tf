# A splat over a counted resource is a tuple (hclsyntax's SplatExpr over
# the instances' tuple), each element of the attribute's schema type: a
# null description is still a string, not "dynamic". A splat over one
# instance upgrades it to a one-element tuple.
resource "aws_iam_role" "r" {
  count = 2
  name  = "r${count.index}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

output "descriptions" {
  value = aws_iam_role.r[*].description
}

output "one" {
  value = aws_iam_role.r[0][*].max_session_duration
}
