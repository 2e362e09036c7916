locals {
  a = local.b
  b = local.a
}
output "o" {
  value = local.a
}
