output "o" {
  value = 1
  precondition {
    condition     = "yes"
    error_message = "no"
  }
}
