variable "n" {
  type    = number
  default = 0
}

resource "random_string" "big" {
  count   = var.n
  length  = 100000
  special = false
}
