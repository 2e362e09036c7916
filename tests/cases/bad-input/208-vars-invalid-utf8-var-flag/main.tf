variable "n" {
  type = number
}

variable "names" {
  type    = list(string)
  default = []
}

variable "obj" {
  type = object({ a = string, b = number })
  default = { a = "x", b = 1 }
}

output "o" {
  value = var.n
}
