# A precondition is checked before its instance is planned; `self` is not
# available in it. One that is unknown waits for apply.
variable "names" {
  type    = list(string)
  default = ["alpha", "Beta"]
}

resource "random_string" "suffix" {
  count  = length(var.names)
  length = 6

  lifecycle {
    precondition {
      condition     = lower(var.names[count.index]) == var.names[count.index]
      error_message = "Name \"${var.names[count.index]}\" must be lower case."
    }
    precondition {
      condition     = random_integer.n.result > 0
      error_message = "Never checked at plan: the result is unknown."
    }
  }
}

resource "random_integer" "n" {
  min = 1
  max = 5
}
