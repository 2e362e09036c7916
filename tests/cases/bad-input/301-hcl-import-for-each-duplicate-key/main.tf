resource "random_string" "s" {
  for_each = toset(["a", "b"])
  length   = 4
}

import {
  for_each = toset(["a", "b"])
  to       = random_string.s["a"]
  id       = "abcd"
}
