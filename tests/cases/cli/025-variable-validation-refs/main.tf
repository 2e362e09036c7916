# Terraform 1.9: a validation rule may refer to the other variables.
variable "min" {
  type    = number
  default = 3
}

variable "max" {
  type    = number
  default = 10

  validation {
    condition     = var.max >= var.min
    error_message = "max (${var.max}) must not be below min (${var.min})."
  }
}

output "range" {
  value = "${var.min}-${var.max}"
}
