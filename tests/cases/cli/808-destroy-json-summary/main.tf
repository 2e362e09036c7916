# The JSON UI's destroy summary: "Destroy complete! Resources: N
# destroyed." (views/json/change_summary.go, OperationDestroyed).
resource "aws_iam_role" "r" {
  count = 2
  name  = "app-${count.index}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
