output "ws" {
  value = terraform.workspace
}
