# An apply with nothing to change still saves what the refresh read, as
# Terraform's apply saves the refreshed state: a description changed
# outside tern, which the configuration ignores, is in the state after it.
resource "aws_iam_role" "r" {
  name        = "s1"
  description = "set by tern"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  lifecycle {
    ignore_changes = [description]
  }
}
