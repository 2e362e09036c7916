# An imported random_string and time_static: the state holds what the ID
# says, and a plan after the imports is no change.
resource "random_string" "s" {
  length = 5
}

resource "time_static" "t" {}
