# A -refresh-only plan of a configuration with an output the drift does
# not change: the drift and its paragraph alone, no output change (tern
# evaluates no configuration in a refresh-only plan; README, "Migrating
# from Terraform") and no "No changes.".
resource "aws_iam_role" "r" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

output "name" {
  value = aws_iam_role.r.name
}
