output "o" {
  value = upper()
}
