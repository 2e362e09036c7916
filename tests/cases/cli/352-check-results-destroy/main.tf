# After a destroy the state's check_results list every checkable object
# of the configuration as unknown with no objects, as Terraform 1.9's
# destroy leaves them (its destroy plan reports no checkable objects).
resource "random_integer" "n" {
  count = 2
  min   = 1
  max   = 5
  seed  = "tern${count.index}"

  lifecycle {
    postcondition {
      condition     = self.result < 10
      error_message = "The result ${self.result} is not below 10."
    }
  }
}

output "first" {
  value = random_integer.n[0].result

  precondition {
    condition     = random_integer.n[0].result > 0
    error_message = "The first result is not positive."
  }
}

check "range" {
  assert {
    condition     = random_integer.n[1].result < 10
    error_message = "The result ${random_integer.n[1].result} is not below 10."
  }
}
