output "o" {
  value = [1][5]
}
