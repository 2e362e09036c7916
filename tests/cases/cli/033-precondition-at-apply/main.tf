# A precondition unknown at plan is checked before the instance is applied.
resource "random_integer" "n" {
  min  = 1
  max  = 5
  seed = "tern"
}

resource "random_string" "s" {
  length = 4
  lifecycle {
    precondition {
      condition     = random_integer.n.result > 10
      error_message = "n is ${random_integer.n.result}, not above 10."
    }
  }
}
