# An output's precondition is checked when the output is evaluated.
variable "env" {
  type    = string
  default = "qa"
}

output "endpoint" {
  value = "https://${var.env}.example.com"

  precondition {
    condition     = contains(["dev", "prod"], var.env)
    error_message = "env must be dev or prod, not ${var.env}."
  }
}

output "other" {
  value = var.env
}
