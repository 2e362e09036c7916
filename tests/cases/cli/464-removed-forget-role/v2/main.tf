# removed with lifecycle { destroy = false } (Terraform 1.7's Forget
# action): the plan says the role "will no longer be managed", warns, and
# neither reads nor deletes it; the plan JSON's action is ["forget"], the
# UI's "remove"; apply drops it from the state with no call at all, and
# the next plan is empty. (test_cli_removed.c)
resource "aws_iam_role" "keep" {
  name = "keep"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

removed {
  from = aws_iam_role.old

  lifecycle {
    destroy = false
  }
}
