variable "v" {
  type = number
  default = 1
  validation {
    condition     = var.v > 10
    error_message = "Must exceed ten."
  }
}
