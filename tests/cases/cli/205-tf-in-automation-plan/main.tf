variable "v" {
  type = string
}

output "v" {
  value = "${terraform.workspace}-${var.v}"
}

resource "random_id" "server" {
  byte_length = 4
}
