variable "role" {
  type = string
}

variable "suffix" {
  type    = string
  default = "profile"
}

resource "aws_iam_instance_profile" "this" {
  name = "${var.role}-${var.suffix}"
  role = var.role
}

output "name" {
  value = aws_iam_instance_profile.this.name
}
