resource "random_integer" "kept" {
  min  = 1
  max  = 5
  seed = "kept"
}

removed {
  from = random_integer.old

  lifecycle {
    destroy = false
  }
}
