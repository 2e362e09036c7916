# A stack whose state lives in S3, for pipeline.sh: plan in one CI job,
# apply the saved plan in another, on runners that keep no files.
terraform {
  backend "s3" {
    bucket       = "tern-pipeline-state"
    key          = "pipeline/terraform.tfstate"
    region       = "us-east-1"
    use_lockfile = true
    encrypt      = true
  }
}

variable "name" {
  type    = string
  default = "pipeline-app"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_instance_profile" "app" {
  name = var.name
  role = aws_iam_role.app.name
}
