# A replacement of a real role (a new name), with its trust policy written
# differently but equivalently and force_detach_policies unset: the plan
# shows the prior's text and zero value, and the apply must not take them
# for a change ("Inconsistent final plan"). (test_cli_deposed.c)
resource "aws_iam_role" "a" {
  name = "two"
  assume_role_policy = jsonencode({
    Statement = [{
      Action    = ["sts:AssumeRole"]
      Principal = { Service = ["ec2.amazonaws.com"] }
      Effect    = "Allow"
    }]
    Version = "2012-10-17"
  })
}
