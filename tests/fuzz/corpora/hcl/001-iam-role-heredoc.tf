# An IAM role as people write it: a heredoc trust policy, variables, tags.
variable "name" {
  type        = string
  default     = "app-runner"
  description = "Name of the role"
}

variable "tags" {
  type = map(string)
  default = {
    Team        = "platform"
    Environment = "prod"
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  path                 = "/service/"
  max_session_duration = 3600

  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Service": "ec2.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}
EOF

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_iam_instance_profile" "this" {
  name = "${var.name}-profile"
  role = aws_iam_role.this.name
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
