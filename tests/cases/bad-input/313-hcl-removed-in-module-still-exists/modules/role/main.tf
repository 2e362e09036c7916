resource "random_integer" "n" {
  min = 1
  max = 5
}

removed {
  from = random_integer.n
}
