# apply -refresh-only with nothing changed outside tern: Terraform's
# refresh-only "No changes." wording ("still matches"), then "Apply
# complete!".
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
