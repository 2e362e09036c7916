# A postcondition checks `self` after the plan (it waits while unknown)
# and after the apply: the object is saved, what depends on it is not
# applied.
resource "random_integer" "n" {
  min  = 1
  max  = 5
  seed = "tern"

  lifecycle {
    postcondition {
      condition     = self.result > 10
      error_message = "The result ${self.result} is not above 10."
    }
  }
}

resource "random_string" "s" {
  length = random_integer.n.result
}
