# A change made outside tern, seen by a -refresh-only plan: the drift,
# then Terraform's refresh-only paragraph (jsonformat/plan.go
# renderHumanDiffDrift), not "No changes." (the plan is applyable), and
# the -out hint (backend/local/backend_plan.go: the plan is not empty).
resource "aws_iam_role" "r" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
