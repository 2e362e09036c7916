variable "name" {
  type    = string
  default = "x"
}

data "aws_iam_policy_document" "trust" {}

module "inner" {
  source = "../inner"
}

output "resource" {
  value = aws_iam_role.missing.arn
}

output "data_source" {
  value = data.aws_iam_policy_document.missing.json
}

output "data_prefix_forgotten" {
  value = aws_iam_policy_document.trust.json
}

output "module" {
  value = module.inne.x
}

output "module_output" {
  value = module.inner.nope
}

output "variable" {
  value = var.nmae
}
