# A Terraform state's check_results are carried by state push and come
# back in state pull as they were.
output "first" {
  value = 4
}
