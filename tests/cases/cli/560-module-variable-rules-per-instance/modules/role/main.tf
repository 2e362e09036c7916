variable "name" {
  type = string

  validation {
    condition     = length(var.name) <= 4
    error_message = "The name ${var.name} is longer than 4 characters."
  }
}

variable "tags" {
  type     = map(string)
  default  = {}
  nullable = false
}

variable "owner" {
  type     = string
  nullable = false
}

output "name" {
  value = "${var.name}-${length(var.tags)}-${var.owner}"
}
