variable "n" {
  type    = number
  default = 1
}

output "o" {
  value = var.n
}
