# A create_before_destroy replacement whose old role cannot be deleted
# keeps it as a deposed object: `state pull` writes it as Terraform
# writes one, an instance with its "deposed" key after the current one.
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
