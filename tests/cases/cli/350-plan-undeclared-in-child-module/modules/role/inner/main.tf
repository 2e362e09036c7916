resource "random_integer" "n" {
  min = 1
  max = 5
}

output "name" {
  value = "${random_integer.m.result}-${module.other.id}"
}
