variable "v" {
  type = string
}

output "v" {
  value = "${terraform.workspace}-${var.v}"
}
