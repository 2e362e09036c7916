variable "region" {}
variable "region" {}

locals {
  a = 1
}

locals {
  a = 2
}

resource "aws_iam_role" "x" {
  name = "x"
}

resource "aws_iam_role" "x" {
  name = "x2"
  name = "x3"
}

output "o" {
  value = 1
}

output "o" {
  value = 2
}
