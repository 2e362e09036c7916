output "o" {
  value = 1 + "a"
}
