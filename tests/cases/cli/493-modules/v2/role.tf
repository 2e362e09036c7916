# The role module with its resource renamed by a moved block inside it.
variable "name" {
  type = string
}

variable "purpose" {
  type    = string
  default = "none"
}

resource "aws_iam_role" "main" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = {
    purpose = var.purpose
    module  = path.module
  }
}

module "profile" {
  source = "../profile"
  role   = aws_iam_role.main.name
}

output "role_arn" {
  value = aws_iam_role.main.arn
}

output "role_name" {
  value = aws_iam_role.main.name
}

moved {
  from = aws_iam_role.this
  to   = aws_iam_role.main
}
