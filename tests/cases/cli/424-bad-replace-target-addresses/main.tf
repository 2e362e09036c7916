variable "n" {
  type    = number
  default = 1
}

provider "aws" {
  max_retries = 1
}

resource "aws_iam_role" "r" {
  name = "r-${var.n}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
