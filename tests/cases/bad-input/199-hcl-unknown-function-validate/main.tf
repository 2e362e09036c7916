output "o" {
  value = nope("a")
}
