# Nothing sensitive, but a passphrase set: the plan is encrypted all the
# same, and reading it needs the passphrase.
resource "random_integer" "n" {
  min  = 1
  max  = 100
  seed = "abc"
}
