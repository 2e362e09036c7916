output "o" {
  value = tonumber("abc")
}
