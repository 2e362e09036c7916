resource "random_integer" "server" {
  min  = 1
  max  = 1000
  seed = "migrate"
}
