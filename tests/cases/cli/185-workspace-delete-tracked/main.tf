output "ws" {
  value = terraform.workspace
}
resource "random_id" "server" {
  byte_length = 4
}
