# A check_results entry of a kind Terraform does not have is refused,
# naming it; nothing is stored.
output "first" {
  value = 4
}
