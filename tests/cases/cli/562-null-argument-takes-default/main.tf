# An optional argument set to null is unset, as in Terraform: the
# provider's default applies (path "/", max_session_duration 3600), in a
# create as over a state that holds another value.
variable "path" {
  type    = string
  default = null
}

resource "aws_iam_role" "r" {
  name                 = "r"
  path                 = var.path
  max_session_duration = null
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
