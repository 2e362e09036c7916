variable "owner" {
  type     = string
  nullable = false
}

variable "tags" {
  type     = map(string)
  default  = {}
  nullable = false

  validation {
    condition     = length(var.tags) == 0
    error_message = "No tags yet."
  }
}

output "owner" {
  value = var.owner
}
