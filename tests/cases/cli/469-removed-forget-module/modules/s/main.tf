# Seeded, so that its value is the same on every run.
resource "random_integer" "s" {
  min  = 1000
  max  = 9999
  seed = "s"
}
