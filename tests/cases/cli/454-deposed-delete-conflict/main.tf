# A create_before_destroy replacement whose old role cannot be deleted (a
# policy attached outside tern: DeleteConflict) keeps the old role as a
# deposed object; plans show it as Terraform does, and the next apply
# deletes it once it can. (test_cli_deposed.c)
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
