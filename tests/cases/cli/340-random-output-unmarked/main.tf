resource "random_password" "p" {
  length = 8
}

output "leak" {
  value = random_password.p.result
}
