output "o" {
  value = file("nope.txt")
}
