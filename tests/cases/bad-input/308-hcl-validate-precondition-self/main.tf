resource "random_string" "s" {
  length = 4
  lifecycle {
    precondition {
      condition     = self.length > 2
      error_message = "short"
    }
  }
}
