resource "random_string" "s" {
  for_each = toset(["a", "b"])
  length   = 4
}

import {
  to = random_string.s["a"]
  id = "abcd"
}

import {
  for_each = toset(["a"])
  to       = random_string.s[each.key]
  id       = "efgh"
}
