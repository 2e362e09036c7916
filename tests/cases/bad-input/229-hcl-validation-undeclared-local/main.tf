variable "v" {
  type = number
  default = 1
  validation {
    condition     = var.v < local.max
    error_message = "too big"
  }
}
