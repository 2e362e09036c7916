# Terraform 1.9: a validation rule may refer to any object of the module;
# one that refers to a local or a resource is checked with the plan, and
# waits while its condition is unknown.
locals {
  limit = 100
}

variable "size" {
  type    = number
  default = 5

  validation {
    condition     = var.size <= local.limit
    error_message = "size must be at most ${local.limit}, not ${var.size}."
  }
}

variable "length" {
  type    = number
  default = 8

  validation {
    condition     = var.length < random_integer.cap.result
    error_message = "length must stay below the cap."
  }
}

resource "random_integer" "cap" {
  min  = 10
  max  = 20
  seed = "cap" # its ID is in the refresh line
}

output "size" {
  value = var.size
}
