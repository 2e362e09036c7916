variable "port" {
  type    = number
  default = "http"
}

variable "name" {
  type    = string
  default = "Tern"
  validation {
    condition     = can(regex("^[a-z]+$", var.name))
    error_message = "The name must be lower-case letters."
  }
}

variable "shape" {
  type    = object({ size = number })
  default = { colour = "red" }
}

variable "kind" {
  type = strin
}

resource "aws_iam_user" "u" {
  for_each = ["a", "b"]
  name     = each.key
}

resource "aws_iam_user" "v" {
  count = -1
  name  = "v"
}
