variable "roles" {
  description = "Roles to create, with the services that assume them"
  type = map(object({
    services = list(string)
    policies = list(string)
  }))
  default = {
    ingest = {
      services = ["lambda.amazonaws.com"]
      policies = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    }
    train = {
      services = ["sagemaker.amazonaws.com", "ec2.amazonaws.com"]
      policies = [
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
        "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
      ]
    }
  }
}

locals {
  prefix = "ml"
  # One entry per role and policy, keyed "role/policy-name".
  attachments = merge([
    for role, cfg in var.roles : {
      for arn in cfg.policies :
      "${role}/${element(split("/", arn), length(split("/", arn)) - 1)}" => {
        role       = role
        policy_arn = arn
      }
    }
  ]...)
}

resource "aws_iam_role" "role" {
  for_each = var.roles

  name = "${local.prefix}-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = each.value.services }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "attach" {
  for_each = local.attachments

  role       = aws_iam_role.role[each.value.role].name
  policy_arn = each.value.policy_arn
}

resource "aws_iam_user" "ops" {
  count = 2
  name  = "ops-${count.index + 1}"
}

output "role_names" {
  value = { for k, r in var.roles : k => "${local.prefix}-${k}" }
}

output "attachment_keys" {
  value = keys(local.attachments)
}
