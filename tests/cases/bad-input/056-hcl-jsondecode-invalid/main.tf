output "o" {
  value = jsondecode("{")
}
