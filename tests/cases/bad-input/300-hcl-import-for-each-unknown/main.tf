resource "random_string" "s" {
  for_each = toset(["a", "b"])
  length   = 4
}

resource "random_string" "k" {
  length = 4
}

import {
  for_each = toset([random_string.k.result])
  to       = random_string.s[each.key]
  id       = each.value
}
