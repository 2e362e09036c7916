# The random and time resources that are deterministic (seeded, fixed
# times), created one after the other (depends_on) so that the progress
# lines come in one order. random_password is not here: its bcrypt hash
# takes long enough to print "after 1s" on a loaded machine.
variable "d" {
  default = "0s"
}
resource "random_integer" "n" {
  min  = 1
  max  = 100
  seed = "abc"
}
resource "random_shuffle" "sh" {
  input      = ["a", "b", "c"]
  seed       = "x"
  depends_on = [random_integer.n]
}
resource "time_static" "t" {
  rfc3339    = "2024-01-02T03:04:05Z"
  depends_on = [random_shuffle.sh]
}
resource "time_sleep" "z" {
  create_duration = var.d
  depends_on      = [time_static.t]
}
resource "random_uuid" "u" {
  depends_on = [time_sleep.z]
}
