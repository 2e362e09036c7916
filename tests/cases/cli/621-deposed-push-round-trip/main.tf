# A state pushed with a deposed object (Terraform's "deposed" key) keeps
# it under that key: `state pull` gives back what was pushed, and the next
# apply destroys it as the deposed object it is.
variable "name" {
  type = string
}

resource "aws_iam_role" "a" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  lifecycle {
    create_before_destroy = true
  }
}
