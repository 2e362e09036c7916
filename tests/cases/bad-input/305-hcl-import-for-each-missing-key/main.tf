resource "random_string" "s" {
  for_each = toset(["a", "b"])
  length   = 4
}

import {
  for_each = { a = "abcd", c = "efgh" }
  to       = random_string.s[each.key]
  id       = each.value
}
