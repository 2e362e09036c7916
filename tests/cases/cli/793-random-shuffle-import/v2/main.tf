import {
  to = random_shuffle.s
  id = "a,b,c"
}

resource "random_shuffle" "s" {
  input = ["a", "b", "c"]
}
