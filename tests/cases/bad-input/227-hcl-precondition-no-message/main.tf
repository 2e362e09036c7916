resource "random_string" "s" {
  length = 4
  lifecycle {
    precondition {
      condition = true
    }
  }
}
