# A sensitive variable, a random_password (its result sensitive in the
# provider's schema) and a sensitive output: a saved plan holds them.
variable "pw" {
  type      = string
  default   = "case-SENSITIVE-value-5b1e"
  sensitive = true
}

variable "length" {
  default = 12
}

resource "random_password" "p" {
  length = var.length
}

output "pw" {
  value     = var.pw
  sensitive = true
}
