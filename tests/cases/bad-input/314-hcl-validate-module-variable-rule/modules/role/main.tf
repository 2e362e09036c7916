variable "name" {
  type = string

  validation {
    condition     = length(var.name) <= 8
    error_message = "The name ${var.name} is longer than 8 characters."
  }

  validation {
    condition     = var.name != var.owner
    error_message = "The name may not be the owner's."
  }
}

variable "owner" {
  type = string
}

output "name" {
  value = var.name
}
