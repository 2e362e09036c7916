output "o" {
  value = "abc"[*].x
}
