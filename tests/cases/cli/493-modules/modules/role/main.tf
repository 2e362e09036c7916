variable "name" {
  type = string
}

variable "purpose" {
  type    = string
  default = "none"
}

resource "aws_iam_role" "this" {
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
  role   = aws_iam_role.this.name
}

output "role_arn" {
  value = aws_iam_role.this.arn
}

output "role_name" {
  value = aws_iam_role.this.name
}
